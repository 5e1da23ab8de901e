//! Every name the file declares or refers to, with its place: what go to definition, find
//! references, highlight, rename and hover look up.
//!
//! Read from the core's own tree ([`crate::syntax::File`]), so a name is a reference exactly
//! where validation resolves one ([`crate::syntax::File::references`]), plus the places that
//! list leaves to others: the roles and entities of a test's `assign` and `path`, and custom
//! predicates (declared in `[predicates.NAME]`, asked about in rules and in tests).

use crate::names::NameKind;
use crate::source::Span;
use crate::syntax::{File, RuleKindDef, Sp};

/// The kinds of name a cursor can be on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Sym {
    Entity,
    Permission,
    Role,
    Level,
    Policy,
    Predicate,
}

impl Sym {
    /// The word users read.
    pub const fn noun(self) -> &'static str {
        match self {
            Sym::Entity => "entity",
            Sym::Permission => "permission",
            Sym::Role => "role",
            Sym::Level => "legacy level",
            Sym::Policy => "policy",
            Sym::Predicate => "predicate",
        }
    }

    /// The kind of name validation knows it as (predicates are not one).
    pub const fn name_kind(self) -> Option<NameKind> {
        match self {
            Sym::Entity => Some(NameKind::Entity),
            Sym::Permission => Some(NameKind::Permission),
            Sym::Role => Some(NameKind::Role),
            Sym::Level => Some(NameKind::LegacyLevel),
            Sym::Policy => Some(NameKind::Policy),
            Sym::Predicate => None,
        }
    }

    /// The section of `[SECTION.NAME]` entries of this kind (legacy levels are listed instead).
    pub const fn section(self) -> Option<&'static str> {
        match self {
            Sym::Entity => Some("entities"),
            Sym::Permission => Some("permissions"),
            Sym::Role => Some("roles"),
            Sym::Policy => Some("policies"),
            Sym::Predicate => Some("predicates"),
            Sym::Level => None,
        }
    }

    fn of(kind: NameKind) -> Sym {
        match kind {
            NameKind::Entity => Sym::Entity,
            NameKind::Permission => Sym::Permission,
            NameKind::Role => Sym::Role,
            NameKind::LegacyLevel => Sym::Level,
            NameKind::Policy => Sym::Policy,
        }
    }
}

/// One place a name is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub sym: Sym,
    pub name: String,
    /// The whole key or string as written, quotes included.
    pub span: Span,
    /// Whether it declares the name (`[permissions.NAME]`, a level in `levels`).
    pub declares: bool,
}

/// The occurrences of one file, by position.
#[derive(Debug, Clone, Default)]
pub struct Index {
    occurrences: Vec<Occurrence>,
}

impl Index {
    /// The index of a parsed file.
    pub fn of(file: &File) -> Index {
        let mut out = Vec::new();
        for kind in [NameKind::Entity, NameKind::Permission, NameKind::Role, NameKind::LegacyLevel, NameKind::Policy] {
            push(&mut out, Sym::of(kind), true, file.declared(kind));
        }
        push(&mut out, Sym::Predicate, true, file.predicates.iter().map(|p| &p.name));
        for r in file.references() {
            push(&mut out, Sym::of(r.kind), false, [r.name]);
        }
        for test in &file.tests {
            for a in test.assign.iter().flatten() {
                push(&mut out, Sym::Role, false, [&a.role]);
                push(&mut out, Sym::Entity, false, [&a.entity]);
            }
            push(&mut out, Sym::Entity, false, test.path.iter().flatten().map(|e| &e.entity));
            push(&mut out, Sym::Predicate, false, test.predicates.iter().map(|(name, _)| name));
        }
        for policy in &file.policies {
            for rule in &policy.rules {
                if let RuleKindDef::AllowIf(p) | RuleKindDef::DenyIf(p) = &rule.kind {
                    push(&mut out, Sym::Predicate, false, [p]);
                }
            }
        }
        out.sort_by_key(|o| (o.span.start, !o.declares));
        out.dedup_by(|a, b| a.span == b.span);
        Index { occurrences: out }
    }

    /// The occurrence under byte `offset` (a cursor just after a name is still on it).
    pub fn at(&self, offset: usize) -> Option<&Occurrence> {
        let after = self.occurrences.partition_point(|o| o.span.start <= offset);
        self.occurrences[..after].last().filter(|o| offset <= o.span.end)
    }

    /// Every occurrence of `name` as a `sym`, in file order.
    pub fn all(&self, sym: Sym, name: &str) -> impl Iterator<Item = &Occurrence> {
        self.occurrences.iter().filter(move |o| o.sym == sym && o.name == name)
    }

    /// The declarations of `name` as a `sym`.
    pub fn declarations(&self, sym: Sym, name: &str) -> impl Iterator<Item = &Occurrence> {
        self.all(sym, name).filter(|o| o.declares)
    }

    /// Whether the file declares `name` as a `sym`.
    pub fn declares(&self, sym: Sym, name: &str) -> bool {
        self.declarations(sym, name).next().is_some()
    }
}

fn push<'f>(out: &mut Vec<Occurrence>, sym: Sym, declares: bool, names: impl IntoIterator<Item = &'f Sp<String>>) {
    out.extend(names.into_iter().map(|n| Occurrence { sym, name: n.get_ref().clone(), span: n.span(), declares }));
}

/// The span of the name itself inside `span` of `text`: inside its quotes when it is written
/// plainly between them (`"x"`, `'x'`), else the whole of it.
pub fn inner(text: &str, span: &Span, name: &str) -> Span {
    let Some(written) = text.get(span.clone()) else { return span.clone() };
    for quote in ["\"\"\"", "'''", "\"", "'"] {
        if let Some(inside) = written.strip_prefix(quote).and_then(|w| w.strip_suffix(quote))
            && inside == name
        {
            return span.start + quote.len()..span.end - quote.len();
        }
    }
    span.clone()
}

/// `name` written as `span` of `text` was: bare for a bare key, else in the same quotes.
pub fn spelled_like(text: &str, span: &Span, name: &str) -> String {
    let written = text.get(span.clone()).unwrap_or_default();
    for quote in ["\"\"\"", "'''", "\"", "'"] {
        if written.starts_with(quote) {
            return format!("{quote}{name}{quote}");
        }
    }
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(text: &str) -> Index {
        Index::of(&crate::syntax::parse(text, &mut Vec::new()))
    }

    #[test]
    fn every_kind_of_reference_is_found_with_its_declaration() {
        let text = r#"[project]
name = "p"
[entities.org]
description = "o"
[permissions.read]
id = 1
description = "r"
entities = ["org"]
[roles.viewer]
id = 1
description = "v"
permissions = ["read"]
[roles.admin]
id = 2
description = "a"
includes = ['viewer']
[legacy]
levels = ["guest", "owner"]
[policies.look]
id = 1
entity = "org"
rules = [{ deny_if_legacy = ["guest"] }, { allow_if = "is_author" }]
[predicates.is_author]
description = "wrote it"
[[tests]]
policy = "look"
predicates = { is_author = true }
expect = "allow"
[[tests]]
assign = [{ role = "viewer", entity = "org", id = "1" }]
path = [{ entity = "org", id = "1" }]
allow = ["read"]
"#;
        let index = index(text);
        let count = |sym, name| index.all(sym, name).count();
        assert_eq!(count(Sym::Entity, "org"), 5, "declared, entities, policy, assign, path");
        assert_eq!(count(Sym::Permission, "read"), 3);
        assert_eq!(count(Sym::Role, "viewer"), 3, "declared, included, assigned");
        assert_eq!(count(Sym::Level, "guest"), 2);
        assert_eq!(count(Sym::Policy, "look"), 2);
        assert_eq!(count(Sym::Predicate, "is_author"), 3, "declared, asked, set in a test");
        let included = text.find("'viewer'").unwrap_or(0);
        let at = index.at(included + 3).map(|o| (o.sym, o.name.as_str(), o.declares));
        assert_eq!(at, Some((Sym::Role, "viewer", false)));
        assert_eq!(inner(text, &(included..included + 8), "viewer"), included + 1..included + 7);
        assert_eq!(spelled_like(text, &(included..included + 8), "reader"), "'reader'");
    }
}
