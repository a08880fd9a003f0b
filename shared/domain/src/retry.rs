//! THE ONE RETRY LOOP for optimistic writes. A use case reads what its decision needs (with
//! versions), decides, and writes in one guarded transaction. If a condition fails, someone else
//! wrote first: the attempt answers `Attempt::Lost`, this loop waits a jittered, growing pause and
//! runs the attempt again, which re-reads and decides afresh — so a permanent reason (the member
//! already exists, no seat is left) is found on the re-read and becomes that use case's own
//! answer instead of a retry.
//!
//! Bounded in tries and in time: at most `MAX_ATTEMPTS` attempts and about 0.7 s of pauses in
//! all, far inside any function timeout (the store's own calls are bounded by its client's
//! timeouts). Past that the caller gets `503 unavailable` with `Retry-After`: contention is
//! transient, never our bug.

use crate::context::Deps;
use std::time::Duration;

/// What one attempt of an optimistic write concluded.
#[derive(Debug)]
pub enum Attempt<T> {
    /// Decided: written, or an answer that needs no write.
    Done(T),
    /// A condition failed (someone else wrote first): read again and decide again.
    Lost,
}

/// Most attempts of one optimistic write.
pub const MAX_ATTEMPTS: u32 = 8;
/// First pause's upper bound; each later pause may be twice as long, up to `MAX_PAUSE`.
const BASE_PAUSE_MS: u64 = 5;
/// Longest single pause.
const MAX_PAUSE_MS: u64 = 200;

/// The pause before attempt `n + 1`: uniformly random up to `min(MAX, BASE * 2^n)` ("full
/// jitter"), so writers that collided once do not collide again in lockstep.
pub fn pause(deps: &Deps, n: u32) -> Duration {
    let cap = (BASE_PAUSE_MS << n.min(10)).min(MAX_PAUSE_MS);
    let mut b = [0u8; 2];
    deps.random.fill(&mut b);
    Duration::from_millis(u64::from(u16::from_le_bytes(b)) % (cap + 1))
}

/// Runs an attempt (a block answering `Result<Attempt<T>, E>`) until it is `Done`, pausing
/// after each `Lost`; after `MAX_ATTEMPTS` losses it answers `unavailable` (`what` names the
/// write in the log). Evaluates to a future of `Result<T, E>`:
///
/// ```ignore
/// let saved = optimistic!(deps, "saving invitation", InviteError, {
///     let current = read(...).await?;           // every attempt reads afresh
///     if no_seat { return Err(InviteError::SeatLimitReached); }   // a permanent answer
///     Ok(settle(deps.table.transact(writes).await.context("saving")?, || value))
/// })
/// .await?;
/// ```
///
/// A macro rather than a function taking an async closure: the attempt borrows the use case's
/// locals, and futures of borrowing async closures cannot yet be proven `Send` for spawning.
#[macro_export]
macro_rules! optimistic {
    ($deps:expr, $what:expr, $err:ty, $attempt:block) => {
        async {
            let deps: &$crate::context::Deps = $deps;
            let mut lost: u32 = 0;
            loop {
                let attempt: ::core::result::Result<$crate::retry::Attempt<_>, $err> = async $attempt.await;
                match attempt {
                    Ok($crate::retry::Attempt::Done(t)) => break Ok(t),
                    Err(e) => break Err(e),
                    Ok($crate::retry::Attempt::Lost) => {
                        lost += 1;
                        ::tracing::debug!(what = $what, attempt = lost, "lost a race; deciding again");
                        if lost >= $crate::retry::MAX_ATTEMPTS {
                            ::tracing::warn!(what = $what, attempts = lost, "gave up after losing every race");
                            break Err(<$err>::from($crate::error::too_much_contention($what)));
                        }
                        deps.clock.sleep($crate::retry::pause(deps, lost - 1)).await;
                    }
                }
            }
        }
    };
}

/// `Committed` as an attempt's conclusion: written → `Done(value)`, condition failed → `Lost`.
pub fn settle<T>(committed: crate::ports::Committed, value: impl FnOnce() -> T) -> Attempt<T> {
    match committed {
        crate::ports::Committed::Yes => Attempt::Done(value()),
        crate::ports::Committed::ConditionFailed { .. } => Attempt::Lost,
    }
}
