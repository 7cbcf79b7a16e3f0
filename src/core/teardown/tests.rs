//! Tests of the parent module.
use super::*;
use crate::core::fixtures::key;

fn user() -> IamUserName {
    IamUserName::parse("tanaka").unwrap()
}

fn loaded() -> UserInventory {
    crate::core::fixtures::loaded_inventory()
}

const K: &str = "AKIAIOSFODNN7EXAMPLE";

#[test]
fn every_dependent_goes_before_the_user_and_the_own_policy_after() {
    let s = steps(&user(), &key(K), &loaded(), "/");
    assert_eq!(
        s[0],
        Step::TagForTeardown(key(K)),
        "tagged before any change"
    );
    let user_at = s.iter().position(|x| *x == Step::DeleteUser).unwrap();
    assert_eq!(user_at, s.len() - 2);
    assert_eq!(
        s.last(),
        Some(&Step::DeleteOwnPolicy(
            "arn:aws:iam::123456789012:policy/tanaka".into()
        ))
    );
    assert!(s.contains(&Step::DeleteVirtualMfaDevice(
        "arn:aws:iam::123456789012:mfa/tanaka".into()
    )));
    assert!(
        !s.contains(&Step::DeleteVirtualMfaDevice("GAHT12345678".into())),
        "hardware MFA is only deactivated"
    );
    assert!(s.contains(&Step::DeactivateMfaDevice("GAHT12345678".into())));
    assert_eq!(
        s.iter()
            .filter(|x| matches!(x, Step::DetachPolicy(_)))
            .count(),
        3
    );
    assert_eq!(s.len(), 16, "{s:?}");
}

#[test]
fn own_policies_outside_the_path_are_left_alone() {
    let mut inv = loaded();
    inv.attached_policies[0].arn = "arn:aws:iam::123456789012:policy/other/tanaka".into();
    let s = steps(&user(), &key(K), &inv, "/keys/");
    assert!(
        !s.iter().any(|x| matches!(x, Step::DeleteOwnPolicy(_))),
        "{s:?}"
    );
    let s = steps(&user(), &key(K), &inv, "/other/");
    assert!(s.contains(&Step::DeleteOwnPolicy(
        "arn:aws:iam::123456789012:policy/other/tanaka".into()
    )));
    assert_eq!(policy_path("arn:aws:iam::1:policy/a/b/name"), Some("/a/b/"));
    assert_eq!(policy_path("arn:aws:iam::1:policy/name"), Some("/"));
}

#[test]
fn an_empty_user_is_just_deleted() {
    let tagged = UserInventory {
        teardown_tag: Some(K.into()),
        ..UserInventory::default()
    };
    assert_eq!(
        steps(&user(), &key(K), &tagged, "/"),
        vec![Step::DeleteUser],
        "already tagged: not tagged again"
    );
}

#[test]
fn the_own_policy_is_found_whatever_the_sheet_spells_the_user() {
    // The sheet says TANAKA; IAM's user and policy are tanaka.
    let shouting = IamUserName::parse("TANAKA").unwrap();
    let s = steps(&shouting, &key(K), &loaded(), "/");
    assert_eq!(
        s.last(),
        Some(&Step::DeleteOwnPolicy(
            "arn:aws:iam::123456789012:policy/tanaka".into()
        ))
    );
    let bare = UserInventory {
        arn: "arn:aws:iam::123456789012:user/tanaka".into(),
        path: "/".into(),
        ..Default::default()
    };
    assert_eq!(
        own_policy_arns(&shouting, &bare),
        vec!["arn:aws:iam::123456789012:policy/tanaka"]
    );
}

#[test]
fn account_comes_from_the_user_arn() {
    assert_eq!(
        partition_and_account("arn:aws:iam::123456789012:user/a/b"),
        Some(("aws", "123456789012"))
    );
    assert_eq!(
        partition_and_account("arn:aws-cn:iam::999:user/x"),
        Some(("aws-cn", "999"))
    );
    assert_eq!(partition_and_account("nonsense"), None);
    let inv = UserInventory {
        arn: "arn:aws:iam::111122223333:user/team/tanaka".into(),
        path: "/team/".into(),
        ..Default::default()
    };
    assert_eq!(
        own_policy_arns(&user(), &inv),
        vec![
            "arn:aws:iam::111122223333:policy/team/tanaka",
            "arn:aws:iam::111122223333:policy/tanaka"
        ]
    );
}

#[test]
fn a_key_only_deletion_tags_first_and_is_not_repeated() {
    let k = key(K);
    assert_eq!(
        key_only_steps(&k, &loaded()),
        vec![
            Step::TagForTeardown(k.clone()),
            Step::DeleteAccessKey(k.clone())
        ]
    );
    let tagged_gone = UserInventory {
        access_keys: vec![key("AKIAI44QH8DHBEXAMPLE")],
        teardown_tag: Some(K.into()),
        ..loaded()
    };
    assert!(key_only_steps(&k, &tagged_gone).is_empty());
}

#[test]
fn an_issued_users_secret_goes_right_after_the_user_and_only_for_an_issued_user() {
    let plain = steps(&user(), &key(K), &loaded(), "/");
    assert_eq!(
        with_issued_secret(plain.clone(), &loaded(), "keywarden/tanaka".into()),
        plain,
        "a user keywarden did not issue keeps every secret"
    );
    let issued = UserInventory {
        request_tag: Some("req-368e9d298eea46e1".into()),
        ..loaded()
    };
    let s = with_issued_secret(
        steps(&user(), &key(K), &issued, "/"),
        &issued,
        "keywarden/tanaka".into(),
    );
    let user_at = s.iter().position(|x| *x == Step::DeleteUser).unwrap();
    assert_eq!(
        s[user_at + 1],
        Step::DeleteIssuedSecret {
            secret: "keywarden/tanaka".into(),
            request: "req-368e9d298eea46e1".into(),
        }
    );
    assert!(matches!(s.last(), Some(Step::DeleteOwnPolicy(_))));
}

/// The whole order and both wordings of a loaded user's teardown, pinned: the report's step
/// strings and the summary's words must not change when a dependent moves.
#[test]
fn a_loaded_users_steps_in_order_and_in_both_languages() {
    let s = steps(&user(), &key(K), &loaded(), "/");
    let en: Vec<String> = s.iter().map(|x| x.to_string()).collect();
    let ja: Vec<String> = s.iter().map(crate::core::outcome::step_ja).collect();
    assert_eq!(
        en,
        [
            "tag keywarden:teardown=AKIAIOSFODNN7EXAMPLE",
            "delete login profile",
            "delete access key AKIAIOSFODNN7EXAMPLE",
            "delete signing certificate CERT1",
            "delete SSH public key APKA1",
            "delete service credential ACCA1",
            "deactivate MFA device arn:aws:iam::123456789012:mfa/tanaka",
            "delete virtual MFA device arn:aws:iam::123456789012:mfa/tanaka",
            "deactivate MFA device GAHT12345678",
            "delete inline policy inline",
            "detach policy arn:aws:iam::123456789012:policy/tanaka",
            "detach policy arn:aws:iam::123456789012:policy/shared",
            "detach policy arn:aws:iam::aws:policy/tanaka",
            "remove from group devs",
            "delete user",
            "delete policy arn:aws:iam::123456789012:policy/tanaka if unused",
        ]
    );
    assert_eq!(
        ja,
        [
            "タグ keywarden:teardown=AKIAIOSFODNN7EXAMPLE を付ける",
            "ログインプロファイルを削除",
            "アクセスキー AKIAIOSFODNN7EXAMPLE を削除",
            "署名証明書 CERT1 を削除",
            "SSH 公開鍵 APKA1 を削除",
            "サービス固有の認証情報 ACCA1 を削除",
            "MFA デバイス arn:aws:iam::123456789012:mfa/tanaka を無効化",
            "仮想 MFA デバイス arn:aws:iam::123456789012:mfa/tanaka を削除",
            "MFA デバイス GAHT12345678 を無効化",
            "インラインポリシー inline を削除",
            "ポリシー arn:aws:iam::123456789012:policy/tanaka をデタッチ",
            "ポリシー arn:aws:iam::123456789012:policy/shared をデタッチ",
            "ポリシー arn:aws:iam::aws:policy/tanaka をデタッチ",
            "グループ devs から外す",
            "ユーザーを削除",
            "ポリシー arn:aws:iam::123456789012:policy/tanaka を削除（ほかで使われていなければ）",
        ]
    );
}
