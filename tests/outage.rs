//! Outages, by fault injection, through the real `App` and the real adapters: DynamoDB refusing
//! connections, accepting them and never answering, or throttling (a proxy in front of moto), and
//! the identity provider's key set unreachable. Each answers `503 unavailable` with
//! `Retry-After`, in bounded time (the SDK and JWKS settings production uses), with nothing
//! half-done. And SES errors, which can name the recipient, lose the address before they are
//! stored or logged.
//!
//! The tests that need moto (the throttling proxy sits in front of it) are ignored by plain
//! `cargo test`; `infra/scripts/test.sh` runs them. The others need nothing but a loopback port.

use bytes::Bytes;
use http::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use usher_aws::{DynamoTable, SesMailer};
use usher_domain::ports::{Mailer, OutgoingEmail};
use usher_http::{App, HttpConfig, JwksVerifier, RequestContext};
use usher_tests::{Reply, TestApp, aws};

/// Generous: a protection test, not a benchmark. Production's budget is a few seconds per call
/// (`usher_aws::sdk_timeouts`), inside the functions' 10 s timeout.
const BOUND: Duration = Duration::from_secs(15);

const OWNER: &str = "owner@acme.test";

/// A DynamoDB client for `endpoint` with production's timeouts and retries (not the test
/// suites' "no retries" client): what is measured here is what a function would do.
fn dynamodb_at(endpoint: &str) -> aws_sdk_dynamodb::Client {
    use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "usher-outage"))
        .retry_config(usher_aws::sdk_retries())
        .timeout_config(usher_aws::sdk_timeouts())
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

/// An app whose table is `name` behind `endpoint`.
fn app_on(endpoint: &str, name: &str) -> TestApp {
    TestApp::with_table(Arc::new(DynamoTable::new(dynamodb_at(endpoint), name)))
}

/// An address where nothing listens: connections are refused at once.
async fn closed_port() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

/// A server that accepts connections and reads, but never answers: the slowest way to be down.
async fn silent_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    format!("http://{addr}")
}

/// Awaits `call`, failing the test (instead of hanging it) if it takes longer than `BOUND`.
async fn within_bound<T>(call: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(BOUND, call).await.unwrap_or_else(|_| panic!("no answer within {BOUND:?}"))
}

/// The answer is `503 unavailable` with a usable `Retry-After`, and came within `BOUND`.
#[track_caller]
fn assert_unavailable_in_time(r: &Reply, started: Instant) {
    let took = started.elapsed();
    assert_eq!((r.status, r.code()), (StatusCode::SERVICE_UNAVAILABLE, "unavailable"), "{}", r.json);
    let retry_after: u64 = r.header("retry-after").and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("Retry-After: {:?}", r.headers));
    assert!(retry_after >= 1, "Retry-After: {retry_after}");
    assert!(took < BOUND, "answered after {took:?}");
}

#[tokio::test]
async fn a_dynamodb_that_refuses_connections_answers_503_unavailable_with_retry_after_in_bounded_time() {
    let app = app_on(&closed_port().await, "usher-outage");

    let started = Instant::now();
    let create =
        within_bound(app.call(Method::POST, "/v1/tenants", Some(&app.operator()), Some(json!({"name": "Acme", "owner_email": OWNER}))))
            .await;
    assert_unavailable_in_time(&create, started);

    let started = Instant::now();
    let mine = within_bound(app.call(Method::GET, "/v1/me/tenants", Some(&app.token(OWNER)), None)).await;
    assert_unavailable_in_time(&mine, started);
    assert!(!mine.bytes.windows(9).any(|w| w == b"127.0.0.1"), "the cause stays in the logs: {}", mine.json);
}

#[tokio::test]
async fn a_dynamodb_that_never_answers_answers_503_unavailable_within_the_sdk_timeouts() {
    let app = app_on(&silent_server().await, "usher-outage");

    let started = Instant::now();
    let mine = within_bound(app.call(Method::GET, "/v1/me/tenants", Some(&app.token(OWNER)), None)).await;

    assert_unavailable_in_time(&mine, started);
    // One call's whole budget (attempts and retries) and a little slack: the settings are applied.
    assert!(started.elapsed() < usher_aws::OPERATION_TIMEOUT + Duration::from_secs(2), "took {:?}", started.elapsed());
}

/// A proxy in front of moto that answers DynamoDB's throttling error (as DynamoDB does: HTTP 400,
/// JSON `__type`) for the operations in `throttled`, and passes everything else through.
struct ThrottlingProxy {
    url: String,
    /// Requests answered with the throttling error (the SDK's retries included).
    throttled: Arc<AtomicUsize>,
}

impl ThrottlingProxy {
    async fn start(throttled_ops: &'static [&'static str], error: &'static str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let upstream = aws::endpoint().trim_start_matches("http://").to_owned();
        let throttled = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&throttled);
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (upstream, count) = (upstream.clone(), Arc::clone(&count));
                tokio::spawn(async move {
                    let _ = relay(client, &upstream, throttled_ops, error, &count).await;
                });
            }
        });
        Self { url, throttled }
    }
}

/// One request per connection: throttled, or forwarded to moto (which answers HTTP/1.0 and
/// closes) and its answer copied back.
async fn relay(mut client: TcpStream, upstream: &str, throttled_ops: &[&str], error: &str, count: &AtomicUsize) -> std::io::Result<()> {
    let request = read_request(&mut client).await?;
    let head = String::from_utf8_lossy(&request).to_ascii_lowercase();
    let op = head.lines().find_map(|l| l.strip_prefix("x-amz-target:")).map(str::trim).unwrap_or_default().to_owned();
    if throttled_ops.iter().any(|t| op.ends_with(&t.to_ascii_lowercase())) {
        count.fetch_add(1, Ordering::SeqCst);
        let body = json!({"__type": format!("com.amazonaws.dynamodb.v20120810#{error}"), "message": "Rate of requests exceeds the allowed throughput."})
            .to_string();
        let answer = format!(
            "HTTP/1.1 400 Bad Request\r\ncontent-type: application/x-amz-json-1.0\r\nx-amzn-requestid: outage-test\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        client.write_all(answer.as_bytes()).await?;
    } else {
        let mut moto = TcpStream::connect(upstream).await?;
        moto.write_all(&request).await?;
        let mut answer = Vec::new();
        moto.read_to_end(&mut answer).await?;
        client.write_all(&answer).await?;
    }
    client.shutdown().await
}

/// Reads one HTTP request: the head, then `content-length` bytes of body.
async fn read_request(stream: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length: usize = head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse().ok()).unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(buf)
}

#[tokio::test]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn throttled_writes_answer_503_unavailable_and_leave_nothing_written_and_nothing_sent() {
    let table = aws::new_table().await;
    let direct = TestApp::with_table(table.clone());
    let t = direct.tenant("Acme", OWNER, Some(5)).await;
    const WRITES: &[&str] = &["TransactWriteItems", "PutItem", "DeleteItem", "UpdateItem"];
    let proxy = ThrottlingProxy::start(WRITES, "ThrottlingException").await;
    let throttled = app_on(&proxy.url, table.name());
    let ada = format!("ada-{}@example.com", aws::unique());

    let started = Instant::now();
    let invite = within_bound(throttled.invite(&t, OWNER, &ada, "member")).await;

    assert_unavailable_in_time(&invite, started);
    assert!(proxy.throttled.load(Ordering::SeqCst) >= 2, "the SDK retried the throttled write before giving up");
    assert!(throttled.outbox_messages().is_empty(), "no email for an invitation that was not saved");
    // Read back through moto directly: no invitation, no seat taken, no guard left behind.
    let owner = direct.token(OWNER);
    let listed = direct.call(Method::GET, &format!("/v1/tenants/{t}/invitations"), Some(&owner), None).await;
    assert_eq!(listed.json["data"], json!([]), "{}", listed.json);
    let members = direct.call(Method::GET, &format!("/v1/tenants/{t}/members"), Some(&owner), None).await;
    assert_eq!(members.json["seats"]["pending"], 0, "{}", members.json);
    let again = direct.invite(&t, OWNER, &ada, "member").await;
    assert_eq!(again.status, StatusCode::CREATED, "the address is free to invite once DynamoDB is back: {}", again.json);
}

#[tokio::test]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn reads_over_provisioned_throughput_answer_503_unavailable() {
    let table = aws::new_table().await;
    let direct = TestApp::with_table(table.clone());
    let t = direct.tenant("Acme", OWNER, None).await;
    const READS: &[&str] = &["GetItem", "Query"];
    let proxy = ThrottlingProxy::start(READS, "ProvisionedThroughputExceededException").await;
    let throttled = app_on(&proxy.url, table.name());

    let started = Instant::now();
    let members = within_bound(throttled.call(Method::GET, &format!("/v1/tenants/{t}/members"), Some(&throttled.token(OWNER)), None)).await;

    assert_unavailable_in_time(&members, started);
    assert!(proxy.throttled.load(Ordering::SeqCst) >= 1);
}

/// A token whose header names an RS256 key: enough to make the verifier look the key up.
fn idp_shaped_token() -> String {
    use base64::Engine;
    let b64 = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let header = b64(json!({"alg": "RS256", "kid": "idp-key-1", "typ": "JWT"}));
    let claims = b64(json!({"sub": "idp|ada", "iss": "https://idp.example", "aud": "usher", "exp": 4_102_444_800_i64}));
    format!("{header}.{claims}.c2lnbmF0dXJl")
}

/// Calls `app` as a signed-in person, on a JWT route.
async fn call_as(app: &App, bearer: &str) -> Reply {
    let req = http::Request::builder()
        .method(Method::GET)
        .uri("/v1/me/tenants")
        .header("authorization", format!("Bearer {bearer}"))
        .body(Bytes::new())
        .unwrap();
    let resp = app.handle(req, RequestContext { request_id: "req-outage".into(), iam_operator: false }).await;
    let (parts, bytes) = resp.into_parts();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Reply { status: parts.status, headers: parts.headers, bytes, json }
}

#[tokio::test]
async fn an_unreachable_key_set_answers_503_unavailable_on_a_jwt_route() {
    for (what, base) in [("refused", closed_port().await), ("silent", silent_server().await)] {
        let ports = TestApp::new();
        let verifier = JwksVerifier::new(
            format!("{base}/.well-known/jwks.json"),
            "https://idp.example".into(),
            "usher".into(),
            vec![usher_http::jwks::Algorithm::RS256],
        );
        let app = App::new(ports.deps.clone(), Arc::new(verifier), HttpConfig::default());

        let started = Instant::now();
        let r = within_bound(call_as(&app, &idp_shaped_token())).await;

        assert_unavailable_in_time(&r, started);
        assert!(started.elapsed() < usher_http::jwks::FETCH_TIMEOUT + Duration::from_secs(2), "{what}: took {:?}", started.elapsed());
    }
}

/// A stand-in SES endpoint that rejects every message the way SES does when the recipient is
/// not allowed (sandbox), naming the address in the message.
async fn rejecting_ses() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Ok(request) = read_request(&mut stream).await else { return };
                let text = String::from_utf8_lossy(&request);
                // Echo the addresses from the request, as SES's message does.
                let to = text.split('"').find(|s| s.contains("@example.com")).unwrap_or("someone@example.com").to_owned();
                let body = json!({"message": format!(
                    "Email address is not verified. The following identities failed the check in region US-EAST-1: {to}"
                )})
                .to_string();
                let answer = format!(
                    "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nx-amzn-errortype: MessageRejected\r\nx-amzn-requestid: outage-test\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    url
}

fn ses_at(endpoint: &str) -> SesMailer {
    use aws_sdk_sesv2::config::{BehaviorVersion, Credentials, Region};
    let config = aws_sdk_sesv2::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "usher-outage"))
        .retry_config(aws_sdk_sesv2::config::retry::RetryConfig::disabled())
        .build();
    SesMailer::new(aws_sdk_sesv2::Client::from_conf(config), "Usher <no-reply@usher.test>", None)
}

#[tokio::test]
async fn an_ses_rejection_naming_the_recipient_is_stored_without_the_address() {
    let ses = ses_at(&rejecting_ses().await);
    let message = OutgoingEmail {
        tags: Vec::new(),
        to: usher_domain::values::Email::parse("ada.lovelace@example.com").unwrap(),
        subject: "Hi".into(),
        html: "<p>Hi</p>".into(),
        text: "Hi".into(),
    };
    let why = ses.send(&message).await.unwrap_err().0;
    assert!(why.contains("not verified"), "the reason survives: {why}");
    assert!(why.contains("example.com"), "the domain survives: {why}");
    assert!(!why.contains("ada.lovelace"), "the address is gone: {why}");

    // Through the app: the reason is stored on the invitation, shown to admins, without it.
    let app = TestApp::with_ports(Arc::new(usher_store::SqliteTable::in_memory().unwrap()), Some(Arc::new(ses)));
    let t = app.tenant("Acme", OWNER, None).await;
    let inv = app.invite(&t, OWNER, "grace.hopper@example.com", "member").await;
    assert_eq!(inv.status, StatusCode::CREATED, "{}", inv.json);
    let id = inv.json["id"].as_str().unwrap_or_default();
    let inv = app.call(Method::GET, &format!("/v1/tenants/{t}/invitations/{id}"), Some(&app.token(OWNER)), None).await;
    assert_eq!(inv.json["delivery"]["status"], "failed", "{}", inv.json);
    let stored = inv.json["delivery"]["last_error"].as_str().unwrap_or_default();
    assert!(stored.contains("not verified") && !stored.contains("grace.hopper"), "{stored}");
}
