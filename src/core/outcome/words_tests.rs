//! What administrators read for every outcome, English (the report) and Japanese (the summary)
//! side by side, pinned as a snapshot: a change of wording is a reviewed diff of
//! `snapshots/…words_tests__every_outcome.snap`, and a drift between the two languages shows
//! up next to each other.

use super::ja_tests;
use super::*;

#[test]
fn every_outcome_in_both_languages() {
    let all = ja_tests::every_outcome();
    let en = records(&all, Lang::En);
    let ja = records(&all, Lang::Ja);
    let mut text = String::new();
    for (e, j) in en.iter().zip(&ja) {
        text.push_str(&format!(
            "[{} {}]\nEN: {}\nJA: {}\n\n",
            e.action.label(),
            format!("{:?}", e.outcome).to_lowercase(),
            e.detail,
            j.detail
        ));
    }
    insta::assert_snapshot!(text);
}
