//! A closed pipe and hostile templates end in an error, never a panic or an abort.

use std::fmt::Write as _;
use std::fs;
use std::io::Read as _;
use std::process::{Command, Stdio};

use assert_cmd::cargo::CommandCargoExt as _;

use crate::common::{MINIMAL, Scratch, printed, tree};

/// A valid file with a large matrix (enough output to fill any pipe buffer).
fn big_valid() -> String {
    let mut text = String::from("[project]\nname = \"big\"\n\n[entities.workspace]\ndescription = \"W\"\n");
    for p in 1..=400 {
        let _ = write!(text, "\n[permissions.perm_{p}]\nid = {p}\ndescription = \"P{p}\"\n");
    }
    for r in 1..=60 {
        let _ = write!(text, "\n[roles.role_{r}]\nid = {r}\ndescription = \"R{r}\"\npermissions = [\"perm_{r}\"]\n");
    }
    text
}

/// A file with thousands of errors.
fn big_invalid() -> String {
    let mut text = String::from("[project]\nname = \"big\"\n");
    for r in 1..=2000 {
        let _ = write!(text, "\n[roles.role_{r}]\nid = {r}\ndescription = \"R\"\npermissions = [\"missing_{r}\"]\n");
    }
    text
}

/// Runs role-gen with one stream's reader gone after `keep` bytes; returns (exit code, stderr
/// or stdout: whichever stayed open).
fn with_closed(s: &Scratch, args: &[&str], close_stdout: bool, keep: usize) -> (Option<i32>, String) {
    let mut cmd = Command::cargo_bin("role-gen").expect("binary");
    cmd.current_dir(s.project()).args(args).env("NO_COLOR", "1");
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    let (mut gone, mut kept): (Box<dyn std::io::Read>, Box<dyn std::io::Read>) = if close_stdout {
        (Box::new(child.stdout.take().expect("stdout")), Box::new(child.stderr.take().expect("stderr")))
    } else {
        (Box::new(child.stderr.take().expect("stderr")), Box::new(child.stdout.take().expect("stdout")))
    };
    let mut head = vec![0u8; keep];
    let _ = gone.read_exact(&mut head);
    drop(gone);
    let mut rest = String::new();
    let _ = kept.read_to_string(&mut rest);
    (child.wait().expect("wait").code(), rest)
}

#[test]
fn a_closed_pipe_ends_the_output_quietly_with_the_commands_own_exit_code() {
    let s = Scratch::new(&big_valid());
    for (args, code) in [
        (&["matrix"][..], 0),
        (&["matrix", "--format", "csv"], 0),
        (&["explain", "role_1"], 0),
        (&["who-can", "perm_1"], 0),
        (&["completions", "bash"], 0),
    ] {
        for keep in [0, 10] {
            let (status, stderr) = with_closed(&s, args, true, keep);
            assert_eq!(status, Some(code), "{args:?} after {keep} bytes: {stderr}");
            assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        }
    }
    let s = Scratch::new(&big_invalid());
    let (status, stdout) = with_closed(&s, &["validate"], false, 40);
    assert_eq!(status, Some(1), "validate keeps its exit code: {stdout}");
    let (status, _) = with_closed(&s, &["validate", "--format", "github"], true, 40);
    assert_eq!(status, Some(1));
}

fn custom(template: &str) -> Scratch {
    let s = Scratch::new(&format!(
        "{MINIMAL}\n[output]\ndir = \"gen\"\n\n[[output.custom]]\ntemplate = \"t.hbs\"\npath = \"t.txt\"\n"
    ));
    fs::write(s.project().join("t.hbs"), template).expect("write");
    s
}

#[test]
fn a_recursive_partial_is_a_template_error_not_a_stack_overflow() {
    for template in [
        r#"{{#*inline "r"}}x{{> r}}{{/inline}}{{> r}}"#,
        r#"{{#*inline "a"}}{{> b}}{{/inline}}{{#*inline "b"}}{{#if true}}{{> a}}{{/if}}{{/inline}}{{> a}}"#,
        r#"{{#*inline "r"}}{{> r}}{{/inline}}{{> r}}"#,
    ] {
        let s = custom(template);
        let before = tree(&s.project());
        for command in ["validate", "generate", "check"] {
            let out = s.run(&[command]);
            assert_eq!(out.status.code(), Some(1), "{command} {template}: {}", printed(&out));
            assert!(printed(&out).contains("template-error"), "{}", printed(&out));
            assert!(printed(&out).contains("call themselves"), "{}", printed(&out));
        }
        assert_eq!(tree(&s.project()), before, "something was written");
    }
}

#[test]
fn nesting_and_output_size_are_bounded() {
    let deep = format!("{}x{}", "{{#if true}}".repeat(5000), "{{/if}}".repeat(5000));
    let parens = format!("{{{{x {}y{}}}}}", "(".repeat(100_000), ")".repeat(100_000));
    let block = "y".repeat(4096);
    let each8 = format!("{}{block}{}", "{{#each @root.permissions}}".repeat(8), "{{/each}}".repeat(8));
    let many = (1..=8).fold(String::from("[project]\nname = \"p\"\n\n[entities.w]\ndescription = \"W\"\n"), |t, i| {
        t + &format!("\n[permissions.p{i}]\nid = {i}\ndescription = \"P\"\n")
    });
    for (template, roles_toml, expect) in
        [(&deep, None, "nested"), (&parens, None, "nested"), (&each8, Some(many), "exceed")]
    {
        let s = custom(template);
        if let Some(text) = roles_toml {
            let tail = "\n[output]\ndir = \"gen\"\n\n[[output.custom]]\ntemplate = \"t.hbs\"\npath = \"t.txt\"\n";
            fs::write(s.project().join("roles.toml"), text + tail).expect("write");
        }
        let out = s.run(&["generate"]);
        assert_eq!(out.status.code(), Some(1), "{expect}: {}", printed(&out));
        assert!(printed(&out).contains("template-error") && printed(&out).contains(expect), "{}", printed(&out));
        assert!(!s.project().join("gen").exists(), "{expect}: something was written");
    }
}
