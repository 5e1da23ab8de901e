//! `generate` and `check`: render, then write or compare inside the output folder's boundary.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::output::{err, errln, out, outln};
use super::paths::{command, shell_word};
use super::project::{load, report_invalid};
use super::{Context, Failure, Style, path_refused, plural, shown_path};
use crate::boundary::Boundary;
use crate::{Leftovers, Outputs, Project, Target, WriteError, WriteStatus};
use drift::{DriftReport, plural_files};

mod drift;

/// How many lines of diff `check` prints by default, over all files together (the rest is
/// counted, not shown): one rename touches every target, and a log of 600 lines hides it.
const DIFF_LINES: usize = 200;

/// `role-gen generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Write under this folder instead of `output.dir`
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// Only these built-in targets (custom templates are skipped)
    #[arg(long = "target", value_enum, value_name = "TARGET")]
    targets: Vec<TargetArg>,
}

/// `role-gen check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Compare with this folder instead of `output.dir`
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// List the drifted files with their changed line counts, without the diff
    #[arg(long)]
    stat: bool,
    /// Print at most N lines of diff in all (the rest is counted)
    #[arg(long, value_name = "N", default_value_t = DIFF_LINES)]
    max_diff_lines: usize,
}

/// A built-in target on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TargetArg {
    Rust,
    Typescript,
    Proto,
    Json,
    Markdown,
    Sql,
    Cedar,
    #[value(name = "openfga")]
    OpenFga,
    #[value(name = "spicedb")]
    SpiceDb,
    Python,
    Go,
}

impl From<TargetArg> for Target {
    fn from(t: TargetArg) -> Self {
        match t {
            TargetArg::Rust => Target::Rust,
            TargetArg::Typescript => Target::TypeScript,
            TargetArg::Proto => Target::Proto,
            TargetArg::Json => Target::Json,
            TargetArg::Markdown => Target::Markdown,
            TargetArg::Sql => Target::Sql,
            TargetArg::Cedar => Target::Cedar,
            TargetArg::OpenFga => Target::OpenFga,
            TargetArg::SpiceDb => Target::SpiceDb,
            TargetArg::Python => Target::Python,
            TargetArg::Go => Target::Go,
        }
    }
}

/// The output folder: `--out-dir` (the caller's own choice, so its boundary), or `output.dir`
/// resolved inside roles.toml's folder. Returns it with the path shown in messages.
fn output_folder(project: &Project, out_dir: Option<&Path>) -> Result<(Boundary, PathBuf), Failure> {
    let result = match out_dir {
        Some(dir) => Boundary::new(dir).map(|b| (b, dir.to_path_buf())),
        None => project.output_boundary().map(|b| (b, project.output_dir())),
    };
    result.map_err(path_refused)
}

impl GenerateArgs {
    /// Writes what changed, removes what is no longer generated, and lists both.
    pub(super) fn run(&self, cx: &Context) -> Result<(), Failure> {
        let targets: Vec<Target> = self.targets.iter().map(|&t| t.into()).collect();
        generate(&cx.roles_file()?, self.out_dir.as_deref(), &targets, cx.style)
    }
}

impl CheckArgs {
    /// Exit 1, with a diff of each, when a generated file is missing, stale or unexpected.
    pub(super) fn run(&self, cx: &Context) -> Result<(), Failure> {
        let project = load(&cx.roles_file()?, cx.style)?;
        let (outputs, _) = outputs_for(&project, &[], cx.style)?;
        let (dir, shown_dir) = output_folder(&project, self.out_dir.as_deref())?;
        let drift = outputs.compare_with(&dir).map_err(path_refused)?;
        if drift.is_empty() {
            if !cx.style.quiet {
                outln!("{} generated files in {} are up to date", outputs.len(), shown_path(&shown_dir));
            }
            return Ok(());
        }
        let budget = if self.stat { 0 } else { self.max_diff_lines };
        out!("{}", DriftReport::new(&shown_dir, &drift).render(budget));
        errln!("error: {} out of date; run `{}`", plural_files(drift.len()), self.fix(cx));
        Err(Failure::Checked)
    }

    /// The command that brings the files up to date.
    fn fix(&self, cx: &Context) -> String {
        let generate = command("generate", cx.file.as_deref());
        match &self.out_dir {
            Some(dir) => format!("{generate} --out-dir {}", shell_word(dir)),
            None => generate,
        }
    }
}

fn generate(path: &Path, out_dir: Option<&Path>, targets: &[Target], style: Style) -> Result<(), Failure> {
    // The edits' lock: a generate never reads roles.toml half-way through an edit, and two
    // generates never interleave their writes and removals. A roles.toml the user cannot write
    // cannot be edited either, so there is nothing to wait for.
    let _lock = crate::lock::exclusive(path).ok();
    let project = load(path, style)?;
    if !project.diagnostics().is_empty() && !style.quiet {
        err!("{}", style.human(project.diagnostics()));
    }
    let (outputs, full) = outputs_for(&project, targets, style)?;
    let (dir, shown_dir) = output_folder(&project, out_dir)?;
    // Only a full generation knows every output, so only it may remove what is no longer made.
    let leftovers = if full { Leftovers::Remove } else { Leftovers::Keep };
    let report = outputs.write_to(&dir, leftovers).map_err(|e| write_failed(&shown_dir, e))?;
    if !style.quiet {
        print_write_report(&shown_dir, &report);
    }
    Ok(())
}

fn write_failed(dir: &Path, e: WriteError) -> Failure {
    if !e.error.is_io() && e.changed.is_empty() {
        return path_refused(e.error);
    }
    Failure::Usage(format!("cannot write under `{}`: {e}", shown_path(dir)))
}

fn print_write_report(dir: &Path, report: &[(String, WriteStatus)]) {
    let mut unchanged = 0;
    for (path, status) in report {
        let verb = match status {
            WriteStatus::Created => "created",
            WriteStatus::Updated => "updated",
            WriteStatus::Removed => "removed",
            WriteStatus::Unchanged => {
                unchanged += 1;
                continue;
            }
        };
        outln!("{verb:>8} {}", shown_path(&dir.join(path)));
    }
    let changed = report.len() - unchanged;
    outln!("{} changed, {unchanged} unchanged", plural(changed, "file"));
}

/// The outputs to write: every configured one, or only the asked targets (then leftovers of
/// other targets are not ours to remove).
fn outputs_for(project: &Project, targets: &[Target], style: Style) -> Result<(Outputs, bool), Failure> {
    let full = targets.is_empty();
    let result = if full {
        project.generate()
    } else {
        project.generate_with(&crate::render::RenderOptions::only(project.model(), targets))
    };
    match result {
        Ok(outputs) => Ok((outputs, full)),
        Err(diagnostics) => {
            report_invalid(&diagnostics, style);
            Err(Failure::Checked)
        }
    }
}
