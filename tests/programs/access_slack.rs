//! Decisions on entities on the Slack example, case by case: the seed's cases (Channels Admin
//! on the enterprise archives channels in every workspace; on one workspace, only its
//! channels; Users Admin cannot; a role assigned where it is not assignable grants nothing),
//! every path error with its fields and message, the derives a caller relies on, and a
//! `PolicyFacts` answering `has_permission` through `check_access`. Each check is an
//! `assert!`: the program fails at the first wrong answer and prints `ok` at the end.

#![deny(warnings)]
#![forbid(unsafe_code)]

mod roles {
    include!("roles.rs");
}

use std::collections::{BTreeSet, HashSet};

use roles::{
    Assignment, EntityType, LegacyRole, PathError, Permission, PermissionSet, Policy, PolicyFacts, Role, check_access,
    permissions_on,
};

/// `#C1` in workspace `W1`, or `#C2` in `W2`, both in enterprise `E1`.
fn channel(c: &'static str, w: &'static str) -> [(EntityType, &'static str); 3] {
    [(EntityType::Channel, c), (EntityType::Workspace, w), (EntityType::Enterprise, "E1")]
}

fn the_seeds_cases() {
    let archive = Permission::ArchiveChannel;
    let on_enterprise = [Assignment { role: Role::ChannelsAdmin, entity: EntityType::Enterprise, id: "E1" }];
    assert_eq!(check_access(&on_enterprise, &channel("C1", "W1"), archive), Ok(Some(&on_enterprise[0])));
    assert_eq!(check_access(&on_enterprise, &channel("C2", "W2"), archive), Ok(Some(&on_enterprise[0])));

    let on_w1 = [Assignment { role: Role::ChannelsAdmin, entity: EntityType::Workspace, id: "W1" }];
    assert_eq!(check_access(&on_w1, &channel("C1", "W1"), archive), Ok(Some(&on_w1[0])));
    assert_eq!(check_access(&on_w1, &channel("C2", "W2"), archive), Ok(None));
    // Bulk archiving from the workspace's dashboard: checked against the workspace itself.
    let w1 = [(EntityType::Workspace, "W1"), (EntityType::Enterprise, "E1")];
    assert_eq!(check_access(&on_w1, &w1, archive), Ok(Some(&on_w1[0])));

    let users = [Assignment { role: Role::UsersAdmin, entity: EntityType::Enterprise, id: "E1" }];
    assert_eq!(check_access(&users, &channel("C1", "W1"), archive), Ok(None));

    // channels_admin is assignable on enterprises and workspaces only: a row placing it on a
    // channel (a bug, a hand-edited database) widens nothing.
    assert!(!Role::ChannelsAdmin.assignable_to(EntityType::Channel));
    let misplaced = [Assignment { role: Role::ChannelsAdmin, entity: EntityType::Channel, id: "C1" }];
    assert_eq!(check_access(&misplaced, &channel("C1", "W1"), archive), Ok(None));
    assert_eq!(permissions_on(&misplaced, &channel("C1", "W1")), Ok(PermissionSet::EMPTY));

    // The first assignment that grants decides, whatever comes after it.
    let both = [users[0], on_w1[0], on_enterprise[0]];
    assert_eq!(check_access(&both, &channel("C1", "W1"), archive), Ok(Some(&both[1])));
    assert_eq!(check_access(&both, &channel("C2", "W2"), archive), Ok(Some(&both[2])));

    // Everything held on #C1: the channel actions, none of the workspace-only ones.
    let held = permissions_on(&both, &channel("C1", "W1")).expect("a valid path");
    let expected: PermissionSet =
        [Permission::ArchiveChannel, Permission::RenameChannel, Permission::ConvertChannelToPrivate]
            .into_iter()
            .collect();
    assert_eq!(held, expected);
    assert_eq!(held, Role::ChannelsAdmin.permissions() & EntityType::Channel.permissions());
}

fn every_path_error() {
    let none: [Assignment<&str>; 0] = [];
    let archive = Permission::ArchiveChannel;
    let cases: [(&[(EntityType, &str)], Permission, PathError, &str); 5] = [
        (&[], archive, PathError::Empty, "the path is empty: it starts with the entity checked"),
        (
            &[(EntityType::Channel, "C1"), (EntityType::Enterprise, "E1")],
            archive,
            PathError::NotParent { at: 1, expected: EntityType::Workspace, found: EntityType::Enterprise },
            "path[1] is of type `enterprise`, but the parent type of path[0] is `workspace`",
        ),
        (
            &[(EntityType::Channel, "C1"), (EntityType::Workspace, "W1")],
            archive,
            PathError::Incomplete { at: 1, missing: EntityType::Enterprise },
            "the path stops at path[1], whose parent of type `enterprise` is missing",
        ),
        (
            &[(EntityType::Enterprise, "E1"), (EntityType::Enterprise, "E2")],
            Permission::AssignRoles,
            PathError::PastRoot { at: 1 },
            "path[1] goes past path[0], which has no parent",
        ),
        (
            &[(EntityType::Enterprise, "E1")],
            archive,
            PathError::NotApplicable { permission: archive, entity: EntityType::Enterprise },
            "permission `archive_channel` is not checked against `enterprise`",
        ),
    ];
    for (path, permission, error, message) in cases {
        assert_eq!(check_access(&none, path, permission), Err(error));
        assert_eq!(error.to_string(), message);
        if !matches!(error, PathError::NotApplicable { .. }) {
            assert_eq!(permissions_on(&none, path), Err(error));
        }
    }
    // A path error is a caller's bug, reported even when an assignment would allow.
    let on_enterprise = [Assignment { role: Role::ChannelsAdmin, entity: EntityType::Enterprise, id: "E1" }];
    let incomplete = [(EntityType::Channel, "C1"), (EntityType::Workspace, "W1")];
    assert!(check_access(&on_enterprise, &incomplete, archive).is_err());
    let boxed: Box<dyn std::error::Error> = Box::new(PathError::Empty);
    assert_eq!(boxed.to_string(), "the path is empty: it starts with the entity checked");
}

fn helpers() {
    use EntityType::{Channel, Enterprise, Workspace};
    assert_eq!(Channel.ancestors(), &[Workspace, Enterprise]);
    assert_eq!(Enterprise.ancestors(), &[] as &[EntityType]);
    assert!(Channel.is_within(Enterprise) && Channel.is_within(Channel) && !Enterprise.is_within(Channel));
    assert!(Permission::ArchiveChannel.applies_to(Channel) && !Permission::ArchiveChannel.applies_to(Enterprise));
    assert_eq!(Permission::AssignRoles.group(), Some("roles"));
    assert!(!Permission::ViewRoles.is_deprecated());
    let (roles_admin, viewer) = (Role::RolesAdmin.permissions(), Role::RoleViewer.permissions());
    assert!(viewer.is_subset(roles_admin) && !roles_admin.is_subset(viewer));
    assert_eq!(roles_admin - viewer, PermissionSet::EMPTY.with(Permission::AssignRoles));
    let mut set = viewer;
    set |= Role::UsersAdmin.permissions();
    set -= viewer;
    set &= Role::UsersAdmin.permissions();
    assert_eq!(set, Role::UsersAdmin.permissions());

    // What callers store and compare: Copy with Copy ids, Hash, Ord, and owned ids too.
    let a = Assignment { role: Role::RoleViewer, entity: Workspace, id: 7u64 };
    let copied = a;
    assert_eq!(a, copied);
    let set: HashSet<Assignment<u64>> = [a, copied].into_iter().collect();
    let sorted: BTreeSet<Assignment<String>> =
        [Assignment { role: Role::RoleViewer, entity: Workspace, id: "W1".to_string() }].into_iter().collect();
    assert_eq!((set.len(), sorted.len()), (1, 1));
    const WITHIN: bool = EntityType::Channel.is_within(EntityType::Enterprise);
    const CHECKED: bool = Permission::ArchiveChannel.applies_to(EntityType::Workspace);
    assert!(WITHIN && CHECKED);
}

/// A `PolicyFacts` over what the application holds: the actor's level, assignments and the
/// channel's path; `has_permission` is `check_access` on them.
struct Actor<'a> {
    legacy: Option<LegacyRole>,
    assignments: &'a [Assignment<&'a str>],
    path: &'a [(EntityType, &'a str)],
}

impl PolicyFacts for Actor<'_> {
    fn legacy_level(&self) -> Option<LegacyRole> {
        self.legacy
    }

    fn has_permission(&self, permission: Permission) -> bool {
        // A bad path is the caller's bug: deny here, and log it in a real service.
        matches!(check_access(self.assignments, self.path, permission), Ok(Some(_)))
    }

    fn actor_created_channel(&self) -> bool {
        false
    }

    fn channel_is_general(&self) -> bool {
        false
    }

    fn members_can_invite(&self) -> bool {
        false
    }
}

fn policies_through_check_access() {
    let on_w1 = [Assignment { role: Role::ChannelsAdmin, entity: EntityType::Workspace, id: "W1" }];
    let (c1, c2) = (channel("C1", "W1"), channel("C2", "W2"));
    let member = Some(LegacyRole::Member);
    let in_w1 = Actor { legacy: member, assignments: &on_w1, path: &c1 };
    let in_w2 = Actor { legacy: member, assignments: &on_w1, path: &c2 };
    assert_eq!(Policy::ChannelArchive.evaluate(&in_w1).rule, Some(2));
    assert!(Policy::ChannelArchive.evaluate(&in_w1).allow);
    assert!(!Policy::ChannelArchive.evaluate(&in_w2).allow);
}

fn main() {
    the_seeds_cases();
    every_path_error();
    helpers();
    policies_through_check_access();
    println!("ok");
}
