//! Ports: the narrow traits through which the domain touches the world.
//!
//! The storage port is deliberately item-shaped (DynamoDB's shape): keys, versioned items, a few
//! sparse secondary indexes, and all-or-nothing transactions whose writes are guarded by
//! conditions. The key schema and every business rule live in this crate (`schema`, `usecases`);
//! a store adapter only has to keep items and honour conditions atomically. That is what lets the
//! embedded SQLite store and DynamoDB hold the same items under the same keys and pass one
//! contract suite.

use crate::values::Timestamp;
use async_trait::async_trait;

/// An item's primary key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    /// Partition key.
    pub pk: String,
    /// Sort key.
    pub sk: String,
}

impl Key {
    /// Builds a key.
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Self { pk: pk.into(), sk: sk.into() }
    }
}

/// The secondary indexes. Each is sparse: an item appears in it only when it sets that index's
/// key pair. The names are the physical index names in DynamoDB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndexName {
    /// GSI1: memberships by user (`U#<user>` / `T#<tenant>`).
    ByUser,
    /// GSI2: pending invitations by email, across tenants (`PE#<email>` / `<created>#<tenant>#<id>`).
    PendingByEmail,
    /// GSI3: invitations the sweep must look at, by the time it must (`DUE#<shard>` / `<when>#...`).
    Due,
}

impl IndexName {
    /// Every index.
    pub const ALL: [IndexName; 3] = [IndexName::ByUser, IndexName::PendingByEmail, IndexName::Due];

    /// The physical name (the DynamoDB GSI's name, the SQLite column prefix).
    pub fn as_str(self) -> &'static str {
        match self {
            IndexName::ByUser => "gsi1",
            IndexName::PendingByEmail => "gsi2",
            IndexName::Due => "gsi3",
        }
    }
}

/// A stored item: key, version, index keys, an optional expiry, and a JSON object of attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Primary key.
    pub key: Key,
    /// Optimistic-concurrency version: 1 on creation, +1 on every replacement. Writers set it.
    pub version: u64,
    /// Index key pairs `(index, pk, sk)`; an index not listed does not hold this item.
    pub index_keys: Vec<(IndexName, String, String)>,
    /// When the item may be deleted by the store (DynamoDB TTL). Readers must still treat an
    /// item past this time as gone: TTL deletion is lazy.
    pub expires_at: Option<Timestamp>,
    /// The record's attributes (always a JSON object).
    pub data: serde_json::Value,
}

impl Item {
    /// The key pair of `index`, if the item is in it.
    pub fn index_key(&self, index: IndexName) -> Option<(&str, &str)> {
        self.index_keys.iter().find(|(i, _, _)| *i == index).map(|(_, pk, sk)| (pk.as_str(), sk.as_str()))
    }
}

/// What must hold for a write to happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cond {
    /// Nothing.
    Always,
    /// No item has this key.
    Absent,
    /// An item has this key and this version (it has not changed since it was read).
    Version(u64),
}

/// A path to a field of an item's attributes (`["role_counts", "admin"]`).
pub type FieldPath = Vec<String>;

/// What a `Count` write expects of the item's current attributes (DynamoDB condition
/// expressions cannot do arithmetic, so each expectation compares one field with a constant).
#[derive(Debug, Clone, PartialEq)]
pub enum Expect {
    /// The field equals this value (`Null`: the field is absent or null).
    Equals(FieldPath, serde_json::Value),
    /// The numeric field (absent counts as 0) is at most this.
    AtMost(FieldPath, i64),
    /// The numeric field (absent counts as 0) is at least this.
    AtLeast(FieldPath, i64),
}

/// One write of a transaction.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// Create or replace an item.
    Put { item: Item, cond: Cond },
    /// Delete an item (deleting a missing item with `Cond::Always` is not an error).
    Delete { key: Key, cond: Cond },
    /// Write nothing; only require the condition.
    Check { key: Key, cond: Cond },
    /// Adds to numeric fields of an existing item without reading it first (DynamoDB's `ADD`),
    /// and bumps its version, so a writer that replaces the whole item after reading it can
    /// never lose these counts. Counts from concurrent writers do not conflict with each other:
    /// a busy tenant's counters are no lock. Fails its condition if the item is missing or an
    /// expectation does not hold (checked against the values before the addition).
    Count { key: Key, add: Vec<(FieldPath, i64)>, expect: Vec<Expect> },
}

impl Write {
    /// The key this write touches.
    pub fn key(&self) -> &Key {
        match self {
            Write::Put { item, .. } => &item.key,
            Write::Delete { key, .. } | Write::Check { key, .. } | Write::Count { key, .. } => key,
        }
    }
}

/// Reads a numeric field of an item's attributes (absent or not a number: 0).
pub fn number_at(data: &serde_json::Value, path: &[String]) -> i64 {
    field_at(data, path).and_then(serde_json::Value::as_i64).unwrap_or(0)
}

/// The value at `path` in an item's attributes, if any.
pub fn field_at<'a>(data: &'a serde_json::Value, path: &[String]) -> Option<&'a serde_json::Value> {
    path.iter().try_fold(data, |v, segment| v.get(segment))
}

/// Whether an expectation holds for an item's current attributes (the embedded store's
/// evaluation; DynamoDB evaluates the same rule as a condition expression).
pub fn expectation_holds(data: &serde_json::Value, e: &Expect) -> bool {
    match e {
        Expect::Equals(path, serde_json::Value::Null) => field_at(data, path).is_none_or(serde_json::Value::is_null),
        Expect::Equals(path, value) => field_at(data, path) == Some(value),
        Expect::AtMost(path, max) => number_at(data, path) <= *max,
        Expect::AtLeast(path, min) => number_at(data, path) >= *min,
    }
}

/// Applies a `Count` write's additions to an item's attributes (creating missing fields and
/// maps, as DynamoDB's `ADD` does).
pub fn add_counts(data: &mut serde_json::Value, add: &[(FieldPath, i64)]) {
    'paths: for (path, delta) in add {
        let Some((last, parents)) = path.split_last() else { continue };
        let mut node = &mut *data;
        for segment in parents {
            let Some(obj) = node.as_object_mut() else { continue 'paths };
            node = obj.entry(segment.clone()).or_insert_with(|| serde_json::json!({}));
        }
        let Some(obj) = node.as_object_mut() else { continue };
        let current = obj.get(last).and_then(serde_json::Value::as_i64).unwrap_or(0);
        obj.insert(last.clone(), serde_json::Value::from(current + delta));
    }
}

/// The outcome of a transaction: it all happened, or nothing did because a condition failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Committed {
    /// Every write happened.
    Yes,
    /// Nothing happened: the write at this position found its condition false.
    ConditionFailed {
        /// Index into the transaction's writes.
        at: usize,
    },
}

/// Most writes one transaction may hold (DynamoDB's TransactWriteItems limit; enforced by every
/// adapter so that code that works locally works on AWS).
pub const MAX_TRANSACTION_WRITES: usize = 100;

/// DynamoDB's item size limit (400 KB), enforced by every adapter.
pub const MAX_ITEM_BYTES: usize = 400 * 1024;

/// Checks a transaction against the real service's limits (DynamoDB's): 1 to 100 writes, no two
/// on one key, no item over 400 KB. Adapters call this first, so a local run fails where AWS would.
pub fn validate_transaction(writes: &[Write]) -> Result<(), StoreError> {
    if writes.is_empty() || writes.len() > MAX_TRANSACTION_WRITES {
        return Err(StoreError::Rejected(format!("a transaction holds 1 to {MAX_TRANSACTION_WRITES} writes, not {}", writes.len())));
    }
    let mut seen = std::collections::HashSet::new();
    for w in writes {
        if !seen.insert(w.key()) {
            return Err(StoreError::Rejected(format!("two writes in one transaction touch {:?}", w.key())));
        }
        if let Write::Put { item, .. } = w {
            let size = item.key.pk.len() + item.key.sk.len() + item.data.to_string().len();
            if size > MAX_ITEM_BYTES {
                return Err(StoreError::Rejected(format!("item {:?} is larger than 400 KB", item.key)));
            }
        }
    }
    Ok(())
}

/// Which sort keys a query wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortKeyRange {
    /// Every item in the partition.
    All,
    /// Sort keys starting with this prefix.
    BeginsWith(String),
    /// Sort keys from `from` to `to`, both included.
    Between(String, String),
}

/// Where the previous page stopped: the last item's primary key, and its index key when the
/// query reads an index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageKey {
    /// Primary key of the last item returned.
    pub key: Key,
    /// Its index sort key, for an index query.
    pub index_sk: Option<String>,
}

/// A read of one partition of the table or of an index, in sort-key order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// `None` for the table itself.
    pub index: Option<IndexName>,
    /// The partition key (of the table or the index).
    pub pk: String,
    /// Which sort keys.
    pub range: SortKeyRange,
    /// Ascending (true) or descending sort-key order.
    pub ascending: bool,
    /// At most this many items (1..=1000).
    pub limit: usize,
    /// Start after this item.
    pub after: Option<PageKey>,
}

/// One page of a query.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The items, in order.
    pub items: Vec<Item>,
    /// Where to continue, if there may be more.
    pub next: Option<PageKey>,
}

/// A failure of the storage itself (not a failed condition, which is an outcome).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store is unreachable, throttled, or broke; the caller may retry later.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// A request the store refused (a bug in our code, e.g. too many writes in a transaction).
    #[error("storage request rejected: {0}")]
    Rejected(String),
    /// An item that cannot be decoded (a bug or a manual edit).
    #[error("corrupt item {key:?}: {reason}")]
    Corrupt {
        /// The key of the item.
        key: Key,
        /// What was wrong.
        reason: String,
    },
}

/// The table: versioned items, sparse indexes, guarded transactions.
#[async_trait]
pub trait Table: Send + Sync {
    /// A strongly consistent read of one item.
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError>;
    /// Strongly consistent reads of many items, answered in the keys' order (`None`: absent).
    /// A store that can read several items in one request does (DynamoDB's BatchGetItem, 100
    /// keys a request); this default reads them one by one. A wrapper in front of a store
    /// (`events::WithResources`) must forward it, or every batch becomes single reads.
    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Option<Item>>, StoreError> {
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            out.push(self.get(key).await?);
        }
        Ok(out)
    }
    /// One page of a partition. Index reads may lag behind writes (as DynamoDB GSIs do).
    async fn query(&self, query: &Query) -> Result<Page, StoreError>;
    /// Applies every write or none. At most `MAX_TRANSACTION_WRITES`, each on a different key.
    async fn transact(&self, writes: Vec<Write>) -> Result<Committed, StoreError>;
}

/// A rendered email ready to send.
#[derive(Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    /// The one recipient.
    pub to: crate::values::Email,
    /// Subject line (never contains CR or LF).
    pub subject: String,
    /// HTML body.
    pub html: String,
    /// Plain-text body.
    pub text: String,
    /// What the email is about, as name/value pairs the mail service keeps with it (SES message
    /// tags): a bounce or complaint reported later names them (`MAIL_TAG_TENANT`, ...). Values
    /// are ids: letters, digits, `_` and `-` only, as SES requires.
    pub tags: Vec<(&'static str, String)>,
}

/// The tag naming the tenant an email is about.
pub const MAIL_TAG_TENANT: &str = "usher-tenant";
/// The tag naming the invitation whose link an email carries.
pub const MAIL_TAG_INVITATION: &str = "usher-invitation";
/// The tag naming the send (`Delivery::send_id`): a report marks only the send it is about.
pub const MAIL_TAG_SEND: &str = "usher-send";

impl std::fmt::Debug for OutgoingEmail {
    // Bodies carry tokens: never print them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutgoingEmail").field("to", &self.to).field("subject", &self.subject).finish_non_exhaustive()
    }
}

/// Why an email was not sent.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct MailError(pub String);

/// Sends email.
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Sends one message, or says why not.
    async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError>;
}

/// The current time. Tests move it; nothing in the domain calls the system clock.
#[async_trait]
pub trait Clock: Send + Sync {
    /// Now.
    fn now(&self) -> Timestamp;
    /// Waits (the retry loop's pauses between optimistic attempts). Real time even for a
    /// manual clock: concurrent writers must actually spread out.
    async fn sleep(&self, duration: std::time::Duration);
}

/// Randomness for tokens and ids (a CSPRNG in production).
pub trait Random: Send + Sync {
    /// Fills `buf` with random bytes.
    fn fill(&self, buf: &mut [u8]);
}

/// One queued email, named by the item that holds it. The message carries no address and no
/// token: the worker reads the item, claims the delivery with a conditional write, and mints the
/// link itself, so a queue (or its dead-letter queue) never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DeliveryJob {
    /// The current link of an invitation (invite, bulk row, resend, retry).
    Invitation {
        /// Its tenant.
        tenant_id: crate::values::TenantId,
        /// The invitation.
        invitation_id: crate::values::InvitationId,
    },
    /// A queued notice (a message that carries no link, e.g. a renewal request to the inviter).
    Notice {
        /// Its tenant.
        tenant_id: crate::values::TenantId,
        /// The notice item's id.
        notice_id: String,
    },
    /// A large export to write to object storage (the file is delivered, not emailed).
    Export {
        /// Its tenant.
        tenant_id: crate::values::TenantId,
        /// The export job's id.
        export_id: String,
    },
}

/// Why jobs could not be queued (the writes that need them are already committed: the sweep
/// re-queues what stays pending, so this is logged, never answered to the caller).
#[derive(Debug, Clone, thiserror::Error)]
#[error("delivery queue unavailable: {0}")]
pub struct QueueError(pub String);

/// Wakes the delivery worker. The queued state itself lives on the items (delivery `pending`),
/// written in the same transaction as the change that needs the email; the queue only carries
/// wake-ups, at least once.
#[async_trait]
pub trait DeliveryQueue: Send + Sync {
    /// Queues every job, or says why not (some may have been queued: jobs are idempotent).
    async fn enqueue(&self, jobs: &[DeliveryJob]) -> Result<(), QueueError>;
}

/// Why object storage failed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("file storage unavailable: {0}")]
pub struct FileError(pub String);

/// Where large export files go (S3 in the stack, the data dir locally), written in parts so a
/// file of any size passes through bounded memory.
#[async_trait]
pub trait FileStore: Send + Sync {
    /// Starts writing the file `key`.
    async fn begin(&self, key: &str, content_type: &str) -> Result<Box<dyn FileUpload>, FileError>;
    /// A short-lived link that downloads `key` as `filename` (a presigned GET on S3; locally a
    /// one-time link served by `usher serve`).
    async fn link(&self, key: &str, filename: &str, ttl_secs: u64) -> Result<String, FileError>;
    /// Goes on writing the file `key` from where `stored` says it stood (another process began
    /// it and stopped): what was stored after that point is dropped. An error means the upload
    /// is gone (aborted, expired) or this store cannot resume: the caller starts over.
    async fn resume(&self, key: &str, content_type: &str, stored: &UploadState) -> Result<Box<dyn FileUpload>, FileError> {
        let _ = (key, content_type, stored);
        Err(FileError("this file store cannot resume an upload".into()))
    }
}

/// Where a file being written stands once every byte given so far is stored: enough for another
/// process to go on writing it (`FileStore::resume`). Saved on an export job as its checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UploadState {
    /// The store's id of the upload (S3's UploadId; empty for a local file).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub upload_id: String,
    /// Each stored part's tag (S3's ETag), in part order (empty for a local file).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<String>,
    /// Bytes stored.
    pub bytes: u64,
}

/// One file being written: its parts in order, then `finish` (or `abort`, leaving nothing).
#[async_trait]
pub trait FileUpload: Send {
    /// Appends bytes (the adapter groups them into parts of the size its store needs).
    async fn write(&mut self, bytes: Vec<u8>) -> Result<(), FileError>;
    /// Where the upload stands if every byte written so far is stored (durably: a process that
    /// dies now loses none of it); `None` while the adapter still holds some back (an S3 part
    /// under 5 MiB).
    async fn stored(&mut self) -> Result<Option<UploadState>, FileError>;
    /// Completes the file; answers its size in bytes.
    async fn finish(self: Box<Self>) -> Result<u64, FileError>;
    /// Drops what was written.
    async fn abort(self: Box<Self>);
}

/// The file store of a host that has none configured: every use is an error.
#[derive(Debug, Default)]
pub struct NoFileStore;

#[async_trait]
impl FileStore for NoFileStore {
    async fn begin(&self, _: &str, _: &str) -> Result<Box<dyn FileUpload>, FileError> {
        Err(FileError("no file store is configured for large exports".into()))
    }
    async fn link(&self, _: &str, _: &str, _: u64) -> Result<String, FileError> {
        Err(FileError("no file store is configured for large exports".into()))
    }
}

/// Why a DNS lookup concluded nothing (a timeout, a server failure): not "no record".
#[derive(Debug, Clone, thiserror::Error)]
#[error("DNS lookup failed: {0}")]
pub struct DnsError(pub String);

/// Reads DNS TXT records (domain verification). A name with no TXT record, or no such name,
/// answers an empty list: only a lookup that could not be made is an error.
#[async_trait]
pub trait TxtResolver: Send + Sync {
    /// The TXT strings at `name` (each record's strings joined, as RFC 7208 reads them).
    async fn txt(&self, name: &str) -> Result<Vec<String>, DnsError>;
}

/// The resolver of a host that has none configured: every lookup is an error.
#[derive(Debug, Default)]
pub struct NoResolver;

#[async_trait]
impl TxtResolver for NoResolver {
    async fn txt(&self, _: &str) -> Result<Vec<String>, DnsError> {
        Err(DnsError("no DNS resolver is configured".into()))
    }
}
