//! The policies of roles.rs: the `Policy` enum's rows and table, each policy's rules (a method
//! of the generated `Rules`, one condition per rule) and the `PolicyFacts` trait they ask.

use serde::Serialize;

use super::layout::{self, Expr, TAB};
use super::{Rust, RustNumbered};
use crate::model::{LevelIdx, Model, PermIdx, Policy, RuleKind};
use crate::render::common::{RuleView, comment_block, predicate_doc, rules};

/// A policy as the Rust evaluator spells it.
#[derive(Serialize)]
pub struct RustPolicy {
    #[serde(flatten)]
    head: RustNumbered,
    /// `policy_<name>`: the method of `Rules` that runs its rules.
    method: String,
    /// The arm of `Policy::run` that calls it.
    run_arm: String,
    /// The signature of the public `evaluate_<name>`, without its where clause.
    evaluate_signature: String,
    /// Rules that can fire (one with an empty list never does and emits no code).
    rules: Vec<RuleView>,
}

impl RustPolicy {
    pub fn new(model: &Model, index: usize, policy: &Policy) -> Self {
        let method = format!("policy_{}", policy.name);
        let variant = Rust::path("Self", &policy.name);
        RustPolicy {
            head: RustNumbered::new(index, policy.id, &policy.name, &policy.description),
            run_arm: layout::arm(&variant, &Expr::atom(format!("rules.{method}()")), 3 * TAB),
            evaluate_signature: layout::signature(
                &format!("pub fn evaluate_{}<F>", policy.name),
                "facts: &F",
                " -> Decision",
            ),
            method,
            rules: rules(model, policy, condition, Rust::str),
        }
    }
}

/// `const POLICY_TABLE: [PolicyInfo; n] = […];`: each policy's name, description, entity type
/// and rule names.
pub fn table(model: &Model) -> String {
    let rows: Vec<Vec<(&str, Expr)>> = model
        .policies()
        .iter()
        .map(|p| {
            let names = p.rules.iter().map(|r| Expr::atom(Rust::quoted(&model.rule_name(&r.kind)))).collect();
            vec![
                ("name", Expr::atom(Rust::quoted(&p.name))),
                ("description", Expr::atom(Rust::quoted(&p.description))),
                ("entity", Expr::atom(Rust::path("EntityType", &model.entities()[p.entity].name))),
                ("rule_names", Expr::slice(names)),
            ]
        })
        .collect();
    layout::table(&format!("const POLICY_TABLE: [PolicyInfo; {}]", rows.len()), "PolicyInfo", &rows)
}

/// `if condition {`, the condition under which a rule fires a call on `self` (the policy's
/// `Rules`), laid out where it stands; `None` for a rule that never can (an empty list).
fn condition(model: &Model, kind: &RuleKind) -> Option<String> {
    let level = |l: LevelIdx| Expr::atom(Rust::path("LegacyRole", &model.legacy_levels()[l].name));
    let permission = |p: PermIdx| Expr::atom(Rust::path("Permission", &model.permissions()[p].name));
    let expr = match kind {
        RuleKind::DenyIfLegacy(levels) if levels.is_empty() => return None,
        RuleKind::DenyIfLegacy(levels) => {
            Expr::method("self", "legacy_in", Expr::slice(levels.iter().map(|&l| level(l)).collect()))
        }
        RuleKind::AllowIfLegacyAtLeast(l) => Expr::method("self", "legacy_at_least", level(*l)),
        RuleKind::AllowIfPermission(ps) if ps.is_empty() => return None,
        RuleKind::AllowIfPermission(ps) => {
            Expr::method("self", "any_permission", Expr::slice(ps.iter().map(|&p| permission(p)).collect()))
        }
        RuleKind::AllowIf(q) | RuleKind::DenyIf(q) => Expr::atom(format!("PolicyFacts::{}(self.0)", Rust::function(q))),
    };
    Some(layout::if_head(&expr, 2 * TAB))
}

/// `todo!("answer the predicate `name`")` in a method body: rustfmt breaks the macro's one
/// argument onto a line of its own (no trailing comma, as in a macro call) when it is too long.
fn scaffold_todo(name: &str) -> String {
    let message = format!("\"answer the predicate `{name}`\"");
    if 2 * TAB + "todo!()".len() + message.len() <= 100 {
        format!("todo!({message})")
    } else {
        format!("todo!(\n{}{message}\n{})", " ".repeat(3 * TAB), " ".repeat(2 * TAB))
    }
}

/// The `PolicyFacts` trait: what the policies need, one method per custom predicate.
#[derive(Serialize)]
pub struct RustFacts {
    /// Whether a policy reads the legacy level (then `legacy_level` is a method).
    pub legacy: bool,
    /// Whether a policy asks about a permission (then `has_permission` is a method).
    pub permissions: bool,
    /// Whether the trait has a method at all (no rule that can fire asks anything otherwise).
    pub methods: bool,
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
    /// Whether a blank line separates it from what comes before it in the trait.
    blank_before: bool,
    /// The scaffold's body of its method: `todo!("answer the predicate `name`")`, laid out.
    todo: String,
}

impl RustFacts {
    pub fn new(model: &Model) -> Self {
        RustFacts {
            legacy: model.policies_use_legacy(),
            permissions: model.policies_use_permissions(),
            predicates: Vec::new(),
            methods: false,
        }
        .with_predicates(model)
    }

    /// Adds a method per custom predicate, each after a blank line unless it comes first.
    fn with_predicates(mut self, model: &Model) -> Self {
        let mut blank_before = self.legacy || self.permissions;
        for q in model.used_predicates() {
            self.predicates.push(RustPredicate { blank_before, ..RustPredicate::new(model, q) });
            blank_before = true;
        }
        self.methods = self.legacy || self.permissions || !self.predicates.is_empty();
        self
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
            blank_before: true,
            todo: scaffold_todo(name),
        }
    }
}
