//! What a person's membership carries besides a role: which emails they want, whether the host
//! application may assign records to them, and the host application's own metadata. Set on the
//! invitation (single, bulk row, PATCH), carried to the membership on accept, changed there by
//! PATCH.

use crate::error::FieldError;
use crate::values::{InvalidValue, Workspace, parse_workspaces};
use serde::{Deserialize, Deserializer, Serialize};

/// Which emails a person wants. Stored records written before a field existed read its default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notifications {
    /// A weekly summary email.
    #[serde(default)]
    pub weekly_summary: bool,
    /// The workspaces whose data the weekly summary includes (among the person's workspaces).
    #[serde(default)]
    pub weekly_summary_workspaces: Vec<Workspace>,
    /// An email when a new message arrives for them.
    #[serde(default = "yes")]
    pub new_messages: bool,
    /// An email when someone whose invitation they sent asks for a new link.
    #[serde(default = "yes")]
    pub renewal_requests: bool,
}

fn yes() -> bool {
    true
}

impl Default for Notifications {
    fn default() -> Self {
        Self { weekly_summary: false, weekly_summary_workspaces: Vec::new(), new_messages: true, renewal_requests: true }
    }
}

/// Notification settings as they arrive: a field left out keeps its current value (on an
/// invitation, its default).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationsRequest {
    /// See `Notifications`.
    pub weekly_summary: Option<bool>,
    /// See `Notifications` (replaces the list).
    pub weekly_summary_workspaces: Option<Vec<String>>,
    /// See `Notifications`.
    pub new_messages: Option<bool>,
    /// See `Notifications`.
    pub renewal_requests: Option<bool>,
}

impl Notifications {
    /// These settings with `req` applied (fields it leaves out stay as they are).
    pub fn apply(&self, req: &NotificationsRequest) -> Result<Self, FieldError> {
        let weekly_summary_workspaces = match &req.weekly_summary_workspaces {
            Some(raw) => parse_workspaces(raw).map_err(|e| FieldError::from_invalid("notifications.weekly_summary_workspaces", &e))?,
            None => self.weekly_summary_workspaces.clone(),
        };
        Ok(Self {
            weekly_summary: req.weekly_summary.unwrap_or(self.weekly_summary),
            weekly_summary_workspaces,
            new_messages: req.new_messages.unwrap_or(self.new_messages),
            renewal_requests: req.renewal_requests.unwrap_or(self.renewal_requests),
        })
    }

    /// The weekly summary covers only workspaces the person can see.
    pub fn check_within(&self, workspaces: &[Workspace]) -> Result<(), FieldError> {
        match self.weekly_summary_workspaces.iter().find(|w| !workspaces.contains(w)) {
            None => Ok(()),
            Some(w) => Err(FieldError::new(
                "notifications.weekly_summary_workspaces",
                "unknown_workspace",
                format!("the weekly summary can only include the person's own workspaces; '{}' is not one of them", w.as_str()),
            )),
        }
    }

    /// Drops summary workspaces the person no longer has (after their workspaces changed).
    pub fn keep_within(&mut self, workspaces: &[Workspace]) {
        self.weekly_summary_workspaces.retain(|w| workspaces.contains(w));
    }
}

/// Most bytes the host application's metadata may take, serialised.
pub const MAX_METADATA_BYTES: usize = 4096;

/// The host application's own JSON object about a person (a record set, an external id). Usher
/// never interprets it. Stored as its JSON text: the stores keep it byte for byte whatever it
/// holds (DynamoDB would refuse some numbers, empty keys and deep nesting as attributes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Metadata(String);

impl Metadata {
    /// A JSON object of at most `MAX_METADATA_BYTES` serialised. `null` clears (`None`).
    pub fn parse(raw: &serde_json::Value) -> Result<Option<Self>, InvalidValue> {
        match raw {
            serde_json::Value::Null => Ok(None),
            serde_json::Value::Object(map) if map.is_empty() => Ok(None),
            serde_json::Value::Object(_) => {
                let text = raw.to_string();
                if text.len() > MAX_METADATA_BYTES {
                    return Err(InvalidValue::new(
                        "too_large",
                        format!("metadata is at most {MAX_METADATA_BYTES} bytes of JSON; this is {}", text.len()),
                    ));
                }
                Ok(Some(Self(text)))
            }
            _ => Err(InvalidValue::new("invalid_type", "metadata must be a JSON object (or null to clear it)")),
        }
    }

    /// The object, as the API shows it.
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::from_str(&self.0).unwrap_or_default()
    }

    /// The object, or `{}` when there is none.
    pub fn shown(m: Option<&Metadata>) -> serde_json::Value {
        m.map_or_else(|| serde_json::Value::Object(Default::default()), Metadata::to_value)
    }
}

impl TryFrom<String> for Metadata {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match serde_json::from_str::<serde_json::Value>(&s) {
            Ok(serde_json::Value::Object(_)) => Ok(Self(s)),
            _ => Err("stored metadata is not a JSON object".into()),
        }
    }
}

impl From<Metadata> for String {
    fn from(m: Metadata) -> String {
        m.0
    }
}

/// For a PATCH field where `null` means "clear" and absence means "keep": `Some(Value::Null)`
/// when the field is present as `null`, `None` when it is absent (with `#[serde(default)]`).
pub fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<serde_json::Value>, D::Error> {
    serde_json::Value::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_stored_membership_without_the_new_settings_reads_the_defaults() {
        let n: Notifications = serde_json::from_value(json!({"renewal_requests": false})).unwrap();
        assert_eq!(n, Notifications { renewal_requests: false, ..Notifications::default() });
        assert!(n.new_messages);
        assert!(!n.weekly_summary);
    }

    #[test]
    fn a_request_changes_only_the_fields_it_names() {
        let base = Notifications::default();
        let req = NotificationsRequest { weekly_summary: Some(true), ..Default::default() };
        let n = base.apply(&req).unwrap();
        assert!(n.weekly_summary && n.new_messages && n.renewal_requests);
    }

    #[test]
    fn the_weekly_summary_may_only_cover_the_persons_workspaces() {
        let north = Workspace::parse("north").unwrap();
        let south = Workspace::parse("south").unwrap();
        let req = NotificationsRequest { weekly_summary_workspaces: Some(vec!["north".into(), "south".into()]), ..Default::default() };
        let n = Notifications::default().apply(&req).unwrap();
        let err = n.check_within(std::slice::from_ref(&north)).unwrap_err();
        assert_eq!((err.field.as_str(), err.code.as_str()), ("notifications.weekly_summary_workspaces", "unknown_workspace"));
        assert!(n.check_within(&[north.clone(), south]).is_ok());
        let mut pruned = n.clone();
        pruned.keep_within(std::slice::from_ref(&north));
        assert_eq!(pruned.weekly_summary_workspaces, vec![north]);
    }

    #[test]
    fn metadata_is_an_object_of_at_most_4_kb() {
        assert_eq!(Metadata::parse(&json!(null)).unwrap(), None);
        assert_eq!(Metadata::parse(&json!({})).unwrap(), None);
        let m = Metadata::parse(&json!({"record_set": "fleet-a", "n": 1e300})).unwrap().unwrap();
        assert_eq!(m.to_value(), json!({"record_set": "fleet-a", "n": 1e300}));
        assert_eq!(Metadata::parse(&json!([1])).unwrap_err().code, "invalid_type");
        assert_eq!(Metadata::parse(&json!("x")).unwrap_err().code, "invalid_type");
        let big = json!({ "k": "x".repeat(MAX_METADATA_BYTES) });
        assert_eq!(Metadata::parse(&big).unwrap_err().code, "too_large");
        let just_fits = json!({ "k": "x".repeat(MAX_METADATA_BYTES - 8) });
        assert_eq!(just_fits.to_string().len(), MAX_METADATA_BYTES);
        assert!(Metadata::parse(&just_fits).unwrap().is_some());
    }

    #[test]
    fn metadata_is_stored_as_its_json_text() {
        let m = Metadata::parse(&json!({"a": {"b": [1, 2]}})).unwrap().unwrap();
        let stored = serde_json::to_value(&m).unwrap();
        assert_eq!(stored, json!(r#"{"a":{"b":[1,2]}}"#));
        let back: Metadata = serde_json::from_value(stored).unwrap();
        assert_eq!(back, m);
    }
}
