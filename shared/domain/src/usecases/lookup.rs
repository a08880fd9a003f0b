//! What an invitation link is, for the landing page. Public; consumes nothing.

use super::{invitation_by_token, parse_token};
use crate::access;
use crate::context::Deps;
use crate::error::{ErrorCode, FieldError, Unexpected};
use crate::model::InvitationStatus;
use crate::roles::RoleName;
use crate::values::Timestamp;
use serde::Serialize;

/// What the invitee's landing page shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LookupResult {
    /// The tenant's name.
    pub tenant_name: String,
    /// Who invited them.
    pub inviter_name: Option<String>,
    /// The role on offer.
    pub role: RoleName,
    /// The invited address, masked (`a***@example.com`).
    pub email: String,
    /// `pending` means the link can be accepted. A link replaced by a newer one reads `expired`.
    pub status: InvitationStatus,
    /// When the link stops working.
    pub expires_at: Timestamp,
    /// True when a newer link was sent and this one no longer works.
    pub replaced: bool,
}

/// What lookup can answer besides the result.
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    /// The token is malformed.
    #[error("invalid token")]
    Invalid(FieldError),
    /// No invitation has this token.
    #[error("no invitation has this token")]
    NotFound,
    /// Something broke.
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

crate::error_codes!(LookupError {
    LookupError::Invalid(e) => ErrorCode::InvalidRequest(vec![e.clone()]),
    LookupError::NotFound => ErrorCode::NotFound,
    LookupError::Unexpected(u) => u.code(),
});

/// Describes the invitation behind a token.
#[tracing::instrument(skip_all)]
pub async fn lookup(deps: &Deps, raw_token: &str) -> Result<LookupResult, LookupError> {
    let token = parse_token(raw_token).map_err(LookupError::Invalid)?;
    let (inv, current) = invitation_by_token(deps, &token).await?.ok_or(LookupError::NotFound)?;
    let inv = inv.value;
    let tenant = access::load_tenant(deps.table.as_ref(), &inv.tenant_id).await?.ok_or(LookupError::NotFound)?;
    let status = match inv.status_at(deps.now()) {
        InvitationStatus::Pending if !current => InvitationStatus::Expired,
        s => s,
    };
    Ok(LookupResult {
        tenant_name: tenant.value.name,
        inviter_name: inv.invited_by.name.clone(),
        role: inv.role.clone(),
        email: inv.email.masked(),
        status,
        expires_at: inv.expires_at(),
        replaced: !current,
    })
}
