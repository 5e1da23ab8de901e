//! `diff`: what a pull request to roles.toml breaks and whose access it changes.
//!
//! The comparison itself is [`crate::diff`]; this module finds the two versions (two files, or
//! the current file and its version at a git revision), validates both, renders the report
//! (human, JSON, GitHub annotations) and turns it into an exit code.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use super::output::{err, errln, out, outln};
use super::{Cli, Command, FailOn, Failure, Format, Style, find_roles_file};
use crate::diagnostic::{Diagnostics, github_data, github_property, json_string};
use crate::diff::{Class, Definition, Finding, Grant, Report};
use crate::escape::shown;
use crate::source::Span;

/// Runs `diff`.
pub fn run(cli: &Cli, style: Style) -> Result<(), Failure> {
    let Command::Diff { old, new, against, fail_on, format } = &cli.command else {
        return Err(Failure::Usage("internal error: `diff` was asked to run another command".into()));
    };
    let inputs = inputs(cli.file.as_deref(), old.as_deref(), new.as_deref(), against.as_deref())?;
    let (old, new) = load_both(&inputs, *format, style)?;
    let old_model = old.map_or_else(|| crate::diff::empty_like(&new.model), |d| d.model);
    let report = crate::diff::compare(&old_model, &new.model);
    let view = View {
        report: &report,
        new: &new,
        file: &inputs.annotate_as,
        old_roles: old_model.roles.iter().map(|r| r.name.as_str()).collect(),
        fail_access: fail_on.contains(&FailOn::Access),
        quiet: style.quiet,
    };
    match format {
        Format::Human => out!("{}", view.human(style.color && std::io::stdout().is_terminal())),
        Format::Json => outln!("{}", view.json()),
        Format::Github => out!("{}", view.github()),
    }
    view.verdict(*format)
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
    /// The new file's path in GitHub annotations: relative to the repository root when known
    /// (`--against`), so annotations land on the pull request's lines from any folder.
    annotate_as: String,
}

fn inputs(
    file: Option<&Path>,
    old: Option<&Path>,
    new: Option<&Path>,
    against: Option<&str>,
) -> Result<Inputs, Failure> {
    let new = match (new, file) {
        (Some(_), Some(_)) => {
            return Err(Failure::Usage("NEW and `-f` both name the new roles.toml; give one of them".into()));
        }
        (Some(new), None) => new.to_path_buf(),
        (None, _) if old.is_none() && against.is_none() => {
            return Err(Failure::Usage(
                "`diff` needs the old version: `role-gen diff OLD [NEW]` or `role-gen diff --against GIT_REV`".into(),
            ));
        }
        (None, file) => find_roles_file(file)?,
    };
    let new_bytes = read(&new)?;
    let shown_new = new.display().to_string();
    match (old, against) {
        (_, Some(rev)) => {
            let (old, repo_path) = from_git(&new, rev)?;
            Ok(Inputs { old, new, new_bytes, annotate_as: repo_path })
        }
        (Some(old), None) => Ok(Inputs { old: Old::File(old.to_path_buf()), new, new_bytes, annotate_as: shown_new }),
        (None, None) => Err(Failure::Usage("`diff` needs OLD or `--against GIT_REV`".into())),
    }
}

fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    crate::read_source(path).map_err(|e| match e {
        crate::Error::Refused(reason) => super::path_refused(reason),
        other => Failure::Usage(other.to_string()),
    })
}

/// The version of `file` at `rev`, and `file`'s path from the repository root.
fn from_git(file: &Path, rev: &str) -> Result<(Old, String), Failure> {
    if rev.starts_with('-') || rev.is_empty() {
        // Never let a revision reach git as an option (`--output=…` would write a file).
        return Err(Failure::Usage(format!("`{rev}` is not a git revision")));
    }
    let dir = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Failure::Usage(format!("`{}` does not name a file", file.display())))?;
    let shown_dir =
        if dir == Path::new(".") { "the current folder".to_string() } else { format!("`{}`", dir.display()) };
    let prefix = git_ok(dir, &["rev-parse", "--show-prefix"])?.map_err(|stderr| {
        Failure::Usage(format!("`--against` needs a git repository, and {shown_dir} is not in one ({stderr})"))
    })?;
    let resolved = git_ok(dir, &["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")])?
        .map_err(|_| Failure::Usage(format!("unknown git revision `{rev}`")))?;
    let commit = one_commit_id(&resolved).ok_or_else(|| {
        Failure::Usage(format!(
            "`{rev}` does not name one commit (git resolves it to `{}`); give a branch, tag or commit id",
            resolved.trim()
        ))
    })?;
    let repo_path = format!("{}{name}", prefix.trim_end_matches(['\n', '\r']));
    let shown = format!("{rev}:{repo_path}");
    // The verified commit id, not the user's text, goes to git from here on.
    let object = format!("{commit}:{repo_path}");
    if !git(dir, &["cat-file", "-e", &object])?.status.success() {
        return Ok((Old::Missing { shown }, repo_path));
    }
    let out = git(dir, &["show", &object])?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(Failure::Usage(format!("cannot read `{shown}` from git: {stderr}")));
    }
    Ok((Old::Git { shown, bytes: out.stdout }, repo_path))
}

/// The commit id when `rev-parse` printed exactly one full object id (40 hex digits, or 64 in a
/// SHA-256 repository) and nothing else. `--verify` alone lets through revisions that resolve
/// with a prefix: `^HEAD` ("not HEAD") prints `^<id>`, and the `^<id>:roles.toml` built from it
/// names nothing, which read as "the file did not exist" and let a breaking change pass.
fn one_commit_id(resolved: &str) -> Option<&str> {
    let id = resolved.trim_end_matches(['\n', '\r']);
    let full = matches!(id.len(), 40 | 64) && id.bytes().all(|b| b.is_ascii_hexdigit());
    full.then_some(id)
}

/// Runs git in `dir`; only a git that cannot be started is an error here.
fn git(dir: &Path, args: &[&str]) -> Result<std::process::Output, Failure> {
    Process::new("git").arg("-C").arg(dir).args(args).output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Failure::Usage("`--against` needs git, and `git` is not installed or not on PATH".into())
        } else {
            Failure::Usage(format!("cannot run git: {e}"))
        }
    })
}

/// git's stdout when it succeeds, its stderr (trimmed) when it fails; the outer error is a git
/// that cannot be started, which no retry with other arguments would fix.
fn git_ok(dir: &Path, args: &[&str]) -> Result<Result<String, String>, Failure> {
    let out = git(dir, args)?;
    Ok(if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    })
}

/// Validates both versions; every invalid one is reported (saying which side) before failing.
fn load_both(inputs: &Inputs, format: Format, style: Style) -> Result<(Option<Definition>, Definition), Failure> {
    let old = match &inputs.old {
        Old::File(path) => Some(crate::diff::load(path.clone(), &read(path)?)),
        Old::Git { shown, bytes } => Some(crate::diff::load(shown.as_str(), bytes)),
        Old::Missing { shown } => {
            if !style.quiet {
                errln!("note: `{shown}` does not exist; everything in {} is new", inputs.new.display());
            }
            None
        }
    };
    let new = crate::diff::load(inputs.new.clone(), &inputs.new_bytes);
    if let Some(Err(d)) = &old {
        report_invalid("old", d, format, style);
    }
    if let Err(d) = &new {
        report_invalid("new", d, format, style);
    }
    match (old, new) {
        (None, Ok(new)) => Ok((None, new)),
        (Some(Ok(old)), Ok(new)) => Ok((Some(old), new)),
        _ => Err(Failure::Checked),
    }
}

fn report_invalid(side: &str, d: &Diagnostics, format: Format, style: Style) {
    if format == Format::Github && side == "new" {
        // The new file is the pull request's: its errors belong on its lines.
        out!("{}", d.to_github());
    }
    err!("{}", d.render_human(style.color));
    let errors = d.errors().count();
    errln!(
        "error: the {side} version `{}` is invalid ({errors} error{}); diff compares two valid files",
        d.source().path.display(),
        if errors == 1 { "" } else { "s" }
    );
}

/// A report and what it needs to be shown.
struct View<'a> {
    report: &'a Report,
    new: &'a Definition,
    /// The new file's path in annotations.
    file: &'a str,
    old_roles: HashSet<&'a str>,
    fail_access: bool,
    quiet: bool,
}

/// One role's gains and losses.
struct RoleAccess<'a> {
    role: &'a str,
    span: Option<Span>,
    granted: Vec<&'a Grant>,
    revoked: Vec<&'a Grant>,
}

impl<'a> View<'a> {
    /// Whether access changes fail this run.
    fn access_fails(&self) -> bool {
        self.fail_access && !self.report.access.is_empty()
    }

    /// Exit 1 on breaking changes, and on access changes with `--fail-on access`.
    fn verdict(&self, format: Format) -> Result<(), Failure> {
        let mut reasons = Vec::new();
        let breaking = &self.report.breaking;
        if !breaking.is_empty() {
            let wire = breaking.iter().filter(|f| f.change.class() == Class::Wire).count();
            let classes: Vec<String> = [(wire, "wire"), (breaking.len() - wire, "source")]
                .iter()
                .filter(|(n, _)| *n > 0)
                .map(|(n, class)| format!("{n} {class}"))
                .collect();
            reasons.push(format!("{} ({})", plural(breaking.len(), "breaking change"), classes.join(", ")));
        }
        if self.access_fails() {
            reasons.push(format!("access changed ({}) and `--fail-on access` is set", self.access_counts()));
        }
        if !reasons.is_empty() {
            errln!("error: {}", reasons.join("; "));
            return Err(Failure::Checked);
        }
        if format == Format::Human && !self.quiet {
            outln!("{}", self.success_summary());
        }
        Ok(())
    }

    fn success_summary(&self) -> String {
        if self.report.is_empty() {
            return "no changes".into();
        }
        if self.report.access.is_empty() {
            return "no breaking changes; no access changes".into();
        }
        format!("no breaking changes; access: {}", self.access_counts())
    }

    fn access_counts(&self) -> String {
        let a = &self.report.access;
        let mut parts = vec![format!("{} granted", a.granted.len()), format!("{} revoked", a.revoked.len())];
        if !a.other.is_empty() {
            parts.push(format!("{} other", a.other.len()));
        }
        parts.join(", ")
    }

    /// Grants and revocations grouped by role: roles in the new file's order, removed roles last.
    fn by_role(&self) -> Vec<RoleAccess<'a>> {
        let order: HashMap<&str, usize> =
            self.new.model.roles.iter().enumerate().map(|(i, r)| (r.name.as_str(), i)).collect();
        let mut groups: Vec<RoleAccess<'a>> = Vec::new();
        let mut at: HashMap<&str, usize> = HashMap::new();
        let access = &self.report.access;
        let all = access.granted.iter().map(|g| (g, true)).chain(access.revoked.iter().map(|g| (g, false)));
        for (g, gained) in all {
            let i = *at.entry(g.role.as_str()).or_insert_with(|| {
                groups.push(RoleAccess { role: &g.role, span: g.span.clone(), granted: vec![], revoked: vec![] });
                groups.len() - 1
            });
            if gained { groups[i].granted.push(g) } else { groups[i].revoked.push(g) }
        }
        groups.sort_by_key(|g| order.get(g.role).copied().unwrap_or(usize::MAX));
        groups
    }

    /// `path:line:col` of a span in the new file.
    fn location(&self, span: &Span) -> String {
        let (line, col) = self.new.source.line_col(span.start);
        format!("{}:{line}:{col}", self.new.source.path.display())
    }

    /// The readable report: breaking changes by class, access by role, notes. `--quiet` keeps
    /// only what fails.
    fn human(&self, color: bool) -> String {
        let paint = Paint(color);
        let mut out = String::new();
        for (class, title) in [(Class::Wire, "wire-breaking changes"), (Class::Source, "source-breaking changes")] {
            let found: Vec<&Finding> = self.report.breaking.iter().filter(|f| f.change.class() == class).collect();
            self.human_findings(&mut out, paint, title, &found, "1;31");
        }
        if !self.quiet || self.access_fails() {
            self.human_access(&mut out, paint);
        }
        if !self.quiet {
            let notes: Vec<&Finding> = self.report.notes.iter().collect();
            self.human_findings(&mut out, paint, "notes", &notes, "1;36");
        }
        out
    }

    fn human_findings(&self, out: &mut String, paint: Paint, title: &str, found: &[&Finding], code_style: &str) {
        if found.is_empty() {
            return;
        }
        let _ = writeln!(out, "{}", paint.wrap("1", &format!("{title} ({})", found.len())));
        for f in found {
            let _ = writeln!(out, "  {}: {}", paint.wrap(code_style, f.change.as_str()), shown(&f.message));
            if let Some(span) = &f.span {
                let _ = writeln!(out, "    {} {}", paint.wrap("1;34", "-->"), self.location(span));
            }
            if let Some(help) = &f.help {
                let _ = writeln!(out, "    {} {}", paint.wrap("1;34", "help:"), shown(help));
            }
        }
        out.push('\n');
    }

    fn human_access(&self, out: &mut String, paint: Paint) {
        let access = &self.report.access;
        if access.is_empty() {
            return;
        }
        let _ = writeln!(out, "{}", paint.wrap("1", &format!("access changes ({})", self.access_counts())));
        for group in self.by_role() {
            let tag = match (&group.span, self.old_roles.contains(group.role)) {
                (None, _) => " (removed)",
                (Some(_), false) => " (new)",
                (Some(_), true) => "",
            };
            let _ = writeln!(out, "  {}{tag}", paint.wrap("1", group.role));
            let width = group.granted.iter().chain(&group.revoked).map(|g| g.permission.len()).max().unwrap_or(0);
            for (sign, style, list) in [("+", "32", &group.granted), ("-", "31", &group.revoked)] {
                for g in list {
                    let via = if g.via.len() > 1 { format!("  via {}", g.via[1..].join(" > ")) } else { String::new() };
                    let item = format!("{sign} {:<width$}", g.permission);
                    let line = format!("    {}{via}", paint.wrap(style, &item));
                    let _ = writeln!(out, "{}", line.trim_end());
                }
            }
        }
        for f in &access.other {
            let _ = writeln!(out, "  {}: {}", paint.wrap("1;33", f.change.as_str()), shown(&f.message));
            if let Some(span) = &f.span {
                let _ = writeln!(out, "    {} {}", paint.wrap("1;34", "-->"), self.location(span));
            }
        }
        out.push('\n');
    }

    /// SPEC section 3's shape, plus `class`, `help` and `line` on findings, `via` on grants,
    /// `access.other` and `notes`.
    fn json(&self) -> String {
        let findings =
            |list: &[Finding]| format!("[{}]", list.iter().map(|f| self.json_finding(f)).collect::<Vec<_>>().join(","));
        let grants = |list: &[Grant]| format!("[{}]", list.iter().map(json_grant).collect::<Vec<_>>().join(","));
        let a = &self.report.access;
        format!(
            "{{\"breaking\":{},\"access\":{{\"granted\":{},\"revoked\":{},\"other\":{}}},\"notes\":{}}}",
            findings(&self.report.breaking),
            grants(&a.granted),
            grants(&a.revoked),
            findings(&a.other),
            findings(&self.report.notes)
        )
    }

    fn json_finding(&self, f: &Finding) -> String {
        let line = f.span.as_ref().map_or("null".to_string(), |s| self.new.source.line_col(s.start).0.to_string());
        let help = f.help.as_deref().map_or("null".to_string(), json_string);
        format!(
            "{{\"code\":{},\"message\":{},\"class\":{},\"help\":{help},\"line\":{line}}}",
            json_string(f.change.as_str()),
            json_string(&f.message),
            json_string(f.change.class().as_str())
        )
    }

    /// Workflow annotations on the new file's lines: breaking changes are errors, access changes
    /// warnings (errors with `--fail-on access`), one per role so a large change stays within
    /// GitHub's per-step annotation limit; notes are notices.
    fn github(&self) -> String {
        let mut out = String::new();
        for f in &self.report.breaking {
            self.annotation(&mut out, "error", f.change.as_str(), &with_help(f), f.span.as_ref());
        }
        let level = if self.fail_access { "error" } else { "warning" };
        if !self.quiet || self.fail_access {
            for group in self.by_role() {
                self.annotation(&mut out, level, "access-changed", &role_summary(&group), group.span.as_ref());
            }
            for f in &self.report.access.other {
                self.annotation(&mut out, level, f.change.as_str(), &with_help(f), f.span.as_ref());
            }
        }
        if !self.quiet {
            for f in &self.report.notes {
                self.annotation(&mut out, "notice", f.change.as_str(), &with_help(f), f.span.as_ref());
            }
        }
        out
    }

    fn annotation(&self, out: &mut String, kind: &str, title: &str, message: &str, span: Option<&Span>) {
        let mut props = format!("file={}", github_property(self.file));
        if let Some(span) = span {
            let (line, col) = self.new.source.line_col(span.start);
            let _ = write!(props, ",line={line},col={col}");
        }
        let _ = writeln!(out, "::{kind} {props},title={}::{}", github_property(title), github_data(message));
    }
}

fn json_grant(g: &Grant) -> String {
    let via: Vec<String> = g.via.iter().map(|r| json_string(r)).collect();
    format!(
        "{{\"role\":{},\"permission\":{},\"via\":[{}]}}",
        json_string(&g.role),
        json_string(&g.permission),
        via.join(",")
    )
}

/// A finding's annotation text. Messages quote user text (a deprecation reason), so what could
/// hide or reorder it is escaped; the line break before `help:` is ours.
fn with_help(f: &Finding) -> String {
    match &f.help {
        Some(help) => format!("{}\nhelp: {}", shown(&f.message), shown(help)),
        None => shown(&f.message),
    }
}

/// "role `admin`: granted `delete` (via `editor`), `view`; revoked `edit`".
fn role_summary(group: &RoleAccess<'_>) -> String {
    let list = |grants: &[&Grant]| {
        let items: Vec<String> = grants
            .iter()
            .map(|g| match g.via.get(1..).filter(|v| !v.is_empty()) {
                Some(via) => format!(
                    "`{}` (via {})",
                    g.permission,
                    via.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(" > ")
                ),
                None => format!("`{}`", g.permission),
            })
            .collect();
        items.join(", ")
    };
    let mut parts = Vec::new();
    if !group.granted.is_empty() {
        parts.push(format!("granted {}", list(&group.granted)));
    }
    if !group.revoked.is_empty() {
        parts.push(format!("revoked {}", list(&group.revoked)));
    }
    format!("role `{}`: {}", group.role, parts.join("; "))
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// ANSI styling, a no-op when colour is off.
#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn wrap(self, style: &str, text: &str) -> String {
        if self.0 { format!("\x1b[{style}m{text}\x1b[0m") } else { text.to_string() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_like_revisions_never_reach_git() {
        let err = from_git(Path::new("roles.toml"), "--output=/tmp/x").map(|_| ()).map_err(|f| match f {
            Failure::Usage(m) => m,
            Failure::Checked => String::new(),
        });
        assert_eq!(err, Err("`--output=/tmp/x` is not a git revision".to_string()));
    }

    #[test]
    fn only_one_full_object_id_is_a_commit() {
        let sha1 = "fb1ffc5472dd2b76e0cbd533278c7d5f11005372";
        let sha256 = "a".repeat(64);
        assert_eq!(one_commit_id(&format!("{sha1}\n")), Some(sha1));
        assert_eq!(one_commit_id(&format!("{sha256}\n")), Some(sha256.as_str()));
        for bad in [format!("^{sha1}\n"), format!("{sha1}\n^{sha1}\n"), sha1[..39].to_string(), String::new()] {
            assert_eq!(one_commit_id(&bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_role_summary_names_the_chain() {
        let g = Grant {
            role: "admin".into(),
            permission: "view".into(),
            via: vec!["admin".into(), "viewer".into()],
            span: None,
        };
        let d = Grant { role: "admin".into(), permission: "edit".into(), via: vec!["admin".into()], span: None };
        let group = RoleAccess { role: "admin", span: None, granted: vec![&g], revoked: vec![&d] };
        assert_eq!(role_summary(&group), "role `admin`: granted `view` (via `viewer`); revoked `edit`");
    }
}
