//! A 100,000-member export on the AWS path, written by the export worker itself: the `deliver`
//! binary under ExportJobFunction's limits from template.yaml (memory, timeout, /tmp) on the
//! emulated Lambda runtime (`tests/support/lambda.rs`), reading DynamoDB and writing an S3
//! multipart upload on moto. Per format it prints the invocation's wall time, the process's
//! peak memory (VmHWM: Lambda's "Max Memory Used"), the peak its /tmp held, and the file's size.
//! A fresh worker process per file, so each peak is that file's.
//!
//! The members are written straight into the table by BatchWriteItem (about 90 s for 100,000).
//! moto reads the whole partition for each 1000-row Query page (seconds a page at this size,
//! where DynamoDB takes milliseconds), so the wall time is moto's, and the worker is started
//! with `USHER_LOCAL_SDK_ATTEMPT_SECS=60` (local runs only) so those slow pages do not time out.
//!
//! `bash infra/scripts/bench.sh` runs it on the release binary. Alone:
//! `cargo build --release --bin deliver && bash infra/scripts/with-moto.sh cargo bench -p
//! usher-tests --bench export_worker`; `USHER_BENCH_MEMBERS` (default 100000) and
//! `USHER_BENCH_FORMATS` (default `csv,xlsx`) choose the runs.

use http::{Method, StatusCode};
use std::sync::Arc;
use std::time::Instant;
use usher_aws::{S3Files, SqsQueue};
use usher_domain::values::TenantId;
use usher_tests::lambda::{Function, Limits, function_env};
use usher_tests::{Options, TestApp, aws, seed};

const OWNER: &str = "bench-owner@acme.test";

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let members: usize = std::env::var("USHER_BENCH_MEMBERS").ok().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let formats = std::env::var("USHER_BENCH_FORMATS").unwrap_or_else(|_| "csv,xlsx".into());
    let table = aws::new_table().await;
    let bucket = aws::new_bucket().await;
    let queue = aws::named_queue("export-queue").await;
    let options = Options {
        worker: false,
        queue: Some(Arc::new(SqsQueue::new(aws::sqs(), &queue))),
        files: Some(Arc::new(S3Files::new(aws::s3(), &bucket))),
        export_direct_rows: Some(0),
        ..Options::default()
    };
    let app = TestApp::with_options(table.clone(), options);
    app.clock.set(usher_domain::ports::Clock::now(&usher_store::SystemClock));
    let t = app.tenant("Big", OWNER, None).await;
    let tenant = TenantId::parse(&t).expect("tenant id");
    let started = Instant::now();
    seed::members_into_dynamodb(table.name(), &tenant, 0, members, None).await;
    eprintln!("seeded {members} members on moto in {:.0} s", started.elapsed().as_secs_f64());

    let limits = Limits::of_resource("ExportJobFunction");
    let mut env = function_env(table.name(), "Usher <no-reply@usher.test>");
    env.retain(|(k, _)| *k != "USHER_EXPORT_BUCKET");
    env.extend([("USHER_EXPORT_BUCKET", bucket.clone()), ("USHER_LOCAL_SDK_ATTEMPT_SECS", "60".into())]);
    println!("ExportJobFunction: {} MB, {} s, {} MB of /tmp (template.yaml)\n", limits.memory_mb, limits.timeout.as_secs(), limits.tmp_mb);
    println!("| members | format | attempt | invocation | rows in the file after it | peak memory | /tmp peak | file size |");
    println!("|---|---|---|---|---|---|---|---|");
    let owner = app.token(OWNER);
    for format in formats.split(',').map(str::trim) {
        let r = app.call(Method::GET, &format!("/v1/tenants/{t}/members/export?format={format}"), Some(&owner), None).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.json);
        let id = r.json["id"].as_str().expect("export id").to_owned();
        let key = usher_domain::schema::export_key(&tenant, &id);
        // An XLSX starts over on each attempt: one shows what each would do.
        let attempts = if format == "xlsx" { 1 } else { usher_domain::usecases::export::EXPORT_ATTEMPTS };
        for attempt in 1..=attempts {
            let wake = aws::receive(&queue).await;
            assert_eq!(wake.len(), 1, "the job's wake-up: {wake:?}");
            // A fresh worker per attempt, as Lambda recycles a sandbox that timed out.
            let worker = Arc::new(Function::start_with("deliver", &env, limits).await);
            worker.init_duration().await.expect("the worker started");
            // The peak is read while the process lives (a worker cut off at its timeout is gone).
            let seen = Arc::new(std::sync::atomic::AtomicU64::new(0));
            let sampler = {
                let (worker, seen) = (worker.clone(), seen.clone());
                tokio::spawn(async move {
                    while let Some(kib) = worker.peak_memory_kib() {
                        seen.fetch_max(kib, std::sync::atomic::Ordering::Relaxed);
                        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    }
                })
            };
            let started = Instant::now();
            let answer = worker.invoke(aws::sqs_event(&wake)).await;
            let took = started.elapsed();
            let (tmp, killed) = (worker.tmp_peak_bytes(), worker.killed());
            seen.fetch_max(worker.peak_memory_kib().unwrap_or(0), std::sync::atomic::Ordering::Relaxed);
            sampler.abort();
            let _ = sampler.await;
            drop(worker);
            let peak = seen.load(std::sync::atomic::Ordering::Relaxed);
            aws::delete(&queue, &wake[0]).await;
            let job = usher_domain::schema::load::<usher_domain::model::ExportJob>(table.as_ref(), &key).await.expect("read").expect("job");
            let stored = job.value.rows.or(job.value.checkpoint.as_ref().map(|c| c.rows)).unwrap_or(0);
            let outcome = match &killed {
                Some(why) => format!("{why:?} after {:.1} s", took.as_secs_f64()),
                None => format!("{:.1} s", took.as_secs_f64()),
            };
            println!(
                "| {members} | {format} | {attempt} | {outcome} | {stored} | {:.1} MiB | {:.1} MiB | {:.1} MB |",
                peak as f64 / 1024.0,
                tmp as f64 / (1024.0 * 1024.0),
                job.value.bytes.unwrap_or_default() as f64 / 1e6,
            );
            if killed.is_none() {
                assert_eq!(answer, Ok(serde_json::json!({"batchItemFailures": []})), "{format}");
                assert_eq!(job.value.rows, Some(members as u64 + 1), "the seeded members and the owner");
                break;
            }
            // The claim lapses; the sweep queues the job again (the next attempt goes on from
            // the job's checkpoint, if it has one).
            app.clock.set(usher_domain::ports::Clock::now(&usher_store::SystemClock));
            app.clock.advance_secs(usher_domain::usecases::export::EXPORT_CLAIM_SECS + 1);
            usher_domain::usecases::expire::sweep(&app.deps).await.expect("sweep");
        }
    }
}
