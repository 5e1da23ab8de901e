//! `explain`, `who-can` and `matrix`: questions answered from the model, as text or JSON (and
//! the matrix also as Markdown or CSV).

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::output::{errln, out};
use super::{Context, Failure, json};
use crate::Model;
use crate::escape::shown;
use crate::model::{PermIdx, RoleIdx};
use crate::names::NameKind;
use crate::suggest::unknown_name;

/// `role-gen explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The role
    role: String,
    #[arg(long, value_enum, default_value_t = QueryFormat::Text)]
    format: QueryFormat,
}

/// `role-gen who-can`.
#[derive(Debug, Args)]
pub struct WhoCanArgs {
    /// The permission
    permission: String,
    #[arg(long, value_enum, default_value_t = QueryFormat::Text)]
    format: QueryFormat,
}

/// `role-gen matrix`.
#[derive(Debug, Args)]
pub struct MatrixArgs {
    #[arg(long, value_enum, default_value_t = MatrixFormat::Text)]
    format: MatrixFormat,
}

/// Output of `explain` and `who-can`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QueryFormat {
    Text,
    Json,
}

/// Output of `matrix`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MatrixFormat {
    Text,
    Markdown,
    Csv,
    Json,
}

/// `explain --format json` and `who-can --format json`: the name asked about, and each name
/// answering it with the include chain it comes through.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum AnswerView<'a> {
    Explain { role: &'a str, permissions: Vec<ViaView<'a>> },
    WhoCan { permission: &'a str, roles: Vec<ViaView<'a>> },
}

/// One answer: a permission the role holds, or a role holding the permission.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum ViaView<'a> {
    Permission { permission: &'a str, via: Vec<&'a str> },
    Role { role: &'a str, via: Vec<&'a str> },
}

/// `matrix --format json`: every permission, and each role's effective ones.
#[derive(Debug, Serialize)]
struct MatrixView<'a> {
    permissions: Vec<&'a str>,
    roles: Vec<RoleHolds<'a>>,
}

#[derive(Debug, Serialize)]
struct RoleHolds<'a> {
    role: &'a str,
    permissions: Vec<&'a str>,
}

/// A name and the include chain it comes through (the first is the role itself).
type Row<'m> = (&'m str, Vec<&'m str>);

impl ExplainArgs {
    /// The role's effective permissions, each with the include chain it comes through.
    pub(super) fn run(&self, cx: &Context) -> Result<(), Failure> {
        let project = cx.load()?;
        let model = project.model();
        let role = self.role.as_str();
        let known = || model.roles().iter().map(|r| r.name.as_str());
        let r = model.role(role).ok_or_else(|| unknown(NameKind::Role, role, known(), &model.reserved().role_names))?;
        let rows = model.roles()[r]
            .effective
            .iter()
            .map(|p| (model.permissions()[p].name.as_str(), names(model, &model.via(r, p).unwrap_or_default())));
        let heading = |n| format!("role `{role}` has {n} effective permission{}", plural(n));
        answer(self.format, rows.collect(), heading, |rows| AnswerView::Explain {
            role,
            permissions: rows.into_iter().map(|(permission, via)| ViaView::Permission { permission, via }).collect(),
        })
    }
}

impl WhoCanArgs {
    /// The roles whose effective permissions hold the permission, each with its include chain.
    pub(super) fn run(&self, cx: &Context) -> Result<(), Failure> {
        let project = cx.load()?;
        let model = project.model();
        let permission = self.permission.as_str();
        let known = || model.permissions().iter().map(|p| p.name.as_str());
        let reserved = &model.reserved().permission_names;
        let p =
            model.permission(permission).ok_or_else(|| unknown(NameKind::Permission, permission, known(), reserved))?;
        let rows =
            model.indexed_roles().filter_map(|(r, role)| Some((role.name.as_str(), names(model, &model.via(r, p)?))));
        let heading = |n| format!("{n} role{} hold `{permission}`", plural(n));
        answer(self.format, rows.collect(), heading, |rows| AnswerView::WhoCan {
            permission,
            roles: rows.into_iter().map(|(role, via)| ViaView::Role { role, via }).collect(),
        })
    }
}

/// An `explain` or `who-can` answer: as JSON, the view `view` makes of the rows; as text, the
/// heading for their count, then a row a name: `direct`, or the include chain it comes through.
fn answer<'m>(
    format: QueryFormat,
    rows: Vec<Row<'m>>,
    heading: impl FnOnce(usize) -> String,
    view: impl FnOnce(Vec<Row<'m>>) -> AnswerView<'m>,
) -> Result<(), Failure> {
    if format == QueryFormat::Json {
        return json::print(&view(rows));
    }
    let width = rows.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    let mut text = heading(rows.len()) + "\n";
    for (name, via) in &rows {
        let how = if via.len() == 1 { "direct".to_string() } else { format!("via {}", via.join(" > ")) };
        text.push_str(&format!("  {name:<width$}  {how}\n"));
    }
    out!("{text}");
    Ok(())
}

impl MatrixArgs {
    /// The role × effective-permission table.
    pub(super) fn run(&self, cx: &Context) -> Result<(), Failure> {
        let project = cx.load()?;
        let model = project.model();
        match self.format {
            MatrixFormat::Json => return json::print(&matrix_view(model)),
            MatrixFormat::Csv => out!("{}", matrix_csv(model)),
            MatrixFormat::Markdown => out!("{}", matrix_markdown(model)),
            MatrixFormat::Text => out!("{}", matrix_text(model)),
        }
        Ok(())
    }
}

/// An unknown name: a refusal (exit 1), said as `validate` says it (removed and reserved, or
/// with a did-you-mean).
fn unknown<'a>(kind: NameKind, name: &str, known: impl Iterator<Item = &'a str>, reserved: &[String]) -> Failure {
    let why = unknown_name(kind, name, known, reserved);
    // Each part escaped on its own: the name is the user's, and may hold a line break.
    let mut text = shown(&why.message);
    for (prefix, line) in [("", why.reason), ("help: ", why.help)] {
        if let Some(line) = line {
            text.push_str(&format!("\n  {prefix}{}", shown(&line)));
        }
    }
    errln!("error: {text}");
    Failure::Checked
}

fn names<'m>(model: &'m Model, path: &[RoleIdx]) -> Vec<&'m str> {
    path.iter().map(|&r| model.roles()[r].name.as_str()).collect()
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A cell: granted directly, inherited through an include, or not held.
fn cell(model: &Model, role: RoleIdx, permission: PermIdx) -> Option<bool> {
    let r = &model.roles()[role];
    r.effective.contains(permission).then(|| r.permissions.contains(&permission))
}

fn matrix_view(model: &Model) -> MatrixView<'_> {
    let permissions: Vec<&str> = model.permissions().iter().map(|p| p.name.as_str()).collect();
    let roles = model
        .roles()
        .iter()
        .map(|r| RoleHolds { role: &r.name, permissions: r.effective.iter().map(|p| permissions[p.get()]).collect() })
        .collect();
    MatrixView { permissions, roles }
}

fn matrix_csv(model: &Model) -> String {
    let mut out = String::from("role");
    for p in model.permissions() {
        out.push(',');
        out.push_str(&p.name);
    }
    out.push('\n');
    for (r, role) in model.indexed_roles() {
        out.push_str(&role.name);
        for (p, _) in model.indexed_permissions() {
            out.push_str(match cell(model, r, p) {
                Some(true) => ",direct",
                Some(false) => ",inherited",
                None => ",",
            });
        }
        out.push('\n');
    }
    out
}

fn matrix_markdown(model: &Model) -> String {
    let mut out = String::from("| Permission |");
    for r in model.roles() {
        out.push_str(&format!(" `{}` |", r.name));
    }
    out.push_str("\n|---|");
    out.push_str(&":---:|".repeat(model.roles().len()));
    out.push('\n');
    for (p, perm) in model.indexed_permissions() {
        out.push_str(&format!("| `{}` |", perm.name));
        for (r, _) in model.indexed_roles() {
            out.push_str(match cell(model, r, p) {
                Some(true) => " ✅ |",
                Some(false) => " ☑️ |",
                None => "  |",
            });
        }
        out.push('\n');
    }
    out
}

/// Permissions down, roles across; `x` granted directly, `+` inherited, `.` not held.
fn matrix_text(model: &Model) -> String {
    let width = model.permissions().iter().map(|p| p.name.len()).max().unwrap_or(0).max("permission".len());
    let heads: Vec<String> = model.roles().iter().map(|r| r.name.clone()).collect();
    let mut out = format!("{:<width$}", "permission");
    for h in &heads {
        out.push_str(&format!("  {h}"));
    }
    out.push('\n');
    for (p, perm) in model.indexed_permissions() {
        out.push_str(&format!("{:<width$}", perm.name));
        for ((r, _), h) in model.indexed_roles().zip(&heads) {
            let mark = match cell(model, r, p) {
                Some(true) => "x",
                Some(false) => "+",
                None => ".",
            };
            out.push_str(&format!("  {mark:^w$}", w = h.len()));
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
    }
    out.push_str("x: granted directly, +: inherited through an include\n");
    out
}
