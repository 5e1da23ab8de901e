//! `role-gen schema` judged by taplo, the engine of Even Better TOML (the pinned `taplo` wheel of
//! tests/tools/requirements.txt, installed by `scripts/test`):
//!
//! - every valid definition of the repository is accepted;
//! - every file of the invalid corpus whose error is one a schema can state (an unknown key, a
//!   wrong type, a missing key, a name or id of the wrong form, bad TOML) is rejected, and the
//!   others, whose errors are about references and rules across entries, are accepted;
//! - key by key, taplo and `validate` give the same verdict on mutations of the schema's own
//!   example (`role_gen_core::schema::EXAMPLE`): an unknown key in each table, each required key
//!   removed, each key given a value of a wrong type, each name, id and text given values of the
//!   right and the wrong form;
//! - the committed `roles.schema.json` is what `role-gen schema` prints, and the repository's
//!   `.taplo.toml` associates it with every `roles.toml`, as the README tells users to.
//!
//! taplo runs once per batch of files: it names each file it rejects.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use role_gen_core::schema::{self, Form, Key, Table, Value};
use role_gen_tests::{definitions, edge, hostile, read, run_output, workspace_root, write};
use toml_edit::{DocumentMut, Item, TableLike};

/// The pinned taplo. Missing, the test fails: it exists to run the real judge.
fn taplo() -> PathBuf {
    let bin = workspace_root().join("tests/tools/.venv/bin/taplo");
    assert!(
        bin.is_file(),
        "the pinned judge `taplo` is not installed (looked for {}).\n\
         Run the tests with `scripts/test`, which installs tests/tools/requirements.txt into\n\
         tests/tools/.venv (pip install --require-hashes).",
        bin.display()
    );
    bin
}

/// The files of `files` that taplo rejects, run in `dir` with `args` before them. Asserts that
/// taplo looked at every file, so a file it skipped cannot pass as accepted.
fn rejected(dir: &Path, args: &[&str], files: &[PathBuf]) -> BTreeSet<PathBuf> {
    let mut cmd = Command::new(taplo());
    cmd.current_dir(dir).args(["check", "--colors", "never"]).args(args).args(files);
    let output = run_output(&mut cmd);
    let log = String::from_utf8_lossy(&output.stderr).into_owned();
    let found = format!("found files total={} ", files.len());
    assert!(log.contains(&found), "taplo did not look at all {} files:\n{log}", files.len());
    let rejected: BTreeSet<PathBuf> = log
        .lines()
        .filter(|l| l.contains("invalid file"))
        .filter_map(|l| l.split("path=\"").nth(1)?.strip_suffix('"').map(PathBuf::from))
        .collect();
    assert_eq!(output.status.success(), rejected.is_empty(), "taplo's exit code and its report disagree:\n{log}");
    rejected
}

/// A folder holding the schema `role-gen schema` prints; taplo's `--schema` for it.
struct Judge {
    dir: tempfile::TempDir,
}

impl Judge {
    fn new() -> Judge {
        let dir = tempfile::tempdir().expect("tempdir");
        write(&dir.path().join("roles.schema.json"), &role_gen::json_schema::json_schema());
        Judge { dir }
    }

    /// The files taplo rejects against the schema (no configuration file is looked for).
    fn rejected(&self, files: &[PathBuf]) -> BTreeSet<PathBuf> {
        let url = format!("file://{}", self.dir.path().join("roles.schema.json").display());
        rejected(self.dir.path(), &["--no-auto-config", "--schema", &url], files)
    }

    /// Writes `text` as a file in the judge's folder.
    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        write(&path, text);
        path
    }
}

#[test]
fn the_committed_schema_is_what_role_gen_schema_prints() {
    let committed = read(&workspace_root().join("roles.schema.json"));
    assert!(
        committed == role_gen::json_schema::json_schema(),
        "roles.schema.json is stale; run `cargo run -p role-gen -- schema > roles.schema.json`"
    );
}

/// Every valid definition of the repository: the examples (which `init` writes: role-gen/init/
/// links to them), the derive's fixture, the hostile and edge files, the files with warnings,
/// and the schema's own example.
fn valid_definitions(judge: &Judge) -> Vec<PathBuf> {
    let root = workspace_root();
    let mut files = definitions();
    files.push(root.join("role-macros/tests/ui/fixture/roles.toml"));
    files.push(hostile());
    files.extend(["empty", "policies_predicates_only", "policies_without_legacy", "python", "quotes"].map(edge));
    files.extend(toml_files(&root.join("tests/warnings")));
    files.push(judge.file("example.toml", schema::EXAMPLE));
    files
}

fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn taplo_accepts_every_valid_definition_of_the_repository() {
    let judge = Judge::new();
    let files = valid_definitions(&judge);
    for file in &files {
        let text = read(file);
        assert!(role_gen_core::validate_text(file, &text).is_ok(), "{} is not valid", file.display());
    }
    assert_eq!(judge.rejected(&files), BTreeSet::new());
}

/// The codes of errors a schema states: each is about one key or value.
const STATED: [&str; 6] =
    ["toml-syntax", "unknown-key", "wrong-type", "missing-key", "invalid-name", "id-out-of-range"];

/// Files of the corpus whose code is one of those, for a rule across keys that the schema leaves
/// to `validate`: which keys a `[[tests]]` entry may combine.
const ACROSS_KEYS: [&str; 2] = [
    "missing-key-test-path.toml",            // `assign` without `path`
    "wrong-type-test-roles-and-assign.toml", // `roles` beside `assign`
];

#[test]
fn taplo_rejects_the_invalid_corpus_where_the_error_is_one_a_schema_states() {
    let judge = Judge::new();
    let dir = workspace_root().join("tests/invalid");
    let expected = read(&dir.join("expected.tsv"));
    let mut files = Vec::new();
    let mut should_reject = BTreeSet::new();
    for line in expected.lines().filter(|l| !l.trim().is_empty()) {
        let mut columns = line.split('\t');
        let (Some(name), Some(code)) = (columns.next(), columns.next()) else { panic!("expected.tsv: `{line}`") };
        let path = dir.join(name);
        let across = ACROSS_KEYS.contains(&name);
        if STATED.contains(&code) && !across {
            should_reject.insert(path.clone());
        }
        files.push(path);
    }
    assert_eq!(files.len(), toml_files(&dir).len(), "expected.tsv names every file of tests/invalid");
    let rejected = judge.rejected(&files);
    let missed: Vec<_> = should_reject.difference(&rejected).collect();
    let extra: Vec<_> = rejected.difference(&should_reject).collect();
    assert!(missed.is_empty(), "taplo accepted files with an error the schema states: {missed:#?}");
    assert!(extra.is_empty(), "taplo rejected files whose errors the schema leaves to validate: {extra:#?}");
    assert!(should_reject.len() > 50, "the corpus shrank: {}", should_reject.len());
}

/// One mutation of the example: what it does, and the document it makes.
struct Mutation {
    what: String,
    text: String,
}

/// A mutation applied to the first instance of `shape` in the example for which `apply`
/// returns true; `None` when there is none.
fn mutate(shape: &Table, what: String, apply: &dyn Fn(&mut dyn TableLike) -> bool) -> Option<Mutation> {
    let mut doc: DocumentMut = schema::EXAMPLE.parse().expect("the example is TOML");
    visit(&schema::ROOT, doc.as_table_mut(), shape, apply).then(|| Mutation { what, text: doc.to_string() })
}

/// Walks the instances of every table in document order, applying `apply` to those of `target`
/// until it applies.
fn visit(shape: &Table, table: &mut dyn TableLike, target: &Table, apply: &dyn Fn(&mut dyn TableLike) -> bool) -> bool {
    if std::ptr::eq(shape, target) && apply(table) {
        return true;
    }
    for key in shape.keys {
        let (Some(inner), Some(item)) = (key.value.table(), table.get_mut(key.name)) else { continue };
        let done = match key.value {
            Value::Table(_) => item.as_table_like_mut().is_some_and(|t| visit(inner, t, target, apply)),
            Value::Named(_) => item.as_table_like_mut().is_some_and(|entries| {
                entries
                    .iter_mut()
                    .any(|(_, entry)| entry.as_table_like_mut().is_some_and(|t| visit(inner, t, target, apply)))
            }),
            Value::Tables(_) => {
                item.as_array_of_tables_mut().is_some_and(|a| a.iter_mut().any(|t| visit(inner, t, target, apply)))
            }
            Value::Inline(_) => item.as_array_mut().is_some_and(|a| {
                a.iter_mut().any(|v| v.as_inline_table_mut().is_some_and(|t| visit(inner, t, target, apply)))
            }),
            _ => false,
        };
        if done {
            return true;
        }
    }
    false
}

/// A TOML value as an item.
fn item(text: &str) -> Item {
    let doc: DocumentMut = format!("x = {text}").parse().unwrap_or_else(|e| panic!("`{text}`: {e}"));
    doc["x"].clone()
}

/// A value of a type the key does not take.
fn wrong_type(value: Value) -> &'static str {
    match value {
        Value::Integer | Value::Boolean | Value::Decision => "\"text\"",
        Value::Integers => "[\"text\"]",
        Value::Strings => "[1]",
        _ => "1",
    }
}

/// Names of another form than a name's.
fn bad_names() -> Vec<String> {
    let too_long = "a".repeat(role_gen_core::names::MAX_NAME_LEN + 1);
    let names = ["Not_a_name", "a__b", "a_", "_a", "1a", "a-b", "a b", "\u{430}rchive", ""];
    names.iter().map(|n| n.to_string()).chain([too_long]).collect()
}

/// Values for a key of the form, as TOML, some of the form and some not. Only where no rule
/// across entries decides: a name that is of the form refers to nothing (so is invalid for
/// another reason), so names of the form are tried on the project's name alone.
fn forms(key: &Key) -> Vec<String> {
    let strings = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let samples = match key.form {
        Form::Any => return Vec::new(),
        // Ids in use or reserved would be other errors; 60000 and 65535 are free in the example.
        Form::Id => return strings(&["0", "65536", "-3", "60000", "65535"]),
        Form::Name if key.name == "name" => {
            let longest = "a".repeat(role_gen_core::names::MAX_NAME_LEN);
            bad_names().into_iter().chain([longest, "x1_y2".into(), "a".into()]).collect()
        }
        Form::Name => bad_names(),
        Form::Text => strings(&["", " \t ", "\u{85}", "\u{3000}", "\u{feff}", "a"]),
        Form::ProtoPackage => strings(&[
            "slack.roles",
            "Slack.roles.v1",
            "slack.v0",
            "v1",
            "slack.v1beta",
            "slack.v1beta2",
            "slack.v2test1",
            "a.b_c.v10",
        ]),
        Form::Target => strings(&["cobol", "", "rust"]),
        Form::DiffCode => strings(&[
            "not-a-code",
            "permission-added",
            "permission-removed:Old",
            "permission-removed:",
            " role-removed ",
            "permission-removed: old_name ",
            "permission-id-unreserved:7",
            "proto-package-changed:acme.roles.v2",
        ]),
    };
    let samples: Vec<String> = samples.iter().map(|s| serde_json::to_string(s).expect("a string")).collect();
    match key.value {
        Value::Strings => samples.into_iter().map(|s| format!("[{s}]")).collect(),
        Value::OneOrMany => samples.iter().cloned().chain(samples.iter().map(|s| format!("[{s}]"))).collect(),
        Value::Flags => samples.into_iter().map(|s| format!("{{ {s} = true }}")).collect(),
        _ => samples,
    }
}

/// Every mutation of the example the schema table describes.
fn mutations() -> Vec<Mutation> {
    let mut out = Vec::new();
    let mut tables = vec![&schema::ROOT];
    let mut i = 0;
    while let Some(table) = tables.get(i).copied() {
        i += 1;
        tables.extend(table.keys.iter().filter_map(|k| k.value.table()));
        let header = table.header;
        out.extend(mutate(table, format!("{header}: unknown key"), &|t| t.insert("not_a_key", item("1")).is_none()));
        for key in table.keys {
            let name = key.name;
            let has = move |t: &mut dyn TableLike| t.contains_key(name);
            if key.required {
                out.extend(mutate(table, format!("{header}: no `{name}`"), &|t| t.remove(name).is_some()));
            }
            let bad = wrong_type(key.value);
            out.extend(mutate(table, format!("{header} {name} = {bad}"), &|t| {
                has(t) && t.insert(name, item(bad)).is_some()
            }));
            for value in forms(key) {
                out.extend(mutate(table, format!("{header} {name} = {value}"), &|t| {
                    has(t) && t.insert(name, item(&value)).is_some()
                }));
            }
        }
    }
    out
}

/// Entries renamed to names of another form (of the form, the references to them would break).
fn renamed_entries() -> Vec<Mutation> {
    let mut out = Vec::new();
    for section in schema::sections().filter(|s| matches!(s.value, Value::Named(_))) {
        for name in ["Bad-Name", "bad__name", "Fine"] {
            let mut doc: DocumentMut = schema::EXAMPLE.parse().expect("TOML");
            let Some(entries) = doc.get_mut(section.name).and_then(Item::as_table_like_mut) else { continue };
            let Some(first) = entries.iter().next().map(|(k, _)| k.to_string()) else { continue };
            let Some(entry) = entries.remove(&first) else { continue };
            entries.insert(name, entry);
            out.push(Mutation { what: format!("[{}.{name}] for `{first}`", section.name), text: doc.to_string() });
        }
    }
    out
}

#[test]
fn taplo_and_validate_agree_on_every_mutation_of_the_example_key_by_key() {
    let judge = Judge::new();
    let mut mutations = mutations();
    mutations.extend(renamed_entries());
    let files: Vec<PathBuf> =
        mutations.iter().enumerate().map(|(i, m)| judge.file(&format!("m{i:03}.toml"), &m.text)).collect();
    let rejected = judge.rejected(&files);
    let mut disagree = Vec::new();
    let mut invalid = 0;
    for (m, file) in mutations.iter().zip(&files) {
        let valid = role_gen_core::validate_text("roles.toml", &m.text).is_ok();
        invalid += usize::from(!valid);
        if valid == rejected.contains(file) {
            let taplo = if valid { "rejects" } else { "accepts" };
            disagree.push(format!(
                "{}: validate says {}, taplo {taplo}",
                m.what,
                if valid { "valid" } else { "invalid" }
            ));
        }
    }
    assert!(disagree.is_empty(), "{} of {} mutations:\n{}", disagree.len(), mutations.len(), disagree.join("\n"));
    assert!(invalid > 400 && mutations.len() - invalid >= 30, "{invalid} invalid of {}", mutations.len());
}

#[test]
fn the_repository_taplo_config_associates_the_schema_with_every_roles_toml() {
    let root = workspace_root();
    let tmp = tempfile::tempdir().expect("tempdir");
    // The association as committed: the config and the schema, copied with their folder layout.
    for file in [".taplo.toml", "roles.schema.json"] {
        write(&tmp.path().join(file), &read(&root.join(file)));
    }
    let good = tmp.path().join("services/auth/roles.toml");
    write(&good, &read(&definitions()[0]));
    let bad = tmp.path().join("services/billing/roles.toml");
    write(&bad, &read(&definitions()[0]).replacen("[project]\n", "[project]\nnot_a_key = 1\n", 1));
    let other = tmp.path().join("Cargo.toml");
    write(&other, "[package]\nname = \"x\"\n");
    let files = [good, bad.clone(), other];
    assert_eq!(rejected(tmp.path(), &[], &files), BTreeSet::from([bad]));
}
