//! The `resend` function: serves its routes of the API (see `usher_http::routes`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    usher_lambda::run_http("resend").await
}
