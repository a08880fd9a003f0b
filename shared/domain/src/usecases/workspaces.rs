//! A tenant's workspaces (the seed's sites, fleets, projects): people see the data of the
//! workspaces they are given. Kept on the tenant item (a tenant has a handful; they change
//! rarely), with `workspaces_rev` bumped on every change that alters which names are valid or
//! which are the defaults, so writes that name workspaces can expect the set they checked.

use super::audit_event;
use crate::access::{self, AccessError};
use crate::context::{Deps, Principal};
use crate::error::{Context, ErrorCode, FieldError, Unexpected};
use crate::model::{Invitation, InvitationStatus, Member, WorkspaceDef};
use crate::paging::read_all;
use crate::ports::{Query, SortKeyRange};
use crate::retry::{Attempt, settle};
use crate::roles::Permission;
use crate::schema;
use crate::values::{TenantId, Workspace, parse_text};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most workspaces a tenant may define.
pub const MAX_WORKSPACES: usize = 200;

/// A workspace as it arrives (`PUT .../workspaces/{workspaceId}`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceRequest {
    /// Display name (defaults to the id when a workspace is created without one).
    pub name: Option<String>,
    /// Whether an invitation that names no workspace gets this one.
    pub default: Option<bool>,
}

/// The tenant's workspaces.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkspaceList {
    /// Every workspace, by id.
    pub data: Vec<WorkspaceDef>,
}

/// What workspace operations can answer besides a workspace.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    /// A field or the id is malformed.
    #[error("invalid workspace")]
    Invalid(Vec<FieldError>),
    /// No such workspace (or tenant, or the caller is not in it).
    #[error("workspace not found")]
    NotFound,
    /// The caller may not manage workspaces.
    #[error("you may not manage workspaces in this tenant")]
    Forbidden,
    /// Members or pending invitations still use it.
    #[error("{members} member(s) and {invitations} pending invitation(s) still use this workspace; move them first")]
    InUse {
        /// Members using it.
        members: usize,
        /// Pending invitations naming it.
        invitations: usize,
    },
    /// The tenant has as many workspaces as it may.
    #[error("a tenant has at most {MAX_WORKSPACES} workspaces")]
    TooMany,
    /// Something broke.
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

crate::error_codes!(WorkspaceError {
    WorkspaceError::Invalid(e) => ErrorCode::InvalidRequest(e.clone()),
    WorkspaceError::NotFound => ErrorCode::NotFound,
    WorkspaceError::Forbidden => ErrorCode::Forbidden,
    WorkspaceError::InUse { .. } => ErrorCode::InvalidState,
    WorkspaceError::TooMany => ErrorCode::InvalidState,
    WorkspaceError::Unexpected(u) => u.code(),
});

impl From<AccessError> for WorkspaceError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::NotFound => Self::NotFound,
            AccessError::Unexpected(u) => Self::Unexpected(u),
        }
    }
}

fn workspace_id(raw: &str) -> Result<Workspace, WorkspaceError> {
    Workspace::parse(raw).map_err(|e| WorkspaceError::Invalid(vec![FieldError::from_invalid("workspaceId", &e)]))
}

/// Lists the tenant's workspaces: any member.
pub async fn list_workspaces(deps: &Deps, principal: &Principal, tenant: &TenantId) -> Result<WorkspaceList, WorkspaceError> {
    access::member_of(deps, principal, tenant).await?;
    let t = access::load_tenant(deps.table.as_ref(), tenant).await?.ok_or(WorkspaceError::NotFound)?;
    Ok(WorkspaceList { data: t.value.workspaces })
}

/// Creates or renames a workspace (`roles.manage`). Answers it and whether it was created.
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn put_workspace(
    deps: &Deps,
    principal: &Principal,
    tenant: &TenantId,
    raw_id: &str,
    req: &WorkspaceRequest,
) -> Result<(WorkspaceDef, bool), WorkspaceError> {
    let actor = access::member_of(deps, principal, tenant).await?;
    if !actor.can(Permission::RolesManage) {
        return Err(WorkspaceError::Forbidden);
    }
    let id = workspace_id(raw_id)?;
    let name = match &req.name {
        Some(n) => Some(parse_text(n, 100).map_err(|e| WorkspaceError::Invalid(vec![FieldError::from_invalid("name", &e)]))?),
        None => None,
    };
    let table = deps.table.as_ref();
    crate::optimistic!(deps, "saving workspace", WorkspaceError, {
        let t = access::load_tenant(table, tenant).await?.ok_or(WorkspaceError::NotFound)?;
        let mut new = t.value.clone();
        let before = new.workspaces.iter().find(|w| w.id == id).cloned();
        let created = before.is_none();
        if created && new.workspaces.len() >= MAX_WORKSPACES {
            return Err(WorkspaceError::TooMany);
        }
        let mut after = before.clone().unwrap_or_else(|| WorkspaceDef { id: id.clone(), name: id.as_str().to_owned(), default: false });
        if let Some(n) = &name {
            after.name = n.clone();
        }
        if let Some(d) = req.default {
            after.default = d;
        }
        if before.as_ref() == Some(&after) {
            return Ok(Attempt::Done((after, false)));
        }
        new.workspaces.retain(|w| w.id != id);
        new.workspaces.push(after.clone());
        new.workspaces.sort_by(|a, b| a.id.cmp(&b.id));
        // A new workspace or a new default changes what invitations may name or get.
        if created || before.as_ref().map(|b| b.default) != Some(after.default) {
            new.workspaces_rev += 1;
        }
        new.updated_at = deps.now();
        let action = if created { "workspace.created" } else { "workspace.updated" };
        let event = audit_event(
            deps,
            tenant,
            Some(&actor.user.id),
            action,
            id.as_str(),
            serde_json::json!({ "name": after.name, "default": after.default }),
        );
        // Lost: the tenant changed (its counters move with every invite): decide again.
        let committed =
            table.transact(vec![schema::replace(t.version, &new), schema::audit_write(&event)]).await.context("saving workspace")?;
        Ok(settle(committed, || (after.clone(), created)))
    })
    .await
}

/// Deletes a workspace (`roles.manage`) that no member and no pending invitation uses.
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn delete_workspace(deps: &Deps, principal: &Principal, tenant: &TenantId, raw_id: &str) -> Result<(), WorkspaceError> {
    let actor = access::member_of(deps, principal, tenant).await?;
    if !actor.can(Permission::RolesManage) {
        return Err(WorkspaceError::Forbidden);
    }
    let Ok(id) = Workspace::parse(raw_id) else { return Err(WorkspaceError::NotFound) };
    let table = deps.table.as_ref();
    crate::optimistic!(deps, "deleting workspace", WorkspaceError, {
        let t = access::load_tenant(table, tenant).await?.ok_or(WorkspaceError::NotFound)?;
        if !t.value.workspaces.iter().any(|w| w.id == id) {
            return Err(WorkspaceError::NotFound);
        }
        let mut new = t.value.clone();
        // Kept counters answer with the tenant item itself. A tenant older than them is counted
        // once, here: every member and pending invitation read, and the counters of all its
        // workspaces written with the deletion (under the tenant's version: a change meanwhile
        // makes this try lost, and the next counts again).
        let (members, invitations) = if t.value.workspace_use_exact {
            use crate::model::WorkspaceHolder::{Member, Pending};
            (t.value.workspace_use.count(Member, &id), t.value.workspace_use.count(Pending, &id))
        } else {
            let counted = count_all(deps, tenant).await?;
            let used = counted.get(&id).copied().unwrap_or((0, 0));
            new.workspace_use = crate::model::WorkspaceUse::counted(t.value.workspaces.iter().map(|w| {
                let (m, p) = counted.get(&w.id).copied().unwrap_or((0, 0));
                (w.id.clone(), m, p)
            }));
            new.workspace_use_exact = true;
            used
        };
        if members + invitations > 0 {
            return Err(WorkspaceError::InUse {
                members: members.try_into().unwrap_or(usize::MAX),
                invitations: invitations.try_into().unwrap_or(usize::MAX),
            });
        }
        new.workspace_use = new.workspace_use.without(&id);
        new.workspaces.retain(|w| w.id != id);
        new.workspaces_rev += 1;
        new.updated_at = deps.now();
        let event = audit_event(deps, tenant, Some(&actor.user.id), "workspace.deleted", id.as_str(), serde_json::json!({}));
        // Lost: the tenant changed since the scan. Every write that gives someone a workspace
        // also writes the tenant (its count, or "workspaces as read"), so a member or
        // invitation added meanwhile is found by the next scan.
        let committed =
            table.transact(vec![schema::replace(t.version, &new), schema::audit_write(&event)]).await.context("deleting workspace")?;
        Ok(settle(committed, || ()))
    })
    .await
}

/// How many members and pending invitations of the tenant have each workspace, read from every
/// member and invitation (only for a tenant whose counters predate `Tenant::workspace_use`).
async fn count_all(deps: &Deps, tenant: &TenantId) -> Result<BTreeMap<Workspace, (u32, u32)>, Unexpected> {
    let table = deps.table.as_ref();
    let query = |prefix: &str| Query {
        index: None,
        pk: schema::tenant_pk(tenant),
        range: SortKeyRange::BeginsWith(prefix.to_owned()),
        ascending: true,
        limit: 1000,
        after: None,
    };
    let mut counts: BTreeMap<Workspace, (u32, u32)> = BTreeMap::new();
    let members = read_all(table, query(schema::MEMBER_PREFIX), |item| {
        Ok(Some(schema::decode::<Member>(item).context("reading member")?.value.workspaces))
    })
    .await?;
    for ws in members.into_iter().flatten() {
        counts.entry(ws).or_default().0 += 1;
    }
    // Stored as pending, as the counters count them (the sweep closes the overdue ones).
    let invitations = read_all(table, query(schema::INVITATION_PREFIX), |item| {
        let i = schema::decode::<Invitation>(item).context("reading invitation")?;
        Ok((i.value.status() == InvitationStatus::Pending).then_some(i.value.workspaces))
    })
    .await?;
    for ws in invitations.into_iter().flatten() {
        counts.entry(ws).or_default().1 += 1;
    }
    Ok(counts)
}
