//! Key issuance's phases (docs/rules.md §12) on the one run path: a request is a row of an
//! account like any other. [`collect`] reads the sheet's requests (pure verdicts, no service);
//! [`in_account`] is one more phase per account inside the IAM bracket (the user-name checks
//! and the issuing, behind the deadline and the cap); [`ask`] posts the approval requests once
//! the IAM results are in the sheet. Every write of a request finds its row again by `R`
//! ([`sheet`]).

mod ask;
mod issue;
pub mod sheet;

use chrono::NaiveDate;

pub use ask::run as ask;
pub use issue::in_account;

use crate::configuration::JobSettings;
use crate::core::domain::{Account, Accounts};
use crate::core::issue::{Context, IssueSettings, Step, ValidRequest, requests};
use crate::core::outcome::{Action, ActionOutcome, Ask, Skip, Subject};
use crate::core::sheet::{Directory, RequestTable};

/// A request that needs its AWS account: asked once its user name is known to be free, or
/// issued.
#[derive(Debug, Clone)]
pub struct Item {
    pub subject: Subject,
    pub valid: ValidRequest,
    /// [`Step::AskApproval`], [`Step::Stale`], [`Step::Pending`] (asked, but no copy of the
    /// question is recorded: asked again) or [`Step::Issue`].
    pub step: Step,
    /// `氏名` and `申請目的・理由` as written, for the approval request and the DMs.
    pub owner_name: String,
    pub purpose: String,
}

impl Item {
    pub fn asks(&self) -> bool {
        self.step != Step::Issue
    }
}

/// The run's key requests.
#[derive(Debug, Default)]
pub struct Requests {
    /// What the sheet alone decides: refused requests, requests waiting for a decision or for
    /// their start date.
    pub settled: Vec<ActionOutcome>,
    /// The requests that need their account.
    pub work: Vec<Item>,
}

impl Requests {
    /// Approved requests due now, in every account: what `KEYWARDEN_MAX_ISSUES` counts.
    pub fn issues_due(&self) -> usize {
        self.work.iter().filter(|i| i.step == Step::Issue).count()
    }

    /// The requests of `account`.
    pub fn of<'a>(&'a self, account: &'a Account) -> impl Iterator<Item = &'a Item> {
        self.work
            .iter()
            .filter(move |i| i.valid.account.id == account.id)
    }
}

/// The issuance settings and the context of a run's checks.
pub fn context<'a>(
    settings: &'a JobSettings,
    issue: &'a IssueSettings,
    accounts: &'a Accounts,
    directory: &'a Directory,
    today: NaiveDate,
) -> Context<'a> {
    Context {
        today,
        settings: issue,
        accounts,
        directory,
        protected: &settings.accounts.protected,
    }
}

/// Every request of the sheet with its verdict: the settled ones as outcomes, the others as
/// work for their account.
pub fn collect(table: &RequestTable, ctx: &Context) -> Requests {
    let mut out = Requests::default();
    for request in requests(table, ctx) {
        let row = request.row;
        let subject = Subject {
            row: Some(row.row),
            user: row.user().into(),
            access_key_id: Default::default(),
            owner: row.owner().into(),
            aws_account: match &request.verdict {
                Ok(v) => Some(v.account.clone()),
                Err(_) => row.aws_account.as_deref().cloned(),
            },
        };
        let copies = request
            .cell
            .record()
            .map(|r| r.copies.len())
            .unwrap_or_default();
        let valid = match request.verdict {
            Ok(valid) => valid,
            Err(problems) => {
                let action = match request.step {
                    Step::Rejected => Action::Skip(Skip::Rejected),
                    Step::Done => Action::Skip(Skip::Nothing),
                    _ => Action::IssueRequest(Ask::Refused(problems)),
                };
                out.settled.push(ActionOutcome::new(subject, action));
                continue;
            }
        };
        let settled = match request.step {
            Step::Rejected => Some(Skip::Rejected),
            Step::Done => Some(Skip::Nothing),
            Step::Pending if copies > 0 => Some(Skip::AwaitingApproval),
            Step::NotYet => Some(Skip::StartsLater(valid.start.unwrap_or(ctx.today))),
            _ => None,
        };
        match settled {
            Some(skip) => out
                .settled
                .push(ActionOutcome::new(subject, Action::Skip(skip))),
            None => out.work.push(Item {
                subject,
                valid,
                step: request.step,
                owner_name: row.owner().to_string(),
                purpose: row.purpose().to_string(),
            }),
        }
    }
    out
}
