//! THE KEY SCHEMA. Every key Usher stores is built here and nowhere else; both stores (SQLite
//! locally, DynamoDB on AWS) hold exactly these items. Change a key and you migrate data.
//!
//! | item          | pk                    | sk              | indexes                                                  |
//! |---------------|-----------------------|-----------------|----------------------------------------------------------|
//! | tenant        | `T#<tenant>`          | `TENANT`        |                                                          |
//! | member        | `T#<tenant>`          | `M#<user>`      | gsi1 `U#<user>` / `T#<tenant>`                           |
//! | email guard   | `T#<tenant>`          | `E#<email>`     |                                                          |
//! | invitation    | `T#<tenant>`          | `I#<inv>`       | gsi2 `PE#<email>` / `<inv>` while pending;               |
//! |               |                       |                 | gsi3 `DUE#<shard>` / `<due>#<inv>` while the sweep has work |
//! | custom role   | `T#<tenant>`          | `R#<role>`      |                                                          |
//! | queued notice | `T#<tenant>`          | `N#<notice>`    | gsi3 `DUE#<shard>` / `<due>#N<notice>` until sent (TTL 30 d) |
//! | export job    | `T#<tenant>`          | `X#<export>`    | gsi3 `DUE#<shard>` / `<due>#X<export>` until done (TTL 1 d) |
//! | directory person | `T#<tenant>`       | `D#<person>`    | gsi3 `DUE#<shard>` / `<retry>#D<person>` while provisioning is blocked |
//! | userName guard | `T#<tenant>`         | `DU#<username>` | (lower case: SCIM `userName` is unique ignoring case)    |
//! | directory group | `T#<tenant>`        | `G#<group>`     |                                                          |
//! | group membership | `T#<tenant>`       | `GM#<group>#<person>` |                                                    |
//! | directory settings | `T#<tenant>`     | `DSET`          |                                                          |
//! | SCIM token    | `T#<tenant>`          | `ST#<token>`    |                                                          |
//! | SCIM token by hash | `SCIM#<sha256>`  | `SCIM`          | (deleted with its token: revoking takes effect at once)  |
//! | join link     | `T#<tenant>`          | `JL#<link>`     | (`uses` is a counter: count writes only)                 |
//! | join link by hash | `JLT#<sha256>`    | `JLT`           | (TTL: the link's expiry + 30 d; kept when disabled)      |
//! | join request  | `T#<tenant>`          | `JR#<request>`  |                                                          |
//! | pending join request of a person | `T#<tenant>` | `JRU#<user>` | (one at a time; deleted when decided)          |
//! | a person's join request | `U#<user>`  | `JR#<tenant>#<request>` | (the person's own list: `/v1/me/join-requests`)  |
//! | verified domain | `T#<tenant>`        | `DOM#<domain>`  | gsi3 `DUE#<shard>` / `<next check>#V<tenant>.<domain>` while verified or lapsed |
//! | domain claim  | `DOMAIN#<domain>`     | `DOMAIN`        | (names the one tenant whose proof stands)                |
//! | audit event   | `T#<tenant>#A`        | `<event id>`    |                                                          |
//! | token         | `TOK#<sha256>`        | `TOK`           | (TTL: the link's expiry + 30 d)                          |
//! | email-change token | `ECT#<sha256>`   | `ECT`           | (TTL: the link's expiry)                                 |
//! | user          | `U#<user>`            | `USER`          |                                                          |
//! | user by email | `UE#<email>`          | `USER`          |                                                          |
//! | user by sub   | `SUB#<sub>`           | `USER`          |                                                          |
//! | subject's userinfo | `SUB#<sub>`      | `USERINFO`      | (the provider's answer for a token without an email)     |
//! | idempotency   | `IDEM#<scope>#<key>`  | `IDEM`          | (TTL 24 h)                                               |
//! | response part | `IDEM#<scope>#<key>`  | `PART#<n>`      | (TTL 24 h: a stored response too large for one item)     |
//!
//! Ids are UUIDv7 (time-ordered), so `I#…` and audit keys sort oldest → newest; lists read them
//! backwards for newest first. Invitation ids, tenant ids and user ids never contain `#`.

use crate::model::{
    AuditEvent, CustomRole, EmailGuard, ExportJob, IdempotencyRecord, Invitation, InvitationStatus, Member, Notice, Tenant, User,
    WorkspaceHolder, WorkspaceUse,
};
use crate::ports::{Cond, IndexName, Item, Key, StoreError, Table, Write};
use crate::roles::RoleName;
use crate::token::TokenHash;
use crate::values::{
    Email, GroupId, InvitationId, JoinLinkId, JoinRequestId, PersonId, ScimTokenId, TenantId, Timestamp, UserId, Workspace,
};
use serde::{Serialize, de::DeserializeOwned};

/// How many partitions the due index spreads over, so a big backlog has no single hot key.
pub const DUE_SHARDS: u32 = 4;

/// Partition of everything a tenant owns.
pub fn tenant_pk(t: &TenantId) -> String {
    format!("T#{t}")
}
/// The tenant record.
pub fn tenant_key(t: &TenantId) -> Key {
    Key::new(tenant_pk(t), "TENANT")
}
/// Sort-key prefix of memberships.
pub const MEMBER_PREFIX: &str = "M#";
/// A membership.
pub fn member_key(t: &TenantId, u: &UserId) -> Key {
    Key::new(tenant_pk(t), format!("{MEMBER_PREFIX}{u}"))
}
/// The email guard of an address in a tenant.
pub fn guard_key(t: &TenantId, e: &Email) -> Key {
    Key::new(tenant_pk(t), format!("E#{e}"))
}
/// Sort-key prefix of invitations.
pub const INVITATION_PREFIX: &str = "I#";
/// An invitation.
pub fn invitation_key(t: &TenantId, i: &InvitationId) -> Key {
    Key::new(tenant_pk(t), format!("{INVITATION_PREFIX}{i}"))
}
/// Sort-key prefix of queued notices.
pub const NOTICE_PREFIX: &str = "N#";
/// A queued notice.
pub fn notice_key(t: &TenantId, id: &str) -> Key {
    Key::new(tenant_pk(t), format!("{NOTICE_PREFIX}{id}"))
}
/// Sort-key prefix of export jobs.
pub const EXPORT_PREFIX: &str = "X#";
/// An export job.
pub fn export_key(t: &TenantId, id: &str) -> Key {
    Key::new(tenant_pk(t), format!("{EXPORT_PREFIX}{id}"))
}
/// Sort-key prefix of custom roles.
pub const ROLE_PREFIX: &str = "R#";
/// A custom role.
pub fn role_key(t: &TenantId, r: &RoleName) -> Key {
    Key::new(tenant_pk(t), format!("{ROLE_PREFIX}{r}"))
}
/// Sort-key prefix of directory people.
pub const PERSON_PREFIX: &str = "D#";
/// A directory person.
pub fn person_key(t: &TenantId, p: &PersonId) -> Key {
    Key::new(tenant_pk(t), format!("{PERSON_PREFIX}{p}"))
}
/// The guard that keeps a SCIM `userName` unique in a tenant (ignoring case).
pub fn user_name_key(t: &TenantId, user_name: &str) -> Key {
    Key::new(tenant_pk(t), format!("DU#{}", user_name.to_lowercase()))
}
/// Sort-key prefix of directory groups.
pub const GROUP_PREFIX: &str = "G#";
/// A directory group.
pub fn group_key(t: &TenantId, g: &GroupId) -> Key {
    Key::new(tenant_pk(t), format!("{GROUP_PREFIX}{g}"))
}
/// Sort-key prefix of one group's memberships.
pub fn group_members_prefix(g: &GroupId) -> String {
    format!("GM#{g}#")
}
/// One person's membership of one group.
pub fn group_membership_key(t: &TenantId, g: &GroupId, p: &PersonId) -> Key {
    Key::new(tenant_pk(t), format!("{}{p}", group_members_prefix(g)))
}
/// A tenant's directory settings.
pub fn directory_settings_key(t: &TenantId) -> Key {
    Key::new(tenant_pk(t), "DSET")
}
/// The lease of the tenant's running directory upload (one at a time).
pub fn directory_upload_key(t: &TenantId) -> Key {
    Key::new(tenant_pk(t), "DUPLOAD")
}
/// Sort-key prefix of a tenant's SCIM tokens.
pub const SCIM_TOKEN_PREFIX: &str = "ST#";
/// A SCIM token's record.
pub fn scim_token_key(t: &TenantId, id: &ScimTokenId) -> Key {
    Key::new(tenant_pk(t), format!("{SCIM_TOKEN_PREFIX}{id}"))
}
/// A SCIM token, found by its hash.
pub fn scim_token_hash_key(hash_hex: &str) -> Key {
    Key::new(format!("SCIM#{hash_hex}"), "SCIM")
}
/// Sort-key prefix of a tenant's join links.
pub const JOIN_LINK_PREFIX: &str = "JL#";
/// A join link.
pub fn join_link_key(t: &TenantId, id: &JoinLinkId) -> Key {
    Key::new(tenant_pk(t), format!("{JOIN_LINK_PREFIX}{id}"))
}
/// A join link, found by its token's hash (`JLT#`: an invitation token (`TOK#`) can never be
/// read as a join link's, nor the other way round).
pub fn join_link_hash_key(h: &TokenHash) -> Key {
    Key::new(format!("JLT#{}", h.as_str()), "JLT")
}
/// Sort-key prefix of a tenant's join requests.
pub const JOIN_REQUEST_PREFIX: &str = "JR#";
/// A join request.
pub fn join_request_key(t: &TenantId, id: &JoinRequestId) -> Key {
    Key::new(tenant_pk(t), format!("{JOIN_REQUEST_PREFIX}{id}"))
}
/// The marker of a person's one pending join request in a tenant.
pub fn pending_join_request_key(t: &TenantId, u: &UserId) -> Key {
    Key::new(tenant_pk(t), format!("JRU#{u}"))
}
/// Sort-key prefix of a person's join requests in their own partition.
pub const MY_JOIN_REQUEST_PREFIX: &str = "JR#";
/// A person's pointer to one of their join requests.
pub fn my_join_request_key(u: &UserId, t: &TenantId, id: &JoinRequestId) -> Key {
    Key::new(format!("U#{u}"), format!("{MY_JOIN_REQUEST_PREFIX}{t}#{id}"))
}
/// Sort-key prefix of a tenant's domains.
pub const DOMAIN_PREFIX: &str = "DOM#";
/// A tenant's domain (IDNA ASCII, lower case: never contains `#`).
pub fn domain_key(t: &TenantId, domain: &str) -> Key {
    Key::new(tenant_pk(t), format!("{DOMAIN_PREFIX}{domain}"))
}
/// The claim naming the one tenant whose proof of `domain` stands.
pub fn domain_claim_key(domain: &str) -> Key {
    Key::new(format!("DOMAIN#{domain}"), "DOMAIN")
}
/// Takes one use of a link: holds only while a use is left and the link is not disabled.
pub fn join_link_use(link: &crate::joining::JoinLink) -> Write {
    use crate::ports::Expect;
    Write::Count {
        key: join_link_key(&link.tenant_id, &link.id),
        add: vec![(vec!["uses".to_owned()], 1)],
        expect: vec![
            Expect::AtMost(vec!["uses".to_owned()], i64::from(link.max_uses) - 1),
            Expect::Equals(vec!["disabled_at".to_owned()], serde_json::Value::Null),
        ],
    }
}
/// Partition of a tenant's audit log (apart from the tenant's items so listing members never
/// reads through it).
pub fn audit_pk(t: &TenantId) -> String {
    format!("T#{t}#A")
}
/// Every audit item's sort key begins with this (the event id is a UUIDv7 in hex, whose first
/// digit is 0 until the year 2527) and no other item's does: template.yaml's stream filter passes
/// audit items by it, as Lambda filters match prefixes, not the pk's `#A` suffix.
pub const AUDIT_SORT_KEY_PREFIX: &str = "0";
/// Whether a key is an audit event's (the only items the change-log publishers turn into events).
pub fn is_audit_key(key: &Key) -> bool {
    key.pk.starts_with("T#") && key.pk.ends_with("#A")
}
/// A token's pointer to its invitation, found by the token's hash.
pub fn token_key(h: &TokenHash) -> Key {
    Key::new(format!("TOK#{}", h.as_str()), "TOK")
}
/// An email-change confirmation token (`TOK#` is for invitations only: a token of one kind can
/// never be read as the other).
pub fn email_change_token_key(h: &TokenHash) -> Key {
    Key::new(format!("ECT#{}", h.as_str()), "ECT")
}
/// A user.
pub fn user_key(u: &UserId) -> Key {
    Key::new(format!("U#{u}"), "USER")
}
/// A user, found by email.
pub fn user_email_key(e: &Email) -> Key {
    Key::new(format!("UE#{e}"), "USER")
}
/// A user, found by the identity provider's subject.
pub fn user_subject_key(sub: &str) -> Key {
    Key::new(format!("SUB#{sub}"), "USER")
}
/// What the provider's userinfo said about a subject (`usecases::userinfo`).
pub fn subject_profile_key(sub: &str) -> Key {
    Key::new(format!("SUB#{sub}"), "USERINFO")
}
/// A stored idempotent response; `scope` keeps callers' keys apart.
pub fn idempotency_key(scope: &str, key: &str) -> Key {
    Key::new(format!("IDEM#{scope}#{key}"), "IDEM")
}
/// Index partition of an address's pending invitations.
pub fn pending_by_email_pk(e: &Email) -> String {
    format!("PE#{e}")
}
/// Index partition of a due shard.
pub fn due_pk(shard: u32) -> String {
    format!("DUE#{shard}")
}
/// The due shard an invitation lives in (spread by the id's last hex digit).
pub fn due_shard(i: &InvitationId) -> u32 {
    due_shard_of(i.as_str())
}
/// The due shard of any id ending in a hex digit.
fn due_shard_of(id: &str) -> u32 {
    id.chars().last().and_then(|c| c.to_digit(16)).unwrap_or(0) % DUE_SHARDS
}
/// Index partition of a user's memberships.
pub fn by_user_pk(u: &UserId) -> String {
    format!("U#{u}")
}

/// A record stored as one item.
pub trait Record: Serialize + DeserializeOwned {
    /// Where it is stored.
    fn key(&self) -> Key;
    /// The index entries it has now (sparse: only what applies in its current state).
    fn index_keys(&self) -> Vec<(IndexName, String, String)> {
        Vec::new()
    }
    /// When the store may drop it.
    fn expires_at(&self) -> Option<Timestamp> {
        None
    }
}

impl Record for Tenant {
    fn key(&self) -> Key {
        tenant_key(&self.id)
    }
}

impl Record for User {
    fn key(&self) -> Key {
        user_key(&self.id)
    }
}

impl Record for crate::model::SubjectProfile {
    fn key(&self) -> Key {
        subject_profile_key(&self.subject)
    }
}

impl Record for Member {
    fn key(&self) -> Key {
        member_key(&self.tenant_id, &self.user_id)
    }
    fn index_keys(&self) -> Vec<(IndexName, String, String)> {
        vec![(IndexName::ByUser, by_user_pk(&self.user_id), tenant_pk(&self.tenant_id))]
    }
}

impl Record for CustomRole {
    fn key(&self) -> Key {
        role_key(&self.tenant_id, &self.name)
    }
}

impl Record for Invitation {
    fn key(&self) -> Key {
        invitation_key(&self.tenant_id, &self.id)
    }
    fn index_keys(&self) -> Vec<(IndexName, String, String)> {
        let mut keys = Vec::new();
        if self.status() == InvitationStatus::Pending {
            keys.push((IndexName::PendingByEmail, pending_by_email_pk(&self.email), self.id.to_string()));
        }
        if let Some(due) = self.due_at() {
            keys.push((IndexName::Due, due_pk(due_shard(&self.id)), format!("{due}#{}", self.id)));
        }
        keys
    }
}

impl Record for Notice {
    fn key(&self) -> Key {
        notice_key(&self.tenant_id, &self.id)
    }
    fn index_keys(&self) -> Vec<(IndexName, String, String)> {
        self.due_at().map(|due| (IndexName::Due, due_pk(due_shard_of(&self.id)), format!("{due}#N{}", self.id))).into_iter().collect()
    }
    fn expires_at(&self) -> Option<Timestamp> {
        Some(self.created_at.plus_seconds(30 * 86_400))
    }
}

impl Record for ExportJob {
    fn key(&self) -> Key {
        export_key(&self.tenant_id, &self.id)
    }
    fn index_keys(&self) -> Vec<(IndexName, String, String)> {
        self.due_at().map(|due| (IndexName::Due, due_pk(due_shard_of(&self.id)), format!("{due}#X{}", self.id))).into_iter().collect()
    }
    fn expires_at(&self) -> Option<Timestamp> {
        Some(self.created_at.plus_seconds(crate::model::EXPORT_KEEP_SECS))
    }
}

impl Record for crate::directory::DirectoryPerson {
    fn key(&self) -> Key {
        person_key(&self.tenant_id, &self.id)
    }
    fn index_keys(&self) -> Vec<(IndexName, String, String)> {
        let retry = self.blocked.as_ref().and(self.retry_at);
        retry.map(|due| (IndexName::Due, due_pk(due_shard_of(self.id.as_str())), format!("{due}#D{}", self.id))).into_iter().collect()
    }
}

impl Record for crate::directory::DirectoryGroup {
    fn key(&self) -> Key {
        group_key(&self.tenant_id, &self.id)
    }
}

impl Record for crate::directory::GroupMembership {
    fn key(&self) -> Key {
        group_membership_key(&self.tenant_id, &self.group_id, &self.person_id)
    }
}

impl Record for crate::directory::ScimToken {
    fn key(&self) -> Key {
        scim_token_key(&self.tenant_id, &self.id)
    }
}

impl Record for crate::joining::JoinLink {
    fn key(&self) -> Key {
        join_link_key(&self.tenant_id, &self.id)
    }
}

impl Record for crate::domains::TenantDomain {
    fn key(&self) -> Key {
        domain_key(&self.tenant_id, &self.domain)
    }
    fn index_keys(&self) -> Vec<(IndexName, String, String)> {
        // Spread over the shards by the domain's bytes (it ends in a letter, not a hex digit).
        let shard = self.domain.bytes().fold(0u32, |a, b| a.wrapping_add(u32::from(b))) % DUE_SHARDS;
        self.next_check_at
            .map(|due| (IndexName::Due, due_pk(shard), format!("{due}#V{}.{}", self.tenant_id, self.domain)))
            .into_iter()
            .collect()
    }
}

impl Record for crate::joining::JoinRequest {
    fn key(&self) -> Key {
        join_request_key(&self.tenant_id, &self.id)
    }
}

impl Record for AuditEvent {
    fn key(&self) -> Key {
        Key::new(audit_pk(&self.tenant_id), self.id.clone())
    }
}

/// A change to a tenant's counters (see `Tenant`): each becomes one `Write::Count`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TenantCount<'a> {
    /// `n` new pending invitations take seats, only if `limit` (as read) is still the limit
    /// and leaves room for them.
    TakePending {
        /// How many.
        n: u32,
        /// The seat limit the decision was made under.
        limit: Option<u32>,
    },
    /// A pending invitation closed (revoked, declined, expired): its seat is free.
    ReleasePending,
    /// A pending invitation was accepted: its seat moves to the new member.
    PendingToMember(&'a RoleName),
    /// A member left or was removed; the last owner never can.
    RemoveMember(&'a RoleName),
    /// A person joins without an invitation (a join link, an approved join request): a new
    /// member takes a seat, only if `limit` (as read) is still the limit and a seat is free.
    /// With `inherit_pending`, an overdue invitation of the same address, expired in the same
    /// transaction, hands its seat over instead (no seat is taken, none is checked).
    Join {
        /// The member's role.
        role: &'a RoleName,
        /// The seat limit the decision was made under.
        limit: Option<u32>,
        /// Whether an overdue invitation's seat moves to the member.
        inherit_pending: bool,
    },
    /// A member's role changed; the last owner's role never can.
    ChangeRole {
        /// The old role.
        from: &'a RoleName,
        /// The new one.
        to: &'a RoleName,
    },
}

/// THE TENANT COUNTER FIELDS: the names of `Tenant`'s serialised counters, used in count writes.
fn tenant_field(name: &str) -> Vec<String> {
    vec![name.to_owned()]
}
fn role_field(role: &RoleName) -> Vec<String> {
    vec!["role_counts".to_owned(), role.to_string()]
}

/// The count write for a change of a tenant's counters.
pub fn tenant_counts(tenant: &TenantId, change: TenantCount<'_>) -> Write {
    use crate::ports::Expect;
    let (add, expect) = match change {
        TenantCount::TakePending { n, limit } => {
            let n = i64::from(n);
            let add = vec![(tenant_field("pending"), n), (tenant_field("seats_used"), n)];
            let expect = match limit {
                None => vec![Expect::Equals(tenant_field("seat_limit"), serde_json::Value::Null)],
                Some(l) => vec![
                    Expect::Equals(tenant_field("seat_limit"), serde_json::Value::from(l)),
                    Expect::AtMost(tenant_field("seats_used"), i64::from(l) - n),
                ],
            };
            (add, expect)
        }
        TenantCount::ReleasePending => (vec![(tenant_field("pending"), -1), (tenant_field("seats_used"), -1)], vec![]),
        TenantCount::PendingToMember(role) => {
            (vec![(tenant_field("pending"), -1), (tenant_field("members"), 1), (role_field(role), 1)], vec![])
        }
        TenantCount::Join { role, inherit_pending: true, .. } => {
            (vec![(tenant_field("pending"), -1), (tenant_field("members"), 1), (role_field(role), 1)], vec![])
        }
        TenantCount::Join { role, limit, inherit_pending: false } => {
            let add = vec![(tenant_field("members"), 1), (tenant_field("seats_used"), 1), (role_field(role), 1)];
            let expect = match limit {
                None => vec![Expect::Equals(tenant_field("seat_limit"), serde_json::Value::Null)],
                Some(l) => vec![
                    Expect::Equals(tenant_field("seat_limit"), serde_json::Value::from(l)),
                    Expect::AtMost(tenant_field("seats_used"), i64::from(l) - 1),
                ],
            };
            (add, expect)
        }
        TenantCount::RemoveMember(role) => {
            (vec![(tenant_field("members"), -1), (tenant_field("seats_used"), -1), (role_field(role), -1)], last_owner_guard(role))
        }
        TenantCount::ChangeRole { from, to } => (vec![(role_field(from), -1), (role_field(to), 1)], last_owner_guard(from)),
    };
    Write::Count { key: tenant_key(tenant), add, expect }
}

/// The expectation, for a count write on the tenant, that its workspaces are those a decision
/// was made under (`Tenant::workspaces_rev`).
pub fn workspaces_as_read(rev: u64) -> crate::ports::Expect {
    use crate::ports::Expect;
    let path = tenant_field("workspaces_rev");
    if rev == 0 { Expect::Equals(path, serde_json::Value::Null) } else { Expect::Equals(path, serde_json::Value::from(rev)) }
}

/// Adds an expectation to a count write (other writes are returned as they are).
pub fn expecting(write: Write, also: crate::ports::Expect) -> Write {
    match write {
        Write::Count { key, add, mut expect } => {
            expect.push(also);
            Write::Count { key, add, expect }
        }
        other => other,
    }
}

/// A write that changes no counter and only requires the tenant's workspaces to be as read
/// (for writes that name workspaces but move no seat).
pub fn workspaces_unchanged(tenant: &TenantId, rev: u64) -> Write {
    Write::Count { key: tenant_key(tenant), add: Vec::new(), expect: vec![workspaces_as_read(rev)] }
}

/// A count write on the tenant that changes nothing yet (see `counting_workspaces`).
pub fn tenant_counts_only(tenant: &TenantId) -> Write {
    Write::Count { key: tenant_key(tenant), add: Vec::new(), expect: Vec::new() }
}

/// Adds to a count write on the tenant the change of its workspace counters: `delta` for each
/// workspace in each list (a new pending invitation's `+1`, a member's old list `-1` and new
/// list `+1`...). Additions to one counter are summed by the stores. Other writes are returned
/// as they are.
pub fn counting_workspaces(write: Write, changes: &[(WorkspaceHolder, &[Workspace], i64)]) -> Write {
    match write {
        Write::Count { key, mut add, expect } => {
            for (holder, workspaces, delta) in changes {
                add.extend(workspaces.iter().map(|ws| (vec![WorkspaceUse::field(*holder, ws)], *delta)));
            }
            Write::Count { key, add, expect }
        }
        other => other,
    }
}

/// An owner may go only while another owner stays.
fn last_owner_guard(role: &RoleName) -> Vec<crate::ports::Expect> {
    if role.is_owner() { vec![crate::ports::Expect::AtLeast(role_field(role), 2)] } else { Vec::new() }
}

/// Small pointer records (token → invitation, email/subject → user).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TokenPointer {
    /// The tenant of the invitation.
    pub tenant_id: TenantId,
    /// The invitation.
    pub invitation_id: InvitationId,
}

/// Points from an email-change confirmation token to the member whose change it confirms.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EmailChangePointer {
    /// The tenant.
    pub tenant_id: TenantId,
    /// The member.
    pub user_id: UserId,
    /// The request it belongs to.
    pub change_id: String,
}

/// Creates a small record that must not exist yet and goes away by itself at `expires_at`.
pub fn create_expiring_at(key: Key, value: &impl Serialize, expires_at: Timestamp) -> Write {
    Write::Put { item: item_at(key, 1, value, Vec::new(), Some(expires_at)), cond: Cond::Absent }
}

/// Points from an email or an identity-provider subject to a user.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UserPointer {
    /// The user.
    pub user_id: UserId,
}

/// A record together with the version it was read at, so that writing it back can require that
/// nobody changed it in between.
#[derive(Debug, Clone, PartialEq)]
pub struct Versioned<T> {
    /// The record.
    pub value: T,
    /// Its stored version.
    pub version: u64,
}

/// Decodes an item into a record.
pub fn decode<T: DeserializeOwned>(item: Item) -> Result<Versioned<T>, StoreError> {
    let version = item.version;
    let key = item.key;
    serde_json::from_value(item.data)
        .map(|value| Versioned { value, version })
        .map_err(|e| StoreError::Corrupt { key, reason: e.to_string() })
}

/// Reads one record.
pub async fn load<T: DeserializeOwned>(table: &dyn Table, key: &Key) -> Result<Option<Versioned<T>>, StoreError> {
    table.get(key).await?.map(decode).transpose()
}

fn item_at(
    key: Key,
    version: u64,
    value: &impl Serialize,
    index_keys: Vec<(IndexName, String, String)>,
    expires_at: Option<Timestamp>,
) -> Item {
    Item {
        key,
        version,
        index_keys,
        expires_at,
        // Serialising our own plain data structures cannot fail.
        data: serde_json::to_value(value).unwrap_or(serde_json::Value::Null),
    }
}

/// Creates a record that must not exist yet.
pub fn create<R: Record>(record: &R) -> Write {
    Write::Put { item: item_at(record.key(), 1, record, record.index_keys(), record.expires_at()), cond: Cond::Absent }
}

/// Replaces a record read at `previous`, requiring that it did not change since.
pub fn replace<R: Record>(previous_version: u64, record: &R) -> Write {
    Write::Put {
        item: item_at(record.key(), previous_version + 1, record, record.index_keys(), record.expires_at()),
        cond: Cond::Version(previous_version),
    }
}

/// Creates a plain value under an explicit key (pointers, guards, roles).
pub fn create_at(key: Key, value: &impl Serialize) -> Write {
    Write::Put { item: item_at(key, 1, value, Vec::new(), None), cond: Cond::Absent }
}

/// Replaces a plain value under an explicit key, requiring the version read.
pub fn replace_at(key: Key, previous_version: u64, value: &impl Serialize) -> Write {
    Write::Put { item: item_at(key, previous_version + 1, value, Vec::new(), None), cond: Cond::Version(previous_version) }
}

/// Puts a value that expires (idempotency records).
pub fn put_expiring(key: Key, version: u64, cond: Cond, value: &IdempotencyRecord) -> Write {
    Write::Put { item: item_at(key, version, value, Vec::new(), Some(value.expires_at)), cond }
}

/// Puts a part of a large stored value (an idempotent response's body), whatever was there.
pub fn put_part(key: Key, value: &impl Serialize, expires_at: Timestamp) -> Write {
    Write::Put { item: item_at(key, 1, value, Vec::new(), Some(expires_at)), cond: Cond::Always }
}

/// Deletes an item read at `version`.
pub fn delete(key: Key, version: u64) -> Write {
    Write::Delete { key, cond: Cond::Version(version) }
}

/// Requires that an item is still at `version`, writing nothing.
pub fn check(key: Key, version: u64) -> Write {
    Write::Check { key, cond: Cond::Version(version) }
}

/// The guard for an address, holding what it says.
pub fn guard_write(t: &TenantId, e: &Email, holder: &EmailGuard, previous_version: Option<u64>) -> Write {
    match previous_version {
        None => create_at(guard_key(t, e), holder),
        Some(v) => replace_at(guard_key(t, e), v, holder),
    }
}

/// The audit event that goes into the same transaction as the change it describes.
pub fn audit_write(event: &AuditEvent) -> Write {
    create(event)
}
