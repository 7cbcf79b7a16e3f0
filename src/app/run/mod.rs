//! The daily run (SPEC §3, §4, §8) as a sequence of phases. Each phase is a small function that
//! returns typed [`ActionOutcome`]s; the sheet writes, the administrators' summary and the
//! report are derived from them. A dry run performs every read and stops before the first
//! write — decided here and in the phases, never in the adapters.
//!
//! Order matters for what survives a crash or a Lambda time-out (SPEC §4 "When results reach
//! the sheet"): IAM work, then its sheet writes, and only then the DMs about it; the notices,
//! which depend on no IAM result, go out meanwhile and never hold the IAM writes back.

mod accounts;
mod deactivations;
mod deadline;
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
use crate::core::outcome::{ActionOutcome, Alert, Lang, action_records, untold_records};
use crate::core::plan::Plan;
use crate::core::report::Report;
use crate::core::sheet::{
    Block, Directory, DirectorySink, HeaderError, RequestTable, RequestTableSink,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Run,
    DryRun,
}

/// Nothing could run (exit 2): the sheets could not be read or understood.
#[derive(Debug, thiserror::Error)]
pub enum Fatal {
    #[error("could not read the spreadsheet: {0}")]
    Read(ServiceError),
    #[error("{0}")]
    Headers(#[from] HeaderError),
    /// The AWS accounts of the run could not be known (SPEC §10).
    #[error("{0}")]
    Accounts(String),
}

/// The services a run talks to.
pub struct Job<'a, S, M, I, V> {
    pub settings: &'a JobSettings,
    pub sheets: &'a S,
    pub slack: &'a M,
    pub iam: &'a I,
    /// Where rotated keys are stored (SPEC §8); never asked unless rotation is configured.
    pub vault: &'a V,
    /// The other AWS accounts (SPEC §10): who we are, and the way into each.
    pub fleet: &'a dyn Fleet<I, V>,
    /// When the run must have written what it has (Lambda); [`Deadline::none`] elsewhere.
    pub deadline: Deadline,
}

impl<S: SheetStore, M: Messenger, I: Iam + Sync, V: Vault + Sync> Job<'_, S, M, I, V> {
    pub async fn run(&self, today: NaiveDate, mode: Mode) -> Result<Report, Fatal> {
        let s = self.settings;
        // One ID for the run: in the report and on every line it appends to the log sheet.
        let run_id = log_sheet::new_id(log_sheet::now(s.timezone));
        let (mut table, directory) = self.read().await?;
        let accounts = accounts::resolve(self, &mut table).await?;
        let many = accounts::many(&s.accounts.setting, &table);
        let started = std::time::Instant::now();
        let plan = Plan::build(&table, &directory, today, s.rules);
        tracing::info!(
            rows = table.rows.len(),
            attention = plan.rows.len(),
            deletions_due = plan.deletions_due(),
            parse_plan_us = started.elapsed().as_micros() as u64,
            "sheets read and planned"
        );

        // The owners' notices need nothing but the plan: they go out while IAM works, and
        // the IAM results still reach the sheet without waiting on any of them.
        let iam = async {
            let (keys, caps, mut iam_outcomes, key_start) = if let (true, Some(accounts)) =
                (many, &accounts)
            {
                // SPEC §10: each account's IAM work with its own credentials, caps over all.
                let done =
                    accounts::iam_phases(self, accounts, &table, &directory, &plan, today, mode)
                        .await;
                let keys = key_rules::KeyPlan {
                    work: Vec::new(),
                    alerts: done.key_alerts,
                };
                let mut iam_outcomes = rows::untouched(&plan);
                iam_outcomes.extend(done.iam);
                let key_start = iam_outcomes.len();
                iam_outcomes.extend(done.keys);
                (keys, done.caps, iam_outcomes, key_start)
            } else {
                // Phase 1: IAM reads for the key rules, then the caps over everything due.
                let keys = key_rules::plan(self, &table, &directory, &plan, today, mode).await;
                let caps = rows::Caps::new(&plan, &keys.work, s);

                // Phase 2: IAM changes; different users side by side.
                let (teardowns, deactivations, key_outcomes) = tokio::join!(
                    teardowns::run(self, &plan, &caps, mode),
                    deactivations::run(self, &plan, &caps, today, mode),
                    key_rules::run(self, &table.layout, &keys.work, &caps, mode),
                );
                let mut iam_outcomes = rows::untouched(&plan);
                iam_outcomes.extend(teardowns);
                iam_outcomes.extend(deactivations);
                let key_start = iam_outcomes.len();
                iam_outcomes.extend(key_outcomes);
                (keys, caps, iam_outcomes, key_start)
            };

            // Phase 3: IAM results reach the sheet before anything waits on Slack, and then
            // their lines reach the log sheet. A user kept by a key-only deletion loses its
            // teardown tag once 削除済み is written (a tag left behind is an alert of the row).
            if mode == Mode::Run {
                write_back::run(self, &table.layout, &mut iam_outcomes).await;
            }
            let kept_tags = untag::run(
                self,
                accounts.as_ref().filter(|_| many),
                &iam_outcomes,
                mode,
            )
            .await;
            let (at, key_start) = (key_start, key_start + kept_tags.len());
            iam_outcomes.splice(at..at, kept_tags);
            let lines = action_records(&iam_outcomes, Lang::Ja);
            let iam_logged = log::append(self, &run_id, &lines, mode).await;
            // Phase 4: the owners' DMs of phase 2.
            owner_dms::send_all(self, &mut iam_outcomes, mode).await;
            (keys, caps, iam_outcomes, key_start, iam_logged)
        };
        let ((keys, caps, mut iam_outcomes, key_start, iam_logged), mut notices) =
            tokio::join!(iam, notices::run(self, &plan, mode));
        // Then 通知日 of the notices delivered.
        if mode == Mode::Run {
            write_back::run(self, &table.layout, &mut notices).await;
        }
        let mut alerts = rows::alerts(&directory, &plan);
        alerts.extend(rows::pending_extensions(&table));
        alerts.extend(keys.alerts);
        let mut late_alerts = caps.alerts();
        if self.deadline.passed() {
            late_alerts.push(ActionOutcome::alert(Alert::OutOfTime));
        }
        late_alerts.extend(iam_logged);
        // The log's second stage: the notices, the owners the IAM phases could not tell, and
        // the run-wide alerts.
        let mut lines = action_records(&notices, Lang::Ja);
        lines.extend(untold_records(&iam_outcomes, Lang::Ja));
        lines.extend(action_records(&alerts, Lang::Ja));
        lines.extend(action_records(&late_alerts, Lang::Ja));
        late_alerts.extend(log::append(self, &run_id, &lines, mode).await);

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

        // Every line in sheet order, then the key rules and the run-wide alerts.
        let key_outcomes = iam_outcomes.split_off(key_start);
        let mut outcomes = iam_outcomes;
        outcomes.extend(notices);
        outcomes.sort_by_key(|o| o.subject.row);
        outcomes.extend(alerts);
        outcomes.extend(key_outcomes);
        outcomes.extend(late_alerts);

        // Each action's end date, for the report, from the rows as read (in row order).
        for o in &mut outcomes {
            o.end_date = o.subject.row.and_then(|n| {
                let i = table.rows.binary_search_by_key(&n, |r| r.row).ok()?;
                table.rows[i].valid.as_ref().ok().map(|v| v.end)
            });
        }

        // The sheets are no longer needed: the summary and the report come from the outcomes
        // alone, and a large sheet's rows would otherwise add to the report's memory.
        drop(plan);
        drop((table, directory));

        // Phase 5: the administrators' summary, derived from every outcome; a summary that
        // did not arrive is the log's last line.
        let (sent, failures) = summary::send_summary(self, today, &outcomes, &week, mode).await;
        let lines = action_records(&failures, Lang::Ja);
        outcomes.extend(failures);
        outcomes.extend(log::append(self, &run_id, &lines, mode).await);
        let mut report = Report::build(today, &run_id, &outcomes, sent);
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
