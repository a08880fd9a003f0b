//! The records Usher keeps, and the invitation state machine.

use crate::roles::RoleName;
use crate::settings::Metadata;
pub use crate::settings::Notifications;
use crate::token::TokenHash;
use crate::values::{Email, InvitationId, Locale, Profile, TenantId, Timestamp, UserId, Workspace};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A tenant, with its seat counters. The counters are never rewritten from a read copy: they
/// change only through `schema::tenant_counts` (DynamoDB `ADD`-style count writes under a
/// condition), so invites, accepts and the sweep in one tenant never conflict over this item,
/// and a seat is taken only while `seats_used` is below `seat_limit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tenant {
    /// Its id.
    pub id: TenantId,
    /// Display name (shown in invitation emails).
    pub name: String,
    /// Most members + pending invitations allowed; `None` is unlimited.
    pub seat_limit: Option<u32>,
    /// How many members.
    pub members: u32,
    /// How many pending invitations (including overdue ones not yet swept).
    pub pending: u32,
    /// `members + pending`, kept as its own counter because a DynamoDB condition cannot add:
    /// "a seat is free" is `seats_used <= seat_limit - 1`.
    #[serde(default)]
    pub seats_used: u32,
    /// Members per role (a role nobody holds may show 0).
    #[serde(default)]
    pub role_counts: BTreeMap<RoleName, u32>,
    /// Days an invitation stays valid unless the inviter says otherwise.
    pub invitation_ttl_days: u32,
    /// The email domains invitations may go to (IDNA ASCII, lower case); empty allows any.
    #[serde(default)]
    pub allowed_domains: Vec<String>,
    /// The tenant's workspaces; empty means workspace names are taken as given.
    #[serde(default)]
    pub workspaces: Vec<WorkspaceDef>,
    /// Bumped whenever the set of workspaces or the defaults change. Every write that names
    /// workspaces expects the number it decided under, so a workspace deleted meanwhile is never
    /// given to anyone (never stored as 0: "absent" is the expectation for a tenant that never
    /// had any).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub workspaces_rev: u64,
    /// How many members and pending invitations have each workspace: kept by every write that
    /// gives or takes one (count writes, as the seats are), so deleting a workspace checks it
    /// is unused with one read instead of reading the whole tenant.
    #[serde(flatten)]
    pub workspace_use: WorkspaceUse,
    /// Whether `workspace_use` is exact: true for a tenant created since it is kept, and for an
    /// older one once a workspace deletion has counted it (see `delete_workspace`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub workspace_use_exact: bool,
    /// Created.
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
}

/// Who has which workspace, as counters on the tenant item: one field per workspace and kind
/// (`workspace_members:<id>`, `workspace_pending:<id>`) directly in the item's data, because a
/// count write creates a missing number but not a missing map (DynamoDB refuses a path under an
/// absent map, and older tenants have none). Other fields of the item are not this type's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkspaceUse(BTreeMap<String, i64>);

/// Which counter of a workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkspaceHolder {
    /// Members who have it.
    Member,
    /// Pending invitations that give it.
    Pending,
}

impl WorkspaceUse {
    /// The counter's field name in the tenant's data.
    pub fn field(holder: WorkspaceHolder, ws: &Workspace) -> String {
        match holder {
            WorkspaceHolder::Member => format!("workspace_members:{}", ws.as_str()),
            WorkspaceHolder::Pending => format!("workspace_pending:{}", ws.as_str()),
        }
    }

    /// How many of `holder` have `ws` (never below 0).
    pub fn count(&self, holder: WorkspaceHolder, ws: &Workspace) -> u32 {
        self.0.get(&Self::field(holder, ws)).map_or(0, |n| u32::try_from((*n).max(0)).unwrap_or(u32::MAX))
    }

    /// Counters set from a full count: (workspace, members, pending invitations).
    pub fn counted(counts: impl IntoIterator<Item = (Workspace, u32, u32)>) -> Self {
        let mut map = BTreeMap::new();
        for (ws, members, pending) in counts {
            map.insert(Self::field(WorkspaceHolder::Member, &ws), i64::from(members));
            map.insert(Self::field(WorkspaceHolder::Pending, &ws), i64::from(pending));
        }
        Self(map)
    }

    /// Without `ws`'s counters (a deleted workspace).
    pub fn without(&self, ws: &Workspace) -> Self {
        let gone = [Self::field(WorkspaceHolder::Member, ws), Self::field(WorkspaceHolder::Pending, ws)];
        Self(self.0.iter().filter(|(k, _)| !gone.contains(k)).map(|(k, v)| (k.clone(), *v)).collect())
    }
}

impl Serialize for WorkspaceUse {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for WorkspaceUse {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Flattened: every field of the item the other fields did not take arrives here; only
        // the counters are kept.
        let all = BTreeMap::<String, serde_json::Value>::deserialize(deserializer)?;
        Ok(Self(
            all.into_iter()
                .filter(|(k, _)| k.starts_with("workspace_members:") || k.starts_with("workspace_pending:"))
                .filter_map(|(k, v)| v.as_i64().map(|n| (k, n)))
                .collect(),
        ))
    }
}

impl Tenant {
    /// Seats still free (`None` when unlimited).
    pub fn seats_available(&self) -> Option<u32> {
        self.seat_limit.map(|l| l.saturating_sub(self.seats_used))
    }

    /// Whether `n` more seats can be taken.
    pub fn has_seats_for(&self, n: u32) -> bool {
        self.seats_available().is_none_or(|free| free >= n)
    }

    /// Members per role, without the roles nobody holds.
    pub fn role_counts(&self) -> BTreeMap<RoleName, u32> {
        self.role_counts.iter().filter(|(_, n)| **n > 0).map(|(r, n)| (r.clone(), *n)).collect()
    }

    /// Whether the tenant's policy lets `email` be invited (and accept): its domain is one of
    /// `allowed_domains` exactly (a subdomain is another domain), or the list is empty.
    pub fn allows(&self, email: &Email) -> bool {
        self.allowed_domains.is_empty() || self.allowed_domains.iter().any(|d| d == email.domain())
    }

    /// The workspaces a person may be given: when the tenant defines workspaces, every one named
    /// must be among them; `or_defaults` (a new invitation) gives the default ones when none is
    /// named. A tenant that defines none takes the names as given.
    pub fn check_workspaces(&self, named: &[Workspace], or_defaults: bool) -> Result<Vec<Workspace>, crate::error::FieldError> {
        if self.workspaces.is_empty() {
            return Ok(named.to_vec());
        }
        if named.is_empty() && or_defaults {
            return Ok(self.workspaces.iter().filter(|w| w.default).map(|w| w.id.clone()).collect());
        }
        match named.iter().find(|n| !self.workspaces.iter().any(|w| w.id == **n)) {
            None => Ok(named.to_vec()),
            Some(unknown) => Err(crate::error::FieldError::new(
                "workspaces",
                "unknown_workspace",
                format!("the tenant has no workspace '{}'", unknown.as_str()),
            )),
        }
    }

    /// How many members hold `role`.
    pub fn holders_of(&self, role: &RoleName) -> u32 {
        self.role_counts.get(role).copied().unwrap_or(0)
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// One of a tenant's workspaces (a site, a project, a fleet): people are given access to some.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceDef {
    /// Its id, the name invitations and members carry.
    pub id: Workspace,
    /// Display name.
    pub name: String,
    /// Given to an invitation that names no workspace.
    #[serde(default)]
    pub default: bool,
}

/// A person known to Usher. Identity (passwords, sessions) stays with the identity provider;
/// `subject` links the two once the person has signed in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// Its id.
    pub id: UserId,
    /// Verified email.
    pub email: Email,
    /// The identity provider's `sub`, once seen.
    #[serde(default)]
    pub subject: Option<String>,
    /// Display name from the identity provider.
    #[serde(default)]
    pub name: Option<String>,
    /// Username from the identity provider.
    #[serde(default)]
    pub username: Option<String>,
    /// Created.
    pub created_at: Timestamp,
}

/// What the identity provider's userinfo endpoint said about a subject whose ID token carries no
/// email (providers with library defaults put only `sub` there). Kept under the subject, written
/// only by the server after it asked the provider itself (never from what a browser reports), and
/// read for that subject's later tokens that lack an email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectProfile {
    /// The identity provider's `sub`.
    pub subject: String,
    /// The email userinfo gave.
    #[serde(default)]
    pub email: Option<Email>,
    /// Whether userinfo said the provider verified it.
    #[serde(default)]
    pub email_verified: bool,
    /// The name userinfo gave (`name`, or `given_name` + `family_name`).
    #[serde(default)]
    pub name: Option<String>,
    /// When the provider was last asked.
    pub updated_at: Timestamp,
}

/// A person's membership in a tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    /// The tenant.
    pub tenant_id: TenantId,
    /// The person.
    pub user_id: UserId,
    /// Their email (copied from the user for listing and export).
    pub email: Email,
    /// Their username at the identity provider, if any.
    #[serde(default)]
    pub username: Option<String>,
    /// Their name at the identity provider (`name`, or `given_name` + `family_name`), as of
    /// their last sign-in: what the people list and their invitations show when the tenant's
    /// profile gives none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Their role here.
    pub role: RoleName,
    /// Workspaces they may use.
    #[serde(default)]
    pub workspaces: Vec<Workspace>,
    /// Profile, as the tenant knows them.
    #[serde(default)]
    pub profile: Profile,
    /// Email preferences.
    #[serde(default)]
    pub notifications: Notifications,
    /// Whether the host application may assign records to them.
    #[serde(default)]
    pub record_owner: bool,
    /// The host application's own data about them.
    #[serde(default)]
    pub metadata: Option<Metadata>,
    /// Language of the emails Usher sends them (from their invitation).
    #[serde(default)]
    pub locale: Locale,
    /// An address change waiting for the new address to confirm it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_email: Option<PendingEmail>,
    /// The invitation they accepted, if they joined by one.
    #[serde(default)]
    pub joined_via: Option<InvitationId>,
    /// Last time they signed in to accept or were seen by Usher.
    #[serde(default)]
    pub last_login_at: Option<Timestamp>,
    /// Joined.
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
}

/// How long a member's new address has to confirm an email change.
pub const EMAIL_CHANGE_TTL_SECS: i64 = 7 * 86_400;

/// A change of a member's address, requested by an admin, waiting for the new address to confirm
/// it. The confirmation link's token is minted by the delivery worker when it sends the email
/// (as an invitation's), so only its hash is ever stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingEmail {
    /// The new address.
    pub email: Email,
    /// When the link stops working.
    pub expires_at: Timestamp,
    /// Which request this is (a new request replaces an older one, whose link then fails).
    pub change_id: String,
    /// SHA-256 of the current confirmation link's token, once sent.
    #[serde(default)]
    pub token_hash: Option<TokenHash>,
}

impl Member {
    /// The name to show: profile name, else the identity provider's (kept on the membership at
    /// sign-in, else the user's), else the email.
    pub fn display_name(&self, user_name: Option<&str>) -> String {
        self.profile
            .display_name()
            .or_else(|| self.name.clone())
            .or_else(|| user_name.map(str::to_owned))
            .unwrap_or_else(|| self.email.to_string())
    }
}

/// "One pending invitation or membership per address per tenant": the item that makes it so.
/// Created with an `Absent` condition; whoever creates it first wins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "holder", rename_all = "snake_case")]
pub enum EmailGuard {
    /// A pending invitation holds the address.
    Invitation {
        /// Which.
        invitation_id: InvitationId,
    },
    /// A member holds the address.
    Member {
        /// Who.
        user_id: UserId,
    },
}

/// Where an invitation is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InvitationStatus {
    /// Sent and waiting for an answer.
    Pending,
    /// The invitee joined.
    Accepted,
    /// The invitee said no.
    Declined,
    /// An admin withdrew it.
    Revoked,
    /// Nobody answered in time. A resend makes it pending again.
    Expired,
}

impl InvitationStatus {
    /// Parses the wire name.
    pub fn parse(raw: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(raw.to_owned())).ok()
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
        }
    }
}

/// Whether the email carrying the link reached the mail service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// Saved, not yet handed to the mail service (or the process died before it knew).
    Pending,
    /// The mail service accepted it.
    Sent,
    /// The mail service refused or was unreachable; the sweep will retry.
    Failed,
    /// The recipient's mail server refused it for good (a permanent bounce reported by the mail
    /// service after accepting it). Never retried: the address needs correcting.
    Bounced,
    /// The recipient reported it as spam. Never retried.
    Complained,
}

/// What the mail service reported about an email after accepting it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailFeedback {
    /// A permanent bounce.
    Bounced,
    /// A spam complaint.
    Complained,
}

impl MailFeedback {
    /// The delivery status it leaves.
    pub fn status(self) -> DeliveryStatus {
        match self {
            Self::Bounced => DeliveryStatus::Bounced,
            Self::Complained => DeliveryStatus::Complained,
        }
    }

    /// Its name in audit actions and events (`invitation.bounced`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bounced => "bounced",
            Self::Complained => "complained",
        }
    }
}

/// Delivery bookkeeping, shown to admins so a failed email is visible, never silently lost.
///
/// `pending` means queued: the write that needed the email set it, in the same transaction, and
/// the delivery worker claims it (`claimed_until`) before sending, so a duplicate wake-up sends
/// nothing. `next_attempt_at` is when the sweep looks again: after `QUEUED_GRACE_SECS` if the
/// wake-up was lost, after a lapsed claim, or at the next retry of a failed send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// Current state.
    pub status: DeliveryStatus,
    /// Attempts so far for the current link.
    pub attempts: u32,
    /// The last failure, shortened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// When the sweep will look again (only while not sent and attempts remain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<Timestamp>,
    /// A worker holds the send until then (it died if that passes unrecorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed_until: Option<Timestamp>,
    /// Which send this is: minted with the claim and carried by the email as a tag
    /// (`MAIL_TAG_SEND`), so a bounce or complaint marks the send it is about, never a later one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_id: Option<String>,
}

/// How long a queued email may wait for its worker before the sweep queues it again (the
/// wake-up was lost, or the queue is that far behind: a second wake-up then sends nothing).
pub const QUEUED_GRACE_SECS: i64 = 300;

impl Delivery {
    /// A link queued for sending.
    pub fn new_pending(now: Timestamp) -> Self {
        Self {
            status: DeliveryStatus::Pending,
            attempts: 0,
            last_error: None,
            next_attempt_at: Some(now.plus_seconds(QUEUED_GRACE_SECS)),
            claimed_until: None,
            send_id: None,
        }
    }

    /// Whether nothing should ever send this address another email by itself: it bounced for
    /// good, its recipient complained, or every try failed. Only an admin's resend re-arms it.
    pub fn undeliverable(&self) -> bool {
        matches!(self.status, DeliveryStatus::Bounced | DeliveryStatus::Complained) || self.gave_up()
    }

    /// Whether a worker may claim this send now: queued, and nobody holds it.
    pub fn claimable(&self, now: Timestamp) -> bool {
        self.status == DeliveryStatus::Pending && self.claimed_until.is_none_or(|c| c <= now)
    }

    /// Whether the sweep must queue it again now: not sent, and its time to look has come.
    pub fn due(&self, now: Timestamp) -> bool {
        self.status != DeliveryStatus::Sent && self.next_attempt_at.is_some_and(|t| t <= now)
    }

    /// Whether a worker holds the send right now.
    pub fn in_flight(&self, now: Timestamp) -> bool {
        self.status == DeliveryStatus::Pending && self.claimed_until.is_some_and(|c| c > now)
    }

    /// Queued again (by the sweep): pending, unclaimed, looked at again after the grace. A claim
    /// that lapsed counts as an attempt (its worker died, or ran out of time: a job longer than
    /// its function's timeout would otherwise be tried forever); after `max_attempts` it is
    /// given up, failed with that reason, and `false` is returned (nothing to queue).
    pub fn requeue(&mut self, now: Timestamp, max_attempts: u32) -> bool {
        if self.claimed_until.is_some_and(|c| c <= now) {
            self.attempts += 1;
            if self.attempts >= max_attempts {
                self.status = DeliveryStatus::Failed;
                self.last_error = Some(format!("the worker stopped before it finished, {} times (did it time out?)", self.attempts));
                self.next_attempt_at = None;
                self.claimed_until = None;
                return false;
            }
        }
        self.status = DeliveryStatus::Pending;
        self.claimed_until = None;
        self.next_attempt_at = Some(now.plus_seconds(QUEUED_GRACE_SECS));
        true
    }

    /// A worker takes the send: nobody else sends it until the claim lapses.
    pub fn claim(&mut self, now: Timestamp) {
        self.claim_for(now, DELIVERY_CLAIM_SECS);
    }

    /// A worker takes the work for `secs`: longer than the worker can run (its function's
    /// timeout), or the sweep would queue it again while it is still being done.
    pub fn claim_for(&mut self, now: Timestamp, secs: i64) {
        self.claimed_until = Some(now.plus_seconds(secs));
        self.next_attempt_at = Some(now.plus_seconds(secs));
    }

    /// The mail service accepted it.
    pub fn sent(&mut self) {
        self.attempts += 1;
        self.status = DeliveryStatus::Sent;
        self.last_error = None;
        self.next_attempt_at = None;
        self.claimed_until = None;
    }

    /// The mail service refused or was unreachable: the sweep queues it again at the next retry,
    /// if any remain.
    pub fn failed(&mut self, error: &str, now: Timestamp, max_attempts: u32) {
        self.attempts += 1;
        self.status = DeliveryStatus::Failed;
        self.last_error = Some(error.chars().take(300).collect());
        self.next_attempt_at = next_retry_after(self.attempts, max_attempts).map(|secs| now.plus_seconds(secs));
        self.claimed_until = None;
    }

    /// Whether the last failure was the last try (nothing will send it again by itself).
    pub fn gave_up(&self) -> bool {
        self.status == DeliveryStatus::Failed && self.next_attempt_at.is_none()
    }

    /// The mail service reported a bounce or a complaint about the email it accepted (`send`: the
    /// send id the email carried). Only the send it is about takes it: a link queued or sent again
    /// since (a resend, a reminder) is a newer email the report is not about. A delivery recorded
    /// before send ids existed takes a report about whatever it last sent. Returns whether the
    /// delivery changed.
    pub fn feedback(&mut self, feedback: MailFeedback, detail: &str, send: Option<&str>) -> bool {
        if self.status != DeliveryStatus::Sent {
            return false;
        }
        if self.send_id.is_some() && self.send_id.as_deref() != send {
            return false;
        }
        self.status = feedback.status();
        self.last_error = Some(detail.chars().take(300).collect());
        self.next_attempt_at = None;
        self.claimed_until = None;
        true
    }
}

/// How long a worker's claim on a send holds (far longer than any one send).
pub const DELIVERY_CLAIM_SECS: i64 = 300;

/// What a queued notice says (its text is rendered when it is sent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// An invitee asks their inviter for a new link.
    RenewalRequest,
    /// To a member's old address: a change of address was requested (the new one masked).
    EmailChangeRequested,
    /// To the new address: the link that confirms the change (minted when sent).
    EmailChangeConfirm,
}

/// The email change a confirmation notice is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailChangeRef {
    /// The member.
    pub user_id: UserId,
    /// The request (`PendingEmail::change_id`).
    pub change_id: String,
}

/// A queued email that carries no link (an invitee's renewal request to their inviter): stored
/// by the transaction that needs it, sent by the delivery worker like an invitation's link, and
/// deleted once the mail service has it. One that exhausts its attempts stays (failed) until
/// its time to live ends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    /// Its id (32 hex digits).
    pub id: String,
    /// The tenant it is about.
    pub tenant_id: TenantId,
    /// The one recipient.
    pub to: Email,
    /// Which message.
    pub kind: NoticeKind,
    /// Its language.
    pub locale: Locale,
    /// The message's variables (names as in the template).
    pub vars: std::collections::BTreeMap<String, String>,
    /// Queued, claimed, sent or failed (as an invitation's link).
    pub delivery: Delivery,
    /// When it was queued.
    pub created_at: Timestamp,
    /// The email change whose confirmation link this notice carries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_change: Option<EmailChangeRef>,
}

impl Notice {
    /// When the sweep must look at it: while not sent, at its next attempt.
    pub fn due_at(&self) -> Option<Timestamp> {
        match self.delivery.status {
            DeliveryStatus::Sent => None,
            _ => self.delivery.next_attempt_at,
        }
    }
}

/// The format of an export file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// RFC 4180 CSV, UTF-8 with BOM.
    Csv,
    /// An Excel workbook.
    Xlsx,
}

/// A large export, written to the file store by the worker. Its work state is a `Delivery`
/// (queued, claimed, done or failed and retried), so it is claimed, retried and queued again by
/// the sweep exactly as an email is; the file and this record live for a day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportJob {
    /// Its id (32 hex digits).
    pub id: String,
    /// The tenant exported.
    pub tenant_id: TenantId,
    /// Who asked.
    pub requested_by: UserId,
    /// File format.
    pub format: ExportFormat,
    /// Whether pending invitations are rows too.
    pub include_invitations: bool,
    /// Queued, claimed (running), sent (ready) or failed.
    pub work: Delivery,
    /// The file's key in the file store.
    pub file_key: String,
    /// The name the download suggests.
    pub filename: String,
    /// Rows written (header excluded), once ready.
    #[serde(default)]
    pub rows: Option<u64>,
    /// The file's size, once ready.
    #[serde(default)]
    pub bytes: Option<u64>,
    /// When it was asked for.
    pub created_at: Timestamp,
    /// When the file was ready.
    #[serde(default)]
    pub finished_at: Option<Timestamp>,
    /// How far the file was written, saved after each stored part: a worker that takes the
    /// job over after one stopped goes on from there instead of reading the tenant again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<ExportCheckpoint>,
}

/// An export's progress at its last stored part: the upload, the rows in it, and where the
/// tenant's reading stood (every row before that point is in the stored bytes, none after).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportCheckpoint {
    /// The file's upload as stored.
    pub upload: crate::ports::UploadState,
    /// Rows in the stored bytes (header excluded).
    pub rows: u64,
    /// Whether the reading had reached the pending invitations (members come first).
    pub invitations: bool,
    /// The sort key of the last item read (`None`: that part starts from its beginning).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// Whether every row is read (only the file's completion remains).
    #[serde(default)]
    pub done: bool,
    /// The time the export reads the tenant as of (whether an invitation is still pending),
    /// kept so a resumed file is read as of one time.
    pub as_of: Timestamp,
}

/// How long an export's file and record are kept (the bucket's lifecycle rule matches).
pub const EXPORT_KEEP_SECS: i64 = 86_400;

impl ExportJob {
    /// `queued`, `running`, `ready` or `failed`, as the status route shows it.
    pub fn status(&self, now: Timestamp) -> &'static str {
        match self.work.status {
            DeliveryStatus::Sent => "ready",
            DeliveryStatus::Failed if self.work.next_attempt_at.is_none() => "failed",
            DeliveryStatus::Pending if self.work.claimed_until.is_some_and(|c| c > now) => "running",
            _ => "queued",
        }
    }

    /// When the sweep must look at it: while not done, at its next attempt.
    pub fn due_at(&self) -> Option<Timestamp> {
        match self.work.status {
            DeliveryStatus::Sent => None,
            _ => self.work.next_attempt_at,
        }
    }
}

/// Who sent an invitation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitedBy {
    /// The inviter (`None` for an operator-created invitation).
    pub user_id: Option<UserId>,
    /// Their email.
    pub email: Option<Email>,
    /// Their display name, as shown to the invitee.
    #[serde(default)]
    pub name: Option<String>,
}

/// An invitation to join a tenant with a role. Its state (status, link, expiry, delivery and
/// the closing facts) is private: it changes only through the transitions below, and is read
/// through `status_at(now)` and the getters, so nothing can put it in a state the machine does not
/// allow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Invitation {
    /// Its id.
    pub id: InvitationId,
    /// The tenant.
    pub tenant_id: TenantId,
    /// Who is invited.
    pub email: Email,
    /// The role they get on accepting.
    pub role: RoleName,
    /// Workspaces they get on accepting.
    #[serde(default)]
    pub workspaces: Vec<Workspace>,
    /// Stored status. Read `status_at(now)`: an overdue pending invitation is expired.
    status: InvitationStatus,
    /// When the current link stops working.
    expires_at: Timestamp,
    /// Created.
    pub created_at: Timestamp,
    /// Last changed.
    updated_at: Timestamp,
    /// Who invited.
    pub invited_by: InvitedBy,
    /// How many times it was re-sent by an admin.
    resend_count: u32,
    /// When the current link was last handed to the mail service.
    #[serde(default)]
    last_sent_at: Option<Timestamp>,
    /// Email delivery of the current link.
    delivery: Delivery,
    /// Profile fields copied to the member on accept.
    #[serde(default)]
    pub profile: Profile,
    /// Language of the emails.
    pub locale: Locale,
    /// A personal note from the inviter, shown in the email.
    #[serde(default)]
    pub message: Option<String>,
    /// Email preferences the member starts with.
    #[serde(default)]
    pub notifications: Notifications,
    /// Whether the host application may assign records to the member.
    #[serde(default)]
    pub record_owner: bool,
    /// The host application's own data, carried to the member.
    #[serde(default)]
    pub metadata: Option<Metadata>,
    /// Lifetime of a link in days (a resend gives the new link the same).
    pub ttl_days: u32,
    /// SHA-256 of the current token. Never the token itself.
    token_hash: TokenHash,
    /// Who accepted.
    #[serde(default)]
    accepted_by: Option<UserId>,
    /// When it left `pending` (accepted, declined, revoked or expired).
    #[serde(default)]
    closed_at: Option<Timestamp>,
    /// Who revoked it.
    #[serde(default)]
    revoked_by: Option<UserId>,
    /// The invitee's reason for declining.
    #[serde(default)]
    decline_reason: Option<String>,
    /// Last time the invitee asked for a new link.
    #[serde(default)]
    renewal_requested_at: Option<Timestamp>,
    /// When the sweep reminded the invitee about the current link (a resend starts over).
    #[serde(default)]
    reminded_at: Option<Timestamp>,
}

/// A transition the state machine does not allow from the current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the invitation is {from:?}")]
pub struct NotAllowed {
    /// The (effective) state it was in.
    pub from: InvitationStatus,
}

/// What an inviter decides about a new invitation (its state starts as "pending, link just made").
#[derive(Debug, Clone)]
pub struct NewInvitation {
    /// Its id.
    pub id: InvitationId,
    /// The tenant.
    pub tenant_id: TenantId,
    /// Who is invited.
    pub email: Email,
    /// The role they get on accepting.
    pub role: RoleName,
    /// Workspaces they get on accepting.
    pub workspaces: Vec<Workspace>,
    /// Who invited.
    pub invited_by: InvitedBy,
    /// Profile fields copied to the member on accept.
    pub profile: Profile,
    /// Language of the emails.
    pub locale: Locale,
    /// A personal note from the inviter.
    pub message: Option<String>,
    /// Email preferences the member starts with.
    pub notifications: Notifications,
    /// Whether the host application may assign records to the member.
    pub record_owner: bool,
    /// The host application's own data.
    pub metadata: Option<Metadata>,
    /// Lifetime of a link in days.
    pub ttl_days: u32,
}

impl Invitation {
    /// A new pending invitation with its first link.
    pub fn new(fields: NewInvitation, token_hash: TokenHash, now: Timestamp) -> Self {
        Self {
            expires_at: now.plus_seconds(i64::from(fields.ttl_days) * 86_400),
            id: fields.id,
            tenant_id: fields.tenant_id,
            email: fields.email,
            role: fields.role,
            workspaces: fields.workspaces,
            status: InvitationStatus::Pending,
            created_at: now,
            updated_at: now,
            invited_by: fields.invited_by,
            resend_count: 0,
            last_sent_at: None,
            delivery: Delivery::new_pending(now),
            profile: fields.profile,
            locale: fields.locale,
            message: fields.message,
            notifications: fields.notifications,
            record_owner: fields.record_owner,
            metadata: fields.metadata,
            ttl_days: fields.ttl_days,
            token_hash,
            accepted_by: None,
            closed_at: None,
            revoked_by: None,
            decline_reason: None,
            renewal_requested_at: None,
            reminded_at: None,
        }
    }

    /// The stored status (`status_at(now)` is the effective one: an overdue pending invitation is expired).
    pub fn status(&self) -> InvitationStatus {
        self.status
    }

    /// When the current link stops working.
    pub fn expires_at(&self) -> Timestamp {
        self.expires_at
    }

    /// Last changed.
    pub fn updated_at(&self) -> Timestamp {
        self.updated_at
    }

    /// How many times an admin re-sent it.
    pub fn resend_count(&self) -> u32 {
        self.resend_count
    }

    /// When the current link was last handed to the mail service.
    pub fn last_sent_at(&self) -> Option<Timestamp> {
        self.last_sent_at
    }

    /// Email delivery of the current link.
    pub fn delivery(&self) -> &Delivery {
        &self.delivery
    }

    /// SHA-256 of the current token.
    pub fn token_hash(&self) -> &TokenHash {
        &self.token_hash
    }

    /// Who accepted.
    pub fn accepted_by(&self) -> Option<&UserId> {
        self.accepted_by.as_ref()
    }

    /// When it left `pending`.
    pub fn closed_at(&self) -> Option<Timestamp> {
        self.closed_at
    }

    /// Who revoked it.
    pub fn revoked_by(&self) -> Option<&UserId> {
        self.revoked_by.as_ref()
    }

    /// The invitee's reason for declining.
    pub fn decline_reason(&self) -> Option<&str> {
        self.decline_reason.as_deref()
    }

    /// Last time the invitee asked for a new link.
    pub fn renewal_requested_at(&self) -> Option<Timestamp> {
        self.renewal_requested_at
    }

    /// When the invitee was reminded about the current link.
    pub fn reminded_at(&self) -> Option<Timestamp> {
        self.reminded_at
    }

    /// When the reminder about the current link is due: `REMINDER_BEFORE_SECS` before it
    /// expires, for a link that lives longer than `REMINDER_MIN_TTL_DAYS`; `None` once sent
    /// (or when the link is too short-lived for one).
    pub fn reminder_due_at(&self) -> Option<Timestamp> {
        if self.status != InvitationStatus::Pending
            || self.reminded_at.is_some()
            || self.ttl_days <= REMINDER_MIN_TTL_DAYS
            || self.delivery.undeliverable()
        {
            return None;
        }
        Some(self.expires_at.plus_seconds(-REMINDER_BEFORE_SECS))
    }

    /// The sweep reminds the invitee: the link's email is queued again; the worker that sends it
    /// mints a new link (the old one stops working, as on resend); the expiry stays.
    pub fn remind(&mut self, now: Timestamp) -> Result<(), NotAllowed> {
        match self.status_at(now) {
            // An address that bounced or complained, or that every try failed, gets no reminder.
            InvitationStatus::Pending if self.delivery.undeliverable() => Err(NotAllowed { from: InvitationStatus::Pending }),
            InvitationStatus::Pending => {
                self.reminded_at = Some(now);
                self.delivery = Delivery::new_pending(now);
                self.updated_at = now;
                Ok(())
            }
            from => Err(NotAllowed { from }),
        }
    }

    /// The status as of `now`: a pending invitation past its expiry is `Expired`, whether or not
    /// the sweep has written that down yet.
    pub fn status_at(&self, now: Timestamp) -> InvitationStatus {
        match self.status {
            InvitationStatus::Pending if now >= self.expires_at => InvitationStatus::Expired,
            s => s,
        }
    }

    fn close(&mut self, to: InvitationStatus, now: Timestamp) -> Result<(), NotAllowed> {
        match self.status_at(now) {
            InvitationStatus::Pending => {
                self.status = to;
                self.closed_at = Some(now);
                self.updated_at = now;
                Ok(())
            }
            from => Err(NotAllowed { from }),
        }
    }

    /// Changes what the invitation offers (role, workspaces, profile, settings) while it is
    /// pending; the link, its expiry and the delivery stay as they are.
    pub fn edit(&mut self, now: Timestamp, change: impl FnOnce(&mut Invitation)) -> Result<(), NotAllowed> {
        match self.status_at(now) {
            InvitationStatus::Pending => {
                change(self);
                self.updated_at = now;
                Ok(())
            }
            from => Err(NotAllowed { from }),
        }
    }

    /// pending → accepted.
    pub fn accept(&mut self, by: &UserId, now: Timestamp) -> Result<(), NotAllowed> {
        self.close(InvitationStatus::Accepted, now)?;
        self.accepted_by = Some(by.clone());
        Ok(())
    }

    /// pending → declined.
    pub fn decline(&mut self, reason: Option<String>, now: Timestamp) -> Result<(), NotAllowed> {
        self.close(InvitationStatus::Declined, now)?;
        self.decline_reason = reason;
        Ok(())
    }

    /// pending → revoked.
    pub fn revoke(&mut self, by: Option<UserId>, now: Timestamp) -> Result<(), NotAllowed> {
        self.close(InvitationStatus::Revoked, now)?;
        self.revoked_by = by;
        Ok(())
    }

    /// pending (overdue) → expired. Refused while the invitation is still in time.
    pub fn expire(&mut self, now: Timestamp) -> Result<(), NotAllowed> {
        match (self.status, self.status_at(now)) {
            (InvitationStatus::Pending, InvitationStatus::Expired) => {
                self.status = InvitationStatus::Expired;
                self.closed_at = Some(self.expires_at);
                self.updated_at = now;
                Ok(())
            }
            (_, from) => Err(NotAllowed { from }),
        }
    }

    /// pending or expired → pending, with a new token hash and a fresh expiry.
    pub fn rearm(&mut self, token_hash: TokenHash, expires_at: Timestamp, now: Timestamp) -> Result<(), NotAllowed> {
        match self.status_at(now) {
            InvitationStatus::Pending | InvitationStatus::Expired => {
                self.status = InvitationStatus::Pending;
                self.token_hash = token_hash;
                self.expires_at = expires_at;
                self.closed_at = None;
                self.delivery = Delivery::new_pending(now);
                // A new link gets its own reminder.
                self.reminded_at = None;
                self.updated_at = now;
                Ok(())
            }
            from => Err(NotAllowed { from }),
        }
    }

    /// The invitee asks for a new link: at most once per `cooldown_secs` (otherwise `Err` with
    /// the seconds to wait).
    pub fn request_renewal(&mut self, now: Timestamp, cooldown_secs: i64) -> Result<(), u64> {
        if let Some(last) = self.renewal_requested_at {
            let wait = cooldown_secs - last.seconds_until(now);
            if wait > 0 {
                return Err(u64::try_from(wait).unwrap_or(1));
            }
        }
        self.renewal_requested_at = Some(now);
        Ok(())
    }

    /// The mail service accepted the current link.
    pub fn delivery_sent(&mut self, now: Timestamp) {
        self.delivery.sent();
        self.last_sent_at = Some(now);
    }

    /// The mail service refused or was unreachable: schedule the next try, if any remain.
    pub fn delivery_failed(&mut self, error: &str, now: Timestamp, max_attempts: u32) {
        self.delivery.failed(error, now, max_attempts);
    }

    /// A bounce or complaint about the email the mail service accepted (see `Delivery::feedback`).
    pub fn delivery_feedback(&mut self, feedback: MailFeedback, detail: &str, send: Option<&str>, now: Timestamp) -> bool {
        let changed = self.delivery.feedback(feedback, detail, send);
        if changed {
            self.updated_at = now;
        }
        changed
    }

    /// Whether the sweep must queue this link's delivery again now.
    pub fn delivery_due(&self, now: Timestamp) -> bool {
        self.delivery.due(now)
    }

    /// Whether a worker holds the current link's send right now.
    pub fn delivery_in_flight(&self, now: Timestamp) -> bool {
        self.delivery.in_flight(now)
    }

    /// Queued again by the sweep (see `Delivery::requeue`); `false` when given up.
    pub fn requeue_delivery(&mut self, now: Timestamp, max_attempts: u32) -> bool {
        self.updated_at = now;
        self.delivery.requeue(now, max_attempts)
    }

    /// Whether the delivery worker may claim the send now: the invitation is pending, its link
    /// is queued and nobody holds it.
    pub fn delivery_claimable(&self, now: Timestamp) -> bool {
        self.status_at(now) == InvitationStatus::Pending && self.delivery.claimable(now)
    }

    /// The worker claims the send before sending: a new link (the token was never kept, so only
    /// the sender can know it), held by the claim, so another worker that reads this sends
    /// nothing. If the claimer dies, the claim lapses and the sweep queues it again.
    pub fn claim_delivery(&mut self, token_hash: TokenHash, send_id: String, now: Timestamp) {
        self.token_hash = token_hash;
        self.delivery.claim(now);
        self.delivery.send_id = Some(send_id);
        self.updated_at = now;
    }

    /// An admin's resend: a new link with a fresh expiry (also re-arms an expired invitation).
    pub fn resend(&mut self, token_hash: TokenHash, expires_at: Timestamp, now: Timestamp) -> Result<(), NotAllowed> {
        self.rearm(token_hash, expires_at, now)?;
        self.resend_count += 1;
        Ok(())
    }

    /// When the sweep must next look at this invitation: the expiry of a pending one, or the
    /// next delivery attempt if that comes first. `None` once nothing remains to do.
    pub fn due_at(&self) -> Option<Timestamp> {
        if self.status != InvitationStatus::Pending {
            return None;
        }
        let retry = match self.delivery.status {
            DeliveryStatus::Sent => None,
            _ => self.delivery.next_attempt_at,
        };
        let first = [retry, self.reminder_due_at()].into_iter().flatten().min();
        Some(first.map_or(self.expires_at, |r| r.min(self.expires_at)))
    }
}

/// A reminder goes this long before a link expires (API.md: "about 48 hours").
pub const REMINDER_BEFORE_SECS: i64 = 48 * 3600;
/// Only links that live longer than this many days get a reminder.
pub const REMINDER_MIN_TTL_DAYS: u32 = 3;

/// Delivery retry schedule: 1, 5, 15, 60, 240 minutes after the attempts so far; `None` when the
/// attempts are used up (the invitation stays visible as `failed` for an admin to resend).
pub fn next_retry_after(attempts: u32, max_attempts: u32) -> Option<i64> {
    const BACKOFF_MINUTES: [i64; 5] = [1, 5, 15, 60, 240];
    if attempts >= max_attempts {
        return None;
    }
    let i = usize::try_from(attempts.saturating_sub(1)).unwrap_or(usize::MAX).min(BACKOFF_MINUTES.len() - 1);
    Some(BACKOFF_MINUTES[i] * 60)
}

/// A custom role defined by a tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomRole {
    /// The tenant that defined it.
    pub tenant_id: TenantId,
    /// Name (never a built-in's).
    pub name: RoleName,
    /// What it allows.
    pub permissions: Vec<crate::roles::Permission>,
    /// What it is for.
    #[serde(default)]
    pub description: Option<String>,
    /// Created.
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
}

/// Something that happened in a tenant, kept for its admins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// Time-ordered id.
    pub id: String,
    /// The tenant.
    pub tenant_id: TenantId,
    /// What happened (`invitation.created`, `member.removed`, ...).
    pub action: String,
    /// Who did it (`None`: the system, e.g. the sweep, or an operator).
    pub actor: Option<UserId>,
    /// What it was done to (an invitation or user id).
    pub target: String,
    /// Details (role changes and the like; never tokens).
    #[serde(default)]
    pub details: serde_json::Value,
    /// When.
    pub at: Timestamp,
    /// What it was done to, as the API shows it, right after the change (`None`: deleted, or
    /// written before events carried it). Filled in from the same transaction's write of the
    /// target (`events::attach_resources`), so the host application's event needs no read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<serde_json::Value>,
}

/// A stored answer to a write sent with an `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdempotencyRecord {
    /// SHA-256 of method, path and body: the same key with another request is a conflict.
    pub request_hash: String,
    /// `None` while the first request is still being served.
    pub response: Option<StoredResponse>,
    /// After this the key may be reused.
    pub expires_at: Timestamp,
    /// The id the request's new resource gets, kept across tries of the same request: a try
    /// that committed but never answered (a timeout) is found again by its id, not redone.
    #[serde(default)]
    pub reserved_id: Option<String>,
}

/// The response replayed for a repeated idempotent request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredResponse {
    /// HTTP status.
    pub status: u16,
    /// Content type.
    pub content_type: String,
    /// Body (UTF-8: only JSON responses are stored).
    pub body: String,
    /// Headers a client acts on (`location`), replayed as they were.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// A body too large for one item is kept in this many part items beside the record
    /// (`body` is then empty), and `body_sha256` checks them when they are put back together.
    #[serde(default, skip_serializing_if = "is_zero_u32")]
    pub body_parts: u32,
    /// SHA-256 (hex) of a body kept in parts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_sha256: Option<String>,
}

fn is_zero_u32(n: &u32) -> bool {
    *n == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    fn invitation() -> Invitation {
        let now = t("2026-01-01T00:00:00Z");
        Invitation {
            id: InvitationId::parse("inv_1").unwrap(),
            tenant_id: TenantId::parse("ten_1").unwrap(),
            email: Email::parse("ada@example.com").unwrap(),
            role: RoleName::parse("member").unwrap(),
            workspaces: vec![],
            status: InvitationStatus::Pending,
            expires_at: t("2026-01-08T00:00:00Z"),
            created_at: now,
            updated_at: now,
            invited_by: InvitedBy { user_id: None, email: None, name: None },
            resend_count: 0,
            last_sent_at: None,
            delivery: Delivery::new_pending(now),
            profile: Profile::default(),
            locale: Locale::En,
            message: None,
            notifications: Notifications::default(),
            record_owner: false,
            metadata: None,
            ttl_days: 7,
            token_hash: crate::token::InvitationToken::from_random([0; 32]).hash(),
            accepted_by: None,
            closed_at: None,
            revoked_by: None,
            decline_reason: None,
            renewal_requested_at: None,
            reminded_at: None,
        }
    }

    #[test]
    fn only_a_pending_invitation_can_be_edited_and_the_edit_keeps_its_link() {
        let mut inv = invitation();
        let hash = inv.token_hash().clone();
        let later = t("2026-01-02T00:00:00Z");
        inv.edit(later, |i| i.role = RoleName::parse("viewer").unwrap()).unwrap();
        assert_eq!((inv.role.as_str(), inv.updated_at(), inv.token_hash()), ("viewer", later, &hash));
        assert_eq!(inv.expires_at(), t("2026-01-08T00:00:00Z"));
        let overdue = t("2026-01-09T00:00:00Z");
        let err = inv.edit(overdue, |i| i.role = RoleName::parse("admin").unwrap()).unwrap_err();
        assert_eq!(err.from, InvitationStatus::Expired);
        assert_eq!(inv.role.as_str(), "viewer");
        let mut revoked = invitation();
        revoked.revoke(None, later).unwrap();
        assert_eq!(revoked.edit(later, |_| {}).unwrap_err().from, InvitationStatus::Revoked);
    }

    #[test]
    fn a_pending_invitation_past_its_expiry_reads_as_expired() {
        let inv = invitation();
        assert_eq!(inv.status_at(t("2026-01-07T23:59:59Z")), InvitationStatus::Pending);
        assert_eq!(inv.status_at(t("2026-01-08T00:00:00Z")), InvitationStatus::Expired);
    }

    #[test]
    fn only_a_pending_invitation_can_be_accepted_declined_or_revoked() {
        let user = UserId::parse("usr_1").unwrap();
        let now = t("2026-01-02T00:00:00Z");
        let mut inv = invitation();
        inv.accept(&user, now).unwrap();
        assert_eq!(inv.status, InvitationStatus::Accepted);
        assert_eq!(inv.decline(None, now), Err(NotAllowed { from: InvitationStatus::Accepted }));
        assert_eq!(inv.revoke(None, now), Err(NotAllowed { from: InvitationStatus::Accepted }));
        assert_eq!(inv.accept(&user, now), Err(NotAllowed { from: InvitationStatus::Accepted }));
    }

    #[test]
    fn an_overdue_invitation_cannot_be_accepted() {
        let mut inv = invitation();
        let late = t("2026-02-01T00:00:00Z");
        let err = inv.accept(&UserId::parse("usr_1").unwrap(), late).unwrap_err();
        assert_eq!(err.from, InvitationStatus::Expired);
    }

    #[test]
    fn expiring_an_invitation_that_is_still_in_time_is_refused() {
        let mut inv = invitation();
        assert!(inv.expire(t("2026-01-02T00:00:00Z")).is_err());
        inv.expire(t("2026-01-09T00:00:00Z")).unwrap();
        assert_eq!(inv.status, InvitationStatus::Expired);
    }

    #[test]
    fn an_expired_invitation_can_be_rearmed_but_a_revoked_one_cannot() {
        let now = t("2026-01-09T00:00:00Z");
        let new_hash = crate::token::InvitationToken::from_random([5; 32]).hash();
        let mut inv = invitation();
        inv.expire(now).unwrap();
        inv.rearm(new_hash.clone(), t("2026-01-16T00:00:00Z"), now).unwrap();
        assert_eq!(inv.status_at(now), InvitationStatus::Pending);
        assert_eq!(inv.token_hash, new_hash);

        let mut revoked = invitation();
        revoked.revoke(None, t("2026-01-02T00:00:00Z")).unwrap();
        assert_eq!(revoked.rearm(new_hash, t("2026-01-16T00:00:00Z"), now).unwrap_err().from, InvitationStatus::Revoked);
    }

    #[test]
    fn a_claimed_send_is_not_claimable_again_until_the_claim_lapses_and_is_then_due_for_the_sweep() {
        let mut inv = invitation();
        let now = t("2026-01-01T00:00:00Z");
        assert!(inv.delivery_claimable(now), "queued");
        inv.claim_delivery(crate::token::InvitationToken::from_random([7; 32]).hash(), "send-1".into(), now);
        assert!(!inv.delivery_claimable(now.plus_seconds(DELIVERY_CLAIM_SECS - 1)), "held by its worker");
        assert!(!inv.delivery_due(now.plus_seconds(DELIVERY_CLAIM_SECS - 1)));
        assert!(inv.delivery_due(now.plus_seconds(DELIVERY_CLAIM_SECS)), "the sweep finds a lapsed claim");
        assert!(inv.requeue_delivery(now.plus_seconds(DELIVERY_CLAIM_SECS), 5));
        assert!(inv.delivery_claimable(now.plus_seconds(DELIVERY_CLAIM_SECS)), "and queues it again");
        inv.delivery_failed("throttled", now, 5);
        assert!(!inv.delivery_claimable(now), "a failed send waits for the sweep's retry");
        // The lapsed claim was the first attempt, so this second failure backs off five minutes.
        assert!(!inv.delivery_due(now.plus_seconds(4 * 60)));
        assert!(inv.delivery_due(now.plus_seconds(5 * 60)));
        inv.delivery_sent(now);
        assert!(!inv.delivery_claimable(now) && !inv.delivery_due(now.plus_seconds(86_400)), "sent: done");
    }

    #[test]
    fn an_address_that_bounced_complained_or_failed_for_good_gets_no_reminder() {
        let now = t("2026-01-01T00:00:00Z");
        let sent = || {
            let mut inv = invitation();
            inv.claim_delivery(crate::token::InvitationToken::from_random([7; 32]).hash(), "send-1".into(), now);
            inv.delivery_sent(now);
            inv
        };
        let reminder_time = t("2026-01-06T00:00:00Z");
        assert_eq!(sent().reminder_due_at(), Some(reminder_time), "a sent link is reminded");
        for feedback in [MailFeedback::Bounced, MailFeedback::Complained] {
            let mut inv = sent();
            assert!(inv.delivery_feedback(feedback, "report", Some("send-1"), now));
            assert_eq!(inv.reminder_due_at(), None, "{feedback:?}");
            assert_eq!(inv.due_at(), Some(inv.expires_at), "{feedback:?}: only the expiry is left");
            assert!(inv.remind(reminder_time).is_err(), "{feedback:?}");
            assert_eq!(inv.delivery().status, feedback.status(), "the console keeps showing it");
        }
        let mut failed = invitation();
        for _ in 0..5 {
            failed.delivery_failed("rejected", now, 5);
        }
        assert!(failed.delivery().gave_up());
        assert_eq!(failed.reminder_due_at(), None);
        assert!(failed.remind(reminder_time).is_err());
    }

    #[test]
    fn a_claim_that_lapses_counts_as_an_attempt_and_the_last_one_gives_up_with_the_reason() {
        let mut work = Delivery::new_pending(t("2026-01-01T00:00:00Z"));
        let mut now = t("2026-01-01T00:00:00Z");
        for attempt in 1..=3 {
            work.claim(now);
            now = now.plus_seconds(DELIVERY_CLAIM_SECS);
            let queued = work.requeue(now, 3);
            assert_eq!(work.attempts, attempt);
            assert_eq!(queued, attempt < 3, "attempt {attempt}");
        }
        assert!(work.gave_up(), "{work:?}");
        assert!(!work.due(now.plus_seconds(86_400)), "nothing queues it again");
        assert!(work.last_error.as_deref().is_some_and(|e| e.contains("time out")), "{work:?}");
        // A lost wake-up (never claimed) is not an attempt.
        let mut unclaimed = Delivery::new_pending(now);
        assert!(unclaimed.requeue(now.plus_seconds(QUEUED_GRACE_SECS), 1));
        assert_eq!(unclaimed.attempts, 0);
    }

    #[test]
    fn a_report_marks_only_the_send_it_is_about() {
        let now = t("2026-01-01T00:00:00Z");
        let mut inv = invitation();
        inv.claim_delivery(crate::token::InvitationToken::from_random([7; 32]).hash(), "first".into(), now);
        inv.delivery_sent(now);
        inv.remind(t("2026-01-06T00:00:00Z")).unwrap();
        inv.claim_delivery(crate::token::InvitationToken::from_random([8; 32]).hash(), "second".into(), now);
        inv.delivery_sent(now);
        assert!(!inv.delivery_feedback(MailFeedback::Bounced, "late report", Some("first"), now), "about the first email");
        assert!(!inv.delivery_feedback(MailFeedback::Bounced, "untagged", None, now), "about an email sent before send ids");
        assert_eq!(inv.delivery().status, DeliveryStatus::Sent);
        assert!(inv.delivery_feedback(MailFeedback::Bounced, "bounce", Some("second"), now));
        assert_eq!(inv.delivery().status, DeliveryStatus::Bounced);
        // A delivery recorded before send ids existed takes a report about its last send.
        let mut legacy = invitation();
        legacy.delivery_sent(now);
        assert!(legacy.delivery_feedback(MailFeedback::Complained, "complaint", None, now));
    }

    #[test]
    fn the_sweep_is_due_at_the_next_delivery_attempt_the_reminder_or_the_expiry_whichever_is_first() {
        let mut inv = invitation();
        assert_eq!(inv.due_at(), Some(t("2026-01-01T00:05:00Z")), "a queued email waits QUEUED_GRACE_SECS for its worker");
        inv.delivery.status = DeliveryStatus::Sent;
        inv.delivery.next_attempt_at = None;
        // A 7-day link: its reminder, 48 hours before it expires.
        assert_eq!(inv.due_at(), Some(t("2026-01-06T00:00:00Z")));
        inv.remind(t("2026-01-06T00:00:00Z")).unwrap();
        inv.delivery_sent(t("2026-01-06T00:00:01Z"));
        assert_eq!(inv.due_at(), Some(inv.expires_at), "reminded: only the expiry is left");
        // A link of 3 days or less gets no reminder.
        let mut short = invitation();
        short.ttl_days = 3;
        short.delivery_sent(t("2026-01-01T00:00:01Z"));
        assert_eq!(short.reminder_due_at(), None);
        assert_eq!(short.due_at(), Some(short.expires_at));
        inv.status = InvitationStatus::Accepted;
        assert_eq!(inv.due_at(), None);
    }

    #[test]
    fn delivery_retries_back_off_and_stop() {
        assert_eq!(next_retry_after(1, 5), Some(60));
        assert_eq!(next_retry_after(2, 5), Some(300));
        assert_eq!(next_retry_after(5, 5), None);
    }
}
