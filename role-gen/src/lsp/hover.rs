//! Hover: what a name is (its id, its description), for a role its effective permissions with
//! the include path each comes through (as `role-gen explain` says it), for a permission the
//! roles that hold it (as `role-gen who-can` says it); for a key or a section, what the schema
//! says of it.

use std::fmt::Write as _;

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

use super::document::Document;
use super::index::{Occurrence, Sym, inner};
use super::scan::{self, Place, Spot, is_key_byte};
use crate::escape::shown;
use crate::model::{Model, RoleIdx};

/// The most roles or permissions a hover lists; the rest are counted, with the command that
/// lists them all.
const MOST: usize = 30;

/// The hover at `position`.
pub fn hover(doc: &Document, position: Position) -> Option<Hover> {
    let offset = doc.offset(position);
    if let Some(at) = doc.parsed().index.at(offset) {
        let value = name(doc, at);
        let range = doc.range(&inner(&doc.text, &at.span, &at.name));
        return Some(markdown(value, Some(range)));
    }
    key(doc, offset)
}

fn markdown(value: String, range: Option<lsp_types::Range>) -> Hover {
    Hover { contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value }), range }
}

/// User text as Markdown shows it literally: invisible characters escaped (as on a terminal),
/// Markdown's own characters backslashed, so a description cannot turn into a link or markup.
pub fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in shown(text).chars() {
        if "\\`*_{}[]()<>#+-.!|~&".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn name(doc: &Document, at: &Occurrence) -> String {
    let mut out = format!("**{}** `{}`", at.sym.noun(), at.name);
    let known = doc.outline().get(at.sym, &at.name);
    if let Some(id) = known.and_then(|n| n.id.as_deref()) {
        let _ = write!(out, " · id {}", plain(id));
    }
    if let Some(description) = known.and_then(|n| n.description.as_deref()) {
        let _ = write!(out, "\n\n{}", plain(description));
    }
    let Some(model) = doc.model() else {
        if matches!(at.sym, Sym::Role | Sym::Permission) {
            out.push_str("\n\n_who holds what is shown once the file validates_");
        }
        return out;
    };
    let more = match at.sym {
        Sym::Role => role(model, &at.name),
        Sym::Permission => permission(model, &at.name),
        Sym::Entity => entity(model, &at.name),
        Sym::Level => level(model, &at.name),
        Sym::Policy => policy(model, &at.name),
        Sym::Predicate => predicate(model, &at.name),
    };
    if let Some(more) = more {
        let _ = write!(out, "\n\n{more}");
    }
    out
}

fn role(model: &Model, name: &str) -> Option<String> {
    let r = model.role(name)?;
    let role = &model.roles()[r];
    let mut out = entities_line("assignable on", model, &role.assignable_on);
    let chains = model.chains(r);
    let held: Vec<_> = role.effective.iter().collect();
    let direct = held.iter().filter(|p| role.permissions.contains(p)).count();
    let _ = write!(
        out,
        "\n\n**effective permissions**: {} ({direct} direct, {} through includes)",
        held.len(),
        held.len().saturating_sub(direct)
    );
    for &p in held.iter().take(MOST) {
        let via = chains.to(p).map(|chain| path(model, &chain)).unwrap_or_default();
        let _ = write!(out, "\n- `{}`{via}", model.permissions()[p].name);
    }
    more_line(&mut out, held.len(), &format!("role-gen explain {name}"));
    Some(out)
}

/// ` via a > b` for an include chain longer than the role itself.
fn path(model: &Model, chain: &[RoleIdx]) -> String {
    if chain.len() < 2 {
        return String::new();
    }
    let names: Vec<&str> = chain.iter().map(|&r| model.roles()[r].name.as_str()).collect();
    format!(" via `{}`", names.join(" > "))
}

fn more_line(out: &mut String, total: usize, command: &str) {
    if total > MOST {
        let _ = write!(out, "\n- … and {} more (`{command}`)", total - MOST);
    }
}

fn entities_line(what: &str, model: &Model, entities: &[crate::model::EntityIdx]) -> String {
    if entities.len() == model.entities().len() || entities.is_empty() {
        return format!("{what}: every entity type");
    }
    let names: Vec<String> = entities.iter().map(|&e| format!("`{}`", model.entities()[e].name)).collect();
    format!("{what}: {}", names.join(", "))
}

fn permission(model: &Model, name: &str) -> Option<String> {
    let p = model.permission(name)?;
    let permission = &model.permissions()[p];
    let mut out = entities_line("checked on", model, &permission.entities);
    if let Some(group) = &permission.group {
        let _ = write!(out, " · group {}", plain(group));
    }
    if permission.deprecated.is_deprecated() {
        let reason = permission.deprecated.reason().map(|r| format!(": {}", plain(r))).unwrap_or_default();
        let _ = write!(out, "\n\n**deprecated**{reason}");
    }
    let holders = model.holders(p);
    let _ = write!(out, "\n\n**held by** {} role{}", holders.len(), if holders.len() == 1 { "" } else { "s" });
    for (r, chain) in holders.iter().take(MOST) {
        let how = if chain.len() < 2 { " (direct)".to_string() } else { path(model, chain) };
        let _ = write!(out, "\n- `{}`{how}", model.roles()[*r].name);
    }
    more_line(&mut out, holders.len(), &format!("role-gen who-can {name}"));
    Some(out)
}

fn entity(model: &Model, name: &str) -> Option<String> {
    let e = model.entity(name)?;
    let mut line = vec![model.entities()[e].name.as_str()];
    let mut at = model.entities()[e].parent;
    while let Some(parent) = at.filter(|_| line.len() <= model.entities().len()) {
        line.push(&model.entities()[parent].name);
        at = model.entities()[parent].parent;
    }
    let number = model.entities()[e].id;
    Some(format!("protobuf number {number} · lies in: `{}`", line.join(" > ")))
}

fn level(model: &Model, name: &str) -> Option<String> {
    let levels = model.legacy_levels();
    let i = levels.iter().position(|l| l.name == name)?;
    Some(format!("level {} of {} (lowest first; its protobuf number)", i + 1, levels.len()))
}

fn policy(model: &Model, name: &str) -> Option<String> {
    let p = &model.policies()[model.policy(name)?];
    let entity = &model.entities()[p.entity].name;
    Some(format!("decides on `{entity}` · {} rule{}", p.rules.len(), if p.rules.len() == 1 { "" } else { "s" }))
}

fn predicate(model: &Model, name: &str) -> Option<String> {
    let asking: Vec<String> = model
        .policies()
        .iter()
        .filter(|p| p.rules.iter().any(|r| r.kind.predicate() == Some(name)))
        .map(|p| format!("`{}`", p.name))
        .collect();
    let asked = if asking.is_empty() { "no policy".to_string() } else { asking.join(", ") };
    Some(format!("asked by {asked}; the application implements it"))
}

/// What the schema says of the key or section under `offset`.
fn key(doc: &Document, offset: usize) -> Option<Hover> {
    let cursor = scan::cursor(&doc.text, offset);
    let tail = doc.text.get(cursor.word.end..).unwrap_or_default();
    let word = cursor.word.start..cursor.word.end + tail.bytes().take_while(|&b| is_key_byte(b)).count();
    let name = doc.text.get(word.clone()).filter(|w| !w.is_empty())?;
    let parent = match &cursor.spot {
        Spot::Key { table, .. } => table.as_slice(),
        Spot::Header { parts, .. } => parts.as_slice(),
        _ => return None,
    };
    let Place::Table(table) = scan::resolve(parent) else { return None };
    let key = table.key(name)?;
    let required = if key.required { "required" } else { "optional" };
    let value = format!(
        "**{}** in `{}` · {}, {required}\n\n{}",
        key.name,
        table.header,
        super::completion::value_words(key.value),
        key.doc
    );
    Some(markdown(value, Some(doc.range(&word))))
}
