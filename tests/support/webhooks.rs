//! A webhook endpoint for tests: records every request (the three Standard Webhooks headers,
//! the body, when) and answers 204, or 500 as told.

use axum::extract::State;
use http::{HeaderMap, StatusCode};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// One request the endpoint saw.
#[derive(Clone, Debug)]
pub struct Seen {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: String,
    pub tenant: String,
    pub at: Instant,
    pub answered: u16,
}

/// The endpoint's state (clone it to read what it saw).
#[derive(Clone, Default)]
pub struct Endpoint {
    pub seen: Arc<Mutex<Vec<Seen>>>,
    /// Event ids answered 500 the first time they arrive.
    pub fail_once: Arc<Mutex<Vec<String>>>,
    pub always_fail: bool,
    /// How long each answer takes (after the request is recorded): a slow receiver.
    pub delay: Option<std::time::Duration>,
}

async fn receive(State(ep): State<Endpoint>, headers: HeaderMap, body: String) -> StatusCode {
    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let tenant = serde_json::from_str::<Value>(&body).ok().and_then(|v| v["tenantid"].as_str().map(str::to_owned)).unwrap_or_default();
    let id = h("webhook-id");
    let status = {
        let mut seen = ep.seen.lock().unwrap();
        let failed_before = seen.iter().any(|s| s.id == id && s.answered == 500);
        let fail = ep.always_fail || (ep.fail_once.lock().unwrap().contains(&id) && !failed_before);
        let status = if fail { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::NO_CONTENT };
        seen.push(Seen {
            id,
            timestamp: h("webhook-timestamp"),
            signature: h("webhook-signature"),
            body,
            tenant,
            at: Instant::now(),
            answered: status.as_u16(),
        });
        status
    };
    if let Some(pause) = ep.delay {
        tokio::time::sleep(pause).await;
    }
    status
}

/// Serves `ep` on a free 127.0.0.1 port; its URL.
pub async fn start_endpoint(ep: Endpoint) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = axum::Router::new().route("/hooks", axum::routing::post(receive)).with_state(ep);
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}/hooks")
}
