//! `diff`'s report shown: as text for a terminal, as GitHub workflow annotations on the new
//! file's lines, and the verdict that turns it into an exit code. The JSON is [`super::json`].

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use crate::cli::output::{errln, outln};
use crate::cli::{Failure, plural};
use crate::diagnostic::{github_data, github_property};
use crate::diff::{Class, Definition, Finding, Grant, Report};
use crate::escape::shown;
use crate::source::Span;

/// A report and what it needs to be shown.
pub(super) struct View<'a> {
    pub report: &'a Report,
    pub new: &'a Definition,
    /// The new file's path in annotations.
    pub file: &'a str,
    pub old_roles: HashSet<&'a str>,
    pub fail_access: bool,
    pub quiet: bool,
}

/// `code` or `code (allowed)`.
pub(super) fn code_shown(f: &Finding) -> String {
    if f.allowed { format!("{} (allowed)", f.change.as_str()) } else { f.change.as_str().to_string() }
}

/// One role's gains and losses.
pub(super) struct RoleAccess<'a> {
    pub role: &'a str,
    pub span: Option<Span>,
    pub granted: Vec<&'a Grant>,
    pub revoked: Vec<&'a Grant>,
}

impl RoleAccess<'_> {
    /// Whether a reviewer accepted this role's access change (`access-changed:ROLE`).
    pub fn allowed(&self) -> bool {
        self.granted.iter().chain(&self.revoked).all(|g| g.allowed)
    }
}

impl<'a> View<'a> {
    /// Whether access changes fail this run.
    fn access_fails(&self) -> bool {
        self.fail_access && self.report.access_fails()
    }

    /// Why the run fails, if it does: breaking changes no reviewer accepted, and access changes
    /// with `--fail-on access`.
    pub(super) fn failure(&self) -> Option<String> {
        let mut reasons = Vec::new();
        let breaking: Vec<&Finding> = self.report.failing_breaking().collect();
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
        (!reasons.is_empty()).then(|| reasons.join("; "))
    }

    /// Exit 1 on breaking changes no reviewer accepted, and on access changes with `--fail-on
    /// access`.
    pub(super) fn verdict(&self, human: bool) -> Result<(), Failure> {
        if let Some(reasons) = self.failure() {
            errln!("error: {reasons}");
            return Err(Failure::Checked);
        }
        if human && !self.quiet {
            outln!("{}", self.success_summary());
        }
        Ok(())
    }

    /// The one line a passing run ends with.
    pub(super) fn success_summary(&self) -> String {
        if self.report.is_empty() {
            return "no changes".into();
        }
        let allowed = self.report.allowed_count();
        let accepted =
            if allowed > 0 { format!("{} accepted by review; ", plural(allowed, "change")) } else { String::new() };
        if self.report.access.is_empty() {
            return format!("{accepted}no breaking changes; no access changes");
        }
        format!("{accepted}no breaking changes; access: {}", self.access_counts())
    }

    pub(super) fn access_counts(&self) -> String {
        let a = &self.report.access;
        let mut parts = vec![format!("{} granted", a.granted.len()), format!("{} revoked", a.revoked.len())];
        if !a.other.is_empty() {
            parts.push(format!("{} other", a.other.len()));
        }
        parts.join(", ")
    }

    /// Grants and revocations grouped by role: roles in the new file's order, removed roles last.
    pub(super) fn by_role(&self) -> Vec<RoleAccess<'a>> {
        let order: HashMap<&str, usize> =
            self.new.model.roles().iter().enumerate().map(|(i, r)| (r.name.as_str(), i)).collect();
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
    pub(super) fn location(&self, span: &Span) -> String {
        let (line, col) = self.new.source.line_col(span.start);
        format!("{}:{line}:{col}", crate::cli::shown_path(&self.new.source.path))
    }

    /// The readable report: breaking changes by class, access by role, notes. `--quiet` keeps
    /// only what fails.
    pub(super) fn human(&self, color: bool) -> String {
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
            let style = if f.allowed { "1;33" } else { code_style };
            let _ = writeln!(out, "  {}: {}", paint.wrap(style, &code_shown(f)), shown(&f.message));
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
            let allowed = if group.allowed() { " (allowed)" } else { "" };
            let _ = writeln!(out, "  {}{tag}{allowed}", paint.wrap("1", group.role));
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
            let _ = writeln!(out, "  {}: {}", paint.wrap("1;33", &code_shown(f)), shown(&f.message));
            if let Some(span) = &f.span {
                let _ = writeln!(out, "    {} {}", paint.wrap("1;34", "-->"), self.location(span));
            }
        }
        out.push('\n');
    }

    /// Workflow annotations on the new file's lines: breaking changes are errors, access changes
    /// warnings (errors with `--fail-on access`), one per role so a large change stays within
    /// GitHub's per-step annotation limit; notes are notices.
    pub(super) fn github(&self) -> String {
        let mut out = String::new();
        // An accepted break still shows on its line, as a warning.
        for f in &self.report.breaking {
            let level = if f.allowed { "warning" } else { "error" };
            self.annotation(&mut out, level, &code_shown(f), &with_help(f), f.span.as_ref());
        }
        let level = |allowed: bool| if self.fail_access && !allowed { "error" } else { "warning" };
        if !self.quiet || self.fail_access {
            for group in self.by_role() {
                let title = if group.allowed() { "access-changed (allowed)" } else { "access-changed" };
                self.annotation(&mut out, level(group.allowed()), title, &role_summary(&group), group.span.as_ref());
            }
            for f in &self.report.access.other {
                self.annotation(&mut out, level(f.allowed), &code_shown(f), &with_help(f), f.span.as_ref());
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

/// A finding's annotation text. Messages quote user text (a deprecation reason), so what could
/// hide or reorder it is escaped; the line break before `help:` is ours.
fn with_help(f: &Finding) -> String {
    match &f.help {
        Some(help) => format!("{}\nhelp: {}", shown(&f.message), shown(help)),
        None => shown(&f.message),
    }
}

/// "role `admin`: granted `delete` (via `editor`), `view`; revoked `edit`".
pub(super) fn role_summary(group: &RoleAccess<'_>) -> String {
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
    fn a_role_summary_names_the_chain() {
        let g = Grant {
            role: "admin".into(),
            permission: "view".into(),
            via: vec!["admin".into(), "viewer".into()],
            span: None,
            allowed: false,
        };
        let d = Grant {
            role: "admin".into(),
            permission: "edit".into(),
            via: vec!["admin".into()],
            span: None,
            allowed: false,
        };
        let group = RoleAccess { role: "admin", span: None, granted: vec![&g], revoked: vec![&d] };
        assert_eq!(role_summary(&group), "role `admin`: granted `view` (via `viewer`); revoked `edit`");
    }
}
