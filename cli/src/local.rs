//! The local environment behind every command: a data dir holding the SQLite database, the
//! development JWT secret and the cursor secret (each generated once) and the outbox.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use usher_domain::paging::CursorKey;
use usher_domain::usecases::{expire, tenants};
use usher_domain::values::{Email, Timestamp};
use usher_domain::{Caller, Deps, Settings, UseCaseError};
use usher_http::auth::{DevClaims, mint};
use usher_store::system::FixedClock;
use usher_store::{LocalQueue, OsRandom, OutboxMailer, SqliteTable, SystemClock};

/// Issuer of local development tokens.
pub const LOCAL_ISSUER: &str = "usher-local";
/// Audience of local development tokens.
pub const LOCAL_AUDIENCE: &str = "usher";
/// The sender shown in outbox messages.
pub const LOCAL_SENDER: &str = "Usher <no-reply@usher.localhost>";

/// Where operator commands read and write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StoreKind {
    /// The local data dir's SQLite database.
    Sqlite,
    /// A DynamoDB table (a deployed stack, or a local AWS-compatible server).
    Dynamodb,
}

/// An opened data dir.
pub struct LocalEnv {
    pub deps: Deps,
    pub secret: Vec<u8>,
    pub outbox: PathBuf,
    /// The in-process delivery queue (`serve` starts its worker; one-shot commands drain it).
    pub queue: Arc<LocalQueue>,
    /// The embedded store itself (its change log feeds the event publisher); `None` on DynamoDB.
    pub sqlite: Option<SqliteTable>,
    /// Whether a one-shot command sends what it queued before it exits (false when the emails
    /// are queued on SQS, or there is no mailer: they stay pending for the stack's own sweep).
    drain: bool,
}

pub fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("USHER_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
}

impl LocalEnv {
    /// Opens (creating) `data_dir`. `now` fixes the clock ("as of" runs); `accept_url` sets links.
    pub fn open(data_dir: &Path, now: Option<&str>, accept_url: Option<&str>) -> Result<Self, String> {
        std::fs::create_dir_all(data_dir).map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
        let table = SqliteTable::open(&data_dir.join("usher.db")).map_err(|e| format!("cannot open the database: {e}"))?;
        let outbox = data_dir.join("outbox");
        let mailer = OutboxMailer::new(&outbox, LOCAL_SENDER).map_err(|e| format!("cannot create {}: {e}", outbox.display()))?;
        let clock: Arc<dyn usher_domain::ports::Clock> = match now {
            Some(raw) => Arc::new(FixedClock(
                Timestamp::parse(raw).map_err(|_| format!("--now: '{raw}' is not an RFC 3339 time (e.g. 2026-12-01T00:00:00Z)"))?,
            )),
            None => Arc::new(SystemClock),
        };
        let mut settings = Settings::default();
        if let Some(url) = accept_url {
            settings.accept_url = url.to_owned();
        }
        // This data dir's own key: its list cursors cannot be forged, nor used with another dir.
        settings.cursor_key = CursorKey::from_secret(&load_or_create_secret(&data_dir.join("cursor-secret"))?);
        let queue = LocalQueue::new();
        let deps = Deps::new(Arc::new(table.clone()), Arc::new(mailer), queue.clone(), clock, Arc::new(OsRandom), settings);
        // Verified domains ask the host's resolver unless `serve --dns-server` names one.
        let deps = match usher_dns::HickoryTxt::system() {
            Ok(dns) => deps.with_dns(Arc::new(dns)),
            Err(e) => {
                tracing::warn!(error = %e, "no system DNS resolver: verifying domains will fail until one is named");
                deps
            }
        };
        let secret = load_or_create_secret(&data_dir.join("jwt-secret"))?;
        Ok(Self { deps, secret, outbox, queue, sqlite: Some(table), drain: true })
    }

    /// Opens the chosen store. For DynamoDB the AWS SDK reads the usual environment (region,
    /// credentials, `AWS_ENDPOINT_URL`); the dev JWT secret still comes from the data dir.
    /// `accept_url` is where the links in the emails it sends point (the caller requires one
    /// for DynamoDB: see `Expire` in main.rs).
    pub async fn open_store(store: &crate::StoreArgs, now: Option<&str>, accept_url: Option<&str>) -> Result<Self, String> {
        if let Some(url) = accept_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return Err(format!("--accept-url: '{url}' is not an http(s) URL"));
        }
        let mut env = Self::open(&store.data_dir, now, accept_url)?;
        if store.store == StoreKind::Dynamodb {
            let table = store.table.as_deref().ok_or("--table is required with --store dynamodb")?;
            let sender = store.sender.as_deref();
            let sdk = usher_aws::sdk_config().await;
            let dynamo = usher_aws::DynamoTable::new(aws_sdk_dynamodb::Client::new(&sdk), table);
            dynamo.prime().await.map_err(|e| format!("cannot reach DynamoDB table '{table}': {e}"))?;
            env.deps = env.deps.clone().with_table(Arc::new(dynamo));
            env.sqlite = None;
            env.deps.mailer = match sender {
                Some(from) => Arc::new(usher_aws::SesMailer::new(aws_sdk_sesv2::Client::new(&sdk), from, None)),
                None => Arc::new(NoMail),
            };
            // Emails go to the stack's delivery queue when one is named; otherwise this command
            // sends them itself if it has a sender, or leaves them pending for the stack's sweep.
            if let Some(url) = store.delivery_queue.as_deref() {
                env.deps.queue = Arc::new(usher_aws::SqsQueue::new(aws_sdk_sqs::Client::new(&sdk), url));
                env.drain = false;
            } else {
                env.drain = sender.is_some();
            }
        }
        Ok(env)
    }

    pub async fn create_tenant(&self, name: &str, owner_email: &str, seats: Option<u32>) -> Result<serde_json::Value, String> {
        let req = tenants::NewTenant {
            name: Some(name.to_owned()),
            owner_email: Some(owner_email.to_owned()),
            seat_limit: seats,
            invitation_ttl_days: None,
        };
        let t = tenants::create_tenant(&self.deps, &Caller::Operator, &req).await.map_err(describe)?;
        serde_json::to_value(t).map_err(|e| e.to_string())
    }

    pub fn mint_token(
        &self,
        email: &str,
        sub: Option<String>,
        name: Option<String>,
        operator: bool,
        ttl_hours: u32,
    ) -> Result<String, String> {
        let email = Email::parse(email).map_err(|e| format!("--email: {e}"))?;
        let now = self.deps.now().unix();
        let claims = DevClaims {
            sub: sub.unwrap_or_else(|| format!("dev|{email}")),
            email: email.to_string(),
            email_verified: true,
            name,
            usher_operator: operator,
            iss: LOCAL_ISSUER.into(),
            aud: LOCAL_AUDIENCE.into(),
            iat: now,
            exp: now + i64::from(ttl_hours.max(1)) * 3600,
        };
        mint(&self.secret, &claims).map_err(|e| format!("cannot sign the token: {e}"))
    }

    /// One sweep; then, without a worker, the emails it queued again are sent before returning.
    pub async fn sweep(&self) -> Result<expire::SweepSummary, String> {
        let summary = expire::sweep(&self.deps).await.map_err(describe)?;
        if self.drain {
            self.queue.drain(&self.deps, 0).await;
        }
        Ok(summary)
    }
}

fn describe<E: UseCaseError>(e: E) -> String {
    match e.code() {
        usher_domain::ErrorCode::InvalidRequest(errors) => {
            errors.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; ")
        }
        code => format!("{} ({})", e, code.as_str()),
    }
}

/// A secret of this data dir (the development signing secret, the cursor secret): 32 random
/// bytes, created once per data dir, readable only by its owner.
fn load_or_create_secret(path: &Path) -> Result<Vec<u8>, String> {
    if let Ok(hex) = std::fs::read_to_string(path) {
        return parse_secret(path, &hex);
    }
    let mut secret = [0u8; 32];
    usher_domain::ports::Random::fill(&OsRandom, &mut secret);
    let hex = usher_domain::token::hex(&secret);
    match usher_store::system::create_private(path, &hex) {
        Ok(()) => Ok(secret.to_vec()),
        // Another command on the same data dir created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::thread::sleep(std::time::Duration::from_millis(50));
            let hex = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            parse_secret(path, &hex)
        }
        Err(e) => Err(format!("cannot write {}: {e}", path.display())),
    }
}

fn parse_secret(path: &Path, hex: &str) -> Result<Vec<u8>, String> {
    let hex = hex.trim();
    let bytes: Option<Vec<u8>> =
        (0..hex.len()).step_by(2).map(|i| hex.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok())).collect();
    bytes.filter(|b| b.len() >= 32).ok_or_else(|| format!("{} is not a valid secret; delete it to make a new one", path.display()))
}

/// For DynamoDB commands run without `--sender`: refuses to send, so a retried delivery stays
/// `failed` and visible instead of going to the local outbox by mistake.
struct NoMail;

#[async_trait::async_trait]
impl usher_domain::ports::Mailer for NoMail {
    async fn send(&self, _: &usher_domain::ports::OutgoingEmail) -> Result<(), usher_domain::ports::MailError> {
        Err(usher_domain::ports::MailError("no sender configured: pass --sender to send email".into()))
    }
}
