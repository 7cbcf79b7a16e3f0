//! An administrator's decision on a pending request (docs/rules.md §9, step 4): under the handler's
//! lock, re-read the row (found by account and key: no Slack call comes between this read and
//! the write), let [`rules::request_for_decision`] say whether it still applies, write end
//! date, `延長申請` and `延長履歴` in one update into the row found, then update every copy
//! of the approval request and tell the owner.

use chrono::{DateTime, Utc};

use super::blocks::{self, ApprovalInfo};
use super::handler::{HttpAnswer, Interactions};
use super::payload::Decision;
use super::slack_api::InteractiveSlack;
use crate::adapters::SheetStore;
use crate::core::extension::record::{Outcome, append_history, history_line};
use crate::core::extension::rules;
use crate::core::log::ExtensionEvent;
use crate::core::sheet::Owner;
use crate::core::words::answers::Trouble;
use crate::core::words::dms;

impl<S: SheetStore + Sync + Send, K: InteractiveSlack> Interactions<S, K> {
    pub(super) async fn decision(&self, d: Decision, now: DateTime<Utc>) -> HttpAnswer {
        let url = d.response_url.as_deref();
        // Refused before anything is read: no self-approval, administrators only (the row's
        // owner is refused once the row is read).
        if let Err(refusal) = rules::may_decide(&d.user, &d.target.requester, &self.settings.admins)
        {
            self.tell(&d.user, url, &refusal.to_string()).await;
            return HttpAnswer::ack();
        }
        let outcome = if d.approve {
            Outcome::Approved
        } else {
            Outcome::Rejected
        };
        let serial = self.lock.lock().await;
        let snapshot = match self.read().await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "decision: sheet unreadable");
                let text = Trouble::DecisionSheetUnreadable.to_string();
                self.tell(&d.user, url, &text).await;
                return HttpAnswer::ack();
            }
        };
        let lookup = snapshot.lookup(&d.target.row);
        let (row, pending) = match rules::request_for_decision(
            &lookup,
            &d.target,
            &d.user,
            |row| snapshot.owner(row),
            &self.settings.admins,
            outcome,
        ) {
            Ok(found) => found,
            Err(refusal) => {
                drop(serial);
                tracing::info!(%refusal, user = %d.user, "decision refused; nothing changed");
                self.tell(&d.user, url, &refusal.to_string()).await;
                return HttpAnswer::ack();
            }
        };
        let today = self.settings.today(now);
        let line = history_line(today, outcome, pending, &d.user);
        let new_end = (outcome == Outcome::Approved).then_some(pending.requested_end);
        let writes =
            snapshot.decision_writes(row.row, new_end, &append_history(&row.history, &line));
        if let Err(e) = self.sheets.write_values(&writes).await {
            tracing::warn!(error = %e, row = row.row, "decision not written");
            let text = Trouble::DecisionNotWritten {
                what: outcome.word(),
                error: &e.to_string(),
            }
            .to_string();
            self.tell(&d.user, url, &text).await;
            return HttpAnswer::ack();
        }
        drop(serial);
        tracing::info!(row = row.row, outcome = outcome.word(), by = %d.user, "extension request decided");

        let (account, key_id) = snapshot.account_and_key(row.row);
        let info = ApprovalInfo {
            row: row.row,
            account,
            key_id,
            owner_name: row.owner_name.clone(),
            current_end: pending.current_end,
            requested_end: pending.requested_end,
            reason: pending.reason.clone(),
            requester: pending.requester.clone(),
        };
        let event = match outcome {
            Outcome::Approved => ExtensionEvent::Approve,
            Outcome::Rejected => ExtensionEvent::Reject,
        };
        self.log_decision(event, &info, line.clone(), now).await;
        let content = blocks::decided(&info, outcome, &d.user);
        self.update_copies(&pending.copies, d.message.as_ref(), content)
            .await;
        let owner = match snapshot.owner(row) {
            Owner::Found(owner) => owner,
            _ => pending.requester.clone(),
        };
        let text = match outcome {
            Outcome::Approved => {
                dms::extension_approved(row.row, &info.account, pending.requested_end, &d.user)
            }
            Outcome::Rejected => dms::extension_rejected(row.row, &info.account, row.end, &d.user),
        };
        if let Err(e) = self
            .slack
            .post(owner.as_str(), blocks::message(&text))
            .await
        {
            tracing::warn!(error = %e, to = %owner, "decision not sent to the owner");
        }
        HttpAnswer::ack()
    }
}
