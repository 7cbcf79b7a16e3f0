//! An administrator's decision on a key request (docs/rules.md §12 step 2): under the
//! handler's lock, read the sheet fresh, let [`decision::rule`] find the row by the request
//! ID and say whether the click counts, write `発行申請` (and `却下` into the status) in one
//! update into the row found, then log the decision, update every copy of the approval
//! request and tell the owner. Nothing here touches IAM: the run issues an approved request.

use chrono::{DateTime, Utc};

use super::handler::{HttpAnswer, Interactions};
use super::issue_blocks::{self, IssueInfo};
use super::payload::IssueClick;
use super::slack_api::InteractiveSlack;
use crate::adapters::SheetStore;
use crate::app::log_sheet;
use crate::core::issue::Context;
use crate::core::issue::decision::{self, Click, DecisionRefusal};
use crate::core::log::LogLine;
use crate::core::outcome::Outcome;
use crate::core::words::Lang;
use crate::core::words::answers::Trouble;

impl<S: SheetStore + Sync + Send, K: InteractiveSlack> Interactions<S, K> {
    pub(super) async fn issue_decision(&self, c: IssueClick, now: DateTime<Utc>) -> HttpAnswer {
        let url = c.response_url.as_deref();
        let Some(issuance) = &self.issuance else {
            return self.refuse_issue(&c, DecisionRefusal::IssuanceOff).await;
        };
        // Refused before anything is read: administrators only.
        if let Err(refusal) = decision::may_decide(&c.user, &self.settings.admins) {
            return self.refuse_issue(&c, refusal).await;
        }
        // Before the lock: asking AWS may take a moment, and no write depends on its timing.
        let accounts = match issuance.accounts.accounts().await {
            Ok(accounts) => accounts,
            Err(e) => {
                tracing::warn!(error = %e, "key request decision: AWS accounts unknown");
                let text = Trouble::AccountsUnknown.to_string();
                self.tell(&c.user, url, &text).await;
                return HttpAnswer::ack();
            }
        };
        let serial = self.lock.lock().await;
        // The read right before the write: the row is found in it by the request ID.
        let snapshot = match self.read().await {
            Ok(s) => s,
            Err(e) => {
                drop(serial);
                tracing::warn!(error = %e, "key request decision: sheet unreadable");
                let text = Trouble::DecisionSheetUnreadable.to_string();
                self.tell(&c.user, url, &text).await;
                return HttpAnswer::ack();
            }
        };
        let ctx = Context {
            today: self.settings.today(now),
            settings: &issuance.settings,
            accounts: &accounts,
            directory: snapshot.directory(),
            protected: &issuance.protected,
        };
        let click = Click {
            id: &c.id,
            by: &c.user,
            approve: c.approve,
        };
        let ruling = match decision::rule(snapshot.table(), &ctx, &self.settings.admins, click) {
            Ok(ruling) => ruling,
            Err(refusal) => {
                drop(serial);
                return self.refuse_issue(&c, refusal).await;
            }
        };
        let writes = snapshot.issue_writes(ruling.row.row, &ruling.record.to_cell(), ruling.status);
        if let Err(e) = self.sheets.write_values(&writes).await {
            drop(serial);
            tracing::warn!(error = %e, row = ruling.row.row, "key request decision not written");
            let text = Trouble::DecisionNotWritten {
                what: "処理",
                error: &e.to_string(),
            }
            .to_string();
            self.tell(&c.user, url, &text).await;
            return HttpAnswer::ack();
        }
        drop(serial);
        let event = &ruling.event;
        tracing::info!(row = ruling.row.row, action = event.kind().label(), decision = %event.words(Lang::En),
            "key request decided");

        let info = IssueInfo::of(ruling.row, &ruling.request);
        self.log_issue_decision(&info, event.log_action(), event.words(Lang::Ja), now)
            .await;
        let content = issue_blocks::decided(&info, event.approve, &c.user);
        self.update_copies(ruling.copies(), c.message.as_ref(), content)
            .await;
        let text = issue_blocks::owner_text(&info, event.approve, &c.user);
        if let Err(e) = self
            .slack
            .post(info.owner.as_str(), super::blocks::message(&text))
            .await
        {
            tracing::warn!(error = %e, to = %info.owner, "decision not sent to the owner");
        }
        HttpAnswer::ack()
    }

    async fn refuse_issue(&self, c: &IssueClick, refusal: DecisionRefusal) -> HttpAnswer {
        tracing::info!(%refusal, user = %c.user, id = %c.id, "key request click refused; nothing changed");
        self.tell(&c.user, c.response_url.as_deref(), &refusal.to_string())
            .await;
        HttpAnswer::ack()
    }

    /// One log-sheet line (docs/rules.md §11); a failed append changes nothing else: the
    /// decision is in the row already.
    async fn log_issue_decision(
        &self,
        info: &IssueInfo,
        action: &'static str,
        detail: String,
        now: DateTime<Utc>,
    ) {
        let at = now.with_timezone(&self.settings.timezone).fixed_offset();
        let aws_account = info.account_id.clone();
        let line = LogLine {
            at,
            run_id: log_sheet::new_id(at),
            aws_account,
            row: Some(info.row),
            owner: info.owner_name.clone(),
            account: info.user.clone(),
            access_key_id: String::new(),
            action,
            outcome: Outcome::Done,
            detail,
        };
        let sheet = &self.settings.log_sheet;
        if let Err(e) = log_sheet::append(&self.sheets, sheet, &[line]).await {
            tracing::error!(error = %e, row = info.row, action, %sheet,
                "key request decision written to the row, but not appended to the log sheet");
        }
    }
}
