//! The daily run (SPEC §3, §4, §8) as a sequence of phases. Each phase is a small function that
//! returns typed [`ActionOutcome`]s; the sheet writes, the administrators' summary and the
//! report are derived from them. A dry run performs every read and stops before the first
//! write — decided here and in the phases, never in the adapters.
//!
//! Order matters for what survives a crash or a Lambda time-out (SPEC §4 "When results reach
//! the sheet"): IAM work, then its sheet writes, and only then anything that waits on Slack.

mod deactivations;
mod deadline;
mod key_rules;
mod notices;
mod owner_dms;
mod rows;
mod summary;
mod teardowns;
mod write_back;

use chrono::NaiveDate;

pub use deadline::Deadline;

use crate::adapters::{Iam, Messenger, ServiceError, SheetStore, Vault};
use crate::app::interactions::row::pending_requests;
use crate::configuration::JobSettings;
use crate::core::extension::record::PendingCell;
use crate::core::outcome::{ActionOutcome, Alert};
use crate::core::plan::Plan;
use crate::core::report::Report;
use crate::core::sheet::{Directory, HeaderError, RequestTable};

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
}

/// The services a run talks to.
pub struct Job<'a, S, M, I, V> {
    pub settings: &'a JobSettings,
    pub sheets: &'a S,
    pub slack: &'a M,
    pub iam: &'a I,
    /// Where rotated keys are stored (SPEC §8); never asked unless rotation is configured.
    pub vault: &'a V,
    /// When the run must have written what it has (Lambda); [`Deadline::none`] elsewhere.
    pub deadline: Deadline,
}

impl<S: SheetStore, M: Messenger, I: Iam, V: Vault> Job<'_, S, M, I, V> {
    pub async fn run(&self, today: NaiveDate, mode: Mode) -> Result<Report, Fatal> {
        let s = self.settings;
        let (table, directory, pending) = self.read().await?;
        let started = std::time::Instant::now();
        let plan = Plan::build(&table, &directory, today, s.rules);
        tracing::info!(
            rows = table.rows.len(),
            attention = plan.rows.len(),
            deletions_due = plan.deletions_due(),
            parse_plan_us = started.elapsed().as_micros() as u64,
            "sheets read and planned"
        );

        // Phase 1: IAM reads for the key rules, then the caps over everything due.
        let keys = key_rules::plan(self, &table, &directory, &plan, today, mode).await;
        let caps = rows::Caps::new(&plan, &keys.work, s);

        // Phase 2: IAM changes; different users side by side.
        let (teardowns, deactivations, key_outcomes) = tokio::join!(
            teardowns::run(self, &plan, &caps, mode),
            deactivations::run(self, &plan, &caps, today, mode),
            key_rules::run(self, &keys.work, &caps, mode),
        );
        let mut row_outcomes = rows::untouched(&plan);
        row_outcomes.extend(teardowns);
        row_outcomes.extend(deactivations);

        // Phase 3: IAM results reach the sheet before anything waits on Slack.
        let mut iam_outcomes: Vec<ActionOutcome> = row_outcomes;
        let key_start = iam_outcomes.len();
        iam_outcomes.extend(key_outcomes);
        if mode == Mode::Run {
            write_back::run(self, &mut iam_outcomes).await;
        }

        // Phase 4: Slack — notices and the owners' DMs of phase 2 — then 通知日.
        let (notices, ()) = tokio::join!(
            notices::run(self, &plan, mode),
            owner_dms::send_all(self, &mut iam_outcomes, mode),
        );
        let mut notices = notices;
        if mode == Mode::Run {
            write_back::run(self, &mut notices).await;
        }

        // Every line in sheet order, then the key rules and the run-wide alerts.
        let key_outcomes = iam_outcomes.split_off(key_start);
        let mut outcomes = iam_outcomes;
        outcomes.extend(notices);
        outcomes.sort_by_key(|o| o.subject.row);
        outcomes.extend(rows::alerts(&directory, &plan));
        outcomes.extend(rows::pending_extensions(&table, pending));
        outcomes.extend(keys.alerts);
        outcomes.extend(key_outcomes);
        outcomes.extend(caps.alerts());
        if self.deadline.passed() {
            outcomes.push(ActionOutcome::alert(Alert::OutOfTime));
        }

        // Phase 5: the administrators' summary, derived from every outcome.
        let (sent, failures) = summary::send_summary(self, today, &outcomes, mode).await;
        outcomes.extend(failures);
        Ok(Report::build(today, &outcomes, sent))
    }

    /// Both sheets in one request; each grid is dropped as soon as it is parsed. Extension
    /// requests pending in `延長申請` are picked up on the way (SPEC §9 step 5).
    async fn read(&self) -> Result<(RequestTable, Directory, Vec<(usize, PendingCell)>), Fatal> {
        let s = self.settings;
        let mut grids = self
            .sheets
            .read(&[&s.request_sheet, &s.users_sheet])
            .await
            .map_err(Fatal::Read)?
            .into_iter();
        let (requests, users) = (
            grids.next().unwrap_or_default(),
            grids.next().unwrap_or_default(),
        );
        let pending = pending_requests(&requests);
        let table = RequestTable::from_grid(&s.request_sheet, requests)?;
        let directory = Directory::parse(&s.users_sheet, &users)?;
        Ok((table, directory, pending))
    }
}
