//! Per-target views: names cased, strings escaped, lists joined, order fixed. The templates only
//! place these values; every decision about spelling or safety is made here.

use serde::Serialize;

use crate::escape;
use crate::model::{Model, Policy, RuleKind};
use crate::names;

fn header(model: &Model) -> String {
    format!(
        "{} from {}. Do not edit: change {} and run `role-gen generate`.",
        crate::outputs::GENERATED_MARKER,
        model.source_name,
        model.source_name
    )
}

fn joined<T>(items: impl IntoIterator<Item = T>, each: impl Fn(T) -> String) -> String {
    items.into_iter().map(each).collect::<Vec<_>>().join(", ")
}

/// The words of a permission set as Rust literals.
fn words(model: &Model, set: &crate::model::PermSet) -> String {
    let n = model.permissions.len().div_ceil(64);
    let mut words = set.words().to_vec();
    words.resize(n, 0);
    joined(words, |w| format!("{w:#x}"))
}

// ---------------------------------------------------------------- Rust

#[derive(Serialize)]
pub struct RustView {
    header: String,
    project: String,
    serde: bool,
    words: usize,
    entities: Vec<RustItem>,
    permissions: Vec<RustItem>,
    roles: Vec<RustItem>,
    legacy: Vec<RustItem>,
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

#[derive(Serialize, Default)]
struct RustItem {
    variant: String,
    name: String,
    description: String,
    id: u32,
    bit: usize,
    parent: String,
    entities: String,
    deprecated: bool,
    deprecated_note: Option<String>,
    words: String,
    direct: String,
    includes: String,
    assignable_on: String,
}

#[derive(Serialize)]
struct RustNames {
    r#type: &'static str,
    kind: &'static str,
    /// `("name", Type::Variant)` pairs sorted by name bytes, for a binary search.
    by_name: String,
}

impl RustNames {
    fn new(r#type: &'static str, kind: &'static str, items: &[RustItem]) -> Self {
        let mut pairs: Vec<&RustItem> = items.iter().collect();
        pairs.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
        RustNames { r#type, kind, by_name: joined(pairs, |i| format!("(\"{}\", {type}::{})", i.name, i.variant)) }
    }
}

fn entity_list(model: &Model, list: &[usize]) -> String {
    joined(list, |&e| format!("EntityType::{}", names::rust_variant(&model.entities[e].name)))
}

impl RustView {
    pub fn new(model: &Model, serde: bool) -> Self {
        let item = |name: &str, description: &str| RustItem {
            variant: names::rust_variant(name),
            name: name.to_string(),
            description: escape::rust_str(description),
            ..RustItem::default()
        };
        let entities: Vec<RustItem> = model
            .entities
            .iter()
            .map(|e| RustItem {
                parent: e.parent.map_or("::core::option::Option::None".into(), |p| {
                    format!("::core::option::Option::Some(Self::{})", names::rust_variant(&model.entities[p].name))
                }),
                ..item(&e.name, &e.description)
            })
            .collect();
        let permissions: Vec<RustItem> = model
            .permissions
            .iter()
            .enumerate()
            .map(|(bit, p)| RustItem {
                id: p.id,
                bit,
                entities: entity_list(model, &p.entities),
                deprecated: p.deprecated.is_deprecated(),
                deprecated_note: p.deprecated.reason().map(escape::rust_str),
                ..item(&p.name, &p.description)
            })
            .collect();
        let roles: Vec<RustItem> = model
            .roles
            .iter()
            .enumerate()
            .map(|(bit, r)| RustItem {
                id: r.id,
                bit,
                words: words(model, &r.effective),
                direct: joined(sorted(&r.permissions), |p| {
                    format!("Permission::{}", names::rust_variant(&model.permissions[p].name))
                }),
                includes: joined(sorted(&r.includes), |i| {
                    format!("Role::{}", names::rust_variant(&model.roles[i].name))
                }),
                assignable_on: entity_list(model, &r.assignable_on),
                ..item(&r.name, &r.description)
            })
            .collect();
        let legacy: Vec<RustItem> = model.legacy_levels.iter().map(|l| item(&l.name, "")).collect();
        let mut name_impls = vec![
            RustNames::new("EntityType", "entity type", &entities),
            RustNames::new("Permission", "permission", &permissions),
            RustNames::new("Role", "role", &roles),
        ];
        if !legacy.is_empty() {
            name_impls.push(RustNames::new("LegacyRole", "legacy level", &legacy));
        }
        let policies: Vec<RustPolicy> = model.policies.iter().map(|p| RustPolicy::new(model, p)).collect();
        let policy_items: Vec<RustItem> = model.policies.iter().map(|p| item(&p.name, &p.description)).collect();
        if !policy_items.is_empty() {
            name_impls.push(RustNames::new("Policy", "policy", &policy_items));
        }
        let all = |items: &[RustItem]| joined(items, |i| format!("Self::{}", i.variant));
        RustView {
            all_policies: all(&policy_items),
            facts: (!policies.is_empty()).then(|| RustFacts::new(model)),
            policies,
            all_entities: all(&entities),
            all_permissions: all(&permissions),
            all_roles: all(&roles),
            all_legacy: all(&legacy),
            permission_count: permissions.len(),
            role_count: roles.len(),
            header: header(model),
            project: escape::comment_lines(&model.project.name).join(" "),
            serde,
            words: model.permissions.len().div_ceil(64),
            entities,
            permissions,
            roles,
            legacy,
            name_impls,
        }
    }
}

/// A policy as the Rust evaluator spells it.
#[derive(Serialize)]
struct RustPolicy {
    variant: String,
    name: String,
    description: String,
    entity: String,
    /// `evaluate_<name>`: the public evaluator of this policy.
    evaluate_fn: String,
    /// `rules_<name>`: the rules, generic over whether permission rules run.
    rules_fn: String,
    rule_names: String,
    /// Rules that can fire (one with an empty list never does and emits no code).
    rules: Vec<RustRule>,
}

#[derive(Serialize)]
struct RustRule {
    index: usize,
    allow: bool,
    condition: String,
    name: String,
}

impl RustPolicy {
    fn new(model: &Model, policy: &Policy) -> Self {
        let rules = policy
            .rules
            .iter()
            .enumerate()
            .filter_map(|(index, rule)| {
                Some(RustRule {
                    index,
                    allow: rule.kind.allows(),
                    condition: rust_condition(model, &rule.kind)?,
                    name: escape::rust_str(&model.rule_name(&rule.kind)),
                })
            })
            .collect();
        RustPolicy {
            variant: names::rust_variant(&policy.name),
            name: policy.name.clone(),
            description: escape::rust_str(&policy.description),
            entity: format!("EntityType::{}", names::rust_variant(&model.entities[policy.entity].name)),
            evaluate_fn: format!("evaluate_{}", policy.name),
            rules_fn: format!("rules_{}", policy.name),
            rule_names: joined(&policy.rules, |r| format!("\"{}\"", escape::rust_str(&model.rule_name(&r.kind)))),
            rules,
        }
    }
}

/// The Rust condition under which a rule fires; `None` for a rule that never can (an empty list).
fn rust_condition(model: &Model, kind: &RuleKind) -> Option<String> {
    let level = |l: usize| format!("LegacyRole::{}", names::rust_variant(&model.legacy_levels[l].name));
    let legacy = "PolicyFacts::legacy_level(facts)";
    let some = "::core::option::Option::Some";
    Some(match kind {
        RuleKind::DenyIfLegacy(levels) if levels.is_empty() => return None,
        RuleKind::DenyIfLegacy(levels) => {
            format!(
                "::core::matches!({legacy}, {some}({}))",
                levels.iter().map(|&l| level(l)).collect::<Vec<_>>().join(" | ")
            )
        }
        RuleKind::AllowIfLegacyAtLeast(l) => {
            format!("::core::matches!({legacy}, {some}(level) if level >= {})", level(*l))
        }
        RuleKind::AllowIfPermission(ps) if ps.is_empty() => return None,
        RuleKind::AllowIfPermission(ps) => {
            let asks = ps.iter().map(|&p| {
                format!(
                    "PolicyFacts::has_permission(facts, Permission::{})",
                    names::rust_variant(&model.permissions[p].name)
                )
            });
            format!("WITH_PERMISSIONS && ({})", asks.collect::<Vec<_>>().join(" || "))
        }
        RuleKind::AllowIf(q) | RuleKind::DenyIf(q) => format!("PolicyFacts::{}(facts)", names::rust_fn(q)),
    })
}

/// The `PolicyFacts` trait: what the policies need, one method per custom predicate.
#[derive(Serialize)]
struct RustFacts {
    legacy: bool,
    permissions: bool,
    predicates: Vec<RustPredicate>,
}

#[derive(Serialize)]
struct RustPredicate {
    name: String,
    method: String,
    /// Doc lines, each the inside of a Rust string literal (`#[doc = "…"]`).
    doc: Vec<String>,
    /// The same lines, each safe after `///`.
    comment: Vec<String>,
}

impl RustFacts {
    fn new(model: &Model) -> Self {
        RustFacts {
            legacy: model.policies.iter().any(Policy::uses_legacy),
            permissions: model.policies.iter().any(Policy::uses_permissions),
            predicates: model
                .used_predicates()
                .into_iter()
                .map(|q| RustPredicate {
                    name: q.to_string(),
                    method: names::rust_fn(q),
                    doc: predicate_doc(model, q).iter().map(|l| escape::rust_str(l)).collect(),
                    comment: comment_block(&predicate_doc(model, q)),
                })
                .collect(),
        }
    }
}

/// `role-gen scaffold policies`: a starting implementation of the `PolicyFacts` trait.
#[derive(Serialize)]
pub struct ScaffoldView {
    project: String,
    source: String,
    imports: String,
    facts: RustFacts,
}

impl ScaffoldView {
    /// The view; `None` when there are no policies (and so no trait).
    pub fn new(model: &Model) -> Option<Self> {
        if model.policies.is_empty() {
            return None;
        }
        let facts = RustFacts::new(model);
        let mut imports = Vec::new();
        if facts.legacy {
            imports.push("LegacyRole");
        }
        if facts.permissions {
            imports.extend(["Permission", "PermissionSet"]);
        }
        imports.push("PolicyFacts");
        Some(ScaffoldView {
            project: escape::comment_lines(&model.project.name).join(" "),
            source: escape::comment_lines(&model.source_name).join(" "),
            imports: imports.join(", "),
            facts,
        })
    }
}

/// Lines made safe for a comment each, blank lines kept.
fn comment_block(lines: &[String]) -> Vec<String> {
    lines.iter().flat_map(|l| if l.is_empty() { vec![String::new()] } else { escape::comment_lines(l) }).collect()
}

/// A predicate's documentation: its description (or a note that it has none), then the
/// rules asking about it.
pub fn predicate_doc(model: &Model, name: &str) -> Vec<String> {
    let mut lines: Vec<String> = match model.predicate_description(name) {
        Some(d) => d.lines().map(str::to_string).collect(),
        None => vec![format!("The custom predicate `{name}` (describe it under `[predicates.{name}]` in roles.toml).")],
    };
    lines.push(String::new());
    lines.push("Asked by:".to_string());
    for (p, rules) in model.predicate_uses(name) {
        let policy = &model.policies[p];
        for r in rules {
            lines.push(format!("- `{}`, rule {} (`{}`)", policy.name, r + 1, model.rule_name(&policy.rules[r].kind)));
        }
    }
    lines
}

fn sorted(list: &[usize]) -> Vec<usize> {
    let mut v = list.to_vec();
    v.sort_unstable();
    v
}

// ---------------------------------------------------------- TypeScript

#[derive(Serialize)]
pub struct TsView {
    header: String,
    project: String,
    entities: Vec<TsItem>,
    permissions: Vec<TsItem>,
    roles: Vec<TsItem>,
    legacy: Vec<TsItem>,
    legacy_levels: String,
    policies: Vec<TsPolicy>,
    facts: Option<TsFacts>,
}

#[derive(Serialize, Default)]
struct TsItem {
    key: String,
    name: String,
    doc: Vec<String>,
    id: u32,
    deprecated: bool,
    deprecated_note: Option<String>,
    effective: String,
    entities: String,
}

fn quoted_names<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    joined(names, |n| format!("\"{n}\""))
}

impl TsView {
    pub fn new(model: &Model) -> Self {
        let item = |name: &str, description: &str| TsItem {
            key: names::screaming(name),
            name: name.to_string(),
            doc: escape::comment_lines(description),
            ..TsItem::default()
        };
        TsView {
            header: header(model),
            project: escape::comment_lines(&model.project.name).join(" "),
            entities: model.entities.iter().map(|e| item(&e.name, &e.description)).collect(),
            permissions: model
                .permissions
                .iter()
                .map(|p| TsItem {
                    id: p.id,
                    deprecated: p.deprecated.is_deprecated(),
                    deprecated_note: p.deprecated.reason().map(|r| escape::comment_lines(r).join(" ")),
                    entities: quoted_names(p.entities.iter().map(|&e| model.entities[e].name.as_str())),
                    ..item(&p.name, &p.description)
                })
                .collect(),
            roles: model
                .roles
                .iter()
                .map(|r| TsItem {
                    id: r.id,
                    effective: quoted_names(r.effective.iter().map(|p| model.permissions[p].name.as_str())),
                    ..item(&r.name, &r.description)
                })
                .collect(),
            legacy: model.legacy_levels.iter().map(|l| item(&l.name, "")).collect(),
            legacy_levels: quoted_names(model.legacy_levels.iter().map(|l| l.name.as_str())),
            policies: model.policies.iter().map(|p| TsPolicy::new(model, p)).collect(),
            facts: (!model.policies.is_empty()).then(|| TsFacts::new(model)),
        }
    }
}

/// A policy as the TypeScript evaluator spells it.
#[derive(Serialize)]
struct TsPolicy {
    key: String,
    name: String,
    doc: Vec<String>,
    entity: String,
    rule_names: String,
    /// The custom predicates it asks about (its facts are `Facts` plus these).
    predicates: Vec<TsPredicate>,
    /// `facts`, or `_facts` when no rule reads them (`noUnusedParameters`).
    facts_param: &'static str,
    /// `withPermissions`, or `_withPermissions` when it has no permission rule.
    permissions_param: &'static str,
    rules: Vec<TsRule>,
}

#[derive(Serialize)]
struct TsPredicate {
    name: String,
    doc: Vec<String>,
}

#[derive(Serialize)]
struct TsRule {
    index: usize,
    allow: bool,
    condition: String,
    name: String,
}

impl TsPolicy {
    fn new(model: &Model, policy: &Policy) -> Self {
        let rules: Vec<TsRule> = policy
            .rules
            .iter()
            .enumerate()
            .filter_map(|(index, rule)| {
                Some(TsRule {
                    index,
                    allow: rule.kind.allows(),
                    condition: ts_condition(model, &rule.kind)?,
                    name: escape::ts_str(&model.rule_name(&rule.kind)),
                })
            })
            .collect();
        let predicates = policy
            .predicates()
            .into_iter()
            .map(|q| TsPredicate { name: q.to_string(), doc: comment_block(&predicate_doc(model, q)) })
            .collect();
        let asks_permissions = rules.iter().any(|r| r.condition.starts_with("withPermissions"));
        TsPolicy {
            key: names::screaming(&policy.name),
            name: policy.name.clone(),
            doc: escape::comment_lines(&policy.description),
            entity: model.entities[policy.entity].name.clone(),
            rule_names: joined(&policy.rules, |r| format!("\"{}\"", escape::ts_str(&model.rule_name(&r.kind)))),
            predicates,
            facts_param: if rules.is_empty() { "_facts" } else { "facts" },
            permissions_param: if asks_permissions { "withPermissions" } else { "_withPermissions" },
            rules,
        }
    }
}

/// The TypeScript condition under which a rule fires; `None` for a rule that never can.
fn ts_condition(model: &Model, kind: &RuleKind) -> Option<String> {
    let levels = |ls: &[usize]| quoted_names(ls.iter().map(|&l| model.legacy_levels[l].name.as_str()));
    Some(match kind {
        RuleKind::DenyIfLegacy(ls) if ls.is_empty() => return None,
        RuleKind::DenyIfLegacy(ls) => format!("legacyIn(facts, [{}])", levels(ls)),
        RuleKind::AllowIfLegacyAtLeast(l) => {
            let at_least: Vec<usize> = (*l..model.legacy_levels.len()).collect();
            format!("legacyIn(facts, [{}])", levels(&at_least))
        }
        RuleKind::AllowIfPermission(ps) if ps.is_empty() => return None,
        RuleKind::AllowIfPermission(ps) => {
            let asks: Vec<String> =
                ps.iter().map(|&p| format!("holds(facts, \"{}\")", model.permissions[p].name)).collect();
            format!("withPermissions && ({})", asks.join(" || "))
        }
        RuleKind::AllowIf(q) | RuleKind::DenyIf(q) => format!("predicate(facts, \"{q}\")"),
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
        let legacy = model.policies.iter().any(Policy::uses_legacy);
        let permissions = model.policies.iter().any(Policy::uses_permissions);
        let predicates = model.policies.iter().any(|p| !p.predicates().is_empty());
        TsFacts { legacy, permissions, predicates, any: legacy || permissions || predicates }
    }
}

// ------------------------------------------------------------ Protobuf

#[derive(Serialize)]
pub struct ProtoView {
    header: String,
    package: String,
    enums: Vec<ProtoEnum>,
    /// Whether there are policies (then the `Policy` enum and the policy check are emitted).
    policies: bool,
}

#[derive(Serialize)]
struct ProtoEnum {
    name: &'static str,
    doc: &'static str,
    prefix: &'static str,
    reserved_ids: String,
    reserved_names: String,
    values: Vec<ProtoValue>,
}

#[derive(Serialize)]
struct ProtoValue {
    name: String,
    number: usize,
    comment: Vec<String>,
    deprecated: bool,
}

impl ProtoView {
    pub fn new(model: &Model) -> Self {
        let value = |prefix: &str, name: &str, number: usize, description: &str, deprecated: bool| ProtoValue {
            name: format!("{prefix}_{}", names::screaming(name)),
            number,
            comment: escape::comment_lines(description),
            deprecated,
        };
        let reserved_names =
            |prefix: &str, list: &[String]| joined(list, |n| format!("\"{prefix}_{}\"", names::screaming(n)));
        let r = &model.reserved;
        let enums = vec![
            ProtoEnum {
                name: "Permission",
                doc: "A permission: the ability to perform one action. The number is its stable id.",
                prefix: "PERMISSION",
                reserved_ids: joined(&r.permission_ids, u32::to_string),
                reserved_names: reserved_names("PERMISSION", &r.permission_names),
                values: model
                    .permissions
                    .iter()
                    .map(|p| value("PERMISSION", &p.name, p.id as usize, &p.description, p.deprecated.is_deprecated()))
                    .collect(),
            },
            ProtoEnum {
                name: "Role",
                doc: "A role: a named set of permissions. The number is its stable id.",
                prefix: "ROLE",
                reserved_ids: joined(&r.role_ids, u32::to_string),
                reserved_names: reserved_names("ROLE", &r.role_names),
                values: model
                    .roles
                    .iter()
                    .map(|x| value("ROLE", &x.name, x.id as usize, &x.description, false))
                    .collect(),
            },
            ProtoEnum {
                name: "EntityType",
                doc: "The type of an object a role is assigned on and a permission is checked against.",
                prefix: "ENTITY_TYPE",
                reserved_ids: String::new(),
                reserved_names: String::new(),
                values: model
                    .entities
                    .iter()
                    .enumerate()
                    .map(|(i, e)| value("ENTITY_TYPE", &e.name, i + 1, &e.description, false))
                    .collect(),
            },
            ProtoEnum {
                name: "LegacyRole",
                doc: "The legacy account levels, lowest first.",
                prefix: "LEGACY_ROLE",
                reserved_ids: String::new(),
                reserved_names: String::new(),
                values: model
                    .legacy_levels
                    .iter()
                    .enumerate()
                    .map(|(i, l)| value("LEGACY_ROLE", &l.name, i + 1, "", false))
                    .collect(),
            },
        ];
        let mut enums = enums;
        if !model.policies.is_empty() {
            enums.push(ProtoEnum {
                name: "Policy",
                doc: "A policy: ordered rules deciding one action on one entity type. Numbers are 1-based file order.",
                prefix: "POLICY",
                reserved_ids: String::new(),
                reserved_names: String::new(),
                values: model
                    .policies
                    .iter()
                    .enumerate()
                    .map(|(i, p)| value("POLICY", &p.name, i + 1, &p.description, false))
                    .collect(),
            });
        }
        ProtoView {
            header: header(model),
            package: model.project.proto_package.clone(),
            enums,
            policies: !model.policies.is_empty(),
        }
    }
}

// ------------------------------------------------------------ Markdown

/// Above this many cells the role × permission table becomes a list of holders per permission.
const MATRIX_CELL_LIMIT: usize = 20_000;

#[derive(Serialize)]
pub struct MarkdownView {
    header: String,
    project: String,
    counts: String,
    entities: Vec<MdRow>,
    permissions: Vec<MdRow>,
    roles: Vec<MdRow>,
    matrix_roles: Vec<String>,
    matrix: Vec<MdMatrixRow>,
    holders: Vec<MdHolders>,
    nodes: Vec<MdNode>,
    edges: Vec<MdEdge>,
    legacy: String,
    policies: Vec<MdPolicy>,
    predicates: Vec<MdPredicate>,
}

#[derive(Serialize)]
struct MdPredicate {
    name: String,
    description: String,
    policies: String,
}

#[derive(Serialize, Default)]
struct MdRow {
    name: String,
    id: u32,
    description: String,
    parent: String,
    entities: String,
    group: String,
    deprecated: bool,
    deprecated_note: String,
    includes: String,
    assignable_on: String,
}

#[derive(Serialize)]
struct MdMatrixRow {
    permission: String,
    cells: Vec<&'static str>,
}

#[derive(Serialize)]
struct MdHolders {
    permission: String,
    roles: String,
}

#[derive(Serialize)]
struct MdNode {
    id: String,
    label: String,
}

#[derive(Serialize)]
struct MdEdge {
    from: String,
    to: String,
}

#[derive(Serialize)]
struct MdPolicy {
    name: String,
    entity: String,
    description: String,
    rules: Vec<String>,
    otherwise: String,
}

fn code_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let list = joined(items, |n| format!("`{n}`"));
    if list.is_empty() { "—".into() } else { list }
}

impl MarkdownView {
    pub fn new(model: &Model) -> Self {
        let entity_names = |list: &[usize]| code_list(list.iter().map(|&e| model.entities[e].name.as_str()));
        let mut view = MarkdownView {
            header: header(model),
            project: escape::markdown_cell(&model.project.name),
            counts: format!(
                "{} entities, {} permissions, {} roles{}. Generated from `{}`.",
                model.entities.len(),
                model.permissions.len(),
                model.roles.len(),
                if model.legacy_levels.is_empty() {
                    String::new()
                } else {
                    format!(", {} legacy levels", model.legacy_levels.len())
                },
                escape::markdown_cell(&model.source_name)
            ),
            entities: model
                .entities
                .iter()
                .map(|e| MdRow {
                    name: e.name.clone(),
                    parent: e.parent.map_or("—".into(), |p| format!("`{}`", model.entities[p].name)),
                    description: escape::markdown_cell(&e.description),
                    ..MdRow::default()
                })
                .collect(),
            permissions: model
                .permissions
                .iter()
                .map(|p| MdRow {
                    name: p.name.clone(),
                    id: p.id,
                    description: escape::markdown_cell(&p.description),
                    entities: entity_names(&p.entities),
                    group: p.group.as_deref().map_or("—".into(), escape::markdown_cell),
                    deprecated: p.deprecated.is_deprecated(),
                    deprecated_note: p
                        .deprecated
                        .reason()
                        .map(|r| format!(": {}", escape::markdown_cell(r)))
                        .unwrap_or_default(),
                    ..MdRow::default()
                })
                .collect(),
            roles: model
                .roles
                .iter()
                .map(|r| MdRow {
                    name: r.name.clone(),
                    id: r.id,
                    description: escape::markdown_cell(&r.description),
                    includes: code_list(sorted(&r.includes).into_iter().map(|i| model.roles[i].name.as_str())),
                    assignable_on: entity_names(&r.assignable_on),
                    ..MdRow::default()
                })
                .collect(),
            matrix_roles: Vec::new(),
            matrix: Vec::new(),
            holders: Vec::new(),
            nodes: Vec::new(),
            edges: Vec::new(),
            legacy: code_list(model.legacy_levels.iter().map(|l| l.name.as_str())),
            policies: model.policies.iter().map(|p| md_policy(model, p)).collect(),
            predicates: md_predicates(model),
        };
        if model.legacy_levels.is_empty() {
            view.legacy.clear();
        }
        view.fill_matrix(model);
        view.fill_graph(model);
        view
    }

    fn fill_matrix(&mut self, model: &Model) {
        if model.permissions.len() * model.roles.len() <= MATRIX_CELL_LIMIT {
            self.matrix_roles = model.roles.iter().map(|r| r.name.clone()).collect();
            self.matrix = model
                .permissions
                .iter()
                .enumerate()
                .map(|(p, perm)| MdMatrixRow {
                    permission: perm.name.clone(),
                    cells: model
                        .roles
                        .iter()
                        .map(|r| {
                            if r.permissions.contains(&p) {
                                "✅"
                            } else if r.effective.contains(p) {
                                "☑️"
                            } else {
                                ""
                            }
                        })
                        .collect(),
                })
                .collect();
            return;
        }
        let mut holders: Vec<Vec<&str>> = vec![Vec::new(); model.permissions.len()];
        for role in &model.roles {
            for p in role.effective.iter() {
                holders[p].push(&role.name);
            }
        }
        self.holders = model
            .permissions
            .iter()
            .zip(holders)
            .map(|(p, roles)| MdHolders { permission: p.name.clone(), roles: code_list(roles) })
            .collect();
    }

    fn fill_graph(&mut self, model: &Model) {
        for role in &model.roles {
            for i in sorted(&role.includes) {
                self.edges.push(MdEdge { from: format!("r{}", role.id), to: format!("r{}", model.roles[i].id) });
            }
        }
        let linked = |id: u32| self.edges.iter().any(|e| e.from == format!("r{id}") || e.to == format!("r{id}"));
        self.nodes = model
            .roles
            .iter()
            .filter(|r| linked(r.id))
            .map(|r| MdNode { id: format!("r{}", r.id), label: escape::mermaid_label(&r.name) })
            .collect();
    }
}

fn md_predicates(model: &Model) -> Vec<MdPredicate> {
    model
        .used_predicates()
        .into_iter()
        .map(|q| MdPredicate {
            name: q.to_string(),
            description: model.predicate_description(q).map_or("—".into(), escape::markdown_cell),
            policies: code_list(model.predicate_uses(q).into_iter().map(|(p, _)| model.policies[p].name.as_str())),
        })
        .collect()
}

fn md_policy(model: &Model, p: &crate::model::Policy) -> MdPolicy {
    let level = |l: usize| format!("`{}`", model.legacy_levels[l].name);
    let rules = p
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let text = match &r.kind {
                RuleKind::DenyIfLegacy(ls) => {
                    format!("**deny** if the actor's legacy level is {}", joined(ls, |&l| level(l)))
                }
                RuleKind::AllowIfLegacyAtLeast(l) => {
                    format!("**allow** if the actor's legacy level is at least {}", level(*l))
                }
                RuleKind::AllowIfPermission(ps) => format!(
                    "**allow** if the actor holds {} on the {}",
                    joined(ps, |&x| format!("`{}`", model.permissions[x].name)),
                    model.entities[p.entity].name
                ),
                RuleKind::AllowIf(x) => format!("**allow** if `{x}`"),
                RuleKind::DenyIf(x) => format!("**deny** if `{x}`"),
            };
            format!("{}. {text}", i + 1)
        })
        .collect();
    let otherwise = if p.rules.is_empty() { "Always deny." } else { "Otherwise: **deny**." };
    MdPolicy {
        name: p.name.clone(),
        entity: model.entities[p.entity].name.clone(),
        description: escape::markdown_cell(&p.description),
        rules,
        otherwise: otherwise.into(),
    }
}

// ---------------------------------------------------------------- prost

#[derive(Serialize)]
pub struct ProstView {
    package: String,
    enums: Vec<ProstEnum>,
}

#[derive(Serialize)]
struct ProstEnum {
    name: &'static str,
    kind: &'static str,
    /// The body of `number(self)`: `self.id()` where ids are numbers, else a position.
    number: String,
    /// The body of `from_number`.
    from_number: String,
}

impl ProstView {
    pub fn new(model: &Model) -> Self {
        let by_id = |name, kind| ProstEnum {
            name,
            kind,
            number: "self.id()".into(),
            from_number: "Self::from_id(number)".into(),
        };
        // Entity types and legacy levels are numbered 1.. in file order, as in the .proto.
        let by_position = |name, kind, empty: bool| ProstEnum {
            name,
            kind,
            number: if empty { "match self {}".into() } else { "self as u32 + 1".into() },
            from_number: "number.checked_sub(1).and_then(|i| Self::ALL.get(i as usize).copied())".into(),
        };
        let mut enums = vec![
            by_id("Permission", "permission"),
            by_id("Role", "role"),
            by_position("EntityType", "entity type", model.entities.is_empty()),
        ];
        if !model.legacy_levels.is_empty() {
            enums.push(by_position("LegacyRole", "legacy level", false));
        }
        if !model.policies.is_empty() {
            enums.push(by_position("Policy", "policy", false));
        }
        ProstView { package: model.project.proto_package.clone(), enums }
    }
}
