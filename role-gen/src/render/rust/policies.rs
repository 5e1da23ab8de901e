//! The policies of roles.rs: the `Policy` enum's rows, each policy's evaluator (a Rust condition
//! per rule) and the `PolicyFacts` trait the evaluators ask.

use serde::Serialize;

use super::{Rust, RustVariant};
use crate::model::{LevelIdx, Model, Policy, RuleKind};
use crate::render::common::{RuleView, comment_block, joined, predicate_doc, rules};

/// A policy as the Rust evaluator spells it.
#[derive(Serialize)]
pub struct RustPolicy {
    #[serde(flatten)]
    head: RustVariant,
    /// Its stable id: the enum's discriminant.
    id: u32,
    entity: String,
    /// `evaluate_<name>`: the public evaluator of this policy.
    evaluate_fn: String,
    /// `rules_<name>`: the rules, generic over whether permission rules run.
    rules_fn: String,
    rule_names: String,
    /// Rules that can fire (one with an empty list never does and emits no code).
    rules: Vec<RuleView>,
}

impl RustPolicy {
    pub fn new(model: &Model, policy: &Policy) -> Self {
        RustPolicy {
            head: RustVariant::new(&policy.name, &policy.description),
            id: policy.id,
            entity: Rust::path("EntityType", &model.entities()[policy.entity].name),
            evaluate_fn: format!("evaluate_{}", policy.name),
            rules_fn: format!("rules_{}", policy.name),
            rule_names: joined(&policy.rules, |r| Rust::quoted(&model.rule_name(&r.kind))),
            rules: rules(model, policy, condition, Rust::str),
        }
    }
}

/// The Rust condition under which a rule fires; `None` for a rule that never can (an empty list).
fn condition(model: &Model, kind: &RuleKind) -> Option<String> {
    let level = |l: LevelIdx| Rust::path("LegacyRole", &model.legacy_levels()[l].name);
    let legacy = "PolicyFacts::legacy_level(facts)";
    let some = "::core::option::Option::Some";
    Some(match kind {
        RuleKind::DenyIfLegacy(levels) if levels.is_empty() => return None,
        RuleKind::DenyIfLegacy(levels) => {
            let levels: Vec<String> = levels.iter().map(|&l| level(l)).collect();
            format!("::core::matches!({legacy}, {some}({}))", levels.join(" | "))
        }
        RuleKind::AllowIfLegacyAtLeast(l) => {
            format!("::core::matches!({legacy}, {some}(level) if level >= {})", level(*l))
        }
        RuleKind::AllowIfPermission(ps) if ps.is_empty() => return None,
        RuleKind::AllowIfPermission(ps) => {
            let asks: Vec<String> = ps
                .iter()
                .map(|&p| {
                    format!(
                        "PolicyFacts::has_permission(facts, {})",
                        Rust::path("Permission", &model.permissions()[p].name)
                    )
                })
                .collect();
            format!("WITH_PERMISSIONS && ({})", asks.join(" || "))
        }
        RuleKind::AllowIf(q) | RuleKind::DenyIf(q) => format!("PolicyFacts::{}(facts)", Rust::function(q)),
    })
}

/// The `PolicyFacts` trait: what the policies need, one method per custom predicate.
#[derive(Serialize)]
pub struct RustFacts {
    /// Whether a policy reads the legacy level (then `legacy_level` is a method).
    pub legacy: bool,
    /// Whether a policy asks about a permission (then `has_permission` is a method).
    pub permissions: bool,
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
    pub fn new(model: &Model) -> Self {
        RustFacts {
            legacy: model.policies().iter().any(Policy::uses_legacy),
            permissions: model.policies().iter().any(Policy::uses_permissions),
            predicates: model.used_predicates().into_iter().map(|q| RustPredicate::new(model, q)).collect(),
        }
    }
}

impl RustPredicate {
    fn new(model: &Model, name: &str) -> Self {
        let doc = predicate_doc(model, name);
        RustPredicate {
            name: name.to_string(),
            method: Rust::function(name),
            doc: doc.iter().map(|l| Rust::str(l)).collect(),
            comment: comment_block(&doc),
        }
    }
}
