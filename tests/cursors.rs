//! List cursors are bound to the listing that issued them (the tenant or the caller, which list,
//! which filters) and signed: anything else is `400` with an `invalid_cursor` field error before
//! the store is read. Paging always ends, even over a store that answers empty pages.

use http::{Method, StatusCode};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use usher_domain::ports::{Committed, Item, Key, Page, PageKey, Query, StoreError, Table, Write};
use usher_store::SqliteTable;
use usher_tests::{Reply, TestApp};

const OWNER: &str = "owner@acme.test";
const BOSS: &str = "boss@other.test";

fn path(t: &str, rest: &str) -> String {
    format!("/v1/tenants/{t}{rest}")
}

fn assert_invalid_cursor(r: &Reply, what: &str) {
    assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "invalid_request"), "{what}: {}", r.json);
    assert_eq!(r.json["errors"][0]["field"], "cursor", "{what}: {}", r.json);
    assert_eq!(r.json["errors"][0]["code"], "invalid_cursor", "{what}: {}", r.json);
}

/// Two tenants with three invitations each; returns (app, acme, other).
async fn two_tenants() -> (TestApp, String, String) {
    let app = TestApp::new();
    let acme = app.tenant("Acme", OWNER, None).await;
    let other = app.tenant("Other", BOSS, None).await;
    for i in 0..3 {
        app.invite(&acme, OWNER, &format!("ada{i}@example.com"), "member").await;
        app.invite(&other, BOSS, &format!("secret{i}@other.test"), "member").await;
    }
    (app, acme, other)
}

async fn next_cursor(app: &TestApp, bearer: &str, url: &str) -> String {
    let r = app.call(Method::GET, url, Some(bearer), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    r.json["next_cursor"].as_str().unwrap_or_else(|| panic!("a next page for {url}: {}", r.json)).to_owned()
}

#[tokio::test]
async fn a_cursor_from_another_tenant_is_400_invalid_cursor() {
    let (app, acme, other) = two_tenants().await;
    let cursor = next_cursor(&app, &app.token(BOSS), &path(&other, "/invitations?limit=1")).await;
    let r = app.call(Method::GET, &path(&acme, &format!("/invitations?cursor={cursor}")), Some(&app.token(OWNER)), None).await;
    assert_invalid_cursor(&r, "another tenant's cursor");
    assert!(!r.bytes.windows(6).any(|w| w == b"secret"), "{}", r.json);
    // The same cursor still works where it came from.
    let own = app.call(Method::GET, &path(&other, &format!("/invitations?cursor={cursor}")), Some(&app.token(BOSS)), None).await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.json);
    assert_eq!(own.json["data"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn a_cursor_from_another_listing_or_with_other_filters_is_400_invalid_cursor() {
    let (app, acme, _) = two_tenants().await;
    let owner = app.token(OWNER);
    app.member(&acme, OWNER, "m1@example.com", "member").await;
    // members → invitations, invitations → members, audit → invitations.
    let members = next_cursor(&app, &owner, &path(&acme, "/members?limit=1")).await;
    let r = app.call(Method::GET, &path(&acme, &format!("/invitations?cursor={members}")), Some(&owner), None).await;
    assert_invalid_cursor(&r, "a members cursor on invitations");
    let invitations = next_cursor(&app, &owner, &path(&acme, "/invitations?limit=1")).await;
    let r = app.call(Method::GET, &path(&acme, &format!("/members?cursor={invitations}")), Some(&owner), None).await;
    assert_invalid_cursor(&r, "an invitations cursor on members");
    let audit = next_cursor(&app, &owner, &path(&acme, "/audit?limit=1")).await;
    let r = app.call(Method::GET, &path(&acme, &format!("/invitations?cursor={audit}")), Some(&owner), None).await;
    assert_invalid_cursor(&r, "an audit cursor on invitations");
    // The same listing with other filters.
    let pending = next_cursor(&app, &owner, &path(&acme, "/invitations?status=pending&limit=1")).await;
    let r = app.call(Method::GET, &path(&acme, &format!("/invitations?status=revoked&cursor={pending}")), Some(&owner), None).await;
    assert_invalid_cursor(&r, "a cursor with other filters");
    let same = app.call(Method::GET, &path(&acme, &format!("/invitations?status=pending&cursor={pending}")), Some(&owner), None).await;
    assert_eq!(same.status, StatusCode::OK, "{}", same.json);
}

#[tokio::test]
async fn an_edited_cursor_is_400_invalid_cursor_even_on_an_index_listing() {
    let (app, acme, other) = two_tenants().await;
    let owner = app.token(OWNER);
    let cursor = next_cursor(&app, &owner, &path(&acme, "/invitations?limit=1")).await;
    // Another position in the same listing (the JSON still well-formed), and a changed signature.
    let edited = edit_position(&cursor);
    let r = app.call(Method::GET, &path(&acme, &format!("/invitations?cursor={edited}")), Some(&owner), None).await;
    assert_invalid_cursor(&r, "an edited position");
    let mut chars: Vec<char> = cursor.chars().collect();
    let last = chars.len() - 2;
    chars[last] = if chars[last] == 'A' { 'B' } else { 'A' };
    let resigned: String = chars.into_iter().collect();
    let r = app.call(Method::GET, &path(&acme, &format!("/invitations?cursor={resigned}")), Some(&owner), None).await;
    assert_invalid_cursor(&r, "an edited signature");
    // An index listing (my invitations, across tenants): a cursor pointing into another
    // partition, or without its index position, is refused before the store sees it (no 500).
    app.invite(&acme, OWNER, "me@example.com", "member").await;
    app.invite(&other, BOSS, "me@example.com", "member").await;
    let me = app.token("me@example.com");
    let cursor = next_cursor(&app, &me, "/v1/me/invitations?limit=1").await;
    let body = cursor.split('.').next().unwrap_or_default();
    let forged = [
        format!("{body}.AAAAAAAAAAAAAAAAAAAAAA"),
        format!("{}.{}", b64(r#"{"k":"I#inv_x","p":"T#ten_x","i":"inv_x"}"#), cursor.split('.').nth(1).unwrap_or_default()),
        b64(r#"{"k":"I#inv_x"}"#),
    ];
    for f in forged {
        let r = app.call(Method::GET, &format!("/v1/me/invitations?cursor={f}"), Some(&me), None).await;
        assert_invalid_cursor(&r, &f);
    }
    // Another person's cursor on "my invitations" is theirs, not mine.
    app.invite(&acme, OWNER, "you@example.com", "member").await;
    app.invite(&other, BOSS, "you@example.com", "member").await;
    let yours = next_cursor(&app, &app.token("you@example.com"), "/v1/me/invitations?limit=1").await;
    let r = app.call(Method::GET, &format!("/v1/me/invitations?cursor={yours}"), Some(&me), None).await;
    assert_invalid_cursor(&r, "another person's cursor");
}

/// The cursor with the last character of its sort key changed (same shape, other position).
fn edit_position(cursor: &str) -> String {
    use base64::Engine;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let (body, rest) = cursor.split_once('.').map_or((cursor, None), |(b, r)| (b, Some(r)));
    let mut json: serde_json::Value = serde_json::from_slice(&engine.decode(body).expect("base64")).expect("json");
    let mut k = json["k"].as_str().expect("k").to_owned();
    let last = k.pop().expect("non-empty");
    k.push(if last == '0' { '1' } else { '0' });
    json["k"] = k.into();
    let body = engine.encode(json.to_string());
    match rest {
        Some(r) => format!("{body}.{r}"),
        None => body,
    }
}

fn b64(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

#[tokio::test]
async fn following_every_cursor_reads_each_invitation_once_and_ends() {
    let (app, acme, _) = two_tenants().await;
    let owner = app.token(OWNER);
    let mut seen = Vec::new();
    let mut url = path(&acme, "/invitations?limit=1");
    for _ in 0..10 {
        let r = app.call(Method::GET, &url, Some(&owner), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        seen.extend(r.json["data"].as_array().unwrap().iter().map(|i| i["email"].as_str().unwrap().to_owned()));
        match r.json["next_cursor"].as_str() {
            Some(c) => url = path(&acme, &format!("/invitations?limit=1&cursor={c}")),
            None => break,
        }
    }
    seen.sort();
    assert_eq!(seen, vec!["ada0@example.com", "ada1@example.com", "ada2@example.com"]);
}

/// A table whose queries first answer an empty page that says "more after this key": what
/// DynamoDB may do, and what a listing must neither re-read forever nor end on.
struct EmptyPages {
    inner: SqliteTable,
    /// Where the empty page says to go on; `None`: at the query's own start (no progress).
    next_sk: Option<&'static str>,
    queries: AtomicUsize,
}

#[async_trait::async_trait]
impl Table for EmptyPages {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.inner.get(key).await
    }
    async fn query(&self, q: &Query) -> Result<Page, StoreError> {
        let n = self.queries.fetch_add(1, Ordering::SeqCst);
        if n > 10_000 {
            // Fail rather than spin, so the test reports instead of hanging.
            return Err(StoreError::Rejected("the listing kept querying".into()));
        }
        let listing = q.index.is_none() && q.pk.starts_with("T#") && !q.pk.ends_with("#A");
        if listing && q.after.is_none() {
            let sk = self.next_sk.unwrap_or("I#");
            let next = PageKey { key: Key::new(q.pk.clone(), sk), index_sk: None };
            return Ok(Page { items: Vec::new(), next: Some(next) });
        }
        if listing && self.next_sk.is_none() {
            // Nothing but empty pages that never move.
            return Ok(Page { items: Vec::new(), next: q.after.clone() });
        }
        self.inner.query(q).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<Committed, StoreError> {
        self.inner.transact(writes).await
    }
}

async fn list_over(next_sk: Option<&'static str>) -> (Reply, Arc<EmptyPages>) {
    let table = Arc::new(EmptyPages { inner: SqliteTable::in_memory().expect("sqlite"), next_sk, queries: AtomicUsize::new(0) });
    let app = TestApp::with_table(table.clone());
    let t = app.tenant("Acme", OWNER, None).await;
    for i in 0..3 {
        app.invite(&t, OWNER, &format!("ada{i}@example.com"), "member").await;
    }
    table.queries.store(0, Ordering::SeqCst);
    let r = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        app.call(Method::GET, &path(&t, "/invitations?status=pending"), Some(&app.token(OWNER)), None),
    )
    .await
    .expect("the listing answers");
    (r, table)
}

#[tokio::test]
async fn an_empty_page_that_carries_a_next_key_is_followed_not_read_again() {
    // Newest first: starting after `I#~` reads every invitation.
    let (r, table) = list_over(Some("I#~")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["data"].as_array().map(Vec::len), Some(3), "{}", r.json);
    assert!(table.queries.load(Ordering::SeqCst) <= 3, "queries: {}", table.queries.load(Ordering::SeqCst));
}

#[tokio::test]
async fn paging_a_partition_whose_pages_are_all_empty_terminates() {
    let (r, table) = list_over(None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["data"].as_array().map(Vec::len), Some(0));
    assert!(r.json["next_cursor"].is_null(), "a page that goes nowhere ends the listing: {}", r.json);
    assert!(table.queries.load(Ordering::SeqCst) <= 25, "queries: {}", table.queries.load(Ordering::SeqCst));
}

#[tokio::test]
async fn paging_a_partition_whose_items_are_all_filtered_out_ends_with_an_empty_page() {
    let (app, acme, _) = two_tenants().await;
    let owner = app.token(OWNER);
    let r = app.call(Method::GET, &path(&acme, "/invitations?status=revoked&limit=1"), Some(&owner), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["data"].as_array().map(Vec::len), Some(0));
    assert!(r.json["next_cursor"].is_null(), "{}", r.json);
}

#[tokio::test]
async fn exporting_over_a_store_that_answers_empty_pages_ends() {
    let table = Arc::new(EmptyPages { inner: SqliteTable::in_memory().expect("sqlite"), next_sk: None, queries: AtomicUsize::new(0) });
    let app = TestApp::with_table(table.clone());
    let t = app.tenant("Acme", OWNER, None).await;
    table.queries.store(0, Ordering::SeqCst);
    let r = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        app.call(Method::GET, &path(&t, "/members/export?include=invitations"), Some(&app.token(OWNER)), None),
    )
    .await
    .expect("the export answers");
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert!(table.queries.load(Ordering::SeqCst) <= 10, "queries: {}", table.queries.load(Ordering::SeqCst));
}

#[tokio::test]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn on_dynamodb_a_forged_or_foreign_cursor_is_400_not_500() {
    let app = TestApp::with_table(usher_tests::aws::new_table().await);
    let acme = app.tenant("Acme", OWNER, None).await;
    let other = app.tenant("Other", BOSS, None).await;
    for t in [&acme, &other] {
        let inviter = if *t == acme { OWNER } else { BOSS };
        app.invite(t, inviter, "me@example.com", "member").await;
        app.invite(t, inviter, "you@example.com", "member").await;
    }
    let me = app.token("me@example.com");
    let cursor = next_cursor(&app, &me, "/v1/me/invitations?limit=1").await;
    let yours = next_cursor(&app, &app.token("you@example.com"), "/v1/me/invitations?limit=1").await;
    let tag = cursor.split('.').nth(1).unwrap_or_default().to_owned();
    for forged in [
        edit_position(&cursor),
        yours,
        format!("{}.{tag}", b64(r#"{"k":"I#inv_x","p":"T#ten_x","i":"inv_x"}"#)),
        format!("{}.{tag}", b64(r#"{"k":"I#inv_x"}"#)),
    ] {
        let r = app.call(Method::GET, &format!("/v1/me/invitations?cursor={forged}"), Some(&me), None).await;
        assert_invalid_cursor(&r, &forged);
    }
    let theirs = next_cursor(&app, &app.token(BOSS), &path(&other, "/invitations?limit=1")).await;
    let r = app.call(Method::GET, &path(&acme, &format!("/invitations?cursor={theirs}")), Some(&app.token(OWNER)), None).await;
    assert_invalid_cursor(&r, "another tenant's cursor on DynamoDB");
    // The real cursor still pages on DynamoDB.
    let next = app.call(Method::GET, &format!("/v1/me/invitations?limit=1&cursor={cursor}"), Some(&me), None).await;
    assert_eq!((next.status, next.json["data"].as_array().map(Vec::len)), (StatusCode::OK, Some(1)), "{}", next.json);
}
