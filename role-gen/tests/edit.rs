//! The editing commands: what each changes, that every comment survives, that a refused or
//! empty edit leaves roles.toml byte-identical (and its mtime alone), and a property test of
//! random edit sequences through the library.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use assert_cmd::Command;
use predicates::prelude::*;

/// A roles.toml commented the way people do: a file header, section banners, comments above and
/// beside headers, keys and array elements, blank lines, and words at the very end.
const COMMENTED: &str = r#"# Acme's roles: the single source of truth.
# Edit with role-gen; comments survive.

[project]
name = "acme"   # never rename: it names the proto package

# ---- Entities ----

[entities.org]
description = "An organization"   # the root

# Workspaces live in an organization.
[entities.workspace]
description = "A workspace"
parent = "org"   # beside parent

# ---- Permissions ----
# Ids go on the wire: never reuse one.

# Reading.
[permissions.view_docs]   # beside a header
id = 1
description = "View documents"
# only workspaces hold documents
entities = ["workspace"]

[permissions.edit_docs]
id = 2
description = "Edit documents"   # beside edit_docs's description
group = "docs"

[permissions.delete_docs]
id = 3
description = "Delete documents"
group = "docs"

[permissions.invite]
id = 4
description = "Invite people"


# ---- Roles ----

# Readers read.
[roles.reader]
id = 1
description = "Reads"
permissions = [
  "view_docs",   # the one thing readers do
]

[roles.editor]
id = 2
description = "Edits"   # beside editor's description
permissions = ["edit_docs"]   # beside editor's grants
includes = ["reader"]         # editors read too

[roles.admin]
id = 3
description = "Administers"
permissions = ["delete_docs", "invite"]
includes = ["editor"]

# ---- Reserved ----

[reserved]
permission_ids = [9]   # was purge
permission_names = ["purge"]

# ---- Tests ----

# Editors can read.
[[tests]]
role = "editor"
covers = ["reader"]

# Words at the very end.
"#;

fn role_gen(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("role-gen").expect("binary");
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

/// A folder holding `text` as roles.toml.
fn project(text: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("roles.toml");
    fs::write(&path, text).expect("write");
    (tmp, path)
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).expect("read roles.toml")
}

/// The comments of a text, in order: every `#` to the end of its line, trimmed (the fixtures
/// have no `#` inside strings).
fn comments(text: &str) -> Vec<String> {
    text.lines().filter_map(|l| l.find('#').map(|i| l[i..].trim().to_string())).collect()
}

/// Asserts `wanted` appears in `found` in the same order (other comments may come between).
fn assert_in_order(wanted: &[String], found: &[String]) {
    let mut rest = found.iter();
    for w in wanted {
        assert!(rest.any(|f| f == w), "comment {w:?} is missing or out of order in {found:#?}");
    }
}

/// An old mtime, so that a rewrite would show even on a coarse clock.
fn age(path: &Path) -> SystemTime {
    let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    fs::File::options().write(true).open(path).and_then(|f| f.set_modified(old)).expect("set mtime");
    old
}

/// Runs `cmd`, expects `code`, and asserts roles.toml kept its bytes and its mtime.
fn assert_untouched(path: &Path, mut cmd: Command, code: i32) -> assert_cmd::assert::Assert {
    let before = fs::read(path).expect("read");
    let mtime = age(path);
    let assert = cmd.assert().code(code);
    assert_eq!(fs::read(path).expect("read"), before, "roles.toml changed");
    assert_eq!(fs::metadata(path).and_then(|m| m.modified()).expect("mtime"), mtime, "roles.toml was rewritten");
    assert
}

fn valid(dir: &Path) {
    role_gen(dir).arg("validate").assert().success();
}

#[test]
fn add_permission_appends_after_the_last_permission_with_the_next_free_id() {
    let (tmp, path) = project(COMMENTED);
    role_gen(tmp.path())
        .args(["add", "permission", "export_docs", "--description", "Export documents", "--entity", "workspace"])
        .args(["--group", "docs", "--grant", "admin"])
        .assert()
        .success()
        .stdout(predicate::str::contains("added permission export_docs (id 10), granted to admin"))
        .stdout(predicate::str::contains("role-gen generate"));
    let text = read(&path);
    let new = "\n[permissions.export_docs]\nid = 10\ndescription = \"Export documents\"\nentities = [\"workspace\"]\ngroup = \"docs\"\n";
    assert!(text.contains(new), "{text}");
    let at = |s: &str| text.find(s).unwrap_or_else(|| panic!("{s} missing"));
    assert!(at("[permissions.invite]") < at("[permissions.export_docs]"));
    assert!(at("[permissions.export_docs]") < at("# ---- Roles ----"));
    assert!(text.contains("permissions = [\"delete_docs\", \"invite\", \"export_docs\"]"), "{text}");
    valid(tmp.path());
}

#[test]
fn add_role_and_entity_land_with_their_kind() {
    let (tmp, path) = project(COMMENTED);
    role_gen(tmp.path())
        .args(["add", "role", "auditor", "--description", "Audits", "--permission", "view_docs"])
        .args(["--include", "reader", "--assignable-on", "org"])
        .assert()
        .success()
        .stdout(predicate::str::contains("added role auditor (id 4)"));
    role_gen(tmp.path())
        .args(["add", "entity", "folder", "--description", "A folder", "--parent", "workspace"])
        .assert()
        .success()
        .stdout(predicate::str::contains("added entity folder (id 3) inside workspace"));
    let text = read(&path);
    assert!(text.contains("[roles.auditor]\nid = 4\ndescription = \"Audits\"\npermissions = [\"view_docs\"]\nincludes = [\"reader\"]\nassignable_on = [\"org\"]\n"), "{text}");
    assert!(text.contains("[entities.folder]\nid = 3\ndescription = \"A folder\"\nparent = \"workspace\"\n"), "{text}");
    let at = |s: &str| text.find(s).unwrap_or_else(|| panic!("{s} missing"));
    assert!(at("[roles.admin]") < at("[roles.auditor]") && at("[roles.auditor]") < at("# ---- Reserved ----"));
    assert!(at("[entities.workspace]") < at("[entities.folder]") && at("[entities.folder]") < at("# ---- Permissions"));
    valid(tmp.path());
}

#[test]
fn grant_and_revoke_edit_direct_grants_in_the_arrays_style() {
    let (tmp, path) = project(COMMENTED);
    role_gen(tmp.path())
        .args(["grant", "reader", "invite"])
        .assert()
        .success()
        .stdout("granted invite to role reader\nnext: `role-gen generate` refreshes the generated files\n");
    assert!(read(&path).contains("  \"view_docs\",   # the one thing readers do\n  \"invite\",\n]"), "{}", read(&path));
    role_gen(tmp.path())
        .args(["revoke", "reader", "invite"])
        .assert()
        .success()
        .stdout(predicate::str::contains("revoked invite from role reader"));
    assert_eq!(read(&path), COMMENTED, "grant then revoke restores the file");
    role_gen(tmp.path()).args(["grant", "editor", "delete_docs", "invite"]).assert().success();
    assert!(
        read(&path).contains("permissions = [\"edit_docs\", \"delete_docs\", \"invite\"]   # beside editor's grants")
    );
}

#[test]
fn granting_what_is_granted_changes_nothing_not_even_the_mtime() {
    let (tmp, path) = project(COMMENTED);
    let mut cmd = role_gen(tmp.path());
    cmd.args(["grant", "admin", "invite"]);
    assert_untouched(&path, cmd, 0).stdout(predicate::str::contains("already grants invite directly; nothing changed"));
}

#[test]
fn revoking_an_inherited_permission_names_the_role_it_comes_from() {
    let (tmp, path) = project(COMMENTED);
    let mut cmd = role_gen(tmp.path());
    cmd.args(["revoke", "admin", "view_docs"]);
    assert_untouched(&path, cmd, 1)
        .stderr(predicate::str::contains(
            "role `admin` does not grant `view_docs` directly: it inherits it from role `reader`",
        ))
        .stderr(predicate::str::contains("admin > editor > reader"));
    let mut cmd = role_gen(tmp.path());
    cmd.args(["revoke", "reader", "invite"]);
    assert_untouched(&path, cmd, 1).stderr(predicate::str::contains("role `reader` does not hold `invite`"));
}

#[test]
fn typos_are_refused_with_a_did_you_mean() {
    let (tmp, path) = project(COMMENTED);
    let cases: [(&[&str], &str); 6] = [
        (&["grant", "editr", "view_docs"], "unknown role `editr`\n  = help: did you mean `editor`?"),
        (&["grant", "editor", "view_doc"], "unknown permission `view_doc`\n  = help: did you mean `view_docs`?"),
        (&["revoke", "editor", "edit_doc"], "did you mean `edit_docs`?"),
        (&["remove", "permission", "invit"], "did you mean `invite`?"),
        (&["deprecate", "permission", "delete_doc"], "did you mean `delete_docs`?"),
        (&["add", "role", "x", "--description", "X", "--include", "reder"], "did you mean `reader`?"),
    ];
    for (args, message) in cases {
        let mut cmd = role_gen(tmp.path());
        cmd.args(args);
        assert_untouched(&path, cmd, 1).stderr(predicate::str::contains(message));
    }
    let mut cmd = role_gen(tmp.path());
    cmd.args(["add", "permission", "x", "--description", "X", "--entity", "worksp"]);
    assert_untouched(&path, cmd, 1).stderr(predicate::str::contains("did you mean `workspace`?"));
}

/// A reserved name is one that was removed: `grant`, `who-can` and `validate` say so in the
/// words `add` uses to refuse it, and never offer a close name instead.
#[test]
fn a_reserved_name_is_said_to_be_removed_by_every_command_that_meets_it() {
    let text = COMMENTED.replace("permission_names = [\"purge\"]", "permission_names = [\"purge\", \"delete_doc\"]");
    let (tmp, path) = project(&text);
    let removed = "permission `delete_doc` was removed; its name is reserved";
    let reason = "it is listed in [reserved] permission_names: a removed permission keeps its name forever";
    let mut cmd = role_gen(tmp.path());
    cmd.args(["add", "permission", "delete_doc", "--description", "Again"]);
    assert_untouched(&path, cmd, 1).stderr(predicate::str::contains(reason));
    for args in [&["grant", "editor", "delete_doc"][..], &["who-can", "delete_doc"]] {
        let mut cmd = role_gen(tmp.path());
        cmd.args(args);
        assert_untouched(&path, cmd, 1)
            .stderr(predicate::str::contains(removed))
            .stderr(predicate::str::contains(reason))
            .stderr(predicate::str::contains("did you mean").not());
    }
    fs::write(&path, text.replace("permissions = [\"delete_docs\", \"invite\"]", "permissions = [\"delete_doc\"]"))
        .expect("write");
    role_gen(tmp.path())
        .arg("validate")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!("error[unknown-permission]: {removed}")))
        .stderr(predicate::str::contains(format!("= note: {reason}")))
        .stderr(predicate::str::contains("did you mean").not());
}

/// A name that is itself invalid is never the answer to a typo.
#[test]
fn an_invalid_name_is_never_offered_as_a_did_you_mean() {
    // Three letters from the typo: close enough to be offered, were it valid.
    let text = COMMENTED.replace("[permissions.invite]", "[permissions.manage_SSO]");
    let (tmp, path) = project(&text);
    let mut cmd = role_gen(tmp.path());
    cmd.args(["grant", "editor", "manage_sso"]);
    assert_untouched(&path, cmd, 1)
        .stderr(predicate::str::contains("unknown permission `manage_sso`"))
        .stderr(predicate::str::contains("manage_SSO").not());
}

#[test]
fn existing_invalid_and_empty_names_are_refused() {
    let (tmp, path) = project(COMMENTED);
    let cases: [(&[&str], &str); 5] = [
        (
            &["add", "permission", "invite", "--description", "Again"],
            "permission `invite` already exists\n  --> roles.toml:37",
        ),
        (&["add", "role", "editor", "--description", "Again"], "role `editor` already exists"),
        (&["add", "entity", "org", "--description", "Again"], "entity `org` already exists"),
        (&["add", "permission", "Export", "--description", "X"], "invalid permission name `Export`"),
        (&["add", "permission", "export", "--description", " "], "the description is empty"),
    ];
    for (args, message) in cases {
        let mut cmd = role_gen(tmp.path());
        cmd.args(args);
        assert_untouched(&path, cmd, 1).stderr(predicate::str::contains(message));
    }
}

#[test]
fn remove_refuses_while_referenced_and_lists_the_references_with_their_lines() {
    let (tmp, path) = project(COMMENTED);
    let mut cmd = role_gen(tmp.path());
    cmd.args(["remove", "role", "reader"]);
    assert_untouched(&path, cmd, 1)
        .stderr(predicate::str::contains("role `reader` is still referenced"))
        .stderr(predicate::str::contains("roles.toml:56: included by role `editor`"))
        .stderr(predicate::str::contains("roles.toml:75: test 1 (`covers`)"))
        .stderr(predicate::str::contains("--force"));
    let mut cmd = role_gen(tmp.path());
    cmd.args(["remove", "permission", "edit_docs"]);
    assert_untouched(&path, cmd, 1).stderr(predicate::str::contains("roles.toml:55: granted by role `editor`"));
}

#[test]
fn remove_force_drops_the_references_and_reserves_the_id_and_name() {
    let (tmp, path) = project(COMMENTED);
    role_gen(tmp.path())
        .args(["remove", "permission", "edit_docs", "--force"])
        .assert()
        .success()
        .stdout(predicate::str::contains("removed permission edit_docs (id 2); its id and name are now reserved"))
        .stdout(predicate::str::contains("dropped the reference at roles.toml:55: granted by role `editor`"));
    let text = read(&path);
    assert!(!text.contains("[permissions.edit_docs]"));
    assert!(text.contains("permissions = []   # beside editor's grants"), "{text}");
    assert!(
        text.contains("permission_ids = [9, 2]   # was purge\npermission_names = [\"purge\", \"edit_docs\"]\n"),
        "{text}"
    );
    valid(tmp.path());

    role_gen(tmp.path())
        .args(["remove", "role", "reader", "--force"])
        .assert()
        .success()
        .stdout(predicate::str::contains("removed role reader (id 1)"));
    let text = read(&path);
    assert!(text.contains("role_ids = [1]\nrole_names = [\"reader\"]\n"), "{text}");
    assert!(!text.contains("[[tests]]"), "the test left asserting nothing is dropped:\n{text}");
    assert!(text.contains("# ---- Tests ----"), "the section banner stays:\n{text}");
    assert!(!text.contains("# Readers read."), "the comment right above the removed role goes with it");
    valid(tmp.path());
}

#[test]
fn a_removed_name_is_never_added_again_and_its_id_never_reused() {
    let (tmp, path) = project(COMMENTED);
    role_gen(tmp.path()).args(["remove", "permission", "invite", "--force"]).assert().success();
    let mut cmd = role_gen(tmp.path());
    cmd.args(["add", "permission", "invite", "--description", "Invite again"]);
    assert_untouched(&path, cmd, 1)
        .stderr(predicate::str::contains("permission name `invite` is reserved"))
        .stderr(predicate::str::contains("choose another name"));
    role_gen(tmp.path())
        .args(["add", "permission", "invite_people", "--description", "Invite people"])
        .assert()
        .success()
        .stdout(predicate::str::contains("(id 10)"));
    role_gen(tmp.path()).args(["remove", "role", "admin"]).assert().success();
    role_gen(tmp.path())
        .args(["add", "role", "owner", "--description", "Owns"])
        .assert()
        .success()
        .stdout(predicate::str::contains("added role owner (id 4)"));
    let mut cmd = role_gen(tmp.path());
    cmd.args(["add", "role", "admin", "--description", "Again"]);
    assert_untouched(&path, cmd, 1).stderr(predicate::str::contains("role name `admin` is reserved"));
}

#[test]
fn remove_creates_the_reserved_table_when_the_file_has_none() {
    let text = "[project]\nname = \"x\"\n\n[permissions.a]\nid = 1\ndescription = \"A\"\n\n[permissions.b]\nid = 2\ndescription = \"B\"\n\n[roles.r]\nid = 1\ndescription = \"R\"\npermissions = [\"a\", \"b\"]\n";
    let (tmp, path) = project(text);
    role_gen(tmp.path()).args(["remove", "permission", "b", "--force"]).assert().success();
    assert_eq!(
        read(&path),
        "[project]\nname = \"x\"\n\n[permissions.a]\nid = 1\ndescription = \"A\"\n\n[roles.r]\nid = 1\ndescription = \"R\"\npermissions = [\"a\"]\n\n[reserved]\npermission_ids = [2]\npermission_names = [\"b\"]\n"
    );
    valid(tmp.path());
}

#[test]
fn deprecate_sets_the_reason_once() {
    let (tmp, path) = project(COMMENTED);
    role_gen(tmp.path())
        .args(["deprecate", "permission", "delete_docs", "--reason", "use archive_docs"])
        .assert()
        .success()
        .stdout(predicate::str::contains("deprecated permission delete_docs: use archive_docs"))
        .stderr(predicate::str::contains("warning[deprecated-granted]"));
    assert!(read(&path).contains("group = \"docs\"\ndeprecated = \"use archive_docs\"\n"));
    for args in [
        &["deprecate", "permission", "delete_docs", "--reason", "use archive_docs"][..],
        &["deprecate", "permission", "delete_docs"],
    ] {
        let mut cmd = role_gen(tmp.path());
        cmd.args(args);
        assert_untouched(&path, cmd, 0)
            .stdout(predicate::str::contains("already deprecated (use archive_docs); nothing changed"));
    }
    role_gen(tmp.path()).args(["deprecate", "permission", "delete_docs", "--reason", "gone in v3"]).assert().success();
    assert!(read(&path).contains("deprecated = \"gone in v3\"\n"));
    role_gen(tmp.path()).args(["deprecate", "permission", "invite"]).assert().success();
    assert!(read(&path).contains("description = \"Invite people\"\ndeprecated = true\n"));
}

#[test]
fn an_edit_that_would_make_the_file_invalid_is_refused_with_the_diagnostics() {
    let (tmp, path) = project("[project]\nname = \"x\"\n\n[permissions.level_2]\nid = 1\ndescription = \"L\"\n");
    let mut cmd = role_gen(tmp.path());
    cmd.args(["add", "permission", "level2", "--description", "Another"]);
    assert_untouched(&path, cmd, 1)
        .stderr(predicate::str::contains("error[identifier-collision]"))
        .stderr(predicate::str::contains("the edit would make roles.toml invalid (1 error); it was not changed"));
}

#[test]
fn an_invalid_file_can_be_repaired_by_an_edit_but_not_made_worse() {
    let broken = "[project]\nname = \"x\"\n\n[roles.r]\nid = 1\ndescription = \"R\"\npermissions = [\"export_data\"]\n";
    let (tmp, path) = project(broken);
    let mut cmd = role_gen(tmp.path());
    cmd.args(["add", "role", "s", "--description", "S"]);
    assert_untouched(&path, cmd, 1)
        .stderr(predicate::str::contains("error[unknown-permission]"))
        .stderr(predicate::str::contains("is invalid (1 error) and this edit does not fix it"));
    role_gen(tmp.path()).args(["add", "permission", "export_data", "--description", "Export"]).assert().success();
    valid(tmp.path());

    let (tmp, path) = project("[project\nname = 1\n");
    let mut cmd = role_gen(tmp.path());
    cmd.args(["grant", "r", "p"]);
    assert_untouched(&path, cmd, 1).stderr(predicate::str::contains("error[toml-syntax]"));

    let (tmp, path) =
        project("[project]\nname = \"x\"\n[roles.r]\ndescription = \"R\"\nid = 1\npermissions = [\"nope\"]\n");
    let mut cmd = role_gen(tmp.path());
    cmd.arg("fmt");
    assert_untouched(&path, cmd, 1).stderr(predicate::str::contains("error[unknown-permission]"));
}

#[test]
fn missing_arguments_are_usage_errors_without_a_terminal() {
    let (tmp, path) = project(COMMENTED);
    let mut cmd = role_gen(tmp.path());
    cmd.args(["add", "permission", "--description", "X"]);
    assert_untouched(&path, cmd, 2).stderr(predicate::str::contains("missing NAME (name of the new permission)"));
    let mut cmd = role_gen(tmp.path());
    cmd.args(["add", "role", "x"]);
    assert_untouched(&path, cmd, 2).stderr(predicate::str::contains("missing --description"));
    let mut cmd = role_gen(tmp.path());
    cmd.args(["grant", "reader"]);
    assert_untouched(&path, cmd, 2);
    let mut cmd = role_gen(tmp.path());
    cmd.args(["remove", "predicate", "org"]);
    assert_untouched(&path, cmd, 2);
    let empty = tempfile::tempdir().expect("tempdir");
    role_gen(empty.path()).args(["grant", "a", "b"]).assert().code(2).stderr(predicate::str::contains("no roles.toml"));
}

#[test]
fn missing_arguments_are_asked_for_on_a_terminal() {
    // `script` (Debian's essential bsdutils) gives the command a pseudo-terminal. A machine
    // without it fails this test rather than skipping it.
    let script = Path::new("/usr/bin/script");
    assert!(script.exists(), "/usr/bin/script (bsdutils) is needed to give role-gen a terminal");
    let (tmp, path) = project(COMMENTED);
    let bin = assert_cmd::cargo::cargo_bin("role-gen");
    let mut cmd = Command::new(script);
    cmd.current_dir(tmp.path()).env("NO_COLOR", "1");
    cmd.args(["-qec", &format!("'{}' add permission --grant admin", bin.display()), "/dev/null"]);
    cmd.write_stdin("export_docs\nExport documents\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("name of the new permission:"))
        .stdout(predicate::str::contains("what it allows:"))
        .stdout(predicate::str::contains("added permission export_docs (id 10), granted to admin"));
    assert!(read(&path).contains("[permissions.export_docs]\nid = 10\ndescription = \"Export documents\"\n"));
}

#[test]
fn inline_entries_and_crlf_files_keep_their_style() {
    let inline = "[project]\r\nname = \"x\"\r\n\r\n[permissions]\r\na = { id = 1, description = \"A\" }\r\n\r\n[roles]\r\nr = { id = 1, description = \"R\", permissions = [\"a\"] }\r\n";
    let (tmp, path) = project(inline);
    role_gen(tmp.path()).args(["add", "permission", "b", "--description", "B", "--grant", "r"]).assert().success();
    role_gen(tmp.path()).args(["deprecate", "permission", "a"]).assert().success();
    assert_eq!(
        read(&path),
        "[project]\r\nname = \"x\"\r\n\r\n[permissions]\r\na = { id = 1, description = \"A\", deprecated = true }\r\nb = { id = 2, description = \"B\" }\r\n\r\n[roles]\r\nr = { id = 1, description = \"R\", permissions = [\"a\", \"b\"] }\r\n"
    );
    role_gen(tmp.path()).args(["fmt", "--check"]).assert().success();
    valid(tmp.path());
}

#[cfg(unix)]
#[test]
fn a_symlinked_roles_toml_is_written_through_and_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt as _;
    let (tmp, real) = project(COMMENTED);
    let real_file = tmp.path().join("real.toml");
    fs::rename(&real, &real_file).expect("rename");
    fs::set_permissions(&real_file, fs::Permissions::from_mode(0o600)).expect("chmod");
    std::os::unix::fs::symlink("real.toml", tmp.path().join("roles.toml")).expect("symlink");
    role_gen(tmp.path()).args(["grant", "reader", "invite"]).assert().success();
    assert!(fs::symlink_metadata(tmp.path().join("roles.toml")).expect("lstat").file_type().is_symlink());
    assert!(read(&real_file).contains("\"invite\","));
    assert_eq!(fs::metadata(&real_file).expect("stat").permissions().mode() & 0o777, 0o600);
}

#[test]
fn quiet_prints_nothing_on_success() {
    let (tmp, _path) = project(COMMENTED);
    role_gen(tmp.path()).args(["-q", "grant", "reader", "invite"]).assert().success().stdout("").stderr("");
}

#[test]
fn fmt_is_canonical_idempotent_and_check_fails_on_an_unformatted_file() {
    let messy = "# header\n\n[roles.b]\ndescription = \"B\"   # beside\nid = 2\npermissions = [\n  \"p\",\n]\n[permissions.p]\ndescription = \"P\"\nid = 1\n\n\n[project]\nname = \"x\"\n\n\n[roles.a]   # about a\nid = 1\n  # above description\ndescription = \"A\"\n";
    let (tmp, path) = project(messy);
    let mut cmd = role_gen(tmp.path());
    cmd.args(["fmt", "--check"]);
    assert_untouched(&path, cmd, 1)
        .stdout(predicate::str::contains("+permissions = [\"p\"]"))
        .stdout(predicate::str::contains("+[permissions.p]").not())
        .stderr(predicate::str::contains("roles.toml is not formatted"));
    let mut cmd = role_gen(tmp.path());
    cmd.args(["fmt", "--check", "--sort"]);
    assert_untouched(&path, cmd, 1).stdout(predicate::str::contains("+[permissions.p]"));
    role_gen(tmp.path()).arg("fmt").assert().success().stdout("formatted roles.toml\n");
    assert_eq!(
        read(&path),
        "# header\n\n[roles.b]\ndescription = \"B\"   # beside\nid = 2\npermissions = [\"p\"]\n\n[permissions.p]\ndescription = \"P\"\nid = 1\n\n[project]\nname = \"x\"\n\n[roles.a]   # about a\nid = 1\n# above description\ndescription = \"A\"\n",
        "fmt lays out and keeps the order"
    );
    for args in [&["fmt"][..], &["fmt", "--check"]] {
        let mut cmd = role_gen(tmp.path());
        cmd.args(args);
        assert_untouched(&path, cmd, 0).stdout("roles.toml is already formatted\n");
    }
    role_gen(tmp.path()).args(["fmt", "--sort"]).assert().success().stdout("formatted roles.toml\n");
    assert_eq!(
        read(&path),
        "# header\n\n[project]\nname = \"x\"\n\n[permissions.p]\nid = 1\ndescription = \"P\"\n\n[roles.a]   # about a\nid = 1\n# above description\ndescription = \"A\"\n\n[roles.b]\nid = 2\ndescription = \"B\"   # beside\npermissions = [\"p\"]\n",
        "fmt --sort orders sections, entries by id and keys"
    );
    for args in [&["fmt", "--sort"][..], &["fmt", "--check", "--sort"], &["fmt", "--check"]] {
        let mut cmd = role_gen(tmp.path());
        cmd.args(args);
        assert_untouched(&path, cmd, 0);
    }
}

#[test]
fn fmt_keeps_every_comment_of_a_commented_file_and_the_examples_are_formatted() {
    let (tmp, path) = project(COMMENTED);
    role_gen(tmp.path()).arg("fmt").assert().success();
    assert_eq!(comments(&read(&path)), comments(COMMENTED));
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for example in ["slack", "minimal"] {
        let file = workspace.join("definitions").join(example).join("roles.toml");
        role_gen(tmp.path()).args(["fmt", "--check", "-f"]).arg(&file).assert().success();
        role_gen(tmp.path()).args(["fmt", "--check", "--sort", "-f"]).arg(&file).assert().success();
    }
}

#[test]
fn every_comment_survives_a_long_sequence_of_edits() {
    let (tmp, path) = project(COMMENTED);
    let steps: &[&[&str]] = &[
        &["add", "permission", "export_docs", "--description", "Export documents", "--grant", "admin"],
        &["add", "role", "auditor", "--description", "Audits", "--permission", "view_docs"],
        &["add", "entity", "folder", "--description", "A folder", "--parent", "workspace"],
        &["grant", "reader", "invite"],
        &["grant", "editor", "delete_docs"],
        &["revoke", "editor", "delete_docs"],
        &["revoke", "reader", "invite"],
        &["deprecate", "permission", "delete_docs", "--reason", "use export_docs"],
        &["grant", "auditor", "export_docs", "invite"],
        &["add", "permission", "archive_docs", "--description", "Archive documents", "--grant", "admin"],
        &["remove", "permission", "export_docs", "--force"],
        &["remove", "role", "auditor"],
        &["revoke", "admin", "delete_docs"],
        &["add", "role", "owner", "--description", "Owns", "--include", "admin"],
        &["fmt"],
        &["grant", "owner", "delete_docs"],
    ];
    let original = comments(COMMENTED);
    for step in steps {
        role_gen(tmp.path()).args(*step).assert().success();
        assert_in_order(&original, &comments(&read(&path)));
        valid(tmp.path());
    }
    role_gen(tmp.path()).args(["fmt", "--check"]).assert().success();
}

/// Each refusal carries its code from the one registry; the text shown stays as it was.
#[test]
fn every_refusal_carries_its_registry_code() {
    use role_gen::edit::{self, Edit, EditError, Kind, NewPermission, Refused};
    let path = Path::new("roles.toml");
    let refused = |edit: Edit| match edit::apply(path, COMMENTED.as_bytes(), &edit) {
        Err(EditError::Refused(refusal)) => Some((refusal.code, refusal.to_string())),
        _ => None,
    };
    let add = |name: &str, description: &str| {
        Edit::AddPermission(NewPermission { name: name.into(), description: description.into(), ..Default::default() })
    };
    let revoke =
        |role: &str, permission: &str| Edit::Revoke { role: role.into(), permissions: vec![permission.into()] };
    let cases = [
        (revoke("nobody", "view_docs"), Refused::UnknownName),
        (add("view_docs", "again"), Refused::NameTaken),
        (add("View", "bad"), Refused::NameNotAllowed),
        (add("fresh", " "), Refused::EmptyDescription),
        (Edit::Remove { kind: Kind::Permission, name: "view_docs".into(), force: false }, Refused::StillReferenced),
    ];
    for (edit, code) in cases {
        let (found, text) = refused(edit.clone()).unwrap_or_else(|| panic!("{edit:?} was not refused"));
        assert_eq!(found, code, "{text}");
        assert!(!text.contains(code.as_str()), "the code is not printed: {text}");
    }
}

/// Random sequences of edits through the library: the file stays valid and formatted (`fmt
/// --check` clean after every edit, as it was before), no id is ever given to a second name,
/// and granting then revoking a permission restores the role's access.
mod property {
    use std::collections::BTreeMap;
    use std::path::Path;

    use proptest::prelude::*;
    use role_gen::Project;
    use role_gen::edit::{self, Edit, EditError, Kind, NewEntity, NewPermission, NewRole};

    /// A formatted file commented the way people do: banners, comments above and beside
    /// headers, keys and array elements, and words at the end.
    const START: &str = r#"# The property test's roles.

[project]
name = "prop"

# ---- Entities ----

[entities.space]
description = "S"   # the root

# ---- Permissions ----

# The first one.
[permissions.permission_number_0]
id = 1
description = "P0"
# group = "first"   (not yet: a comment hanging below the table)

# ---- Roles ----

[roles.role_0]
id = 1
description = "R0"   # beside a description
permissions = [
  "permission_number_0", # why role_0 has it
]

# The end.
"#;

    #[derive(Debug, Clone)]
    enum Op {
        AddPermission { name: u8, grants: Vec<u8>, entities: Vec<u8> },
        AddRole { name: u8, permissions: Vec<u8>, include: Option<u8>, on: Vec<u8> },
        AddEntity { name: u8, parent: Option<u8> },
        Grant { role: u8, permissions: Vec<u8> },
        Revoke { role: u8, permissions: Vec<u8> },
        Remove { role: bool, name: u8, force: bool },
        Deprecate { name: u8, reason: Option<u8> },
        GrantThenRevoke { role: u8, permission: u8 },
    }

    /// Names long enough that a handful of them overflow a line of `fmt`'s width.
    fn p(i: u8) -> String {
        format!("permission_number_{}", i % 8)
    }

    fn r(i: u8) -> String {
        format!("role_{}", i % 5)
    }

    fn e(i: u8) -> String {
        format!("entity_kind_number_{}", i % 6)
    }

    fn some() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(any::<u8>(), 0..7)
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            2 => (any::<u8>(), some(), some()).prop_map(|(name, grants, entities)| Op::AddPermission { name, grants, entities }),
            2 => (any::<u8>(), some(), proptest::option::of(any::<u8>()), some())
                .prop_map(|(name, permissions, include, on)| Op::AddRole { name, permissions, include, on }),
            1 => (any::<u8>(), proptest::option::of(any::<u8>())).prop_map(|(name, parent)| Op::AddEntity { name, parent }),
            3 => (any::<u8>(), some()).prop_map(|(role, permissions)| Op::Grant { role, permissions }),
            2 => (any::<u8>(), some()).prop_map(|(role, permissions)| Op::Revoke { role, permissions }),
            2 => (any::<bool>(), any::<u8>(), any::<bool>()).prop_map(|(role, name, force)| Op::Remove { role, name, force }),
            1 => (any::<u8>(), proptest::option::of(any::<u8>())).prop_map(|(name, reason)| Op::Deprecate { name, reason }),
            2 => (any::<u8>(), any::<u8>()).prop_map(|(role, permission)| Op::GrantThenRevoke { role, permission }),
        ]
    }

    /// The names of the file's entities, permissions and roles, so that most edits name
    /// something that exists (random names would mostly be refused).
    fn current(text: &str) -> [Vec<String>; 3] {
        let Ok(project) = Project::from_bytes("roles.toml", text.as_bytes()) else { return Default::default() };
        let model = project.model();
        [
            model.entities().iter().map(|x| x.name.clone()).collect(),
            model.permissions().iter().map(|x| x.name.clone()).collect(),
            model.roles().iter().map(|x| x.name.clone()).collect(),
        ]
    }

    /// The `i`th of `names`, or a fresh name when `i` points past them (an unknown name).
    fn pick(names: &[String], i: u8, fresh: fn(u8) -> String) -> String {
        names.get(usize::from(i) % (names.len() + 1)).cloned().unwrap_or_else(|| fresh(i))
    }

    /// Names for a list: existing ones only, so that long lists get through (one unknown name
    /// refuses the whole edit; the single names above try unknown ones).
    fn pick_list(names: &[String], is: &[u8]) -> Vec<String> {
        is.iter().filter_map(|&i| names.get(usize::from(i) % names.len().max(1)).cloned()).collect()
    }

    fn to_edit(op: &Op, text: &str) -> Edit {
        let [entities, perms, roles] = current(text);
        let (entity, perm, role) = (|i| pick(&entities, i, e), |i| pick(&perms, i, p), |i| pick(&roles, i, r));
        let perm_list = |is: &[u8]| pick_list(&perms, is);
        let entity_list = |is: &[u8]| pick_list(&entities, is);
        match op {
            Op::AddPermission { name, grants, entities } => Edit::AddPermission(NewPermission {
                name: p(*name),
                description: format!("Permission {}", p(*name)),
                grants: pick_list(&roles, grants),
                entities: entity_list(entities),
                ..NewPermission::default()
            }),
            Op::AddRole { name, permissions, include, on } => Edit::AddRole(NewRole {
                name: r(*name),
                description: format!("Role {}", r(*name)),
                permissions: perm_list(permissions),
                includes: include.map(role).into_iter().collect(),
                assignable_on: entity_list(on),
            }),
            Op::AddEntity { name, parent } => Edit::AddEntity(NewEntity {
                name: e(*name),
                description: format!("Entity {}", e(*name)),
                parent: parent.map(entity),
            }),
            Op::Grant { role: ro, permissions } => Edit::Grant { role: role(*ro), permissions: perm_list(permissions) },
            Op::GrantThenRevoke { role: ro, permission } => {
                Edit::Grant { role: role(*ro), permissions: vec![perm(*permission)] }
            }
            Op::Revoke { role: ro, permissions } => {
                Edit::Revoke { role: role(*ro), permissions: perm_list(permissions) }
            }
            Op::Remove { role: is_role, name, force } => {
                let (kind, name) = if *is_role { (Kind::Role, role(*name)) } else { (Kind::Permission, perm(*name)) };
                Edit::Remove { kind, name, force: *force }
            }
            Op::Deprecate { name, reason } => {
                Edit::Deprecate { name: perm(*name), reason: reason.map(|i| format!("use {} instead", p(i))) }
            }
        }
    }

    /// Every role's effective permissions, by name.
    fn access(text: &str) -> BTreeMap<String, Vec<String>> {
        let project = Project::from_bytes("roles.toml", text.as_bytes()).expect("valid");
        let model = project.model();
        model
            .roles()
            .iter()
            .map(|role| {
                (role.name.clone(), role.effective.iter().map(|i| model.permissions()[i].name.clone()).collect())
            })
            .collect()
    }

    /// Applies an edit; a refusal leaves the text as it was, an invalid or unformatted result
    /// is a bug.
    fn step(text: &str, edit: &Edit) -> Result<String, TestCaseError> {
        match edit::apply(Path::new("roles.toml"), text.as_bytes(), edit) {
            Ok(outcome) => {
                formatted(&outcome.text).map_err(|e| TestCaseError::fail(format!("after {edit:?}: {e}")))?;
                Ok(outcome.text)
            }
            Err(EditError::Refused(_)) => Ok(text.to_string()),
            Err(EditError::Invalid { diagnostics, .. }) => Err(TestCaseError::fail(format!(
                "{edit:?} produced an invalid file:\n{}\n{text}",
                diagnostics.render_human(false)
            ))),
        }
    }

    /// Whether `fmt --check` passes on `text`: `fmt` would change nothing.
    fn formatted(text: &str) -> Result<(), String> {
        match edit::apply(Path::new("roles.toml"), text.as_bytes(), &Edit::Format { sort: false }) {
            Ok(outcome) if !outcome.changed => Ok(()),
            Ok(outcome) => Err(format!("not fmt --check clean:\n{text}\n--- fmt would write ---\n{}", outcome.text)),
            Err(e) => Err(format!("fmt refused: {e:?}\n{text}")),
        }
    }

    /// Records every (kind, id) -> name given out; fails when an id comes back with another name.
    fn track(text: &str, ever: &mut BTreeMap<(bool, u32), String>) -> Result<(), TestCaseError> {
        let project = Project::from_bytes("roles.toml", text.as_bytes())
            .map_err(|d| TestCaseError::fail(format!("invalid:\n{}\n{text}", d.render_human(false))))?;
        let model = project.model();
        let items = model.permissions().iter().map(|x| ((false, x.id), &x.name));
        for (key, name) in items.chain(model.roles().iter().map(|x| ((true, x.id), &x.name))) {
            let previous = ever.entry(key).or_insert_with(|| name.clone());
            prop_assert_eq!(&*previous, name, "id {:?} reused", key);
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn random_edits_keep_the_file_valid_formatted_and_ids_unique(ops in proptest::collection::vec(op(), 1..20)) {
            let mut text = START.to_string();
            formatted(&text).map_err(TestCaseError::fail)?;
            let mut ever = BTreeMap::new();
            track(&text, &mut ever)?;
            for op in &ops {
                let edit = to_edit(op, &text);
                if let (Op::GrantThenRevoke { .. }, Edit::Grant { role, permissions }) = (op, &edit) {
                    grant_then_revoke(&text, role, &permissions[0])?;
                    continue;
                }
                text = step(&text, &edit)?;
                track(&text, &mut ever)?;
            }
            sorts_once_keeping_every_comment(&text)?;
        }
    }

    /// `fmt --sort` of the result keeps every comment, and sorting again changes nothing.
    fn sorts_once_keeping_every_comment(text: &str) -> Result<(), TestCaseError> {
        let sort = Edit::Format { sort: true };
        let sorted = step(text, &sort)?;
        prop_assert_eq!(step(&sorted, &sort)?, sorted.clone(), "fmt --sort is idempotent");
        let comments = |t: &str| {
            let mut found: Vec<String> =
                t.lines().filter_map(|l| l.find('#').map(|i| l[i..].trim().to_string())).collect();
            found.sort();
            found
        };
        prop_assert_eq!(comments(&sorted), comments(text), "fmt --sort keeps every comment:\n{}", sorted);
        Ok(())
    }

    /// Granting a permission a role does not grant directly, then revoking it, gives back the same
    /// access and the same text.
    fn grant_then_revoke(text: &str, role: &str, perm: &str) -> Result<(), TestCaseError> {
        if !access_known(text, role, perm) || access_direct(text, role, perm) {
            return Ok(());
        }
        let before = access(text);
        let granted = step(text, &Edit::Grant { role: role.to_string(), permissions: vec![perm.to_string()] })?;
        prop_assert!(granted != text, "the grant changed nothing");
        let revoked = step(&granted, &Edit::Revoke { role: role.to_string(), permissions: vec![perm.to_string()] })?;
        prop_assert_eq!(access(&revoked), before);
        prop_assert_eq!(revoked.as_str(), text, "grant then revoke restores the text");
        Ok(())
    }

    /// Whether both names exist.
    fn access_known(text: &str, role: &str, perm: &str) -> bool {
        let [_, perms, roles] = current(text);
        perms.iter().any(|x| x == perm) && roles.iter().any(|x| x == role)
    }

    /// Whether `role` grants `perm` directly.
    fn access_direct(text: &str, role: &str, perm: &str) -> bool {
        let Ok(project) = Project::from_bytes("roles.toml", text.as_bytes()) else { return false };
        let model = project.model();
        match (model.role(role), model.permission(perm)) {
            (Some(r), Some(p)) => model.roles()[r].permissions.contains(&p),
            _ => false,
        }
    }
}

/// Tests on entities (`assign`, `path`) name roles and entity types too: `remove --force` drops
/// the assignments of a removed role (the test with them when none is left), and every test
/// placing something on a removed entity type, so the file stays valid.
#[test]
fn remove_force_drops_assignments_and_tests_on_entities() {
    let text = r#"[project]
name = "x"

[entities.org]
description = "An org"

[entities.team]
description = "A team"
parent = "org"

[permissions.view]
id = 1
description = "View"
entities = ["org", "team"]

[roles.viewer]
id = 1
description = "Views"
permissions = ["view"]

[roles.auditor]
id = 2
description = "Audits"
permissions = ["view"]

[[tests]]
name = "two assignments"
assign = [{ role = "viewer", entity = "org", id = "O1" }, { role = "auditor", entity = "org", id = "O1" }]
path = [{ entity = "org", id = "O1" }]
allow = ["view"]

[[tests]]
name = "an auditor alone"
assign = [{ role = "auditor", entity = "org", id = "O1" }]
path = [{ entity = "org", id = "O1" }]
allow = ["view"]

[[tests]]
name = "on a team"
assign = [{ role = "viewer", entity = "org", id = "O1" }]
path = [{ entity = "team", id = "T1" }, { entity = "org", id = "O1" }]
allow = ["view"]
"#;
    let (tmp, path) = project(text);
    valid(tmp.path());
    role_gen(tmp.path())
        .args(["remove", "role", "auditor", "--force"])
        .assert()
        .success()
        .stdout(predicate::str::contains("test 1 (`assign`)"))
        .stdout(predicate::str::contains("test 2 (`assign`; the test held only this role and is dropped with it)"));
    let text = read(&path);
    assert!(text.contains("assign = [{ role = \"viewer\", entity = \"org\", id = \"O1\" }]\n"), "{text}");
    assert!(!text.contains("an auditor alone"), "{text}");
    valid(tmp.path());

    role_gen(tmp.path())
        .args(["remove", "entity", "team", "--force"])
        .assert()
        .success()
        .stdout(predicate::str::contains("test 2 (`assign` or `path`; the test is dropped with the entity type)"));
    let text = read(&path);
    assert!(!text.contains("on a team") && text.contains("two assignments"), "{text}");
    valid(tmp.path());
}
