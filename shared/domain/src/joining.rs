//! Joining without an invitation email: a tenant's join links and the join requests filed
//! through links that need an admin's approval.
//!
//! INVARIANT: a link's token is 32 random bytes shown once (in the creation answer's `url`) and
//! stored only as its SHA-256, in the pointer item that finds the link (`schema::join_link_hash_key`).
//! `JoinLink` holds the hash and nothing prints it; no view, log line or event carries either.
//!
//! A link's `uses` is a counter changed only by count writes that hold below `max_uses` and
//! while the link is not disabled, in the same transaction as the seat it gives: N people
//! redeeming at once a link with M uses left in a tenant with S free seats make min(N, M, S)
//! members, whichever store holds them.

use crate::roles::RoleName;
use crate::token::TokenHash;
use crate::values::{Email, JoinLinkId, JoinRequestId, TenantId, Timestamp, UserId};
use serde::{Deserialize, Serialize};

/// A tenant's join link.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct JoinLink {
    /// Its id.
    pub id: JoinLinkId,
    /// The tenant it joins.
    pub tenant_id: TenantId,
    /// The role it gives.
    pub role: RoleName,
    /// How many people may come through it.
    pub max_uses: u32,
    /// How many have (THE COUNTER FIELD `uses`: count writes only, see `schema::join_link_use`).
    #[serde(default)]
    pub uses: u32,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// Email domains it is for (IDNA ASCII, lower case); empty: any the tenant allows.
    #[serde(default)]
    pub allowed_domains: Vec<String>,
    /// Whether redeeming files a join request for an admin to approve instead of joining.
    #[serde(default)]
    pub approval: bool,
    /// When an admin disabled it (THE FIELD `disabled_at`: a use expects it absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_at: Option<Timestamp>,
    /// SHA-256 of its token.
    pub token_hash: TokenHash,
    /// Who created it.
    pub created_by: UserId,
    /// Created.
    pub created_at: Timestamp,
}

impl std::fmt::Debug for JoinLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JoinLink").field("id", &self.id).field("tenant_id", &self.tenant_id).finish_non_exhaustive()
    }
}

/// Where a link stands, as the landing page and the admins see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinLinkStatus {
    /// It can be redeemed.
    Active,
    /// Past `expires_at`.
    Expired,
    /// An admin disabled it.
    Disabled,
    /// Every use is taken.
    UsedUp,
}

impl JoinLink {
    /// Uses left.
    pub fn remaining(&self) -> u32 {
        self.max_uses.saturating_sub(self.uses)
    }

    /// Its status at `now` (disabled first, then used up, then expired).
    pub fn status_at(&self, now: Timestamp) -> JoinLinkStatus {
        if self.disabled_at.is_some() {
            JoinLinkStatus::Disabled
        } else if self.remaining() == 0 {
            JoinLinkStatus::UsedUp
        } else if now >= self.expires_at {
            JoinLinkStatus::Expired
        } else {
            JoinLinkStatus::Active
        }
    }

    /// Whether the link lets an address of this domain through (the tenant's own policy is
    /// checked as well, by the caller).
    pub fn admits(&self, email: &Email) -> bool {
        self.allowed_domains.is_empty() || self.allowed_domains.iter().any(|d| d == email.domain())
    }
}

/// Points from a link's token hash to the link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinLinkPointer {
    /// The tenant.
    pub tenant_id: TenantId,
    /// The link.
    pub link_id: JoinLinkId,
}

/// Where a join request stands. Only `pending` moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinRequestStatus {
    /// Waiting for an admin.
    Pending,
    /// An admin let the person in.
    Approved,
    /// An admin said no.
    Denied,
}

impl JoinRequestStatus {
    /// Parses a `status` filter.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "pending" => Some(Self::Pending),
            "approved" => Some(Self::Approved),
            "denied" => Some(Self::Denied),
            _ => None,
        }
    }
}

/// A person's request to join a tenant, filed by redeeming a link that needs approval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JoinRequest {
    /// Its id.
    pub id: JoinRequestId,
    /// The tenant.
    pub tenant_id: TenantId,
    /// The link it came through (absent: it came through a verified domain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_id: Option<JoinLinkId>,
    /// The verified domain it came through (absent: it came through a link).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// The person.
    pub user_id: UserId,
    /// Their verified email when they asked.
    pub email: Email,
    /// Their name at the identity provider, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Their username at the identity provider, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The role approving gives (the link's).
    pub role: RoleName,
    status: JoinRequestStatus,
    /// Filed.
    pub created_at: Timestamp,
    /// Approved or denied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    decided_at: Option<Timestamp>,
    /// By whom.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    decided_by: Option<UserId>,
}

/// What a join request came through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinVia {
    /// A join link that needs approval.
    Link(JoinLinkId),
    /// A verified domain whose policy is `request`.
    Domain(String),
}

/// Only a pending request can be decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("this join request was already {0:?}")]
pub struct AlreadyDecided(pub JoinRequestStatus);

impl JoinRequest {
    /// A new, pending request.
    #[expect(clippy::too_many_arguments, reason = "a record's fields, each named at the one call site")]
    pub fn new(
        id: JoinRequestId,
        tenant_id: TenantId,
        via: JoinVia,
        user_id: UserId,
        email: Email,
        name: Option<String>,
        username: Option<String>,
        role: RoleName,
        now: Timestamp,
    ) -> Self {
        let (link_id, domain) = match via {
            JoinVia::Link(l) => (Some(l), None),
            JoinVia::Domain(d) => (None, Some(d)),
        };
        Self {
            id,
            tenant_id,
            link_id,
            domain,
            user_id,
            email,
            name,
            username,
            role,
            status: JoinRequestStatus::Pending,
            created_at: now,
            decided_at: None,
            decided_by: None,
        }
    }

    /// Its status.
    pub fn status(&self) -> JoinRequestStatus {
        self.status
    }

    /// When it was decided.
    pub fn decided_at(&self) -> Option<Timestamp> {
        self.decided_at
    }

    /// Who decided it.
    pub fn decided_by(&self) -> Option<&UserId> {
        self.decided_by.as_ref()
    }

    /// Approves or denies a pending request.
    pub fn decide(&mut self, approve: bool, by: &UserId, now: Timestamp) -> Result<(), AlreadyDecided> {
        if self.status != JoinRequestStatus::Pending {
            return Err(AlreadyDecided(self.status));
        }
        self.status = if approve { JoinRequestStatus::Approved } else { JoinRequestStatus::Denied };
        self.decided_at = Some(now);
        self.decided_by = Some(by.clone());
        Ok(())
    }
}

/// Marks the one pending request a person may have in a tenant (deleted when it is decided).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingJoinRequest {
    /// The pending request.
    pub request_id: JoinRequestId,
}

/// Lists a person's requests in their own partition (`usecases::join_requests::mine`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyJoinRequestPointer {
    /// The tenant.
    pub tenant_id: TenantId,
    /// The request.
    pub request_id: JoinRequestId,
}

/// A link as listed and as events carry it (never its token, nor its hash).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JoinLinkResource {
    /// Its id.
    pub id: JoinLinkId,
    /// The tenant.
    pub tenant_id: TenantId,
    /// The role it gives.
    pub role: RoleName,
    /// How many people may come through it.
    pub max_uses: u32,
    /// How many have.
    pub uses: u32,
    /// How many still may.
    pub remaining: u32,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// Email domains it is for (empty: any the tenant allows).
    pub allowed_domains: Vec<String>,
    /// Whether redeeming files a join request for approval.
    pub approval: bool,
    /// Whether an admin disabled it.
    pub disabled: bool,
    /// Where it stands now.
    pub status: JoinLinkStatus,
    /// Who created it.
    pub created_by: UserId,
    /// Created.
    pub created_at: Timestamp,
}

impl JoinLinkResource {
    /// The view of a link at `now`.
    pub fn of(l: &JoinLink, now: Timestamp) -> Self {
        Self {
            id: l.id.clone(),
            tenant_id: l.tenant_id.clone(),
            role: l.role.clone(),
            max_uses: l.max_uses,
            uses: l.uses,
            remaining: l.remaining(),
            expires_at: l.expires_at,
            allowed_domains: l.allowed_domains.clone(),
            approval: l.approval,
            disabled: l.disabled_at.is_some(),
            status: l.status_at(now),
            created_by: l.created_by.clone(),
            created_at: l.created_at,
        }
    }
}

/// A join request as admins, the person and events see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JoinRequestResource {
    /// Its id.
    pub id: JoinRequestId,
    /// The tenant.
    pub tenant_id: TenantId,
    /// The link it came through (absent: a verified domain).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_id: Option<JoinLinkId>,
    /// The verified domain it came through (absent: a link).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// The person.
    pub user_id: UserId,
    /// Their verified email.
    pub email: Email,
    /// Their name, if the identity provider gave one.
    pub name: Option<String>,
    /// The role approving gives.
    pub role: RoleName,
    /// Where it stands.
    pub status: JoinRequestStatus,
    /// Filed.
    pub created_at: Timestamp,
    /// Decided.
    pub decided_at: Option<Timestamp>,
    /// By whom.
    pub decided_by: Option<UserId>,
}

impl JoinRequestResource {
    /// The view of a request.
    pub fn of(r: &JoinRequest) -> Self {
        Self {
            id: r.id.clone(),
            tenant_id: r.tenant_id.clone(),
            link_id: r.link_id.clone(),
            domain: r.domain.clone(),
            user_id: r.user_id.clone(),
            email: r.email.clone(),
            name: r.name.clone(),
            role: r.role.clone(),
            status: r.status,
            created_at: r.created_at,
            decided_at: r.decided_at,
            decided_by: r.decided_by.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(max: u32, uses: u32) -> JoinLink {
        JoinLink {
            id: JoinLinkId::parse("jl_1").unwrap(),
            tenant_id: TenantId::parse("ten_1").unwrap(),
            role: RoleName::parse("member").unwrap(),
            max_uses: max,
            uses,
            expires_at: Timestamp::parse("2026-12-01T00:00:00Z").unwrap(),
            allowed_domains: vec!["acme.test".into()],
            approval: false,
            disabled_at: None,
            token_hash: crate::token::InvitationToken::from_random([3; 32]).hash(),
            created_by: UserId::parse("usr_1").unwrap(),
            created_at: Timestamp::parse("2026-11-01T00:00:00Z").unwrap(),
        }
    }

    #[test]
    fn a_link_reads_disabled_before_used_up_before_expired() {
        let before = Timestamp::parse("2026-11-15T00:00:00Z").unwrap();
        let after = Timestamp::parse("2026-12-02T00:00:00Z").unwrap();
        assert_eq!(link(2, 1).status_at(before), JoinLinkStatus::Active);
        assert_eq!(link(2, 1).status_at(after), JoinLinkStatus::Expired);
        assert_eq!(link(2, 2).status_at(after), JoinLinkStatus::UsedUp);
        let mut l = link(2, 2);
        l.disabled_at = Some(before);
        assert_eq!(l.status_at(before), JoinLinkStatus::Disabled);
    }

    #[test]
    fn a_link_admits_only_its_domains_and_its_debug_shows_no_hash() {
        let l = link(1, 0);
        assert!(l.admits(&Email::parse("ada@acme.test").unwrap()));
        assert!(!l.admits(&Email::parse("ada@sub.acme.test").unwrap()));
        assert!(!format!("{l:?}").contains(l.token_hash.as_str()));
    }

    #[test]
    fn a_request_is_decided_once() {
        let mut r = JoinRequest::new(
            JoinRequestId::parse("jr_1").unwrap(),
            TenantId::parse("ten_1").unwrap(),
            JoinVia::Link(JoinLinkId::parse("jl_1").unwrap()),
            UserId::parse("usr_2").unwrap(),
            Email::parse("ada@acme.test").unwrap(),
            None,
            None,
            RoleName::parse("member").unwrap(),
            Timestamp::parse("2026-11-01T00:00:00Z").unwrap(),
        );
        let by = UserId::parse("usr_1").unwrap();
        r.decide(true, &by, Timestamp::parse("2026-11-02T00:00:00Z").unwrap()).unwrap();
        assert_eq!(r.status(), JoinRequestStatus::Approved);
        assert_eq!(
            r.decide(false, &by, Timestamp::parse("2026-11-03T00:00:00Z").unwrap()),
            Err(AlreadyDecided(JoinRequestStatus::Approved))
        );
    }
}
