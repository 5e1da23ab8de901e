//! `diff`: what a pull request to roles.toml breaks and whose access it changes.
//!
//! The comparison itself is [`crate::diff`]; this module finds the two versions (two files, or
//! the current file and its version at a git revision, [`git`]), validates both, applies the
//! breaks a reviewer accepted (`--allow`, `[review] allow`), shows the report ([`view`] for text
//! and GitHub annotations, [`json`], [`markdown`]) and turns it into an exit code.

mod git;
mod json;
mod markdown;
mod view;

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::output::{err, errln, out};
use super::paths::repo_relative;
use super::{Context, Failure, Format, Style, find_roles_file, plural};
use crate::diagnostic::Diagnostics;
use crate::diff::{Allowance, Definition};
use crate::escape::shown;
use crate::model::Model;
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
    /// Accept a reviewed break: every finding of CODE, or only the one about NAME (repeatable;
    /// shown as allowed, never failing)
    #[arg(long, value_name = "CODE[:NAME]", value_delimiter = ',', add = clap_complete::engine::ArgValueCompleter::new(super::complete::diff_codes))]
    allow: Vec<String>,
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    format: DiffFormat,
}

/// How `diff` shows its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Text for a terminal
    Human,
    /// One JSON document
    Json,
    /// GitHub workflow annotations on the new file's lines
    Github,
    /// A pull request comment or `$GITHUB_STEP_SUMMARY`
    Markdown,
}

impl DiffFormat {
    /// How an invalid version's diagnostics are shown.
    fn diagnostics(self) -> Format {
        if self == DiffFormat::Github { Format::Github } else { Format::Human }
    }
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
        let allowed = self.allowances()?;
        let inputs = self.inputs(cx.file.as_deref())?;
        let (old, new) = load_both(&inputs, self.format.diagnostics(), style)?;
        let old_model = old.map_or_else(|| crate::diff::empty_like(&new.model), |d| d.model);
        let mut report = crate::diff::compare(&old_model, &new.model);
        let reviewed = reviewed(&old_model, &new.model, style.quiet);
        for unused in report.allow(&allowed) {
            note_unused(&format!("`--allow {unused}`"), style.quiet);
        }
        for unused in report.allow(&reviewed) {
            note_unused(&format!("`[review] allow` entry `{unused}`"), style.quiet);
        }
        let view = View {
            report: &report,
            new: &new,
            file: &inputs.annotate_as,
            old_roles: old_roles(&old_model, &report),
            fail_access: self.fail_on.contains(&FailOn::Access),
            quiet: style.quiet,
        };
        match self.format {
            DiffFormat::Human => out!("{}", view.human(style.color && std::io::stdout().is_terminal())),
            DiffFormat::Json => crate::cli::json::print(&json::ReportView::new(&report, &new))?,
            DiffFormat::Github => out!("{}", view.github()),
            DiffFormat::Markdown => out!("{}", view.markdown()),
        }
        view.verdict(self.format == DiffFormat::Human)
    }

    /// `--allow`, parsed: an unknown code is a usage error, with a did-you-mean.
    fn allowances(&self) -> Result<Vec<Allowance>, Failure> {
        let parse = |text: &String| {
            Allowance::parse(text)
                .map_err(|e| Failure::Usage(format!("`--allow {}`: {}; {}", shown(text), e.message, e.help)))
        };
        self.allow.iter().filter(|a| !a.trim().is_empty()).map(parse).collect()
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

/// The roles the old version had, by their names in either version (a renamed role is not new).
fn old_roles<'a>(old: &'a Model, report: &'a crate::diff::Report) -> std::collections::HashSet<&'a str> {
    let renamed = report.breaking.iter().filter(|f| f.change == crate::diff::Change::RoleRenamed);
    let new_names = renamed.filter_map(|f| f.subjects.get(1)).map(String::as_str);
    old.roles().iter().map(|r| r.name.as_str()).chain(new_names).collect()
}

/// The new version's `[review] allow` entries that the old version does not have: an entry
/// accepts the breaks of the change that adds it, and no later one (a broad entry left behind
/// would otherwise wave through every future break of its code). Entries both versions have are
/// left out, with a note saying so.
fn reviewed(old: &Model, new: &Model, quiet: bool) -> Vec<Allowance> {
    let (fresh, stale): (Vec<&Allowance>, Vec<&Allowance>) =
        new.review().iter().partition(|a| !old.review().contains(a));
    if !quiet {
        for a in stale {
            errln!(
                "note: `[review] allow` entry `{a}` is in the old version too: it accepted an earlier change, \
                 not this one; remove it"
            );
        }
    }
    fresh.into_iter().cloned().collect()
}

fn note_unused(what: &str, quiet: bool) {
    if !quiet {
        errln!("note: {what} accepted nothing in this diff");
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
    err!("{}", style.human(d));
    errln!(
        "error: the {side} version `{}` is invalid ({}); diff compares two valid files",
        super::shown_path(&d.source().path),
        plural(d.errors().count(), "error")
    );
}
