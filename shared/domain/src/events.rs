//! Events for the host application (issue 11, API.md "Events for the host application"): every
//! audit event — written in the same transaction as the change it records — becomes exactly one
//! CloudEvents 1.0 event, so there is no event without its change and no change without its
//! event. The publishers (the table's stream on AWS, the embedded store's change log locally)
//! read audit items and hand them here; the webhook sender signs what this builds per Standard
//! Webhooks (`sign`). Nothing here carries a token: audit events never hold one.

use crate::model::AuditEvent;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

/// A CloudEvents 1.0 event (structured JSON mode).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CloudEvent {
    /// Always `1.0`.
    pub specversion: &'static str,
    /// The audit event's id: the same change always has the same id (dedupe by it).
    pub id: String,
    /// `usher/<stage>`.
    pub source: String,
    /// `usher.<action>` (`usher.invitation.accepted`).
    #[serde(rename = "type")]
    pub kind: String,
    /// When the change happened (RFC 3339).
    pub time: String,
    /// What changed: `tenants/<tenant>/invitations/<id>`, `.../members/<id>`, `.../roles/<name>`,
    /// `.../workspaces/<id>`, or `tenants/<tenant>`.
    pub subject: String,
    /// The tenant (a CloudEvents extension attribute).
    pub tenantid: String,
    /// Always `application/json`.
    pub datacontenttype: &'static str,
    /// Who did it and what the audit event says about it.
    pub data: EventData,
}

/// The event's payload.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventData {
    /// Who made the change (`null`: the service itself, e.g. the expiry schedule).
    pub actor: Option<String>,
    /// The id of what changed.
    pub target: String,
    /// The audit event's details (the role granted, the fields changed, ...).
    pub details: serde_json::Value,
}

impl CloudEvent {
    /// The event for an audit event, published by the stack's `stage`.
    pub fn from_audit(e: &AuditEvent, stage: &str) -> Self {
        let tenant = e.tenant_id.as_str();
        let collection = match e.action.split('.').next().unwrap_or_default() {
            "invitation" => Some("invitations"),
            "member" => Some("members"),
            "role" => Some("roles"),
            "workspace" => Some("workspaces"),
            _ => None,
        };
        let subject = match collection {
            Some(c) => format!("tenants/{tenant}/{c}/{}", e.target),
            None => format!("tenants/{tenant}"),
        };
        Self {
            specversion: "1.0",
            id: e.id.clone(),
            source: format!("usher/{stage}"),
            kind: format!("usher.{}", e.action),
            time: e.at.to_string(),
            subject,
            tenantid: tenant.to_owned(),
            datacontenttype: "application/json",
            data: EventData { actor: e.actor.as_ref().map(ToString::to_string), target: e.target.clone(), details: e.details.clone() },
        }
    }
}

/// A Standard Webhooks signing secret: `whsec_` + base64 of its bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(Vec<u8>);

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(<redacted>)")
    }
}

impl WebhookSecret {
    /// Reads `whsec_<base64>` (the prefix is optional, as the specification allows).
    pub fn parse(raw: &str) -> Option<Self> {
        let b64 = raw.trim().strip_prefix("whsec_").unwrap_or(raw.trim());
        let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
        (bytes.len() >= 24 && bytes.len() <= 64).then_some(Self(bytes))
    }

    /// A new secret from 32 random bytes.
    pub fn from_random(bytes: [u8; 32]) -> Self {
        Self(bytes.to_vec())
    }

    /// Its text form, to hand to the endpoint's owner once.
    pub fn expose(&self) -> String {
        format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(&self.0))
    }

    fn mac(&self, msg_id: &str, timestamp: i64, payload: &[u8]) -> Hmac<Sha256> {
        // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        mac.update(msg_id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(payload);
        mac
    }

    /// The `webhook-signature` value for a message: `v1,<base64 HMAC-SHA256 of
    /// "{msg_id}.{timestamp}.{payload}">`.
    pub fn sign(&self, msg_id: &str, timestamp: i64, payload: &[u8]) -> String {
        let tag = self.mac(msg_id, timestamp, payload).finalize().into_bytes();
        format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(tag))
    }

    /// Whether any `v1` signature in a `webhook-signature` header (space-separated) is this
    /// secret's for the message (compared in constant time), and the timestamp is within
    /// `tolerance_secs` of `now` (replays of old messages are refused).
    pub fn verify(&self, msg_id: &str, timestamp: i64, payload: &[u8], header: &str, now: i64, tolerance_secs: i64) -> bool {
        if (now - timestamp).abs() > tolerance_secs {
            return false;
        }
        header.split(' ').filter_map(|s| s.strip_prefix("v1,")).any(|sig| {
            let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(sig) else { return false };
            self.mac(msg_id, timestamp, payload).verify_slice(&bytes).is_ok()
        })
    }
}

/// The three Standard Webhooks headers for one delivery attempt. The id is the event's: the
/// same on every retry, so a consumer dedupes by it.
pub fn webhook_headers(secret: &WebhookSecret, msg_id: &str, timestamp: i64, payload: &[u8]) -> [(&'static str, String); 3] {
    [
        ("webhook-id", msg_id.to_owned()),
        ("webhook-timestamp", timestamp.to_string()),
        ("webhook-signature", secret.sign(msg_id, timestamp, payload)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::{TenantId, Timestamp, UserId};

    /// The test vector of the Standard Webhooks specification (and its reference libraries).
    #[test]
    fn a_signature_matches_the_specifications_test_vector() {
        let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let sig = secret.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, br#"{"test": 2432232314}"#);
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn verification_accepts_its_own_signature_among_others_and_refuses_tampering_and_old_messages() {
        let secret = WebhookSecret::from_random([7; 32]);
        let again = WebhookSecret::parse(&secret.expose()).unwrap();
        assert_eq!(again, secret, "the text form reads back");
        let payload = br#"{"id":"e1"}"#;
        let sig = secret.sign("e1", 1000, payload);
        let header = format!("v1,Zm9v {sig}");
        assert!(secret.verify("e1", 1000, payload, &header, 1200, 300));
        assert!(!secret.verify("e1", 1000, br#"{"id":"e2"}"#, &header, 1200, 300), "another body");
        assert!(!secret.verify("e2", 1000, payload, &header, 1200, 300), "another id");
        assert!(!secret.verify("e1", 1000, payload, &header, 1000 + 301, 300), "too old");
        assert!(!WebhookSecret::from_random([8; 32]).verify("e1", 1000, payload, &header, 1200, 300), "another secret");
        assert!(format!("{secret:?}").contains("redacted"));
    }

    #[test]
    fn a_short_or_malformed_secret_is_refused() {
        assert!(WebhookSecret::parse("whsec_c2hvcnQ=").is_none());
        assert!(WebhookSecret::parse("whsec_not base64!").is_none());
    }

    #[test]
    fn an_audit_event_becomes_one_cloudevent_with_its_id_type_and_subject() {
        let e = AuditEvent {
            id: "0190a1b2c3d4".into(),
            tenant_id: TenantId::parse("ten_1").unwrap(),
            action: "invitation.accepted".into(),
            actor: Some(UserId::parse("usr_9").unwrap()),
            target: "inv_5".into(),
            details: serde_json::json!({"role": "admin"}),
            at: Timestamp::parse("2026-12-01T10:00:00Z").unwrap(),
        };
        let ev = serde_json::to_value(CloudEvent::from_audit(&e, "prod")).unwrap();
        assert_eq!(
            ev,
            serde_json::json!({
                "specversion": "1.0", "id": "0190a1b2c3d4", "source": "usher/prod", "type": "usher.invitation.accepted",
                "time": "2026-12-01T10:00:00Z", "subject": "tenants/ten_1/invitations/inv_5", "tenantid": "ten_1",
                "datacontenttype": "application/json",
                "data": {"actor": "usr_9", "target": "inv_5", "details": {"role": "admin"}}
            })
        );
        let tenant_event = AuditEvent { action: "tenant.updated".into(), target: "ten_1".into(), actor: None, ..e };
        let ev = CloudEvent::from_audit(&tenant_event, "dev");
        assert_eq!((ev.subject.as_str(), ev.kind.as_str(), ev.data.actor), ("tenants/ten_1", "usher.tenant.updated", None));
    }
}
