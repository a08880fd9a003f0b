//! Email change with confirmation (issue 10, seed 003; API.md "Email change"): an admin asks,
//! the old address is told, the new one gets a link, and only the member, signed in as
//! themself, completes it; the address stays pending until then.

use http::{Method, StatusCode};
use serde_json::json;
use usher_tests::TestApp;

const OWNER: &str = "owner@acme.test";
const ADA: &str = "ada@example.com";
const NEW: &str = "ada.lovelace@example.org";

fn path(t: &str, rest: &str) -> String {
    format!("/v1/tenants/{t}{rest}")
}

/// The confirmation token from the latest email to `email`, as the member reads it.
fn email_token(app: &TestApp, email: &str) -> String {
    let msgs = app.messages_to(email);
    let last = msgs.last().unwrap_or_else(|| panic!("no email to {email}"));
    let at = last.find("#email_token=").expect("confirmation link in email") + "#email_token=".len();
    last[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

async fn setup() -> (TestApp, String, String) {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let ada = app.member(&t, OWNER, ADA, "member").await;
    (app, t, ada)
}

async fn request_change(app: &TestApp, t: &str, user: &str, to: &str) -> usher_tests::Reply {
    app.call(Method::PATCH, &path(t, &format!("/members/{user}")), Some(&app.token(OWNER)), Some(json!({"email": to}))).await
}

async fn confirm(app: &TestApp, as_email: &str, token: &str) -> usher_tests::Reply {
    app.call(Method::POST, "/v1/email-changes/confirm", Some(&app.token(as_email)), Some(json!({"token": token}))).await
}

#[tokio::test]
async fn an_admin_asks_the_old_address_is_told_and_the_member_confirms_from_the_new_one() {
    let (app, t, ada) = setup().await;
    let r = request_change(&app, &t, &ada, NEW).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["email"], ADA, "unchanged until confirmed");
    assert_eq!(r.json["pending_email"]["email"], NEW);
    assert!(r.json["pending_email"]["expires_at"].is_string());
    assert!(r.json["pending_email"].get("token_hash").is_none(), "{}", r.json);

    // The old address hears about it, with the new address masked; the new one gets the link.
    let told = app.messages_to(ADA).last().cloned().unwrap();
    assert!(told.contains("being changed") && told.contains("a***@example.org") && !told.contains(NEW), "{told}");
    assert!(!told.contains("email_token"), "no link to the old address");
    let token = email_token(&app, NEW);

    // The member (their own sign-in, still showing the old address) confirms.
    let r = confirm(&app, ADA, &token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["email"], NEW);
    assert!(r.json.get("pending_email").is_none(), "{}", r.json);

    // Everywhere in the tenant: the listing, the search, and the one-address rule both ways.
    let list = app.call(Method::GET, &path(&t, "/members?q=ada.love"), Some(&app.token(OWNER)), None).await;
    assert_eq!(list.json["data"][0]["email"], NEW, "{}", list.json);
    let r = app.invite(&t, OWNER, NEW, "member").await;
    assert_eq!(r.code(), "already_member");
    let r = app.invite(&t, OWNER, ADA, "member").await;
    assert_eq!(r.status, StatusCode::CREATED, "the old address is free: {}", r.json);
    let csv = app.call(Method::GET, &path(&t, "/members/export?format=csv"), Some(&app.token(OWNER)), None).await;
    assert!(String::from_utf8_lossy(&csv.bytes).contains(NEW));
    let audit = app.call(Method::GET, &path(&t, "/audit"), Some(&app.token(OWNER)), None).await;
    let actions: Vec<&str> = audit.json["data"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"member.email_changed"), "{actions:?}");
    // A link works once.
    let again = confirm(&app, ADA, &token).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "{}", again.json);
}

#[tokio::test]
async fn nobody_changes_their_own_address_this_way_and_members_without_the_permission_cannot_ask() {
    let (app, t, ada) = setup().await;
    let r = app.call(Method::PATCH, &path(&t, &format!("/members/{ada}")), Some(&app.token(ADA)), Some(json!({"email": NEW}))).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"), "{}", r.json);
    let owner_id = app.call(Method::GET, &path(&t, "/members?q=owner"), Some(&app.token(OWNER)), None).await.json["data"][0]["user_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app.call(Method::PATCH, &path(&t, &format!("/members/{owner_id}")), Some(&app.token(OWNER)), Some(json!({"email": NEW}))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "not even an owner on themself: {}", r.json);
    let r = app.call(Method::PATCH, &path(&t, &format!("/members/{owner_id}")), Some(&app.token(ADA)), Some(json!({"email": NEW}))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(app.messages_to(NEW).is_empty());
}

#[tokio::test]
async fn only_the_member_themself_can_confirm_and_a_bad_token_is_clear() {
    let (app, t, ada) = setup().await;
    request_change(&app, &t, &ada, NEW).await;
    let token = email_token(&app, NEW);
    // The owner (an admin), a stranger, or someone who signs in with the new address.
    for who in [OWNER, "stranger@else.test", NEW] {
        let r = confirm(&app, who, &token).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"), "{who}: {}", r.json);
    }
    let r = app.call(Method::POST, "/v1/email-changes/confirm", None, Some(json!({"token": token}))).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = confirm(&app, ADA, "not-a-token").await;
    assert_eq!((r.status, r.json["errors"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("token")));
    let r = confirm(&app, ADA, &"A".repeat(43)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // An invitation token is not an email-change token (and the reverse).
    let r = app.call(Method::POST, "/v1/invitations/lookup", None, Some(json!({"token": token}))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.json);
    // Still pending, still confirmable by Ada.
    assert_eq!(confirm(&app, ADA, &token).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_new_request_replaces_the_pending_one_and_the_current_address_calls_it_off() {
    let (app, t, ada) = setup().await;
    request_change(&app, &t, &ada, "first@example.org").await;
    let first = email_token(&app, "first@example.org");
    let r = request_change(&app, &t, &ada, NEW).await;
    assert_eq!(r.json["pending_email"]["email"], NEW);
    let second = email_token(&app, NEW);
    assert_eq!(confirm(&app, ADA, &first).await.status, StatusCode::NOT_FOUND, "the replaced link");
    // Asking for the current address calls the change off.
    let r = request_change(&app, &t, &ada, ADA).await;
    assert!(r.json.get("pending_email").is_none(), "{}", r.json);
    assert_eq!(confirm(&app, ADA, &second).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_expired_link_is_410_link_expired() {
    let (app, t, ada) = setup().await;
    request_change(&app, &t, &ada, NEW).await;
    let token = email_token(&app, NEW);
    app.clock.advance_days(8);
    let r = confirm(&app, ADA, &token).await;
    assert_eq!((r.status, r.code()), (StatusCode::GONE, "link_expired"), "{}", r.json);
}

#[tokio::test]
async fn the_new_address_must_be_free_in_the_tenant_and_allowed_by_its_policy() {
    let (app, t, ada) = setup().await;
    app.member(&t, OWNER, "taken@example.com", "member").await;
    app.invite(&t, OWNER, "invited@example.com", "member").await;
    assert_eq!(request_change(&app, &t, &ada, "taken@example.com").await.code(), "already_member");
    assert_eq!(request_change(&app, &t, &ada, "invited@example.com").await.code(), "already_invited");
    let r = request_change(&app, &t, &ada, "bad address").await;
    assert_eq!((r.status, r.json["errors"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("email")));
    app.call(Method::PATCH, &path(&t, "/settings"), Some(&app.token(OWNER)), Some(json!({"allowed_domains": ["example.com"]}))).await;
    assert_eq!(request_change(&app, &t, &ada, NEW).await.code(), "domain_not_allowed");

    // Taken between the request and the confirmation: checked again, in the database.
    app.call(Method::PATCH, &path(&t, "/settings"), Some(&app.token(OWNER)), Some(json!({"allowed_domains": []}))).await;
    request_change(&app, &t, &ada, NEW).await;
    let token = email_token(&app, NEW);
    app.invite(&t, OWNER, NEW, "viewer").await;
    let r = confirm(&app, ADA, &token).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "already_invited"), "{}", r.json);
}
