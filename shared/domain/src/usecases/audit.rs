//! A tenant's audit log, newest first.

use crate::access::{self};
use crate::context::{Deps, Principal};
use crate::error::Unexpected;
use crate::model::AuditEvent;
use crate::paging::{self, Cursor};
use crate::ports::{Query, SortKeyRange};
use crate::roles::Permission;
use crate::schema::{self, decode};
use crate::values::TenantId;
use crate::views::Paged;

pub use super::list::{ListError as AuditError, ListParams};

/// The audit events of a tenant, newest first (`audit.read`: owners and admins).
pub async fn list_audit(
    deps: &Deps,
    principal: &Principal,
    tenant: &TenantId,
    params: &ListParams,
) -> Result<Paged<AuditEvent>, AuditError> {
    let actor = access::member_of(deps, principal, tenant).await?;
    if !actor.can(Permission::AuditRead) {
        return Err(AuditError::Forbidden);
    }
    let limit = paging::parse_limit(params.limit.as_deref()).map_err(|e| AuditError::Invalid(vec![e]))?;
    let cursor = params.cursor.as_deref().map(|c| Cursor::parse(c, "")).transpose().map_err(|e| AuditError::Invalid(vec![e]))?;
    let query = Query { index: None, pk: schema::audit_pk(tenant), range: SortKeyRange::All, ascending: false, limit, after: None };
    // Signed with the deployment's key like every other listing's cursor; the audit log has no filters.
    let (data, next_cursor) =
        paging::collect_in(deps.table.as_ref(), &deps.settings.cursor_key, "", query, cursor.as_ref(), limit, |item| {
            Ok(Some(decode::<AuditEvent>(item).map_err(|source| Unexpected { context: "decoding audit event", source })?.value))
        })
        .await?;
    Ok(Paged { data, next_cursor })
}
