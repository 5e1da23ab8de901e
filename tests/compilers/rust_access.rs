//! Decisions on entities in Rust (SPEC section 7): `tests/programs/access.rs` runs the generated
//! `check_access` and `permissions_on` on every scenario of `role_gen_tests::access` (every
//! target × role × placement × permission, every path error, 2,000 random assignment sets) and
//! prints its answers and the helpers' (ancestors, `is_within`, `applies_to`, `assignable_to`,
//! `group`, `is_deprecated`, the set algebra); each line is compared with role-gen's own model
//! (`Model::check_access`, `permissions_on`, `PathError::describe`).
//!
//! One rustc run builds every definition of a test: `main.rs` holds a module per definition
//! (`d0`, `d1`, …), each the definition's `roles.rs` and the program. The same modules are built
//! as a `#![no_std]`, `#![forbid(unsafe_code)]` library: the generated code cannot allocate.
//!
//! `slack_cases_rust` runs `tests/programs/access_slack.rs`: the seed's cases on Slack, and
//! every path error with its fields and message, one by one.
//!
//! `random_definitions_access_rust` does the same over random definitions (random entity
//! forests, `role_gen_tests::synthetic`); `mutants_are_caught` holds the comparison to account:
//! each mutation of a generated `roles.rs` (a role losing a permission, `assignable_on`
//! ignored, the last grant deciding instead of the first, a path check or the target check
//! dropped) must make it fail.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use role_gen::Model;
use role_gen::model::{EntityIdx, PathError, PermSet};
use role_gen_tests::access::{self, Question, Scenario};
use role_gen_tests::programs;
use role_gen_tests::{
    Mismatches, Scratch, checks, definition, edge, generate_into, hostile, policies, read, run, write,
};

checks! {
    slack_access_rust: access_rust(definition("slack"));
    minimal_access_rust: access_rust(definition("minimal"));
    hostile_access_rust: access_rust(hostile());
    edge_policies_without_legacy_access_rust: access_rust(edge("policies_without_legacy"));
    edge_policies_predicates_only_access_rust: access_rust(edge("policies_predicates_only"));
    /// No entity, permission or role: the decisions compile in `no_std` without warnings (the
    /// program cannot iterate empty enums without warnings of its own).
    empty_access_rust: no_std_only(edge("empty"));
}

/// How many random definitions `random_definitions_access_rust` runs (`ROLE_GEN_ACCESS_SEEDS`
/// to run more).
fn seeds() -> usize {
    std::env::var("ROLE_GEN_ACCESS_SEEDS").ok().and_then(|n| n.parse().ok()).unwrap_or(8)
}

/// One definition of a test: where it comes from, its model, its scenarios, its folder (`dN`).
struct Case {
    roles_toml: PathBuf,
    model: Model,
    scenarios: Vec<Scenario>,
    folder: String,
}

fn access_rust(roles_toml: &Path, label: &str) {
    let scratch = Scratch::new(label);
    let cases = prepare(scratch.path(), &[roles_toml.to_path_buf()]);
    let exe = build(scratch.path(), &cases);
    for case in &cases {
        let stdout = run(Command::new(&exe).current_dir(scratch.path()).arg(&case.folder));
        let m = compare(case, &stdout);
        m.finish(&case.roles_toml);
        assert_path_errors_seen(case, &stdout);
    }
}

fn no_std_only(roles_toml: &Path, label: &str) {
    let scratch = Scratch::new(label);
    generate_into(roles_toml, &scratch.path().join("d0"));
    no_std_library(scratch.path(), &["d0".to_string()]);
}

/// Random definitions, each with random entity forests: only those with an entity, a
/// permission and a role run the program (the others have no scenario), but every one builds
/// in `no_std`.
#[test]
fn random_definitions_access_rust() {
    let scratch = Scratch::new("random_access_rust");
    let dir = scratch.path();
    let ids = role_gen_tests::synthetic::policies_have_ids();
    let mut runnable = Vec::new();
    let mut all = Vec::new();
    let mut seed = 0u64;
    while runnable.len() < seeds() {
        let roles_toml = dir.join(format!("seed-{seed}")).join("roles.toml");
        // Without serde's derives, which need the serde crate.
        let text = role_gen_tests::synthetic::definition(seed, ids).replace("rust_serde = true", "rust_serde = false");
        write(&roles_toml, &text);
        let model = policies::model(&roles_toml);
        let folder = format!("s{seed}");
        generate_into(&roles_toml, &dir.join(&folder));
        all.push(folder);
        if [model.entities().len(), model.permissions().len(), model.roles().len()].iter().all(|&n| n > 0) {
            runnable.push(roles_toml);
        }
        seed += 1;
    }
    no_std_library(dir, &all);
    let cases = prepare(dir, &runnable);
    let exe = build(dir, &cases);
    let forests = cases.iter().filter(|c| c.model.entities().iter().filter(|e| e.parent.is_none()).count() > 1);
    assert!(forests.count() > 0, "no random definition has two roots");
    assert!(cases.iter().any(|c| depth(&c.model) >= 2), "no random definition is three deep");
    for case in &cases {
        let stdout = run(Command::new(&exe).current_dir(dir).arg(&case.folder));
        compare(case, &stdout).finish(&case.roles_toml);
    }
}

/// `tests/programs/access_slack.rs`: the seed's cases, every path error with its fields and
/// message, the derives, and the policies answered through `check_access`, on Slack.
#[test]
fn slack_cases_rust() {
    let scratch = Scratch::new("access_slack_rust");
    let dir = scratch.path();
    generate_into(&definition("slack"), dir);
    programs::install("access_slack.rs", dir, "main.rs");
    let exe = programs::rust_binary(dir, "main.rs", "access_slack", &[]);
    assert_eq!(run(&mut Command::new(&exe)).trim(), "ok");
}

/// The deepest entity type's number of ancestors.
fn depth(model: &Model) -> usize {
    (0..model.entities().len()).map(|e| access::path_to(model, EntityIdx::new(e)).len() - 1).max().unwrap_or(0)
}

/// Each mutation of Slack's generated `roles.rs` makes the comparison fail: the harness sees a
/// role that lost a permission, an ignored `assignable_on`, the last grant deciding instead of
/// the first, a path check dropped and the target check dropped.
#[test]
fn mutants_are_caught() {
    let scratch = Scratch::new("access_mutants");
    let dir = scratch.path();
    let roles_toml = definition("slack");
    let mut cases = prepare(dir, std::slice::from_ref(&roles_toml));
    let original = read(&dir.join("d0").join("roles.rs"));
    let mutants = mutants(&original);
    for (i, (what, text)) in mutants.iter().enumerate() {
        assert_ne!(text, &original, "the mutation `{what}` changes nothing: the generated code moved");
        let folder = format!("m{i}");
        write(&dir.join(&folder).join("roles.rs"), text);
        write(&dir.join(&folder).join("access.tsv"), &read(&dir.join("d0").join("access.tsv")));
        let model = cases[0].model.clone();
        let scenarios = cases[0].scenarios.clone();
        cases.push(Case { roles_toml: roles_toml.clone(), model, scenarios, folder });
    }
    let exe = build(dir, &cases);
    let pristine = compare(&cases[0], &run(Command::new(&exe).current_dir(dir).arg("d0")));
    assert!(pristine.is_empty(), "the unmutated roles.rs disagrees: {pristine:?}");
    for ((what, _), case) in mutants.iter().zip(&cases[1..]) {
        let found = compare(case, &run(Command::new(&exe).current_dir(dir).arg(&case.folder)));
        assert!(!found.is_empty(), "the mutation `{what}` went unnoticed");
    }
}

/// Mutations of a generated `roles.rs`, each named.
fn mutants(original: &str) -> Vec<(&'static str, String)> {
    let swap = |from: &str, to: &str| original.replacen(from, to, 1);
    vec![
        ("a role loses its first permission", drop_first_grant(original)),
        ("assignable_on ignored", swap("&& self.role.assignable_to(self.entity)", "")),
        ("the last grant decides", swap("assignments.iter().find(grants)", "assignments.iter().rfind(grants)")),
        (
            "a path may stop before its root",
            swap(
                "::core::result::Result::Err(PathError::Incomplete { at, missing })",
                "{\n let _ = (at, missing);\n ::core::result::Result::Ok(target)\n }",
            ),
        ),
        ("the target's type is not checked", swap("if !permission.applies_to(entity) {", "if false {")),
    ]
}

/// `roles.rs` with the lowest set bit of the first non-zero word of `ROLE_SETS` cleared.
fn drop_first_grant(original: &str) -> String {
    let mut at = original.find("const ROLE_SETS").expect("roles.rs has ROLE_SETS");
    while let Some(found) = original[at..].find("0x") {
        let word_at = at + found + 2;
        let hex: String = original[word_at..].chars().take_while(char::is_ascii_hexdigit).collect();
        let word = u64::from_str_radix(&hex, 16).expect("a word");
        if word != 0 {
            let mut text = original.to_string();
            text.replace_range(word_at..word_at + hex.len(), &format!("{:016x}", word & (word - 1)));
            return text;
        }
        at = word_at + hex.len();
    }
    original.to_string()
}

/// Writes each definition's outputs into `dN/` and its scenarios into `dN/access.tsv`.
fn prepare(dir: &Path, definitions: &[PathBuf]) -> Vec<Case> {
    definitions
        .iter()
        .enumerate()
        .map(|(i, roles_toml)| {
            let folder = format!("d{i}");
            generate_into(roles_toml, &dir.join(&folder));
            let model = policies::model(roles_toml);
            let scenarios = access::all(&model);
            write(&dir.join(&folder).join("access.tsv"), &access::write_tsv(&model, &scenarios));
            Case { roles_toml: roles_toml.clone(), model, scenarios, folder }
        })
        .collect()
}

/// `main.rs`, a module per case around its `roles.rs` and the program, compiled with every
/// warning an error; the path of the binary, which runs the case named by its argument.
fn build(dir: &Path, cases: &[Case]) -> PathBuf {
    programs::install("access.rs", dir, "access.rs");
    let mut main = String::from("#![deny(warnings)]\n#![forbid(unsafe_code)]\n\n");
    for case in cases {
        let d = &case.folder;
        let _ = writeln!(main, "mod {d} {{\n    mod roles {{\n        include!(\"{d}/roles.rs\");\n    }}");
        let _ = writeln!(main, "    include!(\"access.rs\");\n}}\n");
    }
    main.push_str("fn main() {\n    let case = std::env::args().nth(1).expect(\"a case\");\n");
    main.push_str("    let out = match case.as_str() {\n");
    for case in cases {
        let _ = writeln!(main, "        \"{0}\" => {0}::run(\"{0}\"),", case.folder);
    }
    main.push_str("        other => panic!(\"no case {other}\"),\n    };\n    print!(\"{out}\");\n}\n");
    write(&dir.join("main.rs"), &main);
    programs::rust_binary(dir, "main.rs", "access", &[])
}

/// The `roles.rs` of each of `folders` in one `#![no_std]`, `#![forbid(unsafe_code)]`
/// library, every warning an error, in editions 2021 and 2024: nothing in it can allocate.
fn no_std_library(dir: &Path, folders: &[String]) {
    let mut lib = String::from("#![no_std]\n#![forbid(unsafe_code)]\n\n");
    for d in folders {
        let _ = writeln!(lib, "pub mod {d} {{\n    include!(\"{d}/roles.rs\");\n}}");
    }
    write(&dir.join("no_std.rs"), &lib);
    for edition in ["2021", "2024"] {
        programs::rust_library(dir, "no_std.rs", "roles_no_std", edition, "metadata", &[]);
    }
}

/// Every path error kind the scenarios hold was answered (so none is covered only on paper).
fn assert_path_errors_seen(case: &Case, stdout: &str) {
    let expected = access::expected_lines(&case.model, &case.scenarios);
    for kind in ["empty", "not-parent", "incomplete", "past-root", "not-applicable"] {
        let line = format!("answer\terror {kind}");
        let asked = expected.iter().any(|l| l == &format!("error {kind}"));
        assert_eq!(stdout.lines().any(|l| l == line), asked, "{}: `error {kind}`", case.roles_toml.display());
    }
}

/// The kinds of the helper lines, in the order they are compared.
const HELPERS: [&str; 8] =
    ["ancestors", "within", "checked", "applies", "group", "deprecated", "assignable", "algebra"];

/// Every disagreement of the program's output with the model.
fn compare(case: &Case, stdout: &str) -> Mismatches {
    let mut m = Mismatches::new("Rust decisions on entities (roles.rs)")
        .against("role-gen's model (Model::check_access, permissions_on)");
    let mut printed: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for line in stdout.lines() {
        let (kind, rest) = line.split_once('\t').unwrap_or((line, ""));
        printed.entry(kind).or_default().push(rest);
    }
    let lines = |kind: &str| printed.get(kind).cloned().unwrap_or_default();
    for problem in lines("problem") {
        m.fail(format!("the program: {problem}"));
    }
    compare_answers(&mut m, case, &lines("answer"), &lines("detail"));
    let found: Vec<String> =
        HELPERS.iter().flat_map(|kind| lines(kind).into_iter().map(move |l| format!("{kind}\t{l}"))).collect();
    let every = statics(&case.model);
    let expected: Vec<&String> =
        HELPERS.iter().flat_map(|kind| every.iter().filter(move |l| l.split('\t').next() == Some(*kind))).collect();
    m.check("helper lines (ancestors … algebra)", found.len(), expected.len());
    for (f, e) in found.iter().zip(expected) {
        if f != e {
            m.fail(format!("found:    {f}\n      expected: {e}"));
        }
    }
    m
}

/// Each scenario's answer, and each error's `Display` against `PathError::describe`.
fn compare_answers(m: &mut Mismatches, case: &Case, answers: &[&str], details: &[&str]) {
    let expected = access::expected_lines(&case.model, &case.scenarios);
    m.check("scenarios answered", answers.len(), expected.len());
    let tsv = access::write_tsv(&case.model, &case.scenarios);
    for ((i, found), (expected, line)) in answers.iter().enumerate().zip(expected.iter().zip(tsv.lines())) {
        if found != expected {
            m.fail(format!("scenario {i} `{line}`:\n      found:    {found}\n      expected: {expected}"));
        }
    }
    let errors: Vec<String> = case
        .scenarios
        .iter()
        .enumerate()
        .filter_map(|(i, s)| model_error(&case.model, s).map(|e| format!("{i}\t{}", e.describe(&case.model))))
        .collect();
    m.check("path errors' Display", details.iter().map(|d| d.to_string()).collect::<Vec<_>>(), errors);
}

/// The model's error for a scenario, if it has one.
fn model_error(model: &Model, s: &Scenario) -> Option<PathError> {
    match s.question {
        Question::Check(p) => model.check_access(&s.assignments, &s.path, p).err(),
        Question::On => model.permissions_on(&s.assignments, &s.path).err(),
    }
}

/// The helper lines the program must print, in its order.
fn statics(model: &Model) -> Vec<String> {
    let entity = |e: EntityIdx| model.entities()[e].name.as_str();
    let entities = |keep: &dyn Fn(EntityIdx) -> bool| {
        (0..model.entities().len()).map(EntityIdx::new).filter(|&e| keep(e)).map(entity).collect::<Vec<_>>().join(",")
    };
    let names = |set: &PermSet| set.iter().map(|p| model.permissions()[p].name.as_str()).collect::<Vec<_>>().join(",");
    let mut out = Vec::new();
    for (e, entity_type) in model.entities().iter().enumerate().map(|(i, t)| (EntityIdx::new(i), t)) {
        let path = access::path_to(model, e);
        let ancestors: Vec<&str> = path[1..].iter().map(|(a, _)| entity(*a)).collect();
        out.push(format!("ancestors\t{}\t{}", entity_type.name, ancestors.join(",")));
        out.push(format!("within\t{}\t{}", entity_type.name, entities(&|o| path.iter().any(|(a, _)| *a == o))));
        let checked = subset(model, |p| model.permissions()[p].entities.contains(&e));
        out.push(format!("checked\t{}\t{}", entity_type.name, names(&checked)));
    }
    for p in model.permissions() {
        out.push(format!("applies\t{}\t{}", p.name, entities(&|e| p.entities.contains(&e))));
    }
    for p in model.permissions() {
        let group = p.group.as_ref().map_or("none".to_string(), |g| format!("some {g:?}"));
        out.push(format!("group\t{}\t{group}", p.name));
    }
    for p in model.permissions() {
        out.push(format!("deprecated\t{}\t{}", p.name, p.deprecated.is_deprecated()));
    }
    for r in model.roles() {
        out.push(format!("assignable\t{}\t{}", r.name, entities(&|e| r.assignable_on.contains(&e))));
    }
    for a in model.roles() {
        for b in model.roles() {
            let (x, y) = (&a.effective, &b.effective);
            let and = subset(model, |p| x.contains(p) && y.contains(p));
            let minus = subset(model, |p| x.contains(p) && !y.contains(p));
            let or = subset(model, |p| x.contains(p) || y.contains(p));
            let (and, minus, or, sub) = (names(&and), names(&minus), names(&or), y.is_superset(x));
            out.push(format!("algebra\t{}\t{}\t{and}\t{minus}\t{or}\t{sub}", a.name, b.name));
        }
    }
    out
}

/// The permissions `keep` keeps.
fn subset(model: &Model, keep: impl Fn(role_gen::model::PermIdx) -> bool) -> PermSet {
    let mut set = PermSet::with_capacity(model.permissions().len());
    for (p, _) in model.indexed_permissions().filter(|(p, _)| keep(*p)) {
        set.insert(p);
    }
    set
}
