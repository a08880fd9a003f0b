//! Join requests: filed by redeeming a link that needs approval (`usecases::join_links`),
//! listed and decided by admins (`invitations.create`), seen by the person who filed them.
//! Approving takes a seat in the same transaction as the membership, under the same count
//! write as every other seat, so approvals racing for the last seat let exactly one through.

use super::audit_event;
use super::join_links::{ADMIT_MEMBER_AT, ADMIT_SEAT_AT, Joiner, Refused, admission, full_now};
use crate::access::{self, AccessError, Actor};
use crate::context::{Deps, Principal};
use crate::error::{Context, ErrorCode, FieldError, Unexpected};
use crate::joining::{JoinRequest, JoinRequestResource, JoinRequestStatus, MyJoinRequestPointer};
use crate::paging::{self, Cursor};
use crate::ports::{Committed, Cond, Query, SortKeyRange, Write};
use crate::retry::Attempt;
use crate::roles::{Permission, RoleName};
use crate::schema::{self, Versioned};
use crate::values::{JoinRequestId, TenantId};
use crate::views::{MemberResource, Paged};
use serde::Serialize;

/// What the join-request routes can answer besides success.
#[derive(Debug, thiserror::Error)]
pub enum JoinRequestError {
    /// The request is malformed (a filter, a cursor).
    #[error("invalid request")]
    Invalid(Vec<FieldError>),
    /// No such tenant or request (or the caller is not in the tenant).
    #[error("not found")]
    NotFound,
    /// The caller lacks `invitations.create`.
    #[error("you may not decide this tenant's join requests")]
    Forbidden,
    /// The role carries a permission the approver lacks.
    #[error("you cannot grant the role '{0}'")]
    RoleNotGrantable(RoleName),
    /// The request was already decided, or its role is gone.
    #[error("{0}")]
    InvalidState(&'static str),
    /// The person is a member already.
    #[error("this person is already a member of the tenant")]
    AlreadyMember,
    /// The person's address has a pending invitation to the tenant.
    #[error("this person has a pending invitation to the tenant")]
    AlreadyInvited,
    /// The tenant's policy no longer allows the person's domain.
    #[error("the tenant's policy no longer allows this person's email domain")]
    DomainNotAllowed,
    /// No seat left.
    #[error("the tenant has no seat left")]
    SeatLimitReached,
    /// Something broke.
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

crate::error_codes!(JoinRequestError {
    JoinRequestError::Invalid(e) => ErrorCode::InvalidRequest(e.clone()),
    JoinRequestError::NotFound => ErrorCode::NotFound,
    JoinRequestError::Forbidden => ErrorCode::Forbidden,
    JoinRequestError::RoleNotGrantable(_) => ErrorCode::RoleNotGrantable,
    JoinRequestError::InvalidState(_) => ErrorCode::InvalidState,
    JoinRequestError::AlreadyMember => ErrorCode::AlreadyMember,
    JoinRequestError::AlreadyInvited => ErrorCode::AlreadyInvited,
    JoinRequestError::DomainNotAllowed => ErrorCode::DomainNotAllowed,
    JoinRequestError::SeatLimitReached => ErrorCode::SeatLimitReached,
    JoinRequestError::Unexpected(u) => u.code(),
});

impl From<AccessError> for JoinRequestError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::NotFound => Self::NotFound,
            AccessError::Unexpected(u) => Self::Unexpected(u),
        }
    }
}

impl From<Refused> for JoinRequestError {
    fn from(r: Refused) -> Self {
        match r {
            Refused::AlreadyMember => Self::AlreadyMember,
            Refused::AlreadyInvited => Self::AlreadyInvited,
            Refused::SeatLimitReached => Self::SeatLimitReached,
        }
    }
}

impl From<paging::PageError> for JoinRequestError {
    fn from(e: paging::PageError) -> Self {
        match e {
            paging::PageError::InvalidCursor(f) => Self::Invalid(vec![f]),
            paging::PageError::Unexpected(u) => Self::Unexpected(u),
        }
    }
}

async fn authorize(deps: &Deps, principal: &Principal, tenant: &TenantId) -> Result<Actor, JoinRequestError> {
    let actor = access::member_of(deps, principal, tenant).await?;
    if !actor.can(Permission::InvitationsCreate) {
        return Err(JoinRequestError::Forbidden);
    }
    Ok(actor)
}

/// A tenant's join requests, newest first, optionally only those with `status`.
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn list(
    deps: &Deps,
    principal: &Principal,
    tenant: &TenantId,
    status: Option<&str>,
    limit: Option<&str>,
    cursor: Option<&str>,
) -> Result<Paged<JoinRequestResource>, JoinRequestError> {
    authorize(deps, principal, tenant).await?;
    let mut errors = Vec::new();
    let status = status.and_then(|s| {
        JoinRequestStatus::parse(s).or_else(|| {
            errors.push(FieldError::new("status", "invalid_status", "status must be pending, approved or denied"));
            None
        })
    });
    let limit = paging::parse_limit(limit).map_err(|e| errors.push(e)).unwrap_or_default();
    let cursor = cursor.and_then(|c| Cursor::parse(c, schema::JOIN_REQUEST_PREFIX).map_err(|e| errors.push(e)).ok());
    if !errors.is_empty() {
        return Err(JoinRequestError::Invalid(errors));
    }
    let query = Query {
        index: None,
        pk: schema::tenant_pk(tenant),
        range: SortKeyRange::BeginsWith(schema::JOIN_REQUEST_PREFIX.into()),
        ascending: false,
        limit,
        after: None,
    };
    let filters = format!("status={}", status.map(|s| format!("{s:?}")).unwrap_or_default());
    let (data, next_cursor) =
        paging::collect_in(deps.table.as_ref(), &deps.settings.cursor_key, &filters, query, cursor.as_ref(), limit, |item| {
            let r = schema::decode::<JoinRequest>(item).map_err(|source| Unexpected { context: "decoding join request", source })?.value;
            Ok(status.is_none_or(|s| r.status() == s).then(|| JoinRequestResource::of(&r)))
        })
        .await?;
    Ok(Paged { data, next_cursor })
}

/// One of the caller's own join requests, with the tenant's name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MyJoinRequest {
    /// The request.
    #[serde(flatten)]
    pub request: JoinRequestResource,
    /// The tenant's name.
    pub tenant_name: String,
}

/// Most requests the person's own list shows (newest first).
pub const MY_REQUESTS_SHOWN: usize = 100;

/// The caller's join requests in every tenant, newest first. A person Usher does not know has
/// none.
#[tracing::instrument(skip_all)]
pub async fn mine(deps: &Deps, principal: &Principal) -> Result<Vec<MyJoinRequest>, JoinRequestError> {
    let Some(user) = access::find_user(deps, principal).await? else { return Ok(Vec::new()) };
    let table = deps.table.as_ref();
    let query = Query {
        index: None,
        pk: schema::user_key(&user.id).pk,
        range: SortKeyRange::BeginsWith(schema::MY_JOIN_REQUEST_PREFIX.into()),
        ascending: true,
        limit: MY_REQUESTS_SHOWN,
        after: None,
    };
    let page = table.query(&query).await.context("reading my join requests")?;
    let pointers = page
        .items
        .into_iter()
        .map(|i| schema::decode::<MyJoinRequestPointer>(i).map(|v| v.value))
        .collect::<Result<Vec<_>, _>>()
        .context("decoding my join requests")?;
    let keys: Vec<_> = pointers.iter().map(|p| schema::join_request_key(&p.tenant_id, &p.request_id)).collect();
    let mut names = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(keys.len());
    for item in table.get_many(&keys).await.context("reading join requests")?.into_iter().flatten() {
        let r = schema::decode::<JoinRequest>(item).context("decoding join request")?.value;
        if !names.contains_key(&r.tenant_id) {
            let name = access::load_tenant(table, &r.tenant_id).await?.map(|t| t.value.name).unwrap_or_default();
            names.insert(r.tenant_id.clone(), name);
        }
        out.push(MyJoinRequest { tenant_name: names.get(&r.tenant_id).cloned().unwrap_or_default(), request: JoinRequestResource::of(&r) });
    }
    out.sort_by(|a, b| b.request.id.cmp(&a.request.id));
    Ok(out)
}

/// The answer to an approval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Approved {
    /// The request, approved.
    pub join_request: JoinRequestResource,
    /// The new membership.
    pub member: MemberResource,
}

async fn load(deps: &Deps, tenant: &TenantId, raw_id: &str) -> Result<Versioned<JoinRequest>, JoinRequestError> {
    let Ok(id) = JoinRequestId::parse(raw_id) else { return Err(JoinRequestError::NotFound) };
    schema::load::<JoinRequest>(deps.table.as_ref(), &schema::join_request_key(tenant, &id))
        .await
        .context("reading join request")?
        .ok_or(JoinRequestError::NotFound)
}

fn decided(r: &JoinRequest) -> Option<JoinRequestError> {
    (r.status() != JoinRequestStatus::Pending).then_some(JoinRequestError::InvalidState("this join request was already decided"))
}

/// An admin approves: the request, the membership, the address guard and the seat in one
/// transaction (`409 seat_limit_reached` when the tenant is full; the request stays pending).
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn approve(deps: &Deps, principal: &Principal, tenant: &TenantId, raw_id: &str) -> Result<Approved, JoinRequestError> {
    let actor = authorize(deps, principal, tenant).await?;
    let table = deps.table.as_ref();
    crate::optimistic!(deps, "approving join request", JoinRequestError, {
        let now = deps.now();
        let req = load(deps, tenant, raw_id).await?;
        if let Some(e) = decided(&req.value) {
            return Err(e);
        }
        let t = access::load_tenant(table, tenant).await?.ok_or(JoinRequestError::NotFound)?.value;
        let Some(role) = access::resolve_role(table, tenant, &req.value.role).await? else {
            return Err(JoinRequestError::InvalidState("the role this request gives no longer exists; deny it"));
        };
        if !actor.role.may_grant(&role) {
            return Err(JoinRequestError::RoleNotGrantable(role.name));
        }
        if !t.allows(&req.value.email) {
            return Err(JoinRequestError::DomainNotAllowed);
        }
        let joiner = Joiner {
            user_id: &req.value.user_id,
            email: &req.value.email,
            name: req.value.name.clone(),
            username: req.value.username.clone(),
        };
        let via = match &req.value.link_id {
            Some(link) => serde_json::json!({ "via": "join_link", "join_link_id": link, "join_request_id": req.value.id }),
            None => serde_json::json!({ "via": "domain", "domain": req.value.domain, "join_request_id": req.value.id }),
        };
        let admitted = match admission(deps, &t, &joiner, &req.value.role, via).await? {
            Ok(a) => a,
            Err(refused) => return Err(refused.into()),
        };
        let mut approved = req.value.clone();
        approved.decide(true, &actor.user.id, now).map_err(|_| JoinRequestError::InvalidState("this join request was already decided"))?;
        let event = audit_event(
            deps,
            tenant,
            Some(&actor.user.id),
            "join_request.approved",
            approved.id.as_str(),
            serde_json::json!({ "user_id": approved.user_id, "role": approved.role }),
        );
        let mut writes = admitted.writes;
        writes.push(schema::replace(req.version, &approved));
        writes.push(Write::Delete { key: schema::pending_join_request_key(tenant, &approved.user_id), cond: Cond::Always });
        writes.push(schema::audit_write(&event));
        match table.transact(writes).await.context("approving join request")? {
            Committed::Yes => {
                tracing::info!(request = %approved.id, "join request approved");
                Ok(Attempt::Done(Approved {
                    join_request: JoinRequestResource::of(&approved),
                    member: MemberResource::of(&admitted.member),
                }))
            }
            Committed::ConditionFailed { at: ADMIT_SEAT_AT } => {
                if full_now(deps, &t).await? {
                    Err(JoinRequestError::SeatLimitReached)
                } else {
                    Ok(Attempt::Lost)
                }
            }
            Committed::ConditionFailed { at: ADMIT_MEMBER_AT } => Err(JoinRequestError::AlreadyMember),
            // The request was decided meanwhile, or the guard moved: decide again on fresh reads.
            Committed::ConditionFailed { .. } => Ok(Attempt::Lost),
        }
    })
    .await
}

/// An admin denies: the request is closed and the person may ask again through a link.
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn deny(deps: &Deps, principal: &Principal, tenant: &TenantId, raw_id: &str) -> Result<JoinRequestResource, JoinRequestError> {
    let actor = authorize(deps, principal, tenant).await?;
    crate::optimistic!(deps, "denying join request", JoinRequestError, {
        let req = load(deps, tenant, raw_id).await?;
        if let Some(e) = decided(&req.value) {
            return Err(e);
        }
        let mut denied = req.value.clone();
        denied
            .decide(false, &actor.user.id, deps.now())
            .map_err(|_| JoinRequestError::InvalidState("this join request was already decided"))?;
        let event = audit_event(
            deps,
            tenant,
            Some(&actor.user.id),
            "join_request.denied",
            denied.id.as_str(),
            serde_json::json!({ "user_id": denied.user_id }),
        );
        let writes = vec![
            schema::replace(req.version, &denied),
            Write::Delete { key: schema::pending_join_request_key(tenant, &denied.user_id), cond: Cond::Always },
            schema::audit_write(&event),
        ];
        let committed = deps.table.transact(writes).await.context("denying join request")?;
        Ok(crate::retry::settle(committed, || {
            tracing::info!(request = %denied.id, "join request denied");
            JoinRequestResource::of(&denied)
        }))
    })
    .await
}
