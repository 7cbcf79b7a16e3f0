//! Carries a plan out: IAM pre-checks, teardowns, Slack messages, one sheet write-back and one
//! report. A dry run performs every read and stops before the first write — here, and nowhere
//! else: the adapters know nothing of dry runs.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use futures::stream::{self, StreamExt};

use crate::domain::{AccessKeyId, DEACTIVATED_MARK, DELETED_MARK, IamUserName, SlackUserId};
use crate::hygiene::HygieneRules;

mod keys;
use crate::messages;
use crate::plan::{Decision, Plan, PlannedRow, Rules};
use crate::report::{ActionKind, ActionRecord, Message, Outcome, Report};
use crate::services::{CellWrite, Iam, Messenger, ServiceError, SheetStore, StepResult, Vault};
use crate::sheet::{
    DEACTIVATED_HEADER, Directory, HeaderError, NOTIFIED_HEADER, Owner, RequestTable, a1_cell,
};
use crate::teardown::{self, Refusal, Step};

/// What the job needs to know besides the sheets.
#[derive(Debug, Clone)]
pub struct JobSettings {
    pub request_sheet: String,
    pub users_sheet: String,
    pub admins: Vec<SlackUserId>,
    pub rules: Rules,
    pub protected_users: Vec<IamUserName>,
    pub iam_path_prefix: String,
    /// How many IAM users / Slack DMs are handled at once.
    pub concurrency: usize,
    /// The key rules of SPEC §8, each off unless configured.
    pub hygiene: HygieneRules,
    /// The zone in which a key's creation becomes a date (key ages).
    pub timezone: chrono_tz::Tz,
}

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
}

/// A sheet cell to write once the run's IAM and Slack work is done.
#[derive(Debug, Clone)]
struct PendingWrite {
    /// Index of the record it belongs to.
    record: usize,
    row: usize,
    account: IamUserName,
    key_id: AccessKeyId,
    what: WriteKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum WriteKind {
    Deleted,
    Notified(NaiveDate),
    /// SPEC §8: status `無効化済み` and the day into `無効化日`.
    Deactivated(NaiveDate),
    /// SPEC §8: `無効化日` cleared after an extension.
    Reactivated,
    /// SPEC §8 rotation: the row now holds the new key.
    KeyReplaced(AccessKeyId),
}

/// What handling one row produced; merged into the report afterwards.
#[derive(Debug, Default)]
struct RowResult {
    record: usize,
    outcome: Option<(Outcome, String)>,
    write: Option<PendingWrite>,
    messages: Vec<Message>,
    alerts: Vec<ActionRecord>,
    steps: Option<(String, Vec<String>)>,
}

/// Where a teardown stopped, and whether the user itself was already deleted.
struct Stopped {
    user_gone: bool,
    why: String,
}

/// Before touching a user: what the guards and IAM say.
enum Prep {
    Refused(String),
    Gone,
    Ready(Vec<Step>),
    ReadFailed(ServiceError),
}

impl<S: SheetStore, M: Messenger, I: Iam, V: Vault> Job<'_, S, M, I, V> {
    pub async fn run(&self, today: NaiveDate, mode: Mode) -> Result<Report, Fatal> {
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
        let started = std::time::Instant::now();
        let table = RequestTable::from_grid(&s.request_sheet, requests)?;
        let directory = Directory::parse(&s.users_sheet, &users)?;
        drop(users);
        let mut plan = Plan::build(&table, &directory, today, s.rules);
        tracing::info!(
            rows = table.rows.len(),
            attention = plan.rows.len(),
            deletions_due = plan.deletions_due(),
            parse_plan_us = started.elapsed().as_micros() as u64,
            "sheets read and planned"
        );

        let mut report = Report::new(today);
        report.actions = plan.rows.iter().map(base_record).collect();
        report.actions.extend(
            directory
                .problems
                .iter()
                .map(|p| ActionRecord::alert(Outcome::Done, p.clone())),
        );
        report.actions.extend(plan.duplicate_keys.iter().map(|(key, rows)| {
            ActionRecord::alert(
                Outcome::Done,
                format!(
                    "rows {} all hold access key {key}: keep one row per key (mark the others 削除済み)",
                    join(rows)
                ),
            )
        }));

        let mut key_work = self
            .key_plan(&table, &directory, &plan, today, mode, &mut report)
            .await;
        // [safety branch] SPEC §8 deactivation cap: over it, no key is set Inactive.
        let deactivations = plan.deactivations_due() + keys::deactivations(&key_work);
        if let Err(why) = crate::plan::deactivation_cap(deactivations, s.hygiene.max_deactivations)
        {
            let mut refused = plan.refuse_deactivations();
            refused.extend(keys::refuse_deactivations(&mut key_work));
            for record in refused {
                report.actions[record].outcome = Outcome::Refused;
                report.actions[record].detail = why.clone();
            }
            report
                .actions
                .push(ActionRecord::alert(Outcome::Refused, why));
        }
        // SPEC §4/§8: every deletion of a user or a key counts toward one cap.
        let deletions = plan.deletions_due() + keys::deletions(&key_work);
        let allowed = deletions <= s.rules.max_deletions;
        if !allowed {
            report.actions.push(ActionRecord::alert(
                Outcome::Refused,
                cap_refusal(deletions, s.rules.max_deletions),
            ));
        }

        // Teardowns, notices, key switches and key rules touch different things: side by side.
        let (mut results, notices, switches, key_results) = tokio::join!(
            self.deletions(&plan, mode, allowed, deletions),
            self.notices(&plan, mode),
            self.switches(&plan, mode),
            self.key_actions(&key_work, mode, allowed, deletions),
        );
        results.extend(notices);
        results.extend(switches);
        results.extend(key_results);
        // Work ran concurrently; report it in sheet order.
        results.sort_by_key(|r| r.record);

        let mut writes = Vec::new();
        for r in results {
            if let Some((outcome, detail)) = r.outcome {
                report.actions[r.record].outcome = outcome;
                report.actions[r.record].detail = detail;
            }
            writes.extend(r.write);
            report.messages.extend(r.messages);
            report.actions.extend(r.alerts);
            report.iam_steps.extend(r.steps);
        }

        if mode == Mode::Run && !writes.is_empty() {
            self.write_back(&writes, &mut report).await;
        }
        self.tell_admins(&mut report, mode).await;
        Ok(report)
    }

    /// Every due teardown: refused as a whole over the cap, else one task per IAM user.
    async fn deletions(
        &self,
        plan: &Plan<'_>,
        mode: Mode,
        allowed: bool,
        total: usize,
    ) -> Vec<RowResult> {
        let due: Vec<(usize, &PlannedRow)> = plan
            .rows
            .iter()
            .enumerate()
            .filter(|(_, p)| p.decision == Decision::Delete)
            .collect();
        if due.is_empty() {
            return Vec::new();
        }
        if !allowed {
            let why = cap_refusal(total, plan.max_deletions);
            return due
                .iter()
                .map(|(i, _)| RowResult {
                    record: *i,
                    outcome: Some((Outcome::Refused, why.clone())),
                    ..Default::default()
                })
                .collect();
        }
        // Rows of one IAM user run one after another; different users run side by side.
        let mut by_user: BTreeMap<String, Vec<(usize, &PlannedRow)>> = BTreeMap::new();
        for (i, p) in due {
            by_user
                .entry(p.row.account.to_ascii_lowercase())
                .or_default()
                .push((i, p));
        }
        stream::iter(by_user.into_values())
            .map(|group| async move {
                let mut out = Vec::new();
                for (i, p) in group {
                    out.push(self.delete_row(i, p, mode).await);
                }
                out
            })
            .buffer_unordered(self.settings.concurrency.max(1))
            .flat_map(stream::iter)
            .collect()
            .await
    }

    async fn prepare(&self, user: &IamUserName, key: &AccessKeyId, p: &PlannedRow<'_>) -> Prep {
        if teardown::is_protected(user, &self.settings.protected_users) {
            return Prep::Refused(Refusal::Protected.to_string());
        }
        if !p.user_still_needed_by.is_empty() {
            return Prep::Refused(format!(
                "refused: row(s) {} still use IAM user {user} (extended, not yet due or unreadable); \
                 fix the sheet so only one row is live per user, or delete the key by hand",
                join(&p.user_still_needed_by)
            ));
        }
        match self.iam.inventory(user).await {
            Err(e) => Prep::ReadFailed(e),
            Ok(None) => Prep::Gone,
            Ok(Some(inv)) => match teardown::check(&inv, key, &self.settings.iam_path_prefix) {
                Err(refusal) => Prep::Refused(refusal.to_string()),
                Ok(()) => Prep::Ready(teardown::steps(user, &inv, &self.settings.iam_path_prefix)),
            },
        }
    }

    async fn delete_row(&self, record: usize, p: &PlannedRow<'_>, mode: Mode) -> RowResult {
        let mut result = RowResult {
            record,
            ..Default::default()
        };
        let Ok(valid) = &p.row.valid else {
            return result;
        };
        let (user, key) = (&valid.account, &valid.key_id);
        let write = PendingWrite {
            record,
            row: p.row.row,
            account: user.clone(),
            key_id: key.clone(),
            what: WriteKind::Deleted,
        };
        // Set when the user is gone although a later step (its own policy) failed.
        let mut user_deleted = false;
        let (outcome, detail) = match (self.prepare(user, key, p).await, mode) {
            (Prep::Refused(why), _) => (Outcome::Refused, why),
            (Prep::ReadFailed(e), _) => (
                Outcome::Failed,
                format!(
                    "could not read IAM user {user}: {e}; nothing was changed, the next run tries again"
                ),
            ),
            (Prep::Gone, Mode::DryRun) => (
                Outcome::Planned,
                format!("IAM user {user} is already gone: would write {DELETED_MARK}"),
            ),
            (Prep::Ready(steps), Mode::DryRun) => {
                let names: Vec<String> = steps.iter().map(Step::to_string).collect();
                let detail = format!("would tear down {user}: {}", names.join(", "));
                result.steps = Some((user.to_string(), names));
                (Outcome::Planned, detail)
            }
            (Prep::Gone, Mode::Run) => {
                result.write = Some(write);
                (
                    Outcome::Done,
                    format!("IAM user {user} was already gone; {DELETED_MARK} written"),
                )
            }
            (Prep::Ready(steps), Mode::Run) => match self.tear_down(user, &steps).await {
                Ok((names, notes)) => {
                    result.steps = Some((user.to_string(), names));
                    result.write = Some(write);
                    let mut detail = format!("IAM user {user} deleted ({} steps)", steps.len());
                    for note in notes {
                        detail.push_str("; ");
                        detail.push_str(&note);
                    }
                    (Outcome::Done, detail)
                }
                Err(stopped) => {
                    // The user is gone: the sheet must say so even if its policy lingers.
                    if stopped.user_gone {
                        result.write = Some(write);
                        user_deleted = true;
                    }
                    (Outcome::Failed, stopped.why)
                }
            },
        };
        let torn_down = outcome == Outcome::Done
            || user_deleted
            || (outcome == Outcome::Planned && mode == Mode::DryRun);
        if torn_down {
            let text = messages::owner_deleted(p.row);
            self.tell_owner(p, "of the deletion", text, mode, &mut result)
                .await;
        }
        result.outcome = Some((outcome, detail));
        result
    }

    /// Applies the steps in order; stops at the first failure so the next run resumes there.
    async fn tear_down(
        &self,
        user: &IamUserName,
        steps: &[Step],
    ) -> Result<(Vec<String>, Vec<String>), Stopped> {
        let mut names = Vec::new();
        let mut notes = Vec::new();
        let mut user_gone = false;
        for step in steps {
            match self.iam.apply(user, step).await {
                Ok(StepResult::Done) => tracing::info!(user = %user, step = %step, "done"),
                Ok(StepResult::AlreadyGone) => {
                    tracing::info!(user = %user, step = %step, "already gone")
                }
                Ok(StepResult::Kept(why)) => notes.push(format!("{step}: kept, {why}")),
                // After the user is gone no later run can find its policy again: say which one
                // is left instead of promising a resume.
                Err(e) if user_gone => {
                    return Err(Stopped {
                        user_gone,
                        why: format!(
                            "IAM user {user} deleted, but \"{step}\" failed: {e}; delete it by hand"
                        ),
                    });
                }
                Err(e) => {
                    return Err(Stopped {
                        user_gone,
                        why: format!(
                            "teardown of {user} stopped at \"{step}\": {e}; the steps before it are done \
                             and the next run resumes"
                        ),
                    });
                }
            }
            user_gone |= *step == Step::DeleteUser;
            names.push(step.to_string());
        }
        Ok((names, notes))
    }

    /// A DM to the row's owner (composed only, in a dry run), or an alert saying why they
    /// could not be told `what`.
    async fn tell_owner(
        &self,
        p: &PlannedRow<'_>,
        what: &str,
        text: String,
        mode: Mode,
        result: &mut RowResult,
    ) {
        let problem = match &p.owner {
            Owner::Found(id) => {
                let sent = match mode {
                    Mode::Run => self.slack.send(id, &text).await,
                    Mode::DryRun => Ok(()),
                };
                match sent {
                    Ok(()) => {
                        result.messages.push(Message {
                            to: id.clone(),
                            text,
                        });
                        None
                    }
                    Err(e) => Some(format!("owner {id} was not told {what}: {e}")),
                }
            }
            other => Some(format!(
                "owner was not told {what}: {}",
                owner_problem(other, &p.row.owner)
            )),
        };
        if let Some(detail) = problem {
            result.alerts.push(ActionRecord {
                action: ActionKind::Alert,
                outcome: Outcome::Failed,
                detail,
                ..base_record(p)
            });
        }
    }

    /// SPEC §8 for sheet rows: deactivate a row's key in its grace period, or reactivate it
    /// when an administrator extended the row. Only the row's own key is ever touched.
    async fn switches(&self, plan: &Plan<'_>, mode: Mode) -> Vec<RowResult> {
        stream::iter(plan.rows.iter().enumerate())
            .filter(|(_, p)| {
                std::future::ready(matches!(
                    p.decision,
                    Decision::Deactivate | Decision::Reactivate
                ))
            })
            .map(|(record, p)| self.switch_row(record, p, plan.today, mode))
            .buffer_unordered(self.settings.concurrency.max(1))
            .collect()
            .await
    }

    async fn switch_row(
        &self,
        record: usize,
        p: &PlannedRow<'_>,
        today: NaiveDate,
        mode: Mode,
    ) -> RowResult {
        let mut result = RowResult {
            record,
            ..Default::default()
        };
        let valid = match &p.row.valid {
            Ok(v) => v,
            Err(problems) => {
                let what = problems
                    .iter()
                    .map(|p| p.to_string())
                    .collect::<Vec<_>>()
                    .join("; ");
                result.outcome = Some((
                    Outcome::Refused,
                    format!("refused until the row is fixed: {what}"),
                ));
                return result;
            }
        };
        let (user, key) = (&valid.account, &valid.key_id);
        let activate = p.decision == Decision::Reactivate;
        if teardown::is_protected(user, &self.settings.protected_users) {
            result.outcome = Some((Outcome::Refused, Refusal::Protected.to_string()));
            return result;
        }
        let inventory = match self.iam.inventory(user).await {
            Err(e) => {
                result.outcome = Some((
                    Outcome::Failed,
                    format!("could not read IAM user {user}: {e}"),
                ));
                return result;
            }
            Ok(inv) => inv,
        };
        if let Some(Err(refusal)) = inventory
            .as_ref()
            .map(|inv| teardown::check(inv, key, &self.settings.iam_path_prefix))
        {
            result.outcome = Some((Outcome::Refused, refusal.to_string()));
            return result;
        }
        let key_exists = inventory
            .as_ref()
            .is_some_and(|inv| inv.access_keys.contains(key));
        let write = |what| PendingWrite {
            record,
            row: p.row.row,
            account: user.clone(),
            key_id: key.clone(),
            what,
        };
        let grace_end =
            valid.end + chrono::Duration::days(self.settings.rules.deactivate_grace.into());
        let verb = if activate { "reactivate" } else { "deactivate" };
        let outcome = match (mode, key_exists) {
            (Mode::DryRun, true) => (
                Outcome::Planned,
                format!("would {verb} key {key} of {user}"),
            ),
            (Mode::DryRun, false) => (
                Outcome::Planned,
                format!("key {key} of {user} is already gone"),
            ),
            (Mode::Run, false) if activate => (
                Outcome::Failed,
                format!("cannot reactivate: key {key} of {user} no longer exists; issue a new key"),
            ),
            (Mode::Run, false) => {
                result.write = Some(write(WriteKind::Deactivated(today)));
                (
                    Outcome::Done,
                    format!("key {key} of {user} is already gone; {DEACTIVATED_MARK} written"),
                )
            }
            (Mode::Run, true) => match self.iam.set_key_active(user, key, activate).await {
                Err(e) => (Outcome::Failed, format!("could not {verb} key {key}: {e}")),
                Ok(()) => {
                    result.write = Some(write(if activate {
                        WriteKind::Reactivated
                    } else {
                        WriteKind::Deactivated(today)
                    }));
                    let text = if activate {
                        messages::row_reactivated(p.row)
                    } else {
                        messages::row_deactivated(
                            p.row,
                            &(grace_end + chrono::Duration::days(1)).to_string(),
                        )
                    };
                    let what = if activate {
                        "of the reactivation"
                    } else {
                        "of the deactivation"
                    };
                    self.tell_owner(p, what, text, Mode::Run, &mut result).await;
                    if activate {
                        (
                            Outcome::Done,
                            format!("key {key} of {user} is Active again (extended)"),
                        )
                    } else {
                        (
                            Outcome::Done,
                            format!(
                                "key {key} of {user} set Inactive; torn down after {grace_end}"
                            ),
                        )
                    }
                }
            },
        };
        result.outcome = Some(outcome);
        result
    }

    /// Every due notice, DMs to different owners side by side.
    async fn notices(&self, plan: &Plan<'_>, mode: Mode) -> Vec<RowResult> {
        let sheet = &self.settings.request_sheet;
        stream::iter(plan.rows.iter().enumerate())
            .filter_map(|(i, p)| async move {
                match p.decision {
                    Decision::Notify { days_left } => Some((i, p, days_left)),
                    _ => None,
                }
            })
            .map(|(record, p, days_left)| async move {
                let mut result = RowResult { record, ..Default::default() };
                let Ok(valid) = &p.row.valid else { return result };
                let id = match &p.owner {
                    Owner::Found(id) => id,
                    other => {
                        result.outcome = Some((Outcome::Failed, format!(
                            "owner not notified: {}; the notice is tried again on the next run",
                            owner_problem(other, &p.row.owner)
                        )));
                        return result;
                    }
                };
                let text = messages::owner_notice(p.row, days_left, sheet);
                let outcome = match mode {
                    Mode::DryRun => Ok(()),
                    Mode::Run => self.slack.send(id, &text).await,
                };
                result.outcome = Some(match outcome {
                    Ok(()) => {
                        result.messages.push(Message { to: id.clone(), text });
                        result.write = Some(PendingWrite {
                            record,
                            row: p.row.row,
                            account: valid.account.clone(),
                            key_id: valid.key_id.clone(),
                            what: WriteKind::Notified(plan.today),
                        });
                        let when = format!("end date {} ({days_left} days left)", valid.end);
                        match mode {
                            Mode::DryRun => (Outcome::Planned, format!("would DM owner {id}: {when}")),
                            Mode::Run => (Outcome::Done, format!("owner {id} notified by DM: {when}")),
                        }
                    }
                    Err(e) => (Outcome::Failed, format!(
                        "owner {id} not notified: {e}; the notice is tried again on the next run"
                    )),
                });
                result
            })
            .buffer_unordered(self.settings.concurrency.max(1))
            .collect()
            .await
    }

    /// Re-reads the request sheet, finds each target row again (administrators edit while the
    /// job runs) and writes every cell in one request.
    async fn write_back(&self, writes: &[PendingWrite], report: &mut Report) {
        let sheet = &self.settings.request_sheet;
        let fail_all = |report: &mut Report, why: &str| {
            for w in writes {
                mark_write_failed(&mut report.actions[w.record], &w.what, why);
            }
        };
        let grid = match self.sheets.read(&[sheet]).await {
            Ok(mut grids) => grids.pop().unwrap_or_default(),
            Err(e) => return fail_all(report, &format!("re-reading the sheet failed: {e}")),
        };
        let table = match RequestTable::from_grid(sheet, grid) {
            Ok(t) => t,
            Err(e) => return fail_all(report, &e.to_string()),
        };
        let layout = &table.layout;
        let mut cells = Vec::new();
        // Columns keywarden creates take the first empty header cells, in order (SPEC §2).
        let mut free = layout.free_columns();
        let mut column =
            |existing: Option<usize>, header: &str, needed: bool, cells: &mut Vec<CellWrite>| {
                existing.or_else(|| {
                    needed.then(|| {
                        let col = free.next().expect("an endless supply of columns");
                        cells.push(CellWrite {
                            range: a1_cell(sheet, col, 1),
                            value: header.into(),
                        });
                        col
                    })
                })
            };
        let needs = |f: fn(&WriteKind) -> bool| writes.iter().any(|w| f(&w.what));
        let notified_col = column(
            layout.notified,
            NOTIFIED_HEADER,
            needs(|w| matches!(w, WriteKind::Notified(_))),
            &mut cells,
        );
        let deactivated_col = column(
            layout.deactivated,
            DEACTIVATED_HEADER,
            needs(|w| matches!(w, WriteKind::Deactivated(_) | WriteKind::Reactivated)),
            &mut cells,
        );
        let locator = table.locator();
        let mut written = Vec::new();
        for w in writes {
            let Some(row) = locator.locate(w.row, &w.account, &w.key_id) else {
                mark_write_failed(
                    &mut report.actions[w.record],
                    &w.what,
                    &format!(
                        "no single row holds {} / {} any more (moved, edited or duplicated)",
                        w.account, w.key_id
                    ),
                );
                continue;
            };
            if row != w.row {
                // The row's record and any alert about it follow the row to where it is now.
                for a in report.actions.iter_mut().filter(|a| {
                    a.row == Some(w.row)
                        && a.account == w.account.as_str()
                        && a.access_key_id == w.key_id.as_str()
                }) {
                    a.row = Some(row);
                }
            }
            let date = |d: &NaiveDate| d.format("%Y-%m-%d").to_string();
            let mut cell = |col: Option<usize>, value: String| {
                if let Some(col) = col {
                    cells.push(CellWrite {
                        range: a1_cell(sheet, col, row),
                        value,
                    });
                }
            };
            match &w.what {
                WriteKind::Deleted => cell(Some(layout.status), DELETED_MARK.to_string()),
                WriteKind::Notified(day) => cell(notified_col, date(day)),
                WriteKind::Deactivated(day) => {
                    cell(Some(layout.status), DEACTIVATED_MARK.to_string());
                    cell(deactivated_col, date(day));
                }
                WriteKind::Reactivated => cell(deactivated_col, String::new()),
                WriteKind::KeyReplaced(new) => cell(Some(layout.key_id), new.to_string()),
            }
            written.push(w);
        }
        if written.is_empty() {
            return;
        }
        if let Err(e) = self.sheets.write(&cells).await {
            for w in written {
                mark_write_failed(
                    &mut report.actions[w.record],
                    &w.what,
                    &format!("writing failed: {e}"),
                );
            }
        }
    }

    /// One summary DM per administrator; a dry run only composes it.
    async fn tell_admins(&self, report: &mut Report, mode: Mode) {
        let today = report.today.format("%Y-%m-%d").to_string();
        let Some(text) =
            messages::admin_summary(&today, &self.settings.request_sheet, &report.actions)
        else {
            return;
        };
        if self.settings.admins.is_empty() {
            tracing::warn!(
                "no administrators configured (KEYWARDEN_ADMIN_SLACK_IDS): the summary is only logged"
            );
        }
        let text_ref = &text;
        let sends = self.settings.admins.iter().map(|admin| async move {
            let sent = match mode {
                Mode::DryRun => Ok(()),
                Mode::Run => self.slack.send(admin, text_ref).await,
            };
            (admin, sent)
        });
        let mut failures = Vec::new();
        for (admin, sent) in futures::future::join_all(sends).await {
            match sent {
                Ok(()) => report.messages.push(Message {
                    to: admin.clone(),
                    text: text.clone(),
                }),
                Err(e) => failures.push(format!(
                    "the run summary did not reach administrator {admin}: {e}"
                )),
            }
        }
        report.actions.extend(
            failures
                .into_iter()
                .map(|f| ActionRecord::alert(Outcome::Failed, f)),
        );
    }
}

fn cap_refusal(due: usize, max: usize) -> String {
    format!(
        "refused: {due} deletions of users or keys are due but KEYWARDEN_MAX_DELETIONS is {max}; \
         none was deleted. Check the date and the sheet; if they are right, raise the cap for one run"
    )
}

/// The record of a planned row before anything is done.
fn base_record(p: &PlannedRow) -> ActionRecord {
    let (action, outcome, detail) = match &p.decision {
        Decision::SkipDeleted => (
            ActionKind::Skip,
            Outcome::Done,
            "status says 削除: already deleted".to_string(),
        ),
        Decision::SkipExtended => (
            ActionKind::Skip,
            Outcome::Done,
            "status says 延長: extended".to_string(),
        ),
        Decision::Unusable(problems) => (
            ActionKind::Unusable,
            Outcome::Refused,
            format!(
                "not acted on until fixed: {}",
                problems
                    .iter()
                    .map(|p| p.to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        ),
        Decision::Delete => (ActionKind::Delete, Outcome::Planned, String::new()),
        Decision::Notify { .. } => (ActionKind::Notify, Outcome::Planned, String::new()),
        Decision::Deactivate => (ActionKind::Deactivate, Outcome::Planned, String::new()),
        Decision::Reactivate => (ActionKind::Reactivate, Outcome::Planned, String::new()),
        Decision::Nothing => (ActionKind::Skip, Outcome::Done, String::new()),
    };
    ActionRecord {
        row: Some(p.row.row),
        account: p.row.account.clone(),
        access_key_id: p.row.key_id.clone(),
        owner: p.row.owner.clone(),
        action,
        outcome,
        detail,
    }
}

fn owner_problem(owner: &Owner, name: &str) -> String {
    match owner {
        Owner::Found(id) => format!("owner is {id}"),
        Owner::NotFound => format!(
            "\"{name}\" not found in users_json: add a row with their Slack ID, family and given name"
        ),
        Owner::Ambiguous(ids) => format!(
            "\"{name}\" is ambiguous: {} in users_json match; make the names unique (e.g. real_name)",
            ids.iter()
                .map(|i| i.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn mark_write_failed(record: &mut ActionRecord, what: &WriteKind, why: &str) {
    record.outcome = Outcome::Failed;
    let consequence = match what {
        WriteKind::Deleted => format!(
            "{DELETED_MARK} was not written ({why}); the next run finds the user gone and writes it"
        ),
        WriteKind::Notified(_) => {
            format!(
                "通知日 was not written ({why}); the owner may be notified again on the next run"
            )
        }
        WriteKind::Deactivated(_) => format!(
            "無効化済み / 無効化日 were not written ({why}); the next run deactivates the key again (harmless)"
        ),
        WriteKind::Reactivated => format!("無効化日 was not cleared ({why}); clear it by hand"),
        WriteKind::KeyReplaced(new) => {
            format!(
                "the new key ID {new} was not written ({why}); write it into アクセスキーID by hand"
            )
        }
    };
    record.detail = format!("{}; {consequence}", record.detail);
}

fn join(rows: &[usize]) -> String {
    rows.iter()
        .map(|r| r.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
