//! The mail service reports a bounce or a complaint about an invitation email it accepted
//! (SES → the `feedback` function): the invitation's delivery shows `bounced` or `complained`
//! in the list and the console, and an audit event (published to the host application) says so.

use super::audit_event;
use crate::context::Deps;
use crate::error::{Context, Unexpected};
use crate::model::{Invitation, MailFeedback};
use crate::ports::{Committed, Key};
use crate::retry::{Attempt, settle};
use crate::schema;
use crate::values::{InvitationId, TenantId};

/// One report, as the mail service's notification names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailReport {
    /// The mail service's id of the message (one report per message and kind is recorded).
    pub message_id: String,
    /// The tenant, from the message's tags.
    pub tenant: TenantId,
    /// The invitation whose link the message carried, from its tags.
    pub invitation: InvitationId,
    /// The send the message was (`Delivery::send_id`), from its tags; absent on emails sent
    /// before send ids existed.
    pub send: Option<String>,
    /// Bounce or complaint.
    pub feedback: MailFeedback,
    /// What the mail service says (bounce type and subtype, complaint type): no address.
    pub detail: String,
}

/// What recording a report did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// The delivery now shows it, and the audit event is written.
    Marked,
    /// The audit event is written; the delivery is left alone (a newer email is on its way).
    Noted,
    /// This report was recorded before (the mail service delivers reports at least once).
    Duplicate,
    /// The invitation is gone.
    Unknown,
}

/// How long the marker that makes a report count once is kept.
const REPORT_MARKER_SECS: i64 = 14 * 86_400;

/// Records one report. A repeated notification for the same message and kind records nothing.
pub async fn record(deps: &Deps, report: &MailReport) -> Result<Recorded, Unexpected> {
    let key = schema::invitation_key(&report.tenant, &report.invitation);
    let marker = Key::new(format!("FB#{}", report.message_id), report.feedback.as_str());
    crate::optimistic!(deps, "recording a mail report", Unexpected, {
        let Some(current) = schema::load::<Invitation>(deps.table.as_ref(), &key).await.context("reading invitation")? else {
            return Ok(Attempt::Done(Recorded::Unknown));
        };
        let now = deps.now();
        let mut inv = current.value.clone();
        let marked = inv.delivery_feedback(report.feedback, &report.detail, report.send.as_deref(), now);
        let action = format!("invitation.{}", report.feedback.as_str());
        let details = serde_json::json!({"detail": report.detail, "delivery_updated": marked});
        let event = audit_event(deps, &inv.tenant_id, None, &action, inv.id.as_str(), details);
        let mut writes = vec![
            schema::create_expiring_at(marker.clone(), &serde_json::json!({"at": now}), now.plus_seconds(REPORT_MARKER_SECS)),
            schema::audit_write(&event),
        ];
        // The invitation is written (or held at its version) either way, so the event carries it.
        writes.push(if marked { schema::replace(current.version, &inv) } else { schema::replace(current.version, &current.value) });
        let committed = deps.table.transact(writes).await.context("recording a mail report")?;
        if let Committed::ConditionFailed { at: 0 } = committed {
            return Ok(Attempt::Done(Recorded::Duplicate));
        }
        Ok(settle(committed, || if marked { Recorded::Marked } else { Recorded::Noted }))
    })
    .await
}
