//! The `python` target (python/roles.py): Python's naming oracle and the view `python.hbs`
//! places, one struct per kind of item (entities, permissions, roles, legacy levels, policies).
//!
//! The module is a fixed point of `ruff format` by construction: every list and call that
//! holds names or text is written one item a line with a trailing comma (which ruff keeps
//! expanded, whatever the width); the one width measured is a predicate method's. User text
//! reaches the module as `#:` comments (one per line, escaped by [`comment_lines`]; the `:`
//! keeps a line such as `type: ignore` or `fmt: off` from being a pragma mypy or ruff obeys)
//! and as string literals ([`Py::text`]), never as a docstring.

pub mod scaffold;

use std::fmt::Write as _;

use serde::Serialize;

use super::common::{comment_block, comment_lines, one_comment_line, predicate_doc, sorted};
use super::{RenderOptions, TargetView, Template};
use crate::escape::is_invisible;
use crate::model::{Deprecated, LevelIdx, Model, Permission, Policy, Role, RuleKind};
use crate::names;

/// Python's naming oracle: how a roles.toml name or text is spelled in Python. Enum members
/// are SCREAMING_SNAKE_CASE, which no keyword, builtin or attribute of `enum` is; names that
/// stand as methods (the custom predicates) get a trailing `_` when Python reserves them.
pub struct Py;

/// Python's keywords, separated by spaces (the soft ones, `match`, `case`, `type` and `_`, are
/// ordinary names where a method name goes).
const KEYWORDS: &str = "and as assert async await break class continue def del elif else except finally for from \
    global if import in is lambda nonlocal not or pass raise return try while with yield";

/// The lowercase names of Python's builtins (3.10 to 3.14), separated by spaces. A method named
/// `bool` would shadow the type in every later annotation of its class (mypy: "not valid as a
/// type"), in the generated protocol and in the application's implementation alike.
const BUILTINS: &str = "abs aiter all anext any ascii bin bool breakpoint bytearray bytes callable chr classmethod \
    compile complex copyright credits delattr dict dir divmod enumerate eval exec exit filter float format frozenset \
    getattr globals hasattr hash help hex id input int isinstance issubclass iter len license list locals map max \
    memoryview min next object oct open ord pow print property quit range repr reversed round set setattr slice sorted \
    staticmethod str sum super tuple type vars zip";

impl Py {
    /// A name as an enum member: `archive_channel` -> `ARCHIVE_CHANNEL`.
    pub fn member(name: &str) -> String {
        names::screaming(name)
    }

    /// A member of the generated enum `ty`: `Permission.ARCHIVE_CHANNEL`.
    pub fn path(ty: &str, name: &str) -> String {
        format!("{ty}.{}", Py::member(name))
    }

    /// A name as a method: a keyword or builtin gets a trailing `_` (`async` -> `async_`,
    /// `type` -> `type_`; no valid name ends in `_`, so this never meets another name).
    pub fn method(name: &str) -> String {
        let reserved = |words: &str| words.split_whitespace().any(|w| w == name);
        if reserved(KEYWORDS) || reserved(BUILTINS) { format!("{name}_") } else { name.to_string() }
    }

    /// Text as a whole string literal, quoted as `ruff format` quotes it: double quotes, unless
    /// the text holds more double quotes than single ones. Backslashes, the quote and every
    /// invisible character are escaped (`\n`, `\x1b`, `\u2028`, lowercase hex as ruff writes it).
    pub fn text(text: &str) -> String {
        let quote = if text.matches('"').count() > text.matches('\'').count() { '\'' } else { '"' };
        let mut out = String::with_capacity(text.len() + 2);
        out.push(quote);
        for c in text.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if c == quote => {
                    out.push('\\');
                    out.push(c);
                }
                c if is_invisible(c) => {
                    let _ = match c as u32 {
                        n @ 0..=0xff => write!(out, "\\x{n:02x}"),
                        n @ 0x100..=0xffff => write!(out, "\\u{n:04x}"),
                        n => write!(out, "\\U{n:08x}"),
                    };
                }
                c => out.push(c),
            }
        }
        out.push(quote);
        out
    }

    /// Text as the first comment lines of a module: one line (as [`one_comment_line`]), and
    /// never an encoding declaration (PEP 263 reads `coding:` or `coding=` in the first two
    /// lines, so a source file named `x-coding=latin-1.toml` would change how roles.py reads).
    pub fn header(text: &str) -> String {
        one_comment_line(text).replace("coding:", "coding\\u{3a}").replace("coding=", "coding\\u{3d}")
    }
}

/// `python.hbs`'s view.
#[derive(Serialize)]
pub struct PyView {
    /// The `@generated` line, safe as the module's first comment.
    python_header: String,
    project: String,
    entities: Vec<PyMember>,
    permissions: Vec<PyMember>,
    roles: Vec<PyMember>,
    legacy: Vec<PyMember>,
    entity_rows: Vec<PyEntityRow>,
    permission_rows: Vec<PyPermissionRow>,
    /// Each role after the roles it includes.
    role_rows: Vec<PyRoleRow>,
    policies: Vec<PyPolicy>,
    facts: Option<PyFacts>,
}

/// A member of a generated enum: `NAME = value` and its documentation comment lines.
#[derive(Serialize)]
struct PyMember {
    member: String,
    doc: Vec<String>,
}

impl PyMember {
    fn new(name: &str, value: u32, doc: Vec<String>) -> Self {
        PyMember { member: format!("{} = {value}", Py::member(name)), doc }
    }
}

#[derive(Serialize)]
struct PyEntityRow {
    key: String,
    description: String,
    parent: String,
}

#[derive(Serialize)]
struct PyPermissionRow {
    key: String,
    description: String,
    group: String,
    entities: Vec<String>,
    deprecated: String,
}

#[derive(Serialize)]
struct PyRoleRow {
    key: String,
    description: String,
    permissions: Vec<String>,
    includes: Vec<String>,
    assignable_on: Vec<String>,
}

/// A permission's documentation: its description, then `.. deprecated::` (Sphinx's
/// directive) with the reason, when it is deprecated.
fn permission_doc(p: &Permission) -> Vec<String> {
    let mut doc = comment_lines(&p.description);
    if p.deprecated.is_deprecated() {
        doc.push(String::new());
        doc.push(match p.deprecated.reason() {
            Some(reason) => format!(".. deprecated:: {}", one_comment_line(reason)).trim_end().to_string(),
            None => ".. deprecated::".to_string(),
        });
    }
    doc
}

fn entity_path(model: &Model, e: crate::model::EntityIdx) -> String {
    Py::path("EntityType", &model.entities()[e].name)
}

fn permission_row(model: &Model, p: &Permission) -> PyPermissionRow {
    PyPermissionRow {
        key: Py::path("Permission", &p.name),
        description: Py::text(&p.description),
        group: p.group.as_deref().map_or_else(|| "None".to_string(), Py::text),
        entities: p.entities.iter().map(|&e| entity_path(model, e)).collect(),
        deprecated: match &p.deprecated {
            Deprecated::No => "False".to_string(),
            Deprecated::Yes => "True".to_string(),
            Deprecated::Because(reason) => Py::text(reason),
        },
    }
}

fn role_row(model: &Model, r: &Role) -> PyRoleRow {
    PyRoleRow {
        key: Py::path("Role", &r.name),
        description: Py::text(&r.description),
        permissions: sorted(&r.permissions)
            .into_iter()
            .map(|p| Py::path("Permission", &model.permissions()[p].name))
            .collect(),
        includes: sorted(&r.includes).into_iter().map(|i| Py::path("Role", &model.roles()[i].name)).collect(),
        assignable_on: r.assignable_on.iter().map(|&e| entity_path(model, e)).collect(),
    }
}

/// The decisions on entities of roles.py, a partial `python.hbs` includes.
pub const ACCESS_TEMPLATE: Template =
    Template { name: "python_access", text: include_str!("../../templates/python_access.hbs") };

/// The policies of roles.py, a partial `python.hbs` includes.
pub const POLICIES_TEMPLATE: Template =
    Template { name: "python_policies", text: include_str!("../../templates/python_policies.hbs") };

impl TargetView for PyView {
    const TEMPLATE: Template = Template { name: "python", text: include_str!("../../templates/python.hbs") };

    fn new(model: &Model, _: &RenderOptions) -> Self {
        let legacy = model.legacy_levels().iter().enumerate();
        PyView {
            python_header: Py::header(&super::common::header(model)),
            project: one_comment_line(&model.project().name),
            entities: model
                .entities()
                .iter()
                .map(|e| PyMember::new(&e.name, e.id, comment_lines(&e.description)))
                .collect(),
            permissions: model.permissions().iter().map(|p| PyMember::new(&p.name, p.id, permission_doc(p))).collect(),
            roles: model.roles().iter().map(|r| PyMember::new(&r.name, r.id, comment_lines(&r.description))).collect(),
            // Numbered 1.. lowest first, as in protobuf.
            legacy: legacy.map(|(i, l)| PyMember::new(&l.name, i as u32 + 1, Vec::new())).collect(),
            entity_rows: model
                .entities()
                .iter()
                .map(|e| PyEntityRow {
                    key: Py::path("EntityType", &e.name),
                    description: Py::text(&e.description),
                    parent: e.parent.map_or_else(|| "None".to_string(), |p| entity_path(model, p)),
                })
                .collect(),
            permission_rows: model.permissions().iter().map(|p| permission_row(model, p)).collect(),
            role_rows: model.include_order().into_iter().map(|r| role_row(model, &model.roles()[r])).collect(),
            policies: model.policies().iter().map(|p| PyPolicy::new(model, p)).collect(),
            facts: (!model.policies().is_empty()).then(|| PyFacts::new(model)),
        }
    }
}

/// A policy as roles.py's rule table holds it.
#[derive(Serialize)]
struct PyPolicy {
    #[serde(flatten)]
    head: PyMember,
    key: String,
    description: String,
    entity: String,
    rules: Vec<PyRule>,
}

/// One rule: whether it allows, its name, and what it asks (nothing for an empty list, which
/// never fires).
#[derive(Serialize)]
struct PyRule {
    allow: &'static str,
    name: String,
    legacy: Vec<String>,
    permissions: Vec<String>,
    predicate: Option<String>,
}

impl PyPolicy {
    fn new(model: &Model, policy: &Policy) -> Self {
        PyPolicy {
            head: PyMember::new(&policy.name, policy.id, comment_lines(&policy.description)),
            key: Py::path("Policy", &policy.name),
            description: Py::text(&policy.description),
            entity: entity_path(model, policy.entity),
            rules: policy.rules.iter().map(|r| PyRule::new(model, &r.kind)).collect(),
        }
    }
}

impl PyRule {
    fn new(model: &Model, kind: &RuleKind) -> Self {
        let levels = |ls: &mut dyn Iterator<Item = LevelIdx>| {
            ls.map(|l| Py::path("LegacyRole", &model.legacy_levels()[l].name)).collect::<Vec<_>>()
        };
        let mut rule = PyRule {
            allow: if kind.allows() { "True" } else { "False" },
            name: Py::text(&model.rule_name(kind)),
            legacy: Vec::new(),
            permissions: Vec::new(),
            predicate: None,
        };
        match kind {
            RuleKind::DenyIfLegacy(ls) => rule.legacy = levels(&mut ls.iter().copied()),
            RuleKind::AllowIfLegacyAtLeast(l) => {
                rule.legacy = levels(&mut (l.get()..model.legacy_levels().len()).map(LevelIdx::new));
            }
            RuleKind::AllowIfPermission(ps) => {
                rule.permissions = ps.iter().map(|&p| Py::path("Permission", &model.permissions()[p].name)).collect();
            }
            RuleKind::AllowIf(q) | RuleKind::DenyIf(q) => rule.predicate = Some(Py::text(&Py::method(q))),
        }
        rule
    }
}

/// What every policy reads, in Python: which methods `PolicyFacts` has.
#[derive(Serialize)]
struct PyFacts {
    legacy: bool,
    permissions: bool,
    predicates: Vec<PyPredicate>,
}

#[derive(Serialize)]
struct PyPredicate {
    /// `def name(self) -> bool: ...`, laid out as ruff lays it out in the protocol.
    signature: String,
    /// Its documentation, as comment lines.
    doc: Vec<String>,
}

/// ruff's line length.
const RUFF_WIDTH: usize = 88;

/// A predicate's method in `PolicyFacts` (one level in), body `...`: see [`bool_method`].
fn predicate_def(method: &str) -> String {
    bool_method(method, " ...")
}

/// `def METHOD(self) -> bool:` and `tail`, one level in, laid out as ruff lays it out: on one
/// line when it fits ruff's 88 columns, else `self` on a line of its own (with the trailing
/// comma ruff adds).
fn bool_method(method: &str, tail: &str) -> String {
    let line = format!("def {method}(self) -> bool:{tail}");
    if 4 + line.len() <= RUFF_WIDTH { line } else { format!("def {method}(\n        self,\n    ) -> bool:{tail}") }
}

impl PyFacts {
    fn new(model: &Model) -> Self {
        PyFacts {
            legacy: model.policies_use_legacy(),
            permissions: model.policies_use_permissions(),
            predicates: model
                .used_predicates()
                .into_iter()
                .map(|q| PyPredicate {
                    signature: predicate_def(&Py::method(q)),
                    doc: comment_block(&predicate_doc(model, q)),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_never_take_a_keyword_or_builtin() {
        for (name, method) in [("async", "async_"), ("type", "type_"), ("bool", "bool_"), ("match", "match")] {
            assert_eq!(Py::method(name), method);
        }
        assert_eq!(Py::member("level_2"), "LEVEL_2");
    }

    #[test]
    fn a_long_predicate_method_breaks_as_ruff_breaks_it() {
        let fits = "x".repeat(61);
        assert_eq!(predicate_def(&fits), format!("def {fits}(self) -> bool: ..."));
        let long = "x".repeat(62);
        assert_eq!(predicate_def(&long), format!("def {long}(\n        self,\n    ) -> bool: ..."));
    }

    #[test]
    fn text_is_quoted_and_escaped_as_ruff_writes_it() {
        assert_eq!(Py::text("it's"), "\"it's\"");
        assert_eq!(Py::text("say \"hi\""), "'say \"hi\"'");
        assert_eq!(Py::text("' \""), "\"' \\\"\"");
        assert_eq!(Py::text("a\\b\n\u{1b}\u{2028}\u{e0001}"), "\"a\\\\b\\n\\x1b\\u2028\\U000e0001\"");
        assert_eq!(Py::text("\"\"\""), "'\"\"\"'");
    }

    #[test]
    fn the_header_is_never_an_encoding_declaration() {
        assert_eq!(
            Py::header("from x-coding=latin-1.toml\nand coding: y"),
            "from x-coding\\u{3d}latin-1.toml and coding\\u{3a} y"
        );
    }
}
