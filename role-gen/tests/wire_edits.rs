//! The edits that hand out and retire wire numbers of policies and entity types: `add policy`
//! and `add entity` write the next free id (never a reserved one), `remove policy` and `remove
//! entity` reserve the id and name, and removing an entity type moves no other's number. Each
//! result validates, keeps the file's comments, and is `fmt --check` clean.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

const FILE: &str = r#"# Acme's roles.

[project]
name = "acme"

[entities.org]
description = "An organization"

# Workspaces live in an organization.
[entities.workspace]
description = "A workspace"
parent = "org"

[entities.folder]
description = "A folder"
parent = "workspace"

[permissions.view_docs]
id = 1
description = "View documents"

[permissions.edit_docs]
id = 2
description = "Edit documents"
entities = ["workspace", "folder"]

[roles.reader]
id = 1
description = "Reads"
permissions = ["view_docs"]

[roles.editor]
id = 2
description = "Edits"
permissions = ["edit_docs"]
includes = ["reader"]
assignable_on = ["org", "workspace"]

[legacy]
levels = ["guest", "member", "admin"]

# Editing a document.
[policies.doc_edit]
id = 1
description = "Whether the actor may edit the document"
entity = "workspace"
rules = [
  { deny_if_legacy = ["guest"] },   # guests never edit
  { allow_if_permission = "edit_docs" },
]

[reserved]
policy_ids = [2]
policy_names = ["doc_delete"]
entity_ids = [4]
entity_names = ["team"]

[[tests]]
policy = "doc_edit"
legacy = "member"
roles = ["editor"]
expect = "allow"
"#;

fn role_gen(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("role-gen").expect("binary");
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

fn project(text: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("roles.toml");
    fs::write(&path, text).expect("write");
    (tmp, path)
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).expect("read")
}

/// The file validates, is formatted, and still has every comment it had.
fn sound(dir: &Path) {
    role_gen(dir).args(["validate", "--deny-warnings"]).assert().success();
    role_gen(dir).args(["fmt", "--check"]).assert().success();
    let text = read(&dir.join("roles.toml"));
    for comment in ["# Acme's roles.", "# Workspaces live in an organization.", "# guests never edit"] {
        assert!(text.contains(comment), "lost {comment:?}:\n{text}");
    }
}

/// Runs a refused edit: exit 1, the file byte-for-byte as it was.
fn refused(dir: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    let path = dir.join("roles.toml");
    let before = fs::read(&path).expect("read");
    let assert = role_gen(dir).args(args).assert().code(1);
    assert_eq!(fs::read(&path).expect("read"), before, "{args:?} changed the file");
    assert
}

#[test]
fn add_policy_writes_the_next_free_id_and_its_rules_in_command_line_order() {
    let (tmp, path) = project(FILE);
    role_gen(tmp.path())
        .args(["add", "policy", "doc_share", "--description", "Whether the actor may share the document"])
        .args(["--entity", "folder", "--deny-if-legacy", "guest", "--allow-if", "actor_owns_doc"])
        .args(["--allow-if-legacy-at-least", "admin", "--deny-if", "doc_is_locked"])
        .args(["--allow-if-permission", "edit_docs,view_docs"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("added policy doc_share (id 3) on folder, 5 rules\n"));
    let text = read(&path);
    let written = "[policies.doc_share]\nid = 3\ndescription = \"Whether the actor may share the document\"\n\
                   entity = \"folder\"\nrules = [\n  { deny_if_legacy = [\"guest\"] },\n  { allow_if = \"actor_owns_doc\" },\n  \
                   { allow_if_legacy_at_least = \"admin\" },\n  { deny_if = \"doc_is_locked\" },\n  \
                   { allow_if_permission = [\"edit_docs\", \"view_docs\"] },\n]\n\n[reserved]";
    assert!(text.contains(written), "id 2 is reserved, so 3; rules in the order given:\n{text}");
    sound(tmp.path());

    // One short rule stays on one line; the id after 3 is 4.
    role_gen(tmp.path())
        .args(["add", "policy", "doc_view", "--description", "Reading", "--entity", "workspace"])
        .args(["--allow-if-permission", "view_docs"])
        .assert()
        .success();
    assert!(read(&path).contains("[policies.doc_view]\nid = 4\ndescription = \"Reading\"\nentity = \"workspace\"\nrules = [{ allow_if_permission = \"view_docs\" }]\n"));
    sound(tmp.path());
}

#[test]
fn add_policy_refuses_what_the_file_does_not_have_and_what_would_not_validate() {
    let (tmp, _) = project(FILE);
    let add = ["add", "policy", "doc_share", "--description", "Sharing"];
    refused(tmp.path(), &[&add[..], &["--entity", "foldr"]].concat()).stderr(
        predicate::str::contains("unknown entity `foldr`").and(predicate::str::contains("did you mean `folder`?")),
    );
    refused(tmp.path(), &[&add[..], &["--entity", "folder", "--deny-if-legacy", "gust"]].concat())
        .stderr(predicate::str::contains("unknown legacy level `gust`").and(predicate::str::contains("`guest`")));
    refused(tmp.path(), &[&add[..], &["--entity", "folder", "--allow-if-permission", "edit_doc"]].concat())
        .stderr(predicate::str::contains("did you mean `edit_docs`?"));
    refused(tmp.path(), &[&add[..], &["--entity", "folder", "--allow-if", "Owns Doc"]].concat())
        .stderr(predicate::str::contains("invalid predicate name `Owns Doc`"));
    // A deny that an earlier allow always overrides: the file would not validate.
    refused(
        tmp.path(),
        &[&add[..], &["--entity", "folder", "--allow-if-legacy-at-least", "guest", "--deny-if-legacy", "member"]]
            .concat(),
    )
    .stderr(predicate::str::contains("error[shadowed-deny]"));
    refused(tmp.path(), &["add", "policy", "doc_delete", "--description", "Deleting", "--entity", "folder"])
        .stderr(predicate::str::contains("policy name `doc_delete` is reserved"));
    refused(tmp.path(), &["add", "policy", "doc_edit", "--description", "Again", "--entity", "folder"])
        .stderr(predicate::str::contains("policy `doc_edit` already exists"));
}

#[test]
fn add_entity_writes_the_next_free_number_never_a_reserved_one() {
    let (tmp, path) = project(FILE);
    role_gen(tmp.path())
        .args(["add", "entity", "page", "--description", "A page", "--parent", "folder"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("added entity page (id 5) inside folder\n"));
    assert!(read(&path).contains("[entities.page]\nid = 5\ndescription = \"A page\"\nparent = \"folder\"\n"));
    sound(tmp.path());
}

#[test]
fn remove_policy_reserves_its_id_and_name_and_force_drops_its_tests() {
    let (tmp, path) = project(FILE);
    refused(tmp.path(), &["remove", "policy", "doc_edit"])
        .stderr(predicate::str::contains("roles.toml:59: test 1 (`policy`; the test is dropped with the policy)"));
    role_gen(tmp.path())
        .args(["remove", "policy", "doc_edit", "--force"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("removed policy doc_edit (id 1); its id and name are now reserved\n"));
    let text = read(&path);
    assert!(!text.contains("[policies.doc_edit]") && !text.contains("[[tests]]"), "{text}");
    assert!(text.contains("policy_ids = [2, 1]\npolicy_names = [\"doc_delete\", \"doc_edit\"]\n"), "{text}");
    role_gen(tmp.path()).args(["validate"]).assert().success();
    role_gen(tmp.path()).args(["fmt", "--check"]).assert().success();
    refused(tmp.path(), &["add", "policy", "doc_edit", "--description", "Back", "--entity", "org"])
        .stderr(predicate::str::contains("is reserved"));
}

#[test]
fn remove_entity_pins_the_numbers_after_it_and_reserves_its_own() {
    let (tmp, path) = project(FILE);
    fs::write(tmp.path().join("old.toml"), FILE).expect("write");
    // `org` is checked on by nobody, but assignable on for editor and the parent of workspace.
    refused(tmp.path(), &["remove", "entity", "org"])
        .stderr(predicate::str::contains("roles.toml:12: parent of entity `workspace`"));
    role_gen(tmp.path())
        .args(["remove", "entity", "org", "--force"])
        .assert()
        .success()
        .stdout(predicate::str::contains("removed entity org (id 1); its id and name are now reserved"))
        .stdout(predicate::str::contains("entity workspace keeps its protobuf number: it now says `id = 2`"))
        .stdout(predicate::str::contains("entity folder keeps its protobuf number: it now says `id = 3`"));
    let text = read(&path);
    assert!(
        text.contains("[entities.workspace]\nid = 2\ndescription = \"A workspace\"\n\n"),
        "parent dropped:\n{text}"
    );
    assert!(text.contains("[entities.folder]\nid = 3\n"), "{text}");
    assert!(text.contains("entity_ids = [4, 1]\nentity_names = [\"team\", \"org\"]\n"), "{text}");
    assert!(text.contains("assignable_on = [\"workspace\"]"), "{text}");
    role_gen(tmp.path()).args(["validate"]).assert().success();
    role_gen(tmp.path()).args(["fmt", "--check"]).assert().success();
    // What diff says: the entity is gone with its number and name reserved (source-breaking;
    // the role no longer assignable there is part of that finding), workspace lost its parent
    // (access); no number moved.
    let out = role_gen(tmp.path()).args(["diff", "old.toml", "roles.toml", "--format", "json"]).output().expect("run");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let codes: Vec<&str> =
        report["breaking"].as_array().expect("breaking").iter().filter_map(|f| f["code"].as_str()).collect();
    assert_eq!(codes, ["entity-removed"], "{report}");
    assert_eq!(report["access"]["other"][0]["message"], "entity type `workspace` no longer has a parent (was `org`)");
}

#[test]
fn an_entity_a_policy_decides_on_is_not_removed_even_with_force() {
    let (tmp, _) = project(FILE);
    refused(tmp.path(), &["remove", "entity", "workspace", "--force"])
        .stderr(predicate::str::contains("decided on by policy `doc_edit`"))
        .stderr(predicate::str::contains("remove the policy or change its `entity` first"));
}
