//! One log-sheet line per extension decision (docs/rules.md §11): the request, the approval, the
//! rejection, each appended right after its sheet write with an ID of its own. A failed
//! append is logged and changes nothing else: the decision is in the row already.

use chrono::{DateTime, Utc};

use super::blocks::ApprovalInfo;
use super::handler::Interactions;
use super::slack_api::InteractiveSlack;
use crate::adapters::SheetStore;
use crate::app::log_sheet;
use crate::core::log::{ExtensionEvent, LogLine};
use crate::core::outcome::Outcome;

impl<S: SheetStore + Sync + Send, K: InteractiveSlack> Interactions<S, K> {
    /// Appends the line of `event` on the row `info` describes; `detail` in the
    /// administrators' wording.
    pub(super) async fn log_decision(
        &self,
        event: ExtensionEvent,
        info: &ApprovalInfo,
        detail: String,
        now: DateTime<Utc>,
    ) {
        let at = now.with_timezone(&self.settings.timezone).fixed_offset();
        let line = LogLine {
            at,
            run_id: log_sheet::new_id(at),
            aws_account: String::new(),
            row: Some(info.row),
            owner: info.owner_name.clone(),
            account: info.account.clone(),
            access_key_id: info.key_id.clone(),
            action: event.label(),
            outcome: Outcome::Done,
            detail,
        };
        let sheet = &self.settings.log_sheet;
        if let Err(e) = log_sheet::append(&self.sheets, sheet, &[line]).await {
            tracing::error!(error = %e, row = info.row, action = event.label(), %sheet,
                "extension decision written to the row, but not appended to the log sheet");
        }
    }
}
