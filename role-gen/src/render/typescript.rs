//! The `typescript` target (roles.ts): TypeScript's naming oracle and the view `typescript.hbs`
//! places, one struct per kind of item (entities, permissions, roles, legacy levels, policies).

use serde::Serialize;

use super::common::{RuleView, comment_block, comment_lines, joined, one_comment_line, predicate_doc, rules};
use super::{RenderOptions, TargetView, Template};
use crate::model::{LevelIdx, Model, Permission, Policy, Role, RuleKind};
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

    /// `"a", "b"`: names as a list of string literals.
    fn list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
        joined(names, Ts::quoted)
    }
}

/// `typescript.hbs`'s view: every constant object and table of roles.ts.
#[derive(Serialize)]
pub struct TsView {
    project: String,
    entities: Vec<TsEntity>,
    permissions: Vec<TsPermission>,
    roles: Vec<TsRole>,
    /// Legacy levels have no description.
    legacy: Vec<TsMember>,
    legacy_levels: String,
    policies: Vec<TsPolicy>,
    facts: Option<TsFacts>,
}

/// What every member of a generated `as const` object has (entity types are nothing more).
#[derive(Serialize)]
struct TsMember {
    key: String,
    /// Its roles.toml name: the member's value.
    name: String,
    /// Its description as JSDoc lines.
    doc: Vec<String>,
}

impl TsMember {
    fn new(name: &str, description: &str) -> Self {
        TsMember { key: Ts::key(name), name: name.to_string(), doc: comment_lines(description) }
    }
}

#[derive(Serialize)]
struct TsEntity {
    #[serde(flatten)]
    head: TsMember,
    /// Its protobuf number: its `id`, else its place in the file.
    id: u32,
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
    effective: String,
}

impl TsPermission {
    fn new(model: &Model, p: &Permission) -> Self {
        TsPermission {
            head: TsMember::new(&p.name, &p.description),
            id: p.id,
            deprecated: p.deprecated.is_deprecated(),
            deprecated_note: p.deprecated.reason().map(one_comment_line),
            entities: Ts::list(p.entities.iter().map(|&e| &*model.entities()[e].name)),
        }
    }
}

impl TsRole {
    fn new(model: &Model, r: &Role) -> Self {
        TsRole {
            head: TsMember::new(&r.name, &r.description),
            id: r.id,
            effective: Ts::list(r.effective.iter().map(|p| &*model.permissions()[p].name)),
        }
    }
}

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
            roles: model.roles().iter().map(|r| TsRole::new(model, r)).collect(),
            legacy: model.legacy_levels().iter().map(|l| TsMember::new(&l.name, "")).collect(),
            legacy_levels: Ts::list(model.legacy_levels().iter().map(|l| &*l.name)),
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
    entity: String,
    rule_names: String,
    /// The custom predicates it asks about (its facts are `Facts` plus these).
    predicates: Vec<TsPredicate>,
    /// `facts`, or `_facts` when no rule reads them (`noUnusedParameters`).
    facts_param: &'static str,
    /// `withPermissions`, or `_withPermissions` when it has no permission rule.
    permissions_param: &'static str,
    rules: Vec<RuleView>,
}

#[derive(Serialize)]
struct TsPredicate {
    name: String,
    doc: Vec<String>,
}

impl TsPolicy {
    fn new(model: &Model, policy: &Policy) -> Self {
        let rules = rules(model, policy, condition, Ts::str);
        let predicates = policy
            .predicates()
            .into_iter()
            .map(|q| TsPredicate { name: q.to_string(), doc: comment_block(&predicate_doc(model, q)) })
            .collect();
        TsPolicy {
            head: TsMember::new(&policy.name, &policy.description),
            id: policy.id,
            entity: model.entities()[policy.entity].name.clone(),
            rule_names: joined(&policy.rules, |r| Ts::quoted(&model.rule_name(&r.kind))),
            predicates,
            facts_param: if rules.is_empty() { "_facts" } else { "facts" },
            // The model's own answer: whether a rule asks for a permission (a non-empty list).
            permissions_param: if policy.uses_permissions() { "withPermissions" } else { "_withPermissions" },
            rules,
        }
    }
}

/// The TypeScript condition under which a rule fires; `None` for a rule that never can.
fn condition(model: &Model, kind: &RuleKind) -> Option<String> {
    let levels = |ls: &[LevelIdx]| Ts::list(ls.iter().map(|&l| &*model.legacy_levels()[l].name));
    Some(match kind {
        RuleKind::DenyIfLegacy(ls) if ls.is_empty() => return None,
        RuleKind::DenyIfLegacy(ls) => format!("legacyIn(facts, [{}])", levels(ls)),
        RuleKind::AllowIfLegacyAtLeast(l) => {
            let at_least: Vec<LevelIdx> = (l.get()..model.legacy_levels().len()).map(LevelIdx::new).collect();
            format!("legacyIn(facts, [{}])", levels(&at_least))
        }
        RuleKind::AllowIfPermission(ps) if ps.is_empty() => return None,
        RuleKind::AllowIfPermission(ps) => {
            let asks: Vec<String> =
                ps.iter().map(|&p| format!("holds(facts, {})", Ts::quoted(&model.permissions()[p].name))).collect();
            format!("withPermissions && ({})", asks.join(" || "))
        }
        RuleKind::AllowIf(q) | RuleKind::DenyIf(q) => format!("predicate(facts, {})", Ts::quoted(q)),
    })
}

/// What every policy reads, in TypeScript: which of the shared facts exist.
#[derive(Serialize)]
struct TsFacts {
    legacy: bool,
    permissions: bool,
    predicates: bool,
    /// Whether any policy reads a fact (then the own-property reader `fact` is emitted).
    any: bool,
}

impl TsFacts {
    fn new(model: &Model) -> Self {
        let legacy = model.policies().iter().any(Policy::uses_legacy);
        let permissions = model.policies().iter().any(Policy::uses_permissions);
        let predicates = model.policies().iter().any(|p| !p.predicates().is_empty());
        TsFacts { legacy, permissions, predicates, any: legacy || permissions || predicates }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ts_names_are_keys_and_quoted_lists() {
        assert_eq!(Ts::key("level_2"), "LEVEL_2");
        assert_eq!(Ts::list(["a", "b"]), "\"a\", \"b\"");
        assert_eq!(Ts::str("\u{2028}"), "\\u2028");
    }
}
