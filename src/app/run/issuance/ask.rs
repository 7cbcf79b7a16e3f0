//! Phase: asking for approval (docs/rules.md §12 step 1), after the IAM stage's results are in
//! the sheet. `承認待ち R` is written first, then the approval request is posted to every
//! administrator (or to `KEYWARDEN_APPROVAL_CHANNEL`), then where each copy went is recorded in
//! `発行申請` (the endpoint updates every copy once decided), then the owner is told.

use super::super::notices::send;
use super::super::{Job, Mode, Services};
use super::Item;
use super::sheet::{self, Target};
use crate::adapters::{Messenger, SendError};
use crate::app::issue_message;
use crate::core::issue::writes::Change;
use crate::core::issue::{ApprovalCopy, Step};
use crate::core::outcome::{Action, ActionOutcome, Ask, DmFailure};
use crate::core::words::issue_texts::{self as texts, Shown};

/// Per item posted: its index, the row `承認待ち` went to, the copies, whom it did not reach.
type Posted = (usize, usize, Vec<ApprovalCopy>, Vec<(String, DmFailure)>);

pub async fn run<X: Services>(
    job: &Job<'_, X>,
    items: Vec<Item>,
    target: &Target<'_>,
    mode: Mode,
) -> Vec<ActionOutcome> {
    if items.is_empty() {
        return Vec::new();
    }
    let again = |i: &Item| i.step == Step::Stale;
    let outcome =
        |i: &Item, ask: Ask| ActionOutcome::new(i.subject.clone(), Action::IssueRequest(ask));
    if mode == Mode::DryRun {
        return items
            .iter()
            .map(|i| {
                outcome(
                    i,
                    Ask::Planned {
                        request: i.valid.id.clone(),
                        again: again(i),
                    },
                )
            })
            .collect();
    }
    if job.deadline.passed() {
        return items.iter().map(|i| outcome(i, Ask::OutOfTime)).collect();
    }
    // `承認待ち R` first: a request posted but not in the sheet could be asked twice.
    let asking: Vec<_> = items
        .iter()
        .map(|i| (i.valid.id.clone(), Change::Asking))
        .collect();
    let written = sheet::write(job, target, &asking).await;
    let mut out = Vec::with_capacity(items.len());
    let mut posted: Vec<Posted> = Vec::new();
    for (i, (item, row)) in items.iter().zip(written).enumerate() {
        let row = match row {
            Ok(row) => row,
            Err(why) => {
                out.push(outcome(
                    item,
                    Ask::NotWritten {
                        request: item.valid.id.clone(),
                        why,
                    },
                ));
                continue;
            }
        };
        let text = texts::approval_request(
            &item.valid,
            &Shown {
                row,
                owner_name: &item.owner_name,
                purpose: &item.purpose,
            },
        );
        let (copies, failures) = post_everywhere(job, &item.valid.id, &text).await;
        posted.push((i, row, copies, failures));
    }
    // Where the copies went, in one more write (each row found again by its ID).
    let recording: Vec<_> = posted
        .iter()
        .filter(|(_, _, copies, _)| !copies.is_empty())
        .map(|(i, _, copies, _)| (items[*i].valid.id.clone(), Change::Copies(copies.clone())))
        .collect();
    let mut recorded = sheet::write(job, target, &recording).await.into_iter();
    for (i, row, copies, failures) in posted {
        let item = &items[i];
        let recorded = !copies.is_empty() && recorded.next().is_some_and(|r| r.is_ok());
        let mut o = outcome(
            item,
            Ask::Asked {
                request: item.valid.id.clone(),
                again: again(item),
                posted: copies.len(),
                failures,
                recorded,
            },
        );
        // Where the row is now (administrators move rows while keywarden runs).
        o.subject.row = Some(row);
        if !copies.is_empty() {
            let text = texts::owner_asked(&item.valid, &item.owner_name);
            o.owner_dm = Some(send(job, &item.valid.owner, text, mode).await);
        }
        out.push(o);
    }
    out.sort_by_key(|o| o.subject.row);
    out
}

/// The approval request to the approval channel, or to every administrator.
async fn post_everywhere<X: Services>(
    job: &Job<'_, X>,
    request: &crate::core::issue::RequestId,
    text: &str,
) -> (Vec<ApprovalCopy>, Vec<(String, DmFailure)>) {
    let places: Vec<String> = match job
        .settings
        .issue
        .as_ref()
        .and_then(|s| s.approval_channel.clone())
    {
        Some(channel) => vec![channel],
        None => job.settings.admins.iter().map(|a| a.to_string()).collect(),
    };
    let blocks = [issue_message::buttons(request)];
    let mut copies = Vec::new();
    let mut failures = Vec::new();
    for place in places {
        match job
            .deadline
            .run(job.slack.post(&place, text, &blocks))
            .await
        {
            Some(Ok(copy)) => copies.push(copy),
            Some(Err(SendError::Unreachable(code))) => {
                failures.push((place, DmFailure::Unreachable(code)))
            }
            Some(Err(SendError::Failed(message))) => {
                failures.push((place, DmFailure::Failed(message)))
            }
            None => failures.push((place, DmFailure::OutOfTime)),
        }
    }
    (copies, failures)
}
