//! Permissions, roles, policies and entity types across two versions, by id and by name: ids
//! changed, renamed, reused, removed with or without their reservation, reservations dropped,
//! items added. Each event is reported once, under its most severe class, with a message that
//! names what it breaks. An entity type's id is its protobuf number: its `id`, else its place
//! in the file.

use std::collections::{HashMap, HashSet};

use super::{Change, Finding};
use crate::model::{EntityIdx, Model, PermIdx, PolicyIdx, RoleIdx};
use crate::names;
use crate::source::Span;

/// Old name -> new name of every item that kept its id and changed its name, per kind: what the
/// rest of the comparison maps through, so that a rename is reported once.
#[derive(Debug, Clone, Default)]
pub(super) struct Renames {
    pub permissions: HashMap<String, String>,
    pub roles: HashMap<String, String>,
    pub policies: HashMap<String, String>,
    pub entities: HashMap<String, String>,
}

/// Ids and names of permissions, roles, policies, then entity types; the renames found.
pub(super) fn compare(old: &Model, new: &Model, out: &mut Vec<Finding>) -> Renames {
    Renames {
        permissions: identities(&PERMISSION, &permission_side(old), &permission_side(new), out),
        roles: identities(&ROLE, &role_side(old), &role_side(new), out),
        policies: identities(&POLICY, &policy_side(old), &policy_side(new), out),
        entities: identities(&ENTITY, &entity_side(old), &entity_side(new), out),
    }
}

/// An item with an id: a permission, a role, a policy or an entity type.
struct Identified<'a> {
    name: &'a str,
    id: u32,
    span: Span,
}

/// One version's items of a kind and what it reserves for them.
struct IdSide<'a> {
    model: &'a Model,
    /// The model's lookup by name of this kind ([`Model::permission`], [`Model::role`], …).
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
    /// Its word in roles.toml: `[reserved] <key>_ids`, `role-gen remove <key>`.
    key: &'static str,
    /// What its number is called in messages.
    number: &'static str,
    rust_enum: &'static str,
    /// Its protobuf values' prefix.
    proto_prefix: &'static str,
    /// Whether an item without `id` is numbered by its place in the file (entity types).
    by_place: bool,
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
    key: "permission",
    number: "id",
    rust_enum: "Permission",
    proto_prefix: "PERMISSION",
    by_place: false,
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
    key: "role",
    number: "id",
    rust_enum: "Role",
    proto_prefix: "ROLE",
    by_place: false,
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

const POLICY: IdKind = IdKind {
    noun: "policy",
    key: "policy",
    number: "id",
    rust_enum: "Policy",
    proto_prefix: "POLICY",
    by_place: false,
    id_changed: Change::PolicyIdChanged,
    renamed: Change::PolicyRenamed,
    id_reused: Change::PolicyIdReused,
    name_reused: Change::PolicyNameReused,
    removed_unreserved: Change::PolicyRemovedUnreserved,
    removed: Change::PolicyRemoved,
    id_unreserved: Change::PolicyIdUnreserved,
    name_unreserved: Change::PolicyNameUnreserved,
    added: Change::PolicyAdded,
};

const ENTITY: IdKind = IdKind {
    noun: "entity type",
    key: "entity",
    number: "protobuf number",
    rust_enum: "EntityType",
    proto_prefix: "ENTITY_TYPE",
    by_place: true,
    id_changed: Change::EntityRenumbered,
    renamed: Change::EntityRenamed,
    id_reused: Change::EntityIdReused,
    name_reused: Change::EntityNameReused,
    removed_unreserved: Change::EntityRemovedUnreserved,
    removed: Change::EntityRemoved,
    id_unreserved: Change::EntityIdUnreserved,
    name_unreserved: Change::EntityNameUnreserved,
    added: Change::EntityAdded,
};

/// One version's items of a kind, in the model's order, with their reservations.
fn side<'a>(
    model: &'a Model,
    find: fn(&Model, &str) -> Option<usize>,
    items: impl Iterator<Item = (&'a str, u32, Span)>,
    (reserved_ids, reserved_names): (&'a [u32], &'a [String]),
) -> IdSide<'a> {
    let items = items.map(|(name, id, span)| Identified { name, id, span }).collect();
    IdSide { model, find, items, reserved_ids, reserved_names }
}

fn permission_side(model: &Model) -> IdSide<'_> {
    let r = model.reserved();
    let items = model.permissions().iter().map(|p| (p.name.as_str(), p.id, p.span.clone()));
    side(model, |m, n| m.permission(n).map(PermIdx::get), items, (&r.permission_ids, &r.permission_names))
}

fn role_side(model: &Model) -> IdSide<'_> {
    let r = model.reserved();
    let items = model.roles().iter().map(|x| (x.name.as_str(), x.id, x.span.clone()));
    side(model, |m, n| m.role(n).map(RoleIdx::get), items, (&r.role_ids, &r.role_names))
}

fn policy_side(model: &Model) -> IdSide<'_> {
    let r = model.reserved();
    let items = model.policies().iter().map(|p| (p.name.as_str(), p.id, p.span.clone()));
    side(model, |m, n| m.policy(n).map(PolicyIdx::get), items, (&r.policy_ids, &r.policy_names))
}

fn entity_side(model: &Model) -> IdSide<'_> {
    let r = model.reserved();
    let items = model.entities().iter().map(|e| (e.name.as_str(), e.id, e.span.clone()));
    side(model, |m, n| m.entity(n).map(EntityIdx::get), items, (&r.entity_ids, &r.entity_names))
}

/// Ids and names of one kind: changed, renamed, reused, removed (reserved or not), un-reserved,
/// added. Each event is reported once, under its most severe class: a removal that also fails
/// to reserve is wire-breaking, and its message says the generated names are gone too. Returns
/// the renames (old name -> new name).
fn identities(kind: &IdKind, old: &IdSide<'_>, new: &IdSide<'_>, out: &mut Vec<Finding>) -> HashMap<String, String> {
    let old_by_id: HashMap<u32, &Identified<'_>> = old.items.iter().map(|i| (i.id, i)).collect();
    let new_by_id: HashMap<u32, &Identified<'_>> = new.items.iter().map(|i| (i.id, i)).collect();
    let mut renames = HashMap::new();
    for o in &old.items {
        match new.named(o.name) {
            Some(n) if n.id != o.id => out.push(id_changed(kind, o, n)),
            Some(_) => {}
            None => match new_by_id.get(&o.id).filter(|n| !old.has(n.name)) {
                Some(n) => {
                    renames.insert(o.name.to_string(), n.name.to_string());
                    out.push(renamed(kind, o, n));
                }
                None => out.push(removed(kind, o, new)),
            },
        }
    }
    let renamed_to: HashSet<&str> = renames.values().map(String::as_str).collect();
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
            let message = format!("{} `{}` ({} {}) was added", kind.noun, n.name, kind.number, n.id);
            out.push(Finding::new(kind.added, message, Some(n.span.clone())).about([n.name]));
        }
    }
    unreserved(kind, old, new, (&reused_ids, &reused_names), out);
    renames
}

fn id_changed(kind: &IdKind, o: &Identified<'_>, n: &Identified<'_>) -> Finding {
    let help = if kind.by_place {
        format!(
            "{}s without `id` are numbered by their place in the file, so `{}` now sends {} instead of {}; \
             pin `id = {}` on it to keep its number wherever it stands",
            kind.noun,
            proto(kind, o.name),
            n.id,
            o.id,
            o.id
        )
    } else {
        format!(
            "ids are stored and sent as numbers, so a stored {} no longer means `{}`; restore id {}",
            o.id, o.name, o.id
        )
    };
    Finding::new(
        kind.id_changed,
        format!("{} `{}` changed {} from {} to {}", kind.noun, o.name, kind.number, o.id, n.id),
        Some(n.span.clone()),
    )
    .help(help)
    .about([o.name])
}

fn renamed(kind: &IdKind, o: &Identified<'_>, n: &Identified<'_>) -> Finding {
    Finding::new(
        kind.renamed,
        format!("{} `{}` ({} {}) was renamed to `{}`", kind.noun, o.name, kind.number, o.id, n.name),
        Some(n.span.clone()),
    )
    .help(format!(
        "names are stored and sent as strings and name the generated code (`{}`); keep `{}`, \
         or add `{}` with a new {} beside it",
        generated(kind.rust_enum, o.name),
        o.name,
        n.name,
        kind.number
    ))
    .about([o.name, n.name])
}

fn id_reused(kind: &IdKind, n: &Identified<'_>, previous: Option<&str>) -> Finding {
    let whose = previous.map_or_else(|| "which was reserved".to_string(), |p| format!("which was `{p}`'s"));
    Finding::new(
        kind.id_reused,
        format!("{} `{}` reuses {} {}, {whose}", kind.noun, n.name, kind.number, n.id),
        Some(n.span.clone()),
    )
    .help(format!(
        "numbers are never reused: data stored with {} would now mean `{}`; take a {} never used before",
        n.id, n.name, kind.number
    ))
    .about([n.name])
}

fn name_reused(kind: &IdKind, n: &Identified<'_>) -> Finding {
    Finding::new(kind.name_reused, format!("{} `{}` reuses a reserved name", kind.noun, n.name), Some(n.span.clone()))
        .help(format!("data naming the old `{}` would now mean the new one; pick a name never used before", n.name))
        .about([n.name])
}

/// A removed item: source-breaking when its id and name are reserved (code naming it stops
/// compiling, stored data stays unambiguous), wire-breaking when either is not.
fn removed(kind: &IdKind, o: &Identified<'_>, new: &IdSide<'_>) -> Finding {
    let id_kept = new.reserved_ids.contains(&o.id);
    let name_kept = new.reserved_names.iter().any(|r| r == o.name);
    let gone = format!("Rust `{}` and TypeScript `{}` are gone", generated(kind.rust_enum, o.name), ts(kind, o.name));
    let what = format!("{} `{}` ({} {})", kind.noun, o.name, kind.number, o.id);
    let missing = match (id_kept, name_kept) {
        (true, true) => {
            return Finding::new(kind.removed, format!("{what} was removed; {gone}"), None)
                .help(format!("code that names it no longer compiles; its {} and name stay reserved", kind.number))
                .about([o.name]);
        }
        (false, true) => kind.number,
        (true, false) => "name",
        (false, false) => &format!("{} and name", kind.number),
    };
    Finding::new(kind.removed_unreserved, format!("{what} was removed without reserving its {missing}; {gone}"), None)
        .help(format!(
            "record it under `[reserved]`: `{key}_ids` gets {id}, `{key}_names` gets \"{name}\" \
             (`role-gen remove {key}` does both when it removes)",
            key = kind.key,
            id = o.id,
            name = o.name
        ))
        .about([o.name])
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
        format!("reserved {what}s stay reserved forever; put it back in `[reserved] {}_{what}s`", kind.key)
    };
    for id in old.reserved_ids.iter().filter(|id| !new.reserved_ids.contains(id) && !reused_ids.contains(id)) {
        let message = format!("{} {} {id} is no longer reserved", kind.noun, kind.number);
        out.push(Finding::new(kind.id_unreserved, message, None).help(help("id")).about([id.to_string()]));
    }
    for name in
        old.reserved_names.iter().filter(|n| !new.reserved_names.contains(n) && !reused_names.contains(n.as_str()))
    {
        let message = format!("{} name `{name}` is no longer reserved", kind.noun);
        out.push(Finding::new(kind.name_unreserved, message, None).help(help("name")).about([name]));
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

/// `ENTITY_TYPE_CHANNEL`.
fn proto(kind: &IdKind, name: &str) -> String {
    format!("{}_{}", kind.proto_prefix, names::screaming(name))
}
