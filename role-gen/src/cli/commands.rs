//! One function per command.

use std::path::{Path, PathBuf};

use super::{Cli, Command, Example, Failure, Format, Style, find_roles_file};
use crate::{Diagnostics, Error, Outputs, Project, Target, WriteStatus, outputs};

const SLACK_EXAMPLE: &str = include_str!("../../init/slack.toml");
const MINIMAL_EXAMPLE: &str = include_str!("../../init/minimal.toml");

pub fn run(cli: &Cli, style: Style) -> Result<(), Failure> {
    match &cli.command {
        Command::Init { example } => init(cli.file.as_deref(), *example, style),
        Command::Validate { deny_warnings, format } => {
            validate(&find_roles_file(cli.file.as_deref())?, *deny_warnings, *format, style)
        }
        Command::Generate { out_dir, targets } => {
            let targets: Vec<Target> = targets.iter().map(|&t| t.into()).collect();
            generate(&find_roles_file(cli.file.as_deref())?, out_dir.as_deref(), &targets, style)
        }
        Command::Check { out_dir } => check(&find_roles_file(cli.file.as_deref())?, out_dir.as_deref(), style),
        Command::Add(_)
        | Command::Grant { .. }
        | Command::Revoke { .. }
        | Command::Remove { .. }
        | Command::Deprecate { .. }
        | Command::Fmt { .. } => super::edit::run(cli, style),
        Command::Explain { .. } | Command::WhoCan { .. } | Command::Matrix { .. } => super::query::run(cli, style),
        Command::Diff { .. } => super::diff::run(cli, style),
        Command::Test { .. } => super::testing::run(cli, style),
        Command::Scaffold { .. } => super::scaffold::run(cli, style),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(*shell, &mut command, "role-gen", &mut std::io::stdout());
            Ok(())
        }
    }
}

/// Loads and validates, printing the errors (as human text) when it fails.
pub(super) fn load(path: &Path, style: Style) -> Result<Project, Failure> {
    match Project::load(path) {
        Ok(project) => Ok(project),
        Err(Error::Io { path, source }) => Err(Failure::Usage(format!("cannot read `{}`: {source}", path.display()))),
        Err(Error::Invalid(diagnostics)) => {
            report_invalid(&diagnostics, style);
            Err(Failure::Checked)
        }
    }
}

fn report_invalid(diagnostics: &Diagnostics, style: Style) {
    eprint!("{}", diagnostics.render_human(style.color));
    eprintln!("{}", summary(diagnostics));
}

fn summary(d: &Diagnostics) -> String {
    let (errors, warnings) = (d.errors().count(), d.warnings().count());
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let file = d.source().path.display();
    if errors > 0 {
        format!("{file}: invalid: {}, {}", plural(errors, "error"), plural(warnings, "warning"))
    } else {
        format!("{file}: valid, {}", plural(warnings, "warning"))
    }
}

fn init(explicit: Option<&Path>, example: Example, style: Style) -> Result<(), Failure> {
    let path = explicit.map_or_else(|| PathBuf::from("roles.toml"), Path::to_path_buf);
    if path.exists() {
        eprintln!("error: `{}` already exists; role-gen init never overwrites a file", path.display());
        return Err(Failure::Checked);
    }
    let text = match example {
        Example::Slack => SLACK_EXAMPLE,
        Example::Minimal => MINIMAL_EXAMPLE,
    };
    let cannot = |e: std::io::Error| Failure::Usage(format!("cannot write `{}`: {e}", path.display()));
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(cannot)?;
    }
    // create_new: a file appearing between the check and the write is not overwritten either.
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path).map_err(cannot)?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(cannot)?;
    if !style.quiet {
        println!("wrote {}; next: edit it, then run `role-gen generate`", path.display());
    }
    Ok(())
}

fn validate(path: &Path, deny_warnings: bool, format: Format, style: Style) -> Result<(), Failure> {
    let diagnostics = match Project::load(path) {
        Ok(project) => project.diagnostics().clone(),
        Err(Error::Invalid(d)) => d,
        Err(Error::Io { path, source }) => {
            return Err(Failure::Usage(format!("cannot read `{}`: {source}", path.display())));
        }
    };
    match format {
        Format::Human => {
            eprint!("{}", diagnostics.render_human(style.color));
            if !style.quiet || diagnostics.has_errors() {
                eprintln!("{}", summary(&diagnostics));
            }
        }
        Format::Json => println!("{}", diagnostics.to_json()),
        Format::Github => print!("{}", diagnostics.to_github()),
    }
    let failed = diagnostics.has_errors() || (deny_warnings && diagnostics.warnings().next().is_some());
    if failed { Err(Failure::Checked) } else { Ok(()) }
}

/// The outputs to write: every configured one, or only the asked targets (then leftovers of
/// other targets are not ours to remove).
fn outputs_for(project: &Project, targets: &[Target], style: Style) -> Result<(Outputs, bool), Failure> {
    let full = targets.is_empty();
    let result = if full { project.generate() } else { project.generate_targets(targets, false) };
    match result {
        Ok(outputs) => Ok((outputs, full)),
        Err(diagnostics) => {
            report_invalid(&diagnostics, style);
            Err(Failure::Checked)
        }
    }
}

fn generate(path: &Path, out_dir: Option<&Path>, targets: &[Target], style: Style) -> Result<(), Failure> {
    let project = load(path, style)?;
    if !project.diagnostics().is_empty() && !style.quiet {
        eprint!("{}", project.diagnostics().render_human(style.color));
    }
    let (outputs, full) = outputs_for(&project, targets, style)?;
    let dir = out_dir.map_or_else(|| project.output_dir(), Path::to_path_buf);
    let report = if full { outputs.write_to(&dir) } else { write_only(&outputs, &dir) };
    let report = report.map_err(|e| Failure::Usage(format!("cannot write under `{}`: {e}", dir.display())))?;
    if !style.quiet {
        print_write_report(&dir, &report);
    }
    Ok(())
}

fn write_only(outputs: &Outputs, dir: &Path) -> std::io::Result<Vec<(String, WriteStatus)>> {
    outputs
        .iter()
        .map(|(p, text)| Ok((p.to_string(), outputs::write_if_changed(&dir.join(p), text.as_bytes())?)))
        .collect()
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
        println!("{verb:>8} {}", dir.join(path).display());
    }
    let changed = report.len() - unchanged;
    println!("{changed} file{} changed, {unchanged} unchanged", if changed == 1 { "" } else { "s" });
}

fn check(path: &Path, out_dir: Option<&Path>, style: Style) -> Result<(), Failure> {
    let project = load(path, style)?;
    let (outputs, _) = outputs_for(&project, &[], style)?;
    let dir = out_dir.map_or_else(|| project.output_dir(), Path::to_path_buf);
    let drift = outputs.compare_with(&dir)?;
    if drift.is_empty() {
        if !style.quiet {
            println!("{} generated files in {} are up to date", outputs.len(), dir.display());
        }
        return Ok(());
    }
    for d in &drift {
        print!("{}", describe_drift(&dir, d));
    }
    let fix = match out_dir {
        Some(o) => format!("role-gen generate -f {} --out-dir {}", path.display(), o.display()),
        None => format!("role-gen generate -f {}", path.display()),
    };
    eprintln!(
        "error: {} generated file{} out of date; run `{fix}`",
        drift.len(),
        if drift.len() == 1 { " is" } else { "s are" }
    );
    Err(Failure::Checked)
}

fn describe_drift(dir: &Path, drift: &crate::Drift) -> String {
    let shown = dir.join(drift.path()).display().to_string();
    let (old, new, what) = match drift {
        crate::Drift::Missing { expected, .. } => ("", expected.as_str(), "missing"),
        crate::Drift::Stale { expected, actual, .. } => (actual.as_str(), expected.as_str(), "stale"),
        crate::Drift::Unexpected { actual, .. } => (actual.as_str(), "", "unexpected (no output produces it)"),
    };
    let diff = similar::TextDiff::from_lines(old, new);
    let body = diff.unified_diff().context_radius(3).header(&format!("a/{shown}"), &format!("b/{shown}")).to_string();
    format!("{what}: {shown}\n{body}")
}
