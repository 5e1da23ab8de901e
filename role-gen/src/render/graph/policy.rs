//! A policy (SPEC section 5: ordered rules, the first that fires decides, deny when none does)
//! as a computed relation of its entity type, exactly.
//!
//! The deny rules (`deny_if_legacy`, `deny_if`) read only the request context, so the policy
//! allows exactly when
//! - a context rule that allows (`allow_if_legacy_at_least`, `allow_if`) fires with no deny
//!   rule before it firing: one **context gate**, `<policy>__context`, whose condition (CEL)
//!   runs the context rules in order; or
//! - the user holds a permission an `allow_if_permission` rule lists (and is checked on the
//!   entity) while no deny rule before that rule fires: the permission's relation, intersected
//!   with a **reach gate** `<policy>__reaches_<n>` (no gate when no deny rule comes first).
//!
//! An earlier allow rule firing allows anyway, so only earlier deny rules matter. A gate is a
//! relation holding one wildcard tuple `role_gen__policies:all#<gate>@user:*` with a condition
//! (OpenFGA) or caveat (SpiceDB) of the same name, evaluated on the check's context: `legacy`
//! (the actor's legacy level name, `""` for none) and one boolean per predicate. An unknown
//! legacy level denies: every gate that reads `legacy` first requires a known one.

use super::{Atom, Expr, Limit, helper_name};
use crate::model::{LevelIdx, Model, Policy, PolicyIdx, RuleKind};

/// The context parameter holding the actor's legacy level (its name, `""` for none).
pub const LEGACY: &str = "legacy";

/// A context parameter of a gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    /// `legacy`, a string.
    Legacy,
    /// A custom predicate, a boolean named as the predicate.
    Predicate(String),
}

impl Param {
    /// Its name in the context.
    pub fn name(&self) -> &str {
        match self {
            Param::Legacy => LEGACY,
            Param::Predicate(p) => p,
        }
    }
}

/// A condition on the request context, as one relation with one wildcard tuple.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gate {
    /// The relation's and the condition's name.
    pub name: String,
    /// What it reads, `legacy` first.
    pub params: Vec<Param>,
    /// The condition, in CEL (the same text for OpenFGA and SpiceDB).
    pub cel: String,
    /// Raw text for the comment above it.
    pub doc: Vec<String>,
}

/// A policy compiled: its relation's expression and its gates.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub policy: PolicyIdx,
    pub expr: Expr,
    pub gates: Vec<Gate>,
}

/// A condition of one rule on the context.
#[derive(Debug, Clone)]
enum Cond {
    Legacy(Vec<LevelIdx>),
    Predicate(String),
}

impl Cond {
    fn cel(&self, model: &Model) -> String {
        match self {
            Cond::Legacy(levels) => legacy_in(levels.iter().map(|&l| model.legacy_levels()[l].name.as_str())),
            Cond::Predicate(p) => p.clone(),
        }
    }
}

/// `legacy == "a"` or `legacy in ["a", "b"]` (level names are snake_case: nothing to escape).
fn legacy_in<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let quoted: Vec<String> = names.map(|n| format!("\"{n}\"")).collect();
    match quoted.as_slice() {
        [one] => format!("{LEGACY} == {one}"),
        all => format!("{LEGACY} in [{}]", all.join(", ")),
    }
}

/// Consecutive `allow_if_permission` rules with the same deny rules before them.
struct Segment {
    /// How many deny rules come before it.
    denies: usize,
    /// The index of its first rule.
    first: usize,
    /// The relations of the permissions it lists that are checked on the entity.
    permissions: Vec<String>,
}

/// The rules of a policy, sorted by what they read.
#[derive(Default)]
struct Sorted {
    /// Every context rule in order: (allows, condition, rule index).
    context: Vec<(bool, Cond, usize)>,
    /// The deny rules in order.
    denies: Vec<Cond>,
    segments: Vec<Segment>,
}

fn sort_rules(model: &Model, policy: &Policy) -> Sorted {
    let mut sorted = Sorted::default();
    for (i, rule) in policy.rules.iter().enumerate() {
        let cond = match &rule.kind {
            RuleKind::DenyIfLegacy(levels) if levels.is_empty() => continue,
            RuleKind::DenyIfLegacy(levels) => Cond::Legacy(levels.clone()),
            RuleKind::DenyIf(p) | RuleKind::AllowIf(p) => Cond::Predicate(p.clone()),
            RuleKind::AllowIfLegacyAtLeast(l) => {
                Cond::Legacy((l.get()..model.legacy_levels().len()).map(LevelIdx::new).collect())
            }
            RuleKind::AllowIfPermission(ps) => {
                let checked = ps.iter().filter(|&&p| model.permissions()[p].entities.contains(&policy.entity));
                let names: Vec<String> = checked.map(|&p| model.permissions()[p].name.clone()).collect();
                add_segment(&mut sorted, i, names);
                continue;
            }
        };
        if !rule.kind.allows() {
            sorted.denies.push(cond.clone());
        }
        sorted.context.push((rule.kind.allows(), cond, i));
    }
    sorted
}

fn add_segment(sorted: &mut Sorted, rule: usize, names: Vec<String>) {
    if names.is_empty() {
        return;
    }
    let denies = sorted.denies.len();
    match sorted.segments.last_mut() {
        Some(s) if s.denies == denies => {
            s.permissions.extend(names.into_iter().filter(|n| !s.permissions.contains(n)).collect::<Vec<_>>())
        }
        _ => sorted.segments.push(Segment { denies, first: rule, permissions: names }),
    }
}

/// Every policy, by id.
pub fn compile_all(model: &Model, limit: Limit) -> Vec<Compiled> {
    model.indexed_policies().map(|(i, _)| compile(model, i, limit)).collect()
}

fn compile(model: &Model, idx: PolicyIdx, limit: Limit) -> Compiled {
    let policy = &model.policies()[idx];
    let sorted = sort_rules(model, policy);
    let mut terms: Vec<(usize, Vec<Vec<Atom>>)> = Vec::new();
    let mut gates = Vec::new();
    if let Some((gate, first)) = context_gate(model, policy, &sorted.context, limit) {
        terms.push((first, vec![vec![Atom::Here(gate.name.clone())]]));
        gates.push(gate);
    }
    for segment in &sorted.segments {
        let gate = reach_gate(model, policy, &sorted.denies[..segment.denies], segment.first, limit);
        let with_gate = |p: &String| {
            let mut conj = vec![Atom::Here(p.clone())];
            conj.extend(gate.iter().map(|g| Atom::Here(g.name.clone())));
            conj
        };
        terms.push((segment.first, segment.permissions.iter().map(with_gate).collect()));
        gates.extend(gate);
    }
    terms.sort_by_key(|(first, _)| *first);
    Compiled { policy: idx, expr: Expr(terms.into_iter().flat_map(|(_, t)| t).collect()), gates }
}

/// The gate of the context rules: they run in order (`c ? true : …` for an allow rule,
/// `c ? false : …` for a deny rule) up to the last allow rule. `None` when no context rule
/// allows. Returns it with the index of the first rule that allows.
fn context_gate(model: &Model, policy: &Policy, rules: &[(bool, Cond, usize)], limit: Limit) -> Option<(Gate, usize)> {
    let last = rules.iter().rposition(|(allows, _, _)| *allows)?;
    let first = rules.iter().find(|(allows, _, _)| *allows).map_or(0, |(_, _, i)| *i);
    let mut cel = String::from("false");
    for (allows, cond, _) in rules[..=last].iter().rev() {
        let c = cond.cel(model);
        cel = match (allows, cel.as_str()) {
            (true, "false") => c,
            (false, "false") => "false".into(),
            (true, _) => format!("{c} ? true : {cel}"),
            (false, _) => format!("{c} ? false : {cel}"),
        };
    }
    let conds: Vec<&Cond> = rules[..=last].iter().map(|(_, c, _)| c).collect();
    let name = helper_name(&policy.name, "context", "policy", policy.id, limit);
    let listed: Vec<String> = rules[..=last].iter().map(|(_, _, i)| rule_ref(model, policy, *i)).collect();
    let doc = vec![
        format!("Policy `{}`: its rules on the request context alone, in order.", policy.name),
        format!("Rules: {}.", listed.join(", ")),
    ];
    Some((gate(model, name, &conds, cel, doc), first))
}

/// The gate saying that rule `first` is reached: none of `denies` fired. `None` without denies.
fn reach_gate(model: &Model, policy: &Policy, denies: &[Cond], first: usize, limit: Limit) -> Option<Gate> {
    if denies.is_empty() {
        return None;
    }
    let any: Vec<String> = denies.iter().map(|d| d.cel(model)).collect();
    let cel = format!("!({})", any.join(" || "));
    let suffix = format!("reaches_{}", first + 1);
    let name = helper_name(&policy.name, &suffix, "policy", policy.id, limit);
    let doc = vec![format!(
        "Policy `{}`: {} is reached (no deny rule before it fired).",
        policy.name,
        rule_ref(model, policy, first)
    )];
    Some(gate(model, name, &denies.iter().collect::<Vec<_>>(), cel, doc))
}

fn rule_ref(model: &Model, policy: &Policy, i: usize) -> String {
    format!("rule {} (`{}`)", i + 1, model.rule_name(&policy.rules[i].kind))
}

/// A gate reading what `conds` read; one that reads `legacy` first requires a known level.
fn gate(model: &Model, name: String, conds: &[&Cond], cel: String, doc: Vec<String>) -> Gate {
    let mut params: Vec<Param> = Vec::new();
    if conds.iter().any(|c| matches!(c, Cond::Legacy(_))) {
        params.push(Param::Legacy);
    }
    for c in conds {
        if let Cond::Predicate(p) = c
            && !params.contains(&Param::Predicate(p.clone()))
        {
            params.push(Param::Predicate(p.clone()));
        }
    }
    let cel = if params.first() == Some(&Param::Legacy) {
        let known = std::iter::once("").chain(model.legacy_levels().iter().map(|l| l.name.as_str()));
        format!("{} && ({cel})", legacy_in(known))
    } else {
        cel
    };
    Gate { name, params, cel, doc }
}
