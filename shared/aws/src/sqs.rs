//! The delivery queue on AWS: wake-ups for the `deliver` function, sent to SQS in batches of 10
//! (the most SendMessageBatch takes), several batches at once so a 1000-row bulk call queues its
//! emails in about a tenth of a second. Export jobs go to a queue of their own when one is named
//! (the stack's ExportQueue, read by the export worker: more memory, `/tmp` and time than a batch
//! of emails needs, and an export never holds up the emails behind it).

use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use futures::StreamExt;
use usher_domain::ports::{DeliveryJob, DeliveryQueue, QueueError};

/// Most entries in one SendMessageBatch.
const BATCH: usize = 10;
/// Batches in flight at once.
const CONCURRENT_BATCHES: usize = 8;

/// The delivery queue, an SQS standard queue (at-least-once: the worker's claim makes a
/// duplicate harmless).
#[derive(Clone)]
pub struct SqsQueue {
    client: aws_sdk_sqs::Client,
    url: String,
    /// Where export jobs go (`None`: with the rest).
    export_url: Option<String>,
}

impl SqsQueue {
    /// A queue by its URL.
    pub fn new(client: aws_sdk_sqs::Client, url: impl Into<String>) -> Self {
        Self { client, url: url.into(), export_url: None }
    }

    /// Export jobs go to this queue instead.
    #[must_use]
    pub fn with_export_queue(mut self, url: impl Into<String>) -> Self {
        self.export_url = Some(url.into());
        self
    }

    /// The queue a job goes to.
    fn queue_of(&self, job: &DeliveryJob) -> &str {
        match (job, &self.export_url) {
            (DeliveryJob::Export { .. }, Some(url)) => url,
            _ => &self.url,
        }
    }

    async fn send_batch(&self, url: &str, jobs: &[DeliveryJob]) -> Result<(), QueueError> {
        let mut entries = Vec::with_capacity(jobs.len());
        for (i, job) in jobs.iter().enumerate() {
            let body = serde_json::to_string(job).map_err(|e| QueueError(e.to_string()))?;
            let entry = SendMessageBatchRequestEntry::builder()
                .id(i.to_string())
                .message_body(body)
                .build()
                .map_err(|e| QueueError(e.to_string()))?;
            entries.push(entry);
        }
        let out = self
            .client
            .send_message_batch()
            .queue_url(url)
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(|e| QueueError(aws_sdk_sqs::error::DisplayErrorContext(&e).to_string()))?;
        match out.failed().first() {
            None => Ok(()),
            Some(first) => Err(QueueError(format!(
                "{} of {} messages refused ({}: {})",
                out.failed().len(),
                jobs.len(),
                first.code(),
                first.message().unwrap_or_default()
            ))),
        }
    }
}

#[async_trait::async_trait]
impl DeliveryQueue for SqsQueue {
    async fn enqueue(&self, jobs: &[DeliveryJob]) -> Result<(), QueueError> {
        let (exports, rest): (Vec<DeliveryJob>, Vec<DeliveryJob>) =
            jobs.iter().cloned().partition(|job| self.queue_of(job) != self.url.as_str());
        let mut batches = Vec::with_capacity(jobs.len().div_ceil(BATCH) + 1);
        for (queued, url) in [(&rest, self.url.as_str()), (&exports, self.export_url.as_deref().unwrap_or_default())] {
            for chunk in queued.chunks(BATCH) {
                batches.push(self.send_batch(url, chunk));
            }
        }
        let total = batches.len();
        let results: Vec<Result<(), QueueError>> = futures::stream::iter(batches).buffer_unordered(CONCURRENT_BATCHES).collect().await;
        let failed: Vec<QueueError> = results.into_iter().filter_map(Result::err).collect();
        match failed.first() {
            None => Ok(()),
            Some(first) => Err(QueueError(format!("{} of {total} batches not queued; first: {first}", failed.len()))),
        }
    }
}

/// A message to put on a queue: its body, its Number attributes, and how long SQS keeps it out
/// of sight first (at most SQS's 15 minutes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing<'a> {
    /// The body, as received.
    pub body: &'a str,
    /// Number attributes (name, value).
    pub numbers: Vec<(&'static str, i64)>,
    /// Seconds before it can be received (clamped to 0..=900).
    pub delay_secs: i64,
}

/// The most `DelaySeconds` SQS takes.
pub const MAX_DELAY_SECS: i64 = 900;

/// Puts one message on a queue (SendMessage).
pub async fn send_message(client: &aws_sdk_sqs::Client, queue_url: &str, message: Outgoing<'_>) -> Result<(), String> {
    use aws_sdk_sqs::types::MessageAttributeValue;
    let delay = i32::try_from(message.delay_secs.clamp(0, MAX_DELAY_SECS)).unwrap_or(0);
    let mut request = client.send_message().queue_url(queue_url).message_body(message.body).delay_seconds(delay);
    for (name, value) in message.numbers {
        let attribute =
            MessageAttributeValue::builder().data_type("Number").string_value(value.to_string()).build().map_err(|e| e.to_string())?;
        request = request.message_attributes(name, attribute);
    }
    request.send().await.map(drop).map_err(|e| aws_sdk_sqs::error::DisplayErrorContext(&e).to_string())
}
