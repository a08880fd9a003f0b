//! SCIM benchmark: round trips to the table per SCIM operation (each `Table` call is one
//! DynamoDB request on AWS) and in-process latency through `ScimApp` on the embedded store.
//! Rerun with:
//!
//!     cargo bench -p usher-tests --bench scim
//!
//! and copy the tables it prints into BENCHMARKS.md.

use http::{Method, StatusCode};
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;
use usher_store::SqliteTable;
use usher_tests::counting::Counting;
use usher_tests::scim::{OWNER, scim_call};
use usher_tests::{TestApp, quantile};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let table = Arc::new(Counting::new(SqliteTable::in_memory().expect("sqlite")));
    // No background worker: the emails provisioning queues wait, so only SCIM's own round
    // trips are counted.
    let app = TestApp::without_delivery_worker(table.clone(), None);
    let t = app.tenant("Acme", OWNER, None).await;
    let owner = app.token(OWNER);
    let token = app.call(Method::POST, &format!("/v1/tenants/{t}/scim-tokens"), Some(&owner), None).await.json["token"]
        .as_str()
        .expect("a token")
        .to_owned();
    let scim = usher_scim::ScimApp::new(app.deps.clone());
    let user = |name: &str| json!({"schemas": [usher_scim::schema::USER], "userName": name, "emails": [{"value": format!("{name}@acme.test"), "primary": true}]});
    // The token's rate-limit window for this minute exists after its first request (one more
    // read and write then): measure the steady state.
    scim_call(&scim, &token, Method::GET, "/ServiceProviderConfig", None).await;
    table.take();

    println!("| SCIM operation | reads | queries | writes (transactions/items) |");
    println!("|---|---|---|---|");
    let row = |name: &str| {
        let [g, q, tx, w] = table.take();
        println!("| {name} | {g} | {q} | {tx} / {w} |");
    };
    let staged = scim_call(&scim, &token, Method::POST, "/Users", Some(user("staged"))).await;
    assert_eq!(staged.status, StatusCode::CREATED);
    row("POST /Users (provisioning: stage)");
    scim_call(&scim, &token, Method::GET, "/Users?filter=userName%20eq%20%22staged%22", None).await;
    row("GET /Users?filter=userName eq (the lookup before a create)");
    let id = staged.json["id"].as_str().expect("id").to_owned();
    scim_call(&scim, &token, Method::GET, &format!("/Users/{id}"), None).await;
    row("GET /Users/{id}");
    let settings = json!({"provisioning": "invite"});
    app.call(Method::PATCH, &format!("/v1/tenants/{t}/directory/settings"), Some(&owner), Some(settings)).await;
    table.take();
    let invited = scim_call(&scim, &token, Method::POST, "/Users", Some(user("ada"))).await;
    assert_eq!(invited.status, StatusCode::CREATED);
    row("POST /Users (provisioning: invite; the invitation saved and its email queued)");
    app.deliver_queued().await;
    let link = app.token_from_email("ada@acme.test");
    let accepted = app.call(Method::POST, "/v1/invitations/accept", Some(&app.token("ada@acme.test")), Some(json!({"token": link}))).await;
    assert_eq!(accepted.status, StatusCode::OK);
    let ada = invited.json["id"].as_str().expect("id").to_owned();
    table.take();
    let off = json!({"schemas": [usher_scim::schema::PATCH_OP], "Operations": [{"op": "replace", "path": "active", "value": false}]});
    let patched = scim_call(&scim, &token, Method::PATCH, &format!("/Users/{ada}"), Some(off)).await;
    assert_eq!(patched.status, StatusCode::OK);
    row("PATCH /Users/{id} active=false (deprovision a member)");

    // Latency, n creates and n reads of a stage tenant, through the whole SCIM app.
    let n = 300;
    let t2 = app.tenant("Latency", OWNER, None).await;
    let token2 = app.call(Method::POST, &format!("/v1/tenants/{t2}/scim-tokens"), Some(&owner), None).await.json["token"]
        .as_str()
        .expect("a token")
        .to_owned();
    let (mut create_ms, mut get_ms, mut lookup_ms) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..n {
        let start = Instant::now();
        let r = scim_call(&scim, &token2, Method::POST, "/Users", Some(user(&format!("u{i}")))).await;
        create_ms.push(start.elapsed().as_secs_f64() * 1000.0);
        let id = r.json["id"].as_str().expect("id").to_owned();
        let start = Instant::now();
        scim_call(&scim, &token2, Method::GET, &format!("/Users/{id}"), None).await;
        get_ms.push(start.elapsed().as_secs_f64() * 1000.0);
        let start = Instant::now();
        scim_call(&scim, &token2, Method::GET, &format!("/Users?filter=userName%20eq%20%22u{i}%22"), None).await;
        lookup_ms.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    for v in [&mut create_ms, &mut get_ms, &mut lookup_ms] {
        v.sort_by(f64::total_cmp);
    }
    println!();
    println!("| SCIM request (n={n}, embedded store, in process) | p50 ms | p99 ms |");
    println!("|---|---|---|");
    for (name, v) in [("POST /Users (stage)", &create_ms), ("GET /Users/{id}", &get_ms), ("GET /Users?filter=userName eq", &lookup_ms)] {
        println!("| {name} | {:.2} | {:.2} |", quantile(v, 0.5), quantile(v, 0.99));
    }
}
