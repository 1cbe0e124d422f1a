//! `connect()` and `reconnect()`: the whole embedded flow against the
//! customer's own back-end.
//!
//! Kombo's guide has every customer hand-write the same three steps: ask
//! their back-end for a link, show the flow, send the activation token back.
//! Reconnecting an integration whose credentials expired is the same three
//! steps with another first request (Kombo's relink endpoint behind it).
//! Its own snippet gets two of them wrong (GET instead of POST for init, no
//! `Content-Type: application/json` on activate, so `express.json()` sees
//! no token). This module does the three steps once, correctly: both
//! requests are JSON POSTs with the caller's headers and credentials, each
//! has a time-out, an `AbortSignal` stops whichever step is running, and a
//! second call is refused from the first request on, because the whole run
//! holds the flow's [`Lock`].
//!
//! Options are read with `Reflect` rather than serde, and requests go
//! through `fetch` directly rather than gloo-net: both cost more than they
//! do here (the README's dependency table has the figures).

use std::cell::Cell;
use std::rc::Rc;

use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use js_sys::{Object, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, Headers, RequestCredentials, RequestInit, Response};

#[wasm_bindgen]
extern "C" {
    /// `fetch` as the page has it: a page (or its monitoring script) may
    /// have wrapped it, so it is `catch`, like every import that runs page code.
    #[wasm_bindgen(catch, js_namespace = globalThis)]
    fn fetch(url: &str, init: &RequestInit) -> Result<js_sys::Promise, JsValue>;
}

use crate::cover::Cover;
use crate::error::Error;
use crate::flow::{self, Link};
use crate::js;
use crate::preconnect::Preconnect;
use crate::protocol::{self, describe_failure, Category, Failure, Stage};

/// The routes Kombo's guide asks customers to add to their back-end, and
/// the one for reconnecting.
const DEFAULT_INIT_URL: &str = "/integrations/kombo/init";
const DEFAULT_RELINK_URL: &str = "/integrations/kombo/relink";
const DEFAULT_ACTIVATE_URL: &str = "/integrations/kombo/activate";
/// Where Kombo serves its flow (EU and US alike); `flowOrigin` changes it.
const DEFAULT_FLOW_ORIGIN: &str = "https://connect.kombo.dev";
/// Per request; long enough for a back-end that calls Kombo in turn.
const DEFAULT_TIMEOUT_MS: u32 = 30_000;

/// What the first request asks the back-end for.
pub(crate) enum Start {
    /// A link for a new integration of this category (`connect()`).
    Connect(Category),
    /// A link to reconnect this integration (`reconnect()`).
    Reconnect(String),
}

/// `ConnectOptions`, read and checked before any request is sent.
pub(crate) struct Options {
    /// `initUrl` for `connect()`, `relinkUrl` for `reconnect()`.
    init_url: String,
    /// `None` when the caller passed `activateUrl: false` (webhook users).
    activate_url: Option<String>,
    init_body: JsValue,
    headers: JsValue,
    credentials: RequestCredentials,
    timeout_ms: u32,
    /// `flowOrigin`, as the URL API serialises it: links from elsewhere are
    /// refused. `None` when the caller did not pin one.
    flow_origin: Option<String>,
    /// What the flow itself takes: container, signal, onEvent, loading,
    /// loadTimeoutMs.
    flow: flow::Options,
}

impl Options {
    /// Reads a JS `ConnectOptions` object (or `undefined`) for `start`,
    /// refusing wrong types with a `TypeError` that names the option.
    pub(crate) fn read(start: &Start, options: &JsValue) -> Result<Options, Error> {
        let get = |name: &str| js::option(options, name);
        let (name, default) = match start {
            Start::Connect(_) => ("initUrl", DEFAULT_INIT_URL),
            Start::Reconnect(_) => ("relinkUrl", DEFAULT_RELINK_URL),
        };
        let init_url = match get(name)? {
            v if v.is_undefined() => default.into(),
            v => v.as_string().ok_or(Error::InvalidOption(name))?,
        };
        let flow_origin = match get("flowOrigin")? {
            v if v.is_undefined() => None,
            v => Some(
                v.as_string()
                    .and_then(|origin| js::url(&origin))
                    .map(|url| url.origin())
                    .filter(|origin| origin != "null")
                    .ok_or(Error::InvalidOption("flowOrigin"))?,
            ),
        };
        let mut flow = flow::Options::read(options)?;
        // A reconnection may end without a token: the integration exists.
        flow.token_optional = matches!(start, Start::Reconnect(_));
        let activate_url = match get("activateUrl")? {
            v if v.is_undefined() => Some(DEFAULT_ACTIVATE_URL.into()),
            v if v == JsValue::FALSE => None,
            v => Some(v.as_string().ok_or(Error::InvalidOption("activateUrl"))?),
        };
        let init_body = get("initBody")?;
        if !js::is_plain_object_or_nothing(&init_body) {
            return Err(Error::InvalidOption("initBody"));
        }
        let headers = get("headers")?;
        if !(headers.is_undefined() || headers.is_object()) {
            return Err(Error::InvalidOption("headers"));
        }
        let credentials = match get("credentials")? {
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
            timeout_ms: js::millis(get("timeoutMs")?, DEFAULT_TIMEOUT_MS, "timeoutMs")?,
            flow_origin,
            flow,
        })
    }

    /// Why a run whose own signal fired stopped: the caller aborted, or
    /// else the user closed the loading overlay.
    fn stopped(&self) -> Error {
        self.flow.abort_error().unwrap_or(Error::UserCancelled)
    }
}

/// What `connect()` and `reconnect()` resolve with.
pub(crate) struct Connected {
    /// The token the flow produced; `None` for a reconnection that ended
    /// without one.
    pub(crate) activation_token: Option<String>,
    /// The parsed activate response; `null` for an empty body or no activation.
    pub(crate) activation: JsValue,
}

/// Runs init (or relink), the flow and activation, holding the lock
/// throughout.
///
/// The loading overlay goes up at once, so the user sees the flow coming
/// while the init request runs, and can close it; the browser connects to
/// the flow's origin meanwhile. The run has its own `AbortController`,
/// aborted by the caller's signal or by that close button, and each
/// request follows it. Every failure is reported as one lifecycle event
/// here, except the flow's own, which the flow reports.
///
/// Activation is skipped when `activateUrl` is `false`, when the init
/// response says `"activate": false`, and when a reconnection's flow ended
/// without a token.
pub(crate) async fn connect(start: Start, options: Options) -> Result<Connected, Error> {
    let lock = flow::lock()?;
    if let Some(aborted) = options.flow.abort_error() {
        return Err(aborted);
    }
    let run = AbortController::new().map_err(|_| Error::Dom)?;
    let _follow = options.flow.signal.as_ref().map(|signal| {
        let run = run.clone();
        EventListener::new(signal, "abort", move |_| run.abort())
    });
    let cover = Cover::new(options.flow.container.clone(), options.flow.loading)?;
    let preconnect = Preconnect::new(
        &cover.document,
        options
            .flow_origin
            .as_deref()
            .unwrap_or(DEFAULT_FLOW_ORIGIN),
    );
    let waiting = flow::wait(&lock, cover, run.clone());
    let run = run.signal();
    let (link, activate) = init(&start, &options, &run)
        .await
        .map_err(reported(&options))?;

    let flow =
        flow::open_waiting(waiting, &link, options.flow.clone()).map_err(reported(&options))?;
    // The iframe's request is under way: it has the connection, or its own.
    drop(preconnect);
    let activation_token = flow.await?;

    let activation = match (&options.activate_url, &activation_token) {
        (Some(url), Some(activation_token)) if activate => {
            let body = Object::new();
            let _ = Reflect::set(&body, &"token".into(), &activation_token.as_str().into());
            let body = json(&body).unwrap_or_default();
            options.flow.events.emit("activate-start");
            let activation = post(&options, &run, Stage::Activate, url, &body)
                .await
                .map_err(|e| reported(&options)(e.with_token(activation_token)))?;
            options.flow.events.emit("activate-done");
            activation
        }
        _ => JsValue::NULL,
    };
    drop(lock);
    Ok(Connected {
        activation_token,
        activation,
    })
}

/// The init (or relink) request: the link to show, checked before the flow
/// opens, and whether the back-end wants the token activated.
async fn init(start: &Start, options: &Options, run: &AbortSignal) -> Result<(Link, bool), Error> {
    let body = Object::new();
    let (key, value) = match start {
        Start::Connect(category) => ("integration_category", category.as_str()),
        Start::Reconnect(id) => ("integration_id", id.as_str()),
    };
    let _ = Reflect::set(&body, &key.into(), &value.into());
    if options.init_body.is_object() {
        js::assign(&body, &options.init_body)?;
    }
    let body = json(&body).ok_or(Error::InvalidOption("initBody"))?;
    options.flow.events.emit("init-start");
    let init = post(options, run, Stage::Init, &options.init_url, &body).await?;
    options.flow.events.emit("init-done");
    let link = find_link(&init).ok_or_else(|| Error::Request {
        stage: Stage::Init,
        status: None,
        message: describe_failure(&options.init_url, &Failure::MissingLink),
        token: None,
    })?;
    if run.aborted() {
        return Err(options.stopped());
    }
    let link = Link::parse(&link)?;
    protocol::check_flow_origin(&link.origin, options.flow_origin.as_deref())
        .map_err(Error::Link)?;
    let activate = js::field(&init, "activate") != Some(JsValue::FALSE);
    Ok((link, activate))
}

/// Reports an error of the run (not of the flow) as its lifecycle event.
fn reported(options: &Options) -> impl Fn(Error) -> Error + '_ {
    move |error| {
        options.flow.events.emit(error.event());
        error
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
        EventListener::new(run, "abort", move |_| controller.abort())
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
    let response = fetch(url, &init).map_err(|_| why_not())?;
    let response: Response = JsFuture::from(response)
        .await
        .map_err(|_| why_not())?
        .unchecked_into();
    let text = match response.text() {
        Ok(p) => JsFuture::from(p)
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
    js::json(&text).ok_or_else(|| fail(Failure::InvalidJson(&text)))
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
