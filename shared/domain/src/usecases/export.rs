//! The whole tenant's people as a file (CSV or XLSX), for a tenant of any size.
//!
//! Up to `Settings::export_direct_rows` rows (from the tenant's counters, no scan) the file is
//! built and answered at once. Beyond that the request saves an `ExportJob` and answers `202`
//! with a status route; the worker (the delivery queue's, `usecases::delivery`) claims the job,
//! streams the store's pages into the file and the file into the file store in parts (CSV
//! through a part-sized buffer; XLSX through rust_xlsxwriter's constant-memory sheet and a temp
//! file), so memory stays bounded whatever the size. The status route then gives a short-lived
//! link (a presigned GET on S3; locally a one-time link from `usher serve`).

use super::delivery::{self, Processed};
use crate::access::{self, AccessError};
use crate::context::{Deps, Principal};
use crate::error::{Context, ErrorCode, FieldError, Unexpected};
use crate::model::{Delivery, ExportCheckpoint, ExportJob, Invitation, InvitationStatus, Member};
use crate::ports::{Committed, FileUpload, Key, PageKey, Query, SortKeyRange};
use crate::retry::{Attempt, settle};
use crate::roles::Permission;
use crate::schema::{self, INVITATION_PREFIX, MEMBER_PREFIX, Versioned, decode};
use crate::values::{TenantId, Timestamp};
use serde::Serialize;

/// The columns, in order (API.md).
pub const COLUMNS: [&str; 12] =
    ["id", "name", "username", "role", "email", "phone", "last_login", "employee_number", "company", "created", "updated", "status"];

/// A file format.
pub use crate::model::ExportFormat as Format;

/// Content type of a format's file.
pub fn content_type(format: Format) -> &'static str {
    match format {
        Format::Csv => "text/csv; charset=utf-8",
        Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
}

fn extension(format: Format) -> &'static str {
    match format {
        Format::Csv => "csv",
        Format::Xlsx => "xlsx",
    }
}

/// The file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFile {
    /// Content type.
    pub content_type: &'static str,
    /// Suggested file name.
    pub filename: String,
    /// Bytes.
    pub bytes: Vec<u8>,
    /// Rows, header excluded.
    pub rows: usize,
}

/// What exporting can answer besides the file.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Unknown format or option.
    #[error("invalid export request")]
    Invalid(Vec<FieldError>),
    /// No such tenant, or the caller is not in it.
    #[error("not found")]
    NotFound,
    /// The caller may not export.
    #[error("you may not export this tenant's members")]
    Forbidden,
    /// No such export in this tenant (or it is older than a day).
    #[error("export not found")]
    ExportNotFound,
    /// Writing the file failed.
    #[error("could not write the file: {0}")]
    Encoding(String),
    /// Something broke.
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

crate::error_codes!(ExportError {
    ExportError::Invalid(e) => ErrorCode::InvalidRequest(e.clone()),
    ExportError::NotFound => ErrorCode::NotFound,
    ExportError::Forbidden => ErrorCode::Forbidden,
    ExportError::ExportNotFound => ErrorCode::NotFound,
    ExportError::Encoding(_) => ErrorCode::Internal,
    ExportError::Unexpected(u) => u.code(),
});

impl From<AccessError> for ExportError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::NotFound => Self::NotFound,
            AccessError::Unexpected(u) => Self::Unexpected(u),
        }
    }
}

/// Parses `format` (default csv) and `include` (`invitations` adds pending invitations).
pub fn parse_options(format: Option<&str>, include: Option<&str>) -> Result<(Format, bool), ExportError> {
    let mut errors = Vec::new();
    let format = match format.map(str::to_ascii_lowercase).as_deref() {
        None | Some("csv") => Format::Csv,
        Some("xlsx") => Format::Xlsx,
        Some(_) => {
            errors.push(FieldError::new("format", "unsupported_format", "format must be csv or xlsx"));
            Format::Csv
        }
    };
    let include_invitations = match include {
        None | Some("") => false,
        Some("invitations") => true,
        Some(_) => {
            errors.push(FieldError::new("include", "unsupported_include", "include may only be 'invitations'"));
            false
        }
    };
    if errors.is_empty() { Ok((format, include_invitations)) } else { Err(ExportError::Invalid(errors)) }
}

fn ts(t: Option<Timestamp>) -> String {
    t.map(|t| t.to_string()).unwrap_or_default()
}

fn member_row(m: &Member) -> [String; 12] {
    [
        m.user_id.to_string(),
        m.profile.display_name().or_else(|| m.username.clone()).unwrap_or_default(),
        m.username.clone().unwrap_or_default(),
        m.role.to_string(),
        m.email.to_string(),
        m.profile.phone.clone().unwrap_or_default(),
        ts(m.last_login_at),
        m.profile.employee_number.clone().unwrap_or_default(),
        m.profile.company.clone().unwrap_or_default(),
        ts(Some(m.created_at)),
        ts(Some(m.updated_at)),
        "active".into(),
    ]
}

fn invitation_row(i: &Invitation) -> [String; 12] {
    [
        i.id.to_string(),
        i.profile.display_name().unwrap_or_default(),
        String::new(),
        i.role.to_string(),
        i.email.to_string(),
        i.profile.phone.clone().unwrap_or_default(),
        String::new(),
        i.profile.employee_number.clone().unwrap_or_default(),
        i.profile.company.clone().unwrap_or_default(),
        ts(Some(i.created_at)),
        ts(Some(i.updated_at())),
        "pending_activation".into(),
    ]
}

/// What an export request answers.
#[derive(Debug)]
pub enum ExportAnswer {
    /// A small tenant's file, at once.
    File(ExportFile),
    /// A large tenant's: the job, to follow on its status route.
    Started(ExportView),
}

/// An export job as its status route shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportView {
    /// Its id.
    pub id: String,
    /// `queued`, `running`, `ready` or `failed`.
    pub status: &'static str,
    /// `csv` or `xlsx`.
    pub format: Format,
    /// Rows written, once ready.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    /// File size, once ready.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// A short-lived download link, once ready.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Until when that link works.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url_expires_at: Option<Timestamp>,
    /// Why it failed (after its last attempt).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// When it was asked for.
    pub created_at: Timestamp,
    /// When the file and this record are deleted.
    pub expires_at: Timestamp,
}

/// How long a download link works.
pub const LINK_TTL_SECS: u64 = 900;
/// Attempts at writing one export file before it is `failed`.
pub const EXPORT_ATTEMPTS: u32 = 3;
/// Bytes gathered before they go to the file store as one part (S3's parts are at least 5 MiB).
pub const PART_BYTES: usize = 8 * 1024 * 1024;
/// Rows read from the store per page.
const PAGE_ROWS: usize = 1000;

fn view(job: &ExportJob, now: Timestamp, url: Option<String>) -> ExportView {
    let url_expires_at = url.as_ref().map(|_| now.plus_seconds(i64::try_from(LINK_TTL_SECS).unwrap_or(900)));
    ExportView {
        id: job.id.clone(),
        status: job.status(now),
        format: job.format,
        rows: job.rows,
        bytes: job.bytes,
        url,
        url_expires_at,
        error: (job.status(now) == "failed").then(|| job.work.last_error.clone()).flatten(),
        created_at: job.created_at,
        expires_at: job.created_at.plus_seconds(crate::model::EXPORT_KEEP_SECS),
    }
}

/// Exports every member (and, with `include_invitations`, every pending invitation): the file
/// at once for a tenant up to `export_direct_rows`, a queued job beyond.
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn export(
    deps: &Deps,
    principal: &Principal,
    tenant: &TenantId,
    format: Format,
    include_invitations: bool,
) -> Result<ExportAnswer, ExportError> {
    let actor = access::member_of(deps, principal, tenant).await?;
    if !actor.can(Permission::MembersExport) {
        return Err(ExportError::Forbidden);
    }
    let table = deps.table.as_ref();
    let now = deps.now();
    let t = access::load_tenant(table, tenant).await?.ok_or(ExportError::NotFound)?;
    let members: u32 = t.value.role_counts().values().sum();
    let pending = t.value.seats_used.saturating_sub(members);
    let rows = members + if include_invitations { pending } else { 0 };
    let date = now.to_string().get(..10).unwrap_or_default().to_owned();
    let filename = format!("members-{tenant}-{date}.{}", extension(format));
    if rows > deps.settings.export_direct_rows {
        return start_job(deps, &actor, tenant, format, include_invitations, filename, rows).await;
    }
    let mut all = Vec::new();
    let mut pages = Pages::new(tenant, include_invitations, now);
    while let Some(page) = pages.next(deps).await? {
        all.extend(page);
    }
    let bytes = match format {
        Format::Csv => to_csv(&all)?,
        Format::Xlsx => to_xlsx(&all)?,
    };
    // Few rows can still be many bytes (long names, many workspaces): a file over what one
    // answer may carry goes through the job, as a large tenant's does.
    if size_in_answer(format, &bytes) > MAX_ANSWER_BYTES {
        tracing::info!(rows = all.len(), bytes = bytes.len(), "export too large to answer at once; queued instead");
        return start_job(deps, &actor, tenant, format, include_invitations, filename, rows).await;
    }
    tracing::info!(rows = all.len(), bytes = bytes.len(), "export written");
    Ok(ExportAnswer::File(ExportFile { content_type: content_type(format), filename, bytes, rows: all.len() }))
}

/// How long a worker's claim on an export job holds: the export worker's 900 s timeout
/// (template.yaml's ExportJobFunction) and a minute, so the sweep never queues again a job that
/// is still being written; a worker that died is given up on after this.
pub const EXPORT_CLAIM_SECS: i64 = 960;

/// The most a file may take inside one answer: a Lambda answer (the whole JSON the function
/// returns) carries at most 6 MB; headers and the envelope keep well under the 64 KiB left.
pub const MAX_ANSWER_BYTES: usize = 6 * 1024 * 1024 - 64 * 1024;

/// What the file takes inside the function's JSON answer: a CSV travels as text (each byte once,
/// but quotes, backslashes and control characters escaped: a CSV's quotes and line ends), an XLSX
/// base64-encoded (4 bytes for 3). The decision between answering and queueing is made on this,
/// not on rows or raw bytes: 5,000 long rows can pass 6 MB, and a 4.5 MiB CSV fits.
pub fn size_in_answer(format: Format, bytes: &[u8]) -> usize {
    match format {
        Format::Xlsx => bytes.len().div_ceil(3) * 4,
        Format::Csv => bytes
            .iter()
            .map(|&b| match b {
                b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 2,
                0..0x20 => 6,
                _ => 1,
            })
            .sum(),
    }
}

/// How long a finished export answers a new request for the same file instead of a new job.
pub const REUSE_READY_SECS: i64 = 600;

/// Queues an export job, or answers the tenant's job for the same file that is queued, running
/// or finished in the last `REUSE_READY_SECS`: a person who clicks "Export" again, or polls with
/// the export route, starts no second full read of the tenant.
async fn start_job(
    deps: &Deps,
    actor: &access::Actor,
    tenant: &TenantId,
    format: Format,
    include_invitations: bool,
    filename: String,
    rows: u32,
) -> Result<ExportAnswer, ExportError> {
    let table = deps.table.as_ref();
    let now = deps.now();
    // Ids are time-ordered: the newest jobs first.
    let recent = Query {
        index: None,
        pk: schema::tenant_pk(tenant),
        range: SortKeyRange::BeginsWith(schema::EXPORT_PREFIX.to_owned()),
        ascending: false,
        limit: 20,
        after: None,
    };
    let page = table.query(&recent).await.context("reading recent exports")?;
    for item in page.items {
        let Ok(job) = decode::<ExportJob>(item) else { continue };
        let job = job.value;
        if job.format != format || job.include_invitations != include_invitations {
            continue;
        }
        let reusable = match job.status(now) {
            // A job stuck far longer than any export runs is not waited on.
            "queued" | "running" => now < job.created_at.plus_seconds(3600),
            "ready" => job.finished_at.is_some_and(|f| now < f.plus_seconds(REUSE_READY_SECS)),
            _ => false,
        };
        if reusable {
            tracing::info!(export = %job.id, "an export of the same file is under way or fresh; answering it");
            return Ok(ExportAnswer::Started(view(&job, now, None)));
        }
    }
    let id = deps.new_uuid().simple().to_string();
    let job = ExportJob {
        id: id.clone(),
        tenant_id: tenant.clone(),
        requested_by: actor.user.id.clone(),
        format,
        include_invitations,
        work: Delivery::new_pending(now),
        file_key: format!("exports/{tenant}/{id}.{}", extension(format)),
        filename,
        rows: None,
        bytes: None,
        created_at: now,
        finished_at: None,
        checkpoint: None,
    };
    table.transact(vec![schema::create(&job)]).await.context("saving export job")?;
    tracing::info!(export = %id, rows_expected = rows, "export queued");
    delivery::enqueue(deps, vec![delivery::export_job(&job)]).await;
    Ok(ExportAnswer::Started(view(&job, now, None)))
}

/// An export's status, with a fresh download link once its file is ready.
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn status(deps: &Deps, principal: &Principal, tenant: &TenantId, export_id: &str) -> Result<ExportView, ExportError> {
    let actor = access::member_of(deps, principal, tenant).await?;
    if !actor.can(Permission::MembersExport) {
        return Err(ExportError::Forbidden);
    }
    if export_id.is_empty() || export_id.len() > 64 || !export_id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ExportError::ExportNotFound);
    }
    let now = deps.now();
    let job = schema::load::<ExportJob>(deps.table.as_ref(), &schema::export_key(tenant, export_id))
        .await
        .context("reading export job")?
        .filter(|j| now < j.value.created_at.plus_seconds(crate::model::EXPORT_KEEP_SECS))
        .ok_or(ExportError::ExportNotFound)?;
    let url = if job.value.status(now) == "ready" {
        let link = deps.files.link(&job.value.file_key, &job.value.filename, LINK_TTL_SECS).await;
        Some(link.map_err(|e| Unexpected { context: "creating a download link", source: crate::ports::StoreError::Unavailable(e.0) })?)
    } else {
        None
    };
    Ok(view(&job.value, now, url))
}

/// The store's rows of a tenant, page by page: members, then (if asked) pending invitations.
struct Pages {
    tenant: TenantId,
    include_invitations: bool,
    now: Timestamp,
    invitations: bool,
    after: Option<PageKey>,
    done: bool,
}

impl Pages {
    fn new(tenant: &TenantId, include_invitations: bool, now: Timestamp) -> Self {
        Self { tenant: tenant.clone(), include_invitations, now, invitations: false, after: None, done: false }
    }

    /// The pages after a checkpoint's position.
    fn after_checkpoint(tenant: &TenantId, include_invitations: bool, cp: &ExportCheckpoint) -> Self {
        let pk = schema::tenant_pk(tenant);
        let after = cp.after.clone().map(|sk| PageKey { key: Key { pk: pk.clone(), sk }, index_sk: None });
        Self { tenant: tenant.clone(), include_invitations, now: cp.as_of, invitations: cp.invitations, after, done: cp.done }
    }

    /// Where the reading stands, as a checkpoint keeps it.
    fn checkpoint(&self, upload: crate::ports::UploadState, rows: u64) -> ExportCheckpoint {
        ExportCheckpoint {
            upload,
            rows,
            invitations: self.invitations,
            after: self.after.as_ref().map(|a| a.key.sk.clone()),
            done: self.done,
            as_of: self.now,
        }
    }

    /// The next page of rows (possibly empty), or `None` at the end.
    async fn next(&mut self, deps: &Deps) -> Result<Option<Vec<[String; 12]>>, Unexpected> {
        if self.done {
            return Ok(None);
        }
        let prefix = if self.invitations { INVITATION_PREFIX } else { MEMBER_PREFIX };
        let q = Query {
            index: None,
            pk: schema::tenant_pk(&self.tenant),
            range: SortKeyRange::BeginsWith(prefix.into()),
            ascending: true,
            limit: PAGE_ROWS,
            after: self.after.take(),
        };
        let page = deps.table.query(&q).await.context("reading a page to export")?;
        let empty = page.items.is_empty();
        let mut rows = Vec::with_capacity(page.items.len());
        for item in page.items {
            if self.invitations {
                let i = decode::<Invitation>(item).map_err(|source| Unexpected { context: "decoding invitation", source })?.value;
                if i.status_at(self.now) == InvitationStatus::Pending {
                    rows.push(invitation_row(&i));
                }
            } else {
                let m = decode::<Member>(item).map_err(|source| Unexpected { context: "decoding member", source })?.value;
                rows.push(member_row(&m));
            }
        }
        // An empty page whose next key does not move would be read again forever: that part ends.
        let next = page.next.filter(|next| !(empty && q.after.as_ref() == Some(next)));
        match next {
            Some(next) => self.after = Some(next),
            None if !self.invitations && self.include_invitations => self.invitations = true,
            None => self.done = true,
        }
        Ok(Some(rows))
    }
}

/// The worker's part: claims the job, writes the file (going on from the job's checkpoint if an
/// earlier worker stopped part-way), records the outcome. `Err` only when the store cannot be
/// read or written (the queue offers the job again).
#[tracing::instrument(skip_all)]
pub async fn run_job(deps: &Deps, tenant: &TenantId, export_id: &str) -> Result<Processed, Unexpected> {
    let table = deps.table.as_ref();
    let key = schema::export_key(tenant, export_id);
    let claimed = crate::optimistic!(deps, "claiming an export", Unexpected, {
        let now = deps.now();
        let Some(job) = schema::load::<ExportJob>(table, &key).await.context("reading export job")? else {
            return Ok(Attempt::Done(None));
        };
        if !job.value.work.claimable(now) {
            return Ok(Attempt::Done(None));
        }
        let mut claimed = job.value.clone();
        claimed.work.claim_for(now, EXPORT_CLAIM_SECS);
        let committed = table.transact(vec![schema::replace(job.version, &claimed)]).await.context("claiming export")?;
        Ok(settle(committed, || Some(Versioned { value: claimed, version: job.version + 1 })))
    })
    .await?;
    let Some(mut claimed) = claimed else { return Ok(Processed::Skipped) };
    let started = std::time::Instant::now();
    let written = write_file(deps, &mut claimed).await;
    let now = deps.now();
    let mut done = claimed.value.clone();
    let outcome = match written {
        Ok((rows, bytes)) => {
            tracing::info!(export = %done.id, rows, bytes, ms = started.elapsed().as_millis(), "export file written");
            done.rows = Some(rows);
            done.bytes = Some(bytes);
            done.finished_at = Some(now);
            done.checkpoint = None;
            done.work.sent();
            Processed::Sent
        }
        Err(Stopped::ClaimLost) => {
            tracing::warn!(export = %done.id, "an export changed under its claim; left to whoever holds it now");
            return Ok(Processed::Skipped);
        }
        Err(Stopped::Failed(e)) => {
            tracing::warn!(export = %done.id, error = %e, resumable = done.checkpoint.is_some(), "export failed; the sweep will retry");
            done.work.failed(&e, now, EXPORT_ATTEMPTS);
            Processed::Failed
        }
    };
    if table.transact(vec![schema::replace(claimed.version, &done)]).await.context("recording export")? != Committed::Yes {
        tracing::warn!(export = %done.id, "an export changed under its claim; left to the sweep");
    }
    Ok(outcome)
}

/// Why writing a file stopped.
enum Stopped {
    /// The job changed under the claim (a checkpoint's conditional write failed): another
    /// worker holds it now, and may be writing the same upload: touch nothing more.
    ClaimLost,
    /// The file store or the table failed; the attempt failed.
    Failed(String),
}

impl From<String> for Stopped {
    fn from(e: String) -> Self {
        Self::Failed(e)
    }
}

/// Saves `checkpoint` on the claimed job, on the version this worker holds.
async fn save_checkpoint(deps: &Deps, job: &mut Versioned<ExportJob>, checkpoint: Option<ExportCheckpoint>) -> Result<(), Stopped> {
    let mut next = job.value.clone();
    next.checkpoint = checkpoint;
    match deps.table.transact(vec![schema::replace(job.version, &next)]).await {
        Ok(Committed::Yes) => {
            *job = Versioned { value: next, version: job.version + 1 };
            Ok(())
        }
        Ok(Committed::ConditionFailed { .. }) => Err(Stopped::ClaimLost),
        Err(e) => Err(Stopped::Failed(format!("saving a checkpoint: {e}"))),
    }
}

async fn write_file(deps: &Deps, job: &mut Versioned<ExportJob>) -> Result<(u64, u64), Stopped> {
    let (key, ctype) = (job.value.file_key.clone(), content_type(job.value.format));
    // A CSV goes on from its checkpoint. (An XLSX's sheet is built in this worker's /tmp, which
    // a new worker does not have: it starts over.)
    let resumed = match (&job.value.checkpoint, job.value.format) {
        (Some(cp), Format::Csv) => match deps.files.resume(&key, ctype, &cp.upload).await {
            Ok(upload) => {
                tracing::info!(export = %job.value.id, rows = cp.rows, bytes = cp.upload.bytes, "resuming an export from its checkpoint");
                Some((upload, cp.clone()))
            }
            Err(e) => {
                tracing::warn!(export = %job.value.id, error = %e, "could not resume an export; starting over");
                None
            }
        },
        _ => None,
    };
    let (mut upload, from) = match resumed {
        Some((upload, cp)) => (upload, Some(cp)),
        None => {
            if job.value.checkpoint.is_some() {
                // The old checkpoint names another upload: forget it before writing anew.
                save_checkpoint(deps, job, None).await?;
            }
            (deps.files.begin(&key, ctype).await.map_err(|e| e.to_string())?, None)
        }
    };
    let resumed_at = from.as_ref().map(|cp| cp.upload.bytes);
    let rows = match job.value.format {
        Format::Csv => write_csv(deps, job, upload.as_mut(), from).await,
        Format::Xlsx => write_xlsx(deps, &job.value, upload.as_mut()).await.map_err(Stopped::Failed),
    };
    // A resumed upload that fails before storing anything more may be gone (aborted, expired):
    // the next attempt starts over rather than trying it again.
    let stuck = |job: &Versioned<ExportJob>| resumed_at.is_some() && job.value.checkpoint.as_ref().map(|cp| cp.upload.bytes) == resumed_at;
    match rows {
        Ok(rows) => match upload.finish().await {
            Ok(bytes) => Ok((rows, bytes)),
            Err(e) => {
                if stuck(job) {
                    job.value.checkpoint = None;
                }
                Err(Stopped::Failed(e.to_string()))
            }
        },
        // Another worker may be writing this upload now.
        Err(Stopped::ClaimLost) => Err(Stopped::ClaimLost),
        Err(e) if stuck(job) => {
            tracing::warn!(export = %job.value.id, "a resumed export failed before storing a part; the next attempt starts over");
            job.value.checkpoint = None;
            upload.abort().await;
            Err(e)
        }
        // Kept for the next attempt to resume (the bucket's lifecycle rule removes an upload
        // never completed); without a checkpoint there is nothing to go on from.
        Err(e) if job.value.checkpoint.is_some() => Err(e),
        Err(e) => {
            upload.abort().await;
            Err(e)
        }
    }
}

/// CSV: each page is encoded into a buffer that goes out in `PART_BYTES` parts; after each part
/// is stored, the job's checkpoint says so (a worker that dies loses at most one part's rows,
/// which the next reads again).
async fn write_csv(
    deps: &Deps,
    job: &mut Versioned<ExportJob>,
    upload: &mut dyn FileUpload,
    from: Option<ExportCheckpoint>,
) -> Result<u64, Stopped> {
    let (tenant, include) = (job.value.tenant_id.clone(), job.value.include_invitations);
    let (mut buf, mut rows, mut pages) = match &from {
        Some(cp) => (Vec::new(), cp.rows, Pages::after_checkpoint(&tenant, include, cp)),
        None => (to_csv(&[]).map_err(|e| e.to_string())?, 0u64, Pages::new(&tenant, include, deps.now())),
    };
    while let Some(page) = pages.next(deps).await.map_err(|e| e.to_string())? {
        {
            let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(&mut buf);
            for row in &page {
                w.write_record(row.iter().map(|c| neutralise(c))).map_err(|e| e.to_string())?;
            }
            w.flush().map_err(|e| e.to_string())?;
        }
        rows += page.len() as u64;
        if buf.len() >= PART_BYTES {
            upload.write(std::mem::take(&mut buf)).await.map_err(|e| e.to_string())?;
            if let Some(stored) = upload.stored().await.map_err(|e| e.to_string())? {
                save_checkpoint(deps, job, Some(pages.checkpoint(stored, rows))).await?;
            }
        }
    }
    upload.write(buf).await.map_err(|e| e.to_string())?;
    Ok(rows)
}

/// XLSX: rows go to rust_xlsxwriter's constant-memory sheet (a temp file per sheet), the
/// workbook is saved to a temp file, and that file goes out in `PART_BYTES` parts.
async fn write_xlsx(deps: &Deps, job: &ExportJob, upload: &mut dyn FileUpload) -> Result<u64, String> {
    use rust_xlsxwriter::{Format as CellFormat, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let mut book = Workbook::new();
    let bold = CellFormat::new().set_bold();
    {
        let sheet = book.add_worksheet_with_constant_memory();
        sheet.set_name("Members").map_err(err)?;
        for (col, name) in (0u16..).zip(COLUMNS) {
            sheet.write_string_with_format(0, col, name, &bold).map_err(err)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(err)?;
    }
    let mut rows = 0u32;
    let mut pages = Pages::new(&job.tenant_id, job.include_invitations, deps.now());
    while let Some(page) = pages.next(deps).await.map_err(|e| e.to_string())? {
        let sheet = book.worksheet_from_index(0).map_err(err)?;
        for row in &page {
            rows += 1;
            for (col, cell) in (0u16..).zip(row) {
                sheet.write_string(rows, col, cell).map_err(err)?;
            }
        }
    }
    let path = std::env::temp_dir().join(format!("usher-export-{}.xlsx", job.id));
    book.save(&path).map_err(err)?;
    drop(book);
    let sent = send_file(&path, upload).await;
    let _ = std::fs::remove_file(&path);
    sent.map(|()| u64::from(rows))
}

async fn send_file(path: &std::path::Path, upload: &mut dyn FileUpload) -> Result<(), String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    loop {
        let mut part = Vec::with_capacity(PART_BYTES);
        let n = (&mut file).take(PART_BYTES as u64).read_to_end(&mut part).map_err(|e| e.to_string())?;
        if n == 0 {
            return Ok(());
        }
        upload.write(part).await.map_err(|e| e.to_string())?;
    }
}

/// A cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, CR) gets a leading
/// apostrophe, so opening the export can never run anything (OWASP CSV injection).
pub fn neutralise(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}") } else { cell.to_owned() }
}

/// RFC 4180 CSV (CRLF, quoted where needed), UTF-8 with a BOM so spreadsheet apps pick UTF-8.
pub fn to_csv(rows: &[[String; 12]]) -> Result<Vec<u8>, ExportError> {
    let mut out = vec![0xEF, 0xBB, 0xBF];
    {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(&mut out);
        w.write_record(COLUMNS).map_err(|e| ExportError::Encoding(e.to_string()))?;
        for row in rows {
            w.write_record(row.iter().map(|c| neutralise(c))).map_err(|e| ExportError::Encoding(e.to_string()))?;
        }
        w.flush().map_err(|e| ExportError::Encoding(e.to_string()))?;
    }
    Ok(out)
}

/// A workbook with one sheet, a bold header row, every cell a string (never a formula).
pub fn to_xlsx(rows: &[[String; 12]]) -> Result<Vec<u8>, ExportError> {
    use rust_xlsxwriter::{Format as CellFormat, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| ExportError::Encoding(e.to_string());
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Members").map_err(err)?;
    let bold = CellFormat::new().set_bold();
    for (col, name) in (0u16..).zip(COLUMNS) {
        sheet.write_string_with_format(0, col, name, &bold).map_err(err)?;
    }
    for (r, row) in (1u32..).zip(rows) {
        for (col, cell) in (0u16..).zip(row) {
            sheet.write_string(r, col, cell).map_err(err)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(err)?;
    book.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_measured_as_it_travels_in_the_answer_csv_as_escaped_text_and_xlsx_as_base64() {
        let csv = "\u{feff}email,name\r\n\"a@x.test\",\"Zoë \\ Ann\"\r\n".as_bytes();
        // as serde_json writes the body string: each " and \ and CR and LF escaped in two bytes
        let json = serde_json::to_string(std::str::from_utf8(csv).unwrap()).unwrap();
        assert_eq!(size_in_answer(Format::Csv, csv), json.len() - 2);
        assert_eq!(size_in_answer(Format::Csv, b"\x01"), serde_json::to_string("\u{1}").unwrap().len() - 2);
        assert_eq!(size_in_answer(Format::Xlsx, &[0u8; 3_000_000]), 4_000_000);
        // a 4.5 MiB CSV of plain rows fits an answer; the same bytes as XLSX do not
        let plain = "someone@example.com,Someone,Example\n".repeat(4_700_000 / 36);
        assert!(size_in_answer(Format::Csv, plain.as_bytes()) <= MAX_ANSWER_BYTES);
        assert!(size_in_answer(Format::Xlsx, plain.as_bytes()) > MAX_ANSWER_BYTES);
    }

    fn row(cells: &[&str]) -> [String; 12] {
        let mut r: [String; 12] = Default::default();
        for (i, c) in cells.iter().enumerate() {
            r[i] = (*c).to_owned();
        }
        r
    }

    #[test]
    fn csv_starts_with_a_bom_and_the_header_and_uses_crlf() {
        let bytes = to_csv(&[row(&["usr_1", "Ada"])]).unwrap();
        assert_eq!(&bytes[..3], &[0xEF, 0xBB, 0xBF]);
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert!(text.starts_with("id,name,username,role,email,phone,last_login,employee_number,company,created,updated,status\r\n"));
        assert!(text.contains("usr_1,Ada,"));
    }

    #[test]
    fn cells_that_look_like_formulas_are_neutralised() {
        let bytes = to_csv(&[row(&["usr_1", "=HYPERLINK(\"http://evil\")", "+1", "-2", "@SUM(A1)", "\tx"])]).unwrap();
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert!(text.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""), "{text}");
        assert!(text.contains(",'+1,'-2,'@SUM(A1),"), "{text}");
        assert!(text.contains("'\tx"));
    }

    #[test]
    fn fields_with_commas_quotes_and_newlines_are_quoted() {
        let bytes = to_csv(&[row(&["usr_1", "Lovelace, Ada \"the first\"\nline2"])]).unwrap();
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert!(text.contains("\"Lovelace, Ada \"\"the first\"\"\nline2\""));
    }

    #[test]
    fn an_xlsx_export_is_a_zip_workbook() {
        let bytes = to_xlsx(&[row(&["usr_1", "Ada"])]).unwrap();
        assert_eq!(&bytes[..2], b"PK");
        assert!(bytes.len() > 1000);
    }
}
