//! The `usher` binary as an operator uses it: the README's walk-through, end to end, over a real
//! socket, with the outbox on disk.

use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn usher(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_usher")).args(args).env("USHER_LOG", "warn").output().expect("run usher")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).trim().to_owned()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(data: &Path, port: u16) -> Server {
    serve_with(data, port, &[])
}

fn serve_with(data: &Path, port: u16, extra: &[&str]) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_usher"))
        .args([
            "serve",
            "--port",
            &port.to_string(),
            "--data-dir",
            data.to_str().expect("utf-8 path"),
            "--accept-url",
            "https://app.example/accept",
        ])
        .args(extra)
        .env("USHER_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start usher serve");
    let server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "usher serve did not start listening");
        std::thread::sleep(Duration::from_millis(50));
    }
    server
}

/// A minimal HTTP/1.1 client: enough for JSON requests to our own server.
fn http(port: u16, method: &str, path: &str, bearer: Option<&str>, body: Option<Value>) -> (u16, Value) {
    let auth = bearer.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    let (status, _, json) = http_raw(port, method, path, &auth, body.map(|b| b.to_string()).unwrap_or_default().as_bytes());
    (status, json)
}

/// The same, with any extra header lines; returns the status, the head (lowercased) and the JSON.
fn http_raw(port: u16, method: &str, path: &str, headers: &str, body: &[u8]) -> (u16, String, Value) {
    http_send(port, method, path, &format!("{headers}Content-Type: application/json\r\n"), body)
}

/// One request over a fresh connection (`headers`: whole header lines, the content type among
/// them); returns the status, the head (lowercased) and the JSON.
fn http_send(port: u16, method: &str, path: &str, headers: &str, body: &[u8]) -> (u16, String, Value) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(600))).expect("timeout");
    let head =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{headers}Content-Length: {}\r\n\r\n", body.len());
    s.write_all(head.as_bytes()).expect("write");
    s.write_all(body).expect("write");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read");
    let text = String::from_utf8_lossy(&raw);
    let status = text.split(' ').nth(1).and_then(|c| c.parse().ok()).expect("status");
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (status, head.to_ascii_lowercase(), serde_json::from_str(body).unwrap_or(Value::Null))
}

/// Waits, if need be, for a one-minute budget window with at least `secs` left in it, so a
/// count cannot be reset by the window rolling over mid-test.
fn a_fresh_budget_window_with(secs: u64) {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    if 60 - now % 60 < secs {
        std::thread::sleep(Duration::from_secs(60 - now % 60 + 1));
    }
}

/// A lookup carrying the `i`th wrong token: a different one each time, so only the source's
/// budget can run out.
fn lookup(port: u16, i: u32) -> (u16, String, Value) {
    http_raw(port, "POST", "/v1/invitations/lookup", "", json!({"token": format!("{i:0>43}")}).to_string().as_bytes())
}

/// The link in the latest email to `to`, waiting (up to 10 s) for the background delivery
/// worker to write it: `serve` answers as soon as the email is queued.
fn token_from_outbox(outbox: &Path, to: &str) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let msg = loop {
        let mut files: Vec<_> = std::fs::read_dir(outbox).map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
        files.sort();
        let found = files.iter().filter_map(|p| std::fs::read_to_string(p).ok()).rfind(|m| m.contains(&format!("To: {to}\r\n")));
        match found {
            Some(m) => break m,
            None if std::time::Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            None => panic!("no email to {to} in the outbox"),
        }
    };
    let at = msg.find("#token=").expect("link") + 7;
    msg[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

#[test]
fn the_readme_walk_through_works_end_to_end() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let d = data.to_str().expect("utf-8");

    let created = usher(&["tenant", "create", "--name", "Acme", "--owner-email", "owner@acme.test", "--seats", "10", "--data-dir", d]);
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let tenant: Value = serde_json::from_str(&stdout(&created)).expect("tenant JSON on stdout");
    let t = tenant["id"].as_str().expect("id").to_owned();
    assert_eq!(tenant["seats"]["limit"], 10);

    let owner = stdout(&usher(&["token", "--email", "owner@acme.test", "--data-dir", d]));
    let ada = stdout(&usher(&["token", "--email", "ada@example.com", "--data-dir", d]));
    assert_eq!(owner.split('.').count(), 3, "a JWT");

    let port = free_port();
    let _server = serve(&data, port);
    let (status, inv) = http(
        port,
        "POST",
        &format!("/v1/tenants/{t}/invitations"),
        Some(&owner),
        Some(json!({"email": "ada@example.com", "role": "member"})),
    );
    assert_eq!(status, 201, "{inv}");
    let token = token_from_outbox(&data.join("outbox"), "ada@example.com");

    let (status, looked) = http(port, "POST", "/v1/invitations/lookup", None, Some(json!({"token": token})));
    assert_eq!((status, looked["tenant_name"].as_str()), (200, Some("Acme")));
    let (status, accepted) = http(port, "POST", "/v1/invitations/accept", Some(&ada), Some(json!({"token": token})));
    assert_eq!(status, 200, "{accepted}");
    let (status, members) = http(port, "GET", &format!("/v1/tenants/{t}/members"), Some(&owner), None);
    assert_eq!((status, members["seats"]["members"].as_u64()), (200, Some(2)));

    // A second invitation, then the sweep "as of" a month later expires it.
    http(port, "POST", &format!("/v1/tenants/{t}/invitations"), Some(&owner), Some(json!({"email": "bob@example.com", "role": "viewer"})));
    let later = "2099-01-01T00:00:00Z";
    let swept = usher(&["expire", "--now", later, "--data-dir", d]);
    assert!(swept.status.success(), "{}", String::from_utf8_lossy(&swept.stderr));
    let summary: Value = serde_json::from_str(&stdout(&swept)).expect("summary JSON");
    assert_eq!(summary["expired"], 1);
    assert_eq!(summary["now"], later);
    let (_, listed) = http(port, "GET", &format!("/v1/tenants/{t}/invitations?status=expired"), Some(&owner), None);
    assert_eq!(listed["data"][0]["email"], "bob@example.com");
}

#[test]
fn a_token_from_another_data_dir_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let created =
        usher(&["tenant", "create", "--name", "Acme", "--owner-email", "owner@acme.test", "--data-dir", a.to_str().expect("utf-8")]);
    let t: Value = serde_json::from_str(&stdout(&created)).expect("json");
    let foreign = stdout(&usher(&["token", "--email", "owner@acme.test", "--data-dir", b.to_str().expect("utf-8")]));
    let port = free_port();
    let _server = serve(&a, port);
    let (status, body) = http(port, "GET", &format!("/v1/tenants/{}/members", t["id"].as_str().expect("id")), Some(&foreign), None);
    assert_eq!((status, body["code"].as_str()), (401, Some("unauthenticated")));
}

#[test]
fn usher_serve_answers_429_after_the_per_source_budget_of_public_token_requests_from_one_address() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let _server = serve(&dir.path().join("data"), port);
    let budget = usher_http::RateLimits::default().per_source.max;
    a_fresh_budget_window_with(20);

    for i in 0..budget {
        let (status, _, body) = lookup(port, i);
        assert_ne!(status, 429, "lookup {i} is within the default budget: {body}");
    }
    let (status, head, body) = lookup(port, budget);

    assert_eq!((status, body["code"].as_str()), (429, Some("rate_limited")), "{body}");
    let retry_after = head.lines().find_map(|l| l.strip_prefix("retry-after: ")).and_then(|v| v.trim().parse::<u64>().ok());
    assert!(retry_after.is_some_and(|s| (1..=60).contains(&s)), "{head}");
}

#[test]
fn usher_serve_rate_limit_flag_raises_the_per_source_budget() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let _server = serve_with(&dir.path().join("data"), port, &["--rate-limit-per-minute", "5"]);
    a_fresh_budget_window_with(20);

    let statuses: Vec<u16> = (0..6).map(|i| lookup(port, i).0).collect();

    assert!(statuses[..5].iter().all(|s| *s != 429), "{statuses:?}");
    assert_eq!(statuses[5], 429, "the sixth is over a budget of 5: {statuses:?}");
    let zero = usher(&["serve", "--rate-limit-per-minute", "0"]);
    assert!(!zero.status.success(), "a budget of 0 would refuse every lookup");
}

#[test]
fn usher_serve_refuses_a_body_over_its_limit_with_413_and_the_apps_headers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let _server = serve(&dir.path().join("data"), port);
    let over = vec![b' '; 1024 * 1024 + 1];

    let (status, head, body) = http_raw(port, "POST", "/v1/invitations/lookup", "Origin: https://app.example\r\n", &over);

    assert_eq!((status, body["code"].as_str()), (413, Some("payload_too_large")), "{head}\n{body}");
    let request_id = head.lines().find_map(|l| l.strip_prefix("x-request-id: ")).unwrap_or_default();
    assert!(!request_id.is_empty() && body["request_id"].as_str() == Some(request_id), "{head}\n{body}");
    assert!(head.contains("cache-control: no-store"), "{head}");
    assert!(head.contains("access-control-allow-origin: https://app.example"), "{head}");
}

#[test]
fn each_data_dir_keeps_its_own_cursor_secret_private_and_stable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().to_str().expect("utf-8");
    assert!(usher(&["token", "--email", "owner@acme.test", "--data-dir", d]).status.success());
    let path = dir.path().join("cursor-secret");
    let first = std::fs::read_to_string(&path).expect("a cursor secret in the data dir");
    assert_eq!(first.trim().len(), 64, "32 random bytes, hex");
    assert_ne!(first, std::fs::read_to_string(dir.path().join("jwt-secret")).expect("jwt secret"), "not the signing secret");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("metadata").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "readable only by its owner");
    }
    assert!(usher(&["expire", "--data-dir", d]).status.success());
    assert_eq!(std::fs::read_to_string(&path).expect("still there"), first, "created once, then kept");
}

#[test]
fn list_cursors_are_signed_with_the_data_dirs_cursor_secret() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let d = data.to_str().expect("utf-8");
    let created = usher(&["tenant", "create", "--name", "Acme", "--owner-email", "owner@acme.test", "--data-dir", d]);
    let t = serde_json::from_str::<Value>(&stdout(&created)).expect("tenant")["id"].as_str().expect("id").to_owned();
    let owner = stdout(&usher(&["token", "--email", "owner@acme.test", "--data-dir", d]));
    let cursor = {
        let port = free_port();
        let _server = serve(&data, port);
        for who in ["ada", "bob", "cy"] {
            let body = json!({"email": format!("{who}@example.com"), "role": "member"});
            assert_eq!(http(port, "POST", &format!("/v1/tenants/{t}/invitations"), Some(&owner), Some(body)).0, 201);
        }
        let (_, page) = http(port, "GET", &format!("/v1/tenants/{t}/invitations?limit=1"), Some(&owner), None);
        page["next_cursor"].as_str().expect("a next page").to_owned()
    };
    let next_page = |port: u16| http(port, "GET", &format!("/v1/tenants/{t}/invitations?limit=1&cursor={cursor}"), Some(&owner), None);

    let (after_restart, _) = {
        let port = free_port();
        let _server = serve(&data, port);
        next_page(port)
    };
    std::fs::remove_file(data.join("cursor-secret")).expect("the data dir has a cursor secret");
    let (with_a_new_secret, refused) = {
        let port = free_port();
        let _server = serve(&data, port);
        next_page(port)
    };

    assert_eq!(after_restart, 200, "the data dir keeps its secret across restarts");
    assert_eq!((with_a_new_secret, refused["errors"][0]["code"].as_str()), (400, Some("invalid_cursor")), "{refused}");
}

#[test]
fn bad_arguments_fail_with_a_clear_message_and_a_non_zero_exit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().to_str().expect("utf-8");
    let bad_email = usher(&["tenant", "create", "--name", "Acme", "--owner-email", "nope", "--data-dir", d]);
    assert!(!bad_email.status.success());
    assert!(String::from_utf8_lossy(&bad_email.stderr).contains("owner_email"), "{}", String::from_utf8_lossy(&bad_email.stderr));
    let bad_time = usher(&["expire", "--now", "yesterday", "--data-dir", d]);
    assert!(!bad_time.status.success());
    assert!(String::from_utf8_lossy(&bad_time.stderr).contains("RFC 3339"));
    let missing = usher(&["token"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("--email"));
    let bad_token_email = usher(&["token", "--email", "x", "--data-dir", d]);
    assert!(!bad_token_email.status.success());
}

#[test]
fn expire_on_dynamodb_refuses_to_run_without_an_accept_url() {
    // Retried emails carry fresh tokens: without the real landing page, production invitees
    // would get a local link and lose their working one. Refused before any AWS call.
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().to_str().expect("utf-8");
    let out = usher(&["expire", "--store", "dynamodb", "--table", "usher-prod", "--data-dir", d]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--accept-url"), "{}", String::from_utf8_lossy(&out.stderr));
    let not_a_url = usher(&["expire", "--store", "dynamodb", "--table", "usher-prod", "--accept-url", "app.example", "--data-dir", d]);
    assert!(!not_a_url.status.success());
    assert!(String::from_utf8_lossy(&not_a_url.stderr).contains("--accept-url"), "{}", String::from_utf8_lossy(&not_a_url.stderr));
    assert!(usher(&["expire", "--data-dir", d]).status.success(), "the local sweep needs no accept URL");
}

#[test]
fn every_command_has_help() {
    for args in
        [vec!["--help"], vec!["serve", "--help"], vec!["tenant", "create", "--help"], vec!["token", "--help"], vec!["expire", "--help"]]
    {
        let o = usher(&args);
        assert!(o.status.success(), "{args:?}");
        assert!(stdout(&o).contains("Usage"), "{args:?}");
    }
    assert!(stdout(&usher(&["--help"])).contains("serve"));
}

#[tokio::test]
#[ignore = "needs the local AWS server: run infra/scripts/test.sh"]
async fn operator_commands_work_on_a_dynamodb_table() {
    use usher_domain::ports::Table;
    let table = usher_tests::aws::new_table().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().to_str().expect("utf-8");
    let aws_env = |cmd: &mut Command| {
        cmd.env("AWS_ENDPOINT_URL", usher_tests::aws::endpoint())
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("USHER_LOG", "warn");
    };
    let mut create = Command::new(env!("CARGO_BIN_EXE_usher"));
    create.args([
        "tenant",
        "create",
        "--name",
        "Acme",
        "--owner-email",
        "owner@acme.test",
        "--store",
        "dynamodb",
        "--table",
        table.name(),
        "--data-dir",
        d,
    ]);
    aws_env(&mut create);
    let out = create.output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let tenant: Value = serde_json::from_str(&stdout(&out)).expect("tenant JSON");
    let id = usher_domain::values::TenantId::parse(tenant["id"].as_str().expect("id")).expect("tenant id");
    assert!(table.get(&usher_domain::schema::tenant_key(&id)).await.expect("get").is_some(), "the tenant is in DynamoDB");

    let mut sweep = Command::new(env!("CARGO_BIN_EXE_usher"));
    sweep.args(["expire", "--store", "dynamodb", "--table", table.name(), "--accept-url", "https://app.example/accept", "--data-dir", d]);
    aws_env(&mut sweep);
    let out = sweep.output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(serde_json::from_str::<Value>(&stdout(&out)).expect("summary")["expired"], 0);

    let missing = usher(&["expire", "--store", "dynamodb"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("--table"));
}

/// A tenant with a 2000-seat limit and its owner's token, in a fresh data dir.
fn tenant_and_owner(data: &Path) -> (String, String) {
    let d = data.to_str().expect("utf-8");
    let created = usher(&["tenant", "create", "--name", "Acme", "--owner-email", "owner@acme.test", "--seats", "2000", "--data-dir", d]);
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let tenant: Value = serde_json::from_str(&stdout(&created)).expect("tenant JSON");
    (tenant["id"].as_str().expect("id").to_owned(), stdout(&usher(&["token", "--email", "owner@acme.test", "--data-dir", d])))
}

fn bulk_rows(n: usize, prefix: &str) -> Value {
    let rows: Vec<Value> = (0..n).map(|i| json!({"email": format!("{prefix}{i}@example.com"), "role": "member"})).collect();
    json!({ "invitations": rows })
}

fn emails_in(outbox: &Path) -> usize {
    std::fs::read_dir(outbox)
        .map(|d| d.filter_map(|e| e.ok()).filter(|e| e.path().extension().is_some_and(|x| x == "eml")).count())
        .unwrap_or(0)
}

fn signal(server: &Server, name: &str) {
    let sent = Command::new("kill").args(["-s", name, &server.0.id().to_string()]).status().expect("kill");
    assert!(sent.success(), "kill -s {name}");
}

/// Sends `name` and waits (up to 30 s) until the server has exited.
fn stop_with(mut server: Server, name: &str) {
    signal(&server, name);
    let deadline = Instant::now() + Duration::from_secs(30);
    while server.0.try_wait().expect("wait").is_none() {
        assert!(Instant::now() < deadline, "the server did not stop after SIG{name}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn sigterm_lets_a_1000_row_bulk_call_under_way_finish_answer_and_then_stops_the_server() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let (t, owner) = tenant_and_owner(&data);
    let port = free_port();
    let mut server = serve(&data, port);

    let path = format!("/v1/tenants/{t}/invitations");
    let call = std::thread::spawn(move || http(port, "POST", &path, Some(&owner), Some(bulk_rows(1000, "row"))));
    // The call is under way once its first chunk of rows is saved (its emails start to go).
    let deadline = Instant::now() + Duration::from_secs(30);
    while emails_in(&data.join("outbox")) == 0 {
        assert!(Instant::now() < deadline, "the bulk call never saved a row");
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(!call.is_finished(), "the signal must arrive while the call is under way");
    signal(&server, "TERM");

    let (status, report) = call.join().expect("the call");
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["summary"]["invited"], 1000, "{}", report["summary"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    let exit = loop {
        if let Some(status) = server.0.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "the server did not stop after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "a clean stop: {exit:?}");
}

#[test]
fn a_server_restarted_after_kill_9_sends_the_emails_its_predecessor_left_queued_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let outbox = data.join("outbox");
    let (t, owner) = tenant_and_owner(&data);
    let port = free_port();
    // One email a second: most of the 30 are still queued when the process is killed.
    let server = serve_with(&data, port, &["--send-rate-per-second", "1"]);
    let (status, report) = http(port, "POST", &format!("/v1/tenants/{t}/invitations"), Some(&owner), Some(bulk_rows(30, "queued")));
    assert_eq!((status, &report["summary"]["invited"]), (200, &json!(30)), "{report}");
    drop(server); // SIGKILL
    let sent_before = emails_in(&outbox);
    assert!(sent_before < 30, "some emails were still queued when the process died ({sent_before} sent)");

    let _server = serve(&data, free_port());
    // Not after the sweep's 5-minute grace: at once. The one send the killed worker had claimed
    // may have reached the mail service, so it waits for its claim to lapse (the sweep sends it
    // then): sending it at once could send it twice.
    let deadline = Instant::now() + Duration::from_secs(30);
    while emails_in(&outbox) < 29 {
        assert!(Instant::now() < deadline, "only {} of 30 emails were sent after the restart", emails_in(&outbox));
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    let recipients: std::collections::BTreeSet<String> = std::fs::read_dir(&outbox)
        .expect("outbox")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
        .map(|e| {
            let eml = std::fs::read_to_string(e.path()).expect("eml");
            eml.lines().find(|l| l.starts_with("To: ")).expect("To").to_owned()
        })
        .collect();
    let sent = emails_in(&outbox);
    assert!(sent == 29 || sent == 30, "{sent} emails");
    assert_eq!(recipients.len(), sent, "each email once");
}

/// `n` members with a 9,000-character company written straight into the data dir's database
/// (and counted on the tenant, as accepting would): a tenant whose export is a job of several
/// 8 MiB parts.
fn fat_members(data: &Path, t: &str, n: usize) {
    use usher_domain::ports::{Clock, Table};
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let table = usher_store::SqliteTable::open(&data.join("usher.db")).expect("sqlite");
        let tenant = usher_domain::values::TenantId::parse(t).expect("tenant");
        let (now, company) = (usher_store::SystemClock.now(), "c".repeat(9000));
        for chunk in (0..n).collect::<Vec<_>>().chunks(100) {
            let writes =
                chunk.iter().map(|&i| usher_domain::schema::create(&usher_tests::seed::member(&tenant, i, now, Some(&company)))).collect();
            table.transact(writes).await.expect("seed");
        }
        let key = usher_domain::schema::tenant_key(&tenant);
        let mut record = usher_domain::schema::load::<usher_domain::model::Tenant>(&table, &key).await.expect("read").expect("tenant");
        let (version, added) = (record.version, u32::try_from(n).expect("n"));
        record.value.members += added;
        record.value.seats_used += added;
        *record.value.role_counts.entry(usher_domain::roles::RoleName::parse("viewer").expect("role")).or_default() += added;
        let committed = table.transact(vec![usher_domain::schema::replace(version, &record.value)]).await.expect("count");
        assert_eq!(committed, usher_domain::ports::Committed::Yes);
    });
}

/// The export job `id` of tenant `t` as stored (read beside the running server).
fn export_job(data: &Path, t: &str, id: &str) -> usher_domain::model::ExportJob {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let table = usher_store::SqliteTable::open(&data.join("usher.db")).expect("sqlite");
        let key = usher_domain::schema::export_key(&usher_domain::values::TenantId::parse(t).expect("tenant"), id);
        usher_domain::schema::load::<usher_domain::model::ExportJob>(&table, &key).await.expect("read").expect("job").value
    })
}

/// The export job's claim as if it had lapsed: its claim and its next look both a second ago.
fn lapse_claim(data: &Path, t: &str, id: &str) {
    use usher_domain::ports::{Clock, Table};
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let table = usher_store::SqliteTable::open(&data.join("usher.db")).expect("sqlite");
        let key = usher_domain::schema::export_key(&usher_domain::values::TenantId::parse(t).expect("tenant"), id);
        let job = usher_domain::schema::load::<usher_domain::model::ExportJob>(&table, &key).await.expect("read").expect("job");
        let mut lapsed = job.value.clone();
        let past = usher_store::SystemClock.now().plus_seconds(-1);
        (lapsed.work.claimed_until, lapsed.work.next_attempt_at) = (Some(past), Some(past));
        let committed = table.transact(vec![usher_domain::schema::replace(job.version, &lapsed)]).await.expect("write");
        assert_eq!(committed, usher_domain::ports::Committed::Yes);
    });
}

/// `usher serve` killed (`kill -9`, or SIGTERM: its drain waits for requests, not for a
/// background export) while its worker writes a large export; once the export's claim has
/// lapsed (16 minutes), the next `usher serve` queues the job at its start and goes on from the
/// checkpoint. Replay bound: the rows read since the last stored part (at most
/// one 8 MiB part's) are read again; the file holds each row once.
fn serve_export_stopped_with(signal_name: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let (t, owner) = tenant_and_owner(&data);
    fat_members(&data, &t, 8000);
    let port = free_port();
    let server = serve(&data, port);
    let (status, job) = http(port, "GET", &format!("/v1/tenants/{t}/members/export"), Some(&owner), None);
    assert_eq!(status, 202, "{job}");
    let id = job["id"].as_str().expect("id").to_owned();
    let deadline = Instant::now() + Duration::from_secs(60);
    let checkpoint = loop {
        if let Some(cp) = export_job(&data, &t, &id).checkpoint {
            break cp;
        }
        assert!(Instant::now() < deadline, "the worker stored no part");
        std::thread::sleep(Duration::from_millis(2));
    };
    stop_with(server, signal_name);
    let left = export_job(&data, &t, &id);
    assert_ne!(left.status(usher_domain::ports::Clock::now(&usher_store::SystemClock)), "ready", "the stop came part-way");
    assert!(checkpoint.rows > 0 && checkpoint.rows < 8001, "{checkpoint:?}");

    // A mark in the stored part (its first byte, the BOM's): a restart that goes on from the
    // checkpoint keeps it; one that wrote the file again from row 1 would not.
    let partial = data.join(format!("exports/{t}/{id}.part"));
    let mut stored = std::fs::read(&partial).expect("the stored part");
    stored[0] = b'X';
    std::fs::write(&partial, &stored).expect("mark");
    drop(stored);
    // The claim's 16 minutes pass: moved back on the record rather than waited for.
    lapse_claim(&data, &t, &id);
    let port = free_port();
    let _server = serve(&data, port);
    let deadline = Instant::now() + Duration::from_secs(60);
    let ready = loop {
        let (_, s) = http(port, "GET", &format!("/v1/tenants/{t}/exports/{id}"), Some(&owner), None);
        if s["status"] == "ready" {
            break s;
        }
        assert!(Instant::now() < deadline, "the export was not finished after the restart: {s}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(ready["rows"], 8001, "{ready}");
    let csv = std::fs::read(data.join(format!("exports/{t}/{id}.csv"))).expect("the file");
    assert_eq!(ready["bytes"].as_u64(), Some(csv.len() as u64));
    assert_eq!(csv[0], b'X', "the stored part was kept: the restart went on from the checkpoint, not from row 1");
    let text = String::from_utf8_lossy(&csv[3..]).into_owned();
    let mut ids: Vec<&str> =
        text.split("\r\n").skip(1).filter(|l| !l.is_empty()).map(|l| l.split(',').next().unwrap_or_default()).collect();
    assert_eq!(ids.len(), 8001, "no row lost, no row twice");
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 8001, "each row once");
}

#[test]
fn a_server_killed_while_writing_an_export_finishes_it_from_its_checkpoint_after_a_restart() {
    serve_export_stopped_with("KILL");
}

#[test]
fn a_server_stopped_by_sigterm_while_writing_an_export_finishes_it_from_its_checkpoint_after_a_restart() {
    serve_export_stopped_with("TERM");
}

/// `usher serve` killed (`kill -9`, or SIGTERM) while it POSTs a tenant's events to a slow
/// webhook (200 ms an answer); restarted on the same data dir. Replay bound: a tenant's position
/// is saved after each delivered event, so at most the one event in flight at the stop is sent
/// again (with its same `webhook-id` and body, for the receiver to dedupe); none is lost.
fn serve_webhooks_stopped_with(signal_name: &str) {
    use usher_tests::webhooks::{Endpoint, start_endpoint};
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let ep = Endpoint { delay: Some(Duration::from_millis(200)), ..Endpoint::default() };
    let url = rt.block_on(start_endpoint(ep.clone()));
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let (t, owner) = tenant_and_owner(&data);
    let port = free_port();
    let server = serve_with(&data, port, &["--webhook-url", &url]);
    let (status, report) = http(port, "POST", &format!("/v1/tenants/{t}/invitations"), Some(&owner), Some(bulk_rows(12, "hooked")));
    assert_eq!((status, &report["summary"]["invited"]), (200, &json!(12)), "{report}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while ep.seen.lock().expect("seen").len() < 3 {
        assert!(Instant::now() < deadline, "no webhook arrived");
        std::thread::sleep(Duration::from_millis(5));
    }
    stop_with(server, signal_name);
    let before: Vec<(String, String)> = ep.seen.lock().expect("seen").iter().map(|s| (s.id.clone(), s.body.clone())).collect();

    let _server = serve_with(&data, free_port(), &["--webhook-url", &url]);
    // Every event of the tenant, as the change log has it (events.jsonl is written from it).
    let expected = |seen: &[usher_tests::webhooks::Seen]| -> (usize, usize) {
        let text = std::fs::read_to_string(data.join("events.jsonl")).unwrap_or_default();
        let ids: Vec<String> = text
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|e| e["tenantid"] == t.as_str())
            .filter_map(|e| e["id"].as_str().map(str::to_owned))
            .collect();
        (ids.len(), ids.iter().filter(|id| seen.iter().any(|s| &&s.id == id && s.answered == 204)).count())
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let seen = ep.seen.lock().expect("seen").clone();
        let (all, delivered) = expected(&seen);
        if all > 12 && delivered == all {
            break;
        }
        assert!(Instant::now() < deadline, "{delivered} of {all} events delivered after the restart");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(before.len() < expected(&[]).0, "the stop came part-way: {} delivered before it", before.len());
    std::thread::sleep(Duration::from_millis(500));
    let seen = ep.seen.lock().expect("seen").clone();
    let again: Vec<&usher_tests::webhooks::Seen> =
        seen.iter().skip(before.len()).filter(|s| before.iter().any(|(id, _)| id == &s.id)).collect();
    assert!(again.len() <= 1, "at most the event in flight at the stop is sent again: {}", again.len());
    for s in again {
        let first = before.iter().find(|(id, _)| id == &s.id).expect("seen before");
        assert_eq!(s.body, first.1, "the replay carries the same webhook-id and body");
    }
}

#[test]
fn a_server_killed_while_posting_webhooks_loses_no_event_and_sends_at_most_the_one_in_flight_again() {
    serve_webhooks_stopped_with("KILL");
}

#[test]
fn a_server_stopped_by_sigterm_while_posting_webhooks_loses_no_event_and_sends_at_most_the_one_in_flight_again() {
    serve_webhooks_stopped_with("TERM");
}

/// A raw POST to the development sign-in with the given Host and Content-Type.
fn dev_sign_in_raw(port: u16, host: &str, content_type: &str) -> u16 {
    let body = json!({"email": "owner@acme.test"}).to_string();
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let head = format!(
        "POST /dev/sign-in HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(head.as_bytes()).expect("write");
    let mut raw = String::new();
    s.read_to_string(&mut raw).expect("read");
    raw.split(' ').nth(1).and_then(|c| c.parse().ok()).expect("status")
}

#[test]
fn the_development_sign_in_answers_only_loopback_hosts_and_json_bodies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let _server = serve(&dir.path().join("data"), port);

    assert_eq!(dev_sign_in_raw(port, &format!("127.0.0.1:{port}"), "application/json"), 200);
    assert_eq!(dev_sign_in_raw(port, &format!("localhost:{port}"), "application/json; charset=utf-8"), 200);
    // A DNS-rebinding page reaches this server under its own hostname.
    assert_eq!(dev_sign_in_raw(port, &format!("rebind.evil.example:{port}"), "application/json"), 403);
    // A cross-site form posts text/plain (no preflight).
    assert_eq!(dev_sign_in_raw(port, &format!("127.0.0.1:{port}"), "text/plain"), 400);
}

/// A GET with `Accept-Encoding: gzip`: the status, the head (lowercased) and the raw body.
fn get_gzip(port: u16, path: &str, bearer: &str) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let head = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAccept-Encoding: gzip, br\r\nAuthorization: Bearer {bearer}\r\n\r\n"
    );
    s.write_all(head.as_bytes()).expect("write");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read");
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a head") + 4;
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let status = head.split(' ').nth(1).and_then(|c| c.parse().ok()).expect("status");
    (status, head, raw[split..].to_vec())
}

fn gunzip(body: &[u8]) -> String {
    let mut text = String::new();
    flate2::read::GzDecoder::new(body).read_to_string(&mut text).expect("a gzip body");
    text
}

#[test]
fn usher_serve_gzips_its_pages_and_api_answers_for_a_client_that_takes_gzip() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let (tenant, owner) = tenant_and_owner(&data);
    let port = free_port();
    let _server = serve(&data, port);
    for i in 0..30 {
        let (status, _) = http(
            port,
            "POST",
            &format!("/v1/tenants/{tenant}/invitations"),
            Some(&owner),
            Some(json!({"email": format!("p{i}@acme.test"), "role": "member"})),
        );
        assert_eq!(status, 201);
    }
    // the console's largest script, and a page of invitations
    let (status, head, body) = get_gzip(port, "/assets/i18n.js", &owner);
    assert_eq!(status, 200);
    assert!(head.contains("content-encoding: gzip") && head.contains("vary: accept-encoding"), "{head}");
    assert!(gunzip(&body).contains("export"), "the script reads back");
    let (status, head, body) = get_gzip(port, &format!("/v1/tenants/{tenant}/invitations?limit=30"), &owner);
    assert_eq!(status, 200);
    assert!(head.contains("content-encoding: gzip"), "{head}");
    let listed: Value = serde_json::from_str(&gunzip(&body)).expect("JSON");
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(30));
    // a client that does not say gzip gets plain JSON (http_raw sends no Accept-Encoding)
    let (status, head, plain) =
        http_raw(port, "GET", &format!("/v1/tenants/{tenant}/invitations?limit=30"), &format!("Authorization: Bearer {owner}\r\n"), b"");
    assert_eq!(status, 200);
    assert!(!head.contains("content-encoding"), "{head}");
    assert_eq!(plain["data"].as_array().map(Vec::len), Some(30));
}

fn dev_post(port: u16, path: &str, bearer: Option<&str>, body: &Value) -> (u16, Value) {
    let auth = bearer.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    let (status, _, json) = http_raw(port, "POST", path, &auth, body.to_string().as_bytes());
    (status, json)
}

#[test]
fn a_developer_signed_in_on_usher_serve_creates_a_tenant_they_own() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let _server = serve(&dir.path().join("data"), port);
    let (status, signed) = dev_post(port, "/dev/sign-in", None, &json!({"email": "dev@new.test", "name": "Dee"}));
    assert_eq!(status, 200);
    let token = signed["access_token"].as_str().expect("a token").to_owned();
    let (_, mine) = http(port, "GET", "/v1/me/tenants", Some(&token), None);
    assert_eq!(mine["data"], json!([]), "not in a tenant yet");

    assert_eq!(dev_post(port, "/dev/tenants", None, &json!({"name": "Dee's"})).0, 401);
    let (status, problem) = dev_post(port, "/dev/tenants", Some(&token), &json!({"name": ""}));
    assert_eq!((status, problem["code"].as_str()), (400, Some("invalid_request")), "{problem}");
    let (status, tenant) = dev_post(port, "/dev/tenants", Some(&token), &json!({"name": "Dee's"}));
    assert_eq!(status, 201, "{tenant}");
    let (_, mine) = http(port, "GET", "/v1/me/tenants", Some(&token), None);
    assert_eq!(mine["data"][0]["tenant_id"], tenant["id"], "{mine}");
    assert_eq!(mine["data"][0]["role"], "owner", "{mine}");
}

/// An employee list of `n` people, each row about as long as an HR export's (~95 bytes).
fn employee_list(n: usize) -> Vec<u8> {
    let mut csv = String::from("external_id,email,first_name,last_name,title,department,company,employee_number,phone,active\n");
    for i in 0..n {
        csv.push_str(&format!(
            "E{i:06},person{i:06}@example.com,First{i},Last{i},Engineer,R&D,Acme North,{i},+44 20 7946 {:04},true\n",
            i % 10_000
        ));
    }
    csv.into_bytes()
}

/// `(resident, peak resident)` of a process in KiB, from /proc.
fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    let field = |name: &str| {
        status.lines().find_map(|l| l.strip_prefix(name)).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok()).expect(name)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Uploads an employee list of `n` rows to a fresh server; answers how far its peak memory
/// rose above what it held before (KiB), and the upload's answer and time.
fn upload_growth(n: usize) -> (u64, Value, Duration) {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let (tenant, owner) = tenant_and_owner(&data);
    let port = free_port();
    let server = serve(&data, port);
    let body = employee_list(n);
    // One small upload first, so what a first request costs (pools, caches) is in the baseline.
    let (status, _) = put_file(port, &format!("/v1/tenants/{tenant}/directory"), &owner, "text/csv", b"external_id\nwarm\n");
    assert_eq!(status, 200);
    let (before, _) = memory_kib(server.0.id());
    let started = Instant::now();
    let (status, answer) = put_file(port, &format!("/v1/tenants/{tenant}/directory"), &owner, "text/csv", &body);
    let took = started.elapsed();
    assert_eq!(status, 200, "{answer}");
    let (_, peak) = memory_kib(server.0.id());
    (peak.saturating_sub(before), answer, took)
}

fn put_file(port: u16, path: &str, bearer: &str, content_type: &str, body: &[u8]) -> (u16, Value) {
    let (status, _, json) =
        http_send(port, "PUT", path, &format!("Authorization: Bearer {bearer}\r\nContent-Type: {content_type}\r\n"), body);
    (status, json)
}

/// The upload reads its file row by row and writes a hundred people at a time: ten times the
/// rows cost the server the larger body and a set of the people's ids, not ten times the
/// memory. (Holding the rows as people would cost ~1 KiB each: 45 MiB more for 45,000 rows.)
#[test]
fn a_50000_row_directory_upload_stays_in_flat_memory() {
    let (small, small_answer, small_took) = upload_growth(5_000);
    let (large, large_answer, large_took) = upload_growth(50_000);
    assert_eq!(small_answer["added"], 5_000, "{small_answer}");
    assert_eq!(large_answer["added"], 50_000, "{large_answer}");
    assert_eq!(large_answer["error_count"], 0, "{large_answer}");
    let body_kib = (employee_list(50_000).len() / 1024) as u64;
    eprintln!(
        "directory upload: 5,000 rows +{small} KiB peak in {small_took:?}; 50,000 rows ({body_kib} KiB) +{large} KiB peak in {large_took:?}"
    );
    // The larger body is read whole (once), and the ids of 45,000 more people are kept; the
    // rest must not grow with the rows.
    assert!(large <= small + body_kib + 16 * 1024, "50,000 rows grew the peak by {large} KiB, 5,000 by {small} KiB");
}
