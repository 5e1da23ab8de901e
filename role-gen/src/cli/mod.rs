//! The `role-gen` command line: the parsed arguments, then one `run` per command, each given its
//! own typed arguments and the [`Context`] every command shares.
//!
//! Each command's arguments live in the module that runs it (`validate`'s in [`validate`],
//! `diff`'s in [`diff`], …); [`Command`] only names them, and [`Command::run`] is the one dispatch.
//!
//! Exit codes: 0 success; 1 the checked thing failed (invalid definitions, drift, a refused
//! action); 2 usage or I/O error.

mod complete;
mod coverage;
mod diff;
mod edit;
mod generate;
mod init;
mod json;
pub(crate) mod output;
mod paths;
mod placements;
mod project;
mod query;
mod scaffold;
mod schema;
mod testing;
mod validate;

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// One roles.toml, generated permissions for Rust, TypeScript, protobuf, JSON and Markdown.
#[derive(Debug, Parser)]
#[command(name = "role-gen", version, about, propagate_version = true, arg_required_else_help = true)]
pub struct Cli {
    /// The roles.toml to use [default: ./roles.toml or the nearest parent's]
    #[arg(short = 'f', long = "file", global = true, value_name = "PATH")]
    pub file: Option<PathBuf>,

    /// Print only what fails (errors, drift, failed tests, breaking changes) and the answer asked for
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Show every warning (by default at most 10 of each code, and a count of the rest)
    #[arg(short, long, global = true)]
    pub verbose: bool,

    #[command(subcommand)]
    pub command: Command,
}

/// Every command, holding its own arguments. The doc line of a variant is its one-line help.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a starting roles.toml (never overwrites)
    #[command(
        after_help = "Example:\n  role-gen init --example slack         # writes ./roles.toml\n  role-gen init -f services/auth/roles.toml"
    )]
    Init(init::InitArgs),
    /// Report every error and warning in roles.toml
    #[command(after_help = "Examples:\n  role-gen validate\n  role-gen validate --deny-warnings --format github")]
    Validate(validate::ValidateArgs),
    /// Write the generated files (unchanged files are left untouched)
    #[command(
        after_help = "Examples:\n  role-gen generate\n  role-gen generate --target rust --target typescript --out-dir src/gen"
    )]
    Generate(generate::GenerateArgs),
    /// Fail (exit 1) when a generated file is missing, stale or unexpected
    #[command(after_help = "Example:\n  role-gen check   # in CI, after every change to roles.toml")]
    Check(generate::CheckArgs),
    /// Add a permission, role, entity type or policy with the next free id
    #[command(subcommand)]
    Add(edit::AddCommand),
    /// Grant permissions to a role directly
    #[command(after_help = "Example:\n  role-gen grant channels_admin archive_channel rename_channel")]
    Grant(edit::GrantArgs),
    /// Revoke permissions granted directly to a role
    #[command(after_help = "Example:\n  role-gen revoke channels_admin rename_channel")]
    Revoke(edit::RevokeArgs),
    /// Remove a permission, role, policy or entity type and reserve its id and name forever
    #[command(after_help = "Example:\n  role-gen remove permission delete_workspace --force")]
    Remove(edit::RemoveArgs),
    /// Mark a permission deprecated
    #[command(after_help = "Example:\n  role-gen deprecate permission view_roles --reason \"use assign_roles\"")]
    Deprecate(edit::DeprecateArgs),
    /// Show a role's effective permissions and the include path each comes through
    #[command(after_help = "Example:\n  role-gen explain roles_admin --format json")]
    Explain(query::ExplainArgs),
    /// Show the roles whose effective permissions hold a permission
    #[command(after_help = "Example:\n  role-gen who-can archive_channel")]
    WhoCan(query::WhoCanArgs),
    /// The role × effective-permission table
    #[command(after_help = "Example:\n  role-gen matrix --format csv > matrix.csv")]
    Matrix(query::MatrixArgs),
    /// Breaking and access changes between two versions of roles.toml
    #[command(
        after_help = "Examples:\n  role-gen diff old/roles.toml roles.toml\n  role-gen diff --against origin/main --format github"
    )]
    Diff(diff::DiffArgs),
    /// Run the [[tests]] of roles.toml
    #[command(
        after_help = "Examples:\n  role-gen test --format json\n  role-gen test --coverage --min-coverage 100\n  role-gen test --format lcov > roles.lcov"
    )]
    Test(testing::TestArgs),
    /// Write a starting implementation of generated code's traits (never overwrites)
    #[command(
        after_help = "Examples:\n  role-gen scaffold policies --out src/policy_facts.rs\n  role-gen scaffold policies --out internal/roles/policy_facts.go   # Go, by the extension\n  role-gen scaffold policies --lang python --out -   # print it instead"
    )]
    Scaffold(scaffold::ScaffoldArgs),
    /// Rewrite roles.toml in its canonical layout (--sort: in canonical order too)
    #[command(
        after_help = "Examples:\n  role-gen fmt --check   # in CI\n  role-gen fmt --sort    # permissions and roles by id, within their banner groups"
    )]
    Fmt(edit::FmtArgs),
    /// Print the script that makes a shell complete role-gen's commands, flags and names
    #[command(
        after_help = "Examples:\n  role-gen completions bash > ~/.local/share/bash-completion/completions/role-gen\n  echo 'source <(COMPLETE=zsh role-gen)' >> ~/.zshrc   # the same, renewed at each start"
    )]
    Completions(CompletionsArgs),
    /// Print the JSON Schema of roles.toml, for editors (taplo, Even Better TOML)
    #[command(after_help = "Example:\n  role-gen schema > roles.schema.json   # what `init` writes beside roles.toml")]
    Schema(schema::SchemaArgs),
    /// Serve roles.toml to an editor: the language server, on stdin and stdout
    #[command(
        after_help = "Examples (an editor starts it; see the README's \"Editor setup\"):\n  role-gen lsp                # roles.toml, *.roles.toml, files with init's #:schema line\n  role-gen lsp --every-file   # every document the editor sends"
    )]
    Lsp(LspArgs),
}

impl Command {
    /// Runs the command with its own arguments: the one place a command is routed.
    fn run(&self, cx: &Context) -> Result<(), Failure> {
        match self {
            Command::Init(args) => args.run(cx),
            Command::Validate(args) => args.run(cx),
            Command::Generate(args) => args.run(cx),
            Command::Check(args) => args.run(cx),
            Command::Add(add) => add.run(cx),
            Command::Grant(args) => args.run(cx),
            Command::Revoke(args) => args.run(cx),
            Command::Remove(args) => args.run(cx),
            Command::Deprecate(args) => args.run(cx),
            Command::Explain(args) => args.run(cx),
            Command::WhoCan(args) => args.run(cx),
            Command::Matrix(args) => args.run(cx),
            Command::Diff(args) => args.run(cx),
            Command::Test(args) => args.run(cx),
            Command::Scaffold(args) => args.run(cx),
            Command::Fmt(args) => args.run(cx),
            Command::Completions(args) => args.run(),
            Command::Schema(args) => args.run(),
            Command::Lsp(args) => args.run(),
        }
    }
}

/// `role-gen completions SHELL`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell
    shell: clap_complete::Shell,
}

impl CompletionsArgs {
    /// Prints the script that makes the shell ask role-gen at each TAB ([`complete`]).
    fn run(&self) -> Result<(), Failure> {
        output::out!("{}", complete::registration(&self.shell.to_string())?);
        Ok(())
    }
}

/// `role-gen lsp`.
#[derive(Debug, Args)]
pub struct LspArgs {
    /// Talk over stdin and stdout (the only way it talks; accepted because clients pass it)
    #[arg(long)]
    stdio: bool,
    /// Answer about every document the editor sends, not only roles.toml, *.roles.toml and
    /// files starting with the `#:schema` line of `init`
    #[arg(long)]
    every_file: bool,
}

impl LspArgs {
    fn run(&self) -> Result<(), Failure> {
        let _ = self.stdio;
        let serves = if self.every_file { crate::lsp::Serves::EveryFile } else { crate::lsp::Serves::RolesFiles };
        match crate::lsp::run(serves) {
            Ok(0) => Ok(()),
            Ok(_) => Err(Failure::Checked),
            Err(e) => Err(Failure::Usage(format!("the language server cannot start: {e}"))),
        }
    }
}

/// Output format of diagnostics (`validate`, `diff`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Github,
}

/// What every command gets besides its own arguments: the global options.
#[derive(Debug, Clone)]
pub struct Context {
    /// `-f PATH`, when given.
    pub file: Option<PathBuf>,
    /// Colour and `--quiet`.
    pub style: Style,
}

impl Context {
    /// The roles.toml to work on: `-f PATH`, or the nearest one from the current folder.
    pub fn roles_file(&self) -> Result<PathBuf, Failure> {
        find_roles_file(self.file.as_deref())
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
    /// `--verbose`: every warning, not the first few of each code.
    pub verbose: bool,
}

/// How many warnings of one code human output shows without `--verbose`.
const WARNINGS_PER_CODE: usize = 10;

impl Style {
    fn detect(quiet: bool, verbose: bool) -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style { color: !no_color && std::io::stderr().is_terminal(), quiet, verbose }
    }

    /// Diagnostics as human text: every error, and every warning with `--verbose`, else the
    /// first few of each code and a count of the rest.
    pub fn human(self, diagnostics: &crate::Diagnostics) -> String {
        let cap = if self.verbose { usize::MAX } else { WARNINGS_PER_CODE };
        diagnostics.render_human_capped(self.color, cap)
    }
}

/// Whether an interactive prompt is allowed: stdin is a terminal (never in CI).
pub fn can_prompt() -> bool {
    std::io::stdin().is_terminal()
}

/// Runs the command line; returns the exit code.
pub fn main() -> ExitCode {
    complete::answer_if_asked();
    let cli = Cli::parse();
    let cx = Context { file: cli.file, style: Style::detect(cli.quiet, cli.verbose) };
    let code = match cli.command.run(&cx) {
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

/// Creates the file `init` or `scaffold` starts the user with, atomically and never over
/// anything: `Ok(false)` when something is already at `path` (it is the user's now).
fn create_new(path: &Path, text: &str) -> Result<bool, Failure> {
    crate::outputs::write_new(path, text.as_bytes())
        .map_err(|e| Failure::Usage(format!("cannot write `{}`: {e}", path.display())))
}

/// A path as shown in messages: escaped like all user text (a file name may hold anything).
pub fn shown_path(path: &Path) -> String {
    crate::escape::shown(&path.to_string_lossy())
}

/// `n word` or `n words`.
fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Shows paths relative to the current folder when they lie below it (shorter diagnostics, and
/// no absolute paths in anything users paste).
fn relative_to(path: &Path, cwd: &Path) -> PathBuf {
    path.strip_prefix(cwd).map_or_else(|_| path.to_path_buf(), Path::to_path_buf)
}
