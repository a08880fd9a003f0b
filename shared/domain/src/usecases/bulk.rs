//! Many invitations in one call, each row judged on its own, with a review step (`dry_run`:
//! exactly what the real call would do now, writing nothing) and a per-row report.
//!
//! Rows are checked in order: the fields (`invitations[3].email`), an address twice in the
//! upload, the role (unknown, or one the caller may not grant), the address (already invited or
//! a member), then the seats, granted in row order. The rows that pass are written in chunks of
//! one transaction each (the rows' guards, invitations and audit events, and one count write
//! taking the chunk's seats). A chunk that fails a condition is re-judged: the row its failure
//! names gets its own answer (an address taken meanwhile), or, when the seats moved, the rows
//! past what is left get `seat_limit_reached`; the rest are written again. So two bulk calls
//! racing for the last seats never overshoot, and seats still go in row order within a call.
//!
//! The emails are not sent here: each saved invitation is queued (delivery `pending`, in the
//! chunk's own transaction) and each committed chunk wakes the delivery worker
//! (`usecases::delivery`), which sends at the mail service's pace with a fresh link. So a
//! 1000-row call answers in seconds and nothing is lost if a process stops midway.

use super::invite::{InviteCommand, InviteRequest};
use super::{GuardState, audit_event, delivery, expire_writes, read_guard, read_guards};
use crate::access::{self, AccessError};
use crate::context::{Deps, Principal};
use crate::error::{Context, ErrorCode, FieldError, Unexpected};
use crate::model::{EmailGuard, Invitation, WorkspaceHolder};
use crate::ports::{Committed, MAX_TRANSACTION_WRITES, Write};
use crate::roles::{Permission, Role, RoleName};
use crate::schema::{self, TenantCount};
use crate::values::{Email, InvitationId, TenantId, Workspace};
use crate::views::InvitationResource;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// Most rows one call takes.
pub const MAX_ROWS: usize = 1000;
/// How often one chunk is re-judged and written again before its rows are answered `unavailable`.
const CHUNK_TRIES: usize = 8;

/// A row as it arrived: parsed into an invitation request, or already refused (an uploaded row
/// whose cells could not be read).
#[derive(Debug, Clone)]
pub enum RawRow {
    /// The row's request.
    Request(Box<InviteRequest>),
    /// A row naming a directory person instead of an address (`directory_person_id`): the
    /// directory gives the address and the names the row leaves out.
    Person {
        /// The person's id, as sent.
        id: String,
        /// The rest of the row (its `email` is the directory's).
        request: Box<InviteRequest>,
    },
    /// Why the row could not be read.
    Unreadable(Vec<FieldError>),
    /// A directory person the row cannot invite (`missing_email`, `inactive_person`,
    /// `not_found`).
    Refused {
        /// The row's code.
        code: &'static str,
        /// A sentence.
        message: String,
        /// The person's address, if on file.
        email: Option<String>,
    },
}

/// What happened to a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Saved; its email follows.
    Invited,
    /// A dry run: the real call would invite it.
    WouldInvite,
    /// Refused; `code` says why.
    Error,
}

/// One row's answer.
#[derive(Debug, Clone, Serialize)]
pub struct RowResult {
    /// 1-based position in the upload (a CSV's or a sheet's header is row 0).
    pub row: usize,
    /// The directory person the row named, if it named one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub directory_person_id: Option<String>,
    /// The address as given (trimmed), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// What happened.
    pub outcome: Outcome,
    /// The stable code of an error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
    /// A sentence for an error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The row's field errors (`invalid_request`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// The invitation (saved, or as it would be).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invitation: Option<InvitationResource>,
}

/// Counts of a report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Rows received.
    pub rows: usize,
    /// Rows invited (absent on a dry run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invited: Option<usize>,
    /// Rows that would be invited (dry runs only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub would_invite: Option<usize>,
    /// Rows refused.
    pub errors: usize,
}

/// The report of a bulk call: one result per row, in order.
#[derive(Debug, Clone, Serialize)]
pub struct BulkReport {
    /// Whether nothing was written.
    pub dry_run: bool,
    /// One per row, in order.
    pub results: Vec<RowResult>,
    /// Counts.
    pub summary: Summary,
    /// Notes about the upload as a whole (unknown CSV or XLSX columns, ...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// What a bulk call can answer besides its report.
#[derive(Debug, thiserror::Error)]
pub enum BulkError {
    /// No rows, or a malformed upload.
    #[error("invalid bulk request")]
    Invalid(Vec<FieldError>),
    /// More than `MAX_ROWS` rows.
    #[error("a bulk call takes at most {MAX_ROWS} rows; this one has {0}")]
    TooManyRows(usize),
    /// No such tenant, or the caller is not in it.
    #[error("tenant not found")]
    NotFound,
    /// The caller may not invite.
    #[error("you may not invite people to this tenant")]
    Forbidden,
    /// Something broke.
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

crate::error_codes!(BulkError {
    BulkError::Invalid(e) => ErrorCode::InvalidRequest(e.clone()),
    BulkError::TooManyRows(_) => ErrorCode::PayloadTooLarge,
    BulkError::NotFound => ErrorCode::NotFound,
    BulkError::Forbidden => ErrorCode::Forbidden,
    BulkError::Unexpected(u) => u.code(),
});

impl From<AccessError> for BulkError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::NotFound => Self::NotFound,
            AccessError::Unexpected(u) => Self::Unexpected(u),
        }
    }
}

/// A row that passed every check so far, with the writes that save it.
struct Candidate {
    index: usize,
    invitation: Invitation,
    /// Its writes, without the chunk's seat count (guard, invitation, audit; plus the expiry of
    /// an overdue invitation that held the address, which hands over its seat).
    writes: Vec<Write>,
    /// Whether it needs a seat of its own (not when it inherits an overdue invitation's).
    takes_seat: bool,
    /// The workspaces of the overdue invitation it expires, if any (their counters go down).
    freed_workspaces: Vec<Workspace>,
}

fn refuse(result: &mut RowResult, code: &'static str, message: impl Into<String>) {
    result.outcome = Outcome::Error;
    result.code = Some(code);
    result.message = Some(message.into());
}

/// A caller allowed to invite people to a tenant in bulk. Obtained from `authorize` before an
/// upload is read, so a stranger's file is never parsed (a hostile workbook costs its parse).
#[derive(Debug)]
pub struct BulkInviter {
    actor: access::Actor,
    tenant: TenantId,
}

/// Checks that the caller may invite to `tenant`: `NotFound` for a stranger, `Forbidden` for a
/// member without `invitations.create`.
pub async fn authorize(deps: &Deps, principal: &Principal, tenant: &TenantId) -> Result<BulkInviter, BulkError> {
    let actor = access::member_of(deps, principal, tenant).await?;
    if !actor.can(Permission::InvitationsCreate) {
        return Err(BulkError::Forbidden);
    }
    Ok(BulkInviter { actor, tenant: tenant.clone() })
}

/// Invites every row it can, or (`dry_run`) says what it would do.
#[tracing::instrument(skip_all, fields(tenant = %inviter.tenant, rows = rows.len(), dry_run))]
pub async fn bulk_invite(
    deps: &Deps,
    inviter: BulkInviter,
    rows: Vec<RawRow>,
    dry_run: bool,
    warnings: Vec<String>,
) -> Result<BulkReport, BulkError> {
    if rows.is_empty() {
        return Err(BulkError::Invalid(vec![FieldError::new("invitations", "required", "send at least one row")]));
    }
    if rows.len() > MAX_ROWS {
        return Err(BulkError::TooManyRows(rows.len()));
    }
    let BulkInviter { actor, tenant } = inviter;
    let tenant = &tenant;
    let table = deps.table.as_ref();
    let t = access::load_tenant(table, tenant).await?.ok_or(BulkError::NotFound)?;
    let now = deps.now();

    let persons: Vec<Option<String>> =
        rows.iter().map(|r| if let RawRow::Person { id, .. } = r { Some(id.clone()) } else { None }).collect();
    let rows = resolve_people(deps, tenant, rows).await?;
    let mut results: Vec<RowResult> = Vec::with_capacity(rows.len());
    let mut seen: HashSet<Email> = HashSet::new();
    let mut roles: BTreeMap<RoleName, Option<Role>> = BTreeMap::new();
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut seats_left = t.value.seats_available();
    // Who holds each address, read for every row at once (batched reads, not one or two per
    // row); rows whose address does not parse are refused below without a read.
    let addresses: Vec<Email> = {
        let mut unique = HashSet::new();
        rows.iter()
            .filter_map(|r| match r {
                RawRow::Request(r) => r.email.as_deref().and_then(|e| Email::parse(e).ok()),
                _ => None,
            })
            .filter(|e| unique.insert(e.clone()))
            .collect()
    };
    let mut guards = read_guards(deps, tenant, &addresses).await?;
    for (index, raw) in rows.into_iter().enumerate() {
        let field = |f: &str| format!("invitations[{index}].{f}");
        let mut result = RowResult {
            row: index + 1,
            directory_person_id: persons[index].clone(),
            email: None,
            outcome: Outcome::Error,
            code: None,
            message: None,
            errors: None,
            invitation: None,
        };
        let request = match raw {
            RawRow::Request(r) => r,
            RawRow::Refused { code, message, email } => {
                result.code = Some(code);
                result.message = Some(message);
                result.email = email;
                results.push(result);
                continue;
            }
            // Resolved above.
            RawRow::Person { .. } => {
                result.code = Some("not_found");
                results.push(result);
                continue;
            }
            RawRow::Unreadable(errors) => {
                result.code = Some("invalid_request");
                result.message = errors.first().map(|e| e.message.clone());
                result.errors = Some(errors);
                results.push(result);
                continue;
            }
        };
        result.email = request.email.as_deref().map(|e| e.trim().to_owned());
        let cmd = match InviteCommand::parse(&request, deps.settings.max_ttl_days) {
            Ok(cmd) => cmd,
            Err(errors) => {
                let errors: Vec<FieldError> = errors.into_iter().map(|e| FieldError { field: field(&e.field), ..e }).collect();
                result.code = Some("invalid_request");
                result.message = errors.first().map(|e| e.message.clone());
                result.errors = Some(errors);
                results.push(result);
                continue;
            }
        };
        let cmd = match cmd.for_tenant(&t.value) {
            Ok(cmd) => cmd,
            Err(errors) => {
                let unknown = errors.iter().any(|e| e.field == "workspaces" && e.code == "unknown_workspace");
                let errors: Vec<FieldError> = errors.into_iter().map(|e| FieldError { field: field(&e.field), ..e }).collect();
                result.code = Some(if unknown { "unknown_workspace" } else { "invalid_request" });
                result.message = errors.first().map(|e| e.message.clone());
                result.errors = Some(errors);
                results.push(result);
                continue;
            }
        };
        if !t.value.allows(&cmd.email) {
            refuse(
                &mut result,
                "domain_not_allowed",
                format!("this tenant only invites addresses at {}", t.value.allowed_domains.join(", ")),
            );
            results.push(result);
            continue;
        }
        if !seen.insert(cmd.email.clone()) {
            refuse(&mut result, "duplicate_in_upload", "this address is on an earlier row of the upload");
            results.push(result);
            continue;
        }
        let role = match roles.get(&cmd.role) {
            Some(r) => r.clone(),
            None => {
                let r = access::resolve_role(table, tenant, &cmd.role).await?;
                roles.insert(cmd.role.clone(), r.clone());
                r
            }
        };
        let Some(role) = role else {
            refuse(&mut result, "unknown_role", format!("the tenant has no role '{}'", cmd.role));
            results.push(result);
            continue;
        };
        if !actor.role.may_grant(&role) {
            refuse(&mut result, "role_not_grantable", format!("you cannot grant the role '{}'", role.name));
            results.push(result);
            continue;
        }
        let mut writes = Vec::new();
        let mut freed_workspaces = Vec::new();
        let state = match guards.remove(&cmd.email) {
            Some(state) => state,
            None => read_guard(deps, tenant, &cmd.email).await?,
        };
        let (guard_version, takes_seat) = match state {
            GuardState::Member => {
                refuse(&mut result, "already_member", format!("{} is already a member", cmd.email));
                results.push(result);
                continue;
            }
            GuardState::Invited(_) => {
                refuse(&mut result, "already_invited", format!("{} already has a pending invitation", cmd.email));
                results.push(result);
                continue;
            }
            GuardState::Free => (None, true),
            GuardState::Stale { guard_version, overdue } => match overdue.as_ref().and_then(|o| Some((o, expire_writes(deps, o)?))) {
                Some((o, w)) => {
                    writes.extend(w);
                    freed_workspaces = o.value.workspaces.clone();
                    (Some(guard_version), false)
                }
                None => (Some(guard_version), true),
            },
        };
        if takes_seat {
            match &mut seats_left {
                Some(0) => {
                    refuse(&mut result, "seat_limit_reached", "the tenant has no free seat for this row");
                    results.push(result);
                    continue;
                }
                Some(n) => *n -= 1,
                None => {}
            }
        }
        let id = InvitationId::from_uuid(deps.new_uuid());
        // The link is minted by the delivery worker when it sends the email: this hash is never sent.
        let invitation = cmd.invitation(&super::invite::Inviter::member(&actor), &t.value, id.clone(), deps.new_token().hash(), now);
        let event = audit_event(
            deps,
            tenant,
            Some(&actor.user.id),
            "invitation.created",
            id.as_str(),
            serde_json::json!({ "role": invitation.role, "email_domain": invitation.email.domain(), "bulk": true }),
        );
        writes.extend([
            schema::guard_write(tenant, &cmd.email, &EmailGuard::Invitation { invitation_id: id }, guard_version),
            schema::create(&invitation),
            schema::audit_write(&event),
        ]);
        result.outcome = if dry_run { Outcome::WouldInvite } else { Outcome::Invited };
        result.invitation = Some(InvitationResource::of(&invitation, now));
        candidates.push(Candidate { index: results.len(), invitation, writes, takes_seat, freed_workspaces });
        results.push(result);
    }

    if !dry_run {
        write_in_chunks(deps, tenant, (t.value.seat_limit, t.value.workspaces_rev), candidates, &mut results).await?;
    }
    let errors = results.iter().filter(|r| r.outcome == Outcome::Error).count();
    let done = results.len() - errors;
    let summary = Summary { rows: results.len(), invited: (!dry_run).then_some(done), would_invite: dry_run.then_some(done), errors };
    tracing::info!(rows = summary.rows, done, errors, dry_run, "bulk invitation done");
    Ok(BulkReport { dry_run, results, summary, warnings })
}

/// Writes the candidates in transactions of at most `MAX_TRANSACTION_WRITES` writes.
async fn write_in_chunks(
    deps: &Deps,
    tenant: &TenantId,
    (limit_read, workspaces_read): (Option<u32>, u64),
    candidates: Vec<Candidate>,
    results: &mut [RowResult],
) -> Result<(), Unexpected> {
    let mut limit = limit_read;
    let mut workspaces_rev = workspaces_read;
    let mut queue = candidates.into_iter().peekable();
    while queue.peek().is_some() {
        // Fill a chunk, leaving room for its seat count.
        let mut chunk = Vec::new();
        let mut size = 1;
        while let Some(c) = queue.peek() {
            if size + c.writes.len() > MAX_TRANSACTION_WRITES {
                break;
            }
            size += c.writes.len();
            chunk.extend(queue.next());
        }
        for _ in 0..CHUNK_TRIES {
            if chunk.is_empty() {
                break;
            }
            let seats = u32::try_from(chunk.iter().filter(|c| c.takes_seat).count()).unwrap_or(u32::MAX);
            let mut writes: Vec<Write> = Vec::with_capacity(size);
            let mut owner_of_write = Vec::with_capacity(size);
            for (i, c) in chunk.iter().enumerate() {
                writes.extend(c.writes.iter().cloned());
                owner_of_write.extend(std::iter::repeat_n(Some(i), c.writes.len()));
            }
            // The chunk's one write on the tenant: its seats, and "the workspaces are as read".
            let take = if seats > 0 {
                schema::expecting(
                    schema::tenant_counts(tenant, TenantCount::TakePending { n: seats, limit }),
                    schema::workspaces_as_read(workspaces_rev),
                )
            } else {
                schema::workspaces_unchanged(tenant, workspaces_rev)
            };
            // ... and the workspace counters of the rows saved and of the overdue ones expired.
            let changes: Vec<(WorkspaceHolder, &[Workspace], i64)> = chunk
                .iter()
                .flat_map(|c| {
                    [(WorkspaceHolder::Pending, &c.invitation.workspaces[..], 1), (WorkspaceHolder::Pending, &c.freed_workspaces[..], -1)]
                })
                .collect();
            writes.push(schema::counting_workspaces(take, &changes));
            owner_of_write.push(None);
            match deps.table.transact(writes).await.context("saving a chunk of bulk invitations")? {
                Committed::Yes => {
                    delivery::enqueue(deps, chunk.drain(..).map(|c| delivery::invitation_job(&c.invitation)).collect()).await;
                    break;
                }
                Committed::ConditionFailed { at } => match owner_of_write.get(at).copied().flatten() {
                    // A row's address was taken meanwhile: that row gets its own answer.
                    Some(i) => {
                        let c = chunk.remove(i);
                        let r = &mut results[c.index];
                        r.invitation = None;
                        match read_guard(deps, tenant, &c.invitation.email).await? {
                            GuardState::Member => refuse(r, "already_member", format!("{} is already a member", c.invitation.email)),
                            GuardState::Invited(_) => {
                                refuse(r, "already_invited", format!("{} already has a pending invitation", c.invitation.email));
                            }
                            GuardState::Free | GuardState::Stale { .. } => {
                                refuse(r, "unavailable", "this address changed while the upload was saved; send this row again");
                            }
                        }
                    }
                    // The seats moved (another call took some), or the workspaces changed:
                    // keep the rows that still fit, in row order.
                    None => {
                        let Some(t) = access::load_tenant(deps.table.as_ref(), tenant).await? else { return Ok(()) };
                        limit = t.value.seat_limit;
                        workspaces_rev = t.value.workspaces_rev;
                        let mut free = t.value.seats_available();
                        chunk.retain(|c| {
                            if let Err(e) = t.value.check_workspaces(&c.invitation.workspaces, false) {
                                let r = &mut results[c.index];
                                r.invitation = None;
                                refuse(r, "unknown_workspace", e.message);
                                return false;
                            }
                            if !c.takes_seat {
                                return true;
                            }
                            match &mut free {
                                Some(0) => {
                                    let r = &mut results[c.index];
                                    r.invitation = None;
                                    refuse(r, "seat_limit_reached", "the tenant has no free seat for this row");
                                    false
                                }
                                Some(n) => {
                                    *n -= 1;
                                    true
                                }
                                None => true,
                            }
                        });
                    }
                },
            }
        }
        // Still not written after every try: those rows are told to try again.
        for c in chunk {
            let r = &mut results[c.index];
            r.invitation = None;
            refuse(r, "unavailable", "too many concurrent changes; send this row again");
        }
    }
    Ok(())
}

/// Rows that name directory people become rows with their address (and the names the row left
/// out), or are refused: no such person (`not_found`), no address on file (`missing_email`,
/// the seed's "no email address on file"), or no longer at the company (`inactive_person`).
/// One batched read per hundred people.
async fn resolve_people(deps: &Deps, tenant: &TenantId, rows: Vec<RawRow>) -> Result<Vec<RawRow>, Unexpected> {
    use crate::directory::DirectoryPerson;
    use crate::values::PersonId;
    let ids: Vec<PersonId> = rows
        .iter()
        .filter_map(|r| if let RawRow::Person { id, .. } = r { PersonId::parse(id).ok() } else { None })
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    if ids.is_empty() {
        return Ok(rows);
    }
    let mut people: BTreeMap<PersonId, DirectoryPerson> = BTreeMap::new();
    for chunk in ids.chunks(100) {
        let keys: Vec<_> = chunk.iter().map(|p| schema::person_key(tenant, p)).collect();
        for item in deps.table.get_many(&keys).await.context("reading directory people")?.into_iter().flatten() {
            let p: schema::Versioned<DirectoryPerson> =
                schema::decode(item).map_err(|source| Unexpected { context: "decoding directory person", source })?;
            people.insert(p.value.id.clone(), p.value);
        }
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let RawRow::Person { id, mut request } = row else { return row };
            let person = PersonId::parse(&id).ok().and_then(|p| people.get(&p));
            let Some(person) = person else {
                return RawRow::Refused { code: "not_found", message: "the directory has no such person".into(), email: None };
            };
            let email = person.email.as_ref().map(ToString::to_string);
            if !person.active {
                return RawRow::Refused {
                    code: "inactive_person",
                    message: "the person is no longer active in the directory".into(),
                    email,
                };
            }
            let Some(address) = email else {
                return RawRow::Refused { code: "missing_email", message: "no email address on file for this person".into(), email: None };
            };
            request.email = Some(address);
            let fill = |given: &mut Option<String>, known: &str| {
                if given.is_none() && !known.trim().is_empty() {
                    *given = Some(known.trim().chars().take(100).collect());
                }
            };
            fill(&mut request.profile.first_name, &person.first_name);
            fill(&mut request.profile.last_name, &person.last_name);
            fill(&mut request.profile.phone, &person.phone);
            fill(&mut request.profile.employee_number, &person.employee_number);
            fill(&mut request.profile.company, &person.company);
            RawRow::Request(request)
        })
        .collect())
}

/// The columns a CSV or XLSX upload may have (`workspaces` separated by `;`).
pub const CSV_COLUMNS: [&str; 11] = [
    "email",
    "role",
    "first_name",
    "last_name",
    "phone",
    "employee_number",
    "company",
    "workspaces",
    "locale",
    "expires_in_days",
    "message",
];

/// Reads a CSV upload (UTF-8, a header row, `,` separated; a spreadsheet's BOM is fine) into rows.
/// Unknown columns are reported as warnings, not refused; an empty cell is an absent field, so a
/// row without an email is that row's `invalid_request` ("no email on file").
pub fn rows_from_csv(bytes: &[u8]) -> Result<(Vec<RawRow>, Vec<String>), BulkError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).trim(csv::Trim::All).from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| upload_error("invalid_csv", format!("the header row cannot be read: {e}")))?
        .iter()
        .map(str::to_owned)
        .collect();
    let records =
        reader.into_records().map(|record| record.map(|r| move |i: usize| r.get(i).map(str::to_owned)).map_err(|e| e.to_string()));
    rows_from_table("invalid_csv", &headers, records)
}

/// Reads an XLSX upload (its first sheet, in workbook order) into rows, as `rows_from_csv` does a
/// CSV: the first row with a value is the header row, the rows under it are the invitations (a
/// row with no value at all is skipped, as a blank CSV line is). A number is its digits (a phone
/// or an employee number typed as a number has no `.0`), a date `YYYY-MM-DD` (with `THH:MM:SS`
/// when it has a time), a boolean `true`/`false`, an error cell its text (`#N/A`).
///
/// The sheet is streamed cell by cell under budgets, never read as a rectangle: a workbook
/// declaring a far corner cell (`XFD1048576`) costs what its cells cost, not a billion empty
/// ones, and a cell's text is measured before it is copied. An XLSX can make every cell point
/// at one shared string, so a 6 KB file could otherwise stand for gigabytes of cells: a cell
/// over `MAX_CELL_BYTES`, more than `MAX_UPLOAD_CELL_BYTES` in all, or a row past `MAX_ROWS`
/// ends the read at once. Cells in columns without a header are never copied.
pub fn rows_from_xlsx(bytes: &[u8]) -> Result<(Vec<RawRow>, Vec<String>), BulkError> {
    use calamine::{Data, Reader, Xlsx};
    let bad = |message: String| upload_error("invalid_xlsx", message);
    expanded_size_within_budget(bytes).map_err(bad)?;
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| bad(format!("the body is not a readable XLSX workbook: {e}")))?;
    let first = workbook.sheet_names().into_iter().next().ok_or_else(|| bad("the workbook has no sheet".into()))?;
    let mut cells = workbook.worksheet_cells_reader(&first).map_err(|e| bad(format!("the first sheet cannot be read: {e}")))?;
    // The header row's cells (column, text), then each row's cells under a named column.
    let mut headers: Option<Vec<(u32, String)>> = None;
    let mut rows: Vec<Vec<(u32, String)>> = Vec::new();
    let mut current: Option<(u32, Vec<(u32, String)>)> = None;
    let mut kept_bytes = 0usize;
    // Rows under the header past `MAX_ROWS`: counted for the answer, never kept.
    let mut rows_past_limit = 0usize;
    while let Some(cell) = cells.next_cell().map_err(|e| bad(format!("the first sheet cannot be read: {e}")))? {
        let (row, column) = cell.get_position();
        let value = cell.get_value();
        if cell_is_blank(value) {
            continue;
        }
        if current.as_ref().is_none_or(|(r, _)| *r != row) {
            if let Some((_, values)) = current.take() {
                match &headers {
                    None => headers = Some(values),
                    Some(_) => rows.push(values),
                }
            }
            if headers.is_some() && rows.len() >= MAX_ROWS {
                rows_past_limit += 1;
                continue;
            }
            current = Some((row, Vec::new()));
        }
        let Some((_, values)) = current.as_mut() else { continue };
        if headers.as_ref().is_some_and(|h| !h.iter().any(|(c, _)| *c == column)) {
            continue;
        }
        let len = cell_text_len(value);
        if len > MAX_CELL_BYTES {
            return Err(bad(format!(
                "the cell at row {}, column {} holds more than {} KiB; no field Usher reads is that long",
                row + 1,
                column + 1,
                MAX_CELL_BYTES / 1024
            )));
        }
        kept_bytes += len;
        if kept_bytes > MAX_UPLOAD_CELL_BYTES {
            return Err(bad(format!(
                "the sheet's cells hold more than {} MiB of text; send at most {MAX_ROWS} rows of invitations",
                MAX_UPLOAD_CELL_BYTES / (1024 * 1024)
            )));
        }
        if let Some(text) = cell_text(&Data::from(value.clone())) {
            values.push((column, text));
        }
    }
    if let Some((_, values)) = current.take() {
        match &headers {
            None => headers = Some(values),
            Some(_) => rows.push(values),
        }
    }
    if rows_past_limit > 0 {
        return Err(BulkError::TooManyRows(rows.len() + rows_past_limit));
    }
    let headers = headers.unwrap_or_default();
    let names: Vec<String> = headers.iter().map(|(_, h)| h.clone()).collect();
    let columns: Vec<u32> = headers.iter().map(|(c, _)| *c).collect();
    let columns = &columns;
    let records = rows.into_iter().map(|row| {
        Ok::<_, String>(move |i: usize| columns.get(i).and_then(|c| row.iter().find(|(rc, _)| rc == c)).map(|(_, v)| v.clone()))
    });
    rows_from_table("invalid_xlsx", &names, records)
}

/// The longest cell an upload may hold in a column Usher reads: a message is at most 1000
/// characters (4000 bytes); nothing else is near.
pub const MAX_CELL_BYTES: usize = 16 * 1024;

/// The most text an upload's read cells may hold in all, counted as they are read: 1000 rows of
/// the longest fields come to well under this.
pub const MAX_UPLOAD_CELL_BYTES: usize = 4 * 1024 * 1024;

/// Whether a cell has no value (nothing, or only white space), judged without copying it.
pub(crate) fn cell_is_blank(cell: &calamine::DataRef<'_>) -> bool {
    use calamine::DataRef;
    match cell {
        DataRef::Empty => true,
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.trim().is_empty(),
        DataRef::SharedString(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// The bytes a cell's text takes, measured without copying it (a shared string is a reference
/// into the workbook's one table; copying it is what a hostile workbook counts on).
pub(crate) fn cell_text_len(cell: &calamine::DataRef<'_>) -> usize {
    use calamine::DataRef;
    match cell {
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.len(),
        DataRef::SharedString(s) => s.len(),
        // A number, date, boolean or error prints in a few dozen bytes.
        _ => 32,
    }
}

/// The most an XLSX upload may expand to, all its parts uncompressed. A workbook of 1000
/// invitations is well under 1 MiB; a few megabytes of zip can expand to gigabytes, which would
/// end the process (and every request it serves) before any row limit applied.
pub const MAX_XLSX_EXPANDED_BYTES: u64 = 20 * 1024 * 1024;

/// Decompresses every part of the workbook once, counting, and stops at the budget. Counts what
/// the parts really expand to, not the sizes their headers declare (a bomb may lie there).
fn expanded_size_within_budget(bytes: &[u8]) -> Result<(), String> {
    expanded_size_within(bytes, MAX_XLSX_EXPANDED_BYTES, MAX_UPLOAD_CELL_BYTES as u64).map_err(|e| match e.as_str() {
        m if m.contains("of text") => format!("{m}; send at most {MAX_ROWS} rows of invitations"),
        m if m.contains("expands to") => format!("{m}; send at most {MAX_ROWS} rows, or a CSV"),
        m => m.to_owned(),
    })
}

/// `expanded_size_within_budget` with the caller's budgets: all parts together at most
/// `max_expanded`, the shared-string table (which the reader holds whole) at most `max_strings`.
pub(crate) fn expanded_size_within(bytes: &[u8], max_expanded: u64, max_strings: u64) -> Result<(), String> {
    use std::io::Read as _;
    let unreadable = |e: &dyn std::fmt::Display| format!("the body is not a readable XLSX workbook: {e}");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).map_err(|e| unreadable(&e))?;
        let shared_strings = part.name().eq_ignore_ascii_case("xl/sharedStrings.xml");
        let left = max_expanded - total;
        let size = std::io::copy(&mut (&mut part).take(left + 1), &mut std::io::sink()).map_err(|e| unreadable(&e))?;
        if shared_strings && size > max_strings {
            return Err(format!("the workbook holds more than {} MiB of text", max_strings / (1024 * 1024)));
        }
        total += size;
        if total > max_expanded {
            return Err(format!("the workbook expands to more than {} MiB", max_expanded / (1024 * 1024)));
        }
    }
    Ok(())
}

/// A spreadsheet cell as the text a CSV would have had; `None` for an empty cell.
pub(crate) fn cell_text(cell: &calamine::Data) -> Option<String> {
    use calamine::Data;
    let text = match cell {
        Data::Empty => return None,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) if d.is_duration() => number_text(d.as_f64()),
        Data::DateTime(d) => {
            let (y, mo, day, h, mi, s, _) = d.to_ymd_hms_milli();
            if d.as_f64() < 1.0 {
                format!("{h:02}:{mi:02}:{s:02}")
            } else if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{day:02}")
            } else {
                format!("{y:04}-{mo:02}-{day:02}T{h:02}:{mi:02}:{s:02}")
            }
        }
        Data::Error(e) => e.to_string(),
    };
    Some(text)
}

/// A number as a person typed it: `4915112345678`, not `4915112345678.0`; `2.5` stays `2.5`.
fn number_text(f: f64) -> String {
    // Exactly representable whole numbers (below 2^53) print as integers; -0 is 0.
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 { (f as i64).to_string() } else { f.to_string() }
}

fn upload_error(code: &'static str, message: String) -> BulkError {
    BulkError::Invalid(vec![FieldError::new("body", code, message)])
}

/// The column mapping every upload shares: a header row (matched without regard to case or
/// surrounding spaces) and the records under it, each a getter of its cell in a header's
/// column (`None` or blank: absent) or the reason it could not be read (`code`, the upload's
/// own: `invalid_csv`, `invalid_xlsx`). Unknown columns become warnings; no `email` column is
/// the whole upload's error; more than `MAX_ROWS` records is `TooManyRows` with their count.
fn rows_from_table<F>(
    code: &'static str,
    headers: &[String],
    records: impl Iterator<Item = Result<F, String>>,
) -> Result<(Vec<RawRow>, Vec<String>), BulkError>
where
    F: Fn(usize) -> Option<String>,
{
    let headers: Vec<String> = headers.iter().map(|h| h.trim().to_ascii_lowercase()).collect();
    if !headers.iter().any(|h| h == "email") {
        return Err(upload_error(code, "the header row has no `email` column".into()));
    }
    let warnings: Vec<String> = headers
        .iter()
        .filter(|h| !h.is_empty() && !CSV_COLUMNS.contains(&h.as_str()))
        .map(|h| format!("the column `{h}` is not one Usher reads; it was ignored"))
        .collect();
    let mut rows = Vec::new();
    let mut records = records.enumerate();
    while let Some((index, record)) = records.next() {
        if index >= MAX_ROWS {
            return Err(BulkError::TooManyRows(index + 1 + records.count()));
        }
        let record = match record {
            Ok(r) => r,
            Err(message) => {
                rows.push(RawRow::Unreadable(vec![FieldError::new(format!("invitations[{index}]"), code, message)]));
                continue;
            }
        };
        let cell =
            |name: &str| headers.iter().position(|h| h == name).and_then(&record).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let mut request = InviteRequest {
            email: cell("email"),
            role: cell("role"),
            workspaces: cell("workspaces")
                .map(|w| w.split(';').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
                .unwrap_or_default(),
            locale: cell("locale"),
            message: cell("message"),
            ..InviteRequest::default()
        };
        request.profile.first_name = cell("first_name");
        request.profile.last_name = cell("last_name");
        request.profile.phone = cell("phone");
        request.profile.employee_number = cell("employee_number");
        request.profile.company = cell("company");
        match cell("expires_in_days").map(|d| d.parse::<i64>()) {
            None => {}
            Some(Ok(d)) => request.expires_in_days = Some(d),
            Some(Err(_)) => {
                rows.push(RawRow::Unreadable(vec![FieldError::new(
                    format!("invitations[{index}].expires_in_days"),
                    "invalid_number",
                    "expires_in_days must be a whole number of days",
                )]));
                continue;
            }
        }
        rows.push(RawRow::Request(Box::new(request)));
    }
    Ok((rows, warnings))
}

/// The report as CSV (the "Invitations Report" and "Errors Report" people download): one line
/// per row, RFC 4180, with a BOM for spreadsheet apps and every cell neutralised against
/// formulas.
pub fn report_csv(report: &BulkReport) -> String {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let _ = w.write_record(["row", "email", "outcome", "code", "message", "invitation_id", "role", "expires_at"]);
    for r in &report.results {
        let outcome = match r.outcome {
            Outcome::Invited => "invited",
            Outcome::WouldInvite => "would_invite",
            Outcome::Error => "error",
        };
        let message = match &r.errors {
            Some(errors) => errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "),
            None => r.message.clone().unwrap_or_default(),
        };
        let inv = r.invitation.as_ref();
        let _ = w.write_record([
            r.row.to_string(),
            super::export::neutralise(r.email.as_deref().unwrap_or_default()),
            outcome.to_owned(),
            r.code.unwrap_or_default().to_owned(),
            super::export::neutralise(&message),
            inv.map(|i| i.id.to_string()).unwrap_or_default(),
            inv.map(|i| i.role.to_string()).unwrap_or_default(),
            inv.map(|i| i.expires_at.to_string()).unwrap_or_default(),
        ]);
    }
    let body = w.into_inner().unwrap_or_default();
    format!("\u{FEFF}{}", String::from_utf8_lossy(&body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

    fn requests(rows: &[RawRow]) -> Vec<String> {
        rows.iter().map(|r| format!("{r:?}")).collect()
    }

    /// A workbook whose first sheet holds `cells` (strings; `""` is no cell) and a second sheet
    /// that must never be read.
    fn workbook(cells: &[&[&str]]) -> Vec<u8> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        for (r, row) in cells.iter().enumerate() {
            for (c, cell) in row.iter().enumerate().filter(|(_, c)| !c.is_empty()) {
                sheet.write_string(r as u32, c as u16, *cell).unwrap();
            }
        }
        let other = book.add_worksheet();
        other.write_string(0, 0, "email").unwrap();
        other.write_string(1, 0, "second-sheet@example.com").unwrap();
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn csv_and_xlsx_uploads_share_one_column_mapping() {
        let table: &[&[&str]] = &[
            &[" Email ", "ROLE", "First_Name", "phone", "Workspaces", "expires_in_days", "Badge"],
            &["ada@example.com", "admin", "Ada", "+44 20 7946 0000", "north; south;", "7", "x"],
            &["", "viewer", "No", "", "", "", ""],
            &["bob@example.com", "", "", "", "", "soon", ""],
        ];
        let csv: String = table.iter().map(|row| format!("{}\r\n", row.join(","))).collect();
        let (from_csv, csv_warnings) = rows_from_csv(csv.as_bytes()).unwrap();
        let (from_xlsx, xlsx_warnings) = rows_from_xlsx(&workbook(table)).unwrap();
        assert_eq!(requests(&from_xlsx), requests(&from_csv));
        assert_eq!(xlsx_warnings, csv_warnings);
        assert_eq!(xlsx_warnings, ["the column `badge` is not one Usher reads; it was ignored"]);
        let RawRow::Request(ada) = &from_xlsx[0] else { panic!("{:?}", from_xlsx[0]) };
        assert_eq!(ada.email.as_deref(), Some("ada@example.com"));
        assert_eq!(ada.workspaces, ["north", "south"]);
        assert_eq!(ada.expires_in_days, Some(7));
        assert_eq!(ada.profile.phone.as_deref(), Some("+44 20 7946 0000"));
        let RawRow::Request(no_email) = &from_xlsx[1] else { panic!("{:?}", from_xlsx[1]) };
        assert_eq!((no_email.email.as_deref(), no_email.role.as_deref()), (None, Some("viewer")));
        let RawRow::Unreadable(errors) = &from_xlsx[2] else { panic!("{:?}", from_xlsx[2]) };
        assert_eq!((errors[0].field.as_str(), errors[0].code.as_str()), ("invitations[2].expires_in_days", "invalid_number"));
    }

    #[test]
    fn spreadsheet_cells_come_out_as_the_text_a_person_typed() {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let stamp = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
        for (c, h) in ["email", "phone", "employee_number", "expires_in_days", "company", "first_name", "last_name"].iter().enumerate() {
            sheet.write_string(1, c as u16, *h).unwrap(); // the header row need not be the first row
        }
        sheet.write_string(2, 0, "ada@example.com").unwrap();
        sheet.write_number(2, 1, 4_915_112_345_678.0).unwrap();
        sheet.write_number(2, 2, 1042.0).unwrap();
        sheet.write_number(2, 3, 7.0).unwrap();
        sheet.write_number(2, 4, 2.5).unwrap();
        sheet.write_datetime_with_format(2, 5, ExcelDateTime::from_ymd(2026, 12, 1).unwrap(), &date).unwrap();
        sheet.write_datetime_with_format(2, 6, ExcelDateTime::from_ymd(2026, 12, 1).unwrap().and_hms(13, 45, 0).unwrap(), &stamp).unwrap();
        // Row 4 is blank (skipped, as a blank CSV line is); row 5 has a boolean and a negative zero.
        sheet.write_string(4, 0, "bob@example.com").unwrap();
        sheet.write_boolean(4, 4, true).unwrap();
        sheet.write_number(4, 1, -0.0).unwrap();
        // A value under no header is no field.
        sheet.write_string(4, 9, "stray").unwrap();
        let (rows, warnings) = rows_from_xlsx(&book.save_to_buffer().unwrap()).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(rows.len(), 2, "{rows:?}");
        let RawRow::Request(ada) = &rows[0] else { panic!("{:?}", rows[0]) };
        assert_eq!(ada.profile.phone.as_deref(), Some("4915112345678"));
        assert_eq!(ada.profile.employee_number.as_deref(), Some("1042"));
        assert_eq!(ada.expires_in_days, Some(7));
        assert_eq!(ada.profile.company.as_deref(), Some("2.5"));
        assert_eq!(ada.profile.first_name.as_deref(), Some("2026-12-01"));
        assert_eq!(ada.profile.last_name.as_deref(), Some("2026-12-01T13:45:00"));
        let RawRow::Request(bob) = &rows[1] else { panic!("{:?}", rows[1]) };
        assert_eq!((bob.profile.company.as_deref(), bob.profile.phone.as_deref()), (Some("true"), Some("0")));
    }

    #[test]
    fn an_unreadable_workbook_or_one_without_an_email_column_is_invalid_xlsx() {
        for (body, why) in [
            (b"email\r\nada@example.com\r\n".to_vec(), "a CSV is not a workbook"),
            (Vec::new(), "an empty body"),
            (workbook(&[&["name"], &["Ada"]]), "no email column"),
            (workbook(&[]), "an empty sheet"),
        ] {
            let Err(BulkError::Invalid(errors)) = rows_from_xlsx(&body) else { panic!("{why}: not refused") };
            assert_eq!((errors[0].field.as_str(), errors[0].code.as_str()), ("body", "invalid_xlsx"), "{why}");
        }
    }

    #[test]
    fn a_workbook_that_expands_past_the_budget_is_refused_before_it_is_read() {
        use std::io::Write as _;
        // 64 MiB of one sheet's XML deflates to well under a megabyte: a small upload, a big bomb.
        let mut zipped = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        zipped.start_file("xl/worksheets/sheet1.xml", options).expect("part");
        let block = vec![b' '; 1024 * 1024];
        for _ in 0..64 {
            zipped.write_all(&block).expect("write");
        }
        let bomb = zipped.finish().expect("zip").into_inner();
        assert!(bomb.len() < 128 * 1024, "{} bytes", bomb.len());
        let Err(BulkError::Invalid(errors)) = rows_from_xlsx(&bomb) else { panic!("a bomb was read") };
        assert_eq!(errors[0].code, "invalid_xlsx");
        assert!(errors[0].message.contains("expands to more than 20 MiB"), "{}", errors[0].message);
        // A real workbook is far inside the budget.
        assert!(expanded_size_within_budget(&workbook(&[&["email"], &["ada@example.com"]])).is_ok());
    }

    #[test]
    fn more_than_max_rows_in_a_workbook_is_too_many_rows() {
        let emails: Vec<String> = (0..=MAX_ROWS).map(|i| format!("p{i}@example.com")).collect();
        let mut table: Vec<&[&str]> = vec![&["email"]];
        let cells: Vec<[&str; 1]> = emails.iter().map(|e| [e.as_str()]).collect();
        table.extend(cells.iter().map(|c| &c[..]));
        assert!(matches!(rows_from_xlsx(&workbook(&table)), Err(BulkError::TooManyRows(n)) if n == MAX_ROWS + 1));
        assert_eq!(rows_from_xlsx(&workbook(&table[..=MAX_ROWS])).unwrap().0.len(), MAX_ROWS);
    }
}
