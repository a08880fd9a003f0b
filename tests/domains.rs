//! Verified domains (issue 21): proof by a DNS TXT record read through Usher's real resolver
//! adapter from a DNS stub on loopback (dnslib), the daily re-check driven by the test's clock,
//! the join policy, joining by domain and its seat race, on the embedded store and on DynamoDB.
//! They need the stub's Python (`USHER_TEST_PYTHON`) and, for DynamoDB, moto:
//! `bash infra/scripts/with-moto.sh cargo test -p usher-tests --test domains -- --include-ignored`.

use http::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;
use usher_store::SqliteTable;
use usher_tests::dns::DnsStub;
use usher_tests::joining::verified_domain;
use usher_tests::{Options, Reply, TestApp, aws, joining};

const OWNER: &str = "owner@acme.test";

fn app_with(dns: &DnsStub) -> TestApp {
    TestApp::with_options(Arc::new(SqliteTable::in_memory().expect("sqlite")), Options { dns: Some(dns.resolver()), ..Options::default() })
}

fn assert_problem(r: &Reply, status: StatusCode, code: &str) {
    assert_eq!((r.status, r.code()), (status, code), "{}", r.json);
}

async fn add(app: &TestApp, t: &str, domain: &str) -> Reply {
    app.call(Method::POST, &format!("/v1/tenants/{t}/domains"), Some(&app.token(OWNER)), Some(json!({ "domain": domain }))).await
}

async fn verify(app: &TestApp, t: &str, domain: &str) -> Reply {
    app.call(Method::POST, &format!("/v1/tenants/{t}/domains/{domain}/verify"), Some(&app.token(OWNER)), None).await
}

async fn domain(app: &TestApp, t: &str, domain: &str) -> Value {
    let r = app.call(Method::GET, &format!("/v1/tenants/{t}/domains"), Some(&app.token(OWNER)), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    r.json["data"].as_array().unwrap().iter().find(|d| d["domain"] == domain).cloned().expect("listed")
}

async fn join(app: &TestApp, t: &str, who: &str) -> Reply {
    app.call(Method::POST, &format!("/v1/me/tenants/{t}/join"), Some(&app.token(who)), None).await
}

async fn joinable(app: &TestApp, who: &str) -> Value {
    let r = app.call(Method::GET, "/v1/me/joinable-tenants", Some(&app.token(who)), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    r.json["data"].clone()
}

async fn actions(app: &TestApp, t: &str) -> Vec<(String, String)> {
    let audit = app.call(Method::GET, &format!("/v1/tenants/{t}/audit?limit=100"), Some(&app.token(OWNER)), None).await;
    audit.json["data"].as_array().unwrap().iter().map(|e| (e["action"].as_str().unwrap().to_owned(), e["target"].to_string())).collect()
}

#[tokio::test]
#[ignore = "needs the DNS stub (dnslib): run infra/scripts/with-moto.sh"]
async fn a_domain_stays_pending_until_its_exact_txt_record_is_found_then_is_verified() {
    let dns = DnsStub::start();
    let app = app_with(&dns);
    let t = app.tenant("Acme", OWNER, None).await;
    let added = add(&app, &t, "@Acme.TEST").await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.json);
    assert_eq!(
        (&added.json["domain"], &added.json["status"], &added.json["join"]),
        (&json!("acme.test"), &json!("pending"), &json!("off"))
    );
    let record = added.json["verification"].clone();
    assert_eq!((&record["type"], &record["name"]), (&json!("dns_txt"), &json!("_usher-verification.acme.test")));
    let value = record["value"].as_str().unwrap();
    assert!(value.starts_with("usher-verification=") && value.len() > 40, "{value}");

    let none = verify(&app, &t, "acme.test").await;
    assert_eq!((none.status, &none.json["status"]), (StatusCode::OK, &json!("pending")), "{}", none.json);
    assert!(none.json["check_reason"].as_str().unwrap().contains("no TXT record"), "{}", none.json);

    dns.set_txt("_usher-verification.acme.test", &["usher-verification=someone-elses"]);
    let wrong = verify(&app, &t, "acme.test").await;
    assert_eq!(wrong.json["status"], "pending");
    assert!(wrong.json["check_reason"].as_str().unwrap().contains("not this domain's"), "{}", wrong.json);

    dns.set_txt("_usher-verification.acme.test", &["v=spf1 -all", value]);
    let ok = verify(&app, &t, "acme.test").await;
    assert_eq!((ok.status, &ok.json["status"]), (StatusCode::OK, &json!("verified")), "{}", ok.json);
    assert!(ok.json["verified_at"].is_string() && ok.json.get("check_reason").is_none(), "{}", ok.json);
    assert!(actions(&app, &t).await.iter().any(|(a, target)| a == "domain.verified" && target == "\"acme.test\""));
    // Added twice: refused, the first stays.
    assert_problem(&add(&app, &t, "acme.test").await, StatusCode::CONFLICT, "invalid_state");
}

#[tokio::test]
#[ignore = "needs the DNS stub (dnslib): run infra/scripts/with-moto.sh"]
async fn a_resolver_failure_neither_verifies_nor_counts_as_a_missing_record() {
    let dns = DnsStub::start();
    let app = app_with(&dns);
    let t = app.tenant("Acme", OWNER, None).await;
    add(&app, &t, "acme.test").await;
    dns.fail("_usher-verification.acme.test");
    let r = verify(&app, &t, "acme.test").await;
    assert_eq!((r.status, &r.json["status"]), (StatusCode::OK, &json!("pending")), "{}", r.json);
    assert!(r.json["check_reason"].as_str().unwrap().contains("DNS lookup failed"), "{}", r.json);
}

#[tokio::test]
#[ignore = "needs the DNS stub (dnslib): run infra/scripts/with-moto.sh"]
async fn consumer_mail_domains_are_400_consumer_domain_and_a_domain_another_tenant_verified_is_409_domain_taken() {
    let dns = DnsStub::start();
    let app = app_with(&dns);
    let t = app.tenant("Acme", OWNER, None).await;
    for consumer in ["gmail.com", "GMAIL.com", "outlook.com", "gmx.de", "eu.mail.ru"] {
        assert_problem(&add(&app, &t, consumer).await, StatusCode::BAD_REQUEST, "consumer_domain");
    }
    assert_problem(&add(&app, &t, "not a domain").await, StatusCode::BAD_REQUEST, "invalid_request");

    // Two tenants add the same domain; the first to prove it holds it.
    let other = app.tenant("Squatter", "boss@squat.test", None).await;
    let squat = app
        .call(
            Method::POST,
            &format!("/v1/tenants/{other}/domains"),
            Some(&app.token("boss@squat.test")),
            Some(json!({ "domain": "acme.test" })),
        )
        .await;
    assert_eq!(squat.status, StatusCode::CREATED, "a pending domain claims nothing: {}", squat.json);
    verified_domain(&app, &dns, &t, "acme.test", "off", "member").await;
    dns.set_txt("_usher-verification.acme.test", &[squat.json["verification"]["value"].as_str().unwrap()]);
    let lost =
        app.call(Method::POST, &format!("/v1/tenants/{other}/domains/acme.test/verify"), Some(&app.token("boss@squat.test")), None).await;
    assert_problem(&lost, StatusCode::CONFLICT, "domain_taken");
    let third = app.tenant("Late", "late@late.test", None).await;
    let late = app
        .call(
            Method::POST,
            &format!("/v1/tenants/{third}/domains"),
            Some(&app.token("late@late.test")),
            Some(json!({ "domain": "acme.test" })),
        )
        .await;
    assert_problem(&late, StatusCode::CONFLICT, "domain_taken");
}

#[tokio::test]
#[ignore = "needs the DNS stub (dnslib): run infra/scripts/with-moto.sh"]
async fn the_join_role_may_carry_no_permission_over_people_or_roles_and_needs_a_verified_domain() {
    let dns = DnsStub::start();
    let app = app_with(&dns);
    let t = app.tenant("Acme", OWNER, None).await;
    add(&app, &t, "acme.test").await;
    let patch = |body: Value| {
        let app = &app;
        let path = format!("/v1/tenants/{t}/domains/acme.test");
        async move { app.call(Method::PATCH, &path, Some(&app.token(OWNER)), Some(body)).await }
    };
    let pending = domain(&app, &t, "acme.test").await;
    assert_problem(&patch(json!({ "join": "auto", "join_role": "member" })).await, StatusCode::CONFLICT, "invalid_state");
    dns.set_txt("_usher-verification.acme.test", &[pending["verification"]["value"].as_str().unwrap()]);
    assert_eq!(verify(&app, &t, "acme.test").await.json["status"], "verified");
    for role in ["admin", "owner"] {
        let r = patch(json!({ "join": "auto", "join_role": role })).await;
        assert_problem(&r, StatusCode::BAD_REQUEST, "invalid_request");
        assert_eq!(r.json["errors"][0]["field"], "join_role", "{}", r.json);
    }
    assert_problem(&patch(json!({ "join": "request" })).await, StatusCode::BAD_REQUEST, "invalid_request");
    let ok = patch(json!({ "join": "request", "join_role": "viewer" })).await;
    assert_eq!((ok.status, &ok.json["join"], &ok.json["join_role"]), (StatusCode::OK, &json!("request"), &json!("viewer")), "{}", ok.json);
    // A member without directory.manage sees none of it.
    app.member(&t, OWNER, "ada@acme.test", "member").await;
    let denied = app.call(Method::GET, &format!("/v1/tenants/{t}/domains"), Some(&app.token("ada@acme.test")), None).await;
    assert_problem(&denied, StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
#[ignore = "needs the DNS stub (dnslib): run infra/scripts/with-moto.sh"]
async fn people_at_an_auto_domain_join_at_once_and_at_a_request_domain_ask_an_admin() {
    let dns = DnsStub::start();
    let app = app_with(&dns);
    let t = app.tenant("Acme", OWNER, Some(10)).await;
    verified_domain(&app, &dns, &t, "acme.test", "auto", "member").await;

    let offered = joinable(&app, "ada@acme.test").await;
    assert_eq!(offered, json!([{ "tenant_id": t, "tenant_name": "Acme", "domain": "acme.test", "join": "auto", "role": "member" }]));
    assert_eq!(joinable(&app, "eve@elsewhere.test").await, json!([]));
    let r = join(&app, &t, "ada@acme.test").await;
    assert_eq!(
        (r.status, &r.json["outcome"], &r.json["member"]["role"]),
        (StatusCode::OK, &json!("joined"), &json!("member")),
        "{}",
        r.json
    );
    assert_problem(&join(&app, &t, "ada@acme.test").await, StatusCode::CONFLICT, "already_member");
    assert_eq!(joinable(&app, "ada@acme.test").await, json!([]), "a member is offered nothing");
    assert_problem(&join(&app, &t, "eve@elsewhere.test").await, StatusCode::FORBIDDEN, "domain_not_allowed");
    let unverified = app.token_with("bob@acme.test", "sub-bob", false, false);
    let r = app.call(Method::POST, &format!("/v1/me/tenants/{t}/join"), Some(&unverified), None).await;
    assert_problem(&r, StatusCode::FORBIDDEN, "forbidden");

    // The policy becomes `request`: the next person files a request an admin approves.
    let p = app
        .call(
            Method::PATCH,
            &format!("/v1/tenants/{t}/domains/acme.test"),
            Some(&app.token(OWNER)),
            Some(json!({ "join": "request", "join_role": "viewer" })),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.json);
    let asked = join(&app, &t, "grace@acme.test").await;
    assert_eq!((asked.status, &asked.json["outcome"]), (StatusCode::ACCEPTED, &json!("requested")), "{}", asked.json);
    let request = asked.json["join_request"].clone();
    assert_eq!((&request["domain"], request.get("link_id")), (&json!("acme.test"), None), "{request}");
    let again = join(&app, &t, "grace@acme.test").await;
    assert_eq!(again.json["join_request"]["id"], request["id"], "asking again answers the same request");
    assert_eq!(joinable(&app, "grace@acme.test").await[0]["join_request"]["id"], request["id"]);
    let id = request["id"].as_str().unwrap();
    let approved = app.call(Method::POST, &format!("/v1/tenants/{t}/join-requests/{id}/approve"), Some(&app.token(OWNER)), None).await;
    assert_eq!((approved.status, &approved.json["member"]["role"]), (StatusCode::OK, &json!("viewer")), "{}", approved.json);

    let audit = app.call(Method::GET, &format!("/v1/tenants/{t}/audit?limit=100"), Some(&app.token(OWNER)), None).await;
    let added: Vec<&Value> = audit.json["data"].as_array().unwrap().iter().filter(|e| e["action"] == "member.added").collect();
    assert!(added.iter().all(|e| e["details"]["via"] == "domain" && e["details"]["domain"] == "acme.test"), "{added:?}");
    assert_eq!(added.len(), 2);
}

#[tokio::test]
#[ignore = "needs the DNS stub (dnslib): run infra/scripts/with-moto.sh"]
async fn a_removed_record_keeps_the_domain_verified_for_seven_days_then_it_lapses_and_joining_stops_until_the_record_is_back() {
    let dns = DnsStub::start();
    let app = app_with(&dns);
    let t = app.tenant("Acme", OWNER, None).await;
    let opened = verified_domain(&app, &dns, &t, "acme.test", "auto", "member").await;
    let value = opened["verification"]["value"].as_str().unwrap().to_owned();
    let name = "_usher-verification.acme.test";

    // The next day the record is still there: the schedule looks and changes nothing.
    app.clock.advance_days(1);
    let s = app.sweep().await;
    assert_eq!((s.domains_checked, s.domains_lapsed), (1, 0));
    assert!(domain(&app, &t, "acme.test").await.get("missing_since").is_none());

    dns.remove(name);
    app.clock.advance_days(1);
    app.sweep().await;
    let d = domain(&app, &t, "acme.test").await;
    assert_eq!(d["status"], "verified", "{d}");
    assert!(d["missing_since"].is_string() && d["lapses_at"].is_string(), "{d}");
    for _ in 0..6 {
        app.clock.advance_days(1);
        let s = app.sweep().await;
        assert_eq!(s.domains_lapsed, 0);
        assert_eq!(domain(&app, &t, "acme.test").await["status"], "verified", "still inside the 7-day grace");
    }
    assert_eq!(join(&app, &t, "ada@acme.test").await.status, StatusCode::OK, "joining works during the grace");

    app.clock.advance_days(1);
    let s = app.sweep().await;
    assert_eq!((s.domains_checked, s.domains_lapsed), (1, 1));
    assert_eq!(domain(&app, &t, "acme.test").await["status"], "lapsed");
    assert_problem(&join(&app, &t, "grace@acme.test").await, StatusCode::FORBIDDEN, "domain_not_allowed");
    assert_eq!(joinable(&app, "grace@acme.test").await, json!([]));
    assert!(actions(&app, &t).await.iter().any(|(a, _)| a == "domain.lapsed"));

    // The record comes back: the next daily look verifies it again, and joining resumes.
    dns.set_txt(name, &[&value]);
    app.clock.advance_days(1);
    app.sweep().await;
    let d = domain(&app, &t, "acme.test").await;
    assert_eq!((&d["status"], d.get("missing_since")), (&json!("verified"), None), "{d}");
    assert_eq!(join(&app, &t, "grace@acme.test").await.status, StatusCode::OK);
    assert_eq!(actions(&app, &t).await.iter().filter(|(a, _)| a == "domain.verified").count(), 2);
}

#[tokio::test]
#[ignore = "needs the DNS stub (dnslib): run infra/scripts/with-moto.sh"]
async fn a_lapsed_domain_can_be_proven_by_another_tenant_and_removing_a_domain_stops_joining_at_once() {
    let dns = DnsStub::start();
    let app = app_with(&dns);
    let t = app.tenant("Acme", OWNER, None).await;
    verified_domain(&app, &dns, &t, "acme.test", "auto", "member").await;
    dns.remove("_usher-verification.acme.test");
    for _ in 0..9 {
        app.clock.advance_days(1);
        app.sweep().await;
    }
    assert_eq!(domain(&app, &t, "acme.test").await["status"], "lapsed");
    // The domain's new owner proves it for their tenant: the claim moves.
    let next = app.tenant("NewCo", "boss@newco.test", None).await;
    let boss = app.token("boss@newco.test");
    let added = app.call(Method::POST, &format!("/v1/tenants/{next}/domains"), Some(&boss), Some(json!({ "domain": "acme.test" }))).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.json);
    dns.set_txt("_usher-verification.acme.test", &[added.json["verification"]["value"].as_str().unwrap()]);
    let v = app.call(Method::POST, &format!("/v1/tenants/{next}/domains/acme.test/verify"), Some(&boss), None).await;
    assert_eq!(v.json["status"], "verified", "{}", v.json);
    // The old tenant's look finds a record, but not its own: it stays lapsed.
    app.clock.advance_days(1);
    app.sweep().await;
    assert_eq!(domain(&app, &t, "acme.test").await["status"], "lapsed");

    let p = app
        .call(
            Method::PATCH,
            &format!("/v1/tenants/{next}/domains/acme.test"),
            Some(&boss),
            Some(json!({ "join": "auto", "join_role": "member" })),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.json);
    assert_eq!(joinable(&app, "ada@acme.test").await[0]["tenant_id"], json!(next));
    let removed = app.call(Method::DELETE, &format!("/v1/tenants/{next}/domains/acme.test"), Some(&boss), None).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.json);
    assert_eq!(joinable(&app, "ada@acme.test").await, json!([]));
    assert_problem(&join(&app, &next, "ada@acme.test").await, StatusCode::FORBIDDEN, "domain_not_allowed");
}

// ------------------------------------------------------------------------------ the races

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs the DNS stub (dnslib): run infra/scripts/with-moto.sh"]
async fn two_hundred_auto_joins_by_domain_with_forty_free_seats_make_exactly_forty_members() {
    let dns = DnsStub::start();
    let app = Arc::new(app_with(&dns));
    joining::two_hundred_auto_joins_by_domain_with_forty_free_seats_make_exactly_forty_members(app, &dns, 200).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs the local AWS server and the DNS stub: run infra/scripts/with-moto.sh"]
async fn two_hundred_auto_joins_by_domain_on_dynamodb_with_forty_free_seats_make_exactly_forty_members() {
    let dns = DnsStub::start();
    let app = Arc::new(TestApp::with_options(aws::new_table().await, Options { dns: Some(dns.resolver()), ..Options::default() }));
    joining::two_hundred_auto_joins_by_domain_with_forty_free_seats_make_exactly_forty_members(app, &dns, 20).await;
}
