//! `usher serve`: the whole API over HTTP on 127.0.0.1, through the same `App` the Lambda
//! functions host.

use crate::local::{LOCAL_AUDIENCE, LOCAL_ISSUER, LocalEnv};
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::response::Response;
use bytes::Bytes;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use usher_domain::usecases::rate_limit::Limit;
use usher_http::{App, Hs256Verifier, HttpConfig, RateLimits, Refusal, RequestContext, SourceIp};

/// The landing page links point to when none is given: the one `usher serve` itself serves on
/// its default port.
pub const DEFAULT_ACCEPT_URL: &str = "http://127.0.0.1:8080/accept";

/// The landing page of a server on `port` (`usher serve --port` without `--accept-url`).
pub fn accept_url_on(port: u16) -> String {
    format!("http://127.0.0.1:{port}/accept")
}

/// The development sign-in only `usher serve` has: an email in, a signed JWT out (what the
/// stack's hosted sign-in does for real). The console's local "Sign in" form posts here.
pub const DEV_SIGN_IN_PATH: &str = "/dev/sign-in";

/// Development only: the signed-in person creates a tenant they own (`{"name"}`), what the
/// SaaS backend does over the IAM-authorised API on the stack. Locally the developer is both,
/// and the console's "You are not in a tenant yet" offers it instead of pointing at the README.
pub const DEV_TENANTS_PATH: &str = "/dev/tenants";

/// How long a development sign-in lasts.
const DEV_SIGN_IN_HOURS: u32 = 12;

pub struct ServeOptions {
    pub port: u16,
    pub data_dir: PathBuf,
    pub accept_url: String,
    pub cors_origins: Vec<String>,
    /// Public token requests (lookup, renewal request) a minute from one address.
    pub per_source_per_minute: u32,
    /// Public token requests a minute carrying one token.
    pub per_token_per_minute: u32,
    /// The delivery worker's pace (0: unpaced).
    pub send_rate_per_second: u32,
    /// The web client's files.
    pub web: usher_web::Files,
    /// Sign people in through an OIDC provider instead of the development sign-in.
    pub oidc: Option<OidcProvider>,
    /// The host application's webhook endpoint (events are POSTed there, signed).
    pub webhook_url: Option<String>,
    /// Pauses between webhook attempts (`None`: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h).
    pub webhook_retry_after: Option<Vec<std::time::Duration>>,
    /// The DNS server verified domains are looked up at (`None`: the host's resolver).
    pub dns_server: Option<SocketAddr>,
}

/// An OIDC provider `serve` trusts instead of its own development tokens: the API verifies
/// its ID tokens (RS256 keys from `jwks_url`, `iss` = `issuer`, `aud` = the client id) and the
/// pages sign in with the authorization code flow and PKCE, as they do on the stack.
pub struct OidcProvider {
    pub issuer: String,
    pub jwks_url: String,
    /// Asked for the email of a person whose ID token has none (`POST /v1/me/userinfo`).
    pub userinfo_url: Option<String>,
    pub client: usher_web::OidcClient,
}

/// How often `serve` runs the sweep (as the stack's schedule does).
const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// What `serve` hands each request: the app, the body limit it enforces while reading, and
/// the export files its one-time download links open.
#[derive(Clone)]
struct Served {
    app: App,
    /// SCIM 2.0 at `/scim/v2` (its own errors, its own bearer: a tenant's SCIM token).
    scim: usher_scim::ScimApp,
    max_body_bytes: usize,
    files: Arc<usher_store::LocalFiles>,
    web: Arc<usher_web::Site>,
    /// Signs development sign-ins (`DEV_SIGN_IN_PATH`).
    env: Arc<LocalEnv>,
    /// Whether that route and `DEV_TENANTS_PATH` exist (not when an OIDC provider signs people in).
    dev_sign_in: bool,
    /// Checks the Bearer on `DEV_TENANTS_PATH` (the API's own verifier).
    verifier: Arc<dyn usher_http::TokenVerifier>,
}

pub async fn serve(opts: ServeOptions) -> Result<(), String> {
    let mut env = LocalEnv::open(&opts.data_dir, None, Some(&opts.accept_url))?;
    let addr = SocketAddr::from(([127, 0, 0, 1], opts.port));
    // Large exports are written under <data dir>/exports and fetched through one-time links.
    let files = Arc::new(usher_store::LocalFiles::new(&opts.data_dir, &format!("http://{addr}")));
    env.deps = env.deps.clone().with_files(files.clone());
    if let Some(server) = opts.dns_server {
        let dns = usher_dns::HickoryTxt::at(server).map_err(|e| format!("--dns-server {server}: {e}"))?;
        env.deps = env.deps.clone().with_dns(Arc::new(dns));
    }
    let mut userinfo: Option<Arc<dyn usher_http::oidc::UserInfoSource>> = None;
    let (verifier, sign_in): (Arc<dyn usher_http::TokenVerifier>, _) = match opts.oidc {
        None => (Arc::new(Hs256Verifier::new(&env.secret, LOCAL_ISSUER, LOCAL_AUDIENCE, true)), usher_web::SignIn::Development),
        Some(provider) => {
            let jwks = usher_http::jwks::JwksVerifier::new(
                provider.jwks_url.clone(),
                provider.issuer.clone(),
                provider.client.client_id.clone(),
                vec![usher_http::jwks::Algorithm::RS256],
            );
            if let Err(e) = jwks.prime().await {
                tracing::warn!(error = %e, url = %provider.jwks_url, "could not fetch the identity provider's keys yet; will retry on demand");
            }
            if let Some(url) = &provider.userinfo_url {
                userinfo = Some(Arc::new(usher_http::oidc::HttpUserInfo::new(url).map_err(|e| format!("the userinfo endpoint: {e}"))?));
            }
            tracing::info!(issuer = %provider.issuer, "people sign in at the OIDC provider (the development sign-in is off)");
            (Arc::new(jwks), usher_web::SignIn::Oidc(provider.client))
        }
    };
    let dev_sign_in = matches!(sign_in, usher_web::SignIn::Development);
    let web = Arc::new(usher_web::Site::new(opts.web, sign_in));
    let config = HttpConfig { cors_origins: opts.cors_origins, ..HttpConfig::default() };
    let max_body_bytes = config.max_body_bytes;
    let limits =
        RateLimits { per_source: Limit::per_minute(opts.per_source_per_minute), per_token: Limit::per_minute(opts.per_token_per_minute) };
    let mut app = App::new(env.deps.clone(), verifier.clone(), config).with_rate_limits(limits);
    if let Some(source) = userinfo {
        app = app.with_userinfo(source);
    }
    // The two background tasks the stack runs as functions: the delivery worker (`deliver`)
    // and the sweep every minute (`expire`; the first run queues again whatever an earlier
    // process left pending).
    env.queue.start(env.deps.clone(), opts.send_rate_per_second);
    // Emails an earlier process queued and never sent (it crashed, or was stopped) go at once,
    // not when the sweep finds them after their grace.
    match usher_domain::usecases::delivery::unclaimed_jobs(&env.deps, RECOVER_AT_START).await {
        Ok(jobs) if !jobs.is_empty() => {
            tracing::info!(jobs = jobs.len(), "queueing the emails an earlier process left unsent");
            usher_domain::usecases::delivery::enqueue(&env.deps, jobs).await;
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "could not read the emails left unsent; the sweep will queue them"),
    }
    // Events: every change in the change log (this process's or another's, such as the CLI's
    // sweep) goes to <data-dir>/events.jsonl and, with --webhook-url, to the host application.
    let store = env.sqlite.clone().ok_or("serve runs on the embedded store")?;
    let publisher = usher_store::Publisher::new(store, &opts.data_dir, "local");
    tracing::info!("events are appended to {}", publisher.events_file().display());
    if let Some(url) = &opts.webhook_url {
        let endpoint = Arc::new(usher_http::HttpWebhookEndpoint::new(url)?);
        let secret = usher_store::publish::load_or_create_webhook_secret(&opts.data_dir)?;
        tracing::info!("events are POSTed to {url}, signed with the secret in {}", opts.data_dir.join("webhook-secret").display());
        let target = usher_store::WebhookTarget { endpoint, secret, retry_after: opts.webhook_retry_after.clone() };
        tokio::spawn(publisher.clone().run_webhooks(target));
    }
    tokio::spawn(publisher.run_file());
    let sweeper = env.deps.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(SWEEP_EVERY);
        loop {
            every.tick().await;
            if let Err(e) = usher_domain::usecases::expire::sweep(&sweeper).await {
                tracing::error!(error = %e, "sweep failed; the next one runs in a minute");
            }
        }
    });
    let outbox = env.outbox.clone();
    let env = Arc::new(env);
    let scim = usher_scim::ScimApp::new(env.deps.clone());
    let router =
        axum::Router::new().fallback(handle).with_state(Served { app, scim, max_body_bytes, files, web, env, dev_sign_in, verifier });
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    tracing::info!("Usher listening on http://{addr} (data: {}, outbox: {})", opts.data_dir.display(), outbox.display());
    // The peer's address reaches each request (ConnectInfo): the public token routes' budget
    // is per source address.
    // Ctrl-C or SIGTERM (what process managers and containers send): stop accepting, let the
    // requests under way finish (a bulk call writes all its rows and answers), for at most
    // `DRAIN_BOUND`.
    let (stopping, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(async {
        stop_signal().await;
        tracing::info!("stopping: finishing the requests under way (at most {} s)", DRAIN_BOUND.as_secs());
        let _ = stopping.send(());
    });
    tokio::select! {
        served = server => served.map_err(|e| format!("server stopped: {e}")),
        () = async {
            let _ = stopped.await;
            tokio::time::sleep(DRAIN_BOUND).await;
        } => {
            tracing::warn!("requests still under way after {} s were cut off", DRAIN_BOUND.as_secs());
            Ok(())
        }
    }
}

/// How long a stopping server waits for the requests under way (a 1000-row bulk call takes a
/// few seconds; a process manager's own grace is usually 10 to 30 s).
const DRAIN_BOUND: std::time::Duration = std::time::Duration::from_secs(25);

/// Most due-index entries read at start to find emails left unsent.
const RECOVER_AT_START: usize = 100_000;

/// Ctrl-C, or SIGTERM on Unix.
async fn stop_signal() {
    #[cfg(unix)]
    {
        let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) else {
            let _ = tokio::signal::ctrl_c().await;
            return;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

async fn handle(State(served): State<Served>, ConnectInfo(peer): ConnectInfo<SocketAddr>, req: axum::extract::Request) -> Response {
    if req.method() == http::Method::GET
        && let Some(token) = req.uri().path().strip_prefix(usher_store::files::DOWNLOAD_PATH)
    {
        return download(&served.files, token).await;
    }
    if req.method() == http::Method::GET
        && !req.uri().path().starts_with("/v1/")
        && let Some(page) = served.web.get_for(req.uri().path(), req.headers()).await
    {
        let (parts, body) = page.into_parts();
        return Response::from_parts(parts, Body::from(body));
    }
    let mut id = [0u8; 16];
    usher_domain::ports::Random::fill(&usher_store::OsRandom, &mut id);
    let ctx = RequestContext { request_id: usher_domain::token::hex(&id), iam_operator: false };
    if req.method() == http::Method::POST && req.uri().path() == DEV_SIGN_IN_PATH && served.dev_sign_in {
        return dev_sign_in(&served.env, req, &ctx.request_id).await;
    }
    if req.method() == http::Method::POST && req.uri().path() == DEV_TENANTS_PATH && served.dev_sign_in {
        return dev_create_tenant(&served, req, &ctx.request_id).await;
    }
    if usher_scim::ScimApp::serves(req.uri().path()) {
        let (parts, body) = req.into_parts();
        let resp = match axum::body::to_bytes(body, served.max_body_bytes).await {
            Ok(bytes) => served.scim.handle(http::Request::from_parts(parts, bytes), &ctx.request_id).await,
            Err(_) => served.app.refuse(Refusal::BodyTooLarge { limit: served.max_body_bytes }, &parts.headers, &ctx),
        };
        let (parts, body) = resp.into_parts();
        return Response::from_parts(parts, Body::from(body));
    }
    let (mut parts, body) = req.into_parts();
    parts.extensions.insert(SourceIp(peer.ip()));
    // Kept for the answer's compression (the request itself is handed over).
    let accept_encoding = accept_encoding(&parts.headers);
    // The route's own limit is checked once it is known; this one bounds what is read at all.
    let limit = served.max_body_bytes.max(usher_http::routes::LARGEST_BODY_BYTES);
    let resp = match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => served.app.handle(http::Request::from_parts(parts, bytes), ctx).await,
        Err(_) => served.app.refuse(Refusal::BodyTooLarge { limit }, &parts.headers, &ctx),
    };
    let mut resp = resp.map(|body: Bytes| body.to_vec());
    usher_web::compress::negotiate(&accept_encoding, &mut resp, usher_web::compress::gzip);
    let (parts, body) = resp.into_parts();
    Response::from_parts(parts, Body::from(body))
}

/// Only the request's `Accept-Encoding`, for [`usher_web::compress::negotiate`].
fn accept_encoding(headers: &http::HeaderMap) -> http::HeaderMap {
    let mut kept = http::HeaderMap::new();
    for value in headers.get_all(http::header::ACCEPT_ENCODING) {
        kept.append(http::header::ACCEPT_ENCODING, value.clone());
    }
    kept
}

/// A one-time export link (what a presigned S3 GET is on AWS): the file once, then 404.
async fn download(files: &usher_store::LocalFiles, token: &str) -> Response {
    let opened = match files.redeem(token) {
        Some(d) => tokio::fs::read(&d.path).await.ok().map(|bytes| (d, bytes)),
        None => None,
    };
    let Some((d, bytes)) = opened else {
        return Response::builder()
            .status(http::StatusCode::NOT_FOUND)
            .header(http::header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .body(Body::from("this download link was used already, has expired, or never existed\n"))
            .unwrap_or_default();
    };
    Response::builder()
        .header(http::header::CONTENT_TYPE, d.content_type)
        .header(http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", d.filename))
        .header(http::header::CACHE_CONTROL, "no-store")
        .body(Body::from(bytes))
        .unwrap_or_default()
}

/// `POST /dev/sign-in` `{"email", "name"?}`: a development JWT for that verified address, as
/// `usher token` prints. Local only: the stack signs people in through its identity provider.
/// Errors are the API's problem+json (`invalid_request` with the field's stable code).
async fn dev_sign_in(env: &LocalEnv, req: axum::extract::Request, request_id: &str) -> Response {
    use usher_domain::FieldError;
    #[derive(serde::Deserialize)]
    struct SignIn {
        email: String,
        #[serde(default)]
        name: Option<String>,
    }
    let problem = |field: FieldError| {
        let (parts, body): (_, Bytes) = usher_http::Problem::invalid(field).into_response(request_id).into_parts();
        Response::from_parts(parts, Body::from(body))
    };
    if let Err(refused) = local_json_only(req.headers(), request_id) {
        return refused;
    }
    let Ok(body) = axum::body::to_bytes(req.into_body(), 16 * 1024).await else {
        return problem(FieldError::new("", "too_large", "the body is larger than 16 KiB"));
    };
    let sign_in = match serde_json::from_slice::<SignIn>(&body) {
        Ok(s) => s,
        Err(_) => return problem(FieldError::new("email", "required", "send {\"email\": \"you@example.com\"}")),
    };
    if let Err(e) = usher_domain::values::Email::parse(sign_in.email.trim()) {
        return problem(FieldError::from_invalid("email", &e));
    }
    let name = sign_in.name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    match env.mint_token(sign_in.email.trim(), None, name, false, DEV_SIGN_IN_HOURS) {
        Ok(token) => Response::builder()
            .header(http::header::CONTENT_TYPE, "application/json; charset=utf-8")
            .header(http::header::CACHE_CONTROL, "no-store")
            .header("x-request-id", request_id)
            .body(Body::from(
                serde_json::json!({"access_token": token, "token_type": "Bearer", "expires_in": DEV_SIGN_IN_HOURS * 3600}).to_string(),
            ))
            .unwrap_or_default(),
        Err(e) => problem(FieldError::new("email", "invalid", e)),
    }
}

/// The development routes' guard. A page on another site can make a browser post here, and a
/// DNS-rebinding page can even name this server by a hostname it controls: only a loopback
/// Host and a JSON body (which a cross-site form cannot send without a CORS preflight, which
/// these routes never answer) get through.
#[allow(clippy::result_large_err)]
fn local_json_only(headers: &http::HeaderMap, request_id: &str) -> Result<(), Response> {
    let host = headers.get(http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    if !is_loopback_host(host) {
        let forbidden = usher_http::Problem::new(
            usher_domain::ErrorCode::Forbidden,
            "the development routes answer only requests to 127.0.0.1, localhost or [::1]",
        );
        return Err(problem_response(forbidden, request_id));
    }
    let content_type = headers.get(http::header::CONTENT_TYPE).and_then(|h| h.to_str().ok()).unwrap_or_default();
    if !content_type.split(';').next().unwrap_or_default().trim().eq_ignore_ascii_case("application/json") {
        let field = usher_domain::FieldError::new("Content-Type", "unsupported_media_type", "send the body as application/json");
        return Err(problem_response(usher_http::Problem::invalid(field), request_id));
    }
    Ok(())
}

fn problem_response(problem: usher_http::Problem, request_id: &str) -> Response {
    let (parts, body): (_, Bytes) = problem.into_response(request_id).into_parts();
    Response::from_parts(parts, Body::from(body))
}

/// `POST /dev/tenants` `{"name"}` with the development sign-in's Bearer: a tenant owned by the
/// signed-in person (their verified email), `201` with the tenant as `createTenant` answers it.
async fn dev_create_tenant(served: &Served, req: axum::extract::Request, request_id: &str) -> Response {
    use usher_domain::{Caller, ErrorCode, FieldError};
    if let Err(refused) = local_json_only(req.headers(), request_id) {
        return refused;
    }
    let principal = match usher_http::auth::bearer(req.headers()) {
        Ok(jwt) => match served.verifier.verify(jwt).await {
            Ok(verified) => verified.principal,
            Err(e) => return problem_response(usher_http::Problem::new(ErrorCode::Unauthenticated, e.to_string()), request_id),
        },
        Err(e) => return problem_response(usher_http::Problem::new(ErrorCode::Unauthenticated, e.to_string()), request_id),
    };
    let Some(owner) = principal.verified_email().cloned() else {
        return problem_response(usher_http::Problem::new(ErrorCode::Forbidden, "the sign-in has no verified email"), request_id);
    };
    #[derive(serde::Deserialize)]
    struct NewTenant {
        #[serde(default)]
        name: Option<String>,
    }
    let Ok(body) = axum::body::to_bytes(req.into_body(), 16 * 1024).await else {
        return problem_response(
            usher_http::Problem::invalid(FieldError::new("", "too_large", "the body is larger than 16 KiB")),
            request_id,
        );
    };
    let Ok(new) = serde_json::from_slice::<NewTenant>(&body) else {
        return problem_response(
            usher_http::Problem::invalid(FieldError::new("name", "required", "send {\"name\": \"Acme\"}")),
            request_id,
        );
    };
    let request = usher_domain::usecases::tenants::NewTenant {
        name: new.name,
        owner_email: Some(owner.as_str().to_owned()),
        seat_limit: None,
        invitation_ttl_days: None,
    };
    match usher_domain::usecases::tenants::create_tenant(&served.env.deps, &Caller::Operator, &request).await {
        Ok(tenant) => Response::builder()
            .status(http::StatusCode::CREATED)
            .header(http::header::CONTENT_TYPE, "application/json; charset=utf-8")
            .header("x-request-id", request_id)
            .body(Body::from(serde_json::to_vec(&tenant).unwrap_or_default()))
            .unwrap_or_default(),
        Err(e) => problem_response(usher_http::Problem::from_use_case(&e), request_id),
    }
}

/// Whether a `Host` header names this machine's loopback: `127.0.0.1`, `localhost` or `[::1]`,
/// with or without a port.
fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().map(|a| format!("[{a}]")).unwrap_or_default(),
        None => {
            host.rsplit_once(':').map_or(host, |(name, port)| if port.chars().all(|c| c.is_ascii_digit()) { name } else { host }).to_owned()
        }
    };
    matches!(name.to_ascii_lowercase().as_str(), "127.0.0.1" | "localhost" | "[::1]")
}

#[cfg(test)]
mod tests {
    use super::is_loopback_host;

    #[test]
    fn only_loopback_names_count_as_loopback_hosts() {
        for host in ["127.0.0.1:8080", "127.0.0.1", "localhost:8080", "LOCALHOST", "[::1]:8080", "[::1]"] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in
            ["", "evil.example:8080", "127.0.0.1.evil.example", "localhost.evil.example:80", "10.0.0.1:8080", "[::2]:80", "127.0.0.2"]
        {
            assert!(!is_loopback_host(host), "{host}");
        }
    }
}
