//! Usher on its production parts: the DynamoDB table adapter (and its stream's records), the
//! SES v2 mailer (and its bounce reports), the SQS delivery queue, S3 exports, and the
//! EventBridge bus events go to. All are plain implementations of the domain's ports; everything Usher decides stays in the domain.

pub mod dynamo;
#[cfg(feature = "events")]
pub mod events;
pub mod s3;
pub mod ses;
pub mod sqs;

pub use dynamo::DynamoTable;
#[cfg(feature = "events")]
pub use events::EventBus;
pub use s3::S3Files;
pub use ses::SesMailer;
pub use sqs::SqsQueue;

pub use aws_config::SdkConfig;
use std::time::Duration;

/// Longest a single SDK call may take, retries included. A request makes a few calls in a row;
/// several of these still fit well inside the functions' 10 s timeout (`template.yaml`), so a
/// dead or throttling dependency answers `503 unavailable`, never a Lambda timeout.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(4);

/// SDK settings for calls made inside an API request: 1 s to connect, 2 s per attempt, 4 s for
/// the whole call with its retries, so a slow dependency becomes a clear error instead of a
/// gateway timeout.
pub fn sdk_timeouts() -> aws_config::timeout::TimeoutConfig {
    aws_config::timeout::TimeoutConfig::builder()
        .operation_attempt_timeout(Duration::from_secs(2))
        .operation_timeout(OPERATION_TIMEOUT)
        .connect_timeout(Duration::from_secs(1))
        .build()
}

/// Longest a single SDK call of a background worker (`deliver`, `expire`) may take, retries
/// included. Nobody waits on these: an 8 MiB UploadPart or a busy table gets time, while a
/// dead dependency still fails the job well inside the functions' timeouts (120 s and 60 s),
/// and the work is queued again (SQS redelivery, the sweep).
pub const BACKGROUND_OPERATION_TIMEOUT: Duration = Duration::from_secs(20);

/// SDK settings for background work: 2 s to connect, 8 s per attempt, `BACKGROUND_OPERATION_TIMEOUT`
/// for the call.
pub fn background_sdk_timeouts() -> aws_config::timeout::TimeoutConfig {
    aws_config::timeout::TimeoutConfig::builder()
        .operation_attempt_timeout(Duration::from_secs(8))
        .operation_timeout(BACKGROUND_OPERATION_TIMEOUT)
        .connect_timeout(Duration::from_secs(2))
        .build()
}

/// SDK retries: up to 3 attempts for what the SDK deems transient (throttling, 5xx, timeouts,
/// refused connections), with a short jittered backoff (0.1 s, then up to 1 s), so the retries
/// fit inside `OPERATION_TIMEOUT` instead of the SDK's default backoff of up to 20 s.
pub fn sdk_retries() -> aws_config::retry::RetryConfig {
    aws_config::retry::RetryConfig::standard()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(100))
        .with_max_backoff(Duration::from_secs(1))
}

/// The shared SDK configuration from the standard AWS environment (region, credentials: the
/// function's role on Lambda, the operator's profile in the CLI) with `sdk_timeouts` and
/// `sdk_retries`.
pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest()).timeout_config(sdk_timeouts()).retry_config(sdk_retries()).load().await
}

/// The same for a background worker: `background_sdk_timeouts`.
pub async fn background_sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .timeout_config(background_sdk_timeouts())
        .retry_config(sdk_retries())
        .load()
        .await
}

/// A background worker's configuration with `attempt` per SDK attempt (and the call's budget
/// widened to match): for local runs against a server far slower than AWS, never on AWS.
pub async fn background_sdk_config_with(attempt: Duration) -> aws_config::SdkConfig {
    let timeouts = aws_config::timeout::TimeoutConfig::builder()
        .operation_attempt_timeout(attempt)
        .operation_timeout((attempt * 3).max(BACKGROUND_OPERATION_TIMEOUT))
        .connect_timeout(Duration::from_secs(2))
        .build();
    aws_config::defaults(aws_config::BehaviorVersion::latest()).timeout_config(timeouts).retry_config(sdk_retries()).load().await
}
