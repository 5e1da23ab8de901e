//! ROLES.md as a CommonMark parser reads it (pulldown-cmark with GitHub's tables), for every
//! definition and for random ones whose descriptions hold pipes, markup and line breaks: the
//! headings, tables, lists and the mermaid graph are the ones the renderer meant.
//!
//! - Headings: the title, then the sections in order, one `###` per policy.
//! - Tables: every row has as many cells as its header (counted on the source line: a parser
//!   pads or cuts a broken row, so its events would not show one), one row per entity,
//!   permission and role, each row's first cell the name in a code span.
//! - Policies: the description a paragraph, the rules an ordered list of one item per rule,
//!   and "Otherwise: **deny**." a paragraph of its own, not part of the last item.
//! - The mermaid block: a node for every role (with or without includes), an edge per include.

use std::ops::Range;
use std::path::{Path, PathBuf};

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use role_gen_tests::{Model, Scratch, definitions, generate, hostile, synthetic, workspace_root, write};
use serde_json::Value;

/// A block of the document, as the parser saw it.
#[derive(Debug, Clone, PartialEq)]
enum Block {
    Heading(u8, String),
    Paragraph {
        text: String,
        in_list: bool,
    },
    /// An ordered list: the text of each item.
    List(Vec<String>),
    /// A table: the source lines of its header and rows, and each row's first cell.
    Table {
        lines: Vec<String>,
        first_cells: Vec<String>,
    },
    Code {
        lang: String,
        text: String,
    },
}

/// The blocks of `markdown`, top-level and in lists, in document order.
fn blocks(markdown: &str) -> Vec<Block> {
    let parser = Parser::new_ext(markdown, Options::ENABLE_TABLES).into_offset_iter();
    let mut out = Vec::new();
    let mut text = String::new();
    let mut lists: Vec<Vec<String>> = Vec::new();
    let mut table: Option<(Vec<String>, Vec<String>)> = None;
    let mut first_cell: Option<String> = None;
    let line_of = |range: Range<usize>| markdown[range].lines().next().unwrap_or("").to_string();
    for (event, range) in parser {
        match event {
            Event::Start(Tag::Heading { .. } | Tag::Paragraph | Tag::Item) => text.clear(),
            Event::Start(Tag::List(Some(_))) => lists.push(Vec::new()),
            Event::Start(Tag::Table(_)) => table = Some((Vec::new(), Vec::new())),
            Event::Start(Tag::TableHead | Tag::TableRow) => {
                if let Some((lines, _)) = table.as_mut() {
                    lines.push(line_of(range));
                }
                first_cell = None;
                text.clear();
            }
            Event::End(TagEnd::TableCell) => {
                if first_cell.is_none() {
                    first_cell = Some(std::mem::take(&mut text));
                }
                text.clear();
            }
            Event::End(TagEnd::TableRow) => {
                if let (Some((_, cells)), Some(cell)) = (table.as_mut(), first_cell.take()) {
                    cells.push(cell);
                }
            }
            Event::End(TagEnd::Table) => {
                if let Some((lines, first_cells)) = table.take() {
                    out.push(Block::Table { lines, first_cells });
                }
            }
            Event::End(TagEnd::Heading(level)) => out.push(Block::Heading(heading(level), std::mem::take(&mut text))),
            Event::End(TagEnd::Paragraph) => {
                let in_list = !lists.is_empty();
                if !in_list {
                    out.push(Block::Paragraph { text: std::mem::take(&mut text), in_list });
                } else if text.starts_with("Otherwise") || text.starts_with("Always deny") {
                    out.push(Block::Paragraph { text: text.clone(), in_list });
                }
            }
            Event::End(TagEnd::Item) => {
                if let Some(items) = lists.last_mut() {
                    items.push(std::mem::take(&mut text));
                }
            }
            Event::End(TagEnd::List(true)) => {
                if let Some(items) = lists.pop() {
                    out.push(Block::List(items));
                }
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))) => {
                text.clear();
                out.push(Block::Code { lang: lang.to_string(), text: String::new() });
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(Block::Code { text: code, .. }) = out.last_mut() {
                    *code = std::mem::take(&mut text);
                }
            }
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push('\n'),
            _ => {}
        }
    }
    out
}

fn heading(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// The cells of a table's source line: split at pipes that no backslash escapes.
fn cell_count(line: &str) -> usize {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    let mut count = 1;
    let mut escaped = false;
    for c in inner.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '|' if !escaped => count += 1,
            _ => escaped = false,
        }
    }
    count
}

fn names(value: &Value) -> Vec<String> {
    value.as_array().into_iter().flatten().filter_map(|v| v.get("name")?.as_str().map(str::to_string)).collect()
}

/// Checks one ROLES.md against its `roles.json`; every problem is collected.
fn check(label: &str, markdown: &str, model: &Model) -> Vec<String> {
    let blocks = blocks(markdown);
    let mut problems = Vec::new();
    let mut fail = |what: String| problems.push(format!("{label}: {what}"));

    let headings: Vec<(u8, String)> =
        blocks.iter().filter_map(|b| if let Block::Heading(l, t) = b { Some((*l, t.clone())) } else { None }).collect();
    let policies = names(&model.json["policies"]);
    let mut expected = vec![(1, format!("Roles and permissions of {}", model.project))];
    for section in ["Entities", "Permissions", "Roles", "Who has what", "Role includes"] {
        expected.push((2, section.to_string()));
    }
    if !model.legacy_levels.is_empty() {
        expected.push((2, "Legacy levels".to_string()));
    }
    if !policies.is_empty() {
        expected.push((2, "Policies".to_string()));
        for policy in model.json["policies"].as_array().into_iter().flatten() {
            let entity = policy["entity"].as_str().unwrap_or("");
            expected.push((3, format!("{} (on {entity})", policy["name"].as_str().unwrap_or(""))));
        }
        if markdown.contains("### Predicates") {
            expected.push((3, "Predicates".to_string()));
        }
    }
    if headings != expected {
        fail(format!("headings {headings:?}, expected {expected:?}"));
    }

    let tables: Vec<(&Vec<String>, &Vec<String>)> = blocks
        .iter()
        .filter_map(|b| if let Block::Table { lines, first_cells } = b { Some((lines, first_cells)) } else { None })
        .collect();
    for (lines, _) in &tables {
        let header = cell_count(&lines[0]);
        for line in lines.iter() {
            if cell_count(line) != header {
                fail(format!("a table row has {} cells, its header {header}: {line}", cell_count(line)));
            }
        }
    }
    let firsts = |heading: &str| -> Vec<String> {
        tables
            .iter()
            .find(|(lines, _)| lines[0].starts_with(heading))
            .map(|(_, cells)| cells.to_vec())
            .unwrap_or_default()
    };
    let permissions: Vec<String> = model.permissions.iter().map(|p| p.name.clone()).collect();
    let roles: Vec<String> = model.roles.iter().map(|r| r.name.clone()).collect();
    for (heading, expected) in
        [("| Entity ", &model.entities), ("| Permission | ID ", &permissions), ("| Role | ID ", &roles)]
    {
        let found = firsts(heading);
        let bare: Vec<String> =
            found.iter().map(|c| c.split(" (deprecated").next().unwrap_or("").to_string()).collect();
        if !expected.is_empty() && &bare != expected {
            fail(format!("table `{heading}`: first cells {found:?}, expected {expected:?}"));
        }
    }

    check_policies(&blocks, model, &mut fail);
    check_graph(&blocks, model, &mut fail);
    problems
}

/// Each policy: an ordered list of its rules, then "Otherwise" as a paragraph of its own.
fn check_policies(blocks: &[Block], model: &Model, fail: &mut impl FnMut(String)) {
    for policy in model.json["policies"].as_array().into_iter().flatten() {
        let name = policy["name"].as_str().unwrap_or("");
        let rules = policy["rules"].as_array().map_or(0, Vec::len);
        let at = blocks.iter().position(|b| matches!(b, Block::Heading(3, t) if t.starts_with(&format!("{name} ("))));
        let Some(at) = at else {
            fail(format!("no heading for policy {name}"));
            continue;
        };
        let after: Vec<&Block> = blocks[at + 1..].iter().take_while(|b| !matches!(b, Block::Heading(..))).collect();
        let lists: Vec<&Vec<String>> =
            after.iter().filter_map(|b| if let Block::List(items) = b { Some(items) } else { None }).collect();
        let items = lists.first().map_or(0, |l| l.len());
        if lists.len() > 1 || items != rules {
            fail(format!("policy {name}: {} lists of {items} items for {rules} rules", lists.len()));
        }
        if let Some(list) = lists.first() {
            for (item, rule) in list.iter().zip(policy["rules"].as_array().into_iter().flatten()) {
                let many = ["levels", "permissions"].iter().any(|k| rule[k].as_array().is_some_and(|l| l.len() > 1));
                if many != item.contains("any of") {
                    fail(format!(
                        "policy {name}: rule `{item}` of a list must say `any of` exactly when it has several"
                    ));
                }
            }
        }
        let closing: Vec<&&Block> = after
            .iter()
            .filter(|b| matches!(b, Block::Paragraph { text, .. } if text.starts_with("Otherwise") || text.starts_with("Always deny")))
            .collect();
        match closing.as_slice() {
            [Block::Paragraph { in_list: false, .. }] => {}
            other => fail(format!("policy {name}: the closing deny is {other:?}, not one paragraph outside the list")),
        }
    }
}

/// The mermaid graph: a node per role, an edge per include.
fn check_graph(blocks: &[Block], model: &Model, fail: &mut impl FnMut(String)) {
    let graphs: Vec<&String> = blocks
        .iter()
        .filter_map(|b| if let Block::Code { lang, text } = b { (lang == "mermaid").then_some(text) } else { None })
        .collect();
    if model.roles.is_empty() {
        if !graphs.is_empty() {
            fail("a mermaid graph without roles".into());
        }
        return;
    }
    let [graph] = graphs.as_slice() else {
        fail(format!("{} mermaid graphs for {} roles", graphs.len(), model.roles.len()));
        return;
    };
    for role in &model.roles {
        if !graph.lines().any(|l| l.trim_start().starts_with(&format!("r{}[\"", role.id))) {
            fail(format!("role {} is no node of the graph", role.name));
        }
        for included in &role.includes {
            let to = model.roles.iter().find(|r| &r.name == included).map_or(0, |r| r.id);
            if !graph.contains(&format!("r{} -->|includes| r{to}", role.id)) {
                fail(format!("no edge {} -> {included}", role.name));
            }
        }
    }
}

/// ROLES.md and roles.json of `roles_toml`.
fn outputs(roles_toml: &Path) -> (String, Model) {
    let outputs = generate(roles_toml);
    let get = |name: &str| outputs.iter().find(|(p, _)| *p == name).map(|(_, t)| t.to_string());
    let markdown = get("ROLES.md").unwrap_or_else(|| panic!("{}: no ROLES.md", roles_toml.display()));
    let json = get("roles.json").unwrap_or_else(|| panic!("{}: no roles.json", roles_toml.display()));
    (markdown, Model::parse(&json))
}

fn assert_all(paths: Vec<(String, PathBuf)>) {
    let problems: Vec<String> = paths
        .iter()
        .flat_map(|(label, path)| {
            let (markdown, model) = outputs(path);
            check(label, &markdown, &model)
        })
        .collect();
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn every_roles_md_has_the_structure_the_renderer_meant() {
    let mut paths: Vec<PathBuf> = definitions();
    paths.push(hostile());
    for dir in ["tests/edge", "tests/warnings"] {
        let dir = workspace_root().join(dir);
        let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        found.sort();
        paths.extend(found);
    }
    assert_all(
        paths.into_iter().map(|p| (p.strip_prefix(workspace_root()).unwrap_or(&p).display().to_string(), p)).collect(),
    );
}

#[test]
fn random_roles_md_have_the_structure_the_renderer_meant() {
    let scratch = Scratch::new("markdown-synthetic");
    let ids = synthetic::policies_have_ids();
    let paths = (0..64)
        .map(|seed| {
            let path = scratch.path().join(format!("synthetic-{seed}/roles.toml"));
            write(&path, &synthetic::definition(seed, ids));
            (format!("synthetic seed {seed}"), path)
        })
        .collect();
    assert_all(paths);
}

/// The checks themselves catch what they are for: the old ROLES.md's faults.
#[test]
fn the_checks_catch_a_swallowed_otherwise_a_broken_row_and_a_missing_node() {
    let (markdown, model) = outputs(&definitions()[1]);
    assert!(check("as generated", &markdown, &model).is_empty());
    let swallowed = markdown.replace("\n\nOtherwise: **deny**.", "\nOtherwise: **deny**.");
    assert!(check("swallowed", &swallowed, &model).iter().any(|p| p.contains("closing deny")));
    let broken = markdown.replacen("Archive a channel", "Archive | a channel", 1);
    assert!(check("broken", &broken, &model).iter().any(|p| p.contains("cells")));
    let lonely = markdown.replacen("  r4[\"role_viewer\"]\n", "", 1);
    assert!(check("lonely", &lonely, &model).iter().any(|p| p.contains("no node")));
}
