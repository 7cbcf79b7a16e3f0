//! MFA devices: each deactivated (IAM's `DeleteUser` requires it); a virtual one, which exists
//! only for this user, is deleted too. A hardware device belongs to no user and stays.

use super::{Dependent, say};
use crate::core::teardown::Step;

pub const DEPENDENT: Dependent = Dependent {
    name: "MFA devices",
    lists: &["ListMFADevices"],
    removes: &["DeactivateMFADevice", "DeleteVirtualMFADevice"],
    steps: |inv| {
        let mut steps = Vec::new();
        for serial in &inv.mfa_devices {
            steps.push(Step::DeactivateMfaDevice(serial.clone()));
            if is_virtual(serial) {
                steps.push(Step::DeleteVirtualMfaDevice(serial.clone()));
            }
        }
        steps
    },
    words: |step, lang| match step {
        Step::DeactivateMfaDevice(s) => say(
            lang,
            format!("deactivate MFA device {s}"),
            format!("MFA デバイス {s} を無効化"),
        ),
        Step::DeleteVirtualMfaDevice(s) => say(
            lang,
            format!("delete virtual MFA device {s}"),
            format!("仮想 MFA デバイス {s} を削除"),
        ),
        _ => None,
    },
};

/// A virtual MFA device's serial is its ARN; hardware devices have a plain serial number.
fn is_virtual(serial: &str) -> bool {
    serial.starts_with("arn:") && serial.contains(":mfa/")
}
