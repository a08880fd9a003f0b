//! Bearer-token authentication.
//!
//! The algorithm is pinned by configuration (never taken from the token's header), and `exp`,
//! `iss`, `aud` and `sub` are required and checked: jsonwebtoken checks `iss`/`aud` only when
//! they are present unless told they are required, which is how tokens without an audience
//! slip through elsewhere. Locally Usher signs its own HS256 tokens with a secret generated
//! per data dir; on AWS the verifier checks the identity provider's keys (JWKS).

use async_trait::async_trait;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use usher_domain::Principal;
use usher_domain::values::Email;

/// Why a request is not authenticated. Never more detail than this reaches the caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No `Authorization: Bearer` header.
    #[error("sign in first: this endpoint needs a Bearer token")]
    Missing,
    /// The token is malformed, badly signed, expired, or for another issuer or audience.
    #[error("the Bearer token is not valid")]
    Invalid,
    /// Verification could not be done right now (keys unreachable).
    #[error("the Bearer token could not be checked right now")]
    Unavailable,
}

/// A verified token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The person.
    pub principal: Principal,
    /// Whether the token grants operator rights (local dev tokens only).
    pub operator: bool,
}

/// Verifies bearer tokens.
#[async_trait]
pub trait TokenVerifier: Send + Sync {
    /// Checks signature and claims; returns who it is.
    async fn verify(&self, jwt: &str) -> Result<Verified, AuthError>;
}

/// `email_verified` arrives as a boolean from most providers and as a string from some.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub(crate) enum Flag {
    Bool(bool),
    Text(String),
}

impl Flag {
    pub(crate) fn is_true(&self) -> bool {
        match self {
            Flag::Bool(b) => *b,
            Flag::Text(s) => s.eq_ignore_ascii_case("true"),
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct Claims {
    sub: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    email_verified: Option<Flag>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    given_name: Option<String>,
    #[serde(default)]
    family_name: Option<String>,
    #[serde(default)]
    preferred_username: Option<String>,
    #[serde(default, rename = "cognito:username")]
    cognito_username: Option<String>,
    #[serde(default)]
    usher_operator: Option<bool>,
}

impl Claims {
    pub(crate) fn into_verified(self, honor_operator_claim: bool) -> Result<Verified, AuthError> {
        if self.sub.is_empty() || self.sub.len() > 255 {
            return Err(AuthError::Invalid);
        }
        let principal = Principal {
            email: self.email.as_deref().and_then(|e| Email::parse(e).ok()),
            email_verified: self.email_verified.as_ref().is_some_and(Flag::is_true),
            name: display_name(self.name.as_deref(), self.given_name.as_deref(), self.family_name.as_deref()),
            username: self.preferred_username.or(self.cognito_username),
            subject: self.sub,
        };
        Ok(Verified { principal, operator: honor_operator_claim && self.usher_operator == Some(true) })
    }
}

/// Longest name kept from a token or userinfo (longer ones are cut at a character boundary).
const MAX_NAME_CHARS: usize = 200;

/// The person's name as OIDC claims give it: `name`, else `given_name` and `family_name` joined
/// by a space; trimmed, without control characters, `None` when empty.
pub fn display_name(name: Option<&str>, given_name: Option<&str>, family_name: Option<&str>) -> Option<String> {
    let clean = |s: &str| -> String {
        let kept: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        kept.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let full = match name.map(clean).filter(|n| !n.is_empty()) {
        Some(n) => n,
        None => {
            let parts: Vec<String> = [given_name, family_name].into_iter().flatten().map(clean).filter(|p| !p.is_empty()).collect();
            parts.join(" ")
        }
    };
    (!full.is_empty()).then(|| full.chars().take(MAX_NAME_CHARS).collect())
}

/// Verifies HS256 tokens signed with a shared secret (local runs and tests).
pub struct Hs256Verifier {
    key: DecodingKey,
    validation: Validation,
    honor_operator_claim: bool,
}

impl Hs256Verifier {
    /// Accepts tokens from `issuer` for `audience`, signed with `secret`. `honor_operator_claim`
    /// lets a token carry `usher_operator: true` (only sensible where the secret is local).
    pub fn new(secret: &[u8], issuer: &str, audience: &str, honor_operator_claim: bool) -> Self {
        Self { key: DecodingKey::from_secret(secret), validation: validation(Algorithm::HS256, issuer, audience), honor_operator_claim }
    }
}

/// A validation with the algorithm pinned and `exp`, `iss`, `aud`, `sub` required.
pub fn validation(alg: Algorithm, issuer: &str, audience: &str) -> Validation {
    let mut v = Validation::new(alg);
    v.set_issuer(&[issuer]);
    v.set_audience(&[audience]);
    v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    v.leeway = 30;
    v.validate_nbf = true;
    v
}

#[async_trait]
impl TokenVerifier for Hs256Verifier {
    async fn verify(&self, jwt: &str) -> Result<Verified, AuthError> {
        let data = jsonwebtoken::decode::<Claims>(jwt, &self.key, &self.validation).map_err(|e| {
            tracing::debug!(reason = ?e.kind(), "bearer token rejected");
            AuthError::Invalid
        })?;
        data.claims.into_verified(self.honor_operator_claim)
    }
}

/// What a development token says.
#[derive(Debug, Clone, Serialize)]
pub struct DevClaims {
    /// Subject.
    pub sub: String,
    /// Email (marked verified).
    pub email: String,
    /// Always true for dev tokens.
    pub email_verified: bool,
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Operator rights.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub usher_operator: bool,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Issued at.
    pub iat: i64,
    /// Expiry.
    pub exp: i64,
}

/// Signs a development token (HS256).
pub fn mint(secret: &[u8], claims: &DevClaims) -> Result<String, jsonwebtoken::errors::Error> {
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(secret))
}

/// The longest bearer token accepted. Real ID and access tokens are 1 to 2 KB; anything past
/// this is refused before it is decoded, so a huge header costs no parsing or key lookups.
pub const MAX_BEARER_BYTES: usize = 8 * 1024;

/// Reads `Authorization: Bearer <token>`; a token over `MAX_BEARER_BYTES` is `Invalid`.
pub fn bearer(headers: &http::HeaderMap) -> Result<&str, AuthError> {
    let value = headers.get(http::header::AUTHORIZATION).ok_or(AuthError::Missing)?;
    let value = value.to_str().map_err(|_| AuthError::Invalid)?;
    let (scheme, token) = value.split_once(' ').ok_or(AuthError::Invalid)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(AuthError::Invalid);
    }
    if token.len() > MAX_BEARER_BYTES {
        tracing::debug!(bytes = token.len(), "bearer token rejected: too long");
        return Err(AuthError::Invalid);
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_authorization(value: &str) -> http::HeaderMap {
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::AUTHORIZATION, http::HeaderValue::from_str(value).unwrap());
        headers
    }

    fn claims(json: serde_json::Value) -> Principal {
        serde_json::from_value::<Claims>(json).expect("claims").into_verified(false).expect("verified").principal
    }

    #[test]
    fn the_name_claim_is_kept_and_given_and_family_names_stand_in_for_a_missing_one() {
        let named = claims(serde_json::json!({"sub": "s1", "name": "  Ada   Lovelace ", "given_name": "A", "family_name": "L"}));
        assert_eq!(named.name.as_deref(), Some("Ada Lovelace"));
        let parts = claims(serde_json::json!({"sub": "s1", "given_name": "Grace", "family_name": "Hopper"}));
        assert_eq!(parts.name.as_deref(), Some("Grace Hopper"));
        let given_only = claims(serde_json::json!({"sub": "s1", "name": " ", "given_name": "Grace"}));
        assert_eq!(given_only.name.as_deref(), Some("Grace"));
        assert_eq!(claims(serde_json::json!({"sub": "s1", "family_name": ""})).name, None);
    }

    #[test]
    fn a_name_loses_its_control_characters_and_is_cut_at_200_characters() {
        assert_eq!(display_name(Some("Ada\r\nBcc: x"), None, None).as_deref(), Some("Ada Bcc: x"));
        assert_eq!(display_name(Some(&"é".repeat(300)), None, None).map(|n| n.chars().count()), Some(200));
    }

    #[test]
    fn a_bearer_token_over_8_kb_is_refused_and_one_at_the_limit_is_read() {
        let at_limit = "a".repeat(MAX_BEARER_BYTES);
        assert_eq!(bearer(&with_authorization(&format!("Bearer {at_limit}"))), Ok(at_limit.as_str()));
        let over = "a".repeat(MAX_BEARER_BYTES + 1);
        assert_eq!(bearer(&with_authorization(&format!("Bearer {over}"))), Err(AuthError::Invalid));
    }

    #[test]
    fn a_missing_or_malformed_authorization_header_is_told_apart() {
        assert_eq!(bearer(&http::HeaderMap::new()), Err(AuthError::Missing));
        assert_eq!(bearer(&with_authorization("Basic abc")), Err(AuthError::Invalid));
        assert_eq!(bearer(&with_authorization("Bearer ")), Err(AuthError::Invalid));
        assert_eq!(bearer(&with_authorization("bearer  tok ")), Ok("tok"));
    }
}
