//! One small read and one small removal per IAM dependent, in the order of
//! `core/teardown/dependents`' list (a unit test holds the two lists together). `inventory`
//! runs every read at once and `apply` hands a dependent's step to its removal: neither names
//! a dependent. A removal treats "already gone" as done, so an interrupted teardown resumes.

use aws_sdk_iam::Client;
use futures::FutureExt;
use futures::future::BoxFuture;

use super::{AwsIam, failed, idempotent, is_no_such_entity};
use crate::adapters::{ServiceError, StepResult};
use crate::core::domain::IamUserName;
use crate::core::teardown::dependents::{self as units, Dependent};
use crate::core::teardown::{AttachedPolicy, Step, UserInventory};

/// What one read found, put into its place of the inventory.
pub(super) type Fill = Box<dyn FnOnce(&mut UserInventory) + Send>;
type Listing<'a> = BoxFuture<'a, Result<Fill, ServiceError>>;
type Removal<'a> = BoxFuture<'a, Result<StepResult, ServiceError>>;

/// A dependent's IAM calls: the actions `of` declares, made.
pub(super) struct Calls {
    pub of: &'static Dependent,
    pub list: for<'a> fn(&'a AwsIam, &'a IamUserName) -> Listing<'a>,
    /// The removal of `step`, when `step` is this dependent's; `None` for any other step.
    pub remove: for<'a> fn(&'a Client, &'a str, &'a Step) -> Option<Removal<'a>>,
}

pub(super) const CALLS: [Calls; 9] = [
    LOGIN_PROFILE,
    ACCESS_KEYS,
    SIGNING_CERTIFICATES,
    SSH_PUBLIC_KEYS,
    SERVICE_CREDENTIALS,
    MFA_DEVICES,
    INLINE_POLICIES,
    ATTACHED_POLICIES,
    GROUPS,
];

/// The calls of each dependent, in the list's order.
pub(super) fn in_order() -> impl Iterator<Item = Result<&'static Calls, ServiceError>> {
    units::DEPENDENTS.into_iter().map(|d| {
        CALLS.iter().find(|c| c.of.name == d.name).ok_or_else(|| {
            ServiceError::Invalid(format!("no IAM calls are known for the {}", d.name))
        })
    })
}

/// A removal that treats "already gone" as done.
fn removal<'a, T, E, R>(
    op: &'static str,
    call: impl Future<Output = Result<T, aws_sdk_iam::error::SdkError<E, R>>> + Send + 'a,
) -> Option<Removal<'a>>
where
    E: aws_sdk_iam::error::ProvideErrorMetadata + std::error::Error + Send + 'static,
    R: std::fmt::Debug + Send + 'static,
    aws_sdk_iam::error::SdkError<E, R>: aws_sdk_iam::error::ProvideErrorMetadata,
    T: 'a,
{
    Some(idempotent(op, call).boxed())
}

fn fill(put: impl FnOnce(&mut UserInventory) + Send + 'static) -> Fill {
    Box::new(put)
}

const LOGIN_PROFILE: Calls = Calls {
    of: &units::login_profile::DEPENDENT,
    list: |iam, user| {
        async move {
            let call = iam.client.get_login_profile().user_name(user.as_str());
            let held = match call.send().await {
                Ok(_) => true,
                Err(e) if is_no_such_entity(&e) => false,
                Err(e) => return Err(failed("GetLoginProfile", e)),
            };
            Ok(fill(move |inv| inv.login_profile = held))
        }
        .boxed()
    },
    remove: |c, u, step| match step {
        Step::DeleteLoginProfile => removal(
            "DeleteLoginProfile",
            c.delete_login_profile().user_name(u).send(),
        ),
        _ => None,
    },
};

const ACCESS_KEYS: Calls = Calls {
    of: &units::access_keys::DEPENDENT,
    list: |iam, user| {
        async move {
            let keys = iam.access_keys(user).await?;
            Ok(fill(move |inv| inv.access_keys = keys))
        }
        .boxed()
    },
    remove: |c, u, step| match step {
        Step::DeleteAccessKey(k) => removal(
            "DeleteAccessKey",
            c.delete_access_key()
                .user_name(u)
                .access_key_id(k.as_str())
                .send(),
        ),
        _ => None,
    },
};

const SIGNING_CERTIFICATES: Calls = Calls {
    of: &units::signing_certificates::DEPENDENT,
    list: |iam, user| {
        async move {
            let request = iam.client.list_signing_certificates();
            let certs = listed!("ListSigningCertificates", request.user_name(user.as_str()))?;
            let ids = certs.into_iter().map(|c| c.certificate_id).collect();
            Ok(fill(move |inv| inv.signing_certificates = ids))
        }
        .boxed()
    },
    remove: |c, u, step| match step {
        Step::DeleteSigningCertificate(id) => removal(
            "DeleteSigningCertificate",
            c.delete_signing_certificate()
                .user_name(u)
                .certificate_id(id)
                .send(),
        ),
        _ => None,
    },
};

const SSH_PUBLIC_KEYS: Calls = Calls {
    of: &units::ssh_public_keys::DEPENDENT,
    list: |iam, user| {
        async move {
            let request = iam.client.list_ssh_public_keys();
            let keys = listed!("ListSSHPublicKeys", request.user_name(user.as_str()))?;
            let ids = keys.into_iter().map(|k| k.ssh_public_key_id).collect();
            Ok(fill(move |inv| inv.ssh_public_keys = ids))
        }
        .boxed()
    },
    remove: |c, u, step| match step {
        Step::DeleteSshPublicKey(id) => removal(
            "DeleteSSHPublicKey",
            c.delete_ssh_public_key()
                .user_name(u)
                .ssh_public_key_id(id)
                .send(),
        ),
        _ => None,
    },
};

const SERVICE_CREDENTIALS: Calls = Calls {
    of: &units::service_credentials::DEPENDENT,
    // Not paginated: IAM answers with all of them at once.
    list: |iam, user| {
        async move {
            let request = iam.client.list_service_specific_credentials();
            let out = request.user_name(user.as_str()).send().await;
            let out = out.map_err(|e| failed("ListServiceSpecificCredentials", e))?;
            let creds = out.service_specific_credentials.unwrap_or_default();
            let ids = creds
                .into_iter()
                .map(|c| c.service_specific_credential_id)
                .collect();
            Ok(fill(move |inv| inv.service_credentials = ids))
        }
        .boxed()
    },
    remove: |c, u, step| match step {
        Step::DeleteServiceSpecificCredential(id) => removal(
            "DeleteServiceSpecificCredential",
            c.delete_service_specific_credential()
                .user_name(u)
                .service_specific_credential_id(id)
                .send(),
        ),
        _ => None,
    },
};

const MFA_DEVICES: Calls = Calls {
    of: &units::mfa_devices::DEPENDENT,
    list: |iam, user| {
        async move {
            let request = iam.client.list_mfa_devices();
            let devices = listed!("ListMFADevices", request.user_name(user.as_str()))?;
            let serials = devices.into_iter().map(|d| d.serial_number).collect();
            Ok(fill(move |inv| inv.mfa_devices = serials))
        }
        .boxed()
    },
    remove: |c, u, step| match step {
        Step::DeactivateMfaDevice(serial) => removal(
            "DeactivateMFADevice",
            c.deactivate_mfa_device()
                .user_name(u)
                .serial_number(serial)
                .send(),
        ),
        Step::DeleteVirtualMfaDevice(serial) => removal(
            "DeleteVirtualMFADevice",
            c.delete_virtual_mfa_device().serial_number(serial).send(),
        ),
        _ => None,
    },
};

const INLINE_POLICIES: Calls = Calls {
    of: &units::inline_policies::DEPENDENT,
    list: |iam, user| {
        async move {
            let request = iam.client.list_user_policies();
            let names = listed!("ListUserPolicies", request.user_name(user.as_str()))?;
            Ok(fill(move |inv| inv.inline_policies = names))
        }
        .boxed()
    },
    remove: |c, u, step| match step {
        Step::DeleteInlinePolicy(name) => removal(
            "DeleteUserPolicy",
            c.delete_user_policy().user_name(u).policy_name(name).send(),
        ),
        _ => None,
    },
};

const ATTACHED_POLICIES: Calls = Calls {
    of: &units::attached_policies::DEPENDENT,
    list: |iam, user| {
        async move {
            let request = iam.client.list_attached_user_policies();
            let policies = listed!("ListAttachedUserPolicies", request.user_name(user.as_str()))?;
            let attached = policies
                .into_iter()
                .filter_map(|p| {
                    Some(AttachedPolicy {
                        name: p.policy_name?,
                        arn: p.policy_arn?,
                    })
                })
                .collect();
            Ok(fill(move |inv| inv.attached_policies = attached))
        }
        .boxed()
    },
    remove: |c, u, step| match step {
        Step::DetachPolicy(arn) => removal(
            "DetachUserPolicy",
            c.detach_user_policy().user_name(u).policy_arn(arn).send(),
        ),
        _ => None,
    },
};

const GROUPS: Calls = Calls {
    of: &units::groups::DEPENDENT,
    list: |iam, user| {
        async move {
            let request = iam.client.list_groups_for_user();
            let groups = listed!("ListGroupsForUser", request.user_name(user.as_str()))?;
            let names = groups.into_iter().map(|g| g.group_name).collect();
            Ok(fill(move |inv| inv.groups = names))
        }
        .boxed()
    },
    remove: |c, u, step| match step {
        Step::RemoveFromGroup(group) => removal(
            "RemoveUserFromGroup",
            c.remove_user_from_group()
                .group_name(group)
                .user_name(u)
                .send(),
        ),
        _ => None,
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    /// Never sends: the removals are only asked whether a step is theirs.
    fn offline() -> Client {
        let config = aws_sdk_iam::Config::builder()
            .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
            .region(aws_sdk_iam::config::Region::new("us-east-1"))
            .build();
        Client::from_conf(config)
    }

    #[test]
    fn every_dependent_has_its_calls_in_the_lists_order() {
        let ours: Vec<&str> = CALLS.iter().map(|c| c.of.name).collect();
        let core: Vec<&str> = units::DEPENDENTS.iter().map(|d| d.name).collect();
        assert_eq!(ours, core);
        assert!(in_order().all(|c| c.is_ok()));
    }

    /// Each dependent's steps are removed by its own calls and by no other's.
    #[test]
    fn each_dependents_steps_are_removed_by_its_calls_alone() {
        let inv = crate::core::fixtures::loaded_inventory();
        let client = offline();
        for calls in &CALLS {
            let steps = (calls.of.steps)(&inv);
            assert!(!steps.is_empty(), "{}", calls.of.name);
            for step in &steps {
                let by: Vec<&str> = CALLS
                    .iter()
                    .filter(|c| (c.remove)(&client, "u", step).is_some())
                    .map(|c| c.of.name)
                    .collect();
                assert_eq!(by, [calls.of.name], "{step:?}");
            }
        }
        assert!(
            CALLS
                .iter()
                .all(|c| (c.remove)(&client, "u", &Step::DeleteUser).is_none())
        );
    }
}
