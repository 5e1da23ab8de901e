//! Generated files are fixed points of their ecosystem's formatters: a team that runs
//! `cargo fmt`, prettier or `buf format` over its committed `gen/` changes nothing, so
//! `role-gen check` never reports a formatted file as stale.
//!
//! - `roles.rs` (also with `Builder::prost`'s conversions appended) and the output of
//!   `role-gen scaffold policies`: the toolchain's rustfmt, edition 2024, default configuration
//!   (an empty `rustfmt.toml`, not the repository's own).
//! - `roles.ts`: the pinned prettier (`tests/tools`), default options.
//! - `roles.proto`: the pinned `buf format`.
//! - `python/roles.py` (the opt-in `python` target): the pinned `ruff format`, default options.
//!
//! Each runs over the outputs of every definition (`definitions/*`, `tests/hostile`,
//! `tests/edge/*`, `tests/warnings/*`, the role-macros fixture) and over random valid definitions
//! ([`role_gen_tests::synthetic`]) whose names span every length up to the limit and whose lists
//! span every size, so that each layout rule of the renderers meets its formatter at its
//! boundaries. A formatter that is missing fails the test; a file it changes fails with the diff.

use std::path::{Path, PathBuf};
use std::process::Command;

use role_gen_tests::{
    Scratch, definitions, edge, generate, hostile, read, run, synthetic, tool, venv_tool, workspace_root, write,
};

/// How many random definitions each formatter sees; `ROLE_GEN_SYNTHETIC=N` sees more (a
/// longer hunt for a layout rule that disagrees with its formatter).
fn synthetic_count() -> u64 {
    std::env::var("ROLE_GEN_SYNTHETIC").ok().and_then(|n| n.parse().ok()).unwrap_or(48)
}

/// One generated file: where it comes from (for the failure message) and its text.
struct Generated {
    label: String,
    text: String,
}

/// Every hand-written definition: the examples, the hostile file, the edge cases, the warning
/// cases and the role-macros fixture.
fn every_definition() -> Vec<PathBuf> {
    let mut all = definitions();
    all.push(hostile());
    for dir in ["tests/edge", "tests/warnings"] {
        let dir = workspace_root().join(dir);
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
        let mut found: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
            .collect();
        found.sort();
        all.extend(found);
    }
    assert!(all.iter().any(|p| p == &edge("empty")), "tests/edge/empty.toml is covered");
    all.push(workspace_root().join("role-macros/tests/ui/fixture/roles.toml"));
    all
}

/// The outputs of `roles_toml` whose path ends with `suffix`, labelled with the definition.
fn outputs_ending(roles_toml: &Path, label: &str, suffix: &str) -> Vec<Generated> {
    generate(roles_toml)
        .iter()
        .filter(|(path, _)| path.ends_with(suffix))
        .map(|(path, text)| Generated { label: format!("{label}: {path}"), text: text.to_string() })
        .collect()
}

/// `roles.rs`, `roles.rs` with the prost conversions appended (as `Builder::prost` writes it),
/// and the policy scaffold when there are policies.
fn rust_files(roles_toml: &Path, label: &str) -> Vec<Generated> {
    let mut files = outputs_ending(roles_toml, label, "roles.rs");
    let project =
        role_gen::Project::load(roles_toml).unwrap_or_else(|d| panic!("{} does not load:\n{d}", roles_toml.display()));
    if let Some(rust) = files.first().map(|f| f.text.clone()) {
        let prost = project.render_prost_conversions().unwrap_or_else(|d| panic!("{label}: prost conversions: {d}"));
        files.push(Generated { label: format!("{label}: roles.rs + Builder::prost"), text: rust + &prost });
    }
    let scaffold = role_gen::render::scaffold_policies(project.model(), role_gen::render::ScaffoldLanguage::Rust)
        .unwrap_or_else(|e| panic!("{label}: the policy scaffold does not render: {e}"));
    if let Some(text) = scaffold {
        files.push(Generated { label: format!("{label}: role-gen scaffold policies"), text });
    }
    files
}

/// `python/roles.py`, which only `--target python` (or `targets = ["python"]`) generates.
fn python_files(roles_toml: &Path, label: &str) -> Vec<Generated> {
    let project =
        role_gen::Project::load(roles_toml).unwrap_or_else(|d| panic!("{} does not load:\n{d}", roles_toml.display()));
    let options = role_gen::render::RenderOptions::only(project.model(), &[role_gen::Target::Python]);
    let outputs = project.generate_with(&options).unwrap_or_else(|d| panic!("{label}: python does not generate:\n{d}"));
    outputs.iter().map(|(path, text)| Generated { label: format!("{label}: {path}"), text: text.to_string() }).collect()
}

/// A readable label for a definition: its path under the workspace.
fn label_of(roles_toml: &Path) -> String {
    roles_toml.strip_prefix(workspace_root()).unwrap_or(roles_toml).display().to_string()
}

/// The files `pick` takes from every hand-written definition.
fn from_definitions(pick: fn(&Path, &str) -> Vec<Generated>) -> Vec<Generated> {
    every_definition().iter().flat_map(|path| pick(path, &label_of(path))).collect()
}

/// The files `pick` takes from the random definitions (written into `scratch`, so that a
/// failure can be reproduced from the file the message names).
fn from_synthetic(scratch: &Scratch, pick: fn(&Path, &str) -> Vec<Generated>) -> Vec<Generated> {
    let ids = synthetic::policies_have_ids();
    (0..synthetic_count())
        .flat_map(|seed| {
            let path = scratch.path().join(format!("synthetic-{seed}")).join("roles.toml");
            write(&path, &synthetic::definition(seed, ids));
            pick(&path, &format!("synthetic seed {seed} (role_gen_tests::synthetic::definition({seed}, {ids}))"))
        })
        .collect()
}

/// A formatter and how it is run over files in one folder.
#[derive(Clone, Copy)]
enum Formatter {
    Rustfmt,
    Prettier,
    Buf,
    Ruff,
}

impl Formatter {
    fn extension(self) -> &'static str {
        match self {
            Formatter::Rustfmt => "rs",
            Formatter::Prettier => "ts",
            Formatter::Buf => "proto",
            Formatter::Ruff => "py",
        }
    }

    /// Formats `files` (in `dir`) and returns each one's formatted text.
    fn format(self, dir: &Path, files: &[PathBuf]) -> Vec<String> {
        match self {
            Formatter::Rustfmt => {
                // An empty configuration: rustfmt's defaults, whatever a parent folder holds.
                let config = dir.join("rustfmt.toml");
                write(&config, "");
                let rustfmt = std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into());
                run(Command::new(rustfmt)
                    .current_dir(dir)
                    .args(["--edition", "2024", "--config-path"])
                    .arg(&config)
                    .args(files));
                files.iter().map(|f| read(f)).collect()
            }
            Formatter::Prettier => {
                run(Command::new(tool("prettier"))
                    .current_dir(dir)
                    .args(["--no-config", "--no-editorconfig", "--log-level", "warn", "--write"])
                    .args(files));
                files.iter().map(|f| read(f)).collect()
            }
            Formatter::Buf => {
                let buf = tool("buf");
                files.iter().map(|f| run(Command::new(&buf).current_dir(dir).arg("format").arg(f))).collect()
            }
            Formatter::Ruff => {
                // `--isolated`: ruff's defaults, whatever a parent folder's pyproject.toml says.
                run(Command::new(venv_tool("ruff"))
                    .current_dir(dir)
                    .args(["format", "--isolated", "--quiet"])
                    .args(files));
                files.iter().map(|f| read(f)).collect()
            }
        }
    }
}

/// Runs `formatter` over every file and fails, with each changed file's diff, unless it
/// changes none.
fn assert_fixed_points(formatter: Formatter, files: Vec<Generated>, scratch_label: &str) {
    assert!(!files.is_empty(), "no file to format");
    let scratch = Scratch::new(scratch_label);
    let paths: Vec<PathBuf> = files
        .iter()
        .enumerate()
        .map(|(i, file)| {
            let path = scratch.path().join(format!("file{i}.{}", formatter.extension()));
            write(&path, &file.text);
            path
        })
        .collect();
    let formatted = formatter.format(scratch.path(), &paths);
    let mut changed = Vec::new();
    for (file, after) in files.iter().zip(&formatted) {
        if *after != file.text {
            changed.push(format!("{}\n{}", file.label, diff(&file.text, after)));
        }
    }
    assert!(
        changed.is_empty(),
        "{} of {} generated files are not fixed points of the formatter (- generated, + formatted):\n\n{}",
        changed.len(),
        files.len(),
        changed.iter().take(6).cloned().collect::<Vec<_>>().join("\n")
    );
}

/// A unified diff of `before` and `after`, bounded.
fn diff(before: &str, after: &str) -> String {
    const MAX_LINES: usize = 80;
    let text = similar::TextDiff::from_lines(before, after).unified_diff().context_radius(2).to_string();
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= MAX_LINES {
        text
    } else {
        format!("{}\n… ({} more diff lines)\n", lines[..MAX_LINES].join("\n"), lines.len() - MAX_LINES)
    }
}

fn rust_of_definitions() -> Vec<Generated> {
    from_definitions(rust_files)
}

#[test]
fn rustfmt_leaves_roles_rs_prost_and_scaffold_unchanged() {
    assert_fixed_points(Formatter::Rustfmt, rust_of_definitions(), "rustfmt");
}

#[test]
fn prettier_leaves_roles_ts_unchanged() {
    assert_fixed_points(Formatter::Prettier, from_definitions(|p, l| outputs_ending(p, l, "roles.ts")), "prettier");
}

#[test]
fn buf_format_leaves_roles_proto_unchanged() {
    assert_fixed_points(Formatter::Buf, from_definitions(|p, l| outputs_ending(p, l, "roles.proto")), "buf-format");
}

#[test]
fn ruff_format_leaves_roles_py_unchanged() {
    assert_fixed_points(Formatter::Ruff, from_definitions(python_files), "ruff-format");
}

#[test]
fn rustfmt_leaves_synthetic_definitions_unchanged() {
    let scratch = Scratch::new("synthetic-rs");
    assert_fixed_points(Formatter::Rustfmt, from_synthetic(&scratch, rust_files), "rustfmt-synthetic");
}

#[test]
fn prettier_leaves_synthetic_definitions_unchanged() {
    let scratch = Scratch::new("synthetic-ts");
    let files = from_synthetic(&scratch, |p, l| outputs_ending(p, l, "roles.ts"));
    assert_fixed_points(Formatter::Prettier, files, "prettier-synthetic");
}

#[test]
fn buf_format_leaves_synthetic_definitions_unchanged() {
    let scratch = Scratch::new("synthetic-proto");
    let files = from_synthetic(&scratch, |p, l| outputs_ending(p, l, "roles.proto"));
    assert_fixed_points(Formatter::Buf, files, "buf-format-synthetic");
}

#[test]
fn ruff_format_leaves_synthetic_definitions_unchanged() {
    let scratch = Scratch::new("synthetic-py");
    assert_fixed_points(Formatter::Ruff, from_synthetic(&scratch, python_files), "ruff-format-synthetic");
}

/// The formatters' own inputs exist: a definition that generated no Rust, TypeScript or
/// protobuf would make the tests above pass vacuously.
#[test]
fn every_definition_yields_files_for_each_formatter() {
    let rust = rust_of_definitions();
    assert!(rust.iter().any(|f| f.label.contains("Builder::prost")), "prost output covered");
    assert!(rust.iter().any(|f| f.label.contains("scaffold")), "scaffold covered");
    assert!(rust.iter().any(|f| f.label.contains("role-macros")), "role-macros fixture covered");
    let ts = from_definitions(|p, l| outputs_ending(p, l, "roles.ts"));
    let proto = from_definitions(|p, l| outputs_ending(p, l, "roles.proto"));
    assert!(ts.len() >= 15 && proto.len() >= 15, "{} roles.ts, {} roles.proto", ts.len(), proto.len());
    let py = from_definitions(python_files);
    assert!(py.len() >= 15, "{} roles.py", py.len());
}
