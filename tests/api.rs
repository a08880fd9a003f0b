//! The HTTP API through the real handlers over the embedded store: every endpoint, every error
//! code of API.md. Tokens are read from the outbox; time moves through the clock port.

use http::{Method, StatusCode};
use serde_json::json;
use usher_tests::TestApp;

const OWNER: &str = "owner@acme.test";

async fn setup() -> (TestApp, String) {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    (app, t)
}

fn path(t: &str, rest: &str) -> String {
    format!("/v1/tenants/{t}{rest}")
}

// ---- invite -------------------------------------------------------------------------------

#[tokio::test]
async fn inviting_returns_201_with_the_invitation_queued_and_the_worker_sends_one_email_with_the_link_in_the_fragment() {
    let (app, t) = setup().await;
    let r = app
        .call(
            Method::POST,
            &path(&t, "/invitations"),
            Some(&app.token(OWNER)),
            Some(json!({"email": "  Ada@Example.COM ", "role": "admin", "workspaces": ["north"], "locale": "fr",
                        "profile": {"first_name": "Ada", "last_name": "Lovelace"}, "message": "Bienvenue"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    assert_eq!(r.json["email"], "ada@example.com");
    assert_eq!(r.json["status"], "pending");
    assert_eq!(r.json["role"], "admin");
    assert_eq!(r.json["workspaces"], json!(["north"]));
    assert_eq!(r.json["delivery"], json!({"status": "pending", "attempts": 0, "next_attempt_at": "2026-11-23T09:05:00Z"}), "queued");
    assert_eq!(r.json["expires_at"], "2026-11-30T09:00:00Z");
    let id = r.json["id"].as_str().unwrap();
    let after = app.call(Method::GET, &path(&t, &format!("/invitations/{id}")), Some(&app.token(OWNER)), None).await;
    assert_eq!(after.json["delivery"], json!({"status": "sent", "attempts": 1}), "then sent by the worker");
    assert_eq!(r.json["invited_by"]["email"], OWNER);
    assert!(r.header("location").is_some_and(|l| l.ends_with(r.json["id"].as_str().unwrap())));
    assert!(r.json.get("token").is_none() && !r.bytes.windows(10).any(|w| w == b"token_hash"));
    let mails = app.messages_to("ada@example.com");
    assert_eq!(mails.len(), 1);
    assert!(mails[0].contains("https://app.example/accept#token="));
    assert!(mails[0].contains("vous invite"), "French template");
    assert_eq!(app.token_from_email("ada@example.com").len(), 43);
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_no_store() {
    let (app, t) = setup().await;
    let r = app.call(Method::GET, &path(&t, "/invitations"), Some(&app.token(OWNER)), None).await;
    assert_eq!(r.header("x-request-id"), Some("req-test"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let e = app.call(Method::GET, "/v1/nowhere", None, None).await;
    assert_eq!(e.status, StatusCode::NOT_FOUND);
    assert_eq!(e.header("x-request-id"), Some("req-test"));
}

#[tokio::test]
async fn a_malformed_invitation_is_400_invalid_request_listing_every_bad_field() {
    let (app, t) = setup().await;
    let r = app
        .call(
            Method::POST,
            &path(&t, "/invitations"),
            Some(&app.token(OWNER)),
            Some(
                json!({"email": "not-an-email", "role": "Bad Role", "locale": "xx", "expires_in_days": 0, "profile": {"phone": "call me"}}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.header("content-type"), Some("application/problem+json; charset=utf-8"));
    assert_eq!(r.code(), "invalid_request");
    assert_eq!(r.json["type"], "https://usher.dev/problems/invalid_request");
    assert_eq!(r.json["status"], 400);
    assert_eq!(r.json["request_id"], "req-test");
    let fields: Vec<&str> = r.json["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    for f in ["email", "role", "locale", "expires_in_days", "profile.phone"] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
}

#[tokio::test]
async fn unknown_fields_broken_json_and_a_wrong_content_type_are_400_not_500() {
    let (app, t) = setup().await;
    let owner = app.token(OWNER);
    let unknown = app
        .call(Method::POST, &path(&t, "/invitations"), Some(&owner), Some(json!({"email": "a@b.co", "role": "member", "emial": 1})))
        .await;
    assert_eq!((unknown.status, unknown.code()), (StatusCode::BAD_REQUEST, "invalid_request"));
    assert!(unknown.json["detail"].as_str().unwrap().contains("emial"));
    let broken = app.call_with(Method::POST, &path(&t, "/invitations"), Some(&owner), Some(b"{\"email\":".to_vec()), &[]).await;
    assert_eq!((broken.status, broken.code()), (StatusCode::BAD_REQUEST, "invalid_request"));
    let form = app
        .call_with(Method::POST, &path(&t, "/invitations"), Some(&owner), None, &[("content-type", "application/x-www-form-urlencoded")])
        .await;
    assert_eq!(form.status, StatusCode::BAD_REQUEST);
    let nested = app
        .call(
            Method::POST,
            &path(&t, "/invitations"),
            Some(&owner),
            Some(json!({"email": "a@b.co", "role": "member", "profile": {"nickname": "x"}})),
        )
        .await;
    assert_eq!(nested.status, StatusCode::BAD_REQUEST, "unknown profile fields are refused too");
    let not_an_object = app.call(Method::POST, &path(&t, "/invitations"), Some(&owner), Some(json!([1, 2]))).await;
    assert_eq!(not_an_object.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_empty_bulk_list_is_400_naming_invitations() {
    let (app, t) = setup().await;
    let r = app.call(Method::POST, &path(&t, "/invitations"), Some(&app.token(OWNER)), Some(json!({"invitations": []}))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!((r.json["errors"][0]["field"].as_str(), r.json["errors"][0]["code"].as_str()), (Some("invitations"), Some("required")));
}

#[tokio::test]
async fn a_request_without_a_valid_bearer_token_is_401_with_www_authenticate() {
    let (app, t) = setup().await;
    let none = app.call(Method::GET, &path(&t, "/invitations"), None, None).await;
    assert_eq!((none.status, none.code()), (StatusCode::UNAUTHORIZED, "unauthenticated"));
    assert!(none.header("www-authenticate").unwrap().starts_with("Bearer"));
    let forged = app.token(OWNER).replace('.', ".x");
    let bad = app.call(Method::GET, &path(&t, "/invitations"), Some(&forged), None).await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    let other_secret = usher_http::auth::mint(
        b"another-secret-another-secret-another",
        &usher_http::auth::DevClaims {
            sub: "x".into(),
            email: OWNER.into(),
            email_verified: true,
            name: None,
            usher_operator: false,
            iss: usher_tests::ISSUER.into(),
            aud: usher_tests::AUDIENCE.into(),
            iat: 0,
            exp: i64::MAX / 2,
        },
    )
    .unwrap();
    let r = app.call(Method::GET, &path(&t, "/invitations"), Some(&other_secret), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_token_for_another_audience_or_issuer_or_without_expiry_is_refused() {
    let (app, t) = setup().await;
    let mk = |iss: &str, aud: &str, exp: i64| {
        usher_http::auth::mint(
            usher_tests::SECRET,
            &usher_http::auth::DevClaims {
                sub: format!("sub|{OWNER}"),
                email: OWNER.into(),
                email_verified: true,
                name: None,
                usher_operator: false,
                iss: iss.into(),
                aud: aud.into(),
                iat: 0,
                exp,
            },
        )
        .unwrap()
    };
    let far = 4_000_000_000;
    for (tok, why) in [
        (mk(usher_tests::ISSUER, "someone-else", far), "audience"),
        (mk("https://evil.example", usher_tests::AUDIENCE, far), "issuer"),
        (mk(usher_tests::ISSUER, usher_tests::AUDIENCE, 1_000), "expired"),
    ] {
        let r = app.call(Method::GET, &path(&t, "/invitations"), Some(&tok), None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{why}");
    }
    // alg=none is never accepted.
    let none = format!(
        "{}.{}.",
        b64(r#"{"alg":"none","typ":"JWT"}"#),
        b64(&format!(
            r#"{{"sub":"x","email":"{OWNER}","email_verified":true,"iss":"{}","aud":"{}","exp":{far}}}"#,
            usher_tests::ISSUER,
            usher_tests::AUDIENCE
        ))
    );
    let r = app.call(Method::GET, &path(&t, "/invitations"), Some(&none), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

fn b64(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

#[tokio::test]
async fn someone_outside_the_tenant_gets_404_and_a_member_without_permission_gets_403() {
    let (app, t) = setup().await;
    let stranger = app.invite(&t, "stranger@else.test", "x@y.test", "member").await;
    assert_eq!((stranger.status, stranger.code()), (StatusCode::NOT_FOUND, "not_found"));
    app.member(&t, OWNER, "mia@acme.test", "member").await;
    let r = app.invite(&t, "mia@acme.test", "x@y.test", "member").await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"));
}

#[tokio::test]
async fn an_admin_cannot_grant_owner_and_nobody_grants_a_permission_they_lack() {
    let (app, t) = setup().await;
    app.member(&t, OWNER, "adam@acme.test", "admin").await;
    let r = app.invite(&t, "adam@acme.test", "x@y.test", "owner").await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "role_not_grantable"));
    // A custom role with invitations.create but not members.export cannot hand out an exporter role.
    let owner = app.token(OWNER);
    let put = app
        .call(
            Method::PUT,
            &path(&t, "/roles/recruiter"),
            Some(&owner),
            Some(json!({"permissions": ["invitations.create", "members.read"]})),
        )
        .await;
    assert_eq!(put.status, StatusCode::CREATED, "{}", put.json);
    app.call(Method::PUT, &path(&t, "/roles/exporter"), Some(&owner), Some(json!({"permissions": ["members.export"]}))).await;
    app.member(&t, OWNER, "rita@acme.test", "recruiter").await;
    let denied = app.invite(&t, "rita@acme.test", "x@y.test", "exporter").await;
    assert_eq!(denied.code(), "role_not_grantable");
    let allowed = app.invite(&t, "rita@acme.test", "x@y.test", "viewer").await;
    assert_eq!(allowed.status, StatusCode::CREATED, "{}", allowed.json);
}

#[tokio::test]
async fn inviting_a_pending_address_is_409_already_invited_and_a_member_409_already_member() {
    let (app, t) = setup().await;
    app.invite(&t, OWNER, "ada@example.com", "member").await;
    let again = app.invite(&t, OWNER, "ADA@example.com ", "admin").await;
    assert_eq!((again.status, again.code()), (StatusCode::CONFLICT, "already_invited"));
    let owner_again = app.invite(&t, OWNER, OWNER, "member").await;
    assert_eq!((owner_again.status, owner_again.code()), (StatusCode::CONFLICT, "already_member"));
}

#[tokio::test]
async fn an_overdue_invitation_does_not_block_a_new_one_for_the_same_address() {
    let (app, t) = setup().await;
    let first = app.invite(&t, OWNER, "ada@example.com", "member").await;
    app.clock.advance_days(8);
    let second = app.invite(&t, OWNER, "ada@example.com", "member").await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.json);
    let old = app
        .call(Method::GET, &path(&t, &format!("/invitations/{}", first.json["id"].as_str().unwrap())), Some(&app.token(OWNER)), None)
        .await;
    assert_eq!(old.json["status"], "expired");
    let members = app.call(Method::GET, &path(&t, "/members"), Some(&app.token(OWNER)), None).await;
    assert_eq!(members.json["seats"]["pending"], 1, "the overdue one gave its seat back");
}

#[tokio::test]
async fn the_seat_limit_counts_members_and_pending_invitations_and_is_409_when_reached() {
    let app = TestApp::new();
    let t = app.tenant("Small", OWNER, Some(2)).await;
    assert_eq!(app.invite(&t, OWNER, "a@x.test", "member").await.status, StatusCode::CREATED);
    let full = app.invite(&t, OWNER, "b@x.test", "member").await;
    assert_eq!((full.status, full.code()), (StatusCode::CONFLICT, "seat_limit_reached"));
    let list = app.call(Method::GET, &path(&t, "/invitations"), Some(&app.token(OWNER)), None).await;
    let id = list.json["data"][0]["id"].as_str().unwrap().to_owned();
    app.call(Method::DELETE, &path(&t, &format!("/invitations/{id}")), Some(&app.token(OWNER)), None).await;
    assert_eq!(app.invite(&t, OWNER, "b@x.test", "member").await.status, StatusCode::CREATED, "revoking freed the seat");
    let m = app.call(Method::GET, &path(&t, "/members"), Some(&app.token(OWNER)), None).await;
    assert_eq!(m.json["seats"], json!({"limit": 2, "members": 1, "pending": 1, "available": 0}));
    assert_eq!(m.json["roles"], json!({"owner": 1}));
}

#[tokio::test]
async fn a_failed_email_keeps_the_invitation_visible_as_failed_and_the_sweep_delivers_it_later() {
    let (app, t) = setup().await;
    app.mail_fails(true);
    let r = app.invite(&t, OWNER, "ada@example.com", "member").await;
    assert_eq!(r.status, StatusCode::CREATED);
    let id = r.json["id"].as_str().unwrap();
    let r = app.call(Method::GET, &path(&t, &format!("/invitations/{id}")), Some(&app.token(OWNER)), None).await;
    assert_eq!(r.json["delivery"]["status"], "failed");
    assert!(r.json["delivery"]["last_error"].as_str().unwrap().contains("unavailable"));
    assert_eq!(r.json["delivery"]["next_attempt_at"], "2026-11-23T09:01:00Z");
    let listed = app.call(Method::GET, &path(&t, "/invitations?status=pending"), Some(&app.token(OWNER)), None).await;
    assert_eq!(listed.json["data"][0]["delivery"]["status"], "failed");
    assert!(app.messages_to("ada@example.com").is_empty());

    app.mail_fails(false);
    app.clock.advance_secs(61);
    let summary = app.sweep().await;
    assert_eq!(summary.requeued, 1);
    let mails = app.messages_to("ada@example.com");
    assert_eq!(mails.len(), 1);
    let token = app.token_from_email("ada@example.com");
    let accept = app.call(Method::POST, "/v1/invitations/accept", Some(&app.token("ada@example.com")), Some(json!({"token": token}))).await;
    assert_eq!(accept.status, StatusCode::OK, "the retried link works: {}", accept.json);
}

// ---- lookup / accept / decline ----------------------------------------------------------------

#[tokio::test]
async fn lookup_describes_the_invitation_without_consuming_it_and_masks_the_email() {
    let (app, t) = setup().await;
    app.invite(&t, OWNER, "ada@example.com", "admin").await;
    let token = app.token_from_email("ada@example.com");
    for _ in 0..2 {
        let r = app.call(Method::POST, "/v1/invitations/lookup", None, Some(json!({"token": token}))).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json["tenant_name"], "Acme");
        assert_eq!(r.json["inviter_name"], OWNER);
        assert_eq!(r.json["role"], "admin");
        assert_eq!(r.json["email"], "a***@example.com");
        assert_eq!(r.json["status"], "pending");
        assert_eq!(r.json["expires_at"], "2026-11-30T09:00:00Z");
    }
    let unknown = app.call(Method::POST, "/v1/invitations/lookup", None, Some(json!({"token": "A".repeat(43)}))).await;
    assert_eq!((unknown.status, unknown.code()), (StatusCode::NOT_FOUND, "not_found"));
    let malformed = app.call(Method::POST, "/v1/invitations/lookup", None, Some(json!({"token": "short"}))).await;
    assert_eq!((malformed.status, malformed.code()), (StatusCode::BAD_REQUEST, "invalid_request"));
    let missing = app.call(Method::POST, "/v1/invitations/lookup", None, Some(json!({}))).await;
    assert_eq!(missing.json["errors"][0]["field"], "token");
}

#[tokio::test]
async fn accepting_joins_the_tenant_with_the_role_workspaces_and_profile_and_moves_the_seat() {
    let (app, t) = setup().await;
    app.call(
        Method::POST,
        &path(&t, "/invitations"),
        Some(&app.token(OWNER)),
        Some(json!({"email": "ada@example.com", "role": "admin", "workspaces": ["north", "south"], "profile": {"first_name": "Ada", "employee_number": "E-7"}})),
    )
    .await;
    let token = app.token_from_email("ada@example.com");
    let r = app.call(Method::POST, "/v1/invitations/accept", Some(&app.token("ada@example.com")), Some(json!({"token": token}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["tenant_id"], t.as_str());
    assert_eq!(r.json["tenant_name"], "Acme");
    assert_eq!(r.json["member"]["role"], "admin");
    assert_eq!(r.json["member"]["workspaces"], json!(["north", "south"]));
    assert_eq!(r.json["member"]["profile"]["employee_number"], "E-7");
    let m = app.call(Method::GET, &path(&t, "/members"), Some(&app.token(OWNER)), None).await;
    assert_eq!(m.json["seats"]["members"], 2);
    assert_eq!(m.json["seats"]["pending"], 0);
    assert_eq!(m.json["roles"], json!({"admin": 1, "owner": 1}));
    // The new member can now act with their role.
    let invited = app.invite(&t, "ada@example.com", "bob@example.com", "member").await;
    assert_eq!(invited.status, StatusCode::CREATED);
}

#[tokio::test]
async fn accepting_again_as_the_same_person_returns_200_with_the_same_membership_and_anyone_else_410_used() {
    let (app, t) = setup().await;
    app.invite(&t, OWNER, "ada@example.com", "member").await;
    let token = app.token_from_email("ada@example.com");
    let ada = app.token("ada@example.com");
    let first = app.call(Method::POST, "/v1/invitations/accept", Some(&ada), Some(json!({"token": token}))).await;
    let second = app.call(Method::POST, "/v1/invitations/accept", Some(&ada), Some(json!({"token": token}))).await;
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(first.json["member"]["user_id"], second.json["member"]["user_id"]);
    let eve = app.call(Method::POST, "/v1/invitations/accept", Some(&app.token("eve@example.com")), Some(json!({"token": token}))).await;
    assert_eq!((eve.status, eve.code()), (StatusCode::GONE, "invitation_used"));
}

#[tokio::test]
async fn accepting_with_another_or_an_unverified_email_is_403_email_mismatch_and_the_invitation_stays_pending() {
    let (app, t) = setup().await;
    app.invite(&t, OWNER, "ada@example.com", "member").await;
    let token = app.token_from_email("ada@example.com");
    let eve = app.call(Method::POST, "/v1/invitations/accept", Some(&app.token("eve@example.com")), Some(json!({"token": token}))).await;
    assert_eq!((eve.status, eve.code()), (StatusCode::FORBIDDEN, "email_mismatch"));
    let unverified = app.token_with("ada@example.com", "sub-u", false, false);
    let r = app.call(Method::POST, "/v1/invitations/accept", Some(&unverified), Some(json!({"token": token}))).await;
    assert_eq!(r.code(), "email_mismatch");
    let lookup = app.call(Method::POST, "/v1/invitations/lookup", None, Some(json!({"token": token}))).await;
    assert_eq!(lookup.json["status"], "pending");
    let anonymous = app.call(Method::POST, "/v1/invitations/accept", None, Some(json!({"token": token}))).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn accept_returns_410_when_the_invitation_has_expired() {
    let (app, t) = setup().await;
    app.invite(&t, OWNER, "ada@example.com", "member").await;
    let token = app.token_from_email("ada@example.com");
    app.clock.advance_days(7);
    let r = app.call(Method::POST, "/v1/invitations/accept", Some(&app.token("ada@example.com")), Some(json!({"token": token}))).await;
    assert_eq!((r.status, r.code()), (StatusCode::GONE, "invitation_expired"));
}

#[tokio::test]
async fn accept_returns_410_revoked_and_410_declined_for_closed_invitations() {
    let (app, t) = setup().await;
    let inv = app.invite(&t, OWNER, "ada@example.com", "member").await;
    let token = app.token_from_email("ada@example.com");
    let revoke = app
        .call(Method::DELETE, &path(&t, &format!("/invitations/{}", inv.json["id"].as_str().unwrap())), Some(&app.token(OWNER)), None)
        .await;
    assert_eq!(revoke.json["status"], "revoked");
    let r = app.call(Method::POST, "/v1/invitations/accept", Some(&app.token("ada@example.com")), Some(json!({"token": token}))).await;
    assert_eq!((r.status, r.code()), (StatusCode::GONE, "invitation_revoked"));

    app.invite(&t, OWNER, "bob@example.com", "member").await;
    let bob_token = app.token_from_email("bob@example.com");
    let bob = app.token("bob@example.com");
    let d = app.call(Method::POST, "/v1/invitations/decline", Some(&bob), Some(json!({"token": bob_token, "reason": "wrong team"}))).await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.json);
    assert_eq!(d.json["status"], "declined");
    let again = app.call(Method::POST, "/v1/invitations/decline", Some(&bob), Some(json!({"token": bob_token}))).await;
    assert_eq!(again.status, StatusCode::OK, "declining twice is harmless");
    let r = app.call(Method::POST, "/v1/invitations/accept", Some(&bob), Some(json!({"token": bob_token}))).await;
    assert_eq!((r.status, r.code()), (StatusCode::GONE, "invitation_declined"));
    let list = app.call(Method::GET, &path(&t, "/invitations?status=declined"), Some(&app.token(OWNER)), None).await;
    assert_eq!(list.json["data"][0]["decline_reason"], "wrong team");
    let m = app.call(Method::GET, &path(&t, "/members"), Some(&app.token(OWNER)), None).await;
    assert_eq!(m.json["seats"]["pending"], 0, "declining and revoking freed both seats");
}

#[tokio::test]
async fn declining_someone_elses_invitation_is_403_email_mismatch() {
    let (app, t) = setup().await;
    app.invite(&t, OWNER, "ada@example.com", "member").await;
    let token = app.token_from_email("ada@example.com");
    let r = app.call(Method::POST, "/v1/invitations/decline", Some(&app.token("mallory@example.com")), Some(json!({"token": token}))).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "email_mismatch"));
}

// ---- resend / revoke ----------------------------------------------------------------------------

#[tokio::test]
async fn resending_sends_a_new_token_with_a_fresh_expiry_and_the_old_link_stops_working() {
    let (app, t) = setup().await;
    let inv = app.invite(&t, OWNER, "ada@example.com", "member").await;
    let id = inv.json["id"].as_str().unwrap();
    let old = app.token_from_email("ada@example.com");
    app.clock.advance_days(3);
    let r = app.call(Method::POST, &path(&t, &format!("/invitations/{id}/resend")), Some(&app.token(OWNER)), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["resend_count"], 1);
    assert_eq!(r.json["expires_at"], "2026-12-03T09:00:00Z");
    let new = app.token_from_email("ada@example.com");
    assert_ne!(old, new);
    let ada = app.token("ada@example.com");
    let stale = app.call(Method::POST, "/v1/invitations/accept", Some(&ada), Some(json!({"token": old}))).await;
    assert_eq!((stale.status, stale.code()), (StatusCode::GONE, "invitation_expired"));
    let looked = app.call(Method::POST, "/v1/invitations/lookup", None, Some(json!({"token": old}))).await;
    assert_eq!(looked.json["replaced"], true);
    let fresh = app.call(Method::POST, "/v1/invitations/accept", Some(&ada), Some(json!({"token": new}))).await;
    assert_eq!(fresh.status, StatusCode::OK);
}

#[tokio::test]
async fn resending_re_arms_an_expired_invitation_and_takes_its_seat_back() {
    let app = TestApp::new();
    let t = app.tenant("Small", OWNER, Some(2)).await;
    let inv = app.invite(&t, OWNER, "ada@example.com", "member").await;
    let id = inv.json["id"].as_str().unwrap();
    app.clock.advance_days(8);
    let s = app.sweep().await;
    assert_eq!(s.expired, 1);
    let r = app.call(Method::POST, &path(&t, &format!("/invitations/{id}/resend")), Some(&app.token(OWNER)), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["status"], "pending");
    let full = app.invite(&t, OWNER, "bob@example.com", "member").await;
    assert_eq!(full.code(), "seat_limit_reached", "the re-armed invitation holds the last seat again");
}

#[tokio::test]
async fn resending_or_revoking_a_closed_invitation_is_409_invalid_state() {
    let (app, t) = setup().await;
    app.member(&t, OWNER, "ada@example.com", "member").await;
    let list = app.call(Method::GET, &path(&t, "/invitations?status=accepted"), Some(&app.token(OWNER)), None).await;
    let id = list.json["data"][0]["id"].as_str().unwrap();
    let resend = app.call(Method::POST, &path(&t, &format!("/invitations/{id}/resend")), Some(&app.token(OWNER)), None).await;
    assert_eq!((resend.status, resend.code()), (StatusCode::CONFLICT, "invalid_state"));
    let revoke = app.call(Method::DELETE, &path(&t, &format!("/invitations/{id}")), Some(&app.token(OWNER)), None).await;
    assert_eq!((revoke.status, revoke.code()), (StatusCode::CONFLICT, "invalid_state"));
}

#[tokio::test]
async fn another_tenants_invitation_is_404_not_403() {
    let (app, t) = setup().await;
    let other = app.tenant("Other", "boss@other.test", None).await;
    let inv = app.invite(&other, "boss@other.test", "ada@example.com", "member").await;
    let id = inv.json["id"].as_str().unwrap();
    // Acme's owner names Other's invitation under Acme, and under Other.
    for p in [path(&t, &format!("/invitations/{id}")), path(&other, &format!("/invitations/{id}"))] {
        let r = app.call(Method::DELETE, &p, Some(&app.token(OWNER)), None).await;
        assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"), "{p}");
    }
}

// ---- renewal request ------------------------------------------------------------------------------

#[tokio::test]
async fn an_expired_invitee_can_ask_the_inviter_for_a_new_link_once_an_hour() {
    let (app, t) = setup().await;
    app.invite(&t, OWNER, "ada@example.com", "member").await;
    let token = app.token_from_email("ada@example.com");
    let early = app.call(Method::POST, "/v1/invitations/renewal-request", None, Some(json!({"token": token}))).await;
    assert_eq!((early.status, early.code()), (StatusCode::CONFLICT, "invalid_state"), "still valid");
    app.clock.advance_days(8);
    let r = app.call(Method::POST, "/v1/invitations/renewal-request", None, Some(json!({"token": token}))).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.json);
    assert_eq!(r.json["inviter_notified"], true);
    let to_owner = app.messages_to(OWNER);
    assert_eq!(to_owner.len(), 1);
    assert!(to_owner[0].contains("ada@example.com") && to_owner[0].contains("asks for a new invitation"));
    let again = app.call(Method::POST, "/v1/invitations/renewal-request", None, Some(json!({"token": token}))).await;
    assert_eq!((again.status, again.code()), (StatusCode::TOO_MANY_REQUESTS, "rate_limited"));
    assert_eq!(again.header("retry-after"), Some("3600"));
    app.clock.advance_secs(3600);
    let later = app.call(Method::POST, "/v1/invitations/renewal-request", None, Some(json!({"token": token}))).await;
    assert_eq!(later.status, StatusCode::ACCEPTED);
}

// ---- lists ----------------------------------------------------------------------------------------

#[tokio::test]
async fn listing_invitations_filters_by_status_email_prefix_and_role_and_pages_with_a_cursor() {
    let (app, t) = setup().await;
    for i in 0..7 {
        let role = if i % 2 == 0 { "member" } else { "viewer" };
        app.invite(&t, OWNER, &format!("user{i}@example.com"), role).await;
        app.clock.advance_secs(1);
    }
    app.invite(&t, OWNER, "zed@other.test", "member").await;
    let owner = app.token(OWNER);
    let page1 = app.call(Method::GET, &path(&t, "/invitations?limit=3"), Some(&owner), None).await;
    assert_eq!(page1.json["data"].as_array().unwrap().len(), 3);
    assert_eq!(page1.json["data"][0]["email"], "zed@other.test", "newest first");
    let mut seen = Vec::new();
    let mut cursor = page1.json["next_cursor"].as_str().map(str::to_owned);
    seen.extend(page1.json["data"].as_array().unwrap().iter().map(|i| i["email"].as_str().unwrap().to_owned()));
    while let Some(c) = cursor {
        let p = app.call(Method::GET, &path(&t, &format!("/invitations?limit=3&cursor={c}")), Some(&owner), None).await;
        seen.extend(p.json["data"].as_array().unwrap().iter().map(|i| i["email"].as_str().unwrap().to_owned()));
        cursor = p.json["next_cursor"].as_str().map(str::to_owned);
    }
    assert_eq!(seen.len(), 8);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 8, "no duplicates across pages");

    let viewers = app.call(Method::GET, &path(&t, "/invitations?role=viewer&email=USER"), Some(&owner), None).await;
    assert_eq!(viewers.json["data"].as_array().unwrap().len(), 3);
    let expired = app.call(Method::GET, &path(&t, "/invitations?status=expired"), Some(&owner), None).await;
    assert!(expired.json["data"].as_array().unwrap().is_empty());
    app.clock.advance_days(8);
    let expired = app.call(Method::GET, &path(&t, "/invitations?status=expired"), Some(&owner), None).await;
    assert_eq!(expired.json["data"].as_array().unwrap().len(), 8, "overdue reads as expired before any sweep");
    let pending = app.call(Method::GET, &path(&t, "/invitations?status=pending"), Some(&owner), None).await;
    assert!(pending.json["data"].as_array().unwrap().is_empty(), "an overdue invitation is never shown as pending");
}

#[tokio::test]
async fn bad_listing_parameters_are_400() {
    let (app, t) = setup().await;
    let owner = app.token(OWNER);
    for q in ["limit=0", "limit=101", "limit=abc", "status=open", "cursor=%%%", "cursor=eyJrIjoiTSMxIn0"] {
        let r = app.call(Method::GET, &path(&t, &format!("/invitations?{q}")), Some(&owner), None).await;
        assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "invalid_request"), "{q}");
    }
}

#[tokio::test]
async fn a_cursor_from_another_tenant_is_refused_and_reads_nothing_of_that_tenant() {
    let (app, t) = setup().await;
    let other = app.tenant("Other", "boss@other.test", None).await;
    for i in 0..3 {
        app.invite(&other, "boss@other.test", &format!("secret{i}@other.test"), "member").await;
    }
    let p = app.call(Method::GET, &path(&other, "/invitations?limit=1"), Some(&app.token("boss@other.test")), None).await;
    let cursor = p.json["next_cursor"].as_str().unwrap();
    let r = app.call(Method::GET, &path(&t, &format!("/invitations?cursor={cursor}")), Some(&app.token(OWNER)), None).await;
    assert_eq!((r.status, r.json["errors"][0]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_cursor")), "{}", r.json);
    assert!(!r.bytes.windows(6).any(|w| w == b"secret"), "{}", r.json);
}

#[tokio::test]
async fn listing_members_filters_by_role_and_name_and_a_viewer_sees_only_themself() {
    let (app, t) = setup().await;
    app.call(
        Method::POST,
        &path(&t, "/invitations"),
        Some(&app.token(OWNER)),
        Some(json!({"email": "ada@example.com", "role": "admin", "profile": {"first_name": "Ada", "last_name": "Lovelace"}})),
    )
    .await;
    let token = app.token_from_email("ada@example.com");
    app.call(Method::POST, "/v1/invitations/accept", Some(&app.token("ada@example.com")), Some(json!({"token": token}))).await;
    app.member(&t, OWNER, "vic@example.com", "viewer").await;
    let owner = app.token(OWNER);
    let by_name = app.call(Method::GET, &path(&t, "/members?q=love"), Some(&owner), None).await;
    assert_eq!(by_name.json["data"].as_array().unwrap().len(), 1);
    assert_eq!(by_name.json["data"][0]["name"], "Ada Lovelace");
    let admins = app.call(Method::GET, &path(&t, "/members?role=admin"), Some(&owner), None).await;
    assert_eq!(admins.json["data"][0]["email"], "ada@example.com");
    let viewer = app.call(Method::GET, &path(&t, "/members"), Some(&app.token("vic@example.com")), None).await;
    assert_eq!(viewer.status, StatusCode::OK);
    let emails: Vec<&str> = viewer.json["data"].as_array().unwrap().iter().map(|m| m["email"].as_str().unwrap()).collect();
    assert_eq!(emails, vec!["vic@example.com"]);
    let invitations = app.call(Method::GET, &path(&t, "/invitations"), Some(&app.token("vic@example.com")), None).await;
    assert_eq!(invitations.code(), "forbidden");
}

#[tokio::test]
async fn my_invitations_lists_pending_invitations_to_my_verified_email_across_tenants() {
    let app = TestApp::new();
    let a = app.tenant("Acme", OWNER, None).await;
    let b = app.tenant("Beta", "boss@beta.test", None).await;
    app.invite(&a, OWNER, "ada@example.com", "member").await;
    app.invite(&b, "boss@beta.test", "ada@example.com", "admin").await;
    app.invite(&b, "boss@beta.test", "bob@example.com", "admin").await;
    let r = app.call(Method::GET, "/v1/me/invitations", Some(&app.token("Ada@Example.com")), None).await;
    assert_eq!(r.status, StatusCode::OK);
    let names: Vec<&str> = r.json["data"].as_array().unwrap().iter().map(|i| i["tenant_name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Beta", "Acme"]);
    let unverified = app.token_with("ada@example.com", "s", false, false);
    let r = app.call(Method::GET, "/v1/me/invitations", Some(&unverified), None).await;
    assert_eq!(r.code(), "forbidden");
    app.clock.advance_days(8);
    let later = app.call(Method::GET, "/v1/me/invitations", Some(&app.token("ada@example.com")), None).await;
    assert!(later.json["data"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn my_tenants_lists_every_tenant_i_belong_to_with_my_role_page_by_page() {
    let app = TestApp::new();
    let a = app.tenant("Acme", OWNER, None).await;
    let b = app.tenant("Beta", "boss@beta.test", None).await;
    let c = app.tenant("Gamma", "chief@gamma.test", None).await;
    let ada = app.member(&a, OWNER, "ada@example.com", "member").await;
    app.member(&b, "boss@beta.test", "ada@example.com", "admin").await;
    app.invite(&c, "chief@gamma.test", "ada@example.com", "viewer").await; // pending: not a tenant of hers yet
    let me = app.token("ada@example.com");

    let first = app.call(Method::GET, "/v1/me/tenants?limit=1", Some(&me), None).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.json);
    assert_eq!(first.json["data"][0]["tenant_name"], "Acme", "oldest tenant first");
    assert_eq!(first.json["data"][0]["role"], "member");
    let cursor = first.json["next_cursor"].as_str().expect("a second page");
    let second = app.call(Method::GET, &format!("/v1/me/tenants?limit=1&cursor={cursor}"), Some(&me), None).await;
    assert_eq!((second.json["data"][0]["tenant_name"].as_str(), second.json["data"][0]["role"].as_str()), (Some("Beta"), Some("admin")));
    assert!(second.json["next_cursor"].is_null(), "{}", second.json);

    // Leaving (here: being removed) takes the tenant off the list.
    let removed = app
        .call(
            Method::DELETE,
            &path(&a, &format!("/members/{ada}")),
            Some(&app.token(OWNER)),
            Some(json!({"confirm_email": "ada@example.com"})),
        )
        .await;
    assert!(removed.status.is_success(), "{}", removed.json);
    let after = app.call(Method::GET, "/v1/me/tenants", Some(&me), None).await;
    let names: Vec<&str> = after.json["data"].as_array().unwrap().iter().map(|t| t["tenant_name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Beta"]);

    let stranger = app.call(Method::GET, "/v1/me/tenants", Some(&app.token("nobody@example.com")), None).await;
    assert_eq!((stranger.status, stranger.json["data"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)));
    let bad = app.call(Method::GET, "/v1/me/tenants?cursor=not-ours", Some(&me), None).await;
    assert_eq!(bad.code(), "invalid_request");
}

// ---- members: update, remove --------------------------------------------------------------------

#[tokio::test]
async fn an_admin_changes_a_members_role_and_workspaces_and_a_member_edits_their_own_profile() {
    let (app, t) = setup().await;
    app.member(&t, OWNER, "adam@acme.test", "admin").await;
    let mia = app.member(&t, OWNER, "mia@acme.test", "member").await;
    let r = app
        .call(
            Method::PATCH,
            &path(&t, &format!("/members/{mia}")),
            Some(&app.token("adam@acme.test")),
            Some(json!({"role": "viewer", "workspaces": ["west"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["role"], "viewer");
    assert_eq!(r.json["workspaces"], json!(["west"]));
    let me = app
        .call(
            Method::PATCH,
            &path(&t, &format!("/members/{mia}")),
            Some(&app.token("mia@acme.test")),
            Some(json!({"profile": {"first_name": "Mia", "phone": "+33 1 23"}, "notifications": {"renewal_requests": false}})),
        )
        .await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.json);
    assert_eq!(me.json["name"], "Mia");
    assert_eq!(me.json["notifications"]["renewal_requests"], false);
    let own_role = app
        .call(Method::PATCH, &path(&t, &format!("/members/{mia}")), Some(&app.token("mia@acme.test")), Some(json!({"role": "admin"})))
        .await;
    assert_eq!(own_role.code(), "forbidden");
    let m = app.call(Method::GET, &path(&t, "/members"), Some(&app.token(OWNER)), None).await;
    assert_eq!(m.json["roles"], json!({"admin": 1, "owner": 1, "viewer": 1}));
}

#[tokio::test]
async fn an_admin_cannot_demote_an_owner_and_the_last_owner_cannot_step_down() {
    let (app, t) = setup().await;
    app.member(&t, OWNER, "adam@acme.test", "admin").await;
    let members = app.call(Method::GET, &path(&t, "/members?role=owner"), Some(&app.token(OWNER)), None).await;
    let owner_id = members.json["data"][0]["user_id"].as_str().unwrap().to_owned();
    let r = app
        .call(
            Method::PATCH,
            &path(&t, &format!("/members/{owner_id}")),
            Some(&app.token("adam@acme.test")),
            Some(json!({"role": "member"})),
        )
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "role_not_grantable"));
    let r =
        app.call(Method::PATCH, &path(&t, &format!("/members/{owner_id}")), Some(&app.token(OWNER)), Some(json!({"role": "admin"}))).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "invalid_state"));
}

#[tokio::test]
async fn removing_a_member_needs_their_email_typed_and_frees_the_seat_and_the_address() {
    let (app, t) = setup().await;
    let ada = app.member(&t, OWNER, "ada@example.com", "member").await;
    let owner = app.token(OWNER);
    let p = path(&t, &format!("/members/{ada}"));
    let missing = app.call(Method::DELETE, &p, Some(&owner), None).await;
    assert_eq!((missing.status, missing.json["errors"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("confirm_email")));
    let wrong = app.call(Method::DELETE, &p, Some(&owner), Some(json!({"confirm_email": "bob@example.com"}))).await;
    assert_eq!(wrong.json["errors"][0]["code"], "does_not_match");
    let ok = app.call(Method::DELETE, &p, Some(&owner), Some(json!({"confirm_email": " ADA@example.com"}))).await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT);
    assert!(ok.bytes.is_empty());
    let gone = app.call(Method::DELETE, &p, Some(&owner), Some(json!({"confirm_email": "ada@example.com"}))).await;
    assert_eq!(gone.code(), "not_found");
    let m = app.call(Method::GET, &path(&t, "/members"), Some(&owner), None).await;
    assert_eq!(m.json["seats"]["members"], 1);
    assert_eq!(app.invite(&t, OWNER, "ada@example.com", "member").await.status, StatusCode::CREATED, "the address is free again");
}

#[tokio::test]
async fn the_last_owner_cannot_be_removed() {
    let (app, t) = setup().await;
    let members = app.call(Method::GET, &path(&t, "/members"), Some(&app.token(OWNER)), None).await;
    let owner_id = members.json["data"][0]["user_id"].as_str().unwrap().to_owned();
    let r = app
        .call(Method::DELETE, &path(&t, &format!("/members/{owner_id}")), Some(&app.token(OWNER)), Some(json!({"confirm_email": OWNER})))
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "invalid_state"));
}

// ---- export -----------------------------------------------------------------------------------------

#[tokio::test]
async fn exporting_csv_gives_every_member_and_with_include_the_pending_invitations() {
    let (app, t) = setup().await;
    app.call(
        Method::POST,
        &path(&t, "/invitations"),
        Some(&app.token(OWNER)),
        Some(
            json!({"email": "ada@example.com", "role": "admin", "profile": {"first_name": "=cmd|' /C calc'!A0", "company": "Acme, Inc."}}),
        ),
    )
    .await;
    let token = app.token_from_email("ada@example.com");
    app.call(Method::POST, "/v1/invitations/accept", Some(&app.token("ada@example.com")), Some(json!({"token": token}))).await;
    app.invite(&t, OWNER, "pending@example.com", "viewer").await;
    let owner = app.token(OWNER);
    let r = app.call(Method::GET, &path(&t, "/members/export?format=csv&include=invitations"), Some(&owner), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(r.header("content-disposition").unwrap().starts_with("attachment; filename=\"members-"));
    assert_eq!(&r.bytes[..3], &[0xEF, 0xBB, 0xBF]);
    let mut reader = csv::Reader::from_reader(&r.bytes[3..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(
        header,
        ["id", "name", "username", "role", "email", "phone", "last_login", "employee_number", "company", "created", "updated", "status"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    let ada = rows.iter().find(|r| &r[4] == "ada@example.com").unwrap();
    assert!(ada[1].starts_with("'="), "formula neutralised: {:?}", &ada[1]);
    assert_eq!(&ada[8], "Acme, Inc.");
    assert_eq!(&ada[11], "active");
    assert!(!ada[6].is_empty(), "last_login set at accept");
    let pending = rows.iter().find(|r| &r[4] == "pending@example.com").unwrap();
    assert_eq!(&pending[11], "pending_activation");
    let without = app.call(Method::GET, &path(&t, "/members/export"), Some(&owner), None).await;
    assert_eq!(csv::Reader::from_reader(&without.bytes[3..]).records().count(), 2);
}

#[tokio::test]
async fn exporting_xlsx_gives_a_workbook_and_an_unknown_format_is_400() {
    let (app, t) = setup().await;
    let owner = app.token(OWNER);
    let r = app.call(Method::GET, &path(&t, "/members/export?format=xlsx"), Some(&owner), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
    assert_eq!(&r.bytes[..2], b"PK");
    let bad = app.call(Method::GET, &path(&t, "/members/export?format=pdf"), Some(&owner), None).await;
    assert_eq!((bad.status, bad.code()), (StatusCode::BAD_REQUEST, "invalid_request"));
    app.member(&t, OWNER, "mia@acme.test", "member").await;
    let denied = app.call(Method::GET, &path(&t, "/members/export"), Some(&app.token("mia@acme.test")), None).await;
    assert_eq!(denied.code(), "forbidden");
}

// ---- the sweep ------------------------------------------------------------------------------------

#[tokio::test]
async fn the_sweep_expires_overdue_invitations_frees_their_seats_and_is_a_no_op_the_second_time() {
    let app = TestApp::new();
    let t = app.tenant("Small", OWNER, Some(4)).await;
    app.invite(&t, OWNER, "a@x.test", "member").await;
    app.invite(&t, OWNER, "b@x.test", "member").await;
    app.clock.advance_days(3);
    app.call(
        Method::POST,
        &path(&t, "/invitations"),
        Some(&app.token(OWNER)),
        Some(json!({"email": "c@x.test", "role": "member", "expires_in_days": 30})),
    )
    .await;
    app.clock.advance_days(5);
    let s = app.sweep().await;
    assert_eq!((s.expired, s.scanned), (2, 2));
    let again = app.sweep().await;
    assert_eq!((again.expired, again.scanned), (0, 0), "nothing left in the due index");
    let m = app.call(Method::GET, &path(&t, "/members"), Some(&app.token(OWNER)), None).await;
    assert_eq!(m.json["seats"], json!({"limit": 4, "members": 1, "pending": 1, "available": 2}));
    let audit = app.call(Method::GET, &path(&t, "/audit"), Some(&app.token(OWNER)), None).await;
    let expired = audit.json["data"].as_array().unwrap().iter().filter(|e| e["action"] == "invitation.expired").count();
    assert_eq!(expired, 2);
}

// ---- tenants, roles, audit ----------------------------------------------------------------------------

#[tokio::test]
async fn only_an_operator_creates_tenants_and_changes_their_seat_limit() {
    let (app, t) = setup().await;
    let owner = app.token(OWNER);
    let r = app.call(Method::POST, "/v1/tenants", Some(&owner), Some(json!({"name": "Mine", "owner_email": OWNER}))).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"));
    let bad = app.call(Method::POST, "/v1/tenants", Some(&app.operator()), Some(json!({"name": "", "owner_email": "nope"}))).await;
    assert_eq!(bad.json["errors"].as_array().unwrap().len(), 2);
    // The operator routes refuse a person's token, even the owner's: the plan is the SaaS's.
    for (method, body) in [(Method::GET, None), (Method::PATCH, Some(json!({"name": "Mine now"})))] {
        let r = app.call(method, &format!("/v1/tenants/{t}"), Some(&owner), body).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"), "{}", r.json);
        assert!(r.json["detail"].as_str().unwrap().contains("/settings"), "the problem points people to their route");
    }
    let op = app.call(Method::PATCH, &format!("/v1/tenants/{t}"), Some(&app.operator()), Some(json!({"seat_limit": 10}))).await;
    assert_eq!(op.json["seats"]["limit"], 10);
    let read = app.call(Method::GET, &format!("/v1/tenants/{t}"), Some(&app.operator()), None).await;
    assert_eq!((read.status, read.json["seats"]["limit"].as_u64()), (StatusCode::OK, Some(10)));
    let unlimited =
        app.call(Method::PATCH, &format!("/v1/tenants/{t}"), Some(&app.operator()), Some(json!({"unlimited_seats": true}))).await;
    assert!(unlimited.json["seats"]["limit"].is_null(), "{}", unlimited.json);
}

#[tokio::test]
async fn an_owner_renames_the_tenant_and_sets_its_invitation_lifetime_but_not_its_seats() {
    let (app, t) = setup().await;
    let owner = app.token(OWNER);
    let settings = format!("/v1/tenants/{t}/settings");
    let renamed = app.call(Method::PATCH, &settings, Some(&owner), Some(json!({"name": "Acme Corp", "invitation_ttl_days": 14}))).await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.json);
    assert_eq!(renamed.json["name"], "Acme Corp");
    let seats = app.call(Method::PATCH, &settings, Some(&owner), Some(json!({"seat_limit": 1000}))).await;
    assert_eq!(seats.code(), "forbidden");
    let got = app.call(Method::GET, &settings, Some(&owner), None).await;
    assert_eq!(got.json["invitation_ttl_days"], 14);
    let inv = app.invite(&t, OWNER, "ada@example.com", "member").await;
    assert_eq!(inv.json["expires_at"], "2026-12-07T09:00:00Z", "the tenant's lifetime applies");
    let stranger = app.call(Method::GET, &settings, Some(&app.token("x@y.test")), None).await;
    assert_eq!(stranger.code(), "not_found");
}

#[tokio::test]
async fn custom_roles_are_listed_with_the_built_ins_and_cannot_be_deleted_while_held() {
    let (app, t) = setup().await;
    let owner = app.token(OWNER);
    let put = app
        .call(
            Method::PUT,
            &path(&t, "/roles/billing"),
            Some(&owner),
            Some(json!({"permissions": ["members.read", "members.export"], "description": "Finance"})),
        )
        .await;
    assert_eq!(put.status, StatusCode::CREATED, "{}", put.json);
    let replace = app
        .call(Method::PUT, &path(&t, "/roles/billing"), Some(&owner), Some(json!({"permissions": ["members.export", "members.read"]})))
        .await;
    assert_eq!(replace.status, StatusCode::OK);
    let builtin = app.call(Method::PUT, &path(&t, "/roles/admin"), Some(&owner), Some(json!({"permissions": []}))).await;
    assert_eq!(builtin.code(), "invalid_state");
    let unknown = app.call(Method::PUT, &path(&t, "/roles/x"), Some(&owner), Some(json!({"permissions": ["rockets.launch"]}))).await;
    assert_eq!(unknown.json["errors"][0]["field"], "permissions[0]");
    app.member(&t, OWNER, "bill@acme.test", "billing").await;
    let list = app.call(Method::GET, &path(&t, "/roles"), Some(&owner), None).await;
    let names: Vec<&str> = list.json["data"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["owner", "admin", "member", "viewer", "billing"]);
    let one = app.call(Method::GET, &path(&t, "/roles/billing"), Some(&owner), None).await;
    assert_eq!(one.json["members"], 1);
    let held = app.call(Method::DELETE, &path(&t, "/roles/billing"), Some(&owner), None).await;
    assert_eq!(held.code(), "invalid_state");
    let export = app.call(Method::GET, &path(&t, "/members/export"), Some(&app.token("bill@acme.test")), None).await;
    assert_eq!(export.status, StatusCode::OK, "the custom role's permission works");
    app.call(Method::PUT, &path(&t, "/roles/temp"), Some(&owner), Some(json!({"permissions": []}))).await;
    let deleted = app.call(Method::DELETE, &path(&t, "/roles/temp"), Some(&owner), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let missing = app.call(Method::GET, &path(&t, "/roles/temp"), Some(&owner), None).await;
    assert_eq!(missing.code(), "not_found");
}

#[tokio::test]
async fn the_audit_log_records_every_change_newest_first_and_needs_audit_read() {
    let (app, t) = setup().await;
    let ada = app.member(&t, OWNER, "ada@example.com", "member").await;
    app.call(Method::PATCH, &path(&t, &format!("/members/{ada}")), Some(&app.token(OWNER)), Some(json!({"role": "viewer"}))).await;
    let r = app.call(Method::GET, &path(&t, "/audit?limit=10"), Some(&app.token(OWNER)), None).await;
    assert_eq!(r.status, StatusCode::OK);
    let actions: Vec<&str> = r.json["data"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, vec!["member.updated", "member.added", "invitation.accepted", "invitation.created", "tenant.created"]);
    assert!(!r.bytes.windows(6).any(|w| w == b"token\""), "no tokens in the audit log");
    let denied = app.call(Method::GET, &path(&t, "/audit"), Some(&app.token("ada@example.com")), None).await;
    assert_eq!(denied.code(), "forbidden");
}

// ---- cross-cutting: idempotency, size, CORS, 405, 500 -----------------------------------------------

#[tokio::test]
async fn the_same_idempotency_key_replays_the_first_response_and_a_different_body_is_409() {
    let (app, t) = setup().await;
    let owner = app.token(OWNER);
    let body = json!({"email": "ada@example.com", "role": "member"}).to_string().into_bytes();
    let key = [("idempotency-key", "k-123")];
    let first = app.call_with(Method::POST, &path(&t, "/invitations"), Some(&owner), Some(body.clone()), &key).await;
    let second = app.call_with(Method::POST, &path(&t, "/invitations"), Some(&owner), Some(body), &key).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(second.status, StatusCode::CREATED);
    assert_eq!(first.json["id"], second.json["id"]);
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    assert_eq!(second.header("location"), first.header("location"), "the replay keeps Location");
    assert_eq!(app.messages_to("ada@example.com").len(), 1, "sent once");
    let other = json!({"email": "bob@example.com", "role": "member"}).to_string().into_bytes();
    let conflict = app.call_with(Method::POST, &path(&t, "/invitations"), Some(&owner), Some(other), &key).await;
    assert_eq!((conflict.status, conflict.code()), (StatusCode::CONFLICT, "idempotency_conflict"));
    app.clock.advance_days(2);
    let later = app
        .call_with(
            Method::POST,
            &path(&t, "/invitations"),
            Some(&owner),
            Some(json!({"email": "bob@example.com", "role": "member"}).to_string().into_bytes()),
            &key,
        )
        .await;
    assert_eq!(later.status, StatusCode::CREATED, "after 24 h the key may be reused");
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let (app, t) = setup().await;
    let big = vec![b' '; 65 * 1024];
    let r = app.call_with(Method::POST, &path(&t, "/invitations"), Some(&app.token(OWNER)), Some(big), &[]).await;
    assert_eq!((r.status, r.code()), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"));
}

#[tokio::test]
async fn cors_allows_configured_origins_only_and_answers_preflight() {
    let (app, t) = setup().await;
    let ok = app.call_with(Method::GET, &path(&t, "/members"), Some(&app.token(OWNER)), None, &[("origin", "https://app.example")]).await;
    assert_eq!(ok.header("access-control-allow-origin"), Some("https://app.example"));
    let evil =
        app.call_with(Method::GET, &path(&t, "/members"), Some(&app.token(OWNER)), None, &[("origin", "https://evil.example")]).await;
    assert_eq!(evil.header("access-control-allow-origin"), None);
    let pre = app.call_with(Method::OPTIONS, &path(&t, "/members"), None, None, &[("origin", "https://app.example")]).await;
    assert_eq!(pre.status, StatusCode::NO_CONTENT);
    assert!(pre.header("access-control-allow-headers").unwrap().contains("idempotency-key"));
}

#[tokio::test]
async fn a_known_path_with_the_wrong_method_is_405_with_allow() {
    let (app, t) = setup().await;
    let r = app.call(Method::PUT, &path(&t, "/invitations"), Some(&app.token(OWNER)), None).await;
    assert_eq!((r.status, r.code()), (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"));
    assert_eq!(r.json["status"], 405);
    assert!(r.header("allow").unwrap().contains("POST"));
}

#[tokio::test]
async fn a_storage_outage_is_a_503_unavailable_with_retry_after_and_no_detail_in_the_body() {
    use std::sync::Arc;
    use usher_domain::ports::{Committed, Item, Key, Page, Query, StoreError, Table, Write};
    struct Broken;
    #[async_trait::async_trait]
    impl Table for Broken {
        async fn get(&self, _: &Key) -> Result<Option<Item>, StoreError> {
            Err(StoreError::Unavailable("disk on fire at /var/lib/secret".into()))
        }
        async fn query(&self, _: &Query) -> Result<Page, StoreError> {
            Err(StoreError::Unavailable("disk on fire".into()))
        }
        async fn transact(&self, _: Vec<Write>) -> Result<Committed, StoreError> {
            Err(StoreError::Unavailable("disk on fire".into()))
        }
    }
    let app = TestApp::with_table(Arc::new(Broken));
    let r = app.call(Method::GET, "/v1/tenants/ten_1/invitations", Some(&app.token(OWNER)), None).await;
    assert_eq!((r.status, r.code()), (StatusCode::SERVICE_UNAVAILABLE, "unavailable"), "a store that is down is a 503, not our bug");
    assert_eq!(r.headers.get("retry-after").and_then(|v| v.to_str().ok()), Some("2"));
    assert!(!r.bytes.windows(4).any(|w| w == b"disk"), "{}", r.json);
    assert_eq!(r.json["request_id"], "req-test");
}

#[tokio::test]
async fn a_corrupt_item_is_a_500_internal_with_no_detail_in_the_body() {
    use std::sync::Arc;
    use usher_domain::ports::{Committed, Item, Key, Page, Query, StoreError, Table, Write};
    struct Corrupt;
    #[async_trait::async_trait]
    impl Table for Corrupt {
        async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
            Err(StoreError::Corrupt { key: key.clone(), reason: "secret detail".into() })
        }
        async fn query(&self, _: &Query) -> Result<Page, StoreError> {
            Err(StoreError::Rejected("secret detail".into()))
        }
        async fn transact(&self, _: Vec<Write>) -> Result<Committed, StoreError> {
            Err(StoreError::Rejected("secret detail".into()))
        }
    }
    let app = TestApp::with_table(Arc::new(Corrupt));
    let r = app.call(Method::GET, "/v1/tenants/ten_1/invitations", Some(&app.token(OWNER)), None).await;
    assert_eq!((r.status, r.code()), (StatusCode::INTERNAL_SERVER_ERROR, "internal"));
    assert!(!r.bytes.windows(6).any(|w| w == b"secret"), "{}", r.json);
}

// ---- sign-ins (last login) ----------------------------------------------------------------

#[tokio::test]
async fn a_sign_in_sets_the_members_last_login_and_another_within_a_minute_is_the_same_sign_in() {
    let (app, t) = setup().await;
    let owner = app.token(OWNER);
    let last_login = |json: &serde_json::Value| {
        json["data"].as_array().expect("members").iter().find(|m| m["email"] == OWNER).map(|m| m["last_login_at"].clone())
    };
    let before = app.call(Method::GET, &path(&t, "/members"), Some(&owner), None).await;
    assert_eq!(last_login(&before.json), Some(serde_json::Value::Null), "a provisioned owner has not signed in: {}", before.json);

    let first = app.call(Method::POST, &format!("/v1/me/tenants/{t}/sign-in"), Some(&owner), None).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.json);
    let at = first.json["last_login_at"].clone();
    assert!(at.is_string(), "{}", first.json);
    let listed = app.call(Method::GET, &path(&t, "/members"), Some(&owner), None).await;
    assert_eq!(last_login(&listed.json), Some(at.clone()));

    app.clock.advance_secs(30);
    let again = app.call(Method::POST, &format!("/v1/me/tenants/{t}/sign-in"), Some(&owner), None).await;
    assert_eq!(again.json["last_login_at"], at, "half a minute later it is the same sign-in");
    app.clock.advance_secs(31);
    let later = app.call(Method::POST, &format!("/v1/me/tenants/{t}/sign-in"), Some(&owner), None).await;
    assert_ne!(later.json["last_login_at"], at, "a minute later it is a new one");
    let audit = app.call(Method::GET, &path(&t, "/audit"), Some(&owner), None).await;
    assert!(!audit.json.to_string().contains("sign"), "a sign-in is not an audit event: {}", audit.json);

    let stranger = app.call(Method::POST, &format!("/v1/me/tenants/{t}/sign-in"), Some(&app.token("stranger@example.com")), None).await;
    assert_eq!((stranger.status, stranger.json["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
}
