//! Test support: an Usher app wired to a real embedded store (or any `Table`), the real outbox
//! mailer in a temp dir, a clock the test moves, and helpers to call the API as a browser would.

pub mod aws;
pub mod contract;
pub mod counting;
pub mod directory;
pub mod dns;
pub mod joining;
pub mod lambda;
pub mod openapi;
pub mod races;
pub mod scim;
pub mod seed;
pub mod webhooks;

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use usher_domain::ports::{Clock, MailError, Mailer, OutgoingEmail, Table};
use usher_domain::values::Timestamp;
use usher_domain::{Deps, Settings};
use usher_http::auth::{DevClaims, mint};
use usher_http::{App, Hs256Verifier, HttpConfig, RequestContext};
use usher_store::{OsRandom, OutboxMailer, SqliteTable};

/// Issuer the test verifier accepts.
pub const ISSUER: &str = "usher-test";
/// Audience the test verifier accepts.
pub const AUDIENCE: &str = "usher";
/// The test signing secret.
pub const SECRET: &[u8] = b"test-secret-test-secret-test-secret!";
/// Where links point.
pub const ACCEPT_URL: &str = "https://app.example/accept";

/// A YAML file at the repository root (`template.yaml`, `openapi.yaml`), parsed. CloudFormation
/// short tags (`!GetAtt`, `!Sub`, ...) come back as `serde_yaml::Value::Tagged`.
pub fn repo_yaml(name: &str) -> serde_yaml::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{name} is not valid YAML: {e}"))
}

/// The value at quantile `q` (0..=1, nearest rank) of samples sorted ascending; the benchmarks'.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let i = ((sorted.len().saturating_sub(1)) as f64 * q).round() as usize;
    sorted.get(i).copied().unwrap_or(f64::NAN)
}

/// A clock the test moves.
#[derive(Debug)]
pub struct ManualClock(Mutex<Timestamp>);

impl ManualClock {
    /// Starts at `t`.
    pub fn at(t: &str) -> Self {
        Self(Mutex::new(Timestamp::parse(t).expect("valid time")))
    }
    /// Sets the time (to seed data "in the past" for a real-time process to find).
    pub fn set(&self, t: Timestamp) {
        *self.0.lock().expect("clock lock") = t;
    }
    /// Moves forward.
    pub fn advance_secs(&self, secs: i64) {
        let mut t = self.0.lock().expect("clock lock");
        *t = t.plus_seconds(secs);
    }
    /// Moves forward by days.
    pub fn advance_days(&self, days: i64) {
        self.advance_secs(days * 86_400);
    }
}

#[async_trait::async_trait]
impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().expect("clock lock")
    }
    async fn sleep(&self, duration: std::time::Duration) {
        tokio::time::sleep(duration).await;
    }
}

/// A real mailer (the outbox, or SES), with a switch that makes sending fail (fault injection:
/// "SES is down").
pub struct SwitchableMailer {
    inner: Arc<dyn Mailer>,
    failing: AtomicBool,
    /// Messages refused while failing.
    pub refused: AtomicU64,
}

#[async_trait::async_trait]
impl Mailer for SwitchableMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError> {
        if self.failing.load(Ordering::SeqCst) {
            self.refused.fetch_add(1, Ordering::SeqCst);
            return Err(MailError("mail service unavailable (injected)".into()));
        }
        self.inner.send(email).await
    }
}

/// A response, decoded.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: http::HeaderMap,
    /// Raw body.
    pub bytes: Bytes,
    /// Body as JSON (`Null` when it is not JSON).
    pub json: Value,
}

impl Reply {
    /// The problem `code`, if this is an error.
    pub fn code(&self) -> &str {
        self.json["code"].as_str().unwrap_or("")
    }
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// How to build a `TestApp` beyond the defaults.
pub struct Options {
    /// The mailer (`None`: the outbox in a temp dir).
    pub mailer: Option<Arc<dyn Mailer>>,
    /// Whether the in-process delivery worker runs (`call` then waits for it).
    pub worker: bool,
    /// Another delivery queue (SQS on moto); no in-process worker then.
    pub queue: Option<Arc<dyn usher_domain::ports::DeliveryQueue>>,
    /// Another file store for large exports (S3 on moto).
    pub files: Option<Arc<dyn usher_domain::ports::FileStore>>,
    /// `Settings::export_direct_rows`, to reach the large-export path with a few rows.
    pub export_direct_rows: Option<u32>,
    /// The DNS resolver verified domains are looked up with (`None`: none configured).
    pub dns: Option<Arc<dyn usher_domain::ports::TxtResolver>>,
}

impl Default for Options {
    fn default() -> Self {
        Self { mailer: None, worker: true, queue: None, files: None, export_direct_rows: None, dns: None }
    }
}

/// An Usher app under test.
pub struct TestApp {
    /// The app (the same one the hosts run).
    pub app: App,
    /// The clock.
    pub clock: Arc<ManualClock>,
    /// The mailer.
    pub mailer: Arc<SwitchableMailer>,
    /// The ports.
    pub deps: Deps,
    /// The outbox folder.
    pub outbox: PathBuf,
    /// The in-process delivery queue (its worker runs on the test's runtime, unless the app was
    /// built `without_delivery_worker`).
    pub queue: Arc<usher_store::LocalQueue>,
    /// Where large exports are written (the app's file store unless `Options::files` replaced it).
    pub files: Arc<usher_store::LocalFiles>,
    worker: bool,
    _dir: tempfile::TempDir,
}

impl TestApp {
    /// An app over a fresh in-memory SQLite table.
    pub fn new() -> Self {
        Self::with_table(Arc::new(SqliteTable::in_memory().expect("sqlite")))
    }

    /// An app over any table (the contract and adapter suites use this).
    pub fn with_table(table: Arc<dyn Table>) -> Self {
        Self::with_ports(table, None)
    }

    /// An app whose queued emails wait until the test sends them (`deliver_queued`): a delivery
    /// worker that is down, or behind.
    pub fn without_delivery_worker(table: Arc<dyn Table>, mailer: Option<Arc<dyn Mailer>>) -> Self {
        Self::with_options(table, Options { mailer, worker: false, ..Options::default() })
    }

    /// An app whose emails are queued on `queue` (SQS on moto); the test runs the worker.
    pub fn with_queue(table: Arc<dyn Table>, mailer: Option<Arc<dyn Mailer>>, queue: Arc<dyn usher_domain::ports::DeliveryQueue>) -> Self {
        Self::with_options(table, Options { mailer, worker: false, queue: Some(queue), ..Options::default() })
    }

    /// An app over any table and mailer (`None`: the outbox in a temp dir).
    pub fn with_ports(table: Arc<dyn Table>, mailer: Option<Arc<dyn Mailer>>) -> Self {
        Self::with_options(table, Options { mailer, ..Options::default() })
    }

    /// An app with every knob (`Options`).
    pub fn with_options(table: Arc<dyn Table>, options: Options) -> Self {
        let Options { mailer, worker, queue: custom_queue, files: custom_files, export_direct_rows, dns } = options;
        // USHER_TEST_LOG=debug shows the app's logs (and the causes of any 500) in failing tests.
        if let Ok(level) = std::env::var("USHER_TEST_LOG") {
            let _ = tracing_subscriber::fmt().with_env_filter(level).with_test_writer().try_init();
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let outbox = dir.path().join("outbox");
        let inner: Arc<dyn Mailer> = match mailer {
            Some(m) => m,
            None => Arc::new(OutboxMailer::new(&outbox, "Usher <no-reply@usher.test>").expect("outbox")),
        };
        let mailer = Arc::new(SwitchableMailer { inner, failing: AtomicBool::new(false), refused: AtomicU64::new(0) });
        let clock = Arc::new(ManualClock::at("2026-11-23T09:00:00Z"));
        let mut settings = Settings { accept_url: ACCEPT_URL.into(), ..Settings::default() };
        if let Some(rows) = export_direct_rows {
            settings.export_direct_rows = rows;
        }
        // Large exports go to the temp dir; `files` opens their one-time links.
        let files = Arc::new(usher_store::LocalFiles::new(dir.path(), "http://usher.test"));
        let file_store: Arc<dyn usher_domain::ports::FileStore> = custom_files.unwrap_or_else(|| files.clone());
        let queue = usher_store::LocalQueue::new();
        let queued: Arc<dyn usher_domain::ports::DeliveryQueue> = custom_queue.unwrap_or_else(|| queue.clone());
        let mut deps = Deps::new(table, mailer.clone(), queued, clock.clone(), Arc::new(OsRandom), settings).with_files(file_store);
        if let Some(dns) = dns {
            deps = deps.with_dns(dns);
        }
        // The delivery worker, unpaced, as `usher serve` runs it (tests without a runtime make
        // no calls, so need none).
        let worker = worker && tokio::runtime::Handle::try_current().is_ok();
        if worker {
            queue.start(deps.clone(), 0);
        }
        let verifier = Arc::new(Hs256Verifier::new(SECRET, ISSUER, AUDIENCE, true));
        #[allow(clippy::needless_update, reason = "HttpConfig gains fields; the tests take their defaults")]
        let config = HttpConfig { cors_origins: vec!["https://app.example".into()], max_body_bytes: 64 * 1024, ..HttpConfig::default() };
        let app = App::new(deps.clone(), verifier, config);
        Self { app, clock, mailer, deps, outbox, queue, files, worker, _dir: dir }
    }

    /// Runs one sweep and waits for the delivery worker to send what it queued again.
    pub async fn sweep(&self) -> usher_domain::usecases::expire::SweepSummary {
        let summary = usher_domain::usecases::expire::sweep(&self.deps).await.expect("sweep");
        if self.worker {
            self.queue.settled().await;
        }
        summary
    }

    /// Without a worker: sends everything queued so far, as a worker would.
    pub async fn deliver_queued(&self) {
        self.queue.drain(&self.deps, 0).await;
    }

    /// Makes the mailer fail (or work again).
    pub fn mail_fails(&self, failing: bool) {
        self.mailer.failing.store(failing, Ordering::SeqCst);
    }

    /// A valid token for a person with a verified email.
    pub fn token(&self, email: &str) -> String {
        self.token_with(email, &format!("sub|{email}"), true, false)
    }

    /// An operator token.
    pub fn operator(&self) -> String {
        self.token_with("ops@saas.test", "ops", true, true)
    }

    /// A token with every knob.
    pub fn token_with(&self, email: &str, sub: &str, verified: bool, operator: bool) -> String {
        let now = self.clock.now().unix();
        let claims = DevClaims {
            sub: sub.into(),
            email: email.into(),
            email_verified: verified,
            name: None,
            usher_operator: operator,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now,
            exp: now + 365 * 86_400,
        };
        mint(SECRET, &claims).expect("mint")
    }

    /// Sends a request the way a browser would.
    pub async fn call(&self, method: Method, path: &str, bearer: Option<&str>, body: Option<Value>) -> Reply {
        self.call_with(method, path, bearer, body.map(|b| b.to_string().into_bytes()), &[]).await
    }

    /// Sends a request with a raw body and extra headers. Panics when the answer is not what
    /// `openapi.yaml` declares for the operation (status, content type, body, headers).
    pub async fn call_with(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<Vec<u8>>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = Request::builder().method(method.clone()).uri(path);
        if let Some(t) = bearer {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        if body.is_some() && !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type")) {
            req = req.header("content-type", "application/json");
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = req.body(Bytes::from(body.unwrap_or_default())).expect("request");
        let ctx = RequestContext { request_id: "req-test".into(), iam_operator: false };
        let resp = self.app.handle(req, ctx).await;
        // What the request queued is sent before the test looks (the outbox, delivery status).
        if self.worker {
            self.queue.settled().await;
        }
        let (parts, bytes) = resp.into_parts();
        // Every answer a suite sees is the one openapi.yaml declares (support/openapi.rs).
        openapi::assert_response(&method, path, parts.status, &parts.headers, &bytes);
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply { status: parts.status, headers: parts.headers, bytes, json }
    }

    /// Creates a tenant (as the operator) owned by `owner`; returns its id.
    pub async fn tenant(&self, name: &str, owner: &str, seats: Option<u32>) -> String {
        let mut body = serde_json::json!({ "name": name, "owner_email": owner });
        if let Some(s) = seats {
            body["seat_limit"] = s.into();
        }
        let r = self.call(Method::POST, "/v1/tenants", Some(&self.operator()), Some(body)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
        r.json["id"].as_str().expect("id").to_owned()
    }

    /// Invites `email` as `role`; returns the response.
    pub async fn invite(&self, tenant: &str, inviter: &str, email: &str, role: &str) -> Reply {
        let body = serde_json::json!({ "email": email, "role": role });
        self.call(Method::POST, &format!("/v1/tenants/{tenant}/invitations"), Some(&self.token(inviter)), Some(body)).await
    }

    /// Every message in the outbox, oldest first.
    pub fn outbox_messages(&self) -> Vec<String> {
        let Ok(rd) = std::fs::read_dir(&self.outbox) else { return Vec::new() };
        let mut files: Vec<PathBuf> =
            rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "eml")).collect();
        files.sort();
        files.iter().map(|p| std::fs::read_to_string(p).expect("read eml")).collect()
    }

    /// The messages sent to `email`.
    pub fn messages_to(&self, email: &str) -> Vec<String> {
        let to = format!("To: {email}\r\n");
        self.outbox_messages().into_iter().filter(|m| m.contains(&to)).collect()
    }

    /// The token from the latest invitation email to `email` (read from the outbox, as an
    /// invitee would read it from their mailbox).
    pub fn token_from_email(&self, email: &str) -> String {
        let msgs = self.messages_to(email);
        let last = msgs.last().unwrap_or_else(|| panic!("no email to {email}"));
        let at = last.find("#token=").expect("link in email") + "#token=".len();
        last[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
    }

    /// Invites and accepts: `email` becomes a member with `role`; returns their user id.
    pub async fn member(&self, tenant: &str, owner: &str, email: &str, role: &str) -> String {
        let r = self.invite(tenant, owner, email, role).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
        let token = self.token_from_email(email);
        let a =
            self.call(Method::POST, "/v1/invitations/accept", Some(&self.token(email)), Some(serde_json::json!({ "token": token }))).await;
        assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
        a.json["member"]["user_id"].as_str().expect("user id").to_owned()
    }
}

impl Default for TestApp {
    fn default() -> Self {
        Self::new()
    }
}
