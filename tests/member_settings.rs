//! The seeds' member settings (issue 10): notification settings, record ownership and the host
//! application's metadata on invitations and members, editing a pending invitation, leaving a
//! tenant, and the tenant's domain policy. On the embedded store through the HTTP API.

use http::{Method, StatusCode};
use serde_json::{Value, json};
use usher_tests::TestApp;

const OWNER: &str = "owner@acme.test";

fn path(t: &str, rest: &str) -> String {
    format!("/v1/tenants/{t}{rest}")
}

async fn accept(app: &TestApp, email: &str) -> Value {
    let token = app.token_from_email(email);
    let r = app.call(Method::POST, "/v1/invitations/accept", Some(&app.token(email)), Some(json!({ "token": token }))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    r.json
}

fn audit_actions(audit: &Value) -> Vec<String> {
    audit["data"].as_array().expect("audit page").iter().map(|e| e["action"].as_str().unwrap_or_default().to_owned()).collect()
}

#[tokio::test]
async fn the_settings_on_an_invitation_are_the_members_settings_after_accept() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let body = json!({
        "email": "ada@example.com", "role": "member", "workspaces": ["north", "south"],
        "notifications": {"weekly_summary": true, "weekly_summary_workspaces": ["north"], "new_messages": false},
        "record_owner": true,
        "metadata": {"record_set": "fleet-a", "external_id": 42, "tags": ["x", {"deep": null}]}
    });
    let r = app.call(Method::POST, &path(&t, "/invitations"), Some(&app.token(OWNER)), Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let expected_notifications =
        json!({"weekly_summary": true, "weekly_summary_workspaces": ["north"], "new_messages": false, "renewal_requests": true});
    assert_eq!(r.json["notifications"], expected_notifications);
    assert_eq!(r.json["record_owner"], true);
    assert_eq!(r.json["metadata"]["tags"][1], json!({"deep": null}));

    let accepted = accept(&app, "ada@example.com").await;
    let m = &accepted["member"];
    assert_eq!(m["notifications"], expected_notifications);
    assert_eq!(m["record_owner"], true);
    assert_eq!(m["metadata"], json!({"record_set": "fleet-a", "external_id": 42, "tags": ["x", {"deep": null}]}));
    // And on every later read.
    let list = app.call(Method::GET, &path(&t, "/members?q=ada"), Some(&app.token(OWNER)), None).await;
    assert_eq!(list.json["data"][0]["metadata"]["record_set"], "fleet-a", "{}", list.json);
}

#[tokio::test]
async fn an_invitation_without_settings_gets_the_documented_defaults() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let r = app.invite(&t, OWNER, "bo@example.com", "member").await;
    assert_eq!(
        r.json["notifications"],
        json!({"weekly_summary": false, "weekly_summary_workspaces": [], "new_messages": true, "renewal_requests": true})
    );
    assert_eq!(r.json["record_owner"], false);
    assert_eq!(r.json["metadata"], json!({}));
}

#[tokio::test]
async fn bad_settings_are_reported_per_field_and_nothing_is_saved() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let cases = [
        (
            json!({"workspaces": ["north"], "notifications": {"weekly_summary_workspaces": ["south"]}}),
            "notifications.weekly_summary_workspaces",
            "unknown_workspace",
        ),
        (json!({"metadata": [1, 2]}), "metadata", "invalid_type"),
        (json!({"metadata": {"blob": "x".repeat(5000)}}), "metadata", "too_large"),
        (json!({"notifications": {"weekly": true}}), "notifications.weekly", "unknown_field"),
        (json!({"record_owner": "yes"}), "record_owner", "invalid_field"),
    ];
    for (extra, field, code) in cases {
        let mut body = json!({"email": "cy@example.com", "role": "member"});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        let r = app.call(Method::POST, &path(&t, "/invitations"), Some(&app.token(OWNER)), Some(body)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{field}: {}", r.json);
        assert_eq!((r.json["errors"][0]["field"].as_str(), r.json["errors"][0]["code"].as_str()), (Some(field), Some(code)), "{}", r.json);
    }
    let list = app.call(Method::GET, &path(&t, "/invitations"), Some(&app.token(OWNER)), None).await;
    assert_eq!(list.json["data"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn bulk_rows_carry_the_settings_too() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let rows = json!({"invitations": [
        {"email": "a@example.com", "role": "member", "record_owner": true, "metadata": {"set": "a"}},
        {"email": "b@example.com", "role": "member", "metadata": "not an object"},
    ]});
    let r = app.call(Method::POST, &path(&t, "/invitations"), Some(&app.token(OWNER)), Some(rows)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["results"][0]["invitation"]["record_owner"], true);
    assert_eq!(r.json["results"][0]["invitation"]["metadata"], json!({"set": "a"}));
    assert_eq!(r.json["results"][1]["code"], "invalid_request");
    assert_eq!(r.json["results"][1]["errors"][0]["field"], "invitations[1].metadata");
}

#[tokio::test]
async fn a_member_changes_their_own_notifications_but_not_what_the_tenant_decides() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let ada = app.member(&t, OWNER, "ada@example.com", "member").await;
    let me = path(&t, &format!("/members/{ada}"));
    let r =
        app.call(Method::PATCH, &me, Some(&app.token("ada@example.com")), Some(json!({"notifications": {"new_messages": false}}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    // Only the named field changed.
    assert_eq!(r.json["notifications"]["new_messages"], false);
    assert_eq!(r.json["notifications"]["renewal_requests"], true);
    for body in [json!({"record_owner": true}), json!({"metadata": {"x": 1}})] {
        let r = app.call(Method::PATCH, &me, Some(&app.token("ada@example.com")), Some(body.clone())).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{body}: {}", r.json);
    }
    let r = app.call(Method::PATCH, &me, Some(&app.token(OWNER)), Some(json!({"record_owner": true, "metadata": {"x": 1}}))).await;
    assert_eq!((r.json["record_owner"].as_bool(), &r.json["metadata"]), (Some(true), &json!({"x": 1})), "{}", r.json);
    // `null` clears the metadata; leaving it out keeps it.
    let r = app.call(Method::PATCH, &me, Some(&app.token(OWNER)), Some(json!({"record_owner": false}))).await;
    assert_eq!(r.json["metadata"], json!({"x": 1}));
    let r = app.call(Method::PATCH, &me, Some(&app.token(OWNER)), Some(json!({"metadata": null}))).await;
    assert_eq!(r.json["metadata"], json!({}));
}

#[tokio::test]
async fn taking_a_workspace_away_drops_it_from_the_weekly_summary() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let body = json!({"email": "ada@example.com", "role": "member", "workspaces": ["north", "south"],
        "notifications": {"weekly_summary": true, "weekly_summary_workspaces": ["north", "south"]}});
    let r = app.call(Method::POST, &path(&t, "/invitations"), Some(&app.token(OWNER)), Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let ada = accept(&app, "ada@example.com").await["member"]["user_id"].as_str().unwrap().to_owned();
    let me = path(&t, &format!("/members/{ada}"));
    let r = app.call(Method::PATCH, &me, Some(&app.token(OWNER)), Some(json!({"workspaces": ["south"]}))).await;
    assert_eq!(r.json["notifications"]["weekly_summary_workspaces"], json!(["south"]), "{}", r.json);
    // Asking for a summary of a workspace they do not have is refused.
    let r = app
        .call(
            Method::PATCH,
            &me,
            Some(&app.token("ada@example.com")),
            Some(json!({"notifications": {"weekly_summary_workspaces": ["north"]}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.json);
    assert_eq!(r.json["errors"][0]["code"], "unknown_workspace");
}

#[tokio::test]
async fn an_admin_corrects_a_pending_invitation_without_a_new_email_and_the_old_link_grants_the_new_role() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let inv = app.invite(&t, OWNER, "ada@example.com", "member").await;
    let id = inv.json["id"].as_str().unwrap().to_owned();
    let emails_before = app.messages_to("ada@example.com").len();
    let r = app
        .call(
            Method::PATCH,
            &path(&t, &format!("/invitations/{id}")),
            Some(&app.token(OWNER)),
            Some(json!({"role": "admin", "workspaces": ["north"], "profile": {"first_name": "Ada"}, "record_owner": true})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!((r.json["role"].as_str(), r.json["profile"]["first_name"].as_str()), (Some("admin"), Some("Ada")));
    assert_eq!(r.json["expires_at"], inv.json["expires_at"], "the link's expiry is unchanged");
    assert_eq!(r.json["resend_count"], 0);
    assert_eq!(app.messages_to("ada@example.com").len(), emails_before, "no new email");
    let accepted = accept(&app, "ada@example.com").await;
    assert_eq!(accepted["member"]["role"], "admin");
    assert_eq!(accepted["member"]["workspaces"], json!(["north"]));
    assert_eq!(accepted["member"]["record_owner"], true);
    // Now it is accepted: no more edits.
    let r =
        app.call(Method::PATCH, &path(&t, &format!("/invitations/{id}")), Some(&app.token(OWNER)), Some(json!({"role": "viewer"}))).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "invalid_state"), "{}", r.json);
    let audit = app.call(Method::GET, &path(&t, "/audit"), Some(&app.token(OWNER)), None).await;
    assert!(audit_actions(&audit.json).contains(&"invitation.updated".to_owned()), "{}", audit.json);
}

#[tokio::test]
async fn editing_an_invitation_follows_the_grant_rule_both_ways() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    app.member(&t, OWNER, "admin@acme.test", "admin").await;
    let to_owner = app.invite(&t, OWNER, "boss@example.com", "owner").await;
    let to_member = app.invite(&t, OWNER, "ada@example.com", "member").await;
    let admin = app.token("admin@acme.test");
    // An admin cannot touch an owner invitation, nor turn one into it.
    let r = app
        .call(
            Method::PATCH,
            &path(&t, &format!("/invitations/{}", to_owner.json["id"].as_str().unwrap())),
            Some(&admin),
            Some(json!({"role": "member"})),
        )
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "role_not_grantable"), "{}", r.json);
    let member_inv = path(&t, &format!("/invitations/{}", to_member.json["id"].as_str().unwrap()));
    let r = app.call(Method::PATCH, &member_inv, Some(&admin), Some(json!({"role": "owner"}))).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "role_not_grantable"), "{}", r.json);
    let r = app.call(Method::PATCH, &member_inv, Some(&admin), Some(json!({"role": "nope"}))).await;
    assert_eq!((r.status, r.json["errors"][0]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("unknown_role")), "{}", r.json);
    // A plain member may not edit invitations at all.
    app.member(&t, OWNER, "mem@acme.test", "member").await;
    let r = app.call(Method::PATCH, &member_inv, Some(&app.token("mem@acme.test")), Some(json!({"role": "viewer"}))).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"));
    // The refused attempts changed nothing.
    let read = app.call(Method::GET, &member_inv, Some(&app.token(OWNER)), None).await;
    assert_eq!(read.json["role"], "member");
}

#[tokio::test]
async fn an_expired_or_revoked_invitation_cannot_be_edited() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let late = app
        .call(
            Method::POST,
            &path(&t, "/invitations"),
            Some(&app.token(OWNER)),
            Some(json!({"email": "late@example.com", "role": "member", "expires_in_days": 1})),
        )
        .await;
    let gone = app.invite(&t, OWNER, "gone@example.com", "member").await;
    let gone_id = gone.json["id"].as_str().unwrap();
    app.call(Method::DELETE, &path(&t, &format!("/invitations/{gone_id}")), Some(&app.token(OWNER)), None).await;
    app.clock.advance_days(2);
    for id in [late.json["id"].as_str().unwrap(), gone_id] {
        let r = app
            .call(Method::PATCH, &path(&t, &format!("/invitations/{id}")), Some(&app.token(OWNER)), Some(json!({"role": "viewer"})))
            .await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "invalid_state"), "{}", r.json);
    }
}

#[tokio::test]
async fn a_member_leaves_a_tenant_and_it_is_gone_from_their_list_but_the_last_owner_cannot_leave() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, Some(5)).await;
    app.member(&t, OWNER, "ada@example.com", "member").await;
    let ada = app.token("ada@example.com");
    let mine = app.call(Method::GET, "/v1/me/tenants", Some(&ada), None).await;
    assert_eq!(mine.json["data"].as_array().map(Vec::len), Some(1), "{}", mine.json);
    let r = app.call(Method::DELETE, &format!("/v1/me/tenants/{t}"), Some(&ada), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.json);
    let mine = app.call(Method::GET, "/v1/me/tenants", Some(&ada), None).await;
    assert_eq!(mine.json["data"].as_array().map(Vec::len), Some(0), "{}", mine.json);
    // Their seat is free, their access gone, and leaving again is not found.
    let settings = app.call(Method::GET, &path(&t, "/settings"), Some(&app.token(OWNER)), None).await;
    assert_eq!(settings.json["seats"]["members"], 1, "{}", settings.json);
    let r = app.call(Method::GET, &path(&t, "/members"), Some(&ada), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.call(Method::DELETE, &format!("/v1/me/tenants/{t}"), Some(&ada), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The only owner stays.
    let r = app.call(Method::DELETE, &format!("/v1/me/tenants/{t}"), Some(&app.token(OWNER)), None).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "invalid_state"), "{}", r.json);
    let audit = app.call(Method::GET, &path(&t, "/audit"), Some(&app.token(OWNER)), None).await;
    assert!(audit_actions(&audit.json).contains(&"member.left".to_owned()), "{}", audit.json);
    // Invited again later, they can join again.
    app.member(&t, OWNER, "ada@example.com", "viewer").await;
}

#[tokio::test]
async fn the_domain_policy_refuses_outside_addresses_at_invite_in_bulk_and_again_at_accept() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    // Invited before the policy: accept re-checks it.
    app.invite(&t, OWNER, "early@gmail.com", "member").await;
    let owner = app.token(OWNER);
    let r = app
        .call(Method::PATCH, &path(&t, "/settings"), Some(&owner), Some(json!({"allowed_domains": [" @Acme.test ", "bücher.example"]})))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["allowed_domains"], json!(["acme.test", "xn--bcher-kva.example"]));

    let r = app.invite(&t, OWNER, "x@gmail.com", "member").await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "domain_not_allowed"), "{}", r.json);
    // A subdomain is another domain.
    let r = app.invite(&t, OWNER, "x@eu.acme.test", "member").await;
    assert_eq!(r.code(), "domain_not_allowed");
    assert_eq!(app.invite(&t, OWNER, "ok@ACME.test", "member").await.status, StatusCode::CREATED);
    assert_eq!(app.invite(&t, OWNER, "ok@BÜCHER.example", "member").await.status, StatusCode::CREATED);

    let rows =
        json!({"invitations": [{"email": "y@gmail.com", "role": "member"}, {"email": "y@acme.test", "role": "member"}], "dry_run": true});
    let r = app.call(Method::POST, &path(&t, "/invitations"), Some(&owner), Some(rows)).await;
    assert_eq!(r.json["results"][0]["code"], "domain_not_allowed", "{}", r.json);
    assert_eq!(r.json["results"][1]["outcome"], "would_invite");

    let token = app.token_from_email("early@gmail.com");
    let r = app.call(Method::POST, "/v1/invitations/accept", Some(&app.token("early@gmail.com")), Some(json!({"token": token}))).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "domain_not_allowed"), "{}", r.json);
    // Lifting the policy lets the same link work.
    let r = app.call(Method::PATCH, &path(&t, "/settings"), Some(&owner), Some(json!({"allowed_domains": []}))).await;
    assert_eq!(r.json["allowed_domains"], json!([]));
    let r = app.call(Method::POST, "/v1/invitations/accept", Some(&app.token("early@gmail.com")), Some(json!({"token": token}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
}

#[tokio::test]
async fn a_malformed_domain_policy_is_refused_and_only_owners_set_it() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let r = app
        .call(
            Method::PATCH,
            &path(&t, "/settings"),
            Some(&app.token(OWNER)),
            Some(json!({"allowed_domains": ["acme.test", "not a domain", ""]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.json);
    let fields: Vec<&str> = r.json["errors"].as_array().unwrap().iter().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, ["allowed_domains[1]", "allowed_domains[2]"]);
    app.member(&t, OWNER, "admin@acme.test", "admin").await;
    let r = app
        .call(Method::PATCH, &path(&t, "/settings"), Some(&app.token("admin@acme.test")), Some(json!({"allowed_domains": ["acme.test"]})))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let settings = app.call(Method::GET, &path(&t, "/settings"), Some(&app.token(OWNER)), None).await;
    assert_eq!(settings.json["allowed_domains"], json!([]));
}

#[tokio::test]
async fn resend_refuses_an_address_the_domain_policy_no_longer_allows_and_takes_no_seat() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, Some(5)).await;
    let owner = app.token(OWNER);
    let lapsing = app.invite(&t, OWNER, "late@gmail.com", "member").await.json["id"].as_str().expect("id").to_owned();
    app.clock.advance_days(30);
    app.sweep().await;
    let seats = |r: &Value| r["seats"].clone();
    let before = app.call(Method::GET, &path(&t, "/members"), Some(&owner), None).await;
    let r = app.call(Method::PATCH, &path(&t, "/settings"), Some(&owner), Some(json!({"allowed_domains": ["acme.test"]}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);

    // Re-arming the expired one would take a seat for a link accept refuses.
    let r = app.call(Method::POST, &path(&t, &format!("/invitations/{lapsing}/resend")), Some(&owner), None).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "domain_not_allowed"), "{}", r.json);
    let after = app.call(Method::GET, &path(&t, "/members"), Some(&owner), None).await;
    assert_eq!(seats(&after.json), seats(&before.json), "{}", after.json);
    let r = app.call(Method::GET, &path(&t, &format!("/invitations/{lapsing}")), Some(&owner), None).await;
    assert_eq!(r.json["status"], "expired", "{}", r.json);
}

#[tokio::test]
async fn resend_of_a_pending_invitation_outside_the_allowed_domains_sends_nothing() {
    let app = TestApp::new();
    let t = app.tenant("Acme", OWNER, None).await;
    let owner = app.token(OWNER);
    let id = app.invite(&t, OWNER, "early@gmail.com", "member").await.json["id"].as_str().expect("id").to_owned();
    app.deliver_queued().await;
    let sent = app.messages_to("early@gmail.com").len();
    app.call(Method::PATCH, &path(&t, "/settings"), Some(&owner), Some(json!({"allowed_domains": ["acme.test"]}))).await;

    let r = app.call(Method::POST, &path(&t, &format!("/invitations/{id}/resend")), Some(&owner), None).await;
    app.deliver_queued().await;

    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "domain_not_allowed"), "{}", r.json);
    assert_eq!(app.messages_to("early@gmail.com").len(), sent);
}
