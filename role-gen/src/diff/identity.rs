//! Permissions and roles across two versions, by id and by name: ids changed, renamed, reused,
//! removed with or without their reservation, reservations dropped, items added. Each event is
//! reported once, under its most severe class, with a message that names what it breaks.

use std::collections::{HashMap, HashSet};

use super::{Change, Finding};
use crate::model::{Model, PermIdx, RoleIdx};
use crate::names;
use crate::source::Span;

/// Ids and names of permissions, then of roles.
pub(super) fn compare(old: &Model, new: &Model, out: &mut Vec<Finding>) {
    identities(&PERMISSION, &permission_side(old), &permission_side(new), out);
    identities(&ROLE, &role_side(old), &role_side(new), out);
}

/// An item with an id: a permission or a role.
struct Identified<'a> {
    name: &'a str,
    id: u32,
    span: Span,
}

/// One version's items of a kind and what it reserves for them.
struct IdSide<'a> {
    model: &'a Model,
    /// The model's lookup by name of this kind ([`Model::permission`], [`Model::role`]).
    find: fn(&Model, &str) -> Option<usize>,
    /// In the model's order, so that what `find` returns indexes it.
    items: Vec<Identified<'a>>,
    reserved_ids: &'a [u32],
    reserved_names: &'a [String],
}

impl<'a> IdSide<'a> {
    /// The item named `name` in this version.
    fn named(&self, name: &str) -> Option<&Identified<'a>> {
        (self.find)(self.model, name).map(|i| &self.items[i])
    }

    fn has(&self, name: &str) -> bool {
        self.named(name).is_some()
    }
}

/// The codes and words for one kind of identified item.
struct IdKind {
    noun: &'static str,
    rust_enum: &'static str,
    id_changed: Change,
    renamed: Change,
    id_reused: Change,
    name_reused: Change,
    removed_unreserved: Change,
    removed: Change,
    id_unreserved: Change,
    name_unreserved: Change,
    added: Change,
}

const PERMISSION: IdKind = IdKind {
    noun: "permission",
    rust_enum: "Permission",
    id_changed: Change::PermissionIdChanged,
    renamed: Change::PermissionRenamed,
    id_reused: Change::PermissionIdReused,
    name_reused: Change::PermissionNameReused,
    removed_unreserved: Change::PermissionRemovedUnreserved,
    removed: Change::PermissionRemoved,
    id_unreserved: Change::PermissionIdUnreserved,
    name_unreserved: Change::PermissionNameUnreserved,
    added: Change::PermissionAdded,
};

const ROLE: IdKind = IdKind {
    noun: "role",
    rust_enum: "Role",
    id_changed: Change::RoleIdChanged,
    renamed: Change::RoleRenamed,
    id_reused: Change::RoleIdReused,
    name_reused: Change::RoleNameReused,
    removed_unreserved: Change::RoleRemovedUnreserved,
    removed: Change::RoleRemoved,
    id_unreserved: Change::RoleIdUnreserved,
    name_unreserved: Change::RoleNameUnreserved,
    added: Change::RoleAdded,
};

fn permission_side(model: &Model) -> IdSide<'_> {
    let items = model.permissions().iter().map(|p| Identified { name: &p.name, id: p.id, span: p.span.clone() });
    let (reserved_ids, reserved_names) = (&model.reserved().permission_ids, &model.reserved().permission_names);
    IdSide {
        model,
        find: |m, n| m.permission(n).map(PermIdx::get),
        items: items.collect(),
        reserved_ids,
        reserved_names,
    }
}

fn role_side(model: &Model) -> IdSide<'_> {
    let items = model.roles().iter().map(|r| Identified { name: &r.name, id: r.id, span: r.span.clone() });
    let (reserved_ids, reserved_names) = (&model.reserved().role_ids, &model.reserved().role_names);
    IdSide { model, find: |m, n| m.role(n).map(RoleIdx::get), items: items.collect(), reserved_ids, reserved_names }
}

/// Ids and names of one kind: changed, renamed, reused, removed (reserved or not), un-reserved,
/// added. Each event is reported once, under its most severe class: a removal that also fails
/// to reserve is wire-breaking, and its message says the generated names are gone too.
fn identities(kind: &IdKind, old: &IdSide<'_>, new: &IdSide<'_>, out: &mut Vec<Finding>) {
    let old_by_id: HashMap<u32, &Identified<'_>> = old.items.iter().map(|i| (i.id, i)).collect();
    let new_by_id: HashMap<u32, &Identified<'_>> = new.items.iter().map(|i| (i.id, i)).collect();
    let mut renamed_to = HashSet::new();
    for o in &old.items {
        match new.named(o.name) {
            Some(n) if n.id != o.id => out.push(id_changed(kind, o, n)),
            Some(_) => {}
            None => match new_by_id.get(&o.id).filter(|n| !old.has(n.name)) {
                Some(n) => {
                    renamed_to.insert(n.name);
                    out.push(renamed(kind, o, n));
                }
                None => out.push(removed(kind, o, new)),
            },
        }
    }
    let fresh = new.items.iter().filter(|n| !old.has(n.name) && !renamed_to.contains(n.name));
    let mut reused_ids = HashSet::new();
    let mut reused_names = HashSet::new();
    for n in fresh {
        let before = out.len();
        if let Some(o) = old_by_id.get(&n.id) {
            out.push(id_reused(kind, n, Some(o.name)));
        } else if old.reserved_ids.contains(&n.id) {
            reused_ids.insert(n.id);
            out.push(id_reused(kind, n, None));
        }
        if old.reserved_names.iter().any(|r| r == n.name) {
            reused_names.insert(n.name);
            out.push(name_reused(kind, n));
        }
        if out.len() == before {
            let message = format!("{} `{}` (id {}) was added", kind.noun, n.name, n.id);
            out.push(Finding::new(kind.added, message, Some(n.span.clone())));
        }
    }
    unreserved(kind, old, new, (&reused_ids, &reused_names), out);
}

fn id_changed(kind: &IdKind, o: &Identified<'_>, n: &Identified<'_>) -> Finding {
    Finding::new(
        kind.id_changed,
        format!("{} `{}` changed id from {} to {}", kind.noun, o.name, o.id, n.id),
        Some(n.span.clone()),
    )
    .help(format!(
        "ids are stored and sent as numbers, so a stored {} no longer means `{}`; restore id {}",
        o.id, o.name, o.id
    ))
}

fn renamed(kind: &IdKind, o: &Identified<'_>, n: &Identified<'_>) -> Finding {
    Finding::new(
        kind.renamed,
        format!("{} `{}` (id {}) was renamed to `{}`", kind.noun, o.name, o.id, n.name),
        Some(n.span.clone()),
    )
    .help(format!(
        "names are stored and sent as strings and name the generated code (`{}`); keep `{}`, \
         or add `{}` with a new id beside it",
        generated(kind.rust_enum, o.name),
        o.name,
        n.name
    ))
}

fn id_reused(kind: &IdKind, n: &Identified<'_>, previous: Option<&str>) -> Finding {
    let whose = previous.map_or_else(|| "which was reserved".to_string(), |p| format!("which was `{p}`'s"));
    Finding::new(
        kind.id_reused,
        format!("{} `{}` reuses id {}, {whose}", kind.noun, n.name, n.id),
        Some(n.span.clone()),
    )
    .help(format!(
        "ids are never reused: data stored with id {} would now mean `{}`; take an id never used before",
        n.id, n.name
    ))
}

fn name_reused(kind: &IdKind, n: &Identified<'_>) -> Finding {
    Finding::new(kind.name_reused, format!("{} `{}` reuses a reserved name", kind.noun, n.name), Some(n.span.clone()))
        .help(format!("data naming the old `{}` would now mean the new one; pick a name never used before", n.name))
}

/// A removed item: source-breaking when its id and name are reserved (code naming it stops
/// compiling, stored data stays unambiguous), wire-breaking when either is not.
fn removed(kind: &IdKind, o: &Identified<'_>, new: &IdSide<'_>) -> Finding {
    let id_kept = new.reserved_ids.contains(&o.id);
    let name_kept = new.reserved_names.iter().any(|r| r == o.name);
    let gone = format!("Rust `{}` and TypeScript `{}` are gone", generated(kind.rust_enum, o.name), ts(kind, o.name));
    let missing = match (id_kept, name_kept) {
        (true, true) => {
            let message = format!("{} `{}` (id {}) was removed; {gone}", kind.noun, o.name, o.id);
            return Finding::new(kind.removed, message, None)
                .help("code that names it no longer compiles; its id and name stay reserved".into());
        }
        (false, true) => "id",
        (true, false) => "name",
        (false, false) => "id and name",
    };
    Finding::new(
        kind.removed_unreserved,
        format!("{} `{}` (id {}) was removed without reserving its {missing}; {gone}", kind.noun, o.name, o.id),
        None,
    )
    .help(format!(
        "record it under `[reserved]`: `{noun}_ids` gets {id}, `{noun}_names` gets \"{name}\" \
         (`role-gen remove` does both when it removes)",
        noun = kind.noun,
        id = o.id,
        name = o.name
    ))
}

/// Reserved ids and names dropped from `[reserved]`, except those a reuse finding already names.
fn unreserved(
    kind: &IdKind,
    old: &IdSide<'_>,
    new: &IdSide<'_>,
    (reused_ids, reused_names): (&HashSet<u32>, &HashSet<&str>),
    out: &mut Vec<Finding>,
) {
    let help = |what: &str| {
        format!("reserved {what}s stay reserved forever; put it back in `[reserved] {}_{what}s`", kind.noun)
    };
    for id in old.reserved_ids.iter().filter(|id| !new.reserved_ids.contains(id) && !reused_ids.contains(id)) {
        let message = format!("{} id {id} is no longer reserved", kind.noun);
        out.push(Finding::new(kind.id_unreserved, message, None).help(help("id")));
    }
    for name in
        old.reserved_names.iter().filter(|n| !new.reserved_names.contains(n) && !reused_names.contains(n.as_str()))
    {
        let message = format!("{} name `{name}` is no longer reserved", kind.noun);
        out.push(Finding::new(kind.name_unreserved, message, None).help(help("name")));
    }
}

/// `Permission::ArchiveChannel`.
fn generated(rust_enum: &str, name: &str) -> String {
    format!("{rust_enum}::{}", names::rust_variant(name))
}

/// `Permission.ARCHIVE_CHANNEL`.
fn ts(kind: &IdKind, name: &str) -> String {
    format!("{}.{}", kind.rust_enum, names::screaming(name))
}
