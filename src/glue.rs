//! `connect()`: the whole embedded flow against the customer's own back-end.
//!
//! Kombo's guide has every customer hand-write the same three steps: ask
//! their back-end for a link, show the flow, send the activation token back.
//! Its own snippet gets two of them wrong (GET instead of POST for init, no
//! `Content-Type: application/json` on activate, so `express.json()` sees
//! no token). This module does the three steps once, correctly: both
//! requests are JSON POSTs with the caller's headers and credentials, each
//! has a time-out, an `AbortSignal` stops whichever step is running, and a
//! second call is refused from the first request on, because the whole run
//! holds the flow's [`Lock`].
//!
//! Options are read with `Reflect` rather than serde: deserializing JS
//! objects through serde costs ~19 KB gzip, more than this whole crate.

use alloc::rc::Rc;
use alloc::string::String;
use core::cell::Cell;

use js_sys::{Object, Reflect, JSON};
use wasm_bindgen::prelude::*;
use web_sys::{AbortController, AbortSignal, Headers, RequestCredentials, RequestInit, Response};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = globalThis)]
    fn fetch(url: &str, init: &RequestInit) -> js_sys::Promise;
}

use crate::error::Error;
use crate::flow::{self, Cover, Lock};
use crate::js;
use crate::listener::Listener;
use crate::protocol::{describe_failure, Category, Failure, Stage};
use crate::task::Await;
use crate::timer::Timeout;

/// The routes Kombo's guide asks customers to add to their back-end.
const DEFAULT_INIT_URL: &str = "/integrations/kombo/init";
const DEFAULT_ACTIVATE_URL: &str = "/integrations/kombo/activate";
/// Per request; long enough for a back-end that calls Kombo in turn.
const DEFAULT_TIMEOUT_MS: u32 = 30_000;

/// `ConnectOptions`, read and checked before any request is sent.
pub struct Options {
    init_url: String,
    /// `None` when the caller passed `activateUrl: false` (webhook users).
    activate_url: Option<String>,
    init_body: JsValue,
    headers: JsValue,
    credentials: RequestCredentials,
    timeout_ms: u32,
    /// What the flow itself takes: container, signal, onEvent, loading,
    /// loadTimeoutMs.
    flow: flow::Options,
}

impl Options {
    /// Reads a JS `ConnectOptions` object (or `undefined`), refusing wrong
    /// types with a `TypeError` that names the option.
    pub fn read(options: &JsValue) -> Result<Options, Error> {
        let get = |name: &str| js::field(options, name).unwrap_or(JsValue::UNDEFINED);
        let init_url = match get("initUrl") {
            v if v.is_undefined() => DEFAULT_INIT_URL.into(),
            v => v.as_string().ok_or(Error::InvalidOption("initUrl"))?,
        };
        let activate_url = match get("activateUrl") {
            v if v.is_undefined() => Some(DEFAULT_ACTIVATE_URL.into()),
            v if v == JsValue::FALSE => None,
            v => Some(v.as_string().ok_or(Error::InvalidOption("activateUrl"))?),
        };
        let init_body = get("initBody");
        if !(init_body.is_undefined() || init_body.is_null() || init_body.is_object())
            || js_sys::Array::is_array(&init_body)
        {
            return Err(Error::InvalidOption("initBody"));
        }
        let headers = get("headers");
        if !(headers.is_undefined() || headers.is_object()) {
            return Err(Error::InvalidOption("headers"));
        }
        let credentials = match get("credentials") {
            v if v.is_undefined() => RequestCredentials::SameOrigin,
            v => {
                RequestCredentials::from_js_value(&v).ok_or(Error::InvalidOption("credentials"))?
            }
        };
        Ok(Options {
            init_url,
            activate_url,
            init_body,
            headers,
            credentials,
            timeout_ms: js::millis(get("timeoutMs"), DEFAULT_TIMEOUT_MS, "timeoutMs")?,
            flow: flow::Options::read(options)?,
        })
    }

    fn aborted(&self) -> bool {
        self.flow.signal.as_ref().is_some_and(AbortSignal::aborted)
    }

    /// Why a run whose own signal fired stopped: the caller aborted, or
    /// else the user closed the loading overlay.
    fn stopped(&self) -> Error {
        if self.aborted() {
            Error::Aborted(None)
        } else {
            Error::UserCancelled
        }
    }
}

/// What `connect()` resolves with.
pub struct Connected {
    /// The token the flow produced.
    pub activation_token: String,
    /// The parsed activate response; `null` for an empty body or no activation.
    pub activation: JsValue,
}

/// Runs init, the flow and activation, holding the lock throughout.
///
/// The loading overlay goes up at once, so the user sees the flow coming
/// while the init request runs, and can close it. The run has its own
/// `AbortController`, aborted by the caller's signal or by that close
/// button, and each request follows it.
pub async fn connect(category: Category, options: Options) -> Result<Connected, Error> {
    let lock = flow::lock()?;
    if options.aborted() {
        return Err(Error::Aborted(None));
    }
    let run = AbortController::new().map_err(|_| Error::Dom)?;
    let _follow = options.flow.signal.as_ref().map(|signal| {
        let run = run.clone();
        Listener::new(signal, "abort", move |_| run.abort())
    });
    let mut cover = flow::Cover::new(options.flow.container.clone(), options.flow.loading)?;
    cover.on_close({
        let run = run.clone();
        Rc::new(move || run.abort())
    });
    let run = run.signal();
    let body = Object::new();
    let _ = Reflect::set(
        &body,
        &"integration_category".into(),
        &category.as_str().into(),
    );
    if options.init_body.is_object() {
        Object::assign(&body, options.init_body.unchecked_ref());
    }
    let body = json(&body).ok_or(Error::InvalidOption("initBody"))?;
    options.flow.events.emit("init-start");
    let init = post(&options, &run, Stage::Init, &options.init_url, &body)
        .await
        .map_err(|e| failed(&options, e))?;
    options.flow.events.emit("init-done");
    let link = find_link(&init).ok_or_else(|| {
        let message = describe_failure(&options.init_url, &Failure::MissingLink);
        failed(
            &options,
            Error::Request {
                stage: Stage::Init,
                status: None,
                message,
                token: None,
            },
        )
    })?;
    if run.aborted() {
        return Err(failed(&options, options.stopped()));
    }

    let activation_token = show(&lock, &link, &options, cover).await?;

    let activation = match &options.activate_url {
        None => JsValue::NULL,
        Some(url) => {
            let body = Object::new();
            let _ = Reflect::set(&body, &"token".into(), &activation_token.as_str().into());
            let body = json(&body).unwrap_or_default();
            options.flow.events.emit("activate-start");
            let activation = post(&options, &run, Stage::Activate, url, &body)
                .await
                .map_err(|e| failed(&options, e.with_token(&activation_token)))?;
            options.flow.events.emit("activate-done");
            activation
        }
    };
    Ok(Connected {
        activation_token,
        activation,
    })
}

/// Reports a failed request as an `error`, `abort` or `cancel` event and
/// passes it on.
fn failed(options: &Options, error: Error) -> Error {
    options.flow.events.emit(match error {
        Error::Aborted(_) => "abort",
        Error::UserCancelled => "cancel",
        _ => "error",
    });
    error
}

/// Shows the flow in the cover put up at the start; aborting the caller's
/// signal closes it.
async fn show(lock: &Lock, link: &str, options: &Options, cover: Cover) -> Result<String, Error> {
    let flow_options = flow::Options {
        container: None,
        signal: options.flow.signal.clone(),
        events: options.flow.events.clone(),
        loading: options.flow.loading,
        load_timeout_ms: options.flow.load_timeout_ms,
        cover: Some(cover),
    };
    let promise = flow::open_locked(lock, link, flow_options)?;
    match Await::from(promise).await {
        Ok(token) => token.as_string().ok_or(Error::Dom),
        // Already the JS error the flow settled with (cancel, removal, abort).
        Err(error) => Err(Error::Js(error)),
    }
}

/// One JSON POST with the caller's headers and credentials, a time-out and
/// the run's signal. Resolves with the parsed body (`null` when empty).
async fn post(
    options: &Options,
    run: &AbortSignal,
    stage: Stage,
    url: &str,
    body: &str,
) -> Result<JsValue, Error> {
    let fail = |failure: Failure| Error::Request {
        stage,
        status: match failure {
            Failure::Status(status, _) => Some(status),
            _ => None,
        },
        message: describe_failure(url, &failure),
        token: None,
    };
    let headers = if options.headers.is_undefined() {
        Headers::new()
    } else {
        Headers::new_with_str_sequence_sequence(&options.headers)
    }
    .map_err(|_| Error::InvalidOption("headers"))?;
    let _ = headers.set("Content-Type", "application/json");
    let _ = headers.set("Accept", "application/json");

    // One controller per request, aborted by the time-out or by the run;
    // both are guards, so they stop when this function returns.
    let controller = AbortController::new().map_err(|_| Error::Dom)?;
    let timed_out = Rc::new(Cell::new(false));
    let _timeout = (options.timeout_ms > 0).then(|| {
        let (controller, timed_out) = (controller.clone(), timed_out.clone());
        Timeout::new(options.timeout_ms, move || {
            timed_out.set(true);
            controller.abort();
        })
    });
    let _on_abort = {
        let controller = controller.clone();
        Listener::new(run, "abort", move |_| controller.abort())
    };
    let why_not = || {
        if run.aborted() {
            options.stopped()
        } else if timed_out.get() {
            fail(Failure::TimedOut(options.timeout_ms))
        } else {
            fail(Failure::Network)
        }
    };

    let init = RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(body));
    init.set_credentials(options.credentials);
    init.set_signal(Some(&controller.signal()));
    let response: Response = Await::from(fetch(url, &init))
        .await
        .map_err(|_| why_not())?
        .unchecked_into();
    let text = match response.text() {
        Ok(p) => Await::from(p)
            .await
            .map_err(|_| why_not())?
            .as_string()
            .unwrap_or_default(),
        Err(_) => return Err(why_not()),
    };
    if !response.ok() {
        return Err(fail(Failure::Status(response.status(), &text)));
    }
    if text.trim_ascii().is_empty() {
        return Ok(JsValue::NULL);
    }
    JSON::parse(&text).map_err(|_| fail(Failure::InvalidJson(&text)))
}

/// `{"link": ...}`, or Kombo's own `{"data": {"link": ...}}` passed through.
fn find_link(body: &JsValue) -> Option<String> {
    use crate::js::field;
    field(body, "link").and_then(|l| l.as_string()).or_else(|| {
        field(body, "data")
            .and_then(|d| field(&d, "link"))
            .and_then(|l| l.as_string())
    })
}

fn json(value: &JsValue) -> Option<String> {
    JSON::stringify(value).ok().and_then(|s| s.as_string())
}
