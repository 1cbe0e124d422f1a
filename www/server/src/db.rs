//! The demo's storage: the integrations a customer connected, in a SQLite
//! file, so they survive a restart like in a real app.
//!
//! Activation is made idempotent here: the token that produced an
//! integration is stored with it, so a retried activation (a double submit,
//! a client retrying after a lost response) returns the stored row instead
//! of calling Kombo again, and an integration is keyed by Kombo's id, so
//! it is stored once however often it is activated.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OptionalExtension, Row};
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

/// The database handle, cheap to clone into handlers.
#[derive(Clone)]
pub struct Db(Arc<Mutex<Connection>>);

impl Db {
    /// Opens `dir/demo.sqlite3`, creating the directory and tables on first run.
    pub fn open(dir: &Path) -> Result<Db, StartError> {
        std::fs::create_dir_all(dir).map_err(|e| StartError::DataDir(dir.into(), e))?;
        let conn = Connection::open(dir.join("demo.sqlite3"))?;
        conn.execute_batch(
            "PRAGMA foreign_keys = ON;
             CREATE TABLE IF NOT EXISTS integrations (
               id TEXT PRIMARY KEY,
               tool TEXT NOT NULL,
               end_user_origin_id TEXT,
               end_user_organization_name TEXT,
               end_user_email TEXT,
               setup_status TEXT,
               connected_at INTEGER NOT NULL
             );
             CREATE TABLE IF NOT EXISTS activations (
               token TEXT PRIMARY KEY,
               integration_id TEXT NOT NULL REFERENCES integrations(id) ON DELETE CASCADE
             );",
        )?;
        // Files from before the category column get it, empty.
        let has_category = conn
            .prepare("SELECT 1 FROM pragma_table_info('integrations') WHERE name = 'category'")?
            .exists([])?;
        if !has_category {
            conn.execute_batch("ALTER TABLE integrations ADD COLUMN category TEXT")?;
        }
        Ok(Db(Arc::new(Mutex::new(conn))))
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written
        // (statements are atomic), so a poisoned lock is still usable.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// All integrations, oldest first.
    pub fn list(&self) -> rusqlite::Result<Vec<Integration>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {COLUMNS} FROM integrations ORDER BY connected_at, rowid"
        ))?;
        let rows = stmt.query_map([], from_row)?;
        rows.collect()
    }

    /// The organization's integration with this id.
    pub fn get(&self, origin_id: &str, id: &str) -> rusqlite::Result<Option<Integration>> {
        self.conn()
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM integrations WHERE id = ?1 AND end_user_origin_id = ?2"
                ),
                [id, origin_id],
                from_row,
            )
            .optional()
    }

    /// The organization's integration of `tool`, or else (when `tool` is
    /// `None`) any of `category`: what a new flow would duplicate.
    pub fn connected(
        &self,
        origin_id: &str,
        category: &str,
        tool: Option<&str>,
    ) -> rusqlite::Result<Option<Integration>> {
        let sql = match tool {
            Some(_) => "tool = ?2",
            None => "category = ?2",
        };
        self.conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM integrations WHERE end_user_origin_id = ?1 AND {sql} ORDER BY connected_at, rowid LIMIT 1"),
                [origin_id, tool.unwrap_or(category)],
                from_row,
            )
            .optional()
    }

    /// The integration an activation token produced, if it was stored.
    pub fn by_token(&self, token: &str) -> rusqlite::Result<Option<Integration>> {
        self.conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM integrations JOIN activations ON integration_id = id WHERE token = ?1"),
                [token],
                from_row,
            )
            .optional()
    }

    /// Stores an activated integration and its token in one transaction;
    /// an integration already stored keeps its row (and `connected_at`).
    pub fn store(&self, token: &str, integration: &Integration) -> rusqlite::Result<Integration> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
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
                now,
                integration.category
            ],
        )?;
        tx.execute(
            "INSERT OR IGNORE INTO activations (token, integration_id) VALUES (?1, ?2)",
            params![token, integration.id],
        )?;
        let stored = tx.query_row(
            &format!("SELECT {COLUMNS} FROM integrations WHERE id = ?1"),
            [&integration.id],
            from_row,
        )?;
        tx.commit()?;
        Ok(stored)
    }

    /// Removes an integration (and its tokens); false if there was none.
    pub fn delete(&self, id: &str) -> rusqlite::Result<bool> {
        Ok(self
            .conn()
            .execute("DELETE FROM integrations WHERE id = ?1", [id])?
            > 0)
    }
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

    fn integration(id: &str) -> Integration {
        Integration {
            id: id.into(),
            tool: "personio".into(),
            end_user_origin_id: Some("acme-1".into()),
            end_user_organization_name: Some("Acme, Inc.".into()),
            end_user_email: Some("alex@acme.example".into()),
            setup_status: Some("COMPLETED".into()),
            connected_at: 0,
            category: Some("HRIS".into()),
        }
    }

    #[test]
    fn data_survives_reopening_the_file() {
        let dir = tempfile::tempdir().unwrap();
        Db::open(dir.path())
            .unwrap()
            .store("tok", &integration("personio:1"))
            .unwrap();
        let reopened = Db::open(dir.path()).unwrap();
        assert_eq!(
            reopened
                .list()
                .unwrap()
                .iter()
                .map(|i| i.id.as_str())
                .collect::<Vec<_>>(),
            ["personio:1"]
        );
        assert_eq!(
            reopened.by_token("tok").unwrap().map(|i| i.id),
            Some("personio:1".into())
        );
    }

    #[test]
    fn storing_twice_keeps_one_row() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path()).unwrap();
        db.store("tok", &integration("personio:1")).unwrap();
        db.store("tok", &integration("personio:1")).unwrap();
        db.store("other", &integration("personio:1")).unwrap();
        assert_eq!(db.list().unwrap().len(), 1);
    }

    #[test]
    fn delete_removes_the_row_and_its_tokens() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path()).unwrap();
        db.store("tok", &integration("personio:1")).unwrap();
        assert!(db.delete("personio:1").unwrap());
        assert!(!db.delete("personio:1").unwrap());
        assert!(db.list().unwrap().is_empty());
        assert_eq!(db.by_token("tok").unwrap(), None);
    }
}
