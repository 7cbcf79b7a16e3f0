//! Identifiers of the outside services, each checked against the service's own rules.

use std::fmt;

// Inline up to 24 bytes: an ID of a sheet row costs no allocation of its own.
use compact_str::CompactString;

/// Declares a string newtype whose only constructor is its `parse`.
macro_rules! checked_string {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        pub struct $name(CompactString);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Text this type's check accepted already (a request row keeps the cell it read,
            /// and hands the checked ID out again without checking twice).
            #[allow(dead_code)]
            pub(crate) fn checked_already(text: &str) -> Self {
                $name(CompactString::new(text))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

checked_string!(
    /// An IAM user name as IAM accepts it: 1–64 characters of `A-Z a-z 0-9 + = , . @ _ -`.
    /// IAM does not tell names apart by case (`Admin` is `admin`), and neither does this type:
    /// a protected `Admin` must protect a row that says `admin`.
    IamUserName
);
checked_string!(
    /// An AWS access key ID: 16–128 upper-case letters and digits (`AKIA…`, `ASIA…`).
    #[derive(PartialEq, Eq, Hash, PartialOrd, Ord)]
    AccessKeyId
);
checked_string!(
    /// A Slack user ID (`U…` or `W…`), the `channel` of a bot DM.
    #[derive(PartialEq, Eq, Hash, PartialOrd, Ord)]
    SlackUserId
);

impl IamUserName {
    /// The form IAM compares names in.
    pub fn folded(&self) -> String {
        self.0.as_str().to_ascii_lowercase()
    }
}

impl PartialEq for IamUserName {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl Eq for IamUserName {}

impl std::hash::Hash for IamUserName {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for b in self.0.bytes() {
            state.write_u8(b.to_ascii_lowercase());
        }
    }
}

impl PartialOrd for IamUserName {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for IamUserName {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0
            .bytes()
            .map(|b| b.to_ascii_lowercase())
            .cmp(other.0.bytes().map(|b| b.to_ascii_lowercase()))
    }
}

/// Why a sheet cell is not an IAM user name or an access key ID (the text as typed, shortened);
/// its words are in `core/words/cells.rs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdError {
    IamUserName(String),
    AccessKeyId(String),
}

impl IamUserName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::check(raw).map_err(|e| e.to_string())
    }

    /// Like [`IamUserName::parse`], with the problem typed.
    pub fn check(raw: &str) -> Result<Self, IdError> {
        let s = raw.trim();
        let valid_char = |c: char| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c);
        if s.is_empty() || s.chars().count() > 64 || !s.chars().all(valid_char) {
            return Err(IdError::IamUserName(shorten(s)));
        }
        Ok(IamUserName(CompactString::new(s)))
    }
}

impl AccessKeyId {
    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::check(raw).map_err(|e| e.to_string())
    }

    /// Like [`AccessKeyId::parse`], with the problem typed.
    pub fn check(raw: &str) -> Result<Self, IdError> {
        let s = raw.trim();
        let valid = (16..=128).contains(&s.len())
            && s.starts_with('A')
            && s.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if !valid {
            return Err(IdError::AccessKeyId(shorten(s)));
        }
        Ok(AccessKeyId(CompactString::new(s)))
    }
}

impl SlackUserId {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim();
        let valid = s.len() >= 3
            && s.len() <= 32
            && (s.starts_with('U') || s.starts_with('W'))
            && s.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if !valid {
            return Err(format!(
                "\"{}\" is not a Slack user ID: it looks like U012AB3CD (Slack profile → ⋮ → Copy member ID)",
                shorten(s)
            ));
        }
        Ok(SlackUserId(CompactString::new(s)))
    }
}

/// Keeps error messages readable when a cell holds a novel.
pub fn shorten(s: &str) -> String {
    const MAX: usize = 40;
    let clean: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.chars().count() <= MAX {
        clean
    } else {
        format!("{}…", clean.chars().take(MAX).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iam_user_names_follow_iam_rules() {
        assert_eq!(
            IamUserName::parse(" tanaka.s3-user@x ").unwrap().as_str(),
            "tanaka.s3-user@x"
        );
        assert!(IamUserName::parse("").is_err());
        assert!(IamUserName::parse("has space").is_err());
        assert!(IamUserName::parse("田中").is_err());
        assert!(IamUserName::parse(&"a".repeat(64)).is_ok());
        assert!(IamUserName::parse(&"a".repeat(65)).is_err());
    }

    #[test]
    fn iam_user_names_compare_like_iam_ignoring_case() {
        let a = IamUserName::parse("Admin").unwrap();
        let b = IamUserName::parse("admin").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.as_str(), "Admin", "shown as written");
        assert!([b.clone()].contains(&a));
        let set: std::collections::HashSet<IamUserName> = [a, b].into();
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn access_key_ids_look_like_aws_ones() {
        assert!(AccessKeyId::parse("AKIAIOSFODNN7EXAMPLE").is_ok());
        assert!(AccessKeyId::parse("akiaiosfodnn7example").is_err());
        assert!(AccessKeyId::parse("AKIA123").is_err());
        assert!(AccessKeyId::parse("XKIAIOSFODNN7EXAMPLE").is_err());
    }

    #[test]
    fn slack_ids_are_user_ids() {
        assert!(SlackUserId::parse("U012AB3CD").is_ok());
        assert!(SlackUserId::parse("W012AB3CD").is_ok());
        assert!(SlackUserId::parse("C012AB3CD").is_err());
        assert!(SlackUserId::parse("<!channel>").is_err());
        assert!(SlackUserId::parse("").is_err());
    }

    #[test]
    fn long_values_are_shortened_in_messages() {
        let err = IamUserName::parse(&"x y".repeat(100)).unwrap_err();
        assert!(err.len() < 200, "{err}");
    }
}
