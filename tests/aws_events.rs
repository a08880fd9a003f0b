//! Events on the AWS parts, against the local AWS-compatible server (issue 11): a change → the
//! table's stream records → the real `publish` binary → the stage's bus → a queue bound to it
//! by a rule; that queue's messages → the real `webhook` binary (secret from Parameter Store,
//! read at first use; a refused delivery queued again with its attempt count and its backoff,
//! retried with the same id, parked after the eighth failure); an SES bounce → the real
//! `feedback` binary → the invitation's delivery. An audit record that can never decode is
//! parked with its full image; any other record is skipped by its key; an outage is retried.

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
    let (publish, queue, parked) = publish_function(table.name(), &[]).await;
    let answer = publish.invoke(json!({ "Records": records })).await.expect("publish answered");
    assert_eq!(answer["batchItemFailures"], json!([]), "{answer}");
    assert!(drain(&parked).await.is_empty(), "nothing parked");

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

/// Whether a stream record is an audit item's, by its key (what `publish` checks first).
fn is_audit(record: &Value) -> bool {
    record["dynamodb"]["Keys"]["pk"]["S"].as_str().is_some_and(|pk| pk.starts_with("T#") && pk.ends_with("#A"))
}

/// `records` with `extra` inserted right after the first audit record; `extra`'s sequence number.
fn after_first_audit(records: &[Value], mut extra: Value, sequence: &str) -> Vec<Value> {
    let first = records.iter().position(is_audit).expect("an audit record");
    extra["dynamodb"]["SequenceNumber"] = json!(sequence);
    let mut batch = records[..=first].to_vec();
    batch.push(extra);
    batch.extend(records[first + 1..].iter().cloned());
    batch
}

/// The publish function with its bus and its parked-records queue: (function, bus queue, parked queue).
async fn publish_function(table: &str, extra_env: &[(&'static str, String)]) -> (Function, String, String) {
    let (bus, queue) = aws::bus_with_queue().await;
    let parked = aws::named_queue("publish-parked").await;
    let mut env = env_for(table);
    env.push(("USHER_EVENT_BUS", bus));
    env.push(("USHER_PUBLISH_PARKED_QUEUE_URL", parked.clone()));
    env.extend(extra_env.iter().cloned());
    (Function::start("publish", &env).await, queue, parked)
}

fn published_types(messages: &[aws::Received]) -> Vec<String> {
    messages.iter().map(|m| serde_json::from_str::<Value>(&m.body).unwrap()["detail-type"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn an_audit_item_that_can_never_decode_is_parked_with_its_full_image_and_the_rest_of_the_batch_is_published() {
    let _turn = MOTO_TURN.lock().await;
    let (table, _app, _t, records) = changes().await;
    assert_eq!(records.iter().filter(|r| is_audit(r)).count(), 2);
    // An audit item of a shape this code does not know (a deploy wrote a new one) between the two good ones.
    let mut broken = records[records.iter().position(is_audit).unwrap()].clone();
    broken["dynamodb"]["NewImage"]["d"] = json!({"M": {"what": {"S": "not an audit event"}}});
    let batch = after_first_audit(&records, broken, "7");
    let broken = batch.iter().find(|r| r["dynamodb"]["SequenceNumber"] == "7").unwrap().clone();
    let (publish, queue, parked) = publish_function(table.name(), &[]).await;

    let answer = publish.invoke(json!({ "Records": batch })).await.expect("publish answered");

    assert_eq!(answer["batchItemFailures"], json!([]), "the shard goes on: {answer}");
    let mut types = published_types(&drain(&queue).await);
    types.sort();
    assert_eq!(types, ["usher.invitation.created", "usher.tenant.created"], "the events on both sides of it are published");
    let kept = drain(&parked).await;
    assert_eq!(kept.len(), 1, "the undecodable record is parked once");
    let kept: Value = serde_json::from_str(&kept[0].body).unwrap();
    assert_eq!(kept["record"], broken, "with its full image, not a pointer into the 24-hour stream");
    assert_eq!(kept["sequence"], "7");
    assert!(kept["reason"].as_str().unwrap().contains("does not decode"), "{kept}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn a_stray_item_that_does_not_decode_is_skipped_by_its_key_and_never_blocks_the_shard() {
    let _turn = MOTO_TURN.lock().await;
    let (table, _app, t, records) = changes().await;
    // Not an audit item, in an image this code cannot read at all (a set type, no version).
    let mut stray = records[0].clone();
    stray["dynamodb"]["Keys"] = json!({"pk": {"S": format!("T#{t}")}, "sk": {"S": "Z#a-new-kind"}});
    stray["dynamodb"]["NewImage"] = json!({"pk": {"S": format!("T#{t}")}, "sk": {"S": "Z#a-new-kind"}, "tags": {"SS": ["a", "b"]}});
    let batch = after_first_audit(&records, stray, "8");
    let (publish, queue, parked) = publish_function(table.name(), &[]).await;

    let answer = publish.invoke(json!({ "Records": batch })).await.expect("publish answered");

    assert_eq!(answer["batchItemFailures"], json!([]), "{answer}");
    assert_eq!(published_types(&drain(&queue).await).len(), 2, "both events published");
    assert!(drain(&parked).await.is_empty(), "an item that is no event is not parked either: it is none of publish's business");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn an_event_bus_outage_stops_the_batch_at_the_first_unpublished_record_and_parks_nothing() {
    let _turn = MOTO_TURN.lock().await;
    let (table, _app, _t, records) = changes().await;
    let first_audit = records.iter().find(|r| is_audit(r)).unwrap()["dynamodb"]["SequenceNumber"].clone();
    // EventBridge unreachable (a closed port): a transient failure, however long it lasts.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let (publish, queue, parked) = publish_function(table.name(), &[("AWS_ENDPOINT_URL_EVENTBRIDGE", format!("http://{closed}"))]).await;

    let answer = publish.invoke(json!({ "Records": records })).await.expect("publish answered");

    assert_eq!(answer["batchItemFailures"], json!([{"itemIdentifier": first_audit}]), "retried from there, in order: {answer}");
    assert!(drain(&queue).await.is_empty());
    assert!(drain(&parked).await.is_empty(), "an outage is retried (MaximumRetryAttempts -1), never parked");
}

/// Lambda's event filter, for the operators the template may use: a value list (equals, or
/// `{"prefix": …}`), nested objects. Anything else fails the test rather than guessing.
fn filter_matches(pattern: &Value, event: &Value) -> bool {
    match pattern {
        Value::Object(fields) => fields.iter().all(|(k, p)| event.get(k).is_some_and(|v| filter_matches(p, v))),
        Value::Array(rules) => rules.iter().any(|rule| match rule {
            Value::Object(op) => match op.iter().next() {
                Some((name, Value::String(prefix))) if name == "prefix" && op.len() == 1 => {
                    event.as_str().is_some_and(|s| s.starts_with(prefix.as_str()))
                }
                _ => panic!("the template's stream filter uses an operator this check does not model: {rule}"),
            },
            exact => exact == event,
        }),
        other => panic!("not a filter pattern: {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn the_stream_filter_in_the_template_passes_the_inserted_audit_items_and_nothing_else() {
    let _turn = MOTO_TURN.lock().await;
    let (_table, app, t, mut records) = changes().await;
    // Every other kind of item the schema knows, as a stream record (keys from the real schema).
    let tenant = usher_domain::values::TenantId::parse(&t).unwrap();
    let email = usher_domain::values::Email::parse(ADA).unwrap();
    let user = usher_domain::values::UserId::parse("usr_0190a1b2c3d47e8f9a0b1c2d3e4f5a6b").unwrap();
    let hash = usher_domain::token::InvitationToken::from_random([7; usher_domain::token::InvitationToken::BYTES]).hash();
    use usher_domain::schema;
    let others = [
        schema::guard_key(&tenant, &email),
        schema::notice_key(&tenant, "0190a1b2c3d47e8f9a0b1c2d3e4f5a6b"),
        schema::export_key(&tenant, "0190a1b2c3d47e8f9a0b1c2d3e4f5a6b"),
        schema::role_key(&tenant, &usher_domain::roles::RoleName::parse("auditor").unwrap()),
        schema::token_key(&hash),
        schema::email_change_token_key(&hash),
        schema::user_key(&user),
        schema::user_email_key(&email),
        schema::user_subject_key("idp|ada"),
        schema::idempotency_key("0190a1b2", "key-1"),
        schema::member_key(&tenant, &user),
    ];
    for key in others {
        let mut r = records[0].clone();
        r["dynamodb"]["Keys"] = json!({"pk": {"S": key.pk}, "sk": {"S": key.sk}});
        records.push(r);
    }
    let mut modified = records.iter().find(|r| is_audit(r)).unwrap().clone();
    modified["eventName"] = json!("MODIFY");
    records.push(modified);
    let audits = audit_ids(&app, &t).await;
    assert_eq!(audits.len(), 2);

    let template = usher_tests::repo_yaml("template.yaml");
    let stream = &template["Resources"]["PublishFunction"]["Properties"]["Events"]["Stream"]["Properties"];
    let patterns: Vec<Value> = stream["FilterCriteria"]["Filters"]
        .as_sequence()
        .expect("the stream has filters")
        .iter()
        .map(|f| serde_json::from_str(f["Pattern"].as_str().expect("a pattern")).expect("a JSON pattern"))
        .collect();
    let passed: Vec<&Value> = records.iter().filter(|r| patterns.iter().any(|p| filter_matches(p, r))).collect();

    let mut passed_ids: Vec<String> = passed.iter().map(|r| r["dynamodb"]["Keys"]["sk"]["S"].as_str().unwrap().to_owned()).collect();
    passed_ids.sort();
    assert_eq!(passed_ids, audits, "exactly the inserted audit items reach publish: {passed:#?}");
    assert!(passed.iter().all(|r| r["eventName"] == "INSERT"));
}

/// The two events of `changes()` on the webhook queue (as the bus's rule puts them there).
async fn queued_events() -> (String, Vec<aws::Received>) {
    let (table, _app, _t, records) = changes().await;
    let (publish, queue, _parked) = publish_function(table.name(), &[]).await;
    let answer = publish.invoke(json!({ "Records": records })).await.expect("publish answered");
    assert_eq!(answer["batchItemFailures"], json!([]), "{answer}");
    let messages = drain(&queue).await;
    assert_eq!(messages.len(), 2);
    // What the test received is offered again at once (the event source would have it now).
    for m in &messages {
        aws::sqs()
            .change_message_visibility()
            .queue_url(&queue)
            .receipt_handle(&m.receipt_handle)
            .visibility_timeout(0)
            .send()
            .await
            .unwrap();
    }
    (queue, messages)
}

/// The webhook function's environment: its endpoint, secret parameter, queue and dead-letter queue.
fn webhook_env(url: &str, parameter: &str, queue: &str, dead_letters: &str) -> Vec<(&'static str, String)> {
    let mut env = env_for("usher-webhook-needs-no-table");
    env.push(("USHER_WEBHOOK_URL", url.to_owned()));
    env.push(("USHER_WEBHOOK_SECRET_PARAMETER", parameter.to_owned()));
    env.push(("USHER_WEBHOOK_QUEUE_URL", queue.to_owned()));
    env.push(("USHER_WEBHOOK_DEAD_LETTER_QUEUE_URL", dead_letters.to_owned()));
    env
}

fn event_id(m: &aws::Received) -> String {
    serde_json::from_str::<Value>(&m.body).unwrap()["detail"]["id"].as_str().unwrap().to_owned()
}

/// Deletes what a batch answered as done (what the SQS event source does).
async fn settle(queue: &str, batch: &[aws::Received], answer: &Value) {
    let failed: Vec<&str> = answer["batchItemFailures"].as_array().unwrap().iter().map(|f| f["itemIdentifier"].as_str().unwrap()).collect();
    for m in batch.iter().filter(|m| !failed.contains(&m.message_id.as_str())) {
        aws::delete(queue, m).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn receives_that_never_reached_an_attempt_do_not_use_up_the_webhook_schedule() {
    let _turn = MOTO_TURN.lock().await;
    let (queue, messages) = queued_events().await;
    let refused_id = event_id(&messages[0]);
    // Five polls whose invocation never answered (a cold start that failed, a timeout): SQS
    // counts five more receives, the webhook made no attempt.
    for _ in 0..5 {
        assert_eq!(aws::receive_hidden_for(&queue, Some(0)).await.len(), 2);
    }
    let batch = drain(&queue).await;
    assert!(batch.iter().all(|m| m.receive_count == 7), "{batch:?}");

    let secret = WebhookSecret::from_random([9; 32]);
    let parameter = aws::webhook_secret_parameter(&secret).await;
    let ep = Endpoint { fail_once: Arc::new(Mutex::new(vec![refused_id.clone()])), ..Endpoint::default() };
    let url = start_endpoint(ep.clone()).await;
    let dead_letters = aws::named_queue("webhook-dlq").await;
    let webhook = Function::start("webhook", &webhook_env(&url, &parameter, &queue, &dead_letters)).await;
    let answer = webhook.invoke(aws::sqs_event(&batch)).await.expect("webhook answered");
    settle(&queue, &batch, &answer).await;

    let seen = ep.seen.lock().unwrap().clone();
    let mut answered: Vec<u16> = seen.iter().map(|s| s.answered).collect();
    answered.sort_unstable();
    assert_eq!(answered, [204, 500]);
    let now = i64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()).unwrap();
    for s in &seen {
        let ts: i64 = s.timestamp.parse().unwrap();
        assert!(secret.verify(&s.id, ts, s.body.as_bytes(), &s.signature, now, 60), "signed with the parameter's secret");
    }
    // Its first failed attempt: the first pause of the schedule (5 s), whatever SQS counted.
    assert!(aws::receive(&queue).await.is_empty(), "not before its backoff");
    tokio::time::sleep(Duration::from_secs(6)).await;
    let again = drain(&queue).await;
    assert_eq!(again.len(), 1, "offered again after 5 s, not after the 7th failure's 10 hours");
    assert_eq!(event_id(&again[0]), refused_id);
    assert_eq!(again[0].attributes.get("usher-failures").map(String::as_str), Some("1"), "{:?}", again[0].attributes);
    let answer = webhook.invoke(aws::sqs_event(&again)).await.expect("webhook answered");
    assert_eq!(answer["batchItemFailures"], json!([]), "{answer}");
    let seen = ep.seen.lock().unwrap().clone();
    assert_eq!((seen.len(), seen[2].answered), (3, 204));
    let first = seen.iter().find(|s| s.answered == 500).unwrap();
    assert_eq!((&seen[2].id, &seen[2].body), (&first.id, &first.body), "the same webhook-id and body on the retry");
    assert!(drain(&dead_letters).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn the_webhook_function_starts_without_its_secret_and_reads_it_at_first_use() {
    let _turn = MOTO_TURN.lock().await;
    let (queue, messages) = queued_events().await;
    let secret = WebhookSecret::from_random([4; 32]);
    // The parameter the function names is not readable yet (missing, or Parameter Store failing).
    let parameter = format!("/usher/test-{}/webhook-secret", aws::unique());
    let ep = Endpoint::default();
    let url = start_endpoint(ep.clone()).await;
    let dead_letters = aws::named_queue("webhook-dlq").await;
    let webhook = Function::start("webhook", &webhook_env(&url, &parameter, &queue, &dead_letters)).await;
    assert!(webhook.init_duration().await.is_some(), "the cold start does not depend on Parameter Store");

    let failed = tokio::time::timeout(Duration::from_secs(20), webhook.invoke(aws::sqs_event(&messages))).await;
    let failed = failed.expect("the instance is alive and answers (a failed cold start never would)");
    assert!(failed.is_err(), "no secret, no attempt: the invocation fails and SQS offers the batch again: {failed:?}");
    assert!(ep.seen.lock().unwrap().is_empty(), "nothing was sent unsigned");
    aws::ssm()
        .put_parameter()
        .name(&parameter)
        .value(secret.expose())
        .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
        .send()
        .await
        .unwrap();
    let answer = webhook.invoke(aws::sqs_event(&messages)).await.expect("the same instance, once the parameter is readable");
    assert_eq!(answer["batchItemFailures"], json!([]), "{answer}");
    assert_eq!(ep.seen.lock().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn an_event_waits_for_its_next_attempt_without_one_and_is_parked_after_its_eighth_failure() {
    let _turn = MOTO_TURN.lock().await;
    let (queue, messages) = queued_events().await;
    for m in &messages {
        aws::delete(&queue, m).await;
    }
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let attr = |v: String| aws_sdk_sqs::types::MessageAttributeValue::builder().data_type("Number").string_value(v).build().unwrap();
    // One event after 7 failed attempts, due now; one after 3, due in an hour.
    for (body, failures, due) in [(&messages[0].body, 7, now), (&messages[1].body, 3, now + 3_600)] {
        aws::sqs()
            .send_message()
            .queue_url(&queue)
            .message_body(body)
            .message_attributes("usher-failures", attr(failures.to_string()))
            .message_attributes("usher-due", attr(due.to_string()))
            .send()
            .await
            .unwrap();
    }
    let batch = drain(&queue).await;
    assert_eq!(batch.len(), 2);
    let secret = WebhookSecret::from_random([3; 32]);
    let parameter = aws::webhook_secret_parameter(&secret).await;
    let ep = Endpoint { always_fail: true, ..Endpoint::default() };
    let url = start_endpoint(ep.clone()).await;
    let dead_letters = aws::named_queue("webhook-dlq").await;
    let webhook = Function::start("webhook", &webhook_env(&url, &parameter, &queue, &dead_letters)).await;

    let answer = webhook.invoke(aws::sqs_event(&batch)).await.expect("webhook answered");
    settle(&queue, &batch, &answer).await;

    assert_eq!(answer["batchItemFailures"], json!([]), "{answer}");
    let seen = ep.seen.lock().unwrap().clone();
    assert_eq!(seen.iter().map(|s| s.id.clone()).collect::<Vec<_>>(), [event_id(&messages[0])], "only the due event is attempted");
    let parked = drain(&dead_letters).await;
    assert_eq!(parked.len(), 1, "the eighth failure parks the event");
    assert_eq!(parked[0].body, messages[0].body, "as the bus delivered it");
    assert_eq!(parked[0].attributes.get("usher-failures").map(String::as_str), Some("8"));
    assert!(
        aws::receive(&queue).await.is_empty(),
        "the waiting event is out of sight (SQS delays a message up to 15 minutes, then it waits again)"
    );
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
    // The send id the email carried (the API does not show it; the item holds it).
    let key = usher_domain::schema::invitation_key(
        &usher_domain::values::TenantId::parse(&t).unwrap(),
        &usher_domain::values::InvitationId::parse(id).unwrap(),
    );
    let stored = usher_domain::schema::load::<usher_domain::model::Invitation>(table.as_ref(), &key).await.unwrap().expect("stored");
    let send = stored.value.delivery().send_id.clone().expect("a send id");
    // What SES publishes for the email the delivery worker sent (its tags name the invitation
    // and the send).
    let bounce = json!({
        "eventType": "Bounce",
        "bounce": {"bounceType": "Permanent", "bounceSubType": "NoEmail", "bouncedRecipients": [{"emailAddress": ADA}]},
        "mail": {"messageId": format!("0100-{}", aws::unique()), "destination": [ADA],
                 "tags": {"usher-tenant": [t], "usher-invitation": [id], "usher-send": [send], "ses:configuration-set": ["usher-test"]}}
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
