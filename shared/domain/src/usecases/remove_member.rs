//! Remove a member from a tenant (or leave it), confirmed by typing their email.

use super::audit_event;
use crate::access::{self, AccessError, Actor};
use crate::context::{Deps, Principal};
use crate::error::{Context, ErrorCode, FieldError, Unexpected};
use crate::model::{EmailGuard, Member};
use crate::ports::Committed;
use crate::retry::settle;
use crate::roles::{Permission, Role};
use crate::schema::{self, TenantCount, Versioned};
use crate::values::{Email, TenantId, UserId};

/// What removing a member can answer besides success.
#[derive(Debug, thiserror::Error)]
pub enum RemoveMemberError {
    /// The confirmation is missing or wrong.
    #[error("the confirmation does not match")]
    Invalid(Vec<FieldError>),
    /// No such member (or the caller is not in the tenant).
    #[error("member not found")]
    NotFound,
    /// The caller may not remove members.
    #[error("you may not remove members of this tenant")]
    Forbidden,
    /// The member's role carries a permission the caller lacks (e.g. an admin removing an owner).
    #[error("you cannot remove a member with the role '{0}'")]
    RoleNotGrantable(String),
    /// The last owner cannot leave.
    #[error("the last owner cannot be removed; make someone else owner first")]
    LastOwner,
    /// Something broke.
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

crate::error_codes!(RemoveMemberError {
    RemoveMemberError::Invalid(e) => ErrorCode::InvalidRequest(e.clone()),
    RemoveMemberError::NotFound => ErrorCode::NotFound,
    RemoveMemberError::Forbidden => ErrorCode::Forbidden,
    RemoveMemberError::RoleNotGrantable(_) => ErrorCode::RoleNotGrantable,
    RemoveMemberError::LastOwner => ErrorCode::InvalidState,
    RemoveMemberError::Unexpected(u) => u.code(),
});

impl From<AccessError> for RemoveMemberError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::NotFound => Self::NotFound,
            AccessError::Unexpected(u) => Self::Unexpected(u),
        }
    }
}

/// Reads a member of a tenant by the id in a path.
pub async fn load_member(deps: &Deps, tenant: &TenantId, raw_id: &str) -> Result<Option<Versioned<Member>>, Unexpected> {
    let Ok(id) = UserId::parse(raw_id) else { return Ok(None) };
    schema::load::<Member>(deps.table.as_ref(), &schema::member_key(tenant, &id)).await.context("reading member")
}

/// Whether `actor` may manage (change or remove) someone holding `target_role`: themself always
/// for leaving, others with the permission and only if they could grant that role.
pub(crate) fn may_manage(
    actor: &Actor,
    target: &Member,
    target_role: Option<&Role>,
    permission: Permission,
) -> Result<(), RemoveMemberError> {
    if !actor.can(permission) {
        return Err(RemoveMemberError::Forbidden);
    }
    if !actor.role.may_grant(target_role.unwrap_or(&Role::unresolved(&target.role))) {
        return Err(RemoveMemberError::RoleNotGrantable(target.role.to_string()));
    }
    Ok(())
}

/// Removes the member: deletes the membership, frees the address and the seat.
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn remove_member(
    deps: &Deps,
    principal: &Principal,
    tenant: &TenantId,
    user_id: &str,
    confirm_email: Option<&str>,
) -> Result<(), RemoveMemberError> {
    let actor = access::member_of(deps, principal, tenant).await?;
    remove(deps, &actor, tenant, user_id, Some(confirm_email)).await
}

/// The caller leaves the tenant (`DELETE /v1/me/tenants/{id}`): their own membership goes, as
/// if removed, with no confirmation to type (the route names no one else). The last owner
/// cannot leave.
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn leave(deps: &Deps, principal: &Principal, tenant: &TenantId) -> Result<(), RemoveMemberError> {
    let actor = access::member_of(deps, principal, tenant).await?;
    let me = actor.user.id.to_string();
    remove(deps, &actor, tenant, &me, None).await
}

/// Removes `user_id` from the tenant. `confirm_email` is `Some` on the admin route (the typed
/// confirmation, checked), `None` when the caller leaves through their own route.
async fn remove(
    deps: &Deps,
    actor: &Actor,
    tenant: &TenantId,
    user_id: &str,
    confirm_email: Option<Option<&str>>,
) -> Result<(), RemoveMemberError> {
    let table = deps.table.as_ref();
    crate::optimistic!(deps, "removing member", RemoveMemberError, {
        let target = load_member(deps, tenant, user_id).await?.ok_or(RemoveMemberError::NotFound)?;
        let leaving = target.value.user_id == actor.user.id;
        if !leaving {
            let role = access::resolve_role(table, tenant, &target.value.role).await?;
            may_manage(actor, &target.value, role.as_ref(), Permission::MembersRemove)?;
        }
        let confirmed = confirm_email.map(|c| c.map(Email::parse));
        match confirmed.unwrap_or(Some(Ok(target.value.email.clone()))) {
            Some(Ok(e)) if e == target.value.email => {}
            Some(Ok(_)) => {
                return Err(RemoveMemberError::Invalid(vec![FieldError::new(
                    "confirm_email",
                    "does_not_match",
                    "type the member's email address exactly to confirm",
                )]));
            }
            Some(Err(e)) => return Err(RemoveMemberError::Invalid(vec![FieldError::from_invalid("confirm_email", &e)])),
            None => {
                return Err(RemoveMemberError::Invalid(vec![FieldError::new(
                    "confirm_email",
                    "required",
                    "confirm_email (the member's email address) is required",
                )]));
            }
        }
        let t = access::load_tenant(table, tenant).await?.ok_or(RemoveMemberError::NotFound)?;
        if target.value.role.is_owner() && t.value.holders_of(&target.value.role) <= 1 {
            return Err(RemoveMemberError::LastOwner);
        }
        let action = if leaving { "member.left" } else { "member.removed" };
        let details = serde_json::json!({ "role": target.value.role });
        let writes = removal_writes(deps, &target, Some(&actor.user.id), action, details).await?;
        let committed = table.transact(writes).await.context("removing member")?;
        if committed == Committed::Yes {
            tracing::info!(user = %target.value.user_id, "member removed");
        }
        // Lost: the member changed, or (the count's guard) the last other owner just left.
        Ok(settle(committed, || ()))
    })
    .await
}

/// The writes that take a membership away, by a member (`by`) or by the system
/// (deprovisioning: `None`): the membership, its seat, role and workspace counts (the count
/// write refuses to take the last owner), the address guard, the audit event `action` with
/// `details`.
pub(crate) async fn removal_writes(
    deps: &Deps,
    target: &Versioned<Member>,
    by: Option<&UserId>,
    action: &str,
    details: serde_json::Value,
) -> Result<Vec<crate::ports::Write>, Unexpected> {
    let tenant = &target.value.tenant_id;
    let event = audit_event(deps, tenant, by, action, target.value.user_id.as_str(), details);
    let mut writes = vec![
        schema::delete(schema::member_key(tenant, &target.value.user_id), target.version),
        schema::counting_workspaces(
            schema::tenant_counts(tenant, TenantCount::RemoveMember(&target.value.role)),
            &[(crate::model::WorkspaceHolder::Member, &target.value.workspaces, -1)],
        ),
        schema::audit_write(&event),
    ];
    let guard_key = schema::guard_key(tenant, &target.value.email);
    if let Some(g) = schema::load::<EmailGuard>(deps.table.as_ref(), &guard_key).await.context("reading email guard")?
        && g.value == (EmailGuard::Member { user_id: target.value.user_id.clone() })
    {
        writes.push(schema::delete(guard_key, g.version));
    }
    Ok(writes)
}
