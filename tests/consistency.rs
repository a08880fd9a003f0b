//! The served routes, `openapi.yaml`, `template.yaml`, the function crates and the error codes
//! agree. (infra/scripts/check_template.py checks the template's authorizers and environment;
//! tests/iam.rs checks its IAM.)

use std::collections::BTreeSet;
use usher_domain::ErrorCode;

fn openapi() -> serde_yaml::Value {
    usher_tests::repo_yaml("openapi.yaml")
}

#[test]
fn the_routes_served_and_the_openapi_paths_are_the_same_set() {
    let doc = openapi();
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_mapping().expect("paths") {
        for (method, _) in item.as_mapping().expect("path item") {
            let m = method.as_str().expect("key").to_ascii_uppercase();
            if ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&m.as_str()) {
                documented.insert((m, path.as_str().expect("path").to_owned()));
            }
        }
    }
    let served: BTreeSet<(String, String)> = usher_http::routes().iter().map(|r| (r.method.to_string(), r.path.to_owned())).collect();
    let only_served: Vec<_> = served.difference(&documented).collect();
    let only_documented: Vec<_> = documented.difference(&served).collect();
    assert!(
        only_served.is_empty() && only_documented.is_empty(),
        "served but undocumented: {only_served:?}; documented but not served: {only_documented:?}"
    );
    assert_eq!(served.len(), 58);
}

#[test]
fn every_stable_error_code_is_documented_in_openapi() {
    let doc = openapi();
    let documented: BTreeSet<String> = doc["components"]["schemas"]["ErrorCode"]["enum"]
        .as_sequence()
        .expect("ErrorCode enum")
        .iter()
        .map(|v| v.as_str().expect("code").to_owned())
        .collect();
    let all = [
        ErrorCode::InvalidRequest(vec![]),
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::EmailMismatch,
        ErrorCode::RoleNotGrantable,
        ErrorCode::DomainNotAllowed,
        ErrorCode::NotFound,
        ErrorCode::AlreadyInvited,
        ErrorCode::AlreadyMember,
        ErrorCode::SeatLimitReached,
        ErrorCode::IdempotencyConflict,
        ErrorCode::InvalidState,
        ErrorCode::InvitationExpired,
        ErrorCode::InvitationRevoked,
        ErrorCode::InvitationUsed,
        ErrorCode::InvitationDeclined,
        ErrorCode::LinkExpired,
        ErrorCode::LinkDisabled,
        ErrorCode::LinkUsedUp,
        ErrorCode::ConsumerDomain,
        ErrorCode::DomainTaken,
        ErrorCode::MethodNotAllowed,
        ErrorCode::PayloadTooLarge,
        ErrorCode::RateLimited { retry_after: 1 },
        ErrorCode::Internal,
        ErrorCode::Unavailable { retry_after: 1 },
        ErrorCode::UserinfoSubjectMismatch,
        ErrorCode::UserinfoFailed,
        ErrorCode::UserinfoNotConfigured,
    ];
    let codes: BTreeSet<String> = all.iter().map(|c| c.as_str().to_owned()).collect();
    assert_eq!(codes, documented);
}

#[test]
fn every_operation_documents_its_success_and_error_responses() {
    let doc = openapi();
    for (path, item) in doc["paths"].as_mapping().expect("paths") {
        for (method, op) in item.as_mapping().expect("item") {
            if method.as_str() == Some("parameters") {
                continue;
            }
            let responses = op["responses"].as_mapping().expect("responses");
            let statuses: Vec<&str> = responses.keys().filter_map(|k| k.as_str()).collect();
            assert!(statuses.iter().any(|s| s.starts_with('2')), "{method:?} {path:?} has no success response");
            assert!(statuses.contains(&"500"), "{method:?} {path:?} does not document 500");
            assert!(op["operationId"].as_str().is_some(), "{method:?} {path:?} has no operationId");
        }
    }
}

fn template() -> serde_yaml::Value {
    usher_tests::repo_yaml("template.yaml")
}

#[test]
fn the_templates_http_routes_are_the_served_routes_each_on_the_function_that_serves_it() {
    let doc = template();
    let mut in_template = BTreeSet::new();
    let mut binaries = BTreeSet::new();
    let mut pages = BTreeSet::new();
    for (_, resource) in doc["Resources"].as_mapping().expect("resources") {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let binary = resource["Metadata"]["BuildProperties"]["Binary"].as_str().expect("every function names its binary").to_owned();
        binaries.insert(binary.clone());
        if let Some(events) = resource["Properties"]["Events"].as_mapping() {
            for (_, event) in events {
                if event["Type"].as_str() == Some("HttpApi") {
                    let method = event["Properties"]["Method"].as_str().expect("method").to_ascii_uppercase();
                    let path = event["Properties"]["Path"].as_str().expect("path").to_owned();
                    if binary == "web" {
                        assert_eq!(event["Properties"]["Auth"]["Authorizer"].as_str(), Some("NONE"), "the page {path} is public");
                        pages.insert((method, path));
                    } else if binary == "scim" {
                        // SCIM checks the tenant's SCIM token itself: one public catch-all.
                        assert_eq!((method.as_str(), path.as_str()), ("ANY", "/scim/v2/{proxy+}"));
                        assert_eq!(event["Properties"]["Auth"]["Authorizer"].as_str(), Some("NONE"), "SCIM's own bearer");
                    } else {
                        in_template.insert((method, path, binary.clone()));
                    }
                }
            }
        }
    }
    let served: BTreeSet<(String, String, String)> =
        usher_http::routes().iter().map(|r| (r.method.to_string(), r.path.to_owned(), r.function.to_owned())).collect();
    assert_eq!(in_template, served, "template.yaml routes (method, path, function) differ from shared/http/src/routes.rs");
    // The rest of the origin: the pages, on the web function.
    let page_routes: BTreeSet<(String, String)> = usher_web::PAGE_ROUTES.iter().map(|p| ("GET".to_owned(), (*p).to_owned())).collect();
    assert_eq!(pages, page_routes, "the web function's routes differ from usher_web::PAGE_ROUTES");
    assert!(served.iter().all(|(_, path, _)| path.starts_with("/v1/")), "the API lives under /v1, apart from the pages");

    // Every function in the template is a crate under functions/, and every crate is deployed.
    let crates: BTreeSet<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../functions"))
        .expect("functions/")
        .filter_map(|e| e.ok().filter(|e| e.path().join("Cargo.toml").exists()).map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    assert_eq!(binaries, crates);
    let mut expected: BTreeSet<String> = usher_http::routes::HTTP_FUNCTIONS.iter().map(|f| (*f).to_owned()).collect();
    expected.extend(["expire", "deliver", "publish", "webhook", "feedback", "web", "scim"].map(str::to_owned));
    assert_eq!(crates, expected);
}

/// Every `$ref` in the document, with where it is.
fn refs(node: &serde_yaml::Value, at: &str, out: &mut Vec<(String, String)>) {
    match node {
        serde_yaml::Value::Mapping(map) => {
            for (k, v) in map {
                let key = k.as_str().unwrap_or("?");
                if key == "$ref" {
                    out.push((at.to_owned(), v.as_str().unwrap_or_default().to_owned()));
                } else {
                    refs(v, &format!("{at}/{key}"), out);
                }
            }
        }
        serde_yaml::Value::Sequence(list) => list.iter().enumerate().for_each(|(i, v)| refs(v, &format!("{at}/{i}"), out)),
        _ => {}
    }
}

#[test]
fn every_ref_in_openapi_points_at_something_that_exists() {
    let doc: serde_json::Value = serde_json::to_value(openapi()).unwrap();
    let mut found = Vec::new();
    refs(&openapi(), "", &mut found);
    assert!(found.len() > 100, "{} refs", found.len());
    let broken: Vec<_> = found.iter().filter(|(_, r)| !r.starts_with("#/") || doc.pointer(&r[1..]).is_none()).collect();
    assert!(broken.is_empty(), "refs to nothing: {broken:?}");
}

/// The operations (method, path, operation) of the document.
fn operations(doc: &serde_yaml::Value) -> Vec<(String, String, serde_yaml::Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_mapping().expect("paths") {
        for (method, op) in item.as_mapping().expect("path item") {
            let m = method.as_str().expect("key").to_ascii_uppercase();
            if ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&m.as_str()) {
                out.push((m, path.as_str().expect("path").to_owned(), op.clone()));
            }
        }
    }
    out
}

#[test]
fn every_write_takes_an_idempotency_key_and_declares_the_400_and_409_it_can_answer() {
    // The host answers every POST, PUT, PATCH and DELETE with a bad Idempotency-Key `400` and a
    // reused one `409` (usher_http::App::serve), before the operation runs.
    let doc = openapi();
    let mut wrong = Vec::new();
    for (method, path, op) in operations(&doc) {
        if method == "GET" {
            continue;
        }
        let takes_key = op["parameters"]
            .as_sequence()
            .is_some_and(|ps| ps.iter().any(|p| p["$ref"].as_str() == Some("#/components/parameters/IdempotencyKey")));
        let responses = op["responses"].as_mapping().expect("responses");
        for (what, ok) in [("Idempotency-Key", takes_key), ("400", responses.contains_key("400")), ("409", responses.contains_key("409"))] {
            if !ok {
                wrong.push(format!("{method} {path}: no {what}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn every_signed_in_operation_declares_401_and_every_public_one_does_not() {
    let doc = openapi();
    let public: BTreeSet<(String, String)> = usher_http::routes()
        .iter()
        .filter(|r| r.access == usher_http::Access::Public)
        .map(|r| (r.method.to_string(), r.path.to_owned()))
        .collect();
    for (method, path, op) in operations(&doc) {
        let is_public = public.contains(&(method.clone(), path.clone()));
        let declares_no_security = op["security"].as_sequence().is_some_and(|s| s.is_empty());
        assert_eq!(declares_no_security, is_public, "{method} {path}: `security: []` exactly on the public routes");
        let has_401 = op["responses"].as_mapping().expect("responses").contains_key("401");
        assert_eq!(has_401, !is_public, "{method} {path}: 401 on every signed-in route, none on public ones");
    }
}

#[test]
fn a_response_that_drifts_from_openapi_fails_the_check_naming_the_operation_the_status_and_the_schema_error() {
    use http::{HeaderMap, HeaderValue, Method, StatusCode};
    use usher_tests::openapi::{Drift, contract, with_change};
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    let path = "/v1/tenants/ten_1/roles/site-lead";
    let role = serde_json::json!({
        "name": "site-lead", "builtin": false, "permissions": ["members.read"], "description": null, "members": 0,
        "created_at": "2026-12-01T10:00:00Z", "updated_at": "2026-12-01T10:00:00Z"
    });
    let body = role.to_string();
    assert_eq!(contract().check_response(&Method::GET, path, StatusCode::OK, &headers, body.as_bytes()).unwrap(), "getRole 200");

    // The document changes under the same answer: a field it now requires is missing.
    let stricter = with_change(|doc| {
        let required = doc["components"]["schemas"]["Role"]["required"].as_sequence_mut().unwrap();
        required.push("colour".into());
    });
    let Err(Drift(why)) = stricter.check_response(&Method::GET, path, StatusCode::OK, &headers, body.as_bytes()) else {
        panic!("a missing required field passed")
    };
    assert!(why.starts_with("getRole 200: the body does not match") && why.contains("colour"), "{why}");

    // A field the document does not name (strict mode), a status it does not declare, another
    // content type.
    let mut with_extra = role.clone();
    with_extra["tenant_id"] = "ten_1".into();
    let Err(Drift(why)) = contract().check_response(&Method::GET, path, StatusCode::OK, &headers, with_extra.to_string().as_bytes()) else {
        panic!("an undocumented field passed")
    };
    assert!(why.contains("tenant_id"), "{why}");
    let Err(Drift(why)) = contract().check_response(&Method::GET, path, StatusCode::CONFLICT, &headers, body.as_bytes()) else {
        panic!("an undeclared status passed")
    };
    assert!(why.starts_with("getRole: status 409 is not declared"), "{why}");
    let mut csv = HeaderMap::new();
    csv.insert("content-type", HeaderValue::from_static("text/csv"));
    let Err(Drift(why)) = contract().check_response(&Method::GET, path, StatusCode::OK, &csv, b"name\r\nsite-lead\r\n") else {
        panic!("an undeclared content type passed")
    };
    assert!(why.contains("Content-Type `text/csv` is not declared"), "{why}");
}

/// Every JSON `content.<media>` of the document that has a schema, by JSON pointer.
fn json_contents(node: &serde_json::Value, at: &str, out: &mut Vec<String>) {
    let escape = |s: &str| s.replace('~', "~0").replace('/', "~1");
    let Some(map) = node.as_object() else { return };
    for (k, v) in map {
        let here = format!("{at}/{}", escape(k));
        if k == "content" {
            for (media, m) in v.as_object().into_iter().flatten() {
                if (media == "application/json" || media.ends_with("+json")) && m.get("schema").is_some() {
                    out.push(format!("{here}/{}", escape(media)));
                }
            }
        } else if k != "example" && k != "examples" {
            json_contents(v, &here, out);
        }
    }
}

#[test]
fn every_example_in_openapi_matches_its_schema() {
    // Generated clients, mock servers and the docs show the examples: they must be real answers.
    use usher_tests::openapi::{Drift, contract};
    let doc: serde_json::Value = serde_json::to_value(openapi()).unwrap();
    let mut checked = 0;
    let mut wrong = Vec::new();
    let mut check = |schema: &str, example: &serde_json::Value, what: String| {
        checked += 1;
        if let Err(Drift(why)) = contract().validate(schema, example) {
            wrong.push(format!("{what}:\n  {why}"));
        }
    };
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        for (i, example) in schema["examples"].as_array().into_iter().flatten().enumerate() {
            check(&format!("/components/schemas/{name}"), example, format!("schema {name}, example {i}"));
        }
    }
    let mut contents = Vec::new();
    json_contents(&doc, "", &mut contents);
    for content in contents {
        let media = doc.pointer(&content).unwrap();
        let schema = format!("{content}/schema");
        if let Some(example) = media.get("example") {
            check(&schema, example, content.clone());
        }
        for (name, example) in media["examples"].as_object().into_iter().flatten() {
            check(&schema, &example["value"], format!("{content} ({name})"));
        }
    }
    assert!(checked > 30, "{checked} examples");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn only_the_functions_that_serve_a_listing_with_a_cursor_are_given_the_cursor_secret() {
    let doc = openapi();
    let mut takes_cursor = BTreeSet::new();
    for (path, item) in doc["paths"].as_mapping().expect("paths") {
        for (method, op) in item.as_mapping().expect("operations") {
            let params = op["parameters"].as_sequence().map(Vec::as_slice).unwrap_or_default();
            if params.iter().any(|p| p["$ref"].as_str() == Some("#/components/parameters/Cursor")) {
                takes_cursor.insert((method.as_str().expect("method").to_uppercase(), path.as_str().expect("path").to_owned()));
            }
        }
    }
    assert!(takes_cursor.len() >= 5, "the listings: {takes_cursor:?}");
    let signers: BTreeSet<&str> = usher_http::routes::routes()
        .into_iter()
        .filter(|r| takes_cursor.contains(&(r.method.to_string(), r.path.to_owned())))
        .map(|r| r.function)
        .collect();
    assert_eq!(signers, usher_lambda::CURSOR_FUNCTIONS.iter().copied().collect(), "CURSOR_FUNCTIONS must be exactly these");

    let template = usher_tests::repo_yaml("template.yaml");
    assert!(template["Globals"]["Function"]["Environment"]["Variables"]["USHER_CURSOR_SECRET"].is_null(), "not in every function");
    let mut given = BTreeSet::new();
    for (_, res) in template["Resources"].as_mapping().expect("resources") {
        if !res["Properties"]["Environment"]["Variables"]["USHER_CURSOR_SECRET"].is_null() {
            given.insert(res["Metadata"]["BuildProperties"]["Binary"].as_str().expect("a function").to_owned());
        }
    }
    assert_eq!(given, signers.iter().map(|s| (*s).to_owned()).collect(), "the template gives the secret to exactly those");
}
