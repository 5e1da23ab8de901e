//! `test`: runs the `[[tests]]` of roles.toml; a failure is reported at its `[[tests]]` line.
//! With `--coverage`, also what the tests leave unexercised (rendered in [`super::coverage`]).

use std::fmt::Write as _;

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::coverage::{self, CoverageView};
use super::output::{err, out};
use super::{Context, Failure, Style, json};
use crate::Project;
use crate::escape::shown;
use crate::testing::coverage::Coverage;
use crate::testing::{self, Outcome};

/// `role-gen test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// human (or text), json, or lcov (the coverage alone, for CI coverage tools; implies --coverage)
    #[arg(long, value_enum, default_value_t = TestFormat::Human)]
    format: TestFormat,
    /// Also report the roles, permissions, policy rules and predicates no test exercises
    #[arg(long)]
    coverage: bool,
    /// Fail (exit 1) when the coverage of any kind is below PCT percent (implies --coverage)
    #[arg(long, value_name = "PCT", value_parser = parse_percent)]
    min_coverage: Option<f64>,
}

/// Output of `test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    #[value(alias = "text")]
    Human,
    Json,
    Lcov,
}

/// A percentage from 0 to 100.
fn parse_percent(text: &str) -> Result<f64, String> {
    let pct: f64 = text.trim_end_matches('%').parse().map_err(|_| format!("`{text}` is not a number"))?;
    if (0.0..=100.0).contains(&pct) { Ok(pct) } else { Err(format!("{pct} is not a percentage from 0 to 100")) }
}

/// `test --format json`: every test's outcome, then the counts (and, with `--coverage`, the
/// coverage).
#[derive(Debug, Serialize)]
struct TestsView<'a> {
    tests: Vec<TestView<'a>>,
    passed: usize,
    failed: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    coverage: Option<CoverageView>,
}

/// One `[[tests]]` entry: where it is, what it checks, and why it failed.
#[derive(Debug, Serialize)]
struct TestView<'a> {
    line: usize,
    column: usize,
    name: String,
    passed: bool,
    failures: &'a [String],
    /// For a test placing roles on entities: each permission it asks about, and the assignment
    /// that grants it there or why none does.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    decisions: Vec<DecisionView>,
}

/// Who decided one permission of a placed test.
#[derive(Debug, Serialize)]
struct DecisionView {
    permission: String,
    allowed: bool,
    /// The deciding assignment (`allowed`), or why none grants it.
    because: String,
}

impl TestArgs {
    /// Runs every test; exit 1 when one fails, or when a kind of coverage is below the minimum.
    pub(super) fn run(&self, cx: &Context) -> Result<(), Failure> {
        let project = cx.load()?;
        let outcomes = testing::run(project.model());
        let wanted = self.coverage || self.min_coverage.is_some() || self.format == TestFormat::Lcov;
        let covered = wanted.then(|| testing::coverage::of(project.model(), &outcomes));
        self.report(&project, &outcomes, covered.as_ref(), cx.style)?;
        let short = covered.is_some_and(|c| self.min_coverage.is_some_and(|m| !c.below(m).is_empty()));
        if short || !outcomes.iter().all(Outcome::passed) { Err(Failure::Checked) } else { Ok(()) }
    }

    /// Prints the tests' outcomes and the coverage in the chosen format.
    fn report(
        &self,
        project: &Project,
        outcomes: &[Outcome],
        covered: Option<&Coverage>,
        style: Style,
    ) -> Result<(), Failure> {
        let minimum = self.min_coverage;
        match self.format {
            TestFormat::Human => {
                let tests = human(project, outcomes, style);
                out!("{tests}");
                if let Some(c) = covered {
                    let gap = if tests.is_empty() { "" } else { "\n" };
                    out!("{gap}{}", coverage::text(project, c, minimum));
                }
            }
            TestFormat::Json => {
                let coverage = covered.map(|c| coverage::view(project, c, minimum));
                json::print(&TestsView { coverage, ..view(project, outcomes) })?
            }
            // stdout is the tracefile alone; failed tests and a missed minimum go to stderr.
            TestFormat::Lcov => {
                err!("{}", human(project, outcomes, Style { quiet: true, ..style }));
                if let Some(c) = covered {
                    out!("{}", coverage::lcov(project, c));
                    if minimum.is_some_and(|m| !c.below(m).is_empty()) {
                        err!("{}", coverage::text(project, c, minimum));
                    }
                }
            }
        }
        Ok(())
    }
}

/// The permissions a placed access test asks about, each with who decided it.
fn decisions(project: &Project, outcome: &Outcome) -> Vec<DecisionView> {
    let model = project.model();
    let test = &model.tests()[outcome.test];
    let (Some(placement), crate::model::TestKind::Access { allow, deny, .. }) = (&test.placement, &test.kind) else {
        return Vec::new();
    };
    allow
        .iter()
        .chain(deny)
        .map(|&p| {
            let decided = testing::decided_by(model, placement, p);
            let allowed = decided.is_ok();
            let because = decided.unwrap_or_else(|why| why);
            DecisionView { permission: model.permissions()[p].name.clone(), allowed, because }
        })
        .collect()
}

/// Where a test's `[[tests]]` entry starts: 1-based (line, column).
fn location(project: &Project, outcome: &Outcome) -> (usize, usize) {
    project.source().line_col(project.model().tests()[outcome.test].span.start)
}

/// What a test checks, in words.
fn describe(project: &Project, outcome: &Outcome) -> String {
    let model = project.model();
    testing::describe(model, &model.tests()[outcome.test])
}

/// With `--verbose`, each permission a placed test asks about and who decided it.
fn decision_lines(project: &Project, outcome: &Outcome) -> String {
    let mut text = String::new();
    for d in decisions(project, outcome) {
        let verdict = if d.allowed { "allowed by" } else { "denied:" };
        let _ = writeln!(text, "    `{}` {verdict} {}", d.permission, shown(&d.because));
    }
    text
}

/// The human report of the tests: each test (failed ones only with `--quiet`), then the counts.
fn human(project: &Project, outcomes: &[Outcome], style: Style) -> String {
    let mut text = String::new();
    let file = project.diagnostics().shown_path();
    for outcome in outcomes {
        let (line, column) = location(project, outcome);
        let what = shown(&describe(project, outcome));
        if outcome.passed() {
            if !style.quiet {
                let _ = writeln!(text, "test {file}:{line}:{column} {what} ... ok");
                if style.verbose {
                    text.push_str(&decision_lines(project, outcome));
                }
            }
            continue;
        }
        let failed = if style.color { "\x1b[1;31mFAILED\x1b[0m" } else { "FAILED" };
        let _ = writeln!(text, "test {file}:{line}:{column} {what} ... {failed}");
        for failure in &outcome.failures {
            let _ = writeln!(text, "    {}", shown(failure));
        }
    }
    let failed = outcomes.iter().filter(|o| !o.passed()).count();
    if outcomes.is_empty() {
        if !style.quiet {
            let _ = writeln!(text, "no [[tests]] in {file}");
        }
    } else if !style.quiet || failed > 0 {
        let _ =
            writeln!(text, "{} tests in {file}: {} passed, {failed} failed", outcomes.len(), outcomes.len() - failed);
    }
    text
}

fn view<'a>(project: &Project, outcomes: &'a [Outcome]) -> TestsView<'a> {
    let tests: Vec<TestView<'a>> = outcomes
        .iter()
        .map(|o| {
            let (line, column) = location(project, o);
            let decisions = decisions(project, o);
            TestView { line, column, name: describe(project, o), passed: o.passed(), failures: &o.failures, decisions }
        })
        .collect();
    let failed = outcomes.iter().filter(|o| !o.passed()).count();
    TestsView { tests, passed: outcomes.len() - failed, failed, coverage: None }
}
