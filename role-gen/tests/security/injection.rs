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
