//! A new text as edits of the old one: what formatting, quick fixes and rename send.
//!
//! The editing commands ([`crate::edit`]) return the whole new file, laid out the way `fmt`
//! lays it out. An editor wants the changed lines only (the cursor, folds and undo history
//! elsewhere stay put), so the two texts are compared line by line and each changed run of
//! lines becomes one edit. The comparison has a deadline: past it, the runs are coarser, never
//! wrong.

use std::collections::HashMap;
use std::time::Duration;

use lsp_types::{
    AnnotatedTextEdit, ChangeAnnotation, ChangeAnnotationIdentifier, DocumentChanges, OneOf,
    OptionalVersionedTextDocumentIdentifier, TextDocumentEdit, TextEdit, WorkspaceEdit,
};
use similar::{DiffOp, TextDiff};

use super::client::Client;
use super::document::Document;

/// How long the line comparison may take before it settles for larger runs.
const DEADLINE: Duration = Duration::from_millis(500);

/// The edits that turn `doc`'s text into `new`.
pub fn between(doc: &Document, new: &str) -> Vec<TextEdit> {
    let old = doc.text.as_str();
    let diff = TextDiff::configure().timeout(DEADLINE).diff_lines(old, new);
    let (old_starts, new_starts) = (starts(diff.iter_old_slices()), starts(diff.iter_new_slices()));
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for op in diff.ops() {
        if let DiffOp::Equal { .. } = op {
            continue;
        }
        let (from, to) = (op.old_range(), op.new_range());
        let (start, end) = (old_starts[from.start], old_starts[from.end]);
        let text = &new[new_starts[to.start]..new_starts[to.end]];
        match edits.last_mut() {
            // Runs that touch are one edit.
            Some(last) if last.1 == start => {
                last.1 = end;
                last.2.push_str(text);
            }
            _ => edits.push((start, end, text.to_string())),
        }
    }
    edits.into_iter().map(|(start, end, new_text)| TextEdit { range: doc.range(&(start..end)), new_text }).collect()
}

/// Where each line starts, as the diff split the text (after `\n`, `\r\n` or `\r`), and the end.
fn starts<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<usize> {
    let mut starts = vec![0];
    for line in lines {
        starts.push(starts[starts.len() - 1] + line.len());
    }
    starts
}

/// `edits` of `doc` as a workspace edit the client takes: versioned when it can check the
/// version, each edit carrying `annotation` when it shows them (a rename that breaks the wire
/// asks before it is applied).
pub fn workspace(
    doc: &Document,
    edits: Vec<TextEdit>,
    annotation: Option<ChangeAnnotation>,
    client: Client,
) -> WorkspaceEdit {
    if !client.document_changes {
        return WorkspaceEdit { changes: Some(HashMap::from([(doc.uri.clone(), edits)])), ..WorkspaceEdit::default() };
    }
    let annotation = annotation.filter(|_| client.annotations);
    let id: ChangeAnnotationIdentifier = "role-gen".to_string();
    let edits = edits
        .into_iter()
        .map(|text_edit| match annotation {
            Some(_) => OneOf::Right(AnnotatedTextEdit { text_edit, annotation_id: id.clone() }),
            None => OneOf::Left(text_edit),
        })
        .collect();
    let text_document = OptionalVersionedTextDocumentIdentifier { uri: doc.uri.clone(), version: Some(doc.version) };
    WorkspaceEdit {
        document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit { text_document, edits }])),
        change_annotations: annotation.map(|a| HashMap::from([(id, a)])),
        ..WorkspaceEdit::default()
    }
}
