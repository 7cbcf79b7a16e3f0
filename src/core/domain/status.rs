//! The `状態` cell, reduced to what the job decides on.

/// What the status cell says about a row (docs/rules.md §3): `削除` wins over `延長`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowStatus {
    /// Contains `削除` (e.g. `削除済み`): the key is gone.
    Deleted,
    /// Contains `延長`: an administrator extended the key.
    Extended,
    /// Anything else, usually empty.
    Open,
}

/// What keywarden writes once a user is torn down.
pub const DELETED_MARK: &str = "削除済み";
/// What keywarden writes when it deactivates a row's key before the teardown (docs/rules.md §8).
pub const DEACTIVATED_MARK: &str = "無効化済み";

impl RowStatus {
    pub fn classify(cell: &str) -> Self {
        if cell.contains("削除") {
            RowStatus::Deleted
        } else if cell.contains("延長") {
            RowStatus::Extended
        } else {
            RowStatus::Open
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deleted_wins_over_extended() {
        assert_eq!(RowStatus::classify("削除済み"), RowStatus::Deleted);
        assert_eq!(RowStatus::classify("延長→削除"), RowStatus::Deleted);
        assert_eq!(
            RowStatus::classify("延長(2027/3末まで)"),
            RowStatus::Extended
        );
        assert_eq!(RowStatus::classify(""), RowStatus::Open);
        assert_eq!(RowStatus::classify("利用中"), RowStatus::Open);
    }
}
