//! One function per command.

use std::path::{Path, PathBuf};

use super::output::{err, errln, out, outln};
use super::{Cli, Command, Example, Failure, Format, Style, find_roles_file, shown_path};
use crate::{Diagnostics, Error, Outputs, Project, Target};

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
            super::generate::generate(&find_roles_file(cli.file.as_deref())?, out_dir.as_deref(), &targets, style)
        }
        Command::Check { out_dir } => {
            super::generate::check(&find_roles_file(cli.file.as_deref())?, out_dir.as_deref(), style)
        }
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
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut command, "role-gen", &mut script);
            out!("{}", String::from_utf8_lossy(&script));
            Ok(())
        }
    }
}

/// Loads and validates, printing the errors (as human text) when it fails.
pub(super) fn load(path: &Path, style: Style) -> Result<Project, Failure> {
    match Project::load(path) {
        Ok(project) => Ok(project),
        Err(Error::Io { path, source }) => {
            Err(Failure::Usage(format!("cannot read `{}`: {source}", shown_path(&path))))
        }
        Err(Error::Refused(e)) => Err(super::path_refused(e)),
        Err(Error::Invalid(diagnostics)) => {
            report_invalid(&diagnostics, style);
            Err(Failure::Checked)
        }
    }
}

pub(super) fn report_invalid(diagnostics: &Diagnostics, style: Style) {
    err!("{}", diagnostics.render_human(style.color));
    errln!("{}", summary(diagnostics));
}

fn summary(d: &Diagnostics) -> String {
    let (errors, warnings) = (d.errors().count(), d.warnings().count());
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let file = d.shown_path();
    if errors > 0 {
        format!("{file}: invalid: {}, {}", plural(errors, "error"), plural(warnings, "warning"))
    } else {
        format!("{file}: valid, {}", plural(warnings, "warning"))
    }
}

fn init(explicit: Option<&Path>, example: Example, style: Style) -> Result<(), Failure> {
    let path = explicit.map_or_else(|| PathBuf::from("roles.toml"), Path::to_path_buf);
    if path.exists() {
        errln!("error: `{}` already exists; role-gen init never overwrites a file", shown_path(&path));
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
        outln!("wrote {}; next: edit it, then run `role-gen generate`", shown_path(&path));
    }
    Ok(())
}

fn validate(path: &Path, deny_warnings: bool, format: Format, style: Style) -> Result<(), Failure> {
    let diagnostics = match Project::load(path) {
        Ok(project) => project.diagnostics().clone(),
        Err(Error::Invalid(d)) => d,
        Err(Error::Io { path, source }) => {
            return Err(Failure::Usage(format!("cannot read `{}`: {source}", shown_path(&path))));
        }
        Err(Error::Refused(e)) => return Err(super::path_refused(e)),
    };
    match format {
        Format::Human => {
            err!("{}", diagnostics.render_human(style.color));
            if !style.quiet || diagnostics.has_errors() {
                errln!("{}", summary(&diagnostics));
            }
        }
        Format::Json => outln!("{}", diagnostics.to_json()),
        Format::Github => out!("{}", diagnostics.to_github()),
    }
    let failed = diagnostics.has_errors() || (deny_warnings && diagnostics.warnings().next().is_some());
    if failed { Err(Failure::Checked) } else { Ok(()) }
}

/// The outputs to write: every configured one, or only the asked targets (then leftovers of
/// other targets are not ours to remove).
pub(super) fn outputs_for(project: &Project, targets: &[Target], style: Style) -> Result<(Outputs, bool), Failure> {
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
