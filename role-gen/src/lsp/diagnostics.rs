//! `validate`'s diagnostics as the protocol carries them: the same codes and messages, byte
//! spans as UTF-16 ranges, the other end of a duplicate or a cycle as related information.

use lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag, Location, NumberOrString,
    PublishDiagnosticsParams,
};

use super::document::Document;
use crate::escape::shown;
use crate::{Code, SOURCE_LIMIT, Severity};

/// The most diagnostics published for one file, errors first: a file with a million problems
/// is not helped by a million squiggles, and the message carrying them would be hundreds of MB.
pub const MOST: usize = 10_000;

/// What the client says it shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct Shows {
    /// `relatedInformation`: the other places of a diagnostic, each with its note. Without it
    /// they are said in the message, as `--format github` says them.
    pub related: bool,
}

/// The diagnostics of `doc`'s current text.
pub fn publish(doc: &Document, shows: Shows) -> PublishDiagnosticsParams {
    PublishDiagnosticsParams { uri: doc.uri.clone(), diagnostics: of(doc, shows), version: Some(doc.version) }
}

/// The diagnostics of `doc`, as `validate` finds them.
pub fn of(doc: &Document, shows: Shows) -> Vec<Diagnostic> {
    if doc.too_large() {
        return vec![too_large(doc)];
    }
    let found = match doc.validated() {
        Ok(valid) => valid.diagnostics(),
        Err(invalid) => invalid,
    };
    let total = found.iter().count();
    let mut out: Vec<Diagnostic> = found.iter().take(MOST).map(|d| one(doc, d, shows)).collect();
    if total > MOST {
        let mut note =
            plain(doc, DiagnosticSeverity::INFORMATION, format!("{} more diagnostics not shown", total - MOST));
        note.message.push_str("; `role-gen validate --verbose` lists every one");
        out.push(note);
    }
    out
}

/// One diagnostic: its message, then each related place (when the client does not show them
/// on their own), note and help on a line of its own, as `--format github` lays them out; user
/// text escaped as on a terminal (an editor shows bidi controls raw, too).
pub fn one(doc: &Document, d: &crate::Diagnostic, shows: Shows) -> Diagnostic {
    let span = d.span.clone().unwrap_or(0..0);
    let mut message = shown(&d.message);
    let related: Vec<DiagnosticRelatedInformation> = d
        .related_places()
        .iter()
        .map(|r| DiagnosticRelatedInformation {
            location: Location { uri: doc.uri.clone(), range: doc.range(&r.span) },
            message: shown(&r.label),
        })
        .collect();
    if !shows.related {
        for r in &related {
            let at = r.location.range.start;
            message.push_str(&format!("\nline {}, column {}: {}", at.line + 1, at.character + 1, r.message));
        }
    }
    for note in d.notes() {
        message.push_str(&format!("\nnote: {}", shown(note)));
    }
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {}", shown(help)));
    }
    Diagnostic {
        range: doc.range(&span),
        severity: Some(severity(d.severity())),
        code: Some(NumberOrString::String(d.code.as_str().to_string())),
        source: Some("role-gen".into()),
        message,
        related_information: (shows.related && !related.is_empty()).then_some(related),
        tags: tags(d.code),
        ..Diagnostic::default()
    }
}

fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
    }
}

/// What an editor may draw differently: a grant of a deprecated permission struck through, what
/// changes nothing faded.
fn tags(code: Code) -> Option<Vec<DiagnosticTag>> {
    match code {
        Code::DeprecatedGranted => Some(vec![DiagnosticTag::DEPRECATED]),
        Code::RedundantGrant | Code::DuplicateEntry | Code::UnusedPredicate | Code::UnreachableRule => {
            Some(vec![DiagnosticTag::UNNECESSARY])
        }
        _ => None,
    }
}

fn too_large(doc: &Document) -> Diagnostic {
    plain(
        doc,
        DiagnosticSeverity::ERROR,
        format!(
            "roles.toml is {} MiB; role-gen reads at most {} MiB, so this text was not validated",
            doc.text.len() >> 20,
            SOURCE_LIMIT >> 20
        ),
    )
}

/// A diagnostic of the server's own, at the top of the file.
fn plain(doc: &Document, severity: DiagnosticSeverity, message: String) -> Diagnostic {
    Diagnostic {
        range: doc.range(&(0..0)),
        severity: Some(severity),
        source: Some("role-gen".into()),
        message,
        ..Diagnostic::default()
    }
}
