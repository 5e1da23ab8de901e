//! The `markdown` target (ROLES.md): Markdown's naming oracle and the view `markdown.hbs`
//! places, one struct per kind of row (entities, permissions, roles, policies, predicates) plus
//! the who-has-what matrix and the include graph.

use std::fmt::Write as _;

use serde::Serialize;

use super::common::{joined, sorted};
use super::{RenderOptions, TargetView, Template};
use crate::escape::is_invisible;
use crate::model::{Entity, EntityIdx, LevelIdx, Model, PermIdx, Permission, Policy, Role, RuleKind};

/// Markdown's naming oracle: names go in code spans as written (they are snake_case), text in
/// table cells escaped, role names in mermaid labels escaped mermaid's way.
pub struct Md;

impl Md {
    /// A Markdown table cell: one line, pipes and HTML escaped.
    pub fn cell(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            match c {
                // Markdown's own syntax: a backslash makes it literal.
                '|' | '\\' | '`' | '*' | '_' | '[' | ']' => {
                    out.push('\\');
                    out.push(c);
                }
                // HTML: GitHub renders tags inside a cell.
                '<' | '>' | '&' => out.push_str(html_entity(c)),
                '\n' => out.push_str("<br>"),
                '\r' => {}
                c if is_invisible(c) => {
                    let _ = write!(out, "&#x{:x};", c as u32);
                }
                c => out.push(c),
            }
        }
        out
    }

    /// Text as a paragraph of its own: a cell's escaping, and a leading character that would
    /// open a heading, list, quote, thematic break or code block escaped, so the text stays
    /// the paragraph it is meant to be.
    pub fn paragraph(s: &str) -> String {
        let mut cell = Md::cell(s.trim_start());
        if cell.starts_with(['#', '-', '+', '=', '~']) {
            cell.insert(0, '\\');
        } else if let Some(i) = cell.find(|c: char| !c.is_ascii_digit())
            && i > 0
            && cell[i..].starts_with(['.', ')'])
        {
            // `1.` opens an ordered list; `1\.` is the same text.
            cell.insert(i, '\\');
        }
        cell
    }

    /// A mermaid node label inside `["…"]`.
    fn mermaid_label(s: &str) -> String {
        let mut out = String::new();
        for c in s.chars() {
            match c {
                '"' => out.push_str("#quot;"),
                c if c.is_ascii_alphanumeric() || c == '_' || c == ' ' => out.push(c),
                c => {
                    let _ = write!(out, "#{};", c as u32);
                }
            }
        }
        out
    }

    /// A name in a code span.
    fn code(name: &str) -> String {
        format!("`{name}`")
    }

    /// Any text in a code span (outside tables): fenced with more backticks than it holds in
    /// a row, invisible characters shown as escapes (a code span shows its text as it is).
    fn code_text(text: &str) -> String {
        let mut shown = String::with_capacity(text.len());
        for c in text.chars() {
            if is_invisible(c) || c.is_control() {
                let _ = write!(shown, "\\u{{{:x}}}", c as u32);
            } else {
                shown.push(c);
            }
        }
        let longest = shown.split(|c| c != '`').map(str::len).max().unwrap_or(0);
        let fence = "`".repeat(longest + 1);
        let pad = if shown.starts_with('`') || shown.ends_with('`') { " " } else { "" };
        format!("{fence}{pad}{shown}{pad}{fence}")
    }

    /// Names as code spans, or `—` for none.
    fn code_list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
        let list = joined(names, Md::code);
        if list.is_empty() { "—".into() } else { list }
    }
}

/// The entity of `<`, `>` or `&`.
fn html_entity(c: char) -> &'static str {
    match c {
        '<' => "&lt;",
        '>' => "&gt;",
        _ => "&amp;",
    }
}

/// Above this many cells the role × permission table becomes a list of holders per permission.
const MATRIX_CELL_LIMIT: usize = 20_000;

/// `markdown.hbs`'s view: the tables of ROLES.md.
#[derive(Serialize)]
pub struct MarkdownView {
    project: String,
    counts: String,
    entities: Vec<MdEntity>,
    permissions: Vec<MdPermission>,
    roles: Vec<MdRole>,
    matrix_roles: Vec<String>,
    matrix: Vec<MdMatrixRow>,
    holders: Vec<MdHolders>,
    nodes: Vec<MdNode>,
    edges: Vec<MdEdge>,
    /// The legacy levels, lowest first; empty when there are none (then no section).
    legacy: String,
    policies: Vec<MdPolicy>,
    predicates: Vec<MdPredicate>,
}

/// What every row of the entity, permission, role and policy tables has.
#[derive(Serialize)]
struct MdHead {
    /// Its roles.toml name, shown in a code span.
    name: String,
    /// Its description as a table cell.
    description: String,
}

impl MdHead {
    fn new(name: &str, description: &str) -> Self {
        MdHead { name: name.to_string(), description: Md::cell(description) }
    }
}

#[derive(Serialize)]
struct MdEntity {
    #[serde(flatten)]
    head: MdHead,
    parent: String,
}

#[derive(Serialize)]
struct MdPermission {
    #[serde(flatten)]
    head: MdHead,
    id: u32,
    entities: String,
    group: String,
    deprecated: bool,
    /// `: reason`, or empty.
    deprecated_note: String,
}

#[derive(Serialize)]
struct MdRole {
    #[serde(flatten)]
    head: MdHead,
    id: u32,
    includes: String,
    assignable_on: String,
}

#[derive(Serialize)]
struct MdPredicate {
    name: String,
    description: String,
    policies: String,
}

#[derive(Serialize)]
struct MdMatrixRow {
    permission: String,
    cells: Vec<&'static str>,
}

#[derive(Serialize)]
struct MdHolders {
    permission: String,
    roles: String,
}

#[derive(Serialize)]
struct MdNode {
    id: String,
    label: String,
}

#[derive(Serialize)]
struct MdEdge {
    from: String,
    to: String,
}

#[derive(Serialize)]
struct MdPolicy {
    #[serde(flatten)]
    head: MdHead,
    entity: String,
    rules: Vec<String>,
    otherwise: String,
}

fn entity_names(model: &Model, list: &[EntityIdx]) -> String {
    Md::code_list(list.iter().map(|&e| &*model.entities()[e].name))
}

impl MdEntity {
    fn new(model: &Model, e: &Entity) -> Self {
        MdEntity {
            head: MdHead::new(&e.name, &e.description),
            parent: e.parent.map_or("—".into(), |p| Md::code(&model.entities()[p].name)),
        }
    }
}

impl MdPermission {
    fn new(model: &Model, p: &Permission) -> Self {
        MdPermission {
            head: MdHead::new(&p.name, &p.description),
            id: p.id,
            entities: entity_names(model, &p.entities),
            group: p.group.as_deref().map_or("—".into(), Md::cell),
            deprecated: p.deprecated.is_deprecated(),
            deprecated_note: p.deprecated.reason().map(|r| format!(": {}", Md::cell(r))).unwrap_or_default(),
        }
    }
}

impl MdRole {
    fn new(model: &Model, r: &Role) -> Self {
        MdRole {
            head: MdHead::new(&r.name, &r.description),
            id: r.id,
            includes: Md::code_list(sorted(&r.includes).into_iter().map(|i| &*model.roles()[i].name)),
            assignable_on: entity_names(model, &r.assignable_on),
        }
    }
}

/// `3 entities, 12 permissions, 5 roles, 4 legacy levels. Generated from `roles.toml`.`
fn counts(model: &Model) -> String {
    let legacy = match model.legacy_levels().len() {
        0 => String::new(),
        n => format!(", {n} legacy levels"),
    };
    format!(
        "{} entities, {} permissions, {} roles{legacy}. Generated from {}.",
        model.entities().len(),
        model.permissions().len(),
        model.roles().len(),
        Md::code_text(model.source_name())
    )
}

impl TargetView for MarkdownView {
    const TEMPLATE: Template = Template { name: "markdown", text: include_str!("../../templates/markdown.hbs") };

    fn new(model: &Model, _: &RenderOptions) -> Self {
        let (matrix_roles, matrix, holders) = who_has_what(model);
        let edges = edges(model);
        MarkdownView {
            // A valid name (snake_case): as it is in its code span.
            project: model.project().name.clone(),
            counts: counts(model),
            entities: model.entities().iter().map(|e| MdEntity::new(model, e)).collect(),
            permissions: model.permissions().iter().map(|p| MdPermission::new(model, p)).collect(),
            roles: model.roles().iter().map(|r| MdRole::new(model, r)).collect(),
            matrix_roles,
            matrix,
            holders,
            nodes: nodes(model),
            edges,
            legacy: if model.legacy_levels().is_empty() {
                String::new()
            } else {
                Md::code_list(model.legacy_levels().iter().map(|l| &*l.name))
            },
            policies: model.policies().iter().map(|p| MdPolicy::new(model, p)).collect(),
            predicates: predicates(model),
        }
    }
}

/// The role × permission matrix (its column heads and rows), or above [`MATRIX_CELL_LIMIT`]
/// cells the holders of each permission instead.
fn who_has_what(model: &Model) -> (Vec<String>, Vec<MdMatrixRow>, Vec<MdHolders>) {
    if model.permissions().len() * model.roles().len() <= MATRIX_CELL_LIMIT {
        let heads = model.roles().iter().map(|r| r.name.clone()).collect();
        let rows = model.indexed_permissions().map(|(p, perm)| matrix_row(model, p, perm)).collect();
        return (heads, rows, Vec::new());
    }
    let mut holders: Vec<Vec<&str>> = vec![Vec::new(); model.permissions().len()];
    for role in model.roles() {
        for p in role.effective.iter() {
            holders[p.get()].push(&role.name);
        }
    }
    let holders = model
        .permissions()
        .iter()
        .zip(holders)
        .map(|(p, roles)| MdHolders { permission: p.name.clone(), roles: Md::code_list(roles) })
        .collect();
    (Vec::new(), Vec::new(), holders)
}

/// One permission's row: ✅ where a role grants it directly, ☑️ where through an include.
fn matrix_row(model: &Model, p: PermIdx, perm: &Permission) -> MdMatrixRow {
    let cell = |r: &Role| match (r.permissions.contains(&p), r.effective.contains(p)) {
        (true, _) => "✅",
        (false, true) => "☑️",
        (false, false) => "",
    };
    MdMatrixRow { permission: perm.name.clone(), cells: model.roles().iter().map(cell).collect() }
}

/// Every include, from the including role to the included, by id.
fn edges(model: &Model) -> Vec<MdEdge> {
    let node = |r: &Role| format!("r{}", r.id);
    let mut edges = Vec::new();
    for role in model.roles() {
        for i in sorted(&role.includes) {
            edges.push(MdEdge { from: node(role), to: node(&model.roles()[i]) });
        }
    }
    edges
}

/// Every role, as a graph node: one that includes none and that none includes still shows.
fn nodes(model: &Model) -> Vec<MdNode> {
    model.roles().iter().map(|r| MdNode { id: format!("r{}", r.id), label: Md::mermaid_label(&r.name) }).collect()
}

fn predicates(model: &Model) -> Vec<MdPredicate> {
    model
        .used_predicates()
        .into_iter()
        .map(|q| MdPredicate {
            name: q.to_string(),
            description: model.predicate_description(q).map_or("—".into(), Md::cell),
            policies: Md::code_list(model.predicate_uses(q).into_iter().map(|(p, _)| &*model.policies()[p].name)),
        })
        .collect()
}

impl MdPolicy {
    fn new(model: &Model, p: &Policy) -> Self {
        let rules =
            p.rules.iter().enumerate().map(|(i, r)| format!("{}. {}", i + 1, rule(model, p, &r.kind))).collect();
        let otherwise = if p.rules.is_empty() { "Always deny." } else { "Otherwise: **deny**." };
        MdPolicy {
            head: MdHead { name: p.name.clone(), description: Md::paragraph(&p.description) },
            entity: model.entities()[p.entity].name.clone(),
            rules,
            otherwise: otherwise.into(),
        }
    }
}

/// A rule in words. A list is any-of (`holds any of `a`, `b``), and an empty one never fires.
fn rule(model: &Model, p: &Policy, kind: &RuleKind) -> String {
    let levels = |ls: &[LevelIdx]| any_of(ls.iter().map(|&l| &*model.legacy_levels()[l].name));
    match kind {
        RuleKind::DenyIfLegacy(ls) if ls.is_empty() => "**deny** never: it lists no legacy level".into(),
        RuleKind::DenyIfLegacy(ls) => format!("**deny** if the actor's legacy level is {}", levels(ls)),
        RuleKind::AllowIfLegacyAtLeast(l) => {
            format!("**allow** if the actor's legacy level is at least {}", Md::code(&model.legacy_levels()[*l].name))
        }
        RuleKind::AllowIfPermission(ps) if ps.is_empty() => "**allow** never: it lists no permission".into(),
        RuleKind::AllowIfPermission(ps) => format!(
            "**allow** if the actor holds {} on the {}",
            any_of(ps.iter().map(|&x| &*model.permissions()[x].name)),
            Md::code(&model.entities()[p.entity].name)
        ),
        RuleKind::AllowIf(x) => format!("**allow** if {}", Md::code(x)),
        RuleKind::DenyIf(x) => format!("**deny** if {}", Md::code(x)),
    }
}

/// `` `a` ``, or `` any of `a`, `b` ``.
fn any_of<'a>(names: impl ExactSizeIterator<Item = &'a str>) -> String {
    let many = names.len() > 1;
    let list = joined(names, Md::code);
    if many { format!("any of {list}") } else { list }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_cells_stay_in_their_cell() {
        assert_eq!(Md::cell("a|b\n<i>"), "a\\|b<br>&lt;i&gt;");
    }

    #[test]
    fn paragraphs_open_no_block() {
        assert_eq!(Md::paragraph("# not a heading"), "\\# not a heading");
        assert_eq!(Md::paragraph("  - not a list"), "\\- not a list");
        assert_eq!(Md::paragraph("12. not a list"), "12\\. not a list");
        assert_eq!(Md::paragraph("2024 was fine."), "2024 was fine.");
    }

    #[test]
    fn code_spans_hold_any_text() {
        assert_eq!(Md::code_text("my_roles.toml"), "`my_roles.toml`");
        assert_eq!(Md::code_text("a`b``c"), "```a`b``c```");
        assert_eq!(Md::code_text("`x"), "`` `x ``");
    }

    #[test]
    fn rules_with_lists_read_as_any_of() {
        assert_eq!(any_of(["a"].into_iter()), "`a`");
        assert_eq!(any_of(["a", "b"].into_iter()), "any of `a`, `b`");
    }

    #[test]
    fn mermaid_labels_hold_no_markup() {
        assert_eq!(Md::mermaid_label("a\"b<c"), "a#quot;b#60;c");
    }

    #[test]
    fn empty_code_lists_are_a_dash() {
        assert_eq!(Md::code_list([]), "—");
        assert_eq!(Md::code_list(["a", "b"]), "`a`, `b`");
    }
}
