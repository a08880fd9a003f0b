//! Joining without an invitation email (issue 21): join links and join requests, through the
//! real handlers, on the embedded store; the races also on DynamoDB (moto), ignored without it
//! (`bash infra/scripts/with-moto.sh cargo test -p usher-tests --test joining -- --include-ignored`).

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use usher_http::{RequestContext, SourceIp};
use usher_store::{Publisher, SqliteTable};
use usher_tests::joining::{link, new_link};
use usher_tests::{Reply, TestApp, aws, joining};

const OWNER: &str = "owner@acme.test";
const ADA: &str = "ada@acme.test";

async fn redeem(app: &TestApp, who: &str, token: &str) -> Reply {
    app.call(Method::POST, "/v1/join-links/redeem", Some(&app.token(who)), Some(json!({ "token": token }))).await
}

async fn lookup(app: &TestApp, token: &str) -> Reply {
    app.call(Method::POST, "/v1/join-links/lookup", None, Some(json!({ "token": token }))).await
}

fn assert_problem(r: &Reply, status: StatusCode, code: &str) {
    assert_eq!((r.status, r.code()), (status, code), "{}", r.json);
}

// ------------------------------------------------------------------------------ the races

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_redeems_of_a_fifty_use_link_with_forty_free_seats_make_exactly_forty_members() {
    joining::two_hundred_redeems_of_a_fifty_use_link_with_forty_free_seats_make_exactly_forty_members(Arc::new(TestApp::new()), 200).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn approvals_racing_for_the_last_seat_let_exactly_one_through() {
    joining::approvals_racing_for_the_last_seat_let_exactly_one_through(Arc::new(TestApp::new())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs the local AWS server: run infra/scripts/with-moto.sh"]
async fn two_hundred_redeems_on_dynamodb_of_a_fifty_use_link_with_forty_free_seats_make_exactly_forty_members() {
    let app = Arc::new(TestApp::with_table(aws::new_table().await));
    joining::two_hundred_redeems_of_a_fifty_use_link_with_forty_free_seats_make_exactly_forty_members(app, 20).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs the local AWS server: run infra/scripts/with-moto.sh"]
async fn approvals_on_dynamodb_racing_for_the_last_seat_let_exactly_one_through() {
    let app = Arc::new(TestApp::with_table(aws::new_table().await));
    joining::approvals_racing_for_the_last_seat_let_exactly_one_through(app).await;
}

// ------------------------------------------------------------------------------ the token

/// Every log line the app writes while `f` runs (all levels).
struct Lines(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Lines {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every log line of this test binary, at every level: the process's global subscriber, set
/// once (a thread's own subscriber would miss what the runtime's other threads log, and
/// tracing caches a call site's interest across threads).
fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: std::sync::OnceLock<Arc<Mutex<Vec<u8>>>> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sink = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing_subscriber::filter::LevelFilter::TRACE)
            .with_ansi(false)
            .with_writer(move || Lines(sink.clone()))
            .finish();
        tracing_subscriber::util::SubscriberInitExt::try_init(subscriber).expect("the only global subscriber of this binary");
        logs
    })
    .clone()
}

#[tokio::test]
async fn a_join_links_token_is_in_its_creation_answer_only_never_in_a_list_lookup_redeem_event_or_log_line() {
    let logs = captured_logs();
    let dir = tempfile::tempdir().unwrap();
    let table = SqliteTable::open(&dir.path().join("usher.db")).unwrap();
    let app = TestApp::with_table(Arc::new(table.clone()));
    let t = app.tenant("Acme", OWNER, None).await;
    let created = app
        .call(Method::POST, &format!("/v1/tenants/{t}/join-links"), Some(&app.token(OWNER)), Some(json!({"role": "member", "max_uses": 5})))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let url = created.json["url"].as_str().unwrap();
    assert!(url.starts_with(&format!("{}#join=", usher_tests::ACCEPT_URL)), "{url}");
    let token = url.split_once("#join=").unwrap().1.to_owned();
    assert_eq!(token.len(), 43);
    assert_eq!(created.header("cache-control"), Some("no-store"));
    let id = created.json["id"].as_str().unwrap().to_owned();

    let mut answers = vec![
        app.call(Method::GET, &format!("/v1/tenants/{t}/join-links"), Some(&app.token(OWNER)), None).await,
        lookup(&app, &token).await,
        redeem(&app, ADA, &token).await,
        app.call(Method::GET, "/v1/me/join-requests", Some(&app.token(ADA)), None).await,
        app.call(Method::GET, &format!("/v1/tenants/{t}/audit?limit=100"), Some(&app.token(OWNER)), None).await,
    ];
    answers.push(app.call(Method::DELETE, &format!("/v1/tenants/{t}/join-links/{id}"), Some(&app.token(OWNER)), None).await);
    for r in &answers {
        assert!(r.status.is_success(), "{}", r.json);
        assert!(!String::from_utf8_lossy(&r.bytes).contains(&token), "the token came back: {}", r.json);
    }
    // The hash is no secret, but nothing shows it either.
    let hash = usher_domain::token::InvitationToken::parse(&token).unwrap().hash();
    for r in &answers {
        assert!(!String::from_utf8_lossy(&r.bytes).contains(hash.as_str()), "{}", r.json);
    }

    let publisher = Publisher::new(table, dir.path(), "local");
    let published = publisher.publish_to_file_once().await.unwrap();
    let events = std::fs::read_to_string(publisher.events_file()).unwrap();
    let events: Vec<Value> = events.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(published, events.len());
    events.iter().for_each(usher_tests::openapi::assert_event);
    let kinds: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    for kind in ["usher.join_link.created", "usher.member.added", "usher.join_link.disabled"] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    let created_event = events.iter().find(|e| e["type"] == "usher.join_link.created").unwrap();
    assert_eq!(created_event["subject"], format!("tenants/{t}/join-links/{id}"));
    assert_eq!(created_event["data"]["resource"]["max_uses"], 5);
    let added = events.iter().rfind(|e| e["type"] == "usher.member.added").unwrap();
    assert_eq!((&added["data"]["details"]["via"], &added["data"]["details"]["join_link_id"]), (&json!("join_link"), &json!(id)));
    let disabled = events.iter().find(|e| e["type"] == "usher.join_link.disabled").unwrap();
    assert_eq!(disabled["data"]["resource"]["status"], "disabled");
    let text = serde_json::to_string(&events).unwrap();
    assert!(!text.contains(&token) && !text.contains(hash.as_str()), "no event carries the token or its hash");

    let logged = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    for line in ["join link created", "joined by link", "join link disabled"] {
        assert!(logged.contains(line), "the app logged {line:?}: {logged}");
    }
    assert!(!logged.contains(&token), "a log line carries the token");
}

// ------------------------------------------------------------------------------ states

#[tokio::test]
async fn a_lookup_consumes_nothing_and_shows_the_tenant_the_role_the_uses_left_and_the_expiry() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let (id, token) =
        new_link(&app, &t, json!({"role": "viewer", "max_uses": 2, "expires_in_days": 3, "allowed_domains": ["acme.test"]})).await;
    for _ in 0..5 {
        let r = lookup(&app, &token).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        assert_eq!(
            (&r.json["tenant_name"], &r.json["role"], &r.json["remaining"], &r.json["status"], &r.json["approval"]),
            (&json!("Acme"), &json!("viewer"), &json!(2), &json!("active"), &json!(false))
        );
        assert_eq!(r.json["expires_at"], "2026-11-26T09:00:00Z");
        assert_eq!(r.json["allowed_domains"], json!(["acme.test"]));
    }
    assert_eq!(link(&app, &t, &id).await["uses"], 0, "five lookups used nothing");
    assert_eq!(redeem(&app, ADA, &token).await.status, StatusCode::OK);
    assert_eq!(lookup(&app, &token).await.json["remaining"], 1);
    assert_problem(&lookup(&app, &"A".repeat(43)).await, StatusCode::NOT_FOUND, "not_found");
    let r = lookup(&app, "short").await;
    assert_eq!((r.status, r.json["errors"][0]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_token")));
}

#[tokio::test]
async fn an_expired_link_reads_expired_and_redeeming_it_is_410_link_expired() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let (id, token) = new_link(&app, &t, json!({"role": "member", "max_uses": 5})).await;
    app.clock.advance_days(14);
    assert_eq!(lookup(&app, &token).await.json["status"], "expired");
    assert_problem(&redeem(&app, ADA, &token).await, StatusCode::GONE, "link_expired");
    assert_eq!(link(&app, &t, &id).await["uses"], 0);
}

#[tokio::test]
async fn a_disabled_link_is_410_link_disabled_at_once_and_disabling_it_again_is_409() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let (id, token) = new_link(&app, &t, json!({"role": "member", "max_uses": 5})).await;
    assert_eq!(redeem(&app, ADA, &token).await.status, StatusCode::OK);
    let path = format!("/v1/tenants/{t}/join-links/{id}");
    let d = app.call(Method::DELETE, &path, Some(&app.token(OWNER)), None).await;
    assert_eq!((d.status, &d.json["disabled"], &d.json["uses"]), (StatusCode::OK, &json!(true), &json!(1)), "{}", d.json);
    assert_problem(&redeem(&app, "grace@acme.test", &token).await, StatusCode::GONE, "link_disabled");
    assert_eq!(lookup(&app, &token).await.json["status"], "disabled");
    assert_problem(&app.call(Method::DELETE, &path, Some(&app.token(OWNER)), None).await, StatusCode::CONFLICT, "invalid_state");
    assert_eq!(link(&app, &t, &id).await["uses"], 1);
}

#[tokio::test]
async fn a_used_up_link_is_410_link_used_up() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let (id, token) = new_link(&app, &t, json!({"role": "member", "max_uses": 1})).await;
    assert_eq!(redeem(&app, ADA, &token).await.status, StatusCode::OK);
    assert_problem(&redeem(&app, "grace@acme.test", &token).await, StatusCode::GONE, "link_used_up");
    let l = link(&app, &t, &id).await;
    assert_eq!((&l["uses"], &l["remaining"], &l["status"]), (&json!(1), &json!(0), &json!("used_up")));
}

#[tokio::test]
async fn an_address_outside_the_links_domains_or_the_tenants_is_403_domain_not_allowed_and_uses_nothing() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let (id, token) = new_link(&app, &t, json!({"role": "member", "max_uses": 5, "allowed_domains": ["acme.test"]})).await;
    assert_problem(&redeem(&app, "mallory@evil.test", &token).await, StatusCode::FORBIDDEN, "domain_not_allowed");
    assert_problem(&redeem(&app, "eve@sub.acme.test", &token).await, StatusCode::FORBIDDEN, "domain_not_allowed");
    // The tenant's own policy holds for a link that names no domain.
    let (_, open) = new_link(&app, &t, json!({"role": "member", "max_uses": 5})).await;
    let p = app
        .call(Method::PATCH, &format!("/v1/tenants/{t}/settings"), Some(&app.token(OWNER)), Some(json!({"allowed_domains": ["acme.test"]})))
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.json);
    assert_problem(&redeem(&app, "mallory@evil.test", &open).await, StatusCode::FORBIDDEN, "domain_not_allowed");
    assert_eq!(link(&app, &t, &id).await["uses"], 0);
    assert_eq!(redeem(&app, ADA, &token).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_member_redeeming_again_is_409_already_member_and_uses_nothing() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let (id, token) = new_link(&app, &t, json!({"role": "member", "max_uses": 5})).await;
    let first = redeem(&app, ADA, &token).await;
    assert_eq!((first.status, &first.json["member"]["role"]), (StatusCode::OK, &json!("member")), "{}", first.json);
    assert_eq!(first.json["tenant_name"], "Acme");
    assert_problem(&redeem(&app, ADA, &token).await, StatusCode::CONFLICT, "already_member");
    assert_problem(&redeem(&app, OWNER, &token).await, StatusCode::CONFLICT, "already_member");
    assert_eq!(link(&app, &t, &id).await["uses"], 1);
    // A member who joined by invitation (another address guard, same rule).
    app.member(&t, OWNER, "grace@acme.test", "viewer").await;
    assert_problem(&redeem(&app, "grace@acme.test", &token).await, StatusCode::CONFLICT, "already_member");
    assert_eq!(link(&app, &t, &id).await["uses"], 1);
}

#[tokio::test]
async fn a_person_with_a_pending_invitation_is_409_already_invited_and_an_unverified_email_cannot_redeem() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let (id, token) = new_link(&app, &t, json!({"role": "member", "max_uses": 5})).await;
    assert_eq!(app.invite(&t, OWNER, ADA, "admin").await.status, StatusCode::CREATED);
    assert_problem(&redeem(&app, ADA, &token).await, StatusCode::CONFLICT, "already_invited");
    let unverified = app.token_with("grace@acme.test", "sub|grace", false, false);
    let r = app.call(Method::POST, "/v1/join-links/redeem", Some(&unverified), Some(json!({ "token": token }))).await;
    assert_problem(&r, StatusCode::FORBIDDEN, "forbidden");
    assert_problem(
        &app.call(Method::POST, "/v1/join-links/redeem", None, Some(json!({ "token": token }))).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    );
    assert_eq!(link(&app, &t, &id).await["uses"], 0);
    // Once the invitation is overdue, the link may be used: the stale invitation expires in the
    // same write and hands its seat to the new member.
    app.clock.advance_days(8);
    let joined = redeem(&app, ADA, &token).await;
    assert_eq!((joined.status, &joined.json["member"]["role"]), (StatusCode::OK, &json!("member")), "{}", joined.json);
    let m = app.call(Method::GET, &format!("/v1/tenants/{t}/members"), Some(&app.token(OWNER)), None).await;
    assert_eq!((&m.json["seats"]["members"], &m.json["seats"]["pending"]), (&json!(2), &json!(0)), "{}", m.json);
}

#[tokio::test]
async fn creating_a_link_needs_invitations_create_a_grantable_role_and_sane_limits() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    app.member(&t, OWNER, "max@acme.test", "member").await;
    app.member(&t, OWNER, "adm@acme.test", "admin").await;
    let path = format!("/v1/tenants/{t}/join-links");
    let as_member = app.call(Method::POST, &path, Some(&app.token("max@acme.test")), Some(json!({"role": "member", "max_uses": 5}))).await;
    assert_problem(&as_member, StatusCode::FORBIDDEN, "forbidden");
    assert_problem(&app.call(Method::GET, &path, Some(&app.token("max@acme.test")), None).await, StatusCode::FORBIDDEN, "forbidden");
    let owner_link = app.call(Method::POST, &path, Some(&app.token("adm@acme.test")), Some(json!({"role": "owner", "max_uses": 5}))).await;
    assert_problem(&owner_link, StatusCode::FORBIDDEN, "role_not_grantable");
    // Not even the owner, who may grant `owner`, makes a link that does.
    let by_owner = app.call(Method::POST, &path, Some(&app.token(OWNER)), Some(json!({"role": "owner", "max_uses": 5}))).await;
    assert_problem(&by_owner, StatusCode::FORBIDDEN, "role_not_grantable");
    let outsider =
        app.call(Method::POST, &path, Some(&app.token("nobody@else.test")), Some(json!({"role": "member", "max_uses": 5}))).await;
    assert_problem(&outsider, StatusCode::NOT_FOUND, "not_found");
    for (body, field) in [
        (json!({"role": "member", "max_uses": 0}), "max_uses"),
        (json!({"role": "member", "max_uses": 1001}), "max_uses"),
        (json!({"role": "member", "max_uses": 5, "expires_in_days": 91}), "expires_in_days"),
        (json!({"role": "member", "max_uses": 5, "allowed_domains": ["not a domain"]}), "allowed_domains[0]"),
        (json!({"role": "nope", "max_uses": 5}), "role"),
    ] {
        let r = app.call(Method::POST, &path, Some(&app.token(OWNER)), Some(body)).await;
        assert_eq!((r.status, r.json["errors"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some(field)), "{}", r.json);
    }
    assert_eq!(app.call(Method::GET, &path, Some(&app.token(OWNER)), None).await.json["data"], json!([]), "nothing was created");
}

// ------------------------------------------------------------------------------ requests

#[tokio::test]
async fn a_link_with_approval_files_one_request_that_an_admin_approves_or_denies_and_the_person_sees() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, Some(10)).await;
    let (id, token) = new_link(&app, &t, json!({"role": "viewer", "max_uses": 3, "approval": true})).await;
    let asked = redeem(&app, ADA, &token).await;
    assert_eq!((asked.status, &asked.json["outcome"]), (StatusCode::ACCEPTED, &json!("requested")), "{}", asked.json);
    let request = asked.json["join_request"]["id"].as_str().unwrap().to_owned();
    assert_eq!(asked.json["join_request"]["status"], "pending");
    // Asking again answers the same request and takes no other use.
    let again = redeem(&app, ADA, &token).await;
    assert_eq!((again.status, &again.json["join_request"]["id"]), (StatusCode::ACCEPTED, &json!(request)));
    assert_eq!(link(&app, &t, &id).await["uses"], 1);
    let grace = redeem(&app, "grace@acme.test", &token).await.json["join_request"]["id"].as_str().unwrap().to_owned();

    let mine = app.call(Method::GET, "/v1/me/join-requests", Some(&app.token(ADA)), None).await;
    assert_eq!(mine.json["data"].as_array().map(Vec::len), Some(1), "{}", mine.json);
    assert_eq!((&mine.json["data"][0]["id"], &mine.json["data"][0]["tenant_name"]), (&json!(request), &json!("Acme")));
    let nobody = app.call(Method::GET, "/v1/me/join-requests", Some(&app.token("nobody@else.test")), None).await;
    assert_eq!(nobody.json["data"], json!([]));

    let list = app.call(Method::GET, &format!("/v1/tenants/{t}/join-requests"), Some(&app.token(OWNER)), None).await;
    assert_eq!(list.json["data"].as_array().map(Vec::len), Some(2), "{}", list.json);
    assert_eq!(list.json["data"][0]["id"], grace, "newest first");
    let page = app.call(Method::GET, &format!("/v1/tenants/{t}/join-requests?limit=1"), Some(&app.token(OWNER)), None).await;
    let cursor = page.json["next_cursor"].as_str().unwrap().to_owned();
    let next =
        app.call(Method::GET, &format!("/v1/tenants/{t}/join-requests?limit=1&cursor={cursor}"), Some(&app.token(OWNER)), None).await;
    assert_eq!(next.json["data"][0]["id"], request);
    let bad = app.call(Method::GET, &format!("/v1/tenants/{t}/join-requests?status=maybe"), Some(&app.token(OWNER)), None).await;
    assert_problem(&bad, StatusCode::BAD_REQUEST, "invalid_request");

    let approve = |id: &str| format!("/v1/tenants/{t}/join-requests/{id}/approve");
    let ok = app.call(Method::POST, &approve(&request), Some(&app.token(OWNER)), None).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.json);
    assert_eq!((&ok.json["join_request"]["status"], &ok.json["member"]["role"]), (&json!("approved"), &json!("viewer")));
    assert_problem(&app.call(Method::POST, &approve(&request), Some(&app.token(OWNER)), None).await, StatusCode::CONFLICT, "invalid_state");
    let denied = app.call(Method::POST, &format!("/v1/tenants/{t}/join-requests/{grace}/deny"), Some(&app.token(OWNER)), None).await;
    assert_eq!((denied.status, &denied.json["status"]), (StatusCode::OK, &json!("denied")), "{}", denied.json);
    assert_problem(&app.call(Method::POST, &approve(&grace), Some(&app.token(OWNER)), None).await, StatusCode::CONFLICT, "invalid_state");
    assert_problem(
        &app.call(Method::POST, &approve("jr_nothing"), Some(&app.token(OWNER)), None).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );

    // The approved person is a member, the denied one may ask again (a new request, a new use).
    assert_problem(&redeem(&app, ADA, &token).await, StatusCode::CONFLICT, "already_member");
    let again = redeem(&app, "grace@acme.test", &token).await;
    assert_eq!(again.status, StatusCode::ACCEPTED, "{}", again.json);
    assert_ne!(again.json["join_request"]["id"], grace);
    assert_eq!(link(&app, &t, &id).await["uses"], 3);
    let m = app.call(Method::GET, &format!("/v1/tenants/{t}/members"), Some(&app.token(OWNER)), None).await;
    assert_eq!(m.json["seats"], json!({"limit": 10, "members": 2, "pending": 0, "available": 8}));

    let audit = app.call(Method::GET, &format!("/v1/tenants/{t}/audit?limit=100"), Some(&app.token(OWNER)), None).await;
    let actions: Vec<&str> = audit.json["data"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for a in ["join_link.created", "join_request.created", "join_request.approved", "join_request.denied", "member.added"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    let added = audit.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "member.added" && e["details"]["join_request_id"] == request)
        .unwrap();
    assert_eq!((&added["details"]["via"], &added["details"]["join_request_id"]), (&json!("join_link"), &json!(request)), "{added}");
}

#[tokio::test]
async fn deciding_join_requests_needs_invitations_create_and_a_role_the_approver_may_grant() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let owner = app.token(OWNER);
    for (name, permissions) in [("inviter", json!(["invitations.create", "members.read"])), ("lead", json!(["roles.manage"]))] {
        let r = app
            .call(Method::PUT, &format!("/v1/tenants/{t}/roles/{name}"), Some(&owner), Some(json!({ "permissions": permissions })))
            .await;
        assert!(r.status.is_success(), "{}", r.json);
    }
    app.member(&t, OWNER, "max@acme.test", "member").await;
    app.member(&t, OWNER, "ivy@acme.test", "inviter").await;
    let (_, token) = new_link(&app, &t, json!({"role": "lead", "max_uses": 3, "approval": true})).await;
    let id = redeem(&app, ADA, &token).await.json["join_request"]["id"].as_str().unwrap().to_owned();
    let base = format!("/v1/tenants/{t}/join-requests");
    let member = app.token("max@acme.test");
    assert_problem(&app.call(Method::GET, &base, Some(&member), None).await, StatusCode::FORBIDDEN, "forbidden");
    assert_problem(&app.call(Method::POST, &format!("{base}/{id}/approve"), Some(&member), None).await, StatusCode::FORBIDDEN, "forbidden");
    assert_problem(&app.call(Method::POST, &format!("{base}/{id}/deny"), Some(&member), None).await, StatusCode::FORBIDDEN, "forbidden");
    // `inviter` may list and decide, but not give a role carrying `roles.manage`, which it lacks.
    let inviter = app.token("ivy@acme.test");
    assert_eq!(app.call(Method::GET, &base, Some(&inviter), None).await.status, StatusCode::OK);
    assert_problem(
        &app.call(Method::POST, &format!("{base}/{id}/approve"), Some(&inviter), None).await,
        StatusCode::FORBIDDEN,
        "role_not_grantable",
    );
    let ok = app.call(Method::POST, &format!("{base}/{id}/approve"), Some(&owner), None).await;
    assert_eq!((ok.status, &ok.json["member"]["role"]), (StatusCode::OK, &json!("lead")), "{}", ok.json);
}

// ------------------------------------------------------------------------------ throttling

/// A POST of `{"token": token}` to `path` from `ip`, as a host hands it over, signed in as
/// `who` when given (a whole office shares one address behind its NAT).
async fn post_from(app: &TestApp, ip: &str, path: &str, who: Option<&str>, token: &str) -> Reply {
    let mut req = Request::builder().method(Method::POST).uri(path).header("content-type", "application/json");
    if let Some(who) = who {
        req = req.header("authorization", format!("Bearer {}", app.token(who)));
    }
    let mut req = req.body(Bytes::from(json!({ "token": token }).to_string())).unwrap();
    req.extensions_mut().insert(SourceIp(ip.parse().unwrap()));
    let ctx = RequestContext { request_id: "req-test".into(), iam_operator: false };
    let (parts, bytes) = app.app.handle(req, ctx).await.into_parts();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Reply { status: parts.status, headers: parts.headers, bytes, json }
}

/// A public lookup from `ip`.
async fn from(app: &TestApp, ip: &str, token: &str) -> Reply {
    post_from(app, ip, "/v1/join-links/lookup", None, token).await
}

#[tokio::test]
async fn guessing_join_tokens_from_one_source_is_throttled_with_429_and_other_sources_are_not() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let (_, token) = new_link(&app, &t, json!({"role": "member", "max_uses": 5})).await;
    let budget = usher_http::RateLimits::default().per_source.max as usize;
    let mut limited = 0;
    for i in 0..budget + 20 {
        let mut guess = [7u8; 32];
        guess[0] = u8::try_from(i).unwrap();
        let r = from(&app, "203.0.113.7", usher_domain::token::InvitationToken::from_random(guess).expose()).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(r.code(), "rate_limited");
            assert!(r.header("retry-after").is_some_and(|s| s.parse::<u64>().is_ok_and(|n| (1..=60).contains(&n))));
            limited += 1;
        } else {
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.json);
        }
    }
    assert_eq!(limited, 20, "every guess past the source's budget is refused");
    // Even the right token is refused from that source now; another source is served.
    assert_eq!(from(&app, "203.0.113.7", &token).await.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(from(&app, "198.51.100.9", &token).await.status, StatusCode::OK);
}

/// A signed-in redeem from `ip`.
async fn redeem_from(app: &TestApp, ip: &str, who: &str, token: &str) -> Reply {
    post_from(app, ip, "/v1/join-links/redeem", Some(who), token).await
}

#[tokio::test]
async fn a_whole_office_behind_one_address_redeems_its_team_link_and_each_person_has_their_own_budget() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let (_, token) = new_link(&app, &t, json!({"role": "member", "max_uses": 100})).await;
    let budget = usher_http::RateLimits::default().per_source.max as usize;
    // More people than one source's budget, all from the office's one address: every one joins.
    for i in 0..budget + 10 {
        let r = redeem_from(&app, "203.0.113.50", &format!("staff{i}@acme.test"), &token).await;
        assert_eq!((r.status, &r.json["outcome"]), (StatusCode::OK, &json!("joined")), "person {i}: {}", r.json);
    }
    // One person retrying past the budget is refused, wherever they retry from.
    let mut limited = 0;
    for i in 0..budget + 5 {
        let r = redeem_from(&app, &format!("198.51.100.{}", i % 200), "staff0@acme.test", &token).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            limited += 1;
        } else {
            assert_problem(&r, StatusCode::CONFLICT, "already_member");
        }
    }
    assert_eq!(limited, 6, "one person has the budget a source has (their first redeem counted too)");
}

#[tokio::test]
async fn one_join_token_has_its_own_budget_apart_from_invitation_tokens() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let (_, token) = new_link(&app, &t, json!({"role": "member", "max_uses": 5})).await;
    let per_join_token = usher_http::RateLimits::default().per_join_token().max as usize;
    for _ in 0..per_join_token {
        assert_eq!(lookup(&app, &token).await.status, StatusCode::OK);
    }
    assert_problem(&lookup(&app, &token).await, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    // The same text as an invitation token is another budget.
    assert_problem(
        &app.call(Method::POST, "/v1/invitations/lookup", None, Some(json!({ "token": token }))).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}
