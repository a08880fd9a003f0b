//! An admin withdraws a pending invitation.

use super::audit_event;
use super::decline::release_guard;
use crate::access::{self, AccessError};
use crate::context::{Deps, Principal};
use crate::error::{Context, ErrorCode, Unexpected};
use crate::model::Invitation;
use crate::ports::Committed;
use crate::retry::settle;
use crate::roles::Permission;
use crate::schema::{self, TenantCount, Versioned};
use crate::values::{InvitationId, TenantId};
use crate::views::InvitationResource;

/// What revoking can answer besides the revoked invitation.
#[derive(Debug, thiserror::Error)]
pub enum RevokeError {
    /// No such invitation in this tenant (or the caller is not in it).
    #[error("invitation not found")]
    NotFound,
    /// The caller may not revoke invitations.
    #[error("you may not revoke invitations in this tenant")]
    Forbidden,
    /// Only a pending invitation can be revoked.
    #[error("only a pending invitation can be revoked; this one is {0}")]
    NotPending(&'static str),
    /// Something broke.
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

crate::error_codes!(RevokeError {
    RevokeError::NotFound => ErrorCode::NotFound,
    RevokeError::Forbidden => ErrorCode::Forbidden,
    RevokeError::NotPending(_) => ErrorCode::InvalidState,
    RevokeError::Unexpected(u) => u.code(),
});

impl From<AccessError> for RevokeError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::NotFound => Self::NotFound,
            AccessError::Unexpected(u) => Self::Unexpected(u),
        }
    }
}

/// Reads an invitation of a tenant by the id in a path (a malformed id is simply not found).
pub async fn load_invitation(deps: &Deps, tenant: &TenantId, raw_id: &str) -> Result<Option<Versioned<Invitation>>, Unexpected> {
    let Ok(id) = InvitationId::parse(raw_id) else { return Ok(None) };
    schema::load::<Invitation>(deps.table.as_ref(), &schema::invitation_key(tenant, &id)).await.context("reading invitation")
}

/// Revokes: the invitation becomes `revoked`, its link stops working, its seat and address are
/// freed.
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn revoke(deps: &Deps, principal: &Principal, tenant: &TenantId, invitation_id: &str) -> Result<InvitationResource, RevokeError> {
    let actor = access::member_of(deps, principal, tenant).await?;
    if !actor.can(Permission::InvitationsRevoke) {
        return Err(RevokeError::Forbidden);
    }
    let table = deps.table.as_ref();
    crate::optimistic!(deps, "revoking invitation", RevokeError, {
        let now = deps.now();
        let inv = load_invitation(deps, tenant, invitation_id).await?.ok_or(RevokeError::NotFound)?;
        let (revoked, writes) = match revoke_writes(deps, &inv, Some(&actor.user.id), serde_json::json!({})).await? {
            Ok(done) => done,
            Err(e) => return Err(RevokeError::NotPending(e.from.as_str())),
        };
        let committed = table.transact(writes).await.context("revoking invitation")?;
        if committed == Committed::Yes {
            tracing::info!(invitation = %revoked.id, "invitation revoked");
        }
        Ok(settle(committed, || InvitationResource::of(&revoked, now)))
    })
    .await
}

/// The writes that revoke a pending invitation, by a member (`by`) or by the system
/// (deprovisioning: `None`): the invitation, its seat and workspaces, its address, the audit
/// event with `details`. `Err` when the invitation is not pending.
pub(crate) async fn revoke_writes(
    deps: &Deps,
    inv: &Versioned<Invitation>,
    by: Option<&crate::values::UserId>,
    details: serde_json::Value,
) -> Result<Result<(Invitation, Vec<crate::ports::Write>), crate::model::NotAllowed>, Unexpected> {
    let tenant = &inv.value.tenant_id;
    let mut revoked = inv.value.clone();
    if let Err(e) = revoked.revoke(by.cloned(), deps.now()) {
        return Ok(Err(e));
    }
    let event = audit_event(deps, tenant, by, "invitation.revoked", inv.value.id.as_str(), details);
    let mut writes = vec![
        schema::replace(inv.version, &revoked),
        schema::counting_workspaces(
            schema::tenant_counts(tenant, TenantCount::ReleasePending),
            &[(crate::model::WorkspaceHolder::Pending, &inv.value.workspaces, -1)],
        ),
        schema::audit_write(&event),
    ];
    writes.extend(release_guard(deps, &inv.value).await?);
    Ok(Ok((revoked, writes)))
}
