//! Races resolved by the database: written once, run against every store.

use crate::TestApp;
use futures::future::join_all;
use http::{Method, StatusCode};
use serde_json::json;
use std::sync::Arc;

const OWNER: &str = "owner@acme.test";

async fn members_and_seats(app: &TestApp, t: &str) -> serde_json::Value {
    app.call(Method::GET, &format!("/v1/tenants/{t}/members"), Some(&app.token(OWNER)), None).await.json
}

/// 50 concurrent accepts of one invitation → exactly one membership, every answer 200.
pub async fn fifty_concurrent_accepts_make_exactly_one_membership(app: Arc<TestApp>) {
    let t = app.tenant("Acme", OWNER, None).await;
    app.invite(&t, OWNER, "ada@example.com", "member").await;
    let token = app.token_from_email("ada@example.com");
    let ada = app.token("ada@example.com");
    let calls = (0..50).map(|_| {
        let (app, token, ada) = (app.clone(), token.clone(), ada.clone());
        tokio::spawn(async move { app.call(Method::POST, "/v1/invitations/accept", Some(&ada), Some(json!({ "token": token }))).await })
    });
    let replies: Vec<_> = join_all(calls).await.into_iter().map(|r| r.expect("task")).collect();
    let user_ids: std::collections::HashSet<String> = replies
        .iter()
        .map(|r| {
            assert_eq!(r.status, StatusCode::OK, "{}", r.json);
            r.json["member"]["user_id"].as_str().unwrap_or_default().to_owned()
        })
        .collect();
    assert_eq!(user_ids.len(), 1, "every accept answered the same membership");
    let m = members_and_seats(&app, &t).await;
    assert_eq!(m["data"].as_array().map(Vec::len), Some(2));
    assert_eq!(m["seats"]["members"], 2);
    assert_eq!(m["seats"]["pending"], 0);
}

/// 10 concurrent invites of one address → exactly one pending invitation.
pub async fn ten_concurrent_invites_of_one_address_make_exactly_one_invitation(app: Arc<TestApp>) {
    let t = app.tenant("Acme", OWNER, None).await;
    let calls = (0..10).map(|i| {
        let (app, t) = (app.clone(), t.clone());
        let email = if i % 2 == 0 { "ada@example.com" } else { " ADA@Example.com" };
        tokio::spawn(async move { app.invite(&t, OWNER, email, "member").await })
    });
    let replies: Vec<_> = join_all(calls).await.into_iter().map(|r| r.expect("task")).collect();
    let created = replies.iter().filter(|r| r.status == StatusCode::CREATED).count();
    let refused = replies.iter().filter(|r| r.code() == "already_invited").count();
    assert_eq!((created, refused), (1, 9), "{:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
    let list = app.call(Method::GET, &format!("/v1/tenants/{t}/invitations"), Some(&app.token(OWNER)), None).await;
    assert_eq!(list.json["data"].as_array().map(Vec::len), Some(1));
    assert_eq!(members_and_seats(&app, &t).await["seats"]["pending"], 1);
    assert_eq!(app.messages_to("ada@example.com").len(), 1);
}

/// Concurrent invites for the last free seat → exactly one succeeds.
pub async fn concurrent_invites_for_the_last_seat_let_exactly_one_through(app: Arc<TestApp>) {
    let t = app.tenant("Small", OWNER, Some(3)).await;
    app.invite(&t, OWNER, "first@example.com", "member").await;
    let calls = (0..10).map(|i| {
        let (app, t) = (app.clone(), t.clone());
        tokio::spawn(async move { app.invite(&t, OWNER, &format!("racer{i}@example.com"), "member").await })
    });
    let replies: Vec<_> = join_all(calls).await.into_iter().map(|r| r.expect("task")).collect();
    let created = replies.iter().filter(|r| r.status == StatusCode::CREATED).count();
    let full = replies.iter().filter(|r| r.code() == "seat_limit_reached").count();
    assert_eq!((created, full), (1, 9));
    assert_eq!(members_and_seats(&app, &t).await["seats"], json!({"limit": 3, "members": 1, "pending": 2, "available": 0}));
}

/// Accept racing revoke → one wins, and everything agrees on which.
pub async fn accept_racing_revoke_leaves_one_winner_and_consistent_state(app: Arc<TestApp>) {
    for round in 0..5 {
        let t = app.tenant(&format!("Race {round}"), OWNER, None).await;
        let inv = app.invite(&t, OWNER, "ada@example.com", "member").await;
        let id = inv.json["id"].as_str().unwrap_or_default().to_owned();
        let token = app.token_from_email("ada@example.com");
        let (a, r) = {
            let (app1, app2) = (app.clone(), app.clone());
            let ada = app.token("ada@example.com");
            let owner = app.token(OWNER);
            let path = format!("/v1/tenants/{t}/invitations/{id}");
            let accept = tokio::spawn(async move {
                app1.call(Method::POST, "/v1/invitations/accept", Some(&ada), Some(json!({ "token": token }))).await
            });
            let revoke = tokio::spawn(async move { app2.call(Method::DELETE, &path, Some(&owner), None).await });
            (accept.await.expect("task"), revoke.await.expect("task"))
        };
        let accepted = a.status == StatusCode::OK;
        let revoked = r.status == StatusCode::OK;
        assert!(accepted ^ revoked, "exactly one wins: accept {} revoke {}", a.status, r.status);
        if accepted {
            assert_eq!(r.code(), "invalid_state");
        } else {
            assert_eq!(a.code(), "invitation_revoked");
        }
        let m = members_and_seats(&app, &t).await;
        let members = m["data"].as_array().map(Vec::len).unwrap_or_default();
        assert_eq!(members, if accepted { 2 } else { 1 });
        assert_eq!(m["seats"]["members"], members);
        assert_eq!(m["seats"]["pending"], 0);
    }
}

/// A table that counts the transactions that lost a race (a failed condition).
struct CountingLosses {
    inner: Arc<dyn usher_domain::ports::Table>,
    lost: std::sync::atomic::AtomicUsize,
}

#[async_trait::async_trait]
impl usher_domain::ports::Table for CountingLosses {
    async fn get(&self, key: &usher_domain::ports::Key) -> Result<Option<usher_domain::ports::Item>, usher_domain::ports::StoreError> {
        self.inner.get(key).await
    }
    async fn get_many(
        &self,
        keys: &[usher_domain::ports::Key],
    ) -> Result<Vec<Option<usher_domain::ports::Item>>, usher_domain::ports::StoreError> {
        self.inner.get_many(keys).await
    }
    async fn query(&self, q: &usher_domain::ports::Query) -> Result<usher_domain::ports::Page, usher_domain::ports::StoreError> {
        self.inner.query(q).await
    }
    async fn transact(
        &self,
        writes: Vec<usher_domain::ports::Write>,
    ) -> Result<usher_domain::ports::Committed, usher_domain::ports::StoreError> {
        let out = self.inner.transact(writes).await?;
        if out != usher_domain::ports::Committed::Yes {
            self.lost.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        Ok(out)
    }
}

/// 20 concurrent writers in one tenant (10 invites, 5 accepts, 5 revokes, on different people)
/// all succeed, and none of them loses a race: the tenant's counters are count writes, not a
/// whole item rewritten under a version, so unrelated writes in one tenant do not conflict.
pub async fn twenty_concurrent_writers_in_one_tenant_all_succeed_without_conflicting(table: Arc<dyn usher_domain::ports::Table>) {
    let counting = Arc::new(CountingLosses { inner: table, lost: std::sync::atomic::AtomicUsize::new(0) });
    let app = Arc::new(TestApp::with_table(counting.clone()));
    let t = app.tenant("Busy", OWNER, Some(100)).await;
    let mut tokens = Vec::new();
    let mut ids = Vec::new();
    for i in 0..5 {
        app.invite(&t, OWNER, &format!("joiner{i}@example.com"), "member").await;
        tokens.push((format!("joiner{i}@example.com"), app.token_from_email(&format!("joiner{i}@example.com"))));
        let r = app.invite(&t, OWNER, &format!("dropped{i}@example.com"), "member").await;
        ids.push(r.json["id"].as_str().unwrap_or_default().to_owned());
    }
    let before = counting.lost.load(std::sync::atomic::Ordering::SeqCst);
    let mut calls = Vec::new();
    for i in 0..10 {
        let (app, t) = (app.clone(), t.clone());
        calls.push(tokio::spawn(async move { app.invite(&t, OWNER, &format!("new{i}@example.com"), "viewer").await }));
    }
    for (email, token) in tokens {
        let app = app.clone();
        calls.push(tokio::spawn(async move {
            app.call(Method::POST, "/v1/invitations/accept", Some(&app.token(&email)), Some(json!({ "token": token }))).await
        }));
    }
    for id in ids {
        let (app, path) = (app.clone(), format!("/v1/tenants/{t}/invitations/{id}"));
        calls.push(tokio::spawn(async move { app.call(Method::DELETE, &path, Some(&app.token(OWNER)), None).await }));
    }
    let replies: Vec<_> = join_all(calls).await.into_iter().map(|r| r.expect("task")).collect();
    for r in &replies {
        assert!(r.status.is_success(), "every writer succeeds: {} {}", r.status, r.json);
    }
    assert_eq!(counting.lost.load(std::sync::atomic::Ordering::SeqCst) - before, 0, "no writer lost a race to an unrelated one");
    let m = members_and_seats(&app, &t).await;
    assert_eq!(m["seats"], json!({"limit": 100, "members": 6, "pending": 10, "available": 84}));
    assert_eq!(m["roles"], json!({"member": 5, "owner": 1}));
}

/// Two bulk calls racing for the last seats: together they never take more than are free, and
/// each call's seats go to its rows in order (its invited rows are a prefix of its rows).
pub async fn two_bulk_calls_racing_for_the_last_seats_never_overshoot_and_keep_row_order(app: Arc<TestApp>) {
    let t = app.tenant("Small", OWNER, Some(10)).await;
    let calls = ["a", "b"].map(|who| {
        let (app, t) = (app.clone(), t.clone());
        let rows: Vec<serde_json::Value> = (0..8).map(|i| json!({"email": format!("{who}{i}@example.com"), "role": "viewer"})).collect();
        tokio::spawn(async move {
            app.call(Method::POST, &format!("/v1/tenants/{t}/invitations"), Some(&app.token(OWNER)), Some(json!({ "invitations": rows })))
                .await
        })
    });
    let replies: Vec<_> = join_all(calls).await.into_iter().map(|r| r.expect("task")).collect();
    let mut invited = 0;
    for r in &replies {
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        let outcomes: Vec<&str> =
            r.json["results"].as_array().expect("results").iter().map(|x| x["outcome"].as_str().unwrap_or("")).collect();
        let n = outcomes.iter().take_while(|o| **o == "invited").count();
        assert!(outcomes[n..].iter().all(|o| *o == "error"), "seats in row order: {outcomes:?}");
        assert!(r.json["results"].as_array().expect("results")[n..].iter().all(|x| x["code"] == "seat_limit_reached"), "{}", r.json);
        invited += n;
    }
    assert_eq!(invited, 9, "exactly the 9 free seats were taken");
    assert_eq!(members_and_seats(&app, &t).await["seats"], json!({"limit": 10, "members": 1, "pending": 9, "available": 0}));
}
