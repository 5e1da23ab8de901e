//! Decoding roles.toml table by table into the [`File`] tree, with the readers of `read`; the
//! keys each table knows come from [`crate::schema`].

use toml::de::{DeTable, DeValue};

use super::read::{Cx, Fields, in_file_order, spanned};
use super::{
    AssignDef, CustomDef, Deprecation, EntityDef, EntityRefDef, File, Hidden, LegacyDef, OutputDef, PermissionDef,
    PolicyDef, PredicateDef, ProjectDef, ReservedDef, RoleDef, RuleDef, RuleKindDef, Sp, TestDef,
};
use crate::diagnostic::{Code, Diagnostic};
use crate::names::NameKind;
use crate::schema;
use crate::source::Span;

impl Cx<'_> {
    pub(super) fn file(&mut self, doc: &DeTable<'_>) -> File {
        let root = self.fields(doc, 0..0, "roles.toml", &schema::ROOT);
        self.misspelt_sections(&root);
        let mut file = File { project: self.project(&root), ..File::default() };
        if let Some(v) = root.get("output") {
            file.output = self.table(v).map(|t| self.output(t, v.span()));
        }
        file.entities = self.named(&root, "entities", &schema::ENTITY, |cx, name, f| cx.entity(name, f));
        file.permissions = self.named(&root, "permissions", &schema::PERMISSION, |cx, name, f| cx.permission(name, f));
        file.roles = self.named(&root, "roles", &schema::ROLE, |cx, name, f| cx.role(name, f));
        file.policies = self.named(&root, "policies", &schema::POLICY, |cx, name, f| cx.policy(name, f));
        file.predicates = self.named(&root, "predicates", &schema::PREDICATE, |cx, name, f| cx.predicate(name, f));
        if let Some(v) = root.get("legacy") {
            file.legacy = self.table(v).map(|t| self.legacy(t, v.span()));
            if file.legacy.is_none() {
                self.hide(NameKind::LegacyLevel, None, v.span());
            }
        }
        if let Some(v) = root.get("reserved") {
            file.reserved = self.table(v).map(|t| self.reserved(t, v.span())).unwrap_or_default();
        }
        if let Some(v) = root.get("review") {
            file.review = self.table(v).map(|t| self.review(t, v.span())).unwrap_or_default();
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
        let f = self.fields(table, value.span(), "`[project]`", &schema::PROJECT);
        let name = self.req_string(&f, "name", "`[project]`");
        let proto_package = self.opt_string(&f, "proto_package");
        Some(ProjectDef { header: value.span(), name, proto_package })
    }

    fn output(&mut self, table: &DeTable<'_>, header: Span) -> OutputDef {
        let f = self.fields(table, header, "`[output]`", &schema::OUTPUT);
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
        let f = self.fields(table, header.clone(), "`[[output.custom]]`", &schema::CUSTOM);
        let template = self.req_string(&f, "template", "`[[output.custom]]`");
        let path = self.req_string(&f, "path", "`[[output.custom]]`");
        CustomDef { header, template, path }
    }

    /// `[kind.NAME]` tables of `shape`, in file order.
    fn named<T>(
        &mut self,
        root: &Fields<'_, '_>,
        kind: &str,
        shape: &schema::Table,
        mut each: impl FnMut(&mut Self, Sp<String>, Fields<'_, '_>) -> T,
    ) -> Vec<T> {
        let Some(value) = root.get(kind) else { return Vec::new() };
        let declares = declared_kind(kind);
        let Some(table) = self.table(value) else {
            declares.into_iter().for_each(|k| self.hide(k, None, value.span()));
            return Vec::new();
        };
        let mut out = Vec::new();
        for (key, value) in in_file_order(table) {
            let Some(inner) = self.table(value) else {
                declares.into_iter().for_each(|k| self.hide(k, Some(key.get_ref()), value.span()));
                continue;
            };
            let name = spanned(key.span(), key.get_ref().to_string());
            let what = format!("`{kind}.{}`", key.get_ref());
            let before = self.diags.len();
            let fields = self.fields(inner, value.span(), &what, shape);
            let harmless = harmless(inner, &fields);
            out.push(each(self, name, fields));
            if let Some(kind) = declares
                && !self.intact(before, &value.span(), &harmless)
            {
                self.damaged.push((kind, Some(key.get_ref().to_string())));
            }
        }
        out
    }

    /// Whether every problem found since `before` leaves the entry's meaning as written: a
    /// missing key (reported at `header`) or a problem inside one of the `harmless` places.
    fn intact(&self, before: usize, header: &Span, harmless: &[Span]) -> bool {
        let inside = |s: &Span| harmless.iter().any(|h| h.start <= s.start && s.end <= h.end);
        self.diags[before..].iter().all(|d| d.span.as_ref().is_none_or(|s| s == header || inside(s)))
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
        let id = f.get("id").and_then(|v| self.integer(v, &what));
        let description = self.description(&f, &what, true);
        let parent = self.opt_string(&f, "parent");
        EntityDef { name, header: f.header.clone(), id, description, parent }
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

    fn role(&mut self, name: Sp<String>, f: Fields<'_, '_>) -> RoleDef {
        let what = format!("role `{}`", name.get_ref());
        let id = self.req_id(&f, &what);
        let description = self.description(&f, &what, true);
        let permissions = self.opt_strings(&f, "permissions").unwrap_or_default();
        let includes = self.opt_strings(&f, "includes").unwrap_or_default();
        let assignable_on = self.opt_strings(&f, "assignable_on");
        RoleDef { name, header: f.header.clone(), id, description, permissions, includes, assignable_on }
    }

    /// `[legacy]`, damaged by any problem (the ladder is then not as written). When `levels`
    /// cannot be read, the levels are hidden rather than unknown: the ones a misspelt key
    /// (`level = […]`) lists, or every one.
    fn legacy(&mut self, table: &DeTable<'_>, header: Span) -> LegacyDef {
        let before = self.diags.len();
        let levels = self.levels(table, header);
        if self.diags.len() > before {
            self.damaged.push((NameKind::LegacyLevel, None));
        }
        LegacyDef { levels }
    }

    fn levels(&mut self, table: &DeTable<'_>, header: Span) -> Vec<Sp<String>> {
        let f = self.fields(table, header, "`[legacy]`", &schema::LEGACY);
        match f.get("levels") {
            Some(v) => self.strings(v).unwrap_or_else(|| {
                self.hide(NameKind::LegacyLevel, None, v.span());
                Vec::new()
            }),
            None => {
                self.missing(&f, "levels", "`[legacy]`");
                match f.misspelling_of("levels") {
                    Some((key, value)) => self.hide_listed(NameKind::LegacyLevel, value, key.span()),
                    None => self.hide(NameKind::LegacyLevel, None, f.header.clone()),
                }
                Vec::new()
            }
        }
    }

    /// The names declared under misspelt sections (`[permission.x]`, `[legcy]`): hidden behind
    /// the `unknown-key` each section got.
    fn misspelt_sections(&mut self, root: &Fields<'_, '_>) {
        for (meant, (key, value)) in root.misspellings() {
            let Some(kind) = declared_kind(meant) else { continue };
            let DeValue::Table(table) = value.get_ref() else { continue };
            if kind == NameKind::LegacyLevel {
                match table.get("levels") {
                    Some(levels) => self.hide_listed(kind, levels, key.span()),
                    None => self.hide(kind, None, key.span()),
                }
            } else {
                for (name, _) in table.iter() {
                    self.hide(kind, Some(name.get_ref()), key.span());
                }
            }
        }
    }

    fn hide(&mut self, kind: NameKind, name: Option<&str>, cause: Span) {
        self.hidden.push(Hidden { kind, name: name.map(str::to_string), cause });
    }

    /// Hides the names a list holds, as written (every name of the kind if it is not a list).
    fn hide_listed(&mut self, kind: NameKind, value: &Sp<DeValue<'_>>, cause: Span) {
        let DeValue::Array(list) = value.get_ref() else { return self.hide(kind, None, cause) };
        for item in list.iter() {
            if let DeValue::String(name) = item.get_ref() {
                self.hide(kind, Some(name), cause.clone());
            }
        }
    }

    fn policy(&mut self, name: Sp<String>, f: Fields<'_, '_>) -> PolicyDef {
        let what = format!("policy `{}`", name.get_ref());
        let id = self.req_id(&f, &what);
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
        PolicyDef { name, header: f.header.clone(), id, description, entity, rules }
    }

    fn predicate(&mut self, name: Sp<String>, f: Fields<'_, '_>) -> PredicateDef {
        let what = format!("predicate `{}`", name.get_ref());
        let description = self.description(&f, &what, true);
        PredicateDef { name, header: f.header.clone(), description }
    }

    /// A rule is a table with exactly one kind key.
    fn rule(&mut self, value: &Sp<DeValue<'_>>) -> Option<RuleDef> {
        let table = self.table(value)?;
        let shape = &schema::RULE;
        self.fields(table, value.span(), "a policy rule", shape);
        let kinds: Vec<_> = in_file_order(table).into_iter().filter(|(k, _)| shape.knows(k.get_ref())).collect();
        let [(key, v)] = kinds.as_slice() else {
            if kinds.is_empty() && !table.is_empty() {
                return None; // its only keys are unknown, and were reported as such
            }
            let message =
                if kinds.is_empty() { "a policy rule needs a kind" } else { "a policy rule has exactly one kind" };
            self.push(
                Diagnostic::new(Code::WrongType, value.span(), message)
                    .label(format!("{} kinds here", kinds.len()))
                    .help(format!(
                        "write one of {}, e.g. `{{ deny_if_legacy = [\"guest\"] }}`",
                        shape.names().collect::<Vec<_>>().join(", ")
                    )),
            );
            return None;
        };
        let kind = match key.get_ref().as_ref() {
            "deny_if_legacy" => RuleKindDef::DenyIfLegacy(self.strings(v)?),
            "allow_if_legacy_at_least" => RuleKindDef::AllowIfLegacyAtLeast(self.string(v)?),
            "allow_if_permission" => RuleKindDef::AllowIfPermission(self.one_or_many(v)?),
            "allow_if" => RuleKindDef::AllowIf(self.string(v)?),
            _ => RuleKindDef::DenyIf(self.string(v)?),
        };
        Some(RuleDef { span: value.span(), kind })
    }

    fn reserved(&mut self, table: &DeTable<'_>, header: Span) -> ReservedDef {
        let f = self.fields(table, header, "`[reserved]`", &schema::RESERVED);
        let mut ids =
            |key: &str| f.get(key).map(|v| self.integers(v, &format!("`[reserved] {key}`"))).unwrap_or_default();
        let (permission_ids, role_ids) = (ids("permission_ids"), ids("role_ids"));
        let (policy_ids, entity_ids) = (ids("policy_ids"), ids("entity_ids"));
        let mut names = |key: &str| self.opt_strings(&f, key).unwrap_or_default();
        ReservedDef {
            permission_ids,
            permission_names: names("permission_names"),
            role_ids,
            role_names: names("role_names"),
            policy_ids,
            policy_names: names("policy_names"),
            entity_ids,
            entity_names: names("entity_names"),
        }
    }

    fn review(&mut self, table: &DeTable<'_>, header: Span) -> Vec<Sp<String>> {
        let f = self.fields(table, header, "`[review]`", &schema::REVIEW);
        self.opt_strings(&f, "allow").unwrap_or_default()
    }

    fn test(&mut self, table: &DeTable<'_>, header: Span) -> TestDef {
        let f = self.fields(table, header.clone(), "`[[tests]]`", &schema::TEST);
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
            assign: f.get("assign").map(|v| self.inline_tables(v, "assignments", |cx, t, span| cx.assignment(t, span))),
            path: f.get("path").map(|v| self.inline_tables(v, "entities", |cx, t, span| cx.entity_ref(t, span))),
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
}

impl Cx<'_> {
    /// An array of inline tables, each read by `read` (an element that is not a table is
    /// reported and left out).
    fn inline_tables<T>(
        &mut self,
        value: &Sp<DeValue<'_>>,
        what: &str,
        read: impl Fn(&mut Self, &DeTable<'_>, Span) -> Option<T>,
    ) -> Vec<T> {
        let Some(array) = self.array(value, &format!("an array of {what}")) else { return Vec::new() };
        array.iter().filter_map(|v| self.table(v).and_then(|t| read(self, t, v.span()))).collect()
    }

    /// `{ role = "…", entity = "…", id = "…" }`.
    fn assignment(&mut self, table: &DeTable<'_>, span: Span) -> Option<AssignDef> {
        let f = self.fields(table, span.clone(), "an assignment", &schema::ASSIGNMENT);
        let role = self.req_string(&f, "role", "an assignment");
        let entity = self.req_string(&f, "entity", "an assignment");
        let id = self.req_string(&f, "id", "an assignment");
        Some(AssignDef { span, role: role?, entity: entity?, id: id? })
    }

    /// `{ entity = "…", id = "…" }`.
    fn entity_ref(&mut self, table: &DeTable<'_>, span: Span) -> Option<EntityRefDef> {
        let f = self.fields(table, span.clone(), "an entity of a path", &schema::ENTITY_REF);
        let entity = self.req_string(&f, "entity", "an entity of a path");
        let id = self.req_string(&f, "id", "an entity of a path");
        Some(EntityRefDef { span, entity: entity?, id: id? })
    }
}

/// The kind of name a section declares (`permissions`: permission names), if it declares any
/// that references point at.
fn declared_kind(section: &str) -> Option<NameKind> {
    Some(match section {
        "entities" => NameKind::Entity,
        "permissions" => NameKind::Permission,
        "roles" => NameKind::Role,
        "legacy" => NameKind::LegacyLevel,
        "policies" => NameKind::Policy,
        _ => return None,
    })
}

/// The keys whose problems leave an entry's meaning as written (what it is called in docs and
/// on the wire, not what it grants or where it applies).
const HARMLESS: [&str; 3] = ["id", "description", "group"];

/// Where problems leave an entry's meaning as written: the values of [`HARMLESS`] keys and the
/// unknown keys that are misspellings of one.
fn harmless(table: &DeTable<'_>, fields: &Fields<'_, '_>) -> Vec<Span> {
    let values = HARMLESS.iter().filter_map(|k| table.get(*k)).map(|v| v.span());
    let misspelt = fields.misspellings().filter(|(meant, _)| HARMLESS.contains(meant)).map(|(_, (k, _))| k.span());
    values.chain(misspelt).collect()
}
