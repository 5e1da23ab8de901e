//! Rust: `tests/programs/roles_check.rs` around `roles.rs`, compiled with `rustc -D warnings`
//! (edition 2021) and run, its answers compared with `roles.json`; `roles.rs` as a library in
//! edition 2024 (`tests/programs/roles_lib.rs`); `*_policies_rust` runs
//! `tests/programs/policies.rs`, the generated policy evaluators on the table of facts, against
//! role-gen's own model; `scaffolds_compile` builds the output of `role-gen scaffold policies`;
//! [`decisions`] runs the generated `check_access` and `permissions_on` against the model.

// `check_access`, `permissions_on` and their helpers against the model.
#[path = "rust_access.rs"]
mod decisions;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use role_gen_tests::programs::{self, PROBES};
use role_gen_tests::{
    Mismatches, Model, RoleInfo, Scratch, checks, definition, edge, generate_into, hostile, policies, read, run, write,
};

checks! {
    slack_rust: rust(definition("slack"));
    minimal_rust: rust(definition("minimal"));
    hostile_rust: rust(hostile());
    /// No permission, role or entity: empty enums and a zero-word set still compile without
    /// warnings (the checking program itself cannot iterate empty enums without warnings of its
    /// own).
    empty_rust: library_only(edge("empty"));

    slack_policies_rust: policies_rust(definition("slack"));
    minimal_policies_rust: policies_rust(definition("minimal"));
    hostile_policies_rust: policies_rust(hostile());
    edge_policies_without_legacy_rust: policies_rust(edge("policies_without_legacy"));
    edge_policies_predicates_only_rust: policies_rust(edge("policies_predicates_only"));
}

fn rust(roles_toml: &Path, label: &str) {
    let (scratch, model) = Scratch::with_outputs(roles_toml, label);
    let dir = scratch.path();
    assert!(dir.join("roles.rs").is_file(), "{}: no roles.rs generated", roles_toml.display());

    programs::install("roles_check.rs", dir, "main.rs");
    let exe = programs::rust_binary(dir, "main.rs", "check", &[("legacy", !model.legacy_levels.is_empty())]);
    let stdout = run(Command::new(&exe).args(PROBES));

    rust_library(dir, "metadata");

    compare_rust(roles_toml, &model, &stdout);
}

fn library_only(roles_toml: &Path, label: &str) {
    let (scratch, _) = Scratch::with_outputs(roles_toml, label);
    rust_library(scratch.path(), "link");
}

/// The module as SPEC section 4 includes it, `pub mod roles`, in a library of the workspace's
/// edition (2024), with the workspace's own extra lint; `emit` is `metadata` (quick) or `link`.
fn rust_library(dir: &Path, emit: &str) {
    programs::install("roles_lib.rs", dir, "lib2024.rs");
    programs::rust_library(dir, "lib2024.rs", "roles_2024", "2024", emit, &[("scaffold", false)]);
}

/// What the program printed: its lines by kind (the first field), each the rest of its fields.
struct Printed<'a>(BTreeMap<&'a str, Vec<Vec<&'a str>>>);

impl<'a> Printed<'a> {
    fn parse(stdout: &'a str) -> Self {
        let mut lines: BTreeMap<&str, Vec<Vec<&str>>> = BTreeMap::new();
        for line in stdout.lines() {
            let mut fields = line.split('\t');
            let kind = fields.next().unwrap_or_default();
            lines.entry(kind).or_default().push(fields.collect());
        }
        Self(lines)
    }

    /// Every line of `kind`.
    fn all(&self, kind: &str) -> Vec<Vec<&'a str>> {
        self.0.get(kind).cloned().unwrap_or_default()
    }

    /// The first line of `kind`.
    fn one(&self, kind: &str) -> Vec<&'a str> {
        self.all(kind).into_iter().next().unwrap_or_default()
    }

    /// The second field of the first line of `kind` whose first field is `name`.
    fn of(&self, kind: &str, name: &str) -> Option<String> {
        self.all(kind).into_iter().find(|f| f[0] == name).map(|f| f[1].to_string())
    }
}

fn yes(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

fn join(names: &[String]) -> String {
    names.join(",")
}

fn unhex(text: &str) -> String {
    let bytes: Vec<u8> =
        (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap_or(b'?')).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn role<'m>(model: &'m Model, name: &str) -> Option<&'m RoleInfo> {
    model.roles.iter().find(|r| r.name == name)
}

fn compare_rust(roles_toml: &Path, model: &Model, stdout: &str) {
    let mut m = Mismatches::new("Rust (roles.rs)");
    let printed = Printed::parse(stdout);
    compare_permissions(&mut m, model, &printed);
    compare_roles(&mut m, model, &printed);
    compare_grants(&mut m, model, &printed);
    compare_sets(&mut m, model, &printed);
    compare_lookups(&mut m, model, &printed);
    compare_statics(&mut m, model, &printed);
    m.finish(roles_toml);
}

/// Permissions: ALL in id order, ids, discriminants, round trips, Display, descriptions.
fn compare_permissions(m: &mut Mismatches, model: &Model, printed: &Printed<'_>) {
    let permissions = printed.all("permission");
    compare_all(m, printed, "Permission", "permission", model.permissions.iter().map(|p| p.name.clone()).collect());
    for (f, p) in permissions.iter().zip(&model.permissions) {
        let n = &p.name;
        m.check(&format!("Permission {n}: id()"), f[1], &p.id.to_string());
        m.check(&format!("Permission {n}: `as u32` (discriminant)"), f[2], &p.id.to_string());
        m.check(&format!("Permission {n}: from_id(id()) round trip"), f[3], "true");
        m.check(&format!("Permission {n}: as_str().parse() round trip"), f[4], "true");
        m.check(&format!("Permission {n}: Display"), f[5], n);
        m.check(&format!("Permission {n}: description()"), unhex(f[6]), p.description.clone());
    }
    for f in printed.all("permission_entities") {
        let p = model.permission(f[0]);
        let found: Vec<String> = f[1].split(',').filter(|s| !s.is_empty()).map(str::to_string).collect();
        // `entities` absent means every entity type; the JSON may list them or leave it empty.
        if found != p.entities {
            m.check(&format!("Permission {}: entities()", p.name), found, model.permission_entities(p));
        }
    }
    all_true(m, printed, &["permission_requires", "permission_debug", "permission_parse_variant"]);
}

/// `<name>::ALL`, printed as the first field of the `<kind>` lines and as `<kind>_count` and
/// `<kind>_ord`: the names in id order, its length (also collected into a `BTreeSet` and a
/// `HashSet`: no two equal), and `Ord` following it.
fn compare_all(m: &mut Mismatches, printed: &Printed<'_>, name: &str, kind: &str, names: Vec<String>) {
    m.check(
        &format!("{name}::ALL (names, in order)"),
        printed.all(kind).iter().map(|f| f[0].to_string()).collect::<Vec<_>>(),
        names.clone(),
    );
    let n = names.len().to_string();
    m.check(&format!("{name}::ALL.len(), BTreeSet, HashSet"), printed.one(&format!("{kind}_count")), vec![&n, &n, &n]);
    m.check(&format!("{name}: Ord follows ALL (id) order"), printed.one(&format!("{kind}_ord")), vec!["true"]);
}

/// Lines of `kinds` whose second field must be `true`.
fn all_true(m: &mut Mismatches, printed: &Printed<'_>, kinds: &[&str]) {
    for kind in kinds {
        for f in printed.all(kind) {
            m.check(&format!("{kind} {}", f[0]), f[1], "true");
        }
    }
}

/// Roles: ALL in id order, ids, round trips, Display, descriptions.
fn compare_roles(m: &mut Mismatches, model: &Model, printed: &Printed<'_>) {
    let roles = printed.all("role");
    compare_all(m, printed, "Role", "role", model.roles.iter().map(|r| r.name.clone()).collect());
    for (f, r) in roles.iter().zip(&model.roles) {
        let n = &r.name;
        m.check(&format!("Role {n}: id()"), f[1], &r.id.to_string());
        m.check(&format!("Role {n}: from_id(id()) round trip"), f[2], "true");
        m.check(&format!("Role {n}: as_str().parse() round trip"), f[3], "true");
        m.check(&format!("Role {n}: Display"), f[4], n);
        m.check(&format!("Role {n}: description()"), unhex(f[5]), r.description.clone());
    }
    all_true(m, printed, &["role_debug", "role_parse_variant"]);
}

/// Every role × permission, and each role's lists: effective and direct permissions,
/// includes, the entity types it may be assigned on.
fn compare_grants(m: &mut Mismatches, model: &Model, printed: &Printed<'_>) {
    let mut seen = 0;
    for f in printed.all("has") {
        let Some(role) = role(model, f[0]) else {
            m.fail(format!("has: unknown role {}", f[0]));
            continue;
        };
        let expected = yes(model.role_has(role, f[1]));
        m.check(&format!("Role::{}.has({})", f[0], f[1]), f[2], expected);
        m.check(&format!("Role::{}.permissions().contains({})", f[0], f[1]), f[3], expected);
        seen += 1;
    }
    m.check("role × permission answers printed", seen, model.roles.len() * model.permissions.len());

    for r in &model.roles {
        let n = &r.name;
        let effective = Some(join(&r.effective_permissions));
        m.check(
            &format!("Role {n}: permissions().iter() (effective, id order)"),
            printed.of("effective", n),
            effective.clone(),
        );
        m.check(
            &format!("Role {n}: permissions().len()"),
            printed.of("effective_len", n),
            Some(r.effective_permissions.len().to_string()),
        );
        m.check(
            &format!("Role {n}: FromIterator<Permission> of its permissions"),
            printed.of("collected", n),
            effective,
        );
        // Lists the JSON may hold in another order: printed in id order, that order is checked.
        let direct_in_id_order: Vec<String> =
            model.permissions.iter().filter(|p| r.permissions.contains(&p.name)).map(|p| p.name.clone()).collect();
        let includes_in_id_order: Vec<String> =
            model.roles.iter().filter(|x| r.includes.contains(&x.name)).map(|x| x.name.clone()).collect();
        for (kind, call, as_listed, expected) in [
            ("direct", "direct_permissions()", &r.permissions, direct_in_id_order),
            ("includes", "includes()", &r.includes, includes_in_id_order),
            ("assignable_on", "assignable_on()", &r.assignable_on, model.role_assignable_on(r)),
        ] {
            let found = printed.of(kind, n);
            if found != Some(join(as_listed)) {
                m.check(&format!("Role {n}: {call}"), found, Some(join(&expected)));
            }
        }
    }
}

/// `PermissionSet`: `of_roles` and `union` for every pair of roles, the empty and full sets,
/// and its size (one bit per permission).
fn compare_sets(m: &mut Mismatches, model: &Model, printed: &Printed<'_>) {
    let mut pairs = 0;
    for f in printed.all("of_roles") {
        let (Some(a), Some(b)) = (role(model, f[0]), role(model, f[1])) else {
            m.fail(format!("of_roles: unknown role in {f:?}"));
            continue;
        };
        let expected = join(&model.union_of(&[a, b]));
        m.check(&format!("PermissionSet::of_roles(&[{}, {}])", f[0], f[1]), f[2], &expected);
        m.check(&format!("Role::{}.permissions().union(Role::{}.permissions())", f[0], f[1]), f[3], &expected);
        pairs += 1;
    }
    m.check("role pairs printed", pairs, model.roles.len() * model.roles.len());
    m.check("PermissionSet::EMPTY (len, items)", printed.one("set_empty"), vec!["0", ""]);
    m.check("PermissionSet::of_roles(&[])", printed.one("set_of_no_roles"), vec![""]);
    let all_roles: Vec<&RoleInfo> = model.roles.iter().collect();
    let union_all = join(&model.union_of(&all_roles));
    m.check("PermissionSet::of_roles(Role::ALL)", printed.one("set_of_all_roles"), vec![union_all.as_str()]);
    let all_names: Vec<String> = model.permissions.iter().map(|p| p.name.clone()).collect();
    let all_len = all_names.len().to_string();
    let all_joined = join(&all_names);
    m.check(
        "Permission::ALL collected into a PermissionSet (len, items)",
        printed.one("set_all"),
        vec![all_len.as_str(), all_joined.as_str()],
    );

    // One bit per permission, in ⌈n/64⌉ words, however sparse the ids.
    let words = model.permissions.len().div_ceil(64);
    let size = printed.one("set_size").first().map(|s| s.to_string()).unwrap_or_default();
    if !(size == (words * 8).to_string() || (words == 0 && size == "8")) {
        m.fail(format!(
            "size_of::<PermissionSet>() is {size} bytes; {} permissions need {words} 64-bit word(s)",
            model.permissions.len()
        ));
    }
}

/// `from_id` over 0..=70000 and u32::MAX hits exactly the ids of roles.json; `FromStr` of the
/// probes finds exactly the names of roles.json.
fn compare_lookups(m: &mut Mismatches, model: &Model, printed: &Printed<'_>) {
    let from_id = |kind: &str| -> Vec<(String, String)> {
        printed.all(kind).into_iter().map(|f| (f[0].to_string(), f[1].to_string())).collect()
    };
    m.check(
        "Permission::from_id hits over 0..=70000 and u32::MAX",
        from_id("permission_from_id"),
        model.permissions.iter().map(|p| (p.id.to_string(), p.name.clone())).collect(),
    );
    m.check(
        "Role::from_id hits over 0..=70000 and u32::MAX",
        from_id("role_from_id"),
        model.roles.iter().map(|r| (r.id.to_string(), r.name.clone())).collect(),
    );
    let mut entities: Vec<(u32, &String)> = model.entity_ids.iter().copied().zip(&model.entities).collect();
    entities.sort();
    m.check(
        "EntityType::from_id hits over 0..=70000 and u32::MAX",
        from_id("entity_from_id"),
        entities.iter().map(|(id, name)| (id.to_string(), name.to_string())).collect(),
    );
    for f in printed.all("parse") {
        let probe = unhex(f[0]);
        let p = if model.permissions.iter().any(|p| p.name == probe) { probe.as_str() } else { "-" };
        let r = if model.roles.iter().any(|r| r.name == probe) { probe.as_str() } else { "-" };
        m.check(&format!("{probe:?}.parse::<Permission>()"), f[1], p);
        m.check(&format!("{probe:?}.parse::<Role>()"), f[2], r);
    }
    let errors = printed.all("parse_error");
    m.check("UnknownName: a parse error per rejected probe (and the two extra)", errors.len() >= 2, true);
    for f in errors {
        let probe = unhex(f[0]);
        let mut kept = probe.len().min(64);
        while !probe.is_char_boundary(kept) {
            kept -= 1;
        }
        let value = &probe[..kept];
        let truncated = kept < probe.len();
        let escaped: String = value.chars().flat_map(char::escape_debug).collect();
        let shown = format!("unknown permission name \"{escaped}\"{}", if truncated { " (truncated)" } else { "" });
        m.check(&format!("{probe:?}.parse::<Permission>(): the error's Display"), unhex(f[1]), shown);
        m.check(&format!("{probe:?}: UnknownName::kind"), f[2], "permission");
        m.check(&format!("{probe:?}: UnknownName::value"), unhex(f[3]), value.to_string());
        m.check(&format!("{probe:?}: UnknownName::is_truncated"), f[4], if truncated { "true" } else { "false" });
        m.check(&format!("{probe:?}: UnknownName is Copy, Clone, Eq, Debug"), f[5], "true");
    }
}

/// `EntityType::ALL`, `LegacyRole::ALL`, and the const fns evaluated at compile time.
fn compare_statics(m: &mut Mismatches, model: &Model, printed: &Printed<'_>) {
    m.check("EntityType::ALL (names, in file order)", printed.one("entities"), vec![join(&model.entities).as_str()]);
    let ids: Vec<String> = model.entity_ids.iter().map(u32::to_string).collect();
    m.check("EntityType::id() of ALL (numbers)", printed.one("entity_ids"), vec![ids.join(",").as_str()]);
    if !model.legacy_levels.is_empty() {
        let levels = join(&model.legacy_levels);
        m.check("LegacyRole::ALL (names, lowest first)", printed.one("legacy"), vec![levels.as_str()]);
        m.check("LegacyRole: Ord follows ALL order", printed.one("legacy_ordered"), vec!["true"]);
    }
    let expected_const = match (model.roles.first(), model.permissions.first()) {
        (Some(r), Some(p)) => {
            let has = yes(model.role_has(r, &p.name));
            vec![p.id.to_string(), p.name.len().to_string(), has.to_string(), has.to_string()]
        }
        (None, Some(p)) => {
            vec![p.id.to_string(), p.name.len().to_string(), "false".into(), "false".into()]
        }
        _ => vec!["0".into(), "0".into(), "false".into(), "false".into()],
    };
    m.check(
        "const fns in a const context (first permission's id, its name's len, first role has it, contains)",
        printed.one("const_fns").into_iter().map(str::to_string).collect::<Vec<_>>(),
        expected_const,
    );
}

fn policies_rust(roles_toml: &Path, label: &str) {
    let model = policies::model(roles_toml);
    let (scratch, _) = Scratch::with_outputs(roles_toml, label);
    let dir = scratch.path();
    if model.policies().is_empty() {
        // No policy, no policy code: the module stays as it was (and compiles, see `*_rust`).
        let roles_rs = read(&dir.join("roles.rs"));
        for item in ["enum Policy", "trait PolicyFacts", "struct Decision", "enum RolloutMode"] {
            assert!(!roles_rs.contains(item), "{}: roles.rs has `{item}` without policies", roles_toml.display());
        }
        return;
    }
    let expected = policies::write_table(&model, dir);
    programs::install("policies.rs", dir, "policies.rs");
    write(&dir.join("facts.rs"), &facts_invocation(&model));
    let cfgs = [
        ("uses_legacy", model.policies().iter().any(role_gen::model::Policy::uses_legacy)),
        ("uses_permissions", model.policies().iter().any(role_gen::model::Policy::uses_permissions)),
    ];
    let exe = programs::rust_binary(dir, "policies.rs", "policies", &cfgs);
    let stdout = run(Command::new(&exe).current_dir(dir));
    let (mut problems, found): (Vec<String>, Vec<String>) =
        stdout.lines().map(str::to_string).partition(|l| l.starts_with("problem\t"));
    let (statics, found): (Vec<String>, Vec<String>) = found.into_iter().partition(|l| l.starts_with("policy\t"));
    let expected_statics: Vec<String> = model
        .policies()
        .iter()
        .map(|p| {
            let names: Vec<String> = p.rules.iter().map(|r| model.rule_name(&r.kind)).collect();
            let entity = &model.entities()[p.entity].name;
            format!("policy\t{}\t{}\t{entity}\t{}\ttrue", p.name, p.id, names.join("|"))
        })
        .collect();
    if statics != expected_statics {
        problems.push(format!(
            "Policy::ALL, id(), entity(), rule_names(), from_id(id()):\n  found {statics:?}\n  expected {expected_statics:?}"
        ));
    }
    policies::compare(roles_toml, "Rust policies (roles.rs)", &found, &expected, &problems);
}

/// `facts.rs` for `tests/programs/policies.rs`: the `facts!` invocation naming the definition's
/// predicates (the `PolicyFacts` method, the name the table uses) and policies (the `Policy`
/// variant, its `evaluate_<policy>` function).
fn facts_invocation(model: &role_gen::Model) -> String {
    let mut text = String::from("facts! {\n    predicates: [\n");
    for q in model.used_predicates() {
        let _ = writeln!(text, "        {} = {q:?},", role_gen::names::rust_fn(q));
    }
    text.push_str("    ],\n    policies: [\n");
    for p in model.policies() {
        let _ = writeln!(text, "        {} => evaluate_{},", role_gen::names::rust_variant(&p.name), p.name);
    }
    text.push_str("    ]\n}\n");
    text
}

/// `role-gen scaffold policies` output compiles against the generated roles.rs, in edition 2021
/// and 2024, with every warning an error, for every definition with policies.
#[test]
fn scaffolds_compile() {
    for roles_toml in
        [definition("slack"), hostile(), edge("policies_without_legacy"), edge("policies_predicates_only")]
    {
        let model = policies::model(&roles_toml);
        let scratch = Scratch::new("scaffold");
        let dir = scratch.path();
        generate_into(&roles_toml, dir);
        let scaffold = role_gen::render::scaffold_policies(&model, role_gen::render::ScaffoldLanguage::Rust)
            .unwrap_or_else(|e| panic!("{}: the scaffold does not render: {e}", roles_toml.display()))
            .unwrap_or_else(|| panic!("{}: no scaffold for a definition with policies", roles_toml.display()));
        write(&dir.join("policy_facts.rs"), &scaffold);
        programs::install("roles_lib.rs", dir, "lib.rs");
        for edition in ["2021", "2024"] {
            programs::rust_library(dir, "lib.rs", "scaffold", edition, "metadata", &[("scaffold", true)]);
        }
    }
    let minimal = policies::model(&definition("minimal"));
    assert!(
        matches!(role_gen::render::scaffold_policies(&minimal, role_gen::render::ScaffoldLanguage::Rust), Ok(None)),
        "minimal has no policies"
    );
}
