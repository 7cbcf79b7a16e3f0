//! Every variable keywarden reads, declared once: its name, its default, the range of a number,
//! and what it means. The reader (`configuration.rs`), the names a config file may use, `keywarden
//! --help` and the guide's Configuration table are all derived from [`VARIABLES`]; a test keeps
//! the guide's table equal to [`markdown_table`]. A new setting is one entry here, then its use.

/// What a variable is when it is not set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Default {
    /// Nothing: it must be given when needed, or what it would add does not happen.
    Unset,
    /// The rule it sets is off.
    Off,
    /// This value, exactly as if it were set to it.
    Value(&'static str),
    /// Derived from something else, said in words (Markdown) for people to read.
    Words(&'static str),
}

/// One variable of [`VARIABLES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variable {
    pub name: &'static str,
    pub default: Default,
    /// A whole number's smallest and largest value.
    pub range: Option<(u64, u64)>,
    /// What it means, for administrators (Markdown: backticks and links to the guide's sections).
    pub help: &'static str,
}

impl Variable {
    /// The default as the guide's table shows it.
    pub fn default_markdown(&self) -> String {
        match self.default {
            Default::Unset => "—".into(),
            Default::Off => "off".into(),
            Default::Value(v) => format!("`{v}`"),
            Default::Words(w) => w.into(),
        }
    }

    /// One line of `keywarden --help`: name, default and meaning as plain text.
    pub fn help_line(&self) -> String {
        let default = match self.default {
            Default::Unset => String::new(),
            _ => format!(" [default: {}]", plain(&self.default_markdown())),
        };
        format!("{}{default}: {}", self.name, plain(self.help))
    }
}

/// The variable named `name`. Panics on a name the table lacks: a reader asking for an
/// undeclared variable is a programming error every configuration test would hit.
pub fn variable(name: &str) -> &'static Variable {
    VARIABLES
        .iter()
        .find(|v| v.name == name)
        .unwrap_or_else(|| panic!("{name} is not declared in src/variables.rs"))
}

/// Every variable name, in the table's order.
pub fn names() -> impl Iterator<Item = &'static str> {
    VARIABLES.iter().map(|v| v.name)
}

/// The guide's Configuration table, as `docs/guide.md` must hold it.
pub fn markdown_table() -> String {
    let mut table = String::from("| variable | default | meaning |\n|---|---|---|\n");
    for v in VARIABLES {
        table.push_str(&format!(
            "| `{}` | {} | {} |\n",
            v.name,
            v.default_markdown(),
            v.help
        ));
    }
    table
}

/// Markdown to plain text for a terminal: links keep their words, backticks go.
fn plain(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut rest = markdown;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find("](").map(|c| open + c) else {
            break;
        };
        let Some(end) = rest[close..].find(')').map(|e| close + e) else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(&rest[open + 1..close]);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out.replace('`', "")
}

/// Every variable keywarden reads, in the order of the guide's table.
pub const VARIABLES: &[Variable] = &[
    Variable {
        name: "KEYWARDEN_SPREADSHEET_ID",
        default: Default::Unset,
        range: None,
        help: "the spreadsheet ID (from its URL)",
    },
    Variable {
        name: "KEYWARDEN_REQUEST_SHEET",
        default: Default::Value("key_request_form"),
        range: None,
        help: "request sheet name",
    },
    Variable {
        name: "KEYWARDEN_USERS_SHEET",
        default: Default::Value("users_json"),
        range: None,
        help: "name table sheet name",
    },
    Variable {
        name: "KEYWARDEN_LOG_SHEET",
        default: Default::Value("keywarden_log"),
        range: None,
        help: "the sheet every run and every extension decision appends its lines to (created when missing)",
    },
    Variable {
        name: "KEYWARDEN_ADMIN_SLACK_IDS",
        default: Default::Unset,
        range: None,
        help: "comma-separated Slack user IDs of administrators",
    },
    Variable {
        name: "KEYWARDEN_NOTIFY_DAYS",
        default: Default::Value("7"),
        range: Some((0, 365)),
        help: "days before the end date to notify",
    },
    Variable {
        name: "KEYWARDEN_TIMEZONE",
        default: Default::Value("Asia/Tokyo"),
        range: None,
        help: "IANA zone that defines \"today\"",
    },
    Variable {
        name: "KEYWARDEN_MAX_DELETIONS",
        default: Default::Value("10"),
        range: Some((0, 100000)),
        help: "safety cap per run",
    },
    Variable {
        name: "KEYWARDEN_MAX_DEACTIVATIONS",
        default: Default::Value("10"),
        range: Some((0, 100000)),
        help: "safety cap per run on keys set Inactive (unused rule and deactivation grace together)",
    },
    Variable {
        name: "KEYWARDEN_PROTECTED_USERS",
        default: Default::Unset,
        range: None,
        help: "comma-separated IAM users never deleted; `123456789012:ci-deploy` or `本番:ci-deploy` protects the user in that account only (an allowed account, else nothing runs), a bare name in every account",
    },
    Variable {
        name: "KEYWARDEN_IAM_PATH_PREFIX",
        default: Default::Value("/"),
        range: None,
        help: "only users under this IAM path are deleted",
    },
    Variable {
        name: "KEYWARDEN_TODAY",
        default: Default::Unset,
        range: None,
        help: "pin \"today\" (`YYYY-MM-DD`), for tests and replays",
    },
    Variable {
        name: "KEYWARDEN_CONCURRENCY",
        default: Default::Value("8"),
        range: Some((1, 64)),
        help: "IAM users torn down / DMs sent at once",
    },
    Variable {
        name: "KEYWARDEN_HTTP_TIMEOUT_SECS",
        default: Default::Value("30"),
        range: Some((1, 600)),
        help: "longest wait for one Google or Slack request before it is retried",
    },
    Variable {
        name: "KEYWARDEN_MAX_KEY_AGE_DAYS",
        default: Default::Off,
        range: Some((0, 36500)),
        help: "age limit of a key in days (see [Key hygiene](#key-hygiene-beyond-the-sheet))",
    },
    Variable {
        name: "KEYWARDEN_KEY_AGE_GRACE_DAYS",
        default: Default::Value("30"),
        range: Some((0, 36500)),
        help: "days an over-age key is left before it is set Inactive",
    },
    Variable {
        name: "KEYWARDEN_UNUSED_DAYS",
        default: Default::Off,
        range: Some((0, 36500)),
        help: "deactivate keys unused this long",
    },
    Variable {
        name: "KEYWARDEN_DEACTIVATE_GRACE_DAYS",
        default: Default::Value("0"),
        range: Some((0, 365)),
        help: "deactivate a row's key for this many days before the teardown",
    },
    Variable {
        name: "KEYWARDEN_ROTATE_USERS",
        default: Default::Off,
        range: None,
        help: "comma-separated IAM users whose keys are rotated into Secrets Manager (see [Key hygiene](#key-hygiene-beyond-the-sheet))",
    },
    Variable {
        name: "KEYWARDEN_ROTATE_DAYS",
        default: Default::Value("90"),
        range: Some((0, 36500)),
        help: "a rotated user's key is replaced when it is this many days old",
    },
    Variable {
        name: "KEYWARDEN_ROTATE_SECRET_PREFIX",
        default: Default::Value("keywarden/"),
        range: None,
        help: "a rotated key is stored in the Secrets Manager secret `<prefix><user>`",
    },
    Variable {
        name: "KEYWARDEN_REPORT_SHADOW_KEYS",
        default: Default::Value("false"),
        range: None,
        help: "list active keys no sheet row holds",
    },
    Variable {
        name: "KEYWARDEN_ACCOUNTS",
        default: Default::Words("— (home account only)"),
        range: None,
        help: "AWS accounts keywarden may act in besides its own: `ID` or `alias=ID` entries (`本番=123456789012,検証=210987654321`), or `organization` — see [Many AWS accounts](#many-aws-accounts)",
    },
    Variable {
        name: "KEYWARDEN_ROLE_NAME",
        default: Default::Value("keywarden"),
        range: None,
        help: "the role assumed in the other accounts: `arn:aws:iam::<ID>:role<path><name>`",
    },
    Variable {
        name: "KEYWARDEN_ROLE_PATH",
        default: Default::Value("/"),
        range: None,
        help: "the path of that role",
    },
    Variable {
        name: "KEYWARDEN_ROLE_EXTERNAL_ID",
        default: Default::Unset,
        range: None,
        help: "the external ID the member roles require, if any (never printed)",
    },
    Variable {
        name: "KEYWARDEN_ACCOUNT_CONCURRENCY",
        default: Default::Value("8"),
        range: Some((1, 64)),
        help: "AWS accounts worked on at once",
    },
    Variable {
        name: "GOOGLE_APPLICATION_CREDENTIALS",
        default: Default::Unset,
        range: None,
        help: "path of the service-account JSON key",
    },
    Variable {
        name: "KEYWARDEN_GOOGLE_KEY_SECRET",
        default: Default::Unset,
        range: None,
        help: "instead of the file: name of an AWS Secrets Manager secret holding the JSON key (Lambda)",
    },
    Variable {
        name: "KEYWARDEN_SHEETS_API_URL",
        default: Default::Value("https://sheets.googleapis.com/"),
        range: None,
        help: "Sheets API base",
    },
    Variable {
        name: "SLACK_BOT_TOKEN",
        default: Default::Unset,
        range: None,
        help: "Slack bot token (`xoxb-…`)",
    },
    Variable {
        name: "KEYWARDEN_SLACK_TOKEN_SECRET",
        default: Default::Unset,
        range: None,
        help: "instead of the token: name of an AWS Secrets Manager secret holding it (Lambda)",
    },
    Variable {
        name: "KEYWARDEN_SLACK_API_URL",
        default: Default::Value("https://slack.com/api/"),
        range: None,
        help: "Slack Web API base",
    },
    Variable {
        name: "SLACK_SIGNING_SECRET",
        default: Default::Unset,
        range: None,
        help: "the Slack app's signing secret; setting it turns [extension requests](#extension-requests-from-slack) on (the notice's button, `serve`)",
    },
    Variable {
        name: "KEYWARDEN_SLACK_SIGNING_SECRET_SECRET",
        default: Default::Unset,
        range: None,
        help: "instead of the signing secret: name of an AWS Secrets Manager secret holding it (Lambda)",
    },
    Variable {
        name: "SLACK_APP_TOKEN",
        default: Default::Unset,
        range: None,
        help: "an app-level token (`xapp-…`, scope `connections:write`): `serve` uses [Socket Mode](#2c-the-endpoint-on-a-host-with-no-public-url-socket-mode) instead of HTTP, and the notice's button is on. A secret",
    },
    Variable {
        name: "KEYWARDEN_SLACK_APP_TOKEN_SECRET",
        default: Default::Unset,
        range: None,
        help: "instead of the app token: name of an AWS Secrets Manager secret holding it",
    },
    Variable {
        name: "KEYWARDEN_EXTENSION_DAYS",
        default: Default::Value("30"),
        range: Some((0, 3650)),
        help: "the new end date first offered in an extension request, in days after the current one",
    },
    Variable {
        name: "KEYWARDEN_MAX_EXTENSION_DAYS",
        default: Default::Value("90"),
        range: Some((0, 3650)),
        help: "one extension moves the end date at most this many days",
    },
    Variable {
        name: "KEYWARDEN_APPROVAL_CHANNEL",
        default: Default::Unset,
        range: None,
        help: "channel ID (`C…`) for approval requests instead of a DM to each administrator",
    },
    Variable {
        name: "KEYWARDEN_ISSUE_POLICIES",
        default: Default::Words("— (off)"),
        range: None,
        help: "[key issuance](#key-issuance): `entry=policy-ARN,…` (`読み取り=arn:aws:iam::aws:policy/ReadOnlyAccess,S3バックアップ=arn:aws:iam::{account}:policy/s3-backup`), what a request's `必要な権限` may name; `{account}` is the row's account ID",
    },
    Variable {
        name: "KEYWARDEN_ISSUE_PATH",
        default: Default::Words("`KEYWARDEN_IAM_PATH_PREFIX`"),
        range: None,
        help: "IAM path of the users issuance creates; must lie under the prefix",
    },
    Variable {
        name: "KEYWARDEN_ISSUE_BOUNDARY",
        default: Default::Unset,
        range: None,
        help: "permissions boundary (a policy ARN, `{account}` allowed) of the users issuance creates",
    },
    Variable {
        name: "KEYWARDEN_ISSUE_SECRET_PREFIX",
        default: Default::Value("keywarden/"),
        range: None,
        help: "an issued key's secret is the Secrets Manager secret `<prefix><user>`",
    },
    Variable {
        name: "KEYWARDEN_ISSUE_READER",
        default: Default::Unset,
        range: None,
        help: "the only principal that may read an issued secret: an ARN pattern with `{account}` and `{email}` (`arn:aws:sts::{account}:assumed-role/AWSReservedSSO_*/{email}`)",
    },
    Variable {
        name: "KEYWARDEN_MAX_ISSUES",
        default: Default::Value("10"),
        range: Some((0, 100000)),
        help: "safety cap per run on keys issued",
    },
    Variable {
        name: "KEYWARDEN_MAX_ISSUE_DAYS",
        default: Default::Value("365"),
        range: Some((1, 36500)),
        help: "longest key life a request may ask for, in days after its start date (or today)",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_numbers_have_a_default_in_range() {
        let mut seen = std::collections::HashSet::new();
        for v in VARIABLES {
            assert!(seen.insert(v.name), "{} is declared twice", v.name);
            if let (Some((min, max)), Default::Value(d)) = (v.range, v.default) {
                let d: u64 = d
                    .parse()
                    .unwrap_or_else(|_| panic!("{}: default {d}", v.name));
                assert!(
                    (min..=max).contains(&d),
                    "{}: default {d} out of range",
                    v.name
                );
            }
        }
    }

    #[test]
    fn the_guides_configuration_table_is_the_declared_table() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/guide.md");
        let guide = std::fs::read_to_string(path).expect("docs/guide.md");
        let table = markdown_table();
        assert!(
            guide.contains(&table),
            "docs/guide.md's Configuration table differs from src/variables.rs; replace it with:\n\n{table}"
        );
    }

    #[test]
    fn help_lines_are_plain_text() {
        let line = variable("KEYWARDEN_UNUSED_DAYS").help_line();
        assert!(
            line.starts_with("KEYWARDEN_UNUSED_DAYS [default: off]: "),
            "{line}"
        );
        assert_eq!(
            plain("see [Key hygiene](#key-hygiene) and `x`"),
            "see Key hygiene and x"
        );
        assert!(!variable("SLACK_BOT_TOKEN").help_line().contains("default"));
    }
}
