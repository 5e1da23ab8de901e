//! `fmt` and the layout edits leave: the file's own order and every comment kept in place,
//! `--sort` within the groups banners head, repeated array entries dropped, and every edit of a
//! formatted file leaving it formatted (`fmt --check` clean). The property test of random edit
//! sequences (tests/edit.rs) checks the last one at large.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

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

/// The comments of a text, in order (the fixtures have no `#` inside strings).
fn comments(text: &str) -> Vec<String> {
    text.lines().filter_map(|l| l.find('#').map(|i| l[i..].trim().to_string())).collect()
}

fn assert_formatted(dir: &Path) {
    role_gen(dir).args(["fmt", "--check"]).assert().success();
}

/// Permissions grouped under banners, not in id order, with comments above, beside and inside
/// everything, and untidy spacing.
const BANNERS: &str = r#"# Acme roles.
# Kept by the platform team.

[project]
name = "acme"    # the proto package

[entities.org]
description = "An organization"


# === Docs ===

[permissions.edit_docs]
id = 4
description = "Edit documents"
[permissions.view_docs]   # everyone reads
id = 3
description = "View documents"


# === Billing ===
# Money moves here.

# Refunds need two people.
[permissions.refund]
id = 2
description = "Refund a payment"

[permissions.pay]
description = "Pay an invoice"
  # the oldest permission
id = 1

[roles.reader]
id = 2
description = "Reads"
permissions = [
    "view_docs",   # the one thing readers do
]

[roles.admin]
id = 1
description = "Administers"
permissions = [
  "pay",
  "refund",
  "edit_docs",
]
includes = ["reader"]

# The end.
"#;

/// BANNERS after `fmt`: the same order, every comment in its place, spacing and the short
/// array tidied.
const BANNERS_FMT: &str = r#"# Acme roles.
# Kept by the platform team.

[project]
name = "acme"    # the proto package

[entities.org]
description = "An organization"

# === Docs ===

[permissions.edit_docs]
id = 4
description = "Edit documents"

[permissions.view_docs]   # everyone reads
id = 3
description = "View documents"

# === Billing ===
# Money moves here.

# Refunds need two people.
[permissions.refund]
id = 2
description = "Refund a payment"

[permissions.pay]
description = "Pay an invoice"
# the oldest permission
id = 1

[roles.reader]
id = 2
description = "Reads"
permissions = [
    "view_docs",   # the one thing readers do
]

[roles.admin]
id = 1
description = "Administers"
permissions = ["pay", "refund", "edit_docs"]
includes = ["reader"]

# The end.
"#;

/// BANNERS after `fmt --sort`: by id inside each banner's group, the banners on top of their
/// groups, the comment right above a header and the one above a key moving with them.
const BANNERS_SORTED: &str = r#"# Acme roles.
# Kept by the platform team.

[project]
name = "acme"    # the proto package

[entities.org]
description = "An organization"

# === Docs ===

[permissions.view_docs]   # everyone reads
id = 3
description = "View documents"

[permissions.edit_docs]
id = 4
description = "Edit documents"

# === Billing ===
# Money moves here.

[permissions.pay]
# the oldest permission
id = 1
description = "Pay an invoice"

# Refunds need two people.
[permissions.refund]
id = 2
description = "Refund a payment"

[roles.admin]
id = 1
description = "Administers"
permissions = ["pay", "refund", "edit_docs"]
includes = ["reader"]

[roles.reader]
id = 2
description = "Reads"
permissions = [
    "view_docs",   # the one thing readers do
]

# The end.
"#;

#[test]
fn fmt_keeps_the_files_order_and_every_comment_where_it_is() {
    let (tmp, path) = project(BANNERS);
    role_gen(tmp.path()).arg("validate").assert().success();
    role_gen(tmp.path()).arg("fmt").assert().success().stdout("formatted roles.toml\n");
    assert_eq!(read(&path), BANNERS_FMT);
    assert_eq!(comments(&read(&path)), comments(BANNERS));
    role_gen(tmp.path()).arg("fmt").assert().success().stdout("roles.toml is already formatted\n");
}

#[test]
fn fmt_sort_orders_inside_the_groups_banners_head() {
    let (tmp, path) = project(BANNERS);
    role_gen(tmp.path()).args(["fmt", "--sort", "--check"]).assert().code(1);
    assert_eq!(read(&path), BANNERS, "--check writes nothing");
    role_gen(tmp.path()).args(["fmt", "--sort"]).assert().success();
    assert_eq!(read(&path), BANNERS_SORTED);
    let (mut sorted, mut original) = (comments(&read(&path)), comments(BANNERS));
    sorted.sort();
    original.sort();
    assert_eq!(sorted, original, "no comment lost");
    role_gen(tmp.path()).args(["fmt", "--sort", "--check"]).assert().success();
    assert_formatted(tmp.path());
}

#[test]
fn fmt_sort_brings_sections_together_with_their_banners() {
    let text = "[project]\nname = \"x\"\n\n# ---- Roles ----\n\n[roles.r]\nid = 1\ndescription = \"R\"\npermissions = [\"b\", \"a\"]\n\n# ---- Permissions ----\n\n[permissions.b]\nid = 2\ndescription = \"B\"\n\n[permissions.a]\nid = 1\ndescription = \"A\"\n";
    let (tmp, path) = project(text);
    assert_formatted(tmp.path());
    role_gen(tmp.path()).args(["fmt", "--sort"]).assert().success();
    assert_eq!(
        read(&path),
        "[project]\nname = \"x\"\n\n# ---- Permissions ----\n\n[permissions.a]\nid = 1\ndescription = \"A\"\n\n[permissions.b]\nid = 2\ndescription = \"B\"\n\n# ---- Roles ----\n\n[roles.r]\nid = 1\ndescription = \"R\"\npermissions = [\"b\", \"a\"]\n"
    );
}

#[test]
fn fmt_drops_repeated_entries_and_keeps_their_comments() {
    let text = r#"[project]
name = "x"

[output]
targets = ["json", "json"]

[entities.org]
description = "O"

[permissions.a]
id = 1
description = "A"
entities = ["org", "org"]

[permissions.b]
id = 2
description = "B"

[roles.viewer]
id = 1
description = "V"
permissions = ["a"]

[roles.admin]
id = 2
description = "Adm"
permissions = [
  "a",   # first
  "b",
  # asked for twice (ticket 7)
  "a",   # again
]
includes = ["viewer", "viewer"]
assignable_on = ["org", "org"]

[reserved]
permission_ids = [9, 9]
permission_names = ["gone", "gone"]

[[tests]]
roles = ["admin", "admin"]
allow = ["a", "b", "a"]
"#;
    let (tmp, path) = project(text);
    role_gen(tmp.path()).arg("validate").assert().success();
    role_gen(tmp.path()).args(["fmt", "--check"]).assert().code(1);
    role_gen(tmp.path()).arg("fmt").assert().success();
    let formatted = read(&path);
    for line in [
        "targets = [\"json\"]\n",
        "entities = [\"org\"]\n",
        "permissions = [\n  \"a\",   # first\n  \"b\",\n  # asked for twice (ticket 7)\n  # again\n]\n",
        "includes = [\"viewer\"]\n",
        "assignable_on = [\"org\"]\n",
        "permission_ids = [9]\npermission_names = [\"gone\"]\n",
        "roles = [\"admin\"]\nallow = [\"a\", \"b\"]\n",
    ] {
        assert!(formatted.contains(line), "{line:?} in\n{formatted}");
    }
    assert_eq!(comments(&formatted), comments(text), "no comment lost");
    role_gen(tmp.path()).arg("validate").assert().success();
    role_gen(tmp.path()).arg("test").assert().success();
    assert_formatted(tmp.path());
}

/// Long names: five of them overflow a 100-column line.
const LONG: &str = r#"[project]
name = "shop"

[entities.organization]
description = "An organization"

[entities.workspace]
description = "A workspace"
parent = "organization"

[permissions.view_documents]
id = 1
description = "View"

[permissions.edit_documents]
id = 2
description = "Edit"

[permissions.pay_invoices]
id = 3
description = "Pay"

[permissions.refund_payments]
id = 4
description = "Refund"

[permissions.export_everything]
id = 5
description = "Export"

[roles.reader]
id = 1
description = "Reads"
permissions = ["view_documents"]

[roles.admin]
id = 2
description = "Administers"
permissions = []
includes = ["reader"]
"#;

#[test]
fn grant_of_five_permissions_leaves_the_file_formatted() {
    let (tmp, path) = project(LONG);
    assert_formatted(tmp.path());
    role_gen(tmp.path())
        .args(["grant", "admin", "edit_documents", "pay_invoices", "refund_payments", "export_everything"])
        .args(["view_documents"])
        .assert()
        .success();
    assert!(
        read(&path).contains("permissions = [\n  \"edit_documents\",\n  \"pay_invoices\",\n  \"refund_payments\",\n  \"export_everything\",\n  \"view_documents\",\n]\n"),
        "{}",
        read(&path)
    );
    assert_formatted(tmp.path());
    role_gen(tmp.path())
        .args(["revoke", "admin", "pay_invoices", "refund_payments", "view_documents"])
        .assert()
        .success();
    assert!(read(&path).contains("permissions = [\"edit_documents\", \"export_everything\"]\n"), "{}", read(&path));
    assert_formatted(tmp.path());
}

#[test]
fn every_edit_of_a_formatted_file_leaves_it_formatted() {
    let (tmp, path) = project(LONG);
    let all = ["view_documents", "edit_documents", "pay_invoices", "refund_payments", "export_everything"];
    let mut add_role = vec!["add", "role", "owner", "--description", "Owns", "--include", "admin"];
    for p in all {
        add_role.extend(["--permission", p]);
    }
    let steps: Vec<Vec<&str>> = vec![
        add_role,
        vec![
            "add",
            "permission",
            "archive_everything",
            "--description",
            "Archive",
            "--grant",
            "owner",
            "--grant",
            "admin",
        ],
        vec![
            "add",
            "permission",
            "audit",
            "--description",
            "Audit",
            "--entity",
            "organization",
            "--entity",
            "workspace",
        ],
        vec!["add", "entity", "project_folder_with_a_long_name", "--description", "F", "--parent", "workspace"],
        vec!["deprecate", "permission", "audit", "--reason", "use archive_everything"],
        vec!["remove", "permission", "pay_invoices", "--force"],
        vec!["remove", "role", "admin", "--force"],
        vec!["remove", "role", "reader", "--force"],
        vec!["remove", "permission", "audit"],
    ];
    for step in &steps {
        role_gen(tmp.path()).args(step).assert().success();
        role_gen(tmp.path())
            .args(["fmt", "--check"])
            .assert()
            .success()
            .stdout(predicate::str::contains("already formatted"));
        assert!(read(&path).lines().all(|l| l.len() <= 100), "after {step:?}:\n{}", read(&path));
    }
    assert!(!read(&path).contains("includes"), "{}", read(&path));
}

#[test]
fn an_array_laid_out_by_hand_keeps_its_layout() {
    let text = LONG.replace("permissions = [\"view_documents\"]", "permissions = [\n    \"view_documents\"\n]");
    let (tmp, path) = project(&text);
    role_gen(tmp.path()).args(["grant", "reader", "edit_documents"]).assert().success();
    assert!(
        read(&path).contains("permissions = [\n    \"view_documents\",\n    \"edit_documents\"\n]\n"),
        "{}",
        read(&path)
    );
}

#[test]
fn remove_role_force_drops_the_includes_it_empties_but_not_a_comment() {
    let text = format!(
        "{LONG}\n[roles.editor]\nid = 3\ndescription = \"Edits\"\npermissions = [\"edit_documents\"]\nincludes = [\"reader\"]   # editors read too\n\n[[tests]]\nroles = [\"reader\"]\nallow = [\"view_documents\"]\n\n[[tests]]\nrole = \"editor\"\ncovers = [\"reader\"]\nallow = [\"edit_documents\"]\n"
    );
    let (tmp, path) = project(&text);
    assert_formatted(tmp.path());
    role_gen(tmp.path())
        .args(["remove", "role", "reader", "--force"])
        .assert()
        .success()
        .stdout(predicate::str::contains("test 1 (`roles`; the test held only this role and is dropped with it)"))
        .stdout(predicate::str::contains("kept the empty `includes` of role editor: a comment is written on it"));
    let after = read(&path);
    assert!(after.contains("[roles.admin]\nid = 2\ndescription = \"Administers\"\npermissions = []\n\n"), "{after}");
    assert!(after.contains("includes = []   # editors read too\n"), "{after}");
    assert!(after.contains("[[tests]]\nrole = \"editor\"\nallow = [\"edit_documents\"]\n"), "{after}");
    assert_eq!(after.matches("[[tests]]").count(), 1, "{after}");
    role_gen(tmp.path()).arg("validate").assert().success();
    assert_formatted(tmp.path());
}

#[test]
fn a_comment_hanging_below_a_table_stays_with_it_when_an_entry_is_added_after_it() {
    let text = "[project]\nname = \"x\"\n\n[permissions.a]\nid = 1\ndescription = \"A\"\n# group = \"docs\"   (not yet)\n\n[roles.r]\nid = 1\ndescription = \"R\"\npermissions = [\"a\"]\n# includes = [\"viewer\"]\n";
    let (tmp, path) = project(text);
    assert_formatted(tmp.path());
    role_gen(tmp.path()).args(["add", "permission", "b", "--description", "B", "--grant", "r"]).assert().success();
    role_gen(tmp.path()).args(["add", "role", "s", "--description", "S"]).assert().success();
    assert_eq!(
        read(&path),
        "[project]\nname = \"x\"\n\n[permissions.a]\nid = 1\ndescription = \"A\"\n# group = \"docs\"   (not yet)\n\n[permissions.b]\nid = 2\ndescription = \"B\"\n\n[roles.r]\nid = 1\ndescription = \"R\"\npermissions = [\"a\", \"b\"]\n# includes = [\"viewer\"]\n\n[roles.s]\nid = 2\ndescription = \"S\"\npermissions = []\n"
    );
    assert_formatted(tmp.path());
}
