//! What the identity provider does to a tenant's directory over SCIM, and what follows from it:
//! people and groups written with conditional writes, and, by the tenant's settings, invitations
//! sent (`provisioning: invite`, with the highest role the person's groups map to) and access
//! taken away (`active: false` or deletion: the pending invitation revoked and the membership
//! removed at once, `member.removed` with `reason: deprovisioned`).
//!
//! A plan limit never fails the identity provider: a person who cannot be invited for want of a
//! seat is `blocked` (`seat_limit_reached`) and invited by the next change that finds a seat.
//! The SCIM protocol itself (JSON shapes, filters, PATCH) is the `usher-scim` crate's.

use super::delivery;
use super::invite::{self, InviteCommand, InviteError, InviteRequest, Inviter, Saved};
use super::remove_member::removal_writes;
use super::revoke::revoke_writes;
use crate::access;
use crate::context::Deps;
use crate::directory::{
    DirectoryGroup, DirectoryPerson, DirectorySettings, GroupMembership, Provisioning, Source, Standing, UserNamePointer,
};
use crate::error::{Context, Unexpected};
use crate::model::{EmailGuard, Invitation, InvitationStatus, Member};
use crate::ports::{Committed, Cond, Query, SortKeyRange, Write};
use crate::retry::{Attempt, settle};
use crate::roles::{Role, RoleName};
use crate::schema::{self, Versioned};
use crate::values::{Email, GroupId, PersonId, TenantId, UserId};

/// A person as the identity provider describes them (the SCIM layer has parsed the resource).
#[derive(Debug, Clone, PartialEq)]
pub struct PersonInput {
    /// SCIM `userName` (required, unique per tenant ignoring case).
    pub user_name: String,
    /// SCIM `externalId`.
    pub external_id: Option<String>,
    /// The work (or primary) address.
    pub email: Option<Email>,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Job title.
    pub title: String,
    /// Department.
    pub department: String,
    /// Company.
    pub company: String,
    /// Employee number.
    pub employee_number: String,
    /// Phone.
    pub phone: String,
    /// Active.
    pub active: bool,
    /// The resource's attributes, kept to answer them back exactly.
    pub scim: serde_json::Value,
}

/// A group as the identity provider describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupInput {
    /// `displayName`.
    pub display_name: String,
    /// `externalId`.
    pub external_id: Option<String>,
    /// Its members.
    pub members: Vec<PersonId>,
}

/// What a provisioning call can answer besides success (the SCIM layer maps each to its SCIM
/// error).
#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    /// A value is not acceptable (`invalidValue`).
    #[error("{0}")]
    Invalid(String),
    /// `userName` is taken (`uniqueness`).
    #[error("userName '{0}' is already taken in this tenant")]
    Uniqueness(String),
    /// No such resource.
    #[error("no such resource")]
    NotFound,
    /// `If-Match` names another version.
    #[error("the resource changed since the version given")]
    VersionMismatch,
    /// Something broke.
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

impl From<crate::access::AccessError> for ProvisionError {
    fn from(e: crate::access::AccessError) -> Self {
        match e {
            crate::access::AccessError::NotFound => Self::NotFound,
            crate::access::AccessError::Unexpected(u) => Self::Unexpected(u),
        }
    }
}

fn decoding<T: serde::de::DeserializeOwned>(what: &'static str) -> impl Fn(crate::ports::Item) -> Result<Option<Versioned<T>>, Unexpected> {
    move |item| schema::decode::<T>(item).map(Some).map_err(|source| Unexpected { context: what, source })
}

fn partition(tenant: &TenantId, prefix: String) -> Query {
    Query { index: None, pk: schema::tenant_pk(tenant), range: SortKeyRange::BeginsWith(prefix), ascending: true, limit: 1000, after: None }
}

/// One person.
pub async fn get_person(deps: &Deps, tenant: &TenantId, id: &str) -> Result<Option<Versioned<DirectoryPerson>>, Unexpected> {
    let Ok(id) = PersonId::parse(id) else { return Ok(None) };
    schema::load(deps.table.as_ref(), &schema::person_key(tenant, &id)).await.context("reading directory person")
}

/// The person holding a `userName` (one read of its guard, one of the person).
pub async fn find_by_user_name(deps: &Deps, tenant: &TenantId, user_name: &str) -> Result<Option<Versioned<DirectoryPerson>>, Unexpected> {
    let table = deps.table.as_ref();
    let Some(p) = schema::load::<UserNamePointer>(table, &schema::user_name_key(tenant, user_name)).await.context("reading userName")?
    else {
        return Ok(None);
    };
    schema::load(table, &schema::person_key(tenant, &p.value.person_id)).await.context("reading directory person")
}

/// Every person of the tenant's directory, oldest first.
pub async fn all_people(deps: &Deps, tenant: &TenantId) -> Result<Vec<Versioned<DirectoryPerson>>, Unexpected> {
    crate::paging::read_all(deps.table.as_ref(), partition(tenant, schema::PERSON_PREFIX.into()), decoding("decoding directory person"))
        .await
}

/// Every group of the tenant's directory, oldest first.
pub async fn all_groups(deps: &Deps, tenant: &TenantId) -> Result<Vec<Versioned<DirectoryGroup>>, Unexpected> {
    crate::paging::read_all(deps.table.as_ref(), partition(tenant, schema::GROUP_PREFIX.into()), decoding("decoding directory group")).await
}

/// One group.
pub async fn get_group(deps: &Deps, tenant: &TenantId, id: &str) -> Result<Option<Versioned<DirectoryGroup>>, Unexpected> {
    let Ok(id) = GroupId::parse(id) else { return Ok(None) };
    schema::load(deps.table.as_ref(), &schema::group_key(tenant, &id)).await.context("reading directory group")
}

/// The members of a group, in id order.
pub async fn group_members(deps: &Deps, tenant: &TenantId, group: &GroupId) -> Result<Vec<PersonId>, Unexpected> {
    let edges: Vec<Versioned<GroupMembership>> = crate::paging::read_all(
        deps.table.as_ref(),
        partition(tenant, schema::group_members_prefix(group)),
        decoding("decoding group membership"),
    )
    .await?;
    Ok(edges.into_iter().map(|e| e.value.person_id).collect())
}

/// The tenant's directory settings (defaults until an admin sets them).
pub async fn settings(deps: &Deps, tenant: &TenantId) -> Result<Versioned<DirectorySettings>, Unexpected> {
    let stored = schema::load::<DirectorySettings>(deps.table.as_ref(), &schema::directory_settings_key(tenant))
        .await
        .context("reading directory settings")?;
    Ok(stored.unwrap_or(Versioned { value: DirectorySettings::default(), version: 0 }))
}

/// The identity provider creates a person.
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn create_person(deps: &Deps, tenant: &TenantId, input: PersonInput) -> Result<DirectoryPerson, ProvisionError> {
    let now = deps.now();
    let person = DirectoryPerson {
        id: PersonId::from_uuid(deps.new_uuid()),
        tenant_id: tenant.clone(),
        source: Source::Scim,
        user_name: Some(input.user_name.clone()),
        external_id: input.external_id,
        email: input.email,
        first_name: input.first_name,
        last_name: input.last_name,
        title: input.title,
        department: input.department,
        company: input.company,
        employee_number: input.employee_number,
        phone: input.phone,
        active: input.active,
        groups: Vec::new(),
        scim: input.scim,
        blocked: None,
        member_user_id: None,
        retry_at: None,
        created_at: now,
        updated_at: now,
    };
    let writes = vec![
        schema::create(&person),
        schema::create_at(schema::user_name_key(tenant, &input.user_name), &UserNamePointer { person_id: person.id.clone() }),
    ];
    match deps.table.transact(writes).await.context("saving directory person")? {
        Committed::Yes => {}
        Committed::ConditionFailed { .. } => return Err(ProvisionError::Uniqueness(input.user_name)),
    }
    tracing::info!(person = %person.id, "directory person created");
    Ok(reconcile(deps, tenant, person).await?)
}

/// The identity provider replaces a person (PUT, and PATCH once applied). `if_version`: the
/// version the caller's `If-Match` named.
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn replace_person(
    deps: &Deps,
    tenant: &TenantId,
    id: &str,
    input: PersonInput,
    if_version: Option<u64>,
) -> Result<DirectoryPerson, ProvisionError> {
    let table = deps.table.as_ref();
    let saved = crate::optimistic!(deps, "replacing directory person", ProvisionError, {
        let current = get_person(deps, tenant, id).await?.ok_or(ProvisionError::NotFound)?;
        if if_version.is_some_and(|v| v != current.version) {
            return Err(ProvisionError::VersionMismatch);
        }
        let old = current.value.clone();
        // Remember who the person is a member as before their address changes (or while it
        // still names them), so deprovisioning finds that member later.
        let seen_as = match &old.email {
            Some(email) => {
                match schema::load::<EmailGuard>(table, &schema::guard_key(tenant, email)).await.context("reading email guard")? {
                    Some(Versioned { value: EmailGuard::Member { user_id }, .. }) => Some(user_id),
                    _ => None,
                }
            }
            None => None,
        };
        let person = DirectoryPerson {
            member_user_id: seen_as.or_else(|| old.member_user_id.clone()),
            source: Source::Scim,
            user_name: Some(input.user_name.clone()),
            external_id: input.external_id.clone(),
            email: input.email.clone(),
            first_name: input.first_name.clone(),
            last_name: input.last_name.clone(),
            title: input.title.clone(),
            department: input.department.clone(),
            company: input.company.clone(),
            employee_number: input.employee_number.clone(),
            phone: input.phone.clone(),
            active: input.active,
            scim: input.scim.clone(),
            updated_at: deps.now(),
            ..old.clone()
        };
        let mut writes = vec![schema::replace(current.version, &person)];
        let renamed = old.user_name.as_deref().map(str::to_lowercase) != Some(input.user_name.to_lowercase());
        if renamed {
            writes.push(schema::create_at(
                schema::user_name_key(tenant, &input.user_name),
                &UserNamePointer { person_id: person.id.clone() },
            ));
            if let Some(previous) = &old.user_name {
                writes.push(Write::Delete { key: schema::user_name_key(tenant, previous), cond: Cond::Always });
            }
        }
        match table.transact(writes).await.context("replacing directory person")? {
            Committed::Yes => Ok(Attempt::Done(person)),
            Committed::ConditionFailed { at: 1 } => Err(ProvisionError::Uniqueness(input.user_name.clone())),
            Committed::ConditionFailed { .. } => Ok(Attempt::Lost),
        }
    })
    .await?;
    Ok(reconcile(deps, tenant, saved).await?)
}

/// The identity provider deletes a person: their access goes first (as for `active: false`),
/// then the person, their `userName` and their group memberships.
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn delete_person(deps: &Deps, tenant: &TenantId, id: &str) -> Result<(), ProvisionError> {
    let person = get_person(deps, tenant, id).await?.ok_or(ProvisionError::NotFound)?;
    deprovision_person(deps, tenant, &person.value).await?;
    let mut writes: Vec<Write> = person
        .value
        .groups
        .iter()
        .map(|g| Write::Delete { key: schema::group_membership_key(tenant, g, &person.value.id), cond: Cond::Always })
        .collect();
    if let Some(name) = &person.value.user_name {
        writes.push(Write::Delete { key: schema::user_name_key(tenant, name), cond: Cond::Always });
    }
    // The person last: if a step fails the identity provider's retry still finds them.
    writes.push(Write::Delete { key: schema::person_key(tenant, &person.value.id), cond: Cond::Always });
    for chunk in writes.chunks(crate::ports::MAX_TRANSACTION_WRITES) {
        deps.table.transact(chunk.to_vec()).await.context("deleting directory person")?;
    }
    tracing::info!(person = %person.value.id, "directory person deleted");
    Ok(())
}

/// Takes away whatever the address holds in the tenant: a pending invitation is revoked, a
/// membership removed (both in one guarded write each, with their audit events, reason
/// `deprovisioned`). The last owner is kept (a tenant without an owner could never be managed
/// again); that is logged.
pub async fn deprovision(deps: &Deps, tenant: &TenantId, email: &Email) -> Result<(), Unexpected> {
    let table = deps.table.as_ref();
    let reason = serde_json::json!({ "reason": "deprovisioned" });
    crate::optimistic!(deps, "deprovisioning", Unexpected, {
        let guard = schema::load::<EmailGuard>(table, &schema::guard_key(tenant, email)).await.context("reading email guard")?;
        let writes = match guard.map(|g| g.value) {
            None => return Ok(Attempt::Done(())),
            Some(EmailGuard::Invitation { invitation_id }) => {
                let key = schema::invitation_key(tenant, &invitation_id);
                let Some(inv) = schema::load::<Invitation>(table, &key).await.context("reading invitation")? else {
                    return Ok(Attempt::Done(()));
                };
                match revoke_writes(deps, &inv, None, reason.clone()).await? {
                    Ok((_, writes)) => writes,
                    // Accepted, declined or expired meanwhile: the guard is about to change.
                    Err(_) if inv.value.status() == InvitationStatus::Pending => return Ok(Attempt::Lost),
                    Err(_) => return Ok(Attempt::Done(())),
                }
            }
            Some(EmailGuard::Member { user_id }) => match member_removal(deps, tenant, &user_id).await? {
                Some(writes) => writes,
                None => return Ok(Attempt::Done(())),
            },
        };
        let committed = table.transact(writes).await.context("deprovisioning")?;
        if committed == Committed::Yes {
            tracing::info!("deprovisioned an address");
        }
        Ok(settle(committed, || ()))
    })
    .await
}

/// Takes away what a person holds: whatever their address holds, and the membership they were
/// last seen as (which may hold another address by now).
pub async fn deprovision_person(deps: &Deps, tenant: &TenantId, person: &DirectoryPerson) -> Result<(), Unexpected> {
    if let Some(email) = &person.email {
        deprovision(deps, tenant, email).await?;
    }
    let Some(user_id) = &person.member_user_id else { return Ok(()) };
    crate::optimistic!(deps, "deprovisioning a member", Unexpected, {
        let Some(writes) = member_removal(deps, tenant, user_id).await? else {
            return Ok(Attempt::Done(()));
        };
        let committed = deps.table.transact(writes).await.context("deprovisioning a member")?;
        if committed == Committed::Yes {
            tracing::info!(user = %user_id, "deprovisioned a member by the link their directory person keeps");
        }
        Ok(settle(committed, || ()))
    })
    .await
}

/// The guarded writes that remove a member for deprovisioning; `None` when they are gone
/// already or are the tenant's last owner (a tenant without an owner could never be managed
/// again; that is logged).
async fn member_removal(deps: &Deps, tenant: &TenantId, user_id: &UserId) -> Result<Option<Vec<Write>>, Unexpected> {
    let table = deps.table.as_ref();
    let Some(member) = schema::load::<Member>(table, &schema::member_key(tenant, user_id)).await.context("reading member")? else {
        return Ok(None);
    };
    let t = access::load_tenant(table, tenant).await?;
    if member.value.role.is_owner() && t.is_some_and(|t| t.value.holders_of(&member.value.role) <= 1) {
        tracing::warn!(user = %user_id, "deprovisioning kept the tenant's last owner");
        return Ok(None);
    }
    let details = serde_json::json!({ "role": member.value.role, "reason": "deprovisioned" });
    Ok(Some(removal_writes(deps, &member, None, "member.removed", details).await?))
}

/// The role provisioning gives a person: the highest their groups map to, else the default
/// (`member`). `owner` is never given (settings refuse to map it).
pub async fn role_for(
    deps: &Deps,
    tenant: &TenantId,
    settings: &DirectorySettings,
    person: &DirectoryPerson,
) -> Result<RoleName, Unexpected> {
    let fallback = settings.default_role.clone().unwrap_or_else(|| RoleName::parse("member").unwrap_or_else(|_| RoleName::owner()));
    if person.groups.is_empty() || settings.group_roles.is_empty() {
        return Ok(fallback);
    }
    let keys: Vec<_> = person.groups.iter().map(|g| schema::group_key(tenant, g)).collect();
    let mut best: Option<Role> = None;
    for item in deps.table.get_many(&keys).await.context("reading groups")?.into_iter().flatten() {
        let group = schema::decode::<DirectoryGroup>(item).map_err(|source| Unexpected { context: "decoding directory group", source })?;
        let Some(name) = settings.group_roles.get(&group.value.display_name) else { continue };
        if name.is_owner() {
            continue;
        }
        let Some(role) = access::resolve_role(deps.table.as_ref(), tenant, name).await? else { continue };
        if best.as_ref().is_none_or(|b| outranks(&role, b)) {
            best = Some(role);
        }
    }
    Ok(best.map_or(fallback, |r| r.name))
}

/// Whether `a` is a higher role than `b`: it covers every permission of `b` and more, or, when
/// neither covers the other, it has more permissions (ties go to the name, to be stable).
fn outranks(a: &Role, b: &Role) -> bool {
    let (na, nb) = (a.permissions.to_vec().len(), b.permissions.to_vec().len());
    if a.permissions.covers(b.permissions) && na > nb {
        return true;
    }
    if b.permissions.covers(a.permissions) {
        return false;
    }
    (na, b.name.as_str()) > (nb, a.name.as_str())
}

/// Brings the tenant in line with a person the identity provider just wrote: an inactive person
/// holds nothing; under `invite`, an active person with an email and no standing is invited
/// (or `blocked` when no seat is free), and a pending invitation provisioning sent takes the
/// role their groups now map to. Answers the person as stored.
pub async fn reconcile(deps: &Deps, tenant: &TenantId, person: DirectoryPerson) -> Result<DirectoryPerson, Unexpected> {
    let Some(email) = person.email.clone() else { return Ok(person) };
    if !person.active {
        // Taking access away must not be lost: a failure here is the caller's error, and the
        // identity provider sends `active: false` again.
        deprovision_person(deps, tenant, &person).await?;
        return set_blocked(deps, tenant, person, None).await;
    }
    match invite_if_due(deps, tenant, &person, &email).await {
        Ok(blocked) => set_blocked(deps, tenant, person, blocked).await,
        // The person is saved; their invitation is what failed (the store busy or down): the
        // schedule tries again, and the identity provider is not failed for it.
        Err(e) => {
            tracing::warn!(cause = %e, person = %person.id, "provisioning could not invite yet; the schedule will try again");
            Ok(set_blocked(deps, tenant, person.clone(), Some("unavailable".into())).await.unwrap_or(person))
        }
    }
}

/// Under `invite`: invites a person with no standing, or makes a pending invitation that
/// provisioning sent follow their role. Answers why they are still not invited, if so.
async fn invite_if_due(deps: &Deps, tenant: &TenantId, person: &DirectoryPerson, email: &Email) -> Result<Option<String>, Unexpected> {
    let settings = settings(deps, tenant).await?.value;
    if settings.provisioning != Provisioning::Invite {
        return Ok(None);
    }
    let role = role_for(deps, tenant, &settings, person).await?;
    let guard = schema::load::<EmailGuard>(deps.table.as_ref(), &schema::guard_key(tenant, email)).await.context("reading email guard")?;
    match Standing::from(guard.map(|g| g.value)) {
        Standing::Member(_) => Ok(None),
        Standing::Invited(invitation_id) => {
            follow_role(deps, tenant, &invitation_id, &role).await?;
            Ok(None)
        }
        Standing::None => invite_person(deps, tenant, email, &role).await,
    }
}

/// How long a blocked person waits for the schedule's next try.
pub const BLOCKED_RETRY_SECS: i64 = 300;

/// The schedule's try for a blocked person (a seat may have freed, the store may be back):
/// answers what still blocks them.
pub async fn retry_blocked(deps: &Deps, tenant: &TenantId, person: &PersonId) -> Result<Option<String>, Unexpected> {
    let key = schema::person_key(tenant, person);
    let Some(current) = schema::load::<DirectoryPerson>(deps.table.as_ref(), &key).await.context("reading directory person")? else {
        return Ok(None);
    };
    if current.value.blocked.is_none() {
        return Ok(None);
    }
    Ok(reconcile(deps, tenant, current.value).await?.blocked)
}

/// Invites for provisioning; answers why not when a plan limit or policy stops it.
async fn invite_person(deps: &Deps, tenant: &TenantId, email: &Email, role: &RoleName) -> Result<Option<String>, Unexpected> {
    let raw = InviteRequest { email: Some(email.to_string()), role: Some(role.to_string()), ..InviteRequest::default() };
    let cmd = match InviteCommand::parse(&raw, deps.settings.max_ttl_days) {
        Ok(c) => c,
        Err(_) => return Ok(Some("invalid_request".into())),
    };
    let Some(t) = access::load_tenant(deps.table.as_ref(), tenant).await? else { return Ok(None) };
    match invite::save_new(deps, &Inviter::directory(&t.value.name), tenant, cmd, None).await {
        Ok(Saved::New(inv) | Saved::Earlier(inv)) => {
            delivery::enqueue(deps, vec![delivery::invitation_job(&inv)]).await;
            Ok(None)
        }
        Err(InviteError::SeatLimitReached) => Ok(Some("seat_limit_reached".into())),
        Err(InviteError::DomainNotAllowed(_)) => Ok(Some("domain_not_allowed".into())),
        Err(InviteError::AlreadyInvited(_) | InviteError::AlreadyMember(_)) => Ok(None),
        Err(InviteError::Invalid(_)) => Ok(Some("invalid_request".into())),
        Err(InviteError::Unexpected(u)) => Err(u),
        Err(InviteError::NotFound | InviteError::Forbidden | InviteError::RoleNotGrantable(_)) => Ok(Some("not_invitable".into())),
    }
}

/// A pending invitation that provisioning sent follows the role the person's groups map to (an
/// admin's own invitation is left as the admin made it).
async fn follow_role(
    deps: &Deps,
    tenant: &TenantId,
    invitation_id: &crate::values::InvitationId,
    role: &RoleName,
) -> Result<(), Unexpected> {
    let table = deps.table.as_ref();
    crate::optimistic!(deps, "following the directory's role", Unexpected, {
        let key = schema::invitation_key(tenant, invitation_id);
        let Some(inv) = schema::load::<Invitation>(table, &key).await.context("reading invitation")? else { return Ok(Attempt::Done(())) };
        if inv.value.invited_by.user_id.is_some() || inv.value.role == *role || inv.value.status() != InvitationStatus::Pending {
            return Ok(Attempt::Done(()));
        }
        let mut changed = inv.value.clone();
        if changed.edit(deps.now(), |i| i.role = role.clone()).is_err() {
            return Ok(Attempt::Done(()));
        }
        let event = super::audit_event(
            deps,
            tenant,
            None,
            "invitation.updated",
            invitation_id.as_str(),
            serde_json::json!({ "role": role, "via": "scim" }),
        );
        let committed = table
            .transact(vec![schema::replace(inv.version, &changed), schema::audit_write(&event)])
            .await
            .context("updating invitation")?;
        Ok(settle(committed, || ()))
    })
    .await
}

async fn set_blocked(
    deps: &Deps,
    tenant: &TenantId,
    person: DirectoryPerson,
    blocked: Option<String>,
) -> Result<DirectoryPerson, Unexpected> {
    // A blocked person is tried again later (the due index holds them until `retry_at`).
    let retry_at = blocked.as_ref().map(|_| deps.now().plus_seconds(BLOCKED_RETRY_SECS));
    if person.blocked.is_none() && blocked.is_none() {
        return Ok(person);
    }
    let table = deps.table.as_ref();
    crate::optimistic!(deps, "marking directory person", Unexpected, {
        let Some(current) =
            schema::load::<DirectoryPerson>(table, &schema::person_key(tenant, &person.id)).await.context("reading directory person")?
        else {
            return Ok(Attempt::Done(person.clone()));
        };
        let mut marked = current.value.clone();
        marked.blocked.clone_from(&blocked);
        marked.retry_at = retry_at;
        let committed = table.transact(vec![schema::replace(current.version, &marked)]).await.context("marking directory person")?;
        Ok(settle(committed, || marked))
    })
    .await
}

/// The members that name a person of the tenant. RFC 7644 asks no referential integrity of a
/// group's members, and identity providers may send a membership before the person: one that
/// names nobody is left out (the provider's next sync sends it again), never an error.
async fn known_members(deps: &Deps, tenant: &TenantId, members: &[PersonId]) -> Result<Vec<PersonId>, Unexpected> {
    let mut known = Vec::with_capacity(members.len());
    for chunk in members.chunks(100) {
        let keys: Vec<_> = chunk.iter().map(|p| schema::person_key(tenant, p)).collect();
        let found = deps.table.get_many(&keys).await.context("reading group members")?;
        known.extend(chunk.iter().zip(found).filter(|(_, f)| f.is_some()).map(|(p, _)| p.clone()));
    }
    if known.len() < members.len() {
        tracing::info!(left_out = members.len() - known.len(), "group members that name no person were left out");
    }
    Ok(known)
}

/// The identity provider creates a group.
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn create_group(deps: &Deps, tenant: &TenantId, input: GroupInput) -> Result<(DirectoryGroup, Vec<PersonId>), ProvisionError> {
    let members = known_members(deps, tenant, &input.members).await?;
    let now = deps.now();
    let group = DirectoryGroup {
        id: GroupId::from_uuid(deps.new_uuid()),
        tenant_id: tenant.clone(),
        display_name: input.display_name,
        external_id: input.external_id,
        created_at: now,
        updated_at: now,
    };
    deps.table.transact(vec![schema::create(&group)]).await.context("saving directory group")?;
    let members = set_members(deps, tenant, &group, &members, true).await?;
    Ok((group, members))
}

/// The identity provider replaces a group (PUT, and PATCH once applied).
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn replace_group(
    deps: &Deps,
    tenant: &TenantId,
    id: &str,
    input: GroupInput,
    if_version: Option<u64>,
) -> Result<(DirectoryGroup, Vec<PersonId>), ProvisionError> {
    let members = known_members(deps, tenant, &input.members).await?;
    let table = deps.table.as_ref();
    let (group, renamed) = crate::optimistic!(deps, "replacing directory group", ProvisionError, {
        let current = get_group(deps, tenant, id).await?.ok_or(ProvisionError::NotFound)?;
        if if_version.is_some_and(|v| v != current.version) {
            return Err(ProvisionError::VersionMismatch);
        }
        let renamed = current.value.display_name != input.display_name;
        let group = DirectoryGroup {
            display_name: input.display_name.clone(),
            external_id: input.external_id.clone(),
            updated_at: deps.now(),
            ..current.value.clone()
        };
        let committed = table.transact(vec![schema::replace(current.version, &group)]).await.context("replacing directory group")?;
        Ok(settle(committed, || (group, renamed)))
    })
    .await?;
    let members = set_members(deps, tenant, &group, &members, renamed).await?;
    Ok((group, members))
}

/// The identity provider deletes a group: its people leave it (and follow their new roles).
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn delete_group(deps: &Deps, tenant: &TenantId, id: &str) -> Result<(), ProvisionError> {
    let group = get_group(deps, tenant, id).await?.ok_or(ProvisionError::NotFound)?;
    set_members(deps, tenant, &group.value, &[], false).await?;
    deps.table
        .transact(vec![Write::Delete { key: schema::group_key(tenant, &group.value.id), cond: Cond::Always }])
        .await
        .context("deleting directory group")?;
    Ok(())
}

/// Makes a group's members exactly `desired`: each joining or leaving person is one guarded
/// write (their membership item and their own list of groups together), then each follows the
/// roles their groups now map to. `reconcile_all`: every member follows (the group's name, and
/// so its role, changed). Answers the members.
async fn set_members(
    deps: &Deps,
    tenant: &TenantId,
    group: &DirectoryGroup,
    desired: &[PersonId],
    reconcile_all: bool,
) -> Result<Vec<PersonId>, ProvisionError> {
    let current = group_members(deps, tenant, &group.id).await?;
    let mut wanted: Vec<PersonId> = desired.to_vec();
    wanted.sort();
    wanted.dedup();
    let joining: Vec<&PersonId> = wanted.iter().filter(|p| !current.contains(p)).collect();
    let leaving: Vec<&PersonId> = current.iter().filter(|p| !wanted.contains(p)).collect();
    let mut touched = Vec::new();
    for (person, join) in joining.into_iter().map(|p| (p, true)).chain(leaving.into_iter().map(|p| (p, false))) {
        if let Some(p) = move_person(deps, tenant, &group.id, person, join).await? {
            touched.push(p);
        }
    }
    if reconcile_all {
        let keys: Vec<_> = wanted
            .iter()
            .filter(|p| !touched.iter().any(|t: &DirectoryPerson| t.id == **p))
            .map(|p| schema::person_key(tenant, p))
            .collect();
        for chunk in keys.chunks(100) {
            for item in deps.table.get_many(chunk).await.context("reading group members")?.into_iter().flatten() {
                let p = schema::decode::<DirectoryPerson>(item)
                    .map_err(|source| Unexpected { context: "decoding directory person", source })?;
                touched.push(p.value);
            }
        }
    }
    for person in touched {
        reconcile(deps, tenant, person).await?;
    }
    Ok(wanted)
}

/// One person joins (or leaves) one group.
async fn move_person(
    deps: &Deps,
    tenant: &TenantId,
    group: &GroupId,
    person: &PersonId,
    join: bool,
) -> Result<Option<DirectoryPerson>, Unexpected> {
    let table = deps.table.as_ref();
    crate::optimistic!(deps, "changing group membership", Unexpected, {
        let edge = schema::group_membership_key(tenant, group, person);
        let Some(current) =
            schema::load::<DirectoryPerson>(table, &schema::person_key(tenant, person)).await.context("reading directory person")?
        else {
            // Deleted meanwhile: make sure no membership of theirs stays behind.
            table.transact(vec![Write::Delete { key: edge, cond: Cond::Always }]).await.context("changing group membership")?;
            return Ok(Attempt::Done(None));
        };
        let mut changed = current.value.clone();
        changed.groups.retain(|g| g != group);
        let edge_write = if join {
            changed.groups.push(group.clone());
            schema::create(&GroupMembership { tenant_id: tenant.clone(), group_id: group.clone(), person_id: person.clone() })
        } else {
            Write::Delete { key: edge, cond: Cond::Always }
        };
        // A membership already there (a retried request) is no conflict: write it whatever.
        let edge_write = match edge_write {
            Write::Put { item, .. } => Write::Put { item, cond: Cond::Always },
            other => other,
        };
        let committed =
            table.transact(vec![schema::replace(current.version, &changed), edge_write]).await.context("changing group membership")?;
        Ok(settle(committed, || Some(changed)))
    })
    .await
}
