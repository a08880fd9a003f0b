//! The `feedback` function: SES bounce and complaint events (the configuration set's SNS
//! destination) → `bounced` / `complained` on the invitation's delivery, and an event.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    usher_lambda::events::run_feedback().await
}
