//! Comparing two versions of a roles.toml, the way `buf breaking` compares protobuf files.
//!
//! A reviewer of a pull request that edits roles.toml needs two answers: does this break
//! anything that already exists (stored ids, names sent as strings, protobuf numbers, code built
//! from the generated outputs), and who gains or loses which permission. [`compare`] answers
//! both from two validated [`Model`]s; it reads no files and prints nothing, so the CLI, a test
//! or another tool can render the [`Report`] as it likes.
//!
//! Items are matched by name: a permission or role keeps its name across versions, and its id is
//! checked against the old one. Entity types and legacy levels have no ids: their protobuf
//! numbers are their 1-based position in the file, so they are matched by name and their
//! positions compared.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use crate::diagnostic::{Diagnostics, Severity};
use crate::model::{Deprecated, EntityIdx, Model, PermIdx, RoleIdx, RuleKind};
use crate::names;
use crate::source::{SourceFile, Span};

/// How much a change matters, from most to least severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// Breaks data that other systems store or send: ids, names sent as strings, protobuf
    /// numbers and package, where existing role assignments may live.
    Wire,
    /// Breaks code built from the generated outputs: a Rust variant, TypeScript key or protobuf
    /// value disappears, or a `#[derive(RequiresPermission)]` stops compiling.
    Source,
    /// Changes who may do what, beyond the per-role grants listed in [`Access`].
    Access,
    /// Worth a reviewer's glance; fails nothing.
    Note,
}

impl Class {
    /// The lowercase name shown in reports and JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Class::Wire => "wire",
            Class::Source => "source",
            Class::Access => "access",
            Class::Note => "note",
        }
    }

    /// Whether a change of this class fails `diff` on its own.
    pub const fn is_breaking(self) -> bool {
        matches!(self, Class::Wire | Class::Source)
    }
}

macro_rules! changes {
    ($($variant:ident => $code:literal, $class:ident;)*) => {
        /// The stable code of every change `diff` reports; users match on these.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Change { $($variant,)* }

        impl Change {
            /// The kebab-case code users see, match on, and search for.
            pub const fn as_str(self) -> &'static str {
                match self { $(Change::$variant => $code,)* }
            }

            /// How much it matters.
            pub const fn class(self) -> Class {
                match self { $(Change::$variant => Class::$class,)* }
            }

            /// Every code, most severe class first.
            pub const ALL: &'static [Change] = &[$(Change::$variant,)*];
        }
    };
}

changes! {
    ProtoPackageChanged => "proto-package-changed", Wire;
    PermissionIdChanged => "permission-id-changed", Wire;
    PermissionRenamed => "permission-renamed", Wire;
    PermissionIdReused => "permission-id-reused", Wire;
    PermissionNameReused => "permission-name-reused", Wire;
    PermissionRemovedUnreserved => "permission-removed-unreserved", Wire;
    PermissionIdUnreserved => "permission-id-unreserved", Wire;
    PermissionNameUnreserved => "permission-name-unreserved", Wire;
    RoleIdChanged => "role-id-changed", Wire;
    RoleRenamed => "role-renamed", Wire;
    RoleIdReused => "role-id-reused", Wire;
    RoleNameReused => "role-name-reused", Wire;
    RoleRemovedUnreserved => "role-removed-unreserved", Wire;
    RoleIdUnreserved => "role-id-unreserved", Wire;
    RoleNameUnreserved => "role-name-unreserved", Wire;
    RoleAssignableNarrowed => "role-assignable-narrowed", Wire;
    EntityRemoved => "entity-removed", Wire;
    EntityRenumbered => "entity-renumbered", Wire;
    LegacyLevelRemoved => "legacy-level-removed", Wire;
    LegacyLevelRenumbered => "legacy-level-renumbered", Wire;
    PermissionRemoved => "permission-removed", Source;
    RoleRemoved => "role-removed", Source;
    PermissionEntitiesNarrowed => "permission-entities-narrowed", Source;
    PolicyRemoved => "policy-removed", Source;
    PolicyChanged => "policy-changed", Access;
    EntityParentChanged => "entity-parent-changed", Access;
    PermissionEntitiesWidened => "permission-entities-widened", Access;
    RoleAssignableWidened => "role-assignable-widened", Access;
    PermissionAdded => "permission-added", Note;
    RoleAdded => "role-added", Note;
    EntityAdded => "entity-added", Note;
    LegacyLevelAdded => "legacy-level-added", Note;
    PolicyAdded => "policy-added", Note;
    PermissionDeprecated => "permission-deprecated", Note;
    PermissionUndeprecated => "permission-undeprecated", Note;
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One change between the two versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The stable code; its [`Change::class`] says how much it matters.
    pub change: Change,
    /// Lowercase, user input in backticks.
    pub message: String,
    /// Why it matters or how to avoid it.
    pub help: Option<String>,
    /// Where it shows in the NEW file (`None`: the item is gone from it).
    pub span: Option<Span>,
}

impl Finding {
    fn new(change: Change, message: String, span: Option<Span>) -> Self {
        Finding { change, message, help: None, span }
    }

    fn help(mut self, help: String) -> Self {
        self.help = Some(help);
        self
    }
}

/// A permission a role gained or lost, in its effective permissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub role: String,
    pub permission: String,
    /// The include chain from `role` to the role that grants it directly, both ends included,
    /// in the version that holds it (the new one for a grant, the old one for a revocation).
    pub via: Vec<String>,
    /// The role's place in the NEW file (`None`: the role is gone).
    pub span: Option<Span>,
}

/// Who gains and loses what.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    /// Effective permissions roles hold now and did not before (every permission of a new role).
    pub granted: Vec<Grant>,
    /// Effective permissions roles held and no longer do (every permission of a removed role).
    pub revoked: Vec<Grant>,
    /// Changes that move access without a per-role grant: policy rules, entity parents, where a
    /// permission is checked or a role assigned.
    pub other: Vec<Finding>,
}

impl Access {
    /// Whether anyone's access changed.
    pub fn is_empty(&self) -> bool {
        self.granted.is_empty() && self.revoked.is_empty() && self.other.is_empty()
    }
}

/// Everything that changed, grouped by what a reviewer does with it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Wire-breaking changes first, then source-breaking ones.
    pub breaking: Vec<Finding>,
    pub access: Access,
    /// Additions and deprecations.
    pub notes: Vec<Finding>,
}

impl Report {
    /// Whether anything breaks (`diff` exits 1).
    pub fn is_breaking(&self) -> bool {
        !self.breaking.is_empty()
    }

    /// Whether nothing at all changed.
    pub fn is_empty(&self) -> bool {
        self.breaking.is_empty() && self.access.is_empty() && self.notes.is_empty()
    }
}

/// A roles.toml validated for comparison, with its text (to turn spans into lines).
#[derive(Debug, Clone)]
pub struct Definition {
    pub model: Model,
    pub source: SourceFile,
}

/// Validates roles.toml contents for comparison: every rule of SPEC section 1 except reading
/// custom templates. An old version read from git has its templates at that revision, not on
/// disk, and templates never change what a diff compares, so requiring them would only refuse
/// good diffs. Warnings are dropped: they describe one version, not the change.
pub fn load(path: impl Into<PathBuf>, bytes: &[u8]) -> Result<Definition, Diagnostics> {
    match crate::validate(crate::decode(SourceFile::new(path, ""), bytes)?) {
        Ok(validated) => {
            let source = validated.source().clone();
            Ok(Definition { model: validated.into_parts().0, source })
        }
        Err(mut diagnostics) => {
            diagnostics.retain(|d| d.severity() == Severity::Error);
            Err(diagnostics)
        }
    }
}

/// A model with `model`'s project and nothing in it (see [`Model::empty_like`]).
pub fn empty_like(model: &Model) -> Model {
    model.empty_like()
}

/// Everything that changed from `old` to `new`.
pub fn compare(old: &Model, new: &Model) -> Report {
    let mut found = Vec::new();
    proto_package(old, new, &mut found);
    identities(&PERMISSION, &permission_side(old), &permission_side(new), &mut found);
    identities(&ROLE, &role_side(old), &role_side(new), &mut found);
    positions(&ENTITY, &entity_side(old), &entity_side(new), &mut found);
    positions(&LEGACY_LEVEL, &level_side(old), &level_side(new), &mut found);
    permission_properties(old, new, &mut found);
    role_properties(old, new, &mut found);
    entity_parents(old, new, &mut found);
    policies(old, new, &mut found);
    let (mut breaking, rest): (Vec<_>, Vec<_>) = found.into_iter().partition(|f| f.change.class().is_breaking());
    breaking.sort_by_key(|f| f.change.class());
    let (other, notes) = rest.into_iter().partition(|f| f.change.class() == Class::Access);
    let (granted, revoked) = access(old, new);
    Report { breaking, access: Access { granted, revoked, other }, notes }
}

/// `` `a`, `b` `` for messages.
fn quoted<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> String {
    names.into_iter().map(|n| format!("`{}`", n.as_ref())).collect::<Vec<_>>().join(", ")
}

/// The protobuf package names the enums and the gRPC service: changing it renames them all.
fn proto_package(old: &Model, new: &Model, out: &mut Vec<Finding>) {
    let (before, after) = (&old.project.proto_package, &new.project.proto_package);
    if before != after {
        out.push(
            Finding::new(
                Change::ProtoPackageChanged,
                format!("the protobuf package changed from `{before}` to `{after}`"),
                None,
            )
            .help(format!(
                "every enum's full name and the gRPC path `/{before}.PermissionService/CheckPermissions` change; \
                 clients built from the old package stop working"
            )),
        );
    }
}

/// An item with an id: a permission or a role.
struct Identified<'a> {
    name: &'a str,
    id: u32,
    span: Span,
}

/// One version's items of a kind and what it reserves for them.
struct IdSide<'a> {
    items: Vec<Identified<'a>>,
    reserved_ids: &'a [u32],
    reserved_names: &'a [String],
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
    IdSide {
        items: model.permissions.iter().map(|p| Identified { name: &p.name, id: p.id, span: p.span.clone() }).collect(),
        reserved_ids: &model.reserved.permission_ids,
        reserved_names: &model.reserved.permission_names,
    }
}

fn role_side(model: &Model) -> IdSide<'_> {
    IdSide {
        items: model.roles.iter().map(|r| Identified { name: &r.name, id: r.id, span: r.span.clone() }).collect(),
        reserved_ids: &model.reserved.role_ids,
        reserved_names: &model.reserved.role_names,
    }
}

/// Ids and names of one kind: changed, renamed, reused, removed (reserved or not), un-reserved,
/// added. Each event is reported once, under its most severe class: a removal that also fails
/// to reserve is wire-breaking, and its message says the generated names are gone too.
fn identities(kind: &IdKind, old: &IdSide<'_>, new: &IdSide<'_>, out: &mut Vec<Finding>) {
    let old_by_name: HashMap<&str, &Identified<'_>> = old.items.iter().map(|i| (i.name, i)).collect();
    let new_by_name: HashMap<&str, &Identified<'_>> = new.items.iter().map(|i| (i.name, i)).collect();
    let old_by_id: HashMap<u32, &Identified<'_>> = old.items.iter().map(|i| (i.id, i)).collect();
    let new_by_id: HashMap<u32, &Identified<'_>> = new.items.iter().map(|i| (i.id, i)).collect();
    let mut renamed_to = HashSet::new();
    for o in &old.items {
        match new_by_name.get(o.name) {
            Some(n) if n.id != o.id => out.push(id_changed(kind, o, n)),
            Some(_) => {}
            None => match new_by_id.get(&o.id).filter(|n| !old_by_name.contains_key(n.name)) {
                Some(n) => {
                    renamed_to.insert(n.name);
                    out.push(renamed(kind, o, n));
                }
                None => out.push(removed(kind, o, new)),
            },
        }
    }
    let fresh = new.items.iter().filter(|n| !old_by_name.contains_key(n.name) && !renamed_to.contains(n.name));
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

/// The codes and words for one kind of item numbered by file order.
struct PosKind {
    noun: &'static str,
    rust_enum: &'static str,
    proto_prefix: &'static str,
    removed: Change,
    renumbered: Change,
    added: Change,
    /// What else moving one changes, for the help line.
    moving_also: &'static str,
}

const ENTITY: PosKind = PosKind {
    noun: "entity type",
    rust_enum: "EntityType",
    proto_prefix: "ENTITY_TYPE_",
    removed: Change::EntityRemoved,
    renumbered: Change::EntityRenumbered,
    added: Change::EntityAdded,
    moving_also: "",
};

const LEGACY_LEVEL: PosKind = PosKind {
    noun: "legacy level",
    rust_enum: "LegacyRole",
    proto_prefix: "LEGACY_ROLE_",
    removed: Change::LegacyLevelRemoved,
    renumbered: Change::LegacyLevelRenumbered,
    added: Change::LegacyLevelAdded,
    moving_also: "; levels are lowest first, so moving one also changes whom `allow_if_legacy_at_least` admits",
};

/// One version's names, in file order, with their spans.
type PosSide<'a> = Vec<(&'a str, Span)>;

fn entity_side(model: &Model) -> PosSide<'_> {
    model.entities.iter().map(|e| (e.name.as_str(), e.span.clone())).collect()
}

fn level_side(model: &Model) -> PosSide<'_> {
    model.legacy_levels.iter().map(|l| (l.name.as_str(), l.span.clone())).collect()
}

/// Items whose protobuf number is their position: removing or moving one changes what a number
/// means on the wire. Adding at the end is safe.
fn positions(kind: &PosKind, old: &PosSide<'_>, new: &PosSide<'_>, out: &mut Vec<Finding>) {
    let new_pos: HashMap<&str, usize> = new.iter().enumerate().map(|(i, (n, _))| (*n, i)).collect();
    let old_names: HashSet<&str> = old.iter().map(|(n, _)| *n).collect();
    for (i, (name, _)) in old.iter().enumerate() {
        let (proto, number) = (format!("{}{}", kind.proto_prefix, names::screaming(name)), i + 1);
        match new_pos.get(name) {
            None => out.push(
                Finding::new(
                    kind.removed,
                    format!("{} `{name}` (protobuf number {number}) was removed", kind.noun),
                    None,
                )
                .help(format!(
                    "`{proto} = {number}`, `{}::{}` and `{}.{}` disappear; keep it, and add new ones at the end",
                    kind.rust_enum,
                    names::rust_variant(name),
                    kind.rust_enum,
                    names::screaming(name)
                )),
            ),
            Some(&j) if j != i => out.push(
                Finding::new(
                    kind.renumbered,
                    format!("{} `{name}` moved from protobuf number {number} to {}", kind.noun, j + 1),
                    Some(new[j].1.clone()),
                )
                .help(format!(
                    "{}s are numbered by file order, so `{proto}` now sends {} instead of {number}; \
                     add new ones at the end and never reorder{}",
                    kind.noun,
                    j + 1,
                    kind.moving_also
                )),
            ),
            Some(_) => {}
        }
    }
    for (j, (name, span)) in new.iter().enumerate().filter(|(_, (n, _))| !old_names.contains(n)) {
        let message = format!("{} `{name}` (protobuf number {}) was added", kind.noun, j + 1);
        out.push(Finding::new(kind.added, message, Some(span.clone())));
    }
}

/// Entity names of `list`, keeping only those both versions know: an entity type added or
/// removed is reported once, not again for every permission and role that lists it.
fn shared_entities<'a>(model: &'a Model, list: &[EntityIdx], other: &Model) -> Vec<&'a str> {
    list.iter().map(|&e| model.entities[e].name.as_str()).filter(|n| other.entity(n).is_some()).collect()
}

/// `(dropped, added)`: what `before` has that `after` lacks, and the reverse.
fn set_change<'a>(before: &[&'a str], after: &[&'a str]) -> (Vec<&'a str>, Vec<&'a str>) {
    let dropped = before.iter().filter(|n| !after.contains(n)).copied().collect();
    let added = after.iter().filter(|n| !before.contains(n)).copied().collect();
    (dropped, added)
}

/// Where a permission is checked, and whether it is deprecated. Narrowing is source-breaking: a
/// `#[derive(RequiresPermission)]` for a dropped entity stops compiling, and call sites checking
/// it there must change. Widening is an access change.
fn permission_properties(old: &Model, new: &Model, out: &mut Vec<Finding>) {
    let index = Index::new(old);
    for n in &new.permissions {
        let Some(o) = index.permissions.get(n.name.as_str()).map(|&i| &old.permissions[i]) else { continue };
        let before = shared_entities(old, &o.entities, new);
        let after = shared_entities(new, &n.entities, old);
        let (dropped, added) = set_change(&before, &after);
        let span = Some(n.span.clone());
        if !dropped.is_empty() {
            out.push(
                Finding::new(
                    Change::PermissionEntitiesNarrowed,
                    format!("permission `{}` is no longer checked against {}", n.name, quoted(&dropped)),
                    span.clone(),
                )
                .help(format!(
                    "a `#[derive(RequiresPermission)]` with `entity` {} no longer compiles for it, \
                     and checks against it there must change",
                    quoted(&dropped)
                )),
            );
        }
        if !added.is_empty() {
            let message = format!("permission `{}` is now also checked against {}", n.name, quoted(&added));
            out.push(Finding::new(Change::PermissionEntitiesWidened, message, span.clone()));
        }
        deprecation(&n.name, &o.deprecated, &n.deprecated, span, out);
    }
}

fn deprecation(name: &str, before: &Deprecated, after: &Deprecated, span: Option<Span>, out: &mut Vec<Finding>) {
    match (before.is_deprecated(), after.is_deprecated()) {
        (false, true) => {
            let why = after.reason().map(|r| format!(": {r}")).unwrap_or_default();
            out.push(Finding::new(
                Change::PermissionDeprecated,
                format!("permission `{name}` is now deprecated{why}"),
                span,
            ));
        }
        (true, false) => {
            out.push(Finding::new(
                Change::PermissionUndeprecated,
                format!("permission `{name}` is no longer deprecated"),
                span,
            ));
        }
        _ => {}
    }
}

/// Where a role may be assigned. Narrowing invalidates assignments already stored on the dropped
/// entity types, so it is wire-breaking; widening is an access change.
fn role_properties(old: &Model, new: &Model, out: &mut Vec<Finding>) {
    let index = Index::new(old);
    for n in &new.roles {
        let Some(o) = index.roles.get(n.name.as_str()).map(|&i| &old.roles[i]) else { continue };
        let before = shared_entities(old, &o.assignable_on, new);
        let after = shared_entities(new, &n.assignable_on, old);
        let (dropped, added) = set_change(&before, &after);
        if !dropped.is_empty() {
            out.push(
                Finding::new(
                    Change::RoleAssignableNarrowed,
                    format!("role `{}` may no longer be assigned on {}", n.name, quoted(&dropped)),
                    Some(n.span.clone()),
                )
                .help(format!(
                    "assignments of `{}` already stored on {} become invalid; migrate them first",
                    n.name,
                    quoted(&dropped)
                )),
            );
        }
        if !added.is_empty() {
            let message = format!("role `{}` may now also be assigned on {}", n.name, quoted(&added));
            out.push(Finding::new(Change::RoleAssignableWidened, message, Some(n.span.clone())));
        }
    }
}

/// A role assigned on an entity applies to its descendants, so moving an entity type under
/// another parent changes where existing assignments reach.
fn entity_parents(old: &Model, new: &Model, out: &mut Vec<Finding>) {
    let parent = |m: &Model, e: &crate::model::Entity| e.parent.map(|p| m.entities[p].name.clone());
    for n in &new.entities {
        let Some(o) = old.entity(&n.name).map(|i| &old.entities[i]) else { continue };
        let (before, after) = (parent(old, o), parent(new, n));
        if before == after {
            continue;
        }
        let place = |p: &Option<String>| p.as_ref().map_or_else(|| "no parent".to_string(), |p| format!("`{p}`"));
        out.push(
            Finding::new(
                Change::EntityParentChanged,
                format!("entity type `{}` now has parent {} instead of {}", n.name, place(&after), place(&before)),
                Some(n.span.clone()),
            )
            .help("roles assigned on an entity apply below it, so existing assignments now reach elsewhere".into()),
        );
    }
}

/// A policy's rules as roles.toml writes them, names resolved in `model`.
fn rule_text(model: &Model, kind: &RuleKind) -> String {
    let levels = |ls: &[usize]| quoted(ls.iter().map(|&l| model.legacy_levels[l].name.as_str()));
    let perms = |ps: &[PermIdx]| quoted(ps.iter().map(|&p| model.permissions[p].name.as_str()));
    match kind {
        RuleKind::DenyIfLegacy(ls) => format!("deny_if_legacy [{}]", levels(ls)),
        RuleKind::AllowIfLegacyAtLeast(l) => format!("allow_if_legacy_at_least `{}`", model.legacy_levels[*l].name),
        RuleKind::AllowIfPermission(ps) => format!("allow_if_permission [{}]", perms(ps)),
        RuleKind::AllowIf(p) => format!("allow_if `{p}`"),
        RuleKind::DenyIf(p) => format!("deny_if `{p}`"),
    }
}

/// Policies decide access in order, first rule wins: any change to a policy's rules or entity is
/// an access change; a removed policy takes its generated evaluator with it.
fn policies(old: &Model, new: &Model, out: &mut Vec<Finding>) {
    for o in old.policies.iter().filter(|o| !new.policies.iter().any(|n| n.name == o.name)) {
        out.push(
            Finding::new(Change::PolicyRemoved, format!("policy `{}` was removed", o.name), None)
                .help("its generated evaluator is gone; code calling it no longer compiles".into()),
        );
    }
    for n in &new.policies {
        let Some(o) = old.policies.iter().find(|o| o.name == n.name) else {
            out.push(Finding::new(Change::PolicyAdded, format!("policy `{}` was added", n.name), Some(n.span.clone())));
            continue;
        };
        let (oe, ne) = (&old.entities[o.entity].name, &new.entities[n.entity].name);
        if oe != ne {
            let message = format!("policy `{}` now decides on `{ne}` instead of `{oe}`", n.name);
            out.push(Finding::new(Change::PolicyChanged, message, Some(n.span.clone())));
        }
        let before: Vec<String> = o.rules.iter().map(|r| rule_text(old, &r.kind)).collect();
        let after: Vec<String> = n.rules.iter().map(|r| rule_text(new, &r.kind)).collect();
        if let Some(what) = rules_change(&before, &after) {
            let message = format!("policy `{}` {what}", n.name);
            out.push(Finding::new(Change::PolicyChanged, message, Some(n.span.clone())));
        }
    }
}

/// How a rule list changed, in words; `None` when it did not.
fn rules_change(before: &[String], after: &[String]) -> Option<String> {
    if before == after {
        return None;
    }
    let removed: Vec<&String> = before.iter().filter(|r| !after.contains(r)).collect();
    let added: Vec<&String> = after.iter().filter(|r| !before.contains(r)).collect();
    let mut parts = Vec::new();
    if !removed.is_empty() {
        parts.push(format!("lost rule {}", removed.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")));
    }
    if !added.is_empty() {
        parts.push(format!("gained rule {}", added.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")));
    }
    if parts.is_empty() {
        parts.push("rules were reordered (the first rule that fires decides)".to_string());
    }
    Some(parts.join("; "))
}

/// Names to indices of one version: [`Model::permission`] and [`Model::role`] scan, which is
/// quadratic over a 10,000-permission file.
struct Index<'a> {
    permissions: HashMap<&'a str, PermIdx>,
    roles: HashMap<&'a str, RoleIdx>,
}

impl<'a> Index<'a> {
    fn new(model: &'a Model) -> Self {
        Index {
            permissions: model.permissions.iter().enumerate().map(|(i, p)| (p.name.as_str(), i)).collect(),
            roles: model.roles.iter().enumerate().map(|(i, r)| (r.name.as_str(), i)).collect(),
        }
    }
}

/// Effective permissions per role, matched by name (indices differ between versions): what each
/// role holds now and did not, and the reverse. A role only in `new` gains all it holds; a role
/// only in `old` loses all it held. Roles come in new id order, then removed roles in old id
/// order; permissions by id.
fn access(old: &Model, new: &Model) -> (Vec<Grant>, Vec<Grant>) {
    let (old_index, new_index) = (Index::new(old), Index::new(new));
    let to_new: Vec<Option<PermIdx>> =
        old.permissions.iter().map(|p| new_index.permissions.get(p.name.as_str()).copied()).collect();
    let to_old: Vec<Option<PermIdx>> =
        new.permissions.iter().map(|p| old_index.permissions.get(p.name.as_str()).copied()).collect();
    let (mut granted, mut revoked) = (Vec::new(), Vec::new());
    for (ni, role) in new.roles.iter().enumerate() {
        let span = Some(role.span.clone());
        let Some(&oi) = old_index.roles.get(role.name.as_str()) else {
            granted.extend(grants(new, ni, role.effective.iter().collect(), &span));
            continue;
        };
        let before = &old.roles[oi].effective;
        let gained = role.effective.iter().filter(|&p| !to_old[p].is_some_and(|op| before.contains(op))).collect();
        let lost = before.iter().filter(|&p| !to_new[p].is_some_and(|np| role.effective.contains(np))).collect();
        granted.extend(grants(new, ni, gained, &span));
        revoked.extend(grants(old, oi, lost, &span));
    }
    for (oi, role) in old.roles.iter().enumerate().filter(|(_, r)| !new_index.roles.contains_key(r.name.as_str())) {
        revoked.extend(grants(old, oi, role.effective.iter().collect(), &None));
    }
    (granted, revoked)
}

/// `perms` of `role` in `model` as grants, each with its include chain.
fn grants(model: &Model, role: RoleIdx, perms: Vec<PermIdx>, span: &Option<Span>) -> Vec<Grant> {
    if perms.is_empty() {
        return Vec::new();
    }
    let chains = Chains::of(model, role);
    perms
        .into_iter()
        .map(|p| Grant {
            role: model.roles[role].name.clone(),
            permission: model.permissions[p].name.clone(),
            via: chains.via(p).into_iter().map(|r| model.roles[r].name.clone()).collect(),
            span: span.clone(),
        })
        .collect()
}

/// Every include chain of one role, from one breadth-first walk: the same answers as
/// [`Model::via`] (shortest chain, ties broken by id), which walks once per permission.
struct Chains {
    /// The role each reached role was first reached from.
    parent: Vec<Option<RoleIdx>>,
    /// For each permission, the first role in walk order that grants it directly.
    granter: HashMap<PermIdx, RoleIdx>,
}

impl Chains {
    fn of(model: &Model, role: RoleIdx) -> Chains {
        let mut parent = vec![None; model.roles.len()];
        let mut seen = vec![false; model.roles.len()];
        let mut granter = HashMap::new();
        let mut queue = std::collections::VecDeque::from([role]);
        seen[role] = true;
        while let Some(r) = queue.pop_front() {
            for &p in &model.roles[r].permissions {
                granter.entry(p).or_insert(r);
            }
            let mut next = model.roles[r].includes.clone();
            next.sort_unstable();
            for n in next {
                if !std::mem::replace(&mut seen[n], true) {
                    parent[n] = Some(r);
                    queue.push_back(n);
                }
            }
        }
        Chains { parent, granter }
    }

    /// The chain from the walked role to the granter of `perm`, both ends included.
    fn via(&self, perm: PermIdx) -> Vec<RoleIdx> {
        let Some(&granter) = self.granter.get(&perm) else { return Vec::new() };
        let mut path = vec![granter];
        let mut at = granter;
        while let Some(p) = self.parent[at] {
            path.push(p);
            at = p;
        }
        path.reverse();
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"
[project]
name = "demo"

[entities.workspace]
description = "A workspace"

[entities.channel]
description = "A channel"
parent = "workspace"

[permissions.view]
id = 1
description = "View"

[permissions.edit]
id = 2
description = "Edit"

[permissions.delete]
id = 3
description = "Delete"

[roles.viewer]
id = 1
description = "Views"
permissions = ["view"]

[roles.editor]
id = 2
description = "Edits"
permissions = ["edit"]
includes = ["viewer"]

[roles.admin]
id = 3
description = "Runs it"
permissions = ["delete"]
includes = ["editor"]
"#;

    fn model(text: &str) -> Model {
        match load("roles.toml", text.as_bytes()) {
            Ok(d) => d.model,
            Err(d) => panic!("invalid test input:\n{}", d.render_human(false)),
        }
    }

    fn diff(old: &str, new: &str) -> Report {
        compare(&model(old), &model(new))
    }

    fn codes(findings: &[Finding]) -> Vec<&'static str> {
        findings.iter().map(|f| f.change.as_str()).collect()
    }

    fn pairs(grants: &[Grant]) -> Vec<(&str, &str)> {
        grants.iter().map(|g| (g.role.as_str(), g.permission.as_str())).collect()
    }

    /// BASE without the `[permissions.delete]` table and the grant of it.
    fn without_delete(extra: &str) -> String {
        let text = BASE.replace("[permissions.delete]\nid = 3\ndescription = \"Delete\"\n", "");
        format!("{}{extra}", text.replace("permissions = [\"delete\"]\n", ""))
    }

    #[test]
    fn identical_versions_report_nothing() {
        assert!(diff(BASE, BASE).is_empty());
    }

    #[test]
    fn an_id_change_is_wire_breaking_and_points_at_the_new_line() {
        let report = diff(BASE, &BASE.replace("id = 2\ndescription = \"Edit\"", "id = 9\ndescription = \"Edit\""));
        assert_eq!(codes(&report.breaking), ["permission-id-changed"]);
        assert_eq!(report.breaking[0].message, "permission `edit` changed id from 2 to 9");
        assert_eq!(report.breaking[0].change.class(), Class::Wire);
        assert!(report.breaking[0].span.is_some());
        assert!(report.access.is_empty(), "same names, same access: {:?}", report.access);
    }

    #[test]
    fn a_removal_without_reservation_is_wire_breaking() {
        let report = diff(BASE, &without_delete(""));
        assert_eq!(codes(&report.breaking), ["permission-removed-unreserved"]);
        assert!(report.breaking[0].message.contains("without reserving its id and name"), "{:?}", report.breaking);
        assert_eq!(pairs(&report.access.revoked), [("admin", "delete")]);
    }

    #[test]
    fn a_removal_reserving_only_the_id_is_still_wire_breaking() {
        let report = diff(BASE, &without_delete("\n[reserved]\npermission_ids = [3]\n"));
        assert_eq!(codes(&report.breaking), ["permission-removed-unreserved"]);
        assert!(report.breaking[0].message.contains("without reserving its name"));
    }

    #[test]
    fn a_removal_with_reservation_is_only_a_source_break() {
        let report =
            diff(BASE, &without_delete("\n[reserved]\npermission_ids = [3]\npermission_names = [\"delete\"]\n"));
        assert_eq!(codes(&report.breaking), ["permission-removed"]);
        assert_eq!(report.breaking[0].change.class(), Class::Source);
        assert!(report.breaking[0].message.contains("`Permission::Delete`"), "{}", report.breaking[0].message);
    }

    #[test]
    fn a_grant_to_an_included_role_reaches_every_role_that_inherits_it() {
        let new = BASE.replace("permissions = [\"view\"]", "permissions = [\"view\", \"delete\"]");
        let report = diff(BASE, &new);
        assert!(report.breaking.is_empty());
        assert_eq!(pairs(&report.access.granted), [("viewer", "delete"), ("editor", "delete")]);
        assert_eq!(report.access.granted[1].via, ["editor", "viewer"]);
        assert!(report.access.revoked.is_empty());
    }

    #[test]
    fn a_grant_two_levels_down_reaches_the_top_of_the_chain() {
        let with_extra =
            BASE.replace("[roles.viewer]", "[permissions.export]\nid = 4\ndescription = \"Export\"\n\n[roles.viewer]");
        let granted = with_extra.replace("permissions = [\"view\"]", "permissions = [\"view\", \"export\"]");
        let report = diff(&with_extra, &granted);
        assert_eq!(pairs(&report.access.granted), [("viewer", "export"), ("editor", "export"), ("admin", "export")]);
        assert_eq!(report.access.granted[2].via, ["admin", "editor", "viewer"]);
    }

    #[test]
    fn an_include_removed_revokes_what_came_through_it() {
        let report = diff(BASE, &BASE.replace("includes = [\"editor\"]", ""));
        assert_eq!(pairs(&report.access.revoked), [("admin", "view"), ("admin", "edit")]);
        assert_eq!(report.access.revoked[0].via, ["admin", "editor", "viewer"], "the old version's chain");
    }

    #[test]
    fn new_roles_gain_everything_and_removed_roles_lose_everything() {
        let added = format!("{BASE}\n[roles.auditor]\nid = 4\ndescription = \"Audits\"\nincludes = [\"viewer\"]\n");
        let report = diff(BASE, &added);
        assert_eq!(codes(&report.notes), ["role-added"]);
        assert_eq!(pairs(&report.access.granted), [("auditor", "view")]);

        let report = diff(&added, BASE);
        assert_eq!(codes(&report.breaking), ["role-removed-unreserved"]);
        assert_eq!(pairs(&report.access.revoked), [("auditor", "view")]);
        assert_eq!(report.access.revoked[0].span, None);
    }

    #[test]
    fn a_rename_is_one_wire_finding_and_moves_access_by_name() {
        let report = diff(BASE, &BASE.replace("delete", "destroy"));
        assert_eq!(codes(&report.breaking), ["permission-renamed"]);
        assert_eq!(report.breaking[0].message, "permission `delete` (id 3) was renamed to `destroy`");
        assert_eq!(pairs(&report.access.granted), [("admin", "destroy")]);
        assert_eq!(pairs(&report.access.revoked), [("admin", "delete")]);
    }

    #[test]
    fn reusing_an_id_or_a_reserved_name_is_wire_breaking_once() {
        let old = without_delete("\n[reserved]\npermission_ids = [3]\npermission_names = [\"delete\"]\n");
        let reused = BASE.replace("id = 3\ndescription = \"Delete\"", "id = 3\ndescription = \"Delete again\"");
        let report = diff(&old, &reused);
        assert_eq!(codes(&report.breaking), ["permission-id-reused", "permission-name-reused"]);
        assert!(report.breaking[0].message.ends_with("which was reserved"));
    }

    #[test]
    fn dropping_a_reservation_is_wire_breaking() {
        let old = format!("{BASE}\n[reserved]\nrole_ids = [7]\nrole_names = [\"owner\"]\n");
        let report = diff(&old, BASE);
        assert_eq!(codes(&report.breaking), ["role-id-unreserved", "role-name-unreserved"]);
    }

    #[test]
    fn entities_and_legacy_levels_are_numbered_by_position() {
        let old = format!("{BASE}\n[legacy]\nlevels = [\"guest\", \"member\", \"admin\"]\n");
        let new = old.replace("\"guest\", \"member\", \"admin\"", "\"member\", \"guest\"");
        let report = diff(&old, &new);
        assert_eq!(
            codes(&report.breaking),
            ["legacy-level-renumbered", "legacy-level-renumbered", "legacy-level-removed"]
        );
        assert!(report.breaking[2].message.contains("`admin` (protobuf number 3)"));

        let reordered =
            BASE.replace("[entities.workspace]", "[entities.team]\ndescription = \"A team\"\n\n[entities.workspace]");
        let report = diff(BASE, &reordered);
        assert_eq!(codes(&report.breaking), ["entity-renumbered", "entity-renumbered"]);
        assert_eq!(codes(&report.notes), ["entity-added"]);
    }

    #[test]
    fn narrowing_a_permissions_entities_is_source_breaking_and_widening_is_access() {
        let narrow = BASE.replace("description = \"Edit\"", "description = \"Edit\"\nentities = [\"channel\"]");
        let report = diff(BASE, &narrow);
        assert_eq!(codes(&report.breaking), ["permission-entities-narrowed"]);
        assert!(report.breaking[0].message.ends_with("against `workspace`"));
        let report = diff(&narrow, BASE);
        assert!(report.breaking.is_empty());
        assert_eq!(codes(&report.access.other), ["permission-entities-widened"]);
    }

    #[test]
    fn narrowing_where_a_role_is_assigned_is_wire_breaking() {
        let narrow =
            BASE.replace("description = \"Runs it\"", "description = \"Runs it\"\nassignable_on = [\"workspace\"]");
        let report = diff(BASE, &narrow);
        assert_eq!(codes(&report.breaking), ["role-assignable-narrowed"]);
    }

    #[test]
    fn policy_and_parent_changes_are_access_changes() {
        let policy = "\n[legacy]\nlevels = [\"guest\", \"member\"]\n\n[policies.edit_it]\ndescription = \"d\"\n\
                      entity = \"channel\"\nrules = [{ deny_if_legacy = [\"guest\"] }, { allow_if_permission = \"edit\" }]\n";
        let old = format!("{BASE}{policy}");
        let report = diff(&old, &old.replace("{ deny_if_legacy = [\"guest\"] }, ", ""));
        assert_eq!(codes(&report.access.other), ["policy-changed"]);
        assert_eq!(report.access.other[0].message, "policy `edit_it` lost rule deny_if_legacy [`guest`]");
        assert!(report.breaking.is_empty());

        let report = diff(BASE, &BASE.replace("parent = \"workspace\"\n", ""));
        assert_eq!(codes(&report.access.other), ["entity-parent-changed"]);

        let report = diff(&old, BASE);
        assert!(codes(&report.breaking).contains(&"policy-removed"));
    }

    #[test]
    fn deprecation_is_a_note() {
        let report =
            diff(BASE, &BASE.replace("description = \"Edit\"", "description = \"Edit\"\ndeprecated = \"use x\""));
        assert!(report.breaking.is_empty());
        assert_eq!(codes(&report.notes), ["permission-deprecated"]);
        assert_eq!(report.notes[0].message, "permission `edit` is now deprecated: use x");
    }

    #[test]
    fn a_new_proto_package_is_wire_breaking() {
        let report = diff(BASE, &BASE.replace("name = \"demo\"", "name = \"demo\"\nproto_package = \"demo.roles.v2\""));
        assert_eq!(codes(&report.breaking), ["proto-package-changed"]);
    }

    #[test]
    fn against_nothing_everything_is_new_and_nothing_breaks() {
        let new = model(BASE);
        let report = compare(&empty_like(&new), &new);
        assert!(report.breaking.is_empty());
        assert_eq!(report.access.granted.len(), 1 + 2 + 3);
        assert!(report.notes.iter().all(|n| n.change.class() == Class::Note));
    }

    #[test]
    fn one_walk_finds_the_same_chains_as_model_via() {
        let slack = model(include_str!("../init/slack.toml"));
        for role in 0..slack.roles.len() {
            let chains = Chains::of(&slack, role);
            for perm in 0..slack.permissions.len() {
                assert_eq!(Some(chains.via(perm)).filter(|v| !v.is_empty()), slack.via(role, perm), "{role} {perm}");
            }
        }
    }

    #[test]
    fn every_code_is_kebab_case_and_unique() {
        let mut seen = HashSet::new();
        for c in Change::ALL {
            assert!(c.as_str().bytes().all(|b| b.is_ascii_lowercase() || b == b'-'), "{c}");
            assert!(seen.insert(c.as_str()), "{c} twice");
        }
    }

    #[test]
    fn an_invalid_version_gives_its_diagnostics() {
        let Err(d) = load("old.toml", b"[project]\nnam = \"x\"\n") else { panic!("accepted an invalid file") };
        assert!(d.has_errors());
        assert_eq!(d.source().path, PathBuf::from("old.toml"));
    }
}
