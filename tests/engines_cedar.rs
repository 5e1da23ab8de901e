//! The `cedar` target (SPEC section 8) judged by the real Cedar engine, differentially.
//!
//! For every definition (the examples, the hostile file, the edge cases), the test generates
//! `cedar/roles.cedarschema` and `cedar/roles.cedar`, loads the shared scenario of
//! `role_gen_tests::engines` as Cedar entities the way the README tells an application to
//! (each node `in` its parent, with `parent` and its `roles` groups; each user `in` the group of
//! each of its assignments), and asks `tests/programs/cedar_judge.py` — cedarpy, the
//! `cedar-policy` crate's validator and authorizer, pinned in tests/tools/requirements.txt — to
//! validate the policies in strict mode and to authorize every check and policy check. Every
//! answer must equal role-gen's own model's: `check_access` (allow, and the permission's policy
//! as the determining one) and `Policy::evaluate` (the decision, and the deciding rule as the
//! one determining policy, named by its `@id`, `@rule` and `@rule_index`; default deny: none).
//!
//! The hostile definition's scenario (8 million checks) is sampled (`Scenario::bounded`).
//! `mutation_is_caught` judges the output of a roles.toml with one grant dropped against the
//! original's answers: the harness must report mismatches.
//!
//! The judge runs on `tests/tools/.venv/bin/python`, which `scripts/test` makes; a missing venv
//! or cedarpy fails the test.

use std::path::{Path, PathBuf};
use std::time::Instant;

use role_gen::Target;
use role_gen::model::{Decision, EntityIdx, Model};
use role_gen::render::RenderOptions;
use role_gen_tests::engines::{self, Scenario};
use role_gen_tests::{Mismatches, Scratch, checks, definition, edge, hostile, workspace_root};
use serde_json::{Value, json};

/// The most requests one definition's scenario is judged on before it is sampled.
const BUDGET: usize = 60_000;

/// The interpreter of the judges' venv.
fn python() -> PathBuf {
    let python = workspace_root().join("tests/tools/.venv/bin/python");
    assert!(
        python.is_file(),
        "the Cedar judge is not installed (no {}).\nRun the tests with `scripts/test`, which makes \
         tests/tools/.venv and installs tests/tools/requirements.txt (cedarpy, pinned by hash).",
        python.display()
    );
    python
}

/// Cedar's spelling of roles.toml names, as the README tells an application to build uids:
/// names as they are, a Cedar reserved word with a trailing `_`, in the project's namespace.
struct Spelling {
    namespace: String,
}

impl Spelling {
    fn ident(name: &str) -> String {
        const RESERVED: [&str; 9] = ["true", "false", "if", "then", "else", "in", "is", "like", "has"];
        if RESERVED.contains(&name) { format!("{name}_") } else { name.to_string() }
    }

    fn new(model: &Model) -> Spelling {
        Spelling { namespace: Spelling::ident(&model.project().name) }
    }

    fn uid(&self, ty: &str, id: &str) -> Value {
        json!({ "type": format!("{}::{ty}", self.namespace), "id": id })
    }

    fn node(&self, model: &Model, entity: EntityIdx, id: &str) -> Value {
        self.uid(&Spelling::ident(&model.entities()[entity].name), id)
    }

    /// The group of `role` held on (`entity`, `id`): `Role::"<role>/<entity type>/<id>"`.
    fn group(&self, model: &Model, role: &str, entity: EntityIdx, id: &str) -> Value {
        self.uid("Role", &format!("{role}/{}/{id}", model.entities()[entity].name))
    }
}

/// The scenario's world as Cedar entities: the nodes, then the users.
fn entities(model: &Model, scenario: &Scenario, s: &Spelling) -> Vec<Value> {
    let mut out = Vec::new();
    for node in &scenario.forest.nodes {
        let mut attrs = serde_json::Map::new();
        let mut parents = Vec::new();
        if let Some(p) = node.parent {
            let parent = &scenario.forest.nodes[p];
            let uid = s.node(model, parent.entity, &parent.id);
            attrs.insert("parent".into(), json!({ "__entity": uid }));
            parents.push(uid);
        }
        let roles: serde_json::Map<String, Value> = model
            .roles()
            .iter()
            .filter(|r| r.assignable_on.contains(&node.entity))
            .map(|r| (r.name.clone(), json!({ "__entity": s.group(model, &r.name, node.entity, &node.id) })))
            .collect();
        attrs.insert("roles".into(), Value::Object(roles));
        out.push(json!({ "uid": s.node(model, node.entity, &node.id), "attrs": attrs, "parents": parents }));
    }
    for user in &scenario.users {
        let groups: Vec<Value> =
            user.assignments.iter().map(|a| s.group(model, &model.roles()[a.role].name, a.entity, &a.id)).collect();
        out.push(json!({ "uid": s.uid("User", &user.id), "attrs": {}, "parents": groups }));
    }
    out
}

/// Every check, then every policy check, as requests.
fn requests(model: &Model, scenario: &Scenario, s: &Spelling) -> Vec<Value> {
    let node = |n: usize| {
        let node = &scenario.forest.nodes[n];
        s.node(model, node.entity, &node.id)
    };
    let user = |u: usize| s.uid("User", &scenario.users[u].id);
    let mut out = Vec::new();
    for c in &scenario.checks {
        let action = s.uid("Action", &model.permissions()[c.permission].name);
        out.push(json!([user(c.user), action, node(c.node), {}]));
    }
    for c in &scenario.policy_checks {
        let policy = &model.policies()[c.policy];
        let action = s.uid("Action", &format!("policy:{}", policy.name));
        let mut context = serde_json::Map::new();
        if let Some(level) = c.legacy {
            let level = s.uid("LegacyLevel", &model.legacy_levels()[level].name);
            context.insert("legacy".into(), json!({ "__entity": level }));
        }
        if !c.predicates.is_empty() {
            let predicates: serde_json::Map<String, Value> =
                c.predicates.iter().map(|(name, value)| (name.clone(), Value::Bool(*value))).collect();
            context.insert("predicates".into(), Value::Object(predicates));
        }
        out.push(json!([user(c.user), action, node(c.node), context]));
    }
    out
}

/// One request's answer: the decision (`Allow`, `Deny`, `NoDecision`), the `@id`s of the
/// determining policies, the errors.
type Answer = (String, Vec<String>, Vec<String>);

/// What the judge printed.
#[derive(Default)]
struct Verdict {
    validation: Vec<String>,
    /// Why the engine refused the schema, the policies or the entities, if it did.
    fatal: Vec<String>,
    annotations: Value,
    results: Vec<Answer>,
    /// Each judge process's timings.
    timings: Vec<Value>,
}

/// How many requests make a judge process worth starting beside another.
const PER_PROCESS: usize = 4_000;

/// Runs the judge on the generated files in `dir` and the scenario: the requests split among
/// up to one process per core (the authorizer answers on one core), the first validating.
fn judge(model: &Model, scenario: &Scenario, dir: &Path) -> Verdict {
    let jobs = write_jobs(model, scenario, dir);
    let outputs: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = jobs.iter().map(|job| scope.spawn(move || run_judge(job))).collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    });
    let mut verdict = Verdict::default();
    for out in outputs {
        let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("the judge printed no JSON ({e}):\n{out}"));
        verdict.validation.extend(strings(&v["validation"]));
        verdict.fatal.extend(v["fatal"].as_str().map(str::to_string));
        verdict.annotations = v["annotations"].clone();
        let results = v["results"].as_array().cloned().unwrap_or_default();
        verdict.results.extend(
            results.iter().map(|r| (r[0].as_str().unwrap_or_default().to_string(), strings(&r[1]), strings(&r[2]))),
        );
        verdict.timings.push(v["timings"].clone());
    }
    verdict
}

/// The judge's job files: the entities, and the requests in one part per process.
fn write_jobs(model: &Model, scenario: &Scenario, dir: &Path) -> Vec<PathBuf> {
    let s = Spelling::new(model);
    let entities = entities(model, scenario, &s);
    let requests = requests(model, scenario, &s);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = requests.len().div_ceil(cores.min(requests.len() / PER_PROCESS).max(1)).max(1);
    let parts: Vec<&[Value]> = if requests.is_empty() { vec![&[]] } else { requests.chunks(chunk).collect() };
    let job = |i: usize, part: &[Value]| {
        json!({
            "schema": dir.join("cedar/roles.cedarschema"),
            "policies": dir.join("cedar/roles.cedar"),
            "entities": entities,
            "requests": part,
            "validate": i == 0,
        })
    };
    let write = |(i, part): (usize, &&[Value])| {
        let file = dir.join(format!("cedar-job-{i}.json"));
        role_gen_tests::write(&file, &job(i, part).to_string());
        file
    };
    parts.iter().enumerate().map(write).collect()
}

/// One judge process on one job file; its stdout.
fn run_judge(job: &Path) -> String {
    let program = workspace_root().join("tests/programs/cedar_judge.py");
    role_gen_tests::run(std::process::Command::new(python()).arg(program).arg(job))
}

/// A JSON array of strings.
fn strings(v: &Value) -> Vec<String> {
    v.as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

/// Writes the `cedar` target of the roles.toml at `roles_toml` into `dir`.
fn generate_cedar(roles_toml: &Path, dir: &Path) {
    let project = role_gen::Project::load(roles_toml).unwrap_or_else(|e| panic!("{}: {e}", roles_toml.display()));
    let outputs = project
        .generate_with(&RenderOptions::only(project.model(), &[Target::Cedar]))
        .unwrap_or_else(|e| panic!("{}: {e}", roles_toml.display()));
    let files: Vec<&str> = outputs.iter().map(|(path, _)| path).collect();
    assert_eq!(files, ["cedar/roles.cedar", "cedar/roles.cedarschema"], "{}", roles_toml.display());
    for (path, text) in outputs.iter() {
        role_gen_tests::write(&dir.join(path), text);
    }
}

/// A request described for a failure message.
fn described(model: &Model, scenario: &Scenario, user: usize, node: usize) -> String {
    let held: Vec<String> = scenario.users[user]
        .assignments
        .iter()
        .map(|a| format!("{}@{}#{}", model.roles()[a.role].name, model.entities()[a.entity].name, a.id))
        .collect();
    let path: Vec<String> =
        scenario.forest.path(node).iter().map(|(e, id)| format!("{}#{id}", model.entities()[*e].name)).collect();
    format!("user [{}] on [{}]", held.join(", "), path.join(" < "))
}

/// Compares every answer of the verdict with the model's.
fn compare(model: &Model, scenario: &Scenario, verdict: &Verdict) -> Mismatches {
    let mut m = Mismatches::new("Cedar (cedarpy)").against("role-gen's model");
    for error in &verdict.validation {
        m.fail(format!("the strict validator reports: {error}"));
    }
    for error in &verdict.fatal {
        m.fail(format!("the engine refused the input: {error}"));
    }
    m.check("requests answered", verdict.results.len(), scenario.checks.len() + scenario.policy_checks.len());
    let (access, policies) = verdict.results.split_at(scenario.checks.len().min(verdict.results.len()));
    compare_access(model, scenario, access, &mut m);
    compare_policies(model, scenario, policies, verdict, &mut m);
    m
}

/// Access: allow with the permission's policy determining, or deny with none.
fn compare_access(model: &Model, scenario: &Scenario, answers: &[Answer], m: &mut Mismatches) {
    for (c, (decision, determining, errors)) in scenario.checks.iter().zip(answers) {
        let permission = &model.permissions()[c.permission].name;
        let expected = if c.allow { ("Allow", vec![permission.clone()]) } else { ("Deny", Vec::new()) };
        let found = (decision.as_str(), determining.clone());
        if found != expected || !errors.is_empty() {
            let what = described(model, scenario, c.user, c.node);
            m.fail(format!("{permission} for {what}: found {found:?} {errors:?}, expected {expected:?}"));
        }
    }
}

/// Policies: the decision, and the deciding rule as the one determining policy (none for the
/// default deny), its annotations naming the policy and the rule.
fn compare_policies(model: &Model, scenario: &Scenario, answers: &[Answer], verdict: &Verdict, m: &mut Mismatches) {
    for (c, (decision, determining, errors)) in scenario.policy_checks.iter().zip(answers) {
        let expected = expected_rule(model, c.policy, c.expected);
        let found = (decision.as_str(), determining.clone());
        let named = determining.iter().all(|id| annotated_as(model, c.policy, c.expected, &verdict.annotations[id]));
        if found != expected || !errors.is_empty() || !named {
            let what = described(model, scenario, c.user, c.node);
            let legacy = c.legacy.map(|l| &model.legacy_levels()[l].name);
            m.fail(format!(
                "policy {} for {what}, legacy {legacy:?}, predicates {:?}: found {found:?} {errors:?} \
                 (annotations agree: {named}), expected {expected:?}",
                model.policies()[c.policy].name,
                c.predicates
            ));
        }
    }
}

/// The decision and determining policies `Policy::evaluate`'s answer means in Cedar.
fn expected_rule(model: &Model, policy: usize, d: Decision) -> (&'static str, Vec<String>) {
    let decision = if d.allow { "Allow" } else { "Deny" };
    (decision, d.rule.map(|i| format!("{} rules[{i}]", model.policies()[policy].name)).into_iter().collect())
}

/// Whether a determining policy's annotations name the policy and the rule that decided.
fn annotated_as(model: &Model, policy: usize, d: Decision, annotations: &Value) -> bool {
    let p = &model.policies()[policy];
    let Some(i) = d.rule else { return false };
    annotations["policy"] == p.name.as_str()
        && annotations["policy_id"] == p.id.to_string().as_str()
        && annotations["rule"] == model.rule_name(&p.rules[i].kind).as_str()
        && annotations["rule_index"] == i.to_string().as_str()
}

/// Generates, judges and compares one definition; prints the figures.
fn judged(roles_toml: &Path, label: &str) {
    let start = Instant::now();
    let model = role_gen_tests::policies::model(roles_toml);
    let scenario = Scenario::bounded(&model, BUDGET);
    let scratch = Scratch::new(label);
    generate_cedar(roles_toml, scratch.path());
    let verdict = judge(&model, &scenario, scratch.path());
    let timings: Vec<String> = verdict.timings.iter().map(Value::to_string).collect();
    eprintln!(
        "{label}: {} checks, {} policy checks; judge timings {}; wall {:.1?}",
        scenario.checks.len(),
        scenario.policy_checks.len(),
        timings.join(", "),
        start.elapsed()
    );
    compare(&model, &scenario, &verdict).finish(roles_toml);
}

checks! {
    slack: judged(definition("slack"));
    minimal: judged(definition("minimal"));
    hostile_names: judged(hostile());
    edge_empty: judged(edge("empty"));
    edge_policies_predicates_only: judged(edge("policies_predicates_only"));
    edge_policies_without_legacy: judged(edge("policies_without_legacy"));
    edge_quotes: judged(edge("quotes"));
}

/// Names Cedar reserves (`in`, `is`, `if`, `has`, `like`, `then`, `else`, `true`, `false`) or
/// uses as keywords (`principal`, `context`, `permit`, `unless`, …) as the project, entity
/// types, roles, permissions, legacy levels, policies and predicates: the hostile file has
/// none of the reserved ones.
const CEDAR_WORDS: &str = r#"
[project]
name = "in"

[entities.if]
description = "The root, named `if`"

[entities.is]
description = "Under `if`"
parent = "if"

[entities.has]
description = "Under `is`"
parent = "is"

[entities.principal]
description = "Under `has`: a Cedar keyword, not reserved"
parent = "has"

[permissions.like]
id = 1
description = "Checked everywhere"

[permissions.then]
id = 2
description = "Checked on `is` and below"
entities = ["is", "has", "principal"]

[permissions.else]
id = 3
description = "Checked on `has`"
entities = ["has"]

[permissions.permit]
id = 4
description = "Checked on `principal`"
entities = ["principal"]

[roles.true]
id = 1
description = "Held on `if` or `is`"
permissions = ["like", "then"]
assignable_on = ["if", "is"]

[roles.false]
id = 2
description = "Includes `true`"
permissions = ["else"]
includes = ["true"]

[roles.in]
id = 3
description = "Held on `has` or `principal`"
permissions = ["then", "permit"]
assignable_on = ["has", "principal"]

[legacy]
levels = ["is", "in", "if"]

[policies.if]
id = 1
description = "Every rule kind, reserved words throughout"
entity = "has"
rules = [
  { deny_if_legacy = ["is"] },
  { deny_if = "in" },
  { allow_if_legacy_at_least = "if" },
  { allow_if_permission = ["then", "like"] },
  { allow_if = "has" },
]

[policies.has]
id = 2
description = "On the root"
entity = "if"
rules = [{ allow_if = "true" }, { deny_if = "unless" }, { allow_if_permission = "like" }]
"#;

#[test]
fn cedar_reserved_words() {
    let scratch = Scratch::new("cedar-words");
    let roles_toml = scratch.path().join("roles.toml");
    role_gen_tests::write(&roles_toml, CEDAR_WORDS);
    judged(&roles_toml, "cedar_reserved_words");
}

/// How many random definitions (`role_gen_tests::synthetic`) are judged.
const RANDOM: usize = 6;

/// Random valid definitions (names of every length, forests, includes, policies of every rule
/// kind), each with entities, permissions and roles, judged like the hand-written ones.
#[test]
fn random_definitions() {
    let scratch = Scratch::new("cedar-random");
    let ids = role_gen_tests::synthetic::policies_have_ids();
    let (mut judged_count, mut seed) = (0, 0u64);
    while judged_count < RANDOM {
        let roles_toml = scratch.path().join(format!("seed-{seed}/roles.toml"));
        role_gen_tests::write(&roles_toml, &role_gen_tests::synthetic::definition(seed, ids));
        let model = role_gen_tests::policies::model(&roles_toml);
        if [model.entities().len(), model.permissions().len(), model.roles().len()].iter().all(|&n| n > 0) {
            judged(&roles_toml, &format!("cedar-seed-{seed}"));
            judged_count += 1;
        }
        seed += 1;
    }
}

/// Every definition under `definitions/` is judged above.
#[test]
fn every_definition_is_judged() {
    let found: Vec<String> = role_gen_tests::definitions()
        .iter()
        .filter_map(|p| p.parent()?.file_name()?.to_str().map(str::to_string))
        .collect();
    assert_eq!(found, ["minimal", "slack"], "definitions/*/roles.toml changed: add it to the `checks!` above");
}

/// A roles.toml with one grant dropped, judged against the original's answers, must fail: the
/// harness can tell a wrong model from a right one.
#[test]
fn mutation_is_caught() {
    let original = definition("slack");
    let (text, dropped) = engines::mutated(&original).expect("a grant whose removal changes an answer");
    let model = role_gen_tests::policies::model(&original);
    let scenario = Scenario::bounded(&model, BUDGET);
    let scratch = Scratch::new("cedar-mutation");
    let mutant = scratch.path().join("roles.toml");
    role_gen_tests::write(&mutant, &text);
    generate_cedar(&mutant, scratch.path());
    let verdict = judge(&model, &scenario, scratch.path());
    assert!(verdict.validation.is_empty(), "the mutant's output is valid Cedar: {:?}", verdict.validation);
    let mismatches = compare(&model, &scenario, &verdict);
    assert!(!mismatches.is_empty(), "dropping {dropped} changed no answer of Cedar: the harness cannot fail");
}
