//! The `deliver` function: sends the emails queued in SQS, reporting the messages it could not
//! process so SQS offers only those again (and moves them to the dead-letter queue after five).

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    usher_lambda::run_deliver().await
}
