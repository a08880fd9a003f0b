//! End to end, the way Lambda runs Usher: the real function binaries, started under an emulated
//! Lambda Runtime API, fed the committed API Gateway v2 and EventBridge event fixtures, against
//! DynamoDB and SES on the local AWS-compatible server.
//! invite → queued → deliver → email arrives → lookup → accept → list → export → expire.

use serde_json::{Value, json};
use usher_domain::ports::{Clock, Table};
use usher_tests::lambda::{Function, Limits, function_env, http_answer, http_event, person_token, schedule_event};
use usher_tests::{TestApp, aws};

/// The function binaries keep the production SDK budgets (2 s an attempt), and moto answers one
/// request at a time: the tests that drive them through moto take turns, so one test's burst
/// never stalls another's calls past those budgets (a CI run saw 503s when they overlapped).
static MOTO_TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn call(f: &Function, method: &str, path: &str, bearer: Option<&str>, body: Option<Value>) -> (u16, Value, Vec<u8>) {
    let resp = f.invoke(http_event(method, path, bearer, body.as_ref())).await.expect("the function answered");
    http_answer(&resp)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn the_function_binaries_serve_the_whole_lifecycle_as_lambda_runs_them() {
    let _turn = MOTO_TURN.lock().await;
    let table = aws::new_table().await;
    let domain = format!("{}.usher.test", aws::unique());
    aws::verify_domain(&domain).await;
    let mut env = function_env(table.name(), &format!("Usher <no-reply@{domain}>"));
    let queue_url = aws::new_queue().await;
    env.retain(|(k, _)| *k != "USHER_DELIVERY_QUEUE_URL");
    env.push(("USHER_DELIVERY_QUEUE_URL", queue_url.clone()));
    let update = Function::start("update", &env).await;
    let invite = Function::start("invite", &env).await;
    let accept = Function::start("accept", &env).await;
    let list = Function::start("list", &env).await;
    let export = Function::start("export", &env).await;
    let expire = Function::start("expire", &env).await;
    let deliver = Function::start("deliver", &env).await;

    // Tenant provisioning is IAM-authorised: API Gateway puts the caller's IAM identity in the context.
    let signed = |mut event: Value| {
        event["requestContext"]["authorizer"] = json!({"iam": {"accessKey": "AKIA", "accountId": "123456789012", "callerId": "AROA:backend",
            "cognitoIdentity": null, "principalOrgId": null, "userArn": "arn:aws:sts::123456789012:assumed-role/backend/x", "userId": "AROA:backend"}});
        event
    };
    let create = http_event("POST", "/v1/tenants", None, Some(&json!({"name": "Acme", "owner_email": "owner@acme.test", "seat_limit": 4})));
    let (status, tenant, _) = http_answer(&update.invoke(signed(create)).await.expect("answer"));
    assert_eq!(status, 201, "{tenant}");
    let t = tenant["id"].as_str().expect("tenant id").to_owned();
    // The customer upgrades: the backend raises the seat limit, IAM-authorised too.
    let upgrade = http_event("PATCH", &format!("/v1/tenants/{t}"), None, Some(&json!({"seat_limit": 5})));
    let (status, upgraded, _) = http_answer(&update.invoke(signed(upgrade)).await.expect("answer"));
    assert_eq!((status, &upgraded["seats"]["limit"]), (200, &json!(5)), "{upgraded}");
    let (status, _, _) = call(
        &update,
        "POST",
        "/v1/tenants",
        Some(&person_token("owner@acme.test")),
        Some(json!({"name": "Mine", "owner_email": "x@y.test"})),
    )
    .await;
    assert_eq!(status, 403, "a user token, even one claiming operator rights, cannot provision tenants on AWS");

    let owner = person_token("owner@acme.test");
    let ada_email = format!("ada-{}@example.com", aws::unique());
    let (status, inv, _) =
        call(&invite, "POST", &format!("/v1/tenants/{t}/invitations"), Some(&owner), Some(json!({"email": ada_email, "role": "member"})))
            .await;
    assert_eq!(status, 201, "{inv}");
    assert_eq!(inv["delivery"]["status"], "pending", "queued");
    let (status, _, _) = call(&invite, "GET", &format!("/v1/tenants/{t}/members"), Some(&owner), None).await;
    assert_eq!(status, 404, "a function serves only its own routes");

    // The SQS event source hands the queued wake-up to `deliver`, with a message it cannot
    // read: that one alone is reported back (the partial-batch response), for SQS to offer
    // again and finally park in the dead-letter queue.
    let queued = aws::receive(&queue_url).await;
    assert_eq!(queued.len(), 1, "one wake-up: {queued:?}");
    let mut event = aws::sqs_event(&queued);
    event["Records"].as_array_mut().expect("records").push(json!({"messageId": "poison", "receiptHandle": "x", "body": "not a job"}));
    let answer = deliver.invoke(event).await.expect("the batch was handled");
    assert_eq!(answer, json!({"batchItemFailures": [{"itemIdentifier": "poison"}]}));
    aws::delete(&queue_url, &queued[0]).await;
    let inv_id = inv["id"].as_str().expect("id");
    let (_, delivered, _) = call(&list, "GET", &format!("/v1/tenants/{t}/invitations/{inv_id}"), Some(&owner), None).await;
    assert_eq!(delivered["delivery"], json!({"status": "sent", "attempts": 1}), "{delivered}");
    let again = deliver.invoke(aws::sqs_event(&queued)).await.expect("a duplicate delivery");
    assert_eq!(again, json!({"batchItemFailures": []}));
    assert_eq!(aws::sent_to(&ada_email).len(), 1, "a duplicate message sends nothing");

    let mail_token = aws::token_sent_to(&ada_email);
    let (status, looked, _) = call(&accept, "POST", "/v1/invitations/lookup", None, Some(json!({"token": mail_token}))).await;
    assert_eq!((status, looked["tenant_name"].as_str()), (200, Some("Acme")));
    let (status, joined, _) =
        call(&accept, "POST", "/v1/invitations/accept", Some(&person_token(&ada_email)), Some(json!({"token": mail_token}))).await;
    assert_eq!(status, 200, "{joined}");

    let (status, members, _) = call(&list, "GET", &format!("/v1/tenants/{t}/members?limit=10"), Some(&owner), None).await;
    assert_eq!(status, 200);
    assert_eq!(members["seats"], json!({"limit": 5, "members": 2, "pending": 0, "available": 3}));

    let raw = export
        .invoke(http_event("GET", &format!("/v1/tenants/{t}/members/export?format=csv"), Some(&owner), None))
        .await
        .expect("answered");
    // a CSV travels as text in the answer (a third smaller than base64), an XLSX as base64
    assert_eq!(raw["isBase64Encoded"], json!(false), "{raw}");
    let (status, _, csv) = http_answer(&raw);
    assert_eq!(status, 200);
    assert_eq!(&csv[..3], &[0xEF, 0xBB, 0xBF], "the BOM survives the trip");
    assert_eq!(String::from_utf8_lossy(&csv).lines().count(), 3);
    let (status, _, xlsx) = call(&export, "GET", &format!("/v1/tenants/{t}/members/export?format=xlsx"), Some(&owner), None).await;
    assert_eq!((status, &xlsx[..2]), (200, &b"PK"[..]));

    // An invitation saved ten days ago (through the domain, with its clock in the past) is overdue now.
    let seeder = TestApp::with_ports(table.clone(), Some(aws::mailer(&format!("no-reply@{domain}"))));
    seeder.clock.set(usher_store::SystemClock.now().plus_seconds(-10 * 86_400));
    let late = format!("late-{}@example.com", aws::unique());
    let seeded = seeder
        .call(
            http::Method::POST,
            &format!("/v1/tenants/{t}/invitations"),
            // The owner as the functions know them: the same subject (a verified email binds a
            // new subject only to a user who never signed in).
            Some(&seeder.token_with("owner@acme.test", "idp|owner@acme.test", true, false)),
            Some(json!({"email": late, "role": "viewer"})),
        )
        .await;
    assert_eq!(seeded.status, http::StatusCode::CREATED, "{}", seeded.json);

    let summary = expire.invoke(schedule_event()).await.expect("the sweep succeeded");
    assert_eq!(summary["expired"], 1, "{summary}");
    let (_, expired, _) = call(&list, "GET", &format!("/v1/tenants/{t}/invitations?status=expired"), Some(&owner), None).await;
    assert_eq!(expired["data"][0]["email"].as_str(), Some(late.as_str()));
}

/// Verified domains as Lambda runs them: the `update` binary looks the TXT record up at the DNS
/// stub named by `USHER_DNS_SERVER` (hickory, UDP/TCP), the `accept` binary lets a person at the
/// domain join, and the `expire` binary's scheduled sweep looks at the domain again when its
/// daily check is due (the record is gone: the missing clock starts, the domain stays verified).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the local AWS server and the DNS stub: run infra/scripts/test.sh"]
async fn the_function_binaries_verify_a_domain_join_by_it_and_recheck_it_on_schedule() {
    let _turn = MOTO_TURN.lock().await;
    let dns = usher_tests::dns::DnsStub::start();
    let table = aws::new_table().await;
    let mut env = function_env(table.name(), "Usher <no-reply@usher.test>");
    env.push(("USHER_DNS_SERVER", dns.addr.to_string()));
    let update = Function::start("update", &env).await;
    let accept = Function::start("accept", &env).await;
    let expire = Function::start("expire", &env).await;

    let seeder = TestApp::with_table(table.clone());
    let t = seeder.tenant("Acme", "owner@acme.test", Some(10)).await;
    let owner = person_token("owner@acme.test");
    let domain = format!("d{}.example", aws::unique());
    let (status, added, _) =
        call(&update, "POST", &format!("/v1/tenants/{t}/domains"), Some(&owner), Some(json!({"domain": domain}))).await;
    assert_eq!(status, 201, "{added}");
    let name = added["verification"]["name"].as_str().expect("record name").to_owned();
    let (_, pending, _) = call(&update, "POST", &format!("/v1/tenants/{t}/domains/{domain}/verify"), Some(&owner), None).await;
    assert_eq!(pending["status"], "pending", "no record yet: {pending}");
    dns.set_txt(&name, &[added["verification"]["value"].as_str().expect("value")]);
    let (status, verified, _) = call(&update, "POST", &format!("/v1/tenants/{t}/domains/{domain}/verify"), Some(&owner), None).await;
    assert_eq!((status, &verified["status"]), (200, &json!("verified")), "{verified}");
    let policy = json!({"join": "auto", "join_role": "member"});
    let (status, _, _) = call(&update, "PATCH", &format!("/v1/tenants/{t}/domains/{domain}"), Some(&owner), Some(policy)).await;
    assert_eq!(status, 200);
    let (status, joined, _) =
        call(&accept, "POST", &format!("/v1/me/tenants/{t}/join"), Some(&person_token(&format!("pat@{domain}"))), None).await;
    assert_eq!((status, &joined["outcome"]), (200, &json!("joined")), "{joined}");

    // Not due yet: the sweep leaves the domain alone.
    let summary = expire.invoke(schedule_event()).await.expect("the sweep succeeded");
    assert_eq!(summary["domains_checked"], 0, "{summary}");
    // Its next look made due (as a day passing would), and the record removed.
    let key = usher_domain::schema::domain_key(&usher_domain::values::TenantId::parse(&t).expect("id"), &domain);
    let read =
        usher_domain::schema::load::<usher_domain::domains::TenantDomain>(table.as_ref(), &key).await.expect("read").expect("stored");
    let mut due = read.value.clone();
    due.next_check_at = Some(usher_store::SystemClock.now().plus_seconds(-60));
    let written = table.transact(vec![usher_domain::schema::replace(read.version, &due)]).await.expect("write");
    assert_eq!(written, usher_domain::ports::Committed::Yes);
    dns.remove(&name);
    let summary = expire.invoke(schedule_event()).await.expect("the sweep succeeded");
    assert_eq!((&summary["domains_checked"], &summary["domains_lapsed"]), (&json!(1), &json!(0)), "{summary}");
    let (_, listed, _) = call(&update, "GET", &format!("/v1/tenants/{t}/domains"), Some(&owner), None).await;
    let d = &listed["data"][0];
    assert_eq!(d["status"], "verified", "inside the 7-day grace: {d}");
    assert!(d["missing_since"].is_string() && d["lapses_at"].is_string(), "{d}");
}

#[test]
#[ignore = "needs the function binaries: run infra/scripts/test.sh (it builds them first)"]
fn a_function_with_a_missing_variable_fails_its_cold_start_naming_it() {
    // On Lambda, a process that exits during init is reported with what it printed.
    let out = std::process::Command::new(usher_tests::lambda::binary("invite"))
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9")
        .env("USHER_SENDER", "no-reply@usher.test")
        .output()
        .expect("run the function binary");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("missing environment variable USHER_JWT_ISSUER"), "{stderr}");
}

#[test]
#[ignore = "needs the function binaries: run infra/scripts/test.sh (it builds them first)"]
fn a_function_with_a_stray_hs256_secret_refuses_its_cold_start_unless_local_end_to_end_mode_is_named() {
    // A shared secret left in a deployed function's environment would replace the identity
    // provider's keys: anyone holding it could sign in as anyone.
    let start = |local_e2e: bool| {
        let mut cmd = deployed_function("invite");
        cmd.env("USHER_JWT_HS256_SECRET", "stray-secret-stray-secret-stray-secret")
            .env("USHER_CURSOR_SECRET", usher_tests::lambda::CURSOR_SECRET)
            .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_EC2_METADATA_DISABLED", "true");
        if local_e2e {
            cmd.env("USHER_LOCAL_E2E", "1");
        }
        // Past its cold start a function would wait for work: give it 20 s, then stop it.
        let mut child =
            cmd.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped()).spawn().expect("run the function binary");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while child.try_wait().expect("wait").is_none() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let _ = child.kill();
        child.wait_with_output().expect("its output")
    };
    let stray = start(false);
    assert!(!stray.status.success());
    let stderr = String::from_utf8_lossy(&stray.stderr);
    assert!(stderr.contains("USHER_JWT_HS256_SECRET") && stderr.contains("USHER_LOCAL_E2E=1"), "{stderr}");
    assert!(!stderr.contains("stray-secret"), "the secret itself is never printed: {stderr}");

    let named = String::from_utf8_lossy(&start(true).stderr).into_owned();
    assert!(!named.contains("USHER_JWT_HS256_SECRET"), "accepted in the named mode: {named}");
}

#[tokio::test]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn a_function_whose_table_is_unreachable_still_starts_and_answers_503_unavailable_with_retry_after() {
    // Nothing listens there: DynamoDB is "down" from the cold start on. The function must not
    // fail its init (API Gateway would answer a bare 500), but answer each request 503.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port");
    let mut env = function_env("usher-unreachable", "Usher <no-reply@usher.test>");
    env.push(("AWS_ENDPOINT_URL", format!("http://{closed}")));
    let list = Function::start("list", &env).await;
    assert!(list.init_duration().await.is_some(), "the cold start finished");

    let started = std::time::Instant::now();
    let resp = list.invoke(http_event("GET", "/v1/me/tenants", Some(&person_token("owner@acme.test")), None)).await.expect("an answer");
    let (status, body, _) = http_answer(&resp);

    assert_eq!((status, body["code"].as_str()), (503, Some("unavailable")), "{body}");
    let retry_after = resp["headers"]["retry-after"].as_str().and_then(|v| v.parse::<u64>().ok());
    assert!(retry_after.is_some_and(|s| s >= 1), "Retry-After: {}", resp["headers"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(15), "took {:?}", started.elapsed());
}

#[test]
#[ignore = "needs the function binaries: run infra/scripts/test.sh (it builds them first)"]
fn a_function_without_a_usable_cursor_secret_fails_its_cold_start_naming_it_and_never_printing_it() {
    // Every other variable these functions require, so the cursor secret is what is missing.
    let complete = |name: &str| {
        let mut cmd = deployed_function(name);
        cmd.env("USHER_DELIVERY_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/123456789012/usher-prod-deliveries")
            .env("USHER_EXPORT_BUCKET", "usher-prod-exports");
        cmd
    };
    let start = |cursor_secret: Option<&str>| {
        let mut cmd = complete("list");
        if let Some(secret) = cursor_secret {
            cmd.env("USHER_CURSOR_SECRET", secret);
        }
        let out = cmd.output().expect("run the function binary");
        assert!(!out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let missing = start(None);
    assert!(missing.contains("missing environment variable USHER_CURSOR_SECRET"), "{missing}");
    // A function that serves no listing is not given the secret and does not ask for it.
    let invite = complete("invite").output().expect("run the invite binary");
    let invite = String::from_utf8_lossy(&invite.stderr);
    assert!(!invite.contains("USHER_CURSOR_SECRET"), "{invite}");
    let short = start(Some("short-cursor-secret-0123456789"));
    assert!(short.contains("USHER_CURSOR_SECRET") && short.contains("at least 32 bytes"), "{short}");
    assert!(!short.contains("short-cursor-secret"), "the secret itself is never printed: {short}");
}

/// Waits, if need be, for a fixed one-minute budget window with at least `secs` left in it, so a
/// count cannot be reset by the window rolling over mid-test.
async fn a_fresh_budget_window_with(secs: u64) {
    let into_minute = usher_store::SystemClock.now().unix().rem_euclid(60).unsigned_abs();
    if 60 - into_minute < secs {
        tokio::time::sleep(std::time::Duration::from_secs(60 - into_minute + 1)).await;
    }
}

#[tokio::test]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn the_accept_function_answers_429_after_the_per_source_budget_of_lookups_from_one_api_gateway_source_ip() {
    let _turn = MOTO_TURN.lock().await;
    let table = aws::new_table().await;
    // A small budget from the function's configuration: a few lookups fit well inside one
    // one-minute window even on a loaded machine.
    const BUDGET: usize = 5;
    let mut env = function_env(table.name(), "Usher <no-reply@usher.test>");
    env.push(("USHER_RATE_LIMIT_PER_MINUTE", BUDGET.to_string()));
    let accept = Function::start("accept", &env).await;
    assert!(accept.init_duration().await.is_some(), "the cold start finished");
    let lookup_from = |source_ip: &str, i: usize| {
        // A different wrong token each time: only the source's budget can run out.
        let mut e = http_event("POST", "/v1/invitations/lookup", None, Some(&json!({"token": format!("{i:0>43}")})));
        e["requestContext"]["http"]["sourceIp"] = source_ip.into();
        e
    };
    a_fresh_budget_window_with(40).await;

    // Each lookup is one count write. moto answers one request at a time, and under a loaded
    // test run the SDK may retry a count write whose answer timed out, counting that lookup
    // twice (the limiter errs towards refusing). So here the refusals start by the budget and
    // not before the last two lookups of it; the exact count is proven in-process on a fixed
    // clock (`the_public_token_routes_are_budgeted_per_api_gateway_source_ip` in shared/lambda).
    let mut allowed = 0;
    let mut over = None;
    for i in 0..=BUDGET {
        let resp = accept.invoke(lookup_from("203.0.113.7", i)).await.expect("an answer");
        if http_answer(&resp).0 == 429 {
            over = Some(resp);
            break;
        }
        allowed += 1;
    }
    assert!((BUDGET - 2..=BUDGET).contains(&allowed), "{allowed} lookups passed for a budget of {BUDGET}");
    let over = over.expect("the lookup past the budget is refused");
    let (status, body, _) = http_answer(&over);
    let (elsewhere, _, _) = http_answer(&accept.invoke(lookup_from("198.51.100.20", BUDGET + 1)).await.expect("an answer"));

    assert_eq!((status, body["code"].as_str()), (429, Some("rate_limited")), "{body}");
    let retry_after = over["headers"]["retry-after"].as_str().and_then(|v| v.parse::<u64>().ok());
    assert!(retry_after.is_some_and(|s| (1..=60).contains(&s)), "Retry-After: {}", over["headers"]);
    assert_ne!(elsewhere, 429, "another source address has its own budget");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn the_list_function_signs_cursors_with_its_deployments_secret_and_refuses_any_other() {
    let _turn = MOTO_TURN.lock().await;
    let table = aws::new_table().await;
    let env = function_env(table.name(), "Usher <no-reply@usher.test>");
    let mut other_env = env.clone();
    other_env.retain(|(k, _)| *k != "USHER_CURSOR_SECRET");
    other_env.push(("USHER_CURSOR_SECRET", "another-deployment-another-deployment-secret".into()));
    let list = Function::start("list", &env).await;
    let other_deployment = Function::start("list", &other_env).await;
    // Two invitations, seeded through the domain (outbox mail), by the owner the functions know.
    let seeder = TestApp::with_ports(table.clone(), None);
    seeder.clock.set(usher_store::SystemClock.now());
    let created = seeder
        .call(http::Method::POST, "/v1/tenants", Some(&seeder.operator()), Some(json!({"name": "Acme", "owner_email": "owner@acme.test"})))
        .await;
    assert_eq!(created.status, http::StatusCode::CREATED, "{}", created.json);
    let t = created.json["id"].as_str().expect("tenant id").to_owned();
    let owner_at_seeder = seeder.token_with("owner@acme.test", "idp|owner@acme.test", true, false);
    for who in ["ada", "bob"] {
        let invited = seeder
            .call(
                http::Method::POST,
                &format!("/v1/tenants/{t}/invitations"),
                Some(&owner_at_seeder),
                Some(json!({"email": format!("{who}@example.com"), "role": "member"})),
            )
            .await;
        assert_eq!(invited.status, http::StatusCode::CREATED, "{}", invited.json);
    }
    let owner = person_token("owner@acme.test");
    let page = |cursor: &str| format!("/v1/tenants/{t}/invitations?limit=1&cursor={cursor}");

    let (status, first, _) = call(&list, "GET", &format!("/v1/tenants/{t}/invitations?limit=1"), Some(&owner), None).await;
    assert_eq!(status, 200, "{first}");
    let cursor = first["next_cursor"].as_str().expect("a second page").to_owned();
    let (status, second, _) = call(&list, "GET", &page(&cursor), Some(&owner), None).await;
    assert_eq!((status, second["data"].as_array().map(Vec::len)), (200, Some(1)), "{second}");
    let (foreign, refused, _) = call(&other_deployment, "GET", &page(&cursor), Some(&owner), None).await;
    // A cursor signed with the public default key (what a host without a secret issues).
    let unkeyed = seeder.call(http::Method::GET, &format!("/v1/tenants/{t}/invitations?limit=1"), Some(&owner_at_seeder), None).await;
    let unkeyed_cursor = unkeyed.json["next_cursor"].as_str().expect("a second page").to_owned();
    let (forged, _, _) = call(&list, "GET", &page(&unkeyed_cursor), Some(&owner), None).await;

    assert_eq!(foreign, 400, "another deployment's cursor is refused: {refused}");
    assert_eq!((refused["code"].as_str(), refused["errors"][0]["code"].as_str()), (Some("invalid_request"), Some("invalid_cursor")));
    assert_eq!(forged, 400, "a cursor signed with the public default key is refused");

    // The audit log's cursors are keyed the same way.
    let (status, events, _) = call(&list, "GET", &format!("/v1/tenants/{t}/audit?limit=1"), Some(&owner), None).await;
    assert_eq!(status, 200, "{events}");
    let audit_cursor = events["next_cursor"].as_str().expect("more than one audit event").to_owned();
    let audit_page = format!("/v1/tenants/{t}/audit?limit=1&cursor={audit_cursor}");
    let (status, _, _) = call(&list, "GET", &audit_page, Some(&owner), None).await;
    assert_eq!(status, 200, "the deployment reads its own audit cursor");
    let (status, refused, _) = call(&other_deployment, "GET", &audit_page, Some(&owner), None).await;
    assert_eq!((status, refused["errors"][0]["code"].as_str()), (400, Some("invalid_cursor")), "{refused}");
}

/// A function binary with only the environment a deployed function has (no runtime behind
/// it): its cold start is what these tests watch.
fn deployed_function(name: &str) -> std::process::Command {
    let mut cmd = std::process::Command::new(usher_tests::lambda::binary(name));
    cmd.env_clear()
        // Nothing listens on the discard port: a function past its cold start fails there instead.
        .env("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9")
        .env("USHER_TABLE", "usher-prod")
        .env("USHER_SENDER", "no-reply@usher.test")
        .env("USHER_ACCEPT_URL", "https://app.example/accept")
        .env("USHER_JWT_ISSUER", "https://issuer.usher.test")
        .env("USHER_JWT_AUDIENCE", "usher");
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the function binaries: run infra/scripts/test.sh (it builds them first)"]
async fn the_web_function_serves_the_pages_and_tells_them_to_sign_in_at_the_hosted_ui() {
    let hosted = "https://usher-dev-123456789012.auth.eu-west-1.amazoncognito.com";
    let env = [
        ("USHER_OIDC_CLIENT_ID", "client123".to_owned()),
        ("USHER_OIDC_AUTHORIZATION_ENDPOINT", format!("{hosted}/oauth2/authorize")),
        ("USHER_OIDC_TOKEN_ENDPOINT", format!("{hosted}/oauth2/token")),
        ("USHER_OIDC_LOGOUT_URL", format!("{hosted}/logout?client_id=client123&logout_uri=https://invites.example/")),
        // What the stack's Globals leave it: the cursor secret blanked.
        ("USHER_CURSOR_SECRET", String::new()),
    ];
    let web = Function::start("web", &env).await;
    let resp = web.invoke(http_event("GET", "/accept", None, None)).await.expect("answer");
    let (status, _, html) = http_answer(&resp);
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&html).contains("assets/accept.js"), "the landing page");
    let csp = resp["headers"]["content-security-policy"].as_str().unwrap_or_default();
    assert!(csp.contains(&format!("connect-src 'self' {hosted};")) && csp.contains("script-src 'self';"), "{csp}");
    assert_eq!(resp["headers"]["x-frame-options"], "DENY");

    let (status, config, _) = http_answer(&web.invoke(http_event("GET", "/config.json", None, None)).await.expect("answer"));
    assert_eq!(status, 200);
    assert_eq!(config["sign_in"]["kind"], "oidc");
    assert_eq!(config["sign_in"]["client_id"], "client123");
    assert_eq!(config["sign_in"]["token_endpoint"], format!("{hosted}/oauth2/token"));

    let (status, script, _) = http_answer(&web.invoke(http_event("GET", "/assets/api.js", None, None)).await.expect("answer"));
    assert_eq!(status, 200, "{script}");
    let (status, problem, _) = http_answer(&web.invoke(http_event("GET", "/assets/nope.js", None, None)).await.expect("answer"));
    assert_eq!((status, problem["code"].as_str()), (404, Some("not_found")));
    let (status, problem, _) = http_answer(&web.invoke(http_event("POST", "/", None, None)).await.expect("answer"));
    assert_eq!((status, problem["code"].as_str()), (405, Some("method_not_allowed")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the function binaries: run infra/scripts/test.sh (it builds them first)"]
async fn the_web_function_without_a_public_address_says_sign_in_is_not_set_up() {
    // The stack before PublicUrl is set: empty endpoints.
    let env = [("USHER_OIDC_AUTHORIZATION_ENDPOINT", String::new()), ("USHER_OIDC_TOKEN_ENDPOINT", String::new())];
    let web = Function::start("web", &env).await;
    let (status, config, _) = http_answer(&web.invoke(http_event("GET", "/config.json", None, None)).await.expect("answer"));
    assert_eq!((status, config), (200, json!({"sign_in": {"kind": "unconfigured"}})));
}

#[test]
#[ignore = "needs the function binaries: run infra/scripts/test.sh (it builds them first)"]
fn the_web_function_refuses_to_start_with_a_sign_in_address_that_is_not_https() {
    let out = std::process::Command::new(usher_tests::lambda::binary("web"))
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9")
        .env("USHER_OIDC_CLIENT_ID", "client123")
        .env("USHER_OIDC_AUTHORIZATION_ENDPOINT", "http://idp.example/authorize")
        .env("USHER_OIDC_TOKEN_ENDPOINT", "https://idp.example/token")
        .output()
        .expect("run the function binary");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("authorization endpoint") && stderr.contains("must be https"), "{stderr}");
}

#[test]
#[ignore = "needs the function binaries: run infra/scripts/test.sh (it builds them first)"]
fn only_the_deliver_function_needs_the_landing_page_and_it_will_not_start_without_one() {
    let mut deliver = deployed_function("deliver");
    deliver
        .env_remove("USHER_ACCEPT_URL")
        .env("USHER_CURSOR_SECRET", usher_tests::lambda::CURSOR_SECRET)
        .env("USHER_DELIVERY_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/123456789012/usher-dev-deliveries")
        .env("USHER_EXPORT_BUCKET", "usher-dev-exports");
    let out = deliver.output().expect("run the function binary");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("missing environment variable USHER_ACCEPT_URL"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn a_large_export_is_queued_on_the_export_queue_and_written_by_the_export_worker_within_its_template_limits() {
    let _turn = MOTO_TURN.lock().await;
    let table = aws::new_table().await;
    let domain = format!("{}.usher.test", aws::unique());
    aws::verify_domain(&domain).await;
    let (deliveries, exports, bucket) = (aws::new_queue().await, aws::named_queue("export-queue").await, aws::new_bucket().await);
    let mut env = function_env(table.name(), &format!("Usher <no-reply@{domain}>"));
    env.retain(|(k, _)| !matches!(*k, "USHER_DELIVERY_QUEUE_URL" | "USHER_EXPORT_BUCKET"));
    env.extend([
        ("USHER_DELIVERY_QUEUE_URL", deliveries.clone()),
        ("USHER_EXPORT_QUEUE_URL", exports.clone()),
        ("USHER_EXPORT_BUCKET", bucket),
        // every export is a job here: the worker's path, with a tenant of a few people
        ("USHER_EXPORT_DIRECT_ROWS", "0".into()),
    ]);
    let seeder = TestApp::with_table(table.clone());
    seeder.clock.set(usher_store::SystemClock.now());
    let t = seeder.tenant("Acme", "owner@acme.test", Some(50)).await;
    let owner = person_token("owner@acme.test");
    let invite = Function::start("invite", &env).await;
    let rows: Vec<Value> = (0..30).map(|i| json!({"email": format!("p{i}@example.com"), "role": "viewer"})).collect();
    let (status, _, _) =
        call(&invite, "POST", &format!("/v1/tenants/{t}/invitations"), Some(&owner), Some(json!({ "invitations": rows }))).await;
    assert_eq!(status, 200);

    let export = Function::start("export", &env).await;
    let (status, job, _) =
        call(&export, "GET", &format!("/v1/tenants/{t}/members/export?format=xlsx&include=invitations"), Some(&owner), None).await;
    assert_eq!(status, 202, "{job}");
    // The job's wake-up is on the export queue, none on the emails' queue.
    let queued = aws::receive(&exports).await;
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert!(queued[0].body.contains("\"kind\":\"export\""), "{}", queued[0].body);
    assert!(aws::receive(&deliveries).await.iter().all(|m| !m.body.contains("export")));

    // The export worker: the deliver binary under ExportJobFunction's memory, timeout and /tmp.
    let limits = Limits::of_resource("ExportJobFunction");
    assert!(limits.memory_mb >= 1024 && limits.timeout.as_secs() >= 900 && limits.tmp_mb >= 2048, "{limits:?}");
    let worker = Function::start_with("deliver", &env, limits).await;
    let answer = worker.invoke(aws::sqs_event(&queued)).await.expect("the job ran");
    assert_eq!(answer, json!({"batchItemFailures": []}));
    assert_eq!(worker.killed(), None);
    // The XLSX goes through temp files in the function's /tmp (a few people's workbook lives
    // there for milliseconds, too briefly for the 10 ms watchdog to be sure to see it; the
    // export-worker bench measures a large one's /tmp peak); none is left behind.
    assert_eq!(worker.tmp_bytes_now(), 0, "the export's temp files are removed");

    let id = job["id"].as_str().expect("id");
    let (_, ready, _) = call(&export, "GET", &format!("/v1/tenants/{t}/exports/{id}"), Some(&owner), None).await;
    assert_eq!(ready["status"], "ready", "{ready}");
    let (status, file) = aws::http_get(ready["url"].as_str().expect("a link"));
    assert_eq!((status, &file[..2]), (200, &b"PK"[..]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn a_function_that_runs_past_its_template_timeout_is_cut_off_as_lambda_does() {
    let _turn = MOTO_TURN.lock().await;
    // Each binary runs under its own function's limits; deliver's two functions are told apart.
    assert_eq!(Limits::of("list"), Limits::of_resource("ListFunction"));
    assert_eq!(Limits::of("deliver"), Limits::of_resource("DeliverFunction"));
    assert_ne!(Limits::of_resource("DeliverFunction"), Limits::of_resource("ExportJobFunction"));
    // A function that never answers (here its cold start fails: no configuration) is cut off at
    // its deadline and its process killed, as Lambda does, not waited on for ever.
    let mut limits = Limits::of("list");
    limits.timeout = std::time::Duration::from_secs(1);
    let stuck = Function::start_with("list", &[], limits).await;
    let started = std::time::Instant::now();
    let err = stuck.invoke(http_event("GET", "/v1/me/tenants", None, None)).await.expect_err("cut off");
    assert!(started.elapsed() < std::time::Duration::from_secs(3), "{:?}", started.elapsed());
    assert_eq!(err["errorMessage"], "Task timed out after 1.00 seconds", "{err}");
    assert_eq!(stuck.killed(), Some(usher_tests::lambda::Killed::TimedOut));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn a_function_given_only_an_issuer_finds_its_keys_through_the_issuers_discovery_document() {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    use p256::pkcs8::EncodePrivateKey;
    let _turn = MOTO_TURN.lock().await;
    // An issuer that serves its keys at /jwks (as panva's oidc-provider does), not at
    // /.well-known/jwks.json, and says so in its discovery document.
    let secret = p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng);
    let point = secret.verifying_key().to_encoded_point(false);
    let jwk = json!({"kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": "k1",
        "x": B64.encode(point.x().expect("x")), "y": B64.encode(point.y().expect("y"))});
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let issuer = format!("http://{}", listener.local_addr().expect("addr"));
    let discovery = json!({"issuer": issuer, "authorization_endpoint": format!("{issuer}/auth"), "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"), "userinfo_endpoint": format!("{issuer}/me")});
    let (discovery, keys) = (discovery.to_string(), json!({"keys": [jwk]}).to_string());
    let json_body = |body: String| ([(http::header::CONTENT_TYPE, "application/json")], body);
    let router = axum::Router::new()
        .route("/.well-known/openid-configuration", axum::routing::get(move || async move { json_body(discovery) }))
        .route("/jwks", axum::routing::get(move || async move { json_body(keys) }));
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });

    let table = aws::new_table().await;
    let mut env = function_env(table.name(), "Usher <no-reply@usher.test>");
    env.retain(|(k, _)| !matches!(*k, "USHER_JWT_ISSUER" | "USHER_LOCAL_E2E" | "USHER_JWT_HS256_SECRET" | "USHER_JWKS_URL"));
    env.extend([("USHER_JWT_ISSUER", issuer.clone()), ("USHER_JWT_ALGORITHMS", "ES256".into())]);
    let list = Function::start("list", &env).await;

    let now = usher_store::SystemClock.now().unix();
    let claims = json!({"sub": "op|ada", "email": "ada@example.com", "email_verified": true,
        "iss": issuer, "aud": usher_tests::lambda::AUDIENCE, "iat": now, "exp": now + 600});
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some("k1".into());
    let key = jsonwebtoken::EncodingKey::from_ec_der(secret.to_pkcs8_der().expect("pkcs8").as_bytes());
    let token = jsonwebtoken::encode(&header, &claims, &key).expect("sign");
    let (status, body, _) = call(&list, "GET", "/v1/me/tenants", Some(&token), None).await;
    // Before: the keys were looked for at <issuer>/.well-known/jwks.json (404), every call 503.
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"], json!([]));
}

/// The SCIM scenarios (the ones that need no email read back) with SCIM served by the `scim`
/// binary on the emulated runtime under its template limits, as API Gateway's `ANY
/// /scim/v2/{proxy+}` invokes it, over DynamoDB: tokens that open one tenant, group-mapped
/// roles, deletion revoking the invitation, seats that never fail the identity provider.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn the_scim_function_serves_the_scim_scenarios_on_dynamodb_under_its_template_limits() {
    let _turn = MOTO_TURN.lock().await;
    let table = aws::new_table().await;
    let env = function_env(table.name(), "Usher <no-reply@usher.test>");
    let scim = std::sync::Arc::new(Function::start_with("scim", &env, Limits::of("scim")).await);
    usher_tests::scim::run_through_function(table, scim.clone()).await;
    assert!(scim.killed().is_none(), "the function was never cut off: {:?}", scim.killed());
}
