//! `usher serve` stopped and started again while one tenant's webhook is in a long backoff:
//! the other tenants' delivered events are not sent again, and the change log keeps what a
//! webhook has not delivered yet past the stream's 24 hours.

use http::StatusCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use usher_store::publish::{WebhookSender, load_or_create_webhook_secret};
use usher_store::{Publisher, SqliteTable, WebhookTarget};
use usher_tests::TestApp;
use usher_tests::webhooks::{Endpoint, start_endpoint};

const OWNER: &str = "owner@acme.test";

/// Two tenants with a few events each, on a SQLite file in `dir`.
async fn two_tenants(dir: &std::path::Path) -> (String, String, SqliteTable) {
    let table = SqliteTable::open(&dir.join("usher.db")).expect("sqlite");
    let app = TestApp::with_table(Arc::new(table.clone()));
    let a = app.tenant("Acme", OWNER, None).await;
    let b = app.tenant("Bolt", "owner@bolt.test", None).await;
    for (t, owner, who) in
        [(&a, OWNER, "one@example.com"), (&b, "owner@bolt.test", "x@example.com"), (&b, "owner@bolt.test", "y@example.com")]
    {
        assert_eq!(app.invite(t, owner, who, "member").await.status, StatusCode::CREATED);
    }
    (a, b, table)
}

async fn sender(dir: &std::path::Path, table: &SqliteTable, ep: &Endpoint, pause: Duration) -> WebhookSender {
    let target = WebhookTarget {
        endpoint: Arc::new(usher_http::HttpWebhookEndpoint::new(&start_endpoint(ep.clone()).await).expect("endpoint")),
        secret: load_or_create_webhook_secret(dir).expect("secret"),
        retry_after: Some(vec![pause; 7]),
    };
    WebhookSender::new(Publisher::new(table.clone(), dir, "local"), target)
}

async fn run_until(sender: &mut WebhookSender, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "the webhooks did not arrive in time");
        let pause = sender.step().await.expect("step");
        tokio::time::sleep(pause.min(Duration::from_millis(50))).await;
    }
}

fn delivered(ep: &Endpoint, tenant: &str) -> usize {
    ep.seen.lock().expect("seen").iter().filter(|s| s.tenant == tenant && s.answered == 204).count()
}

/// The ids of `tenant`'s events, in order (from `events.jsonl`).
async fn event_ids(dir: &std::path::Path, table: &SqliteTable, tenant: &str) -> Vec<String> {
    let publisher = Publisher::new(table.clone(), dir, "local");
    publisher.publish_to_file_once().await.expect("publish");
    let text = std::fs::read_to_string(publisher.events_file()).expect("events.jsonl");
    text.lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json"))
        .filter(|e| e["tenantid"] == tenant)
        .map(|e| e["id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test]
async fn a_restart_while_one_tenant_backs_off_sends_no_other_tenants_delivered_event_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b, table) = two_tenants(dir.path()).await;
    let a_ids = event_ids(dir.path(), &table, &a).await;
    let b_ids = event_ids(dir.path(), &table, &b).await;
    assert_eq!((a_ids.len(), b_ids.len()), (2, 3), "tenant.created and the invitations");
    // Tenant A's first event is refused, so A waits an hour; B's events go through.
    let first = Endpoint { fail_once: Arc::new(Mutex::new(vec![a_ids[0].clone()])), ..Endpoint::default() };
    let mut before = sender(dir.path(), &table, &first, Duration::from_secs(3600)).await;
    run_until(&mut before, || delivered(&first, &b) == b_ids.len()).await;
    assert_eq!(delivered(&first, &a), 0, "A is backing off");
    drop(before);

    // The restarted server: A's events go out now; B's are not sent again.
    let after = Endpoint::default();
    let mut restarted = sender(dir.path(), &table, &after, Duration::from_millis(100)).await;
    run_until(&mut restarted, || delivered(&after, &a) == a_ids.len()).await;
    for _ in 0..3 {
        restarted.step().await.expect("step");
    }

    assert_eq!(delivered(&after, &b), 0, "B's delivered events were sent again after the restart");
    let seen: Vec<String> = after.seen.lock().expect("seen").iter().map(|s| s.id.clone()).collect();
    assert_eq!(seen, a_ids, "only A's events, in order, once");
}

#[tokio::test]
async fn the_change_log_keeps_what_a_webhook_has_not_delivered_past_a_day_and_drops_it_after_a_week() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b, table) = two_tenants(dir.path()).await;
    let b_ids = event_ids(dir.path(), &table, &b).await;
    let a_ids = event_ids(dir.path(), &table, &a).await;
    let first = Endpoint { fail_once: Arc::new(Mutex::new(vec![a_ids[0].clone()])), ..Endpoint::default() };
    let mut held = sender(dir.path(), &table, &first, Duration::from_secs(3600)).await;
    run_until(&mut held, || delivered(&first, &b) == b_ids.len()).await;
    let now = i64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs()).expect("secs");

    // Two days on, A's events are still waiting for their webhook: kept.
    table.trim_changes_as_of(now + 2 * 86_400).await.expect("trim");
    let after = Endpoint::default();
    let mut restarted = sender(dir.path(), &table, &after, Duration::from_millis(100)).await;
    run_until(&mut restarted, || delivered(&after, &a) == a_ids.len()).await;

    // Once every reader has passed them, and a day has gone by, they go.
    let trimmed = table.trim_changes_as_of(now + 2 * 86_400).await.expect("trim");
    assert!(trimmed > 0, "the delivered changes were trimmed");
    assert!(table.changes_after(0, 10_000).await.expect("changes").is_empty(), "nothing left that every reader has passed");
}
