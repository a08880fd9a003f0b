//! Request budgets for the public token routes (lookup, renewal request): a fixed-window counter
//! per subject (a source address, a token's hash), kept as items in the table so that the limit
//! holds across every Lambda container and host process, not per process.
//!
//! Each window of each subject is one item, created on the first request of the window
//! (`Cond::Absent`) and counted up with a count write that holds only below the budget, so
//! concurrent requests never lose a count and never conflict with each other. An item carries `expires_at` (the end of its window plus a margin) so DynamoDB's TTL
//! deletes it; nothing else ever reads an old window. A request over the budget writes nothing.

use crate::context::Deps;
use crate::error::{Context, Unexpected};
use crate::ports::{Committed, Cond, Expect, Item, Key, Write};
use crate::retry::{Attempt, settle};
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
    /// Requests of one signed-in person (by their identity provider's subject) to a throttled
    /// route that needs a sign-in (redeeming a join link, confirming an address).
    Person,
    /// Requests carrying one invitation token (any token string, valid or not).
    Token,
    /// Requests carrying one join-link token (any token string, valid or not).
    JoinToken,
    /// SCIM requests made with one tenant's SCIM token (by its id: counted after the token is
    /// known to be one).
    ScimToken,
}

impl Bucket {
    fn as_str(self) -> &'static str {
        match self {
            Bucket::Source => "src",
            Bucket::Person => "person",
            Bucket::Token => "tok",
            Bucket::ScimToken => "scim",
            Bucket::JoinToken => "join",
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

#[derive(serde::Serialize, serde::Deserialize)]
struct Window {
    count: u32,
}

/// Counts one request of `subject` against `limit`, or says how long to wait.
///
/// One round trip in the steady state: a count write that adds 1 only while the window's count
/// is below the budget. When that fails, the window is either full (the answer) or not created
/// yet (create it under `Absent`; losing that race to a parallel first request means counting
/// again, through the one retry loop).
pub async fn hit(deps: &Deps, bucket: Bucket, subject: &str, limit: Limit) -> Result<Verdict, Unexpected> {
    let window = i64::from(limit.window_secs.max(1));
    let now = deps.now().unix();
    let start = now - now.rem_euclid(window);
    let retry_after = u64::try_from(start + window - now).unwrap_or(1).max(1);
    let key = rate_limit_key(bucket, subject, start);
    let count_field = || vec!["count".to_owned()];
    crate::optimistic!(deps, "counting a request", Unexpected, {
        let counted = Write::Count {
            key: key.clone(),
            add: vec![(count_field(), 1)],
            expect: vec![Expect::AtMost(count_field(), i64::from(limit.max) - 1)],
        };
        if deps.table.transact(vec![counted]).await.context("counting a request")? == Committed::Yes {
            return Ok(Attempt::Done(Verdict::Allowed));
        }
        if let Some(window) = deps.table.get(&key).await.context("reading a rate-limit window")? {
            // Full: the answer. Not full: a parallel first request created the window between
            // the count and this read; count again.
            if crate::ports::number_at(&window.data, &count_field()) >= i64::from(limit.max) {
                return Ok(Attempt::Done(Verdict::Limited { retry_after }));
            }
            return Ok(Attempt::Lost);
        }
        if limit.max == 0 {
            return Ok(Attempt::Done(Verdict::Limited { retry_after }));
        }
        let first = Item {
            key: key.clone(),
            version: 1,
            index_keys: Vec::new(),
            expires_at: crate::values::Timestamp::from_unix(start + 2 * window),
            data: serde_json::to_value(Window { count: 1 }).unwrap_or_default(),
        };
        let created = deps.table.transact(vec![Write::Put { item: first, cond: Cond::Absent }]).await.context("counting a request")?;
        Ok(settle(created, || Verdict::Allowed))
    })
    .await
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
