//! The delivery queue on AWS: wake-ups for the `deliver` function, sent to SQS in batches of 10
//! (the most SendMessageBatch takes), several batches at once so a 1000-row bulk call queues its
//! emails in about a tenth of a second.

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
}

impl SqsQueue {
    /// A queue by its URL.
    pub fn new(client: aws_sdk_sqs::Client, url: impl Into<String>) -> Self {
        Self { client, url: url.into() }
    }

    async fn send_batch(&self, jobs: &[DeliveryJob]) -> Result<(), QueueError> {
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
            .queue_url(&self.url)
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
        let mut batches = Vec::with_capacity(jobs.len().div_ceil(BATCH));
        for chunk in jobs.chunks(BATCH) {
            batches.push(self.send_batch(chunk));
        }
        let results: Vec<Result<(), QueueError>> = futures::stream::iter(batches).buffer_unordered(CONCURRENT_BATCHES).collect().await;
        let failed: Vec<QueueError> = results.into_iter().filter_map(Result::err).collect();
        match failed.first() {
            None => Ok(()),
            Some(first) => {
                Err(QueueError(format!("{} of {} batches not queued; first: {first}", failed.len(), jobs.len().div_ceil(BATCH))))
            }
        }
    }
}

/// Hides a webhook message from the queue for `delay` (at most SQS's 12 hours): the backoff
/// before its next attempt.
pub async fn delay_message(
    client: &aws_sdk_sqs::Client,
    queue_url: &str,
    receipt_handle: &str,
    delay: std::time::Duration,
) -> Result<(), String> {
    let secs = i32::try_from(delay.as_secs().min(43_200)).unwrap_or(43_200);
    client
        .change_message_visibility()
        .queue_url(queue_url)
        .receipt_handle(receipt_handle)
        .visibility_timeout(secs)
        .send()
        .await
        .map(drop)
        .map_err(|e| aws_sdk_sqs::error::DisplayErrorContext(&e).to_string())
}
