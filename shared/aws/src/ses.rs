//! The SES v2 mailer: `SendEmail` with Simple content (subject, HTML and text), templates
//! rendered in Rust beforehand. Nothing here logs a body or a whole address.

use async_trait::async_trait;
use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::error::DisplayErrorContext;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message, MessageTag};
use usher_domain::model::MailFeedback;
use usher_domain::ports::{MAIL_TAG_INVITATION, MAIL_TAG_SEND, MAIL_TAG_TENANT, MailError, Mailer, OutgoingEmail};
use usher_domain::usecases::feedback::MailReport;
use usher_domain::values::{InvitationId, TenantId};

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
            .set_email_tags(tags(email))
            .send()
            .await
            .map_err(|e| {
                // SES names the recipient in some errors ("... failed the check: ada@example.com");
                // the error is stored on the invitation and logged, so the address goes first.
                let why = without_addresses(&DisplayErrorContext(&e).to_string());
                MailError(why.chars().take(300).collect())
            })?;
        tracing::info!(message_id = out.message_id().unwrap_or_default(), to_domain = email.to.domain(), "email accepted by SES");
        Ok(())
    }
}

/// What an SES event (a configuration set's event destination, delivered through SNS) reports
/// about an invitation email: `Ok(None)` for events Usher does not record (deliveries, transient
/// bounces, emails that carry no invitation), `Err` for a message that is not an SES event.
pub fn mail_report(event: &serde_json::Value) -> Result<Option<MailReport>, String> {
    let kind = event.get("eventType").or_else(|| event.get("notificationType")).and_then(|v| v.as_str()).ok_or("not an SES event")?;
    let mail = event.get("mail").ok_or("an SES event without 'mail'")?;
    let message_id = mail.get("messageId").and_then(|v| v.as_str()).ok_or("an SES event without 'mail.messageId'")?;
    let (feedback, detail) = match kind {
        "Bounce" => {
            let bounce = event.get("bounce").ok_or("a bounce without 'bounce'")?;
            let text = |k: &str| bounce.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
            if text("bounceType") != "Permanent" {
                return Ok(None); // Transient and undetermined bounces: SES and the sweep retry.
            }
            (MailFeedback::Bounced, format!("permanent bounce ({})", text("bounceSubType")))
        }
        "Complaint" => {
            let kind = event.pointer("/complaint/complaintFeedbackType").and_then(|v| v.as_str()).unwrap_or("unspecified");
            (MailFeedback::Complained, format!("complaint ({kind})"))
        }
        _ => return Ok(None),
    };
    let tag = |name: &str| mail.pointer(&format!("/tags/{name}/0")).and_then(|v| v.as_str());
    let (Some(tenant), Some(invitation)) = (tag(MAIL_TAG_TENANT), tag(MAIL_TAG_INVITATION)) else { return Ok(None) };
    let tenant = TenantId::parse(tenant).map_err(|e| format!("tag {MAIL_TAG_TENANT}: {e}"))?;
    let invitation = InvitationId::parse(invitation).map_err(|e| format!("tag {MAIL_TAG_INVITATION}: {e}"))?;
    // Only letters, digits, `_` and `-` were ever sent in this tag; anything else is not ours.
    let send = tag(MAIL_TAG_SEND).filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'));
    Ok(Some(MailReport { message_id: message_id.to_owned(), tenant, invitation, send: send.map(str::to_owned), feedback, detail }))
}

/// The email's tags as SES message tags (its bounce and complaint reports carry them back).
fn tags(email: &OutgoingEmail) -> Option<Vec<MessageTag>> {
    let tags: Vec<MessageTag> =
        email.tags.iter().filter_map(|(name, value)| MessageTag::builder().name(*name).value(value).build().ok()).collect();
    (!tags.is_empty()).then_some(tags)
}

/// `text` with every email address reduced to its domain (`***@example.com`), URL-encoded ones
/// (`%40`) too. Enough to tell which domain bounced, never who.
fn without_addresses(text: &str) -> String {
    let local_char = |c: char| c.is_ascii_alphanumeric() || "._%+-!#$&'*/=?^`{|}~".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let at = match (rest.find('@'), rest.find("%40")) {
            (Some(a), Some(b)) if b < a => Some((b, "%40")),
            (Some(a), _) => Some((a, "@")),
            (None, Some(b)) => Some((b, "%40")),
            (None, None) => None,
        };
        let Some((at, sep)) = at else { break };
        let local = rest[..at].trim_end_matches(local_char);
        out.push_str(local);
        if local.len() < at {
            out.push_str("***");
        }
        out.push_str(sep);
        rest = &rest[at + sep.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ses_error_keeps_the_domains_but_loses_every_address() {
        let why = "MessageRejected: Email address is not verified. The following identities failed the check \
                   in region US-EAST-1: Ada.Lovelace+usher@Example.com, no-reply@usher.test (request for \
                   ada.lovelace%2Busher%40example.com)";
        let scrubbed = without_addresses(why);
        assert!(!scrubbed.to_ascii_lowercase().contains("lovelace"), "{scrubbed}");
        assert!(!scrubbed.contains("no-reply"), "{scrubbed}");
        assert!(scrubbed.contains("***@Example.com") && scrubbed.contains("***@usher.test"), "{scrubbed}");
        assert!(scrubbed.starts_with("MessageRejected: Email address is not verified."), "{scrubbed}");
    }

    fn ses_event(kind: &str, extra: serde_json::Value) -> serde_json::Value {
        let mut e = serde_json::json!({"eventType": kind, "mail": {"messageId": "0100-abc", "destination": ["ada@example.com"],
            "tags": {"usher-tenant": ["ten_1"], "usher-invitation": ["inv_2"], "ses:configuration-set": ["usher-dev"]}}});
        if let (Some(e), Some(x)) = (e.as_object_mut(), extra.as_object()) {
            e.extend(x.clone());
        }
        e
    }

    #[test]
    fn a_permanent_bounce_and_a_complaint_name_their_invitation_and_never_the_address() {
        let bounce = ses_event("Bounce", serde_json::json!({"bounce": {"bounceType": "Permanent", "bounceSubType": "NoEmail"}}));
        let r = mail_report(&bounce).unwrap().unwrap();
        assert_eq!((r.tenant.as_str(), r.invitation.as_str(), r.feedback), ("ten_1", "inv_2", MailFeedback::Bounced));
        assert_eq!((r.message_id.as_str(), r.detail.as_str()), ("0100-abc", "permanent bounce (NoEmail)"));
        let complaint = ses_event("Complaint", serde_json::json!({"complaint": {"complaintFeedbackType": "abuse"}}));
        assert_eq!(mail_report(&complaint).unwrap().unwrap().feedback, MailFeedback::Complained);
    }

    #[test]
    fn transient_bounces_deliveries_and_untagged_mail_are_not_recorded() {
        let soft = ses_event("Bounce", serde_json::json!({"bounce": {"bounceType": "Transient", "bounceSubType": "MailboxFull"}}));
        assert_eq!(mail_report(&soft).unwrap(), None);
        assert_eq!(mail_report(&ses_event("Delivery", serde_json::json!({}))).unwrap(), None);
        let mut untagged = ses_event("Complaint", serde_json::json!({}));
        untagged["mail"]["tags"] = serde_json::json!({});
        assert_eq!(mail_report(&untagged).unwrap(), None);
        assert!(mail_report(&serde_json::json!({"hello": 1})).is_err());
    }

    #[test]
    fn text_without_an_address_is_unchanged() {
        let why = "dispatch failure: io error: Connection refused (os error 111) @ 127.0.0.1";
        assert_eq!(without_addresses(why), why);
    }
}
