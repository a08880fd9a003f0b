//! A tenant's directory: the people its company knows, members or not, and the groups they are
//! in. It is filled by an identity provider over SCIM 2.0 (`source: scim`) or by an admin's
//! upload of the employee list (`source: upload`); admins invite from it, and under the
//! `invite` provisioning mode the identity provider's changes invite and deprovision by
//! themselves (`usecases::provisioning`).
//!
//! A person is linked to a membership or an invitation by email, through the tenant's email
//! guard, at read time: accepting, revoking or removing through the ordinary routes needs no
//! write to the directory, and the directory never disagrees with them. Each identity-provider
//! write also records the member the person was seen as (`member_user_id`), so deprovisioning
//! still finds a member whose address changed since.

use crate::model::EmailGuard;
use crate::roles::RoleName;
use crate::values::{Email, GroupId, PersonId, ScimTokenId, TenantId, Timestamp, UserId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where a person came from; an upload replaces only its own people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The identity provider, over SCIM.
    Scim,
    /// An admin's upload of the employee list.
    Upload,
}

/// One person of the directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DirectoryPerson {
    /// Its id.
    pub id: PersonId,
    /// The tenant.
    pub tenant_id: TenantId,
    /// Where it came from.
    pub source: Source,
    /// The identity provider's login name (SCIM `userName`), unique per tenant ignoring case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// The identity provider's (or HR system's) own id for the person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The work address, if one is on file (an invitation needs it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
    /// Given name.
    #[serde(default)]
    pub first_name: String,
    /// Family name.
    #[serde(default)]
    pub last_name: String,
    /// Job title.
    #[serde(default)]
    pub title: String,
    /// Department.
    #[serde(default)]
    pub department: String,
    /// Company (the enterprise extension's `organization`).
    #[serde(default)]
    pub company: String,
    /// HR number.
    #[serde(default)]
    pub employee_number: String,
    /// Phone.
    #[serde(default)]
    pub phone: String,
    /// Whether the person is active at the company.
    pub active: bool,
    /// The groups the person is in (SCIM), by id.
    #[serde(default)]
    pub groups: Vec<GroupId>,
    /// The SCIM resource's attributes as the identity provider last sent them (only those of
    /// the schemas Usher declares), so GET answers exactly what was PUT.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub scim: serde_json::Value,
    /// Why provisioning could not invite them yet (`seat_limit_reached`): shown as a blocked
    /// invitation until the schedule (or the identity provider's next change) invites them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked: Option<String>,
    /// The member they were last seen as. Deprovisioning removes that member too, so access
    /// does not outlive an address change on either side (the identity provider's rename, or
    /// the member's own email change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_user_id: Option<UserId>,
    /// When the schedule tries a blocked person's invitation again (a seat may have freed, the
    /// store may be back): the person is in the due index until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_at: Option<Timestamp>,
    /// Created.
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
}

impl DirectoryPerson {
    /// "First Last", or the address, for messages and sorting.
    pub fn display_name(&self) -> String {
        let name = format!("{} {}", self.first_name.trim(), self.last_name.trim()).trim().to_owned();
        if !name.is_empty() {
            return name;
        }
        self.email.as_ref().map(ToString::to_string).or_else(|| self.user_name.clone()).unwrap_or_default()
    }
}

/// A group of the directory (SCIM `Group`), which may map to a role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryGroup {
    /// Its id.
    pub id: GroupId,
    /// The tenant.
    pub tenant_id: TenantId,
    /// Its name (the key of `DirectorySettings::group_roles`).
    pub display_name: String,
    /// The identity provider's id for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Created.
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
}

/// One person's membership of one group (its own item, so a group of any size fits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMembership {
    /// The tenant.
    pub tenant_id: TenantId,
    /// The group.
    pub group_id: GroupId,
    /// The person.
    pub person_id: PersonId,
}

/// What the identity provider's changes do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provisioning {
    /// People appear in the directory; admins invite them.
    #[default]
    Stage,
    /// An active person with an email is invited at once.
    Invite,
}

/// A tenant's directory settings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DirectorySettings {
    /// What provisioning does.
    #[serde(default)]
    pub provisioning: Provisioning,
    /// Group name → role given to its people when provisioning invites them.
    #[serde(default)]
    pub group_roles: BTreeMap<String, RoleName>,
    /// The role for people in no mapped group (`member` when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_role: Option<RoleName>,
}

/// A tenant's SCIM bearer token, as stored: never the token, only what names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScimToken {
    /// Its id.
    pub id: ScimTokenId,
    /// The tenant it opens.
    pub tenant_id: TenantId,
    /// What the admin called it ("Okta production").
    pub name: String,
    /// The token's first characters, so an admin can tell tokens apart (not enough to use).
    pub hint: String,
    /// SHA-256 of the token, hex (its pointer item's key).
    pub hash: String,
    /// Who created it (`None`: the operator's CLI).
    #[serde(default)]
    pub created_by: Option<UserId>,
    /// Created.
    pub created_at: Timestamp,
}

/// Points from a SCIM token's hash to its tenant and token record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScimTokenPointer {
    /// The tenant.
    pub tenant_id: TenantId,
    /// The token record.
    pub token_id: ScimTokenId,
}

/// Points from a lower-cased `userName` to the person holding it (the uniqueness guard).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserNamePointer {
    /// The person.
    pub person_id: PersonId,
}

/// Where a person stands with the tenant, read from the email guard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Neither a member nor invited.
    None,
    /// A pending invitation holds the address.
    Invited(crate::values::InvitationId),
    /// A member holds the address.
    Member(UserId),
}

impl From<Option<EmailGuard>> for Standing {
    fn from(g: Option<EmailGuard>) -> Self {
        match g {
            None => Standing::None,
            Some(EmailGuard::Invitation { invitation_id }) => Standing::Invited(invitation_id),
            Some(EmailGuard::Member { user_id }) => Standing::Member(user_id),
        }
    }
}
