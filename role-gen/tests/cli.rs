//! The `role-gen` binary: exit codes, refusals, and that nothing is written on bad input.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

fn role_gen(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("role-gen").expect("binary");
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

/// Every file and its bytes under `dir`, to prove a command wrote nothing.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((path.clone(), fs::read(&path).expect("read")));
            }
        }
    }
    out.sort();
    out
}

fn copy_example(name: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    fs::copy(workspace().join("definitions").join(name).join("roles.toml"), tmp.path().join("roles.toml"))
        .expect("copy");
    tmp
}

#[test]
fn every_invalid_file_fails_with_its_code_and_line_and_writes_nothing() {
    let corpus = workspace().join("tests/invalid");
    let manifest = fs::read_to_string(corpus.join("expected.tsv")).expect("expected.tsv");
    let mut checked = 0;
    let mut seen = Vec::new();
    for line in manifest.lines().filter(|l| !l.trim().is_empty()) {
        // file, code, line, and optionally the column (where the place within the line matters).
        let (file, code, line_no, column) = match line.split('\t').collect::<Vec<_>>()[..] {
            [file, code, line_no] => (file, code, line_no, None),
            [file, code, line_no, column] => (file, code, line_no, Some(column)),
            _ => panic!("bad manifest line {line:?}"),
        };
        seen.push(code.to_string());
        let tmp = tempfile::tempdir().expect("tempdir");
        fs::copy(corpus.join(file), tmp.path().join(file)).expect("copy");
        copy_dir(&corpus.join("templates"), &tmp.path().join("templates"));
        let before = snapshot(tmp.path());

        let out = role_gen(tmp.path()).args(["validate", "--format", "json", "-f", file]).output().expect("run");
        assert_eq!(out.status.code(), Some(1), "{file}: validate exit code");
        let report: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{file}: json: {e}"));
        let errors = report["errors"].as_array().expect("errors");
        assert_eq!(errors.len(), 1, "{file}: exactly one error expected, got {errors:#?}");
        assert_eq!(errors[0]["code"], code, "{file}: code");
        assert_eq!(errors[0]["line"].to_string(), line_no, "{file}: line");
        if let Some(column) = column {
            assert_eq!(errors[0]["column"].to_string(), column, "{file}: column");
        }

        role_gen(tmp.path())
            .args(["generate", "-f", file])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(format!("error[{code}]")));
        role_gen(tmp.path()).args(["check", "-f", file]).assert().code(1);
        assert_eq!(snapshot(tmp.path()), before, "{file}: a failed command wrote something");
        checked += 1;
    }
    assert!(checked >= 40, "only {checked} invalid files");
    for code in role_gen::Code::ALL.iter().filter(|c| c.severity() == role_gen::Severity::Error) {
        assert!(seen.iter().any(|s| s == code.as_str()), "no file in tests/invalid shows `{code}`");
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read_dir") {
        let path = entry.expect("entry").path();
        fs::copy(&path, to.join(path.file_name().expect("name"))).expect("copy");
    }
}

#[test]
fn all_errors_of_a_file_are_reported_in_one_run() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let text = "[project]\nname = \"x\"\n\n[permissions.a]\nid = 0\ndescription = \"A\"\n\n[permissions.B]\nid = 2\ndescription = \"\"\n\n[roles.r]\nid = 1\ndescription = \"R\"\npermissions = [\"aa\", \"zzz\"]\nincludes = [\"r\"]\ncolour = 1\n";
    fs::write(tmp.path().join("roles.toml"), text).expect("write");
    let out = role_gen(tmp.path()).args(["validate", "--format", "json"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let codes: Vec<&str> =
        report["errors"].as_array().expect("errors").iter().filter_map(|e| e["code"].as_str()).collect();
    for code in ["id-out-of-range", "invalid-name", "missing-key", "unknown-permission", "unknown-key"] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    role_gen(tmp.path())
        .arg("validate")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("did you mean `a`?"))
        .stderr(predicate::str::contains("roles.toml:15:16"));
}

/// A typo in a role does not hide a shadowed deny in a policy that never names it: every check
/// whose inputs resolved runs, in every output format.
#[test]
fn checks_on_what_resolved_run_beside_the_errors() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let text = "[project]\nname = \"x\"\n\n[entities.channel]\ndescription = \"C\"\n\n[permissions.archive_channel]\n\
                id = 1\ndescription = \"A\"\n\n[roles.admin]\nid = 1\ndescription = \"R\"\npermissions = [\"archiv_channel\"]\n\n\
                [legacy]\nlevels = [\"guest\", \"admin\"]\n\n[policies.p]\nid = 1\nentity = \"channel\"\nrules = [\n  \
                { allow_if_legacy_at_least = \"guest\" },\n  { deny_if_legacy = [\"guest\"] },\n  \
                { allow_if_legacy_at_least = \"admin\" },\n]\n";
    fs::write(tmp.path().join("roles.toml"), text).expect("write");
    let out = role_gen(tmp.path()).args(["validate", "--format", "json"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let codes = |kind: &str| -> Vec<(String, u64)> {
        report[kind]
            .as_array()
            .expect("list")
            .iter()
            .map(|d| (d["code"].as_str().unwrap_or_default().to_string(), d["line"].as_u64().unwrap_or_default()))
            .collect()
    };
    assert_eq!(codes("errors"), [("unknown-permission".into(), 14), ("shadowed-deny".into(), 24)]);
    assert_eq!(codes("warnings"), [("unreachable-rule".into(), 25)]);
    role_gen(tmp.path())
        .args(["validate", "--format", "github"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("title=unknown-permission"))
        .stdout(predicate::str::contains("line=24,col=3,title=shadowed-deny"))
        .stdout(predicate::str::contains("title=unreachable-rule"));
    role_gen(tmp.path())
        .arg("validate")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("invalid: 2 errors, 1 warning"));
}

#[test]
fn the_examples_validate_and_their_committed_output_is_current() {
    for file in
        ["definitions/slack/roles.toml", "definitions/minimal/roles.toml", "role-macros/tests/ui/fixture/roles.toml"]
    {
        let file = workspace().join(file);
        role_gen(&workspace()).args(["validate", "--deny-warnings", "-f"]).arg(&file).assert().success();
        role_gen(&workspace())
            .args(["check", "-f"])
            .arg(&file)
            .assert()
            .success()
            .stdout(predicate::str::contains("up to date"));
    }
}

#[test]
fn generate_writes_then_leaves_unchanged_files_alone() {
    let tmp = copy_example("slack");
    role_gen(tmp.path()).arg("generate").assert().success().stdout(predicate::str::contains("5 files changed"));
    let rs = tmp.path().join("gen/roles.rs");
    let mtime = fs::metadata(&rs).and_then(|m| m.modified()).expect("mtime");
    std::thread::sleep(std::time::Duration::from_millis(20));
    role_gen(tmp.path())
        .arg("generate")
        .assert()
        .success()
        .stdout(predicate::str::contains("0 files changed, 5 unchanged"));
    assert_eq!(fs::metadata(&rs).and_then(|m| m.modified()).expect("mtime"), mtime, "an unchanged file was rewritten");
    role_gen(tmp.path()).arg("check").assert().success();
}

#[test]
fn generate_only_the_asked_targets_into_another_folder() {
    let tmp = copy_example("minimal");
    role_gen(tmp.path())
        .args(["generate", "--target", "rust", "--target", "typescript", "--out-dir", "out"])
        .assert()
        .success();
    assert!(tmp.path().join("out/roles.rs").is_file());
    assert!(tmp.path().join("out/roles.ts").is_file());
    assert!(!tmp.path().join("out/roles.json").exists());
    assert!(!tmp.path().join("gen").exists());
    // An opt-in target by name, its four files (SPEC section 8).
    role_gen(tmp.path()).args(["generate", "--target", "sql", "--out-dir", "sql-out"]).assert().success();
    for file in ["roles.sqlite.sql", "roles.postgres.sql", "check_access.sqlite.sql", "check_access.postgres.sql"] {
        assert!(tmp.path().join("sql-out/sql").join(file).is_file(), "{file}");
    }
    assert!(!tmp.path().join("sql-out/roles.rs").exists());
}

#[test]
fn the_cedar_target_is_opt_in_and_writes_its_two_files() {
    let tmp = copy_example("minimal");
    role_gen(tmp.path()).args(["generate", "--target", "cedar", "--out-dir", "out"]).assert().success();
    for file in ["out/cedar/roles.cedarschema", "out/cedar/roles.cedar"] {
        let text = fs::read_to_string(tmp.path().join(file)).expect(file);
        assert!(text.starts_with("// @generated by role-gen from roles.toml."), "{file}");
    }
    assert!(!tmp.path().join("out/roles.rs").exists());
    // Not among the defaults; `targets` turns it on, and `check` then covers it.
    role_gen(tmp.path()).arg("generate").assert().success();
    assert!(!tmp.path().join("gen/cedar").exists());
    let toml = tmp.path().join("roles.toml");
    let text = fs::read_to_string(&toml).expect("read");
    fs::write(&toml, format!("[output]\ntargets = [\"json\", \"cedar\"]\n\n{text}")).expect("write");
    role_gen(tmp.path()).arg("generate").assert().success().stdout(predicate::str::contains("gen/cedar/roles.cedar"));
    role_gen(tmp.path()).arg("check").assert().success();
}

#[test]
fn the_go_target_is_opt_in_and_refuses_names_go_cannot_take() {
    let tmp = copy_example("slack");
    role_gen(tmp.path()).arg("generate").assert().success();
    assert!(!tmp.path().join("gen/go").exists(), "generated without being asked for");
    role_gen(tmp.path())
        .args(["generate", "--target", "go"])
        .assert()
        .success()
        .stdout(predicate::str::contains("created gen/go/roles.go"));
    let text = fs::read_to_string(tmp.path().join("gen/go/roles.go")).expect("roles.go");
    assert!(text.starts_with("// @generated by role-gen from roles.toml."));
    assert!(text.contains("\npackage slack\n"), "the package is the project's name");
    // A permission whose constant would be the type `PermissionSet`: refused, nothing written.
    let toml = tmp.path().join("roles.toml");
    let text = fs::read_to_string(&toml).expect("read");
    fs::write(&toml, format!("{text}\n[permissions.set]\nid = 900\ndescription = \"Set\"\n")).expect("write");
    role_gen(tmp.path()).arg("validate").assert().success();
    let before = snapshot(tmp.path());
    let out = role_gen(tmp.path()).args(["generate", "--target", "go"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("error[identifier-collision]") && stderr.contains("`PermissionSet`"), "{stderr}");
    assert_eq!(snapshot(tmp.path()), before, "nothing written");
}

#[test]
fn check_fails_on_stale_missing_and_unexpected_files_with_a_diff_and_the_fix() {
    let tmp = copy_example("slack");
    role_gen(tmp.path()).arg("check").assert().code(1).stdout(predicate::str::contains("missing: gen/roles.rs"));
    role_gen(tmp.path()).arg("generate").assert().success();
    let ts = tmp.path().join("gen/roles.ts");
    let edited = fs::read_to_string(&ts).expect("read").replace("ARCHIVE_CHANNEL", "ARCHIVE_CHANEL");
    fs::write(&ts, edited).expect("write");
    role_gen(tmp.path())
        .arg("check")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("stale: gen/roles.ts (+1 -1)\n"))
        .stdout(predicate::str::contains("-  ARCHIVE_CHANEL"))
        .stdout(predicate::str::contains("+  ARCHIVE_CHANNEL"))
        .stderr(predicate::str::contains("run `role-gen generate`"));
    // A custom output generated once, then dropped from roles.toml, is a leftover: listed in the
    // manifest, so `check` names it (without its contents) and `generate` removes it.
    let toml = tmp.path().join("roles.toml");
    let original = fs::read_to_string(&toml).expect("read");
    fs::write(tmp.path().join("old.hbs"), "// @generated by role-gen from roles.toml.\n").expect("write");
    fs::write(&toml, format!("{original}\n[[output.custom]]\ntemplate = \"old.hbs\"\npath = \"old.ts\"\n"))
        .expect("write");
    role_gen(tmp.path()).arg("generate").assert().success();
    fs::write(&toml, original).expect("write");
    fs::write(tmp.path().join("gen/mine.txt"), "hand-written, not ours\n").expect("write");
    fs::write(tmp.path().join("gen/stray.ts"), "// @generated by role-gen, but not listed\n").expect("write");
    role_gen(tmp.path())
        .arg("check")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("unexpected: gen/old.ts (role-gen generated it earlier"));
    role_gen(tmp.path()).arg("generate").assert().success().stdout(predicate::str::contains("removed gen/old.ts"));
    assert!(tmp.path().join("gen/mine.txt").exists(), "a file role-gen did not generate was removed");
    assert!(tmp.path().join("gen/stray.ts").exists(), "a file the manifest does not list was removed");
    role_gen(tmp.path()).arg("check").assert().success();
}

#[test]
fn roles_toml_is_found_in_a_parent_folder() {
    let tmp = copy_example("minimal");
    let sub = tmp.path().join("src/deep");
    fs::create_dir_all(&sub).expect("mkdir");
    role_gen(&sub).arg("validate").assert().success();
    role_gen(&sub).arg("generate").assert().success();
    assert!(tmp.path().join("gen/roles.rs").is_file(), "outputs go beside roles.toml, not into the current folder");
}

#[test]
fn init_writes_an_example_and_never_overwrites() {
    let tmp = tempfile::tempdir().expect("tempdir");
    role_gen(tmp.path()).args(["init", "--example", "slack"]).assert().success();
    role_gen(tmp.path()).args(["validate", "--deny-warnings"]).assert().success();
    let before = fs::read(tmp.path().join("roles.toml")).expect("read");
    role_gen(tmp.path()).arg("init").assert().code(1).stderr(predicate::str::contains("already exists"));
    assert_eq!(fs::read(tmp.path().join("roles.toml")).expect("read"), before);
    role_gen(tmp.path()).args(["init", "-f", "config/roles.toml"]).assert().success();
    role_gen(tmp.path()).args(["validate", "--deny-warnings", "-f", "config/roles.toml"]).assert().success();
}

#[test]
fn usage_and_io_errors_exit_2() {
    let tmp = tempfile::tempdir().expect("tempdir");
    role_gen(tmp.path()).arg("validate").assert().code(2).stderr(predicate::str::contains("no roles.toml"));
    role_gen(tmp.path())
        .args(["validate", "-f", "nope.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read `nope.toml`"));
    role_gen(tmp.path()).args(["validate", "--format", "xml"]).assert().code(2);
    role_gen(tmp.path()).arg("frobnicate").assert().code(2);
}

#[test]
fn warnings_pass_unless_denied_and_speak_github() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let text = "[project]\nname = \"x\"\n\n[permissions.a]\nid = 1\ndescription = \"A\"\n";
    fs::write(tmp.path().join("roles.toml"), text).expect("write");
    role_gen(tmp.path())
        .arg("validate")
        .assert()
        .success()
        .stderr(predicate::str::contains("warning[ungranted-permission]"));
    role_gen(tmp.path()).args(["validate", "--deny-warnings"]).assert().code(1);
    role_gen(tmp.path()).args(["validate", "--format", "github"]).assert().success().stdout(
        predicate::str::starts_with(
            "::warning file=roles.toml,line=4,col=14,title=ungranted-permission::no role grants permission `a`",
        ),
    );
}

#[test]
fn hostile_input_never_panics() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let inputs: [&[u8]; 8] = [
        b"",
        b"\xff\xfe",
        b"[",
        b"[project]\nname = 1",
        b"x = \"\x00\"",
        b"[[permissions]]",
        b"[project]\nname=\"a\"\n[roles.a]\nincludes=[\"a\",\"a\"]\nid=1\ndescription=\"d\"",
        b"permissions = 3\nroles = []\nentities = \"x\"",
    ];
    for input in inputs {
        fs::write(tmp.path().join("roles.toml"), input).expect("write");
        let out = role_gen(tmp.path()).arg("validate").output().expect("run");
        assert_eq!(out.status.code(), Some(1), "input {input:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"), "input {input:?}");
    }
}

#[test]
fn custom_templates_render_the_json_document_with_helpers() {
    let tmp = copy_example("minimal");
    let toml = fs::read_to_string(tmp.path().join("roles.toml")).expect("read");
    let toml = toml.replace("[project]", "[output]\ntargets = [\"json\"]\n\n[[output.custom]]\ntemplate = \"templates/py.hbs\"\npath = \"py/roles.py\"\n\n[project]");
    fs::write(tmp.path().join("roles.toml"), toml).expect("write");
    fs::create_dir_all(tmp.path().join("templates")).expect("mkdir");
    let template = "# {{[@generated]}}\n{{#each permissions}}{{screaming name}} = {{id}}  # {{line_comment description}}\n{{pascal name}} {{camel name}} {{kebab name}} \"{{json_str description}}\"\n{{/each}}";
    fs::write(tmp.path().join("templates/py.hbs"), template).expect("write");
    role_gen(tmp.path()).arg("generate").assert().success().stdout(predicate::str::contains("created gen/py/roles.py"));
    let out = fs::read_to_string(tmp.path().join("gen/py/roles.py")).expect("read");
    assert!(out.starts_with("# @generated by role-gen from roles.toml."), "{out}");
    assert!(out.contains("VIEW_SETTINGS = 1  # "), "{out}");
    assert!(out.contains("ViewSettings viewSettings view-settings"), "{out}");
    assert!(!tmp.path().join("gen/roles.rs").exists(), "targets = [\"json\"] limits the built-ins");
    role_gen(tmp.path()).arg("check").assert().success();

    // A template that names a field the document lacks fails at render, pointing at roles.toml.
    fs::write(tmp.path().join("templates/py.hbs"), "{{nonexistent.field}}").expect("write");
    let before = snapshot(tmp.path());
    let text = fs::read_to_string(tmp.path().join("roles.toml")).expect("read");
    let line = text.lines().position(|l| l.starts_with("template =")).expect("template line") + 1;
    role_gen(tmp.path())
        .arg("generate")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("error[template-error]"))
        .stderr(predicate::str::contains("`nonexistent.field`").or(predicate::str::contains("nonexistent.field")))
        .stderr(predicate::str::contains(format!("roles.toml:{line}:12")));
    assert_eq!(snapshot(tmp.path()), before, "a failed render wrote something");
}

#[test]
fn custom_outputs_may_not_collide_with_built_ins() {
    let tmp = copy_example("minimal");
    let toml = fs::read_to_string(tmp.path().join("roles.toml")).expect("read");
    let toml = toml.replace("[project]", "[[output.custom]]\ntemplate = \"t.hbs\"\npath = \"./roles.rs\"\n\n[project]");
    fs::write(tmp.path().join("roles.toml"), toml).expect("write");
    fs::write(tmp.path().join("t.hbs"), "x").expect("write");
    role_gen(tmp.path()).arg("validate").assert().code(1).stderr(predicate::str::contains("error[path-conflict]"));
}

#[test]
fn every_warning_has_its_code_and_line_and_fails_only_when_denied() {
    let corpus = workspace().join("tests/warnings");
    let manifest = fs::read_to_string(corpus.join("expected.tsv")).expect("expected.tsv");
    let mut seen = Vec::new();
    for line in manifest.lines().filter(|l| !l.trim().is_empty()) {
        let [file, code, line_no] = line.split('\t').collect::<Vec<_>>()[..] else {
            panic!("bad manifest line {line:?}")
        };
        let out = role_gen(&corpus).args(["validate", "--format", "json", "-f", file]).output().expect("run");
        assert_eq!(out.status.code(), Some(0), "{file}: warnings alone pass");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let warnings: Vec<(String, String)> = report["warnings"]
            .as_array()
            .expect("warnings")
            .iter()
            .map(|w| (w["code"].as_str().unwrap_or_default().to_string(), w["line"].to_string()))
            .collect();
        assert_eq!(warnings, vec![(code.to_string(), line_no.to_string())], "{file}");
        role_gen(&corpus).args(["validate", "--deny-warnings", "-f", file]).assert().code(1);
        seen.push(code.to_string());
    }
    for code in role_gen::Code::ALL.iter().filter(|c| c.severity() == role_gen::Severity::Warning) {
        assert!(seen.iter().any(|s| s == code.as_str()), "no file in tests/warnings shows `{code}`");
    }
}

#[test]
fn quiet_prints_only_failures() {
    let tmp = tempfile::tempdir().expect("tempdir");
    role_gen(tmp.path()).args(["init", "--quiet"]).assert().success().stdout("").stderr("");
    role_gen(tmp.path()).args(["generate", "-q"]).assert().success().stdout("").stderr("");
    role_gen(tmp.path()).args(["-q", "check"]).assert().success().stdout("").stderr("");
    role_gen(tmp.path()).args(["validate", "-q"]).assert().success().stdout("").stderr("");
    fs::write(tmp.path().join("roles.toml"), "[project]\nname = 1\n").expect("write");
    role_gen(tmp.path())
        .args(["validate", "-q"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("error[wrong-type]"));
}

#[test]
fn every_command_runs_itself_and_none_succeeds_without_a_roles_toml() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let commands: [&[&str]; 16] = [
        &["validate"],
        &["generate"],
        &["check"],
        &["add", "role", "r", "--description", "R"],
        &["grant", "r", "p"],
        &["revoke", "r", "p"],
        &["remove", "role", "r"],
        &["deprecate", "permission", "p"],
        &["explain", "r"],
        &["who-can", "p"],
        &["matrix"],
        &["diff", "old.toml"],
        &["test"],
        &["scaffold", "policies"],
        &["fmt"],
        &["fmt", "--check"],
    ];
    for args in commands {
        role_gen(tmp.path())
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains("no roles.toml in this folder or any parent"));
    }
    assert_eq!(snapshot(tmp.path()), Vec::new(), "a command wrote something");
}

#[test]
fn init_and_scaffold_create_whole_files_and_leave_nothing_else() {
    let tmp = tempfile::tempdir().expect("tempdir");
    role_gen(tmp.path()).args(["init", "--example", "slack", "-f", "a/b/roles.toml"]).assert().success();
    let roles = tmp.path().join("a/b/roles.toml");
    let slack = fs::read_to_string(workspace().join("role-gen/init/slack.toml")).expect("read");
    assert_eq!(fs::read_to_string(&roles).expect("read"), format!("#:schema ./roles.schema.json\n{slack}"));
    let schema = tmp.path().join("a/b/roles.schema.json");
    let printed = role_gen(tmp.path()).arg("schema").output().expect("run").stdout;
    assert_eq!(fs::read(&schema).expect("read"), printed, "init writes what `role-gen schema` prints");
    role_gen(tmp.path())
        .args(["scaffold", "policies", "-f", "a/b/roles.toml", "--out", "src/facts.rs"])
        .assert()
        .success()
        .stdout(predicate::str::contains("wrote src/facts.rs"));
    let listed: Vec<PathBuf> = snapshot(tmp.path()).into_iter().map(|(p, _)| p).collect();
    assert_eq!(listed, [schema, roles, tmp.path().join("src/facts.rs")], "a temporary file was left behind");
    let before = snapshot(tmp.path());
    role_gen(tmp.path())
        .args(["scaffold", "policies", "-f", "a/b/roles.toml", "--out", "src/facts.rs"])
        .assert()
        .code(1)
        .stderr("error: `src/facts.rs` already exists; role-gen scaffold never overwrites a file\n");
    assert_eq!(snapshot(tmp.path()), before);
}

#[cfg(unix)]
#[test]
fn init_never_writes_through_a_link() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::os::unix::fs::symlink(tmp.path().join("elsewhere.toml"), tmp.path().join("roles.toml")).expect("link");
    role_gen(tmp.path())
        .arg("init")
        .assert()
        .code(1)
        .stderr("error: `roles.toml` already exists; role-gen init never overwrites a file\n");
    assert!(!tmp.path().join("elsewhere.toml").exists(), "init wrote through a dangling link");
}

#[test]
fn check_summarizes_first_bounds_the_diff_and_never_dumps_a_missing_file() {
    let tmp = copy_example("slack");
    role_gen(tmp.path()).arg("generate").assert().success();
    // One rename touches every target: the summary names each file, the diff stays bounded.
    let toml = tmp.path().join("roles.toml");
    let text = fs::read_to_string(&toml).expect("read").replace("archive_channel", "archive_conversation");
    fs::write(&toml, text).expect("write");
    fs::remove_file(tmp.path().join("gen/roles.rs")).expect("remove");
    let out = role_gen(tmp.path()).args(["check", "--max-diff-lines", "40"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("stale: gen/ROLES.md (+"), "{stdout}");
    assert!(lines.iter().take(5).any(|l| l.starts_with("missing: gen/roles.rs (") && l.ends_with(" lines to create)")));
    assert!(!stdout.contains("pub enum Permission"), "the missing file was dumped:\n{stdout}");
    let diff_lines = lines.iter().skip(5).filter(|l| !l.starts_with('…')).count();
    assert_eq!(diff_lines, 40, "{stdout}");
    assert!(lines.last().is_some_and(|l| l.starts_with("… ") && l.contains("`--max-diff-lines N` shows more")));
    // --stat: the summary alone.
    let stat = role_gen(tmp.path()).args(["check", "--stat"]).output().expect("run");
    assert_eq!(stat.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&stat.stdout).lines().count(), 5, "{}", String::from_utf8_lossy(&stat.stdout));
    assert!(String::from_utf8_lossy(&stat.stderr).contains("5 generated files are out of date"));
}

#[test]
fn suggested_commands_are_shell_quoted_and_name_the_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    role_gen(tmp.path()).args(["init", "-f", "my dir/it's roles.toml"]).assert().success().stdout(
        "wrote my dir/it's roles.toml and my dir/roles.schema.json, the JSON Schema its `#:schema` line names for editors\n\
         next: edit it, then run `role-gen generate -f 'my dir/it'\\''s roles.toml'`\n",
    );
    role_gen(tmp.path())
        .args(["grant", "admin", "view_settings", "-f", "my dir/it's roles.toml"])
        .assert()
        .success()
        .stdout(predicate::str::contains("next: `role-gen generate -f 'my dir/it'\\''s roles.toml'` refreshes"));
    role_gen(tmp.path())
        .args(["check", "-f", "my dir/it's roles.toml", "--out-dir", "out dir"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "run `role-gen generate -f 'my dir/it'\\''s roles.toml' --out-dir 'out dir'`",
        ));
    // Without -f, the command finds the file itself, as the suggestion will. The schema written
    // beside the first file is kept, with the command that refreshes it, quoted.
    role_gen(&tmp.path().join("my dir"))
        .args(["init", "-f", "roles.toml"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "wrote roles.toml; kept the existing roles.schema.json (`role-gen schema > roles.schema.json` refreshes it)\n",
        ))
        .stdout(predicate::str::ends_with("then run `role-gen generate -f roles.toml`\n"));
}

#[test]
fn init_help_does_not_claim_to_search_parents() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let help = role_gen(tmp.path()).args(["init", "--help"]).output().expect("run");
    let help = String::from_utf8_lossy(&help.stdout).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(help.contains("parents are not searched"), "{help}");
    assert!(!help.contains("nearest parent"), "{help}");
    // Both places for -f still work.
    role_gen(tmp.path()).args(["-f", "a/roles.toml", "init"]).assert().success();
    role_gen(tmp.path()).args(["init", "-f", "b/roles.toml"]).assert().success();
    assert!(tmp.path().join("a/roles.toml").is_file() && tmp.path().join("b/roles.toml").is_file());
}

/// A roles.toml with one warning (`view_settings` granted nowhere).
fn with_a_warning() -> tempfile::TempDir {
    let tmp = copy_example("minimal");
    let toml = tmp.path().join("roles.toml");
    let text = fs::read_to_string(&toml).expect("read");
    fs::write(&toml, format!("{text}\n[permissions.unused]\nid = 99\ndescription = \"No role grants it\"\n"))
        .expect("write");
    tmp
}

#[test]
fn quiet_prints_only_what_fails() {
    let tmp = with_a_warning();
    for args in [&["validate", "-q"][..], &["generate", "-q"], &["check", "-q"], &["test", "-q"], &["fmt", "-q"]] {
        role_gen(tmp.path()).args(args).assert().success().stdout("").stderr("");
    }
    // Warnings that fail (--deny-warnings) are what fails, so they print.
    role_gen(tmp.path())
        .args(["validate", "-q", "--deny-warnings"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("warning[ungranted-permission]"));
    role_gen(tmp.path()).args(["grant", "admin", "unused", "-q"]).assert().success().stdout("").stderr("");
    // An answer asked for is printed whatever -q says.
    role_gen(tmp.path()).args(["explain", "admin", "-q"]).assert().success().stdout(predicate::str::contains("unused"));
    // Drift is a failure: printed.
    fs::remove_file(tmp.path().join("gen/roles.rs")).expect("remove");
    role_gen(tmp.path())
        .args(["check", "-q"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("missing: gen/roles.rs"));
}

#[test]
fn github_annotations_name_files_from_the_repository_root() {
    let repo = tempfile::tempdir().expect("tempdir");
    fs::create_dir_all(repo.path().join(".git")).expect("mkdir");
    let svc = repo.path().join("services/auth");
    fs::create_dir_all(&svc).expect("mkdir");
    fs::copy(workspace().join("definitions/minimal/roles.toml"), svc.join("roles.toml")).expect("copy");
    let toml = svc.join("roles.toml");
    let text = fs::read_to_string(&toml).expect("read").replacen("[\"view_settings\"]", "[\"view_setings\"]", 1);
    fs::write(&toml, text).expect("write");
    // From the file's folder, from the repository root, and from a sibling folder.
    let sibling = repo.path().join("web");
    fs::create_dir_all(&sibling).expect("mkdir");
    for (dir, file) in [
        (svc.clone(), "roles.toml"),
        (repo.path().to_path_buf(), "services/auth/roles.toml"),
        (sibling, "../services/auth/roles.toml"),
    ] {
        let out = role_gen(&dir).args(["validate", "--format", "github", "-f", file]).output().expect("run");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(stdout.starts_with("::error file=services/auth/roles.toml,line="), "from {}: {stdout}", dir.display());
    }
    let old = svc.join("old.toml");
    fs::copy(workspace().join("definitions/minimal/roles.toml"), &old).expect("copy");
    let fixed = fs::read_to_string(&toml).expect("read").replacen("view_setings", "view_settings", 1);
    fs::write(&toml, fixed.replacen("id = 2\n", "id = 20\n", 1)).expect("write");
    let out = role_gen(&svc).args(["diff", "old.toml", "roles.toml", "--format", "github"]).output().expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(stdout.contains("::error file=services/auth/roles.toml,line="), "{stdout}");
}

#[test]
fn many_warnings_of_one_code_are_counted_not_all_printed_unless_verbose() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut text = String::from("[project]\nname = \"x\"\n");
    for i in 1..=15 {
        text.push_str(&format!("[permissions.p{i}]\nid = {i}\ndescription = \"granted by no role\"\n"));
    }
    fs::write(tmp.path().join("roles.toml"), text).expect("write");
    let out = role_gen(tmp.path()).arg("validate").output().expect("run");
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(stderr.matches("warning[ungranted-permission]").count(), 10, "{stderr}");
    assert!(stderr.contains("… 5 more `ungranted-permission` warnings not shown (`--verbose` shows every one)"));
    assert!(stderr.ends_with("roles.toml: valid, 15 warnings\n"), "{stderr}");
    let verbose = role_gen(tmp.path()).args(["validate", "--verbose"]).output().expect("run");
    assert_eq!(String::from_utf8_lossy(&verbose.stderr).matches("warning[ungranted-permission]").count(), 15);
    // Machine formats always hold every one.
    let json = role_gen(tmp.path()).args(["validate", "--format", "json"]).output().expect("run");
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(report["warnings"].as_array().map(Vec::len), Some(15));
}

#[test]
fn engine_targets_generate_through_the_cli_and_refuse_names_their_engine_cannot_take() {
    let tmp = copy_example("slack");
    role_gen(tmp.path())
        .args(["generate", "--target", "openfga", "--target", "spicedb"])
        .assert()
        .success()
        .stdout(predicate::str::contains("created gen/openfga/model.fga"))
        .stdout(predicate::str::contains("created gen/openfga/tests.fga.yaml"))
        .stdout(predicate::str::contains("created gen/spicedb/schema.zed"))
        .stdout(predicate::str::contains("created gen/spicedb/validation.yaml"));
    // The hostile file is valid for the default targets; asking for an engine on the command
    // line checks its names for that engine, reports every problem and writes nothing.
    let tmp = tempfile::tempdir().expect("tempdir");
    fs::copy(workspace().join("tests/hostile/roles.toml"), tmp.path().join("roles.toml")).expect("copy");
    role_gen(tmp.path()).arg("validate").assert().success();
    for (target, absent) in [("openfga", "gen/openfga"), ("spicedb", "gen/spicedb")] {
        let before = snapshot(tmp.path());
        let out = role_gen(tmp.path()).args(["generate", "--target", target]).output().expect("run");
        assert_eq!(out.status.code(), Some(1), "{target}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("error[engine-name]") && stderr.contains("error[identifier-collision]"), "{stderr}");
        assert!(stderr.contains(&format!("the `{target}` target")), "{stderr}");
        assert!(!stderr.contains("panicked"));
        assert_eq!(snapshot(tmp.path()), before, "{target}: nothing written");
        assert!(!tmp.path().join(absent).exists());
    }
}

#[test]
fn the_python_target_generates_through_the_cli_and_only_when_asked() {
    let tmp = copy_example("slack");
    role_gen(tmp.path()).arg("generate").assert().success();
    assert!(!tmp.path().join("gen/python").exists(), "python is not a default target");
    role_gen(tmp.path())
        .args(["generate", "--target", "python"])
        .assert()
        .success()
        .stdout(predicate::str::contains("created gen/python/roles.py"));
    let roles_py = fs::read_to_string(tmp.path().join("gen/python/roles.py")).expect("roles.py");
    assert!(roles_py.starts_with("# @generated by role-gen from roles.toml."), "{roles_py}");
    assert!(roles_py.contains("class Permission(enum.IntEnum):\n"), "{roles_py}");
    role_gen(tmp.path())
        .args(["generate", "--target", "python"])
        .assert()
        .success()
        .stdout(predicate::str::contains("0 files changed, 1 unchanged"));
}
