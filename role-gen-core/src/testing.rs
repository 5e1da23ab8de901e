//! `[[tests]]` (SPEC section 6): what must stay true, evaluated on the model alone; and
//! ([`coverage`]) what the tests leave unexercised, read from the same run.

use std::cell::RefCell;

use crate::model::{
    Assignment, DEFAULT_DENY, Decision, Facts, LevelIdx, Model, PermIdx, PermSet, Placement, PolicyIdx, RoleIdx,
    TestCase, TestKind,
};

pub mod coverage;

/// The result of one `[[tests]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Index into `Model::tests`.
    pub test: usize,
    /// What differed from the expectation; empty when the test passed.
    pub failures: Vec<String>,
    /// A policy test's evaluation: the decision and the predicates it read.
    pub evaluation: Option<Evaluation>,
}

/// How a policy test's evaluation went: what coverage reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// The decision, with the rule that gave it (`None`: default deny).
    pub decision: Decision,
    /// Each predicate the evaluation asked about, once, in the order asked, with the test's
    /// answer. A predicate the test sets but that no rule reached (an earlier rule decided) is
    /// not here.
    pub read: Vec<(String, bool)>,
}

impl Outcome {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Runs every test.
pub fn run(model: &Model) -> Vec<Outcome> {
    model.tests.iter().enumerate().map(|(i, t)| outcome(model, i, t)).collect()
}

/// A short description of a test for reports: its `name`, or what it checks.
pub fn describe(model: &Model, test: &TestCase) -> String {
    if let Some(name) = &test.name {
        return name.clone();
    }
    let roles = match &test.placement {
        Some(p) => placed_roles(model, p),
        None => format!("roles {}", role_list(model, &test.roles)),
    };
    match &test.kind {
        TestKind::Access { .. } => roles,
        TestKind::Policy { policy, legacy, .. } => {
            let legacy =
                legacy.map_or("no legacy level".to_string(), |l| format!("legacy `{}`", model.legacy_levels[l].name));
            format!("policy `{}` for {legacy} with {roles}", model.policies[*policy].name)
        }
    }
}

/// `channels_admin on workspace W1, … at channel C1`.
fn placed_roles(model: &Model, p: &Placement) -> String {
    let held: Vec<String> = p.assignments.iter().map(|a| assignment(model, a)).collect();
    let held = if held.is_empty() { "no role".to_string() } else { held.join(", ") };
    let at = p.path.first().map(|(e, id)| format!("{} `{id}`", model.entities[*e].name)).unwrap_or_default();
    format!("{held} at {at}")
}

/// `` `channels_admin` on workspace `W1` ``.
fn assignment(model: &Model, a: &Assignment<String>) -> String {
    format!("`{}` on {} `{}`", model.roles[a.role].name, model.entities[a.entity].name, a.id)
}

/// Which assignment lets its holder do `p` at the test's path, or why none does: what
/// `role-gen test` says of each permission a placed test asks about.
pub fn decided_by(model: &Model, p: &Placement, permission: PermIdx) -> Result<String, String> {
    match model.check_access(&p.assignments, &p.path, permission) {
        Ok(Some(a)) => Ok(assignment(model, a)),
        Ok(None) => Err(why_none(model, p, permission)),
        Err(e) => Err(e.describe(model)),
    }
}

/// Why no assignment grants `permission` at the path: each one's reason, in order.
fn why_none(model: &Model, p: &Placement, permission: PermIdx) -> String {
    if p.assignments.is_empty() {
        return "nothing is assigned".into();
    }
    let reasons: Vec<String> = p
        .assignments
        .iter()
        .map(|a| {
            let why = if !p.path.iter().any(|(e, id)| *e == a.entity && *id == a.id) {
                "not on the path".to_string()
            } else if !model.roles[a.role].assignable_on.contains(&a.entity) {
                format!("`{}` may not be assigned on {}", model.roles[a.role].name, model.entities[a.entity].name)
            } else {
                format!("`{}` does not hold `{}`", model.roles[a.role].name, model.permissions[permission].name)
            };
            format!("{}: {why}", assignment(model, a))
        })
        .collect();
    reasons.join("; ")
}

fn role_list(model: &Model, roles: &[RoleIdx]) -> String {
    let names: Vec<String> = roles.iter().map(|&r| format!("`{}`", model.roles[r].name)).collect();
    format!("[{}]", names.join(", "))
}

fn outcome(model: &Model, i: usize, test: &TestCase) -> Outcome {
    let (failures, evaluation) = match &test.kind {
        TestKind::Access { allow, deny, covers } => match &test.placement {
            Some(p) => (placed_failures(model, p, allow, deny), None),
            None => (access_failures(model, test, &model.effective_of(&test.roles), allow, deny, covers), None),
        },
        TestKind::Policy { policy, legacy, predicates, expect_allow } => {
            // A placed test's policy asks each permission where it is checked along the path.
            let held = match &test.placement {
                Some(p) => held_along(model, p),
                None => model.effective_of(&test.roles),
            };
            let evaluation = evaluate(model, *policy, *legacy, predicates, &held);
            let failure = policy_failure(model, *policy, evaluation.decision, *expect_allow);
            (failure.into_iter().collect(), Some(evaluation))
        }
    };
    Outcome { test: i, failures, evaluation }
}

/// Evaluates a policy on a test's facts (a predicate the test does not set is false), noting
/// each predicate a rule asks about as it is asked.
fn evaluate(
    model: &Model,
    policy: PolicyIdx,
    legacy: Option<LevelIdx>,
    predicates: &[(String, bool)],
    held: &PermSet,
) -> Evaluation {
    let read: RefCell<Vec<(String, bool)>> = RefCell::new(Vec::new());
    let lookup = |name: &str| {
        let value = predicates.iter().any(|(p, v)| p == name && *v);
        let mut read = read.borrow_mut();
        if !read.iter().any(|(p, _)| p == name) {
            read.push((name.to_string(), value));
        }
        value
    };
    let facts = Facts { legacy, permissions: held, predicate: &lookup };
    let decision = model.policies[policy].evaluate(&facts);
    Evaluation { decision, read: read.into_inner() }
}

/// A test placing roles on entities: each permission asked through `check_access` at the path.
fn placed_failures(model: &Model, p: &Placement, allow: &[PermIdx], deny: &[PermIdx]) -> Vec<String> {
    let at = placed_roles(model, p);
    let name = |q: PermIdx| &model.permissions[q].name;
    let mut out = Vec::new();
    for &q in allow {
        if let Err(why) = decided_by(model, p, q) {
            out.push(format!("expected {at} to allow `{}`, but it is denied: {why}", name(q)));
        }
    }
    for &q in deny {
        if let Ok(by) = decided_by(model, p, q) {
            out.push(format!("expected {at} to deny `{}`, but {by} grants it", name(q)));
        }
    }
    out
}

/// What the placed roles hold for a policy on the path's target: each permission at the nearest
/// entity of the path it is checked against (a channel policy may ask a workspace permission,
/// checked on the channel's workspace).
fn held_along(model: &Model, p: &Placement) -> PermSet {
    let mut held = PermSet::with_capacity(model.permissions.len());
    for (q, permission) in model.indexed_permissions() {
        let Some(i) = p.path.iter().position(|(e, _)| permission.entities.contains(e)) else { continue };
        if matches!(model.check_access(&p.assignments, &p.path[i..], q), Ok(Some(_))) {
            held.insert(q);
        }
    }
    held
}

fn access_failures(
    model: &Model,
    test: &TestCase,
    held: &PermSet,
    allow: &[PermIdx],
    deny: &[PermIdx],
    covers: &[RoleIdx],
) -> Vec<String> {
    let roles = role_list(model, &test.roles);
    let name = |p: PermIdx| &model.permissions[p].name;
    let mut out = Vec::new();
    for &p in allow.iter().filter(|&&p| !held.contains(p)) {
        out.push(format!("expected {roles} to allow `{}`, but no role held grants it", name(p)));
    }
    for &p in deny.iter().filter(|&&p| held.contains(p)) {
        let via = test.roles.iter().find_map(|&r| model.via(r, p)).unwrap_or_default();
        let path: Vec<&str> = via.iter().map(|&r| model.roles[r].name.as_str()).collect();
        out.push(format!("expected {roles} to deny `{}`, but it is granted via {}", name(p), path.join(" > ")));
    }
    for &r in covers {
        let missing: Vec<&str> =
            model.roles[r].effective.iter().filter(|&p| !held.contains(p)).map(|p| name(p).as_str()).collect();
        if !missing.is_empty() {
            out.push(format!(
                "expected {roles} to cover role `{}`, but it lacks {}",
                model.roles[r].name,
                missing.join(", ")
            ));
        }
    }
    out
}

fn policy_failure(model: &Model, policy: PolicyIdx, decision: Decision, expect_allow: bool) -> Option<String> {
    if decision.allow == expect_allow {
        return None;
    }
    let word = |allow: bool| if allow { "allow" } else { "deny" };
    let policy = &model.policies[policy];
    let why = match decision.rule {
        Some(i) => format!("decided by rule {} `{}`", i + 1, model.rule_name(&policy.rules[i].kind)),
        None => format!("no rule fired ({DEFAULT_DENY})"),
    };
    Some(format!("expected {}, found {}: {why}", word(expect_allow), word(decision.allow)))
}
