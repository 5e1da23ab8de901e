//! Python: `python/roles.py` judged by the pinned `mypy --strict` (with `--python-version 3.10`,
//! the oldest Python it supports) together with the three programs that use it, and by `ruff`
//! (`ruff format --check`: a fixed point; `ruff check`: its default rules); then the programs
//! run on the venv's Python and their answers are compared with role-gen's own:
//!
//! - `tests/programs/roles_check.py`: the enums, their metadata, `Role.has`, `permissions_of`
//!   and `parse` (of every name, every probe and look-alikes), against `roles.json`;
//! - `tests/programs/policies.py`: every policy on the table of facts
//!   (`role_gen_tests::policies`), fully, by the legacy rules alone and in both rollout modes,
//!   against the model;
//! - `tests/programs/access.py`: `check_access` and `permissions_on` on every scenario of
//!   `role_gen_tests::access`, against the model.
//!
//! One test per definition runs all of it, so that mypy starts once per definition (its cache of
//! the standard library is shared under the target folder). The judges live in
//! `tests/tools/.venv` (`scripts/test` makes it); a missing one fails, never skips.

use std::path::Path;
use std::process::Command;

use role_gen::Target;
use role_gen::render::ScaffoldLanguage;
use role_gen_tests::programs::{self, PROBES};
use role_gen_tests::tuples::generate_target;
use role_gen_tests::{
    Mismatches, Model, Scratch, access, checks, definition, edge, generate_into, hostile, policies, read, run,
    screaming, synthetic, venv_tool, write,
};
use serde_json::Value;

checks! {
    slack_python: python(definition("slack"));
    minimal_python: python(definition("minimal"));
    hostile_python: python(hostile());
    empty_python: python(edge("empty"));
    edge_quotes_python: python(edge("quotes"));
    edge_policies_without_legacy_python: python(edge("policies_without_legacy"));
    edge_policies_predicates_only_python: python(edge("policies_predicates_only"));
    /// Python's own keywords, builtins, enum attributes and pragmas as names and text.
    edge_python_python: python(edge("python"));
}

/// Every output of `roles_toml` and its `python/roles.py` in a fresh scratch folder, and
/// `roles.json`, read.
fn with_python(roles_toml: &Path, label: &str) -> (Scratch, Model) {
    let scratch = Scratch::new(label);
    generate_into(roles_toml, scratch.path());
    generate_target(roles_toml, Target::Python, scratch.path());
    let model = Model::read(scratch.path());
    (scratch, model)
}

/// `mypy --strict` over the files of `dir`, with `flags` (`HAS_LEGACY`, …) always true or
/// false as the definition has them. The cache of the standard library is shared by every test
/// with the same flags (mypy replaces its cache files atomically).
fn mypy(dir: &Path, files: &[&str], flags: &[(&str, bool)]) {
    let key: String = flags.iter().map(|(name, set)| format!("{name}-{set}-")).collect();
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mypy-cache").join(key);
    write(&dir.join("mypy.ini"), "[mypy]\n");
    let mut cmd = Command::new(venv_tool("mypy"));
    cmd.current_dir(dir).args(["--config-file", "mypy.ini", "--strict", "--python-version", "3.10"]);
    cmd.arg("--cache-dir").arg(cache);
    for (name, set) in flags {
        cmd.args([if *set { "--always-true" } else { "--always-false" }, name]);
    }
    run(cmd.args(files));
}

/// Runs `program` with the venv's Python in `dir` and reads the one JSON document it prints.
fn report(dir: &Path, program: &str, args: &[&str]) -> Value {
    let stdout = run(Command::new(venv_tool("python")).current_dir(dir).arg(program).args(args));
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{program} printed no JSON ({e}):\n{stdout}"))
}

fn python(roles_toml: &Path, label: &str) {
    let (scratch, json) = with_python(roles_toml, label);
    let dir = scratch.path().join("python");
    let model = policies::model(roles_toml);
    let has_policies = !model.policies().is_empty();
    for (program, name) in [("roles_check.py", "check.py"), ("access.py", "access.py"), ("policies.py", "policies.py")]
    {
        programs::install(program, &dir, name);
    }
    standard_library_only(roles_toml, &json, &read(&dir.join("roles.py")));
    let mut files = vec!["roles.py", "check.py", "access.py"];
    let mut formatted = vec!["roles.py"];
    if has_policies {
        // `role-gen scaffold policies --lang python`, judged with roles.py: ruff's fixed point,
        // and `ActorFacts` a `PolicyFacts` for mypy.
        let scaffold = role_gen::render::scaffold_policies(&model, ScaffoldLanguage::Python);
        let scaffold = scaffold.unwrap_or_else(|e| panic!("the Python scaffold does not render: {e}"));
        write(&dir.join("policy_facts.py"), &scaffold.unwrap_or_else(|| panic!("no Python scaffold despite policies")));
        files.extend(["policies.py", "policy_facts.py"]);
        formatted.push("policy_facts.py");
    }
    let ruff = || {
        let mut cmd = Command::new(venv_tool("ruff"));
        cmd.current_dir(&dir);
        cmd
    };
    run(ruff().args(["format", "--isolated", "--check", "--diff"]).args(&formatted));
    run(ruff().args(["check", "--isolated", "--no-cache"]).args(&formatted));
    let flags = [("HAS_LEGACY", !model.legacy_levels().is_empty()), ("HAS_POLICIES", has_policies)];
    mypy(&dir, &files, &flags);

    compare_check(roles_toml, &json, &report(&dir, "check.py", &PROBES));
    if has_policies {
        let expected = policies::write_table(&model, &dir);
        let found = report(&dir, "policies.py", &[]);
        let strings = |key: &str| -> Vec<String> {
            found[key].as_array().into_iter().flatten().filter_map(|v| v.as_str().map(str::to_string)).collect()
        };
        let mut problems = strings("problems");
        let names: Vec<String> = model.policies().iter().map(|p| p.name.clone()).collect();
        if strings("policies") != names {
            problems.push(format!("list(Policy) is {:?}, expected {names:?}", strings("policies")));
        }
        policies::compare(roles_toml, "Python policies (roles.py)", &strings("lines"), &expected, &problems);
    }
    compare_access(roles_toml, &model, &dir);
}

/// roles.py imports nothing but the standard library (SPEC section 10: no dependencies), and
/// documents every deprecated permission as deprecated.
fn standard_library_only(roles_toml: &Path, json: &Model, roles_py: &str) {
    const STANDARD: [&str; 5] = ["__future__", "collections", "dataclasses", "enum", "typing"];
    let imported: Vec<&str> = roles_py
        .lines()
        .map(str::trim_start)
        .filter_map(|l| l.strip_prefix("import ").or_else(|| l.strip_prefix("from ")))
        .map(|rest| rest.split([' ', ',', '.']).next().unwrap_or_default())
        .collect();
    let foreign: Vec<&&str> = imported.iter().filter(|m| !STANDARD.contains(m)).collect();
    assert!(foreign.is_empty(), "{}: roles.py imports {foreign:?}", roles_toml.display());
    assert!(imported.len() >= 4, "{}: roles.py imports {imported:?}", roles_toml.display());
    let deprecated = json.permissions.iter().filter(|p| p.deprecated).count();
    assert_eq!(
        roles_py.matches("#: .. deprecated::").count(),
        deprecated,
        "{}: roles.py documents as deprecated other than the {deprecated} deprecated permission(s)",
        roles_toml.display()
    );
}

/// `[[NAME, value, str, format], …]` as the model's names and numbers give it.
fn members<'a>(items: impl IntoIterator<Item = (&'a str, u32)>) -> Value {
    Value::from(
        items
            .into_iter()
            .map(|(name, value)| serde_json::json!([screaming(name), value, name, name]))
            .collect::<Vec<_>>(),
    )
}

fn compare_check(roles_toml: &Path, model: &Model, report: &Value) {
    let mut m = Mismatches::new("Python (roles.py)");
    for failure in report["failures"].as_array().into_iter().flatten() {
        m.fail(failure.as_str().unwrap_or_default().to_string());
    }
    m.check(
        "Permission members (name, value, str, format), in id order",
        report["permission_members"].clone(),
        members(model.permissions.iter().map(|p| (p.name.as_str(), p.id))),
    );
    m.check(
        "Role members, in id order",
        report["role_members"].clone(),
        members(model.roles.iter().map(|r| (r.name.as_str(), r.id))),
    );
    m.check(
        "EntityType members, in file order",
        report["entity_members"].clone(),
        members(model.entities.iter().map(String::as_str).zip(model.entity_ids.iter().copied())),
    );
    m.check(
        "LegacyRole members, lowest first, numbered from 1",
        report["legacy_members"].clone(),
        members(model.legacy_levels.iter().zip(1..).map(|(n, i)| (n.as_str(), i))),
    );
    m.check(
        "Policy members, in id order",
        report["policy_members"].clone(),
        members(model.policies.iter().map(|(n, id)| (n.as_str(), *id))),
    );
    compare_metadata(&mut m, model, report);
    compare_answers(&mut m, model, report);
    compare_exports(&mut m, model, report);
    m.finish(roles_toml);
}

/// Each permission's, role's and entity type's metadata against its object in roles.json.
fn compare_metadata(m: &mut Mismatches, model: &Model, report: &Value) {
    let pick = |key: &str, fields: &[&str]| -> Value {
        let items = model.json[key].as_array().cloned().unwrap_or_default();
        Value::from(
            items
                .iter()
                .map(|item| {
                    let object: serde_json::Map<String, Value> =
                        fields.iter().map(|f| (f.to_string(), item[*f].clone())).collect();
                    serde_json::json!([item["name"], object])
                })
                .collect::<Vec<_>>(),
        )
    };
    m.check(
        "Permission metadata (id, description, group, entities, deprecated)",
        report["permissions_meta"].clone(),
        pick("permissions", &["id", "description", "group", "entities", "deprecated"]),
    );
    m.check(
        "Role metadata (id, description, direct and effective permissions, includes, assignable_on)",
        report["roles_meta"].clone(),
        pick("roles", &["id", "description", "permissions", "effective_permissions", "includes", "assignable_on"]),
    );
    m.check(
        "EntityType metadata (id, description, parent)",
        report["entities_meta"].clone(),
        pick("entities", &["id", "description", "parent"]),
    );
}

/// `Role.has`, `permissions_of` and every `parse`.
fn compare_answers(m: &mut Mismatches, model: &Model, report: &Value) {
    let expected_has: Vec<Value> = model
        .roles
        .iter()
        .flat_map(|r| model.permissions.iter().map(move |p| (r, p)))
        .map(|(r, p)| serde_json::json!([r.name, p.name, model.role_has(r, &p.name)]))
        .collect();
    m.check("Role.has for every role and permission", report["has"].clone(), Value::from(expected_has));
    let expected_pairs: Vec<Value> = model
        .roles
        .iter()
        .flat_map(|a| model.roles.iter().map(move |b| (a, b)))
        .map(|(a, b)| serde_json::json!([a.name, b.name, model.union_of(&[a, b])]))
        .collect();
    m.check("permissions_of([a, b]) for every pair", report["pairs"].clone(), Value::from(expected_pairs));
    let kinds: [(&str, Vec<&String>); 4] = [
        ("parse_permission", model.permissions.iter().map(|p| &p.name).collect()),
        ("parse_role", model.roles.iter().map(|r| &r.name).collect()),
        ("parse_entity", model.entities.iter().collect()),
        ("parse_legacy", model.legacy_levels.iter().collect()),
    ];
    for (key, names) in kinds {
        let answers = report[key].as_array().cloned().unwrap_or_default();
        if key != "parse_legacy" || !model.legacy_levels.is_empty() {
            m.check(&format!("{key}: probes asked"), answers.len() >= PROBES.len() + names.len(), true);
        }
        for answer in answers {
            let probe = answer[0].as_str().unwrap_or_default();
            let expected = if names.iter().any(|n| *n == probe) { Value::from(probe) } else { Value::Null };
            m.check(&format!("{key}({probe:?})"), answer[1].clone(), expected);
        }
    }
}

/// `__all__`, and the methods of `PolicyFacts`: `legacy_level` and `has_permission` when a policy
/// reads them, and one per custom predicate some policy asks (`async_` for `async`).
fn compare_exports(m: &mut Mismatches, model: &Model, report: &Value) {
    let mut exports = vec![
        "Assignment",
        "EntityRef",
        "EntityType",
        "PathError",
        "PathErrorKind",
        "Permission",
        "Role",
        "check_access",
        "permissions_of",
        "permissions_on",
    ];
    if !model.legacy_levels.is_empty() {
        exports.push("LegacyRole");
    }
    if !model.policies.is_empty() {
        exports.extend(["Decision", "Policy", "PolicyFacts", "RolloutMode"]);
    }
    exports.sort_unstable();
    m.check("__all__ (sorted)", report["exports"].clone(), serde_json::json!(exports));
    let methods: Vec<String> = serde_json::from_value(report["facts_methods"].clone()).unwrap_or_default();
    let mut predicates: Vec<String> = methods
        .iter()
        .filter(|m| !["legacy_level", "has_permission"].contains(&m.as_str()))
        .map(|m| m.strip_suffix('_').unwrap_or(m).to_string())
        .collect();
    predicates.sort();
    let mut used: Vec<String> = model.json["predicates"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["policies"].as_array().is_some_and(|list| !list.is_empty()))
        .filter_map(|p| p["name"].as_str().map(str::to_string))
        .collect();
    used.sort();
    m.check("PolicyFacts: a method per predicate asked (the `_` removed)", predicates, used);
}

/// `tests/programs/access.py` on every scenario of [`access::all`]: each line must be the
/// model's.
fn compare_access(roles_toml: &Path, model: &role_gen::model::Model, dir: &Path) {
    let scenarios = access::all(model);
    let tsv = access::write_tsv(model, &scenarios);
    write(&dir.join("scenarios.tsv"), &tsv);
    let expected = access::expected_lines(model, &scenarios);
    let report = report(dir, "access.py", &[]);
    let mut m = Mismatches::new("Python check_access / permissions_on (roles.py)")
        .against("role-gen's model (Model::check_access, permissions_on)");
    for problem in report["problems"].as_array().into_iter().flatten() {
        m.fail(problem.as_str().unwrap_or_default().to_string());
    }
    let found: Vec<&str> = report["lines"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    m.check("scenarios answered", found.len(), expected.len());
    for ((f, e), scenario) in found.iter().zip(&expected).zip(tsv.lines()) {
        if *f != e.as_str() {
            m.fail(format!("{scenario:?}:\n      found:    {f}\n      expected: {e}"));
        }
    }
    m.finish(roles_toml);
}

/// A few random definitions (`role_gen_tests::synthetic`: entity forests, names of every length,
/// any text): the first four seeds whose definition has a permission, a role and an entity type
/// with a parent.
#[test]
fn synthetic_python() {
    let scratch = Scratch::new("synthetic-python");
    for (seed, path) in synthetic::with_entities(scratch.path()).take(4) {
        python(&path, &format!("synthetic-python-{seed}"));
    }
}

/// A source file named like a PEP 263 encoding declaration (`coding=latin-1`) names itself on
/// roles.py's first line; Python must still read the module as UTF-8 (else every non-ASCII
/// description would silently read as mojibake): the hostile file's answers, under that name.
#[test]
fn a_source_named_like_an_encoding_declaration_is_read_as_utf8() {
    let scratch = Scratch::new("python-coding");
    let roles_toml = scratch.path().join("x coding=latin-1 roles.toml");
    write(&roles_toml, &read(&hostile()));
    let (generated, json) = with_python(&roles_toml, "python-coding-outputs");
    let dir = generated.path().join("python");
    let first = read(&dir.join("roles.py")).lines().next().map(str::to_string).unwrap_or_default();
    assert!(first.contains("latin-1 roles.toml") && !first.contains("coding="), "{first}");
    programs::install("roles_check.py", &dir, "check.py");
    compare_check(&roles_toml, &json, &report(&dir, "check.py", &PROBES));
}
