//! `test`: runs the `[[tests]]` of roles.toml; a failure is reported at its `[[tests]]` line.

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::output::outln;
use super::{Context, Failure, Style, json};
use crate::Project;
use crate::escape::shown;
use crate::testing::{self, Outcome};

/// `role-gen test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    #[arg(long, value_enum, default_value_t = TestFormat::Human)]
    format: TestFormat,
}

/// Output of `test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    Human,
    Json,
}

/// `test --format json`: every test's outcome, then the counts.
#[derive(Debug, Serialize)]
struct TestsView<'a> {
    tests: Vec<TestView<'a>>,
    passed: usize,
    failed: usize,
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
    /// Runs every test; exit 1 when one fails.
    pub(super) fn run(&self, cx: &Context) -> Result<(), Failure> {
        let project = cx.load()?;
        let outcomes = testing::run(project.model());
        match self.format {
            TestFormat::Human => print_human(&project, &outcomes, cx.style),
            TestFormat::Json => json::print(&view(&project, &outcomes))?,
        }
        if outcomes.iter().all(Outcome::passed) { Ok(()) } else { Err(Failure::Checked) }
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
fn print_decisions(project: &Project, outcome: &Outcome) {
    for d in decisions(project, outcome) {
        let verdict = if d.allowed { "allowed by" } else { "denied:" };
        outln!("    `{}` {verdict} {}", d.permission, shown(&d.because));
    }
}

fn print_human(project: &Project, outcomes: &[Outcome], style: Style) {
    let file = project.diagnostics().shown_path();
    for outcome in outcomes {
        let (line, column) = location(project, outcome);
        let what = shown(&describe(project, outcome));
        if outcome.passed() {
            if !style.quiet {
                outln!("test {file}:{line}:{column} {what} ... ok");
                if style.verbose {
                    print_decisions(project, outcome);
                }
            }
            continue;
        }
        let failed = if style.color { "\x1b[1;31mFAILED\x1b[0m" } else { "FAILED" };
        outln!("test {file}:{line}:{column} {what} ... {failed}");
        for failure in &outcome.failures {
            outln!("    {}", shown(failure));
        }
    }
    let failed = outcomes.iter().filter(|o| !o.passed()).count();
    if outcomes.is_empty() {
        if !style.quiet {
            outln!("no [[tests]] in {file}");
        }
    } else if !style.quiet || failed > 0 {
        outln!("{} tests in {file}: {} passed, {failed} failed", outcomes.len(), outcomes.len() - failed);
    }
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
    TestsView { tests, passed: outcomes.len() - failed, failed }
}
