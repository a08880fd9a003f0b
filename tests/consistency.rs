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
    assert_eq!(served.len(), 33);
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
        ErrorCode::MethodNotAllowed,
        ErrorCode::PayloadTooLarge,
        ErrorCode::RateLimited { retry_after: 1 },
        ErrorCode::Internal,
        ErrorCode::Unavailable { retry_after: 1 },
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
    expected.extend(["expire", "deliver", "publish", "webhook", "feedback", "web"].map(str::to_owned));
    assert_eq!(crates, expected);
}
