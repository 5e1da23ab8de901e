//! `explain`, `who-can` and `matrix`: questions answered from the model.

use super::commands::load;
use super::output::{errln, out};
use super::{Cli, Command, Failure, MatrixFormat, QueryFormat, Style, find_roles_file};
use crate::Model;
use crate::diagnostic::json_string;
use crate::escape::{shown, shown_lines};
use crate::suggest::did_you_mean;

/// Runs `explain`, `who-can` or `matrix`.
pub fn run(cli: &Cli, style: Style) -> Result<(), Failure> {
    let project = load(&find_roles_file(cli.file.as_deref())?, style)?;
    let model = project.model();
    let text = match &cli.command {
        Command::Explain { role, format } => explain(model, role, *format)?,
        Command::WhoCan { permission, format } => who_can(model, permission, *format)?,
        Command::Matrix { format } => matrix(model, *format),
        _ => return Ok(()),
    };
    out!("{text}");
    Ok(())
}

/// An unknown name: a refusal (exit 1) with a did-you-mean.
fn unknown<'a>(kind: &str, name: &str, known: impl Iterator<Item = &'a str>) -> Failure {
    let help = did_you_mean(name, known).map(|h| format!("\n  help: {h}")).unwrap_or_default();
    errln!("error: unknown {kind} `{}`{}", shown(name), shown_lines(&help));
    Failure::Checked
}

fn names<'m>(model: &'m Model, path: &[usize]) -> Vec<&'m str> {
    path.iter().map(|&r| model.roles[r].name.as_str()).collect()
}

fn json_list(items: &[&str]) -> String {
    format!("[{}]", items.iter().map(|s| json_string(s)).collect::<Vec<_>>().join(","))
}

fn explain(model: &Model, role: &str, format: QueryFormat) -> Result<String, Failure> {
    let r = model.role(role).ok_or_else(|| unknown("role", role, model.roles.iter().map(|r| r.name.as_str())))?;
    let rows: Vec<(&str, Vec<&str>)> = model.roles[r]
        .effective
        .iter()
        .map(|p| (model.permissions[p].name.as_str(), names(model, &model.via(r, p).unwrap_or_default())))
        .collect();
    Ok(match format {
        QueryFormat::Json => {
            let items: Vec<String> = rows
                .iter()
                .map(|(p, via)| format!("{{\"permission\":{},\"via\":{}}}", json_string(p), json_list(via)))
                .collect();
            format!("{{\"role\":{},\"permissions\":[{}]}}\n", json_string(role), items.join(","))
        }
        QueryFormat::Text => {
            let width = rows.iter().map(|(p, _)| p.len()).max().unwrap_or(0);
            let mut out = format!("role `{role}` has {} effective permission{}\n", rows.len(), plural(rows.len()));
            for (p, via) in &rows {
                let how = if via.len() == 1 { "direct".to_string() } else { format!("via {}", via.join(" > ")) };
                out.push_str(&format!("  {p:<width$}  {how}\n"));
            }
            out
        }
    })
}

fn who_can(model: &Model, permission: &str, format: QueryFormat) -> Result<String, Failure> {
    let p = model
        .permission(permission)
        .ok_or_else(|| unknown("permission", permission, model.permissions.iter().map(|p| p.name.as_str())))?;
    let rows: Vec<(&str, Vec<&str>)> = (0..model.roles.len())
        .filter_map(|r| Some((model.roles[r].name.as_str(), names(model, &model.via(r, p)?))))
        .collect();
    Ok(match format {
        QueryFormat::Json => {
            let items: Vec<String> = rows
                .iter()
                .map(|(r, via)| format!("{{\"role\":{},\"via\":{}}}", json_string(r), json_list(via)))
                .collect();
            format!("{{\"permission\":{},\"roles\":[{}]}}\n", json_string(permission), items.join(","))
        }
        QueryFormat::Text => {
            let width = rows.iter().map(|(r, _)| r.len()).max().unwrap_or(0);
            let mut out = format!("{} role{} hold `{permission}`\n", rows.len(), plural(rows.len()));
            for (r, via) in &rows {
                let how = if via.len() == 1 { "direct".to_string() } else { format!("via {}", via.join(" > ")) };
                out.push_str(&format!("  {r:<width$}  {how}\n"));
            }
            out
        }
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A cell: granted directly, inherited through an include, or not held.
fn cell(model: &Model, role: usize, permission: usize) -> Option<bool> {
    let r = &model.roles[role];
    r.effective.contains(permission).then(|| r.permissions.contains(&permission))
}

fn matrix(model: &Model, format: MatrixFormat) -> String {
    match format {
        MatrixFormat::Json => matrix_json(model),
        MatrixFormat::Csv => matrix_csv(model),
        MatrixFormat::Markdown => matrix_markdown(model),
        MatrixFormat::Text => matrix_text(model),
    }
}

fn matrix_json(model: &Model) -> String {
    let permissions: Vec<&str> = model.permissions.iter().map(|p| p.name.as_str()).collect();
    let roles: Vec<String> = model
        .roles
        .iter()
        .map(|r| {
            let held: Vec<&str> = r.effective.iter().map(|p| permissions[p]).collect();
            format!("{{\"role\":{},\"permissions\":{}}}", json_string(&r.name), json_list(&held))
        })
        .collect();
    format!("{{\"permissions\":{},\"roles\":[{}]}}\n", json_list(&permissions), roles.join(","))
}

fn matrix_csv(model: &Model) -> String {
    let mut out = String::from("role");
    for p in &model.permissions {
        out.push(',');
        out.push_str(&p.name);
    }
    out.push('\n');
    for (r, role) in model.roles.iter().enumerate() {
        out.push_str(&role.name);
        for p in 0..model.permissions.len() {
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
    for r in &model.roles {
        out.push_str(&format!(" `{}` |", r.name));
    }
    out.push_str("\n|---|");
    out.push_str(&":---:|".repeat(model.roles.len()));
    out.push('\n');
    for (p, perm) in model.permissions.iter().enumerate() {
        out.push_str(&format!("| `{}` |", perm.name));
        for r in 0..model.roles.len() {
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
    let width = model.permissions.iter().map(|p| p.name.len()).max().unwrap_or(0).max("permission".len());
    let heads: Vec<String> = model.roles.iter().map(|r| r.name.clone()).collect();
    let mut out = format!("{:<width$}", "permission");
    for h in &heads {
        out.push_str(&format!("  {h}"));
    }
    out.push('\n');
    for (p, perm) in model.permissions.iter().enumerate() {
        out.push_str(&format!("{:<width$}", perm.name));
        for (r, h) in heads.iter().enumerate() {
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
