//! Directory upload and bulk-by-person scenarios, run on any store: `tests/directory.rs` on
//! SQLite, `tests/aws.rs` on DynamoDB (moto).

use crate::scim::{OWNER, Provisioned};
use crate::{Reply, TestApp};
use http::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;
use usher_domain::ports::Table;

/// The XLSX media type.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// `PUT /v1/tenants/{t}/directory` with a file as `bearer`.
pub async fn upload(app: &TestApp, tenant: &str, bearer: &str, body: Vec<u8>, content_type: &str) -> Reply {
    app.call_with(Method::PUT, &format!("/v1/tenants/{tenant}/directory"), Some(bearer), Some(body), &[("content-type", content_type)])
        .await
}

/// An XLSX workbook of these rows (the first is the header).
pub fn workbook(rows: &[&[&str]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *v).expect("cell");
        }
    }
    book.save_to_buffer().expect("xlsx")
}

/// The tenant's directory people matching a query string (`status=inactive`...).
pub async fn people(app: &TestApp, tenant: &str, query: &str) -> Vec<Value> {
    let r = app.call(Method::GET, &format!("/v1/tenants/{tenant}/directory/people?limit=100&{query}"), Some(&app.token(OWNER)), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    r.json["data"].as_array().cloned().unwrap_or_default()
}

fn counts(r: &Reply) -> (u64, u64, u64, u64, u64) {
    let n = |k: &str| r.json[k].as_u64().unwrap_or_else(|| panic!("{k} in {}", r.json));
    (n("added"), n("updated"), n("unchanged"), n("deactivated"), n("error_count"))
}

/// A first upload adds its people and lists the rows it could not take; a second (as XLSX)
/// updates what changed, keeps what did not, deactivates the uploaded people it leaves out,
/// and never touches the people the identity provider sent.
pub async fn an_upload_replaces_only_the_uploaded_people_and_counts_what_it_did(table: Arc<dyn Table>) {
    let p = Provisioned::new(table, None, json!({})).await;
    let from_idp = p.user("ida", Some("ida@acme.test")).await;
    let owner = p.app.token(OWNER);
    let csv = "external_id,email,first_name,last_name,title,company,badge\r\n\
               E1,ada@acme.test,Ada,Lovelace,Engineer,Acme North,7\r\n\
               E2,bob@acme.test,Bob,Byte,Driver,Acme South,\r\n\
               E3,,Carol,Cache,Driver,Acme South,\r\n\
               E9,not-an-address,Dan,,,,\r\n\
               E1,ada2@acme.test,Ada,Again,,,\r\n\
               ,,Nobody,Known,,,\r\n";
    let first = upload(&p.app, &p.tenant, &owner, csv.as_bytes().to_vec(), "text/csv").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.json);
    assert_eq!(counts(&first), (3, 0, 0, 0, 3), "{}", first.json);
    let codes: Vec<(u64, &str)> = first.json["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(codes, vec![(4, "invalid_email"), (5, "duplicate_person"), (6, "missing_identity")]);
    assert_eq!(first.json["warnings"], json!(["the column `badge` is not one Usher reads; it was ignored"]));
    assert_eq!(people(&p.app, &p.tenant, "company=Acme%20South").await.len(), 2);

    let second = workbook(&[
        &["External_ID", "Email", "First_Name", "Last_Name", "Title", "Company"],
        &["E1", "ada@acme.test", "Ada", "Lovelace", "Principal Engineer", "Acme North"],
        &["E2", "bob@acme.test", "Bob", "Byte", "Driver", "Acme South"],
        &["E4", "dan@acme.test", "Dan", "Delta", "Driver", "Acme North"],
    ]);
    let again = upload(&p.app, &p.tenant, &owner, second, XLSX).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.json);
    assert_eq!(counts(&again), (1, 1, 1, 1, 0), "{}", again.json);
    let inactive: Vec<String> =
        people(&p.app, &p.tenant, "status=inactive").await.iter().map(|x| x["first_name"].as_str().unwrap().to_owned()).collect();
    assert_eq!(inactive, vec!["Carol"]);
    let ada = people(&p.app, &p.tenant, "q=ada").await;
    assert_eq!(ada[0]["title"], "Principal Engineer", "{ada:?}");
    let idp = p.scim(Method::GET, &format!("/Users/{from_idp}"), None).await;
    assert_eq!((idp.status, idp.json["active"].as_bool()), (StatusCode::OK, Some(true)), "SCIM people are untouched: {}", idp.json);
    let audit = p.app.call(Method::GET, &format!("/v1/tenants/{}/audit", p.tenant), Some(&owner), None).await;
    let uploaded: Vec<&Value> =
        audit.json["data"].as_array().into_iter().flatten().filter(|e| e["action"] == "directory.uploaded").collect();
    assert_eq!(uploaded.len(), 2, "{}", audit.json);
    assert_eq!(uploaded[0]["details"]["deactivated"], 1, "newest first: {}", uploaded[0]);
}

/// Bulk rows may name directory people: the directory gives the address and names; a person
/// with no address, an inactive one and an unknown id are those rows' errors, and the rest
/// are invited as any bulk row is.
pub async fn bulk_rows_naming_directory_people_invite_them_or_say_why_not(table: Arc<dyn Table>) {
    let p = Provisioned::new(table, None, json!({})).await;
    let owner = p.app.token(OWNER);
    let csv = "external_id,email,first_name,last_name,phone,active\r\n\
               E1,ada@acme.test,Ada,Lovelace,+44 20 7946 0000,\r\n\
               E2,,Carol,Cache,,\r\n\
               E3,eve@acme.test,Eve,Gone,,false\r\n";
    assert_eq!(upload(&p.app, &p.tenant, &owner, csv.as_bytes().to_vec(), "text/csv").await.status, StatusCode::OK);
    let id_of = async |q: &str| people(&p.app, &p.tenant, q).await[0]["id"].as_str().expect("id").to_owned();
    let (ada, carol, eve) = (id_of("q=ada").await, id_of("q=carol").await, id_of("q=eve").await);
    let rows = json!({"invitations": [
        {"directory_person_id": ada, "role": "admin"},
        {"directory_person_id": carol, "role": "member"},
        {"directory_person_id": eve, "role": "member"},
        {"directory_person_id": "dp_0000000000000000000000000000dead", "role": "member"},
        {"directory_person_id": ada, "email": "other@acme.test", "role": "member"},
    ]});
    let r = p.app.call(Method::POST, &format!("/v1/tenants/{}/invitations", p.tenant), Some(&owner), Some(rows)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let results = r.json["results"].as_array().expect("results");
    let outcome = |i: usize| (results[i]["outcome"].as_str().unwrap(), results[i]["code"].as_str().unwrap_or(""));
    assert_eq!(outcome(0), ("invited", ""), "{}", results[0]);
    assert_eq!(results[0]["email"], "ada@acme.test");
    assert_eq!(results[0]["directory_person_id"], ada.as_str());
    assert_eq!(results[0]["invitation"]["profile"]["first_name"], "Ada", "the directory gives the names: {}", results[0]);
    assert_eq!(outcome(1), ("error", "missing_email"));
    assert_eq!(outcome(2), ("error", "inactive_person"));
    assert_eq!(results[2]["email"], "eve@acme.test");
    assert_eq!(outcome(3), ("error", "not_found"));
    assert_eq!(outcome(4), ("error", "invalid_request"), "a person or an address, not both: {}", results[4]);
    assert_eq!(p.pending().await, vec![("ada@acme.test".to_owned(), "admin".to_owned())]);
    let invited = people(&p.app, &p.tenant, "status=invited").await;
    assert_eq!(invited.len(), 1);
    assert_eq!(invited[0]["id"], ada.as_str());
}

/// Only `directory.manage` uploads, settled before the file is read: a stranger's garbage is
/// `404`, a member's `403`; a body that is neither CSV nor XLSX is `400`, more than 50,000
/// rows `413`, a file naming nobody `400 missing_column`.
pub async fn only_directory_managers_upload_and_bad_files_are_refused_whole(table: Arc<dyn Table>) {
    let p = Provisioned::new(table, None, json!({})).await;
    let owner = p.app.token(OWNER);
    p.app.member(&p.tenant, OWNER, "mia@acme.test", "member").await;
    let garbage = b"PK\x03\x04 not a workbook".to_vec();
    let stranger = upload(&p.app, &p.tenant, &p.app.token("stranger@else.test"), garbage.clone(), XLSX).await;
    assert_eq!((stranger.status, stranger.json["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{}", stranger.json);
    let member = upload(&p.app, &p.tenant, &p.app.token("mia@acme.test"), garbage.clone(), XLSX).await;
    assert_eq!((member.status, member.json["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{}", member.json);
    let json_body = upload(&p.app, &p.tenant, &owner, b"{}".to_vec(), "application/json").await;
    assert_eq!(json_body.status, StatusCode::BAD_REQUEST, "{}", json_body.json);
    assert_eq!(json_body.json["errors"][0]["code"], "unsupported_media_type");
    let broken = upload(&p.app, &p.tenant, &owner, garbage, XLSX).await;
    assert_eq!((broken.status, broken.json["errors"][0]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_xlsx")));
    let nobody = upload(&p.app, &p.tenant, &owner, b"first_name,title\r\nAda,CTO\r\n".to_vec(), "text/csv").await;
    assert_eq!((nobody.status, nobody.json["errors"][0]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("missing_column")));
    let mut big = String::from("external_id\n");
    for i in 0..50_001 {
        big.push_str(&format!("{i}\n"));
    }
    let too_many = upload(&p.app, &p.tenant, &owner, big.into_bytes(), "text/csv").await;
    assert_eq!(too_many.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", too_many.json);
    assert!(people(&p.app, &p.tenant, "").await.iter().all(|x| x["source"] == "scim"), "nothing was written");
}

/// One upload at a time: a running one's lease answers `409 invalid_state`; the lease of one
/// that died lapses after 15 minutes.
pub async fn one_upload_runs_at_a_time_and_a_dead_ones_lease_lapses(table: Arc<dyn Table>) {
    let p = Provisioned::new(table.clone(), None, json!({})).await;
    let owner = p.app.token(OWNER);
    let t = usher_domain::values::TenantId::parse(&p.tenant).expect("tenant id");
    let lease = usher_domain::schema::create_at(usher_domain::schema::directory_upload_key(&t), &json!({"started_at": p.app.deps.now()}));
    assert_eq!(table.transact(vec![lease]).await.expect("lease"), usher_domain::ports::Committed::Yes);
    let csv = b"email\r\nada@acme.test\r\n".to_vec();
    let busy = upload(&p.app, &p.tenant, &owner, csv.clone(), "text/csv").await;
    assert_eq!((busy.status, busy.json["code"].as_str()), (StatusCode::CONFLICT, Some("invalid_state")), "{}", busy.json);
    p.app.clock.advance_secs(16 * 60);
    let later = upload(&p.app, &p.tenant, &owner, csv.clone(), "text/csv").await;
    assert_eq!(later.status, StatusCode::OK, "{}", later.json);
    let next = upload(&p.app, &p.tenant, &owner, csv, "text/csv").await;
    assert_eq!((next.status, next.json["unchanged"].as_u64()), (StatusCode::OK, Some(1)), "the lease is let go: {}", next.json);
}

/// Runs every scenario on fresh tables from `table`.
pub async fn run_all(table: impl AsyncFn() -> Arc<dyn Table>) {
    an_upload_replaces_only_the_uploaded_people_and_counts_what_it_did(table().await).await;
    bulk_rows_naming_directory_people_invite_them_or_say_why_not(table().await).await;
    only_directory_managers_upload_and_bad_files_are_refused_whole(table().await).await;
    one_upload_runs_at_a_time_and_a_dead_ones_lease_lapses(table().await).await;
}
