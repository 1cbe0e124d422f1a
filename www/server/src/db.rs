//! The demo's storage: sessions, and the integrations each organization
//! connected, in one SQLite file, so they survive a restart like in a real
//! app.
//!
//! SQLite calls block, so they run on a pool of connections made for it
//! (deadpool-sqlite: each call on tokio's blocking threads), never on the
//! async workers: a write waiting for a lock held by another process stalls
//! that one request, not every route. The file is in WAL mode, so reads go
//! on while one write waits, and a write waits at most the busy time-out
//! before it fails with [`DbError::Busy`], which the routes answer with 503
//! and `Retry-After`.
//!
//! Activation is made safe to retry here: a token is recorded as pending
//! (with the organization that sent it) before Kombo is asked, and the
//! integration it produced is stored with it in one transaction. A retry
//! finds the stored row; a pending token left by a failure or a crash is
//! finished later ([`Db::pending`]).

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use deadpool_sqlite::rusqlite::{self, params, Connection, ErrorCode, OptionalExtension, Row};
use deadpool_sqlite::{Hook, HookError, Pool, Runtime};
use serde::{Deserialize, Serialize};

use crate::error::StartError;

/// An integration as Kombo describes it, plus when we stored it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Integration {
    /// Kombo's id, e.g. `personio:CBNMt7dSNCzBdnRTx87dev4E`.
    pub id: String,
    /// e.g. `personio`.
    pub tool: String,
    /// Our id for the customer's organisation.
    pub end_user_origin_id: Option<String>,
    /// The customer's organisation name.
    pub end_user_organization_name: Option<String>,
    /// The customer's email.
    pub end_user_email: Option<String>,
    /// e.g. `COMPLETED`.
    pub setup_status: Option<String>,
    /// `HRIS`, `ATS`, …: from Kombo's integration details, so a second
    /// flow for a category already connected can be refused.
    #[serde(default)]
    pub category: Option<String>,
    /// Seconds since the epoch, set by us.
    #[serde(default)]
    pub connected_at: i64,
}

/// Why a database call failed.
#[derive(Debug)]
pub enum DbError {
    /// Another connection or process held the lock for longer than the
    /// busy time-out: worth retrying in a moment.
    Busy,
    /// Anything else (disk full, corrupt file, …).
    Failed(String),
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbError::Busy => write!(f, "the database is locked"),
            DbError::Failed(e) => write!(f, "{e}"),
        }
    }
}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> DbError {
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => DbError::Busy,
            _ => DbError::Failed(e.to_string()),
        }
    }
}

/// What an activation token stands for here.
#[derive(Debug, PartialEq, Eq)]
pub enum Activation {
    /// Recorded before Kombo was asked, not stored yet.
    Pending {
        /// The organization that sent the token.
        organization_id: String,
    },
    /// Stored: the integration it produced (or reconnected).
    Done(Integration),
}

/// One page of an organization's integrations.
#[derive(Debug, Serialize)]
pub struct Page {
    /// Oldest first.
    pub integrations: Vec<Integration>,
    /// Pass as `after` for the next page; `None` on the last one.
    pub next: Option<String>,
}

/// The database handle, cheap to clone into handlers.
#[derive(Clone)]
pub struct Db(Pool);

/// How many connections: a few readers next to the one writer SQLite allows.
const CONNECTIONS: usize = 4;

const SCHEMA_VERSION: i64 = 2;

impl Db {
    /// Opens `dir/demo.sqlite3`, creating the directory and tables on
    /// first run and migrating files of earlier versions of the demo.
    /// A write waits up to `busy_timeout` for a lock before it gives up.
    pub fn open(dir: &Path, busy_timeout: Duration) -> Result<Db, StartError> {
        std::fs::create_dir_all(dir).map_err(|e| StartError::DataDir(dir.into(), e))?;
        let path = dir.join("demo.sqlite3");
        let mut conn = Connection::open(&path)?;
        configure(&conn, busy_timeout)?;
        // WAL is a property of the file: set once, kept by every connection.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        migrate(&mut conn)?;
        let builder = match deadpool_sqlite::Config::new(path).builder(Runtime::Tokio1) {
            Ok(builder) => builder,
            Err(never) => match never {},
        };
        let pool = builder
            .max_size(CONNECTIONS)
            .post_create(Hook::sync_fn(move |conn, _| {
                let conn = conn
                    .lock()
                    .map_err(|_| HookError::message("connection lock poisoned"))?;
                configure(&conn, busy_timeout).map_err(HookError::Backend)
            }))
            .build()
            .map_err(|e| StartError::Db(e.to_string()))?;
        Ok(Db(pool))
    }

    /// Runs `f` on a pooled connection, on a blocking thread.
    async fn run<T, F>(&self, f: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let conn = self
            .0
            .get()
            .await
            .map_err(|e| DbError::Failed(e.to_string()))?;
        conn.interact(f)
            .await
            .map_err(|e| DbError::Failed(e.to_string()))?
            .map_err(DbError::from)
    }

    /// A page of the organization's integrations, oldest first, after the
    /// cursor `after` (from the previous page's `next`).
    pub async fn list(
        &self,
        organization_id: &str,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Page, DbError> {
        let (at, rowid) = after.and_then(parse_cursor).unwrap_or((i64::MIN, i64::MIN));
        let organization_id = organization_id.to_owned();
        self.run(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS}, rowid FROM integrations
                 WHERE end_user_origin_id = ?1 AND (connected_at, rowid) > (?2, ?3)
                 ORDER BY connected_at, rowid LIMIT ?4"
            ))?;
            // One more than asked: whether there is a next page.
            let mut rows = stmt
                .query_map(
                    params![organization_id, at, rowid, i64::from(limit) + 1],
                    |row| Ok((from_row(row)?, row.get::<_, i64>(8)?)),
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let next = match rows.len() > limit as usize {
                true => {
                    rows.truncate(limit as usize);
                    rows.last()
                        .map(|(i, rowid)| format!("{}.{rowid}", i.connected_at))
                }
                false => None,
            };
            Ok(Page {
                integrations: rows.into_iter().map(|(i, _)| i).collect(),
                next,
            })
        })
        .await
    }

    /// The organization's integration with this id.
    pub async fn get(
        &self,
        organization_id: &str,
        id: &str,
    ) -> Result<Option<Integration>, DbError> {
        let (organization_id, id) = (organization_id.to_owned(), id.to_owned());
        self.run(move |conn| {
            conn.query_row(
                &format!(
                    "SELECT {COLUMNS} FROM integrations WHERE id = ?1 AND end_user_origin_id = ?2"
                ),
                [id, organization_id],
                from_row,
            )
            .optional()
        })
        .await
    }

    /// The organization's integration of `tool`, or else (when `tool` is
    /// `None`) any of `category`: what a new flow would duplicate.
    pub async fn connected(
        &self,
        organization_id: &str,
        category: &str,
        tool: Option<&str>,
    ) -> Result<Option<Integration>, DbError> {
        let column = match tool {
            Some(_) => "tool",
            None => "category",
        };
        let (organization_id, value) = (
            organization_id.to_owned(),
            tool.unwrap_or(category).to_owned(),
        );
        self.run(move |conn| {
            conn.query_row(
                &format!("SELECT {COLUMNS} FROM integrations WHERE end_user_origin_id = ?1 AND {column} = ?2 ORDER BY connected_at, rowid LIMIT 1"),
                [organization_id, value],
                from_row,
            )
            .optional()
        })
        .await
    }

    /// What the token stands for, if it was ever recorded.
    pub async fn activation(&self, token: &str) -> Result<Option<Activation>, DbError> {
        let token = token.to_owned();
        self.run(move |conn| {
            let pending = conn
                .query_row(
                    "SELECT organization_id, integration_id IS NULL FROM activations WHERE token = ?1",
                    [&token],
                    |row| Ok((row.get::<_, String>(0)?, row.get::<_, bool>(1)?)),
                )
                .optional()?;
            match pending {
                None => Ok(None),
                Some((organization_id, true)) => Ok(Some(Activation::Pending { organization_id })),
                Some((_, false)) => conn
                    .query_row(
                        &format!("SELECT {COLUMNS} FROM integrations JOIN activations ON integration_id = id WHERE token = ?1"),
                        [&token],
                        from_row,
                    )
                    .map(|i| Some(Activation::Done(i))),
            }
        })
        .await
    }

    /// Records the token as pending for the organization, before Kombo is
    /// asked about it; a token already recorded is left as it is.
    pub async fn begin_activation(
        &self,
        token: &str,
        organization_id: &str,
    ) -> Result<(), DbError> {
        let (token, organization_id) = (token.to_owned(), organization_id.to_owned());
        self.run(move |conn| {
            conn.execute(
                "INSERT OR IGNORE INTO activations (token, organization_id, started_at) VALUES (?1, ?2, ?3)",
                params![token, organization_id, now()],
            )
            .map(drop)
        })
        .await
    }

    /// Forgets a pending token Kombo refused: there is nothing to finish.
    pub async fn abandon_activation(&self, token: &str) -> Result<(), DbError> {
        let token = token.to_owned();
        self.run(move |conn| {
            conn.execute(
                "DELETE FROM activations WHERE token = ?1 AND integration_id IS NULL",
                [token],
            )
            .map(drop)
        })
        .await
    }

    /// Pending tokens, oldest first, with their organization: what a
    /// failure or a crash left to finish. Those pending for longer than
    /// `give_up_after` are deleted instead; how many is the second value.
    pub async fn pending(
        &self,
        give_up_after: Duration,
    ) -> Result<(Vec<(String, String)>, usize), DbError> {
        let oldest = now() - give_up_after.as_secs() as i64;
        self.run(move |conn| {
            let given_up = conn.execute(
                "DELETE FROM activations WHERE integration_id IS NULL AND started_at < ?1",
                [oldest],
            )?;
            let pending = conn
                .prepare_cached(
                    "SELECT token, organization_id FROM activations WHERE integration_id IS NULL ORDER BY started_at",
                )?
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            Ok((pending, given_up))
        })
        .await
    }

    /// Stores an activated integration and marks its token done, in one
    /// transaction; an integration already stored keeps its row (and
    /// `connected_at`).
    pub async fn store(
        &self,
        token: &str,
        integration: &Integration,
    ) -> Result<Integration, DbError> {
        let (token, integration) = (token.to_owned(), integration.clone());
        self.run(move |conn| {
            let tx = conn.transaction()?;
            tx.execute(
                "INSERT INTO integrations (id, tool, end_user_origin_id, end_user_organization_name, end_user_email, setup_status, connected_at, category)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT(id) DO UPDATE SET tool = excluded.tool, setup_status = excluded.setup_status,
                   category = coalesce(excluded.category, category)",
                params![
                    integration.id,
                    integration.tool,
                    integration.end_user_origin_id,
                    integration.end_user_organization_name,
                    integration.end_user_email,
                    integration.setup_status,
                    now(),
                    integration.category
                ],
            )?;
            tx.execute(
                "INSERT INTO activations (token, organization_id, integration_id, started_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(token) DO UPDATE SET integration_id = excluded.integration_id",
                params![token, integration.end_user_origin_id.as_deref().unwrap_or(""), integration.id, now()],
            )?;
            let stored = tx.query_row(
                &format!("SELECT {COLUMNS} FROM integrations WHERE id = ?1"),
                [&integration.id],
                from_row,
            )?;
            tx.commit()?;
            Ok(stored)
        })
        .await
    }

    /// Removes the organization's integration (and its tokens); false if
    /// it has none with this id.
    pub async fn delete(&self, organization_id: &str, id: &str) -> Result<bool, DbError> {
        let (organization_id, id) = (organization_id.to_owned(), id.to_owned());
        self.run(move |conn| {
            conn.execute(
                "DELETE FROM integrations WHERE id = ?1 AND end_user_origin_id = ?2",
                [id, organization_id],
            )
            .map(|n| n > 0)
        })
        .await
    }

    /// A new session for the organization; its id goes in the cookie.
    /// Sessions older than `max_age` are removed on the way.
    pub async fn create_session(
        &self,
        organization_id: &str,
        max_age: Duration,
    ) -> Result<String, DbError> {
        let (id, organization_id) = (crate::random::hex::<16>(), organization_id.to_owned());
        let oldest = now() - max_age.as_secs() as i64;
        self.run(move |conn| {
            conn.execute("DELETE FROM sessions WHERE created_at < ?1", [oldest])?;
            conn.execute(
                "INSERT INTO sessions (id, organization_id, created_at) VALUES (?1, ?2, ?3)",
                params![id, organization_id, now()],
            )?;
            Ok(id)
        })
        .await
    }

    /// The organization a session is signed in as, unless it is unknown or
    /// older than `max_age`.
    pub async fn session(&self, id: &str, max_age: Duration) -> Result<Option<String>, DbError> {
        let id = id.to_owned();
        let oldest = now() - max_age.as_secs() as i64;
        self.run(move |conn| {
            conn.query_row(
                "SELECT organization_id FROM sessions WHERE id = ?1 AND created_at >= ?2",
                params![id, oldest],
                |row| row.get(0),
            )
            .optional()
        })
        .await
    }
}

/// Per connection: foreign keys (for the activations' cascade), the busy
/// time-out, and `synchronous = NORMAL`, which in WAL mode loses nothing
/// committed when the process dies (only on power loss).
fn configure(conn: &Connection, busy_timeout: Duration) -> rusqlite::Result<()> {
    conn.busy_timeout(busy_timeout)?;
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")
}

/// Creates the tables, or brings a file of an earlier demo up to date.
fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if version >= SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn.transaction()?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS integrations (
           id TEXT PRIMARY KEY,
           tool TEXT NOT NULL,
           end_user_origin_id TEXT,
           end_user_organization_name TEXT,
           end_user_email TEXT,
           setup_status TEXT,
           connected_at INTEGER NOT NULL
         );
         CREATE TABLE IF NOT EXISTS sessions (
           id TEXT PRIMARY KEY,
           organization_id TEXT NOT NULL,
           created_at INTEGER NOT NULL
         );",
    )?;
    let has_column = |table: &str, column: &str| {
        tx.prepare(&format!(
            "SELECT 1 FROM pragma_table_info('{table}') WHERE name = ?1"
        ))?
        .exists([column])
    };
    // Version 1 files may lack the category column.
    if !has_column("integrations", "category")? {
        tx.execute_batch("ALTER TABLE integrations ADD COLUMN category TEXT")?;
    }
    // Version 1 activations were only ever done: rebuilt with a nullable
    // integration (pending) and the organization that sent the token.
    let old_activations =
        has_column("activations", "token")? && !has_column("activations", "organization_id")?;
    if old_activations {
        tx.execute_batch("ALTER TABLE activations RENAME TO activations_v1")?;
    }
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS activations (
           token TEXT PRIMARY KEY,
           organization_id TEXT NOT NULL,
           integration_id TEXT REFERENCES integrations(id) ON DELETE CASCADE,
           started_at INTEGER NOT NULL
         );
         CREATE INDEX IF NOT EXISTS activations_pending ON activations(started_at) WHERE integration_id IS NULL;
         CREATE INDEX IF NOT EXISTS integrations_by_organization ON integrations(end_user_origin_id, connected_at);",
    )?;
    if old_activations {
        tx.execute_batch(
            "INSERT INTO activations (token, organization_id, integration_id, started_at)
               SELECT token, coalesce(end_user_origin_id, ''), integration_id, connected_at
               FROM activations_v1 JOIN integrations ON integrations.id = integration_id;
             DROP TABLE activations_v1;",
        )?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// `"{connected_at}.{rowid}"`, as [`Page::next`] writes it.
fn parse_cursor(cursor: &str) -> Option<(i64, i64)> {
    let (at, rowid) = cursor.split_once('.')?;
    Some((at.parse().ok()?, rowid.parse().ok()?))
}

const COLUMNS: &str =
    "id, tool, end_user_origin_id, end_user_organization_name, end_user_email, setup_status, connected_at, category";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Integration> {
    Ok(Integration {
        id: row.get(0)?,
        tool: row.get(1)?,
        end_user_origin_id: row.get(2)?,
        end_user_organization_name: row.get(3)?,
        end_user_email: row.get(4)?,
        setup_status: row.get(5)?,
        connected_at: row.get(6)?,
        category: row.get(7)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const WAIT: Duration = Duration::from_millis(100);
    const DAY: Duration = Duration::from_secs(24 * 3600);

    #[tokio::test]
    async fn a_token_pending_for_too_long_is_given_up() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path(), WAIT).unwrap();
        db.begin_activation("old", "acme-1").await.unwrap();
        db.begin_activation("new", "acme-1").await.unwrap();
        db.run(|conn| {
            conn.execute(
                "UPDATE activations SET started_at = started_at - 90000 WHERE token = 'old'",
                [],
            )
        })
        .await
        .unwrap();
        let (pending, given_up) = db.pending(DAY).await.unwrap();
        assert_eq!(pending, [("new".to_owned(), "acme-1".to_owned())]);
        assert_eq!(given_up, 1);
        assert_eq!(db.activation("old").await.unwrap(), None);
    }

    fn integration(id: &str, organization: &str) -> Integration {
        Integration {
            id: id.into(),
            tool: "personio".into(),
            end_user_origin_id: Some(organization.into()),
            end_user_organization_name: Some("Acme, Inc.".into()),
            end_user_email: Some("alex@acme.example".into()),
            setup_status: Some("COMPLETED".into()),
            connected_at: 0,
            category: Some("HRIS".into()),
        }
    }

    async fn ids(db: &Db, organization: &str) -> Vec<String> {
        let page = db.list(organization, None, 100).await.unwrap();
        page.integrations.into_iter().map(|i| i.id).collect()
    }

    #[tokio::test]
    async fn data_survives_reopening_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path(), WAIT).unwrap();
        db.store("tok", &integration("personio:1", "acme-1"))
            .await
            .unwrap();
        drop(db);
        let reopened = Db::open(dir.path(), WAIT).unwrap();
        assert_eq!(ids(&reopened, "acme-1").await, ["personio:1"]);
        assert!(matches!(
            reopened.activation("tok").await.unwrap(),
            Some(Activation::Done(i)) if i.id == "personio:1"
        ));
    }

    #[tokio::test]
    async fn storing_twice_keeps_one_row() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path(), WAIT).unwrap();
        db.store("tok", &integration("personio:1", "acme-1"))
            .await
            .unwrap();
        db.store("tok", &integration("personio:1", "acme-1"))
            .await
            .unwrap();
        db.store("other", &integration("personio:1", "acme-1"))
            .await
            .unwrap();
        assert_eq!(ids(&db, "acme-1").await.len(), 1);
    }

    #[tokio::test]
    async fn every_query_is_scoped_to_one_organization() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path(), WAIT).unwrap();
        db.store("a", &integration("personio:1", "acme-1"))
            .await
            .unwrap();
        db.store("b", &integration("personio:2", "globex-1"))
            .await
            .unwrap();
        assert_eq!(ids(&db, "acme-1").await, ["personio:1"]);
        assert_eq!(db.get("globex-1", "personio:1").await.unwrap(), None);
        assert_eq!(
            db.connected("globex-1", "HRIS", None)
                .await
                .unwrap()
                .map(|i| i.id),
            Some("personio:2".into())
        );
        assert!(!db.delete("globex-1", "personio:1").await.unwrap());
        assert_eq!(ids(&db, "acme-1").await, ["personio:1"]);
    }

    #[tokio::test]
    async fn delete_removes_the_row_and_its_tokens() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path(), WAIT).unwrap();
        db.store("tok", &integration("personio:1", "acme-1"))
            .await
            .unwrap();
        assert!(db.delete("acme-1", "personio:1").await.unwrap());
        assert!(!db.delete("acme-1", "personio:1").await.unwrap());
        assert!(ids(&db, "acme-1").await.is_empty());
        assert_eq!(db.activation("tok").await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_pending_token_is_listed_until_stored_or_abandoned() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path(), WAIT).unwrap();
        db.begin_activation("t1", "acme-1").await.unwrap();
        db.begin_activation("t2", "acme-1").await.unwrap();
        db.begin_activation("t1", "globex-1").await.unwrap();
        assert_eq!(
            db.activation("t1").await.unwrap(),
            Some(Activation::Pending {
                organization_id: "acme-1".into()
            })
        );
        assert_eq!(db.pending(DAY).await.unwrap().0.len(), 2);
        db.store("t1", &integration("personio:1", "acme-1"))
            .await
            .unwrap();
        db.abandon_activation("t2").await.unwrap();
        assert!(db.pending(DAY).await.unwrap().0.is_empty());
        assert!(matches!(
            db.activation("t1").await.unwrap(),
            Some(Activation::Done(_))
        ));
    }

    #[tokio::test]
    async fn pages_follow_each_other_without_gaps_or_repeats() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path(), WAIT).unwrap();
        for n in 0..7 {
            db.store(
                &format!("t{n}"),
                &integration(&format!("personio:{n}"), "acme-1"),
            )
            .await
            .unwrap();
        }
        let (mut seen, mut after) = (vec![], None);
        loop {
            let page = db.list("acme-1", after.as_deref(), 3).await.unwrap();
            assert!(page.integrations.len() <= 3);
            seen.extend(page.integrations.into_iter().map(|i| i.id));
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        assert_eq!(
            seen,
            (0..7).map(|n| format!("personio:{n}")).collect::<Vec<_>>()
        );
    }

    #[tokio::test]
    async fn a_locked_file_fails_as_busy_after_the_time_out_and_reads_go_on() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path(), WAIT).unwrap();
        db.store("a", &integration("personio:1", "acme-1"))
            .await
            .unwrap();
        let other = Connection::open(dir.path().join("demo.sqlite3")).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        assert!(matches!(
            db.begin_activation("t", "acme-1").await,
            Err(DbError::Busy)
        ));
        assert_eq!(ids(&db, "acme-1").await, ["personio:1"]);
        other.execute_batch("COMMIT").unwrap();
        db.begin_activation("t", "acme-1").await.unwrap();
    }

    #[tokio::test]
    async fn a_file_of_the_previous_version_is_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let old = Connection::open(dir.path().join("demo.sqlite3")).unwrap();
        old.execute_batch(
            "CREATE TABLE integrations (id TEXT PRIMARY KEY, tool TEXT NOT NULL, end_user_origin_id TEXT,
               end_user_organization_name TEXT, end_user_email TEXT, setup_status TEXT, connected_at INTEGER NOT NULL);
             CREATE TABLE activations (token TEXT PRIMARY KEY,
               integration_id TEXT NOT NULL REFERENCES integrations(id) ON DELETE CASCADE);
             INSERT INTO integrations VALUES ('personio:1', 'personio', 'acme-1', 'Acme', 'a@acme', 'COMPLETED', 5);
             INSERT INTO activations VALUES ('tok', 'personio:1');",
        )
        .unwrap();
        drop(old);
        let db = Db::open(dir.path(), WAIT).unwrap();
        assert_eq!(ids(&db, "acme-1").await, ["personio:1"]);
        assert!(matches!(
            db.activation("tok").await.unwrap(),
            Some(Activation::Done(_))
        ));
        db.begin_activation("new", "acme-1").await.unwrap();
    }
}
