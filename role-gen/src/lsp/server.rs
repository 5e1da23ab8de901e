//! The server's loop: the protocol's lifecycle (initialize, shutdown, exit), the open
//! documents, one handler per request, and diagnostics published once the messages waiting
//! are handled.
//!
//! One thread does everything, in order. After a change, the messages already waiting are
//! handled first (ten keystrokes in flight validate once, not ten times) and then every
//! document that changed is validated and published. A request that fails gets an error
//! response and the server goes on; a handler that panics (a bug) is caught and answered as
//! an internal error, and the server goes on too.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::Receiver;

use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response, ResponseError};
use lsp_types::{
    CodeAction, CodeActionParams, CompletionParams, DidChangeTextDocumentParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DocumentFormattingParams, DocumentHighlightParams, DocumentSymbolParams,
    DocumentSymbolResponse, GotoDefinitionParams, HoverParams, InitializeParams, InitializeResult, LogMessageParams,
    MessageType, PublishDiagnosticsParams, ReferenceParams, RenameParams, ServerInfo, ShowMessageParams,
    TextDocumentPositionParams, Uri,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::client::{self, Client};
use super::diagnostics::{self, Shows};
use super::document::Document;
use super::transport::{Incoming, Output};
use super::{actions, completion, hover, navigate, symbols};

/// The most messages handled before the changed documents are published: a client that never
/// stops sending still sees its diagnostics.
const MOST_BATCH: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Uninitialized,
    Running,
    ShutDown,
}

/// A failed request: its error code and message.
type Failure = (ErrorCode, String);

struct Server<W: Write> {
    out: Output<W>,
    state: State,
    client: Client,
    docs: HashMap<Uri, Document>,
    /// Documents changed since their diagnostics were last published, in the order changed.
    dirty: Vec<Uri>,
    /// Documents whose diagnostics were published (to clear when they are no longer served).
    published: HashSet<Uri>,
    /// `--every-file`: serve every document, not only those [`Document::is_roles`] accepts.
    every_file: bool,
}

/// Serves the messages of `incoming`, answering on `out`; returns the process's exit code: 0
/// after `shutdown` then `exit`, 1 when the client went away or exited without `shutdown`.
pub fn serve(incoming: &Receiver<Incoming>, out: impl Write, every_file: bool) -> u8 {
    let mut server = Server {
        out: Output::new(out),
        state: State::Uninitialized,
        client: Client::default(),
        docs: HashMap::new(),
        dirty: Vec::new(),
        published: HashSet::new(),
        every_file,
    };
    while let Ok(first) = incoming.recv() {
        let mut next = Some(first);
        let mut handled = 0;
        while let Some(message) = next.take() {
            match server.take(message) {
                Ok(Some(code)) => return code,
                Ok(None) => {}
                Err(e) => {
                    eprintln!("role-gen lsp: cannot write to the client, stopping: {e}");
                    return 1;
                }
            }
            handled += 1;
            if handled < MOST_BATCH {
                next = incoming.try_recv().ok();
            }
        }
        if let Err(e) = server.publish() {
            eprintln!("role-gen lsp: cannot write to the client, stopping: {e}");
            return 1;
        }
    }
    1
}

impl<W: Write> Server<W> {
    /// Handles one message; `Some(code)` when it was `exit`.
    fn take(&mut self, incoming: Incoming) -> std::io::Result<Option<u8>> {
        match incoming {
            Incoming::Malformed(why) => {
                eprintln!("role-gen lsp: {why}");
                self.out.parse_error(&why)?;
            }
            Incoming::Message(Message::Request(request)) => {
                let response = self.request(request);
                self.out.send(response)?;
            }
            Incoming::Message(Message::Notification(n)) if n.method == "exit" => {
                return Ok(Some(if self.state == State::ShutDown { 0 } else { 1 }));
            }
            Incoming::Message(Message::Notification(n)) => self.notification(n)?,
            // The server sends no requests, so expects no responses.
            Incoming::Message(Message::Response(_)) => {}
        }
        Ok(None)
    }

    fn request(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        let answer = match (self.state, request.method.as_str()) {
            (State::Uninitialized, "initialize") => self.initialize(request),
            (State::Uninitialized, _) => {
                Err((ErrorCode::ServerNotInitialized, "the server is not initialized yet".into()))
            }
            (State::ShutDown, _) => Err((ErrorCode::InvalidRequest, "the server is shut down; send `exit`".into())),
            (State::Running, "initialize") => {
                Err((ErrorCode::InvalidRequest, "the server is initialized already".into()))
            }
            (State::Running, "shutdown") => {
                self.state = State::ShutDown;
                Ok(serde_json::Value::Null)
            }
            (State::Running, _) => match catch_unwind(AssertUnwindSafe(|| self.answer(request))) {
                Ok(answer) => answer,
                Err(_) => Err((
                    ErrorCode::InternalError,
                    "role-gen lsp failed on this request (a bug; please report it)".into(),
                )),
            },
        };
        respond(id, answer)
    }

    fn initialize(&mut self, request: Request) -> Result<serde_json::Value, Failure> {
        let params: InitializeParams = params(request)?;
        self.client = Client::of(&params.capabilities);
        self.state = State::Running;
        json(InitializeResult {
            capabilities: client::capabilities(),
            server_info: Some(ServerInfo { name: "role-gen".into(), version: Some(env!("CARGO_PKG_VERSION").into()) }),
        })
    }

    /// One request of a running server.
    fn answer(&mut self, request: Request) -> Result<serde_json::Value, Failure> {
        let client = self.client;
        match request.method.as_str() {
            "textDocument/completion" => {
                let p: CompletionParams = params(request)?;
                let at = p.text_document_position;
                self.on(&at.text_document.uri, |doc| Ok(completion::complete(doc, at.position)))
            }
            "textDocument/hover" => {
                let p: HoverParams = params(request)?;
                let at = p.text_document_position_params;
                self.on(&at.text_document.uri, |doc| Ok(hover::hover(doc, at.position)))
            }
            "textDocument/definition" => {
                let p: GotoDefinitionParams = params(request)?;
                let at = p.text_document_position_params;
                self.on(&at.text_document.uri, |doc| Ok(navigate::definition(doc, at.position)))
            }
            "textDocument/references" => {
                let p: ReferenceParams = params(request)?;
                let (at, declaration) = (p.text_document_position, p.context.include_declaration);
                self.on(&at.text_document.uri, |doc| Ok(navigate::references(doc, at.position, declaration)))
            }
            "textDocument/documentHighlight" => {
                let p: DocumentHighlightParams = params(request)?;
                let at = p.text_document_position_params;
                self.on(&at.text_document.uri, |doc| Ok(navigate::highlight(doc, at.position)))
            }
            "textDocument/documentSymbol" => {
                let p: DocumentSymbolParams = params(request)?;
                self.on(&p.text_document.uri, |doc| Ok(DocumentSymbolResponse::Nested(symbols::symbols(doc))))
            }
            "textDocument/prepareRename" => {
                let p: TextDocumentPositionParams = params(request)?;
                self.on(&p.text_document.uri, |doc| navigate::prepare_rename(doc, p.position).map_err(failed))
            }
            "textDocument/rename" => self.rename(params(request)?),
            "textDocument/codeAction" => {
                let p: CodeActionParams = params(request)?;
                self.on(&p.text_document.uri, |doc| Ok(actions::actions(doc, &p, client)))
            }
            "codeAction/resolve" => {
                let action: CodeAction = params(request)?;
                let Some(uri) = actions::target(&action) else { return json(action) };
                self.on(&uri, |doc| actions::resolve(doc, action, client).map_err(failed))
            }
            "textDocument/formatting" => self.format(params(request)?),
            method => Err((ErrorCode::MethodNotFound, format!("role-gen lsp does not answer `{method}`"))),
        }
    }

    /// `answer` about the document at `uri`; `null` when it is not a roles.toml (an editor that
    /// starts the server for every TOML file asks about Cargo.toml too).
    fn on<T: Serialize>(
        &self,
        uri: &Uri,
        answer: impl FnOnce(&Document) -> Result<T, Failure>,
    ) -> Result<serde_json::Value, Failure> {
        match self.doc(uri)? {
            Some(doc) => json(answer(doc)?),
            None => Ok(serde_json::Value::Null),
        }
    }

    fn rename(&mut self, p: RenameParams) -> Result<serde_json::Value, Failure> {
        let at = p.text_document_position;
        let Some(doc) = self.doc(&at.text_document.uri)? else { return Ok(serde_json::Value::Null) };
        let renamed = navigate::rename(doc, at.position, &p.new_name, self.client).map_err(failed)?;
        if let Some(breaks) = renamed.breaks {
            self.notify("window/showMessage", ShowMessageParams { typ: MessageType::WARNING, message: breaks });
        }
        json(renamed.edit)
    }

    fn format(&mut self, p: DocumentFormattingParams) -> Result<serde_json::Value, Failure> {
        let Some(doc) = self.doc(&p.text_document.uri)? else { return Ok(serde_json::Value::Null) };
        match actions::format(doc) {
            Ok(edits) => json(edits),
            Err(why) => {
                let message = format!("roles.toml was not formatted: {why}");
                self.notify("window/logMessage", LogMessageParams { typ: MessageType::INFO, message });
                json(Vec::<lsp_types::TextEdit>::new())
            }
        }
    }

    /// The open document at `uri`, when the server serves it (see [`Document::is_roles`]).
    fn doc(&self, uri: &Uri) -> Result<Option<&Document>, Failure> {
        let doc = self.docs.get(uri).ok_or_else(|| {
            let uri = crate::escape::shown(uri.as_str());
            (ErrorCode::InvalidParams, format!("`{uri}` is not open: role-gen lsp reads only what the editor sends"))
        })?;
        Ok((self.every_file || doc.is_roles()).then_some(doc))
    }

    fn notification(&mut self, n: Notification) -> std::io::Result<()> {
        if self.state != State::Running {
            return Ok(());
        }
        match n.method.as_str() {
            "textDocument/didOpen" => {
                if let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(n.params) {
                    let doc = p.text_document;
                    self.opened(Document::new(doc.uri, doc.version, doc.text));
                }
            }
            "textDocument/didChange" => {
                if let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(n.params) {
                    self.changed(p);
                }
            }
            "textDocument/didClose" => {
                if let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(n.params) {
                    let uri = p.text_document.uri;
                    self.docs.remove(&uri);
                    self.dirty.retain(|u| *u != uri);
                    if self.published.remove(&uri) {
                        self.clear(uri)?;
                    }
                }
            }
            // `initialized`, `$/cancelRequest` (every request is answered in turn), settings.
            _ => {}
        }
        Ok(())
    }

    fn opened(&mut self, doc: Document) {
        self.dirty.retain(|u| *u != doc.uri);
        self.dirty.push(doc.uri.clone());
        self.docs.insert(doc.uri.clone(), doc);
    }

    /// A change: the whole text (the server asks for full sync), or, from a client that sends
    /// ranges anyway, each range replaced in turn.
    fn changed(&mut self, p: DidChangeTextDocumentParams) {
        let Some(doc) = self.docs.remove(&p.text_document.uri) else { return };
        let mut text: Option<String> = None;
        for change in p.content_changes {
            let Some(range) = change.range else {
                text = Some(change.text);
                continue;
            };
            let mut edited = text.take().unwrap_or_else(|| doc.text.clone());
            let lines = super::position::Lines::new(&edited);
            let start = lines.offset(&edited, range.start);
            let end = lines.offset(&edited, range.end).max(start);
            edited.replace_range(start..end, &change.text);
            text = Some(edited);
        }
        let text = text.unwrap_or_else(|| doc.text.clone());
        self.opened(doc.changed(p.text_document.version, text));
    }

    /// Validates and publishes every changed document (and clears those no longer served).
    fn publish(&mut self) -> std::io::Result<()> {
        let shows = Shows { related: self.client.related };
        for uri in std::mem::take(&mut self.dirty) {
            let params = self.doc(&uri).ok().flatten().map(|doc| diagnostics::publish(doc, shows));
            match params {
                Some(params) => {
                    self.out.send(Notification::new("textDocument/publishDiagnostics".into(), params))?;
                    self.published.insert(uri);
                }
                None if self.published.remove(&uri) => self.clear(uri)?,
                None => {}
            }
        }
        Ok(())
    }

    fn clear(&mut self, uri: Uri) -> std::io::Result<()> {
        let cleared = PublishDiagnosticsParams { uri, diagnostics: Vec::new(), version: None };
        self.out.send(Notification::new("textDocument/publishDiagnostics".into(), cleared))
    }

    /// Sends a notification; a failure to write shows on the next response.
    fn notify(&mut self, method: &str, params: impl Serialize) {
        let _ = self.out.send(Notification::new(method.into(), params));
    }
}

fn params<P: DeserializeOwned>(request: Request) -> Result<P, Failure> {
    serde_json::from_value(request.params)
        .map_err(|e| (ErrorCode::InvalidParams, format!("invalid parameters for `{}`: {e}", request.method)))
}

fn json(value: impl Serialize) -> Result<serde_json::Value, Failure> {
    serde_json::to_value(value).map_err(|e| (ErrorCode::InternalError, format!("cannot encode the answer: {e}")))
}

fn failed(message: String) -> Failure {
    (ErrorCode::RequestFailed, message)
}

fn respond(id: RequestId, answer: Result<serde_json::Value, Failure>) -> Response {
    let response_result = answer.map_err(|(code, message)| ResponseError { code: code as i32, message, data: None });
    Response { id, response_result }
}
