//! Where the service reads what it decides from: entities (id, type, parent) and role
//! assignments, in SQLite.
//!
//! roles.toml knows entity *types*; this store knows the *instances*. Every row is scoped by a
//! team (the tenant): one team's ids never match another's. Entity types and roles are stored
//! by their ids in roles.toml (their protobuf numbers), which never change and are never
//! reused, so renaming a role in roles.toml leaves the rows meaning what they meant; legacy
//! levels have no ids and are stored by name.
//!
//! A request's path (the target entity, then each ancestor up to a root) is built here from
//! the `parent_id` column, never taken from the caller: a caller that could say "this channel is
//! in the workspace where I am admin" could grant itself anything.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use crate::roles::{Assignment, EntityType, LegacyRole, Role};

/// The schema, created when missing. `STRICT` tables: SQLite refuses a text where an id goes.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS entities (
    team_id            TEXT NOT NULL,
    entity_id          TEXT NOT NULL,
    entity_type        INTEGER NOT NULL,          -- the entity type's id in roles.toml
    parent_id          TEXT,                      -- NULL for a root (an enterprise)
    created_by         TEXT,                      -- a channel's creator (actor_created_channel)
    is_general         INTEGER NOT NULL DEFAULT 0,  -- the workspace's #general channel
    members_can_invite INTEGER NOT NULL DEFAULT 0,  -- a workspace's preference
    PRIMARY KEY (team_id, entity_id),
    FOREIGN KEY (team_id, parent_id) REFERENCES entities (team_id, entity_id)
) STRICT;
CREATE TABLE IF NOT EXISTS role_assignments (
    team_id   TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    role      INTEGER NOT NULL,                   -- the role's id in roles.toml
    entity_id TEXT NOT NULL,                      -- its type is the entity's
    PRIMARY KEY (team_id, user_id, role, entity_id),
    FOREIGN KEY (team_id, entity_id) REFERENCES entities (team_id, entity_id)
) STRICT;
CREATE TABLE IF NOT EXISTS users (
    team_id      TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    legacy_level TEXT NOT NULL,                   -- the level's name in roles.toml
    PRIMARY KEY (team_id, user_id)
) STRICT;
";

/// Why the store cannot answer, or refuses a write.
#[derive(Debug)]
pub enum StoreError {
    /// SQLite failed (I/O, a corrupt file, a constraint).
    Sqlite(rusqlite::Error),
    /// No entity `id` in `team`.
    NoEntity { team: String, id: String },
    /// No user `id` in `team`.
    NoUser { team: String, id: String },
    /// A stored value that roles.toml does not define (a removed entity type or legacy level).
    Unknown { what: &'static str, value: String },
    /// A write that would break the declared hierarchy or `assignable_on`.
    Refused(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Sqlite(e) => write!(f, "sqlite: {e}"),
            StoreError::NoEntity { team, id } => write!(f, "no entity {id:?} in team {team:?}"),
            StoreError::NoUser { team, id } => write!(f, "no user {id:?} in team {team:?}"),
            StoreError::Unknown { what, value } => {
                write!(f, "the store holds {what} {value}, which roles.toml does not define")
            }
            StoreError::Refused(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::Sqlite(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sqlite(e)
    }
}

/// A path as the generated `check_access` takes it: the target, then each ancestor.
pub type EntityPath = Vec<(EntityType, String)>;

/// An entity to add: its id, type and parent, and the facts the policies ask about it.
#[derive(Debug, Clone, Copy)]
pub struct NewEntity<'a> {
    pub id: &'a str,
    pub entity: EntityType,
    /// The parent's id; `None` for a root. Its type must be `entity`'s declared parent.
    pub parent: Option<&'a str>,
    /// A channel's creator.
    pub created_by: Option<&'a str>,
    /// Whether a channel is its workspace's #general.
    pub is_general: bool,
    /// Whether a workspace lets members invite people.
    pub members_can_invite: bool,
}

impl<'a> NewEntity<'a> {
    /// An entity with no facts set.
    pub fn new(entity: EntityType, id: &'a str, parent: Option<&'a str>) -> Self {
        NewEntity { id, entity, parent, created_by: None, is_general: false, members_can_invite: false }
    }
}

/// What the policies ask about one entity, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntityFacts {
    pub created_by: Option<String>,
    pub is_general: bool,
    pub members_can_invite: bool,
}

/// One SQLite database of entities, assignments and users.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (or creates) the database at `path`, creating the tables it lacks.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::with(Connection::open(path)?)
    }

    /// A database in memory: gone when the store is dropped.
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::with(Connection::open_in_memory()?)
    }

    fn with(conn: Connection) -> Result<Self, StoreError> {
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.execute_batch(SCHEMA)?;
        Ok(Store { conn })
    }

    /// The connection, for what this API does not cover (migrations, imports, the tests'
    /// hand-written rows). Rows written here skip the checks of [`Store::add_entity`] and
    /// [`Store::assign`]; the decisions stay safe regardless (see [`Store::assignments_on`]).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Whether `team` has any entity.
    pub fn has_team(&self, team: &str) -> Result<bool, StoreError> {
        let sql = "SELECT 1 FROM entities WHERE team_id = ?1 LIMIT 1";
        Ok(self.conn.prepare_cached(sql)?.query_row([team], |_| Ok(())).optional()?.is_some())
    }

    /// Adds an entity under its parent, whose type must be the declared parent of its type
    /// (a root type takes no parent).
    pub fn add_entity(&self, team: &str, new: &NewEntity<'_>) -> Result<(), StoreError> {
        let parent_type = match new.parent {
            Some(parent) => Some(self.entity_type(team, parent)?),
            None => None,
        };
        if parent_type != new.entity.parent() {
            let found = parent_type.map_or_else(|| "none".to_string(), |p| format!("`{p}`"));
            let (id, entity) = (new.id, new.entity);
            return Err(StoreError::Refused(match entity.parent() {
                Some(parent) => {
                    format!("entity {id:?} of type `{entity}` needs a parent of type `{parent}`, not {found}")
                }
                None => format!("entity {id:?} of type `{entity}` is a root: it takes no parent, not {found}"),
            }));
        }
        let sql = "INSERT INTO entities (team_id, entity_id, entity_type, parent_id, created_by, is_general, \
                   members_can_invite) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
        self.conn.prepare_cached(sql)?.execute(params![
            team,
            new.id,
            new.entity.id(),
            new.parent,
            new.created_by,
            new.is_general,
            new.members_can_invite
        ])?;
        Ok(())
    }

    /// Gives `user` the `role` on entity `entity_id`, if the role is assignable on its type.
    pub fn assign(&self, team: &str, user: &str, role: Role, entity_id: &str) -> Result<(), StoreError> {
        let entity = self.entity_type(team, entity_id)?;
        if !role.assignable_to(entity) {
            return Err(StoreError::Refused(format!("role `{role}` is not assignable on a `{entity}`")));
        }
        let sql = "INSERT INTO role_assignments (team_id, user_id, role, entity_id) VALUES (?1, ?2, ?3, ?4)";
        self.conn.prepare_cached(sql)?.execute(params![team, user, role.id(), entity_id])?;
        Ok(())
    }

    /// Adds a user at a legacy level.
    pub fn add_user(&self, team: &str, user: &str, level: LegacyRole) -> Result<(), StoreError> {
        let sql = "INSERT INTO users (team_id, user_id, legacy_level) VALUES (?1, ?2, ?3)";
        self.conn.prepare_cached(sql)?.execute(params![team, user, level.as_str()])?;
        Ok(())
    }

    /// The stored type of entity `id`.
    pub fn entity_type(&self, team: &str, id: &str) -> Result<EntityType, StoreError> {
        let sql = "SELECT entity_type FROM entities WHERE team_id = ?1 AND entity_id = ?2";
        let number: Option<i64> = self.conn.prepare_cached(sql)?.query_row([team, id], |row| row.get(0)).optional()?;
        let number = number.ok_or_else(|| StoreError::NoEntity { team: team.into(), id: id.into() })?;
        entity_type(number)
    }

    /// Entity `id`, then each ancestor up to a root, from the stored parents. At most one
    /// entity more than roles.toml has types: a longer chain (a cycle, a corrupt row) is cut
    /// there, and `check_access` then rejects the path.
    pub fn path(&self, team: &str, id: &str) -> Result<EntityPath, StoreError> {
        let sql = "WITH RECURSIVE up (entity_id, entity_type, parent_id, depth) AS (
                       SELECT entity_id, entity_type, parent_id, 0 FROM entities
                       WHERE team_id = ?1 AND entity_id = ?2
                       UNION ALL
                       SELECT e.entity_id, e.entity_type, e.parent_id, up.depth + 1
                       FROM entities e JOIN up ON e.team_id = ?1 AND e.entity_id = up.parent_id
                       WHERE up.depth < ?3
                   )
                   SELECT entity_type, entity_id FROM up ORDER BY depth";
        let max_depth = EntityType::ALL.len() as i64;
        let mut statement = self.conn.prepare_cached(sql)?;
        let rows = statement.query_map(params![team, id, max_depth], |row| Ok((row.get(0)?, row.get(1)?)))?;
        let mut path = EntityPath::new();
        for row in rows {
            let (number, id): (i64, String) = row?;
            path.push((entity_type(number)?, id));
        }
        if path.is_empty() {
            return Err(StoreError::NoEntity { team: team.into(), id: id.into() });
        }
        Ok(path)
    }

    /// `user`'s assignments on the entities of `path`, in the path's order (the target's
    /// first), each with its entity's stored type. A row whose role id roles.toml does not
    /// define (a removed role: its id stays reserved) is skipped: it grants nothing. A row on a
    /// type its role is not assignable on is returned as it is: `check_access` gives it
    /// nothing, so an invalid stored row never widens access.
    pub fn assignments_on(
        &self,
        team: &str,
        user: &str,
        path: &[(EntityType, String)],
    ) -> Result<Vec<Assignment<String>>, StoreError> {
        let sql = "SELECT role FROM role_assignments WHERE team_id = ?1 AND user_id = ?2 AND entity_id = ?3 \
                   ORDER BY role";
        let mut statement = self.conn.prepare_cached(sql)?;
        let mut assignments = Vec::new();
        for (entity, id) in path {
            let roles = statement.query_map(params![team, user, id], |row| row.get::<_, i64>(0))?;
            for number in roles {
                let role = u32::try_from(number?).ok().and_then(Role::from_id);
                if let Some(role) = role {
                    assignments.push(Assignment { role, entity: *entity, id: id.clone() });
                }
            }
        }
        Ok(assignments)
    }

    /// `user`'s legacy level.
    pub fn legacy_level(&self, team: &str, user: &str) -> Result<LegacyRole, StoreError> {
        let sql = "SELECT legacy_level FROM users WHERE team_id = ?1 AND user_id = ?2";
        let name: Option<String> =
            self.conn.prepare_cached(sql)?.query_row([team, user], |row| row.get(0)).optional()?;
        let name = name.ok_or_else(|| StoreError::NoUser { team: team.into(), id: user.into() })?;
        name.parse().map_err(|_| StoreError::Unknown { what: "legacy level", value: format!("{name:?}") })
    }

    /// The policy facts stored on entity `id`.
    pub fn facts(&self, team: &str, id: &str) -> Result<EntityFacts, StoreError> {
        let sql =
            "SELECT created_by, is_general, members_can_invite FROM entities WHERE team_id = ?1 AND entity_id = ?2";
        let facts = self
            .conn
            .prepare_cached(sql)?
            .query_row([team, id], |row| {
                Ok(EntityFacts { created_by: row.get(0)?, is_general: row.get(1)?, members_can_invite: row.get(2)? })
            })
            .optional()?;
        facts.ok_or_else(|| StoreError::NoEntity { team: team.into(), id: id.into() })
    }
}

/// The entity type stored as `number`.
fn entity_type(number: i64) -> Result<EntityType, StoreError> {
    u32::try_from(number)
        .ok()
        .and_then(EntityType::from_id)
        .ok_or(StoreError::Unknown { what: "entity type id", value: number.to_string() })
}
