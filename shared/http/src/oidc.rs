//! What an OpenID Connect issuer says about itself, and its userinfo endpoint.
//!
//! - Discovery (OpenID Connect Discovery 1.0 §4): `{issuer}/.well-known/openid-configuration`,
//!   read once at start. Its `issuer` must equal the configured issuer exactly (§4.3: otherwise
//!   a document could name endpoints of someone else). Endpoints given by the operator win over
//!   the discovered ones (`Endpoints::resolve`).
//! - Userinfo (OIDC Core §5.3): called by the server, never by the page, with the access token
//!   the page hands over once; its answer counts only when its `sub` is the ID token's
//!   (`usecases::userinfo`).
//!
//! Both use the style of the JWKS fetch (`jwks.rs`): https (or loopback for tests), short
//! timeouts, no redirects, a cap on the answer's size. Tokens are never logged.

use crate::jwks::https_or_loopback;
use async_trait::async_trait;
use serde::Deserialize;
use std::time::Duration;
use usher_domain::usecases::userinfo::UserInfo;
use usher_domain::values::Email;

/// A discovery or userinfo call never holds a request (or a start) up for longer than this.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(3);
/// Connecting gets at most this much of `FETCH_TIMEOUT`.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// A discovery document or a userinfo answer is a few kilobytes.
const MAX_BODY_BYTES: usize = 64 * 1024;
/// The path every issuer serves its discovery document at, after its issuer URL.
pub const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";

/// The parts of a discovery document Usher uses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Discovery {
    /// Must equal the configured issuer.
    pub issuer: String,
    /// The hosted sign-in page.
    pub authorization_endpoint: String,
    /// Where the page exchanges the code.
    pub token_endpoint: String,
    /// The signing keys.
    pub jwks_uri: String,
    /// Userinfo (optional in the spec).
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
    /// RP-initiated logout (optional).
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
}

/// Why a discovery document, or a userinfo answer, could not be used.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The address is not https (nor http on this machine).
    #[error("{0} is not an https URL (or http on 127.0.0.1)")]
    Insecure(String),
    /// The HTTP client could not start.
    #[error("no HTTP client")]
    NoClient,
    /// Network failure or timeout.
    #[error("could not be reached: {0}")]
    Http(#[from] reqwest::Error),
    /// Not 200.
    #[error("answered HTTP {0}")]
    Status(u16),
    /// Over `MAX_BODY_BYTES`.
    #[error("answer larger than 64 KiB")]
    TooLarge,
    /// Not the JSON expected.
    #[error("not a valid answer: {0}")]
    Json(#[from] serde_json::Error),
    /// The document names another issuer.
    #[error("the document's issuer {found:?} is not the configured issuer {expected:?}")]
    IssuerMismatch {
        /// Configured.
        expected: String,
        /// In the document.
        found: String,
    },
}

fn client() -> Result<reqwest::Client, FetchError> {
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(FETCH_TIMEOUT)
        // Answers come from the configured address only.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| {
            tracing::error!(cause = %e, "could not build the HTTP client for OIDC");
            FetchError::NoClient
        })
}

async fn read_capped(mut resp: reqwest::Response) -> Result<Vec<u8>, FetchError> {
    if resp.status() != reqwest::StatusCode::OK {
        return Err(FetchError::Status(resp.status().as_u16()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(FetchError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Reads `issuer`'s discovery document and checks that it is the issuer's own.
pub async fn discover(issuer: &str) -> Result<Discovery, FetchError> {
    let issuer = issuer.trim_end_matches('/');
    let url = format!("{issuer}{DISCOVERY_PATH}");
    if !https_or_loopback(&url) {
        return Err(FetchError::Insecure(url));
    }
    let resp = client()?.get(&url).header(http::header::ACCEPT, "application/json").send().await?;
    let doc: Discovery = serde_json::from_slice(&read_capped(resp).await?)?;
    // §4.3: exactly the configured issuer (the trailing slash is the only leeway, as configured
    // issuers are written without it).
    if doc.issuer.trim_end_matches('/') != issuer {
        return Err(FetchError::IssuerMismatch { expected: issuer.to_owned(), found: doc.issuer });
    }
    tracing::debug!(userinfo = doc.userinfo_endpoint.is_some(), "read the issuer's discovery document");
    Ok(doc)
}

/// Endpoints the operator named (each wins over discovery).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--oidc-authorization-endpoint`.
    pub authorization_endpoint: Option<String>,
    /// `--oidc-token-endpoint`.
    pub token_endpoint: Option<String>,
    /// `--oidc-jwks-url`.
    pub jwks_uri: Option<String>,
    /// `--oidc-userinfo-endpoint`.
    pub userinfo_endpoint: Option<String>,
    /// `--oidc-logout-url`.
    pub end_session_endpoint: Option<String>,
}

/// The endpoints Usher uses for one issuer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// The hosted sign-in page.
    pub authorization_endpoint: String,
    /// The code exchange.
    pub token_endpoint: String,
    /// The signing keys.
    pub jwks_uri: String,
    /// Userinfo, if any.
    pub userinfo_endpoint: Option<String>,
    /// Logout, if any.
    pub end_session_endpoint: Option<String>,
}

/// An endpoint neither named nor discovered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no {0}: name it, or let the issuer's discovery document give it")]
pub struct MissingEndpoint(pub &'static str);

impl Endpoints {
    /// The operator's endpoints, completed from discovery (if it was read). Without discovery the
    /// keys default to `{issuer}/.well-known/jwks.json` (Cognito's address).
    pub fn resolve(issuer: &str, overrides: Overrides, discovered: Option<Discovery>) -> Result<Self, MissingEndpoint> {
        let issuer = issuer.trim_end_matches('/');
        let d = discovered.as_ref();
        let pick = |given: Option<String>, found: Option<&String>| given.or_else(|| found.cloned());
        Ok(Self {
            authorization_endpoint: pick(overrides.authorization_endpoint, d.map(|d| &d.authorization_endpoint))
                .ok_or(MissingEndpoint("authorization endpoint"))?,
            token_endpoint: pick(overrides.token_endpoint, d.map(|d| &d.token_endpoint)).ok_or(MissingEndpoint("token endpoint"))?,
            jwks_uri: pick(overrides.jwks_uri, d.map(|d| &d.jwks_uri)).unwrap_or_else(|| format!("{issuer}/.well-known/jwks.json")),
            userinfo_endpoint: pick(overrides.userinfo_endpoint, d.and_then(|d| d.userinfo_endpoint.as_ref())),
            end_session_endpoint: pick(overrides.end_session_endpoint, d.and_then(|d| d.end_session_endpoint.as_ref())),
        })
    }
}

/// Why the provider's userinfo could not be had (each is `502 userinfo_failed`).
#[derive(Debug, thiserror::Error)]
#[error("userinfo {0}")]
pub struct UserInfoFailed(#[from] pub FetchError);

/// Asks the identity provider who an access token belongs to.
#[async_trait]
pub trait UserInfoSource: Send + Sync {
    /// The provider's userinfo answer for `access_token`.
    async fn userinfo(&self, access_token: &str) -> Result<UserInfo, UserInfoFailed>;
}

/// The provider's userinfo endpoint over HTTPS (OIDC Core §5.3, a GET with the Bearer).
pub struct HttpUserInfo {
    url: String,
    client: Option<reqwest::Client>,
}

impl HttpUserInfo {
    /// Calls `url` (https, or http on this machine).
    pub fn new(url: &str) -> Result<Self, FetchError> {
        if !https_or_loopback(url) {
            return Err(FetchError::Insecure(url.to_owned()));
        }
        Ok(Self { url: url.to_owned(), client: client().ok() })
    }
}

/// The claims of a userinfo answer Usher reads.
#[derive(Deserialize)]
struct UserInfoClaims {
    sub: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    email_verified: Option<crate::auth::Flag>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    given_name: Option<String>,
    #[serde(default)]
    family_name: Option<String>,
}

impl UserInfoClaims {
    fn into_user_info(self) -> UserInfo {
        UserInfo {
            email: self.email.as_deref().and_then(|e| Email::parse(e).ok()),
            // as in ID tokens: a boolean from most providers, a string from some
            email_verified: self.email_verified.as_ref().is_some_and(crate::auth::Flag::is_true),
            name: crate::auth::display_name(self.name.as_deref(), self.given_name.as_deref(), self.family_name.as_deref()),
            subject: self.sub,
        }
    }
}

#[async_trait]
impl UserInfoSource for HttpUserInfo {
    async fn userinfo(&self, access_token: &str) -> Result<UserInfo, UserInfoFailed> {
        let client = self.client.as_ref().ok_or(FetchError::NoClient)?;
        let resp = client
            .get(&self.url)
            .bearer_auth(access_token)
            .header(http::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(FetchError::from)?;
        let body = read_capped(resp).await.inspect_err(|e| tracing::warn!(cause = %e, "userinfo failed"))?;
        let claims: UserInfoClaims = serde_json::from_slice(&body).map_err(FetchError::from)?;
        Ok(claims.into_user_info())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// A stand-in issuer on 127.0.0.1: answers each path with a fixed status and body, and keeps
    /// the request heads it saw.
    struct Issuer {
        base: String,
        seen: Arc<Mutex<Vec<String>>>,
    }

    async fn issuer(answers: impl Fn(&str, &str) -> (u16, String) + Send + Sync + 'static) -> Issuer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (answers, log, me) = (Arc::new(answers), Arc::clone(&seen), base.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut stream, _)) = listener.accept().await else { return };
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&request).into_owned();
                let path = head.split_whitespace().nth(1).unwrap_or_default().to_owned();
                log.lock().unwrap().push(head);
                let (code, body) = answers(&me, &path);
                let response = format!(
                    "HTTP/1.1 {code} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(response.as_bytes()).await;
                let _ = stream.shutdown().await;
            }
        });
        Issuer { base, seen }
    }

    fn document(issuer: &str, base: &str) -> String {
        serde_json::json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{base}/auth"),
            "token_endpoint": format!("{base}/token"),
            "jwks_uri": format!("{base}/jwks"),
            "userinfo_endpoint": format!("{base}/me"),
            "end_session_endpoint": format!("{base}/session/end"),
        })
        .to_string()
    }

    #[tokio::test]
    async fn discovery_reads_the_issuers_endpoints_from_its_well_known_document() {
        let idp = issuer(|base, path| match path {
            DISCOVERY_PATH => (200, document(base, base)),
            _ => (404, String::new()),
        })
        .await;
        let found = discover(&idp.base).await.expect("discovered");
        assert_eq!(found.token_endpoint, format!("{}/token", idp.base));
        assert_eq!(found.jwks_uri, format!("{}/jwks", idp.base));
        assert_eq!(found.userinfo_endpoint, Some(format!("{}/me", idp.base)));
        assert_eq!(found.end_session_endpoint, Some(format!("{}/session/end", idp.base)));
    }

    #[tokio::test]
    async fn a_discovery_document_naming_another_issuer_is_refused() {
        let idp = issuer(|base, _| (200, document("https://evil.example", base))).await;
        let refused = discover(&idp.base).await;
        assert!(matches!(refused, Err(FetchError::IssuerMismatch { ref found, .. }) if found == "https://evil.example"), "{refused:?}");
        // Exactly: a longer issuer with the same prefix is another issuer too.
        let prefixed = issuer(|base, _| (200, document(&format!("{base}/tenant2"), base))).await;
        assert!(matches!(discover(&prefixed.base).await, Err(FetchError::IssuerMismatch { .. })));
    }

    #[tokio::test]
    async fn a_missing_discovery_document_or_a_plain_http_issuer_is_an_error() {
        let idp = issuer(|_, _| (404, String::new())).await;
        assert!(matches!(discover(&idp.base).await, Err(FetchError::Status(404))));
        assert!(matches!(discover("http://idp.example").await, Err(FetchError::Insecure(_))));
    }

    #[test]
    fn the_operators_endpoints_win_over_the_discovered_ones() {
        let d: Discovery = serde_json::from_str(&document("https://idp.example", "https://idp.example")).unwrap();
        let overrides = Overrides {
            token_endpoint: Some("https://proxy.example/token".into()),
            end_session_endpoint: Some("https://idp.example/logout?client_id=x".into()),
            ..Overrides::default()
        };
        let e = Endpoints::resolve("https://idp.example", overrides, Some(d)).expect("resolved");
        assert_eq!(e.token_endpoint, "https://proxy.example/token");
        assert_eq!(e.authorization_endpoint, "https://idp.example/auth");
        assert_eq!(e.end_session_endpoint.as_deref(), Some("https://idp.example/logout?client_id=x"));
        assert_eq!(e.userinfo_endpoint.as_deref(), Some("https://idp.example/me"));
    }

    #[test]
    fn without_discovery_the_named_endpoints_must_be_there_and_the_keys_default_to_cognitos_address() {
        let none = Endpoints::resolve("https://idp.example/", Overrides::default(), None);
        assert_eq!(none, Err(MissingEndpoint("authorization endpoint")));
        let named = Overrides {
            authorization_endpoint: Some("https://idp.example/a".into()),
            token_endpoint: Some("https://idp.example/t".into()),
            ..Overrides::default()
        };
        let e = Endpoints::resolve("https://idp.example/", named, None).expect("resolved");
        assert_eq!(e.jwks_uri, "https://idp.example/.well-known/jwks.json");
        assert_eq!(e.userinfo_endpoint, None);
    }

    #[tokio::test]
    async fn userinfo_sends_the_access_token_as_bearer_and_reads_email_and_names() {
        let idp = issuer(|_, _| {
            (200, r#"{"sub":"s-1","email":"ada@example.com","email_verified":"true","given_name":"Ada","family_name":"Lovelace"}"#.into())
        })
        .await;
        let info = HttpUserInfo::new(&format!("{}/me", idp.base)).unwrap().userinfo("at-123").await.expect("answered");
        assert_eq!(info.subject, "s-1");
        assert_eq!(info.email.map(|e| e.to_string()).as_deref(), Some("ada@example.com"));
        assert!(info.email_verified);
        assert_eq!(info.name.as_deref(), Some("Ada Lovelace"));
        let head = idp.seen.lock().unwrap()[0].to_ascii_lowercase();
        assert!(head.starts_with("get /me ") && head.contains("authorization: bearer at-123"), "{head}");
    }

    #[tokio::test]
    async fn a_refused_access_token_is_a_userinfo_failure() {
        let idp = issuer(|_, _| (401, r#"{"error":"invalid_token"}"#.into())).await;
        let failed = HttpUserInfo::new(&format!("{}/me", idp.base)).unwrap().userinfo("expired").await;
        assert!(matches!(failed, Err(UserInfoFailed(FetchError::Status(401)))), "{failed:?}");
    }
}
