//! What the Connect flow is allowed to be and what its messages mean.
//!
//! The reference SDK trusts whatever it is given: any URL scheme goes into
//! the iframe, and any `postMessage` from the iframe's window is indexed
//! straight into a handler table (`handlers[message.type]`), so `null`
//! throws and `{type: "constructor"}` calls `Object`. Every decision about
//! untrusted input is made here instead, as plain functions over plain
//! values, so it can be unit-tested natively without a browser.

/// Query parameter the reference adds to the link; Kombo's flow reads it to
/// know which SDK opened it, so we announce the version we are a drop-in for.
pub const SDK_VERSION_PARAM: &str = "sdkv";
/// The `@kombo-api/connect` version whose behaviour we reproduce.
pub const SDK_VERSION: &str = "1.3.0";

/// Why a link is refused before any iframe exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkError {
    /// The string is not an absolute URL.
    Invalid,
    /// `javascript:`, `data:`, `blob:`, `file:` …: not a page we should frame.
    UnsafeScheme,
    /// Plain `http:` to a host that is not this machine.
    InsecureHttp,
}

/// Decides whether a parsed link may be opened in the iframe.
///
/// Only `https:` is accepted in general. Plain `http:` is accepted for
/// loopback hosts so that local development and tests work, because traffic
/// to them never leaves the machine. `protocol` is as the URL API reports it
/// (with the trailing colon) and `hostname` without port or brackets' content
/// normalisation beyond what the URL API already did.
///
/// ```
/// use kombo_connect_wasm::protocol::{check_link, LinkError};
/// assert_eq!(check_link("https:", "connect.kombo.dev"), Ok(()));
/// assert_eq!(check_link("javascript:", ""), Err(LinkError::UnsafeScheme));
/// ```
pub fn check_link(protocol: &str, hostname: &str) -> Result<(), LinkError> {
    match protocol {
        "https:" => Ok(()),
        "http:" if is_loopback(hostname) => Ok(()),
        "http:" => Err(LinkError::InsecureHttp),
        _ => Err(LinkError::UnsafeScheme),
    }
}

/// True for host names that can only mean this machine: `localhost` (and its
/// subdomains, which browsers resolve to loopback), `127.0.0.0/8` and `[::1]`.
///
/// `hostname` must come from the URL API, which lower-cases it and
/// normalises IPv4 hosts to dotted decimal (`http://0x7f.1/` becomes
/// `127.0.0.1`), so four decimal octets starting with 127 are all we need
/// to recognise. Written over bytes, without `split`, because this runs in
/// every page and iterator adaptors cost hundreds of bytes of `.wasm`.
pub fn is_loopback(hostname: &str) -> bool {
    if hostname == "localhost" || hostname.ends_with(".localhost") || hostname == "[::1]" {
        return true;
    }
    let Some(rest) = hostname.strip_prefix("127.") else {
        return false;
    };
    // `rest` must be exactly three octets of 1 to 3 digits.
    let (mut octets, mut digits) = (1, 0);
    for b in rest.bytes() {
        match b {
            b'0'..=b'9' if digits < 3 => digits += 1,
            b'.' if digits > 0 && octets < 3 => (octets, digits) = (octets + 1, 0),
            _ => return false,
        }
    }
    octets == 3 && digits > 0
}

/// What a message from the flow asks of us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// The user connected an integration; carries the activation token.
    Success(String),
    /// The user closed the flow.
    Close,
    /// Anything else: unknown types, malformed payloads. Ignored so that a
    /// future message type or a stray script cannot break an open flow.
    Ignore,
}

/// Classifies a message from the already-parsed `type` and
/// `data.activation_token` fields.
///
/// A success without a string token is ignored, not resolved: the reference
/// resolves with whatever is there (a number, `undefined`), which the caller
/// then sends to its back-end as a token.
///
/// ```
/// use kombo_connect_wasm::protocol::{classify, Message};
/// assert_eq!(classify(Some("close"), None), Message::Close);
/// assert_eq!(classify(Some("constructor"), None), Message::Ignore);
/// ```
pub fn classify(kind: Option<&str>, token: Option<String>) -> Message {
    match (kind, token) {
        (Some("success"), Some(token)) if !token.is_empty() => Message::Success(token),
        (Some("close"), _) => Message::Close,
        _ => Message::Ignore,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_links_are_allowed_anywhere() {
        assert_eq!(check_link("https:", "connect.kombo.dev"), Ok(()));
        assert_eq!(check_link("https:", "127.0.0.1"), Ok(()));
    }

    #[test]
    fn http_links_are_allowed_only_for_loopback() {
        for host in ["localhost", "app.localhost", "127.0.0.1", "127.1.2.3", "[::1]"] {
            assert_eq!(check_link("http:", host), Ok(()), "{host}");
        }
        for host in ["connect.kombo.dev", "127.0.0.1.evil.com", "localhost.evil.com", "128.0.0.1", "10.0.0.1", "127.0.0", "127.0.0.", "127..0.1", "127.0.0.1.", "[::2]", "127.0.0.1000", "127"] {
            assert_eq!(check_link("http:", host), Err(LinkError::InsecureHttp), "{host}");
        }
    }

    #[test]
    fn non_http_schemes_are_refused() {
        for scheme in ["javascript:", "data:", "blob:", "file:", "about:", "vbscript:", "ftp:", "ws:"] {
            assert_eq!(check_link(scheme, ""), Err(LinkError::UnsafeScheme), "{scheme}");
        }
    }

    #[test]
    fn success_with_string_token_resolves() {
        assert_eq!(classify(Some("success"), Some("tok".into())), Message::Success("tok".into()));
    }

    #[test]
    fn success_without_string_token_is_ignored() {
        assert_eq!(classify(Some("success"), None), Message::Ignore);
        assert_eq!(classify(Some("success"), Some(String::new())), Message::Ignore);
    }

    #[test]
    fn close_message_cancels() {
        assert_eq!(classify(Some("close"), None), Message::Close);
        assert_eq!(classify(Some("close"), Some("tok".into())), Message::Close);
    }

    #[test]
    fn unknown_or_missing_types_are_ignored() {
        for kind in ["toString", "constructor", "__proto__", "hasOwnProperty", "SUCCESS", ""] {
            assert_eq!(classify(Some(kind), Some("tok".into())), Message::Ignore, "{kind}");
        }
        assert_eq!(classify(None, Some("tok".into())), Message::Ignore);
    }
}
