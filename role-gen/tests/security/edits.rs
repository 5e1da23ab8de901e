//! Edits under contention and on files with a mode, an owner or a BOM: no edit is lost, and the
//! file keeps what it had.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

use assert_cmd::cargo::CommandCargoExt as _;
use predicates::prelude::*;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A folder holding a copy of the Slack example as roles.toml.
fn slack() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("roles.toml");
    fs::copy(workspace().join("definitions/slack/roles.toml"), &path).expect("copy");
    (tmp, path)
}

fn role_gen(dir: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("role-gen").expect("binary");
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

/// Starts `role-gen ARGS` in `dir` without waiting for it.
fn spawn(dir: &Path, args: &[&str]) -> Child {
    std::process::Command::cargo_bin("role-gen")
        .expect("binary")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn role-gen")
}

/// Waits for `child`; asserts it succeeded and returns its stdout.
fn succeeded(child: Child, what: &str) -> String {
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{what}: exit {:?}\n{stderr}", out.status.code());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The validated project at `path` (panics with the diagnostics when invalid).
fn load(path: &Path) -> role_gen::Project {
    let bytes = fs::read(path).expect("read roles.toml");
    role_gen::Project::from_bytes(path, &bytes).unwrap_or_else(|d| panic!("roles.toml is invalid:\n{d}"))
}

fn grants(project: &role_gen::Project, role: &str, permission: &str) -> bool {
    let model = project.model();
    let (Some(r), Some(p)) = (model.role(role), model.permission(permission)) else { return false };
    model.roles()[r].permissions.contains(&p)
}

#[test]
fn a_grant_and_an_add_at_the_same_moment_both_land() {
    let (tmp, path) = slack();
    let dir = tmp.path();
    // Each round grants what the previous one added, so every grant is a real change.
    let mut granted = "archive_channel".to_string();
    for round in 0..50 {
        let added = format!("extra_{round}");
        let add = spawn(dir, &["add", "permission", &added, "--description", "An extra permission"]);
        let grant = spawn(dir, &["grant", "role_viewer", &granted]);
        succeeded(add, &format!("round {round}: add permission {added}"));
        succeeded(grant, &format!("round {round}: grant role_viewer {granted}"));
        let project = load(&path);
        assert!(project.model().permission(&added).is_some(), "round {round}: permission {added} was lost");
        assert!(grants(&project, "role_viewer", &granted), "round {round}: the grant of {granted} was lost");
        granted = added;
    }
}

#[test]
fn two_adds_at_the_same_moment_get_distinct_ids_and_both_land() {
    let (tmp, path) = slack();
    let dir = tmp.path();
    for round in 0..10 {
        let (a, b) = (format!("left_{round}"), format!("right_{round}"));
        let left = spawn(dir, &["add", "permission", &a, "--description", "Left"]);
        let right = spawn(dir, &["add", "permission", &b, "--description", "Right"]);
        let (said_a, said_b) = (succeeded(left, &a), succeeded(right, &b));
        let project = load(&path);
        let model = project.model();
        let (Some(pa), Some(pb)) = (model.permission(&a), model.permission(&b)) else {
            panic!("round {round}: one of {a}, {b} was lost:\n{said_a}{said_b}")
        };
        let (ida, idb) = (model.permissions()[pa].id, model.permissions()[pb].id);
        assert_ne!(ida, idb, "round {round}: both got id {ida}");
        assert!(said_a.contains(&format!("(id {ida})")), "round {round}: {said_a}");
        assert!(said_b.contains(&format!("(id {idb})")), "round {round}: {said_b}");
    }
    role_gen(dir).arg("validate").assert().success();
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    fs::metadata(path).expect("stat").permissions().mode() & 0o7777
}

#[cfg(unix)]
fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt as _;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

#[cfg(unix)]
#[test]
fn an_edit_keeps_the_files_mode() {
    let (tmp, path) = slack();
    chmod(&path, 0o640);
    role_gen(tmp.path()).args(["grant", "role_viewer", "archive_channel"]).assert().success();
    assert_eq!(mode(&path), 0o640);
    chmod(&path, 0o600);
    role_gen(tmp.path()).args(["add", "permission", "export_data", "--description", "Export"]).assert().success();
    assert_eq!(mode(&path), 0o600);
}

/// As root, hand the file to another user and group, edit it, and expect it to stay theirs.
/// (As anyone else the file cannot be given away, and the edit must keep the owner it has.)
#[cfg(unix)]
#[test]
fn an_edit_keeps_the_files_owner_and_group() {
    use std::os::unix::fs::MetadataExt as _;
    let (tmp, path) = slack();
    let me = fs::metadata(&path).expect("stat");
    let owner = if me.uid() == 0 {
        std::os::unix::fs::chown(&path, Some(4321), Some(4322)).expect("chown");
        (4321, 4322)
    } else {
        (me.uid(), me.gid())
    };
    role_gen(tmp.path()).args(["grant", "role_viewer", "archive_channel"]).assert().success();
    let after = fs::metadata(&path).expect("stat");
    assert_eq!((after.uid(), after.gid()), owner);
    assert!(fs::read_to_string(&path).expect("read").contains("archive_channel"));
}

#[test]
fn an_edit_keeps_a_byte_order_mark_and_is_applied() {
    const BOM: &str = "\u{feff}";
    let (plain, plain_path) = slack();
    let (tmp, path) = slack();
    fs::write(&path, format!("{BOM}{}", fs::read_to_string(&path).expect("read"))).expect("write");
    for dir in [plain.path(), tmp.path()] {
        role_gen(dir).args(["add", "permission", "export_data", "--description", "Export"]).assert().success();
    }
    // The very edit of the file without a BOM, behind the BOM: applied, and nothing else changed.
    let edited = fs::read_to_string(&plain_path).expect("read");
    assert!(edited.contains("[permissions.export_data]"));
    let after = fs::read_to_string(&path).expect("read");
    assert!(after.starts_with(BOM), "the BOM was dropped");
    assert!(after == format!("{BOM}{edited}"), "the edit behind the BOM differs from the edit without one");
    assert!(load(&path).model().permission("export_data").is_some());
    role_gen(tmp.path()).args(["fmt", "--check"]).assert().success();
}

/// A file nobody may write is refused with a usage error (exit 2), byte for byte untouched,
/// whoever runs the edit: root could open it, but the mode says it is not to be edited.
#[cfg(unix)]
#[test]
fn a_read_only_file_is_refused_and_left_as_it_is() {
    let (tmp, path) = slack();
    let before = fs::read(&path).expect("read");
    chmod(&path, 0o444);
    role_gen(tmp.path())
        .args(["grant", "role_viewer", "archive_channel"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot edit `").and(predicate::str::contains("read-only")));
    role_gen(tmp.path()).args(["add", "permission", "export_data", "--description", "Export"]).assert().code(2);
    assert_eq!(fs::read(&path).expect("read"), before);
    assert_eq!(mode(&path), 0o444);
    // Reading commands and `fmt --check` still work on it.
    role_gen(tmp.path()).args(["fmt", "--check"]).assert().success();
    role_gen(tmp.path()).arg("validate").assert().success();
}
