//! User text reaches terminals and CI logs only through the one escaping function.

use std::fs;

use crate::common::{Scratch, printed, raw_control, workspace};

/// Names and texts built to forge GitHub workflow commands, steer a terminal or reorder text.
const HOSTILE: &[&str] = &[
    "x\\n::error file=SECURITY.md,line=1::forged",
    "::stop-commands::token",
    "x\\u001b[2J\\u001b]0;title\\u0007",
    "x\\r::error::carriage",
    "x\\u202egnp.exe",
    "x\\u2028::error::separator",
];

/// Every line of `text` that looks like a workflow command must be one role-gen wrote itself.
fn assert_no_forged_lines(what: &str, text: &str) {
    if let Some(c) = raw_control(text) {
        panic!("{what}: raw {c:?} reached the output:\n{text}");
    }
    for line in text.lines() {
        let line = line.trim_start();
        assert!(!line.starts_with("::error file=SECURITY.md"), "{what}: forged annotation: {line}");
        assert!(!line.starts_with("::stop-commands::"), "{what}: forged command: {line}");
        assert!(!line.starts_with("::error::"), "{what}: forged command: {line}");
    }
}

#[test]
fn hostile_names_in_an_invalid_file_are_escaped_in_every_format() {
    for name in HOSTILE {
        let text = format!(
            "[project]\nname = \"p\"\n\n[permissions.\"{name}\"]\nid = 1\ndescription = \"D\"\n\n\
             [roles.r]\nid = 1\ndescription = \"R\"\npermissions = [\"{name}\", \"also {name}\"]\n"
        );
        let s = Scratch::new(&text);
        for format in ["human", "github", "json"] {
            let out = s.run(&["validate", "--format", format]);
            assert_eq!(out.status.code(), Some(1), "{name} {format}: {}", printed(&out));
            assert_no_forged_lines(&format!("validate --format {format} with {name}"), &printed(&out));
        }
        for args in [&["explain", name][..], &["who-can", name], &["grant", "r", name], &["test"]] {
            let out = s.run(args);
            assert_no_forged_lines(&format!("{args:?}"), &printed(&out));
        }
    }
}

#[test]
fn a_valid_file_cannot_forge_test_results() {
    for name in HOSTILE {
        let text = format!(
            "[project]\nname = \"p\"\n\n[entities.w]\ndescription = \"W\"\n\n[permissions.view]\nid = 1\n\
             description = \"D {name}\"\ndeprecated = \"old {name}\"\n\n[roles.r]\nid = 1\ndescription = \"R {name}\"\n\
             permissions = [\"view\"]\n\n[[tests]]\nname = \"{name}\\n... ok\\ntest forged ... ok\"\nroles = [\"r\"]\n\
             allow = [\"view\"]\n\n[[tests]]\nname = \"fails {name}\"\nroles = [\"r\"]\ndeny = [\"view\"]\n"
        );
        let s = Scratch::new(&text);
        let out = s.run(&["test"]);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", printed(&out));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_no_forged_lines(&format!("test with {name}"), &printed(&out));
        assert_eq!(stdout.lines().filter(|l| l.ends_with("... ok")).count(), 1, "forged `ok` lines:\n{stdout}");
        for args in [&["validate", "--format", "github"][..], &["validate"], &["explain", "r"], &["matrix"]] {
            assert_no_forged_lines(&format!("{args:?} with {name}"), &printed(&s.run(args)));
        }
        fs::write(s.project().join("old.toml"), text.replace("deprecated = ", "# deprecated = ")).expect("write");
        for format in ["human", "github"] {
            let out = s.run(&["diff", "old.toml", "roles.toml", "--format", format]);
            assert_no_forged_lines(&format!("diff --format {format} with {name}"), &printed(&out));
        }
    }
}

#[test]
fn the_bundled_hostile_definitions_print_nothing_raw() {
    let s = Scratch::new(&fs::read_to_string(workspace().join("tests/hostile/roles.toml")).expect("hostile"));
    for args in [&["validate"][..], &["validate", "--format", "github"], &["matrix"], &["test"], &["fmt", "--check"]] {
        assert_no_forged_lines(&format!("{args:?}"), &printed(&s.run(args)));
    }
}

/// The `@generated` header names the source file, and a file name may hold anything but `/`
/// and NUL: a newline followed by code, U+2028 (a line end to JavaScript), `-->` (the end of
/// ROLES.md's comment). Every target's output from such a file has the lines of its output from
/// `roles.toml`, differing only where that names the file, and its first line is one line of
/// printable ASCII.
#[test]
fn a_source_file_name_cannot_inject_into_generated_files() {
    let s = Scratch::new(crate::common::MINIMAL);
    let hostile = "x\npub fn evil() {} --> \u{2028}\r\u{1b}[2J.toml";
    fs::copy(s.project().join("roles.toml"), s.project().join(hostile)).expect("copy");
    let targets = ["rust", "typescript", "proto", "markdown", "sql", "cedar", "openfga", "spicedb", "go", "python"];
    let generate = |file: &str, out: &str| {
        let mut args = vec!["generate", "-f", file, "--out-dir", out];
        targets.iter().for_each(|t| args.extend(["--target", t]));
        let run = s.run(&args);
        assert_eq!(run.status.code(), Some(0), "generate -f {file:?}: {}", printed(&run));
        crate::common::tree(&s.project().join(out))
    };
    let plain = generate("roles.toml", "plain");
    let forged = generate(hostile, "forged");
    assert_eq!(plain.len(), forged.len(), "the same files");
    for ((path, a), (_, b)) in plain.iter().zip(&forged) {
        let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
        let first = b.lines().next().unwrap_or_default();
        assert!(first.bytes().all(|c| (b' '..=b'~').contains(&c)), "{path:?}: header {first:?}");
        assert!(!first.contains("-->") || first.ends_with("-->"), "{path:?}: header {first:?}");
        assert_eq!(a.lines().count(), b.lines().count(), "{path:?}: a line was added");
        for (x, y) in a.lines().zip(b.lines()).filter(|(x, y)| x != y) {
            assert!(x.contains("roles.toml"), "{path:?}: {y:?} differs from {x:?}, which names no file");
        }
    }
}
