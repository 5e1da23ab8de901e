//! Loading roles.toml for a command, and saying why it cannot be used: unreadable (exit 2),
//! refused (`path-escape`, exit 1) or invalid (its diagnostics, exit 1).

use std::path::Path;

use super::output::{err, errln};
use super::{Context, Failure, Style, plural, shown_path};
use crate::{Diagnostics, Error, Project};

impl Context {
    /// The roles.toml to work on, loaded and validated (its errors printed when it is not valid).
    pub(super) fn load(&self) -> Result<Project, Failure> {
        load(&self.roles_file()?, self.style)
    }
}

/// Loads and validates, printing the errors (as human text) when it fails.
pub(super) fn load(path: &Path, style: Style) -> Result<Project, Failure> {
    Project::load(path).or_else(|error| {
        report_invalid(&invalid(error)?, style);
        Err(Failure::Checked)
    })
}

/// The diagnostics of a file that was read and is invalid; any other load error as the failure
/// it is.
pub(super) fn invalid(error: Error) -> Result<Diagnostics, Failure> {
    match error {
        Error::Invalid(diagnostics) => Ok(diagnostics),
        Error::Io { path, source } => Err(Failure::Usage(format!("cannot read `{}`: {source}", shown_path(&path)))),
        Error::Refused(e) => Err(super::path_refused(e)),
    }
}

/// The diagnostics as human text, then the summary line.
pub(super) fn report_invalid(diagnostics: &Diagnostics, style: Style) {
    err!("{}", style.human(diagnostics));
    errln!("{}", summary(diagnostics));
}

/// `roles.toml: invalid: 2 errors, 1 warning` or `roles.toml: valid, 0 warnings`.
pub(super) fn summary(d: &Diagnostics) -> String {
    let (errors, warnings) = (d.errors().count(), d.warnings().count());
    let file = d.shown_path();
    if errors > 0 {
        format!("{file}: invalid: {}, {}", plural(errors, "error"), plural(warnings, "warning"))
    } else {
        format!("{file}: valid, {}", plural(warnings, "warning"))
    }
}
