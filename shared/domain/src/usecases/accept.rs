//! The invitee joins the tenant.

use super::{audit_event, invitation_by_token, parse_token};
use crate::access::{self, find_user};
use crate::context::{Deps, Principal};
use crate::error::{Context, ErrorCode, FieldError, Unexpected};
use crate::model::{EmailGuard, Invitation, InvitationStatus, Member, User};
use crate::ports::{Committed, Cond, Item, Write};
use crate::retry::Attempt;
use crate::schema::{self, TenantCount, UserPointer};
use crate::values::{TenantId, UserId};
use crate::views::MemberResource;
use serde::Serialize;

/// The membership the invitee now has.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Accepted {
    /// The tenant joined.
    pub tenant_id: TenantId,
    /// The tenant's name.
    pub tenant_name: String,
    /// The membership.
    pub member: MemberResource,
}

/// What accepting can answer besides the membership.
#[derive(Debug, thiserror::Error)]
pub enum AcceptError {
    /// The token is malformed.
    #[error("invalid token")]
    Invalid(FieldError),
    /// No invitation has this token.
    #[error("no invitation has this token")]
    NotFound,
    /// The caller's verified email is not the invited one (or is not verified).
    #[error("{0}")]
    EmailMismatch(&'static str),
    /// The link expired or was replaced by a newer one.
    #[error("{0}")]
    Expired(&'static str),
    /// The invitation was revoked.
    #[error("this invitation was revoked")]
    Revoked,
    /// Someone else accepted it.
    #[error("this invitation was already used")]
    Used,
    /// The invitee declined it.
    #[error("this invitation was declined")]
    Declined,
    /// The person is already a member of the tenant (joined another way).
    #[error("you are already a member of this tenant")]
    AlreadyMember,
    /// The tenant's policy no longer allows the invited address's domain.
    #[error("this tenant no longer accepts addresses at this domain; ask the tenant's admin")]
    DomainNotAllowed,
    /// The invited role no longer exists.
    #[error("the role this invitation grants no longer exists; ask for a new invitation")]
    RoleGone,
    /// Something broke.
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

crate::error_codes!(AcceptError {
    AcceptError::Invalid(e) => ErrorCode::InvalidRequest(vec![e.clone()]),
    AcceptError::NotFound => ErrorCode::NotFound,
    AcceptError::EmailMismatch(_) => ErrorCode::EmailMismatch,
    AcceptError::Expired(_) => ErrorCode::InvitationExpired,
    AcceptError::Revoked => ErrorCode::InvitationRevoked,
    AcceptError::Used => ErrorCode::InvitationUsed,
    AcceptError::Declined => ErrorCode::InvitationDeclined,
    AcceptError::AlreadyMember => ErrorCode::AlreadyMember,
    AcceptError::RoleGone => ErrorCode::InvalidState,
    AcceptError::DomainNotAllowed => ErrorCode::DomainNotAllowed,
    AcceptError::Unexpected(u) => u.code(),
});

/// The answer for a token whose invitation is not (or no longer) pending, shared with decline.
pub(crate) fn closed_error(inv: &Invitation, current: bool, now: crate::values::Timestamp) -> Option<AcceptError> {
    match inv.status_at(now) {
        InvitationStatus::Pending if current => None,
        InvitationStatus::Pending => Some(AcceptError::Expired("this link was replaced by a newer one; use the latest invitation email")),
        InvitationStatus::Expired => Some(AcceptError::Expired("this invitation has expired; ask for a new one")),
        InvitationStatus::Revoked => Some(AcceptError::Revoked),
        InvitationStatus::Declined => Some(AcceptError::Declined),
        InvitationStatus::Accepted => Some(AcceptError::Used),
    }
}

/// Checks that the signed-in caller is the invitee.
pub(crate) fn check_invitee(principal: &Principal, inv: &Invitation) -> Result<(), AcceptError> {
    match principal.verified_email() {
        None => Err(AcceptError::EmailMismatch("your sign-in has no verified email; verify it with your identity provider first")),
        Some(e) if *e != inv.email => Err(AcceptError::EmailMismatch("this invitation was sent to another email address")),
        Some(_) => Ok(()),
    }
}

/// Accepts: creates the user if new, adds the membership with the invited role, workspaces and
/// profile, marks the invitation accepted, moves the seat from pending to member: all in one
/// transaction. Accepting again as the same person answers the same membership.
#[tracing::instrument(skip_all)]
pub async fn accept(deps: &Deps, principal: &Principal, raw_token: &str) -> Result<Accepted, AcceptError> {
    let token = parse_token(raw_token).map_err(AcceptError::Invalid)?;
    let table = deps.table.as_ref();
    crate::optimistic!(deps, "accepting invitation", AcceptError, {
        let now = deps.now();
        let (inv, current) = invitation_by_token(deps, &token).await?.ok_or(AcceptError::NotFound)?;
        let existing_user = find_user(deps, principal).await?;
        let tenant = access::load_tenant(table, &inv.value.tenant_id).await?.ok_or(AcceptError::NotFound)?;

        if inv.value.status() == InvitationStatus::Accepted {
            // The same person again: answer the membership they have (idempotent accept).
            let same = existing_user.as_ref().is_some_and(|u| inv.value.accepted_by() == Some(&u.id));
            if let (true, true, Some(user_id)) = (same, current, inv.value.accepted_by())
                && let Some(m) =
                    schema::load::<Member>(table, &schema::member_key(&inv.value.tenant_id, user_id)).await.context("reading membership")?
            {
                let accepted =
                    Accepted { tenant_id: tenant.value.id, tenant_name: tenant.value.name, member: MemberResource::of(&m.value) };
                return Ok(Attempt::Done(accepted));
            }
            return Err(AcceptError::Used);
        }
        if let Some(e) = closed_error(&inv.value, current, now) {
            return Err(e);
        }
        check_invitee(principal, &inv.value)?;
        // The policy may have changed since the invitation was sent; it stays pending.
        if !tenant.value.allows(&inv.value.email) {
            return Err(AcceptError::DomainNotAllowed);
        }
        if access::resolve_role(table, &inv.value.tenant_id, &inv.value.role).await?.is_none() {
            return Err(AcceptError::RoleGone);
        }

        let mut accepted = inv.value.clone();
        let mut writes = Vec::new();
        let user = match existing_user {
            Some(u) => u,
            None => {
                let u = User {
                    id: UserId::from_uuid(deps.new_uuid()),
                    email: inv.value.email.clone(),
                    subject: Some(principal.subject.clone()),
                    name: principal.name.clone(),
                    username: principal.username.clone(),
                    created_at: now,
                };
                let pointer = UserPointer { user_id: u.id.clone() };
                writes.push(schema::create(&u));
                writes.push(schema::create_at(schema::user_subject_key(&principal.subject), &pointer));
                // The address may already name a user who signed in with another account: that
                // user keeps it (this person is someone else, found by their subject).
                let by_email = schema::user_email_key(&u.email);
                if table.get(&by_email).await.context("reading user by email")?.is_none() {
                    writes.push(schema::create_at(by_email, &pointer));
                }
                u
            }
        };
        accepted.accept(&user.id, now).map_err(|_| AcceptError::Used)?;
        let member = Member {
            tenant_id: inv.value.tenant_id.clone(),
            user_id: user.id.clone(),
            email: inv.value.email.clone(),
            username: principal.username.clone().or(user.username.clone()),
            name: principal.name.clone().or(user.name.clone()),
            role: inv.value.role.clone(),
            workspaces: inv.value.workspaces.clone(),
            profile: inv.value.profile.clone(),
            notifications: inv.value.notifications.clone(),
            record_owner: inv.value.record_owner,
            metadata: inv.value.metadata.clone(),
            locale: inv.value.locale,
            pending_email: None,
            joined_via: Some(inv.value.id.clone()),
            last_login_at: Some(now),
            created_at: now,
            updated_at: now,
        };
        let event = audit_event(
            deps,
            &inv.value.tenant_id,
            Some(&user.id),
            "invitation.accepted",
            inv.value.id.as_str(),
            serde_json::json!({ "role": member.role, "user_id": user.id }),
        );
        // The host application hears of the new member too (its `member.added` event carries the
        // membership; `invitation.accepted` carries the invitation).
        let joined = audit_event(
            deps,
            &inv.value.tenant_id,
            Some(&user.id),
            "member.added",
            user.id.as_str(),
            serde_json::json!({ "role": member.role, "via": "invitation", "invitation_id": inv.value.id }),
        );
        // The address guard moves from "invited" to "member". A pending invitation always holds
        // its address's guard, and the invitation's version is checked here, so the guard needs
        // no read of its own.
        let guard = schema::guard_key(&inv.value.tenant_id, &inv.value.email);
        let guard_write = Write::Put {
            item: Item {
                key: guard,
                version: 1,
                index_keys: Vec::new(),
                expires_at: None,
                data: serde_json::to_value(EmailGuard::Member { user_id: user.id.clone() }).unwrap_or_default(),
            },
            cond: Cond::Always,
        };
        const MEMBER_AT: usize = 1;
        let mut all = vec![
            schema::replace(inv.version, &accepted),
            schema::create(&member),
            guard_write,
            schema::counting_workspaces(
                schema::tenant_counts(&inv.value.tenant_id, TenantCount::PendingToMember(&member.role)),
                &[
                    (crate::model::WorkspaceHolder::Pending, &inv.value.workspaces, -1),
                    (crate::model::WorkspaceHolder::Member, &member.workspaces, 1),
                ],
            ),
            schema::audit_write(&event),
            schema::audit_write(&joined),
        ];
        all.extend(writes);
        match table.transact(all).await.context("accepting invitation")? {
            Committed::Yes => {
                tracing::info!(invitation = %inv.value.id, user = %user.id, "invitation accepted");
                // A person created here is this subject from now on: the next request needs no lookup.
                deps.identities.put(&principal.subject, user.clone(), now);
                Ok(Attempt::Done(Accepted {
                    tenant_id: tenant.value.id,
                    tenant_name: tenant.value.name,
                    member: MemberResource::of(&member),
                }))
            }
            // Already a member (joined another way, under another address): permanent.
            Committed::ConditionFailed { at: MEMBER_AT } => Err(AcceptError::AlreadyMember),
            // Someone else moved first (another accept, a revoke, the sweep): look again.
            Committed::ConditionFailed { .. } => Ok(Attempt::Lost),
        }
    })
    .await
}
