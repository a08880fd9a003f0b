//! The `web` function: serves the console (`/`), the invitee's landing page (`/accept`), the
//! email-change confirmation (`/confirm-email`), their assets and `/config.json` on the API's
//! own origin (see `usher_web`). Sign-in settings are read once, at cold start: explicit
//! endpoints, or `USHER_OIDC_ISSUER` + `USHER_OIDC_CLIENT_ID` and the issuer's discovery document.

use lambda_http::{Body, Error, Request, Response, service_fn};
use usher_web::{Discovered, Files, SignIn, Site};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::tracing::init_default_subscriber();
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    // `USHER_OIDC_ISSUER` without an authorization endpoint: the endpoints come from the
    // issuer's discovery document (its `issuer` checked), read once here.
    let discovered = match (var("USHER_OIDC_ISSUER"), var("USHER_OIDC_AUTHORIZATION_ENDPOINT")) {
        (Some(issuer), None) => {
            let d = usher_http::oidc::discover(&issuer).await.inspect_err(|e| {
                lambda_http::tracing::error!(error = %e, "could not read the issuer's discovery document");
            })?;
            Some(Discovered {
                authorization_endpoint: d.authorization_endpoint,
                token_endpoint: d.token_endpoint,
                end_session_endpoint: d.end_session_endpoint,
            })
        }
        _ => None,
    };
    let sign_in = SignIn::from_env_or_discovered(var, discovered.as_ref()).inspect_err(|e| {
        lambda_http::tracing::error!(error = %e, "the web function's sign-in settings are unusable");
    })?;
    let site: &'static Site = Box::leak(Box::new(Site::new(Files::Embedded, sign_in)));
    lambda_http::run(service_fn(move |req: Request| async move {
        let (parts, body) = site.answer(req.method(), req.uri().path(), req.headers()).await.into_parts();
        Ok::<_, Error>(Response::from_parts(parts, Body::from(body)))
    }))
    .await
}
