//! Stage 1: roles.toml text -> [`File`], structs that mirror the format with every name and
//! value kept as a [`Sp`] (spanned), so later stages can point at it.
//!
//! serde stops at the first error; the SPEC wants every error of a file in one run. So this is a
//! small error-collecting decoder over toml's spanned document tree: each table lists the keys it
//! knows (unknown keys get a did-you-mean), each value is checked for its type, and decoding goes
//! on past every problem.

use std::borrow::Cow;

use toml::de::{DeArray, DeTable, DeValue};

use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;
use crate::suggest::did_you_mean;

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
    pub tests: Vec<TestDef>,
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
}

#[derive(Debug)]
pub struct TestDef {
    pub header: Span,
    pub name: Option<Sp<String>>,
    pub role: Option<Sp<String>>,
    pub roles: Option<Vec<Sp<String>>>,
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

const TOP_KEYS: &[&str] =
    &["project", "output", "entities", "permissions", "roles", "legacy", "policies", "predicates", "reserved", "tests"];
const PROJECT_KEYS: &[&str] = &["name", "proto_package"];
const OUTPUT_KEYS: &[&str] = &["dir", "targets", "rust_serde", "custom"];
const CUSTOM_KEYS: &[&str] = &["template", "path"];
const ENTITY_KEYS: &[&str] = &["description", "parent"];
const PERMISSION_KEYS: &[&str] = &["id", "description", "entities", "group", "deprecated"];
const ROLE_KEYS: &[&str] = &["id", "description", "permissions", "includes", "assignable_on"];
const LEGACY_KEYS: &[&str] = &["levels"];
const POLICY_KEYS: &[&str] = &["description", "entity", "rules"];
const PREDICATE_KEYS: &[&str] = &["description"];
const RULE_KEYS: &[&str] =
    &["deny_if_legacy", "allow_if_legacy_at_least", "allow_if_permission", "allow_if", "deny_if"];
const RESERVED_KEYS: &[&str] = &["permission_ids", "permission_names", "role_ids", "role_names"];
const TEST_KEYS: &[&str] =
    &["name", "role", "roles", "allow", "deny", "covers", "policy", "legacy", "predicates", "expect"];

/// Parses `text` into a [`File`], pushing every problem into `diags`.
pub fn parse(text: &str, diags: &mut Vec<Diagnostic>) -> File {
    let (doc, errors) = DeTable::parse_recoverable(text);
    if let Some(first) = errors.first() {
        // Only the first: after a syntax error the parser's later complaints are mostly echoes.
        diags.push(syntax_error(text, first));
        return File::default();
    }
    let mut cx = Cx { text, diags };
    cx.file(doc.get_ref())
}

/// A `toml-syntax` diagnostic at the error's place. toml gives its errors a span, but for one:
/// a key with more dotted parts than its depth limit (`[a.a.a.….a]`), whose place is found
/// in the text instead (else it would be reported at 1:1, far from the culprit).
fn syntax_error(text: &str, error: &toml::de::Error) -> Diagnostic {
    let message = error.message().trim().to_string();
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

struct Cx<'d> {
    /// The whole text, for values that must be quoted as written (a number too large to hold).
    text: &'d str,
    diags: &'d mut Vec<Diagnostic>,
}

/// The entries of one table, after its unknown keys were reported.
struct Fields<'t, 'i> {
    table: &'t DeTable<'i>,
    header: Span,
}

impl<'t, 'i> Fields<'t, 'i> {
    fn get(&self, key: &str) -> Option<&'t Sp<DeValue<'i>>> {
        self.table.get(key)
    }
}

type Entry<'t, 'i> = (&'t Sp<Cow<'i, str>>, &'t Sp<DeValue<'i>>);

/// Entries in file order (toml's map is sorted by key).
fn in_file_order<'t, 'i>(table: &'t DeTable<'i>) -> Vec<Entry<'t, 'i>> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries
}

fn spanned<T>(span: Span, value: T) -> Sp<T> {
    Sp::new(span, value)
}

impl Cx<'_> {
    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// Opens a table, reporting every key it does not know (in file order).
    fn fields<'t, 'i>(&mut self, table: &'t DeTable<'i>, header: Span, what: &str, known: &[&str]) -> Fields<'t, 'i> {
        // Most tables hold only known keys: sort (and allocate) only when some are not.
        if table.keys().any(|key| !known.contains(&key.get_ref().as_ref())) {
            for (key, _) in in_file_order(table) {
                if !known.contains(&key.get_ref().as_ref()) {
                    self.unknown_key(key, what, known);
                }
            }
        }
        Fields { table, header }
    }

    fn unknown_key(&mut self, key: &Sp<Cow<'_, str>>, what: &str, known: &[&str]) {
        let name = key.get_ref();
        let help = did_you_mean(name, known.iter().copied()).unwrap_or_else(|| {
            format!("{what} takes the keys {}", known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "))
        });
        self.push(
            Diagnostic::new(Code::UnknownKey, key.span(), format!("unknown key `{name}` in {what}"))
                .label("not a known key")
                .help(help),
        );
    }

    fn wrong_type(&mut self, value: &Sp<DeValue<'_>>, expected: &str) {
        let found = value.get_ref().type_str();
        self.push(
            Diagnostic::new(Code::WrongType, value.span(), format!("expected {expected}, found {}", article(found)))
                .label(format!("this is {}", article(found))),
        );
    }

    fn missing(&mut self, fields: &Fields<'_, '_>, key: &str, what: &str) {
        self.push(
            Diagnostic::new(
                Code::MissingKey,
                fields.header.clone(),
                format!("{what} is missing the required key `{key}`"),
            )
            .label(format!("`{key}` missing here"))
            .help(format!("add `{key} = …` to this table")),
        );
    }

    fn table<'t, 'i>(&mut self, value: &'t Sp<DeValue<'i>>) -> Option<&'t DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => {
                self.wrong_type(value, "a table");
                None
            }
        }
    }

    fn string(&mut self, value: &Sp<DeValue<'_>>) -> Option<Sp<String>> {
        match value.get_ref() {
            DeValue::String(s) => Some(spanned(value.span(), s.to_string())),
            _ => {
                self.wrong_type(value, "a string");
                None
            }
        }
    }

    /// An id; `owner` says whose in the message for one too large to hold ("permission `x`").
    fn integer(&mut self, value: &Sp<DeValue<'_>>, owner: &str) -> Option<Sp<i64>> {
        match value.get_ref() {
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => Some(spanned(value.span(), n)),
                Err(_) => {
                    self.huge_id(value, owner);
                    None
                }
            },
            _ => {
                self.wrong_type(value, "an integer");
                None
            }
        }
    }

    /// An id beyond 64 bits, reported here with its digits as written: the range check after
    /// this stage sees only numbers, and would print a clamped one.
    fn huge_id(&mut self, value: &Sp<DeValue<'_>>, owner: &str) {
        let written = self.text.get(value.span()).unwrap_or("the number").trim();
        self.push(
            Diagnostic::new(Code::IdOutOfRange, value.span(), format!("{owner} has id {written}, outside 1..=65535"))
                .label("out of range")
                .help("ids are 1..=65535; this number does not even fit in 64 bits"),
        );
    }

    fn boolean(&mut self, value: &Sp<DeValue<'_>>) -> Option<Sp<bool>> {
        match value.get_ref() {
            DeValue::Boolean(b) => Some(spanned(value.span(), *b)),
            _ => {
                self.wrong_type(value, "a boolean");
                None
            }
        }
    }

    fn array<'t, 'i>(&mut self, value: &'t Sp<DeValue<'i>>, expected: &str) -> Option<&'t DeArray<'i>> {
        match value.get_ref() {
            DeValue::Array(a) => Some(a),
            _ => {
                self.wrong_type(value, expected);
                None
            }
        }
    }

    fn strings(&mut self, value: &Sp<DeValue<'_>>) -> Option<Vec<Sp<String>>> {
        let array = self.array(value, "an array of strings")?;
        Some(array.iter().filter_map(|v| self.string(v)).collect())
    }

    fn integers(&mut self, value: &Sp<DeValue<'_>>, owner: &str) -> Vec<Sp<i64>> {
        let Some(array) = self.array(value, "an array of integers") else { return Vec::new() };
        array.iter().filter_map(|v| self.integer(v, owner)).collect()
    }

    /// A required, non-empty description. Empty counts as missing (SPEC section 1).
    fn description(&mut self, f: &Fields<'_, '_>, what: &str, required: bool) -> Option<Sp<String>> {
        let Some(value) = f.get("description") else {
            if required {
                self.missing(f, "description", what);
            }
            return None;
        };
        let description = self.string(value)?;
        if description.get_ref().trim().is_empty() {
            self.push(
                Diagnostic::new(Code::MissingKey, description.span(), format!("{what} has an empty `description`"))
                    .label("empty")
                    .help("say in a few words what it allows: it lands in every generated file's docs"),
            );
        }
        Some(description)
    }

    fn opt_string(&mut self, f: &Fields<'_, '_>, key: &str) -> Option<Sp<String>> {
        f.get(key).and_then(|v| self.string(v))
    }

    fn req_string(&mut self, f: &Fields<'_, '_>, key: &str, what: &str) -> Option<Sp<String>> {
        match f.get(key) {
            Some(v) => self.string(v),
            None => {
                self.missing(f, key, what);
                None
            }
        }
    }

    fn req_id(&mut self, f: &Fields<'_, '_>, what: &str) -> Option<Sp<i64>> {
        match f.get("id") {
            Some(v) => self.integer(v, what),
            None => {
                self.missing(f, "id", what);
                None
            }
        }
    }

    fn opt_strings(&mut self, f: &Fields<'_, '_>, key: &str) -> Option<Vec<Sp<String>>> {
        f.get(key).and_then(|v| self.strings(v))
    }

    fn file(&mut self, doc: &DeTable<'_>) -> File {
        let root = self.fields(doc, 0..0, "roles.toml", TOP_KEYS);
        let mut file = File { project: self.project(&root), ..File::default() };
        if let Some(v) = root.get("output") {
            file.output = self.table(v).map(|t| self.output(t, v.span()));
        }
        file.entities = self.named(&root, "entities", |cx, name, f| cx.entity(name, f));
        file.permissions = self.named(&root, "permissions", |cx, name, f| cx.permission(name, f));
        file.roles = self.named(&root, "roles", |cx, name, f| cx.role(name, f));
        file.policies = self.named(&root, "policies", |cx, name, f| cx.policy(name, f));
        file.predicates = self.named(&root, "predicates", |cx, name, f| cx.predicate(name, f));
        if let Some(v) = root.get("legacy") {
            file.legacy = self.table(v).map(|t| self.legacy(t, v.span()));
        }
        if let Some(v) = root.get("reserved") {
            file.reserved = self.table(v).map(|t| self.reserved(t, v.span())).unwrap_or_default();
        }
        if let Some(v) = root.get("tests") {
            file.tests = self.tables_array(v, "an array of tables (`[[tests]]`)", |cx, t, span| cx.test(t, span));
        }
        file
    }

    fn project(&mut self, root: &Fields<'_, '_>) -> Option<ProjectDef> {
        let Some(value) = root.get("project") else {
            self.push(
                Diagnostic::new(Code::MissingKey, 0..0, "roles.toml is missing the required table `[project]`")
                    .help("start the file with `[project]` and `name = \"your_project\"`"),
            );
            return None;
        };
        let table = self.table(value)?;
        let f = self.fields(table, value.span(), "`[project]`", PROJECT_KEYS);
        let name = self.req_string(&f, "name", "`[project]`");
        let proto_package = self.opt_string(&f, "proto_package");
        Some(ProjectDef { header: value.span(), name, proto_package })
    }

    fn output(&mut self, table: &DeTable<'_>, header: Span) -> OutputDef {
        let f = self.fields(table, header, "`[output]`", OUTPUT_KEYS);
        let dir = self.opt_string(&f, "dir");
        let targets = self.opt_strings(&f, "targets");
        let rust_serde = f.get("rust_serde").and_then(|v| self.boolean(v)).map(Sp::into_inner);
        let custom = match f.get("custom") {
            Some(v) => {
                self.tables_array(v, "an array of tables (`[[output.custom]]`)", |cx, t, span| cx.custom(t, span))
            }
            None => Vec::new(),
        };
        OutputDef { dir, targets, rust_serde, custom }
    }

    fn custom(&mut self, table: &DeTable<'_>, header: Span) -> CustomDef {
        let f = self.fields(table, header.clone(), "`[[output.custom]]`", CUSTOM_KEYS);
        let template = self.req_string(&f, "template", "`[[output.custom]]`");
        let path = self.req_string(&f, "path", "`[[output.custom]]`");
        CustomDef { header, template, path }
    }

    /// `[kind.NAME]` tables, in file order.
    fn named<T>(
        &mut self,
        root: &Fields<'_, '_>,
        kind: &str,
        mut each: impl FnMut(&mut Self, Sp<String>, Fields<'_, '_>) -> T,
    ) -> Vec<T> {
        let Some(value) = root.get(kind) else { return Vec::new() };
        let Some(table) = self.table(value) else { return Vec::new() };
        let mut out = Vec::new();
        for (key, value) in in_file_order(table) {
            let Some(inner) = self.table(value) else { continue };
            let name = spanned(key.span(), key.get_ref().to_string());
            let what = format!("`{kind}.{}`", key.get_ref());
            let known = match kind {
                "entities" => ENTITY_KEYS,
                "permissions" => PERMISSION_KEYS,
                "roles" => ROLE_KEYS,
                "predicates" => PREDICATE_KEYS,
                _ => POLICY_KEYS,
            };
            let fields = self.fields(inner, value.span(), &what, known);
            out.push(each(self, name, fields));
        }
        out
    }

    fn tables_array<T>(
        &mut self,
        value: &Sp<DeValue<'_>>,
        expected: &str,
        mut each: impl FnMut(&mut Self, &DeTable<'_>, Span) -> T,
    ) -> Vec<T> {
        let Some(array) = self.array(value, expected) else { return Vec::new() };
        array.iter().filter_map(|v| self.table(v).map(|t| each(self, t, v.span()))).collect()
    }

    fn entity(&mut self, name: Sp<String>, f: Fields<'_, '_>) -> EntityDef {
        let what = format!("entity `{}`", name.get_ref());
        let description = self.description(&f, &what, true);
        let parent = self.opt_string(&f, "parent");
        EntityDef { name, header: f.header.clone(), description, parent }
    }

    fn permission(&mut self, name: Sp<String>, f: Fields<'_, '_>) -> PermissionDef {
        let what = format!("permission `{}`", name.get_ref());
        let id = self.req_id(&f, &what);
        let description = self.description(&f, &what, true);
        let entities = self.opt_strings(&f, "entities");
        let group = self.opt_string(&f, "group");
        let deprecated = f.get("deprecated").map_or(Deprecation::No, |v| self.deprecation(v));
        PermissionDef { name, header: f.header.clone(), id, description, entities, group, deprecated }
    }

    fn deprecation(&mut self, value: &Sp<DeValue<'_>>) -> Deprecation {
        match value.get_ref() {
            DeValue::Boolean(true) => Deprecation::Yes,
            DeValue::Boolean(false) => Deprecation::No,
            DeValue::String(reason) => Deprecation::Reason(reason.to_string()),
            _ => {
                self.wrong_type(value, "`true` or a reason string");
                Deprecation::No
            }
        }
    }

    fn role(&mut self, name: Sp<String>, f: Fields<'_, '_>) -> RoleDef {
        let what = format!("role `{}`", name.get_ref());
        let id = self.req_id(&f, &what);
        let description = self.description(&f, &what, true);
        let permissions = self.opt_strings(&f, "permissions").unwrap_or_default();
        let includes = self.opt_strings(&f, "includes").unwrap_or_default();
        let assignable_on = self.opt_strings(&f, "assignable_on");
        RoleDef { name, header: f.header.clone(), id, description, permissions, includes, assignable_on }
    }

    fn legacy(&mut self, table: &DeTable<'_>, header: Span) -> LegacyDef {
        let f = self.fields(table, header, "`[legacy]`", LEGACY_KEYS);
        let levels = match f.get("levels") {
            Some(v) => self.strings(v).unwrap_or_default(),
            None => {
                self.missing(&f, "levels", "`[legacy]`");
                Vec::new()
            }
        };
        LegacyDef { levels }
    }

    fn policy(&mut self, name: Sp<String>, f: Fields<'_, '_>) -> PolicyDef {
        let what = format!("policy `{}`", name.get_ref());
        let description = self.description(&f, &what, false);
        let entity = self.req_string(&f, "entity", &what);
        let rules = match f.get("rules") {
            Some(v) => self
                .array(v, "an array of rules")
                .map(|a| a.iter().filter_map(|r| self.rule(r)).collect())
                .unwrap_or_default(),
            None => {
                self.missing(&f, "rules", &what);
                Vec::new()
            }
        };
        PolicyDef { name, header: f.header.clone(), description, entity, rules }
    }

    fn predicate(&mut self, name: Sp<String>, f: Fields<'_, '_>) -> PredicateDef {
        let what = format!("predicate `{}`", name.get_ref());
        let description = self.description(&f, &what, true);
        PredicateDef { name, header: f.header.clone(), description }
    }

    /// A rule is a table with exactly one kind key.
    fn rule(&mut self, value: &Sp<DeValue<'_>>) -> Option<RuleDef> {
        let table = self.table(value)?;
        let f = self.fields(table, value.span(), "a policy rule", RULE_KEYS);
        let kinds: Vec<_> =
            in_file_order(table).into_iter().filter(|(k, _)| RULE_KEYS.contains(&k.get_ref().as_ref())).collect();
        let [(key, v)] = kinds.as_slice() else {
            if kinds.is_empty() && !table.is_empty() {
                return None; // its only keys are unknown, and were reported as such
            }
            let message =
                if kinds.is_empty() { "a policy rule needs a kind" } else { "a policy rule has exactly one kind" };
            self.push(
                Diagnostic::new(Code::WrongType, value.span(), message)
                    .label(format!("{} kinds here", kinds.len()))
                    .help(format!("write one of {}, e.g. `{{ deny_if_legacy = [\"guest\"] }}`", RULE_KEYS.join(", "))),
            );
            return None;
        };
        let _ = f;
        let kind = match key.get_ref().as_ref() {
            "deny_if_legacy" => RuleKindDef::DenyIfLegacy(self.strings(v)?),
            "allow_if_legacy_at_least" => RuleKindDef::AllowIfLegacyAtLeast(self.string(v)?),
            "allow_if_permission" => RuleKindDef::AllowIfPermission(self.one_or_many(v)?),
            "allow_if" => RuleKindDef::AllowIf(self.string(v)?),
            _ => RuleKindDef::DenyIf(self.string(v)?),
        };
        Some(RuleDef { span: value.span(), kind })
    }

    fn one_or_many(&mut self, value: &Sp<DeValue<'_>>) -> Option<Vec<Sp<String>>> {
        match value.get_ref() {
            DeValue::String(s) => Some(vec![spanned(value.span(), s.to_string())]),
            DeValue::Array(_) => self.strings(value),
            _ => {
                self.wrong_type(value, "a string or an array of strings");
                None
            }
        }
    }

    fn reserved(&mut self, table: &DeTable<'_>, header: Span) -> ReservedDef {
        let f = self.fields(table, header, "`[reserved]`", RESERVED_KEYS);
        ReservedDef {
            permission_ids: f
                .get("permission_ids")
                .map(|v| self.integers(v, "`[reserved] permission_ids`"))
                .unwrap_or_default(),
            permission_names: self.opt_strings(&f, "permission_names").unwrap_or_default(),
            role_ids: f.get("role_ids").map(|v| self.integers(v, "`[reserved] role_ids`")).unwrap_or_default(),
            role_names: self.opt_strings(&f, "role_names").unwrap_or_default(),
        }
    }

    fn test(&mut self, table: &DeTable<'_>, header: Span) -> TestDef {
        let f = self.fields(table, header.clone(), "`[[tests]]`", TEST_KEYS);
        let predicates = match f.get("predicates") {
            Some(v) => self.predicates(v),
            None => Vec::new(),
        };
        let expect = f.get("expect").and_then(|v| self.expectation(v));
        TestDef {
            header,
            name: self.opt_string(&f, "name"),
            role: self.opt_string(&f, "role"),
            roles: self.opt_strings(&f, "roles"),
            allow: self.opt_strings(&f, "allow").unwrap_or_default(),
            deny: self.opt_strings(&f, "deny").unwrap_or_default(),
            covers: self.opt_strings(&f, "covers").unwrap_or_default(),
            policy: self.opt_string(&f, "policy"),
            legacy: self.opt_string(&f, "legacy"),
            predicates,
            expect,
            has_expect: f.get("expect").is_some(),
        }
    }

    fn predicates(&mut self, value: &Sp<DeValue<'_>>) -> Vec<(Sp<String>, Sp<bool>)> {
        let Some(table) = self.table(value) else { return Vec::new() };
        let entries = in_file_order(table);
        entries
            .into_iter()
            .filter_map(|(k, v)| Some((spanned(k.span(), k.get_ref().to_string()), self.boolean(v)?)))
            .collect()
    }

    fn expectation(&mut self, value: &Sp<DeValue<'_>>) -> Option<Sp<bool>> {
        match value.get_ref() {
            DeValue::String(s) if s == "allow" => Some(spanned(value.span(), true)),
            DeValue::String(s) if s == "deny" => Some(spanned(value.span(), false)),
            _ => {
                self.push(
                    Diagnostic::new(Code::WrongType, value.span(), "expected `\"allow\"` or `\"deny\"`")
                        .label("not a decision")
                        .help("write `expect = \"allow\"` or `expect = \"deny\"`"),
                );
                None
            }
        }
    }
}

fn article(type_name: &str) -> String {
    let vowel = type_name.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {type_name}", if vowel { "an" } else { "a" })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_error(text: &str) -> Diagnostic {
        let mut diags = Vec::new();
        parse(text, &mut diags);
        diags.into_iter().next().unwrap_or_else(|| panic!("no error for {text:?}"))
    }

    #[test]
    fn a_too_deep_key_is_found_among_multi_byte_characters() {
        let deep = vec!["\"ü\""; 100].join(".");
        let text = format!("[project]\nname = \"ä€😀\"\n\n[\"é\".{deep}]\n");
        let error = first_error(&text);
        assert_eq!(error.code, Code::TomlSyntax);
        // `["é"` then 79 parts `."ü"`; the dot before the 81st part is where the limit is met.
        let at = "[project]\nname = \"ä€😀\"\n\n[\"é\"".len() + 79 * ".\"ü\"".len();
        assert_eq!(error.span, Some(at..at + 1));
    }

    #[test]
    fn every_id_too_large_for_64_bits_is_reported_as_written() {
        let text = "[project]\nname = \"x\"\n[reserved]\nrole_ids = [0o7777777777777777777777777]\n";
        let error = first_error(text);
        assert_eq!(error.code, Code::IdOutOfRange);
        assert_eq!(error.message, "`[reserved] role_ids` has id 0o7777777777777777777777777, outside 1..=65535");
    }
}
