//! Verifies the identity provider's tokens (RS256/ES256, Cognito by default, any OIDC issuer)
//! against the keys it publishes (JWKS).
//!
//! The rules, and why:
//! - The accepted algorithms are pinned by configuration; the token's header only picks one of
//!   them. `none` and the HS* family are never accepted (an HS256 token "signed" with the
//!   public key is the classic algorithm-confusion attack), and symmetric (`oct`) keys published
//!   in a key set are ignored.
//! - A key is bound to one algorithm when it is loaded (its `alg`, or the one its material
//!   implies), and a token must use exactly that one.
//! - Keys are cached in memory for the life of the process (a Lambda container): at most one
//!   fetch per hour in the steady state. An unknown `kid` (a rotated-in key) triggers a refetch,
//!   at most once a minute, so a flood of tokens with random kids cannot make us hammer the
//!   identity provider.
//! - When the key set cannot be fetched, a token whose key is cached still verifies (even if the
//!   cache is stale); otherwise the answer is `Unavailable`, not `Invalid`: we could not check.

use crate::auth::{AuthError, Claims, TokenVerifier, Verified, validation};
use async_trait::async_trait;
/// The algorithms `JwksVerifier::new` pins (re-exported so hosts need not name jsonwebtoken).
pub use jsonwebtoken::Algorithm;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{DecodingKey, Validation};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, RwLock};

/// A key set older than this is refetched on next use (identity providers rotate keys slowly).
const MAX_AGE: Duration = Duration::from_secs(60 * 60);
/// At most one refetch per this interval for unknown kids, and between retries of a failed fetch.
const REFETCH_INTERVAL: Duration = Duration::from_secs(60);
/// With no key at all every token has an unknown kid: retry sooner, so a failed fetch at cold
/// start does not lock a container out for a whole minute.
const EMPTY_RETRY: Duration = Duration::from_secs(5);
/// A fetch never holds a request up for longer than this (an unreachable identity provider
/// answers `503 unavailable` within it, well inside the functions' timeout).
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(2);
/// Connecting to the identity provider gets at most this much of `FETCH_TIMEOUT`.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// A key set is a few kilobytes; anything much bigger is not one.
const MAX_JWKS_BYTES: usize = 256 * 1024;

/// Verifies the identity provider's tokens against its published keys (JWKS), for AWS
/// deployments where the provider (Cognito by default), not Usher, signs the tokens.
pub struct JwksVerifier {
    jwks_url: String,
    audience: String,
    pinned: Vec<Pinned>,
    /// Built once and reused, so the TLS session and connection pool survive across requests.
    /// `None` only if the TLS backend could not start; every fetch then fails (`Unavailable`).
    client: Option<reqwest::Client>,
    cache: RwLock<KeyCache>,
    /// One fetch at a time: requests that need the same refetch wait for it instead of repeating it.
    fetching: Mutex<()>,
}

/// An accepted algorithm and the validations for it.
struct Pinned {
    alg: Algorithm,
    /// `exp`, `iss`, `aud`, `sub` required (see `auth::validation`).
    strict: Validation,
    /// The same without `aud`: only for Cognito access tokens, which carry `client_id` instead.
    without_aud: Validation,
}

impl JwksVerifier {
    /// Accepts tokens from `issuer` for `audience` (the app client id, for Cognito), signed by a
    /// key published at `jwks_url` with one of `algorithms` (pinned: e.g. `[RS256]` for Cognito,
    /// or `[RS256, ES256]`). HS* algorithms are dropped from the list: a key set is public, so a
    /// shared-secret algorithm can never be right here.
    pub fn new(jwks_url: String, issuer: String, audience: String, algorithms: Vec<Algorithm>) -> Self {
        let mut pinned: Vec<Pinned> = Vec::new();
        for alg in algorithms {
            if matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) {
                tracing::warn!(alg = ?alg, "ignoring a shared-secret algorithm for JWKS verification");
                continue;
            }
            if pinned.iter().any(|p| p.alg == alg) {
                continue;
            }
            let strict = validation(alg, &issuer, &audience);
            let mut without_aud = validation(alg, &issuer, &audience);
            without_aud.validate_aud = false;
            without_aud.set_required_spec_claims(&["exp", "iss", "sub"]);
            pinned.push(Pinned { alg, strict, without_aud });
        }
        // Keys fetched in the clear could be swapped in transit: refuse to fetch from anything
        // but https (or this machine, for tests). The Lambda configuration refuses it earlier.
        let secure = https_or_loopback(&jwks_url);
        if !secure {
            tracing::error!(url = %jwks_url, "the JWKS URL is not https; every token will be answered unavailable");
        }
        let client = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(FETCH_TIMEOUT)
            // Keys come from the configured address only.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| tracing::error!(cause = %e, "could not build the HTTP client for the JWKS"))
            .ok()
            .filter(|_| secure);
        Self { jwks_url, audience, pinned, client, cache: RwLock::new(KeyCache::default()), fetching: Mutex::new(()) }
    }

    /// Fetches the key set once (called at cold start so the first request does not pay for it);
    /// an error is returned but the verifier stays usable (it refetches on demand).
    pub async fn prime(&self) -> Result<(), AuthError> {
        let _one_fetch = self.fetching.lock().await;
        let fetched = self.fetch().await;
        let ok = fetched.is_ok();
        self.cache.write().await.record(fetched, false, Instant::now());
        if ok { Ok(()) } else { Err(AuthError::Unavailable) }
    }

    /// The key for `kid`, bound to `alg`, refetching the key set when the rules above allow it.
    async fn key_for(&self, kid: &str, alg: Algorithm) -> Result<Arc<DecodingKey>, AuthError> {
        match self.cache.read().await.next(kid, alg, Instant::now()) {
            Next::Use(key) => return Ok(key),
            Next::Reject(e) => return Err(e),
            Next::Refetch => {}
        }
        let _one_fetch = self.fetching.lock().await;
        // Whoever fetched while we waited may have brought the key, or used up the allowance.
        let for_unknown_kid = {
            let cache = self.cache.read().await;
            match cache.next(kid, alg, Instant::now()) {
                Next::Use(key) => return Ok(key),
                Next::Reject(e) => return Err(e),
                Next::Refetch => !cache.keys.contains_key(kid),
            }
        };
        let fetched = self.fetch().await;
        let mut cache = self.cache.write().await;
        cache.record(fetched, for_unknown_kid, Instant::now());
        match cache.keys.get(kid) {
            Some(found) if found.alg == alg => Ok(Arc::clone(&found.key)),
            Some(_) => Err(AuthError::Invalid),
            None if cache.last_fetch_ok => Err(AuthError::Invalid),
            None => Err(AuthError::Unavailable),
        }
    }

    /// Downloads and parses the key set. Failures are logged here (never with a token).
    async fn fetch(&self) -> Result<HashMap<String, CachedKey>, FetchError> {
        let result = match self.download().await {
            Ok(body) => parse_key_set(&body, &self.pinned),
            Err(e) => Err(e),
        };
        match &result {
            Ok(keys) => tracing::debug!(keys = keys.len(), "fetched the JWKS"),
            Err(e) => tracing::warn!(url = %self.jwks_url, cause = %e, "could not fetch the JWKS"),
        }
        result
    }

    async fn download(&self) -> Result<Vec<u8>, FetchError> {
        let client = self.client.as_ref().ok_or(FetchError::NoClient)?;
        let mut resp = client.get(&self.jwks_url).header(http::header::ACCEPT, "application/json").send().await?;
        if resp.status() != reqwest::StatusCode::OK {
            return Err(FetchError::Status(resp.status().as_u16()));
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await? {
            if body.len() + chunk.len() > MAX_JWKS_BYTES {
                return Err(FetchError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

#[async_trait]
impl TokenVerifier for JwksVerifier {
    async fn verify(&self, jwt: &str) -> Result<Verified, AuthError> {
        let header = jsonwebtoken::decode_header(jwt).map_err(rejected)?;
        // The header only chooses among the pinned algorithms; `none` does not even parse.
        let Some(pinned) = self.pinned.iter().find(|p| p.alg == header.alg) else {
            tracing::debug!(alg = ?header.alg, "bearer token rejected: algorithm not accepted");
            return Err(AuthError::Invalid);
        };
        let Some(kid) = header.kid.as_deref() else {
            tracing::debug!("bearer token rejected: no kid");
            return Err(AuthError::Invalid);
        };
        let key = self.key_for(kid, pinned.alg).await?;
        let claims = match jsonwebtoken::decode::<IdpClaims>(jwt, &key, &pinned.strict) {
            Ok(data) => data.claims.claims,
            // Cognito access tokens have no `aud`: they name the app in `client_id` instead.
            // Accept one only if it says it is an access token for our app; an ID token
            // (`token_use: id`), or a token that says nothing, must carry `aud`.
            Err(e) if matches!(e.kind(), ErrorKind::MissingRequiredClaim(c) if c == "aud") => {
                let data = jsonwebtoken::decode::<IdpClaims>(jwt, &key, &pinned.without_aud).map_err(rejected)?;
                let c = data.claims;
                if c.client_id.as_deref() != Some(self.audience.as_str()) || c.token_use.as_deref() != Some("access") {
                    tracing::debug!("bearer token rejected: no aud, and not an access token for this client");
                    return Err(AuthError::Invalid);
                }
                c.claims
            }
            Err(e) => return Err(rejected(e)),
        };
        // Operators are IAM-authorised by API Gateway on AWS, never by a claim in a user's token.
        claims.into_verified(false)
    }
}

/// Whether `url` is fit to fetch keys from, or to name an issuer: `https://`, or plain `http://`
/// only to this machine (`localhost`, `127.0.0.0/8`, `::1`: local runs and tests). The host is
/// read as a URL parser reads it, so `http://127.0.0.1@evil.example` is not loopback.
pub fn https_or_loopback(url: &str) -> bool {
    let Ok(uri) = url.parse::<http::Uri>() else { return false };
    let Some(host) = uri.host() else { return false };
    match uri.scheme_str() {
        Some("https") => true,
        Some("http") => {
            let host = host.trim_start_matches('[').trim_end_matches(']');
            host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
        }
        _ => false,
    }
}

fn rejected(e: jsonwebtoken::errors::Error) -> AuthError {
    tracing::debug!(reason = ?e.kind(), "bearer token rejected");
    AuthError::Invalid
}

/// The identity provider's claims: Usher's, plus what tells a Cognito access token apart.
#[derive(Deserialize)]
struct IdpClaims {
    #[serde(flatten)]
    claims: Claims,
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    token_use: Option<String>,
}

/// Why the key set could not be had.
#[derive(Debug, thiserror::Error)]
enum FetchError {
    #[error("no HTTP client")]
    NoClient,
    #[error("request failed: {0}")]
    Http(#[from] reqwest::Error),
    #[error("answered HTTP {0}")]
    Status(u16),
    #[error("answer larger than 256 KiB")]
    TooLarge,
    #[error("not a JWKS: {0}")]
    Json(#[from] serde_json::Error),
}

/// A usable key, bound to the one algorithm it may verify.
struct CachedKey {
    key: Arc<DecodingKey>,
    alg: Algorithm,
}

/// The cached key set and the fetch history that paces refetches.
#[derive(Default)]
struct KeyCache {
    keys: HashMap<String, CachedKey>,
    /// The last successful fetch.
    fetched_at: Option<Instant>,
    /// The last fetch, successful or not.
    last_fetch: Option<Instant>,
    last_fetch_ok: bool,
    /// The last fetch made because of an unknown kid.
    last_kid_refetch: Option<Instant>,
}

/// What to do for a token, given the cache.
enum Next {
    Use(Arc<DecodingKey>),
    Refetch,
    Reject(AuthError),
}

impl KeyCache {
    fn next(&self, kid: &str, alg: Algorithm, now: Instant) -> Next {
        let waited = |since: Option<Instant>, interval: Duration| since.is_none_or(|t| now.saturating_duration_since(t) >= interval);
        match self.keys.get(kid) {
            Some(found) if found.alg != alg => Next::Reject(AuthError::Invalid),
            Some(found) => {
                let fresh = self.fetched_at.is_some_and(|t| now.saturating_duration_since(t) < MAX_AGE);
                // A stale key is refreshed, but a failed refresh is not retried on every request.
                if fresh || !waited(self.last_fetch, REFETCH_INTERVAL) { Next::Use(Arc::clone(&found.key)) } else { Next::Refetch }
            }
            None => {
                let may_refetch = if self.keys.is_empty() {
                    waited(self.last_fetch, EMPTY_RETRY)
                } else {
                    waited(self.last_kid_refetch, REFETCH_INTERVAL)
                };
                if may_refetch {
                    Next::Refetch
                } else if self.last_fetch_ok {
                    // The current key set was read recently and does not have this kid.
                    Next::Reject(AuthError::Invalid)
                } else {
                    Next::Reject(AuthError::Unavailable)
                }
            }
        }
    }

    /// Notes a fetch. A failed one keeps the keys already cached: they stay usable.
    fn record(&mut self, fetched: Result<HashMap<String, CachedKey>, FetchError>, for_unknown_kid: bool, now: Instant) {
        self.last_fetch = Some(now);
        if for_unknown_kid {
            self.last_kid_refetch = Some(now);
        }
        self.last_fetch_ok = fetched.is_ok();
        if let Ok(keys) = fetched {
            self.keys = keys;
            self.fetched_at = Some(now);
        }
    }
}

/// Parses a key set, keeping only keys that can verify one of the pinned algorithms. Keys that
/// do not parse (types this library does not know) are skipped, not fatal: providers publish
/// more than we use.
fn parse_key_set(body: &[u8], pinned: &[Pinned]) -> Result<HashMap<String, CachedKey>, FetchError> {
    #[derive(Deserialize)]
    struct RawKeySet {
        keys: Vec<serde_json::Value>,
    }
    let raw: RawKeySet = serde_json::from_slice(body)?;
    let mut keys = HashMap::new();
    for value in raw.keys {
        let Ok(jwk) = serde_json::from_value::<Jwk>(value) else { continue };
        if let Some((kid, key)) = usable_key(&jwk, pinned) {
            keys.insert(kid, key);
        }
    }
    Ok(keys)
}

/// A signing key for a pinned algorithm, with its kid; `None` for anything else.
fn usable_key(jwk: &Jwk, pinned: &[Pinned]) -> Option<(String, CachedKey)> {
    let kid = jwk.common.key_id.clone()?;
    // `use` is optional in a JWK (RFC 7517 §4.2); when present it must say "sig".
    if jwk.common.public_key_use.as_ref().is_some_and(|u| *u != PublicKeyUse::Signature) {
        return None;
    }
    let alg = match jwk.common.key_algorithm {
        Some(published) => algorithm(published)?,
        None => implied_algorithm(&jwk.algorithm)?,
    };
    if !pinned.iter().any(|p| p.alg == alg) || !material_fits(alg, &jwk.algorithm) {
        return None;
    }
    let key = DecodingKey::from_jwk(jwk).ok()?;
    Some((kid, CachedKey { key: Arc::new(key), alg }))
}

/// The signature algorithm a published `alg` names; `None` for shared-secret and encryption ones.
fn algorithm(published: KeyAlgorithm) -> Option<Algorithm> {
    Some(match published {
        KeyAlgorithm::RS256 => Algorithm::RS256,
        KeyAlgorithm::RS384 => Algorithm::RS384,
        KeyAlgorithm::RS512 => Algorithm::RS512,
        KeyAlgorithm::PS256 => Algorithm::PS256,
        KeyAlgorithm::PS384 => Algorithm::PS384,
        KeyAlgorithm::PS512 => Algorithm::PS512,
        KeyAlgorithm::ES256 => Algorithm::ES256,
        KeyAlgorithm::ES384 => Algorithm::ES384,
        KeyAlgorithm::EdDSA => Algorithm::EdDSA,
        _ => return None,
    })
}

/// The usual algorithm for key material published without `alg`.
fn implied_algorithm(material: &AlgorithmParameters) -> Option<Algorithm> {
    match material {
        AlgorithmParameters::RSA(_) => Some(Algorithm::RS256),
        AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P256 => Some(Algorithm::ES256),
        AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P384 => Some(Algorithm::ES384),
        AlgorithmParameters::OctetKeyPair(p) if p.curve == EllipticCurve::Ed25519 => Some(Algorithm::EdDSA),
        _ => None,
    }
}

/// Whether the key material can verify `alg` (an `alg` that contradicts its key is not trusted).
fn material_fits(alg: Algorithm, material: &AlgorithmParameters) -> bool {
    match material {
        AlgorithmParameters::RSA(_) => {
            matches!(alg, Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512 | Algorithm::PS256 | Algorithm::PS384 | Algorithm::PS512)
        }
        AlgorithmParameters::EllipticCurve(p) => {
            matches!((alg, &p.curve), (Algorithm::ES256, EllipticCurve::P256) | (Algorithm::ES384, EllipticCurve::P384))
        }
        AlgorithmParameters::OctetKeyPair(p) => alg == Algorithm::EdDSA && p.curve == EllipticCurve::Ed25519,
        AlgorithmParameters::OctetKey(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    use jsonwebtoken::{EncodingKey, Header};
    use p256::pkcs8::EncodePrivateKey;
    use rand::rngs::OsRng;
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::pkcs8::EncodePublicKey;
    use rsa::traits::PublicKeyParts;
    use serde_json::{Value, json};
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    const ISSUER: &str = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool";
    const AUDIENCE: &str = "usher-app-client";

    /// A stand-in identity provider: answers every request with the current key set.
    struct Idp {
        url: String,
        jwks: Arc<std::sync::Mutex<String>>,
        status: Arc<AtomicU16>,
        hits: Arc<AtomicUsize>,
    }

    impl Idp {
        async fn start(keys: &[&Signer]) -> Self {
            Self::start_on(std::net::Ipv4Addr::LOCALHOST.into(), keys).await
        }

        /// The same on `ip` (one of this machine's addresses).
        async fn start_on(ip: std::net::IpAddr, keys: &[&Signer]) -> Self {
            let listener = TcpListener::bind((ip, 0)).await.unwrap();
            let url = format!("http://{}/.well-known/jwks.json", listener.local_addr().unwrap());
            let idp = Idp {
                url,
                jwks: Arc::new(std::sync::Mutex::new(String::new())),
                status: Arc::new(AtomicU16::new(200)),
                hits: Arc::new(AtomicUsize::new(0)),
            };
            idp.publish(keys);
            let (jwks, status, hits) = (Arc::clone(&idp.jwks), Arc::clone(&idp.status), Arc::clone(&idp.hits));
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
                    hits.fetch_add(1, Ordering::SeqCst);
                    let body = jwks.lock().unwrap().clone();
                    let code = status.load(Ordering::SeqCst);
                    let response = format!(
                        "HTTP/1.1 {code} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = stream.write_all(response.as_bytes()).await;
                    let _ = stream.shutdown().await;
                }
            });
            idp
        }

        fn publish(&self, keys: &[&Signer]) {
            let keys: Vec<Value> = keys.iter().map(|s| s.jwk.clone()).collect();
            *self.jwks.lock().unwrap() = json!({ "keys": keys }).to_string();
        }

        fn hits(&self) -> usize {
            self.hits.load(Ordering::SeqCst)
        }

        fn verifier(&self) -> JwksVerifier {
            JwksVerifier::new(self.url.clone(), ISSUER.into(), AUDIENCE.into(), vec![Algorithm::RS256, Algorithm::ES256])
        }
    }

    /// A signing key and the JWK that publishes its public half.
    #[derive(Clone)]
    struct Signer {
        kid: String,
        alg: Algorithm,
        key: EncodingKey,
        jwk: Value,
        /// The public key as PEM text, for the algorithm-confusion attack.
        public_pem: String,
    }

    impl Signer {
        fn es256(kid: &str) -> Self {
            let secret = p256::ecdsa::SigningKey::random(&mut OsRng);
            let der = secret.to_pkcs8_der().unwrap();
            let point = secret.verifying_key().to_encoded_point(false);
            let jwk = json!({
                "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": kid,
                "x": B64.encode(point.x().unwrap()), "y": B64.encode(point.y().unwrap()),
            });
            let public_pem = p256::pkcs8::EncodePublicKey::to_public_key_pem(secret.verifying_key(), Default::default()).unwrap();
            Signer { kid: kid.into(), alg: Algorithm::ES256, key: EncodingKey::from_ec_der(der.as_bytes()), jwk, public_pem }
        }

        /// One RSA key per test run: generating one is slow without optimisations.
        fn rs256(kid: &str) -> Self {
            static KEY: OnceLock<rsa::RsaPrivateKey> = OnceLock::new();
            let secret = KEY.get_or_init(|| rsa::RsaPrivateKey::new(&mut OsRng, 2048).unwrap());
            let der = secret.to_pkcs1_der().unwrap();
            let jwk = json!({
                "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
                "n": B64.encode(secret.n().to_bytes_be()), "e": B64.encode(secret.e().to_bytes_be()),
            });
            let public_pem = secret.to_public_key().to_public_key_pem(Default::default()).unwrap();
            Signer { kid: kid.into(), alg: Algorithm::RS256, key: EncodingKey::from_rsa_der(der.as_bytes()), jwk, public_pem }
        }

        fn sign(&self, claims: &Value) -> String {
            let mut header = Header::new(self.alg);
            header.kid = Some(self.kid.clone());
            jsonwebtoken::encode(&header, claims, &self.key).unwrap()
        }

        /// The same key, published under another kid.
        fn with_kid(&self, kid: &str) -> Self {
            let mut s = self.clone();
            s.kid = kid.into();
            s.jwk["kid"] = json!(kid);
            s
        }
    }

    fn now() -> i64 {
        i64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()).unwrap()
    }

    /// What Cognito puts in an ID token.
    fn id_token_claims() -> Value {
        json!({
            "sub": "4f1c2b7e-0000-4000-8000-000000000001",
            "email": "ada@example.com",
            "email_verified": true,
            "name": "Ada Lovelace",
            "cognito:username": "ada",
            "iss": ISSUER,
            "aud": AUDIENCE,
            "token_use": "id",
            "iat": now(),
            "exp": now() + 600,
        })
    }

    /// What Cognito puts in an access token: `client_id`, no `aud`, no email.
    fn access_token_claims() -> Value {
        json!({
            "sub": "4f1c2b7e-0000-4000-8000-000000000001",
            "client_id": AUDIENCE,
            "username": "ada",
            "scope": "openid email",
            "iss": ISSUER,
            "token_use": "access",
            "iat": now(),
            "exp": now() + 600,
        })
    }

    #[tokio::test]
    async fn a_valid_es256_id_token_verifies_and_names_the_person() {
        let key = Signer::es256("ec-1");
        let idp = Idp::start(&[&key]).await;
        let verifier = idp.verifier();

        let verified = verifier.verify(&key.sign(&id_token_claims())).await.unwrap();

        assert_eq!(verified.principal.subject, "4f1c2b7e-0000-4000-8000-000000000001");
        assert_eq!(verified.principal.email.as_ref().map(|e| e.as_str().to_owned()), Some("ada@example.com".to_owned()));
        assert!(verified.principal.email_verified);
        assert_eq!(verified.principal.name.as_deref(), Some("Ada Lovelace"));
        assert_eq!(verified.principal.username.as_deref(), Some("ada"));
        assert!(!verified.operator);
    }

    #[tokio::test]
    async fn a_valid_rs256_id_token_verifies() {
        let key = Signer::rs256("rsa-1");
        let idp = Idp::start(&[&key]).await;

        let verified = idp.verifier().verify(&key.sign(&id_token_claims())).await.unwrap();

        assert_eq!(verified.principal.subject, "4f1c2b7e-0000-4000-8000-000000000001");
        assert!(verified.principal.email_verified);
    }

    #[tokio::test]
    async fn an_operator_claim_in_the_token_is_never_honoured() {
        let key = Signer::es256("ec-1");
        let idp = Idp::start(&[&key]).await;
        let mut claims = id_token_claims();
        claims["usher_operator"] = json!(true);

        let verified = idp.verifier().verify(&key.sign(&claims)).await.unwrap();

        assert!(!verified.operator);
    }

    #[tokio::test]
    async fn an_expired_token_is_invalid() {
        let key = Signer::es256("ec-1");
        let idp = Idp::start(&[&key]).await;
        let mut claims = id_token_claims();
        claims["iat"] = json!(now() - 7200);
        claims["exp"] = json!(now() - 3600);

        assert_eq!(idp.verifier().verify(&key.sign(&claims)).await, Err(AuthError::Invalid));
    }

    #[tokio::test]
    async fn a_token_from_another_issuer_is_invalid() {
        let key = Signer::es256("ec-1");
        let idp = Idp::start(&[&key]).await;
        let mut claims = id_token_claims();
        claims["iss"] = json!("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_OtherPool");

        assert_eq!(idp.verifier().verify(&key.sign(&claims)).await, Err(AuthError::Invalid));
    }

    #[tokio::test]
    async fn a_token_for_another_audience_is_invalid() {
        let key = Signer::es256("ec-1");
        let idp = Idp::start(&[&key]).await;
        let mut claims = id_token_claims();
        claims["aud"] = json!("another-app-client");

        assert_eq!(idp.verifier().verify(&key.sign(&claims)).await, Err(AuthError::Invalid));
    }

    #[tokio::test]
    async fn an_unsigned_token_with_alg_none_is_invalid() {
        let key = Signer::es256("ec-1");
        let idp = Idp::start(&[&key]).await;
        let header = B64.encode(json!({ "alg": "none", "typ": "JWT", "kid": "ec-1" }).to_string());
        let payload = B64.encode(id_token_claims().to_string());

        assert_eq!(idp.verifier().verify(&format!("{header}.{payload}.")).await, Err(AuthError::Invalid));
    }

    #[tokio::test]
    async fn an_hs256_token_signed_with_the_public_key_is_invalid() {
        let key = Signer::rs256("rsa-1");
        let idp = Idp::start(&[&key]).await;
        let verifier = idp.verifier();
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("rsa-1".into());
        let forged = jsonwebtoken::encode(&header, &id_token_claims(), &EncodingKey::from_secret(key.public_pem.as_bytes())).unwrap();

        assert_eq!(verifier.verify(&forged).await, Err(AuthError::Invalid));
        assert_eq!(idp.hits(), 0, "a token with an unaccepted algorithm is rejected before any key is fetched");
    }

    #[tokio::test]
    async fn hs256_stays_rejected_even_if_configured_and_a_symmetric_key_is_published() {
        let idp = Idp::start(&[]).await;
        let secret = b"a-shared-secret-that-is-at-least-32-bytes";
        *idp.jwks.lock().unwrap() =
            json!({ "keys": [{ "kty": "oct", "alg": "HS256", "use": "sig", "kid": "sym", "k": B64.encode(secret) }] }).to_string();
        let verifier = JwksVerifier::new(idp.url.clone(), ISSUER.into(), AUDIENCE.into(), vec![Algorithm::HS256, Algorithm::RS256]);
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("sym".into());
        let token = jsonwebtoken::encode(&header, &id_token_claims(), &EncodingKey::from_secret(secret)).unwrap();

        assert_eq!(verifier.verify(&token).await, Err(AuthError::Invalid));
    }

    #[tokio::test]
    async fn a_token_whose_alg_differs_from_its_keys_is_invalid() {
        let ec = Signer::es256("ec-1");
        let rsa = Signer::rs256("rsa-1");
        let idp = Idp::start(&[&ec]).await;
        // An RS256 token that names the EC key's kid.
        let token = rsa.with_kid("ec-1").sign(&id_token_claims());

        assert_eq!(idp.verifier().verify(&token).await, Err(AuthError::Invalid));
    }

    #[tokio::test]
    async fn a_token_without_a_kid_is_invalid() {
        let key = Signer::es256("ec-1");
        let idp = Idp::start(&[&key]).await;
        let token = jsonwebtoken::encode(&Header::new(Algorithm::ES256), &id_token_claims(), &key.key).unwrap();

        assert_eq!(idp.verifier().verify(&token).await, Err(AuthError::Invalid));
    }

    #[tokio::test]
    async fn a_token_with_an_unknown_kid_is_invalid() {
        let published = Signer::es256("ec-1");
        let idp = Idp::start(&[&published]).await;
        let stranger = Signer::es256("ec-unknown");

        assert_eq!(idp.verifier().verify(&stranger.sign(&id_token_claims())).await, Err(AuthError::Invalid));
    }

    #[tokio::test]
    async fn a_token_signed_by_another_key_under_a_known_kid_is_invalid() {
        let published = Signer::es256("ec-1");
        let idp = Idp::start(&[&published]).await;
        let impostor = Signer::es256("ec-1");

        assert_eq!(idp.verifier().verify(&impostor.sign(&id_token_claims())).await, Err(AuthError::Invalid));
    }

    #[tokio::test]
    async fn unknown_kids_trigger_exactly_one_refetch_within_a_minute() {
        let key = Signer::es256("ec-1");
        let idp = Idp::start(&[&key]).await;
        let verifier = idp.verifier();
        verifier.prime().await.unwrap();
        assert_eq!(idp.hits(), 1);

        let first = verifier.verify(&Signer::es256("random-1").sign(&id_token_claims())).await;
        let second = verifier.verify(&Signer::es256("random-2").sign(&id_token_claims())).await;
        let third = verifier.verify(&Signer::es256("random-3").sign(&id_token_claims())).await;
        let known = verifier.verify(&key.sign(&id_token_claims())).await;

        assert_eq!((first, second, third), (Err(AuthError::Invalid), Err(AuthError::Invalid), Err(AuthError::Invalid)));
        assert!(known.is_ok());
        assert_eq!(idp.hits(), 2, "one fetch to prime, one refetch for all the unknown kids");
    }

    #[tokio::test]
    async fn a_key_rotated_in_after_the_first_fetch_is_picked_up_on_first_use() {
        let old = Signer::es256("ec-old");
        let idp = Idp::start(&[&old]).await;
        let verifier = idp.verifier();
        verifier.prime().await.unwrap();
        let new = Signer::rs256("rsa-new");
        idp.publish(&[&old, &new]);

        let verified = verifier.verify(&new.sign(&id_token_claims())).await;

        assert!(verified.is_ok(), "{verified:?}");
        assert_eq!(idp.hits(), 2);
    }

    #[tokio::test]
    async fn keys_are_cached_across_verifications() {
        let key = Signer::es256("ec-1");
        let idp = Idp::start(&[&key]).await;
        let verifier = idp.verifier();

        for _ in 0..5 {
            verifier.verify(&key.sign(&id_token_claims())).await.unwrap();
        }

        assert_eq!(idp.hits(), 1);
    }

    #[tokio::test]
    async fn a_cognito_access_token_with_our_client_id_and_no_aud_verifies() {
        let key = Signer::rs256("rsa-1");
        let idp = Idp::start(&[&key]).await;

        let verified = idp.verifier().verify(&key.sign(&access_token_claims())).await.unwrap();

        assert_eq!(verified.principal.subject, "4f1c2b7e-0000-4000-8000-000000000001");
        assert_eq!(verified.principal.email, None);
        assert!(!verified.operator);
    }

    #[tokio::test]
    async fn an_access_token_for_another_client_id_is_invalid() {
        let key = Signer::rs256("rsa-1");
        let idp = Idp::start(&[&key]).await;
        let mut claims = access_token_claims();
        claims["client_id"] = json!("another-app-client");

        assert_eq!(idp.verifier().verify(&key.sign(&claims)).await, Err(AuthError::Invalid));
    }

    #[tokio::test]
    async fn an_id_token_without_aud_is_invalid_even_with_our_client_id() {
        let key = Signer::rs256("rsa-1");
        let idp = Idp::start(&[&key]).await;
        let mut claims = access_token_claims();
        claims["token_use"] = json!("id");

        assert_eq!(idp.verifier().verify(&key.sign(&claims)).await, Err(AuthError::Invalid));
    }

    #[tokio::test]
    async fn an_expired_access_token_without_aud_is_invalid() {
        let key = Signer::rs256("rsa-1");
        let idp = Idp::start(&[&key]).await;
        let mut claims = access_token_claims();
        claims["exp"] = json!(now() - 3600);

        assert_eq!(idp.verifier().verify(&key.sign(&claims)).await, Err(AuthError::Invalid));
    }

    #[tokio::test]
    async fn verification_is_unavailable_when_the_key_server_is_down_and_no_key_is_cached() {
        let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/.well-known/jwks.json", closed.local_addr().unwrap());
        drop(closed);
        let verifier = JwksVerifier::new(url, ISSUER.into(), AUDIENCE.into(), vec![Algorithm::ES256]);
        let key = Signer::es256("ec-1");

        assert_eq!(verifier.prime().await, Err(AuthError::Unavailable));
        assert_eq!(verifier.verify(&key.sign(&id_token_claims())).await, Err(AuthError::Unavailable));
    }

    #[tokio::test]
    async fn a_key_server_that_never_answers_makes_verification_unavailable_within_the_fetch_timeout() {
        // Accepts connections and reads, but never answers: the slowest way to be down.
        let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/.well-known/jwks.json", silent.local_addr().unwrap());
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((stream, _)) = silent.accept().await {
                held.push(stream);
            }
        });
        let verifier = JwksVerifier::new(url, ISSUER.into(), AUDIENCE.into(), vec![Algorithm::ES256]);
        let key = Signer::es256("ec-1");

        let started = std::time::Instant::now();
        let verdict = verifier.verify(&key.sign(&id_token_claims())).await;

        assert_eq!(verdict, Err(AuthError::Unavailable));
        assert!(started.elapsed() < FETCH_TIMEOUT + Duration::from_secs(1), "took {:?}", started.elapsed());
    }

    #[tokio::test]
    async fn keys_are_never_fetched_in_the_clear_from_another_machine() {
        // A key server on this machine's non-loopback address stands in for another machine.
        let probe = std::net::UdpSocket::bind("0.0.0.0:0").and_then(|s| s.connect("192.0.2.1:9").and_then(|()| s.local_addr()));
        let Some(ip) = probe.ok().map(|a| a.ip()).filter(|ip| !ip.is_loopback() && !ip.is_unspecified()) else {
            eprintln!("skipped: this machine has no non-loopback address");
            return;
        };
        let key = Signer::es256("ec-1");
        let idp = Idp::start_on(ip, &[&key]).await;
        assert!(idp.url.starts_with("http://") && !https_or_loopback(&idp.url), "{}", idp.url);

        assert_eq!(idp.verifier().verify(&key.sign(&id_token_claims())).await, Err(AuthError::Unavailable));
        assert_eq!(idp.hits(), 0, "the key server was asked over plain http");
    }

    #[test]
    fn only_https_or_this_machine_is_fit_for_keys_and_issuers() {
        for ok in [
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/.well-known/jwks.json",
            "https://idp.example",
            "http://localhost:8080/jwks.json",
            "http://127.0.0.1:9000/jwks.json",
            "http://[::1]:9000/jwks.json",
        ] {
            assert!(https_or_loopback(ok), "{ok}");
        }
        for bad in [
            "http://idp.example/jwks.json",
            "http://localhost.evil.example/jwks.json",
            "http://127.0.0.1@evil.example/jwks.json",
            "ftp://idp.example/jwks.json",
            "idp.example/jwks.json",
            "",
        ] {
            assert!(!https_or_loopback(bad), "{bad}");
        }
    }

    #[tokio::test]
    async fn a_key_server_error_answer_makes_verification_unavailable() {
        let key = Signer::es256("ec-1");
        let idp = Idp::start(&[&key]).await;
        idp.status.store(503, Ordering::SeqCst);
        let verifier = idp.verifier();

        assert_eq!(verifier.verify(&key.sign(&id_token_claims())).await, Err(AuthError::Unavailable));
        assert_eq!(idp.hits(), 1);
    }

    #[tokio::test]
    async fn a_cached_key_keeps_working_while_the_key_server_fails() {
        let key = Signer::es256("ec-1");
        let idp = Idp::start(&[&key]).await;
        let verifier = idp.verifier();
        verifier.prime().await.unwrap();
        idp.status.store(500, Ordering::SeqCst);

        let unknown = verifier.verify(&Signer::es256("ec-2").sign(&id_token_claims())).await;
        let known = verifier.verify(&key.sign(&id_token_claims())).await;

        assert_eq!(unknown, Err(AuthError::Unavailable), "the unknown kid may be a rotated-in key we could not fetch");
        assert!(known.is_ok(), "{known:?}");
    }

    #[tokio::test]
    async fn a_prime_that_failed_is_retried_on_demand_once_the_server_answers() {
        let key = Signer::es256("ec-1");
        let idp = Idp::start(&[&key]).await;
        idp.status.store(500, Ordering::SeqCst);
        let verifier = idp.verifier();
        assert_eq!(verifier.prime().await, Err(AuthError::Unavailable));
        idp.status.store(200, Ordering::SeqCst);
        // Move the failed attempt past the short retry delay for an empty cache.
        verifier.cache.write().await.last_fetch = None;

        let verified = verifier.verify(&key.sign(&id_token_claims())).await;

        assert!(verified.is_ok(), "{verified:?}");
        assert_eq!(idp.hits(), 2);
    }

    fn pinned(algs: &[Algorithm]) -> Vec<Pinned> {
        algs.iter().map(|&alg| Pinned { alg, strict: validation(alg, ISSUER, AUDIENCE), without_aud: Validation::new(alg) }).collect()
    }

    fn cache_with(signer: &Signer, fetched_at: Instant) -> KeyCache {
        let body = json!({ "keys": [signer.jwk] }).to_string();
        let mut cache = KeyCache::default();
        cache.record(parse_key_set(body.as_bytes(), &pinned(&[signer.alg])), false, fetched_at);
        cache
    }

    #[test]
    fn a_key_set_older_than_an_hour_is_refetched_on_next_use() {
        let key = Signer::es256("ec-1");
        let start = Instant::now();
        let cache = cache_with(&key, start);

        let within = cache.next("ec-1", Algorithm::ES256, start + Duration::from_secs(59 * 60));
        let after = cache.next("ec-1", Algorithm::ES256, start + Duration::from_secs(61 * 60));

        assert!(matches!(within, Next::Use(_)));
        assert!(matches!(after, Next::Refetch));
    }

    #[test]
    fn unknown_kids_may_trigger_a_refetch_again_after_a_minute() {
        let key = Signer::es256("ec-1");
        let start = Instant::now();
        let mut cache = cache_with(&key, start);
        cache.last_kid_refetch = Some(start);

        let soon = cache.next("ec-2", Algorithm::ES256, start + Duration::from_secs(30));
        let later = cache.next("ec-2", Algorithm::ES256, start + Duration::from_secs(61));

        assert!(matches!(soon, Next::Reject(AuthError::Invalid)));
        assert!(matches!(later, Next::Refetch));
    }

    #[test]
    fn only_signing_keys_for_pinned_algorithms_are_kept_from_a_key_set() {
        let ec = Signer::es256("ec-sig");
        let rsa = Signer::rs256("rsa-sig");
        let mut encryption = ec.with_kid("ec-enc").jwk;
        encryption["use"] = json!("enc");
        let mut mislabelled = ec.with_kid("ec-says-rs256").jwk;
        mislabelled["alg"] = json!("RS256");
        let mut not_pinned = rsa.with_kid("rsa-ps256").jwk;
        not_pinned["alg"] = json!("PS256");
        let mut no_alg = ec.with_kid("ec-no-alg").jwk;
        no_alg.as_object_mut().unwrap().remove("alg");
        let mut no_kid = ec.jwk.clone();
        no_kid.as_object_mut().unwrap().remove("kid");
        let body = json!({ "keys": [
            ec.jwk, rsa.jwk, not_pinned, encryption, mislabelled, no_alg, no_kid,
            { "kty": "oct", "alg": "HS256", "kid": "sym", "k": B64.encode(b"secret") },
            { "kty": "EC", "crv": "P-521", "kid": "p521", "x": "AA", "y": "AA" },
            { "kty": "unknown", "kid": "odd" },
        ] })
        .to_string();

        let keys = parse_key_set(body.as_bytes(), &pinned(&[Algorithm::ES256, Algorithm::RS256, Algorithm::HS256])).unwrap();

        let mut kids: Vec<&str> = keys.keys().map(String::as_str).collect();
        kids.sort_unstable();
        assert_eq!(kids, ["ec-no-alg", "ec-sig", "rsa-sig"]);
    }

    #[test]
    fn a_body_that_is_not_a_key_set_is_a_fetch_error() {
        assert!(matches!(parse_key_set(b"<html>sign in</html>", &pinned(&[Algorithm::RS256])), Err(FetchError::Json(_))));
    }
}
