//! Phase, in one AWS account: whether each new request's user name is free (`GetUser` and its
//! request tag), and the issuing of each approved request (docs/rules.md §12 step 3), one at a
//! time, each written to its row at once. Every step tolerates its own earlier completion, so
//! a run that dies between steps is finished by the next one.

use super::super::{Job, Mode, Services};
use super::Item;
use super::sheet::{self, Target};
use crate::adapters::{Created, Iam, NewUser, Vault};
use crate::core::domain::{AccessKeyId, Secret};
use crate::core::issue::writes::Change;
use crate::core::issue::{RequestProblem, RequestProblemKind, policy};
use crate::core::outcome::{
    Action, ActionOutcome, Ask, Dm, Issuance, IssueStep, NotWrittenWhy, Unwritten,
};
use crate::core::sheet::{USER_COLUMN, column_letter};
use crate::core::teardown::{END_DATE_TAG, OWNER_TAG, REQUEST_TAG, Step as IamStep};
use crate::core::words::issue_texts as texts;

/// The cap over every account: `Err((due, max))` when more approved requests are due than
/// `KEYWARDEN_MAX_ISSUES` (then none is issued).
pub type IssueCap = Result<(), (usize, usize)>;

/// What one account's phase came to: the issuances, the requests refused or not checked (their
/// user name), and the requests whose user name is free, to be asked for approval once IAM's
/// results are written.
pub struct InAccount {
    pub outcomes: Vec<ActionOutcome>,
    pub not_asked: Vec<ActionOutcome>,
    pub to_ask: Vec<Item>,
}

pub async fn in_account<X: Services>(
    job: &Job<'_, X>,
    items: Vec<Item>,
    cap: IssueCap,
    target: &Target<'_>,
    user_col: usize,
    mode: Mode,
) -> InAccount {
    let mut out = InAccount {
        outcomes: Vec::new(),
        not_asked: Vec::new(),
        to_ask: Vec::new(),
    };
    for item in items {
        if item.asks() {
            match name_check(job, &item, user_col).await {
                Ok(()) => out.to_ask.push(item),
                Err(ask) => out.not_asked.push(ActionOutcome::new(
                    item.subject.clone(),
                    Action::IssueRequest(ask),
                )),
            }
            continue;
        }
        let result = match (cap, mode) {
            (Err((due, max)), _) => Issuance::Cap { due, max },
            (_, Mode::DryRun) => Issuance::Planned {
                policy: item.valid.policy_arn.clone(),
            },
            _ if job.deadline.passed() => Issuance::OutOfTime,
            _ => issue(job, &item, target).await,
        };
        let mut outcome = ActionOutcome::new(
            item.subject.clone(),
            Action::Issue {
                request: item.valid.id.clone(),
                result: result.clone(),
            },
        );
        if let Issuance::Issued {
            key,
            secret,
            written: Ok(_),
            ..
        } = &result
        {
            outcome.subject.access_key_id = key.to_string().into();
            outcome.owner_dm = Some(Dm::Composed {
                to: item.valid.owner.clone(),
                text: texts::owner_issued(&item.valid, &item.owner_name, key, secret),
            });
        }
        out.outcomes.push(outcome);
    }
    out
}

/// A new request's user name must be free in its account, or be a user created for this very
/// request (an interrupted issuance).
async fn name_check<X: Services>(
    job: &Job<'_, X>,
    item: &Item,
    user_col: usize,
) -> Result<(), Ask> {
    if job.deadline.passed() {
        return Err(Ask::OutOfTime);
    }
    let v = &item.valid;
    match job.iam.user_tag(&v.user, REQUEST_TAG).await {
        Ok(None) => Ok(()),
        Ok(Some(tag)) if tag.as_deref().map(str::trim) == Some(v.id.as_str()) => Ok(()),
        Ok(Some(_)) => Err(Ask::Refused(vec![RequestProblem {
            cell: item
                .subject
                .row
                .map(|r| format!("{}{r}", column_letter(user_col)))
                .unwrap_or_default(),
            header: USER_COLUMN.aliases[0],
            kind: RequestProblemKind::UserExists {
                user: v.user.to_string(),
                account: v.account.to_string(),
            },
        }])),
        Err(e) => Err(Ask::CheckFailed {
            error: e.to_string(),
        }),
    }
}

/// docs/rules.md §12 step 3, steps 1–6, in the item's account.
async fn issue<X: Services>(job: &Job<'_, X>, item: &Item, target: &Target<'_>) -> Issuance {
    let Some(settings) = job.settings.issue.as_ref() else {
        return Issuance::OutOfTime;
    };
    let v = &item.valid;
    let stopped =
        |at: IssueStep, e: &dyn std::fmt::Display, undone: Option<bool>| Issuance::Stopped {
            at,
            error: e.to_string(),
            undone,
        };
    let new = NewUser {
        name: v.user.clone(),
        path: settings.path.clone(),
        boundary: settings.boundary_for(&v.account.id),
        tags: vec![
            (REQUEST_TAG.into(), v.id.to_string()),
            (OWNER_TAG.into(), v.owner.to_string()),
            (END_DATE_TAG.into(), v.end.format("%Y-%m-%d").to_string()),
        ],
    };
    match job.iam.create_user(&new).await {
        Ok(Created::New) => {}
        // Adopted only when it is this request's own user, from a run that did not finish.
        Ok(Created::Exists) => match job.iam.user_tag(&v.user, REQUEST_TAG).await {
            Ok(Some(Some(tag))) if tag.trim() == v.id.as_str() => {}
            Ok(_) => return Issuance::NameTaken,
            Err(e) => return stopped(IssueStep::CreateUser, &e, None),
        },
        Err(e) => return stopped(IssueStep::CreateUser, &e, None),
    }
    if let Err(e) = job.iam.attach_policy(&v.user, &v.policy_arn).await {
        return stopped(IssueStep::AttachPolicy, &e, None);
    }
    // A key the user has now was made by an issuance of this request that died before its
    // secret was stored: nobody holds its secret.
    let orphans = match job.iam.user_keys(&v.user).await {
        Ok(keys) => keys,
        Err(e) => return stopped(IssueStep::CreateKey, &e, None),
    };
    for key in &orphans {
        if let Err(e) = job
            .iam
            .apply(&v.user, &IamStep::DeleteAccessKey(key.clone()))
            .await
        {
            return stopped(IssueStep::DeleteOrphanKey(key.clone()), &e, None);
        }
    }
    let (key, secret) = match job.iam.create_key(&v.user).await {
        Ok(made) => made,
        Err(e) => return stopped(IssueStep::CreateKey, &e, None),
    };
    let name = settings.secret_name(v.user.as_str());
    if let Err(result) = store(job, item, &name, &key, &secret, target).await {
        // An active key whose secret nobody holds must not exist.
        let undone = job
            .iam
            .apply(&v.user, &IamStep::DeleteAccessKey(key.clone()))
            .await
            .is_ok();
        return result(undone);
    }
    drop(secret);
    let written = sheet::write(
        job,
        target,
        &[(
            v.id.clone(),
            Change::Issued {
                key: key.clone(),
                today: target.today,
            },
        )],
    )
    .await
    .pop()
    .unwrap_or_else(|| {
        let none = NotWrittenWhy::WriteFailed("no answer for this write".into());
        Err(Unwritten::Sheet(none))
    });
    Issuance::Issued {
        key,
        secret: name,
        orphans,
        written,
    }
}

/// Why the secret was not stored, once it is known whether the new key was deleted again.
type Undo = Box<dyn FnOnce(bool) -> Issuance + Send>;

/// Step 5: the key's secret, tagged with the request, as a new version when the secret is
/// this request's already; then the reader-only policy.
async fn store<X: Services>(
    job: &Job<'_, X>,
    item: &Item,
    name: &str,
    key: &AccessKeyId,
    secret: &Secret,
    target: &Target<'_>,
) -> Result<(), Undo> {
    let v = &item.valid;
    let failed = |at: IssueStep, e: String| -> Undo {
        Box::new(move |undone| Issuance::Stopped {
            at,
            error: e,
            undone: Some(undone),
        })
    };
    let payload = Secret::new(
        serde_json::json!({"AccessKeyId": key.as_str(), "SecretAccessKey": secret.expose()})
            .to_string(),
    );
    let stored = match job.vault.secret_tag(name, REQUEST_TAG).await {
        Err(e) => Err(e),
        Ok(None) => {
            job.vault
                .create_tagged(name, &payload, &[(REQUEST_TAG.into(), v.id.to_string())])
                .await
        }
        Ok(Some(Some(tag))) if tag.trim() == v.id.as_str() => job.vault.store(name, &payload).await,
        Ok(Some(_)) => {
            let secret = name.to_string();
            return Err(Box::new(move |undone| Issuance::SecretTaken {
                secret,
                undone,
            }));
        }
    };
    drop(payload);
    if let Err(e) = stored {
        return Err(failed(IssueStep::StoreSecret, e.to_string()));
    }
    let Some(reader) = job.settings.issue.as_ref().and_then(|s| s.reader.as_ref()) else {
        return Ok(());
    };
    let email = target.directory.email(&v.owner);
    let principal = reader
        .for_owner(&v.account.id, email)
        .map_err(|e| failed(IssueStep::SecretPolicy, format!("{e:?}")))?;
    job.vault
        .put_policy(
            name,
            &policy::reader_only(v.account.id.as_str(), &principal),
        )
        .await
        .map_err(|e| failed(IssueStep::SecretPolicy, e.to_string()))
}
