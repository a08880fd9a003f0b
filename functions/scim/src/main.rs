//! The `scim` function: a tenant's identity provider provisions its directory over SCIM 2.0
//! (see `usher_scim`); the bearer is the tenant's SCIM token, checked by the function.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    usher_lambda::run_scim().await
}
