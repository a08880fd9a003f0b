//! Events for the host application, locally (issue 11, API.md "Events for the host
//! application"): the embedded store's change log → one CloudEvent per audit event in
//! `events.jsonl`, and signed webhooks retried with the same id, in order per tenant.

use http::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use usher_domain::events::WebhookSecret;
use usher_store::publish::{WebhookSender, load_or_create_webhook_secret};
use usher_store::{Publisher, SqliteTable, WebhookTarget};
use usher_tests::TestApp;
use usher_tests::webhooks::{Endpoint, Seen, start_endpoint};

const OWNER: &str = "owner@acme.test";
const ADA: &str = "ada@example.com";

fn path(t: &str, rest: &str) -> String {
    format!("/v1/tenants/{t}{rest}")
}

/// An app over a SQLite file in `dir` (the change log lives in it), and a second handle on the
/// same file (what another process, such as the CLI's sweep, opens).
fn app_on_file(dir: &std::path::Path) -> (TestApp, SqliteTable) {
    let table = SqliteTable::open(&dir.join("usher.db")).unwrap();
    (TestApp::with_table(Arc::new(table.clone())), table)
}

/// Every event published so far, each checked against openapi.yaml's `CloudEvent` (its
/// `data.resource` against the schema of what its type is about).
fn read_events(publisher: &Publisher) -> Vec<Value> {
    let text = std::fs::read_to_string(publisher.events_file()).unwrap_or_default();
    let events: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).expect("each line is one JSON event")).collect();
    events.iter().for_each(usher_tests::openapi::assert_event);
    events
}

async fn audit_ids(app: &TestApp, t: &str) -> Vec<String> {
    let r = app.call(Method::GET, &path(t, "/audit?limit=100"), Some(&app.token(OWNER)), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    r.json["data"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn every_audit_event_becomes_one_event_in_events_jsonl_with_the_resource_after_the_change_and_no_token() {
    let dir = tempfile::tempdir().unwrap();
    let (app, table) = app_on_file(dir.path());
    let t = app.tenant("Acme", OWNER, None).await;
    let r = app.invite(&t, OWNER, ADA, "member").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let token = app.token_from_email(ADA);
    let accepted = app.call(Method::POST, "/v1/invitations/accept", Some(&app.token(ADA)), Some(json!({"token": token}))).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.json);
    let user = accepted.json["user_id"].as_str().or_else(|| accepted.json["member"]["user_id"].as_str()).map(str::to_owned);
    let members = app.call(Method::GET, &path(&t, "/members?q=ada"), Some(&app.token(OWNER)), None).await;
    let user = user.unwrap_or_else(|| members.json["data"][0]["user_id"].as_str().unwrap().to_owned());
    let changed =
        app.call(Method::PATCH, &path(&t, &format!("/members/{user}")), Some(&app.token(OWNER)), Some(json!({"role": "admin"}))).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.json);

    let publisher = Publisher::new(table.clone(), dir.path(), "local");
    let published = publisher.publish_to_file_once().await.unwrap();
    let events = read_events(&publisher);
    assert_eq!(published, events.len());
    let mut ids: Vec<String> = events.iter().map(|e| e["id"].as_str().unwrap().to_owned()).collect();
    let mut audited = audit_ids(&app, &t).await;
    ids.sort();
    audited.sort();
    assert_eq!(ids, audited, "one event per audit event, with the audit event's id");

    let of_type = |kind: &str| events.iter().find(|e| e["type"] == kind).unwrap_or_else(|| panic!("no {kind} in {events:#?}"));
    let created = of_type("usher.invitation.created");
    assert_eq!((created["specversion"].as_str(), created["source"].as_str()), (Some("1.0"), Some("usher/local")));
    assert_eq!(created["tenantid"], t.as_str());
    assert_eq!(created["subject"], format!("tenants/{t}/invitations/{}", r.json["id"].as_str().unwrap()));
    assert_eq!((&created["data"]["resource"]["email"], &created["data"]["resource"]["status"]), (&json!(ADA), &json!("pending")));
    let added = of_type("usher.member.added");
    assert_eq!(added["subject"], format!("tenants/{t}/members/{user}"));
    assert_eq!((&added["data"]["resource"]["email"], &added["data"]["resource"]["role"]), (&json!(ADA), &json!("member")));
    let accepted_event = of_type("usher.invitation.accepted");
    assert_eq!(accepted_event["data"]["resource"]["status"], "accepted");
    let updated = of_type("usher.member.updated");
    assert_eq!(updated["data"]["resource"]["role"], "admin", "the resource as it is after the change");
    let file = std::fs::read_to_string(publisher.events_file()).unwrap();
    assert!(!file.contains(&token), "no event carries the invitation token");
    let order: Vec<&str> = events.iter().map(|e| e["sequence"].as_str().unwrap()).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "in the change log's order: {order:?}");

    // Nothing new, nothing published again (the reader's position is kept in the store).
    assert_eq!(publisher.publish_to_file_once().await.unwrap(), 0);

    // Another process on the same data dir (the CLI's sweep) expires an invitation: its event
    // is published too, from the change log.
    app.invite(&t, OWNER, "grace@example.com", "member").await;
    let other_process = TestApp::with_table(Arc::new(SqliteTable::open(&dir.path().join("usher.db")).unwrap()));
    other_process.clock.set(usher_domain::ports::Clock::now(app.clock.as_ref()).plus_seconds(8 * 86_400));
    let summary = other_process.sweep().await;
    assert_eq!(summary.expired, 1);
    assert_eq!(publisher.publish_to_file_once().await.unwrap(), 2, "invitation.created, then invitation.expired");
    let last = read_events(&publisher).pop().unwrap();
    assert_eq!((&last["type"], &last["data"]["actor"]), (&json!("usher.invitation.expired"), &Value::Null));
    assert_eq!(last["data"]["resource"]["status"], "expired");
}

#[tokio::test]
async fn every_kind_of_change_publishes_its_resource_as_the_api_answers_it_and_null_once_it_is_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let (app, table) = app_on_file(dir.path());
    let t = app.tenant("Acme", OWNER, None).await;
    let owner = app.token(OWNER);
    let user = app.member(&t, OWNER, ADA, "member").await;
    let role_path = path(&t, "/roles/site-lead");
    let created = app.call(Method::PUT, &role_path, Some(&owner), Some(json!({"permissions": ["members.read"]}))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let held = app.call(Method::PATCH, &path(&t, &format!("/members/{user}")), Some(&owner), Some(json!({"role": "site-lead"}))).await;
    assert_eq!(held.status, StatusCode::OK, "{}", held.json);
    let body = json!({"permissions": ["members.read", "members.export"], "description": "Leads a site"});
    let updated = app.call(Method::PUT, &role_path, Some(&owner), Some(body)).await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.json);
    let role_now = app.call(Method::GET, &role_path, Some(&owner), None).await;
    let workspace = app.call(Method::PUT, &path(&t, "/workspaces/north"), Some(&owner), Some(json!({"name": "North"}))).await;
    assert_eq!(workspace.status, StatusCode::CREATED, "{}", workspace.json);
    let member_now = app.call(Method::PATCH, &path(&t, &format!("/members/{user}")), Some(&owner), Some(json!({"role": "member"}))).await;
    assert_eq!(app.call(Method::DELETE, &role_path, Some(&owner), None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.call(Method::DELETE, &path(&t, "/workspaces/north"), Some(&owner), None).await.status, StatusCode::NO_CONTENT);
    let left = app.call(Method::DELETE, &format!("/v1/me/tenants/{t}"), Some(&app.token(ADA)), None).await;
    assert_eq!(left.status, StatusCode::NO_CONTENT, "{}", left.json);

    let publisher = Publisher::new(table, dir.path(), "local");
    publisher.publish_to_file_once().await.unwrap();
    // Each event is checked against its schema as it is read; then against the API's answers.
    let events = read_events(&publisher);
    let resources = |kind: &str| events.iter().filter(|e| e["type"] == kind).map(|e| e["data"]["resource"].clone()).collect::<Vec<_>>();
    assert_eq!(resources("usher.role.created"), std::slice::from_ref(&created.json), "the role as putRole answered it");
    assert_eq!(resources("usher.role.updated"), std::slice::from_ref(&updated.json), "with its holder counted, and no tenant_id");
    assert_eq!(updated.json, role_now.json, "what getRole answers");
    assert_eq!(updated.json["members"], 1);
    assert_eq!(resources("usher.workspace.created"), std::slice::from_ref(&workspace.json));
    assert_eq!(resources("usher.member.updated").last(), Some(&member_now.json));
    for gone in ["usher.role.deleted", "usher.workspace.deleted", "usher.member.left"] {
        assert_eq!(resources(gone), [Value::Null], "{gone}: nothing left to show");
    }
}

async fn run_until(sender: &mut WebhookSender, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "the webhooks did not all arrive in time");
        let pause = sender.step().await.unwrap();
        tokio::time::sleep(pause.min(Duration::from_millis(50))).await;
    }
}

/// Two tenants' changes; returns (tenant A, tenant B, every event in the change log's order).
async fn two_tenants_changes(dir: &std::path::Path) -> (String, String, Publisher, SqliteTable) {
    let (app, table) = app_on_file(dir);
    let a = app.tenant("Acme", OWNER, None).await;
    let b = app.tenant("Bolt", "owner@bolt.test", None).await;
    for (t, owner, who) in [(&a, OWNER, "one@example.com"), (&b, "owner@bolt.test", "x@example.com"), (&a, OWNER, "two@example.com")] {
        let r = app.invite(t, owner, who, "member").await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    }
    let publisher = Publisher::new(table.clone(), dir, "local");
    publisher.publish_to_file_once().await.unwrap();
    (a, b, publisher, table)
}

#[tokio::test]
async fn a_webhook_answered_500_is_sent_again_with_the_same_id_and_each_tenant_keeps_its_order_while_others_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, publisher, table) = two_tenants_changes(dir.path()).await;
    let events = read_events(&publisher);
    let ids_of = |t: &str| events.iter().filter(|e| e["tenantid"] == t).map(|e| e["id"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    let (a_ids, b_ids) = (ids_of(&a), ids_of(&b));
    assert_eq!((a_ids.len(), b_ids.len()), (3, 2), "tenant.created and the invitations: {events:#?}");

    // The endpoint refuses tenant A's first event once; the retry comes 0.4 s later.
    let ep = Endpoint { fail_once: Arc::new(Mutex::new(vec![a_ids[0].clone()])), ..Endpoint::default() };
    let url = start_endpoint(ep.clone()).await;
    let secret = load_or_create_webhook_secret(dir.path()).unwrap();
    assert_eq!(load_or_create_webhook_secret(dir.path()).unwrap(), secret, "created once, then read back");
    let target = WebhookTarget {
        endpoint: Arc::new(usher_http::HttpWebhookEndpoint::new(&url).unwrap()),
        secret: secret.clone(),
        retry_after: Some(vec![Duration::from_millis(400)]),
    };
    let mut sender = WebhookSender::new(publisher.clone(), target);
    let all: Vec<String> = a_ids.iter().chain(&b_ids).cloned().collect();
    let seen = ep.seen.clone();
    run_until(&mut sender, || {
        let s = seen.lock().unwrap();
        all.iter().all(|id| s.iter().any(|x| &x.id == id && x.answered == 204))
    })
    .await;

    let seen = ep.seen.lock().unwrap().clone();
    let tries: Vec<&Seen> = seen.iter().filter(|s| s.id == a_ids[0]).collect();
    assert_eq!(tries.len(), 2, "refused once, delivered on the retry");
    assert_eq!((tries[0].answered, tries[1].answered), (500, 204));
    assert_eq!(tries[0].body, tries[1].body, "the same event, byte for byte");
    let delivered = |t: &str| seen.iter().filter(|s| s.tenant == t && s.answered == 204).map(|s| s.id.clone()).collect::<Vec<_>>();
    assert_eq!(delivered(&a), a_ids, "tenant A's events in their order, the refused one first");
    assert_eq!(delivered(&b), b_ids);
    let b_done = seen.iter().filter(|s| s.tenant == b).map(|s| s.at).max().unwrap();
    assert!(b_done < tries[1].at, "tenant B's events did not wait for tenant A's retry");
    assert_eq!(seen.iter().filter(|s| s.answered == 204).count(), 5, "each event delivered once");
    let now = i64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()).unwrap();
    for s in &seen {
        let ts: i64 = s.timestamp.parse().unwrap();
        assert!(secret.verify(&s.id, ts, s.body.as_bytes(), &s.signature, now, 60), "signature of {}", s.id);
        let body: Value = serde_json::from_str(&s.body).unwrap();
        assert_eq!(body["id"], s.id.as_str(), "webhook-id is the event's id");
        usher_tests::openapi::assert_event(&body);
    }
    // Everything delivered: a new sender (a restarted `usher serve`) sends nothing again.
    let before = seen.len();
    let ep2 = Endpoint::default();
    let target = WebhookTarget {
        endpoint: Arc::new(usher_http::HttpWebhookEndpoint::new(&start_endpoint(ep2.clone()).await).unwrap()),
        secret,
        retry_after: None,
    };
    let mut restarted = WebhookSender::new(Publisher::new(table, dir.path(), "local"), target);
    restarted.step().await.unwrap();
    assert!(ep2.seen.lock().unwrap().is_empty(), "the position survived the restart ({before} requests before)");
}

#[tokio::test]
async fn an_event_that_fails_every_retry_is_parked_and_the_next_one_goes_out() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _b, publisher, _table) = two_tenants_changes(dir.path()).await;
    let ep = Endpoint { always_fail: true, ..Endpoint::default() };
    let url = start_endpoint(ep.clone()).await;
    let target = WebhookTarget {
        endpoint: Arc::new(usher_http::HttpWebhookEndpoint::new(&url).unwrap()),
        secret: WebhookSecret::from_random([3; 32]),
        retry_after: Some(vec![Duration::from_millis(20), Duration::from_millis(20)]),
    };
    let mut sender = WebhookSender::new(publisher.clone(), target);
    let parked_file = publisher.parked_file();
    run_until(&mut sender, || std::fs::read_to_string(&parked_file).map(|t| t.lines().count() == 5).unwrap_or(false)).await;
    let parked: Vec<Value> = std::fs::read_to_string(&parked_file).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(parked.iter().all(|p| p["attempts"] == 3 && p["error"] == "the endpoint answered 500"), "{parked:#?}");
    let first_a = parked.iter().find(|p| p["event"]["tenantid"] == a.as_str()).unwrap();
    assert_eq!(first_a["event"]["type"], "usher.tenant.created");
    let tries = ep.seen.lock().unwrap().len();
    assert_eq!(tries, 15, "three attempts for each of the five events");
}

/// The signatures checked by an independent implementation: the `standardwebhooks` package
/// from PyPI (installed by infra/scripts/with-moto.sh into .venv).
#[tokio::test]
#[ignore = "needs the Python venv with standardwebhooks: run infra/scripts/test.sh"]
async fn the_standard_webhooks_reference_library_verifies_every_signature_and_refuses_a_tampered_one() {
    let python = std::env::var("USHER_TEST_PYTHON").expect("USHER_TEST_PYTHON (set by infra/scripts/with-moto.sh)");
    let dir = tempfile::tempdir().unwrap();
    let (_a, _b, publisher, _table) = two_tenants_changes(dir.path()).await;
    let ep = Endpoint::default();
    let url = start_endpoint(ep.clone()).await;
    let secret = load_or_create_webhook_secret(dir.path()).unwrap();
    let target = WebhookTarget { endpoint: Arc::new(usher_http::HttpWebhookEndpoint::new(&url).unwrap()), secret, retry_after: None };
    let mut sender = WebhookSender::new(publisher, target);
    let seen = ep.seen.clone();
    run_until(&mut sender, || seen.lock().unwrap().len() == 5).await;
    let requests: Vec<Value> = ep
        .seen
        .lock()
        .unwrap()
        .iter()
        .map(|s| json!({"body": s.body, "headers": {"webhook-id": s.id, "webhook-timestamp": s.timestamp, "webhook-signature": s.signature}}))
        .collect();
    let requests_file = dir.path().join("requests.json");
    std::fs::write(&requests_file, serde_json::to_string(&requests).unwrap()).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/support/verify_webhooks.py");
    let out = std::process::Command::new(python).arg(script).arg(dir.path().join("webhook-secret")).arg(&requests_file).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout.trim(), "verified 5, refused 5 tampered");
}
