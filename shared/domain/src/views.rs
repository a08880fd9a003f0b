//! The resources the API returns (what callers see; never a token or its hash).

use crate::model::{Delivery, DeliveryStatus, Invitation, InvitationStatus, InvitedBy, Member, Notifications, Tenant};
use crate::roles::RoleName;
use crate::settings::Metadata;
use crate::values::{Email, InvitationId, Locale, Profile, TenantId, Timestamp, UserId, Workspace};
use serde::Serialize;
use std::collections::BTreeMap;

/// An invitation, as admins see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InvitationResource {
    /// Id.
    pub id: InvitationId,
    /// Tenant.
    pub tenant_id: TenantId,
    /// Invitee.
    pub email: Email,
    /// Role on accepting.
    pub role: RoleName,
    /// Workspaces on accepting.
    pub workspaces: Vec<Workspace>,
    /// Effective status (an overdue pending invitation is `expired`).
    pub status: InvitationStatus,
    /// When the current link stops working.
    pub expires_at: Timestamp,
    /// Created.
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
    /// Inviter.
    pub invited_by: InvitedBy,
    /// Times re-sent.
    pub resend_count: u32,
    /// When the current link was last handed to the mail service.
    pub last_sent_at: Option<Timestamp>,
    /// Email delivery.
    pub delivery: DeliveryView,
    /// Profile to copy on accept.
    pub profile: Profile,
    /// Email language.
    pub locale: Locale,
    /// Inviter's note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Email preferences the member starts with.
    pub notifications: Notifications,
    /// Whether the host application may assign records to the member.
    pub record_owner: bool,
    /// The host application's own data (`{}` when none).
    pub metadata: serde_json::Value,
    /// Who accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted_by: Option<UserId>,
    /// When it stopped being pending.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<Timestamp>,
    /// The invitee's reason for declining.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decline_reason: Option<String>,
    /// Last time the invitee asked for a new link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renewal_requested_at: Option<Timestamp>,
    /// When the invitee was reminded about the current link (about 48 h before it expires).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reminded_at: Option<Timestamp>,
}

impl InvitationResource {
    /// The view of `inv` at `now`.
    pub fn of(inv: &Invitation, now: Timestamp) -> Self {
        let status = inv.status_at(now);
        Self {
            id: inv.id.clone(),
            tenant_id: inv.tenant_id.clone(),
            email: inv.email.clone(),
            role: inv.role.clone(),
            workspaces: inv.workspaces.clone(),
            status,
            expires_at: inv.expires_at(),
            created_at: inv.created_at,
            updated_at: inv.updated_at(),
            invited_by: inv.invited_by.clone(),
            resend_count: inv.resend_count(),
            last_sent_at: inv.last_sent_at(),
            delivery: DeliveryView::of(inv.delivery()),
            profile: inv.profile.clone(),
            locale: inv.locale,
            message: inv.message.clone(),
            notifications: inv.notifications.clone(),
            record_owner: inv.record_owner,
            metadata: Metadata::shown(inv.metadata.as_ref()),
            accepted_by: inv.accepted_by().cloned(),
            closed_at: if status == InvitationStatus::Expired { inv.closed_at().or(Some(inv.expires_at())) } else { inv.closed_at() },
            decline_reason: inv.decline_reason().map(str::to_owned),
            renewal_requested_at: inv.renewal_requested_at(),
            reminded_at: inv.reminded_at(),
        }
    }
}

/// An invitation's email delivery, as admins see it (openapi.yaml `Delivery`): the worker's
/// bookkeeping (its claim, the send's id) stays inside, so what the API shows never changes with
/// how the queue works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryView {
    /// Current state.
    pub status: DeliveryStatus,
    /// Attempts so far for the current link.
    pub attempts: u32,
    /// The last failure, shortened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// When the schedule looks again (only while not sent and attempts remain).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<Timestamp>,
}

impl DeliveryView {
    /// The view of a delivery.
    pub fn of(d: &Delivery) -> Self {
        Self { status: d.status, attempts: d.attempts, last_error: d.last_error.clone(), next_attempt_at: d.next_attempt_at }
    }
}

/// A membership, as the tenant sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemberResource {
    /// The person's id.
    pub user_id: UserId,
    /// Tenant.
    pub tenant_id: TenantId,
    /// Email.
    pub email: Email,
    /// Display name.
    pub name: Option<String>,
    /// Username at the identity provider.
    pub username: Option<String>,
    /// Role.
    pub role: RoleName,
    /// Workspaces.
    pub workspaces: Vec<Workspace>,
    /// Profile.
    pub profile: Profile,
    /// Email preferences.
    pub notifications: Notifications,
    /// Whether the host application may assign records to them.
    pub record_owner: bool,
    /// The host application's own data (`{}` when none).
    pub metadata: serde_json::Value,
    /// Language of the emails Usher sends them.
    pub locale: Locale,
    /// An address change waiting for the new address to confirm it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_email: Option<PendingEmailView>,
    /// Last sign-in seen.
    pub last_login_at: Option<Timestamp>,
    /// Joined.
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
}

impl MemberResource {
    /// The view of a membership.
    pub fn of(m: &Member) -> Self {
        Self {
            user_id: m.user_id.clone(),
            tenant_id: m.tenant_id.clone(),
            email: m.email.clone(),
            name: m.profile.display_name().or_else(|| m.name.clone()).or_else(|| m.username.clone()),
            username: m.username.clone(),
            role: m.role.clone(),
            workspaces: m.workspaces.clone(),
            profile: m.profile.clone(),
            notifications: m.notifications.clone(),
            record_owner: m.record_owner,
            metadata: Metadata::shown(m.metadata.as_ref()),
            locale: m.locale,
            pending_email: m.pending_email.as_ref().map(|p| PendingEmailView { email: p.email.clone(), expires_at: p.expires_at }),
            last_login_at: m.last_login_at,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A pending address change, as admins see it (the token never).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PendingEmailView {
    /// The new address.
    pub email: Email,
    /// When its confirmation link stops working.
    pub expires_at: Timestamp,
}

/// Seat usage of a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Seats {
    /// The plan's limit (`null`: unlimited).
    pub limit: Option<u32>,
    /// Members.
    pub members: u32,
    /// Pending invitations.
    pub pending: u32,
    /// Free seats (`null`: unlimited).
    pub available: Option<u32>,
}

impl Seats {
    /// Seats of a tenant.
    pub fn of(t: &Tenant) -> Self {
        Self { limit: t.seat_limit, members: t.members, pending: t.pending, available: t.seats_available() }
    }
}

/// A tenant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TenantResource {
    /// Id.
    pub id: TenantId,
    /// Name.
    pub name: String,
    /// Seat limit (`null`: unlimited).
    pub seat_limit: Option<u32>,
    /// Default invitation lifetime in days.
    pub invitation_ttl_days: u32,
    /// Email domains invitations may go to (empty: any).
    pub allowed_domains: Vec<String>,
    /// Seat usage.
    pub seats: Seats,
    /// Members per role.
    pub roles: BTreeMap<RoleName, u32>,
    /// Created.
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
}

impl TenantResource {
    /// The view of a tenant.
    pub fn of(t: &Tenant) -> Self {
        Self {
            id: t.id.clone(),
            name: t.name.clone(),
            seat_limit: t.seat_limit,
            invitation_ttl_days: t.invitation_ttl_days,
            allowed_domains: t.allowed_domains.clone(),
            seats: Seats::of(t),
            roles: t.role_counts(),
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// A page of results with an opaque cursor for the next one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Paged<T> {
    /// The items.
    pub data: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` at the end.
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delivery_in_a_workers_hands_shows_its_state_and_not_the_workers_claim() {
        let now = Timestamp::parse("2026-12-01T10:00:00Z").unwrap();
        let mut d = Delivery::new_pending(now);
        d.claim(now);
        let shown = serde_json::to_value(DeliveryView::of(&d)).unwrap();
        assert_eq!(shown, serde_json::json!({"status": "pending", "attempts": 0, "next_attempt_at": "2026-12-01T10:05:00Z"}));
    }
}
