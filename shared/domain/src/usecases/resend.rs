//! Send an invitation again: a new link (new token) with a fresh expiry. Also re-arms an
//! expired invitation.

use super::revoke::load_invitation;
use super::{GuardState, audit_event, delivery, expire_writes, read_guard};
use crate::access::{self, AccessError};
use crate::context::{Deps, Principal};
use crate::error::{Context, ErrorCode, Unexpected};
use crate::model::{EmailGuard, InvitationStatus};
use crate::retry::settle;
use crate::roles::{Permission, RoleName};
use crate::schema::{self, TenantCount};
use crate::values::{Email, TenantId};
use crate::views::InvitationResource;

/// What resending can answer besides the invitation.
#[derive(Debug, thiserror::Error)]
pub enum ResendError {
    /// No such invitation in this tenant.
    #[error("invitation not found")]
    NotFound,
    /// The caller may not resend.
    #[error("you may not resend invitations in this tenant")]
    Forbidden,
    /// The caller could not grant this invitation's role.
    #[error("you cannot grant the role '{0}'")]
    RoleNotGrantable(RoleName),
    /// Accepted, declined or revoked invitations stay closed.
    #[error("only a pending or expired invitation can be resent; this one is {0}")]
    Closed(&'static str),
    /// (Re-arming) the address has another pending invitation now.
    #[error("{0} already has another pending invitation")]
    AlreadyInvited(Email),
    /// (Re-arming) the address became a member.
    #[error("{0} is already a member")]
    AlreadyMember(Email),
    /// (Re-arming) no seat left.
    #[error("the tenant has no free seat")]
    SeatLimitReached,
    /// The tenant no longer invites addresses at this domain (its allowed domains changed since
    /// the invitation was sent): a new link could never be accepted.
    #[error("this tenant only invites addresses at {0}")]
    DomainNotAllowed(String),
    /// Something broke.
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

crate::error_codes!(ResendError {
    ResendError::NotFound => ErrorCode::NotFound,
    ResendError::Forbidden => ErrorCode::Forbidden,
    ResendError::RoleNotGrantable(_) => ErrorCode::RoleNotGrantable,
    ResendError::Closed(_) => ErrorCode::InvalidState,
    ResendError::AlreadyInvited(_) => ErrorCode::AlreadyInvited,
    ResendError::AlreadyMember(_) => ErrorCode::AlreadyMember,
    ResendError::SeatLimitReached => ErrorCode::SeatLimitReached,
    ResendError::DomainNotAllowed(_) => ErrorCode::DomainNotAllowed,
    ResendError::Unexpected(u) => u.code(),
});

impl From<AccessError> for ResendError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::NotFound => Self::NotFound,
            AccessError::Unexpected(u) => Self::Unexpected(u),
        }
    }
}

/// Resends with a new token. The old link stops working (it reads as "replaced").
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn resend(deps: &Deps, principal: &Principal, tenant: &TenantId, invitation_id: &str) -> Result<InvitationResource, ResendError> {
    let actor = access::member_of(deps, principal, tenant).await?;
    if !actor.can(Permission::InvitationsResend) {
        return Err(ResendError::Forbidden);
    }
    let table = deps.table.as_ref();
    // The new link is minted by the delivery worker; this hash (of a token nobody knows) only
    // makes the old link read as "replaced" from now on.
    let unsent = deps.new_token();
    let rearmed = crate::optimistic!(deps, "re-arming invitation", ResendError, {
        let now = deps.now();
        let inv = load_invitation(deps, tenant, invitation_id).await?.ok_or(ResendError::NotFound)?;
        if let Some(role) = access::resolve_role(table, tenant, &inv.value.role).await?
            && !actor.role.may_grant(&role)
        {
            return Err(ResendError::RoleNotGrantable(role.name));
        }
        let t = access::load_tenant(table, tenant).await?.ok_or(ResendError::NotFound)?;
        let mut writes = Vec::new();
        let stored_pending = inv.value.status() == InvitationStatus::Pending;
        if !stored_pending && inv.value.status() != InvitationStatus::Expired {
            return Err(ResendError::Closed(inv.value.status().as_str()));
        }
        // The policy of today, not of the day it was first sent: accept would refuse the link.
        if !t.value.allows(&inv.value.email) {
            return Err(ResendError::DomainNotAllowed(t.value.allowed_domains.join(", ")));
        }
        if !stored_pending {
            // Re-arming an expired invitation takes the address and a seat again (an overdue
            // one that holds the address is expired here and hands its seat over).
            let mut freed_workspaces = Vec::new();
            let (guard_version, freed) = match read_guard(deps, tenant, &inv.value.email).await? {
                GuardState::Member => return Err(ResendError::AlreadyMember(inv.value.email.clone())),
                GuardState::Invited(_) => return Err(ResendError::AlreadyInvited(inv.value.email.clone())),
                GuardState::Free => (None, false),
                GuardState::Stale { guard_version, overdue } => match overdue.as_ref().and_then(|o| Some((o, expire_writes(deps, o)?))) {
                    Some((o, w)) => {
                        writes.extend(w);
                        freed_workspaces = o.value.workspaces.clone();
                        (Some(guard_version), true)
                    }
                    None => (Some(guard_version), false),
                },
            };
            let count = if freed {
                schema::tenant_counts_only(tenant)
            } else {
                if !t.value.has_seats_for(1) {
                    return Err(ResendError::SeatLimitReached);
                }
                schema::tenant_counts(tenant, TenantCount::TakePending { n: 1, limit: t.value.seat_limit })
            };
            // Pending again: its workspaces count it again (and the overdue one it expires not).
            writes.push(schema::counting_workspaces(
                count,
                &[
                    (crate::model::WorkspaceHolder::Pending, &inv.value.workspaces, 1),
                    (crate::model::WorkspaceHolder::Pending, &freed_workspaces, -1),
                ],
            ));
            writes.push(schema::guard_write(
                tenant,
                &inv.value.email,
                &EmailGuard::Invitation { invitation_id: inv.value.id.clone() },
                guard_version,
            ));
        }
        let mut rearmed = inv.value.clone();
        let expires_at = now.plus_seconds(i64::from(rearmed.ttl_days) * 86_400);
        rearmed.resend(unsent.hash(), expires_at, now).map_err(|e| ResendError::Closed(e.from.as_str()))?;
        let event = audit_event(
            deps,
            tenant,
            Some(&actor.user.id),
            "invitation.resent",
            rearmed.id.as_str(),
            serde_json::json!({ "rearmed": !stored_pending }),
        );
        writes.extend([schema::replace(inv.version, &rearmed), schema::audit_write(&event)]);
        let committed = table.transact(writes).await.context("re-arming invitation")?;
        Ok(settle(committed, || rearmed))
    })
    .await?;
    delivery::enqueue(deps, vec![delivery::invitation_job(&rearmed)]).await;
    Ok(InvitationResource::of(&rearmed, deps.now()))
}
