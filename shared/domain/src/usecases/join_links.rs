//! A tenant's join links: created by an admin (`invitations.create`, a role they may grant),
//! shown once, listed, disabled; looked up by the landing page (public, consumes nothing) and
//! redeemed by a signed-in person with a verified email, who becomes a member, or files a join
//! request when the link needs approval (`usecases::join_requests` decides those).
//!
//! INVARIANT: the token leaves this module only in `CreatedJoinLink::url`, answered once; the
//! store holds its SHA-256 (the pointer's key). A use and a seat are taken in one transaction
//! whose count writes hold only while a use is left, the link is enabled and a seat is free.

use super::{GuardState, audit_event, expire_writes, parse_token, read_guard};
use crate::access::{self, AccessError, Actor};
use crate::context::{Deps, Principal};
use crate::error::{Context, ErrorCode, FieldError, Unexpected};
use crate::joining::{
    JoinLink, JoinLinkPointer, JoinLinkResource, JoinLinkStatus, JoinRequest, JoinRequestResource, JoinVia, MyJoinRequestPointer,
    PendingJoinRequest,
};
use crate::model::{EmailGuard, Member, Tenant, User};
use crate::ports::{Committed, Query, SortKeyRange, Write};
use crate::retry::Attempt;
use crate::roles::{Permission, RoleName};
use crate::schema::{self, TenantCount, UserPointer, Versioned};
use crate::token::InvitationToken;
use crate::values::{Email, JoinLinkId, JoinRequestId, TenantId, Timestamp, UserId};
use crate::views::MemberResource;
use serde::{Deserialize, Serialize};

/// Most uses a link may have.
pub const MAX_USES: u32 = 1000;
/// Longest a link may live, in days.
pub const MAX_DAYS: u32 = 90;
/// How long a link lives unless its creator says otherwise, in days.
pub const DEFAULT_DAYS: u32 = 14;
/// How long a link's hash pointer outlives the link (an old link reads "expired", not unknown).
const POINTER_RETENTION_SECS: i64 = 30 * 86_400;

/// `POST /v1/tenants/{t}/join-links`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewJoinLink {
    /// The role it gives.
    pub role: String,
    /// How many people may come through it (1–1000).
    pub max_uses: u32,
    /// How long it lives (1–90 days, default 14).
    #[serde(default)]
    pub expires_in_days: Option<u32>,
    /// Email domains it is for.
    #[serde(default)]
    pub allowed_domains: Option<Vec<String>>,
    /// Whether redeeming files a join request instead of joining.
    #[serde(default)]
    pub approval: Option<bool>,
}

/// A new link: the only answer that carries its token (inside `url`).
#[derive(Debug, Clone, Serialize)]
pub struct CreatedJoinLink {
    /// `{ACCEPT_URL}#join=<token>`. Never shown again.
    pub url: String,
    /// The link.
    #[serde(flatten)]
    pub link: JoinLinkResource,
}

/// What the landing page shows about a link.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JoinLinkLookup {
    /// The tenant.
    pub tenant_id: TenantId,
    /// Its name.
    pub tenant_name: String,
    /// The role on offer.
    pub role: RoleName,
    /// Uses left.
    pub remaining: u32,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// Whether joining needs an admin's approval.
    pub approval: bool,
    /// Email domains it is for (empty: any).
    pub allowed_domains: Vec<String>,
    /// `active` means it can be redeemed.
    pub status: JoinLinkStatus,
}

/// What redeeming did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RedeemOutcome {
    /// The person is a member now.
    Joined,
    /// A join request waits for an admin.
    Requested,
}

/// The answer to a redeem.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Redeemed {
    /// What happened.
    pub outcome: RedeemOutcome,
    /// The tenant.
    pub tenant_id: TenantId,
    /// Its name.
    pub tenant_name: String,
    /// The membership (`joined`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<MemberResource>,
    /// The request (`requested`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub join_request: Option<JoinRequestResource>,
}

/// What the join-link routes can answer besides success.
#[derive(Debug, thiserror::Error)]
pub enum JoinLinkError {
    /// The request is malformed.
    #[error("invalid request")]
    Invalid(Vec<FieldError>),
    /// No such tenant, link or token (or the caller is not in the tenant).
    #[error("not found")]
    NotFound,
    /// The caller lacks `invitations.create`, or has no verified email to join with.
    #[error("{0}")]
    Forbidden(&'static str),
    /// The role carries a permission the caller lacks.
    #[error("you cannot grant the role '{0}'")]
    RoleNotGrantable(RoleName),
    /// The link is past its expiry.
    #[error("this join link has expired; ask the tenant's admin for a new one")]
    Expired,
    /// An admin disabled the link.
    #[error("this join link was disabled by the tenant's admin")]
    Disabled,
    /// Every use is taken.
    #[error("every use of this join link is taken; ask the tenant's admin for a new one")]
    UsedUp,
    /// The caller's address is outside the link's (or the tenant's) domains.
    #[error("this join link is not for addresses at your email's domain")]
    DomainNotAllowed,
    /// The caller is a member already.
    #[error("you are already a member of this tenant")]
    AlreadyMember,
    /// The caller's address has a pending invitation to the tenant.
    #[error("you have a pending invitation to this tenant; accept it from your email")]
    AlreadyInvited,
    /// No seat left.
    #[error("the tenant has no seat left; ask its admin")]
    SeatLimitReached,
    /// The link was already disabled, or its role no longer exists.
    #[error("{0}")]
    InvalidState(&'static str),
    /// Something broke.
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

crate::error_codes!(JoinLinkError {
    JoinLinkError::Invalid(e) => ErrorCode::InvalidRequest(e.clone()),
    JoinLinkError::NotFound => ErrorCode::NotFound,
    JoinLinkError::Forbidden(_) => ErrorCode::Forbidden,
    JoinLinkError::RoleNotGrantable(_) => ErrorCode::RoleNotGrantable,
    JoinLinkError::Expired => ErrorCode::LinkExpired,
    JoinLinkError::Disabled => ErrorCode::LinkDisabled,
    JoinLinkError::UsedUp => ErrorCode::LinkUsedUp,
    JoinLinkError::DomainNotAllowed => ErrorCode::DomainNotAllowed,
    JoinLinkError::AlreadyMember => ErrorCode::AlreadyMember,
    JoinLinkError::AlreadyInvited => ErrorCode::AlreadyInvited,
    JoinLinkError::SeatLimitReached => ErrorCode::SeatLimitReached,
    JoinLinkError::InvalidState(_) => ErrorCode::InvalidState,
    JoinLinkError::Unexpected(u) => u.code(),
});

impl From<AccessError> for JoinLinkError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::NotFound => Self::NotFound,
            AccessError::Unexpected(u) => Self::Unexpected(u),
        }
    }
}

async fn authorize(deps: &Deps, principal: &Principal, tenant: &TenantId) -> Result<Actor, JoinLinkError> {
    let actor = access::member_of(deps, principal, tenant).await?;
    if !actor.can(Permission::InvitationsCreate) {
        return Err(JoinLinkError::Forbidden("you may not manage this tenant's join links"));
    }
    Ok(actor)
}

/// Why a person cannot be admitted (shared by redeem, joining by domain and approval).
#[derive(Debug)]
pub(crate) enum Refused {
    AlreadyMember,
    AlreadyInvited,
    SeatLimitReached,
}

impl From<Refused> for JoinLinkError {
    fn from(r: Refused) -> Self {
        match r {
            Refused::AlreadyMember => Self::AlreadyMember,
            Refused::AlreadyInvited => Self::AlreadyInvited,
            Refused::SeatLimitReached => Self::SeatLimitReached,
        }
    }
}

/// After an admission lost on the tenant's seat count write: whether the tenant is full under
/// the seat limit the decision was made with (then `seat_limit_reached`), or only another
/// seat change moved the counters (then decide again).
pub(crate) async fn full_now(deps: &Deps, as_read: &Tenant) -> Result<bool, Unexpected> {
    let now = access::load_tenant(deps.table.as_ref(), &as_read.id).await?;
    Ok(now.is_some_and(|t| t.value.seat_limit == as_read.seat_limit && !t.value.has_seats_for(1)))
}

/// The writes that make `user` (existing, or created by `new_user`) a member of `tenant` with
/// `role`, decided on fresh reads: the membership (absent), the address guard (taken over from
/// a stale invitation, which is expired in the same write and hands over its seat), the seat
/// (a count write that holds while one is free) and `member.added` with `via`. The membership
/// is the first write, the tenant's counters the second.
pub(crate) struct Admission {
    pub member: Member,
    pub writes: Vec<Write>,
}

/// Index of the membership in `Admission::writes`.
pub(crate) const ADMIT_MEMBER_AT: usize = 0;
/// Index of the tenant's count write in `Admission::writes`.
pub(crate) const ADMIT_SEAT_AT: usize = 1;

pub(crate) struct Joiner<'a> {
    pub user_id: &'a UserId,
    pub email: &'a Email,
    pub name: Option<String>,
    pub username: Option<String>,
}

pub(crate) async fn admission(
    deps: &Deps,
    tenant: &Tenant,
    joiner: &Joiner<'_>,
    role: &RoleName,
    via: serde_json::Value,
) -> Result<Result<Admission, Refused>, Unexpected> {
    let now = deps.now();
    let table = deps.table.as_ref();
    if table.get(&schema::member_key(&tenant.id, joiner.user_id)).await.context("reading membership")?.is_some() {
        return Ok(Err(Refused::AlreadyMember));
    }
    let guard = read_guard(deps, &tenant.id, joiner.email).await?;
    let holder = EmailGuard::Member { user_id: joiner.user_id.clone() };
    let (guard_write, overdue) = match guard {
        GuardState::Member => return Ok(Err(Refused::AlreadyMember)),
        GuardState::Invited(_) => return Ok(Err(Refused::AlreadyInvited)),
        GuardState::Free => (schema::guard_write(&tenant.id, joiner.email, &holder, None), None),
        GuardState::Stale { guard_version, overdue } => {
            (schema::guard_write(&tenant.id, joiner.email, &holder, Some(guard_version)), overdue)
        }
    };
    let expired = overdue.as_deref().and_then(|o| expire_writes(deps, o));
    let inherit_pending = expired.is_some();
    if !inherit_pending && !tenant.has_seats_for(1) {
        return Ok(Err(Refused::SeatLimitReached));
    }
    let member = Member {
        tenant_id: tenant.id.clone(),
        user_id: joiner.user_id.clone(),
        email: joiner.email.clone(),
        username: joiner.username.clone(),
        name: joiner.name.clone(),
        role: role.clone(),
        workspaces: Vec::new(),
        profile: crate::values::Profile::default(),
        notifications: crate::model::Notifications::default(),
        record_owner: false,
        metadata: None,
        locale: crate::values::Locale::default(),
        pending_email: None,
        joined_via: None,
        last_login_at: Some(now),
        created_at: now,
        updated_at: now,
    };
    let mut details = serde_json::json!({ "role": role, "user_id": joiner.user_id });
    if let (Some(d), Some(v)) = (details.as_object_mut(), via.as_object()) {
        d.extend(v.clone());
    }
    let added = audit_event(deps, &tenant.id, Some(joiner.user_id), "member.added", joiner.user_id.as_str(), details);
    let seat = TenantCount::Join { role, limit: tenant.seat_limit, inherit_pending };
    let mut writes = vec![schema::create(&member), schema::tenant_counts(&tenant.id, seat), guard_write, schema::audit_write(&added)];
    writes.extend(expired.into_iter().flatten());
    Ok(Ok(Admission { member, writes }))
}

/// How a person comes in without an invitation: joining at once, or asking.
pub(crate) enum Entry {
    /// The writes make them a member.
    Joins(Box<Member>),
    /// The writes file this request.
    Asks(JoinRequest),
    /// They asked already and wait: nothing to write.
    Waits(JoinRequest),
}

/// The signed-in person coming in: their sign-in, the user it is, their verified address.
pub(crate) struct Entrant<'a> {
    pub principal: &'a Principal,
    pub user: &'a User,
    pub email: &'a Email,
}

/// What a join link and a verified domain share: the person (the caller as `user`) joins
/// `tenant` with `role` at once, or (with `ask`) files a join request, through `via`. Answers
/// the entry and its writes (the membership first and the seat second, `ADMIT_*_AT`), or why not.
pub(crate) async fn enter(
    deps: &Deps,
    tenant: &Tenant,
    who: Entrant<'_>,
    role: &RoleName,
    via: JoinVia,
    ask: bool,
) -> Result<Result<(Entry, Vec<Write>), Refused>, Unexpected> {
    let Entrant { principal, user, email } = who;
    let name = principal.name.clone().or(user.name.clone());
    let username = principal.username.clone().or(user.username.clone());
    let (member_via, request_source) = match &via {
        JoinVia::Link(id) => (serde_json::json!({ "via": "join_link", "join_link_id": id }), serde_json::json!({ "link_id": id })),
        JoinVia::Domain(d) => (serde_json::json!({ "via": "domain", "domain": d }), serde_json::json!({ "domain": d })),
    };
    if !ask {
        let joiner = Joiner { user_id: &user.id, email, name, username };
        return Ok(admission(deps, tenant, &joiner, role, member_via).await?.map(|a| (Entry::Joins(Box::new(a.member)), a.writes)));
    }
    if let Some(r) = pending_request(deps, &tenant.id, &user.id).await? {
        return Ok(Ok((Entry::Waits(r), Vec::new())));
    }
    match read_guard(deps, &tenant.id, email).await? {
        GuardState::Member => return Ok(Err(Refused::AlreadyMember)),
        GuardState::Invited(_) => return Ok(Err(Refused::AlreadyInvited)),
        GuardState::Free | GuardState::Stale { .. } => {}
    }
    let r = JoinRequest::new(
        JoinRequestId::from_uuid(deps.new_uuid()),
        tenant.id.clone(),
        via,
        user.id.clone(),
        email.clone(),
        name,
        username,
        role.clone(),
        deps.now(),
    );
    let writes = request_writes(deps, &r, request_source);
    Ok(Ok((Entry::Asks(r), writes)))
}

/// The person's pending request in the tenant, if any (one at a time).
pub(crate) async fn pending_request(deps: &Deps, tenant: &TenantId, user: &UserId) -> Result<Option<JoinRequest>, Unexpected> {
    let table = deps.table.as_ref();
    let Some(p) = schema::load::<PendingJoinRequest>(table, &schema::pending_join_request_key(tenant, user))
        .await
        .context("reading pending join request")?
    else {
        return Ok(None);
    };
    Ok(schema::load::<JoinRequest>(table, &schema::join_request_key(tenant, &p.value.request_id))
        .await
        .context("reading join request")?
        .map(|r| r.value))
}

/// The writes that file a new join request: the request, the person's one-pending marker (a
/// second request in another tab loses on it), their own pointer, `join_request.created` with
/// `source` (what it came through) in its details.
pub(crate) fn request_writes(deps: &Deps, r: &JoinRequest, source: serde_json::Value) -> Vec<Write> {
    let mut details = serde_json::json!({ "user_id": r.user_id, "role": r.role });
    if let (Some(d), Some(s)) = (details.as_object_mut(), source.as_object()) {
        d.extend(s.clone());
    }
    let event = audit_event(deps, &r.tenant_id, Some(&r.user_id), "join_request.created", r.id.as_str(), details);
    vec![
        schema::create(r),
        schema::create_at(schema::pending_join_request_key(&r.tenant_id, &r.user_id), &PendingJoinRequest { request_id: r.id.clone() }),
        schema::create_at(
            schema::my_join_request_key(&r.user_id, &r.tenant_id, &r.id),
            &MyJoinRequestPointer { tenant_id: r.tenant_id.clone(), request_id: r.id.clone() },
        ),
        schema::audit_write(&event),
    ]
}

/// The caller as a user: found by subject, or created (with their subject and address pointers
/// in the same transaction as what they join).
pub(crate) async fn user_for(deps: &Deps, principal: &Principal, email: &Email) -> Result<(User, Vec<Write>), Unexpected> {
    if let Some(u) = access::find_user(deps, principal).await? {
        return Ok((u, Vec::new()));
    }
    let u = User {
        id: UserId::from_uuid(deps.new_uuid()),
        email: email.clone(),
        subject: Some(principal.subject.clone()),
        name: principal.name.clone(),
        username: principal.username.clone(),
        created_at: deps.now(),
    };
    let pointer = UserPointer { user_id: u.id.clone() };
    let mut writes = vec![schema::create(&u), schema::create_at(schema::user_subject_key(&principal.subject), &pointer)];
    // The address may already name a user who signed in with another account: that user keeps it.
    let by_email = schema::user_email_key(email);
    if deps.table.get(&by_email).await.context("reading user by email")?.is_none() {
        writes.push(schema::create_at(by_email, &pointer));
    }
    Ok((u, writes))
}

fn parse_new(raw: &NewJoinLink) -> Result<(RoleName, u32, u32, Vec<String>, bool), JoinLinkError> {
    let mut errors = Vec::new();
    let role = RoleName::parse(&raw.role).map_err(|e| errors.push(FieldError::from_invalid("role", &e))).ok();
    if !(1..=MAX_USES).contains(&raw.max_uses) {
        errors.push(FieldError::new("max_uses", "out_of_range", format!("max_uses must be from 1 to {MAX_USES}")));
    }
    let days = raw.expires_in_days.unwrap_or(DEFAULT_DAYS);
    if !(1..=MAX_DAYS).contains(&days) {
        errors.push(FieldError::new("expires_in_days", "out_of_range", format!("expires_in_days must be from 1 to {MAX_DAYS}")));
    }
    let domains =
        super::tenants::parse_domains(raw.allowed_domains.as_deref().unwrap_or_default()).map_err(|e| errors.extend(e)).unwrap_or_default();
    match role {
        Some(role) if errors.is_empty() => Ok((role, raw.max_uses, days, domains, raw.approval.unwrap_or(false))),
        _ => Err(JoinLinkError::Invalid(errors)),
    }
}

/// An admin creates a link; its token is in the answer's `url` and nowhere else, ever.
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn create(deps: &Deps, principal: &Principal, tenant: &TenantId, raw: &NewJoinLink) -> Result<CreatedJoinLink, JoinLinkError> {
    let actor = authorize(deps, principal, tenant).await?;
    let (role_name, max_uses, days, allowed_domains, approval) = parse_new(raw)?;
    let Some(role) = access::resolve_role(deps.table.as_ref(), tenant, &role_name).await? else {
        return Err(JoinLinkError::Invalid(vec![FieldError::new("role", "unknown_role", format!("the tenant has no role '{role_name}'"))]));
    };
    // A link anyone holding it may use never makes owners (as provisioning never does).
    if role.name.is_owner() || !actor.role.may_grant(&role) {
        return Err(JoinLinkError::RoleNotGrantable(role.name));
    }
    let now = deps.now();
    let token = deps.new_token();
    let link = JoinLink {
        id: JoinLinkId::from_uuid(deps.new_uuid()),
        tenant_id: tenant.clone(),
        role: role.name,
        max_uses,
        uses: 0,
        expires_at: now.plus_seconds(i64::from(days) * 86_400),
        allowed_domains,
        approval,
        disabled_at: None,
        token_hash: token.hash(),
        created_by: actor.user.id.clone(),
        created_at: now,
    };
    let event = audit_event(
        deps,
        tenant,
        Some(&actor.user.id),
        "join_link.created",
        link.id.as_str(),
        serde_json::json!({ "role": link.role, "max_uses": max_uses, "approval": approval, "expires_at": link.expires_at }),
    );
    let pointer = JoinLinkPointer { tenant_id: tenant.clone(), link_id: link.id.clone() };
    let writes = vec![
        schema::create(&link),
        schema::create_expiring_at(
            schema::join_link_hash_key(&link.token_hash),
            &pointer,
            link.expires_at.plus_seconds(POINTER_RETENTION_SECS),
        ),
        schema::audit_write(&event),
    ];
    match deps.table.transact(writes).await.context("saving join link")? {
        Committed::Yes => {}
        // 256 random bits collide with nothing: a failed condition here is a store bug.
        Committed::ConditionFailed { .. } => {
            return Err(Unexpected {
                context: "saving join link",
                source: crate::ports::StoreError::Rejected("a new join link's keys already exist".into()),
            }
            .into());
        }
    }
    tracing::info!(link = %link.id, max_uses, approval, "join link created");
    Ok(CreatedJoinLink { url: join_url(deps, &token), link: JoinLinkResource::of(&link, now) })
}

fn join_url(deps: &Deps, token: &InvitationToken) -> String {
    format!("{}#join={}", deps.settings.accept_url, token.expose())
}

async fn all(deps: &Deps, tenant: &TenantId) -> Result<Vec<JoinLink>, Unexpected> {
    let query = Query {
        index: None,
        pk: schema::tenant_pk(tenant),
        range: SortKeyRange::BeginsWith(schema::JOIN_LINK_PREFIX.into()),
        ascending: false,
        limit: 100,
        after: None,
    };
    crate::paging::read_all(deps.table.as_ref(), query, |item| {
        schema::decode::<JoinLink>(item).map(|v| Some(v.value)).map_err(|source| Unexpected { context: "decoding join link", source })
    })
    .await
}

/// A tenant's links, newest first (never a token).
pub async fn list(deps: &Deps, principal: &Principal, tenant: &TenantId) -> Result<Vec<JoinLinkResource>, JoinLinkError> {
    authorize(deps, principal, tenant).await?;
    let now = deps.now();
    Ok(all(deps, tenant).await?.iter().map(|l| JoinLinkResource::of(l, now)).collect())
}

/// Disables a link at once: the next redeem is `410 link_disabled` (a redeem in flight loses:
/// its use expects the link enabled).
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn disable(deps: &Deps, principal: &Principal, tenant: &TenantId, raw_id: &str) -> Result<JoinLinkResource, JoinLinkError> {
    let actor = authorize(deps, principal, tenant).await?;
    let Ok(id) = JoinLinkId::parse(raw_id) else { return Err(JoinLinkError::NotFound) };
    let key = schema::join_link_key(tenant, &id);
    crate::optimistic!(deps, "disabling join link", JoinLinkError, {
        let now = deps.now();
        let Some(link) = schema::load::<JoinLink>(deps.table.as_ref(), &key).await.context("reading join link")? else {
            return Err(JoinLinkError::NotFound);
        };
        if link.value.disabled_at.is_some() {
            return Err(JoinLinkError::InvalidState("this join link is already disabled"));
        }
        let mut disabled = link.value.clone();
        disabled.disabled_at = Some(now);
        let event = audit_event(
            deps,
            tenant,
            Some(&actor.user.id),
            "join_link.disabled",
            id.as_str(),
            serde_json::json!({ "uses": disabled.uses }),
        );
        let committed = deps
            .table
            .transact(vec![schema::replace(link.version, &disabled), schema::audit_write(&event)])
            .await
            .context("disabling join link")?;
        Ok(crate::retry::settle(committed, || {
            tracing::info!(link = %id, "join link disabled");
            JoinLinkResource::of(&disabled, now)
        }))
    })
    .await
}

async fn link_by_token(deps: &Deps, token: &InvitationToken) -> Result<Option<Versioned<JoinLink>>, Unexpected> {
    let table = deps.table.as_ref();
    let Some(p) = schema::load::<JoinLinkPointer>(table, &schema::join_link_hash_key(&token.hash())).await.context("reading join token")?
    else {
        return Ok(None);
    };
    schema::load::<JoinLink>(table, &schema::join_link_key(&p.value.tenant_id, &p.value.link_id)).await.context("reading join link")
}

fn parse(raw: &str) -> Result<InvitationToken, JoinLinkError> {
    parse_token(raw).map_err(|e| JoinLinkError::Invalid(vec![e]))
}

/// What a link is, for the landing page. Public; reads two items, writes nothing.
#[tracing::instrument(skip_all)]
pub async fn lookup(deps: &Deps, raw_token: &str) -> Result<JoinLinkLookup, JoinLinkError> {
    let token = parse(raw_token)?;
    let link = link_by_token(deps, &token).await?.ok_or(JoinLinkError::NotFound)?.value;
    let tenant = access::load_tenant(deps.table.as_ref(), &link.tenant_id).await?.ok_or(JoinLinkError::NotFound)?;
    Ok(JoinLinkLookup {
        tenant_id: link.tenant_id.clone(),
        tenant_name: tenant.value.name,
        role: link.role.clone(),
        remaining: link.remaining(),
        expires_at: link.expires_at,
        approval: link.approval,
        allowed_domains: link.allowed_domains.clone(),
        status: link.status_at(deps.now()),
    })
}

fn closed(status: JoinLinkStatus) -> Option<JoinLinkError> {
    match status {
        JoinLinkStatus::Active => None,
        JoinLinkStatus::Expired => Some(JoinLinkError::Expired),
        JoinLinkStatus::Disabled => Some(JoinLinkError::Disabled),
        JoinLinkStatus::UsedUp => Some(JoinLinkError::UsedUp),
    }
}

/// Index of the link's use in a redeem's transaction.
const USE_AT: usize = 0;

/// A signed-in person redeems a link with their verified email: one transaction takes a use and
/// either a seat (they are a member) or files a join request (the link needs approval). A
/// member redeeming again is `already_member` and uses nothing; a person with a pending request
/// gets that request again.
#[tracing::instrument(skip_all)]
pub async fn redeem(deps: &Deps, principal: &Principal, raw_token: &str) -> Result<Redeemed, JoinLinkError> {
    let token = parse(raw_token)?;
    let Some(email) = principal.verified_email().cloned() else {
        return Err(JoinLinkError::Forbidden("your sign-in has no verified email; verify it with your identity provider first"));
    };
    let table = deps.table.as_ref();
    crate::optimistic!(deps, "redeeming join link", JoinLinkError, {
        let now = deps.now();
        let link = link_by_token(deps, &token).await?.ok_or(JoinLinkError::NotFound)?.value;
        let tenant = access::load_tenant(table, &link.tenant_id).await?.ok_or(JoinLinkError::NotFound)?.value;
        let (user, user_writes) = user_for(deps, principal, &email).await?;
        // A member hears that first: redeeming again changes nothing, whatever the link's state.
        if table.get(&schema::member_key(&tenant.id, &user.id)).await.context("reading membership")?.is_some() {
            return Err(JoinLinkError::AlreadyMember);
        }
        if let Some(e) = closed(link.status_at(now)) {
            return Err(e);
        }
        if !link.admits(&email) || !tenant.allows(&email) {
            return Err(JoinLinkError::DomainNotAllowed);
        }
        if access::resolve_role(table, &tenant.id, &link.role).await?.is_none() {
            return Err(JoinLinkError::InvalidState("the role this link gives no longer exists; ask the tenant's admin"));
        }
        let answer = |member: Option<MemberResource>, request: Option<JoinRequestResource>| Redeemed {
            outcome: if member.is_some() { RedeemOutcome::Joined } else { RedeemOutcome::Requested },
            tenant_id: tenant.id.clone(),
            tenant_name: tenant.name.clone(),
            member,
            join_request: request,
        };
        let mut writes = vec![schema::join_link_use(&link)];
        let entered = enter(
            deps,
            &tenant,
            Entrant { principal, user: &user, email: &email },
            &link.role,
            JoinVia::Link(link.id.clone()),
            link.approval,
        )
        .await?;
        let (joined, request) = match entered {
            Ok((Entry::Waits(r), _)) => return Ok(Attempt::Done(answer(None, Some(JoinRequestResource::of(&r))))),
            Ok((Entry::Joins(m), w)) => {
                writes.extend(w);
                (Some(*m), None)
            }
            Ok((Entry::Asks(r), w)) => {
                writes.extend(w);
                (None, Some(r))
            }
            Err(refused) => return Err(refused.into()),
        };
        writes.extend(user_writes);
        match table.transact(writes).await.context("redeeming join link")? {
            Committed::Yes => {
                deps.identities.put(&principal.subject, user.clone(), now);
                if let Some(m) = joined {
                    tracing::info!(link = %link.id, user = %user.id, "joined by link");
                    Ok(Attempt::Done(answer(Some(MemberResource::of(&m)), None)))
                } else {
                    tracing::info!(link = %link.id, user = %user.id, "join request filed");
                    Ok(Attempt::Done(answer(None, request.as_ref().map(JoinRequestResource::of))))
                }
            }
            // The use: the link changed state meanwhile (used up, disabled), or only its count
            // moved: read it again.
            Committed::ConditionFailed { at: USE_AT } => {
                let now = deps.now();
                match link_by_token(deps, &token).await?.map(|l| l.value.status_at(now)).and_then(closed) {
                    Some(e) => Err(e),
                    None => Ok(Attempt::Lost),
                }
            }
            Committed::ConditionFailed { at } if joined.is_some() && at == 1 + ADMIT_SEAT_AT => {
                if full_now(deps, &tenant).await? {
                    Err(JoinLinkError::SeatLimitReached)
                } else {
                    Ok(Attempt::Lost)
                }
            }
            Committed::ConditionFailed { at } if joined.is_some() && at == 1 + ADMIT_MEMBER_AT => Err(JoinLinkError::AlreadyMember),
            // Someone else moved first (a guard, a pending request, the same person in another tab).
            Committed::ConditionFailed { .. } => Ok(Attempt::Lost),
        }
    })
    .await
}
