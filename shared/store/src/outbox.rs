//! The local mailer: every message becomes an `.eml` file (text and HTML parts) in a folder, and
//! the file's name is logged, so a developer can open it and click through without any mail
//! server. The link itself is never logged: it carries the invitation's token, and logs are
//! copied, shipped and kept far longer than an outbox file.

use async_trait::async_trait;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use usher_domain::ports::{MailError, Mailer, OutgoingEmail};

/// Writes messages to `<dir>/<time>-<n>.eml`.
#[derive(Debug)]
pub struct OutboxMailer {
    dir: PathBuf,
    from: String,
    counter: AtomicU64,
}

impl OutboxMailer {
    /// An outbox in `dir` (created if missing), messages "from" `from`.
    pub fn new(dir: impl Into<PathBuf>, from: impl Into<String>) -> std::io::Result<Self> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        Ok(Self { dir, from: from.into(), counter: AtomicU64::new(0) })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// RFC 2047 encoding for a header value that is not plain ASCII.
fn encode_header(value: &str) -> String {
    use base64::Engine;
    if value.is_ascii() {
        return value.to_owned();
    }
    format!("=?UTF-8?B?{}?=", base64::engine::general_purpose::STANDARD.encode(value.as_bytes()))
}

/// Renders a MIME multipart/alternative message. Its tags go in `X-SES-MESSAGE-TAGS`, the
/// header SES itself reads them from, so a developer sees what a bounce report would name.
pub fn to_eml(from: &str, email: &OutgoingEmail, boundary: &str) -> String {
    let tags = if email.tags.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = email.tags.iter().map(|(name, value)| format!("{name}={value}")).collect();
        format!("X-SES-MESSAGE-TAGS: {}\r\n", list.join(", "))
    };
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\n{tags}MIME-Version: 1.0\r\n\
         Content-Type: multipart/alternative; boundary=\"{boundary}\"\r\n\r\n\
         --{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{text}\r\n\
         --{boundary}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{html}\r\n\
         --{boundary}--\r\n",
        to = email.to,
        subject = encode_header(&email.subject),
        text = email.text,
        html = email.html,
    )
}

#[async_trait]
impl Mailer for OutboxMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError> {
        let n = self.counter.fetch_add(1, Ordering::SeqCst);
        let millis = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
        let name = format!("{millis:013}-{}-{n:04}.eml", std::process::id());
        let eml = to_eml(&self.from, email, &format!("usher-{millis}-{n}"));
        let tmp = self.dir.join(format!(".{name}.tmp"));
        let path = self.dir.join(&name);
        // Write then rename, so a reader never sees half a message.
        let write = async {
            tokio::fs::write(&tmp, eml.as_bytes()).await?;
            tokio::fs::rename(&tmp, &path).await
        };
        write.await.map_err(|e| MailError(format!("could not write {}: {e}", path.display())))?;
        // The file's name, never the link (it holds the token) nor the whole address.
        tracing::info!(file = %name, to_domain = email.to.domain(), "outbox: message written");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_non_ascii_subject_is_encoded_and_an_ascii_one_is_not() {
        assert_eq!(encode_header("Hello"), "Hello");
        assert_eq!(encode_header("Grüße"), "=?UTF-8?B?R3LDvMOfZQ==?=");
    }

    thread_local! {
        /// The log lines emitted on this thread (each test's single-threaded runtime runs here).
        static LINES: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
    }

    /// A process-wide subscriber that keeps each thread's log lines, fields included, apart. (A
    /// scoped one per test would race with other tests over tracing's per-callsite interest.)
    struct Capture;

    struct Line<'a>(&'a mut String);

    impl tracing::field::Visit for Line<'_> {
        fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
            self.0.push_str(&format!(" {}={value:?}", field.name()));
        }
    }

    impl tracing::Subscriber for Capture {
        fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
            tracing::span::Id::from_u64(1)
        }
        fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
        fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
        fn event(&self, event: &tracing::Event<'_>) {
            let mut line = String::new();
            event.record(&mut Line(&mut line));
            LINES.with(|lines| lines.borrow_mut().push(line));
        }
        fn enter(&self, _: &tracing::span::Id) {}
        fn exit(&self, _: &tracing::span::Id) {}
    }

    /// This thread's log lines so far, from when capture started.
    fn captured_logs() -> String {
        static INSTALL: std::sync::Once = std::sync::Once::new();
        INSTALL.call_once(|| tracing::subscriber::set_global_default(Capture).expect("no other global subscriber in these tests"));
        LINES.with(|lines| lines.borrow().join("\n"))
    }

    #[tokio::test]
    async fn the_outbox_logs_the_file_name_but_never_the_token_or_the_whole_address() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = OutboxMailer::new(dir.path().join("outbox"), "Usher <no-reply@usher.local>").unwrap();
        let token = "tok_SECRET-4f9a81c2";
        let msg = OutgoingEmail {
            tags: Vec::new(),
            to: usher_domain::values::Email::parse("ada@example.com").unwrap(),
            subject: "You're invited".into(),
            text: format!("Accept: https://app.example/accept#token={token}\n"),
            html: format!("<a href=\"https://app.example/accept#token={token}\">Accept</a>"),
        };
        assert_eq!(captured_logs(), "", "capture starts empty");
        outbox.send(&msg).await.unwrap();

        let lines = captured_logs();
        let file = std::fs::read_dir(outbox.dir()).unwrap().next().unwrap().unwrap().file_name().into_string().unwrap();
        assert!(lines.contains(&file), "the file's name is logged: {lines}");
        assert!(lines.contains("example.com"), "the recipient's domain is logged: {lines}");
        assert!(!lines.contains(token), "a token was logged: {lines}");
        assert!(!lines.contains("ada@"), "a whole address was logged: {lines}");
    }

    #[tokio::test]
    async fn a_message_lands_in_the_outbox_with_both_parts() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = OutboxMailer::new(dir.path().join("outbox"), "Usher <no-reply@usher.local>").unwrap();
        let msg = OutgoingEmail {
            tags: Vec::new(),
            to: usher_domain::values::Email::parse("ada@example.com").unwrap(),
            subject: "Hi".into(),
            text: "plain https://x/#token=abc".into(),
            html: "<p>html</p>".into(),
        };
        outbox.send(&msg).await.unwrap();
        let files: Vec<_> = std::fs::read_dir(outbox.dir()).unwrap().map(|e| e.unwrap().path()).collect();
        assert_eq!(files.len(), 1);
        let eml = std::fs::read_to_string(&files[0]).unwrap();
        assert!(eml.contains("To: ada@example.com\r\n"));
        assert!(eml.contains("text/plain") && eml.contains("plain https://x/#token=abc"));
        assert!(eml.contains("text/html") && eml.contains("<p>html</p>"));
    }
}
