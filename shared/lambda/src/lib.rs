//! What every Usher Lambda function shares. A function's `main.rs` is one call: `run_http("<its
//! name>")` (or `run_sweep()` for `expire`), which does the cold start once — `init_tracing()`,
//! `Config::from_env()`, `Ports::build(&config)` (SDK clients built, the DynamoDB connection
//! primed) — then serves every invocation with what it built.

pub mod config;
pub mod events;

pub use config::{Config, ConfigError, JwtKeys, LOCAL_E2E};

use aws_sdk_dynamodb::config::{AsyncSleep, SharedAsyncSleep};
use bytes::Bytes;
use lambda_http::request::RequestContext as ApiContext;
use lambda_http::{Body, Request, RequestExt, Response};
use std::net::IpAddr;
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, SystemTime};
use usher_aws::{DynamoTable, S3Files, SesMailer, SqsQueue};
use usher_domain::{Deps, ErrorCode, Settings};
use usher_http::{App, Hs256Verifier, HttpConfig, Problem, RequestContext, SourceIp, TokenVerifier};
use usher_store::{OsRandom, SystemClock};

/// Why a cold start failed (the function reports it to Lambda and stops).
#[derive(thiserror::Error)]
pub enum InitError {
    /// Bad configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The table is missing or refuses us (an unreachable one is retried per request instead).
    #[error("cannot use the DynamoDB table: {0}")]
    Table(String),
}

impl std::fmt::Debug for InitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// JSON logs to stdout (CloudWatch), level from `USHER_LOG` (default `info`). Never logs
/// events, headers, tokens or whole email addresses: those are kept out at the call sites.
pub fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("USHER_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().json().with_env_filter(filter).with_current_span(false).with_target(false).without_time().try_init();
}

/// The ports and the token verifier, built once per cold start.
#[derive(Clone)]
pub struct Ports {
    /// The use cases' ports and settings.
    pub deps: Deps,
    /// Verifies bearer tokens.
    pub verifier: Arc<dyn TokenVerifier>,
    /// HTTP settings.
    pub http: HttpConfig,
    /// The SDK's timer (tokio's), for the per-request deadline in `serve`.
    pub sleep: Option<SharedAsyncSleep>,
    /// The public token routes' budgets.
    pub rate_limits: usher_http::RateLimits,
    /// The identity provider's userinfo (`USHER_OIDC_USERINFO_ENDPOINT`), if configured.
    pub userinfo: Option<Arc<dyn usher_http::oidc::UserInfoSource>>,
}

impl Ports {
    /// Builds the SDK clients from the standard AWS environment (region, credentials of the
    /// function's role; `AWS_ENDPOINT_URL` points them elsewhere for local runs), primes the
    /// DynamoDB connection and the identity provider's keys.
    pub async fn build(config: &Config) -> Result<Self, InitError> {
        Self::build_with(config, usher_aws::sdk_config().await).await
    }

    /// The same with SDK clients for background work (`deliver`, `expire`): longer budgets
    /// (`usher_aws::background_sdk_timeouts`), since no caller is waiting.
    pub async fn build_background(config: &Config) -> Result<Self, InitError> {
        let sdk = match config.local_sdk_attempt_secs {
            Some(secs) => usher_aws::background_sdk_config_with(std::time::Duration::from_secs(secs)).await,
            None => usher_aws::background_sdk_config().await,
        };
        Self::build_with(config, sdk).await
    }

    async fn build_with(config: &Config, sdk: usher_aws::SdkConfig) -> Result<Self, InitError> {
        let table = DynamoTable::new(aws_sdk_dynamodb::Client::new(&sdk), &config.table);
        match table.prime().await {
            Ok(()) => {}
            // Down or throttling right now: start anyway, so requests answer `503 unavailable`
            // (with Retry-After) instead of the gateway's bare 500 for a failed cold start.
            Err(e @ usher_domain::ports::StoreError::Unavailable(_)) => {
                tracing::warn!(error = %e, "could not reach the DynamoDB table at cold start; requests will retry it");
            }
            // Missing table, no permission: a deployment mistake, reported now.
            Err(e) => return Err(InitError::Table(e.to_string())),
        }
        let mailer = SesMailer::new(aws_sdk_sesv2::Client::new(&sdk), &config.sender, config.configuration_set.clone());
        // An issuer other than Cognito given without its key set's address: its discovery
        // document names it (and its userinfo endpoint). Read once; when it cannot be read, the
        // derived address is used and the failure logged (a token then fails as unverifiable).
        let discovered = match &config.jwt_keys {
            JwtKeys::Jwks { discover: true, .. } => usher_http::oidc::discover(&config.jwt_issuer)
                .await
                .inspect_err(
                    |e| tracing::warn!(error = %e, "could not read the issuer's discovery document; using <issuer>/.well-known/jwks.json"),
                )
                .ok(),
            _ => None,
        };
        let verifier: Arc<dyn TokenVerifier> = match &config.jwt_keys {
            JwtKeys::Hs256 { secret } => Arc::new(Hs256Verifier::new(secret, &config.jwt_issuer, &config.jwt_audience, false)),
            JwtKeys::Jwks { url, algorithms, .. } => {
                let algorithms = algorithms.iter().filter_map(|a| a.parse().ok()).collect();
                let url = discovered.as_ref().map_or_else(|| url.clone(), |d| d.jwks_uri.clone());
                let v = usher_http::jwks::JwksVerifier::new(url, config.jwt_issuer.clone(), config.jwt_audience.clone(), algorithms);
                if let Err(e) = v.prime().await {
                    tracing::warn!(error = %e, "could not fetch the identity provider's keys at cold start; will retry on demand");
                }
                Arc::new(v)
            }
        };
        let settings = Settings {
            accept_url: config.accept_url.clone().unwrap_or_default(),
            default_ttl_days: config.default_ttl_days,
            max_ttl_days: config.max_ttl_days,
            max_delivery_attempts: config.max_delivery_attempts,
            // A function given no cursor secret serves no listing: a key nobody else knows, so a
            // cursor it signed by mistake would verify nowhere.
            cursor_key: config.cursor_key.clone().unwrap_or_else(unshared_cursor_key),
            export_direct_rows: config.export_direct_rows,
            ..Settings::default()
        };
        let mut queue = SqsQueue::new(aws_sdk_sqs::Client::new(&sdk), &config.delivery_queue_url);
        if let Some(exports) = &config.export_queue_url {
            queue = queue.with_export_queue(exports);
        }
        let files = S3Files::new(S3Files::client(&sdk), &config.export_bucket);
        let deps = Deps::new(Arc::new(table), Arc::new(mailer), Arc::new(queue), Arc::new(SystemClock), Arc::new(OsRandom), settings)
            .with_files(Arc::new(files));
        let dns = match config.dns_server {
            Some(server) => usher_dns::HickoryTxt::at(server),
            None => usher_dns::HickoryTxt::system(),
        };
        let deps = match dns {
            Ok(dns) => deps.with_dns(Arc::new(dns)),
            // Only verifying domains needs it: the function serves everything else.
            Err(e) => {
                tracing::error!(error = %e, "no DNS resolver: verifying domains will fail");
                deps
            }
        };
        let http = HttpConfig { cors_origins: config.cors_origins.clone(), ..HttpConfig::default() };
        let per_minute = usher_domain::usecases::rate_limit::Limit::per_minute;
        let rate_limits = usher_http::RateLimits {
            per_source: per_minute(config.rate_limit_per_minute),
            per_token: per_minute(config.token_rate_limit_per_minute),
        };
        let userinfo_endpoint = config.userinfo_endpoint.clone().or_else(|| discovered.and_then(|d| d.userinfo_endpoint));
        let userinfo: Option<Arc<dyn usher_http::oidc::UserInfoSource>> = match &userinfo_endpoint {
            Some(url) => Some(Arc::new(
                usher_http::oidc::HttpUserInfo::new(url)
                    .map_err(|e| InitError::Config(ConfigError::Invalid { var: "USHER_OIDC_USERINFO_ENDPOINT", reason: e.to_string() }))?,
            )),
            None => None,
        };
        Ok(Self { deps, verifier, http, sleep: sdk.sleep_impl(), rate_limits, userinfo })
    }

    /// The HTTP app, serving only `function`'s routes.
    pub fn app(&self, function: &str) -> App {
        let app = App::new(self.deps.clone(), self.verifier.clone(), self.http.clone()).with_rate_limits(self.rate_limits);
        let app = match &self.userinfo {
            Some(source) => app.with_userinfo(Arc::clone(source)),
            None => app,
        };
        app.only_function(function)
    }
}

/// A response handed to lambda_http exactly as built. (lambda_http re-encodes a plain
/// `Response<B>` by its content type, and its text path drops a UTF-8 BOM, which the CSV
/// export must keep for spreadsheet apps.)
pub struct Reply(pub Response<Body>);

impl lambda_http::IntoResponse for Reply {
    fn into_response(self) -> std::pin::Pin<Box<dyn std::future::Future<Output = Response<Body>> + Send>> {
        Box::pin(std::future::ready(self.0))
    }
}

/// Time kept back from the invocation's deadline: a request still running then is answered
/// `503 unavailable` (with Retry-After) instead of being cut off by Lambda's timeout, which API
/// Gateway turns into a bare 500. The SDK budgets (`usher_aws::sdk_timeouts`) make this rare:
/// it is the last guard, for a request that made many slow calls in a row.
pub const DEADLINE_RESERVE: Duration = Duration::from_millis(1500);

/// Runs `work`, unless `sleep` (the SDK's timer) fires after `budget` first: then `None`.
async fn within<T>(work: impl Future<Output = T>, budget: Option<Duration>, sleep: Option<&SharedAsyncSleep>) -> Option<T> {
    let (Some(budget), Some(sleep)) = (budget, sleep) else { return Some(work.await) };
    let mut work = std::pin::pin!(work);
    let mut timer = std::pin::pin!(sleep.sleep(budget));
    std::future::poll_fn(|cx| {
        if let Poll::Ready(done) = work.as_mut().poll(cx) {
            return Poll::Ready(Some(done));
        }
        timer.as_mut().poll(cx).map(|()| None)
    })
    .await
}

/// The caller's address as API Gateway saw it (`requestContext.http.sourceIp`: the TCP peer of
/// the gateway, which a client cannot set, unlike `X-Forwarded-For`). `None` if absent or not
/// an address: the app then applies only its per-token budget.
fn source_ip_of(ctx: &lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext) -> Option<IpAddr> {
    ctx.http.source_ip.as_deref().and_then(|ip| ip.trim().parse().ok())
}

/// What answers a function's HTTP requests: the API's routes (`App`), or SCIM (`ScimApp`).
pub trait Service: Clone + Send + Sync + 'static {
    /// Serves one request.
    fn call(&self, req: http::Request<Bytes>, ctx: RequestContext) -> impl Future<Output = http::Response<Bytes>> + Send;
}

impl Service for App {
    fn call(&self, req: http::Request<Bytes>, ctx: RequestContext) -> impl Future<Output = http::Response<Bytes>> + Send {
        self.handle(req, ctx)
    }
}

#[cfg(feature = "scim")]
impl Service for usher_scim::ScimApp {
    async fn call(&self, req: http::Request<Bytes>, ctx: RequestContext) -> http::Response<Bytes> {
        self.handle(req, &ctx.request_id).await
    }
}

/// Serves one API Gateway (HTTP API, payload v2) request through the shared app, answering
/// `503 unavailable` if it is still running `DEADLINE_RESERVE` before the invocation's deadline
/// (`sleep` is the timer; `None` serves without the guard).
pub async fn serve(app: impl Service, req: Request, sleep: Option<SharedAsyncSleep>) -> Result<Reply, std::convert::Infallible> {
    let budget = req
        .lambda_context_ref()
        .and_then(|c| c.deadline().duration_since(SystemTime::now()).ok())
        .and_then(|left| left.checked_sub(DEADLINE_RESERVE))
        .filter(|b| !b.is_zero());
    let (request_id, iam_operator, source_ip) = match req.request_context_ref() {
        Some(ApiContext::ApiGatewayV2(ctx)) => {
            let iam = ctx.authorizer.as_ref().and_then(|a| a.iam.as_ref()).is_some();
            (ctx.request_id.clone().unwrap_or_default(), iam, source_ip_of(ctx))
        }
        _ => (String::new(), false, None),
    };
    let request_id =
        if request_id.is_empty() { req.lambda_context_ref().map(|c| c.request_id.clone()).unwrap_or_default() } else { request_id };
    // Route on the raw path: API Gateway's own stage prefix is not part of the contract.
    let path_and_query = match req.uri().query() {
        Some(q) => format!("{}?{q}", req.raw_http_path()),
        None => req.raw_http_path().to_owned(),
    };
    let (mut parts, body) = req.into_parts();
    if let Ok(uri) = path_and_query.parse() {
        parts.uri = uri;
    }
    // The public token routes are budgeted per source address (and per token) in the app.
    if let Some(ip) = source_ip {
        parts.extensions.insert(SourceIp(ip));
    }
    let bytes = match body {
        Body::Empty => Bytes::new(),
        Body::Text(t) => Bytes::from(t),
        Body::Binary(b) => Bytes::from(b),
        _ => Bytes::new(),
    };
    let handled = app.call(http::Request::from_parts(parts, bytes), RequestContext { request_id: request_id.clone(), iam_operator });
    let resp = match within(handled, budget, sleep.as_ref()).await {
        Some(resp) => resp,
        None => {
            tracing::error!(request_id = %request_id, "request still running near the invocation deadline; answered unavailable");
            let code = ErrorCode::Unavailable { retry_after: usher_domain::error::UNAVAILABLE_RETRY_AFTER_SECS };
            Problem::new(code, "the service is slow to answer right now; try again shortly").into_response(&request_id)
        }
    };
    let (parts, bytes) = resp.into_parts();
    let is_text = parts
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json") || ct.starts_with("application/problem+json") || ct.starts_with("text/"));
    let body = if bytes.is_empty() {
        Body::Empty
    } else if is_text {
        Body::Text(String::from_utf8_lossy(&bytes).into_owned())
    } else {
        // XLSX exports travel base64-encoded, byte for byte; a CSV (UTF-8 text) goes as text,
        // a third smaller (export::size_in_answer decides what fits).
        Body::Binary(bytes.to_vec())
    };
    Ok(Reply(Response::from_parts(parts, body)))
}

/// The scheduled sweep: expire overdue invitations, queue again the emails still waiting. A failure is returned
/// to Lambda, so EventBridge's retry policy and dead-letter queue take over.
pub async fn sweep(deps: Deps) -> Result<serde_json::Value, lambda_runtime::Error> {
    let summary = usher_domain::usecases::expire::sweep(&deps).await.map_err(|e| {
        tracing::error!(error = %e, "sweep failed");
        lambda_runtime::Error::from(e.to_string())
    })?;
    Ok(serde_json::to_value(summary)?)
}

/// One SQS message as Lambda hands it over (only what the worker reads).
#[derive(serde::Deserialize)]
struct SqsRecord {
    #[serde(rename = "messageId")]
    message_id: String,
    #[serde(default)]
    body: String,
}

/// An SQS event: up to the event source's batch size of messages.
#[derive(serde::Deserialize)]
struct SqsEvent {
    #[serde(rename = "Records", default)]
    records: Vec<SqsRecord>,
}

/// Delivers one SQS batch, at `pace`. Answers the partial-batch response: the messages that
/// could not be processed (undecodable, or the store was unreachable) are reported, so SQS
/// offers only those again and moves them to the dead-letter queue after its receive limit. A
/// send the mail service refused is not a failure here: it is recorded on the item (`failed`)
/// and the sweep queues it again at its next retry.
pub async fn deliver_batch(
    deps: &Deps,
    pace: &tokio::sync::Mutex<usher_domain::usecases::delivery::Pace>,
    event: serde_json::Value,
) -> Result<serde_json::Value, lambda_runtime::Error> {
    let event: SqsEvent = serde_json::from_value(event).map_err(|e| lambda_runtime::Error::from(format!("not an SQS event: {e}")))?;
    let mut pace = pace.lock().await;
    let mut failures = Vec::new();
    let (mut sent, mut failed, mut skipped) = (0, 0, 0);
    for record in &event.records {
        let job: usher_domain::ports::DeliveryJob = match serde_json::from_str(&record.body) {
            Ok(job) => job,
            Err(e) => {
                tracing::error!(message_id = %record.message_id, error = %e, "undecodable delivery message; left for the dead-letter queue");
                failures.push(serde_json::json!({ "itemIdentifier": record.message_id }));
                continue;
            }
        };
        match pace.process(deps, &job).await {
            Ok(usher_domain::usecases::delivery::Processed::Sent) => sent += 1,
            Ok(usher_domain::usecases::delivery::Processed::Failed) => failed += 1,
            Ok(usher_domain::usecases::delivery::Processed::Skipped) => skipped += 1,
            Err(e) => {
                tracing::error!(message_id = %record.message_id, error = %e, "delivery not processed; SQS will offer it again");
                failures.push(serde_json::json!({ "itemIdentifier": record.message_id }));
            }
        }
    }
    tracing::info!(messages = event.records.len(), sent, failed, skipped, unprocessed = failures.len(), "delivery batch done");
    Ok(serde_json::json!({ "batchItemFailures": failures }))
}

/// The delivery worker: the cold start, then `deliver_batch` for every SQS event, paced at the
/// configured rate across the invocations this instance serves.
pub async fn run_deliver() -> Result<(), lambda_runtime::Error> {
    init_tracing();
    let config = Config::from_env()?;
    // Every email it writes links to the landing page.
    if config.accept_url.is_none() {
        return Err(config::ConfigError::Missing("USHER_ACCEPT_URL").into());
    }
    let ports = Ports::build_background(&config).await?;
    let pace = Arc::new(tokio::sync::Mutex::new(usher_domain::usecases::delivery::Pace::per_second(config.send_rate_per_second)));
    lambda_runtime::run(lambda_runtime::service_fn(move |event: lambda_runtime::LambdaEvent<serde_json::Value>| {
        let (deps, pace) = (ports.deps.clone(), pace.clone());
        async move { deliver_batch(&deps, &pace, event.payload).await }
    }))
    .await
}

/// The functions that serve listings, so sign and check cursors: only they get
/// `USHER_CURSOR_SECRET` (template.yaml), and they refuse to start without it.
pub const CURSOR_FUNCTIONS: &[&str] = &["list"];

/// A cursor key from fresh random bytes, known to this process only.
fn unshared_cursor_key() -> usher_domain::paging::CursorKey {
    let mut bytes = [0u8; 32];
    usher_domain::ports::Random::fill(&usher_store::OsRandom, &mut bytes);
    usher_domain::paging::CursorKey::from_secret(&bytes)
}

/// A function serving its routes of the API (`usher_http::routes`): the cold start, then
/// `serve` for every API Gateway event. Returns only if the cold start fails (Lambda reports it).
pub async fn run_http(function: &'static str) -> Result<(), lambda_http::Error> {
    init_tracing();
    let config = Config::from_env()?;
    if CURSOR_FUNCTIONS.contains(&function) {
        config.require_cursor_key()?;
    }
    let ports = Ports::build(&config).await?;
    let app = ports.app(function);
    let sleep = ports.sleep.clone();
    lambda_http::run(lambda_http::service_fn(move |req| serve(app.clone(), req, sleep.clone()))).await
}

/// The `scim` function: SCIM 2.0 at `/scim/v2` (its own bearer, a tenant's SCIM token; no JWT
/// authorizer in front of it): the cold start, then `serve` for every API Gateway event.
#[cfg(feature = "scim")]
pub async fn run_scim() -> Result<(), lambda_http::Error> {
    init_tracing();
    let config = Config::from_env()?;
    let ports = Ports::build(&config).await?;
    let app = usher_scim::ScimApp::new(ports.deps.clone());
    let sleep = ports.sleep.clone();
    lambda_http::run(lambda_http::service_fn(move |req| serve(app.clone(), req, sleep.clone()))).await
}

/// The scheduled function: the cold start, then `sweep` for every EventBridge event.
pub async fn run_sweep() -> Result<(), lambda_runtime::Error> {
    init_tracing();
    let config = Config::from_env()?;
    let ports = Ports::build_background(&config).await?;
    lambda_runtime::run(lambda_runtime::service_fn(move |_event: lambda_runtime::LambdaEvent<serde_json::Value>| sweep(ports.deps.clone())))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::RequestExt;

    /// An app over a DynamoDB that accepts connections and never answers, with no SDK timeouts:
    /// only the deadline guard can end its requests.
    async fn app_over_a_hanging_table() -> App {
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", silent.local_addr().unwrap());
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((stream, _)) = silent.accept().await {
                held.push(stream);
            }
        });
        let config = aws_sdk_dynamodb::Config::builder()
            .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
            .endpoint_url(url)
            .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_dynamodb::config::Credentials::new("test", "test", None, None, "test"))
            .build();
        let table = DynamoTable::new(aws_sdk_dynamodb::Client::from_conf(config), "usher-hanging");
        let sdk = usher_aws::sdk_config().await;
        let mailer = SesMailer::new(aws_sdk_sesv2::Client::new(&sdk), "no-reply@usher.test", None);
        let settings = Settings { accept_url: "https://app.example/accept".into(), ..Settings::default() };
        let deps = Deps::new(
            Arc::new(table),
            Arc::new(mailer),
            usher_store::LocalQueue::new(),
            Arc::new(SystemClock),
            Arc::new(OsRandom),
            settings,
        );
        App::new(deps, Arc::new(Hs256Verifier::new(SECRET, "https://issuer.test", "usher", false)), HttpConfig::default())
    }

    const SECRET: &[u8] = b"deadline-secret-deadline-secret!";

    fn request_due_in(left: Duration) -> Request {
        let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap();
        let claims = usher_http::auth::DevClaims {
            sub: "idp|ada".into(),
            email: "ada@example.com".into(),
            email_verified: true,
            name: None,
            usher_operator: false,
            iss: "https://issuer.test".into(),
            aud: "usher".into(),
            iat: i64::try_from(now.as_secs()).unwrap(),
            exp: i64::try_from(now.as_secs()).unwrap() + 3600,
        };
        let token = usher_http::auth::mint(SECRET, &claims).unwrap();
        let mut context = lambda_http::Context::default();
        context.request_id = "req-deadline".into();
        context.deadline = u64::try_from((now + left).as_millis()).unwrap();
        http::Request::builder()
            .uri("/v1/me/tenants")
            .header("authorization", format!("Bearer {token}"))
            .body(Body::Empty)
            .unwrap()
            .with_lambda_context(context)
    }

    /// A lookup from `source_ip` carrying `token`, as API Gateway hands it to the function: the
    /// committed HTTP API v2 fixture (the same one the function binaries are fed end to end).
    fn lookup_from(source_ip: &str, token: &str) -> Request {
        let mut e: serde_json::Value = serde_json::from_str(include_str!("../../../tests/events/http-api-v2.json")).unwrap();
        e["rawPath"] = "/v1/invitations/lookup".into();
        e["requestContext"]["http"]["method"] = "POST".into();
        e["requestContext"]["http"]["path"] = "/v1/invitations/lookup".into();
        e["requestContext"]["http"]["sourceIp"] = source_ip.into();
        // What a client can set says nothing about who it is: only the gateway's sourceIp counts.
        e["headers"]["x-forwarded-for"] = "192.0.2.1".into();
        e["body"] = serde_json::json!({ "token": token }).to_string().into();
        lambda_http::request::from_str(&e.to_string()).unwrap()
    }

    #[tokio::test]
    async fn the_public_token_routes_are_budgeted_per_api_gateway_source_ip() {
        let table = usher_store::SqliteTable::in_memory().unwrap();
        let sdk = usher_aws::sdk_config().await;
        let mailer = SesMailer::new(aws_sdk_sesv2::Client::new(&sdk), "no-reply@usher.test", None);
        // A fixed clock: the one-minute window cannot roll over mid-test.
        let now = usher_domain::values::Timestamp::parse("2026-11-23T09:00:10Z").unwrap();
        let deps = Deps::new(
            Arc::new(table),
            Arc::new(mailer),
            usher_store::LocalQueue::new(),
            Arc::new(usher_store::system::FixedClock(now)),
            Arc::new(OsRandom),
            Settings::default(),
        );
        let per_source = usher_domain::usecases::rate_limit::Limit::per_minute(3);
        let limits = usher_http::RateLimits { per_source, ..usher_http::RateLimits::default() };
        let app = App::new(deps, Arc::new(Hs256Verifier::new(SECRET, "https://issuer.test", "usher", false)), HttpConfig::default())
            .with_rate_limits(limits)
            .only_function("accept");
        // A different (wrong) token each time: only the source's budget can run out.
        let token = |i: u32| format!("{i:0>43}");

        for i in 0..3 {
            let Reply(resp) = serve(app.clone(), lookup_from("203.0.113.7", &token(i)), None).await.unwrap();
            assert_ne!(resp.status(), http::StatusCode::TOO_MANY_REQUESTS, "request {i} is within the budget");
        }
        let Reply(over) = serve(app.clone(), lookup_from("203.0.113.7", &token(3)), None).await.unwrap();
        let Reply(elsewhere) = serve(app.clone(), lookup_from("198.51.100.20", &token(4)), None).await.unwrap();

        assert_eq!(over.status(), http::StatusCode::TOO_MANY_REQUESTS, "the fourth from one source is over its budget");
        assert!(over.headers().contains_key(http::header::RETRY_AFTER), "{:?}", over.headers());
        let Body::Text(body) = over.body() else { panic!("a problem+json body: {:?}", over.body()) };
        assert!(body.contains("\"code\":\"rate_limited\""), "{body}");
        assert_ne!(elsewhere.status(), http::StatusCode::TOO_MANY_REQUESTS, "another source has its own budget");
    }

    #[tokio::test]
    async fn a_request_still_running_near_the_invocation_deadline_answers_503_unavailable_before_lambda_cuts_it_off() {
        let app = app_over_a_hanging_table().await;
        let sleep = usher_aws::sdk_config().await.sleep_impl();
        assert!(sleep.is_some(), "the SDK configuration has a timer");

        let started = std::time::Instant::now();
        let left = DEADLINE_RESERVE + Duration::from_millis(500);
        let served = tokio::time::timeout(left, serve(app, request_due_in(left), sleep)).await;

        let Reply(resp) = served.expect("answered before the invocation deadline").unwrap();
        assert_eq!(resp.status(), http::StatusCode::SERVICE_UNAVAILABLE);
        assert!(resp.headers().contains_key(http::header::RETRY_AFTER), "{:?}", resp.headers());
        let Body::Text(body) = resp.body() else { panic!("a problem+json body: {:?}", resp.body()) };
        assert!(body.contains("\"code\":\"unavailable\""), "{body}");
        assert!(started.elapsed() >= Duration::from_millis(400), "it waited for the budget, not less: {:?}", started.elapsed());
    }
}
