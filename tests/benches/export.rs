//! Exports of any size. First on the embedded store (a SQLite file, the data dir's files): a
//! tenant of 20,000 and then 100,000 members. Then on the local AWS server: 20,000 members in
//! DynamoDB (moto), exported as CSV and XLSX by the worker's use case (`delivery::process` on the
//! export job, as `deliver` runs it) into S3 (moto) by multipart upload, in this release-built
//! process. Prints the time to write each file, its size, and this process's peak memory while
//! writing it (Linux VmHWM, reset before each file through /proc/self/clear_refs): the worker's
//! memory plus this harness's. moto serves one request at a time and reads a whole partition for
//! every Query page, so the times are moto's; the memory is Usher's own. (In process rather than
//! the `deliver` binary: the functions keep the request budgets for SDK calls, 2 s an attempt,
//! which a Query page over a 100k-item partition on moto exceeds; and 100k on moto is left out:
//! moto reads the whole partition for each 1000-row page, about 3 s a page at 20k members.)
//!
//! Run it with `bash infra/scripts/bench.sh` (builds the binaries, starts moto, runs this).

use http::{Method, StatusCode};
use std::sync::Arc;
use std::time::Instant;
use usher_aws::{S3Files, SqsQueue};
use usher_domain::ports::Write;
use usher_domain::values::TenantId;
use usher_tests::{Options, TestApp, aws, seed};

const OWNER: &str = "bench-owner@acme.test";

/// Writes `n` members (numbered from `from`) into the embedded store, 100 per transaction (built
/// a chunk at a time, so the harness itself stays small).
async fn seed_local(app: &TestApp, tenant: &TenantId, from: usize, n: usize) {
    let mut i = from;
    while i < from + n {
        let end = (i + 100).min(from + n);
        let now = usher_domain::ports::Clock::now(&usher_store::SystemClock);
        let chunk: Vec<Write> = (i..end).map(|k| usher_domain::schema::create(&seed::member(tenant, k, now, None))).collect();
        app.deps.table.transact(chunk).await.expect("seed");
        i = end;
    }
}

/// A memory figure of this process from /proc/self/status (`VmHWM`: peak since the last
/// reset; `VmRSS`: now), in KiB.
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap_or_default();
    line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).unwrap_or_default()
}

fn peak_kib() -> u64 {
    status_kib("VmHWM:")
}

/// Asks for an export of `t` as `format`, runs the worker's use case on the job it queued (taken
/// from `queue_url` on SQS, or built from the answer locally), and prints one table row.
async fn export_row(app: &TestApp, t: &str, members: usize, format: &str, queue_url: Option<&str>, store: &str) {
    let owner = app.token(OWNER);
    let r = app.call(Method::GET, &format!("/v1/tenants/{t}/members/export?format={format}"), Some(&owner), None).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.json);
    let id = r.json["id"].as_str().expect("export id").to_owned();
    let received = match queue_url {
        Some(url) => aws::receive(url).await,
        None => Vec::new(),
    };
    let job = match received.first() {
        Some(m) => serde_json::from_str(&m.body).expect("a job"),
        None => usher_domain::ports::DeliveryJob::Export { tenant_id: TenantId::parse(t).expect("tenant"), export_id: id.clone() },
    };
    // Peak memory from here on is this file's.
    std::fs::write("/proc/self/clear_refs", "5").expect("reset VmHWM");
    let before = status_kib("VmRSS:");
    let started = Instant::now();
    let done = usher_domain::usecases::delivery::process(&app.deps, &job).await.expect("processed");
    let took = started.elapsed();
    let peak = peak_kib();
    assert_eq!(done, usher_domain::usecases::delivery::Processed::Sent);
    if let (Some(url), Some(m)) = (queue_url, received.first()) {
        aws::delete(url, m).await;
    }
    let status = app.call(Method::GET, &format!("/v1/tenants/{t}/exports/{id}"), Some(&owner), None).await;
    assert_eq!(status.json["status"], "ready", "{}", status.json);
    assert_eq!(status.json["rows"].as_u64(), Some(members as u64 + 1), "the seeded members and the owner");
    let bytes = status.json["bytes"].as_u64().unwrap_or_default();
    println!(
        "| {store} | {members} | {format} | {:.1} s | {:.1} MB | {:.1} MiB | +{:.1} MiB |",
        took.as_secs_f64(),
        bytes as f64 / 1e6,
        before as f64 / 1024.0,
        peak.saturating_sub(before) as f64 / 1024.0
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    println!("| store | members | format | file written in | file size | process RSS before | peak while writing, above that |");
    println!("|---|---|---|---|---|---|---|");

    // The embedded store: a SQLite file (its page cache, not the table, in memory).
    if std::env::var("USHER_BENCH_SKIP_EMBEDDED").is_err() {
        let dir = tempfile::tempdir().expect("tempdir");
        let sqlite = Arc::new(usher_store::SqliteTable::open(&dir.path().join("usher.db")).expect("sqlite"));
        let local = TestApp::with_options(sqlite, Options { worker: false, export_direct_rows: Some(0), ..Options::default() });
        local.clock.set(usher_domain::ports::Clock::now(&usher_store::SystemClock));
        let t = local.tenant("Big", OWNER, None).await;
        let tenant = TenantId::parse(&t).expect("tenant id");
        let mut seeded = 0;
        for members in [20_000, 100_000] {
            seed_local(&local, &tenant, seeded, members - seeded).await;
            seeded = members;
            for format in ["csv", "xlsx"] {
                export_row(&local, &t, members, format, None, "embedded").await;
            }
        }
    }

    // DynamoDB and S3 on moto.
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
    // 20,000 by default: moto reads the whole partition for each page, so 100,000 takes about
    // half an hour a format (USHER_BENCH_MOTO_SIZES=20000,100000 USHER_BENCH_MOTO_FORMATS=csv).
    let list = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
    let sizes: Vec<usize> = list("USHER_BENCH_MOTO_SIZES", "20000").split(',').filter_map(|n| n.trim().parse().ok()).collect();
    let formats = list("USHER_BENCH_MOTO_FORMATS", "csv,xlsx");
    let mut seeded = 0;
    for members in sizes {
        let started = Instant::now();
        seed::members_into_dynamodb(table.name(), &tenant, seeded, members - seeded, None).await;
        seeded = members;
        eprintln!("seeded {members} members on moto in {:.0} s", started.elapsed().as_secs_f64());
        for format in formats.split(',').map(str::trim) {
            export_row(&app, &t, members, format, Some(&queue_url), "DynamoDB + S3 (moto)").await;
        }
    }
}
