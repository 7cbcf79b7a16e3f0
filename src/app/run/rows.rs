//! The parts of a run that need no service: the outcome of rows nothing is done to, the
//! run-wide alerts of the sheets, and the safety caps (docs/rules.md §4, §8).

use crate::configuration::JobSettings;
use crate::core::domain::SlackUserId;
use crate::core::extension::record::PendingCell;
use crate::core::outcome::{
    Action, ActionOutcome, ActionRecord, Alert, Lang, OwnerProblem, Skip, Subject, record,
};
use crate::core::plan::{self, Decision, Plan, PlannedRow};
use crate::core::sheet::{Directory, Holdings, Owner, RequestRow, RequestTable};

use super::key_rules::KeyWork;

/// Who and what a planned row is about.
pub fn subject(p: &PlannedRow) -> Subject {
    subject_of(p.row)
}

/// Who and what a row is about.
fn subject_of(r: &RequestRow) -> Subject {
    Subject {
        row: Some(r.row),
        user: r.user().into(),
        access_key_id: r.key_id().into(),
        owner: r.owner().into(),
        aws_account: r.aws_account.as_deref().cloned(),
    }
}

/// The row's owner on Slack, or why they cannot be told anything.
pub fn owner(p: &PlannedRow) -> Result<SlackUserId, OwnerProblem> {
    let name = p.row.owner().to_string();
    match &p.owner {
        Owner::Found(id) => Ok(id.clone()),
        Owner::NotFound => Err(OwnerProblem::NotFound { name }),
        Owner::Ambiguous(ids) => Err(OwnerProblem::Ambiguous {
            name,
            ids: ids.clone(),
        }),
    }
}

/// The unusable rows' outcomes, decided by the plan alone. The skipped rows are not in the
/// plan: their lines are made from the rows when the report is ([`skipped_lines`]).
pub fn unusable(plan: &Plan) -> Vec<ActionOutcome> {
    plan.rows
        .iter()
        .filter(|p| p.decision == Decision::Unusable)
        .map(|p| {
            let problems = p.row.valid().err().unwrap_or_default();
            ActionOutcome::new(subject(p), Action::Unusable(problems.to_vec()))
        })
        .collect()
}

/// Why a row is skipped (docs/rules.md §3), when it is and the run reports it (`kept`).
fn skip_of(r: &RequestRow, kept: &impl Fn(&RequestRow) -> bool) -> Option<Skip> {
    let skip = match plan::skip(r)? {
        Decision::SkipDeleted => Skip::Deleted,
        Decision::SkipExtended => Skip::Extended,
        Decision::SkipRejected => Skip::Rejected,
        _ => return None,
    };
    kept(r).then_some(skip)
}

/// The report lines of the skipped rows the run reports (`kept`), in sheet order, made one at
/// a time from the rows as read: each as the outcome of its row would read, with the row's end
/// date. Nothing is held for a skip until then: a skip is only ever a line of the report (the
/// log sheet and the summary leave skips out), and an outcome, then a `(row, why)`, held for
/// each of a long sheet's tens of thousands of `削除済み` rows weighed on the run's peak.
pub fn skipped_lines<'a>(
    table: &'a RequestTable,
    kept: impl Fn(&RequestRow) -> bool + 'a,
) -> impl Iterator<Item = ActionRecord> + 'a {
    // Counted first (the status alone): the report sizes its lines by the count.
    let count = table
        .rows
        .iter()
        .filter(|r| skip_of(r, &kept).is_some())
        .count();
    table
        .rows
        .iter()
        .filter_map(move |r| {
            let skip = skip_of(r, &kept)?;
            let mut o = ActionOutcome::new(subject_of(r), Action::Skip(skip));
            o.end_date = r.valid().ok().map(|v| v.end);
            Some(record(&o, Lang::En))
        })
        .take(count)
}

/// What administrators must fix in the sheets, whatever else happens.
pub fn alerts(directory: &Directory, holdings: &Holdings) -> Vec<ActionOutcome> {
    let people = directory
        .problems
        .iter()
        .map(|p| ActionOutcome::alert(Alert::Directory(p.clone())));
    let duplicates = holdings
        .duplicate_keys()
        .into_iter()
        .map(|(key, rows)| ActionOutcome::alert(Alert::DuplicateKey { key, rows }));
    people.chain(duplicates).collect()
}

/// One line per pending extension request of a live row (docs/rules.md §9 step 5), with its row.
pub fn pending_extensions(table: &RequestTable) -> Vec<ActionOutcome> {
    table
        .rows
        .iter()
        .filter(|r| r.status != crate::core::domain::RowStatus::Deleted)
        .filter_map(|r| {
            let cell = PendingCell::parse(r.pending_extension());
            (cell != PendingCell::Empty).then(|| {
                let subject = Subject {
                    row: Some(r.row),
                    user: r.user().into(),
                    access_key_id: r.key_id().into(),
                    owner: r.owner().into(),
                    aws_account: r.aws_account.as_deref().cloned(),
                };
                ActionOutcome::new(subject, Action::Alert(Alert::PendingExtension(cell)))
            })
        })
        .collect()
}

/// The safety caps of one run: over a cap, nothing of that kind is done at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    /// Users and keys due to be deleted (teardowns, age deletions, rotation's removals).
    pub deletions_due: usize,
    pub max_deletions: usize,
    /// Keys due to be set Inactive (unused keys, grace-period rows).
    pub deactivations_due: usize,
    pub max_deactivations: usize,
    /// Approved key requests due to be issued (docs/rules.md §12), and `KEYWARDEN_MAX_ISSUES`.
    pub issues_due: usize,
    pub max_issues: usize,
}

impl Caps {
    /// The run's one count: every row due and every key rule's work, in every account.
    pub fn new<'w>(
        plan: &Plan,
        work: impl Iterator<Item = &'w KeyWork> + Clone,
        s: &JobSettings,
    ) -> Self {
        Caps {
            deletions_due: plan.deletions_due()
                + work.clone().map(KeyWork::deletions).sum::<usize>(),
            max_deletions: s.rules.max_deletions,
            deactivations_due: plan.deactivations_due() + work.filter(|w| w.deactivates()).count(),
            max_deactivations: s.hygiene.max_deactivations,
            issues_due: 0,
            max_issues: s.issue.as_ref().map_or(0, |i| i.max_issues),
        }
    }

    /// With `due` approved key requests to issue.
    pub fn with_issues(self, due: usize) -> Self {
        Caps {
            issues_due: due,
            ..self
        }
    }

    /// Over `KEYWARDEN_MAX_ISSUES`: `Err((due, max))`, and nothing is issued.
    pub fn issues_allowed(&self) -> Result<(), (usize, usize)> {
        if self.issues_due <= self.max_issues {
            Ok(())
        } else {
            Err((self.issues_due, self.max_issues))
        }
    }

    pub fn deletions_allowed(&self) -> bool {
        self.deletions_due <= self.max_deletions
    }

    pub fn deactivations_allowed(&self) -> bool {
        self.deactivations_due <= self.max_deactivations
    }

    /// One alert per cap exceeded.
    pub fn alerts(&self) -> Vec<ActionOutcome> {
        let mut out = Vec::new();
        if !self.deletions_allowed() {
            out.push(ActionOutcome::alert(Alert::DeletionCap {
                due: self.deletions_due,
                max: self.max_deletions,
            }));
        }
        if !self.deactivations_allowed() {
            out.push(ActionOutcome::alert(Alert::DeactivationCap {
                due: self.deactivations_due,
                max: self.max_deactivations,
            }));
        }
        if let Err((due, max)) = self.issues_allowed() {
            out.push(ActionOutcome::alert(Alert::IssueCap { due, max }));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pending_extension_requests_are_listed_with_their_row() {
        let mut header: Vec<_> = crate::core::sheet::ORIGINAL_LAYOUT
            .iter()
            .map(|h| json!(h))
            .collect();
        header.push(json!(" 延長申請 "));
        let row = |account: &str, pending: &str| {
            let mut r = vec![json!(""); 13];
            r[9] = json!(account);
            r[12] = json!(pending);
            r
        };
        let mut deleted = row("c", "手書きのメモ");
        deleted[10] = json!("削除済み");
        let grid = vec![header, row("a", ""), row("b", "手書きのメモ"), deleted];
        let table = RequestTable::parse("s", &grid).unwrap();
        let listed = pending_extensions(&table);
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].subject.row, Some(3));
        assert!(matches!(
            listed[0].action,
            Action::Alert(Alert::PendingExtension(PendingCell::Unreadable(_)))
        ));
    }
    use proptest::prelude::*;

    proptest! {
        /// Over a cap nothing of its kind is allowed; at or under it, everything is.
        #[test]
        fn caps_are_all_or_nothing(del in 0usize..30, max_del in 0usize..30, deact in 0usize..30, max_deact in 0usize..30) {
            let caps = Caps { deletions_due: del, max_deletions: max_del, deactivations_due: deact, max_deactivations: max_deact, issues_due: 0, max_issues: 10 };
            prop_assert_eq!(caps.deletions_allowed(), del <= max_del);
            prop_assert_eq!(caps.deactivations_allowed(), deact <= max_deact);
            prop_assert_eq!(caps.alerts().len(), usize::from(del > max_del) + usize::from(deact > max_deact));
        }
    }
}
