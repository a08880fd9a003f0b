//! Roles and permissions, and the one rule about granting them.

use crate::values::InvalidValue;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Something a member may do in a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Permission {
    /// Invite people.
    #[serde(rename = "invitations.create")]
    InvitationsCreate,
    /// List and read invitations.
    #[serde(rename = "invitations.read")]
    InvitationsRead,
    /// Resend (or re-arm) invitations.
    #[serde(rename = "invitations.resend")]
    InvitationsResend,
    /// Revoke pending invitations.
    #[serde(rename = "invitations.revoke")]
    InvitationsRevoke,
    /// List members and seats.
    #[serde(rename = "members.read")]
    MembersRead,
    /// Change another member's role, workspaces or profile.
    #[serde(rename = "members.update")]
    MembersUpdate,
    /// Remove members.
    #[serde(rename = "members.remove")]
    MembersRemove,
    /// Download the people export.
    #[serde(rename = "members.export")]
    MembersExport,
    /// Create, change and delete custom roles.
    #[serde(rename = "roles.manage")]
    RolesManage,
    /// Read the audit log (an Usher extension to API.md's list; owner and admin have it).
    #[serde(rename = "audit.read")]
    AuditRead,
    /// Upload the employee directory, change its settings, manage SCIM tokens (and verified
    /// domains).
    #[serde(rename = "directory.manage")]
    DirectoryManage,
}

impl Permission {
    /// Every permission, in documentation order.
    pub const ALL: [Permission; 11] = [
        Permission::InvitationsCreate,
        Permission::InvitationsRead,
        Permission::InvitationsResend,
        Permission::InvitationsRevoke,
        Permission::MembersRead,
        Permission::MembersUpdate,
        Permission::MembersRemove,
        Permission::MembersExport,
        Permission::RolesManage,
        Permission::AuditRead,
        Permission::DirectoryManage,
    ];

    fn bit(self) -> u16 {
        1 << (self as u16)
    }

    /// The wire name (`invitations.create`).
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::InvitationsCreate => "invitations.create",
            Permission::InvitationsRead => "invitations.read",
            Permission::InvitationsResend => "invitations.resend",
            Permission::InvitationsRevoke => "invitations.revoke",
            Permission::MembersRead => "members.read",
            Permission::MembersUpdate => "members.update",
            Permission::MembersRemove => "members.remove",
            Permission::MembersExport => "members.export",
            Permission::RolesManage => "roles.manage",
            Permission::AuditRead => "audit.read",
            Permission::DirectoryManage => "directory.manage",
        }
    }

    /// Parses a wire name.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == raw)
            .ok_or_else(|| InvalidValue::new("unknown_permission", format!("unknown permission '{raw}'")))
    }
}

/// A set of permissions.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct PermissionSet(u16);

impl PermissionSet {
    /// Every permission.
    pub fn all() -> Self {
        Self::from_iter(Permission::ALL)
    }

    /// Whether `p` is in the set.
    pub fn contains(self, p: Permission) -> bool {
        self.0 & p.bit() != 0
    }

    /// Whether every permission of `other` is in this set.
    pub fn covers(self, other: PermissionSet) -> bool {
        other.0 & !self.0 == 0
    }

    /// The permissions, in documentation order.
    pub fn to_vec(self) -> Vec<Permission> {
        Permission::ALL.into_iter().filter(|p| self.contains(*p)).collect()
    }
}

impl FromIterator<Permission> for PermissionSet {
    fn from_iter<I: IntoIterator<Item = Permission>>(iter: I) -> Self {
        Self(iter.into_iter().fold(0, |acc, p| acc | p.bit()))
    }
}

impl fmt::Debug for PermissionSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.to_vec().iter().map(|p| p.as_str())).finish()
    }
}

/// A role's name: a built-in (`owner`, `admin`, `member`, `viewer`) or a tenant's custom role.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RoleName(String);

impl RoleName {
    /// 1–32 characters: lower-case letters, digits, `-` and `_`, starting with a letter.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim();
        let ok = (1..=32).contains(&s.len())
            && s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidValue::new("invalid_role", "a role name is 1 to 32 lower-case letters, digits, '-' or '_', starting with a letter"))
        }
    }

    /// The role name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The `owner` role.
    pub fn owner() -> Self {
        Self("owner".into())
    }

    /// Whether this is the `owner` role, which only an owner may grant or take away.
    pub fn is_owner(&self) -> bool {
        self.0 == "owner"
    }

    /// Whether the name belongs to a built-in role (custom roles may not take these names).
    pub fn is_builtin(&self) -> bool {
        BUILTIN_NAMES.contains(&self.0.as_str())
    }
}

impl TryFrom<String> for RoleName {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, InvalidValue> {
        Self::parse(&s)
    }
}

impl From<RoleName> for String {
    fn from(r: RoleName) -> String {
        r.0
    }
}

impl fmt::Display for RoleName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for RoleName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

const BUILTIN_NAMES: [&str; 4] = ["owner", "admin", "member", "viewer"];

/// A role with what it allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    /// Its name.
    pub name: RoleName,
    /// What it allows.
    pub permissions: PermissionSet,
    /// `viewer`'s peculiarity: `members.read` shows the member only themself.
    pub sees_only_self: bool,
}

impl Role {
    /// What a role that no longer resolves (a custom role deleted under someone, or corrupt
    /// data) counts as when deciding who may act on its holder: every permission, so only
    /// someone who could grant all may.
    pub fn unresolved(name: &RoleName) -> Role {
        Role { name: name.clone(), permissions: PermissionSet::all(), sees_only_self: false }
    }

    /// The built-in role of that name, if it is one.
    pub fn builtin(name: &RoleName) -> Option<Role> {
        use Permission::*;
        let (permissions, sees_only_self) = match name.as_str() {
            "owner" | "admin" => (PermissionSet::all(), false),
            "member" => (PermissionSet::from_iter([MembersRead]), false),
            "viewer" => (PermissionSet::from_iter([MembersRead]), true),
            _ => return None,
        };
        Some(Role { name: name.clone(), permissions, sees_only_self })
    }

    /// The built-in roles, for listing.
    pub fn builtins() -> Vec<Role> {
        BUILTIN_NAMES.iter().filter_map(|n| RoleName::parse(n).ok().and_then(|n| Role::builtin(&n))).collect()
    }

    /// Whether a member holding `self` may give `target` to someone (or take it away):
    /// nobody grants a permission they lack, and only an owner grants or removes `owner`.
    pub fn may_grant(&self, target: &Role) -> bool {
        if target.name.is_owner() {
            return self.name.is_owner();
        }
        self.permissions.covers(target.permissions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(n: &str) -> Role {
        Role::builtin(&RoleName::parse(n).unwrap()).unwrap()
    }

    #[test]
    fn an_owner_may_grant_every_built_in_role() {
        for r in Role::builtins() {
            assert!(role("owner").may_grant(&r), "{}", r.name);
        }
    }

    #[test]
    fn an_admin_may_grant_everything_but_owner() {
        assert!(!role("admin").may_grant(&role("owner")));
        assert!(role("admin").may_grant(&role("admin")));
        assert!(role("admin").may_grant(&role("viewer")));
    }

    #[test]
    fn nobody_grants_a_permission_they_lack() {
        let custom = Role {
            name: RoleName::parse("billing").unwrap(),
            permissions: PermissionSet::from_iter([Permission::MembersRead, Permission::MembersExport]),
            sees_only_self: false,
        };
        assert!(!role("member").may_grant(&custom));
        assert!(role("admin").may_grant(&custom));
        assert!(role("member").may_grant(&role("viewer")));
    }

    #[test]
    fn permissions_round_trip_through_their_wire_names() {
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.as_str()).unwrap(), p);
            assert_eq!(serde_json::to_value(p).unwrap(), p.as_str());
        }
    }

    #[test]
    fn role_names_are_checked() {
        assert!(RoleName::parse("site-manager_2").is_ok());
        for bad in ["", "Admin", "2fa", "a b", &"x".repeat(33)] {
            assert!(RoleName::parse(bad).is_err(), "{bad:?}");
        }
    }
}
