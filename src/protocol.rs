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
    /// A link on the page's own origin: framed with `allow-scripts` and
    /// `allow-same-origin`, a page can remove its own sandbox.
    SameOrigin,
    /// A link from the back-end that is not on the `flowOrigin` the page
    /// pinned: a misconfigured or compromised back-end cannot point the
    /// flow (and the token it produces) elsewhere.
    OtherOrigin,
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

/// Refuses a link on the origin of the page that frames it.
///
/// The flow's iframe needs `allow-scripts allow-same-origin` (as the
/// reference sets them), and that pair is only safe across origins: a
/// same-origin frame can reach its own `<iframe>` element and drop the
/// `sandbox` attribute. Kombo's flow is always on its own origin. Origins
/// are compared as the URL API serialises them; an opaque page origin
/// (`"null"`) never equals a link's.
///
/// ```
/// use kombo_connect_wasm::protocol::{check_origin, LinkError};
/// assert_eq!(check_origin("https://connect.kombo.dev", "https://app.example.com"), Ok(()));
/// assert_eq!(check_origin("https://app.example.com", "https://app.example.com"), Err(LinkError::SameOrigin));
/// ```
pub fn check_origin(link_origin: &str, page_origin: &str) -> Result<(), LinkError> {
    match link_origin == page_origin && link_origin != "null" {
        true => Err(LinkError::SameOrigin),
        false => Ok(()),
    }
}

/// True for host names that can only mean this machine: `localhost` (and its
/// subdomains, which browsers resolve to loopback), `127.0.0.0/8` and `[::1]`.
///
/// `hostname` must come from the URL API, which lower-cases it and
/// normalises IPv4 hosts to dotted decimal (`http://0x7f.1/` becomes
/// `127.0.0.1`), so four decimal octets starting with 127 are all we need
/// to recognise. Written over bytes: one pass, no allocation.
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
    /// `success` without a token: how a reconnection may end, since the
    /// integration exists already.
    Finished,
    /// The user closed the flow.
    Close,
    /// Anything else: unknown types, malformed payloads. Ignored so that a
    /// future message type or a stray script cannot break an open flow.
    Ignore,
}

/// Classifies a message from the already-parsed `type` and
/// `data.activation_token` fields.
///
/// A success without a string token is [`Message::Finished`], which only a
/// reconnection accepts; everywhere else it is ignored, not resolved: the
/// reference resolves with whatever is there (a number, `undefined`), which
/// the caller then sends to its back-end as a token.
///
/// ```
/// use kombo_connect_wasm::protocol::{classify, Message};
/// assert_eq!(classify(Some("close"), None), Message::Close);
/// assert_eq!(classify(Some("success"), None), Message::Finished);
/// assert_eq!(classify(Some("constructor"), None), Message::Ignore);
/// ```
pub fn classify(kind: Option<&str>, token: Option<String>) -> Message {
    match (kind, token) {
        (Some("success"), Some(token)) if !token.is_empty() => Message::Success(token),
        (Some("success"), _) => Message::Finished,
        (Some("close"), _) => Message::Close,
        _ => Message::Ignore,
    }
}

/// Checks a link from the back-end against the `flowOrigin` the page
/// expects, when it gave one. Origins compare as the URL API serialises
/// them (`scheme://host[:port]`, default port dropped).
///
/// ```
/// use kombo_connect_wasm::protocol::{check_flow_origin, LinkError};
/// let kombo = Some("https://connect.kombo.dev");
/// assert_eq!(check_flow_origin("https://connect.kombo.dev", kombo), Ok(()));
/// assert_eq!(check_flow_origin("https://evil.example", kombo), Err(LinkError::OtherOrigin));
/// assert_eq!(check_flow_origin("https://evil.example", None), Ok(()));
/// ```
pub fn check_flow_origin(link_origin: &str, expected: Option<&str>) -> Result<(), LinkError> {
    match expected {
        Some(expected) if expected != link_origin => Err(LinkError::OtherOrigin),
        _ => Ok(()),
    }
}

/// The integration categories Kombo's create-link endpoint accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// HR information systems (Personio, BambooHR, …).
    Hris,
    /// Applicant tracking systems (Greenhouse, …).
    Ats,
    /// Assessment tools.
    Assessment,
    /// Learning management systems.
    Lms,
}

impl Category {
    /// Parses the exact upper-case names Kombo uses; anything else is refused
    /// before a request is sent, rather than becoming a 400 from Kombo later.
    ///
    /// ```
    /// use kombo_connect_wasm::protocol::Category;
    /// assert_eq!(Category::parse("ATS"), Some(Category::Ats));
    /// assert_eq!(Category::parse("ats"), None);
    /// ```
    pub fn parse(name: &str) -> Option<Category> {
        match name {
            "HRIS" => Some(Category::Hris),
            "ATS" => Some(Category::Ats),
            "ASSESSMENT" => Some(Category::Assessment),
            "LMS" => Some(Category::Lms),
            _ => None,
        }
    }

    /// The name as sent in `integration_category`.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Hris => "HRIS",
            Category::Ats => "ATS",
            Category::Assessment => "ASSESSMENT",
            Category::Lms => "LMS",
        }
    }
}

/// Which of the two back-end requests of `connect()` an error comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// `POST initUrl`, which returns the link.
    Init,
    /// `POST activateUrl` with the activation token.
    Activate,
}

impl Stage {
    /// The value of `KomboConnectRequestError.stage`.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Init => "init",
            Stage::Activate => "activate",
        }
    }
}

/// How a request to the customer's back-end went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure<'a> {
    /// A response with a status outside 200-299, and its body.
    Status(u16, &'a str),
    /// A 2xx response whose body is not JSON.
    InvalidJson(&'a str),
    /// The init response has no string `link` (nor `data.link`).
    MissingLink,
    /// No response within the time-out, in milliseconds.
    TimedOut(u32),
    /// fetch() failed: server down, DNS, CORS, mixed content.
    Network,
}

/// Longest piece of a response body quoted in an error message.
const BODY_EXCERPT: usize = 120;

/// The message of a failed request: the request, what went wrong, and the
/// start of the body where there is one, so a developer can act on the
/// error without opening the network tab.
///
/// ```
/// use kombo_connect_wasm::protocol::{describe_failure, Failure};
/// assert_eq!(
///     describe_failure("/integrations/kombo/init", &Failure::Status(403, r#"{"error":"forbidden"}"#)),
///     r#"POST /integrations/kombo/init failed with HTTP 403: {"error":"forbidden"}"#,
/// );
/// ```
pub fn describe_failure(url: &str, failure: &Failure) -> String {
    let mut m = String::from("POST ");
    m.push_str(url);
    match failure {
        Failure::Status(status, body) => {
            m.push_str(" failed with HTTP ");
            push_decimal(&mut m, u32::from(*status));
            push_excerpt(&mut m, body);
        }
        Failure::InvalidJson(body) => {
            m.push_str(" did not answer with JSON");
            push_excerpt(&mut m, body);
        }
        Failure::MissingLink => {
            m.push_str(r#" answered without a link: expected {"link": "https://..."}"#);
        }
        Failure::TimedOut(ms) => {
            m.push_str(" timed out after ");
            push_decimal(&mut m, *ms);
            m.push_str(" ms");
        }
        Failure::Network => {
            m.push_str(" failed: network error (server down, or blocked by CORS or CSP)");
        }
    }
    m
}

/// Why the flow's page did not load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadFailure<'a> {
    /// No `load` within `loadTimeoutMs` milliseconds.
    TimedOut(u32),
    /// The host page's Content-Security-Policy refused to frame this origin.
    Blocked(&'a str),
    /// Page code took the frame away from the flow: changed its `src` or
    /// navigated it elsewhere (to `about:blank`, as consent managers do).
    Replaced(&'a str),
}

impl LoadFailure<'_> {
    /// The value of `KomboConnectLoadError.reason`.
    pub fn reason(self) -> &'static str {
        match self {
            LoadFailure::TimedOut(_) => "timeout",
            LoadFailure::Blocked(_) => "csp",
            LoadFailure::Replaced(_) => "replaced",
        }
    }

    /// The error message: what happened and what to change.
    ///
    /// ```
    /// use kombo_connect_wasm::protocol::LoadFailure;
    /// assert_eq!(
    ///     LoadFailure::Blocked("https://connect.kombo.dev").describe(),
    ///     "This page's Content-Security-Policy blocked Kombo Connect (frame-src): \
    ///      add https://connect.kombo.dev to frame-src.",
    /// );
    /// ```
    pub fn describe(self) -> String {
        let mut m = String::new();
        match self {
            LoadFailure::TimedOut(ms) => {
                m.push_str("Kombo Connect did not load within ");
                push_decimal(&mut m, ms);
                m.push_str(" ms. Check the network, or raise loadTimeoutMs.");
            }
            LoadFailure::Blocked(origin) => {
                m.push_str(
                    "This page's Content-Security-Policy blocked Kombo Connect (frame-src): add ",
                );
                m.push_str(origin);
                m.push_str(" to frame-src.");
            }
            LoadFailure::Replaced(origin) => {
                m.push_str(
                    "A script on this page took the Kombo Connect frame away (changed its src or \
                     navigated it), as consent managers do: allow frames from ",
                );
                m.push_str(origin);
                m.push('.');
            }
        }
        m
    }
}

/// Whether a `securitypolicyviolation` event is the page's CSP refusing
/// to frame a link of `origin`. Browsers report the directive that applies
/// to frames as `frame-src` even when the policy falls back to `child-src`
/// or `default-src`, and the blocked URL in full or as its origin.
///
/// ```
/// use kombo_connect_wasm::protocol::blocks_frame;
/// let origin = "https://connect.kombo.dev";
/// assert!(blocks_frame("frame-src", "https://connect.kombo.dev/?token=x", origin));
/// assert!(!blocks_frame("img-src", "https://connect.kombo.dev/logo.png", origin));
/// assert!(!blocks_frame("frame-src", "https://connect.kombo.dev.evil.com/", origin));
/// ```
pub fn blocks_frame(directive: &str, blocked: &str, origin: &str) -> bool {
    directive == "frame-src"
        && blocked
            .strip_prefix(origin)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Appends `: <start of body>`, cut at a character boundary, or nothing for
/// an empty body.
///
/// Counted in characters, not bytes, so a cut never lands inside one.
fn push_excerpt(m: &mut String, body: &str) {
    let body = body.trim_ascii();
    if body.is_empty() {
        return;
    }
    m.push_str(": ");
    for (i, c) in body.chars().enumerate() {
        if i == BODY_EXCERPT {
            m.push('…');
            break;
        }
        m.push(c);
    }
}

/// Writes `n` in decimal. By hand: `to_string()` would bring `core::fmt`'s
/// machinery for writing into a `String`, which nothing else here needs.
fn push_decimal(m: &mut String, n: u32) {
    if n >= 10 {
        push_decimal(m, n / 10);
    }
    m.push(char::from(b'0' + (n % 10) as u8));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_on_the_page_origin_are_refused() {
        let page = "http://127.0.0.1:5173";
        assert_eq!(check_origin(page, page), Err(LinkError::SameOrigin));
        // Another port, scheme or host is another origin.
        for link in [
            "http://127.0.0.1:5174",
            "https://127.0.0.1:5173",
            "http://localhost:5173",
        ] {
            assert_eq!(check_origin(link, page), Ok(()), "{link}");
        }
        // Opaque origins (file:, sandboxed pages) are equal to nothing.
        assert_eq!(check_origin("null", "null"), Ok(()));
    }

    #[test]
    fn https_links_are_allowed_anywhere() {
        assert_eq!(check_link("https:", "connect.kombo.dev"), Ok(()));
        assert_eq!(check_link("https:", "127.0.0.1"), Ok(()));
    }

    #[test]
    fn http_links_are_allowed_only_for_loopback() {
        for host in [
            "localhost",
            "app.localhost",
            "127.0.0.1",
            "127.1.2.3",
            "[::1]",
        ] {
            assert_eq!(check_link("http:", host), Ok(()), "{host}");
        }
        for host in [
            "connect.kombo.dev",
            "127.0.0.1.evil.com",
            "localhost.evil.com",
            "128.0.0.1",
            "10.0.0.1",
            "127.0.0",
            "127.0.0.",
            "127..0.1",
            "127.0.0.1.",
            "[::2]",
            "127.0.0.1000",
            "127",
        ] {
            assert_eq!(
                check_link("http:", host),
                Err(LinkError::InsecureHttp),
                "{host}"
            );
        }
    }

    #[test]
    fn non_http_schemes_are_refused() {
        for scheme in [
            "javascript:",
            "data:",
            "blob:",
            "file:",
            "about:",
            "vbscript:",
            "ftp:",
            "ws:",
        ] {
            assert_eq!(
                check_link(scheme, ""),
                Err(LinkError::UnsafeScheme),
                "{scheme}"
            );
        }
    }

    #[test]
    fn success_with_string_token_resolves() {
        assert_eq!(
            classify(Some("success"), Some("tok".into())),
            Message::Success("tok".into())
        );
    }

    #[test]
    fn success_without_string_token_only_finishes() {
        assert_eq!(classify(Some("success"), None), Message::Finished);
        assert_eq!(
            classify(Some("success"), Some(String::new())),
            Message::Finished
        );
    }

    #[test]
    fn a_pinned_flow_origin_refuses_every_other_origin() {
        let kombo = Some("https://connect.kombo.dev");
        for other in [
            "https://connect.kombo.dev.evil.example",
            "http://connect.kombo.dev",
            "https://connect.kombo.dev:8443",
            "https://connect.us.kombo.dev",
            "null",
        ] {
            assert_eq!(
                check_flow_origin(other, kombo),
                Err(LinkError::OtherOrigin),
                "{other}"
            );
        }
        assert_eq!(
            check_flow_origin("https://connect.kombo.dev", kombo),
            Ok(())
        );
    }

    #[test]
    fn close_message_cancels() {
        assert_eq!(classify(Some("close"), None), Message::Close);
        assert_eq!(classify(Some("close"), Some("tok".into())), Message::Close);
    }

    #[test]
    fn unknown_or_missing_types_are_ignored() {
        for kind in [
            "toString",
            "constructor",
            "__proto__",
            "hasOwnProperty",
            "SUCCESS",
            "",
        ] {
            assert_eq!(
                classify(Some(kind), Some("tok".into())),
                Message::Ignore,
                "{kind}"
            );
        }
        assert_eq!(classify(None, Some("tok".into())), Message::Ignore);
    }

    #[test]
    fn categories_are_the_four_kombo_names() {
        for (name, c) in [
            ("HRIS", Category::Hris),
            ("ATS", Category::Ats),
            ("ASSESSMENT", Category::Assessment),
            ("LMS", Category::Lms),
        ] {
            assert_eq!(Category::parse(name), Some(c));
            assert_eq!(c.as_str(), name);
        }
        for bad in ["hris", "Hris", "", "CRM", "HRIS "] {
            assert_eq!(Category::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn failure_messages_name_the_request_and_the_problem() {
        let url = "/integrations/kombo/init";
        assert_eq!(
            describe_failure(url, &Failure::Status(500, "")),
            "POST /integrations/kombo/init failed with HTTP 500"
        );
        assert_eq!(
            describe_failure(url, &Failure::Status(0, "x")),
            "POST /integrations/kombo/init failed with HTTP 0: x"
        );
        assert_eq!(
            describe_failure(url, &Failure::Status(404, "  Not Found\r\n")),
            "POST /integrations/kombo/init failed with HTTP 404: Not Found"
        );
        assert_eq!(
            describe_failure(url, &Failure::InvalidJson("<html>")),
            "POST /integrations/kombo/init did not answer with JSON: <html>"
        );
        assert_eq!(
            describe_failure(url, &Failure::TimedOut(30000)),
            "POST /integrations/kombo/init timed out after 30000 ms"
        );
        assert!(describe_failure(url, &Failure::MissingLink).contains("without a link"));
        assert!(describe_failure(url, &Failure::Network).contains("network error"));
    }

    #[test]
    fn long_bodies_are_cut_at_a_character_boundary() {
        let body = "é".repeat(500);
        let m = describe_failure("/x", &Failure::Status(502, &body));
        assert!(m.ends_with('…'));
        assert_eq!(m.chars().filter(|&c| c == 'é').count(), BODY_EXCERPT);
    }

    #[test]
    fn decimal_writes_every_u32() {
        for n in [0, 7, 10, 99, 404, 65535, u32::MAX] {
            let mut s = String::new();
            push_decimal(&mut s, n);
            assert_eq!(s, n.to_string());
        }
    }

    #[test]
    fn a_load_time_out_names_the_delay_and_the_option() {
        let failure = LoadFailure::TimedOut(20_000);
        assert_eq!(failure.reason(), "timeout");
        assert_eq!(
            failure.describe(),
            "Kombo Connect did not load within 20000 ms. Check the network, or raise loadTimeoutMs."
        );
    }

    #[test]
    fn a_frame_taken_away_names_the_origin_to_allow() {
        let failure = LoadFailure::Replaced("https://connect.kombo.dev");
        assert_eq!(failure.reason(), "replaced");
        assert!(failure
            .describe()
            .ends_with("allow frames from https://connect.kombo.dev."));
    }

    #[test]
    fn only_frame_src_violations_for_the_link_origin_count() {
        let origin = "http://127.0.0.1:4000";
        assert!(blocks_frame("frame-src", origin, origin));
        assert!(blocks_frame(
            "frame-src",
            "http://127.0.0.1:4000/pages/flow.html",
            origin
        ));
        assert!(!blocks_frame(
            "frame-src",
            "http://127.0.0.1:40000/",
            origin
        ));
        assert!(!blocks_frame(
            "script-src",
            "http://127.0.0.1:4000/x.js",
            origin
        ));
        assert!(!blocks_frame("frame-src", "", origin));
        assert_eq!(LoadFailure::Blocked(origin).reason(), "csp");
    }
}
