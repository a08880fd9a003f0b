//! The `webhook` function: events from the bus's rule (via SQS) → the host application's
//! endpoint, signed per Standard Webhooks, retried with backoff (5 s to 10 h) for over a day,
//! then parked in the dead-letter queue.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    usher_lambda::events::run_webhook().await
}
