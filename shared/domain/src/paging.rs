//! Cursor pagination over the table port, with filters applied as items are read.
//!
//! A cursor is opaque to callers (base64url JSON of the last position read). It carries sort keys
//! only: the partition always comes from the request (the tenant in the path, the caller's email),
//! so a cursor copied from another tenant cannot read that tenant's items; at worst it positions
//! the read somewhere in the caller's own partition.

use crate::error::{Context, FieldError, Unexpected};
use crate::ports::{Item, Key, PageKey, Query, Table};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Default page size.
pub const DEFAULT_LIMIT: usize = 50;
/// Largest page size a caller may ask for.
pub const MAX_LIMIT: usize = 100;
/// Most items one request reads while filtering before it returns what it has (with a cursor).
const SCAN_BUDGET: usize = 1000;

#[derive(serde::Serialize, serde::Deserialize)]
struct CursorBody {
    /// Base sort key.
    k: String,
    /// Base partition key (index queries only: the index partition holds many base partitions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    p: Option<String>,
    /// Index sort key (index queries only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    i: Option<String>,
}

/// Parses the `limit` query parameter (1..=100, default 50).
pub fn parse_limit(raw: Option<&str>) -> Result<usize, FieldError> {
    match raw {
        None => Ok(DEFAULT_LIMIT),
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| FieldError::new("limit", "out_of_range", format!("limit must be a whole number from 1 to {MAX_LIMIT}"))),
    }
}

/// Where a paged read starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor(CursorPos);

#[derive(Debug, Clone, PartialEq, Eq)]
struct CursorPos {
    sk: String,
    pk: Option<String>,
    isk: Option<String>,
}

impl Cursor {
    /// Decodes a cursor the caller got from us. `sk_prefix` is what every base sort key of
    /// this listing starts with; anything else is rejected as tampered.
    pub fn parse(raw: &str, sk_prefix: &str) -> Result<Self, FieldError> {
        let bad = || FieldError::new("cursor", "invalid_cursor", "the cursor is not one this listing returned");
        let bytes = URL_SAFE_NO_PAD.decode(raw.trim()).map_err(|_| bad())?;
        let body: CursorBody = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        if !body.k.starts_with(sk_prefix) {
            return Err(bad());
        }
        Ok(Self(CursorPos { sk: body.k, pk: body.p, isk: body.i }))
    }

    fn encode(item_key: &Key, index_sk: Option<&str>, with_pk: bool) -> String {
        let body = CursorBody { k: item_key.sk.clone(), p: with_pk.then(|| item_key.pk.clone()), i: index_sk.map(str::to_owned) };
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&body).unwrap_or_default())
    }

    fn page_key(&self, query_pk: &str, is_index: bool) -> PageKey {
        // Table queries: the partition is the query's, never the cursor's.
        let pk = match (&self.0.pk, is_index) {
            (Some(pk), true) => pk.clone(),
            _ => query_pk.to_owned(),
        };
        PageKey { key: Key::new(pk, self.0.sk.clone()), index_sk: self.0.isk.clone() }
    }
}

/// Reads `query` from `after`, keeping items for which `keep` returns `Some`, until `limit` are
/// kept, the partition ends, or the scan budget is spent. Returns them and the next cursor.
pub async fn collect<T>(
    table: &dyn Table,
    mut query: Query,
    after: Option<&Cursor>,
    limit: usize,
    mut keep: impl FnMut(Item) -> Result<Option<T>, Unexpected>,
) -> Result<(Vec<T>, Option<String>), Unexpected> {
    let with_pk = query.index.is_some();
    query.after = after.map(|c| c.page_key(&query.pk, with_pk));
    query.limit = MAX_LIMIT;
    let mut out = Vec::new();
    let mut scanned = 0;
    loop {
        let page = table.query(&query).await.context("reading a page")?;
        let n = page.items.len();
        for (i, item) in page.items.into_iter().enumerate() {
            scanned += 1;
            let index_sk = query.index.and_then(|ix| item.index_key(ix).map(|(_, sk)| sk.to_owned()));
            let position = (item.key.clone(), index_sk);
            if let Some(t) = keep(item)? {
                out.push(t);
            }
            let more_after_this = i + 1 < n || page.next.is_some();
            if out.len() == limit || (scanned >= SCAN_BUDGET && more_after_this) {
                let cursor = more_after_this.then(|| Cursor::encode(&position.0, position.1.as_deref(), with_pk));
                return Ok((out, cursor));
            }
            query.after = Some(PageKey { key: position.0, index_sk: position.1 });
        }
        if page.next.is_none() {
            return Ok((out, None));
        }
    }
}

/// Reads a whole partition (exports, sweeps), page by page.
pub async fn read_all<T>(
    table: &dyn Table,
    query: Query,
    keep: impl FnMut(Item) -> Result<Option<T>, Unexpected>,
) -> Result<Vec<T>, Unexpected> {
    let mut keep = keep;
    let mut out = Vec::new();
    let mut q = query;
    q.limit = MAX_LIMIT * 10;
    loop {
        let page = table.query(&q).await.context("reading a partition")?;
        for item in page.items {
            if let Some(t) = keep(item)? {
                out.push(t);
            }
        }
        match page.next {
            Some(next) => q.after = Some(next),
            None => return Ok(out),
        }
    }
}
