//! The edges of the HTTP layer: refusals carry the same headers as every answer, JSON bodies
//! need their content type, field errors name the JSON path, and Idempotency-Key scopes and
//! in-flight conflicts behave.

use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use usher_domain::ports::{Committed, Item, Key, Page, Query, StoreError, Table, Write};
use usher_http::{Refusal, RequestContext};
use usher_store::SqliteTable;
use usher_tests::{Reply, TestApp};

const OWNER: &str = "owner@acme.test";

fn ctx() -> RequestContext {
    RequestContext { request_id: "req-edge".into(), iam_operator: false }
}

fn reply(resp: http::Response<Bytes>) -> Reply {
    let (parts, bytes) = resp.into_parts();
    let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    Reply { status: parts.status, headers: parts.headers, bytes, json }
}

/// A request exactly as given: no header is added.
async fn raw(app: &TestApp, method: Method, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let mut req = Request::builder().method(method).uri(path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    reply(app.app.handle(req.body(Bytes::copy_from_slice(body)).expect("request"), ctx()).await)
}

fn assert_common_headers(r: &Reply, what: &str) {
    assert_eq!(r.header("x-request-id"), Some("req-edge"), "{what}");
    assert_eq!(r.header("cache-control"), Some("no-store"), "{what}");
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"), "{what}");
    assert_eq!(r.header("content-type"), Some("application/problem+json; charset=utf-8"), "{what}");
}

#[tokio::test]
async fn refusals_413_and_431_carry_the_request_id_no_store_and_nosniff() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let bearer = format!("Bearer {}", app.token(OWNER));
    // The app's own limits.
    let big = vec![b' '; 65 * 1024];
    let path = format!("/v1/tenants/{t}/invitations");
    let r = raw(&app, Method::POST, &path, &[("authorization", &bearer), ("content-type", "application/json")], &big).await;
    assert_eq!((r.status, r.code()), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"));
    assert_common_headers(&r, "413 from the app");
    let huge = "x".repeat(20 * 1024);
    let r = raw(&app, Method::GET, &path, &[("authorization", &bearer), ("x-padding", &huge)], b"").await;
    assert_eq!(r.status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "{}", r.json);
    assert_eq!(r.json["status"], 431);
    assert_common_headers(&r, "431 from the app");
    // What a host refuses before the app runs, answered through the app.
    let mut headers = HeaderMap::new();
    headers.insert("origin", "https://app.example".parse().expect("header"));
    for (why, status) in [
        (Refusal::BodyTooLarge { limit: 1024 }, StatusCode::PAYLOAD_TOO_LARGE),
        (Refusal::HeadersTooLarge, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE),
    ] {
        let r = reply(app.app.refuse(why, &headers, &ctx()));
        assert_eq!(r.status, status);
        assert_eq!(r.json["status"], status.as_u16());
        assert_eq!(r.json["request_id"], "req-edge");
        assert_common_headers(&r, &format!("{why:?}"));
        assert_eq!(r.header("access-control-allow-origin"), Some("https://app.example"));
    }
}

#[tokio::test]
async fn a_json_body_without_a_content_type_is_400_naming_content_type() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let bearer = format!("Bearer {}", app.token(OWNER));
    let body = json!({"email": "ada@example.com", "role": "member"}).to_string();
    let path = format!("/v1/tenants/{t}/invitations");
    for headers in [vec![("authorization", bearer.as_str())], vec![("authorization", bearer.as_str()), ("content-type", "")]] {
        let r = raw(&app, Method::POST, &path, &headers, body.as_bytes()).await;
        assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "invalid_request"), "{}", r.json);
        assert_eq!(r.json["errors"][0]["field"], "Content-Type", "{}", r.json);
    }
    let r = raw(&app, Method::POST, &path, &[("authorization", &bearer), ("content-type", "text/plain")], body.as_bytes()).await;
    assert_eq!(r.json["errors"][0]["field"], "Content-Type", "{}", r.json);
    assert!(app.messages_to("ada@example.com").is_empty(), "nothing was invited");
    // The public routes too.
    let r = raw(&app, Method::POST, "/v1/invitations/lookup", &[], br#"{"token": "x"}"#).await;
    assert_eq!(r.json["errors"][0]["field"], "Content-Type", "{}", r.json);
    // With the type (parameters and +json allowed), the same body is accepted.
    let ok =
        raw(&app, Method::POST, &path, &[("authorization", &bearer), ("content-type", "Application/JSON; charset=utf-8")], body.as_bytes())
            .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.json);
}

#[tokio::test]
async fn unknown_and_malformed_fields_are_reported_at_their_json_path() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let owner = app.token(OWNER);
    let path = format!("/v1/tenants/{t}/invitations");
    let cases = [
        (json!({"email": "a@b.co", "role": "member", "profile": {"nickname": "x"}}), "profile.nickname", "unknown_field"),
        (json!({"email": "a@b.co", "role": "member", "emial": 1}), "emial", "unknown_field"),
        (json!({"email": "a@b.co", "role": "member", "workspaces": ["north", 7]}), "workspaces[1]", "invalid_field"),
        (json!({"email": "a@b.co", "role": "member", "expires_in_days": "soon"}), "expires_in_days", "invalid_field"),
    ];
    for (body, field, code) in cases {
        let r = app.call(Method::POST, &path, Some(&owner), Some(body.clone())).await;
        assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "invalid_request"), "{body}: {}", r.json);
        assert_eq!(r.json["errors"][0]["field"], field, "{body}: {}", r.json);
        assert_eq!(r.json["errors"][0]["code"], code, "{body}: {}", r.json);
    }
    // Other routes' bodies too: a member patch with an unknown profile field.
    let r = app.call(Method::PATCH, &format!("/v1/tenants/{t}/settings"), Some(&owner), Some(json!({"name": 5}))).await;
    assert_eq!(r.json["errors"][0]["field"], "name", "{}", r.json);
    // Broken JSON is about the body as a whole.
    let r = app.call_with(Method::POST, &path, Some(&owner), Some(b"{\"email\":".to_vec()), &[]).await;
    assert_eq!((r.json["errors"][0]["field"].as_str(), r.json["errors"][0]["code"].as_str()), (Some("body"), Some("invalid_json")));
}

/// A table whose invitation writes take their time, so a request is still running when its
/// duplicate arrives.
struct SlowWrites(SqliteTable);

#[async_trait::async_trait]
impl Table for SlowWrites {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.0.get(key).await
    }
    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        self.0.query(query).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<Committed, StoreError> {
        if writes.iter().any(|w| w.key().sk.starts_with("I#")) {
            tokio::time::sleep(Duration::from_millis(400)).await;
        }
        self.0.transact(writes).await
    }
}

#[tokio::test]
async fn a_duplicate_of_a_request_still_running_is_409_with_retry_after() {
    let app = TestApp::with_ports(Arc::new(SlowWrites(SqliteTable::in_memory().expect("sqlite"))), None);
    let t = app.tenant("Acme", OWNER, None).await;
    let owner = app.token(OWNER);
    let path = format!("/v1/tenants/{t}/invitations");
    let body = json!({"email": "ada@example.com", "role": "member"}).to_string().into_bytes();
    let key = [("idempotency-key", "same-key")];
    let (first, second) = tokio::join!(app.call_with(Method::POST, &path, Some(&owner), Some(body.clone()), &key), async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        app.call_with(Method::POST, &path, Some(&owner), Some(body.clone()), &key).await
    });
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.json);
    assert_eq!((second.status, second.code()), (StatusCode::CONFLICT, "idempotency_conflict"), "{}", second.json);
    let wait: u64 = second.header("retry-after").expect("Retry-After on an in-flight duplicate").parse().expect("seconds");
    assert!((1..=60).contains(&wait));
    // A different request under a used key is not worth retrying: no Retry-After.
    let other = json!({"email": "bob@example.com", "role": "member"}).to_string().into_bytes();
    let conflict = app.call_with(Method::POST, &path, Some(&owner), Some(other), &key).await;
    assert_eq!(conflict.code(), "idempotency_conflict");
    assert_eq!(conflict.header("retry-after"), None);
}

#[tokio::test]
async fn idempotency_keys_of_different_people_never_collide_even_with_a_hash_in_the_subject() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let path = format!("/v1/tenants/{t}/invitations");
    let body = json!({"email": "ada@example.com", "role": "member"}).to_string().into_bytes();
    // `u:{sub}#{key}` read "x#k1" + "k2" and "x" + "k1#k2" as one key.
    let first = app.token_with("one@example.com", "x#k1", true, false);
    let second = app.token_with("two@example.com", "x", true, false);
    let a = app.call_with(Method::POST, &path, Some(&first), Some(body.clone()), &[("idempotency-key", "k2")]).await;
    let b = app.call_with(Method::POST, &path, Some(&second), Some(body), &[("idempotency-key", "k1#k2")]).await;
    assert_eq!(a.status, b.status, "{} / {}", a.json, b.json);
    assert_eq!(b.header("idempotent-replayed"), None, "another person's response was replayed: {}", b.json);
}

#[tokio::test]
async fn the_export_path_is_never_a_user_id_every_other_method_is_405_allow_get() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let owner = app.token(OWNER);
    let export = format!("/v1/tenants/{t}/members/export");
    for method in [Method::PATCH, Method::DELETE, Method::PUT, Method::POST] {
        let body = (method == Method::PATCH).then(|| json!({"role": "member"}));
        let r = app.call(method.clone(), &export, Some(&owner), body).await;
        assert_eq!((r.status, r.code()), (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"), "{method}: {}", r.json);
        assert_eq!(r.header("allow"), Some("GET"), "{method}");
    }
    let r = app.call(Method::GET, &export, Some(&owner), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    // A user id is still a user id: an unknown one is 404, and PUT there allows what it has.
    let member = format!("/v1/tenants/{t}/members/usr_0190b4a1c2d37e8f9a0b1c2d3e4f5a6b");
    let r = app.call(Method::DELETE, &member, Some(&owner), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.json);
    let r = app.call(Method::PUT, &member, Some(&owner), None).await;
    assert_eq!((r.status, r.header("allow")), (StatusCode::METHOD_NOT_ALLOWED, Some("DELETE, PATCH")), "{}", r.json);
}
