//! The schemas Usher serves (RFC 7643): the attributes it keeps for Users (core and the
//! enterprise extension) and Groups, the discovery documents built from them, and the
//! normalisation of whatever an identity provider sends into exactly those attributes (names in
//! their canonical case, values of their declared types, read-only and unknown ones dropped).

use crate::filter::get_ci;
use serde_json::{Map, Value, json};

/// The core User schema.
pub const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// The core Group schema.
pub const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// The enterprise User extension.
pub const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// List responses.
pub const LIST: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// PATCH requests.
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// Errors.
pub const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
/// Search requests.
pub const SEARCH: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
const SPC: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const RESOURCE_TYPE: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

/// Most resources one list answer holds.
pub const MAX_RESULTS: usize = 200;

/// A value type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// string
    String,
    /// boolean
    Boolean,
    /// reference
    Reference(&'static [&'static str]),
    /// complex
    Complex,
}

/// One attribute of a schema.
#[derive(Debug, Clone)]
pub struct Attr {
    /// Its name, in canonical case.
    pub name: &'static str,
    /// Its type.
    pub kind: Kind,
    /// Multi-valued.
    pub multi: bool,
    /// Required.
    pub required: bool,
    /// `readWrite`, `readOnly`, `immutable`.
    pub mutability: &'static str,
    /// `server` for `userName`.
    pub unique: bool,
    /// Canonical values (`work`, `home`, ...).
    pub canonical: &'static [&'static str],
    /// What it is.
    pub description: &'static str,
    /// Sub-attributes of a complex attribute.
    pub subs: Vec<Attr>,
}

fn attr(name: &'static str, kind: Kind, description: &'static str) -> Attr {
    Attr {
        name,
        kind,
        multi: false,
        required: false,
        mutability: "readWrite",
        unique: false,
        canonical: &[],
        description,
        subs: Vec::new(),
    }
}

impl Attr {
    fn multi(mut self) -> Self {
        self.multi = true;
        self
    }
    fn required(mut self) -> Self {
        self.required = true;
        self
    }
    fn read_only(mut self) -> Self {
        self.mutability = "readOnly";
        self
    }
    fn immutable(mut self) -> Self {
        self.mutability = "immutable";
        self
    }
    fn unique(mut self) -> Self {
        self.unique = true;
        self
    }
    fn canonical(mut self, values: &'static [&'static str]) -> Self {
        self.canonical = values;
        self
    }
    fn with(mut self, subs: Vec<Attr>) -> Self {
        self.subs = subs;
        self
    }

    fn definition(&self) -> Value {
        let mut d = json!({
            "name": self.name,
            "type": match self.kind { Kind::String => "string", Kind::Boolean => "boolean", Kind::Reference(_) => "reference", Kind::Complex => "complex" },
            "multiValued": self.multi,
            "description": self.description,
            "required": self.required,
            "mutability": self.mutability,
            "returned": "default",
        });
        if matches!(self.kind, Kind::String | Kind::Reference(_)) {
            d["caseExact"] = json!(false);
            d["uniqueness"] = json!(if self.unique { "server" } else { "none" });
        }
        if let Kind::Reference(types) = self.kind {
            d["referenceTypes"] = json!(types);
        }
        if !self.canonical.is_empty() {
            d["canonicalValues"] = json!(self.canonical);
        }
        if !self.subs.is_empty() {
            d["subAttributes"] = Value::Array(self.subs.iter().map(Attr::definition).collect());
        }
        d
    }
}

/// The core User attributes Usher keeps.
pub fn user_attrs() -> Vec<Attr> {
    vec![
        attr("userName", Kind::String, "The identity provider's unique login name for the person.").required().unique(),
        attr("name", Kind::Complex, "The person's name.").with(vec![
            attr("formatted", Kind::String, "The full name."),
            attr("familyName", Kind::String, "Family name."),
            attr("givenName", Kind::String, "Given name."),
        ]),
        attr("displayName", Kind::String, "The name to show."),
        attr("title", Kind::String, "Job title."),
        attr("active", Kind::Boolean, "Whether the person may use the service; false takes their access away at once."),
        attr("emails", Kind::Complex, "Addresses; the primary (else the work) one is invited.").multi().with(vec![
            attr("value", Kind::String, "The address."),
            attr("type", Kind::String, "What kind of address.").canonical(&["work", "home", "other"]),
            attr("primary", Kind::Boolean, "The preferred address."),
        ]),
        attr("phoneNumbers", Kind::Complex, "Phone numbers.").multi().with(vec![
            attr("value", Kind::String, "The number."),
            attr("type", Kind::String, "What kind of number.").canonical(&["work", "mobile", "home", "other"]),
            attr("primary", Kind::Boolean, "The preferred number."),
        ]),
        attr("groups", Kind::Complex, "The groups the person is in (set through Groups).").multi().read_only().with(vec![
            attr("value", Kind::String, "The group's id.").read_only(),
            attr("$ref", Kind::Reference(&["Group"]), "The group's URI.").read_only(),
            attr("display", Kind::String, "The group's name.").read_only(),
        ]),
    ]
}

/// The enterprise extension attributes Usher keeps.
pub fn enterprise_attrs() -> Vec<Attr> {
    vec![
        attr("employeeNumber", Kind::String, "The HR number."),
        attr("organization", Kind::String, "The company (the directory's `company`)."),
        attr("department", Kind::String, "The department."),
    ]
}

/// The Group attributes Usher keeps.
pub fn group_attrs() -> Vec<Attr> {
    vec![
        attr("displayName", Kind::String, "The group's name (mapped to a role by the directory settings).").required(),
        attr("members", Kind::Complex, "The group's people.").multi().with(vec![
            attr("value", Kind::String, "The person's id.").immutable(),
            attr("$ref", Kind::Reference(&["User"]), "The person's URI.").immutable(),
        ]),
    ]
}

/// Which resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceKind {
    /// Users.
    User,
    /// Groups.
    Group,
}

impl ResourceKind {
    /// The core schema URN.
    pub fn schema(self) -> &'static str {
        match self {
            ResourceKind::User => USER,
            ResourceKind::Group => GROUP,
        }
    }
    /// `User` or `Group`.
    pub fn name(self) -> &'static str {
        match self {
            ResourceKind::User => "User",
            ResourceKind::Group => "Group",
        }
    }
    /// The endpoint (`/Users`).
    pub fn endpoint(self) -> &'static str {
        match self {
            ResourceKind::User => "/Users",
            ResourceKind::Group => "/Groups",
        }
    }
    fn attrs(self) -> Vec<Attr> {
        match self {
            ResourceKind::User => user_attrs(),
            ResourceKind::Group => group_attrs(),
        }
    }
}

fn coerce(a: &Attr, v: &Value, at: &str) -> Result<Option<Value>, String> {
    if v.is_null() {
        return Ok(None);
    }
    let bad = |what: &str| Err(format!("'{at}' must be {what}"));
    match a.kind {
        Kind::String | Kind::Reference(_) => match v {
            Value::String(s) => Ok(Some(Value::String(s.clone()))),
            Value::Number(n) => Ok(Some(Value::String(n.to_string()))),
            _ => bad("a string"),
        },
        Kind::Boolean => match v {
            Value::Bool(b) => Ok(Some(Value::Bool(*b))),
            // Some identity providers (Entra ID) send booleans as strings.
            Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(Some(Value::Bool(true))),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(Some(Value::Bool(false))),
            _ => bad("true or false"),
        },
        Kind::Complex => {
            let Some(obj) = v.as_object() else { return bad("an object") };
            let mut out = Map::new();
            for sub in &a.subs {
                if sub.mutability == "readOnly" {
                    continue;
                }
                if let Some(sv) = get_ci(obj, sub.name)
                    && let Some(c) = coerce(sub, sv, &format!("{at}.{}", sub.name))?
                {
                    out.insert(sub.name.to_owned(), c);
                }
            }
            Ok((!out.is_empty()).then_some(Value::Object(out)))
        }
    }
}

fn normalize_attr(a: &Attr, v: &Value) -> Result<Option<Value>, String> {
    if a.multi {
        let items: Vec<&Value> = match v {
            Value::Null => return Ok(None),
            Value::Array(items) => items.iter().collect(),
            one => vec![one],
        };
        let mut out = Vec::new();
        for (i, item) in items.into_iter().enumerate() {
            if let Some(c) = coerce(a, item, &format!("{}[{i}]", a.name))? {
                out.push(c);
            }
        }
        Ok((!out.is_empty()).then_some(Value::Array(out)))
    } else {
        coerce(a, v, a.name)
    }
}

fn normalize_object(attrs: &[Attr], obj: &Map<String, Value>, out: &mut Map<String, Value>) -> Result<(), String> {
    for a in attrs {
        if a.mutability == "readOnly" {
            continue;
        }
        if let Some(v) = get_ci(obj, a.name)
            && let Some(c) = normalize_attr(a, v)?
        {
            out.insert(a.name.to_owned(), c);
        }
    }
    Ok(())
}

/// The writable attributes of a resource as sent, in canonical form (plus `externalId`).
/// Errors name the attribute whose value has the wrong type.
pub fn normalize(kind: ResourceKind, resource: &Value) -> Result<Value, String> {
    let Some(obj) = resource.as_object() else { return Err("the resource must be a JSON object".into()) };
    let mut out = Map::new();
    if let Some(v) = get_ci(obj, "externalId") {
        match v {
            Value::String(s) => {
                out.insert("externalId".into(), Value::String(s.clone()));
            }
            Value::Null => {}
            _ => return Err("'externalId' must be a string".into()),
        }
    }
    normalize_object(&kind.attrs(), obj, &mut out)?;
    if kind == ResourceKind::User
        && let Some(ext) = get_ci(obj, ENTERPRISE)
    {
        let Some(ext) = ext.as_object() else { return Err(format!("'{ENTERPRISE}' must be an object")) };
        let mut e = Map::new();
        normalize_object(&enterprise_attrs(), ext, &mut e)?;
        if !e.is_empty() {
            out.insert(ENTERPRISE.into(), Value::Object(e));
        }
    }
    Ok(Value::Object(out))
}

/// Whether an attribute (top-level name, any case) is one of the resource's (for PATCH paths).
pub fn attribute(kind: ResourceKind, urn: Option<&str>, name: &str) -> Option<Attr> {
    if name.eq_ignore_ascii_case("externalId") && urn.is_none_or(|u| !u.eq_ignore_ascii_case(ENTERPRISE)) {
        return Some(attr("externalId", Kind::String, ""));
    }
    let attrs = match urn {
        Some(u) if u.eq_ignore_ascii_case(ENTERPRISE) && kind == ResourceKind::User => enterprise_attrs(),
        Some(u) if !u.eq_ignore_ascii_case(kind.schema()) => return None,
        _ => kind.attrs(),
    };
    attrs.into_iter().find(|a| a.name.eq_ignore_ascii_case(name))
}

/// `GET /ServiceProviderConfig`.
pub fn service_provider_config(base: &str) -> Value {
    json!({
        "schemas": [SPC],
        "documentationUri": "https://github.com/usher/usher#scim",
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": false},
        "sort": {"supported": false},
        "etag": {"supported": false},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "SCIM token",
            "description": "A tenant's SCIM token (usher_scim_...), created in the console's Directory settings or with `usher scim-token create`, as the Bearer.",
            "primary": true
        }],
        "meta": {"resourceType": "ServiceProviderConfig", "location": format!("{base}/ServiceProviderConfig")}
    })
}

/// One resource type's document.
pub fn resource_type(kind: ResourceKind, base: &str) -> Value {
    let mut d = json!({
        "schemas": [RESOURCE_TYPE],
        "id": kind.name(),
        "name": kind.name(),
        "endpoint": kind.endpoint(),
        "description": match kind { ResourceKind::User => "A person of the tenant's directory", ResourceKind::Group => "A group of the tenant's directory" },
        "schema": kind.schema(),
        "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/{}", kind.name())}
    });
    if kind == ResourceKind::User {
        d["schemaExtensions"] = json!([{"schema": ENTERPRISE, "required": false}]);
    }
    d
}

/// Every schema document, by id.
pub fn schemas(base: &str) -> Vec<Value> {
    let doc = |id: &str, name: &str, description: &str, attrs: Vec<Attr>| {
        json!({
            "schemas": [SCHEMA],
            "id": id,
            "name": name,
            "description": description,
            "attributes": attrs.iter().map(Attr::definition).collect::<Vec<_>>(),
            "meta": {"resourceType": "Schema", "location": format!("{base}/Schemas/{id}")}
        })
    };
    vec![
        doc(USER, "User", "User Account", user_attrs()),
        doc(GROUP, "Group", "Group", group_attrs()),
        doc(ENTERPRISE, "EnterpriseUser", "Enterprise User", enterprise_attrs()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalising_keeps_declared_attributes_in_canonical_case_and_drops_the_rest() {
        let sent = json!({
            "schemas": [USER], "id": "forged", "USERNAME": "ada", "Active": "False", "nickName": "dropped",
            "emails": {"Value": "ada@example.com", "TYPE": "work"},
            "groups": [{"value": "g"}],
            (ENTERPRISE): {"Department": "Engines", "manager": {"value": "x"}}
        });
        let n = normalize(ResourceKind::User, &sent).unwrap();
        assert_eq!(
            n,
            json!({
                "userName": "ada", "active": false,
                "emails": [{"value": "ada@example.com", "type": "work"}],
                (ENTERPRISE): {"department": "Engines"}
            })
        );
    }

    #[test]
    fn a_value_of_the_wrong_type_is_named() {
        let e = normalize(ResourceKind::User, &json!({"userName": "a", "active": "maybe"})).unwrap_err();
        assert!(e.contains("active"), "{e}");
        let e = normalize(ResourceKind::User, &json!({"userName": "a", "emails": [{"value": {"x": 1}}]})).unwrap_err();
        assert!(e.contains("emails[0].value"), "{e}");
    }
}
