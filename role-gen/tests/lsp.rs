//! `role-gen lsp` end to end: a client that speaks JSON-RPC with `Content-Length` framing to
//! the real binary over its stdin and stdout, as an editor does.

#[path = "../benches/synthetic.rs"]
mod synthetic;

#[path = "lsp/client.rs"]
mod client;

use std::time::{Duration, Instant};

use client::{Server, URI, apply, at, codes, doc_at, edits_of, offset, position, role_gen, validate_json, wait};
use serde_json::{Value, json};

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
    let list = server.result(
        "textDocument/completion",
        json!({ "textDocument": { "uri": URI }, "position": position(&typing, end) }),
    );
    let labels: Vec<&str> =
        list["items"].as_array().into_iter().flatten().filter_map(|i| i["label"].as_str()).collect();
    assert_eq!(labels, ["read_doc", "share_doc"], "permissions, but not the one listed already");
    // Includes offer roles; a key position offers the role's keys not written yet.
    let includes = server.result("textDocument/completion", doc_at(ACME, "[\"viewer\"]", 0, 2));
    assert_eq!(includes["items"][0]["label"], "viewer");
    let keys_text = ACME.replace("assignable_on = [\"team\"]\n", "assignable_on = [\"team\"]\n\n");
    server.change(3, &keys_text);
    let keys = server.result("textDocument/completion", doc_at(&keys_text, "[\"team\"]\n\n", 0, 9));
    let labels: Vec<&str> =
        keys["items"].as_array().into_iter().flatten().filter_map(|i| i["label"].as_str()).collect();
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
    let remove =
        actions.as_array().into_iter().flatten().find(|a| a["kind"] == "refactor.rewrite").expect("remove").clone();
    assert_eq!(remove["title"], "Remove permission `share_doc` and the 1 reference to it, reserving id 3 and its name");
    let resolved = server.result("codeAction/resolve", remove);
    let removed = apply(&granted, &edits_of(&resolved["edit"]));
    assert!(
        removed.contains("permission_ids = [3]") && removed.contains("permission_names = [\"share_doc\"]"),
        "{removed}"
    );
    assert!(!removed.contains("\"share_doc\", ") && !removed.contains("[permissions.share_doc]"));
    server.stop();
}

#[test]
fn formatting_gives_what_fmt_writes_and_nothing_for_an_invalid_file() {
    let messy = ACME
        .replace("id = 1\ndescription = \"Read", "id=1\n\n\ndescription   =   \"Read")
        .replace("[roles.viewer]", "\n\n[roles.viewer]");
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

/// The server's diagnostics say what `validate` says: each code, message, place and related
/// place (the texts are ASCII, where a column is the same in characters and UTF-16 units).
fn assert_same_as_validate(text: &str, published: &[Value]) {
    let cli = validate_json(text);
    assert_eq!(published.len(), cli.len(), "{published:#?}\n{cli:#?}");
    for (lsp, cli) in published.iter().zip(&cli) {
        assert_eq!(lsp["code"], cli["code"]);
        let message = lsp["message"].as_str().unwrap_or_default();
        assert_eq!(message.lines().next(), cli["message"].as_str());
        if let Some(help) = cli["help"].as_str() {
            assert!(message.ends_with(&format!("\nhelp: {help}")), "{message}");
        }
        assert_eq!(lsp["range"]["start"]["line"].as_i64().map(|l| l + 1), cli["line"].as_i64());
        assert_eq!(lsp["range"]["start"]["character"].as_i64().map(|c| c + 1), cli["column"].as_i64());
        let related: Vec<(i64, i64, &str)> = cli["related"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                (r["line"].as_i64().unwrap_or(0), r["column"].as_i64().unwrap_or(0), r["label"].as_str().unwrap_or(""))
            })
            .collect();
        let shown: Vec<(i64, i64, &str)> = lsp["relatedInformation"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                let start = &r["location"]["range"]["start"];
                assert_eq!(r["location"]["uri"], URI);
                (
                    start["line"].as_i64().unwrap_or(0) + 1,
                    start["character"].as_i64().unwrap_or(0) + 1,
                    r["message"].as_str().unwrap_or(""),
                )
            })
            .collect();
        assert_eq!(shown, related);
    }
}

#[test]
fn diagnostics_follow_the_text_into_and_out_of_invalid_states_as_validate_reports_them() {
    let mut server = Server::initialized();
    let steps = [
        ACME.to_string(),
        // Not TOML: the parse error is the diagnostic.
        ACME.replace("[roles.editor]", "[roles.editor"),
        // A typo with its did-you-mean, and an id taken twice: the first holder is related.
        ACME.replace("\"edit_doc\"]", "\"edti_doc\"]").replace("id = 3", "id = 2"),
        // A cycle of includes: the other include is related.
        ACME.replace("permissions = [\"read_doc\"]", "permissions = [\"read_doc\"]\nincludes = [\"editor\"]"),
        ACME.to_string(),
    ];
    let (mut codes_seen, mut related) = (Vec::new(), Vec::new());
    for (i, text) in steps.iter().enumerate() {
        let version = i as i64 + 1;
        let published = if i == 0 { server.open(text) } else { server.change(version, text) };
        assert_same_as_validate(text, &published);
        codes_seen.push(codes(&published));
        related.extend(published.iter().flat_map(|d| {
            let places = d["relatedInformation"].as_array().cloned().unwrap_or_default();
            places.into_iter().map(|r| (d["code"].as_str().unwrap_or("").to_string(), r["message"].clone()))
        }));
    }
    // The other end of the duplicate and of the cycle, each where it is written.
    let other_ends = [
        ("duplicate-id".to_string(), json!("permission `edit_doc` has id 2 here")),
        ("include-cycle".to_string(), json!("`editor` includes `viewer`")),
    ];
    assert_eq!(related, other_ends);
    assert_eq!(codes_seen[1], ["toml-syntax"]);
    assert!(
        codes_seen[2].contains(&"unknown-permission".to_string())
            && codes_seen[2].contains(&"duplicate-id".to_string())
    );
    assert!(codes_seen[3].contains(&"include-cycle".to_string()), "{:?}", codes_seen[3]);
    assert_eq!(codes_seen[4], ["ungranted-permission"], "back to valid: the errors are cleared");

    // Closing the document clears its diagnostics.
    server.notify("textDocument/didClose", json!({ "textDocument": { "uri": URI } }));
    let cleared = server.notification("textDocument/publishDiagnostics");
    assert_eq!(cleared["params"]["diagnostics"], json!([]));
    server.stop();
}

/// The document symbols as (name, kind, detail, text of the range, text of the selection).
fn outline(server: &mut Server, text: &str) -> Vec<(String, u64, String, String, String)> {
    let symbols = server.result("textDocument/documentSymbol", json!({ "textDocument": { "uri": URI } }));
    let slice = |range: &Value| text[offset(text, &range["start"])..offset(text, &range["end"])].to_string();
    let symbols = symbols.as_array().cloned().unwrap_or_default();
    symbols
        .iter()
        .map(|s| {
            let (name, detail) = (s["name"].as_str().unwrap_or("?"), s["detail"].as_str().unwrap_or("?"));
            let kind = s["kind"].as_u64().unwrap_or(0);
            (name.to_string(), kind, detail.to_string(), slice(&s["range"]), slice(&s["selectionRange"]))
        })
        .collect()
}

#[test]
fn the_outline_and_definitions_stay_while_a_line_is_half_typed() {
    let mut server = Server::initialized();
    server.open(ACME);
    let symbols = outline(&mut server, ACME);
    let names: Vec<(&str, u64, &str)> = symbols.iter().map(|(n, k, d, ..)| (n.as_str(), *k, d.as_str())).collect();
    // Kinds as the protocol numbers them: module 2, constant 14, class 5, enum member 22, function 12.
    assert_eq!(
        names,
        [
            ("org", 2, "entity"),
            ("team", 2, "entity"),
            ("read_doc", 14, "permission 1"),
            ("edit_doc", 14, "permission 2"),
            ("share_doc", 14, "permission 3"),
            ("viewer", 5, "role 1"),
            ("editor", 5, "role 2"),
            ("guest", 22, "legacy level"),
            ("member", 22, "legacy level"),
            ("share", 12, "policy 1"),
        ]
    );
    let read = &symbols[2];
    assert_eq!(
        (read.3.as_str(), read.4.as_str()),
        ("[permissions.read_doc]\nid = 1\ndescription = \"Read a document\"", "read_doc")
    );
    let editor = &symbols[6];
    assert!(
        editor.3.starts_with("[roles.editor]\n") && editor.3.ends_with("assignable_on = [\"team\"]"),
        "{}",
        editor.3
    );
    assert_eq!(symbols[7].3, "guest");

    // Half typed, the file is not TOML; the outline keeps every name, the new one included.
    // A predicate is in the outline once its `[predicates]` entry describes it.
    let typing = ACME
        .replace("[roles.viewer]", "[permissions.archive]\nid = 4\ndescription = \"Arch\n\n[roles.viewer]")
        + "\n[predicates.is_owner]\ndescription = \"Owns it\"\n";
    assert_eq!(codes(&server.change(2, &typing)), ["toml-syntax"]);
    let symbols = outline(&mut server, &typing);
    let names: Vec<&str> = symbols.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(names.len(), 12, "{names:?}");
    assert_eq!((names[5], names[11]), ("archive", "is_owner"));
    assert_eq!((symbols[11].1, symbols[11].2.as_str()), (6, "predicate"), "a method, as completion shows it");
    // Go to definition reads the name from the text as completion does.
    let viewer = server.result("textDocument/definition", doc_at(&typing, "includes = [\"viewer", 0, 14));
    let header = typing.find("[roles.viewer]").map(|i| i + "[roles.".len()).unwrap_or(0);
    assert_eq!(viewer[0]["range"]["start"], position(&typing, header));
    assert_eq!(viewer[0]["range"]["end"], position(&typing, header + "viewer".len()));
    let team = server.result("textDocument/definition", doc_at(&typing, "assignable_on = [\"team", 0, 19));
    assert_eq!(team[0]["range"]["start"], position(&typing, typing.find("[entities.team]").unwrap_or(0) + 10));
    let owner = server.result("textDocument/definition", doc_at(&typing, "allow_if = \"is_owner", 0, 13));
    let entry = typing.find("[predicates.is_owner]").map(|i| i + "[predicates.".len()).unwrap_or(0);
    assert_eq!(owner[0]["range"]["start"], position(&typing, entry), "a predicate's definition is its entry");
    server.stop();
}

#[test]
fn positions_count_utf16_units_on_lines_with_emoji() {
    let text = "[project]\nname = \"acme\"\n\n[entities.org]\ndescription = \"o\"\n\n[permissions]\n\
                read = { id = 1, description = \"Read 😀 docs\", entities = [\"nope\"] }\n\n[roles]\n\
                reader = { id = 1, description = \"Reads 😀😀\", permissions = [\"read\"] }\n";
    let mut server = Server::initialized();
    let published = server.open(text);
    let unknown = published.iter().find(|d| d["code"] == "unknown-entity").expect("unknown-entity");
    // `"nope"` starts at character 58 of its line, UTF-16 unit 59 (the emoji is two units).
    assert_eq!(
        unknown["range"],
        json!({ "start": { "line": 7, "character": 59 }, "end": { "line": 7, "character": 65 } })
    );
    let cli = validate_json(text);
    let column = cli.iter().find(|d| d["code"] == "unknown-entity").map(|d| d["column"].clone());
    assert_eq!(column, Some(json!(59)), "validate counts characters (1-based), the server UTF-16 units (0-based)");

    let references = server.result(
        "textDocument/references",
        json!({ "textDocument": { "uri": URI }, "position": at(text, "read = {", 0, 1), "context": { "includeDeclaration": false } }),
    );
    let expected = json!([{ "uri": URI, "range": { "start": { "line": 10, "character": 63 }, "end": { "line": 10, "character": 67 } } }]);
    assert_eq!(references, expected, "`read` after two emoji, inside its quotes");
    let back = server.result("textDocument/definition", doc_at(text, "[\"read\"]", 0, 3));
    assert_eq!(
        back[0]["range"],
        json!({ "start": { "line": 7, "character": 0 }, "end": { "line": 7, "character": 4 } })
    );
    let fixed = text.replace("[\"nope\"]", "[\"org\"]");
    assert!(server.change(2, &fixed).iter().all(|d| d["code"] != "unknown-entity"));
    server.stop();
}

#[test]
fn bad_requests_get_errors_and_the_server_keeps_serving() {
    let mut server = Server::start();
    let early = server.error(
        "textDocument/hover",
        json!({ "textDocument": { "uri": URI }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(early["code"], -32002, "not initialized yet");
    let result = server.result("initialize", json!({ "capabilities": {} }));
    assert_eq!(result["capabilities"]["renameProvider"]["prepareProvider"], true);
    server.notify("initialized", json!({}));
    server.open(ACME);

    for garbage in [
        &b"{not json"[..],
        b"[1, 2]",
        b"{\"jsonrpc\": \"2.0\", \"id\": 1.5, \"method\": \"x\"}",
        "\u{1F600}".as_bytes(),
    ] {
        server.write_raw(garbage);
        let answer = server.response(&Value::Null);
        assert_eq!(answer["error"]["code"], -32700, "{answer}");
    }
    assert_eq!(server.error("textDocument/unknown", json!({}))["code"], -32601);
    assert_eq!(server.error("textDocument/hover", json!({ "textDocument": 7 }))["code"], -32602);
    let elsewhere =
        json!({ "textDocument": { "uri": "file:///elsewhere/roles.toml" }, "position": { "line": 0, "character": 0 } });
    assert_eq!(server.error("textDocument/definition", elsewhere)["code"], -32602, "only open documents are read");
    let far = json!({ "textDocument": { "uri": URI }, "position": { "line": 4_000_000_000u32, "character": 4_000_000_000u32 } });
    assert_eq!(server.result("textDocument/hover", far.clone()), Value::Null);
    assert!(server.result("textDocument/completion", far.clone())["items"].is_array());
    assert_eq!(server.result("textDocument/references", json!({ "textDocument": { "uri": URI }, "position": far["position"], "context": { "includeDeclaration": true } })), json!([]));
    let mut rename = doc_at(ACME, "\"read_doc\"", 0, 3);
    rename["newName"] = json!("");
    assert!(
        server.error("textDocument/rename", rename)["message"]
            .as_str()
            .unwrap_or_default()
            .contains("not a valid name")
    );
    let nowhere = json!({ "textDocument": { "uri": URI }, "position": { "line": 0, "character": 0 }, "newName": "x" });
    assert!(
        server.error("textDocument/rename", nowhere)["message"].as_str().unwrap_or_default().contains("no name here")
    );
    let forged = json!({ "title": "x", "data": { "uri": URI, "fix": { "Remove": { "sym": "Level", "name": "guest", "force": true } } } });
    assert!(server.error("codeAction/resolve", forged)["message"].is_string());
    server.notify("textDocument/didChange", json!({ "textDocument": { "uri": "file:///not/open.toml", "version": 2 }, "contentChanges": [{ "text": "x" }] }));

    // Still serving, and still right.
    let hover = server.result("textDocument/hover", doc_at(ACME, "[roles.viewer]", 0, 8));
    assert!(hover["contents"]["value"].as_str().unwrap_or_default().contains("**role** `viewer`"));
    assert_eq!(server.result("shutdown", Value::Null), Value::Null);
    assert_eq!(server.error("textDocument/hover", doc_at(ACME, "viewer", 0, 1))["code"], -32600, "shut down");
    server.notify("exit", Value::Null);
    assert_eq!(wait(&mut server.child), Some(0));
}

#[test]
fn exit_without_shutdown_is_an_error_exit() {
    let mut server = Server::initialized();
    server.notify("exit", Value::Null);
    assert_eq!(wait(&mut server.child), Some(1));
    let mut gone = Server::initialized();
    drop(gone.stdin.take());
    assert_eq!(wait(&mut gone.child), Some(1), "the client went away");
}

/// The median of durations.
fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

/// The synthetic 10,000-permission definition of the benchmarks (2 MB): diagnostics after a
/// one-character change arrive within twice the time `role-gen validate` takes on the file.
/// The two are timed in turn, five times each, so that both see the same load on the machine.
#[test]
fn a_two_megabyte_file_is_diagnosed_after_a_change_within_twice_validate() {
    let text = synthetic::definition(10_000, 1_000);
    assert!(text.len() > 2_000_000, "{} bytes", text.len());
    let edited = text.replacen("Do thing number 5,", "Do thing number 6,", 1);
    assert_eq!(edited.len(), text.len());
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("roles.toml"), &text).expect("write");
    let mut server = Server::initialized();
    let opened = server.open(&text);
    let (mut validate, mut change) = (Vec::new(), Vec::new());
    for version in 2..7 {
        let start = Instant::now();
        let out = role_gen(&["validate", "-f", "roles.toml"], dir.path());
        validate.push(start.elapsed());
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        // One character, back and forth: a digit of a description.
        let start = Instant::now();
        let published = server.change(version, if version % 2 == 0 { &edited } else { &text });
        change.push(start.elapsed());
        assert_eq!(published.len(), opened.len());
    }
    let (validate, change) = (median(validate), median(change));
    eprintln!(
        "2 MB roles.toml ({} bytes, {} diagnostics): role-gen validate {validate:.0?}, diagnostics after a \
         one-character change {change:.0?} (medians of 5), {:.2}x",
        text.len(),
        opened.len(),
        change.as_secs_f64() / validate.as_secs_f64()
    );
    assert!(change <= validate * 2, "a change took {change:?}, validate {validate:?}");
    server.stop();
}

#[test]
fn a_client_that_sends_ranges_anyway_is_followed() {
    let mut server = Server::initialized();
    server.open(ACME);
    let start = ACME.find("\"edit_doc\"]").map(|i| i + 1).unwrap_or(0);
    let range = json!({ "start": position(ACME, start), "end": position(ACME, start + 8) });
    let params = json!({
        "textDocument": { "uri": URI, "version": 2 },
        "contentChanges": [{ "range": range, "text": "edti_doc" }, { "range": range, "text": "edit_dox" }],
    });
    server.notify("textDocument/didChange", params);
    let published = server.diagnostics(2);
    let unknown = published.iter().find(|d| d["code"] == "unknown-permission").expect("unknown-permission");
    assert!(unknown["message"].as_str().unwrap_or_default().starts_with("unknown permission `edit_dox`"), "{unknown}");
    server.stop();
}

#[test]
fn only_roles_files_are_answered_unless_every_file_is_asked_for() {
    let cargo = "file:///work/acme/Cargo.toml";
    let named = "file:///work/acme/access.toml";
    let manifest = "[package]\nname = \"acme\"\n";
    let with_schema = format!("# Who may do what.\n#:schema ./roles.schema.json\n{ACME}");
    let mut server = Server::initialized();
    server.open_as(cargo, manifest);
    server.open_as(named, &with_schema);
    // Diagnostics of Cargo.toml would fail this: `diagnostics_of` refuses another document's.
    assert_eq!(codes(&server.diagnostics_of(named, 1)), ["ungranted-permission"], "`init`'s #:schema line");
    let hover = json!({ "textDocument": { "uri": cargo }, "position": { "line": 0, "character": 3 } });
    assert_eq!(server.result("textDocument/hover", hover.clone()), Value::Null);
    // Without the line it is not a roles file any more: its diagnostics are cleared.
    server.change_as(named, 2, ACME);
    let cleared = server.notification("textDocument/publishDiagnostics");
    assert_eq!((&cleared["params"]["uri"], &cleared["params"]["diagnostics"]), (&json!(named), &json!([])));
    server.stop();

    let mut every = Server::initialized_with(&["lsp", "--every-file"]);
    every.open_as(cargo, manifest);
    assert!(codes(&every.diagnostics_of(cargo, 1)).contains(&"unknown-key".to_string()));
    let project = json!({ "textDocument": { "uri": cargo }, "position": { "line": 0, "character": 1 } });
    let keys = every.result("textDocument/completion", project);
    assert!(keys["items"].as_array().is_some_and(|i| i.iter().any(|i| i["label"] == "project")), "{keys}");
    every.stop();
}
