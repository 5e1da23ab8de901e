//! `[[tests]]` (SPEC section 6): what must stay true, evaluated on the model alone.

use crate::model::{DEFAULT_DENY, Decision, Facts, Model, PermIdx, PermSet, PolicyIdx, RoleIdx, TestCase, TestKind};

/// The result of one `[[tests]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Index into `Model::tests`.
    pub test: usize,
    /// What differed from the expectation; empty when the test passed.
    pub failures: Vec<String>,
}

impl Outcome {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Runs every test.
pub fn run(model: &Model) -> Vec<Outcome> {
    model.tests.iter().enumerate().map(|(i, t)| Outcome { test: i, failures: failures(model, t) }).collect()
}

/// A short description of a test for reports: its `name`, or what it checks.
pub fn describe(model: &Model, test: &TestCase) -> String {
    if let Some(name) = &test.name {
        return name.clone();
    }
    let roles = role_list(model, &test.roles);
    match &test.kind {
        TestKind::Access { .. } => format!("roles {roles}"),
        TestKind::Policy { policy, legacy, .. } => {
            let legacy =
                legacy.map_or("no legacy level".to_string(), |l| format!("legacy `{}`", model.legacy_levels[l].name));
            format!("policy `{}` for {legacy} with roles {roles}", model.policies[*policy].name)
        }
    }
}

fn role_list(model: &Model, roles: &[RoleIdx]) -> String {
    let names: Vec<String> = roles.iter().map(|&r| format!("`{}`", model.roles[r].name)).collect();
    format!("[{}]", names.join(", "))
}

fn failures(model: &Model, test: &TestCase) -> Vec<String> {
    let held = model.effective_of(&test.roles);
    match &test.kind {
        TestKind::Access { allow, deny, covers } => access_failures(model, test, &held, allow, deny, covers),
        TestKind::Policy { policy, legacy, predicates, expect_allow } => {
            let lookup = |name: &str| predicates.iter().any(|(p, v)| p == name && *v);
            let facts = Facts { legacy: *legacy, permissions: &held, predicate: &lookup };
            let decision = model.policies[*policy].evaluate(&facts);
            policy_failure(model, *policy, decision, *expect_allow).into_iter().collect()
        }
    }
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
