//! Phase: the owners' DMs composed by the IAM phases (a deletion, a switch, a key rule), sent
//! once their results are in the sheet.

use futures::stream::{self, StreamExt};

use super::notices::send;
use super::{Job, Mode, Services};
use crate::core::outcome::{ActionOutcome, Dm};

pub async fn send_all<X: Services>(
    job: &Job<'_, X>,
    outcomes: impl IntoIterator<Item = &mut ActionOutcome>,
    mode: Mode,
) {
    let concurrency = job.settings.concurrency.max(1);
    stream::iter(outcomes)
        .filter(|o| std::future::ready(matches!(o.owner_dm, Some(Dm::Composed { .. }))))
        .for_each_concurrent(concurrency, |o| async move {
            if let Some(Dm::Composed { to, text }) = o.owner_dm.take() {
                o.owner_dm = Some(send(job, &to, text, mode).await);
            }
        })
        .await;
}
