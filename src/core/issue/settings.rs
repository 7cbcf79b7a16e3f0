//! The settings of key issuance: which permissions a request may ask for (the entries of
//! `KEYWARDEN_ISSUE_POLICIES`), where created users and their secrets go, who may read the
//! secrets, and the caps. Parsed here, pure; `crate::configuration` reads the variables and
//! collects the problems with every other setting's.

use std::fmt;

use crate::core::domain::{AwsAccountId, alias_key, shorten};

/// What stands for the row's account ID in a policy ARN, the boundary and the reader pattern.
pub const ACCOUNT_PLACEHOLDER: &str = "{account}";
/// What stands for the owner's `users_json` e-mail in the reader pattern.
pub const EMAIL_PLACEHOLDER: &str = "{email}";

/// Everything issuance needs besides the sheet; present only when issuance is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueSettings {
    /// `KEYWARDEN_ISSUE_POLICIES`, in the order written; never empty.
    pub policies: Vec<PolicyEntry>,
    /// `KEYWARDEN_ISSUE_PATH`: the IAM path of created users, starting and ending with `/`.
    pub path: String,
    /// `KEYWARDEN_ISSUE_BOUNDARY`: the permissions boundary of created users.
    pub boundary: Option<PolicyArn>,
    /// `KEYWARDEN_ISSUE_SECRET_PREFIX` (default `keywarden/`): the secret is `<prefix><user>`.
    pub secret_prefix: String,
    /// `KEYWARDEN_ISSUE_READER`: the only principal that may read an issued secret.
    pub reader: Option<ReaderPattern>,
    /// `KEYWARDEN_MAX_ISSUES` (default 10): more approved requests in one run: none issued.
    pub max_issues: usize,
    /// `KEYWARDEN_MAX_ISSUE_DAYS` (default 365): the longest key life a request may ask for.
    pub max_issue_days: u32,
    /// `KEYWARDEN_APPROVAL_CHANNEL`: approval requests go there instead of to each
    /// administrator (the same channel as the extension requests').
    pub approval_channel: Option<String>,
}

/// The defaults of the settings other than the policies.
pub const DEFAULT_SECRET_PREFIX: &str = "keywarden/";
pub const DEFAULT_MAX_ISSUES: usize = 10;
pub const DEFAULT_MAX_ISSUE_DAYS: u32 = 365;

impl IssueSettings {
    /// Issuance with these entries and every other setting at its default, users under
    /// `iam_path_prefix` (as [`default_path`] makes it).
    pub fn with_policies(policies: Vec<PolicyEntry>, iam_path_prefix: &str) -> Self {
        IssueSettings {
            policies,
            path: default_path(iam_path_prefix),
            boundary: None,
            secret_prefix: DEFAULT_SECRET_PREFIX.into(),
            reader: None,
            max_issues: DEFAULT_MAX_ISSUES,
            max_issue_days: DEFAULT_MAX_ISSUE_DAYS,
            approval_channel: None,
        }
    }

    /// The entry a `必要な権限` text names, matched like an account alias: NFKC, case and
    /// white space ignored. Never a policy ARN or name: only the entries' names.
    pub fn entry(&self, text: &str) -> Option<&PolicyEntry> {
        let key = alias_key(text);
        if key.is_empty() {
            return None;
        }
        self.policies.iter().find(|e| e.key == key)
    }

    /// The entries' names as written, for messages (`読み取り, S3バックアップ`).
    pub fn entry_names(&self) -> Vec<String> {
        self.policies.iter().map(|e| e.name.clone()).collect()
    }

    /// The Secrets Manager secret of an issued user's key.
    pub fn secret_name(&self, user: &str) -> String {
        format!("{}{}", self.secret_prefix, user.trim())
    }

    /// The boundary's ARN in `account`.
    pub fn boundary_for(&self, account: &AwsAccountId) -> Option<String> {
        self.boundary.as_ref().map(|b| b.for_account(account))
    }
}

/// `KEYWARDEN_ISSUE_PATH`'s default: `iam_path_prefix`, with the `/` an IAM path ends with added
/// when the prefix lacks it (`/keys` → `/keys/`, still under the prefix).
pub fn default_path(iam_path_prefix: &str) -> String {
    if iam_path_prefix.ends_with('/') {
        iam_path_prefix.to_string()
    } else {
        format!("{iam_path_prefix}/")
    }
}

/// One `entry=policy-ARN` of `KEYWARDEN_ISSUE_POLICIES`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyEntry {
    /// The entry's name as written (trimmed): what the request's ID is made of.
    pub name: String,
    /// The name as compared ([`alias_key`]).
    key: String,
    pub arn: PolicyArn,
}

impl PolicyEntry {
    /// The entry `name` granting `arn`.
    pub fn new(name: &str, arn: PolicyArn) -> Result<Self, String> {
        let name = name.trim();
        let key = alias_key(name);
        if key.is_empty() {
            return Err(format!(
                "\"{}={arn}\" has no entry name before '='",
                shorten(name)
            ));
        }
        Ok(PolicyEntry {
            name: name.to_string(),
            key,
            arn,
        })
    }

    /// The policy's ARN in `account`.
    pub fn arn_for(&self, account: &AwsAccountId) -> String {
        self.arn.for_account(account)
    }
}

/// A managed policy's ARN, `arn:aws:iam::<aws | 12 digits | {account}>:policy/<path><name>`;
/// `{account}` stands for the row's account ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyArn(String);

impl PolicyArn {
    /// Refuses anything but a managed policy's ARN; the error shows the text and the form.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let concrete = raw.replace(ACCOUNT_PLACEHOLDER, "000000000000");
        if is_policy_arn(&concrete) {
            Ok(PolicyArn(raw.to_string()))
        } else {
            Err(format!(
                "\"{}\" is not a managed policy's ARN: write arn:aws:iam::aws:policy/NAME, \
                 arn:aws:iam::123456789012:policy/NAME or arn:aws:iam::{{account}}:policy/NAME",
                shorten(raw)
            ))
        }
    }

    /// The ARN as configured, `{account}` included.
    pub fn template(&self) -> &str {
        &self.0
    }

    pub fn for_account(&self, account: &AwsAccountId) -> String {
        self.0.replace(ACCOUNT_PLACEHOLDER, account.as_str())
    }
}

impl fmt::Display for PolicyArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// IAM's characters of a policy name (`[\w+=,.@-]`, ASCII).
fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_+=,.@-".contains(c)
}

fn is_policy_arn(arn: &str) -> bool {
    let Some(rest) = arn.strip_prefix("arn:aws:iam::") else {
        return false;
    };
    let Some((account, resource)) = rest.split_once(':') else {
        return false;
    };
    let account_ok =
        account == "aws" || (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()));
    let Some(path_and_name) = resource.strip_prefix("policy/") else {
        return false;
    };
    // `policy/NAME` or `policy/path/to/NAME`: every part non-empty, IAM's characters.
    account_ok
        && path_and_name.len() <= 640
        && path_and_name
            .split('/')
            .all(|part| !part.is_empty() && part.chars().all(name_char))
}

/// `KEYWARDEN_ISSUE_POLICIES`: comma-separated `entry=policy-ARN`; every bad entry is named.
pub fn parse_policies(raw: &str) -> Result<Vec<PolicyEntry>, String> {
    let mut entries: Vec<PolicyEntry> = Vec::new();
    let mut problems = Vec::new();
    for item in raw.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        // Entry names hold no '=', policy names may: the first '=' separates them.
        let Some((name, arn)) = item.split_once('=') else {
            problems.push(format!(
                "\"{}\" is not entry=policy-ARN (e.g. 読み取り=arn:aws:iam::aws:policy/ReadOnlyAccess)",
                shorten(item)
            ));
            continue;
        };
        let entry = PolicyArn::parse(arn)
            .map_err(|e| format!("entry \"{}\": {e}", shorten(name.trim())))
            .and_then(|arn| PolicyEntry::new(name, arn));
        match entry {
            Ok(entry) => match entries.iter().find(|e| e.key == entry.key) {
                Some(first) => problems.push(format!(
                    "entry \"{}\" is written twice (\"{}\" already names it): a request must name \
                     one entry, so give each a different name",
                    shorten(&entry.name),
                    shorten(&first.name)
                )),
                None => entries.push(entry),
            },
            Err(e) => problems.push(e),
        }
    }
    if !problems.is_empty() {
        return Err(problems.join("; "));
    }
    if entries.is_empty() {
        return Err("names no entry: write entry=policy-ARN, comma-separated".into());
    }
    Ok(entries)
}

/// `KEYWARDEN_ISSUE_PATH`: an IAM path, `/` or `/a/b/`, that lies under `iam_path_prefix`
/// (a user created outside it could never be torn down).
pub fn check_path(path: &str, iam_path_prefix: &str) -> Result<(), String> {
    let shaped = path.starts_with('/')
        && path.ends_with('/')
        && path.len() <= 512
        && path.chars().all(|c| ('\u{21}'..='\u{7e}').contains(&c));
    if !shaped {
        return Err(format!(
            "\"{}\" is not an IAM path: it starts and ends with / (e.g. / or /keywarden/) and \
             holds no spaces",
            shorten(path)
        ));
    }
    if !path.starts_with(iam_path_prefix) {
        return Err(format!(
            "\"{}\" is not under KEYWARDEN_IAM_PATH_PREFIX \"{iam_path_prefix}\": keywarden would \
             create users it may never delete; use a path that starts with the prefix",
            shorten(path)
        ));
    }
    Ok(())
}

/// `KEYWARDEN_ISSUE_SECRET_PREFIX`: Secrets Manager's characters only.
pub fn check_secret_prefix(prefix: &str) -> Result<(), String> {
    let ok = prefix.len() <= 448
        && prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_+=.@-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "\"{}\" is not a Secrets Manager name prefix: use A-Z a-z 0-9 / _ + = . @ - (e.g. \
             keywarden/)",
            shorten(prefix)
        ))
    }
}

/// `KEYWARDEN_ISSUE_READER`: the principal allowed to read an issued secret, an ARN pattern
/// (`ArnLike` on `aws:PrincipalArn`) with `{account}` and `{email}` placeholders, e.g.
/// `arn:aws:sts::{account}:assumed-role/AWSReservedSSO_*/{email}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderPattern(String);

/// Why the reader pattern cannot be filled in for an owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReaderProblem {
    /// The pattern uses `{email}` and the owner's `users_json` row has no e-mail.
    NoEmail,
    /// The e-mail holds a character that is no part of a principal's name, or a wildcard
    /// (`*`, `?`) that would let other principals read the secret (shortened).
    BadEmail(String),
}

impl ReaderPattern {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let concrete = raw
            .replace(ACCOUNT_PLACEHOLDER, "000000000000")
            .replace(EMAIL_PLACEHOLDER, "someone@example.com");
        let shaped = ["arn:aws:iam::", "arn:aws:sts::"]
            .iter()
            .any(|p| concrete.starts_with(p))
            && concrete.split(':').count() == 6
            && !concrete.contains(['{', '}'])
            && concrete.chars().all(|c| ('\u{21}'..='\u{7e}').contains(&c));
        if shaped {
            Ok(ReaderPattern(raw.to_string()))
        } else {
            Err(format!(
                "\"{}\" is not a principal ARN pattern: write e.g. \
                 arn:aws:sts::{{account}}:assumed-role/AWSReservedSSO_*/{{email}} (placeholders: \
                 {{account}} and {{email}} only)",
                shorten(raw)
            ))
        }
    }

    pub fn template(&self) -> &str {
        &self.0
    }

    /// Whether the pattern needs the owner's e-mail.
    pub fn needs_email(&self) -> bool {
        self.0.contains(EMAIL_PLACEHOLDER)
    }

    /// The pattern for one secret: the row's account, the owner's `users_json` e-mail.
    pub fn for_owner(
        &self,
        account: &AwsAccountId,
        email: Option<&str>,
    ) -> Result<String, ReaderProblem> {
        let filled = self.0.replace(ACCOUNT_PLACEHOLDER, account.as_str());
        if !self.needs_email() {
            return Ok(filled);
        }
        let email = email.map(str::trim).filter(|e| !e.is_empty());
        let email = email.ok_or(ReaderProblem::NoEmail)?;
        // A session name's characters (`[\w+=,.@-]`): no wildcard, no separator.
        if !email.chars().all(name_char) {
            return Err(ReaderProblem::BadEmail(shorten(email)));
        }
        Ok(filled.replace(EMAIL_PLACEHOLDER, email))
    }
}

impl fmt::Display for ReaderPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> AwsAccountId {
        AwsAccountId::parse(s).unwrap()
    }

    #[test]
    fn policies_parse_in_order_with_account_placeholders() {
        let entries = parse_policies(
            " 読み取り = arn:aws:iam::aws:policy/ReadOnlyAccess , S3バックアップ=arn:aws:iam::{account}:policy/backup/s3-backup",
        )
        .unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].name, "読み取り");
        assert_eq!(
            entries[0].arn_for(&id("123456789012")),
            "arn:aws:iam::aws:policy/ReadOnlyAccess"
        );
        assert_eq!(
            entries[1].arn_for(&id("012345678901")),
            "arn:aws:iam::012345678901:policy/backup/s3-backup"
        );
        assert_eq!(
            entries[1].arn.template(),
            "arn:aws:iam::{account}:policy/backup/s3-backup"
        );
    }

    #[test]
    fn entries_match_like_aliases_and_never_by_arn() {
        let s = IssueSettings::with_policies(
            parse_policies(
                "S3 Backup=arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess,読み取り=arn:aws:iam::aws:policy/ReadOnlyAccess",
            )
            .unwrap(),
            "/",
        );
        for text in ["s3backup", " S3　BACKUP ", "Ｓ３ Ｂａｃｋｕｐ"] {
            assert_eq!(s.entry(text).unwrap().name, "S3 Backup", "{text}");
        }
        assert_eq!(s.entry("読み取り").unwrap().name, "読み取り");
        for text in [
            "",
            "  ",
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
            "ReadOnlyAccess",
            "S3",
        ] {
            assert!(s.entry(text).is_none(), "{text}");
        }
    }

    #[test]
    fn a_bad_list_names_each_bad_entry() {
        let err = parse_policies(
            "ok=arn:aws:iam::aws:policy/ReadOnlyAccess,no-arn,bad=arn:aws:iam::aws:role/Admin,=arn:aws:iam::aws:policy/X,OK = arn:aws:iam::aws:policy/Y",
        )
        .unwrap_err();
        for part in [
            "\"no-arn\" is not entry=policy-ARN",
            "entry \"bad\": \"arn:aws:iam::aws:role/Admin\" is not a managed policy's ARN",
            "has no entry name",
            "entry \"OK\" is written twice (\"ok\" already names it)",
        ] {
            assert!(err.contains(part), "{part} missing: {err}");
        }
        assert!(
            parse_policies(" , ").is_err(),
            "an empty list enables nothing"
        );
    }

    #[test]
    fn only_managed_policy_arns_are_accepted() {
        for ok in [
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
            "arn:aws:iam::123456789012:policy/team/s3-backup",
            "arn:aws:iam::{account}:policy/s3+=,.@_-backup",
            "arn:aws:iam::aws:policy/service-role/AWSLambdaRole",
        ] {
            assert!(PolicyArn::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "ReadOnlyAccess",
            "arn:aws:iam::aws:policy/",
            "arn:aws:iam::aws:policy//x",
            "arn:aws:iam::aws:role/Admin",
            "arn:aws:iam::12345:policy/x",
            "arn:aws:s3:::bucket",
            "arn:aws:iam::{acount}:policy/x",
            "arn:aws:iam::{account}:policy/{email}",
            "arn:aws:iam::aws:policy/has space",
        ] {
            assert!(PolicyArn::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn paths_must_be_iam_paths_under_the_prefix() {
        assert_eq!(default_path("/"), "/");
        assert_eq!(default_path("/keys"), "/keys/");
        assert_eq!(default_path("/keys/"), "/keys/");
        assert!(check_path("/", "/").is_ok());
        assert!(check_path("/keys/issued/", "/keys").is_ok());
        assert!(check_path("/keys/", "/keys/").is_ok());
        assert!(
            check_path("keys/", "/")
                .unwrap_err()
                .contains("not an IAM path")
        );
        assert!(
            check_path("/keys", "/")
                .unwrap_err()
                .contains("not an IAM path")
        );
        assert!(check_path("/a b/", "/").is_err());
        assert!(
            check_path("/other/", "/keys/")
                .unwrap_err()
                .contains("may never delete")
        );
    }

    #[test]
    fn the_reader_is_filled_for_each_owner() {
        let r =
            ReaderPattern::parse("arn:aws:sts::{account}:assumed-role/AWSReservedSSO_*/{email}")
                .unwrap();
        assert!(r.needs_email());
        assert_eq!(
            r.for_owner(&id("123456789012"), Some(" t.tanaka@example.com ")),
            Ok(
                "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_*/t.tanaka@example.com"
                    .into()
            )
        );
        assert_eq!(
            r.for_owner(&id("123456789012"), None),
            Err(ReaderProblem::NoEmail)
        );
        assert_eq!(
            r.for_owner(&id("123456789012"), Some("*@example.com")),
            Err(ReaderProblem::BadEmail("*@example.com".into()))
        );
        let role = ReaderPattern::parse("arn:aws:iam::{account}:role/secret-reader").unwrap();
        assert!(!role.needs_email());
        assert_eq!(
            role.for_owner(&id("123456789012"), None),
            Ok("arn:aws:iam::123456789012:role/secret-reader".into())
        );
        for bad in [
            "secret-reader",
            "arn:aws:iam::{account}:role/{name}",
            "arn:aws:s3:::bucket",
            "arn:aws:iam::{account}:role/a b",
        ] {
            assert!(ReaderPattern::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn secret_names_and_boundaries() {
        let mut s = IssueSettings::with_policies(
            parse_policies("r=arn:aws:iam::aws:policy/ReadOnlyAccess").unwrap(),
            "/",
        );
        assert_eq!(s.secret_name(" tanaka-s3 "), "keywarden/tanaka-s3");
        assert_eq!(s.boundary_for(&id("123456789012")), None);
        s.boundary = Some(PolicyArn::parse("arn:aws:iam::{account}:policy/boundary").unwrap());
        assert_eq!(
            s.boundary_for(&id("123456789012")).as_deref(),
            Some("arn:aws:iam::123456789012:policy/boundary")
        );
        assert!(check_secret_prefix("keywarden/").is_ok());
        assert!(check_secret_prefix("key warden/").is_err());
    }
}
