//! Joining without an invitation email: round trips to the table per join-link and domain
//! route (each `Table` call is one DynamoDB request on AWS), and in-process latency of a redeem
//! and of a join by domain through the real handlers on the embedded store. Rerun with:
//!
//!     cargo bench -p usher-tests --bench joining
//!
//! and copy the tables it prints into BENCHMARKS.md ("Joining without an invitation email").
//! The verified domain is written as verifying it would: joining reads no DNS (verifying does,
//! once, and the schedule daily), so the stub the tests use is not needed here.

use http::{Method, StatusCode};
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;
use usher_store::SqliteTable;
use usher_tests::TestApp;
use usher_tests::counting::Counting;
use usher_tests::joining::seed_open_domain;

const RUNS: usize = 300;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let table = Arc::new(Counting::new(SqliteTable::in_memory().expect("sqlite")));
    let app = TestApp::without_delivery_worker(table.clone(), None);
    let owner = "owner@acme.test";
    let t = app.tenant("Acme", owner, Some(10_000)).await;
    let ot = app.token(owner);
    // The owner's first request binds their sign-in: not what the rows are about.
    app.call(Method::GET, &format!("/v1/tenants/{t}/join-links"), Some(&ot), None).await;
    seed_open_domain(&app, &t, "acme.test", "member").await;
    table.take();

    println!("| operation | GetItem | Query | writes (transactions / items) |");
    println!("|---|---|---|---|");
    let row = |name: &str| {
        let [g, q, tx, w] = table.take();
        println!("| {name} | {g} | {q} | {tx} / {w} |");
    };
    let created =
        app.call(Method::POST, &format!("/v1/tenants/{t}/join-links"), Some(&ot), Some(json!({"role": "member", "max_uses": 1000}))).await;
    row("create a join link");
    let token = created.json["url"].as_str().and_then(|u| u.split_once("#join=")).expect("a join url").1.to_owned();
    app.call(Method::POST, "/v1/join-links/lookup", None, Some(json!({"token": token}))).await;
    row("look a join link up (and count it against the token's budget)");
    let r = app.call(Method::POST, "/v1/join-links/redeem", Some(&app.token("new@example.com")), Some(json!({"token": token}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    row("redeem, a new person (user, pointers, member, guard, seat, use, event)");
    let t2 = app.tenant("Beta", owner, Some(10_000)).await;
    let link2 =
        app.call(Method::POST, &format!("/v1/tenants/{t2}/join-links"), Some(&ot), Some(json!({"role": "member", "max_uses": 10}))).await;
    let token2 = link2.json["url"].as_str().and_then(|u| u.split_once("#join=")).expect("a join url").1.to_owned();
    table.take();
    let r = app.call(Method::POST, "/v1/join-links/redeem", Some(&app.token("new@example.com")), Some(json!({"token": token2}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    row("redeem, steady state (a person Usher knows)");
    let p = app.token("pat@acme.test");
    app.call(Method::GET, "/v1/me/joinable-tenants", Some(&p), None).await;
    row("joinable tenants, a new person");
    let r = app.call(Method::POST, &format!("/v1/me/tenants/{t}/join"), Some(&p), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    row("join by domain (auto), a new person");
    seed_open_domain(&app, &t2, "beta.test", "member").await;
    // Someone Usher knows already (they came into Acme through its link) joins Beta by domain.
    let q = app.token("quinn@beta.test");
    let r = app.call(Method::POST, "/v1/join-links/redeem", Some(&q), Some(json!({"token": token}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    table.take();
    let r = app.call(Method::POST, &format!("/v1/me/tenants/{t2}/join"), Some(&q), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    row("join by domain (auto), steady state (a person Usher knows)");

    // Latency: RUNS new people each, every one a first request (the realistic case: a person
    // joins once).
    let mut redeem = Vec::with_capacity(RUNS);
    let mut join = Vec::with_capacity(RUNS);
    for i in 0..RUNS {
        let who = app.token(&format!("r{i}@example.com"));
        let started = Instant::now();
        let r = app.call(Method::POST, "/v1/join-links/redeem", Some(&who), Some(json!({"token": token}))).await;
        redeem.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        let who = app.token(&format!("d{i}@acme.test"));
        let started = Instant::now();
        let r = app.call(Method::POST, &format!("/v1/me/tenants/{t}/join"), Some(&who), None).await;
        join.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    }
    println!();
    println!("| operation (n={RUNS}, embedded store, in process, each a new person) | p50 ms | p99 ms |");
    println!("|---|---|---|");
    for (name, mut ms) in [("redeem a join link", redeem), ("join by domain (auto)", join)] {
        ms.sort_by(f64::total_cmp);
        println!("| {name} | {:.2} | {:.2} |", usher_tests::quantile(&ms, 0.5), usher_tests::quantile(&ms, 0.99));
    }
}
