//! `keywarden demo`, part two: one extension request walked through on the bundled
//! sheet, offline — the owner clicks the notice's button, fills the form, an administrator
//! approves. The real handler runs against a writable in-memory copy of the sheet and a Slack
//! that only records what it is asked to do.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{Days, NaiveDate, TimeZone};
use slack_morphism::prelude::{SlackMessageContent, SlackView};

use crate::adapters::ServiceError;
use crate::adapters::memory::ScratchSheets;
use crate::app::interactions::payload::{Decision, Interaction, RequestClick, Submission};
use crate::app::interactions::{InteractionSettings, Interactions, InteractiveSlack};
use crate::core::extension::record::{ApprovalCopy, HISTORY_HEADER, PENDING_HEADER, PendingCell};
use crate::core::extension::value::{DecisionRef, RowRef};
use crate::core::sheet::{Directory, Grid, Owner, RequestTable, cell_text};

/// A Slack that records each call as one line for people.
#[derive(Default)]
struct RecordingSlack {
    log: Mutex<Vec<String>>,
}

impl RecordingSlack {
    fn note(&self, line: String) {
        self.log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(line);
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.log.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl InteractiveSlack for RecordingSlack {
    async fn auth_test(&self) -> Result<String, ServiceError> {
        self.note("auth.test".into());
        Ok("the demo's recording Slack".into())
    }

    async fn open_view(&self, _: &str, view: SlackView) -> Result<(), ServiceError> {
        let fields = serde_json::to_string(&view).unwrap_or_default();
        let has = |id: &str| fields.contains(id);
        self.note(format!(
            "views.open: 申請フォーム（new_end_date: {}, reason: {}）",
            if has("new_end_date") { "日付" } else { "-" },
            if has("\"reason\"") {
                "必須の理由"
            } else {
                "-"
            },
        ));
        Ok(())
    }

    async fn post(
        &self,
        channel: &str,
        content: SlackMessageContent,
    ) -> Result<ApprovalCopy, ServiceError> {
        let text = content.text.unwrap_or_default();
        self.note(format!(
            "chat.postMessage → {channel}: {}",
            first_line(&text)
        ));
        Ok(ApprovalCopy {
            channel: channel.to_string(),
            ts: "1764000000.000100".into(),
        })
    }

    async fn update(
        &self,
        message: &ApprovalCopy,
        content: SlackMessageContent,
    ) -> Result<(), ServiceError> {
        let text = content.text.unwrap_or_default();
        self.note(format!(
            "chat.update {}: {}",
            message.channel,
            first_line(&text)
        ));
        Ok(())
    }

    async fn respond(&self, _: &str, text: &str) -> Result<(), ServiceError> {
        self.note(format!("response_url: {}", first_line(text)));
        Ok(())
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// The cells of `row` (1-based) under the headers that tell the story.
fn row_story(grid: &Grid, row: usize) -> String {
    let header = grid.first().map(Vec::as_slice).unwrap_or_default();
    let cells = grid.get(row - 1).map(Vec::as_slice).unwrap_or_default();
    let mut out = String::new();
    for name in ["アクセスキー利用終了日", PENDING_HEADER, HISTORY_HEADER] {
        let col = (0..header.len()).find(|&c| cell_text(header, c).as_deref() == Some(name));
        let value = col.and_then(|c| cell_text(cells, c)).unwrap_or_default();
        let value = match (name, value.parse::<f64>()) {
            // A real date cell holds a serial number: show it as the date Sheets shows.
            ("アクセスキー利用終了日", Ok(serial)) => {
                crate::core::domain::serial_to_date(serial)
                    .map(|d| d.to_string())
                    .unwrap_or(value)
            }
            _ => value,
        };
        out.push_str(&format!("  {name}: {}\n", value.replace('\n', " / ")));
    }
    out
}

/// The walk-through for sheet row `row` (1-based) as text, or why it could not run.
pub async fn walkthrough(
    requests: Grid,
    users: Grid,
    today: NaiveDate,
    admin: crate::core::domain::SlackUserId,
    row: usize,
) -> Result<String, String> {
    let settings = InteractionSettings::with_admins(vec![admin.clone()]);
    let table =
        RequestTable::parse(&settings.request_sheet, &requests).map_err(|e| e.to_string())?;
    let directory = Directory::parse(&settings.users_sheet, &users).map_err(|e| e.to_string())?;
    let valid = table
        .rows
        .iter()
        .find(|r| r.row == row)
        .and_then(|r| r.valid().ok())
        .ok_or(format!("row {row} is not a usable request row"))?;
    let Owner::Found(owner) = directory.lookup(&valid.owner) else {
        return Err(format!("row {row}'s owner is not in users_json"));
    };
    let sheets = ScratchSheets::new(HashMap::from([
        (settings.request_sheet.clone(), requests),
        (settings.users_sheet.clone(), users),
    ]));
    let request_sheet = settings.request_sheet.clone();
    let app = Interactions::new(settings, sheets, RecordingSlack::default());
    let target = RowRef::of(&valid);
    let noon = chrono_tz::Asia::Tokyo
        .from_local_datetime(&today.and_hms_opt(12, 0, 0).unwrap_or_default())
        .single()
        .map(|t| t.to_utc())
        .unwrap_or_else(chrono::Utc::now);
    let mut out = format!(
        "\n== 延長申請の流れ — {row}行目 {} / {} ==\n\n",
        valid.user, valid.key_id
    );
    let step = |out: &mut String, title: &str, lines: Vec<String>| {
        out.push_str(&format!("{title}\n"));
        for l in lines {
            out.push_str(&format!("  • {l}\n"));
        }
    };

    app.handle(
        Interaction::RequestClick(RequestClick {
            user: owner.clone(),
            trigger_id: "demo-trigger".into(),
            row: target.clone(),
            response_url: None,
        }),
        noon,
    )
    .await;
    step(
        &mut out,
        &format!("1. 所有者 {owner} が通知の「延長を申請する」を押す"),
        app.slack().take(),
    );

    let new_end = valid.end + Days::new(30);
    let answer = app
        .handle(
            Interaction::Submission(Submission {
                user: owner.clone(),
                row: target.clone(),
                new_end: Some(new_end.to_string()),
                reason: Some("検証が長引いているため".into()),
            }),
            noon,
        )
        .await;
    let mut lines = app.slack().take();
    lines.push(format!("応答: HTTP {}", answer.status));
    step(
        &mut out,
        &format!("2. 新しい利用終了日 {new_end} と理由を送信 → 承認依頼"),
        lines,
    );
    let grid = app.sheets().sheet(&request_sheet);
    out.push_str(&row_story(&grid, row));
    let recorded = RequestTable::parse(&request_sheet, &grid)
        .ok()
        .and_then(|t| t.rows.into_iter().find(|r| r.row == row))
        .map(|r| PendingCell::parse(r.pending_extension()));
    let Some(PendingCell::Request(pending)) = recorded else {
        return Err("the request was not recorded in 延長申請".into());
    };

    app.handle(
        Interaction::Decision(Decision {
            approve: true,
            user: admin.clone(),
            target: DecisionRef {
                row: target,
                request_id: pending.id.clone(),
                requester: owner,
            },
            response_url: None,
            message: pending.copies.first().cloned(),
        }),
        noon,
    )
    .await;
    step(
        &mut out,
        &format!("3. 管理者 {admin} が承認"),
        app.slack().take(),
    );
    out.push_str(&row_story(&app.sheets().sheet(&request_sheet), row));
    out.push_str(
        "\n(demo: the extension flow ran against an in-memory copy of demo/, after the daily run \
         above and unseen by it; nothing was changed)\n",
    );
    Ok(out)
}
