//! SCIM scenarios, run on any store: `tests/scim.rs` on SQLite, `tests/aws.rs` on DynamoDB
//! (moto). Each drives `/scim/v2` as an identity provider does and checks what it did to the
//! tenant through the ordinary API.

use crate::{Reply, TestApp};
use bytes::Bytes;
use http::{Method, Request, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;
use usher_domain::ports::Table;
use usher_scim::ScimApp;

/// The owner of the tenant the scenarios provision.
pub const OWNER: &str = "owner@acme.test";

/// A tenant with a SCIM token, and the SCIM app beside the API.
pub struct Provisioned {
    /// The API.
    pub app: TestApp,
    /// SCIM: in process, or the `scim` function binary on the emulated runtime.
    pub scim: ScimEndpoint,
    /// The tenant.
    pub tenant: String,
    /// Its SCIM token.
    pub token: String,
}

impl Provisioned {
    /// A tenant (`seats`: its limit) with a SCIM token made by its owner through the API, and
    /// `settings` applied (`provisioning`, `group_roles`...).
    pub async fn new(table: Arc<dyn Table>, seats: Option<u32>, settings: Value) -> Self {
        Self::served_by(table, seats, settings, None).await
    }

    /// The same, its SCIM served by `function` (the `scim` binary over the same table) when
    /// given, else in process.
    pub async fn served_by(
        table: Arc<dyn Table>,
        seats: Option<u32>,
        settings: Value,
        function: Option<Arc<crate::lambda::Function>>,
    ) -> Self {
        let app = TestApp::with_table(table);
        if function.is_some() {
            // The function keeps real time; the app's clock (the schedule's) starts there too.
            app.clock.set(usher_domain::ports::Clock::now(&usher_store::SystemClock));
        }
        let tenant = app.tenant("Acme", OWNER, seats).await;
        let created = app
            .call(Method::POST, &format!("/v1/tenants/{tenant}/scim-tokens"), Some(&app.token(OWNER)), Some(json!({"name": "Okta"})))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
        let token = created.json["token"].as_str().expect("the token, shown once").to_owned();
        if settings != json!({}) {
            let s =
                app.call(Method::PATCH, &format!("/v1/tenants/{tenant}/directory/settings"), Some(&app.token(OWNER)), Some(settings)).await;
            assert_eq!(s.status, StatusCode::OK, "{}", s.json);
        }
        let scim = match function {
            Some(f) => ScimEndpoint::Lambda(f),
            None => ScimEndpoint::App(Box::new(ScimApp::new(app.deps.clone()))),
        };
        Self { app, scim, tenant, token }
    }

    /// A SCIM call with this tenant's token.
    pub async fn scim(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let r = self.scim.call(&self.token, method, path, body).await;
        // What provisioning queued is sent before the test looks (the outbox).
        self.app.queue.settled().await;
        r
    }

    /// Creates a SCIM user; answers its id.
    pub async fn user(&self, user_name: &str, email: Option<&str>) -> String {
        let mut body = json!({"schemas": [usher_scim::schema::USER], "userName": user_name, "name": {"givenName": "Given", "familyName": user_name}, "active": true});
        if let Some(e) = email {
            body["emails"] = json!([{"value": e, "type": "work", "primary": true}]);
        }
        let r = self.scim(Method::POST, "/Users", Some(body)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        r.json["id"].as_str().expect("id").to_owned()
    }

    /// Creates a group with these members; answers its id.
    pub async fn group(&self, name: &str, members: &[&str]) -> String {
        let members: Vec<Value> = members.iter().map(|m| json!({"value": m})).collect();
        let r = self
            .scim(Method::POST, "/Groups", Some(json!({"schemas": [usher_scim::schema::GROUP], "displayName": name, "members": members})))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        r.json["id"].as_str().expect("id").to_owned()
    }

    /// The tenant's pending invitations, by email → role.
    pub async fn pending(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = match &cursor {
                Some(c) => format!("/v1/tenants/{}/invitations?status=pending&limit=100&cursor={c}", self.tenant),
                None => format!("/v1/tenants/{}/invitations?status=pending&limit=100", self.tenant),
            };
            let r = self.app.call(Method::GET, &page, Some(&self.app.token(OWNER)), None).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.json);
            for i in r.json["data"].as_array().into_iter().flatten() {
                out.push((i["email"].as_str().unwrap_or_default().to_owned(), i["role"].as_str().unwrap_or_default().to_owned()));
            }
            match r.json["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => return out,
            }
        }
    }
}

/// The `scim` function to serve a scenario's SCIM (`None`: in process).
pub type Via = Option<Arc<crate::lambda::Function>>;

/// Where SCIM is served.
pub enum ScimEndpoint {
    /// In process, beside the API.
    App(Box<ScimApp>),
    /// The `scim` function binary on the emulated Lambda runtime, as API Gateway's
    /// `ANY /scim/v2/{proxy+}` invokes it.
    Lambda(Arc<crate::lambda::Function>),
}

impl ScimEndpoint {
    /// A SCIM call with any bearer (`""`: none).
    pub async fn call(&self, token: &str, method: Method, path: &str, body: Option<Value>) -> Reply {
        match self {
            Self::App(scim) => scim_call(scim, token, method, path, body).await,
            Self::Lambda(f) => {
                let bearer = (!token.is_empty()).then_some(token);
                let mut event = crate::lambda::http_event(method.as_str(), &format!("/scim/v2{path}"), bearer, body.as_ref());
                event["routeKey"] = "ANY /scim/v2/{proxy+}".into();
                if body.is_some() {
                    event["headers"]["content-type"] = "application/scim+json".into();
                }
                let resp = f.invoke(event).await.unwrap_or_else(|e| panic!("the scim function failed: {e}"));
                let (status, json, bytes) = crate::lambda::http_answer(&resp);
                let mut headers = http::HeaderMap::new();
                for (k, v) in resp["headers"].as_object().into_iter().flatten() {
                    if let (Ok(k), Some(Ok(v))) = (http::HeaderName::try_from(k.as_str()), v.as_str().map(http::HeaderValue::from_str)) {
                        headers.insert(k, v);
                    }
                }
                Reply { status: StatusCode::from_u16(status).expect("status"), headers, bytes: Bytes::from(bytes), json }
            }
        }
    }
}

/// A SCIM call with any bearer (`""`: none).
pub async fn scim_call(scim: &ScimApp, token: &str, method: Method, path: &str, body: Option<Value>) -> Reply {
    let mut req = Request::builder().method(method).uri(format!("/scim/v2{path}")).header("host", "usher.test");
    if !token.is_empty() {
        req = req.header("authorization", format!("Bearer {token}"));
    }
    let bytes = match body {
        Some(b) => {
            req = req.header("content-type", "application/scim+json");
            Bytes::from(serde_json::to_vec(&b).expect("json"))
        }
        None => Bytes::new(),
    };
    let resp = scim.handle(req.body(bytes).expect("request"), "test").await;
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.body().clone();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Reply { status, headers, bytes, json }
}

fn patch(ops: Value) -> Value {
    json!({"schemas": [usher_scim::schema::PATCH_OP], "Operations": ops})
}

/// Under `invite`, an invitation goes out; the person accepts; `active: false` then takes their
/// access away on their very next request, with `member.removed` (`reason: deprovisioned`).
pub async fn deprovisioning_a_member_removes_their_access_on_their_very_next_request(table: Arc<dyn Table>) {
    let p = Provisioned::new(table, None, json!({"provisioning": "invite"})).await;
    let ada = p.user("ada", Some("ada@acme.test")).await;
    let token = p.app.token_from_email("ada@acme.test");
    let accepted =
        p.app.call(Method::POST, "/v1/invitations/accept", Some(&p.app.token("ada@acme.test")), Some(json!({"token": token}))).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.json);
    let members = format!("/v1/tenants/{}/members", p.tenant);
    let before = p.app.call(Method::GET, &members, Some(&p.app.token("ada@acme.test")), None).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.json);
    let off = p.scim(Method::PATCH, &format!("/Users/{ada}"), Some(patch(json!([{"op": "replace", "value": {"active": false}}])))).await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.json);
    assert_eq!(off.json["active"], false);
    let after = p.app.call(Method::GET, &members, Some(&p.app.token("ada@acme.test")), None).await;
    assert_eq!(after.status, StatusCode::NOT_FOUND, "a deprovisioned member's next request: {}", after.json);
    let audit = p.app.call(Method::GET, &format!("/v1/tenants/{}/audit", p.tenant), Some(&p.app.token(OWNER)), None).await;
    let removed =
        audit.json["data"].as_array().into_iter().flatten().find(|e| e["action"] == "member.removed").expect("a member.removed event");
    assert_eq!(removed["details"]["reason"], "deprovisioned", "{removed}");
    assert!(removed["actor"].is_null(), "the system did it: {removed}");
    // Reactivating gives nothing back by itself; under `invite` it invites again.
    let on =
        p.scim(Method::PATCH, &format!("/Users/{ada}"), Some(patch(json!([{"op": "replace", "path": "active", "value": true}])))).await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.json);
    assert_eq!(p.pending().await, vec![("ada@acme.test".to_owned(), "member".to_owned())]);
}

/// A member whose identity provider renamed their address (the new one holds nothing in the
/// tenant yet) still loses their access when the provider deactivates them: the person keeps
/// the member it was seen as.
pub async fn a_member_renamed_by_the_identity_provider_is_still_deprovisioned(table: Arc<dyn Table>, via: Via) {
    let p = Provisioned::served_by(table, None, json!({"provisioning": "stage"}), via).await;
    let ada = p.user("ada", Some("ada@acme.test")).await;
    let invited = p
        .app
        .call(
            Method::POST,
            &format!("/v1/tenants/{}/invitations", p.tenant),
            Some(&p.app.token(OWNER)),
            Some(json!({"email": "ada@acme.test", "role": "member"})),
        )
        .await;
    assert_eq!(invited.status, StatusCode::CREATED, "{}", invited.json);
    p.app.queue.settled().await;
    let token = p.app.token_from_email("ada@acme.test");
    let accepted =
        p.app.call(Method::POST, "/v1/invitations/accept", Some(&p.app.token("ada@acme.test")), Some(json!({"token": token}))).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.json);
    let renamed = p
        .scim(
            Method::PATCH,
            &format!("/Users/{ada}"),
            Some(patch(json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "ada.lovelace@acme.test"}]))),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.json);
    assert_eq!(renamed.json["emails"][0]["value"], "ada.lovelace@acme.test", "{}", renamed.json);
    let members = format!("/v1/tenants/{}/members", p.tenant);
    let before = p.app.call(Method::GET, &members, Some(&p.app.token("ada@acme.test")), None).await;
    assert_eq!(before.status, StatusCode::OK, "a rename alone takes nothing away: {}", before.json);
    let off =
        p.scim(Method::PATCH, &format!("/Users/{ada}"), Some(patch(json!([{"op": "replace", "path": "active", "value": false}])))).await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.json);
    let after = p.app.call(Method::GET, &members, Some(&p.app.token("ada@acme.test")), None).await;
    assert_eq!(after.status, StatusCode::NOT_FOUND, "the renamed member's next request: {}", after.json);
}

/// Deleting a person with a pending invitation revokes it at once.
pub async fn deleting_a_person_revokes_their_pending_invitation(table: Arc<dyn Table>, via: Via) {
    let p = Provisioned::served_by(table, None, json!({"provisioning": "invite"}), via.clone()).await;
    let bob = p.user("bob", Some("bob@acme.test")).await;
    assert_eq!(p.pending().await.len(), 1);
    let gone = p.scim(Method::DELETE, &format!("/Users/{bob}"), None).await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    assert!(p.pending().await.is_empty(), "the invitation was revoked");
    assert_eq!(p.scim(Method::GET, &format!("/Users/{bob}"), None).await.status, StatusCode::NOT_FOUND);
    // The userName is free again.
    p.user("bob", Some("bob@acme.test")).await;
}

/// A person's invitation takes the highest role their groups map to, and follows the groups.
pub async fn a_person_in_two_mapped_groups_gets_the_higher_role(table: Arc<dyn Table>, via: Via) {
    let p = Provisioned::served_by(
        table,
        None,
        json!({"provisioning": "invite", "group_roles": {"Support": "viewer", "Leads": "admin"}}),
        via.clone(),
    )
    .await;
    let cy = p.user("cy", Some("cy@acme.test")).await;
    assert_eq!(p.pending().await, vec![("cy@acme.test".to_owned(), "member".to_owned())], "no group yet: the default role");
    p.group("Support", &[&cy]).await;
    assert_eq!(p.pending().await[0].1, "viewer");
    let leads = p.group("Leads", &[&cy]).await;
    assert_eq!(p.pending().await[0].1, "admin", "in Support and Leads: the higher role");
    let out = p
        .scim(
            Method::PATCH,
            &format!("/Groups/{leads}"),
            Some(patch(json!([{"op": "remove", "path": format!("members[value eq \"{cy}\"]")}]))),
        )
        .await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.json);
    assert_eq!(p.pending().await[0].1, "viewer", "left Leads: back to Support's role");
    let user = p.scim(Method::GET, &format!("/Users/{cy}"), None).await;
    let groups: Vec<&str> = user.json["groups"].as_array().into_iter().flatten().filter_map(|g| g["display"].as_str()).collect();
    assert_eq!(groups, ["Support"]);
}

/// Seats never fail the identity provider: 200 creates at once against 10 free seats make
/// exactly 10 invitations; the other 190 people are `blocked` with `seat_limit_reached`.
/// `at_once`: how many creates are in flight together (all 200 on SQLite; moto, one process
/// serving every request in turn, times out past a few dozen).
pub async fn two_hundred_creates_against_ten_free_seats_make_ten_invitations_and_190_blocked(
    table: Arc<dyn Table>,
    at_once: usize,
    via: Via,
) {
    // The owner holds one of the 11 seats.
    let p = Arc::new(Provisioned::served_by(table, Some(11), json!({"provisioning": "invite"}), via.clone()).await);
    let calls = (0..200).map(|i| {
        let p = p.clone();
        async move {
            let body = json!({"schemas": [usher_scim::schema::USER], "userName": format!("u{i}"), "emails": [{"value": format!("u{i}@acme.test"), "primary": true}]});
            p.scim(Method::POST, "/Users", Some(body)).await.status
        }
    });
    let statuses: Vec<StatusCode> =
        futures::StreamExt::collect(futures::StreamExt::buffer_unordered(futures::stream::iter(calls), at_once)).await;
    assert!(statuses.iter().all(|s| *s == StatusCode::CREATED), "every SCIM create succeeds: {statuses:?}");
    // An invitation that lost every race for the tenant's counters (DynamoDB under 200 writers
    // at once) is `blocked: unavailable` and tried again by the schedule, like one blocked by
    // the seats; after its retries only the seat limit blocks anyone.
    for _ in 0..3 {
        p.app.clock.advance_secs(usher_domain::usecases::provisioning::BLOCKED_RETRY_SECS + 1);
        p.app.sweep().await;
    }
    assert_eq!(p.pending().await.len(), 10, "exactly the free seats were invited");
    assert_eq!(standing(&p).await, (10, 190, 0));
    let seats = p.app.call(Method::GET, &format!("/v1/tenants/{}/members", p.tenant), Some(&p.app.token(OWNER)), None).await;
    let used = (seats.json["seats"]["members"].as_u64(), seats.json["seats"]["pending"].as_u64());
    assert_eq!(used, (Some(1), Some(10)), "{}", seats.json["seats"]);
    // A seat frees: the schedule's next try invites one blocked person into it.
    let listed = p
        .app
        .call(Method::GET, &format!("/v1/tenants/{}/invitations?status=pending&limit=1", p.tenant), Some(&p.app.token(OWNER)), None)
        .await;
    let inv = listed.json["data"][0]["id"].as_str().expect("an invitation").to_owned();
    let revoked = p.app.call(Method::DELETE, &format!("/v1/tenants/{}/invitations/{inv}", p.tenant), Some(&p.app.token(OWNER)), None).await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.json);
    p.app.clock.advance_secs(usher_domain::usecases::provisioning::BLOCKED_RETRY_SECS + 1);
    p.app.sweep().await;
    // The revoked person stands uninvited (an admin's revocation holds); the seat went to a
    // blocked one.
    assert_eq!(standing(&p).await, (10, 189, 1), "the freed seat went to a blocked person");
}

/// How many directory people are invited, blocked by the seat limit, and neither.
async fn standing(p: &Provisioned) -> (usize, usize, usize) {
    let mut neither = 0;
    let mut blocked = 0;
    let mut invited = 0;
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/tenants/{}/directory/people?limit=100&cursor={c}", p.tenant),
            None => format!("/v1/tenants/{}/directory/people?limit=100", p.tenant),
        };
        let page = p.app.call(Method::GET, &path, Some(&p.app.token(OWNER)), None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.json);
        for person in page.json["data"].as_array().into_iter().flatten() {
            match person["invitation"]["status"].as_str() {
                Some("blocked") => {
                    assert_eq!(person["invitation"]["code"], "seat_limit_reached", "{person}");
                    blocked += 1;
                }
                Some("pending") => invited += 1,
                None => neither += 1,
                other => panic!("a person is invited, blocked or neither, not {other:?}: {person}"),
            }
        }
        match page.json["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return (invited, blocked, neither),
        }
    }
}

/// A token opens its own tenant only; a revoked one is refused on the very next request.
pub async fn a_token_reads_only_its_tenant_and_a_revoked_one_is_refused_at_once(table: Arc<dyn Table>, via: Via) {
    let a = Provisioned::served_by(table.clone(), None, json!({}), via.clone()).await;
    let other = a.app.tenant("Globex", "owner@globex.test", None).await;
    let b_token = a
        .app
        .call(Method::POST, &format!("/v1/tenants/{other}/scim-tokens"), Some(&a.app.token("owner@globex.test")), None)
        .await
        .json["token"]
        .as_str()
        .expect("B's token")
        .to_owned();
    let dee = a.user("dee", Some("dee@acme.test")).await;
    let from_b = a.scim.call(&b_token, Method::GET, &format!("/Users/{dee}"), None).await;
    assert_eq!(from_b.status, StatusCode::NOT_FOUND, "{}", from_b.json);
    let list_b = a.scim.call(&b_token, Method::GET, "/Users", None).await;
    assert_eq!(list_b.json["totalResults"], 0, "{}", list_b.json);
    let no_token = a.scim.call("", Method::GET, "/Users", None).await;
    assert_eq!(no_token.status, StatusCode::UNAUTHORIZED);
    assert_eq!(no_token.json["schemas"][0], usher_scim::schema::ERROR);
    let made_up = a.scim.call("usher_scim_not-a-real-token-at-all-not-a-real-token", Method::GET, "/Users", None).await;
    assert_eq!(made_up.status, StatusCode::UNAUTHORIZED);
    let listed = a.app.call(Method::GET, &format!("/v1/tenants/{}/scim-tokens", a.tenant), Some(&a.app.token(OWNER)), None).await;
    let id = listed.json["data"][0]["id"].as_str().expect("token id").to_owned();
    assert!(listed.json["data"][0].get("token").is_none(), "a listed token never carries the token: {}", listed.json);
    assert_eq!(a.scim(Method::GET, "/Users", None).await.status, StatusCode::OK);
    let revoked = a.app.call(Method::DELETE, &format!("/v1/tenants/{}/scim-tokens/{id}", a.tenant), Some(&a.app.token(OWNER)), None).await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT, "{}", revoked.json);
    assert_eq!(a.scim(Method::GET, "/Users", None).await.status, StatusCode::UNAUTHORIZED, "refused at once");
}

/// Under `stage`, people only appear in the directory, and the listing's filters find them.
pub async fn staged_people_are_listed_with_their_standing_and_invited_by_nobody(table: Arc<dyn Table>, via: Via) {
    let p = Provisioned::served_by(table, None, json!({}), via.clone()).await;
    let body = |user: &str, title: &str, company: &str, active: bool| {
        json!({"schemas": [usher_scim::schema::USER, usher_scim::schema::ENTERPRISE], "userName": user, "title": title, "active": active,
               "emails": [{"value": format!("{user}@acme.test")}],
               (usher_scim::schema::ENTERPRISE): {"organization": company, "department": "Ops"}})
    };
    for (u, t, c, a) in
        [("eve", "Driver", "Acme North", true), ("fay", "Dispatcher", "Acme South", true), ("gus", "Driver", "Acme North", false)]
    {
        assert_eq!(p.scim(Method::POST, "/Users", Some(body(u, t, c, a))).await.status, StatusCode::CREATED);
    }
    p.user("hal", None).await;
    assert!(p.pending().await.is_empty(), "stage invites nobody");
    let list = |q: &str| {
        let path = format!("/v1/tenants/{}/directory/people?{q}", p.tenant);
        let app = &p.app;
        async move {
            let r = app.call(Method::GET, &path, Some(&app.token(OWNER)), None).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.json);
            r.json["data"].as_array().into_iter().flatten().map(|x| x["email"].as_str().unwrap_or("-").to_owned()).collect::<Vec<_>>()
        }
    };
    assert_eq!(list("title=driver&status=not_invited").await, ["eve@acme.test"]);
    assert_eq!(list("status=inactive").await, ["gus@acme.test"]);
    assert_eq!(list("company=Acme%20South").await, ["fay@acme.test"]);
    assert_eq!(list("q=ha").await, ["-"], "a person with no email on file is listed too");
    let companies =
        p.app.call(Method::GET, &format!("/v1/tenants/{}/directory/companies", p.tenant), Some(&p.app.token(OWNER)), None).await;
    assert_eq!(
        companies.json["data"],
        json!([{"name": "", "people": 1, "active": 1}, {"name": "Acme North", "people": 2, "active": 1}, {"name": "Acme South", "people": 1, "active": 1}])
    );
    let found = p.scim(Method::GET, "/Users?filter=emails%5Btype%20eq%20%22work%22%5D.value%20eq%20%22nobody%40acme.test%22", None).await;
    assert_eq!(found.json["totalResults"], 0);
    let by_name = p.scim(Method::GET, "/Users?filter=userName%20eq%20%22EVE%22", None).await;
    assert_eq!(by_name.json["totalResults"], 1, "userName matches ignoring case: {}", by_name.json);
    let dup = p.scim(Method::POST, "/Users", Some(body("Eve", "Driver", "Acme North", true))).await;
    assert_eq!((dup.status, dup.json["scimType"].as_str()), (StatusCode::CONFLICT, Some("uniqueness")), "{}", dup.json);
}

/// The scenarios that need no email read back (the function's emails go to SQS, not this
/// app's outbox), with SCIM served by the `scim` function binary on the emulated runtime over
/// `table` (the function's own table).
pub async fn run_through_function(table: Arc<dyn Table>, function: Arc<crate::lambda::Function>) {
    let via = Some(function);
    // The member is made through the app (its outbox holds the link); the function takes
    // their access away.
    a_member_renamed_by_the_identity_provider_is_still_deprovisioned(table.clone(), via.clone()).await;
    deleting_a_person_revokes_their_pending_invitation(table.clone(), via.clone()).await;
    a_person_in_two_mapped_groups_gets_the_higher_role(table.clone(), via.clone()).await;
    two_hundred_creates_against_ten_free_seats_make_ten_invitations_and_190_blocked(table.clone(), 4, via.clone()).await;
    a_token_reads_only_its_tenant_and_a_revoked_one_is_refused_at_once(table.clone(), via.clone()).await;
    staged_people_are_listed_with_their_standing_and_invited_by_nobody(table, via).await;
}

/// Runs every scenario on fresh tables from `table`.
pub async fn run_all(table: impl AsyncFn() -> Arc<dyn Table>) {
    deprovisioning_a_member_removes_their_access_on_their_very_next_request(table().await).await;
    deleting_a_person_revokes_their_pending_invitation(table().await, None).await;
    a_member_renamed_by_the_identity_provider_is_still_deprovisioned(table().await, None).await;
    a_person_in_two_mapped_groups_gets_the_higher_role(table().await, None).await;
    two_hundred_creates_against_ten_free_seats_make_ten_invitations_and_190_blocked(table().await, 20, None).await;
    a_token_reads_only_its_tenant_and_a_revoked_one_is_refused_at_once(table().await, None).await;
    staged_people_are_listed_with_their_standing_and_invited_by_nobody(table().await, None).await;
}
