//! The real compilers on the real output.
//!
//! For every `definitions/*/roles.toml` and for `tests/hostile/roles.toml`, and for each target,
//! one test generates the outputs into a temporary folder and:
//!
//! - Rust: compiles a program around `roles.rs` with `rustc -D warnings` (edition 2021) and
//!   runs it; it prints every role × permission answer, ids, `from_id`, `FromStr`, the
//!   `PermissionSet` operations, which must all agree with `roles.json`. The module is also
//!   checked as a library in edition 2024.
//! - TypeScript: compiles `roles.ts` with the pinned `tsc --strict`, alone and with a program
//!   that imports it, runs that program with node and compares its answers with `roles.json`;
//!   `*_typescript_strictest` compiles it under the stricter options real projects turn on.
//! - Protobuf: `buf lint` (STANDARD, v2's name for DEFAULT) and `buf build`; every enum value's
//!   number is checked against `roles.json`, and the fixed messages' field numbers (with
//!   policies, `enum Policy` and the `PolicyService` messages too).
//! - Policies (`*_policies_rust`, `*_policies_typescript`): every policy is evaluated by the
//!   generated Rust and TypeScript on one table of facts (legacy levels and none × role sets ×
//!   predicate values; `role_gen_tests::policies`), fully, by the legacy rules alone and in both
//!   rollout modes, and every answer is compared with role-gen's own model. The output of
//!   `role-gen scaffold policies` compiles against the generated module (`scaffolds_compile`).
//!
//! `roles.json` is itself checked against the source `roles.toml` (`*_json_agrees_with_source`).
//! The pinned tools come from `tests/tools` (`npm ci --prefix tests/tools`, done by
//! `scripts/test`); a missing tool fails, it never skips.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use role_gen_tests::{
    Model, Scratch, definition, definitions, edge, generate_into, hostile, run, rustc, screaming, tool,
};
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// The tests: one per definition and target, so a failure names one thing.
// ---------------------------------------------------------------------------------------------

/// Every definition has its tests below: adding `definitions/<new>/roles.toml` without adding
/// its compiler tests fails here.
#[test]
fn every_definition_is_covered() {
    let covered = ["minimal", "slack"];
    let found: Vec<String> =
        definitions().iter().filter_map(|p| p.parent()?.file_name()?.to_str().map(str::to_string)).collect();
    assert_eq!(
        found, covered,
        "definitions/*/roles.toml changed: add `<name>_rust`, `<name>_typescript`, \
         `<name>_typescript_strictest`, `<name>_proto`, `<name>_json_agrees_with_source`, \
         `<name>_policies_rust` and `<name>_policies_typescript` tests to tests/compilers.rs"
    );
}

#[test]
fn slack_json_agrees_with_source() {
    json_agrees_with_source(&definition("slack"), "slack-json");
}

#[test]
fn slack_rust() {
    rust(&definition("slack"), "slack-rust");
}

#[test]
fn slack_typescript() {
    typescript(&definition("slack"), "slack-typescript");
}

#[test]
fn slack_typescript_strictest() {
    typescript_strictest(&definition("slack"), "slack-typescript-strictest");
}

#[test]
fn slack_proto() {
    proto(&definition("slack"), "slack-proto");
}

#[test]
fn minimal_json_agrees_with_source() {
    json_agrees_with_source(&definition("minimal"), "minimal-json");
}

#[test]
fn minimal_rust() {
    rust(&definition("minimal"), "minimal-rust");
}

#[test]
fn minimal_typescript() {
    typescript(&definition("minimal"), "minimal-typescript");
}

#[test]
fn minimal_typescript_strictest() {
    typescript_strictest(&definition("minimal"), "minimal-typescript-strictest");
}

#[test]
fn minimal_proto() {
    proto(&definition("minimal"), "minimal-proto");
}

#[test]
fn hostile_json_agrees_with_source() {
    json_agrees_with_source(&hostile(), "hostile-json");
}

#[test]
fn hostile_rust() {
    rust(&hostile(), "hostile-rust");
}

#[test]
fn hostile_typescript() {
    typescript(&hostile(), "hostile-typescript");
}

#[test]
fn hostile_typescript_strictest() {
    typescript_strictest(&hostile(), "hostile-typescript-strictest");
}

#[test]
fn hostile_proto() {
    proto(&hostile(), "hostile-proto");
}

/// No permission, role or entity: empty enums and a zero-word set still compile without warnings
/// (the checking program itself cannot iterate empty enums without warnings of its own).
#[test]
fn empty_rust() {
    let (scratch, _) = setup(&edge("empty"), "empty-rust");
    rust_library(scratch.path(), "link");
}

#[test]
fn empty_typescript_strictest() {
    typescript_strictest(&edge("empty"), "empty-typescript-strictest");
}

#[test]
fn empty_proto() {
    proto(&edge("empty"), "empty-proto");
}

// ---------------------------------------------------------------------------------------------
// Shared
// ---------------------------------------------------------------------------------------------

/// Generates `roles_toml` into a fresh scratch folder and reads its `roles.json`.
fn setup(roles_toml: &Path, label: &str) -> (Scratch, Model) {
    let scratch = Scratch::new(label);
    generate_into(roles_toml, scratch.path());
    let model = Model::read(scratch.path());
    (scratch, model)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("cannot create {}: {e}", parent.display()));
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

/// Collects every disagreement, so one run shows them all.
#[derive(Default)]
struct Mismatches {
    target: String,
    oracle: String,
    lines: Vec<String>,
}

impl Mismatches {
    fn new(target: &str) -> Self {
        Self { target: target.to_string(), oracle: "roles.json".to_string(), lines: Vec::new() }
    }

    /// What the target is compared with, for the failure message.
    fn against(mut self, oracle: &str) -> Self {
        self.oracle = oracle.to_string();
        self
    }

    fn check<T: PartialEq + std::fmt::Debug>(&mut self, what: &str, found: T, expected: T) {
        if found != expected {
            self.lines.push(format!("{what}:\n      found:    {found:?}\n      expected: {expected:?}"));
        }
    }

    fn fail(&mut self, message: String) {
        self.lines.push(message);
    }

    fn finish(self, roles_toml: &Path) {
        if !self.lines.is_empty() {
            let shown: Vec<&String> = self.lines.iter().take(60).collect();
            panic!(
                "{}: the generated {} disagrees with {} in {} place(s):\n  - {}{}",
                roles_toml.display(),
                self.target,
                self.oracle,
                self.lines.len(),
                shown.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n  - "),
                if self.lines.len() > shown.len() { "\n  - …" } else { "" }
            );
        }
    }
}

fn json_agrees_with_source(roles_toml: &Path, label: &str) {
    let (_scratch, model) = setup(roles_toml, label);
    model.check_against_source(roles_toml);
}

/// Strings a name lookup must not be fooled by (prototype members, empty, case variants).
const PROBES: [&str; 12] = [
    "",
    "toString",
    "__proto__",
    "constructor",
    "hasOwnProperty",
    "valueOf",
    "prototype",
    "length",
    "name",
    "self",
    "Self",
    "none",
];

// ---------------------------------------------------------------------------------------------
// Rust
// ---------------------------------------------------------------------------------------------

/// The test program: `roles.rs` as a private module of a binary, under `deny(warnings)` and
/// `forbid(unsafe_code)`, with no `allow` of any kind around it (so the generated code must not
/// warn even where the program leaves parts of it unused). Only the program's own uses of
/// deprecated permissions are allowed. The public form of SPEC section 4 is checked as a library.
fn rust_program(model: &Model) -> String {
    let legacy = if model.legacy_levels.is_empty() {
        String::new()
    } else {
        "    println!(\"legacy\\t{}\", names!(roles::LegacyRole::ALL.iter()));\n    \
         println!(\"legacy_ordered\\t{}\", roles::LegacyRole::ALL.windows(2).all(|w| w[0] < w[1]));\n"
            .to_string()
    };
    let probes: String = PROBES.iter().map(|p| format!("{p:?}, ")).collect();
    format!(
        r##"#![deny(warnings)]
#![forbid(unsafe_code)]

mod roles {{
    include!("roles.rs");
}}

use std::collections::{{BTreeSet, HashSet}};

use roles::{{EntityType, Permission, PermissionSet, Role}};

/// Names of whatever a method returns (slice, set iterator, …), comma-separated.
macro_rules! names {{
    ($items:expr) => {{
        $items.into_iter().map(|x| x.as_str().to_string()).collect::<Vec<String>>().join(",")
    }};
}}

struct Needs(Permission);

impl roles::RequiresPermission for Needs {{
    fn required_permission(&self) -> Permission {{
        self.0
    }}
}}

fn hex(text: &str) -> String {{
    text.bytes().map(|b| format!("{{b:02x}}")).collect()
}}

/// The `const fn`s of the contract, in a const context.
const CONST_FNS: (u32, usize, bool, bool) = {{
    let id = match Permission::ALL.first() {{
        Some(p) => p.id() as u32,
        None => 0,
    }};
    let len = match Permission::ALL.first() {{
        Some(p) => p.as_str().len(),
        None => 0,
    }};
    let (has, contains) = match (Role::ALL.first(), Permission::ALL.first()) {{
        (Some(r), Some(p)) => (r.has(*p), PermissionSet::EMPTY.union(r.permissions()).contains(*p)),
        _ => (false, false),
    }};
    (id, len, has, contains)
}};

#[allow(deprecated)]
fn main() {{
    const PROBES: &[&str] = &[{probes}];

    let mut ordered = BTreeSet::new();
    let mut hashed = HashSet::new();
    for p in Permission::ALL.iter().copied() {{
        let id: u32 = p.id().into();
        let parsed: Option<Permission> = p.as_str().parse().ok();
        println!(
            "permission\t{{}}\t{{}}\t{{}}\t{{}}\t{{}}\t{{}}\t{{}}",
            p.as_str(),
            id,
            p as u32,
            Permission::from_id(id) == Some(p),
            parsed == Some(p),
            p,
            hex(&p.description()),
        );
        println!("permission_entities\t{{}}\t{{}}", p.as_str(), names!(p.entities()));
        println!(
            "permission_requires\t{{}}\t{{}}",
            p.as_str(),
            roles::RequiresPermission::required_permission(&Needs(p)) == p
        );
        println!("permission_debug\t{{}}\t{{}}", p.as_str(), !format!("{{p:?}}").is_empty());
        for bad in [p.as_str().to_ascii_uppercase(), format!(" {{}}", p.as_str()), format!("{{}}\n", p.as_str())] {{
            println!("permission_parse_variant\t{{}}\t{{}}", p.as_str(), bad.parse::<Permission>().is_err());
        }}
        ordered.insert(p);
        hashed.insert(p);
    }}
    println!("permission_count\t{{}}\t{{}}\t{{}}", Permission::ALL.len(), ordered.len(), hashed.len());
    println!("permission_ord\t{{}}", Permission::ALL.windows(2).all(|w| w[0] < w[1]));

    let mut ordered = BTreeSet::new();
    let mut hashed = HashSet::new();
    for r in Role::ALL.iter().copied() {{
        let id: u32 = r.id().into();
        let parsed: Option<Role> = r.as_str().parse().ok();
        println!(
            "role\t{{}}\t{{}}\t{{}}\t{{}}\t{{}}\t{{}}",
            r.as_str(),
            id,
            Role::from_id(id) == Some(r),
            parsed == Some(r),
            r,
            hex(&r.description()),
        );
        println!("role_debug\t{{}}\t{{}}", r.as_str(), !format!("{{r:?}}").is_empty());
        for bad in [r.as_str().to_ascii_uppercase(), format!(" {{}}", r.as_str())] {{
            println!("role_parse_variant\t{{}}\t{{}}", r.as_str(), bad.parse::<Role>().is_err());
        }}
        for p in Permission::ALL.iter().copied() {{
            println!("has\t{{}}\t{{}}\t{{}}\t{{}}", r.as_str(), p.as_str(), r.has(p), r.permissions().contains(p));
        }}
        println!("effective\t{{}}\t{{}}", r.as_str(), names!(r.permissions().iter()));
        println!("effective_len\t{{}}\t{{}}", r.as_str(), r.permissions().len());
        println!("direct\t{{}}\t{{}}", r.as_str(), names!(r.direct_permissions().iter()));
        println!("includes\t{{}}\t{{}}", r.as_str(), names!(r.includes()));
        println!("assignable_on\t{{}}\t{{}}", r.as_str(), names!(r.assignable_on()));
        let collected: PermissionSet = Permission::ALL.iter().copied().filter(|p| r.has(*p)).collect();
        println!("collected\t{{}}\t{{}}", r.as_str(), names!(collected.iter()));
        for r2 in Role::ALL.iter().copied() {{
            println!(
                "of_roles\t{{}}\t{{}}\t{{}}\t{{}}",
                r.as_str(),
                r2.as_str(),
                names!(PermissionSet::of_roles(&[r, r2]).iter()),
                names!(r.permissions().union(r2.permissions()).iter()),
            );
        }}
        ordered.insert(r);
        hashed.insert(r);
    }}
    println!("role_count\t{{}}\t{{}}\t{{}}", Role::ALL.len(), ordered.len(), hashed.len());
    println!("role_ord\t{{}}", Role::ALL.windows(2).all(|w| w[0] < w[1]));

    for id in (0..=70_000u32).chain([u32::MAX]) {{
        if let Some(p) = Permission::from_id(id) {{
            println!("permission_from_id\t{{}}\t{{}}", id, p.as_str());
        }}
        if let Some(r) = Role::from_id(id) {{
            println!("role_from_id\t{{}}\t{{}}", id, r.as_str());
        }}
    }}
    for probe in PROBES {{
        let p: Option<Permission> = probe.parse().ok();
        let r: Option<Role> = probe.parse().ok();
        println!(
            "parse\t{{}}\t{{}}\t{{}}",
            hex(probe),
            p.map_or("-", |p| p.as_str()),
            r.map_or("-", |r| r.as_str())
        );
    }}

    let all: PermissionSet = Permission::ALL.iter().copied().collect();
    println!("set_empty\t{{}}\t{{}}", PermissionSet::EMPTY.len(), names!(PermissionSet::EMPTY.iter()));
    println!("set_of_no_roles\t{{}}", names!(PermissionSet::of_roles(&[]).iter()));
    println!("set_of_all_roles\t{{}}", names!(PermissionSet::of_roles(&Role::ALL[..]).iter()));
    println!("set_all\t{{}}\t{{}}", all.len(), names!(all.iter()));
    println!("set_size\t{{}}", std::mem::size_of::<PermissionSet>());
    println!("entities\t{{}}", names!(EntityType::ALL.iter()));
{legacy}    println!("const_fns\t{{}}\t{{}}\t{{}}\t{{}}", CONST_FNS.0, CONST_FNS.1, CONST_FNS.2, CONST_FNS.3);
}}
"##
    )
}

fn unhex(text: &str) -> String {
    let bytes: Vec<u8> =
        (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap_or(b'?')).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn rust(roles_toml: &Path, label: &str) {
    let (scratch, model) = setup(roles_toml, label);
    let dir = scratch.path();
    assert!(dir.join("roles.rs").is_file(), "{}: no roles.rs generated", roles_toml.display());

    // The program: edition 2021, every warning an error. One rustc invocation.
    write(&dir.join("main.rs"), &rust_program(&model));
    let exe = dir.join(if cfg!(windows) { "check.exe" } else { "check" });
    run(Command::new(rustc())
        .current_dir(dir)
        .args(["--edition", "2021", "-D", "warnings", "-C", "debuginfo=0", "--crate-name", "check"])
        .arg("-o")
        .arg(&exe)
        .arg("main.rs"));
    let stdout = run(&mut Command::new(&exe));

    rust_library(dir, "metadata");

    compare_rust(roles_toml, &model, &stdout);
}

/// The module as SPEC section 4 includes it, `pub mod roles`, in a library of the workspace's
/// edition (2024), with the workspace's own extra lint; `emit` is `metadata` (quick) or `link`.
fn rust_library(dir: &Path, emit: &str) {
    write(
        &dir.join("lib2024.rs"),
        "#![deny(warnings, missing_debug_implementations)]\n#![forbid(unsafe_code)]\n\n\
         pub mod roles {\n    include!(\"roles.rs\");\n}\n",
    );
    run(Command::new(rustc())
        .current_dir(dir)
        .args(["--edition", "2024", "-D", "warnings", "--crate-type", "lib", "--emit", emit])
        .args(["--crate-name", "roles_2024", "-o", "libroles_2024.out", "lib2024.rs"]));
}

fn compare_rust(roles_toml: &Path, model: &Model, stdout: &str) {
    let mut m = Mismatches::new("Rust (roles.rs)");
    let mut lines: BTreeMap<&str, Vec<Vec<&str>>> = BTreeMap::new();
    for line in stdout.lines() {
        let mut fields = line.split('\t');
        let kind = fields.next().unwrap_or_default();
        lines.entry(kind).or_default().push(fields.collect());
    }
    let get = |kind: &str| lines.get(kind).cloned().unwrap_or_default();
    let one = |kind: &str| -> Vec<&str> { get(kind).into_iter().next().unwrap_or_default() };
    let yes = |b: bool| if b { "true" } else { "false" };
    let join = |names: &[String]| names.join(",");
    let all_roles: Vec<&role_gen_tests::RoleInfo> = model.roles.iter().collect();

    // Permissions: ALL in id order, ids, discriminants, round trips, Display, descriptions.
    let permissions = get("permission");
    m.check(
        "Permission::ALL (names, in order)",
        permissions.iter().map(|f| f[0].to_string()).collect::<Vec<_>>(),
        model.permissions.iter().map(|p| p.name.clone()).collect(),
    );
    for (f, p) in permissions.iter().zip(&model.permissions) {
        let n = &p.name;
        m.check(&format!("Permission {n}: id()"), f[1], &p.id.to_string());
        m.check(&format!("Permission {n}: `as u32` (discriminant)"), f[2], &p.id.to_string());
        m.check(&format!("Permission {n}: from_id(id()) round trip"), f[3], "true");
        m.check(&format!("Permission {n}: as_str().parse() round trip"), f[4], "true");
        m.check(&format!("Permission {n}: Display"), f[5], n);
        m.check(&format!("Permission {n}: description()"), unhex(f[6]), p.description.clone());
    }
    for f in get("permission_entities") {
        let p = model.permission(f[0]);
        let found: Vec<String> = f[1].split(',').filter(|s| !s.is_empty()).map(str::to_string).collect();
        // `entities` absent means every entity type; the JSON may list them or leave it empty.
        if found != p.entities {
            m.check(&format!("Permission {}: entities()", p.name), found, model.permission_entities(p));
        }
    }
    for kind in ["permission_requires", "permission_debug", "permission_parse_variant"] {
        for f in get(kind) {
            m.check(&format!("{kind} {}", f[0]), f[1], "true");
        }
    }
    let n = model.permissions.len().to_string();
    m.check("Permission::ALL.len(), BTreeSet, HashSet", one("permission_count"), vec![&n, &n, &n]);
    m.check("Permission: Ord follows ALL (id) order", one("permission_ord"), vec!["true"]);

    // Roles.
    let roles = get("role");
    m.check(
        "Role::ALL (names, in order)",
        roles.iter().map(|f| f[0].to_string()).collect::<Vec<_>>(),
        model.roles.iter().map(|r| r.name.clone()).collect(),
    );
    for (f, r) in roles.iter().zip(&model.roles) {
        let n = &r.name;
        m.check(&format!("Role {n}: id()"), f[1], &r.id.to_string());
        m.check(&format!("Role {n}: from_id(id()) round trip"), f[2], "true");
        m.check(&format!("Role {n}: as_str().parse() round trip"), f[3], "true");
        m.check(&format!("Role {n}: Display"), f[4], n);
        m.check(&format!("Role {n}: description()"), unhex(f[5]), r.description.clone());
    }
    for kind in ["role_debug", "role_parse_variant"] {
        for f in get(kind) {
            m.check(&format!("{kind} {}", f[0]), f[1], "true");
        }
    }
    let n = model.roles.len().to_string();
    m.check("Role::ALL.len(), BTreeSet, HashSet", one("role_count"), vec![&n, &n, &n]);
    m.check("Role: Ord follows ALL (id) order", one("role_ord"), vec!["true"]);

    // Every role × permission.
    let mut seen = 0;
    for f in get("has") {
        let role = model.roles.iter().find(|r| r.name == f[0]);
        let Some(role) = role else {
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
        let by_kind =
            |kind: &str| -> Option<String> { get(kind).into_iter().find(|f| f[0] == r.name).map(|f| f[1].to_string()) };
        let n = &r.name;
        m.check(
            &format!("Role {n}: permissions().iter() (effective, id order)"),
            by_kind("effective"),
            Some(join(&r.effective_permissions)),
        );
        m.check(
            &format!("Role {n}: permissions().len()"),
            by_kind("effective_len"),
            Some(r.effective_permissions.len().to_string()),
        );
        m.check(
            &format!("Role {n}: FromIterator<Permission> of its permissions"),
            by_kind("collected"),
            Some(join(&r.effective_permissions)),
        );
        let direct_in_id_order: Vec<String> =
            model.permissions.iter().filter(|p| r.permissions.contains(&p.name)).map(|p| p.name.clone()).collect();
        let direct = by_kind("direct");
        if direct != Some(join(&r.permissions)) {
            m.check(&format!("Role {n}: direct_permissions()"), direct, Some(join(&direct_in_id_order)));
        }
        let includes = by_kind("includes");
        let includes_in_id_order: Vec<String> =
            model.roles.iter().filter(|x| r.includes.contains(&x.name)).map(|x| x.name.clone()).collect();
        if includes != Some(join(&r.includes)) {
            m.check(&format!("Role {n}: includes()"), includes, Some(join(&includes_in_id_order)));
        }
        let assignable = by_kind("assignable_on");
        if assignable != Some(join(&r.assignable_on)) {
            m.check(&format!("Role {n}: assignable_on()"), assignable, Some(join(&model.role_assignable_on(r))));
        }
    }

    // PermissionSet::of_roles and union, for every pair of roles.
    let mut pairs = 0;
    for f in get("of_roles") {
        let (Some(a), Some(b)) =
            (model.roles.iter().find(|r| r.name == f[0]), model.roles.iter().find(|r| r.name == f[1]))
        else {
            m.fail(format!("of_roles: unknown role in {f:?}"));
            continue;
        };
        let expected = join(&model.union_of(&[a, b]));
        m.check(&format!("PermissionSet::of_roles(&[{}, {}])", f[0], f[1]), f[2], &expected);
        m.check(&format!("Role::{}.permissions().union(Role::{}.permissions())", f[0], f[1]), f[3], &expected);
        pairs += 1;
    }
    m.check("role pairs printed", pairs, model.roles.len() * model.roles.len());
    m.check("PermissionSet::EMPTY (len, items)", one("set_empty"), vec!["0", ""]);
    m.check("PermissionSet::of_roles(&[])", one("set_of_no_roles"), vec![""]);
    let union_all = join(&model.union_of(&all_roles));
    m.check("PermissionSet::of_roles(Role::ALL)", one("set_of_all_roles"), vec![union_all.as_str()]);
    let all_names: Vec<String> = model.permissions.iter().map(|p| p.name.clone()).collect();
    let all_len = all_names.len().to_string();
    let all_joined = join(&all_names);
    m.check(
        "Permission::ALL collected into a PermissionSet (len, items)",
        one("set_all"),
        vec![all_len.as_str(), all_joined.as_str()],
    );

    // One bit per permission, in ⌈n/64⌉ words, however sparse the ids.
    let words = model.permissions.len().div_ceil(64);
    let size = one("set_size").first().map(|s| s.to_string()).unwrap_or_default();
    if !(size == (words * 8).to_string() || (words == 0 && size == "8")) {
        m.fail(format!(
            "size_of::<PermissionSet>() is {size} bytes; {} permissions need {words} 64-bit word(s)",
            model.permissions.len()
        ));
    }

    // from_id over 0..=70000 and u32::MAX: exactly the ids of roles.json.
    let from_id = |kind: &str| -> Vec<(String, String)> {
        get(kind).into_iter().map(|f| (f[0].to_string(), f[1].to_string())).collect()
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
    for f in get("parse") {
        let probe = unhex(f[0]);
        let p = if model.permissions.iter().any(|p| p.name == probe) { probe.as_str() } else { "-" };
        let r = if model.roles.iter().any(|r| r.name == probe) { probe.as_str() } else { "-" };
        m.check(&format!("{probe:?}.parse::<Permission>()"), f[1], p);
        m.check(&format!("{probe:?}.parse::<Role>()"), f[2], r);
    }

    m.check("EntityType::ALL (names, in file order)", one("entities"), vec![join(&model.entities).as_str()]);
    if !model.legacy_levels.is_empty() {
        m.check("LegacyRole::ALL (names, lowest first)", one("legacy"), vec![join(&model.legacy_levels).as_str()]);
        m.check("LegacyRole: Ord follows ALL order", one("legacy_ordered"), vec!["true"]);
    }

    // The const fns, evaluated at compile time.
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
        one("const_fns").into_iter().map(str::to_string).collect::<Vec<_>>(),
        expected_const,
    );

    m.finish(roles_toml);
}

// ---------------------------------------------------------------------------------------------
// TypeScript
// ---------------------------------------------------------------------------------------------

/// Compiler options of the program that imports `roles.ts`: what the contract promises
/// (`strict`), as an ES module for node.
const TSCONFIG: &str = r#"{
  "compilerOptions": {
    "strict": true,
    "module": "nodenext",
    "moduleResolution": "nodenext",
    "target": "es2022",
    "outDir": "out",
    "rootDir": ".",
    "noEmit": false,
    "noEmitOnError": true
  },
  "files": ["roles.ts", "check.ts"]
}
"#;

/// `roles.ts` is compiled as part of its users' projects, under their options: these are the
/// stricter ones real projects turn on (`@tsconfig/strictest` and node's type stripping).
const TSCONFIG_STRICTEST: &str = r#"{
  "compilerOptions": {
    "strict": true,
    "module": "nodenext",
    "moduleResolution": "nodenext",
    "target": "es2022",
    "noEmit": true,
    "noUncheckedIndexedAccess": true,
    "exactOptionalPropertyTypes": true,
    "noImplicitReturns": true,
    "noImplicitOverride": true,
    "noFallthroughCasesInSwitch": true,
    "noPropertyAccessFromIndexSignature": true,
    "noUnusedLocals": true,
    "noUnusedParameters": true,
    "verbatimModuleSyntax": true,
    "isolatedModules": true,
    "erasableSyntaxOnly": true,
    "allowUnreachableCode": false,
    "allowUnusedLabels": false,
    "skipLibCheck": false
  },
  "files": ["roles.ts"]
}
"#;

fn typescript_program(model: &Model) -> String {
    let has_legacy = !model.legacy_levels.is_empty();
    let probes: String = PROBES.iter().map(|p| format!("{p:?}, ")).collect();
    format!(
        r#"import {{
  EntityType,
{legacy_import}  Permission,
  PERMISSION_IDS,
  ROLE_IDS,
  ROLE_PERMISSIONS,
  Role,
  hasPermission,
  isPermission,
  isRole,
}} from "./roles.js";

// The declared types (compile-time checks).
const permissionIds: {{ readonly [P in Permission]: number }} = PERMISSION_IDS;
const roleIds: {{ readonly [R in Role]: number }} = ROLE_IDS;
const rolePermissions: {{ readonly [R in Role]: readonly Permission[] }} = ROLE_PERMISSIONS;
function narrowed(x: string): Permission | Role | undefined {{
  if (isPermission(x)) {{
    const p: Permission = x;
    return p;
  }}
  if (isRole(x)) {{
    const r: Role = x;
    return r;
  }}
  return undefined;
}}
const entityTypes: readonly EntityType[] = Object.values(EntityType);

const permissions: readonly Permission[] = Object.values(Permission);
const roles: readonly Role[] = Object.values(Role);

const failures: string[] = [];
function expect(condition: boolean, message: string): void {{
  if (!condition) {{
    failures.push(message);
  }}
}}

expect(isPermission("toString") === false, 'isPermission("toString") must be false');
expect(isPermission("__proto__") === false, 'isPermission("__proto__") must be false');
expect(
  isPermission("constructor") === (permissions as readonly string[]).includes("constructor"),
  'isPermission("constructor") must say whether constructor is a permission',
);
expect(isRole("toString") === false, 'isRole("toString") must be false');
expect(isRole("__proto__") === false, 'isRole("__proto__") must be false');
expect(
  isRole("constructor") === (roles as readonly string[]).includes("constructor"),
  'isRole("constructor") must say whether constructor is a role',
);

// No roles hold nothing.
for (const p of permissions) {{
  expect(hasPermission([], p) === false, `hasPermission([], "${{p}}") must be false`);
}}

// A string that is not a role (say, from a token) holds nothing, and does not throw.
for (const bogus of ["toString", "__proto__", "constructor", "hasOwnProperty", "valueOf"]) {{
  if (isRole(bogus)) {{
    continue;
  }}
  for (const p of permissions) {{
    let result: unknown;
    try {{
      result = hasPermission(bogus as Role, p);
    }} catch (e) {{
      result = `threw ${{String(e)}}`;
    }}
    expect(result === false, `hasPermission("${{bogus}}" as Role, "${{p}}") gave ${{String(result)}}`);
  }}
}}

const probes: readonly string[] = [
  {probes}
  ...permissions,
  ...roles,
  ...permissions.map((p) => p.toUpperCase()),
  ...roles.map((r) => r.toUpperCase()),
  ...Object.keys(Permission),
  ...Object.keys(Role),
];

const report = {{
  permission_keys: Object.entries(Permission),
  role_keys: Object.entries(Role),
  entity_keys: Object.entries(EntityType),
  entity_values: entityTypes,
  legacy_keys: {legacy_keys},
  permission_ids: Object.entries(permissionIds),
  role_ids: Object.entries(roleIds),
  role_permissions: Object.entries(rolePermissions),
  has: roles.flatMap((r) => permissions.map((p) => [r, p, hasPermission(r, p)])),
  has_one: roles.flatMap((r) => permissions.map((p) => [r, p, hasPermission([r], p)])),
  pairs: roles.flatMap((a) =>
    roles.map((b) => [a, b, permissions.filter((p) => hasPermission([a, b], p))]),
  ),
  is_permission: probes.map((x) => [x, isPermission(x)]),
  is_role: probes.map((x) => [x, isRole(x)]),
  narrowed: probes.map((x) => [x, narrowed(x) ?? null]),
  failures,
}};
console.log(JSON.stringify(report));
"#,
        legacy_import = if has_legacy { "  LegacyRole,\n" } else { "" },
        legacy_keys = if has_legacy { "Object.entries(LegacyRole)" } else { "[]" },
    )
}

fn typescript(roles_toml: &Path, label: &str) {
    let tsc = tool("tsc");
    let (scratch, model) = setup(roles_toml, label);
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

    // roles.ts alone, exactly as SPEC section 2 says.
    let alone = dir.join("alone");
    write(&alone.join("roles.ts"), &roles_ts);
    run(Command::new(&tsc).current_dir(&alone).args(["--strict", "--noEmit", "roles.ts"]));

    // A program that imports it, compiled to ES modules and run by node.
    let project = dir.join("ts");
    write(&project.join("roles.ts"), &roles_ts);
    write(&project.join("check.ts"), &typescript_program(&model));
    write(&project.join("tsconfig.json"), TSCONFIG);
    write(&project.join("package.json"), "{ \"type\": \"module\", \"private\": true }\n");
    run(Command::new(&tsc).current_dir(&project).args(["-p", "tsconfig.json"]));
    let stdout = run(Command::new("node").current_dir(&project).arg("out/check.js"));
    let report: Value =
        serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("check.js printed no JSON ({e}):\n{stdout}"));
    compare_typescript(roles_toml, &model, &report);
}

/// `roles.ts` under the strictest common compiler options (see [`TSCONFIG_STRICTEST`]).
fn typescript_strictest(roles_toml: &Path, label: &str) {
    let tsc = tool("tsc");
    let (scratch, _model) = setup(roles_toml, label);
    let dir = scratch.path().join("strictest");
    write(&dir.join("roles.ts"), &read(&scratch.path().join("roles.ts")));
    write(&dir.join("tsconfig.json"), TSCONFIG_STRICTEST);
    write(&dir.join("package.json"), "{ \"type\": \"module\", \"private\": true }\n");
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
    let key_value = |names: &[String]| -> Vec<(String, Value)> {
        names.iter().map(|n| (screaming(n), Value::from(n.as_str()))).collect()
    };
    let permission_names: Vec<String> = model.permissions.iter().map(|p| p.name.clone()).collect();
    let role_names: Vec<String> = model.roles.iter().map(|r| r.name.clone()).collect();

    if let Some(failures) = report["failures"].as_array() {
        for failure in failures {
            m.fail(failure.as_str().unwrap_or_default().to_string());
        }
    }
    m.check(
        "Permission (keys and values, in id order)",
        pairs_of(&report["permission_keys"]),
        key_value(&permission_names),
    );
    m.check("Role (keys and values, in id order)", pairs_of(&report["role_keys"]), key_value(&role_names));
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
    m.check("Object.values(EntityType)", report["entity_values"].clone(), Value::from(model.entities.clone()));
    for (probe, answer) in pairs_of(&report["narrowed"]) {
        let known = permission_names.contains(&probe) || role_names.contains(&probe);
        let expected = if known { Value::from(probe.as_str()) } else { Value::Null };
        m.check(&format!("isPermission/isRole narrowing of {probe:?}"), answer, expected);
    }
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
        "ROLE_PERMISSIONS (effective, in id order)",
        pairs_of(&report["role_permissions"]),
        model.roles.iter().map(|r| (r.name.clone(), Value::from(r.effective_permissions.clone()))).collect(),
    );

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

    for (key, call, names) in [("is_permission", "isPermission", &permission_names), ("is_role", "isRole", &role_names)]
    {
        for (probe, answer) in pairs_of(&report[key]) {
            m.check(&format!("{call}({probe:?})"), answer, Value::from(names.contains(&probe)));
        }
    }
    m.finish(roles_toml);
}

// ---------------------------------------------------------------------------------------------
// Protobuf
// ---------------------------------------------------------------------------------------------

const BUF_YAML: &str = "version: v2\nlint:\n  use:\n    - STANDARD\n";

fn proto(roles_toml: &Path, label: &str) {
    let buf = tool("buf");
    let (scratch, model) = setup(roles_toml, label);
    let dir = scratch.path();
    let root = dir.join("proto");

    // Exactly one roles.proto, at proto/<package as folders>/roles.proto.
    let files = proto_files(&root);
    assert_eq!(files.len(), 1, "{}: expected one .proto file, found {files:?}", roles_toml.display());
    let rel = files[0].strip_prefix(&root).map(Path::to_path_buf).unwrap_or_default();
    let rel = rel.to_string_lossy().replace('\\', "/");
    let package = rel
        .strip_suffix("/roles.proto")
        .unwrap_or_else(|| panic!("{}: {rel} is not <package>/roles.proto", roles_toml.display()))
        .replace('/', ".");
    let json_package = model.json["project"]
        .get("proto_package")
        .and_then(Value::as_str)
        .map_or_else(|| format!("{}.roles.v1", model.project), str::to_string);
    assert_eq!(package, json_package, "{}: the proto file's folders vs proto_package", roles_toml.display());

    write(&root.join("buf.yaml"), BUF_YAML);
    run(Command::new(&buf).current_dir(&root).args(["lint", "--error-format", "text"]));
    run(Command::new(&buf).current_dir(&root).args(["build", "--exclude-source-info", "-o", "image.json"]));
    let image: Value = serde_json::from_str(&read(&root.join("image.json")))
        .unwrap_or_else(|e| panic!("buf's image.json is not JSON: {e}"));
    let file = image["file"]
        .as_array()
        .and_then(|files| files.iter().find(|f| f["name"].as_str() == Some(rel.as_str())))
        .unwrap_or_else(|| panic!("buf's image has no {rel}"))
        .clone();
    compare_proto(roles_toml, &model, &package, &file);
}

fn proto_files(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "proto") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// One enum of the image: value name -> (number, deprecated), reserved numbers and names.
struct ProtoEnum {
    values: Vec<(String, i64, bool)>,
    reserved_numbers: BTreeSet<i64>,
    reserved_names: BTreeSet<String>,
}

fn proto_enum(file: &Value, name: &str) -> Option<ProtoEnum> {
    let e = file["enumType"].as_array()?.iter().find(|e| e["name"].as_str() == Some(name))?;
    let values = e["value"]
        .as_array()
        .map(|values| {
            values
                .iter()
                .map(|v| {
                    (
                        v["name"].as_str().unwrap_or_default().to_string(),
                        v["number"].as_i64().unwrap_or(0), // proto3 JSON may omit a zero
                        v["options"]["deprecated"].as_bool().unwrap_or(false),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let mut reserved_numbers = BTreeSet::new();
    for range in e["reservedRange"].as_array().into_iter().flatten() {
        let start = range["start"].as_i64().unwrap_or(0);
        let end = range["end"].as_i64().unwrap_or(0); // inclusive for enums
        if end - start < 100_000 {
            reserved_numbers.extend(start..=end);
        }
    }
    let reserved_names =
        e["reservedName"].as_array().into_iter().flatten().filter_map(|n| n.as_str().map(str::to_string)).collect();
    Some(ProtoEnum { values, reserved_numbers, reserved_names })
}

fn compare_proto(roles_toml: &Path, model: &Model, package: &str, file: &Value) {
    let mut m = Mismatches::new("protobuf (roles.proto)");
    m.check("syntax", file["syntax"].as_str(), Some("proto3"));
    m.check("package", file["package"].as_str(), Some(package));

    // Permission and Role: UNSPECIFIED = 0, then every value's number is its id.
    let id_enums = [
        (
            "Permission",
            "PERMISSION_",
            model.permissions.iter().map(|p| (p.name.clone(), i64::from(p.id), p.deprecated)).collect::<Vec<_>>(),
            &model.reserved.permission_ids,
            &model.reserved.permission_names,
        ),
        (
            "Role",
            "ROLE_",
            model.roles.iter().map(|r| (r.name.clone(), i64::from(r.id), false)).collect(),
            &model.reserved.role_ids,
            &model.reserved.role_names,
        ),
    ];
    for (enum_name, prefix, items, reserved_ids, reserved_names) in id_enums {
        let Some(e) = proto_enum(file, enum_name) else {
            m.fail(format!("no enum {enum_name}"));
            continue;
        };
        let mut expected = vec![(format!("{prefix}UNSPECIFIED"), 0, false)];
        expected.extend(items.iter().map(|(name, id, dep)| (format!("{prefix}{}", screaming(name)), *id, *dep)));
        m.check(&format!("enum {enum_name}: (value, number, deprecated), in order"), e.values, expected);
        for id in reserved_ids {
            if !e.reserved_numbers.contains(&i64::from(*id)) {
                m.fail(format!("enum {enum_name}: reserved id {id} is not `reserved`"));
            }
        }
        for name in reserved_names {
            let value = format!("{prefix}{}", screaming(name));
            if !e.reserved_names.contains(&value) {
                m.fail(format!(
                    "enum {enum_name}: reserved name {name} is not `reserved \"{value}\"` (has {:?})",
                    e.reserved_names
                ));
            }
        }
    }

    // EntityType and LegacyRole: UNSPECIFIED = 0, then the names in file order.
    let mut ordered = vec![("EntityType", "ENTITY_TYPE_", model.entities.clone())];
    if !model.legacy_levels.is_empty() {
        ordered.push(("LegacyRole", "LEGACY_ROLE_", model.legacy_levels.clone()));
    }
    for (enum_name, prefix, names) in ordered {
        let Some(e) = proto_enum(file, enum_name) else {
            m.fail(format!("no enum {enum_name}"));
            continue;
        };
        let mut values = e.values.clone();
        values.sort_by_key(|v| v.1);
        let mut expected = vec![format!("{prefix}UNSPECIFIED")];
        expected.extend(names.iter().map(|n| format!("{prefix}{}", screaming(n))));
        m.check(
            &format!("enum {enum_name}: values by number"),
            values.iter().map(|v| v.0.clone()).collect::<Vec<_>>(),
            expected,
        );
        m.check(&format!("enum {enum_name}: UNSPECIFIED is 0"), values.first().map(|v| v.1), Some(0));
    }

    // The fixed wire contract.
    let decision = proto_enum(file, "Decision").map(|e| e.values);
    m.check(
        "enum Decision",
        decision,
        Some(vec![
            ("DECISION_UNSPECIFIED".to_string(), 0, false),
            ("DECISION_ALLOW".to_string(), 1, false),
            ("DECISION_DENY".to_string(), 2, false),
        ]),
    );
    let t = |name: &str| format!(".{package}.{name}");
    let fixed = [
        (
            "CheckPermissionsRequest",
            vec![
                ("team_id", 1, "LABEL_OPTIONAL", "TYPE_STRING", String::new()),
                ("user_id", 2, "LABEL_OPTIONAL", "TYPE_STRING", String::new()),
                ("entity_id", 3, "LABEL_OPTIONAL", "TYPE_STRING", String::new()),
                ("entity_type", 4, "LABEL_OPTIONAL", "TYPE_ENUM", t("EntityType")),
                ("permissions", 5, "LABEL_REPEATED", "TYPE_ENUM", t("Permission")),
            ],
        ),
        (
            "PermissionDecision",
            vec![
                ("permission", 1, "LABEL_OPTIONAL", "TYPE_ENUM", t("Permission")),
                ("decision", 2, "LABEL_OPTIONAL", "TYPE_ENUM", t("Decision")),
            ],
        ),
        ("CheckPermissionsResponse", vec![("decisions", 1, "LABEL_REPEATED", "TYPE_MESSAGE", t("PermissionDecision"))]),
    ];
    let messages = file["messageType"].as_array().cloned().unwrap_or_default();
    for (message, fields) in fixed {
        let Some(found) = messages.iter().find(|msg| msg["name"].as_str() == Some(message)) else {
            m.fail(format!("no message {message}"));
            continue;
        };
        let found: Vec<(String, i64, String, String, String)> = found["field"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| {
                let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
                (s("name"), f["number"].as_i64().unwrap_or(0), s("label"), s("type"), s("typeName"))
            })
            .collect();
        let expected: Vec<(String, i64, String, String, String)> = fields
            .into_iter()
            .map(|(n, num, l, ty, tn)| (n.to_string(), num, l.to_string(), ty.to_string(), tn))
            .collect();
        m.check(&format!("message {message}: (field, number, label, type)"), found, expected);
    }
    m.check(
        "service PermissionService",
        service_methods(file, "PermissionService"),
        Some(vec![("CheckPermissions".to_string(), t("CheckPermissionsRequest"), t("CheckPermissionsResponse"))]),
    );
    compare_proto_policies(&mut m, model, file, &t);

    m.finish(roles_toml);
}

/// With policies: `enum Policy` (1-based file order) and the policy check's messages and
/// service; without: none of them.
fn compare_proto_policies(m: &mut Mismatches, model: &Model, file: &Value, t: &dyn Fn(&str) -> String) {
    let policies: Vec<String> = model.json["policies"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["name"].as_str().map(str::to_string))
        .collect();
    let messages = file["messageType"].as_array().cloned().unwrap_or_default();
    let message = |name: &str| messages.iter().find(|msg| msg["name"].as_str() == Some(name)).cloned();
    if policies.is_empty() {
        m.check("enum Policy without policies", proto_enum(file, "Policy").is_some(), false);
        m.check("message CheckPolicyRequest without policies", message("CheckPolicyRequest").is_some(), false);
        return;
    }
    let mut expected = vec![("POLICY_UNSPECIFIED".to_string(), 0, false)];
    expected
        .extend(policies.iter().enumerate().map(|(i, p)| (format!("POLICY_{}", screaming(p)), i as i64 + 1, false)));
    m.check(
        "enum Policy: (value, number), 1-based file order",
        proto_enum(file, "Policy").map(|e| e.values),
        Some(expected),
    );
    let fields = |name: &str| -> Vec<(String, i64, String, String, bool)> {
        message(name)
            .map(|msg| {
                msg["field"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|f| {
                        let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
                        let optional = f["proto3Optional"].as_bool().unwrap_or(false);
                        (s("name"), f["number"].as_i64().unwrap_or(0), s("type"), s("typeName"), optional)
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let field = |n: &str, num: i64, ty: &str, type_name: String, optional: bool| {
        (n.to_string(), num, ty.to_string(), type_name, optional)
    };
    m.check(
        "message CheckPolicyRequest",
        fields("CheckPolicyRequest"),
        vec![
            field("team_id", 1, "TYPE_STRING", String::new(), false),
            field("user_id", 2, "TYPE_STRING", String::new(), false),
            field("entity_id", 3, "TYPE_STRING", String::new(), false),
            field("policy", 4, "TYPE_ENUM", t("Policy"), false),
        ],
    );
    m.check(
        "message PolicyDecision",
        fields("PolicyDecision"),
        vec![
            field("policy", 1, "TYPE_ENUM", t("Policy"), false),
            field("decision", 2, "TYPE_ENUM", t("Decision"), false),
            field("rule_index", 3, "TYPE_UINT32", String::new(), true),
            field("rule_name", 4, "TYPE_STRING", String::new(), false),
        ],
    );
    m.check(
        "message CheckPolicyResponse",
        fields("CheckPolicyResponse"),
        vec![field("decision", 1, "TYPE_MESSAGE", t("PolicyDecision"), false)],
    );
    m.check(
        "service PolicyService",
        service_methods(file, "PolicyService"),
        Some(vec![("CheckPolicy".to_string(), t("CheckPolicyRequest"), t("CheckPolicyResponse"))]),
    );
}

// ---------------------------------------------------------------------------------------------
// Policies: the generated evaluators against role-gen's own model
// ---------------------------------------------------------------------------------------------
//
// Every policy of a definition is evaluated on one table of facts (see `role_gen_tests::policies`)
// by the generated Rust and the generated TypeScript; each line they print must equal what the
// model (`Policy::evaluate`, `evaluate_legacy`, `rollout`) answers for that row.

#[test]
fn slack_policies_rust() {
    policies_rust(&definition("slack"), "slack-policies-rust");
}

#[test]
fn slack_policies_typescript() {
    policies_typescript(&definition("slack"), "slack-policies-typescript");
}

#[test]
fn minimal_policies_rust() {
    policies_rust(&definition("minimal"), "minimal-policies-rust");
}

#[test]
fn minimal_policies_typescript() {
    policies_typescript(&definition("minimal"), "minimal-policies-typescript");
}

#[test]
fn hostile_policies_rust() {
    policies_rust(&hostile(), "hostile-policies-rust");
}

#[test]
fn hostile_policies_typescript() {
    policies_typescript(&hostile(), "hostile-policies-typescript");
}

#[test]
fn edge_policies_without_legacy_rust() {
    policies_rust(&edge("policies_without_legacy"), "edge-nolegacy-policies-rust");
}

#[test]
fn edge_policies_without_legacy_typescript() {
    policies_typescript(&edge("policies_without_legacy"), "edge-nolegacy-policies-typescript");
}

#[test]
fn edge_policies_without_legacy_typescript_strictest() {
    typescript_strictest(&edge("policies_without_legacy"), "edge-nolegacy-typescript-strictest");
}

#[test]
fn edge_policies_without_legacy_proto() {
    proto(&edge("policies_without_legacy"), "edge-nolegacy-proto");
}

#[test]
fn edge_policies_predicates_only_rust() {
    policies_rust(&edge("policies_predicates_only"), "edge-predicates-policies-rust");
}

#[test]
fn edge_policies_predicates_only_typescript() {
    policies_typescript(&edge("policies_predicates_only"), "edge-predicates-policies-typescript");
}

#[test]
fn edge_policies_predicates_only_typescript_strictest() {
    typescript_strictest(&edge("policies_predicates_only"), "edge-predicates-typescript-strictest");
}

/// `role-gen scaffold policies` output compiles against the generated roles.rs, in edition 2021
/// and 2024, with every warning an error, for every definition with policies.
#[test]
fn scaffolds_compile() {
    for roles_toml in
        [definition("slack"), hostile(), edge("policies_without_legacy"), edge("policies_predicates_only")]
    {
        let model = role_gen_tests::policies::model(&roles_toml);
        let scratch = Scratch::new("scaffold");
        let dir = scratch.path();
        generate_into(&roles_toml, dir);
        let scaffold = role_gen::render::scaffold_policies(&model)
            .unwrap_or_else(|e| panic!("{}: the scaffold does not render: {e}", roles_toml.display()))
            .unwrap_or_else(|| panic!("{}: no scaffold for a definition with policies", roles_toml.display()));
        write(&dir.join("policy_facts.rs"), &scaffold);
        write(
            &dir.join("lib.rs"),
            "#![deny(warnings, missing_debug_implementations)]\n#![forbid(unsafe_code)]\n\n\
             pub mod roles {\n    include!(\"roles.rs\");\n}\n\npub mod policy_facts;\n",
        );
        for edition in ["2021", "2024"] {
            run(Command::new(rustc())
                .current_dir(dir)
                .args(["--edition", edition, "-D", "warnings", "--crate-type", "lib", "--emit", "metadata"])
                .args(["--crate-name", "scaffold", "-o", "libscaffold.out", "lib.rs"]));
        }
    }
    let minimal = role_gen_tests::policies::model(&definition("minimal"));
    assert!(matches!(role_gen::render::scaffold_policies(&minimal), Ok(None)), "minimal has no policies");
}

/// The table's rows in the form the programs read, and the lines the model expects back.
fn policy_table(model: &role_gen::Model) -> (Vec<role_gen_tests::policies::Row>, Vec<String>) {
    use role_gen_tests::policies;
    let rows = policies::rows(model);
    let expected =
        rows.iter().enumerate().map(|(i, row)| policies::expected_line(i, &policies::expected(model, row))).collect();
    (rows, expected)
}

/// Compares the program's lines with the model's, and reports the program's own findings.
fn compare_policy_lines(roles_toml: &Path, target: &str, found: &[String], expected: &[String], problems: &[String]) {
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

fn policies_rust(roles_toml: &Path, label: &str) {
    let model = role_gen_tests::policies::model(roles_toml);
    let (scratch, _) = setup(roles_toml, label);
    let dir = scratch.path();
    if model.policies.is_empty() {
        // No policy, no policy code: the module stays as it was (and compiles, see `*_rust`).
        let roles_rs = read(&dir.join("roles.rs"));
        for item in ["enum Policy", "trait PolicyFacts", "struct Decision", "enum RolloutMode"] {
            assert!(!roles_rs.contains(item), "{}: roles.rs has `{item}` without policies", roles_toml.display());
        }
        return;
    }
    let (rows, expected) = policy_table(&model);
    let table: Vec<String> = rows.iter().map(|r| role_gen_tests::policies::row_line(&model, r)).collect();
    write(&dir.join("table.tsv"), &(table.join("\n") + "\n"));
    write(&dir.join("policies.rs"), &policies_rust_program(&model));
    let exe = dir.join(if cfg!(windows) { "policies.exe" } else { "policies" });
    run(Command::new(rustc())
        .current_dir(dir)
        .args(["--edition", "2021", "-D", "warnings", "-C", "debuginfo=0", "--crate-name", "policies"])
        .arg("-o")
        .arg(&exe)
        .arg("policies.rs"));
    let stdout = run(Command::new(&exe).current_dir(dir));
    let (problems, found): (Vec<String>, Vec<String>) =
        stdout.lines().map(str::to_string).partition(|l| l.starts_with("problem\t"));
    let (statics, found): (Vec<String>, Vec<String>) = found.into_iter().partition(|l| l.starts_with("policy\t"));
    let mut problems = problems;
    let expected_statics: Vec<String> = model
        .policies
        .iter()
        .map(|p| {
            let names: Vec<String> = p.rules.iter().map(|r| model.rule_name(&r.kind)).collect();
            format!("policy\t{}\t{}\t{}", p.name, model.entities[p.entity].name, names.join("|"))
        })
        .collect();
    if statics != expected_statics {
        problems.push(format!(
            "Policy::ALL, entity(), rule_names():\n  found {statics:?}\n  expected {expected_statics:?}"
        ));
    }
    compare_policy_lines(roles_toml, "Rust policies (roles.rs)", &found, &expected, &problems);
}

/// A program implementing the generated `PolicyFacts` over one row of the table, evaluating
/// every row every way, under `deny(warnings)`.
fn policies_rust_program(model: &role_gen::Model) -> String {
    let legacy = model.policies.iter().any(role_gen::model::Policy::uses_legacy);
    let permissions = model.policies.iter().any(role_gen::model::Policy::uses_permissions);
    let mut methods = String::new();
    if legacy {
        methods.push_str("    fn legacy_level(&self) -> Option<roles::LegacyRole> {\n        self.legacy\n    }\n");
    }
    if permissions {
        methods.push_str(
            "    fn has_permission(&self, permission: roles::Permission) -> bool {\n        \
             self.permission_calls.set(self.permission_calls.get() + 1);\n        self.held.contains(permission)\n    }\n",
        );
    }
    for q in model.used_predicates() {
        methods.push_str(&format!(
            "    fn {}(&self) -> bool {{\n        self.predicate({q:?})\n    }}\n",
            role_gen::names::rust_fn(q)
        ));
    }
    let direct: String = model
        .policies
        .iter()
        .map(|p| {
            format!("        Policy::{} => roles::evaluate_{}(row),\n", role_gen::names::rust_variant(&p.name), p.name)
        })
        .collect();
    let (legacy_field, legacy_init) = if legacy {
        (
            "    legacy: Option<roles::LegacyRole>,\n",
            "legacy: if f[1] == \"-\" { None } else { Some(f[1].parse().expect(\"a legacy level\")) },",
        )
    } else {
        ("", "")
    };
    let (held_field, held_init) = if permissions {
        ("    held: roles::PermissionSet,\n", "held: roles::PermissionSet::of_roles(&roles),")
    } else {
        ("", "")
    };
    format!(
        r#"#![deny(warnings)]
#![forbid(unsafe_code)]

mod roles {{
    include!("roles.rs");
}}

use std::cell::Cell;

use roles::{{Decision, Policy, PolicyFacts, RolloutMode}};

/// One row of the table.
struct Row {{
{legacy_field}{held_field}    predicates: Vec<(String, bool)>,
    permission_calls: Cell<usize>,
    stray: Cell<usize>,
}}

impl Row {{
    fn predicate(&self, name: &str) -> bool {{
        match self.predicates.iter().find(|(n, _)| n == name) {{
            Some((_, value)) => *value,
            None => {{
                self.stray.set(self.stray.get() + 1);
                false
            }}
        }}
    }}
}}

impl PolicyFacts for Row {{
{methods}}}

fn direct(policy: Policy, row: &Row) -> Decision {{
    match policy {{
{direct}    }}
}}

fn rule(r: Option<usize>) -> String {{
    r.map_or("-".to_string(), |r| r.to_string())
}}

fn main() {{
    let table = std::fs::read_to_string("table.tsv").expect("table.tsv");
    for (i, line) in table.lines().enumerate() {{
        let f: Vec<&str> = line.split('\t').collect();
        let policy: Policy = f[0].parse().expect("a policy");
        let roles: Vec<roles::Role> = f[2].split(',').filter(|s| !s.is_empty()).map(|r| r.parse().expect("a role")).collect();
        let row = Row {{
            {legacy_init}
            {held_init}
            predicates: f[3]
                .split(',')
                .filter(|s| !s.is_empty())
                .map(|p| {{
                    let (name, value) = p.split_once('=').expect("name=value");
                    (name.to_string(), value == "1")
                }})
                .collect(),
            permission_calls: Cell::new(0),
            stray: Cell::new(0),
        }};
        let _ = &roles;
        let full = policy.evaluate(&row);
        if direct(policy, &row) != full {{
            println!("problem\t{{i}}: evaluate_{{}} disagrees with Policy::evaluate", policy.as_str());
        }}
        let named = full.rule.map_or("default deny", |r| policy.rule_names()[r]);
        if full.policy != policy || full.rule_name != named || full.is_allowed() != full.allow || full.to_string().is_empty() {{
            println!("problem\t{{i}}: inconsistent decision {{full:?}}");
        }}
        row.permission_calls.set(0);
        let legacy = policy.evaluate_legacy(&row);
        let legacy_calls = row.permission_calls.get();
        let reported = Cell::new(0usize);
        let observer = |l: Decision, f: Decision| {{
            reported.set(reported.get() + 1);
            if l.allow == f.allow {{
                println!("problem\t{{i}}: reported an agreement");
            }}
        }};
        let dark = policy.evaluate_rollout(RolloutMode::Dark, &row, &observer);
        let dark_reported = reported.get();
        let light = policy.evaluate_rollout(RolloutMode::Light, &row, &observer);
        if reported.get() != dark_reported {{
            println!("problem\t{{i}}: light mode reported a disagreement");
        }}
        if row.stray.get() > 0 {{
            println!("problem\t{{i}}: {{}} asked a predicate it does not use", policy.as_str());
        }}
        println!(
            "{{i}}\t{{}}\t{{}}\t{{}}\t{{}}\t{{}}\t{{legacy_calls}}\t{{}}\t{{}}\t{{}}\t{{}}\t{{}}",
            full.allow,
            rule(full.rule),
            full.rule_name,
            legacy.allow,
            rule(legacy.rule),
            dark.allow,
            rule(dark.rule),
            dark_reported == 1,
            light.allow,
            rule(light.rule),
        );
    }}
    for p in Policy::ALL {{
        println!("policy\t{{}}\t{{}}\t{{}}", p.as_str(), p.entity().as_str(), p.rule_names().join("|"));
    }}
}}
"#
    )
}

fn policies_typescript(roles_toml: &Path, label: &str) {
    let tsc = tool("tsc");
    let model = role_gen_tests::policies::model(roles_toml);
    let (scratch, _) = setup(roles_toml, label);
    let dir = scratch.path();
    let (rows, expected) = policy_table(&model);
    let project = dir.join("ts");
    write(&project.join("roles.ts"), &read(&dir.join("roles.ts")));
    write(&project.join("check.ts"), &policies_typescript_program(&model, &rows));
    write(&project.join("tsconfig.json"), TSCONFIG);
    write(&project.join("package.json"), "{ \"type\": \"module\", \"private\": true }\n");
    run(Command::new(&tsc).current_dir(&project).args(["-p", "tsconfig.json"]));
    let stdout = run(Command::new("node").current_dir(&project).arg("out/check.js"));
    let report: Value =
        serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("check.js printed no JSON ({e}):\n{stdout}"));
    let strings = |key: &str| -> Vec<String> {
        report[key].as_array().into_iter().flatten().filter_map(|v| v.as_str().map(str::to_string)).collect()
    };
    let mut problems = strings("problems");
    let names: Vec<String> = model.policies.iter().map(|p| p.name.clone()).collect();
    if strings("policies") != names {
        problems.push(format!("Object.values(Policy) is {:?}, expected {names:?}", strings("policies")));
    }
    compare_policy_lines(roles_toml, "TypeScript policies (roles.ts)", &strings("lines"), &expected, &problems);
}

/// A program evaluating every row with the generated `evaluatePolicy*` functions.
fn policies_typescript_program(model: &role_gen::Model, rows: &[role_gen_tests::policies::Row]) -> String {
    if model.policies.is_empty() {
        return "console.log(JSON.stringify({ lines: [], problems: [], policies: [] }));\n".to_string();
    }
    let table: Vec<Value> = rows
        .iter()
        .map(|row| {
            let predicates: serde_json::Map<String, Value> =
                row.predicates.iter().map(|(n, v)| (n.clone(), Value::from(*v))).collect();
            Value::from(vec![
                Value::from(model.policies[row.policy].name.as_str()),
                row.legacy.map_or(Value::Null, |l| Value::from(model.legacy_levels[l].name.as_str())),
                Value::from(row.roles.iter().map(|&r| model.roles[r].name.as_str()).collect::<Vec<_>>()),
                Value::Object(predicates),
            ])
        })
        .collect();
    // A literal this large (thousands of tuples) is too much for tsc's inference: parse it.
    let table = serde_json::to_string(&serde_json::to_string(&table).unwrap_or_default()).unwrap_or_default();
    format!(
        r#"import {{
  LEGACY_LEVELS,
  POLICY_RULES,
  Policy,
  RolloutMode,
  evaluatePolicy,
  evaluatePolicyLegacy,
  evaluatePolicyRollout,
  hasPermission,
}} from "./roles.js";
import type {{ Permission, PolicyFacts, Role }} from "./roles.js";

type Row = readonly [string, string | null, readonly string[], {{ readonly [name: string]: boolean }}];
const ROWS = JSON.parse({table}) as readonly Row[];

const lines: string[] = [];
const problems: string[] = [];
const rule = (r: number | null): string => (r === null ? "-" : String(r));

// Each row's facts, in one of the shapes callers pass: a plain object with every predicate, a
// plain object with only the true ones (absent is false), or a class whose facts are getters and
// methods on its prototype.
type Shape = "plain" | "sparse" | "class";
const counter = {{ calls: 0 }};
const held = (row: Row, p: Permission): boolean => {{
  counter.calls += 1;
  return hasPermission(row[2] as readonly Role[], p);
}};
const trueOnly = (row: Row): {{ readonly [name: string]: boolean }} =>
  Object.fromEntries(Object.entries(row[3]).filter(([, v]) => v));
class ClassFacts {{
  constructor(private readonly row: Row) {{}}
  hasPermission(p: Permission): boolean {{
    return held(this.row, p);
  }}
  get legacy(): string | undefined {{
    return this.row[1] ?? undefined;
  }}
  get predicates(): {{ readonly [name: string]: boolean }} {{
    return trueOnly(this.row);
  }}
}}
function factsOf(row: Row, shape: Shape): PolicyFacts<Policy> {{
  if (shape === "class") {{
    return new ClassFacts(row) as unknown as PolicyFacts<Policy>;
  }}
  const base = {{
    hasPermission: (p: Permission): boolean => held(row, p),
    predicates: shape === "sparse" ? trueOnly(row) : row[3],
  }};
  return (row[1] === null ? base : {{ ...base, legacy: row[1] }}) as unknown as PolicyFacts<Policy>;
}}

function evaluateRow(row: Row, i: number, shape: Shape): string {{
  const policy = row[0] as Policy;
  const facts = factsOf(row, shape);
  const full = evaluatePolicy(policy, facts);
  const named = full.rule === null ? "default deny" : POLICY_RULES[policy][full.rule];
  if (full.policy !== policy || full.ruleName !== named) {{
    problems.push(`${{i}}: inconsistent decision ${{JSON.stringify(full)}}`);
  }}
  counter.calls = 0;
  const legacy = evaluatePolicyLegacy(policy, facts);
  const legacyCalls = counter.calls;
  let reported = 0;
  const observe = (l: {{ allow: boolean }}, f: {{ allow: boolean }}): void => {{
    reported += 1;
    if (l.allow === f.allow) {{
      problems.push(`${{i}}: reported an agreement`);
    }}
  }};
  const dark = evaluatePolicyRollout(policy, RolloutMode.DARK, facts, observe);
  const darkReported = reported;
  const light = evaluatePolicyRollout(policy, RolloutMode.LIGHT, facts, observe);
  if (reported !== darkReported) {{
    problems.push(`${{i}}: light mode reported a disagreement`);
  }}
  return [i, full.allow, rule(full.rule), full.ruleName, legacy.allow, rule(legacy.rule), legacyCalls, dark.allow,
    rule(dark.rule), darkReported === 1, light.allow, rule(light.rule)].join("\t");
}}

ROWS.forEach((row, i) => lines.push(evaluateRow(row, i, "plain")));

// Prototype pollution: whatever a hostile dependency adds to `Object.prototype` (every predicate
// true, the highest legacy level, a `hasPermission` that says yes) is no fact about anybody, so
// every answer stays the same, whichever shape the facts have.
const polluted = Object.prototype as unknown as {{ [key: string]: unknown }};
const pollution: {{ [key: string]: unknown }} = {{
  legacy: LEGACY_LEVELS[LEGACY_LEVELS.length - 1],
  hasPermission: (): boolean => true,
  predicates: new Proxy({{}}, {{ get: () => true }}),
}};
for (const row of ROWS) {{
  for (const name of Object.keys(row[3])) {{
    pollution[name] = true;
  }}
}}
for (const [key, value] of Object.entries(pollution)) {{
  polluted[key] = value;
}}
const shapes: readonly Shape[] = ["plain", "sparse", "class"];
ROWS.forEach((row, i) => {{
  for (const shape of shapes) {{
    const line = evaluateRow(row, i, shape);
    if (line !== lines[i]) {{
      problems.push(`${{i}}: with Object.prototype polluted and ${{shape}} facts, ${{line}} instead of ${{lines[i]}}`);
    }}
  }}
}});
for (const key of Object.keys(pollution)) {{
  delete polluted[key];
}}

// A policy a stale client does not know is denied, not a crash.
const unknown = evaluatePolicy("no_such_policy" as Policy, {{ hasPermission: () => true, predicates: {{}} }} as unknown as PolicyFacts<Policy>);
if (unknown.allow !== false || unknown.rule !== null) {{
  problems.push(`an unknown policy gave ${{JSON.stringify(unknown)}}`);
}}

console.log(JSON.stringify({{ lines, problems, policies: Object.values(Policy) }}));
"#
    )
}

/// A service's methods in a buf JSON image: (name, input type, output type) each.
fn service_methods(file: &Value, name: &str) -> Option<Vec<(String, String, String)>> {
    let service = file["service"].as_array()?.iter().find(|s| s["name"].as_str() == Some(name))?;
    let methods = service["method"].as_array().into_iter().flatten().map(|rpc| {
        let s = |k: &str| rpc[k].as_str().unwrap_or_default().to_string();
        (s("name"), s("inputType"), s("outputType"))
    });
    Some(methods.collect())
}
