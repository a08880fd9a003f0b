//! Value objects. Each is parsed once at the edge and is valid by construction afterwards
//! ("parse, don't validate"): fields are private and the only way in is `parse`.

use serde::{Deserialize, Serialize};
use std::fmt;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Why a value could not be parsed; becomes a per-field entry of a 400 `invalid_request`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct InvalidValue {
    /// A stable machine-readable reason (`invalid_email`, `too_long`, ...).
    pub code: &'static str,
    /// A sentence for humans.
    pub message: String,
}

impl InvalidValue {
    /// Builds an `InvalidValue` from a code and a message.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

/// An email address in its one canonical form: trimmed, lower-cased, domain IDNA-encoded.
/// Two addresses are the same person for Usher exactly when their `Email`s are equal.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Parses and normalises an address (`" Ada@EXAMPLE.com "` → `ada@example.com`,
    /// `ada@bücher.de` → `ada@xn--bcher-kva.de`).
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let bad = |why: &str| InvalidValue::new("invalid_email", format!("not a valid email address: {why}"));
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(bad("it is empty"));
        }
        let (local, domain) = raw.rsplit_once('@').ok_or_else(|| bad("it has no '@'"))?;
        if local.is_empty() || local.len() > 64 {
            return Err(bad("the part before '@' must have 1 to 64 characters"));
        }
        let local_ok = local.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c))
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..");
        if !local_ok {
            return Err(bad("the part before '@' has characters that are not allowed"));
        }
        let domain = idna::domain_to_ascii(domain).map_err(|_| bad("the domain is not a valid name"))?;
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && domain.len() <= 253
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if !domain_ok {
            return Err(bad("the domain is not a valid name"));
        }
        let email = format!("{}@{}", local.to_ascii_lowercase(), domain);
        if email.len() > 254 {
            return Err(bad("it is longer than 254 characters"));
        }
        Ok(Self(email))
    }

    /// The canonical address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The domain part, for logs and allow-lists (never log the whole address).
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or_default()
    }

    /// `a***@example.com`: enough for an invitee to recognise the address, not enough to harvest it.
    pub fn masked(&self) -> String {
        let (local, domain) = self.0.rsplit_once('@').unwrap_or((&self.0, ""));
        let first: String = local.chars().take(1).collect();
        format!("{first}***@{domain}")
    }
}

impl fmt::Debug for Email {
    // Debug output ends up in logs: show the domain only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email(***@{})", self.domain())
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Email::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Declares an opaque, prefixed identifier (`ten_…`, `inv_…`, `usr_…`) built from a UUIDv7, so
/// ids sort by creation time, which the storage keys rely on for newest-first listing.
macro_rules! opaque_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The prefix every id of this kind starts with.
            pub const PREFIX: &'static str = $prefix;

            /// Builds a fresh id from a time-ordered UUID.
            pub fn from_uuid(uuid: uuid::Uuid) -> Self {
                Self(format!("{}{}", $prefix, uuid.simple()))
            }

            /// Parses an id received from outside; anything malformed is rejected early.
            pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
                let ok = raw
                    .strip_prefix($prefix)
                    .is_some_and(|rest| !rest.is_empty() && rest.len() <= 64 && rest.chars().all(|c| c.is_ascii_alphanumeric()));
                if ok {
                    Ok(Self(raw.to_owned()))
                } else {
                    Err(InvalidValue::new("invalid_id", format!("not a valid id (expected '{}…')", $prefix)))
                }
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidValue;
            fn try_from(s: String) -> Result<Self, InvalidValue> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

opaque_id!(
    /// Identifies a tenant (a company, a contract, a workspace: whatever the SaaS calls it).
    TenantId,
    "ten_"
);
opaque_id!(
    /// Identifies an invitation.
    InvitationId,
    "inv_"
);
opaque_id!(
    /// Identifies a person known to Usher (created when they first join a tenant).
    UserId,
    "usr_"
);
opaque_id!(
    /// Identifies a person in a tenant's directory (a SCIM User, or an uploaded employee).
    PersonId,
    "dp_"
);
opaque_id!(
    /// Identifies a group in a tenant's directory (a SCIM Group).
    GroupId,
    "grp_"
);
opaque_id!(
    /// Identifies a tenant's SCIM bearer token (the token itself is never stored).
    ScimTokenId,
    "sct_"
);

opaque_id!(
    /// Identifies a tenant's join link (the link's token is never stored).
    JoinLinkId,
    "jl_"
);
opaque_id!(
    /// Identifies a request to join a tenant, filed through a link that needs approval.
    JoinRequestId,
    "jr_"
);

/// A point in time, UTC, to the second. Serialised as RFC 3339 (`2026-11-23T19:00:00Z`), a form
/// whose text order is time order: storage sort keys are built from it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    /// Truncates to whole seconds in UTC.
    pub fn from_datetime(t: OffsetDateTime) -> Self {
        let t = t.to_offset(time::UtcOffset::UTC);
        Self(t.replace_nanosecond(0).unwrap_or(t))
    }

    /// From seconds since the Unix epoch.
    pub fn from_unix(secs: i64) -> Option<Self> {
        OffsetDateTime::from_unix_timestamp(secs).ok().map(Self)
    }

    /// Parses RFC 3339 text (any offset; stored as UTC).
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        OffsetDateTime::parse(raw.trim(), &Rfc3339)
            .map(Self::from_datetime)
            .map_err(|_| InvalidValue::new("invalid_timestamp", "not an RFC 3339 timestamp"))
    }

    /// Seconds since the Unix epoch.
    pub fn unix(&self) -> i64 {
        self.0.unix_timestamp()
    }

    /// Milliseconds since the Unix epoch (for time-ordered ids).
    pub fn unix_millis(&self) -> u64 {
        u64::try_from(self.0.unix_timestamp()).unwrap_or(0) * 1000
    }

    /// This time plus a number of seconds (saturating far in the future).
    pub fn plus_seconds(&self, secs: i64) -> Self {
        Self(self.0.saturating_add(time::Duration::seconds(secs)))
    }

    /// Whole seconds from `self` until `later` (negative if `later` is earlier).
    pub fn seconds_until(&self, later: Timestamp) -> i64 {
        later.unix() - self.unix()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0.date();
        let t = self.0.time();
        write!(f, "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", d.year(), u8::from(d.month()), d.day(), t.hour(), t.minute(), t.second())
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Timestamp::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The language an invitation email is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    /// English (the default).
    #[default]
    En,
    /// French.
    Fr,
    /// German.
    De,
}

impl Locale {
    /// Parses `en`, `fr` or `de` (case-insensitive; a region such as `fr-CA` is accepted and dropped).
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let lang = raw.trim().split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
        match lang.as_str() {
            "en" => Ok(Self::En),
            "fr" => Ok(Self::Fr),
            "de" => Ok(Self::De),
            _ => Err(InvalidValue::new("unsupported_locale", "locale must be one of en, fr, de")),
        }
    }
}

/// Checks a free-text field: trimmed, non-empty, at most `max` characters, no control characters.
pub fn parse_text(raw: &str, max: usize) -> Result<String, InvalidValue> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(InvalidValue::new("empty", "must not be empty"));
    }
    if s.chars().count() > max {
        return Err(InvalidValue::new("too_long", format!("must be at most {max} characters")));
    }
    if s.chars().any(|c| c.is_control() && c != '\n') {
        return Err(InvalidValue::new("invalid_characters", "must not contain control characters"));
    }
    Ok(s.to_owned())
}

/// A workspace (a sub-area of a tenant: a site, a project) a person is given access to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Workspace(String);

impl Workspace {
    /// 1–64 characters of letters, digits, `-`, `_` or `.`.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim();
        let ok = !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidValue::new("invalid_workspace", "a workspace is 1 to 64 letters, digits, '-', '_' or '.'"))
        }
    }

    /// The workspace name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Workspace {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, InvalidValue> {
        Self::parse(&s)
    }
}

impl From<Workspace> for String {
    fn from(w: Workspace) -> String {
        w.0
    }
}

/// Parses a list of workspaces: at most 50, duplicates removed, sorted.
pub fn parse_workspaces(raw: &[String]) -> Result<Vec<Workspace>, InvalidValue> {
    if raw.len() > 50 {
        return Err(InvalidValue::new("too_many", "at most 50 workspaces"));
    }
    let mut out = raw.iter().map(|w| Workspace::parse(w)).collect::<Result<Vec<_>, _>>()?;
    out.sort();
    out.dedup();
    Ok(out)
}

/// Profile fields an admin may fill in when inviting, copied to the member on accept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Phone number, as typed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The tenant's own reference for the person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_number: Option<String>,
    /// Company name (useful for contractors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
}

impl Profile {
    /// Checks every field (each at most 100 characters; phone only digits and `+ -()`).
    /// Returns the failures by field name so a 400 can list them all.
    pub fn parse(raw: &Profile) -> Result<Self, Vec<(String, InvalidValue)>> {
        let mut errors = Vec::new();
        let mut field = |name: &str, v: &Option<String>| -> Option<String> {
            let v = v.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
            match parse_text(v, 100) {
                Ok(s) => Some(s),
                Err(e) => {
                    errors.push((format!("profile.{name}"), e));
                    None
                }
            }
        };
        let p = Profile {
            first_name: field("first_name", &raw.first_name),
            last_name: field("last_name", &raw.last_name),
            phone: field("phone", &raw.phone),
            employee_number: field("employee_number", &raw.employee_number),
            company: field("company", &raw.company),
        };
        if let Some(phone) = &p.phone
            && !phone.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c))
        {
            errors
                .push(("profile.phone".into(), InvalidValue::new("invalid_phone", "a phone number has only digits, spaces and + - ( ) .")));
        }
        if errors.is_empty() { Ok(p) } else { Err(errors) }
    }

    /// Checks a patch of the profile: like `parse`, but a field sent as an empty string stays
    /// an empty string (`merged_with` reads it as "clear this field").
    pub fn parse_patch(raw: &Profile) -> Result<Self, Vec<(String, InvalidValue)>> {
        let parsed = Self::parse(raw)?;
        let keep = |raw: &Option<String>, parsed: Option<String>| match raw {
            Some(s) if s.trim().is_empty() => Some(String::new()),
            _ => parsed,
        };
        Ok(Profile {
            first_name: keep(&raw.first_name, parsed.first_name),
            last_name: keep(&raw.last_name, parsed.last_name),
            phone: keep(&raw.phone, parsed.phone),
            employee_number: keep(&raw.employee_number, parsed.employee_number),
            company: keep(&raw.company, parsed.company),
        })
    }

    /// "First Last", or whichever part is known.
    pub fn display_name(&self) -> Option<String> {
        let name = [self.first_name.as_deref(), self.last_name.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
        (!name.is_empty()).then_some(name)
    }

    /// Fields set in `patch` replace ours; an empty string clears a field.
    pub fn merged_with(&self, patch: &Profile) -> Profile {
        let pick = |new: &Option<String>, old: &Option<String>| match new {
            Some(s) if s.trim().is_empty() => None,
            Some(s) => Some(s.clone()),
            None => old.clone(),
        };
        Profile {
            first_name: pick(&patch.first_name, &self.first_name),
            last_name: pick(&patch.last_name, &self.last_name),
            phone: pick(&patch.phone, &self.phone),
            employee_number: pick(&patch.employee_number, &self.employee_number),
            company: pick(&patch.company, &self.company),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_is_trimmed_and_lower_cased() {
        let e = Email::parse("  Ada.Lovelace@Example.COM \n").unwrap();
        assert_eq!(e.as_str(), "ada.lovelace@example.com");
    }

    #[test]
    fn an_international_domain_is_stored_in_its_ascii_form() {
        let e = Email::parse("ada@Bücher.de").unwrap();
        assert_eq!(e.as_str(), "ada@xn--bcher-kva.de");
        assert_eq!(e, Email::parse("ADA@xn--bcher-kva.DE").unwrap());
    }

    #[test]
    fn malformed_addresses_are_rejected_with_a_reason() {
        for bad in [
            "",
            "ada",
            "@example.com",
            "ada@",
            "ada@localhost",
            "a b@example.com",
            "ada@exa mple.com",
            ".ada@example.com",
            "ada..l@example.com",
            "ada@-x.com",
            "ada@example..com",
        ] {
            let err = Email::parse(bad).unwrap_err();
            assert_eq!(err.code, "invalid_email", "{bad:?} should be rejected");
        }
    }

    #[test]
    fn a_masked_email_shows_only_the_first_letter_and_the_domain() {
        assert_eq!(Email::parse("ada@example.com").unwrap().masked(), "a***@example.com");
    }

    #[test]
    fn debug_output_of_an_email_hides_the_local_part() {
        let e = Email::parse("ada@example.com").unwrap();
        assert_eq!(format!("{e:?}"), "Email(***@example.com)");
    }

    #[test]
    fn timestamps_print_as_rfc3339_utc_to_the_second() {
        let t = Timestamp::parse("2026-11-23T20:00:00.123+01:00").unwrap();
        assert_eq!(t.to_string(), "2026-11-23T19:00:00Z");
        assert_eq!(Timestamp::parse(&t.to_string()).unwrap(), t);
    }

    #[test]
    fn ids_must_carry_their_prefix() {
        assert!(TenantId::parse("ten_abc123").is_ok());
        assert!(TenantId::parse("inv_abc123").is_err());
        assert!(TenantId::parse("ten_").is_err());
        assert!(TenantId::parse("ten_a/b").is_err());
    }

    #[test]
    fn a_phone_number_with_letters_is_rejected() {
        let raw = Profile { phone: Some("call me".into()), ..Profile::default() };
        let errs = Profile::parse(&raw).unwrap_err();
        assert_eq!(errs[0].0, "profile.phone");
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn local() -> impl Strategy<Value = String> {
            "[a-zA-Z0-9][a-zA-Z0-9._+-]{0,20}[a-zA-Z0-9]".prop_filter("no double dots", |s| !s.contains(".."))
        }
        fn domain() -> impl Strategy<Value = String> {
            prop_oneof![
                "[a-zA-Z][a-zA-Z0-9]{0,10}\\.(com|org|de|fr)",
                Just("Bücher.de".to_owned()),
                Just("ÉCOLE.fr".to_owned()),
                Just("münchen.example".to_owned()),
            ]
        }

        proptest! {
            #[test]
            fn normalising_is_idempotent(l in local(), d in domain()) {
                let once = Email::parse(&format!("{l}@{d}")).unwrap();
                let twice = Email::parse(once.as_str()).unwrap();
                prop_assert_eq!(once, twice);
            }

            #[test]
            fn case_and_surrounding_whitespace_never_change_the_address(
                l in local(), d in domain(), pad in "[ \t\n]{0,3}", upper in any::<bool>()
            ) {
                let plain = Email::parse(&format!("{l}@{d}")).unwrap();
                let raw = format!("{l}@{d}");
                let shouted = if upper { raw.to_uppercase() } else { raw.to_lowercase() };
                let noisy = Email::parse(&format!("{pad}{shouted}{pad}")).unwrap();
                prop_assert_eq!(plain, noisy);
            }

            #[test]
            fn a_normalised_address_is_ascii_lowercase(l in local(), d in domain()) {
                let e = Email::parse(&format!("{l}@{d}")).unwrap();
                prop_assert!(e.as_str().is_ascii());
                prop_assert_eq!(e.as_str(), e.as_str().to_ascii_lowercase());
            }
        }
    }
}
