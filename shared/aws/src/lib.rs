//! Usher on its production parts: the DynamoDB table adapter and the SES v2 mailer. Both are
//! plain implementations of the domain's ports; everything Usher decides stays in the domain.

pub mod dynamo;
pub mod ses;

pub use dynamo::DynamoTable;
pub use ses::SesMailer;

use std::time::Duration;

/// SDK settings for calls made inside an API request: each attempt gets 2 s, the whole call
/// (with retries) 6 s, well inside API Gateway's 30 s, so a slow dependency becomes a clear
/// error instead of a gateway timeout.
pub fn sdk_timeouts() -> aws_config::timeout::TimeoutConfig {
    aws_config::timeout::TimeoutConfig::builder()
        .operation_attempt_timeout(Duration::from_secs(2))
        .operation_timeout(Duration::from_secs(6))
        .connect_timeout(Duration::from_secs(1))
        .build()
}

/// The shared SDK configuration from the standard AWS environment (region, credentials: the
/// function's role on Lambda, the operator's profile in the CLI) with `sdk_timeouts`.
pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest()).timeout_config(sdk_timeouts()).load().await
}
