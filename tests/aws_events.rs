//! Events on the AWS parts, against the local AWS-compatible server (issue 11): a change → the
//! table's stream records → the real `publish` binary → the stage's bus → a queue bound to it
//! by a rule; that queue's messages → the real `webhook` binary (secret from Parameter Store,
//! a refused delivery delayed by its backoff and retried with the same id); an SES bounce →
//! the real `feedback` binary → the invitation's delivery.

use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use usher_domain::events::WebhookSecret;
use usher_tests::lambda::{Function, function_env};
use usher_tests::webhooks::{Endpoint, start_endpoint};
use usher_tests::{TestApp, aws};

const OWNER: &str = "owner@acme.test";
const ADA: &str = "ada@example.com";

/// moto answers one request at a time, and the function binaries keep production SDK budgets:
/// these tests take turns (as tests/functions.rs does).
static MOTO_TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn env_for(table: &str) -> Vec<(&'static str, String)> {
    let mut env = function_env(table, "Usher <no-reply@usher.test>");
    env.push(("USHER_STAGE", "test".into()));
    env
}

/// Every message on a queue, received once each (they stay invisible for 30 s).
async fn drain(queue: &str) -> Vec<aws::Received> {
    let mut all = Vec::new();
    loop {
        let got = aws::receive(queue).await;
        if got.is_empty() {
            return all;
        }
        all.extend(got);
    }
}

async fn audit_ids(app: &TestApp, t: &str) -> Vec<String> {
    let r = app.call(http::Method::GET, &format!("/v1/tenants/{t}/audit?limit=100"), Some(&app.token(OWNER)), None).await;
    let mut ids: Vec<String> = r.json["data"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_owned()).collect();
    ids.sort();
    ids
}

/// A tenant with one invitation on a fresh table with its stream; its stream records.
async fn changes() -> (Arc<usher_aws::DynamoTable>, TestApp, String, Vec<Value>) {
    let table = aws::new_table().await;
    let app = TestApp::with_table(table.clone());
    let t = app.tenant("Acme", OWNER, None).await;
    let r = app.invite(&t, OWNER, ADA, "member").await;
    assert_eq!(r.status, http::StatusCode::CREATED, "{}", r.json);
    let records = aws::stream_records(table.name()).await;
    (table, app, t, records)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn a_change_travels_from_the_tables_stream_through_the_publish_function_to_a_queue_bound_to_the_bus() {
    let _turn = MOTO_TURN.lock().await;
    let (table, app, t, records) = changes().await;
    assert!(records.len() > 4, "the stream has every item written: {}", records.len());
    let (bus, queue) = aws::bus_with_queue().await;
    let mut env = env_for(table.name());
    env.push(("USHER_EVENT_BUS", bus));
    let publish = Function::start("publish", &env).await;
    let answer = publish.invoke(json!({ "Records": records })).await.expect("publish answered");
    assert_eq!(answer["batchItemFailures"], json!([]), "{answer}");

    let messages = drain(&queue).await;
    let envelopes: Vec<Value> = messages.iter().map(|m| serde_json::from_str(&m.body).unwrap()).collect();
    let mut ids: Vec<String> = envelopes.iter().map(|e| e["detail"]["id"].as_str().unwrap().to_owned()).collect();
    ids.sort();
    assert_eq!(ids, audit_ids(&app, &t).await, "one event per audit event (tenant.created, invitation.created)");
    let created = envelopes.iter().find(|e| e["detail-type"] == "usher.invitation.created").expect("invitation.created");
    assert_eq!(created["source"], "usher/test");
    let detail = &created["detail"];
    assert_eq!(
        (&detail["specversion"], &detail["type"], &detail["tenantid"]),
        (&json!("1.0"), &json!("usher.invitation.created"), &json!(t))
    );
    assert_eq!((&detail["data"]["resource"]["email"], &detail["data"]["resource"]["status"]), (&json!(ADA), &json!("pending")));
    let sequence = detail["sequence"].as_str().unwrap();
    assert!(sequence.len() == 40 && sequence.bytes().all(|b| b.is_ascii_digit()), "{sequence}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn an_audit_item_that_cannot_be_published_stops_the_batch_there_so_the_rest_is_retried_in_order() {
    let _turn = MOTO_TURN.lock().await;
    let (table, _app, _t, records) = changes().await;
    let audits: Vec<usize> = records
        .iter()
        .enumerate()
        .filter(|(_, r)| r["dynamodb"]["Keys"]["pk"]["S"].as_str().is_some_and(|pk| pk.ends_with("#A")))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(audits.len(), 2);
    // A broken audit item between the two good ones.
    let mut broken = records[audits[0]].clone();
    broken["dynamodb"]["NewImage"]["d"] = json!({"M": {"what": {"S": "not an audit event"}}});
    broken["dynamodb"]["SequenceNumber"] = json!("7");
    let mut batch = records[..=audits[0]].to_vec();
    batch.push(broken);
    batch.extend(records[audits[0] + 1..].iter().cloned());
    let (bus, queue) = aws::bus_with_queue().await;
    let mut env = env_for(table.name());
    env.push(("USHER_EVENT_BUS", bus));
    let publish = Function::start("publish", &env).await;
    let answer = publish.invoke(json!({ "Records": batch })).await.expect("publish answered");
    assert_eq!(answer["batchItemFailures"], json!([{"itemIdentifier": "7"}]), "{answer}");
    let published = drain(&queue).await;
    assert_eq!(published.len(), 1, "only the event before the broken record");
    assert!(published[0].body.contains("usher.tenant.created"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn the_webhook_function_signs_with_the_parameter_stores_secret_and_delays_a_refused_event_by_its_backoff() {
    let _turn = MOTO_TURN.lock().await;
    let (table, _app, _t, records) = changes().await;
    let (bus, queue) = aws::bus_with_queue().await;
    let mut env = env_for(table.name());
    env.push(("USHER_EVENT_BUS", bus));
    let publish = Function::start("publish", &env).await;
    publish.invoke(json!({ "Records": records })).await.expect("publish answered");
    let messages = drain(&queue).await;
    assert_eq!(messages.len(), 2);
    let first_id = serde_json::from_str::<Value>(&messages[0].body).unwrap()["detail"]["id"].as_str().unwrap().to_owned();

    let secret = WebhookSecret::from_random([9; 32]);
    let parameter = aws::webhook_secret_parameter(&secret).await;
    let ep = Endpoint { fail_once: Arc::new(Mutex::new(vec![first_id.clone()])), ..Endpoint::default() };
    let url = start_endpoint(ep.clone()).await;
    env.push(("USHER_WEBHOOK_URL", url));
    env.push(("USHER_WEBHOOK_SECRET_PARAMETER", parameter));
    env.push(("USHER_WEBHOOK_QUEUE_URL", queue.clone()));
    let webhook = Function::start("webhook", &env).await;
    let answer = webhook.invoke(aws::sqs_event(&messages)).await.expect("webhook answered");
    assert_eq!(answer["batchItemFailures"], json!([{"itemIdentifier": messages[0].message_id}]), "{answer}");
    aws::delete(&queue, &messages[1]).await; // what the event source does with the delivered one
    let seen = ep.seen.lock().unwrap().clone();
    assert_eq!(seen.iter().map(|s| s.answered).collect::<Vec<_>>(), [500, 204]);
    let now = i64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()).unwrap();
    for s in &seen {
        let ts: i64 = s.timestamp.parse().unwrap();
        assert!(secret.verify(&s.id, ts, s.body.as_bytes(), &s.signature, now, 60), "signed with the parameter's secret");
    }

    // The refused event is hidden for its first backoff (5 s), not the queue's 30 s.
    assert!(aws::receive(&queue).await.is_empty(), "not before its backoff");
    tokio::time::sleep(Duration::from_secs(6)).await;
    let again = aws::receive(&queue).await;
    assert_eq!(again.len(), 1, "offered again after 5 s");
    assert_eq!(again[0].message_id, messages[0].message_id);
    let mut event = aws::sqs_event(&again);
    event["Records"][0]["attributes"]["ApproximateReceiveCount"] = json!("2");
    let answer = webhook.invoke(event).await.expect("webhook answered");
    assert_eq!(answer["batchItemFailures"], json!([]), "{answer}");
    let seen = ep.seen.lock().unwrap().clone();
    assert_eq!((seen.len(), seen[2].answered), (3, 204));
    assert_eq!((&seen[2].id, &seen[2].body), (&seen[0].id, &seen[0].body), "the same webhook-id and body on the retry");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn an_ses_bounce_marks_the_invitations_delivery_bounced_once_through_the_feedback_function() {
    let _turn = MOTO_TURN.lock().await;
    let (table, app, t, _records) = changes().await;
    let list = app.call(http::Method::GET, &format!("/v1/tenants/{t}/invitations"), Some(&app.token(OWNER)), None).await;
    let inv = list.json["data"][0].clone();
    assert_eq!(inv["delivery"]["status"], "sent");
    let id = inv["id"].as_str().unwrap();
    // What SES publishes for the email the delivery worker sent (its tags name the invitation).
    let bounce = json!({
        "eventType": "Bounce",
        "bounce": {"bounceType": "Permanent", "bounceSubType": "NoEmail", "bouncedRecipients": [{"emailAddress": ADA}]},
        "mail": {"messageId": format!("0100-{}", aws::unique()), "destination": [ADA],
                 "tags": {"usher-tenant": [t], "usher-invitation": [id], "ses:configuration-set": ["usher-test"]}}
    });
    let sns = json!({"Records": [{"EventSource": "aws:sns", "Sns": {"Type": "Notification", "Message": bounce.to_string()}}]});
    let feedback = Function::start("feedback", &env_for(table.name())).await;
    assert_eq!(feedback.invoke(sns.clone()).await.expect("answered")["recorded"], json!(["marked"]));
    assert_eq!(feedback.invoke(sns).await.expect("answered")["recorded"], json!(["duplicate"]), "SNS delivers at least once");

    let shown = app.call(http::Method::GET, &format!("/v1/tenants/{t}/invitations/{id}"), Some(&app.token(OWNER)), None).await;
    let shown = if shown.status == http::StatusCode::OK {
        shown.json
    } else {
        let list = app.call(http::Method::GET, &format!("/v1/tenants/{t}/invitations"), Some(&app.token(OWNER)), None).await;
        list.json["data"][0].clone()
    };
    assert_eq!(shown["delivery"]["status"], "bounced");
    assert_eq!(shown["delivery"]["last_error"], "permanent bounce (NoEmail)");
    let audit = app.call(http::Method::GET, &format!("/v1/tenants/{t}/audit"), Some(&app.token(OWNER)), None).await;
    let bounced: Vec<&Value> = audit.json["data"].as_array().unwrap().iter().filter(|e| e["action"] == "invitation.bounced").collect();
    assert_eq!(bounced.len(), 1, "recorded once");
    assert_eq!(bounced[0]["resource"]["delivery"]["status"], "bounced", "its event carries the invitation as it is now");
}
