//! `role-gen fmt`: the layout of roles.toml, every comment where it was written.
//!
//! `fmt` changes layout, never order: one blank line before each table header and none inside
//! a table (a run of blank lines between comment blocks becomes one, so a block stays detached
//! from or attached to the header below it); comment lines without indentation; `key = value`
//! spacing; every array of a table laid out by the one rule the edits share
//! ([`array::lay_out`]); repeated entries of an array dropped, the first kept and no comment
//! lost ([`array::dedup`]). Since nothing moves, no comment is separated from what it
//! describes: a banner stays above the group it heads, a comment above or beside a table, key or
//! array element stays there, the comments at the end of the file stay at the end. Arrays holding
//! comments keep their layout, and inline tables are left as written.
//!
//! `fmt --sort` also orders: tables as [`super::sort`] says, and the keys of each table in the
//! schema's order (a comment above or beside a key moves with it).
//!
//! Formatting twice gives the same text, and never changes the meaning: [`format`]'s caller
//! compares the parsed data before and after (with repeated entries dropped from both).

use role_gen_core::schema::{self, Value as Shape};
use toml_edit::{DocumentMut, Item, Table, Value};

use super::array;
use super::entries::dotted_lead;
use super::layout::{first_printed_mut, is_printed, split_glued, table_prefix};
use super::sort;

/// Rewrites the document in the canonical layout; in the canonical order too with `sort`.
pub fn format(doc: &mut DocumentMut, sort: bool) {
    dedup_all(doc.as_item_mut());
    if sort {
        sort::sort(doc);
    }
    let keys: Vec<String> = doc.iter().map(|(k, _)| k.to_string()).collect();
    for key in &keys {
        if let Some(item) = doc.get_mut(key) {
            tidy_section(item, key, sort);
        }
    }
    if !doc.iter().any(|(_, v)| v.is_value())
        && let Some(first) = first_printed_mut(doc)
    {
        let prefix = normalize_comments(&table_prefix(first), true);
        first.decor_mut().set_prefix(prefix);
    }
    let trailing = doc.trailing().as_str().unwrap_or_default().to_string();
    let (glued, rest) = split_glued(&trailing, true);
    let rest = if rest.trim().is_empty() { String::new() } else { normalize_comments(rest, false) };
    doc.set_trailing(format!("{}{rest}", normalize_comments(glued, true)));
}

/// The text before a header, normalized: the comment lines hanging below the table before
/// stay on the line after it (see [`split_glued`]); then exactly one blank line; then the
/// comment blocks, runs of blank lines between them made one.
fn normalize_prefix(prefix: &str) -> String {
    match split_glued(prefix, false) {
        ("", _) => normalize_comments(prefix, false),
        (glued, rest) => format!("{}\n{}", normalize_comments(glued, true), normalize_comments(rest, true)),
    }
}

/// Drops the repeated entries of every array at or below `item` (rule lists inside inline
/// tables too).
fn dedup_all(item: &mut Item) {
    match item {
        Item::Value(value) => dedup_value(value),
        Item::Table(table) => table.iter_mut().for_each(|(_, child)| dedup_all(child)),
        Item::ArrayOfTables(array) => {
            array.iter_mut().flat_map(Table::iter_mut).for_each(|(_, child)| dedup_all(child));
        }
        Item::None => {}
    }
}

fn dedup_value(value: &mut Value) {
    match value {
        Value::Array(list) => {
            list.iter_mut().for_each(dedup_value);
            array::dedup(list);
        }
        Value::InlineTable(table) => table.iter_mut().for_each(|(_, v)| dedup_value(v)),
        _ => {}
    }
}

/// How the keys of a table are ordered: by a schema table's order (`fmt --sort`), or left.
#[derive(Clone, Copy)]
struct Tidy {
    shape: Option<&'static schema::Table>,
    sort: bool,
}

/// Tidies every table of a top-level section: prefixes, spacing, arrays, and with `sort` the key
/// order. Each table's shape comes from the schema: a section of named entries has no keys of
/// its own, its entries the entry's; an array of tables below a section (`[[output.custom]]`)
/// has the shape the section gives that key.
fn tidy_section(item: &mut Item, section: &str, sort: bool) {
    let shape = schema::section(section).map(|s| s.value);
    let tidy = |shape| Tidy { shape, sort };
    let lead = dotted_lead(Some(item), section);
    match item {
        Item::Table(table) => {
            let (own, entries) = match shape {
                Some(Shape::Named(entry)) => (None, Some(entry)),
                other => (other.and_then(Shape::table), None),
            };
            tidy_table(table, tidy(own), lead);
            for (key, child) in table.iter_mut() {
                match child {
                    Item::Table(t) if entries.is_some() => {
                        let own = if t.is_dotted() { lead + key.get().len() + 1 } else { 0 };
                        tidy_table(t, tidy(entries), own);
                    }
                    Item::ArrayOfTables(a) => {
                        let nested = own.and_then(|t| t.key(key.get())).and_then(|k| k.value.table());
                        a.iter_mut().for_each(|t| tidy_table(t, tidy(nested), 0));
                    }
                    _ => {}
                }
            }
        }
        Item::ArrayOfTables(array) => {
            array.iter_mut().for_each(|t| tidy_table(t, tidy(shape.and_then(Shape::table)), 0))
        }
        _ => {}
    }
}

/// Tidies one table. `lead` is the width of what prints before its keys (`name.` for an entry
/// written as dotted keys), for the width of its arrays' lines.
fn tidy_table(table: &mut Table, tidy: Tidy, lead: usize) {
    if is_printed(table) {
        let prefix = normalize_prefix(&table_prefix(table));
        table.decor_mut().set_prefix(prefix);
    }
    if tidy.sort {
        let rank = |k: &str| tidy.shape.map_or(0, |s| s.rank(k));
        table.sort_values_by(|a, _, b, _| rank(a.get()).cmp(&rank(b.get())));
    }
    for (mut key, value) in table.iter_mut() {
        let Some(value) = value.as_value_mut() else { continue };
        let comments = normalize_comments(key.leaf_decor().prefix().and_then(|p| p.as_str()).unwrap_or_default(), true);
        key.leaf_decor_mut().set_prefix(comments.replace("\n\n", "\n"));
        key.leaf_decor_mut().set_suffix(" ");
        let beside = value.decor().suffix().and_then(|s| s.as_str()).unwrap_or_default().to_string();
        value.decor_mut().set_prefix(" ");
        value.decor_mut().set_suffix(if beside.contains('#') { beside } else { String::new() });
        if let Value::Array(list) = value {
            array::lay_out(lead + key.get().len(), list);
        }
    }
}

/// Comment lines without indentation or trailing spaces; runs of blank lines made one; no blank
/// line at the start when `first`, exactly one otherwise. The text before a header or key ends
/// where that line starts, so a last, unterminated segment of spaces (indentation) is dropped.
pub fn normalize_comments(text: &str, first: bool) -> String {
    let mut lines: Vec<&str> = text.split('\n').map(str::trim).collect();
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines.dedup_by(|a, b| a.is_empty() && b.is_empty());
    while lines.first().is_some_and(|l| l.is_empty()) {
        lines.remove(0);
    }
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    if first { body } else { format!("\n{body}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn formatted(src: &str, sort: bool) -> String {
        let mut doc: DocumentMut = src.parse().expect("toml");
        format(&mut doc, sort);
        doc.to_string()
    }

    #[test]
    fn rule_lists_lose_their_repeats_and_keep_their_comments() {
        let src = "[policies.p]\nentity = \"org\"\nrules = [\n  { deny_if_legacy = [\"guest\", \"guest\"] },\n  { allow_if_permission = [\"a\", \"b\", \"a\"] },   # holders\n]\n";
        let want = "[policies.p]\nentity = \"org\"\nrules = [\n  { deny_if_legacy = [\"guest\"] },\n  { allow_if_permission = [\"a\", \"b\"] },   # holders\n]\n";
        assert_eq!(formatted(src, false), want);
        assert_eq!(formatted(src, true), want);
    }

    #[test]
    fn nothing_moves_without_sort_and_sort_moves_comments_with_their_table() {
        let src = "# top\n\n[roles.b]\nid = 2\ndescription = \"B\"\n# includes = [\"a\"]\n\n# banner\n\n[permissions.z]\ndescription = \"Z\"\nid = 9\n\n[project]\nname = \"x\"\n\n# the end\n";
        assert_eq!(formatted(src, false), src);
        assert_eq!(
            formatted(src, true),
            "# top\n\n[project]\nname = \"x\"\n\n# banner\n\n[permissions.z]\nid = 9\ndescription = \"Z\"\n\n[roles.b]\nid = 2\ndescription = \"B\"\n# includes = [\"a\"]\n\n# the end\n"
        );
    }

    #[test]
    fn a_comment_right_below_a_table_stays_below_it() {
        let src =
            "[project]\nname = \"x\"\n\n[roles.b]\nid = 2\n  # group = \"g\"\n\n\n[roles.a]\nid = 1\n# closing a\n";
        let want = "[project]\nname = \"x\"\n\n[roles.b]\nid = 2\n# group = \"g\"\n\n[roles.a]\nid = 1\n# closing a\n";
        assert_eq!(formatted(src, false), want);
        let sorted =
            "[project]\nname = \"x\"\n\n[roles.a]\nid = 1\n# closing a\n\n[roles.b]\nid = 2\n# group = \"g\"\n";
        assert_eq!(formatted(src, true), sorted);
        assert_eq!(formatted(sorted, true), sorted);
    }
}
