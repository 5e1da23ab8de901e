//! What the per-target views really share: the `@generated` header, joined lists, ids in order,
//! comment escaping for the C-like languages (Rust, TypeScript, protobuf all take `//`, `///`
//! and `/* … */`), and the documentation of a custom predicate.

use std::fmt::Write as _;

use serde::Serialize;

use crate::escape::is_invisible;
use crate::model::{Model, Policy, RuleKind};

/// The first line of every generated file (inside each language's comment).
pub fn header(model: &Model) -> String {
    let name = header_name(model.source_name());
    format!("{} from {name}. Do not edit: change {name} and run `role-gen generate`.", crate::outputs::GENERATED_MARKER)
}

/// The source file's name as the header shows it: one line of printable ASCII that no
/// language's comment can end early. A file name may hold a newline (the next line would be
/// code in roles.rs), U+2028 (a line end to JavaScript), a control character or `-->` (the end
/// of ROLES.md's HTML comment): anything but printable ASCII, and `\` and `>`, is `\u{…}`.
fn header_name(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            ' '..='~' if c != '\\' && c != '>' => c.to_string(),
            _ => format!("\\u{{{:x}}}", u32::from(c)),
        })
        .collect()
}

/// `each` of every item, joined by `, `.
pub fn joined<T>(items: impl IntoIterator<Item = T>, each: impl Fn(T) -> String) -> String {
    items.into_iter().map(each).collect::<Vec<_>>().join(", ")
}

/// Indices ascending: permissions and roles are in id order, so this is id order too.
pub fn sorted<I: Ord + Copy>(list: &[I]) -> Vec<I> {
    let mut v = list.to_vec();
    v.sort_unstable();
    v
}

/// One rule of a policy's evaluator: `if (condition) return the decision of rule index`.
#[derive(Serialize)]
pub struct RuleView {
    index: usize,
    allow: bool,
    condition: String,
    /// The rule's name, as the inside of a string literal.
    name: String,
}

/// The rules of `policy` that can fire, each with its condition as `condition` spells it
/// (`None`: the rule never fires, as `deny_if_legacy = []`) and its name as `string` quotes it.
pub fn rules(
    model: &Model,
    policy: &Policy,
    condition: fn(&Model, &RuleKind) -> Option<String>,
    string: fn(&str) -> String,
) -> Vec<RuleView> {
    let rule = |(index, kind): (usize, &RuleKind)| {
        let condition = condition(model, kind)?;
        Some(RuleView { index, allow: kind.allows(), condition, name: string(&model.rule_name(kind)) })
    };
    policy.rules.iter().map(|r| &r.kind).enumerate().filter_map(rule).collect()
}

/// Text made safe for one line of a comment in any C-like or `#` language: newlines, control
/// and invisible characters become visible escapes, and comment terminators are broken up.
fn comment_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\t' => out.push(' '),
            c if is_invisible(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    let mut out = out.replace("*/", "*\\/").replace("/*", "/\\*");
    // A line ending in a backslash continues onto the next one in C, C++ and Go (even with
    // spaces between): the generated code on the next line would become part of the comment.
    if out.trim_end().ends_with('\\') {
        let end = out.trim_end().len();
        out.replace_range(end - 1..end, "\\u{5c}");
    }
    out
}

/// A description as the lines of a comment: one entry per source line, each escaped and
/// trimmed at the end (no trailing whitespace in generated files); none for an empty text.
pub fn comment_lines(s: &str) -> Vec<String> {
    if s.is_empty() {
        return Vec::new();
    }
    s.split('\n').map(|l| comment_line(l).trim_end().to_string()).collect()
}

/// Text on one comment line: its lines joined by spaces.
pub fn one_comment_line(s: &str) -> String {
    comment_lines(s).join(" ")
}

/// Lines made safe for a comment each, blank lines kept (they separate paragraphs).
pub fn comment_block(lines: &[String]) -> Vec<String> {
    lines.iter().flat_map(|l| if l.is_empty() { vec![String::new()] } else { comment_lines(l) }).collect()
}

/// A predicate's documentation: its description (or a note that it has none), then the
/// rules asking about it. Raw text: each language escapes it its own way.
pub fn predicate_doc(model: &Model, name: &str) -> Vec<String> {
    let mut lines: Vec<String> = match model.predicate_description(name) {
        Some(d) => d.lines().map(str::to_string).collect(),
        None => vec![format!("The custom predicate `{name}` (describe it under `[predicates.{name}]` in roles.toml).")],
    };
    lines.push(String::new());
    lines.push("Asked by:".to_string());
    for (p, rules) in model.predicate_uses(name) {
        let policy = &model.policies()[p];
        for r in rules {
            lines.push(format!("- `{}`, rule {} (`{}`)", policy.name, r + 1, model.rule_name(&policy.rules[r].kind)));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_names_any_file_on_one_line_no_comment_can_end() {
        let name = "x\n pub fn evil() {} --> \u{2028}\r\\ y.toml";
        assert_eq!(header_name(name), "x\\u{a} pub fn evil() {} --\\u{3e} \\u{2028}\\u{d}\\u{5c} y.toml");
        assert_eq!(header_name("svc/roles.toml"), "svc/roles.toml");
    }

    #[test]
    fn comments_cannot_be_closed_early() {
        assert_eq!(comment_lines("a */ b\nc /* d"), vec!["a *\\/ b", "c /\\* d"]);
    }

    #[test]
    fn comment_lines_never_end_in_a_line_continuation() {
        assert_eq!(comment_lines("path C:\\\nnext"), vec!["path C:\\u{5c}", "next"]);
        assert_eq!(comment_lines("a\\ "), vec!["a\\u{5c}"]);
    }

    #[test]
    fn comment_blocks_keep_paragraph_breaks() {
        let lines = ["a\nb".to_string(), String::new(), "c".to_string()];
        assert_eq!(comment_block(&lines), vec!["a", "b", "", "c"]);
    }
}
