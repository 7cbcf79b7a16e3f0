//! `keywarden check`: a checklist an administrator runs after set-up. Each line is ✓ or ✗ with
//! what to fix; the exit status is 0 only when every line passes.

use std::path::Path;
use std::process::ExitCode;

use crate::configuration::Needs;
use crate::services::google::GoogleSheets;
use crate::services::iam::AwsIam;
use crate::services::slack::SlackDm;
use crate::services::{Iam, SheetStore};
use crate::sheet::{Directory, RequestTable};

struct Checklist {
    failed: bool,
}

impl Checklist {
    fn line(&mut self, ok: bool, what: &str, detail: &str) {
        self.failed |= !ok;
        let mark = if ok { "✓" } else { "✗" };
        println!(
            "{mark} {what}{}{detail}",
            if detail.is_empty() { "" } else { ": " }
        );
    }
}

pub async fn run(config: Option<&Path>) -> ExitCode {
    let mut list = Checklist { failed: false };
    let settings = match crate::cli::settings(
        config,
        Needs {
            google: true,
            slack: true,
        },
    ) {
        Ok(s) => {
            list.line(true, "configuration complete", "");
            s
        }
        Err(e) => {
            list.line(false, "configuration", &e.to_string());
            return ExitCode::from(2);
        }
    };
    let job = &settings.job;
    let mut sample_user = None;
    match GoogleSheets::connect(
        &settings.google_credentials,
        &settings.sheets_api_url,
        &settings.spreadsheet_id,
        settings.http_timeout,
    )
    .await
    {
        Err(e) => list.line(false, "service-account key", &e.to_string()),
        Ok(sheets) => {
            list.line(true, "service-account key readable", "");
            match sheets.read(&[&job.request_sheet, &job.users_sheet]).await {
                Err(e) => list.line(
                    false,
                    "spreadsheet readable (token obtained, sheets found)",
                    &e.to_string(),
                ),
                Ok(grids) => {
                    list.line(
                        true,
                        "spreadsheet readable (token obtained, sheets found)",
                        "",
                    );
                    match RequestTable::parse(&job.request_sheet, &grids[0]) {
                        Ok(t) => {
                            let unusable = t.rows.iter().filter(|r| r.valid.is_err()).count();
                            list.line(
                                true,
                                &format!(
                                    "sheet \"{}\" has every required header",
                                    job.request_sheet
                                ),
                                &format!(
                                    "{} rows, {unusable} with cells to fix (see `keywarden plan`)",
                                    t.rows.len()
                                ),
                            );
                            sample_user = t
                                .rows
                                .iter()
                                .find_map(|r| r.valid.as_ref().ok())
                                .map(|v| v.account.clone());
                        }
                        Err(e) => list.line(
                            false,
                            &format!("sheet \"{}\" headers", job.request_sheet),
                            &e.to_string(),
                        ),
                    }
                    match Directory::parse(&job.users_sheet, &grids[1]) {
                        Ok(d) if d.problems.is_empty() => {
                            list.line(true, &format!("sheet \"{}\" parsable", job.users_sheet), "")
                        }
                        Ok(d) => list.line(
                            false,
                            &format!("sheet \"{}\" rows", job.users_sheet),
                            &d.problems.join("; "),
                        ),
                        Err(e) => list.line(
                            false,
                            &format!("sheet \"{}\" headers", job.users_sheet),
                            &e.to_string(),
                        ),
                    }
                }
            }
        }
    }
    match settings
        .slack_token
        .as_ref()
        .map(|t| SlackDm::new(t, &settings.slack_api_url, settings.http_timeout))
    {
        Some(Ok(slack)) => match slack.auth_test().await {
            Ok(who) => list.line(true, "Slack token valid (auth.test)", &who),
            Err(e) => list.line(false, "Slack token", &e.to_string()),
        },
        Some(Err(e)) => list.line(false, "Slack client", &e.to_string()),
        None => list.line(false, "Slack token", "SLACK_BOT_TOKEN is not set"),
    }
    if job.admins.is_empty() {
        list.line(
            false,
            "administrators",
            "KEYWARDEN_ADMIN_SLACK_IDS is empty: nobody would hear of problems",
        );
    } else {
        list.line(
            true,
            "administrators configured",
            &job.admins
                .iter()
                .map(|a| a.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    let iam = AwsIam::from_environment().await;
    match sample_user {
        Some(user) => match iam.inventory(&user).await {
            Ok(_) => list.line(true, "IAM reachable", &format!("read user {user}")),
            Err(e) => list.line(
                false,
                "IAM reachable",
                &format!(
                    "{e} (check the AWS credentials and the IAM permissions listed in the README)"
                ),
            ),
        },
        None => list.line(false, "IAM reachable", "no readable row to try a user with"),
    }
    if list.failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
