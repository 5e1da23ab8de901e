//! `role-gen fmt`: the canonical layout of roles.toml, comments kept.
//!
//! Canonical means: sections in the schema's order ([`role_gen_core::schema`]: project, output,
//! entities, permissions by id, roles by id, legacy, policies, predicates, reserved, tests); keys
//! of each table in the schema's order; one
//! blank line before each table header and none inside a table; `key = value` spacing; arrays on
//! one line when they fit in [`MAX_WIDTH`] columns, else one element per line with a trailing
//! comma. Comments move with what they are written above or beside; the comment at the top of
//! the file stays at the top. An array that holds comments is left as written (joining it would
//! lose them), and so are inline tables.
//!
//! Formatting twice gives the same text, and never changes the meaning: [`format`]'s caller
//! compares the parsed data before and after.

use role_gen_core::schema::{self, Value as Shape};
use toml_edit::{Array, DocumentMut, Item, Table, Value};

use super::layout::{for_each_table, split_prefix, table_prefix};

/// The widest `key = [ … ]` line kept on one line.
pub const MAX_WIDTH: usize = 100;

/// Rewrites the document in the canonical layout.
pub fn format(doc: &mut DocumentMut) {
    let header = take_file_header(doc);
    let group_headers: Vec<(&str, String)> = entry_sections().map(|s| (s, take_group_header(doc, s))).collect();
    let mut next = 1;
    let mut keys: Vec<String> = doc.iter().map(|(k, _)| k.to_string()).collect();
    keys.sort_by_key(|k| (schema::ROOT.rank(k), first_position(doc.get(k))));
    for key in &keys {
        if let Some(item) = doc.get_mut(key) {
            place(item, &mut next, entries_by_id(key));
        }
    }
    for key in &keys {
        if let Some(item) = doc.get_mut(key) {
            tidy_section(item, key);
        }
    }
    for (section, group_header) in &group_headers {
        put_group_header(doc, section, group_header);
    }
    put_file_header(doc, &header);
    let trailing = normalize_comments(doc.trailing().as_str().unwrap_or_default(), false);
    doc.set_trailing(if trailing.trim().is_empty() { String::new() } else { trailing });
}

/// Whether the entries of section `key` are listed by id (permissions and roles).
fn entries_by_id(key: &str) -> bool {
    matches!(schema::section(key).map(|s| s.value), Some(Shape::Named(entry)) if entry.by_id)
}

/// The smallest position of a table at or below `item` (its place in the file).
fn first_position(item: Option<&Item>) -> isize {
    let mut first = None;
    if let Some(item) = item {
        for_each_table(item, &mut |t| {
            if let Some(p) = t.position() {
                first = Some(first.map_or(p, |f: isize| f.min(p)));
            }
        });
    }
    first.unwrap_or(isize::MAX)
}

/// Whether toml_edit prints a header for this table.
fn is_printed(table: &Table) -> bool {
    let hidden = table.is_implicit() && table.get_values().is_empty();
    !table.is_dotted() && !hidden
}

/// The first printed table, by position.
fn first_printed_mut(doc: &mut DocumentMut) -> Option<&mut Table> {
    let mut first: Option<isize> = None;
    for_each_table(doc.as_item(), &mut |t| {
        if let Some(p) = t.position().filter(|&p| p > 0 && is_printed(t)) {
            first = Some(first.map_or(p, |f| f.min(p)));
        }
    });
    let first = first?;
    let mut found: Option<&mut Table> = None;
    find_table_mut(doc.as_item_mut(), first, &mut found);
    found
}

fn find_table_mut<'d>(item: &'d mut Item, position: isize, found: &mut Option<&'d mut Table>) {
    let tables: Vec<&'d mut Table> = match item {
        Item::Table(t) => vec![t],
        Item::ArrayOfTables(a) => a.iter_mut().collect(),
        _ => Vec::new(),
    };
    for table in tables {
        if found.is_some() {
            return;
        }
        if table.position() == Some(position) && is_printed(table) {
            *found = Some(table);
            return;
        }
        for (_, child) in table.iter_mut() {
            find_table_mut(child, position, found);
        }
    }
}

/// Takes the detached comments above the first table: the file's own header, which stays at the
/// top whatever table comes first after sorting.
fn take_file_header(doc: &mut DocumentMut) -> String {
    let Some(first) = first_printed_mut(doc) else { return String::new() };
    let prefix = first.decor().prefix().and_then(|p| p.as_str()).unwrap_or_default().to_string();
    let (header, attached) = split_prefix(&prefix);
    let header = header.to_string();
    first.decor_mut().set_prefix(format!("\n{attached}"));
    header
}

fn put_file_header(doc: &mut DocumentMut, header: &str) {
    if let Some(first) = first_printed_mut(doc) {
        let joined = format!("{header}{}", table_prefix(first));
        first.decor_mut().set_prefix(normalize_comments(&joined, true));
    }
}

/// The sections made of named entries, whose first entry may change when they are sorted.
fn entry_sections() -> impl Iterator<Item = &'static str> {
    schema::sections().filter(|s| matches!(s.value, Shape::Named(_))).map(|s| s.name)
}

/// The entry of `section` printed first.
fn first_entry_mut<'d>(doc: &'d mut DocumentMut, section: &str) -> Option<&'d mut Table> {
    let table = doc.get_mut(section)?.as_table_mut()?;
    let (_, key) = table.iter().filter_map(|(k, v)| Some((v.as_table()?.position()?, k.to_string()))).min()?;
    table.get_mut(&key)?.as_table_mut()
}

/// Takes the detached comments above a section's first entry (a banner such as `# --- Roles
/// ---`): they introduce the section and stay at its top when sorting brings another entry first.
fn take_group_header(doc: &mut DocumentMut, section: &str) -> String {
    let Some(first) = first_entry_mut(doc, section) else { return String::new() };
    let prefix = table_prefix(first);
    let (detached, attached) = split_prefix(&prefix);
    if !detached.contains('#') {
        return String::new();
    }
    let header = detached.to_string();
    first.decor_mut().set_prefix(format!("\n{attached}"));
    header
}

fn put_group_header(doc: &mut DocumentMut, section: &str, header: &str) {
    if header.is_empty() {
        return;
    }
    if let Some(first) = first_entry_mut(doc, section) {
        let joined = format!("{header}{}", table_prefix(first));
        first.decor_mut().set_prefix(normalize_comments(&joined, false));
    }
}

/// Numbers the tables at and below `item` in canonical order; entries of `permissions` and
/// `roles` by id, everything else in file order.
fn place(item: &mut Item, next: &mut isize, by_id: bool) {
    match item {
        Item::Table(table) => place_table(table, next, by_id),
        Item::ArrayOfTables(array) => array.iter_mut().for_each(|t| place_table(t, next, false)),
        _ => {}
    }
}

fn place_table(table: &mut Table, next: &mut isize, children_by_id: bool) {
    if !table.is_dotted() {
        table.set_position(Some(*next));
        *next += 1;
    }
    let mut children: Vec<(i64, isize, String)> = table
        .iter()
        .filter(|(_, v)| v.is_table() || v.is_array_of_tables())
        .map(|(k, v)| {
            let id = if children_by_id { v.get("id").and_then(Item::as_integer).unwrap_or(i64::MAX) } else { 0 };
            (id, first_position(Some(v)), k.to_string())
        })
        .collect();
    children.sort();
    for (_, _, key) in children {
        if let Some(child) = table.get_mut(&key) {
            place(child, next, false);
        }
    }
}

/// Tidies every table of a top-level section: prefixes, key order and spacing, arrays. Each
/// table's keys are sorted by its shape in the schema: a section of named entries has no keys of
/// its own, its entries the entry's; an array of tables below a section (`[[output.custom]]`)
/// has the shape the section gives that key.
fn tidy_section(item: &mut Item, section: &str) {
    let shape = schema::section(section).map(|s| s.value);
    match item {
        Item::Table(table) => {
            let (own, entries) = match shape {
                Some(Shape::Named(entry)) => (None, Some(entry)),
                other => (other.and_then(Shape::table), None),
            };
            tidy_table(table, own);
            for (key, child) in table.iter_mut() {
                match child {
                    Item::Table(t) if entries.is_some() => tidy_table(t, entries),
                    Item::ArrayOfTables(a) => {
                        let nested = own.and_then(|t| t.key(key.get())).and_then(|k| k.value.table());
                        a.iter_mut().for_each(|t| tidy_table(t, nested));
                    }
                    _ => {}
                }
            }
        }
        Item::ArrayOfTables(array) => array.iter_mut().for_each(|t| tidy_table(t, shape.and_then(Shape::table))),
        _ => {}
    }
}

/// Tidies one table; its keys sorted by `shape` (left in their order without one).
fn tidy_table(table: &mut Table, shape: Option<&schema::Table>) {
    if is_printed(table) {
        let prefix = normalize_comments(&table_prefix(table), false);
        table.decor_mut().set_prefix(prefix);
    }
    let rank = |k: &str| shape.map_or(0, |s| s.rank(k));
    table.sort_values_by(|a, _, b, _| rank(a.get()).cmp(&rank(b.get())));
    for (mut key, value) in table.iter_mut() {
        let Some(value) = value.as_value_mut() else { continue };
        let comments = normalize_comments(key.leaf_decor().prefix().and_then(|p| p.as_str()).unwrap_or_default(), true);
        key.leaf_decor_mut().set_prefix(comments.replace("\n\n", "\n"));
        key.leaf_decor_mut().set_suffix(" ");
        let beside = value.decor().suffix().and_then(|s| s.as_str()).unwrap_or_default().to_string();
        value.decor_mut().set_prefix(" ");
        value.decor_mut().set_suffix(if beside.contains('#') { beside } else { String::new() });
        if let Value::Array(array) = value {
            format_array(key.get().len(), array);
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

/// Whether an array holds a comment anywhere (then it is left as written).
fn has_comments(array: &Array) -> bool {
    let decor_has = |d: &toml_edit::Decor| {
        [d.prefix(), d.suffix()].iter().flatten().any(|r| r.as_str().unwrap_or_default().contains('#'))
    };
    array.iter().any(|v| decor_has(v.decor())) || array.trailing().as_str().unwrap_or_default().contains('#')
}

/// One line when it fits (and holds no more than one inline table), else one element per line.
fn format_array(key_len: usize, array: &mut Array) {
    if has_comments(array) {
        return;
    }
    let tables = array.iter().filter(|v| v.is_inline_table()).count();
    for (i, value) in array.iter_mut().enumerate() {
        value.decor_mut().set_prefix(if i == 0 { "" } else { " " });
        value.decor_mut().set_suffix("");
    }
    array.set_trailing("");
    array.set_trailing_comma(false);
    let mut bare = array.clone();
    bare.decor_mut().clear();
    let width = key_len + " = ".len() + bare.to_string().len();
    if width <= MAX_WIDTH && tables <= 1 {
        return;
    }
    for value in array.iter_mut() {
        value.decor_mut().set_prefix("\n  ");
    }
    array.set_trailing("\n");
    array.set_trailing_comma(true);
}
