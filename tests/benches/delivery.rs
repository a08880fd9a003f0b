//! The delivery queue on the local AWS server: a 1000-row bulk call (DynamoDB on moto, its
//! 1000 wake-ups to SQS on moto), then the release `deliver` binary under the emulated Lambda
//! Runtime API draining the queue as the SQS event source would (batches of 10) at a set send
//! rate, through SES on moto: the time until all 1000 emails are sent, and the worker's peak
//! memory. moto serves one request at a time and copies the table for every transaction, so
//! the bulk figure is moto's, not DynamoDB's; the pacing figure is the worker's.
//!
//! Run it with `bash infra/scripts/bench.sh` (builds the binaries, starts moto, runs this).

use http::{Method, StatusCode};
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;
use usher_aws::{SesMailer, SqsQueue};
use usher_tests::lambda::{Function, function_env};
use usher_tests::{TestApp, aws};

const OWNER: &str = "bench-owner@acme.test";
const ROWS: usize = 1000;
/// The stack's default per instance is 7; the SES default production rate is 14 a second.
const RATE: u32 = 14;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let table = aws::new_table().await;
    let domain = format!("{}.usher.test", aws::unique());
    aws::verify_domain(&domain).await;
    let sender = format!("Usher <no-reply@{domain}>");
    let queue_url = aws::new_queue().await;
    let queue = Arc::new(SqsQueue::new(aws::sqs(), &queue_url));
    let app = TestApp::with_queue(table.clone(), Some(Arc::new(SesMailer::new(aws::sesv2(), &sender, None))), queue);
    // The functions' clock is the system's: the app's must agree for the claims.
    app.clock.set(usher_domain::ports::Clock::now(&usher_store::SystemClock));
    let t = app.tenant("Bulk", OWNER, None).await;
    let rows: Vec<serde_json::Value> =
        (0..ROWS).map(|i| json!({"email": format!("b{i}-{}@example.com", aws::unique()), "role": "viewer"})).collect();
    let started = Instant::now();
    let r = app
        .call(Method::POST, &format!("/v1/tenants/{t}/invitations"), Some(&app.token(OWNER)), Some(json!({ "invitations": rows })))
        .await;
    assert_eq!((r.status, &r.json["summary"]["invited"]), (StatusCode::OK, &json!(ROWS)), "{}", r.json);
    let bulk = started.elapsed();

    let mut env = function_env(table.name(), &sender);
    env.retain(|(k, _)| *k != "USHER_DELIVERY_QUEUE_URL");
    env.push(("USHER_DELIVERY_QUEUE_URL", queue_url.clone()));
    env.push(("USHER_SEND_RATE_PER_SECOND", RATE.to_string()));
    let deliver = Function::start("deliver", &env).await;
    let started = Instant::now();
    let mut messages = 0;
    loop {
        let batch = aws::receive(&queue_url).await;
        if batch.is_empty() {
            break;
        }
        messages += batch.len();
        let answer = deliver.invoke(aws::sqs_event(&batch)).await.expect("a batch response");
        assert_eq!(answer["batchItemFailures"], json!([]), "{answer}");
        for m in &batch {
            aws::delete(&queue_url, m).await;
        }
    }
    let drained = started.elapsed();
    let sent = aws::moto_get("/moto-api/data.json")["ses"]["Message"]
        .as_array()
        .map_or(0, |m| m.iter().filter(|x| x["source"].as_str() == Some(sender.as_str())).count());
    println!("| figure (moto, 2 cores) | value |");
    println!("|---|---|");
    println!("| bulk call, {ROWS} rows: answered (writes + {ROWS} wake-ups queued on SQS) | {:.1} s |", bulk.as_secs_f64());
    println!("| wake-ups received from SQS | {messages} |");
    println!("| emails SES accepted | {sent} |");
    println!(
        "| one deliver instance at {RATE}/s: all sent in | {:.1} s (ideal {:.1} s) |",
        drained.as_secs_f64(),
        ROWS as f64 / f64::from(RATE)
    );
    println!("| deliver's peak memory | {} KiB |", deliver.peak_memory_kib().unwrap_or_default());
    assert_eq!(sent, ROWS, "every email sent once");
}
