//! Decisions on entities (SPEC section 7): the scenarios the generated `check_access` and
//! `permissions_on` (Rust, TypeScript, and later the engines) are run on, and what role-gen's own
//! model (`Model::check_access`, `Model::permissions_on`) answers for each: the oracle.
//!
//! - [`exhaustive`]: for every target entity type (its path: the target and each ancestor up to
//!   the root, ids `t0`, `t1`, …), every role, every placement of one assignment of it (every
//!   entity type, with the id the path gives that type — on the path — or `elsewhere` — off
//!   it), and every permission: one `check` line each, plus one `on` line per (target, role,
//!   placement).
//! - [`path_errors`]: every kind of bad path (empty, a type that is not the parent, a path that
//!   stops before the root or goes past it) and a permission not checked against the target.
//! - [`random`]: random sets of assignments (several roles, on and off the path) on random
//!   targets, so that which assignment decides (the first that grants) is checked too.
//!
//! [`write_tsv`] writes scenarios for the programs, one a line:
//!
//! ```text
//! check <TAB> ROLE@ENTITY#ID,… <TAB> ENTITY#ID,… <TAB> PERMISSION
//! on    <TAB> ROLE@ENTITY#ID,… <TAB> ENTITY#ID,…
//! ```
//!
//! (assignments may be empty; the path lists the target first), and [`expected`] gives the line
//! each must print: `allow N` (N the 0-based index of the deciding assignment), `deny`,
//! `holds P,Q,…` (permissions in id order, possibly none) or `error KIND` with KIND one of
//! `empty`, `not-parent`, `incomplete`, `past-root`, `not-applicable`.

use role_gen::model::{Assignment, EntityIdx, Model, PathError, PermIdx, RoleIdx};

use crate::synthetic::Rng;

/// What a scenario asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Question {
    /// `check_access` for this permission.
    Check(PermIdx),
    /// `permissions_on`.
    On,
}

/// One question about one set of assignments on one path.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub assignments: Vec<Assignment<String>>,
    pub path: Vec<(EntityIdx, String)>,
    pub question: Question,
}

/// The path to an entity of type `target`: it, then each ancestor up to its root, ids `t0`, …
pub fn path_to(model: &Model, target: EntityIdx) -> Vec<(EntityIdx, String)> {
    let mut path = Vec::new();
    let mut at = Some(target);
    while let Some(e) = at {
        path.push((e, format!("t{}", path.len())));
        at = model.entities()[e].parent;
    }
    path
}

/// Every target × role × placement × permission (see the module docs).
pub fn exhaustive(model: &Model) -> Vec<Scenario> {
    let mut out = Vec::new();
    for target in (0..model.entities().len()).map(EntityIdx::new) {
        let path = path_to(model, target);
        for role in (0..model.roles().len()).map(RoleIdx::new) {
            for entity in (0..model.entities().len()).map(EntityIdx::new) {
                let on = path.iter().find(|(e, _)| *e == entity).map(|(_, id)| id.clone());
                for id in on.into_iter().chain(["elsewhere".to_string()]) {
                    let assignments = vec![Assignment { role, entity, id }];
                    for p in (0..model.permissions().len()).map(PermIdx::new) {
                        let question = Question::Check(p);
                        out.push(Scenario { assignments: assignments.clone(), path: path.clone(), question });
                    }
                    out.push(Scenario { assignments, path: path.clone(), question: Question::On });
                }
            }
        }
    }
    out
}

/// Every kind of path error the model knows, where the definition can express it.
pub fn path_errors(model: &Model) -> Vec<Scenario> {
    let mut out = Vec::new();
    let Some(p) = (0..model.permissions().len()).map(PermIdx::new).next() else { return out };
    let ask = |path: Vec<(EntityIdx, String)>, out: &mut Vec<Scenario>| {
        out.push(Scenario { assignments: Vec::new(), path: path.clone(), question: Question::Check(p) });
        out.push(Scenario { assignments: Vec::new(), path, question: Question::On });
    };
    ask(Vec::new(), &mut out);
    for target in (0..model.entities().len()).map(EntityIdx::new) {
        let path = path_to(model, target);
        if path.len() > 1 {
            ask(path[..path.len() - 1].to_vec(), &mut out); // stops before the root
            let mut wrong = path.clone();
            wrong[1].0 = target; // a type that is not the parent's
            ask(wrong, &mut out);
        }
        let mut past = path.clone();
        past.push((target, "beyond".into())); // past the root
        ask(past, &mut out);
        for q in (0..model.permissions().len()).map(PermIdx::new) {
            if !model.permissions()[q].entities.contains(&target) {
                out.push(Scenario { assignments: Vec::new(), path: path.clone(), question: Question::Check(q) });
                break;
            }
        }
    }
    out
}

/// `n` random scenarios: up to five assignments of random roles on random entity types, on and
/// off a random target's path, asking random permissions (and `permissions_on`).
pub fn random(model: &Model, seed: u64, n: usize) -> Vec<Scenario> {
    let (entities, roles, permissions) = (model.entities().len(), model.roles().len(), model.permissions().len());
    if entities == 0 || roles == 0 || permissions == 0 {
        return Vec::new();
    }
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|_| {
            let path = path_to(model, EntityIdx::new(rng.range(0, entities - 1)));
            let assignments = (0..rng.range(0, 5))
                .map(|_| {
                    let entity = EntityIdx::new(rng.range(0, entities - 1));
                    let on = path.iter().find(|(e, _)| *e == entity).filter(|_| rng.chance(70));
                    let id = on.map_or_else(|| format!("x{}", rng.range(0, 2)), |(_, id)| id.clone());
                    Assignment { role: RoleIdx::new(rng.range(0, roles - 1)), entity, id }
                })
                .collect();
            let question = if rng.chance(10) {
                Question::On
            } else {
                Question::Check(PermIdx::new(rng.range(0, permissions - 1)))
            };
            Scenario { assignments, path, question }
        })
        .collect()
}

/// What the model answers: the line a program must print for the scenario.
pub fn expected(model: &Model, scenario: &Scenario) -> String {
    match &scenario.question {
        Question::Check(p) => match model.check_access(&scenario.assignments, &scenario.path, *p) {
            Ok(Some(decided)) => {
                let at = scenario.assignments.iter().position(|a| std::ptr::eq(a, decided)).unwrap_or(usize::MAX);
                format!("allow {at}")
            }
            Ok(None) => "deny".into(),
            Err(e) => format!("error {}", error_kind(&e)),
        },
        Question::On => match model.permissions_on(&scenario.assignments, &scenario.path) {
            Ok(set) => {
                let names: Vec<&str> = set.iter().map(|p| model.permissions()[p].name.as_str()).collect();
                format!("holds {}", names.join(","))
            }
            Err(e) => format!("error {}", error_kind(&e)),
        },
    }
}

/// The kebab-case kind of a path error, as the programs print it.
pub fn error_kind(error: &PathError) -> &'static str {
    match error {
        PathError::Empty => "empty",
        PathError::NotParent { .. } => "not-parent",
        PathError::Incomplete { .. } => "incomplete",
        PathError::PastRoot { .. } => "past-root",
        PathError::NotApplicable { .. } => "not-applicable",
    }
}

/// The scenarios as the programs read them (see the module docs).
pub fn write_tsv(model: &Model, scenarios: &[Scenario]) -> String {
    let entity = |e: EntityIdx| model.entities()[e].name.as_str();
    let mut out = String::new();
    for s in scenarios {
        let assignments: Vec<String> = s
            .assignments
            .iter()
            .map(|a| format!("{}@{}#{}", model.roles()[a.role].name, entity(a.entity), a.id))
            .collect();
        let path: Vec<String> = s.path.iter().map(|(e, id)| format!("{}#{id}", entity(*e))).collect();
        match &s.question {
            Question::Check(p) => out.push_str(&format!(
                "check\t{}\t{}\t{}\n",
                assignments.join(","),
                path.join(","),
                model.permissions()[*p].name
            )),
            Question::On => out.push_str(&format!("on\t{}\t{}\n", assignments.join(","), path.join(","))),
        }
    }
    out
}

/// Every line the model expects, in scenario order.
pub fn expected_lines(model: &Model, scenarios: &[Scenario]) -> Vec<String> {
    scenarios.iter().map(|s| expected(model, s)).collect()
}

/// The scenarios every target is checked on for one definition: exhaustive, path errors, and
/// 2,000 random sets of assignments.
pub fn all(model: &Model) -> Vec<Scenario> {
    let mut out = exhaustive(model);
    out.extend(path_errors(model));
    out.extend(random(model, 0x5eed, 2_000));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slack() -> Model {
        let text = crate::read(&crate::definition("slack"));
        role_gen::Project::from_bytes("roles.toml", text.as_bytes()).map(|p| p.model().clone()).expect("valid")
    }

    #[test]
    fn the_oracle_allows_denies_and_refuses_on_the_slack_example() {
        let model = slack();
        let scenarios = all(&model);
        let lines = expected_lines(&model, &scenarios);
        for kind in [
            "allow 0",
            "deny",
            "holds ",
            "error empty",
            "error not-parent",
            "error incomplete",
            "error past-root",
            "error not-applicable",
        ] {
            assert!(lines.iter().any(|l| l.starts_with(kind)), "no `{kind}` line");
        }
        assert!(lines.iter().any(|l| l.starts_with("allow ") && l != "allow 0"), "no later assignment decides");
        assert_eq!(write_tsv(&model, &scenarios).lines().count(), scenarios.len());
    }
}
