//! Activation that is safe to retry, the one route where a lost answer
//! would lose an integration: it exists at Kombo, and the app must store it.
//!
//! - Recorded before Kombo is asked: the token is stored as pending first;
//!   when the database refuses (locked, full), nothing has happened yet
//!   and the answer is 503 with `Retry-After`.
//! - One at a time per token: concurrent duplicates (a double submit, a
//!   retry racing the first try) share one run and all get its answer.
//! - Not cancelled by the client: the run is its own task, so a closed
//!   tab or a client time-out cannot stop it between Kombo and the store.
//! - Finished later when it cannot finish now: Kombo's answer is kept
//!   until stored, and [`finish_pending`] (at start-up and every few
//!   seconds) completes what a locked database, an unreachable Kombo or a
//!   crash left pending, without asking Kombo twice for the same answer.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use axum::http::StatusCode;
use futures_util::future::{BoxFuture, FutureExt, Shared};

use crate::backend::{db_failed, kombo_failed, State};
use crate::db::{Activation, Integration};
use crate::error::ApiError;
use crate::kombo::KomboError;
use crate::session::{organization, Organization};

/// 201 for a new integration, 200 for one stored before; or the error.
pub type Outcome = Result<(StatusCode, Integration), ApiError>;

type Key = (String, &'static str);

/// Activations in progress, and Kombo's answers not stored yet.
#[derive(Default)]
pub struct Activations {
    running: Mutex<HashMap<Key, Shared<BoxFuture<'static, Outcome>>>>,
    answers: Mutex<HashMap<String, Integration>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Activates `token` for the organization, joining the run already going
/// for it if there is one.
pub async fn activate(state: &State, token: &str, organization: &'static Organization) -> Outcome {
    let key: Key = (token.to_owned(), organization.id);
    let run = lock(&state.activations.running)
        .entry(key.clone())
        .or_insert_with(|| {
            let state = state.clone();
            let task = tokio::spawn(async move {
                // Leaves the map however the run ends, a panic included.
                let _done = Done(&state, &key);
                activate_once(&state, &key.0, organization).await
            });
            async move {
                task.await.unwrap_or_else(|e| {
                    eprintln!("activation: {e}");
                    Err(ApiError::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "internal_error",
                        "The activation failed; try again.",
                    ))
                })
            }
            .boxed()
            .shared()
        })
        .clone();
    run.await
}

struct Done<'a>(&'a State, &'a Key);

impl Drop for Done<'_> {
    fn drop(&mut self) {
        lock(&self.0.activations.running).remove(self.1);
    }
}

async fn activate_once(state: &State, token: &str, organization: &Organization) -> Outcome {
    if let Some(Activation::Done(stored)) = state.db.activation(token).await.map_err(db_failed)? {
        return match owned_by(&stored, organization) {
            true => Ok((StatusCode::OK, stored)),
            false => Err(not_yours()),
        };
    }
    state
        .db
        .begin_activation(token, organization.id)
        .await
        .map_err(db_failed)?;
    let cached = lock(&state.activations.answers).get(token).cloned();
    let mut integration = match cached {
        Some(integration) => integration,
        None => match state.kombo.integration_by_token(token).await {
            Ok(integration) => integration,
            Err(e) => {
                // A token Kombo refuses will never activate: nothing to finish.
                if let KomboError::Api {
                    status: 400 | 404 | 410,
                    ..
                } = e
                {
                    let _ = state.db.abandon_activation(token).await;
                }
                return Err(kombo_failed(e));
            }
        },
    };
    // The token proves a flow finished, not whose: a token from another
    // customer's flow must not attach their integration to this one.
    if !owned_by(&integration, organization) {
        let _ = state.db.abandon_activation(token).await;
        return Err(not_yours());
    }
    if integration.category.is_none() {
        integration.category = state.kombo.category(&integration.id).await.ok();
    }
    lock(&state.activations.answers).insert(token.to_owned(), integration.clone());
    let reconnected = state
        .db
        .get(organization.id, &integration.id)
        .await
        .map_err(db_failed)?
        .is_some();
    let stored = state
        .db
        .store(token, &integration)
        .await
        .map_err(db_failed)?;
    lock(&state.activations.answers).remove(token);
    let status = match reconnected {
        true => StatusCode::OK,
        false => StatusCode::CREATED,
    };
    Ok((status, stored))
}

fn owned_by(integration: &Integration, organization: &Organization) -> bool {
    integration.end_user_origin_id.as_deref() == Some(organization.id)
}

fn not_yours() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "wrong_organization",
        "This activation token belongs to another organization's integration.",
    )
}

/// How long a pending activation is retried: a day of Kombo or the
/// database failing is an outage to look into, not one to retry forever.
pub const GIVE_UP_AFTER: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Finishes the activations left pending, or logs why each cannot be yet.
pub async fn finish_pending(state: &State) {
    let pending = match state.db.pending(GIVE_UP_AFTER).await {
        Ok((pending, 0)) => pending,
        Ok((pending, given_up)) => {
            eprintln!(
                "activation: gave up {given_up} token(s) pending for over {} h: their integrations may exist at Kombo and not here",
                GIVE_UP_AFTER.as_secs() / 3600
            );
            pending
        }
        Err(e) => {
            eprintln!("activation: cannot read pending tokens: {e}");
            return;
        }
    };
    for (token, organization_id) in pending {
        let Some(organization) = organization(&organization_id) else {
            let _ = state.db.abandon_activation(&token).await;
            continue;
        };
        if let Err(e) = activate(state, &token, organization).await {
            eprintln!(
                "activation: a pending token is still not stored: {}",
                e.message
            );
        }
    }
}
