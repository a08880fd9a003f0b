//! A member signed in to a tenant (`POST /v1/me/tenants/{id}/sign-in`): the people list's
//! "last login". Identity providers do not tell Usher when someone signs in, so the host
//! application says so when its user opens the tenant (the console does when it opens one).
//! Not an audit event: a sign-in changes nothing anyone approved. The person's name at the
//! identity provider is kept here too: it is how the people they invite know them.

use crate::access::{self, AccessError};
use crate::context::{Deps, Principal};
use crate::error::{Context, ErrorCode, Unexpected};
use crate::model::User;
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

/// Sets the caller's `last_login_at` in the tenant to now, and keeps the name their token carries
/// (`name`, or `given_name` + `family_name`) on the membership and the user: the people list,
/// their invitations' "X invited you" and the invitation emails show it. Returns the time.
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn record_sign_in(deps: &Deps, principal: &Principal, tenant: &TenantId) -> Result<Timestamp, SignInError> {
    crate::optimistic!(deps, "recording a sign-in", SignInError, {
        let actor = access::member_of(deps, principal, tenant).await?;
        let now = deps.now();
        let renamed = principal.name.as_ref().filter(|n| actor.member.value.name.as_ref() != Some(*n));
        if let Some(at) = actor.member.value.last_login_at
            && now < at.plus_seconds(SIGN_IN_RESOLUTION_SECS)
            && renamed.is_none()
        {
            return Ok(Attempt::Done(at));
        }
        let mut member = actor.member.value.clone();
        member.last_login_at = Some(now);
        if let Some(name) = renamed {
            member.name = Some(name.clone());
        }
        let mut writes = vec![schema::replace(actor.member.version, &member)];
        let mut user_renamed = None;
        if let Some(name) = renamed {
            let user = schema::load::<User>(deps.table.as_ref(), &schema::user_key(&actor.user.id)).await.context("reading user")?;
            if let Some(user) = user
                && user.value.name.as_ref() != Some(name)
            {
                let mut named = user.value.clone();
                named.name = Some(name.clone());
                writes.push(schema::replace(user.version, &named));
                user_renamed = Some(named);
            }
        }
        let committed = deps.table.transact(writes).await.context("recording a sign-in")?;
        if committed == crate::ports::Committed::Yes
            && let Some(user) = user_renamed
        {
            // This process's cached user shows the new name at once (invitations sent next).
            deps.identities.put(&principal.subject, user, now);
        }
        // Lost: the membership changed meanwhile (a role change, say): read it again.
        Ok(settle(committed, || now))
    })
    .await
}
