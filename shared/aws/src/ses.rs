//! The SES v2 mailer: `SendEmail` with Simple content (subject, HTML and text), templates
//! rendered in Rust beforehand. Nothing here logs a body or a whole address.

use async_trait::async_trait;
use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::error::DisplayErrorContext;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use usher_domain::ports::{MailError, Mailer, OutgoingEmail};

/// Sends through SES v2.
#[derive(Debug, Clone)]
pub struct SesMailer {
    client: Client,
    from: String,
    configuration_set: Option<String>,
}

impl SesMailer {
    /// `from` is a verified identity (`Usher <no-reply@example.com>`); `configuration_set`
    /// routes events (bounces, complaints) where the stack wants them.
    pub fn new(client: Client, from: impl Into<String>, configuration_set: Option<String>) -> Self {
        Self { client, from: from.into(), configuration_set }
    }
}

fn utf8(data: &str) -> Result<Content, MailError> {
    Content::builder().data(data).charset("UTF-8").build().map_err(|e| MailError(e.to_string()))
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError> {
        let message = Message::builder()
            .subject(utf8(&email.subject)?)
            .body(Body::builder().html(utf8(&email.html)?).text(utf8(&email.text)?).build())
            .build();
        let out = self
            .client
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().to_addresses(email.to.as_str()).build())
            .content(EmailContent::builder().simple(message).build())
            .set_configuration_set_name(self.configuration_set.clone())
            .send()
            .await
            .map_err(|e| {
                let why = DisplayErrorContext(&e).to_string();
                MailError(why.chars().take(300).collect())
            })?;
        tracing::info!(message_id = out.message_id().unwrap_or_default(), to_domain = email.to.domain(), "email accepted by SES");
        Ok(())
    }
}
