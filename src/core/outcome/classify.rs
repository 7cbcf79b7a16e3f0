//! Which [`Outcome`] each action comes to: done, planned, refused or failed (docs/rules.md §6).

use super::{Action, Alert, Ask, Dm, Issuance, KeyResult, Outcome, Switch, Teardown};

pub(super) fn outcome(action: &Action) -> Outcome {
    use Outcome::*;
    match action {
        Action::Skip(_) => Done,
        Action::Unusable(_) => Refused,
        Action::Teardown(t) => match t {
            Teardown::Refused(_) => Refused,
            Teardown::ReadFailed { .. } | Teardown::Stopped { .. } | Teardown::OutOfTime => Failed,
            Teardown::AlreadyGone { planned: true }
            | Teardown::Planned { .. }
            | Teardown::KeyOnly { planned: true, .. } => Planned,
            Teardown::AlreadyGone { .. } | Teardown::TornDown { .. } | Teardown::KeyOnly { .. } => {
                Done
            }
        },
        Action::Notice { dm, .. } => match dm {
            Dm::Sent { .. } => Done,
            Dm::Composed { .. } => Planned,
            _ => Failed,
        },
        Action::Switch { result, .. } => match result {
            Switch::Refused(_) | Switch::RowUnusable(_) | Switch::Cap { .. } => Refused,
            Switch::ReadFailed { .. }
            | Switch::CannotReactivate
            | Switch::Failed { .. }
            | Switch::OutOfTime => Failed,
            Switch::Planned | Switch::KeyGone { planned: true } => Planned,
            Switch::KeyGone { .. } | Switch::Switched { .. } => Done,
        },
        Action::Key { result, .. } => match result {
            KeyResult::Planned => Planned,
            KeyResult::Done | KeyResult::Rotated { .. } => Done,
            KeyResult::Cap { .. }
            | KeyResult::DeactivationCap { .. }
            | KeyResult::TwoActiveKeys { .. } => Refused,
            KeyResult::Failed { .. } | KeyResult::RotationStopped { .. } | KeyResult::OutOfTime => {
                Failed
            }
        },
        Action::AccountUnavailable { .. } | Action::KeyAccountUnknown { .. } => Failed,
        Action::WrongAccount { .. } => Refused,
        Action::IssueRequest(ask) => ask_outcome(ask),
        Action::Issue { result, .. } => issuance_outcome(result),
        Action::Alert(a) => match a {
            Alert::Directory(_) | Alert::DuplicateKey { .. } | Alert::PendingExtension(_) => Done,
            Alert::DeletionCap { .. } | Alert::DeactivationCap { .. } | Alert::IssueCap { .. } => {
                Refused
            }
            _ => Failed,
        },
    }
}

fn ask_outcome(ask: &Ask) -> Outcome {
    match ask {
        Ask::Refused(_) => Outcome::Refused,
        Ask::Planned { .. } => Outcome::Planned,
        Ask::Asked {
            posted, recorded, ..
        } if *posted > 0 && *recorded => Outcome::Done,
        Ask::Asked { .. } | Ask::CheckFailed { .. } | Ask::NotWritten { .. } | Ask::OutOfTime => {
            Outcome::Failed
        }
    }
}

fn issuance_outcome(result: &Issuance) -> Outcome {
    match result {
        Issuance::Planned { .. } => Outcome::Planned,
        Issuance::Cap { .. } | Issuance::NameTaken | Issuance::SecretTaken { .. } => {
            Outcome::Refused
        }
        Issuance::Issued { written: Ok(_), .. } => Outcome::Done,
        Issuance::Issued { .. } | Issuance::Stopped { .. } | Issuance::OutOfTime => Outcome::Failed,
    }
}
