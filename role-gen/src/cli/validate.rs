//! `validate`: every error and warning of roles.toml, as text, JSON or GitHub annotations.

use clap::Args;

use super::output::{err, errln, out};
use super::paths::repo_relative;
use super::project::{invalid, summary};
use super::{Context, Failure, Format, json};
use crate::{Project, Severity};

/// `role-gen validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Fail (exit 1) on warnings too
    #[arg(long)]
    deny_warnings: bool,
    /// How to print the diagnostics
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

impl ValidateArgs {
    /// Prints the diagnostics; exit 1 on errors (and on warnings with `--deny-warnings`).
    pub(super) fn run(&self, cx: &Context) -> Result<(), Failure> {
        let path = cx.roles_file()?;
        let mut diagnostics = match Project::load(&path) {
            Ok(project) => project.diagnostics().clone(),
            Err(error) => invalid(error)?,
        };
        let failed = diagnostics.has_errors() || (self.deny_warnings && diagnostics.warnings().next().is_some());
        // `--quiet` prints what fails: warnings only when `--deny-warnings` makes them fail.
        if cx.style.quiet && !self.deny_warnings {
            diagnostics.retain(|d| d.severity() == Severity::Error);
        }
        match self.format {
            Format::Human => {
                err!("{}", cx.style.human(&diagnostics));
                if !cx.style.quiet || failed {
                    errln!("{}", summary(&diagnostics));
                }
            }
            Format::Json => json::print(&json::DiagnosticsView::new(&diagnostics))?,
            Format::Github => out!("{}", diagnostics.to_github_as(&repo_relative(&path))),
        }
        if failed { Err(Failure::Checked) } else { Ok(()) }
    }
}
