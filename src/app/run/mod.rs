//! The daily run (docs/rules.md §3, §4, §8) as a sequence of phases. Each phase is a small function
//! that returns typed [`ActionOutcome`]s; the sheet writes, the administrators' summary and the
//! report are derived from them. A dry run performs every read and stops before the first
//! write — decided here and in the phases, never in the adapters.
//!
//! Order matters for what survives a crash or a Lambda time-out (docs/rules.md §4 "When results
//! reach the sheet"): IAM work, then its sheet writes, and only then the DMs about it; the notices,
//! which depend on no IAM result, go out meanwhile and never hold the IAM writes back.

mod accounts;
mod deactivations;
mod deadline;
mod issuance;
mod key_rules;
mod log;
mod notices;
mod owner_dms;
mod prove;
mod rows;
mod summary;
mod teardowns;
mod untag;
mod write_back;

use chrono::NaiveDate;

pub use deadline::Deadline;

use crate::adapters::{Fleet, Iam, Messenger, ServiceError, SheetStore, Vault};
use crate::app::log_sheet;
use crate::configuration::JobSettings;
use crate::core::ahead::{self, SUMMARY_DAYS};
use crate::core::issue::is_request;
use crate::core::outcome::{
    Action, ActionOutcome, Alert, Ask, Lang, action_records, untold_records,
};
use crate::core::plan::Plan;
use crate::core::report::Report;
use crate::core::sheet::{
    Block, Directory, DirectorySink, HeaderError, RequestRow, RequestTable, RequestTableSink,
};

use accounts::IamStage;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Run,
    DryRun,
}

/// Which run: the daily job, or `keywarden requests` — key issuance's steps 1 and 3 alone
/// (docs/rules.md §12), cheap enough for every 15 minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    Daily,
    Requests,
}

/// Nothing could run (exit 2): the sheets could not be read or understood.
#[derive(Debug, thiserror::Error)]
pub enum Fatal {
    #[error("could not read the spreadsheet: {0}")]
    Read(ServiceError),
    #[error("{0}")]
    Headers(#[from] HeaderError),
    /// The AWS accounts of the run could not be known (docs/rules.md §10).
    #[error("{0}")]
    Accounts(String),
}

/// The outside services of a run, by type: one parameter for the run's functions instead of
/// four. Implemented for the tuple `(sheets, slack, iam, vault)` that [`Job::new`] is given.
pub trait Services {
    type Sheets: SheetStore;
    type Slack: Messenger;
    type Iam: Iam + Sync;
    type Vault: Vault + Sync;
}

impl<S: SheetStore, M: Messenger, I: Iam + Sync, V: Vault + Sync> Services for (S, M, I, V) {
    type Sheets = S;
    type Slack = M;
    type Iam = I;
    type Vault = V;
}

/// The services a run talks to, and its settings. Within one AWS account's work (see
/// [`accounts`]) `iam`, `vault` and `settings` are that account's.
pub struct Job<'a, X: Services> {
    pub settings: &'a JobSettings,
    pub sheets: &'a X::Sheets,
    pub slack: &'a X::Slack,
    pub iam: &'a X::Iam,
    /// Where rotated keys are stored (docs/rules.md §8); never asked unless rotation is configured.
    pub vault: &'a X::Vault,
    /// The other AWS accounts (docs/rules.md §10): who we are, and the way into each.
    pub fleet: &'a dyn Fleet<X::Iam, X::Vault>,
    /// When the run must have written what it has (Lambda); [`Deadline::none`] elsewhere.
    pub deadline: Deadline,
}

impl<'a, S: SheetStore, M: Messenger, I: Iam + Sync, V: Vault + Sync> Job<'a, (S, M, I, V)> {
    pub fn new(
        settings: &'a JobSettings,
        sheets: &'a S,
        slack: &'a M,
        iam: &'a I,
        vault: &'a V,
        fleet: &'a dyn Fleet<I, V>,
        deadline: Deadline,
    ) -> Self {
        Job {
            settings,
            sheets,
            slack,
            iam,
            vault,
            fleet,
            deadline,
        }
    }
}

impl<X: Services> Job<'_, X> {
    /// One run: resolve the accounts → one plan of the whole sheet → per account, the proof
    /// and the IAM phases → the staged writes → the notices → the summary and the report.
    pub async fn run(&self, today: NaiveDate, mode: Mode) -> Result<Report, Fatal> {
        self.run_pass(today, mode, Pass::Daily).await
    }

    /// `keywarden requests`: key issuance's steps 1 and 3 alone (docs/rules.md §12). The same
    /// path with nothing but the requests: no row of §3 is acted on, no key rule runs, no
    /// notice goes out.
    pub async fn requests(&self, today: NaiveDate, mode: Mode) -> Result<Report, Fatal> {
        let quiet = JobSettings {
            hygiene: Default::default(),
            days_ahead: None,
            ..self.settings.clone()
        };
        let job = Job::<X> {
            settings: &quiet,
            sheets: self.sheets,
            slack: self.slack,
            iam: self.iam,
            vault: self.vault,
            fleet: self.fleet,
            deadline: self.deadline,
        };
        job.run_pass(today, mode, Pass::Requests).await
    }

    async fn run_pass(&self, today: NaiveDate, mode: Mode, pass: Pass) -> Result<Report, Fatal> {
        let s = self.settings;
        // One ID for the run: in the report and on every line it appends to the log sheet.
        let run_id = log_sheet::new_id(log_sheet::now(s.timezone));
        let (mut table, directory) = self.read().await?;
        let accounts = accounts::resolve(self, &mut table).await?;
        let started = std::time::Instant::now();
        // The decision table runs once, over the whole sheet, and speaks for the rows of the
        // daily pass only; key requests are issuance's when it is on. The plan and the
        // report's skipped lines both keep just these rows.
        let daily_row =
            |r: &RequestRow| pass == Pass::Daily && !(s.issue.is_some() && is_request(r));
        let mut plan = Plan::build(&table, &directory, today, s.rules);
        plan.rows.retain(|p| daily_row(p.row));
        let requests = match (&s.issue, accounts.all()) {
            (Some(issue), Some(all)) => {
                issuance::collect(&table, &issuance::context(s, issue, all, &directory, today))
            }
            _ => Default::default(),
        };
        let target = accounts.all().map(|all| issuance::sheet::Target {
            accounts: all,
            directory: &directory,
            today,
        });
        tracing::info!(
            rows = table.rows.len(),
            attention = plan.rows.len(),
            deletions_due = plan.deletions_due(),
            parse_plan_us = started.elapsed().as_micros() as u64,
            "sheets read and planned"
        );
        // The one index of what the whole sheet holds; the IAM stage owns it from here.
        let mut holdings = plan.holdings(&table);
        let sheet_alerts = match pass {
            Pass::Daily => rows::alerts(&directory, &holdings),
            Pass::Requests => Vec::new(),
        };
        // Rows nothing is done to: the unusable ones decided by the plan alone (the skipped
        // ones are not in it: their lines are made for the report).
        let unusable = rows::unusable(&plan);

        // The owners' notices need nothing but the plan: they go out while IAM works, and
        // the IAM results still reach the sheet without waiting on any of them.
        let iam = async {
            // The key proves the account before any account is entered; a refused row is
            // not acted on, but still claims its key and user.
            let refused = accounts::prove_keys(self, &accounts, &plan, &mut holdings).await;
            let mut stage = accounts::iam_stage(
                self,
                &accounts,
                &table,
                &directory,
                &plan,
                &holdings,
                refused,
                &requests,
                target.as_ref(),
                today,
                mode,
            )
            .await;
            // IAM results reach the sheet before anything waits on Slack, and then their lines
            // reach the log sheet.
            if mode == Mode::Run {
                write_back::run(
                    self,
                    &table.layout,
                    stage.rows.iter_mut().chain(stage.keys.iter_mut()),
                )
                .await;
            }
            // A user kept by a key-only deletion loses its teardown tag once 削除済み is
            // written (a tag left behind is an alert of the row).
            let entered = std::mem::take(&mut stage.entered);
            let kept_tags = untag::run(self, accounts.known(), entered, &stage.rows, mode).await;
            stage.rows.extend(kept_tags);
            // Skips are not logged.
            let mut lines = action_records(&unusable, Lang::Ja);
            lines.extend(action_records(&stage.rows, Lang::Ja));
            lines.extend(action_records(&stage.keys, Lang::Ja));
            stage.log_failed = log::append(self, &run_id, &lines, mode).await;
            drop(lines);
            // The owners' DMs of the IAM phases.
            owner_dms::send_all(
                self,
                stage.rows.iter_mut().chain(stage.keys.iter_mut()),
                mode,
            )
            .await;
            // Then the key requests whose user name is free are asked for approval.
            if let Some(target) = &target {
                let to_ask = std::mem::take(&mut stage.to_ask);
                let asked = issuance::ask(self, to_ask, target, mode).await;
                stage.asked.extend(asked);
            }
            stage
        };
        let (stage, mut notices) = tokio::join!(iam, notices::run(self, &plan, mode));
        // The plan, its index and the directory have done their work; the rows are still
        // read (the write-back, the days ahead, the report's skipped lines).
        drop((holdings, plan, directory));
        let IamStage {
            rows: mut iam_rows,
            keys: key_outcomes,
            alerts: key_alerts,
            caps,
            log_failed,
            asked,
            ..
        } = stage;
        // Then 通知日 of the notices delivered.
        if mode == Mode::Run {
            write_back::run(self, &table.layout, notices.iter_mut()).await;
        }
        let mut alerts = sheet_alerts;
        if pass == Pass::Daily {
            alerts.extend(rows::pending_extensions(&table));
        }
        alerts.extend(key_alerts);
        let mut late_alerts = caps.alerts();
        if self.deadline.passed() {
            late_alerts.push(ActionOutcome::alert(Alert::OutOfTime));
        }
        late_alerts.extend(log_failed);
        // The requests decided by the sheet alone (refused, waiting), and the ones asked.
        let mut request_lines = requests.settled;
        request_lines.extend(asked);
        // The 15-minute pass leaves a refused request to the daily run: administrators hear
        // of it once a day, not 96 times.
        let told = |o: &ActionOutcome| {
            pass == Pass::Daily || !matches!(o.action, Action::IssueRequest(Ask::Refused(_)))
        };
        // The log's second stage: the notices, the requests, the owners the IAM phases could
        // not tell, and the run-wide alerts.
        let mut lines = action_records(&notices, Lang::Ja);
        let told_requests: Vec<ActionOutcome> =
            request_lines.iter().filter(|o| told(o)).cloned().collect();
        lines.extend(action_records(&told_requests, Lang::Ja));
        lines.extend(untold_records(&told_requests, Lang::Ja));
        lines.extend(untold_records(&iam_rows, Lang::Ja));
        lines.extend(untold_records(&key_outcomes, Lang::Ja));
        lines.extend(action_records(&alerts, Lang::Ja));
        lines.extend(action_records(&late_alerts, Lang::Ja));
        late_alerts.extend(log::append(self, &run_id, &lines, mode).await);
        drop(lines);

        // What the sheet as it stands makes happen on the days ahead (the summary's week,
        // and `plan --days N`), before the sheets are dropped.
        let horizon = s.days_ahead.unwrap_or(0).max(SUMMARY_DAYS);
        let upcoming = ahead::upcoming(&table.rows, today, s.rules, horizon);
        let within = |days: u32| {
            let last = today + chrono::Days::new(days.into());
            upcoming
                .iter()
                .filter(|u| u.date <= last)
                .cloned()
                .collect::<Vec<_>>()
        };
        let week = within(SUMMARY_DAYS);
        let days_ahead = s.days_ahead.map(|days| (days, within(days)));
        drop(upcoming);

        // Every line in sheet order (the skipped rows' lines are merged in by the report),
        // then the run-wide alerts, the key rules and the late alerts.
        let mut outcomes = unusable;
        iam_rows.extend(request_lines);
        outcomes.extend(iam_rows);
        outcomes.extend(notices);
        outcomes.sort_by_key(|o| o.subject.row);
        let in_row_order = outcomes.len();
        outcomes.extend(alerts);
        outcomes.extend(key_outcomes);
        outcomes.extend(late_alerts);

        // Each action's end date, for the report, from the rows as read (in row order).
        for o in &mut outcomes {
            o.end_date = o.subject.row.and_then(|n| {
                let i = table.row_index(n)?;
                table.rows[i].valid().ok().map(|v| v.end)
            });
        }

        // The administrators' summary, derived from every outcome; a summary that did not
        // arrive is the log's last line.
        let (sent, failures) = match pass {
            Pass::Daily => summary::send_summary(self, today, &outcomes, Some(&week), mode).await,
            // A request asked is news to nobody (the administrators got the question): the
            // 15-minute pass writes only when it issued something or something went wrong.
            Pass::Requests => {
                let told: Vec<ActionOutcome> = outcomes
                    .iter()
                    .filter(|o| told(o))
                    .filter(|o| {
                        !matches!(o.action, Action::IssueRequest(_))
                            || o.outcome() != crate::core::outcome::Outcome::Done
                    })
                    .cloned()
                    .collect();
                summary::send_summary(self, today, &told, None, mode).await
            }
        };
        let lines = action_records(&failures, Lang::Ja);
        outcomes.extend(failures);
        outcomes.extend(log::append(self, &run_id, &lines, mode).await);
        let mut report = Report::build(today, &run_id, &outcomes, sent).with_skipped(
            &outcomes[..in_row_order],
            rows::skipped_lines(&table, daily_row),
        );
        drop(table);
        if let Some((days, items)) = days_ahead {
            report.days_ahead = days;
            report.ahead = Some(items);
        }
        report.dry_run = mode == Mode::DryRun;
        Ok(report)
    }

    /// Both sheets in one request, decoded row by row: no grid of either sheet is ever held.
    async fn read(&self) -> Result<(RequestTable, Directory), Fatal> {
        let s = self.settings;
        let mut requests = RequestTableSink::new(&s.request_sheet);
        let mut users = DirectorySink::new(&s.users_sheet);
        self.sheets
            .read_into(
                &[Block::whole(&s.request_sheet), Block::whole(&s.users_sheet)],
                &mut [&mut requests, &mut users],
            )
            .await
            .map_err(Fatal::Read)?;
        Ok((requests.finish()?, users.finish()?))
    }
}
