//! Join links and join requests racing for seats: written once, run against every store.

use crate::TestApp;
use futures::future::join_all;
use http::{Method, StatusCode};
use serde_json::json;
use std::sync::Arc;

const OWNER: &str = "owner@acme.test";

/// Creates a join link as the owner; returns its id and its token (from the `url`, once).
pub async fn new_link(app: &TestApp, t: &str, body: serde_json::Value) -> (String, String) {
    let r = app.call(Method::POST, &format!("/v1/tenants/{t}/join-links"), Some(&app.token(OWNER)), Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let url = r.json["url"].as_str().expect("url");
    let token = url.split_once("#join=").expect("a #join= link").1.to_owned();
    (r.json["id"].as_str().expect("id").to_owned(), token)
}

/// The owner's view of one link.
pub async fn link(app: &TestApp, t: &str, id: &str) -> serde_json::Value {
    let r = app.call(Method::GET, &format!("/v1/tenants/{t}/join-links"), Some(&app.token(OWNER)), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    r.json["data"].as_array().expect("data").iter().find(|l| l["id"] == id).cloned().expect("the link is listed")
}

async fn seats(app: &TestApp, t: &str) -> serde_json::Value {
    app.call(Method::GET, &format!("/v1/tenants/{t}/members?limit=1"), Some(&app.token(OWNER)), None).await.json["seats"].clone()
}

/// 200 people redeem a link with 50 uses in a tenant with 40 free seats, `in_flight` at a time
/// (all 200 at once on SQLite; moto, one Python process, times connections out past a few
/// dozen): exactly 40 join, the link counts 40 uses, and the other 160 hear
/// `409 seat_limit_reached`.
pub async fn two_hundred_redeems_of_a_fifty_use_link_with_forty_free_seats_make_exactly_forty_members(app: Arc<TestApp>, in_flight: usize) {
    use futures::StreamExt;
    let people = 200;
    let t = app.tenant("Acme", OWNER, Some(41)).await;
    let (id, token) = new_link(&app, &t, json!({ "role": "member", "max_uses": 50 })).await;
    let calls = (0..people).map(|i| {
        let (app, token) = (app.clone(), token.clone());
        tokio::spawn(async move {
            let person = app.token(&format!("person{i}@example.com"));
            app.call(Method::POST, "/v1/join-links/redeem", Some(&person), Some(json!({ "token": token }))).await
        })
    });
    let replies: Vec<_> = futures::stream::iter(calls).buffer_unordered(in_flight).collect::<Vec<_>>().await;
    let (joined, full) = joins_and_full(replies);
    assert_eq!((joined, full), (40, people - 40));
    assert_eq!(seats(&app, &t).await, json!({"limit": 41, "members": 41, "pending": 0, "available": 0}));
    let l = link(&app, &t, &id).await;
    assert_eq!((&l["uses"], &l["remaining"], &l["status"]), (&json!(40), &json!(10), &json!("active")));
    let members = app.call(Method::GET, &format!("/v1/tenants/{t}/members?limit=100"), Some(&app.token(OWNER)), None).await;
    assert_eq!(members.json["data"].as_array().map(Vec::len), Some(41));
}

/// How many of a race's answers are joins and how many `409 seat_limit_reached`; any other
/// answer fails the test.
fn joins_and_full(replies: Vec<Result<crate::Reply, tokio::task::JoinError>>) -> (usize, usize) {
    let replies: Vec<_> = replies.into_iter().map(|r| r.expect("task")).collect();
    let joined = replies.iter().filter(|r| r.status == StatusCode::OK && r.json["outcome"] == "joined").count();
    let full = replies.iter().filter(|r| r.status == StatusCode::CONFLICT && r.code() == "seat_limit_reached").count();
    let other: Vec<_> =
        replies.iter().filter(|r| !(r.status == StatusCode::OK || r.code() == "seat_limit_reached")).map(|r| &r.json).collect();
    assert!(other.is_empty(), "every answer is a join or seat_limit_reached: {other:?}");
    (joined, full)
}

/// Approvals racing for the last seat: exactly one person gets it, the others' requests stay
/// pending with `409 seat_limit_reached`.
pub async fn approvals_racing_for_the_last_seat_let_exactly_one_through(app: Arc<TestApp>) {
    let t = app.tenant("Small", OWNER, Some(2)).await;
    let (_, token) = new_link(&app, &t, json!({ "role": "viewer", "max_uses": 10, "approval": true })).await;
    let mut requests = Vec::new();
    for i in 0..6 {
        let r = app
            .call(
                Method::POST,
                "/v1/join-links/redeem",
                Some(&app.token(&format!("asker{i}@example.com"))),
                Some(json!({ "token": token })),
            )
            .await;
        assert_eq!((r.status, &r.json["outcome"]), (StatusCode::ACCEPTED, &json!("requested")), "{}", r.json);
        requests.push(r.json["join_request"]["id"].as_str().expect("request id").to_owned());
    }
    let calls = requests.iter().map(|id| {
        let (app, path) = (app.clone(), format!("/v1/tenants/{t}/join-requests/{id}/approve"));
        tokio::spawn(async move { app.call(Method::POST, &path, Some(&app.token(OWNER)), None).await })
    });
    let replies: Vec<_> = join_all(calls).await.into_iter().map(|r| r.expect("task")).collect();
    let approved = replies.iter().filter(|r| r.status == StatusCode::OK).count();
    let full = replies.iter().filter(|r| r.code() == "seat_limit_reached").count();
    assert_eq!((approved, full), (1, 5), "{:?}", replies.iter().map(|r| (r.status, r.code().to_owned())).collect::<Vec<_>>());
    assert_eq!(seats(&app, &t).await, json!({"limit": 2, "members": 2, "pending": 0, "available": 0}));
    let pending = app.call(Method::GET, &format!("/v1/tenants/{t}/join-requests?status=pending"), Some(&app.token(OWNER)), None).await;
    assert_eq!(pending.json["data"].as_array().map(Vec::len), Some(5), "the others stay pending: {}", pending.json);
}

/// Adds `domain` to tenant `t`, publishes its TXT record on `dns`, verifies it and opens it
/// with `policy` and `role`; answers the domain as the API shows it.
pub async fn verified_domain(
    app: &TestApp,
    dns: &crate::dns::DnsStub,
    t: &str,
    domain: &str,
    policy: &str,
    role: &str,
) -> serde_json::Value {
    let owner = app.token(OWNER);
    let added = app.call(Method::POST, &format!("/v1/tenants/{t}/domains"), Some(&owner), Some(json!({ "domain": domain }))).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.json);
    let name = added.json["verification"]["name"].as_str().expect("record name");
    dns.set_txt(name, &[added.json["verification"]["value"].as_str().expect("record value")]);
    let verified = app.call(Method::POST, &format!("/v1/tenants/{t}/domains/{domain}/verify"), Some(&owner), None).await;
    assert_eq!((verified.status, &verified.json["status"]), (StatusCode::OK, &json!("verified")), "{}", verified.json);
    let opened = app
        .call(Method::PATCH, &format!("/v1/tenants/{t}/domains/{domain}"), Some(&owner), Some(json!({ "join": policy, "join_role": role })))
        .await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.json);
    opened.json
}

/// 200 people at a verified `auto` domain join at once a tenant with 40 free seats,
/// `in_flight` at a time: exactly 40 join, the other 160 hear `409 seat_limit_reached`.
pub async fn two_hundred_auto_joins_by_domain_with_forty_free_seats_make_exactly_forty_members(
    app: Arc<TestApp>,
    dns: &crate::dns::DnsStub,
    in_flight: usize,
) {
    use futures::StreamExt;
    let people = 200;
    let t = app.tenant("Acme", OWNER, Some(41)).await;
    verified_domain(&app, dns, &t, "acme.test", "auto", "member").await;
    let calls = (0..people).map(|i| {
        let (app, path) = (app.clone(), format!("/v1/me/tenants/{t}/join"));
        tokio::spawn(async move { app.call(Method::POST, &path, Some(&app.token(&format!("person{i}@acme.test"))), None).await })
    });
    let replies: Vec<_> = futures::stream::iter(calls).buffer_unordered(in_flight).collect::<Vec<_>>().await;
    let (joined, full) = joins_and_full(replies);
    assert_eq!((joined, full), (40, people - 40));
    assert_eq!(seats(&app, &t).await, json!({"limit": 41, "members": 41, "pending": 0, "available": 0}));
    let members = app.call(Method::GET, &format!("/v1/tenants/{t}/members?limit=100"), Some(&app.token(OWNER)), None).await;
    assert_eq!(members.json["data"].as_array().map(Vec::len), Some(41));
}

/// A verified `domain` of tenant `t` open to `auto` joins as `role`, with its claim, written as
/// verifying it would (for suites that run no DNS: the authorization matrix, the benchmark).
pub async fn seed_open_domain(app: &TestApp, t: &str, domain: &str, role: &str) {
    use usher_domain::domains::{DomainClaim, DomainStatus, JoinPolicy, TenantDomain};
    let now = app.deps.now();
    let tenant_id = usher_domain::values::TenantId::parse(t).expect("tenant id");
    let by = usher_domain::values::UserId::parse("usr_seed").expect("user id");
    let mut d = TenantDomain::pending(tenant_id.clone(), domain.into(), "usher-verification=seed".into(), by, now);
    d.status = DomainStatus::Verified;
    d.join = JoinPolicy::Auto;
    d.join_role = Some(usher_domain::roles::RoleName::parse(role).expect("role"));
    d.verified_at = Some(now);
    d.last_checked_at = Some(now);
    d.next_check_at = Some(now.plus_seconds(usher_domain::domains::RECHECK_EVERY_SECS));
    let written = app
        .deps
        .table
        .transact(vec![
            usher_domain::schema::create(&d),
            usher_domain::schema::create_at(usher_domain::schema::domain_claim_key(domain), &DomainClaim { tenant_id }),
        ])
        .await
        .expect("seeding a verified domain");
    assert_eq!(written, usher_domain::ports::Committed::Yes);
}
