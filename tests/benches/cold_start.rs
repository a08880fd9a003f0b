//! Cold start, measured locally: every run starts a fresh process of a function binary (the
//! release build: the profile `sam build` deploys, for this machine's architecture) under the
//! emulated Lambda Runtime API, against DynamoDB and SES on moto, and times
//!   - init: process start → the function asks for its first event (config read, SDK set up,
//!     the table primed with one DescribeTable): the local analogue of Lambda's Init Duration;
//!   - first request: that first event, end to end (a cold process's first real work);
//!   - warm request: the same request again in the same process;
//!   - peak memory: the process's peak RSS after both (Lambda's "Max Memory Used").
//!
//! The baseline is `usher-lambda`'s `hello` example: lambda_runtime and nothing else.
//! On AWS, add the network to DynamoDB/SES (a few ms a round trip) and, for JWKS issuers, one
//! key-set fetch on the first request; the Lambda sandbox's own start is not in these figures.
//!
//! Run it with `bash infra/scripts/bench.sh` (builds the binaries, starts moto, runs this).

use serde_json::{Value, json};
use std::time::{Duration, Instant};
use usher_tests::lambda::{Function, binary, function_env, http_answer, http_event, person_token, schedule_event};
use usher_tests::{TestApp, aws};

const RUNS: usize = 15;
const OWNER: &str = "bench-owner@acme.test";

struct Sample {
    init: Duration,
    first: Duration,
    warm: Duration,
    peak_kib: u64,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    usher_tests::quantile(&v, p)
}

async fn timed(f: &Function, event: Value) -> (Duration, Value) {
    let started = Instant::now();
    let answer = f.invoke(event).await.unwrap_or_else(|e| panic!("the function reported an error: {e}"));
    (started.elapsed(), answer)
}

/// Starts `bin` `RUNS` times; `event(run)` is the request each run sends twice.
async fn measure(bin: &str, env: &[(&str, String)], event: impl Fn(usize) -> Value, check: impl Fn(&Value)) -> Vec<Sample> {
    let mut samples = Vec::with_capacity(RUNS);
    for run in 0..RUNS {
        let f = Function::start(bin, env).await;
        let init = f.init_duration().await.unwrap_or_else(|| panic!("{bin} did not finish its init within 30 s"));
        let (first, answer) = timed(&f, event(run)).await;
        check(&answer);
        let (warm, answer) = timed(&f, event(run + 1000)).await;
        check(&answer);
        let peak_kib = f.peak_memory_kib().unwrap_or_default();
        samples.push(Sample { init, first, warm, peak_kib });
    }
    samples
}

fn row(label: &str, bin: &str, samples: &[Sample]) -> String {
    let col = |f: &dyn Fn(&Sample) -> f64| samples.iter().map(f).collect::<Vec<f64>>();
    let size = std::fs::metadata(binary(bin)).map(|m| m.len() as f64 / 1e6).unwrap_or_default();
    format!(
        "| {label} | {:.1} / {:.1} | {:.1} / {:.1} | {:.1} | {:.1} | {size:.1} |",
        percentile(col(&|s| ms(s.init)), 0.5),
        percentile(col(&|s| ms(s.init)), 1.0),
        percentile(col(&|s| ms(s.first)), 0.5),
        percentile(col(&|s| ms(s.first)), 1.0),
        percentile(col(&|s| ms(s.warm)), 0.5),
        percentile(col(&|s| s.peak_kib as f64 / 1024.0), 0.5),
    )
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if std::env::var(aws::ENDPOINT_VAR).is_err() {
        eprintln!("the cold-start benchmark needs the local AWS server and release binaries: run `bash infra/scripts/bench.sh`");
        std::process::exit(2);
    }
    let table = aws::new_table().await;
    let domain = format!("{}.usher.test", aws::unique());
    aws::verify_domain(&domain).await;
    let env = function_env(table.name(), &format!("Usher <no-reply@{domain}>"));

    // A tenant to work in, seeded through the same table.
    let seeder = TestApp::with_table(table.clone());
    seeder.clock.set(usher_domain::ports::Clock::now(&usher_store::SystemClock));
    let t = seeder.tenant("Acme", OWNER, None).await;
    let owner = person_token(OWNER);

    let ok = |answer: &Value| {
        let (status, body, _) = http_answer(answer);
        assert!((200..300).contains(&status), "{status}: {body}");
    };
    let mut rows = Vec::new();

    let hello = measure("examples/hello", &[], |run| json!({ "run": run }), |a| assert!(a["run"].is_number(), "{a}")).await;
    rows.push(row("hello (lambda_runtime only: the baseline)", "examples/hello", &hello));

    let invite_path = format!("/v1/tenants/{t}/invitations");
    let invite = measure(
        "invite",
        &env,
        |run| {
            let body = json!({ "email": format!("p{run}-{}@example.com", aws::unique()), "role": "member" });
            http_event("POST", &invite_path, Some(&owner), Some(&body))
        },
        ok,
    )
    .await;
    rows.push(row("invite: POST an invitation (save, SES send, delivery record)", "invite", &invite));

    let members_path = format!("/v1/tenants/{t}/members?limit=50");
    let list = measure("list", &env, |_| http_event("GET", &members_path, Some(&owner), None), ok).await;
    rows.push(row("list: GET members (4 GetItems, 1 Query)", "list", &list));

    let expire = measure("expire", &env, |_| schedule_event(), |a| assert!(a["expired"].is_number(), "{a}")).await;
    rows.push(row("expire: one sweep, nothing due (4 index queries)", "expire", &expire));

    println!(
        "| function (n={RUNS} cold starts each) | init p50 / max ms | first request p50 / max ms | warm request p50 ms | peak RSS MiB | binary MB |"
    );
    println!("|---|---|---|---|---|---|");
    for r in rows {
        println!("{r}");
    }
}
