//! Events on AWS (feature `events`): the stage's EventBridge bus (PutEvents, in requests within
//! its limits, with the entries EventBridge refused tried again) and the webhook secret from
//! Parameter Store. (The webhook queue's backoff is in `sqs`, the stream's images in `dynamo`,
//! SES's reports in `ses`.)

use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use std::time::Duration;
use usher_domain::events::{CloudEvent, WebhookSecret};

/// Most entries in one PutEvents request.
pub const MAX_ENTRIES: usize = 10;
/// Most bytes of entries in one PutEvents request (EventBridge allows 256 KB; the margin covers
/// its own accounting of the source and detail-type).
pub const MAX_REQUEST_BYTES: usize = 240 * 1024;
/// Tries of an entry EventBridge refused (throttling, internal errors) within one invocation.
const ENTRY_TRIES: u32 = 3;

/// The stage's event bus.
#[derive(Clone, Debug)]
pub struct EventBus {
    client: aws_sdk_eventbridge::Client,
    name: String,
}

/// Why publishing stopped: the first event not published (it and everything after it must be
/// tried again, in order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotPublished {
    /// Index into the events handed to `publish`.
    pub first: usize,
    /// Why.
    pub reason: String,
}

impl EventBus {
    /// The bus called `name`.
    pub fn new(client: aws_sdk_eventbridge::Client, name: impl Into<String>) -> Self {
        Self { client, name: name.into() }
    }

    fn entry(&self, event: &CloudEvent) -> PutEventsRequestEntry {
        PutEventsRequestEntry::builder()
            .event_bus_name(&self.name)
            .source(&event.source)
            .detail_type(&event.kind)
            .detail(event.to_json())
            .build()
    }

    /// Publishes `events` in order: requests of at most `MAX_ENTRIES` entries and
    /// `MAX_REQUEST_BYTES`, each refused entry tried again (up to 3 tries). Stops at the first
    /// request that cannot be completed, so the caller can have everything from there retried.
    pub async fn publish(&self, events: &[CloudEvent]) -> Result<usize, NotPublished> {
        let mut start = 0;
        while start < events.len() {
            let mut end = start;
            let mut bytes = 0;
            while end < events.len() && end - start < MAX_ENTRIES {
                let size = event_size(&events[end]);
                if end > start && bytes + size > MAX_REQUEST_BYTES {
                    break;
                }
                bytes += size;
                end += 1;
            }
            self.publish_request(&events[start..end]).await.map_err(|(offset, reason)| NotPublished { first: start + offset, reason })?;
            start = end;
        }
        Ok(events.len())
    }

    /// One request; the entries it refused are sent again. Err: (first unpublished index, why).
    async fn publish_request(&self, events: &[CloudEvent]) -> Result<(), (usize, String)> {
        let mut pending: Vec<usize> = (0..events.len()).collect();
        for attempt in 1..=ENTRY_TRIES {
            let entries = pending.iter().map(|i| self.entry(&events[*i])).collect();
            let out = match self.client.put_events().set_entries(Some(entries)).send().await {
                Ok(out) => out,
                Err(e) if attempt == ENTRY_TRIES => {
                    return Err((pending[0], aws_sdk_eventbridge::error::DisplayErrorContext(&e).to_string()));
                }
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt))).await;
                    continue;
                }
            };
            // Results come back in the order of the entries; a refused one has an error code.
            let refused: Vec<(usize, String)> = out
                .entries()
                .iter()
                .zip(&pending)
                .filter_map(|(r, i)| r.error_code().map(|code| (*i, format!("{code}: {}", r.error_message().unwrap_or_default()))))
                .collect();
            if refused.is_empty() && out.failed_entry_count() == 0 {
                return Ok(());
            }
            if attempt == ENTRY_TRIES {
                let (first, why) = refused.into_iter().next().unwrap_or((pending[0], "entries refused".into()));
                return Err((first, why));
            }
            pending = refused.into_iter().map(|(i, _)| i).collect();
            if pending.is_empty() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt))).await;
        }
        Ok(())
    }
}

/// An entry's size as EventBridge counts it (source, detail-type, detail).
fn event_size(e: &CloudEvent) -> usize {
    e.source.len() + e.kind.len() + e.to_json().len()
}

/// Reads a SecureString from Parameter Store (the webhook secret; never in the template).
pub async fn webhook_secret(client: &aws_sdk_ssm::Client, name: &str) -> Result<WebhookSecret, String> {
    let out = client
        .get_parameter()
        .name(name)
        .with_decryption(true)
        .send()
        .await
        .map_err(|e| format!("cannot read the webhook secret parameter '{name}': {}", aws_sdk_ssm::error::DisplayErrorContext(&e)))?;
    let value = out.parameter().and_then(|p| p.value()).unwrap_or_default();
    WebhookSecret::parse(value).ok_or_else(|| format!("the parameter '{name}' is not a webhook secret (whsec_ + base64 of 24 to 64 bytes)"))
}
