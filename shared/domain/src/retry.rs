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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Settings;
    use crate::error::{ErrorCode, Unexpected};
    use crate::ports::{
        Clock, Committed, DeliveryJob, DeliveryQueue, Item, Key, MailError, Mailer, OutgoingEmail, Page, Query, QueueError, Random,
        StoreError, Table, Write,
    };
    use crate::values::Timestamp;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, Mutex};

    /// Ports these tests never reach: the attempts below decide without a store.
    struct Unused;

    #[async_trait::async_trait]
    impl Table for Unused {
        async fn get(&self, _: &Key) -> Result<Option<Item>, StoreError> {
            unreachable!("no store in a retry test")
        }
        async fn query(&self, _: &Query) -> Result<Page, StoreError> {
            unreachable!("no store in a retry test")
        }
        async fn transact(&self, _: Vec<Write>) -> Result<Committed, StoreError> {
            unreachable!("no store in a retry test")
        }
    }

    #[async_trait::async_trait]
    impl Mailer for Unused {
        async fn send(&self, _: &OutgoingEmail) -> Result<(), MailError> {
            unreachable!("no mail in a retry test")
        }
    }

    #[async_trait::async_trait]
    impl DeliveryQueue for Unused {
        async fn enqueue(&self, _: &[DeliveryJob]) -> Result<(), QueueError> {
            unreachable!("no queue in a retry test")
        }
    }

    /// A clock whose `sleep` returns at once and records the pause, so the total time the loop
    /// would have waited is measured exactly.
    #[derive(Default)]
    struct RecordingClock {
        pauses: Mutex<Vec<Duration>>,
    }

    #[async_trait::async_trait]
    impl Clock for RecordingClock {
        fn now(&self) -> Timestamp {
            Timestamp::parse("2026-11-23T09:00:00Z").expect("time")
        }
        async fn sleep(&self, duration: Duration) {
            self.pauses.lock().expect("pauses").push(duration);
        }
    }

    /// Randomness that counts: each `fill` writes the next number (little-endian), so pauses
    /// walk through every draw a real source could give.
    #[derive(Default)]
    struct Counting(AtomicU64);

    impl Random for Counting {
        fn fill(&self, buf: &mut [u8]) {
            let n = self.0.fetch_add(1, Ordering::SeqCst).to_le_bytes();
            for (i, b) in buf.iter_mut().enumerate() {
                *b = n.get(i).copied().unwrap_or(0);
            }
        }
    }

    /// Randomness stuck on one byte value.
    struct Fixed(u8);

    impl Random for Fixed {
        fn fill(&self, buf: &mut [u8]) {
            buf.fill(self.0);
        }
    }

    fn deps(clock: Arc<RecordingClock>, random: Arc<dyn Random>) -> Deps {
        Deps::new(Arc::new(Unused), Arc::new(Unused), Arc::new(Unused), clock, random, Settings::default())
    }

    /// Polls a future that never waits on anything (the recording clock's sleeps are instant).
    fn ready<F: std::future::Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match future.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(out) => out,
            std::task::Poll::Pending => panic!("the retry loop waited on something other than the clock"),
        }
    }

    /// Runs an optimistic write whose attempts lose `losses` times and then win; answers the
    /// outcome and how many attempts ran.
    fn race(deps: &Deps, losses: u32) -> (Result<&'static str, Unexpected>, u32) {
        let mut attempts = 0;
        let out = ready(crate::optimistic!(deps, "racing in a test", Unexpected, {
            attempts += 1;
            Ok(if attempts > losses { Attempt::Done("won") } else { Attempt::Lost })
        }));
        (out, attempts)
    }

    #[test]
    fn a_write_that_loses_every_race_gives_up_with_503_unavailable_and_retry_after_within_its_time_bound() {
        for random in [Arc::new(Fixed(0xFF)) as Arc<dyn Random>, Arc::new(Fixed(0)), Arc::new(Counting::default())] {
            let clock = Arc::new(RecordingClock::default());
            let (out, attempts) = race(&deps(clock.clone(), random), u32::MAX);
            let err = out.expect_err("it gives up");
            let ErrorCode::Unavailable { retry_after } = err.code() else { panic!("503 unavailable, not {:?}", err.code()) };
            assert!(retry_after >= 1, "a Retry-After a client can use: {retry_after}");
            assert_eq!(attempts, MAX_ATTEMPTS, "bounded in tries");
            let pauses = clock.pauses.lock().expect("pauses").clone();
            assert_eq!(pauses.len() as u32, MAX_ATTEMPTS - 1, "a pause between attempts, none after giving up");
            let waited: Duration = pauses.iter().sum();
            assert!(waited <= Duration::from_millis(700), "bounded in time: {waited:?} of pauses");
        }
    }

    #[test]
    fn the_longest_a_losing_write_can_wait_in_all_is_well_inside_a_function_timeout() {
        // Every draw at its cap: the worst case of the whole loop.
        let worst: Duration = (0..MAX_ATTEMPTS - 1).map(|n| Duration::from_millis((BASE_PAUSE_MS << n).min(MAX_PAUSE_MS))).sum();
        assert!(worst <= Duration::from_millis(700), "{worst:?}");
        for n in 0..MAX_ATTEMPTS - 1 {
            let cap = (BASE_PAUSE_MS << n).min(MAX_PAUSE_MS);
            let at_cap = (0..=u16::MAX as u64).find(|d| d % (cap + 1) == cap).expect("a draw at the cap");
            let random = Arc::new(Counting(AtomicU64::new(at_cap)));
            assert_eq!(pause(&deps(Arc::default(), random), n), Duration::from_millis(cap), "pause {n} reaches its cap");
        }
    }

    #[test]
    fn a_write_that_loses_then_wins_answers_the_win_after_one_pause_per_loss() {
        let clock = Arc::new(RecordingClock::default());
        let (out, attempts) = race(&deps(clock.clone(), Arc::new(Counting::default())), 3);
        assert_eq!((out.expect("won"), attempts), ("won", 4));
        assert_eq!(clock.pauses.lock().expect("pauses").len(), 3);
    }

    #[test]
    fn pauses_are_jittered_over_the_whole_range_up_to_a_cap_that_grows_and_then_stops_growing() {
        let mut caps = Vec::new();
        for n in 0..12 {
            let random = Arc::new(Counting::default());
            let deps = deps(Arc::default(), random);
            let draws: Vec<u64> = (0..1000).map(|_| pause(&deps, n).as_millis() as u64).collect();
            let (lo, hi) = (draws.iter().min().copied().unwrap_or(0), draws.iter().max().copied().unwrap_or(0));
            let distinct = draws.iter().collect::<std::collections::BTreeSet<_>>().len() as u64;
            assert_eq!(lo, 0, "full jitter starts at no pause (attempt {n})");
            assert_eq!(distinct, hi + 1, "every pause from 0 to the cap occurs (attempt {n}): writers spread out");
            caps.push(hi);
        }
        assert_eq!(caps[..6], [5, 10, 20, 40, 80, 160], "the cap doubles");
        assert!(caps[6..].iter().all(|&c| c == MAX_PAUSE_MS), "and stops at {MAX_PAUSE_MS} ms: {caps:?}");
    }

    #[test]
    fn settle_reads_a_commit_as_done_and_a_failed_condition_as_a_lost_race() {
        assert!(matches!(settle(Committed::Yes, || 7), Attempt::Done(7)));
        assert!(matches!(settle(Committed::ConditionFailed { at: 0 }, || 7), Attempt::Lost));
    }
}
