//! Extension requests (docs/rules.md §9), the pure part: who may request and decide, what a valid
//! request is, and the text kept in the sheet's `延長申請` / `延長履歴` cells and in Slack's
//! button values. The endpoint that uses them is [`crate::app::interactions`].

pub mod approval;
pub mod record;
pub mod rules;
pub mod value;
