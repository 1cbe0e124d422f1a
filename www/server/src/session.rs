//! Who is signed in: a minimal sign-in with a few organizations, so the
//! demo shows what every customer route needs (a session, and every query
//! scoped to its organization) without a login form in the way.
//!
//! A visitor without a session is signed in as the first organization when
//! a page loads (a newcomer clicks Connect at once); the page can switch to
//! another one. The session id is a random cookie, `HttpOnly` (scripts
//! never see it) and `SameSite=Lax` (other sites' requests do not carry
//! it); behind HTTPS a real app adds `Secure`.

use std::time::Duration;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequestParts, Request, State as AxumState};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::backend::{db_failed, State};
use crate::error::ApiError;

/// A customer of the app, as it sends itself to Kombo.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Organization {
    /// Sent as `end_user_origin_id`: the app's id for the customer.
    pub id: &'static str,
    /// Sent as `end_user_organization_name`.
    pub name: &'static str,
    /// Sent as `end_user_email`: the signed-in user.
    pub email: &'static str,
}

/// The demo's organizations; a visitor starts signed in as the first.
pub const ORGANIZATIONS: [Organization; 3] = [
    Organization {
        id: "acme-1",
        name: "Acme, Inc.",
        email: "alex@acme.example",
    },
    Organization {
        id: "globex-1",
        name: "Globex Corporation",
        email: "hank@globex.example",
    },
    Organization {
        id: "initech-1",
        name: "Initech",
        email: "peter@initech.example",
    },
];

/// The organization with this id.
pub fn organization(id: &str) -> Option<&'static Organization> {
    ORGANIZATIONS.iter().find(|o| o.id == id)
}

/// The cookie's name.
pub const COOKIE: &str = "demo_session";

/// How long a session lasts.
pub const MAX_AGE: Duration = Duration::from_secs(30 * 24 * 3600);

/// The signed-in organization: a route that takes it answers 401 to a
/// request without a valid session.
pub struct SignedIn(pub &'static Organization);

impl FromRequestParts<State> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &State) -> Result<SignedIn, ApiError> {
        match signed_in(&parts.headers, state).await? {
            Some(organization) => Ok(SignedIn(organization)),
            None => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Not signed in: open the demo page, which signs you in.",
            )),
        }
    }
}

async fn signed_in(
    headers: &HeaderMap,
    state: &State,
) -> Result<Option<&'static Organization>, ApiError> {
    let Some(id) = cookie(headers, COOKIE) else {
        return Ok(None);
    };
    let organization_id = state.db.session(id, MAX_AGE).await.map_err(db_failed)?;
    Ok(organization_id.as_deref().and_then(organization))
}

/// The value of cookie `name` in the request's `Cookie` headers.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

fn set_cookie(id: &str) -> HeaderValue {
    let cookie = format!(
        "{COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}",
        MAX_AGE.as_secs()
    );
    // Hex ids only: always a valid header value.
    HeaderValue::from_str(&cookie).unwrap_or(HeaderValue::from_static(""))
}

/// A new session for the organization, as the `Set-Cookie` that starts it.
async fn start(state: &State, organization: &Organization) -> Result<HeaderValue, ApiError> {
    let id = state
        .db
        .create_session(organization.id, MAX_AGE)
        .await
        .map_err(db_failed)?;
    Ok(set_cookie(&id))
}

/// Middleware for the pages: a visitor without a valid session is signed
/// in as the first organization.
pub async fn sign_in_visitors(
    AxumState(state): AxumState<State>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let page = request.method() == Method::GET && (path.ends_with('/') || path.ends_with(".html"));
    if !page {
        return next.run(request).await;
    }
    let cookie = match signed_in(request.headers(), &state).await {
        Ok(Some(_)) => None,
        Ok(None) => start(&state, &ORGANIZATIONS[0]).await.ok(),
        // The page still loads; its first call says what is wrong.
        Err(_) => None,
    };
    let mut response = next.run(request).await;
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

fn describe(organization: &Organization) -> Value {
    json!({ "organization": organization, "organizations": ORGANIZATIONS })
}

/// `GET /session`: who is signed in, and who else one can be.
pub async fn current(SignedIn(organization): SignedIn) -> Json<Value> {
    Json(describe(organization))
}

#[derive(Deserialize)]
pub struct SwitchBody {
    organization_id: String,
}

/// `POST /session` `{organization_id}`: signs in as that organization, in
/// a new session (a session id never changes whom it stands for).
pub async fn switch(
    AxumState(state): AxumState<State>,
    body: Result<Json<SwitchBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(body) = body?;
    let Some(organization) = organization(&body.organization_id) else {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            "organization_id: no such organization",
        ));
    };
    let cookie = start(&state, organization).await?;
    Ok(([(header::SET_COOKIE, cookie)], Json(describe(organization))).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_found_among_others_and_across_headers() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("a=1; b=2"));
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("demo_session=abc; c=3"),
        );
        assert_eq!(cookie(&headers, COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, "b"), Some("2"));
        assert_eq!(cookie(&headers, "demo"), None);
    }

    #[test]
    fn the_session_cookie_is_http_only_and_same_site() {
        let value = set_cookie("abc");
        let value = value.to_str().unwrap();
        assert!(value.starts_with("demo_session=abc;"));
        assert!(value.contains("HttpOnly") && value.contains("SameSite=Lax"));
    }
}
