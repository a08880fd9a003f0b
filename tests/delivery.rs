//! The delivery queue: every email is queued in the write that needs it and sent by a worker
//! that claims it first. Here on the embedded store with the in-process worker (`usher serve`'s);
//! the SQS adapter and the `deliver` function run the same use case in aws.rs and functions.rs.

use http::{Method, StatusCode};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use usher_domain::ports::{DeliveryJob, MailError, Mailer, OutgoingEmail};
use usher_domain::usecases::delivery::{Processed, process};
use usher_domain::values::{InvitationId, TenantId};
use usher_store::{OutboxMailer, SqliteTable};
use usher_tests::TestApp;

const OWNER: &str = "owner@acme.test";

fn path(t: &str, rest: &str) -> String {
    format!("/v1/tenants/{t}{rest}")
}

fn job(t: &str, id: &str) -> DeliveryJob {
    DeliveryJob::Invitation {
        tenant_id: TenantId::parse(t).expect("tenant id"),
        invitation_id: InvitationId::parse(id).expect("invitation id"),
    }
}

fn sqlite() -> Arc<SqliteTable> {
    Arc::new(SqliteTable::in_memory().expect("sqlite"))
}

#[tokio::test]
async fn a_stopped_worker_loses_nothing_the_sweep_queues_every_waiting_email_again_after_the_grace() {
    let app = TestApp::without_delivery_worker(sqlite(), None);
    let t = app.tenant("Acme", OWNER, None).await;
    let rows: Vec<_> = (0..25).map(|i| json!({"email": format!("p{i}@example.com"), "role": "member"})).collect();
    let r = app.call(Method::POST, &path(&t, "/invitations"), Some(&app.token(OWNER)), Some(json!({ "invitations": rows }))).await;
    assert_eq!(r.json["summary"]["invited"], 25, "{}", r.json);
    // The process holding the wake-ups dies: they are gone with it.
    let _lost = TestApp::without_delivery_worker(sqlite(), None);
    let restarted = TestApp::without_delivery_worker(app.deps.table.clone(), None);
    restarted.clock.set(usher_domain::ports::Clock::now(app.clock.as_ref()));

    restarted.clock.advance_secs(60);
    assert_eq!(restarted.sweep().await.requeued, 0, "within the grace the first wake-ups may still come");
    restarted.clock.advance_secs(usher_domain::model::QUEUED_GRACE_SECS);
    assert_eq!(restarted.sweep().await.requeued, 25, "then every waiting email is queued again");
    restarted.deliver_queued().await;
    assert!((0..25).all(|i| restarted.messages_to(&format!("p{i}@example.com")).len() == 1), "each sent once");
    restarted.clock.advance_secs(3600);
    assert_eq!(restarted.sweep().await.requeued, 0, "and nothing is left waiting");
}

#[tokio::test]
async fn a_duplicate_wake_up_sends_nothing_more() {
    let app = TestApp::without_delivery_worker(sqlite(), None);
    let t = app.tenant("Acme", OWNER, None).await;
    let r = app.invite(&t, OWNER, "ada@example.com", "member").await;
    let job = job(&t, r.json["id"].as_str().expect("id"));
    assert_eq!(process(&app.deps, &job).await.expect("first"), Processed::Sent);
    assert_eq!(process(&app.deps, &job).await.expect("second"), Processed::Skipped);
    app.deliver_queued().await; // the request's own wake-up, arriving last
    assert_eq!(app.messages_to("ada@example.com").len(), 1);
    let token = app.token_from_email("ada@example.com");
    let accepted =
        app.call(Method::POST, "/v1/invitations/accept", Some(&app.token("ada@example.com")), Some(json!({ "token": token }))).await;
    assert_eq!(accepted.status, StatusCode::OK, "the link the worker minted works: {}", accepted.json);
}

/// A mail service that can hang (a worker killed mid-send never learns the outcome).
struct Hanging {
    hang: AtomicBool,
    inner: OutboxMailer,
}

#[async_trait::async_trait]
impl Mailer for Hanging {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError> {
        if self.hang.load(Ordering::SeqCst) {
            std::future::pending::<()>().await;
        }
        self.inner.send(email).await
    }
}

#[tokio::test]
async fn a_worker_that_dies_holding_a_claim_leaves_the_email_to_the_sweep_once_the_claim_lapses() {
    let outbox = tempfile::tempdir().expect("tempdir");
    let mailer = Arc::new(Hanging {
        hang: AtomicBool::new(true),
        inner: OutboxMailer::new(outbox.path(), "Usher <no-reply@usher.test>").expect("outbox"),
    });
    let app = TestApp::without_delivery_worker(sqlite(), Some(mailer.clone()));
    let t = app.tenant("Acme", OWNER, None).await;
    let r = app.invite(&t, OWNER, "ada@example.com", "member").await;
    let job = job(&t, r.json["id"].as_str().expect("id"));
    let died = tokio::time::timeout(std::time::Duration::from_millis(200), process(&app.deps, &job)).await;
    assert!(died.is_err(), "the worker was stopped mid-send");
    mailer.hang.store(false, Ordering::SeqCst);

    assert_eq!(process(&app.deps, &job).await.expect("a second worker"), Processed::Skipped, "the claim holds");
    app.clock.advance_secs(usher_domain::model::DELIVERY_CLAIM_SECS - 10);
    assert_eq!(app.sweep().await.requeued, 0, "not before the claim lapses");
    app.clock.advance_secs(20);
    assert_eq!(app.sweep().await.requeued, 1, "then queued again");
    app.deliver_queued().await;
    let sent = std::fs::read_dir(outbox.path()).expect("outbox").count();
    assert_eq!(sent, 1, "and sent");
    let got =
        app.call(Method::GET, &path(&t, &format!("/invitations/{}", r.json["id"].as_str().unwrap())), Some(&app.token(OWNER)), None).await;
    // The worker that died counts as an attempt: a send that always outlives its worker is
    // given up after the attempts, not retried until the link expires.
    assert_eq!(got.json["delivery"], json!({"status": "sent", "attempts": 2}), "{}", got.json);
}

/// Counts what it is asked to send and refuses while told to.
struct Flaky {
    failing: AtomicBool,
    attempts: AtomicUsize,
    inner: OutboxMailer,
}

#[async_trait::async_trait]
impl Mailer for Flaky {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError> {
        self.attempts.fetch_add(1, Ordering::SeqCst);
        if self.failing.load(Ordering::SeqCst) {
            return Err(MailError("throttled (injected)".into()));
        }
        self.inner.send(email).await
    }
}

#[tokio::test]
async fn a_renewal_request_queues_a_notice_to_the_inviter_that_a_failed_send_retries_and_a_sent_one_leaves() {
    let outbox = tempfile::tempdir().expect("tempdir");
    let mailer = Arc::new(Flaky {
        failing: AtomicBool::new(false),
        attempts: AtomicUsize::new(0),
        inner: OutboxMailer::new(outbox.path(), "Usher <no-reply@usher.test>").expect("outbox"),
    });
    let app = TestApp::with_ports(sqlite(), Some(mailer.clone()));
    let t = app.tenant("Acme", OWNER, None).await;
    app.invite(&t, OWNER, "ada@example.com", "member").await;
    let mails = || {
        std::fs::read_dir(outbox.path())
            .expect("outbox")
            .filter_map(Result::ok)
            .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
            .collect::<Vec<_>>()
    };
    let link = mails().into_iter().next().expect("the invitation");
    let at = link.find("#token=").expect("link") + "#token=".len();
    let token: String = link[at..].chars().take(43).collect();
    app.clock.advance_days(8);

    mailer.failing.store(true, Ordering::SeqCst);
    let r = app.call(Method::POST, "/v1/invitations/renewal-request", None, Some(json!({ "token": token }))).await;
    assert_eq!((r.status, r.json["inviter_notified"].clone()), (StatusCode::ACCEPTED, json!(true)), "{}", r.json);
    assert_eq!(mailer.attempts.load(Ordering::SeqCst), 2, "the invitation, then the notice's first try");
    assert_eq!(mails().len(), 1, "the notice failed");

    mailer.failing.store(false, Ordering::SeqCst);
    app.clock.advance_secs(30);
    assert_eq!(app.sweep().await.requeued, 0, "its retry is a minute later");
    app.clock.advance_secs(31);
    assert_eq!(app.sweep().await.requeued, 1, "{:?}", mails().len());
    let to_owner: Vec<String> = mails().into_iter().filter(|m| m.contains(&format!("To: {OWNER}"))).collect();
    assert_eq!(to_owner.len(), 1, "sent on the retry");
    assert!(to_owner[0].contains("ada@example.com") && to_owner[0].contains("asks for a new invitation"));
    app.clock.advance_days(1);
    assert_eq!(app.sweep().await.scanned, 0, "a sent notice leaves the sweep's index (deleted)");
}
