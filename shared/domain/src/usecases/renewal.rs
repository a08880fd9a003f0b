//! An invitee whose link expired asks the inviter for a new one. Public and rate-limited per
//! invitation; it changes nothing but the request's timestamp and queues an email to the inviter.

use super::{audit_event, delivery, invitation_by_token, parse_token};
use crate::access;
use crate::context::Deps;
use crate::error::{Context, ErrorCode, FieldError, Unexpected};
use crate::model::{InvitationStatus, Member, Notice, NoticeKind};
use crate::retry::settle;
use crate::schema;
use serde::Serialize;

/// The answer: the request was recorded (and the inviter told, when they can be).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RenewalRequested {
    /// Always `requested`.
    pub status: &'static str,
    /// Whether an email to the inviter was queued (false if they left or opted out; admins
    /// still see `renewal_requested_at` on the invitation).
    pub inviter_notified: bool,
}

/// What a renewal request can answer besides success.
#[derive(Debug, thiserror::Error)]
pub enum RenewalError {
    /// The token is malformed.
    #[error("invalid token")]
    Invalid(FieldError),
    /// No invitation has this token.
    #[error("no invitation has this token")]
    NotFound,
    /// The link still works: nothing to renew.
    #[error("this invitation is still valid; use the link in the latest email")]
    StillValid,
    /// The invitation was revoked.
    #[error("this invitation was revoked")]
    Revoked,
    /// It was accepted.
    #[error("this invitation was already used")]
    Used,
    /// It was declined.
    #[error("this invitation was declined")]
    Declined,
    /// Asked too recently.
    #[error("a new link was already requested; try again later")]
    TooSoon {
        /// Seconds until another request is accepted.
        retry_after: u64,
    },
    /// Something broke.
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

crate::error_codes!(RenewalError {
    RenewalError::Invalid(e) => ErrorCode::InvalidRequest(vec![e.clone()]),
    RenewalError::NotFound => ErrorCode::NotFound,
    RenewalError::StillValid => ErrorCode::InvalidState,
    RenewalError::Revoked => ErrorCode::InvitationRevoked,
    RenewalError::Used => ErrorCode::InvitationUsed,
    RenewalError::Declined => ErrorCode::InvitationDeclined,
    RenewalError::TooSoon { retry_after } => ErrorCode::RateLimited { retry_after: *retry_after },
    RenewalError::Unexpected(u) => u.code(),
});

/// Records the request and, in the same transaction, queues a notice to the inviter (when they
/// are still a member and want these emails).
#[tracing::instrument(skip_all)]
pub async fn request_renewal(deps: &Deps, raw_token: &str) -> Result<RenewalRequested, RenewalError> {
    let token = parse_token(raw_token).map_err(RenewalError::Invalid)?;
    let table = deps.table.as_ref();
    let notice = crate::optimistic!(deps, "recording renewal request", RenewalError, {
        let now = deps.now();
        let (inv, current) = invitation_by_token(deps, &token).await?.ok_or(RenewalError::NotFound)?;
        match inv.value.status_at(now) {
            InvitationStatus::Pending if current => return Err(RenewalError::StillValid),
            InvitationStatus::Pending | InvitationStatus::Expired => {}
            InvitationStatus::Revoked => return Err(RenewalError::Revoked),
            InvitationStatus::Accepted => return Err(RenewalError::Used),
            InvitationStatus::Declined => return Err(RenewalError::Declined),
        }
        let mut updated = inv.value.clone();
        if let Err(wait) = updated.request_renewal(now, deps.settings.renewal_cooldown_secs) {
            return Err(RenewalError::TooSoon { retry_after: wait });
        }
        let event =
            audit_event(deps, &inv.value.tenant_id, None, "invitation.renewal_requested", inv.value.id.as_str(), serde_json::json!({}));
        let mut writes = vec![schema::replace(inv.version, &updated), schema::audit_write(&event)];
        let notice = notice_for_inviter(deps, &updated).await?;
        writes.extend(notice.as_ref().map(schema::create));
        let committed = table.transact(writes).await.context("recording renewal request")?;
        Ok(settle(committed, || notice))
    })
    .await?;
    let inviter_notified = notice.is_some();
    delivery::enqueue(deps, notice.iter().map(delivery::notice_job).collect()).await;
    Ok(RenewalRequested { status: "requested", inviter_notified })
}

/// The notice telling the inviter, if they are still a member and want renewal-request emails.
async fn notice_for_inviter(deps: &Deps, inv: &crate::model::Invitation) -> Result<Option<Notice>, Unexpected> {
    let table = deps.table.as_ref();
    let Some(inviter_id) = &inv.invited_by.user_id else { return Ok(None) };
    let Some(inviter) = schema::load::<Member>(table, &schema::member_key(&inv.tenant_id, inviter_id)).await.context("reading inviter")?
    else {
        return Ok(None);
    };
    if !inviter.value.notifications.renewal_requests {
        return Ok(None);
    }
    let tenant_name = access::load_tenant(table, &inv.tenant_id).await?.map(|t| t.value.name).unwrap_or_default();
    let invitee = inv.email.to_string();
    Ok(Some(delivery::new_notice(
        deps,
        &inv.tenant_id,
        &inviter.value.email,
        NoticeKind::RenewalRequest,
        inv.locale,
        &[("invitee", &invitee), ("tenant", &tenant_name)],
    )))
}
