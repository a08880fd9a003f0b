//! The `web` function: serves the console (`/`), the invitee's landing page (`/accept`), the
//! email-change confirmation (`/confirm-email`), their assets and `/config.json` on the API's
//! own origin (see `usher_web`). Sign-in settings are read once, at cold start.

use lambda_http::{Body, Error, Request, Response, service_fn};
use usher_web::{Files, SignIn, Site};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::tracing::init_default_subscriber();
    let sign_in = SignIn::from_env(|name| std::env::var(name).ok()).inspect_err(|e| {
        lambda_http::tracing::error!(error = %e, "the web function's sign-in settings are unusable");
    })?;
    let site: &'static Site = Box::leak(Box::new(Site::new(Files::Embedded, sign_in)));
    lambda_http::run(service_fn(move |req: Request| async move {
        let (parts, body) = site.answer(req.method(), req.uri().path(), req.headers()).await.into_parts();
        Ok::<_, Error>(Response::from_parts(parts, Body::from(body)))
    }))
    .await
}
