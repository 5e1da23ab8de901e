//! `explain`, `who-can` and `matrix`: questions answered from the model, as text or JSON (and
//! the matrix also as Markdown or CSV).

use clap::{Args, ValueEnum};
use clap_complete::engine::ArgValueCompleter;
use serde::Serialize;

use super::complete;
use super::output::{errln, out};
use super::{Context, Failure, json};
use crate::Model;
use crate::escape::shown;
use crate::model::{Deprecated, RoleIdx};
use crate::names::NameKind;
use crate::suggest::unknown_name;

/// `role-gen explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The role
    #[arg(add = ArgValueCompleter::new(complete::roles))]
    role: String,
    /// What holding it on an entity of this type grants, there and below
    #[arg(long, value_name = "ENTITY", add = ArgValueCompleter::new(complete::assignable_on))]
    on: Option<String>,
    #[arg(long, value_enum, default_value_t = QueryFormat::Text)]
    format: QueryFormat,
}

/// `role-gen who-can`.
#[derive(Debug, Args)]
pub struct WhoCanArgs {
    /// The permission
    #[arg(add = ArgValueCompleter::new(complete::permissions))]
    permission: String,
    /// The (role, entity type) placements that grant it on an entity of this type
    #[arg(long, value_name = "ENTITY", add = ArgValueCompleter::new(complete::checked_on))]
    on: Option<String>,
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
    Permission {
        permission: &'a str,
        via: Vec<&'a str>,
        /// `true`, or the reason; absent when the permission is not deprecated.
        #[serde(skip_serializing_if = "Option::is_none")]
        deprecated: Option<DeprecatedView<'a>>,
    },
    Role {
        role: &'a str,
        via: Vec<&'a str>,
    },
}

/// A deprecation as roles.toml writes it: `true` or the reason.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum DeprecatedView<'a> {
    Yes(bool),
    Because(&'a str),
}

impl<'a> DeprecatedView<'a> {
    fn of(deprecated: &'a Deprecated) -> Option<Self> {
        match deprecated {
            Deprecated::No => None,
            Deprecated::Yes => Some(DeprecatedView::Yes(true)),
            Deprecated::Because(reason) => Some(DeprecatedView::Because(reason)),
        }
    }

    /// How the text answer marks it.
    fn note(&self) -> String {
        match self {
            DeprecatedView::Yes(_) => "(deprecated)".into(),
            DeprecatedView::Because(reason) => format!("(deprecated: {})", shown(reason)),
        }
    }
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

/// A name, the include chain it comes through (the first is the role itself), and whether the
/// permission is deprecated.
type Row<'m> = (&'m str, Vec<&'m str>, Option<DeprecatedView<'m>>);

impl ExplainArgs {
    /// The role's effective permissions, each with the include chain it comes through.
    pub(super) fn run(&self, cx: &Context) -> Result<(), Failure> {
        let project = cx.load()?;
        let model = project.model();
        let role = self.role.as_str();
        let known = || model.roles().iter().map(|r| r.name.as_str());
        let r = model.role(role).ok_or_else(|| unknown(NameKind::Role, role, known(), &model.reserved().role_names))?;
        if let Some(on) = &self.on {
            return super::placements::explain_on(model, r, entity(model, on)?, self.format == QueryFormat::Json);
        }
        let chains = model.chains(r);
        let rows = model.roles()[r]
            .effective
            .iter()
            .map(|p| (&model.permissions()[p], names(model, &chains.to(p).unwrap_or_default())))
            .map(|(p, via)| (p.name.as_str(), via, DeprecatedView::of(&p.deprecated)));
        let heading = |n| format!("role `{role}` has {n} effective permission{}", plural(n));
        answer(self.format, rows.collect(), heading, |rows| AnswerView::Explain {
            role,
            permissions: rows
                .into_iter()
                .map(|(permission, via, deprecated)| ViaView::Permission { permission, via, deprecated })
                .collect(),
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
        if let Some(on) = &self.on {
            return super::placements::who_can_on(model, p, entity(model, on)?, self.format == QueryFormat::Json);
        }
        let rows =
            model.holders(p).into_iter().map(|(r, chain)| (model.roles()[r].name.as_str(), names(model, &chain), None));
        let note = DeprecatedView::of(&model.permissions()[p].deprecated).map(|d| format!(" {}", d.note()));
        let heading = |n| format!("{n} role{} hold `{permission}`{}", plural(n), note.unwrap_or_default());
        answer(self.format, rows.collect(), heading, |rows| AnswerView::WhoCan {
            permission,
            roles: rows.into_iter().map(|(role, via, _)| ViaView::Role { role, via }).collect(),
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
    let width = rows.iter().map(|(name, ..)| name.len()).max().unwrap_or(0);
    let how_width = rows.iter().map(|(_, via, _)| how(via).len()).max().unwrap_or(0);
    let mut text = heading(rows.len()) + "\n";
    for (name, via, deprecated) in &rows {
        let line = match deprecated {
            Some(d) => format!("  {name:<width$}  {:<how_width$}  {}", how(via), d.note()),
            None => format!("  {name:<width$}  {}", how(via)),
        };
        text.push_str(&line);
        text.push('\n');
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

/// The entity type `--on` names.
fn entity(model: &Model, name: &str) -> Result<crate::model::EntityIdx, Failure> {
    let known = || model.entities().iter().map(|e| e.name.as_str());
    model.entity(name).ok_or_else(|| unknown(NameKind::Entity, name, known(), &model.reserved().entity_names))
}

/// `direct`, or the include chain a permission comes through.
fn how(via: &[&str]) -> String {
    if via.len() == 1 { "direct".to_string() } else { format!("via {}", via.join(" > ")) }
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    Direct,
    Inherited,
    Not,
}

/// The matrix every format writes: permissions down (by id), roles across (by id).
fn grid(model: &Model) -> impl Iterator<Item = (&str, Vec<Cell>)> {
    model.indexed_permissions().map(move |(p, perm)| {
        let cells = model.roles().iter().map(|r| match (r.effective.contains(p), r.permissions.contains(&p)) {
            (false, _) => Cell::Not,
            (true, true) => Cell::Direct,
            (true, false) => Cell::Inherited,
        });
        (perm.name.as_str(), cells.collect())
    })
}

/// Permissions down, roles across, as in the text and Markdown tables.
fn matrix_csv(model: &Model) -> String {
    let mut out = String::from("permission");
    model.roles().iter().for_each(|r| out.push_str(&format!(",{}", r.name)));
    out.push('\n');
    for (permission, cells) in grid(model) {
        out.push_str(permission);
        for cell in cells {
            out.push_str(match cell {
                Cell::Direct => ",direct",
                Cell::Inherited => ",inherited",
                Cell::Not => ",",
            });
        }
        out.push('\n');
    }
    out
}

fn matrix_markdown(model: &Model) -> String {
    let mut out = String::from("| Permission |");
    model.roles().iter().for_each(|r| out.push_str(&format!(" `{}` |", r.name)));
    out.push_str(&format!("\n|---|{}\n", ":---:|".repeat(model.roles().len())));
    for (permission, cells) in grid(model) {
        out.push_str(&format!("| `{permission}` |"));
        for cell in cells {
            out.push_str(match cell {
                Cell::Direct => " ✅ |",
                Cell::Inherited => " ☑️ |",
                Cell::Not => "  |",
            });
        }
        out.push('\n');
    }
    out
}

/// Permissions down, roles across; `x` granted directly, `+` inherited, `.` not held.
fn matrix_text(model: &Model) -> String {
    let width = model.permissions().iter().map(|p| p.name.len()).max().unwrap_or(0).max("permission".len());
    let mut out = format!("{:<width$}", "permission");
    model.roles().iter().for_each(|r| out.push_str(&format!("  {}", r.name)));
    out.push('\n');
    for (permission, cells) in grid(model) {
        let mut line = format!("{permission:<width$}");
        for (cell, role) in cells.into_iter().zip(model.roles()) {
            let mark = match cell {
                Cell::Direct => "x",
                Cell::Inherited => "+",
                Cell::Not => ".",
            };
            line.push_str(&format!("  {mark:^w$}", w = role.name.len()));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push_str("x: granted directly, +: inherited through an include\n");
    out
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
