//! `role-gen diff` is never laxer than `buf breaking` (issue 11's gate).
//!
//! The example definitions are taken through the changes teams make to roles.toml, for
//! permissions, roles, policies, entity types and legacy levels alike: moves that only change
//! the file's order, inserts first and at the end, renames, renumbers, swapped ids, removals
//! with and without reservation (and with only the id reserved), dropped reservations,
//! deprecations, a new protobuf package. Every version is valid. Then, for every ordered pair of
//! versions of one definition, the pinned `buf breaking` compares the two generated
//! `roles.proto`, once with the `WIRE_JSON` rules and once with `FILE`, and:
//!
//! - whatever buf calls `WIRE_JSON`-breaking, `diff` reports a wire-breaking finding for;
//! - whatever buf calls `FILE`-breaking, `diff` fails on (`Report::is_breaking`, what the CLI's
//!   exit code is);
//! - a move that only changes the file's order is silent in both.
//!
//! role-gen may be stricter than buf (a dropped reservation nobody reuses, a moved legacy level
//! that changes who `allow_if_legacy_at_least` admits), never laxer.
//!
//! buf runs twice in all, not once per pair: each pair's two files go into two module folders
//! under the same path (`pNNNN/roles.proto`), their package prefixed with `pNNNN.` so the pairs
//! do not collide; buf compares files by path, so each pair is compared on its own. Pairs whose
//! two protos are identical are not sent (buf has nothing to compare).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};

use role_gen::diff::{Class, Report};
use role_gen_tests::{Scratch, definition, read, run_output, tool, write};
use serde_json::Value;

/// One version of a definition: a name, the roles.toml text, and, for a move that only changes
/// the file's order, the version it must be indistinguishable from.
struct Version {
    name: String,
    text: String,
    same_as: Option<&'static str>,
}

/// Builds versions from a base text, each edit checked to change what it means to change.
struct Corpus {
    base: String,
    versions: Vec<Version>,
}

impl Corpus {
    fn new(base: &str) -> Self {
        let versions = vec![Version { name: "base".into(), text: base.to_string(), same_as: None }];
        Corpus { base: base.to_string(), versions }
    }

    fn add(&mut self, name: &str, text: String) {
        assert_ne!(text, self.base, "version {name} changes nothing");
        self.versions.push(Version { name: name.into(), text, same_as: None });
    }

    /// A version that differs from `like` only in the order of the file.
    fn moved(&mut self, name: &str, text: String, like: &'static str) {
        self.add(name, text);
        if let Some(v) = self.versions.last_mut() {
            v.same_as = Some(like);
        }
    }
}

/// `text` with `from` replaced by `to` everywhere; `from` must occur.
fn replace(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "`{from}` is not in the text");
    text.replace(from, to)
}

/// The block of table `header` (`[permissions.x]`): from its header line to the blank line
/// after it.
fn block<'t>(text: &'t str, header: &str) -> &'t str {
    let start = text.find(&format!("\n{header}\n")).unwrap_or_else(|| panic!("no {header}")) + 1;
    let end = text[start..].find("\n\n").map_or(text.len(), |e| start + e + 2);
    &text[start..end]
}

/// `text` with the block of `header` moved right after the block of `after`.
fn move_after(text: &str, header: &str, after: &str) -> String {
    let moving = block(text, header).to_string();
    let without = text.replacen(&moving, "", 1);
    let anchor = block(&without, after).to_string();
    without.replacen(&anchor, &format!("{anchor}{moving}"), 1)
}

/// `text` with `new` inserted before the block of `header`.
fn insert_before(text: &str, header: &str, new: &str) -> String {
    let anchor = block(text, header).to_string();
    text.replacen(&anchor, &format!("{new}\n\n{anchor}"), 1)
}

/// `text` with `new` inserted after the block of `header`.
fn insert_after(text: &str, header: &str, new: &str) -> String {
    let anchor = block(text, header).to_string();
    text.replacen(&anchor, &format!("{anchor}{new}\n\n"), 1)
}

/// `text` with `key = value` lines set in `[reserved]`.
fn reserving(text: &str, lines: &[(&str, &str)]) -> String {
    let mut out = text.to_string();
    for (key, value) in lines {
        let line = format!("{key} = {value}");
        let existing = out.lines().find(|l| l.starts_with(&format!("{key} = "))).map(str::to_string);
        out = match existing {
            Some(old) => out.replacen(&old, &line, 1),
            None => replace(&out, "[reserved]\n", &format!("[reserved]\n{line}\n")),
        };
    }
    out
}

/// The Slack example through every kind of change.
fn slack() -> Corpus {
    let base = read(&definition("slack"));
    let mut c = Corpus::new(&base);
    permissions(&mut c, &base);
    roles(&mut c, &base);
    policies(&mut c, &base);
    entities(&mut c, &base);
    legacy(&mut c, &base);
    c.add("package_bump", replace(&base, "proto_package = \"slack.roles.v1\"", "proto_package = \"slack.roles.v2\""));
    c
}

fn permissions(c: &mut Corpus, base: &str) {
    let export = "[permissions.export_data]\nid = 11\ndescription = \"Export data\"\nentities = [\"workspace\"]";
    let granted =
        replace(base, "permissions = [\"assign_roles\"]", "permissions = [\"assign_roles\", \"export_data\"]");
    c.add("perm_insert_first", insert_before(&granted, "[permissions.archive_channel]", export));
    c.moved("perm_append", insert_after(&granted, "[permissions.view_roles]", export), "perm_insert_first");
    c.add(
        "perm_removed_reserved",
        reserving(
            base,
            &[("permission_ids", "[10, 11]"), ("permission_names", "[\"delete_workspace\", \"export_data\"]")],
        ),
    );
    c.add("perm_removed_id_reserved", reserving(base, &[("permission_ids", "[10, 11]")]));
    c.moved("perm_reorder", move_after(base, "[permissions.archive_channel]", "[permissions.view_roles]"), "base");
    c.add("perm_rename", base.replace("view_roles", "read_roles"));
    c.add(
        "perm_renumber",
        replace(base, "id = 2\ndescription = \"Rename a channel\"", "id = 12\ndescription = \"Rename a channel\""),
    );
    let swapped =
        replace(base, "id = 1\ndescription = \"Archive a channel\"", "id = 99\ndescription = \"Archive a channel\"");
    let swapped =
        replace(&swapped, "id = 2\ndescription = \"Rename a channel\"", "id = 1\ndescription = \"Rename a channel\"");
    c.add("perm_swap_ids", replace(&swapped, "id = 99\n", "id = 2\n"));
    c.add("perm_unreserve", reserving(base, &[("permission_ids", "[]")]));
    c.add(
        "perm_deprecate",
        replace(
            base,
            "description = \"Archive a channel\"\n",
            "description = \"Archive a channel\"\ndeprecated = \"use x\"\n",
        ),
    );
}

fn roles(c: &mut Corpus, base: &str) {
    let auditor = "[roles.auditor]\nid = 5\ndescription = \"Audits\"\npermissions = [\"view_roles\", \"view_user_groups\"]\nassignable_on = [\"enterprise\"]";
    c.add("role_insert_first", insert_before(base, "[roles.channels_admin]", auditor));
    c.moved("role_append", insert_after(base, "[roles.role_viewer]", auditor), "role_insert_first");
    c.add("role_removed_reserved", reserving(base, &[("role_ids", "[5]"), ("role_names", "[\"auditor\"]")]));
    c.add("role_removed_id_reserved", reserving(base, &[("role_ids", "[5]")]));
    c.moved("role_reorder", move_after(base, "[roles.channels_admin]", "[roles.role_viewer]"), "base");
    c.add("role_rename", base.replace("users_admin", "people_admin"));
    c.add("role_renumber", replace(base, "[roles.roles_admin]\nid = 3\n", "[roles.roles_admin]\nid = 13\n"));
    let swapped = replace(base, "[roles.channels_admin]\nid = 1\n", "[roles.channels_admin]\nid = 2\n");
    c.add("role_swap_ids", replace(&swapped, "[roles.users_admin]\nid = 2\n", "[roles.users_admin]\nid = 1\n"));
}

fn policies(c: &mut Corpus, base: &str) {
    let delete = "[policies.channel_delete]\nid = 5\ndescription = \"Whether the actor may delete the channel\"\n\
                  entity = \"channel\"\nrules = [{ allow_if_legacy_at_least = \"owner\" }]";
    c.add("policy_insert_first", insert_before(base, "[policies.channel_archive]", delete));
    c.moved("policy_append", insert_after(base, "[policies.workspace_invite]", delete), "policy_insert_first");
    c.add(
        "policy_removed_reserved",
        reserving(base, &[("policy_ids", "[5]"), ("policy_names", "[\"channel_delete\"]")]),
    );
    c.add("policy_removed_id_reserved", reserving(base, &[("policy_ids", "[5]")]));
    c.moved("policy_reorder", move_after(base, "[policies.channel_archive]", "[policies.workspace_invite]"), "base");
    c.add("policy_rename", base.replace("workspace_invite", "workspace_add_user"));
    c.add(
        "policy_renumber",
        replace(base, "[policies.channel_rename]\nid = 2\n", "[policies.channel_rename]\nid = 12\n"),
    );
    let swapped = replace(base, "[policies.channel_archive]\nid = 1\n", "[policies.channel_archive]\nid = 2\n");
    c.add(
        "policy_swap_ids",
        replace(&swapped, "[policies.channel_rename]\nid = 2\n", "[policies.channel_rename]\nid = 1\n"),
    );
}

fn entities(c: &mut Corpus, base: &str) {
    let pin = |text: &str, ids: [u32; 3]| {
        let text = replace(text, "[entities.enterprise]\n", &format!("[entities.enterprise]\nid = {}\n", ids[0]));
        let text = replace(&text, "[entities.workspace]\n", &format!("[entities.workspace]\nid = {}\n", ids[1]));
        replace(&text, "[entities.channel]\n", &format!("[entities.channel]\nid = {}\n", ids[2]))
    };
    let team = "[entities.team]\ndescription = \"A team\"";
    let pinned_team = "[entities.team]\nid = 4\ndescription = \"A team\"";
    let pinned = pin(base, [1, 2, 3]);
    c.moved("entities_pinned", pinned.clone(), "base");
    c.moved("entities_pinned_reorder", move_after(&pinned, "[entities.enterprise]", "[entities.channel]"), "base");
    c.add("entity_reorder", move_after(base, "[entities.enterprise]", "[entities.channel]"));
    c.add("entity_insert_first", insert_before(base, "[entities.enterprise]", team));
    c.add("entity_insert_first_pinned", insert_before(&pinned, "[entities.enterprise]", pinned_team));
    c.add("entity_append", insert_after(base, "[entities.channel]", team));
    c.moved("entity_append_pinned", insert_after(base, "[entities.channel]", pinned_team), "entity_append");
    c.add("entity_removed_reserved", reserving(base, &[("entity_ids", "[4]"), ("entity_names", "[\"team\"]")]));
    c.add("entity_removed_id_reserved", reserving(base, &[("entity_ids", "[4]")]));
    c.add(
        "entity_rename",
        base.replace("\"enterprise\"", "\"organization\"").replace("[entities.enterprise]", "[entities.organization]"),
    );
    c.add("entity_swap_ids", pin(base, [2, 1, 3]));
}

fn legacy(c: &mut Corpus, base: &str) {
    let levels = "levels = [\"guest\", \"member\", \"admin\", \"owner\", \"primary_owner\"]";
    let set = |new: &str| replace(base, levels, &format!("levels = [{new}]"));
    c.add("legacy_reorder", set("\"guest\", \"admin\", \"member\", \"owner\", \"primary_owner\""));
    c.add("legacy_insert_first", set("\"visitor\", \"guest\", \"member\", \"admin\", \"owner\", \"primary_owner\""));
    c.add("legacy_append", set("\"guest\", \"member\", \"admin\", \"owner\", \"primary_owner\", \"founder\""));
    let no_primary = replace(base, "legacy = \"primary_owner\"", "legacy = \"owner\"");
    c.add("legacy_remove_last", replace(&no_primary, levels, "levels = [\"guest\", \"member\", \"admin\", \"owner\"]"));
    c.add("legacy_rename", base.replace("\"guest\"", "\"restricted\""));
}

/// The minimal example through a few changes: a second definition, with no policies or legacy.
fn minimal() -> Corpus {
    let base = read(&definition("minimal"));
    let mut c = Corpus::new(&base);
    c.add("perm_rename", base.replace("invite_members", "add_members"));
    c.add("role_renumber", replace(&base, "[roles.admin]\nid = 2\n", "[roles.admin]\nid = 3\n"));
    let second = "[entities.project]\ndescription = \"A project\"";
    c.add("entity_insert_first", insert_before(&base, "[entities.workspace]", second));
    c.add("entity_append", insert_after(&base, "[entities.workspace]", second));
    c.add(
        "perm_removed_unreserved",
        replace(
            &base,
            "[permissions.invite_members]\nid = 3\ndescription = \"Invite people to the workspace\"\n\n",
            "",
        )
        .replace(", \"invite_members\"", "")
        .replace("\"edit_settings\", \"invite_members\"", "\"edit_settings\""),
    );
    c.add(
        "package_bump",
        replace(&base, "name = \"minimal\"\n", "name = \"minimal\"\nproto_package = \"minimal.roles.v2\"\n"),
    );
    c
}

/// A version, validated and generated: its diff model and its `roles.proto`.
struct Built {
    name: String,
    same_as: Option<&'static str>,
    model: role_gen::Model,
    proto: String,
}

fn build(definition: &str, corpus: Corpus) -> Vec<Built> {
    corpus
        .versions
        .into_iter()
        .map(|v| {
            let what = format!("{definition}/{}", v.name);
            let project = role_gen::Project::from_bytes("roles.toml", v.text.as_bytes())
                .unwrap_or_else(|d| panic!("version {what} is invalid:\n{}", d.render_human(false)));
            let outputs = project.generate().unwrap_or_else(|d| panic!("{what} does not generate:\n{d}"));
            let proto = outputs
                .iter()
                .find(|(path, _)| path.ends_with("roles.proto"))
                .map(|(_, text)| text.to_string())
                .unwrap_or_else(|| panic!("{what} generates no roles.proto"));
            Built { name: v.name, same_as: v.same_as, model: project.model().clone(), proto }
        })
        .collect()
}

/// `proto` with its package prefixed, so that pairs side by side in one module do not collide.
fn prefixed(proto: &str, prefix: &str) -> String {
    let line = proto.lines().find(|l| l.starts_with("package ")).expect("a package line");
    proto.replacen(line, &line.replacen("package ", &format!("package {prefix}."), 1), 1)
}

/// What buf makes of pairs of protos: the rule ids it reports for each, and each rule's
/// categories.
struct BufVerdicts {
    rules: BTreeMap<(usize, usize), BTreeSet<String>>,
    categories: BTreeMap<String, BTreeSet<String>>,
}

impl BufVerdicts {
    /// The rules of `category` buf reported for the pair (`None`: none).
    fn of(&self, pair: (usize, usize), category: &str) -> Option<BTreeSet<String>> {
        let in_category = |rule: &&String| self.categories.get(*rule).is_some_and(|c| c.contains(category));
        let rules: BTreeSet<String> = self.rules.get(&pair)?.iter().filter(in_category).cloned().collect();
        (!rules.is_empty()).then_some(rules)
    }
}

/// Runs the pinned `buf breaking` once per chunk, in parallel, with the `FILE` and `WIRE_JSON`
/// rules together (a rule fires or not whatever else is enabled; its categories come from `buf
/// config ls-breaking-rules`). `pairs` index `protos`.
fn buf_breaking(root: &Path, protos: &[&str], pairs: &[(usize, usize)]) -> BufVerdicts {
    let buf = tool("buf");
    const CHUNKS: usize = 2;
    for (i, &(old, new)) in pairs.iter().enumerate() {
        let (chunk, label) = (root.join(format!("chunk{}", i % CHUNKS)), format!("p{i:05}"));
        write(&chunk.join("old").join(&label).join("roles.proto"), &prefixed(protos[old], &label));
        write(&chunk.join("new").join(&label).join("roles.proto"), &prefixed(protos[new], &label));
    }
    let config = "version: v2\nbreaking:\n  use:\n    - FILE\n    - WIRE_JSON\n";
    let children: Vec<_> = (0..CHUNKS.min(pairs.len()))
        .map(|c| {
            let chunk = root.join(format!("chunk{c}"));
            write(&chunk.join("new/buf.yaml"), config);
            write(&chunk.join("old/buf.yaml"), "version: v2\n");
            let mut cmd = Command::new(&buf);
            cmd.current_dir(&chunk).args(["breaking", "new", "--against", "old", "--error-format", "json"]);
            cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
            cmd.spawn().unwrap_or_else(|e| panic!("cannot run {}: {e}", buf.display()))
        })
        .collect();
    let mut rules: BTreeMap<(usize, usize), BTreeSet<String>> = BTreeMap::new();
    for child in children {
        let output = child.wait_with_output().expect("buf runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        // 0: nothing breaks; 100: something does. Anything else is buf failing to run.
        assert!(
            matches!(output.status.code(), Some(0 | 100)),
            "buf breaking failed ({}):\n{}\n{stdout}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        for line in stdout.lines().filter(|l| !l.trim().is_empty()) {
            let error: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("buf printed {line:?}: {e}"));
            let path = error["path"].as_str().unwrap_or_default();
            let label = path.trim_start_matches("new/").split('/').next().unwrap_or_default();
            let i: usize = label.trim_start_matches('p').parse().unwrap_or_else(|_| panic!("buf names {path}"));
            rules.entry(pairs[i]).or_default().insert(error["type"].as_str().unwrap_or("?").to_string());
        }
    }
    BufVerdicts { rules, categories: rule_categories(&buf, root) }
}

/// Every breaking rule of buf and its categories.
fn rule_categories(buf: &Path, root: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut cmd = Command::new(buf);
    cmd.current_dir(root).args(["config", "ls-breaking-rules", "--version", "v2", "--format", "json"]);
    let output = run_output(&mut cmd);
    assert!(output.status.success(), "buf config ls-breaking-rules: {}", String::from_utf8_lossy(&output.stderr));
    let mut categories: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines().filter(|l| !l.trim().is_empty()) {
        let rule: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("buf printed {line:?}: {e}"));
        let of = rule["categories"].as_array().into_iter().flatten().filter_map(|c| c.as_str().map(str::to_string));
        categories.insert(rule["id"].as_str().unwrap_or_default().to_string(), of.collect());
    }
    assert!(categories.get("ENUM_VALUE_SAME_NAME").is_some_and(|c| c.contains("WIRE_JSON")), "{categories:?}");
    categories
}

/// Every ordered pair of `built`, checked; returns (pairs, mismatches).
fn differential(definition: &str, built: &[Built], scratch: &Scratch) -> (usize, Vec<String>) {
    // Distinct protos: a move that changes nothing in the proto is one, and is compared once.
    let mut protos: Vec<&str> = Vec::new();
    let index: Vec<usize> = built
        .iter()
        .map(|b| {
            protos.iter().position(|p| *p == b.proto).unwrap_or_else(|| {
                protos.push(&b.proto);
                protos.len() - 1
            })
        })
        .collect();
    let pairs: Vec<(usize, usize)> =
        (0..protos.len()).flat_map(|a| (0..protos.len()).filter(move |&b| b != a).map(move |b| (a, b))).collect();
    let buf = buf_breaking(&scratch.path().join(definition), &protos, &pairs);
    assert!(!buf.rules.is_empty(), "buf found nothing breaking in {definition}: is it running?");
    let mut problems = Vec::new();
    for (old, o) in built.iter().enumerate() {
        for (new, n) in built.iter().enumerate().filter(|(j, _)| *j != old) {
            let report = role_gen::diff::compare(&o.model, &n.model);
            let pair = (index[old], index[new]);
            let (buf_wire, buf_file) = (buf.of(pair, "WIRE_JSON"), buf.of(pair, "FILE"));
            let what = format!("{definition}: {} -> {}", o.name, n.name);
            check(&what, &report, buf_wire.as_ref(), buf_file.as_ref(), &mut problems);
            let moved = n.same_as == Some(o.name.as_str()) || o.same_as == Some(n.name.as_str());
            if moved && (buf.rules.contains_key(&pair) || !report.is_empty()) {
                problems.push(format!(
                    "{what}: a file-order move, yet buf says {:?} and diff says {:?}",
                    buf.rules.get(&pair),
                    codes(&report)
                ));
            }
        }
    }
    (built.len() * (built.len() - 1), problems)
}

fn codes(report: &Report) -> Vec<&'static str> {
    report.breaking.iter().chain(&report.access.other).chain(&report.notes).map(|f| f.change.as_str()).collect()
}

/// The two promises for one pair.
fn check(
    what: &str,
    report: &Report,
    buf_wire: Option<&BTreeSet<String>>,
    buf_file: Option<&BTreeSet<String>>,
    problems: &mut Vec<String>,
) {
    let diff_wire = report.breaking.iter().any(|f| f.change.class() == Class::Wire);
    if let Some(rules) = buf_wire.filter(|_| !diff_wire) {
        problems.push(format!("{what}: buf WIRE_JSON says {rules:?}, diff reports no wire break: {:?}", codes(report)));
    }
    if let Some(rules) = buf_file.filter(|_| !report.is_breaking()) {
        problems.push(format!("{what}: buf FILE says {rules:?}, diff does not fail: {:?}", codes(report)));
    }
}

#[test]
fn diff_is_never_laxer_than_buf_breaking() {
    let scratch = Scratch::new("buf-breaking");
    let mut total = 0;
    let mut problems = Vec::new();
    for (definition, corpus) in [("slack", slack()), ("minimal", minimal())] {
        let built = build(definition, corpus);
        let moves = built.iter().filter(|b| b.same_as.is_some()).count();
        assert!(definition != "slack" || (built.len() >= 40 && moves >= 7), "{definition}: {} versions", built.len());
        let (pairs, found) = differential(definition, &built, &scratch);
        total += pairs;
        problems.extend(found);
    }
    assert!(
        problems.is_empty(),
        "{} of {total} ordered pairs break the promise:\n{}",
        problems.len(),
        problems.iter().take(40).cloned().collect::<Vec<_>>().join("\n")
    );
}

/// The corpus means what it says: buf itself sees the breaks the versions are named after, so a
/// quiet buf (a wrong configuration, a layout it ignores) cannot pass the differential.
#[test]
fn buf_sees_the_breaks_the_corpus_is_made_of() {
    let scratch = Scratch::new("buf-breaking-sanity");
    let built = build("slack", slack());
    let find = |name: &str| built.iter().position(|b| b.name == name).unwrap_or_else(|| panic!("{name}"));
    let cases = [
        ("base", "perm_renumber", "WIRE_JSON", "ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED"),
        ("base", "perm_rename", "WIRE_JSON", "ENUM_VALUE_SAME_NAME"),
        ("base", "policy_swap_ids", "WIRE_JSON", "ENUM_VALUE_SAME_NAME"),
        ("base", "entity_insert_first", "WIRE_JSON", "ENUM_VALUE_SAME_NAME"),
        ("base", "legacy_reorder", "WIRE_JSON", "ENUM_VALUE_SAME_NAME"),
        ("base", "perm_unreserve", "WIRE_JSON", "RESERVED_ENUM_NO_DELETE"),
        ("policy_append", "policy_removed_id_reserved", "WIRE_JSON", "ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED"),
        ("role_append", "role_removed_reserved", "FILE", "ENUM_VALUE_NO_DELETE"),
    ];
    let protos: Vec<&str> = built.iter().map(|b| b.proto.as_str()).collect();
    let pairs: Vec<(usize, usize)> = cases.iter().map(|(old, new, _, _)| (find(old), find(new))).collect();
    let buf = buf_breaking(scratch.path(), &protos, &pairs);
    for (pair, (old, new, category, rule)) in pairs.iter().zip(cases) {
        let found = buf.of(*pair, category).unwrap_or_default();
        assert!(found.contains(rule), "{old} -> {new}: buf {category} reported {found:?}, not {rule}");
    }
    // And the reserved removal is no WIRE_JSON break: the rules tell the classes apart.
    assert_eq!(buf.of(pairs[7], "WIRE_JSON"), None);
}
