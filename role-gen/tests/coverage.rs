//! `test --coverage`: what the `[[tests]]` leave unexercised, in text, JSON and lcov, and
//! `--min-coverage`'s exit codes.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn slack() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../definitions/slack/roles.toml")
}

fn role_gen() -> Command {
    let mut cmd = Command::cargo_bin("role-gen").expect("binary");
    cmd.env("NO_COLOR", "1");
    cmd
}

/// Two roles (`admin` includes `viewer`), three permissions, a policy asking two predicates,
/// and tests that leave something of every kind unexercised.
const GAPS: &str = r#"[project]
name = "docs"

[entities.doc]
description = "A document"

[permissions.read]
id = 1
description = "Read it"

[permissions.edit]
id = 2
description = "Edit it"

[permissions.share]
id = 3
description = "Share it"

[roles.viewer]
id = 1
description = "Reads"
permissions = ["read"]

[roles.admin]
id = 2
description = "Runs it"
permissions = ["edit", "share"]
includes = ["viewer"]

[legacy]
levels = ["guest", "owner"]

[policies.edit_doc]
id = 1
description = "May edit"
entity = "doc"
rules = [
  { deny_if_legacy = ["guest"] },
  { deny_if = "locked" },
  { allow_if_permission = "edit" },
  { allow_if = "author" },
]

[predicates.locked]
description = "The document is locked"

[[tests]]
roles = ["admin"]
allow = ["read", "edit"]

[[tests]]
policy = "edit_doc"
roles = ["admin"]
predicates = { locked = false }
expect = "allow"

[[tests]]
policy = "edit_doc"
roles = []
predicates = { locked = true }
expect = "deny"
"#;

/// The 1-based line of the first line of `text` starting with `start`.
fn line_of(text: &str, start: &str) -> usize {
    text.lines().position(|l| l.starts_with(start)).map(|i| i + 1).expect(start)
}

/// A folder holding `text` as roles.toml.
fn project(text: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    fs::write(tmp.path().join("roles.toml"), text).expect("write");
    tmp
}

/// `role-gen ARGS` in `dir`: (exit code, stdout, stderr).
fn run(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = role_gen().current_dir(dir).args(args).output().expect("run");
    let text = |b: Vec<u8>| String::from_utf8(b).expect("utf-8");
    (out.status.code(), text(out.stdout), text(out.stderr))
}

#[test]
fn the_text_report_names_each_gap_at_its_line() {
    let tmp = project(GAPS);
    let (code, stdout, _) = run(tmp.path(), &["test", "--coverage"]);
    assert_eq!(code, Some(0), "{stdout}");
    let at = |start: &str, column: usize| format!("roles.toml:{}:{column}", line_of(GAPS, start));
    let expected = [
        "3 tests in roles.toml: 3 passed, 0 failed\n\ncoverage of roles.toml by 3 tests:\n".to_string(),
        "  roles          1/2   50.0%\n".into(),
        "  permissions    2/3   66.6%\n".into(),
        "  policy rules   2/5   40.0%\n".into(),
        "  predicates     1/2   50.0%\n".into(),
        "  overall       6/12   50.0%\n".into(),
        "not exercised:\n".into(),
        format!("  {} role `viewer`: no test holds it\n", at("[roles.viewer]", 8)),
        format!("  {} permission `share`: no test lists it in `allow` or `deny`\n", at("[permissions.share]", 14)),
        format!(
            "  {} the default deny of policy `edit_doc`: no test reaches it (a rule decides every test)\n",
            at("[policies.edit_doc]", 11)
        ),
        format!(
            "  {} rule 1 of policy `edit_doc` (`deny_if_legacy [guest]`): decides no test\n",
            at("  { deny_if_legacy", 3)
        ),
        format!("  {} rule 4 of policy `edit_doc` (`allow_if author`): decides no test\n", at("  { allow_if = ", 3)),
        format!("  {} predicate `author`: no test reaches a rule asking about it\n", at("  { allow_if = ", 3)),
    ]
    .concat();
    assert!(stdout.ends_with(&expected), "{stdout}\n---\n{expected}");
    // `text` is `human`; without --coverage, no report.
    let (_, text, _) = run(tmp.path(), &["test", "--coverage", "--format", "text"]);
    assert_eq!(text, stdout);
    let (_, plain, _) = run(tmp.path(), &["test"]);
    assert!(!plain.contains("coverage"), "{plain}");
}

#[test]
fn a_predicate_read_one_way_only_says_which() {
    let text = format!("{GAPS}\n[[tests]]\npolicy = \"edit_doc\"\nroles = []\nexpect = \"deny\"\n");
    let tmp = project(&text);
    let (_, stdout, _) = run(tmp.path(), &["test", "--coverage", "-q"]);
    let locked = line_of(&text, "[predicates.locked]");
    // `locked` is read true by test 3 and false by tests 2 and 4: covered. `author` is read
    // false by test 4 only (no rule before it fires).
    assert!(!stdout.contains("predicate `locked`"), "{stdout}");
    let author = line_of(&text, "  { allow_if = ");
    assert!(
        stdout.contains(&format!("roles.toml:{author}:3 predicate `author`: never read true (read false by 1 test)")),
        "{stdout}"
    );
    assert!(!stdout.contains(&format!(":{locked}:")), "{stdout}");
    // -q keeps the report (the answer asked for) and drops the passing tests.
    assert!(stdout.starts_with("coverage of roles.toml by 4 tests:\n"), "{stdout}");
}

#[test]
fn min_coverage_holds_every_kind_to_the_minimum() {
    let tmp = project(GAPS);
    // Overall 50%, rules 40%: 45 fails on the rules alone.
    let (code, stdout, _) = run(tmp.path(), &["test", "--min-coverage", "45"]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains("coverage of roles.toml by 3 tests:"), "--min-coverage implies the report: {stdout}");
    assert!(stdout.ends_with("coverage below the minimum of 45%: policy rules 40.0%\n"), "{stdout}");
    let (code, stdout, _) = run(tmp.path(), &["test", "--coverage", "--min-coverage", "40"]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.ends_with("every kind meets the minimum coverage of 40%\n"), "{stdout}");
    let (code, stdout, _) = run(tmp.path(), &["test", "--min-coverage", "66.7%"]);
    assert_eq!(code, Some(1));
    assert!(
        stdout.ends_with(
            "below the minimum of 66.7%: roles 50.0%, permissions 66.6%, policy rules 40.0%, predicates 50.0%\n"
        ),
        "{stdout}"
    );
    for bad in ["101", "-1", "most", "NaN", "inf"] {
        let (code, _, stderr) = run(tmp.path(), &["test", &format!("--min-coverage={bad}")]);
        assert_eq!(code, Some(2), "{bad}: {stderr}");
        assert!(stderr.contains("--min-coverage"), "{bad}: {stderr}");
    }
}

#[test]
fn a_failing_test_fails_whatever_the_coverage() {
    let text = GAPS.replace(
        "predicates = { locked = true }\nexpect = \"deny\"",
        "predicates = { locked = true }\nexpect = \"allow\"",
    );
    let tmp = project(&text);
    let (code, stdout, _) = run(tmp.path(), &["test", "--coverage", "--min-coverage", "0"]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains("... FAILED"), "{stdout}");
    assert!(stdout.contains("every kind meets the minimum coverage of 0%"), "{stdout}");
}

fn json(dir: &Path, args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let (code, stdout, stderr) = run(dir, args);
    (code, serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}{stderr}")))
}

#[test]
fn the_json_report_lists_every_item_with_its_tests() {
    let tmp = project(GAPS);
    let (code, v) = json(tmp.path(), &["test", "--format", "json", "--coverage"]);
    assert_eq!(code, Some(0));
    let c = &v["coverage"];
    let lines: Vec<usize> = GAPS.lines().enumerate().filter(|(_, l)| *l == "[[tests]]").map(|(i, _)| i + 1).collect();
    let test = |n: usize| lines[n];
    assert_eq!(
        c["roles"],
        serde_json::json!({"covered": 1, "total": 2, "percent": 50.0, "items": [
            {"name": "viewer", "line": line_of(GAPS, "[roles.viewer]"), "column": 8, "covered": false, "tests": []},
            {"name": "admin", "line": line_of(GAPS, "[roles.admin]"), "column": 8, "covered": true, "tests": [test(0), test(1)]},
        ]})
    );
    assert_eq!(c["permissions"]["percent"], 66.6);
    assert_eq!(
        c["permissions"]["items"][2],
        serde_json::json!({"name": "share", "line": line_of(GAPS, "[permissions.share]"), "column": 14, "covered": false, "tests": []})
    );
    let rules = &c["rules"]["items"];
    assert_eq!(rules.as_array().map(Vec::len), Some(5));
    assert_eq!(
        rules[1],
        serde_json::json!({"policy": "edit_doc", "rule": 2, "name": "deny_if locked", "line": line_of(GAPS, "  { deny_if = "), "column": 3, "covered": true, "tests": [test(2)]})
    );
    assert_eq!(
        rules[4],
        serde_json::json!({"policy": "edit_doc", "rule": null, "name": "default deny", "line": line_of(GAPS, "[policies.edit_doc]"), "column": 11, "covered": false, "tests": []})
    );
    assert_eq!(
        c["predicates"]["items"][0],
        serde_json::json!({"name": "locked", "line": line_of(GAPS, "[predicates.locked]"), "column": 13, "covered": true, "true": [test(2)], "false": [test(1)]})
    );
    assert_eq!(c["overall"], serde_json::json!({"covered": 6, "total": 12, "percent": 50.0}));
    assert_eq!(c["minimum"], serde_json::Value::Null);
    let (code, v) = json(tmp.path(), &["test", "--format", "json", "--min-coverage", "45"]);
    assert_eq!(code, Some(1));
    assert_eq!(v["coverage"]["minimum"], serde_json::json!({"percent": 45.0, "met": false, "below": ["rules"]}));
    assert_eq!(v["failed"], 0);
    let (_, v) = json(tmp.path(), &["test", "--format", "json"]);
    assert!(v.get("coverage").is_none(), "without --coverage the shape is unchanged: {v}");
}

/// One lcov record, parsed: the source file, `DA` (line -> count), `BRDA` (line, block, branch,
/// taken) and the summary counts, each line checked against the format.
#[derive(Debug, Default)]
struct Record {
    source: String,
    lines: Vec<(usize, usize)>,
    branches: Vec<(usize, usize, usize, usize)>,
    found: Option<usize>,
    hit: Option<usize>,
    branches_found: Option<usize>,
    branches_hit: Option<usize>,
}

fn numbers(text: &str, n: usize) -> Vec<usize> {
    let parts: Vec<usize> =
        text.split(',').map(|p| p.parse().unwrap_or_else(|_| panic!("not a count: {text}"))).collect();
    assert_eq!(parts.len(), n, "{text}");
    parts
}

fn parse_lcov(text: &str) -> Vec<Record> {
    let mut records = Vec::new();
    let mut current: Option<Record> = None;
    for line in text.lines() {
        let (key, value) = line.split_once(':').unwrap_or((line, ""));
        if key == "TN" {
            continue;
        }
        if key == "SF" {
            assert!(current.is_none(), "SF inside a record");
            current = Some(Record { source: value.to_string(), ..Record::default() });
            continue;
        }
        let r = current.as_mut().unwrap_or_else(|| panic!("`{line}` outside a record"));
        match key {
            "DA" => {
                let n = numbers(value, 2);
                assert!(r.lines.last().is_none_or(|&(l, _)| l < n[0]), "DA lines ascend, once each: {line}");
                r.lines.push((n[0], n[1]));
            }
            "BRDA" => {
                let n = numbers(value, 4);
                r.branches.push((n[0], n[1], n[2], n[3]));
            }
            "LF" => r.found = Some(numbers(value, 1)[0]),
            "LH" => r.hit = Some(numbers(value, 1)[0]),
            "BRF" => r.branches_found = Some(numbers(value, 1)[0]),
            "BRH" => r.branches_hit = Some(numbers(value, 1)[0]),
            "end_of_record" => records.push(current.take().unwrap_or_default()),
            _ => panic!("unexpected lcov line `{line}`"),
        }
    }
    assert!(current.is_none(), "a record without end_of_record");
    for r in &records {
        assert_eq!(r.found, Some(r.lines.len()), "LF");
        assert_eq!(r.hit, Some(r.lines.iter().filter(|(_, c)| *c > 0).count()), "LH");
        if !r.branches.is_empty() {
            assert_eq!(r.branches_found, Some(r.branches.len()), "BRF");
            assert_eq!(r.branches_hit, Some(r.branches.iter().filter(|b| b.3 > 0).count()), "BRH");
        }
    }
    records
}

#[test]
fn lcov_maps_each_item_to_its_line() {
    let tmp = project(GAPS);
    let (code, stdout, stderr) = run(tmp.path(), &["test", "--format", "lcov"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stderr, "", "passing tests print nothing beside the tracefile");
    let records = parse_lcov(&stdout);
    assert_eq!(records.len(), 1);
    let r = &records[0];
    assert_eq!(r.source, "roles.toml");
    let count = |start: &str| r.lines.iter().find(|(l, _)| *l == line_of(GAPS, start)).map(|(_, c)| *c);
    assert_eq!(count("[roles.viewer]"), Some(0));
    assert_eq!(count("[roles.admin]"), Some(2));
    assert_eq!(count("[permissions.read]"), Some(1));
    assert_eq!(count("[permissions.share]"), Some(0));
    assert_eq!(count("  { deny_if_legacy"), Some(0));
    assert_eq!(count("  { allow_if_permission"), Some(1));
    // Rule 4 and the undeclared `author` share a line: neither is exercised.
    assert_eq!(count("  { allow_if = "), Some(0));
    assert_eq!(count("[policies.edit_doc]"), Some(0), "the default deny");
    assert_eq!(count("[predicates.locked]"), Some(1));
    assert_eq!(r.lines.len(), 11, "{:?}", r.lines);
    let locked = line_of(GAPS, "[predicates.locked]");
    let author = line_of(GAPS, "  { allow_if = ");
    assert_eq!(r.branches, [(locked, 0, 0, 1), (locked, 0, 1, 1), (author, 1, 0, 0), (author, 1, 1, 0)]);
}

#[test]
fn lcov_keeps_stdout_a_tracefile_when_tests_fail_or_coverage_is_short() {
    let text = GAPS.replace("allow = [\"read\", \"edit\"]", "allow = [\"read\", \"edit\"]\ndeny = [\"share\"]");
    let tmp = project(&text);
    let (code, stdout, stderr) = run(tmp.path(), &["test", "--format", "lcov", "--min-coverage", "90"]);
    assert_eq!(code, Some(1));
    parse_lcov(&stdout);
    assert!(stderr.contains("test roles.toml:") && stderr.contains("... FAILED"), "{stderr}");
    assert!(!stderr.contains("... ok"), "{stderr}");
    assert!(stderr.contains("coverage below the minimum of 90%"), "{stderr}");
}

#[test]
fn hostile_paths_are_escaped_in_every_format() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("evil\u{1b}[2J\n::error::x\u{202e}");
    fs::create_dir(&dir).expect("mkdir");
    fs::write(dir.join("roles.toml"), GAPS).expect("write");
    let file = dir.join("roles.toml");
    for format in ["human", "lcov"] {
        let out = role_gen().args(["test", "--coverage", "--format", format, "-f"]).arg(&file).output().expect("run");
        let stdout = String::from_utf8(out.stdout).expect("utf-8");
        assert!(!stdout.contains(['\u{1b}', '\u{202e}']), "{format}: {stdout:?}");
        assert!(stdout.contains("evil\\u{1b}[2J\\u{a}::error::x\\u{202e}"), "{format}: {stdout}");
        assert!(!stdout.lines().any(|l| l.starts_with("::error")), "{format}: {stdout}");
        if format == "lcov" {
            parse_lcov(&stdout);
        } else {
            let viewer = line_of(GAPS, "[roles.viewer]");
            assert!(
                stdout.contains(&format!("\\u{{202e}}/roles.toml:{viewer}:8 role `viewer`: no test holds it")),
                "{stdout}"
            );
        }
    }
}

#[test]
fn the_slack_example_is_covered_entirely() {
    let (code, stdout, _) =
        run(Path::new("."), &["test", "--coverage", "--min-coverage", "100", "-q", "-f", &slack().to_string_lossy()]);
    assert_eq!(code, Some(0), "{stdout}");
    let report = stdout.split_once(":\n").map(|(_, r)| r).unwrap_or_default();
    assert_eq!(
        report,
        "  roles           4/4  100.0%\n  permissions     9/9  100.0%\n  policy rules  20/20  100.0%\n  \
         predicates      3/3  100.0%\n  overall       36/36  100.0%\nevery kind meets the minimum coverage of 100%\n"
    );
    let (_, lcov, _) = run(Path::new("."), &["test", "--format", "lcov", "-f", &slack().to_string_lossy()]);
    let records = parse_lcov(&lcov);
    assert!(records[0].lines.iter().all(|(_, c)| *c > 0), "{lcov}");
    assert_eq!(records[0].hit, Some(36));
}

#[test]
fn lcov_shows_a_line_shared_by_a_covered_and_an_uncovered_item_as_uncovered() {
    // `q` is undeclared, so it is placed at the rule asking it: the rule decides a test, `q` is
    // never read false.
    let text = GAPS.replace("  { allow_if = \"author\" },\n", "  { allow_if = \"q\" },\n")
        + "\n[[tests]]\npolicy = \"edit_doc\"\nroles = []\npredicates = { q = true }\nexpect = \"allow\"\n";
    let tmp = project(&text);
    let (code, stdout, stderr) = run(tmp.path(), &["test", "--format", "lcov"]);
    assert_eq!(code, Some(0), "{stderr}");
    let shared = line_of(&text, "  { allow_if = ");
    let records = parse_lcov(&stdout);
    assert_eq!(records[0].lines.iter().find(|(l, _)| *l == shared), Some(&(shared, 0)), "{stdout}");
    assert!(records[0].branches.contains(&(shared, 1, 0, 1)) && records[0].branches.contains(&(shared, 1, 1, 0)));
    let (_, v) = json(tmp.path(), &["test", "--format", "json", "--coverage"]);
    assert_eq!(v["coverage"]["rules"]["items"][3]["covered"], true);
    assert_eq!(v["coverage"]["predicates"]["items"][1]["covered"], false);
}
