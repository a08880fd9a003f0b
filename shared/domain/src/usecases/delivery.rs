//! THE DELIVERY QUEUE: every email Usher sends goes through here.
//!
//! 1. A write that needs an email queues it in the same transaction: an invitation's delivery
//!    becomes `pending` (invite, bulk row, resend), or a `Notice` item is created (renewal request).
//! 2. After the commit the caller wakes the worker (`enqueue`: SQS on AWS, a background task in
//!    `usher serve`). A lost wake-up loses nothing: the item stays due in the sweep's index and
//!    the sweep queues it again after `QUEUED_GRACE_SECS`.
//! 3. The worker (`process`) reads the item and claims the send with a conditional write before
//!    sending, so a duplicate wake-up, an overlapping worker or a re-queue sends nothing twice;
//!    then it records `sent`, or `failed` with the next retry (the sweep queues it again then).
//!
//! Guarantees: at least one send per queued email while attempts remain; never two sends of one
//! claim (a worker that dies between its send and its record is the one case where the claim
//! lapses and the email goes again, with a new link that replaces the first).

use super::{invitation_email, token_write};
use crate::access;
use crate::context::Deps;
use crate::email::{self, Template};
use crate::error::{Context, Unexpected};
use crate::model::{Delivery, DeliveryStatus, Invitation, Member, Notice, NoticeKind};
use crate::ports::{DeliveryJob, Write};
use crate::retry::{Attempt, settle};
use crate::schema::{self, Versioned};
use crate::token::InvitationToken;
use crate::values::{Email, Locale, TenantId};
use std::time::Duration;

/// Wakes the worker for jobs whose items are already committed. Never fails the caller: if the
/// queue is unreachable the items stay pending and the sweep queues them again.
pub async fn enqueue(deps: &Deps, jobs: Vec<DeliveryJob>) {
    if jobs.is_empty() {
        return;
    }
    if let Err(e) = deps.queue.enqueue(&jobs).await {
        tracing::warn!(jobs = jobs.len(), error = %e, "could not queue deliveries; the sweep will queue them again");
    }
}

/// Every email queued but held by no worker, read from the sweep's index: what a process that
/// starts after a crash (or a stop) wakes its worker for at once. Such an item is due
/// `QUEUED_GRACE_SECS` after it was queued, so the sweep alone would leave it waiting that long.
/// Sends claimed by a worker that died are left to the claim's lapse (another worker may still
/// hold them). Reads at most `limit` index entries.
pub async fn unclaimed_jobs(deps: &Deps, limit: usize) -> Result<Vec<DeliveryJob>, Unexpected> {
    use crate::ports::{IndexName, Query, SortKeyRange};
    let now = deps.now();
    // Everything due before the grace ends: every queued email sits in that range.
    let upper = format!("{}~", now.plus_seconds(crate::model::QUEUED_GRACE_SECS));
    let (mut jobs, mut read) = (Vec::new(), 0);
    for shard in 0..schema::DUE_SHARDS {
        let mut q = Query {
            index: Some(IndexName::Due),
            pk: schema::due_pk(shard),
            range: SortKeyRange::Between(String::new(), upper.clone()),
            ascending: true,
            limit: 100,
            after: None,
        };
        while read < limit {
            let page = deps.table.query(&q).await.context("reading queued emails")?;
            read += page.items.len();
            for item in page.items {
                let sk = item.key.sk.clone();
                let job = if sk.starts_with(schema::NOTICE_PREFIX) {
                    schema::decode::<Notice>(item).ok().filter(|n| n.value.work().claimable(now)).map(|n| n.value.job())
                } else if sk.starts_with(schema::EXPORT_PREFIX) {
                    schema::decode::<crate::model::ExportJob>(item).ok().filter(|x| x.value.work().claimable(now)).map(|x| x.value.job())
                } else {
                    schema::decode::<Invitation>(item).ok().filter(|i| i.value.delivery_claimable(now)).map(|i| invitation_job(&i.value))
                };
                jobs.extend(job);
            }
            match page.next {
                Some(next) => q.after = Some(next),
                None => break,
            }
        }
    }
    Ok(jobs)
}

/// The job that sends an invitation's current link.
pub fn invitation_job(inv: &Invitation) -> DeliveryJob {
    DeliveryJob::Invitation { tenant_id: inv.tenant_id.clone(), invitation_id: inv.id.clone() }
}

/// The job that writes an export file.
pub fn export_job(job: &crate::model::ExportJob) -> DeliveryJob {
    DeliveryJob::Export { tenant_id: job.tenant_id.clone(), export_id: job.id.clone() }
}

/// The job that sends a notice.
pub fn notice_job(notice: &Notice) -> DeliveryJob {
    DeliveryJob::Notice { tenant_id: notice.tenant_id.clone(), notice_id: notice.id.clone() }
}

/// A record that carries its own queued work (a notice, an export job): the sweep queues it
/// again through this, as it does an invitation's delivery.
pub trait Queued: schema::Record + Clone {
    /// Its work state.
    fn work(&self) -> &Delivery;
    /// Its work state, to change.
    fn work_mut(&mut self) -> &mut Delivery;
    /// The wake-up that names it.
    fn job(&self) -> DeliveryJob;
    /// Attempts (lapsed claims included) before it is given up.
    fn max_attempts(deps: &Deps) -> u32;
}

impl Queued for Notice {
    fn work(&self) -> &Delivery {
        &self.delivery
    }
    fn work_mut(&mut self) -> &mut Delivery {
        &mut self.delivery
    }
    fn job(&self) -> DeliveryJob {
        notice_job(self)
    }
    fn max_attempts(deps: &Deps) -> u32 {
        deps.settings.max_delivery_attempts
    }
}

impl Queued for crate::model::ExportJob {
    fn work(&self) -> &Delivery {
        &self.work
    }
    fn work_mut(&mut self) -> &mut Delivery {
        &mut self.work
    }
    fn job(&self) -> DeliveryJob {
        export_job(self)
    }
    fn max_attempts(_: &Deps) -> u32 {
        super::export::EXPORT_ATTEMPTS
    }
}

/// A new queued notice (write it with `schema::create` in the transaction that needs it).
pub fn new_notice(deps: &Deps, tenant: &TenantId, to: &Email, kind: NoticeKind, locale: Locale, vars: &[(&str, &str)]) -> Notice {
    let now = deps.now();
    Notice {
        id: deps.new_uuid().simple().to_string(),
        tenant_id: tenant.clone(),
        to: to.clone(),
        kind,
        locale,
        vars: vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        delivery: Delivery::new_pending(now),
        created_at: now,
        email_change: None,
    }
}

/// What the worker did with one job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Processed {
    /// The mail service accepted the email.
    Sent,
    /// The mail service refused or was unreachable: recorded `failed`, retried by the sweep.
    Failed,
    /// Nothing to send: already sent, claimed by another worker, closed, or gone.
    Skipped,
}

/// Handles one job: claim, send, record. An `Err` means the outcome could not be read or
/// recorded (the store is down): the queue should offer the job again later.
#[tracing::instrument(skip_all)]
pub async fn process(deps: &Deps, job: &DeliveryJob) -> Result<Processed, Unexpected> {
    match job {
        DeliveryJob::Invitation { tenant_id, invitation_id } => {
            let key = schema::invitation_key(tenant_id, invitation_id);
            let claimed = crate::optimistic!(deps, "claiming an invitation email", Unexpected, {
                let now = deps.now();
                let Some(inv) = schema::load::<Invitation>(deps.table.as_ref(), &key).await.context("reading invitation")? else {
                    return Ok(Attempt::Done(None));
                };
                if !inv.value.delivery_claimable(now) {
                    return Ok(Attempt::Done(None));
                }
                let token = deps.new_token();
                let mut claimed = inv.value.clone();
                claimed.claim_delivery(token.hash(), deps.new_uuid().simple().to_string(), now);
                let committed = deps
                    .table
                    .transact(vec![schema::replace(inv.version, &claimed), token_write(&claimed)])
                    .await
                    .context("claiming delivery")?;
                Ok(settle(committed, || Some((Versioned { value: claimed, version: inv.version + 1 }, token))))
            })
            .await?;
            let Some((claimed, token)) = claimed else { return Ok(Processed::Skipped) };
            let tenant_name = access::load_tenant(deps.table.as_ref(), tenant_id).await?.map(|t| t.value.name).unwrap_or_default();
            let after = send_claimed_link(deps, &tenant_name, &claimed, &token).await?;
            Ok(if after.delivery().status == DeliveryStatus::Sent { Processed::Sent } else { Processed::Failed })
        }
        DeliveryJob::Notice { tenant_id, notice_id } => process_notice(deps, &schema::notice_key(tenant_id, notice_id)).await,
        DeliveryJob::Export { tenant_id, export_id } => super::export::run_job(deps, tenant_id, export_id).await,
    }
}

/// Sends a claimed link and records how that went (on the version the claim wrote; a lost race
/// re-reads, and a link rotated meanwhile by a resend is left to that resend's delivery).
async fn send_claimed_link(
    deps: &Deps,
    tenant_name: &str,
    saved: &Versioned<Invitation>,
    token: &InvitationToken,
) -> Result<Invitation, Unexpected> {
    let message = invitation_email(deps, tenant_name, &saved.value, token);
    let result = deps.mailer.send(&message).await;
    match &result {
        Ok(()) => {
            tracing::info!(invitation = %saved.value.id, domain = saved.value.email.domain(), "invitation email handed to the mail service")
        }
        Err(e) => tracing::warn!(invitation = %saved.value.id, error = %e, "invitation email failed; the sweep will retry"),
    }
    let key = schema::invitation_key(&saved.value.tenant_id, &saved.value.id);
    let mut known = Some(saved.version);
    crate::optimistic!(deps, "recording delivery", Unexpected, {
        let current = match known.take() {
            Some(version) => Versioned { value: saved.value.clone(), version },
            None => match schema::load::<Invitation>(deps.table.as_ref(), &key).await.context("re-reading invitation")? {
                Some(current) => current,
                None => return Ok(Attempt::Done(saved.value.clone())),
            },
        };
        if current.value.token_hash() != saved.value.token_hash() {
            return Ok(Attempt::Done(current.value));
        }
        let mut inv = current.value.clone();
        let mut writes = Vec::with_capacity(2);
        match &result {
            Ok(()) => inv.delivery_sent(deps.now()),
            Err(e) => {
                inv.delivery_failed(&e.0, deps.now(), deps.settings.max_delivery_attempts);
                if inv.delivery().gave_up() {
                    // The last try failed: the admins (and the host application) hear of it.
                    let details = serde_json::json!({"attempts": inv.delivery().attempts, "error": inv.delivery().last_error});
                    let event = super::audit_event(deps, &inv.tenant_id, None, "invitation.delivery_failed", inv.id.as_str(), details);
                    writes.push(schema::audit_write(&event));
                }
            }
        }
        writes.insert(0, schema::replace(current.version, &inv));
        let committed = deps.table.transact(writes).await.context("recording delivery")?;
        Ok(settle(committed, || inv))
    })
    .await
}

async fn process_notice(deps: &Deps, key: &crate::ports::Key) -> Result<Processed, Unexpected> {
    let table = deps.table.as_ref();
    let claimed = crate::optimistic!(deps, "claiming a notice", Unexpected, {
        let now = deps.now();
        let Some(notice) = schema::load::<Notice>(table, key).await.context("reading notice")? else {
            return Ok(Attempt::Done(None));
        };
        if !notice.value.delivery.claimable(now) {
            return Ok(Attempt::Done(None));
        }
        let mut claimed = notice.value.clone();
        claimed.delivery.claim(now);
        let mut writes = vec![schema::replace(notice.version, &claimed)];
        // A confirmation link is minted now, like an invitation's: only the sender knows it.
        let mut link = None;
        if let Some(change) = &notice.value.email_change {
            let member_key = schema::member_key(&notice.value.tenant_id, &change.user_id);
            let member = schema::load::<Member>(table, &member_key).await.context("reading member")?;
            let current =
                member.filter(|m| m.value.pending_email.as_ref().is_some_and(|p| p.change_id == change.change_id && p.expires_at > now));
            let Some(member) = current else {
                // Replaced by a newer request, confirmed, expired, or the member left: nothing to send.
                let gone = Write::Delete { key: key.clone(), cond: crate::ports::Cond::Version(notice.version) };
                table.transact(vec![gone]).await.context("dropping an obsolete notice")?;
                return Ok(Attempt::Done(None));
            };
            let token = deps.new_token();
            let mut updated = member.value.clone();
            let Some(pending) = updated.pending_email.as_mut() else { return Ok(Attempt::Done(None)) };
            pending.token_hash = Some(token.hash());
            let pointer = schema::EmailChangePointer {
                tenant_id: updated.tenant_id.clone(),
                user_id: updated.user_id.clone(),
                change_id: change.change_id.clone(),
            };
            writes.push(schema::create_expiring_at(schema::email_change_token_key(&token.hash()), &pointer, pending.expires_at));
            writes.push(schema::replace(member.version, &updated));
            link = Some(token);
        }
        let committed = table.transact(writes).await.context("claiming notice")?;
        Ok(settle(committed, || Some((Versioned { value: claimed, version: notice.version + 1 }, link))))
    })
    .await?;
    let Some((claimed, link)) = claimed else { return Ok(Processed::Skipped) };
    let notice = &claimed.value;
    let template = match notice.kind {
        NoticeKind::RenewalRequest => Template::RenewalRequest,
        NoticeKind::EmailChangeRequested => Template::EmailChangeRequested,
        NoticeKind::EmailChangeConfirm => Template::EmailChangeConfirm,
    };
    let link = link.map(|token| deps.email_change_link(&token));
    let mut vars: Vec<(&str, Option<&str>)> = notice.vars.iter().map(|(k, v)| (k.as_str(), Some(v.as_str()))).collect();
    vars.extend(link.as_deref().map(|l| ("link", Some(l))));
    let result = deps.mailer.send(&email::render(template, notice.locale, &notice.to, &vars)).await;
    // Only the claimer writes a claimed notice until its claim lapses: its version still holds.
    let (write, outcome) = match &result {
        Ok(()) => {
            tracing::info!(notice = %notice.id, kind = ?notice.kind, domain = notice.to.domain(), "notice email handed to the mail service");
            (Write::Delete { key: key.clone(), cond: crate::ports::Cond::Version(claimed.version) }, Processed::Sent)
        }
        Err(e) => {
            tracing::warn!(notice = %notice.id, kind = ?notice.kind, error = %e, "notice email failed; the sweep will retry");
            let mut failed = notice.clone();
            failed.delivery.failed(&e.0, deps.now(), deps.settings.max_delivery_attempts);
            (schema::replace(claimed.version, &failed), Processed::Failed)
        }
    };
    if table.transact(vec![write]).await.context("recording notice delivery")? != crate::ports::Committed::Yes {
        tracing::warn!(notice = %notice.id, "a notice changed under its claim; left to the sweep");
    }
    Ok(outcome)
}

/// Spaces sends so one worker stays under `per_second` (the mail service's rate, divided among
/// the workers). Only real sends take a slot: skipped duplicates cost nothing.
#[derive(Debug)]
pub struct Pace {
    interval: Duration,
    next: Option<std::time::Instant>,
}

impl Pace {
    /// At most `per_second` sends per second (0: unpaced).
    pub fn per_second(per_second: u32) -> Self {
        let interval = if per_second == 0 { Duration::ZERO } else { Duration::from_secs(1) / per_second };
        Self { interval, next: None }
    }

    /// Processes one job in its turn. Turns keep to a schedule `interval` apart, so neither the
    /// time a send takes nor the timer's lateness accumulates; after an idle spell the schedule
    /// restarts (no burst to catch up).
    pub async fn process(&mut self, deps: &Deps, job: &DeliveryJob) -> Result<Processed, Unexpected> {
        if let Some(next) = self.next {
            let wait = next.saturating_duration_since(std::time::Instant::now());
            if !wait.is_zero() {
                deps.clock.sleep(wait).await;
            }
        }
        let started = std::time::Instant::now();
        let outcome = process(deps, job).await;
        if !matches!(outcome, Ok(Processed::Skipped)) {
            let base = match self.next {
                Some(scheduled) if scheduled + self.interval > started => scheduled,
                _ => started,
            };
            self.next = Some(base + self.interval);
        }
        outcome
    }
}
