//! Where tables go and what happens to the comments around them.
//!
//! toml_edit prints tables in the order of their `position`. A new entry must land right after
//! the last table of its kind (so `[permissions.x]` joins the permissions, not the end of the
//! file), which means opening a slot there and moving every later table down one.
//!
//! The comments above a table header live in that table's prefix. A comment block separated
//! from the header by a blank line (a section banner, a note closing the table before) is
//! *detached*: it is about the place in the file, not the entry, so when the entry is removed it
//! stays where it was. The block right above the header, with no blank line between, is
//! *attached* and leaves with the entry.

use std::collections::BTreeMap;

use role_gen_core::schema;
use toml_edit::{DocumentMut, InlineTable, Item, RawString, Table, Value};

use super::array;
use super::entries::dotted_lead;

/// The text of a table's prefix; a table without one prints a blank line (toml_edit's default
/// for every table but the first).
pub fn table_prefix(table: &Table) -> String {
    match table.decor().prefix() {
        Some(raw) => raw.as_str().unwrap_or_default().to_string(),
        None => "\n".to_string(),
    }
}

/// Whether toml_edit prints a header for this table.
pub fn is_printed(table: &Table) -> bool {
    let hidden = table.is_implicit() && table.get_values().is_empty();
    !table.is_dotted() && !hidden
}

/// The position and prefix of every table printed with a header, in the order they print.
pub fn printed_prefixes(doc: &DocumentMut) -> Vec<(isize, String)> {
    let mut found = Vec::new();
    for_each_table(doc.as_item(), &mut |t| {
        if let Some(p) = t.position().filter(|&p| p > 0 && is_printed(t)) {
            found.push((p, table_prefix(t)));
        }
    });
    found.sort_unstable();
    found
}

/// Sets the prefix of each printed table whose position `prefixes` holds.
pub fn set_prefixes(doc: &mut DocumentMut, prefixes: &BTreeMap<isize, String>) {
    for_each_table_mut(doc.as_item_mut(), &mut |t| {
        if let Some(prefix) = t.position().filter(|_| is_printed(t)).and_then(|p| prefixes.get(&p)) {
            t.decor_mut().set_prefix(prefix.clone());
        }
    });
}

/// The printed table at `position`.
pub fn printed_at_mut(doc: &mut DocumentMut, position: isize) -> Option<&mut Table> {
    let mut found: Option<&mut Table> = None;
    find_printed_mut(doc.as_item_mut(), position, &mut found);
    found
}

fn find_printed_mut<'d>(item: &'d mut Item, position: isize, found: &mut Option<&'d mut Table>) {
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
            find_printed_mut(child, position, found);
        }
    }
}

/// The first printed table.
pub fn first_printed_mut(doc: &mut DocumentMut) -> Option<&mut Table> {
    let first = printed_prefixes(doc).first()?.0;
    printed_at_mut(doc, first)
}

/// Splits off the comment lines at the start of the text between two tables (a header's prefix)
/// that hang below the table before: written on the line right after its last key, down to the
/// first blank line (a commented-out key, a note closing the table). Without a blank line after
/// them they are the next header's (attached), unless `at_end`: the file's trailing text, with
/// no header after it. Returns (those lines, the rest).
pub fn split_glued(text: &str, at_end: bool) -> (&str, &str) {
    let mut end = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.is_empty() && line.ends_with('\n') {
            return text.split_at(end);
        }
        if !trimmed.starts_with('#') || !line.ends_with('\n') {
            break;
        }
        end += line.len();
    }
    if at_end && end == text.len() { (text, "") } else { ("", text) }
}

/// Calls `f` on `item` if it is a table and on every table below it, arrays of tables included.
pub fn for_each_table_mut(item: &mut Item, f: &mut dyn FnMut(&mut Table)) {
    match item {
        Item::Table(table) => {
            f(table);
            for (_, child) in table.iter_mut() {
                for_each_table_mut(child, f);
            }
        }
        Item::ArrayOfTables(array) => {
            for table in array.iter_mut() {
                f(table);
                for (_, child) in table.iter_mut() {
                    for_each_table_mut(child, f);
                }
            }
        }
        _ => {}
    }
}

/// Like [`for_each_table_mut`], reading.
pub fn for_each_table(item: &Item, f: &mut dyn FnMut(&Table)) {
    match item {
        Item::Table(table) => {
            f(table);
            table.iter().for_each(|(_, child)| for_each_table(child, f));
        }
        Item::ArrayOfTables(array) => {
            for table in array.iter() {
                f(table);
                table.iter().for_each(|(_, child)| for_each_table(child, f));
            }
        }
        _ => {}
    }
}

/// The last position of a table at or below `item`.
fn last_position(item: &Item) -> Option<isize> {
    let mut last = None;
    for_each_table(item, &mut |t| last = last.max(t.position()));
    last
}

/// The position a new table of `section` follows: the last table of that section, else of the
/// nearest section before it in the schema's order, else the top of the file.
fn insertion_point(doc: &DocumentMut, section: &str) -> isize {
    let sections = schema::ROOT.keys;
    let upto = (schema::ROOT.rank(section) + 1).min(sections.len());
    sections[..upto].iter().rev().find_map(|s| doc.get(s.name).and_then(last_position)).unwrap_or(0)
}

/// Frees the position after `after` by moving every later table one down; returns it.
fn open_slot(doc: &mut DocumentMut, after: isize) -> isize {
    for_each_table_mut(doc.as_item_mut(), &mut |t| {
        if let Some(p) = t.position().filter(|&p| p > after) {
            t.set_position(Some(p + 1));
        }
    });
    after + 1
}

/// A new standard table placed at the end of `section`, blank line before it like its
/// neighbours. Comment lines hanging below the table it follows (see [`split_glued`]) stay
/// with that table: they go before the new header instead of after the new table.
pub fn new_table_in(doc: &mut DocumentMut, section: &str) -> Table {
    let after = insertion_point(doc, section);
    let glued = take_glued_after(doc, after);
    let position = open_slot(doc, after);
    let mut table = Table::new();
    table.set_position(Some(position));
    if !glued.is_empty() {
        table.decor_mut().set_prefix(format!("{glued}\n"));
    }
    table
}

/// Takes the comment lines hanging below the table at `position` off the text that follows it
/// (the next header's prefix, or the file's trailing text).
fn take_glued_after(doc: &mut DocumentMut, position: isize) -> String {
    if position <= 0 {
        return String::new();
    }
    let next = printed_prefixes(doc).into_iter().find(|&(p, _)| p > position);
    match next.and_then(|(p, _)| printed_at_mut(doc, p)) {
        Some(table) => {
            let prefix = table_prefix(table);
            let (glued, rest) = split_glued(&prefix, false);
            if !glued.is_empty() {
                table.decor_mut().set_prefix(rest.to_string());
            }
            glued.to_string()
        }
        None => {
            let trailing = doc.trailing().as_str().unwrap_or_default().to_string();
            let (glued, rest) = split_glued(&trailing, true);
            if !glued.is_empty() {
                doc.set_trailing(rest.to_string());
            }
            glued.to_string()
        }
    }
}

/// The section table (`[permissions]`, usually implicit), created when missing.
pub fn section_mut<'d>(doc: &'d mut DocumentMut, section: &str) -> Option<&'d mut Item> {
    if doc.get(section).is_none() {
        let mut table = Table::new();
        table.set_implicit(true);
        doc.insert(section, Item::Table(table));
    }
    doc.get_mut(section)
}

/// How the entries of a section are written, judged by its last entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryStyle {
    /// `[permissions.x]` headers (the usual).
    Header,
    /// `x = { … }` under `[permissions]`, or inside `permissions = { … }`.
    Inline,
    /// `x.id = 1` dotted keys.
    Dotted,
}

/// The style of the section's last entry; headers when it has none.
pub fn entry_style(section: Option<&Item>) -> EntryStyle {
    match section {
        Some(Item::Value(Value::InlineTable(_))) => EntryStyle::Inline,
        Some(Item::Table(t)) => match t.iter().last().map(|(_, v)| v) {
            Some(Item::Value(Value::InlineTable(_))) => EntryStyle::Inline,
            Some(Item::Table(e)) if e.is_dotted() => EntryStyle::Dotted,
            _ => EntryStyle::Header,
        },
        _ => EntryStyle::Header,
    }
}

/// Adds entry `name` with `fields` at the end of `section`, in the style of the entries already
/// there, its keys in the schema's order, its arrays laid out as `fmt` lays them out.
pub fn insert_entry(doc: &mut DocumentMut, section: &str, name: &str, mut fields: Vec<(&'static str, Value)>) {
    if let Some(shape) = schema::section(section).and_then(|s| s.value.table()) {
        fields.sort_by_key(|(key, _)| shape.rank(key));
    }
    let style = entry_style(doc.get(section));
    let item = match style {
        EntryStyle::Inline => {
            let mut inline = InlineTable::new();
            fields.into_iter().for_each(|(k, v)| {
                inline.insert(k, v);
            });
            inline.fmt();
            Item::Value(Value::InlineTable(inline))
        }
        EntryStyle::Dotted | EntryStyle::Header => {
            let mut table = if style == EntryStyle::Header { new_table_in(doc, section) } else { Table::new() };
            table.set_dotted(style == EntryStyle::Dotted);
            let lead =
                if style == EntryStyle::Dotted { dotted_lead(doc.get(section), section) + name.len() + 1 } else { 0 };
            fields.into_iter().for_each(|(k, mut v)| {
                if let Value::Array(list) = &mut v {
                    array::lay_out(lead + k.len(), list);
                }
                table.insert(k, Item::Value(v));
            });
            Item::Table(table)
        }
    };
    if let Some(parent) = section_mut(doc, section).and_then(Item::as_table_like_mut) {
        parent.insert(name, item);
    }
}

/// Splits a table prefix into its detached part (up to and including the last blank line) and
/// its attached part (the comment lines right above the header).
pub fn split_prefix(prefix: &str) -> (&str, &str) {
    let mut cut = 0;
    let mut start = 0;
    for line in prefix.split_inclusive('\n') {
        start += line.len();
        if line.trim().is_empty() && line.ends_with('\n') {
            cut = start;
        }
    }
    prefix.split_at(cut)
}

/// After `removed` left the document, puts its detached comments where its header was: in
/// front of the next table's prefix, or of the file's trailing text when it was the last.
pub fn rehome_comments(doc: &mut DocumentMut, removed: &Table) {
    let prefix = table_prefix(removed);
    let (detached, _) = split_prefix(&prefix);
    if !detached.contains('#') {
        return;
    }
    let Some(at) = removed.position() else { return };
    let mut next: Option<isize> = None;
    for_each_table(doc.as_item(), &mut |t| {
        if let Some(p) = t.position().filter(|&p| p > at && !(t.is_implicit() && t.is_empty())) {
            next = Some(next.map_or(p, |n| n.min(p)));
        }
    });
    let mut placed = false;
    if let Some(next) = next {
        for_each_table_mut(doc.as_item_mut(), &mut |t| {
            if !placed && t.position() == Some(next) {
                let joined = join_blank(detached, &table_prefix(t));
                t.decor_mut().set_prefix(joined);
                placed = true;
            }
        });
    }
    if !placed {
        let trailing = doc.trailing().as_str().unwrap_or_default().to_string();
        let joined = join_blank(detached, &trailing);
        doc.set_trailing(RawString::from(joined));
    }
}

/// `a` then `b`, with one blank line where both would put one.
fn join_blank(a: &str, b: &str) -> String {
    if a.ends_with("\n\n") && b.starts_with('\n') { format!("{a}{}", &b[1..]) } else { format!("{a}{b}") }
}

/// Removes `name` from a section and keeps its detached comments; returns the entry.
pub fn remove_entry(doc: &mut DocumentMut, section: &str, name: &str) -> Option<Item> {
    let removed = doc.get_mut(section)?.as_table_like_mut()?.remove(name)?;
    if let Item::Table(table) = &removed {
        rehome_comments(doc, table);
    }
    Some(removed)
}

/// Removes the `index`th table of an array of tables (a `[[tests]]` entry), keeping its
/// detached comments.
pub fn remove_array_table(doc: &mut DocumentMut, key: &str, index: usize) {
    let Some(array) = doc.get_mut(key).and_then(Item::as_array_of_tables_mut) else { return };
    if index >= array.len() {
        return;
    }
    let removed = array.remove(index);
    let empty = array.is_empty();
    rehome_comments(doc, &removed);
    if empty {
        doc.remove(key);
    }
}
