//! The invitee says no.

use super::accept::{AcceptError, check_invitee, closed_error};
use super::{audit_event, invitation_by_token, parse_token};
use crate::context::{Deps, Principal};
use crate::error::{Context, FieldError, Unexpected};
use crate::model::{EmailGuard, InvitationStatus};
use crate::ports::Committed;
use crate::retry::{Attempt, settle};
use crate::schema::{self, TenantCount};
use crate::values::parse_text;

/// What the invitee sees after declining: the invitation's id, status and when.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Declined {
    /// The invitation.
    pub id: crate::values::InvitationId,
    /// `declined`.
    pub status: InvitationStatus,
    /// When.
    pub declined_at: Option<crate::values::Timestamp>,
}

/// What declining can answer (the same outcomes as accepting).
pub type DeclineError = AcceptError;

/// Declines: the invitation becomes `declined` (with the optional reason), its seat and address
/// are freed. Declining again as the invitee answers the same.
#[tracing::instrument(skip_all)]
pub async fn decline(deps: &Deps, principal: &Principal, raw_token: &str, reason: Option<&str>) -> Result<Declined, DeclineError> {
    let token = parse_token(raw_token).map_err(AcceptError::Invalid)?;
    let reason = match reason.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => Some(parse_text(r, 500).map_err(|e| AcceptError::Invalid(FieldError::from_invalid("reason", &e)))?),
        None => None,
    };
    let table = deps.table.as_ref();
    crate::optimistic!(deps, "declining invitation", AcceptError, {
        let now = deps.now();
        let (inv, current) = invitation_by_token(deps, &token).await?.ok_or(AcceptError::NotFound)?;
        check_invitee(principal, &inv.value)?;
        if inv.value.status() == InvitationStatus::Declined && current {
            return Ok(Attempt::Done(Declined {
                declined_at: inv.value.closed_at(),
                id: inv.value.id,
                status: InvitationStatus::Declined,
            }));
        }
        if let Some(e) = closed_error(&inv.value, current, now) {
            return Err(e);
        }
        let mut declined = inv.value.clone();
        declined.decline(reason.clone(), now).map_err(|_| AcceptError::Used)?;
        let event = audit_event(deps, &inv.value.tenant_id, None, "invitation.declined", inv.value.id.as_str(), serde_json::json!({}));
        let mut writes = vec![
            schema::replace(inv.version, &declined),
            schema::counting_workspaces(
                schema::tenant_counts(&inv.value.tenant_id, TenantCount::ReleasePending),
                &[(crate::model::WorkspaceHolder::Pending, &inv.value.workspaces, -1)],
            ),
            schema::audit_write(&event),
        ];
        writes.extend(release_guard(deps, &inv.value).await?);
        let committed = table.transact(writes).await.context("declining invitation")?;
        if committed == Committed::Yes {
            tracing::info!(invitation = %declined.id, "invitation declined");
        }
        Ok(settle(committed, || Declined { id: declined.id.clone(), status: declined.status(), declined_at: declined.closed_at() }))
    })
    .await
}

/// The write that frees an invitation's address, if that invitation still holds it.
pub(crate) async fn release_guard(deps: &Deps, inv: &crate::model::Invitation) -> Result<Option<crate::ports::Write>, Unexpected> {
    let key = schema::guard_key(&inv.tenant_id, &inv.email);
    let guard = schema::load::<EmailGuard>(deps.table.as_ref(), &key).await.context("reading email guard")?;
    Ok(match guard {
        Some(g) if g.value == (EmailGuard::Invitation { invitation_id: inv.id.clone() }) => Some(schema::delete(key, g.version)),
        _ => None,
    })
}
