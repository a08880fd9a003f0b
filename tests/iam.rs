//! Each function's IAM policy in `template.yaml` grants exactly the AWS calls its code makes.
//!
//! How "the calls its code makes" is known: the real adapters (`DynamoTable`, `SesMailer`) run
//! against moto through SDK clients carrying a recording interceptor, which notes every request
//! as the IAM action(s) it needs, the resource (table, index, SES identity or configuration set)
//! and, for writes, the partition-key prefix (for `dynamodb:LeadingKeys` conditions). A
//! scenario then drives every route through the app, attributing each request to the function
//! that serves it (`routes.rs`), plus the cold-start prime of every function and the scheduled
//! sweep; every email goes through a real SQS queue on moto and is sent by the delivery use
//! case acting as `deliver` (Lambda's event source does the receiving and deleting, under the
//! poller permissions SAM adds). Failure-only paths are driven too: a storage failure
//! mid-request (the idempotency claim is released with a `DeleteItem`), a refused email
//! (queued again by the sweep), an expired link's renewal request (a queued notice).
//!
//! The check is both ways: nothing the code calls is missing from the template (the function
//! would fail in AWS with AccessDenied), and nothing the template grants goes unused.
//!
//! IAM for `TransactWriteItems` is per item: `PutItem`, `DeleteItem`, `ConditionCheckItem`,
//! `UpdateItem` on the item's table (there is no `dynamodb:TransactWriteItems` action).

use aws_sdk_dynamodb::config::interceptors::BeforeSerializationInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept};
use aws_sdk_dynamodb::error::BoxError;
use aws_sdk_dynamodb::operation::{
    delete_item::DeleteItemInput, describe_table::DescribeTableInput, get_item::GetItemInput, put_item::PutItemInput, query::QueryInput,
    transact_write_items::TransactWriteItemsInput, update_item::UpdateItemInput,
};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_eventbridge::operation::put_events::PutEventsInput;
use aws_sdk_s3::operation::{
    abort_multipart_upload::AbortMultipartUploadInput, complete_multipart_upload::CompleteMultipartUploadInput,
    create_multipart_upload::CreateMultipartUploadInput, get_object::GetObjectInput, upload_part::UploadPartInput,
};
use aws_sdk_sesv2::operation::send_email::SendEmailInput;
use aws_sdk_sqs::operation::send_message::SendMessageInput;
use aws_sdk_sqs::operation::send_message_batch::SendMessageBatchInput;
use aws_sdk_ssm::operation::get_parameter::GetParameterInput;
use http::{Method, StatusCode};
use serde_json::{Value, json};
use serde_yaml::Value as Yaml;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use usher_aws::{DynamoTable, S3Files, SesMailer, SqsQueue};
use usher_domain::ports::{Committed, Item, Key, Page, Query, StoreError, Table, Write};
use usher_http::routes::{self, Found};
use usher_tests::{TestApp, aws};

/// One permission a request needs: action, resource, and (writes only) the partition key's
/// prefix up to its first `#`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Need {
    action: String,
    resource: String,
    leading_key: Option<String>,
}

/// Notes the permissions each request needs, under the function currently acting.
#[derive(Debug, Clone, Default)]
struct Recorder {
    acting: Arc<Mutex<String>>,
    seen: Arc<Mutex<BTreeMap<String, BTreeSet<Need>>>>,
}

impl Recorder {
    fn act_as(&self, function: &str) {
        *self.acting.lock().expect("lock") = function.to_owned();
    }

    fn note(&self, action: &str, resource: String, leading_key: Option<String>) {
        let acting = self.acting.lock().expect("lock").clone();
        let need = Need { action: action.to_owned(), resource, leading_key };
        self.seen.lock().expect("lock").entry(acting).or_default().insert(need);
    }

    fn seen(&self) -> BTreeMap<String, BTreeSet<Need>> {
        self.seen.lock().expect("lock").clone()
    }
}

fn pk_prefix(attrs: Option<&HashMap<String, AttributeValue>>) -> Option<String> {
    let pk = attrs?.get("pk")?.as_s().ok()?;
    Some(pk.split_inclusive('#').next().unwrap_or(pk).to_owned())
}

impl Intercept for Recorder {
    fn name(&self) -> &'static str {
        "iam-recorder"
    }

    fn read_before_execution(&self, ctx: &BeforeSerializationInterceptorContextRef<'_>, _cfg: &mut ConfigBag) -> Result<(), BoxError> {
        let input = ctx.input();
        if input.downcast_ref::<DescribeTableInput>().is_some() {
            self.note("dynamodb:DescribeTable", "table".into(), None);
        } else if input.downcast_ref::<GetItemInput>().is_some() {
            self.note("dynamodb:GetItem", "table".into(), None);
        } else if input.downcast_ref::<aws_sdk_dynamodb::operation::batch_get_item::BatchGetItemInput>().is_some() {
            self.note("dynamodb:BatchGetItem", "table".into(), None);
        } else if let Some(q) = input.downcast_ref::<QueryInput>() {
            let resource = q.index_name().map_or("table".to_owned(), |i| format!("table/index/{i}"));
            self.note("dynamodb:Query", resource, None);
        } else if let Some(p) = input.downcast_ref::<PutItemInput>() {
            self.note("dynamodb:PutItem", "table".into(), pk_prefix(p.item()));
        } else if let Some(d) = input.downcast_ref::<DeleteItemInput>() {
            self.note("dynamodb:DeleteItem", "table".into(), pk_prefix(d.key()));
        } else if let Some(u) = input.downcast_ref::<UpdateItemInput>() {
            self.note("dynamodb:UpdateItem", "table".into(), pk_prefix(u.key()));
        } else if let Some(t) = input.downcast_ref::<TransactWriteItemsInput>() {
            for item in t.transact_items() {
                if let Some(p) = item.put() {
                    self.note("dynamodb:PutItem", "table".into(), pk_prefix(Some(p.item())));
                }
                if let Some(d) = item.delete() {
                    self.note("dynamodb:DeleteItem", "table".into(), pk_prefix(Some(d.key())));
                }
                if let Some(c) = item.condition_check() {
                    self.note("dynamodb:ConditionCheckItem", "table".into(), pk_prefix(Some(c.key())));
                }
                if let Some(u) = item.update() {
                    self.note("dynamodb:UpdateItem", "table".into(), pk_prefix(Some(u.key())));
                }
            }
        } else if input.downcast_ref::<CreateMultipartUploadInput>().is_some()
            || input.downcast_ref::<UploadPartInput>().is_some()
            || input.downcast_ref::<CompleteMultipartUploadInput>().is_some()
        {
            // IAM authorises every step of a multipart upload as s3:PutObject.
            self.note("s3:PutObject", "bucket/exports".into(), None);
        } else if input.downcast_ref::<AbortMultipartUploadInput>().is_some() {
            self.note("s3:AbortMultipartUpload", "bucket/exports".into(), None);
        } else if input.downcast_ref::<GetObjectInput>().is_some() {
            // A presigned GET: S3 checks the signer's s3:GetObject when the link is used.
            self.note("s3:GetObject", "bucket/exports".into(), None);
        } else if let Some(b) = input.downcast_ref::<SendMessageBatchInput>() {
            // Wake-ups: emails on the delivery queue, large exports' jobs on theirs.
            let url = b.queue_url().unwrap_or_default();
            self.note("sqs:SendMessage", if url.contains("export-queue") { "export-queue" } else { "queue" }.into(), None);
        } else if let Some(m) = input.downcast_ref::<SendMessageInput>() {
            // One message at a time: the event functions' retries and parked records. The
            // scenario's queues are named for what they stand for (see `events`).
            let url = m.queue_url().unwrap_or_default();
            let queue =
                ["publish-parked", "webhook-dlq", "webhook-queue"].into_iter().find(|q| url.contains(q)).unwrap_or("an unknown queue");
            self.note("sqs:SendMessage", queue.into(), None);
        } else if input.downcast_ref::<PutEventsInput>().is_some() {
            self.note("events:PutEvents", "bus".into(), None);
        } else if input.downcast_ref::<GetParameterInput>().is_some() {
            self.note("ssm:GetParameter", "ssm:webhook-secret".into(), None);
        } else if let Some(s) = input.downcast_ref::<SendEmailInput>() {
            // SES v2 authorises SendEmail on the sending identity and on the configuration set.
            self.note("ses:SendEmail", "ses:identity".into(), None);
            if s.configuration_set_name().is_some() {
                self.note("ses:SendEmail", "ses:configuration-set".into(), None);
            }
        } else {
            self.note("unrecognised request (teach tests/iam.rs its IAM action)", format!("{input:?}"), None);
        }
        Ok(())
    }
}

/// A table whose writes fail while armed (except the idempotency claim and its release), so a
/// request fails on our side mid-way, as when DynamoDB throttles; and whose queries fail while
/// `queries_fail` is set (an export dies mid-file and aborts its upload).
struct FailingWrites {
    inner: Arc<DynamoTable>,
    armed: AtomicBool,
    queries_fail: AtomicBool,
}

#[async_trait::async_trait]
impl Table for FailingWrites {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.inner.get(key).await
    }
    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Option<Item>>, StoreError> {
        self.inner.get_many(keys).await
    }
    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        // The worker's reads of members and invitations fail; the export request's own look
        // for a job it could reuse (the tenant's `X#` items) does not.
        let job_lookup =
            matches!(&query.range, usher_domain::ports::SortKeyRange::BeginsWith(p) if p == usher_domain::schema::EXPORT_PREFIX);
        if self.queries_fail.load(Ordering::SeqCst) && !job_lookup {
            return Err(StoreError::Unavailable("injected by tests/iam.rs".into()));
        }
        self.inner.query(query).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<Committed, StoreError> {
        let idempotency = writes.iter().all(|w| w.key().pk.starts_with("IDEM#"));
        if self.armed.load(Ordering::SeqCst) && !idempotency {
            return Err(StoreError::Unavailable("injected by tests/iam.rs".into()));
        }
        self.inner.transact(writes).await
    }
}

/// The app over recorded AWS clients, and the routes the scenario got a success from.
/// A userinfo endpoint that says every access token is `.0` with the verified email `.1`.
struct OwnUserInfo(String, String);

#[async_trait::async_trait]
impl usher_http::oidc::UserInfoSource for OwnUserInfo {
    async fn userinfo(&self, _access_token: &str) -> Result<usher_domain::usecases::userinfo::UserInfo, usher_http::oidc::UserInfoFailed> {
        Ok(usher_domain::usecases::userinfo::UserInfo {
            subject: self.0.clone(),
            email: usher_domain::values::Email::parse(&self.1).ok(),
            email_verified: true,
            name: None,
        })
    }
}

/// update: the provider's userinfo kept for the owner's subject (a SUB#/USERINFO PutItem). Its
/// own boxed future: the scenario's is already as large as a test thread's stack allows.
async fn keep_userinfo(s: &mut Scenario, owner_email: &str, owner: &str) {
    s.app.app = s.app.app.clone().with_userinfo(Arc::new(OwnUserInfo(format!("sub|{owner_email}"), owner_email.to_owned())));
    let kept = s.call(Method::POST, "/v1/me/userinfo", Some(owner), Some(json!({"access_token": "at"}))).await;
    assert_eq!(kept.status, StatusCode::OK, "{}", kept.json);
}

struct Scenario {
    app: TestApp,
    recorder: Recorder,
    table: Arc<FailingWrites>,
    queue_url: String,
    /// Large exports' jobs (the stack's ExportQueue, read by ExportJobFunction).
    export_queue_url: String,
    succeeded: BTreeSet<(Method, &'static str)>,
}

impl Scenario {
    /// Sends a request as a browser or backend would, attributed to the function that serves it.
    async fn call(&mut self, method: Method, path: &str, bearer: Option<&str>, body: Option<Value>) -> usher_tests::Reply {
        self.call_with(method, path, bearer, body, &[]).await
    }

    async fn call_with(
        &mut self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> usher_tests::Reply {
        self.call_raw(method, path, bearer, body.map(|b| b.to_string().into_bytes()), headers).await
    }

    /// A call with a raw body (a file upload).
    async fn call_raw(
        &mut self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<Vec<u8>>,
        headers: &[(&str, &str)],
    ) -> usher_tests::Reply {
        let bare = path.split('?').next().unwrap_or(path);
        let Found::Route(route, _) = routes::find(&routes::routes(), &method, bare) else { panic!("no route for {method} {bare}") };
        self.recorder.act_as(route.function);
        let reply = self.app.call_with(method.clone(), path, bearer, body, headers).await;
        if reply.status.is_success() {
            self.succeeded.insert((method, route.path));
        }
        self.deliver().await;
        reply
    }

    /// The `deliver` function's turn, then the export worker's (the same binary on the export
    /// queue): everything queued so far, as the SQS event sources hand it over.
    async fn deliver(&self) {
        for (queue, function) in [(&self.queue_url, "deliver"), (&self.export_queue_url, EXPORT_WORKER)] {
            loop {
                let messages = aws::receive(queue).await;
                if messages.is_empty() {
                    break;
                }
                self.recorder.act_as(function);
                let pace = tokio::sync::Mutex::new(usher_domain::usecases::delivery::Pace::per_second(0));
                let answer = usher_lambda::deliver_batch(&self.app.deps, &pace, aws::sqs_event(&messages)).await.expect("a batch response");
                assert_eq!(answer["batchItemFailures"], json!([]), "every message handled");
                for m in &messages {
                    aws::delete(queue, m).await;
                }
            }
        }
    }

    /// Runs a write route while storage fails: a 503, and the idempotency claim is released.
    async fn fail_midway(&mut self, method: Method, path: &str, bearer: Option<&str>, body: Option<Value>) {
        self.table.armed.store(true, Ordering::SeqCst);
        let r = self.call_with(method.clone(), path, bearer, body, &[("idempotency-key", "iam-midway")]).await;
        self.table.armed.store(false, Ordering::SeqCst);
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{method} {path}: {}", r.json);
    }
}

fn id(r: &usher_tests::Reply) -> String {
    assert!(r.status.is_success(), "{}", r.json);
    r.json["id"].as_str().expect("id").to_owned()
}

/// Drives every route, the sweep and the failure paths; returns what each function needed.
async fn run_scenario() -> BTreeMap<String, BTreeSet<Need>> {
    let recorder = Recorder::default();
    recorder.act_as("setup");
    let dynamodb = {
        let conf = aws::dynamodb().config().to_builder().interceptor(recorder.clone()).build();
        aws_sdk_dynamodb::Client::from_conf(conf)
    };
    let ses = {
        let conf = aws::sesv2().config().to_builder().interceptor(recorder.clone()).build();
        aws_sdk_sesv2::Client::from_conf(conf)
    };
    let domain = format!("{}.usher.test", aws::unique());
    aws::verify_domain(&domain).await;
    let configuration_set = format!("usher-{}", aws::unique());
    ses.create_configuration_set().configuration_set_name(&configuration_set).send().await.expect("configuration set");

    let dynamo = Arc::new(DynamoTable::new(dynamodb, format!("usher-iam-{}", aws::unique())));
    dynamo.create().await.expect("create table");
    // Every function primes the table at cold start (usher_lambda::Ports::build).
    let mut functions: Vec<&str> = routes::HTTP_FUNCTIONS.to_vec();
    functions.extend(["expire", "deliver", EXPORT_WORKER, "feedback", "scim"]);
    for f in &functions {
        recorder.act_as(f);
        dynamo.prime().await.expect("prime");
    }

    let table = Arc::new(FailingWrites { inner: dynamo, armed: AtomicBool::new(false), queries_fail: AtomicBool::new(false) });
    let mailer = Arc::new(SesMailer::new(ses, format!("Usher <no-reply@{domain}>"), Some(configuration_set)));
    let sqs = {
        let conf = aws::sqs().config().to_builder().interceptor(recorder.clone()).build();
        aws_sdk_sqs::Client::from_conf(conf)
    };
    let queue_url = aws::new_queue().await;
    let export_queue_url = aws::named_queue("export-queue").await;
    let queue = Arc::new(SqsQueue::new(sqs, &queue_url).with_export_queue(&export_queue_url));
    let s3 = {
        let conf = aws::s3().config().to_builder().interceptor(recorder.clone()).build();
        aws_sdk_s3::Client::from_conf(conf)
    };
    let files = Arc::new(S3Files::new(s3, aws::new_bucket().await));
    // Exports past 4 rows are written to S3 by the worker.
    // Verified domains' TXT records come from a DNS stub on loopback (no AWS call: no IAM).
    let dns = usher_tests::dns::DnsStub::start();
    let options = usher_tests::Options {
        mailer: Some(mailer),
        worker: false,
        queue: Some(queue),
        files: Some(files),
        export_direct_rows: Some(4),
        dns: Some(dns.resolver()),
    };
    let app = TestApp::with_options(table.clone(), options);
    let mut s = Scenario { app, recorder: recorder.clone(), table, queue_url, export_queue_url, succeeded: BTreeSet::new() };

    let u = aws::unique();
    let owner_email = format!("owner-{u}@example.com");
    let (ada, bob, carol, dave, erin) = (
        format!("ada-{u}@example.com"),
        format!("bob-{u}@example.com"),
        format!("carol-{u}@example.com"),
        format!("dave-{u}@example.com"),
        format!("erin-{u}@example.com"),
    );
    let operator = s.app.operator();
    let owner = s.app.token(&owner_email);

    // update: provisioning by the SaaS backend.
    let t = id(&s.call(Method::POST, "/v1/tenants", Some(&operator), Some(json!({"name": "Acme", "owner_email": owner_email}))).await);
    let tp = |rest: &str| format!("/v1/tenants/{t}{rest}");
    // list: the owner's first request links their identity-provider subject (a SUB# PutItem).
    assert_eq!(s.call(Method::GET, &tp("/invitations"), Some(&owner), None).await.status, StatusCode::OK);
    assert_eq!(s.call(Method::GET, &tp(""), Some(&operator), None).await.status, StatusCode::OK);
    assert_eq!(s.call(Method::PATCH, &tp(""), Some(&operator), Some(json!({"seat_limit": 50}))).await.status, StatusCode::OK);
    assert_eq!(s.call(Method::GET, &tp("/settings"), Some(&owner), None).await.status, StatusCode::OK);
    // update: the owner's sign-in (their membership's last login).
    assert_eq!(s.call(Method::POST, &format!("/v1/me/tenants/{t}/sign-in"), Some(&owner), None).await.status, StatusCode::OK);
    Box::pin(keep_userinfo(&mut s, &owner_email, &owner)).await;
    assert_eq!(s.call(Method::PATCH, &tp("/settings"), Some(&owner), Some(json!({"name": "Acme Corp"}))).await.status, StatusCode::OK);
    // update: the tenant's workspaces (the delete scans the tenant's members and invitations).
    for (method, ws) in [(Method::PUT, "north"), (Method::PUT, "spare"), (Method::GET, ""), (Method::DELETE, "spare")] {
        let at = if ws.is_empty() { tp("/workspaces") } else { tp(&format!("/workspaces/{ws}")) };
        let r = s.call(method.clone(), &at, Some(&owner), None).await;
        assert!(r.status.is_success(), "{method} {at}: {}", r.json);
    }
    let role = json!({"permissions": ["members.read", "members.export"]});
    assert!(s.call(Method::PUT, &tp("/roles/auditor"), Some(&owner), Some(role)).await.status.is_success());
    assert_eq!(s.call(Method::GET, &tp("/roles"), Some(&owner), None).await.status, StatusCode::OK);
    assert_eq!(s.call(Method::GET, &tp("/roles/auditor"), Some(&owner), None).await.status, StatusCode::OK);

    // invite, with a working and a refusing mailer.
    let invite = |email: &str, role: &str| json!({"email": email, "role": role});
    id(&s.call(Method::POST, &tp("/invitations"), Some(&owner), Some(invite(&ada, "admin"))).await);
    let inv_bob = id(&s.call(Method::POST, &tp("/invitations"), Some(&owner), Some(invite(&bob, "auditor"))).await);
    s.call(Method::POST, &tp("/invitations"), Some(&owner), Some(invite(&dave, "viewer"))).await;
    s.app.mail_fails(true);
    let inv_carol = id(&s.call(Method::POST, &tp("/invitations"), Some(&owner), Some(invite(&carol, "viewer"))).await);
    s.app.mail_fails(false);
    let failed = s.call(Method::GET, &tp(&format!("/invitations/{inv_carol}")), Some(&owner), None).await;
    assert_eq!(failed.json["delivery"]["status"], "failed", "{}", failed.json);
    // invite, in bulk: a dry run, then chunked transactions with a seat count.
    let rows =
        json!({"invitations": [invite(&format!("bulk1-{u}@example.com"), "viewer"), invite(&format!("bulk2-{u}@example.com"), "viewer")]});
    let mut review = rows.clone();
    review["dry_run"] = json!(true);
    let reviewed = s.call(Method::POST, &tp("/invitations"), Some(&owner), Some(review)).await;
    assert_eq!(reviewed.json["summary"]["would_invite"], 2, "{}", reviewed.json);
    let bulk = s.call(Method::POST, &tp("/invitations"), Some(&owner), Some(rows)).await;
    assert_eq!(bulk.json["summary"]["invited"], 2, "{}", bulk.json);

    // resend.
    let resent = s.call(Method::POST, &tp(&format!("/invitations/{inv_bob}/resend")), Some(&owner), None).await;
    assert_eq!(resent.status, StatusCode::OK, "{}", resent.json);

    // accept: lookup, accept (a first sign-in: user, subject and email items), decline.
    let ada_token = aws::token_sent_to(&ada);
    let look = s.call(Method::POST, "/v1/invitations/lookup", None, Some(json!({"token": ada_token}))).await;
    assert_eq!(look.status, StatusCode::OK, "{}", look.json);
    let accepted = s.call(Method::POST, "/v1/invitations/accept", Some(&s.app.token(&ada)), Some(json!({"token": ada_token}))).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.json);
    let ada_id = accepted.json["member"]["user_id"].as_str().expect("user id").to_owned();
    let dave_token = aws::token_sent_to(&dave);
    let declined = s.call(Method::POST, "/v1/invitations/decline", Some(&s.app.token(&dave)), Some(json!({"token": dave_token}))).await;
    assert!(declined.status.is_success(), "{}", declined.json);

    // list: every read, including the caller's tenants (the by-user index) and an invitee's
    // pending invitations (the email index).
    for path in [tp(&format!("/invitations/{inv_bob}")), tp("/members"), tp("/audit"), tp("/invitations?status=pending&limit=1")] {
        let r = s.call(Method::GET, &path, Some(&owner), None).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.json);
    }
    let tenants = s.call(Method::GET, "/v1/me/tenants", Some(&owner), None).await;
    assert_eq!(tenants.json["data"].as_array().map(Vec::len), Some(1), "{}", tenants.json);
    let mine = s.call(Method::GET, "/v1/me/invitations", Some(&s.app.token(&bob)), None).await;
    assert_eq!(mine.json["data"].as_array().map(Vec::len), Some(1), "{}", mine.json);
    // list: the directory (a person the identity provider sent, whose standing is read in a
    // batch); update: its settings and SCIM tokens.
    s.recorder.act_as("setup");
    let person = usher_domain::usecases::provisioning::PersonInput {
        user_name: format!("ivy-{u}"),
        external_id: None,
        email: Some(usher_domain::values::Email::parse(&bob).expect("email")),
        first_name: "Ivy".into(),
        last_name: "Directory".into(),
        title: "Driver".into(),
        department: String::new(),
        company: "Acme".into(),
        employee_number: String::new(),
        phone: String::new(),
        active: true,
        scim: json!({}),
    };
    let tenant_id = usher_domain::values::TenantId::parse(&t).expect("tenant id");
    usher_domain::usecases::provisioning::create_person(&s.app.deps, &tenant_id, person).await.expect("a directory person");
    for path in [tp("/directory/people"), tp("/directory/companies")] {
        let r = s.call(Method::GET, &path, Some(&owner), None).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.json);
    }
    let csv = b"external_id,email,first_name\r\nE1,una@example.com,Una\r\n".to_vec();
    let uploaded = s.call_raw(Method::PUT, &tp("/directory"), Some(&owner), Some(csv), &[("content-type", "text/csv")]).await;
    assert_eq!((uploaded.status, uploaded.json["added"].as_u64()), (StatusCode::OK, Some(1)), "{}", uploaded.json);
    let settings = s.call(Method::PATCH, &tp("/directory/settings"), Some(&owner), Some(json!({"group_roles": {"Ops": "viewer"}}))).await;
    assert_eq!(settings.status, StatusCode::OK, "{}", settings.json);
    let read = s.call(Method::GET, &tp("/directory/settings"), Some(&owner), None).await;
    assert_eq!(read.json["group_roles"]["Ops"], "viewer", "{}", read.json);
    let scim_token = s.call(Method::POST, &tp("/scim-tokens"), Some(&owner), Some(json!({"name": "Okta"}))).await;
    assert_eq!(scim_token.status, StatusCode::CREATED, "{}", scim_token.json);
    let listed = s.call(Method::GET, &tp("/scim-tokens"), Some(&owner), None).await;
    assert_eq!(listed.json["data"].as_array().map(Vec::len), Some(1), "{}", listed.json);
    let revoked = s.call(Method::DELETE, &tp(&format!("/scim-tokens/{}", id(&scim_token))), Some(&owner), None).await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT, "{}", revoked.json);

    // update: correct a pending invitation (no email, no token). revoke: a member leaves.
    let corrected = s
        .call(
            Method::PATCH,
            &tp(&format!("/invitations/{inv_bob}")),
            Some(&owner),
            Some(json!({"workspaces": ["north"], "record_owner": true})),
        )
        .await;
    assert_eq!(corrected.status, StatusCode::OK, "{}", corrected.json);
    let hal = format!("hal-{u}@example.com");
    s.call(Method::POST, &tp("/invitations"), Some(&owner), Some(invite(&hal, "viewer"))).await;
    let hal_token = aws::token_sent_to(&hal);
    let joined = s.call(Method::POST, "/v1/invitations/accept", Some(&s.app.token(&hal)), Some(json!({"token": hal_token}))).await;
    assert_eq!(joined.status, StatusCode::OK, "{}", joined.json);
    // update asks to change hal's address (two notices queued); accept confirms it.
    let hal_id = joined.json["member"]["user_id"].as_str().expect("user id").to_owned();
    let moved = format!("hal-moved-{u}@example.com");
    let asked = s.call(Method::PATCH, &tp(&format!("/members/{hal_id}")), Some(&owner), Some(json!({"email": moved}))).await;
    assert_eq!(asked.json["pending_email"]["email"], json!(moved), "{}", asked.json);
    let confirm_token = aws::link_token_sent_to(&moved, "#email_token=");
    let confirmed =
        s.call(Method::POST, "/v1/email-changes/confirm", Some(&s.app.token(&hal)), Some(json!({"token": confirm_token}))).await;
    assert_eq!(confirmed.json["email"], json!(moved), "{}", confirmed.json);
    let left = s.call(Method::DELETE, &format!("/v1/me/tenants/{t}"), Some(&s.app.token(&hal)), None).await;
    assert_eq!(left.status, StatusCode::NO_CONTENT, "{}", left.json);

    // update a member; export (also as a fresh tenant owner, whose first request is an export).
    let patched = s.call(Method::PATCH, &tp(&format!("/members/{ada_id}")), Some(&owner), Some(json!({"role": "member"}))).await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.json);
    let other_owner = format!("other-{u}@example.com");
    let t2 = id(&s.call(Method::POST, "/v1/tenants", Some(&operator), Some(json!({"name": "Other", "owner_email": other_owner}))).await);
    let export = s.call(Method::GET, &format!("/v1/tenants/{t2}/members/export"), Some(&s.app.token(&other_owner)), None).await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.json);

    // export, large: queued for the worker, which dies mid-file once (its upload is aborted),
    // then writes it after the sweep queues it again (below); the status route signs the link.
    s.table.queries_fail.store(true, Ordering::SeqCst);
    let large = s.call(Method::GET, &tp("/members/export?include=invitations"), Some(&owner), None).await;
    s.table.queries_fail.store(false, Ordering::SeqCst);
    assert_eq!(large.status, StatusCode::ACCEPTED, "{}", large.json);
    let export_id = large.json["id"].as_str().expect("export id").to_owned();

    // revoke an invitation and a member; delete the custom role (a ConditionCheck on the tenant).
    let confirm = json!({"confirm_email": ada});
    for (path, body) in
        [(tp(&format!("/invitations/{inv_bob}")), None), (tp(&format!("/members/{ada_id}")), Some(confirm)), (tp("/roles/auditor"), None)]
    {
        let r = s.call(Method::DELETE, &path, Some(&owner), body).await;
        assert!(r.status.is_success(), "DELETE {path}: {}", r.json);
    }

    // expire: the sweep queues carol's refused email again at its retry, then expires what is
    // overdue.
    s.recorder.act_as("expire");
    s.app.clock.advance_secs(61);
    let first = usher_domain::usecases::expire::sweep(&s.app.deps).await.expect("sweep");
    assert_eq!(first.requeued, 2, "carol's retry and the export's: {first:?}");
    s.deliver().await;
    assert_eq!(aws::sent_to(&carol).len(), 1, "sent on the retry");
    let ready = s.call(Method::GET, &tp(&format!("/exports/{export_id}")), Some(&owner), None).await;
    assert_eq!(ready.json["status"], "ready", "{}", ready.json);
    let (status, csv) = aws::http_get(ready.json["url"].as_str().expect("a link"));
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&csv).lines().count() > 4, "the whole file");
    let inv_erin = id(&s.call(Method::POST, &tp("/invitations"), Some(&owner), Some(invite(&erin, "viewer"))).await);
    s.app.clock.advance_days(31);
    // accept: an expired link asks the inviter for a new one (an email to the owner).
    let renewal = s.call(Method::POST, "/v1/invitations/renewal-request", None, Some(json!({"token": aws::token_sent_to(&erin)}))).await;
    assert!(renewal.status.is_success(), "{}", renewal.json);
    s.recorder.act_as("expire");
    let second = usher_domain::usecases::expire::sweep(&s.app.deps).await.expect("sweep");
    assert!(second.expired >= 2, "{second:?}");
    assert_eq!(aws::sent_to(&owner_email).len(), 1, "the renewal request reached the inviter");
    // resend: re-arming an expired invitation takes its seat back (a count write).
    let rearmed = s.call(Method::POST, &tp(&format!("/invitations/{inv_erin}/resend")), Some(&owner), None).await;
    assert!(rearmed.status.is_success(), "{}", rearmed.json);

    // Every write function, when storage fails mid-request, releases the idempotency claim.
    let owner = s.app.token(&owner_email);
    let fresh = |n: &str| format!("{n}-{u}@example.com");
    s.fail_midway(Method::POST, &tp("/invitations"), Some(&owner), Some(invite(&fresh("frank"), "viewer"))).await;
    let inv_gina = id(&s.call(Method::POST, &tp("/invitations"), Some(&owner), Some(invite(&fresh("gina"), "viewer"))).await);
    s.fail_midway(Method::POST, &tp(&format!("/invitations/{inv_gina}/resend")), Some(&owner), None).await;
    s.fail_midway(Method::DELETE, &tp(&format!("/invitations/{inv_gina}")), Some(&owner), None).await;
    s.fail_midway(Method::PATCH, &tp("/settings"), Some(&owner), Some(json!({"name": "Acme Again"}))).await;
    let gina = fresh("gina");
    s.fail_midway(Method::POST, "/v1/invitations/accept", Some(&s.app.token(&gina)), Some(json!({"token": aws::token_sent_to(&gina)})))
        .await;

    Box::pin(joining(&mut s, &t, &owner)).await;
    Box::pin(domains(&mut s, &dns, &t, &owner)).await;
    Box::pin(scim(&s, &t, &owner)).await;
    Box::pin(events(&s, &t, &inv_carol)).await;

    let all: BTreeSet<(Method, &'static str)> = routes::routes().into_iter().map(|r| (r.method, r.path)).collect();
    let missed: Vec<_> = all.difference(&s.succeeded).collect();
    assert!(missed.is_empty(), "the scenario never got a success from {missed:?}");
    recorder.seen()
}

/// Join links and join requests, each route on the function the template gives it: a link made,
/// listed, looked up, redeemed (a new person joins: users, guard, seat) and disabled (`update`,
/// `accept`); a link with approval, whose requests are listed (`list`, the person's own too),
/// approved and denied (`update`).
async fn joining(s: &mut Scenario, t: &str, owner: &str) {
    let tp = |rest: &str| format!("/v1/tenants/{t}{rest}");
    let u = aws::unique();
    let link = async |s: &mut Scenario, approval: bool| {
        let r = s
            .call(Method::POST, &tp("/join-links"), Some(owner), Some(json!({"role": "viewer", "max_uses": 5, "approval": approval})))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        let token = r.json["url"].as_str().and_then(|url| url.split_once("#join=")).expect("a join link").1.to_owned();
        (r.json["id"].as_str().expect("id").to_owned(), token)
    };
    let (open_id, open) = link(s, false).await;
    let (_, gated) = link(s, true).await;
    assert_eq!(s.call(Method::GET, &tp("/join-links"), Some(owner), None).await.status, StatusCode::OK);
    let looked = s.call(Method::POST, "/v1/join-links/lookup", None, Some(json!({"token": open}))).await;
    assert_eq!(looked.json["status"], "active", "{}", looked.json);
    let joiner = s.app.token(&format!("joiner-{u}@example.com"));
    let joined = s.call(Method::POST, "/v1/join-links/redeem", Some(&joiner), Some(json!({"token": open}))).await;
    assert_eq!(joined.json["outcome"], "joined", "{}", joined.json);
    let disabled = s.call(Method::DELETE, &tp(&format!("/join-links/{open_id}")), Some(owner), None).await;
    assert_eq!(disabled.status, StatusCode::OK, "{}", disabled.json);
    let ask = async |s: &mut Scenario, who: &str| {
        let bearer = s.app.token(who);
        let r = s.call(Method::POST, "/v1/join-links/redeem", Some(&bearer), Some(json!({"token": gated}))).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.json);
        r.json["join_request"]["id"].as_str().expect("a join request").to_owned()
    };
    let asker = format!("asker-{u}@example.com");
    let first = ask(s, &asker).await;
    let second = ask(s, &format!("other-{u}@example.com")).await;
    let asker_bearer = s.app.token(&asker);
    let mine = s.call(Method::GET, "/v1/me/join-requests", Some(&asker_bearer), None).await;
    assert_eq!(mine.json["data"][0]["id"], first.as_str(), "{}", mine.json);
    let listed = s.call(Method::GET, &tp("/join-requests?status=pending"), Some(owner), None).await;
    assert_eq!(listed.json["data"].as_array().map(Vec::len), Some(2), "{}", listed.json);
    let approved = s.call(Method::POST, &tp(&format!("/join-requests/{first}/approve")), Some(owner), None).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.json);
    let denied = s.call(Method::POST, &tp(&format!("/join-requests/{second}/deny")), Some(owner), None).await;
    assert_eq!(denied.status, StatusCode::OK, "{}", denied.json);
}

/// Verified domains, each route on the function the template gives it: added, verified (the
/// claim written), opened (`update`); offered and joined by a person at the domain (`list`,
/// `accept`: a seat taken); looked at again by the schedule (`expire`); removed (`update`).
async fn domains(s: &mut Scenario, dns: &usher_tests::dns::DnsStub, t: &str, owner: &str) {
    let tp = |rest: &str| format!("/v1/tenants/{t}{rest}");
    let domain = format!("d{}.example", aws::unique());
    let added = s.call(Method::POST, &tp("/domains"), Some(owner), Some(json!({"domain": domain}))).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.json);
    dns.set_txt(added.json["verification"]["name"].as_str().unwrap(), &[added.json["verification"]["value"].as_str().unwrap()]);
    assert_eq!(s.call(Method::GET, &tp("/domains"), Some(owner), None).await.status, StatusCode::OK);
    let verified = s.call(Method::POST, &tp(&format!("/domains/{domain}/verify")), Some(owner), None).await;
    assert_eq!(verified.json["status"], "verified", "{}", verified.json);
    // Verifying again: the claim is this tenant's already, and must still be (a check write).
    let again = s.call(Method::POST, &tp(&format!("/domains/{domain}/verify")), Some(owner), None).await;
    assert_eq!(again.json["status"], "verified", "{}", again.json);
    let opened =
        s.call(Method::PATCH, &tp(&format!("/domains/{domain}")), Some(owner), Some(json!({"join": "auto", "join_role": "viewer"}))).await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.json);
    let person = s.app.token(&format!("pat@{domain}"));
    let offered = s.call(Method::GET, "/v1/me/joinable-tenants", Some(&person), None).await;
    assert_eq!(offered.json["data"][0]["tenant_id"], t, "{}", offered.json);
    let joined = s.call(Method::POST, &format!("/v1/me/tenants/{t}/join"), Some(&person), None).await;
    assert_eq!(joined.json["outcome"], "joined", "{}", joined.json);
    // The schedule's daily look: the record is gone, so the domain's missing clock starts.
    dns.remove(added.json["verification"]["name"].as_str().unwrap());
    s.app.clock.advance_days(1);
    s.recorder.act_as("expire");
    let swept = usher_domain::usecases::expire::sweep(&s.app.deps).await.expect("sweep");
    assert!(swept.domains_checked >= 1, "{swept:?}");
    let removed = s.call(Method::DELETE, &tp(&format!("/domains/{domain}")), Some(owner), None).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.json);
}

/// The `scim` function, as an identity provider drives it: a token (made through `update`), the
/// lookup before a create, a person (invited at once under `provisioning: invite`), a group
/// naming them, a full listing, deprovisioning by DELETE.
async fn scim(s: &Scenario, t: &str, owner: &str) {
    s.recorder.act_as("setup");
    let tp = |rest: &str| format!("/v1/tenants/{t}{rest}");
    let created = s.app.call(Method::POST, &tp("/scim-tokens"), Some(owner), None).await;
    let token = created.json["token"].as_str().expect("a SCIM token").to_owned();
    let invite = s.app.call(Method::PATCH, &tp("/directory/settings"), Some(owner), Some(json!({"provisioning": "invite"}))).await;
    assert_eq!(invite.status, StatusCode::OK, "{}", invite.json);
    s.recorder.act_as("scim");
    let scim = usher_scim::ScimApp::new(s.app.deps.clone());
    let u = aws::unique();
    let looked =
        usher_tests::scim::scim_call(&scim, &token, Method::GET, &format!("/Users?filter=userName%20eq%20%22kim-{u}%22"), None).await;
    assert_eq!(looked.json["totalResults"], 0, "{}", looked.json);
    let body = json!({"schemas": [usher_scim::schema::USER], "userName": format!("kim-{u}"), "emails": [{"value": format!("kim-{u}@example.com")}]});
    let kim = usher_tests::scim::scim_call(&scim, &token, Method::POST, "/Users", Some(body)).await;
    assert_eq!(kim.status, StatusCode::CREATED, "{}", kim.json);
    let kim_id = kim.json["id"].as_str().expect("id").to_owned();
    let group = json!({"schemas": [usher_scim::schema::GROUP], "displayName": "Drivers", "members": [{"value": kim_id}]});
    let g = usher_tests::scim::scim_call(&scim, &token, Method::POST, "/Groups", Some(group)).await;
    assert_eq!(g.status, StatusCode::CREATED, "{}", g.json);
    let all = usher_tests::scim::scim_call(&scim, &token, Method::GET, "/Users", None).await;
    assert!(all.json["totalResults"].as_u64().unwrap_or(0) >= 1, "{}", all.json);
    let gone = usher_tests::scim::scim_call(&scim, &token, Method::DELETE, &format!("/Users/{kim_id}"), None).await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT, "{}", gone.json);
}

/// The event functions, as Lambda runs them: `publish` on the table's stream records (one audit
/// record that does not decode, parked), `webhook` on queued events (its secret read from
/// Parameter Store at the first attempt; a refused delivery put back with its backoff, one
/// after its seventh failure parked), and `feedback` on an SES bounce of carol's email.
async fn events(s: &Scenario, t: &str, inv_carol: &str) {
    let with_recorder = |conf: aws_sdk_eventbridge::Config| conf.to_builder().interceptor(s.recorder.clone()).build();
    let sqs = aws_sdk_sqs::Client::from_conf(aws::sqs().config().to_builder().interceptor(s.recorder.clone()).build());
    s.recorder.act_as("publish");
    let (bus, queue) = aws::bus_with_queue().await;
    let eventbridge = aws_sdk_eventbridge::Client::from_conf(with_recorder(aws::eventbridge().config().clone()));
    let mut records: Vec<Value> = aws::stream_records(s.table.inner.name()).await.into_iter().take(40).collect();
    let mut broken = records
        .iter()
        .find(|r| r["dynamodb"]["Keys"]["pk"]["S"].as_str().is_some_and(|pk| pk.ends_with("#A")))
        .expect("an audit record")
        .clone();
    broken["dynamodb"]["NewImage"]["d"] = json!({"M": {}});
    records.push(broken);
    let parked = usher_lambda::events::ParkedRecords { sqs: sqs.clone(), queue_url: aws::named_queue("publish-parked").await };
    let answer =
        usher_lambda::events::publish_batch(&usher_aws::EventBus::new(eventbridge, bus), &parked, "test", json!({"Records": records}))
            .await
            .expect("publish");
    assert_eq!(answer["batchItemFailures"], json!([]), "{answer}");
    assert_eq!(aws::receive(&parked.queue_url).await.len(), 1, "the broken record was parked");

    s.recorder.act_as("webhook");
    let secret = usher_domain::events::WebhookSecret::from_random([5; 32]);
    let parameter = aws::webhook_secret_parameter(&secret).await;
    let ssm = aws_sdk_ssm::Client::from_conf(aws::ssm().config().to_builder().interceptor(s.recorder.clone()).build());
    let mut messages = aws::receive(&queue).await;
    assert!(messages.len() >= 2, "the rule queued the published events");
    // The second has failed seven times already: this failure parks it.
    messages[1].attributes.insert("usher-failures".into(), "7".into());
    let queues = usher_lambda::events::WebhookQueues {
        sqs: sqs.clone(),
        queue_url: aws::named_queue("webhook-queue").await,
        dead_letter_url: aws::named_queue("webhook-dlq").await,
    };
    let refused = usher_tests::webhooks::Endpoint { always_fail: true, ..Default::default() };
    let endpoint = usher_http::HttpWebhookEndpoint::new(&usher_tests::webhooks::start_endpoint(refused).await).expect("endpoint");
    let read_secret = || usher_aws::events::webhook_secret(&ssm, &parameter);
    let answer =
        usher_lambda::events::webhook_batch(&endpoint, read_secret, &queues, aws::sqs_event(&messages[..2])).await.expect("webhook");
    assert_eq!(answer["batchItemFailures"], json!([]), "both were put back or parked: {answer}");

    s.recorder.act_as("feedback");
    // The send id carol's email carried (read as feedback reads the invitation: GetItem).
    let key = usher_domain::schema::invitation_key(
        &usher_domain::values::TenantId::parse(t).expect("tenant"),
        &usher_domain::values::InvitationId::parse(inv_carol).expect("invitation"),
    );
    let carol = usher_domain::schema::load::<usher_domain::model::Invitation>(s.app.deps.table.as_ref(), &key).await.expect("read");
    let send = carol.and_then(|c| c.value.delivery().send_id.clone()).expect("carol's email has a send id");
    let bounce = json!({"eventType": "Complaint", "complaint": {"complaintFeedbackType": "abuse"},
        "mail": {"messageId": format!("0100-{}", aws::unique()), "tags": {"usher-tenant": [t], "usher-invitation": [inv_carol], "usher-send": [send]}}});
    let sns = json!({"Records": [{"Sns": {"Message": bounce.to_string()}}]});
    let answer = usher_lambda::events::feedback_batch(&s.app.deps, sns).await.expect("feedback");
    assert_eq!(answer["recorded"], json!(["marked"]), "{answer}");
}

/// The export worker (template.yaml's ExportJobFunction: the deliver binary on the export queue).
const EXPORT_WORKER: &str = "export-jobs";

/// A granted permission: action, resource, and the `dynamodb:LeadingKeys` patterns if any.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Grant {
    function: String,
    action: String,
    resource: String,
    leading_keys: Option<Vec<String>>,
}

/// A Resource entry, named as the recorder names resources.
fn resource_name(v: &Yaml) -> Vec<String> {
    match v {
        Yaml::Tagged(t) if t.tag == "GetAtt" && t.value.as_str() == Some("Table.Arn") => vec!["table".into()],
        Yaml::Tagged(t) if t.tag == "GetAtt" && t.value.as_str() == Some("DeliveryQueue.Arn") => vec!["queue".into()],
        Yaml::Tagged(t) if t.tag == "GetAtt" && t.value.as_str() == Some("ExportQueue.Arn") => vec!["export-queue".into()],
        Yaml::Tagged(t) if t.tag == "GetAtt" && t.value.as_str() == Some("WebhookQueue.Arn") => vec!["webhook-queue".into()],
        Yaml::Tagged(t) if t.tag == "GetAtt" && t.value.as_str() == Some("WebhookDeadLetterQueue.Arn") => vec!["webhook-dlq".into()],
        Yaml::Tagged(t) if t.tag == "GetAtt" && t.value.as_str() == Some("PublishParkedQueue.Arn") => vec!["publish-parked".into()],
        Yaml::Tagged(t) if t.tag == "GetAtt" && t.value.as_str() == Some("EventBus.Arn") => vec!["bus".into()],
        Yaml::Tagged(t) if t.tag == "Sub" && t.value.as_str() == Some("${ExportBucket.Arn}/exports/*") => vec!["bucket/exports".into()],
        Yaml::Tagged(t) if t.tag == "Sub" => {
            let s = t.value.as_str().expect("!Sub string");
            if let Some(index) = s.strip_prefix("${Table.Arn}/index/") {
                vec![format!("table/index/{index}")]
            } else if s.contains(":ses:") && s.contains(":identity/${SenderDomain}") {
                vec!["ses:identity".into()]
            } else if s.contains(":ses:")
                && (s.contains(":configuration-set/${SesConfigurationSet}") || s.contains(":configuration-set/${FeedbackConfigurationSet}"))
            {
                vec!["ses:configuration-set".into()]
            } else if s.contains(":ssm:") && s.ends_with(":parameter${WebhookSecretParameter}") {
                vec!["ssm:webhook-secret".into()]
            } else {
                panic!("unrecognised resource {s}")
            }
        }
        // SES: every email names a configuration set, the operator's or the stack's own (whose
        // bounces and complaints reach `feedback`): both branches grant the same.
        Yaml::Tagged(t) if t.tag == "If" => {
            let parts = t.value.as_sequence().expect("!If [cond, then, else]");
            assert_eq!(parts[0].as_str(), Some("HasSesConfigurationSet"), "{parts:?}");
            let then: Vec<String> = resource_name(&parts[1]);
            let otherwise: Vec<String> = resource_name(&parts[2]);
            assert_eq!(then, otherwise, "the operator's configuration set or the stack's: the same kind of grant");
            then
        }
        Yaml::Sequence(items) => items.iter().flat_map(resource_name).collect(),
        other => panic!("unrecognised resource {other:?}"),
    }
}

fn strings(v: &Yaml) -> Vec<String> {
    match v {
        Yaml::String(s) => vec![s.clone()],
        Yaml::Sequence(items) => items.iter().flat_map(strings).collect(),
        other => panic!("expected strings, got {other:?}"),
    }
}

fn grants() -> Vec<Grant> {
    let doc = usher_tests::repo_yaml("template.yaml");
    let mut out = Vec::new();
    for (logical, res) in doc["Resources"].as_mapping().expect("resources") {
        if res["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        // Named by binary; the export worker runs deliver's binary under a role of its own.
        let function = match logical.as_str() {
            Some("ExportJobFunction") => EXPORT_WORKER.to_owned(),
            _ => res["Metadata"]["BuildProperties"]["Binary"].as_str().expect("binary").to_owned(),
        };
        // No Policies: a function that makes no AWS call (web); any call it made would show
        // up below as needed but not granted.
        let policies = res["Properties"]["Policies"].as_sequence().map_or(&[][..], Vec::as_slice);
        for policy in policies {
            for st in policy["Statement"].as_sequence().expect("statements") {
                assert_eq!(st["Effect"].as_str(), Some("Allow"), "{function}: {st:?}");
                let leading_keys = match &st["Condition"] {
                    Yaml::Null => None,
                    c => {
                        let like = c["ForAllValues:StringLike"].as_mapping().expect("only ForAllValues:StringLike conditions");
                        assert_eq!(like.len(), 1, "{function}: one condition key");
                        Some(strings(&like["dynamodb:LeadingKeys"]))
                    }
                };
                for action in strings(&st["Action"]) {
                    for resource in resource_name(&st["Resource"]) {
                        out.push(Grant {
                            function: function.clone(),
                            action: action.clone(),
                            resource,
                            leading_keys: leading_keys.clone(),
                        });
                    }
                }
            }
        }
    }
    out
}

/// IAM's StringLike: `*` matches any run of characters. Leading keys are recorded as a prefix
/// ending in `#`, so `SUB#` stands for every `SUB#...` key.
fn like(pattern: &str, prefix: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(head) if !head.contains('*') => prefix.starts_with(head),
        _ => panic!("tests/iam.rs understands LeadingKeys patterns of the form `PREFIX*`, not {pattern:?}"),
    }
}

fn allows(g: &Grant, need: &Need) -> bool {
    g.action == need.action
        && g.resource == need.resource
        && match (&g.leading_keys, &need.leading_key) {
            (None, _) => true,
            (Some(patterns), Some(prefix)) => patterns.iter().any(|p| like(p, prefix)),
            (Some(_), None) => false,
        }
}

#[test]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
fn each_functions_iam_policy_grants_exactly_the_aws_calls_its_code_makes() {
    // The scenario is one long future, too large for a test thread's 2 MiB stack in a debug
    // build (boxing it was enough until the userinfo step): it runs on a thread of its own.
    let seen = std::thread::Builder::new()
        .stack_size(16 * 1024 * 1024)
        .spawn(|| tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime").block_on(Box::pin(run_scenario())))
        .expect("scenario thread")
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e));
    let grants = grants();

    let mut problems = Vec::new();
    for g in &grants {
        if g.action.contains('*') || g.resource.contains('*') {
            problems.push(format!("{}: wildcard in {} on {}", g.function, g.action, g.resource));
        }
    }
    let functions: BTreeSet<&str> = grants.iter().map(|g| g.function.as_str()).collect();
    for f in &functions {
        let needs = seen.get(*f).cloned().unwrap_or_default();
        let mine: Vec<&Grant> = grants.iter().filter(|g| g.function == *f).collect();
        for need in &needs {
            if !mine.iter().any(|g| allows(g, need)) {
                problems.push(format!(
                    "{f}: calls {} on {} (key {:?}) but the template does not allow it",
                    need.action, need.resource, need.leading_key
                ));
            }
        }
        for g in &mine {
            if !needs.iter().any(|n| allows(g, n)) {
                problems.push(format!("{f}: the template grants {} on {} but the code never calls it", g.action, g.resource));
            }
        }
        // A condition on a grant must hold for every such call (no unconditioned twin).
        for need in &needs {
            let conditioned = mine.iter().any(|g| g.action == need.action && g.resource == need.resource && g.leading_keys.is_some());
            let open = mine.iter().any(|g| g.action == need.action && g.resource == need.resource && g.leading_keys.is_none());
            if conditioned && open {
                problems.push(format!("{f}: {} on {} is granted both with and without a key condition", need.action, need.resource));
            }
        }
    }
    let unknown: Vec<&String> = seen.keys().filter(|k| !functions.contains(k.as_str()) && *k != "setup").collect();
    if !unknown.is_empty() {
        problems.push(format!("calls were made as {unknown:?}, which the template does not deploy"));
    }
    // What the code needs, for the reader of a failure.
    let summary: Vec<String> = seen
        .iter()
        .filter(|(f, _)| *f != "setup")
        .map(|(f, needs)| {
            let list: Vec<String> = needs
                .iter()
                .map(|n| format!("{} {}{}", n.action, n.resource, n.leading_key.as_ref().map(|k| format!(" [{k}]")).unwrap_or_default()))
                .collect();
            format!("{f}:\n    {}", list.join("\n    "))
        })
        .collect();
    assert!(problems.is_empty(), "{}\n\nthe calls each function made:\n{}", problems.join("\n"), summary.join("\n"));
}
