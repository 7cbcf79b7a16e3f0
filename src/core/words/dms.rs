//! The owners' DMs of the daily run (docs/rules.md §3, §4, §8), in Japanese as the original
//! system sent them (docs/rules.md §7: messages are Japanese, so there is no English side).
//! Sheet values go through [`clean`]; key issuance's Slack texts are in `issue_texts.rs`.

use chrono::NaiveDate;

use crate::core::domain::SlackUserId;
use crate::core::messages::clean;
use crate::core::proof::Keeper;
use crate::core::sheet::RequestRow;

fn or_dash(text: &str) -> String {
    if text.is_empty() {
        "-".to_string()
    } else {
        clean(text)
    }
}

/// `本番 (123456789012) の ` before an IAM user's name, when the row's AWS account is known.
fn in_account(row: &RequestRow) -> String {
    row.aws_account
        .as_ref()
        .map(|a| format!("AWS アカウント {} の ", clean(&a.to_string())))
        .unwrap_or_default()
}

/// The owner's notice a week (notify_days) before the end date; `with_button` when it carries
/// the "延長を申請する" button (docs/rules.md §9).
pub fn owner_notice(row: &RequestRow, days_left: i64, sheet: &str, with_button: bool) -> String {
    let when = if days_left == 0 {
        "本日".to_string()
    } else {
        format!("あと{days_left}日")
    };
    let how = if with_button {
        "引き続き利用する場合は、利用終了日までに下の「延長を申請する」ボタンから延長を申請してください\
         （管理者が承認すると申請シートの利用終了日が更新されます）。"
            .to_string()
    } else {
        format!(
            "引き続き利用する場合は、利用終了日までに管理者へ延長を依頼してください\
             （管理者が申請シート「{}」の状態欄に「延長」と記入します）。",
            clean(sheet)
        )
    };
    format!(
        "{owner} さん\n\
         AWS アクセスキーの利用終了日が近づいています（{when}）。\n\
         {aws_account}• アカウント名: {account}\n\
         • アクセスキーID: {key}\n\
         • 利用目的: {purpose}\n\
         • AWSサービス名: {service}\n\
         • 利用開始日: {start}\n\
         • 利用終了日: {end}\n\
         {how}\n\
         延長がない場合、利用終了日の翌日に IAM ユーザーとアクセスキーは削除されます。",
        owner = or_dash(row.owner()),
        aws_account = row
            .aws_account
            .as_ref()
            .map(|a| format!("• AWSアカウント: {}\n", clean(&a.to_string())))
            .unwrap_or_default(),
        account = or_dash(row.user()),
        key = or_dash(row.key_id()),
        purpose = or_dash(row.purpose()),
        service = or_dash(row.service()),
        start = or_dash(&row.start()),
        end = or_dash(&row.end()),
    )
}

/// The owner's notice after the teardown.
pub fn owner_deleted(row: &RequestRow) -> String {
    format!(
        "{owner} さん\n\
         AWS アクセスキーの利用終了日（{end}）を過ぎたため、{where_}IAM ユーザー「{account}」と\
         アクセスキー {key} を削除しました。\n\
         引き続き必要な場合は、あらためて利用申請をしてください。",
        owner = or_dash(row.owner()),
        end = or_dash(&row.end()),
        where_ = in_account(row),
        account = or_dash(row.user()),
        key = or_dash(row.key_id()),
    )
}

/// The owner's DM when a due row's user and key were already gone: keywarden deleted nothing
/// this time, so it must not say it did — it only recorded the row as `削除済み`.
pub fn owner_already_gone(row: &RequestRow) -> String {
    let where_ = in_account(row);
    format!(
        "{owner} さん\n\
         AWS アクセスキーの利用終了日（{end}）を過ぎました。{where_}IAM ユーザー「{account}」と\
         アクセスキー {key} はすでに IAM にありませんでした。今回の実行で削除したものはなく、\
         申請シートのこの申請を「削除済み」として記録しました。\n\
         引き続き必要な場合は、あらためて利用申請をしてください。",
        owner = or_dash(row.owner()),
        end = or_dash(&row.end()),
        account = or_dash(row.user()),
        key = or_dash(row.key_id()),
    )
}

/// The owner's notice when only the row's key was deleted and the user kept
/// (docs/rules.md §4 step 5).
pub fn owner_key_deleted(row: &RequestRow, keeper: &Keeper) -> String {
    let kept_for = match &keeper.named {
        None => format!("{}行目の申請", keeper.row),
        Some(name) => format!("{}行目の申請（アカウント名「{name}」）", keeper.row),
    };
    format!(
        "{owner} さん\n\
         AWS アクセスキーの利用終了日（{end}）を過ぎたため、{where_}IAM ユーザー「{account}」の\
         アクセスキー {key} を削除しました（IAM ユーザーは、同じユーザーのキーを使う{kept_for}のために残しています）。",
        owner = or_dash(row.owner()),
        end = or_dash(&row.end()),
        where_ = in_account(row),
        account = or_dash(row.user()),
        key = or_dash(row.key_id()),
    )
}

/// Who and which key a key-rule message is about.
pub struct KeyRef<'a> {
    pub owner: &'a str,
    pub user: &'a str,
    pub key: &'a str,
    /// The key's AWS account, when the run knows it (docs/rules.md §10).
    pub account: Option<&'a crate::core::domain::Account>,
}

fn key_in_account(k: &KeyRef) -> String {
    k.account
        .map(|a| format!("AWS アカウント {} の ", clean(&a.to_string())))
        .unwrap_or_default()
}

fn greeting(owner: &str) -> String {
    if owner.is_empty() {
        String::new()
    } else {
        format!("{} さん\n", clean(owner))
    }
}

/// docs/rules.md §8 age limit, before the deletion.
pub fn key_age_notice(k: &KeyRef, age: i64, days_left: i64) -> String {
    format!(
        "{}{}IAM ユーザー「{}」のアクセスキー {} は作成から {age} 日が経過しました。\
         {days_left} 日後にこのキーは削除されます（IAM ユーザーは残ります）。\n\
         引き続き必要な場合は、新しいキーへの切り替えを管理者に依頼してください。",
        greeting(k.owner),
        key_in_account(k),
        clean(k.user),
        clean(k.key)
    )
}

/// docs/rules.md §8 age limit reached.
pub fn key_age_deleted(k: &KeyRef, age: i64) -> String {
    format!(
        "{}{}IAM ユーザー「{}」のアクセスキー {} は作成から {age} 日が経過したため削除しました（IAM ユーザーは残っています）。\n\
         必要な場合は、新しいキーの発行を管理者に依頼してください。",
        greeting(k.owner),
        key_in_account(k),
        clean(k.user),
        clean(k.key)
    )
}

/// docs/rules.md §8 unused key.
pub fn key_deactivated_unused(k: &KeyRef, idle: i64) -> String {
    format!(
        "{}{}IAM ユーザー「{}」のアクセスキー {} は {idle} 日間使われていないため無効化しました（削除はしていません）。\n\
         まだ必要な場合は、再有効化を管理者に依頼してください。",
        greeting(k.owner),
        key_in_account(k),
        clean(k.user),
        clean(k.key)
    )
}

/// docs/rules.md §8 deactivate-before-delete for a sheet row.
pub fn row_deactivated(row: &RequestRow, delete_on: &str) -> String {
    format!(
        "{} さん\n利用終了日（{}）を過ぎたため、{}IAM ユーザー「{}」のアクセスキー {} を無効化しました。\n\
         {delete_on} 以降の実行で IAM ユーザーごと削除されます。延長が必要な場合は管理者に依頼してください\
         （状態欄に「延長」と記入されるとキーは再び有効になります）。",
        or_dash(row.owner()),
        or_dash(&row.end()),
        in_account(row),
        or_dash(row.user()),
        or_dash(row.key_id())
    )
}

/// docs/rules.md §8 reactivation after an extension.
pub fn row_reactivated(row: &RequestRow) -> String {
    format!(
        "{} さん\n延長が記入されたため、{}IAM ユーザー「{}」のアクセスキー {} を再び有効にしました。",
        or_dash(row.owner()),
        in_account(row),
        or_dash(row.user()),
        or_dash(row.key_id())
    )
}

/// docs/rules.md §8 rotation: the secret's name, never the secret.
pub fn key_rotated(k: &KeyRef, new_key: &str, secret_name: &str) -> String {
    format!(
        "{}{}IAM ユーザー「{}」のアクセスキーをローテーションしました。\n\
         • 新しいアクセスキーID: {}\n\
         • 保存先: AWS Secrets Manager のシークレット「{}」\n\
         • 古いキー {} は無効化しました。\n\
         新しいキーに切り替えたら、古いキーは次回以降のローテーションで削除されます。",
        greeting(k.owner),
        key_in_account(k),
        clean(k.user),
        clean(new_key),
        clean(secret_name),
        clean(k.key)
    )
}

/// The owner's DM when an administrator asked for an extension of their key
/// (docs/rules.md §9).
pub fn extension_requested_for_you(
    admin: &SlackUserId,
    row: usize,
    account: &str,
    requested_end: NaiveDate,
) -> String {
    format!(
        "管理者 {admin} が、あなたのアクセスキー（{row}行目、{account}）の利用終了日を {requested_end} まで延長する申請をしました。"
    )
}

/// The owner's DM once an extension request is approved.
pub fn extension_approved(
    row: usize,
    account: &str,
    new_end: NaiveDate,
    by: &SlackUserId,
) -> String {
    format!(
        "アクセスキー（{row}行目、{account}）の延長申請が承認されました。利用終了日は {new_end} になりました（承認: {by}）。"
    )
}

/// The owner's DM once an extension request is rejected; `end` as the row has it now (it may
/// have been edited by hand since the request).
pub fn extension_rejected(
    row: usize,
    account: &str,
    end: Option<NaiveDate>,
    by: &SlackUserId,
) -> String {
    format!(
        "アクセスキー（{row}行目、{account}）の延長申請は却下されました。利用終了日は {} のままです（却下: {by}）。",
        end.map_or_else(|| "シートの記載".to_string(), |d| d.to_string()),
    )
}

#[cfg(test)]
#[path = "dms_tests.rs"]
mod tests;
