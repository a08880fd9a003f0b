//! The public token routes (lookup, renewal request) are budgeted per source address and per
//! token, counted in the store: a flood of guesses gets `429 rate_limited` with `Retry-After`,
//! other sources are unaffected, and the budget holds across app instances (Lambda containers)
//! that share the table.

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use std::net::IpAddr;
use std::sync::Arc;
use usher_domain::ports::Table;
use usher_http::{RequestContext, SourceIp};
use usher_store::SqliteTable;
use usher_tests::{Reply, TestApp};

const OWNER: &str = "owner@acme.test";

/// A public POST from `ip` with `{"token": token}`, as a host hands it over.
async fn from(app: &TestApp, ip: &str, route: &str, token: &str) -> Reply {
    let body = serde_json::json!({ "token": token }).to_string();
    let mut req = Request::builder()
        .method(Method::POST)
        .uri(format!("/v1/invitations/{route}"))
        .header("content-type", "application/json")
        .body(Bytes::from(body))
        .expect("request");
    req.extensions_mut().insert(SourceIp(ip.parse::<IpAddr>().expect("ip")));
    let ctx = RequestContext { request_id: "req-test".into(), iam_operator: false };
    let (parts, bytes) = app.app.handle(req, ctx).await.into_parts();
    let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    Reply { status: parts.status, headers: parts.headers, bytes, json }
}

/// A well-formed token that opens nothing.
fn wrong_token(i: usize) -> String {
    format!("{i:0>43}")
}

fn assert_rate_limited(r: &Reply) {
    assert_eq!((r.status, r.code()), (StatusCode::TOO_MANY_REQUESTS, "rate_limited"), "{}", r.json);
    let wait: u64 = r.header("retry-after").expect("Retry-After").parse().expect("seconds");
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    assert_eq!(r.header("x-request-id"), Some("req-test"));
}

#[tokio::test]
async fn three_hundred_wrong_token_lookups_from_one_source_are_answered_429_with_retry_after() {
    let app = TestApp::new();
    let tokens: Vec<String> = (0..300).map(wrong_token).collect();
    let replies = futures::future::join_all(tokens.iter().map(|t| from(&app, "203.0.113.7", "lookup", t))).await;
    let limited: Vec<&Reply> = replies.iter().filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS).collect();
    assert!(limited.len() >= 270, "only {} of 300 were limited", limited.len());
    assert!(replies.iter().all(|r| !r.status.is_server_error()), "no 5xx under a flood");
    for r in limited {
        assert_rate_limited(r);
    }
    // Renewal requests from that source share its budget.
    assert_rate_limited(&from(&app, "203.0.113.7", "renewal-request", &wrong_token(1000)).await);
    // Another source is unaffected.
    let other = from(&app, "198.51.100.9", "lookup", &wrong_token(1001)).await;
    assert_ne!(other.status, StatusCode::TOO_MANY_REQUESTS, "{}", other.json);
    // The window passes.
    app.clock.advance_secs(61);
    let later = from(&app, "203.0.113.7", "lookup", &wrong_token(1002)).await;
    assert_ne!(later.status, StatusCode::TOO_MANY_REQUESTS, "{}", later.json);
}

#[tokio::test]
async fn one_token_tried_from_many_sources_is_limited_per_token() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    app.invite(&t, OWNER, "ada@example.com", "member").await;
    let token = app.token_from_email("ada@example.com");
    let mut statuses = Vec::new();
    for i in 0..15 {
        statuses.push(from(&app, &format!("192.0.2.{i}"), "lookup", &token).await.status);
    }
    assert!(statuses[..10].iter().all(|s| *s == StatusCode::OK), "{statuses:?}");
    assert!(statuses[10..].iter().all(|s| *s == StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    // Another token from those sources still works.
    app.invite(&t, OWNER, "bob@example.com", "member").await;
    let bob = from(&app, "192.0.2.1", "lookup", &app.token_from_email("bob@example.com")).await;
    assert_eq!(bob.status, StatusCode::OK, "{}", bob.json);
}

#[tokio::test]
async fn renewal_requests_are_limited_too() {
    let app = TestApp::new();
    let mut last = None;
    for i in 0..31 {
        last = Some(from(&app, "203.0.113.8", "renewal-request", &wrong_token(i)).await);
    }
    assert_rate_limited(&last.expect("a reply"));
}

#[tokio::test]
async fn the_limit_holds_across_two_app_instances_sharing_one_store() {
    let table: Arc<dyn Table> = Arc::new(SqliteTable::in_memory().expect("sqlite"));
    let first = TestApp::with_table(table.clone());
    let second = TestApp::with_table(table);
    for i in 0..20 {
        let r = from(&first, "203.0.113.9", "lookup", &wrong_token(i)).await;
        assert_ne!(r.status, StatusCode::TOO_MANY_REQUESTS, "{i}: {}", r.json);
    }
    let mut limited = 0;
    for i in 20..40 {
        if from(&second, "203.0.113.9", "lookup", &wrong_token(i)).await.status == StatusCode::TOO_MANY_REQUESTS {
            limited += 1;
        }
    }
    assert_eq!(limited, 10, "the second instance sees the first one's 20 requests");
}

#[tokio::test]
async fn signed_in_routes_are_not_counted_against_the_public_budget() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    for _ in 0..40 {
        let r = app.call(Method::GET, &format!("/v1/tenants/{t}/members"), Some(&app.token(OWNER)), None).await;
        assert_eq!(r.status, StatusCode::OK);
    }
}

#[tokio::test]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn on_dynamodb_the_limit_holds_across_two_app_instances() {
    let table: Arc<dyn Table> = usher_tests::aws::new_table().await;
    let first = TestApp::with_table(table.clone());
    let second = TestApp::with_table(table);
    for i in 0..30 {
        let r = from(&first, "203.0.113.10", "lookup", &wrong_token(i)).await;
        assert_ne!(r.status, StatusCode::TOO_MANY_REQUESTS, "{i}: {}", r.json);
    }
    assert_rate_limited(&from(&second, "203.0.113.10", "renewal-request", &wrong_token(30)).await);
    let other = from(&second, "198.51.100.10", "lookup", &wrong_token(31)).await;
    assert_ne!(other.status, StatusCode::TOO_MANY_REQUESTS, "{}", other.json);
}

/// The first requests of a window race to create its counter: one creates it, the others count
/// again. None of them is refused while the window is not full (a loser once read the fresh
/// window as full and answered 429).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_first_requests_of_a_window_are_all_counted_and_none_refused() {
    use usher_domain::usecases::rate_limit::{Bucket, Limit, Verdict, hit};
    for round in 0..5 {
        let app = Arc::new(TestApp::new());
        let calls = (0..40).map(|_| {
            let app = app.clone();
            async move { hit(&app.deps, Bucket::ScimToken, &format!("sct_race{round}"), Limit::per_minute(1000)).await.expect("counted") }
        });
        let verdicts = futures::future::join_all(calls).await;
        assert!(verdicts.iter().all(|v| *v == Verdict::Allowed), "round {round}: {verdicts:?}");
    }
}
