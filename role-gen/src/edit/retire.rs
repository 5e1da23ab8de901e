//! `remove` and `deprecate`: retiring an entry. A removed permission, role, policy or entity
//! type leaves its id and name in `[reserved]`, so that neither ever comes back with another
//! meaning; removing an entity type pins the numbers of those after it that had none.

use role_gen_core::schema;
use toml_edit::{Item, Value};

use super::editor::{Change, Editor};
use super::entries::{self, Kind, entry, entry_item_mut};
use super::{Refusal, Refused, array, layout, refs};

impl Editor<'_> {
    /// `remove`: refused while the file names the entry, unless `force` drops those references
    /// too; the id and name go to `[reserved]`.
    pub(super) fn remove(&mut self, kind: Kind, name: &str, force: bool) -> Result<Change, Refusal> {
        self.require(kind, name)?;
        let references = refs::find(self.spanned.as_table(), kind, name);
        let lines: Vec<String> =
            references.iter().map(|r| format!("{}: {}", self.at(r.span.clone()), r.what)).collect();
        if references.iter().any(refs::Reference::blocks) {
            let mut refusal =
                Refusal::new(Refused::StillReferenced, format!("{} `{name}` is still referenced", kind.noun())).help(
                    Some("a policy decides on one entity type: remove the policy or change its `entity` first, then remove this one".into()),
                );
            refusal.details = lines;
            return Err(refusal);
        }
        if !references.is_empty() && !force {
            let mut refusal =
                Refusal::new(Refused::StillReferenced, format!("{} `{name}` is still referenced", kind.noun())).help(
                    Some(format!(
                        "drop these references first, or run `role-gen remove {} {name} --force` to drop them too",
                        kind.noun()
                    )),
                );
            refusal.details = lines;
            return Err(refusal);
        }
        let kept = refs::drop_all(&mut self.doc, name, &references);
        let mut notes: Vec<String> = lines.into_iter().map(|l| format!("dropped the reference at {l}")).collect();
        notes.extend(kept);
        let id = match kind {
            Kind::Entity => {
                notes.extend(self.pin_entities_after(name));
                entries::entity_numbers(self.doc.as_table()).into_iter().find(|(n, _)| n == name).map(|(_, id)| id)
            }
            _ => entry(self.doc.as_table(), kind, name).and_then(entries::id_of),
        };
        layout::remove_entry(&mut self.doc, kind.section(), name);
        self.reserve(kind, id, name);
        let id_text = id.map(|id| format!(" (id {id})")).unwrap_or_default();
        let summary = format!("removed {} {name}{id_text}; its id and name are now reserved", kind.noun());
        Ok(Change::Made { summary, notes })
    }

    /// The entity types after `name` numbered by their place get `id = <that place>`, so that
    /// removing `name` moves no protobuf number. Returns a note for each.
    fn pin_entities_after(&mut self, name: &str) -> Vec<String> {
        let numbers = entries::entity_numbers(self.doc.as_table());
        let after = numbers.iter().skip_while(|(n, _)| n != name).skip(1);
        let mut notes = Vec::new();
        for (entity, number) in after {
            let Some(item) = entries::entry_item_mut(&mut self.doc, Kind::Entity, entity) else { continue };
            if item.get("id").is_none() {
                entries::set_value(item, "id", Value::from(*number), Kind::Entity.shape());
                notes.push(format!("entity {entity} keeps its protobuf number: it now says `id = {number}`"));
            }
        }
        notes
    }

    /// Records a removed entry's id and name in `[reserved]`, creating the table or keys.
    fn reserve(&mut self, kind: Kind, id: Option<i64>, name: &str) {
        if self.doc.get("reserved").is_none() {
            let table = layout::new_table_in(&mut self.doc, "reserved");
            self.doc.insert("reserved", Item::Table(table));
        }
        let lead = entries::dotted_lead(self.doc.get("reserved"), "reserved");
        let Some(reserved) = self.doc.get_mut("reserved") else { return };
        if let Some(id) = id {
            add_reserved(reserved, &format!("{}_ids", kind.noun()), lead, id.into());
        }
        add_reserved(reserved, &format!("{}_names", kind.noun()), lead, name.into());
    }

    /// `deprecate permission`, with a reason or `true`; nothing when it already says so.
    pub(super) fn deprecate(&mut self, name: &str, reason: Option<&str>) -> Result<Change, Refusal> {
        self.require(Kind::Permission, name)?;
        let current = entry(self.doc.as_table(), Kind::Permission, name).and_then(|e| e.get("deprecated"));
        let (was, old_reason) = match current {
            Some(item) => (item.as_bool().unwrap_or(item.is_str()), item.as_str().map(str::to_string)),
            None => (false, None),
        };
        if was && (reason.is_none() || reason == old_reason.as_deref()) {
            let why = old_reason.map(|r| format!(" ({r})")).unwrap_or_default();
            return Ok(Change::Nothing(format!("permission {name} is already deprecated{why}; nothing changed")));
        }
        let value = reason.map_or_else(|| Value::from(true), Value::from);
        if let Some(item) = entry_item_mut(&mut self.doc, Kind::Permission, name) {
            entries::set_value(item, "deprecated", value, Kind::Permission.shape());
        }
        let summary = match (was, reason) {
            (true, Some(r)) => format!("changed why permission {name} is deprecated: {r}"),
            (false, Some(r)) => format!("deprecated permission {name}: {r}"),
            _ => format!("deprecated permission {name}"),
        };
        Ok(Change::made(summary))
    }
}

/// Appends `value` to list `key` of `[reserved]` (created in its place when missing) unless it
/// is there, in `fmt`'s layout when the list was laid out so.
fn add_reserved(reserved: &mut Item, key: &str, lead: usize, value: Value) {
    entries::array_mut(reserved, key, &schema::RESERVED);
    let same = |v: &Value| {
        v.as_integer().is_some_and(|n| Some(n) == value.as_integer())
            || v.as_str().is_some_and(|s| Some(s) == value.as_str())
    };
    entries::edit_list(reserved, key, lead, |list| {
        if !list.iter().any(same) {
            array::push(list, value.clone());
        }
    });
}
