//! Exports of any size on the local AWS server: a tenant of 20,000 and then 100,000 members in
//! DynamoDB (moto), exported as CSV and XLSX by the release `deliver` binary (the export job
//! arrives as the SQS event source would hand it over) into S3 (moto) by multipart upload.
//! Prints the time to write each file, its size, and the worker's peak memory (Linux VmHWM,
//! Lambda's "Max Memory Used"). moto serves one request at a time and reads a whole partition
//! for every Query page, so the times are moto's; the memory is the worker's own.
//!
//! Run it with `bash infra/scripts/bench.sh` (builds the binaries, starts moto, runs this).

use http::{Method, StatusCode};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use usher_aws::{S3Files, SqsQueue};
use usher_domain::model::Member;
use usher_domain::ports::Write;
use usher_domain::values::{Email, TenantId, UserId};
use usher_tests::lambda::{Function, function_env};
use usher_tests::{Options, TestApp, aws};

const OWNER: &str = "bench-owner@acme.test";

/// Writes `n` members (numbered from `from`) straight into the table, 25 per BatchWriteItem.
async fn seed(table: &str, tenant: &TenantId, from: usize, n: usize) {
    let now = usher_domain::ports::Clock::now(&usher_store::SystemClock);
    let client = aws::dynamodb();
    let mut batch = Vec::with_capacity(25);
    for i in from..from + n {
        let member = Member {
            tenant_id: tenant.clone(),
            user_id: UserId::parse(&format!("usr_{i:032x}")).expect("user id"),
            email: Email::parse(&format!("member{i}@example.com")).expect("email"),
            username: None,
            role: usher_domain::roles::RoleName::parse("viewer").expect("role"),
            workspaces: Vec::new(),
            profile: usher_domain::values::Profile::default(),
            notifications: Default::default(),
            joined_via: None,
            last_login_at: None,
            created_at: now,
            updated_at: now,
        };
        let Write::Put { item, .. } = usher_domain::schema::create(&member) else { unreachable!("create is a put") };
        let put =
            aws_sdk_dynamodb::types::PutRequest::builder().set_item(Some(usher_aws::dynamo::item_to_attrs(&item))).build().expect("put");
        batch.push(aws_sdk_dynamodb::types::WriteRequest::builder().put_request(put).build());
        if batch.len() == 25 {
            client.batch_write_item().request_items(table, std::mem::take(&mut batch)).send().await.expect("batch write");
        }
    }
    if !batch.is_empty() {
        client.batch_write_item().request_items(table, batch).send().await.expect("batch write");
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let table = aws::new_table().await;
    let bucket = aws::new_bucket().await;
    let queue_url = aws::new_queue().await;
    let options = Options {
        worker: false,
        queue: Some(Arc::new(SqsQueue::new(aws::sqs(), &queue_url))),
        files: Some(Arc::new(S3Files::new(aws::s3(), &bucket))),
        export_direct_rows: Some(0),
        ..Options::default()
    };
    let app = TestApp::with_options(table.clone(), options);
    app.clock.set(usher_domain::ports::Clock::now(&usher_store::SystemClock));
    let t = app.tenant("Big", OWNER, None).await;
    let tenant = TenantId::parse(&t).expect("tenant id");
    let owner = app.token(OWNER);

    let mut env = function_env(table.name(), "Usher <no-reply@usher.test>");
    env.retain(|(k, _)| *k != "USHER_DELIVERY_QUEUE_URL" && *k != "USHER_EXPORT_BUCKET");
    env.push(("USHER_DELIVERY_QUEUE_URL", queue_url.clone()));
    env.push(("USHER_EXPORT_BUCKET", bucket.clone()));

    println!("| members | format | file written in | file size | deliver's peak memory |");
    println!("|---|---|---|---|---|");
    let mut seeded = 0;
    for members in [20_000, 100_000] {
        let started = Instant::now();
        seed(table.name(), &tenant, seeded, members - seeded).await;
        eprintln!("seeded {} members in {:.0} s", members - seeded, started.elapsed().as_secs_f64());
        seeded = members;
        for format in ["csv", "xlsx"] {
            // A fresh worker process per file, so its peak memory is this file's.
            let deliver = Function::start("deliver", &env).await;
            let r = app.call(Method::GET, &format!("/v1/tenants/{t}/members/export?format={format}"), Some(&owner), None).await;
            assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.json);
            let id = r.json["id"].as_str().expect("export id").to_owned();
            let messages = aws::receive(&queue_url).await;
            assert_eq!(messages.len(), 1);
            let started = Instant::now();
            let answer = deliver.invoke_within(aws::sqs_event(&messages), Duration::from_secs(1800)).await.expect("a batch response");
            let took = started.elapsed();
            assert_eq!(answer, json!({"batchItemFailures": []}));
            aws::delete(&queue_url, &messages[0]).await;
            let status = app.call(Method::GET, &format!("/v1/tenants/{t}/exports/{id}"), Some(&owner), None).await;
            assert_eq!(status.json["status"], "ready", "{}", status.json);
            assert_eq!(status.json["rows"].as_u64(), Some(members as u64 + 1), "the seeded members and the owner");
            let bytes = status.json["bytes"].as_u64().unwrap_or_default();
            println!(
                "| {members} | {format} | {:.1} s | {:.1} MB | {:.1} MiB |",
                took.as_secs_f64(),
                bytes as f64 / 1e6,
                deliver.peak_memory_kib().unwrap_or_default() as f64 / 1024.0
            );
        }
    }
}
