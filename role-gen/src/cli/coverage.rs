//! `test --coverage`: the coverage the core computed (`testing::coverage`), rendered as text,
//! as the `coverage` member of `test --format json`, or as lcov for CI coverage tools.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::Project;
use crate::escape::shown;
use crate::testing::coverage::{Coverage, Item, Kind, Subject, Tally};

/// `75.0`: a percentage in tenths, as reports show it.
fn percent(tally: Tally) -> String {
    let tenths = tally.tenths();
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// Each kind's name in the text report.
fn label(kind: Kind) -> &'static str {
    match kind {
        Kind::Roles => "roles",
        Kind::Permissions => "permissions",
        Kind::Rules => "policy rules",
        Kind::Predicates => "predicates",
    }
}

/// 1-based (line, column) of an item's declaration.
fn place(project: &Project, item: &Item) -> (usize, usize) {
    project.source().line_col(item.span.start)
}

/// The `[[tests]]` lines of some tests.
fn test_lines(project: &Project, tests: &[usize]) -> Vec<usize> {
    let model = project.model();
    tests.iter().map(|&t| project.source().line_col(model.tests()[t].span.start).0).collect()
}

/// What an item is, in words: `role `x``, `rule 2 of policy `p` (`allow_if q`)`.
fn what(project: &Project, item: &Item) -> String {
    let model = project.model();
    match &item.subject {
        Subject::Role(r) => format!("role `{}`", model.roles()[*r].name),
        Subject::Permission(p) => format!("permission `{}`", model.permissions()[*p].name),
        Subject::Rule { policy, rule: Some(j) } => {
            let policy = &model.policies()[*policy];
            format!("rule {} of policy `{}` (`{}`)", j + 1, policy.name, model.rule_name(&policy.rules[*j].kind))
        }
        Subject::Rule { policy, rule: None } => {
            format!("the default deny of policy `{}`", model.policies()[*policy].name)
        }
        Subject::Predicate(name) => format!("predicate `{name}`"),
    }
}

/// Why an uncovered item is reported.
fn gap(item: &Item) -> String {
    let tests = |n: usize| if n == 1 { "1 test".to_string() } else { format!("{n} tests") };
    match &item.subject {
        Subject::Role(_) => "no test holds it".into(),
        Subject::Permission(_) => "no test lists it in `allow` or `deny`".into(),
        Subject::Rule { rule: Some(_), .. } => "decides no test".into(),
        Subject::Rule { rule: None, .. } => "no test reaches it (a rule decides every test)".into(),
        Subject::Predicate(_) => match item.readings().map(|(t, f)| (t.len(), f.len())).unwrap_or_default() {
            (0, 0) => "no test reaches a rule asking about it".into(),
            (0, f) => format!("never read true (read false by {})", tests(f)),
            (t, _) => format!("never read false (read true by {})", tests(t)),
        },
    }
}

/// The text report: a table of the kinds and the total, each uncovered item at its line, and
/// the verdict on `--min-coverage`.
pub(super) fn text(project: &Project, coverage: &Coverage, minimum: Option<f64>) -> String {
    let file = project.diagnostics().shown_path();
    let tests = project.model().tests().len();
    let mut out = format!("coverage of {file} by {tests} test{}:\n", if tests == 1 { "" } else { "s" });
    let rows: Vec<(&str, Tally)> =
        Kind::ALL.iter().map(|&k| (label(k), coverage.tally(k))).chain([("overall", coverage.overall())]).collect();
    let counts: Vec<String> = rows.iter().map(|(_, t)| format!("{}/{}", t.covered, t.total)).collect();
    let width = counts.iter().map(String::len).max().unwrap_or(0);
    for ((name, tally), count) in rows.iter().zip(&counts) {
        let _ = writeln!(out, "  {name:<12}  {count:>width$}  {:>5}%", percent(*tally));
    }
    // Kind by kind, each in file order (as an editor lists them).
    let mut uncovered: Vec<&Item> = coverage.items.iter().filter(|i| !i.covered()).collect();
    uncovered.sort_by_key(|i| (Kind::ALL.iter().position(|&k| k == i.subject.kind()), i.span.start));
    if !uncovered.is_empty() {
        let _ = writeln!(out, "not exercised:");
    }
    for item in uncovered {
        let (line, column) = place(project, item);
        let _ = writeln!(out, "  {file}:{line}:{column} {}: {}", shown(&what(project, item)), gap(item));
    }
    if let Some(min) = minimum {
        let below = coverage.below(min);
        if below.is_empty() {
            let _ = writeln!(out, "every kind meets the minimum coverage of {min}%");
        } else {
            let list: Vec<String> =
                below.iter().map(|&k| format!("{} {}%", label(k), percent(coverage.tally(k)))).collect();
            let _ = writeln!(out, "coverage below the minimum of {min}%: {}", list.join(", "));
        }
    }
    out
}

/// `coverage` in `test --format json`.
#[derive(Debug, Serialize)]
pub(super) struct CoverageView {
    roles: KindView,
    permissions: KindView,
    rules: KindView,
    predicates: KindView,
    overall: TallyView,
    /// `--min-coverage`, and the kinds below it; `null` without the flag.
    minimum: Option<MinimumView>,
}

#[derive(Debug, Serialize)]
struct TallyView {
    covered: usize,
    total: usize,
    /// Rounded down to a tenth: 100.0 only when everything is covered.
    percent: f64,
}

impl From<Tally> for TallyView {
    fn from(t: Tally) -> Self {
        TallyView { covered: t.covered, total: t.total, percent: t.tenths() as f64 / 10.0 }
    }
}

#[derive(Debug, Serialize)]
struct KindView {
    covered: usize,
    total: usize,
    percent: f64,
    items: Vec<ItemView>,
}

/// One item: where it is declared, and the `[[tests]]` lines exercising it.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum ItemView {
    /// A role or a permission.
    Named { name: String, line: usize, column: usize, covered: bool, tests: Vec<usize> },
    /// A policy rule: `rule` counts from 1; `null` (with `name` "default deny") when none fires.
    Rule {
        policy: String,
        rule: Option<usize>,
        name: String,
        line: usize,
        column: usize,
        covered: bool,
        tests: Vec<usize>,
    },
    /// A predicate, with the tests that read it true and false.
    Predicate {
        name: String,
        line: usize,
        column: usize,
        covered: bool,
        #[serde(rename = "true")]
        when_true: Vec<usize>,
        #[serde(rename = "false")]
        when_false: Vec<usize>,
    },
}

#[derive(Debug, Serialize)]
struct MinimumView {
    percent: f64,
    met: bool,
    below: Vec<&'static str>,
}

/// The JSON view of the coverage.
pub(super) fn view(project: &Project, coverage: &Coverage, minimum: Option<f64>) -> CoverageView {
    let kind = |k: Kind| {
        let t = TallyView::from(coverage.tally(k));
        let items = coverage.of_kind(k).map(|i| item_view(project, i)).collect();
        KindView { covered: t.covered, total: t.total, percent: t.percent, items }
    };
    let minimum = minimum.map(|percent| {
        let below: Vec<&'static str> = coverage.below(percent).into_iter().map(Kind::as_str).collect();
        MinimumView { percent, met: below.is_empty(), below }
    });
    CoverageView {
        roles: kind(Kind::Roles),
        permissions: kind(Kind::Permissions),
        rules: kind(Kind::Rules),
        predicates: kind(Kind::Predicates),
        overall: coverage.overall().into(),
        minimum,
    }
}

fn item_view(project: &Project, item: &Item) -> ItemView {
    let model = project.model();
    let (line, column) = place(project, item);
    let covered = item.covered();
    let tests = test_lines(project, item.tests());
    match &item.subject {
        Subject::Role(r) => ItemView::Named { name: model.roles()[*r].name.clone(), line, column, covered, tests },
        Subject::Permission(p) => {
            ItemView::Named { name: model.permissions()[*p].name.clone(), line, column, covered, tests }
        }
        Subject::Rule { policy, rule } => {
            let policy = &model.policies()[*policy];
            let name =
                rule.map_or_else(|| crate::model::DEFAULT_DENY.to_string(), |j| model.rule_name(&policy.rules[j].kind));
            let (policy, rule) = (policy.name.clone(), rule.map(|j| j + 1));
            ItemView::Rule { policy, rule, name, line, column, covered, tests }
        }
        Subject::Predicate(name) => {
            let (when_true, when_false) = item.readings().unwrap_or_default();
            let (when_true, when_false) = (test_lines(project, when_true), test_lines(project, when_false));
            ItemView::Predicate { name: name.clone(), line, column, covered, when_true, when_false }
        }
    }
}

/// The lcov tracefile: one record for roles.toml. `DA` gives each declaration's line and how
/// many tests exercise it (several items on one line: the least, so a gap is never hidden by a
/// neighbour); each predicate is also a branch pair (`BRDA`, true then false).
pub(super) fn lcov(project: &Project, coverage: &Coverage) -> String {
    let mut lines: BTreeMap<usize, usize> = BTreeMap::new();
    for item in &coverage.items {
        let (line, _) = place(project, item);
        let count = lines.entry(line).or_insert(usize::MAX);
        *count = (*count).min(item.count());
    }
    let mut out = format!("TN:\nSF:{}\n", project.diagnostics().shown_path());
    let (mut found, mut hit) = (0, 0);
    for (i, item) in coverage.of_kind(Kind::Predicates).enumerate() {
        let Some((when_true, when_false)) = item.readings() else { continue };
        let (line, _) = place(project, item);
        for (branch, taken) in [when_true.len(), when_false.len()].into_iter().enumerate() {
            let _ = writeln!(out, "BRDA:{line},{i},{branch},{taken}");
            found += 1;
            hit += usize::from(taken > 0);
        }
    }
    if found > 0 {
        let _ = writeln!(out, "BRF:{found}\nBRH:{hit}");
    }
    for (line, count) in &lines {
        let _ = writeln!(out, "DA:{line},{count}");
    }
    let covered = lines.values().filter(|&&c| c > 0).count();
    let _ = writeln!(out, "LF:{}\nLH:{covered}\nend_of_record", lines.len());
    out
}
