//! The baseline of the cold-start benchmark (`tests/benches/cold_start.rs`): a Lambda function
//! that does nothing but answer, built with the same runtime crate and release profile as
//! Usher's functions. What a real function adds on top of this is Usher's own init.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let echo = |event: lambda_runtime::LambdaEvent<serde_json::Value>| async move { Ok::<_, lambda_runtime::Error>(event.payload) };
    lambda_runtime::run(lambda_runtime::service_fn(echo)).await
}
