//! Directory people and groups as SCIM resources, and SCIM resources as what the directory
//! keeps.

use crate::schema::{ENTERPRISE, GROUP, USER};
use serde_json::{Map, Value, json};
use usher_domain::directory::{DirectoryGroup, DirectoryPerson};
use usher_domain::usecases::provisioning::{GroupInput, PersonInput};
use usher_domain::values::{Email, PersonId, Timestamp};

/// Longest text attribute kept (a name, a title).
const MAX_TEXT: usize = 256;
/// Largest resource kept (its JSON), far inside an item's 400 KB.
pub const MAX_RESOURCE_BYTES: usize = 64 * 1024;

fn text(v: Option<&Value>) -> String {
    v.and_then(Value::as_str).map(str::trim).unwrap_or_default().to_owned()
}

fn check_len(name: &str, s: &str) -> Result<(), String> {
    if s.chars().count() > MAX_TEXT { Err(format!("'{name}' may be at most {MAX_TEXT} characters")) } else { Ok(()) }
}

/// The value of a multi-valued attribute's preferred entry: `primary`, else `type` work, else
/// the first.
fn preferred(items: Option<&Value>) -> Option<String> {
    let items = items.and_then(Value::as_array)?;
    let pick = items
        .iter()
        .find(|i| i.get("primary").and_then(Value::as_bool) == Some(true))
        .or_else(|| items.iter().find(|i| i.get("type").and_then(Value::as_str).is_some_and(|t| t.eq_ignore_ascii_case("work"))))
        .or_else(|| items.first())?;
    pick.get("value").and_then(Value::as_str).map(str::to_owned)
}

/// What the directory keeps of a normalised User.
pub fn person_input(normalized: Value) -> Result<PersonInput, String> {
    if normalized.to_string().len() > MAX_RESOURCE_BYTES {
        return Err(format!("the resource may be at most {MAX_RESOURCE_BYTES} bytes"));
    }
    let user_name = text(normalized.get("userName"));
    if user_name.is_empty() {
        return Err("'userName' is required".into());
    }
    check_len("userName", &user_name)?;
    let email = match preferred(normalized.get("emails")) {
        None => None,
        Some(raw) => Some(Email::parse(&raw).map_err(|e| format!("emails: '{raw}' is not an address ({})", e.message))?),
    };
    let name = normalized.get("name");
    let ext = normalized.get(ENTERPRISE);
    let input = PersonInput {
        user_name,
        external_id: normalized.get("externalId").and_then(Value::as_str).map(str::to_owned),
        email,
        first_name: text(name.and_then(|n| n.get("givenName"))),
        last_name: text(name.and_then(|n| n.get("familyName"))),
        title: text(normalized.get("title")),
        department: text(ext.and_then(|e| e.get("department"))),
        company: text(ext.and_then(|e| e.get("organization"))),
        employee_number: text(ext.and_then(|e| e.get("employeeNumber"))),
        phone: preferred(normalized.get("phoneNumbers")).unwrap_or_default(),
        active: normalized.get("active").and_then(Value::as_bool).unwrap_or(true),
        scim: normalized,
    };
    for (n, v) in [
        ("name.givenName", &input.first_name),
        ("name.familyName", &input.last_name),
        ("title", &input.title),
        ("department", &input.department),
        ("organization", &input.company),
        ("employeeNumber", &input.employee_number),
    ] {
        check_len(n, v)?;
    }
    Ok(input)
}

/// What the directory keeps of a normalised Group. A member id that cannot be a person's is
/// left out, as one that names nobody is (see `provisioning::set_members`).
pub fn group_input(normalized: &Value) -> Result<GroupInput, String> {
    let display_name = text(normalized.get("displayName"));
    if display_name.is_empty() {
        return Err("'displayName' is required".into());
    }
    check_len("displayName", &display_name)?;
    let mut members = Vec::new();
    for m in normalized.get("members").and_then(Value::as_array).into_iter().flatten() {
        let raw = m.get("value").and_then(Value::as_str).unwrap_or_default();
        match PersonId::parse(raw) {
            Ok(id) => members.push(id),
            Err(_) => tracing::info!("a group member that is no user id was left out"),
        }
    }
    Ok(GroupInput { display_name, external_id: normalized.get("externalId").and_then(Value::as_str).map(str::to_owned), members })
}

fn meta(kind: &str, created: Timestamp, modified: Timestamp, location: &str) -> Value {
    json!({"resourceType": kind, "created": created, "lastModified": modified, "location": location})
}

/// The writable attributes of a person (what PATCH starts from): as the identity provider sent
/// them, or, for an uploaded person, made from the directory's fields.
pub fn person_attributes(p: &DirectoryPerson) -> Value {
    if p.scim.is_object() {
        return p.scim.clone();
    }
    let mut a = Map::new();
    a.insert(
        "userName".into(),
        json!(p.user_name.clone().or_else(|| p.email.as_ref().map(ToString::to_string)).unwrap_or_else(|| p.id.to_string())),
    );
    if let Some(x) = &p.external_id {
        a.insert("externalId".into(), json!(x));
    }
    a.insert("name".into(), json!({"givenName": p.first_name, "familyName": p.last_name}));
    a.insert("active".into(), json!(p.active));
    if let Some(e) = &p.email {
        a.insert("emails".into(), json!([{"value": e.to_string(), "type": "work", "primary": true}]));
    }
    if !p.title.is_empty() {
        a.insert("title".into(), json!(p.title));
    }
    let mut ext = Map::new();
    for (k, v) in [("employeeNumber", &p.employee_number), ("organization", &p.company), ("department", &p.department)] {
        if !v.is_empty() {
            ext.insert(k.into(), json!(v));
        }
    }
    if !ext.is_empty() {
        a.insert(ENTERPRISE.into(), Value::Object(ext));
    }
    Value::Object(a)
}

/// A person as a SCIM User. `groups`: their groups' ids and names.
pub fn user(p: &DirectoryPerson, groups: &[(String, String)], base: &str) -> Value {
    let mut r = person_attributes(p);
    let obj = r.as_object_mut().expect("person attributes are an object");
    let mut schemas = vec![USER];
    if obj.contains_key(ENTERPRISE) {
        schemas.push(ENTERPRISE);
    }
    let location = format!("{base}/Users/{}", p.id);
    obj.insert("schemas".into(), json!(schemas));
    obj.insert("id".into(), json!(p.id));
    if !groups.is_empty() {
        obj.insert(
            "groups".into(),
            Value::Array(
                groups.iter().map(|(id, name)| json!({"value": id, "$ref": format!("{base}/Groups/{id}"), "display": name})).collect(),
            ),
        );
    }
    obj.insert("meta".into(), meta("User", p.created_at, p.updated_at, &location));
    r
}

/// The writable attributes of a group (what PATCH starts from).
pub fn group_attributes(g: &DirectoryGroup, members: &[PersonId], base: &str) -> Value {
    let mut a = Map::new();
    a.insert("displayName".into(), json!(g.display_name));
    if let Some(x) = &g.external_id {
        a.insert("externalId".into(), json!(x));
    }
    if !members.is_empty() {
        a.insert(
            "members".into(),
            Value::Array(members.iter().map(|m| json!({"value": m, "$ref": format!("{base}/Users/{m}")})).collect()),
        );
    }
    Value::Object(a)
}

/// A group as a SCIM Group.
pub fn group(g: &DirectoryGroup, members: &[PersonId], base: &str) -> Value {
    let mut r = group_attributes(g, members, base);
    let obj = r.as_object_mut().expect("group attributes are an object");
    obj.insert("schemas".into(), json!([GROUP]));
    obj.insert("id".into(), json!(g.id));
    obj.insert("meta".into(), meta("Group", g.created_at, g.updated_at, &format!("{base}/Groups/{}", g.id)));
    r
}

/// Applies `attributes` / `excludedAttributes` (top-level names, or `urn:...:attr`) to a
/// rendered resource. `id` and `schemas` are always returned.
pub fn project(resource: Value, attributes: &[String], excluded: &[String]) -> Value {
    let Value::Object(obj) = resource else { return resource };
    let name_of = |a: &str| a.rsplit(':').next().unwrap_or(a).split('.').next().unwrap_or(a).to_ascii_lowercase();
    let wanted: Vec<String> = attributes.iter().map(|a| name_of(a)).collect();
    let unwanted: Vec<String> = excluded.iter().map(|a| name_of(a)).collect();
    let keep = |k: &str| {
        let k = k.to_ascii_lowercase();
        if k == "id" || k == "schemas" {
            return true;
        }
        if !wanted.is_empty() {
            return wanted.contains(&k);
        }
        !unwanted.contains(&k)
    };
    let mut out = Map::new();
    for (k, v) in obj {
        if k.eq_ignore_ascii_case(ENTERPRISE) {
            // An extension's attributes are projected one by one inside it.
            let Value::Object(ext) = v else { continue };
            let inner: Map<String, Value> = ext.into_iter().filter(|(ek, _)| keep(ek)).collect();
            if !inner.is_empty() {
                out.insert(k, Value::Object(inner));
            }
        } else if keep(&k) {
            out.insert(k, v);
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_primary_else_work_else_first_address_is_the_one_invited() {
        let input = |emails: Value| person_input(json!({"userName": "u", "emails": emails})).unwrap().email.map(|e| e.to_string());
        assert_eq!(input(json!([{"value": "a@x.example"}, {"value": "b@x.example", "primary": true}])), Some("b@x.example".into()));
        assert_eq!(
            input(json!([{"value": "a@x.example", "type": "home"}, {"value": "c@x.example", "type": "work"}])),
            Some("c@x.example".into())
        );
        assert_eq!(input(json!([{"value": "d@x.example"}])), Some("d@x.example".into()));
        assert!(person_input(json!({"userName": "u", "emails": [{"value": "not an address"}]})).is_err());
        assert!(person_input(json!({"emails": []})).is_err());
    }

    #[test]
    fn projection_keeps_id_and_schemas_and_reaches_into_the_extension() {
        let r =
            json!({"schemas": [USER], "id": "dp_1", "userName": "u", "title": "t", (ENTERPRISE): {"department": "d", "organization": "o"}});
        assert_eq!(project(r.clone(), &["userName".into()], &[]), json!({"schemas": [USER], "id": "dp_1", "userName": "u"}));
        let without = project(r, &[], &["title".into(), format!("{ENTERPRISE}:department")]);
        assert_eq!(without, json!({"schemas": [USER], "id": "dp_1", "userName": "u", (ENTERPRISE): {"organization": "o"}}));
    }
}
