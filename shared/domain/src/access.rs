//! Who the caller is inside a tenant, and what they may do there.

use crate::context::{Deps, Principal};
use crate::error::{Context, Unexpected};
use crate::model::{CustomRole, Member, Tenant, User};
use crate::ports::Table;
use crate::roles::{Permission, PermissionSet, Role, RoleName};
use crate::schema::{self, UserPointer, Versioned};
use crate::values::TenantId;

/// A member acting in their tenant.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The person.
    pub user: User,
    /// Their membership, with the version read.
    pub member: Versioned<Member>,
    /// Their role, resolved to permissions.
    pub role: Role,
}

impl Actor {
    /// Whether the actor holds `p`.
    pub fn can(&self, p: Permission) -> bool {
        self.role.permissions.contains(p)
    }
}

/// Why a caller cannot act in a tenant.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// Not a member (or no such tenant): indistinguishable on purpose.
    #[error("not found")]
    NotFound,
    /// Storage failed.
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

/// Finds the Usher user behind a principal: by subject first, else by verified email (and then
/// remembers the subject, so a changed email at the identity provider keeps the same user).
pub async fn find_user(deps: &Deps, principal: &Principal) -> Result<Option<User>, Unexpected> {
    let table = deps.table.as_ref();
    let by_sub =
        schema::load::<UserPointer>(table, &schema::user_subject_key(&principal.subject)).await.context("reading user by subject")?;
    let user_id = match (by_sub, principal.verified_email()) {
        (Some(p), _) => p.value.user_id,
        (None, Some(email)) => {
            let Some(p) = schema::load::<UserPointer>(table, &schema::user_email_key(email)).await.context("reading user by email")? else {
                return Ok(None);
            };
            // Link the subject. Losing a race here is harmless: the other writer linked it.
            let link = schema::create_at(schema::user_subject_key(&principal.subject), &p.value);
            table.transact(vec![link]).await.context("linking subject")?;
            p.value.user_id
        }
        (None, None) => return Ok(None),
    };
    Ok(schema::load::<User>(table, &schema::user_key(&user_id)).await.context("reading user")?.map(|u| u.value))
}

/// The caller as a member of `tenant`, or `NotFound`.
pub async fn member_of(deps: &Deps, principal: &Principal, tenant: &TenantId) -> Result<Actor, AccessError> {
    let user = find_user(deps, principal).await?.ok_or(AccessError::NotFound)?;
    let member = schema::load::<Member>(deps.table.as_ref(), &schema::member_key(tenant, &user.id))
        .await
        .context("reading membership")?
        .ok_or(AccessError::NotFound)?;
    let role = resolve_role(deps.table.as_ref(), tenant, &member.value.role).await?.ok_or(AccessError::NotFound)?;
    Ok(Actor { user, member, role })
}

/// A role by name: built-in, or the tenant's custom role.
pub async fn resolve_role(table: &dyn Table, tenant: &TenantId, name: &RoleName) -> Result<Option<Role>, Unexpected> {
    if let Some(r) = Role::builtin(name) {
        return Ok(Some(r));
    }
    let custom = schema::load::<CustomRole>(table, &schema::role_key(tenant, name)).await.context("reading role")?;
    Ok(custom.map(|c| Role { name: c.value.name, permissions: PermissionSet::from_iter(c.value.permissions), sees_only_self: false }))
}

/// Reads a tenant.
pub async fn load_tenant(table: &dyn Table, tenant: &TenantId) -> Result<Option<Versioned<Tenant>>, Unexpected> {
    schema::load::<Tenant>(table, &schema::tenant_key(tenant)).await.context("reading tenant")
}
