//! An admin corrects a pending invitation (the role, workspaces, profile, settings or metadata)
//! without sending a new email: the link the invitee holds keeps working and now grants the
//! corrected access.

use super::revoke::load_invitation;
use super::{CommonPatch, audit_event};
use crate::access::{self, AccessError};
use crate::context::{Deps, Principal};
use crate::error::{Context, ErrorCode, FieldError, Unexpected};
use crate::model::Invitation;
use crate::retry::{Attempt, settle};
use crate::roles::{Permission, Role, RoleName};
use crate::schema;
use crate::settings::NotificationsRequest;
use crate::values::{Locale, Profile, TenantId};
use crate::views::InvitationResource;
use serde::Deserialize;

/// The changes, as they arrive. Absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvitationPatch {
    /// New role (the grant rule applies to the old role and the new one).
    pub role: Option<String>,
    /// New workspaces (replaces the list).
    pub workspaces: Option<Vec<String>>,
    /// Profile fields to change (an empty string clears one).
    pub profile: Option<Profile>,
    /// Language of the emails still to come (reminders).
    pub locale: Option<String>,
    /// Notification settings to change.
    pub notifications: Option<NotificationsRequest>,
    /// Whether the host application may assign records to the person.
    pub record_owner: Option<bool>,
    /// The host application's data (replaces it; `null` clears it).
    #[serde(default, deserialize_with = "crate::settings::present")]
    pub metadata: Option<serde_json::Value>,
}

/// What editing an invitation can answer besides the invitation.
#[derive(Debug, thiserror::Error)]
pub enum UpdateInvitationError {
    /// A field is malformed.
    #[error("invalid change")]
    Invalid(Vec<FieldError>),
    /// No such invitation in this tenant (or the caller is not in it).
    #[error("invitation not found")]
    NotFound,
    /// The caller may not invite, so may not edit invitations either.
    #[error("you may not change invitations in this tenant")]
    Forbidden,
    /// The old or new role carries a permission the caller lacks.
    #[error("you cannot grant or take away the role '{0}'")]
    RoleNotGrantable(RoleName),
    /// Only a pending invitation can be changed.
    #[error("only a pending invitation can be changed; this one is {0}")]
    NotPending(&'static str),
    /// Something broke.
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

crate::error_codes!(UpdateInvitationError {
    UpdateInvitationError::Invalid(e) => ErrorCode::InvalidRequest(e.clone()),
    UpdateInvitationError::NotFound => ErrorCode::NotFound,
    UpdateInvitationError::Forbidden => ErrorCode::Forbidden,
    UpdateInvitationError::RoleNotGrantable(_) => ErrorCode::RoleNotGrantable,
    UpdateInvitationError::NotPending(_) => ErrorCode::InvalidState,
    UpdateInvitationError::Unexpected(u) => u.code(),
});

impl From<AccessError> for UpdateInvitationError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::NotFound => Self::NotFound,
            AccessError::Unexpected(u) => Self::Unexpected(u),
        }
    }
}

/// Applies the patch to a pending invitation. Needs `invitations.create`, and the caller must be
/// able to grant both the role it offers now and the role it will offer (so nobody edits an
/// owner invitation, or turns one into it, without being an owner).
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn update_invitation(
    deps: &Deps,
    principal: &Principal,
    tenant: &TenantId,
    invitation_id: &str,
    patch: &InvitationPatch,
) -> Result<InvitationResource, UpdateInvitationError> {
    let actor = access::member_of(deps, principal, tenant).await?;
    if !actor.can(Permission::InvitationsCreate) {
        return Err(UpdateInvitationError::Forbidden);
    }
    let table = deps.table.as_ref();
    let mut errors = Vec::new();
    let CommonPatch { role: new_role, workspaces, profile, metadata } = CommonPatch::parse(
        patch.role.as_deref(),
        patch.workspaces.as_deref(),
        patch.profile.as_ref(),
        patch.metadata.as_ref(),
        &mut errors,
    );
    let locale =
        patch.locale.as_deref().and_then(|l| Locale::parse(l).map_err(|e| errors.push(FieldError::from_invalid("locale", &e))).ok());
    if !errors.is_empty() {
        return Err(UpdateInvitationError::Invalid(errors));
    }

    crate::optimistic!(deps, "updating invitation", UpdateInvitationError, {
        let now = deps.now();
        let inv = load_invitation(deps, tenant, invitation_id).await?.ok_or(UpdateInvitationError::NotFound)?;
        // The grant rule, both ways: a role that no longer resolves counts as carrying everything.
        let current = access::resolve_role(table, tenant, &inv.value.role).await?;
        if !actor.role.may_grant(current.as_ref().unwrap_or(&Role::unresolved(&inv.value.role))) {
            return Err(UpdateInvitationError::RoleNotGrantable(inv.value.role.clone()));
        }
        if let Some(role_name) = new_role.as_ref().filter(|r| **r != inv.value.role) {
            let Some(role) = access::resolve_role(table, tenant, role_name).await? else {
                return Err(UpdateInvitationError::Invalid(vec![FieldError::new(
                    "role",
                    "unknown_role",
                    format!("the tenant has no role '{role_name}'"),
                )]));
            };
            if !actor.role.may_grant(&role) {
                return Err(UpdateInvitationError::RoleNotGrantable(role.name));
            }
        }
        // Workspaces are checked against the tenant's, and written only while those are as read.
        let mut tenant_write = None;
        let workspaces = match &workspaces {
            None => None,
            Some(w) => {
                let t = access::load_tenant(table, tenant).await?.ok_or(UpdateInvitationError::NotFound)?;
                let w = t.value.check_workspaces(w, true).map_err(|e| UpdateInvitationError::Invalid(vec![e]))?;
                tenant_write = Some(schema::workspaces_unchanged(tenant, t.value.workspaces_rev));
                Some(w)
            }
        };
        let mut updated = inv.value.clone();
        let mut invalid = None;
        let edited = updated.edit(now, |i| {
            if let Some(r) = &new_role {
                i.role = r.clone();
            }
            if let Some(w) = &workspaces {
                i.workspaces = w.clone();
                i.notifications.keep_within(w);
            }
            if let Some(p) = &profile {
                i.profile = i.profile.merged_with(p);
            }
            if let Some(l) = locale {
                i.locale = l;
            }
            if let Some(req) = &patch.notifications {
                match i.notifications.apply(req).and_then(|n| n.check_within(&i.workspaces).map(|()| n)) {
                    Ok(n) => i.notifications = n,
                    Err(e) => invalid = Some(e),
                }
            }
            if let Some(r) = patch.record_owner {
                i.record_owner = r;
            }
            if let Some(m) = &metadata {
                i.metadata = m.clone();
            }
        });
        if let Err(e) = edited {
            return Err(UpdateInvitationError::NotPending(e.from.as_str()));
        }
        if let Some(e) = invalid {
            return Err(UpdateInvitationError::Invalid(vec![e]));
        }
        if offer(&updated) == offer(&inv.value) {
            // Nothing changed: nothing to write (and no audit event).
            return Ok(Attempt::Done(InvitationResource::of(&inv.value, now)));
        }
        let details = serde_json::json!({
            "role": (updated.role != inv.value.role).then(|| serde_json::json!({"from": inv.value.role, "to": updated.role})),
            "workspaces_changed": updated.workspaces != inv.value.workspaces,
            "profile_changed": updated.profile != inv.value.profile,
            "notifications_changed": updated.notifications != inv.value.notifications,
            "record_owner": (updated.record_owner != inv.value.record_owner).then_some(updated.record_owner),
            "metadata_changed": updated.metadata != inv.value.metadata,
            "locale_changed": updated.locale != inv.value.locale,
        });
        let event = audit_event(deps, tenant, Some(&actor.user.id), "invitation.updated", updated.id.as_str(), details);
        // Lost: the invitation changed meanwhile (accepted, revoked, resent, edited): decide again.
        let mut writes = vec![schema::replace(inv.version, &updated), schema::audit_write(&event)];
        // Only a pending invitation is edited, and a pending one is counted by its workspaces.
        writes.extend(tenant_write.map(|w| {
            use crate::model::WorkspaceHolder::Pending;
            schema::counting_workspaces(w, &[(Pending, &inv.value.workspaces, -1), (Pending, &updated.workspaces, 1)])
        }));
        let committed = table.transact(writes).await.context("updating invitation")?;
        Ok(settle(committed, || InvitationResource::of(&updated, now)))
    })
    .await
}

/// What an invitation offers the invitee: what this route may change.
fn offer(i: &Invitation) -> impl PartialEq + '_ {
    (&i.role, &i.workspaces, &i.profile, i.locale, &i.notifications, i.record_owner, &i.metadata)
}
