//! A tenant's verified domains (`directory.manage`): added, proven by a DNS TXT record, given a
//! join policy, removed; looked at again daily by the schedule (`recheck`); and the signed-in
//! person's side: the tenants their verified address lets them join, and joining one.
//!
//! INVARIANT: a domain is verified for one tenant at a time: the claim item is created (or
//! taken over from a tenant whose domain is no longer verified) in the same transaction that
//! verifies it. Joining takes the seat in one transaction that also requires the domain item
//! unchanged since it was read, so a lapse or a policy change in between wins.

use super::audit_event;
use super::join_links::{
    ADMIT_MEMBER_AT, ADMIT_SEAT_AT, Entrant, Entry, RedeemOutcome, Redeemed, Refused, enter, full_now, pending_request, user_for,
};
use crate::access::{self, AccessError, Actor};
use crate::context::{Deps, Principal};
use crate::domains::{
    self, Check, DomainClaim, DomainResource, DomainStatus, JoinPolicy, TenantDomain, Transition, check_records, is_consumer,
    may_be_join_role,
};
use crate::error::{Context, ErrorCode, FieldError, Unexpected};
use crate::joining::{JoinRequestResource, JoinVia};
use crate::ports::{Committed, Query, SortKeyRange};
use crate::retry::Attempt;
use crate::roles::{Permission, RoleName};
use crate::schema::{self, Versioned};
use crate::values::{TenantId, UserId};
use crate::views::MemberResource;
use serde::{Deserialize, Serialize};

/// `POST /v1/tenants/{t}/domains`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDomain {
    /// The domain.
    pub domain: String,
}

/// `PATCH /v1/tenants/{t}/domains/{domain}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainPolicy {
    /// `off`, `request` or `auto`.
    pub join: JoinPolicy,
    /// The role people joining get (required unless `join` is `off`).
    #[serde(default)]
    pub join_role: Option<String>,
}

/// What the domain routes can answer besides success.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The request is malformed.
    #[error("invalid request")]
    Invalid(Vec<FieldError>),
    /// No such tenant or domain (or the caller is not in the tenant).
    #[error("not found")]
    NotFound,
    /// The caller lacks `directory.manage`.
    #[error("you may not manage this tenant's domains")]
    Forbidden,
    /// A consumer mail domain.
    #[error("'{0}' is a consumer mail domain: anyone can have an address there, so it cannot be verified")]
    ConsumerDomain(String),
    /// Another tenant verified it.
    #[error("another tenant has verified '{0}'")]
    DomainTaken(String),
    /// The join role carries a permission the caller lacks.
    #[error("you cannot grant the role '{0}'")]
    RoleNotGrantable(RoleName),
    /// Not possible now (a policy on an unverified domain, a domain added twice, too many).
    #[error("{0}")]
    InvalidState(&'static str),
    /// Something broke.
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

crate::error_codes!(DomainError {
    DomainError::Invalid(e) => ErrorCode::InvalidRequest(e.clone()),
    DomainError::NotFound => ErrorCode::NotFound,
    DomainError::Forbidden => ErrorCode::Forbidden,
    DomainError::ConsumerDomain(_) => ErrorCode::ConsumerDomain,
    DomainError::DomainTaken(_) => ErrorCode::DomainTaken,
    DomainError::RoleNotGrantable(_) => ErrorCode::RoleNotGrantable,
    DomainError::InvalidState(_) => ErrorCode::InvalidState,
    DomainError::Unexpected(u) => u.code(),
});

impl From<AccessError> for DomainError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::NotFound => Self::NotFound,
            AccessError::Unexpected(u) => Self::Unexpected(u),
        }
    }
}

async fn authorize(deps: &Deps, principal: &Principal, tenant: &TenantId) -> Result<Actor, DomainError> {
    let actor = access::member_of(deps, principal, tenant).await?;
    if !actor.can(Permission::DirectoryManage) {
        return Err(DomainError::Forbidden);
    }
    Ok(actor)
}

/// A domain as written by an admin (`Acme.COM`, `@acme.com`, `bücher.example`) in IDNA ASCII
/// lower case, or the field error.
fn parse_domain(raw: &str) -> Result<String, DomainError> {
    super::tenants::parse_domains(&[raw.to_owned()])
        .ok()
        .and_then(|d| d.into_iter().next())
        .filter(|d| d.contains('.'))
        .ok_or_else(|| DomainError::Invalid(vec![FieldError::new("domain", "invalid_domain", "not a domain an email address can have")]))
}

/// A domain named in a path: unknown when it does not parse.
async fn load(deps: &Deps, tenant: &TenantId, raw: &str) -> Result<Versioned<TenantDomain>, DomainError> {
    let Ok(domain) = parse_domain(raw) else { return Err(DomainError::NotFound) };
    schema::load::<TenantDomain>(deps.table.as_ref(), &schema::domain_key(tenant, &domain))
        .await
        .context("reading domain")?
        .ok_or(DomainError::NotFound)
}

async fn all(deps: &Deps, tenant: &TenantId) -> Result<Vec<TenantDomain>, Unexpected> {
    let query = Query {
        index: None,
        pk: schema::tenant_pk(tenant),
        range: SortKeyRange::BeginsWith(schema::DOMAIN_PREFIX.into()),
        ascending: true,
        limit: 100,
        after: None,
    };
    crate::paging::read_all(deps.table.as_ref(), query, |item| {
        schema::decode::<TenantDomain>(item).map(|v| Some(v.value)).map_err(|source| Unexpected { context: "decoding domain", source })
    })
    .await
}

/// The claim on a domain and, when another tenant holds it, whether that tenant's proof still
/// stands (its domain verified).
async fn claim_of(deps: &Deps, domain: &str) -> Result<Option<(Versioned<DomainClaim>, bool)>, Unexpected> {
    let table = deps.table.as_ref();
    let Some(claim) = schema::load::<DomainClaim>(table, &schema::domain_claim_key(domain)).await.context("reading domain claim")? else {
        return Ok(None);
    };
    let holder =
        schema::load::<TenantDomain>(table, &schema::domain_key(&claim.value.tenant_id, domain)).await.context("reading domain")?;
    let stands = holder.is_some_and(|d| d.value.status == DomainStatus::Verified);
    Ok(Some((claim, stands)))
}

/// An admin adds a domain: `pending`, with the TXT record to create.
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn add(deps: &Deps, principal: &Principal, tenant: &TenantId, raw: &NewDomain) -> Result<DomainResource, DomainError> {
    let actor = authorize(deps, principal, tenant).await?;
    let domain = parse_domain(&raw.domain)?;
    if is_consumer(&domain) {
        return Err(DomainError::ConsumerDomain(domain));
    }
    if let Some((claim, stands)) = claim_of(deps, &domain).await?
        && claim.value.tenant_id != *tenant
        && stands
    {
        return Err(DomainError::DomainTaken(domain));
    }
    let existing = all(deps, tenant).await?;
    if existing.iter().any(|d| d.domain == domain) {
        return Err(DomainError::InvalidState("this domain is already added"));
    }
    if existing.len() >= domains::MAX_PER_TENANT {
        return Err(DomainError::InvalidState("a tenant may add at most 50 domains"));
    }
    let now = deps.now();
    let mut random = [0u8; 16];
    deps.random.fill(&mut random);
    let value = format!("{}{}", domains::VALUE_PREFIX, random.iter().map(|b| format!("{b:02x}")).collect::<String>());
    let d = TenantDomain::pending(tenant.clone(), domain.clone(), value, actor.user.id.clone(), now);
    let event = audit_event(deps, tenant, Some(&actor.user.id), "domain.added", &domain, serde_json::json!({}));
    match deps.table.transact(vec![schema::create(&d), schema::audit_write(&event)]).await.context("adding domain")? {
        Committed::Yes => Ok(DomainResource::of(&d)),
        Committed::ConditionFailed { .. } => Err(DomainError::InvalidState("this domain is already added")),
    }
}

/// A tenant's domains, by name.
pub async fn list(deps: &Deps, principal: &Principal, tenant: &TenantId) -> Result<Vec<DomainResource>, DomainError> {
    authorize(deps, principal, tenant).await?;
    Ok(all(deps, tenant).await?.iter().map(DomainResource::of).collect())
}

/// Looks the domain's TXT record up. Never fails: a resolver failure is a `Check::Failed`.
async fn look_up(deps: &Deps, d: &TenantDomain) -> Check {
    match deps.dns.txt(&d.record_name()).await {
        Ok(found) => check_records(&d.verification_value, &found),
        Err(e) => {
            tracing::warn!(error = %e, "TXT lookup failed");
            Check::Failed(format!("the DNS lookup failed ({}); try again later", e.0))
        }
    }
}

/// What saving a check concluded.
enum Saved {
    /// The domain as saved, and how it moved.
    Domain(Box<TenantDomain>, Transition),
    /// The record is there, but another tenant's proof of the domain stands.
    Taken,
}

/// Applies `check` to the domain at `key` and saves it, with the claim when it becomes (or
/// stays) verified and the event when it moved. Decided on fresh reads, retried when raced.
async fn save_check(deps: &Deps, key: &crate::ports::Key, check: &Check, actor: Option<&UserId>) -> Result<Option<Saved>, Unexpected> {
    let table = deps.table.as_ref();
    crate::optimistic!(deps, "saving a domain check", Unexpected, {
        let now = deps.now();
        let Some(read) = schema::load::<TenantDomain>(table, key).await.context("reading domain")? else {
            return Ok(Attempt::Done(None));
        };
        let mut d = read.value.clone();
        let mut transition = d.apply(check, now);
        let mut writes = Vec::new();
        let mut taken = false;
        if d.status == DomainStatus::Verified {
            match claim_of(deps, &d.domain).await? {
                None => {
                    writes.push(schema::create_at(schema::domain_claim_key(&d.domain), &DomainClaim { tenant_id: d.tenant_id.clone() }))
                }
                Some((claim, _)) if claim.value.tenant_id == d.tenant_id => {
                    writes.push(schema::check(schema::domain_claim_key(&d.domain), claim.version));
                }
                Some((_, true)) => {
                    // Another tenant proved it meanwhile: this one does not become verified.
                    d = read.value.clone();
                    d.updated_at = now;
                    d.last_checked_at = Some(now);
                    d.check_reason = Some("another tenant has verified this domain".into());
                    if d.status == DomainStatus::Verified {
                        d.status = DomainStatus::Lapsed;
                        transition = Transition::Lapsed;
                    } else {
                        transition = Transition::None;
                    }
                    d.next_check_at = (d.status != DomainStatus::Pending).then(|| now.plus_seconds(domains::RECHECK_EVERY_SECS));
                    taken = true;
                }
                Some((claim, false)) => {
                    // Its holder's proof lapsed: this tenant's proof takes the domain over.
                    writes.push(schema::replace_at(
                        schema::domain_claim_key(&d.domain),
                        claim.version,
                        &DomainClaim { tenant_id: d.tenant_id.clone() },
                    ));
                }
            }
        }
        writes.insert(0, schema::replace(read.version, &d));
        let action = match transition {
            Transition::None => None,
            Transition::Verified => Some("domain.verified"),
            Transition::Lapsed => Some("domain.lapsed"),
        };
        if let Some(action) = action {
            let details = serde_json::json!({ "status": d.status, "missing_since": d.missing_since, "reason": d.check_reason });
            writes.push(schema::audit_write(&audit_event(deps, &d.tenant_id, actor, action, &d.domain, details)));
        }
        let committed = table.transact(writes).await.context("saving a domain check")?;
        Ok(crate::retry::settle(committed, || {
            if let Some(action) = action {
                tracing::info!(tenant = %d.tenant_id, action, "domain status changed");
            }
            Some(if taken { Saved::Taken } else { Saved::Domain(Box::new(d), transition) })
        }))
    })
    .await
}

/// An admin asks Usher to look the TXT record up now: `verified`, or the domain as it stands
/// with `check_reason`; `409 domain_taken` when another tenant's proof of it stands.
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn verify(deps: &Deps, principal: &Principal, tenant: &TenantId, raw: &str) -> Result<DomainResource, DomainError> {
    let actor = authorize(deps, principal, tenant).await?;
    let d = load(deps, tenant, raw).await?.value;
    let check = look_up(deps, &d).await;
    match save_check(deps, &schema::domain_key(tenant, &d.domain), &check, Some(&actor.user.id)).await? {
        None => Err(DomainError::NotFound),
        Some(Saved::Taken) => Err(DomainError::DomainTaken(d.domain)),
        Some(Saved::Domain(d, _)) => Ok(DomainResource::of(&d)),
    }
}

/// The schedule's daily look at a verified or lapsed domain (`usecases::expire` finds it in the
/// `Due` index): what it moved to, `None` when the domain is gone or not due any more.
pub async fn recheck(deps: &Deps, tenant: &TenantId, domain: &str) -> Result<Option<Transition>, Unexpected> {
    let key = schema::domain_key(tenant, domain);
    let Some(d) = schema::load::<TenantDomain>(deps.table.as_ref(), &key).await.context("reading domain")? else {
        return Ok(None);
    };
    if d.value.next_check_at.is_none_or(|at| at > deps.now()) {
        return Ok(None);
    }
    let check = look_up(deps, &d.value).await;
    Ok(save_check(deps, &key, &check, None).await?.map(|s| match s {
        Saved::Domain(_, t) => t,
        Saved::Taken => Transition::Lapsed,
    }))
}

/// An admin sets who may join through a verified (or lapsed) domain and with which role.
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn set_policy(
    deps: &Deps,
    principal: &Principal,
    tenant: &TenantId,
    raw_domain: &str,
    raw: &DomainPolicy,
) -> Result<DomainResource, DomainError> {
    let actor = authorize(deps, principal, tenant).await?;
    let role = match (&raw.join, raw.join_role.as_deref()) {
        (_, Some(name)) => {
            let name = RoleName::parse(name).map_err(|e| DomainError::Invalid(vec![FieldError::from_invalid("join_role", &e)]))?;
            let Some(role) = access::resolve_role(deps.table.as_ref(), tenant, &name).await? else {
                return Err(DomainError::Invalid(vec![FieldError::new(
                    "join_role",
                    "unknown_role",
                    format!("the tenant has no role '{name}'"),
                )]));
            };
            if !may_be_join_role(&role) {
                return Err(DomainError::Invalid(vec![FieldError::new(
                    "join_role",
                    "role_too_powerful",
                    "a role given to whoever has an address at the domain may not invite, change or remove people, nor manage roles",
                )]));
            }
            if !actor.role.may_grant(&role) {
                return Err(DomainError::RoleNotGrantable(role.name));
            }
            Some(role.name)
        }
        (JoinPolicy::Off, None) => None,
        (_, None) => {
            return Err(DomainError::Invalid(vec![FieldError::new("join_role", "required", "join_role is required unless join is off")]));
        }
    };
    let table = deps.table.as_ref();
    crate::optimistic!(deps, "setting a domain's join policy", DomainError, {
        let read = load(deps, tenant, raw_domain).await?;
        if read.value.status == DomainStatus::Pending {
            return Err(DomainError::InvalidState("verify the domain before letting people join through it"));
        }
        let mut d = read.value.clone();
        d.join = raw.join;
        d.join_role = role.clone();
        d.updated_at = deps.now();
        let details = serde_json::json!({ "join": d.join, "join_role": d.join_role });
        let event = audit_event(deps, tenant, Some(&actor.user.id), "domain.updated", &d.domain, details);
        let committed =
            table.transact(vec![schema::replace(read.version, &d), schema::audit_write(&event)]).await.context("saving domain")?;
        Ok(crate::retry::settle(committed, || DomainResource::of(&d)))
    })
    .await
}

/// An admin removes a domain (and its claim, when this tenant holds it): joining through it
/// stops at once.
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn remove(deps: &Deps, principal: &Principal, tenant: &TenantId, raw_domain: &str) -> Result<(), DomainError> {
    let actor = authorize(deps, principal, tenant).await?;
    let table = deps.table.as_ref();
    crate::optimistic!(deps, "removing a domain", DomainError, {
        let read = load(deps, tenant, raw_domain).await?;
        let domain = read.value.domain.clone();
        let mut writes = vec![schema::delete(schema::domain_key(tenant, &domain), read.version)];
        if let Some(claim) = schema::load::<DomainClaim>(table, &schema::domain_claim_key(&domain)).await.context("reading domain claim")?
            && claim.value.tenant_id == *tenant
        {
            writes.push(schema::delete(schema::domain_claim_key(&domain), claim.version));
        }
        let event = audit_event(deps, tenant, Some(&actor.user.id), "domain.removed", &domain, serde_json::json!({}));
        writes.push(schema::audit_write(&event));
        let committed = table.transact(writes).await.context("removing domain")?;
        Ok(crate::retry::settle(committed, || tracing::info!("domain removed")))
    })
    .await
}

/// A tenant the caller may join with their verified address's domain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JoinableTenant {
    /// The tenant.
    pub tenant_id: TenantId,
    /// Its name.
    pub tenant_name: String,
    /// The domain that lets them.
    pub domain: String,
    /// `auto` (join at once) or `request` (an admin approves).
    pub join: JoinPolicy,
    /// The role they would get.
    pub role: RoleName,
    /// Their pending request, when they asked already.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub join_request: Option<JoinRequestResource>,
}

/// The verified domain of the caller's address that lets them into a tenant, read fresh: the
/// claim names the tenant and the tenant's domain is joinable.
async fn open_domain(deps: &Deps, email: &crate::values::Email) -> Result<Option<Versioned<TenantDomain>>, Unexpected> {
    let domain = email.domain();
    let table = deps.table.as_ref();
    let Some(claim) = schema::load::<DomainClaim>(table, &schema::domain_claim_key(domain)).await.context("reading domain claim")? else {
        return Ok(None);
    };
    let d = schema::load::<TenantDomain>(table, &schema::domain_key(&claim.value.tenant_id, domain)).await.context("reading domain")?;
    Ok(d.filter(|d| d.value.joinable()))
}

/// `GET /v1/me/joinable-tenants`: the tenant (one at most: a domain is verified for one) the
/// caller's verified address lets them join, unless they are a member already.
pub async fn joinable(deps: &Deps, principal: &Principal) -> Result<Vec<JoinableTenant>, DomainJoinError> {
    let Some(email) = principal.verified_email() else { return Ok(Vec::new()) };
    let Some(d) = open_domain(deps, email).await?.map(|d| d.value) else { return Ok(Vec::new()) };
    let table = deps.table.as_ref();
    let Some(tenant) = access::load_tenant(table, &d.tenant_id).await?.map(|t| t.value) else { return Ok(Vec::new()) };
    if !tenant.allows(email) {
        return Ok(Vec::new());
    }
    let mut request = None;
    if let Some(user) = access::find_user(deps, principal).await? {
        if table.get(&schema::member_key(&tenant.id, &user.id)).await.context("reading membership")?.is_some() {
            return Ok(Vec::new());
        }
        request = pending_request(deps, &tenant.id, &user.id).await?.map(|r| JoinRequestResource::of(&r));
    }
    let Some(role) = d.join_role.clone() else { return Ok(Vec::new()) };
    Ok(vec![JoinableTenant { tenant_id: tenant.id, tenant_name: tenant.name, domain: d.domain, join: d.join, role, join_request: request }])
}

/// What joining by domain can answer besides success.
#[derive(Debug, thiserror::Error)]
pub enum DomainJoinError {
    /// No tenant by that id lets the caller's domain in (or there is no such tenant).
    #[error("not found")]
    NotFound,
    /// The caller's sign-in has no verified email.
    #[error("your sign-in has no verified email; verify it with your identity provider first")]
    Forbidden,
    /// The tenant's policy does not allow the caller's address.
    #[error("this tenant does not let addresses at your email's domain join")]
    DomainNotAllowed,
    /// A member already.
    #[error("you are already a member of this tenant")]
    AlreadyMember,
    /// The caller's address has a pending invitation.
    #[error("you have a pending invitation to this tenant; accept it from your email")]
    AlreadyInvited,
    /// No seat left.
    #[error("the tenant has no seat left; ask its admin")]
    SeatLimitReached,
    /// The join role is gone.
    #[error("{0}")]
    InvalidState(&'static str),
    /// Something broke.
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

impl From<Refused> for DomainJoinError {
    fn from(r: Refused) -> Self {
        match r {
            Refused::AlreadyMember => Self::AlreadyMember,
            Refused::AlreadyInvited => Self::AlreadyInvited,
            Refused::SeatLimitReached => Self::SeatLimitReached,
        }
    }
}

crate::error_codes!(DomainJoinError {
    DomainJoinError::NotFound => ErrorCode::NotFound,
    DomainJoinError::Forbidden => ErrorCode::Forbidden,
    DomainJoinError::DomainNotAllowed => ErrorCode::DomainNotAllowed,
    DomainJoinError::AlreadyMember => ErrorCode::AlreadyMember,
    DomainJoinError::AlreadyInvited => ErrorCode::AlreadyInvited,
    DomainJoinError::SeatLimitReached => ErrorCode::SeatLimitReached,
    DomainJoinError::InvalidState(_) => ErrorCode::InvalidState,
    DomainJoinError::Unexpected(u) => u.code(),
});

/// Index of the domain's check in a join's transaction.
const DOMAIN_CHECK_AT: usize = 0;

/// `POST /v1/me/tenants/{t}/join`: the caller joins at once (`auto`: a seat taken in the same
/// transaction) or files a join request (`request`). A pending request is answered again.
#[tracing::instrument(skip_all, fields(tenant = %tenant_id))]
pub async fn join(deps: &Deps, principal: &Principal, tenant_id: &TenantId) -> Result<Redeemed, DomainJoinError> {
    let Some(email) = principal.verified_email().cloned() else { return Err(DomainJoinError::Forbidden) };
    let table = deps.table.as_ref();
    crate::optimistic!(deps, "joining by domain", DomainJoinError, {
        let now = deps.now();
        let Some(tenant) = access::load_tenant(table, tenant_id).await?.map(|t| t.value) else {
            return Err(DomainJoinError::NotFound);
        };
        let (user, user_writes) = user_for(deps, principal, &email).await?;
        if table.get(&schema::member_key(&tenant.id, &user.id)).await.context("reading membership")?.is_some() {
            return Err(DomainJoinError::AlreadyMember);
        }
        let Some(d) = open_domain(deps, &email).await?.filter(|d| d.value.tenant_id == tenant.id) else {
            return Err(DomainJoinError::DomainNotAllowed);
        };
        if !tenant.allows(&email) {
            return Err(DomainJoinError::DomainNotAllowed);
        }
        let Some(role) = d.value.join_role.clone() else { return Err(DomainJoinError::DomainNotAllowed) };
        if access::resolve_role(table, &tenant.id, &role).await?.is_none() {
            return Err(DomainJoinError::InvalidState("the role joining by domain gives no longer exists; ask the tenant's admin"));
        }
        let answer = |member: Option<MemberResource>, request: Option<JoinRequestResource>| Redeemed {
            outcome: if member.is_some() { RedeemOutcome::Joined } else { RedeemOutcome::Requested },
            tenant_id: tenant.id.clone(),
            tenant_name: tenant.name.clone(),
            member,
            join_request: request,
        };
        let mut writes = vec![schema::check(schema::domain_key(&tenant.id, &d.value.domain), d.version)];
        let ask = d.value.join == JoinPolicy::Request;
        let (joined, request) = match enter(
            deps,
            &tenant,
            Entrant { principal, user: &user, email: &email },
            &role,
            JoinVia::Domain(d.value.domain.clone()),
            ask,
        )
        .await?
        {
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
        match table.transact(writes).await.context("joining by domain")? {
            Committed::Yes => {
                deps.identities.put(&principal.subject, user.clone(), now);
                tracing::info!(user = %user.id, joined = joined.is_some(), "joined by domain");
                Ok(Attempt::Done(answer(joined.as_ref().map(MemberResource::of), request.as_ref().map(JoinRequestResource::of))))
            }
            // The domain changed (lapsed, policy changed, removed): decide again on it.
            Committed::ConditionFailed { at: DOMAIN_CHECK_AT } => Ok(Attempt::Lost),
            Committed::ConditionFailed { at } if joined.is_some() && at == 1 + ADMIT_SEAT_AT => {
                if full_now(deps, &tenant).await? {
                    Err(DomainJoinError::SeatLimitReached)
                } else {
                    Ok(Attempt::Lost)
                }
            }
            Committed::ConditionFailed { at } if joined.is_some() && at == 1 + ADMIT_MEMBER_AT => Err(DomainJoinError::AlreadyMember),
            Committed::ConditionFailed { .. } => Ok(Attempt::Lost),
        }
    })
    .await
}
