//! A key or table defined twice. The TOML parser says only "duplicate key" at the second one;
//! this names what was duplicated and finds the first definition, to point at both.
//!
//! Everything before the line of the second definition parsed (the parser reports its first
//! error), so that prefix is parsed again and the duplicated key looked up in it: for a header,
//! by the header's path from the root; for a `key = value` line, by its key path from the table
//! the last header before it opened. What cannot be told apart this way (a key repeated inside
//! an inline table or a multi-line value) is still named, with no second place.

use toml::de::{DeTable, DeValue};

use super::Sp;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;

/// The `toml-syntax` diagnostic for the duplicate key at `span`.
pub(super) fn duplicate_key(text: &str, span: Span) -> Diagnostic {
    let line_start = text[..span.start.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let written = text.get(line_start..span.end).unwrap_or_default().trim_start();
    let key = text.get(span.clone()).unwrap_or_default();
    let found = match written.strip_prefix('[') {
        Some(_) => header(text, line_start, written),
        None => key_in_table(text, line_start, written),
    };
    let Some(found) = found else {
        return Diagnostic::new(Code::TomlSyntax, span, format!("duplicate key `{key}`"))
            .label("given again here")
            .help("a key is given once in its table: keep one of them");
    };
    match found.table {
        None => Diagnostic::new(Code::TomlSyntax, span, format!("table `{}` is defined twice", found.written))
            .label("defined again here")
            .related(found.first, "first defined here")
            .help("a table is defined once in TOML: merge the two into one"),
        Some(table) => {
            Diagnostic::new(Code::TomlSyntax, span, format!("key `{}` is given twice {table}", found.written))
                .label("given again here")
                .related(found.first, "first given here")
                .help("a key is given once in its table: keep one of them")
        }
    }
}

/// What was duplicated, where it was first defined, and (for a key) the table it is in.
struct Found {
    /// As written: `[permissions.archive_channel]`, or the key `a.b`.
    written: String,
    first: Span,
    /// Where a duplicated key is: `in `[header]`` as written, or `at the top level`.
    table: Option<String>,
}

/// `[a.b]` defined again: its path, looked up from the root of what came before.
fn header(text: &str, line_start: usize, written: &str) -> Option<Found> {
    let closing = if written.starts_with("[[") { "]]" } else { "]" };
    let written = format!("{written}{closing}");
    let path = path_of(&written)?;
    let prefix = parsed(&text[..line_start])?;
    let first = lookup(&prefix, &path)?;
    Some(Found { written, first, table: None })
}

/// `key = …` given again: its path, looked up in the table the last header opened.
fn key_in_table(text: &str, line_start: usize, written: &str) -> Option<Found> {
    let path = path_of(&format!("{written} = 0"))?;
    let prefix = parsed(&text[..line_start])?;
    let (table, header) = current_table(&prefix, text);
    let first = lookup(table, &path)?;
    let table = header.map_or_else(|| "at the top level".to_string(), |h| format!("in `{h}`"));
    Some(Found { written: written.to_string(), first, table: Some(table) })
}

fn parsed(text: &str) -> Option<DeTable<'_>> {
    let (doc, errors) = DeTable::parse_recoverable(text);
    errors.is_empty().then(|| doc.into_inner())
}

/// The key path a one-line document holds: `[a.b]` and `a.b = 0` are both `a`, `b`.
fn path_of(line: &str) -> Option<Vec<String>> {
    let doc = parsed(line)?;
    let mut path = Vec::new();
    let mut table = &doc;
    loop {
        let mut entries = table.iter();
        let (Some((key, value)), None) = (entries.next(), entries.next()) else { break };
        path.push(key.get_ref().to_string());
        match value.get_ref() {
            DeValue::Table(inner) if !inner.is_empty() => table = inner,
            _ => break,
        }
    }
    (!path.is_empty()).then_some(path)
}

/// Where the last key of `path` is written in `root` (an array of tables: its last element).
fn lookup(root: &DeTable<'_>, path: &[String]) -> Option<Span> {
    let (last, parents) = path.split_last()?;
    let mut table = root;
    for key in parents {
        table = table_in(table.get(key.as_str())?)?;
    }
    let (key, _) = table.iter().find(|(k, _)| k.get_ref() == last)?;
    Some(key.span())
}

fn table_in<'t, 'i>(value: &'t Sp<DeValue<'i>>) -> Option<&'t DeTable<'i>> {
    match value.get_ref() {
        DeValue::Table(t) => Some(t),
        DeValue::Array(a) => a.iter().last().and_then(table_in),
        _ => None,
    }
}

/// The table the last header of `root` opened, with that header as written (`None`: the root).
fn current_table<'t, 'i>(root: &'t DeTable<'i>, text: &str) -> (&'t DeTable<'i>, Option<String>) {
    let mut best: Option<(usize, &'t DeTable<'i>, Span)> = None;
    let mut stack: Vec<&'t Sp<DeValue<'i>>> = root.iter().map(|(_, v)| v).collect();
    while let Some(value) = stack.pop() {
        match value.get_ref() {
            DeValue::Table(t) => {
                // A header's table spans its header; an implicit or inline one does not start with `[`.
                let start = value.span().start;
                if text[start..].starts_with('[') && best.as_ref().is_none_or(|(s, _, _)| start >= *s) {
                    best = Some((start, t, value.span()));
                }
                stack.extend(t.iter().map(|(_, v)| v));
            }
            DeValue::Array(a) => stack.extend(a.iter()),
            _ => {}
        }
    }
    match best {
        Some((_, table, span)) => (table, text.get(span).map(|h| h.trim().to_string())),
        None => (root, None),
    }
}
