//! Trust: the holes a review and an attack run found, each closed in the shared mechanism and
//! proven here (identity binding, permanent conflicts, the sweep, roles).

use http::{Method, StatusCode};
use serde_json::json;
use usher_domain::ports::{Cond, IndexName, Item, Key, Write};
use usher_domain::usecases::expire::sweep;
use usher_tests::TestApp;

const OWNER: &str = "owner@acme.test";

fn path(t: &str, rest: &str) -> String {
    format!("/v1/tenants/{t}{rest}")
}

#[tokio::test]
async fn a_second_account_showing_a_signed_in_owners_verified_email_gets_none_of_their_access() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let first = app.call(Method::GET, &path(&t, "/members"), Some(&app.token(OWNER)), None).await;
    assert_eq!(first.status, StatusCode::OK, "the owner's first sign-in binds their account");

    let second_account = app.token_with(OWNER, "another-account-at-the-issuer", true, false);
    let read = app.call(Method::GET, &path(&t, "/members"), Some(&second_account), None).await;
    assert_eq!((read.status, read.code()), (StatusCode::NOT_FOUND, "not_found"));
    let invite = app
        .call(Method::POST, &path(&t, "/invitations"), Some(&second_account), Some(json!({"email": "x@example.com", "role": "admin"})))
        .await;
    assert_eq!(invite.status, StatusCode::NOT_FOUND, "no owner powers: {}", invite.json);
    let mine = app.call(Method::GET, "/v1/me/tenants", Some(&second_account), None).await;
    assert_eq!(mine.json["data"], json!([]), "the second account belongs to no tenant");
    let again = app.call(Method::GET, &path(&t, "/members"), Some(&app.token(OWNER)), None).await;
    assert_eq!(again.status, StatusCode::OK, "the real owner keeps access");
}

#[tokio::test]
async fn a_person_invited_by_address_is_bound_at_their_first_sign_in_and_only_then() {
    let app = TestApp::new();
    // The operator named the owner by address; nobody has signed in as them yet.
    let t = app.tenant("Acme", OWNER, None).await;
    let first = app.token_with(OWNER, "first-sign-in", true, false);
    assert_eq!(app.call(Method::GET, &path(&t, "/members"), Some(&first), None).await.status, StatusCode::OK);
    let later = app.token_with(OWNER, "someone-else-later", true, false);
    assert_eq!(app.call(Method::GET, &path(&t, "/members"), Some(&later), None).await.status, StatusCode::NOT_FOUND);
    let unverified = app.token_with("nobody@acme.test", "unverified", false, false);
    assert_eq!(app.call(Method::GET, &path(&t, "/members"), Some(&unverified), None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn accepting_as_someone_who_is_already_a_member_is_a_409_at_once_not_a_retry_storm() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    app.member(&t, OWNER, "mia@acme.test", "member").await;
    // Mia changed her address at the identity provider and was invited again under the new one.
    app.invite(&t, OWNER, "mia.new@acme.test", "member").await;
    let token = app.token_from_email("mia.new@acme.test");
    let mia_renamed = app.token_with("mia.new@acme.test", "sub|mia@acme.test", true, false);
    let started = std::time::Instant::now();
    let r = app.call(Method::POST, "/v1/invitations/accept", Some(&mia_renamed), Some(json!({ "token": token }))).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "already_member"), "{}", r.json);
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "decided on the first failed condition, not after retries");
    let lookup = app.call(Method::POST, "/v1/invitations/lookup", None, Some(json!({ "token": token }))).await;
    assert_eq!(lookup.json["status"], "pending", "nothing was half-done");
}

fn due_garbage(shard_pk: &str) -> Write {
    Write::Put {
        item: Item {
            key: Key::new("T#gone", "I#garbage"),
            version: 1,
            index_keys: vec![(IndexName::Due, shard_pk.to_owned(), "2000-01-01T00:00:00Z#garbage".to_owned())],
            expires_at: None,
            data: json!({ "not": "an invitation" }),
        },
        cond: Cond::Absent,
    }
}

#[tokio::test]
async fn the_sweep_skips_an_undecodable_item_instead_of_stalling_on_it_every_run() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    app.invite(&t, OWNER, "ada@example.com", "member").await;
    for shard in 0..usher_domain::schema::DUE_SHARDS {
        app.deps.table.transact(vec![due_garbage(&usher_domain::schema::due_pk(shard))]).await.expect("garbage");
    }
    app.clock.advance_days(8);
    let summary = sweep(&app.deps).await.expect("the sweep runs despite the bad item");
    assert_eq!((summary.skipped, summary.expired), (1, 1), "{summary:?}");
    let again = sweep(&app.deps).await.expect("and again");
    assert_eq!((again.skipped, again.expired), (1, 0));
}

#[tokio::test]
async fn entries_stuck_at_the_head_of_one_shard_do_not_starve_the_other_shards() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let id = app.invite(&t, OWNER, "ada@example.com", "member").await.json["id"].as_str().expect("id").to_owned();
    let invitation_shard = usher_domain::schema::due_shard(&usher_domain::values::InvitationId::parse(&id).expect("id"));
    // A whole batch of entries that stay due (they never decode) in another shard, due first.
    let clogged = usher_domain::schema::due_pk((invitation_shard + 1) % usher_domain::schema::DUE_SHARDS);
    let stuck: Vec<Write> = (0..usher_domain::usecases::expire::BATCH)
        .map(|n| {
            let Write::Put { mut item, cond } = due_garbage(&clogged) else { unreachable!() };
            item.key = Key::new("T#gone", format!("I#garbage{n:04}"));
            item.index_keys[0].2 = format!("2000-01-01T00:00:00Z#garbage{n:04}");
            Write::Put { item, cond }
        })
        .collect();
    for chunk in stuck.chunks(100) {
        app.deps.table.transact(chunk.to_vec()).await.expect("stuck entries");
    }
    app.clock.advance_days(8);

    let summary = sweep(&app.deps).await.expect("sweep");

    assert_eq!(summary.expired, 1, "the invitation in another shard was reached: {summary:?}");
    assert!(summary.more, "the stuck shard still has entries: {summary:?}");
    assert_eq!(summary.scanned, usher_domain::usecases::expire::BATCH, "{summary:?}");
}

#[tokio::test]
async fn the_sweep_expires_an_invitation_whose_tenant_is_gone_so_it_leaves_the_head_of_its_shard() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    app.invite(&t, OWNER, "ada@example.com", "member").await;
    let tenant = app.deps.table.get(&Key::new(format!("T#{t}"), "TENANT")).await.expect("read").expect("tenant");
    app.deps.table.transact(vec![Write::Delete { key: tenant.key, cond: Cond::Always }]).await.expect("delete tenant");
    app.clock.advance_days(8);
    let first = sweep(&app.deps).await.expect("sweep");
    assert_eq!(first.expired, 1, "{first:?}");
    let second = sweep(&app.deps).await.expect("sweep");
    assert_eq!(second.scanned, 0, "nothing is left at the head of the shard: {second:?}");
}

/// A mail service that takes its time, so a second sweep runs while the first is still sending.
struct SlowMailer {
    sent: std::sync::atomic::AtomicUsize,
}

#[async_trait::async_trait]
impl usher_domain::ports::Mailer for SlowMailer {
    async fn send(&self, _: &usher_domain::ports::OutgoingEmail) -> Result<(), usher_domain::ports::MailError> {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        self.sent.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_handed_the_same_queued_email_at_once_send_it_once() {
    use usher_domain::usecases::delivery::{Processed, process};
    let mailer = std::sync::Arc::new(SlowMailer { sent: std::sync::atomic::AtomicUsize::new(0) });
    let table = std::sync::Arc::new(usher_store::SqliteTable::in_memory().expect("sqlite"));
    let app = TestApp::without_delivery_worker(table, Some(mailer.clone()));
    let t = app.tenant("Acme", OWNER, None).await;
    let r = app.invite(&t, OWNER, "ada@example.com", "member").await;
    assert_eq!(r.json["delivery"]["status"], "pending", "queued");
    let job = usher_domain::ports::DeliveryJob::Invitation {
        tenant_id: usher_domain::values::TenantId::parse(&t).expect("tenant id"),
        invitation_id: usher_domain::values::InvitationId::parse(r.json["id"].as_str().expect("id")).expect("invitation id"),
    };
    // A duplicate SQS message, or the sweep's re-queue racing the first wake-up: two workers
    // take the same job while the mail service is still sending the first.
    let (a, b) = tokio::join!(process(&app.deps, &job), process(&app.deps, &job));
    let mut outcomes = [a.expect("a"), b.expect("b")];
    outcomes.sort_by_key(|o| format!("{o:?}"));
    assert_eq!(outcomes, [Processed::Sent, Processed::Skipped], "one claims and sends, the other finds it claimed");
    assert_eq!(mailer.sent.load(std::sync::atomic::Ordering::SeqCst), 1, "sent once");
    assert_eq!(process(&app.deps, &job).await.expect("again"), Processed::Skipped, "and never again once sent");
}

#[tokio::test]
async fn editing_a_custom_role_needs_every_permission_it_carries_now_not_only_the_new_ones() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let owner = app.token(OWNER);
    let put = |name: &str, perms: serde_json::Value| (path(&t, &format!("/roles/{name}")), json!({ "permissions": perms }));
    let (p, b) = put("inviter", json!(["invitations.create", "invitations.read", "members.read"]));
    assert!(app.call(Method::PUT, &p, Some(&owner), Some(b)).await.status.is_success());
    let (p, b) = put("role-admin", json!(["roles.manage", "members.read"]));
    assert!(app.call(Method::PUT, &p, Some(&owner), Some(b)).await.status.is_success());
    app.member(&t, OWNER, "rita@acme.test", "role-admin").await;

    let (p, b) = put("inviter", json!(["members.read"]));
    let strip = app.call(Method::PUT, &p, Some(&app.token("rita@acme.test")), Some(b)).await;
    assert_eq!((strip.status, strip.code()), (StatusCode::FORBIDDEN, "role_not_grantable"), "{}", strip.json);
    let role = app.call(Method::GET, &path(&t, "/roles/inviter"), Some(&owner), None).await;
    assert_eq!(role.json["permissions"].as_array().map(Vec::len), Some(3), "unchanged: {}", role.json);
}

#[tokio::test]
async fn removing_a_member_whose_role_no_longer_resolves_still_needs_the_right_to_grant_everything() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let owner = app.token(OWNER);
    for (name, perms) in [("temp", json!(["members.read"])), ("remover", json!(["members.remove", "members.read"]))] {
        let r = app.call(Method::PUT, &path(&t, &format!("/roles/{name}")), Some(&owner), Some(json!({ "permissions": perms }))).await;
        assert!(r.status.is_success(), "{}", r.json);
    }
    let tim = app.member(&t, OWNER, "tim@acme.test", "temp").await;
    app.member(&t, OWNER, "rob@acme.test", "remover").await;
    // The role item disappears under Tim (a manual edit, a bug): his role no longer resolves.
    app.deps.table.transact(vec![Write::Delete { key: Key::new(format!("T#{t}"), "R#temp"), cond: Cond::Always }]).await.expect("delete");
    let body = json!({ "confirm_email": "tim@acme.test" });
    let by_rob =
        app.call(Method::DELETE, &path(&t, &format!("/members/{tim}")), Some(&app.token("rob@acme.test")), Some(body.clone())).await;
    assert_eq!((by_rob.status, by_rob.code()), (StatusCode::FORBIDDEN, "role_not_grantable"), "{}", by_rob.json);
    let by_owner = app.call(Method::DELETE, &path(&t, &format!("/members/{tim}")), Some(&owner), Some(body)).await;
    assert!(by_owner.status.is_success(), "{}", by_owner.json);
}

/// A table whose next invitation-saving transaction commits and then reports a timeout, as a
/// store call can when the answer is lost on the way back.
struct CommitsThenTimesOut {
    inner: std::sync::Arc<dyn usher_domain::ports::Table>,
    armed: std::sync::atomic::AtomicBool,
}

#[async_trait::async_trait]
impl usher_domain::ports::Table for CommitsThenTimesOut {
    async fn get(&self, key: &Key) -> Result<Option<Item>, usher_domain::ports::StoreError> {
        self.inner.get(key).await
    }
    async fn query(&self, q: &usher_domain::ports::Query) -> Result<usher_domain::ports::Page, usher_domain::ports::StoreError> {
        self.inner.query(q).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<usher_domain::ports::Committed, usher_domain::ports::StoreError> {
        let saves_invitation = writes.iter().any(|w| matches!(w, Write::Put { item, cond: Cond::Absent } if item.key.sk.starts_with("I#")));
        let out = self.inner.transact(writes).await?;
        if saves_invitation && self.armed.swap(false, std::sync::atomic::Ordering::SeqCst) {
            return Err(usher_domain::ports::StoreError::Unavailable("timed out waiting for the answer".into()));
        }
        Ok(out)
    }
}

#[tokio::test]
async fn an_invite_that_committed_but_timed_out_is_answered_on_retry_not_refused_as_already_invited() {
    let table = std::sync::Arc::new(CommitsThenTimesOut {
        inner: std::sync::Arc::new(usher_store::SqliteTable::in_memory().expect("sqlite")),
        armed: std::sync::atomic::AtomicBool::new(false),
    });
    let app = TestApp::with_table(table.clone());
    let t = app.tenant("Acme", OWNER, None).await;
    let body = json!({ "email": "ada@example.com", "role": "member" }).to_string().into_bytes();
    let owner = app.token(OWNER);
    let url = path(&t, "/invitations");
    let send = || app.call_with(Method::POST, &url, Some(&owner), Some(body.clone()), &[("idempotency-key", "k-1")]);

    table.armed.store(true, std::sync::atomic::Ordering::SeqCst);
    let first = send().await;
    assert_eq!((first.status, first.code()), (StatusCode::SERVICE_UNAVAILABLE, "unavailable"), "{}", first.json);
    let retry = send().await;
    assert_eq!(retry.status, StatusCode::CREATED, "the retry answers the invitation its first try saved: {}", retry.json);
    let list = app.call(Method::GET, &path(&t, "/invitations"), Some(&owner), None).await;
    assert_eq!(list.json["data"].as_array().map(Vec::len), Some(1), "one invitation, not two: {}", list.json);
    assert_eq!(list.json["data"][0]["id"], retry.json["id"]);
    let again = send().await;
    assert_eq!((again.status, again.json["id"].clone()), (StatusCode::CREATED, retry.json["id"].clone()), "and replays from now on");
}

#[tokio::test]
async fn a_sweep_stops_at_its_batch_and_reports_the_backlog_the_next_run_clears() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let batch = usher_domain::usecases::expire::BATCH;
    for i in 0..batch + 10 {
        let r = app.invite(&t, OWNER, &format!("p{i}@example.com"), "member").await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    app.clock.advance_days(8);
    let first = sweep(&app.deps).await.expect("sweep");
    assert_eq!((first.expired, first.more, first.backlog), (batch, true, 10), "{first:?}");
    // Their 7-day links ended a day ago: the oldest entry left says how far behind the sweep is.
    assert!(first.oldest_due_secs >= 86_400, "{first:?}");
    let second = sweep(&app.deps).await.expect("sweep");
    assert_eq!((second.expired, second.more, second.backlog, second.oldest_due_secs), (10, false, 0, 0), "{second:?}");
}

/// A table whose stores of idempotent responses fail (`failing` times in a row), as DynamoDB
/// can throttle one write in the middle of a request: the change itself commits, only its
/// answer cannot be kept for repeats.
struct ResponseStoresFail {
    inner: std::sync::Arc<dyn usher_domain::ports::Table>,
    failing: std::sync::atomic::AtomicU32,
    refused: std::sync::atomic::AtomicU32,
}

impl ResponseStoresFail {
    fn new() -> std::sync::Arc<Self> {
        std::sync::Arc::new(Self {
            inner: std::sync::Arc::new(usher_store::SqliteTable::in_memory().expect("sqlite")),
            failing: std::sync::atomic::AtomicU32::new(0),
            refused: std::sync::atomic::AtomicU32::new(0),
        })
    }
}

#[async_trait::async_trait]
impl usher_domain::ports::Table for ResponseStoresFail {
    async fn get(&self, key: &Key) -> Result<Option<Item>, usher_domain::ports::StoreError> {
        self.inner.get(key).await
    }
    async fn query(&self, q: &usher_domain::ports::Query) -> Result<usher_domain::ports::Page, usher_domain::ports::StoreError> {
        self.inner.query(q).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<usher_domain::ports::Committed, usher_domain::ports::StoreError> {
        use std::sync::atomic::Ordering::SeqCst;
        let stores_response = writes
            .iter()
            .any(|w| matches!(w, Write::Put { item, .. } if item.key.pk.starts_with("IDEM#") && !item.data["response"].is_null()));
        if stores_response && self.failing.fetch_update(SeqCst, SeqCst, |n| n.checked_sub(1)).is_ok() {
            self.refused.fetch_add(1, SeqCst);
            return Err(usher_domain::ports::StoreError::Unavailable("throttled (injected)".into()));
        }
        self.inner.transact(writes).await
    }
}

#[tokio::test]
async fn a_response_whose_store_fails_twice_is_kept_on_the_third_try_and_a_retry_replays_it() {
    let table = ResponseStoresFail::new();
    let app = TestApp::with_table(table.clone());
    let t = app.tenant("Acme", OWNER, None).await;
    let body = json!({ "email": "ada@example.com", "role": "member" }).to_string().into_bytes();
    let owner = app.token(OWNER);
    let url = path(&t, "/invitations");
    let send = || app.call_with(Method::POST, &url, Some(&owner), Some(body.clone()), &[("idempotency-key", "k-1")]);

    table.failing.store(2, std::sync::atomic::Ordering::SeqCst);
    let first = send().await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.json);
    let retry = send().await;
    assert_eq!(retry.status, StatusCode::CREATED, "the answer was kept on the third try: {}", retry.json);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"), "replayed, not run again");
    assert_eq!(retry.json["id"], first.json["id"]);
    assert_eq!(table.refused.load(std::sync::atomic::Ordering::SeqCst), 2, "two stores of the answer failed");
}

#[tokio::test]
async fn an_invite_whose_response_could_not_be_stored_is_found_again_by_a_retry_with_the_same_key_not_refused_as_already_invited() {
    let table = ResponseStoresFail::new();
    let app = TestApp::with_table(table.clone());
    let t = app.tenant("Acme", OWNER, None).await;
    let body = json!({ "email": "ada@example.com", "role": "member" }).to_string().into_bytes();
    let owner = app.token(OWNER);
    let url = path(&t, "/invitations");
    let send = || app.call_with(Method::POST, &url, Some(&owner), Some(body.clone()), &[("idempotency-key", "k-1")]);

    // The invitation commits; every try of storing its answer fails (the client never saw it).
    table.failing.store(u32::MAX, std::sync::atomic::Ordering::SeqCst);
    let first = send().await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.json);
    table.failing.store(0, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(table.refused.load(std::sync::atomic::Ordering::SeqCst), 3, "the store was tried three times");

    // The claim still holds the key: a retry at once is told to wait, and nothing runs twice.
    let soon = send().await;
    assert_eq!((soon.status, soon.code()), (StatusCode::CONFLICT, "idempotency_conflict"), "{}", soon.json);
    assert!(soon.header("retry-after").is_some(), "in flight, so worth retrying: {:?}", soon.headers);
    // Once the claim lapses, the retry runs again under the same reserved id and finds its own invitation.
    app.clock.advance_secs(usher_domain::usecases::idempotency::CLAIM_SECS + 1);
    let retry = send().await;
    assert_eq!(retry.status, StatusCode::CREATED, "the same invitation, not already_invited: {}", retry.json);
    assert_eq!(retry.json["id"], first.json["id"], "the resource the first try created");
    let list = app.call(Method::GET, &path(&t, "/invitations"), Some(&owner), None).await;
    assert_eq!(list.json["data"].as_array().map(Vec::len), Some(1), "one invitation, not two: {}", list.json);
    assert_eq!(app.messages_to("ada@example.com").len(), 1, "and one email");
    let again = send().await;
    assert_eq!((again.status, again.header("idempotent-replayed")), (StatusCode::CREATED, Some("true")), "replayed from now on");
}

/// A table that moves the test's clock forward on every invitation write, as a slow store (or a
/// slow send) makes a real sweep's time pass.
struct SlowInvitationWrites {
    inner: usher_store::SqliteTable,
    clock: std::sync::OnceLock<std::sync::Arc<usher_tests::ManualClock>>,
    secs_per_write: std::sync::atomic::AtomicI64,
}

#[async_trait::async_trait]
impl usher_domain::ports::Table for SlowInvitationWrites {
    async fn get(&self, key: &Key) -> Result<Option<Item>, usher_domain::ports::StoreError> {
        self.inner.get(key).await
    }
    async fn query(&self, q: &usher_domain::ports::Query) -> Result<usher_domain::ports::Page, usher_domain::ports::StoreError> {
        self.inner.query(q).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<usher_domain::ports::Committed, usher_domain::ports::StoreError> {
        let out = self.inner.transact(writes.clone()).await;
        let secs = self.secs_per_write.load(std::sync::atomic::Ordering::SeqCst);
        if secs > 0
            && writes.iter().any(|w| w.key().sk.starts_with("I#"))
            && let Some(clock) = self.clock.get()
        {
            clock.advance_secs(secs);
        }
        out
    }
}

#[tokio::test]
async fn a_sweep_that_runs_out_of_time_stops_reports_the_backlog_and_the_next_run_finishes_the_rest() {
    use usher_domain::usecases::expire::TIME_BUDGET_SECS;
    let table = std::sync::Arc::new(SlowInvitationWrites {
        inner: usher_store::SqliteTable::in_memory().expect("sqlite"),
        clock: std::sync::OnceLock::new(),
        secs_per_write: std::sync::atomic::AtomicI64::new(0),
    });
    let app = TestApp::with_table(table.clone());
    table.clock.set(app.clock.clone()).expect("clock set once");
    let t = app.tenant("Acme", OWNER, None).await;
    for i in 0..10 {
        assert_eq!(app.invite(&t, OWNER, &format!("p{i}@example.com"), "member").await.status, StatusCode::CREATED);
    }
    app.clock.advance_days(8);

    // Each expiry takes 10 s: the budget is spent after TIME_BUDGET_SECS / 10 of them, long
    // before the batch limit.
    let per_write = 10;
    table.secs_per_write.store(per_write, std::sync::atomic::Ordering::SeqCst);
    let first = sweep(&app.deps).await.expect("sweep");
    let in_budget = usize::try_from(TIME_BUDGET_SECS / per_write).expect("count");
    assert!(in_budget < 10);
    assert_eq!((first.expired, first.more, first.backlog), (in_budget, true, 10 - in_budget), "{first:?}");

    table.secs_per_write.store(0, std::sync::atomic::Ordering::SeqCst);
    let second = sweep(&app.deps).await.expect("sweep");
    assert_eq!((second.expired, second.more, second.backlog), (10 - in_budget, false, 0), "{second:?}");
    let third = sweep(&app.deps).await.expect("sweep");
    assert_eq!((third.scanned, third.expired, third.more), (0, 0, false), "nothing is left: {third:?}");
}

/// A table that counts reads of subject → user links (the reads the identity cache saves).
struct CountingSubjectReads {
    inner: usher_store::SqliteTable,
    reads: std::sync::atomic::AtomicUsize,
}

#[async_trait::async_trait]
impl usher_domain::ports::Table for CountingSubjectReads {
    async fn get(&self, key: &Key) -> Result<Option<Item>, usher_domain::ports::StoreError> {
        if key.pk.starts_with("SUB#") {
            self.reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        self.inner.get(key).await
    }
    async fn query(&self, q: &usher_domain::ports::Query) -> Result<usher_domain::ports::Page, usher_domain::ports::StoreError> {
        self.inner.query(q).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<usher_domain::ports::Committed, usher_domain::ports::StoreError> {
        self.inner.transact(writes).await
    }
}

#[tokio::test]
async fn a_removed_member_whose_identity_is_cached_loses_access_on_their_very_next_request() {
    let table = std::sync::Arc::new(CountingSubjectReads {
        inner: usher_store::SqliteTable::in_memory().expect("sqlite"),
        reads: std::sync::atomic::AtomicUsize::new(0),
    });
    let app = TestApp::with_table(table.clone());
    let t = app.tenant("Acme", OWNER, None).await;
    let mia_id = app.member(&t, OWNER, "mia@acme.test", "admin").await;
    let mia = app.token("mia@acme.test");
    assert_eq!(app.call(Method::GET, &path(&t, "/members"), Some(&mia), None).await.status, StatusCode::OK);
    let reads = table.reads.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(app.call(Method::GET, &path(&t, "/members"), Some(&mia), None).await.status, StatusCode::OK);
    assert_eq!(table.reads.load(std::sync::atomic::Ordering::SeqCst), reads, "Mia's identity comes from the cache");

    let removed = app
        .call(
            Method::DELETE,
            &path(&t, &format!("/members/{mia_id}")),
            Some(&app.token(OWNER)),
            Some(json!({ "confirm_email": "mia@acme.test" })),
        )
        .await;
    assert!(removed.status.is_success(), "{}", removed.json);

    let read = app.call(Method::GET, &path(&t, "/members"), Some(&mia), None).await;
    assert_eq!((read.status, read.code()), (StatusCode::NOT_FOUND, "not_found"), "{}", read.json);
    let invite =
        app.call(Method::POST, &path(&t, "/invitations"), Some(&mia), Some(json!({"email": "x@example.com", "role": "member"}))).await;
    assert_eq!((invite.status, invite.code()), (StatusCode::NOT_FOUND, "not_found"), "no admin powers left: {}", invite.json);
    let mine = app.call(Method::GET, "/v1/me/tenants", Some(&mia), None).await;
    assert_eq!(mine.json["data"], json!([]), "she belongs to no tenant: {}", mine.json);
    assert_eq!(table.reads.load(std::sync::atomic::Ordering::SeqCst), reads, "still from the cache: only the membership was read again");
}

#[tokio::test]
async fn a_1000_row_bulk_report_too_large_for_one_item_is_replayed_whole_on_a_retry_with_its_key() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, Some(2000)).await;
    let owner = app.token(OWNER);
    let url = path(&t, "/invitations");
    let rows: Vec<serde_json::Value> = (0..1000).map(|i| json!({"email": format!("row{i}@example.com"), "role": "member"})).collect();
    let body = json!({ "invitations": rows }).to_string().into_bytes();
    let send = || app.call_with(Method::POST, &url, Some(&owner), Some(body.clone()), &[("idempotency-key", "bulk-1")]);

    let first = send().await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.json);
    assert_eq!(first.json["summary"]["invited"], 1000);
    let report_bytes = serde_json::to_vec(&first.json).expect("json").len();
    assert!(report_bytes > usher_domain::ports::MAX_ITEM_BYTES, "the report ({report_bytes} bytes) does not fit one item");

    let retry = send().await;

    assert_eq!(retry.status, StatusCode::OK, "{}", retry.json);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"), "replayed, not run again");
    assert_eq!(retry.json, first.json, "the caller's own rows, as first answered (not already_invited)");
}

#[tokio::test]
async fn a_key_held_by_a_request_that_died_says_how_long_until_its_claim_lapses() {
    let table = ResponseStoresFail::new();
    let app = TestApp::with_table(table.clone());
    let t = app.tenant("Acme", OWNER, None).await;
    let body = json!({ "email": "ada@example.com", "role": "member" }).to_string().into_bytes();
    let owner = app.token(OWNER);
    let url = path(&t, "/invitations");
    let send = || app.call_with(Method::POST, &url, Some(&owner), Some(body.clone()), &[("idempotency-key", "k-1")]);
    table.failing.store(u32::MAX, std::sync::atomic::Ordering::SeqCst);
    send().await;
    table.failing.store(0, std::sync::atomic::Ordering::SeqCst);

    // Young: most likely still running, so a moment.
    let soon = send().await;
    assert_eq!(soon.header("retry-after"), Some("2"), "{:?}", soon.headers);
    // Older than any request runs: the claim's real remaining time.
    app.clock.advance_secs(20);
    let later = send().await;
    assert_eq!((later.status, later.code()), (StatusCode::CONFLICT, "idempotency_conflict"), "{}", later.json);
    let wait: i64 = later.header("retry-after").and_then(|v| v.parse().ok()).expect("retry-after");
    assert!((39..=40).contains(&wait), "{wait}");
}

#[tokio::test]
async fn a_links_token_item_expires_a_month_after_the_link_so_old_tokens_do_not_pile_up() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let inv = app.invite(&t, OWNER, "ada@example.com", "member").await;
    let token = usher_domain::token::InvitationToken::parse(&app.token_from_email("ada@example.com")).expect("token");

    let item = app.deps.table.get(&usher_domain::schema::token_key(&token.hash())).await.expect("read").expect("the token item");

    let link_expires = usher_domain::values::Timestamp::parse(inv.json["expires_at"].as_str().expect("expires_at")).expect("time");
    assert_eq!(item.expires_at, Some(link_expires.plus_seconds(usher_domain::usecases::TOKEN_RETENTION_SECS)));
}
