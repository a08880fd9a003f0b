//! Verified domains: a tenant proves it owns an email domain with a DNS TXT record, and may then
//! let people whose verified address is at that domain join on their own (`auto`) or ask to
//! (`request`).
//!
//! INVARIANT: one tenant per domain. The claim item (`schema::domain_claim_key`) names the
//! tenant whose proof stands; it is created, or taken over from a tenant whose domain lapsed, in
//! the same transaction that marks the domain verified, under a condition on what was read.
//! Joining reads the claim first, so a domain two tenants have added joins only the one that
//! proved it.
//!
//! A verified domain is looked at again daily by the schedule (the sparse `Due` index, as
//! invitations are): the record missing for `LAPSE_AFTER_SECS` in a row makes it `lapsed`
//! (joining stops) until the record is back.

use crate::roles::{Permission, Role, RoleName};
use crate::values::{TenantId, Timestamp, UserId};
use serde::{Deserialize, Serialize};

/// How long a verified domain's record may be missing before the domain lapses.
pub const LAPSE_AFTER_SECS: i64 = 7 * 86_400;
/// How often the schedule looks at a verified (or lapsed) domain's record again.
pub const RECHECK_EVERY_SECS: i64 = 86_400;
/// How soon the schedule tries again after the resolver itself failed (not the record).
pub const RETRY_AFTER_DNS_ERROR_SECS: i64 = 3_600;
/// Most domains a tenant may add.
pub const MAX_PER_TENANT: usize = 50;
/// The label in front of the domain where the TXT record goes.
pub const RECORD_LABEL: &str = "_usher-verification";
/// What the TXT record's value starts with.
pub const VALUE_PREFIX: &str = "usher-verification=";

/// Mail domains anyone can have an address at: proving one would let its whole user base in.
/// Lower case, IDNA ASCII. Subdomains of these are refused too (`is_consumer`).
const CONSUMER_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "hotmail.co.uk",
    "hotmail.fr",
    "live.com",
    "msn.com",
    "yahoo.com",
    "yahoo.co.uk",
    "yahoo.fr",
    "ymail.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "pm.me",
    "tutanota.com",
    "gmx.de",
    "gmx.net",
    "gmx.com",
    "web.de",
    "t-online.de",
    "freenet.de",
    "orange.fr",
    "free.fr",
    "laposte.net",
    "libero.it",
    "mail.ru",
    "yandex.ru",
    "yandex.com",
    "qq.com",
    "163.com",
    "126.com",
    "naver.com",
    "zoho.com",
    "fastmail.com",
    "hey.com",
    "mail.com",
];

/// Whether `domain` (lower case) is a consumer mail domain or below one.
pub fn is_consumer(domain: &str) -> bool {
    CONSUMER_DOMAINS.iter().any(|c| domain == *c || domain.strip_suffix(c).is_some_and(|rest| rest.ends_with('.')))
}

/// The permissions a role joining by domain may not carry: whoever has an address at the
/// domain gets it, so it must not let them invite, change or remove people, or make roles.
pub const FORBIDDEN_FOR_JOIN_ROLE: [Permission; 7] = [
    Permission::InvitationsCreate,
    Permission::InvitationsRead,
    Permission::InvitationsResend,
    Permission::InvitationsRevoke,
    Permission::MembersUpdate,
    Permission::MembersRemove,
    Permission::RolesManage,
];

/// Whether a role may be given to whoever joins by domain.
pub fn may_be_join_role(role: &Role) -> bool {
    !role.name.is_owner() && FORBIDDEN_FOR_JOIN_ROLE.iter().all(|p| !role.permissions.contains(*p))
}

/// Where a tenant's domain stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DomainStatus {
    /// Added; its record has not been found yet.
    Pending,
    /// Its record was found and is still there (or missing for less than the grace).
    Verified,
    /// Its record has been missing for the whole grace: joining is stopped until it is back.
    Lapsed,
}

/// Who may join through a verified domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinPolicy {
    /// Nobody (the domain is only proven).
    #[default]
    Off,
    /// People ask; an admin approves (a join request).
    Request,
    /// People join at once, while a seat is free.
    Auto,
}

/// A domain a tenant added.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantDomain {
    /// The tenant.
    pub tenant_id: TenantId,
    /// The domain (IDNA ASCII, lower case).
    pub domain: String,
    /// Where it stands.
    pub status: DomainStatus,
    /// The TXT value that proves it (`usher-verification=<random>`): not a secret, it is
    /// published in DNS.
    pub verification_value: String,
    /// Who may join through it.
    #[serde(default)]
    pub join: JoinPolicy,
    /// The role they get (set when `join` is not `off`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join_role: Option<RoleName>,
    /// When the record was first found (and again after a lapse).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_at: Option<Timestamp>,
    /// When the record was last looked up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_checked_at: Option<Timestamp>,
    /// Since when the record of a verified domain has been missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_since: Option<Timestamp>,
    /// Why the last lookup did not verify it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_reason: Option<String>,
    /// When the schedule looks again (verified and lapsed domains only: the `Due` index).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_check_at: Option<Timestamp>,
    /// Who added it.
    pub created_by: UserId,
    /// Added.
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
}

/// What a TXT lookup found, against what the domain expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// The expected value is among the TXT records.
    Found,
    /// No TXT record with the expected value (the reason says what was there).
    Missing(String),
    /// The resolver failed (timeout, SERVFAIL): nothing is concluded.
    Failed(String),
}

/// How a domain moved after a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// Nothing an event tells.
    None,
    /// It became verified (first proof, or back after a lapse).
    Verified,
    /// It lapsed.
    Lapsed,
}

impl TenantDomain {
    /// A domain just added: pending, closed to joins, proven by `verification_value` once found.
    pub fn pending(tenant_id: TenantId, domain: String, verification_value: String, by: UserId, now: Timestamp) -> Self {
        Self {
            tenant_id,
            domain,
            status: DomainStatus::Pending,
            verification_value,
            join: JoinPolicy::Off,
            join_role: None,
            verified_at: None,
            last_checked_at: None,
            missing_since: None,
            check_reason: None,
            next_check_at: None,
            created_by: by,
            created_at: now,
            updated_at: now,
        }
    }

    /// The TXT record's name.
    pub fn record_name(&self) -> String {
        record_name(&self.domain)
    }

    /// Whether people may join through it now.
    pub fn joinable(&self) -> bool {
        self.status == DomainStatus::Verified && self.join != JoinPolicy::Off && self.join_role.is_some()
    }

    /// Applies a check's result at `now`: a found record verifies (or keeps verified) and
    /// clears the missing clock; a missing one starts or runs the clock of a verified domain and
    /// lapses it after the grace (a pending one stays pending); a resolver failure changes
    /// nothing but the reason and asks for a sooner look.
    pub fn apply(&mut self, check: &Check, now: Timestamp) -> Transition {
        self.updated_at = now;
        let transition = match check {
            Check::Found => {
                self.last_checked_at = Some(now);
                self.missing_since = None;
                self.check_reason = None;
                if self.status == DomainStatus::Verified {
                    Transition::None
                } else {
                    self.status = DomainStatus::Verified;
                    self.verified_at = Some(now);
                    Transition::Verified
                }
            }
            Check::Missing(reason) => {
                self.last_checked_at = Some(now);
                self.check_reason = Some(reason.clone());
                match self.status {
                    DomainStatus::Pending | DomainStatus::Lapsed => Transition::None,
                    DomainStatus::Verified => {
                        let since = *self.missing_since.get_or_insert(now);
                        if since.seconds_until(now) >= LAPSE_AFTER_SECS {
                            self.status = DomainStatus::Lapsed;
                            Transition::Lapsed
                        } else {
                            Transition::None
                        }
                    }
                }
            }
            Check::Failed(reason) => {
                self.check_reason = Some(reason.clone());
                Transition::None
            }
        };
        self.next_check_at = match (self.status, check) {
            (DomainStatus::Pending, _) => None,
            (_, Check::Failed(_)) => Some(now.plus_seconds(RETRY_AFTER_DNS_ERROR_SECS)),
            _ => Some(now.plus_seconds(RECHECK_EVERY_SECS)),
        };
        transition
    }

    /// When a verified domain whose record is missing lapses.
    pub fn lapses_at(&self) -> Option<Timestamp> {
        match (self.status, self.missing_since) {
            (DomainStatus::Verified, Some(since)) => Some(since.plus_seconds(LAPSE_AFTER_SECS)),
            _ => None,
        }
    }
}

/// `_usher-verification.<domain>`.
pub fn record_name(domain: &str) -> String {
    format!("{RECORD_LABEL}.{domain}")
}

/// Compares the TXT strings found at the record's name with the expected value.
pub fn check_records(expected: &str, found: &[String]) -> Check {
    if found.iter().any(|v| v.trim() == expected) {
        Check::Found
    } else if found.iter().any(|v| v.trim().starts_with(VALUE_PREFIX)) {
        Check::Missing("a TXT record is there, but its value is not this domain's verification value".into())
    } else {
        Check::Missing("no TXT record with the verification value was found".into())
    }
}

/// Names the tenant whose proof of a domain stands (`schema::domain_claim_key`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainClaim {
    /// The tenant.
    pub tenant_id: TenantId,
}

/// The TXT record an admin creates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Always `dns_txt`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `_usher-verification.<domain>`.
    pub name: String,
    /// `usher-verification=<random>`.
    pub value: String,
}

/// A domain as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DomainResource {
    /// The domain.
    pub domain: String,
    /// The tenant.
    pub tenant_id: TenantId,
    /// `pending`, `verified` or `lapsed`.
    pub status: DomainStatus,
    /// The record to create.
    pub verification: Verification,
    /// Who may join through it.
    pub join: JoinPolicy,
    /// The role they get.
    pub join_role: Option<RoleName>,
    /// When it was verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_at: Option<Timestamp>,
    /// When its record was last looked up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_checked_at: Option<Timestamp>,
    /// Since when its record has been missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_since: Option<Timestamp>,
    /// When it lapses unless the record comes back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lapses_at: Option<Timestamp>,
    /// Why the last lookup did not verify it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check_reason: Option<String>,
    /// Added.
    pub created_at: Timestamp,
}

impl DomainResource {
    /// The view of a domain.
    pub fn of(d: &TenantDomain) -> Self {
        Self {
            domain: d.domain.clone(),
            tenant_id: d.tenant_id.clone(),
            status: d.status,
            verification: Verification { kind: "dns_txt", name: d.record_name(), value: d.verification_value.clone() },
            join: d.join,
            join_role: d.join_role.clone(),
            verified_at: d.verified_at,
            last_checked_at: d.last_checked_at,
            missing_since: d.missing_since,
            lapses_at: d.lapses_at(),
            check_reason: d.check_reason.clone(),
            created_at: d.created_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domain(status: DomainStatus) -> TenantDomain {
        let mut d = TenantDomain::pending(
            TenantId::from_uuid(uuid::Uuid::nil()),
            "example.com".into(),
            "usher-verification=abc".into(),
            UserId::from_uuid(uuid::Uuid::nil()),
            Timestamp::from_unix(0).unwrap(),
        );
        d.status = status;
        d
    }

    #[test]
    fn consumer_domains_and_their_subdomains_are_recognised_but_lookalikes_are_not() {
        assert!(is_consumer("gmail.com"));
        assert!(is_consumer("eu.mail.ru"));
        assert!(!is_consumer("notgmail.com"));
        assert!(!is_consumer("acme.com"));
    }

    #[test]
    fn a_verified_domain_lapses_only_after_its_record_is_missing_for_seven_days_and_returns_when_it_is_back() {
        let mut d = domain(DomainStatus::Pending);
        let t0 = Timestamp::from_unix(1_000_000).unwrap();
        assert_eq!(d.apply(&Check::Missing("none".into()), t0), Transition::None);
        assert_eq!(d.status, DomainStatus::Pending);
        assert_eq!(d.next_check_at, None, "a pending domain is checked when an admin asks");
        assert_eq!(d.apply(&Check::Found, t0), Transition::Verified);
        assert_eq!(d.next_check_at, Some(t0.plus_seconds(RECHECK_EVERY_SECS)));
        let gone = t0.plus_seconds(86_400);
        assert_eq!(d.apply(&Check::Missing("none".into()), gone), Transition::None);
        assert_eq!(d.lapses_at(), Some(gone.plus_seconds(LAPSE_AFTER_SECS)));
        assert_eq!(d.apply(&Check::Failed("timeout".into()), gone.plus_seconds(LAPSE_AFTER_SECS)), Transition::None);
        assert_eq!(d.status, DomainStatus::Verified, "a resolver failure concludes nothing");
        assert_eq!(d.apply(&Check::Missing("none".into()), gone.plus_seconds(LAPSE_AFTER_SECS - 1)), Transition::None);
        assert_eq!(d.apply(&Check::Missing("none".into()), gone.plus_seconds(LAPSE_AFTER_SECS)), Transition::Lapsed);
        assert_eq!(d.status, DomainStatus::Lapsed);
        assert!(d.next_check_at.is_some(), "a lapsed domain is still looked at daily");
        assert_eq!(d.apply(&Check::Found, gone.plus_seconds(LAPSE_AFTER_SECS + 86_400)), Transition::Verified);
        assert_eq!(d.missing_since, None);
    }

    #[test]
    fn only_the_expected_value_proves_a_domain() {
        assert_eq!(check_records("usher-verification=abc", &["v=spf1 -all".into(), " usher-verification=abc".into()]), Check::Found);
        assert!(
            matches!(check_records("usher-verification=abc", &["usher-verification=other".into()]), Check::Missing(r) if r.contains("not this domain's"))
        );
        assert!(matches!(check_records("usher-verification=abc", &[]), Check::Missing(_)));
    }

    #[test]
    fn a_join_role_may_carry_no_permission_over_people_or_roles() {
        let member = Role::builtin(&RoleName::parse("member").unwrap()).unwrap();
        let admin = Role::builtin(&RoleName::parse("admin").unwrap()).unwrap();
        let owner = Role::builtin(&RoleName::parse("owner").unwrap()).unwrap();
        assert!(may_be_join_role(&member));
        assert!(!may_be_join_role(&admin));
        assert!(!may_be_join_role(&owner));
    }
}
