//! `scaffold policies` and the policy side of `test`: what users see.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn definition(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../definitions").join(name).join("roles.toml")
}

fn role_gen() -> Command {
    let mut cmd = Command::cargo_bin("role-gen").expect("binary");
    cmd.env("NO_COLOR", "1");
    cmd
}

#[test]
fn scaffold_writes_once_and_never_overwrites() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("src/policy_facts.rs");
    role_gen()
        .args(["scaffold", "policies", "--out"])
        .arg(&out)
        .arg("-f")
        .arg(definition("slack"))
        .assert()
        .success()
        .stdout(predicate::str::contains("wrote"));
    let text = fs::read_to_string(&out).expect("written");
    for expected in [
        "impl PolicyFacts for ActorFacts",
        "fn legacy_level(&self) -> Option<LegacyRole>",
        "fn has_permission(&self, permission: Permission) -> bool",
        "/// Whether the actor created the channel",
        "fn actor_created_channel(&self) -> bool",
        "todo!(\"answer the predicate `members_can_invite`\")",
    ] {
        assert!(text.contains(expected), "scaffold lacks {expected:?}:\n{text}");
    }
    assert!(!text.contains("@generated"), "the scaffold is the user's: no @generated marker");

    fs::write(&out, "// mine now\n").expect("edit");
    role_gen()
        .args(["scaffold", "policies", "--out"])
        .arg(&out)
        .arg("-f")
        .arg(definition("slack"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already exists"));
    assert_eq!(fs::read_to_string(&out).expect("read"), "// mine now\n", "an existing file was overwritten");
}

#[test]
fn scaffold_prints_with_a_dash_and_refuses_without_policies() {
    role_gen()
        .args(["scaffold", "policies", "--out", "-", "-f"])
        .arg(definition("slack"))
        .assert()
        .success()
        .stdout(predicate::str::contains("fn channel_is_general(&self) -> bool"));
    let tmp = tempfile::tempdir().expect("tempdir");
    role_gen()
        .current_dir(tmp.path())
        .args(["scaffold", "policies", "-f"])
        .arg(definition("minimal"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("has no policies"));
    assert!(!tmp.path().join("policy_facts.rs").exists());
}

/// The language is `--lang`, else `--out`'s extension, else Rust; the default file follows it.
#[test]
fn scaffold_writes_go_and_python_by_extension_or_lang() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let scaffold = |args: &[&str]| {
        let mut cmd = role_gen();
        cmd.current_dir(tmp.path()).args(["scaffold", "policies"]).args(args).arg("-f").arg(definition("slack"));
        cmd.assert()
    };
    scaffold(&["--out", "facts.go"]).success().stdout(predicate::str::contains("answer each `panic`"));
    let go = fs::read_to_string(tmp.path().join("facts.go")).expect("written");
    for expected in [
        "package slack\n",
        "var _ PolicyFacts = ActorFacts{}",
        "func (f ActorFacts) LegacyLevel() (LegacyRole, bool) {",
        "func (f ActorFacts) HasPermission(permission Permission) bool {",
        "// ActorCreatedChannel answers the predicate `actor_created_channel`.",
        "panic(\"answer the predicate `members_can_invite`\")",
    ] {
        assert!(go.contains(expected), "the Go scaffold lacks {expected:?}:\n{go}");
    }
    scaffold(&["--lang", "go"]).success();
    assert_eq!(fs::read_to_string(tmp.path().join("policy_facts.go")).ok().as_deref(), Some(go.as_str()));
    scaffold(&["--lang", "go"]).code(1).stderr(predicate::str::contains("already exists"));

    let python = scaffold(&["--lang", "python", "--out", "-"]).success();
    let python = String::from_utf8_lossy(&python.get_output().stdout).into_owned();
    for expected in [
        "from roles import LegacyRole, Permission, PolicyFacts\n",
        "class ActorFacts:",
        "    def legacy_level(self) -> LegacyRole | None:",
        "    def has_permission(self, permission: Permission) -> bool:",
        "    #: Whether the actor created the channel",
        "        raise NotImplementedError(\"answer the predicate `members_can_invite`\")",
        "def _conforms(facts: ActorFacts) -> PolicyFacts:",
    ] {
        assert!(python.contains(expected), "the Python scaffold lacks {expected:?}:\n{python}");
    }
    scaffold(&["--out", "facts.py"]).success().stdout(predicate::str::contains("`raise NotImplementedError`"));
    assert_eq!(fs::read_to_string(tmp.path().join("facts.py")).ok(), Some(python));
    scaffold(&["--out", "facts.txt"]).success();
    let rust = fs::read_to_string(tmp.path().join("facts.txt")).expect("written");
    assert!(rust.contains("impl PolicyFacts for ActorFacts"), "an unknown extension is Rust:\n{rust}");
    assert!(!go.contains("@generated") && !rust.contains("@generated"), "the scaffold is the user's");
}

#[test]
fn a_failing_policy_test_names_its_line_the_answers_and_the_deciding_rule() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let text = fs::read_to_string(definition("slack")).expect("read")
        + "\n[[tests]]\nname = \"a plain member may archive (wrong)\"\npolicy = \"channel_archive\"\n\
           legacy = \"member\"\nroles = []\nexpect = \"allow\"\n\n[[tests]]\npolicy = \"channel_archive\"\n\
           legacy = \"owner\"\nroles = []\nexpect = \"deny\"\n";
    fs::write(tmp.path().join("roles.toml"), &text).expect("write");
    let first = text.lines().count() - 11;
    let out = role_gen().current_dir(tmp.path()).arg("test").output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("test roles.toml:{first}:1 a plain member may archive (wrong) ... FAILED")),
        "{stdout}"
    );
    assert!(stdout.contains("expected allow, found deny: no rule fired (default deny)"), "{stdout}");
    assert!(
        stdout.contains("expected deny, found allow: decided by rule 2 `allow_if_legacy_at_least admin`"),
        "{stdout}"
    );
    let json = role_gen().current_dir(tmp.path()).args(["test", "--format", "json"]).output().expect("run");
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    let failed: Vec<&serde_json::Value> =
        v["tests"].as_array().expect("tests").iter().filter(|t| t["passed"] == false).collect();
    assert_eq!(failed.len(), 2);
    assert_eq!(failed[0]["line"], first);
}

#[test]
fn validate_reports_policy_mistakes() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let text = fs::read_to_string(definition("slack")).expect("read").replace(
        "  { deny_if_legacy = [\"guest\"] },               # guests",
        "  { allow_if_legacy_at_least = \"guest\" },\n  { deny_if_legacy = [\"guest\"] },               # guests",
    );
    fs::write(tmp.path().join("roles.toml"), text).expect("write");
    role_gen()
        .current_dir(tmp.path())
        .arg("validate")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("error[shadowed-deny]"))
        .stderr(predicate::str::contains("never denies `guest`"));
}

/// `benches/policy.rs` benchmarks the committed `definitions/slack/gen/roles.rs`: it must be
/// what role-gen generates today (as `.ci/run` also checks for every example).
#[test]
fn the_benchmarked_generated_module_is_current() {
    for name in ["slack", "minimal"] {
        role_gen().args(["check", "-f"]).arg(definition(name)).assert().success();
    }
}
