//! The three event functions:
//! - `publish`: the table's stream → the stage's EventBridge bus (audit items only, in order;
//!   on a failure the rest of the batch is retried from the first unpublished record; an audit
//!   record that can never decode is parked whole in its own queue);
//! - `webhook`: a queue the bus's rule fills → the host application's endpoint, signed per
//!   Standard Webhooks, with a backoff of 5 s to 10 h between attempts (the message goes back
//!   on the queue with its failures and its due time), and the dead-letter queue after the
//!   eighth failure;
//! - `feedback`: SES bounce and complaint events (via SNS) → the invitation's delivery.

use crate::config::ConfigError;
use serde_json::{Value, json};
#[cfg(feature = "events")]
use usher_aws::events::EventBus;
#[cfg(feature = "events")]
use usher_domain::events::CloudEvent;
use usher_domain::events::{WebhookEndpoint, WebhookSecret, send_webhook, webhook_retry_after};

/// What the event functions read from their environment, besides the shared `Config`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventsConfig {
    /// `dev`, `staging`, `prod` (`USHER_STAGE`): events' `source` is `usher/<stage>`.
    pub stage: String,
}

fn required(name: &'static str) -> Result<String, ConfigError> {
    std::env::var(name).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()).ok_or(ConfigError::Missing(name))
}

impl EventsConfig {
    /// Reads `USHER_STAGE`.
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self { stage: required("USHER_STAGE")? })
    }
}

/// Where `publish` parks an audit record it can never publish (its image does not decode: a
/// shape this build does not know), with the whole record, so it outlives the stream's 24 hours
/// and can be published again by a build that reads it.
#[derive(Debug, Clone)]
pub struct ParkedRecords {
    /// The SQS client.
    pub sqs: aws_sdk_sqs::Client,
    /// The queue's URL (`USHER_PUBLISH_PARKED_QUEUE_URL`).
    pub queue_url: String,
}

/// What `publish` makes of one stream record.
#[cfg(feature = "events")]
enum StreamChange {
    /// Not an audit item (checked by its key, before its image is read): none of publish's business.
    NotAnEvent,
    /// An audit item's event.
    Event(Box<CloudEvent>),
    /// An audit item whose image does not decode; why.
    Undecodable(String),
}

#[cfg(feature = "events")]
fn stream_change(record: &Value, stage: &str) -> StreamChange {
    let key_part = |name: &str| record.pointer(&format!("/dynamodb/Keys/{name}/S")).and_then(Value::as_str).unwrap_or_default().to_owned();
    let key = usher_domain::ports::Key::new(key_part("pk"), key_part("sk"));
    if !usher_domain::schema::is_audit_key(&key) {
        return StreamChange::NotAnEvent;
    }
    let Some(image) = record.pointer("/dynamodb/NewImage") else {
        return StreamChange::Undecodable(format!("audit item {}/{} does not decode: the record has no new image", key.pk, key.sk));
    };
    let sequence = record.pointer("/dynamodb/SequenceNumber").and_then(Value::as_str).unwrap_or_default();
    match usher_aws::dynamo::item_from_stream_image(image) {
        Ok(item) => match CloudEvent::from_change(&item.key, &item.data, sequence, stage) {
            Some(Ok(event)) => StreamChange::Event(Box::new(event)),
            Some(Err(why)) => StreamChange::Undecodable(why),
            None => StreamChange::NotAnEvent,
        },
        Err(e) => StreamChange::Undecodable(format!("audit item {}/{} does not decode: {e}", key.pk, key.sk)),
    }
}

/// Publishes one batch of stream records, in order, and answers the partial-batch response.
/// Records are judged by their key first: anything but an audit item is skipped unread. An audit
/// item that can never decode is parked (the whole record) and the batch goes on. A failure
/// that may pass (EventBridge or SQS unreachable, throttled) names the first record not done,
/// so Lambda retries from there, in order, until it succeeds (the mapping retries without limit;
/// the iterator-age alarm says when it is stuck).
#[cfg(feature = "events")]
pub async fn publish_batch(bus: &EventBus, parked: &ParkedRecords, stage: &str, event: Value) -> Result<Value, lambda_runtime::Error> {
    let records = event.get("Records").and_then(Value::as_array).cloned().unwrap_or_default();
    let (mut events, mut sequences): (Vec<CloudEvent>, Vec<String>) = (Vec::new(), Vec::new());
    let (mut published, mut parked_count) = (0usize, 0usize);
    let stop_at = 'batch: {
        for record in &records {
            let sequence = record.pointer("/dynamodb/SequenceNumber").and_then(Value::as_str).unwrap_or_default().to_owned();
            match stream_change(record, stage) {
                StreamChange::NotAnEvent => {}
                StreamChange::Event(e) => {
                    events.push(*e);
                    sequences.push(sequence);
                }
                StreamChange::Undecodable(reason) => {
                    // What came before it goes out first, so the order holds around it.
                    if let Err(at) = flush(bus, &mut events, &mut sequences, &mut published).await {
                        break 'batch Some(at);
                    }
                    let body = json!({ "sequence": sequence, "reason": reason, "record": record }).to_string();
                    let message = usher_aws::sqs::Outgoing { body: &body, numbers: Vec::new(), delay_secs: 0 };
                    if let Err(e) = usher_aws::sqs::send_message(&parked.sqs, &parked.queue_url, message).await {
                        tracing::warn!(sequence = %sequence, error = %e, "could not park an undecodable audit record; Lambda retries from it");
                        break 'batch Some(sequence);
                    }
                    tracing::error!(sequence = %sequence, %reason, "an audit record that does not decode was parked; the batch goes on");
                    parked_count += 1;
                }
            }
        }
        flush(bus, &mut events, &mut sequences, &mut published).await.err()
    };
    tracing::info!(records = records.len(), published, parked = parked_count, "stream batch handled");
    let failures: Vec<Value> = stop_at.into_iter().map(|s| json!({ "itemIdentifier": s })).collect();
    Ok(json!({ "batchItemFailures": failures }))
}

/// Publishes the events gathered so far; on a failure, the sequence number of the first one not
/// published.
#[cfg(feature = "events")]
async fn flush(bus: &EventBus, events: &mut Vec<CloudEvent>, sequences: &mut Vec<String>, published: &mut usize) -> Result<(), String> {
    if events.is_empty() {
        return Ok(());
    }
    match bus.publish(events).await {
        Ok(n) => {
            *published += n;
            events.clear();
            sequences.clear();
            Ok(())
        }
        Err(not) => {
            tracing::warn!(published = not.first, of = events.len(), reason = %not.reason, "events not all published; Lambda retries the rest");
            *published += not.first;
            Err(sequences.get(not.first).cloned().unwrap_or_default())
        }
    }
}

/// The message attribute that counts a webhook event's failed attempts (SQS's receive count also
/// counts receives that never reached an attempt: a failed cold start, a timeout).
pub const FAILURES_ATTRIBUTE: &str = "usher-failures";
/// The message attribute that says when (Unix seconds) a webhook event's next attempt is due.
pub const DUE_ATTRIBUTE: &str = "usher-due";

/// The queues the webhook function puts messages on: its own (a retry, or a wait longer than
/// SQS's 15-minute delay) and its dead-letter queue (the eighth failure).
#[derive(Debug, Clone)]
pub struct WebhookQueues {
    /// The SQS client.
    pub sqs: aws_sdk_sqs::Client,
    /// `USHER_WEBHOOK_QUEUE_URL`.
    pub queue_url: String,
    /// `USHER_WEBHOOK_DEAD_LETTER_QUEUE_URL`.
    pub dead_letter_url: String,
}

fn number_attribute(record: &Value, name: &str) -> Option<i64> {
    record.pointer(&format!("/messageAttributes/{name}/stringValue")).and_then(Value::as_str).and_then(|n| n.trim().parse().ok())
}

/// Sends one batch of queued events to the webhook. Each message carries its own schedule: the
/// failures so far and when the next attempt is due. A message not due yet goes back on the
/// queue, delayed (at most 15 minutes at a time); a failed attempt goes back with one more
/// failure and its backoff (5 s to 10 h); the eighth failure goes to the dead-letter queue. Only
/// a message that could not be put back is reported failed (SQS offers it again after the
/// queue's visibility timeout), so receives that never reached an attempt cost no attempt.
/// `secret` is asked for only when a message is due: without it the invocation fails and the
/// whole batch comes back (no attempt made, none counted).
pub async fn webhook_batch<F, Fut>(
    endpoint: &dyn WebhookEndpoint,
    secret: F,
    queues: &WebhookQueues,
    event: Value,
) -> Result<Value, lambda_runtime::Error>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<WebhookSecret, String>>,
{
    use usher_aws::sqs::{Outgoing, send_message};
    let records = event.get("Records").and_then(Value::as_array).cloned().unwrap_or_default();
    let mut failures = Vec::new();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    let now = i64::try_from(now).unwrap_or(i64::MAX);
    for record in &records {
        let message_id = record.get("messageId").and_then(Value::as_str).unwrap_or_default();
        let body = record.get("body").and_then(Value::as_str).unwrap_or_default();
        // The rule delivers EventBridge's envelope; the CloudEvent is its `detail`.
        let detail = serde_json::from_str::<Value>(body)
            .ok()
            .and_then(|envelope| envelope.get("detail").cloned())
            .filter(|d| d.get("id").and_then(Value::as_str).is_some());
        let Some(detail) = detail else {
            tracing::error!(message_id, "not an Usher event; left for the dead-letter queue");
            failures.push(json!({ "itemIdentifier": message_id }));
            continue;
        };
        let id = detail.get("id").and_then(Value::as_str).unwrap_or_default();
        let failed_before = u32::try_from(number_attribute(record, FAILURES_ATTRIBUTE).unwrap_or(0).max(0)).unwrap_or(u32::MAX);
        let due = number_attribute(record, DUE_ATTRIBUTE).unwrap_or(0);
        let put_back = if due > now {
            // Not due: back out of sight until it is (or for SQS's longest delay, then again).
            let numbers = vec![(FAILURES_ATTRIBUTE, i64::from(failed_before)), (DUE_ATTRIBUTE, due)];
            send_message(&queues.sqs, &queues.queue_url, Outgoing { body, numbers, delay_secs: due - now }).await
        } else {
            let secret = secret().await.map_err(|e| {
                tracing::error!(error = %e, "the webhook secret could not be read; the batch is offered again");
                lambda_runtime::Error::from(format!("the webhook secret could not be read: {e}"))
            })?;
            match send_webhook(endpoint, &secret, id, detail.to_string().as_bytes(), now).await {
                Ok(()) => {
                    tracing::info!(event = id, attempts = failed_before + 1, "webhook delivered");
                    Ok(())
                }
                Err(why) => {
                    let failed = failed_before.saturating_add(1);
                    match webhook_retry_after(failed) {
                        Some(pause) => {
                            let pause = i64::try_from(pause.as_secs()).unwrap_or(i64::MAX);
                            tracing::warn!(event = id, failures = failed, error = %why, retry_in_secs = pause, "webhook failed");
                            let numbers = vec![(FAILURES_ATTRIBUTE, i64::from(failed)), (DUE_ATTRIBUTE, now.saturating_add(pause))];
                            send_message(&queues.sqs, &queues.queue_url, Outgoing { body, numbers, delay_secs: pause }).await
                        }
                        None => {
                            tracing::error!(event = id, failures = failed, error = %why, "webhook failed its last attempt; parked");
                            let numbers = vec![(FAILURES_ATTRIBUTE, i64::from(failed))];
                            send_message(&queues.sqs, &queues.dead_letter_url, Outgoing { body, numbers, delay_secs: 0 }).await
                        }
                    }
                }
            }
        };
        if let Err(e) = put_back {
            tracing::warn!(event = id, error = %e, "could not queue the event's next step; SQS offers it again");
            failures.push(json!({ "itemIdentifier": message_id }));
        }
    }
    Ok(json!({ "batchItemFailures": failures }))
}

/// Records the bounces and complaints of one SNS delivery of SES events. A store failure fails
/// the invocation (Lambda retries it; then its dead-letter queue); a message that is not an SES
/// event is logged and dropped (retrying cannot fix it).
pub async fn feedback_batch(deps: &usher_domain::context::Deps, event: Value) -> Result<Value, lambda_runtime::Error> {
    use usher_domain::usecases::feedback;
    let records = event.get("Records").and_then(Value::as_array).cloned().unwrap_or_default();
    let mut outcomes = Vec::new();
    for record in &records {
        let message = record.pointer("/Sns/Message").and_then(Value::as_str).unwrap_or_default();
        let parsed = serde_json::from_str::<Value>(message).map_err(|e| e.to_string()).and_then(|m| usher_aws::ses::mail_report(&m));
        let report = match parsed {
            Ok(Some(report)) => report,
            Ok(None) => {
                outcomes.push("ignored");
                continue;
            }
            Err(why) => {
                tracing::error!(%why, "not an SES event; dropped");
                outcomes.push("undecodable");
                continue;
            }
        };
        let recorded = feedback::record(deps, &report).await.map_err(|e| {
            tracing::error!(error = %e, "could not record a mail report; Lambda retries");
            lambda_runtime::Error::from(e.to_string())
        })?;
        tracing::info!(invitation = %report.invitation, feedback = report.feedback.as_str(), outcome = ?recorded, "mail report");
        outcomes.push(match recorded {
            feedback::Recorded::Marked => "marked",
            feedback::Recorded::Noted => "noted",
            feedback::Recorded::Duplicate => "duplicate",
            feedback::Recorded::Unknown => "unknown",
        });
    }
    Ok(json!({ "recorded": outcomes }))
}

/// The `publish` function.
#[cfg(feature = "events")]
pub async fn run_publish() -> Result<(), lambda_runtime::Error> {
    crate::init_tracing();
    let config = EventsConfig::from_env()?;
    let bus_name = required("USHER_EVENT_BUS")?;
    let sdk = usher_aws::background_sdk_config().await;
    let bus = EventBus::new(aws_sdk_eventbridge::Client::new(&sdk), bus_name);
    let parked = ParkedRecords { sqs: aws_sdk_sqs::Client::new(&sdk), queue_url: required("USHER_PUBLISH_PARKED_QUEUE_URL")? };
    lambda_runtime::run(lambda_runtime::service_fn(move |event: lambda_runtime::LambdaEvent<Value>| {
        let (bus, parked, stage) = (bus.clone(), parked.clone(), config.stage.clone());
        async move { publish_batch(&bus, &parked, &stage, event.payload).await }
    }))
    .await
}

/// The `webhook` function. The secret is read from Parameter Store at the first attempt and kept
/// (not at cold start: a cold start that fails costs SQS receives, and Parameter Store being
/// down must cost no attempt). A failed read is not kept: the next invocation reads again.
#[cfg(feature = "events")]
pub async fn run_webhook() -> Result<(), lambda_runtime::Error> {
    crate::init_tracing();
    let url = required("USHER_WEBHOOK_URL")?;
    let parameter = required("USHER_WEBHOOK_SECRET_PARAMETER")?;
    let sdk = usher_aws::background_sdk_config().await;
    let queues = WebhookQueues {
        sqs: aws_sdk_sqs::Client::new(&sdk),
        queue_url: required("USHER_WEBHOOK_QUEUE_URL")?,
        dead_letter_url: required("USHER_WEBHOOK_DEAD_LETTER_QUEUE_URL")?,
    };
    let endpoint = std::sync::Arc::new(usher_http::HttpWebhookEndpoint::new(&url)?);
    let ssm = aws_sdk_ssm::Client::new(&sdk);
    let secret: std::sync::Arc<tokio::sync::OnceCell<WebhookSecret>> = std::sync::Arc::default();
    lambda_runtime::run(lambda_runtime::service_fn(move |event: lambda_runtime::LambdaEvent<Value>| {
        let (endpoint, queues, ssm, parameter, secret) = (endpoint.clone(), queues.clone(), ssm.clone(), parameter.clone(), secret.clone());
        async move {
            let read = || {
                let (ssm, parameter, secret) = (ssm.clone(), parameter.clone(), secret.clone());
                async move { secret.get_or_try_init(|| usher_aws::events::webhook_secret(&ssm, &parameter)).await.cloned() }
            };
            webhook_batch(endpoint.as_ref(), read, &queues, event.payload).await
        }
    }))
    .await
}

/// The `feedback` function.
pub async fn run_feedback() -> Result<(), lambda_runtime::Error> {
    crate::init_tracing();
    let config = crate::Config::from_env()?;
    let ports = crate::Ports::build_background(&config).await?;
    lambda_runtime::run(lambda_runtime::service_fn(move |event: lambda_runtime::LambdaEvent<Value>| {
        let deps = ports.deps.clone();
        async move { feedback_batch(&deps, event.payload).await }
    }))
    .await
}
