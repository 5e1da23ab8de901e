//! `generate` and `check`: render, then write or compare inside the output folder's boundary.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, ValueEnum};

use super::output::{err, errln, out, outln};
use super::project::{load, report_invalid};
use super::{Context, Failure, Style, path_refused, plural, shown_path};
use crate::boundary::Boundary;
use crate::escape::shown_lines;
use crate::{Drift, Leftovers, Outputs, Project, Target, WriteError, WriteStatus};

/// The most lines of diff `check` prints for one file (the rest is counted, not shown).
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

impl From<TargetArg> for Target {
    fn from(t: TargetArg) -> Self {
        match t {
            TargetArg::Rust => Target::Rust,
            TargetArg::Typescript => Target::TypeScript,
            TargetArg::Proto => Target::Proto,
            TargetArg::Json => Target::Json,
            TargetArg::Markdown => Target::Markdown,
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
        check(&cx.roles_file()?, self.out_dir.as_deref(), cx.style)
    }
}

fn generate(path: &Path, out_dir: Option<&Path>, targets: &[Target], style: Style) -> Result<(), Failure> {
    // The edits' lock: a generate never reads roles.toml half-way through an edit, and two
    // generates never interleave their writes and removals. A roles.toml the user cannot write
    // cannot be edited either, so there is nothing to wait for.
    let _lock = crate::lock::exclusive(path).ok();
    let project = load(path, style)?;
    if !project.diagnostics().is_empty() && !style.quiet {
        err!("{}", project.diagnostics().render_human(style.color));
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

fn check(path: &Path, out_dir: Option<&Path>, style: Style) -> Result<(), Failure> {
    let project = load(path, style)?;
    let (outputs, _) = outputs_for(&project, &[], style)?;
    let (dir, shown_dir) = output_folder(&project, out_dir)?;
    let drift = outputs.compare_with(&dir).map_err(path_refused)?;
    if drift.is_empty() {
        if !style.quiet {
            outln!("{} generated files in {} are up to date", outputs.len(), shown_path(&shown_dir));
        }
        return Ok(());
    }
    for d in &drift {
        out!("{}", describe_drift(&shown_dir, d));
    }
    let fix = match out_dir {
        Some(o) => format!("role-gen generate -f {} --out-dir {}", shown_path(path), shown_path(o)),
        None => format!("role-gen generate -f {}", shown_path(path)),
    };
    errln!(
        "error: {} generated file{} out of date; run `{fix}`",
        drift.len(),
        if drift.len() == 1 { " is" } else { "s are" }
    );
    Err(Failure::Checked)
}

/// One drifted file: what is wrong, and a diff only between texts role-gen generated (a file
/// without its marker is never shown: it could be anything a branch committed).
fn describe_drift(dir: &Path, drift: &Drift) -> String {
    let name = shown_path(&dir.join(drift.path()));
    let (old, new, what) = match drift {
        Drift::Missing { expected, .. } => ("", expected.as_str(), "missing"),
        Drift::Stale { expected, actual, .. } => (actual.as_str(), expected.as_str(), "stale"),
        Drift::Foreign { .. } => {
            return format!(
                "not generated by role-gen: {name} has no `{}` marker; its contents are not shown, and \
                 `role-gen generate` replaces it\n",
                crate::outputs::GENERATED_MARKER
            );
        }
        Drift::Unexpected { .. } => {
            return format!("unexpected: {name} (role-gen generated it earlier; no output produces it now)\n");
        }
    };
    let diff = similar::TextDiff::configure().timeout(Duration::from_secs(2)).diff_lines(old, new);
    let body = diff.unified_diff().context_radius(3).header(&format!("a/{name}"), &format!("b/{name}")).to_string();
    format!("{what}: {name}\n{}", capped(&body))
}

/// At most [`DIFF_LINES`] lines of a diff, escaped for the terminal.
fn capped(diff: &str) -> String {
    let total = diff.lines().count();
    let mut text: String = diff.split_inclusive('\n').take(DIFF_LINES).collect();
    if total > DIFF_LINES {
        text.push_str(&format!("… {} more lines of diff\n", total - DIFF_LINES));
    }
    shown_lines(&text)
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
