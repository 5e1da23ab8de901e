//! The `role-gen` command line: argument parsing, then one function per command.
//!
//! Exit codes: 0 success; 1 the checked thing failed (invalid definitions, drift, a refused
//! action); 2 usage or I/O error.

mod commands;

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// One roles.toml, generated permissions for Rust, TypeScript, protobuf, JSON and Markdown.
#[derive(Debug, Parser)]
#[command(name = "role-gen", version, about, propagate_version = true, arg_required_else_help = true)]
pub struct Cli {
    /// The roles.toml to use [default: ./roles.toml or the nearest parent's]
    #[arg(short = 'f', long = "file", global = true, value_name = "PATH")]
    pub file: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a starting roles.toml (never overwrites)
    #[command(after_help = "Example:\n  role-gen init --example slack")]
    Init {
        /// Which example to start from
        #[arg(long, value_enum, default_value_t = Example::Minimal)]
        example: Example,
    },
    /// Report every error and warning in roles.toml
    #[command(after_help = "Examples:\n  role-gen validate\n  role-gen validate --deny-warnings --format github")]
    Validate {
        /// Fail (exit 1) on warnings too
        #[arg(long)]
        deny_warnings: bool,
        /// How to print the diagnostics
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Write the generated files (unchanged files are left untouched)
    #[command(
        after_help = "Examples:\n  role-gen generate\n  role-gen generate --target rust --target typescript --out-dir src/gen"
    )]
    Generate {
        /// Write under this folder instead of `output.dir`
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
        /// Only these built-in targets (custom templates are skipped)
        #[arg(long = "target", value_enum, value_name = "TARGET")]
        targets: Vec<TargetArg>,
    },
    /// Fail (exit 1) when a generated file is missing, stale or unexpected
    #[command(after_help = "Example:\n  role-gen check   # in CI, after every change to roles.toml")]
    Check {
        /// Compare with this folder instead of `output.dir`
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
}

/// Output format of diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Github,
}

/// The bundled starting points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Example {
    Minimal,
    Slack,
}

/// A built-in target on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TargetArg {
    Rust,
    Typescript,
    Proto,
    Json,
    Markdown,
}

impl From<TargetArg> for crate::Target {
    fn from(t: TargetArg) -> Self {
        match t {
            TargetArg::Rust => crate::Target::Rust,
            TargetArg::Typescript => crate::Target::TypeScript,
            TargetArg::Proto => crate::Target::Proto,
            TargetArg::Json => crate::Target::Json,
            TargetArg::Markdown => crate::Target::Markdown,
        }
    }
}

/// How a command ended.
#[derive(Debug)]
pub enum Failure {
    /// The checked thing failed (exit 1); the details were already printed.
    Checked,
    /// A usage or I/O problem (exit 2), with its message.
    Usage(String),
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Usage(e.to_string())
    }
}

/// Where output goes, and whether it may be coloured.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn detect() -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style { color: !no_color && std::io::stderr().is_terminal() }
    }
}

/// Runs the command line; returns the exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let style = Style::detect();
    match commands::run(&cli, style) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Checked) => ExitCode::from(1),
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// `-f PATH`, or roles.toml in the current folder or the nearest parent holding one.
pub fn find_roles_file(explicit: Option<&Path>) -> Result<PathBuf, Failure> {
    if let Some(path) = explicit {
        return Ok(path.to_path_buf());
    }
    let cwd = std::env::current_dir()?;
    for dir in cwd.ancestors() {
        let candidate = dir.join("roles.toml");
        if candidate.is_file() {
            return Ok(relative_to(&candidate, &cwd));
        }
    }
    Err(Failure::Usage(
        "no roles.toml in this folder or any parent; create one with `role-gen init`, or pass `-f PATH`".into(),
    ))
}

/// Shows paths relative to the current folder when they lie below it (shorter diagnostics, and
/// no absolute paths in anything users paste).
fn relative_to(path: &Path, cwd: &Path) -> PathBuf {
    path.strip_prefix(cwd).map_or_else(|_| path.to_path_buf(), Path::to_path_buf)
}
