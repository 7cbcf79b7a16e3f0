//! keywarden's own columns of the request sheet, and where a missing one is created. The one
//! rule both writers use: the daily job (`通知日`, `無効化日`) and the extension endpoint
//! (`延長申請`, `延長履歴`) run in different processes, each from row 1 as it read it, so
//! without one rule both could create a different column in the same empty header cell.
//!
//! The rule: the free header cells ([`RequestLayout::free_columns`]) are shared out by
//! writer, in a fixed order. The daily job's missing columns come first: it creates the ones it
//! needs now in the first free cells (so `通知日` is always "the first empty header cell").
//! The endpoint skips as many free cells as the daily job has columns missing, and creates its
//! own after them. The daily job never uses more free cells than it has columns missing, so the
//! two never write into the same cell, whichever writes first, and a column is still created
//! only when first needed. Within one writer there is no race: one daily run at a time, and
//! the endpoint serialises its writes.
//!
//! Key issuance's `発行申請` is created by the daily job and by the short `requests` pass, which
//! may run at the same time: it has a writer of its own, after the endpoint, so it skips the free
//! cells of both and lands in the same cell whichever of the two passes creates it (the same
//! header into the same cell). Putting it last leaves every other column where it was.

use super::RequestLayout;
use crate::core::extension::record::{HISTORY_HEADER, PENDING_HEADER};
use crate::core::issue::ISSUE_HEADER;

/// The header keywarden writes when it first records a notice.
pub const NOTIFIED_HEADER: &str = "通知日";
/// The header keywarden writes when it first deactivates a row's key.
pub const DEACTIVATED_HEADER: &str = "無効化日";

/// A column keywarden creates when it first needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnColumn {
    /// `通知日`, written by the daily job.
    Notified,
    /// `無効化日`, written by the daily job.
    Deactivated,
    /// `延長申請`, written by the extension endpoint.
    PendingExtension,
    /// `延長履歴`, written by the extension endpoint.
    ExtensionHistory,
    /// `発行申請`, created by the daily job or the `requests` pass (key issuance).
    IssueRequest,
}

/// Who writes a column; the free header cells are shared out in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Writer {
    DailyJob,
    Endpoint,
    /// Key issuance's passes: the daily job's and the `requests` command's.
    Issuance,
}

impl OwnColumn {
    /// Every own column, in the order the free header cells are shared out.
    pub const ALL: [OwnColumn; 5] = [
        OwnColumn::Notified,
        OwnColumn::Deactivated,
        OwnColumn::PendingExtension,
        OwnColumn::ExtensionHistory,
        OwnColumn::IssueRequest,
    ];

    pub fn header(self) -> &'static str {
        match self {
            OwnColumn::Notified => NOTIFIED_HEADER,
            OwnColumn::Deactivated => DEACTIVATED_HEADER,
            OwnColumn::PendingExtension => PENDING_HEADER,
            OwnColumn::ExtensionHistory => HISTORY_HEADER,
            OwnColumn::IssueRequest => ISSUE_HEADER,
        }
    }

    fn writer(self) -> Writer {
        match self {
            OwnColumn::Notified | OwnColumn::Deactivated => Writer::DailyJob,
            OwnColumn::PendingExtension | OwnColumn::ExtensionHistory => Writer::Endpoint,
            OwnColumn::IssueRequest => Writer::Issuance,
        }
    }

    /// Where the column is in `layout`, if row 1 has it.
    pub fn in_layout(self, layout: &RequestLayout) -> Option<usize> {
        match self {
            OwnColumn::Notified => layout.notified,
            OwnColumn::Deactivated => layout.deactivated,
            OwnColumn::PendingExtension => layout.pending_extension,
            OwnColumn::ExtensionHistory => layout.extension_history,
            OwnColumn::IssueRequest => layout.issue_request,
        }
    }
}

/// keywarden's columns for one write: where each is, and the headers to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnColumns {
    cols: [Option<usize>; 5],
    /// `(column, header)` of each column created by this write, to be written into row 1.
    pub created: Vec<(usize, &'static str)>,
}

impl OwnColumns {
    /// The columns of `layout` (row 1 as read just before writing), creating those of
    /// `needed` that it lacks. A write may mix writers' columns (the daily job creates `通知日`
    /// and `発行申請` at once): each goes where its own writer would put it.
    pub fn place(layout: &RequestLayout, needed: &[OwnColumn]) -> OwnColumns {
        let mut cols = OwnColumn::ALL.map(|c| c.in_layout(layout));
        let missing = |c: &OwnColumn| c.in_layout(layout).is_none();
        let mut created = Vec::new();
        for (i, column) in OwnColumn::ALL.into_iter().enumerate() {
            if !missing(&column) || !needed.contains(&column) {
                continue;
            }
            // Free cells of the writers before this one, whether or not they are needed now.
            let before = OwnColumn::ALL
                .iter()
                .filter(|c| c.writer() < column.writer() && missing(c))
                .count();
            // This writer's columns created by this write, before this one.
            let ours = created
                .iter()
                .filter(|(_, c): &&(usize, OwnColumn)| c.writer() == column.writer())
                .count();
            let col = layout
                .free_columns()
                .nth(before + ours)
                .expect("an endless supply of columns");
            cols[i] = Some(col);
            created.push((col, column));
        }
        OwnColumns {
            cols,
            created: created.into_iter().map(|(c, o)| (c, o.header())).collect(),
        }
    }

    /// Where `column` is (or is created by this write); `None`: absent and not needed.
    pub fn col(&self, column: OwnColumn) -> Option<usize> {
        let i = OwnColumn::ALL.iter().position(|c| *c == column)?;
        self.cols[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::sheet::{ORIGINAL_LAYOUT, column_letter};
    use serde_json::{Value, json};
    use std::collections::BTreeMap;

    use OwnColumn::*;

    fn layout(row1: &[String]) -> RequestLayout {
        let header: Vec<Value> = row1.iter().map(|h| json!(h)).collect();
        RequestLayout::parse("s", &header).unwrap()
    }

    /// Row 1 with `created` written into it.
    fn apply(row1: &[String], created: &[(usize, &str)]) -> Vec<String> {
        let mut row1 = row1.to_vec();
        for (col, header) in created {
            if row1.len() <= *col {
                row1.resize(col + 1, String::new());
            }
            assert!(row1[*col].is_empty(), "{header} over {:?}", row1[*col]);
            row1[*col] = header.to_string();
        }
        row1
    }

    /// Row 1 variants: the original layout, with an empty header cell inside, with some of
    /// keywarden's columns already there.
    fn row1s() -> Vec<Vec<String>> {
        let base: Vec<String> = ORIGINAL_LAYOUT.iter().map(|h| h.to_string()).collect();
        let with = |extra: &[&str]| {
            let mut r = base.clone();
            r.extend(extra.iter().map(|h| h.to_string()));
            r
        };
        let mut gap = base.clone();
        gap[3] = String::new();
        vec![
            base.clone(),
            gap,
            with(&["", "メモ"]),
            with(&["通知日"]),
            with(&["延長申請"]),
            with(&["", "無効化日"]),
        ]
    }

    /// What each writer may ask for at once.
    const DAILY: [&[OwnColumn]; 3] = [&[Notified], &[Deactivated], &[Notified, Deactivated]];
    const ENDPOINT: [&[OwnColumn]; 3] = [
        &[PendingExtension],
        &[ExtensionHistory],
        &[PendingExtension, ExtensionHistory],
    ];

    #[test]
    fn notified_takes_the_first_empty_header_cell() {
        let base: Vec<String> = ORIGINAL_LAYOUT.iter().map(|h| h.to_string()).collect();
        let placed = OwnColumns::place(&layout(&base), &[Notified]);
        assert_eq!(placed.created, vec![(12, "通知日")]);
        let placed = OwnColumns::place(&layout(&base), &[Deactivated]);
        assert_eq!(
            placed.created,
            vec![(12, "無効化日")],
            "created when needed"
        );
        let placed = OwnColumns::place(&layout(&base), &[PendingExtension]);
        assert_eq!(
            column_letter(placed.created[0].0),
            "O",
            "after the daily job's two missing columns"
        );
        assert_eq!(placed.col(Notified), None, "not needed: not created");
    }

    /// Whatever each writer needs and whichever writes first, from the same row 1 or from row
    /// 1 as the other left it: no cell ever gets two headers, and each column ends up where the
    /// writer that created it put it.
    #[test]
    fn the_daily_job_and_the_endpoint_never_share_a_cell() {
        for row1 in row1s() {
            for daily in DAILY {
                for endpoint in ENDPOINT {
                    let d = OwnColumns::place(&layout(&row1), daily);
                    let e = OwnColumns::place(&layout(&row1), endpoint);
                    // Both from the same row 1, written in either order.
                    let both = apply(&apply(&row1, &d.created), &e.created);
                    assert_eq!(both, apply(&apply(&row1, &e.created), &d.created));
                    // The endpoint after the daily job (row 1 re-read), and the other way.
                    let e_after = OwnColumns::place(&layout(&apply(&row1, &d.created)), endpoint);
                    let d_after = OwnColumns::place(&layout(&apply(&row1, &e.created)), daily);
                    assert_eq!(apply(&apply(&row1, &d.created), &e_after.created), both);
                    assert_eq!(apply(&apply(&row1, &e.created), &d_after.created), both);
                    // Each header once.
                    let mut seen = BTreeMap::new();
                    for h in both.iter().filter(|h| !h.is_empty()) {
                        *seen.entry(h.as_str()).or_insert(0) += 1;
                    }
                    assert!(seen.values().all(|n| *n == 1), "{both:?}");
                    let l = layout(&both);
                    for c in daily.iter().chain(endpoint) {
                        assert!(c.in_layout(&l).is_some(), "{c:?} in {both:?}");
                    }
                }
            }
        }
    }

    /// `発行申請` is created by the daily job (alone or with its own columns) and by the
    /// `requests` pass, which may run at the same time as each other and as the endpoint. In
    /// any order, each writer placing from row 1 as it last read it, no cell ever gets two
    /// different headers and every column lands in the same place.
    #[test]
    fn issuance_shares_no_cell_with_the_daily_job_or_the_endpoint() {
        /// Row 1 with `created` written into it; the same header into the same cell is fine
        /// (two passes creating `発行申請` at once).
        fn write(row1: &[String], created: &[(usize, &str)]) -> Vec<String> {
            let mut row1 = row1.to_vec();
            for (col, header) in created {
                if row1.len() <= *col {
                    row1.resize(col + 1, String::new());
                }
                assert!(
                    row1[*col].is_empty() || row1[*col] == *header,
                    "{header} over {:?}",
                    row1[*col]
                );
                row1[*col] = header.to_string();
            }
            row1
        }
        let daily: [&[OwnColumn]; 5] = [
            &[Notified],
            &[IssueRequest],
            &[Notified, IssueRequest],
            &[Deactivated, IssueRequest],
            &[Notified, Deactivated, IssueRequest],
        ];
        let requests_pass: &[OwnColumn] = &[IssueRequest];
        let mut variants = row1s();
        let mut with_issue = variants[0].clone();
        with_issue.push("発行申請".into());
        variants.push(with_issue);
        let orders = [
            [0, 1, 2],
            [0, 2, 1],
            [1, 0, 2],
            [1, 2, 0],
            [2, 0, 1],
            [2, 1, 0],
        ];
        for row1 in variants {
            for d in daily {
                for e in ENDPOINT {
                    let writers = [d, e, requests_pass];
                    // Every writer from the same row 1.
                    let mut together = row1.clone();
                    for w in writers {
                        together = write(&together, &OwnColumns::place(&layout(&row1), w).created);
                    }
                    // One after the other, each re-reading row 1.
                    for order in orders {
                        let mut seq = row1.clone();
                        for i in order {
                            seq =
                                write(&seq, &OwnColumns::place(&layout(&seq), writers[i]).created);
                        }
                        assert_eq!(seq, together, "{order:?} {d:?} {e:?} from {row1:?}");
                    }
                    let mut seen = BTreeMap::new();
                    for h in together.iter().filter(|h| !h.is_empty()) {
                        *seen.entry(h.as_str()).or_insert(0) += 1;
                    }
                    assert!(seen.values().all(|n| *n == 1), "{together:?}");
                    let l = layout(&together);
                    for c in writers.iter().flat_map(|w| w.iter()) {
                        assert!(c.in_layout(&l).is_some(), "{c:?} in {together:?}");
                    }
                }
            }
        }
        // The endpoint's columns stay where they were before issuance existed.
        let base: Vec<String> = ORIGINAL_LAYOUT.iter().map(|h| h.to_string()).collect();
        let placed = OwnColumns::place(&layout(&base), &[PendingExtension]);
        assert_eq!(column_letter(placed.created[0].0), "O");
        let placed = OwnColumns::place(&layout(&base), &[IssueRequest]);
        assert_eq!(
            column_letter(placed.created[0].0),
            "Q",
            "after the daily job's two and the endpoint's two missing columns"
        );
    }

    #[test]
    fn existing_columns_are_used_and_not_created() {
        let mut row1: Vec<String> = ORIGINAL_LAYOUT.iter().map(|h| h.to_string()).collect();
        row1.extend(["延長履歴".to_string(), " 通知日 ".to_string()]);
        let placed = OwnColumns::place(&layout(&row1), &[Notified]);
        assert_eq!(placed.col(Notified), Some(13));
        assert!(placed.created.is_empty());
        let placed = OwnColumns::place(&layout(&row1), &[ExtensionHistory, PendingExtension]);
        assert_eq!(placed.col(ExtensionHistory), Some(12));
        // 無効化日 is missing: one free cell (O) stays for it.
        assert_eq!(placed.created, vec![(15, "延長申請")]);
    }
}
