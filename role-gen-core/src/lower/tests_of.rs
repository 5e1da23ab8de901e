//! `[[tests]]` lowered: names resolved, and what each kind of test may hold checked (SPEC
//! sections 6 and 7). A test holds roles either together (`role`, `roles`) or on entities
//! (`assign` with a `path`), and asks either about permissions (`allow`, `deny`, `covers`) or a
//! policy's decision (`policy`, `expect`).

use super::{Names, Resolver};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::*;
use crate::suggest::did_you_mean;
use crate::syntax::{self, Sp};

pub(super) fn test(
    t: &syntax::TestDef,
    model: &Model,
    names: &Resolver<'_>,
    policies: &Names<'_, PolicyIdx>,
    diags: &mut Vec<Diagnostic>,
) -> Option<TestCase> {
    let (roles, levels) = (&names.roles, &names.levels);
    let mut held: Vec<RoleIdx> =
        t.role.iter().chain(t.roles.iter().flatten()).filter_map(|r| roles.resolve(r, diags)).collect();
    held.sort_unstable();
    held.dedup();
    let name = t.name.as_ref().map(|n| n.get_ref().clone());
    let placement = placement(t, model, names, diags).ok()?;
    let Some(policy_name) = &t.policy else {
        let test = access_test(t, held, name, names, placement.is_some(), diags)?;
        return asks_what_applies(t, model, test.with(placement), names, diags);
    };
    for (key, list) in [("allow", &t.allow), ("deny", &t.deny), ("covers", &t.covers)] {
        if let Some(first) = list.first() {
            diags.push(
                Diagnostic::new(Code::WrongType, first.span(), format!("a policy test has no `{key}`"))
                    .label("not for policy tests")
                    .help("a policy test states `expect = \"allow\"` or `\"deny\"`; put role checks in their own `[[tests]]`"),
            );
        }
    }
    let policy = policies.resolve(policy_name, diags)?;
    if let Some(p) = &placement {
        decides_on_the_target(model, policy, policy_name, p, diags).ok()?;
    }
    let legacy = t.legacy.as_ref().and_then(|l| levels.resolve(l, diags));
    let predicates = test_predicates(t, &model.policies[policy], diags);
    let Some(expect) = &t.expect else {
        if t.has_expect {
            return None;
        }
        diags.push(
            Diagnostic::new(Code::MissingKey, t.header.clone(), "a policy test is missing `expect`")
                .label("`expect` missing here")
                .help("add `expect = \"allow\"` or `expect = \"deny\"`"),
        );
        return None;
    };
    Some(TestCase {
        name,
        span: t.header.clone(),
        roles: held,
        placement,
        kind: TestKind::Policy { policy, legacy, predicates, expect_allow: *expect.get_ref() },
    })
}

impl TestCase {
    fn with(mut self, placement: Option<Placement>) -> TestCase {
        self.placement = placement;
        self
    }
}

/// `assign` and `path`, when the test has them: both or neither, not beside `role`/`roles`,
/// names resolved, the path following the entity parents up to a root. `Err` when something
/// was reported (the test is left out).
fn placement(
    t: &syntax::TestDef,
    model: &Model,
    names: &Resolver<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Result<Option<Placement>, ()> {
    let (assign, path) = match (&t.assign, &t.path) {
        (None, None) => return Ok(None),
        (Some(assign), Some(path)) => (assign, path),
        (assign, _) => {
            let (has, lacks) = if assign.is_some() { ("assign", "path") } else { ("path", "assign") };
            diags.push(
                Diagnostic::new(Code::MissingKey, t.header.clone(), format!("a test with `{has}` needs `{lacks}`"))
                    .label(format!("`{lacks}` missing here"))
                    .help("`assign` places roles on entities, `path` names the entity asked about and its ancestors"),
            );
            return Err(());
        }
    };
    if let Some(roles) =
        t.role.as_ref().map(Sp::span).or_else(|| t.roles.as_ref().and_then(|r| r.first()).map(Sp::span))
    {
        diags.push(
            Diagnostic::new(Code::WrongType, roles, "a test holds roles in `roles` or through `assign`, not both")
                .label("roles held nowhere in particular")
                .help("with `assign`, each role is held on an entity: `{ role = \"…\", entity = \"…\", id = \"…\" }`"),
        );
        return Err(());
    }
    let before = diags.len();
    let assignments: Vec<_> = assign
        .iter()
        .filter_map(|a| {
            let role = names.roles.resolve(&a.role, diags);
            let entity = names.entities.resolve(&a.entity, diags);
            Some(Assignment { role: role?, entity: entity?, id: a.id.get_ref().clone() })
        })
        .collect();
    let entities: Vec<_> = path.iter().filter_map(|e| names.entities.resolve(&e.entity, diags)).collect();
    if diags.len() > before {
        return Err(());
    }
    let path: Vec<(EntityIdx, String)> =
        entities.into_iter().zip(path).map(|(e, r)| (e, r.id.get_ref().clone())).collect();
    follows_the_parents(model, t, &path, diags)?;
    Ok(Some(Placement { assignments, path }))
}

/// A test's path must be what `check_access` accepts: the target, then each ancestor to a root.
fn follows_the_parents(
    model: &Model,
    t: &syntax::TestDef,
    path: &[(EntityIdx, String)],
    diags: &mut Vec<Diagnostic>,
) -> Result<(), ()> {
    let Err(error) = model.check_path(path) else { return Ok(()) };
    let written = t.path.as_deref().unwrap_or_default();
    let at = |i: usize| written.get(i).map_or_else(|| t.header.clone(), |e| e.span.clone());
    let span = match error {
        PathError::Empty => t.header.clone(),
        PathError::NotParent { at: i, .. } | PathError::Incomplete { at: i, .. } | PathError::PastRoot { at: i } => {
            at(i)
        }
        PathError::NotApplicable { .. } => t.header.clone(),
    };
    diags.push(
        Diagnostic::new(Code::InvalidPath, span, format!("this test's path is not valid: {}", error.describe(model)))
            .label("here")
            .help("a path starts at the entity asked about and lists each parent up to a root: `[{ entity = \"channel\", id = \"C1\" }, { entity = \"workspace\", id = \"W1\" }, …]`"),
    );
    Err(())
}

/// With a path, every permission a test asks about must be checked against the path's target.
fn asks_what_applies(
    t: &syntax::TestDef,
    model: &Model,
    test: TestCase,
    names: &Resolver<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Option<TestCase> {
    let Some(target) = test.placement.as_ref().and_then(|p| p.path.first()).map(|(e, _)| *e) else { return Some(test) };
    let mut fine = true;
    for asked in t.allow.iter().chain(&t.deny) {
        let Some(p) = names.permissions.map.get(asked.get_ref().as_str()).copied() else { continue };
        if !model.permissions[p].entities.contains(&target) {
            fine = false;
            diags.push(
                Diagnostic::new(
                    Code::InvalidPath,
                    asked.span(),
                    format!(
                        "permission `{}` is not checked against `{}`, the entity this test's path asks about",
                        asked.get_ref(),
                        model.entities[target].name
                    ),
                )
                .label("never checked there")
                .help("a permission applies to the entity types in its `entities`; ask it on one of those"),
            );
        }
    }
    fine.then_some(test)
}

/// A policy test with a path asks the policy about the path's target: it must be the policy's
/// entity type.
fn decides_on_the_target(
    model: &Model,
    policy: PolicyIdx,
    written: &Sp<String>,
    placement: &Placement,
    diags: &mut Vec<Diagnostic>,
) -> Result<(), ()> {
    let entity = model.policies[policy].entity;
    match placement.path.first() {
        Some((target, _)) if *target != entity => {
            diags.push(
                Diagnostic::new(
                    Code::InvalidPath,
                    written.span(),
                    format!(
                        "policy `{}` decides on `{}`, but this test's path asks about `{}`",
                        written.get_ref(),
                        model.entities[entity].name,
                        model.entities[*target].name
                    ),
                )
                .label("decides on another entity type")
                .help(format!("start the path at a `{}`", model.entities[entity].name)),
            );
            Err(())
        }
        _ => Ok(()),
    }
}

fn access_test(
    t: &syntax::TestDef,
    held: Vec<RoleIdx>,
    name: Option<String>,
    names: &Resolver<'_>,
    placed: bool,
    diags: &mut Vec<Diagnostic>,
) -> Option<TestCase> {
    let (roles, perms) = (&names.roles, &names.permissions);
    if let (true, Some(first)) = (placed, t.covers.first()) {
        diags.push(
            Diagnostic::new(Code::WrongType, first.span(), "`covers` compares roles, not roles held on entities")
                .label("not with `assign`")
                .help("put `covers` in a test with `role = \"…\"`"),
        );
        return None;
    }
    if !placed && t.role.is_none() && t.roles.is_none() {
        diags.push(
            Diagnostic::new(Code::MissingKey, t.header.clone(), "a test is missing `roles` (or `policy`)")
                .label("`roles` missing here")
                .help("name the roles held: `roles = [\"channels_admin\"]`"),
        );
    }
    if t.allow.is_empty() && t.deny.is_empty() && t.covers.is_empty() {
        diags.push(
            Diagnostic::new(
                Code::MissingKey,
                t.header.clone(),
                "a test states nothing: it needs `allow`, `deny` or `covers`",
            )
            .label("nothing to check")
            .help("add `allow = [\"some_permission\"]`"),
        );
    }
    if let Some(e) = &t.expect {
        diags.push(
            Diagnostic::new(Code::WrongType, e.span(), "`expect` belongs to policy tests")
                .label("no `policy` in this test")
                .help("add `policy = \"…\"`, or use `allow`/`deny`"),
        );
    }
    let kind = TestKind::Access {
        allow: perms.resolve_all(&t.allow, diags),
        deny: perms.resolve_all(&t.deny, diags),
        covers: roles.resolve_all(&t.covers, diags),
    };
    Some(TestCase { name, span: t.header.clone(), roles: held, placement: None, kind })
}

/// The predicates a policy test sets must be ones its policy asks about.
fn test_predicates(t: &syntax::TestDef, policy: &Policy, diags: &mut Vec<Diagnostic>) -> Vec<(String, bool)> {
    let known: Vec<&str> = policy
        .rules
        .iter()
        .filter_map(|r| match &r.kind {
            RuleKind::AllowIf(p) | RuleKind::DenyIf(p) => Some(p.as_str()),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for (name, value) in &t.predicates {
        if known.contains(&name.get_ref().as_str()) {
            out.push((name.get_ref().clone(), *value.get_ref()));
        } else {
            let help = did_you_mean(name.get_ref(), known.iter().copied()).unwrap_or_else(|| {
                format!(
                    "policy `{}` asks about: {}",
                    policy.name,
                    if known.is_empty() { "no predicate".to_string() } else { known.join(", ") }
                )
            });
            diags.push(
                Diagnostic::new(
                    Code::UnknownKey,
                    name.span(),
                    format!("policy `{}` has no predicate `{}`", policy.name, name.get_ref()),
                )
                .label("not asked by this policy")
                .help(help),
            );
        }
    }
    out
}
