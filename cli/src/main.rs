//! `usher`: run the whole API locally, and the operator commands.

mod local;
mod serve;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "usher", version, about = "Usher: invite people into your SaaS tenants by email, with a role.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole HTTP API on 127.0.0.1 over the embedded store; emails go to <data-dir>/outbox.
    Serve {
        /// Port to listen on.
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Where the database, the dev JWT and cursor secrets and the outbox live.
        #[arg(long, default_value = ".usher")]
        data_dir: PathBuf,
        /// The invitee landing page; links are <accept-url>#token=... Default: the page this
        /// server serves itself, http://127.0.0.1:<port>/accept.
        #[arg(long)]
        accept_url: Option<String>,
        /// Serve the web client from this folder instead of the copy built into the binary
        /// (for editing `web/` without rebuilding).
        #[arg(long, value_name = "DIR")]
        web_dir: Option<PathBuf>,
        /// POST every event here, signed per Standard Webhooks with <data-dir>/webhook-secret
        /// (created on first use). Every event also goes to <data-dir>/events.jsonl.
        #[arg(long, value_name = "URL")]
        webhook_url: Option<String>,
        /// Look verified domains' TXT records up at this DNS server (UDP and TCP), not the
        /// host's resolver (tests run a stub on loopback).
        #[arg(long, value_name = "HOST:PORT")]
        dns_server: Option<std::net::SocketAddr>,
        /// Seconds to wait after each failed webhook attempt, comma-separated; an event that
        /// fails once more than listed is parked in <data-dir>/webhook-failed.jsonl.
        #[arg(long, value_name = "SECS,...", default_value = "5,300,1800,7200,18000,36000,36000", value_parser = parse_schedule)]
        webhook_retry_after: RetrySchedule,
        /// Browser origins allowed by CORS (repeatable; `*` for any).
        #[arg(long = "cors-origin", default_value = "*")]
        cors_origins: Vec<String>,
        /// Public token requests (lookup, renewal request) allowed per minute from one address;
        /// more answer 429. Raise it for load tests and fuzzing from one machine.
        #[arg(long, value_name = "N", default_value_t = usher_http::RateLimits::default().per_source.max,
              value_parser = clap::value_parser!(u32).range(1..))]
        rate_limit_per_minute: u32,
        /// Public token requests allowed per minute carrying one token; more answer 429.
        #[arg(long, value_name = "N", default_value_t = usher_http::RateLimits::default().per_token.max,
              value_parser = clap::value_parser!(u32).range(1..))]
        token_rate_limit_per_minute: u32,
        /// Emails the background delivery worker writes to the outbox per second at most
        /// (0: as fast as it can).
        #[arg(long, value_name = "N", default_value_t = 20)]
        send_rate_per_second: u32,
        #[command(flatten)]
        oidc: OidcArgs,
    },
    /// Tenant provisioning (what the SaaS backend does through the IAM-authorised API).
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// A tenant's SCIM tokens (what its identity provider provisions the directory with).
    ScimToken {
        #[command(subcommand)]
        command: ScimTokenCommand,
    },
    /// Print a signed development JWT (verified email) that `usher serve` on the same data dir accepts.
    Token {
        /// The signed-in person's email.
        #[arg(long)]
        email: String,
        /// Subject (defaults to one derived from the email).
        #[arg(long)]
        sub: Option<String>,
        /// Display name.
        #[arg(long)]
        name: Option<String>,
        /// Give the token operator rights (tenant provisioning over HTTP).
        #[arg(long)]
        operator: bool,
        /// Lifetime in hours.
        #[arg(long, default_value_t = 12)]
        ttl_hours: u32,
        /// Data dir whose secret signs the token.
        #[arg(long, default_value = ".usher")]
        data_dir: PathBuf,
    },
    /// Run the expiry sweep once (expire overdue invitations, queue waiting emails again); prints a JSON summary.
    Expire {
        /// Sweep as of this time (RFC 3339) instead of now.
        #[arg(long)]
        now: Option<String>,
        /// The invitee landing page for the links in retried emails (<accept-url>#token=...).
        /// Required with `--store dynamodb`: a retry mints a fresh token, so a wrong page would
        /// send real invitees a dead link and void their old one. Locally, `serve`'s default.
        #[arg(long, required_if_eq("store", "dynamodb"))]
        accept_url: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// `serve` with a real identity provider, as the stack signs people in.
#[derive(clap::Args)]
struct OidcArgs {
    /// Sign people in at this OIDC issuer (authorization code with PKCE) instead of the
    /// development sign-in: the API then accepts its RS256 ID tokens (`iss` = this, `aud` =
    /// --oidc-client-id) and nothing else, and POST /dev/sign-in is gone. Its endpoints come from
    /// its discovery document (<issuer>/.well-known/openid-configuration); the flags below
    /// override them one by one.
    #[arg(long, value_name = "URL", requires = "oidc_client_id")]
    oidc_issuer: Option<String>,
    /// The pages' public client id at the issuer.
    #[arg(long, value_name = "ID", requires = "oidc_issuer")]
    oidc_client_id: Option<String>,
    /// The issuer's authorization endpoint (its hosted sign-in page). Default: discovered.
    #[arg(long, value_name = "URL", requires = "oidc_issuer")]
    oidc_authorization_endpoint: Option<String>,
    /// The issuer's token endpoint (the pages POST the code and the PKCE verifier there).
    /// Default: discovered.
    #[arg(long, value_name = "URL", requires = "oidc_issuer")]
    oidc_token_endpoint: Option<String>,
    /// The issuer's signing keys. Default: discovered, else <issuer>/.well-known/jwks.json.
    #[arg(long, value_name = "URL", requires = "oidc_issuer")]
    oidc_jwks_url: Option<String>,
    /// The issuer's userinfo endpoint, asked by the server for the email of a person whose ID
    /// token carries none. Default: discovered.
    #[arg(long, value_name = "URL", requires = "oidc_issuer")]
    oidc_userinfo_endpoint: Option<String>,
    /// Where "Sign out" sends the browser to end the issuer's session too (with `id_token_hint`).
    /// Default: the discovered `end_session_endpoint`.
    #[arg(long, value_name = "URL", requires = "oidc_issuer")]
    oidc_logout_url: Option<String>,
}

impl OidcArgs {
    async fn provider(self) -> Result<Option<serve::OidcProvider>, String> {
        let (Some(issuer), Some(client_id)) = (self.oidc_issuer, self.oidc_client_id) else {
            return Ok(None);
        };
        let issuer = issuer.trim_end_matches('/').to_owned();
        if !usher_http::jwks::https_or_loopback(&issuer) {
            return Err(format!("--oidc-issuer must be an https URL (or http on 127.0.0.1), got {issuer:?}"));
        }
        let overrides = usher_http::oidc::Overrides {
            authorization_endpoint: self.oidc_authorization_endpoint,
            token_endpoint: self.oidc_token_endpoint,
            jwks_uri: self.oidc_jwks_url,
            userinfo_endpoint: self.oidc_userinfo_endpoint,
            end_session_endpoint: self.oidc_logout_url,
        };
        // Discovery is read even when every endpoint is named (it may give userinfo and logout);
        // a document that names another issuer stops the start, a missing one only warns.
        let discovered = match usher_http::oidc::discover(&issuer).await {
            Ok(d) => Some(d),
            Err(e @ usher_http::oidc::FetchError::IssuerMismatch { .. }) => return Err(format!("--oidc-issuer: {e}")),
            Err(e) => {
                tracing::warn!(cause = %e, "could not read the issuer's discovery document; using the endpoints given by flags");
                None
            }
        };
        let endpoints = usher_http::oidc::Endpoints::resolve(&issuer, overrides, discovered).map_err(|e| {
            format!("the OIDC settings: {e} (the discovery document at {issuer}/.well-known/openid-configuration could not be read)")
        })?;
        for (what, url) in [("the JWKS URL", Some(&endpoints.jwks_uri)), ("the userinfo endpoint", endpoints.userinfo_endpoint.as_ref())] {
            if let Some(url) = url
                && !usher_http::jwks::https_or_loopback(url)
            {
                return Err(format!("{what} must be an https URL (or http on 127.0.0.1), got {url:?}"));
            }
        }
        let client = usher_web::OidcClient::new(
            &client_id,
            &endpoints.authorization_endpoint,
            &endpoints.token_endpoint,
            None,
            endpoints.end_session_endpoint.as_deref(),
        )
        .map_err(|e| format!("the OIDC settings: {e}"))?;
        Ok(Some(serve::OidcProvider { issuer, jwks_url: endpoints.jwks_uri, userinfo_url: endpoints.userinfo_endpoint, client }))
    }
}

/// Which store an operator command works on.
#[derive(clap::Args, Clone)]
pub(crate) struct StoreArgs {
    /// `sqlite` (the local data dir) or `dynamodb` (a deployed stack's table, with the usual AWS
    /// environment: AWS_REGION, credentials, and AWS_ENDPOINT_URL for a local server).
    #[arg(long, value_enum, default_value_t = local::StoreKind::Sqlite)]
    pub(crate) store: local::StoreKind,
    /// The DynamoDB table (with `--store dynamodb`).
    #[arg(long, required_if_eq("store", "dynamodb"))]
    pub(crate) table: Option<String>,
    /// The SES sender for emails the command sends itself (with `--store dynamodb` and no
    /// `--delivery-queue`: `expire` then sends the deliveries it queues again).
    #[arg(long)]
    pub(crate) sender: Option<String>,
    /// The stack's delivery queue (an SQS URL, with `--store dynamodb`): `expire` queues the
    /// deliveries it finds waiting there, for the stack's `deliver` function.
    #[arg(long)]
    pub(crate) delivery_queue: Option<String>,
    /// Data dir (with `--store sqlite`).
    #[arg(long, default_value = ".usher")]
    pub(crate) data_dir: PathBuf,
}

#[derive(Subcommand)]
enum TenantCommand {
    /// Create a tenant whose owner is the given email; prints the tenant as JSON.
    Create {
        /// Tenant name.
        #[arg(long)]
        name: String,
        /// The first owner's email.
        #[arg(long)]
        owner_email: String,
        /// Seat limit (members + pending invitations); unlimited if omitted.
        #[arg(long)]
        seats: Option<u32>,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Subcommand)]
enum ScimTokenCommand {
    /// Create a SCIM token for a tenant; prints the token (shown once) and the SCIM base path as JSON.
    Create {
        /// The tenant (`ten_...`).
        #[arg(long)]
        tenant: String,
        /// What to call it ("Okta production").
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// Pauses between webhook attempts.
#[derive(Clone, Debug)]
struct RetrySchedule(Vec<std::time::Duration>);

/// `5,300,1800` → pauses of 5 s, 5 min, 30 min.
fn parse_schedule(raw: &str) -> Result<RetrySchedule, String> {
    raw.split(',')
        .map(|s| {
            s.trim().parse::<f64>().ok().filter(|n| n.is_finite() && *n >= 0.0 && *n <= 86_400.0).map(std::time::Duration::from_secs_f64)
        })
        .collect::<Option<Vec<_>>>()
        .map(RetrySchedule)
        .ok_or_else(|| format!("'{raw}' is not a list of seconds (each at most 86400) such as 5,300,1800"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    local::init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("usher: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("usher: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Serve {
            port,
            data_dir,
            accept_url,
            cors_origins,
            rate_limit_per_minute,
            token_rate_limit_per_minute,
            send_rate_per_second,
            web_dir,
            webhook_url,
            webhook_retry_after,
            dns_server,
            oidc,
        } => {
            serve::serve(serve::ServeOptions {
                port,
                data_dir,
                accept_url: accept_url.unwrap_or_else(|| serve::accept_url_on(port)),
                cors_origins,
                per_source_per_minute: rate_limit_per_minute,
                per_token_per_minute: token_rate_limit_per_minute,
                send_rate_per_second,
                web: web_dir.map_or(usher_web::Files::Embedded, usher_web::Files::Dir),
                oidc: oidc.provider().await?,
                webhook_url,
                webhook_retry_after: Some(webhook_retry_after.0),
                dns_server,
            })
            .await
        }
        Command::Tenant { command: TenantCommand::Create { name, owner_email, seats, store } } => {
            let env = local::LocalEnv::open_store(&store, None, None).await?;
            let tenant = env.create_tenant(&name, &owner_email, seats).await?;
            println!("{}", serde_json::to_string_pretty(&tenant).map_err(|e| e.to_string())?);
            Ok(())
        }
        Command::ScimToken { command: ScimTokenCommand::Create { tenant, name, store } } => {
            let env = local::LocalEnv::open_store(&store, None, None).await?;
            let tenant = usher_domain::values::TenantId::parse(&tenant).map_err(|e| format!("--tenant: {}", e.message))?;
            let created = usher_domain::usecases::scim_tokens::create_as_operator(&env.deps, &tenant, name.as_deref())
                .await
                .map_err(|e| format!("could not create the SCIM token: {e}"))?;
            let out = serde_json::json!({ "token": created.token, "id": created.resource.id, "scim_base_path": usher_scim::BASE_PATH });
            println!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
            Ok(())
        }
        Command::Token { email, sub, name, operator, ttl_hours, data_dir } => {
            let env = local::LocalEnv::open(&data_dir, None, None)?;
            println!("{}", env.mint_token(&email, sub, name, operator, ttl_hours)?);
            Ok(())
        }
        Command::Expire { now, accept_url, store } => {
            let accept_url = accept_url.as_deref().unwrap_or(serve::DEFAULT_ACCEPT_URL);
            let env = local::LocalEnv::open_store(&store, now.as_deref(), Some(accept_url)).await?;
            let summary = env.sweep().await?;
            println!("{}", serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?);
            Ok(())
        }
    }
}
