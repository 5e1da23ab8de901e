//! Quick fixes and edits: a did-you-mean applied, a permission no role grants granted, an entry
//! removed with its id and name reserved, and formatting.
//!
//! Every fix but the did-you-mean is an editing command of [`crate::edit`] (`grant`, `remove`,
//! `fmt`) run on the editor's text: the file comes back laid out the way `fmt` lays it out,
//! validated, or not at all, and the difference is sent as edits. Those are computed when the
//! user picks the action (`codeAction/resolve`), when the client can ask for that: a menu of
//! ten grants on a 2 MB file does not validate it twenty times before it opens.

use std::path::Path;

use lsp_types::{CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, TextEdit, Uri};
use serde::{Deserialize, Serialize};

use super::client::Client;
use super::document::Document;
use super::edits;
use super::index::{Sym, spelled_like};
use crate::edit::{self, Edit, EditError, Kind};
use crate::model::{Model, PermIdx, RoleIdx};
use crate::{Code, Diagnostic};

/// The most roles offered to grant an ungranted permission to: the closest ones first.
const MOST_ROLES: usize = 10;

/// The most actions whose edit is computed at once, for a client that cannot resolve them later.
const MOST_EAGER: usize = 5;

/// An action whose edit is computed on demand, as it travels in the action's `data`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Deferred {
    uri: Uri,
    fix: Fix,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
enum Fix {
    Grant { role: String, permission: String },
    Remove { sym: Sym, name: String, force: bool },
}

/// The actions for the range and cursor of `params`.
pub fn actions(doc: &Document, params: &CodeActionParams, client: Client) -> Vec<CodeActionOrCommand> {
    let span = doc.offset(params.range.start)..doc.offset(params.range.end);
    let mut out: Vec<CodeAction> = Vec::new();
    let found = match doc.validated() {
        Ok(valid) => valid.diagnostics(),
        Err(invalid) => invalid,
    };
    let touching = |d: &&Diagnostic| d.span.as_ref().is_some_and(|s| s.start <= span.end && span.start <= s.end);
    for d in found.iter().filter(touching) {
        out.extend(did_you_mean(doc, d, client));
        if d.code == Code::UngrantedPermission {
            out.extend(grants(doc, d, client));
        }
    }
    out.extend(removals(doc, span.start));
    let only = params.context.only.as_deref().unwrap_or_default();
    out.retain(|a| only.is_empty() || a.kind.as_ref().is_some_and(|k| only.iter().any(|o| within(k, o))));
    let mut eager = 0;
    out.into_iter()
        .filter_map(|action| {
            if client.resolve || action.data.is_none() {
                return Some(action);
            }
            eager += 1;
            if eager > MOST_EAGER {
                return None;
            }
            resolve(doc, action, client).ok()
        })
        .map(CodeActionOrCommand::CodeAction)
        .collect()
}

/// Whether `kind` is `only` or below it (`refactor.rewrite` within `refactor`).
fn within(kind: &CodeActionKind, only: &CodeActionKind) -> bool {
    let (k, o) = (kind.as_str(), only.as_str());
    k == o || k.strip_prefix(o).is_some_and(|rest| rest.starts_with('.'))
}

/// The diagnostic as the protocol says it, for the action that fixes it.
fn diagnostic(doc: &Document, d: &Diagnostic, client: Client) -> lsp_types::Diagnostic {
    super::diagnostics::one(doc, d, super::diagnostics::Shows { related: client.related })
}

/// `did you mean `x`?`: the misspelt name or key replaced by the suggestion, quoted as it was.
fn did_you_mean(doc: &Document, d: &Diagnostic, client: Client) -> Option<CodeAction> {
    let help = d.help.as_deref()?;
    let (_, rest) = help.split_once("did you mean `")?;
    let (suggestion, _) = rest.split_once('`')?;
    let span = d.span.clone()?;
    let written = spelled_like(&doc.text, &span, suggestion);
    let edit = vec![TextEdit { range: doc.range(&span), new_text: written }];
    Some(CodeAction {
        title: format!("Change to `{suggestion}`"),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic(doc, d, client)]),
        edit: Some(edits::workspace(doc, edit, None, client)),
        is_preferred: Some(true),
        ..CodeAction::default()
    })
}

/// For `ungranted-permission`: grant it to one of the roles most like the permission.
fn grants(doc: &Document, d: &Diagnostic, client: Client) -> Vec<CodeAction> {
    let model = doc.model();
    let at = d.span.as_ref().and_then(|s| doc.parsed().index.at(s.start)).filter(|o| o.sym == Sym::Permission);
    let (Some(model), Some(at)) = (model, at) else { return Vec::new() };
    let Some(p) = model.permission(&at.name) else { return Vec::new() };
    closest_roles(model, p)
        .into_iter()
        .map(|r| {
            let role = model.roles()[r].name.clone();
            let fix = Fix::Grant { role: role.clone(), permission: at.name.clone() };
            CodeAction {
                title: format!("Grant `{}` to role `{role}`", at.name),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic(doc, d, client)]),
                data: Some(deferred(doc, fix)),
                ..CodeAction::default()
            }
        })
        .collect()
}

/// The roles to offer for `p`: those whose direct grants share its group, then its entity types,
/// most first, ties by id (the model's order).
fn closest_roles(model: &Model, p: PermIdx) -> Vec<RoleIdx> {
    let perm = &model.permissions()[p];
    let score = |r: &crate::model::Role| -> usize {
        let same = |q: &PermIdx| {
            let other = &model.permissions()[*q];
            2 * usize::from(perm.group.is_some() && other.group == perm.group)
                + usize::from(other.entities == perm.entities)
        };
        r.permissions.iter().map(same).sum()
    };
    let mut roles: Vec<(usize, RoleIdx)> = model.indexed_roles().map(|(i, r)| (score(r), i)).collect();
    roles.sort_by_key(|&(s, i)| (std::cmp::Reverse(s), i));
    roles.into_iter().take(MOST_ROLES).map(|(_, i)| i).collect()
}

/// On the declaration of a permission, role, policy or entity type: remove it and reserve its
/// id and name (and, when the file still names it, drop those references too).
fn removals(doc: &Document, offset: usize) -> Vec<CodeAction> {
    let index = &doc.parsed().index;
    let Some(at) = index.at(offset).filter(|o| o.declares) else { return Vec::new() };
    if kind(at.sym).is_none() || decided_on(doc, at.sym, &at.name) {
        return Vec::new();
    }
    let references = index.all(at.sym, &at.name).filter(|o| !o.declares).count();
    let id = doc.outline().get(at.sym, &at.name).and_then(|n| n.id.clone());
    let reserving = match id {
        Some(id) => format!("reserving id {id} and its name"),
        None => "reserving its number and name".to_string(),
    };
    let title = match references {
        0 => format!("Remove {} `{}`, {reserving}", at.sym.noun(), at.name),
        n => format!("Remove {} `{}` and the {n} reference{} to it, {reserving}", at.sym.noun(), at.name, plural(n)),
    };
    let fix = Fix::Remove { sym: at.sym, name: at.name.clone(), force: references > 0 };
    vec![CodeAction {
        title,
        kind: Some(CodeActionKind::REFACTOR_REWRITE),
        data: Some(deferred(doc, fix)),
        ..CodeAction::default()
    }]
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Whether a policy decides on entity type `name` (then `remove` refuses it, even forced).
fn decided_on(doc: &Document, sym: Sym, name: &str) -> bool {
    sym == Sym::Entity
        && doc.parsed().file.policies.iter().any(|p| p.entity.as_ref().is_some_and(|e| e.get_ref() == name))
}

fn kind(sym: Sym) -> Option<Kind> {
    match sym {
        Sym::Permission => Some(Kind::Permission),
        Sym::Role => Some(Kind::Role),
        Sym::Policy => Some(Kind::Policy),
        Sym::Entity => Some(Kind::Entity),
        Sym::Level | Sym::Predicate => None,
    }
}

fn deferred(doc: &Document, fix: Fix) -> serde_json::Value {
    serde_json::to_value(Deferred { uri: doc.uri.clone(), fix }).unwrap_or_default()
}

/// The document a deferred action was made for.
pub fn target(action: &CodeAction) -> Option<Uri> {
    serde_json::from_value::<Deferred>(action.data.clone()?).ok().map(|d| d.uri)
}

/// The action with its edit: the editing command run on the current text.
pub fn resolve(doc: &Document, mut action: CodeAction, client: Client) -> Result<CodeAction, String> {
    let Some(data) = action.data.clone() else { return Ok(action) };
    let deferred: Deferred =
        serde_json::from_value(data).map_err(|e| format!("this action was not made by role-gen lsp: {e}"))?;
    let request = match deferred.fix {
        Fix::Grant { role, permission } => Edit::Grant { role, permissions: vec![permission] },
        Fix::Remove { sym, name, force } => {
            let kind = kind(sym).ok_or("only permissions, roles, policies and entity types are removed")?;
            Edit::Remove { kind, name, force }
        }
    };
    let text = edited(doc, &request)?;
    action.edit = Some(edits::workspace(doc, edits::between(doc, &text), None, client));
    Ok(action)
}

/// The text after `request`, as the editing command gives it.
fn edited(doc: &Document, request: &Edit) -> Result<String, String> {
    match edit::apply_to_text(Path::new(&doc.name), &doc.text, request) {
        Ok(outcome) => Ok(outcome.text),
        Err(EditError::Refused(refusal)) => Err(refusal.to_string()),
        Err(EditError::Invalid { diagnostics, .. }) => {
            let first = diagnostics.errors().next().map(|d| d.message.clone()).unwrap_or_default();
            Err(format!("the edit would leave roles.toml invalid: {first}"))
        }
    }
}

/// `fmt` as edits; none for a file that does not validate (formatting it could hide the lines
/// its errors point at), with the reason.
pub fn format(doc: &Document) -> Result<Vec<TextEdit>, String> {
    if doc.too_large() {
        return Err("roles.toml is larger than role-gen reads".into());
    }
    let text = edited(doc, &Edit::Format { sort: false })?;
    Ok(if text == doc.text { Vec::new() } else { edits::between(doc, &text) })
}
