//! The `typescript` target (roles.ts): TypeScript's naming oracle and the view `typescript.hbs`
//! places, one struct per kind of item (entities, permissions, roles, legacy levels, policies).

use serde::Serialize;

use super::common::{comment_block, comment_lines, one_comment_line, predicate_doc, sorted};
use super::{RenderOptions, TargetView, Template};
use crate::model::{Entity, LevelIdx, Model, Permission, Policy, Role, RuleKind};
use crate::{escape, names};

/// TypeScript's naming oracle: how a roles.toml name or text is spelled in TypeScript. Keys of
/// the `as const` objects are SCREAMING_CASE; names are values, and quoted property names
/// where they are keys, so no name can meet a keyword.
pub struct Ts;

impl Ts {
    /// A name as a key of a generated `as const` object: `archive_channel` -> `ARCHIVE_CHANNEL`.
    pub fn key(name: &str) -> String {
        names::screaming(name)
    }

    /// Text as the inside of a string literal: `\uXXXX` escapes, valid in JSON too.
    pub fn str(text: &str) -> String {
        escape::ts_str(text)
    }

    /// Text as a whole double-quoted string literal.
    fn quoted(text: &str) -> String {
        format!("\"{}\"", Ts::str(text))
    }

    /// Free text as a whole string literal, quoted the way prettier quotes it: double quotes,
    /// unless the text holds more double quotes than single ones (then single quotes, so that
    /// fewer need escaping). prettier counts the quotes of the literal as written, escaped or
    /// not, so either spelling is already what it prints.
    pub fn text(text: &str) -> String {
        let doubles = text.matches('"').count();
        if doubles <= text.matches('\'').count() {
            return Ts::quoted(text);
        }
        // `ts_str` escapes every `"` as `\"` and leaves `'` alone: swap the two.
        format!("'{}'", Ts::str(text).replace("\\\"", "\"").replace('\'', "\\'"))
    }

    /// Names as string literals.
    fn list<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        names.into_iter().map(Ts::quoted).collect()
    }
}

/// prettier's layout (default options: `printWidth` 80) of what roles.ts holds that depends on
/// the definition, so that the file is already what prettier makes of it. Everything else is
/// fixed text the template holds formatted, and objects stay one member per line because the
/// template breaks the line after their `{` (prettier keeps an object expanded then). What
/// reaches a width here is names and fixed text, all ASCII; free text only stands in comments.
mod layout {
    const PRINT_WIDTH: usize = 80;
    /// The shortest key prettier moves a too-long string value away from.
    const BREAKABLE_KEY: usize = 5;
    const TAB: usize = 2;

    /// `key: "value",` at `indent` (the first line's indentation not included): a line too wide
    /// puts the value on the next line, one level deeper, unless the key is shorter than 5.
    pub fn string_prop(indent: usize, key: &str, value: &str) -> String {
        let line = format!("{key}: {value},");
        if indent + line.len() <= PRINT_WIDTH || key.len() < BREAKABLE_KEY {
            line
        } else {
            format!("{key}:\n{}{value},", " ".repeat(indent + TAB))
        }
    }

    /// `key: [a, b],` at `indent`: the items one per line, one level deeper, when too wide.
    pub fn array_prop(indent: usize, key: &str, items: &[String]) -> String {
        format!("{},", array(indent, &format!("{key}: "), items, 1))
    }

    /// `head[a, b];` at column 0 (`export const X: T = `), the same way.
    pub fn array_decl(head: &str, items: &[String]) -> String {
        format!("{};", array(0, head, items, 1))
    }

    /// `head[` then a `// comment` line and the items one per line, then `];` (`head[];` when
    /// there are none). A line comment makes prettier break an array whatever its width, so
    /// free text (whose width prettier measures in its own way) never decides the layout.
    pub fn commented_array_decl(head: &str, comment: &str, items: &[String]) -> String {
        if items.is_empty() {
            return format!("{head}[];");
        }
        let lines: Vec<String> = items.iter().map(|item| format!("  {item},")).collect();
        format!("{head}[\n  // {comment}\n{}\n];", lines.join("\n"))
    }

    fn array(indent: usize, head: &str, items: &[String], reserve: usize) -> String {
        let one_line = format!("{head}[{}]", items.join(", "));
        if items.is_empty() || indent + one_line.len() + reserve <= PRINT_WIDTH {
            return one_line;
        }
        let inner = " ".repeat(indent + TAB);
        let lines: Vec<String> = items.iter().map(|item| format!("{inner}{item},")).collect();
        format!("{head}[\n{}\n{}]", lines.join("\n"), " ".repeat(indent))
    }
}

/// `typescript.hbs`'s view: every constant object and table of roles.ts.
#[derive(Serialize)]
pub struct TsView {
    project: String,
    entities: Vec<TsEntity>,
    permissions: Vec<TsPermission>,
    roles: Vec<TsRole>,
    /// `const ROLE_GRANTS …;`, laid out (see [`role_grants`]).
    role_grants: String,
    /// `name: "parent",` or `name: null,` for each entity type, laid out.
    entity_parents: Vec<String>,
    /// The text `PERMISSIONS` and `ROLES` are built from when the module loads.
    text: TsText,
    /// Legacy levels have no description.
    legacy: Vec<TsMember>,
    legacy_levels: String,
    policies: Vec<TsPolicy>,
    facts: Option<TsFacts>,
}

/// An entity type: a member, and its protobuf number (its `id`, else its place in the file).
#[derive(Serialize)]
struct TsEntity {
    #[serde(flatten)]
    head: TsMember,
    id: u32,
}

/// What every member of a generated `as const` object has (entity types are nothing more).
#[derive(Serialize)]
struct TsMember {
    /// Its roles.toml name: the member's value, and its key in the tables.
    name: String,
    /// `KEY: "name",`, laid out.
    member: String,
    /// Its description as JSDoc lines.
    doc: Vec<String>,
}

impl TsMember {
    fn new(name: &str, description: &str) -> Self {
        TsMember {
            name: name.to_string(),
            member: layout::string_prop(2, &Ts::key(name), &Ts::quoted(name)),
            doc: comment_lines(description),
        }
    }
}

#[derive(Serialize)]
struct TsPermission {
    #[serde(flatten)]
    head: TsMember,
    id: u32,
    deprecated: bool,
    deprecated_note: Option<String>,
    entities: String,
}

#[derive(Serialize)]
struct TsRole {
    #[serde(flatten)]
    head: TsMember,
    id: u32,
}

impl TsPermission {
    fn new(model: &Model, p: &Permission) -> Self {
        TsPermission {
            head: TsMember::new(&p.name, &p.description),
            id: p.id,
            deprecated: p.deprecated.is_deprecated(),
            deprecated_note: p.deprecated.reason().map(one_comment_line),
            entities: layout::array_prop(2, &p.name, &Ts::list(p.entities.iter().map(|&e| &*model.entities()[e].name))),
        }
    }
}

impl TsRole {
    fn new(r: &Role) -> Self {
        TsRole { head: TsMember::new(&r.name, &r.description), id: r.id }
    }
}

/// `"ROLE DIRECT…|INCLUDES…|ENTITIES…"` for each role, every role after the roles it includes:
/// positions (roles and permissions in id order, entity types in file order), from which
/// `ROLE_PERMISSIONS` and `ROLES` are built when the module loads. A literal of every role's
/// effective permissions makes tsc check each name against the union of all of them (seconds
/// for a thousand roles); these strings cost it nothing.
fn role_grants(model: &Model) -> String {
    let positions = |list: Vec<usize>| list.iter().map(|i| format!(" {i}")).collect::<String>();
    let rows: Vec<String> = model
        .include_order()
        .into_iter()
        .map(|r| {
            let role = &model.roles()[r];
            let direct = positions(sorted(&role.permissions).into_iter().map(|p| p.get()).collect());
            let includes = positions(sorted(&role.includes).into_iter().map(|i| i.get()).collect());
            let on = positions(role.assignable_on.iter().map(|e| e.get()).collect());
            format!("\"{}{direct} |{includes} |{on}\"", r.get())
        })
        .collect();
    layout::array_decl("const ROLE_GRANTS: readonly string[] = ", &rows)
}

/// The free text of the metadata objects, one array each, in id order: string literals typed
/// `string` cost tsc nothing per element, where a literal object per permission would be checked
/// member by member (`PERMISSIONS` is built from these, `PERMISSION_IDS` and
/// `PERMISSION_ENTITIES` when the module loads).
#[derive(Serialize)]
struct TsText {
    permission_descriptions: String,
    permission_groups: String,
    permission_deprecated: String,
    role_descriptions: String,
}

impl TsText {
    fn new(model: &Model) -> Self {
        let permissions = model.permissions();
        let decl = |name: &str, ty: &str, items: Vec<String>| {
            layout::commented_array_decl(&format!("const {name}: readonly {ty}[] = "), "In id order.", &items)
        };
        let deprecated = |p: &Permission| match (p.deprecated.is_deprecated(), p.deprecated.reason()) {
            (_, Some(reason)) => Ts::text(reason),
            (deprecated, None) => deprecated.to_string(),
        };
        TsText {
            permission_descriptions: decl(
                "PERMISSION_DESCRIPTIONS",
                "string",
                permissions.iter().map(|p| Ts::text(&p.description)).collect(),
            ),
            permission_groups: decl(
                "PERMISSION_GROUPS",
                "(string | null)",
                permissions.iter().map(|p| p.group.as_deref().map_or_else(|| "null".into(), Ts::text)).collect(),
            ),
            permission_deprecated: decl(
                "PERMISSION_DEPRECATED",
                "(boolean | string)",
                permissions.iter().map(deprecated).collect(),
            ),
            role_descriptions: decl(
                "ROLE_DESCRIPTIONS",
                "string",
                model.roles().iter().map(|r| Ts::text(&r.description)).collect(),
            ),
        }
    }
}

/// `name: "parent",` (laid out) or `name: null,` for an entity type.
fn entity_parent(model: &Model, entity: &Entity) -> String {
    match entity.parent {
        Some(parent) => layout::string_prop(2, &entity.name, &Ts::quoted(&model.entities()[parent].name)),
        None => format!("{}: null,", entity.name),
    }
}

/// The decisions on entities of roles.ts (`Assignment`, `checkAccess`, `permissionsOn`), a
/// partial `typescript.hbs` includes (`{{> typescript_access}}`).
pub const ACCESS_TEMPLATE: Template =
    Template { name: "typescript_access", text: include_str!("../../templates/typescript_access.hbs") };

/// The policies of roles.ts, a partial `typescript.hbs` includes (`{{> typescript_policies}}`).
pub const POLICIES_TEMPLATE: Template =
    Template { name: "typescript_policies", text: include_str!("../../templates/typescript_policies.hbs") };

impl TargetView for TsView {
    const TEMPLATE: Template = Template { name: "typescript", text: include_str!("../../templates/typescript.hbs") };

    fn new(model: &Model, _: &RenderOptions) -> Self {
        TsView {
            project: one_comment_line(&model.project().name),
            entities: model
                .entities()
                .iter()
                .map(|e| TsEntity { head: TsMember::new(&e.name, &e.description), id: e.id })
                .collect(),
            permissions: model.permissions().iter().map(|p| TsPermission::new(model, p)).collect(),
            roles: model.roles().iter().map(TsRole::new).collect(),
            role_grants: role_grants(model),
            entity_parents: model.entities().iter().map(|e| entity_parent(model, e)).collect(),
            text: TsText::new(model),
            legacy: model.legacy_levels().iter().map(|l| TsMember::new(&l.name, "")).collect(),
            legacy_levels: layout::array_decl(
                "export const LEGACY_LEVELS: readonly LegacyRole[] = ",
                &Ts::list(model.legacy_levels().iter().map(|l| &*l.name)),
            ),
            policies: model.policies().iter().map(|p| TsPolicy::new(model, p)).collect(),
            facts: (!model.policies().is_empty()).then(|| TsFacts::new(model)),
        }
    }
}

/// A policy as the TypeScript evaluator spells it.
#[derive(Serialize)]
struct TsPolicy {
    #[serde(flatten)]
    head: TsMember,
    /// Its stable id, the protobuf number.
    id: u32,
    /// `name: "entity",`, laid out.
    entity: String,
    /// `name: ["rule", …],`, laid out.
    rule_names: String,
    /// The custom predicates it asks about (its facts are `Facts` plus these).
    predicates: Vec<TsPredicate>,
    /// Each rule's members in the rule table (`allow: true,`, `legacy: […],`), laid out.
    table: Vec<Vec<String>>,
}

#[derive(Serialize)]
struct TsPredicate {
    name: String,
    doc: Vec<String>,
}

impl TsPolicy {
    fn new(model: &Model, policy: &Policy) -> Self {
        let predicates = policy
            .predicates()
            .into_iter()
            .map(|q| TsPredicate { name: q.to_string(), doc: comment_block(&predicate_doc(model, q)) })
            .collect();
        let names: Vec<String> = policy.rules.iter().map(|r| Ts::quoted(&model.rule_name(&r.kind))).collect();
        TsPolicy {
            head: TsMember::new(&policy.name, &policy.description),
            id: policy.id,
            entity: layout::string_prop(2, &policy.name, &Ts::quoted(&model.entities()[policy.entity].name)),
            rule_names: layout::array_prop(2, &policy.name, &names),
            predicates,
            table: policy.rules.iter().map(|r| rule_members(model, &r.kind)).collect(),
        }
    }
}

/// A rule's members in the rule table, laid out where they stand (six columns in): whether it
/// allows, and what it asks. A rule with an empty list asks nothing and so never fires.
fn rule_members(model: &Model, kind: &RuleKind) -> Vec<String> {
    const INDENT: usize = 6;
    let levels = |ls: &[LevelIdx]| Ts::list(ls.iter().map(|&l| &*model.legacy_levels()[l].name));
    let asks = match kind {
        RuleKind::DenyIfLegacy(ls) if ls.is_empty() => None,
        RuleKind::DenyIfLegacy(ls) => Some(layout::array_prop(INDENT, "legacy", &levels(ls))),
        RuleKind::AllowIfLegacyAtLeast(l) => {
            let at_least: Vec<LevelIdx> = (l.get()..model.legacy_levels().len()).map(LevelIdx::new).collect();
            Some(layout::array_prop(INDENT, "legacy", &levels(&at_least)))
        }
        RuleKind::AllowIfPermission(ps) if ps.is_empty() => None,
        RuleKind::AllowIfPermission(ps) => {
            let names = Ts::list(ps.iter().map(|&p| &*model.permissions()[p].name));
            Some(layout::array_prop(INDENT, "permissions", &names))
        }
        RuleKind::AllowIf(q) | RuleKind::DenyIf(q) => Some(layout::string_prop(INDENT, "predicate", &Ts::quoted(q))),
    };
    std::iter::once(format!("allow: {},", kind.allows())).chain(asks).collect()
}

/// What every policy reads, in TypeScript: which of the shared facts exist.
#[derive(Serialize)]
struct TsFacts {
    legacy: bool,
    permissions: bool,
    predicates: bool,
    /// Whether `Facts` has members (the legacy level, `hasPermission`).
    fields: bool,
}

impl TsFacts {
    fn new(model: &Model) -> Self {
        let legacy = model.policies_use_legacy();
        let permissions = model.policies_use_permissions();
        let predicates = model.policies().iter().any(|p| !p.predicates().is_empty());
        TsFacts { legacy, permissions, predicates, fields: legacy || permissions }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ts_names_are_keys_and_quoted_lists() {
        assert_eq!(Ts::key("level_2"), "LEVEL_2");
        assert_eq!(Ts::list(["a", "b"]), ["\"a\"", "\"b\""]);
        assert_eq!(Ts::str("\u{2028}"), "\\u2028");
    }

    #[test]
    fn free_text_is_quoted_as_prettier_quotes_it() {
        assert_eq!(Ts::text("it's"), "\"it's\"");
        assert_eq!(Ts::text("say \"hi\""), "'say \"hi\"'");
        // A tie keeps double quotes; more doubles than singles turn to single quotes.
        assert_eq!(Ts::text("' \""), "\"' \\\"\"");
        assert_eq!(Ts::text("\"a\" 'b'"), "\"\\\"a\\\" 'b'\"");
        assert_eq!(Ts::text("\"a\" \"b\" 'c'"), "'\"a\" \"b\" \\'c\\''");
        assert_eq!(Ts::text("\\\"\""), "'\\\\\"\"'");
    }

    #[test]
    fn a_commented_array_is_one_item_a_line() {
        assert_eq!(layout::commented_array_decl("const X = ", "c", &[]), "const X = [];");
        let items = ["\"a\"".to_string(), "null".to_string()];
        assert_eq!(
            layout::commented_array_decl("const X = ", "c", &items),
            "const X = [\n  // c\n  \"a\",\n  null,\n];"
        );
    }
}
