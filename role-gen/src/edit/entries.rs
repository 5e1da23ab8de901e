//! Reading and changing the entries of a roles.toml document: lookups by name, ids, string
//! lists, and keys put where the schema's key order ([`role_gen_core::schema`]) says.
//!
//! Everything here works on the raw document rather than on a validated model, so that an edit
//! can also repair a file that does not validate yet (`add permission` for a name a role
//! already grants).

use role_gen_core::names::NameKind;
use role_gen_core::schema;
use toml_edit::{Array, DocumentMut, Item, Table, TableLike, Value};

use super::array;

/// The kinds of entry the editing commands add or remove.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Entity,
    Permission,
    Role,
    Policy,
}

impl Kind {
    /// The section that holds them.
    pub const fn section(self) -> &'static str {
        match self {
            Kind::Entity => "entities",
            Kind::Permission => "permissions",
            Kind::Role => "roles",
            Kind::Policy => "policies",
        }
    }

    /// The shape of one entry, from the schema.
    pub fn shape(self) -> &'static schema::Table {
        match self {
            Kind::Entity => &schema::ENTITY,
            Kind::Permission => &schema::PERMISSION,
            Kind::Role => &schema::ROLE,
            Kind::Policy => &schema::POLICY,
        }
    }

    /// The word users read.
    pub const fn noun(self) -> &'static str {
        match self {
            Kind::Entity => "entity",
            Kind::Permission => "permission",
            Kind::Role => "role",
            Kind::Policy => "policy",
        }
    }

    /// The kind of name it is, for the wording shared with `validate`.
    pub const fn name_kind(self) -> NameKind {
        match self {
            Kind::Entity => NameKind::Entity,
            Kind::Permission => NameKind::Permission,
            Kind::Role => NameKind::Role,
            Kind::Policy => NameKind::Policy,
        }
    }
}

/// The section's table-like value.
pub fn section(root: &Table, kind: Kind) -> Option<&dyn TableLike> {
    root.get(kind.section())?.as_table_like()
}

/// The names of a kind, in file order.
pub fn names(root: &Table, kind: Kind) -> Vec<String> {
    section(root, kind)
        .map_or_else(Vec::new, |s| s.iter().filter(|(_, v)| v.is_table_like()).map(|(k, _)| k.to_string()).collect())
}

/// One entry.
pub fn entry<'d>(root: &'d Table, kind: Kind, name: &str) -> Option<&'d dyn TableLike> {
    section(root, kind)?.get(name)?.as_table_like()
}

/// One entry, as an item (to edit).
pub fn entry_item_mut<'d>(doc: &'d mut DocumentMut, kind: Kind, name: &str) -> Option<&'d mut Item> {
    doc.get_mut(kind.section())?.as_table_like_mut()?.get_mut(name).filter(|i| i.is_table_like())
}

/// An entry's `id`, if it is an integer.
pub fn id_of(entry: &dyn TableLike) -> Option<i64> {
    entry.get("id").and_then(Item::as_integer)
}

/// The strings of list `key` of an entry (empty when absent).
pub fn str_list(entry: &dyn TableLike, key: &str) -> Vec<String> {
    entry.get(key).and_then(Item::as_array).map(array::strings).unwrap_or_default()
}

/// Every id a kind has used: its entries' and its reserved ones (an entity type without `id`
/// uses its place in the file, see [`entity_numbers`]).
pub fn used_ids(root: &Table, kind: Kind) -> Vec<i64> {
    let mut ids: Vec<i64> = match kind {
        Kind::Entity => entity_numbers(root).into_iter().map(|(_, n)| n).collect(),
        _ => section(root, kind)
            .map_or_else(Vec::new, |s| s.iter().filter_map(|(_, v)| v.as_table_like().and_then(id_of)).collect()),
    };
    let reserved_key = format!("{}_ids", kind.noun());
    if let Some(list) = root.get("reserved").and_then(|r| r.get(&reserved_key)).and_then(Item::as_array) {
        ids.extend(list.iter().filter_map(Value::as_integer));
    }
    ids
}

/// Each entity type's protobuf number, in file order: its `id`, else its 1-based place. The
/// place is read from the spans of a document parsed from text (toml_edit keeps a section's
/// keys in the order they first appear, which is the file's for headers and inline entries
/// alike); a document without spans keeps its own order.
pub fn entity_numbers(root: &Table) -> Vec<(String, i64)> {
    let Some(entities) = section(root, Kind::Entity) else { return Vec::new() };
    let mut entries: Vec<(usize, String, Option<i64>)> = entities
        .iter()
        .filter_map(|(k, v)| {
            let entry = v.as_table_like()?;
            let at = entities.key(k).and_then(|key| key.span()).map_or(usize::MAX, |s| s.start);
            Some((at, k.to_string(), id_of(entry)))
        })
        .collect();
    entries.sort_by_key(|(at, _, _)| *at);
    entries.into_iter().enumerate().map(|(i, (_, name, id))| (name, id.unwrap_or(i as i64 + 1))).collect()
}

/// The names `[reserved]` holds for a kind.
pub fn reserved_names(root: &Table, kind: Kind) -> Vec<String> {
    let key = format!("{}_names", kind.noun());
    root.get("reserved").and_then(|r| r.get(&key)).and_then(Item::as_array).map(array::strings).unwrap_or_default()
}

/// An array of strings in the default one-line style.
pub fn string_array<S: AsRef<str>>(items: &[S]) -> Value {
    let mut a = Array::new();
    items.iter().for_each(|s| array::push(&mut a, s.as_ref()));
    Value::Array(a)
}

/// The array at `key` of a table-like item of `shape`, created (empty, at its place in the
/// schema's order) when missing.
pub fn array_mut<'i>(item: &'i mut Item, key: &str, shape: &schema::Table) -> Option<&'i mut Array> {
    if item.get(key).is_none() {
        insert_in_order(item, key, Value::Array(Array::new()), shape);
    }
    item.get_mut(key)?.as_array_mut()
}

/// Inserts `key = value` into a table or inline table of `shape`, before the first existing key
/// that comes after it in the schema's order (at the end when none does), leaving the other keys
/// where they were.
pub fn insert_in_order(item: &mut Item, key: &str, value: Value, shape: &schema::Table) {
    let rank_of = |k: &str| shape.rank(k);
    let Some(table) = item.as_table_like_mut() else { return };
    let existing: Vec<String> = table.iter().map(|(k, _)| k.to_string()).collect();
    let at = existing.iter().position(|k| rank_of(k) > rank_of(key)).unwrap_or(existing.len());
    let closing = take_inline_closing(item);
    let Some(table) = item.as_table_like_mut() else { return };
    table.insert(key, Item::Value(value));
    let slot = |k: &str| match existing.iter().position(|e| e == k) {
        Some(i) => 2 * i + 1,
        None => 2 * at,
    };
    match item {
        Item::Table(t) => t.sort_values_by(|a, _, b, _| slot(a.get()).cmp(&slot(b.get()))),
        Item::Value(Value::InlineTable(t)) => {
            t.sort_values_by(|a, _, b, _| slot(a.get()).cmp(&slot(b.get())));
            if let Some((_, last)) = t.iter_mut().last() {
                last.decor_mut().set_suffix(closing);
            }
        }
        _ => {}
    }
}

/// In `{ a = 1 }` the space before `}` is the last value's suffix: taken off it, to be given to
/// whichever value ends up last.
fn take_inline_closing(item: &mut Item) -> String {
    let Some(Value::InlineTable(t)) = item.as_value_mut() else { return String::new() };
    let Some((_, value)) = t.iter_mut().last() else { return String::new() };
    let closing = value.decor().suffix().and_then(|s| s.as_str()).unwrap_or_default().to_string();
    value.decor_mut().set_suffix("");
    closing
}

/// Sets `key` to `value`, keeping the old value's comments and spacing; inserts it in the order
/// of `shape` when missing.
pub fn set_value(item: &mut Item, key: &str, mut value: Value, shape: &schema::Table) {
    match item.get_mut(key).and_then(Item::as_value_mut) {
        Some(old) => {
            *value.decor_mut() = old.decor().clone();
            *old = value;
        }
        None => insert_in_order(item, key, value, shape),
    }
}

/// The width of `name.` when `item` is a table written as dotted keys (`name.id = 1`), else 0:
/// what prints before its keys on their lines. `fmt` measures array lines the same way.
pub fn dotted_lead(item: Option<&Item>, name: &str) -> usize {
    match item {
        Some(Item::Table(t)) if t.is_dotted() => name.len() + 1,
        _ => 0,
    }
}

/// What prints before the keys of entry `name` on their lines (see [`dotted_lead`]).
pub fn lead(doc: &DocumentMut, kind: Kind, name: &str) -> usize {
    let section = doc.get(kind.section());
    match dotted_lead(section.and_then(|s| s.get(name)), name) {
        0 => 0,
        own => dotted_lead(section, kind.section()) + own,
    }
}

/// Changes the array at `key` of a table-like `item` with `f`, keeping `fmt`'s layout: an array
/// laid out by [`array::lay_out`] before is laid out again after, so an edit of a formatted file
/// leaves it formatted, and one a person laid out otherwise keeps their layout (`f` edits in its
/// style). `lead` is the width printed before `key` on its line. An array in an inline table is
/// only edited: `fmt` leaves inline tables as written.
pub fn edit_list<R>(item: &mut Item, key: &str, lead: usize, f: impl FnOnce(&mut Array) -> R) -> Option<R> {
    let in_table = item.is_table();
    let list = item.get_mut(key)?.as_array_mut()?;
    Some(keep_layout(list, in_table.then_some(lead + key.len()), f))
}

/// Runs `f` on `list`, laying it out again after when it was laid out by [`array::lay_out`]
/// before. `width` is the printed width of its key when `fmt` lays it out (an array of a
/// table), `None` when it does not (an array in an inline table).
pub fn keep_layout<R>(list: &mut Array, width: Option<usize>, f: impl FnOnce(&mut Array) -> R) -> R {
    let laid_out = width.filter(|&w| array::is_laid_out(w, list));
    let result = f(list);
    if let Some(width) = laid_out {
        array::lay_out(width, list);
    }
    result
}

/// [`edit_list`] on list `key` of an entry, created (empty, where the schema's order puts it)
/// first when missing and `create`.
pub fn edit_entry_list<R>(
    doc: &mut DocumentMut,
    kind: Kind,
    name: &str,
    key: &str,
    create: bool,
    f: impl FnOnce(&mut Array) -> R,
) -> Option<R> {
    let lead = lead(doc, kind, name);
    let item = entry_item_mut(doc, kind, name)?;
    if create {
        array_mut(item, key, kind.shape());
    }
    edit_list(item, key, lead, f)
}

/// Whether a comment is written on `key` of a table: on the lines above it, beside it, or
/// inside its array.
pub fn has_comment(table: &dyn TableLike, key: &str) -> bool {
    let above = table.key(key).and_then(|k| k.leaf_decor().prefix()).and_then(|p| p.as_str()).unwrap_or_default();
    let value = table.get(key).and_then(Item::as_value);
    let beside = value.and_then(|v| v.decor().suffix()).and_then(|s| s.as_str()).unwrap_or_default();
    above.contains('#') || beside.contains('#') || value.and_then(Value::as_array).is_some_and(array::has_comments)
}

/// What became of a list that a removal left empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Emptied {
    /// The list is not empty (or not there): nothing was done.
    No,
    /// The key went: absent means what the empty list meant.
    Dropped,
    /// The empty list stays: a comment is written on it, and would go with it.
    KeptForComment,
}

/// Drops list `key` of `table` when it is empty, for a key whose absence means the same as an
/// empty list (the caller knows which do), unless a comment is written on it.
pub fn drop_emptied(table: &mut dyn TableLike, key: &str) -> Emptied {
    let empty = table.get(key).and_then(Item::as_array).is_some_and(Array::is_empty);
    if !empty {
        return Emptied::No;
    }
    if has_comment(table, key) {
        return Emptied::KeptForComment;
    }
    let was_last = table.iter().last().is_some_and(|(k, _)| k == key);
    let closing =
        table.get(key).and_then(Item::as_value).and_then(|v| v.decor().suffix()?.as_str().map(str::to_string));
    table.remove(key);
    // In `{ a = 1, b = [] }` the space before `}` was the removed value's: the new last one takes it.
    if let (true, Some(closing)) = (was_last, closing)
        && let Some((_, Item::Value(last))) = table.iter_mut().last()
        && last.decor().suffix().and_then(|s| s.as_str()).unwrap_or_default().is_empty()
    {
        last.decor_mut().set_suffix(closing);
    }
    Emptied::Dropped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_is_the_schemas_section_of_its_entries() {
        for kind in [Kind::Entity, Kind::Permission, Kind::Role, Kind::Policy] {
            let section = schema::section(kind.section()).map(|s| s.value);
            assert_eq!(section, Some(schema::Value::Named(kind.shape())), "{}", kind.section());
        }
    }
}
