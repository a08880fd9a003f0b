//! A member's address changes only when the new address confirms it (seed 003, Trackunit): an
//! admin asks (`PATCH .../members/{id}` with `email`, in `update_member`), the old address is
//! told, the new one gets a link, and the member, signed in as themself, confirms it here.

use super::{GuardState, audit_event, delivery, expire_writes, read_guard};
use crate::access;
use crate::context::{Deps, Principal};
use crate::error::{Context, ErrorCode, FieldError, Unexpected};
use crate::model::{EMAIL_CHANGE_TTL_SECS, EmailChangeRef, EmailGuard, Member, Notice, NoticeKind, PendingEmail, Tenant};
use crate::ports::{Committed, Cond, Write};
use crate::retry::settle;
use crate::schema::{self, EmailChangePointer, TenantCount};
use crate::token::InvitationToken;
use crate::values::Email;
use crate::views::MemberResource;

/// The pending change and the two notices that announce it (to the old address, and the
/// confirmation link to the new one, minted when the worker sends it).
pub(crate) fn request(deps: &Deps, tenant: &Tenant, member: &Member, new: &Email) -> (PendingEmail, Vec<Notice>) {
    let now = deps.now();
    let change_id = deps.new_uuid().simple().to_string();
    let expires_at = now.plus_seconds(EMAIL_CHANGE_TTL_SECS);
    let masked = new.masked();
    let told = delivery::new_notice(
        deps,
        &tenant.id,
        &member.email,
        NoticeKind::EmailChangeRequested,
        member.locale,
        &[("tenant", &tenant.name), ("new_email", &masked)],
    );
    let expires = expires_at.to_string();
    let mut confirm = delivery::new_notice(
        deps,
        &tenant.id,
        new,
        NoticeKind::EmailChangeConfirm,
        member.locale,
        &[("tenant", &tenant.name), ("expires_at", &expires)],
    );
    confirm.email_change = Some(EmailChangeRef { user_id: member.user_id.clone(), change_id: change_id.clone() });
    (PendingEmail { email: new.clone(), expires_at, change_id, token_hash: None }, vec![told, confirm])
}

/// What confirming can answer besides the member.
#[derive(Debug, thiserror::Error)]
pub enum ConfirmError {
    /// The token is malformed.
    #[error("invalid token")]
    Invalid(FieldError),
    /// No change has this token (unknown, replaced by a newer request, or already used).
    #[error("no pending email change has this link; ask for a new one")]
    NotFound,
    /// The caller is not the member whose address changes.
    #[error("sign in as the member whose address this is to confirm it")]
    Forbidden,
    /// The link expired.
    #[error("this link has expired; ask an administrator to request the change again")]
    Expired,
    /// The new address became a member meanwhile.
    #[error("{0} is already a member")]
    AlreadyMember(Email),
    /// The new address was invited meanwhile.
    #[error("{0} already has a pending invitation")]
    AlreadyInvited(Email),
    /// Something broke.
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

crate::error_codes!(ConfirmError {
    ConfirmError::Invalid(e) => ErrorCode::InvalidRequest(vec![e.clone()]),
    ConfirmError::NotFound => ErrorCode::NotFound,
    ConfirmError::Forbidden => ErrorCode::Forbidden,
    ConfirmError::Expired => ErrorCode::LinkExpired,
    ConfirmError::AlreadyMember(_) => ErrorCode::AlreadyMember,
    ConfirmError::AlreadyInvited(_) => ErrorCode::AlreadyInvited,
    ConfirmError::Unexpected(u) => u.code(),
});

/// Confirms a change: the member's address becomes the new one in the tenant (membership,
/// listings, exports, and the one-address-per-tenant guard), in one transaction that also
/// takes the new address's guard (so it cannot race an invite of that address) and frees the
/// old one.
#[tracing::instrument(skip_all)]
pub async fn confirm(deps: &Deps, principal: &Principal, raw_token: &str) -> Result<MemberResource, ConfirmError> {
    let token = InvitationToken::parse(raw_token)
        .ok_or_else(|| ConfirmError::Invalid(FieldError::new("token", "invalid_token", "the token is not one Usher issued")))?;
    let table = deps.table.as_ref();
    let hash = token.hash();
    let pointer_key = schema::email_change_token_key(&hash);
    let Some(pointer) = schema::load::<EmailChangePointer>(table, &pointer_key).await.context("reading token")? else {
        return Err(ConfirmError::NotFound);
    };
    let tenant = pointer.value.tenant_id.clone();
    let actor = access::member_of(deps, principal, &tenant).await.map_err(|_| ConfirmError::Forbidden)?;
    if actor.user.id != pointer.value.user_id {
        return Err(ConfirmError::Forbidden);
    }
    crate::optimistic!(deps, "confirming email change", ConfirmError, {
        let now = deps.now();
        let member_key = schema::member_key(&tenant, &pointer.value.user_id);
        let Some(member) = schema::load::<Member>(table, &member_key).await.context("reading member")? else {
            return Err(ConfirmError::NotFound);
        };
        let Some(pending) = member.value.pending_email.clone() else { return Err(ConfirmError::NotFound) };
        if pending.change_id != pointer.value.change_id || pending.token_hash.as_ref() != Some(&hash) {
            return Err(ConfirmError::NotFound);
        }
        if pending.expires_at <= now {
            return Err(ConfirmError::Expired);
        }
        let mut writes = Vec::new();
        let guard_version = match read_guard(deps, &tenant, &pending.email).await? {
            GuardState::Member => return Err(ConfirmError::AlreadyMember(pending.email.clone())),
            GuardState::Invited(_) => return Err(ConfirmError::AlreadyInvited(pending.email.clone())),
            GuardState::Free => None,
            GuardState::Stale { guard_version, overdue } => {
                // An overdue invitation to the new address still holds it: expired here, its
                // seat freed.
                if let Some(o) = overdue.as_ref()
                    && let Some(w) = expire_writes(deps, o)
                {
                    writes.extend(w);
                    writes.push(schema::counting_workspaces(
                        schema::tenant_counts(&tenant, TenantCount::ReleasePending),
                        &[(crate::model::WorkspaceHolder::Pending, &o.value.workspaces, -1)],
                    ));
                }
                Some(guard_version)
            }
        };
        let mut changed = member.value.clone();
        let old = changed.email.clone();
        changed.email = pending.email.clone();
        changed.pending_email = None;
        changed.updated_at = now;
        let holder = EmailGuard::Member { user_id: changed.user_id.clone() };
        writes.push(schema::guard_write(&tenant, &changed.email, &holder, guard_version));
        let old_guard_key = schema::guard_key(&tenant, &old);
        if let Some(g) = schema::load::<EmailGuard>(table, &old_guard_key).await.context("reading email guard")?
            && g.value == holder
        {
            writes.push(schema::delete(old_guard_key, g.version));
        }
        let event = audit_event(
            deps,
            &tenant,
            Some(&actor.user.id),
            "member.email_changed",
            changed.user_id.as_str(),
            serde_json::json!({ "from_domain": old.domain(), "to_domain": changed.email.domain() }),
        );
        writes.push(schema::replace(member.version, &changed));
        writes.push(schema::audit_write(&event));
        writes.push(Write::Delete { key: pointer_key.clone(), cond: Cond::Version(pointer.version) });
        let committed = table.transact(writes).await.context("confirming email change")?;
        if committed == Committed::Yes {
            tracing::info!(user = %changed.user_id, "email change confirmed");
        }
        Ok(settle(committed, || MemberResource::of(&changed)))
    })
    .await
}
