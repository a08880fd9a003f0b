//! What admins see of the directory: its people with where each stands (member, invited, not
//! invited, inactive), its companies, its settings. Reading needs `invitations.create` (it is
//! the list admins invite from); the settings need `directory.manage`.

use super::list::ListError;
use super::provisioning;
use crate::access::{self, AccessError};
use crate::context::{Deps, Principal};
use crate::directory::{DirectoryGroup, DirectoryPerson, DirectorySettings, Provisioning, Source, Standing};
use crate::error::{Context, ErrorCode, FieldError, Unexpected};
use crate::model::{EmailGuard, Invitation, Member};
use crate::paging::{self, Cursor};
use crate::ports::{Query, SortKeyRange};
use crate::roles::{Permission, RoleName};
use crate::schema::{self, Versioned};
use crate::values::{Email, GroupId, PersonId, TenantId, UserId};
use crate::views::Paged;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// A person as the directory listing shows them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonResource {
    /// Id.
    pub id: PersonId,
    /// `scim` or `upload`.
    pub source: Source,
    /// The identity provider's or HR system's id.
    pub external_id: Option<String>,
    /// Address, if on file.
    pub email: Option<Email>,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Title.
    pub title: String,
    /// Department.
    pub department: String,
    /// Company.
    pub company: String,
    /// Employee number.
    pub employee_number: String,
    /// Phone.
    pub phone: String,
    /// Active at the company.
    pub active: bool,
    /// Group names.
    pub groups: Vec<String>,
    /// Their membership, if they are a member.
    pub member: Option<PersonMember>,
    /// Their invitation: pending, or `blocked` with the reason provisioning could not send it.
    pub invitation: Option<PersonInvitation>,
}

/// A person's membership.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonMember {
    /// The member's user id.
    pub user_id: UserId,
    /// Their role.
    pub role: RoleName,
}

/// A person's invitation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonInvitation {
    /// The invitation (absent while `blocked`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<crate::values::InvitationId>,
    /// `pending`, or `blocked`.
    pub status: String,
    /// Why it is blocked (`seat_limit_reached`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// The `status` filter of the listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonStatus {
    /// Active, no membership, no pending invitation.
    NotInvited,
    /// A pending (or blocked) invitation.
    Invited,
    /// A member.
    Member,
    /// Not active at the company.
    Inactive,
}

impl PersonStatus {
    fn parse(raw: &str) -> Option<Self> {
        match raw {
            "not_invited" => Some(Self::NotInvited),
            "invited" => Some(Self::Invited),
            "member" => Some(Self::Member),
            "inactive" => Some(Self::Inactive),
            _ => None,
        }
    }

    fn of(r: &PersonResource) -> Self {
        if !r.active {
            Self::Inactive
        } else if r.member.is_some() {
            Self::Member
        } else if r.invitation.is_some() {
            Self::Invited
        } else {
            Self::NotInvited
        }
    }
}

/// The listing's query parameters, unparsed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PeopleParams {
    /// Name or email prefix.
    pub q: Option<String>,
    /// Exact company.
    pub company: Option<String>,
    /// Exact title.
    pub title: Option<String>,
    /// Exact department.
    pub department: Option<String>,
    /// `not_invited`, `invited`, `member`, `inactive`.
    pub status: Option<String>,
    /// Page size.
    pub limit: Option<String>,
    /// Cursor.
    pub cursor: Option<String>,
}

async fn reader(deps: &Deps, principal: &Principal, tenant: &TenantId, needs: Permission) -> Result<(), ListError> {
    let actor = access::member_of(deps, principal, tenant).await.map_err(|e| match e {
        AccessError::NotFound => ListError::NotFound,
        AccessError::Unexpected(u) => ListError::Unexpected(u),
    })?;
    if actor.can(needs) { Ok(()) } else { Err(ListError::Forbidden) }
}

/// The directory's people, in the order they were added, filtered. The status filter is applied
/// to each page after reading where people stand, so a page may hold fewer than `limit` people
/// while `next_cursor` says there are more.
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn list_people(
    deps: &Deps,
    principal: &Principal,
    tenant: &TenantId,
    params: &PeopleParams,
) -> Result<Paged<PersonResource>, ListError> {
    reader(deps, principal, tenant, Permission::InvitationsCreate).await?;
    let mut errors = Vec::new();
    let norm = |s: &Option<String>| s.as_deref().map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty());
    let status = params.status.as_deref().map(str::trim).filter(|s| !s.is_empty()).and_then(|s| {
        PersonStatus::parse(s).or_else(|| {
            errors.push(FieldError::new("status", "invalid_status", "status must be not_invited, invited, member or inactive"));
            None
        })
    });
    let limit = paging::parse_limit(params.limit.as_deref()).map_err(|e| errors.push(e)).unwrap_or_default();
    let cursor = params.cursor.as_deref().and_then(|c| Cursor::parse(c, schema::PERSON_PREFIX).map_err(|e| errors.push(e)).ok());
    if !errors.is_empty() {
        return Err(ListError::Invalid(errors));
    }
    let (q, company, title, department) = (norm(&params.q), norm(&params.company), norm(&params.title), norm(&params.department));
    let filters = format!(
        "q={}&company={}&title={}&department={}&status={}",
        q.as_deref().unwrap_or(""),
        company.as_deref().unwrap_or(""),
        title.as_deref().unwrap_or(""),
        department.as_deref().unwrap_or(""),
        params.status.as_deref().unwrap_or("").trim()
    );
    let query = Query {
        index: None,
        pk: schema::tenant_pk(tenant),
        range: SortKeyRange::BeginsWith(schema::PERSON_PREFIX.into()),
        ascending: true,
        limit,
        after: None,
    };
    let exact = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| have.trim().to_lowercase() == w);
    let (people, next_cursor) =
        paging::collect_in(deps.table.as_ref(), &deps.settings.cursor_key, &filters, query, cursor.as_ref(), limit, |item| {
            let p = schema::decode::<DirectoryPerson>(item)
                .map_err(|source| Unexpected { context: "decoding directory person", source })?
                .value;
            let matches_q = q.as_deref().is_none_or(|q| {
                let email = p.email.as_ref().map(ToString::to_string).unwrap_or_default();
                [p.first_name.to_lowercase(), p.last_name.to_lowercase(), p.display_name().to_lowercase(), email]
                    .iter()
                    .any(|f| f.starts_with(q))
            });
            let keep = matches_q && exact(&company, &p.company) && exact(&title, &p.title) && exact(&department, &p.department);
            Ok(keep.then_some(p))
        })
        .await
        .map_err(|e| match e {
            paging::PageError::InvalidCursor(f) => ListError::Invalid(vec![f]),
            paging::PageError::Unexpected(u) => ListError::Unexpected(u),
        })?;
    let mut data = resources(deps, tenant, people).await?;
    if let Some(s) = status {
        data.retain(|r| PersonStatus::of(r) == s);
    }
    Ok(Paged { data, next_cursor })
}

/// Where each person stands: two batched reads (their address guards, then the memberships and
/// invitations those name) and one of the tenant's groups.
pub async fn resources(deps: &Deps, tenant: &TenantId, people: Vec<DirectoryPerson>) -> Result<Vec<PersonResource>, Unexpected> {
    let table = deps.table.as_ref();
    let now = deps.now();
    let emails: Vec<&Email> = people.iter().filter_map(|p| p.email.as_ref()).collect();
    let mut standing: HashMap<Email, Standing> = HashMap::new();
    for chunk in emails.chunks(100) {
        let keys: Vec<_> = chunk.iter().map(|e| schema::guard_key(tenant, e)).collect();
        for (email, item) in chunk.iter().zip(table.get_many(&keys).await.context("reading email guards")?) {
            let guard = item
                .map(schema::decode::<EmailGuard>)
                .transpose()
                .map_err(|source| Unexpected { context: "decoding email guard", source })?;
            standing.insert((*email).clone(), Standing::from(guard.map(|g| g.value)));
        }
    }
    let mut members: HashMap<UserId, Member> = HashMap::new();
    let mut invitations: HashMap<crate::values::InvitationId, Invitation> = HashMap::new();
    let targets: Vec<_> = standing
        .values()
        .filter_map(|s| match s {
            Standing::Member(u) => Some(schema::member_key(tenant, u)),
            Standing::Invited(i) => Some(schema::invitation_key(tenant, i)),
            Standing::None => None,
        })
        .collect();
    for chunk in targets.chunks(100) {
        for item in table.get_many(chunk).await.context("reading members and invitations")?.into_iter().flatten() {
            if item.key.sk.starts_with(schema::MEMBER_PREFIX) {
                let m = schema::decode::<Member>(item).map_err(|source| Unexpected { context: "decoding member", source })?.value;
                members.insert(m.user_id.clone(), m);
            } else {
                let i = schema::decode::<Invitation>(item).map_err(|source| Unexpected { context: "decoding invitation", source })?.value;
                invitations.insert(i.id.clone(), i);
            }
        }
    }
    let group_names: HashMap<GroupId, String> = if people.iter().any(|p| !p.groups.is_empty()) {
        provisioning::all_groups(deps, tenant)
            .await?
            .into_iter()
            .map(|g: Versioned<DirectoryGroup>| (g.value.id, g.value.display_name))
            .collect()
    } else {
        HashMap::new()
    };
    Ok(people
        .into_iter()
        .map(|p| {
            let s = p.email.as_ref().and_then(|e| standing.get(e));
            let member = match s {
                Some(Standing::Member(u)) => members.get(u).map(|m| PersonMember { user_id: m.user_id.clone(), role: m.role.clone() }),
                _ => None,
            };
            let pending = match s {
                Some(Standing::Invited(i)) => {
                    invitations.get(i).filter(|inv| inv.status_at(now) == crate::model::InvitationStatus::Pending)
                }
                _ => None,
            };
            let invitation = match (pending, &p.blocked) {
                (Some(inv), _) => Some(PersonInvitation { id: Some(inv.id.clone()), status: "pending".into(), code: None }),
                (None, Some(code)) if member.is_none() => {
                    Some(PersonInvitation { id: None, status: "blocked".into(), code: Some(code.clone()) })
                }
                _ => None,
            };
            PersonResource {
                groups: p.groups.iter().filter_map(|g| group_names.get(g).cloned()).collect(),
                id: p.id,
                source: p.source,
                external_id: p.external_id,
                email: p.email,
                first_name: p.first_name,
                last_name: p.last_name,
                title: p.title,
                department: p.department,
                company: p.company,
                employee_number: p.employee_number,
                phone: p.phone,
                active: p.active,
                member,
                invitation,
            }
        })
        .collect())
}

/// One company of the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Company {
    /// Its name (empty: people with no company on file).
    pub name: String,
    /// How many people.
    pub people: u32,
    /// How many of them are active.
    pub active: u32,
}

/// The directory's companies with their people counts, by name (the seed's first step).
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn companies(deps: &Deps, principal: &Principal, tenant: &TenantId) -> Result<Vec<Company>, ListError> {
    reader(deps, principal, tenant, Permission::InvitationsCreate).await?;
    let mut counts: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    for p in provisioning::all_people(deps, tenant).await? {
        let c = counts.entry(p.value.company.trim().to_owned()).or_default();
        c.0 += 1;
        c.1 += u32::from(p.value.active);
    }
    Ok(counts.into_iter().map(|(name, (people, active))| Company { name, people, active }).collect())
}

/// The settings as the API shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettingsResource {
    /// `stage` or `invite`.
    pub provisioning: Provisioning,
    /// Group name → role.
    pub group_roles: BTreeMap<String, RoleName>,
    /// Role for people in no mapped group.
    pub default_role: RoleName,
}

impl SettingsResource {
    fn of(s: &DirectorySettings) -> Self {
        Self {
            provisioning: s.provisioning,
            group_roles: s.group_roles.clone(),
            default_role: s.default_role.clone().unwrap_or_else(|| RoleName::parse("member").unwrap_or_else(|_| RoleName::owner())),
        }
    }
}

/// A change of settings, unparsed (absent fields stay as they are).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    /// `stage` or `invite`.
    pub provisioning: Option<String>,
    /// The whole map (replaces the old one).
    pub group_roles: Option<BTreeMap<String, String>>,
    /// Default role.
    pub default_role: Option<String>,
}

/// What the settings routes answer besides the settings.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// Malformed.
    #[error("invalid settings")]
    Invalid(Vec<FieldError>),
    /// No such tenant, or the caller is not in it.
    #[error("not found")]
    NotFound,
    /// No `directory.manage`.
    #[error("you may not change this tenant's directory settings")]
    Forbidden,
    /// A mapped role carries a permission the caller lacks, or is `owner`.
    #[error("you cannot grant the role '{0}'")]
    RoleNotGrantable(RoleName),
    /// Something broke.
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

crate::error_codes!(SettingsError {
    SettingsError::Invalid(e) => ErrorCode::InvalidRequest(e.clone()),
    SettingsError::NotFound => ErrorCode::NotFound,
    SettingsError::Forbidden => ErrorCode::Forbidden,
    SettingsError::RoleNotGrantable(_) => ErrorCode::RoleNotGrantable,
    SettingsError::Unexpected(u) => u.code(),
});

impl From<AccessError> for SettingsError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::NotFound => Self::NotFound,
            AccessError::Unexpected(u) => Self::Unexpected(u),
        }
    }
}

/// Reads the settings (`directory.manage`).
pub async fn get_settings(deps: &Deps, principal: &Principal, tenant: &TenantId) -> Result<SettingsResource, SettingsError> {
    let actor = access::member_of(deps, principal, tenant).await?;
    if !actor.can(Permission::DirectoryManage) {
        return Err(SettingsError::Forbidden);
    }
    Ok(SettingsResource::of(&provisioning::settings(deps, tenant).await?.value))
}

/// Changes the settings (`directory.manage`). Every mapped role must exist and be one the
/// caller could grant; `owner` is never mapped (provisioning never makes owners).
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn update_settings(
    deps: &Deps,
    principal: &Principal,
    tenant: &TenantId,
    patch: &SettingsPatch,
) -> Result<SettingsResource, SettingsError> {
    let actor = access::member_of(deps, principal, tenant).await?;
    if !actor.can(Permission::DirectoryManage) {
        return Err(SettingsError::Forbidden);
    }
    let mut errors = Vec::new();
    let provisioning = patch.provisioning.as_deref().and_then(|p| match p {
        "stage" => Some(Provisioning::Stage),
        "invite" => Some(Provisioning::Invite),
        _ => {
            errors.push(FieldError::new("provisioning", "invalid_provisioning", "provisioning must be stage or invite"));
            None
        }
    });
    let mut roles_to_check: Vec<(String, RoleName)> = Vec::new();
    let group_roles = patch.group_roles.as_ref().map(|m| {
        let mut out = BTreeMap::new();
        if m.len() > 100 {
            errors.push(FieldError::new("group_roles", "too_many", "at most 100 groups may be mapped"));
        }
        for (group, role) in m {
            let field = format!("group_roles.{group}");
            let name = group.trim();
            if name.is_empty() || name.chars().count() > 256 {
                errors.push(FieldError::new(field, "invalid_group", "a group name is 1 to 256 characters"));
                continue;
            }
            match RoleName::parse(role) {
                Ok(r) => {
                    roles_to_check.push((field, r.clone()));
                    out.insert(name.to_owned(), r);
                }
                Err(e) => errors.push(FieldError::from_invalid(field, &e)),
            }
        }
        out
    });
    let default_role = patch.default_role.as_deref().and_then(|r| match RoleName::parse(r) {
        Ok(r) => {
            roles_to_check.push(("default_role".into(), r.clone()));
            Some(r)
        }
        Err(e) => {
            errors.push(FieldError::from_invalid("default_role", &e));
            None
        }
    });
    for (field, name) in &roles_to_check {
        match access::resolve_role(deps.table.as_ref(), tenant, name).await? {
            None => errors.push(FieldError::new(field.clone(), "unknown_role", format!("the tenant has no role '{name}'"))),
            Some(role) if role.name.is_owner() || !actor.role.may_grant(&role) => return Err(SettingsError::RoleNotGrantable(role.name)),
            Some(_) => {}
        }
    }
    if !errors.is_empty() {
        return Err(SettingsError::Invalid(errors));
    }
    let table = deps.table.as_ref();
    crate::optimistic!(deps, "saving directory settings", SettingsError, {
        let current = provisioning::settings(deps, tenant).await?;
        let mut next = current.value.clone();
        if let Some(p) = provisioning {
            next.provisioning = p;
        }
        if let Some(m) = &group_roles {
            next.group_roles.clone_from(m);
        }
        if default_role.is_some() {
            next.default_role.clone_from(&default_role);
        }
        let write = if current.version == 0 {
            schema::create_at(schema::directory_settings_key(tenant), &next)
        } else {
            schema::replace_at(schema::directory_settings_key(tenant), current.version, &next)
        };
        let event = super::audit_event(
            deps,
            tenant,
            Some(&actor.user.id),
            "directory.settings_updated",
            tenant.as_str(),
            serde_json::to_value(SettingsResource::of(&next)).unwrap_or_default(),
        );
        let committed = table.transact(vec![write, schema::audit_write(&event)]).await.context("saving directory settings")?;
        Ok(crate::retry::settle(committed, || SettingsResource::of(&next)))
    })
    .await
}
