//! Invite one person by email with a role.

use super::{GuardState, audit_event, delivery, expire_writes, read_guard};
use crate::access::{self, AccessError, Actor};
use crate::context::{Deps, Principal};
use crate::error::{Context, ErrorCode, FieldError, Unexpected};
use crate::model::{EmailGuard, Invitation, InvitedBy, NewInvitation, Tenant, WorkspaceHolder};
use crate::ports::Committed;
use crate::retry::{Attempt, settle};
use crate::roles::{Permission, Role, RoleName};
use crate::schema::{self, TenantCount};
use crate::settings::{Metadata, Notifications, NotificationsRequest};
use crate::token::TokenHash;
use crate::values::{Email, InvalidValue, InvitationId, Locale, Profile, TenantId, Timestamp, Workspace, parse_text, parse_workspaces};
use crate::views::InvitationResource;
use serde::Deserialize;

/// An invitation request as it arrives (JSON body or a CSV row): unparsed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    /// Invitee's address.
    pub email: Option<String>,
    /// Role name.
    pub role: Option<String>,
    /// Workspaces.
    #[serde(default)]
    pub workspaces: Vec<String>,
    /// Profile fields.
    #[serde(default)]
    pub profile: Profile,
    /// `en`, `fr` or `de`.
    pub locale: Option<String>,
    /// 1..=max days.
    pub expires_in_days: Option<i64>,
    /// A personal note (at most 1000 characters).
    pub message: Option<String>,
    /// Email preferences the member starts with (defaults for fields left out).
    pub notifications: Option<NotificationsRequest>,
    /// Whether the host application may assign records to the person.
    pub record_owner: Option<bool>,
    /// The host application's own JSON object (at most 4 KB).
    pub metadata: Option<serde_json::Value>,
}

/// A checked invitation request.
#[derive(Debug, Clone)]
pub struct InviteCommand {
    /// Invitee.
    pub email: Email,
    /// Role (resolved against the tenant's roles when executed).
    pub role: RoleName,
    /// Workspaces.
    pub workspaces: Vec<Workspace>,
    /// Profile.
    pub profile: Profile,
    /// Email language.
    pub locale: Locale,
    /// Lifetime, if the inviter chose one.
    pub expires_in_days: Option<u32>,
    /// Note.
    pub message: Option<String>,
    /// Email preferences.
    pub notifications: Notifications,
    /// Record owner.
    pub record_owner: bool,
    /// The host application's data.
    pub metadata: Option<Metadata>,
}

impl InviteCommand {
    /// Checks every field, reporting all problems at once.
    pub fn parse(raw: &InviteRequest, max_ttl_days: u32) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        fn note<T>(errors: &mut Vec<FieldError>, field: &str, r: Result<T, InvalidValue>) -> Option<T> {
            r.map_err(|e| errors.push(FieldError::from_invalid(field, &e))).ok()
        }
        let email = match &raw.email {
            Some(e) => note(&mut errors, "email", Email::parse(e)),
            None => note(&mut errors, "email", Err(InvalidValue::new("required", "email is required"))),
        };
        let role = match &raw.role {
            Some(r) => note(&mut errors, "role", RoleName::parse(r)),
            None => note(&mut errors, "role", Err(InvalidValue::new("required", "role is required"))),
        };
        let workspaces = note(&mut errors, "workspaces", parse_workspaces(&raw.workspaces));
        let locale = match &raw.locale {
            Some(l) => note(&mut errors, "locale", Locale::parse(l)),
            None => Some(Locale::En),
        };
        let expires_in_days = match raw.expires_in_days {
            None => Some(None),
            Some(d) if d >= 1 && d <= i64::from(max_ttl_days) => Some(u32::try_from(d).ok()),
            Some(_) => note(
                &mut errors,
                "expires_in_days",
                Err(InvalidValue::new("out_of_range", format!("expires_in_days must be from 1 to {max_ttl_days}"))),
            ),
        };
        let message = match raw.message.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
            Some(m) => note(&mut errors, "message", parse_text(m, 1000)).map(Some),
            None => Some(None),
        };
        let profile = match Profile::parse(&raw.profile) {
            Ok(p) => Some(p),
            Err(es) => {
                errors.extend(es.iter().map(|(f, e)| FieldError::from_invalid(f.clone(), e)));
                None
            }
        };
        let metadata = match &raw.metadata {
            Some(m) => note(&mut errors, "metadata", Metadata::parse(m)),
            None => Some(None),
        };
        let notifications = match &raw.notifications {
            Some(req) => Notifications::default().apply(req).map_err(|e| errors.push(e)).ok(),
            None => Some(Notifications::default()),
        };
        match (email, role, workspaces, locale, expires_in_days, message, profile, notifications, metadata) {
            (
                Some(email),
                Some(role),
                Some(workspaces),
                Some(locale),
                Some(expires_in_days),
                Some(message),
                Some(profile),
                Some(notifications),
                Some(metadata),
            ) if errors.is_empty() => Ok(Self {
                email,
                role,
                workspaces,
                locale,
                expires_in_days,
                message,
                profile,
                notifications,
                record_owner: raw.record_owner.unwrap_or(false),
                metadata,
            }),
            _ => Err(errors),
        }
    }
}

impl InviteCommand {
    /// The command as `tenant` takes it: its workspaces checked against the tenant's (the default
    /// ones when it names none), and the weekly summary within them.
    pub fn for_tenant(&self, tenant: &Tenant) -> Result<Self, Vec<FieldError>> {
        let workspaces = tenant.check_workspaces(&self.workspaces, true).map_err(|e| vec![e])?;
        self.notifications.check_within(&workspaces).map_err(|e| vec![e])?;
        Ok(Self { workspaces, ..self.clone() })
    }

    /// The new pending invitation this command makes, sent by `inviter` in `tenant` (whose
    /// default lifetime applies unless the command names one).
    pub fn invitation(&self, inviter: &Inviter, tenant: &Tenant, id: InvitationId, token_hash: TokenHash, now: Timestamp) -> Invitation {
        Invitation::new(
            NewInvitation {
                id,
                tenant_id: tenant.id.clone(),
                email: self.email.clone(),
                role: self.role.clone(),
                workspaces: self.workspaces.clone(),
                invited_by: inviter.invited_by.clone(),
                profile: self.profile.clone(),
                locale: self.locale,
                message: self.message.clone(),
                notifications: self.notifications.clone(),
                record_owner: self.record_owner,
                metadata: self.metadata.clone(),
                ttl_days: self.expires_in_days.unwrap_or(tenant.invitation_ttl_days),
            },
            token_hash,
            now,
        )
    }
}

/// Who sends an invitation: a member, or the tenant's directory (SCIM provisioning).
#[derive(Debug, Clone)]
pub struct Inviter {
    /// The member, for the audit event (`None`: the system).
    pub user_id: Option<crate::values::UserId>,
    /// As the invitation (and the invitee) shows it.
    pub invited_by: InvitedBy,
}

impl Inviter {
    /// A member inviting.
    pub fn member(actor: &Actor) -> Self {
        Self {
            user_id: Some(actor.user.id.clone()),
            invited_by: InvitedBy {
                user_id: Some(actor.user.id.clone()),
                email: Some(actor.user.email.clone()),
                name: Some(actor.member.value.display_name(actor.user.name.as_deref())),
            },
        }
    }

    /// The tenant's identity provider, provisioning: the invitee reads the tenant's name.
    pub fn directory(tenant_name: &str) -> Self {
        Self { user_id: None, invited_by: InvitedBy { user_id: None, email: None, name: Some(tenant_name.to_owned()) } }
    }
}

/// What inviting can answer besides the invitation.
#[derive(Debug, thiserror::Error)]
pub enum InviteError {
    /// The request is malformed.
    #[error("invalid invitation")]
    Invalid(Vec<FieldError>),
    /// No such tenant, or the caller is not in it.
    #[error("tenant not found")]
    NotFound,
    /// The caller may not invite.
    #[error("you may not invite people to this tenant")]
    Forbidden,
    /// The role carries a permission the caller lacks (or is `owner`).
    #[error("you cannot grant the role '{0}'")]
    RoleNotGrantable(RoleName),
    /// The address has a pending invitation.
    #[error("{0} already has a pending invitation")]
    AlreadyInvited(Email),
    /// The address is a member.
    #[error("{0} is already a member")]
    AlreadyMember(Email),
    /// No seat left.
    #[error("the tenant has no free seat")]
    SeatLimitReached,
    /// The tenant's policy does not allow the address's domain.
    #[error("this tenant only invites addresses at {0}")]
    DomainNotAllowed(String),
    /// Something broke.
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

crate::error_codes!(InviteError {
    InviteError::Invalid(e) => ErrorCode::InvalidRequest(e.clone()),
    InviteError::NotFound => ErrorCode::NotFound,
    InviteError::Forbidden => ErrorCode::Forbidden,
    InviteError::RoleNotGrantable(_) => ErrorCode::RoleNotGrantable,
    InviteError::AlreadyInvited(_) => ErrorCode::AlreadyInvited,
    InviteError::AlreadyMember(_) => ErrorCode::AlreadyMember,
    InviteError::SeatLimitReached => ErrorCode::SeatLimitReached,
    InviteError::DomainNotAllowed(_) => ErrorCode::DomainNotAllowed,
    InviteError::Unexpected(u) => u.code(),
});

impl From<AccessError> for InviteError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::NotFound => Self::NotFound,
            AccessError::Unexpected(u) => Self::Unexpected(u),
        }
    }
}

/// Checks that `actor` may invite with `role` in `tenant`, resolving the role.
pub async fn authorize(deps: &Deps, actor: &Actor, tenant: &TenantId, role: &RoleName) -> Result<Role, InviteError> {
    if !actor.can(Permission::InvitationsCreate) {
        return Err(InviteError::Forbidden);
    }
    let Some(role) = access::resolve_role(deps.table.as_ref(), tenant, role).await? else {
        return Err(InviteError::Invalid(vec![FieldError::new("role", "unknown_role", format!("the tenant has no role '{role}'"))]));
    };
    if !actor.role.may_grant(&role) {
        return Err(InviteError::RoleNotGrantable(role.name));
    }
    Ok(role)
}

/// Invites one person: saves the invitation (its email queued: delivery `pending`) and the
/// address guard and takes a seat in one transaction, then wakes the delivery worker.
///
/// `reserved_id` (from the request's `Idempotency-Key` claim) is the id the invitation takes: a
/// retry of a request whose write committed but never answered finds its own invitation and
/// answers it, instead of `409 already_invited`.
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn invite(
    deps: &Deps,
    principal: &Principal,
    tenant: &TenantId,
    raw: &InviteRequest,
    reserved_id: Option<uuid::Uuid>,
) -> Result<InvitationResource, InviteError> {
    let actor = access::member_of(deps, principal, tenant).await?;
    if !actor.can(Permission::InvitationsCreate) {
        return Err(InviteError::Forbidden);
    }
    let cmd = InviteCommand::parse(raw, deps.settings.max_ttl_days).map_err(InviteError::Invalid)?;
    authorize(deps, &actor, tenant, &cmd.role).await?;
    // An earlier try's wake-up may have been lost with it: waking the worker twice sends once.
    let (Saved::New(inv) | Saved::Earlier(inv)) = save_new(deps, &Inviter::member(&actor), tenant, cmd, reserved_id).await?;
    delivery::enqueue(deps, vec![delivery::invitation_job(&inv)]).await;
    Ok(InvitationResource::of(&inv, deps.now()))
}

/// What saving a new invitation did.
pub enum Saved {
    /// Saved now, its email queued (delivery `pending`): wake the worker with its job.
    New(Invitation),
    /// An earlier try of this same request saved it (its reserved id holds the address).
    Earlier(Invitation),
}

/// Saves a new pending invitation (without sending it). Used by single and bulk invites.
pub async fn save_new(
    deps: &Deps,
    inviter: &Inviter,
    tenant_id: &TenantId,
    cmd: InviteCommand,
    reserved_id: Option<uuid::Uuid>,
) -> Result<Saved, InviteError> {
    // The link is minted by the delivery worker when it claims the send (only the sender ever
    // knows a token); until then the invitation holds the hash of one nobody knows.
    let unsent = deps.new_token();
    let id = crate::values::InvitationId::from_uuid(reserved_id.unwrap_or_else(|| deps.new_uuid()));
    let mut assume_free = true;
    crate::optimistic!(deps, "saving invitation", InviteError, {
        let now = deps.now();
        let Some(tenant) = access::load_tenant(deps.table.as_ref(), tenant_id).await? else {
            return Err(InviteError::NotFound);
        };
        if !tenant.value.allows(&cmd.email) {
            return Err(InviteError::DomainNotAllowed(tenant.value.allowed_domains.join(", ")));
        }
        let cmd = cmd.for_tenant(&tenant.value).map_err(InviteError::Invalid)?;
        let workspaces_rev = tenant.value.workspaces_rev;
        let mut writes = Vec::new();
        let mut freed = 0;
        let mut freed_workspaces = Vec::new();
        // Most addresses are new: the first try assumes so, and the guard's `Absent` condition
        // checks it in the write itself. Only when that fails is the guard read to decide.
        let state = if std::mem::take(&mut assume_free) { GuardState::Free } else { read_guard(deps, tenant_id, &cmd.email).await? };
        let guard_version = match state {
            GuardState::Member => return Err(InviteError::AlreadyMember(cmd.email.clone())),
            GuardState::Invited(holder) if holder == id => {
                let key = schema::invitation_key(tenant_id, &id);
                let earlier = schema::load::<Invitation>(deps.table.as_ref(), &key).await.context("reading invitation")?;
                if let Some(earlier) = earlier {
                    tracing::info!(invitation = %id, "a retried request found the invitation its earlier try saved");
                    return Ok(Attempt::Done(Saved::Earlier(earlier.value)));
                }
                return Err(InviteError::AlreadyInvited(cmd.email.clone()));
            }
            GuardState::Invited(_) => return Err(InviteError::AlreadyInvited(cmd.email.clone())),
            GuardState::Free => None,
            GuardState::Stale { guard_version, overdue } => {
                if let Some(o) = overdue.as_ref()
                    && let Some(expired) = expire_writes(deps, o)
                {
                    writes.extend(expired);
                    freed = 1;
                    freed_workspaces = o.value.workspaces.clone();
                }
                Some(guard_version)
            }
        };
        // Decide on the seats as read; the count write below re-checks them in the database.
        let mut as_read = tenant.value.clone();
        as_read.seats_used = as_read.seats_used.saturating_sub(freed);
        if !as_read.has_seats_for(1) {
            return Err(InviteError::SeatLimitReached);
        }
        let inv = cmd.invitation(inviter, &tenant.value, id.clone(), unsent.hash(), now);
        let event = audit_event(
            deps,
            tenant_id,
            inviter.user_id.as_ref(),
            "invitation.created",
            inv.id.as_str(),
            match inviter.user_id {
                Some(_) => serde_json::json!({ "role": inv.role, "email_domain": inv.email.domain() }),
                None => serde_json::json!({ "role": inv.role, "email_domain": inv.email.domain(), "via": "scim" }),
            },
        );
        // An overdue invitation expired in this same transaction gives its seat back here.
        // One write on the tenant: the seat (unless an overdue invitation just gave one back),
        // and in any case "its workspaces are as read".
        let take = if freed == 1 {
            schema::workspaces_unchanged(tenant_id, workspaces_rev)
        } else {
            schema::expecting(
                schema::tenant_counts(tenant_id, TenantCount::TakePending { n: 1, limit: tenant.value.seat_limit }),
                schema::workspaces_as_read(workspaces_rev),
            )
        };
        let take = schema::counting_workspaces(
            take,
            &[(WorkspaceHolder::Pending, &freed_workspaces, -1), (WorkspaceHolder::Pending, &inv.workspaces, 1)],
        );
        writes.extend([
            schema::guard_write(tenant_id, &cmd.email, &EmailGuard::Invitation { invitation_id: id.clone() }, guard_version),
            schema::create(&inv),
            schema::audit_write(&event),
        ]);
        writes.push(take);
        let committed = deps.table.transact(writes).await.context("saving invitation")?;
        if committed == Committed::Yes {
            tracing::info!(invitation = %inv.id, role = %inv.role, "invitation saved");
        }
        // Lost: someone changed the guard, an overdue invitation, or took the last seat; decide again.
        Ok(settle(committed, || Saved::New(inv)))
    })
    .await
}
