//! Reminders (issue 10, API.md "Reminders"): once, about 48 hours before a pending invitation
//! expires (when its lifetime is longer than 3 days), the sweep emails the invitee a reminder
//! with a fresh link; the old link stops working; the invitation shows `reminded_at`.

use http::{Method, StatusCode};
use serde_json::json;
use usher_domain::model::MailFeedback;
use usher_domain::usecases::feedback::{self, MailReport, Recorded};
use usher_domain::values::{InvitationId, TenantId};
use usher_tests::TestApp;

const OWNER: &str = "owner@acme.test";
const ADA: &str = "ada@example.com";

fn path(t: &str, rest: &str) -> String {
    format!("/v1/tenants/{t}{rest}")
}

async fn invite_for(app: &TestApp, t: &str, email: &str, days: u32, locale: &str) -> String {
    let body = json!({"email": email, "role": "member", "expires_in_days": days, "locale": locale});
    let r = app.call(Method::POST, &path(t, "/invitations"), Some(&app.token(OWNER)), Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    r.json["id"].as_str().expect("id").to_owned()
}

fn subject(message: &str) -> &str {
    message.lines().find_map(|l| l.strip_prefix("Subject: ")).unwrap_or_default()
}

#[tokio::test]
async fn the_sweep_reminds_the_invitee_once_48_hours_before_expiry_with_a_new_link() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let id = invite_for(&app, &t, ADA, 7, "en").await;
    let first_token = app.token_from_email(ADA);

    // Five days in: not yet (the reminder is due 48 h before day 7).
    app.clock.advance_days(5);
    app.clock.advance_secs(-60);
    assert_eq!(app.sweep().await.reminded, 0);
    assert_eq!(app.messages_to(ADA).len(), 1);

    app.clock.advance_secs(61);
    let summary = app.sweep().await;
    assert_eq!(summary.reminded, 1, "{summary:?}");
    let mails = app.messages_to(ADA);
    assert_eq!(mails.len(), 2);
    assert!(subject(&mails[1]).starts_with("Reminder:"), "{}", subject(&mails[1]));
    let new_token = app.token_from_email(ADA);
    assert_ne!(new_token, first_token);

    let inv = app.call(Method::GET, &path(&t, &format!("/invitations/{id}")), Some(&app.token(OWNER)), None).await;
    assert!(inv.json["reminded_at"].is_string(), "{}", inv.json);
    assert_eq!(inv.json["delivery"]["status"], "sent");
    assert_eq!(inv.json["resend_count"], 0, "a reminder is not a resend");

    // The old link is replaced; the new one works until the same expiry.
    let old = app.call(Method::POST, "/v1/invitations/lookup", None, Some(json!({"token": first_token}))).await;
    assert_eq!(old.json["status"], "expired", "{}", old.json);
    let new = app.call(Method::POST, "/v1/invitations/lookup", None, Some(json!({"token": new_token}))).await;
    assert_eq!((new.status, &new.json["status"]), (StatusCode::OK, &json!("pending")), "{}", new.json);

    // Only once.
    app.clock.advance_secs(3600);
    assert_eq!(app.sweep().await.reminded, 0);
    assert_eq!(app.messages_to(ADA).len(), 2);
    let audit = app.call(Method::GET, &path(&t, "/audit"), Some(&app.token(OWNER)), None).await;
    let actions: Vec<&str> = audit.json["data"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"invitation.reminded"), "{actions:?}");
    // And it can be accepted with the new link.
    let a = app.call(Method::POST, "/v1/invitations/accept", Some(&app.token(ADA)), Some(json!({"token": new_token}))).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
}

#[tokio::test]
async fn a_link_of_three_days_or_less_gets_no_reminder() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    invite_for(&app, &t, ADA, 3, "en").await;
    for _ in 0..6 {
        app.clock.advance_secs(12 * 3600 - 1);
        assert_eq!(app.sweep().await.reminded, 0);
    }
    assert_eq!(app.messages_to(ADA).len(), 1);
}

#[tokio::test]
async fn a_resend_gives_the_new_link_its_own_reminder_and_a_reminder_speaks_the_invitees_language() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let id = invite_for(&app, &t, ADA, 7, "fr").await;
    app.clock.advance_days(5);
    assert_eq!(app.sweep().await.reminded, 1);
    // (The French subject is RFC 2047-encoded: read the text.)
    assert!(app.messages_to(ADA).last().unwrap().contains("Petit rappel"), "{:?}", app.messages_to(ADA).last());
    // The admin resends: a fresh 7-day link, an invitation email (not a reminder), no reminded_at.
    let r = app.call(Method::POST, &path(&t, &format!("/invitations/{id}/resend")), Some(&app.token(OWNER)), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert!(r.json.get("reminded_at").is_none(), "{}", r.json);
    let resent = app.messages_to(ADA).last().unwrap().clone();
    assert!(!resent.contains("Petit rappel") && resent.contains("vous invite"), "{resent}");
    app.clock.advance_days(5);
    assert_eq!(app.sweep().await.reminded, 1, "the new link is reminded about too");
    assert_eq!(app.messages_to(ADA).len(), 4);
}

#[tokio::test]
async fn a_reminder_due_while_the_first_email_is_still_queued_is_sent_once_as_the_reminder() {
    // No worker: the invitation email stays queued; when the reminder comes due, it replaces
    // that queued send (one email, the reminder), not a second one.
    let app = TestApp::without_delivery_worker(std::sync::Arc::new(usher_store::SqliteTable::in_memory().expect("sqlite")), None);
    let t = app.tenant("Acme", OWNER, None).await;
    invite_for(&app, &t, ADA, 7, "en").await;
    app.clock.advance_days(5);
    let summary = app.sweep().await;
    assert_eq!(summary.reminded, 1, "{summary:?}");
    app.deliver_queued().await;
    let mails = app.messages_to(ADA);
    assert_eq!(mails.len(), 1, "the queued invitation email and the reminder are one send");
    assert!(subject(&mails[0]).starts_with("Reminder:"));
}

/// The send id the latest email to `to` carried (the outbox writes SES's tag header).
fn send_id_of_latest(app: &TestApp, to: &str) -> String {
    let mails = app.messages_to(to);
    let latest = mails.last().expect("an email");
    let tags = latest.lines().find_map(|l| l.strip_prefix("X-SES-MESSAGE-TAGS: ")).expect("the tags header");
    tags.split(", ").find_map(|t| t.strip_prefix("usher-send=")).expect("a send id").to_owned()
}

async fn report(app: &TestApp, t: &str, id: &str, feedback: MailFeedback, send: Option<String>) -> Recorded {
    let report = MailReport {
        message_id: format!("0100-{}", app.deps.new_uuid().simple()),
        tenant: TenantId::parse(t).expect("tenant"),
        invitation: InvitationId::parse(id).expect("invitation"),
        send,
        feedback,
        detail: "reported".into(),
    };
    feedback::record(&app.deps, &report).await.expect("recorded")
}

#[tokio::test]
async fn an_address_that_bounced_or_complained_gets_no_reminder_and_keeps_showing_why() {
    for kind in [MailFeedback::Bounced, MailFeedback::Complained] {
        let app = TestApp::new();
        let t = app.tenant("Acme", OWNER, None).await;
        let id = invite_for(&app, &t, ADA, 7, "en").await;
        let send = send_id_of_latest(&app, ADA);
        assert_eq!(report(&app, &t, &id, kind, Some(send)).await, Recorded::Marked);

        app.clock.advance_days(5);
        let summary = app.sweep().await;
        app.deliver_queued().await;

        assert_eq!(summary.reminded, 0, "{kind:?}: {summary:?}");
        assert_eq!(app.messages_to(ADA).len(), 1, "{kind:?}: nothing more was sent to the address");
        let inv = app.call(Method::GET, &path(&t, &format!("/invitations/{id}")), Some(&app.token(OWNER)), None).await;
        assert_eq!(inv.json["delivery"]["status"], kind.as_str(), "{}", inv.json);
        // Nor later, before it expires.
        app.clock.advance_days(1);
        assert_eq!(app.sweep().await.reminded, 0);
        app.deliver_queued().await;
        assert_eq!(app.messages_to(ADA).len(), 1);
    }
}

#[tokio::test]
async fn a_late_report_about_an_earlier_email_leaves_the_newer_send_alone() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let id = invite_for(&app, &t, ADA, 7, "en").await;
    let first = send_id_of_latest(&app, ADA);
    app.clock.advance_days(5);
    assert_eq!(app.sweep().await.reminded, 1);
    app.deliver_queued().await;
    let second = send_id_of_latest(&app, ADA);
    assert_ne!(first, second);

    assert_eq!(report(&app, &t, &id, MailFeedback::Bounced, Some(first)).await, Recorded::Noted);
    let inv = app.call(Method::GET, &path(&t, &format!("/invitations/{id}")), Some(&app.token(OWNER)), None).await;
    assert_eq!(inv.json["delivery"]["status"], "sent", "{}", inv.json);

    assert_eq!(report(&app, &t, &id, MailFeedback::Bounced, Some(second)).await, Recorded::Marked);
    let inv = app.call(Method::GET, &path(&t, &format!("/invitations/{id}")), Some(&app.token(OWNER)), None).await;
    assert_eq!(inv.json["delivery"]["status"], "bounced", "{}", inv.json);
}
