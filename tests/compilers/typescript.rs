//! TypeScript: `roles.ts` compiled by the pinned `tsc --strict` alone (exactly as SPEC section 2
//! says) and with `tests/programs/roles_check.ts`, which node runs and whose report is compared
//! with `roles.json`; `*_typescript_strictest` compiles it under the stricter options real
//! projects turn on; `*_policies_typescript` runs `tests/programs/policies.ts`, the generated
//! policy evaluators on the table of facts, against role-gen's own model; `*_access_typescript`
//! runs `tests/programs/access.ts`, the generated `checkAccess` and `permissionsOn` on every
//! scenario of `role_gen_tests::access` (clean, and with `Object.prototype` polluted), against
//! role-gen's own model.

use std::path::Path;
use std::process::Command;

use role_gen_tests::programs::{self, PROBES};
use role_gen_tests::{
    Mismatches, Model, Scratch, access, checks, copy, definition, edge, hostile, policies, read, run, screaming,
    synthetic, tool, write,
};
use serde_json::Value;

checks! {
    slack_typescript: typescript(definition("slack"));
    minimal_typescript: typescript(definition("minimal"));
    hostile_typescript: typescript(hostile());
    edge_quotes_typescript: typescript(edge("quotes"));

    slack_typescript_strictest: typescript_strictest(definition("slack"));
    minimal_typescript_strictest: typescript_strictest(definition("minimal"));
    hostile_typescript_strictest: typescript_strictest(hostile());
    empty_typescript_strictest: typescript_strictest(edge("empty"));
    edge_policies_without_legacy_typescript_strictest: typescript_strictest(edge("policies_without_legacy"));
    edge_policies_predicates_only_typescript_strictest: typescript_strictest(edge("policies_predicates_only"));
    edge_quotes_typescript_strictest: typescript_strictest(edge("quotes"));

    slack_policies_typescript: policies_typescript(definition("slack"));
    minimal_policies_typescript: policies_typescript(definition("minimal"));
    hostile_policies_typescript: policies_typescript(hostile());
    edge_policies_without_legacy_typescript: policies_typescript(edge("policies_without_legacy"));
    edge_policies_predicates_only_typescript: policies_typescript(edge("policies_predicates_only"));

    slack_access_typescript: access_typescript(definition("slack"));
    minimal_access_typescript: access_typescript(definition("minimal"));
    hostile_access_typescript: access_typescript(hostile());
    empty_access_typescript: access_typescript(edge("empty"));
    edge_policies_without_legacy_access_typescript: access_typescript(edge("policies_without_legacy"));
    edge_policies_predicates_only_access_typescript: access_typescript(edge("policies_predicates_only"));
    edge_quotes_access_typescript: access_typescript(edge("quotes"));
}

fn typescript(roles_toml: &Path, label: &str) {
    let tsc = tool("tsc");
    let (scratch, model) = Scratch::with_outputs(roles_toml, label);
    let dir = scratch.path();
    let roles_ts = read(&dir.join("roles.ts"));
    let deprecated = model.permissions.iter().filter(|p| p.deprecated).count();
    assert!(
        roles_ts.matches("@deprecated").count() >= deprecated,
        "{}: roles.ts has fewer `@deprecated` tags than the {deprecated} deprecated permission(s)",
        roles_toml.display()
    );
    let imports: Vec<&str> = roles_ts
        .lines()
        .filter(|l| {
            let l = l.trim_start();
            l.starts_with("import ") || l.starts_with("import{") || l.starts_with("export * from")
        })
        .collect();
    assert!(imports.is_empty(), "{}: roles.ts has dependencies: {imports:?}", roles_toml.display());

    // roles.ts alone, exactly as SPEC section 2 says; and with the least library it needs: ES5,
    // and ES2015's `Set` for `permissionsOn` (its `ReadonlySet<Permission>`).
    let alone = dir.join("alone");
    write(&alone.join("roles.ts"), &roles_ts);
    run(Command::new(&tsc).current_dir(&alone).args(["--strict", "--noEmit", "roles.ts"]));
    run(Command::new(&tsc).current_dir(&alone).args([
        "--strict",
        "--noEmit",
        "--lib",
        "es5,es2015.collection",
        "roles.ts",
    ]));

    // A program that imports it, compiled to ES modules and run by node.
    let project = dir.join("ts");
    programs::typescript_project(&project, &dir.join("roles.ts"), "roles_check.ts");
    let report = programs::node_report(&project, &PROBES);
    compare_typescript(roles_toml, &model, &report);
}

/// `roles.ts` is compiled as part of its users' projects, under their options: here the
/// stricter ones real projects turn on (`@tsconfig/strictest` and node's type stripping;
/// `tests/programs/tsconfig.strictest.json`).
fn typescript_strictest(roles_toml: &Path, label: &str) {
    let tsc = tool("tsc");
    let (scratch, _model) = Scratch::with_outputs(roles_toml, label);
    let dir = scratch.path().join("strictest");
    copy(&scratch.path().join("roles.ts"), &dir.join("roles.ts"));
    programs::install("tsconfig.strictest.json", &dir, "tsconfig.json");
    programs::install("package.json", &dir, "package.json");
    run(Command::new(&tsc).current_dir(&dir).args(["-p", "tsconfig.json"]));
}

fn pairs_of(value: &Value) -> Vec<(String, Value)> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|pair| {
                    let key = pair.get(0).and_then(Value::as_str).unwrap_or_default().to_string();
                    (key, pair.get(1).cloned().unwrap_or(Value::Null))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn compare_typescript(roles_toml: &Path, model: &Model, report: &Value) {
    let mut m = Mismatches::new("TypeScript (roles.ts)");
    if let Some(failures) = report["failures"].as_array() {
        for failure in failures {
            m.fail(failure.as_str().unwrap_or_default().to_string());
        }
    }
    compare_tables(&mut m, model, report);
    compare_metadata(&mut m, model, report);
    compare_has_permission(&mut m, model, report);
    compare_guards(&mut m, model, report);
    m.finish(roles_toml);
}

fn permission_names(model: &Model) -> Vec<String> {
    model.permissions.iter().map(|p| p.name.clone()).collect()
}

fn role_names(model: &Model) -> Vec<String> {
    model.roles.iter().map(|r| r.name.clone()).collect()
}

/// The enum objects (keys and values) and the id and permission tables.
fn compare_tables(m: &mut Mismatches, model: &Model, report: &Value) {
    let key_value = |names: &[String]| -> Vec<(String, Value)> {
        names.iter().map(|n| (screaming(n), Value::from(n.as_str()))).collect()
    };
    m.check(
        "Permission (keys and values, in id order)",
        pairs_of(&report["permission_keys"]),
        key_value(&permission_names(model)),
    );
    m.check("Role (keys and values, in id order)", pairs_of(&report["role_keys"]), key_value(&role_names(model)));
    m.check(
        "EntityType (keys and values, in file order)",
        pairs_of(&report["entity_keys"]),
        key_value(&model.entities),
    );
    m.check(
        "LegacyRole (keys and values, lowest first)",
        pairs_of(&report["legacy_keys"]),
        key_value(&model.legacy_levels),
    );
    // Without `[legacy]`, no `LegacyRole` at all (as in Rust and protobuf), not an empty one.
    let legacy_exports: &[&str] = if model.legacy_levels.is_empty() { &[] } else { &["LEGACY_LEVELS", "LegacyRole"] };
    let mut exported: Vec<String> = serde_json::from_value(report["legacy_exports"].clone()).unwrap_or_default();
    exported.sort();
    m.check("LegacyRole and LEGACY_LEVELS exported", exported, legacy_exports.iter().map(|s| s.to_string()).collect());
    m.check("Object.values(EntityType)", report["entity_values"].clone(), Value::from(model.entities.clone()));
    m.check(
        "PERMISSION_IDS",
        pairs_of(&report["permission_ids"]),
        model.permissions.iter().map(|p| (p.name.clone(), Value::from(p.id))).collect(),
    );
    m.check(
        "ROLE_IDS",
        pairs_of(&report["role_ids"]),
        model.roles.iter().map(|r| (r.name.clone(), Value::from(r.id))).collect(),
    );
    m.check(
        "ENTITY_TYPE_IDS (in file order)",
        pairs_of(&report["entity_ids"]),
        model.entities.iter().zip(&model.entity_ids).map(|(n, id)| (n.clone(), Value::from(*id))).collect(),
    );
    m.check(
        "POLICY_IDS (in id order; absent without policies)",
        pairs_of(&report["policy_ids"]),
        model.policies.iter().map(|(n, id)| (n.clone(), Value::from(*id))).collect(),
    );
    m.check(
        "ROLE_PERMISSIONS (effective, in id order)",
        pairs_of(&report["role_permissions"]),
        model.roles.iter().map(|r| (r.name.clone(), Value::from(r.effective_permissions.clone()))).collect(),
    );
}

/// `PERMISSIONS`, `ROLES` and `ENTITY_PARENTS` (entries, in output order) against roles.json:
/// the same members, values and order, renamed as TypeScript spells them.
fn compare_metadata(m: &mut Mismatches, model: &Model, report: &Value) {
    let items = |key: &str| model.json[key].as_array().cloned().unwrap_or_default();
    let pick = |item: &Value, fields: &[(&str, &str)]| -> (String, Value) {
        let object = fields.iter().map(|(ts, json)| (ts.to_string(), item[*json].clone())).collect();
        (item["name"].as_str().unwrap_or_default().to_string(), Value::Object(object))
    };
    let permission = [("id", "id"), ("description", "description"), ("group", "group"), ("entities", "entities")];
    m.check(
        "PERMISSIONS (in id order)",
        pairs_of(&report["permissions_meta"]),
        items("permissions")
            .iter()
            .map(|p| pick(p, &[permission.as_slice(), &[("deprecated", "deprecated")]].concat()))
            .collect(),
    );
    let role = [
        ("id", "id"),
        ("description", "description"),
        ("includes", "includes"),
        ("assignableOn", "assignable_on"),
        ("permissions", "effective_permissions"),
    ];
    m.check(
        "ROLES (in id order; permissions: the effective ones)",
        pairs_of(&report["roles_meta"]),
        items("roles").iter().map(|r| pick(r, &role)).collect(),
    );
    m.check(
        "ENTITY_PARENTS (in file order)",
        pairs_of(&report["entity_parents"]),
        items("entities")
            .iter()
            .map(|e| (e["name"].as_str().unwrap_or_default().to_string(), e["parent"].clone()))
            .collect(),
    );
}

/// `hasPermission` for every role × permission, alone and in a list, and for every pair.
fn compare_has_permission(m: &mut Mismatches, model: &Model, report: &Value) {
    for (key, call) in [("has", "hasPermission(role, p)"), ("has_one", "hasPermission([role], p)")] {
        let answers = report[key].as_array().cloned().unwrap_or_default();
        m.check(&format!("{call}: answers printed"), answers.len(), model.roles.len() * model.permissions.len());
        for answer in &answers {
            let role = answer[0].as_str().unwrap_or_default();
            let permission = answer[1].as_str().unwrap_or_default();
            let Some(r) = model.roles.iter().find(|r| r.name == role) else {
                m.fail(format!("{call}: unknown role {role}"));
                continue;
            };
            m.check(
                &format!("{call} for {role}, {permission}"),
                answer[2].clone(),
                Value::from(model.role_has(r, permission)),
            );
        }
    }

    let pairs = report["pairs"].as_array().cloned().unwrap_or_default();
    m.check("hasPermission([a, b], p): pairs printed", pairs.len(), model.roles.len() * model.roles.len());
    for pair in &pairs {
        let (a, b) = (pair[0].as_str().unwrap_or_default(), pair[1].as_str().unwrap_or_default());
        let (Some(ra), Some(rb)) = (model.roles.iter().find(|r| r.name == a), model.roles.iter().find(|r| r.name == b))
        else {
            m.fail(format!("pairs: unknown role in {pair}"));
            continue;
        };
        m.check(
            &format!("hasPermission([{a}, {b}], p) holds exactly"),
            pair[2].clone(),
            Value::from(model.union_of(&[ra, rb])),
        );
    }
}

/// `isPermission` and `isRole` on every probe, and the narrowing they give.
fn compare_guards(m: &mut Mismatches, model: &Model, report: &Value) {
    let (permission_names, role_names) = (permission_names(model), role_names(model));
    for (probe, answer) in pairs_of(&report["narrowed"]) {
        let known = permission_names.contains(&probe) || role_names.contains(&probe);
        let expected = if known { Value::from(probe.as_str()) } else { Value::Null };
        m.check(&format!("isPermission/isRole narrowing of {probe:?}"), answer, expected);
    }
    for (key, call, names) in [("is_permission", "isPermission", &permission_names), ("is_role", "isRole", &role_names)]
    {
        for (probe, answer) in pairs_of(&report[key]) {
            m.check(&format!("{call}({probe:?})"), answer, Value::from(names.contains(&probe)));
        }
    }
}

fn policies_typescript(roles_toml: &Path, label: &str) {
    let model = policies::model(roles_toml);
    let (scratch, _) = Scratch::with_outputs(roles_toml, label);
    let dir = scratch.path();
    let project = dir.join("ts");
    let program = if model.policies().is_empty() { "policies_none.ts" } else { "policies.ts" };
    let expected = policies::write_table(&model, &project);
    programs::typescript_project(&project, &dir.join("roles.ts"), program);
    let report = programs::node_report(&project, &[]);
    let strings = |key: &str| -> Vec<String> {
        report[key].as_array().into_iter().flatten().filter_map(|v| v.as_str().map(str::to_string)).collect()
    };
    let mut problems = strings("problems");
    let names: Vec<String> = model.policies().iter().map(|p| p.name.clone()).collect();
    if strings("policies") != names {
        problems.push(format!("Object.values(Policy) is {:?}, expected {names:?}", strings("policies")));
    }
    policies::compare(roles_toml, "TypeScript policies (roles.ts)", &strings("lines"), &expected, &problems);
}

/// `tests/programs/access.ts` on every scenario of [`access::all`] (every target × role ×
/// placement × permission, every path error, 2,000 random assignment sets): once as a caller
/// asks, once with `Object.prototype` polluted before roles.js loads and while it answers. Each
/// run's lines must be the model's, and its metadata objects roles.json's.
fn access_typescript(roles_toml: &Path, label: &str) {
    let model = policies::model(roles_toml);
    let (scratch, json) = Scratch::with_outputs(roles_toml, label);
    let project = scratch.path().join("ts");
    let scenarios = access::all(&model);
    let tsv = access::write_tsv(&model, &scenarios);
    write(&project.join("scenarios.tsv"), &tsv);
    let expected = access::expected_lines(&model, &scenarios);
    programs::typescript_project(&project, &scratch.path().join("roles.ts"), "access.ts");
    let asked: Vec<&str> = tsv.lines().collect();
    for mode in ["", "polluted"] {
        let args: &[&str] = if mode.is_empty() { &[] } else { &[mode] };
        let report = programs::node_report(&project, args);
        let target = if mode.is_empty() {
            "TypeScript checkAccess / permissionsOn (roles.ts)".to_string()
        } else {
            "TypeScript checkAccess / permissionsOn (roles.ts), with Object.prototype polluted,".to_string()
        };
        let mut m = Mismatches::new(&target).against("role-gen's model (Model::check_access, permissions_on)");
        for problem in report["problems"].as_array().into_iter().flatten() {
            m.fail(problem.as_str().unwrap_or_default().to_string());
        }
        let found: Vec<&str> = report["lines"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        // Polluted, the program asks every `stride`-th scenario.
        let stride = report["stride"].as_u64().and_then(|n| usize::try_from(n).ok()).unwrap_or(1).max(1);
        if mode.is_empty() {
            m.check("stride", stride, 1);
        }
        let expected: Vec<&String> = expected.iter().step_by(stride).collect();
        let asked: Vec<&&str> = asked.iter().step_by(stride).collect();
        m.check("scenarios answered", found.len(), expected.len());
        for ((f, e), scenario) in found.iter().zip(&expected).zip(&asked) {
            if *f != e.as_str() {
                m.fail(format!("{scenario:?}:\n      found:    {f}\n      expected: {e}"));
            }
        }
        compare_metadata(&mut m, &json, &report);
        m.finish(roles_toml);
    }
}

/// A few random definitions (`role_gen_tests::synthetic`: entity forests, names of every
/// length, any text): the first seeds whose definition has a permission, a role and an entity
/// type with a parent.
#[test]
fn synthetic_access_typescript() {
    let scratch = Scratch::new("synthetic-access-ts");
    for (seed, path) in synthetic::with_entities(scratch.path()).take(4) {
        access_typescript(&path, &format!("synthetic-access-{seed}"));
    }
}
