//! The run's AWS accounts, and the IAM stage carried out in each: the one path every run takes.
//!
//! A run is a set of accounts. Without `KEYWARDEN_ACCOUNTS` and without the `AWSアカウント`
//! column it is a set of one, the home account (its ID possibly unknown); otherwise the home
//! account and every allowed account. The whole sheet is planned once and indexed once
//! ([`Plan`], its [`crate::core::sheet::Holdings`]); then each account with work is entered
//! and its rows go through the same phases, with that account's IAM, vault and protected
//! users. An IAM user name means the user of its row's account only; key IDs are global.
//! The caps count over all accounts; the sheet writes stay the caller's, one per stage.

use std::collections::HashMap;

use chrono::NaiveDate;
use futures::stream::{self, StreamExt};

use super::issuance::{self, Requests, sheet::Target};
use super::key_rules::{self, KeyPlan};
use super::rows::{Caps, subject};
use super::{Fatal, Job, Mode, Services, deactivations, teardowns};
use crate::configuration::JobSettings;
use crate::core::domain::{Account, Accounts, AccountsSetting, AwsAccountId};
use crate::core::outcome::{Action, ActionKind, ActionOutcome, Alert};
use crate::core::plan::{Decision, Plan, PlannedRow};
use crate::core::sheet::{Directory, Holdings, RequestTable};

/// The AWS accounts of one run.
pub struct RunAccounts {
    /// `None` only in a run of the home account alone whose ID could not be told: the set of
    /// one account is then that unnamed account.
    known: Option<Accounts>,
    /// `KEYWARDEN_ACCOUNTS` is set or the sheet has an `AWSアカウント` column: a row may name
    /// an account, so its key must prove it before anything changes for it.
    named: bool,
}

impl RunAccounts {
    /// The accounts of the run, the home account first; `[None]` for the unnamed home account.
    fn scopes(&self) -> Vec<Option<&Account>> {
        match &self.known {
            Some(accounts) => accounts.all().map(Some).collect(),
            None => vec![None],
        }
    }

    /// Every account of the run, the home account's ID known (key issuance needs it: a
    /// request's ID holds its account's ID). `None` only for the unnamed home account.
    pub fn all(&self) -> Option<&Accounts> {
        self.known.as_ref()
    }

    /// The accounts by name, when a row may name one (`None` in a run of the home account
    /// alone: everything happens there).
    pub fn known(&self) -> Option<&Accounts> {
        self.known.as_ref().filter(|_| self.named)
    }

    fn is_home(&self, account: Option<&Account>) -> bool {
        match (&self.known, account) {
            (Some(accounts), Some(a)) => a.id == accounts.home().id,
            _ => true,
        }
    }
}

/// Whether a row may name an account: `KEYWARDEN_ACCOUNTS` is set or the sheet has an
/// `AWSアカウント` column. Otherwise every row is the home account's.
fn named(setting: &AccountsSetting, table: &RequestTable) -> bool {
    !setting.is_home_only() || table.layout.aws_account.is_some()
}

/// The accounts of this run, and every row's account. Within the home account alone a home
/// account that cannot be named is no obstacle: the run is then a set of one unnamed account
/// (unless a protected user is qualified by an account: that needs the home account's ID). A
/// protected user qualified by an account that is not allowed stops the run.
pub async fn resolve<X: Services>(
    job: &Job<'_, X>,
    table: &mut RequestTable,
) -> Result<RunAccounts, Fatal> {
    let setting = &job.settings.accounts.setting;
    let named = named(setting, table);
    // A protected user qualified by an account is checked against the allowed accounts, so
    // the home account's ID must be known then too.
    let protected = &job.settings.accounts.protected;
    // Key issuance too: a request's ID holds its account's ID (docs/rules.md §12).
    let need_home =
        named || protected.iter().any(|p| p.is_qualified()) || job.settings.issue.is_some();
    // Within the home account alone, not knowing its ID changes nothing: never wait long.
    let home = if need_home {
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
        Err(e) if !need_home => {
            tracing::debug!(error = %e, "home account not known");
            return Ok(RunAccounts { known: None, named });
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
    Ok(RunAccounts {
        known: Some(accounts),
        named,
    })
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

/// The rows whose key does not prove their account, each with its refusal. They are not
/// acted on; in the plan's index they stay rows that claim their key and user (not due).
pub struct Refused(Vec<(usize, Action)>);

impl Refused {
    fn contains(&self, row: usize) -> bool {
        self.0.iter().any(|(r, _)| *r == row)
    }
}

/// Before any account is entered, each row with IAM work has its key proven to be of the
/// row's account (`sts:GetAccessKeyInfo`). Only when a row may name an account: in a run of
/// the home account alone there is no other account a key could be of.
pub async fn prove_keys<X: Services>(
    job: &Job<'_, X>,
    accounts: &RunAccounts,
    plan: &Plan<'_>,
    holdings: &mut Holdings<'_>,
) -> Refused {
    let (true, Some(known)) = (accounts.named, &accounts.known) else {
        return Refused(Vec::new());
    };
    let due: Vec<&PlannedRow> = plan
        .rows
        .iter()
        .filter(|p| has_iam_work(&p.decision) && p.row.valid().is_ok())
        .collect();
    let proofs: Vec<(usize, Result<(), Action>)> = stream::iter(due)
        .map(|p| async move { (p.row.row, prove_account(job, known, p).await) })
        .buffer_unordered(job.settings.concurrency.max(1))
        .collect()
        .await;
    let mut refused: Vec<(usize, Action)> = proofs
        .into_iter()
        .filter_map(|(row, r)| r.err().map(|action| (row, action)))
        .collect();
    refused.sort_by_key(|(row, _)| *row);
    for (row, _) in &refused {
        holdings.not_acted_on(*row);
    }
    Refused(refused)
}

/// `Ok` when STS says the row's key is of the row's account; else the refusal (or failure).
/// No call is started once the invocation's deadline has come.
async fn prove_account<X: Services>(
    job: &Job<'_, X>,
    accounts: &Accounts,
    p: &PlannedRow<'_>,
) -> Result<(), Action> {
    let kind = kind_of(&p.decision);
    let (Ok(valid), Some(row_account)) = (&p.row.valid(), &p.row.aws_account) else {
        return Err(Action::KeyAccountUnknown {
            kind,
            error: crate::core::outcome::NO_ROW_ACCOUNT.into(),
        });
    };
    if job.deadline.passed() {
        return Err(Action::KeyAccountUnknown {
            kind,
            error: crate::core::outcome::OUT_OF_TIME.into(),
        });
    }
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

/// What the IAM stage of a run came to, before its sheet write.
pub struct IamStage<I> {
    /// The rows' IAM outcomes (teardowns, switches, refusals) and the accounts' failures.
    pub rows: Vec<ActionOutcome>,
    /// The key rules' outcomes, kept apart for the report's order.
    pub keys: Vec<ActionOutcome>,
    /// The key rules' alerts (listings that failed, last uses not confirmed).
    pub alerts: Vec<ActionOutcome>,
    /// The run's caps, counted over every account.
    pub caps: Caps,
    /// The log sheet's first stage, when it could not be appended to.
    pub log_failed: Option<ActionOutcome>,
    /// Key requests whose user name is free: asked for approval once the IAM results are
    /// written (docs/rules.md §12).
    pub to_ask: Vec<issuance::Item>,
    /// The outcomes of asking them, and of the requests that were not (their user name is
    /// taken, or could not be checked).
    pub asked: Vec<ActionOutcome>,
    /// The member accounts entered for the stage, with their IAM clients: the later phases
    /// of the run (the teardown tag's removal) act through them instead of entering again.
    pub entered: HashMap<AwsAccountId, I>,
}

/// What a phase of one AWS account is given besides its services: the account's rows with
/// IAM work (sheet order), the whole sheet's one index, today and the mode.
pub struct AccountWork<'a> {
    pub rows: Vec<&'a PlannedRow<'a>>,
    /// The one index of what the whole sheet holds.
    pub holdings: &'a Holdings<'a>,
    pub today: NaiveDate,
    pub mode: Mode,
}

impl<'a> AccountWork<'a> {
    /// The account's rows whose decision is `wanted`.
    pub fn with(
        &self,
        wanted: impl Fn(&Decision) -> bool,
    ) -> impl Iterator<Item = &'a PlannedRow<'a>> {
        self.rows
            .iter()
            .copied()
            .filter(move |p| wanted(&p.decision))
    }
}

/// An account once entered: its clients, or why it could not be entered.
enum Entered<I, V> {
    Home,
    Other(I, V),
    Failed(String),
}

/// The IAM stage in every account with work: enter it, plan its key rules, count the caps
/// over all accounts, then run the phases in each. An account that cannot be entered fails
/// alone: its rows with IAM work are `failed`, with one alert line for the account.
#[allow(clippy::too_many_arguments)]
pub async fn iam_stage<X: Services>(
    job: &Job<'_, X>,
    accounts: &RunAccounts,
    table: &RequestTable,
    directory: &Directory,
    plan: &Plan<'_>,
    holdings: &Holdings<'_>,
    refused: Refused,
    requests: &Requests,
    target: Option<&Target<'_>>,
    today: NaiveDate,
    mode: Mode,
) -> IamStage<X::Iam> {
    let s = job.settings;
    let mut rows_out: Vec<ActionOutcome> = Vec::new();
    for (row, action) in refused.0.iter().cloned() {
        if let Some(p) = plan.rows.iter().find(|p| p.row.row == row) {
            rows_out.push(ActionOutcome::new(subject(p), action));
        }
    }

    // Each account's rows with IAM work; an account is entered only when it has some, or
    // when a key rule is on (the rules look at every account).
    let scopes = accounts.scopes();
    let works: Vec<AccountWork> = scopes
        .iter()
        .map(|scope| AccountWork {
            rows: plan
                .rows
                .iter()
                .filter(|p| has_iam_work(&p.decision) && !refused.contains(p.row.row))
                .filter(|p| p.row.aws_account.as_ref().map(|a| &a.id) == scope.map(|a| &a.id))
                .collect(),
            holdings,
            today,
            mode,
        })
        .collect();
    let requests_in = |scope: Option<&Account>| -> Vec<issuance::Item> {
        scope
            .map(|a| requests.of(a).cloned().collect())
            .unwrap_or_default()
    };
    let with_work: Vec<usize> = (0..scopes.len())
        .filter(|&i| {
            s.hygiene.any() || !works[i].rows.is_empty() || !requests_in(scopes[i]).is_empty()
        })
        .collect();

    // Enter them, up to KEYWARDEN_ACCOUNT_CONCURRENCY at once.
    let entered: Vec<Entered<X::Iam, X::Vault>> = stream::iter(with_work.iter())
        .map(|&i| {
            let scope = scopes[i];
            async move {
                match scope {
                    _ if accounts.is_home(scope) => Entered::Home,
                    Some(account) if job.deadline.passed() => {
                        tracing::info!(account = %account, "not entered: out of time");
                        Entered::Failed(crate::core::outcome::OUT_OF_TIME.into())
                    }
                    Some(account) => match job.fleet.enter(&account.id).await {
                        Ok((i, v)) => Entered::Other(i, v),
                        Err(e) => Entered::Failed(e.to_string()),
                    },
                    None => Entered::Home,
                }
            }
        })
        .buffered(s.accounts.concurrency.max(1))
        .collect()
        .await;

    // Each entered account's job: its IAM and vault, its protected users.
    let settings: Vec<JobSettings> = with_work
        .iter()
        .map(|&i| match scopes[i] {
            Some(account) => s.for_account(account),
            None => s.clone(),
        })
        .collect();
    let jobs: Vec<Option<Job<'_, X>>> = entered
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

    // The key rules' reads in every entered account, then the caps over all of them.
    let key_plans: Vec<KeyPlan> = stream::iter(jobs.iter().zip(&with_work))
        .map(|(sub, &i)| {
            let work = &works[i];
            async move {
                match sub {
                    Some(sub) => key_rules::plan(sub, table, directory, work).await,
                    None => KeyPlan::default(),
                }
            }
        })
        .buffered(s.accounts.concurrency.max(1))
        .collect()
        .await;
    let caps = Caps::new(plan, key_plans.iter().flat_map(|k| &k.work), s)
        .with_issues(requests.issues_due());

    // The phases in every entered account, side by side.
    let user_col = table.layout.user;
    let results: Vec<(Vec<ActionOutcome>, Vec<ActionOutcome>, Asks)> =
        stream::iter(jobs.iter().zip(&with_work).zip(&key_plans))
            .map(|((sub, &i), key_plan)| {
                let (caps, work) = (&caps, &works[i]);
                let items = requests_in(scopes[i]);
                async move {
                    let Some(sub) = sub else {
                        return (Vec::new(), Vec::new(), Asks::default());
                    };
                    let issuing = async {
                        match target {
                            Some(target) if !items.is_empty() => Some(
                                issuance::in_account(
                                    sub,
                                    items,
                                    caps.issues_allowed(),
                                    target,
                                    user_col,
                                    mode,
                                )
                                .await,
                            ),
                            _ => None,
                        }
                    };
                    let (t, d, k, issued) = tokio::join!(
                        teardowns::run(sub, work, caps),
                        deactivations::run(sub, work, caps),
                        key_rules::run(sub, &table.layout, &key_plan.work, caps, mode),
                        issuing,
                    );
                    let mut rows = t;
                    rows.extend(d);
                    let mut asks = Asks::default();
                    if let Some(issued) = issued {
                        rows.extend(issued.outcomes);
                        asks = (issued.not_asked, issued.to_ask);
                    }
                    (rows, k, asks)
                }
            })
            .buffered(s.accounts.concurrency.max(1))
            .collect()
            .await;

    let mut keys = Vec::new();
    let mut alerts = Vec::new();
    let mut to_ask = Vec::new();
    let mut not_asked = Vec::new();
    let mut clients = HashMap::new();
    drop(jobs);
    for (((&i, entered), (rows, key_outcomes, (refused_asks, asks))), key_plan) in
        with_work.iter().zip(entered).zip(results).zip(key_plans)
    {
        let scope = scopes[i];
        match (entered, scope) {
            (Entered::Failed(error), Some(account)) => {
                rows_out.extend(account_failed(
                    account,
                    &works[i],
                    &requests_in(scope),
                    &error,
                ));
                continue;
            }
            (Entered::Other(iam, _), Some(account)) => {
                clients.insert(account.id, iam);
            }
            _ => {}
        }
        rows_out.extend(rows);
        not_asked.extend(refused_asks);
        to_ask.extend(asks);
        let in_account = |mut o: ActionOutcome| {
            if let Some(account) = scope {
                o.subject.aws_account.get_or_insert_with(|| account.clone());
            }
            o
        };
        keys.extend(key_outcomes.into_iter().map(in_account));
        alerts.extend(key_plan.alerts.into_iter().map(in_account));
    }
    IamStage {
        rows: rows_out,
        keys,
        alerts,
        caps,
        log_failed: None,
        to_ask,
        asked: not_asked,
        entered: clients,
    }
}

/// A phase's key requests refused or not checked, and those to ask.
type Asks = (Vec<ActionOutcome>, Vec<issuance::Item>);

/// An account that could not be entered: each of its rows with IAM work fails with the
/// reason, and administrators get one line for the account.
fn account_failed(
    account: &Account,
    work: &AccountWork,
    requests: &[issuance::Item],
    error: &str,
) -> Vec<ActionOutcome> {
    let mut out: Vec<ActionOutcome> = work
        .rows
        .iter()
        .map(|p| {
            ActionOutcome::new(
                subject(p),
                Action::AccountUnavailable {
                    kind: kind_of(&p.decision),
                    error: error.to_string(),
                },
            )
        })
        .collect();
    out.extend(requests.iter().map(|item| {
        ActionOutcome::new(
            item.subject.clone(),
            Action::AccountUnavailable {
                kind: if item.asks() {
                    ActionKind::IssueRequest
                } else {
                    ActionKind::Issue
                },
                error: error.to_string(),
            },
        )
    }));
    let mut rows: Vec<usize> = work.rows.iter().map(|p| p.row.row).collect();
    rows.extend(requests.iter().filter_map(|i| i.subject.row));
    rows.sort_unstable();
    let mut alert = ActionOutcome::alert(Alert::AccountUnavailable {
        account: account.clone(),
        error: error.to_string(),
        rows,
    });
    alert.subject.aws_account = Some(account.clone());
    out.push(alert);
    out
}

/// The account a phase acts in, for the proof's claims (`None`: the run's only account).
pub fn current(settings: &JobSettings) -> Option<&AwsAccountId> {
    settings.accounts.current.as_ref().map(|a| &a.id)
}
