//! Completion where the cursor is: the names a key refers to (permissions in a role's
//! `permissions`, roles in `includes`, entities, legacy levels, predicates, policies), the
//! values a key takes (`expect`, `targets`, booleans, `[review] allow` codes), rule kinds,
//! the keys of the table the cursor is in and the sections of the file. Keys and their docs
//! come from the one schema table; names from the file's outline, which is read also while
//! the file is not TOML.

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionList, CompletionTextEdit, Documentation, MarkupContent, MarkupKind,
    Position, TextEdit,
};
use role_gen_core::schema::{self, Key, Table, Value};

use super::document::Document;
use super::index::Sym;
use super::outline::Named;
use super::scan::{self, Cursor, Place, Spot, is_key_byte};
use crate::Target;
use role_gen_core::codes::{Change, Class};

/// The most items one answer holds; past it the list is marked incomplete, and the editor asks
/// again as the word grows (10,000 permissions are not sent at every keystroke).
const MOST: usize = 500;

/// The kind of name a key's values refer to, as validation resolves them (a test in this
/// module holds the two the same).
pub fn refers(table: &Table, key: &str) -> Option<Sym> {
    let is = |t: &Table| std::ptr::eq(table, t);
    let sym = match key {
        "permissions" if is(&schema::ROLE) => Sym::Permission,
        "allow_if_permission" if is(&schema::RULE) => Sym::Permission,
        "allow" | "deny" if is(&schema::TEST) => Sym::Permission,
        "includes" if is(&schema::ROLE) => Sym::Role,
        "role" | "roles" | "covers" if is(&schema::TEST) => Sym::Role,
        "role" if is(&schema::ASSIGNMENT) => Sym::Role,
        "assignable_on" if is(&schema::ROLE) => Sym::Entity,
        "entities" if is(&schema::PERMISSION) => Sym::Entity,
        "parent" if is(&schema::ENTITY) => Sym::Entity,
        "entity" if is(&schema::POLICY) || is(&schema::ASSIGNMENT) || is(&schema::ENTITY_REF) => Sym::Entity,
        "deny_if_legacy" | "allow_if_legacy_at_least" if is(&schema::RULE) => Sym::Level,
        "legacy" if is(&schema::TEST) => Sym::Level,
        "allow_if" | "deny_if" if is(&schema::RULE) => Sym::Predicate,
        "policy" if is(&schema::TEST) => Sym::Policy,
        _ => return None,
    };
    Some(sym)
}

/// The completions at `position` of `doc`.
pub fn complete(doc: &Document, position: Position) -> CompletionList {
    let offset = doc.offset(position);
    let cursor = scan::cursor(&doc.text, offset);
    let typed = doc.text.get(cursor.word.clone()).unwrap_or_default().to_string();
    let candidates = match &cursor.spot {
        Spot::Header { double, parts } => headers(*double, parts),
        Spot::Key { table, written } => keys(doc, table, written),
        Spot::Value { path, listed } => values(doc, path, listed),
        Spot::Nothing => Vec::new(),
    };
    let replace = replaced(doc, &cursor);
    let mut matching = candidates.into_iter().filter(|c| fuzzy(&typed, &c.label));
    let mut items: Vec<CompletionItem> = matching.by_ref().take(MOST).map(|c| c.item(doc, &replace, &cursor)).collect();
    let is_incomplete = matching.next().is_some();
    for (i, item) in items.iter_mut().enumerate() {
        item.sort_text = Some(format!("{i:05}"));
    }
    CompletionList { is_incomplete, items }
}

/// One thing that can be completed: the text, and how to show it.
struct Candidate {
    label: String,
    kind: CompletionItemKind,
    detail: Option<String>,
    doc: Option<Doc>,
    /// How it is written: a name in a value is quoted, a key is followed by ` = `.
    insert: Insert,
}

/// A candidate's documentation: role-gen's own Markdown, or the file's text (a description),
/// made literal only for the items sent (not for all 10,000 names a key may refer to).
enum Doc {
    Markdown(String),
    Text(String),
}

impl Doc {
    fn markdown(self) -> String {
        match self {
            Doc::Markdown(m) => m,
            Doc::Text(t) => super::hover::plain(&t),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Insert {
    /// A name or string value: quoted unless typed inside quotes.
    Quoted,
    /// A key: `key = ` unless the line goes on after the word.
    Key,
    /// As it is (`true`, an inline table, a header part).
    Plain,
}

impl Candidate {
    fn item(self, doc: &Document, replace: &std::ops::Range<usize>, cursor: &Cursor) -> CompletionItem {
        let rest_of_line = doc.text.get(replace.end..).unwrap_or_default().lines().next().unwrap_or_default();
        let new_text = match self.insert {
            Insert::Quoted if cursor.quote.is_none() => format!("\"{}\"", self.label),
            Insert::Key if rest_of_line.trim().is_empty() => format!("{} = ", self.label),
            _ => self.label.clone(),
        };
        CompletionItem {
            label: self.label,
            kind: Some(self.kind),
            detail: self.detail,
            documentation: self.doc.map(|doc| {
                Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value: doc.markdown() })
            }),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit { range: doc.range(replace), new_text })),
            ..CompletionItem::default()
        }
    }
}

/// What a completion replaces: the word typed so far and the rest of it after the cursor.
fn replaced(doc: &Document, cursor: &Cursor) -> std::ops::Range<usize> {
    let tail = doc.text.get(cursor.word.end..).unwrap_or_default();
    let more = tail.bytes().take_while(|&b| is_key_byte(b)).count();
    cursor.word.start..cursor.word.end + more
}

/// Whether `typed` is a subsequence of `label`, ignoring case: how editors filter too.
fn fuzzy(typed: &str, label: &str) -> bool {
    let mut label = label.chars().flat_map(char::to_lowercase);
    typed.chars().flat_map(char::to_lowercase).all(|c| label.any(|l| l == c))
}

/// The sections (`[` …) or lists of tables (`[[` …) a header can name after `parts`.
fn headers(double: bool, parts: &[String]) -> Vec<Candidate> {
    let table = match scan::resolve(parts) {
        Place::Table(t) => t,
        _ => return Vec::new(),
    };
    table
        .keys
        .iter()
        .filter(|k| match k.value {
            Value::Tables(_) => double,
            Value::Table(_) | Value::Named(_) => !double,
            _ => false,
        })
        .map(|k| key_candidate(k, CompletionItemKind::MODULE, Insert::Plain))
        .collect()
}

/// The keys the table at `path` may still take, or the names a flags table sets.
fn keys(doc: &Document, path: &[String], written: &[String]) -> Vec<Candidate> {
    match scan::resolve(path) {
        Place::Table(table) => {
            let kind = if table.one_of { CompletionItemKind::KEYWORD } else { CompletionItemKind::PROPERTY };
            let open = table.keys.iter().filter(|k| !written.iter().any(|w| w == k.name));
            // A key whose value is a table is written as its own `[header]`, not here.
            let here = open.filter(|k| !matches!(k.value, Value::Table(_) | Value::Tables(_) | Value::Named(_)));
            let rule_taken = table.one_of && !written.is_empty();
            here.filter(|_| !rule_taken).map(|k| key_candidate(k, kind, Insert::Key)).collect()
        }
        Place::Key(_, key) if key.value == Value::Flags => names(doc, Sym::Predicate, written, None, Insert::Key),
        _ => Vec::new(),
    }
}

fn key_candidate(key: &Key, kind: CompletionItemKind, insert: Insert) -> Candidate {
    let required = if key.required { "required" } else { "optional" };
    Candidate {
        label: key.name.to_string(),
        kind,
        detail: Some(format!("{}, {required}", value_words(key.value))),
        doc: Some(Doc::Markdown(key.doc.to_string())),
        insert,
    }
}

/// What a key holds, in words.
pub fn value_words(value: Value) -> &'static str {
    match value {
        Value::String => "a string",
        Value::Integer => "an integer",
        Value::Boolean => "a boolean",
        Value::Strings => "an array of strings",
        Value::Integers => "an array of integers",
        Value::OneOrMany => "a string or an array of strings",
        Value::TrueOrReason => "`true` or a reason",
        Value::Decision => "`\"allow\"` or `\"deny\"`",
        Value::Flags => "a table of booleans",
        Value::Table(_) => "a table",
        Value::Tables(_) => "an array of tables",
        Value::Named(_) => "named tables",
        Value::Inline(_) => "an array of inline tables",
    }
}

/// The values the key at `path` takes.
fn values(doc: &Document, path: &[String], listed: &[String]) -> Vec<Candidate> {
    match scan::resolve(path) {
        // `rules = [ |`: an element, a table of the key's shape.
        Place::Table(table) => inline_tables(table),
        Place::Key(table, key) => match refers(table, key.name) {
            Some(sym) => names(doc, sym, listed, own(path, sym), Insert::Quoted),
            None => fixed_values(table, key, listed),
        },
        _ => Vec::new(),
    }
}

/// The entry the cursor is in, when it is of kind `sym` (a role does not include itself).
fn own(path: &[String], sym: Sym) -> Option<&str> {
    match path {
        [section, name, ..] if sym.section() == Some(section.as_str()) => Some(name),
        _ => None,
    }
}

/// The names of kind `sym` the file declares, but those already listed and `own`.
fn names(doc: &Document, sym: Sym, listed: &[String], own: Option<&str>, insert: Insert) -> Vec<Candidate> {
    let outline = doc.outline();
    outline
        .names(sym)
        .filter(|n| !listed.contains(&n.name) && Some(n.name.as_str()) != own)
        .map(|n| name_candidate(n, insert))
        .collect()
}

fn name_candidate(named: &Named, insert: Insert) -> Candidate {
    let kind = match named.sym {
        Sym::Entity => CompletionItemKind::MODULE,
        Sym::Permission => CompletionItemKind::CONSTANT,
        Sym::Role => CompletionItemKind::CLASS,
        Sym::Level => CompletionItemKind::ENUM_MEMBER,
        Sym::Policy => CompletionItemKind::FUNCTION,
        Sym::Predicate => CompletionItemKind::METHOD,
    };
    let id = named.id.as_deref().map(|id| format!(" {id}")).unwrap_or_default();
    Candidate {
        label: named.name.clone(),
        kind,
        detail: Some(format!("{}{id}", named.sym.noun())),
        doc: named.description.clone().map(Doc::Text),
        insert,
    }
}

/// The values of a key that names nothing in the file: booleans, decisions, targets, codes.
fn fixed_values(table: &Table, key: &Key, listed: &[String]) -> Vec<Candidate> {
    let value = |label: &str, insert| Candidate {
        label: label.to_string(),
        kind: CompletionItemKind::VALUE,
        detail: None,
        doc: None,
        insert,
    };
    let quoted = |labels: Vec<&str>| -> Vec<Candidate> {
        labels.into_iter().filter(|l| !listed.iter().any(|x| x == l)).map(|l| value(l, Insert::Quoted)).collect()
    };
    match key.value {
        Value::Boolean => vec![value("true", Insert::Plain), value("false", Insert::Plain)],
        Value::TrueOrReason => vec![value("true", Insert::Plain)],
        Value::Decision => quoted(vec!["allow", "deny"]),
        _ if std::ptr::eq(table, &schema::OUTPUT) && key.name == "targets" => {
            quoted(Target::ALL.iter().map(|t| t.as_str()).collect())
        }
        _ if std::ptr::eq(table, &schema::REVIEW) && key.name == "allow" => {
            quoted(Change::ALL.iter().filter(|c| c.class() != Class::Note).map(|c| c.as_str()).collect())
        }
        _ => Vec::new(),
    }
}

/// An inline table of `table`'s shape, one per kind when exactly one key is written (rules).
fn inline_tables(table: &'static Table) -> Vec<Candidate> {
    let required: Vec<&Key> = table.keys.iter().filter(|k| k.required).collect();
    let shapes: Vec<Vec<&Key>> =
        if table.one_of { table.keys.iter().map(|k| vec![k]).collect() } else { vec![required] };
    shapes
        .into_iter()
        .filter(|keys| !keys.is_empty())
        .map(|keys| {
            let written: Vec<String> = keys.iter().map(|k| format!("{} = {}", k.name, empty_value(k.value))).collect();
            Candidate {
                label: format!("{{ {} }}", written.join(", ")),
                kind: CompletionItemKind::KEYWORD,
                detail: Some(table.doc.to_string()),
                doc: Some(Doc::Markdown(
                    keys.iter().map(|k| format!("`{}`: {}", k.name, k.doc)).collect::<Vec<_>>().join("\n\n"),
                )),
                insert: Insert::Plain,
            }
        })
        .collect()
}

fn empty_value(value: Value) -> &'static str {
    match value {
        Value::Strings | Value::Integers | Value::OneOrMany => "[]",
        Value::Integer => "0",
        Value::Boolean | Value::TrueOrReason => "true",
        _ => "\"\"",
    }
}

#[cfg(test)]
mod tests;
