//! `diff --format markdown`: the report as a pull request comment or a `$GITHUB_STEP_SUMMARY`:
//! a verdict, a table of the breaking changes, each role's grants and revocations, the other
//! access changes and the notes. Every string from roles.toml (names in messages, deprecation
//! reasons, the path) is escaped for Markdown and HTML: a hostile description cannot add a
//! link, an image, a table row or a tag to the comment.

use std::fmt::Write as _;

use super::view::{RoleAccess, View, code_shown};
use crate::diff::{Class, Finding, Grant};
use crate::render::Md;

/// Text in Markdown, its `` `name` `` spans kept as code spans when what they hold is a plain
/// identifier (names are snake_case; a rule reads `allow_if_permission [a, b]`), everything else
/// escaped, so a backtick in user text opens nothing.
pub(super) fn inline(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    let mut out = String::with_capacity(text.len() + 8);
    for (i, part) in parts.iter().enumerate() {
        let inside = i % 2 == 1;
        let closed = i + 1 < parts.len() || !inside;
        if inside && closed && !part.is_empty() && part.bytes().all(is_code_byte) {
            let _ = write!(out, "`{part}`");
        } else if inside {
            let _ = write!(out, "\\`{}{}", text_cell(part), if closed { "\\`" } else { "" });
        } else {
            out.push_str(&text_cell(part));
        }
    }
    out
}

/// Text in a table cell or list item: Markdown and HTML escaped ([`Md::cell`]), and nothing
/// GitHub would turn into a link by itself (`https://…`, `www.…`, `user@host`).
fn text_cell(text: &str) -> String {
    Md::cell(text).replace("://", "\\://").replace("www.", "www\\.").replace('@', "\\@")
}

/// What a code span may hold here: a name, a package, a rule's list.
fn is_code_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b" _.:,-[]=/".contains(&b)
}

impl View<'_> {
    /// The whole comment.
    pub(super) fn markdown(&self) -> String {
        let mut out = format!("## role-gen diff: {}\n\n", inline(&format!("`{}`", self.file)));
        let _ = writeln!(out, "{}\n", self.markdown_verdict());
        self.markdown_breaking(&mut out);
        self.markdown_access(&mut out);
        self.markdown_notes(&mut out);
        out
    }

    fn markdown_verdict(&self) -> String {
        match self.failure() {
            Some(reasons) => format!("❌ **Fails:** {}.", Md::cell(&reasons)),
            None => format!("✅ **Passes:** {}.", Md::cell(&self.success_summary())),
        }
    }

    fn markdown_breaking(&self, out: &mut String) {
        let breaking = &self.report.breaking;
        if breaking.is_empty() {
            return;
        }
        let _ = writeln!(out, "### Breaking changes ({})\n", breaking.len());
        out.push_str("| | Class | Code | Change | Where | Help |\n|---|---|---|---|---|---|\n");
        for f in breaking {
            let mark = if f.allowed { "☑️ allowed" } else { "❌" };
            let class = if f.change.class() == Class::Wire { "wire" } else { "source" };
            let _ = writeln!(out, "| {mark} | {class} | {} |", self.finding_cells(f));
        }
        out.push('\n');
    }

    /// `` `code` | message | where | help `` of a finding's table row.
    fn finding_cells(&self, f: &Finding) -> String {
        let place = f.span.as_ref().map_or_else(|| "—".to_string(), |s| inline(&format!("`{}`", self.location(s))));
        let help = f.help.as_deref().map_or_else(|| "—".to_string(), inline);
        format!("`{}` | {} | {place} | {help}", f.change.as_str(), inline(&f.message))
    }

    fn markdown_access(&self, out: &mut String) {
        let access = &self.report.access;
        if access.is_empty() {
            return;
        }
        let _ = writeln!(out, "### Access changes ({})\n", Md::cell(&self.access_counts()));
        let groups = self.by_role();
        if !groups.is_empty() {
            out.push_str("| Role | Granted | Revoked |\n|---|---|---|\n");
            for group in &groups {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} |",
                    role_cell(self, group),
                    grants(&group.granted),
                    grants(&group.revoked)
                );
            }
            out.push('\n');
        }
        for f in &access.other {
            let _ = writeln!(out, "- `{}`: {}", code_shown(f), inline(&f.message));
        }
        if !access.other.is_empty() {
            out.push('\n');
        }
    }

    fn markdown_notes(&self, out: &mut String) {
        let notes = &self.report.notes;
        if notes.is_empty() || self.quiet {
            return;
        }
        let _ = writeln!(out, "<details><summary>Notes ({})</summary>\n", notes.len());
        for f in notes {
            let _ = writeln!(out, "- `{}`: {}", f.change.as_str(), inline(&f.message));
        }
        out.push_str("\n</details>\n");
    }
}

/// The role's name, with what happened to it.
fn role_cell(view: &View<'_>, group: &RoleAccess<'_>) -> String {
    let tag = match (&group.span, view.old_roles.contains(group.role)) {
        (None, _) => " (removed)",
        (Some(_), false) => " (new)",
        (Some(_), true) => "",
    };
    let allowed = if group.allowed() { " ☑️ allowed" } else { "" };
    format!("{}{tag}{allowed}", inline(&format!("`{}`", group.role)))
}

/// `` `view` (via `viewer`)<br>`edit` ``, or `—`.
fn grants(list: &[&Grant]) -> String {
    if list.is_empty() {
        return "—".into();
    }
    let items: Vec<String> = list
        .iter()
        .map(|g| {
            let via = g.via.get(1..).filter(|v| !v.is_empty()).map(|v| {
                let chain: Vec<String> = v.iter().map(|r| inline(&format!("`{r}`"))).collect();
                format!(" (via {})", chain.join(" › "))
            });
            format!("{}{}", inline(&format!("`{}`", g.permission)), via.unwrap_or_default())
        })
        .collect();
    items.join("<br>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_stay_code_and_everything_else_is_escaped() {
        assert_eq!(inline("permission `view` was removed"), "permission `view` was removed");
        assert_eq!(inline("reason: a | b <script>"), "reason: a \\| b &lt;script&gt;");
        assert_eq!(inline("use `x y!` now"), "use \\`x y!\\` now");
        assert_eq!(inline("odd ` tick"), "odd \\` tick");
        assert_eq!(inline("[link](http://x) ![img](y)"), "\\[link\\](http\\://x) !\\[img\\](y)");
        assert_eq!(inline("see www.x.org or a@b.c"), "see www\\.x.org or a\\@b.c");
        assert_eq!(inline("`a`|`b`"), "`a`\\|`b`");
    }
}
