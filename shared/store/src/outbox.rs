//! The local mailer: every message becomes an `.eml` file (text and HTML parts) in a folder, and
//! the accept link is logged, so a developer can click through without any mail server.

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

/// Renders a MIME multipart/alternative message.
pub fn to_eml(from: &str, email: &OutgoingEmail, boundary: &str) -> String {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n\
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
        // Local development only: show the link so it can be clicked. (The SES mailer never logs.)
        for link in email.text.split_whitespace().filter(|w| w.contains("#token=")) {
            tracing::info!(file = %path.display(), %link, "outbox: invitation link");
        }
        tracing::info!(file = %path.display(), to_domain = email.to.domain(), "outbox: message written");
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

    #[tokio::test]
    async fn a_message_lands_in_the_outbox_with_both_parts() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = OutboxMailer::new(dir.path().join("outbox"), "Usher <no-reply@usher.local>").unwrap();
        let msg = OutgoingEmail {
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
