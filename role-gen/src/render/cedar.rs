//! The `cedar` target (SPEC section 8): `cedar/roles.cedarschema` and `cedar/roles.cedar`, for
//! the Cedar authorizer (Amazon Verified Permissions, or the `cedar-policy` crate in-process).
//! Cedar's naming oracle is here; the schema's view too; the policies' view is in
//! [`policies`].
//!
//! How roles.toml maps, and why:
//! - **Roles are groups.** A `Role` entity is one role held on one entity instance (by
//!   convention its id is `<role>/<entity type>/<entity id>`), and a `User` is `in` the groups
//!   it holds: an assignment is a parent edge, as Cedar's own RBAC guide models roles, and as an
//!   identity provider's groups reach Verified Permissions. Cedar cannot ask "which groups is
//!   the principal in" nor build an entity id from strings, so each entity names its own
//!   groups in a `roles` record (one key per role assignable on its type) and its parent in
//!   `parent`; a permission's policy then asks `principal in resource.roles.R`,
//!   `principal in resource.parent.roles.R`, … for every role `R` granting it (includes
//!   flattened) and every type on the path where `R` may be assigned. That is SPEC section 7
//!   exactly: a group of a role on a type where it is not assignable is named by no entity, so
//!   a stored assignment breaking `assignable_on` grants nothing, as `check_access` says.
//! - **Entity types keep their roles.toml names** (an application builds uids from the names it
//!   already has); the nine Cedar reserved words get a trailing `_`, which no roles.toml name
//!   can end with. role-gen's own types are capitalized (`User`, `Role`, `LegacyLevel`) so no
//!   snake_case name can meet them. Everything lives in the namespace named after the project,
//!   and every type is written qualified, so no name can be read as a built-in type.
//! - **Actions**: one per permission (its name; applying to the types it is checked against)
//!   and one per policy (`policy:<name>`: no permission name holds a `:`).
//! - **Policies compile exactly.** Cedar has no rule order, so a policy's rule `i` becomes a
//!   `permit` (allow rules) or a `forbid` (deny rules) that fires when rule `i` fires and no rule
//!   before it does (`unless { rule j }` for every `j < i`). At most one generated policy is
//!   then satisfied per request, and it is the rule `Policy::evaluate` reports: its annotations
//!   (`@id`, `@rule`, `@rule_index`) name it in the authorizer's determining policies; none
//!   satisfied is the default deny. The legacy level (an enumerated `LegacyLevel`, so a typo is
//!   a request error, not a silent deny) and the custom predicates come in the request context.
//! - **Ids are annotations**: `@entity_id`, `@permission_id`, `@role_id`, `@policy_id`; texts
//!   are `@doc` annotations (Cedar string escapes) and `//` comments (comment escapes).

mod policies;

use std::fmt::Write as _;

use serde::Serialize;

use super::{RenderOptions, TargetView, Template};
use crate::escape;
use crate::model::{EntityIdx, Model, Permission, Policy};

pub use policies::PoliciesView;

/// Cedar's naming oracle: how a roles.toml name or text is spelled in Cedar.
pub struct Cedar;

/// Identifiers Cedar reserves (`__cedar` too, which no roles.toml name can spell).
const RESERVED: [&str; 9] = ["true", "false", "if", "then", "else", "in", "is", "like", "has"];

impl Cedar {
    /// A name as a Cedar identifier (the namespace, an entity type): itself, or with a trailing
    /// `_` when Cedar reserves it (`in` -> `in_`; no valid name ends in `_`).
    pub fn ident(name: &str) -> String {
        if RESERVED.contains(&name) { format!("{name}_") } else { name.to_string() }
    }

    /// Whether `name` can stand bare as an attribute name.
    fn bare(name: &str) -> bool {
        let mut chars = name.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !RESERVED.contains(&name)
    }

    /// A record key in the schema: bare, or quoted when Cedar reserves it.
    pub fn key(name: &str) -> String {
        if Cedar::bare(name) { name.to_string() } else { Cedar::quoted(name) }
    }

    /// An attribute access in a policy: `.name`, or `["name"]` when Cedar reserves it.
    pub fn attr(name: &str) -> String {
        if Cedar::bare(name) { format!(".{name}") } else { format!("[{}]", Cedar::quoted(name)) }
    }

    /// Text as the inside of a Cedar string literal: Cedar's escapes are Rust's (`\n`, `\"`,
    /// `\u{…}`), and every control, bidi or invisible character is one.
    pub fn str(text: &str) -> String {
        escape::string_body(text, |out, c| {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        })
    }

    /// Text as a whole Cedar string literal.
    pub fn quoted(text: &str) -> String {
        format!("\"{}\"", Cedar::str(text))
    }
}

/// Names qualified in the project's namespace.
struct Names {
    namespace: String,
}

impl Names {
    fn new(model: &Model) -> Names {
        Names { namespace: Cedar::ident(&model.project().name) }
    }

    /// A type of the namespace: `slack::channel`, `slack::User`.
    fn ty(&self, ident: &str) -> String {
        format!("{}::{ident}", self.namespace)
    }

    /// An entity type of roles.toml, qualified.
    fn entity(&self, model: &Model, e: EntityIdx) -> String {
        self.ty(&Cedar::ident(&model.entities()[e].name))
    }

    /// The id of a permission's action.
    fn permission_action(p: &Permission) -> String {
        p.name.clone()
    }

    /// The id of a policy's action: `policy:<name>`, apart from every permission's.
    fn policy_action(p: &Policy) -> String {
        format!("policy:{}", p.name)
    }

    /// An action as a policy's scope names it: `slack::Action::"archive_channel"`.
    fn action(&self, id: &str) -> String {
        format!("{}::Action::{}", self.namespace, Cedar::quoted(id))
    }
}

/// `@key("value")`, the value escaped.
#[derive(Serialize)]
struct Annotation {
    key: &'static str,
    value: String,
}

impl Annotation {
    fn new(key: &'static str, value: impl AsRef<str>) -> Annotation {
        Annotation { key, value: Cedar::quoted(value.as_ref()) }
    }
}

/// `roles.cedarschema`'s view.
#[derive(Serialize)]
pub struct SchemaView {
    namespace: String,
    project: String,
    user: String,
    role: String,
    /// The legacy levels as the enumeration lists them (`"guest", "member"`); empty: none.
    legacy: String,
    entities: Vec<EntityView>,
    actions: Vec<ActionView>,
}

/// One entity type.
#[derive(Serialize)]
struct EntityView {
    annotations: Vec<Annotation>,
    name: String,
    /// Its parent type, qualified.
    parent: Option<String>,
    roles: Vec<RoleKey>,
}

/// A role assignable on an entity type: a key of its `roles` record.
#[derive(Serialize)]
struct RoleKey {
    annotations: Vec<Annotation>,
    key: String,
    /// `Role`, qualified.
    ty: String,
}

/// One action: a permission's or a policy's.
#[derive(Serialize)]
struct ActionView {
    annotations: Vec<Annotation>,
    name: String,
    /// `User`, qualified.
    principal: String,
    /// The resource types, qualified and joined; empty: the action applies to nothing.
    resources: String,
    /// The context's lines (empty: `{}`).
    context: Vec<String>,
}

fn entity_view(model: &Model, names: &Names, e: EntityIdx) -> EntityView {
    let entity = &model.entities()[e];
    let roles = model
        .roles()
        .iter()
        .filter(|r| r.assignable_on.contains(&e))
        .map(|r| RoleKey {
            annotations: vec![Annotation::new("doc", &r.description), Annotation::new("role_id", r.id.to_string())],
            key: Cedar::key(&r.name),
            ty: names.ty("Role"),
        })
        .collect();
    EntityView {
        annotations: vec![
            Annotation::new("doc", &entity.description),
            Annotation::new("entity_id", entity.id.to_string()),
        ],
        name: Cedar::ident(&entity.name),
        parent: entity.parent.map(|p| names.entity(model, p)),
        roles,
    }
}

fn permission_action(model: &Model, names: &Names, p: &Permission) -> ActionView {
    let mut annotations =
        vec![Annotation::new("doc", &p.description), Annotation::new("permission_id", p.id.to_string())];
    if let Some(group) = &p.group {
        annotations.push(Annotation::new("group", group));
    }
    if p.deprecated.is_deprecated() {
        annotations.push(Annotation::new("deprecated", p.deprecated.reason().unwrap_or_default()));
    }
    let resources = p.entities.iter().map(|&e| names.entity(model, e)).collect::<Vec<_>>().join(", ");
    ActionView {
        annotations,
        name: Cedar::quoted(&Names::permission_action(p)),
        principal: names.ty("User"),
        resources,
        context: Vec::new(),
    }
}

/// A policy's action: its one resource type, and the context its rules read — the legacy level
/// (optional: an actor may have none) and each predicate (required: the application answers
/// every one, so a forgotten predicate is a request error rather than a silent `false`).
fn policy_action(model: &Model, names: &Names, p: &Policy) -> ActionView {
    let annotations = vec![Annotation::new("doc", &p.description), Annotation::new("policy_id", p.id.to_string())];
    let mut context = Vec::new();
    if !model.legacy_levels().is_empty() {
        context.push(format!("legacy?: {},", names.ty("LegacyLevel")));
    }
    let predicates = p.predicates();
    if !predicates.is_empty() {
        context.push("predicates: {".to_string());
        for name in predicates {
            let doc = model.predicate_description(name).map_or_else(
                || format!("The custom predicate `{name}` (describe it under `[predicates.{name}]` in roles.toml)"),
                str::to_string,
            );
            context.push(format!("  @doc({})", Cedar::quoted(&doc)));
            context.push(format!("  {}: Bool,", Cedar::key(name)));
        }
        context.push("},".to_string());
    }
    let resources = names.entity(model, p.entity);
    ActionView {
        annotations,
        name: Cedar::quoted(&Names::policy_action(p)),
        principal: names.ty("User"),
        resources,
        context,
    }
}

impl TargetView for SchemaView {
    const TEMPLATE: Template =
        Template { name: "cedar_schema", text: include_str!("../../templates/cedar_schema.hbs") };

    fn new(model: &Model, _: &RenderOptions) -> Self {
        let names = Names::new(model);
        let entities = (0..model.entities().len()).map(|e| entity_view(model, &names, EntityIdx::new(e))).collect();
        let permissions = model.permissions().iter().map(|p| permission_action(model, &names, p));
        let policies = model.policies().iter().map(|p| policy_action(model, &names, p));
        SchemaView {
            user: names.ty("User"),
            role: names.ty("Role"),
            legacy: model.legacy_levels().iter().map(|l| Cedar::quoted(&l.name)).collect::<Vec<_>>().join(", "),
            entities,
            actions: permissions.chain(policies).collect(),
            project: model.project().name.clone(),
            namespace: names.namespace,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_words_are_escaped_everywhere_a_name_lands() {
        assert_eq!(Cedar::ident("in"), "in_");
        assert_eq!(Cedar::ident("channel"), "channel");
        assert_eq!(Cedar::key("has"), "\"has\"");
        assert_eq!(Cedar::key("channels_admin"), "channels_admin");
        assert_eq!(Cedar::attr("like"), "[\"like\"]");
        assert_eq!(Cedar::attr("x_86_64"), ".x_86_64");
    }

    #[test]
    fn strings_escape_quotes_controls_and_bidi() {
        assert_eq!(Cedar::quoted("a \"b\" \\ c\nd"), "\"a \\\"b\\\" \\\\ c\\nd\"");
        assert_eq!(Cedar::str("\u{202e}x\u{0}"), "\\u{202e}x\\u{0}");
        assert_eq!(Cedar::str("权 🔥"), "权 🔥");
    }
}
