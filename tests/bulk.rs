//! Bulk invitations: every row judged on its own, a review step that writes nothing, per-row
//! reports (JSON and CSV), seats in row order, chunked writes, emails queued for the delivery worker.

use http::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;
use usher_store::SqliteTable;
use usher_tests::TestApp;

const OWNER: &str = "owner@acme.test";

fn url(t: &str) -> String {
    format!("/v1/tenants/{t}/invitations")
}

fn outcomes(report: &Value) -> Vec<(String, String)> {
    report["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| (r["outcome"].as_str().unwrap_or_default().to_owned(), r["code"].as_str().unwrap_or_default().to_owned()))
        .collect()
}

async fn world() -> (TestApp, String) {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, Some(8)).await;
    app.member(&t, OWNER, "admin@acme.test", "admin").await;
    app.member(&t, OWNER, "mia@example.com", "member").await;
    app.invite(&t, OWNER, "pending@example.com", "member").await;
    (app, t)
}

fn rows() -> Value {
    json!([
        {"email": "ada@example.com", "role": "member", "profile": {"first_name": "Ada"}},
        {"email": "not an email", "role": "member"},
        {"role": "member"},
        {"email": " ADA@example.com", "role": "viewer"},
        {"email": "bob@example.com", "role": "no-such-role"},
        {"email": "cy@example.com", "role": "owner"},
        {"email": "mia@example.com", "role": "member"},
        {"email": "pending@example.com", "role": "member"},
        {"email": "dan@example.com", "role": "viewer", "profile": {"nickname": "D"}},
        {"email": "eve@example.com", "role": "viewer"},
        {"email": "fay@example.com", "role": "viewer"},
        {"email": "gus@example.com", "role": "viewer"},
        {"email": "hal@example.com", "role": "viewer"}
    ])
}

fn expected(done: &str) -> Vec<(String, String)> {
    [
        (done, ""),
        ("error", "invalid_request"),
        ("error", "invalid_request"),
        ("error", "duplicate_in_upload"),
        ("error", "unknown_role"),
        ("error", "role_not_grantable"),
        ("error", "already_member"),
        ("error", "already_invited"),
        ("error", "invalid_request"),
        (done, ""),
        (done, ""),
        // 8 seats: owner, admin, mia, pending, then ada, eve, fay, gus; hal is one too many.
        (done, ""),
        ("error", "seat_limit_reached"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
    .collect()
}

#[tokio::test]
async fn a_bulk_call_judges_every_row_alone_and_grants_seats_in_row_order() {
    let (app, t) = world().await;
    let admin = app.token("admin@acme.test");
    let r = app.call(Method::POST, &url(&t), Some(&admin), Some(json!({ "invitations": rows() }))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(outcomes(&r.json), expected("invited"), "{}", r.json);
    assert_eq!(r.json["summary"], json!({"rows": 13, "invited": 4, "errors": 9}));
    assert_eq!(r.json["results"][1]["errors"][0]["field"], "invitations[1].email");
    assert_eq!(r.json["results"][2]["errors"][0]["field"], "invitations[2].email");
    assert_eq!(r.json["results"][8]["errors"][0]["field"], "invitations[8].profile.nickname");
    assert_eq!(r.json["results"][0]["invitation"]["delivery"]["status"], "pending");
    let seats = app.call(Method::GET, &format!("/v1/tenants/{t}/members"), Some(&admin), None).await;
    assert_eq!(seats.json["seats"], json!({"limit": 8, "members": 3, "pending": 5, "available": 0}));
}

#[tokio::test]
async fn a_dry_run_reports_exactly_what_the_real_call_does_and_writes_nothing() {
    let (app, t) = world().await;
    let admin = app.token("admin@acme.test");
    let emails_before = app.outbox_messages().len();
    let review = app.call(Method::POST, &url(&t), Some(&admin), Some(json!({ "invitations": rows(), "dry_run": true }))).await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.json);
    assert_eq!(outcomes(&review.json), expected("would_invite"));
    assert_eq!(review.json["summary"], json!({"rows": 13, "would_invite": 4, "errors": 9}));
    let listed = app.call(Method::GET, &format!("{}?status=pending", url(&t)), Some(&admin), None).await;
    assert_eq!(listed.json["data"].as_array().map(Vec::len), Some(1), "only the earlier invitation: {}", listed.json);
    assert_eq!(app.outbox_messages().len(), emails_before, "nothing sent");

    let real = app.call(Method::POST, &url(&t), Some(&admin), Some(json!({ "invitations": rows() }))).await;
    let as_reviewed: Vec<(String, String)> =
        outcomes(&review.json).into_iter().map(|(o, c)| (if o == "would_invite" { "invited".to_owned() } else { o }, c)).collect();
    assert_eq!(outcomes(&real.json), as_reviewed, "the review step was exact");
}

#[tokio::test]
async fn a_csv_upload_reads_its_columns_reports_unknown_ones_and_a_row_without_email_and_answers_a_csv_report() {
    let (app, t) = world().await;
    let csv = "\u{FEFF}Email,Role,First_Name,Last_Name,Workspaces,Badge\r\n\
               zoe@example.com,viewer,Zoë,Zed,north;south,7\r\n\
               ,viewer,No,Email,,\r\n\
               =cmd@example.com,viewer,Eve,,,\r\n";
    let owner = app.token(OWNER);
    let r = app
        .call_with(
            Method::POST,
            &url(&t),
            Some(&owner),
            Some(csv.as_bytes().to_vec()),
            &[("content-type", "text/csv"), ("accept", "text/csv")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.bytes));
    assert_eq!(r.headers.get("content-type").and_then(|v| v.to_str().ok()), Some("text/csv; charset=utf-8"));
    let text = String::from_utf8(r.bytes.to_vec()).expect("utf-8");
    let lines: Vec<&str> = text.trim_start_matches('\u{FEFF}').lines().collect();
    assert_eq!(lines[0], "row,email,outcome,code,message,invitation_id,role,expires_at");
    assert!(lines[1].starts_with("1,zoe@example.com,invited,,,inv_"), "{text}");
    assert!(lines[2].starts_with("2,,error,invalid_request,invitations[1].email: email is required"), "{text}");
    assert!(lines[3].starts_with("3,'=cmd@example.com,invited"), "a formula-looking cell is neutralised: {text}");

    let json_report = app
        .call_with(
            Method::POST,
            &format!("{}?dry_run=true", url(&t)),
            Some(&owner),
            Some(csv.as_bytes().to_vec()),
            &[("content-type", "text/csv")],
        )
        .await;
    assert_eq!(json_report.json["warnings"], json!(["the column `badge` is not one Usher reads; it was ignored"]));
    assert_eq!(json_report.json["results"][0]["code"], "already_invited", "zoe was invited by the first upload");
    let zoe = app.call(Method::GET, &format!("{}?email=zoe", url(&t)), Some(&owner), None).await;
    assert_eq!(zoe.json["data"][0]["workspaces"], json!(["north", "south"]));
    assert_eq!(zoe.json["data"][0]["profile"]["first_name"], "Zoë");
}

#[tokio::test]
async fn more_than_a_thousand_rows_is_413_and_an_empty_list_is_400() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let owner = app.token(OWNER);
    let many: Vec<Value> = (0..1001).map(|i| json!({"email": format!("p{i}@example.com"), "role": "viewer"})).collect();
    let r = app.call(Method::POST, &url(&t), Some(&owner), Some(json!({ "invitations": many }))).await;
    assert_eq!((r.status, r.code()), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"));
    let r = app.call(Method::POST, &url(&t), Some(&owner), Some(json!({ "invitations": [] }))).await;
    assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "invalid_request"));
    let viewer = app.member(&t, OWNER, "vic@example.com", "viewer").await;
    let _ = viewer;
    let r = app
        .call(
            Method::POST,
            &url(&t),
            Some(&app.token("vic@example.com")),
            Some(json!({ "invitations": [{"email": "x@example.com", "role": "viewer"}] })),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "a viewer may not invite at all: {}", r.json);
}

#[tokio::test]
async fn bulk_emails_are_queued_in_the_call_and_the_delivery_worker_sends_each_once_with_a_working_link() {
    let app = TestApp::without_delivery_worker(Arc::new(SqliteTable::in_memory().expect("sqlite")), None);
    let t = app.tenant("Acme", OWNER, None).await;
    let owner = app.token(OWNER);
    let rows: Vec<Value> = (0..30).map(|i| json!({"email": format!("p{i}@example.com"), "role": "viewer"})).collect();
    let r = app.call(Method::POST, &url(&t), Some(&owner), Some(json!({ "invitations": rows }))).await;
    assert_eq!(r.json["summary"]["invited"], 30);
    assert_eq!(r.json["results"][29]["invitation"]["delivery"]["status"], "pending");
    assert!(app.messages_to("p0@example.com").is_empty(), "nothing sent during the call");

    app.deliver_queued().await;
    assert!((0..30).all(|i| app.messages_to(&format!("p{i}@example.com")).len() == 1), "one email each");
    let token = app.token_from_email("p7@example.com");
    let accepted =
        app.call(Method::POST, "/v1/invitations/accept", Some(&app.token("p7@example.com")), Some(json!({ "token": token }))).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.json);
    app.clock.advance_secs(600);
    assert_eq!(app.sweep().await.requeued, 0, "nothing left waiting");
    app.deliver_queued().await;
    assert_eq!(app.messages_to("p3@example.com").len(), 1, "sent once");
}

const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A workbook as a person would fill it: mixed-case headers, an unknown column, a phone and an
/// employee number typed as numbers, a row without email, a duplicate; and a second sheet that
/// is not read.
fn people_xlsx() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["Email", " Role ", "First_Name", "PHONE", "Employee_Number", "Workspaces", "Expires_In_Days", "Badge"].iter().enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "zoe@example.com").unwrap();
    sheet.write_string(1, 1, "viewer").unwrap();
    sheet.write_string(1, 2, "Zoë").unwrap();
    sheet.write_number(1, 3, 4_915_112_345_678.0).unwrap();
    sheet.write_number(1, 4, 1042.0).unwrap();
    sheet.write_string(1, 5, "north; south").unwrap();
    sheet.write_number(1, 6, 5.0).unwrap();
    sheet.write_string(1, 7, "7").unwrap();
    sheet.write_string(2, 1, "viewer").unwrap();
    sheet.write_string(2, 2, "No Email").unwrap();
    sheet.write_string(3, 0, " ZOE@example.com").unwrap();
    sheet.write_string(3, 1, "viewer").unwrap();
    sheet.write_string(4, 0, "yan@example.com").unwrap();
    sheet.write_string(4, 1, "viewer").unwrap();
    let other = book.add_worksheet();
    other.write_string(0, 0, "email").unwrap();
    other.write_string(1, 0, "second-sheet@example.com").unwrap();
    book.save_to_buffer().unwrap()
}

#[tokio::test]
async fn an_xlsx_upload_reads_its_first_sheet_like_a_csv_with_numbers_as_typed_and_reviews_without_writing() {
    let (app, t) = world().await;
    let owner = app.token(OWNER);
    let post = |dry_run: bool, accept: &'static str| {
        let path = if dry_run { format!("{}?dry_run=true", url(&t)) } else { url(&t) };
        let owner = owner.clone();
        let app = &app;
        async move {
            app.call_with(Method::POST, &path, Some(&owner), Some(people_xlsx()), &[("content-type", XLSX_TYPE), ("accept", accept)]).await
        }
    };
    let expected = |done: &str| -> Vec<(String, String)> {
        [(done, ""), ("error", "invalid_request"), ("error", "duplicate_in_upload"), (done, "")]
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    };

    let review = post(true, "application/json").await;
    assert_eq!(review.status, StatusCode::OK, "{}", String::from_utf8_lossy(&review.bytes));
    assert_eq!(outcomes(&review.json), expected("would_invite"), "{}", review.json);
    assert_eq!(review.json["summary"], json!({"rows": 4, "would_invite": 2, "errors": 2}));
    assert_eq!(review.json["warnings"], json!(["the column `badge` is not one Usher reads; it was ignored"]));
    assert_eq!(review.json["results"][1]["errors"][0]["field"], "invitations[1].email");
    assert_eq!(review.json["results"][2]["email"], "ZOE@example.com");
    let zoe = app.call(Method::GET, &format!("{}?email=zoe", url(&t)), Some(&owner), None).await;
    assert_eq!(zoe.json["data"], json!([]), "the review wrote nothing: {}", zoe.json);

    let real = post(false, "application/json").await;
    assert_eq!(real.status, StatusCode::OK, "{}", String::from_utf8_lossy(&real.bytes));
    assert_eq!(outcomes(&real.json), expected("invited"), "{}", real.json);
    let zoe = app.call(Method::GET, &format!("{}?email=zoe@example.com", url(&t)), Some(&owner), None).await;
    let inv = &zoe.json["data"][0];
    assert_eq!(inv["profile"]["phone"], "4915112345678", "a phone typed as a number is its digits: {}", zoe.json);
    assert_eq!(inv["profile"]["employee_number"], "1042");
    assert_eq!(inv["profile"]["first_name"], "Zoë");
    assert_eq!(inv["workspaces"], json!(["north", "south"]));
    let second = app.call(Method::GET, &format!("{}?email=second-sheet", url(&t)), Some(&owner), None).await;
    assert_eq!(second.json["data"], json!([]), "only the first sheet is read");

    let again = post(true, "text/csv").await;
    assert_eq!(again.headers.get("content-type").and_then(|v| v.to_str().ok()), Some("text/csv; charset=utf-8"));
    let text = String::from_utf8(again.bytes.to_vec()).unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{FEFF}').lines().collect();
    assert!(lines[1].starts_with("1,zoe@example.com,error,already_invited,"), "{text}");
    assert!(lines[2].starts_with("2,,error,invalid_request,invitations[1].email: "), "{text}");
}

#[tokio::test]
async fn a_body_that_is_not_a_workbook_is_400_invalid_xlsx_and_too_many_rows_is_413() {
    let (app, t) = world().await;
    let owner = app.token(OWNER);
    let mut corrupt = people_xlsx();
    corrupt.truncate(corrupt.len() / 2);
    for (body, why) in [(corrupt, "a truncated workbook"), (b"email,role\r\nada@example.com,viewer\r\n".to_vec(), "a CSV")] {
        let r = app.call_with(Method::POST, &url(&t), Some(&owner), Some(body), &[("content-type", XLSX_TYPE)]).await;
        assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "invalid_request"), "{why}: {}", r.json);
        assert_eq!(
            (r.json["errors"][0]["field"].as_str(), r.json["errors"][0]["code"].as_str()),
            (Some("body"), Some("invalid_xlsx")),
            "{why}"
        );
    }
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "email").unwrap();
    for i in 1..=1001 {
        sheet.write_string(i, 0, format!("p{i}@example.com")).unwrap();
    }
    let r = app.call_with(Method::POST, &url(&t), Some(&owner), Some(book.save_to_buffer().unwrap()), &[("content-type", XLSX_TYPE)]).await;
    assert_eq!((r.status, r.code()), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"), "{}", r.json);
    let listed = app.call(Method::GET, &format!("{}?status=pending", url(&t)), Some(&owner), None).await;
    assert_eq!(listed.json["data"].as_array().map(Vec::len), Some(1), "nothing written: {}", listed.json);
}

#[tokio::test]
async fn an_upload_from_a_stranger_or_a_member_who_may_not_invite_is_refused_before_its_file_is_read() {
    let (app, t) = world().await;
    // Not a workbook at all: reading it would answer 400 invalid_xlsx / invalid_csv.
    let junk = b"PK\x03\x04 not really a workbook".to_vec();
    for (who, status, code) in
        [("stranger@evil.example", StatusCode::NOT_FOUND, "not_found"), ("mia@example.com", StatusCode::FORBIDDEN, "forbidden")]
    {
        let token = app.token(who);
        for kind in [XLSX_TYPE, "text/csv"] {
            let r = app.call_with(Method::POST, &url(&t), Some(&token), Some(junk.clone()), &[("content-type", kind)]).await;
            assert_eq!((r.status, r.code()), (status, code), "{who}, {kind}: {}", r.json);
        }
    }
}

/// A table that counts single reads and batched reads.
struct CountsReads {
    inner: Arc<SqliteTable>,
    single: std::sync::atomic::AtomicUsize,
    batched: std::sync::atomic::AtomicUsize,
}

#[async_trait::async_trait]
impl usher_domain::ports::Table for CountsReads {
    async fn get(&self, key: &usher_domain::ports::Key) -> Result<Option<usher_domain::ports::Item>, usher_domain::ports::StoreError> {
        self.single.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.inner.get(key).await
    }
    async fn get_many(
        &self,
        keys: &[usher_domain::ports::Key],
    ) -> Result<Vec<Option<usher_domain::ports::Item>>, usher_domain::ports::StoreError> {
        self.batched.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.inner.get_many(keys).await
    }
    async fn query(&self, q: &usher_domain::ports::Query) -> Result<usher_domain::ports::Page, usher_domain::ports::StoreError> {
        self.inner.query(q).await
    }
    async fn transact(
        &self,
        writes: Vec<usher_domain::ports::Write>,
    ) -> Result<usher_domain::ports::Committed, usher_domain::ports::StoreError> {
        self.inner.transact(writes).await
    }
}

#[tokio::test]
async fn a_1000_row_bulk_call_reads_the_holders_of_its_addresses_in_two_batched_reads_not_one_read_per_row() {
    use std::sync::atomic::Ordering;
    let table = Arc::new(CountsReads {
        inner: Arc::new(SqliteTable::in_memory().expect("sqlite")),
        single: Default::default(),
        batched: Default::default(),
    });
    // No delivery worker: its reads (one send at a time) are not the call's.
    let app = TestApp::with_options(table.clone(), usher_tests::Options { worker: false, ..Default::default() });
    let t = app.tenant("Acme", OWNER, Some(2000)).await;
    let owner = app.token(OWNER);
    // An address is taken already: a member, and a pending invitation.
    app.invite(&t, OWNER, "row7@example.com", "member").await;
    let rows: Vec<Value> = (0..1000).map(|i| json!({"email": format!("row{i}@example.com"), "role": "member"})).collect();
    let (single, batched) = (table.single.load(Ordering::SeqCst), table.batched.load(Ordering::SeqCst));

    let r = app.call(Method::POST, &format!("/v1/tenants/{t}/invitations"), Some(&owner), Some(json!({ "invitations": rows }))).await;

    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!((r.json["summary"]["invited"].as_u64(), r.json["results"][7]["code"].as_str()), (Some(999), Some("already_invited")));
    let single = table.single.load(Ordering::SeqCst) - single;
    assert!(single < 20, "{single} single reads: the caller, the tenant and its roles, not one per row");
    assert_eq!(table.batched.load(Ordering::SeqCst) - batched, 2, "the guards, then the invitations they point at");
}
