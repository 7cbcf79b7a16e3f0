//! SPEC §10 in the run: which AWS accounts the rows are in, and the IAM phases carried out in
//! each account with that account's credentials.
//!
//! Each account with work gets its own slice of the sheet (its rows, plus any row of another
//! account holding one of its keys: key IDs are global, so such a row still claims the key),
//! planned on its own, so an IAM user name only ever means the user of its row's account. The
//! phases of [`super::teardowns`], [`super::deactivations`] and [`super::key_rules`] then run
//! unchanged against that slice, with the account's IAM and vault and its own protected users.
//! Before that, every row with IAM work has its key proven to be of the row's account
//! (`sts:GetAccessKeyInfo`); a row whose key is not is refused, and nothing changes for it.
//! The caps count over all accounts; the sheet writes stay the caller's, one per stage.

use std::collections::HashSet;

use chrono::NaiveDate;
use futures::stream::{self, StreamExt};

use super::key_rules::{self, KeyPlan};
use super::rows::{Caps, subject};
use super::{Fatal, Job, Mode, deactivations, teardowns};
use crate::adapters::{Iam, SheetStore, Vault};
use crate::core::domain::{Account, Accounts, AccountsSetting, RowStatus};
use crate::core::outcome::{Action, ActionKind, ActionOutcome, Alert};
use crate::core::plan::{Decision, Plan, PlannedRow};
use crate::core::sheet::{CellProblem, Directory, Held, Holdings, KeyCell, RequestTable};

/// Whether the run looks beyond the home account: `KEYWARDEN_ACCOUNTS` is set or the sheet has
/// an `AWSアカウント` column. Otherwise everything runs as before, in the home account.
pub fn many(job_accounts: &AccountsSetting, table: &RequestTable) -> bool {
    !job_accounts.is_home_only() || table.layout.aws_account.is_some()
}

/// The accounts of this run, and every row's account. Without [`many`] accounts (and without
/// a protected user qualified by an account) a home account that cannot be named is no
/// obstacle (`None`: the report just carries no account). A protected user qualified by an
/// account that is not allowed stops the run.
pub async fn resolve<S, M, I, V>(
    job: &Job<'_, S, M, I, V>,
    table: &mut RequestTable,
) -> Result<Option<Accounts>, Fatal> {
    let setting = &job.settings.accounts.setting;
    // A protected user qualified by an account is checked against the allowed accounts, so
    // the home account's ID must be known then too.
    let protected = &job.settings.accounts.protected;
    let many = many(setting, table) || protected.iter().any(|p| p.is_qualified());
    // Within the home account alone, not knowing its ID changes nothing: never wait long.
    let home = if many {
        job.fleet.home().await
    } else {
        tokio::time::timeout(std::time::Duration::from_secs(2), job.fleet.home())
            .await
            .unwrap_or_else(|_| {
                Err(crate::adapters::ServiceError::Unavailable(
                    "timed out".into(),
                ))
            })
    };
    let home = match home {
        Ok(home) => home,
        Err(e) if !many => {
            tracing::debug!(error = %e, "home account not known");
            return Ok(None);
        }
        Err(e) => {
            return Err(Fatal::Accounts(format!(
                "cannot tell which AWS account keywarden's own credentials are in \
                 (sts:GetCallerIdentity): {e}"
            )));
        }
    };
    let others = match setting {
        AccountsSetting::HomeOnly => Vec::new(),
        AccountsSetting::Listed(list) => list.clone(),
        AccountsSetting::Organization => job.fleet.organization().await.map_err(|e| {
            Fatal::Accounts(format!(
                "KEYWARDEN_ACCOUNTS=organization: cannot list the Organization's accounts: {e}"
            ))
        })?,
    };
    let accounts = Accounts::new(home, others);
    accounts
        .check_protected_users(protected)
        .map_err(Fatal::Accounts)?;
    table.resolve_accounts(&accounts);
    tracing::info!(
        accounts = accounts.all().len(),
        home = %accounts.home(),
        "AWS accounts resolved"
    );
    Ok(Some(accounts))
}

/// The IAM work of one account, as the phases need it.
struct Slice {
    account: Account,
    table: RequestTable,
}

/// An account once entered: its clients, or why it could not be entered.
enum Entered<I, V> {
    Home,
    Other(I, V),
    Failed(String),
}

/// What the IAM bracket of a run across accounts came to (before the sheet write).
pub struct Outcome {
    /// The rows' IAM outcomes and the account alerts.
    pub iam: Vec<ActionOutcome>,
    /// The key rules' outcomes and alerts, kept apart for the report's order.
    pub keys: Vec<ActionOutcome>,
    pub key_alerts: Vec<ActionOutcome>,
    pub caps: Caps,
}

fn has_iam_work(d: &Decision) -> bool {
    matches!(
        d,
        Decision::Delete | Decision::Deactivate | Decision::Reactivate
    )
}

fn kind_of(d: &Decision) -> ActionKind {
    match d {
        Decision::Reactivate => ActionKind::Reactivate,
        Decision::Deactivate => ActionKind::Deactivate,
        _ => ActionKind::Delete,
    }
}

/// Phases 1 and 2 of the run in every account with work; `plan` is the whole sheet's.
pub async fn iam_phases<S: SheetStore, M, I: Iam + Sync, V: Vault + Sync>(
    job: &Job<'_, S, M, I, V>,
    accounts: &Accounts,
    table: &RequestTable,
    directory: &Directory,
    plan: &Plan<'_>,
    today: NaiveDate,
    mode: Mode,
) -> Outcome {
    let s = job.settings;
    let mut iam = Vec::new();

    // The key proves the account, before any account is entered (SPEC §10).
    let due: Vec<&PlannedRow> = plan
        .rows
        .iter()
        .filter(|p| has_iam_work(&p.decision) && p.row.valid.is_ok())
        .collect();
    let proofs: Vec<(usize, Result<(), Action>)> = stream::iter(due.iter())
        .map(|p| async move { (p.row.row, prove_account(job, accounts, p).await) })
        .buffer_unordered(s.concurrency.max(1))
        .collect()
        .await;
    let refused: HashSet<usize> = proofs
        .iter()
        .filter(|(_, r)| r.is_err())
        .map(|(row, _)| *row)
        .collect();
    for (row, result) in proofs {
        if let (Err(action), Some(p)) = (result, due.iter().find(|p| p.row.row == row)) {
            iam.push(ActionOutcome::new(subject(p), action));
        }
    }

    // Which accounts have work: rows due for IAM, or every account when a key rule is on.
    let mut with_work: Vec<&Account> = accounts
        .all()
        .iter()
        .filter(|a| {
            s.hygiene.any()
                || due.iter().any(|p| {
                    !refused.contains(&p.row.row)
                        && p.row.aws_account.as_ref().map(|r| &r.id) == Some(&a.id)
                })
        })
        .collect();
    with_work.sort_by_key(|a| a.id != accounts.home().id);
    let slices: Vec<Slice> = with_work
        .into_iter()
        .map(|a| slice(table, a, &refused))
        .collect();

    // Enter them, up to KEYWARDEN_ACCOUNT_CONCURRENCY at once.
    let home = &accounts.home().id;
    let entered: Vec<Entered<I, V>> = stream::iter(slices.iter())
        .map(|slice| async move {
            if slice.account.id == *home {
                return Entered::Home;
            }
            match job.fleet.enter(&slice.account.id).await {
                Ok((i, v)) => Entered::Other(i, v),
                Err(e) => Entered::Failed(e.to_string()),
            }
        })
        .buffered(s.accounts.concurrency.max(1))
        .collect()
        .await;

    // Phase 1 in every entered account: the key rules' reads.
    let settings: Vec<_> = slices.iter().map(|sl| s.for_account(&sl.account)).collect();
    let plans: Vec<Plan> = slices
        .iter()
        .map(|sl| {
            let elsewhere = held_elsewhere(table, &sl.account);
            Plan::build_with(&sl.table, directory, today, s.rules, elsewhere)
        })
        .collect();
    let sub_jobs: Vec<Option<Job<'_, S, M, I, V>>> = entered
        .iter()
        .zip(&settings)
        .map(|(e, settings)| {
            let (iam, vault) = match e {
                Entered::Home => (job.iam, job.vault),
                Entered::Other(i, v) => (i, v),
                Entered::Failed(_) => return None,
            };
            Some(Job {
                settings,
                sheets: job.sheets,
                slack: job.slack,
                iam,
                vault,
                fleet: job.fleet,
                deadline: job.deadline,
            })
        })
        .collect();
    let key_plans: Vec<KeyPlan> = stream::iter(sub_jobs.iter().zip(&slices).zip(&plans))
        .map(|((sub, sl), sub_plan)| async move {
            match sub {
                Some(sub) => {
                    key_rules::plan(sub, &sl.table, directory, sub_plan, today, mode).await
                }
                None => KeyPlan::default(),
            }
        })
        .buffered(s.accounts.concurrency.max(1))
        .collect()
        .await;

    // The caps count over all accounts.
    let caps = Caps {
        deletions_due: plan.deletions_due()
            + key_plans
                .iter()
                .map(|k| key_rules::deletions(&k.work))
                .sum::<usize>(),
        max_deletions: s.rules.max_deletions,
        deactivations_due: plan.deactivations_due()
            + key_plans
                .iter()
                .map(|k| key_rules::deactivations(&k.work))
                .sum::<usize>(),
        max_deactivations: s.hygiene.max_deactivations,
    };

    // Phase 2 in every entered account; an account that cannot be entered fails alone.
    let mut keys = Vec::new();
    let mut key_alerts = Vec::new();
    let results: Vec<(Vec<ActionOutcome>, Vec<ActionOutcome>)> =
        stream::iter(sub_jobs.iter().zip(&plans).zip(&key_plans))
            .map(|((sub, sub_plan), key_plan)| {
                let caps = &caps;
                async move {
                    let Some(sub) = sub else {
                        return (Vec::new(), Vec::new());
                    };
                    let (t, d, k) = tokio::join!(
                        teardowns::run(sub, sub_plan, caps, mode),
                        deactivations::run(sub, sub_plan, caps, today, mode),
                        key_rules::run(sub, &table.layout, &key_plan.work, caps, mode),
                    );
                    let mut rows = t;
                    rows.extend(d);
                    (rows, k)
                }
            })
            .buffered(s.accounts.concurrency.max(1))
            .collect()
            .await;
    for (((slice, entered), (rows, key_outcomes)), key_plan) in
        slices.iter().zip(&entered).zip(results).zip(key_plans)
    {
        let mine = |o: &ActionOutcome| -> bool {
            o.subject.aws_account.as_ref().map(|a| &a.id) == Some(&slice.account.id)
        };
        if let Entered::Failed(error) = entered {
            // Every row of the account with IAM work fails with the reason; one alert line.
            let failed: Vec<&&PlannedRow> = due
                .iter()
                .filter(|p| !refused.contains(&p.row.row))
                .filter(|p| p.row.aws_account.as_ref().map(|a| &a.id) == Some(&slice.account.id))
                .collect();
            for p in &failed {
                iam.push(ActionOutcome::new(
                    subject(p),
                    Action::AccountUnavailable {
                        kind: kind_of(&p.decision),
                        error: error.clone(),
                    },
                ));
            }
            let mut alert = ActionOutcome::alert(Alert::AccountUnavailable {
                account: slice.account.clone(),
                error: error.clone(),
                rows: failed.iter().map(|p| p.row.row).collect(),
            });
            alert.subject.aws_account = Some(slice.account.clone());
            iam.push(alert);
            continue;
        }
        // Rows of other accounts were in the slice only to claim their keys: not acted on.
        iam.extend(rows.into_iter().filter(mine));
        let in_account = |mut o: ActionOutcome| {
            o.subject
                .aws_account
                .get_or_insert_with(|| slice.account.clone());
            o
        };
        keys.extend(key_outcomes.into_iter().map(in_account));
        key_alerts.extend(key_plan.alerts.into_iter().map(in_account));
    }
    Outcome {
        iam,
        keys,
        key_alerts,
        caps,
    }
}

/// `Ok` when STS says the row's key is of the row's account; else the refusal (or failure).
async fn prove_account<S, M, I, V>(
    job: &Job<'_, S, M, I, V>,
    accounts: &Accounts,
    p: &PlannedRow<'_>,
) -> Result<(), Action> {
    let kind = kind_of(&p.decision);
    let (Ok(valid), Some(row_account)) = (&p.row.valid, &p.row.aws_account) else {
        return Err(Action::KeyAccountUnknown {
            kind,
            error: crate::core::outcome::NO_ROW_ACCOUNT.into(),
        });
    };
    match job.fleet.key_account(&valid.key_id).await {
        Ok(id) if id == row_account.id => Ok(()),
        Ok(id) => Err(Action::WrongAccount {
            kind,
            key_account: accounts.describe(&id),
        }),
        Err(e) => Err(Action::KeyAccountUnknown {
            kind,
            error: e.to_string(),
        }),
    }
}

/// The rows of `account`, a row refused by the key's account made unusable (it still keeps
/// its user and key alive).
fn slice(table: &RequestTable, account: &Account, refused: &HashSet<usize>) -> Slice {
    let rows = table
        .rows
        .iter()
        .filter(|r| in_account(r, account))
        .map(|r| {
            let mut r = r.clone();
            if refused.contains(&r.row) {
                // Claims its key and user, never acted on here.
                r.valid = Err(vec![CellProblem {
                    cell: String::new(),
                    header: "AWSアカウント",
                    problem: crate::core::sheet::Problem::OtherAccount,
                }]);
            }
            r
        })
        .collect();
    Slice {
        account: account.clone(),
        table: RequestTable {
            sheet: table.sheet.clone(),
            layout: table.layout.clone(),
            rows,
        },
    }
}

fn in_account(r: &crate::core::sheet::RequestRow, account: &Account) -> bool {
    r.aws_account.as_ref().map(|a| &a.id) == Some(&account.id)
}

/// Every live row of another account that holds a key ID, for `account`'s proof: key IDs are
/// global, so such a row still holds its key there (one of that account's users may own it
/// under a mistyped account cell), but its user name means another account's user, so it is
/// held without one, and never acted on there.
fn held_elsewhere<'a>(table: &'a RequestTable, account: &Account) -> Vec<Held<'a>> {
    let others = table
        .rows
        .iter()
        .filter(|r| r.status != RowStatus::Deleted && !in_account(r, account));
    Holdings::held(others.map(|r| (r, false)))
        .filter(|h| matches!(h.key, KeyCell::Id(_)))
        .map(|h| Held { user: "", ..h })
        .collect()
}
