//! Request budgets for the public token routes (lookup, renewal request): a fixed-window counter
//! per subject (a source address, a token's hash), kept as items in the table so that the limit
//! holds across every Lambda container and host process, not per process.
//!
//! Each window of each subject is one item, created on the first request of the window
//! (`Cond::Absent`) and counted up with `Cond::Version`, so concurrent requests never lose a
//! count. An item carries `expires_at` (the end of its window plus a margin) so DynamoDB's TTL
//! deletes it; nothing else ever reads an old window. A request over the budget writes nothing.

use crate::context::Deps;
use crate::error::{Context, Unexpected};
use crate::ports::{Committed, Cond, Item, Key, Write};
use crate::token::hex;
use sha2::{Digest, Sha256};

/// A budget: at most `max` requests per `window_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Requests allowed in one window.
    pub max: u32,
    /// Window length in seconds.
    pub window_secs: u32,
}

impl Limit {
    /// `max` requests a minute.
    pub const fn per_minute(max: u32) -> Self {
        Self { max, window_secs: 60 }
    }
}

/// Whether a request may go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Within budget (and counted).
    Allowed,
    /// Over budget: try again after this many seconds (≥ 1).
    Limited {
        /// Seconds until the window ends.
        retry_after: u64,
    },
}

/// Which counter: budgets of different kinds never share an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// Requests from one source address to the public token routes.
    Source,
    /// Requests carrying one invitation token (any token string, valid or not).
    Token,
}

impl Bucket {
    fn as_str(self) -> &'static str {
        match self {
            Bucket::Source => "src",
            Bucket::Token => "tok",
        }
    }
}

// =====================================================================================================
// !!! KEY SCHEMA ADDITION, kept here beside its only user (schema.rs lists every other key) !!!
//
//     rate-limit window   pk `RL#<bucket>#<sha256(subject), 32 hex>`   sk `W#<window start, unix s>`
//
// The subject (an IP address, a token) is hashed: keys never hold an address or a token, and
// never contain a `#` of their own. Items expire (TTL) one window after their window ends.
// The `RL#` prefix is the one the template's IAM and tests/iam.rs see for these writes.
// =====================================================================================================
/// THE KEY of one rate-limit window (see the block above).
pub fn rate_limit_key(bucket: Bucket, subject: &str, window_start: i64) -> Key {
    let digest = hex(&Sha256::digest(subject.as_bytes()));
    Key::new(format!("RL#{}#{}", bucket.as_str(), &digest[..32]), format!("W#{window_start}"))
}

/// Lost races on one counter before the request is simply told to slow down: so many
/// concurrent requests for one subject are over any sensible budget anyway.
const MAX_COUNT_ATTEMPTS: usize = 8;

#[derive(serde::Serialize, serde::Deserialize)]
struct Window {
    count: u32,
}

/// Counts one request of `subject` against `limit`, or says how long to wait.
pub async fn hit(deps: &Deps, bucket: Bucket, subject: &str, limit: Limit) -> Result<Verdict, Unexpected> {
    let window = i64::from(limit.window_secs.max(1));
    for _ in 0..MAX_COUNT_ATTEMPTS {
        let now = deps.now().unix();
        let start = now - now.rem_euclid(window);
        let retry_after = u64::try_from(start + window - now).unwrap_or(1).max(1);
        let key = rate_limit_key(bucket, subject, start);
        let existing = deps.table.get(&key).await.context("reading a rate-limit window")?;
        let (count, version, cond) = match existing {
            Some(item) => {
                let w: Window = serde_json::from_value(item.data).unwrap_or(Window { count: u32::MAX });
                (w.count, item.version + 1, Cond::Version(item.version))
            }
            None => (0, 1, Cond::Absent),
        };
        if count >= limit.max {
            return Ok(Verdict::Limited { retry_after });
        }
        let expires_at = crate::values::Timestamp::from_unix(start + 2 * window);
        let item = Item {
            key,
            version,
            index_keys: Vec::new(),
            expires_at,
            data: serde_json::to_value(Window { count: count + 1 }).unwrap_or_default(),
        };
        match deps.table.transact(vec![Write::Put { item, cond }]).await.context("counting a request")? {
            Committed::Yes => return Ok(Verdict::Allowed),
            Committed::ConditionFailed { .. } => continue,
        }
    }
    Ok(Verdict::Limited { retry_after: 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_hash_the_subject_and_name_the_window() {
        let k = rate_limit_key(Bucket::Source, "203.0.113.7", 1_800_000_000);
        assert!(k.pk.starts_with("RL#src#") && k.pk.len() == "RL#src#".len() + 32, "{k:?}");
        assert!(!k.pk.contains("203.0"));
        assert_eq!(k.sk, "W#1800000000");
        assert_ne!(rate_limit_key(Bucket::Token, "203.0.113.7", 1_800_000_000).pk, k.pk);
    }
}
