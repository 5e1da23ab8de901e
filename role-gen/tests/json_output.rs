//! Every `--format json` output, byte for byte, against transcripts recorded from the hand-rolled
//! JSON that came before the serde views: validate, explain, who-can, matrix, test and diff on the
//! examples, the hostile and edge definitions and both corpora.
//!
//! A transcript that differs is written to `target/json-transcripts/` for `diff -u`; the recorded
//! one under `tests/json/` is the contract and is never rewritten by a test.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

/// `role-gen ARGS` in `dir`: a transcript entry with the command, stdout and exit code.
fn entry(out: &mut String, dir: &Path, args: &[&str]) -> String {
    let run = Command::cargo_bin("role-gen")
        .expect("binary")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("run");
    let stdout = String::from_utf8(run.stdout).expect("utf-8 stdout");
    let _ = writeln!(out, "$ role-gen {}\n{stdout}exit: {:?}", args.join(" "), run.status.code());
    stdout
}

/// Names from a `matrix --format json` output: (roles, permissions).
fn names(matrix: &str) -> (Vec<String>, Vec<String>) {
    let value: serde_json::Value = serde_json::from_str(matrix).expect("matrix json");
    let list = |v: &serde_json::Value| -> Vec<String> {
        v.as_array().expect("array").iter().filter_map(|s| s.as_str().map(str::to_string)).collect()
    };
    let roles = value["roles"].as_array().expect("roles").iter().map(|r| r["role"].as_str().expect("name").to_string());
    (roles.collect(), list(&value["permissions"]))
}

/// How many roles `explain` and permissions `who-can` are asked about per definition: names are
/// snake_case, so more show nothing new about the JSON, only make the transcript longer.
const QUESTIONS: usize = 12;

/// Every JSON output of one valid definition.
fn definition(dir: &Path, file: &str) -> String {
    let mut out = String::new();
    entry(&mut out, dir, &["validate", "--format", "json", "-f", file]);
    let matrix = entry(&mut out, dir, &["matrix", "--format", "json", "-f", file]);
    entry(&mut out, dir, &["test", "--format", "json", "-f", file]);
    let (roles, permissions) = names(&matrix);
    for role in roles.iter().take(QUESTIONS) {
        entry(&mut out, dir, &["explain", role, "--format", "json", "-f", file]);
    }
    for permission in permissions.iter().take(QUESTIONS) {
        entry(&mut out, dir, &["who-can", permission, "--format", "json", "-f", file]);
    }
    out
}

/// `validate --format json` of every file of a corpus.
fn corpus(dir: &Path) -> String {
    let mut files: Vec<String> = fs::read_dir(dir)
        .expect("corpus")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    files.sort();
    let mut out = String::new();
    for file in &files {
        entry(&mut out, dir, &["validate", "--format", "json", "-f", file]);
    }
    out
}

/// The hostile definition with a permission deprecated for a hostile reason and a failing test:
/// warnings, diff findings and test results that quote control characters and bidi controls.
fn hostile_changed(dir: &Path) -> PathBuf {
    let text = fs::read_to_string(workspace().join("tests/hostile/roles.toml")).expect("hostile");
    let reason = "deprecated = \"NUL\\u0000 BS\\b FF\\f VT\\u000B DEL\\u007F NEL\\u0085 RLO\\u202E LS\\u2028 \\\"q\\\" \\\\ 🔥\"\n";
    let mut changed = text.replacen("[permissions.window]\n", &format!("[permissions.window]\n{reason}"), 1);
    changed.push_str("\n[[tests]]\nroles = [\"self\"]\ndeny = [\"self\", \"fn\"]\nallow = [\"window\"]\n");
    let path = dir.join("hostile-changed.toml");
    fs::write(&path, changed).expect("write");
    path
}

/// `diff --format json` between pairs of definitions, both ways: the examples (breaking changes,
/// grants and revocations), and the hostile definition against itself changed (findings quoting
/// hostile text).
fn diffs() -> String {
    let ws = workspace();
    let tmp = tempfile::tempdir().expect("tempdir");
    let changed = hostile_changed(tmp.path());
    let pairs = [
        (ws.join("definitions/minimal/roles.toml"), ws.join("definitions/slack/roles.toml")),
        (ws.join("tests/edge/empty.toml"), ws.join("definitions/minimal/roles.toml")),
        (ws.join("tests/hostile/roles.toml"), changed),
    ];
    let mut out = String::new();
    for (one, other) in &pairs {
        for (old, new) in [(one, other), (other, one)] {
            entry(&mut out, &ws, &["diff", &shown(&ws, old), &shown(&ws, new), "--format", "json"]);
        }
    }
    out.replace(&tmp.path().display().to_string(), "$TMP")
}

fn shown(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).display().to_string()
}

/// Compares with the recorded transcript; a difference is written beside the target folder.
fn matches_recorded(name: &str, actual: &str) {
    let recorded = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/json").join(format!("{name}.txt"));
    let expected = fs::read_to_string(&recorded).unwrap_or_default();
    if expected != actual {
        let dir = workspace().join("target/json-transcripts");
        fs::create_dir_all(&dir).expect("mkdir");
        fs::write(dir.join(format!("{name}.txt")), actual).expect("write");
        panic!("`{name}` JSON differs from {}; see target/json-transcripts/{name}.txt", recorded.display());
    }
}

#[test]
fn the_examples_json_is_unchanged() {
    let ws = workspace();
    matches_recorded("slack", &definition(&ws.join("definitions/slack"), "roles.toml"));
    matches_recorded("minimal", &definition(&ws.join("definitions/minimal"), "roles.toml"));
}

#[test]
fn the_hostile_and_edge_json_is_unchanged() {
    let ws = workspace();
    matches_recorded("hostile", &definition(&ws.join("tests/hostile"), "roles.toml"));
    let tmp = tempfile::tempdir().expect("tempdir");
    hostile_changed(tmp.path());
    matches_recorded("hostile-changed", &definition(tmp.path(), "hostile-changed.toml"));
    let mut edge = String::new();
    for file in ["empty.toml", "policies_predicates_only.toml", "policies_without_legacy.toml"] {
        edge.push_str(&definition(&ws.join("tests/edge"), file));
    }
    matches_recorded("edge", &edge);
}

#[test]
fn the_corpora_json_is_unchanged() {
    let ws = workspace();
    matches_recorded("invalid", &corpus(&ws.join("tests/invalid")));
    matches_recorded("warnings", &corpus(&ws.join("tests/warnings")));
}

#[test]
fn the_diff_json_is_unchanged() {
    matches_recorded("diff", &diffs());
}
