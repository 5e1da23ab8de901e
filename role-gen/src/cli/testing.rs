//! `test`: runs the `[[tests]]` of roles.toml; a failure is reported at its `[[tests]]` line.

use super::commands::load;
use super::output::outln;
use super::{Cli, Command, Failure, Style, TestFormat, find_roles_file};
use crate::diagnostic::json_string;
use crate::escape::shown;
use crate::testing::{self, Outcome};
use crate::{Model, Project};

/// Runs `test`.
pub fn run(cli: &Cli, style: Style) -> Result<(), Failure> {
    let Command::Test { format } = &cli.command else { return Ok(()) };
    let project = load(&find_roles_file(cli.file.as_deref())?, style)?;
    let outcomes = testing::run(project.model());
    match format {
        TestFormat::Human => print_human(&project, &outcomes, style),
        TestFormat::Json => outln!("{}", to_json(&project, &outcomes)),
    }
    if outcomes.iter().all(Outcome::passed) { Ok(()) } else { Err(Failure::Checked) }
}

fn location(project: &Project, model: &Model, outcome: &Outcome) -> (usize, usize) {
    project.source().line_col(model.tests[outcome.test].span.start)
}

fn print_human(project: &Project, outcomes: &[Outcome], style: Style) {
    let model = project.model();
    let file = project.diagnostics().shown_path();
    for outcome in outcomes {
        let (line, column) = location(project, model, outcome);
        let what = shown(&testing::describe(model, &model.tests[outcome.test]));
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
        outln!("no [[tests]] in {file}");
    } else if !style.quiet || failed > 0 {
        outln!("{} tests in {file}: {} passed, {failed} failed", outcomes.len(), outcomes.len() - failed);
    }
}

fn to_json(project: &Project, outcomes: &[Outcome]) -> String {
    let model = project.model();
    let tests: Vec<String> = outcomes
        .iter()
        .map(|o| {
            let (line, column) = location(project, model, o);
            let failures: Vec<String> = o.failures.iter().map(|f| json_string(f)).collect();
            format!(
                "{{\"line\":{line},\"column\":{column},\"name\":{},\"passed\":{},\"failures\":[{}]}}",
                json_string(&testing::describe(model, &model.tests[o.test])),
                o.passed(),
                failures.join(",")
            )
        })
        .collect();
    let failed = outcomes.iter().filter(|o| !o.passed()).count();
    format!("{{\"tests\":[{}],\"passed\":{},\"failed\":{failed}}}", tests.join(","), outcomes.len() - failed)
}
