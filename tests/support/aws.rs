//! The local AWS-compatible server (moto) for the adapter suites. `infra/scripts/test.sh`
//! installs it into `.venv`, starts it on a free 127.0.0.1 port, exports
//! `USHER_TEST_AWS_ENDPOINT`, runs the tests and stops it by PID. The SDK clients here are the
//! real ones, pointed at that endpoint with static test credentials and no retries.

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use serde_json::Value;
use std::io::{Read, Write};
use std::sync::Arc;
use usher_aws::{DynamoTable, SesMailer};

/// The variable that carries the server's address.
pub const ENDPOINT_VAR: &str = "USHER_TEST_AWS_ENDPOINT";

/// The server's base URL; a clear failure when the suite runs without it.
pub fn endpoint() -> String {
    std::env::var(ENDPOINT_VAR).unwrap_or_else(|_| panic!("{ENDPOINT_VAR} is not set: run infra/scripts/test.sh, which starts moto"))
}

fn credentials() -> Credentials {
    Credentials::new("test", "test", None, None, "usher-tests")
}

/// A DynamoDB client for the local server.
pub fn dynamodb() -> aws_sdk_dynamodb::Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint())
        .region(Region::new("us-east-1"))
        .credentials_provider(credentials())
        .retry_config(aws_sdk_dynamodb::config::retry::RetryConfig::disabled())
        .timeout_config(moto_timeouts())
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

/// Bounded, but for moto, not DynamoDB: it serves one request at a time and copies a table for
/// each transaction, so under the concurrent suites (50 accepts at once, 100-write chunks) a
/// call can wait seconds where DynamoDB answers in milliseconds. The production budget
/// (`usher_aws::sdk_timeouts`) is proven by `tests/outage.rs` with its own clients.
/// `USHER_MOTO_TIMEOUT_SECS` raises the per-attempt budget (the call gets twice it) for the
/// benchmarks, whose 100-write chunks moto copies a growing table for, item by item.
fn moto_timeouts() -> aws_sdk_dynamodb::config::timeout::TimeoutConfig {
    let attempt = std::env::var("USHER_MOTO_TIMEOUT_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(30);
    aws_sdk_dynamodb::config::timeout::TimeoutConfig::builder()
        .operation_attempt_timeout(std::time::Duration::from_secs(attempt))
        .operation_timeout(std::time::Duration::from_secs(attempt * 2))
        .connect_timeout(std::time::Duration::from_secs(5))
        .build()
}

/// An SES v2 client for the local server.
pub fn sesv2() -> aws_sdk_sesv2::Client {
    let config = aws_sdk_sesv2::Config::builder()
        .behavior_version(aws_sdk_sesv2::config::BehaviorVersion::latest())
        .endpoint_url(endpoint())
        .region(aws_sdk_sesv2::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_sesv2::config::Credentials::new("test", "test", None, None, "usher-tests"))
        .retry_config(aws_sdk_sesv2::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_sesv2::Client::from_conf(config)
}

/// A short random suffix so parallel tests never share a table or an address.
pub fn unique() -> String {
    let mut b = [0u8; 6];
    usher_domain::ports::Random::fill(&usher_store::OsRandom, &mut b);
    usher_domain::token::hex(&b)
}

/// A fresh table with the production definition.
pub async fn new_table() -> Arc<DynamoTable> {
    let table = DynamoTable::new(dynamodb(), format!("usher-test-{}", unique()));
    table.create().await.expect("create table");
    table.prime().await.expect("table reachable");
    Arc::new(table)
}

/// Verifies a sending domain (SES refuses senders without a verified identity).
pub async fn verify_domain(domain: &str) {
    sesv2().create_email_identity().email_identity(domain).send().await.expect("create identity");
}

/// An SES mailer sending as `from`.
pub fn mailer(from: &str) -> Arc<SesMailer> {
    Arc::new(SesMailer::new(sesv2(), from, None))
}

/// GET on the server's own API (HTTP/1.0, so the answer has a plain body).
pub fn moto_get(path: &str) -> Value {
    let addr = endpoint().trim_start_matches("http://").to_owned();
    let mut s = std::net::TcpStream::connect(&addr).expect("connect to moto");
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").expect("write");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read");
    let text = String::from_utf8_lossy(&raw);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
    serde_json::from_str(body).unwrap_or_else(|e| panic!("JSON from moto ({e}): {}", text.chars().take(600).collect::<String>()))
}

/// Messages SES accepted for `to`, oldest first: `{source, destinations, subject, body}`.
pub fn sent_to(to: &str) -> Vec<Value> {
    let data = moto_get("/moto-api/data.json");
    data["ses"]["Message"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter(|m| m["destinations"]["ToAddresses"].as_array().is_some_and(|a| a.iter().any(|d| d.as_str() == Some(to))))
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// The token in the latest message SES accepted for `to`.
pub fn token_sent_to(to: &str) -> String {
    link_token_sent_to(to, "#token=")
}

/// The token of the latest link after `marker` (`#token=`, `#email_token=`) that SES accepted
/// for `to`.
pub fn link_token_sent_to(to: &str, marker: &str) -> String {
    let msgs = sent_to(to);
    let body = msgs.last().unwrap_or_else(|| panic!("SES accepted no message for {to}")).to_string();
    let at = body.find(marker).expect("link in the message") + marker.len();
    body[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

/// An SQS client for the local server.
pub fn sqs() -> aws_sdk_sqs::Client {
    let config = aws_sdk_sqs::Config::builder()
        .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
        .endpoint_url(endpoint())
        .region(aws_sdk_sqs::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_sqs::config::Credentials::new("test", "test", None, None, "usher-tests"))
        .retry_config(aws_sdk_sqs::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_sqs::Client::from_conf(config)
}

/// A fresh delivery queue; its URL.
pub async fn new_queue() -> String {
    let out = sqs().create_queue().queue_name(format!("usher-deliveries-{}", unique())).send().await.expect("create queue");
    out.queue_url().expect("queue url").to_owned()
}

/// One received SQS message, as Lambda's event source would hand it to `deliver`.
#[derive(Debug, Clone)]
pub struct Received {
    /// The message id (what a partial-batch response names).
    pub message_id: String,
    /// Its body.
    pub body: String,
    /// To delete it once handled.
    pub receipt_handle: String,
    /// How many times SQS has handed it out (this receive included).
    pub receive_count: u32,
    /// Its message attributes (name → string value; Number attributes as their text).
    pub attributes: std::collections::BTreeMap<String, String>,
}

/// Receives up to 10 messages (no waiting): what one SQS event source poll would get.
pub async fn receive(queue_url: &str) -> Vec<Received> {
    receive_hidden_for(queue_url, None).await
}

/// `receive`, hiding what it got for `visibility` seconds instead of the queue's default (0:
/// offered again at once, as after a poll whose invocation never answered).
pub async fn receive_hidden_for(queue_url: &str, visibility: Option<i32>) -> Vec<Received> {
    let out = sqs()
        .receive_message()
        .queue_url(queue_url)
        .max_number_of_messages(10)
        .message_attribute_names("All")
        .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::ApproximateReceiveCount)
        .set_visibility_timeout(visibility)
        .send()
        .await
        .expect("receive");
    out.messages()
        .iter()
        .map(|m| Received {
            message_id: m.message_id().unwrap_or_default().to_owned(),
            body: m.body().unwrap_or_default().to_owned(),
            receipt_handle: m.receipt_handle().unwrap_or_default().to_owned(),
            receive_count: m
                .attributes()
                .and_then(|a| a.get(&aws_sdk_sqs::types::MessageSystemAttributeName::ApproximateReceiveCount))
                .and_then(|n| n.parse().ok())
                .unwrap_or(1),
            attributes: m
                .message_attributes()
                .map(|a| a.iter().map(|(k, v)| (k.clone(), v.string_value().unwrap_or_default().to_owned())).collect())
                .unwrap_or_default(),
        })
        .collect()
}

/// A fresh queue called `usher-test-<role>-<unique>`; its URL.
pub async fn named_queue(role: &str) -> String {
    let out = sqs().create_queue().queue_name(format!("usher-test-{role}-{}", unique())).send().await.expect("create queue");
    out.queue_url().expect("queue url").to_owned()
}

/// Deletes a handled message (what the event source does after a successful batch).
pub async fn delete(queue_url: &str, m: &Received) {
    sqs().delete_message().queue_url(queue_url).receipt_handle(&m.receipt_handle).send().await.expect("delete message");
}

/// The SQS event Lambda's event source builds from received messages.
pub fn sqs_event(messages: &[Received]) -> Value {
    let records: Vec<Value> = messages
        .iter()
        .map(|m| {
            // Lambda's shape of message attributes (a Number's value travels as its text).
            let attributes: serde_json::Map<String, Value> = m
                .attributes
                .iter()
                .map(|(k, v)| {
                    let data_type = if v.parse::<i64>().is_ok() { "Number" } else { "String" };
                    let attribute =
                        serde_json::json!({"stringValue": v, "stringListValues": [], "binaryListValues": [], "dataType": data_type});
                    (k.clone(), attribute)
                })
                .collect();
            serde_json::json!({
                "messageId": m.message_id, "receiptHandle": m.receipt_handle, "body": m.body,
                "attributes": {"ApproximateReceiveCount": m.receive_count.to_string()}, "messageAttributes": attributes,
                "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:usher-deliveries", "awsRegion": "us-east-1"
            })
        })
        .collect();
    serde_json::json!({ "Records": records })
}

/// An S3 client for the local server (path-style: moto has no per-bucket host names).
pub fn s3() -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .endpoint_url(endpoint())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_s3::config::Credentials::new("test", "test", None, None, "usher-tests"))
        .force_path_style(true)
        .retry_config(aws_sdk_s3::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// A fresh bucket; its name.
pub async fn new_bucket() -> String {
    let name = format!("usher-exports-{}", unique());
    s3().create_bucket().bucket(&name).send().await.expect("create bucket");
    name
}

/// GET on any URL of the local server (a presigned link): status and body.
pub fn http_get(url: &str) -> (u16, Vec<u8>) {
    let rest = url.strip_prefix("http://").expect("an http URL of the local server");
    let (addr, path) = rest.split_once('/').map(|(a, p)| (a.to_owned(), format!("/{p}"))).expect("a path");
    let mut s = std::net::TcpStream::connect(&addr).expect("connect to moto");
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").expect("write");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read");
    let at = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a response") + 4;
    let head = String::from_utf8_lossy(&raw[..at]).into_owned();
    let status = head.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, raw[at..].to_vec())
}

/// The table's stream records, oldest first, as Lambda's DynamoDB event source reads them
/// (DescribeStream, GetShardIterator TRIM_HORIZON, GetRecords on every shard). The DynamoDB
/// Streams API is spoken as JSON over HTTP here: the local server does not check signatures.
pub async fn stream_records(table: &str) -> Vec<Value> {
    let described = dynamodb().describe_table().table_name(table).send().await.expect("describe table");
    let arn = described.table().and_then(|t| t.latest_stream_arn()).expect("the table has a stream").to_owned();
    let call = |target: &str, body: Value| {
        let addr = endpoint().trim_start_matches("http://").to_owned();
        let body = body.to_string();
        let mut s = std::net::TcpStream::connect(&addr).expect("connect to moto");
        write!(
            s,
            "POST / HTTP/1.0\r\nHost: {addr}\r\nX-Amz-Target: DynamoDBStreams_20120810.{target}\r\nContent-Type: application/x-amz-json-1.0\r\n\
             Authorization: AWS4-HMAC-SHA256 Credential=test/20261201/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .expect("write");
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).expect("read");
        let text = String::from_utf8_lossy(&raw).into_owned();
        let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
        serde_json::from_str::<Value>(&body).unwrap_or_else(|e| panic!("{target} ({e}): {text}"))
    };
    let stream = call("DescribeStream", serde_json::json!({"StreamArn": arn}));
    let mut records = Vec::new();
    for shard in stream["StreamDescription"]["Shards"].as_array().expect("shards") {
        let it = call(
            "GetShardIterator",
            serde_json::json!({"StreamArn": arn, "ShardId": shard["ShardId"], "ShardIteratorType": "TRIM_HORIZON"}),
        );
        let got = call("GetRecords", serde_json::json!({"ShardIterator": it["ShardIterator"]}));
        records.extend(got["Records"].as_array().cloned().unwrap_or_default());
    }
    records
}

/// An EventBridge client for the local server.
pub fn eventbridge() -> aws_sdk_eventbridge::Client {
    let config = aws_sdk_eventbridge::Config::builder()
        .behavior_version(aws_sdk_eventbridge::config::BehaviorVersion::latest())
        .endpoint_url(endpoint())
        .region(aws_sdk_eventbridge::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_eventbridge::config::Credentials::new("test", "test", None, None, "usher-tests"))
        .retry_config(aws_sdk_eventbridge::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_eventbridge::Client::from_conf(config)
}

/// A Parameter Store client for the local server.
pub fn ssm() -> aws_sdk_ssm::Client {
    let config = aws_sdk_ssm::Config::builder()
        .behavior_version(aws_sdk_ssm::config::BehaviorVersion::latest())
        .endpoint_url(endpoint())
        .region(aws_sdk_ssm::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_ssm::config::Credentials::new("test", "test", None, None, "usher-tests"))
        .retry_config(aws_sdk_ssm::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_ssm::Client::from_conf(config)
}

/// A fresh bus with a rule sending every Usher event to a fresh queue (what the stack's
/// webhook rule does): (bus name, queue URL).
pub async fn bus_with_queue() -> (String, String) {
    let bus = format!("usher-test-{}", unique());
    eventbridge().create_event_bus().name(&bus).send().await.expect("create bus");
    let queue = new_queue().await;
    let attrs = sqs()
        .get_queue_attributes()
        .queue_url(&queue)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("queue arn");
    let arn = attrs.attributes().and_then(|a| a.get(&aws_sdk_sqs::types::QueueAttributeName::QueueArn)).expect("arn").clone();
    eventbridge()
        .put_rule()
        .name("usher-webhooks")
        .event_bus_name(&bus)
        .event_pattern(r#"{"source": [{"prefix": "usher/"}]}"#)
        .send()
        .await
        .expect("put rule");
    let target = aws_sdk_eventbridge::types::Target::builder().id("webhook-queue").arn(arn).build().expect("target");
    eventbridge().put_targets().rule("usher-webhooks").event_bus_name(&bus).targets(target).send().await.expect("put targets");
    (bus, queue)
}

/// A webhook secret stored as the operator stores it (a SecureString in Parameter Store); its
/// parameter name.
pub async fn webhook_secret_parameter(secret: &usher_domain::events::WebhookSecret) -> String {
    let name = format!("/usher/test-{}/webhook-secret", unique());
    ssm()
        .put_parameter()
        .name(&name)
        .value(secret.expose())
        .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
        .send()
        .await
        .expect("put parameter");
    name
}
