//! The `publish` function: the table's stream → the stage's EventBridge bus. Every audit event
//! (written in the transaction of the change it records) becomes one CloudEvent, in order; a
//! batch that cannot be published is retried from its first unpublished record.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    usher_lambda::events::run_publish().await
}
