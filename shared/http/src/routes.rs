//! THE ROUTE TABLE: every endpoint, the Lambda function that serves it, and who may call it.
//! `openapi.yaml` and `template.yaml` must list exactly these (a test checks).

use http::Method;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone (the invitee's landing page).
    Public,
    /// A signed-in person (Bearer JWT).
    User,
    /// The SaaS's own backend: AWS IAM in the stack (API Gateway checks the signature), an
    /// operator token locally. A person's JWT is `403 forbidden`.
    Operator,
}

/// What a route does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// Invite.
    Invite,
    /// Resend.
    Resend,
    /// Revoke an invitation.
    RevokeInvitation,
    /// Remove a member.
    RemoveMember,
    /// List invitations.
    ListInvitations,
    /// Read one invitation.
    GetInvitation,
    /// List members.
    ListMembers,
    /// Export members.
    ExportMembers,
    /// A large export's status and download link.
    GetExport,
    /// Update a member.
    UpdateMember,
    /// Change a pending invitation (no new email).
    UpdateInvitation,
    /// The caller leaves a tenant.
    LeaveTenant,
    /// The caller signed in to a tenant (its "last login").
    RecordSignIn,
    /// The server asks the identity provider's userinfo for the caller's email.
    UserInfo,
    /// List the tenant's workspaces.
    ListWorkspaces,
    /// Create or rename a workspace.
    PutWorkspace,
    /// Delete an unused workspace.
    DeleteWorkspace,
    /// A member confirms their new address.
    ConfirmEmailChange,
    /// The caller's pending invitations.
    MyInvitations,
    /// The tenants the caller belongs to.
    MyTenants,
    /// What a token is.
    Lookup,
    /// Accept.
    Accept,
    /// Decline.
    Decline,
    /// Ask for a new link.
    RenewalRequest,
    /// Create a tenant.
    CreateTenant,
    /// Read a tenant.
    GetTenant,
    /// Change a tenant.
    UpdateTenant,
    /// A member reads their tenant.
    GetTenantSettings,
    /// An owner changes their tenant's name and default invitation lifetime.
    UpdateTenantSettings,
    /// List roles.
    ListRoles,
    /// Read a role.
    GetRole,
    /// Create or replace a custom role.
    PutRole,
    /// Delete a custom role.
    DeleteRole,
    /// Read the audit log.
    ListAudit,
    /// The directory's people.
    ListDirectoryPeople,
    /// The directory's companies.
    ListDirectoryCompanies,
    /// Replace the uploaded part of the directory (CSV or XLSX).
    UploadDirectory,
    /// Read the directory settings.
    GetDirectorySettings,
    /// Change the directory settings.
    UpdateDirectorySettings,
    /// Create a SCIM token (shown once).
    CreateScimToken,
    /// List SCIM tokens.
    ListScimTokens,
    /// Revoke a SCIM token.
    RevokeScimToken,
    /// Create a join link (shown once).
    CreateJoinLink,
    /// List join links.
    ListJoinLinks,
    /// Disable a join link.
    DisableJoinLink,
    /// What a join link is (public, consumes nothing).
    JoinLinkLookup,
    /// Join (or ask to) through a link.
    JoinLinkRedeem,
    /// A tenant's join requests.
    ListJoinRequests,
    /// Approve a join request (takes a seat).
    ApproveJoinRequest,
    /// Deny a join request.
    DenyJoinRequest,
    /// The caller's own join requests.
    MyJoinRequests,
    /// Add a domain (pending until its TXT record is found).
    AddDomain,
    /// List the tenant's domains.
    ListDomains,
    /// Set a verified domain's join policy.
    UpdateDomain,
    /// Remove a domain.
    RemoveDomain,
    /// Look a domain's TXT record up now.
    VerifyDomain,
    /// The tenants the caller's verified address lets them join.
    JoinableTenants,
    /// Join a tenant (or ask to) through a verified domain.
    JoinByDomain,
}

impl Op {
    /// The routes that take a token from an email (invitation or email-change link): budgeted
    /// per source and per token (a wrong-token flood is `429`).
    pub fn is_throttled(self) -> bool {
        matches!(self, Op::Lookup | Op::RenewalRequest | Op::ConfirmEmailChange | Op::JoinLinkLookup | Op::JoinLinkRedeem)
    }

    /// The routes whose token is a join link's (its own budget: one link is shared by a team).
    pub fn takes_join_token(self) -> bool {
        matches!(self, Op::JoinLinkLookup | Op::JoinLinkRedeem)
    }

    /// The largest body the route takes: the directory upload takes what a Lambda function
    /// may be sent (6 MB), every other route `default`.
    pub fn max_body_bytes(self, default: usize) -> usize {
        match self {
            Op::UploadDirectory => LARGEST_BODY_BYTES.max(default),
            _ => default,
        }
    }
}

/// The largest body any route takes (a directory upload): Lambda's synchronous request limit.
pub const LARGEST_BODY_BYTES: usize = 6 * 1000 * 1000;

/// One endpoint.
#[derive(Debug, Clone)]
pub struct Route {
    /// HTTP method.
    pub method: Method,
    /// Path template (`/v1/tenants/{tenantId}/invitations`).
    pub path: &'static str,
    /// The Lambda function (crate under `functions/`) that serves it.
    pub function: &'static str,
    /// Who may call it.
    pub access: Access,
    /// What it does.
    pub op: Op,
}

macro_rules! route {
    ($m:ident $path:literal => $f:literal, $access:ident, $op:ident) => {
        Route { method: Method::$m, path: $path, function: $f, access: Access::$access, op: Op::$op }
    };
}

/// Every route, in API.md's order.
pub fn routes() -> Vec<Route> {
    vec![
        route!(POST "/v1/tenants/{tenantId}/invitations" => "invite", User, Invite),
        route!(POST "/v1/tenants/{tenantId}/invitations/{invitationId}/resend" => "resend", User, Resend),
        route!(DELETE "/v1/tenants/{tenantId}/invitations/{invitationId}" => "revoke", User, RevokeInvitation),
        route!(DELETE "/v1/tenants/{tenantId}/members/{userId}" => "revoke", User, RemoveMember),
        route!(GET "/v1/tenants/{tenantId}/invitations" => "list", User, ListInvitations),
        route!(GET "/v1/tenants/{tenantId}/invitations/{invitationId}" => "list", User, GetInvitation),
        route!(GET "/v1/tenants/{tenantId}/members" => "list", User, ListMembers),
        route!(GET "/v1/tenants/{tenantId}/members/export" => "export", User, ExportMembers),
        route!(GET "/v1/tenants/{tenantId}/exports/{exportId}" => "export", User, GetExport),
        route!(PATCH "/v1/tenants/{tenantId}/members/{userId}" => "update", User, UpdateMember),
        route!(GET "/v1/me/invitations" => "list", User, MyInvitations),
        route!(GET "/v1/me/tenants" => "list", User, MyTenants),
        route!(POST "/v1/invitations/lookup" => "accept", Public, Lookup),
        route!(POST "/v1/invitations/accept" => "accept", User, Accept),
        route!(POST "/v1/invitations/decline" => "accept", User, Decline),
        route!(POST "/v1/invitations/renewal-request" => "accept", Public, RenewalRequest),
        route!(POST "/v1/tenants" => "update", Operator, CreateTenant),
        route!(GET "/v1/tenants/{tenantId}" => "update", Operator, GetTenant),
        route!(PATCH "/v1/tenants/{tenantId}" => "update", Operator, UpdateTenant),
        // The same tenant for its people (an extension): API Gateway allows one authorizer per
        // route, so members and owners reach it under its own path, behind the JWT authorizer.
        route!(GET "/v1/tenants/{tenantId}/settings" => "update", User, GetTenantSettings),
        route!(PATCH "/v1/tenants/{tenantId}/settings" => "update", User, UpdateTenantSettings),
        route!(GET "/v1/tenants/{tenantId}/roles" => "update", User, ListRoles),
        route!(GET "/v1/tenants/{tenantId}/roles/{name}" => "update", User, GetRole),
        route!(PUT "/v1/tenants/{tenantId}/roles/{name}" => "update", User, PutRole),
        route!(DELETE "/v1/tenants/{tenantId}/roles/{name}" => "update", User, DeleteRole),
        route!(GET "/v1/tenants/{tenantId}/audit" => "list", User, ListAudit),
        route!(PATCH "/v1/tenants/{tenantId}/invitations/{invitationId}" => "update", User, UpdateInvitation),
        route!(DELETE "/v1/me/tenants/{tenantId}" => "revoke", User, LeaveTenant),
        route!(POST "/v1/me/tenants/{tenantId}/sign-in" => "update", User, RecordSignIn),
        route!(POST "/v1/me/userinfo" => "update", User, UserInfo),
        route!(GET "/v1/tenants/{tenantId}/workspaces" => "update", User, ListWorkspaces),
        route!(PUT "/v1/tenants/{tenantId}/workspaces/{workspaceId}" => "update", User, PutWorkspace),
        route!(DELETE "/v1/tenants/{tenantId}/workspaces/{workspaceId}" => "update", User, DeleteWorkspace),
        route!(POST "/v1/email-changes/confirm" => "accept", User, ConfirmEmailChange),
        route!(GET "/v1/tenants/{tenantId}/directory/people" => "list", User, ListDirectoryPeople),
        route!(GET "/v1/tenants/{tenantId}/directory/companies" => "list", User, ListDirectoryCompanies),
        route!(PUT "/v1/tenants/{tenantId}/directory" => "update", User, UploadDirectory),
        route!(GET "/v1/tenants/{tenantId}/directory/settings" => "update", User, GetDirectorySettings),
        route!(PATCH "/v1/tenants/{tenantId}/directory/settings" => "update", User, UpdateDirectorySettings),
        route!(POST "/v1/tenants/{tenantId}/scim-tokens" => "update", User, CreateScimToken),
        route!(GET "/v1/tenants/{tenantId}/scim-tokens" => "update", User, ListScimTokens),
        route!(DELETE "/v1/tenants/{tenantId}/scim-tokens/{tokenId}" => "update", User, RevokeScimToken),
        route!(POST "/v1/tenants/{tenantId}/join-links" => "update", User, CreateJoinLink),
        route!(GET "/v1/tenants/{tenantId}/join-links" => "update", User, ListJoinLinks),
        route!(DELETE "/v1/tenants/{tenantId}/join-links/{linkId}" => "update", User, DisableJoinLink),
        route!(POST "/v1/join-links/lookup" => "accept", Public, JoinLinkLookup),
        route!(POST "/v1/join-links/redeem" => "accept", User, JoinLinkRedeem),
        route!(GET "/v1/tenants/{tenantId}/join-requests" => "list", User, ListJoinRequests),
        route!(POST "/v1/tenants/{tenantId}/join-requests/{requestId}/approve" => "update", User, ApproveJoinRequest),
        route!(POST "/v1/tenants/{tenantId}/join-requests/{requestId}/deny" => "update", User, DenyJoinRequest),
        route!(GET "/v1/me/join-requests" => "list", User, MyJoinRequests),
        route!(POST "/v1/tenants/{tenantId}/domains" => "update", User, AddDomain),
        route!(GET "/v1/tenants/{tenantId}/domains" => "update", User, ListDomains),
        route!(PATCH "/v1/tenants/{tenantId}/domains/{domain}" => "update", User, UpdateDomain),
        route!(DELETE "/v1/tenants/{tenantId}/domains/{domain}" => "update", User, RemoveDomain),
        route!(POST "/v1/tenants/{tenantId}/domains/{domain}/verify" => "update", User, VerifyDomain),
        route!(GET "/v1/me/joinable-tenants" => "list", User, JoinableTenants),
        route!(POST "/v1/me/tenants/{tenantId}/join" => "accept", User, JoinByDomain),
    ]
}

/// The HTTP functions (every function but the scheduled `expire`).
pub const HTTP_FUNCTIONS: [&str; 7] = ["invite", "accept", "resend", "revoke", "list", "export", "update"];

/// Path parameters captured by a match, in template order.
pub type Params = Vec<(&'static str, String)>;

/// Which segments of a template are literals, in order: the template's specificity. Between two
/// templates that match the same path, the one with a literal at the first segment where they
/// differ is the more specific (`/members/export` over `/members/{userId}`), whatever the method.
type Specificity = Vec<bool>;

/// Matches a concrete path against a template: its parameters (percent-decoded) and its
/// specificity.
fn match_path(template: &'static str, path: &str) -> Option<(Params, Specificity)> {
    let t: Vec<&'static str> = template.trim_matches('/').split('/').collect();
    let p: Vec<&str> = path.trim_end_matches('/').trim_start_matches('/').split('/').collect();
    if t.len() != p.len() {
        return None;
    }
    let mut params = Vec::new();
    let mut literals = Vec::with_capacity(t.len());
    for (ts, ps) in t.iter().zip(&p) {
        if let Some(name) = ts.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            if ps.is_empty() {
                return None;
            }
            params.push((name, percent_decode(ps)?));
            literals.push(false);
        } else if ts == ps {
            literals.push(true);
        } else {
            return None;
        }
    }
    Some((params, literals))
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The outcome of routing a request.
#[derive(Debug)]
pub enum Found {
    /// A route and its parameters.
    Route(Route, Params),
    /// The path exists but not with this method; these methods do.
    MethodNotAllowed(Vec<Method>),
    /// No such path.
    NotFound,
}

/// Finds the route for a method and path. The path is the most specific template that matches
/// it, for any method (a literal segment wins over a parameter, so `/members/export` is never a
/// user id, not even for a method only `/members/{userId}` has); then the method picks among
/// that template's routes, or the answer is `405` with that template's methods alone.
pub fn find(routes: &[Route], method: &Method, path: &str) -> Found {
    let matches: Vec<(&Route, Params, Specificity)> =
        routes.iter().filter_map(|r| match_path(r.path, path).map(|(params, spec)| (r, params, spec))).collect();
    let Some(most_specific) = matches.iter().map(|(_, _, spec)| spec).max().cloned() else {
        return Found::NotFound;
    };
    let mut allowed = Vec::new();
    for (r, params, spec) in matches {
        if spec != most_specific {
            continue;
        }
        if r.method == *method {
            return Found::Route(r.clone(), params);
        }
        allowed.push(r.method.clone());
    }
    allowed.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    allowed.dedup();
    Found::MethodNotAllowed(allowed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(method: Method, path: &str) -> Option<Op> {
        match find(&routes(), &method, path) {
            Found::Route(r, _) => Some(r.op),
            _ => None,
        }
    }

    #[test]
    fn the_export_path_is_not_taken_for_a_user_id() {
        assert_eq!(op(Method::GET, "/v1/tenants/ten_1/members/export"), Some(Op::ExportMembers));
        assert_eq!(op(Method::PATCH, "/v1/tenants/ten_1/members/usr_1"), Some(Op::UpdateMember));
    }

    #[test]
    fn the_export_path_is_get_only_for_every_other_method() {
        for method in [Method::PATCH, Method::DELETE, Method::PUT, Method::POST] {
            match find(&routes(), &method, "/v1/tenants/ten_1/members/export") {
                Found::MethodNotAllowed(allowed) => assert_eq!(allowed, vec![Method::GET], "{method}"),
                other => panic!("{method} /members/export: {other:?}"),
            }
        }
        // A user id is still a user id.
        assert_eq!(op(Method::DELETE, "/v1/tenants/ten_1/members/usr_1"), Some(Op::RemoveMember));
        match find(&routes(), &Method::PUT, "/v1/tenants/ten_1/members/usr_1") {
            Found::MethodNotAllowed(allowed) => assert_eq!(allowed, vec![Method::DELETE, Method::PATCH]),
            other => panic!("PUT /members/usr_1: {other:?}"),
        }
    }

    #[test]
    fn the_literal_segment_wins_where_templates_first_differ() {
        let r = |path: &'static str, op| Route { method: Method::GET, path, function: "list", access: Access::User, op };
        let table = [r("/a/{x}/c", Op::ListMembers), r("/a/b/{y}", Op::ListRoles)];
        assert!(matches!(find(&table, &Method::GET, "/a/b/c"), Found::Route(Route { op: Op::ListRoles, .. }, _)));
        assert!(matches!(find(&table, &Method::GET, "/a/z/c"), Found::Route(Route { op: Op::ListMembers, .. }, _)));
    }

    #[test]
    fn parameters_are_captured_and_percent_decoded() {
        let Found::Route(r, params) = find(&routes(), &Method::GET, "/v1/tenants/ten_1/roles/site%2Dlead") else { panic!() };
        assert_eq!(r.op, Op::GetRole);
        assert_eq!(params, vec![("tenantId", "ten_1".to_owned()), ("name", "site-lead".to_owned())]);
    }

    #[test]
    fn a_known_path_with_another_method_is_method_not_allowed() {
        assert!(matches!(find(&routes(), &Method::PUT, "/v1/tenants/ten_1/invitations"), Found::MethodNotAllowed(_)));
        assert!(matches!(find(&routes(), &Method::GET, "/v1/nothing"), Found::NotFound));
    }

    #[test]
    fn the_userinfo_route_is_a_signed_in_post_on_the_update_function() {
        let Found::Route(r, params) = find(&routes(), &Method::POST, "/v1/me/userinfo") else { panic!("no route") };
        assert_eq!((r.op, r.access, r.function), (Op::UserInfo, Access::User, "update"));
        assert!(params.is_empty());
        assert!(matches!(find(&routes(), &Method::GET, "/v1/me/userinfo"), Found::MethodNotAllowed(m) if m == vec![Method::POST]));
    }

    #[test]
    fn every_route_is_served_by_a_known_function() {
        for r in routes() {
            assert!(HTTP_FUNCTIONS.contains(&r.function), "{}", r.path);
        }
    }
}
