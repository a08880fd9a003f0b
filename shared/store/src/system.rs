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

/// Now as unix seconds (the change log's retention, webhook timestamps).
pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

/// Creates `path` with `content`, readable by its owner only (a data dir's secrets). Fails with
/// `AlreadyExists` if it is there: another process created it first, and its copy wins.
pub fn create_private(path: &std::path::Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(content.as_bytes())
}
