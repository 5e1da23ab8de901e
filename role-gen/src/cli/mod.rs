//! The `role-gen` command line: argument parsing, then one function per command.
//!
//! Exit codes: 0 success; 1 the checked thing failed (invalid definitions, drift, a refused
//! action); 2 usage or I/O error.

mod commands;
mod diff;
mod edit;
mod generate;
pub(crate) mod output;
mod query;
mod scaffold;
mod testing;

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

    /// Print only errors
    #[arg(short, long, global = true)]
    pub quiet: bool,

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
    /// Add a permission, role or entity (new ids never collide with used or reserved ones)
    #[command(subcommand)]
    Add(AddCommand),
    /// Grant permissions to a role directly
    #[command(after_help = "Example:\n  role-gen grant channels_admin archive_channel rename_channel")]
    Grant {
        /// The role
        role: String,
        /// The permissions to grant
        #[arg(required = true)]
        permissions: Vec<String>,
    },
    /// Revoke permissions granted directly to a role
    #[command(after_help = "Example:\n  role-gen revoke channels_admin rename_channel")]
    Revoke {
        /// The role
        role: String,
        /// The permissions to revoke
        #[arg(required = true)]
        permissions: Vec<String>,
    },
    /// Remove a permission or role and reserve its id and name forever
    #[command(after_help = "Example:\n  role-gen remove permission delete_workspace --force")]
    Remove {
        /// What to remove
        #[arg(value_enum)]
        kind: ItemKind,
        /// Its name
        name: String,
        /// Also drop every reference to it (grants, includes, policy rules, tests)
        #[arg(long)]
        force: bool,
    },
    /// Mark a permission deprecated
    #[command(after_help = "Example:\n  role-gen deprecate permission view_roles --reason \"use assign_roles\"")]
    Deprecate {
        /// What to deprecate (only permissions can be)
        #[arg(value_enum)]
        kind: DeprecateKind,
        /// Its name
        name: String,
        /// Why, and what to use instead
        #[arg(long)]
        reason: Option<String>,
    },
    /// Show a role's effective permissions and the include path each comes through
    #[command(after_help = "Example:\n  role-gen explain roles_admin --format json")]
    Explain {
        /// The role
        role: String,
        #[arg(long, value_enum, default_value_t = QueryFormat::Text)]
        format: QueryFormat,
    },
    /// Show the roles whose effective permissions hold a permission
    #[command(after_help = "Example:\n  role-gen who-can archive_channel")]
    WhoCan {
        /// The permission
        permission: String,
        #[arg(long, value_enum, default_value_t = QueryFormat::Text)]
        format: QueryFormat,
    },
    /// The role × effective-permission table
    #[command(after_help = "Example:\n  role-gen matrix --format csv > matrix.csv")]
    Matrix {
        #[arg(long, value_enum, default_value_t = MatrixFormat::Text)]
        format: MatrixFormat,
    },
    /// Breaking and access changes between two versions of roles.toml
    #[command(
        after_help = "Examples:\n  role-gen diff old/roles.toml roles.toml\n  role-gen diff --against origin/main --format github"
    )]
    Diff {
        /// The old roles.toml (with NEW, or alone against the current file)
        old: Option<PathBuf>,
        /// The new roles.toml [default: the current file]
        new: Option<PathBuf>,
        /// Compare the current file with its version at this git revision
        #[arg(long, value_name = "GIT_REV", conflicts_with = "old")]
        against: Option<String>,
        /// Also fail (exit 1) on these kinds of change
        #[arg(long, value_enum, value_name = "KIND")]
        fail_on: Vec<FailOn>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Run the [[tests]] of roles.toml
    #[command(after_help = "Example:\n  role-gen test --format json")]
    Test {
        #[arg(long, value_enum, default_value_t = TestFormat::Human)]
        format: TestFormat,
    },
    /// Write a starting implementation of generated code's traits (never overwrites)
    #[command(
        after_help = "Examples:\n  role-gen scaffold policies --out src/policy_facts.rs\n  role-gen scaffold policies --out -   # print it instead"
    )]
    Scaffold {
        /// What to scaffold
        #[arg(value_enum)]
        kind: scaffold::ScaffoldKind,
        /// The file to create; `-` prints it
        #[arg(long, value_name = "FILE", default_value = "policy_facts.rs")]
        out: PathBuf,
    },
    /// Rewrite roles.toml in its canonical layout
    #[command(after_help = "Example:\n  role-gen fmt --check   # in CI")]
    Fmt {
        /// Only report (exit 1) when the file is not formatted
        #[arg(long)]
        check: bool,
    },
    /// Print shell completions
    #[command(after_help = "Example:\n  role-gen completions bash > /etc/bash_completion.d/role-gen")]
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
}

/// `role-gen add …`
#[derive(Debug, Subcommand)]
pub enum AddCommand {
    /// Add a permission with the next free id
    #[command(
        after_help = "Example:\n  role-gen add permission export_data --description \"Export data\" --entity workspace --grant admin"
    )]
    Permission {
        /// Its snake_case name (asked for on a terminal when missing)
        name: Option<String>,
        /// What it allows (asked for on a terminal when missing)
        #[arg(long)]
        description: Option<String>,
        /// An entity type it is checked against (repeatable; default: every entity type)
        #[arg(long = "entity", value_name = "ENTITY")]
        entities: Vec<String>,
        /// A group, for docs
        #[arg(long)]
        group: Option<String>,
        /// A role to grant it to (repeatable)
        #[arg(long = "grant", value_name = "ROLE")]
        grants: Vec<String>,
    },
    /// Add a role with the next free id
    #[command(
        after_help = "Example:\n  role-gen add role billing_admin --description \"Runs billing\" --permission manage_billing --assignable-on enterprise"
    )]
    Role {
        /// Its snake_case name (asked for on a terminal when missing)
        name: Option<String>,
        /// What it is for (asked for on a terminal when missing)
        #[arg(long)]
        description: Option<String>,
        /// A permission to grant it (repeatable)
        #[arg(long = "permission", value_name = "PERMISSION")]
        permissions: Vec<String>,
        /// A role whose permissions it inherits (repeatable)
        #[arg(long = "include", value_name = "ROLE")]
        includes: Vec<String>,
        /// An entity type it may be assigned on (repeatable; default: every entity type)
        #[arg(long = "assignable-on", value_name = "ENTITY")]
        assignable_on: Vec<String>,
    },
    /// Add an entity type
    #[command(after_help = "Example:\n  role-gen add entity channel --description \"A channel\" --parent workspace")]
    Entity {
        /// Its snake_case name (asked for on a terminal when missing)
        name: Option<String>,
        /// What it is (asked for on a terminal when missing)
        #[arg(long)]
        description: Option<String>,
        /// The entity it lies inside
        #[arg(long)]
        parent: Option<String>,
    },
}

/// What `remove` removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ItemKind {
    Permission,
    Role,
}

/// What `deprecate` deprecates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DeprecateKind {
    Permission,
}

/// Output of `explain` and `who-can`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QueryFormat {
    Text,
    Json,
}

/// Output of `matrix`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MatrixFormat {
    Text,
    Markdown,
    Csv,
    Json,
}

/// Output of `test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    Human,
    Json,
}

/// Kinds of change `diff --fail-on` can fail on (breaking changes always fail).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Any role gaining or losing an effective permission
    Access,
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
    /// Colour on stderr: only on a terminal, never with `NO_COLOR`.
    pub color: bool,
    /// `--quiet`: print only errors.
    pub quiet: bool,
}

impl Style {
    fn detect(quiet: bool) -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style { color: !no_color && std::io::stderr().is_terminal(), quiet }
    }
}

/// Whether an interactive prompt is allowed: stdin is a terminal (never in CI).
pub fn can_prompt() -> bool {
    std::io::stdin().is_terminal()
}

/// Runs the command line; returns the exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let style = Style::detect(cli.quiet);
    let code = match commands::run(&cli, style) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Checked) => ExitCode::from(1),
        Err(Failure::Usage(message)) => {
            output::errln!("error: {}", crate::escape::shown(&message));
            ExitCode::from(2)
        }
    };
    output::flush();
    match output::lost() {
        Some(e) => {
            output::errln!("error: cannot write the output: {}", crate::escape::shown(&e));
            ExitCode::from(2)
        }
        None => code,
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

/// A path the repository may not make role-gen use: `path-escape`, exit 1; a file system
/// error: exit 2.
pub(crate) fn path_refused(error: crate::boundary::PathError) -> Failure {
    if error.is_io() {
        return Failure::Usage(error.to_string());
    }
    output::errln!("error[path-escape]: {error}");
    output::errln!("  = help: generated files stay inside roles.toml's folder; remove the link or choose another path");
    output::errln!("error: nothing was written or read through it");
    Failure::Checked
}

/// A path as shown in messages: escaped like all user text (a file name may hold anything).
pub fn shown_path(path: &Path) -> String {
    crate::escape::shown(&path.to_string_lossy())
}

/// Shows paths relative to the current folder when they lie below it (shorter diagnostics, and
/// no absolute paths in anything users paste).
fn relative_to(path: &Path, cwd: &Path) -> PathBuf {
    path.strip_prefix(cwd).map_or_else(|_| path.to_path_buf(), Path::to_path_buf)
}
