//! Change a member's role, workspaces, profile or notification settings.

use super::audit_event;
use super::remove_member::{RemoveMemberError, load_member, may_manage};
use crate::access::{self, AccessError};
use crate::context::{Deps, Principal};
use crate::error::{Context, ErrorCode, FieldError, Unexpected};
use crate::model::Notifications;
use crate::retry::{Attempt, settle};
use crate::roles::{Permission, RoleName};
use crate::schema::{self, TenantCount};
use crate::values::{Profile, TenantId, parse_workspaces};
use crate::views::MemberResource;
use serde::Deserialize;

/// The changes, as they arrive. Absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberPatch {
    /// New role.
    pub role: Option<String>,
    /// New workspaces (replaces the list).
    pub workspaces: Option<Vec<String>>,
    /// Profile fields to change (an empty string clears one).
    pub profile: Option<Profile>,
    /// New notification settings.
    pub notifications: Option<Notifications>,
}

/// What updating a member can answer besides the member.
#[derive(Debug, thiserror::Error)]
pub enum UpdateMemberError {
    /// A field is malformed.
    #[error("invalid update")]
    Invalid(Vec<FieldError>),
    /// No such member.
    #[error("member not found")]
    NotFound,
    /// The caller may not change this member (or this field of themself).
    #[error("you may not change this member")]
    Forbidden,
    /// The new or old role carries a permission the caller lacks.
    #[error("you cannot grant or take away the role '{0}'")]
    RoleNotGrantable(String),
    /// The last owner cannot stop being owner.
    #[error("the last owner cannot change role; make someone else owner first")]
    LastOwner,
    /// Something broke.
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

crate::error_codes!(UpdateMemberError {
    UpdateMemberError::Invalid(e) => ErrorCode::InvalidRequest(e.clone()),
    UpdateMemberError::NotFound => ErrorCode::NotFound,
    UpdateMemberError::Forbidden => ErrorCode::Forbidden,
    UpdateMemberError::RoleNotGrantable(_) => ErrorCode::RoleNotGrantable,
    UpdateMemberError::LastOwner => ErrorCode::InvalidState,
    UpdateMemberError::Unexpected(u) => u.code(),
});

impl From<AccessError> for UpdateMemberError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::NotFound => Self::NotFound,
            AccessError::Unexpected(u) => Self::Unexpected(u),
        }
    }
}

impl From<RemoveMemberError> for UpdateMemberError {
    fn from(e: RemoveMemberError) -> Self {
        match e {
            RemoveMemberError::Forbidden => Self::Forbidden,
            RemoveMemberError::RoleNotGrantable(r) => Self::RoleNotGrantable(r),
            RemoveMemberError::Unexpected(u) => Self::Unexpected(u),
            RemoveMemberError::LastOwner => Self::LastOwner,
            RemoveMemberError::NotFound | RemoveMemberError::Invalid(_) => Self::NotFound,
        }
    }
}

/// Applies the patch. A member may change their own profile and notifications; role and
/// workspaces (and anything of someone else) need `members.update`, and role changes follow
/// the grant rule both ways (the old role and the new one).
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn update_member(
    deps: &Deps,
    principal: &Principal,
    tenant: &TenantId,
    user_id: &str,
    patch: &MemberPatch,
) -> Result<MemberResource, UpdateMemberError> {
    let actor = access::member_of(deps, principal, tenant).await?;
    let table = deps.table.as_ref();
    // Parse everything first, reporting every problem at once.
    let mut errors = Vec::new();
    let new_role =
        patch.role.as_deref().and_then(|r| RoleName::parse(r).map_err(|e| errors.push(FieldError::from_invalid("role", &e))).ok());
    let workspaces = patch
        .workspaces
        .as_ref()
        .and_then(|w| parse_workspaces(w).map_err(|e| errors.push(FieldError::from_invalid("workspaces", &e))).ok());
    let profile_patch = patch.profile.as_ref().and_then(|raw| {
        let parsed =
            Profile::parse(raw).map_err(|es| errors.extend(es.iter().map(|(f, e)| FieldError::from_invalid(f.clone(), e)))).ok()?;
        // An empty string means "clear this field"; `parse` dropped it, so put the marker back.
        let keep = |raw: &Option<String>, parsed: Option<String>| match raw {
            Some(s) if s.trim().is_empty() => Some(String::new()),
            _ => parsed,
        };
        Some(Profile {
            first_name: keep(&raw.first_name, parsed.first_name),
            last_name: keep(&raw.last_name, parsed.last_name),
            phone: keep(&raw.phone, parsed.phone),
            employee_number: keep(&raw.employee_number, parsed.employee_number),
            company: keep(&raw.company, parsed.company),
        })
    });
    if !errors.is_empty() {
        return Err(UpdateMemberError::Invalid(errors));
    }

    crate::optimistic!(deps, "updating member", UpdateMemberError, {
        let now = deps.now();
        let target = load_member(deps, tenant, user_id).await?.ok_or(UpdateMemberError::NotFound)?;
        let is_self = target.value.user_id == actor.user.id;
        let needs_permission = !is_self || new_role.is_some() || workspaces.is_some();
        if needs_permission {
            let current_role = access::resolve_role(table, tenant, &target.value.role).await?;
            may_manage(&actor, &target.value, current_role.as_ref(), Permission::MembersUpdate)?;
        }
        let mut updated = target.value.clone();
        let mut count_write = None;
        if let Some(role_name) = new_role.as_ref().filter(|r| **r != target.value.role) {
            let Some(role) = access::resolve_role(table, tenant, role_name).await? else {
                return Err(UpdateMemberError::Invalid(vec![FieldError::new(
                    "role",
                    "unknown_role",
                    format!("the tenant has no role '{role_name}'"),
                )]));
            };
            if !actor.role.may_grant(&role) {
                return Err(UpdateMemberError::RoleNotGrantable(role_name.to_string()));
            }
            let t = access::load_tenant(table, tenant).await?.ok_or(UpdateMemberError::NotFound)?;
            if target.value.role.is_owner() && t.value.holders_of(&target.value.role) <= 1 {
                return Err(UpdateMemberError::LastOwner);
            }
            count_write = Some(schema::tenant_counts(tenant, TenantCount::ChangeRole { from: &target.value.role, to: role_name }));
            updated.role = role_name.clone();
        }
        if let Some(w) = &workspaces {
            updated.workspaces = w.clone();
        }
        if let Some(p) = &profile_patch {
            updated.profile = updated.profile.merged_with(p);
        }
        if let Some(n) = patch.notifications {
            updated.notifications = n;
        }
        if updated == target.value {
            return Ok(Attempt::Done(MemberResource::of(&updated)));
        }
        updated.updated_at = now;
        let details = serde_json::json!({
            "role": (updated.role != target.value.role).then(|| serde_json::json!({"from": target.value.role, "to": updated.role})),
            "workspaces_changed": updated.workspaces != target.value.workspaces,
            "profile_changed": updated.profile != target.value.profile,
        });
        let event = audit_event(deps, tenant, Some(&actor.user.id), "member.updated", updated.user_id.as_str(), details);
        let mut writes = vec![schema::replace(target.version, &updated), schema::audit_write(&event)];
        writes.extend(count_write);
        let committed = table.transact(writes).await.context("updating member")?;
        Ok(settle(committed, || MemberResource::of(&updated)))
    })
    .await
}
