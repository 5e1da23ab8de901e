//! The checks on policies (SPEC section 5), on the validated model.
//!
//! A policy's facts are independent: the actor's legacy level (or none), each permission held
//! on the entity, each custom predicate. A rule reads one of them, so whether an earlier rule
//! always decides first is a question about that one fact, answered exactly:
//!
//! - a legacy rule covers a set of levels (`deny_if_legacy` the listed ones,
//!   `allow_if_legacy_at_least` that level and every higher one); each level is caught by the
//!   first legacy rule covering it;
//! - an `allow_if_permission` rule covers its permissions; each is caught by the first
//!   permission rule listing it;
//! - an `allow_if`/`deny_if` rule covers its predicate; it is caught by the first rule on it.
//!
//! A deny rule some of whose cases are caught by an earlier allow reads as denying actors the
//! policy allows: `shadowed-deny`, an error. Any other rule all of whose cases are caught
//! earlier (or that lists nothing) never decides: `unreachable-rule`, a warning.

use std::collections::HashMap;
use std::hash::Hash;

use crate::diagnostic::{Code, Diagnostic};
use crate::model::{LevelIdx, Model, PermIdx, Policy, Rule, RuleKind};
use crate::names;
use crate::source::Span;
use crate::trust::Trust;

/// Every check on policies and predicates, on a valid model.
pub fn run(model: &Model, diags: &mut Vec<Diagnostic>) {
    run_trusted(model, &Trust::everything(), diags);
}

/// The checks on policies and predicates whose inputs `trust` vouches for (all of them in a
/// valid file; in a file with errors, those on what was read as written).
pub(crate) fn run_trusted(model: &Model, trust: &Trust, diags: &mut Vec<Diagnostic>) {
    predicates_are_not_fact_methods(model, diags);
    for policy in model.policies.iter().filter(|p| trust.policy(&p.name)) {
        let mut firsts = Firsts::default();
        for j in 0..policy.rules.len() {
            let cases = firsts.cases(model, policy, j);
            every_rule_can_decide(model, policy, j, &cases, diags);
        }
        permissions_apply_to_the_entity(model, policy, trust, diags);
    }
    if trust.predicates() {
        declared_predicates_are_used(model, diags);
    }
}

/// The facts a rule covers, on the one dimension it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Cover {
    Levels(Vec<LevelIdx>),
    Permissions(Vec<PermIdx>),
    Predicate(String),
}

fn cover(model: &Model, kind: &RuleKind) -> Cover {
    match kind {
        RuleKind::DenyIfLegacy(levels) => Cover::Levels(levels.clone()),
        RuleKind::AllowIfLegacyAtLeast(l) => {
            Cover::Levels((l.get()..model.legacy_levels.len()).map(LevelIdx::new).collect())
        }
        RuleKind::AllowIfPermission(ps) => Cover::Permissions(ps.clone()),
        RuleKind::AllowIf(p) | RuleKind::DenyIf(p) => Cover::Predicate(p.clone()),
    }
}

/// One case of a rule (a level, a permission, the predicate) and the earlier rule catching it.
struct Case {
    name: String,
    caught_by: Option<usize>,
}

/// For each fact, the first rule (so far) that covers it: a policy's rules are walked once, in
/// order, each rule's cases looked up before its own facts are recorded (linear in the rules,
/// where comparing each rule with every earlier one took seconds on 10,000 rules).
#[derive(Default)]
struct Firsts {
    levels: HashMap<LevelIdx, usize>,
    permissions: HashMap<PermIdx, usize>,
    predicates: HashMap<String, usize>,
}

impl Firsts {
    /// The cases of rule `j`, each with the first earlier rule that covers it; then rule `j`
    /// becomes the first for every fact it covers that had none.
    fn cases(&mut self, model: &Model, policy: &Policy, j: usize) -> Vec<Case> {
        match cover(model, &policy.rules[j].kind) {
            Cover::Levels(levels) => levels
                .into_iter()
                .map(|l| Case { name: model.legacy_levels[l].name.clone(), caught_by: first(&mut self.levels, l, j) })
                .collect(),
            Cover::Permissions(ps) => ps
                .into_iter()
                .map(|p| Case {
                    name: model.permissions[p].name.clone(),
                    caught_by: first(&mut self.permissions, p, j),
                })
                .collect(),
            Cover::Predicate(q) => vec![Case { caught_by: first(&mut self.predicates, q.clone(), j), name: q }],
        }
    }
}

/// The rule before `j` that covers `fact` first, if any (recording `j` when none does).
fn first<K: Eq + Hash>(firsts: &mut HashMap<K, usize>, fact: K, j: usize) -> Option<usize> {
    let first = *firsts.entry(fact).or_insert(j);
    (first < j).then_some(first)
}

/// `rule 2 (`allow_if_legacy_at_least admin`)`.
fn rule_ref(model: &Model, policy: &Policy, i: usize) -> String {
    format!("rule {} (`{}`)", i + 1, model.rule_name(&policy.rules[i].kind))
}

fn list(items: impl IntoIterator<Item = String>) -> String {
    items.into_iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
}

fn deduped(mut v: Vec<usize>) -> Vec<usize> {
    v.sort_unstable();
    v.dedup();
    v
}

// Rule: a deny rule is never overridden by an earlier allow (error), and every rule can decide
// for some actor (warning).
fn every_rule_can_decide(model: &Model, policy: &Policy, j: usize, cases: &[Case], diags: &mut Vec<Diagnostic>) {
    let rule = &policy.rules[j];
    let allowed_first: Vec<&Case> =
        cases.iter().filter(|c| c.caught_by.is_some_and(|i| policy.rules[i].kind.allows())).collect();
    if !rule.kind.allows() && !allowed_first.is_empty() {
        diags.push(shadowed_deny(model, policy, j, &allowed_first));
    } else if cases.is_empty() {
        let what = if matches!(rule.kind, RuleKind::DenyIfLegacy(_)) { "level" } else { "permission" };
        diags.push(
            unreachable(model, policy, rule, j, format!("it lists no {what}"))
                .help(format!("list at least one {what}, or remove the rule")),
        );
    } else if cases.iter().all(|c| c.caught_by.is_some()) {
        let by = deduped(cases.iter().filter_map(|c| c.caught_by).collect());
        let by = by.iter().map(|&i| rule_ref(model, policy, i)).collect::<Vec<_>>().join(" and ");
        let why = match cover(model, &rule.kind) {
            Cover::Predicate(q) => format!("whenever `{q}` holds, {by} decides first"),
            Cover::Levels(_) => format!("every level it covers is decided first by {by}"),
            Cover::Permissions(_) => format!("every permission it lists is asked first by {by}"),
        };
        diags.push(
            unreachable(model, policy, rule, j, why)
                .help("remove it, or move it above the rule that decides first: the first rule that fires decides"),
        );
    }
}

fn shadowed_deny(model: &Model, policy: &Policy, j: usize, cases: &[&Case]) -> Diagnostic {
    let rule = &policy.rules[j];
    let by = deduped(cases.iter().filter_map(|c| c.caught_by).collect());
    let by_text = by.iter().map(|&i| rule_ref(model, policy, i)).collect::<Vec<_>>().join(" and ");
    let whom = match &rule.kind {
        RuleKind::DenyIf(q) => format!("when `{q}` holds"),
        _ => list(cases.iter().map(|c| c.name.clone())),
    };
    let first = by.first().map_or(1, |i| i + 1);
    Diagnostic::new(
        Code::ShadowedDeny,
        rule.span.clone(),
        format!(
            "policy `{}`: rule {} (`{}`) never denies {whom}: {by_text} allows first",
            policy.name,
            j + 1,
            model.rule_name(&rule.kind)
        ),
    )
    .label("overridden by an earlier allow")
    .help(format!("the first rule that fires decides: move this deny above rule {first}"))
}

fn unreachable(model: &Model, policy: &Policy, rule: &Rule, j: usize, why: String) -> Diagnostic {
    Diagnostic::new(
        Code::UnreachableRule,
        rule.span.clone(),
        format!("policy `{}`: rule {} (`{}`) never decides: {why}", policy.name, j + 1, model.rule_name(&rule.kind)),
    )
    .label("never fires first")
}

// Warning: a permission a policy asks about is checked against the policy's entity type or an
// entity type containing it (a channel policy may ask for a workspace permission, checked on
// the channel's workspace; a workspace policy cannot ask for a channel-only permission).
fn permissions_apply_to_the_entity(model: &Model, policy: &Policy, trust: &Trust, diags: &mut Vec<Diagnostic>) {
    let entity = &model.entities[policy.entity].name;
    for rule in &policy.rules {
        let RuleKind::AllowIfPermission(ps) = &rule.kind else { continue };
        for &p in ps {
            let perm = &model.permissions[p];
            if !trust.policy_entities(&policy.name, &perm.name)
                || perm.entities.iter().any(|&e| model.is_within(policy.entity, e))
            {
                continue;
            }
            let applies = list(perm.entities.iter().map(|&e| model.entities[e].name.clone()));
            diags.push(
                Diagnostic::new(
                    Code::InapplicablePermission,
                    rule.span.clone(),
                    format!(
                        "policy `{}` on `{entity}` asks for permission `{}`, which is checked only against {applies}",
                        policy.name, perm.name
                    ),
                )
                .label(format!("not checked on a `{entity}` or anything containing it"))
                .help(format!(
                    "add `{entity}` (or an entity containing it) to the `entities` of `{}`, or ask for a permission \
                     that applies here",
                    perm.name
                )),
            );
        }
    }
}

// Warning: a declared `[predicates.NAME]` is asked about by some policy.
fn declared_predicates_are_used(model: &Model, diags: &mut Vec<Diagnostic>) {
    let used = model.used_predicates();
    for decl in model.predicates.iter().filter(|d| !used.contains(&d.name.as_str())) {
        diags.push(
            Diagnostic::new(
                Code::UnusedPredicate,
                decl.span.clone(),
                format!("predicate `{}` is declared but no policy asks about it", decl.name),
            )
            .label("used by no rule")
            .help(format!(
                "use it in a policy rule (`{{ allow_if = \"{}\" }}` or `deny_if`), or remove `[predicates.{}]`",
                decl.name, decl.name
            )),
        );
    }
}

// Rule: a predicate does not become a method the generated `PolicyFacts` trait already has, nor
// the method of another predicate. (Names are snake_case and none ends in `_`, so `rust_fn`
// keeps distinct names apart; the second half guards that reasoning.)
fn predicates_are_not_fact_methods(model: &Model, diags: &mut Vec<Diagnostic>) {
    let first = first_mentions(model);
    for &(name, span) in first.iter().filter(|(n, _)| names::FACT_METHODS.contains(n)) {
        diags.push(
            Diagnostic::new(
                Code::IdentifierCollision,
                span.clone(),
                format!(
                    "predicate `{name}` becomes the Rust method `{name}`, which the `PolicyFacts` trait already has"
                ),
            )
            .label("a method of the generated trait")
            .help(format!("rename the predicate: {} are taken", list(names::FACT_METHODS.map(String::from)))),
        );
    }
    let names: Vec<&str> = first.iter().map(|(n, _)| *n).collect();
    for (a, b) in method_collisions(&names) {
        let span = first.iter().find(|(n, _)| *n == b).map(|(_, s)| (*s).clone()).unwrap_or_default();
        let method = names::rust_fn(b);
        diags.push(
            Diagnostic::new(
                Code::IdentifierCollision,
                span,
                format!("predicates `{b}` and `{a}` both become the Rust method `{method}`"),
            )
            .label(format!("also `{method}`"))
            .help("rename one of them: role-gen never renames silently"),
        );
    }
}

/// Every predicate, asked or declared, with where the file first mentions it, in file order.
fn first_mentions(model: &Model) -> Vec<(&str, &Span)> {
    let mut uses: Vec<(&str, &Span)> = model
        .policies
        .iter()
        .flat_map(|p| p.rules.iter().filter_map(|r| r.kind.predicate().map(|q| (q, &r.span))))
        .chain(model.predicates.iter().map(|d| (d.name.as_str(), &d.span)))
        .collect();
    uses.sort_by_key(|(_, span)| span.start);
    let mut first: Vec<(&str, &Span)> = Vec::new();
    for (name, span) in uses {
        if !first.iter().any(|(n, _)| *n == name) {
            first.push((name, span));
        }
    }
    first
}

/// Pairs of distinct names (earlier, later) whose Rust methods are the same.
fn method_collisions<'a>(names: &[&'a str]) -> Vec<(&'a str, &'a str)> {
    let mut seen: Vec<(String, &str)> = Vec::new();
    let mut out = Vec::new();
    for &name in names {
        let method = names::rust_fn(name);
        match seen.iter().find(|(m, n)| *m == method && *n != name) {
            Some((_, earlier)) => out.push((*earlier, name)),
            None => seen.push((method, name)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::model::{Facts, LevelIdx, Model, PermIdx, PermSet, Policy};

    /// The codes (with 1-based lines) a file with these policy rules gets.
    fn codes(rules: &str, extra: &str) -> Vec<(String, usize)> {
        let text = format!(
            "[project]\nname = \"x\"\n\n[entities.workspace]\ndescription = \"W\"\n\n[entities.channel]\n\
             description = \"C\"\nparent = \"workspace\"\n\n[permissions.a]\nid = 1\ndescription = \"A\"\n\
             entities = [\"channel\"]\n\n[permissions.b]\nid = 2\ndescription = \"B\"\nentities = [\"workspace\"]\n\n\
             [roles.r]\nid = 1\ndescription = \"R\"\npermissions = [\"a\", \"b\"]\n\n[legacy]\n\
             levels = [\"guest\", \"member\", \"admin\"]\n\n[policies.p]\nid = 1\ndescription = \"P\"\nentity = \"channel\"\n\
             rules = [\n{rules}\n]\n{extra}"
        );
        let diagnostics = match crate::validate_text("roles.toml", &text) {
            Ok(project) => project.diagnostics().clone(),
            Err(d) => d,
        };
        diagnostics.iter().map(|d| (d.code.as_str().to_string(), diagnostics.position(d).0 - 33)).collect()
    }

    fn one(code: &str, rule_line: usize) -> Vec<(String, usize)> {
        vec![(code.to_string(), rule_line)]
    }

    #[test]
    fn the_slack_order_is_clean() {
        let rules = "{ deny_if_legacy = [\"guest\"] },\n{ deny_if = \"general\" },\n\
                     { allow_if_legacy_at_least = \"admin\" },\n{ allow_if_permission = \"a\" },\n{ allow_if = \"mine\" },";
        assert_eq!(codes(rules, ""), vec![]);
    }

    #[test]
    fn allows_before_denies_on_other_facts_are_a_choice_not_a_mistake() {
        let rules = "{ allow_if_permission = \"a\" },\n{ deny_if_legacy = [\"guest\"] },\n{ allow_if = \"q\" },\n\
                     { deny_if = \"r\" },";
        assert_eq!(codes(rules, ""), vec![]);
    }

    #[test]
    fn a_deny_partly_overridden_by_an_earlier_allow_is_an_error() {
        let rules = "{ allow_if_legacy_at_least = \"member\" },\n{ deny_if_legacy = [\"guest\", \"admin\"] },";
        assert_eq!(codes(rules, ""), one("shadowed-deny", 2));
        let rules = "{ allow_if = \"q\" },\n{ deny_if = \"q\" },";
        assert_eq!(codes(rules, ""), one("shadowed-deny", 2));
    }

    #[test]
    fn rules_caught_entirely_by_earlier_rules_never_decide() {
        let cases = [
            "{ deny_if_legacy = [\"guest\"] },\n{ deny_if_legacy = [\"guest\"] },",
            "{ deny_if_legacy = [\"admin\"] },\n{ allow_if_legacy_at_least = \"admin\" },",
            "{ allow_if_legacy_at_least = \"guest\" },\n{ allow_if_legacy_at_least = \"member\" },",
            "{ allow_if_permission = [\"a\", \"b\"] },\n{ allow_if_permission = \"b\" },",
            "{ deny_if = \"q\" },\n{ allow_if = \"q\" },",
            "{ allow_if = \"q\" },\n{ allow_if = \"q\" },",
            "{ deny_if = \"q\" },\n{ deny_if = \"q\" },",
        ];
        for rules in cases {
            assert_eq!(codes(rules, ""), one("unreachable-rule", 2), "{rules}");
        }
    }

    #[test]
    fn rules_listing_nothing_never_fire() {
        assert_eq!(codes("{ deny_if_legacy = [] },", ""), one("unreachable-rule", 1));
        assert_eq!(codes("{ allow_if_permission = [] },", ""), one("unreachable-rule", 1));
    }

    #[test]
    fn a_lowest_level_allow_still_leaves_actors_without_a_level() {
        let rules = "{ allow_if_legacy_at_least = \"guest\" },\n{ allow_if_permission = \"a\" },\n{ deny_if = \"q\" },";
        assert_eq!(codes(rules, ""), vec![]);
    }

    #[test]
    fn permissions_must_apply_to_the_entity_or_one_containing_it() {
        // `b` is checked on workspaces, which contain channels: fine for a channel policy.
        assert_eq!(codes("{ allow_if_permission = \"b\" },", ""), vec![]);
        let text = "\n[policies.w]\nid = 2\ndescription = \"W\"\nentity = \"workspace\"\nrules = [{ allow_if_permission = \"a\" }]\n";
        assert_eq!(codes("{ allow_if_permission = \"a\" },", text), one("inapplicable-permission", 8));
    }

    #[test]
    fn two_predicates_never_share_a_method() {
        // `self_` and `r#type` are not valid names, so these pairs cannot occur in a file; the
        // guard catches them all the same.
        assert_eq!(
            super::method_collisions(&["self", "self_", "type", "r#type"]),
            vec![("self", "self_"), ("type", "r#type")]
        );
        assert!(super::method_collisions(&["self", "super", "crate", "type", "gen", "union"]).is_empty());
    }

    #[test]
    fn declared_predicates_must_be_used_and_not_named_like_fact_methods() {
        let used = "\n[predicates.q]\ndescription = \"Q\"\n";
        assert_eq!(codes("{ allow_if = \"q\" },", used), vec![]);
        assert_eq!(codes("{ allow_if = \"r\" },", used), one("unused-predicate", 4));
        let clash = "\n[predicates.legacy_level]\ndescription = \"L\"\n";
        let found = codes("{ allow_if = \"q\" },", clash);
        assert!(found.contains(&("identifier-collision".to_string(), 4)), "{found:?}");
    }

    /// Every fact assignment: legacy (none or a level) × permissions held × predicates `q`, `r`.
    fn all_facts(model: &Model) -> Vec<(Option<LevelIdx>, PermSet, [bool; 2])> {
        let mut out = Vec::new();
        for legacy in std::iter::once(None).chain((0..model.legacy_levels.len()).map(|l| Some(LevelIdx::new(l)))) {
            for held in 0..4u8 {
                let mut set = PermSet::with_capacity(2);
                (0..2).filter(|b| held & (1 << b) != 0).for_each(|b| set.insert(PermIdx::new(b)));
                for preds in 0..4u8 {
                    out.push((legacy, set.clone(), [preds & 1 != 0, preds & 2 != 0]));
                }
            }
        }
        out
    }

    fn decide(policy: &Policy, facts: &(Option<LevelIdx>, PermSet, [bool; 2])) -> Option<usize> {
        let lookup = |name: &str| match name {
            "q" => facts.2[0],
            "r" => facts.2[1],
            _ => false,
        };
        policy.evaluate(&Facts { legacy: facts.0, permissions: &facts.1, predicate: &lookup }).rule
    }

    /// Whether rule `j` fires for `facts`, every other fact at rest: only its own dimension set.
    fn at_rest_but_own(policy: &Policy, j: usize, facts: &(Option<LevelIdx>, PermSet, [bool; 2])) -> bool {
        use crate::model::RuleKind::*;
        let own = &policy.rules[j].kind;
        let legacy_rest = !matches!(own, DenyIfLegacy(_) | AllowIfLegacyAtLeast(_)) && facts.0.is_some();
        let perms_rest = !matches!(own, AllowIfPermission(_)) && !facts.1.is_empty();
        let q_rest = own.predicate() != Some("q") && facts.2[0];
        let r_rest = own.predicate() != Some("r") && facts.2[1];
        !(legacy_rest || perms_rest || q_rest || r_rest)
    }

    /// The checks agree with brute force over every fact assignment, for every policy of up to
    /// three rules drawn from a small alphabet: a rule gets `unreachable-rule` exactly when it
    /// never decides (and is not a shadowed deny); a deny gets `shadowed-deny` exactly when,
    /// with only its own fact set, an earlier allow fires first where it would have fired.
    #[test]
    fn the_analysis_is_exact() {
        let alphabet = [
            "{ deny_if_legacy = [\"guest\"] }",
            "{ deny_if_legacy = [\"guest\", \"admin\"] }",
            "{ allow_if_legacy_at_least = \"guest\" }",
            "{ allow_if_legacy_at_least = \"member\" }",
            "{ allow_if_permission = \"a\" }",
            "{ allow_if_permission = [\"a\", \"b\"] }",
            "{ allow_if = \"q\" }",
            "{ deny_if = \"q\" }",
            "{ allow_if = \"r\" }",
        ];
        let n = alphabet.len();
        for code in 0..(n * n * n + n * n + n) {
            let (len, mut k) = if code < n {
                (1, code)
            } else if code < n + n * n {
                (2, code - n)
            } else {
                (3, code - n - n * n)
            };
            let mut picked = Vec::new();
            for _ in 0..len {
                picked.push(alphabet[k % n]);
                k /= n;
            }
            let rules = picked.join(",\n");
            let text = format!(
                "[project]\nname = \"x\"\n[entities.channel]\ndescription = \"C\"\n[permissions.a]\nid = 1\n\
                 description = \"A\"\n[permissions.b]\nid = 2\ndescription = \"B\"\n[roles.r]\nid = 1\n\
                 description = \"R\"\npermissions = [\"a\", \"b\"]\n[legacy]\nlevels = [\"guest\", \"member\", \"admin\"]\n\
                 [policies.p]\nid = 1\ndescription = \"P\"\nentity = \"channel\"\nrules = [\n{rules}\n]\n"
            );
            let mut found = Vec::new();
            let file = crate::syntax::parse(&text, &mut found);
            let model = crate::lower::lower(&file, "roles.toml", &mut found).finish();
            super::run(&model, &mut found);
            let source = crate::SourceFile::new("roles.toml", text.as_str());
            let line = |d: &crate::Diagnostic| d.span.as_ref().map_or(0, |s| source.line_col(s.start).0);
            let policy = &model.policies[0];
            let facts = all_facts(&model);
            let first_line = 22;
            for j in 0..policy.rules.len() {
                let decides = facts.iter().any(|f| decide(policy, f) == Some(j));
                let shadowed = !policy.rules[j].kind.allows()
                    && facts.iter().any(|f| {
                        at_rest_but_own(policy, j, f)
                            && policy.rules[j].decide(&Facts {
                                legacy: f.0,
                                permissions: &f.1,
                                predicate: &|n| (n == "q" && f.2[0]) || (n == "r" && f.2[1]),
                            }) == Some(false)
                            && decide(policy, f).is_some_and(|i| i < j && policy.rules[i].kind.allows())
                    });
                let has = |code: &str| found.iter().any(|d| d.code.as_str() == code && line(d) == first_line + j);
                assert_eq!(has("shadowed-deny"), shadowed, "shadowed-deny at rule {}:\n{rules}", j + 1);
                assert_eq!(
                    has("unreachable-rule"),
                    !decides && !shadowed,
                    "unreachable-rule at rule {}:\n{rules}",
                    j + 1
                );
            }
        }
    }
}
