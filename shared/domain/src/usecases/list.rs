//! Listings: a tenant's invitations, its members (with seats), and the caller's own pending
//! invitations across tenants.

use crate::access::{self, AccessError};
use crate::context::{Deps, Principal};
use crate::error::{ErrorCode, FieldError, Unexpected};
use crate::model::{Invitation, InvitationStatus, Member};
use crate::paging::{self, Cursor};
use crate::ports::{IndexName, Query, SortKeyRange};
use crate::roles::{Permission, RoleName};
use crate::schema::{self, INVITATION_PREFIX, MEMBER_PREFIX, decode};
use crate::values::{InvitationId, TenantId, Timestamp, Workspace};
use crate::views::{InvitationResource, MemberResource, Paged, Seats};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// What a listing can answer besides a page.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// A filter, limit or cursor is malformed.
    #[error("invalid listing parameters")]
    Invalid(Vec<FieldError>),
    /// No such tenant, or the caller is not in it.
    #[error("not found")]
    NotFound,
    /// The caller may not see this listing.
    #[error("you may not see this listing")]
    Forbidden,
    /// The caller's sign-in has no verified email (for "my invitations").
    #[error("your sign-in has no verified email")]
    NoVerifiedEmail,
    /// Something broke.
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

crate::error_codes!(ListError {
    ListError::Invalid(e) => ErrorCode::InvalidRequest(e.clone()),
    ListError::NotFound => ErrorCode::NotFound,
    ListError::Forbidden => ErrorCode::Forbidden,
    ListError::NoVerifiedEmail => ErrorCode::Forbidden,
    ListError::Unexpected(u) => u.code(),
});

impl From<paging::PageError> for ListError {
    fn from(e: paging::PageError) -> Self {
        match e {
            paging::PageError::InvalidCursor(f) => Self::Invalid(vec![f]),
            paging::PageError::Unexpected(u) => Self::Unexpected(u),
        }
    }
}

impl From<AccessError> for ListError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::NotFound => Self::NotFound,
            AccessError::Unexpected(u) => Self::Unexpected(u),
        }
    }
}

/// Query parameters as they arrive.
#[derive(Debug, Clone, Default)]
pub struct ListParams {
    /// `status` filter.
    pub status: Option<String>,
    /// `email` prefix filter.
    pub email: Option<String>,
    /// `role` filter.
    pub role: Option<String>,
    /// `q`: name or email prefix.
    pub q: Option<String>,
    /// Page size.
    pub limit: Option<String>,
    /// Cursor from a previous page.
    pub cursor: Option<String>,
}

struct Parsed {
    status: Option<InvitationStatus>,
    email_prefix: Option<String>,
    role: Option<RoleName>,
    q: Option<String>,
    limit: usize,
    cursor: Option<Cursor>,
}

impl Parsed {
    /// The filters in canonical form: what a cursor of this listing is bound to.
    fn filters(&self) -> String {
        serde_json::json!([self.status.map(|s| format!("{s:?}")), self.email_prefix, self.role.as_ref().map(ToString::to_string), self.q,])
            .to_string()
    }
}

fn parse(p: &ListParams, sk_prefix: &str) -> Result<Parsed, ListError> {
    let mut errors = Vec::new();
    let status = p.status.as_deref().and_then(|s| {
        InvitationStatus::parse(s).or_else(|| {
            errors.push(FieldError::new("status", "invalid_status", "status must be pending, accepted, declined, revoked or expired"));
            None
        })
    });
    let role = p.role.as_deref().and_then(|r| RoleName::parse(r).map_err(|e| errors.push(FieldError::from_invalid("role", &e))).ok());
    let limit = paging::parse_limit(p.limit.as_deref()).map_err(|e| errors.push(e)).unwrap_or_default();
    let cursor = p.cursor.as_deref().and_then(|c| Cursor::parse(c, sk_prefix).map_err(|e| errors.push(e)).ok());
    let norm = |s: &Option<String>| s.as_deref().map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty());
    if errors.is_empty() {
        Ok(Parsed { status, email_prefix: norm(&p.email), role, q: norm(&p.q), limit, cursor })
    } else {
        Err(ListError::Invalid(errors))
    }
}

/// A tenant's invitations, newest first, filtered by `status`, `email` prefix and `role`.
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn list_invitations(
    deps: &Deps,
    principal: &Principal,
    tenant: &TenantId,
    params: &ListParams,
) -> Result<Paged<InvitationResource>, ListError> {
    let actor = access::member_of(deps, principal, tenant).await?;
    if !actor.can(Permission::InvitationsRead) {
        return Err(ListError::Forbidden);
    }
    let p = parse(&ListParams { q: None, ..params.clone() }, INVITATION_PREFIX)?;
    let now = deps.now();
    let query = Query {
        index: None,
        pk: schema::tenant_pk(tenant),
        range: SortKeyRange::BeginsWith(INVITATION_PREFIX.into()),
        ascending: false,
        limit: p.limit,
        after: None,
    };
    let (data, next_cursor) =
        paging::collect_in(deps.table.as_ref(), &deps.settings.cursor_key, &p.filters(), query, p.cursor.as_ref(), p.limit, |item| {
            let inv = decode::<Invitation>(item).map_err(|source| Unexpected { context: "decoding invitation", source })?.value;
            let keep = p.status.is_none_or(|s| inv.status_at(now) == s)
                && p.email_prefix.as_deref().is_none_or(|e| inv.email.as_str().starts_with(e))
                && p.role.as_ref().is_none_or(|r| inv.role == *r);
            Ok(keep.then(|| InvitationResource::of(&inv, now)))
        })
        .await?;
    Ok(Paged { data, next_cursor })
}

/// A page of members with the tenant's seat usage and members per role.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MembersPage {
    /// The members.
    pub data: Vec<MemberResource>,
    /// Cursor for the next page.
    pub next_cursor: Option<String>,
    /// Seat usage.
    pub seats: Seats,
    /// Members per role.
    pub roles: BTreeMap<RoleName, u32>,
}

/// A tenant's members, filtered by `role` and `q` (prefix of first name, last name, full name or
/// email). A `viewer` sees only themself.
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn list_members(deps: &Deps, principal: &Principal, tenant: &TenantId, params: &ListParams) -> Result<MembersPage, ListError> {
    let actor = access::member_of(deps, principal, tenant).await?;
    if !actor.can(Permission::MembersRead) {
        return Err(ListError::Forbidden);
    }
    let p = parse(
        &ListParams {
            role: params.role.clone(),
            q: params.q.clone(),
            limit: params.limit.clone(),
            cursor: params.cursor.clone(),
            ..ListParams::default()
        },
        MEMBER_PREFIX,
    )?;
    let t = access::load_tenant(deps.table.as_ref(), tenant).await?.ok_or(ListError::NotFound)?;
    let only = actor.role.sees_only_self.then(|| actor.user.id.clone());
    let query = Query {
        index: None,
        pk: schema::tenant_pk(tenant),
        range: SortKeyRange::BeginsWith(MEMBER_PREFIX.into()),
        ascending: true,
        limit: p.limit,
        after: None,
    };
    let (data, next_cursor) =
        paging::collect_in(deps.table.as_ref(), &deps.settings.cursor_key, &p.filters(), query, p.cursor.as_ref(), p.limit, |item| {
            let m = decode::<Member>(item).map_err(|source| Unexpected { context: "decoding member", source })?.value;
            let keep = only.as_ref().is_none_or(|u| *u == m.user_id)
                && p.role.as_ref().is_none_or(|r| m.role == *r)
                && p.q.as_deref().is_none_or(|q| matches_query(&m, q));
            Ok(keep.then(|| MemberResource::of(&m)))
        })
        .await?;
    Ok(MembersPage { data, next_cursor, seats: Seats::of(&t.value), roles: t.value.role_counts() })
}

fn matches_query(m: &Member, q: &str) -> bool {
    let lower = |s: &Option<String>| s.as_deref().map(str::to_lowercase);
    let full = m.profile.display_name().map(|n| n.to_lowercase());
    m.email.as_str().starts_with(q)
        || [lower(&m.profile.first_name), lower(&m.profile.last_name), full, lower(&m.username)]
            .into_iter()
            .flatten()
            .any(|s| s.starts_with(q))
}

/// A pending invitation addressed to the caller.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MyInvitation {
    /// Its id.
    pub id: InvitationId,
    /// The tenant.
    pub tenant_id: TenantId,
    /// The tenant's name.
    pub tenant_name: String,
    /// The role on offer.
    pub role: RoleName,
    /// Workspaces on offer.
    pub workspaces: Vec<Workspace>,
    /// Who invited.
    pub inviter_name: Option<String>,
    /// Sent.
    pub created_at: Timestamp,
    /// Link valid until.
    pub expires_at: Timestamp,
}

/// Pending invitations to the caller's verified email, in every tenant, newest first. Read from
/// an index (which may lag a moment behind writes), then each is checked against its status.
#[tracing::instrument(skip_all)]
pub async fn my_invitations(deps: &Deps, principal: &Principal, params: &ListParams) -> Result<Paged<MyInvitation>, ListError> {
    let email = principal.verified_email().ok_or(ListError::NoVerifiedEmail)?;
    let p = parse(&ListParams { limit: params.limit.clone(), cursor: params.cursor.clone(), ..ListParams::default() }, INVITATION_PREFIX)?;
    let now = deps.now();
    let query = Query {
        index: Some(IndexName::PendingByEmail),
        pk: schema::pending_by_email_pk(email),
        range: SortKeyRange::All,
        ascending: false,
        limit: p.limit,
        after: None,
    };
    let (invs, next_cursor) =
        paging::collect_in(deps.table.as_ref(), &deps.settings.cursor_key, &p.filters(), query, p.cursor.as_ref(), p.limit, |item| {
            let inv = decode::<Invitation>(item).map_err(|source| Unexpected { context: "decoding invitation", source })?.value;
            Ok((inv.status_at(now) == InvitationStatus::Pending && inv.email == *email).then_some(inv))
        })
        .await?;
    let mut names: HashMap<TenantId, String> = HashMap::new();
    let mut data = Vec::with_capacity(invs.len());
    for inv in invs {
        if !names.contains_key(&inv.tenant_id) {
            let name = access::load_tenant(deps.table.as_ref(), &inv.tenant_id).await?.map(|t| t.value.name).unwrap_or_default();
            names.insert(inv.tenant_id.clone(), name);
        }
        data.push(MyInvitation {
            expires_at: inv.expires_at(),
            tenant_name: names.get(&inv.tenant_id).cloned().unwrap_or_default(),
            id: inv.id,
            tenant_id: inv.tenant_id,
            role: inv.role,
            workspaces: inv.workspaces,
            inviter_name: inv.invited_by.name,
            created_at: inv.created_at,
        });
    }
    Ok(Paged { data, next_cursor })
}

/// One of the caller's tenants.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MyTenant {
    /// The tenant.
    pub tenant_id: TenantId,
    /// Its name.
    pub tenant_name: String,
    /// The caller's role there.
    pub role: RoleName,
    /// The caller's workspaces there.
    pub workspaces: Vec<Workspace>,
    /// When the caller joined.
    pub joined_at: Timestamp,
}

/// The tenants the caller belongs to (what a tenant switcher shows), oldest tenant first. Read
/// from the by-user index, which may lag a moment behind a join; a person Usher does not know
/// yet belongs to none.
#[tracing::instrument(skip_all)]
pub async fn my_tenants(deps: &Deps, principal: &Principal, params: &ListParams) -> Result<Paged<MyTenant>, ListError> {
    let p = parse(&ListParams { limit: params.limit.clone(), cursor: params.cursor.clone(), ..ListParams::default() }, MEMBER_PREFIX)?;
    let Some(user) = access::find_user(deps, principal).await? else {
        return Ok(Paged { data: Vec::new(), next_cursor: None });
    };
    let query = Query {
        index: Some(IndexName::ByUser),
        pk: schema::by_user_pk(&user.id),
        range: SortKeyRange::All,
        ascending: true,
        limit: p.limit,
        after: None,
    };
    let (members, next_cursor) =
        paging::collect_in(deps.table.as_ref(), &deps.settings.cursor_key, &p.filters(), query, p.cursor.as_ref(), p.limit, |item| {
            let m = decode::<Member>(item).map_err(|source| Unexpected { context: "decoding member", source })?.value;
            Ok((m.user_id == user.id).then_some(m))
        })
        .await?;
    let mut data = Vec::with_capacity(members.len());
    for m in members {
        // A tenant read per row (at most 100): names change, so they are not copied into members.
        let Some(tenant) = access::load_tenant(deps.table.as_ref(), &m.tenant_id).await? else { continue };
        data.push(MyTenant {
            tenant_id: m.tenant_id,
            tenant_name: tenant.value.name,
            role: m.role,
            workspaces: m.workspaces,
            joined_at: m.created_at,
        });
    }
    Ok(Paged { data, next_cursor })
}

/// One invitation of a tenant (`invitations.read`).
pub async fn get_invitation(
    deps: &Deps,
    principal: &Principal,
    tenant: &TenantId,
    invitation_id: &str,
) -> Result<InvitationResource, ListError> {
    let actor = access::member_of(deps, principal, tenant).await?;
    if !actor.can(Permission::InvitationsRead) {
        return Err(ListError::Forbidden);
    }
    let inv = super::revoke::load_invitation(deps, tenant, invitation_id).await?.ok_or(ListError::NotFound)?;
    Ok(InvitationResource::of(&inv.value, deps.now()))
}
