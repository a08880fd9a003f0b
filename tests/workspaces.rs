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
