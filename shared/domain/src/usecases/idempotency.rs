//! `Idempotency-Key` for writes: the same key with the same request within 24 h answers the
//! first response and does nothing again; with another request it is a conflict.
//!
//! The key is claimed with a conditional write before the request runs, so two concurrent
//! requests with one key cannot both run: the second sees the claim and gets a conflict. A claim
//! whose request died is released after a minute.
//!
//! A response of any size is kept: one too large for an item (a 1000-row bulk report is about
//! 800 KB; an item holds 400 KB) is split into part items beside the record, written before the
//! record that names them, and checked by its hash when put back together.

use crate::context::Deps;
use crate::error::{Context, FieldError, Unexpected};
use crate::model::{IdempotencyRecord, StoredResponse};
use crate::ports::{Cond, StoreError, Write};
use crate::retry::Attempt;
use crate::schema;
use crate::token::hex;
use sha2::{Digest, Sha256};

/// How long a stored response answers repeats.
pub const RETENTION_SECS: i64 = 24 * 3600;
/// How long a claim holds while its request runs.
pub const CLAIM_SECS: i64 = 60;

/// What to do with a request that carries a key.
#[derive(Debug, Clone, PartialEq)]
pub enum Begin {
    /// Run it; then call `finish` with this claim.
    Proceed(Claim),
    /// Already answered: send this again.
    Replay(StoredResponse),
    /// The key was used with a different request.
    Conflict(&'static str),
    /// The same request is still running elsewhere (or died holding the key): try again in
    /// this many seconds.
    InFlight {
        /// A moment while the claim is young; the claim's real remaining time once it is older
        /// than a request runs (its request is then most likely dead).
        retry_after_secs: u64,
    },
}

/// A claimed key.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    key: crate::ports::Key,
    version: u64,
    request_hash: String,
    reserved_id: uuid::Uuid,
}

/// A request extension: the id a request claimed under an `Idempotency-Key` must give the
/// resource it creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReservedId(pub uuid::Uuid);

impl Claim {
    /// The id a resource this request creates must take: the same for every try of the same
    /// request, so a try that finds it already written knows it was its own (see `invite`).
    pub fn reserved_id(&self) -> uuid::Uuid {
        self.reserved_id
    }
}

/// Checks a key: 1 to 255 visible ASCII characters.
pub fn parse_key(raw: &str) -> Result<String, FieldError> {
    let ok = (1..=255).contains(&raw.len()) && raw.chars().all(|c| c.is_ascii_graphic());
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(FieldError::new("Idempotency-Key", "invalid_idempotency_key", "Idempotency-Key must be 1 to 255 visible ASCII characters"))
    }
}

/// Fingerprint of a request: method, path and body.
pub fn request_hash(method: &str, path: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_bytes());
    h.update([0]);
    h.update(path.as_bytes());
    h.update([0]);
    h.update(body);
    hex(&h.finalize())
}

/// Claims `key` for this request, or says why not.
pub async fn begin(deps: &Deps, scope: &str, key: &str, request_hash: &str) -> Result<Begin, Unexpected> {
    let item_key = schema::idempotency_key(scope, key);
    crate::optimistic!(deps, "claiming idempotency key", Unexpected, {
        let now = deps.now();
        let existing = schema::load::<IdempotencyRecord>(deps.table.as_ref(), &item_key).await.context("reading idempotency key")?;
        let (version, cond, reserved) = match existing {
            Some(r) if r.value.expires_at > now => {
                if r.value.request_hash != request_hash {
                    return Ok(Attempt::Done(Begin::Conflict("this Idempotency-Key was used with a different request")));
                }
                return Ok(Attempt::Done(match r.value.response {
                    Some(resp) => Begin::Replay(reassemble(deps, &item_key, resp).await?),
                    None => Begin::InFlight { retry_after_secs: in_flight_wait(now.seconds_until(r.value.expires_at)) },
                }));
            }
            // A lapsed or released try of the same request keeps its reserved id.
            Some(r) if r.value.request_hash == request_hash && r.value.response.is_none() => {
                (r.version + 1, Cond::Version(r.version), r.value.reserved_id.as_deref().and_then(|u| uuid::Uuid::parse_str(u).ok()))
            }
            Some(r) => (r.version + 1, Cond::Version(r.version), None),
            None => (1, Cond::Absent, None),
        };
        let reserved_id = reserved.unwrap_or_else(|| deps.new_uuid());
        let claim = IdempotencyRecord {
            request_hash: request_hash.to_owned(),
            response: None,
            expires_at: now.plus_seconds(CLAIM_SECS),
            reserved_id: Some(reserved_id.to_string()),
        };
        let committed = deps
            .table
            .transact(vec![schema::put_expiring(item_key.clone(), version, cond, &claim)])
            .await
            .context("claiming idempotency key")?;
        Ok(crate::retry::settle(committed, || {
            Begin::Proceed(Claim { key: item_key.clone(), version, request_hash: request_hash.to_owned(), reserved_id })
        }))
    })
    .await
}

/// Tries of storing a response: the change is already made, so losing its answer would make the
/// client's retry run it again once the claim lapses. Only a store that is unavailable is tried
/// again: a write it rejected would be rejected every time.
const FINISH_TRIES: u32 = 3;

/// How long a request normally holds its key: a younger claim is most likely still running.
const LIKELY_RUNNING_SECS: i64 = 10;
/// What a client is told to wait for a claim that is most likely still running.
const RUNNING_RETRY_AFTER_SECS: u64 = 2;

/// The wait to announce for a claim that lapses in `left` seconds.
fn in_flight_wait(left: i64) -> u64 {
    let age = CLAIM_SECS - left;
    if age < LIKELY_RUNNING_SECS { RUNNING_RETRY_AFTER_SECS } else { u64::try_from(left.max(1)).unwrap_or(1) }
}

/// The most of a body one part item holds (an item holds 400 KB, with its key and attributes).
const PART_BYTES: usize = 300 * 1024;
/// Part items written per transaction (a transaction carries at most 4 MB).
const PARTS_PER_WRITE: usize = 10;

/// The key of a body's `n`th part, beside its record.
fn part_key(record: &crate::ports::Key, n: u32) -> crate::ports::Key {
    crate::ports::Key::new(record.pk.clone(), format!("PART#{n:04}"))
}

/// One part of a stored body.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct BodyPart {
    text: String,
}

/// Splits `s` into pieces of at most `max` bytes, on character boundaries.
fn split_at_most(s: &str, max: usize) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let mut end = rest.len().min(max);
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        parts.push(&rest[..end]);
        rest = &rest[end..];
    }
    parts
}

/// A stored response whose body is in parts, put back together.
async fn reassemble(deps: &Deps, record: &crate::ports::Key, mut resp: StoredResponse) -> Result<StoredResponse, Unexpected> {
    if resp.body_parts == 0 {
        return Ok(resp);
    }
    let keys: Vec<_> = (0..resp.body_parts).map(|n| part_key(record, n)).collect();
    let items = deps.table.get_many(&keys).await.context("reading a stored response")?;
    let mut body = String::new();
    for (key, item) in keys.into_iter().zip(items) {
        let Some(item) = item else {
            return Err(Unexpected {
                context: "reading a stored response",
                source: StoreError::Corrupt { key, reason: "a part is missing".into() },
            });
        };
        let part = schema::decode::<BodyPart>(item).context("reading a stored response")?;
        body.push_str(&part.value.text);
    }
    if resp.body_sha256.as_deref() != Some(hex(&Sha256::digest(body.as_bytes())).as_str()) {
        return Err(Unexpected {
            context: "reading a stored response",
            source: StoreError::Corrupt { key: record.clone(), reason: "its parts do not match its hash".into() },
        });
    }
    resp.body = body;
    resp.body_parts = 0;
    resp.body_sha256 = None;
    Ok(resp)
}

/// Stores the response for repeats, or (`None`: the request failed on our side, and may or may
/// not have committed) releases the key at once so the client's retry can run, keeping the
/// reserved id so that retry finds what an unanswered try wrote.
pub async fn finish(deps: &Deps, claim: Claim, mut response: Option<StoredResponse>) -> Result<(), Unexpected> {
    let now = deps.now();
    let expires_at = now.plus_seconds(RETENTION_SECS);
    // A body too large for the record goes first into part items (overwriting any a lapsed try
    // left), so a record that names parts always finds them.
    if let Some(resp) = response.as_mut().filter(|r| r.body.len() > PART_BYTES) {
        let parts: Vec<Write> = split_at_most(&resp.body, PART_BYTES)
            .into_iter()
            .enumerate()
            .map(|(n, text)| {
                let n = u32::try_from(n).unwrap_or(u32::MAX);
                schema::put_part(part_key(&claim.key, n), &BodyPart { text: text.to_owned() }, expires_at)
            })
            .collect();
        resp.body_parts = u32::try_from(parts.len()).unwrap_or(u32::MAX);
        resp.body_sha256 = Some(hex(&Sha256::digest(resp.body.as_bytes())));
        resp.body = String::new();
        for chunk in parts.chunks(PARTS_PER_WRITE) {
            write_patiently(deps, chunk.to_vec()).await?;
        }
    }
    let record = IdempotencyRecord {
        request_hash: claim.request_hash,
        expires_at: if response.is_some() { expires_at } else { now },
        response,
        reserved_id: Some(claim.reserved_id.to_string()),
    };
    let write = schema::put_expiring(claim.key, claim.version + 1, Cond::Version(claim.version), &record);
    // If the claim lapsed and someone else took the key, their record stands (a failed
    // condition is an answer, not an error).
    write_patiently(deps, vec![write]).await
}

/// Writes, trying again with pauses while the store is unavailable; a rejected write is not
/// tried again.
async fn write_patiently(deps: &Deps, writes: Vec<Write>) -> Result<(), Unexpected> {
    let mut n = 0;
    loop {
        match deps.table.transact(writes.clone()).await {
            Ok(_) => return Ok(()),
            Err(e @ StoreError::Unavailable(_)) if n + 1 < FINISH_TRIES => {
                tracing::warn!(cause = %e, "storing the idempotent response failed; trying again");
                deps.clock.sleep(crate::retry::pause(deps, n + 2)).await;
                n += 1;
            }
            Err(source) => return Err(Unexpected { context: "storing idempotent response", source }),
        }
    }
}
