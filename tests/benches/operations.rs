//! Usher's operations benchmark: round trips to the table per operation (each `Table` call is
//! one DynamoDB request on AWS) and in-process latency through the real handlers on the
//! embedded store. Rerun with:
//!
//!     cargo bench -p usher-tests --bench operations
//!
//! and copy the tables it prints into BENCHMARKS.md. (Latency here is CPU + SQLite only; on AWS
//! each round trip adds a few milliseconds of network, which is why the counts matter more.)

use http::Method;
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;
use usher_store::SqliteTable;
use usher_tests::TestApp;
use usher_tests::counting::Counting;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let table = Arc::new(Counting::new(SqliteTable::in_memory().expect("sqlite")));
    // No background worker: the bench runs the delivery worker's turns itself, so each
    // request's round trips and the worker's are counted apart.
    let app = TestApp::without_delivery_worker(table.clone(), None);
    let owner = "owner@acme.test";
    let t = app.tenant("Acme", owner, None).await;
    let ot = app.token(owner);
    table.take();

    println!("| operation | GetItem | Query | writes (transactions/items) |");
    println!("|---|---|---|---|");
    let row = |name: &str| {
        let [g, q, tx, w] = table.take();
        println!("| {name} | {g} | {q} | {tx} / {w} |");
    };
    app.invite(&t, owner, "ada@example.com", "member").await;
    row("invite (save, queue the email)");
    app.deliver_queued().await;
    row("deliver one email (claim + mint link, send, record)");
    let token = app.token_from_email("ada@example.com");
    app.call(Method::POST, "/v1/invitations/lookup", None, Some(json!({"token": token}))).await;
    row("lookup");
    let ada = app.token("ada@example.com");
    app.call(Method::POST, "/v1/invitations/accept", Some(&ada), Some(json!({"token": token}))).await;
    row("accept (new user)");
    app.invite(&t, owner, "bob@example.com", "member").await;
    app.deliver_queued().await;
    table.take();
    let bob = app.call(Method::GET, &format!("/v1/tenants/{t}/invitations?status=pending"), Some(&ot), None).await;
    row("list invitations (one page)");
    let bob_id = bob.json["data"][0]["id"].as_str().unwrap_or_default().to_owned();
    app.call(Method::POST, &format!("/v1/tenants/{t}/invitations/{bob_id}/resend"), Some(&ot), None).await;
    row("resend (queue the new link)");
    app.deliver_queued().await;
    table.take();
    app.call(Method::DELETE, &format!("/v1/tenants/{t}/invitations/{bob_id}"), Some(&ot), None).await;
    row("revoke");
    app.call(Method::GET, &format!("/v1/tenants/{t}/members"), Some(&ot), None).await;
    row("list members (one page + seats)");
    app.call(Method::GET, &format!("/v1/tenants/{t}/members/export"), Some(&ot), None).await;
    row("export (2 members)");

    // Steady state: a signed-in owner in a warm process (the subject -> user link is cached),
    // and a person Usher already knows accepting a second tenant's invitation.
    app.invite(&t, owner, "cy@example.com", "member").await;
    row("invite, steady state (save, queue the email)");
    app.deliver_queued().await;
    table.take();
    let t2 = app.tenant("Beta", owner, None).await;
    app.invite(&t2, owner, "ada@example.com", "member").await;
    app.deliver_queued().await;
    let token2 = app.token_from_email("ada@example.com");
    table.take();
    app.call(Method::POST, "/v1/invitations/accept", Some(&ada), Some(json!({"token": token2}))).await;
    row("accept, steady state (a known person)");
    app.call(Method::GET, &format!("/v1/tenants/{t}/invitations"), Some(&ot), None).await;
    row("list invitations, steady state (one page)");

    // Bulk: 1000 rows in one call (the emails are queued; the worker sends them after).
    let big = app.tenant("Bulk", owner, None).await;
    let rows: Vec<serde_json::Value> = (0..1000).map(|i| json!({"email": format!("bulk{i}@example.com"), "role": "viewer"})).collect();
    table.take();
    let start = Instant::now();
    let r = app.call(Method::POST, &format!("/v1/tenants/{big}/invitations"), Some(&ot), Some(json!({ "invitations": rows }))).await;
    let bulk_ms = start.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(r.json["summary"]["invited"], 1000, "{}", r.json);
    row("bulk, 1000 rows (one call)");
    let start = Instant::now();
    app.deliver_queued().await;
    let unpaced_s = start.elapsed().as_secs_f64();
    row("deliver those 1000 emails (the worker, unpaced)");
    println!();
    println!("bulk, 1000 rows: answered in {bulk_ms:.0} ms (embedded store, in process)");
    println!("the worker then sent all 1000 (outbox) in {unpaced_s:.1} s unpaced: {:.0} emails/s", 1000.0 / unpaced_s);
    // Paced as a deliver instance is (USHER_SEND_RATE_PER_SECOND): 1000 rows at 100 a second.
    let paced = app.tenant("Paced", owner, None).await;
    let rows: Vec<serde_json::Value> = (0..1000).map(|i| json!({"email": format!("paced{i}@example.com"), "role": "viewer"})).collect();
    app.call(Method::POST, &format!("/v1/tenants/{paced}/invitations"), Some(&ot), Some(json!({ "invitations": rows }))).await;
    let start = Instant::now();
    app.queue.drain(&app.deps, 100).await;
    println!("at 100 emails/s the 1000 took {:.1} s (ideal 10.0 s)", start.elapsed().as_secs_f64());
    table.take();

    // Latency: invite + lookup + accept, end to end through the handlers, N times.
    let n = 300;
    let mut invite_ms = Vec::with_capacity(n);
    let mut accept_ms = Vec::with_capacity(n);
    for i in 0..n {
        let email = format!("user{i}@example.com");
        let start = Instant::now();
        app.invite(&t, owner, &email, "member").await;
        invite_ms.push(start.elapsed().as_secs_f64() * 1000.0);
        app.deliver_queued().await;
        let token = app.token_from_email(&email);
        let bearer = app.token(&email);
        let start = Instant::now();
        app.call(Method::POST, "/v1/invitations/accept", Some(&bearer), Some(json!({"token": token}))).await;
        accept_ms.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    invite_ms.sort_by(f64::total_cmp);
    accept_ms.sort_by(f64::total_cmp);
    println!();
    println!("| operation (n={n}, embedded store, in process) | p50 ms | p99 ms |");
    println!("|---|---|---|");
    println!(
        "| invite (save and queue; the email is the worker's) | {:.2} | {:.2} |",
        usher_tests::quantile(&invite_ms, 0.5),
        usher_tests::quantile(&invite_ms, 0.99)
    );
    println!("| accept | {:.2} | {:.2} |", usher_tests::quantile(&accept_ms, 0.5), usher_tests::quantile(&accept_ms, 0.99));
}
