//! The file's outline for the editor (`textDocument/documentSymbol`): every entity, permission,
//! role, legacy level, policy and described predicate it declares, in file order, each with its
//! kind and id. Read by
//! the forgiving [`outline`](super::outline), so the outline stays while a line is half typed.

use lsp_types::{DocumentSymbol, SymbolKind};

use super::document::Document;
use super::index::Sym;
use super::outline::Named;

/// The symbols of `doc`, flat (sections may be written in any order, so no entry nests in a
/// section's range).
pub fn symbols(doc: &Document) -> Vec<DocumentSymbol> {
    doc.outline().all().iter().filter_map(|named| symbol(doc, named)).collect()
}

/// One declaration's symbol; none for a predicate only named by rules and tests, nor for an
/// empty name (which editors refuse to show).
fn symbol(doc: &Document, named: &Named) -> Option<DocumentSymbol> {
    if !named.declared || named.name.is_empty() {
        return None;
    }
    // The extent holds the name, except in text no valid file has; the range must hold it.
    let extent = named.extent.start.min(named.at.start)..named.extent.end.max(named.at.end);
    #[allow(deprecated)] // `deprecated` is a required field of the struct, superseded by `tags`
    Some(DocumentSymbol {
        name: named.name.clone(),
        detail: Some(detail(named)),
        kind: kind(named.sym),
        tags: None,
        deprecated: None,
        range: doc.range(&extent),
        selection_range: doc.range(&named.at),
        children: None,
    })
}

/// What the editor shows beside the name: the kind of entry and its id.
fn detail(named: &Named) -> String {
    match &named.id {
        Some(id) => format!("{} {id}", named.sym.noun()),
        None => named.sym.noun().to_string(),
    }
}

/// The icon each kind of entry gets, as in completion.
fn kind(sym: Sym) -> SymbolKind {
    match sym {
        Sym::Entity => SymbolKind::MODULE,
        Sym::Permission => SymbolKind::CONSTANT,
        Sym::Role => SymbolKind::CLASS,
        Sym::Level => SymbolKind::ENUM_MEMBER,
        Sym::Policy => SymbolKind::FUNCTION,
        Sym::Predicate => SymbolKind::METHOD,
    }
}
