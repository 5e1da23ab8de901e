//! `diff --format json`: SPEC section 3's shape, plus `class`, `help`, `line` and `allowed` on
//! findings, `via` and `allowed` on grants, `access.other` and `notes`.

use serde::Serialize;

use crate::diff::{Definition, Finding, Grant, Report};

/// The whole report.
#[derive(Debug, Serialize)]
pub(super) struct ReportView<'a> {
    breaking: Vec<FindingView<'a>>,
    access: AccessView<'a>,
    notes: Vec<FindingView<'a>>,
}

/// Who gained and lost what, and the access changes that are not one role's.
#[derive(Debug, Serialize)]
struct AccessView<'a> {
    granted: Vec<GrantView<'a>>,
    revoked: Vec<GrantView<'a>>,
    other: Vec<FindingView<'a>>,
}

/// One finding; `line` is in the new file (`null`: the item is gone from it).
#[derive(Debug, Serialize)]
struct FindingView<'a> {
    code: &'static str,
    message: &'a str,
    class: &'static str,
    help: Option<&'a str>,
    line: Option<usize>,
    /// Whether a reviewer accepted it (`--allow`, `[review] allow`): it does not fail the run.
    allowed: bool,
}

/// One effective permission gained or lost, with the include chain it comes through.
#[derive(Debug, Serialize)]
struct GrantView<'a> {
    role: &'a str,
    permission: &'a str,
    via: &'a [String],
    allowed: bool,
}

impl<'a> ReportView<'a> {
    /// The report, its lines counted in `new`.
    pub(super) fn new(report: &'a Report, new: &Definition) -> Self {
        let findings = |list: &'a [Finding]| list.iter().map(|f| FindingView::new(f, new)).collect();
        let grants = |list: &'a [Grant]| list.iter().map(GrantView::new).collect();
        let access = &report.access;
        ReportView {
            breaking: findings(&report.breaking),
            access: AccessView {
                granted: grants(&access.granted),
                revoked: grants(&access.revoked),
                other: findings(&access.other),
            },
            notes: findings(&report.notes),
        }
    }
}

impl<'a> FindingView<'a> {
    fn new(f: &'a Finding, new: &Definition) -> Self {
        FindingView {
            code: f.change.as_str(),
            message: &f.message,
            class: f.change.class().as_str(),
            help: f.help.as_deref(),
            line: f.span.as_ref().map(|s| new.source.line_col(s.start).0),
            allowed: f.allowed,
        }
    }
}

impl<'a> GrantView<'a> {
    fn new(g: &'a Grant) -> Self {
        GrantView { role: &g.role, permission: &g.permission, via: &g.via, allowed: g.allowed }
    }
}
