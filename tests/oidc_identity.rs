//! Who a person is when their identity provider says it its own way: the name their token
//! carries (`name`, or `given_name` + `family_name`) is what the people they invite read, and an
//! ID token with only `sub` gets its email from the provider's userinfo, asked by the server.

use async_trait::async_trait;
use http::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use usher_domain::usecases::userinfo::UserInfo;
use usher_domain::values::Email;
use usher_http::oidc::{FetchError, UserInfoFailed, UserInfoSource};
use usher_tests::{AUDIENCE, ISSUER, SECRET, TestApp};

/// A token with exactly these claims (plus issuer, audience and times).
fn token_with_claims(app: &TestApp, mut claims: Value) -> String {
    let now = usher_domain::ports::Clock::now(app.clock.as_ref()).unix();
    claims["iss"] = ISSUER.into();
    claims["aud"] = AUDIENCE.into();
    claims["iat"] = now.into();
    claims["exp"] = (now + 365 * 86_400).into();
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(SECRET),
    )
    .expect("mint")
}

/// The provider's userinfo as the test scripts it: the answer for any access token, and the
/// tokens it was asked with.
#[derive(Default)]
struct ScriptedUserInfo {
    answer: Mutex<Option<UserInfo>>,
    asked: Mutex<Vec<String>>,
}

#[async_trait]
impl UserInfoSource for ScriptedUserInfo {
    async fn userinfo(&self, access_token: &str) -> Result<UserInfo, UserInfoFailed> {
        self.asked.lock().unwrap().push(access_token.to_owned());
        self.answer.lock().unwrap().clone().ok_or(UserInfoFailed(FetchError::Status(401)))
    }
}

fn says(subject: &str, email: &str, verified: bool, name: Option<&str>) -> UserInfo {
    UserInfo { subject: subject.into(), email: Some(Email::parse(email).unwrap()), email_verified: verified, name: name.map(Into::into) }
}

fn with_userinfo(app: &mut TestApp) -> Arc<ScriptedUserInfo> {
    let source = Arc::new(ScriptedUserInfo::default());
    app.app = app.app.clone().with_userinfo(source.clone());
    source
}

async fn my_tenants(app: &TestApp, bearer: &str) -> Vec<String> {
    let r = app.call(Method::GET, "/v1/me/tenants", Some(bearer), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    r.json["data"].as_array().unwrap().iter().map(|t| t["tenant_id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn the_name_in_the_owners_token_is_what_their_invitee_reads_once_they_have_signed_in() {
    let app = TestApp::new();
    let tenant = app.tenant("Acme", "owner@acme.test", None).await;
    let owner = token_with_claims(
        &app,
        json!({"sub": "sub|owner@acme.test", "email": "owner@acme.test", "email_verified": true, "name": "Olivia Owner"}),
    );
    let r = app.call(Method::POST, &format!("/v1/me/tenants/{tenant}/sign-in"), Some(&owner), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);

    let r = app
        .call(
            Method::POST,
            &format!("/v1/tenants/{tenant}/invitations"),
            Some(&owner),
            Some(json!({"email": "ivy@example.com", "role": "member"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);

    let mail = app.messages_to("ivy@example.com").pop().expect("invitation email");
    assert!(mail.contains("Olivia Owner"), "the email names the inviter: {mail}");
    let token = app.token_from_email("ivy@example.com");
    let lookup = app.call(Method::POST, "/v1/invitations/lookup", None, Some(json!({"token": token}))).await;
    assert_eq!(lookup.json["inviter_name"], "Olivia Owner", "{}", lookup.json);
    let members = app.call(Method::GET, &format!("/v1/tenants/{tenant}/members"), Some(&owner), None).await;
    assert_eq!(members.json["data"][0]["name"], "Olivia Owner", "{}", members.json);
}

#[tokio::test]
async fn given_and_family_names_stand_in_for_a_missing_name_and_an_invitee_keeps_theirs_on_accepting() {
    let app = TestApp::new();
    let tenant = app.tenant("Acme", "owner@acme.test", None).await;
    let owner = app.token("owner@acme.test");
    app.invite(&tenant, "owner@acme.test", "grace@example.com", "member").await;
    let token = app.token_from_email("grace@example.com");
    let grace = token_with_claims(
        &app,
        json!({"sub": "g-1", "email": "grace@example.com", "email_verified": true, "given_name": "Grace", "family_name": "Hopper"}),
    );
    let r = app.call(Method::POST, "/v1/invitations/accept", Some(&grace), Some(json!({"token": token}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["member"]["name"], "Grace Hopper", "{}", r.json);
    let members = app.call(Method::GET, &format!("/v1/tenants/{tenant}/members?q=grace"), Some(&owner), None).await;
    assert_eq!(members.json["data"][0]["name"], "Grace Hopper", "{}", members.json);
}

#[tokio::test]
async fn an_id_token_with_only_sub_gets_its_email_from_userinfo_and_finds_its_tenant() {
    let mut app = TestApp::new();
    let userinfo = with_userinfo(&mut app);
    let tenant = app.tenant("Acme", "owner@acme.test", None).await;
    let bare = token_with_claims(&app, json!({"sub": "op-sub-1"}));
    assert!(my_tenants(&app, &bare).await.is_empty(), "no email yet: no tenant");

    *userinfo.answer.lock().unwrap() = Some(says("op-sub-1", "owner@acme.test", true, Some("Olivia Owner")));
    let r = app.call(Method::POST, "/v1/me/userinfo", Some(&bare), Some(json!({"access_token": "at-1"}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json, json!({"email": "owner@acme.test", "email_verified": true, "name": "Olivia Owner"}));
    assert_eq!(*userinfo.asked.lock().unwrap(), vec!["at-1".to_owned()], "the server asked the provider with the access token");

    assert_eq!(my_tenants(&app, &bare).await, vec![tenant], "the kept email found the owner's tenant");
}

#[tokio::test]
async fn userinfo_about_another_subject_is_refused_and_nothing_is_kept() {
    let mut app = TestApp::new();
    let userinfo = with_userinfo(&mut app);
    app.tenant("Acme", "owner@acme.test", None).await;
    let bare = token_with_claims(&app, json!({"sub": "attacker"}));
    *userinfo.answer.lock().unwrap() = Some(says("someone-else", "owner@acme.test", true, None));
    let r = app.call(Method::POST, "/v1/me/userinfo", Some(&bare), Some(json!({"access_token": "stolen"}))).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "userinfo_subject_mismatch"), "{}", r.json);
    assert!(my_tenants(&app, &bare).await.is_empty());
}

#[tokio::test]
async fn an_unverified_userinfo_email_is_kept_but_opens_nothing() {
    let mut app = TestApp::new();
    let userinfo = with_userinfo(&mut app);
    app.tenant("Acme", "owner@acme.test", None).await;
    let bare = token_with_claims(&app, json!({"sub": "s-2"}));
    *userinfo.answer.lock().unwrap() = Some(says("s-2", "owner@acme.test", false, None));
    let r = app.call(Method::POST, "/v1/me/userinfo", Some(&bare), Some(json!({"access_token": "at"}))).await;
    assert_eq!((r.status, r.json["email_verified"].clone()), (StatusCode::OK, json!(false)), "{}", r.json);
    assert!(my_tenants(&app, &bare).await.is_empty());
}

#[tokio::test]
async fn a_refused_access_token_is_502_userinfo_failed_and_no_endpoint_is_501() {
    let mut app = TestApp::new();
    let bare = token_with_claims(&app, json!({"sub": "s-3"}));
    let r = app.call(Method::POST, "/v1/me/userinfo", Some(&bare), Some(json!({"access_token": "at"}))).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_IMPLEMENTED, "userinfo_not_configured"), "{}", r.json);

    with_userinfo(&mut app); // answers 401 to every token
    let r = app.call(Method::POST, "/v1/me/userinfo", Some(&bare), Some(json!({"access_token": "at"}))).await;
    assert_eq!((r.status, r.code()), (StatusCode::BAD_GATEWAY, "userinfo_failed"), "{}", r.json);
    assert!(!r.json["detail"].as_str().unwrap_or_default().contains("at"), "no token in the answer: {}", r.json);

    let r = app.call(Method::POST, "/v1/me/userinfo", Some(&bare), Some(json!({"access_token": "", }))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.json);
    let r = app.call(Method::POST, "/v1/me/userinfo", None, Some(json!({"access_token": "at"}))).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.json);
}

#[tokio::test]
async fn a_token_with_its_own_verified_email_is_not_replaced_by_a_kept_one() {
    let mut app = TestApp::new();
    let userinfo = with_userinfo(&mut app);
    let tenant = app.tenant("Acme", "owner@acme.test", None).await;
    let bare = token_with_claims(&app, json!({"sub": "s-4"}));
    *userinfo.answer.lock().unwrap() = Some(says("s-4", "owner@acme.test", true, None));
    app.call(Method::POST, "/v1/me/userinfo", Some(&bare), Some(json!({"access_token": "at"}))).await;
    let own = token_with_claims(&app, json!({"sub": "s-4", "email": "other@example.com", "email_verified": true}));
    assert!(my_tenants(&app, &own).await.is_empty(), "its own email counts, not the kept one");
    assert_eq!(my_tenants(&app, &bare).await, vec![tenant]);
}
