//! The JSON document: the `json` target, and the context custom templates render against.

use serde::Serialize;

use super::common::{header, sorted};
use crate::escape::{is_invisible, utf16_escape};
use crate::model::{Deprecated, EntityIdx, LevelIdx, Model, PermIdx, RuleKind};

/// The whole document (SPEC section 2, JSON). Field order is output order.
#[derive(Debug, Serialize)]
pub struct Document<'m> {
    #[serde(rename = "@generated")]
    pub generated: String,
    pub schema_version: u32,
    pub project: ProjectDoc<'m>,
    pub entities: Vec<EntityDoc<'m>>,
    pub permissions: Vec<PermissionDoc<'m>>,
    pub roles: Vec<RoleDoc<'m>>,
    pub legacy_levels: Vec<&'m str>,
    pub policies: Vec<PolicyDoc<'m>>,
    /// Every custom predicate: the declared ones, then those only used, in order of first use.
    pub predicates: Vec<PredicateDoc<'m>>,
    pub reserved: ReservedDoc<'m>,
}

#[derive(Debug, Serialize)]
pub struct ProjectDoc<'m> {
    pub name: &'m str,
    pub proto_package: &'m str,
}

#[derive(Debug, Serialize)]
pub struct EntityDoc<'m> {
    pub name: &'m str,
    /// Its protobuf number: the `id` it was given, else its 1-based place in the file.
    pub id: u32,
    pub description: &'m str,
    pub parent: Option<&'m str>,
}

/// A permission or a role, the two kinds with stable ids: name, id and description, then the
/// fields of its kind (`of`, flattened: the JSON object has them all at one level).
#[derive(Debug, Serialize)]
pub struct NumberedDoc<'m, T> {
    pub name: &'m str,
    pub id: u32,
    pub description: &'m str,
    #[serde(flatten)]
    pub of: T,
}

pub type PermissionDoc<'m> = NumberedDoc<'m, PermissionFields<'m>>;

#[derive(Debug, Serialize)]
pub struct PermissionFields<'m> {
    /// The entity types it is checked against, in file order.
    pub entities: Vec<&'m str>,
    pub group: Option<&'m str>,
    /// `false`, `true`, or the reason: as roles.toml says it.
    pub deprecated: DeprecatedDoc<'m>,
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum DeprecatedDoc<'m> {
    Flag(bool),
    Reason(&'m str),
}

pub type RoleDoc<'m> = NumberedDoc<'m, RoleFields<'m>>;

#[derive(Debug, Serialize)]
pub struct RoleFields<'m> {
    /// The direct grants, by id.
    pub permissions: Vec<&'m str>,
    /// The direct grants and every included role's, by id.
    pub effective_permissions: Vec<&'m str>,
    /// The included roles, by id.
    pub includes: Vec<&'m str>,
    /// The entity types it may be assigned on, in file order.
    pub assignable_on: Vec<&'m str>,
}

#[derive(Debug, Serialize)]
pub struct PolicyDoc<'m> {
    pub name: &'m str,
    /// Its stable id, the protobuf number.
    pub id: u32,
    pub description: &'m str,
    pub entity: &'m str,
    pub rules: Vec<RuleDoc<'m>>,
}

/// A custom predicate: its description (`null` when not declared) and the policies asking.
#[derive(Debug, Serialize)]
pub struct PredicateDoc<'m> {
    pub name: &'m str,
    pub description: Option<&'m str>,
    pub policies: Vec<&'m str>,
}

/// A rule: its `kind` (the roles.toml key), the one field that kind uses, and its `name` as
/// decisions report it (`deny_if_legacy [guest]`).
#[derive(Debug, Serialize)]
pub struct RuleDoc<'m> {
    pub kind: &'static str,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub levels: Option<Vec<&'m str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<&'m str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<&'m str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicate: Option<&'m str>,
}

#[derive(Debug, Serialize)]
pub struct ReservedDoc<'m> {
    pub permission_ids: &'m [u32],
    pub permission_names: &'m [String],
    pub role_ids: &'m [u32],
    pub role_names: &'m [String],
    pub policy_ids: &'m [u32],
    pub policy_names: &'m [String],
    pub entity_ids: &'m [u32],
    pub entity_names: &'m [String],
}

impl<'m> Document<'m> {
    /// Builds the document for `model`.
    pub fn new(model: &'m Model) -> Self {
        Document {
            generated: header(model),
            schema_version: 1,
            project: ProjectDoc { name: &model.project().name, proto_package: &model.project().proto_package },
            entities: model
                .entities()
                .iter()
                .map(|e| EntityDoc {
                    name: &e.name,
                    id: e.id,
                    description: &e.description,
                    parent: e.parent.map(|p| model.entities()[p].name.as_str()),
                })
                .collect(),
            permissions: model.permissions().iter().map(|p| permission(model, p)).collect(),
            roles: model.roles().iter().map(|r| role(model, r)).collect(),
            legacy_levels: model.legacy_levels().iter().map(|l| l.name.as_str()).collect(),
            policies: model.policies().iter().map(|p| policy(model, p)).collect(),
            predicates: predicates(model),
            reserved: reserved(model),
        }
    }
}

fn reserved(model: &Model) -> ReservedDoc<'_> {
    let r = model.reserved();
    ReservedDoc {
        permission_ids: &r.permission_ids,
        permission_names: &r.permission_names,
        role_ids: &r.role_ids,
        role_names: &r.role_names,
        policy_ids: &r.policy_ids,
        policy_names: &r.policy_names,
        entity_ids: &r.entity_ids,
        entity_names: &r.entity_names,
    }
}

fn entity_names<'m>(model: &'m Model, list: &[EntityIdx]) -> Vec<&'m str> {
    list.iter().map(|&e| model.entities()[e].name.as_str()).collect()
}

fn permission<'m>(model: &'m Model, p: &'m crate::model::Permission) -> PermissionDoc<'m> {
    let deprecated = match &p.deprecated {
        Deprecated::No => DeprecatedDoc::Flag(false),
        Deprecated::Yes => DeprecatedDoc::Flag(true),
        Deprecated::Because(r) => DeprecatedDoc::Reason(r),
    };
    let of = PermissionFields { entities: entity_names(model, &p.entities), group: p.group.as_deref(), deprecated };
    NumberedDoc { name: &p.name, id: p.id, description: &p.description, of }
}

fn role<'m>(model: &'m Model, r: &'m crate::model::Role) -> RoleDoc<'m> {
    let perm_name = |i: PermIdx| model.permissions()[i].name.as_str();
    let of = RoleFields {
        permissions: sorted(&r.permissions).into_iter().map(perm_name).collect(),
        effective_permissions: r.effective.iter().map(perm_name).collect(),
        includes: sorted(&r.includes).into_iter().map(|i| model.roles()[i].name.as_str()).collect(),
        assignable_on: entity_names(model, &r.assignable_on),
    };
    NumberedDoc { name: &r.name, id: r.id, description: &r.description, of }
}

fn policy<'m>(model: &'m Model, p: &'m crate::model::Policy) -> PolicyDoc<'m> {
    PolicyDoc {
        name: &p.name,
        id: p.id,
        description: &p.description,
        entity: &model.entities()[p.entity].name,
        rules: p.rules.iter().map(|r| rule(model, &r.kind)).collect(),
    }
}

fn predicates(model: &Model) -> Vec<PredicateDoc<'_>> {
    let mut names: Vec<&str> = model.predicates().iter().map(|p| p.name.as_str()).collect();
    for used in model.used_predicates() {
        if !names.contains(&used) {
            names.push(used);
        }
    }
    names
        .into_iter()
        .map(|name| PredicateDoc {
            name,
            description: model.predicate_description(name),
            policies: model.predicate_uses(name).into_iter().map(|(p, _)| model.policies()[p].name.as_str()).collect(),
        })
        .collect()
}

fn rule<'m>(model: &'m Model, kind: &'m RuleKind) -> RuleDoc<'m> {
    let level = |l: LevelIdx| model.legacy_levels()[l].name.as_str();
    let mut doc = RuleDoc {
        kind: kind.key(),
        name: model.rule_name(kind),
        levels: None,
        level: None,
        permissions: None,
        predicate: None,
    };
    match kind {
        RuleKind::DenyIfLegacy(ls) => doc.levels = Some(ls.iter().map(|&l| level(l)).collect()),
        RuleKind::AllowIfLegacyAtLeast(l) => doc.level = Some(level(*l)),
        RuleKind::AllowIfPermission(ps) => {
            doc.permissions = Some(ps.iter().map(|&p| model.permissions()[p].name.as_str()).collect())
        }
        RuleKind::AllowIf(p) | RuleKind::DenyIf(p) => doc.predicate = Some(p),
    }
    doc
}

/// The `json` target: the document itself, no template.
pub(super) fn render(job: &super::Job<'_>) -> Result<String, String> {
    to_pretty(job.document).map_err(|e| e.to_string())
}

/// Pretty JSON with a final newline; invisible and bidi characters escaped as `\uXXXX`.
pub fn to_pretty(value: &impl Serialize) -> Result<String, serde_json::Error> {
    let pretty = serde_json::to_string_pretty(value)?;
    let mut out = String::with_capacity(pretty.len() + 1);
    // serde_json escapes the C0 controls inside strings and writes nothing invisible outside
    // them but line breaks; every other invisible character it leaves raw is inside a string.
    for c in pretty.chars() {
        if c != '\n' && is_invisible(c) {
            out.push_str(&utf16_escape(c));
        } else {
            out.push(c);
        }
    }
    out.push('\n');
    Ok(out)
}
