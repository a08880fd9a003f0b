//! A Lambda Runtime API emulator, so the real function binaries run exactly as on AWS: each
//! binary polls `/runtime/invocation/next`, handles the event, and posts its response. The
//! events are the committed fixtures in `tests/events/`.
//!
//! Each function runs under its own limits from `template.yaml` ([`Limits`]), enforced as
//! Lambda enforces them: the invocation's deadline is its `Timeout` (and an invocation still
//! running then is cut off and the process killed, "Task timed out"); a process whose peak
//! memory passes `MemorySize` is killed ("Runtime exited with error: signal: killed"); its
//! `/tmp` (`TMPDIR`, a folder of its own) is measured and a process that writes more than
//! `EphemeralStorage` is killed.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::routing::{get, post};
use serde_json::Value;
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, mpsc, oneshot};

/// Where a function's answer to one invocation goes.
type Answer = oneshot::Sender<Result<Value, Value>>;
/// An invocation waiting to be picked up: the event and where its answer goes.
type Invocation = (Value, Answer);
type Pending = Arc<Mutex<HashMap<String, Answer>>>;

/// What Lambda gives one function, as `template.yaml` sets it (the function's own property,
/// else `Globals.Function`, else Lambda's default).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// `MemorySize`, in MB.
    pub memory_mb: u64,
    /// `Timeout`.
    pub timeout: Duration,
    /// `EphemeralStorage.Size`, in MB (Lambda's default: 512).
    pub tmp_mb: u64,
}

impl Limits {
    /// The limits of the function that runs `binary` (`Metadata.BuildProperties.Binary`); where
    /// two share a binary (deliver: DeliverFunction and ExportJobFunction), the one named after it.
    pub fn of(binary: &str) -> Self {
        let t = crate::repo_yaml("template.yaml");
        let resources = t["Resources"].as_mapping().expect("Resources");
        let runs: Vec<&str> = resources
            .iter()
            .filter(|(_, r)| r["Metadata"]["BuildProperties"]["Binary"].as_str() == Some(binary))
            .filter_map(|(k, _)| k.as_str())
            .collect();
        let named = format!("{}{}Function", binary[..1].to_uppercase(), &binary[1..]);
        let logical = match runs.as_slice() {
            [one] => (*one).to_owned(),
            many if many.contains(&named.as_str()) => named,
            _ => panic!("no single function with Binary: {binary} in template.yaml ({runs:?})"),
        };
        Self::of_resource(&logical)
    }

    /// The limits of the function `logical` (its logical id in template.yaml).
    pub fn of_resource(logical: &str) -> Self {
        let t = crate::repo_yaml("template.yaml");
        let global = &t["Globals"]["Function"];
        let own = &t["Resources"][logical]["Properties"];
        assert!(own.is_mapping(), "no function {logical} in template.yaml");
        let pick = |k: &str| own[k].as_u64().or_else(|| global[k].as_u64());
        let tmp = own["EphemeralStorage"]["Size"].as_u64().or_else(|| global["EphemeralStorage"]["Size"].as_u64());
        Self {
            memory_mb: pick("MemorySize").unwrap_or(128),
            timeout: Duration::from_secs(pick("Timeout").unwrap_or(3)),
            tmp_mb: tmp.unwrap_or(512),
        }
    }
}

/// Why the emulator killed a function's process (what Lambda would report).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Killed {
    /// Its peak memory passed `MemorySize` (KiB at the kill).
    OutOfMemory { peak_kib: u64 },
    /// Its `/tmp` held more than `EphemeralStorage` (bytes at the kill).
    TmpFull { bytes: u64 },
    /// An invocation ran past `Timeout`.
    TimedOut,
}

#[derive(Clone)]
struct Shared {
    queue: Arc<Mutex<mpsc::Receiver<Invocation>>>,
    pending: Pending,
    counter: Arc<std::sync::atomic::AtomicU64>,
    /// When the function first asked for work: its init phase ended.
    first_poll: Arc<std::sync::OnceLock<Instant>>,
    /// The function's `Timeout`: each invocation's deadline.
    timeout: Duration,
}

/// One function binary running under the emulated runtime.
pub struct Function {
    child: Arc<std::sync::Mutex<Child>>,
    pid: u32,
    tx: mpsc::Sender<Invocation>,
    spawned: Instant,
    first_poll: Arc<std::sync::OnceLock<Instant>>,
    pending: Pending,
    limits: Limits,
    killed: Arc<std::sync::Mutex<Option<Killed>>>,
    /// Its `/tmp` (removed with it).
    tmp: tempfile::TempDir,
    /// The most its `/tmp` held, in bytes, as the watchdog saw it.
    tmp_peak: Arc<std::sync::atomic::AtomicU64>,
}

impl Drop for Function {
    fn drop(&mut self) {
        if let Ok(mut child) = self.child.lock() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The bytes under `dir` (files only; a file removed meanwhile counts as nothing).
fn bytes_under(dir: &std::path::Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => bytes_under(&e.path()),
            Ok(_) => e.metadata().map(|m| m.len()).unwrap_or(0),
            Err(_) => 0,
        })
        .sum()
}

fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Where cargo put the workspace's binaries (next to this test executable's `deps/`).
pub fn binary(name: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    let dir = exe.parent().and_then(|p| p.parent()).expect("target dir");
    let path = dir.join(name);
    assert!(path.exists(), "{} is not built: run `cargo build --workspace --bins` (infra/scripts/test.sh does)", path.display());
    path
}

impl Function {
    /// Starts the binary `name` with `env`, behind a fresh runtime API on 127.0.0.1, under the
    /// limits `template.yaml` gives it.
    pub async fn start(name: &str, env: &[(&str, String)]) -> Self {
        Self::start_with(name, env, Limits::of(name)).await
    }

    /// `start`, under other limits (a test that recreates a smaller function).
    pub async fn start_with(name: &str, env: &[(&str, String)], limits: Limits) -> Self {
        let (tx, rx) = mpsc::channel(16);
        let first_poll: Arc<std::sync::OnceLock<Instant>> = Arc::default();
        let pending: Pending = Arc::default();
        let shared = Shared {
            queue: Arc::new(Mutex::new(rx)),
            pending: pending.clone(),
            counter: Arc::default(),
            first_poll: first_poll.clone(),
            timeout: limits.timeout,
        };
        let router = axum::Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route("/2018-06-01/runtime/invocation/{id}/response", post(respond))
            .route("/2018-06-01/runtime/invocation/{id}/error", post(fail))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        let tmp = tempfile::Builder::new().prefix(&format!("usher-{name}-tmp-")).tempdir().expect("a /tmp of its own");
        let mut cmd = Command::new(binary(name));
        cmd.env_clear()
            .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", format!("usher-test-{name}"))
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", limits.memory_mb.to_string())
            .env("TMPDIR", tmp.path())
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/usher-test-{name}"))
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "test")
            .env("USHER_LOG", std::env::var("USHER_TEST_LOG").unwrap_or_else(|_| "warn".into()))
            .stdout(if std::env::var("USHER_TEST_LOG").is_ok() { Stdio::inherit() } else { Stdio::null() })
            .stderr(Stdio::inherit());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let spawned = Instant::now();
        let child = cmd.spawn().expect("start the function binary");
        let pid = child.id();
        let child = Arc::new(std::sync::Mutex::new(child));
        let killed: Arc<std::sync::Mutex<Option<Killed>>> = Arc::default();
        let tmp_peak: Arc<std::sync::atomic::AtomicU64> = Arc::default();
        // The watchdog: Lambda's memory and /tmp limits, checked every 10 ms (VmHWM is the true
        // peak even between two looks).
        let (watched, why, dir, peak, waiting) = (child.clone(), killed.clone(), tmp.path().to_owned(), tmp_peak.clone(), pending.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(10)).await;
                let Ok(status) = watched.lock().map(|mut c| c.try_wait()) else { return };
                if !matches!(status, Ok(None)) {
                    return;
                }
                let bytes = bytes_under(&dir);
                peak.fetch_max(bytes, std::sync::atomic::Ordering::Relaxed);
                let reason = match peak_kib(pid) {
                    Some(kib) if kib > limits.memory_mb * 1024 => Some(Killed::OutOfMemory { peak_kib: kib }),
                    _ if bytes > limits.tmp_mb * 1024 * 1024 => Some(Killed::TmpFull { bytes }),
                    _ => None,
                };
                if let Some(reason) = reason {
                    kill(&watched, &why, reason, &waiting).await;
                    return;
                }
            }
        });
        Self { child, pid, tx, spawned, first_poll, pending, limits, killed, tmp, tmp_peak }
    }

    /// The limits this function runs under.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Sends the process `signal` (`KILL`, `TERM`), as a test's fault, and waits until it has
    /// exited (a function binary does not trap SIGTERM: Lambda sends it only to runtimes with
    /// extensions). The invocations it held end with Lambda's "Runtime exited" error.
    pub async fn signal(&self, signal: &str) {
        let sent = Command::new("kill").args(["-s", signal, &self.pid.to_string()]).status().expect("kill");
        assert!(sent.success(), "kill -s {signal}");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let exited = self.child.lock().map(|mut c| !matches!(c.try_wait(), Ok(None))).unwrap_or(true);
            if exited {
                break;
            }
            assert!(Instant::now() < deadline, "the function did not exit after SIG{signal}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.pending.lock().await.clear();
    }

    /// Why the emulator killed the process, if it did.
    pub fn killed(&self) -> Option<Killed> {
        self.killed.lock().ok().and_then(|k| k.clone())
    }

    /// What the function's `/tmp` holds now, in bytes.
    pub fn tmp_bytes_now(&self) -> u64 {
        bytes_under(self.tmp.path())
    }

    /// The most the function's `/tmp` held so far, in bytes (sampled every 10 ms: a file that
    /// lives for less may be missed).
    pub fn tmp_peak_bytes(&self) -> u64 {
        self.tmp_peak.load(std::sync::atomic::Ordering::Relaxed).max(bytes_under(self.tmp.path()))
    }

    /// Waits until the function has finished its init phase (it asks for its first event) and
    /// says how long that took from the process start: the local analogue of Lambda's Init
    /// Duration. `None` if it did not get there within 30 s.
    pub async fn init_duration(&self) -> Option<Duration> {
        let deadline = self.spawned + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some(at) = self.first_poll.get() {
                return Some(at.duration_since(self.spawned));
            }
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
        None
    }

    /// The process's peak resident memory so far, in KiB (Linux `VmHWM`): the local analogue of
    /// Lambda's "Max Memory Used".
    pub fn peak_memory_kib(&self) -> Option<u64> {
        peak_kib(self.pid)
    }

    /// The CPU time the process has used so far, user and system (Linux `/proc/<pid>/stat`,
    /// fields 14 and 15, in clock ticks of 1/100 s): what a request costs the function apart from
    /// waiting on the network (the local AWS server answers far slower than AWS).
    pub fn cpu_time(&self) -> Option<Duration> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid)).ok()?;
        // The command name (field 2) may hold spaces: count from the `)` that closes it.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
        Some(Duration::from_millis(ticks * 10))
    }

    /// Invokes the function with `event`; `Ok` is its response, `Err` the error it reported, or
    /// Lambda's own error when the invocation ran past the function's `Timeout` (the process is
    /// then killed, as Lambda recycles a timed-out sandbox) or the process was killed for its
    /// memory or its `/tmp`.
    pub async fn invoke(&self, event: Value) -> Result<Value, Value> {
        let (done_tx, done_rx) = oneshot::channel();
        self.tx.send((event, done_tx)).await.expect("runtime emulator running");
        // A little grace past the deadline: the function may answer right at it.
        match tokio::time::timeout(self.limits.timeout + Duration::from_millis(500), done_rx).await {
            Ok(answer) => answer.unwrap_or_else(|_| Err(self.lambda_error())),
            Err(_) => {
                kill(&self.child, &self.killed, Killed::TimedOut, &self.pending).await;
                Err(self.lambda_error())
            }
        }
    }

    /// What Lambda reports for an invocation the emulator cut off.
    fn lambda_error(&self) -> Value {
        let message = match self.killed() {
            Some(Killed::TimedOut) => format!("Task timed out after {:.2} seconds", self.limits.timeout.as_secs_f64()),
            Some(Killed::OutOfMemory { peak_kib }) => {
                format!(
                    "Runtime exited with error: signal: killed (max memory used {} MB of {} MB)",
                    peak_kib / 1024,
                    self.limits.memory_mb
                )
            }
            Some(Killed::TmpFull { bytes }) => {
                format!("No space left on device: /tmp held {} MB of {} MB", bytes >> 20, self.limits.tmp_mb)
            }
            None => "Runtime exited without providing a reason".to_owned(),
        };
        serde_json::json!({ "errorType": "Runtime.ExitError", "errorMessage": message })
    }
}

/// Kills the process for `reason` (the first reason sticks) and drops the invocations it held,
/// so their callers see the error at once.
async fn kill(child: &Arc<std::sync::Mutex<Child>>, killed: &Arc<std::sync::Mutex<Option<Killed>>>, reason: Killed, pending: &Pending) {
    if let Ok(mut why) = killed.lock() {
        why.get_or_insert(reason);
    }
    if let Ok(mut c) = child.lock() {
        let _ = c.kill();
        let _ = c.wait();
    }
    pending.lock().await.clear();
}

async fn next(State(s): State<Shared>) -> (HeaderMap, String) {
    let _ = s.first_poll.set(Instant::now());
    // When the test is over the queue closes: keep the function waiting, as Lambda would.
    let Some((event, done)) = s.queue.lock().await.recv().await else { return std::future::pending().await };
    let id = format!("req-{}", s.counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst));
    s.pending.lock().await.insert(id.clone(), done);
    let mut h = HeaderMap::new();
    let deadline = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() + s.timeout.as_millis())
        .unwrap_or_default();
    h.insert("lambda-runtime-aws-request-id", HeaderValue::from_str(&id).expect("id"));
    h.insert("lambda-runtime-deadline-ms", HeaderValue::from_str(&deadline.to_string()).expect("deadline"));
    h.insert("lambda-runtime-invoked-function-arn", HeaderValue::from_static("arn:aws:lambda:eu-west-1:123456789012:function:usher-test"));
    h.insert("lambda-runtime-trace-id", HeaderValue::from_static("Root=1-00000000-000000000000000000000000;Sampled=0"));
    (h, event.to_string())
}

async fn respond(State(s): State<Shared>, Path(id): Path<String>, body: String) -> StatusCode {
    if let Some(done) = s.pending.lock().await.remove(&id) {
        let _ = done.send(Ok(serde_json::from_str(&body).unwrap_or(Value::String(body))));
    }
    StatusCode::ACCEPTED
}

async fn fail(State(s): State<Shared>, Path(id): Path<String>, body: String) -> StatusCode {
    if let Some(done) = s.pending.lock().await.remove(&id) {
        let _ = done.send(Err(serde_json::from_str(&body).unwrap_or(Value::String(body))));
    }
    StatusCode::ACCEPTED
}

async fn init_error(body: String) -> StatusCode {
    eprintln!("function init error: {body}");
    StatusCode::ACCEPTED
}

/// The identity provider the functions trust in these runs (HS256, shared secret).
pub const ISSUER: &str = "https://issuer.usher.test";
/// The audience of the tokens.
pub const AUDIENCE: &str = "usher-e2e";
const SECRET: &str = "e2e-secret-e2e-secret-e2e-secret-e2e";
/// The cursor secret of these runs (on AWS, the stack's generated `CursorSecret`).
pub const CURSOR_SECRET: &str = "e2e-cursor-secret-e2e-cursor-secret-e2e-cursor";

/// A function's environment, as the template sets it, pointed at the local AWS server.
pub fn function_env(table: &str, sender: &str) -> Vec<(&'static str, String)> {
    vec![
        ("USHER_TABLE", table.to_owned()),
        ("USHER_SENDER", sender.to_owned()),
        ("USHER_ACCEPT_URL", "https://app.example/accept".into()),
        ("USHER_JWT_ISSUER", ISSUER.into()),
        ("USHER_JWT_AUDIENCE", AUDIENCE.into()),
        // The shared secret is accepted only in the explicitly named local end-to-end mode.
        ("USHER_LOCAL_E2E", "1".into()),
        ("USHER_JWT_HS256_SECRET", SECRET.into()),
        ("USHER_CURSOR_SECRET", CURSOR_SECRET.into()),
        // A queue nobody creates: tests that follow the emails create theirs and replace this
        // (a wake-up that cannot be queued is logged; the sweep would queue it again).
        ("USHER_DELIVERY_QUEUE_URL", format!("{}/123456789012/usher-no-such-queue", crate::aws::endpoint())),
        // Likewise a bucket nobody creates: only large exports would use it.
        ("USHER_EXPORT_BUCKET", "usher-no-such-bucket".into()),
        ("AWS_ENDPOINT_URL", crate::aws::endpoint()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_ACCESS_KEY_ID", "test".into()),
        ("AWS_SECRET_ACCESS_KEY", "test".into()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
    ]
}

/// A signed-in person's token for those functions (valid for an hour).
pub fn person_token(email: &str) -> String {
    use usher_domain::ports::Clock;
    let now = usher_store::SystemClock.now().unix();
    let claims = usher_http::auth::DevClaims {
        sub: format!("idp|{email}"),
        email: email.into(),
        email_verified: true,
        name: None,
        usher_operator: true, // ignored on AWS: operators are IAM-authorised by API Gateway
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        iat: now,
        exp: now + 3600,
    };
    usher_http::auth::mint(SECRET.as_bytes(), &claims).expect("mint")
}

/// An API Gateway HTTP API (v2) event from the committed fixture, for one request.
pub fn http_event(method: &str, path_and_query: &str, bearer: Option<&str>, body: Option<&Value>) -> Value {
    let mut e: Value = serde_json::from_str(include_str!("../events/http-api-v2.json")).expect("fixture");
    let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
    e["rawPath"] = path.into();
    e["rawQueryString"] = query.into();
    e["requestContext"]["http"]["method"] = method.into();
    e["requestContext"]["http"]["path"] = path.into();
    e["requestContext"]["requestId"] = format!("e2e-{}", crate::aws::unique()).into();
    if let Some(t) = bearer {
        e["headers"]["authorization"] = format!("Bearer {t}").into();
    }
    if let Some(b) = body {
        e["body"] = b.to_string().into();
    }
    e
}

/// The EventBridge schedule event from the committed fixture.
pub fn schedule_event() -> Value {
    serde_json::from_str(include_str!("../events/schedule.json")).expect("fixture")
}

/// A function's HTTP answer: status and body (decoding a base64 body as lambda_http sends it).
pub fn http_answer(resp: &Value) -> (u16, Value, Vec<u8>) {
    use base64::Engine;
    let status = resp["statusCode"].as_u64().and_then(|s| u16::try_from(s).ok()).unwrap_or(0);
    let raw = resp["body"].as_str().unwrap_or_default();
    let bytes = if resp["isBase64Encoded"].as_bool() == Some(true) {
        base64::engine::general_purpose::STANDARD.decode(raw).unwrap_or_default()
    } else {
        raw.as_bytes().to_vec()
    };
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null), bytes)
}
