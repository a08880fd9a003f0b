//! Events for the host application (issue 11, API.md "Events for the host application"): every
//! audit event — written in the same transaction as the change it records — becomes exactly one
//! CloudEvents 1.0 event, so there is no event without its change and no change without its
//! event. The publishers (the table's stream on AWS, the embedded store's change log locally)
//! read audit items and hand them here; the webhook sender signs what this builds per Standard
//! Webhooks (`sign`). Nothing here carries a token: audit events never hold one.

use crate::model::{AuditEvent, CustomRole, Invitation, Member, Tenant};
use crate::ports::{Committed, Item, Key, Page, Query, StoreError, Table, Write};
use crate::roles::RoleName;
use crate::schema;
use crate::usecases::roles::custom_resource;
use crate::values::{InvitationId, UserId};
use crate::views::{InvitationResource, MemberResource, TenantResource};
use async_trait::async_trait;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use std::sync::Arc;

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
    /// Where the change sits in its tenant's order (CloudEvents `sequence` extension): the
    /// change log's position, zero-padded to compare as text. Set by the publisher.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence: Option<String>,
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
    /// What changed, as the API shows it, right after the change (`null` when it was deleted).
    pub resource: Option<serde_json::Value>,
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
            "scim_token" => Some("scim-tokens"),
            "join_link" => Some("join-links"),
            "join_request" => Some("join-requests"),
            "domain" => Some("domains"),
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
            sequence: None,
            data: EventData {
                actor: e.actor.as_ref().map(ToString::to_string),
                target: e.target.clone(),
                details: e.details.clone(),
                resource: e.resource.clone(),
            },
        }
    }

    /// The event for one record of the store's change log (a DynamoDB stream record, or the
    /// embedded store's log): `None` for every item but an audit event; `Err` for an audit item
    /// that does not decode (kept apart by the publisher, never dropped silently).
    pub fn from_change(key: &Key, data: &serde_json::Value, sequence: &str, stage: &str) -> Option<Result<Self, String>> {
        if !schema::is_audit_key(key) {
            return None;
        }
        Some(match serde_json::from_value::<AuditEvent>(data.clone()) {
            Ok(audit) => Ok(Self { sequence: Some(padded_sequence(sequence)), ..Self::from_audit(&audit, stage) }),
            Err(e) => Err(format!("audit item {}/{} does not decode: {e}", key.pk, key.sk)),
        })
    }

    /// The event as the JSON text that is published and signed.
    pub fn to_json(&self) -> String {
        // Plain data with string keys: serialization cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// A change-log position as 40 digits: DynamoDB's stream sequence numbers are decimal strings of
/// varying length, and consumers compare `sequence` as text.
fn padded_sequence(raw: &str) -> String {
    if raw.len() < 40 && raw.bytes().all(|b| b.is_ascii_digit()) { format!("{raw:0>40}") } else { raw.to_owned() }
}

/// Fills in each audit event's `resource` in a transaction: the API's view of the target (an
/// invitation, member, custom role, workspace or tenant) as the same transaction writes it,
/// the same JSON the API answers about it. Both publishers read only audit items from the
/// change log, so the event carries the resource after the change without a second read (which
/// could see a later change, or none). A role's view counts the members holding it: `tenant`
/// is the tenant as of the change (its counters), when the transaction has a role event.
pub fn attach_resources(writes: &mut [Write], tenant: Option<&Tenant>) {
    let mut found = Vec::new();
    for (i, w) in writes.iter().enumerate() {
        let Write::Put { item, .. } = w else { continue };
        if !schema::is_audit_key(&item.key) {
            continue;
        }
        let Ok(event) = serde_json::from_value::<AuditEvent>(item.data.clone()) else { continue };
        let Some(target_key) = target_key(&event) else { continue };
        let target = writes.iter().find_map(|w| match w {
            Write::Put { item, .. } if item.key == target_key => Some(item),
            _ => None,
        });
        if let Some(resource) = target.and_then(|t| resource_view(&event, t, tenant)) {
            found.push((i, resource));
        }
    }
    for (i, resource) in found {
        if let Write::Put { item, .. } = &mut writes[i]
            && let Some(data) = item.data.as_object_mut()
        {
            data.insert("resource".into(), resource);
        }
    }
}

/// The key of the item an audit event is about.
fn target_key(e: &AuditEvent) -> Option<Key> {
    let t = &e.tenant_id;
    match e.action.split('.').next()? {
        "invitation" => Some(schema::invitation_key(t, &InvitationId::parse(&e.target).ok()?)),
        "member" => Some(schema::member_key(t, &UserId::parse(&e.target).ok()?)),
        "role" => Some(schema::role_key(t, &RoleName::parse(&e.target).ok()?)),
        "workspace" | "tenant" => Some(schema::tenant_key(t)),
        "join_link" => Some(schema::join_link_key(t, &crate::values::JoinLinkId::parse(&e.target).ok()?)),
        "join_request" => Some(schema::join_request_key(t, &crate::values::JoinRequestId::parse(&e.target).ok()?)),
        "domain" => Some(schema::domain_key(t, &e.target)),
        _ => None,
    }
}

/// The API's view of the target's item, as of the audit event's time.
fn resource_view(e: &AuditEvent, item: &Item, tenant: Option<&Tenant>) -> Option<serde_json::Value> {
    let data = item.data.clone();
    let view = match e.action.split('.').next()? {
        "invitation" => serde_json::to_value(InvitationResource::of(&serde_json::from_value::<Invitation>(data).ok()?, e.at)),
        "member" => serde_json::to_value(MemberResource::of(&serde_json::from_value::<Member>(data).ok()?)),
        "role" => {
            let role = serde_json::from_value::<CustomRole>(data).ok()?;
            let members = tenant.map_or(0, |t| t.holders_of(&role.name));
            serde_json::to_value(custom_resource(&role, members))
        }
        "tenant" => serde_json::to_value(TenantResource::of(&serde_json::from_value::<Tenant>(data).ok()?)),
        // A link's view never carries its hash (nor, of course, its token).
        "join_link" => serde_json::to_value(crate::joining::JoinLinkResource::of(
            &serde_json::from_value::<crate::joining::JoinLink>(data).ok()?,
            e.at,
        )),
        "join_request" => serde_json::to_value(crate::joining::JoinRequestResource::of(
            &serde_json::from_value::<crate::joining::JoinRequest>(data).ok()?,
        )),
        "domain" => {
            serde_json::to_value(crate::domains::DomainResource::of(&serde_json::from_value::<crate::domains::TenantDomain>(data).ok()?))
        }
        "workspace" => {
            let tenant = serde_json::from_value::<Tenant>(data).ok()?;
            serde_json::to_value(tenant.workspaces.iter().find(|w| w.id.as_str() == e.target)?)
        }
        _ => return None,
    };
    view.ok()
}

/// The tenant key of a transaction with a role's audit event: a role's resource counts its
/// holders, which only the tenant's counters know (a role write does not touch them).
fn role_event_tenant(writes: &[Write]) -> Option<Key> {
    writes.iter().find_map(|w| match w {
        Write::Put { item, .. } if schema::is_audit_key(&item.key) => {
            let action = item.data.get("action")?.as_str()?;
            let tenant = item.data.get("tenant_id")?.as_str()?;
            let tenant = crate::values::TenantId::parse(tenant).ok()?;
            action.starts_with("role.").then(|| schema::tenant_key(&tenant))
        }
        _ => None,
    })
}

/// The tenant as the transaction writes it, if it does (then it is the tenant after the change).
fn written_tenant(writes: &[Write], key: &Key) -> Option<schema::Versioned<Tenant>> {
    writes.iter().find_map(|w| match w {
        Write::Put { item, .. } if &item.key == key => schema::decode::<Tenant>(item.clone()).ok(),
        _ => None,
    })
}

/// The table every use case writes through: it fills in audit events' resources
/// (`attach_resources`) before handing each transaction to the store. `Deps::new` puts it in
/// front of whatever store a process uses, so no use case can forget it.
pub struct WithResources(pub Arc<dyn Table>);

#[async_trait]
impl Table for WithResources {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.0.get(key).await
    }

    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Option<Item>>, StoreError> {
        self.0.get_many(keys).await
    }

    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        self.0.query(query).await
    }

    async fn transact(&self, mut writes: Vec<Write>) -> Result<Committed, StoreError> {
        let tenant = match role_event_tenant(&writes) {
            Some(key) => match written_tenant(&writes, &key) {
                Some(t) => Some(t),
                None => schema::load::<Tenant>(self.0.as_ref(), &key).await?,
            },
            None => None,
        };
        attach_resources(&mut writes, tenant.as_ref().map(|t| &t.value));
        self.0.transact(writes).await
    }
}

/// How long a webhook waits after its n-th failed attempt (1-based) before the next, or `None`
/// when it has failed too often and is parked: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h — eight
/// attempts over 27.6 hours (the Standard Webhooks / Svix schedule), so an endpoint down for a
/// day still gets every event.
pub fn webhook_retry_after(failures: u32) -> Option<std::time::Duration> {
    const AFTER_SECS: [u64; 7] = [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000];
    let n = usize::try_from(failures).ok()?.checked_sub(1)?;
    AFTER_SECS.get(n).map(|s| std::time::Duration::from_secs(*s))
}

/// How a webhook endpoint answered one attempt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookFailure {
    /// It answered, but not 2xx.
    #[error("the endpoint answered {0}")]
    Status(u16),
    /// No answer: refused, timed out, TLS failed.
    #[error("the endpoint could not be reached: {0}")]
    Unreachable(String),
}

/// An HTTPS endpoint of the host application that takes signed events.
#[async_trait]
pub trait WebhookEndpoint: Send + Sync {
    /// POSTs `body` (JSON) with `headers`; `Ok` only for a 2xx answer.
    async fn post(&self, headers: &[(&'static str, String)], body: &[u8]) -> Result<(), WebhookFailure>;
}

/// One signed attempt to deliver an event: `msg_id` is the event's id (the same on every
/// retry), `body` its JSON, `now` this attempt's time (unix seconds, `webhook-timestamp`).
pub async fn send_webhook(
    endpoint: &dyn WebhookEndpoint,
    secret: &WebhookSecret,
    msg_id: &str,
    body: &[u8],
    now: i64,
) -> Result<(), WebhookFailure> {
    let headers = webhook_headers(secret, msg_id, now, body);
    endpoint.post(&headers, body).await
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
            resource: None,
        };
        let ev = serde_json::to_value(CloudEvent::from_audit(&e, "prod")).unwrap();
        assert_eq!(
            ev,
            serde_json::json!({
                "specversion": "1.0", "id": "0190a1b2c3d4", "source": "usher/prod", "type": "usher.invitation.accepted",
                "time": "2026-12-01T10:00:00Z", "subject": "tenants/ten_1/invitations/inv_5", "tenantid": "ten_1",
                "datacontenttype": "application/json",
                "data": {"actor": "usr_9", "target": "inv_5", "details": {"role": "admin"}, "resource": null}
            })
        );
        let tenant_event = AuditEvent { action: "tenant.updated".into(), target: "ten_1".into(), actor: None, ..e };
        let ev = CloudEvent::from_audit(&tenant_event, "dev");
        assert_eq!((ev.subject.as_str(), ev.kind.as_str(), ev.data.actor), ("tenants/ten_1", "usher.tenant.updated", None));
    }

    fn audit(action: &str, target: &str) -> AuditEvent {
        AuditEvent {
            id: "0190a1b2c3d4".into(),
            tenant_id: TenantId::parse("ten_1").unwrap(),
            action: action.into(),
            actor: None,
            target: target.into(),
            details: serde_json::json!({}),
            at: Timestamp::parse("2026-12-01T10:00:00Z").unwrap(),
            resource: None,
        }
    }

    fn resource_of(writes: &[Write], at: usize) -> Option<serde_json::Value> {
        match &writes[at] {
            Write::Put { item, .. } => item.data.get("resource").cloned(),
            _ => None,
        }
    }

    #[test]
    fn an_audit_event_carries_the_workspace_its_transaction_writes_and_nothing_for_a_deleted_target() {
        let tenant_id = TenantId::parse("ten_1").unwrap();
        let at = Timestamp::parse("2026-12-01T10:00:00Z").unwrap();
        let tenant = crate::model::Tenant {
            id: tenant_id.clone(),
            name: "Acme".into(),
            seat_limit: None,
            members: 1,
            pending: 0,
            seats_used: 1,
            role_counts: std::collections::BTreeMap::new(),
            invitation_ttl_days: 7,
            allowed_domains: Vec::new(),
            workspaces: vec![crate::model::WorkspaceDef {
                id: crate::values::Workspace::parse("north").unwrap(),
                name: "North".into(),
                default: true,
            }],
            workspaces_rev: 1,
            workspace_use: Default::default(),
            workspace_use_exact: true,
            created_at: at,
            updated_at: at,
        };
        let mut writes = vec![
            schema::replace(3, &tenant),
            schema::audit_write(&audit("workspace.saved", "north")),
            schema::audit_write(&audit("member.removed", "usr_7")),
            Write::Delete { key: schema::member_key(&tenant_id, &UserId::parse("usr_7").unwrap()), cond: crate::ports::Cond::Version(2) },
        ];
        attach_resources(&mut writes, Some(&tenant));
        assert_eq!(resource_of(&writes, 1), Some(serde_json::json!({"id": "north", "name": "North", "default": true})));
        assert_eq!(resource_of(&writes, 2), None, "a removed member has no resource after the change");
        assert_eq!(resource_of(&writes, 0), None, "only audit items are touched");
    }

    #[test]
    fn a_roles_event_carries_the_role_as_the_roles_api_shows_it_with_its_holders_and_no_tenant_id() {
        let tenant_id = TenantId::parse("ten_1").unwrap();
        let at = Timestamp::parse("2026-12-01T10:00:00Z").unwrap();
        let name = RoleName::parse("site-lead").unwrap();
        let tenant = crate::model::Tenant {
            id: tenant_id.clone(),
            name: "Acme".into(),
            seat_limit: None,
            members: 3,
            pending: 0,
            seats_used: 3,
            role_counts: [(RoleName::parse("owner").unwrap(), 1), (name.clone(), 2)].into_iter().collect(),
            invitation_ttl_days: 7,
            allowed_domains: Vec::new(),
            workspaces: Vec::new(),
            workspaces_rev: 0,
            workspace_use: Default::default(),
            workspace_use_exact: true,
            created_at: at,
            updated_at: at,
        };
        let role = CustomRole {
            tenant_id,
            name: name.clone(),
            permissions: vec![crate::roles::Permission::MembersRead],
            description: Some("Leads a site".into()),
            created_at: at,
            updated_at: at,
        };
        let mut writes = vec![schema::create(&role), schema::audit_write(&audit("role.updated", "site-lead"))];
        attach_resources(&mut writes, Some(&tenant));
        let expected = serde_json::to_value(custom_resource(&role, 2)).unwrap();
        assert_eq!(resource_of(&writes, 1), Some(expected.clone()));
        assert_eq!(
            expected,
            serde_json::json!({
                "name": "site-lead", "builtin": false, "permissions": ["members.read"], "description": "Leads a site",
                "members": 2, "created_at": "2026-12-01T10:00:00Z", "updated_at": "2026-12-01T10:00:00Z"
            })
        );
    }

    #[test]
    fn the_resource_reaches_the_event_and_a_change_log_record_of_another_item_is_no_event() {
        let mut e = audit("tenant.updated", "ten_1");
        e.resource = Some(serde_json::json!({"id": "ten_1", "name": "Acme"}));
        let key = Key::new("T#ten_1#A", e.id.clone());
        let ev = CloudEvent::from_change(&key, &serde_json::to_value(&e).unwrap(), "123", "dev").unwrap().unwrap();
        assert_eq!(ev.data.resource, e.resource);
        assert_eq!(ev.sequence.as_deref(), Some("0000000000000000000000000000000000000123"));
        let tenant_key = schema::tenant_key(&e.tenant_id);
        assert!(CloudEvent::from_change(&tenant_key, &serde_json::json!({"name": "Acme"}), "124", "dev").is_none());
        let broken = CloudEvent::from_change(&key, &serde_json::json!({"what": 1}), "125", "dev").unwrap();
        assert!(broken.is_err(), "an audit item that does not decode is reported, not skipped");
    }

    #[test]
    fn webhooks_are_retried_for_more_than_a_day_then_given_up() {
        let pauses: Vec<u64> = (1..=7).map(|n| webhook_retry_after(n).unwrap().as_secs()).collect();
        assert_eq!(pauses, [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000]);
        assert!(pauses.iter().sum::<u64>() > 86_400);
        assert_eq!(webhook_retry_after(8), None, "the eighth failure parks the event");
        assert_eq!(webhook_retry_after(0), None);
    }
}
