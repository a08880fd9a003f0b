//! The embedded table: SQLite (bundled), holding exactly the items DynamoDB holds, with the same
//! conditional semantics. A transaction runs under `BEGIN IMMEDIATE` (one writer at a time, even
//! across processes sharing the file), checks every condition, then applies every write, so two
//! racing writers resolve in the database exactly as DynamoDB's TransactWriteItems would.

use crate::system::unix_now;
use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::path::Path;
use std::sync::{Arc, Mutex};
use usher_domain::ports::{
    Committed, Cond, IndexName, Item, Key, Page, PageKey, Query, SortKeyRange, StoreError, Table, Write, add_counts, expectation_holds,
    validate_transaction,
};
use usher_domain::values::Timestamp;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS items (
    pk TEXT NOT NULL,
    sk TEXT NOT NULL,
    version INTEGER NOT NULL,
    data TEXT NOT NULL,
    expires_at INTEGER,
    gsi1pk TEXT, gsi1sk TEXT,
    gsi2pk TEXT, gsi2sk TEXT,
    gsi3pk TEXT, gsi3sk TEXT,
    PRIMARY KEY (pk, sk)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS items_gsi1 ON items (gsi1pk, gsi1sk, pk, sk) WHERE gsi1pk IS NOT NULL;
CREATE INDEX IF NOT EXISTS items_gsi2 ON items (gsi2pk, gsi2sk, pk, sk) WHERE gsi2pk IS NOT NULL;
CREATE INDEX IF NOT EXISTS items_gsi3 ON items (gsi3pk, gsi3sk, pk, sk) WHERE gsi3pk IS NOT NULL;
-- The change log: every item write, in commit order, written by the write's own transaction
-- (what a DynamoDB stream with NEW_IMAGE is to the table). `data` is NULL for a delete.
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    pk TEXT NOT NULL,
    sk TEXT NOT NULL,
    data TEXT,
    at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS changes_at ON changes (at);
-- How far each reader of the change log has got (it resumes there after a restart).
CREATE TABLE IF NOT EXISTS change_readers (
    name TEXT PRIMARY KEY,
    seq INTEGER NOT NULL
);
";

/// How long the change log keeps a change every reader has passed (a DynamoDB stream's 24 hours).
pub const CHANGE_LOG_RETENTION_SECS: i64 = 24 * 3600;
/// How long it keeps a change some reader has not passed yet (a webhook in its 27.6-hour retry
/// schedule): a reader that stays away longer (a webhook since removed) misses what was trimmed.
pub const CHANGE_LOG_MAX_RETENTION_SECS: i64 = 7 * 24 * 3600;

/// Reader names with this mark are positions within a reader (a webhook's per-tenant
/// positions), not readers of their own: they never hold the log back.
pub const SUB_POSITION_MARK: char = '@';

/// One entry of the change log.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Its position: increasing in commit order.
    pub seq: i64,
    /// The item written.
    pub key: Key,
    /// Its attributes after the write (`None`: deleted).
    pub data: Option<serde_json::Value>,
}

/// The embedded table.
#[derive(Clone)]
pub struct SqliteTable {
    conn: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for SqliteTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqliteTable")
    }
}

fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

impl SqliteTable {
    /// Opens (creating if needed) the database file.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path).map_err(unavailable)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(unavailable)?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(unavailable)?;
        Self::init(conn)
    }

    /// A private in-memory database (tests).
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::init(Connection::open_in_memory().map_err(unavailable)?)
    }

    fn init(conn: Connection) -> Result<Self, StoreError> {
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(unavailable)?;
        conn.execute_batch(SCHEMA).map_err(unavailable)?;
        Ok(Self { conn: Arc::new(Mutex::new(conn)) })
    }

    /// Runs `f` on the connection on the blocking pool (SQLite calls block).
    async fn with_conn<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().map_err(|_| StoreError::Unavailable("sqlite connection poisoned".into()))?;
            f(&mut guard)
        })
        .await
        .map_err(unavailable)?
    }
}

impl SqliteTable {
    /// Up to `limit` changes after position `after`, oldest first.
    pub async fn changes_after(&self, after: i64, limit: usize) -> Result<Vec<Change>, StoreError> {
        self.with_conn(move |conn| {
            let mut stmt =
                conn.prepare("SELECT seq, pk, sk, data FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2").map_err(unavailable)?;
            let rows = stmt
                .query_map(params![after, i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, Option<String>>(3)?))
                })
                .map_err(unavailable)?;
            let mut out = Vec::new();
            for row in rows {
                let (seq, pk, sk, data) = row.map_err(unavailable)?;
                let key = Key::new(pk, sk);
                let data = data
                    .map(|d| serde_json::from_str(&d).map_err(|e| StoreError::Corrupt { key: key.clone(), reason: e.to_string() }))
                    .transpose()?;
                out.push(Change { seq, key, data });
            }
            Ok(out)
        })
        .await
    }

    /// Where reader `name` left off (0: the start).
    pub async fn reader_position(&self, name: &str) -> Result<i64, StoreError> {
        let name = name.to_owned();
        self.with_conn(move |conn| {
            conn.query_row("SELECT seq FROM change_readers WHERE name = ?1", params![name], |r| r.get::<_, i64>(0))
                .optional()
                .map(Option::unwrap_or_default)
                .map_err(unavailable)
        })
        .await
    }

    /// Records that reader `name` has handled every change up to `seq`.
    pub async fn save_reader_position(&self, name: &str, seq: i64) -> Result<(), StoreError> {
        let name = name.to_owned();
        self.with_conn(move |conn| {
            conn.execute(
                "INSERT INTO change_readers (name, seq) VALUES (?1, ?2) ON CONFLICT(name) DO UPDATE SET seq = max(seq, excluded.seq)",
                params![name, seq],
            )
            .map(drop)
            .map_err(unavailable)
        })
        .await
    }

    /// Every position saved under a name starting with `prefix`.
    pub async fn reader_positions(&self, prefix: &str) -> Result<Vec<(String, i64)>, StoreError> {
        let pattern = format!("{}%", prefix.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        self.with_conn(move |conn| {
            let mut stmt = conn.prepare("SELECT name, seq FROM change_readers WHERE name LIKE ?1 ESCAPE '\\'").map_err(unavailable)?;
            let rows = stmt.query_map(params![pattern], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))).map_err(unavailable)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(unavailable)
        })
        .await
    }

    /// Drops changes past the retention; returns how many.
    pub async fn trim_changes(&self) -> Result<usize, StoreError> {
        self.trim_changes_as_of(unix_now()).await
    }

    /// `trim_changes` as of `now` (unix seconds): a change older than the retention goes once
    /// every reader has passed it, and past the longest retention whatever the readers.
    pub async fn trim_changes_as_of(&self, now: i64) -> Result<usize, StoreError> {
        let sub = format!("%{SUB_POSITION_MARK}%");
        self.with_conn(move |conn| {
            conn.execute(
                "DELETE FROM changes WHERE at < ?3 OR (at < ?1 AND seq <= \
                 coalesce((SELECT min(seq) FROM change_readers WHERE name NOT LIKE ?2), 9223372036854775807))",
                params![now - CHANGE_LOG_RETENTION_SECS, sub, now - CHANGE_LOG_MAX_RETENTION_SECS],
            )
            .map_err(unavailable)
        })
        .await
    }
}

/// Appends one change to the log, in the write's transaction.
fn log_change(tx: &rusqlite::Transaction<'_>, key: &Key, data: Option<&str>) -> Result<(), StoreError> {
    tx.execute("INSERT INTO changes (pk, sk, data, at) VALUES (?1, ?2, ?3, ?4)", params![key.pk, key.sk, data, unix_now()])
        .map(drop)
        .map_err(unavailable)
}

fn index_columns(index: IndexName) -> (&'static str, &'static str) {
    match index {
        IndexName::ByUser => ("gsi1pk", "gsi1sk"),
        IndexName::PendingByEmail => ("gsi2pk", "gsi2sk"),
        IndexName::Due => ("gsi3pk", "gsi3sk"),
    }
}

const COLUMNS: &str = "pk, sk, version, data, expires_at, gsi1pk, gsi1sk, gsi2pk, gsi2sk, gsi3pk, gsi3sk";

fn row_to_item(row: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Item, StoreError>> {
    let key = Key::new(row.get::<_, String>(0)?, row.get::<_, String>(1)?);
    let version: i64 = row.get(2)?;
    let data: String = row.get(3)?;
    let expires_at: Option<i64> = row.get(4)?;
    let mut index_keys = Vec::new();
    for (i, index) in IndexName::ALL.into_iter().enumerate() {
        let pk: Option<String> = row.get(5 + 2 * i)?;
        let sk: Option<String> = row.get(6 + 2 * i)?;
        if let (Some(pk), Some(sk)) = (pk, sk) {
            index_keys.push((index, pk, sk));
        }
    }
    Ok(match serde_json::from_str(&data) {
        Ok(data) => Ok(Item {
            version: u64::try_from(version).unwrap_or(0),
            index_keys,
            expires_at: expires_at.and_then(Timestamp::from_unix),
            data,
            key,
        }),
        Err(e) => Err(StoreError::Corrupt { key, reason: e.to_string() }),
    })
}

fn current_version(tx: &rusqlite::Transaction<'_>, key: &Key) -> Result<Option<u64>, StoreError> {
    tx.query_row("SELECT version FROM items WHERE pk = ?1 AND sk = ?2", params![key.pk, key.sk], |r| r.get::<_, i64>(0))
        .optional()
        .map(|v| v.map(|v| u64::try_from(v).unwrap_or(0)))
        .map_err(unavailable)
}

fn current_data(tx: &rusqlite::Transaction<'_>, key: &Key) -> Result<Option<(u64, serde_json::Value)>, StoreError> {
    let row = tx
        .query_row("SELECT version, data FROM items WHERE pk = ?1 AND sk = ?2", params![key.pk, key.sk], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })
        .optional()
        .map_err(unavailable)?;
    row.map(|(v, data)| {
        let data = serde_json::from_str(&data).map_err(|e| StoreError::Corrupt { key: key.clone(), reason: e.to_string() })?;
        Ok((u64::try_from(v).unwrap_or(0), data))
    })
    .transpose()
}

fn holds(cond: Cond, version: Option<u64>) -> bool {
    match cond {
        Cond::Always => true,
        Cond::Absent => version.is_none(),
        Cond::Version(v) => version == Some(v),
    }
}

#[async_trait]
impl Table for SqliteTable {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let key = key.clone();
        self.with_conn(move |conn| {
            let sql = format!("SELECT {COLUMNS} FROM items WHERE pk = ?1 AND sk = ?2");
            conn.query_row(&sql, params![key.pk, key.sk], row_to_item).optional().map_err(unavailable)?.transpose()
        })
        .await
    }

    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Option<Item>>, StoreError> {
        // One connection, one prepared statement: a consistent view of every key.
        let keys = keys.to_vec();
        self.with_conn(move |conn| {
            let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM items WHERE pk = ?1 AND sk = ?2")).map_err(unavailable)?;
            keys.iter()
                .map(|key| stmt.query_row(params![key.pk, key.sk], row_to_item).optional().map_err(unavailable)?.transpose())
                .collect()
        })
        .await
    }

    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        let q = query.clone();
        self.with_conn(move |conn| run_query(conn, &q)).await
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<Committed, StoreError> {
        validate_transaction(&writes)?;
        self.with_conn(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(unavailable)?;
            for (at, w) in writes.iter().enumerate() {
                let ok = match w {
                    Write::Put { cond, .. } | Write::Delete { cond, .. } | Write::Check { cond, .. } => {
                        holds(*cond, current_version(&tx, w.key())?)
                    }
                    Write::Count { key, expect, .. } => match current_data(&tx, key)? {
                        Some((_, data)) => expect.iter().all(|e| expectation_holds(&data, e)),
                        None => false,
                    },
                };
                if !ok {
                    // Dropping the transaction rolls it back: nothing was written.
                    return Ok(Committed::ConditionFailed { at });
                }
            }
            for w in &writes {
                apply(&tx, w)?;
            }
            tx.commit().map_err(unavailable)?;
            Ok(Committed::Yes)
        })
        .await
    }
}

fn apply(tx: &rusqlite::Transaction<'_>, w: &Write) -> Result<(), StoreError> {
    match w {
        Write::Put { item, .. } => {
            let data = serde_json::to_string(&item.data).map_err(|e| StoreError::Rejected(e.to_string()))?;
            let ix = |index: IndexName| item.index_key(index).map(|(pk, sk)| (pk.to_owned(), sk.to_owned())).unzip();
            let (g1pk, g1sk): (Option<String>, Option<String>) = ix(IndexName::ByUser);
            let (g2pk, g2sk): (Option<String>, Option<String>) = ix(IndexName::PendingByEmail);
            let (g3pk, g3sk): (Option<String>, Option<String>) = ix(IndexName::Due);
            tx.execute(
                &format!("INSERT OR REPLACE INTO items ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"),
                params![
                    item.key.pk,
                    item.key.sk,
                    i64::try_from(item.version).unwrap_or(i64::MAX),
                    data,
                    item.expires_at.map(|t| t.unix()),
                    g1pk,
                    g1sk,
                    g2pk,
                    g2sk,
                    g3pk,
                    g3sk
                ],
            )
            .map_err(unavailable)?;
            log_change(tx, &item.key, Some(&data))?;
        }
        Write::Delete { key, .. } => {
            tx.execute("DELETE FROM items WHERE pk = ?1 AND sk = ?2", params![key.pk, key.sk]).map_err(unavailable)?;
            log_change(tx, key, None)?;
        }
        Write::Check { .. } => {}
        Write::Count { key, add, .. } => {
            // The condition pass found the item; add in place and bump the version.
            let Some((version, mut data)) = current_data(tx, key)? else { return Ok(()) };
            add_counts(&mut data, add);
            let data = serde_json::to_string(&data).map_err(|e| StoreError::Rejected(e.to_string()))?;
            tx.execute(
                "UPDATE items SET data = ?3, version = ?4 WHERE pk = ?1 AND sk = ?2",
                params![key.pk, key.sk, data, i64::try_from(version + 1).unwrap_or(i64::MAX)],
            )
            .map_err(unavailable)?;
            log_change(tx, key, Some(&data))?;
        }
    }
    Ok(())
}

fn run_query(conn: &Connection, q: &Query) -> Result<Page, StoreError> {
    if q.limit == 0 || q.limit > 1000 {
        return Err(StoreError::Rejected(format!("query limit must be 1 to 1000, not {}", q.limit)));
    }
    // Base table: order by sk. Index: order by (index sk, pk, sk), a total order like DynamoDB's.
    let (pk_col, sk_col) = match q.index {
        None => ("pk", "sk"),
        Some(ix) => index_columns(ix),
    };
    let order_cols: Vec<&str> = if q.index.is_some() { vec![sk_col, "pk", "sk"] } else { vec!["sk"] };
    let dir = if q.ascending { "ASC" } else { "DESC" };
    let cmp = if q.ascending { ">" } else { "<" };
    let mut sql = format!("SELECT {COLUMNS} FROM items WHERE {pk_col} = ?");
    let mut args: Vec<String> = vec![q.pk.clone()];
    match &q.range {
        SortKeyRange::All => {}
        SortKeyRange::BeginsWith(prefix) => {
            sql.push_str(&format!(" AND substr({sk_col}, 1, length(?)) = ?"));
            args.push(prefix.clone());
            args.push(prefix.clone());
        }
        SortKeyRange::Between(from, to) => {
            sql.push_str(&format!(" AND {sk_col} >= ? AND {sk_col} <= ?"));
            args.push(from.clone());
            args.push(to.clone());
        }
    }
    if let Some(after) = &q.after {
        match q.index {
            None => {
                sql.push_str(&format!(" AND sk {cmp} ?"));
                args.push(after.key.sk.clone());
            }
            Some(_) => {
                sql.push_str(&format!(" AND ({sk_col}, pk, sk) {cmp} (?, ?, ?)"));
                args.push(after.index_sk.clone().unwrap_or_default());
                args.push(after.key.pk.clone());
                args.push(after.key.sk.clone());
            }
        }
    }
    let order = order_cols.iter().map(|c| format!("{c} {dir}")).collect::<Vec<_>>().join(", ");
    sql.push_str(&format!(" ORDER BY {order} LIMIT {}", q.limit + 1));
    let mut stmt = conn.prepare(&sql).map_err(unavailable)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), row_to_item).map_err(unavailable)?;
    let mut items = Vec::new();
    for row in rows {
        items.push(row.map_err(unavailable)??);
    }
    let next = if items.len() > q.limit {
        items.truncate(q.limit);
        items
            .last()
            .map(|last| PageKey { key: last.key.clone(), index_sk: q.index.and_then(|ix| last.index_key(ix).map(|(_, sk)| sk.to_owned())) })
    } else {
        None
    };
    Ok(Page { items, next })
}
