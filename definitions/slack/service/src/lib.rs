//! The Slack example as a service: a gRPC server ([`server`]) answering `CheckPermissions`,
//! `ListPermissions` and `CheckPolicy` ([`decide`]) from role assignments stored in SQLite
//! ([`store`]), through the `check_access`, `permissions_on` and policy evaluators generated
//! from `../roles.toml`; and the in-process half: every action names the permission it requires
//! (checked by the compiler against the same file) and the policy that guards it, as the seed
//! article's `ChannelCanActorArchivePolicy` does.

/// Generated from `../roles.toml` by build.rs: the roles, the decisions on entities, the
/// policies, and (`roles::proto`) the prost messages with tonic's client and server.
pub mod roles {
    include!(concat!(env!("OUT_DIR"), "/roles.rs"));
}

pub mod client;
pub mod decide;
pub mod demo;
pub mod server;
pub mod store;

use std::cell::Cell;

use roles::{
    Decision, LegacyRole, Permission, PermissionSet, Policy, PolicyFacts, RequiresPermission, Role, RolloutMode,
};

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

impl ChannelAction {
    /// The policy that guards the action.
    pub fn policy(&self) -> Policy {
        match self {
            ChannelAction::Archive => Policy::ChannelArchive,
            ChannelAction::Rename { .. } => Policy::ChannelRename,
            ChannelAction::MakePrivate => Policy::ChannelConvertToPrivate,
        }
    }
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

/// The facts about one actor and one channel, as the application would load them.
#[derive(Debug, Clone, Default)]
pub struct ChannelContext {
    pub legacy: Option<LegacyRole>,
    /// Roles assigned to the actor on this channel or an entity containing it.
    pub roles: Vec<Role>,
    pub created_channel: bool,
    pub channel_is_general: bool,
    pub members_can_invite: bool,
}

impl PolicyFacts for ChannelContext {
    fn legacy_level(&self) -> Option<LegacyRole> {
        self.legacy
    }
    fn has_permission(&self, permission: Permission) -> bool {
        PermissionSet::of_roles(&self.roles).contains(permission)
    }
    fn actor_created_channel(&self) -> bool {
        self.created_channel
    }
    fn channel_is_general(&self) -> bool {
        self.channel_is_general
    }
    fn members_can_invite(&self) -> bool {
        self.members_can_invite
    }
}

/// Decides `action` for the actor in `context`: the action's policy, rolled out as `mode` says;
/// dark-mode disagreements are counted in `disagreements` (a metric, in a real service).
pub fn authorize(
    action: &ChannelAction,
    context: &ChannelContext,
    mode: RolloutMode,
    disagreements: &Cell<u32>,
) -> Decision {
    let count = |_: Decision, _: Decision| disagreements.set(disagreements.get() + 1);
    action.policy().evaluate_rollout(mode, context, &count)
}

/// Whether holding `roles` grants the permission `action` requires (no legacy rule, no
/// predicate: the granular half of a policy).
pub fn allowed(roles: &[Role], action: &impl RequiresPermission) -> bool {
    PermissionSet::of_roles(roles).contains(action.required_permission())
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    fn member_with(roles: &[Role]) -> ChannelContext {
        ChannelContext { legacy: Some(LegacyRole::Member), roles: roles.to_vec(), ..ChannelContext::default() }
    }

    fn decide(action: &ChannelAction, context: &ChannelContext) -> Decision {
        authorize(action, context, RolloutMode::Light, &Cell::new(0))
    }

    #[test]
    fn actions_require_their_permissions() {
        assert_eq!(ChannelAction::Archive.required_permission(), Permission::ArchiveChannel);
        assert_eq!(ChannelAction::Rename { name: "x".into() }.required_permission(), Permission::RenameChannel);
        assert_eq!(WorkspaceAction::Invite("u".into()).required_permission(), Permission::AddUserToWorkspace);
    }

    #[test]
    fn archiving_behaves_as_the_seed_article_tells() {
        let guest =
            ChannelContext { legacy: Some(LegacyRole::Guest), roles: vec![Role::ChannelsAdmin], ..Default::default() };
        let decision = decide(&ChannelAction::Archive, &guest);
        assert!(!decision.allow, "a guest is denied even when granted the permission");
        assert_eq!(decision.rule_name, "deny_if_legacy [guest]");

        let admin = ChannelContext { legacy: Some(LegacyRole::Admin), ..Default::default() };
        assert!(decide(&ChannelAction::Archive, &admin).allow, "a legacy admin needs no role");

        let bob = member_with(&[Role::ChannelsAdmin]);
        let decision = decide(&ChannelAction::Archive, &bob);
        assert!(decision.allow, "a member holding channels_admin is allowed");
        assert_eq!(decision.rule, Some(2));

        assert!(!decide(&ChannelAction::Archive, &member_with(&[])).allow, "a plain member is denied");
    }

    #[test]
    fn dark_rollout_keeps_legacy_answers_and_counts_disagreements() {
        let bob = member_with(&[Role::ChannelsAdmin]);
        let disagreements = Cell::new(0);
        let dark = authorize(&ChannelAction::Archive, &bob, RolloutMode::Dark, &disagreements);
        assert!(!dark.allow, "in dark mode the legacy rules still decide");
        assert_eq!(disagreements.get(), 1, "the full policy would have allowed: one disagreement");
        let light = authorize(&ChannelAction::Archive, &bob, RolloutMode::Light, &disagreements);
        assert!(light.allow, "in light mode the full policy decides");
        assert_eq!(disagreements.get(), 1);
    }

    #[test]
    fn channels_admin_archives_but_does_not_invite() {
        assert!(allowed(&[Role::ChannelsAdmin], &ChannelAction::Archive));
        assert!(!allowed(&[Role::ChannelsAdmin], &WorkspaceAction::Invite("u".into())));
        assert!(allowed(&[Role::ChannelsAdmin, Role::UsersAdmin], &WorkspaceAction::Invite("u".into())));
        assert!(!allowed(&[], &ChannelAction::Archive), "deny by default");
    }

    /// `value` through the wire: encoded, then decoded.
    fn wire<M: Message + Default>(value: &M) -> M {
        M::decode(value.encode_to_vec().as_slice()).expect("decodes")
    }

    #[test]
    fn entity_refs_and_role_assignments_convert_both_ways() {
        use roles::{Assignment, EntityType};
        for &entity in EntityType::ALL {
            let reference = roles::proto::EntityRef::from((entity, "C1".to_string()));
            assert_eq!(reference, roles::proto::EntityRef::new(entity, "C1"));
            assert_eq!(reference.entity_type, entity.id() as i32, "the wire number is the id");
            assert_eq!(<(EntityType, String)>::try_from(wire(&reference)), Ok((entity, "C1".to_string())));
            for &role in Role::ALL {
                let assignment = Assignment { role, entity, id: "E1".to_string() };
                let row = roles::proto::RoleAssignment::new("U1", assignment.clone());
                assert_eq!((row.user_id.as_str(), row.role), ("U1", role.id() as i32));
                assert_eq!(row.entity, Some(roles::proto::EntityRef::new(entity, "E1")));
                assert_eq!(Assignment::try_from(wire(&row)), Ok(assignment));
            }
        }
        let unknown_type = roles::proto::EntityRef { entity_type: 0, entity_id: "C1".into() };
        let error = <(EntityType, String)>::try_from(unknown_type).map_err(|e| e.to_string());
        assert_eq!(error, Err("unknown entity type number 0".to_string()));
        let row = |role: i32, entity| roles::proto::RoleAssignment { user_id: "U1".into(), role, entity };
        let channel = Some(roles::proto::EntityRef::new(EntityType::Channel, "C1"));
        let error = |row: roles::proto::RoleAssignment| Assignment::<String>::try_from(row).map_err(|e| e.to_string());
        assert_eq!(error(row(99, channel.clone())), Err("unknown role number 99".to_string()));
        assert_eq!(error(row(0, channel)), Err("unknown role number 0".to_string()));
        assert_eq!(error(row(1, None)), Err("unknown entity type number 0".to_string()), "no entity");
        let undefined = Some(roles::proto::EntityRef { entity_type: -7, entity_id: "C1".into() });
        assert_eq!(error(row(1, undefined)), Err("unknown entity type number -7".to_string()));
    }

    #[test]
    fn prost_and_role_gen_enums_agree_on_every_value() {
        for &p in Permission::ALL {
            assert_eq!(Permission::try_from(roles::proto::Permission::from(p)), Ok(p));
        }
        for &r in Role::ALL {
            assert_eq!(Role::try_from(roles::proto::Role::from(r) as i32), Ok(r));
        }
        for &l in LegacyRole::ALL {
            assert_eq!(LegacyRole::try_from(roles::proto::LegacyRole::from(l)), Ok(l));
        }
        for &p in Policy::ALL {
            assert_eq!(Policy::try_from(roles::proto::Policy::from(p)), Ok(p));
            assert_eq!(roles::proto::Policy::from(p) as i32, p.id() as i32, "a policy's wire number is its id");
        }
        for &e in roles::EntityType::ALL {
            assert_eq!(roles::EntityType::try_from(roles::proto::EntityType::from(e)), Ok(e));
            assert_eq!(roles::proto::EntityType::from(e) as i32, e.id() as i32, "an entity's wire number is its id");
        }
        assert!(Permission::try_from(0).is_err(), "UNSPECIFIED is no permission");
        // The error names the rejected number.
        let unknown = |n: i32| Permission::try_from(n).map_err(|e| e.to_string());
        assert_eq!(unknown(0), Err("unknown permission number 0".to_string()));
        assert_eq!(unknown(i32::MIN), Err("unknown permission number -2147483648".to_string()));
        assert_eq!(
            roles::EntityType::try_from(99).map_err(|e| (e.kind(), e.value().to_string())),
            Err(("entity type", "99".to_string()))
        );
    }
}
