//! The fault suite on the function binaries (issue 18): each binary is killed (`kill -9`) or
//! stopped (`SIGTERM`) in the middle of its work, on the emulated Lambda runtime with its
//! template limits, against moto; then what AWS would do next is done (SQS offers the unanswered
//! batch again after its visibility timeout, the sweep runs after its grace, the caller retries
//! a request that got a 502). Each test asserts that nothing is lost, that no email goes twice
//! beyond its stated replay bound (moto's list of the messages SES accepted), that no event is
//! lost, and says its replay bound. A function binary does not trap SIGTERM (Lambda sends it
//! only to runtimes with extensions): it dies at once, as under `kill -9`; both are tested.
//!
//! Time passes only for the sweep: it runs in this process on the same table with its clock
//! moved past the grace or the claim, since the binaries read the real clock.

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use usher_aws::{S3Files, SqsQueue};
use usher_domain::values::TenantId;
use usher_tests::lambda::{Function, Limits, function_env, http_answer, http_event, person_token};
use usher_tests::{Options, TestApp, aws, seed};

/// moto answers one request at a time: these tests take turns (as tests/functions.rs does).
static MOTO_TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const OWNER: &str = "owner@acme.test";

/// How many messages SES accepted for each address (one read of moto's state).
fn sent_counts() -> BTreeMap<String, usize> {
    let data = aws::moto_get("/moto-api/data.json");
    let mut counts = BTreeMap::new();
    for m in data["ses"]["Message"].as_array().cloned().unwrap_or_default() {
        for to in m["destinations"]["ToAddresses"].as_array().cloned().unwrap_or_default() {
            *counts.entry(to.as_str().unwrap_or_default().to_owned()).or_default() += 1;
        }
    }
    counts
}

/// A fresh table, sender domain, delivery queue and the functions' environment (every email
/// may go out at once: the pace is not under test), and an app on that table whose wake-ups go
/// to that queue (its clock is the real time, moved by the tests for the sweep).
async fn stack() -> (TestApp, Vec<(&'static str, String)>, String) {
    let table = aws::new_table().await;
    let domain = format!("{}.usher.test", aws::unique());
    aws::verify_domain(&domain).await;
    let queue = aws::new_queue().await;
    let mut env = function_env(table.name(), &format!("Usher <no-reply@{domain}>"));
    env.retain(|(k, _)| *k != "USHER_DELIVERY_QUEUE_URL");
    env.extend([("USHER_DELIVERY_QUEUE_URL", queue.clone()), ("USHER_SEND_RATE_PER_SECOND", "500".into())]);
    let app = TestApp::with_options(
        table,
        Options { worker: false, queue: Some(Arc::new(SqsQueue::new(aws::sqs(), &queue))), ..Options::default() },
    );
    app.clock.set(usher_domain::ports::Clock::now(&usher_store::SystemClock));
    (app, env, queue)
}

/// Runs the deliver binary over every message on `queue` until none is left, deleting what each
/// batch handled (what the SQS event source does).
async fn drain_with_deliver(deliver: &Function, queue: &str) {
    loop {
        let batch = aws::receive(queue).await;
        if batch.is_empty() {
            return;
        }
        let answer = deliver.invoke(aws::sqs_event(&batch)).await.expect("deliver answered");
        let failed: Vec<&str> =
            answer["batchItemFailures"].as_array().into_iter().flatten().filter_map(|f| f["itemIdentifier"].as_str()).collect();
        for m in batch.iter().filter(|m| !failed.contains(&m.message_id.as_str())) {
            aws::delete(queue, m).await;
        }
    }
}

/// Makes the messages of a batch whose invocation never answered visible again at once: its
/// visibility timeout has passed.
async fn visibility_lapses(queue: &str, batch: &[aws::Received]) {
    for m in batch {
        let sqs = aws::sqs();
        sqs.change_message_visibility()
            .queue_url(queue)
            .receipt_handle(&m.receipt_handle)
            .visibility_timeout(0)
            .send()
            .await
            .expect("visible");
    }
}

async fn seats_used(app: &TestApp, tenant: &TenantId) -> u32 {
    usher_domain::access::load_tenant(app.deps.table.as_ref(), tenant).await.expect("read").map(|t| t.value.seats_used).unwrap_or(0)
}

/// A 1000-row bulk call on the invite function, killed part-way; the caller retries (API
/// Gateway answered 502); the emails go out through the deliver function; the sweep runs after
/// its grace. Replay bound: no email twice (the invite function sends none; it queues them in
/// the rows' own writes); the rows stored before the kill are answered `already_invited` to the
/// retry; the wake-ups of the chunk in flight at the kill are lost and those emails wait for the
/// sweep (5 minutes).
async fn bulk_killed_with(signal: &str) {
    let _turn = MOTO_TURN.lock().await;
    let (app, env, queue) = stack().await;
    let t = app.tenant("Acme", OWNER, Some(2000)).await;
    let tenant = TenantId::parse(&t).expect("tenant");
    let prefix = format!("bulk-{}", aws::unique());
    let rows: Vec<Value> = (0..1000).map(|i| json!({"email": format!("{prefix}-{i}@example.com"), "role": "member"})).collect();
    let body = json!({ "invitations": rows });
    let path = format!("/v1/tenants/{t}/invitations");
    let owner = person_token(OWNER);

    let invite = Arc::new(Function::start("invite", &env).await);
    let call = {
        let (invite, event) = (invite.clone(), http_event("POST", &path, Some(&owner), Some(&body)));
        tokio::spawn(async move { invite.invoke(event).await })
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while seats_used(&app, &tenant).await < 2 {
        assert!(Instant::now() < deadline, "the bulk call never stored a row");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    invite.signal(signal).await;
    let cut = call.await.expect("joined");
    assert!(cut.is_err(), "the call was cut off: {cut:?}");
    let stored = seats_used(&app, &tenant).await - 1;
    assert!(stored < 1000, "the kill came part-way ({stored} rows stored)");

    // The caller retries on a fresh instance (again after a 503: moto is slow under load, and
    // a retry cut off at its deadline keeps what it stored, as the killed call did).
    let invite = Function::start("invite", &env).await;
    let report = loop {
        let (status, report, _) =
            http_answer(&invite.invoke(http_event("POST", &path, Some(&owner), Some(&body))).await.expect("answered"));
        match status {
            200 => break report,
            503 => tokio::time::sleep(Duration::from_secs(1)).await,
            _ => panic!("{status}: {report}"),
        }
    };
    let summary = &report["summary"];
    assert!(summary["invited"].as_u64().is_some_and(|n| n <= u64::from(1000 - stored)), "{summary}");
    assert_eq!(summary["invited"].as_u64().unwrap_or(0) + summary["errors"].as_u64().unwrap_or(0), 1000, "{summary}");
    assert!(
        report["results"].as_array().expect("results").iter().all(|r| r["outcome"] == "invited" || r["code"] == "already_invited"),
        "each row is invited now or was by an earlier try: {report}"
    );
    assert_eq!(seats_used(&app, &tenant).await, 1 + 1000, "every row stored once");

    let deliver = Function::start("deliver", &env).await;
    drain_with_deliver(&deliver, &queue).await;
    // The sweep, after its grace: the rows whose wake-ups died with the process.
    app.clock.set(usher_domain::ports::Clock::now(&usher_store::SystemClock));
    app.clock.advance_secs(usher_domain::model::QUEUED_GRACE_SECS + 1);
    usher_domain::usecases::expire::sweep(&app.deps).await.expect("sweep");
    drain_with_deliver(&deliver, &queue).await;

    let counts = sent_counts();
    let mine: Vec<usize> = (0..1000).map(|i| counts.get(&format!("{prefix}-{i}@example.com")).copied().unwrap_or(0)).collect();
    assert_eq!(mine.iter().filter(|&&n| n == 0).count(), 0, "no email lost");
    assert_eq!(mine.iter().filter(|&&n| n > 1).count(), 0, "no email sent twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn a_1000_row_bulk_on_the_invite_function_killed_part_way_loses_no_row_and_sends_no_email_twice() {
    bulk_killed_with("KILL").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn a_1000_row_bulk_on_the_invite_function_stopped_by_sigterm_loses_no_row_and_sends_no_email_twice() {
    bulk_killed_with("TERM").await;
}

/// The deliver function killed in the middle of a batch of ten emails (sent one at a time, at
/// two a second); SQS offers the batch again after its visibility timeout; the sweep runs once
/// the killed worker's claim has lapsed. Replay bound: the one send claimed at the kill may have
/// reached SES before its record: it is the only email that may go twice (with a new link that
/// replaces the first); every other goes exactly once.
async fn delivery_killed_with(signal: &str) {
    let _turn = MOTO_TURN.lock().await;
    let (app, mut env, queue) = stack().await;
    let t = app.tenant("Acme", OWNER, Some(50)).await;
    let prefix = format!("deliver-{}", aws::unique());
    let rows: Vec<Value> = (0..10).map(|i| json!({"email": format!("{prefix}-{i}@example.com"), "role": "member"})).collect();
    let r = app
        .call(http::Method::POST, &format!("/v1/tenants/{t}/invitations"), Some(&app.token(OWNER)), Some(json!({ "invitations": rows })))
        .await;
    assert_eq!(r.json["summary"]["invited"], 10, "{}", r.json);
    let count = |counts: &BTreeMap<String, usize>| {
        (0..10).map(|i| counts.get(&format!("{prefix}-{i}@example.com")).copied().unwrap_or(0)).collect::<Vec<_>>()
    };

    env.retain(|(k, _)| *k != "USHER_SEND_RATE_PER_SECOND");
    env.push(("USHER_SEND_RATE_PER_SECOND", "2".into()));
    let deliver = Arc::new(Function::start("deliver", &env).await);
    let batch = aws::receive(&queue).await;
    assert_eq!(batch.len(), 10, "one wake-up per email");
    let run = {
        let (deliver, event) = (deliver.clone(), aws::sqs_event(&batch));
        tokio::spawn(async move { deliver.invoke(event).await })
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while count(&sent_counts()).iter().sum::<usize>() < 3 {
        assert!(Instant::now() < deadline, "the worker sent nothing");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    deliver.signal(signal).await;
    assert!(run.await.expect("joined").is_err(), "the batch was cut off");
    let before = count(&sent_counts());
    assert!(before.iter().sum::<usize>() < 10, "the kill came part-way: {before:?}");

    // The batch is offered again; a fresh instance takes it.
    visibility_lapses(&queue, &batch).await;
    let deliver = Function::start("deliver", &env).await;
    drain_with_deliver(&deliver, &queue).await;
    // The killed worker's claim lapses; the sweep queues that send again.
    app.clock.set(usher_domain::ports::Clock::now(&usher_store::SystemClock));
    app.clock.advance_secs(usher_domain::model::DELIVERY_CLAIM_SECS + 1);
    usher_domain::usecases::expire::sweep(&app.deps).await.expect("sweep");
    drain_with_deliver(&deliver, &queue).await;

    let after = count(&sent_counts());
    assert!(after.iter().all(|&n| n >= 1), "no email lost: {after:?}");
    let twice: Vec<usize> = (0..10).filter(|&i| after[i] > 1).collect();
    assert!(twice.len() <= 1, "at most the one send in flight at the kill goes twice: {after:?}");
    assert!(twice.iter().all(|&i| before[i] == 1), "and only one that had gone before the kill: {before:?} {after:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn the_deliver_function_killed_mid_batch_loses_no_email_and_sends_at_most_the_one_in_flight_again() {
    delivery_killed_with("KILL").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn the_deliver_function_stopped_by_sigterm_mid_batch_loses_no_email_and_sends_at_most_the_one_in_flight_again() {
    delivery_killed_with("TERM").await;
}

/// The export worker (the deliver binary under ExportJobFunction's limits) killed once its job
/// has a checkpoint; the sweep queues the job again once its claim has lapsed (an attempt
/// counted); a fresh worker goes on from the checkpoint. Replay bound: the rows read since the
/// last stored part (at most one part's) are read again; the file is written once, each row
/// once, and the upload the checkpoint named is the one completed (no second upload is left).
async fn export_killed_with(signal: &str) {
    let _turn = MOTO_TURN.lock().await;
    let table = aws::new_table().await;
    let (bucket, exports) = (aws::new_bucket().await, aws::named_queue("export-queue").await);
    let app = TestApp::with_options(
        table.clone(),
        Options {
            worker: false,
            queue: Some(Arc::new(SqsQueue::new(aws::sqs(), &exports))),
            files: Some(Arc::new(S3Files::new(aws::s3(), &bucket))),
            export_direct_rows: Some(0),
            ..Options::default()
        },
    );
    app.clock.set(usher_domain::ports::Clock::now(&usher_store::SystemClock));
    let t = app.tenant("Acme", OWNER, None).await;
    let tenant = TenantId::parse(&t).expect("tenant");
    // Fat rows (a 9,000-character company): 2,500 of them make three S3 parts of 8 MiB.
    seed::members_into_dynamodb(table.name(), &tenant, 0, 2500, Some(&"c".repeat(9000))).await;
    let owner = app.token(OWNER);
    let started = app.call(http::Method::GET, &format!("/v1/tenants/{t}/members/export"), Some(&owner), None).await;
    assert_eq!(started.status, http::StatusCode::ACCEPTED, "{}", started.json);
    let id = started.json["id"].as_str().expect("id").to_owned();
    let wake = aws::receive(&exports).await;
    assert_eq!(wake.len(), 1);

    let mut env = function_env(table.name(), "Usher <no-reply@usher.test>");
    env.retain(|(k, _)| *k != "USHER_EXPORT_BUCKET");
    env.push(("USHER_EXPORT_BUCKET", bucket.clone()));
    let limits = Limits::of_resource("ExportJobFunction");
    let worker = Arc::new(Function::start_with("deliver", &env, limits).await);
    let run = {
        let (worker, event) = (worker.clone(), aws::sqs_event(&wake));
        tokio::spawn(async move { worker.invoke(event).await })
    };
    let key = usher_domain::schema::export_key(&tenant, &id);
    let load =
        || async { usher_domain::schema::load::<usher_domain::model::ExportJob>(table.as_ref(), &key).await.expect("read").expect("job") };
    let deadline = Instant::now() + Duration::from_secs(120);
    let checkpoint = loop {
        if let Some(cp) = load().await.value.checkpoint {
            break cp;
        }
        assert!(Instant::now() < deadline, "the worker stored no part");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    worker.signal(signal).await;
    assert!(run.await.expect("joined").is_err(), "the job was cut off");
    assert!(checkpoint.rows > 0 && checkpoint.rows < 2501, "{checkpoint:?}");
    assert_eq!(load().await.value.status(app.deps.now()), "running", "the dead worker's claim still holds");

    // Its claim lapses; the sweep queues it again; a fresh worker takes the wake-up.
    app.clock.set(usher_domain::ports::Clock::now(&usher_store::SystemClock));
    app.clock.advance_secs(usher_domain::usecases::export::EXPORT_CLAIM_SECS + 1);
    let swept = usher_domain::usecases::expire::sweep(&app.deps).await.expect("sweep");
    assert_eq!(swept.requeued, 1, "{swept:?}");
    let wake = aws::receive(&exports).await;
    assert_eq!(wake.len(), 1);
    let worker = Function::start_with("deliver", &env, limits).await;
    assert_eq!(worker.invoke(aws::sqs_event(&wake)).await, Ok(json!({"batchItemFailures": []})));

    let status = app.call(http::Method::GET, &format!("/v1/tenants/{t}/exports/{id}"), Some(&owner), None).await;
    assert_eq!((status.json["status"].as_str(), status.json["rows"].as_u64()), (Some("ready"), Some(2501)), "{}", status.json);
    let (code, csv) = aws::http_get(status.json["url"].as_str().expect("a link"));
    assert_eq!(code, 200);
    let text = String::from_utf8_lossy(&csv[3..]).into_owned();
    let mut ids: Vec<&str> =
        text.split("\r\n").skip(1).filter(|l| !l.is_empty()).map(|l| l.split(',').next().unwrap_or_default()).collect();
    assert_eq!(ids.len(), 2501, "no row lost, no row twice");
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 2501, "each row once");
    let open = aws::s3().list_multipart_uploads().bucket(&bucket).send().await.expect("list uploads");
    assert!(open.uploads().is_empty(), "the checkpoint's upload was completed, not a second one begun: {:?}", open.uploads());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn the_export_worker_killed_part_way_is_finished_from_its_checkpoint_with_every_row_once() {
    export_killed_with("KILL").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn the_export_worker_stopped_by_sigterm_part_way_is_finished_from_its_checkpoint_with_every_row_once() {
    export_killed_with("TERM").await;
}

/// The webhook function killed in the middle of a batch of ten events (its endpoint answers
/// each after 300 ms); SQS offers the batch again; a fresh instance delivers it. Replay bound:
/// the events of the batch in flight that reached the endpoint before the kill (at most the
/// batch, BatchSize 10) arrive again, with the same `webhook-id` and body, so a receiver that
/// dedupes by id (as Standard Webhooks asks) sees each once; none is lost.
async fn webhook_killed_with(signal: &str) {
    use usher_tests::webhooks::{Endpoint, start_endpoint};
    let _turn = MOTO_TURN.lock().await;
    let (queue, dead_letters) = (aws::named_queue("webhooks").await, aws::named_queue("webhook-dlq").await);
    let ids: Vec<String> = (0..10).map(|i| format!("evt_{}_{i}", aws::unique())).collect();
    for id in &ids {
        let envelope = json!({"version": "0", "id": id, "detail-type": "usher.invitation.created", "source": "usher/test",
            "detail": {"specversion": "1.0", "id": id, "type": "usher.invitation.created", "source": "usher/test",
                       "tenantid": "ten_x", "time": "2026-12-07T17:00:00Z", "data": {"n": id}}});
        aws::sqs().send_message().queue_url(&queue).message_body(envelope.to_string()).send().await.expect("queued");
    }
    let secret = usher_domain::events::WebhookSecret::from_random([5; 32]);
    let parameter = aws::webhook_secret_parameter(&secret).await;
    let ep = Endpoint { delay: Some(Duration::from_millis(300)), ..Endpoint::default() };
    let url = start_endpoint(ep.clone()).await;
    let mut env = function_env("usher-webhook-needs-no-table", "Usher <no-reply@usher.test>");
    env.extend([
        ("USHER_WEBHOOK_URL", url),
        ("USHER_WEBHOOK_SECRET_PARAMETER", parameter),
        ("USHER_WEBHOOK_QUEUE_URL", queue.clone()),
        ("USHER_WEBHOOK_DEAD_LETTER_QUEUE_URL", dead_letters.clone()),
    ]);

    let webhook = Arc::new(Function::start("webhook", &env).await);
    let batch = aws::receive(&queue).await;
    assert_eq!(batch.len(), 10);
    let run = {
        let (webhook, event) = (webhook.clone(), aws::sqs_event(&batch));
        tokio::spawn(async move { webhook.invoke(event).await })
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while ep.seen.lock().expect("seen").len() < 3 {
        assert!(Instant::now() < deadline, "the function delivered nothing");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    webhook.signal(signal).await;
    assert!(run.await.expect("joined").is_err(), "the batch was cut off");
    let before: Vec<(String, String)> = ep.seen.lock().expect("seen").iter().map(|s| (s.id.clone(), s.body.clone())).collect();
    assert!(before.len() < 10, "the kill came part-way: {}", before.len());

    visibility_lapses(&queue, &batch).await;
    let webhook = Function::start("webhook", &env).await;
    loop {
        let batch = aws::receive(&queue).await;
        if batch.is_empty() {
            break;
        }
        let answer = webhook.invoke(aws::sqs_event(&batch)).await.expect("answered");
        assert_eq!(answer["batchItemFailures"], json!([]), "{answer}");
        for m in &batch {
            aws::delete(&queue, m).await;
        }
    }

    let seen = ep.seen.lock().expect("seen").clone();
    for id in &ids {
        assert!(seen.iter().any(|s| &s.id == id && s.answered == 204), "event {id} lost");
    }
    let again: Vec<&usher_tests::webhooks::Seen> =
        seen.iter().skip(before.len()).filter(|s| before.iter().any(|(id, _)| id == &s.id)).collect();
    assert!(again.len() <= before.len(), "only what the killed batch had delivered comes again");
    for s in again {
        let first = before.iter().find(|(id, _)| id == &s.id).expect("seen before");
        assert_eq!(&s.body, &first.1, "a replay carries the same webhook-id and body: the receiver dedupes it");
    }
    assert_eq!(seen.len(), before.len() + 10, "the new instance delivered the whole batch once");
    assert!(aws::receive(&dead_letters).await.is_empty(), "nothing parked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn the_webhook_function_killed_mid_batch_loses_no_event_and_replays_only_the_batch_with_the_same_ids() {
    webhook_killed_with("KILL").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn the_webhook_function_stopped_by_sigterm_mid_batch_loses_no_event_and_replays_only_the_batch_with_the_same_ids() {
    webhook_killed_with("TERM").await;
}
