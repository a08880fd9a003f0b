//! The scheduled sweep: expires overdue invitations (freeing their seats and addresses) and
//! retries failed or unconfirmed email deliveries. It reads the sparse `Due` index, never scans.

use super::decline::release_guard;
use super::{audit_event, deliver, token_write};
use crate::access;
use crate::context::Deps;
use crate::error::{Context, ErrorCode, MAX_WRITE_ATTEMPTS, Unexpected};
use crate::model::{DeliveryStatus, Invitation, InvitationStatus};
use crate::ports::{Committed, IndexName, Query, SortKeyRange};
use crate::schema::{self, DUE_SHARDS, Versioned, decode};
use serde::Serialize;

/// What one sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SweepSummary {
    /// When it swept "as of".
    pub now: String,
    /// Index entries read.
    pub scanned: usize,
    /// Invitations marked expired.
    pub expired: usize,
    /// Deliveries retried and accepted by the mail service.
    pub delivered: usize,
    /// Deliveries retried and failed again.
    pub delivery_failures: usize,
    /// True when the batch limit stopped the sweep early; the next run continues.
    pub more: bool,
}

/// What the sweep can fail with.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// Something broke.
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

crate::error_codes!(SweepError { SweepError::Unexpected(u) => u.code() });

/// Most invitations one sweep handles (the schedule runs again a minute later).
pub const BATCH: usize = 500;

/// Runs one sweep as of the clock's now.
#[tracing::instrument(skip_all)]
pub async fn sweep(deps: &Deps) -> Result<SweepSummary, SweepError> {
    let now = deps.now();
    let mut summary = SweepSummary { now: now.to_string(), ..SweepSummary::default() };
    // Everything due up to now: the sort key is `<due time>#<id>` and '~' sorts after '#'.
    let upper = format!("{now}~");
    for shard in 0..DUE_SHARDS {
        let query = Query {
            index: Some(IndexName::Due),
            pk: schema::due_pk(shard),
            range: SortKeyRange::Between(String::new(), upper.clone()),
            ascending: true,
            limit: 100,
            after: None,
        };
        let mut q = query;
        loop {
            let page = deps.table.query(&q).await.context("reading due invitations")?;
            for item in page.items {
                if summary.scanned >= BATCH {
                    summary.more = true;
                    return Ok(summary);
                }
                summary.scanned += 1;
                let listed = decode::<Invitation>(item).map_err(|source| Unexpected { context: "decoding due invitation", source })?;
                handle(deps, &listed.value, &mut summary).await?;
            }
            match page.next {
                Some(next) => q.after = Some(next),
                None => break,
            }
        }
    }
    tracing::info!(expired = summary.expired, delivered = summary.delivered, failures = summary.delivery_failures, "sweep done");
    Ok(summary)
}

async fn handle(deps: &Deps, listed: &Invitation, summary: &mut SweepSummary) -> Result<(), Unexpected> {
    let table = deps.table.as_ref();
    let key = schema::invitation_key(&listed.tenant_id, &listed.id);
    for _ in 0..MAX_WRITE_ATTEMPTS {
        let now = deps.now();
        // The index may lag: decide on a strongly consistent read.
        let Some(inv) = schema::load::<Invitation>(table, &key).await.context("reading invitation")? else { return Ok(()) };
        if inv.value.status != InvitationStatus::Pending {
            return Ok(());
        }
        if inv.value.status_at(now) == InvitationStatus::Expired {
            match expire_one(deps, &inv).await? {
                Committed::Yes => {
                    summary.expired += 1;
                    return Ok(());
                }
                Committed::ConditionFailed { .. } => continue,
            }
        }
        let retry_due = inv.value.delivery.status != DeliveryStatus::Sent && inv.value.delivery.next_attempt_at.is_some_and(|t| t <= now);
        if !retry_due {
            return Ok(());
        }
        // The token was never kept, so a retry sends a fresh link (the old one never arrived,
        // or arrived and now reads as "replaced").
        let token = deps.new_token();
        let mut rotated = inv.value.clone();
        rotated.token_hash = token.hash();
        rotated.updated_at = now;
        match table.transact(vec![schema::replace(inv.version, &rotated), token_write(&rotated)]).await.context("rotating link")? {
            Committed::Yes => {}
            Committed::ConditionFailed { .. } => continue,
        }
        let tenant_name = access::load_tenant(table, &rotated.tenant_id).await?.map(|t| t.value.name).unwrap_or_default();
        let after = deliver(deps, &tenant_name, &rotated, &token).await?;
        if after.delivery.status == DeliveryStatus::Sent {
            summary.delivered += 1;
        } else {
            summary.delivery_failures += 1;
        }
        return Ok(());
    }
    Err(crate::error::too_much_contention("sweeping invitation"))
}

async fn expire_one(deps: &Deps, inv: &Versioned<Invitation>) -> Result<Committed, Unexpected> {
    let table = deps.table.as_ref();
    let now = deps.now();
    let mut expired = inv.value.clone();
    if expired.expire(now).is_err() {
        return Ok(Committed::Yes);
    }
    let Some(t) = access::load_tenant(table, &inv.value.tenant_id).await? else { return Ok(Committed::Yes) };
    let mut new_tenant = t.value.clone();
    new_tenant.pending = new_tenant.pending.saturating_sub(1);
    new_tenant.updated_at = now;
    let event = audit_event(deps, &inv.value.tenant_id, None, "invitation.expired", inv.value.id.as_str(), serde_json::json!({}));
    let mut writes = vec![schema::replace(inv.version, &expired), schema::replace(t.version, &new_tenant), schema::audit_write(&event)];
    writes.extend(release_guard(deps, &inv.value).await?);
    table.transact(writes).await.context("expiring invitation")
}
