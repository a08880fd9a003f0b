//! The local event publisher (what the stack's `publish` and `webhook` functions are on AWS):
//! reads the embedded store's change log, so a change made by any process on the data dir (the
//! CLI's sweep too) is published, turns each audit item into its CloudEvent, appends it to
//! `events.jsonl`, and, with a webhook URL, POSTs it signed per Standard Webhooks.
//!
//! At least once: each reader saves its position in the store only after handling what comes
//! before it, so a restart repeats at most the last few events (consumers dedupe by `id`).
//! Webhooks keep each tenant's order: a tenant's next event waits until the one before it is
//! delivered or parked, while other tenants' events go on. So the webhook reader also saves a
//! position per tenant (`webhook@<tenant>`): one tenant in a long backoff holds the reader's own
//! position back, and a restart reads again from there, but skips what each other tenant already
//! had. An event that fails every retry is parked in `webhook-failed.jsonl`. The change log keeps
//! a change until every reader has passed it (`SqliteTable::trim_changes`).

use crate::sqlite::{Change, SUB_POSITION_MARK, SqliteTable};
use crate::system::unix_now;
use std::collections::{BTreeMap, VecDeque};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use usher_domain::events::{CloudEvent, WebhookEndpoint, WebhookSecret, send_webhook, webhook_retry_after};
use usher_domain::ports::StoreError;

/// The reader that writes `events.jsonl`.
const FILE_READER: &str = "events.jsonl";
/// The reader that sends webhooks.
const WEBHOOK_READER: &str = "webhook";
/// Changes read at a time.
const BATCH: usize = 500;
/// How often an idle reader looks for new changes.
const POLL: Duration = Duration::from_millis(200);
/// Events held in memory by the webhook reader at most (it stops reading past this).
const MAX_QUEUED: usize = 5_000;
/// How often the change log is trimmed of changes past its retention.
const TRIM_EVERY: Duration = Duration::from_secs(600);

/// Where webhooks go.
#[derive(Clone)]
pub struct WebhookTarget {
    /// The host application's endpoint.
    pub endpoint: Arc<dyn WebhookEndpoint>,
    /// The signing secret.
    pub secret: WebhookSecret,
    /// The pause after the n-th failure (`None`: the production schedule, `webhook_retry_after`).
    pub retry_after: Option<Vec<Duration>>,
}

impl WebhookTarget {
    fn pause_after(&self, failures: u32) -> Option<Duration> {
        match &self.retry_after {
            Some(schedule) => usize::try_from(failures).ok().and_then(|n| n.checked_sub(1)).and_then(|n| schedule.get(n).copied()),
            None => webhook_retry_after(failures),
        }
    }
}

/// The publisher of one data dir.
#[derive(Clone)]
pub struct Publisher {
    table: SqliteTable,
    data_dir: PathBuf,
    stage: String,
}

/// The events of a batch of changes, with the position each came from.
fn events_of(changes: &[Change], stage: &str) -> Vec<(i64, CloudEvent)> {
    changes
        .iter()
        .filter_map(|c| {
            let data = c.data.as_ref()?;
            match CloudEvent::from_change(&c.key, data, &c.seq.to_string(), stage)? {
                Ok(event) => Some((c.seq, event)),
                Err(why) => {
                    // Never skipped silently: the audit list still has it; the log says why.
                    tracing::error!(seq = c.seq, %why, "an audit item could not be published");
                    None
                }
            }
        })
        .collect()
}

/// Appends lines to a file and makes them durable before the reader moves on.
fn append_lines(path: &Path, lines: &[String]) -> std::io::Result<()> {
    if lines.is_empty() {
        return Ok(());
    }
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    let mut text = lines.join("\n");
    text.push('\n');
    f.write_all(text.as_bytes())?;
    f.sync_data()
}

impl Publisher {
    /// The publisher of `data_dir`'s store, with `source` `usher/<stage>`.
    pub fn new(table: SqliteTable, data_dir: &Path, stage: &str) -> Self {
        Self { table, data_dir: data_dir.to_owned(), stage: stage.to_owned() }
    }

    /// `<data-dir>/events.jsonl`.
    pub fn events_file(&self) -> PathBuf {
        self.data_dir.join("events.jsonl")
    }

    /// `<data-dir>/webhook-failed.jsonl`: events that failed every webhook retry.
    pub fn parked_file(&self) -> PathBuf {
        self.data_dir.join("webhook-failed.jsonl")
    }

    /// Appends every new event to `events.jsonl`; returns how many. One pass, for tests and
    /// one-shot use; `run_file` loops over it.
    pub async fn publish_to_file_once(&self) -> Result<usize, String> {
        let mut total = 0;
        loop {
            let after = self.table.reader_position(FILE_READER).await.map_err(store)?;
            let changes = self.table.changes_after(after, BATCH).await.map_err(store)?;
            let Some(last) = changes.last().map(|c| c.seq) else { return Ok(total) };
            let lines: Vec<String> = events_of(&changes, &self.stage).iter().map(|(_, e)| e.to_json()).collect();
            append_lines(&self.events_file(), &lines).map_err(|e| format!("cannot append to {}: {e}", self.events_file().display()))?;
            self.table.save_reader_position(FILE_READER, last).await.map_err(store)?;
            total += lines.len();
        }
    }

    /// Keeps `events.jsonl` up to date, forever.
    pub async fn run_file(self) {
        let mut trimmed = Instant::now();
        loop {
            if let Err(e) = self.publish_to_file_once().await {
                tracing::error!(error = %e, "publishing events to the file failed; retrying");
            }
            if trimmed.elapsed() >= TRIM_EVERY {
                trimmed = Instant::now();
                if let Err(e) = self.table.trim_changes().await {
                    tracing::warn!(error = %e, "trimming the change log failed");
                }
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Sends every event to the webhook, forever (see the module's notes on order and retries).
    pub async fn run_webhooks(self, target: WebhookTarget) {
        let mut sender = WebhookSender::new(self, target);
        loop {
            let pause = match sender.step().await {
                Ok(pause) => pause,
                Err(e) => {
                    tracing::error!(error = %e, "the webhook reader failed; retrying");
                    POLL
                }
            };
            tokio::time::sleep(pause).await;
        }
    }
}

fn store(e: StoreError) -> String {
    e.to_string()
}

/// One tenant's events waiting for the webhook, oldest first.
#[derive(Default)]
struct TenantQueue {
    events: VecDeque<(i64, CloudEvent)>,
    failures: u32,
    not_before: Option<Instant>,
}

/// The webhook reader's state between steps.
pub struct WebhookSender {
    publisher: Publisher,
    target: WebhookTarget,
    /// The last change read into the queues.
    read: Option<i64>,
    queues: BTreeMap<String, TenantQueue>,
    saved: i64,
    /// Each tenant's last event delivered or parked (what a restart must not send again).
    tenant_done: BTreeMap<String, i64>,
}

/// The name a tenant's webhook position is saved under.
fn tenant_reader(tenant: &str) -> String {
    format!("{WEBHOOK_READER}{SUB_POSITION_MARK}{tenant}")
}

impl WebhookSender {
    /// A sender that starts where the last one left off.
    pub fn new(publisher: Publisher, target: WebhookTarget) -> Self {
        Self { publisher, target, read: None, queues: BTreeMap::new(), saved: 0, tenant_done: BTreeMap::new() }
    }

    fn queued(&self) -> usize {
        self.queues.values().map(|q| q.events.len()).sum()
    }

    /// Reads new changes, makes one attempt for each tenant whose next event is due, saves the
    /// position below which everything is delivered or parked, and says how long to wait.
    pub async fn step(&mut self) -> Result<Duration, String> {
        let table = &self.publisher.table;
        let read = match self.read {
            Some(r) => r,
            None => {
                let r = table.reader_position(WEBHOOK_READER).await.map_err(store)?;
                self.saved = r;
                let prefix = tenant_reader("");
                for (name, seq) in table.reader_positions(&prefix).await.map_err(store)? {
                    // Positions the reader's own has passed say nothing more.
                    if seq > r {
                        self.tenant_done.insert(name[prefix.len()..].to_owned(), seq);
                    }
                }
                r
            }
        };
        self.read = Some(read);
        if self.queued() < MAX_QUEUED {
            let changes = table.changes_after(read, BATCH).await.map_err(store)?;
            if let Some(last) = changes.last() {
                self.read = Some(last.seq);
            }
            for (seq, event) in events_of(&changes, &self.publisher.stage) {
                if self.tenant_done.get(&event.tenantid).is_some_and(|done| seq <= *done) {
                    continue; // Delivered (or parked) before a restart.
                }
                self.queues.entry(event.tenantid.clone()).or_default().events.push_back((seq, event));
            }
        }
        let now = Instant::now();
        let due: Vec<(String, CloudEvent)> = self
            .queues
            .iter()
            .filter(|(_, q)| q.not_before.is_none_or(|t| t <= now))
            .filter_map(|(tenant, q)| q.events.front().map(|(_, e)| (tenant.clone(), e.clone())))
            .collect();
        // One attempt per due tenant, all at once: a slow tenant's endpoint answer never holds
        // up another tenant's events (each tenant's own stay in order).
        let attempts = due.iter().map(|(_, event)| {
            let target = self.target.clone();
            async move { send_webhook(target.endpoint.as_ref(), &target.secret, &event.id, event.to_json().as_bytes(), unix_now()).await }
        });
        let results = futures::future::join_all(attempts).await;
        let mut parked = Vec::new();
        let mut finished: Vec<(String, i64)> = Vec::new();
        for ((tenant, event), result) in due.into_iter().zip(results) {
            let Some(q) = self.queues.get_mut(&tenant) else { continue };
            match result {
                Ok(()) => {
                    finished.extend(q.events.pop_front().map(|(seq, _)| (tenant.clone(), seq)));
                    q.failures = 0;
                    q.not_before = None;
                }
                Err(why) => {
                    q.failures += 1;
                    match self.target.pause_after(q.failures) {
                        Some(pause) => {
                            tracing::warn!(event = %event.id, attempts = q.failures, error = %why, retry_in_secs = pause.as_secs_f64(), "webhook failed");
                            q.not_before = Some(Instant::now() + pause);
                        }
                        None => {
                            tracing::error!(event = %event.id, attempts = q.failures, error = %why, "webhook failed every retry; parked");
                            parked.push(serde_json::json!({"event": event, "attempts": q.failures, "error": why.to_string()}).to_string());
                            finished.extend(q.events.pop_front().map(|(seq, _)| (tenant.clone(), seq)));
                            q.failures = 0;
                            q.not_before = None;
                        }
                    }
                }
            }
        }
        let parked_file = self.publisher.parked_file();
        append_lines(&parked_file, &parked).map_err(|e| format!("cannot append to {}: {e}", parked_file.display()))?;
        for (tenant, seq) in finished {
            table.save_reader_position(&tenant_reader(&tenant), seq).await.map_err(store)?;
            self.tenant_done.insert(tenant, seq);
        }
        self.queues.retain(|_, q| !q.events.is_empty());
        // Everything before the oldest waiting event is delivered or parked.
        let done = self.queues.values().filter_map(|q| q.events.front().map(|(seq, _)| seq - 1)).min().or(self.read).unwrap_or(0);
        if done > self.saved {
            table.save_reader_position(WEBHOOK_READER, done).await.map_err(store)?;
            self.saved = done;
        }
        let next_due = self.queues.values().filter_map(|q| q.not_before).min();
        let ready_now = self.queues.values().any(|q| q.not_before.is_none());
        Ok(if ready_now { Duration::ZERO } else { next_due.map_or(POLL, |t| t.saturating_duration_since(Instant::now()).min(POLL)) })
    }
}

/// The data dir's webhook secret: `<data-dir>/webhook-secret` (`whsec_` + base64 of 32 random
/// bytes), created once, readable by its owner only.
pub fn load_or_create_webhook_secret(data_dir: &Path) -> Result<WebhookSecret, String> {
    let path = data_dir.join("webhook-secret");
    if let Ok(text) = std::fs::read_to_string(&path) {
        return WebhookSecret::parse(&text)
            .ok_or_else(|| format!("{} is not a webhook secret; delete it to make a new one", path.display()));
    }
    let mut bytes = [0u8; 32];
    usher_domain::ports::Random::fill(&crate::OsRandom, &mut bytes);
    let secret = WebhookSecret::from_random(bytes);
    match crate::system::create_private(&path, &format!("{}\n", secret.expose())) {
        Ok(()) => Ok(secret),
        // Created meanwhile by another process on the same data dir: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            WebhookSecret::parse(&text).ok_or_else(|| format!("{} is not a webhook secret", path.display()))
        }
        Err(e) => Err(format!("cannot write {}: {e}", path.display())),
    }
}
