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
