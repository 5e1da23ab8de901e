//! The table of facts the generated policy evaluators are run on, and what role-gen's own model
//! (`Policy::evaluate`, `evaluate_legacy`, `rollout`) answers for each row: the oracle.
//!
//! Rows, per policy: every legacy level and none × role sets (every subset of the roles when
//! there are at most 8, else a deterministic sample: none, each role alone, all of them and 48
//! pseudo-random sets) × every assignment of the policy's own predicates. The permissions held
//! are the effective permissions of the row's roles.
//!
//! [`write_table`] writes the table for the programs (`table.tsv`) and returns the lines the
//! model expects them to print; [`compare`] holds a program's lines against those.

use std::path::Path;

use role_gen::model::{DEFAULT_DENY, Decision, Facts, LevelIdx, Model, RoleIdx, RolloutMode};

use crate::Mismatches;

/// Above this many roles, role sets are sampled instead of enumerated.
const ENUMERATE_ROLES_UP_TO: usize = 8;
/// How many pseudo-random role sets a sample adds.
const RANDOM_ROLE_SETS: usize = 48;

/// One row of facts.
#[derive(Debug, Clone)]
pub struct Row {
    /// Index into `Model::policies`.
    pub policy: usize,
    /// A legacy level index, or none.
    pub legacy: Option<usize>,
    /// Role indices held together on the entity.
    pub roles: Vec<usize>,
    /// The policy's predicates (in `Policy::predicates` order) and their values.
    pub predicates: Vec<(String, bool)>,
}

/// What the model answers for a row: the full policy, the legacy rules alone, and both
/// rollout modes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// `Policy::evaluate`: allow, rule index, rule name.
    pub full: (bool, Option<usize>, String),
    /// `Policy::evaluate_legacy`: allow, rule index.
    pub legacy: (bool, Option<usize>),
    /// Dark rollout: the decision's allow and rule, and whether a disagreement was reported.
    pub dark: (bool, Option<usize>, bool),
    /// Light rollout: allow and rule.
    pub light: (bool, Option<usize>),
}

/// The role sets of the table.
pub fn role_sets(model: &Model) -> Vec<Vec<usize>> {
    let n = model.roles().len();
    if n <= ENUMERATE_ROLES_UP_TO {
        return (0..1u32 << n).map(|bits| (0..n).filter(|r| bits & (1 << r) != 0).collect()).collect();
    }
    let mut sets: Vec<Vec<usize>> = vec![Vec::new(), (0..n).collect()];
    sets.extend((0..n).map(|r| vec![r]));
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..RANDOM_ROLE_SETS {
        let mut set = Vec::new();
        for r in 0..n {
            // xorshift64: deterministic on every machine.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            if state.is_multiple_of(3) {
                set.push(r);
            }
        }
        sets.push(set);
    }
    sets
}

/// Every row, policy by policy.
pub fn rows(model: &Model) -> Vec<Row> {
    let levels: Vec<Option<usize>> = std::iter::once(None).chain((0..model.legacy_levels().len()).map(Some)).collect();
    let sets = role_sets(model);
    let mut rows = Vec::new();
    for (p, policy) in model.policies().iter().enumerate() {
        let names = policy.predicates();
        for &legacy in &levels {
            for roles in &sets {
                for bits in 0..1u32 << names.len() {
                    let predicates =
                        names.iter().enumerate().map(|(i, n)| (n.to_string(), bits & (1 << i) != 0)).collect();
                    rows.push(Row { policy: p, legacy, roles: roles.clone(), predicates });
                }
            }
        }
    }
    rows
}

/// The model's answers for a row.
pub fn expected(model: &Model, row: &Row) -> Expected {
    let policy = &model.policies()[row.policy];
    let roles: Vec<RoleIdx> = row.roles.iter().map(|&r| RoleIdx::new(r)).collect();
    let held = model.effective_of(&roles);
    let lookup = |name: &str| row.predicates.iter().any(|(n, v)| n == name && *v);
    let facts = Facts { legacy: row.legacy.map(LevelIdx::new), permissions: &held, predicate: &lookup };
    let full = policy.evaluate(&facts);
    let name = |d: Decision| d.rule.map_or(DEFAULT_DENY.to_string(), |i| model.rule_name(&policy.rules[i].kind));
    let dark = policy.rollout(RolloutMode::Dark, &facts);
    let light = policy.rollout(RolloutMode::Light, &facts);
    let legacy = policy.evaluate_legacy(&facts);
    Expected {
        full: (full.allow, full.rule, name(full)),
        legacy: (legacy.allow, legacy.rule),
        dark: (dark.decision.allow, dark.decision.rule, dark.disagreement.is_some()),
        light: (light.decision.allow, light.decision.rule),
    }
}

/// A row as the test programs read it: `policy \t legacy-or-- \t role,role \t pred=0|1,…`.
pub fn row_line(model: &Model, row: &Row) -> String {
    let legacy = row.legacy.map_or("-".to_string(), |l| model.legacy_levels()[l].name.clone());
    let roles: Vec<&str> = row.roles.iter().map(|&r| model.roles()[r].name.as_str()).collect();
    let predicates: Vec<String> =
        row.predicates.iter().map(|(n, v)| format!("{n}={}", if *v { 1 } else { 0 })).collect();
    format!("{}\t{legacy}\t{}\t{}", model.policies()[row.policy].name, roles.join(","), predicates.join(","))
}

/// The line a test program prints for a row, as the model says it should read:
/// `i \t full allow \t full rule \t full name \t legacy allow \t legacy rule \t permission calls
/// of the legacy run \t dark allow \t dark rule \t reported \t light allow \t light rule`.
/// A rule is its index, or `-` when none fired.
pub fn expected_line(i: usize, e: &Expected) -> String {
    let rule = |r: Option<usize>| r.map_or("-".to_string(), |r| r.to_string());
    format!(
        "{i}\t{}\t{}\t{}\t{}\t{}\t0\t{}\t{}\t{}\t{}\t{}",
        e.full.0,
        rule(e.full.1),
        e.full.2,
        e.legacy.0,
        rule(e.legacy.1),
        e.dark.0,
        rule(e.dark.1),
        e.dark.2,
        e.light.0,
        rule(e.light.1)
    )
}

/// Writes every row to `<dir>/table.tsv`, one [`row_line`] each, and returns the
/// [`expected_line`]s, in the same order.
pub fn write_table(model: &Model, dir: &Path) -> Vec<String> {
    let rows = rows(model);
    let table: Vec<String> = rows.iter().map(|row| row_line(model, row)).collect();
    crate::write(&dir.join("table.tsv"), &(table.join("\n") + "\n"));
    rows.iter().enumerate().map(|(i, row)| expected_line(i, &expected(model, row))).collect()
}

/// Compares a program's lines with the model's, and reports the program's own findings.
pub fn compare(roles_toml: &Path, target: &str, found: &[String], expected: &[String], problems: &[String]) {
    let mut m = Mismatches::new(target).against("role-gen's model (Policy::evaluate, evaluate_legacy, rollout)");
    for problem in problems {
        m.fail(problem.clone());
    }
    m.check("rows evaluated", found.len(), expected.len());
    for (f, e) in found.iter().zip(expected) {
        if f != e {
            m.fail(format!(
                "row {}:\n      found:    {f}\n      expected: {e}\n      (i, full allow, rule, name, legacy allow, rule, \
                 permission calls, dark allow, rule, reported, light allow, rule)",
                e.split('\t').next().unwrap_or_default()
            ));
        }
    }
    m.finish(roles_toml);
}

/// Loads a roles.toml into role-gen's model (panicking with the diagnostics when invalid).
pub fn model(roles_toml: &std::path::Path) -> Model {
    role_gen::Project::load(roles_toml)
        .unwrap_or_else(|e| panic!("{} does not load:\n{e}", roles_toml.display()))
        .model()
        .clone()
}
