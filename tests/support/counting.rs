//! A table that counts its calls (each is one DynamoDB request on AWS): the benchmarks' round
//! trips.

use async_trait::async_trait;
use std::sync::atomic::{AtomicU64, Ordering};
use usher_domain::ports::{Committed, Item, Key, Page, Query, StoreError, Table, Write};
use usher_store::SqliteTable;

/// Counts calls to the table it wraps.
pub struct Counting {
    inner: SqliteTable,
    gets: AtomicU64,
    queries: AtomicU64,
    transactions: AtomicU64,
    writes: AtomicU64,
}

#[async_trait]
impl Table for Counting {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.gets.fetch_add(1, Ordering::SeqCst);
        self.inner.get(key).await
    }
    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Option<Item>>, StoreError> {
        // One round trip per 100 keys, as DynamoDB's BatchGetItem takes them.
        self.gets.fetch_add(keys.len().div_ceil(100) as u64, Ordering::SeqCst);
        self.inner.get_many(keys).await
    }
    async fn query(&self, q: &Query) -> Result<Page, StoreError> {
        self.queries.fetch_add(1, Ordering::SeqCst);
        self.inner.query(q).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<Committed, StoreError> {
        self.transactions.fetch_add(1, Ordering::SeqCst);
        self.writes.fetch_add(writes.len() as u64, Ordering::SeqCst);
        self.inner.transact(writes).await
    }
}

impl Counting {
    /// Counts the calls to `inner`.
    pub fn new(inner: SqliteTable) -> Self {
        Self { inner, gets: AtomicU64::new(0), queries: AtomicU64::new(0), transactions: AtomicU64::new(0), writes: AtomicU64::new(0) }
    }

    /// The counts since the last take: reads (GetItem, or BatchGetItem per 100 keys), queries,
    /// transactions, items written.
    pub fn take(&self) -> [u64; 4] {
        [&self.gets, &self.queries, &self.transactions, &self.writes].map(|c| c.swap(0, Ordering::SeqCst))
    }
}
