//! Stage 1: roles.toml text -> [`File`], structs that mirror the format with every name and
//! value kept as a [`Sp`] (spanned), so later stages can point at it.
//!
//! serde stops at the first error; the SPEC wants every error of a file in one run. So this is a
//! small error-collecting decoder over toml's spanned document tree: each table knows its keys
//! from [`crate::schema`] (unknown keys get a did-you-mean), each value is checked for its type,
//! and decoding goes on past every problem.
//!
//! This file holds the tree [`parse`] returns and the TOML syntax errors; `read` reads one table
//! or value (known keys, types, required keys), and `decode` walks the file's tables with it.

mod decode;
mod duplicate;
mod read;
mod refs;
#[cfg(test)]
mod tests;

use toml::de::DeTable;

pub use refs::{Owner, Reference};

use crate::diagnostic::{Code, Diagnostic};
use crate::names::NameKind;
use crate::source::Span;

/// A value with the byte range it came from.
pub type Sp<T> = toml::Spanned<T>;

/// The whole of roles.toml.
#[derive(Debug, Default)]
pub struct File {
    pub project: Option<ProjectDef>,
    pub output: Option<OutputDef>,
    pub entities: Vec<EntityDef>,
    pub permissions: Vec<PermissionDef>,
    pub roles: Vec<RoleDef>,
    pub legacy: Option<LegacyDef>,
    pub policies: Vec<PolicyDef>,
    pub predicates: Vec<PredicateDef>,
    pub reserved: ReservedDef,
    /// `[review] allow`: the `diff` findings a reviewer accepted, as written.
    pub review: Vec<Sp<String>>,
    pub tests: Vec<TestDef>,
    /// Names declared where they could not be read; see [`Hidden`].
    pub hidden: Vec<Hidden>,
    /// The entries (kind and name; `[legacy]` as the kind alone) whose meaning was not read as
    /// written: a problem in what they grant, include, apply to or list, or an unknown key that
    /// may be a misspelling of such a key. Checks that read one of them do not run.
    pub damaged: Vec<(NameKind, Option<String>)>,
}

/// A name (or every name of a kind) the file declares where it could not be read: under a
/// misspelt section (`[permission.x]`), in a misspelt key (`level = […]` in `[legacy]`), or in a
/// value that is not a table. A reference to it is not an error of its own: the problem that
/// hid it was reported, and fixing it makes the reference resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hidden {
    pub kind: NameKind,
    /// `None`: every name of the kind (the list declaring them could not be read at all).
    pub name: Option<String>,
    /// Where the problem that hid it is reported.
    pub cause: Span,
}

#[derive(Debug)]
pub struct ProjectDef {
    pub header: Span,
    pub name: Option<Sp<String>>,
    pub proto_package: Option<Sp<String>>,
}

#[derive(Debug)]
pub struct OutputDef {
    pub dir: Option<Sp<String>>,
    pub targets: Option<Vec<Sp<String>>>,
    pub rust_serde: Option<bool>,
    pub custom: Vec<CustomDef>,
}

#[derive(Debug)]
pub struct CustomDef {
    pub header: Span,
    pub template: Option<Sp<String>>,
    pub path: Option<Sp<String>>,
}

#[derive(Debug)]
pub struct EntityDef {
    pub name: Sp<String>,
    pub header: Span,
    /// Its protobuf number when pinned; else its 1-based place in the file.
    pub id: Option<Sp<i64>>,
    pub description: Option<Sp<String>>,
    pub parent: Option<Sp<String>>,
}

/// `deprecated = true` or `deprecated = "reason"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deprecation {
    No,
    Yes,
    Reason(String),
}

#[derive(Debug)]
pub struct PermissionDef {
    pub name: Sp<String>,
    pub header: Span,
    pub id: Option<Sp<i64>>,
    pub description: Option<Sp<String>>,
    pub entities: Option<Vec<Sp<String>>>,
    pub group: Option<Sp<String>>,
    pub deprecated: Deprecation,
}

#[derive(Debug)]
pub struct RoleDef {
    pub name: Sp<String>,
    pub header: Span,
    pub id: Option<Sp<i64>>,
    pub description: Option<Sp<String>>,
    pub permissions: Vec<Sp<String>>,
    pub includes: Vec<Sp<String>>,
    pub assignable_on: Option<Vec<Sp<String>>>,
}

#[derive(Debug)]
pub struct LegacyDef {
    pub levels: Vec<Sp<String>>,
}

#[derive(Debug)]
pub struct PolicyDef {
    pub name: Sp<String>,
    pub header: Span,
    pub id: Option<Sp<i64>>,
    pub description: Option<Sp<String>>,
    pub entity: Option<Sp<String>>,
    pub rules: Vec<RuleDef>,
}

/// `[predicates.NAME]`: documents a custom predicate the policies ask about.
#[derive(Debug)]
pub struct PredicateDef {
    pub name: Sp<String>,
    pub header: Span,
    pub description: Option<Sp<String>>,
}

#[derive(Debug)]
pub struct RuleDef {
    pub span: Span,
    pub kind: RuleKindDef,
}

#[derive(Debug)]
pub enum RuleKindDef {
    DenyIfLegacy(Vec<Sp<String>>),
    AllowIfLegacyAtLeast(Sp<String>),
    AllowIfPermission(Vec<Sp<String>>),
    AllowIf(Sp<String>),
    DenyIf(Sp<String>),
}

#[derive(Debug, Default)]
pub struct ReservedDef {
    pub permission_ids: Vec<Sp<i64>>,
    pub permission_names: Vec<Sp<String>>,
    pub role_ids: Vec<Sp<i64>>,
    pub role_names: Vec<Sp<String>>,
    pub policy_ids: Vec<Sp<i64>>,
    pub policy_names: Vec<Sp<String>>,
    pub entity_ids: Vec<Sp<i64>>,
    pub entity_names: Vec<Sp<String>>,
}

#[derive(Debug)]
pub struct TestDef {
    pub header: Span,
    pub name: Option<Sp<String>>,
    pub role: Option<Sp<String>>,
    pub roles: Option<Vec<Sp<String>>>,
    /// `assign = [{ role, entity, id }, …]`, when written.
    pub assign: Option<Vec<AssignDef>>,
    /// `path = [{ entity, id }, …]`, when written.
    pub path: Option<Vec<EntityRefDef>>,
    pub allow: Vec<Sp<String>>,
    pub deny: Vec<Sp<String>>,
    pub covers: Vec<Sp<String>>,
    pub policy: Option<Sp<String>>,
    pub legacy: Option<Sp<String>>,
    pub predicates: Vec<(Sp<String>, Sp<bool>)>,
    pub expect: Option<Sp<bool>>,
    /// Whether `expect` was written at all (an invalid one was already reported).
    pub has_expect: bool,
}

/// One element of a test's `assign`: a role held on an entity.
#[derive(Debug)]
pub struct AssignDef {
    pub span: Span,
    pub role: Sp<String>,
    pub entity: Sp<String>,
    pub id: Sp<String>,
}

/// One element of a test's `path`.
#[derive(Debug)]
pub struct EntityRefDef {
    pub span: Span,
    pub entity: Sp<String>,
    pub id: Sp<String>,
}

/// Parses `text` into a [`File`], pushing every problem into `diags`.
pub fn parse(text: &str, diags: &mut Vec<Diagnostic>) -> File {
    let (doc, errors) = DeTable::parse_recoverable(text);
    if let Some(first) = errors.first() {
        // Only the first: after a syntax error the parser's later complaints are mostly echoes.
        diags.push(syntax_error(text, first));
        return File::default();
    }
    let mut cx = read::Cx { text, diags, hidden: Vec::new(), damaged: Vec::new() };
    let mut file = cx.file(doc.get_ref());
    (file.hidden, file.damaged) = (cx.hidden, cx.damaged);
    file
}

/// A `toml-syntax` diagnostic at the error's place. toml gives its errors a span, but for one:
/// a key with more dotted parts than its depth limit (`[a.a.a.….a]`), whose place is found
/// in the text instead (else it would be reported at 1:1, far from the culprit).
fn syntax_error(text: &str, error: &toml::de::Error) -> Diagnostic {
    let message = error.message().trim().to_string();
    if let Some(span) = error.span().filter(|_| message == "duplicate key") {
        return duplicate::duplicate_key(text, span);
    }
    if let Some(span) = error.span() {
        return Diagnostic::new(Code::TomlSyntax, span, message).label("here");
    }
    let span = first_reported_at(text, error.message()).unwrap_or(0..0);
    if !message.contains("recursion") {
        return Diagnostic::new(Code::TomlSyntax, span, message).label("here");
    }
    Diagnostic::new(Code::TomlSyntax, span, format!("this key is nested too deeply ({message})"))
        .label("too deep from here on")
        .help(
            "roles.toml needs only a few levels (like `[permissions.NAME]`); \
             this key has more dotted parts than the TOML parser accepts",
        )
}

/// Where an error that toml reports without a span comes from: the character that ends the
/// shortest prefix of `text` whose parse reports the same message. A prefix lexes like the
/// whole text up to where it is cut, so once a prefix reports the error every longer one does,
/// and a binary search finds the place in a few dozen parses.
fn first_reported_at(text: &str, message: &str) -> Option<Span> {
    let reports = |end: usize| DeTable::parse_recoverable(&text[..end]).1.iter().any(|e| e.message() == message);
    // Invariant: the prefix ending at `hi` reports the error and the one ending at `lo` does not.
    let (mut lo, mut hi) = (0, text.len());
    if !reports(hi) {
        return None;
    }
    while let Some(mid) = boundary_between(text, lo, hi) {
        if reports(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    let start = text[..hi].char_indices().next_back().map_or(0, |(i, _)| i);
    Some(start..hi)
}

/// A character boundary of `text` strictly between `lo` and `hi`, near the middle.
fn boundary_between(text: &str, lo: usize, hi: usize) -> Option<usize> {
    let middle = lo + (hi - lo) / 2;
    let below = (lo + 1..=middle).rev().find(|&i| text.is_char_boundary(i));
    below.or_else(|| (middle + 1..hi).find(|&i| text.is_char_boundary(i)))
}
