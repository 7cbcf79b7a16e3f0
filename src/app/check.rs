//! `keywarden check`: a checklist an administrator runs after set-up. Each line is ✓ or ✗ with
//! what to fix; the exit status is 0 only when every line passes (2 for bad configuration).

use std::path::Path;
use std::process::ExitCode;

use crate::adapters::accounts::AwsAccounts;
use crate::adapters::iam::AwsIam;
use crate::adapters::secrets::SecretsManager;
use crate::adapters::slack::SlackDm;
use crate::adapters::{Fleet, Iam, SheetStore};
use crate::app::connect;
use crate::configuration::Needs;
use crate::core::domain::{Accounts, AccountsSetting};
use crate::core::sheet::{Directory, RequestTable};

#[derive(Default)]
struct Checklist {
    failed: bool,
}

/// One line of the checklist: what was checked, then how it went.
#[derive(Debug, Clone, Copy)]
enum Line<'a> {
    /// ✓, with what was found (may be empty).
    Pass { what: &'a str, detail: &'a str },
    /// ✗, with what to fix.
    Fail { what: &'a str, fix: &'a str },
    /// –, not tried because what it needs failed above (or is not there yet): not a pass.
    Skip { what: &'a str, why: &'a str },
}

/// The text of a line as `check` prints it (pure, so that a snapshot pins every kind).
fn render(line: Line) -> String {
    match line {
        Line::Pass { what, detail } => format!("✓ {what}{}", suffix(detail)),
        Line::Fail { what, fix } => format!("✗ {what}{}", suffix(fix)),
        Line::Skip { what, why } => format!("– {what} — skipped: {why}"),
    }
}

/// The line of a check that came to `result`.
fn result_line<'a>(what: &'a str, result: &'a Result<String, String>) -> Line<'a> {
    match result {
        Ok(detail) => Line::Pass { what, detail },
        Err(fix) => Line::Fail { what, fix },
    }
}

impl Checklist {
    fn print(&mut self, line: Line) {
        if !matches!(line, Line::Pass { .. }) {
            self.failed = true;
        }
        println!("{}", render(line));
    }

    fn pass(&mut self, what: &str, detail: &str) {
        self.print(Line::Pass { what, detail });
    }

    fn fail(&mut self, what: &str, fix: &str) {
        self.print(Line::Fail { what, fix });
    }

    fn skip(&mut self, what: &str, why: &str) {
        self.print(Line::Skip { what, why });
    }

    fn line(&mut self, result: Result<String, String>, what: &str) {
        self.print(result_line(what, &result));
    }
}

fn suffix(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!(" — {text}")
    }
}

/// Whether the bot's scopes (the `x-oauth-scopes` header of `auth.test`) allow its DMs.
fn chat_write(scopes: Option<&[String]>) -> Result<String, String> {
    const FIX: &str = "add the chat:write Bot Token Scope under OAuth & Permissions in the Slack \
                       app's settings, reinstall the app to the workspace, and use the new \
                       Bot User OAuth Token";
    match scopes {
        None => Err(format!(
            "Slack did not say the bot's scopes (no x-oauth-scopes header, or auth.test \
             failed): if DMs fail, {FIX}"
        )),
        Some(scopes) if scopes.iter().any(|s| s == "chat:write") => {
            Ok(format!("scopes: {}", scopes.join(", ")))
        }
        Some(scopes) => Err(format!(
            "the token lacks chat:write (it has: {}): {FIX}",
            if scopes.is_empty() {
                "none".to_string()
            } else {
                scopes.join(", ")
            }
        )),
    }
}

pub async fn run(config: Option<&Path>) -> ExitCode {
    let mut list = Checklist::default();
    let settings = match crate::app::connect::settings(
        config,
        Needs {
            google: true,
            slack: true,
            signing_secret: false,
        },
    ) {
        Ok(s) => {
            list.pass("configuration complete", "");
            s
        }
        Err(e) => {
            list.fail("configuration", &e.to_string());
            return ExitCode::from(2);
        }
    };
    let job = &settings.job;
    // Each credential on its own line: a bad key file must not hide a bad Slack token.
    let aws = crate::adapters::aws::load().await;
    let vault = SecretsManager::new(&aws);
    let iam = AwsIam::new(&aws);
    let sheets = match connect::sheets(&settings, &vault, settings.http_timeout).await {
        Ok(sheets) => {
            list.pass("credentials: Google key read", "");
            Some(sheets)
        }
        Err(e) => {
            list.fail("credentials: Google key", &e);
            None
        }
    };
    let slack =
        match connect::secret_or_named(&vault, &settings.slack_token, &settings.slack_token_secret)
            .await
            .and_then(|token| {
                token
                    .map(|t| SlackDm::new(&t, &settings.slack_api_url, settings.http_timeout))
                    .transpose()
                    .map_err(|e| e.to_string())
            }) {
            Ok(slack) => {
                list.pass("credentials: Slack token read", "");
                slack
            }
            Err(e) => {
                list.fail("credentials: Slack token", &e);
                None
            }
        };

    let mut sample_user = None;
    let mut sheet_read = false;
    let mut account_column = false;
    let read = match &sheets {
        Some(sheets) => Some(sheets.read(&[&job.request_sheet, &job.users_sheet]).await),
        None => None,
    };
    match read {
        None => list.skip(
            "spreadsheet readable (token obtained, both sheets found)",
            "no Google key (see above)",
        ),
        Some(Err(e)) => list.fail(
            "spreadsheet readable (token obtained, both sheets found)",
            &e.to_string(),
        ),
        Some(Ok(grids)) => {
            sheet_read = true;
            list.pass(
                "spreadsheet readable (token obtained, both sheets found)",
                "",
            );
            let requests = RequestTable::parse(&job.request_sheet, &grids[0]).map(|t| {
                account_column = t.layout.aws_account.is_some();
                let unusable = t
                    .rows
                    .iter()
                    .filter(|r| {
                        r.status != crate::core::domain::RowStatus::Deleted && r.valid().is_err()
                    })
                    .count();
                sample_user = t
                    .rows
                    .iter()
                    .find_map(|r| r.valid().ok())
                    .map(|v| v.user.clone());
                format!(
                    "{} rows, {unusable} with cells to fix (see `keywarden plan`)",
                    t.rows.len()
                )
            });
            list.line(
                requests.map_err(|e| e.to_string()),
                &format!("sheet \"{}\" has every required header", job.request_sheet),
            );
            let users = Directory::parse(&job.users_sheet, &grids[1])
                .map_err(|e| e.to_string())
                .and_then(|d| {
                    if d.problems.is_empty() {
                        Ok(String::new())
                    } else {
                        Err(d
                            .problems
                            .iter()
                            .map(|p| p.to_string())
                            .collect::<Vec<_>>()
                            .join("; "))
                    }
                });
            list.line(users, &format!("sheet \"{}\" parsable", job.users_sheet));
        }
    }

    match &slack {
        None => list.skip(
            "Slack token valid (auth.test)",
            "no Slack token (see above)",
        ),
        Some(slack) => {
            // Reads only: `check` never posts, not even a test message (docs/rules.md §6).
            let auth = slack.auth_check().await;
            let answered = auth.is_ok();
            let scopes = auth.as_ref().ok().and_then(|a| a.scopes.clone());
            list.line(
                auth.map(|a| a.bot).map_err(|e| e.to_string()),
                "Slack token valid (auth.test)",
            );
            match job.admins.first() {
                None => list.fail(
                    "administrators",
                    "KEYWARDEN_ADMIN_SLACK_IDS is empty: nobody would hear of problems",
                ),
                Some(_) if !answered => list.skip(
                    "the bot can DM administrators (chat:write scope)",
                    "auth.test did not succeed (see above), so the scopes are unknown",
                ),
                Some(_) => list.line(
                    chat_write(scopes.as_deref()),
                    "the bot can DM administrators (chat:write scope)",
                ),
            }
        }
    }

    // docs/rules.md §9: on when a signing secret is configured; reading it is all `check` does.
    let ext = &settings.extensions;
    match (&ext.signing_secret, &ext.signing_secret_name) {
        (Some(_), _) => list.pass(
            "extension requests from Slack: on",
            "SLACK_SIGNING_SECRET is set; Slack's Interactivity Request URL must point at \
             `keywarden serve` (…/slack/interactions) or the Lambda Function URL",
        ),
        (None, Some(name)) => list.line(
            vault
                .fetch(name)
                .await
                .map(|_| format!("signing secret read from Secrets Manager secret \"{name}\""))
                .map_err(|e| e.to_string()),
            "extension requests from Slack: on",
        ),
        // Socket Mode: the app token is not tried here (opening a connection is not reading).
        (None, None) if ext.socket_mode() => list.pass(
            "extension requests from Slack: on",
            "SLACK_APP_TOKEN is set: `keywarden serve` answers over Socket Mode",
        ),
        (None, None) => list.pass(
            "extension requests from Slack: off",
            "set SLACK_SIGNING_SECRET (the Slack app's Signing Secret) to turn them on",
        ),
    }

    match sample_user {
        Some(user) => list.line(
            iam.inventory(&user)
                .await
                .map(|found| {
                    format!(
                        "read IAM user {user}{}",
                        if found.is_some() { "" } else { " (not found)" }
                    )
                })
                .map_err(|e| {
                    format!("{e} (check the AWS credentials and the IAM permissions in docs/guide.md, Set-up)")
                }),
            "IAM reachable",
        ),
        None if !sheet_read => list.skip(
            "IAM reachable",
            "the request sheet could not be read (see above), so there is no IAM user to try",
        ),
        None => list.skip(
            "IAM reachable",
            "no readable row in the request sheet to try an IAM user with: run check again \
             once the sheet has one",
        ),
    }
    let qualified = job.accounts.protected.iter().any(|p| p.is_qualified());
    if !job.accounts.setting.is_home_only() || account_column || qualified {
        accounts(&mut list, &settings, &aws, &iam).await;
    }
    if let Some(issue) = &job.issue {
        issuance(&mut list, &settings, &aws, &iam, issue).await;
    }
    if list.failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// docs/rules.md §10: every account keywarden may act in, entered (AssumeRole) and read once; one
/// line each. Nothing is changed in any of them. Protected users qualified by an account get
/// one line: each must name one of these accounts.
async fn accounts(
    list: &mut Checklist,
    settings: &crate::configuration::Settings,
    aws: &aws_config::SdkConfig,
    home_iam: &AwsIam,
) {
    let job = &settings.job;
    let fleet = AwsAccounts::new(aws, &job.accounts, settings.today(None));
    let home = match fleet.home().await {
        Ok(home) => home,
        Err(e) => {
            list.fail("AWS home account (sts:GetCallerIdentity)", &e.to_string());
            return;
        }
    };
    let others = match &job.accounts.setting {
        AccountsSetting::HomeOnly => Vec::new(),
        AccountsSetting::Listed(list) => list.clone(),
        AccountsSetting::Organization => match fleet.organization().await {
            Ok(accounts) => accounts,
            Err(e) => {
                list.fail(
                    "AWS Organization's accounts (organizations:ListAccounts)",
                    &e.to_string(),
                );
                return;
            }
        },
    };
    let accounts = Accounts::new(home, others);
    if job.accounts.protected.iter().any(|p| p.is_qualified()) {
        let result = accounts.check_protected_users(&job.accounts.protected);
        let ok = "every entry that names an account names an allowed one";
        list.line(result.map(|()| ok.to_string()), "protected users' accounts");
    }
    let role = job.accounts.role_arn(&accounts.home().id);
    let role = role.rsplit(':').next().unwrap_or_default().to_string();
    for (i, account) in accounts.all().enumerate() {
        let what = format!("AWS account {account}");
        let result = if i == 0 {
            home_iam
                .probe()
                .await
                .map(|()| "home account (own credentials): IAM readable".to_string())
        } else {
            match fleet.enter(&account.id).await {
                Ok((iam, _)) => iam
                    .probe()
                    .await
                    .map(|()| format!("entered ({role}): IAM readable")),
                Err(e) => Err(e),
            }
        };
        list.line(result.map_err(|e| e.to_string()), &what);
    }
}

/// docs/rules.md §12: each policy of `KEYWARDEN_ISSUE_POLICIES` and the boundary read in the
/// home account (`iam:GetPolicy`), one line each; a missing one is named.
async fn issuance(
    list: &mut Checklist,
    settings: &crate::configuration::Settings,
    aws: &aws_config::SdkConfig,
    iam: &AwsIam,
    issue: &crate::core::issue::IssueSettings,
) {
    let fleet = AwsAccounts::new(aws, &settings.job.accounts, settings.today(None));
    let home = match fleet.home().await {
        Ok(home) => home,
        Err(e) => {
            list.fail(
                "key issuance: AWS home account (sts:GetCallerIdentity)",
                &e.to_string(),
            );
            return;
        }
    };
    let mut policies: Vec<(String, String)> = issue
        .policies
        .iter()
        .map(|p| {
            (
                format!("key issuance: policy of {}", p.name),
                p.arn_for(&home),
            )
        })
        .collect();
    if let Some(boundary) = issue.boundary_for(&home) {
        policies.push(("key issuance: permissions boundary".into(), boundary));
    }
    for (what, arn) in policies {
        let result = match iam.policy_attachments(&arn).await {
            Ok(Some(_)) => Ok(format!("{arn} exists")),
            Ok(None) => Err(format!(
                "{arn} does not exist in {home}: create it, or correct KEYWARDEN_ISSUE_POLICIES \
                 / KEYWARDEN_ISSUE_BOUNDARY"
            )),
            Err(e) => Err(format!("{arn} could not be read: {e}")),
        };
        list.line(result, &what);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_write_comes_from_the_scopes() {
        let scopes = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(chat_write(Some(&scopes(&["chat:write", "im:write"]))).is_ok());
        let missing = chat_write(Some(&scopes(&["chat:write.public", "users:read"]))).unwrap_err();
        assert!(
            missing.contains("lacks chat:write") && missing.contains("reinstall"),
            "{missing}"
        );
        assert!(chat_write(Some(&[])).unwrap_err().contains("has: none"));
        assert!(chat_write(None).is_err());
    }

    /// Every kind of line `check` prints, with the scope check's words: a change of what an
    /// administrator reads is a reviewed diff of `snapshots/`.
    #[test]
    fn every_kind_of_line() {
        let scopes = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let dm = "the bot can DM administrators (chat:write scope)";
        let results = [
            chat_write(Some(&scopes(&["chat:write", "im:write"]))),
            chat_write(Some(&scopes(&["chat:write.public", "users:read"]))),
            chat_write(Some(&[])),
            chat_write(None),
        ];
        let mut lines = vec![
            Line::Pass {
                what: "configuration complete",
                detail: "",
            },
            Line::Fail {
                what: "administrators",
                fix: "KEYWARDEN_ADMIN_SLACK_IDS is empty: nobody would hear of problems",
            },
            Line::Skip {
                what: "Slack token valid (auth.test)",
                why: "no Slack token (see above)",
            },
        ];
        lines.extend(results.iter().map(|r| result_line(dm, r)));
        let text: Vec<String> = lines.into_iter().map(render).collect();
        insta::assert_snapshot!(text.join("\n"));
    }
}
