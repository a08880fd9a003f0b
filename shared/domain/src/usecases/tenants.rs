//! Tenant provisioning, for the SaaS's own backend (and operators through the CLI).

use super::audit_event;
use crate::access::{self, AccessError};
use crate::context::{Caller, Deps};
use crate::error::{Context, ErrorCode, FieldError, Unexpected};
use crate::model::{EmailGuard, Member, Notifications, Tenant, User};
use crate::ports::Committed;
use crate::retry::{Attempt, settle};
use crate::roles::RoleName;
use crate::schema::{self, UserPointer};
use crate::values::{Email, InvalidValue, TenantId, UserId, parse_text};
use crate::views::TenantResource;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A new tenant, as it arrives.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTenant {
    /// Display name.
    pub name: Option<String>,
    /// The first owner's email; they sign in with it and find themself owner.
    pub owner_email: Option<String>,
    /// Seat limit (omit for unlimited).
    pub seat_limit: Option<u32>,
    /// Default invitation lifetime in days.
    pub invitation_ttl_days: Option<u32>,
}

/// Changes to a tenant.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantPatch {
    /// New name.
    pub name: Option<String>,
    /// New seat limit (operators only). `0` is not "unlimited": use `unlimited_seats`.
    pub seat_limit: Option<u32>,
    /// Remove the seat limit (operators only).
    #[serde(default)]
    pub unlimited_seats: bool,
    /// New default invitation lifetime.
    pub invitation_ttl_days: Option<u32>,
    /// The email domains invitations may go to (replaces the list; `[]` allows any).
    pub allowed_domains: Option<Vec<String>>,
}

/// What tenant operations can answer besides the tenant.
#[derive(Debug, thiserror::Error)]
pub enum TenantError {
    /// A field is malformed.
    #[error("invalid tenant")]
    Invalid(Vec<FieldError>),
    /// No such tenant (or not visible to the caller).
    #[error("tenant not found")]
    NotFound,
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(&'static str),
    /// Something broke.
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

crate::error_codes!(TenantError {
    TenantError::Invalid(e) => ErrorCode::InvalidRequest(e.clone()),
    TenantError::NotFound => ErrorCode::NotFound,
    TenantError::Forbidden(_) => ErrorCode::Forbidden,
    TenantError::Unexpected(u) => u.code(),
});

impl From<AccessError> for TenantError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::NotFound => Self::NotFound,
            AccessError::Unexpected(u) => Self::Unexpected(u),
        }
    }
}

/// Most domains a tenant's policy may list.
pub const MAX_ALLOWED_DOMAINS: usize = 50;

/// Parses a domain policy: each entry a domain as an email address would carry it (trimmed,
/// lower case, IDNA ASCII), duplicates removed, sorted; a leading `@` is tolerated.
pub fn parse_domains(raw: &[String]) -> Result<Vec<String>, Vec<FieldError>> {
    if raw.len() > MAX_ALLOWED_DOMAINS {
        return Err(vec![FieldError::new("allowed_domains", "too_many", format!("at most {MAX_ALLOWED_DOMAINS} domains"))]);
    }
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for (i, d) in raw.iter().enumerate() {
        let d = d.trim().trim_start_matches('@');
        match Email::parse(&format!("x@{d}")) {
            Ok(e) if !d.is_empty() && !d.contains('@') => out.push(e.domain().to_owned()),
            _ => errors.push(FieldError::new(format!("allowed_domains[{i}]"), "invalid_domain", "not a domain an email address can have")),
        }
    }
    out.sort();
    out.dedup();
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

fn check_ttl(days: Option<u32>, max: u32, errors: &mut Vec<FieldError>) -> Option<u32> {
    match days {
        Some(d) if d == 0 || d > max => {
            errors.push(FieldError::new("invitation_ttl_days", "out_of_range", format!("invitation_ttl_days must be from 1 to {max}")));
            None
        }
        d => d,
    }
}

/// Creates a tenant whose first owner is `owner_email` (a user record is created for them if
/// Usher does not know them yet). Operators only.
#[tracing::instrument(skip_all)]
pub async fn create_tenant(deps: &Deps, caller: &Caller, req: &NewTenant) -> Result<TenantResource, TenantError> {
    if *caller != Caller::Operator {
        return Err(TenantError::Forbidden("only the service's operators may create tenants"));
    }
    let mut errors = Vec::new();
    let name = match &req.name {
        Some(n) => parse_text(n, 200).map_err(|e| errors.push(FieldError::from_invalid("name", &e))).ok(),
        None => {
            errors.push(FieldError::from_invalid("name", &InvalidValue::new("required", "name is required")));
            None
        }
    };
    let owner = match &req.owner_email {
        Some(e) => Email::parse(e).map_err(|e| errors.push(FieldError::from_invalid("owner_email", &e))).ok(),
        None => {
            errors.push(FieldError::from_invalid("owner_email", &InvalidValue::new("required", "owner_email is required")));
            None
        }
    };
    let ttl = check_ttl(req.invitation_ttl_days, deps.settings.max_ttl_days, &mut errors).unwrap_or(deps.settings.default_ttl_days);
    let (Some(name), Some(owner), true) = (name, owner, errors.is_empty()) else {
        return Err(TenantError::Invalid(errors));
    };
    let table = deps.table.as_ref();
    let id = TenantId::from_uuid(deps.new_uuid());
    crate::optimistic!(deps, "creating tenant", TenantError, {
        let now = deps.now();
        let mut writes = Vec::new();
        let existing = schema::load::<UserPointer>(table, &schema::user_email_key(&owner)).await.context("reading owner")?;
        let user_id = match existing {
            Some(p) => p.value.user_id,
            None => {
                let u = User {
                    id: UserId::from_uuid(deps.new_uuid()),
                    email: owner.clone(),
                    subject: None,
                    name: None,
                    username: None,
                    created_at: now,
                };
                writes.push(schema::create(&u));
                writes.push(schema::create_at(schema::user_email_key(&owner), &UserPointer { user_id: u.id.clone() }));
                u.id
            }
        };
        let owner_role = RoleName::owner();
        let tenant = Tenant {
            id: id.clone(),
            name: name.clone(),
            seat_limit: req.seat_limit,
            members: 1,
            pending: 0,
            seats_used: 1,
            role_counts: BTreeMap::from([(owner_role.clone(), 1)]),
            invitation_ttl_days: ttl,
            allowed_domains: Vec::new(),
            workspaces: Vec::new(),
            workspaces_rev: 0,
            workspace_use: Default::default(),
            workspace_use_exact: true,
            created_at: now,
            updated_at: now,
        };
        let member = Member {
            tenant_id: id.clone(),
            user_id: user_id.clone(),
            email: owner.clone(),
            username: None,
            name: None,
            role: owner_role,
            workspaces: Vec::new(),
            profile: Default::default(),
            notifications: Notifications::default(),
            record_owner: false,
            metadata: None,
            locale: Default::default(),
            pending_email: None,
            joined_via: None,
            last_login_at: None,
            created_at: now,
            updated_at: now,
        };
        let event = audit_event(deps, &id, None, "tenant.created", id.as_str(), serde_json::json!({ "owner": user_id }));
        writes.extend([
            schema::create(&tenant),
            schema::create(&member),
            schema::guard_write(&id, &owner, &EmailGuard::Member { user_id: user_id.clone() }, None),
            schema::audit_write(&event),
        ]);
        let committed = table.transact(writes).await.context("creating tenant")?;
        if committed == Committed::Yes {
            tracing::info!(tenant = %id, "tenant created");
        }
        // Lost: the owner's user record appeared meanwhile; use it.
        Ok(settle(committed, || TenantResource::of(&tenant)))
    })
    .await
}

/// Reads a tenant: operators, and the tenant's members.
pub async fn get_tenant(deps: &Deps, caller: &Caller, tenant: &TenantId) -> Result<TenantResource, TenantError> {
    if let Caller::User(p) = caller {
        access::member_of(deps, p, tenant).await?;
    }
    let t = access::load_tenant(deps.table.as_ref(), tenant).await?.ok_or(TenantError::NotFound)?;
    Ok(TenantResource::of(&t.value))
}

/// Changes a tenant. Operators may change everything; an owner may change the name and the
/// default invitation lifetime, not the seat limit (that is the plan, sold by the SaaS).
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn update_tenant(deps: &Deps, caller: &Caller, tenant: &TenantId, patch: &TenantPatch) -> Result<TenantResource, TenantError> {
    let actor = match caller {
        Caller::Operator => None,
        Caller::User(p) => {
            let actor = access::member_of(deps, p, tenant).await?;
            if !actor.member.value.role.is_owner() {
                return Err(TenantError::Forbidden("only an owner may change the tenant"));
            }
            if patch.seat_limit.is_some() || patch.unlimited_seats {
                return Err(TenantError::Forbidden("the seat limit is part of the plan; only the service's operators change it"));
            }
            Some(actor)
        }
    };
    let mut errors = Vec::new();
    let name = patch.name.as_deref().and_then(|n| parse_text(n, 200).map_err(|e| errors.push(FieldError::from_invalid("name", &e))).ok());
    let ttl = check_ttl(patch.invitation_ttl_days, deps.settings.max_ttl_days, &mut errors);
    let domains = patch.allowed_domains.as_deref().and_then(|d| parse_domains(d).map_err(|e| errors.extend(e)).ok());
    if !errors.is_empty() {
        return Err(TenantError::Invalid(errors));
    }
    let table = deps.table.as_ref();
    crate::optimistic!(deps, "updating tenant", TenantError, {
        let t = access::load_tenant(table, tenant).await?.ok_or(TenantError::NotFound)?;
        let mut new = t.value.clone();
        if let Some(n) = &name {
            new.name = n.clone();
        }
        if let Some(d) = ttl {
            new.invitation_ttl_days = d;
        }
        if let Some(d) = &domains {
            new.allowed_domains = d.clone();
        }
        if patch.unlimited_seats {
            new.seat_limit = None;
        } else if let Some(l) = patch.seat_limit {
            new.seat_limit = Some(l);
        }
        if new == t.value {
            return Ok(Attempt::Done(TenantResource::of(&new)));
        }
        new.updated_at = deps.now();
        let event = audit_event(
            deps,
            tenant,
            actor.as_ref().map(|a| &a.user.id),
            "tenant.updated",
            tenant.as_str(),
            serde_json::json!({
                "seat_limit": new.seat_limit,
                "name_changed": new.name != t.value.name,
                "allowed_domains": (new.allowed_domains != t.value.allowed_domains).then_some(&new.allowed_domains),
            }),
        );
        // Lost: the counters moved (every invite and accept bumps the version); read again.
        let committed =
            table.transact(vec![schema::replace(t.version, &new), schema::audit_write(&event)]).await.context("updating tenant")?;
        Ok(settle(committed, || TenantResource::of(&new)))
    })
    .await
}
