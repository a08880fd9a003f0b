//! The three event functions:
//! - `publish`: the table's stream → the stage's EventBridge bus (audit items only, in order;
//!   on a failure the rest of the batch is retried from the first unpublished record);
//! - `webhook`: a queue the bus's rule fills → the host application's endpoint, signed per
//!   Standard Webhooks, with a backoff of 5 s to 10 h between attempts (the message is hidden
//!   that long), and the dead-letter queue after the eighth failure;
//! - `feedback`: SES bounce and complaint events (via SNS) → the invitation's delivery.

use crate::config::ConfigError;
use serde_json::{Value, json};
#[cfg(feature = "events")]
use usher_aws::events::EventBus;
use usher_aws::sqs::delay_message;
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

/// One stream record, as far as publishing goes: its position and the item's new image.
#[cfg(feature = "events")]
fn stream_change(record: &Value, stage: &str) -> Option<Result<CloudEvent, String>> {
    let change = record.get("dynamodb")?;
    let image = change.get("NewImage")?;
    let sequence = change.get("SequenceNumber").and_then(Value::as_str).unwrap_or_default();
    match usher_aws::dynamo::item_from_stream_image(image) {
        Ok(item) => CloudEvent::from_change(&item.key, &item.data, sequence, stage),
        Err(e) => Some(Err(format!("undecodable stream image: {e}"))),
    }
}

/// Publishes one batch of stream records. Answers the partial-batch response: the first record
/// not published (EventBridge refused it, or it is an audit item that does not decode), so
/// Lambda retries from there and the order is kept; after the event source's retries the batch
/// goes to the dead-letter queue (with an alarm).
#[cfg(feature = "events")]
pub async fn publish_batch(bus: &EventBus, stage: &str, event: Value) -> Result<Value, lambda_runtime::Error> {
    let records = event.get("Records").and_then(Value::as_array).cloned().unwrap_or_default();
    let mut events = Vec::new();
    let mut sequences = Vec::new();
    let mut stop_at = None;
    for record in &records {
        let sequence = record.pointer("/dynamodb/SequenceNumber").and_then(Value::as_str).unwrap_or_default().to_owned();
        match stream_change(record, stage) {
            None => {}
            Some(Ok(e)) => {
                events.push(e);
                sequences.push(sequence);
            }
            Some(Err(why)) => {
                tracing::error!(sequence = %sequence, %why, "an audit item could not be published; retried, then dead-lettered");
                stop_at = Some(sequence);
                break;
            }
        }
    }
    let published = match bus.publish(&events).await {
        Ok(n) => n,
        Err(not) => {
            tracing::warn!(published = not.first, of = events.len(), reason = %not.reason, "events not all published; Lambda retries the rest");
            stop_at = sequences.get(not.first).cloned();
            not.first
        }
    };
    tracing::info!(records = records.len(), events = events.len(), published, "stream batch published");
    let failures: Vec<Value> = stop_at.into_iter().map(|s| json!({ "itemIdentifier": s })).collect();
    Ok(json!({ "batchItemFailures": failures }))
}

/// Sends one batch of queued events to the webhook. A failed message is hidden for its backoff
/// (by its receive count) and reported, so SQS offers it again then; the queue's redrive policy
/// parks it in the dead-letter queue after the last attempt.
pub async fn webhook_batch(
    endpoint: &dyn WebhookEndpoint,
    secret: &WebhookSecret,
    sqs: &aws_sdk_sqs::Client,
    queue_url: &str,
    event: Value,
) -> Result<Value, lambda_runtime::Error> {
    let records = event.get("Records").and_then(Value::as_array).cloned().unwrap_or_default();
    let mut failures = Vec::new();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    let now = i64::try_from(now).unwrap_or(i64::MAX);
    for record in &records {
        let message_id = record.get("messageId").and_then(Value::as_str).unwrap_or_default();
        // The rule delivers EventBridge's envelope; the CloudEvent is its `detail`.
        let detail = record
            .get("body")
            .and_then(Value::as_str)
            .and_then(|b| serde_json::from_str::<Value>(b).ok())
            .and_then(|envelope| envelope.get("detail").cloned())
            .filter(|d| d.get("id").and_then(Value::as_str).is_some());
        let Some(detail) = detail else {
            tracing::error!(message_id, "not an Usher event; left for the dead-letter queue");
            failures.push(json!({ "itemIdentifier": message_id }));
            continue;
        };
        let id = detail.get("id").and_then(Value::as_str).unwrap_or_default();
        let body = detail.to_string();
        match send_webhook(endpoint, secret, id, body.as_bytes(), now).await {
            Ok(()) => tracing::info!(event = id, "webhook delivered"),
            Err(why) => {
                let receives: u32 =
                    record.pointer("/attributes/ApproximateReceiveCount").and_then(Value::as_str).and_then(|n| n.parse().ok()).unwrap_or(1);
                match webhook_retry_after(receives) {
                    Some(pause) => {
                        tracing::warn!(event = id, attempts = receives, error = %why, retry_in_secs = pause.as_secs(), "webhook failed");
                        let receipt = record.get("receiptHandle").and_then(Value::as_str).unwrap_or_default();
                        if let Err(e) = delay_message(sqs, queue_url, receipt, pause).await {
                            tracing::warn!(event = id, error = %e, "could not delay the retry; the queue's visibility timeout applies");
                        }
                    }
                    None => {
                        tracing::error!(event = id, attempts = receives, error = %why, "webhook failed its last attempt; dead-lettered")
                    }
                }
                failures.push(json!({ "itemIdentifier": message_id }));
            }
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
    lambda_runtime::run(lambda_runtime::service_fn(move |event: lambda_runtime::LambdaEvent<Value>| {
        let (bus, stage) = (bus.clone(), config.stage.clone());
        async move { publish_batch(&bus, &stage, event.payload).await }
    }))
    .await
}

/// The `webhook` function: the secret is read from Parameter Store once, at cold start.
#[cfg(feature = "events")]
pub async fn run_webhook() -> Result<(), lambda_runtime::Error> {
    crate::init_tracing();
    let url = required("USHER_WEBHOOK_URL")?;
    let parameter = required("USHER_WEBHOOK_SECRET_PARAMETER")?;
    let queue_url = required("USHER_WEBHOOK_QUEUE_URL")?;
    let sdk = usher_aws::background_sdk_config().await;
    let secret = usher_aws::events::webhook_secret(&aws_sdk_ssm::Client::new(&sdk), &parameter).await?;
    let endpoint = std::sync::Arc::new(usher_http::HttpWebhookEndpoint::new(&url)?);
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    lambda_runtime::run(lambda_runtime::service_fn(move |event: lambda_runtime::LambdaEvent<Value>| {
        let (endpoint, secret, sqs, queue_url) = (endpoint.clone(), secret.clone(), sqs.clone(), queue_url.clone());
        async move { webhook_batch(endpoint.as_ref(), &secret, &sqs, &queue_url, event.payload).await }
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
