//! The scheduled sweep: expires overdue invitations (freeing their seats and addresses) and
//! queues again the emails still waiting after their time (a lost wake-up, a worker that died
//! holding a claim, a failed send whose retry is due). It reads the sparse `Due` index, never
//! scans, and never sends: the delivery worker does (`usecases::delivery`).

use super::decline::release_guard;
use super::{audit_event, delivery};
use crate::access;
use crate::context::Deps;
use crate::error::{Context, Unexpected};
use crate::model::{ExportJob, Invitation, InvitationStatus, Notice};
use crate::ports::{Committed, DeliveryJob, IndexName, Query, SortKeyRange};
use crate::retry::{Attempt, settle};
use crate::schema::{self, DUE_SHARDS, TenantCount, Versioned, decode};
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
    /// Emails queued again for the delivery worker.
    pub requeued: usize,
    /// Invitees reminded (their reminder queued for the delivery worker).
    pub reminded: usize,
    /// Directory people whose blocked invitation provisioning sent on a retry.
    pub provisioned: usize,
    /// Verified (or lapsed) domains whose TXT record was looked at again.
    pub domains_checked: usize,
    /// Of those, domains that lapsed (their record missing for the whole grace).
    pub domains_lapsed: usize,
    /// Index entries that could not be decoded: logged with their key and passed over, so one
    /// bad item never stalls the sweep.
    pub skipped: usize,
    /// True when the batch or time budget stopped the sweep early; the next run continues.
    pub more: bool,
    /// Due entries left for later runs (counted up to `BACKLOG_COUNT_LIMIT`): the backlog metric.
    pub backlog: usize,
    /// How long the oldest entry left for later runs has been due, in seconds (0: none left).
    pub oldest_due_secs: i64,
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
/// Most seconds one sweep spends before it stops and leaves the rest to the next run: well
/// inside the function's 60 s timeout, so a run never dies mid-send.
pub const TIME_BUDGET_SECS: i64 = 40;
/// The backlog is counted up to this many entries, one page per shard (it only has to show
/// that work is waiting and its trend: the index projects whole items, so every entry counted
/// is an item read; 10,000 a minute was most of a behind sweep's reads).
pub const BACKLOG_COUNT_LIMIT: usize = 400;

/// Entries read per index page.
const DUE_PAGE: usize = 100;

fn due_query(shard: u32, upper: &str) -> Query {
    Query {
        index: Some(IndexName::Due),
        pk: schema::due_pk(shard),
        range: SortKeyRange::Between(String::new(), upper.to_owned()),
        ascending: true,
        limit: DUE_PAGE,
        after: None,
    }
}

/// Runs one sweep as of the clock's now. Two overlapping runs are safe: every change is a
/// conditional write, and the worker claims each send before it sends.
#[tracing::instrument(skip_all)]
pub async fn sweep(deps: &Deps) -> Result<SweepSummary, SweepError> {
    let started = deps.now();
    let mut summary = SweepSummary { now: started.to_string(), ..SweepSummary::default() };
    // Everything due up to now: the sort key is `<due time>#<id>` and '~' sorts after '#'.
    let upper = format!("{started}~");
    let out_of_budget = |summary: &SweepSummary| summary.scanned >= BATCH || started.seconds_until(deps.now()) >= TIME_BUDGET_SECS;
    let mut jobs = Vec::new();
    // Every shard gets its share of the batch, in rounds (what one leaves unused goes to the
    // others in the next round), so entries stuck at the head of one shard never starve the rest.
    let mut shards: Vec<Option<Query>> = (0..DUE_SHARDS).map(|shard| Some(due_query(shard, &upper))).collect();
    'rounds: loop {
        let active = shards.iter().flatten().count();
        if active == 0 {
            break;
        }
        let share = (BATCH.saturating_sub(summary.scanned) / active).max(1);
        for slot in &mut shards {
            let Some(q) = slot else { continue };
            let mut taken = 0;
            while taken < share {
                q.limit = (share - taken).min(DUE_PAGE);
                let page = deps.table.query(q).await.context("reading due invitations")?;
                for item in page.items {
                    if out_of_budget(&summary) {
                        summary.more = true;
                        break 'rounds;
                    }
                    summary.scanned += 1;
                    taken += 1;
                    // Resume after this entry whatever happens to it.
                    q.after = Some(crate::ports::PageKey {
                        index_sk: item.index_key(IndexName::Due).map(|(_, sk)| sk.to_owned()),
                        key: item.key.clone(),
                    });
                    sweep_entry(deps, item, &mut summary, &mut jobs).await?;
                }
                if page.next.is_none() {
                    *slot = None;
                    break;
                }
            }
        }
    }
    delivery::enqueue(deps, jobs).await;
    if summary.more {
        (summary.backlog, summary.oldest_due_secs) = count_backlog(deps, &upper).await?;
    }
    tracing::info!(
        expired = summary.expired,
        requeued = summary.requeued,
        skipped = summary.skipped,
        backlog = summary.backlog,
        oldest_due_secs = summary.oldest_due_secs,
        "sweep done"
    );
    Ok(summary)
}

/// Handles one due index entry: an invitation, a notice or an export job.
async fn sweep_entry(
    deps: &Deps,
    item: crate::ports::Item,
    summary: &mut SweepSummary,
    jobs: &mut Vec<DeliveryJob>,
) -> Result<(), Unexpected> {
    let key = item.key.clone();
    let handled = if key.sk.starts_with(schema::DOMAIN_PREFIX) {
        decode::<crate::domains::TenantDomain>(item).map(|d| Due::Domain(d.value.tenant_id, d.value.domain))
    } else if key.sk.starts_with(schema::PERSON_PREFIX) {
        decode::<crate::directory::DirectoryPerson>(item).map(|p| Due::Person(p.value.tenant_id, p.value.id))
    } else if key.sk.starts_with(schema::NOTICE_PREFIX) {
        decode::<Notice>(item).map(|_| Due::Notice)
    } else if key.sk.starts_with(schema::EXPORT_PREFIX) {
        decode::<ExportJob>(item).map(|_| Due::Export)
    } else {
        decode::<Invitation>(item).map(|listed| Due::Invitation(Box::new(listed.value)))
    };
    match handled {
        Ok(Due::Invitation(listed)) => handle(deps, &listed, summary, jobs).await,
        Ok(Due::Notice) => requeue::<Notice>(deps, &key, summary, jobs).await,
        Ok(Due::Export) => requeue::<ExportJob>(deps, &key, summary, jobs).await,
        Ok(Due::Domain(tenant, domain)) => {
            // A verified domain's daily look at its TXT record.
            if let Some(moved) = super::domains::recheck(deps, &tenant, &domain).await? {
                summary.domains_checked += 1;
                if moved == crate::domains::Transition::Lapsed {
                    summary.domains_lapsed += 1;
                }
            }
            Ok(())
        }
        Ok(Due::Person(tenant, person)) => {
            // A directory person provisioning could not invite yet: try again.
            if super::provisioning::retry_blocked(deps, &tenant, &person).await?.is_none() {
                summary.provisioned += 1;
            }
            Ok(())
        }
        Err(e) => {
            summary.skipped += 1;
            tracing::error!(pk = %key.pk, sk = %key.sk, error = %e, "skipping an undecodable due item; fix or delete it");
            Ok(())
        }
    }
}

/// Due entries still waiting (up to `BACKLOG_COUNT_LIMIT`, one index page per shard), and how
/// long the oldest of them has been due.
async fn count_backlog(deps: &Deps, upper: &str) -> Result<(usize, i64), Unexpected> {
    let (mut n, mut oldest) = (0, 0);
    let per_shard = BACKLOG_COUNT_LIMIT / DUE_SHARDS as usize;
    for shard in 0..DUE_SHARDS {
        let mut q = due_query(shard, upper);
        q.limit = per_shard;
        let page = deps.table.query(&q).await.context("counting the sweep's backlog")?;
        n += page.items.len();
        // The index's sort key starts with the time the entry became due.
        let first_due =
            page.items.first().and_then(|i| i.index_key(IndexName::Due)).and_then(|(_, sk)| sk.split('#').next().map(str::to_owned));
        if let Some(due) = first_due.and_then(|d| crate::values::Timestamp::parse(&d).ok()) {
            oldest = oldest.max(due.seconds_until(deps.now()));
        }
    }
    Ok((n, oldest))
}

/// What a due index entry points at.
enum Due {
    Invitation(Box<Invitation>),
    Notice,
    Export,
    Person(crate::values::TenantId, crate::values::PersonId),
    Domain(crate::values::TenantId, String),
}

async fn handle(deps: &Deps, listed: &Invitation, summary: &mut SweepSummary, jobs: &mut Vec<DeliveryJob>) -> Result<(), Unexpected> {
    let table = deps.table.as_ref();
    let key = schema::invitation_key(&listed.tenant_id, &listed.id);
    enum Next {
        Nothing,
        Expired,
        Requeued(DeliveryJob),
        Reminded(DeliveryJob),
    }
    let next = crate::optimistic!(deps, "sweeping invitation", Unexpected, {
        let now = deps.now();
        // The index may lag: decide on a strongly consistent read.
        let Some(inv) = schema::load::<Invitation>(table, &key).await.context("reading invitation")? else {
            return Ok(Attempt::Done(Next::Nothing));
        };
        if inv.value.status() != InvitationStatus::Pending {
            return Ok(Attempt::Done(Next::Nothing));
        }
        if inv.value.status_at(now) == InvitationStatus::Expired {
            let committed = expire_one(deps, &inv).await?;
            return Ok(settle(committed, || Next::Expired));
        }
        // The reminder, when its time has come and no send of the current link is under way
        // (a worker holding it would record over it; the next sweep looks again).
        if inv.value.reminder_due_at().is_some_and(|at| at <= now) && !inv.value.delivery_in_flight(now) {
            let mut reminded = inv.value.clone();
            if reminded.remind(now).is_err() {
                return Ok(Attempt::Done(Next::Nothing));
            }
            let event = audit_event(deps, &inv.value.tenant_id, None, "invitation.reminded", inv.value.id.as_str(), serde_json::json!({}));
            let committed = table
                .transact(vec![schema::replace(inv.version, &reminded), schema::audit_write(&event)])
                .await
                .context("queueing a reminder")?;
            return Ok(settle(committed, || Next::Reminded(delivery::invitation_job(&reminded))));
        }
        if !inv.value.delivery_due(now) {
            return Ok(Attempt::Done(Next::Nothing));
        }
        // Pushing the next look past the grace keeps the next sweeps from queueing it again
        // while the worker gets to it.
        let mut requeued = inv.value.clone();
        if !requeued.requeue_delivery(now, deps.settings.max_delivery_attempts) {
            // Its worker died holding it once too often: given up, as after a last failed send.
            let details = serde_json::json!({"attempts": requeued.delivery().attempts, "error": requeued.delivery().last_error});
            let event = audit_event(deps, &inv.value.tenant_id, None, "invitation.delivery_failed", inv.value.id.as_str(), details);
            let committed = table
                .transact(vec![schema::replace(inv.version, &requeued), schema::audit_write(&event)])
                .await
                .context("giving up a delivery")?;
            return Ok(settle(committed, || Next::Nothing));
        }
        let committed = table.transact(vec![schema::replace(inv.version, &requeued)]).await.context("queueing delivery again")?;
        Ok(settle(committed, || Next::Requeued(delivery::invitation_job(&requeued))))
    })
    .await?;
    match next {
        Next::Nothing => {}
        Next::Expired => summary.expired += 1,
        Next::Requeued(job) => {
            summary.requeued += 1;
            jobs.push(job);
        }
        Next::Reminded(job) => {
            summary.reminded += 1;
            jobs.push(job);
        }
    }
    Ok(())
}

/// Queues again a notice or an export job whose time has come (see `delivery::Queued`).
async fn requeue<T: delivery::Queued>(
    deps: &Deps,
    key: &crate::ports::Key,
    summary: &mut SweepSummary,
    jobs: &mut Vec<DeliveryJob>,
) -> Result<(), Unexpected> {
    let table = deps.table.as_ref();
    let job = crate::optimistic!(deps, "queueing work again", Unexpected, {
        let now = deps.now();
        let Some(item) = schema::load::<T>(table, key).await.context("reading queued work")? else {
            return Ok(Attempt::Done(None));
        };
        if !item.value.work().due(now) {
            return Ok(Attempt::Done(None));
        }
        let mut requeued = item.value.clone();
        let queued = requeued.work_mut().requeue(now, T::max_attempts(deps));
        if !queued {
            tracing::warn!(pk = %key.pk, sk = %key.sk, "queued work given up: its worker stopped before it finished every time");
        }
        let committed = table.transact(vec![schema::replace(item.version, &requeued)]).await.context("queueing work again")?;
        Ok(settle(committed, || queued.then(|| requeued.job())))
    })
    .await?;
    if let Some(job) = job {
        summary.requeued += 1;
        jobs.push(job);
    }
    Ok(())
}

async fn expire_one(deps: &Deps, inv: &Versioned<Invitation>) -> Result<Committed, Unexpected> {
    let table = deps.table.as_ref();
    let now = deps.now();
    let mut expired = inv.value.clone();
    if expired.expire(now).is_err() {
        return Ok(Committed::Yes);
    }
    let event = audit_event(deps, &inv.value.tenant_id, None, "invitation.expired", inv.value.id.as_str(), serde_json::json!({}));
    let mut writes = vec![schema::replace(inv.version, &expired), schema::audit_write(&event)];
    // A tenant that is gone has no counters to free; the invitation still leaves the index.
    if access::load_tenant(table, &inv.value.tenant_id).await?.is_some() {
        writes.push(schema::counting_workspaces(
            schema::tenant_counts(&inv.value.tenant_id, TenantCount::ReleasePending),
            &[(crate::model::WorkspaceHolder::Pending, &inv.value.workspaces, -1)],
        ));
    } else {
        tracing::warn!(invitation = %inv.value.id, "expiring an invitation whose tenant is gone");
    }
    writes.extend(release_guard(deps, &inv.value).await?);
    table.transact(writes).await.context("expiring invitation")
}
