//! Who the caller is inside a tenant, and what they may do there.

use crate::context::{Deps, Principal};
use crate::error::{Context, Unexpected};
use crate::model::{CustomRole, Member, Tenant, User};
use crate::ports::Committed;
use crate::ports::Table;
use crate::retry::Attempt;
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

/// Finds the Usher user behind a principal, by subject: a person is their `sub` at the issuer.
///
/// A verified email binds a new subject to a user only while that user has never signed in
/// (they were invited or made owner by address), in one conditional write: the subject pointer
/// must be absent and the user unchanged since it was read without a subject. A user that already
/// has a subject is somebody else: a second account at the issuer, or a recycled mailbox, that
/// shows the same verified email gets none of that user's memberships (`None` here).
///
/// The subject → user link never changes once written, so a warm process keeps it
/// (`IdentityCache`); memberships are still read on every request, so removal is immediate.
pub async fn find_user(deps: &Deps, principal: &Principal) -> Result<Option<User>, Unexpected> {
    let now = deps.now();
    if let Some(user) = deps.identities.get(&principal.subject, now) {
        return Ok(Some(user));
    }
    let table = deps.table.as_ref();
    let by_sub =
        schema::load::<UserPointer>(table, &schema::user_subject_key(&principal.subject)).await.context("reading user by subject")?;
    let user = match by_sub {
        Some(p) => schema::load::<User>(table, &schema::user_key(&p.value.user_id)).await.context("reading user")?.map(|u| u.value),
        None => bind_subject(deps, principal).await?,
    };
    if let Some(u) = &user {
        deps.identities.put(&principal.subject, u.clone(), now);
    }
    Ok(user)
}

/// Binds the principal's subject to the never-signed-in user its verified email names, if any.
async fn bind_subject(deps: &Deps, principal: &Principal) -> Result<Option<User>, Unexpected> {
    let table = deps.table.as_ref();
    let Some(email) = principal.verified_email() else { return Ok(None) };
    crate::optimistic!(deps, "binding subject", Unexpected, {
        let Some(p) = schema::load::<UserPointer>(table, &schema::user_email_key(email)).await.context("reading user by email")? else {
            return Ok(Attempt::Done(None));
        };
        let Some(user) = schema::load::<User>(table, &schema::user_key(&p.value.user_id)).await.context("reading user")? else {
            return Ok(Attempt::Done(None));
        };
        match &user.value.subject {
            // A parallel first request of this same person bound it meanwhile.
            Some(s) if *s == principal.subject => return Ok(Attempt::Done(Some(user.value))),
            // Someone else already signed in as this user: this principal is a different person.
            Some(_) => return Ok(Attempt::Done(None)),
            None => {}
        }
        let mut bound = user.value.clone();
        bound.subject = Some(principal.subject.clone());
        // The name they chose at the identity provider, kept from their first sign-in on.
        if principal.name.is_some() {
            bound.name.clone_from(&principal.name);
        }
        let writes = vec![
            schema::create_at(schema::user_subject_key(&principal.subject), &UserPointer { user_id: bound.id.clone() }),
            schema::replace(user.version, &bound),
        ];
        match table.transact(writes).await.context("binding subject")? {
            Committed::Yes => {
                tracing::info!(user = %bound.id, "subject bound to an invited user at first sign-in");
                Ok(Attempt::Done(Some(bound)))
            }
            // The same subject was bound meanwhile (a parallel first request): read that link.
            Committed::ConditionFailed { at: 0 } => {
                let linked = schema::load::<UserPointer>(table, &schema::user_subject_key(&principal.subject))
                    .await
                    .context("reading user by subject")?;
                let user = match linked {
                    Some(l) => {
                        schema::load::<User>(table, &schema::user_key(&l.value.user_id)).await.context("reading user")?.map(|u| u.value)
                    }
                    None => None,
                };
                Ok(Attempt::Done(user))
            }
            // The user changed (maybe another subject was bound): decide again.
            Committed::ConditionFailed { .. } => Ok(Attempt::Lost),
        }
    })
    .await
}

/// The subject → user links a warm process has resolved (the link never changes; the user's
/// name and email may, so an entry is kept for `IDENTITY_TTL_SECS`). Bounded: when full it starts
/// over. Memberships are never cached.
#[derive(Debug, Default)]
pub struct IdentityCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, (User, crate::values::Timestamp)>>,
}

/// How long a cached user is trusted for its display fields.
pub const IDENTITY_TTL_SECS: i64 = 300;
/// Most subjects one process remembers.
const IDENTITY_CACHE_ENTRIES: usize = 10_000;

impl IdentityCache {
    fn get(&self, subject: &str, now: crate::values::Timestamp) -> Option<User> {
        let entries = self.entries.lock().ok()?;
        entries.get(subject).filter(|(_, at)| now < at.plus_seconds(IDENTITY_TTL_SECS)).map(|(u, _)| u.clone())
    }

    pub(crate) fn put(&self, subject: &str, user: User, now: crate::values::Timestamp) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= IDENTITY_CACHE_ENTRIES {
                entries.clear();
            }
            entries.insert(subject.to_owned(), (user, now));
        }
    }
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
