//! Exports of any size: a small tenant's file comes back at once; past
//! `Settings::export_direct_rows` the request answers `202`, the worker writes the file to the
//! file store page by page, and the status route gives a short-lived link. Here on the embedded
//! store with the data dir's files and one-time links; S3 (multipart, presigned GET) is proven
//! on moto in aws.rs.

use http::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;
use usher_store::SqliteTable;
use usher_tests::{Options, TestApp};

const OWNER: &str = "owner@acme.test";

fn small_direct_limit() -> TestApp {
    TestApp::with_options(
        Arc::new(SqliteTable::in_memory().expect("sqlite")),
        Options { export_direct_rows: Some(3), ..Options::default() },
    )
}

/// A tenant with `members` members (the owner included) and `pending` pending invitations.
async fn tenant_with(app: &TestApp, members: usize, pending: usize) -> String {
    let t = app.tenant("Acme", OWNER, None).await;
    let owner = app.token(OWNER);
    let rows: Vec<Value> = (0..members - 1 + pending).map(|i| json!({"email": format!("p{i}@example.com"), "role": "viewer"})).collect();
    let r = app.call(Method::POST, &format!("/v1/tenants/{t}/invitations"), Some(&owner), Some(json!({ "invitations": rows }))).await;
    assert_eq!(r.json["summary"]["errors"], 0, "{}", r.json);
    for i in 0..members - 1 {
        let email = format!("p{i}@example.com");
        let token = app.token_from_email(&email);
        let a = app.call(Method::POST, "/v1/invitations/accept", Some(&app.token(&email)), Some(json!({ "token": token }))).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    }
    t
}

fn download(app: &TestApp, url: &str) -> Vec<u8> {
    let token = url.strip_prefix("http://usher.test/downloads/").unwrap_or_else(|| panic!("a one-time link: {url}"));
    let file = app.files.redeem(token).expect("the link opens");
    std::fs::read(file.path).expect("the file")
}

#[tokio::test]
async fn a_tenant_past_the_direct_limit_gets_202_and_a_status_route_whose_link_downloads_every_row_once() {
    let app = small_direct_limit();
    let t = tenant_with(&app, 3, 2).await;
    let owner = app.token(OWNER);

    let direct = app.call(Method::GET, &format!("/v1/tenants/{t}/members/export"), Some(&owner), None).await;
    assert_eq!(direct.status, StatusCode::OK, "3 members: at the limit, the file at once");
    assert_eq!(String::from_utf8_lossy(&direct.bytes).lines().count(), 1 + 3);

    let started = app.call(Method::GET, &format!("/v1/tenants/{t}/members/export?include=invitations"), Some(&owner), None).await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "5 rows: past the limit: {}", started.json);
    let id = started.json["id"].as_str().expect("an export id");
    assert_eq!(started.header("location"), Some(format!("/v1/tenants/{t}/exports/{id}").as_str()));
    assert_eq!(started.json["status"], "queued");
    assert!(started.json.get("url").is_none());

    // The worker ran when the request's wake-up arrived (TestApp waits for it).
    let status = app.call(Method::GET, &format!("/v1/tenants/{t}/exports/{id}"), Some(&owner), None).await;
    assert_eq!(status.status, StatusCode::OK, "{}", status.json);
    assert_eq!((status.json["status"].as_str(), status.json["rows"].as_u64()), (Some("ready"), Some(5)), "{}", status.json);
    let url = status.json["url"].as_str().expect("a link once ready");
    let csv = download(&app, url);
    assert_eq!(&csv[..3], &[0xEF, 0xBB, 0xBF], "the BOM");
    let text = String::from_utf8_lossy(&csv[3..]).into_owned();
    assert_eq!(text.lines().count(), 1 + 5, "{text}");
    assert_eq!(text.matches("pending_activation").count(), 2);
    assert_eq!(status.json["bytes"].as_u64(), Some(csv.len() as u64));
    assert!(app.files.redeem(url.rsplit('/').next().unwrap_or_default()).is_none(), "a link works once");
    let again = app.call(Method::GET, &format!("/v1/tenants/{t}/exports/{id}"), Some(&owner), None).await;
    assert_ne!(again.json["url"], status.json["url"], "each status read gives a fresh link");
}

#[tokio::test]
async fn a_large_xlsx_export_is_a_workbook_with_every_row_written_through_the_constant_memory_sheet() {
    use calamine::{Reader, Xlsx};
    let app = small_direct_limit();
    let t = tenant_with(&app, 4, 0).await;
    let owner = app.token(OWNER);
    let started = app.call(Method::GET, &format!("/v1/tenants/{t}/members/export?format=xlsx"), Some(&owner), None).await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.json);
    let id = started.json["id"].as_str().expect("id");
    let status = app.call(Method::GET, &format!("/v1/tenants/{t}/exports/{id}"), Some(&owner), None).await;
    assert_eq!(status.json["status"], "ready", "{}", status.json);
    let bytes = download(&app, status.json["url"].as_str().expect("url"));
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("a workbook");
    let sheet = book.worksheet_range("Members").expect("the Members sheet");
    assert_eq!(sheet.height(), 1 + 4);
    assert_eq!(sheet.get((0, 0)).map(ToString::to_string).as_deref(), Some("id"));
    assert!((1..5).all(|r| sheet.get((r, 11)).map(ToString::to_string).as_deref() == Some("active")));
}

#[tokio::test]
async fn an_export_is_only_for_members_who_may_export_and_only_in_its_own_tenant() {
    let app = small_direct_limit();
    let t = tenant_with(&app, 4, 0).await;
    let owner = app.token(OWNER);
    let started = app.call(Method::GET, &format!("/v1/tenants/{t}/members/export"), Some(&owner), None).await;
    let id = started.json["id"].as_str().expect("id").to_owned();
    let viewer = app.token("p0@example.com");
    let r = app.call(Method::GET, &format!("/v1/tenants/{t}/exports/{id}"), Some(&viewer), None).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"), "a viewer may not export");
    let other = app.tenant("Other", "boss@other.test", None).await;
    let r = app.call(Method::GET, &format!("/v1/tenants/{other}/exports/{id}"), Some(&app.token("boss@other.test")), None).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"), "another tenant's export does not exist here");
    for bad in ["nothex", "..%2F..", "0"] {
        let r = app.call(Method::GET, &format!("/v1/tenants/{t}/exports/{bad}"), Some(&owner), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{bad}: {}", r.json);
    }
    app.clock.advance_secs(usher_domain::model::EXPORT_KEEP_SECS + 1);
    let r = app.call(Method::GET, &format!("/v1/tenants/{t}/exports/{id}"), Some(&owner), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "gone after a day, as its file");
}

#[tokio::test]
async fn an_export_whose_worker_died_is_queued_again_by_the_sweep_and_finished() {
    let app = TestApp::with_options(
        Arc::new(SqliteTable::in_memory().expect("sqlite")),
        Options { export_direct_rows: Some(3), worker: false, ..Options::default() },
    );
    let t = app.tenant("Acme", OWNER, None).await;
    let owner = app.token(OWNER);
    let rows: Vec<Value> = (0..5).map(|i| json!({"email": format!("p{i}@example.com"), "role": "viewer"})).collect();
    app.call(Method::POST, &format!("/v1/tenants/{t}/invitations"), Some(&owner), Some(json!({ "invitations": rows }))).await;
    let started = app.call(Method::GET, &format!("/v1/tenants/{t}/members/export?include=invitations"), Some(&owner), None).await;
    assert_eq!(started.status, StatusCode::ACCEPTED);
    let id = started.json["id"].as_str().expect("id").to_owned();
    // The wake-ups are lost with the process (this app has no worker); the sweep finds the job.
    app.clock.advance_secs(usher_domain::model::QUEUED_GRACE_SECS + 1);
    let swept = app.sweep().await;
    assert_eq!(swept.requeued, 6, "five invitation emails and the export: {swept:?}");
    app.deliver_queued().await;
    let status = app.call(Method::GET, &format!("/v1/tenants/{t}/exports/{id}"), Some(&owner), None).await;
    assert_eq!((status.json["status"].as_str(), status.json["rows"].as_u64()), (Some("ready"), Some(6)), "{}", status.json);
}

#[tokio::test]
async fn asking_again_for_an_export_under_way_or_just_finished_answers_that_job_instead_of_starting_another() {
    let app = TestApp::with_options(
        Arc::new(SqliteTable::in_memory().expect("sqlite")),
        Options { export_direct_rows: Some(3), worker: false, ..Options::default() },
    );
    let t = app.tenant("Acme", OWNER, None).await;
    let owner = app.token(OWNER);
    let rows: Vec<Value> = (0..5).map(|i| json!({"email": format!("p{i}@example.com"), "role": "viewer"})).collect();
    app.call(Method::POST, &format!("/v1/tenants/{t}/invitations"), Some(&owner), Some(json!({ "invitations": rows }))).await;
    let export = |query: &'static str| {
        let path = format!("/v1/tenants/{t}/members/export?include=invitations{query}");
        let (app, owner) = (&app, &owner);
        async move { app.call(Method::GET, &path, Some(owner), None).await }
    };

    let first = export("").await;
    let again = export("").await;
    let xlsx = export("&format=xlsx").await;

    assert_eq!((first.status, again.status), (StatusCode::ACCEPTED, StatusCode::ACCEPTED));
    assert_eq!(again.json["id"], first.json["id"], "the queued job, not a second read of the tenant");
    assert_ne!(xlsx.json["id"], first.json["id"], "another file is another job");
    // Finished: answered for ten minutes, then a new request writes a fresh file.
    app.deliver_queued().await;
    let ready = export("").await;
    assert_eq!((ready.json["id"].clone(), ready.json["status"].as_str()), (first.json["id"].clone(), Some("ready")), "{}", ready.json);
    app.clock.advance_secs(usher_domain::usecases::export::REUSE_READY_SECS + 1);
    let fresh = export("").await;
    assert_ne!(fresh.json["id"], first.json["id"], "{}", fresh.json);
}

/// A file store whose uploads never finish: the worker is stopped mid-file, as a Lambda that
/// reaches its timeout is.
struct NeverFinishes;

#[async_trait::async_trait]
impl usher_domain::ports::FileStore for NeverFinishes {
    async fn begin(&self, _: &str, _: &str) -> Result<Box<dyn usher_domain::ports::FileUpload>, usher_domain::ports::FileError> {
        std::future::pending().await
    }
    async fn link(&self, _: &str, _: &str, _: u64) -> Result<String, usher_domain::ports::FileError> {
        Err(usher_domain::ports::FileError("no file".into()))
    }
}

/// A tenant of five whose export is a job written to files that never finish (the worker can be
/// stopped mid-file), no background worker: (app, tenant id, owner token, export id).
async fn an_export_job_whose_file_never_finishes() -> (TestApp, String, String, String) {
    let app = TestApp::with_options(
        Arc::new(SqliteTable::in_memory().expect("sqlite")),
        Options { export_direct_rows: Some(3), worker: false, files: Some(Arc::new(NeverFinishes)), ..Options::default() },
    );
    let t = app.tenant("Acme", OWNER, None).await;
    let owner = app.token(OWNER);
    let rows: Vec<Value> = (0..5).map(|i| json!({"email": format!("p{i}@example.com"), "role": "viewer"})).collect();
    app.call(Method::POST, &format!("/v1/tenants/{t}/invitations"), Some(&owner), Some(json!({ "invitations": rows }))).await;
    app.deliver_queued().await;
    let started = app.call(Method::GET, &format!("/v1/tenants/{t}/members/export?include=invitations"), Some(&owner), None).await;
    let id = started.json["id"].as_str().expect("id").to_owned();
    (app, t, owner, id)
}

#[tokio::test]
async fn an_export_whose_worker_is_stopped_every_time_is_given_up_after_its_attempts_not_retried_until_it_expires() {
    let (app, t, owner, id) = an_export_job_whose_file_never_finishes().await;
    let (tenant, export) = (usher_domain::values::TenantId::parse(&t).expect("tenant"), id.clone());

    let mut runs = 0;
    for _ in 0..10 {
        // The worker claims the job and is stopped mid-file.
        let run = usher_domain::usecases::export::run_job(&app.deps, &tenant, &export);
        if tokio::time::timeout(std::time::Duration::from_millis(200), run).await.is_err() {
            runs += 1;
        }
        app.clock.advance_secs(usher_domain::usecases::export::EXPORT_CLAIM_SECS + 1);
        app.sweep().await;
    }

    assert_eq!(runs, usher_domain::usecases::export::EXPORT_ATTEMPTS as usize, "one run per attempt, then no more");
    let status = app.call(Method::GET, &format!("/v1/tenants/{t}/exports/{id}"), Some(&owner), None).await;
    assert_eq!(status.json["status"], "failed", "{}", status.json);
    assert!(status.json["error"].as_str().is_some_and(|e| e.contains("time out")), "{}", status.json);
}

#[tokio::test]
async fn an_export_still_being_written_is_not_queued_again_while_its_worker_may_still_run() {
    let (app, t, owner, id) = an_export_job_whose_file_never_finishes().await;
    let tenant = usher_domain::values::TenantId::parse(&t).expect("tenant");

    // The worker claims the job and is still writing (an export worker may run 15 minutes).
    let run = usher_domain::usecases::export::run_job(&app.deps, &tenant, &id);
    assert!(tokio::time::timeout(std::time::Duration::from_millis(200), run).await.is_err(), "still writing");
    // Past an email's 5-minute claim, well inside the export worker's 15 minutes: the sweep
    // leaves it alone (it used to queue it again here, and a second worker wrote it too).
    app.clock.advance_secs(usher_domain::model::DELIVERY_CLAIM_SECS + 300);
    let swept = app.sweep().await;
    assert_eq!(swept.requeued, 0, "{swept:?}");
    let status = app.call(Method::GET, &format!("/v1/tenants/{t}/exports/{id}"), Some(&owner), None).await;
    assert_eq!(status.json["status"], "running", "{}", status.json);
    // Once its claim has lapsed, the sweep queues it again, and that counts as an attempt.
    app.clock.advance_secs(usher_domain::usecases::export::EXPORT_CLAIM_SECS);
    assert_eq!(app.sweep().await.requeued, 1);
}

/// Counts the export's reads of the tenant's members: every page, and the ones from the start.
struct CountsMemberPages {
    inner: Arc<SqliteTable>,
    pages: std::sync::atomic::AtomicUsize,
    from_start: std::sync::atomic::AtomicUsize,
}

#[async_trait::async_trait]
impl usher_domain::ports::Table for CountsMemberPages {
    async fn get(&self, key: &usher_domain::ports::Key) -> Result<Option<usher_domain::ports::Item>, usher_domain::ports::StoreError> {
        self.inner.get(key).await
    }
    async fn get_many(
        &self,
        keys: &[usher_domain::ports::Key],
    ) -> Result<Vec<Option<usher_domain::ports::Item>>, usher_domain::ports::StoreError> {
        self.inner.get_many(keys).await
    }
    async fn query(&self, q: &usher_domain::ports::Query) -> Result<usher_domain::ports::Page, usher_domain::ports::StoreError> {
        use std::sync::atomic::Ordering::SeqCst;
        let members = usher_domain::ports::SortKeyRange::BeginsWith(usher_domain::schema::MEMBER_PREFIX.to_owned());
        if q.index.is_none() && q.range == members && q.limit == 1000 {
            self.pages.fetch_add(1, SeqCst);
            if q.after.is_none() {
                self.from_start.fetch_add(1, SeqCst);
            }
        }
        self.inner.query(q).await
    }
    async fn transact(
        &self,
        writes: Vec<usher_domain::ports::Write>,
    ) -> Result<usher_domain::ports::Committed, usher_domain::ports::StoreError> {
        self.inner.transact(writes).await
    }
}

/// The data dir's files, except that the `fail_at`th part written (counted over every upload)
/// fails, once: the worker stops there as one cut off mid-file does.
struct FailsOnCue {
    inner: usher_store::LocalFiles,
    fail_at: usize,
    writes: Arc<std::sync::atomic::AtomicUsize>,
}

struct CueUpload {
    inner: Box<dyn usher_domain::ports::FileUpload>,
    fail_at: usize,
    writes: Arc<std::sync::atomic::AtomicUsize>,
}

#[async_trait::async_trait]
impl usher_domain::ports::FileUpload for CueUpload {
    async fn write(&mut self, bytes: Vec<u8>) -> Result<(), usher_domain::ports::FileError> {
        if self.writes.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 == self.fail_at {
            return Err(usher_domain::ports::FileError("cut off on cue".into()));
        }
        self.inner.write(bytes).await
    }
    async fn stored(&mut self) -> Result<Option<usher_domain::ports::UploadState>, usher_domain::ports::FileError> {
        self.inner.stored().await
    }
    async fn finish(self: Box<Self>) -> Result<u64, usher_domain::ports::FileError> {
        self.inner.finish().await
    }
    async fn abort(self: Box<Self>) {
        self.inner.abort().await;
    }
}

#[async_trait::async_trait]
impl usher_domain::ports::FileStore for FailsOnCue {
    async fn begin(
        &self,
        key: &str,
        content_type: &str,
    ) -> Result<Box<dyn usher_domain::ports::FileUpload>, usher_domain::ports::FileError> {
        let inner = self.inner.begin(key, content_type).await?;
        Ok(Box::new(CueUpload { inner, fail_at: self.fail_at, writes: self.writes.clone() }))
    }
    async fn resume(
        &self,
        key: &str,
        content_type: &str,
        stored: &usher_domain::ports::UploadState,
    ) -> Result<Box<dyn usher_domain::ports::FileUpload>, usher_domain::ports::FileError> {
        let inner = self.inner.resume(key, content_type, stored).await?;
        Ok(Box::new(CueUpload { inner, fail_at: self.fail_at, writes: self.writes.clone() }))
    }
    async fn link(&self, key: &str, filename: &str, ttl_secs: u64) -> Result<String, usher_domain::ports::FileError> {
        self.inner.link(key, filename, ttl_secs).await
    }
}

/// `n` members of `tenant` written straight into the store, each with a 9,000-character company:
/// a 1000-row page is then more than one 8 MiB part, so a few thousand rows make several parts.
async fn fat_members(app: &TestApp, tenant: &usher_domain::values::TenantId, n: usize) {
    let (now, company) = (app.deps.now(), "c".repeat(9000));
    for chunk in (0..n).collect::<Vec<_>>().chunks(100) {
        let writes =
            chunk.iter().map(|&i| usher_domain::schema::create(&usher_tests::seed::member(tenant, i, now, Some(&company)))).collect();
        app.deps.table.transact(writes).await.expect("seed");
    }
}

/// Checkpoint resume: an export job stopped after its first stored part (its second part's write
/// fails on cue) is finished by the next attempt from its checkpoint: the file holds every row
/// exactly once, and the tenant was read from the start once, not twice. Replay bound: the rows
/// of the one part that was not stored (one 1000-row page here) are read again.
#[tokio::test]
async fn an_export_stopped_part_way_goes_on_from_its_checkpoint_and_writes_every_row_exactly_once() {
    use std::sync::atomic::Ordering::SeqCst;
    let table = Arc::new(CountsMemberPages {
        inner: Arc::new(SqliteTable::in_memory().expect("sqlite")),
        pages: Default::default(),
        from_start: Default::default(),
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let files = Arc::new(FailsOnCue {
        inner: usher_store::LocalFiles::new(dir.path(), "http://usher.test"),
        fail_at: 2,
        writes: Default::default(),
    });
    let app = TestApp::with_options(
        table.clone(),
        Options { export_direct_rows: Some(0), worker: false, files: Some(files.clone()), ..Options::default() },
    );
    let t = app.tenant("Acme", OWNER, None).await;
    let tenant = usher_domain::values::TenantId::parse(&t).expect("tenant");
    fat_members(&app, &tenant, 2500).await;
    let owner = app.token(OWNER);
    let started = app.call(Method::GET, &format!("/v1/tenants/{t}/members/export"), Some(&owner), None).await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.json);
    let id = started.json["id"].as_str().expect("id").to_owned();

    // The first worker stores its first part (rows 1-1000), then stops at the second.
    let first = usher_domain::usecases::export::run_job(&app.deps, &tenant, &id).await.expect("ran");
    assert_eq!(first, usher_domain::usecases::delivery::Processed::Failed);
    let key = usher_domain::schema::export_key(&tenant, &id);
    let job =
        usher_domain::schema::load::<usher_domain::model::ExportJob>(app.deps.table.as_ref(), &key).await.expect("read").expect("job");
    let checkpoint = job.value.checkpoint.expect("a checkpoint after the stored part");
    assert_eq!(checkpoint.rows, 1000, "{checkpoint:?}");
    assert_eq!((table.pages.load(SeqCst), table.from_start.load(SeqCst)), (2, 1));

    // Its retry comes round (the sweep queues it again) and goes on from the checkpoint.
    app.clock.advance_secs(3600);
    app.sweep().await;
    app.deliver_queued().await;

    let status = app.call(Method::GET, &format!("/v1/tenants/{t}/exports/{id}"), Some(&owner), None).await;
    assert_eq!((status.json["status"].as_str(), status.json["rows"].as_u64()), (Some("ready"), Some(2501)), "{}", status.json);
    assert_eq!(table.from_start.load(SeqCst), 1, "the retry did not read the tenant from the start again");
    assert_eq!(table.pages.load(SeqCst), 2 + 2, "the retry read pages 2 and 3 only");
    let csv = std::fs::read(dir.path().join(format!("exports/{t}/{id}.csv"))).expect("the file");
    assert_eq!(status.json["bytes"].as_u64(), Some(csv.len() as u64));
    let text = String::from_utf8_lossy(&csv[3..]).into_owned();
    let mut ids: Vec<&str> =
        text.split("\r\n").skip(1).filter(|l| !l.is_empty()).map(|l| l.split(',').next().unwrap_or_default()).collect();
    assert_eq!(ids.len(), 2501, "every member and the owner, no line twice");
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 2501, "each row once");
    assert_eq!(text.matches("id,name,").count(), 1, "one header");
}
