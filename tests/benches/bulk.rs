//! A 1000-row bulk call on the `invite` function, as Lambda runs it (the release build under the
//! emulated Runtime API, against DynamoDB and SES on the local AWS server): JSON, CSV and XLSX
//! bodies, each in a fresh process. Reports the wall time (dominated by the local server, which
//! answers one request at a time and far slower than DynamoDB), the function's own CPU time,
//! and its peak memory, beside the template's `MemorySize` and `Timeout` for the function.
//!
//! Run it with `bash infra/scripts/bench.sh` (or, once the release `invite` is built:
//! `USHER_MOTO_TIMEOUT_SECS=600 bash infra/scripts/with-moto.sh cargo bench -p usher-tests --bench bulk`).

use base64::Engine;
use serde_json::{Value, json};
use std::time::Instant;
use usher_tests::lambda::{Function, function_env, http_answer, http_event, person_token};
use usher_tests::{TestApp, aws};

const ROWS: usize = 1000;
const OWNER: &str = "bench-owner@acme.test";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn csv(prefix: &str) -> String {
    let mut out = String::from("email,role,first_name,last_name\r\n");
    for i in 0..ROWS {
        out.push_str(&format!("{prefix}{i}@example.com,member,First{i},Last{i}\r\n"));
    }
    out
}

fn xlsx(prefix: &str) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["email", "role", "first_name", "last_name"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).expect("header");
    }
    for i in 0..ROWS {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, format!("{prefix}{i}@example.com")).expect("cell");
        sheet.write_string(r, 1, "member").expect("cell");
        sheet.write_string(r, 2, format!("First{i}")).expect("cell");
        sheet.write_string(r, 3, format!("Last{i}")).expect("cell");
    }
    book.save_to_buffer().expect("workbook")
}

/// The API Gateway event for a raw body of `content_type`.
fn upload_event(path: &str, bearer: &str, content_type: &str, body: &[u8], base64: bool) -> Value {
    let mut e = http_event("POST", path, Some(bearer), None);
    e["headers"]["content-type"] = content_type.into();
    e["body"] = if base64 {
        base64::engine::general_purpose::STANDARD.encode(body).into()
    } else {
        String::from_utf8(body.to_vec()).expect("text").into()
    };
    e["isBase64Encoded"] = base64.into();
    e
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if std::env::var(aws::ENDPOINT_VAR).is_err() {
        eprintln!("the bulk benchmark needs the local AWS server and the release invite binary: run `bash infra/scripts/bench.sh`");
        std::process::exit(2);
    }
    let domain = format!("{}.usher.test", aws::unique());
    aws::verify_domain(&domain).await;
    let owner = person_token(OWNER);
    // The invite function runs under its template limits (MemorySize, Timeout: the emulator
    // kills it past either, as Lambda does).
    // USHER_BENCH_INVITE_TIMEOUT_SECS: a longer timeout, to see how long the local server takes.
    let mut limits = usher_tests::lambda::Limits::of("invite");
    if let Some(secs) = std::env::var("USHER_BENCH_INVITE_TIMEOUT_SECS").ok().and_then(|s| s.parse().ok()) {
        limits.timeout = std::time::Duration::from_secs(secs);
    }
    let (memory_mb, timeout_s) = (limits.memory_mb, limits.timeout.as_secs());

    println!("| body | rows invited | wall time (local AWS server) | function CPU time | peak RSS | template limits |");
    println!("|---|---|---|---|---|---|");
    for label in ["JSON", "CSV", "XLSX"] {
        // A fresh table each time: the local server's transactions slow down as a table grows
        // (it copies the table per transaction), past the HTTP functions' 4 s budget a call.
        let table = aws::new_table().await;
        let env = function_env(table.name(), &format!("Usher <no-reply@{domain}>"));
        let seeder = TestApp::with_table(table.clone());
        seeder.clock.set(usher_domain::ports::Clock::now(&usher_store::SystemClock));
        let t = seeder.tenant("Acme", OWNER, Some(10 * ROWS as u32)).await;
        let path = format!("/v1/tenants/{t}/invitations");
        let event = match label {
            "JSON" => {
                let rows: Vec<Value> = (0..ROWS).map(|i| json!({"email": format!("json{i}@example.com"), "role": "member"})).collect();
                http_event("POST", &path, Some(&owner), Some(&json!({ "invitations": rows })))
            }
            "CSV" => upload_event(&path, &owner, "text/csv", csv("csv").as_bytes(), false),
            _ => upload_event(&path, &owner, XLSX, &xlsx("xlsx"), true),
        };
        let f = Function::start_with("invite", &env, limits).await;
        f.init_duration().await.expect("the function started");
        let cpu_before = f.cpu_time().unwrap_or_default();
        let started = Instant::now();
        let answer = f.invoke(event).await;
        let wall = started.elapsed();
        let cpu = f.cpu_time().unwrap_or_default().saturating_sub(cpu_before);
        let peak = f.peak_memory_kib().unwrap_or_default() as f64 / 1024.0;
        let answer = match answer {
            Ok(answer) => answer,
            Err(e) => {
                // Past the template's limits: what Lambda would have said, in the table.
                println!(
                    "| {label} | — ({}) | {:.1} s | {:.2} s | {peak:.1} MiB | {memory_mb} MB, {timeout_s} s |",
                    e["errorMessage"],
                    wall.as_secs_f64(),
                    cpu.as_secs_f64()
                );
                continue;
            }
        };
        let (status, body, _) = http_answer(&answer);
        if status != 200 {
            println!(
                "| {label} | — ({status} {}) | {:.1} s | {:.2} s | {peak:.1} MiB | {memory_mb} MB, {timeout_s} s |",
                body["code"],
                wall.as_secs_f64(),
                cpu.as_secs_f64()
            );
            continue;
        }
        let invited = body["summary"]["invited"].as_u64().unwrap_or_default();
        assert_eq!(invited, ROWS as u64, "{label}: {}", body["summary"]);
        println!(
            "| {label} | {invited} | {:.1} s | {:.2} s | {peak:.1} MiB | {memory_mb} MB, {timeout_s} s |",
            wall.as_secs_f64(),
            cpu.as_secs_f64()
        );
    }
}
