//! The real clock and the real random source.

use usher_domain::ports::{Clock, Random};
use usher_domain::values::Timestamp;

/// The system clock (UTC).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

#[async_trait::async_trait]
impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_datetime(time::OffsetDateTime::now_utc())
    }
    async fn sleep(&self, duration: std::time::Duration) {
        tokio::time::sleep(duration).await;
    }
}

/// A fixed time, for "sweep as of" runs (`usher expire --now`).
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub Timestamp);

#[async_trait::async_trait]
impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
    }
    async fn sleep(&self, duration: std::time::Duration) {
        tokio::time::sleep(duration).await;
    }
}

/// The operating system's CSPRNG (getrandom). Tokens come from here.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

impl Random for OsRandom {
    fn fill(&self, buf: &mut [u8]) {
        // Without the OS random source no token can be safe: stopping is the only sound answer.
        #[expect(clippy::expect_used, reason = "no secure randomness means no safe tokens; fail loudly")]
        getrandom::fill(buf).expect("the operating system's random source failed");
    }
}
