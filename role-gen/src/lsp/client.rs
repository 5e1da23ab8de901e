//! What the two sides offer each other at `initialize`: what this server does, and the few
//! things it asks of the client before using them (everything else is in every client).

use lsp_types::{
    ClientCapabilities, CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CompletionOptions,
    HoverProviderCapability, OneOf, PositionEncodingKind, RenameOptions, ServerCapabilities,
    TextDocumentSyncCapability, TextDocumentSyncKind, WorkDoneProgressOptions,
};

/// The client capabilities the server acts on.
#[derive(Debug, Clone, Copy, Default)]
pub struct Client {
    /// Diagnostics may carry their other places as related information.
    pub related: bool,
    /// Workspace edits may be versioned `documentChanges` (else a plain `changes` map).
    pub document_changes: bool,
    /// Edits may carry a change annotation (what a rename breaks, asking for confirmation).
    pub annotations: bool,
    /// Code actions may be sent without their edit, which `codeAction/resolve` then computes.
    pub resolve: bool,
}

impl Client {
    /// What `caps` says.
    pub fn of(caps: &ClientCapabilities) -> Client {
        let text = caps.text_document.as_ref();
        let edit = caps.workspace.as_ref().and_then(|w| w.workspace_edit.as_ref());
        let resolve = text
            .and_then(|t| t.code_action.as_ref())
            .and_then(|c| c.resolve_support.as_ref())
            .is_some_and(|r| r.properties.iter().any(|p| p == "edit"));
        Client {
            related: text
                .and_then(|t| t.publish_diagnostics.as_ref())
                .and_then(|p| p.related_information)
                .unwrap_or(false),
            document_changes: edit.and_then(|e| e.document_changes).unwrap_or(false),
            annotations: edit.is_some_and(|e| e.change_annotation_support.is_some()),
            resolve,
        }
    }
}

/// The characters after which an editor asks for completions unprompted: a quote or a bracket
/// opens a value, `.` a dotted part, `,` the next element.
const TRIGGERS: [&str; 6] = ["\"", "'", "[", "{", ",", "."];

/// What the server offers.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(TRIGGERS.iter().map(|t| t.to_string()).collect()),
            ..CompletionOptions::default()
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_highlight_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, CodeActionKind::REFACTOR_REWRITE]),
            resolve_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        document_formatting_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}
