//! Configuration: typed, read once at cold start, failing fast with the name of what is missing.
//! Nothing below `main` reads the environment; the SAM template declares every variable here.

use std::collections::HashMap;
use usher_domain::paging::CursorKey;

/// Why the configuration is unusable (the cold start fails with this message).
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A required variable is not set.
    #[error("missing environment variable {0}")]
    Missing(&'static str),
    /// A variable is set to something unusable.
    #[error("environment variable {var} is invalid: {reason}")]
    Invalid {
        /// Which.
        var: &'static str,
        /// Why.
        reason: String,
    },
}

// `main` returning this prints its Debug form: make that the sentence, naming the variable.
impl std::fmt::Debug for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// The variable that names the local end-to-end mode (`1`): the only mode in which
/// `USHER_JWT_HS256_SECRET` is accepted. Never set on AWS.
pub const LOCAL_E2E: &str = "USHER_LOCAL_E2E";

/// The variable holding the secret list cursors are signed with (never logged, never echoed).
pub const CURSOR_SECRET: &str = "USHER_CURSOR_SECRET";

/// Fewest bytes of `USHER_CURSOR_SECRET`: a shorter one could be guessed, and whoever knows it
/// can forge cursors.
pub const MIN_CURSOR_SECRET_BYTES: usize = 32;

/// The cursor key from the deployment's secret; the reason for a refusal never quotes it.
fn cursor_key(secret: String) -> Result<CursorKey, ConfigError> {
    if secret.len() < MIN_CURSOR_SECRET_BYTES {
        return Err(ConfigError::Invalid {
            var: CURSOR_SECRET,
            reason: format!("must be at least {MIN_CURSOR_SECRET_BYTES} bytes of random data, got {}", secret.len()),
        });
    }
    Ok(CursorKey::from_secret(secret.as_bytes()))
}

/// How bearer tokens are verified.
#[derive(Clone, PartialEq, Eq)]
pub enum JwtKeys {
    /// The identity provider's published keys (Cognito or any OIDC issuer).
    Jwks {
        /// Where the key set is.
        url: String,
        /// Accepted algorithms (pinned).
        algorithms: Vec<String>,
        /// `url` was derived, not given, and the issuer is not Cognito: read the issuer's
        /// discovery document at cold start for its `jwks_uri` (and `userinfo_endpoint`), which
        /// need not be at `<issuer>/.well-known/jwks.json` (oidc-provider serves `/jwks`).
        discover: bool,
    },
    /// A shared HS256 secret: only when explicitly configured (local end-to-end runs).
    Hs256 {
        /// The secret.
        secret: Vec<u8>,
    },
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Jwks { url, algorithms, discover } => {
                f.debug_struct("Jwks").field("url", url).field("algorithms", algorithms).field("discover", discover).finish()
            }
            Self::Hs256 { .. } => f.write_str("Hs256(<redacted>)"),
        }
    }
}

/// Everything a function needs to know about its environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// DynamoDB table name (`USHER_TABLE`).
    pub table: String,
    /// Sender identity for SES (`USHER_SENDER`, e.g. `Acme <no-reply@acme.com>`).
    pub sender: String,
    /// SES configuration set (`USHER_SES_CONFIGURATION_SET`, optional).
    pub configuration_set: Option<String>,
    /// Invitee landing page (`USHER_ACCEPT_URL`). Only the function that writes the emails
    /// (`deliver`) needs it and requires it; the API's functions queue emails, and cannot be
    /// told their own address (the stack's API would depend on itself).
    pub accept_url: Option<String>,
    /// Token issuer (`USHER_JWT_ISSUER`).
    pub jwt_issuer: String,
    /// Token audience, or the Cognito app client id (`USHER_JWT_AUDIENCE`).
    pub jwt_audience: String,
    /// How tokens are verified (`USHER_JWKS_URL` / `USHER_JWT_ALGORITHMS`, or `USHER_JWT_HS256_SECRET`).
    pub jwt_keys: JwtKeys,
    /// The identity provider's userinfo endpoint (`USHER_OIDC_USERINFO_ENDPOINT`, optional, https):
    /// `POST /v1/me/userinfo` asks it for the email of a person whose ID token has none. Unset,
    /// that route answers `501 userinfo_not_configured` (Cognito's ID tokens carry the email).
    pub userinfo_endpoint: Option<String>,
    /// Browser origins for CORS (`USHER_CORS_ORIGINS`, comma-separated; API Gateway also applies CORS).
    pub cors_origins: Vec<String>,
    /// Default invitation lifetime in days (`USHER_INVITATION_TTL_DAYS`, default 7).
    pub default_ttl_days: u32,
    /// Longest lifetime an inviter may choose (`USHER_MAX_TTL_DAYS`, default 30).
    pub max_ttl_days: u32,
    /// Email attempts per link (`USHER_MAX_DELIVERY_ATTEMPTS`, default 5).
    pub max_delivery_attempts: u32,
    /// Signs list cursors, derived from the deployment's secret (`USHER_CURSOR_SECRET`, at
    /// least 32 bytes; the stack generates one in Secrets Manager). Only the functions that
    /// serve listings are given it (`require_cursor_key`); its Debug is redacted.
    pub cursor_key: Option<CursorKey>,
    /// The delivery queue every email is queued on (`USHER_DELIVERY_QUEUE_URL`, an SQS URL).
    pub delivery_queue_url: String,
    /// The queue large export jobs go to (`USHER_EXPORT_QUEUE_URL`; the stack's ExportQueue, read
    /// by the export worker). Unset: they go with the emails.
    pub export_queue_url: Option<String>,
    /// Public token requests (lookup, renewal request) a minute from one source address
    /// (`USHER_RATE_LIMIT_PER_MINUTE`, default 30).
    pub rate_limit_per_minute: u32,
    /// Public token requests a minute carrying one token (`USHER_TOKEN_RATE_LIMIT_PER_MINUTE`,
    /// default 10).
    pub token_rate_limit_per_minute: u32,
    /// The private bucket large export files are written to (`USHER_EXPORT_BUCKET`).
    pub export_bucket: String,
    /// Exports up to this many rows are answered directly (`USHER_EXPORT_DIRECT_ROWS`, default 5000).
    pub export_direct_rows: u32,
    /// Emails per second one `deliver` instance sends at most (`USHER_SEND_RATE_PER_SECOND`,
    /// default 7; the stack's concurrency times this must stay under the SES account's rate).
    pub send_rate_per_second: u32,
    /// A background worker's SDK budget per attempt, in seconds, for local end-to-end runs only
    /// (`USHER_LOCAL_SDK_ATTEMPT_SECS`, refused without `USHER_LOCAL_E2E=1`): the local AWS
    /// server reads a whole partition for each Query page, seconds where DynamoDB takes
    /// milliseconds, and a benchmark of a 100k-member export must not time out on that.
    pub local_sdk_attempt_secs: Option<u64>,
    /// The DNS server verified domains are looked up at, for local end-to-end runs only
    /// (`USHER_DNS_SERVER`, `HOST:PORT`, refused without `USHER_LOCAL_E2E=1`; on AWS the
    /// function's own resolver answers).
    pub dns_server: Option<std::net::SocketAddr>,
}

impl Config {
    /// The cursor key, for a function that signs cursors: refused at its cold start without one.
    pub fn require_cursor_key(&self) -> Result<&CursorKey, ConfigError> {
        self.cursor_key.as_ref().ok_or(ConfigError::Missing(CURSOR_SECRET))
    }

    /// Reads the process environment (once, in `main`).
    pub fn from_env() -> Result<Self, ConfigError> {
        let vars: HashMap<String, String> = std::env::vars().collect();
        Self::from_lookup(|k| vars.get(k).cloned())
    }

    /// Reads from any source of variables (tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &'static str| get(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let required = |name: &'static str| var(name).ok_or(ConfigError::Missing(name));
        let number = |name: &'static str, default: u32, range: std::ops::RangeInclusive<u32>| -> Result<u32, ConfigError> {
            match var(name) {
                None => Ok(default),
                Some(v) => v.parse().ok().filter(|n| range.contains(n)).ok_or_else(|| ConfigError::Invalid {
                    var: name,
                    reason: format!("expected a whole number from {} to {}, got '{v}'", range.start(), range.end()),
                }),
            }
        };
        let url = |name: &'static str, value: String| -> Result<String, ConfigError> {
            if value.starts_with("https://") || value.starts_with("http://") {
                Ok(value)
            } else {
                Err(ConfigError::Invalid { var: name, reason: "expected an http(s) URL".into() })
            }
        };
        // Whoever can change the issuer's keys in transit can sign in as anyone.
        let secure_url = |name: &'static str, value: String| -> Result<String, ConfigError> {
            if usher_http::jwks::https_or_loopback(&value) {
                Ok(value)
            } else {
                Err(ConfigError::Invalid { var: name, reason: "expected an https URL (plain http only to localhost)".into() })
            }
        };
        let jwt_issuer = secure_url("USHER_JWT_ISSUER", required("USHER_JWT_ISSUER")?)?;
        let local_e2e = match var(LOCAL_E2E) {
            None => false,
            Some(v) if v == "1" || v.eq_ignore_ascii_case("true") => true,
            Some(v) if v == "0" || v.eq_ignore_ascii_case("false") => false,
            Some(v) => return Err(ConfigError::Invalid { var: LOCAL_E2E, reason: format!("expected 1 or 0, got '{v}'") }),
        };
        let jwt_keys = match var("USHER_JWT_HS256_SECRET") {
            // A shared secret replaces the identity provider's keys entirely: a stray one left in
            // a deployed function's environment must stop the cold start, not quietly take over.
            Some(_) if !local_e2e => {
                return Err(ConfigError::Invalid {
                    var: "USHER_JWT_HS256_SECRET",
                    reason: format!("only for local end-to-end runs, which must say so with {LOCAL_E2E}=1; unset it on AWS"),
                });
            }
            Some(secret) if secret.len() < 32 => {
                return Err(ConfigError::Invalid { var: "USHER_JWT_HS256_SECRET", reason: "must be at least 32 characters".into() });
            }
            Some(secret) => JwtKeys::Hs256 { secret: secret.into_bytes() },
            None if local_e2e => return Err(ConfigError::Missing("USHER_JWT_HS256_SECRET")),
            None => {
                let given = var("USHER_JWKS_URL");
                // Cognito's keys are always at the derived address: no fetch at cold start.
                let discover = given.is_none() && !jwt_issuer.starts_with("https://cognito-idp.");
                let url_value = given.unwrap_or_else(|| format!("{}/.well-known/jwks.json", jwt_issuer.trim_end_matches('/')));
                let algorithms: Vec<String> =
                    var("USHER_JWT_ALGORITHMS").unwrap_or_else(|| "RS256".into()).split(',').map(|a| a.trim().to_uppercase()).collect();
                if let Some(bad) = algorithms.iter().find(|a| !["RS256", "ES256"].contains(&a.as_str())) {
                    return Err(ConfigError::Invalid { var: "USHER_JWT_ALGORITHMS", reason: format!("'{bad}' is not RS256 or ES256") });
                }
                JwtKeys::Jwks { url: secure_url("USHER_JWKS_URL", url_value)?, algorithms, discover }
            }
        };
        let default_ttl_days = number("USHER_INVITATION_TTL_DAYS", 7, 1..=365)?;
        let max_ttl_days = number("USHER_MAX_TTL_DAYS", 30, 1..=365)?;
        if default_ttl_days > max_ttl_days {
            return Err(ConfigError::Invalid { var: "USHER_INVITATION_TTL_DAYS", reason: "longer than USHER_MAX_TTL_DAYS".into() });
        }
        Ok(Self {
            table: required("USHER_TABLE")?,
            sender: required("USHER_SENDER")?,
            configuration_set: var("USHER_SES_CONFIGURATION_SET"),
            accept_url: var("USHER_ACCEPT_URL").map(|v| url("USHER_ACCEPT_URL", v)).transpose()?,
            jwt_issuer,
            jwt_audience: required("USHER_JWT_AUDIENCE")?,
            jwt_keys,
            userinfo_endpoint: var("USHER_OIDC_USERINFO_ENDPOINT").map(|v| secure_url("USHER_OIDC_USERINFO_ENDPOINT", v)).transpose()?,
            cors_origins: var("USHER_CORS_ORIGINS")
                .map(|o| o.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
                .unwrap_or_default(),
            default_ttl_days,
            max_ttl_days,
            max_delivery_attempts: number("USHER_MAX_DELIVERY_ATTEMPTS", 5, 1..=10)?,
            cursor_key: var(CURSOR_SECRET).map(cursor_key).transpose()?,
            delivery_queue_url: url("USHER_DELIVERY_QUEUE_URL", required("USHER_DELIVERY_QUEUE_URL")?)?,
            export_queue_url: var("USHER_EXPORT_QUEUE_URL").map(|v| url("USHER_EXPORT_QUEUE_URL", v)).transpose()?,
            send_rate_per_second: number("USHER_SEND_RATE_PER_SECOND", 7, 1..=500)?,
            rate_limit_per_minute: number("USHER_RATE_LIMIT_PER_MINUTE", 30, 1..=100_000)?,
            token_rate_limit_per_minute: number("USHER_TOKEN_RATE_LIMIT_PER_MINUTE", 10, 1..=100_000)?,
            export_bucket: required("USHER_EXPORT_BUCKET")?,
            export_direct_rows: number("USHER_EXPORT_DIRECT_ROWS", 5000, 0..=20_000)?,
            local_sdk_attempt_secs: match var("USHER_LOCAL_SDK_ATTEMPT_SECS") {
                None => None,
                Some(_) if !local_e2e => {
                    return Err(ConfigError::Invalid {
                        var: "USHER_LOCAL_SDK_ATTEMPT_SECS",
                        reason: format!("only for local end-to-end runs, which must say so with {LOCAL_E2E}=1; unset it on AWS"),
                    });
                }
                Some(_) => Some(u64::from(number("USHER_LOCAL_SDK_ATTEMPT_SECS", 8, 1..=900)?)),
            },
            dns_server: match var("USHER_DNS_SERVER") {
                None => None,
                Some(_) if !local_e2e => {
                    return Err(ConfigError::Invalid {
                        var: "USHER_DNS_SERVER",
                        reason: format!("only for local end-to-end runs, which must say so with {LOCAL_E2E}=1; unset it on AWS"),
                    });
                }
                Some(v) => Some(v.parse().map_err(|_| ConfigError::Invalid { var: "USHER_DNS_SERVER", reason: "not HOST:PORT".into() })?),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        move |k| map.get(k).cloned()
    }

    const CURSOR_SECRET_VALUE: &str = "cursor-secret-0123456789-cursor-secret-abcdefghij";

    const MINIMAL: [(&str, &str); 8] = [
        ("USHER_TABLE", "usher-dev"),
        ("USHER_SENDER", "Usher <no-reply@example.com>"),
        ("USHER_ACCEPT_URL", "https://app.example.com/accept"),
        ("USHER_JWT_ISSUER", "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc"),
        ("USHER_JWT_AUDIENCE", "client123"),
        ("USHER_CURSOR_SECRET", CURSOR_SECRET_VALUE),
        ("USHER_DELIVERY_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/123456789012/usher-dev-deliveries"),
        ("USHER_EXPORT_BUCKET", "usher-dev-exports-123456789012"),
    ];

    fn with(var: &'static str, value: &'static str) -> Result<Config, ConfigError> {
        let mut e: Vec<(&str, &str)> = MINIMAL.iter().copied().filter(|(k, _)| *k != var).collect();
        e.push((var, value));
        Config::from_lookup(env(&e))
    }

    #[test]
    fn the_landing_page_is_optional_for_the_api_functions_but_must_be_a_url_when_given() {
        let without: Vec<(&str, &str)> = MINIMAL.iter().copied().filter(|(k, _)| *k != "USHER_ACCEPT_URL").collect();
        assert_eq!(Config::from_lookup(env(&without)).expect("starts").accept_url, None);
        assert!(matches!(with("USHER_ACCEPT_URL", "app.example.com/accept"), Err(ConfigError::Invalid { var: "USHER_ACCEPT_URL", .. })));
        assert_eq!(
            with("USHER_ACCEPT_URL", "https://x.example/accept").expect("starts").accept_url.as_deref(),
            Some("https://x.example/accept")
        );
    }

    #[test]
    fn a_wider_sdk_budget_is_only_for_local_end_to_end_runs() {
        assert_eq!(Config::from_lookup(env(&MINIMAL)).expect("starts").local_sdk_attempt_secs, None);
        assert!(matches!(
            with("USHER_LOCAL_SDK_ATTEMPT_SECS", "60"),
            Err(ConfigError::Invalid { var: "USHER_LOCAL_SDK_ATTEMPT_SECS", .. })
        ));
        let mut local: Vec<(&str, &str)> = MINIMAL.to_vec();
        local.extend([
            (LOCAL_E2E, "1"),
            ("USHER_JWT_HS256_SECRET", "a-local-secret-of-at-least-32-characters"),
            ("USHER_LOCAL_SDK_ATTEMPT_SECS", "60"),
        ]);
        assert_eq!(Config::from_lookup(env(&local)).expect("starts").local_sdk_attempt_secs, Some(60));
    }

    #[test]
    fn the_minimal_configuration_gets_sensible_defaults_and_cognitos_jwks_url() {
        let c = Config::from_lookup(env(&MINIMAL)).unwrap();
        assert_eq!(c.default_ttl_days, 7);
        assert_eq!(c.max_delivery_attempts, 5);
        assert_eq!(c.send_rate_per_second, 7);
        assert_eq!(c.export_direct_rows, 5000);
        assert_eq!((c.rate_limit_per_minute, c.token_rate_limit_per_minute), (30, 10));
        assert_eq!(
            c.jwt_keys,
            JwtKeys::Jwks {
                url: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/.well-known/jwks.json".into(),
                algorithms: vec!["RS256".into()],
                discover: false,
            }
        );
    }

    #[test]
    fn a_missing_variable_is_named() {
        // USHER_ACCEPT_URL is optional here; `run_deliver` requires it. USHER_CURSOR_SECRET
        // likewise: the functions that serve listings require it (`require_cursor_key`).
        for (name, _) in MINIMAL.into_iter().filter(|(k, _)| *k != "USHER_ACCEPT_URL" && *k != CURSOR_SECRET) {
            let without: Vec<(&str, &str)> = MINIMAL.iter().copied().filter(|(k, _)| *k != name).collect();
            assert_eq!(Config::from_lookup(env(&without)).unwrap_err(), ConfigError::Missing(name), "{name}");
        }
    }

    #[test]
    fn bad_values_are_refused_with_the_variable_and_the_reason() {
        let mut bad = MINIMAL.to_vec();
        bad.push(("USHER_INVITATION_TTL_DAYS", "forever"));
        assert!(matches!(Config::from_lookup(env(&bad)), Err(ConfigError::Invalid { var: "USHER_INVITATION_TTL_DAYS", .. })));
        let mut weak = MINIMAL.to_vec();
        weak.push(("USHER_JWT_HS256_SECRET", "short"));
        weak.push((LOCAL_E2E, "1"));
        assert!(matches!(Config::from_lookup(env(&weak)), Err(ConfigError::Invalid { var: "USHER_JWT_HS256_SECRET", .. })));
        let mut alg = MINIMAL.to_vec();
        alg.push(("USHER_JWT_ALGORITHMS", "HS256"));
        assert!(matches!(Config::from_lookup(env(&alg)), Err(ConfigError::Invalid { var: "USHER_JWT_ALGORITHMS", .. })));
    }

    #[test]
    fn a_stray_hs256_secret_is_refused_unless_the_local_end_to_end_mode_is_named() {
        let mut stray = MINIMAL.to_vec();
        stray.push(("USHER_JWT_HS256_SECRET", "0123456789abcdef0123456789abcdef"));
        assert!(matches!(Config::from_lookup(env(&stray)), Err(ConfigError::Invalid { var: "USHER_JWT_HS256_SECRET", .. })));
        let mut off = stray.clone();
        off.push((LOCAL_E2E, "0"));
        assert!(matches!(Config::from_lookup(env(&off)), Err(ConfigError::Invalid { var: "USHER_JWT_HS256_SECRET", .. })));
        let mut local = stray.clone();
        local.push((LOCAL_E2E, "1"));
        assert!(matches!(Config::from_lookup(env(&local)).unwrap().jwt_keys, JwtKeys::Hs256 { .. }));
        let mut mode_without_secret = MINIMAL.to_vec();
        mode_without_secret.push((LOCAL_E2E, "1"));
        assert_eq!(Config::from_lookup(env(&mode_without_secret)).unwrap_err(), ConfigError::Missing("USHER_JWT_HS256_SECRET"));
        let mut garbled = MINIMAL.to_vec();
        garbled.push((LOCAL_E2E, "yes please"));
        assert!(matches!(Config::from_lookup(env(&garbled)), Err(ConfigError::Invalid { var: LOCAL_E2E, .. })));
    }

    #[test]
    fn the_issuer_and_the_key_set_must_be_https_except_on_this_machine() {
        assert!(matches!(with("USHER_JWT_ISSUER", "http://idp.example"), Err(ConfigError::Invalid { var: "USHER_JWT_ISSUER", .. })));
        assert!(matches!(with("USHER_JWKS_URL", "http://idp.example/jwks.json"), Err(ConfigError::Invalid { var: "USHER_JWKS_URL", .. })));
        assert!(matches!(
            with("USHER_JWKS_URL", "http://127.0.0.1@idp.example/jwks.json"),
            Err(ConfigError::Invalid { var: "USHER_JWKS_URL", .. })
        ));
        // An http issuer would also make the default key-set URL http.
        let c = with("USHER_JWT_ISSUER", "http://127.0.0.1:9000").unwrap();
        assert_eq!(
            c.jwt_keys,
            JwtKeys::Jwks { url: "http://127.0.0.1:9000/.well-known/jwks.json".into(), algorithms: vec!["RS256".into()], discover: true }
        );
        assert!(with("USHER_JWKS_URL", "http://localhost:9000/jwks.json").is_ok());
    }

    #[test]
    fn the_cursor_key_is_derived_from_the_cursor_secret_and_differs_per_secret() {
        let c = Config::from_lookup(env(&MINIMAL)).unwrap();
        assert_eq!(c.cursor_key, Some(CursorKey::from_secret(CURSOR_SECRET_VALUE.as_bytes())));
        assert_ne!(c.cursor_key, Some(CursorKey::default()), "not the public constant");
        let other = with("USHER_CURSOR_SECRET", "another-secret-another-secret-another-secret").unwrap();
        assert_ne!(other.cursor_key, c.cursor_key);
    }

    #[test]
    fn a_cursor_secret_shorter_than_32_bytes_is_refused_naming_the_variable_but_not_the_value() {
        let short = "0123456789abcdef0123456789abcde"; // 31 bytes
        let err = with("USHER_CURSOR_SECRET", short).unwrap_err();
        assert!(matches!(err, ConfigError::Invalid { var: "USHER_CURSOR_SECRET", .. }), "{err}");
        assert!(!err.to_string().contains(short), "the secret is never echoed: {err}");
        assert!(!format!("{err:?}").contains(short));
        assert!(with("USHER_CURSOR_SECRET", "0123456789abcdef0123456789abcdef").is_ok(), "32 bytes are enough");
        // Absent (or blank): a function that serves no listing starts without it; one that does
        // is refused at its cold start.
        let blank = with("USHER_CURSOR_SECRET", "   ").unwrap();
        assert_eq!(blank.cursor_key, None);
        assert_eq!(blank.require_cursor_key().unwrap_err(), ConfigError::Missing("USHER_CURSOR_SECRET"));
    }

    #[test]
    fn the_cursor_secret_never_shows_in_debug_output() {
        let c = Config::from_lookup(env(&MINIMAL)).unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains(CURSOR_SECRET_VALUE) && !shown.contains("cursor-secret"), "{shown}");
    }

    #[test]
    fn the_hs256_secret_never_shows_in_debug_output() {
        let mut local = MINIMAL.to_vec();
        local.push(("USHER_JWT_HS256_SECRET", "0123456789abcdef0123456789abcdef"));
        local.push((LOCAL_E2E, "1"));
        let c = Config::from_lookup(env(&local)).unwrap();
        assert!(!format!("{c:?}").contains("0123456789abcdef"));
    }
}
