//! Change a member's role, workspaces, profile or notification settings.

use super::remove_member::{RemoveMemberError, load_member, may_manage};
use super::{CommonPatch, GuardState, audit_event, delivery, email_change, read_guard};
use crate::access::{self, AccessError};
use crate::context::{Deps, Principal};
use crate::error::{Context, ErrorCode, FieldError, Unexpected};
use crate::retry::{Attempt, settle};
use crate::roles::Permission;
use crate::schema::{self, TenantCount};
use crate::settings::NotificationsRequest;
use crate::values::{Email, Profile, TenantId};
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
    /// Notification settings to change (fields left out stay as they are).
    pub notifications: Option<NotificationsRequest>,
    /// Whether the host application may assign records to them.
    pub record_owner: Option<bool>,
    /// The host application's data (replaces it; `null` clears it).
    #[serde(default, deserialize_with = "crate::settings::present")]
    pub metadata: Option<serde_json::Value>,
    /// A new address: not changed at once, but confirmed by the new address (its current
    /// address cancels a pending change).
    pub email: Option<String>,
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
    /// The new address belongs to a member of the tenant.
    #[error("{0} is already a member")]
    AlreadyMember(Email),
    /// The new address has a pending invitation in the tenant.
    #[error("{0} already has a pending invitation")]
    AlreadyInvited(Email),
    /// The tenant's policy does not allow the new address's domain.
    #[error("this tenant only accepts addresses at {0}")]
    DomainNotAllowed(String),
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
    UpdateMemberError::AlreadyMember(_) => ErrorCode::AlreadyMember,
    UpdateMemberError::AlreadyInvited(_) => ErrorCode::AlreadyInvited,
    UpdateMemberError::DomainNotAllowed(_) => ErrorCode::DomainNotAllowed,
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
    let CommonPatch { role: new_role, workspaces, profile: profile_patch, metadata } = CommonPatch::parse(
        patch.role.as_deref(),
        patch.workspaces.as_deref(),
        patch.profile.as_ref(),
        patch.metadata.as_ref(),
        &mut errors,
    );
    let new_email =
        patch.email.as_deref().and_then(|e| Email::parse(e).map_err(|e| errors.push(FieldError::from_invalid("email", &e))).ok());
    if !errors.is_empty() {
        return Err(UpdateMemberError::Invalid(errors));
    }

    let (member, notices) = crate::optimistic!(deps, "updating member", UpdateMemberError, {
        let now = deps.now();
        let target = load_member(deps, tenant, user_id).await?.ok_or(UpdateMemberError::NotFound)?;
        let is_self = target.value.user_id == actor.user.id;
        // An admin changes someone's address; nobody changes their own this way (that is the
        // identity provider's business, and would let a stolen session move an account).
        if is_self && new_email.is_some() {
            return Err(UpdateMemberError::Forbidden);
        }
        // Oneself: profile and notifications. What the tenant decides needs `members.update`.
        let needs_permission = !is_self
            || new_role.is_some()
            || workspaces.is_some()
            || patch.record_owner.is_some()
            || metadata.is_some()
            || new_email.is_some();
        if needs_permission {
            let current_role = access::resolve_role(table, tenant, &target.value.role).await?;
            may_manage(&actor, &target.value, current_role.as_ref(), Permission::MembersUpdate)?;
        }
        let mut updated = target.value.clone();
        let mut count_write = None;
        let role_changes = new_role.as_ref().is_some_and(|r| *r != target.value.role);
        let email_changes = new_email.as_ref().is_some_and(|e| *e != target.value.email);
        // Read once, for whichever needs it: the owner count, the workspaces, the domain policy.
        let t = if role_changes || workspaces.is_some() || email_changes {
            Some(access::load_tenant(table, tenant).await?.ok_or(UpdateMemberError::NotFound)?)
        } else {
            None
        };
        if let (Some(role_name), Some(t)) = (new_role.as_ref().filter(|_| role_changes), &t) {
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
            if target.value.role.is_owner() && t.value.holders_of(&target.value.role) <= 1 {
                return Err(UpdateMemberError::LastOwner);
            }
            count_write = Some(schema::tenant_counts(tenant, TenantCount::ChangeRole { from: &target.value.role, to: role_name }));
            updated.role = role_name.clone();
        }
        if let (Some(w), Some(t)) = (&workspaces, &t) {
            let w = t.value.check_workspaces(w, false).map_err(|e| UpdateMemberError::Invalid(vec![e]))?;
            // Written only while the tenant's workspaces are as checked here.
            let as_read = schema::workspaces_as_read(t.value.workspaces_rev);
            let count = match count_write.take() {
                Some(c) => schema::expecting(c, as_read),
                None => schema::workspaces_unchanged(tenant, t.value.workspaces_rev),
            };
            use crate::model::WorkspaceHolder::Member;
            count_write = Some(schema::counting_workspaces(count, &[(Member, &target.value.workspaces, -1), (Member, &w, 1)]));
            updated.workspaces = w.clone();
            // A summary of a workspace they no longer see would leak it: drop those.
            updated.notifications.keep_within(&w);
        }
        if let Some(p) = &profile_patch {
            updated.profile = updated.profile.merged_with(p);
        }
        if let Some(req) = &patch.notifications {
            let n = updated.notifications.apply(req).map_err(|e| UpdateMemberError::Invalid(vec![e]))?;
            n.check_within(&updated.workspaces).map_err(|e| UpdateMemberError::Invalid(vec![e]))?;
            updated.notifications = n;
        }
        if let Some(r) = patch.record_owner {
            updated.record_owner = r;
        }
        if let Some(m) = &metadata {
            updated.metadata = m.clone();
        }
        let mut notices = Vec::new();
        match &new_email {
            None => {}
            // The current address: a pending change is called off.
            Some(e) if *e == target.value.email => updated.pending_email = None,
            Some(e) => {
                let Some(t) = &t else { return Err(UpdateMemberError::NotFound) };
                if !t.value.allows(e) {
                    return Err(UpdateMemberError::DomainNotAllowed(t.value.allowed_domains.join(", ")));
                }
                // Checked again, in the database, when the change is confirmed.
                match read_guard(deps, tenant, e).await? {
                    GuardState::Member => return Err(UpdateMemberError::AlreadyMember(e.clone())),
                    GuardState::Invited(_) => return Err(UpdateMemberError::AlreadyInvited(e.clone())),
                    GuardState::Free | GuardState::Stale { .. } => {}
                }
                let (pending, queued) = email_change::request(deps, &t.value, &updated, e);
                updated.pending_email = Some(pending);
                notices = queued;
            }
        }
        if updated == target.value {
            return Ok(Attempt::Done((MemberResource::of(&updated), Vec::new())));
        }
        updated.updated_at = now;
        let details = serde_json::json!({
            "role": (updated.role != target.value.role).then(|| serde_json::json!({"from": target.value.role, "to": updated.role})),
            "workspaces_changed": updated.workspaces != target.value.workspaces,
            "profile_changed": updated.profile != target.value.profile,
            "notifications_changed": updated.notifications != target.value.notifications,
            "record_owner": (updated.record_owner != target.value.record_owner).then_some(updated.record_owner),
            "metadata_changed": updated.metadata != target.value.metadata,
            "email_change_requested_to": updated.pending_email.as_ref().filter(|_| !notices.is_empty()).map(|p| p.email.domain()),
        });
        let event = audit_event(deps, tenant, Some(&actor.user.id), "member.updated", updated.user_id.as_str(), details);
        let mut writes = vec![schema::replace(target.version, &updated), schema::audit_write(&event)];
        writes.extend(count_write);
        writes.extend(notices.iter().map(schema::create));
        let committed = table.transact(writes).await.context("updating member")?;
        Ok(settle(committed, || (MemberResource::of(&updated), notices.clone())))
    })
    .await?;
    delivery::enqueue(deps, notices.iter().map(delivery::notice_job).collect()).await;
    Ok(member)
}
