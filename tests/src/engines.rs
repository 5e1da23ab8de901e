//! The differential scenarios every engine target (SPEC section 8: SQL, Cedar, OpenFGA,
//! SpiceDB) is judged on, and what role-gen's own model answers for each: the oracle.
//!
//! A [`Scenario`] is a small world an engine can load:
//! - a [`Forest`] of entity *instances*: two of each root type, two children of each child type
//!   under every instance of its parent, bounded by [`MAX_NODES`]; ids are `i0`, `i1`, … per
//!   type, so two instances of different types share an id (an engine must key an entity by
//!   type *and* id);
//! - [`User`]s, each with its own assignments: nobody (no assignment); every role placed on
//!   every node in turn (including nodes of types the role is not assignable on: such a row
//!   grants nothing, and an engine that cannot store it must simply not store it); and every
//!   pair of roles placed on a few seeded pairs of nodes;
//! - [`Check`]s: every user × every node × every permission checked against that node's type,
//!   with the answer of `Model::check_access` on the node's path;
//! - [`PolicyCheck`]s: per policy, every node of its entity type × a sample of users × every
//!   legacy level and none × every value of the policy's predicates, with the decision and the
//!   deciding rule of `Policy::evaluate` on the facts `Model::permissions_on` gives there.
//!
//! [`mutated`] drops one grant from a roles.toml through role-gen's own edit (`revoke`), chosen
//! so that some check's answer changes: a harness run on the mutated model's output against
//! the original's expectations must fail, which is how a target's test proves it can fail.

use std::path::Path;

use role_gen::model::{Assignment, Decision, EntityIdx, Facts, LevelIdx, Model, PermIdx, PermSet, RoleIdx};

use crate::synthetic::Rng;

/// The most entity instances a forest holds.
pub const MAX_NODES: usize = 40;
/// How many seeded node pairs each pair of roles is placed on.
const PAIR_PLACEMENTS: usize = 3;
/// How many users (besides nobody and one holder of each role at each root) a policy's
/// checks sample.
const POLICY_USERS: usize = 12;

/// One entity instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub entity: EntityIdx,
    /// Unique within its type: `i0`, `i1`, …
    pub id: String,
    /// Index of its parent instance in [`Forest::nodes`].
    pub parent: Option<usize>,
}

/// Entity instances, parents before children.
#[derive(Debug, Clone, Default)]
pub struct Forest {
    pub nodes: Vec<Node>,
}

impl Forest {
    /// Two instances of each root type, two children of each child type under every instance
    /// of its parent, breadth first, until [`MAX_NODES`].
    pub fn of(model: &Model) -> Forest {
        let mut forest = Forest::default();
        let mut counters = vec![0usize; model.entities().len()];
        let roots: Vec<EntityIdx> = entity_indices(model).filter(|&e| model.entities()[e].parent.is_none()).collect();
        for e in roots {
            forest.add(e, None, &mut counters);
            forest.add(e, None, &mut counters);
        }
        let mut next = 0;
        while next < forest.nodes.len() {
            let parent = forest.nodes[next].entity;
            for child in entity_indices(model).filter(|&c| model.entities()[c].parent == Some(parent)) {
                forest.add(child, Some(next), &mut counters);
                forest.add(child, Some(next), &mut counters);
            }
            next += 1;
        }
        forest
    }

    fn add(&mut self, entity: EntityIdx, parent: Option<usize>, counters: &mut [usize]) {
        if self.nodes.len() < MAX_NODES {
            let id = format!("i{}", counters[entity.get()]);
            counters[entity.get()] += 1;
            self.nodes.push(Node { entity, id, parent });
        }
    }

    /// The path of node `node`: it, then each ancestor up to its root.
    pub fn path(&self, node: usize) -> Vec<(EntityIdx, String)> {
        let mut path = Vec::new();
        let mut at = Some(node);
        while let Some(n) = at {
            path.push((self.nodes[n].entity, self.nodes[n].id.clone()));
            at = self.nodes[n].parent;
        }
        path
    }
}

/// A subject and the roles it holds where.
#[derive(Debug, Clone)]
pub struct User {
    /// `u0`, `u1`, … (`u0` holds nothing).
    pub id: String,
    pub assignments: Vec<Assignment<String>>,
}

/// "May `user` do `permission` on `node`?", and the model's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub user: usize,
    pub node: usize,
    pub permission: PermIdx,
    pub allow: bool,
}

/// "What does policy `policy` decide for `user` on `node`, with this legacy level and these
/// predicate values?", and the model's answer.
#[derive(Debug, Clone)]
pub struct PolicyCheck {
    /// Index into `Model::policies`.
    pub policy: usize,
    pub user: usize,
    pub node: usize,
    pub legacy: Option<LevelIdx>,
    /// The policy's own predicates (`Policy::predicates` order) and their values.
    pub predicates: Vec<(String, bool)>,
    /// What `Policy::evaluate` decides, with the rule that fired (`None`: default deny).
    pub expected: Decision,
}

/// A world to load into an engine, and every question to ask it.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub forest: Forest,
    pub users: Vec<User>,
    pub checks: Vec<Check>,
    pub policy_checks: Vec<PolicyCheck>,
}

impl Scenario {
    /// The scenario of `model` (deterministic: the same model gives the same scenario).
    pub fn of(model: &Model) -> Scenario {
        Scenario::bounded(model, usize::MAX)
    }

    /// Every assignment of every user, with the user's index: the rows or tuples to store.
    pub fn assignments(&self) -> impl Iterator<Item = (usize, &Assignment<String>)> {
        self.users.iter().enumerate().flat_map(|(u, user)| user.assignments.iter().map(move |a| (u, a)))
    }
}

fn entity_indices(model: &Model) -> impl Iterator<Item = EntityIdx> {
    (0..model.entities().len()).map(EntityIdx::new)
}

fn role_indices(model: &Model) -> impl Iterator<Item = RoleIdx> {
    (0..model.roles().len()).map(RoleIdx::new)
}

fn placed(role: RoleIdx, node: &Node) -> Assignment<String> {
    Assignment { role, entity: node.entity, id: node.id.clone() }
}

/// Nobody, every role on every node, and every pair of roles on seeded pairs of nodes.
fn users(model: &Model, forest: &Forest) -> Vec<User> {
    let mut sets: Vec<Vec<Assignment<String>>> = vec![Vec::new()];
    for role in role_indices(model) {
        sets.extend(forest.nodes.iter().map(|n| vec![placed(role, n)]));
    }
    let mut rng = Rng::new(0x05ee_d0fe_61e5);
    let n = forest.nodes.len();
    for a in role_indices(model) {
        for b in role_indices(model).filter(|b| b.get() > a.get()) {
            for _ in 0..PAIR_PLACEMENTS.min(n) {
                let (x, y) = (rng.range(0, n - 1), rng.range(0, n - 1));
                sets.push(vec![placed(a, &forest.nodes[x]), placed(b, &forest.nodes[y])]);
            }
        }
    }
    sets.into_iter().enumerate().map(|(i, assignments)| User { id: format!("u{i}"), assignments }).collect()
}

/// Every user × node × permission checked against the node's type.
fn checks(model: &Model, forest: &Forest, users: &[User]) -> Vec<Check> {
    let mut out = Vec::new();
    for (node, n) in forest.nodes.iter().enumerate() {
        let path = forest.path(node);
        let applicable = applicable(model, n.entity);
        for (user, u) in users.iter().enumerate() {
            for &permission in &applicable {
                let allow = matches!(model.check_access(&u.assignments, &path, permission), Ok(Some(_)));
                out.push(Check { user, node, permission, allow });
            }
        }
    }
    out
}

/// The users a policy's checks ask about: nobody, each role's holders on the root of every
/// tree (so every role reaches every node below), and a seeded sample of the rest.
fn policy_users(forest: &Forest, users: &[User]) -> Vec<usize> {
    let roots: Vec<&Node> = forest.nodes.iter().filter(|n| n.parent.is_none()).collect();
    let at_root = |u: &User| {
        u.assignments.len() == 1 && roots.iter().any(|r| placed(u.assignments[0].role, r) == u.assignments[0])
    };
    let mut chosen: Vec<usize> = (0..users.len()).filter(|&u| u == 0 || at_root(&users[u])).collect();
    let mut rng = Rng::new(0x000f_ac75);
    for _ in 0..POLICY_USERS.min(users.len()) {
        let u = rng.range(0, users.len() - 1);
        if !chosen.contains(&u) {
            chosen.push(u);
        }
    }
    chosen
}

/// Per policy: every node of its type × the sampled users × every legacy level and none ×
/// every value of its predicates.
fn policy_checks(model: &Model, forest: &Forest, users: &[User]) -> Vec<PolicyCheck> {
    let levels: Vec<Option<LevelIdx>> =
        std::iter::once(None).chain((0..model.legacy_levels().len()).map(|l| Some(LevelIdx::new(l)))).collect();
    let sampled = policy_users(forest, users);
    let mut out = Vec::new();
    for (p, policy) in model.policies().iter().enumerate() {
        let names = policy.predicates();
        let nodes = forest.nodes.iter().enumerate().filter(|(_, n)| n.entity == policy.entity);
        for (node, _) in nodes {
            let path = forest.path(node);
            for &user in &sampled {
                let held =
                    model.permissions_on(&users[user].assignments, &path).unwrap_or_else(|_| PermSet::with_capacity(0));
                for &legacy in &levels {
                    for bits in 0..1u32 << names.len() {
                        let predicates: Vec<(String, bool)> =
                            names.iter().enumerate().map(|(i, n)| (n.to_string(), bits & (1 << i) != 0)).collect();
                        let lookup = |name: &str| predicates.iter().any(|(n, v)| n == name && *v);
                        let expected = policy.evaluate(&Facts { legacy, permissions: &held, predicate: &lookup });
                        out.push(PolicyCheck { policy: p, user, node, legacy, predicates, expected });
                    }
                }
            }
        }
    }
    out
}

/// How many permissions of a kind (granted by the user's roles or not) a sampled check set
/// asks on a node where not all of them are asked (see [`Scenario::bounded`]).
const DENY_SAMPLE: usize = 3;

impl Scenario {
    /// [`Scenario::of`] when it asks at most `budget` questions (checks and policy checks);
    /// else a sample for an engine too slow to be asked them all within a test (the hostile
    /// definition's scenario holds 8 million checks; Cedar answers one in a few hundred
    /// microseconds there). The sample keeps the forest and the users, and asks:
    /// - nobody: every permission on the first node of each entity type (every action on every
    ///   type it is checked against, once);
    /// - each role placed on the first node of each entity type (every role × type of
    ///   placement, assignable there or not): on each entity type, the first node below the
    ///   placement, every permission the role grants (the answers that can be allow) and
    ///   [`DENY_SAMPLE`] others; the first node elsewhere, [`DENY_SAMPLE`] of each (scoping),
    ///   by a rotation;
    /// - each policy: its checks on the first node of its entity type (every sampled user ×
    ///   legacy level × predicate value there).
    pub fn bounded(model: &Model, budget: usize) -> Scenario {
        let forest = Forest::of(model);
        let users = users(model, &forest);
        let policy_checks = policy_checks(model, &forest, &users);
        let asked: usize = forest.nodes.iter().map(|n| applicable(model, n.entity).len() * users.len()).sum();
        if asked + policy_checks.len() <= budget {
            let checks = checks(model, &forest, &users);
            return Scenario { forest, users, checks, policy_checks };
        }
        let first = first_of_each_type(model, &forest);
        let checks = covering_checks(model, &forest, &users, &first);
        let policy_checks = policy_checks
            .into_iter()
            .filter(|c| first[model.policies()[c.policy].entity.get()] == Some(c.node))
            .collect();
        Scenario { forest, users, checks, policy_checks }
    }
}

/// The permissions checked against entity type `entity`, in id order.
fn applicable(model: &Model, entity: EntityIdx) -> Vec<PermIdx> {
    (0..model.permissions().len())
        .map(PermIdx::new)
        .filter(|&p| model.permissions()[p].entities.contains(&entity))
        .collect()
}

/// Per entity type, the index of its first node in the forest (`None`: the forest has none).
fn first_of_each_type(model: &Model, forest: &Forest) -> Vec<Option<usize>> {
    entity_indices(model).map(|e| forest.nodes.iter().position(|n| n.entity == e)).collect()
}

/// Up to [`DENY_SAMPLE`] of `from`, by a rotation that moves with `seed`.
fn rotated(from: &[PermIdx], seed: usize) -> impl Iterator<Item = PermIdx> + '_ {
    (0..DENY_SAMPLE.min(from.len())).map(move |j| from[(seed + j * 5) % from.len()])
}

/// The checks of [`Scenario::bounded`]'s sample (see there).
fn covering_checks(model: &Model, forest: &Forest, users: &[User], first: &[Option<usize>]) -> Vec<Check> {
    let mut out = Vec::new();
    for (user, u) in users.iter().enumerate() {
        let placed_first = match u.assignments.as_slice() {
            [a] => first[a.entity.get()].is_some_and(|n| forest.nodes[n].id == a.id),
            _ => false,
        };
        if user != 0 && !placed_first {
            continue;
        }
        for entity in entity_indices(model) {
            for (node, permissions) in asked_on(model, forest, user, u, entity) {
                let path = forest.path(node);
                for permission in permissions {
                    let allow = matches!(model.check_access(&u.assignments, &path, permission), Ok(Some(_)));
                    out.push(Check { user, node, permission, allow });
                }
            }
        }
    }
    out
}

/// The nodes of type `entity` the sample asks `user` about, each with its permissions (in id
/// order): nobody, every permission on the first node; a placed role, on the first node below
/// the placement every permission it grants and a few others, on the first node elsewhere a few
/// of each.
fn asked_on(model: &Model, forest: &Forest, user: usize, u: &User, entity: EntityIdx) -> Vec<(usize, Vec<PermIdx>)> {
    let perms = applicable(model, entity);
    let of_type: Vec<usize> = (0..forest.nodes.len()).filter(|&n| forest.nodes[n].entity == entity).collect();
    if user == 0 {
        return of_type.first().map(|&n| (n, perms)).into_iter().collect();
    }
    let roles: Vec<RoleIdx> = u.assignments.iter().map(|a| a.role).collect();
    let granted = model.effective_of(&roles);
    let (held, others): (Vec<PermIdx>, Vec<PermIdx>) = perms.iter().partition(|&&p| granted.contains(p));
    let below =
        |n: &usize| forest.path(*n).iter().any(|(e, id)| u.assignments.iter().any(|a| a.entity == *e && a.id == *id));
    let seed = user * 7 + entity.get() * 3;
    let mut asked = Vec::new();
    if let Some(&n) = of_type.iter().find(|n| below(n)) {
        asked.push((n, held.iter().copied().chain(rotated(&others, seed)).collect::<Vec<_>>()));
    }
    if let Some(&n) = of_type.iter().find(|n| !below(n)) {
        asked.push((n, rotated(&held, seed).chain(rotated(&others, seed + 1)).collect()));
    }
    for (_, permissions) in &mut asked {
        permissions.sort_unstable();
        permissions.dedup();
    }
    asked
}

/// A roles.toml with one grant dropped (`role-gen revoke`), chosen so that the scenario's
/// answers change: the first (role, directly granted permission), in role then grant order,
/// whose revocation flips some check of [`Scenario::of`]. Returns the new text and what was
/// dropped (`role:permission`); `None` when no single revocation changes an answer.
pub fn mutated(roles_toml: &Path) -> Option<(String, String)> {
    let bytes = std::fs::read(roles_toml).ok()?;
    let model = crate::policies::model(roles_toml);
    let before = Scenario::of(&model).checks;
    for role in model.roles() {
        for &p in &role.permissions {
            let permission = model.permissions()[p].name.clone();
            let edit = role_gen::edit::Edit::Revoke { role: role.name.clone(), permissions: vec![permission.clone()] };
            let Ok(outcome) = role_gen::edit::apply(roles_toml, &bytes, &edit) else { continue };
            let Ok(valid) = role_gen_core::validate_text("roles.toml", &outcome.text) else { continue };
            if Scenario::of(valid.model()).checks != before {
                return Some((outcome.text, format!("{}:{permission}", role.name)));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slack() -> Model {
        crate::policies::model(&crate::definition("slack"))
    }

    #[test]
    fn a_forest_keys_instances_by_type_and_id_and_paths_follow_parents() {
        let model = slack();
        let forest = Forest::of(&model);
        assert!(forest.nodes.len() > 4 && forest.nodes.len() <= MAX_NODES);
        for (i, n) in forest.nodes.iter().enumerate() {
            assert!(model.check_path(&forest.path(i)).is_ok(), "node {i} has a valid path");
            assert!(n.parent.is_none_or(|p| p < i), "parents come first");
        }
        let ids: Vec<&str> = forest.nodes.iter().map(|n| n.id.as_str()).collect();
        assert!(ids.iter().filter(|&&id| id == "i0").count() > 1, "ids repeat across types");
    }

    #[test]
    fn the_slack_scenario_has_both_answers_and_every_policy_rule_decides() {
        let model = slack();
        let s = Scenario::of(&model);
        assert!(s.checks.iter().any(|c| c.allow) && s.checks.iter().any(|c| !c.allow));
        for (p, policy) in model.policies().iter().enumerate() {
            for rule in 0..policy.rules.len() {
                let decides = s.policy_checks.iter().any(|c| c.policy == p && c.expected.rule == Some(rule));
                assert!(decides, "rule {rule} of policy `{}` decides some check", policy.name);
            }
        }
    }

    #[test]
    fn a_bounded_scenario_is_whole_within_budget_and_covers_every_action_and_placement_past_it() {
        let model = slack();
        assert_eq!(Scenario::bounded(&model, usize::MAX).checks, Scenario::of(&model).checks);

        let model = crate::policies::model(&crate::hostile());
        let s = Scenario::bounded(&model, 60_000);
        assert!(s.checks.len() + s.policy_checks.len() <= 60_000, "{} checks", s.checks.len());
        assert!(s.checks.iter().any(|c| c.allow) && s.checks.iter().any(|c| !c.allow));
        for (p, permission) in model.indexed_permissions() {
            for &e in &permission.entities {
                let asked = s.checks.iter().any(|c| c.permission == p && s.forest.nodes[c.node].entity == e);
                assert!(asked, "`{}` is asked on `{}`", permission.name, model.entities()[e].name);
            }
        }
        for (r, role) in model.indexed_roles() {
            for e in entity_indices(&model) {
                let placed =
                    |c: &Check| matches!(s.users[c.user].assignments.as_slice(), [a] if a.role == r && a.entity == e);
                assert!(s.checks.iter().any(placed), "`{}` placed on a `{}`", role.name, model.entities()[e].name);
            }
        }
        for (p, policy) in model.policies().iter().enumerate() {
            assert!(s.policy_checks.iter().any(|c| c.policy == p), "policy `{}` is asked", policy.name);
        }
    }

    #[test]
    fn a_mutation_changes_some_answer() {
        let path = crate::definition("slack");
        let (text, dropped) = mutated(&path).expect("a grant whose removal matters");
        let model = role_gen_core::validate_text("roles.toml", &text).expect("still valid").model().clone();
        assert_ne!(Scenario::of(&model).checks, Scenario::of(&slack()).checks, "dropping {dropped} changes answers");
    }
}
