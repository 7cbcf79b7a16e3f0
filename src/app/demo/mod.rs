//! `keywarden demo`: the whole job, offline, on the bundled example sheet (`demo/`), against
//! in-memory stand-ins of the three services. It is a dry run: it shows the Slack messages it
//! would send and the IAM steps it would take, and changes nothing.

use std::collections::HashMap;

use chrono::NaiveDate;

mod accounts;
mod extension;
mod issuance;
#[cfg(test)]
mod snapshot_tests;
#[cfg(test)]
mod tests;

use crate::adapters::memory::{MemorySheets, NoSlack, NoVault};
use crate::app::run::{Deadline, Fatal, Job, Mode};
use crate::configuration::JobSettings;
use crate::core::domain::{AccountsSetting, SlackUserId};
use crate::core::plan::Rules;
use crate::core::report::{ActionKind, Outcome, Report};
use crate::core::sheet::Grid;

/// The day the example data was written for.
pub const DEMO_TODAY: &str = "2026-11-22";
const REQUESTS: &str = include_str!("../../../demo/key_request_form.json");
const USERS: &str = include_str!("../../../demo/users_json.json");

/// A day the documents point at, and what the bundled data shows on it.
pub struct DemoDay {
    pub date: &'static str,
    pub shows: &'static str,
}

/// The days worth showing; the first is the default. Each starts from the same bundled data.
pub const DEMO_DAYS: &[DemoDay] = &[
    DemoDay {
        date: DEMO_TODAY,
        shows: "a notice with the extension button (row 2, 本番), two teardowns in 検証 (row 3; \
                row 9, whose user is already gone), an unreadable date, an owner missing from \
                users_json",
    },
    DemoDay {
        date: "2026-11-30",
        shows: "a week later, with nobody having asked for an extension: row 2 torn down in \
                本番, row 7's teardown with an owner who cannot be told, a notice in 検証 \
                (row 10)",
    },
];

pub fn settings() -> JobSettings {
    JobSettings {
        request_sheet: "key_request_form".into(),
        users_sheet: "users_json".into(),
        admins: vec![SlackUserId::parse("U0ADMIN001").expect("valid")],
        rules: Rules {
            notify_days: 7,
            max_deletions: 10,
            deactivate_grace: 0,
        },
        protected_users: Vec::new(),
        iam_path_prefix: "/".into(),
        hygiene: Default::default(),
        timezone: chrono_tz::Tz::Asia__Tokyo,
        extension_requests: true,
        concurrency: 4,
        accounts: crate::configuration::AccountSettings {
            setting: AccountsSetting::Listed(accounts::listed()),
            ..Default::default()
        },
        log_sheet: "keywarden_log".into(),
        days_ahead: None,
        issue: None,
    }
}

pub fn demo_today() -> NaiveDate {
    DEMO_TODAY.parse().expect("valid constant date")
}

pub async fn run(today: NaiveDate) -> Result<Report, Fatal> {
    let grid = |text: &str| -> Grid {
        serde_json::from_str(text).expect("bundled demo data is valid JSON")
    };
    let sheets = MemorySheets(HashMap::from([
        ("key_request_form".to_string(), grid(REQUESTS)),
        ("users_json".to_string(), grid(USERS)),
    ]));
    let settings = settings();
    let (home, fleet) = (accounts::account(accounts::HOME), accounts::fleet());
    let job = Job::new(
        &settings,
        &sheets,
        &NoSlack,
        &home,
        &NoVault,
        &fleet,
        Deadline::none(),
    );
    job.run(today, Mode::DryRun).await
}

/// Key issuance walked through on `today` (docs/rules.md §12): one request asked for, one
/// approved request issued, against in-memory stand-ins.
pub async fn issuance_walkthrough(today: NaiveDate) -> Result<String, String> {
    issuance::walkthrough(today).await
}

/// The extension walk-through of one day: which row it is for, and the text.
pub struct Walkthrough {
    /// `None`: no owner got a notice with the button that day, so there is nothing to click.
    pub row: Option<usize>,
    pub text: String,
}

/// One extension request, from the owner's click to the approval, for a row whose owner gets
/// the notice with the "延長を申請する" button in `report` (the day's run): nobody else has a
/// button to click.
pub async fn extension_walkthrough(report: &Report) -> Result<Walkthrough, String> {
    let noticed = report.actions.iter().find_map(|a| {
        (a.action == ActionKind::Notify && a.outcome == Outcome::Planned)
            .then_some(a.row)
            .flatten()
    });
    let Some(row) = noticed else {
        let others: Vec<String> = DEMO_DAYS
            .iter()
            .map(|d| format!("--today {}", d.date))
            .collect();
        return Ok(Walkthrough {
            row: None,
            text: format!(
                "\n== 延長申請の流れ ==\n\nNo owner gets a notice with the 「延長を申請する」 \
                 button on {}, so there is no extension request to walk through; try \
                 `keywarden demo {}`.\n",
                report.today,
                others.join("` or `keywarden demo ")
            ),
        });
    };
    let grid = |text: &str| -> Grid {
        serde_json::from_str(text).expect("bundled demo data is valid JSON")
    };
    let admin = settings()
        .admins
        .first()
        .cloned()
        .ok_or("no administrator")?;
    let text =
        extension::walkthrough(grid(REQUESTS), grid(USERS), report.today, admin, row).await?;
    Ok(Walkthrough {
        row: Some(row),
        text,
    })
}

/// Which day the demo shows, what that day holds, and how to see another.
fn day_banner(today: NaiveDate) -> String {
    let date = today.to_string();
    let mut out = format!(
        "demo: the bundled example sheet (demo/) and its two AWS accounts, 本番 ({}) and 検証 \
         ({}), on {date}",
        accounts::HOME,
        accounts::STAGING
    );
    match DEMO_DAYS.iter().find(|d| d.date == date) {
        Some(day) => out.push_str(&format!(": {}.\n", day.shows)),
        None => out.push_str(&format!(" (the data was written for {DEMO_TODAY}).\n")),
    }
    let others: Vec<&str> = DEMO_DAYS
        .iter()
        .map(|d| d.date)
        .filter(|d| *d != date)
        .collect();
    out.push_str(&format!(
        "Another day: `keywarden demo --today YYYY-MM-DD` (e.g. {}). Every day starts from the \
         same bundled data, as if keywarden had not run on it before.\n\n",
        others.join(", ")
    ));
    out
}

/// The demo's report for people: the plan table, the messages and the IAM steps.
pub fn render(report: &Report) -> String {
    let mut out = day_banner(report.today);
    out.push_str(&report.to_table());
    out.push_str(
        "\n== Slack messages that would be sent (a teardown's DM once its IAM steps are done) ==\n",
    );
    for m in &report.messages {
        out.push_str(&format!("\n--- to {} ---\n{}\n", m.to, m.text));
    }
    out.push_str("\n== IAM steps that would be taken ==\n");
    for (user, steps) in &report.iam_steps {
        // Two accounts: say which one each user is in, as the summary does.
        let account = report
            .actions
            .iter()
            .find(|a| a.action == ActionKind::Delete && a.user == *user)
            .and_then(|a| {
                let id = a.aws_account.as_deref()?;
                Some(match a.aws_account_alias.as_deref() {
                    Some(alias) => format!(" in {alias} ({id})"),
                    None => format!(" in {id}"),
                })
            })
            .unwrap_or_default();
        out.push_str(&format!("\n{user}{account}:\n"));
        for (i, step) in steps.iter().enumerate() {
            out.push_str(&format!("  {}. {step}\n", i + 1));
        }
    }
    out.push_str("\n(demo: a dry run on the bundled example data in demo/; nothing was changed)\n");
    out
}
