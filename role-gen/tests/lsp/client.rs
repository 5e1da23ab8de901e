//! The client of `tests/lsp.rs`: a language server client that speaks JSON-RPC with
//! `Content-Length` framing to the real binary over its stdin and stdout, as an editor does,
//! and the helpers that turn text offsets into LSP positions and edits back into text.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub const URI: &str = "file:///work/acme/roles.toml";

/// How long any one answer may take (the 2 MB file in a debug build included).
const PATIENCE: Duration = Duration::from_secs(120);

/// The running server and what it has said that nobody asked for yet.
pub struct Server {
    pub child: Child,
    pub stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
    next_id: i64,
    /// Notifications read while waiting for something else.
    backlog: Vec<Value>,
}

impl Server {
    pub fn start() -> Server {
        Server::start_with(&["lsp", "--stdio"])
    }

    pub fn start_with(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_role-gen"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the binary starts");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, messages) = channel();
        std::thread::spawn(move || {
            let mut out = BufReader::new(stdout);
            while let Some(body) = read_frame(&mut out) {
                let message: Value = serde_json::from_slice(&body).expect("the server writes JSON");
                if sender.send(message).is_err() {
                    return;
                }
            }
        });
        let stdin = child.stdin.take();
        Server { child, stdin, messages, next_id: 0, backlog: Vec::new() }
    }

    /// A server past `initialize` and `initialized`, with a client that shows related
    /// information, takes versioned edits with annotations, and resolves code actions.
    pub fn initialized() -> Server {
        Server::initialized_with(&["lsp", "--stdio"])
    }

    pub fn initialized_with(args: &[&str]) -> Server {
        let mut server = Server::start_with(args);
        let result = server
            .result("initialize", json!({ "processId": null, "rootUri": null, "capabilities": CAPABILITIES.clone() }));
        assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
        assert_eq!(result["serverInfo"]["name"], "role-gen");
        server.notify("initialized", json!({}));
        server
    }

    pub fn write_raw(&mut self, body: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        write!(stdin, "Content-Length: {}\r\n\r\n", body.len()).expect("write");
        stdin.write_all(body).expect("write");
        stdin.flush().expect("flush");
    }

    pub fn send(&mut self, message: &Value) {
        self.write_raw(message.to_string().as_bytes());
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// The whole response to a request.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.response(&json!(id))
    }

    pub fn response(&mut self, id: &Value) -> Value {
        loop {
            let message = self.next_message();
            if message.get("method").is_none() && &message["id"] == id {
                return message;
            }
            self.backlog.push(message);
        }
    }

    /// The result of a request that must succeed.
    pub fn result(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    /// The error of a request that must fail.
    pub fn error(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        assert!(response.get("result").is_none(), "{method} should fail: {response}");
        response["error"].clone()
    }

    pub fn next_message(&mut self) -> Value {
        self.messages.recv_timeout(PATIENCE).expect("the server answers in time")
    }

    /// The next notification `method` (from the backlog first).
    pub fn notification(&mut self, method: &str) -> Value {
        if let Some(i) = self.backlog.iter().position(|m| m["method"] == method) {
            return self.backlog.remove(i);
        }
        loop {
            let message = self.next_message();
            if message["method"] == method {
                return message;
            }
            self.backlog.push(message);
        }
    }

    /// The diagnostics published for `version` of the document, skipping earlier ones.
    pub fn diagnostics(&mut self, version: i64) -> Vec<Value> {
        self.diagnostics_of(URI, version)
    }

    pub fn diagnostics_of(&mut self, uri: &str, version: i64) -> Vec<Value> {
        loop {
            let published = self.notification("textDocument/publishDiagnostics");
            let params = &published["params"];
            if params["uri"] == uri && params["version"] == version {
                return params["diagnostics"].as_array().cloned().unwrap_or_default();
            }
            assert_eq!(params["uri"], uri, "diagnostics of another document: {published}");
        }
    }

    pub fn open(&mut self, text: &str) -> Vec<Value> {
        self.open_as(URI, text);
        self.diagnostics(1)
    }

    pub fn open_as(&mut self, uri: &str, text: &str) {
        let document = json!({ "uri": uri, "languageId": "toml", "version": 1, "text": text });
        self.notify("textDocument/didOpen", json!({ "textDocument": document }));
    }

    pub fn change(&mut self, version: i64, text: &str) -> Vec<Value> {
        self.change_as(URI, version, text);
        self.diagnostics(version)
    }

    pub fn change_as(&mut self, uri: &str, version: i64, text: &str) {
        let params =
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] });
        self.notify("textDocument/didChange", params);
    }

    /// `shutdown`, then `exit`: the process ends with code 0.
    pub fn stop(mut self) {
        assert_eq!(self.result("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        drop(self.stdin.take());
        let status = wait(&mut self.child);
        assert_eq!(status, Some(0), "exit after shutdown is a clean exit");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The exit code, waiting at most [`PATIENCE`].
pub fn wait(child: &mut Child) -> Option<i32> {
    let start = Instant::now();
    while start.elapsed() < PATIENCE {
        if let Some(status) = child.try_wait().expect("wait") {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

fn read_frame(out: &mut impl BufRead) -> Option<Vec<u8>> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if out.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    out.read_exact(&mut body).ok()?;
    Some(body)
}

static CAPABILITIES: std::sync::LazyLock<Value> = std::sync::LazyLock::new(|| {
    json!({
        "textDocument": {
            "publishDiagnostics": { "relatedInformation": true },
            "codeAction": { "resolveSupport": { "properties": ["edit"] } },
        },
        "workspace": { "workspaceEdit": { "documentChanges": true, "changeAnnotationSupport": {} } },
    })
});

/// The LSP position of byte `offset` of `text`: a line, and a column in UTF-16 units.
pub fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    json!({ "line": line, "character": before[start..].encode_utf16().count() })
}

/// The position just inside the `n`th (0-based) occurrence of `needle`, `skip` bytes in.
pub fn at(text: &str, needle: &str, n: usize, skip: usize) -> Value {
    let offset = text.match_indices(needle).nth(n).map(|(i, _)| i).unwrap_or_else(|| panic!("no {needle} #{n}"));
    position(text, offset + skip)
}

pub fn doc_at(text: &str, needle: &str, n: usize, skip: usize) -> Value {
    json!({ "textDocument": { "uri": URI }, "position": at(text, needle, n, skip) })
}

/// The byte offset of an LSP position in `text`.
pub fn offset(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().unwrap_or(0) as usize;
    let character = position["character"].as_u64().unwrap_or(0) as usize;
    let start = text.split_inclusive('\n').take(line).map(str::len).sum::<usize>();
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units >= character || c == '\n' {
            return start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// `text` with LSP text edits applied (all against the same original text).
pub fn apply(text: &str, edits: &[Value]) -> String {
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            let range = &e["range"];
            (
                offset(text, &range["start"]),
                offset(text, &range["end"]),
                e["newText"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (start, end, new) in spans {
        out.replace_range(start..end, &new);
    }
    out
}

/// The text edits of a workspace edit for the one document.
pub fn edits_of(edit: &Value) -> Vec<Value> {
    if let Some(changes) = edit["documentChanges"].as_array() {
        return changes.iter().flat_map(|c| c["edits"].as_array().cloned().unwrap_or_default()).collect();
    }
    edit["changes"][URI].as_array().cloned().unwrap_or_default()
}

pub fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics.iter().map(|d| d["code"].as_str().unwrap_or("").to_string()).collect()
}

pub fn role_gen(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_role-gen"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs")
}

/// `role-gen validate --format json` on `text`: the diagnostics the server must agree with.
pub fn validate_json(text: &str) -> Vec<Value> {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("roles.toml"), text).expect("write");
    let out = role_gen(&["validate", "--format", "json", "-f", "roles.toml"], dir.path());
    let json: Value = serde_json::from_slice(&out.stdout).expect("validate prints JSON");
    let list = |key: &str| json[key].as_array().cloned().unwrap_or_default();
    [list("errors"), list("warnings")].concat()
}
