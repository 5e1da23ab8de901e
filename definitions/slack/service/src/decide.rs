//! The answers to the three RPCs, from the store, through the generated `check_access`,
//! `permissions_on` and policy evaluators. No gRPC transport here: each function takes the
//! prost request and gives the prost response or the `Status` to send.
//!
//! What is an error and what is a deny: an unknown permission number is a deny (a client built
//! from a newer roles.toml may ask about a permission this service does not know yet: it is not
//! granted); an entity that does not exist, a type that is not the stored one, a permission not
//! checked against the entity's type, or a path that is not the stored hierarchy is the
//! caller's bug, answered as an error rather than a deny that would hide it. A stored hierarchy
//! that does not follow roles.toml's parents is the store's fault (`FAILED_PRECONDITION`).

use tonic::Status;

use crate::roles::proto;
use crate::roles::{
    Assignment, EntityType, LegacyRole, PathError, Permission, PermissionSet, Policy, PolicyFacts, check_access,
    permissions_on,
};
use crate::store::{EntityFacts, EntityPath, Store, StoreError};

/// The longest id (team, user, entity) accepted, in bytes.
pub const MAX_ID_BYTES: usize = 256;
/// The most permissions one `CheckPermissions` may ask about.
pub const MAX_PERMISSIONS: usize = 1024;

/// Where a decision's audit line goes (`None`: nowhere).
pub type Audit<'a> = Option<&'a (dyn Fn(String) + Sync)>;

impl From<StoreError> for Status {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NoEntity { .. } | StoreError::NoUser { .. } => Status::not_found(e.to_string()),
            StoreError::Refused(_) => Status::invalid_argument(e.to_string()),
            StoreError::Unknown { .. } => Status::failed_precondition(e.to_string()),
            StoreError::Sqlite(_) => Status::internal(e.to_string()),
        }
    }
}

/// A request's id `field`: present, and bounded.
fn id<'r>(field: &str, value: &'r str) -> Result<&'r str, Status> {
    if value.is_empty() {
        return Err(Status::invalid_argument(format!("{field} is empty")));
    }
    if value.len() > MAX_ID_BYTES {
        return Err(Status::invalid_argument(format!("{field} is longer than {MAX_ID_BYTES} bytes")));
    }
    Ok(value)
}

fn entity_type(number: i32) -> Result<EntityType, Status> {
    EntityType::try_from(number).map_err(|e| Status::invalid_argument(e.to_string()))
}

/// The stored path of entity `id`, which must be of type `expected`.
fn stored_path(store: &Store, team: &str, id: &str, expected: EntityType) -> Result<EntityPath, Status> {
    let path = store.path(team, id)?;
    match path.first() {
        Some((found, _)) if *found != expected => {
            Err(Status::invalid_argument(format!("entity {id:?} is of type `{found}`, not `{expected}`")))
        }
        _ => Ok(path),
    }
}

/// Everything `user` holds on `path`; an error when the stored hierarchy breaks roles.toml's.
fn held(assignments: &[Assignment<String>], path: &[(EntityType, String)]) -> Result<PermissionSet, Status> {
    permissions_on(assignments, path).map_err(|e| hierarchy(path, e))
}

fn hierarchy(path: &[(EntityType, String)], e: PathError) -> Status {
    let id = path.first().map_or("", |(_, id)| id.as_str());
    Status::failed_precondition(format!("the stored hierarchy of entity {id:?} is invalid: {e}"))
}

/// One audit line: who, what, where, the answer and the assignment that decided.
fn audit_line(user: &str, what: &str, path: &[(EntityType, String)], by: Option<&Assignment<String>>) -> String {
    let (entity, id) = path.first().map_or((String::new(), ""), |(t, id)| (t.to_string(), id.as_str()));
    let answer = match by {
        Some(a) => format!("allow by {} on {} {:?}", a.role, a.entity, a.id),
        None => "deny".to_string(),
    };
    format!("user {user:?} {what} on {entity} {id:?}: {answer}")
}

/// `CheckPermissions`: one decision per asked permission, in the asked order.
pub fn check_permissions(
    store: &Store,
    request: &proto::CheckPermissionsRequest,
    audit: Audit<'_>,
) -> Result<proto::CheckPermissionsResponse, Status> {
    let team = id("team_id", &request.team_id)?;
    let user = id("user_id", &request.user_id)?;
    let entity_id = id("entity_id", &request.entity_id)?;
    if request.permissions.len() > MAX_PERMISSIONS {
        return Err(Status::invalid_argument(format!("more than {MAX_PERMISSIONS} permissions")));
    }
    let path = stored_path(store, team, entity_id, entity_type(request.entity_type)?)?;
    let assignments = store.assignments_on(team, user, &path)?;
    held(&assignments, &path)?;
    let mut decisions = Vec::with_capacity(request.permissions.len());
    // Printed once every permission is decided: a request that fails decided nothing.
    let mut lines = Vec::new();
    for &number in &request.permissions {
        let by = match Permission::try_from(number) {
            Ok(permission) => {
                let by = check_access(&assignments, &path, permission)
                    .map_err(|e| Status::invalid_argument(e.to_string()))?;
                lines.push(audit_line(user, permission.as_str(), &path, by));
                by
            }
            Err(_) => None,
        };
        let decision = if by.is_some() { proto::Decision::Allow } else { proto::Decision::Deny };
        decisions.push(proto::PermissionDecision { permission: number, decision: decision as i32 });
    }
    if let Some(audit) = audit {
        lines.into_iter().for_each(audit);
    }
    Ok(proto::CheckPermissionsResponse { decisions })
}

/// `ListPermissions`: every permission held on the path's first entity, in id order. The
/// path may be the target alone (the store supplies its ancestors) or the whole path, which
/// must then be the stored one.
pub fn list_permissions(
    store: &Store,
    request: &proto::ListPermissionsRequest,
) -> Result<proto::ListPermissionsResponse, Status> {
    let team = id("team_id", &request.team_id)?;
    let user = id("user_id", &request.user_id)?;
    let Some(target) = request.path.first() else {
        return Err(Status::invalid_argument(PathError::Empty.to_string()));
    };
    let path = stored_path(store, team, id("path[0].entity_id", &target.entity_id)?, entity_type(target.entity_type)?)?;
    if request.path.len() > 1 {
        same_path(&request.path, &path)?;
    }
    let assignments = store.assignments_on(team, user, &path)?;
    let permissions = held(&assignments, &path)?.iter().map(|p| proto::Permission::from(p) as i32).collect();
    Ok(proto::ListPermissionsResponse { permissions })
}

/// Whether the caller's `asked` path is the `stored` one.
fn same_path(asked: &[proto::EntityRef], stored: &[(EntityType, String)]) -> Result<(), Status> {
    for (at, entity) in asked.iter().enumerate() {
        let asked = (entity_type(entity.entity_type)?, entity.entity_id.as_str());
        match stored.get(at) {
            Some((t, id)) if (*t, id.as_str()) == asked => {}
            Some((t, id)) => {
                return Err(Status::invalid_argument(format!(
                    "path[{at}] is {} {:?}, but the stored path has {t} {id:?} there",
                    asked.0, asked.1
                )));
            }
            None => return Err(Status::invalid_argument(format!("path[{at}] goes past the stored root"))),
        }
    }
    if asked.len() < stored.len() {
        let (t, id) = &stored[asked.len()];
        return Err(Status::invalid_argument(format!(
            "the path stops before {t} {id:?}: give all of it, or path[0] alone"
        )));
    }
    Ok(())
}

/// The facts a policy asks about, from the store: `has_permission` goes through the
/// generated `check_access` on the stored path.
struct StoredFacts<'a> {
    legacy: LegacyRole,
    user: &'a str,
    assignments: &'a [Assignment<String>],
    path: &'a [(EntityType, String)],
    entity: EntityFacts,
    audit: Audit<'a>,
}

impl PolicyFacts for StoredFacts<'_> {
    fn legacy_level(&self) -> Option<LegacyRole> {
        Some(self.legacy)
    }

    fn has_permission(&self, permission: Permission) -> bool {
        // The path is checked and the policy's entity is its target's type, so an error is a
        // permission the policy checks on another type: not held here.
        let by = check_access(self.assignments, self.path, permission).ok().flatten();
        if let Some(audit) = self.audit {
            audit(audit_line(self.user, permission.as_str(), self.path, by));
        }
        by.is_some()
    }

    fn actor_created_channel(&self) -> bool {
        self.entity.created_by.as_deref() == Some(self.user)
    }

    fn channel_is_general(&self) -> bool {
        self.entity.is_general
    }

    fn members_can_invite(&self) -> bool {
        self.entity.members_can_invite
    }
}

/// `CheckPolicy`: the policy's decision on the entity and the rule that gave it.
pub fn check_policy(
    store: &Store,
    request: &proto::CheckPolicyRequest,
    audit: Audit<'_>,
) -> Result<proto::CheckPolicyResponse, Status> {
    let team = id("team_id", &request.team_id)?;
    let user = id("user_id", &request.user_id)?;
    let entity_id = id("entity_id", &request.entity_id)?;
    let policy = Policy::try_from(request.policy).map_err(|e| Status::invalid_argument(e.to_string()))?;
    let path = stored_path(store, team, entity_id, policy.entity())?;
    let assignments = store.assignments_on(team, user, &path)?;
    held(&assignments, &path)?;
    let legacy = store.legacy_level(team, user)?;
    let facts = StoredFacts {
        legacy,
        user,
        assignments: &assignments,
        path: &path,
        entity: store.facts(team, entity_id)?,
        audit,
    };
    let decision = policy.evaluate(&facts);
    if let Some(audit) = audit {
        audit(format!("user {user:?} on {} {entity_id:?}: {decision}", policy.entity()));
    }
    let answer = if decision.allow { proto::Decision::Allow } else { proto::Decision::Deny };
    Ok(proto::CheckPolicyResponse {
        decision: Some(proto::PolicyDecision {
            policy: request.policy,
            decision: answer as i32,
            rule_index: decision.rule.and_then(|i| u32::try_from(i).ok()),
            rule_name: decision.rule_name.to_string(),
        }),
    })
}
