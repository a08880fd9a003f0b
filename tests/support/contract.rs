//! The storage contract: what every `Table` adapter must do, written once and run against each
//! store (the embedded SQLite table here; DynamoDB against a local server in its own suite).

use serde_json::json;
use std::sync::Arc;
use usher_domain::ports::{Committed, Cond, IndexName, Item, Key, Query, SortKeyRange, StoreError, Table, Write};
use usher_domain::values::Timestamp;

fn item(pk: &str, sk: &str, version: u64) -> Item {
    Item { key: Key::new(pk, sk), version, index_keys: Vec::new(), expires_at: None, data: json!({ "sk": sk, "v": version }) }
}

fn put(item: Item, cond: Cond) -> Write {
    Write::Put { item, cond }
}

/// Each check of the contract, by name, so a failure says which rule broke.
pub async fn run_all(make: impl AsyncFn() -> Arc<dyn Table>) {
    creating_an_item_that_exists_fails_its_condition(make().await).await;
    a_replace_needs_the_version_that_was_read(make().await).await;
    a_transaction_with_one_failed_condition_writes_nothing_and_names_the_write(make().await).await;
    a_delete_and_a_check_honour_their_conditions(make().await).await;
    queries_return_a_partition_in_order_and_page_through_it(make().await).await;
    index_queries_are_sparse_and_page_through_ties(make().await).await;
    the_real_service_limits_are_enforced(make().await).await;
    attributes_and_expiry_round_trip_unchanged(make().await).await;
    counts_add_in_place_without_a_version_and_bump_it(make().await).await;
    a_count_fails_when_the_item_is_missing_or_an_expectation_does_not_hold(make().await).await;
    many_items_are_read_at_once_in_the_keys_order(make().await).await;
}

pub async fn many_items_are_read_at_once_in_the_keys_order(t: Arc<dyn Table>) {
    // 250 items (more than one DynamoDB BatchGetItem takes), asked for backwards, with gaps
    // and a repeated key.
    for chunk in (0..250).collect::<Vec<u32>>().chunks(25) {
        let writes = chunk.iter().map(|i| put(item("M", &format!("k{i:03}"), 1), Cond::Absent)).collect();
        assert_eq!(t.transact(writes).await.unwrap(), Committed::Yes);
    }
    let mut keys: Vec<Key> = (0..300).rev().map(|i| Key::new("M", format!("k{i:03}"))).collect();
    keys.push(Key::new("M", "k007"));
    let got = t.get_many(&keys).await.unwrap();
    assert_eq!(got.len(), keys.len(), "one answer per key asked");
    for (key, item) in keys.iter().zip(&got) {
        let n: u32 = key.sk[1..].parse().unwrap();
        match item {
            Some(item) => assert_eq!((&item.key, n < 250, &item.data["sk"]), (key, true, &json!(key.sk))),
            None => assert!(n >= 250, "{key:?} exists but read as absent"),
        }
    }
    assert!(t.get_many(&[]).await.unwrap().is_empty());
}

fn path(p: &[&str]) -> Vec<String> {
    p.iter().map(|s| (*s).to_owned()).collect()
}

pub async fn counts_add_in_place_without_a_version_and_bump_it(t: Arc<dyn Table>) {
    let mut counters = item("P", "c", 1);
    counters.data = json!({ "name": "kept", "n": 2, "roles": { "admin": 1 } });
    t.transact(vec![put(counters, Cond::Absent)]).await.unwrap();
    let add = vec![(path(&["n"]), 3), (path(&["roles", "admin"]), -1), (path(&["roles", "viewer"]), 1), (path(&["fresh"]), 5)];
    let out = t.transact(vec![Write::Count { key: Key::new("P", "c"), add, expect: vec![] }]).await.unwrap();
    assert_eq!(out, Committed::Yes);
    let got = t.get(&Key::new("P", "c")).await.unwrap().unwrap();
    assert_eq!(got.version, 2, "a count bumps the version, so a whole-item replace read before it fails");
    assert_eq!(got.data, json!({ "name": "kept", "n": 5, "roles": { "admin": 0, "viewer": 1 }, "fresh": 5 }));
    // In a transaction with other writes, too.
    let out = t
        .transact(vec![
            put(item("P", "other", 1), Cond::Absent),
            Write::Count { key: Key::new("P", "c"), add: vec![(path(&["n"]), 1)], expect: vec![] },
        ])
        .await
        .unwrap();
    assert_eq!(out, Committed::Yes);
    assert_eq!(t.get(&Key::new("P", "c")).await.unwrap().unwrap().data["n"], json!(6));
}

pub async fn a_count_fails_when_the_item_is_missing_or_an_expectation_does_not_hold(t: Arc<dyn Table>) {
    use usher_domain::ports::Expect;
    let missing = Write::Count { key: Key::new("P", "nothing"), add: vec![(path(&["n"]), 1)], expect: vec![] };
    assert_eq!(t.transact(vec![missing]).await.unwrap(), Committed::ConditionFailed { at: 0 });
    assert_eq!(t.get(&Key::new("P", "nothing")).await.unwrap(), None, "a count never creates an item");

    let mut seats = item("P", "s", 1);
    seats.data = json!({ "used": 4, "limit": 5, "owners": 1, "roles": {} });
    t.transact(vec![put(seats, Cond::Absent)]).await.unwrap();
    let take = |max: i64| Write::Count {
        key: Key::new("P", "s"),
        add: vec![(path(&["used"]), 1)],
        expect: vec![Expect::Equals(path(&["limit"]), json!(5)), Expect::AtMost(path(&["used"]), max)],
    };
    assert_eq!(t.transact(vec![take(4)]).await.unwrap(), Committed::Yes, "the fifth seat is free");
    let out = t.transact(vec![put(item("Q", "x", 1), Cond::Absent), take(4)]).await.unwrap();
    assert_eq!(out, Committed::ConditionFailed { at: 1 }, "no sixth seat");
    assert_eq!(t.get(&Key::new("Q", "x")).await.unwrap(), None, "all or nothing");
    let other_limit = Write::Count {
        key: Key::new("P", "s"),
        add: vec![(path(&["used"]), -1)],
        expect: vec![Expect::Equals(path(&["limit"]), json!(7))],
    };
    assert_eq!(t.transact(vec![other_limit]).await.unwrap(), Committed::ConditionFailed { at: 0 });
    let no_limit = Write::Count { key: Key::new("P", "s"), add: vec![], expect: vec![Expect::Equals(path(&["absent"]), json!(null))] };
    assert_eq!(t.transact(vec![no_limit]).await.unwrap(), Committed::Yes, "an absent field equals null");
    let last_owner = |min: i64| Write::Count {
        key: Key::new("P", "s"),
        add: vec![(path(&["owners"]), -1)],
        expect: vec![Expect::AtLeast(path(&["owners"]), min)],
    };
    assert_eq!(t.transact(vec![last_owner(2)]).await.unwrap(), Committed::ConditionFailed { at: 0 }, "the last owner stays");
    assert_eq!(t.transact(vec![last_owner(1)]).await.unwrap(), Committed::Yes);
    let got = t.get(&Key::new("P", "s")).await.unwrap().unwrap();
    assert_eq!((got.data["used"].clone(), got.data["owners"].clone()), (json!(5), json!(0)));
}

pub async fn creating_an_item_that_exists_fails_its_condition(t: Arc<dyn Table>) {
    assert_eq!(t.get(&Key::new("P", "a")).await.unwrap(), None);
    assert_eq!(t.transact(vec![put(item("P", "a", 1), Cond::Absent)]).await.unwrap(), Committed::Yes);
    assert_eq!(t.transact(vec![put(item("P", "a", 1), Cond::Absent)]).await.unwrap(), Committed::ConditionFailed { at: 0 });
    assert_eq!(t.get(&Key::new("P", "a")).await.unwrap().unwrap().version, 1);
}

pub async fn a_replace_needs_the_version_that_was_read(t: Arc<dyn Table>) {
    t.transact(vec![put(item("P", "a", 1), Cond::Absent)]).await.unwrap();
    assert_eq!(t.transact(vec![put(item("P", "a", 3), Cond::Version(2))]).await.unwrap(), Committed::ConditionFailed { at: 0 });
    assert_eq!(t.transact(vec![put(item("P", "a", 2), Cond::Version(1))]).await.unwrap(), Committed::Yes);
    let got = t.get(&Key::new("P", "a")).await.unwrap().unwrap();
    assert_eq!((got.version, got.data["v"].as_u64()), (2, Some(2)));
    assert_eq!(t.transact(vec![put(item("P", "missing", 2), Cond::Version(1))]).await.unwrap(), Committed::ConditionFailed { at: 0 });
}

pub async fn a_transaction_with_one_failed_condition_writes_nothing_and_names_the_write(t: Arc<dyn Table>) {
    t.transact(vec![put(item("P", "exists", 1), Cond::Absent)]).await.unwrap();
    let out = t
        .transact(vec![
            put(item("P", "new1", 1), Cond::Absent),
            put(item("Q", "new2", 1), Cond::Absent),
            put(item("P", "exists", 1), Cond::Absent),
        ])
        .await
        .unwrap();
    assert_eq!(out, Committed::ConditionFailed { at: 2 });
    assert_eq!(t.get(&Key::new("P", "new1")).await.unwrap(), None, "all or nothing");
    assert_eq!(t.get(&Key::new("Q", "new2")).await.unwrap(), None);
}

pub async fn a_delete_and_a_check_honour_their_conditions(t: Arc<dyn Table>) {
    t.transact(vec![put(item("P", "a", 1), Cond::Absent), put(item("P", "b", 1), Cond::Absent)]).await.unwrap();
    let failed = t
        .transact(vec![
            Write::Delete { key: Key::new("P", "a"), cond: Cond::Version(1) },
            Write::Check { key: Key::new("P", "b"), cond: Cond::Version(9) },
        ])
        .await
        .unwrap();
    assert_eq!(failed, Committed::ConditionFailed { at: 1 });
    assert!(t.get(&Key::new("P", "a")).await.unwrap().is_some());
    let ok = t
        .transact(vec![
            Write::Delete { key: Key::new("P", "a"), cond: Cond::Version(1) },
            Write::Check { key: Key::new("P", "b"), cond: Cond::Version(1) },
        ])
        .await
        .unwrap();
    assert_eq!(ok, Committed::Yes);
    assert_eq!(t.get(&Key::new("P", "a")).await.unwrap(), None);
    let absent_check = t.transact(vec![Write::Check { key: Key::new("P", "zz"), cond: Cond::Absent }]).await.unwrap();
    assert_eq!(absent_check, Committed::Yes);
}

pub async fn queries_return_a_partition_in_order_and_page_through_it(t: Arc<dyn Table>) {
    let mut writes = Vec::new();
    for i in 0..25 {
        writes.push(put(item("T#1", &format!("I#{i:03}"), 1), Cond::Absent));
    }
    writes.push(put(item("T#1", "M#x", 1), Cond::Absent));
    writes.push(put(item("T#2", "I#999", 1), Cond::Absent));
    t.transact(writes).await.unwrap();
    let mut q =
        Query { index: None, pk: "T#1".into(), range: SortKeyRange::BeginsWith("I#".into()), ascending: false, limit: 10, after: None };
    let mut seen = Vec::new();
    loop {
        let page = t.query(&q).await.unwrap();
        assert!(page.items.len() <= 10);
        seen.extend(page.items.iter().map(|i| i.key.sk.clone()));
        match page.next {
            Some(n) => q.after = Some(n),
            None => break,
        }
    }
    let expected: Vec<String> = (0..25).rev().map(|i| format!("I#{i:03}")).collect();
    assert_eq!(seen, expected);
    let between = Query {
        index: None,
        pk: "T#1".into(),
        range: SortKeyRange::Between("I#005".into(), "I#007".into()),
        ascending: true,
        limit: 100,
        after: None,
    };
    let keys: Vec<String> = t.query(&between).await.unwrap().items.into_iter().map(|i| i.key.sk).collect();
    assert_eq!(keys, ["I#005", "I#006", "I#007"]);
}

pub async fn index_queries_are_sparse_and_page_through_ties(t: Arc<dyn Table>) {
    let mut writes = Vec::new();
    for i in 0..12 {
        let mut it = item(&format!("T#{}", i % 3), &format!("I#{i:02}"), 1);
        // Every third item is not in the index; the rest share two sort-key values (ties).
        if i % 3 != 0 {
            it.index_keys.push((IndexName::Due, "DUE#0".into(), format!("2026-01-0{}T00:00:00Z#x", 1 + i % 2)));
        }
        writes.push(put(it, Cond::Absent));
    }
    t.transact(writes).await.unwrap();
    let mut q = Query { index: Some(IndexName::Due), pk: "DUE#0".into(), range: SortKeyRange::All, ascending: true, limit: 3, after: None };
    let mut seen = Vec::new();
    loop {
        let page = t.query(&q).await.unwrap();
        seen.extend(page.items.iter().map(|i| i.key.sk.clone()));
        match page.next {
            Some(n) => q.after = Some(n),
            None => break,
        }
    }
    assert_eq!(seen.len(), 8, "{seen:?}");
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 8, "no item twice across pages");
    // Removing an item's index key takes it out of the index.
    let mut first = t.get(&Key::new("T#1", "I#04")).await.unwrap().unwrap();
    first.index_keys.clear();
    first.version = 2;
    t.transact(vec![put(first, Cond::Version(1))]).await.unwrap();
    let all = Query {
        index: Some(IndexName::Due),
        pk: "DUE#0".into(),
        range: SortKeyRange::Between(String::new(), "2026-01-01T00:00:00Z~".into()),
        ascending: true,
        limit: 100,
        after: None,
    };
    let due_first_day = t.query(&all).await.unwrap().items.len();
    assert_eq!(due_first_day, 3, "four items were due on day 1; one left the index");
}

pub async fn the_real_service_limits_are_enforced(t: Arc<dyn Table>) {
    let too_many: Vec<Write> = (0..101).map(|i| put(item("P", &format!("{i}"), 1), Cond::Absent)).collect();
    assert!(matches!(t.transact(too_many).await, Err(StoreError::Rejected(_))));
    let hundred: Vec<Write> = (0..100).map(|i| put(item("P", &format!("{i}"), 1), Cond::Absent)).collect();
    assert_eq!(t.transact(hundred).await.unwrap(), Committed::Yes);
    let twice = vec![put(item("Q", "a", 1), Cond::Absent), put(item("Q", "a", 1), Cond::Always)];
    assert!(matches!(t.transact(twice).await, Err(StoreError::Rejected(_))));
    let mut huge = item("Q", "big", 1);
    huge.data = json!({ "blob": "x".repeat(410 * 1024) });
    assert!(t.transact(vec![put(huge, Cond::Absent)]).await.is_err());
    assert_eq!(t.get(&Key::new("Q", "big")).await.unwrap(), None);
}

pub async fn attributes_and_expiry_round_trip_unchanged(t: Arc<dyn Table>) {
    let mut it = item("P", "rich", 1);
    it.data = json!({ "s": "é✓", "n": 42, "f": 1.5, "b": true, "null": null, "list": [1, "two", {"three": 3}], "map": {"k": ["v"]}, "empty": "" });
    it.expires_at = Timestamp::parse("2030-01-01T00:00:00Z").ok();
    it.index_keys.push((IndexName::ByUser, "U#1".into(), "T#1".into()));
    t.transact(vec![put(it.clone(), Cond::Absent)]).await.unwrap();
    let got = t.get(&Key::new("P", "rich")).await.unwrap().unwrap();
    assert_eq!(got.data, it.data);
    assert_eq!(got.expires_at, it.expires_at);
    assert_eq!(got.index_key(IndexName::ByUser), Some(("U#1", "T#1")));
}
