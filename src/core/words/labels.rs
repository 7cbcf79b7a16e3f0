//! The names of the report's actions and outcomes as people read them: the report's and the
//! table's (English, the contracted identifiers) and the summary's (Japanese).

use super::*;
use crate::core::outcome::{ActionKind, Outcome};

impl ActionKind {
    /// The action's name for `lang`: the report's `action` (as [`ActionKind::label`]), or the
    /// summary's.
    pub fn words(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.label(),
            Lang::Ja => match self {
                ActionKind::Notify => "通知",
                ActionKind::Delete => "削除",
                ActionKind::Skip => "スキップ",
                ActionKind::Unusable => "要修正",
                ActionKind::Alert => "警告",
                ActionKind::AgeNotify => "キー期限の通知",
                ActionKind::AgeDelete => "期限切れキーの削除",
                ActionKind::Deactivate => "無効化",
                ActionKind::Reactivate => "再有効化",
                ActionKind::Rotate => "キーのローテーション",
                ActionKind::Shadow => "シートにないキー",
                ActionKind::IssueRequest => "キーの発行申請",
                ActionKind::Issue => "キーの発行",
                ActionKind::IssueDecision => "キー発行申請の承認・却下",
            },
        }
    }
}

impl Outcome {
    /// The outcome's name for `lang`: the table's and the summary's.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Outcome::Done, Lang::En) => "done",
            (Outcome::Planned, Lang::En) => "planned",
            (Outcome::Failed, Lang::En) => "FAILED",
            (Outcome::Refused, Lang::En) => "REFUSED",
            (Outcome::Done, Lang::Ja) => "完了",
            (Outcome::Planned, Lang::Ja) => "予定",
            (Outcome::Failed, Lang::Ja) => "失敗",
            (Outcome::Refused, Lang::Ja) => "中止",
        }
    }
}
