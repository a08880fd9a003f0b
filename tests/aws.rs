//! The production adapters against a local AWS-compatible server (moto), through the real AWS
//! SDK: the storage contract and the races on DynamoDB, and email through SES v2.
//! `infra/scripts/test.sh` starts the server and runs these (`--include-ignored`); plain
//! `cargo test` lists them as ignored because it has no server.

use http::{Method, StatusCode};
use serde_json::json;
use std::sync::Arc;
use usher_domain::ports::{Mailer, Table};
use usher_tests::{TestApp, aws, races};

const OWNER: &str = "owner@acme.test";

async fn dynamo_app() -> Arc<TestApp> {
    Arc::new(TestApp::with_table(aws::new_table().await))
}

#[tokio::test]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn the_dynamodb_table_keeps_the_storage_contract() {
    usher_tests::contract::run_all(async || aws::new_table().await as Arc<dyn Table>).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn fifty_concurrent_accepts_on_dynamodb_make_exactly_one_membership() {
    races::fifty_concurrent_accepts_make_exactly_one_membership(dynamo_app().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn ten_concurrent_invites_of_one_address_on_dynamodb_make_exactly_one_invitation() {
    races::ten_concurrent_invites_of_one_address_make_exactly_one_invitation(dynamo_app().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn concurrent_invites_for_the_last_seat_on_dynamodb_let_exactly_one_through() {
    races::concurrent_invites_for_the_last_seat_let_exactly_one_through(dynamo_app().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn accept_racing_revoke_on_dynamodb_leaves_one_winner_and_consistent_state() {
    races::accept_racing_revoke_leaves_one_winner_and_consistent_state(dynamo_app().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn twenty_concurrent_writers_in_one_tenant_on_dynamodb_all_succeed_without_conflicting() {
    races::twenty_concurrent_writers_in_one_tenant_all_succeed_without_conflicting(aws::new_table().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn two_bulk_calls_on_dynamodb_racing_for_the_last_seats_never_overshoot_and_keep_row_order() {
    races::two_bulk_calls_racing_for_the_last_seats_never_overshoot_and_keep_row_order(dynamo_app().await).await;
}

#[tokio::test]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
// 200 rows, not 1000: moto copies the table for every transaction, so its time grows with the
// table; 200 rows are several full chunks (up to 100 writes each), which is what this proves.
async fn a_bulk_call_on_dynamodb_saves_every_row_in_chunks_within_the_services_transaction_limits() {
    let app = dynamo_app().await;
    let t = app.tenant("Big", OWNER, Some(201)).await;
    let rows: Vec<serde_json::Value> = (0..200).map(|i| json!({"email": format!("p{i}@example.com"), "role": "viewer"})).collect();
    let started = std::time::Instant::now();
    let r = app
        .call(Method::POST, &format!("/v1/tenants/{t}/invitations"), Some(&app.token(OWNER)), Some(json!({ "invitations": rows })))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["summary"], json!({"rows": 200, "invited": 200, "errors": 0}));
    eprintln!("200-row bulk call on moto answered in {:?}", started.elapsed());
    let seats = app.call(Method::GET, &format!("/v1/tenants/{t}/members"), Some(&app.token(OWNER)), None).await;
    assert_eq!(seats.json["seats"], json!({"limit": 201, "members": 1, "pending": 200, "available": 0}));
}

#[tokio::test]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn the_whole_lifecycle_runs_on_dynamodb_and_ses() {
    let domain = format!("{}.usher.test", aws::unique());
    aws::verify_domain(&domain).await;
    let app = TestApp::with_ports(aws::new_table().await, Some(aws::mailer(&format!("Usher <no-reply@{domain}>"))));
    let t = app.tenant("Acme", OWNER, Some(10)).await;
    let ada = format!("ada-{}@example.com", aws::unique());

    let inv = app.invite(&t, OWNER, &ada, "admin").await;
    assert_eq!(inv.status, StatusCode::CREATED, "{}", inv.json);
    assert_eq!(inv.json["delivery"]["status"], "pending", "queued; the local worker sends it through SES");
    let mails = aws::sent_to(&ada);
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0]["subject"], format!("{OWNER} invited you to join Acme"));
    assert_eq!(mails[0]["source"], format!("Usher <no-reply@{domain}>"));
    assert!(mails[0]["body"].as_str().unwrap_or_default().contains("https://app.example/accept#token="));
    let token = aws::token_sent_to(&ada);

    let look = app.call(Method::POST, "/v1/invitations/lookup", None, Some(json!({"token": token}))).await;
    assert_eq!((look.status, look.json["status"].as_str()), (StatusCode::OK, Some("pending")));
    let acc = app.call(Method::POST, "/v1/invitations/accept", Some(&app.token(&ada)), Some(json!({"token": token}))).await;
    assert_eq!(acc.status, StatusCode::OK, "{}", acc.json);

    let owner = app.token(OWNER);
    let members = app.call(Method::GET, &format!("/v1/tenants/{t}/members"), Some(&owner), None).await;
    assert_eq!(members.json["seats"], json!({"limit": 10, "members": 2, "pending": 0, "available": 8}));
    for i in 0..5 {
        app.invite(&t, OWNER, &format!("p{i}-{}@example.com", aws::unique()), "viewer").await;
    }
    let page = app.call(Method::GET, &format!("/v1/tenants/{t}/invitations?limit=2&status=pending"), Some(&owner), None).await;
    assert_eq!(page.json["data"].as_array().map(Vec::len), Some(2));
    let cursor = page.json["next_cursor"].as_str().expect("a cursor");
    let next =
        app.call(Method::GET, &format!("/v1/tenants/{t}/invitations?limit=10&status=pending&cursor={cursor}"), Some(&owner), None).await;
    assert_eq!(next.json["data"].as_array().map(Vec::len), Some(3), "cursor pages through DynamoDB");

    let export = app.call(Method::GET, &format!("/v1/tenants/{t}/members/export?include=invitations"), Some(&owner), None).await;
    assert_eq!(String::from_utf8_lossy(&export.bytes).lines().count(), 1 + 2 + 5);

    app.clock.advance_days(8);
    let swept = usher_domain::usecases::expire::sweep(&app.deps).await.expect("sweep");
    assert_eq!(swept.expired, 5);
    let after = app.call(Method::GET, &format!("/v1/tenants/{t}/members"), Some(&owner), None).await;
    assert_eq!(after.json["seats"]["pending"], 0);
    let mine = app.call(Method::GET, "/v1/me/invitations", Some(&app.token(&ada)), None).await;
    assert_eq!(mine.json["data"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn an_unverified_sender_leaves_the_invitation_failed_and_the_sweep_delivers_it_once_verified() {
    let domain = format!("{}.usher.test", aws::unique());
    let app = TestApp::with_ports(aws::new_table().await, Some(aws::mailer(&format!("no-reply@{domain}"))));
    let t = app.tenant("Acme", OWNER, None).await;
    let ada = format!("ada-{}@example.com", aws::unique());

    let inv = app.invite(&t, OWNER, &ada, "member").await;
    assert_eq!(inv.status, StatusCode::CREATED, "the invitation is saved even though SES refused");
    assert!(aws::sent_to(&ada).is_empty());
    let listed = app.call(Method::GET, &format!("/v1/tenants/{t}/invitations"), Some(&app.token(OWNER)), None).await;
    let delivery = &listed.json["data"][0]["delivery"];
    assert_eq!(delivery["status"], "failed", "visible to admins");
    assert!(delivery["last_error"].as_str().unwrap_or_default().contains("not verified"), "{}", listed.json);

    aws::verify_domain(&domain).await;
    app.clock.advance_secs(61);
    assert_eq!(app.sweep().await.requeued, 1, "queued again at its retry");
    assert_eq!(aws::sent_to(&ada).len(), 1);
    let token = aws::token_sent_to(&ada);
    let acc = app.call(Method::POST, "/v1/invitations/accept", Some(&app.token(&ada)), Some(json!({"token": token}))).await;
    assert_eq!(acc.status, StatusCode::OK, "the retried link works: {}", acc.json);
}

#[tokio::test]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn the_sqs_queue_carries_a_thousand_wake_ups_in_batches_each_naming_its_item_and_no_secret() {
    use usher_domain::ports::{DeliveryJob, DeliveryQueue};
    let url = aws::new_queue().await;
    let queue = usher_aws::SqsQueue::new(aws::sqs(), &url);
    let tenant = usher_domain::values::TenantId::parse("ten_0123456789abcdef").expect("tenant");
    let jobs: Vec<DeliveryJob> = (0..1000)
        .map(|i| DeliveryJob::Invitation {
            tenant_id: tenant.clone(),
            invitation_id: usher_domain::values::InvitationId::parse(&format!("inv_{i:032x}")).expect("id"),
        })
        .collect();
    let started = std::time::Instant::now();
    queue.enqueue(&jobs).await.expect("queued");
    eprintln!("1000 wake-ups queued on moto in {:?}", started.elapsed());

    let mut got = std::collections::HashSet::new();
    loop {
        let batch = aws::receive(&url).await;
        if batch.is_empty() {
            break;
        }
        for m in &batch {
            assert!(m.body.len() < 200 && !m.body.contains('@') && !m.body.contains("token"), "ids only: {}", m.body);
            got.insert(serde_json::from_str::<DeliveryJob>(&m.body).expect("a job"));
            aws::delete(&url, m).await;
        }
    }
    assert_eq!(got, jobs.into_iter().collect(), "every job arrived, and nothing else");
}

#[tokio::test]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn export_jobs_go_to_the_export_queue_and_emails_stay_on_the_delivery_queue() {
    use usher_domain::ports::{DeliveryJob, DeliveryQueue};
    let (deliveries, exports) = (aws::new_queue().await, aws::new_queue().await);
    let queue = usher_aws::SqsQueue::new(aws::sqs(), &deliveries).with_export_queue(&exports);
    let tenant = usher_domain::values::TenantId::parse("ten_0123456789abcdef").expect("tenant");
    let mut jobs: Vec<DeliveryJob> = (0..25)
        .map(|i| DeliveryJob::Invitation {
            tenant_id: tenant.clone(),
            invitation_id: usher_domain::values::InvitationId::parse(&format!("inv_{i:032x}")).expect("id"),
        })
        .collect();
    jobs.insert(7, DeliveryJob::Export { tenant_id: tenant.clone(), export_id: "0190aaaa".into() });
    jobs.push(DeliveryJob::Export { tenant_id: tenant.clone(), export_id: "0190bbbb".into() });
    queue.enqueue(&jobs).await.expect("queued");

    let drain = |url: String| async move {
        let mut got = Vec::new();
        loop {
            let batch = aws::receive(&url).await;
            if batch.is_empty() {
                return got;
            }
            for m in &batch {
                got.push(serde_json::from_str::<DeliveryJob>(&m.body).expect("a job"));
                aws::delete(&url, m).await;
            }
        }
    };
    let on_exports = drain(exports).await;
    let on_deliveries = drain(deliveries).await;
    assert_eq!(on_exports.len(), 2, "{on_exports:?}");
    assert!(on_exports.iter().all(|j| matches!(j, DeliveryJob::Export { .. })));
    assert_eq!(on_deliveries.len(), 25);
    assert!(on_deliveries.iter().all(|j| matches!(j, DeliveryJob::Invitation { .. })));
}

#[tokio::test]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn a_queue_that_does_not_exist_is_an_error_the_caller_logs_and_the_sweep_recovers_from() {
    use usher_domain::ports::{DeliveryJob, DeliveryQueue};
    let queue = usher_aws::SqsQueue::new(aws::sqs(), format!("{}/123456789012/usher-missing-{}", aws::endpoint(), aws::unique()));
    let job = DeliveryJob::Notice { tenant_id: usher_domain::values::TenantId::parse("ten_abc").expect("tenant"), notice_id: "0f".into() };
    let err = queue.enqueue(&[job]).await.expect_err("no such queue");
    assert!(err.to_string().contains("not queued"), "{err}");
}

#[tokio::test]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn an_s3_file_goes_up_in_parts_of_at_least_five_mib_and_its_presigned_link_downloads_it_byte_for_byte() {
    use usher_domain::ports::FileStore;
    let bucket = aws::new_bucket().await;
    let files = usher_aws::S3Files::new(aws::s3(), &bucket);
    // 12 MiB written as the export writer does (8 MiB parts, then the rest): three S3 parts
    // would be refused (each but the last must be 5 MiB), so the adapter must group them.
    let mut expected = Vec::new();
    let mut upload = files.begin("exports/ten_1/big.csv", "text/csv; charset=utf-8").await.expect("begin");
    for (i, size) in [3 * 1024 * 1024, 3 * 1024 * 1024, 6 * 1024 * 1024].into_iter().enumerate() {
        let chunk: Vec<u8> = (0..size).map(|n| b"abcdefghij"[(n + i) % 10]).collect();
        expected.extend_from_slice(&chunk);
        upload.write(chunk).await.expect("a part");
    }
    assert_eq!(upload.finish().await.expect("finish"), expected.len() as u64);
    let parts = aws::s3()
        .get_object_attributes()
        .bucket(&bucket)
        .key("exports/ten_1/big.csv")
        .object_attributes(aws_sdk_s3::types::ObjectAttributes::ObjectParts)
        .send()
        .await;
    if let Ok(attrs) = parts {
        eprintln!("parts as S3 (moto) records them: {:?}", attrs.object_parts().and_then(|p| p.total_parts_count()));
    }

    let url = files.link("exports/ten_1/big.csv", "members-ten_1.csv", 900).await.expect("a link");
    assert!(url.contains("X-Amz-Signature=") && url.contains("X-Amz-Expires=900"), "a presigned GET: {url}");
    let (status, body) = aws::http_get(&url);
    assert_eq!(status, 200);
    assert!(body == expected, "the same {} bytes (got {})", expected.len(), body.len());

    // An aborted upload leaves nothing.
    let aborted = files.begin("exports/ten_1/gone.csv", "text/csv").await.expect("begin");
    aborted.abort().await;
    let listed = aws::s3().list_objects_v2().bucket(&bucket).prefix("exports/ten_1/gone").send().await.expect("list");
    assert_eq!(listed.key_count(), Some(0));
}

#[tokio::test]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn the_ses_mailer_sends_subject_html_and_text_to_exactly_the_recipient() {
    let domain = format!("{}.usher.test", aws::unique());
    aws::verify_domain(&domain).await;
    let to = format!("grace-{}@example.com", aws::unique());
    let message = usher_domain::ports::OutgoingEmail {
        tags: Vec::new(),
        to: usher_domain::values::Email::parse(&to).expect("email"),
        subject: "Grüße from Usher".into(),
        html: "<p>Hallo</p>".into(),
        text: "Hallo".into(),
    };
    aws::mailer(&format!("Usher <hello@{domain}>")).send(&message).await.expect("sent");
    let sent = aws::sent_to(&to);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["subject"], "Grüße from Usher");
    assert_eq!(sent[0]["destinations"]["ToAddresses"], json!([to]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn scim_provisioning_on_dynamodb_deprovisions_maps_groups_and_never_fails_on_seats() {
    usher_tests::scim::run_all(async || aws::new_table().await as Arc<dyn Table>).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn directory_uploads_and_bulk_rows_by_person_on_dynamodb() {
    usher_tests::directory::run_all(async || aws::new_table().await as Arc<dyn Table>).await;
}
