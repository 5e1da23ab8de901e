//! The demo data (`slack-service` without `--db`, or with `--demo`): one Enterprise Grid
//! organization with two workspaces, and users placed as the seed article's cases need. Then
//! the cases themselves, as questions with the answers the article gives, which
//! `slack-client demo` asks a running service and the tests ask the server.

use crate::roles::{EntityType, LegacyRole, Permission, Policy, Role};
use crate::store::{NewEntity, Store, StoreError};

/// The demo's team (tenant) id.
pub const TEAM: &str = "T0ACME";

/// The organization, its workspaces and channels: (type, id, parent, creator, is #general,
/// members may invite).
type Row = (EntityType, &'static str, Option<&'static str>, Option<&'static str>, bool, bool);

const ENTITIES: [Row; 7] = [
    (EntityType::Enterprise, "E0ACME", None, None, false, false),
    (EntityType::Workspace, "W0ENG", Some("E0ACME"), None, false, false),
    (EntityType::Workspace, "W0MKT", Some("E0ACME"), None, false, true),
    (EntityType::Channel, "C0ENG", Some("W0ENG"), Some("grace"), false, false),
    (EntityType::Channel, "C0ENGGEN", Some("W0ENG"), None, true, false),
    (EntityType::Channel, "C0MKT", Some("W0MKT"), None, false, false),
    (EntityType::Channel, "C0MKTGEN", Some("W0MKT"), None, true, false),
];

/// A user: id, legacy level, and the roles held, each on an entity.
type User = (&'static str, LegacyRole, &'static [(Role, &'static str)]);

/// The users.
const USERS: [User; 7] = [
    // Channels Admin for the whole organization: every workspace's channels.
    ("alice", LegacyRole::Member, &[(Role::ChannelsAdmin, "E0ACME")]),
    // Channels Admin on one workspace: only that workspace's channels.
    ("bob", LegacyRole::Member, &[(Role::ChannelsAdmin, "W0ENG")]),
    // Users Admin: manages people, cannot archive.
    ("carol", LegacyRole::Member, &[(Role::UsersAdmin, "E0ACME")]),
    // Channels Admin assigned on a channel, where it is not assignable (see `INVALID_ROW`).
    ("dave", LegacyRole::Member, &[]),
    // A guest granted Channels Admin: the permission is held, the policy still denies.
    ("erin", LegacyRole::Guest, &[(Role::ChannelsAdmin, "E0ACME")]),
    // A legacy admin with no role: the policies' legacy rule allows.
    ("frank", LegacyRole::Admin, &[]),
    // A member with no role who created #eng-project.
    ("grace", LegacyRole::Member, &[]),
];

/// A row `Store::assign` refuses (channels_admin is assignable on enterprises and workspaces),
/// written with SQL as an import or an old admin tool might have: it must grant nothing.
const INVALID_ROW: (&str, Role, &str) = ("dave", Role::ChannelsAdmin, "C0MKT");

/// Writes the demo rows into `store` (which must not hold the demo team yet).
pub fn seed(store: &Store) -> Result<(), StoreError> {
    for (entity, id, parent, created_by, is_general, members_can_invite) in ENTITIES {
        let new = NewEntity { created_by, is_general, members_can_invite, ..NewEntity::new(entity, id, parent) };
        store.add_entity(TEAM, &new)?;
    }
    for (user, level, roles) in USERS {
        store.add_user(TEAM, user, level)?;
        for &(role, entity) in roles {
            store.assign(TEAM, user, role, entity)?;
        }
    }
    let (user, role, entity) = INVALID_ROW;
    let sql = "INSERT INTO role_assignments (team_id, user_id, role, entity_id) VALUES (?1, ?2, ?3, ?4)";
    store.connection().execute(sql, rusqlite::params![TEAM, user, role.id(), entity])?;
    Ok(())
}

/// What a case asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    /// `CheckPermissions` for one permission.
    Permission(Permission),
    /// `CheckPolicy`.
    Policy(Policy),
}

/// One of the seed article's cases: who asks what on which entity, and the answer.
#[derive(Debug, Clone, Copy)]
pub struct Case {
    pub says: &'static str,
    pub user: &'static str,
    pub entity: EntityType,
    pub id: &'static str,
    pub question: Question,
    pub allow: bool,
}

const fn case(
    says: &'static str,
    user: &'static str,
    (entity, id): (EntityType, &'static str),
    question: Question,
    allow: bool,
) -> Case {
    Case { says, user, entity, id, question, allow }
}

const ENG: (EntityType, &str) = (EntityType::Channel, "C0ENG");
const MKT: (EntityType, &str) = (EntityType::Channel, "C0MKT");
const ARCHIVE: Question = Question::Permission(Permission::ArchiveChannel);
const ARCHIVE_POLICY: Question = Question::Policy(Policy::ChannelArchive);

/// The cases, in the order `slack-client demo` prints them.
pub const CASES: [Case; 13] = [
    case("Channels Admin on the enterprise archives in one workspace", "alice", ENG, ARCHIVE, true),
    case("... and in every other", "alice", MKT, ARCHIVE, true),
    case("Channels Admin on one workspace archives its channels", "bob", ENG, ARCHIVE, true),
    case("... and not another workspace's", "bob", MKT, ARCHIVE, false),
    case("Users Admin cannot archive", "carol", ENG, ARCHIVE, false),
    case(
        "Users Admin adds users to a workspace",
        "carol",
        (EntityType::Workspace, "W0MKT"),
        Question::Permission(Permission::AddUserToWorkspace),
        true,
    ),
    case("a role assigned where it is not assignable grants nothing", "dave", MKT, ARCHIVE, false),
    case("a guest holds the permission", "erin", MKT, ARCHIVE, true),
    case("... but the policy denies a guest even when granted", "erin", MKT, ARCHIVE_POLICY, false),
    case("a member holding channels_admin is allowed by the policy", "alice", MKT, ARCHIVE_POLICY, true),
    case("a legacy admin is allowed by the policy without any role", "frank", MKT, ARCHIVE_POLICY, true),
    case("a plain member is denied", "grace", MKT, ARCHIVE_POLICY, false),
    case("... unless they created the channel", "grace", ENG, ARCHIVE_POLICY, true),
];
