//! Values parsed once at the edge (the sheet, the configuration, IAM), so that the rest of the
//! program never handles raw strings whose validity it would have to re-check.

mod account;
mod date;
mod ids;
mod person;
mod status;

pub use account::{
    Account, AccountCell, AccountScope, AccountWhy, Accounts, AccountsSetting, AwsAccountId,
    CellAccountProblem, ProtectedUser, alias_key, protected_in,
};
pub use date::{DateError, parse_sheet_date, serial_to_date};
pub use ids::{AccessKeyId, IamUserName, IdError, SlackUserId, shorten};
pub use person::NameKey;
pub use status::{DEACTIVATED_MARK, DELETED_MARK, RowStatus};

/// A value that must never be printed: its `Debug` and `Display` say `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The only way to the value; grep for it to audit every use.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_in_debug_and_display() {
        let s = Secret::new("xoxb-very-secret");
        assert_eq!(format!("{s:?} {s}"), "[redacted] [redacted]");
        assert_eq!(s.expose(), "xoxb-very-secret");
    }
}
