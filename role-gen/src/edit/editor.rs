//! The file being edited, and what every command shares: where an entry is written (for
//! messages), the checks of names, descriptions and ids, `fmt`, and validating the result.

use std::ops::Range;
use std::path::Path;

use toml_edit::{Document, DocumentMut};

use super::entries::{self, Kind, names};
use super::{EditError, MAX_ID, Outcome, Reading, Refusal, Refused, format, unparsable};
use crate::names::{is_valid_name, name_problem};
use crate::suggest::{reserved_reason, unknown_name};
use crate::{Diagnostics, Validated};

/// What an edit did to the document, before validation.
pub(super) enum Change {
    Made { summary: String, notes: Vec<String> },
    Nothing(String),
}

impl Change {
    pub(super) fn made(summary: impl Into<String>) -> Self {
        Change::Made { summary: summary.into(), notes: Vec::new() }
    }
}

/// The file being edited: its text, a parse that kept spans (for line numbers in messages), the
/// document being changed, how it is validated, and the validated file when it is valid now.
pub(super) struct Editor<'a> {
    pub(super) path: &'a Path,
    pub(super) original: &'a str,
    pub(super) spanned: Document<&'a str>,
    pub(super) doc: DocumentMut,
    pub(super) reading: Reading,
    pub(super) before: Option<Validated>,
}

/// Names, deduplicated, first occurrence kept.
pub(super) fn unique(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        if !out.contains(n) {
            out.push(n.clone());
        }
    }
    out
}

/// `text` with the line breaks of `original`: a file written on Windows (CRLF) stays CRLF,
/// though what an edit adds comes out of toml_edit with `\n`.
fn same_line_breaks(original: &str, text: String) -> String {
    if original.contains("\r\n") { text.replace("\r\n", "\n").replace('\n', "\r\n") } else { text }
}

/// The data a text parses to, with what `fmt` may drop dropped from it too: the repeats of a
/// string or an integer in an array (the first occurrence stays).
fn data(text: &str) -> Option<toml::Table> {
    let mut table = text.parse::<toml::Table>().ok()?;
    table.iter_mut().for_each(|(_, v)| dedup_data(v));
    Some(table)
}

fn dedup_data(value: &mut toml::Value) {
    match value {
        toml::Value::Array(items) => {
            items.iter_mut().for_each(dedup_data);
            let mut seen = std::collections::BTreeSet::new();
            items.retain(|item| match item {
                toml::Value::String(s) => seen.insert((0, s.clone())),
                toml::Value::Integer(n) => seen.insert((1, n.to_string())),
                _ => true,
            });
        }
        toml::Value::Table(table) => table.iter_mut().for_each(|(_, v)| dedup_data(v)),
        _ => {}
    }
}

/// `a, b and c`.
pub(super) fn listed(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

impl<'a> Editor<'a> {
    /// Parses the file twice (spans kept, and to edit) and validates it as it is now.
    pub(super) fn open(path: &'a Path, text: &'a str, reading: Reading) -> Result<Self, EditError> {
        let spanned = Document::parse(text)
            .map_err(|e| unparsable(path, text.as_bytes(), &format!("roles.toml is not TOML: {e}"), reading))?;
        let doc = spanned.clone().into_mut();
        let before = reading.validate(path, text.as_bytes()).ok();
        Ok(Editor { path, original: text, spanned, doc, reading, before })
    }

    /// `roles.toml:12`, for a span of the original text.
    pub(super) fn at(&self, span: Option<Range<usize>>) -> String {
        let file = self.path.display();
        match span {
            Some(span) => {
                let line = self.original[..span.start.min(self.original.len())].matches('\n').count() + 1;
                format!("{file}:{line}")
            }
            None => file.to_string(),
        }
    }

    /// Where an entry's name is written.
    pub(super) fn entry_at(&self, kind: Kind, name: &str) -> String {
        let span = entries::section(self.spanned.as_table(), kind).and_then(|s| s.key(name)).and_then(|k| k.span());
        self.at(span)
    }

    /// Refuses a name that does not exist, as `validate` says it: removed and reserved, or
    /// unknown with a did-you-mean.
    pub(super) fn require(&self, kind: Kind, name: &str) -> Result<(), Refusal> {
        let known = names(self.doc.as_table(), kind);
        if known.iter().any(|k| k == name) {
            return Ok(());
        }
        let reserved = entries::reserved_names(self.doc.as_table(), kind);
        let why = unknown_name(kind.name_kind(), name, known.iter().map(String::as_str), &reserved);
        let file = self.path.file_name().map_or_else(|| "roles.toml".into(), |f| f.to_string_lossy());
        let hint = why.help.or_else(|| known.is_empty().then(|| format!("{file} has no {} yet", kind.section())));
        let refusal = Refusal::new(Refused::UnknownName, why.message);
        Err(why.reason.into_iter().fold(refusal, Refusal::detail).help(hint))
    }

    /// Refuses a new name that is invalid, taken, or reserved.
    pub(super) fn check_new_name(&self, kind: Kind, name: &str) -> Result<(), Refusal> {
        if !is_valid_name(name) {
            return Err(Refusal::new(Refused::NameNotAllowed, format!("invalid {} name `{name}`", kind.noun()))
                .help(Some(format!("{}; names are ASCII snake_case, like `export_data`", name_problem(name)))));
        }
        if names(self.doc.as_table(), kind).iter().any(|n| n == name) {
            return Err(Refusal::new(Refused::NameTaken, format!("{} `{name}` already exists", kind.noun()))
                .detail(format!("--> {}", self.entry_at(kind, name)))
                .help(Some("choose another name, or edit the existing entry".into())));
        }
        if entries::reserved_names(self.doc.as_table(), kind).iter().any(|n| n == name) {
            return Err(Refusal::new(Refused::NameRetired, format!("{} name `{name}` is reserved", kind.noun()))
                .detail(reserved_reason(kind.name_kind()))
                .help(Some("choose another name".into())));
        }
        Ok(())
    }

    /// Refuses an empty description (validation would too, less helpfully).
    pub(super) fn check_description(description: &str) -> Result<(), Refusal> {
        if description.trim().is_empty() {
            return Err(Refusal::new(Refused::EmptyDescription, "the description is empty")
                .help(Some("say what it is for".into())));
        }
        Ok(())
    }

    /// max(used ∪ reserved) + 1: never an id that was ever given out.
    pub(super) fn next_id(&self, kind: Kind) -> Result<i64, Refusal> {
        let used = entries::used_ids(self.doc.as_table(), kind);
        let next = used.into_iter().max().unwrap_or(0).max(0) + 1;
        if next > MAX_ID {
            return Err(Refusal::new(
                Refused::IdsExhausted,
                format!("no {} id is left: ids run up to {MAX_ID} and are never reused", kind.noun()),
            ));
        }
        Ok(next)
    }

    /// `fmt` (`fmt --sort` with `sort`): the canonical layout, refused if it would change what
    /// the file means.
    pub(super) fn format(&mut self, sort: bool) -> Result<Change, Refusal> {
        format::format(&mut self.doc, sort);
        let text = same_line_breaks(self.original, self.doc.to_string());
        if text == self.original {
            return Ok(Change::Nothing(format!("{} is already formatted", self.path.display())));
        }
        if data(&text) != data(self.original) {
            return Err(Refusal::new(
                Refused::FormatChangesMeaning,
                "formatting would change what roles.toml means; it was left as it is",
            )
            .help(Some("this is a bug in role-gen fmt: please report it with the file".into())));
        }
        Ok(Change::made(format!("formatted {}", self.path.display())))
    }

    /// Validates the new text; reports what changed and which warnings are new.
    pub(super) fn finish(self, change: Change) -> Result<Outcome, EditError> {
        let unchanged = |summary: String| Outcome {
            text: self.original.to_string(),
            changed: false,
            summary,
            notes: Vec::new(),
            new_warnings: None,
        };
        let (summary, notes) = match change {
            Change::Nothing(summary) => return Ok(unchanged(summary)),
            Change::Made { summary, notes } => (summary, notes),
        };
        let text = same_line_breaks(self.original, self.doc.to_string());
        if text == self.original {
            return Ok(unchanged(format!("{summary}: the file already said so; nothing changed")));
        }
        match self.reading.validate(self.path, text.as_bytes()) {
            Ok(after) => {
                let new_warnings = self.new_warnings(&after);
                Ok(Outcome { text, changed: true, summary, notes, new_warnings })
            }
            Err(diagnostics) => Err(EditError::Invalid { diagnostics, already_invalid: self.before.is_none() }),
        }
    }

    /// The warnings of `after` that the file did not have before.
    fn new_warnings(&self, after: &Validated) -> Option<Diagnostics> {
        let old: Vec<(crate::Code, String)> =
            self.before.iter().flat_map(|b| b.diagnostics().warnings().map(|w| (w.code, w.message.clone()))).collect();
        let mut fresh = Diagnostics::new(after.source().clone());
        after
            .diagnostics()
            .warnings()
            .filter(|w| !old.contains(&(w.code, w.message.clone())))
            .for_each(|w| fresh.push(w.clone()));
        (!fresh.is_empty()).then_some(fresh)
    }
}
