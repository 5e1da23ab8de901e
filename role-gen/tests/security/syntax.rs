//! Syntax errors are reported where they are, with the text as written: a number too large for
//! any integer type, and keys nested past the parser's depth limit (which toml reports without
//! a position).

use std::fs;

use assert_cmd::Command;

/// The one error `role-gen validate --format json` reports for `text`.
fn the_error(text: &str) -> serde_json::Value {
    let tmp = tempfile::tempdir().expect("tempdir");
    fs::write(tmp.path().join("roles.toml"), text).expect("write");
    let out = Command::cargo_bin("role-gen")
        .expect("binary")
        .current_dir(tmp.path())
        .args(["validate", "--format", "json"])
        .output()
        .expect("run role-gen");
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let errors = report["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{errors:#?}");
    errors[0].clone()
}

fn at(error: &serde_json::Value) -> (u64, u64) {
    (error["line"].as_u64().unwrap_or(0), error["column"].as_u64().unwrap_or(0))
}

const HEAD: &str = "[project]\nname = \"x\"\n\n";

fn permission_with_id(id: &str) -> String {
    format!("{HEAD}[permissions.a]\nid = {id}\ndescription = \"A\"\n")
}

#[test]
fn a_huge_id_is_reported_as_written_at_its_place() {
    for written in
        ["99999999999999999999", "-99999999999999999999", "0xffffffffffffffffff", "9_223_372_036_854_775_808"]
    {
        let error = the_error(&permission_with_id(written));
        assert_eq!(error["code"], "id-out-of-range", "{written}: {error}");
        let message = error["message"].as_str().unwrap_or_default();
        assert!(message.contains(&format!("id {written},")), "{written}: {message}");
        assert!(!message.contains("9223372036854775807"), "{written}: {message}");
        assert_eq!(at(&error), (5, 6), "{written}");
        assert!(error["help"].as_str().unwrap_or_default().contains("1..=65535"), "{error}");
    }
}

#[test]
fn a_huge_reserved_id_is_reported_as_written() {
    let error = the_error(&format!("{HEAD}[reserved]\npermission_ids = [7, 123456789012345678901234]\n"));
    assert_eq!(error["code"], "id-out-of-range", "{error}");
    assert!(error["message"].as_str().unwrap_or_default().contains("123456789012345678901234"), "{error}");
    assert_eq!(at(&error), (5, 22));
}

fn dotted(depth: usize) -> String {
    vec!["a"; depth].join(".")
}

/// The error is at the key segment that goes past the limit: on the header's line, not 1:1.
fn assert_too_deep_on(text: &str, line: u64) {
    let error = the_error(text);
    assert_eq!(error["code"], "toml-syntax", "{error}");
    let (l, column) = at(&error);
    assert_eq!(l, line, "{error}");
    assert!(column > 1, "{error}");
}

#[test]
fn a_too_deep_dotted_header_is_reported_on_its_line() {
    let text = format!("{HEAD}[permissions.a]\nid = 1\ndescription = \"A\"\n\n[{}]\n", dotted(200));
    assert_too_deep_on(&text, 8);
    let error = the_error(&text);
    // `[` then 80 parts `a` are allowed; the dot that starts the 81st is where the limit is met.
    assert_eq!(at(&error), (8, 1 + 2 * 80));
}

#[test]
fn a_too_deep_array_of_tables_header_and_dotted_keys_are_reported_on_their_line() {
    assert_too_deep_on(&format!("{HEAD}\n\n[[{}]]\n", dotted(100)), 6);
    assert_too_deep_on(&format!("{HEAD}{} = 1\n", dotted(100)), 4);
    assert_too_deep_on(&format!("{HEAD}x = {{ {} = 1 }}\n", dotted(100)), 4);
    assert_too_deep_on(&format!("{HEAD}[tests]\n\"quoted\".{} = 1\n", dotted(100)), 5);
}

#[test]
fn deeply_nested_inline_values_are_reported_at_the_level_that_is_too_deep() {
    let arrays = format!("{HEAD}x = {}{}\n", "[".repeat(300), "]".repeat(300));
    assert_too_deep_on(&arrays, 4);
    let tables = format!("{HEAD}x = {}1{}\n", "{a=".repeat(300), "}".repeat(300));
    assert_too_deep_on(&tables, 4);
}

#[test]
fn a_too_deep_key_after_multi_line_strings_is_still_found() {
    let text = format!(
        "{HEAD}[permissions.a]\nid = 1\ndescription = \"\"\"\nA [{}]\nlong one\"\"\"\n\n[{}]\n",
        dotted(100),
        dotted(100)
    );
    assert_too_deep_on(&text, 10);
}
