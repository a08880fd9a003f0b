//! `usher serve`: the whole API over HTTP on 127.0.0.1, through the same `App` the Lambda
//! functions host.

use crate::local::{LOCAL_AUDIENCE, LOCAL_ISSUER, LocalEnv};
use axum::body::Body;
use axum::extract::State;
use axum::response::Response;
use bytes::Bytes;
use std::path::PathBuf;
use std::sync::Arc;
use usher_domain::ErrorCode;
use usher_http::{App, Hs256Verifier, HttpConfig, Problem, RequestContext};

/// The landing page links point to when none is given (a local front end's usual address).
pub const DEFAULT_ACCEPT_URL: &str = "http://localhost:3000/accept";

pub struct ServeOptions {
    pub port: u16,
    pub data_dir: PathBuf,
    pub accept_url: String,
    pub cors_origins: Vec<String>,
}

pub async fn serve(opts: ServeOptions) -> Result<(), String> {
    let env = LocalEnv::open(&opts.data_dir, None, Some(&opts.accept_url))?;
    let verifier = Arc::new(Hs256Verifier::new(&env.secret, LOCAL_ISSUER, LOCAL_AUDIENCE, true));
    let config = HttpConfig { cors_origins: opts.cors_origins, ..HttpConfig::default() };
    let app = App::new(env.deps.clone(), verifier, config);
    let router = axum::Router::new().fallback(handle).with_state(app);
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], opts.port));
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    tracing::info!("Usher listening on http://{addr} (data: {}, outbox: {})", opts.data_dir.display(), env.outbox.display());
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| format!("server stopped: {e}"))
}

async fn handle(State(app): State<App>, req: axum::extract::Request) -> Response {
    let mut id = [0u8; 16];
    usher_domain::ports::Random::fill(&usher_store::OsRandom, &mut id);
    let ctx = RequestContext { request_id: usher_domain::token::hex(&id), iam_operator: false };
    let (parts, body) = req.into_parts();
    let limit = 1024 * 1024;
    let resp = match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => app.handle(http::Request::from_parts(parts, bytes), ctx).await,
        Err(_) => Problem::new(ErrorCode::PayloadTooLarge, format!("the body may be at most {limit} bytes")).into_response(&ctx.request_id),
    };
    let (parts, body): (_, Bytes) = resp.into_parts();
    Response::from_parts(parts, Body::from(body))
}
