//! `role-gen lsp` end to end: a client that speaks JSON-RPC with `Content-Length` framing to
//! the real binary over its stdin and stdout, as an editor does.

#[path = "../benches/synthetic.rs"]
mod synthetic;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const URI: &str = "file:///work/acme/roles.toml";

/// How long any one answer may take (the 2 MB file in a debug build included).
const PATIENCE: Duration = Duration::from_secs(120);

/// The running server and what it has said that nobody asked for yet.
struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
    next_id: i64,
    /// Notifications read while waiting for something else.
    backlog: Vec<Value>,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_role-gen"))
            .args(["lsp", "--stdio"])
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
    fn initialized() -> Server {
        let mut server = Server::start();
        let result = server.result("initialize", json!({ "processId": null, "rootUri": null, "capabilities": CAPABILITIES.clone() }));
        assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
        assert_eq!(result["serverInfo"]["name"], "role-gen");
        server.notify("initialized", json!({}));
        server
    }

    fn write_raw(&mut self, body: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        write!(stdin, "Content-Length: {}\r\n\r\n", body.len()).expect("write");
        stdin.write_all(body).expect("write");
        stdin.flush().expect("flush");
    }

    fn send(&mut self, message: &Value) {
        self.write_raw(message.to_string().as_bytes());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// The whole response to a request.
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.response(&json!(id))
    }

    fn response(&mut self, id: &Value) -> Value {
        loop {
            let message = self.next_message();
            if message.get("method").is_none() && &message["id"] == id {
                return message;
            }
            self.backlog.push(message);
        }
    }

    /// The result of a request that must succeed.
    fn result(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    /// The error of a request that must fail.
    fn error(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        assert!(response.get("result").is_none(), "{method} should fail: {response}");
        response["error"].clone()
    }

    fn next_message(&mut self) -> Value {
        self.messages.recv_timeout(PATIENCE).expect("the server answers in time")
    }

    /// The next notification `method` (from the backlog first).
    fn notification(&mut self, method: &str) -> Value {
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

    /// The diagnostics published for `version`, skipping those of earlier versions.
    fn diagnostics(&mut self, version: i64) -> Vec<Value> {
        loop {
            let published = self.notification("textDocument/publishDiagnostics");
            if published["params"]["version"] == version {
                return published["params"]["diagnostics"].as_array().cloned().unwrap_or_default();
            }
        }
    }

    fn open(&mut self, text: &str) -> Vec<Value> {
        let document = json!({ "uri": URI, "languageId": "toml", "version": 1, "text": text });
        self.notify("textDocument/didOpen", json!({ "textDocument": document }));
        self.diagnostics(1)
    }

    fn change(&mut self, version: i64, text: &str) -> Vec<Value> {
        let params = json!({ "textDocument": { "uri": URI, "version": version }, "contentChanges": [{ "text": text }] });
        self.notify("textDocument/didChange", params);
        self.diagnostics(version)
    }

    /// `shutdown`, then `exit`: the process ends with code 0.
    fn stop(mut self) {
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
fn wait(child: &mut Child) -> Option<i32> {
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
fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    json!({ "line": line, "character": before[start..].encode_utf16().count() })
}

/// The position just inside the `n`th (0-based) occurrence of `needle`, `skip` bytes in.
fn at(text: &str, needle: &str, n: usize, skip: usize) -> Value {
    let offset = text.match_indices(needle).nth(n).map(|(i, _)| i).unwrap_or_else(|| panic!("no {needle} #{n}"));
    position(text, offset + skip)
}

fn doc_at(text: &str, needle: &str, n: usize, skip: usize) -> Value {
    json!({ "textDocument": { "uri": URI }, "position": at(text, needle, n, skip) })
}

/// The byte offset of an LSP position in `text`.
fn offset(text: &str, position: &Value) -> usize {
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
fn apply(text: &str, edits: &[Value]) -> String {
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            let range = &e["range"];
            (offset(text, &range["start"]), offset(text, &range["end"]), e["newText"].as_str().unwrap_or("").to_string())
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
fn edits_of(edit: &Value) -> Vec<Value> {
    if let Some(changes) = edit["documentChanges"].as_array() {
        return changes.iter().flat_map(|c| c["edits"].as_array().cloned().unwrap_or_default()).collect();
    }
    edit["changes"][URI].as_array().cloned().unwrap_or_default()
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics.iter().map(|d| d["code"].as_str().unwrap_or("").to_string()).collect()
}

fn role_gen(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_role-gen")).args(args).current_dir(dir).env("NO_COLOR", "1").output().expect("runs")
}

const ACME: &str = r#"[project]
name = "acme"

[entities.org]
description = "An organization"

[entities.team]
description = "A team"
parent = "org"

[permissions.read_doc]
id = 1
description = "Read a document"

[permissions.edit_doc]
id = 2
description = "Edit a document"

[permissions.share_doc]
id = 3
description = "Share a document"

[roles.viewer]
id = 1
description = "Views"
permissions = ["read_doc"]

[roles.editor]
id = 2
description = "Edits"
permissions = ["edit_doc"]
includes = ["viewer"]
assignable_on = ["team"]

[legacy]
levels = ["guest", "member"]

[policies.share]
id = 1
description = "Share"
entity = "org"
rules = [{ deny_if_legacy = ["guest"] }, { allow_if = "is_owner" }]
"#;

#[test]
fn completion_works_while_the_file_is_typed_and_does_not_parse() {
    let mut server = Server::initialized();
    assert_eq!(codes(&server.open(ACME)), ["ungranted-permission"]);
    let typing = ACME.replace("permissions = [\"edit_doc\"]", "permissions = [\"edit_doc\", \"");
    assert_eq!(codes(&server.change(2, &typing)), ["toml-syntax"], "a file that does not parse still gets diagnostics");
    let end = typing.find("\"edit_doc\", \"").map(|i| i + "\"edit_doc\", \"".len()).unwrap_or(0);
    let list = server.result("textDocument/completion", json!({ "textDocument": { "uri": URI }, "position": position(&typing, end) }));
    let labels: Vec<&str> = list["items"].as_array().into_iter().flatten().filter_map(|i| i["label"].as_str()).collect();
    assert_eq!(labels, ["read_doc", "share_doc"], "permissions, but not the one listed already");
    // Includes offer roles; a key position offers the role's keys not written yet.
    let includes = server.result("textDocument/completion", doc_at(ACME, "[\"viewer\"]", 0, 2));
    assert_eq!(includes["items"][0]["label"], "viewer");
    let keys_text = ACME.replace("assignable_on = [\"team\"]\n", "assignable_on = [\"team\"]\n\n");
    server.change(3, &keys_text);
    let keys = server.result("textDocument/completion", doc_at(&keys_text, "[\"team\"]\n\n", 0, 9));
    let labels: Vec<&str> = keys["items"].as_array().into_iter().flatten().filter_map(|i| i["label"].as_str()).collect();
    assert!(labels.is_empty(), "every key of the role is written: {labels:?}");
    let rule = server.result("textDocument/completion", doc_at(&keys_text, "{ allow_if", 0, 2));
    assert!(rule["items"].as_array().is_some_and(|i| i.iter().any(|i| i["label"] == "allow_if_permission")), "{rule}");
    server.stop();
}

#[test]
fn hover_definition_references_and_highlight_answer_for_names() {
    let mut server = Server::initialized();
    server.open(ACME);
    let role = server.result("textDocument/hover", doc_at(ACME, "[roles.editor]", 0, 8));
    let text = role["contents"]["value"].as_str().unwrap_or_default();
    assert!(text.contains("**role** `editor` · id 2") && text.contains("Edits"), "{text}");
    assert!(text.contains("`read_doc` via `editor > viewer`") && text.contains("`edit_doc`"), "{text}");
    let perm = server.result("textDocument/hover", doc_at(ACME, "\"read_doc\"", 0, 3));
    let text = perm["contents"]["value"].as_str().unwrap_or_default();
    assert!(text.contains("**held by** 2 roles") && text.contains("- `viewer` (direct)"), "{text}");
    assert!(text.contains("- `editor` via `editor > viewer`"), "{text}");
    let key = server.result("textDocument/hover", doc_at(ACME, "assignable_on", 0, 3));
    assert!(key["contents"]["value"].as_str().unwrap_or_default().contains("the entity types it may be assigned on"));

    let definition = server.result("textDocument/definition", doc_at(ACME, "[\"viewer\"]", 0, 3));
    assert_eq!(definition[0]["range"]["start"], at(ACME, "viewer]", 0, 0), "{definition}");
    let references = server.result(
        "textDocument/references",
        json!({ "textDocument": { "uri": URI }, "position": at(ACME, "\"org\"", 0, 2), "context": { "includeDeclaration": true } }),
    );
    assert_eq!(references.as_array().map(Vec::len), Some(3), "declared, a parent, a policy's entity: {references}");
    let level = server.result("textDocument/definition", doc_at(ACME, "[\"guest\"] }", 0, 2));
    assert_eq!(level[0]["range"]["start"], at(ACME, "guest", 0, 0));
    let highlights = server.result("textDocument/documentHighlight", doc_at(ACME, "is_owner", 0, 1));
    assert_eq!(highlights.as_array().map(Vec::len), Some(1));
    server.stop();
}

#[test]
fn rename_changes_every_place_and_says_what_it_breaks_on_the_wire() {
    let mut server = Server::initialized();
    server.open(ACME);
    let prepared = server.result("textDocument/prepareRename", doc_at(ACME, "\"read_doc\"", 0, 3));
    assert_eq!(prepared["placeholder"], "read_doc");
    let mut params = doc_at(ACME, "\"read_doc\"", 0, 3);
    params["newName"] = json!("view_doc");
    let edit = server.result("textDocument/rename", params.clone());
    let renamed = apply(ACME, &edits_of(&edit));
    assert!(renamed.contains("[permissions.view_doc]") && renamed.contains("permissions = [\"view_doc\"]"));
    assert!(!renamed.contains("read_doc"));
    let annotation = &edit["changeAnnotations"]["role-gen"];
    assert_eq!(annotation["needsConfirmation"], true, "{edit}");
    let message = server.notification("window/showMessage");
    let said = message["params"]["message"].as_str().unwrap_or_default();
    assert!(said.contains("permission-renamed") && said.contains("was renamed to `view_doc`"), "{said}");
    assert_eq!(annotation["description"].as_str(), Some(said));

    for (bad, why) in [("View Doc", "not a valid name"), ("edit_doc", "already exists")] {
        params["newName"] = json!(bad);
        let error = server.error("textDocument/rename", params.clone());
        assert!(error["message"].as_str().unwrap_or_default().contains(why), "{error}");
    }
    server.stop();
}

#[test]
fn quick_fixes_apply_a_did_you_mean_grant_a_permission_and_remove_with_a_reservation() {
    let mut server = Server::initialized();
    let typo = ACME.replace("permissions = [\"edit_doc\"]", "permissions = [\"edti_doc\"]");
    let diagnostics = server.open(&typo);
    let unknown = diagnostics.iter().find(|d| d["code"] == "unknown-permission").expect("unknown-permission");
    assert!(unknown["message"].as_str().unwrap_or_default().contains("help: did you mean `edit_doc`?"), "{unknown}");
    let context = json!({ "diagnostics": [], "only": ["quickfix"] });
    let params = json!({ "textDocument": { "uri": URI }, "range": unknown["range"], "context": context });
    let actions = server.result("textDocument/codeAction", params);
    assert_eq!(actions[0]["title"], "Change to `edit_doc`");
    assert_eq!(apply(&typo, &edits_of(&actions[0]["edit"])), ACME);

    let warnings = server.change(2, ACME);
    let ungranted = &warnings[0];
    let params = json!({ "textDocument": { "uri": URI }, "range": ungranted["range"], "context": { "diagnostics": [ungranted] } });
    let actions = server.result("textDocument/codeAction", params);
    let titles: Vec<&str> = actions.as_array().into_iter().flatten().filter_map(|a| a["title"].as_str()).collect();
    assert!(titles.contains(&"Grant `share_doc` to role `viewer`"), "{titles:?}");
    let grant = actions.as_array().into_iter().flatten().find(|a| a["title"] == "Grant `share_doc` to role `editor`");
    let grant = grant.expect("a grant to editor").clone();
    assert!(grant.get("edit").is_none(), "computed when picked");
    let resolved = server.result("codeAction/resolve", grant);
    let granted = apply(ACME, &edits_of(&resolved["edit"]));
    assert!(granted.contains("permissions = [\"edit_doc\", \"share_doc\"]"), "{granted}");
    assert!(server.change(3, &granted).is_empty(), "the warning is gone");

    let params = json!({ "textDocument": { "uri": URI }, "range": { "start": at(&granted, "share_doc]", 0, 2), "end": at(&granted, "share_doc]", 0, 2) }, "context": { "diagnostics": [] } });
    let actions = server.result("textDocument/codeAction", params);
    let remove = actions.as_array().into_iter().flatten().find(|a| a["kind"] == "refactor.rewrite").expect("remove").clone();
    assert_eq!(remove["title"], "Remove permission `share_doc` and the 1 reference to it, reserving id 3 and its name");
    let resolved = server.result("codeAction/resolve", remove);
    let removed = apply(&granted, &edits_of(&resolved["edit"]));
    assert!(removed.contains("permission_ids = [3]") && removed.contains("permission_names = [\"share_doc\"]"), "{removed}");
    assert!(!removed.contains("\"share_doc\", ") && !removed.contains("[permissions.share_doc]"));
    server.stop();
}

#[test]
fn formatting_gives_what_fmt_writes_and_nothing_for_an_invalid_file() {
    let messy = ACME.replace("id = 1\ndescription = \"Read", "id=1\n\n\ndescription   =   \"Read").replace("[roles.viewer]", "\n\n[roles.viewer]");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("roles.toml"), &messy).expect("write");
    assert!(role_gen(&["fmt"], dir.path()).status.success());
    let formatted = std::fs::read_to_string(dir.path().join("roles.toml")).expect("read");
    assert_ne!(formatted, messy);

    let mut server = Server::initialized();
    server.open(&messy);
    let options = json!({ "tabSize": 4, "insertSpaces": true });
    let edits = server.result("textDocument/formatting", json!({ "textDocument": { "uri": URI }, "options": options }));
    assert_eq!(apply(&messy, edits.as_array().map(Vec::as_slice).unwrap_or_default()), formatted);
    let broken = format!("{messy}\n[roles.viewer]\n");
    server.change(2, &broken);
    let edits = server.result("textDocument/formatting", json!({ "textDocument": { "uri": URI }, "options": options }));
    assert_eq!(edits, json!([]));
    server.stop();
}
