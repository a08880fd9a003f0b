//! The `export` function: serves its routes of the API (see `usher_http::routes`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    usher_lambda::init_tracing();
    let config = usher_lambda::Config::from_env()?;
    let ports = usher_lambda::Ports::build(&config).await?;
    let app = ports.app("export");
    lambda_http::run(lambda_http::service_fn(move |req| usher_lambda::serve(app.clone(), req))).await
}
