//! The `expire` function: runs the sweep on each EventBridge schedule event.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    usher_lambda::run_sweep().await
}
