//! `explain`, `who-can`, `matrix`, `test`, `completions`: answers, shapes and exit codes.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn slack() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../definitions/slack/roles.toml")
}

fn role_gen() -> Command {
    let mut cmd = Command::cargo_bin("role-gen").expect("binary");
    cmd.env("NO_COLOR", "1");
    cmd
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = role_gen().args(args).arg("-f").arg(slack()).output().expect("run");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("json")
}

#[test]
fn explain_gives_each_permission_with_its_include_path() {
    let v = json(&["explain", "roles_admin", "--format", "json"]);
    assert_eq!(
        v,
        serde_json::json!({"role": "roles_admin", "permissions": [
            {"permission": "assign_roles", "via": ["roles_admin"]},
            {"permission": "view_roles", "via": ["roles_admin", "role_viewer"]},
        ]})
    );
    role_gen()
        .args(["explain", "roles_admin", "-f"])
        .arg(slack())
        .assert()
        .success()
        .stdout(predicate::str::contains("view_roles    via roles_admin > role_viewer"));
}

#[test]
fn who_can_lists_every_role_holding_it() {
    let v = json(&["who-can", "view_roles", "--format", "json"]);
    assert_eq!(
        v,
        serde_json::json!({"permission": "view_roles", "roles": [
            {"role": "roles_admin", "via": ["roles_admin", "role_viewer"]},
            {"role": "role_viewer", "via": ["role_viewer"]},
        ]})
    );
}

#[test]
fn unknown_names_are_refused_with_a_did_you_mean() {
    role_gen()
        .args(["explain", "role_admin", "-f"])
        .arg(slack())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("unknown role `role_admin`"))
        .stderr(predicate::str::contains("did you mean `roles_admin`?"));
    role_gen()
        .args(["who-can", "archiv_channel", "-f"])
        .arg(slack())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("`archive_channel`"));
}

#[test]
fn a_removed_name_is_said_to_be_removed_not_misspelt() {
    role_gen()
        .args(["who-can", "delete_workspace", "-f"])
        .arg(slack())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("permission `delete_workspace` was removed; its name is reserved"))
        .stderr(predicate::str::contains("it is listed in [reserved] permission_names"))
        .stderr(predicate::str::contains("did you mean").not());
}

#[test]
fn matrix_in_every_format_agrees_with_the_json_output() {
    let generated: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(slack().with_file_name("gen/roles.json")).expect("roles.json"))
            .expect("json");
    let m = json(&["matrix", "--format", "json"]);
    for (role, row) in generated["roles"].as_array().expect("roles").iter().zip(m["roles"].as_array().expect("roles")) {
        assert_eq!(role["name"], row["role"]);
        assert_eq!(role["effective_permissions"], row["permissions"]);
    }
    let csv = role_gen().args(["matrix", "--format", "csv", "-f"]).arg(slack()).output().expect("run");
    let csv = String::from_utf8_lossy(&csv.stdout).into_owned();
    assert!(csv.starts_with("permission,channels_admin,"), "{csv}");
    assert!(csv.contains("\nview_roles,,,inherited,direct\n"), "{csv}");
    role_gen()
        .args(["matrix", "--format", "markdown", "-f"])
        .arg(slack())
        .assert()
        .success()
        .stdout(predicate::str::contains("| `view_roles` |  |  | ☑️ | ✅ |"));
    role_gen()
        .args(["matrix", "-f"])
        .arg(slack())
        .assert()
        .success()
        .stdout(predicate::str::contains("x: granted directly"));
}

#[test]
fn test_runs_the_examples_tests() {
    role_gen()
        .args(["test", "-f"])
        .arg(slack())
        .assert()
        .success()
        .stdout(predicate::str::contains("34 passed, 0 failed"));
    let v = json(&["test", "--format", "json"]);
    assert_eq!(v["failed"], 0);
    assert!(v["passed"].as_u64().is_some_and(|n| n >= 10));
}

#[test]
fn a_failing_test_names_its_line_and_what_differed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let text = fs::read_to_string(slack()).expect("read")
        + "\n[[tests]]\nname = \"guests may archive (wrong)\"\npolicy = \"channel_archive\"\nlegacy = \"guest\"\nroles = [\"channels_admin\"]\nexpect = \"allow\"\n\n[[tests]]\nroles = [\"roles_admin\"]\ndeny = [\"view_roles\"]\n";
    fs::write(tmp.path().join("roles.toml"), &text).expect("write");
    let header = text.lines().count() - 9;
    let out = role_gen().current_dir(tmp.path()).arg("test").output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(&format!("test roles.toml:{header}:1 guests may archive (wrong) ... FAILED")), "{stdout}");
    assert!(stdout.contains("expected allow, found deny: decided by rule 1 `deny_if_legacy [guest]`"), "{stdout}");
    assert!(stdout.contains("to deny `view_roles`, but it is granted via roles_admin > role_viewer"), "{stdout}");
    assert!(stdout.contains("2 failed"), "{stdout}");
    role_gen()
        .current_dir(tmp.path())
        .args(["test", "--quiet"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("... ok").not());
}

#[test]
fn validate_and_generate_do_not_run_tests() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let text = fs::read_to_string(slack()).expect("read")
        + "\n[[tests]]\nroles = [\"roles_admin\"]\ndeny = [\"view_roles\"]\n";
    fs::write(tmp.path().join("roles.toml"), text).expect("write");
    role_gen().current_dir(tmp.path()).arg("validate").assert().success();
    role_gen().current_dir(tmp.path()).arg("generate").assert().success();
}

#[test]
fn completions_for_every_shell() {
    // A script that asks role-gen at each TAB (tests/editors.rs runs it in bash, zsh and fish).
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        role_gen().args(["completions", shell]).assert().success().stdout(predicate::str::contains("COMPLETE"));
    }
}

#[test]
fn every_command_has_an_example_in_its_help() {
    let help = role_gen().arg("--help").output().expect("run");
    let help = String::from_utf8_lossy(&help.stdout).into_owned();
    let commands: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.len() >= 16, "{commands:?}");
    for command in commands {
        let mut args = vec![command];
        if command == "add" {
            args.push("permission");
        }
        args.push("--help");
        let out = role_gen().args(&args).output().expect("run");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Example"), "`role-gen {command} --help` has no example:\n{text}");
    }
}

/// The first cell of every row and the header's cells, for one matrix format.
fn matrix_axes(format: &str) -> (Vec<String>, Vec<String>) {
    let out = role_gen().args(["matrix", "--format", format, "-f"]).arg(slack()).output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let cells = |line: &str| -> Vec<String> {
        let split: Vec<&str> = match format {
            "csv" => line.split(',').collect(),
            "markdown" => line.trim_matches('|').split('|').collect(),
            _ => line.split_whitespace().collect(),
        };
        split.iter().map(|c| c.trim().trim_matches('`').to_string()).collect()
    };
    let rows: Vec<&str> =
        text.lines().filter(|l| !l.starts_with("|---") && !l.starts_with("x: ") && !l.is_empty()).collect();
    let header = cells(rows[0])[1..].to_vec();
    let down = rows[1..].iter().map(|l| cells(l)[0].clone()).collect();
    (header, down)
}

#[test]
fn every_matrix_format_has_permissions_down_and_roles_across() {
    let m = json(&["matrix", "--format", "json"]);
    let roles: Vec<String> =
        m["roles"].as_array().expect("roles").iter().map(|r| r["role"].as_str().expect("name").to_string()).collect();
    let permissions: Vec<String> = m["permissions"]
        .as_array()
        .expect("permissions")
        .iter()
        .map(|p| p.as_str().expect("name").to_string())
        .collect();
    for format in ["text", "markdown", "csv"] {
        assert_eq!(matrix_axes(format), (roles.clone(), permissions.clone()), "{format}");
    }
}

/// The Slack example with `view_roles` deprecated (held by `roles_admin` through `role_viewer`).
fn with_deprecated(reason: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    let text = fs::read_to_string(slack()).expect("read");
    let text =
        text.replacen("[permissions.view_roles]\n", &format!("[permissions.view_roles]\ndeprecated = {reason}\n"), 1);
    fs::write(tmp.path().join("roles.toml"), text).expect("write");
    tmp
}

#[test]
fn explain_and_who_can_mark_a_deprecated_permission() {
    let tmp = with_deprecated("\"use assign_roles\"");
    let run = |args: &[&str]| {
        let out = role_gen().args(args).current_dir(tmp.path()).output().expect("run");
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let text = run(&["explain", "roles_admin"]);
    assert!(text.contains("  view_roles    via roles_admin > role_viewer  (deprecated: use assign_roles)\n"), "{text}");
    assert!(text.contains("  assign_roles  direct\n"), "{text}");
    let v: serde_json::Value =
        serde_json::from_str(&run(&["explain", "roles_admin", "--format", "json"])).expect("json");
    assert_eq!(v["permissions"][1]["deprecated"], "use assign_roles");
    assert!(v["permissions"][0].get("deprecated").is_none(), "{v}");
    let text = run(&["who-can", "view_roles"]);
    assert!(text.starts_with("2 roles hold `view_roles` (deprecated: use assign_roles)\n"), "{text}");
    let tmp = with_deprecated("true");
    let out = role_gen().args(["explain", "roles_admin", "--format", "json"]).current_dir(tmp.path()).output();
    let v: serde_json::Value = serde_json::from_slice(&out.expect("run").stdout).expect("json");
    assert_eq!(v["permissions"][1]["deprecated"], true);
}

#[test]
fn who_can_on_an_entity_lists_the_placements_that_grant_it_there() {
    let v = json(&["who-can", "archive_channel", "--on", "channel", "--format", "json"]);
    let placements: Vec<(String, String)> = v["placements"]
        .as_array()
        .expect("placements")
        .iter()
        .map(|p| (p["role"].as_str().unwrap_or_default().into(), p["entity"].as_str().unwrap_or_default().into()))
        .collect();
    // channels_admin may be assigned on the workspace and the enterprise, not on the channel.
    assert_eq!(
        placements,
        [("channels_admin".into(), "workspace".into()), ("channels_admin".into(), "enterprise".into())]
    );
    role_gen().args(["who-can", "archive_channel", "--on", "enterprise", "-f"]).arg(slack()).assert().code(1).stderr(
        "error: `archive_channel` is not checked against `enterprise`; it is checked against `workspace`, `channel`\n",
    );
    role_gen()
        .args(["who-can", "archive_channel", "--on", "chanel", "-f"])
        .arg(slack())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("did you mean `channel`?"));
}

#[test]
fn explain_on_an_entity_says_where_each_permission_applies_below_it() {
    let v = json(&["explain", "channels_admin", "--on", "workspace", "--format", "json"]);
    let rows = v["permissions"].as_array().expect("permissions");
    let create = rows.iter().find(|r| r["permission"] == "create_private_channel").expect("create_private_channel");
    assert_eq!(create["applies_on"], serde_json::json!(["workspace"]));
    let archive = rows.iter().find(|r| r["permission"] == "archive_channel").expect("archive_channel");
    assert_eq!(archive["applies_on"], serde_json::json!(["workspace", "channel"]));
    role_gen()
        .args(["explain", "channels_admin", "--on", "channel", "-f"])
        .arg(slack())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("may not be assigned on `channel`, so it grants nothing there"));
}

#[test]
fn tests_on_entities_say_which_assignment_decided_or_why_none_did() {
    let v = json(&["test", "--format", "json"]);
    let tests = v["tests"].as_array().expect("tests");
    let find = |name: &str| tests.iter().find(|t| t["name"] == name).unwrap_or_else(|| panic!("no test `{name}`"));
    let granted = &find("channels admin on a workspace archives that workspace's channels")["decisions"][0];
    assert_eq!(
        (granted["allowed"].as_bool(), granted["because"].as_str()),
        (Some(true), Some("`channels_admin` on workspace `W1`"))
    );
    let misplaced = &find("a role assigned where it is not assignable grants nothing")["decisions"][0];
    assert_eq!(misplaced["allowed"], false);
    assert_eq!(
        misplaced["because"],
        "`channels_admin` on channel `C1`: `channels_admin` may not be assigned on channel"
    );
    let elsewhere = &find("but not another workspace's channels")["decisions"][0];
    assert_eq!(elsewhere["because"], "`channels_admin` on workspace `W1`: not on the path");
    // Tests without entities carry no decisions.
    assert!(tests[0].get("decisions").is_none());
    role_gen()
        .args(["test", "--verbose", "-f"])
        .arg(slack())
        .assert()
        .success()
        .stdout(predicate::str::contains("    `archive_channel` allowed by `channels_admin` on workspace `W1`\n"));
}

#[test]
fn a_failing_test_on_entities_says_why_no_assignment_granted() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let text = fs::read_to_string(slack()).expect("read");
    // The Users Admin test, expecting what it denies.
    let flipped = text.replacen(
        "deny = [\"archive_channel\"]\n\n# Channels Admin is assignable",
        "allow = [\"archive_channel\"]\n\n# Channels Admin is assignable",
        1,
    );
    fs::write(tmp.path().join("roles.toml"), flipped).expect("write");
    let out = role_gen().arg("test").current_dir(tmp.path()).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        stdout.contains(
            "to allow `archive_channel`, but it is denied: `users_admin` on enterprise `E1`: `users_admin` does not hold `archive_channel`"
        ),
        "{stdout}"
    );
}
