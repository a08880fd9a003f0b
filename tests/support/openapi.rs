//! The API's answers checked against `openapi.yaml`, so the document cannot drift from the code
//! unnoticed: every response a suite sees through `TestApp::call` (and every event it reads) is
//! matched to its operation by method and path template (the route table), then its status must
//! be one the operation declares, its `Content-Type` one declared for that status, and a JSON body
//! must validate against the declared schema (JSON Schema 2020-12, as OpenAPI 3.1 uses, `$ref`s
//! into `components` resolved, formats checked). Non-JSON answers (CSV and XLSX files, the CSV
//! bulk report) are checked by content type only.
//!
//! **Strict**: an object schema that names its `properties` and says nothing about others gets
//! `unevaluatedProperties: false` here (not in the document, which stays open for additions).
//! A field the code sends and the document does not name is drift too: a generated client drops
//! it, or worse. Free-form objects (`metadata`, `details`) name no properties and stay free.
//!
//! Which operations and statuses each suite saw is written to `openapi-seen/<suite>.txt` next to
//! the test binaries (`target/debug/openapi-seen/`), to see what the suites leave untested.

use http::{HeaderMap, Method, StatusCode};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};
use usher_http::routes::{Found, find};

/// The checks, loaded once per test process.
pub struct Contract {
    /// `openapi.yaml` as JSON, object schemas made strict.
    doc: Value,
    /// Operations by (method, path template): their id and JSON pointer.
    operations: HashMap<(Method, String), (String, String)>,
    /// Compiled validators by JSON pointer of the schema.
    compiled: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
    /// (operation, status) pairs seen by this process.
    seen: Mutex<BTreeSet<String>>,
}

/// The contract of this repository's `openapi.yaml`.
pub fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| Contract::from_yaml(crate::repo_yaml("openapi.yaml")))
}

/// JSON pointer escaping (RFC 6901).
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// The media type without its parameters, lower case (`application/json; charset=utf-8` is
/// `application/json`).
fn essence(content_type: &str) -> String {
    content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

fn is_json(media: &str) -> bool {
    media == "application/json" || media.ends_with("+json")
}

/// Keywords whose value is one schema, evaluated at another location than the object itself.
const ONE_SCHEMA: [&str; 5] = ["items", "contains", "additionalProperties", "unevaluatedItems", "propertyNames"];
/// Keywords whose value maps names to schemas.
const SCHEMA_MAPS: [&str; 4] = ["properties", "patternProperties", "$defs", "dependentSchemas"];

/// Makes every object schema below `schema` that names its properties refuse the others.
/// In-place applicators (`allOf`, `anyOf`, `oneOf`, `if`/`then`/`else`, `not`) are left as they
/// are: their parts name a few properties of an object whose others are named elsewhere, and
/// `unevaluatedProperties` on the object sees what they evaluate.
fn make_strict(schema: &mut Value) {
    let Some(obj) = schema.as_object_mut() else { return };
    if obj.contains_key("properties") && !obj.contains_key("additionalProperties") && !obj.contains_key("unevaluatedProperties") {
        obj.insert("unevaluatedProperties".into(), Value::Bool(false));
    }
    for k in ONE_SCHEMA {
        if let Some(s) = obj.get_mut(k) {
            make_strict(s);
        }
    }
    if let Some(Value::Array(list)) = obj.get_mut("prefixItems") {
        list.iter_mut().for_each(make_strict);
    }
    for k in SCHEMA_MAPS {
        if let Some(Value::Object(map)) = obj.get_mut(k) {
            map.values_mut().for_each(make_strict);
        }
    }
}

/// Every schema of a response or request body (`content.<media>.schema`) under `node`.
fn strict_contents(node: &mut Value) {
    match node {
        Value::Object(map) => {
            if let Some(Value::Object(content)) = map.get_mut("content") {
                for media in content.values_mut() {
                    if let Some(s) = media.get_mut("schema") {
                        make_strict(s);
                    }
                }
            }
            for (k, v) in map.iter_mut() {
                if k != "content" && k != "example" && k != "examples" {
                    strict_contents(v);
                }
            }
        }
        Value::Array(list) => list.iter_mut().for_each(strict_contents),
        _ => {}
    }
}

/// A response that does not match its declaration.
#[derive(Debug)]
pub struct Drift(pub String);

impl Contract {
    /// The contract of a parsed OpenAPI document.
    pub fn from_yaml(yaml: serde_yaml::Value) -> Self {
        let mut doc: Value = serde_json::to_value(yaml).expect("openapi.yaml is JSON-compatible");
        if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") {
            schemas.values_mut().for_each(make_strict);
        }
        for part in ["/paths", "/webhooks", "/components/responses"] {
            if let Some(node) = doc.pointer_mut(part) {
                strict_contents(node);
            }
        }
        let mut operations = HashMap::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("path item") {
                let Ok(m) = Method::from_bytes(method.to_ascii_uppercase().as_bytes()) else { continue };
                if op.get("operationId").is_none() {
                    continue;
                }
                let id = op["operationId"].as_str().expect("operationId").to_owned();
                operations.insert((m, path.clone()), (id, format!("/paths/{}/{method}", escape(path))));
            }
        }
        Self { doc, operations, compiled: Mutex::new(HashMap::new()), seen: Mutex::new(BTreeSet::new()) }
    }

    /// The node at `pointer`, following a `$ref` it holds (a response or a header may be one).
    fn resolve(&self, pointer: &str) -> Option<(String, &Value)> {
        let mut pointer = pointer.to_owned();
        for _ in 0..8 {
            let node = self.doc.pointer(&pointer)?;
            match node.get("$ref").and_then(Value::as_str) {
                Some(r) if r.starts_with("#/") => pointer = r[1..].to_owned(),
                _ => return Some((pointer, node)),
            }
        }
        None
    }

    /// The validator of the schema at `pointer` (compiled once).
    fn validator(&self, pointer: &str) -> Result<Arc<jsonschema::Validator>, Drift> {
        if let Some(v) = self.compiled.lock().expect("validators").get(pointer) {
            return Ok(v.clone());
        }
        // The schema, with the document's `components` beside it, so every `#/components/...`
        // inside resolves where the document says.
        let mut schema = self.doc.pointer(pointer).cloned().ok_or_else(|| Drift(format!("no schema at {pointer}")))?;
        let Some(root) = schema.as_object_mut() else { return Err(Drift(format!("the schema at {pointer} is not an object"))) };
        root.insert("$schema".into(), json!("https://json-schema.org/draft/2020-12/schema"));
        root.insert("components".into(), self.doc["components"].clone());
        let v = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&schema)
            .map_err(|e| Drift(format!("the schema at {pointer} does not compile: {e}")))?;
        let v = Arc::new(v);
        self.compiled.lock().expect("validators").insert(pointer.to_owned(), v.clone());
        Ok(v)
    }

    /// Validates `instance` against the schema at `pointer`; every error, one a line.
    pub fn validate(&self, pointer: &str, instance: &Value) -> Result<(), Drift> {
        let v = self.validator(pointer)?;
        let errors: Vec<String> = v.iter_errors(instance).map(|e| format!("at `{}`: {e}", e.instance_path())).collect();
        if errors.is_empty() { Ok(()) } else { Err(Drift(errors.join("\n  "))) }
    }

    /// Checks one response to `method path` against the operation's declaration; the name of
    /// what it matched (`createInvitation 201`) or what is wrong.
    pub fn check_response(
        &self,
        method: &Method,
        path: &str,
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<String, Drift> {
        let path = path.split('?').next().unwrap_or_default();
        let content_type = headers.get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(essence);
        // Answers that belong to no operation: documented once for every path.
        if *method == Method::OPTIONS {
            return Ok("preflight".into());
        }
        let (name, response) = if status == StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE {
            // The table in `info.description`: any path, before routing.
            ("any 431".to_owned(), "/components/responses/BadRequest".to_owned())
        } else {
            match find(&usher_http::routes(), method, path) {
                Found::NotFound => ("no such path 404".to_owned(), "/components/responses/NotFound".to_owned()),
                Found::MethodNotAllowed(_) => ("any 405".to_owned(), "/components/responses/MethodNotAllowed".to_owned()),
                Found::Route(route, _) => {
                    let (id, op) = self
                        .operations
                        .get(&(route.method.clone(), route.path.to_owned()))
                        .ok_or_else(|| Drift(format!("{method} {} is served but not in openapi.yaml", route.path)))?;
                    let responses = format!("{op}/responses");
                    let declared = self.doc.pointer(&responses).and_then(Value::as_object).cloned().unwrap_or_default();
                    let code = status.as_str().to_owned();
                    let range = format!("{}XX", &code[..1]);
                    let key =
                        [code.as_str(), range.as_str(), "default"].into_iter().find(|k| declared.contains_key(*k)).ok_or_else(|| {
                            let keys: Vec<&String> = declared.keys().collect();
                            Drift(format!("{id}: status {code} is not declared (it declares {keys:?})"))
                        })?;
                    (format!("{id} {code}"), format!("{responses}/{}", escape(key)))
                }
            }
        };
        self.seen.lock().expect("seen").insert(name.clone());
        self.record();
        let fail = |why: String| Drift(format!("{name}: {why}"));
        let (at, declaration) = self.resolve(&response).ok_or_else(|| fail(format!("{response} does not resolve")))?;
        self.check_headers(&at, declaration, headers).map_err(|d| fail(d.0))?;
        let content = declaration.get("content").and_then(Value::as_object);
        let Some(content) = content.filter(|c| !c.is_empty()) else {
            return if body.is_empty() {
                Ok(name)
            } else {
                Err(fail(format!("declares no body, got {} bytes ({content_type:?})", body.len())))
            };
        };
        let media =
            content_type.ok_or_else(|| fail(format!("a body is declared ({:?}), none came", content.keys().collect::<Vec<_>>())))?;
        if !content.contains_key(&media) {
            return Err(fail(format!("Content-Type `{media}` is not declared (it declares {:?})", content.keys().collect::<Vec<_>>())));
        }
        if !is_json(&media) {
            return Ok(name);
        }
        let value: Value = serde_json::from_slice(body).map_err(|e| fail(format!("`{media}` body is not JSON: {e}")))?;
        let schema = format!("{at}/content/{}/schema", escape(&media));
        self.validate(&schema, &value).map_err(|d| fail(format!("the body does not match {schema}:\n  {}\nbody: {value}", d.0)))?;
        if media == "application/problem+json" && value["status"].as_u64() != Some(u64::from(status.as_u16())) {
            return Err(fail(format!("the problem's `status` {} is not the HTTP status", value["status"])));
        }
        Ok(name)
    }

    /// The headers a response declares, when present, must match their schemas; and the
    /// contract's own headers (`Location`, `Retry-After`, ...) must be declared where they come.
    fn check_headers(&self, at: &str, declaration: &Value, headers: &HeaderMap) -> Result<(), Drift> {
        let declared: BTreeMap<String, String> = declaration
            .get("headers")
            .and_then(Value::as_object)
            .map(|h| h.keys().map(|k| (k.to_ascii_lowercase(), format!("{at}/headers/{}", escape(k)))).collect())
            .unwrap_or_default();
        for name in ["location", "retry-after", "idempotent-replayed", "www-authenticate", "allow", "content-disposition"] {
            let Some(value) = headers.get(name).and_then(|v| v.to_str().ok()) else { continue };
            let Some(pointer) = declared.get(name) else {
                return Err(Drift(format!("header `{name}: {value}` is not declared for this response")));
            };
            let (header_at, header) = self.resolve(pointer).ok_or_else(|| Drift(format!("{pointer} does not resolve")))?;
            if header.get("schema").is_some() {
                let schema = format!("{header_at}/schema");
                let as_json = match header["schema"]["type"].as_str() {
                    Some("integer") => value.parse::<i64>().map(Value::from).unwrap_or_else(|_| Value::String(value.to_owned())),
                    _ => Value::String(value.to_owned()),
                };
                self.validate(&schema, &as_json).map_err(|d| Drift(format!("header `{name}: {value}`: {}", d.0)))?;
            }
        }
        Ok(())
    }

    /// Checks an event for the host application (`usherEvent`'s body, a line of `events.jsonl`)
    /// against `components/schemas/CloudEvent`, which pins `data.resource` to the schema of the
    /// resource its type is about.
    pub fn check_event(&self, event: &Value) -> Result<(), Drift> {
        self.seen.lock().expect("seen").insert(format!("event {}", event["type"].as_str().unwrap_or("?")));
        self.record();
        self.validate("/components/schemas/CloudEvent", event)
            .map_err(|d| Drift(format!("event {} ({}): {}\nevent: {event}", event["type"], event["id"], d.0)))
    }

    /// What this process has seen so far, one `operationId status` a line.
    pub fn seen(&self) -> Vec<String> {
        self.seen.lock().expect("seen").iter().cloned().collect()
    }

    fn record(&self) {
        let Ok(exe) = std::env::current_exe() else { return };
        let (Some(deps), Some(stem)) = (exe.parent(), exe.file_stem()) else { return };
        let suite = stem.to_string_lossy();
        let suite = suite.rsplit_once('-').map_or(suite.as_ref(), |(name, _hash)| name);
        let dir = deps.join("..").join("openapi-seen");
        let text = self.seen().join("\n") + "\n";
        let _ = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(dir.join(format!("{suite}.txt")), text));
    }
}

/// Fails the test with `why`; or, when `USHER_OPENAPI_DRIFTS` names a file, appends `why` to it
/// and goes on (to list every drift of a suite in one run while fixing the document).
fn drifted(why: String) {
    match std::env::var_os("USHER_OPENAPI_DRIFTS") {
        Some(file) => {
            use std::io::Write as _;
            let mut f = std::fs::OpenOptions::new().create(true).append(true).open(file).expect("USHER_OPENAPI_DRIFTS file");
            writeln!(f, "{}", why.replace('\n', "\n    ")).expect("write drift");
        }
        None => panic!("{why}"),
    }
}

/// Panics, naming the operation, the status and the schema error, when a response does not
/// match `openapi.yaml`.
pub fn assert_response(method: &Method, path: &str, status: StatusCode, headers: &HeaderMap, body: &[u8]) {
    if let Err(Drift(why)) = contract().check_response(method, path, status, headers, body) {
        drifted(format!("the response to {method} {path} drifts from openapi.yaml: {why}"));
    }
}

/// Panics when an event does not match `openapi.yaml`'s `CloudEvent` (its resource included).
pub fn assert_event(event: &Value) {
    if let Err(Drift(why)) = contract().check_event(event) {
        drifted(format!("an event drifts from openapi.yaml: {why}"));
    }
}

/// A copy of the document with one change, to prove a check can fail.
pub fn with_change(change: impl FnOnce(&mut serde_yaml::Value)) -> Contract {
    let mut yaml = crate::repo_yaml("openapi.yaml");
    change(&mut yaml);
    Contract::from_yaml(yaml)
}
