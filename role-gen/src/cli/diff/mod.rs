//! `diff`: what a pull request to roles.toml breaks and whose access it changes.
//!
//! The comparison itself is [`crate::diff`]; this module finds the two versions (two files, or
//! the current file and its version at a git revision, [`git`]), validates both, shows the report
//! ([`view`] for text and GitHub annotations, [`json`]) and turns it into an exit code.

mod git;
mod json;
mod view;

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::output::{err, errln, out};
use super::paths::repo_relative;
use super::{Context, Failure, Format, Style, find_roles_file, plural};
use crate::diagnostic::Diagnostics;
use crate::diff::Definition;
use view::View;

/// `role-gen diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
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
}

/// Kinds of change `diff --fail-on` can fail on (breaking changes always fail).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Any role gaining or losing an effective permission
    Access,
}

impl DiffArgs {
    /// Compares the two versions and prints the report; exit 1 on breaking changes (and on
    /// access changes with `--fail-on access`).
    pub(super) fn run(&self, cx: &Context) -> Result<(), Failure> {
        let style = cx.style;
        let inputs = self.inputs(cx.file.as_deref())?;
        let (old, new) = load_both(&inputs, self.format, style)?;
        let old_model = old.map_or_else(|| crate::diff::empty_like(&new.model), |d| d.model);
        let report = crate::diff::compare(&old_model, &new.model);
        let view = View {
            report: &report,
            new: &new,
            file: &inputs.annotate_as,
            old_roles: old_model.roles().iter().map(|r| r.name.as_str()).collect(),
            fail_access: self.fail_on.contains(&FailOn::Access),
            quiet: style.quiet,
        };
        match self.format {
            Format::Human => out!("{}", view.human(style.color && std::io::stdout().is_terminal())),
            Format::Json => crate::cli::json::print(&json::ReportView::new(&report, &new))?,
            Format::Github => out!("{}", view.github()),
        }
        view.verdict(self.format)
    }

    /// The two versions: NEW (or `-f`, or the nearest roles.toml), and OLD or `--against`.
    fn inputs(&self, file: Option<&Path>) -> Result<Inputs, Failure> {
        let (old, against) = (self.old.as_deref(), self.against.as_deref());
        let new = match (self.new.as_deref(), file) {
            (Some(_), Some(_)) => {
                return Err(Failure::Usage("NEW and `-f` both name the new roles.toml; give one of them".into()));
            }
            (Some(new), None) => new.to_path_buf(),
            (None, _) if old.is_none() && against.is_none() => {
                return Err(Failure::Usage(
                    "`diff` needs the old version: `role-gen diff OLD [NEW]` or `role-gen diff --against GIT_REV`"
                        .into(),
                ));
            }
            (None, file) => find_roles_file(file)?,
        };
        let new_bytes = read(&new)?;
        match (old, against) {
            (_, Some(rev)) => {
                let (old, repo_path) = git::from_git(&new, rev)?;
                Ok(Inputs { old, new, new_bytes, annotate_as: repo_path })
            }
            (Some(old), None) => {
                let annotate_as = repo_relative(&new);
                Ok(Inputs { old: Old::File(old.to_path_buf()), new, new_bytes, annotate_as })
            }
            (None, None) => Err(Failure::Usage("`diff` needs OLD or `--against GIT_REV`".into())),
        }
    }
}

/// Where the old version comes from.
#[derive(Debug)]
enum Old {
    /// A file on disk.
    File(PathBuf),
    /// Read from git; `shown` is `REV:path`.
    Git { shown: String, bytes: Vec<u8> },
    /// roles.toml did not exist at that revision: everything is new.
    Missing { shown: String },
}

/// The two versions to compare.
#[derive(Debug)]
struct Inputs {
    old: Old,
    new: PathBuf,
    new_bytes: Vec<u8>,
    /// The new file's path in GitHub annotations: relative to the repository root, so
    /// annotations land on the pull request's lines from any folder.
    annotate_as: String,
}

fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    crate::read_source(path).map_err(|e| match e {
        crate::Error::Refused(reason) => super::path_refused(reason),
        other => Failure::Usage(other.to_string()),
    })
}

/// Validates both versions; every invalid one is reported (saying which side) before failing.
fn load_both(inputs: &Inputs, format: Format, style: Style) -> Result<(Option<Definition>, Definition), Failure> {
    let old = match &inputs.old {
        Old::File(path) => Some(crate::diff::load(path.clone(), &read(path)?)),
        Old::Git { shown, bytes } => Some(crate::diff::load(shown.as_str(), bytes)),
        Old::Missing { shown } => {
            if !style.quiet {
                errln!(
                    "note: `{}` does not exist; everything in {} is new",
                    crate::escape::shown(shown),
                    super::shown_path(&inputs.new)
                );
            }
            None
        }
    };
    let new = crate::diff::load(inputs.new.clone(), &inputs.new_bytes);
    if let Some(Err(d)) = &old {
        report_invalid("old", d, format, style, &inputs.annotate_as);
    }
    if let Err(d) = &new {
        report_invalid("new", d, format, style, &inputs.annotate_as);
    }
    match (old, new) {
        (None, Ok(new)) => Ok((None, new)),
        (Some(Ok(old)), Ok(new)) => Ok((Some(old), new)),
        _ => Err(Failure::Checked),
    }
}

fn report_invalid(side: &str, d: &Diagnostics, format: Format, style: Style, annotate_as: &str) {
    if format == Format::Github && side == "new" {
        // The new file is the pull request's: its errors belong on its lines.
        out!("{}", d.to_github_as(annotate_as));
    }
    err!("{}", d.render_human(style.color));
    errln!(
        "error: the {side} version `{}` is invalid ({}); diff compares two valid files",
        super::shown_path(&d.source().path),
        plural(d.errors().count(), "error")
    );
}
