//! Every way a flow can fail, as one enum.
//!
//! Inside the crate an error is a value we can match on and test; callers in
//! JavaScript need `Error` subclasses they can `instanceof`. The conversion
//! happens once, in `From<Error> for JsValue`, which only `lib.rs` calls.
//! The lifecycle event each error is reported as (`onEvent`) is decided
//! here too, in [`Error::event`], so `showKomboConnect` and `connect()`
//! cannot disagree.

use crate::js;
use crate::protocol::{LinkError, Stage};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/errors.js")]
extern "C" {
    #[wasm_bindgen(extends = js_sys::Error)]
    type KomboConnectAlreadyOpenError;
    #[wasm_bindgen(constructor)]
    fn new(message: &str) -> KomboConnectAlreadyOpenError;

    #[wasm_bindgen(extends = js_sys::Error)]
    type KomboConnectCancelledError;
    #[wasm_bindgen(constructor)]
    fn new(message: &str) -> KomboConnectCancelledError;

    #[wasm_bindgen(extends = js_sys::Error)]
    type KomboConnectLoadError;
    #[wasm_bindgen(constructor)]
    fn new(message: &str, reason: &str) -> KomboConnectLoadError;

    #[wasm_bindgen(extends = js_sys::Error)]
    type KomboConnectRequestError;
    #[wasm_bindgen(constructor)]
    fn new(
        message: &str,
        stage: &str,
        status: Option<u16>,
        activation_token: Option<String>,
    ) -> KomboConnectRequestError;
}

#[wasm_bindgen(module = "/js/host.js")]
extern "C" {
    /// The same error the JS side rejects calls with after a trap.
    #[wasm_bindgen(js_name = internalError)]
    fn internal_error() -> JsValue;
}

/// Why a flow did not produce an activation token (or, in `connect()`, an
/// activated integration).
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// Another flow is open, or a `connect()` is running; only one can be.
    AlreadyOpen,
    /// The user closed the flow.
    UserCancelled,
    /// The page removed the iframe (or its container) while the flow was open.
    Removed,
    /// `options.container` is not in the document, so the iframe would be invisible.
    ContainerDetached,
    /// `options.container` is not an element.
    ContainerNotElement,
    /// The link was refused before any iframe was created.
    Link(LinkError),
    /// There is no `document` (or no `<body>` yet).
    NoDocument,
    /// The browser refused a DOM call (creating, styling or appending the
    /// iframe, observing the page).
    Dom,
    /// `connect()` was given something other than the four categories.
    InvalidCategory,
    /// `reconnect()` was given no integration id (or not a string).
    InvalidIntegrationId,
    /// An option of `connect()` has the wrong type; names the option.
    InvalidOption(&'static str),
    /// The caller's `AbortSignal` fired. Carries `signal.reason` (the call
    /// rejects with it, as `fetch()` does) and the activation token when
    /// the user had already finished the flow.
    Aborted {
        /// `signal.reason`; `undefined` in browsers without it.
        reason: JsValue,
        /// The token of a finished flow whose activation was aborted.
        token: Option<String>,
    },
    /// Page code we ran (a getter, a `toString`) threw this; the call
    /// rejects with it unchanged.
    Thrown(JsValue),
    /// A bug in this SDK: a panic (named in the console) closed the flow.
    Internal,
    /// The flow's page did not load: a time-out or the page's CSP.
    Load {
        /// `'timeout'` or `'csp'`.
        reason: &'static str,
        /// What happened and what to change.
        message: String,
    },
    /// A request to the customer's back-end failed.
    Request {
        /// Which request.
        stage: Stage,
        /// The HTTP status, when a response arrived.
        status: Option<u16>,
        /// What happened, naming the URL.
        message: String,
        /// The token of a finished flow whose activation failed.
        token: Option<String>,
    },
}

impl Error {
    /// The caller's signal fired: carries its `reason`.
    pub(crate) fn aborted(signal: &web_sys::AbortSignal) -> Error {
        Error::Aborted {
            reason: js::field(signal, "reason").unwrap_or(JsValue::UNDEFINED),
            token: None,
        }
    }

    /// The message of every error but [`Error::Request`], which carries its
    /// own. The first four are the reference's words, so logs and tests
    /// written against it keep matching.
    fn fixed_message(&self) -> &'static str {
        match self {
            Error::AlreadyOpen => "There's already a Kombo Connect modal open!",
            Error::UserCancelled => "The user cancelled the flow!",
            Error::Removed => {
                "The Kombo Connect modal was removed from the DOM before the user completed the flow."
            }
            Error::ContainerDetached => {
                "The container element passed to showKomboConnect must be attached to the document."
            }
            Error::ContainerNotElement => {
                "The container passed to showKomboConnect must be an HTMLElement."
            }
            Error::Link(LinkError::Invalid) => {
                "showKomboConnect needs an absolute https link, as returned by Kombo's create-link endpoint."
            }
            Error::Link(LinkError::UnsafeScheme) => {
                "Refused to open the Kombo Connect link: only https links can be opened."
            }
            Error::Link(LinkError::InsecureHttp) => {
                "Refused to open the Kombo Connect link: http is allowed for localhost only, use https."
            }
            Error::Link(LinkError::SameOrigin) => {
                "Refused to open the Kombo Connect link: it is on this page's own origin, where its frame could lift its own sandbox. Serve the flow (or a mock) from another origin."
            }
            Error::Link(LinkError::OtherOrigin) => {
                "Refused to open the Kombo Connect link: it is not on the flowOrigin this page allows. Check the link your back-end returns, or the flowOrigin option."
            }
            Error::NoDocument => {
                "showKomboConnect needs a page with a <body>: call it once the page has loaded."
            }
            Error::Dom => "The browser refused to add the Kombo Connect iframe to the page.",
            Error::InvalidCategory => {
                "connect() needs a category: 'HRIS', 'ATS', 'ASSESSMENT' or 'LMS'."
            }
            Error::InvalidIntegrationId => {
                "reconnect() needs the id of the integration to reconnect, as your back-end stored it from activation."
            }
            Error::InvalidOption(_) => "Invalid Kombo Connect option: ",
            Error::Aborted { .. } => "The Kombo Connect flow was aborted.",
            Error::Request { .. } | Error::Load { .. } | Error::Thrown(_) | Error::Internal => "",
        }
    }

    /// The `onEvent` type that reports this error: `abort` for the caller's
    /// signal, `cancel` for the user (or the page) closing the flow, `error`
    /// for everything else, including a link refused before the flow opened.
    pub fn event(&self) -> &'static str {
        match self {
            Error::Aborted { .. } => "abort",
            Error::UserCancelled | Error::Removed => "cancel",
            _ => "error",
        }
    }

    /// Attaches the activation token of a finished flow, so an activation
    /// that fails or is aborted does not lose it.
    pub fn with_token(self, token: &str) -> Error {
        match self {
            Error::Request {
                stage,
                status,
                message,
                ..
            } => Error::Request {
                stage,
                status,
                message,
                token: Some(token.into()),
            },
            Error::Aborted { reason, .. } => Error::Aborted {
                reason,
                token: Some(token.into()),
            },
            other => other,
        }
    }
}

impl From<Error> for JsValue {
    fn from(error: Error) -> JsValue {
        let message = error.fixed_message();
        match error {
            Error::AlreadyOpen => KomboConnectAlreadyOpenError::new(message).into(),
            Error::UserCancelled | Error::Removed => {
                KomboConnectCancelledError::new(message).into()
            }
            // Same class as the reference's `new URL(...)` failure, so existing
            // `catch` blocks that look for a TypeError keep working.
            Error::Link(_)
            | Error::ContainerNotElement
            | Error::InvalidCategory
            | Error::InvalidIntegrationId => js_sys::TypeError::new(message).into(),
            Error::InvalidOption(name) => {
                let mut text = String::from(message);
                text.push_str(name);
                js_sys::TypeError::new(&text).into()
            }
            Error::Internal => internal_error(),
            Error::ContainerDetached | Error::NoDocument | Error::Dom => {
                js_sys::Error::new(message).into()
            }
            Error::Aborted { reason, token } => {
                // What fetch() rejects with: the signal's reason, or an
                // `AbortError` where the browser has none.
                let error: JsValue = match reason.is_undefined() {
                    false => reason,
                    true => web_sys::DomException::new_with_message_and_name(message, "AbortError")
                        .map(Into::into)
                        .unwrap_or_else(|_| js_sys::Error::new(message).into()),
                };
                // On an object the caller can still find the token of a flow
                // the user finished; a frozen reason or a primitive keeps it.
                if let Some(token) = token.filter(|_| error.is_object()) {
                    let _ = js_sys::Reflect::set(&error, &"activationToken".into(), &token.into());
                }
                error
            }
            Error::Thrown(error) => error,
            Error::Load { reason, message } => KomboConnectLoadError::new(&message, reason).into(),
            Error::Request {
                stage,
                status,
                message,
                token,
            } => KomboConnectRequestError::new(&message, stage.as_str(), status, token).into(),
        }
    }
}
