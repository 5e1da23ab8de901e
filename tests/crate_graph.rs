//! The crate graph of issue 10, read from `cargo tree`: `role-gen-core` depends on toml and
//! strsim alone, and nothing a proc-macro build of `role-macros` compiles is the generator or
//! its heavy dependencies, whatever features the rest of the build turns on (cargo unifies
//! features on the host, so a build.rs using `Builder::prost` must not reach the derive).

use std::process::Command;

/// Crates that must never be compiled for the derive.
const GENERATOR: [&str; 9] = [
    "role-gen",
    "handlebars",
    "clap",
    "clap_complete",
    "prost-build",
    "protox",
    "serde_json",
    "lsp-server",
    "lsp-types",
];

/// `cargo tree` lines as (depth, crate name), for `args`.
fn tree(args: &[&str]) -> Vec<(usize, String)> {
    let root = role_gen_tests::workspace_root();
    let out = Command::new(env!("CARGO"))
        .current_dir(&root)
        .args(["tree", "--locked", "--prefix", "depth", "--format", "{p}", "-e", "normal,build"])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo tree: {e}"));
    assert!(out.status.success(), "cargo tree {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().filter_map(parse_line).collect()
}

/// `3toml v1.2.1 (…)` -> (3, "toml").
fn parse_line(line: &str) -> Option<(usize, String)> {
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    let depth = line[..digits].parse().ok()?;
    let name = line[digits..].split_whitespace().next()?;
    Some((depth, name.to_string()))
}

/// The crates below the first `name` line of `lines` (its subtree), names only.
fn subtree(lines: &[(usize, String)], name: &str) -> Vec<String> {
    let Some(start) = lines.iter().position(|(_, n)| n == name) else { return Vec::new() };
    let depth = lines[start].0;
    lines[start + 1..].iter().take_while(|(d, _)| *d > depth).map(|(_, n)| n.clone()).collect()
}

fn assert_no_generator(crates: &[String], context: &str) {
    let found: Vec<&String> = crates.iter().filter(|c| GENERATOR.contains(&c.as_str())).collect();
    assert!(found.is_empty(), "{context}: the derive's build compiles {found:?}");
}

#[test]
fn role_gen_core_depends_on_toml_and_strsim_only() {
    let direct: Vec<String> =
        tree(&["-p", "role-gen-core", "--depth", "1"]).into_iter().filter(|(d, _)| *d == 1).map(|(_, n)| n).collect();
    assert_eq!(direct, ["strsim", "toml"], "role-gen-core's dependencies");
}

#[test]
fn role_macros_never_reaches_the_generator_in_any_combination() {
    let role_macros = ["-p", "role-macros"];
    for features in [&[][..], &["--all-features"], &["--no-default-features"]] {
        let lines = tree(&[&role_macros[..], features].concat());
        assert!(subtree(&lines, "role-gen-core").contains(&"toml".to_string()), "the derive reads roles.toml");
        assert_no_generator(
            &lines.into_iter().map(|(_, n)| n).collect::<Vec<_>>(),
            &format!("role-macros {features:?}"),
        );
    }
    // A build.rs + derive user: Builder::prost(true) turns on role-gen's `prost` feature.
    let service = tree(&["-p", "slack-service"]);
    assert!(service.iter().any(|(_, n)| n == "protox"), "slack-service's build.rs compiles the .proto with protox");
    assert_no_generator(&subtree(&service, "role-macros"), "slack-service");
    // And with every feature of every workspace crate on at once.
    let everything = tree(&["--workspace", "--all-features"]);
    assert_no_generator(&subtree(&everything, "role-macros"), "the workspace with --all-features");
}

#[test]
fn the_language_server_is_built_with_the_binary_only() {
    let library: Vec<String> = tree(&["-p", "role-gen", "--no-default-features"]).into_iter().map(|(_, n)| n).collect();
    for cli_only in ["lsp-server", "lsp-types", "clap"] {
        assert!(!library.contains(&cli_only.to_string()), "a build.rs using role-gen compiles {cli_only}");
    }
    let binary: Vec<String> = tree(&["-p", "role-gen"]).into_iter().map(|(_, n)| n).collect();
    assert!(binary.contains(&"lsp-server".to_string()), "`role-gen lsp` is in the binary");
}

#[test]
fn the_parser_reads_nested_lines() {
    let lines: Vec<(usize, String)> =
        ["0a v1", "1b v1", "2c v1", "1d v1", "0e v1"].iter().filter_map(|l| parse_line(l)).collect();
    assert_eq!(subtree(&lines, "a"), ["b", "c", "d"]);
    assert_eq!(subtree(&lines, "b"), ["c"]);
    assert!(subtree(&lines, "z").is_empty());
}
