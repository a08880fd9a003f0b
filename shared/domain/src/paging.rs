//! Cursor pagination over the table port, with filters applied as items are read.
//!
//! A cursor is opaque to callers: base64url JSON of the last position read, a dot, and a
//! 128-bit HMAC-SHA256 tag over that position *and the listing it came from* (which index,
//! which partition, which range and order, and the caller's filters), keyed by the
//! deployment's `CursorKey`. So a cursor from another tenant, another listing, other filters, or
//! with one character changed is `400 invalid_cursor` before anything reaches the store. The
//! partition of a table query still always comes from the request, never from the cursor.
//!
//! Without a configured secret (`CursorKey::default()`), the tag is keyed by a public constant:
//! it still binds a cursor to its listing, but someone who knows this scheme could forge one for
//! a listing they may read anyway. Hosts should set a per-deployment secret.

use crate::error::{Context, FieldError, Unexpected};
use crate::ports::{IndexName, Item, Key, PageKey, Query, SortKeyRange, Table};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// Default page size.
pub const DEFAULT_LIMIT: usize = 50;
/// Largest page size a caller may ask for.
pub const MAX_LIMIT: usize = 100;
/// Most items one request reads while filtering before it returns what it has (with a cursor).
const SCAN_BUDGET: usize = 1000;
/// Most store round trips one request makes (a store may answer pages with nothing in them).
const ROUND_TRIP_BUDGET: usize = 20;
/// Bytes of the HMAC-SHA256 tag a cursor carries.
const TAG_BYTES: usize = 16;

/// The secret cursors are signed with, one per deployment (`Settings::cursor_key`). Never
/// printed.
#[derive(Clone, PartialEq, Eq)]
pub struct CursorKey([u8; 32]);

impl CursorKey {
    /// Derives the key from a deployment secret (any length; at least 32 random bytes).
    pub fn from_secret(secret: &[u8]) -> Self {
        let mut h = Sha256::new();
        h.update(b"usher cursor key v1\0");
        h.update(secret);
        Self(h.finalize().into())
    }
}

impl Default for CursorKey {
    /// A public constant: binds cursors to their listing, but is not a secret (see the module).
    fn default() -> Self {
        Self::from_secret(b"")
    }
}

impl std::fmt::Debug for CursorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CursorKey(<redacted>)")
    }
}

fn hmac_sha256(key: &[u8; 32], parts: &[&[u8]]) -> [u8; 32] {
    let mut ipad = [0x36u8; 64];
    let mut opad = [0x5cu8; 64];
    for (i, k) in key.iter().enumerate() {
        ipad[i] ^= k;
        opad[i] ^= k;
    }
    let mut inner = Sha256::new();
    inner.update(ipad);
    for p in parts {
        // Length-prefixed, so no two different part lists hash alike.
        inner.update((p.len() as u64).to_be_bytes());
        inner.update(p);
    }
    let mut outer = Sha256::new();
    outer.update(opad);
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// What a cursor is bound to: the listing (index, partition, range, order) and its filters.
fn scope_of(query: &Query, filters: &str) -> String {
    let index = query.index.map_or("table", IndexName::as_str);
    let range = match &query.range {
        SortKeyRange::All => "all".to_owned(),
        SortKeyRange::BeginsWith(p) => format!("begins:{p}"),
        SortKeyRange::Between(a, b) => format!("between:{a}\u{0}{b}"),
    };
    let order = if query.ascending { "asc" } else { "desc" };
    format!("{index}\u{0}{}\u{0}{range}\u{0}{order}\u{0}{filters}", query.pk)
}

fn tag(key: &CursorKey, scope: &str, body: &[u8]) -> [u8; TAG_BYTES] {
    let full = hmac_sha256(&key.0, &[scope.as_bytes(), body]);
    let mut t = [0u8; TAG_BYTES];
    t.copy_from_slice(&full[..TAG_BYTES]);
    t
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
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

fn invalid_cursor() -> FieldError {
    FieldError::new("cursor", "invalid_cursor", "the cursor is not one this listing returned")
}

/// Where a paged read starts: a cursor as the caller sent it, well-formed but not yet checked
/// against the listing (`collect` does that, before reading anything).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pos: CursorPos,
    body: Vec<u8>,
    tag: Vec<u8>,
}

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
        let (body_b64, tag_b64) = raw.trim().split_once('.').ok_or_else(invalid_cursor)?;
        let body = URL_SAFE_NO_PAD.decode(body_b64).map_err(|_| invalid_cursor())?;
        let tag = URL_SAFE_NO_PAD.decode(tag_b64).map_err(|_| invalid_cursor())?;
        if tag.len() != TAG_BYTES {
            return Err(invalid_cursor());
        }
        let parsed: CursorBody = serde_json::from_slice(&body).map_err(|_| invalid_cursor())?;
        let printable = |s: &str| !s.is_empty() && !s.chars().any(char::is_control);
        let fields_ok = printable(&parsed.k)
            && parsed.p.as_deref().is_none_or(printable)
            && parsed.i.as_deref().is_none_or(printable)
            && parsed.p.is_some() == parsed.i.is_some();
        if !fields_ok || !parsed.k.starts_with(sk_prefix) {
            return Err(invalid_cursor());
        }
        Ok(Self { pos: CursorPos { sk: parsed.k, pk: parsed.p, isk: parsed.i }, body, tag })
    }

    fn encode(key: &CursorKey, scope: &str, at: &PageKey, with_pk: bool) -> String {
        let body = CursorBody { k: at.key.sk.clone(), p: with_pk.then(|| at.key.pk.clone()), i: at.index_sk.clone() };
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        let t = tag(key, scope, &bytes);
        format!("{}.{}", URL_SAFE_NO_PAD.encode(&bytes), URL_SAFE_NO_PAD.encode(t))
    }

    /// Checks the tag against this listing, and that an index cursor carries an index position
    /// of the shape the listing's items have; returns where to start.
    fn verify(&self, key: &CursorKey, scope: &str, query: &Query) -> Result<PageKey, FieldError> {
        let expected = tag(key, scope, &self.body);
        let same = expected.len() == self.tag.len() && expected.iter().zip(&self.tag).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
        if !same {
            return Err(invalid_cursor());
        }
        match (query.index, &self.pos.pk, &self.pos.isk) {
            // Table queries: the partition is the query's, never the cursor's.
            (None, None, None) => Ok(PageKey { key: Key::new(query.pk.clone(), self.pos.sk.clone()), index_sk: None }),
            // Index queries: every listed item is a tenant's (`T#…`) and has an index sort key.
            (Some(_), Some(pk), Some(isk)) if pk.starts_with("T#") && !isk.is_empty() => {
                Ok(PageKey { key: Key::new(pk.clone(), self.pos.sk.clone()), index_sk: Some(isk.clone()) })
            }
            _ => Err(invalid_cursor()),
        }
    }
}

/// Why a page could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// The cursor was not issued for this listing (another tenant's, another listing's, other
    /// filters', or edited).
    #[error("invalid cursor")]
    InvalidCursor(FieldError),
    /// The store failed.
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

/// Reads `query` from `after`, keeping items for which `keep` returns `Some`, until `limit` are
/// kept, the partition ends, or the scan budget is spent. Returns them and the next cursor,
/// bound to this listing and `filters` (a canonical text of the caller's filters) and signed
/// with `key`. A cursor bound to anything else is refused before the store is read.
pub async fn collect_in<T>(
    table: &dyn Table,
    key: &CursorKey,
    filters: &str,
    mut query: Query,
    after: Option<&Cursor>,
    limit: usize,
    mut keep: impl FnMut(Item) -> Result<Option<T>, Unexpected>,
) -> Result<(Vec<T>, Option<String>), PageError> {
    let scope = scope_of(&query, filters);
    let with_pk = query.index.is_some();
    query.after = after.map(|c| c.verify(key, &scope, &query)).transpose().map_err(PageError::InvalidCursor)?;
    query.limit = MAX_LIMIT;
    let mut out = Vec::new();
    let mut scanned = 0;
    let mut round_trips = 0;
    loop {
        let page = table.query(&query).await.context("reading a page")?;
        round_trips += 1;
        let n = page.items.len();
        for (i, item) in page.items.into_iter().enumerate() {
            scanned += 1;
            let index_sk = query.index.and_then(|ix| item.index_key(ix).map(|(_, sk)| sk.to_owned()));
            let position = PageKey { key: item.key.clone(), index_sk };
            if let Some(t) = keep(item)? {
                out.push(t);
            }
            let more_after_this = i + 1 < n || page.next.is_some();
            if out.len() == limit || (scanned >= SCAN_BUDGET && more_after_this) {
                let cursor = more_after_this.then(|| Cursor::encode(key, &scope, &position, with_pk));
                return Ok((out, cursor));
            }
            query.after = Some(position);
        }
        let Some(next) = page.next else { return Ok((out, None)) };
        if n == 0 {
            // An empty page that still says "more": continue from where the store says, and if
            // that is where this page began, the store is going nowhere: the listing ends here.
            if query.after.as_ref() == Some(&next) {
                tracing::warn!("the store answered an empty page whose next key does not move; ending the listing");
                return Ok((out, None));
            }
            query.after = Some(next);
        }
        if round_trips >= ROUND_TRIP_BUDGET {
            let cursor = query.after.as_ref().map(|at| Cursor::encode(key, &scope, at, with_pk));
            return Ok((out, cursor));
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
        let empty = page.items.is_empty();
        for item in page.items {
            if let Some(t) = keep(item)? {
                out.push(t);
            }
        }
        match page.next {
            // An empty page whose next key does not move would be read again forever.
            Some(next) if empty && q.after.as_ref() == Some(&next) => return Ok(out),
            Some(next) => q.after = Some(next),
            None => return Ok(out),
        }
    }
}
