//! The webhook endpoint over HTTPS (reqwest on rustls, the client the JWKS fetch already uses):
//! one POST per attempt, bounded in time, never following a redirect (the events go to the
//! configured address only).

use async_trait::async_trait;
use std::time::Duration;
use usher_domain::events::{WebhookEndpoint, WebhookFailure};

/// How long one attempt may take, connect included (a slow endpoint is retried later).
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// A host application's webhook URL.
#[derive(Debug, Clone)]
pub struct HttpWebhookEndpoint {
    client: reqwest::Client,
    url: String,
}

impl HttpWebhookEndpoint {
    /// An endpoint at `url` (http or https).
    pub fn new(url: &str) -> Result<Self, String> {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(format!("the webhook URL '{url}' is not an http(s) URL"));
        }
        let client = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(ATTEMPT_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Usher-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot build the webhook HTTP client: {e}"))?;
        Ok(Self { client, url: url.to_owned() })
    }
}

#[async_trait]
impl WebhookEndpoint for HttpWebhookEndpoint {
    async fn post(&self, headers: &[(&'static str, String)], body: &[u8]) -> Result<(), WebhookFailure> {
        let mut req = self.client.post(&self.url).header(http::header::CONTENT_TYPE, "application/json").body(body.to_vec());
        for (name, value) in headers {
            req = req.header(*name, value);
        }
        let resp = req.send().await.map_err(|e| WebhookFailure::Unreachable(without_url(&e)))?;
        let status = resp.status();
        if status.is_success() { Ok(()) } else { Err(WebhookFailure::Status(status.as_u16())) }
    }
}

/// The error without the URL (it may carry credentials in its query string).
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_redirect() {
        "redirected"
    } else {
        "request failed"
    };
    kind.to_owned()
}
