//! The `rust` target (roles.rs): Rust's naming oracle and the view `rust.hbs` places, one struct
//! per kind of item (entities, permissions, roles, legacy levels, policies, the facts trait).
//! The policy evaluators live in [`policies`]; `role-gen scaffold policies` in [`scaffold`].

pub mod layout;
pub mod policies;
pub mod scaffold;
mod tables;

use std::fmt::Write as _;

use serde::Serialize;

use super::common::{one_comment_line, sorted};
use super::{RenderOptions, TargetView, Template};
use crate::model::{Entity, Model, PermSet, Permission, Role};
use crate::{escape, names};
use layout::{Expr, TAB};
use policies::{RustFacts, RustPolicy};
use tables::{EntityLists, Positions};

/// Rust's naming oracle: how a roles.toml name or text is spelled in Rust source. The keyword
/// rules themselves live in the core's `names`, whose checks find collisions before rendering.
pub struct Rust;

impl Rust {
    /// A name as an enum variant: `archive_channel` -> `ArchiveChannel`, `self` -> `Self_`.
    pub fn variant(name: &str) -> String {
        names::rust_variant(name)
    }

    /// A name as a variant of the generated enum `ty`: `Permission::ArchiveChannel`.
    pub fn path(ty: &str, name: &str) -> String {
        format!("{ty}::{}", Rust::variant(name))
    }

    /// A name as a function or method: keywords raw (`type` -> `r#type`, `self` -> `self_`).
    pub fn function(name: &str) -> String {
        names::rust_fn(name)
    }

    /// Text as the inside of a Rust string literal (`"…"`): `\u{…}` escapes.
    pub fn str(text: &str) -> String {
        escape::string_body(text, |out, c| {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        })
    }

    /// Text as a whole Rust string literal.
    pub fn quoted(text: &str) -> String {
        format!("\"{}\"", Rust::str(text))
    }

    /// Text as a whole Rust string literal of ASCII characters only, every other one a
    /// `\u{…}` escape: its width is then its length, for where rustfmt's layout depends on it.
    pub fn ascii_quoted(text: &str) -> String {
        let mut out = String::from("\"");
        for c in Rust::str(text).chars() {
            if c.is_ascii() {
                out.push(c);
            } else {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        }
        out.push('"');
        out
    }
}

/// `rust.hbs`'s view: every enum and table of roles.rs, each list already laid out as rustfmt
/// lays it out ([`layout`]).
#[derive(Serialize)]
pub struct RustView {
    project: String,
    serde: bool,
    /// Words of a `PermissionSet` (64 permissions each).
    words: usize,
    entities: Vec<RustNumbered>,
    permissions: Vec<RustPermission>,
    roles: Vec<RustNumbered>,
    /// Legacy levels have no description; `as_str` is a match of them.
    legacy: Vec<RustLevel>,
    name_impls: Vec<RustNames>,
    all_entities: String,
    all_permissions: String,
    all_roles: String,
    all_legacy: String,
    entity_table: String,
    /// The `const ENTITY_LIST_n` the tables share.
    entity_lists: String,
    permission_table: String,
    permission_positions: Positions,
    role_table: String,
    role_positions: Positions,
    /// `const ROLE_SETS: …`: each role's effective permissions as set words.
    role_sets: String,
    /// `const ENTITY_PERMISSIONS: …`: the permissions checked against each entity type.
    entity_permissions: String,
    /// `const DEPRECATED_PERMISSIONS: [u64; words]`: the deprecated permissions' bits.
    deprecated: String,
    /// `const GROUP_NAMES` and `const PERMISSION_GROUPS`, when some permission has a group.
    groups: Option<RustGroups>,
    policies: Vec<RustPolicy>,
    all_policies: String,
    policy_table: String,
    facts: Option<RustFacts>,
}

/// The permissions' groups as `Permission::group` reads them ([`tables::groups`]).
#[derive(Serialize)]
struct RustGroups {
    names: String,
    of_permissions: String,
}

/// What every variant of a generated enum has.
#[derive(Serialize)]
pub struct RustVariant {
    variant: String,
    /// Its roles.toml name (`as_str`).
    name: String,
    /// Its description, as the inside of a string literal (`#[doc = "…"]`, `description()`).
    description: String,
}

impl RustVariant {
    pub fn new(name: &str, description: &str) -> Self {
        RustVariant { variant: Rust::variant(name), name: name.to_string(), description: Rust::str(description) }
    }
}

/// A variant with its position in its table (and its id, for permissions and roles).
#[derive(Serialize)]
pub struct RustNumbered {
    #[serde(flatten)]
    head: RustVariant,
    /// The stable id: the enum's discriminant (permissions and roles).
    id: u32,
    /// Its position: a permission's bit in a `PermissionSet`, its row in the table.
    bit: usize,
}

impl RustNumbered {
    pub fn new(bit: usize, id: u32, name: &str, description: &str) -> Self {
        RustNumbered { head: RustVariant::new(name, description), id, bit }
    }
}

#[derive(Serialize)]
struct RustPermission {
    #[serde(flatten)]
    numbered: RustNumbered,
    deprecated: bool,
    deprecated_note: Option<String>,
}

/// A legacy level: its variant and its `as_str` arm.
#[derive(Serialize)]
struct RustLevel {
    #[serde(flatten)]
    head: RustVariant,
    as_str_arm: String,
}

/// One enum's `FromStr` and `Display`.
#[derive(Serialize)]
struct RustNames {
    r#type: &'static str,
    kind: &'static str,
    /// `const BY_NAME: [u16; n] = […];`: positions in `ALL`, sorted by name bytes for a binary
    /// search.
    by_name: String,
}

impl RustNames {
    fn new<'a>(r#type: &'static str, kind: &'static str, names: impl IntoIterator<Item = &'a str>) -> Self {
        let names: Vec<&str> = names.into_iter().collect();
        RustNames { r#type, kind, by_name: tables::by_name(&names) }
    }
}

/// `&[Ty::A, Ty::B]` of the given names.
fn paths<'a>(ty: &str, names: impl IntoIterator<Item = &'a str>) -> Expr {
    Expr::slice(names.into_iter().map(|n| Expr::atom(Rust::path(ty, n))).collect())
}

/// `pub const ALL: &'static [Self] = &[Self::A, …];`, laid out inside an `impl`.
fn all<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    layout::assign("pub const ALL: &'static [Self]", &paths("Self", names), TAB)
}

/// A `&'static str` field: the text as a string literal.
fn text(text: &str) -> Expr {
    Expr::atom(Rust::quoted(text))
}

fn entity_row(model: &Model, e: &Entity) -> Vec<(&'static str, Expr)> {
    let parent = match e.parent {
        Some(p) => Expr::call(
            "::core::option::Option::Some",
            vec![Expr::atom(Rust::path("EntityType", &model.entities()[p].name))],
        ),
        None => Expr::atom("::core::option::Option::None"),
    };
    let mut ancestors = Vec::new();
    let mut at = e.parent;
    while let Some(p) = at {
        ancestors.push(&*model.entities()[p].name);
        at = model.entities()[p].parent;
    }
    vec![
        ("name", text(&e.name)),
        ("description", text(&e.description)),
        ("parent", parent),
        ("ancestors", paths("EntityType", ancestors)),
    ]
}

fn permission_row(model: &Model, lists: &mut EntityLists, p: &Permission) -> Vec<(&'static str, Expr)> {
    let entities = lists.name(model, &p.entities);
    vec![("name", text(&p.name)), ("description", text(&p.description)), ("entities", entities)]
}

/// A role's row; its direct grants as positions in `Permission::ALL` (a list of 50 paths per
/// role made rustc take a minute on 1,000 roles; numbers take a second).
fn role_row(model: &Model, lists: &mut EntityLists, r: &Role) -> Vec<(&'static str, Expr)> {
    vec![
        ("name", text(&r.name)),
        ("description", text(&r.description)),
        ("direct", tables::positions(&r.permissions)),
        ("includes", paths("Role", sorted(&r.includes).into_iter().map(|i| &*model.roles()[i].name))),
        ("assignable_on", lists.name(model, &r.assignable_on)),
    ]
}

impl RustPermission {
    fn new(bit: usize, p: &Permission) -> Self {
        RustPermission {
            numbered: RustNumbered::new(bit, p.id, &p.name, &p.description),
            deprecated: p.deprecated.is_deprecated(),
            deprecated_note: p.deprecated.reason().map(Rust::str),
        }
    }
}

/// Each entity type's permissions: those checked against it.
fn entity_permissions(model: &Model) -> Vec<PermSet> {
    let mut sets = vec![PermSet::with_capacity(model.permissions().len()); model.entities().len()];
    for (p, permission) in model.indexed_permissions() {
        for &e in &permission.entities {
            sets[e.get()].insert(p);
        }
    }
    sets
}

/// `const DEPRECATED_PERMISSIONS: [u64; words] = […];`: the deprecated permissions' bits.
fn deprecated(model: &Model) -> String {
    let mut set = PermSet::with_capacity(model.permissions().len());
    for (p, permission) in model.indexed_permissions() {
        if permission.deprecated.is_deprecated() {
            set.insert(p);
        }
    }
    let decl = format!("const DEPRECATED_PERMISSIONS: [u64; {}]", model.permissions().len().div_ceil(64));
    layout::assign(&decl, &tables::words(&set, model.permissions().len()), 0)
}

/// The `FromStr`/`Display` impls: one per enum, `LegacyRole` and `Policy` only when they exist.
fn name_impls(model: &Model) -> Vec<RustNames> {
    let mut impls = vec![
        RustNames::new("EntityType", "entity type", model.entities().iter().map(|e| &*e.name)),
        RustNames::new("Permission", "permission", model.permissions().iter().map(|p| &*p.name)),
        RustNames::new("Role", "role", model.roles().iter().map(|r| &*r.name)),
    ];
    if !model.legacy_levels().is_empty() {
        impls.push(RustNames::new("LegacyRole", "legacy level", model.legacy_levels().iter().map(|l| &*l.name)));
    }
    if !model.policies().is_empty() {
        impls.push(RustNames::new("Policy", "policy", model.policies().iter().map(|p| &*p.name)));
    }
    impls
}

/// The policies of roles.rs, a partial `rust.hbs` includes (`{{> rust_policies}}`).
pub const POLICIES_TEMPLATE: Template =
    Template { name: "rust_policies", text: include_str!("../../templates/rust_policies.hbs") };

/// Decisions on entities (SPEC section 7), a partial `rust.hbs` includes (`{{> rust_access}}`):
/// `Assignment`, `check_access`, `permissions_on`, `PathError`, and the helpers they rest on.
pub const ACCESS_TEMPLATE: Template =
    Template { name: "rust_access", text: include_str!("../../templates/rust_access.hbs") };

impl TargetView for RustView {
    const TEMPLATE: Template = Template { name: "rust", text: include_str!("../../templates/rust.hbs") };

    fn new(model: &Model, options: &RenderOptions) -> Self {
        let numbered = |i, id, name: &str, description: &str| RustNumbered::new(i, id, name, description);
        let mut lists = EntityLists::default();
        let permission_rows: Vec<_> =
            model.permissions().iter().map(|p| permission_row(model, &mut lists, p)).collect();
        let role_rows: Vec<_> = model.roles().iter().map(|r| role_row(model, &mut lists, r)).collect();
        RustView {
            project: one_comment_line(&model.project().name),
            serde: options.rust_serde,
            words: model.permissions().len().div_ceil(64),
            entities: model
                .entities()
                .iter()
                .enumerate()
                .map(|(i, e)| numbered(i, e.id, &e.name, &e.description))
                .collect(),
            permissions: model.permissions().iter().enumerate().map(|(i, p)| RustPermission::new(i, p)).collect(),
            roles: model.roles().iter().enumerate().map(|(i, r)| numbered(i, r.id, &r.name, &r.description)).collect(),
            legacy: model
                .legacy_levels()
                .iter()
                .map(|l| RustLevel {
                    head: RustVariant::new(&l.name, ""),
                    as_str_arm: layout::arm(&Rust::path("Self", &l.name), &text(&l.name), 3 * TAB),
                })
                .collect(),
            name_impls: name_impls(model),
            all_entities: all(model.entities().iter().map(|e| &*e.name)),
            all_permissions: all(model.permissions().iter().map(|p| &*p.name)),
            all_roles: all(model.roles().iter().map(|r| &*r.name)),
            all_legacy: all(model.legacy_levels().iter().map(|l| &*l.name)),
            entity_table: layout::table(
                &format!("const ENTITY_TABLE: [EntityInfo; {}]", model.entities().len()),
                "EntityInfo",
                &model.entities().iter().map(|e| entity_row(model, e)).collect::<Vec<_>>(),
            ),
            permission_table: layout::table(
                &format!("const PERMISSION_TABLE: [PermissionInfo; {}]", model.permissions().len()),
                "PermissionInfo",
                &permission_rows,
            ),
            entity_lists: lists.decls(),
            permission_positions: Positions::new(
                "PERMISSION_IDS",
                &model.permissions().iter().map(|p| p.id).collect::<Vec<_>>(),
            ),
            role_table: layout::table(
                &format!("const ROLE_TABLE: [RoleInfo; {}]", model.roles().len()),
                "RoleInfo",
                &role_rows,
            ),
            role_positions: Positions::new("ROLE_IDS", &model.roles().iter().map(|r| r.id).collect::<Vec<_>>()),
            role_sets: tables::sets(
                "ROLE_SETS",
                &model.roles().iter().map(|r| &r.effective).collect::<Vec<_>>(),
                model.permissions().len(),
            ),
            entity_permissions: tables::sets(
                "ENTITY_PERMISSIONS",
                &entity_permissions(model).iter().collect::<Vec<_>>(),
                model.permissions().len(),
            ),
            deprecated: deprecated(model),
            groups: tables::groups(&model.permissions().iter().map(|p| p.group.as_deref()).collect::<Vec<_>>())
                .map(|(names, of_permissions)| RustGroups { names, of_permissions }),
            policies: model.policies().iter().enumerate().map(|(i, p)| RustPolicy::new(model, i, p)).collect(),
            all_policies: all(model.policies().iter().map(|p| &*p.name)),
            policy_table: policies::table(model),
            facts: (!model.policies().is_empty()).then(|| RustFacts::new(model)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_strings_escape_quotes_controls_and_bidi() {
        assert_eq!(Rust::str("a\"b\\c\nd\u{0}\u{202e}é"), "a\\\"b\\\\c\\nd\\u{0}\\u{202e}é");
        assert_eq!(Rust::ascii_quoted("é\"组 🚀"), "\"\\u{e9}\\\"\\u{7ec4} \\u{1f680}\"");
    }

    #[test]
    fn names_become_variants_paths_and_functions() {
        assert_eq!(Rust::path("Role", "self"), "Role::Self_");
        assert_eq!(Rust::function("type"), "r#type");
        assert_eq!(all(["a_b", "c"]), "pub const ALL: &'static [Self] = &[Self::AB, Self::C];");
    }
}
