//! `fmt --sort`: the canonical order. Sections in the schema's order ([`role_gen_core::schema`]:
//! project, output, entities, permissions, roles, legacy, policies, predicates, reserved,
//! tests); the entries of a section listed by id (permissions, roles) by id *within their
//! group*; every other table in file order. (Keys in the schema's order is `format`'s part.)
//!
//! A group is a run of a section's entries in file order that a comment block heads: the
//! comment lines above an entry's header with a blank line between them and the header (a
//! banner such as `# === Billing ===`). That block is about the entries below it, not about the
//! first of them, so the entries are sorted inside their group, the groups keep their order, and
//! the block stays on top of its group whichever entry comes first. The comment lines right
//! above a header (no blank line between) belong to that entry and move with it, and so do the
//! comment lines hanging below a table (on the line after its last key, a blank line after
//! them: a commented-out key, a closing note). The comments at the top of the file stay at the
//! top, and the rest of those at the end at the end.

use std::collections::BTreeMap;

use role_gen_core::schema::{self, Value as Shape};
use toml_edit::{DocumentMut, Item, Table};

use super::layout::{
    first_printed_mut, for_each_table, is_printed, printed_prefixes, set_prefixes, split_glued, split_prefix,
    table_prefix,
};

/// Reorders the tables of the document: see the module's documentation.
pub fn sort(doc: &mut DocumentMut) {
    let glued = take_glued(doc);
    let header = take_detached(first_printed_mut(doc));
    let mut heads = Vec::new();
    let mut group_of = BTreeMap::new();
    for section in schema::sections().filter(|s| by_id(s.name)).map(|s| s.name) {
        for (index, (keys, head)) in take_groups(doc, section).into_iter().enumerate() {
            for key in &keys {
                group_of.insert((section, key.clone()), index);
            }
            heads.push((section, keys, head));
        }
    }
    let mut keys: Vec<String> = doc.iter().map(|(k, _)| k.to_string()).collect();
    keys.sort_by_key(|k| (schema::ROOT.rank(k), first_position(doc.get(k))));
    let mut placer = Placer { next: 1, moved: BTreeMap::new() };
    for key in &keys {
        let group =
            |entry: &str| schema::section(key).and_then(|s| group_of.get(&(s.name, entry.to_string()))).copied();
        if let Some(item) = doc.get_mut(key) {
            placer.place(item, by_id(key).then_some(&group));
        }
    }
    for (section, keys, head) in heads {
        put_head(doc, section, &keys, &head);
    }
    put_head_on(first_printed_mut(doc), &header);
    put_glued(doc, glued, &placer.moved);
}

/// Takes the comment lines hanging below each table (see [`split_glued`]) off the text after
/// it; returns them with the position of the table they hang below.
fn take_glued(doc: &mut DocumentMut) -> Vec<(isize, String)> {
    let printed = printed_prefixes(doc);
    let mut glued = Vec::new();
    let mut rest = BTreeMap::new();
    for pair in printed.windows(2) {
        let ((owner, _), (next, prefix)) = (&pair[0], &pair[1]);
        let (lines, tail) = split_glued(prefix, false);
        if !lines.is_empty() {
            glued.push((*owner, lines.to_string()));
            rest.insert(*next, tail.to_string());
        }
    }
    set_prefixes(doc, &rest);
    if let Some((last, _)) = printed.last() {
        let trailing = doc.trailing().as_str().unwrap_or_default().to_string();
        let (lines, tail) = split_glued(&trailing, true);
        if !lines.is_empty() {
            glued.push((*last, lines.to_string()));
            doc.set_trailing(tail.to_string());
        }
    }
    glued
}

/// Puts each block of [`take_glued`] below its table again, wherever the table went: in front
/// of the prefix of the table now after it, or of the file's trailing text.
fn put_glued(doc: &mut DocumentMut, glued: Vec<(isize, String)>, moved: &BTreeMap<isize, isize>) {
    let printed = printed_prefixes(doc);
    let mut prefixes = BTreeMap::new();
    let mut trailing = String::new();
    for (owner, lines) in glued {
        let now = moved.get(&owner).copied().unwrap_or(owner);
        match printed.iter().find(|(p, _)| *p > now) {
            Some((next, prefix)) => {
                prefixes.insert(*next, format!("{lines}\n{prefix}"));
            }
            None => trailing = lines,
        }
    }
    set_prefixes(doc, &prefixes);
    if !trailing.is_empty() {
        let rest = doc.trailing().as_str().unwrap_or_default().to_string();
        doc.set_trailing(format!("{trailing}\n{rest}"));
    }
}

/// Whether the entries of section `key` are listed by id (permissions and roles).
fn by_id(key: &str) -> bool {
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

/// Takes the detached comments (up to the last blank line, when they hold a comment) off the
/// prefix of `table`, leaving the attached ones.
fn take_detached(table: Option<&mut Table>) -> String {
    let Some(table) = table else { return String::new() };
    let prefix = table_prefix(table);
    let (detached, attached) = split_prefix(&prefix);
    if !detached.contains('#') {
        return String::new();
    }
    let detached = detached.to_string();
    table.decor_mut().set_prefix(format!("\n{attached}"));
    detached
}

/// Puts taken comments back in front of the prefix of `table`.
fn put_head_on(table: Option<&mut Table>, head: &str) {
    if let Some(table) = table.filter(|_| !head.is_empty()) {
        let joined = format!("{head}{}", table_prefix(table));
        table.decor_mut().set_prefix(joined);
    }
}

/// The groups of a section's entries written as tables, in file order, each with the comment
/// block that heads it (taken off its first entry).
fn take_groups(doc: &mut DocumentMut, section: &str) -> Vec<(Vec<String>, String)> {
    let Some(table) = doc.get_mut(section).and_then(Item::as_table_mut) else { return Vec::new() };
    let mut entries: Vec<(isize, String)> = table
        .iter()
        .filter_map(|(k, v)| Some((v.as_table().filter(|t| is_printed(t))?.position()?, k.to_string())))
        .collect();
    entries.sort();
    let mut groups: Vec<(Vec<String>, String)> = Vec::new();
    for (_, key) in entries {
        let head = take_detached(table.get_mut(&key).and_then(Item::as_table_mut));
        match groups.last_mut() {
            Some((keys, _)) if head.is_empty() => keys.push(key),
            _ => groups.push((vec![key], head)),
        }
    }
    groups
}

/// Puts a group's head on whichever of its entries now comes first.
fn put_head(doc: &mut DocumentMut, section: &str, keys: &[String], head: &str) {
    let Some(table) = doc.get_mut(section).and_then(Item::as_table_mut) else { return };
    let first = keys.iter().filter_map(|k| Some((table.get(k)?.as_table()?.position()?, k))).min();
    if let Some((_, key)) = first {
        let key = key.clone();
        put_head_on(table.get_mut(&key).and_then(Item::as_table_mut), head);
    }
}

/// Numbers tables in the sorted order, remembering each one's old position.
struct Placer {
    next: isize,
    /// Old position -> new position.
    moved: BTreeMap<isize, isize>,
}

/// Which group of its section an entry is in.
type GroupOf<'a> = &'a dyn Fn(&str) -> Option<usize>;

impl Placer {
    /// Numbers the tables at and below `item`. With `group` (a section of entries listed by
    /// id), its entries go by (group, id); every other table keeps file order.
    fn place(&mut self, item: &mut Item, group: Option<GroupOf<'_>>) {
        match item {
            Item::Table(table) => self.place_table(table, group),
            Item::ArrayOfTables(array) => array.iter_mut().for_each(|t| self.place_table(t, None)),
            _ => {}
        }
    }

    fn place_table(&mut self, table: &mut Table, group: Option<GroupOf<'_>>) {
        if !table.is_dotted() {
            if let Some(old) = table.position() {
                self.moved.insert(old, self.next);
            }
            table.set_position(Some(self.next));
            self.next += 1;
        }
        let mut children: Vec<(usize, i64, isize, String)> = table
            .iter()
            .filter(|(_, v)| v.is_table() || v.is_array_of_tables())
            .map(|(k, v)| {
                let (g, id) = match group {
                    Some(group) => (group(k).unwrap_or(0), v.get("id").and_then(Item::as_integer).unwrap_or(i64::MAX)),
                    None => (0, 0),
                };
                (g, id, first_position(Some(v)), k.to_string())
            })
            .collect();
        children.sort();
        for (_, _, _, key) in children {
            if let Some(child) = table.get_mut(&key) {
                self.place(child, None);
            }
        }
    }
}
