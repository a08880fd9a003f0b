//! THE AUTHORIZATION MATRIX: every route of `routes.rs` × every kind of caller → the exact
//! status, through the public `App` over the embedded store. It reads like API.md's "Roles and
//! permissions": `owner` has every permission; `admin` all but granting or removing `owner`;
//! `member` has `members.read`; `viewer` has `members.read` only on itself.
//!
//! How each kind of "no" answers:
//! - nobody signed in (no `Authorization`) on a JWT route: `401 unauthenticated`;
//! - a signed-in person who is not a member of the tenant (a stranger, another tenant's owner,
//!   or the operator's own person token): `404 not_found`, exactly as for a tenant that does not
//!   exist: the answer never tells whether the tenant is there;
//! - a member whose role lacks the permission: `403 forbidden`;
//! - a person's JWT on an operator route (tenant provisioning): `403 forbidden`, owners too.
//!
//! Every cell runs in a world of its own (two tenants, their people, a pending and an expired
//! invitation, a custom role), so no cell depends on another's writes. All cells run; the
//! failures are listed together, each with its coordinates.

use http::{Method, StatusCode};
use serde_json::{Value, json};
use usher_http::routes::{Op, routes};
use usher_tests::TestApp;

/// The callers, in the table's column order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    /// The owner of tenant A.
    Owner,
    /// An admin of tenant A.
    Admin,
    /// A member of tenant A.
    Member,
    /// A viewer of tenant A.
    Viewer,
    /// A valid JWT for a person with no membership anywhere.
    Stranger,
    /// The owner of tenant B.
    OtherOwner,
    /// No `Authorization` header.
    Anonymous,
    /// An operator token (the SaaS's backend, locally).
    Operator,
}

const WHO: [Who; 8] = [Who::Owner, Who::Admin, Who::Member, Who::Viewer, Who::Stranger, Who::OtherOwner, Who::Anonymous, Who::Operator];

const OWNER: &str = "owner@a.test";
const ADMIN: &str = "admin@a.test";
const MEMBER: &str = "member@a.test";
const VIEWER: &str = "viewer@a.test";
const TARGET: &str = "target@a.test";
const STRANGER: &str = "stranger@nowhere.test";
const OTHER_OWNER: &str = "owner@b.test";
const OPERATOR: &str = "ops@saas.test";
/// A well-formed tenant id that no world has.
const GHOST_TENANT: &str = "ten_00000000000000000000000000dead";

/// The matrix. Columns: owner, admin, member, viewer, stranger, other tenant's owner,
/// anonymous, operator. Every cell is the exact status the call answers.
#[rustfmt::skip]
const MATRIX: &[(Op, [u16; 8])] = &[
    //                                  owner admin member viewer stranger other anon operator
    (Op::Invite,                       [ 201,  201,  403,   403,   404,     404,  401,  404 ]),
    (Op::Resend,                       [ 200,  200,  403,   403,   404,     404,  401,  404 ]),
    (Op::RevokeInvitation,             [ 200,  200,  403,   403,   404,     404,  401,  404 ]),
    (Op::RemoveMember,                 [ 204,  204,  403,   403,   404,     404,  401,  404 ]),
    (Op::ListInvitations,              [ 200,  200,  403,   403,   404,     404,  401,  404 ]),
    (Op::GetInvitation,                [ 200,  200,  403,   403,   404,     404,  401,  404 ]),
    (Op::ListMembers,                  [ 200,  200,  200,   200,   404,     404,  401,  404 ]),
    (Op::ExportMembers,                [ 200,  200,  403,   403,   404,     404,  401,  404 ]),
    (Op::GetExport,                    [ 200,  200,  403,   403,   404,     404,  401,  404 ]),
    (Op::UpdateMember,                 [ 200,  200,  403,   403,   404,     404,  401,  404 ]),
    (Op::MyInvitations,                [ 200,  200,  200,   200,   200,     200,  401,  200 ]),
    (Op::MyTenants,                    [ 200,  200,  200,   200,   200,     200,  401,  200 ]),
    (Op::Lookup,                       [ 200,  200,  200,   200,   200,     200,  200,  200 ]),
    (Op::Accept,                       [ 200,  200,  200,   200,   200,     200,  401,  200 ]),
    (Op::Decline,                      [ 200,  200,  200,   200,   200,     200,  401,  200 ]),
    (Op::RenewalRequest,               [ 202,  202,  202,   202,   202,     202,  202,  202 ]),
    (Op::CreateTenant,                 [ 403,  403,  403,   403,   403,     403,  401,  201 ]),
    (Op::GetTenant,                    [ 403,  403,  403,   403,   403,     403,  401,  200 ]),
    (Op::UpdateTenant,                 [ 403,  403,  403,   403,   403,     403,  401,  200 ]),
    (Op::GetTenantSettings,            [ 200,  200,  200,   200,   404,     404,  401,  404 ]),
    (Op::UpdateTenantSettings,         [ 200,  403,  403,   403,   404,     404,  401,  404 ]),
    (Op::ListRoles,                    [ 200,  200,  200,   200,   404,     404,  401,  404 ]),
    (Op::GetRole,                      [ 200,  200,  200,   200,   404,     404,  401,  404 ]),
    (Op::PutRole,                      [ 201,  201,  403,   403,   404,     404,  401,  404 ]),
    (Op::DeleteRole,                   [ 204,  204,  403,   403,   404,     404,  401,  404 ]),
    (Op::ListAudit,                    [ 200,  200,  403,   403,   404,     404,  401,  404 ]),
    (Op::UpdateInvitation,             [ 200,  200,  403,   403,   404,     404,  401,  404 ]),
    // A's only owner cannot leave it (409); everyone else in A can.
    (Op::LeaveTenant,                  [ 409,  204,  204,   204,   404,     404,  401,  404 ]),
    (Op::RecordSignIn,                 [ 200,  200,  200,   200,   404,     404,  401,  404 ]),
    // Any signed-in person may ask; this app knows no userinfo endpoint (tests/oidc_identity.rs
    // covers one that does).
    (Op::UserInfo,                     [ 501,  501,  501,   501,   501,     501,  401,  501 ]),
    (Op::ListWorkspaces,               [ 200,  200,  200,   200,   404,     404,  401,  404 ]),
    (Op::PutWorkspace,                 [ 201,  201,  403,   403,   404,     404,  401,  404 ]),
    (Op::DeleteWorkspace,              [ 204,  204,  403,   403,   404,     404,  401,  404 ]),
    // The link confirms the target member's change: nobody in the matrix is that member.
    (Op::ConfirmEmailChange,           [ 403,  403,  403,   403,   403,     403,  401,  403 ]),
    // The directory is what admins invite from (`invitations.create`); its settings and SCIM
    // tokens need `directory.manage` (owners and admins).
    (Op::ListDirectoryPeople,          [ 200,  200,  403,   403,   404,     404,  401,  404 ]),
    (Op::ListDirectoryCompanies,       [ 200,  200,  403,   403,   404,     404,  401,  404 ]),
    (Op::UploadDirectory,              [ 200,  200,  403,   403,   404,     404,  401,  404 ]),
    (Op::GetDirectorySettings,         [ 200,  200,  403,   403,   404,     404,  401,  404 ]),
    (Op::UpdateDirectorySettings,      [ 200,  200,  403,   403,   404,     404,  401,  404 ]),
    (Op::CreateScimToken,              [ 201,  201,  403,   403,   404,     404,  401,  404 ]),
    (Op::ListScimTokens,               [ 200,  200,  403,   403,   404,     404,  401,  404 ]),
    (Op::RevokeScimToken,              [ 204,  204,  403,   403,   404,     404,  401,  404 ]),
    // Join links and requests are managed with `invitations.create`; anyone may look a link up,
    // any signed-in person redeem it: A's people are members already (409 already_member) and
    // everyone else holds an invitation to A in this world (409 already_invited: accept it);
    // tests/joining.rs has the 200s.
    (Op::CreateJoinLink,               [ 201,  201,  403,   403,   404,     404,  401,  404 ]),
    (Op::ListJoinLinks,                [ 200,  200,  403,   403,   404,     404,  401,  404 ]),
    (Op::DisableJoinLink,              [ 200,  200,  403,   403,   404,     404,  401,  404 ]),
    (Op::JoinLinkLookup,               [ 200,  200,  200,   200,   200,     200,  200,  200 ]),
    (Op::JoinLinkRedeem,               [ 409,  409,  409,   409,   409,     409,  401,  409 ]),
    (Op::ListJoinRequests,             [ 200,  200,  403,   403,   404,     404,  401,  404 ]),
    (Op::ApproveJoinRequest,           [ 200,  200,  403,   403,   404,     404,  401,  404 ]),
    (Op::DenyJoinRequest,              [ 200,  200,  403,   403,   404,     404,  401,  404 ]),
    (Op::MyJoinRequests,               [ 200,  200,  200,   200,   200,     200,  401,  200 ]),
    // Verified domains need `directory.manage` (A has verified `a.test`, open to `auto` joins:
    // verifying again with no resolver here concludes nothing and answers it as it stands).
    // Joining by domain: A's people are members already (409); nobody else is at `a.test`
    // (403 domain_not_allowed); tests/domains.rs has the 200s.
    (Op::AddDomain,                    [ 201,  201,  403,   403,   404,     404,  401,  404 ]),
    (Op::ListDomains,                  [ 200,  200,  403,   403,   404,     404,  401,  404 ]),
    (Op::UpdateDomain,                 [ 200,  200,  403,   403,   404,     404,  401,  404 ]),
    (Op::RemoveDomain,                 [ 204,  204,  403,   403,   404,     404,  401,  404 ]),
    (Op::VerifyDomain,                 [ 200,  200,  403,   403,   404,     404,  401,  404 ]),
    (Op::JoinableTenants,              [ 200,  200,  200,   200,   200,     200,  401,  200 ]),
    (Op::JoinByDomain,                 [ 409,  409,  409,   409,   403,     403,  401,  403 ]),
];

/// One cell's world: tenant A with its owner, admin, member, viewer and a member to act on;
/// tenant B with its owner; a pending and an expired invitation in A; a custom role in A; and
/// an invitation addressed to the caller in a tenant they are not in (for accept and decline).
struct World {
    app: TestApp,
    a: String,
    target_id: String,
    pending_id: String,
    pending_token: String,
    expired_token: String,
    /// The token of an invitation to the caller (for anonymous: to someone else).
    own_token: String,
    /// A large export of A (past the direct limit: a job with a status route).
    export_id: String,
    /// The link confirming a change of the target member's address.
    email_change_token: String,
    /// A SCIM token of A.
    scim_token_id: String,
    /// A join link of A (no approval), and its token.
    join_link_id: String,
    join_token: String,
    /// A pending join request in A.
    join_request_id: String,
}

impl World {
    async fn new(who: Who) -> Self {
        // A's five members export directly; with its pending invitations they are past the
        // limit, so an export with `include=invitations` is a job (for the status route's row).
        let options = usher_tests::Options { export_direct_rows: Some(5), ..usher_tests::Options::default() };
        let app = TestApp::with_options(std::sync::Arc::new(usher_store::SqliteTable::in_memory().expect("sqlite")), options);
        let a = app.tenant("Acme", OWNER, None).await;
        let b = app.tenant("Globex", OTHER_OWNER, None).await;
        // An invitation that lapses: one day, then the clock moves two.
        let late = app
            .call(
                Method::POST,
                &format!("/v1/tenants/{a}/invitations"),
                Some(&app.token(OWNER)),
                Some(json!({"email": "late@elsewhere.test", "role": "member", "expires_in_days": 1})),
            )
            .await;
        assert_eq!(late.status, StatusCode::CREATED, "{}", late.json);
        let expired_token = app.token_from_email("late@elsewhere.test");
        app.clock.advance_days(2);
        app.member(&a, OWNER, ADMIN, "admin").await;
        app.member(&a, OWNER, MEMBER, "member").await;
        app.member(&a, OWNER, VIEWER, "viewer").await;
        let target_id = app.member(&a, OWNER, TARGET, "member").await;
        let pending = app.invite(&a, OWNER, "pending@elsewhere.test", "member").await;
        assert_eq!(pending.status, StatusCode::CREATED, "{}", pending.json);
        let pending_id = pending.json["id"].as_str().expect("invitation id").to_owned();
        let pending_token = app.token_from_email("pending@elsewhere.test");
        let role = app
            .call(
                Method::PUT,
                &format!("/v1/tenants/{a}/roles/site-lead"),
                Some(&app.token(OWNER)),
                Some(json!({"permissions": ["members.read"], "description": "Leads a site"})),
            )
            .await;
        assert_eq!(role.status, StatusCode::CREATED, "{}", role.json);
        let spare = app.call(Method::PUT, &format!("/v1/tenants/{a}/workspaces/spare"), Some(&app.token(OWNER)), None).await;
        assert_eq!(spare.status, StatusCode::CREATED, "{}", spare.json);
        let change = app
            .call(
                Method::PATCH,
                &format!("/v1/tenants/{a}/members/{target_id}"),
                Some(&app.token(OWNER)),
                Some(json!({"email": "moved@a.test"})),
            )
            .await;
        assert_eq!(change.status, StatusCode::OK, "{}", change.json);
        let email_change_token = {
            let mail = app.messages_to("moved@a.test").pop().expect("the confirmation email");
            let at = mail.find("#email_token=").expect("a link") + "#email_token=".len();
            mail[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect::<String>()
        };
        // Accept and decline need an invitation addressed to the caller, in a tenant they are
        // not in yet: tenant A's people are invited to B, everyone else to A.
        let (into, inviter, invitee) = match who {
            Who::Owner => (&b, OTHER_OWNER, OWNER),
            Who::Admin => (&b, OTHER_OWNER, ADMIN),
            Who::Member => (&b, OTHER_OWNER, MEMBER),
            Who::Viewer => (&b, OTHER_OWNER, VIEWER),
            Who::Stranger => (&a, OWNER, STRANGER),
            Who::OtherOwner => (&a, OWNER, OTHER_OWNER),
            Who::Anonymous => (&a, OWNER, "nobody@elsewhere.test"),
            Who::Operator => (&a, OWNER, OPERATOR),
        };
        let own = app.invite(into, inviter, invitee, "member").await;
        assert_eq!(own.status, StatusCode::CREATED, "{}", own.json);
        let own_token = app.token_from_email(invitee);
        let export =
            app.call(Method::GET, &format!("/v1/tenants/{a}/members/export?include=invitations"), Some(&app.token(OWNER)), None).await;
        assert_eq!(export.status, StatusCode::ACCEPTED, "{}", export.json);
        let export_id = export.json["id"].as_str().expect("export id").to_owned();
        let scim =
            app.call(Method::POST, &format!("/v1/tenants/{a}/scim-tokens"), Some(&app.token(OWNER)), Some(json!({"name": "Okta"}))).await;
        assert_eq!(scim.status, StatusCode::CREATED, "{}", scim.json);
        let scim_token_id = scim.json["id"].as_str().expect("token id").to_owned();
        let link = |approval: bool| {
            let (app, a) = (&app, &a);
            async move {
                let r = app
                    .call(
                        Method::POST,
                        &format!("/v1/tenants/{a}/join-links"),
                        Some(&app.token(OWNER)),
                        Some(json!({"role": "member", "max_uses": 10, "approval": approval})),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
                let token = r.json["url"].as_str().and_then(|u| u.split_once("#join=")).expect("a join url").1.to_owned();
                (r.json["id"].as_str().expect("link id").to_owned(), token)
            }
        };
        let (join_link_id, join_token) = link(false).await;
        let (_, asking_token) = link(true).await;
        let asked = app
            .call(Method::POST, "/v1/join-links/redeem", Some(&app.token("asker@elsewhere.test")), Some(json!({"token": asking_token})))
            .await;
        assert_eq!(asked.status, StatusCode::ACCEPTED, "{}", asked.json);
        let join_request_id = asked.json["join_request"]["id"].as_str().expect("request id").to_owned();
        // A verified `a.test`, written as verifying it would (no DNS in this suite).
        usher_tests::joining::seed_open_domain(&app, &a, "a.test", "viewer").await;
        Self {
            app,
            a,
            target_id,
            pending_id,
            pending_token,
            expired_token,
            own_token,
            export_id,
            email_change_token,
            scim_token_id,
            join_link_id,
            join_token,
            join_request_id,
        }
    }

    fn bearer(&self, who: Who) -> Option<String> {
        match who {
            Who::Owner => Some(self.app.token(OWNER)),
            Who::Admin => Some(self.app.token(ADMIN)),
            Who::Member => Some(self.app.token(MEMBER)),
            Who::Viewer => Some(self.app.token(VIEWER)),
            Who::Stranger => Some(self.app.token(STRANGER)),
            Who::OtherOwner => Some(self.app.token(OTHER_OWNER)),
            Who::Anonymous => None,
            Who::Operator => Some(self.app.operator()),
        }
    }

    /// The call a caller makes to exercise `op` in tenant `t` (A, or a tenant that does not
    /// exist): a request that succeeds for whoever is allowed to make it.
    /// Sends a cell's request: JSON, or the file an upload route takes (as CSV).
    async fn send(&self, op: Op, method: Method, path: &str, bearer: Option<&str>, body: Option<Value>) -> usher_tests::Reply {
        match (op, body) {
            (Op::UploadDirectory, Some(Value::String(csv))) => {
                self.app.call_with(method, path, bearer, Some(csv.into_bytes()), &[("content-type", "text/csv")]).await
            }
            (_, body) => self.app.call(method, path, bearer, body).await,
        }
    }

    fn request(&self, op: Op, t: &str) -> (Method, String, Option<Value>) {
        let p = |rest: &str| format!("/v1/tenants/{t}{rest}");
        let (inv, target) = (&self.pending_id, &self.target_id);
        match op {
            Op::Invite => (Method::POST, p("/invitations"), Some(json!({"email": "new@elsewhere.test", "role": "member"}))),
            Op::Resend => (Method::POST, p(&format!("/invitations/{inv}/resend")), None),
            Op::RevokeInvitation => (Method::DELETE, p(&format!("/invitations/{inv}")), None),
            Op::RemoveMember => (Method::DELETE, p(&format!("/members/{target}")), Some(json!({"confirm_email": TARGET}))),
            Op::ListInvitations => (Method::GET, p("/invitations"), None),
            Op::GetInvitation => (Method::GET, p(&format!("/invitations/{inv}")), None),
            Op::ListMembers => (Method::GET, p("/members"), None),
            Op::ExportMembers => (Method::GET, p("/members/export?format=csv"), None),
            Op::GetExport => (Method::GET, p(&format!("/exports/{}", self.export_id)), None),
            Op::UpdateMember => (Method::PATCH, p(&format!("/members/{target}")), Some(json!({"role": "viewer"}))),
            Op::MyInvitations => (Method::GET, "/v1/me/invitations".into(), None),
            Op::MyTenants => (Method::GET, "/v1/me/tenants".into(), None),
            Op::Lookup => (Method::POST, "/v1/invitations/lookup".into(), Some(json!({"token": self.pending_token}))),
            Op::Accept => (Method::POST, "/v1/invitations/accept".into(), Some(json!({"token": self.own_token}))),
            Op::Decline => (Method::POST, "/v1/invitations/decline".into(), Some(json!({"token": self.own_token}))),
            Op::RenewalRequest => (Method::POST, "/v1/invitations/renewal-request".into(), Some(json!({"token": self.expired_token}))),
            Op::CreateTenant => (Method::POST, "/v1/tenants".into(), Some(json!({"name": "Initech", "owner_email": "boss@initech.test"}))),
            Op::GetTenant => (Method::GET, p(""), None),
            Op::UpdateTenant => (Method::PATCH, p(""), Some(json!({"seat_limit": 50}))),
            Op::GetTenantSettings => (Method::GET, p("/settings"), None),
            Op::UpdateTenantSettings => (Method::PATCH, p("/settings"), Some(json!({"name": "Acme Corp"}))),
            Op::ListRoles => (Method::GET, p("/roles"), None),
            Op::GetRole => (Method::GET, p("/roles/site-lead"), None),
            Op::PutRole => (Method::PUT, p("/roles/floor-lead"), Some(json!({"permissions": ["members.read"]}))),
            Op::DeleteRole => (Method::DELETE, p("/roles/site-lead"), None),
            Op::ListAudit => (Method::GET, p("/audit"), None),
            Op::UpdateInvitation => (Method::PATCH, p(&format!("/invitations/{inv}")), Some(json!({"role": "viewer"}))),
            Op::LeaveTenant => (Method::DELETE, format!("/v1/me/tenants/{t}"), None),
            Op::RecordSignIn => (Method::POST, format!("/v1/me/tenants/{t}/sign-in"), None),
            Op::UserInfo => (Method::POST, "/v1/me/userinfo".into(), Some(json!({"access_token": "at"}))),
            Op::ListWorkspaces => (Method::GET, p("/workspaces"), None),
            Op::PutWorkspace => (Method::PUT, p("/workspaces/east"), Some(json!({"name": "East"}))),
            Op::DeleteWorkspace => (Method::DELETE, p("/workspaces/spare"), None),
            Op::ConfirmEmailChange => (Method::POST, "/v1/email-changes/confirm".into(), Some(json!({"token": self.email_change_token}))),
            Op::ListDirectoryPeople => (Method::GET, p("/directory/people?status=not_invited"), None),
            Op::ListDirectoryCompanies => (Method::GET, p("/directory/companies"), None),
            // Sent as CSV (`send`); the JSON here is what the file says.
            Op::UploadDirectory => (Method::PUT, p("/directory"), Some(json!("external_id,email\r\nE1,ada@a.test\r\n"))),
            Op::GetDirectorySettings => (Method::GET, p("/directory/settings"), None),
            Op::UpdateDirectorySettings => {
                (Method::PATCH, p("/directory/settings"), Some(json!({"provisioning": "invite", "group_roles": {"Ops": "member"}})))
            }
            Op::CreateScimToken => (Method::POST, p("/scim-tokens"), Some(json!({"name": "Entra"}))),
            Op::ListScimTokens => (Method::GET, p("/scim-tokens"), None),
            Op::RevokeScimToken => (Method::DELETE, p(&format!("/scim-tokens/{}", self.scim_token_id)), None),
            Op::CreateJoinLink => (Method::POST, p("/join-links"), Some(json!({"role": "viewer", "max_uses": 3}))),
            Op::ListJoinLinks => (Method::GET, p("/join-links"), None),
            Op::DisableJoinLink => (Method::DELETE, p(&format!("/join-links/{}", self.join_link_id)), None),
            Op::JoinLinkLookup => (Method::POST, "/v1/join-links/lookup".into(), Some(json!({"token": self.join_token}))),
            Op::JoinLinkRedeem => (Method::POST, "/v1/join-links/redeem".into(), Some(json!({"token": self.join_token}))),
            Op::ListJoinRequests => (Method::GET, p("/join-requests"), None),
            Op::ApproveJoinRequest => (Method::POST, p(&format!("/join-requests/{}/approve", self.join_request_id)), None),
            Op::DenyJoinRequest => (Method::POST, p(&format!("/join-requests/{}/deny", self.join_request_id)), None),
            Op::MyJoinRequests => (Method::GET, "/v1/me/join-requests".into(), None),
            Op::AddDomain => (Method::POST, p("/domains"), Some(json!({"domain": "a-subsidiary.test"}))),
            Op::ListDomains => (Method::GET, p("/domains"), None),
            Op::UpdateDomain => (Method::PATCH, p("/domains/a.test"), Some(json!({"join": "request", "join_role": "viewer"}))),
            Op::RemoveDomain => (Method::DELETE, p("/domains/a.test"), None),
            Op::VerifyDomain => (Method::POST, p("/domains/a.test/verify"), None),
            Op::JoinableTenants => (Method::GET, "/v1/me/joinable-tenants".into(), None),
            Op::JoinByDomain => (Method::POST, format!("/v1/me/tenants/{t}/join"), None),
        }
    }
}

/// The problem code each refusal must carry.
fn code_for(status: u16) -> Option<&'static str> {
    match status {
        401 => Some("unauthenticated"),
        403 => Some("forbidden"),
        404 => Some("not_found"),
        _ => None,
    }
}

#[test]
fn the_matrix_has_one_row_per_route_and_matches_the_route_table() {
    let table = routes();
    for r in &table {
        assert_eq!(MATRIX.iter().filter(|(op, _)| *op == r.op).count(), 1, "{} {}: one row in MATRIX", r.method, r.path);
    }
    assert_eq!(MATRIX.len(), table.len(), "MATRIX has a row for a route that routes.rs does not have");
}

#[tokio::test]
async fn every_route_answers_every_caller_exactly_as_the_permission_table_says() {
    let table = routes();
    let mut failures = Vec::new();
    let mut cells = 0;
    for (op, expected) in MATRIX {
        let route = table.iter().find(|r| r.op == *op).expect("a route for every row");
        for (who, want) in WHO.iter().zip(expected) {
            cells += 1;
            let world = World::new(*who).await;
            let bearer = world.bearer(*who);
            let (method, path, body) = world.request(*op, &world.a);
            let at = format!("{} {} × {who:?}", route.method, route.path);
            assert_eq!(method, route.method, "{at}: the cell's request uses the route's method");
            let got = world.send(*op, method.clone(), &path, bearer.as_deref(), body.clone()).await;
            if got.status.as_u16() != *want {
                failures.push(format!("{at}: expected {want}, got {} {}", got.status.as_u16(), got.json));
                continue;
            }
            // Joining by domain refuses a stranger for their address's domain, not a permission.
            let code = if *op == Op::JoinByDomain && *want == 403 { Some("domain_not_allowed") } else { code_for(*want) };
            if let Some(code) = code
                && got.code() != code
            {
                failures.push(format!("{at}: expected code {code}, got {}", got.json));
                continue;
            }
            // A viewer holds `members.read` only on itself: the list has one person, the viewer.
            if (*op, *who) == (Op::ListMembers, Who::Viewer) {
                let emails: Vec<&str> = got.json["data"].as_array().into_iter().flatten().filter_map(|m| m["email"].as_str()).collect();
                if emails != [VIEWER] {
                    failures.push(format!("{at}: a viewer sees only themself, got {emails:?}"));
                }
            }
            if *want == 401 && !got.header("www-authenticate").is_some_and(|h| h.starts_with("Bearer")) {
                failures.push(format!("{at}: 401 without WWW-Authenticate: Bearer"));
            }
            // No existence leak: a non-member is answered exactly as for a tenant that is not there.
            if *want == 404 {
                let (m, ghost_path, body) = world.request(*op, GHOST_TENANT);
                let ghost = world.send(*op, m, &ghost_path, bearer.as_deref(), body).await;
                if (ghost.status, ghost.code(), &ghost.json["detail"]) != (got.status, got.code(), &got.json["detail"]) {
                    failures.push(format!("{at}: a real tenant answers {} but a missing one {}", got.json, ghost.json));
                }
            }
        }
    }
    assert_eq!(cells, MATRIX.len() * WHO.len());
    assert!(failures.is_empty(), "{} of {cells} cells differ from the matrix:\n{}", failures.len(), failures.join("\n"));
}
