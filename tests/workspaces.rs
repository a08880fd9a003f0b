//! A tenant's workspaces (issue 10, seed 004): once a tenant defines any, people may only be
//! given those; an invitation that names none gets the default ones; a workspace in use cannot
//! be deleted, and a write racing a delete never gives anyone a deleted workspace.

use http::{Method, StatusCode};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use usher_domain::model::Tenant;
use usher_domain::ports::{Committed, Item, Key, Page, Query, StoreError, Table, Write};
use usher_domain::schema;
use usher_store::SqliteTable;
use usher_tests::TestApp;

const OWNER: &str = "owner@acme.test";

fn path(t: &str, rest: &str) -> String {
    format!("/v1/tenants/{t}{rest}")
}

async fn put_workspace(app: &TestApp, t: &str, id: &str, body: serde_json::Value) -> usher_tests::Reply {
    app.call(Method::PUT, &path(t, &format!("/workspaces/{id}")), Some(&app.token(OWNER)), Some(body)).await
}

#[tokio::test]
async fn a_tenant_without_workspaces_takes_names_as_given() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let r = app
        .call(
            Method::POST,
            &path(&t, "/invitations"),
            Some(&app.token(OWNER)),
            Some(json!({"email": "a@example.com", "role": "member", "workspaces": ["anything"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let list = app.call(Method::GET, &path(&t, "/workspaces"), Some(&app.token(OWNER)), None).await;
    assert_eq!(list.json, json!({"data": []}));
}

#[tokio::test]
async fn once_a_tenant_has_workspaces_only_those_can_be_given_and_none_named_means_the_defaults() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let r = put_workspace(&app, &t, "north", json!({"name": "North depot", "default": true})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    assert_eq!(r.json, json!({"id": "north", "name": "North depot", "default": true}));
    assert_eq!(put_workspace(&app, &t, "south", json!({"name": "South depot"})).await.status, StatusCode::CREATED);
    // Renaming answers 200.
    let r = put_workspace(&app, &t, "south", json!({"name": "South yard"})).await;
    assert_eq!((r.status, r.json["name"].as_str()), (StatusCode::OK, Some("South yard")));

    let owner = app.token(OWNER);
    let r = app
        .call(
            Method::POST,
            &path(&t, "/invitations"),
            Some(&owner),
            Some(json!({"email": "a@example.com", "role": "member", "workspaces": ["west"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.json);
    assert_eq!(
        (r.json["errors"][0]["field"].as_str(), r.json["errors"][0]["code"].as_str()),
        (Some("workspaces"), Some("unknown_workspace"))
    );
    let r = app.invite(&t, OWNER, "b@example.com", "member").await;
    assert_eq!(r.json["workspaces"], json!(["north"]), "the default: {}", r.json);
    let r = app
        .call(
            Method::POST,
            &path(&t, "/invitations"),
            Some(&owner),
            Some(json!({"email": "c@example.com", "role": "member", "workspaces": ["south"]})),
        )
        .await;
    assert_eq!(r.json["workspaces"], json!(["south"]));
    // The weekly summary may name the default workspace the invitation gets.
    let r = app
        .call(
            Method::POST,
            &path(&t, "/invitations"),
            Some(&owner),
            Some(json!({"email": "d@example.com", "role": "member", "notifications": {"weekly_summary": true, "weekly_summary_workspaces": ["north"]}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);

    // Bulk rows get the row code.
    let rows = json!({"invitations": [
        {"email": "e@example.com", "role": "member", "workspaces": ["west"]},
        {"email": "f@example.com", "role": "member"}
    ]});
    let r = app.call(Method::POST, &path(&t, "/invitations"), Some(&owner), Some(rows)).await;
    assert_eq!(r.json["results"][0]["code"], "unknown_workspace", "{}", r.json);
    assert_eq!(r.json["results"][1]["invitation"]["workspaces"], json!(["north"]));

    // Members too.
    let ada = app.member(&t, OWNER, "ada@example.com", "member").await;
    let r = app.call(Method::PATCH, &path(&t, &format!("/members/{ada}")), Some(&owner), Some(json!({"workspaces": ["west"]}))).await;
    assert_eq!((r.status, r.json["errors"][0]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("unknown_workspace")), "{}", r.json);
    let r = app.call(Method::PATCH, &path(&t, &format!("/members/{ada}")), Some(&owner), Some(json!({"workspaces": ["south"]}))).await;
    assert_eq!(r.json["workspaces"], json!(["south"]), "{}", r.json);
}

#[tokio::test]
async fn a_workspace_in_use_cannot_be_deleted_until_nobody_has_it() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    put_workspace(&app, &t, "north", json!({})).await;
    put_workspace(&app, &t, "south", json!({})).await;
    let owner = app.token(OWNER);
    let inv = app
        .call(
            Method::POST,
            &path(&t, "/invitations"),
            Some(&owner),
            Some(json!({"email": "a@example.com", "role": "member", "workspaces": ["north"]})),
        )
        .await;
    let r = app.call(Method::DELETE, &path(&t, "/workspaces/north"), Some(&owner), None).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "invalid_state"), "{}", r.json);
    assert!(r.json["detail"].as_str().unwrap_or_default().contains("1 pending invitation"), "{}", r.json);
    // Accepted, the member holds it.
    let token = app.token_from_email("a@example.com");
    let a = app.call(Method::POST, "/v1/invitations/accept", Some(&app.token("a@example.com")), Some(json!({"token": token}))).await;
    let user = a.json["member"]["user_id"].as_str().unwrap().to_owned();
    let r = app.call(Method::DELETE, &path(&t, "/workspaces/north"), Some(&owner), None).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.json["detail"].as_str().unwrap_or_default().contains("1 member"), "{}", r.json);
    // Moved elsewhere, it can go.
    app.call(Method::PATCH, &path(&t, &format!("/members/{user}")), Some(&owner), Some(json!({"workspaces": ["south"]}))).await;
    let r = app.call(Method::DELETE, &path(&t, "/workspaces/north"), Some(&owner), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.json);
    let list = app.call(Method::GET, &path(&t, "/workspaces"), Some(&owner), None).await;
    assert_eq!(list.json["data"].as_array().map(|d| d.iter().map(|w| w["id"].clone()).collect::<Vec<_>>()), Some(vec![json!("south")]));
    let r = app.call(Method::DELETE, &path(&t, "/workspaces/north"), Some(&owner), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let _ = inv;
    let audit = app.call(Method::GET, &path(&t, "/audit?limit=100"), Some(&owner), None).await;
    let actions: Vec<&str> = audit.json["data"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"workspace.created") && actions.contains(&"workspace.deleted"), "{actions:?}");
}

#[tokio::test]
async fn only_owners_and_admins_manage_workspaces_but_every_member_lists_them() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    put_workspace(&app, &t, "north", json!({"name": "North"})).await;
    app.member(&t, OWNER, "mem@acme.test", "member").await;
    app.member(&t, OWNER, "adm@acme.test", "admin").await;
    let member = app.token("mem@acme.test");
    assert_eq!(app.call(Method::GET, &path(&t, "/workspaces"), Some(&member), None).await.status, StatusCode::OK);
    let r = app.call(Method::PUT, &path(&t, "/workspaces/south"), Some(&member), Some(json!({}))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.call(Method::DELETE, &path(&t, "/workspaces/north"), Some(&member), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.call(Method::PUT, &path(&t, "/workspaces/south"), Some(&app.token("adm@acme.test")), Some(json!({"name": "South"}))).await;
    assert_eq!(r.status, StatusCode::CREATED);
    // A malformed id or name is a 400 naming it.
    let r = app.call(Method::PUT, &path(&t, "/workspaces/no%20spaces"), Some(&app.token(OWNER)), Some(json!({}))).await;
    assert_eq!((r.status, r.json["errors"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("workspaceId")), "{}", r.json);
    let r = app.call(Method::PUT, &path(&t, "/workspaces/east"), Some(&app.token(OWNER)), Some(json!({"name": ""}))).await;
    assert_eq!((r.status, r.json["errors"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("name")), "{}", r.json);
}

/// The race the tenant's `workspaces_rev` closes: invitations naming a workspace while it is
/// being deleted. Whatever the interleaving, no invitation that was saved names a workspace
/// that is gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn invitations_racing_the_delete_of_their_workspace_never_name_a_deleted_one() {
    for round in 0..5 {
        let app = Arc::new(TestApp::with_table(Arc::new(SqliteTable::in_memory().expect("sqlite"))));
        let t = app.tenant("Acme", OWNER, None).await;
        put_workspace(&app, &t, "north", json!({})).await;
        put_workspace(&app, &t, "south", json!({})).await;
        let mut tasks = Vec::new();
        for i in 0..8 {
            let (app, t) = (app.clone(), t.clone());
            tasks.push(tokio::spawn(async move {
                let body = json!({"email": format!("p{i}@example.com"), "role": "member", "workspaces": ["north"]});
                app.call(Method::POST, &path(&t, "/invitations"), Some(&app.token(OWNER)), Some(body)).await.status
            }));
        }
        let deleted = {
            let (app, t) = (app.clone(), t.clone());
            tokio::spawn(
                async move { app.call(Method::DELETE, &path(&t, "/workspaces/north"), Some(&app.token(OWNER)), None).await.status },
            )
        };
        let statuses: Vec<StatusCode> = futures_join(tasks).await;
        let deleted = deleted.await.expect("delete task");
        let saved = statuses.iter().filter(|s| **s == StatusCode::CREATED).count();
        let ws = app.call(Method::GET, &path(&t, "/workspaces"), Some(&app.token(OWNER)), None).await;
        let north_exists = ws.json["data"].as_array().unwrap().iter().any(|w| w["id"] == "north");
        // Either the delete won (then no invitation names north), or it lost to a saved one.
        if deleted == StatusCode::NO_CONTENT {
            assert!(!north_exists);
            assert_eq!(saved, 0, "round {round}: the workspace is gone but {saved} invitations name it ({statuses:?})");
        } else {
            assert_eq!(deleted, StatusCode::CONFLICT, "round {round}");
            assert!(north_exists && saved > 0, "round {round}: {statuses:?}");
        }
        for s in &statuses {
            assert!(*s == StatusCode::CREATED || *s == StatusCode::BAD_REQUEST, "round {round}: {statuses:?}");
        }
    }
}

async fn futures_join(tasks: Vec<tokio::task::JoinHandle<StatusCode>>) -> Vec<StatusCode> {
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("task"));
    }
    out
}

/// A table on which the workspace `north` is deleted (by another request) at the worst moment:
/// after an invite has checked its workspaces, just before its transaction commits.
struct DeletedJustBeforeTheInviteCommits {
    inner: Arc<SqliteTable>,
    fired: AtomicBool,
}

#[async_trait::async_trait]
impl Table for DeletedJustBeforeTheInviteCommits {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.inner.get(key).await
    }
    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        self.inner.query(query).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<Committed, StoreError> {
        let saves_an_invitation = writes.iter().any(|w| matches!(w, Write::Put { .. }) && w.key().sk.starts_with("I#"));
        if saves_an_invitation && !self.fired.swap(true, Ordering::SeqCst) {
            let tenant_key = writes.iter().map(Write::key).find(|k| k.sk == "TENANT").expect("the invite writes the tenant").clone();
            let t = schema::decode::<Tenant>(self.inner.get(&tenant_key).await?.expect("tenant")).expect("a tenant");
            let mut without = t.value.clone();
            without.workspaces.retain(|w| w.id.as_str() != "north");
            without.workspaces_rev += 1;
            assert_eq!(self.inner.transact(vec![schema::replace(t.version, &without)]).await?, Committed::Yes);
        }
        self.inner.transact(writes).await
    }
}

#[tokio::test]
async fn an_invite_whose_workspace_is_deleted_just_before_it_commits_is_refused_not_saved_naming_it() {
    let table = Arc::new(DeletedJustBeforeTheInviteCommits {
        inner: Arc::new(SqliteTable::in_memory().expect("sqlite")),
        fired: AtomicBool::new(false),
    });
    let app = TestApp::with_table(table.clone());
    let t = app.tenant("Acme", OWNER, None).await;
    put_workspace(&app, &t, "north", json!({})).await;
    put_workspace(&app, &t, "south", json!({})).await;
    let body = json!({"email": "a@example.com", "role": "member", "workspaces": ["north"]});
    let r = app.call(Method::POST, &path(&t, "/invitations"), Some(&app.token(OWNER)), Some(body)).await;
    assert!(table.fired.load(Ordering::SeqCst), "the delete happened mid-invite");
    // Decided again on the tenant as it is now: north is gone.
    assert_eq!((r.status, r.json["errors"][0]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("unknown_workspace")), "{}", r.json);
    let list = app.call(Method::GET, &path(&t, "/invitations"), Some(&app.token(OWNER)), None).await;
    assert_eq!(list.json["data"].as_array().map(Vec::len), Some(0), "{}", list.json);
}

/// A table that counts the reads of a tenant's members and invitations (the scans a workspace
/// deletion used to make).
struct CountsScans {
    inner: Arc<SqliteTable>,
    scans: std::sync::atomic::AtomicU32,
}

#[async_trait::async_trait]
impl Table for CountsScans {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.inner.get(key).await
    }
    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        if let usher_domain::ports::SortKeyRange::BeginsWith(p) = &query.range
            && query.index.is_none()
            && (p == schema::MEMBER_PREFIX || p == schema::INVITATION_PREFIX)
        {
            self.scans.fetch_add(1, Ordering::SeqCst);
        }
        self.inner.query(query).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<Committed, StoreError> {
        self.inner.transact(writes).await
    }
}

async fn stored_tenant(table: &dyn Table, t: &str) -> usher_domain::schema::Versioned<Tenant> {
    let key = schema::tenant_key(&usher_domain::values::TenantId::parse(t).expect("tenant"));
    schema::load::<Tenant>(table, &key).await.expect("read").expect("tenant")
}

fn used(t: &Tenant, ws: &str) -> (u32, u32) {
    use usher_domain::model::WorkspaceHolder::{Member, Pending};
    let ws = usher_domain::values::Workspace::parse(ws).expect("workspace");
    (t.workspace_use.count(Member, &ws), t.workspace_use.count(Pending, &ws))
}

#[tokio::test]
async fn the_tenant_counts_who_has_each_workspace_through_every_change_and_a_delete_reads_no_member_or_invitation() {
    let table = Arc::new(CountsScans { inner: Arc::new(SqliteTable::in_memory().expect("sqlite")), scans: Default::default() });
    let app = TestApp::with_table(table.clone());
    let t = app.tenant("Acme", OWNER, None).await;
    for ws in ["north", "south", "east"] {
        put_workspace(&app, &t, ws, json!({})).await;
    }
    let owner = app.token(OWNER);
    let invite = |email: &'static str, ws: serde_json::Value| {
        let (app, owner, url) = (&app, &owner, path(&t, "/invitations"));
        async move {
            let r = app.call(Method::POST, &url, Some(owner), Some(json!({"email": email, "role": "member", "workspaces": ws}))).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
            r.json["id"].as_str().expect("id").to_owned()
        }
    };
    // Pending: a, b (north); c (north, south); d in bulk (south, east); e (east).
    invite("a@example.com", json!(["north"])).await;
    let b = invite("b@example.com", json!(["north"])).await;
    let c = invite("c@example.com", json!(["north", "south"])).await;
    let bulk = json!({"invitations": [{"email": "d@example.com", "role": "member", "workspaces": ["south", "east"]}]});
    assert_eq!(app.call(Method::POST, &path(&t, "/invitations"), Some(&owner), Some(bulk)).await.status, StatusCode::OK);
    let e = invite("e@example.com", json!(["east"])).await;
    let tenant = stored_tenant(table.as_ref(), &t).await.value;
    assert_eq!((used(&tenant, "north"), used(&tenant, "south"), used(&tenant, "east")), ((0, 3), (0, 2), (0, 2)));

    // a accepts (a member of north); b is revoked; c is moved to east; e declines.
    let token = app.token_from_email("a@example.com");
    let a = app.call(Method::POST, "/v1/invitations/accept", Some(&app.token("a@example.com")), Some(json!({"token": token}))).await;
    let a_id = a.json["member"]["user_id"].as_str().expect("member").to_owned();
    app.call(Method::DELETE, &path(&t, &format!("/invitations/{b}")), Some(&owner), None).await;
    let moved = app.call(Method::PATCH, &path(&t, &format!("/invitations/{c}")), Some(&owner), Some(json!({"workspaces": ["east"]}))).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.json);
    let e_token = app.token_from_email("e@example.com");
    let declined =
        app.call(Method::POST, "/v1/invitations/decline", Some(&app.token("e@example.com")), Some(json!({"token": e_token}))).await;
    assert!(declined.status.is_success(), "{}", declined.json);
    let _ = e;
    let tenant = stored_tenant(table.as_ref(), &t).await.value;
    assert_eq!((used(&tenant, "north"), used(&tenant, "south"), used(&tenant, "east")), ((1, 0), (0, 1), (0, 2)));

    // The member moves to south, then is removed; the rest expire.
    app.call(Method::PATCH, &path(&t, &format!("/members/{a_id}")), Some(&owner), Some(json!({"workspaces": ["south"]}))).await;
    let tenant = stored_tenant(table.as_ref(), &t).await.value;
    assert_eq!((used(&tenant, "north"), used(&tenant, "south")), ((0, 0), (1, 1)));
    let removed = app
        .call(Method::DELETE, &path(&t, &format!("/members/{a_id}")), Some(&owner), Some(json!({"confirm_email": "a@example.com"})))
        .await;
    assert!(removed.status.is_success(), "{}", removed.json);
    app.clock.advance_secs(40 * 86_400);
    app.sweep().await;
    let tenant = stored_tenant(table.as_ref(), &t).await.value;
    assert_eq!((used(&tenant, "north"), used(&tenant, "south"), used(&tenant, "east")), ((0, 0), (0, 0), (0, 0)));

    let scans_before = table.scans.load(Ordering::SeqCst);
    let r = app.call(Method::DELETE, &path(&t, "/workspaces/south"), Some(&owner), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.json);
    assert_eq!(table.scans.load(Ordering::SeqCst), scans_before, "the tenant's own counters answered: no member or invitation read");
}

#[tokio::test]
async fn a_tenant_from_before_the_counters_is_counted_once_by_its_first_workspace_deletion() {
    let table = Arc::new(CountsScans { inner: Arc::new(SqliteTable::in_memory().expect("sqlite")), scans: Default::default() });
    let app = TestApp::with_table(table.clone());
    let t = app.tenant("Acme", OWNER, None).await;
    for ws in ["north", "south", "west"] {
        put_workspace(&app, &t, ws, json!({})).await;
    }
    let owner = app.token(OWNER);
    let body = json!({"email": "a@example.com", "role": "member", "workspaces": ["north", "south"]});
    app.call(Method::POST, &path(&t, "/invitations"), Some(&owner), Some(body)).await;
    // As an older version stored it: no counters, and not marked exact.
    let stored = stored_tenant(table.as_ref(), &t).await;
    let mut old = stored.value.clone();
    old.workspace_use = Default::default();
    old.workspace_use_exact = false;
    assert_eq!(table.transact(vec![schema::replace(stored.version, &old)]).await.expect("write"), Committed::Yes);

    let r = app.call(Method::DELETE, &path(&t, "/workspaces/north"), Some(&owner), None).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "invalid_state"), "{}", r.json);
    let scans = table.scans.load(Ordering::SeqCst);
    assert!(scans > 0, "counted from the members and invitations");
    // Refused, so nothing was written: counted again next time, until a deletion succeeds.
    let r = app.call(Method::DELETE, &path(&t, "/workspaces/west"), Some(&owner), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.json);
    let tenant = stored_tenant(table.as_ref(), &t).await.value;
    assert!(tenant.workspace_use_exact);
    assert_eq!((used(&tenant, "north"), used(&tenant, "south")), ((0, 1), (0, 1)), "the counters of every workspace, written with it");
    let scans = table.scans.load(Ordering::SeqCst);
    let r = app.call(Method::DELETE, &path(&t, "/workspaces/north"), Some(&owner), None).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.json);
    assert_eq!(table.scans.load(Ordering::SeqCst), scans, "from then on, the counters answer");
}
