//! `Idempotency-Key` for writes: the same key with the same request within 24 h answers the
//! first response and does nothing again; with another request it is a conflict.
//!
//! The key is claimed with a conditional write before the request runs, so two concurrent
//! requests with one key cannot both run: the second sees the claim and gets a conflict. A claim
//! whose request died is released after a minute.

use crate::context::Deps;
use crate::error::{Context, FieldError, Unexpected};
use crate::model::{IdempotencyRecord, StoredResponse};
use crate::ports::Cond;
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
    /// The same request is still running elsewhere: try again in a moment.
    InFlight,
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
                    Some(resp) => Begin::Replay(resp),
                    None => Begin::InFlight,
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
/// client's retry run it again once the claim lapses.
const FINISH_TRIES: u32 = 3;

/// Stores the response for repeats, or (`None`: the request failed on our side, and may or may
/// not have committed) releases the key at once so the client's retry can run, keeping the
/// reserved id so that retry finds what an unanswered try wrote.
pub async fn finish(deps: &Deps, claim: Claim, response: Option<StoredResponse>) -> Result<(), Unexpected> {
    let now = deps.now();
    let record = IdempotencyRecord {
        request_hash: claim.request_hash,
        expires_at: if response.is_some() { now.plus_seconds(RETENTION_SECS) } else { now },
        response,
        reserved_id: Some(claim.reserved_id.to_string()),
    };
    let write = schema::put_expiring(claim.key, claim.version + 1, Cond::Version(claim.version), &record);
    // If the claim lapsed and someone else took the key, their record stands (a failed
    // condition is an answer, not an error). A store that fails is tried again, with pauses.
    let mut n = 0;
    loop {
        match deps.table.transact(vec![write.clone()]).await.context("storing idempotent response") {
            Ok(_) => return Ok(()),
            Err(e) if n + 1 >= FINISH_TRIES => return Err(e),
            Err(e) => {
                tracing::warn!(cause = %e, "storing the idempotent response failed; trying again");
                deps.clock.sleep(crate::retry::pause(deps, n + 2)).await;
                n += 1;
            }
        }
    }
}
