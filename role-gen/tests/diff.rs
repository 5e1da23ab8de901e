//! `role-gen diff`: exit codes, the JSON contract, GitHub annotations and `--against GIT_REV`.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

/// viewer <- editor <- admin (each includes the one before), and an unrelated auditor.
const BASE: &str = r#"[project]
name = "demo"

[entities.workspace]
description = "A workspace"

[permissions.view]
id = 1
description = "View"

[permissions.edit]
id = 2
description = "Edit"

[permissions.delete]
id = 3
description = "Delete"

[roles.viewer]
id = 1
description = "Views"
permissions = ["view"]

[roles.editor]
id = 2
description = "Edits"
permissions = ["edit"]
includes = ["viewer"]

[roles.admin]
id = 3
description = "Runs it"
permissions = ["delete"]
includes = ["editor"]

[roles.auditor]
id = 4
description = "Audits"
permissions = ["view"]
"#;

/// BASE with `delete` removed (and its grant), plus `extra` at the end.
fn without_delete(extra: &str) -> String {
    let text = BASE.replace("[permissions.delete]\nid = 3\ndescription = \"Delete\"\n\n", "");
    format!("{}{extra}", text.replace("permissions = [\"delete\"]\n", ""))
}

fn role_gen(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("role-gen").expect("binary");
    cmd.current_dir(dir).env("NO_COLOR", "1").env("GIT_CEILING_DIRECTORIES", ceiling());
    cmd
}

/// Git never looks above the temporary folders, whatever repository holds them.
fn ceiling() -> std::path::PathBuf {
    std::env::temp_dir()
}

/// A folder holding `old.toml` and `roles.toml`.
fn pair(old: &str, new: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    fs::write(tmp.path().join("old.toml"), old).expect("write");
    fs::write(tmp.path().join("roles.toml"), new).expect("write");
    tmp
}

fn json_diff(dir: &Path, extra: &[&str]) -> (Option<i32>, serde_json::Value) {
    let out =
        role_gen(dir).args(["diff", "old.toml", "roles.toml", "--format", "json"]).args(extra).output().expect("run");
    let value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("json: {e}: {:?}", out.stdout));
    (out.status.code(), value)
}

fn codes(list: &serde_json::Value) -> Vec<&str> {
    list.as_array().expect("array").iter().map(|f| f["code"].as_str().expect("code")).collect()
}

fn pairs(list: &serde_json::Value) -> Vec<(&str, &str)> {
    let items = list.as_array().expect("array");
    items.iter().map(|g| (g["role"].as_str().expect("role"), g["permission"].as_str().expect("permission"))).collect()
}

fn git(dir: &Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .current_dir(dir)
        .env("GIT_CEILING_DIRECTORIES", ceiling())
        .args([
            "-c",
            "user.name=role-gen tests",
            "-c",
            "user.email=tests@role-gen.invalid",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

/// A fresh repository whose first commit holds `sub/roles.toml` = BASE.
fn repository() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    fs::create_dir(tmp.path().join("sub")).expect("mkdir");
    fs::write(tmp.path().join("sub/roles.toml"), BASE).expect("write");
    git(tmp.path(), &["init", "-q"]);
    git(tmp.path(), &["add", "."]);
    git(tmp.path(), &["commit", "-q", "-m", "roles"]);
    tmp
}

#[test]
fn identical_files_report_no_changes_and_exit_0() {
    let tmp = pair(BASE, BASE);
    role_gen(tmp.path()).args(["diff", "old.toml", "roles.toml"]).assert().success().stdout("no changes\n");
}

#[test]
fn an_id_change_is_breaking_and_exits_1() {
    let tmp = pair(BASE, &BASE.replace("id = 2\ndescription = \"Edit\"", "id = 20\ndescription = \"Edit\""));
    role_gen(tmp.path())
        .args(["diff", "old.toml", "roles.toml"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("wire-breaking changes (1)"))
        .stdout(predicate::str::contains("permission-id-changed: permission `edit` changed id from 2 to 20"))
        .stdout(predicate::str::contains("--> roles.toml:11:14"))
        .stderr("error: 1 breaking change (1 wire)\n");
}

#[test]
fn a_removal_without_reservation_is_wire_breaking() {
    let tmp = pair(BASE, &without_delete(""));
    let (code, report) = json_diff(tmp.path(), &[]);
    assert_eq!(code, Some(1));
    assert_eq!(codes(&report["breaking"]), ["permission-removed-unreserved"]);
    assert_eq!(report["breaking"][0]["class"], "wire");
    assert_eq!(pairs(&report["access"]["revoked"]), [("admin", "delete")]);
}

#[test]
fn a_removal_with_reservation_is_only_a_source_break() {
    let reserved = "\n[reserved]\npermission_ids = [3]\npermission_names = [\"delete\"]\n";
    let tmp = pair(BASE, &without_delete(reserved));
    let (code, report) = json_diff(tmp.path(), &[]);
    assert_eq!(code, Some(1), "a generated name disappearing still breaks code");
    assert_eq!(codes(&report["breaking"]), ["permission-removed"]);
    assert_eq!(report["breaking"][0]["class"], "source");
    assert_eq!(report["breaking"][0]["line"], serde_json::Value::Null, "gone from the new file");
}

#[test]
fn a_grant_to_an_included_role_shows_for_every_role_inheriting_it() {
    let tmp = pair(
        BASE,
        &BASE.replace(
            "permissions = [\"view\"]\n\n[roles.editor]",
            "permissions = [\"view\", \"delete\"]\n\n[roles.editor]",
        ),
    );
    let (code, report) = json_diff(tmp.path(), &[]);
    assert_eq!(code, Some(0), "access changes alone do not fail");
    assert_eq!(pairs(&report["access"]["granted"]), [("viewer", "delete"), ("editor", "delete")]);
    assert_eq!(report["access"]["granted"][1]["via"], serde_json::json!(["editor", "viewer"]));
    assert!(report["access"]["revoked"].as_array().expect("revoked").is_empty());
    role_gen(tmp.path())
        .args(["diff", "old.toml", "roles.toml"])
        .assert()
        .success()
        .stdout(predicate::str::contains("  editor\n    + delete  via viewer\n"))
        .stdout(predicate::str::ends_with("no breaking changes; access: 2 granted, 0 revoked\n"));
}

#[test]
fn a_grant_two_includes_down_reaches_the_top_of_the_chain() {
    let old =
        BASE.replace("[roles.viewer]", "[permissions.export]\nid = 4\ndescription = \"Export\"\n\n[roles.viewer]");
    let new = old.replace(
        "permissions = [\"view\"]\n\n[roles.editor]",
        "permissions = [\"view\", \"export\"]\n\n[roles.editor]",
    );
    let tmp = pair(&old, &new);
    let (_, report) = json_diff(tmp.path(), &[]);
    assert_eq!(pairs(&report["access"]["granted"]), [("viewer", "export"), ("editor", "export"), ("admin", "export")]);
    assert_eq!(report["access"]["granted"][2]["via"], serde_json::json!(["admin", "editor", "viewer"]));
}

#[test]
fn fail_on_access_fails_on_access_changes() {
    let tmp = pair(BASE, &BASE.replace("includes = [\"editor\"]", "includes = [\"viewer\"]"));
    role_gen(tmp.path()).args(["diff", "old.toml", "roles.toml"]).assert().success();
    role_gen(tmp.path())
        .args(["diff", "old.toml", "roles.toml", "--fail-on", "access"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("  admin\n    - edit  via editor\n"))
        .stderr("error: access changed (0 granted, 1 revoked) and `--fail-on access` is set\n");
    let tmp = pair(BASE, BASE);
    role_gen(tmp.path()).args(["diff", "old.toml", "roles.toml", "--fail-on", "access"]).assert().success();
}

#[test]
fn json_has_the_spec_shape() {
    let new = without_delete("").replace("id = 2\ndescription = \"Edit\"", "id = 20\ndescription = \"Edit\"");
    let new = new
        .replace("permissions = [\"view\"]\n\n[roles.editor]", "permissions = [\"view\", \"edit\"]\n\n[roles.editor]");
    let tmp = pair(BASE, &new);
    let (code, report) = json_diff(tmp.path(), &[]);
    assert_eq!(code, Some(1));
    let top: Vec<&str> = report.as_object().expect("object").keys().map(String::as_str).collect();
    assert!(top.contains(&"breaking") && top.contains(&"access"), "{top:?}");
    for finding in report["breaking"].as_array().expect("breaking") {
        assert!(finding["code"].is_string() && finding["message"].is_string(), "{finding}");
    }
    assert_eq!(codes(&report["breaking"]), ["permission-id-changed", "permission-removed-unreserved"]);
    for list in ["granted", "revoked"] {
        for grant in report["access"][list].as_array().expect("list") {
            assert!(grant["role"].is_string() && grant["permission"].is_string(), "{grant}");
        }
    }
    assert_eq!(pairs(&report["access"]["granted"]), [("viewer", "edit")]);
    assert_eq!(pairs(&report["access"]["revoked"]), [("admin", "delete")]);
    assert_eq!(report["breaking"][0]["line"], 11);
}

#[test]
fn github_annotations_land_on_the_new_files_lines() {
    let new = BASE.replace("id = 2\ndescription = \"Edit\"", "id = 20\ndescription = \"Edit\"");
    let tmp = pair(BASE, &new.replace("includes = [\"editor\"]", "includes = [\"viewer\"]"));
    let out = role_gen(tmp.path()).args(["diff", "old.toml", "roles.toml", "--format", "github"]).assert().code(1);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        stdout.contains("::error file=roles.toml,line=11,col=14,title=permission-id-changed::permission `edit` changed id from 2 to 20%0Ahelp: "),
        "{stdout}"
    );
    assert!(
        stdout.contains("::warning file=roles.toml,line=30,col=8,title=access-changed::role `admin`: revoked `edit` (via `editor`)\n"),
        "{stdout}"
    );
    let failing = role_gen(tmp.path())
        .args(["diff", "old.toml", "roles.toml", "--format", "github", "--fail-on", "access"])
        .output()
        .expect("run");
    assert!(
        String::from_utf8_lossy(&failing.stdout).contains("::error file=roles.toml,line=30,col=8,title=access-changed")
    );
}

#[test]
fn quiet_prints_only_failures() {
    let tmp = pair(BASE, &BASE.replace("includes = [\"editor\"]", "includes = [\"viewer\"]"));
    role_gen(tmp.path()).args(["diff", "old.toml", "roles.toml", "-q"]).assert().success().stdout("").stderr("");
    let tmp = pair(BASE, &format!("{}\n[permissions.export]\nid = 9\ndescription = \"Export\"\n", without_delete("")));
    role_gen(tmp.path())
        .args(["diff", "old.toml", "roles.toml", "--quiet"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("permission-removed-unreserved"))
        .stdout(predicate::str::contains("access").not())
        .stdout(predicate::str::contains("permission-added").not());
}

#[test]
fn one_file_is_compared_with_the_current_roles_toml() {
    let tmp = pair(BASE, &without_delete(""));
    role_gen(tmp.path())
        .args(["diff", "old.toml"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("permission `delete` (id 3) was removed without reserving its id and name"));
}

#[test]
fn an_invalid_side_is_named_and_exits_1() {
    let tmp = pair("[project]\nnam = \"x\"\n", BASE);
    role_gen(tmp.path())
        .args(["diff", "old.toml", "roles.toml"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("error[unknown-key]"))
        .stderr(predicate::str::contains("error: the old version `old.toml` is invalid"));
    let tmp = pair(BASE, "[project]\n");
    role_gen(tmp.path())
        .args(["diff", "old.toml", "roles.toml"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("error: the new version `roles.toml` is invalid"));
}

#[test]
fn usage_errors_exit_2() {
    let tmp = pair(BASE, BASE);
    role_gen(tmp.path()).arg("diff").assert().code(2).stderr(predicate::str::contains("needs the old version"));
    role_gen(tmp.path()).args(["diff", "old.toml", "roles.toml", "-f", "roles.toml"]).assert().code(2);
    role_gen(tmp.path()).args(["diff", "missing.toml", "roles.toml"]).assert().code(2);
}

#[test]
fn against_head_compares_with_the_committed_version() {
    let repo = repository();
    let sub = repo.path().join("sub");
    role_gen(&sub).args(["diff", "--against", "HEAD"]).assert().success().stdout("no changes\n");

    fs::write(
        sub.join("roles.toml"),
        BASE.replace("id = 2\ndescription = \"Edit\"", "id = 20\ndescription = \"Edit\""),
    )
    .expect("write");
    role_gen(&sub)
        .args(["diff", "--against", "HEAD"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("permission `edit` changed id from 2 to 20"));
    role_gen(repo.path())
        .args(["diff", "--against", "HEAD", "-f", "sub/roles.toml", "--format", "github"])
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with(
            "::error file=sub/roles.toml,line=11,col=14,title=permission-id-changed::",
        ));
}

#[test]
fn against_a_revision_without_the_file_everything_is_new() {
    let repo = repository();
    fs::write(repo.path().join("roles.toml"), BASE).expect("write");
    let out = role_gen(repo.path())
        .args(["diff", "--against", "HEAD", "--format", "json"])
        .assert()
        .success()
        .stderr("note: `HEAD:roles.toml` does not exist; everything in roles.toml is new\n");
    let report: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    assert!(report["breaking"].as_array().expect("breaking").is_empty());
    assert_eq!(report["access"]["granted"].as_array().expect("granted").len(), 1 + 2 + 3 + 1);
}

#[test]
fn against_an_invalid_old_version_says_so() {
    let repo = repository();
    let sub = repo.path().join("sub");
    fs::write(sub.join("roles.toml"), "[project]\n").expect("write");
    git(repo.path(), &["commit", "-q", "-am", "break it"]);
    fs::write(sub.join("roles.toml"), BASE).expect("write");
    role_gen(&sub)
        .args(["diff", "--against", "HEAD"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--> HEAD:sub/roles.toml:1:1"))
        .stderr(predicate::str::contains("error: the old version `HEAD:sub/roles.toml` is invalid"));
}

#[test]
fn an_unknown_revision_exits_2() {
    let repo = repository();
    role_gen(&repo.path().join("sub"))
        .args(["diff", "--against", "no-such-branch"])
        .assert()
        .code(2)
        .stderr("error: unknown git revision `no-such-branch`\n");
    role_gen(&repo.path().join("sub")).args(["diff", "--against", "--output=x"]).assert().code(2);
    assert!(!repo.path().join("sub/x").exists());
}

/// Revisions that git resolves with a prefix or to several objects (`^HEAD` is "not HEAD",
/// `HEAD^!` and `A..B` are ranges) name no single commit: read as one, the file "did not
/// exist" and a breaking change passed. They are refused, and HEAD itself still fails.
#[test]
fn a_revision_that_is_not_one_commit_is_refused() {
    let repo = repository();
    let sub = repo.path().join("sub");
    git(repo.path(), &["commit", "-q", "--allow-empty", "-m", "second"]);
    fs::write(sub.join("roles.toml"), without_delete("")).expect("write");
    role_gen(&sub)
        .args(["diff", "--against", "^HEAD"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with("error: `^HEAD` does not name one commit (git resolves it to `^"));
    for rev in ["HEAD^!", "HEAD~1..HEAD", "HEAD...HEAD~1"] {
        role_gen(&sub)
            .args(["diff", "--against", rev])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!("`{rev}`")));
    }
    role_gen(&sub)
        .args(["diff", "--against", "HEAD"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("permission-removed-unreserved: permission `delete`"));
}

#[test]
fn against_outside_a_repository_exits_2() {
    let tmp = pair(BASE, BASE);
    role_gen(tmp.path()).args(["diff", "--against", "HEAD"]).assert().code(2).stderr(predicate::str::starts_with(
        "error: `--against` needs a git repository, and the current folder is not in one",
    ));
}

#[test]
fn every_change_code_is_documented_in_the_readme() {
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md")).expect("README");
    for code in role_gen::diff::Change::ALL {
        assert!(readme.contains(&format!("`{code}`")), "README.md does not document `{code}`");
    }
}

#[test]
fn user_text_never_reaches_the_output_raw() {
    let hostile =
        BASE.replace("description = \"Edit\"", "description = \"Edit\"\ndeprecated = \"use \\u202Eview\\nnow\"");
    let tmp = pair(BASE, &hostile);
    for format in ["human", "github", "json"] {
        let out =
            role_gen(tmp.path()).args(["diff", "old.toml", "roles.toml", "--format", format]).output().expect("run");
        assert_eq!(out.status.code(), Some(0), "{format}: a deprecation is a note");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("permission-deprecated"), "{format}: {stdout}");
        assert!(!stdout.contains('\u{202e}'), "{format}: a raw bidi control: {stdout}");
        assert!(!stdout.contains("\nnow"), "{format}: a raw line break from user text: {stdout}");
    }
}
