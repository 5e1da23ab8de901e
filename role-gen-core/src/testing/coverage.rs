//! `role-gen test --coverage`: what the `[[tests]]` leave unexercised, read from the outcomes of
//! the same run (the deciding rule and the predicates read are known there). Pure data; the
//! CLI renders it as text, JSON or lcov.
//!
//! What counts, kept to rules a reviewer can check by reading the tests:
//!
//! - a **role** is exercised by a test that holds it: names it in `role`, `roles` or an
//!   `assign` entry (role and policy tests alike). A role only included by a held role is not:
//!   that test checks the including role; the included one's own answers (alone, where it may
//!   be assigned) stay unchecked. `covers` names a role as a yardstick, and does not hold it;
//! - a **permission** is asserted by a test listing it in `allow` or `deny`;
//! - a **policy rule** is covered by a policy test it decides; each policy also has its
//!   **default deny** (no rule fires), covered by a test that no rule decides, since "none of
//!   the rules applies" is a case as real as any rule;
//! - a **predicate** is covered when some test's evaluation read it true and some read it
//!   false. Read means a rule asking about it was reached: a value set on a test that an
//!   earlier rule decides was never looked at, and counts for nothing.

use std::collections::HashMap;

use crate::model::{Model, PermIdx, PolicyIdx, RoleIdx, TestCase, TestKind};
use crate::source::Span;

use super::Outcome;

/// The four kinds of thing tests should exercise, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Roles,
    Permissions,
    Rules,
    Predicates,
}

impl Kind {
    /// Every kind, in report order.
    pub const ALL: [Kind; 4] = [Kind::Roles, Kind::Permissions, Kind::Rules, Kind::Predicates];

    /// Its name in reports (`--format json` keys).
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Roles => "roles",
            Kind::Permissions => "permissions",
            Kind::Rules => "rules",
            Kind::Predicates => "predicates",
        }
    }
}

/// What one item is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Role(RoleIdx),
    Permission(PermIdx),
    /// A policy's rule (0-based index), or `None`: its default deny.
    Rule {
        policy: PolicyIdx,
        rule: Option<usize>,
    },
    Predicate(String),
}

impl Subject {
    /// The kind it is counted under.
    pub const fn kind(&self) -> Kind {
        match self {
            Subject::Role(_) => Kind::Roles,
            Subject::Permission(_) => Kind::Permissions,
            Subject::Rule { .. } => Kind::Rules,
            Subject::Predicate(_) => Kind::Predicates,
        }
    }
}

/// The tests (indices into `Model::tests`, in file order) that exercise an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hits {
    /// A role: the tests holding it; a permission: asserting it; a rule: that it decides.
    By(Vec<usize>),
    /// A predicate: the tests whose evaluation read it true, and those that read it false.
    Read { when_true: Vec<usize>, when_false: Vec<usize> },
}

/// One thing tests should exercise, where it is declared, and the tests that do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub subject: Subject,
    /// Its declaration: a role's or permission's name in its header, a rule, a policy's name
    /// (its default deny), a predicate's `[predicates.NAME]` (else the first rule asking it).
    pub span: Span,
    pub hits: Hits,
}

impl Item {
    /// Whether the tests exercise it (a predicate: both ways).
    pub fn covered(&self) -> bool {
        match &self.hits {
            Hits::By(tests) => !tests.is_empty(),
            Hits::Read { when_true, when_false } => !when_true.is_empty() && !when_false.is_empty(),
        }
    }

    /// The tests holding the role, asserting the permission or decided by the rule (none for
    /// a predicate: see [`Item::readings`]).
    pub fn tests(&self) -> &[usize] {
        match &self.hits {
            Hits::By(tests) => tests,
            Hits::Read { .. } => &[],
        }
    }

    /// A predicate's readings: the tests that read it true, and false.
    pub fn readings(&self) -> Option<(&[usize], &[usize])> {
        match &self.hits {
            Hits::By(_) => None,
            Hits::Read { when_true, when_false } => Some((when_true, when_false)),
        }
    }

    /// How many times it is exercised, as lcov counts a line: the tests that do (a predicate:
    /// the fewer of its true and false readings, so 0 until both happen).
    pub fn count(&self) -> usize {
        match &self.hits {
            Hits::By(tests) => tests.len(),
            Hits::Read { when_true, when_false } => when_true.len().min(when_false.len()),
        }
    }
}

/// Covered out of total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    pub covered: usize,
    pub total: usize,
}

impl Tally {
    /// The percentage in tenths, rounded down, so that 100.0% means every item is covered.
    /// Nothing to cover is 100%.
    pub fn tenths(self) -> usize {
        match self.total {
            0 => 1000,
            total => self.covered * 1000 / total,
        }
    }

    /// Whether the percentage is at least `percent` (the unrounded figure, not [`Tally::tenths`]).
    pub fn meets(self, percent: f64) -> bool {
        self.covered as f64 * 100.0 >= percent * self.total as f64
    }
}

/// What the tests exercise: every item of every kind, in report order (roles and permissions
/// by id, each policy's rules then its default deny, predicates in order of first use).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    pub items: Vec<Item>,
}

impl Coverage {
    /// The items of one kind.
    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(move |i| i.subject.kind() == kind)
    }

    /// Covered and total items of one kind.
    pub fn tally(&self, kind: Kind) -> Tally {
        tally(self.of_kind(kind))
    }

    /// Covered and total items of every kind together.
    pub fn overall(&self) -> Tally {
        tally(self.items.iter())
    }

    /// The kinds whose percentage is below `percent`: `--min-coverage` holds each kind to it,
    /// so full permission coverage cannot hide untested rules.
    pub fn below(&self, percent: f64) -> Vec<Kind> {
        Kind::ALL.into_iter().filter(|&k| !self.tally(k).meets(percent)).collect()
    }
}

fn tally<'a>(items: impl Iterator<Item = &'a Item>) -> Tally {
    items.fold(Tally::default(), |t, i| Tally { covered: t.covered + usize::from(i.covered()), total: t.total + 1 })
}

/// The coverage of `model`'s items by the outcomes of [`super::run`] on it.
pub fn of(model: &Model, outcomes: &[Outcome]) -> Coverage {
    let mut roles = vec![Vec::new(); model.roles.len()];
    let mut permissions = vec![Vec::new(); model.permissions.len()];
    let mut rules: Vec<Vec<Vec<usize>>> = model.policies.iter().map(|p| vec![Vec::new(); p.rules.len() + 1]).collect();
    let mut predicates = Predicates::of(model);
    for outcome in outcomes {
        let (i, test) = (outcome.test, &model.tests[outcome.test]);
        for r in held(test) {
            add(&mut roles[r.get()], i);
        }
        if let TestKind::Access { allow, deny, .. } = &test.kind {
            for p in allow.iter().chain(deny) {
                add(&mut permissions[p.get()], i);
            }
        }
        if let (TestKind::Policy { policy, .. }, Some(evaluation)) = (&test.kind, &outcome.evaluation) {
            let decided = &mut rules[policy.get()];
            let at = evaluation.decision.rule.unwrap_or(decided.len() - 1);
            add(&mut decided[at], i);
            for (name, value) in &evaluation.read {
                predicates.read(name, *value, i);
            }
        }
    }
    let mut items: Vec<Item> = Vec::new();
    items.extend(model.indexed_roles().map(|(r, role)| item(Subject::Role(r), &role.span, &mut roles[r.get()])));
    items.extend(
        model
            .indexed_permissions()
            .map(|(p, perm)| item(Subject::Permission(p), &perm.span, &mut permissions[p.get()])),
    );
    for ((p, policy), decided) in model.indexed_policies().zip(&mut rules) {
        let spans = policy.rules.iter().map(|r| &r.span).chain([&policy.span]);
        for (j, (span, tests)) in spans.zip(decided).enumerate() {
            let rule = (j < policy.rules.len()).then_some(j);
            items.push(item(Subject::Rule { policy: p, rule }, span, tests));
        }
    }
    items.extend(predicates.into_items());
    Coverage { items }
}

/// The roles a test holds: together, or through its assignments.
fn held(test: &TestCase) -> Vec<RoleIdx> {
    let mut roles = test.roles.clone();
    roles.extend(test.placement.iter().flat_map(|p| p.assignments.iter().map(|a| a.role)));
    roles.sort_unstable();
    roles.dedup();
    roles
}

/// Notes test `i` once (tests are visited in order, so a repeat is the last entry).
fn add(tests: &mut Vec<usize>, i: usize) {
    if tests.last() != Some(&i) {
        tests.push(i);
    }
}

fn item(subject: Subject, span: &Span, tests: &mut Vec<usize>) -> Item {
    Item { subject, span: span.clone(), hits: Hits::By(std::mem::take(tests)) }
}

/// Every predicate a policy asks about, with where it is declared and how tests read it.
struct Predicates {
    /// (name, span, read true, read false), in order of first use.
    entries: Vec<(String, Span, Vec<usize>, Vec<usize>)>,
    /// Name -> position in `entries`.
    index: HashMap<String, usize>,
}

impl Predicates {
    fn of(model: &Model) -> Predicates {
        let places = places(model);
        let entries = model
            .used_predicates()
            .into_iter()
            .map(|name| (name.to_string(), places.get(name).cloned().unwrap_or_default(), Vec::new(), Vec::new()))
            .collect::<Vec<_>>();
        let index = entries.iter().enumerate().map(|(i, e)| (e.0.clone(), i)).collect();
        Predicates { entries, index }
    }

    fn read(&mut self, name: &str, value: bool, test: usize) {
        if let Some((_, _, when_true, when_false)) = self.index.get(name).map(|&i| &mut self.entries[i]) {
            add(if value { when_true } else { when_false }, test);
        }
    }

    fn into_items(self) -> impl Iterator<Item = Item> {
        self.entries.into_iter().map(|(name, span, when_true, when_false)| Item {
            subject: Subject::Predicate(name),
            span,
            hits: Hits::Read { when_true, when_false },
        })
    }
}

/// Where each predicate is shown: its `[predicates.NAME]`, else the first rule in the file
/// asking about it (one pass over the rules: a file may hold thousands).
fn places(model: &Model) -> HashMap<&str, Span> {
    let mut places: HashMap<&str, Span> = HashMap::new();
    for rule in model.policies.iter().flat_map(|p| &p.rules) {
        let Some(name) = rule.kind.predicate() else { continue };
        let place = places.entry(name).or_insert_with(|| rule.span.clone());
        if rule.span.start < place.start {
            *place = rule.span.clone();
        }
    }
    for decl in &model.predicates {
        places.insert(&decl.name, decl.span.clone());
    }
    places
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::run;

    /// A file with two roles (`admin` includes `viewer`), three permissions, one policy asking
    /// two predicates; `tests` appended.
    fn model(tests: &str) -> Model {
        let text = format!(
            "[project]\nname = \"x\"\n\n[entities.doc]\ndescription = \"D\"\n\n\
             [permissions.read]\nid = 1\ndescription = \"R\"\n\n[permissions.edit]\nid = 2\ndescription = \"E\"\n\n\
             [permissions.share]\nid = 3\ndescription = \"S\"\n\n\
             [roles.viewer]\nid = 1\ndescription = \"V\"\npermissions = [\"read\"]\n\n\
             [roles.admin]\nid = 2\ndescription = \"A\"\npermissions = [\"edit\", \"share\"]\nincludes = [\"viewer\"]\n\n\
             [legacy]\nlevels = [\"guest\", \"owner\"]\n\n\
             [policies.edit_doc]\nid = 1\ndescription = \"P\"\nentity = \"doc\"\nrules = [\n\
             \x20 {{ deny_if_legacy = [\"guest\"] }},\n  {{ deny_if = \"locked\" }},\n  {{ allow_if_permission = \"edit\" }},\n\
             \x20 {{ allow_if = \"author\" }},\n]\n{tests}"
        );
        match crate::validate_text("roles.toml", &text) {
            Ok(v) => v.model().clone(),
            Err(d) => panic!("{d}"),
        }
    }

    fn coverage(tests: &str) -> (Model, Coverage) {
        let model = model(tests);
        let coverage = of(&model, &run(&model));
        (model, coverage)
    }

    /// The names of the uncovered items of one kind.
    fn uncovered(model: &Model, coverage: &Coverage, kind: Kind) -> Vec<String> {
        let name = |s: &Subject| match s {
            Subject::Role(r) => model.roles[*r].name.clone(),
            Subject::Permission(p) => model.permissions[*p].name.clone(),
            Subject::Rule { rule: Some(j), .. } => format!("rule {}", j + 1),
            Subject::Rule { rule: None, .. } => "default deny".into(),
            Subject::Predicate(n) => n.clone(),
        };
        coverage.of_kind(kind).filter(|i| !i.covered()).map(|i| name(&i.subject)).collect()
    }

    const POLICY: &str = "\n[[tests]]\npolicy = \"edit_doc\"\nroles = [\"admin\"]\n";

    #[test]
    fn a_role_only_included_is_not_exercised_and_permissions_count_in_allow_or_deny() {
        let (m, c) = coverage(
            "\n[[tests]]\nroles = [\"admin\"]\nallow = [\"read\"]\ndeny = []\n\n[[tests]]\nrole = \"admin\"\ncovers = [\"viewer\"]\n",
        );
        assert_eq!(uncovered(&m, &c, Kind::Roles), ["viewer"]);
        assert_eq!(uncovered(&m, &c, Kind::Permissions), ["edit", "share"]);
        let (m, c) = coverage("\n[[tests]]\nroles = [\"viewer\"]\ndeny = [\"share\"]\n");
        assert_eq!(uncovered(&m, &c, Kind::Roles), ["admin"]);
        assert_eq!(uncovered(&m, &c, Kind::Permissions), ["read", "edit"]);
        assert_eq!(c.tally(Kind::Roles), Tally { covered: 1, total: 2 });
    }

    #[test]
    fn a_rule_counts_when_it_decides_and_the_default_deny_when_none_does() {
        let (m, c) = coverage(&format!("{POLICY}expect = \"allow\"\n"));
        // `admin` holds `edit`: rule 3 decides; rules 1, 2 and 4 and the default deny do not.
        assert_eq!(uncovered(&m, &c, Kind::Rules), ["rule 1", "rule 2", "rule 4", "default deny"]);
        let (m, c) = coverage("\n[[tests]]\npolicy = \"edit_doc\"\nroles = [\"viewer\"]\nexpect = \"deny\"\n");
        assert_eq!(uncovered(&m, &c, Kind::Rules), ["rule 1", "rule 2", "rule 3", "rule 4"]);
        let Some(deny) = c.of_kind(Kind::Rules).last() else { panic!("no rules") };
        assert_eq!(deny.subject, Subject::Rule { policy: PolicyIdx::new(0), rule: None });
        assert_eq!(deny.hits, Hits::By(vec![0]));
    }

    #[test]
    fn a_failing_test_still_covers_what_it_ran() {
        let (m, c) = coverage(&format!("{POLICY}expect = \"deny\"\n"));
        assert!(!run(&m)[0].passed());
        assert_eq!(uncovered(&m, &c, Kind::Rules), ["rule 1", "rule 2", "rule 4", "default deny"]);
    }

    #[test]
    fn a_predicate_counts_only_where_a_rule_reads_it() {
        // `locked = true` for a guest: rule 1 decides, `locked` is never looked at.
        let guest = "\n[[tests]]\npolicy = \"edit_doc\"\nlegacy = \"guest\"\nroles = []\npredicates = { locked = true }\nexpect = \"deny\"\n";
        let (m, c) = coverage(guest);
        assert_eq!(uncovered(&m, &c, Kind::Predicates), ["locked", "author"]);
        assert!(c.of_kind(Kind::Predicates).all(|i| i.hits == Hits::Read { when_true: vec![], when_false: vec![] }));
        // Unset is false: `admin` reads `locked` false, then rule 3 decides before `author`.
        let (m, c) = coverage(&format!("{guest}{POLICY}expect = \"allow\"\n"));
        let locked = c.of_kind(Kind::Predicates).next().map(|i| i.hits.clone());
        assert_eq!(locked, Some(Hits::Read { when_true: vec![], when_false: vec![1] }));
        assert_eq!(uncovered(&m, &c, Kind::Predicates), ["locked", "author"]);
        // Read true by one test and false by another: covered.
        let locked = format!("{POLICY}predicates = {{ locked = true }}\nexpect = \"deny\"\n");
        let (m, c) = coverage(&format!("{locked}{POLICY}expect = \"allow\"\n"));
        assert_eq!(uncovered(&m, &c, Kind::Predicates), ["author"]);
        let Some(item) = c.of_kind(Kind::Predicates).next() else { panic!("no predicate") };
        assert_eq!(item.count(), 1);
        assert_eq!(m.predicates.len(), 0, "undeclared: the first rule asking it is its place");
        assert_eq!(item.span, m.policies[0].rules[1].span);
    }

    #[test]
    fn roles_assigned_on_entities_are_held() {
        let placed = "\n[[tests]]\nassign = [{ role = \"viewer\", entity = \"doc\", id = \"D1\" }]\n\
                      path = [{ entity = \"doc\", id = \"D1\" }]\nallow = [\"read\"]\n";
        let (m, c) = coverage(placed);
        assert_eq!(uncovered(&m, &c, Kind::Roles), ["admin"]);
        assert_eq!(uncovered(&m, &c, Kind::Permissions), ["edit", "share"]);
    }

    #[test]
    fn tallies_round_down_and_the_minimum_holds_each_kind() {
        let t = |covered, total| Tally { covered, total };
        assert_eq!(t(2, 3).tenths(), 666);
        assert_eq!(t(999, 1000).tenths(), 999);
        assert_eq!(t(9999, 10000).tenths(), 999, "never 100.0 with a gap");
        assert_eq!(t(0, 0).tenths(), 1000, "nothing to cover");
        assert!(t(2, 3).meets(66.6) && !t(2, 3).meets(66.7));
        assert!(t(1, 2).meets(50.0) && !t(1, 2).meets(50.01));
        // Roles and permissions fully covered, rules and predicates not: the overall hides it.
        let all = "\n[[tests]]\nroles = [\"admin\", \"viewer\"]\nallow = [\"read\", \"edit\", \"share\"]\n";
        let (_, c) = coverage(&format!("{all}{POLICY}expect = \"allow\"\n"));
        assert_eq!(c.overall(), Tally { covered: 6, total: 12 });
        assert_eq!(c.below(50.0), [Kind::Rules, Kind::Predicates]);
        assert_eq!(c.below(0.0), []);
    }

    #[test]
    fn the_slack_example_is_covered_entirely() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../definitions/slack/roles.toml");
        let Ok(validated) = crate::load(std::path::Path::new(path)) else { panic!("slack") };
        let model = validated.model();
        let c = of(model, &run(model));
        let uncovered: Vec<&Item> = c.items.iter().filter(|i| !i.covered()).collect();
        assert!(uncovered.is_empty(), "{uncovered:?}");
        assert_eq!(c.overall(), Tally { covered: 36, total: 36 });
    }
}
