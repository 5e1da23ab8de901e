//! The `rust` target (roles.rs): Rust's naming oracle and the view `rust.hbs` places, one struct
//! per kind of item (entities, permissions, roles, legacy levels, policies, the facts trait).
//! The policy evaluators live in [`policies`]; `role-gen scaffold policies` in [`scaffold`].

pub mod policies;
pub mod scaffold;

use std::fmt::Write as _;

use serde::Serialize;

use super::common::{joined, one_comment_line, sorted};
use super::{RenderOptions, TargetView, Template};
use crate::model::{Entity, EntityIdx, Model, PermSet, Permission, Role};
use crate::{escape, names};
use policies::{RustFacts, RustPolicy};

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

    /// `Self::A, Self::B, …`: the variants of an enum's `ALL`.
    fn all<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
        joined(names, |n| format!("Self::{}", Rust::variant(n)))
    }

    /// `Ty::A, Ty::B, …`: the variants of the enum `ty` with these names.
    fn paths<'a>(ty: &str, names: impl IntoIterator<Item = &'a str>) -> String {
        joined(names, |n| Rust::path(ty, n))
    }
}

/// `rust.hbs`'s view: every enum and table of roles.rs.
#[derive(Serialize)]
pub struct RustView {
    project: String,
    serde: bool,
    /// Words of a `PermissionSet` (64 permissions each).
    words: usize,
    entities: Vec<RustEntity>,
    permissions: Vec<RustPermission>,
    roles: Vec<RustRole>,
    /// Legacy levels have no description.
    legacy: Vec<RustVariant>,
    name_impls: Vec<RustNames>,
    all_entities: String,
    all_permissions: String,
    all_roles: String,
    all_legacy: String,
    permission_count: usize,
    role_count: usize,
    policies: Vec<RustPolicy>,
    all_policies: String,
    facts: Option<RustFacts>,
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

#[derive(Serialize)]
struct RustEntity {
    #[serde(flatten)]
    head: RustVariant,
    /// Its protobuf number (its `id`, else its place in the file): the enum's discriminant.
    id: u32,
    /// The body of `parent()`: `None`, or `Some(Self::Parent)`.
    parent: String,
}

/// What the two enums with stable ids (permissions and roles) have besides.
#[derive(Serialize)]
struct RustNumbered {
    #[serde(flatten)]
    head: RustVariant,
    /// The stable id: the enum's discriminant.
    id: u32,
    /// Its position in id order: a permission's bit in a `PermissionSet`, a role's table row.
    bit: usize,
}

impl RustNumbered {
    fn new(bit: usize, id: u32, name: &str, description: &str) -> Self {
        RustNumbered { head: RustVariant::new(name, description), id, bit }
    }
}

#[derive(Serialize)]
struct RustPermission {
    #[serde(flatten)]
    numbered: RustNumbered,
    entities: String,
    deprecated: bool,
    deprecated_note: Option<String>,
}

#[derive(Serialize)]
struct RustRole {
    #[serde(flatten)]
    numbered: RustNumbered,
    /// The effective permissions' words as literals.
    words: String,
    direct: String,
    includes: String,
    assignable_on: String,
}

/// One enum's `FromStr` and `Display`.
#[derive(Serialize)]
struct RustNames {
    r#type: &'static str,
    kind: &'static str,
    /// `("name", Type::Variant)` pairs sorted by name bytes, for a binary search.
    by_name: String,
}

impl RustNames {
    fn new<'a>(r#type: &'static str, kind: &'static str, names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut names: Vec<&str> = names.into_iter().collect();
        names.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        RustNames {
            r#type,
            kind,
            by_name: joined(names, |n| format!("({}, {})", Rust::quoted(n), Rust::path(r#type, n))),
        }
    }
}

impl RustEntity {
    fn new(model: &Model, e: &Entity) -> Self {
        RustEntity {
            head: RustVariant::new(&e.name, &e.description),
            id: e.id,
            parent: e.parent.map_or("::core::option::Option::None".into(), |p| {
                format!("::core::option::Option::Some({})", Rust::path("Self", &model.entities()[p].name))
            }),
        }
    }
}

impl RustPermission {
    fn new(model: &Model, bit: usize, p: &Permission) -> Self {
        RustPermission {
            numbered: RustNumbered::new(bit, p.id, &p.name, &p.description),
            entities: entity_list(model, &p.entities),
            deprecated: p.deprecated.is_deprecated(),
            deprecated_note: p.deprecated.reason().map(Rust::str),
        }
    }
}

impl RustRole {
    fn new(model: &Model, bit: usize, r: &Role) -> Self {
        RustRole {
            numbered: RustNumbered::new(bit, r.id, &r.name, &r.description),
            words: words(model, &r.effective),
            direct: Rust::paths(
                "Permission",
                sorted(&r.permissions).into_iter().map(|p| &*model.permissions()[p].name),
            ),
            includes: Rust::paths("Role", sorted(&r.includes).into_iter().map(|i| &*model.roles()[i].name)),
            assignable_on: entity_list(model, &r.assignable_on),
        }
    }
}

/// `EntityType::A, …` for a list of entities.
fn entity_list(model: &Model, list: &[EntityIdx]) -> String {
    Rust::paths("EntityType", list.iter().map(|&e| &*model.entities()[e].name))
}

/// The words of a permission set as Rust literals, as many as every set has.
fn words(model: &Model, set: &PermSet) -> String {
    let mut words = set.words().to_vec();
    words.resize(model.permissions().len().div_ceil(64), 0);
    joined(words, |w| format!("{w:#x}"))
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

impl TargetView for RustView {
    const TEMPLATE: Template = Template { name: "rust", text: include_str!("../../templates/rust.hbs") };

    fn new(model: &Model, options: &RenderOptions) -> Self {
        RustView {
            project: one_comment_line(&model.project().name),
            serde: options.rust_serde,
            words: model.permissions().len().div_ceil(64),
            entities: model.entities().iter().map(|e| RustEntity::new(model, e)).collect(),
            permissions: model
                .permissions()
                .iter()
                .enumerate()
                .map(|(i, p)| RustPermission::new(model, i, p))
                .collect(),
            roles: model.roles().iter().enumerate().map(|(i, r)| RustRole::new(model, i, r)).collect(),
            legacy: model.legacy_levels().iter().map(|l| RustVariant::new(&l.name, "")).collect(),
            name_impls: name_impls(model),
            all_entities: Rust::all(model.entities().iter().map(|e| &*e.name)),
            all_permissions: Rust::all(model.permissions().iter().map(|p| &*p.name)),
            all_roles: Rust::all(model.roles().iter().map(|r| &*r.name)),
            all_legacy: Rust::all(model.legacy_levels().iter().map(|l| &*l.name)),
            permission_count: model.permissions().len(),
            role_count: model.roles().len(),
            policies: model.policies().iter().map(|p| RustPolicy::new(model, p)).collect(),
            all_policies: Rust::all(model.policies().iter().map(|p| &*p.name)),
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
    }

    #[test]
    fn names_become_variants_paths_and_functions() {
        assert_eq!(Rust::path("Role", "self"), "Role::Self_");
        assert_eq!(Rust::function("type"), "r#type");
        assert_eq!(Rust::all(["a_b", "c"]), "Self::AB, Self::C");
    }
}
