//! The steps of docs/rules.md §9 for one verified interaction: read the row fresh, ask [`rules`],
//! write the sheet in one update, then talk to Slack. Returns the HTTP answer Slack gets. A write
//! goes to the row found by account and key in a read made after the step's last Slack call
//! before it: a row number read earlier may be another person's row by then.
//!
//! Concurrency: every step that writes (a submission, a decision) runs under one mutex and
//! re-reads the row under it, so two clicks in one process cannot both win. That holds per
//! process only: the Lambda endpoint must run with reserved concurrency 1 for the same reason
//! (a second click waits milliseconds, well within Slack's 3 seconds).

use chrono::{DateTime, Utc};
use serde_json::json;

use super::InteractionSettings;
use super::blocks::{self, ApprovalInfo};
use super::issue_accounts::Issuance;
use super::payload::{Interaction, PayloadError, RequestClick, Submission};
use super::row::{self, Snapshot};
use super::slack_api::InteractiveSlack;
use crate::adapters::{ServiceError, SheetStore};
use crate::core::domain::SlackUserId;
use crate::core::extension::record::{ApprovalCopy, PendingRequest};
use crate::core::extension::rules::{self, Refusal, RowView};
use crate::core::extension::value::{DecisionRef, RowRef};
use crate::core::log::ExtensionEvent;
use crate::core::sheet::Owner;
use crate::core::words::answers::{self, Trouble};
use crate::core::words::dms;
use slack_morphism::prelude::SlackMessageContent;

/// An HTTP answer: status, content type, body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpAnswer {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}

impl HttpAnswer {
    /// Slack's acknowledgement of a click: 200 with an empty body.
    pub fn ack() -> Self {
        Self::text(200, "")
    }

    pub fn text(status: u16, body: &str) -> Self {
        HttpAnswer {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.to_string(),
        }
    }

    pub fn json(value: &serde_json::Value) -> Self {
        HttpAnswer {
            status: 200,
            content_type: "application/json; charset=utf-8",
            body: value.to_string(),
        }
    }

    /// A `view_submission` answer that replaces the modal with a message.
    pub fn modal_notice(text: &str) -> Self {
        Self::json(&json!({"response_action": "update", "view": blocks::notice_modal(text)}))
    }
}

/// The extension flow against a spreadsheet and Slack.
pub struct Interactions<S, K> {
    pub(super) settings: InteractionSettings,
    pub(super) sheets: S,
    pub(super) slack: K,
    pub(super) lock: tokio::sync::Mutex<()>,
    /// Key issuance (docs/rules.md §12); `None`: its buttons are answered "not enabled".
    pub(super) issuance: Option<Issuance>,
}

impl<S: SheetStore + Sync + Send, K: InteractiveSlack> Interactions<S, K> {
    pub fn new(settings: InteractionSettings, sheets: S, slack: K) -> Self {
        Interactions {
            settings,
            sheets,
            slack,
            lock: tokio::sync::Mutex::new(()),
            issuance: None,
        }
    }

    /// Decides key requests too (docs/rules.md §12 step 2).
    pub fn with_issuance(mut self, issuance: Issuance) -> Self {
        self.issuance = Some(issuance);
        self
    }

    pub fn settings(&self) -> &InteractionSettings {
        &self.settings
    }

    /// The spreadsheet it writes to (the demo shows it afterwards).
    pub fn sheets(&self) -> &S {
        &self.sheets
    }

    /// The Slack it talks to (the demo shows what was asked of it).
    pub fn slack(&self) -> &K {
        &self.slack
    }

    /// Carries out one interaction; `now` defines "today" and the request's time.
    /// `/readyz`: a Google token and one read (row 1 of the request sheet), and Slack's
    /// `auth.test`, side by side. `Err` names each that failed.
    pub async fn ready(&self) -> Result<(), String> {
        struct Discard;
        impl crate::core::sheet::RowSink for Discard {
            fn row(&mut self, _: &[serde_json::Value]) {}
        }
        let header = crate::core::sheet::Block {
            last_row: Some(1),
            ..crate::core::sheet::Block::whole(&self.settings.request_sheet)
        };
        let mut sink = Discard;
        let mut sinks: [&mut dyn crate::core::sheet::RowSink; 1] = [&mut sink];
        let (sheet, slack) = tokio::join!(
            self.sheets
                .read_into(std::slice::from_ref(&header), &mut sinks),
            self.slack.auth_test(),
        );
        let problems: Vec<String> = [
            sheet.err().map(|e| format!("Google Sheets: {e}")),
            slack.err().map(|e| format!("Slack: {e}")),
        ]
        .into_iter()
        .flatten()
        .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }

    pub async fn handle(&self, interaction: Interaction, now: DateTime<Utc>) -> HttpAnswer {
        match interaction {
            Interaction::RequestClick(click) => self.request_click(click).await,
            Interaction::Submission(submission) => self.submission(submission, now).await,
            Interaction::Decision(decision) => self.decision(decision, now).await,
            Interaction::IssueDecision(click) => self.issue_decision(click, now).await,
            Interaction::Unknown { what, response_url } => {
                tracing::info!(%what, "interaction keywarden does not handle; nothing changed");
                if let Some(url) = response_url {
                    self.respond(&url, &Trouble::UnknownAction.to_string())
                        .await;
                }
                HttpAnswer::ack()
            }
        }
    }

    /// A payload that could not be read: said to the user when possible, nothing changes.
    pub async fn payload_error(&self, error: PayloadError) -> HttpAnswer {
        tracing::warn!(reason = %error.reason, "unreadable interaction payload; nothing changed");
        match error.response_url {
            Some(url) => {
                self.respond(&url, &Trouble::UnreadableButton.to_string())
                    .await;
                HttpAnswer::ack()
            }
            None => HttpAnswer::text(400, "unreadable Slack payload"),
        }
    }

    pub(super) async fn respond(&self, response_url: &str, text: &str) {
        if let Err(e) = self.slack.respond(response_url, text).await {
            tracing::warn!(error = %e, "could not answer the clicking user");
        }
    }

    /// Tells `user` something: next to the clicked message, else by DM.
    pub(super) async fn tell(&self, user: &SlackUserId, response_url: Option<&str>, text: &str) {
        match response_url {
            Some(url) => self.respond(url, text).await,
            None => {
                if let Err(e) = self.slack.post(user.as_str(), blocks::message(text)).await {
                    tracing::warn!(error = %e, to = %user, "could not tell the user");
                }
            }
        }
    }

    pub(super) async fn read(&self) -> Result<Snapshot, ServiceError> {
        row::read(&self.sheets, &self.settings).await
    }

    async fn request_click(&self, click: RequestClick) -> HttpAnswer {
        let url = click.response_url.as_deref();
        let snapshot = match self.read().await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "request click: sheet unreadable");
                let text = Trouble::FormSheetUnreadable.to_string();
                self.tell(&click.user, url, &text).await;
                return HttpAnswer::ack();
            }
        };
        let lookup = snapshot.lookup(&click.row);
        let owner_of = |row: &RowView| snapshot.owner(row);
        let (row, end) =
            match rules::request_allowed(&lookup, &click.user, owner_of, &self.settings.admins) {
                Ok(allowed) => allowed,
                Err(refusal) => return self.refuse(&click.user, url, refusal).await,
            };
        let current = RowRef {
            end,
            ..click.row.clone()
        };
        let offered = end
            + chrono::Duration::days(i64::from(
                self.settings
                    .extension_days
                    .min(self.settings.max_extension_days),
            ));
        let view = blocks::modal(&current, offered, self.settings.max_extension_days);
        if let Err(e) = self.slack.open_view(&click.trigger_id, view).await {
            tracing::warn!(error = %e, row = row.row, "views.open failed");
            let text = Trouble::FormNotOpened(&e.to_string()).to_string();
            self.tell(&click.user, url, &text).await;
        }
        HttpAnswer::ack()
    }

    async fn refuse(&self, user: &SlackUserId, url: Option<&str>, refusal: Refusal) -> HttpAnswer {
        tracing::info!(%refusal, %user, "interaction refused; nothing changed");
        self.tell(user, url, &refusal.to_string()).await;
        HttpAnswer::ack()
    }

    async fn submission(&self, s: Submission, now: DateTime<Utc>) -> HttpAnswer {
        let _serial = self.lock.lock().await;
        let snapshot = match self.read().await {
            Ok(snapshot) => snapshot,
            Err(e) => {
                tracing::warn!(error = %e, "submission: sheet unreadable");
                return HttpAnswer::modal_notice(&Trouble::SubmissionSheetUnreadable.to_string());
            }
        };
        let lookup = snapshot.lookup(&s.row);
        let owner_of = |row: &RowView| snapshot.owner(row);
        let (row, current_end) =
            match rules::request_allowed(&lookup, &s.user, owner_of, &self.settings.admins) {
                Ok(allowed) => allowed,
                Err(refusal) => return HttpAnswer::modal_notice(&refusal.to_string()),
            };
        let (requested_end, reason) = match rules::validate_submission(
            current_end,
            s.new_end.as_deref(),
            s.reason.as_deref(),
            self.settings.max_extension_days,
        ) {
            Ok(valid) => valid,
            Err(errors) => {
                return HttpAnswer::json(&json!({"response_action": "errors", "errors": errors}));
            }
        };
        let mut request = PendingRequest {
            id: now.timestamp_millis().to_string(),
            requester: s.user.clone(),
            current_end,
            requested_end,
            requested_at: now.with_timezone(&self.settings.timezone).fixed_offset(),
            copies: Vec::new(),
            reason,
        };
        let (account, key_id) = snapshot.account_and_key(row.row);
        let mut info = ApprovalInfo {
            row: row.row,
            account,
            key_id,
            owner_name: row.owner_name.clone(),
            current_end,
            requested_end,
            reason: request.reason.clone(),
            requester: s.user.clone(),
        };
        let target = DecisionRef {
            row: RowRef {
                end: current_end,
                ..s.row.clone()
            },
            request_id: request.id.clone(),
            requester: s.user.clone(),
        };
        // Posted first so the cell can list every copy: the cell is then written once.
        // All at once: Slack wants the answer within 3 seconds, however many administrators.
        let content = blocks::approval_request(&info, &target);
        let destinations = self.approvers();
        let posted = futures::future::join_all(
            destinations
                .iter()
                .map(|to| self.slack.post(to, content.clone())),
        )
        .await;
        for (destination, result) in destinations.iter().zip(posted) {
            match result {
                Ok(copy) => request.copies.push(copy),
                Err(e) => {
                    tracing::warn!(error = %e, to = %destination, "approval request not posted")
                }
            }
        }
        if request.copies.is_empty() {
            return HttpAnswer::modal_notice(&Trouble::ApprovalNotSent.to_string());
        }
        // The posts took time in which administrators may have inserted, sorted or deleted
        // rows: the row is found again, by account and key, in a read made after the last
        // Slack call and right before the write, and must still take this request.
        let fresh = match self.read().await {
            Ok(fresh) => fresh,
            Err(e) => {
                tracing::warn!(error = %e, "submission: sheet unreadable before writing");
                self.withdraw(&info, &request.copies).await;
                return HttpAnswer::modal_notice(&Trouble::RecordSheetUnreadable.to_string());
            }
        };
        let lookup = fresh.lookup(&s.row);
        let owner_of = |row: &RowView| fresh.owner(row);
        let row = match rules::request_allowed(&lookup, &s.user, owner_of, &self.settings.admins) {
            Ok((row, end)) if end == current_end => row,
            Ok((row, _)) => {
                return self
                    .changed_meanwhile(
                        &info,
                        &request.copies,
                        Refusal::EndDateChanged {
                            row: row.row,
                            expected: current_end,
                        },
                    )
                    .await;
            }
            Err(refusal) => {
                return self
                    .changed_meanwhile(&info, &request.copies, refusal)
                    .await;
            }
        };
        let writes = fresh.pending_writes(row.row, &request.to_cell());
        if let Err(e) = self.sheets.write_values(&writes).await {
            tracing::warn!(error = %e, row = row.row, "pending request not written");
            self.withdraw(&info, &request.copies).await;
            return HttpAnswer::modal_notice(&Trouble::NotRecorded.to_string());
        }
        if row.row != info.row {
            // The approval request named the row as it was: name the row it is in now.
            tracing::info!(
                from = info.row,
                to = row.row,
                "row moved while the request was sent"
            );
            info.row = row.row;
            let content = blocks::approval_request(&info, &target);
            futures::future::join_all(
                request
                    .copies
                    .iter()
                    .map(|copy| self.slack.update(copy, content.clone())),
            )
            .await;
        }
        self.log_decision(
            ExtensionEvent::Request,
            &info,
            crate::core::words::extension::request_detail(&info),
            now,
        )
        .await;
        if let Owner::Found(owner) = fresh.owner(row)
            && owner != s.user
        {
            let text =
                dms::extension_requested_for_you(&s.user, row.row, &info.account, requested_end);
            let _ = self
                .slack
                .post(owner.as_str(), blocks::message(&text))
                .await;
        }
        HttpAnswer::modal_notice(&answers::submitted(requested_end))
    }

    /// The row no longer takes the request (gone, deleted, its key or end date changed, a
    /// request pending) since the approval request was posted: withdraw it and say why.
    async fn changed_meanwhile(
        &self,
        info: &ApprovalInfo,
        copies: &[ApprovalCopy],
        refusal: Refusal,
    ) -> HttpAnswer {
        tracing::info!(%refusal, row = info.row, "row changed while the request was sent; withdrawn");
        self.withdraw(info, copies).await;
        HttpAnswer::modal_notice(&answers::withdrawn(&refusal))
    }

    /// Marks every copy of an approval request void: it was never recorded in the sheet.
    async fn withdraw(&self, info: &ApprovalInfo, copies: &[ApprovalCopy]) {
        self.update_copies(copies, None, blocks::withdrawn(info))
            .await;
    }

    /// Shows `content` in every copy of an approval request: the copies recorded, and the
    /// clicked message when the record missed it. A copy that cannot be updated is logged;
    /// the decision stands.
    pub(super) async fn update_copies(
        &self,
        recorded: &[ApprovalCopy],
        clicked: Option<&ApprovalCopy>,
        content: SlackMessageContent,
    ) {
        let mut copies = recorded.to_vec();
        if let Some(clicked) = clicked
            && !copies.contains(clicked)
        {
            copies.push(clicked.clone());
        }
        let updated = futures::future::join_all(
            copies
                .iter()
                .map(|copy| self.slack.update(copy, content.clone())),
        )
        .await;
        for (copy, result) in copies.iter().zip(updated) {
            if let Err(e) = result {
                tracing::warn!(error = %e, channel = %copy.channel, "approval request not updated");
            }
        }
    }

    /// Where approval requests go: the approval channel, or each administrator's DM.
    fn approvers(&self) -> Vec<String> {
        match &self.settings.approval_channel {
            Some(channel) => vec![channel.clone()],
            None => self
                .settings
                .admins
                .iter()
                .map(|a| a.as_str().to_string())
                .collect(),
        }
    }
}
