//! An admin's upload of the company's employee list (`PUT /v1/tenants/{t}/directory`, CSV or
//! XLSX, up to 50,000 rows): it replaces the upload-sourced part of the directory. A person in
//! the file is added or updated; an uploaded person missing from it is deactivated (kept, so
//! their history and standing stay readable); SCIM-sourced people are never touched.
//!
//! The file is read twice, row by row (`crate::sheet`), and never held as rows: the first pass
//! checks every row and collects the people it names, the second writes them a hundred at a
//! time, then one pass over the uploaded people deactivates those the file left out. Memory
//! grows with the number of people (a set of their ids), not with what the rows hold.
//!
//! Deactivating takes nobody's access away: an upload is a list to invite from, not an identity
//! provider, and a wrong file must not remove members. Removing access is SCIM's (`active:
//! false`) or the members page's.

use crate::access::{self, AccessError};
use crate::context::{Deps, Principal};
use crate::directory::{DirectoryPerson, Source};
use crate::error::{Context, ErrorCode, FieldError, Unexpected};
use crate::ports::{Committed, MAX_TRANSACTION_WRITES, Query, SortKeyRange, Write};
use crate::retry::{Attempt, settle};
use crate::roles::Permission;
use crate::schema::{self, Versioned};
use crate::sheet::{Budget, Sheet, SheetError};
use crate::values::{Email, PersonId, TenantId, Timestamp, UserId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashSet;

/// Most rows an upload may hold.
pub const MAX_PEOPLE: usize = 50_000;
/// Most row errors an answer lists (the rest are counted in `error_count`).
pub const MAX_LISTED_ERRORS: usize = 1000;
/// The columns an upload may have; at least one of `external_id`, `employee_number`, `email`
/// names each person.
pub const COLUMNS: [&str; 10] =
    ["external_id", "email", "first_name", "last_name", "title", "department", "company", "employee_number", "phone", "active"];
/// Longest value of a text column, in characters.
const MAX_FIELD_CHARS: usize = 256;
/// People written per round trip (one read of them, one transaction).
const CHUNK: usize = 100;
/// An upload that has not finished after this long is taken to have died (a Lambda times out
/// long before), so its lease no longer holds the next one back.
const LEASE_SECS: i64 = 15 * 60;

/// The budgets of an upload's file: 50,000 rows of ten short columns, with room.
pub const BUDGET: Budget = Budget {
    max_rows: MAX_PEOPLE,
    max_cell_bytes: 4 * 1024,
    max_expanded_bytes: 96 * 1024 * 1024,
    max_shared_strings_bytes: 32 * 1024 * 1024,
};

/// What an upload did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UploadSummary {
    /// People new to the directory.
    pub added: u64,
    /// People whose details changed.
    pub updated: u64,
    /// People in the file exactly as stored.
    pub unchanged: u64,
    /// Uploaded people the file left out, now inactive.
    pub deactivated: u64,
    /// Rows that could not be read, by row (1 = the first row under the header); at most
    /// `MAX_LISTED_ERRORS` of them.
    pub errors: Vec<RowError>,
    /// How many rows could not be read in all.
    pub error_count: u64,
    /// Columns the upload does not know (ignored).
    pub warnings: Vec<String>,
}

/// One row the upload could not take.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// The row, 1 being the first under the header.
    pub row: u64,
    /// `missing_identity`, `invalid_email`, `invalid_active`, `invalid_value`, `duplicate_person`.
    pub code: &'static str,
    /// For a person.
    pub message: String,
}

/// Why an upload was refused as a whole.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The file cannot be read, or names no person.
    #[error("the upload cannot be read")]
    Invalid(Vec<FieldError>),
    /// More than `MAX_PEOPLE` rows.
    #[error("a directory upload holds at most {MAX_PEOPLE} rows")]
    TooManyRows,
    /// No such tenant, or the caller is not in it.
    #[error("not found")]
    NotFound,
    /// No `directory.manage`.
    #[error("you may not upload this tenant's directory")]
    Forbidden,
    /// Another upload of this directory is running.
    #[error("another upload of this directory is in progress; send this one when it has finished")]
    InProgress,
    /// Something broke.
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

crate::error_codes!(UploadError {
    UploadError::Invalid(e) => ErrorCode::InvalidRequest(e.clone()),
    UploadError::TooManyRows => ErrorCode::PayloadTooLarge,
    UploadError::NotFound => ErrorCode::NotFound,
    UploadError::Forbidden => ErrorCode::Forbidden,
    UploadError::InProgress => ErrorCode::InvalidState,
    UploadError::Unexpected(u) => u.code(),
});

impl From<AccessError> for UploadError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::NotFound => Self::NotFound,
            AccessError::Unexpected(u) => Self::Unexpected(u),
        }
    }
}

impl From<SheetError> for UploadError {
    fn from(e: SheetError) -> Self {
        if e.code == crate::sheet::TOO_MANY_ROWS {
            return Self::TooManyRows;
        }
        Self::Invalid(vec![FieldError::new("body", e.code, e.message)])
    }
}

/// Who may upload: settled before a byte of the file is read.
pub async fn authorize(deps: &Deps, principal: &Principal, tenant: &TenantId) -> Result<UserId, UploadError> {
    let actor = access::member_of(deps, principal, tenant).await?;
    if !actor.can(Permission::DirectoryManage) {
        return Err(UploadError::Forbidden);
    }
    Ok(actor.user.id)
}

/// The lease one running upload holds (one item per tenant).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct UploadLease {
    started_at: Timestamp,
}

/// A row as the directory takes it.
struct Entry {
    id: PersonId,
    external_id: Option<String>,
    email: Option<Email>,
    fields: [String; 7],
    active: bool,
}

/// Replaces the uploaded part of the directory with the file `open` reads (called once per
/// pass; each call starts the file again). `actor`: from `authorize`.
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn replace_uploaded(
    deps: &Deps,
    actor: &UserId,
    tenant: &TenantId,
    open: impl Fn() -> Result<Sheet, SheetError>,
) -> Result<UploadSummary, UploadError> {
    // Pass 1: every row checked, the people named, before anything is written.
    let mut summary = UploadSummary::default();
    let sheet = open()?;
    let columns = Columns::of(&sheet, &mut summary.warnings)?;
    let mut named: HashSet<PersonId> = HashSet::new();
    let mut refused: HashSet<u64> = HashSet::new();
    for (i, row) in sheet.enumerate() {
        let n = i as u64 + 1;
        match columns.entry(tenant, &row?) {
            Ok(e) if named.insert(e.id.clone()) => {}
            Ok(_) => note(&mut summary, &mut refused, n, "duplicate_person", "an earlier row names the same person".into()),
            Err((code, message)) => note(&mut summary, &mut refused, n, code, message),
        }
    }

    let lease = take_lease(deps, tenant).await?;
    let result = write_and_deactivate(deps, tenant, &columns, &named, &refused, &open, &mut summary).await;
    if let Err(e) = deps.table.transact(vec![Write::Delete { key: lease, cond: crate::ports::Cond::Always }]).await {
        // The lease lapses by itself after LEASE_SECS.
        tracing::warn!(cause = %e, "an upload's lease could not be let go");
    }
    result?;

    let event = super::audit_event(
        deps,
        tenant,
        Some(actor),
        "directory.uploaded",
        tenant.as_str(),
        serde_json::json!({
            "added": summary.added, "updated": summary.updated, "unchanged": summary.unchanged,
            "deactivated": summary.deactivated, "error_count": summary.error_count,
        }),
    );
    deps.table.transact(vec![schema::audit_write(&event)]).await.context("recording the upload")?;
    tracing::info!(
        added = summary.added,
        updated = summary.updated,
        deactivated = summary.deactivated,
        errors = summary.error_count,
        "directory uploaded"
    );
    Ok(summary)
}

fn note(summary: &mut UploadSummary, refused: &mut HashSet<u64>, row: u64, code: &'static str, message: String) {
    refused.insert(row);
    summary.error_count += 1;
    if summary.errors.len() < MAX_LISTED_ERRORS {
        summary.errors.push(RowError { row, code, message });
    }
}

/// Passes 2 and 3: the file's people written, then the uploaded people it left out deactivated.
async fn write_and_deactivate(
    deps: &Deps,
    tenant: &TenantId,
    columns: &Columns,
    named: &HashSet<PersonId>,
    refused: &HashSet<u64>,
    open: &impl Fn() -> Result<Sheet, SheetError>,
    summary: &mut UploadSummary,
) -> Result<(), UploadError> {
    let mut chunk: Vec<Entry> = Vec::with_capacity(CHUNK);
    for (i, row) in open()?.enumerate() {
        let row = row?;
        if refused.contains(&(i as u64 + 1)) {
            continue;
        }
        if let Ok(entry) = columns.entry(tenant, &row) {
            chunk.push(entry);
        }
        if chunk.len() == CHUNK {
            write_chunk(deps, tenant, &chunk, summary).await?;
            chunk.clear();
        }
    }
    if !chunk.is_empty() {
        write_chunk(deps, tenant, &chunk, summary).await?;
    }
    deactivate_left_out(deps, tenant, named, summary).await
}

/// Writes one chunk of people: created where new, replaced where changed, each write guarded
/// by what was read (a lost race reads the chunk again).
async fn write_chunk(deps: &Deps, tenant: &TenantId, chunk: &[Entry], summary: &mut UploadSummary) -> Result<(), UploadError> {
    let table = deps.table.as_ref();
    let (added, updated, unchanged) = crate::optimistic!(deps, "writing uploaded people", UploadError, {
        let keys: Vec<_> = chunk.iter().map(|e| schema::person_key(tenant, &e.id)).collect();
        let found = table.get_many(&keys).await.context("reading directory people")?;
        let now = deps.now();
        let (mut added, mut updated, mut unchanged) = (0u64, 0u64, 0u64);
        let mut writes = Vec::with_capacity(chunk.len());
        for (entry, item) in chunk.iter().zip(found) {
            let current: Option<Versioned<DirectoryPerson>> =
                item.map(schema::decode).transpose().map_err(|source| Unexpected { context: "decoding directory person", source })?;
            match current {
                None => {
                    added += 1;
                    writes.push(schema::create(&entry.person(tenant, None, now)));
                }
                Some(c) => {
                    let next = entry.person(tenant, Some(&c.value), now);
                    if (DirectoryPerson { updated_at: c.value.updated_at, ..next.clone() }) == c.value {
                        unchanged += 1;
                    } else {
                        updated += 1;
                        writes.push(schema::replace(c.version, &next));
                    }
                }
            }
        }
        for part in writes.chunks(MAX_TRANSACTION_WRITES) {
            if table.transact(part.to_vec()).await.context("writing uploaded people")? != Committed::Yes {
                // Parts already written read as unchanged on the next try, and are counted so.
                return Ok(Attempt::Lost);
            }
        }
        Ok(Attempt::Done((added, updated, unchanged)))
    })
    .await?;
    summary.added += added;
    summary.updated += updated;
    summary.unchanged += unchanged;
    Ok(())
}

/// Deactivates the uploaded people the file did not name, a page at a time.
async fn deactivate_left_out(
    deps: &Deps,
    tenant: &TenantId,
    named: &HashSet<PersonId>,
    summary: &mut UploadSummary,
) -> Result<(), UploadError> {
    let table = deps.table.as_ref();
    let mut query = Query {
        index: None,
        pk: schema::tenant_pk(tenant),
        range: SortKeyRange::BeginsWith(schema::PERSON_PREFIX.into()),
        ascending: true,
        limit: 1000,
        after: None,
    };
    loop {
        let page = table.query(&query).await.context("reading directory people")?;
        let mut writes = Vec::new();
        for item in page.items {
            let p: Versioned<DirectoryPerson> =
                schema::decode(item).map_err(|source| Unexpected { context: "decoding directory person", source })?;
            if p.value.source == Source::Upload && p.value.active && !named.contains(&p.value.id) {
                let off = DirectoryPerson { active: false, updated_at: deps.now(), ..p.value.clone() };
                writes.push(schema::replace(p.version, &off));
            }
        }
        for part in writes.chunks(MAX_TRANSACTION_WRITES) {
            // Only another upload writes uploaded people, and the lease keeps it out: a failed
            // condition is one it would have deactivated too; it is counted by that one.
            if table.transact(part.to_vec()).await.context("deactivating uploaded people")? == Committed::Yes {
                summary.deactivated += part.len() as u64;
            }
        }
        match page.next {
            Some(next) => query.after = Some(next),
            None => return Ok(()),
        }
    }
}

/// Takes the tenant's upload lease (one upload at a time: two would deactivate each other's
/// people); a lease older than `LEASE_SECS` belonged to an upload that died.
async fn take_lease(deps: &Deps, tenant: &TenantId) -> Result<crate::ports::Key, UploadError> {
    let key = schema::directory_upload_key(tenant);
    let lease = UploadLease { started_at: deps.now() };
    crate::optimistic!(deps, "taking the upload lease", UploadError, {
        let held = schema::load::<UploadLease>(deps.table.as_ref(), &key).await.context("reading the upload lease")?;
        let write = match held {
            None => schema::create_at(key.clone(), &lease),
            Some(h) if h.value.started_at.plus_seconds(LEASE_SECS) < deps.now() => schema::replace_at(key.clone(), h.version, &lease),
            Some(_) => return Err(UploadError::InProgress),
        };
        let committed = deps.table.transact(vec![write]).await.context("taking the upload lease")?;
        Ok(settle(committed, || key.clone()))
    })
    .await
}

/// Where each known column sits in the file.
struct Columns {
    at: [Option<usize>; 10],
}

impl Columns {
    fn of(sheet: &Sheet, warnings: &mut Vec<String>) -> Result<Self, UploadError> {
        let at = COLUMNS.map(|c| sheet.column(c));
        if at[0].is_none() && at[1].is_none() && at[7].is_none() {
            return Err(UploadError::Invalid(vec![FieldError::new(
                "body",
                "missing_column",
                "the header row names no person: it needs an `external_id`, `email` or `employee_number` column",
            )]));
        }
        for h in &sheet.headers {
            if !h.is_empty() && !COLUMNS.contains(&h.as_str()) {
                warnings.push(format!("the column `{h}` is not one Usher reads; it was ignored"));
            }
        }
        Ok(Self { at })
    }

    fn cell<'r>(&self, row: &'r [Option<String>], column: usize) -> Option<&'r str> {
        self.at[column].and_then(|i| row.get(i)).and_then(Option::as_deref).map(str::trim).filter(|s| !s.is_empty())
    }

    /// A row as a person of the tenant, or why it cannot be one.
    fn entry(&self, tenant: &TenantId, row: &[Option<String>]) -> Result<Entry, (&'static str, String)> {
        let text = |column: usize| -> Result<String, (&'static str, String)> {
            match self.cell(row, column) {
                None => Ok(String::new()),
                Some(v) => crate::values::parse_text(v, MAX_FIELD_CHARS)
                    .map_err(|e| ("invalid_value", format!("`{}` {}", COLUMNS[column], e.message))),
            }
        };
        let email = match self.cell(row, 1) {
            None => None,
            Some(raw) => Some(Email::parse(raw).map_err(|e| ("invalid_email", format!("`email` {}", e.message)))?),
        };
        let external_id = self.cell(row, 0).map(|_| text(0)).transpose()?;
        let employee_number = text(7)?;
        let identity = match (&external_id, employee_number.as_str(), &email) {
            (Some(x), _, _) => format!("x:{x}"),
            (None, n, _) if !n.is_empty() => format!("n:{n}"),
            (None, _, Some(e)) => format!("e:{}", e.as_str().to_lowercase()),
            _ => return Err(("missing_identity", "the row has no external_id, employee_number or email".into())),
        };
        let active = match self.cell(row, 9).map(str::to_ascii_lowercase).as_deref() {
            None | Some("true" | "yes" | "y" | "1" | "active") => true,
            Some("false" | "no" | "n" | "0" | "inactive") => false,
            Some(other) => return Err(("invalid_active", format!("`active` is true or false, not `{other}`"))),
        };
        Ok(Entry {
            id: upload_person_id(tenant, &identity),
            external_id,
            email,
            fields: [text(2)?, text(3)?, text(4)?, text(5)?, text(6)?, employee_number, text(8)?],
            active,
        })
    }
}

/// An uploaded person's id follows from who they are (their external id, else their employee
/// number, else their address), so the next upload finds them with one read.
fn upload_person_id(tenant: &TenantId, identity: &str) -> PersonId {
    let digest = Sha256::digest(format!("upload\0{tenant}\0{identity}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    PersonId::from_uuid(uuid::Uuid::from_bytes(bytes))
}

impl Entry {
    fn person(&self, tenant: &TenantId, current: Option<&DirectoryPerson>, now: Timestamp) -> DirectoryPerson {
        let [first_name, last_name, title, department, company, employee_number, phone] = self.fields.clone();
        let base = DirectoryPerson {
            id: self.id.clone(),
            tenant_id: tenant.clone(),
            source: Source::Upload,
            user_name: None,
            external_id: self.external_id.clone(),
            email: self.email.clone(),
            first_name,
            last_name,
            title,
            department,
            company,
            employee_number,
            phone,
            active: self.active,
            groups: Vec::new(),
            scim: serde_json::Value::Null,
            blocked: None,
            member_user_id: None,
            retry_at: None,
            created_at: now,
            updated_at: now,
        };
        match current {
            None => base,
            Some(c) => DirectoryPerson { created_at: c.created_at, member_user_id: c.member_user_id.clone(), ..base },
        }
    }
}
