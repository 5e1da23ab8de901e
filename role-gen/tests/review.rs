//! `role-gen diff` for a reviewer: wire numbers of policies and entity types, renames shown once,
//! breaks accepted with `--allow` or `[review] allow`, and the Markdown report.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

/// Two permissions, two roles (editor includes viewer), two entity types, two policies.
const BASE: &str = r#"[project]
name = "demo"

[entities.workspace]
description = "A workspace"

[entities.channel]
description = "A channel"
parent = "workspace"

[permissions.view]
id = 1
description = "View"

[permissions.edit]
id = 2
description = "Edit"

[roles.viewer]
id = 1
description = "Views"
permissions = ["view"]

[roles.editor]
id = 2
description = "Edits"
permissions = ["edit"]
includes = ["viewer"]

[policies.channel_edit]
id = 1
entity = "channel"
rules = [{ allow_if_permission = "edit" }]

[policies.channel_view]
id = 2
entity = "channel"
rules = [{ allow_if_permission = "view" }]
"#;

fn role_gen(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("role-gen").expect("binary");
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

/// A folder holding `old.toml` and `roles.toml`.
fn pair(old: &str, new: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    fs::write(tmp.path().join("old.toml"), old).expect("write");
    fs::write(tmp.path().join("roles.toml"), new).expect("write");
    tmp
}

fn diff(dir: &Path, extra: &[&str]) -> std::process::Output {
    role_gen(dir).args(["diff", "old.toml", "roles.toml"]).args(extra).output().expect("run")
}

fn json(dir: &Path, extra: &[&str]) -> (Option<i32>, serde_json::Value) {
    let out = diff(dir, &[&["--format", "json"], extra].concat());
    (out.status.code(), serde_json::from_slice(&out.stdout).expect("json"))
}

/// BASE with `channel_view` written before `channel_edit` (same ids).
fn policies_swapped() -> String {
    let edit =
        "[policies.channel_edit]\nid = 1\nentity = \"channel\"\nrules = [{ allow_if_permission = \"edit\" }]\n\n";
    let view = "[policies.channel_view]\nid = 2\nentity = \"channel\"\nrules = [{ allow_if_permission = \"view\" }]\n";
    BASE.replace(&format!("{edit}{view}"), &format!("{view}\n{}", edit.trim_end()))
}

#[test]
fn moving_a_policy_in_the_file_changes_no_number() {
    let swapped = policies_swapped();
    assert_ne!(swapped, BASE);
    let tmp = pair(BASE, &swapped);
    role_gen(tmp.path()).args(["diff", "old.toml", "roles.toml"]).assert().success().stdout("no changes\n");
}

#[test]
fn renumbering_or_removing_a_policy_is_wire_breaking() {
    let tmp = pair(BASE, &BASE.replace("id = 2\nentity = \"channel\"", "id = 3\nentity = \"channel\""));
    let (code, report) = json(tmp.path(), &[]);
    assert_eq!(code, Some(1));
    assert_eq!(report["breaking"][0]["code"], "policy-id-changed");
    assert_eq!(report["breaking"][0]["class"], "wire");

    let gone = BASE.split("[policies.channel_view]").next().expect("head").to_string();
    let tmp = pair(BASE, &gone);
    let (code, report) = json(tmp.path(), &[]);
    assert_eq!(code, Some(1));
    assert_eq!(report["breaking"][0]["code"], "policy-removed-unreserved");
}

#[test]
fn inserting_an_entity_first_renumbers_the_others() {
    let first =
        BASE.replace("[entities.workspace]", "[entities.team]\ndescription = \"A team\"\n\n[entities.workspace]");
    let tmp = pair(BASE, &first);
    let (code, report) = json(tmp.path(), &[]);
    assert_eq!(code, Some(1));
    let codes: Vec<&str> =
        report["breaking"].as_array().expect("array").iter().filter_map(|f| f["code"].as_str()).collect();
    assert_eq!(codes, ["entity-renumbered", "entity-renumbered", "entity-id-reused"]);

    // Pinned, it is only an addition.
    let pinned = first.replace("description = \"A team\"", "id = 3\ndescription = \"A team\"");
    let pinned = pinned.replace("[entities.workspace]\n", "[entities.workspace]\nid = 1\n");
    let pinned = pinned.replace("[entities.channel]\n", "[entities.channel]\nid = 2\n");
    let tmp = pair(BASE, &pinned);
    let (code, report) = json(tmp.path(), &[]);
    assert_eq!(code, Some(0), "{report}");
    assert_eq!(report["notes"][0]["code"], "entity-added");
}

#[test]
fn a_rename_shows_once_and_not_as_access_changes() {
    let tmp = pair(BASE, &BASE.replace("\"view\"", "\"read\"").replace("[permissions.view]", "[permissions.read]"));
    let out = diff(tmp.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("permission-renamed: permission `view` (id 1) was renamed to `read`"), "{stdout}");
    assert!(!stdout.contains("access changes"), "a rename is not a revoke plus a grant per role: {stdout}");
    let (_, report) = json(tmp.path(), &[]);
    assert_eq!(report["access"]["granted"], serde_json::json!([]));
    assert_eq!(report["access"]["revoked"], serde_json::json!([]));

    // A role renamed and granted more shows the grant alone, under its new name, not as new.
    let new =
        BASE.replace("[roles.viewer]", "[roles.reader]").replace("includes = [\"viewer\"]", "includes = [\"reader\"]");
    let new = new.replace("permissions = [\"view\"]\n", "permissions = [\"view\", \"edit\"]\n");
    let tmp = pair(BASE, &new);
    let stdout = String::from_utf8(diff(tmp.path(), &[]).stdout).expect("utf-8");
    assert!(stdout.contains("role-renamed: role `viewer` (id 1) was renamed to `reader`"), "{stdout}");
    assert!(stdout.contains("access changes (1 granted, 0 revoked)\n  reader\n    + edit\n"), "{stdout}");
}

#[test]
fn an_allowed_break_is_shown_and_does_not_fail() {
    let renamed = BASE.replace("\"view\"", "\"read\"").replace("[permissions.view]", "[permissions.read]");
    let tmp = pair(BASE, &renamed);
    role_gen(tmp.path())
        .args(["diff", "old.toml", "roles.toml", "--allow", "permission-renamed:view"])
        .assert()
        .success()
        .stdout(predicate::str::contains("permission-renamed (allowed): permission `view`"))
        .stdout(predicate::str::ends_with("1 change accepted by review; no breaking changes; no access changes\n"));
    let (code, report) = json(tmp.path(), &["--allow", "permission-renamed"]);
    assert_eq!(code, Some(0));
    assert_eq!(report["breaking"][0]["allowed"], true);
    // Another name is not allowed, and saying so is a note.
    let out = diff(tmp.path(), &["--allow", "permission-renamed:edit"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("note: `--allow permission-renamed:edit` accepted nothing"), "{stderr}");
    // GitHub: the accepted break is a warning on its line.
    let out = diff(tmp.path(), &["--allow", "permission-renamed", "--format", "github"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .starts_with("::warning file=roles.toml,line=11,col=14,title=permission-renamed (allowed)::")
    );
}

#[test]
fn an_unknown_code_is_a_usage_error_with_a_did_you_mean() {
    let tmp = pair(BASE, BASE);
    role_gen(tmp.path())
        .args(["diff", "old.toml", "roles.toml", "--allow", "permision-renamed"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown diff code `permision-renamed`; did you mean `permission-renamed`?"));
    role_gen(tmp.path()).args(["diff", "old.toml", "roles.toml", "--allow", "permission-added"]).assert().code(2);
}

#[test]
fn access_changes_can_be_accepted_per_role() {
    let tmp = pair(BASE, &BASE.replace("permissions = [\"view\"]\n", "permissions = [\"view\", \"edit\"]\n"));
    diff_code(tmp.path(), &["--fail-on", "access"], 1);
    diff_code(tmp.path(), &["--fail-on", "access", "--allow", "access-changed:viewer"], 0);
    // editor inherits nothing new (it already holds edit), so viewer alone changed.
    diff_code(tmp.path(), &["--fail-on", "access", "--allow", "access-changed:editor"], 1);
}

fn diff_code(dir: &Path, extra: &[&str], code: i32) {
    let out = diff(dir, extra);
    assert_eq!(out.status.code(), Some(code), "{extra:?}: {}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn a_review_entry_counts_in_the_change_that_adds_it_only() {
    let renamed = BASE.replace("\"view\"", "\"read\"").replace("[permissions.view]", "[permissions.read]");
    let review = "\n[review]\nallow = [\"permission-renamed:view\"]\n";
    let tmp = pair(BASE, &format!("{renamed}{review}"));
    role_gen(tmp.path())
        .args(["diff", "old.toml", "roles.toml"])
        .assert()
        .success()
        .stdout(predicate::str::contains("permission-renamed (allowed)"));
    // Already in the old version: it accepted that change, not this one.
    let again = renamed.replace("\"edit\"", "\"write\"").replace("[permissions.edit]", "[permissions.write]");
    let tmp = pair(&format!("{renamed}{review}"), &format!("{again}{review}"));
    role_gen(tmp.path())
        .args(["diff", "old.toml", "roles.toml"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("`[review] allow` entry `permission-renamed:view` is in the old version too"));
}

#[test]
fn review_entries_are_validated() {
    let tmp = pair(BASE, &format!("{BASE}\n[review]\nallow = [\"permision-renamed\", \"role-removed:Bad Name\"]\n"));
    let out = role_gen(tmp.path()).args(["validate", "--format", "json"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let errors: Vec<(&str, &str)> = report["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| (e["code"].as_str().unwrap_or(""), e["help"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0], ("unknown-key", "did you mean `permission-renamed`?"));
    assert_eq!(errors[1].0, "invalid-name");
}

/// The unescaped `|` of a Markdown table row (cells + 1 for a row with leading and trailing pipes).
fn pipes(line: &str) -> usize {
    let bytes = line.as_bytes();
    (0..bytes.len()).filter(|&i| bytes[i] == b'|' && (i == 0 || bytes[i - 1] != b'\\')).count()
}

#[test]
fn the_markdown_report_has_its_structure_and_escapes_every_user_string() {
    let hostile = "use `x|y` <script>alert(1)</script> | [link](http://evil) ![i](http://evil/i.png)\n# heading";
    let new = BASE
        .replace("description = \"Edit\"", &format!("description = \"Edit\"\ndeprecated = {hostile:?}"))
        .replace("id = 2\ndescription = \"Edits\"", "id = 5\ndescription = \"Edits\"")
        .replace("permissions = [\"view\"]\n", "permissions = [\"view\", \"edit\"]\n");
    let tmp = pair(BASE, &new);
    let out = diff(tmp.path(), &["--format", "markdown"]);
    assert_eq!(out.status.code(), Some(1));
    let md = String::from_utf8(out.stdout).expect("utf-8");
    assert!(md.starts_with("## role-gen diff: `roles.toml`\n\n❌ **Fails:** 1 breaking change (1 wire).\n"), "{md}");
    assert!(md.contains(
        "\n### Breaking changes (1)\n\n| | Class | Code | Change | Where | Help |\n|---|---|---|---|---|---|\n"
    ));
    assert!(
        md.contains("| ❌ | wire | `role-id-changed` | role `editor` changed id from 2 to 5 | `roles.toml:"),
        "{md}"
    );
    assert!(md.contains("\n### Access changes (1 granted, 0 revoked)\n\n| Role | Granted | Revoked |\n"), "{md}");
    assert!(md.contains("| `viewer` | `edit` | — |"), "{md}");
    assert!(md.contains("<details><summary>Notes (1)</summary>"), "{md}");
    // Every table row has as many cells as its header.
    let lines: Vec<&str> = md.lines().collect();
    for (i, line) in lines.iter().enumerate().filter(|(_, l)| l.starts_with("|---")) {
        let width = pipes(lines[i - 1]);
        assert_eq!(pipes(line), width, "{line}");
        for row in lines[i + 1..].iter().take_while(|l| l.starts_with('|')) {
            assert_eq!(pipes(row), width, "a row with another number of cells: {row}");
        }
    }
    // The hostile reason adds no markup: no tag, no link, no image, no heading, no code span.
    assert!(!md.contains("<script>") && md.contains("&lt;script&gt;"), "{md}");
    assert!(!md.contains("[link](") && !md.contains("![i]("), "{md}");
    assert!(!md.contains("http://evil"), "GitHub would link a bare URL: {md}");
    assert!(!md.contains("\n# heading"), "{md}");
    assert!(!md.contains("`x|y`"), "{md}");
    // A passing report says so.
    let tmp = pair(BASE, &policies_swapped());
    let md = String::from_utf8(diff(tmp.path(), &["--format", "markdown"]).stdout).expect("utf-8");
    assert_eq!(md, "## role-gen diff: `roles.toml`\n\n✅ **Passes:** no changes.\n\n");
}
