//! Go to definition, find references, highlight and rename, for every kind of name: entities,
//! permissions, roles, legacy levels, policies, predicates.
//!
//! A rename changes the declaration and every reference in the file, refuses a name that is
//! invalid, taken or reserved (as `role-gen add` refuses one), and says what it breaks on the
//! wire the way `role-gen diff` says it: the file before and after are compared by the diff
//! module itself, so a renamed permission reads `permission-renamed` here as it will in review.

use std::fmt::Write as _;

use lsp_types::{
    ChangeAnnotation, DocumentHighlight, DocumentHighlightKind, Location, Position, PrepareRenameResponse, TextEdit,
    WorkspaceEdit,
};

use super::client::Client;
use super::document::Document;
use super::index::{Occurrence, Sym, inner, spelled_like};
use super::{edits, typed};
use crate::names::{is_valid_name, name_problem};
use crate::suggest::reserved_reason;
use crate::syntax::File;

/// The name under `position`.
fn at(doc: &Document, position: Position) -> Option<&Occurrence> {
    doc.parsed().index.at(doc.offset(position))
}

fn location(doc: &Document, o: &Occurrence) -> Location {
    Location { uri: doc.uri.clone(), range: doc.range(&inner(&doc.text, &o.span, &o.name)) }
}

/// Where the name under `position` is declared (a name declared twice: both places). In text
/// that does not parse, the name is read by the scan and found in the outline.
pub fn definition(doc: &Document, position: Position) -> Vec<Location> {
    if let Some(at) = at(doc, position) {
        return doc.parsed().index.declarations(at.sym, &at.name).map(|o| location(doc, o)).collect();
    }
    if doc.parsed().toml || doc.too_large() {
        return Vec::new();
    }
    let Some(typed) = typed::at(&doc.text, doc.offset(position)) else { return Vec::new() };
    let declared = doc.outline().get(typed.sym, &typed.name);
    declared.map(|named| Location { uri: doc.uri.clone(), range: doc.range(&named.at) }).into_iter().collect()
}

/// Every place the name under `position` is written, its declaration with `declaration`.
pub fn references(doc: &Document, position: Position, declaration: bool) -> Vec<Location> {
    let Some(at) = at(doc, position) else { return Vec::new() };
    let all = doc.parsed().index.all(at.sym, &at.name);
    all.filter(|o| declaration || !o.declares).map(|o| location(doc, o)).collect()
}

/// The places of the name under `position`, the declaration marked as written.
pub fn highlight(doc: &Document, position: Position) -> Vec<DocumentHighlight> {
    let Some(at) = at(doc, position) else { return Vec::new() };
    let all = doc.parsed().index.all(at.sym, &at.name);
    all.map(|o| DocumentHighlight {
        range: location(doc, o).range,
        kind: Some(if o.declares { DocumentHighlightKind::WRITE } else { DocumentHighlightKind::READ }),
    })
    .collect()
}

/// The range a rename at `position` replaces, and the name there now.
pub fn prepare_rename(doc: &Document, position: Position) -> Result<PrepareRenameResponse, String> {
    let at = at(doc, position).ok_or_else(nothing_to_rename)?;
    let range = location(doc, at).range;
    Ok(PrepareRenameResponse::RangeWithPlaceholder { range, placeholder: at.name.clone() })
}

fn nothing_to_rename() -> String {
    "there is no name here to rename: put the cursor on a permission, role, entity, legacy level, policy or \
     predicate"
        .to_string()
}

/// A rename's edit, and what it breaks when it breaks something.
#[derive(Debug)]
pub struct Renamed {
    pub edit: WorkspaceEdit,
    /// What `role-gen diff` would report about it, said to the user as the edit is applied.
    pub breaks: Option<String>,
}

/// Renames the name under `position` to `new`, everywhere in the file.
pub fn rename(doc: &Document, position: Position, new: &str, client: Client) -> Result<Renamed, String> {
    let at = at(doc, position).ok_or_else(nothing_to_rename)?;
    let (sym, old) = (at.sym, at.name.clone());
    allowed(doc, sym, &old, new)?;
    let mut changes: Vec<(std::ops::Range<usize>, String)> =
        doc.parsed().index.all(sym, &old).map(|o| (o.span.clone(), spelled_like(&doc.text, &o.span, new))).collect();
    changes.sort_by_key(|(span, _)| span.start);
    let text = replaced(&doc.text, &changes);
    let said = wire(doc, &text, sym, &old, new)?;
    let edits: Vec<TextEdit> =
        changes.iter().map(|(span, written)| TextEdit { range: doc.range(span), new_text: written.clone() }).collect();
    let annotation = ChangeAnnotation {
        label: format!("rename {} `{old}` to `{new}`", sym.noun()),
        needs_confirmation: Some(said.breaks),
        description: Some(said.text.clone()),
    };
    let edit = edits::workspace(doc, edits, Some(annotation), client);
    Ok(Renamed { edit, breaks: said.breaks.then_some(said.text) })
}

/// Refuses a new name that is not valid, already taken by one of its kind, or reserved.
fn allowed(doc: &Document, sym: Sym, old: &str, new: &str) -> Result<(), String> {
    if !is_valid_name(new) {
        return Err(format!(
            "`{}` is not a valid name: {}; names are ASCII snake_case, like `export_data`",
            crate::escape::shown(new),
            name_problem(new)
        ));
    }
    let noun = sym.noun();
    if new != old && (doc.parsed().index.declares(sym, new) || doc.outline().get(sym, new).is_some()) {
        return Err(format!("{noun} `{new}` already exists; choose another name"));
    }
    if let Some(kind) = sym.name_kind()
        && reserved(&doc.parsed().file, sym).iter().any(|r| r == new)
    {
        return Err(format!("{noun} name `{new}` is reserved: {}", reserved_reason(kind)));
    }
    Ok(())
}

/// The names `[reserved]` keeps for `sym`.
fn reserved(file: &File, sym: Sym) -> Vec<String> {
    let r = &file.reserved;
    let list = match sym {
        Sym::Permission => &r.permission_names,
        Sym::Role => &r.role_names,
        Sym::Policy => &r.policy_names,
        Sym::Entity => &r.entity_names,
        Sym::Level | Sym::Predicate => return Vec::new(),
    };
    list.iter().map(|n| n.get_ref().clone()).collect()
}

/// `text` with each span replaced (spans in order, not overlapping).
fn replaced(text: &str, changes: &[(std::ops::Range<usize>, String)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (span, written) in changes {
        out.push_str(text.get(at..span.start).unwrap_or_default());
        out.push_str(written);
        at = span.end;
    }
    out.push_str(text.get(at..).unwrap_or_default());
    out
}

/// What the rename does to the wire, in `role-gen diff`'s words.
struct Said {
    text: String,
    breaks: bool,
}

/// Compares the file before and after the rename as `role-gen diff` does. A rename that would
/// make a valid file invalid is refused, with the error it would cause.
fn wire(doc: &Document, after: &str, sym: Sym, old: &str, new: &str) -> Result<Said, String> {
    let Ok(before) = doc.validated() else {
        return Ok(Said {
            text: "roles.toml does not validate yet, so what this rename breaks cannot be said; run `role-gen diff` \
                   once it does"
                .into(),
            breaks: false,
        });
    };
    let after = match role_gen_core::validate_text(doc.name.as_str(), after) {
        Ok(after) => after,
        Err(diagnostics) => {
            let first = diagnostics.errors().next().map(|d| d.message.clone()).unwrap_or_default();
            return Err(format!("renaming {} `{old}` to `{new}` would make roles.toml invalid: {first}", sym.noun()));
        }
    };
    let report = crate::diff::compare(before.model(), after.model());
    let mut text = String::new();
    for finding in &report.breaking {
        let _ = write!(text, "\n{}: {}", finding.change, finding.message);
        if let Some(help) = &finding.help {
            let _ = write!(text, "\n  help: {help}");
        }
    }
    let breaks = !report.breaking.is_empty();
    let head = if breaks {
        format!(
            "renaming {} `{old}` to `{new}` breaks what is built on roles.toml, as `role-gen diff` reports:",
            sym.noun()
        )
    } else {
        format!("renaming {} `{old}` to `{new}`: `role-gen diff` reports nothing it breaks", sym.noun())
    };
    Ok(Said { text: head + &text, breaks })
}
