//! A small Slack-like service: every action names the permission it requires, and the compiler
//! checks each name against `../roles.toml`.

/// Generated from `../roles.toml` by build.rs.
pub mod roles {
    include!(concat!(env!("OUT_DIR"), "/roles.rs"));
}

use roles::{Permission, PermissionSet, RequiresPermission, Role};

/// What a user can do to a channel. `exhaustive`: adding a channel permission to roles.toml
/// fails this crate's build until an action requires it.
#[derive(Debug, Clone, PartialEq, Eq, role_macros::RequiresPermission)]
#[roles(file = "../roles.toml", entity = "channel", exhaustive)]
pub enum ChannelAction {
    #[permission(archive_channel)]
    Archive,
    #[permission(rename_channel)]
    Rename { name: String },
    #[permission(convert_channel_to_private)]
    MakePrivate,
}

/// What a user can do to a workspace.
#[derive(Debug, Clone, PartialEq, Eq, role_macros::RequiresPermission)]
#[roles(file = "../roles.toml", entity = "workspace")]
pub enum WorkspaceAction {
    #[permission(add_user_to_workspace)]
    Invite(String),
    #[permission(remove_user_from_workspace)]
    Remove(String),
}

/// Whether holding `roles` allows `action` (the granular-role rule of a policy: legacy
/// levels and custom predicates come with the generated policies).
pub fn allowed(roles: &[Role], action: &impl RequiresPermission) -> bool {
    PermissionSet::of_roles(roles).contains(action.required_permission())
}

/// Answers a `CheckPermissionsRequest` for a user holding `roles` on the asked entity: the
/// permission service of the seed article, in a few lines.
pub fn check_permissions(
    request: &roles::proto::CheckPermissionsRequest,
    roles: &[Role],
) -> roles::proto::CheckPermissionsResponse {
    let held = PermissionSet::of_roles(roles);
    let decisions = request
        .permissions
        .iter()
        .map(|&p| {
            let allowed = Permission::try_from(p).is_ok_and(|p| held.contains(p));
            let decision = if allowed { roles::proto::Decision::Allow } else { roles::proto::Decision::Deny };
            roles::proto::PermissionDecision { permission: p, decision: decision as i32 }
        })
        .collect();
    roles::proto::CheckPermissionsResponse { decisions }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message as _;

    #[test]
    fn actions_require_their_permissions() {
        assert_eq!(ChannelAction::Archive.required_permission(), Permission::ArchiveChannel);
        assert_eq!(ChannelAction::Rename { name: "x".into() }.required_permission(), Permission::RenameChannel);
        assert_eq!(WorkspaceAction::Invite("u".into()).required_permission(), Permission::AddUserToWorkspace);
    }

    #[test]
    fn channels_admin_archives_but_does_not_invite() {
        assert!(allowed(&[Role::ChannelsAdmin], &ChannelAction::Archive));
        assert!(!allowed(&[Role::ChannelsAdmin], &WorkspaceAction::Invite("u".into())));
        assert!(allowed(&[Role::ChannelsAdmin, Role::UsersAdmin], &WorkspaceAction::Invite("u".into())));
        assert!(!allowed(&[], &ChannelAction::Archive), "deny by default");
    }

    #[test]
    fn check_permissions_round_trips_through_prost() {
        let request = roles::proto::CheckPermissionsRequest {
            team_id: "T12345".into(),
            user_id: "U12345".into(),
            entity_id: "C12345".into(),
            entity_type: roles::proto::EntityType::from(roles::EntityType::Channel) as i32,
            permissions: vec![
                roles::proto::Permission::from(Permission::ArchiveChannel) as i32,
                Permission::AssignRoles.id() as i32,
            ],
        };
        let bytes = request.encode_to_vec();
        let decoded = roles::proto::CheckPermissionsRequest::decode(bytes.as_slice()).expect("decodes");
        assert_eq!(decoded, request);
        assert_eq!(roles::EntityType::try_from(decoded.entity_type), Ok(roles::EntityType::Channel));

        let response = check_permissions(&decoded, &[Role::ChannelsAdmin]);
        let response =
            roles::proto::CheckPermissionsResponse::decode(response.encode_to_vec().as_slice()).expect("decodes");
        let decisions: Vec<(Result<Permission, roles::UnknownName>, i32)> =
            response.decisions.iter().map(|d| (Permission::try_from(d.permission), d.decision)).collect();
        assert_eq!(
            decisions,
            vec![
                (Ok(Permission::ArchiveChannel), roles::proto::Decision::Allow as i32),
                (Ok(Permission::AssignRoles), roles::proto::Decision::Deny as i32),
            ]
        );
    }

    #[test]
    fn prost_and_role_gen_enums_agree_on_every_value() {
        for &p in Permission::ALL {
            assert_eq!(Permission::try_from(roles::proto::Permission::from(p)), Ok(p));
        }
        for &r in Role::ALL {
            assert_eq!(Role::try_from(roles::proto::Role::from(r) as i32), Ok(r));
        }
        for &l in roles::LegacyRole::ALL {
            assert_eq!(roles::LegacyRole::try_from(roles::proto::LegacyRole::from(l)), Ok(l));
        }
        assert!(Permission::try_from(0).is_err(), "UNSPECIFIED is no permission");
    }
}
