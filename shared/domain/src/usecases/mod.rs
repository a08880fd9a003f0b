//! One module per use case. Each takes the `Deps`, a caller and a parsed command, decides by the
//! rules, writes in one guarded transaction, and answers with a resource or its own error enum.
//!
//! The pattern every write follows: read what the decision needs (with versions), decide, write
//! everything in one transaction whose conditions say "nothing I read has changed". If a
//! condition fails, someone else got there first: read again and decide again (`crate::retry`,
//! bounded in tries and time). So races resolve in the database, never in memory. Tenant
//! counters are never rewritten from a read copy: they change by count writes
//! (`schema::tenant_counts`), so unrelated writes in one tenant do not conflict.

pub mod accept;
pub mod audit;
pub mod bulk;
pub mod decline;
pub mod delivery;
pub mod directory;
pub mod directory_upload;
pub mod domains;
pub mod email_change;
pub mod expire;
pub mod export;
pub mod feedback;
pub mod idempotency;
pub mod invite;
pub mod join_links;
pub mod join_requests;
pub mod list;
pub mod lookup;
pub mod provisioning;
pub mod rate_limit;
pub mod remove_member;
pub mod renewal;
pub mod resend;
pub mod revoke;
pub mod roles;
pub mod scim_tokens;
pub mod sign_in;
pub mod tenants;
pub mod update_invitation;
pub mod update_member;
pub mod userinfo;
pub mod workspaces;

use crate::context::Deps;
use crate::email::{self, Template};
use crate::error::{Context, Unexpected};
use crate::model::{AuditEvent, EmailGuard, Invitation, InvitationStatus};
use crate::ports::Write;
use crate::schema::{self, TokenPointer, Versioned};
use crate::token::InvitationToken;
use crate::values::{Email, TenantId, UserId};

/// The fields the member PATCH and the invitation PATCH share, checked: each `None` when the
/// patch leaves the field out (or it failed, with its problem added to `errors`, so a 400 lists
/// them all). `metadata` is `Some(None)` for an explicit `null` (clear it).
pub(crate) struct CommonPatch {
    pub role: Option<crate::roles::RoleName>,
    pub workspaces: Option<Vec<crate::values::Workspace>>,
    pub profile: Option<crate::values::Profile>,
    pub metadata: Option<Option<crate::settings::Metadata>>,
}

impl CommonPatch {
    pub(crate) fn parse(
        role: Option<&str>,
        workspaces: Option<&[String]>,
        profile: Option<&crate::values::Profile>,
        metadata: Option<&serde_json::Value>,
        errors: &mut Vec<crate::error::FieldError>,
    ) -> Self {
        use crate::error::FieldError;
        let mut note = |field: &str, e: crate::values::InvalidValue| errors.push(FieldError::from_invalid(field, &e));
        let role = role.and_then(|r| crate::roles::RoleName::parse(r).map_err(|e| note("role", e)).ok());
        let workspaces = workspaces.and_then(|w| crate::values::parse_workspaces(w).map_err(|e| note("workspaces", e)).ok());
        let metadata = metadata.and_then(|m| crate::settings::Metadata::parse(m).map_err(|e| note("metadata", e)).ok());
        let profile = profile.and_then(|raw| {
            crate::values::Profile::parse_patch(raw)
                .map_err(|es| errors.extend(es.into_iter().map(|(f, e)| FieldError::from_invalid(f, &e))))
                .ok()
        });
        Self { role, workspaces, profile, metadata }
    }
}

/// Builds the audit event for a change (written in the change's own transaction).
pub(crate) fn audit_event(
    deps: &Deps,
    tenant: &TenantId,
    actor: Option<&UserId>,
    action: &str,
    target: &str,
    details: serde_json::Value,
) -> AuditEvent {
    AuditEvent {
        id: deps.new_uuid().simple().to_string(),
        tenant_id: tenant.clone(),
        action: action.to_owned(),
        actor: actor.cloned(),
        target: target.to_owned(),
        details,
        at: deps.now(),
        resource: None,
    }
}

/// What holds an address in a tenant, read so that a new invitation can claim it.
pub(crate) enum GuardState {
    /// Nobody: the guard item is absent.
    Free,
    /// A stale guard (its invitation is overdue or closed) that may be taken over. If the
    /// invitation is still stored as pending, it must be expired in the same transaction.
    Stale { guard_version: u64, overdue: Option<Box<Versioned<Invitation>>> },
    /// A member holds it.
    Member,
    /// A pending, in-time invitation holds it.
    Invited(crate::values::InvitationId),
}

/// Reads who holds `email` in `tenant`.
pub(crate) async fn read_guard(deps: &Deps, tenant: &TenantId, email: &Email) -> Result<GuardState, Unexpected> {
    let table = deps.table.as_ref();
    let Some(guard) = schema::load::<EmailGuard>(table, &schema::guard_key(tenant, email)).await.context("reading email guard")? else {
        return Ok(GuardState::Free);
    };
    match guard.value {
        EmailGuard::Member { .. } => Ok(GuardState::Member),
        EmailGuard::Invitation { invitation_id } => {
            let inv = schema::load::<Invitation>(table, &schema::invitation_key(tenant, &invitation_id))
                .await
                .context("reading guarding invitation")?;
            match inv {
                Some(inv) if inv.value.status_at(deps.now()) == InvitationStatus::Pending => Ok(GuardState::Invited(invitation_id)),
                Some(inv) if inv.value.status() == InvitationStatus::Pending => {
                    Ok(GuardState::Stale { guard_version: guard.version, overdue: Some(Box::new(inv)) })
                }
                _ => Ok(GuardState::Stale { guard_version: guard.version, overdue: None }),
            }
        }
    }
}

/// `read_guard` for many addresses at once: two batched reads (the guards, then the
/// invitations they point at) instead of one or two reads per address. What a bulk call
/// decides on; its writes re-check every guard in the database.
pub(crate) async fn read_guards(
    deps: &Deps,
    tenant: &TenantId,
    emails: &[Email],
) -> Result<std::collections::HashMap<Email, GuardState>, Unexpected> {
    let table = deps.table.as_ref();
    let now = deps.now();
    let keys: Vec<_> = emails.iter().map(|e| schema::guard_key(tenant, e)).collect();
    let guards = table.get_many(&keys).await.context("reading email guards")?;
    let mut states = std::collections::HashMap::with_capacity(emails.len());
    let mut by_invitation = Vec::new();
    for (email, item) in emails.iter().zip(guards) {
        let Some(item) = item else {
            states.insert(email.clone(), GuardState::Free);
            continue;
        };
        let guard = schema::decode::<EmailGuard>(item).context("reading email guard")?;
        match guard.value {
            EmailGuard::Member { .. } => {
                states.insert(email.clone(), GuardState::Member);
            }
            EmailGuard::Invitation { invitation_id } => by_invitation.push((email.clone(), guard.version, invitation_id)),
        }
    }
    let keys: Vec<_> = by_invitation.iter().map(|(_, _, id)| schema::invitation_key(tenant, id)).collect();
    let invitations = table.get_many(&keys).await.context("reading guarding invitations")?;
    for ((email, guard_version, invitation_id), item) in by_invitation.into_iter().zip(invitations) {
        let inv = item.map(schema::decode::<Invitation>).transpose().context("reading guarding invitation")?;
        let state = match inv {
            Some(inv) if inv.value.status_at(now) == InvitationStatus::Pending => GuardState::Invited(invitation_id),
            Some(inv) if inv.value.status() == InvitationStatus::Pending => {
                GuardState::Stale { guard_version, overdue: Some(Box::new(inv)) }
            }
            _ => GuardState::Stale { guard_version, overdue: None },
        };
        states.insert(email, state);
    }
    Ok(states)
}

/// The writes that expire an overdue invitation inside another transaction. Its seat stays
/// taken: the caller's new pending invitation inherits it (so no count write is needed).
pub(crate) fn expire_writes(deps: &Deps, overdue: &Versioned<Invitation>) -> Option<Vec<Write>> {
    let mut inv = overdue.value.clone();
    inv.expire(deps.now()).ok()?;
    let event = audit_event(deps, &inv.tenant_id, None, "invitation.expired", inv.id.as_str(), serde_json::json!({}));
    Some(vec![schema::replace(overdue.version, &inv), schema::audit_write(&event)])
}

/// Renders the invitation email for the current link.
pub(crate) fn invitation_email(deps: &Deps, tenant_name: &str, inv: &Invitation, token: &InvitationToken) -> crate::ports::OutgoingEmail {
    let link = deps.accept_link(token);
    let inviter = inv
        .invited_by
        .name
        .clone()
        .or_else(|| inv.invited_by.email.as_ref().map(ToString::to_string))
        .unwrap_or_else(|| tenant_name.to_owned());
    let expires = inv.expires_at().to_string();
    // After a reminder (until a resend gives a new link), the email says it is one.
    let template = if inv.reminded_at().is_some() { Template::Reminder } else { Template::Invitation };
    let mut message = email::render(
        template,
        inv.locale,
        &inv.email,
        &[
            ("inviter", Some(&inviter)),
            ("tenant", Some(tenant_name)),
            ("role", Some(inv.role.as_str())),
            ("link", Some(&link)),
            ("expires_at", Some(&expires)),
            ("message", inv.message.as_deref()),
        ],
    );
    // A bounce or complaint reported later finds its invitation by these (usecases::feedback).
    message.tags =
        vec![(crate::ports::MAIL_TAG_TENANT, inv.tenant_id.to_string()), (crate::ports::MAIL_TAG_INVITATION, inv.id.to_string())];
    if let Some(send) = &inv.delivery().send_id {
        message.tags.push((crate::ports::MAIL_TAG_SEND, send.clone()));
    }
    message
}

/// How long a link's token item outlives the link: an old link still reads as "expired" or
/// "replaced" (not unknown) for a month, then the table's TTL deletes it.
pub const TOKEN_RETENTION_SECS: i64 = 30 * 86_400;

/// The token item for a new link.
pub(crate) fn token_write(inv: &Invitation) -> Write {
    schema::create_expiring_at(
        schema::token_key(inv.token_hash()),
        &TokenPointer { tenant_id: inv.tenant_id.clone(), invitation_id: inv.id.clone() },
        inv.expires_at().plus_seconds(TOKEN_RETENTION_SECS),
    )
}

/// Resolves a token sent by an invitee to its invitation (and whether it is the current link).
pub(crate) async fn invitation_by_token(deps: &Deps, token: &InvitationToken) -> Result<Option<(Versioned<Invitation>, bool)>, Unexpected> {
    let table = deps.table.as_ref();
    let hash = token.hash();
    let Some(pointer) = schema::load::<TokenPointer>(table, &schema::token_key(&hash)).await.context("reading token")? else {
        return Ok(None);
    };
    let key = schema::invitation_key(&pointer.value.tenant_id, &pointer.value.invitation_id);
    let inv = schema::load::<Invitation>(table, &key).await.context("reading invitation")?;
    Ok(inv.map(|inv| {
        let current = *inv.value.token_hash() == hash;
        (inv, current)
    }))
}

/// Parses a token from a request body; a malformed one is a 400 on the `token` field.
pub(crate) fn parse_token(raw: &str) -> Result<InvitationToken, crate::error::FieldError> {
    InvitationToken::parse(raw).ok_or_else(|| {
        crate::error::FieldError::new("token", "invalid_token", "the token is not one Usher issued (43 URL-safe characters)")
    })
}
