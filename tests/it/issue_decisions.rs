//! The decision on a key request end to end (docs/rules.md §12 step 2): the interactions server
//! on 127.0.0.1 against the fake Google and Slack servers, with clicks signed as Slack signs
//! them. The approval request is set up as the run leaves it: `承認待ち R` in `発行申請`, its
//! copies listed on the cell's second line, each posted to the fake Slack.

use crate::fixtures::{TANAKA, row, tanaka};
use crate::support;

use std::time::Duration;

use chrono::NaiveDate;
use serde_json::{Value, json};
use support::HttpReply;
use support::app::{REQUEST_SHEET, RequestRow, SLACK_TOKEN, USERS_SHEET, UserRow};
use support::endpoint::Endpoint;
use support::moto_accounts::HOME;
use support::slack_requests::{SIGNING_SECRET, button_click_on, post_signed};

use keywarden::app::interactions::issue_blocks::{IssueInfo, approval_request};
use keywarden::app::interactions::{
    InteractionSettings, InteractiveSlack, Issuance, SlackInteractive,
};
use keywarden::core::domain::{Accounts, AwsAccountId, Secret, SlackUserId};
use keywarden::core::issue::settings::parse_policies;
use keywarden::core::issue::{IssueRecord, IssueSettings, IssueState, RequestId, request_id};

const ADMIN1: &str = "UADMIN0001";
const ADMIN2: &str = "UADMIN0002";
const USER: &str = "tanaka-s3";
/// `発行申請` is column M, after the original layout's A..L.
const ISSUE_CELL: &str = "M2";

struct Env {
    endpoint: Endpoint,
    /// The request's ID as the run computed it when it asked.
    id: RequestId,
    end: NaiveDate,
}

impl std::ops::Deref for Env {
    type Target = Endpoint;
    fn deref(&self) -> &Endpoint {
        &self.endpoint
    }
}

/// Today in the configured zone (the endpoint's clock is the real one).
fn today() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Tokyo)
        .date_naive()
}

fn slack_id(s: &str) -> SlackUserId {
    SlackUserId::parse(s).unwrap()
}

/// A form's row asking for a key: no key, no status, no start date; filed by `filer`.
fn request_row(end: NaiveDate, filer: &str) -> Vec<Value> {
    let mut row = row(USER, "", json!(end.format("%Y/%m/%d").to_string()));
    row.start = json!("");
    row.email = json!(filer);
    row.purpose = json!("S3 のバックアップ");
    let mut cells = row.to_values();
    cells.push(json!(""));
    cells
}

fn issuance() -> Issuance {
    Issuance {
        settings: IssueSettings::with_policies(
            parse_policies("読み取り=arn:aws:iam::aws:policy/ReadOnlyAccess").unwrap(),
            "/",
        ),
        protected: Vec::new(),
        accounts: Box::new(Accounts::new(
            AwsAccountId::parse(HOME).unwrap(),
            Vec::new(),
        )),
    }
}

struct Setup {
    admins: &'static [&'static str],
    issuance: bool,
    filer: &'static str,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            admins: &[ADMIN1, ADMIN2],
            issuance: true,
            filer: "form-user@example.com",
        }
    }
}

/// What the run leaves when it asks: the approval request of row 2 posted to each of
/// `admins`, and the `承認待ち` record that lists the copies.
async fn post_request(
    poster: &impl InteractiveSlack,
    admins: &[&str],
    end: NaiveDate,
) -> (RequestId, IssueRecord) {
    let id = request_id(
        &AwsAccountId::parse(HOME).unwrap(),
        USER,
        &slack_id(TANAKA),
        "読み取り",
        None,
        end,
    );
    let info = IssueInfo {
        row: 2,
        id: id.clone(),
        owner_name: "田中 太郎".into(),
        owner: slack_id(TANAKA),
        account: HOME.into(),
        account_id: HOME.into(),
        user: USER.into(),
        entry: "読み取り".into(),
        policy_arn: "arn:aws:iam::aws:policy/ReadOnlyAccess".into(),
        start: None,
        end,
        purpose: "S3 のバックアップ".into(),
        summary: format!(
            "2行目\n利用者: 田中 太郎（{TANAKA}）\nIAM ユーザー: {USER}\n申請ID: {id}"
        ),
    };
    let mut record = IssueRecord::new(IssueState::Pending, id.clone());
    for admin in admins {
        let copy = poster.post(admin, approval_request(&info)).await.unwrap();
        record.copies.push(copy);
    }
    (id, record)
}

/// The endpoint, the request row 2 pending `R`, and one approval request per administrator.
async fn start(setup: Setup) -> Env {
    let mut header = support::app::request_sheet_header();
    header.push(json!("発行申請"));
    let end = today() + chrono::Duration::days(60);
    let mut users = vec![support::app::users_sheet_header()];
    users.push(tanaka().to_values());
    users.push(UserRow::new(ADMIN1, "鈴木", "一郎").to_values());
    users.push(UserRow::new(ADMIN2, "佐藤", "花子").to_values());
    let sheets = vec![
        (REQUEST_SHEET, vec![header, request_row(end, setup.filer)]),
        (USERS_SHEET, users),
    ];
    let settings =
        InteractionSettings::with_admins(setup.admins.iter().map(|a| slack_id(a)).collect());
    let endpoint = Endpoint::start(sheets, settings, |app| match setup.issuance {
        true => app.with_issuance(issuance()),
        false => app,
    })
    .await;

    // What the run leaves: the approval request posted to every administrator, then the cell.
    let (id, record) = post_request(endpoint.app.slack(), setup.admins, end).await;
    let cell = json!(record.to_cell());
    endpoint
        .google
        .edit(|s| s.set_cell(REQUEST_SHEET, ISSUE_CELL, cell));
    Env { endpoint, id, end }
}

impl Env {
    /// `user` clicks 承認 (or 却下) on the copy posted to `copy_of`, as Slack sends it.
    async fn click(&self, user: &str, approve: bool, copy_of: &str) -> HttpReply {
        let posted = self
            .slack
            .messages()
            .into_iter()
            .find(|m| m.channel == copy_of)
            .unwrap_or_else(|| panic!("no approval request to {copy_of}"));
        let value = posted.blocks.as_ref().unwrap()[1]["elements"][0]["value"]
            .as_str()
            .unwrap()
            .to_string();
        let action = if approve {
            "keywarden_issue_approve"
        } else {
            "keywarden_issue_reject"
        };
        let channel = format!("D{copy_of}");
        let copy = self
            .cell_text(ISSUE_CELL)
            .lines()
            .nth(1)
            .and_then(|l| {
                l.split_whitespace()
                    .find(|c| c.starts_with(&format!("{channel}/")))
                    .map(|c| c.split_once('/').unwrap().1.to_string())
            })
            .unwrap_or_else(|| "1700000000.999999".into());
        let response_url = self
            .slack
            .response_url(&format!("{user}-{}", u8::from(approve)));
        let payload = button_click_on((&channel, &copy), user, action, &value, &response_url);
        post_signed(&self.base, &payload).await
    }

    fn cell(&self, a1: &str) -> Option<Value> {
        self.google.cell(REQUEST_SHEET, a1)
    }

    fn cell_text(&self, a1: &str) -> String {
        self.cell(a1)
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// The owner's DMs other than an approval request (the owner may be an administrator).
    fn owner_dms(&self) -> Vec<String> {
        self.slack
            .messages_to(TANAKA)
            .into_iter()
            .filter(|t| !t.starts_with("アクセスキーの発行申請が届きました"))
            .collect()
    }

    /// What `user` was told next to the clicked message.
    fn told(&self, user: &str) -> Vec<String> {
        self.slack
            .responses()
            .into_iter()
            .filter(|(name, _)| name.starts_with(user))
            .map(|(_, body)| body["text"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// The log sheet's lines (its header aside); none when it was never created.
    fn log_lines(&self) -> Vec<Vec<Value>> {
        let mut exists = false;
        self.google.edit(|s| exists = s.contains("keywarden_log"));
        if !exists {
            return Vec::new();
        }
        let sheet = self.google.sheet("keywarden_log");
        assert_eq!(sheet[0][0], "日時", "header row first: {sheet:?}");
        sheet[1..].to_vec()
    }

    /// Nothing changed: the sheet as set up, no copy updated, no DM, no log line.
    fn assert_unchanged(&self, sheet: &[Vec<Value>]) {
        assert_eq!(
            self.google.sheet(REQUEST_SHEET),
            sheet,
            "the sheet is unchanged"
        );
        assert!(
            self.slack.updates().is_empty(),
            "{:?}",
            self.slack.updates()
        );
        assert!(self.owner_dms().is_empty(), "{:?}", self.owner_dms());
        assert!(self.log_lines().is_empty());
    }
}

#[tokio::test]
async fn an_approval_is_recorded_every_copy_updated_the_owner_told_and_logged() {
    let env = start(Setup::default()).await;
    let before = env.cell_text(ISSUE_CELL);
    let copies = before.lines().nth(1).unwrap().to_string();
    let writes = env.google.counts().writes;

    let reply = env.click(ADMIN2, true, ADMIN2).await;
    assert_eq!((reply.status, reply.body.as_str()), (200, ""));

    assert_eq!(env.google.counts().writes, writes + 1, "one sheet update");
    assert_eq!(
        env.cell_text(ISSUE_CELL),
        format!("承認済み {} {ADMIN2} {}\n{copies}", env.id, today()),
        "the approver and today; the copies kept"
    );
    assert_eq!(env.cell("K2"), None, "the status is not touched");
    assert_eq!(env.cell("L2"), None, "nothing is issued by the endpoint");

    let updates = env.slack.updates();
    let mut channels: Vec<_> = updates.iter().map(|u| u.channel.clone()).collect();
    channels.sort();
    assert_eq!(
        channels,
        [format!("D{ADMIN1}"), format!("D{ADMIN2}")],
        "every copy"
    );
    for u in &updates {
        assert!(
            u.text.contains(&format!("{ADMIN2} が承認しました")),
            "{}",
            u.text
        );
        assert!(
            u.text.contains(USER) && u.text.contains(env.id.as_str()),
            "{}",
            u.text
        );
        let blocks = u.blocks.as_ref().unwrap().to_string();
        assert!(
            !blocks.contains("keywarden_issue_approve"),
            "no buttons left: {blocks}"
        );
    }
    let dms = env.owner_dms();
    assert_eq!(dms.len(), 1, "{dms:?}");
    assert!(
        dms[0].contains("承認しました") && dms[0].contains(USER),
        "{}",
        dms[0]
    );
    assert!(env.told(ADMIN2).is_empty(), "{:?}", env.told(ADMIN2));

    let lines = env.log_lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    let line = &lines[0];
    assert_eq!(line[2], HOME);
    assert_eq!(line[3], json!(2));
    assert_eq!(line[4], "田中 太郎");
    assert_eq!(line[5], USER);
    assert_eq!(line[7], "issue_approve");
    assert_eq!(line[8], "done");
    let detail = line[9].as_str().unwrap();
    assert!(
        detail.contains(ADMIN2) && detail.contains(env.id.as_str()),
        "{detail}"
    );
}

#[tokio::test]
async fn a_rejection_writes_kyakka_into_both_cells_and_is_logged() {
    let env = start(Setup::default()).await;
    let copies = env
        .cell_text(ISSUE_CELL)
        .lines()
        .nth(1)
        .unwrap()
        .to_string();
    assert_eq!(env.click(ADMIN1, false, ADMIN1).await.status, 200);
    assert_eq!(
        env.cell_text(ISSUE_CELL),
        format!("却下 {} {ADMIN1} {}\n{copies}", env.id, today())
    );
    assert_eq!(
        env.cell("K2"),
        Some(json!("却下")),
        "the daily run skips the row"
    );
    assert_eq!(env.slack.updates().len(), 2);
    for u in env.slack.updates() {
        assert!(
            u.text.contains(&format!("{ADMIN1} が却下しました")),
            "{}",
            u.text
        );
    }
    let dms = env.owner_dms();
    assert!(dms.len() == 1 && dms[0].contains("却下しました"), "{dms:?}");
    let lines = env.log_lines();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0][7], "issue_reject");
}

#[tokio::test]
async fn the_owner_may_not_decide_on_their_own_request() {
    let env = start(Setup {
        admins: &[ADMIN1, TANAKA],
        ..Setup::default()
    })
    .await;
    let sheet = env.google.sheet(REQUEST_SHEET);
    for approve in [true, false] {
        assert_eq!(env.click(TANAKA, approve, TANAKA).await.status, 200);
    }
    let told = env.told(TANAKA);
    assert_eq!(told.len(), 2, "{told:?}");
    assert!(
        told.iter().all(|t| t.contains("利用者はあなたです")),
        "{told:?}"
    );
    env.assert_unchanged(&sheet);
}

#[tokio::test]
async fn the_person_who_filed_the_row_may_not_decide_on_it() {
    // The form collected ADMIN2's address (users_json has it in another case).
    let env = start(Setup {
        filer: "UAdmin0002@Example.com",
        ..Setup::default()
    })
    .await;
    let sheet = env.google.sheet(REQUEST_SHEET);
    assert_eq!(env.click(ADMIN2, true, ADMIN2).await.status, 200);
    let told = env.told(ADMIN2);
    assert!(
        told.len() == 1 && told[0].contains("自分が出した申請"),
        "{told:?}"
    );
    env.assert_unchanged(&sheet);
    // Another administrator may.
    assert_eq!(env.click(ADMIN1, true, ADMIN1).await.status, 200);
    assert!(env.cell_text(ISSUE_CELL).starts_with("承認済み"));
}

#[tokio::test]
async fn only_an_administrator_decides() {
    let env = start(Setup::default()).await;
    let sheet = env.google.sheet(REQUEST_SHEET);
    let reads = env.google.counts().reads;
    assert_eq!(env.click("U0STRANGER1", true, ADMIN1).await.status, 200);
    let told = env.told("U0STRANGER1");
    assert!(
        told.len() == 1 && told[0].contains("管理者だけ"),
        "{told:?}"
    );
    assert_eq!(env.google.counts().reads, reads, "refused before any read");
    env.assert_unchanged(&sheet);
}

#[tokio::test]
async fn a_click_after_the_row_was_edited_is_stale() {
    let env = start(Setup::default()).await;
    // The end date moved after the approval request went out: the cells give another ID.
    let later = env.end + chrono::Duration::days(1);
    env.google.edit(|s| {
        s.set_cell(
            REQUEST_SHEET,
            "I2",
            json!(later.format("%Y/%m/%d").to_string()),
        )
    });
    let sheet = env.google.sheet(REQUEST_SHEET);
    assert_eq!(env.click(ADMIN1, true, ADMIN1).await.status, 200);
    let told = env.told(ADMIN1);
    assert!(
        told.len() == 1 && told[0].contains("古くなっています") && told[0].contains("2行目"),
        "{told:?}"
    );
    env.assert_unchanged(&sheet);
}

#[tokio::test]
async fn a_row_moved_since_the_request_is_found_by_its_id() {
    let env = start(Setup::default()).await;
    // Two rows inserted above: the request is row 4 now.
    env.google.edit(|s| {
        for _ in 0..2 {
            s.insert_row(
                REQUEST_SHEET,
                2,
                RequestRow::new(
                    "佐藤 花子",
                    "sato-ci",
                    "AKIAI44QH8DHBEXAMPLE",
                    json!("2027/01/31"),
                )
                .to_values(),
            )
        }
    });
    assert_eq!(env.click(ADMIN1, true, ADMIN1).await.status, 200);
    assert!(
        env.cell_text("M4")
            .starts_with(&format!("承認済み {} {ADMIN1}", env.id)),
        "{}",
        env.cell_text("M4")
    );
    assert_eq!(env.cell("M2"), None, "the rows above are untouched");
    assert_eq!(env.cell("M3"), None);
    assert_eq!(env.cell("J2"), Some(json!("sato-ci")));
    for u in env.slack.updates() {
        assert!(u.text.contains("4行目"), "the row it is in now: {}", u.text);
    }
    assert_eq!(env.log_lines()[0][3], json!(4));
}

#[tokio::test]
async fn a_double_click_and_a_second_administrator_change_nothing_twice() {
    let env = start(Setup::default()).await;
    let writes = env.google.counts().writes;
    assert_eq!(env.click(ADMIN1, true, ADMIN1).await.status, 200);
    let decided = env.google.sheet(REQUEST_SHEET);
    let updates = env.slack.updates().len();

    assert_eq!(env.click(ADMIN1, true, ADMIN1).await.status, 200);
    assert_eq!(env.click(ADMIN2, false, ADMIN2).await.status, 200);
    assert_eq!(env.google.counts().writes, writes + 1, "one decision only");
    assert_eq!(env.google.sheet(REQUEST_SHEET), decided);
    assert_eq!(env.slack.updates().len(), updates);
    assert_eq!(env.owner_dms().len(), 1);
    assert_eq!(env.log_lines().len(), 1);
    let told = env.told(ADMIN2);
    assert!(
        told.len() == 1 && told[0].contains(&format!("{ADMIN1} が {} に承認済み", today())),
        "who decided: {told:?}"
    );
    assert!(env.told(ADMIN1).iter().any(|t| t.contains("承認済み")));
}

#[tokio::test]
async fn two_administrators_at_once_make_one_decision() {
    let env = start(Setup::default()).await;
    let writes = env.google.counts().writes;
    let (a, b) = tokio::join!(
        env.click(ADMIN1, true, ADMIN1),
        env.click(ADMIN2, false, ADMIN2)
    );
    assert_eq!((a.status, b.status), (200, 200));
    assert_eq!(env.google.counts().writes, writes + 1, "one decision only");
    let cell = env.cell_text(ISSUE_CELL);
    let (winner, loser) = if cell.starts_with("承認済み") {
        assert_eq!(env.cell("K2"), None);
        (ADMIN1, ADMIN2)
    } else {
        assert!(cell.starts_with("却下"), "{cell}");
        assert_eq!(env.cell("K2"), Some(json!("却下")));
        (ADMIN2, ADMIN1)
    };
    assert!(cell.contains(winner), "{cell}");
    assert!(env.told(winner).is_empty());
    let told = env.told(loser);
    assert!(told.len() == 1 && told[0].contains(winner), "{told:?}");
    assert_eq!(env.log_lines().len(), 1);
    assert_eq!(env.owner_dms().len(), 1);
}

#[tokio::test]
async fn without_issuance_the_buttons_change_nothing() {
    let env = start(Setup {
        issuance: false,
        ..Setup::default()
    })
    .await;
    let sheet = env.google.sheet(REQUEST_SHEET);
    assert_eq!(env.click(ADMIN1, true, ADMIN1).await.status, 200);
    let told = env.told(ADMIN1);
    assert!(
        told.len() == 1 && told[0].contains("KEYWARDEN_ISSUE_POLICIES"),
        "{told:?}"
    );
    env.assert_unchanged(&sheet);
    assert!(env.app.settings().admins.contains(&slack_id(ADMIN1)));
}

#[tokio::test]
async fn a_request_no_longer_valid_is_not_decided_and_the_cell_to_fix_is_named() {
    let env = start(Setup::default()).await;
    // The owner left users_json while the request waited.
    env.google.set_sheet(
        USERS_SHEET,
        vec![
            support::app::users_sheet_header(),
            UserRow::new(ADMIN1, "鈴木", "一郎").to_values(),
        ],
    );
    let sheet = env.google.sheet(REQUEST_SHEET);
    assert_eq!(env.click(ADMIN1, true, ADMIN1).await.status, 200);
    let told = env.told(ADMIN1);
    assert!(
        told.len() == 1 && told[0].contains("B2（氏名）") && told[0].contains("直すべき点"),
        "{told:?}"
    );
    env.assert_unchanged(&sheet);
}

#[tokio::test]
async fn a_sheet_that_cannot_be_read_or_written_changes_nothing_and_says_press_again() {
    use support::google::Endpoint;
    let env = start(Setup::default()).await;
    let sheet = env.google.sheet(REQUEST_SHEET);
    env.google.fail_next(Endpoint::Read, 403, 100);
    assert_eq!(env.click(ADMIN1, true, ADMIN1).await.status, 200);
    env.google.fail_next(Endpoint::Read, 403, 0);
    env.google.fail_next(Endpoint::Write, 403, 100);
    assert_eq!(env.click(ADMIN1, false, ADMIN1).await.status, 200);
    env.google.fail_next(Endpoint::Write, 403, 0);
    let told = env.told(ADMIN1);
    assert_eq!(told.len(), 2, "{told:?}");
    assert!(told[0].contains("シートを読めなかった"), "{told:?}");
    assert!(told[1].contains("シートに書き込めなかった"), "{told:?}");
    assert!(
        told.iter().all(|t| t.contains("もう一度押してください")),
        "{told:?}"
    );
    env.assert_unchanged(&sheet);
    // Pressed again once the sheet answers: decided.
    assert_eq!(env.click(ADMIN1, true, ADMIN1).await.status, 200);
    assert!(env.cell_text(ISSUE_CELL).starts_with("承認済み"));
}

/// `keywarden serve` as configured from the environment: with `KEYWARDEN_ISSUE_POLICIES` the
/// endpoint decides key requests, learning the home account from STS (moto's) to compute the
/// request's ID as the run does.
#[tokio::test]
async fn serve_decides_with_the_home_account_from_sts() {
    use support::app::{ADMIN_IDS, TestEnv};

    let mut env = TestEnv::start().await;
    let (admin1, admin2) = (ADMIN_IDS[0], ADMIN_IDS[1]);
    env.set_users(&[tanaka(), UserRow::new(admin1, "鈴木", "一郎")]);
    let end = today() + chrono::Duration::days(30);
    // The approval request as the run posts it, one copy per administrator.
    let poster = SlackInteractive::new(
        &Secret::new(SLACK_TOKEN),
        &env.slack.api_url(),
        Duration::from_secs(2),
    )
    .unwrap();
    let (id, record) = post_request(&poster, &ADMIN_IDS, end).await;
    let mut header = support::app::request_sheet_header();
    header.push(json!("発行申請"));
    let mut row = request_row(end, "form-user@example.com");
    *row.last_mut().unwrap() = json!(record.to_cell());
    env.google.set_sheet(REQUEST_SHEET, vec![header, row]);

    env.set_env("SLACK_SIGNING_SECRET", SIGNING_SECRET);
    env.set_env(
        "KEYWARDEN_ISSUE_POLICIES",
        "読み取り=arn:aws:iam::aws:policy/ReadOnlyAccess",
    );
    let (mut child, base) = env.serve().await;
    let copy = &record.copies[1];
    let payload = button_click_on(
        (&copy.channel, &copy.ts),
        admin2,
        "keywarden_issue_reject",
        id.as_str(),
        &env.slack.response_url("click"),
    );
    let reply = post_signed(&base, &payload).await;
    child.kill().await.ok();
    assert_eq!(reply.status, 200);
    let cell = env
        .google
        .cell(REQUEST_SHEET, ISSUE_CELL)
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    assert!(
        cell.starts_with(&format!("却下 {id} {admin2} {}", today())),
        "the ID computed with moto's account matched: {cell} (told: {:?})",
        env.slack.responses()
    );
    assert_eq!(env.google.cell(REQUEST_SHEET, "K2"), Some(json!("却下")));
    assert_eq!(env.slack.updates().len(), 2, "every copy");
    assert!(
        env.iam.actions().is_empty(),
        "the endpoint never calls IAM: {:?}",
        env.iam.actions()
    );
}
