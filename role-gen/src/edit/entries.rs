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
}

impl Kind {
    /// The section that holds them.
    pub const fn section(self) -> &'static str {
        match self {
            Kind::Entity => "entities",
            Kind::Permission => "permissions",
            Kind::Role => "roles",
        }
    }

    /// The shape of one entry, from the schema.
    pub fn shape(self) -> &'static schema::Table {
        match self {
            Kind::Entity => &schema::ENTITY,
            Kind::Permission => &schema::PERMISSION,
            Kind::Role => &schema::ROLE,
        }
    }

    /// The word users read.
    pub const fn noun(self) -> &'static str {
        match self {
            Kind::Entity => "entity",
            Kind::Permission => "permission",
            Kind::Role => "role",
        }
    }

    /// The kind of name it is, for the wording shared with `validate`.
    pub const fn name_kind(self) -> NameKind {
        match self {
            Kind::Entity => NameKind::Entity,
            Kind::Permission => NameKind::Permission,
            Kind::Role => NameKind::Role,
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

/// Every id a kind has used: its entries' and its reserved ones.
pub fn used_ids(root: &Table, kind: Kind) -> Vec<i64> {
    let mut ids: Vec<i64> = section(root, kind)
        .map_or_else(Vec::new, |s| s.iter().filter_map(|(_, v)| v.as_table_like().and_then(id_of)).collect());
    let reserved_key = format!("{}_ids", kind.noun());
    if let Some(list) = root.get("reserved").and_then(|r| r.get(&reserved_key)).and_then(Item::as_array) {
        ids.extend(list.iter().filter_map(Value::as_integer));
    }
    ids
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_is_the_schemas_section_of_its_entries() {
        for kind in [Kind::Entity, Kind::Permission, Kind::Role] {
            let section = schema::section(kind.section()).map(|s| s.value);
            assert_eq!(section, Some(schema::Value::Named(kind.shape())), "{}", kind.section());
        }
    }
}
