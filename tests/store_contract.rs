//! The storage contract against the embedded SQLite table (in memory and on disk).

use std::sync::Arc;
use usher_domain::ports::Table;
use usher_store::SqliteTable;

#[tokio::test]
async fn the_in_memory_sqlite_table_keeps_the_storage_contract() {
    usher_tests::contract::run_all(async || Arc::new(SqliteTable::in_memory().expect("sqlite")) as Arc<dyn Table>).await;
}

#[tokio::test]
async fn the_on_disk_sqlite_table_keeps_the_storage_contract() {
    let dir = tempfile::tempdir().expect("tempdir");
    let counter = std::sync::atomic::AtomicUsize::new(0);
    usher_tests::contract::run_all(async || {
        let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Arc::new(SqliteTable::open(&dir.path().join(format!("t{n}.db"))).expect("sqlite")) as Arc<dyn Table>
    })
    .await;
}

#[tokio::test]
async fn two_handles_on_one_database_file_see_each_others_writes_and_conditions() {
    use usher_domain::ports::{Committed, Cond, Item, Key, Write};
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shared.db");
    let a = SqliteTable::open(&path).expect("a");
    let b = SqliteTable::open(&path).expect("b");
    let item = Item { key: Key::new("P", "x"), version: 1, index_keys: vec![], expires_at: None, data: serde_json::json!({}) };
    assert_eq!(a.transact(vec![Write::Put { item: item.clone(), cond: Cond::Absent }]).await.unwrap(), Committed::Yes);
    assert_eq!(b.transact(vec![Write::Put { item, cond: Cond::Absent }]).await.unwrap(), Committed::ConditionFailed { at: 0 });
}
