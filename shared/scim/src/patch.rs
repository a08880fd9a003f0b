//! SCIM PATCH (RFC 7644 §3.5.2) applied to a resource's JSON. The result is then validated and
//! saved as a PUT would be, so a PATCH can never store what a PUT could not.

use crate::filter::{PatchPath, get_ci};
use crate::schema::{ENTERPRISE, PATCH_OP, ResourceKind, attribute};
use serde_json::{Map, Value};

/// Why a PATCH cannot apply (each is a SCIM `scimType`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatchError {
    /// `invalidSyntax`: not a PatchOp.
    Syntax(String),
    /// `invalidPath`: the path is malformed or names no attribute.
    Path(String),
    /// `noTarget`: a filter matched nothing, or `remove` has no path.
    NoTarget(String),
    /// `invalidValue`: the value does not fit.
    Value(String),
    /// `mutability`: the attribute cannot be changed.
    Mutability(String),
}

/// Applies every operation of a PatchOp body, in order, to `resource` (its writable attributes,
/// with `members` for a group).
pub fn apply(kind: ResourceKind, resource: &mut Value, body: &Value) -> Result<(), PatchError> {
    let Some(obj) = body.as_object() else { return Err(PatchError::Syntax("the body must be a JSON object".into())) };
    let is_patch = get_ci(obj, "schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|u| u.as_str().is_some_and(|u| u.eq_ignore_ascii_case(PATCH_OP))));
    if !is_patch {
        return Err(PatchError::Syntax(format!("'schemas' must list {PATCH_OP}")));
    }
    let Some(ops) = get_ci(obj, "Operations").and_then(Value::as_array) else {
        return Err(PatchError::Syntax("'Operations' must be a list".into()));
    };
    if ops.is_empty() {
        return Err(PatchError::Syntax("'Operations' must not be empty".into()));
    }
    for op in ops {
        let Some(op) = op.as_object() else { return Err(PatchError::Syntax("each operation must be an object".into())) };
        let name = get_ci(op, "op").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase();
        let path = get_ci(op, "path").and_then(Value::as_str).map(str::trim).filter(|p| !p.is_empty());
        let value = get_ci(op, "value").cloned();
        match name.as_str() {
            "add" | "replace" => {
                let value = value.ok_or_else(|| PatchError::Syntax(format!("'{name}' needs a value")))?;
                let replace = name == "replace";
                match path {
                    None => merge_root(kind, resource, &value, replace)?,
                    Some(p) => set_at(kind, resource, p, value, replace)?,
                }
            }
            "remove" => {
                let p = path.ok_or_else(|| PatchError::NoTarget("'remove' needs a path".into()))?;
                remove_at(kind, resource, p, value.as_ref())?;
            }
            other => return Err(PatchError::Syntax(format!("'{other}' is not a PATCH operation (add, replace, remove)"))),
        }
    }
    Ok(())
}

fn root(resource: &mut Value) -> &mut Map<String, Value> {
    if !resource.is_object() {
        *resource = Value::Object(Map::new());
    }
    resource.as_object_mut().expect("made an object above")
}

/// The object holding an attribute: the resource, or its enterprise extension's object.
fn holder<'a>(resource: &'a mut Value, urn: Option<&str>) -> &'a mut Map<String, Value> {
    let obj = root(resource);
    match urn {
        Some(u) if u.eq_ignore_ascii_case(ENTERPRISE) => {
            let ext = obj.entry(ENTERPRISE.to_owned()).or_insert_with(|| Value::Object(Map::new()));
            if !ext.is_object() {
                *ext = Value::Object(Map::new());
            }
            ext.as_object_mut().expect("made an object above")
        }
        _ => obj,
    }
}

fn canonical_key(map: &Map<String, Value>, name: &str) -> Option<String> {
    map.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned()
}

/// Without a path, the value is an object of attributes (and perhaps the extension's object).
fn merge_root(kind: ResourceKind, resource: &mut Value, value: &Value, replace: bool) -> Result<(), PatchError> {
    let Some(attrs) = value.as_object() else { return Err(PatchError::Value("without a path the value must be an object".into())) };
    for (k, v) in attrs {
        if k.eq_ignore_ascii_case(ENTERPRISE) {
            let Some(ext) = v.as_object() else { return Err(PatchError::Value(format!("'{ENTERPRISE}' must be an object"))) };
            // Clients that serialise the extension as a model send its `schemas` too.
            for (ek, ev) in ext.iter().filter(|(ek, _)| !ek.eq_ignore_ascii_case("schemas")) {
                set_at(kind, resource, &format!("{ENTERPRISE}:{ek}"), ev.clone(), replace)?;
            }
        } else if k.eq_ignore_ascii_case("schemas") || k.eq_ignore_ascii_case("id") || k.eq_ignore_ascii_case("meta") {
            continue;
        } else {
            set_at(kind, resource, k, v.clone(), replace)?;
        }
    }
    Ok(())
}

/// A PATCH path and the attribute it names, which must be one the client may write.
fn writable(kind: ResourceKind, raw: &str) -> Result<(PatchPath, crate::schema::Attr), PatchError> {
    let path = PatchPath::parse(raw).map_err(PatchError::Path)?;
    let Some(def) = attribute(kind, path.attr.urn.as_deref(), &path.attr.attr) else {
        return Err(PatchError::Path(format!("'{raw}' is not an attribute of a {}", kind.name())));
    };
    if def.mutability == "readOnly" {
        return Err(PatchError::Mutability(format!("'{}' is read-only", def.name)));
    }
    Ok((path, def))
}

fn set_at(kind: ResourceKind, resource: &mut Value, raw: &str, value: Value, replace: bool) -> Result<(), PatchError> {
    // A bare extension URN: its value is the extension's object (replaced whole, or merged).
    if kind == ResourceKind::User && raw.trim().eq_ignore_ascii_case(ENTERPRISE) {
        if replace {
            root(resource).remove(ENTERPRISE);
        }
        return merge_root(kind, resource, &serde_json::json!({ ENTERPRISE: value }), false);
    }
    let (path, def) = writable(kind, raw)?;
    let urn = path.attr.urn.as_deref();
    let map = holder(resource, urn);
    let key = canonical_key(map, def.name).unwrap_or_else(|| def.name.to_owned());
    match (&path.filter, &path.attr.sub) {
        // `emails[type eq "work"].value` / `emails[type eq "work"]`.
        (Some(filter), _) => {
            let items = map.get_mut(&key).and_then(Value::as_array_mut);
            let mut hit = false;
            if let Some(items) = items {
                for item in items.iter_mut().filter(|i| filter.matches(i)) {
                    hit = true;
                    match &path.sub {
                        Some(sub) => {
                            let o = item.as_object_mut().ok_or_else(|| PatchError::Value(format!("'{raw}' names a simple value")))?;
                            let k = canonical_key(o, sub).unwrap_or_else(|| sub.clone());
                            o.insert(k, value.clone());
                        }
                        None if replace => *item = value.clone(),
                        None => merge_into(item, &value),
                    }
                }
            }
            if !hit {
                return Err(PatchError::NoTarget(format!("no value of '{}' matches '{raw}'", def.name)));
            }
        }
        // `name.givenName`.
        (None, Some(sub)) => {
            let entry = map.entry(key).or_insert_with(|| Value::Object(Map::new()));
            if let Some(items) = entry.as_array_mut() {
                // A sub-attribute of a multi-valued attribute: every value.
                for item in items.iter_mut().filter_map(Value::as_object_mut) {
                    let k = canonical_key(item, sub).unwrap_or_else(|| sub.clone());
                    item.insert(k, value.clone());
                }
            } else {
                if !entry.is_object() {
                    *entry = Value::Object(Map::new());
                }
                let o = entry.as_object_mut().expect("made an object above");
                let k = canonical_key(o, sub).unwrap_or_else(|| sub.clone());
                o.insert(k, value);
            }
        }
        (None, None) if def.multi && !replace => {
            // add to a multi-valued attribute appends (a value already there is not repeated).
            let new: Vec<Value> = match value {
                Value::Array(v) => v,
                one => vec![one],
            };
            let entry = map.entry(key).or_insert_with(|| Value::Array(Vec::new()));
            if !entry.is_array() {
                *entry = Value::Array(Vec::new());
            }
            let items = entry.as_array_mut().expect("made an array above");
            for v in new {
                if !items.contains(&v) {
                    items.push(v);
                }
            }
        }
        (None, None) if !def.multi && !replace && value.is_object() => {
            let entry = map.entry(key).or_insert_with(|| Value::Object(Map::new()));
            merge_into(entry, &value);
        }
        (None, None) => {
            map.insert(key, value);
        }
    }
    Ok(())
}

fn merge_into(target: &mut Value, value: &Value) {
    match (target.as_object_mut(), value.as_object()) {
        (Some(t), Some(v)) => {
            for (k, val) in v {
                let key = canonical_key(t, k).unwrap_or_else(|| k.clone());
                t.insert(key, val.clone());
            }
        }
        _ => *target = value.clone(),
    }
}

fn remove_at(kind: ResourceKind, resource: &mut Value, raw: &str, value: Option<&Value>) -> Result<(), PatchError> {
    if kind == ResourceKind::User && raw.trim().eq_ignore_ascii_case(ENTERPRISE) {
        root(resource).remove(ENTERPRISE);
        return Ok(());
    }
    let (path, def) = writable(kind, raw)?;
    let urn = path.attr.urn.as_deref();
    if def.required && path.filter.is_none() && path.attr.sub.is_none() {
        return Err(PatchError::Mutability(format!("'{}' is required and cannot be removed", def.name)));
    }
    let map = holder(resource, urn);
    let Some(key) = canonical_key(map, def.name) else { return Ok(()) };
    match (&path.filter, &path.attr.sub) {
        (Some(filter), _) => {
            let Some(items) = map.get_mut(&key).and_then(Value::as_array_mut) else { return Ok(()) };
            match &path.sub {
                None => items.retain(|i| !filter.matches(i)),
                Some(sub) => {
                    for item in items.iter_mut().filter(|i| filter.matches(i)).filter_map(Value::as_object_mut) {
                        if let Some(k) = canonical_key(item, sub) {
                            item.remove(&k);
                        }
                    }
                }
            }
            if items.is_empty() {
                map.remove(&key);
            }
        }
        (None, Some(sub)) => {
            if let Some(o) = map.get_mut(&key).and_then(Value::as_object_mut)
                && let Some(k) = canonical_key(o, sub)
            {
                o.remove(&k);
            }
        }
        // `remove members` with a value (Entra ID's way): remove just those values.
        (None, None) if def.multi && value.is_some() => {
            let doomed: Vec<Value> = match value.cloned() {
                Some(Value::Array(v)) => v,
                Some(one) => vec![one],
                None => Vec::new(),
            };
            if let Some(items) = map.get_mut(&key).and_then(Value::as_array_mut) {
                items.retain(|i| !doomed.iter().any(|d| same_value(i, d)));
                if items.is_empty() {
                    map.remove(&key);
                }
            }
        }
        (None, None) => {
            map.remove(&key);
        }
    }
    Ok(())
}

/// Two values of a multi-valued attribute are the same value when their `value`s are (or they
/// are equal outright).
fn same_value(a: &Value, b: &Value) -> bool {
    let v = |x: &Value| x.as_object().and_then(|o| get_ci(o, "value")).cloned();
    match (v(a), v(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn patch(resource: Value, ops: Value) -> Result<Value, PatchError> {
        let mut r = resource;
        apply(ResourceKind::User, &mut r, &json!({"schemas": [PATCH_OP], "Operations": ops}))?;
        Ok(r)
    }

    #[test]
    fn replace_without_a_path_sets_each_attribute_entra_style() {
        let r = patch(json!({"userName": "a", "active": true}), json!([{"op": "Replace", "value": {"active": false, "title": "CTO"}}]))
            .unwrap();
        assert_eq!(r, json!({"userName": "a", "active": false, "title": "CTO"}));
    }

    #[test]
    fn a_value_path_changes_only_the_values_it_matches() {
        let user = json!({"userName": "a", "emails": [{"value": "a@w.example", "type": "work"}, {"value": "a@h.example", "type": "home"}]});
        let r =
            patch(user.clone(), json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "new@w.example"}])).unwrap();
        assert_eq!(r["emails"][0]["value"], "new@w.example");
        assert_eq!(r["emails"][1]["value"], "a@h.example");
        let r = patch(user.clone(), json!([{"op": "remove", "path": "emails[type eq \"home\"]"}])).unwrap();
        assert_eq!(r["emails"].as_array().unwrap().len(), 1);
        let e = patch(user, json!([{"op": "replace", "path": "emails[type eq \"other\"].value", "value": "x@y.example"}])).unwrap_err();
        assert!(matches!(e, PatchError::NoTarget(_)));
    }

    #[test]
    fn add_appends_to_a_multi_valued_attribute_and_merges_a_complex_one() {
        let r = patch(
            json!({"userName": "a", "emails": [{"value": "a@w.example"}], "name": {"givenName": "A"}}),
            json!([
                {"op": "add", "path": "emails", "value": [{"value": "b@w.example"}]},
                {"op": "add", "path": "name", "value": {"familyName": "B"}},
                {"op": "add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Ops"}
            ]),
        )
        .unwrap();
        assert_eq!(r["emails"].as_array().unwrap().len(), 2);
        assert_eq!(r["name"], json!({"givenName": "A", "familyName": "B"}));
        assert_eq!(r[ENTERPRISE]["department"], "Ops");
        let r = patch(r, json!([{"op": "replace", "path": ENTERPRISE, "value": {"organization": "Acme"}}])).unwrap();
        assert_eq!(r[ENTERPRISE], json!({"organization": "Acme"}));
        let r = patch(r, json!([{"op": "remove", "path": ENTERPRISE}])).unwrap();
        assert!(r.get(ENTERPRISE).is_none());
    }

    #[test]
    fn remove_needs_a_path_and_spares_required_attributes() {
        assert!(matches!(patch(json!({"userName": "a"}), json!([{"op": "remove"}])).unwrap_err(), PatchError::NoTarget(_)));
        assert!(matches!(
            patch(json!({"userName": "a"}), json!([{"op": "remove", "path": "userName"}])).unwrap_err(),
            PatchError::Mutability(_)
        ));
        assert!(matches!(
            patch(json!({"userName": "a"}), json!([{"op": "add", "path": "nickName", "value": "x"}])).unwrap_err(),
            PatchError::Path(_)
        ));
        assert!(matches!(patch(json!({"userName": "a"}), json!([{"op": "move", "path": "title"}])).unwrap_err(), PatchError::Syntax(_)));
    }

    #[test]
    fn members_are_removed_by_value_as_entra_id_sends_them() {
        let mut g = json!({"displayName": "Ops", "members": [{"value": "dp_1"}, {"value": "dp_2"}]});
        apply(
            ResourceKind::Group,
            &mut g,
            &json!({"schemas": [PATCH_OP], "Operations": [{"op": "remove", "path": "members", "value": [{"value": "dp_1"}]}]}),
        )
        .unwrap();
        assert_eq!(g["members"], json!([{"value": "dp_2"}]));
        apply(
            ResourceKind::Group,
            &mut g,
            &json!({"schemas": [PATCH_OP], "Operations": [{"op": "remove", "path": "members[value eq \"dp_2\"]"}]}),
        )
        .unwrap();
        assert!(g.get("members").is_none());
    }
}
