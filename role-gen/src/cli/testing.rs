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

/// Where a test's `[[tests]]` entry starts: 1-based (line, column).
fn location(project: &Project, outcome: &Outcome) -> (usize, usize) {
    project.source().line_col(project.model().tests()[outcome.test].span.start)
}

/// What a test checks, in words.
fn describe(project: &Project, outcome: &Outcome) -> String {
    let model = project.model();
    testing::describe(model, &model.tests()[outcome.test])
}

fn print_human(project: &Project, outcomes: &[Outcome], style: Style) {
    let file = project.diagnostics().shown_path();
    for outcome in outcomes {
        let (line, column) = location(project, outcome);
        let what = shown(&describe(project, outcome));
        if outcome.passed() {
            if !style.quiet {
                outln!("test {file}:{line}:{column} {what} ... ok");
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
            TestView { line, column, name: describe(project, o), passed: o.passed(), failures: &o.failures }
        })
        .collect();
    let failed = outcomes.iter().filter(|o| !o.passed()).count();
    TestsView { tests, passed: outcomes.len() - failed, failed }
}
