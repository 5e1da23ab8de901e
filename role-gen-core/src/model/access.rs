//! Decisions on entities (SPEC section 7): may a user do P on this entity, through the roles
//! assigned to them on it or on its ancestors? This is the reference every generated
//! `check_access` is compared with, and what `role-gen test` runs for `assign` + `path` tests.
//!
//! A user holds `P` on the path's first entity when some assignment `(role, type, id)` has
//! `(type, id)` on the path, the role assignable on `type`, `P` among the role's effective
//! permissions, and `P` checked against the target's type. Anything else is deny. A path that
//! does not follow the declared parents up to a root is an error, not a deny: a caller that
//! forgot an ancestor would otherwise be denied silently where an assignment on that ancestor
//! allows.

use super::{EntityIdx, Model, PermIdx, PermSet, RoleIdx};

/// A role held on one entity instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment<Id> {
    pub role: RoleIdx,
    pub entity: EntityIdx,
    pub id: Id,
}

/// Why a path (or a permission on it) cannot be decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathError {
    /// No entity at all.
    Empty,
    /// `path[at]` is not of the type that is `path[at - 1]`'s parent.
    NotParent { at: usize, expected: EntityIdx, found: EntityIdx },
    /// `path[at]` has a parent type, yet the path ends there.
    Incomplete { at: usize, missing: EntityIdx },
    /// `path[at]` has no parent type, yet the path goes on.
    PastRoot { at: usize },
    /// The permission is not checked against the target's type.
    NotApplicable { permission: PermIdx, entity: EntityIdx },
}

impl PathError {
    /// The error in words, names resolved in `model`.
    pub fn describe(&self, model: &Model) -> String {
        let entity = |e: EntityIdx| model.entities[e].name.as_str();
        match *self {
            PathError::Empty => "the path is empty: it starts with the entity checked".into(),
            PathError::NotParent { at, expected, found } => {
                format!(
                    "path[{at}] is of type `{}`, but the parent type of path[{}] is `{}`",
                    entity(found),
                    at - 1,
                    entity(expected)
                )
            }
            PathError::Incomplete { at, missing } => {
                format!("the path stops at path[{at}], whose parent of type `{}` is missing", entity(missing))
            }
            PathError::PastRoot { at } => format!("path[{at}] goes past path[{}], which has no parent", at - 1),
            PathError::NotApplicable { permission, entity: e } => {
                format!("permission `{}` is not checked against `{}`", model.permissions[permission].name, entity(e))
            }
        }
    }
}

impl Model {
    /// The assignment that lets its holder do `permission` on `path[0]` (the first such in
    /// `assignments`), `Ok(None)` when none does.
    pub fn check_access<'a, Id: PartialEq>(
        &self,
        assignments: &'a [Assignment<Id>],
        path: &[(EntityIdx, Id)],
        permission: PermIdx,
    ) -> Result<Option<&'a Assignment<Id>>, PathError> {
        let target = self.check_path(path)?;
        if !self.permissions[permission].entities.contains(&target) {
            return Err(PathError::NotApplicable { permission, entity: target });
        }
        Ok(assignments.iter().find(|a| self.grants_on(a, path) && self.roles[a.role].effective.contains(permission)))
    }

    /// Every permission the assignments give on `path[0]`.
    pub fn permissions_on<Id: PartialEq>(
        &self,
        assignments: &[Assignment<Id>],
        path: &[(EntityIdx, Id)],
    ) -> Result<PermSet, PathError> {
        let target = self.check_path(path)?;
        let mut held = PermSet::with_capacity(self.permissions.len());
        for a in assignments.iter().filter(|a| self.grants_on(a, path)) {
            held.union_with(&self.roles[a.role].effective);
        }
        let mut out = PermSet::with_capacity(self.permissions.len());
        for p in held.iter().filter(|&p| self.permissions[p].entities.contains(&target)) {
            out.insert(p);
        }
        Ok(out)
    }

    /// Whether an assignment counts on `path`: its entity is on the path, and its role may be
    /// assigned on that entity's type (a stored row that breaks `assignable_on` grants nothing).
    fn grants_on<Id: PartialEq>(&self, a: &Assignment<Id>, path: &[(EntityIdx, Id)]) -> bool {
        self.roles[a.role].assignable_on.contains(&a.entity) && path.iter().any(|(e, id)| *e == a.entity && *id == a.id)
    }

    /// The target's type, when each entity of `path` is of its predecessor's parent type and
    /// the last one is a root.
    pub fn check_path<Id>(&self, path: &[(EntityIdx, Id)]) -> Result<EntityIdx, PathError> {
        let (&(target, _), _) = path.split_first().ok_or(PathError::Empty)?;
        for (at, pair) in path.windows(2).enumerate() {
            let (child, found) = (pair[0].0, pair[1].0);
            match self.entities[child].parent {
                None => return Err(PathError::PastRoot { at: at + 1 }),
                Some(expected) if expected != found => {
                    return Err(PathError::NotParent { at: at + 1, expected, found });
                }
                Some(_) => {}
            }
        }
        let last = path.len() - 1;
        match self.entities[path[last].0].parent {
            Some(missing) => Err(PathError::Incomplete { at: last, missing }),
            None => Ok(target),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slack() -> Model {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../definitions/slack/roles.toml");
        let text = std::fs::read_to_string(path).expect("the Slack example");
        crate::validate_text("roles.toml", &text).map(|v| v.model().clone()).expect("valid")
    }

    fn names(
        model: &Model,
    ) -> (impl Fn(&str) -> EntityIdx + '_, impl Fn(&str) -> RoleIdx + '_, impl Fn(&str) -> PermIdx + '_) {
        (
            |e: &str| model.entity(e).expect("entity"),
            |r: &str| model.role(r).expect("role"),
            |p: &str| model.permission(p).expect("permission"),
        )
    }

    #[test]
    fn the_seeds_cases() {
        let model = slack();
        let (e, r, p) = names(&model);
        let channel =
            |c: &'static str, w: &'static str| vec![(e("channel"), c), (e("workspace"), w), (e("enterprise"), "E1")];
        let on_enterprise = [Assignment { role: r("channels_admin"), entity: e("enterprise"), id: "E1" }];
        let on_w1 = [Assignment { role: r("channels_admin"), entity: e("workspace"), id: "W1" }];
        let archive = p("archive_channel");
        // On the enterprise: every workspace's channels.
        assert_eq!(model.check_access(&on_enterprise, &channel("C1", "W1"), archive), Ok(Some(&on_enterprise[0])));
        assert_eq!(model.check_access(&on_enterprise, &channel("C2", "W2"), archive), Ok(Some(&on_enterprise[0])));
        // On one workspace: only its channels.
        assert_eq!(model.check_access(&on_w1, &channel("C1", "W1"), archive), Ok(Some(&on_w1[0])));
        assert_eq!(model.check_access(&on_w1, &channel("C2", "W2"), archive), Ok(None));
        // Users Admin cannot archive.
        let users = [Assignment { role: r("users_admin"), entity: e("enterprise"), id: "E1" }];
        assert_eq!(model.check_access(&users, &channel("C1", "W1"), archive), Ok(None));
        // A role assigned where it is not assignable grants nothing.
        let misplaced = [Assignment { role: r("channels_admin"), entity: e("channel"), id: "C1" }];
        assert!(!model.roles[r("channels_admin")].assignable_on.contains(&e("channel")));
        assert_eq!(model.check_access(&misplaced, &channel("C1", "W1"), archive), Ok(None));
    }

    #[test]
    fn every_bad_path_is_an_error() {
        let model = slack();
        let (e, _, p) = names(&model);
        let none: [Assignment<&str>; 0] = [];
        let archive = p("archive_channel");
        assert_eq!(model.check_access(&none, &[], archive), Err(PathError::Empty));
        assert_eq!(
            model.check_access(&none, &[(e("channel"), "C1"), (e("enterprise"), "E1")], archive),
            Err(PathError::NotParent { at: 1, expected: e("workspace"), found: e("enterprise") })
        );
        assert_eq!(
            model.check_access(&none, &[(e("channel"), "C1"), (e("workspace"), "W1")], archive),
            Err(PathError::Incomplete { at: 1, missing: e("enterprise") })
        );
        assert_eq!(
            model.check_access(&none, &[(e("enterprise"), "E1"), (e("enterprise"), "E2")], p("assign_roles")),
            Err(PathError::PastRoot { at: 1 })
        );
        assert_eq!(
            model.check_access(&none, &[(e("enterprise"), "E1")], archive),
            Err(PathError::NotApplicable { permission: archive, entity: e("enterprise") })
        );
        assert!(model.permissions_on(&none, &[]).is_err());
    }

    #[test]
    fn permissions_on_is_what_check_access_allows() {
        let model = slack();
        let (e, _, _) = names(&model);
        let path = [(e("channel"), "C1"), (e("workspace"), "W1"), (e("enterprise"), "E1")];
        let held: Vec<Assignment<&str>> = model
            .indexed_roles()
            .flat_map(|(role, _)| path.iter().map(move |&(entity, id)| Assignment { role, entity, id }))
            .collect();
        for n in 0..held.len() {
            let some = &held[n..=n];
            let on = model.permissions_on(some, &path).expect("a valid path");
            for (perm, permission) in model.indexed_permissions() {
                let allowed = match model.check_access(some, &path, perm) {
                    Ok(decision) => decision.is_some(),
                    Err(PathError::NotApplicable { .. }) => false,
                    Err(e) => panic!("{e:?}"),
                };
                assert_eq!(on.contains(perm), allowed, "{} on {n}", permission.name);
            }
        }
    }
}
