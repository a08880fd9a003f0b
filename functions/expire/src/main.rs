//! The `expire` function: runs the sweep on each EventBridge schedule event.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    usher_lambda::init_tracing();
    let config = usher_lambda::Config::from_env()?;
    let ports = usher_lambda::Ports::build(&config).await?;
    lambda_runtime::run(lambda_runtime::service_fn(move |_event: lambda_runtime::LambdaEvent<serde_json::Value>| {
        usher_lambda::sweep(ports.deps.clone())
    }))
    .await
}
