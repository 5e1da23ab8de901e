//! The `go` target (go/roles.go): Go's naming oracle and the view `go.hbs` places, one struct
//! per kind of item (entity types, permissions, roles, legacy levels, policies, the facts
//! interface). The tables roles.go answers from are built in [`tables`].
//!
//! Layout is gofmt's by construction: every piece of user text stands in a comment indented
//! inside a group (gofmt rewrites only top-level doc comments) or in a string literal, and no
//! two lines that gofmt would align into columns follow each other (each constant has its own
//! comment line before it; table rows are one line each, which gofmt never aligns).

pub mod scaffold;
mod tables;

use serde::Serialize;

use super::common::{RuleView, comment_block, comment_lines, one_comment_line, predicate_doc, rules};
use super::{RenderOptions, TargetView, Template};
use crate::model::{LevelIdx, Model, PermIdx, Policy, RuleKind};
use crate::{escape, names};

/// Go's naming oracle: how a roles.toml name or text is spelled in Go source. Every generated
/// constant is its type's name followed by the PascalCase of the item's name
/// (`PermissionArchiveChannel`), so no name can meet a Go keyword or predeclared identifier;
/// the names that could meet another generated identifier are refused by the core's checks
/// (`check::go`) before rendering.
pub struct Go;

impl Go {
    /// A name as a constant of the generated type `ty`: `Permission` + `ArchiveChannel`.
    pub fn constant(ty: &str, name: &str) -> String {
        format!("{ty}{}", names::pascal(name))
    }

    /// A predicate as a method of the `PolicyFacts` interface: `actor_is_owner` -> `ActorIsOwner`.
    pub fn method(name: &str) -> String {
        names::pascal(name)
    }

    /// The package clause's name for a project: its ASCII letters and digits, lowercased (Go
    /// packages are one lowercase word); `roles` when none is left, `roles` before it when it
    /// starts with a digit, and `roles` after it when it is a Go keyword, a predeclared
    /// identifier, `main` (a command, not a library), `init` or `unsafe`.
    pub fn package(project: &str) -> String {
        let word: String =
            project.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect();
        match word.chars().next() {
            None => "roles".into(),
            Some(c) if c.is_ascii_digit() => format!("roles{word}"),
            Some(_) if GO_TAKEN.split_whitespace().any(|w| w == word) => format!("{word}roles"),
            Some(_) => word,
        }
    }

    /// Text as the inside of a Go interpreted string literal: quotes, backslashes and the
    /// common controls get their short escapes; every other invisible character (controls,
    /// bidi controls, line separators, a byte order mark, which Go refuses inside a file) a
    /// `\u`/`\U` escape.
    pub fn str(text: &str) -> String {
        escape::string_body(text, |out, c| {
            let code = c as u32;
            let escaped = if code <= 0xffff { format!("\\u{code:04x}") } else { format!("\\U{code:08x}") };
            out.push_str(&escaped);
        })
    }

    /// Text as a whole Go string literal.
    pub fn quoted(text: &str) -> String {
        format!("\"{}\"", Go::str(text))
    }

    /// A description as the lines of `//` comments (see [`go_comment`]).
    pub fn comment(text: &str) -> Vec<String> {
        comment_lines(text).into_iter().map(go_comment).collect()
    }
}

/// Words a package cannot be named: Go's keywords, its predeclared identifiers (a package of
/// that name would shadow them in every file importing it), and the names with a meaning of
/// their own.
const GO_TAKEN: &str = "break case chan const continue default defer else fallthrough for func go goto if \
    import interface map package range return select struct switch type var \
    any bool byte comparable complex64 complex128 error float32 float64 int int8 int16 int32 int64 rune string \
    uint uint8 uint16 uint32 uint64 uintptr true false iota nil \
    append cap clear close complex copy delete imag len make max min new panic print println real recover \
    main init unsafe";

/// One comment line of user text made safe for Go tools too: `go vet` reports a line whose
/// first word is `+build` anywhere after the package clause (a misplaced build constraint),
/// and Go tools take a paragraph starting `Deprecated:` for a deprecation (only roles.toml's
/// own `deprecated` may say that), so the `+` and the `:` become visible escapes, as the other
/// escapes of comment text are.
fn go_comment(line: String) -> String {
    match line.split_whitespace().next() {
        Some(first) if first.starts_with("+build") => line.replacen('+', "\\u{2b}", 1),
        Some(first) if first.starts_with("Deprecated:") => line.replacen(':', "\\u{3a}", 1),
        _ => line,
    }
}

/// The lines of an item's comment: `Const is `name`.`, then its description as a paragraph of
/// its own (when it has one).
fn doc(constant: &str, name: &str, description: &str) -> Vec<String> {
    let mut lines = vec![format!("{constant} is `{name}`.")];
    let text = Go::comment(description);
    if !text.is_empty() {
        lines.push(String::new());
        lines.extend(text);
    }
    lines
}

/// `go.hbs`'s view: every type, constant and table of roles.go.
#[derive(Serialize)]
pub struct GoView {
    /// The source file's name, safe on a comment line.
    source: String,
    /// The package clause's name.
    package: String,
    project: String,
    entities: Vec<GoItem>,
    permissions: Vec<GoItem>,
    roles: Vec<GoItem>,
    legacy: Vec<GoItem>,
    policies: Vec<GoPolicy>,
    facts: Option<GoFacts>,
    tables: tables::Tables,
}

/// What every generated constant has.
#[derive(Serialize)]
struct GoItem {
    /// `PermissionArchiveChannel`.
    constant: String,
    /// Its value: the id (a legacy level's: its place, lowest first, from 1).
    value: u32,
    /// The comment before it, one entry a line, each safe after `//` (empty: a bare `//`).
    doc: Vec<String>,
}

impl GoItem {
    fn new(ty: &str, name: &str, value: u32, description: &str) -> Self {
        let constant = Go::constant(ty, name);
        GoItem { doc: doc(&constant, name, description), constant, value }
    }

    /// A permission, with its deprecation as the paragraph Go tools read (`Deprecated: …`).
    fn permission(p: &crate::model::Permission) -> Self {
        let mut item = GoItem::new("Permission", &p.name, p.id, &p.description);
        if p.deprecated.is_deprecated() {
            let reason = p.deprecated.reason().map_or_else(|| "roles.toml deprecates it.".into(), one_comment_line);
            item.doc.push(String::new());
            item.doc.push(format!("Deprecated: {}", go_comment(reason)));
        }
        item
    }
}

/// A policy: its constant, its functions and its rules.
#[derive(Serialize)]
struct GoPolicy {
    #[serde(flatten)]
    head: GoItem,
    /// Its roles.toml name (snake_case, safe in comments).
    name: String,
    /// `EvaluateArchiveChannel`: the public evaluator.
    function: String,
    /// `rulesArchiveChannel`: the function that runs its rules.
    rules_function: String,
    /// Rules that can fire (one with an empty list never does and emits no code).
    rules: Vec<RuleView>,
}

impl GoPolicy {
    fn new(model: &Model, policy: &Policy) -> Self {
        let pascal = names::pascal(&policy.name);
        GoPolicy {
            head: GoItem::new("Policy", &policy.name, policy.id, &policy.description),
            name: policy.name.clone(),
            function: format!("Evaluate{pascal}"),
            rules_function: format!("rules{pascal}"),
            rules: rules(model, policy, condition, Go::str),
        }
    }
}

/// The condition under which a rule fires, as a Go expression over `facts` and
/// `withPermissions`; `None` for a rule that never can (an empty list).
fn condition(model: &Model, kind: &RuleKind) -> Option<String> {
    let levels = |ls: &[LevelIdx]| -> Vec<String> {
        ls.iter().map(|&l| Go::constant("LegacyRole", &model.legacy_levels()[l].name)).collect()
    };
    let permissions = |ps: &[PermIdx]| -> Vec<String> {
        ps.iter().map(|&p| Go::constant("Permission", &model.permissions()[p].name)).collect()
    };
    Some(match kind {
        RuleKind::DenyIfLegacy(ls) if ls.is_empty() => return None,
        RuleKind::DenyIfLegacy(ls) => format!("legacyIn(facts, {})", levels(ls).join(", ")),
        RuleKind::AllowIfLegacyAtLeast(l) => format!("legacyAtLeast(facts, {})", levels(&[*l]).join("")),
        RuleKind::AllowIfPermission(ps) if ps.is_empty() => return None,
        RuleKind::AllowIfPermission(ps) => {
            format!("withPermissions && holdsAny(facts, {})", permissions(ps).join(", "))
        }
        RuleKind::AllowIf(q) | RuleKind::DenyIf(q) => format!("facts.{}()", Go::method(q)),
    })
}

/// The `PolicyFacts` interface: what the policies ask, one method per custom predicate.
#[derive(Serialize)]
struct GoFacts {
    /// Whether a policy reads the legacy level (then `LegacyLevel` is a method).
    legacy: bool,
    /// Whether a policy asks about a permission (then `HasPermission` is a method).
    permissions: bool,
    /// Whether the interface has a method at all.
    methods: bool,
    predicates: Vec<GoPredicate>,
}

#[derive(Serialize)]
struct GoPredicate {
    method: String,
    /// Its name in roles.toml (a checked identifier: safe in a Go string).
    name: String,
    /// The first line of its documentation: `Method answers the predicate `name`.`
    summary: String,
    /// The rest, after a blank line: its description and the rules asking it, one entry a
    /// line, each safe after `//` (user text: in roles.go inside the interface, in the scaffold
    /// inside the method's body, where gofmt leaves comments as they are).
    notes: Vec<String>,
}

impl GoFacts {
    fn new(model: &Model) -> Self {
        let legacy = model.policies_use_legacy();
        let permissions = model.policies_use_permissions();
        let predicates: Vec<GoPredicate> = model
            .used_predicates()
            .into_iter()
            .map(|q| {
                let method = Go::method(q);
                let summary = format!("{method} answers the predicate `{q}`.");
                let notes = comment_block(&predicate_doc(model, q)).into_iter().map(go_comment).collect();
                GoPredicate { method, name: q.to_string(), summary, notes }
            })
            .collect();
        GoFacts { methods: legacy || permissions || !predicates.is_empty(), legacy, permissions, predicates }
    }
}

/// The decisions on entities of roles.go (`Assignment`, `CheckAccess`, `PermissionsOn`,
/// `PathError`), a partial `go.hbs` includes (`{{> go_access}}`).
pub const ACCESS_TEMPLATE: Template =
    Template { name: "go_access", text: include_str!("../../templates/go_access.hbs") };

/// The policies of roles.go, a partial `go.hbs` includes (`{{> go_policies}}`).
pub const POLICIES_TEMPLATE: Template =
    Template { name: "go_policies", text: include_str!("../../templates/go_policies.hbs") };

impl TargetView for GoView {
    const TEMPLATE: Template = Template { name: "go", text: include_str!("../../templates/go.hbs") };

    fn new(model: &Model, _: &RenderOptions) -> Self {
        GoView {
            source: one_comment_line(model.source_name()),
            package: Go::package(&model.project().name),
            project: one_comment_line(&model.project().name),
            entities: model
                .entities()
                .iter()
                .map(|e| GoItem::new("EntityType", &e.name, e.id, &e.description))
                .collect(),
            permissions: model.permissions().iter().map(GoItem::permission).collect(),
            roles: model.roles().iter().map(|r| GoItem::new("Role", &r.name, r.id, &r.description)).collect(),
            legacy: (1..)
                .zip(model.legacy_levels())
                .map(|(value, l)| GoItem::new("LegacyRole", &l.name, value, ""))
                .collect(),
            policies: model.policies().iter().map(|p| GoPolicy::new(model, p)).collect(),
            facts: (!model.policies().is_empty()).then(|| GoFacts::new(model)),
            tables: tables::Tables::new(model),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_strings_escape_quotes_controls_and_invisible_characters() {
        assert_eq!(
            Go::str("a\"b\\c\nd\u{0}\u{202e}\u{feff}é\u{e0001}"),
            "a\\\"b\\\\c\\nd\\u0000\\u202e\\ufeffé\\U000e0001"
        );
        assert_eq!(Go::quoted("x"), "\"x\"");
    }

    #[test]
    fn packages_are_one_lowercase_word_that_is_no_go_name() {
        assert_eq!(Go::package("slack"), "slack");
        assert_eq!(Go::package("My-Project_2 é"), "myproject2");
        assert_eq!(Go::package("2fa"), "roles2fa");
        assert_eq!(Go::package("type"), "typeroles");
        assert_eq!(Go::package("Main"), "mainroles");
        assert_eq!(Go::package("__"), "roles");
    }

    #[test]
    fn constants_are_their_type_and_the_pascal_case_name() {
        assert_eq!(Go::constant("Permission", "archive_channel"), "PermissionArchiveChannel");
        assert_eq!(Go::constant("Role", "type"), "RoleType");
        assert_eq!(Go::method("level_2"), "Level2");
    }

    #[test]
    fn comments_cannot_hold_a_build_constraint() {
        assert_eq!(
            Go::comment("+build linux\n  +build\nok +build"),
            ["\\u{2b}build linux", "  \\u{2b}build", "ok +build"]
        );
        assert_eq!(Go::comment("a */ b"), ["a *\\/ b"]);
        assert_eq!(Go::comment("Deprecated: no\n Deprecated:x"), ["Deprecated\\u{3a} no", " Deprecated\\u{3a}x"]);
    }

    #[test]
    fn an_item_doc_names_it_then_describes_it() {
        assert_eq!(doc("RoleX", "x", ""), ["RoleX is `x`."]);
        assert_eq!(doc("RoleX", "x", "One\n\nTwo"), ["RoleX is `x`.", "", "One", "", "Two"]);
    }
}
