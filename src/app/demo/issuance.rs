//! `keywarden demo`, part three: key issuance (docs/rules.md §12) walked through offline — one
//! new request asked for approval, one approved request issued. The real `keywarden requests`
//! pass runs against a writable in-memory sheet, an in-memory IAM and Secrets Manager, and a
//! Slack that only records what it is asked to post. The demo's secret is made up and shown
//! nowhere: the walk-through prints the secret's name, as the owner's DM does.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::adapters::memory::{Issuing, ScratchSheets};
use crate::adapters::{HomeOnly, Messenger, SendError};
use crate::app::run::{Deadline, Job, Mode};
use crate::configuration::JobSettings;
use crate::core::domain::{AwsAccountId, SlackUserId};
use crate::core::issue::settings::parse_policies;
use crate::core::issue::{ApprovalCopy, IssueSettings, request_id};
use crate::core::sheet::ORIGINAL_LAYOUT;

const HOME: &str = "123456789012";
const SHEET: &str = "key_request_form";
const OWNER: &str = "U0TANAKA01";

/// A Slack that records every message, with where it "went".
#[derive(Default)]
struct Recording(Mutex<Vec<(String, String)>>);

impl Recording {
    fn note(&self, to: &str, text: &str) -> usize {
        let mut log = self.0.lock().unwrap_or_else(|e| e.into_inner());
        log.push((to.to_string(), text.to_string()));
        log.len()
    }
}

impl Messenger for Recording {
    async fn send(&self, to: &SlackUserId, text: &str) -> Result<(), SendError> {
        self.note(to.as_str(), text);
        Ok(())
    }

    async fn post(
        &self,
        channel: &str,
        text: &str,
        _: &[slack_morphism::prelude::SlackBlock],
    ) -> Result<ApprovalCopy, SendError> {
        let n = self.note(channel, text);
        Ok(ApprovalCopy {
            channel: format!("D{}", channel.trim_start_matches('U')),
            ts: format!("1700000000.{n:06}"),
        })
    }
}

fn day(s: &str) -> NaiveDate {
    s.parse().expect("a valid constant date")
}

/// Row 1 (the original layout and `発行申請`) and the two requests: 佐藤's new one, and
/// 田中's, approved yesterday.
fn sheets(today: NaiveDate) -> ScratchSheets {
    let mut header: Vec<Value> = ORIGINAL_LAYOUT.iter().map(|h| json!(h)).collect();
    header.push(json!("発行申請"));
    let row = |name: &str, user: &str, issue: String| {
        let mut r = vec![json!(""); 13];
        r[0] = json!("2026/11/20 10:00:00");
        r[1] = json!(name);
        r[2] = json!("バックアップの確認");
        r[5] = json!("読み取り");
        r[8] = json!("2027/03/31");
        r[9] = json!(user);
        r[10] = json!("申請中");
        r[12] = json!(issue);
        r
    };
    let approved = request_id(
        &AwsAccountId::parse(HOME).expect("valid"),
        "tanaka-backup",
        &SlackUserId::parse(OWNER).expect("valid"),
        "読み取り",
        None,
        day("2027-03-31"),
    );
    let yesterday = today.pred_opt().unwrap_or(today);
    let users = vec![
        vec![json!("id"), json!("last_name"), json!("first_name")],
        vec![json!(OWNER), json!("田中"), json!("太郎")],
        vec![json!("U0SATO0001"), json!("佐藤"), json!("花子")],
    ];
    ScratchSheets::new(HashMap::from([
        (
            SHEET.to_string(),
            vec![
                header,
                row("佐藤 花子", "sato-reports", String::new()),
                row(
                    "田中 太郎",
                    "tanaka-backup",
                    format!("承認済み {approved} U0ADMIN001 {yesterday}"),
                ),
            ],
        ),
        ("users_json".to_string(), users),
    ]))
}

fn settings() -> JobSettings {
    let mut s = super::settings();
    s.accounts = Default::default();
    s.issue = Some(IssueSettings::with_policies(
        parse_policies("読み取り=arn:aws:iam::aws:policy/ReadOnlyAccess").expect("valid"),
        "/",
    ));
    s
}

/// The walk-through's text: what the pass reported, what Slack was asked to post, and the two
/// rows as the sheet holds them afterwards.
pub async fn walkthrough(today: NaiveDate) -> Result<String, String> {
    let (settings, sheets) = (settings(), sheets(today));
    let (slack, aws) = (Recording::default(), Issuing::default());
    let fleet = HomeOnly(Some(AwsAccountId::parse(HOME).map_err(|e| e.to_string())?));
    let job = Job::new(
        &settings,
        &sheets,
        &slack,
        &aws,
        &aws,
        &fleet,
        Deadline::none(),
    );
    let report = job
        .requests(today, Mode::Run)
        .await
        .map_err(|e| e.to_string())?;
    let mut text = String::from(
        "\n== キーの発行（keywarden requests、15 分ごと）==\n\
         行 2: 佐藤さんの新しい申請 → 承認待ちを書き込み、管理者に承認を依頼します。\n\
         行 3: 田中さんの承認済みの申請 → IAM ユーザー・キーを作り、シークレットに保存して行を埋めます。\n\n",
    );
    for a in &report.actions {
        if let Some(row) = a.row {
            text.push_str(&format!(
                "[{} {}] 行 {row}: {}\n",
                a.action.label(),
                a.outcome.name(),
                a.detail
            ));
        }
    }
    text.push_str("\nSlack に送ったメッセージ:\n");
    for (to, message) in slack.0.lock().unwrap_or_else(|e| e.into_inner()).iter() {
        text.push_str(&format!("--- {to}\n{message}\n"));
    }
    text.push_str("\n実行後のシート（状態 / アクセスキーID / 発行申請）:\n");
    let grid = sheets.sheet(SHEET);
    for (i, row) in grid.iter().enumerate().skip(1) {
        let cell = |c: usize| row.get(c).and_then(Value::as_str).unwrap_or("").to_string();
        text.push_str(&format!(
            "行 {}: 「{}」 / {} / {}\n",
            i + 1,
            cell(10),
            cell(11),
            cell(12).replace('\n', " ")
        ));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::memory::made_up_secret;

    #[tokio::test]
    async fn one_request_is_asked_for_and_one_approved_request_is_issued() {
        let text = walkthrough(day("2026-11-22")).await.unwrap();
        assert!(text.contains("[issue_request done] 行 2"), "{text}");
        assert!(text.contains("[issue done] 行 3"), "{text}");
        assert!(text.contains("keywarden_issue_approve") || text.contains("発行申請が届きました"));
        assert!(
            text.contains(
                "aws secretsmanager get-secret-value --secret-id keywarden/tanaka-backup"
            )
        );
        assert!(text.contains("AKIAISSUED0000000001"), "{text}");
        assert!(
            !text.contains(&made_up_secret(1)),
            "the secret is shown nowhere"
        );
        assert!(text.contains("承認待ち req-"), "{text}");
        assert!(text.contains("発行済み req-"), "{text}");
    }
}
