//! A member signed in to a tenant (`POST /v1/me/tenants/{id}/sign-in`): the people list's
//! "last login". Identity providers do not tell Usher when someone signs in, so the host
//! application says so when its user opens the tenant (the console does when it opens one).
//! Not an audit event: a sign-in changes nothing anyone approved.

use crate::access::{self, AccessError};
use crate::context::{Deps, Principal};
use crate::error::{Context, ErrorCode, Unexpected};
use crate::retry::{Attempt, settle};
use crate::schema;
use crate::values::{TenantId, Timestamp};

/// Sign-ins closer together than this are one (a console reloaded, several tabs): no write.
pub const SIGN_IN_RESOLUTION_SECS: i64 = 60;

/// What recording a sign-in can answer besides success.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Not a member (or no such tenant).
    #[error("tenant not found")]
    NotFound,
    /// Something broke.
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

crate::error_codes!(SignInError {
    SignInError::NotFound => ErrorCode::NotFound,
    SignInError::Unexpected(u) => u.code(),
});

impl From<AccessError> for SignInError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::NotFound => Self::NotFound,
            AccessError::Unexpected(u) => Self::Unexpected(u),
        }
    }
}

/// Sets the caller's `last_login_at` in the tenant to now; returns it.
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn record_sign_in(deps: &Deps, principal: &Principal, tenant: &TenantId) -> Result<Timestamp, SignInError> {
    crate::optimistic!(deps, "recording a sign-in", SignInError, {
        let actor = access::member_of(deps, principal, tenant).await?;
        let now = deps.now();
        if let Some(at) = actor.member.value.last_login_at
            && now < at.plus_seconds(SIGN_IN_RESOLUTION_SECS)
        {
            return Ok(Attempt::Done(at));
        }
        let mut member = actor.member.value.clone();
        member.last_login_at = Some(now);
        let committed = deps.table.transact(vec![schema::replace(actor.member.version, &member)]).await.context("recording a sign-in")?;
        // Lost: the membership changed meanwhile (a role change, say): read it again.
        Ok(settle(committed, || now))
    })
    .await
}
