//! A tenant's custom roles (built-in roles are fixed and always listed).

use super::audit_event;
use crate::access::{self, AccessError};
use crate::context::{Deps, Principal};
use crate::error::{Context, ErrorCode, FieldError, Unexpected};
use crate::model::CustomRole;
use crate::paging;
use crate::ports::{Committed, Expect, Query, SortKeyRange, Write};
use crate::retry::{Attempt, settle};
use crate::roles::{Permission, PermissionSet, Role, RoleName};
use crate::schema::{self, ROLE_PREFIX, decode};
use crate::values::{TenantId, Timestamp, parse_text};
use serde::{Deserialize, Serialize};

/// A role as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoleResource {
    /// Name.
    pub name: RoleName,
    /// Built-in (fixed) or the tenant's own.
    pub builtin: bool,
    /// What it allows.
    pub permissions: Vec<Permission>,
    /// What it is for.
    pub description: Option<String>,
    /// Members holding it.
    pub members: u32,
    /// Created (custom roles).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// Last changed (custom roles).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
}

/// A role definition, as it arrives.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleRequest {
    /// Permission names.
    pub permissions: Option<Vec<String>>,
    /// What it is for.
    pub description: Option<String>,
}

/// What role operations can answer besides roles.
#[derive(Debug, thiserror::Error)]
pub enum RoleError {
    /// A field is malformed.
    #[error("invalid role")]
    Invalid(Vec<FieldError>),
    /// No such role or tenant.
    #[error("role not found")]
    NotFound,
    /// The caller may not manage roles.
    #[error("you may not manage roles in this tenant")]
    Forbidden,
    /// The role would carry a permission the caller lacks.
    #[error("you cannot define a role with permissions you do not have")]
    NotGrantable,
    /// Built-in roles are fixed; a role in use cannot be deleted.
    #[error("{0}")]
    InvalidState(String),
    /// Something broke.
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

crate::error_codes!(RoleError {
    RoleError::Invalid(e) => ErrorCode::InvalidRequest(e.clone()),
    RoleError::NotFound => ErrorCode::NotFound,
    RoleError::Forbidden => ErrorCode::Forbidden,
    RoleError::NotGrantable => ErrorCode::RoleNotGrantable,
    RoleError::InvalidState(_) => ErrorCode::InvalidState,
    RoleError::Unexpected(u) => u.code(),
});

impl From<AccessError> for RoleError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::NotFound => Self::NotFound,
            AccessError::Unexpected(u) => Self::Unexpected(u),
        }
    }
}

fn builtin_resource(r: &Role, members: u32) -> RoleResource {
    RoleResource {
        name: r.name.clone(),
        builtin: true,
        permissions: r.permissions.to_vec(),
        description: None,
        members,
        created_at: None,
        updated_at: None,
    }
}

/// A custom role as the API shows it (`getRole`, `putRole`, and the resource of its events),
/// with the number of members holding it.
pub fn custom_resource(r: &CustomRole, members: u32) -> RoleResource {
    RoleResource {
        name: r.name.clone(),
        builtin: false,
        permissions: PermissionSet::from_iter(r.permissions.iter().copied()).to_vec(),
        description: r.description.clone(),
        members,
        created_at: Some(r.created_at),
        updated_at: Some(r.updated_at),
    }
}

/// Every role of the tenant: the built-ins, then custom roles by name. Any member may list.
pub async fn list_roles(deps: &Deps, principal: &Principal, tenant: &TenantId) -> Result<Vec<RoleResource>, RoleError> {
    access::member_of(deps, principal, tenant).await?;
    let t = access::load_tenant(deps.table.as_ref(), tenant).await?.ok_or(RoleError::NotFound)?;
    let count = |n: &RoleName| t.value.holders_of(n);
    let mut out: Vec<RoleResource> = Role::builtins().iter().map(|r| builtin_resource(r, count(&r.name))).collect();
    let query = Query {
        index: None,
        pk: schema::tenant_pk(tenant),
        range: SortKeyRange::BeginsWith(ROLE_PREFIX.into()),
        ascending: true,
        limit: 100,
        after: None,
    };
    let custom = paging::read_all(deps.table.as_ref(), query, |item| {
        Ok(Some(decode::<CustomRole>(item).map_err(|source| Unexpected { context: "decoding role", source })?.value))
    })
    .await?;
    out.extend(custom.iter().map(|r| custom_resource(r, count(&r.name))));
    Ok(out)
}

fn parse_name(raw: &str) -> Result<RoleName, RoleError> {
    RoleName::parse(raw).map_err(|e| RoleError::Invalid(vec![FieldError::from_invalid("name", &e)]))
}

/// One role.
pub async fn get_role(deps: &Deps, principal: &Principal, tenant: &TenantId, name: &str) -> Result<RoleResource, RoleError> {
    access::member_of(deps, principal, tenant).await?;
    let name = parse_name(name).map_err(|_| RoleError::NotFound)?;
    let t = access::load_tenant(deps.table.as_ref(), tenant).await?.ok_or(RoleError::NotFound)?;
    let members = t.value.holders_of(&name);
    if let Some(r) = Role::builtin(&name) {
        return Ok(builtin_resource(&r, members));
    }
    let r = schema::load::<CustomRole>(deps.table.as_ref(), &schema::role_key(tenant, &name))
        .await
        .context("reading role")?
        .ok_or(RoleError::NotFound)?;
    Ok(custom_resource(&r.value, members))
}

/// Creates or replaces a custom role. Nobody defines a role with a permission they lack.
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn put_role(
    deps: &Deps,
    principal: &Principal,
    tenant: &TenantId,
    name: &str,
    req: &RoleRequest,
) -> Result<(RoleResource, bool), RoleError> {
    let actor = access::member_of(deps, principal, tenant).await?;
    if !actor.can(Permission::RolesManage) {
        return Err(RoleError::Forbidden);
    }
    let name = parse_name(name)?;
    if name.is_builtin() {
        return Err(RoleError::InvalidState(format!("'{name}' is a built-in role and cannot be changed")));
    }
    let mut errors = Vec::new();
    let permissions: Vec<Permission> = match &req.permissions {
        Some(ps) => ps
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                Permission::parse(p).map_err(|e| errors.push(FieldError::from_invalid(format!("permissions[{i}]"), &e))).ok()
            })
            .collect(),
        None => {
            errors.push(FieldError::new("permissions", "required", "permissions is required (it may be empty)"));
            Vec::new()
        }
    };
    let description = req
        .description
        .as_deref()
        .filter(|d| !d.trim().is_empty())
        .and_then(|d| parse_text(d, 500).map_err(|e| errors.push(FieldError::from_invalid("description", &e))).ok());
    if !errors.is_empty() {
        return Err(RoleError::Invalid(errors));
    }
    let set = PermissionSet::from_iter(permissions.iter().copied());
    if !actor.role.permissions.covers(set) {
        return Err(RoleError::NotGrantable);
    }
    let table = deps.table.as_ref();
    crate::optimistic!(deps, "saving role", RoleError, {
        let now = deps.now();
        let key = schema::role_key(tenant, &name);
        let existing = schema::load::<CustomRole>(table, &key).await.context("reading role")?;
        // Changing a role is granting and taking away its permissions: the caller must hold
        // everything it carries now, not only what it will carry.
        if let Some(e) = &existing
            && !actor.role.permissions.covers(PermissionSet::from_iter(e.value.permissions.iter().copied()))
        {
            return Err(RoleError::NotGrantable);
        }
        let role = CustomRole {
            tenant_id: tenant.clone(),
            name: name.clone(),
            permissions: set.to_vec(),
            description: description.clone(),
            created_at: existing.as_ref().map_or(now, |e| e.value.created_at),
            updated_at: now,
        };
        let created = existing.is_none();
        let write = match &existing {
            None => schema::create(&role),
            Some(e) => schema::replace(e.version, &role),
        };
        let event = audit_event(
            deps,
            tenant,
            Some(&actor.user.id),
            if created { "role.created" } else { "role.updated" },
            name.as_str(),
            serde_json::json!({ "permissions": role.permissions }),
        );
        match table.transact(vec![write, schema::audit_write(&event)]).await.context("saving role")? {
            Committed::Yes => {
                let members = access::load_tenant(table, tenant).await?.map_or(0, |t| t.value.holders_of(&name));
                Ok(Attempt::Done((custom_resource(&role, members), created)))
            }
            Committed::ConditionFailed { .. } => Ok(Attempt::Lost),
        }
    })
    .await
}

/// Deletes a custom role nobody holds.
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn delete_role(deps: &Deps, principal: &Principal, tenant: &TenantId, name: &str) -> Result<(), RoleError> {
    let actor = access::member_of(deps, principal, tenant).await?;
    if !actor.can(Permission::RolesManage) {
        return Err(RoleError::Forbidden);
    }
    let name = parse_name(name).map_err(|_| RoleError::NotFound)?;
    if name.is_builtin() {
        return Err(RoleError::InvalidState(format!("'{name}' is a built-in role and cannot be deleted")));
    }
    let table = deps.table.as_ref();
    crate::optimistic!(deps, "deleting role", RoleError, {
        let key = schema::role_key(tenant, &name);
        let existing = schema::load::<CustomRole>(table, &key).await.context("reading role")?.ok_or(RoleError::NotFound)?;
        let t = access::load_tenant(table, tenant).await?.ok_or(RoleError::NotFound)?;
        let holders = t.value.holders_of(&name);
        if holders > 0 {
            return Err(RoleError::InvalidState(format!("{holders} member(s) hold '{name}'; give them another role first")));
        }
        let event = audit_event(deps, tenant, Some(&actor.user.id), "role.deleted", name.as_str(), serde_json::json!({}));
        // "Nobody holds it" is part of the transaction: the tenant's count for it must be 0.
        let nobody_holds_it = Write::Count {
            key: schema::tenant_key(tenant),
            add: Vec::new(),
            expect: vec![Expect::AtMost(vec!["role_counts".to_owned(), name.to_string()], 0)],
        };
        let writes = vec![schema::delete(key, existing.version), nobody_holds_it, schema::audit_write(&event)];
        let committed = table.transact(writes).await.context("deleting role")?;
        Ok(settle(committed, || ()))
    })
    .await
}
