//! `roles.cedar`'s view: the policies, each with its annotations and its `when`/`unless`
//! clauses already spelled; `cedar_policies.hbs` only lays them out.
//!
//! - Access (SPEC section 7): per permission, one `permit`, holding on a resource of each type
//!   it is checked against (`resource is T && …`) when the principal is in the group of a role
//!   granting the permission, held on the resource or an ancestor whose type the role may be
//!   assigned on. One policy per permission, not per (permission, type) nor per role: Cedar
//!   evaluates every policy of the set for each request (a set of 1,447 policies took 1.4 ms a
//!   request, 218 policies of `action in [..]` lists 7 ms), so the fewest policies with
//!   `action ==` scopes answer fastest; the determining policy names the permission.
//! - Policies (SPEC section 5): rule `i` becomes a `permit` or a `forbid` with `when { rule i }`
//!   and `unless { rule j }` for every earlier rule `j`, so the one satisfied policy is the rule
//!   that decides. A rule that can never fire (`deny_if_legacy = []`, a permission no role can
//!   hold there) compiles to nothing, and guards nothing.

use serde::Serialize;

use super::{Annotation, Cedar, Names};
use crate::model::{EntityIdx, Model, PermIdx, Policy, RuleKind};
use crate::render::common::comment_lines;
use crate::render::{RenderOptions, TargetView, Template};

/// `roles.cedar`'s view: sections of comments and the policies under them.
#[derive(Serialize)]
pub struct PoliciesView {
    project: String,
    namespace: String,
    /// Whether there are policies (their part of the header is written then).
    policies: bool,
    /// Whether there are legacy levels.
    legacy: bool,
    sections: Vec<Section>,
}

/// Comment lines (already escaped), then policies.
#[derive(Serialize)]
struct Section {
    comment: Vec<String>,
    policies: Vec<CedarPolicy>,
}

/// One Cedar policy.
#[derive(Serialize)]
struct CedarPolicy {
    annotations: Vec<Annotation>,
    effect: &'static str,
    /// The lines between `(` and `)`: principal, action, resource.
    scope: Vec<String>,
    clauses: Vec<Clause>,
}

/// `when { … }` or `unless { … }`, with a comment naming the rule it asks about.
#[derive(Serialize)]
struct Clause {
    keyword: &'static str,
    comment: Option<String>,
    lines: Vec<String>,
}

/// Expressions joined by `||`, one a line.
fn any_of(items: Vec<String>) -> Vec<String> {
    let last = items.len().saturating_sub(1);
    items.into_iter().enumerate().map(|(i, item)| if i < last { format!("{item} ||") } else { item }).collect()
}

/// Whether the principal holds one of `permissions` on a resource of type `target`: for each
/// type on the path (the target's, then each ancestor's, reached through `parent`), each role
/// granting one of them that may be assigned there. Empty: nobody can hold one there.
fn holders(model: &Model, permissions: &[PermIdx], target: EntityIdx) -> Vec<String> {
    let checked: Vec<PermIdx> =
        permissions.iter().copied().filter(|&p| model.permissions()[p].entities.contains(&target)).collect();
    let mut out = Vec::new();
    let (mut at, mut path) = (Some(target), String::from("resource"));
    while let Some(entity) = at {
        for role in model.roles().iter().filter(|r| r.assignable_on.contains(&entity)) {
            if checked.iter().any(|&p| role.effective.contains(p)) {
                out.push(format!("principal in {path}.roles{}", Cedar::attr(&role.name)));
            }
        }
        path.push_str(".parent");
        at = model.entities()[entity].parent;
    }
    out
}

/// A permission's `when` lines: per entity type it is checked against, `resource is T && (…)`
/// with the groups that grant it there; and the types where nobody can hold it.
fn per_type(model: &Model, names: &Names, permission: PermIdx) -> (Vec<String>, Vec<String>) {
    let (mut lines, mut never): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    for &target in &model.permissions()[permission].entities {
        let entity = &model.entities()[target].name;
        let holders = any_of(holders(model, &[permission], target));
        if holders.is_empty() {
            never.push(format!("`{entity}`"));
            continue;
        }
        if let Some(last) = lines.last_mut() {
            last.push_str(" ||");
        }
        lines.push(format!("// on a `{entity}`"));
        lines.push(format!("resource is {} && (", names.entity(model, target)));
        lines.extend(holders.into_iter().map(|h| format!("  {h}")));
        lines.push(")".into());
    }
    (lines, never)
}

/// A permission's section: what it is, then its one `permit`: on each entity type it is
/// checked against, when the principal is in the group of a role granting it, held on the
/// resource or above where that role may be assigned. One policy per permission, its types
/// told apart by `resource is`: Cedar evaluates every policy of the set for each request, so
/// the authorizer's time grows with their number.
fn permission_section(model: &Model, names: &Names, permission: PermIdx) -> Section {
    let p = &model.permissions()[permission];
    let mut comment = vec![format!("Permission `{}` (id {})", p.name, p.id)];
    comment.extend(comment_lines(&p.description));
    let (lines, never) = per_type(model, names, permission);
    if !never.is_empty() {
        comment.push(format!("Never held on {}: no role granting it may be held there or above.", never.join(", ")));
    }
    if lines.is_empty() {
        comment.push("Nobody can hold it: no policy, so it is always denied.".into());
        return Section { comment, policies: Vec::new() };
    }
    let policy = CedarPolicy {
        annotations: vec![
            Annotation::new("id", &p.name),
            Annotation::new("permission", &p.name),
            Annotation::new("permission_id", p.id.to_string()),
        ],
        effect: "permit",
        scope: vec![
            "principal,".to_string(),
            format!("action == {},", names.action(&Names::permission_action(p))),
            "resource".to_string(),
        ],
        clauses: vec![Clause { keyword: "when", comment: None, lines }],
    };
    Section { comment, policies: vec![policy] }
}

/// Whether the actor's legacy level is one of `levels` (each as the context holds it, an
/// entity of the enumeration: `slack::LegacyLevel::"admin"`).
fn levels<'m>(names: &Names, levels: impl Iterator<Item = &'m str>) -> String {
    let quoted: Vec<String> = levels.map(|l| format!("{}::{}", names.ty("LegacyLevel"), Cedar::quoted(l))).collect();
    format!("context has legacy && [{}].contains(context.legacy)", quoted.join(", "))
}

/// When a rule fires, as lines of a Cedar condition; `None` when it never fires.
fn condition(model: &Model, names: &Names, policy: &Policy, kind: &RuleKind) -> Option<Vec<String>> {
    let all = model.legacy_levels();
    let lines = match kind {
        RuleKind::DenyIfLegacy(list) if list.is_empty() => return None,
        RuleKind::DenyIfLegacy(list) => vec![levels(names, list.iter().map(|&l| all[l].name.as_str()))],
        RuleKind::AllowIfLegacyAtLeast(l) => {
            vec![levels(names, all[l.get()..].iter().map(|x| x.name.as_str()))]
        }
        RuleKind::AllowIfPermission(permissions) => any_of(holders(model, permissions, policy.entity)),
        RuleKind::AllowIf(p) | RuleKind::DenyIf(p) => vec![format!("context.predicates{}", Cedar::attr(p))],
    };
    (!lines.is_empty()).then_some(lines)
}

/// How a section names rule `i`: `rules[2]: allow_if_permission [archive_channel]`.
fn rule_label(model: &Model, policy: &Policy, i: usize) -> String {
    format!("rules[{i}]: {}", model.rule_name(&policy.rules[i].kind))
}

/// The Cedar policy of rule `i`: it fires (`when`) and no earlier rule does (an `unless` per
/// earlier rule that can fire); `conditions` holds every rule's condition.
fn rule_policy(
    model: &Model,
    names: &Names,
    policy: &Policy,
    i: usize,
    conditions: &[Option<Vec<String>>],
) -> Option<CedarPolicy> {
    let when = conditions[i].clone()?;
    let mut clauses = vec![Clause { keyword: "when", comment: Some(rule_label(model, policy, i)), lines: when }];
    for (j, earlier) in conditions[..i].iter().enumerate() {
        if let Some(lines) = earlier {
            clauses.push(Clause {
                keyword: "unless",
                comment: Some(rule_label(model, policy, j)),
                lines: lines.clone(),
            });
        }
    }
    let kind = &policy.rules[i].kind;
    Some(CedarPolicy {
        annotations: vec![
            Annotation::new("id", format!("{} rules[{i}]", policy.name)),
            Annotation::new("policy", &policy.name),
            Annotation::new("policy_id", policy.id.to_string()),
            Annotation::new("rule", model.rule_name(kind)),
            Annotation::new("rule_index", i.to_string()),
        ],
        effect: if kind.allows() { "permit" } else { "forbid" },
        scope: vec![
            "principal,".to_string(),
            format!("action == {},", names.action(&Names::policy_action(policy))),
            format!("resource is {}", names.entity(model, policy.entity)),
        ],
        clauses,
    })
}

/// A policy's section: what it is and its rules, then one Cedar policy per rule that can fire.
fn policy_section(model: &Model, names: &Names, policy: &Policy) -> Section {
    let entity = &model.entities()[policy.entity].name;
    let mut comment = vec![format!("Policy `{}` (id {}) on `{entity}`", policy.name, policy.id)];
    comment.extend(comment_lines(&policy.description));
    comment.push("Its rules; the first that fires decides, and none firing denies (no determining policy):".into());
    comment.extend((0..policy.rules.len()).map(|i| format!("  {}", rule_label(model, policy, i))));
    let conditions: Vec<Option<Vec<String>>> =
        policy.rules.iter().map(|r| condition(model, names, policy, &r.kind)).collect();
    let mut policies = Vec::new();
    for i in 0..policy.rules.len() {
        match rule_policy(model, names, policy, i, &conditions) {
            Some(p) => policies.push(p),
            None => comment.push(format!("{} never fires: nothing is generated for it.", rule_label(model, policy, i))),
        }
    }
    Section { comment, policies }
}

impl TargetView for PoliciesView {
    const TEMPLATE: Template =
        Template { name: "cedar_policies", text: include_str!("../../../templates/cedar_policies.hbs") };

    fn new(model: &Model, _: &RenderOptions) -> Self {
        let names = Names::new(model);
        let access = (0..model.permissions().len()).map(|p| permission_section(model, &names, PermIdx::new(p)));
        let policies = model.policies().iter().map(|p| policy_section(model, &names, p));
        PoliciesView {
            project: model.project().name.clone(),
            policies: !model.policies().is_empty(),
            legacy: !model.legacy_levels().is_empty(),
            sections: access.chain(policies).collect(),
            namespace: names.namespace,
        }
    }
}
