//! A person whose ID token carries no verified email (an OIDC provider with library defaults
//! puts only `sub` there): the server asks the provider's userinfo endpoint itself, with the
//! access token the person's page hands over once (`POST /v1/me/userinfo`), and keeps what it
//! says under the subject. Later tokens of that subject without an email are completed from it.
//!
//! THE TRUST RULE: an email is kept only from the provider's own answer to the server, and only
//! when that answer's `sub` is the verified ID token's `sub`. Nothing a browser says about an
//! email is ever stored; the page sends only the access token, which the provider checks.

use crate::context::{Deps, Principal};
use crate::error::{Context, ErrorCode, Unexpected};
use crate::model::SubjectProfile;
use crate::retry::settle;
use crate::schema;
use crate::values::Email;
use serde::Serialize;

/// What the provider's userinfo endpoint answered (parsed by the host, which called it).
#[derive(Clone, PartialEq, Eq)]
pub struct UserInfo {
    /// Its `sub`.
    pub subject: String,
    /// Its `email`, if it is one.
    pub email: Option<Email>,
    /// Its `email_verified`.
    pub email_verified: bool,
    /// Its name (`name`, or `given_name` + `family_name`).
    pub name: Option<String>,
}

impl std::fmt::Debug for UserInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserInfo").field("email", &self.email).field("email_verified", &self.email_verified).finish_non_exhaustive()
    }
}

/// What the server now knows about the caller (the answer of `POST /v1/me/userinfo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Kept {
    /// The email userinfo gave (`null` when it gave none).
    pub email: Option<Email>,
    /// Whether the provider verified it (only a verified email opens invitations and tenants).
    pub email_verified: bool,
    /// The name userinfo gave.
    pub name: Option<String>,
}

/// What keeping userinfo can answer besides success.
#[derive(Debug, thiserror::Error)]
pub enum UserInfoError {
    /// The provider's answer is about another subject than the caller's ID token.
    #[error("the identity provider's userinfo names another subject than the ID token")]
    SubjectMismatch,
    /// Something broke.
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

crate::error_codes!(UserInfoError {
    UserInfoError::SubjectMismatch => ErrorCode::UserinfoSubjectMismatch,
    UserInfoError::Unexpected(u) => u.code(),
});

/// Keeps the provider's userinfo answer for the caller's subject, if it is about that subject.
#[tracing::instrument(skip_all)]
pub async fn remember(deps: &Deps, principal: &Principal, info: UserInfo) -> Result<Kept, UserInfoError> {
    if info.subject != principal.subject {
        tracing::warn!("userinfo refused: its subject is not the ID token's");
        return Err(UserInfoError::SubjectMismatch);
    }
    let table = deps.table.as_ref();
    let key = schema::subject_profile_key(&principal.subject);
    crate::optimistic!(deps, "keeping userinfo", UserInfoError, {
        let now = deps.now();
        let profile = SubjectProfile {
            subject: principal.subject.clone(),
            email: info.email.clone(),
            email_verified: info.email_verified && info.email.is_some(),
            name: info.name.clone(),
            updated_at: now,
        };
        let kept = Kept { email: profile.email.clone(), email_verified: profile.email_verified, name: profile.name.clone() };
        let write = match schema::load::<SubjectProfile>(table, &key).await.context("reading userinfo")? {
            Some(old) => schema::replace(old.version, &profile),
            None => schema::create(&profile),
        };
        let committed = table.transact(vec![write]).await.context("keeping userinfo")?;
        Ok(settle(committed, || kept))
    })
    .await
}

/// The principal, with the verified email (and name) the provider's userinfo gave for its subject
/// when its token has none. One read, and only for such tokens; a token whose own email differs
/// from the kept one keeps its own.
pub async fn complete(deps: &Deps, mut principal: Principal) -> Result<Principal, UserInfoError> {
    if principal.verified_email().is_some() {
        return Ok(principal);
    }
    let key = schema::subject_profile_key(&principal.subject);
    let Some(kept) = schema::load::<SubjectProfile>(deps.table.as_ref(), &key).await.context("reading userinfo")? else {
        return Ok(principal);
    };
    let kept = kept.value;
    if let Some(email) = kept.email.filter(|_| kept.email_verified)
        && principal.email.as_ref().is_none_or(|own| *own == email)
    {
        principal.email = Some(email);
        principal.email_verified = true;
    }
    if principal.name.is_none() {
        principal.name = kept.name;
    }
    Ok(principal)
}
