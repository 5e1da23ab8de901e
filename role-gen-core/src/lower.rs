//! Stage 2: [`syntax::File`] -> [`Model`]: names resolved to indices (unknown names reported
//! with a did-you-mean), defaults filled in, items put in output order. Lowering always
//! produces a model, with what did not resolve left out, so the rules after it (cycles first)
//! still report on a file with errors (each check on what was read as written, see `trust`);
//! only a model without errors is handed on.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use crate::diagnostic::Diagnostic;
use crate::model::*;
use crate::names::{NameKind, is_valid_name};
use crate::source::normalize;
use crate::suggest::unknown_name;
use crate::syntax::{self, Deprecation, File, RuleKindDef, Sp};

mod tests_of;

use tests_of::test;

/// Name -> index, for one kind of thing.
struct Names<'a, I> {
    kind: NameKind,
    map: HashMap<&'a str, I>,
    /// The names `[reserved]` keeps for the kind: a reference to one is to something removed.
    reserved: Vec<&'a str>,
    /// Extra help when a lookup fails and nothing is close.
    fallback: Option<&'static str>,
    /// The valid names, sorted: the did-you-mean candidates, gathered on the first miss (a file
    /// with thousands of unknown names sorts them once, not once each).
    known: OnceCell<Vec<&'a str>>,
}

impl<'a, I: Copy + Eq + Hash> Names<'a, I> {
    fn new(kind: NameKind, names: impl Iterator<Item = &'a str>, index: fn(usize) -> I) -> Self {
        let mut map = HashMap::new();
        for (i, n) in names.enumerate() {
            map.entry(n).or_insert(index(i));
        }
        Names { kind, map, reserved: Vec::new(), fallback: None, known: OnceCell::new() }
    }

    /// With the names `[reserved]` keeps for the kind.
    fn reserving(mut self, file: &'a File) -> Self {
        let r = &file.reserved;
        let reserved = match self.kind {
            NameKind::Permission => &r.permission_names,
            NameKind::Role => &r.role_names,
            NameKind::Entity => &r.entity_names,
            NameKind::Policy => &r.policy_names,
            NameKind::LegacyLevel => return self,
        };
        self.reserved = reserved.iter().map(|n| n.get_ref().as_str()).collect();
        self
    }

    fn resolve(&self, name: &Sp<String>, diags: &mut Vec<Diagnostic>) -> Option<I> {
        if let Some(&i) = self.map.get(name.get_ref().as_str()) {
            return Some(i);
        }
        let known = self.known.get_or_init(|| {
            let mut known: Vec<&str> = self.map.keys().copied().filter(|k| is_valid_name(k)).collect();
            known.sort_unstable();
            known
        });
        let why = unknown_name(self.kind, name.get_ref(), known.iter().copied(), &self.reserved);
        let help = why.help.or_else(|| self.fallback.map(str::to_string)).or_else(|| {
            (!known.is_empty()).then(|| {
                format!(
                    "known {}s: {}",
                    self.kind.noun(),
                    known.iter().take(8).map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                )
            })
        });
        let found = Diagnostic::new(self.kind.unknown_code(), name.span(), why.message).label(why.label);
        diags.push(why.reason.into_iter().fold(found, Diagnostic::note).maybe_help(help));
        None
    }

    /// Every name resolved, each once: a repeat (a `duplicate-entry` warning) is dropped.
    fn resolve_all(&self, names: &[Sp<String>], diags: &mut Vec<Diagnostic>) -> Vec<I> {
        let mut seen = HashSet::with_capacity(names.len());
        names.iter().filter_map(|n| self.resolve(n, diags)).filter(|&i| seen.insert(i)).collect()
    }
}

fn text(s: &Option<Sp<String>>) -> String {
    s.as_ref().map(|s| s.get_ref().clone()).unwrap_or_default()
}

fn id_of(id: &Option<Sp<i64>>) -> u32 {
    id.as_ref().and_then(|i| u32::try_from(*i.get_ref()).ok()).unwrap_or(0)
}

/// Every name the file defines, by kind, for resolving references.
struct Resolver<'a> {
    entities: Names<'a, EntityIdx>,
    permissions: Names<'a, PermIdx>,
    roles: Names<'a, RoleIdx>,
    levels: Names<'a, LevelIdx>,
    /// Every entity, for lists that default to all of them.
    all_entities: Vec<EntityIdx>,
}

/// Lowers `file` into a model; references that do not resolve are reported and left out.
pub fn lower(file: &File, source_name: &str, diags: &mut Vec<Diagnostic>) -> Model {
    let legacy_levels = legacy(file);
    let perm_order = by_id(&file.permissions, |p| (id_of(&p.id), p.name.span().start));
    let role_order = by_id(&file.roles, |r| (id_of(&r.id), r.name.span().start));
    let policy_order = by_id(&file.policies, |p| (id_of(&p.id), p.name.span().start));
    let names = Resolver {
        entities: Names::new(NameKind::Entity, file.entities.iter().map(|e| e.name.get_ref().as_str()), EntityIdx::new)
            .reserving(file),
        permissions: Names::new(
            NameKind::Permission,
            perm_order.iter().map(|&i| file.permissions[i].name.get_ref().as_str()),
            PermIdx::new,
        )
        .reserving(file),
        roles: Names::new(
            NameKind::Role,
            role_order.iter().map(|&i| file.roles[i].name.get_ref().as_str()),
            RoleIdx::new,
        )
        .reserving(file),
        levels: level_names(file),
        all_entities: (0..file.entities.len()).map(EntityIdx::new).collect(),
    };
    let entities = file.entities.iter().enumerate().map(|(i, e)| entity(i, e, &names, diags)).collect();
    let permissions = perm_order.iter().map(|&i| permission(&file.permissions[i], &names, diags)).collect();
    let roles = role_order.iter().map(|&i| role(&file.roles[i], &names, diags)).collect();
    let policies: Vec<Policy> = policy_order.iter().map(|&i| policy(&file.policies[i], &names, diags)).collect();
    let mut model = Model {
        source_name: source_name.to_string(),
        project: project(file),
        output: output(file),
        entities,
        permissions,
        roles,
        legacy_levels,
        policies,
        predicates: predicates(file),
        reserved: reserved(file),
        review: file.review.iter().filter_map(|a| crate::review::Allowance::parse(a.get_ref()).ok()).collect(),
        tests: Vec::new(),
        lookup: Default::default(),
    };
    let policy_names =
        Names::new(NameKind::Policy, model.policies.iter().map(|p| p.name.as_str()), PolicyIdx::new).reserving(file);
    model.tests = file.tests.iter().filter_map(|t| test(t, &model, &names, &policy_names, diags)).collect();
    model
}

fn level_names(file: &File) -> Names<'_, LevelIdx> {
    let levels = file.legacy.iter().flat_map(|l| &l.levels).map(|l| l.get_ref().as_str());
    let mut names = Names::new(NameKind::LegacyLevel, levels, LevelIdx::new);
    if file.legacy.is_none() {
        names.fallback =
            Some("declare the levels first: `[legacy] levels = [\"guest\", \"member\", \"admin\"]`, lowest first");
    }
    names
}

/// Indices of `items` sorted by id (ties, which are errors, by position).
fn by_id<T>(items: &[T], key: impl Fn(&T) -> (u32, usize)) -> Vec<usize> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| key(&items[i]));
    order
}

fn project(file: &File) -> Project {
    let name = file.project.as_ref().map(|p| text(&p.name)).unwrap_or_default();
    let proto_package = file
        .project
        .as_ref()
        .and_then(|p| p.proto_package.as_ref())
        .map_or_else(|| format!("{name}.roles.v1"), |p| p.get_ref().clone());
    Project { name, proto_package }
}

fn output(file: &File) -> OutputConfig {
    let Some(out) = &file.output else {
        return OutputConfig {
            dir: "gen".into(),
            targets: Target::DEFAULT.to_vec(),
            rust_serde: false,
            custom: Vec::new(),
        };
    };
    let targets = match &out.targets {
        Some(list) => Target::ALL.into_iter().filter(|t| list.iter().any(|n| n.get_ref() == t.as_str())).collect(),
        None => Target::DEFAULT.to_vec(),
    };
    let custom = out
        .custom
        .iter()
        .filter_map(|c| {
            let (t, p) = (c.template.as_ref()?, c.path.as_ref()?);
            Some(CustomOutput {
                template: t.get_ref().clone(),
                template_span: t.span(),
                path: normalize(p.get_ref()),
                path_span: p.span(),
            })
        })
        .collect();
    let dir = out.dir.as_ref().map_or_else(|| "gen".to_string(), |d| normalize(d.get_ref()));
    OutputConfig { dir, targets, rust_serde: out.rust_serde.unwrap_or(false), custom }
}

fn legacy(file: &File) -> Vec<LegacyLevel> {
    let levels = file.legacy.iter().flat_map(|l| &l.levels);
    levels.map(|l| LegacyLevel { name: l.get_ref().clone(), span: l.span() }).collect()
}

fn predicates(file: &File) -> Vec<PredicateDecl> {
    file.predicates
        .iter()
        .map(|p| PredicateDecl {
            name: p.name.get_ref().clone(),
            description: text(&p.description),
            span: p.name.span(),
        })
        .collect()
}

fn reserved(file: &File) -> Reserved {
    let r = &file.reserved;
    let ids = |v: &[Sp<i64>]| {
        let mut ids: Vec<u32> = v.iter().filter_map(|i| u32::try_from(*i.get_ref()).ok()).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let names = |v: &[Sp<String>]| {
        let mut names: Vec<String> = v.iter().map(|n| n.get_ref().clone()).collect();
        names.sort();
        names.dedup();
        names
    };
    Reserved {
        permission_ids: ids(&r.permission_ids),
        permission_names: names(&r.permission_names),
        role_ids: ids(&r.role_ids),
        role_names: names(&r.role_names),
        policy_ids: ids(&r.policy_ids),
        policy_names: names(&r.policy_names),
        entity_ids: ids(&r.entity_ids),
        entity_names: names(&r.entity_names),
    }
}

/// The entity at `position` in the file; its number is its `id`, else its 1-based place.
fn entity(position: usize, e: &syntax::EntityDef, names: &Resolver<'_>, diags: &mut Vec<Diagnostic>) -> Entity {
    let parent = e.parent.as_ref().and_then(|p| Some((names.entities.resolve(p, diags)?, p.span())));
    let place = u32::try_from(position + 1).unwrap_or(u32::MAX);
    Entity {
        name: e.name.get_ref().clone(),
        id: if e.id.is_some() { id_of(&e.id) } else { place },
        description: text(&e.description),
        parent: parent.as_ref().map(|(p, _)| *p),
        parent_span: parent.map(|(_, span)| span),
        span: e.name.span(),
    }
}

fn permission(p: &syntax::PermissionDef, names: &Resolver<'_>, diags: &mut Vec<Diagnostic>) -> Permission {
    Permission {
        name: p.name.get_ref().clone(),
        id: id_of(&p.id),
        description: text(&p.description),
        entities: applicable(p.entities.as_deref(), names, diags),
        group: p.group.as_ref().map(|g| g.get_ref().clone()),
        deprecated: match &p.deprecated {
            Deprecation::No => Deprecated::No,
            Deprecation::Yes => Deprecated::Yes,
            Deprecation::Reason(r) => Deprecated::Because(r.clone()),
        },
        span: p.name.span(),
    }
}

/// Entity lists default to every entity; given ones are kept in entity (file) order.
fn applicable(list: Option<&[Sp<String>]>, names: &Resolver<'_>, diags: &mut Vec<Diagnostic>) -> Vec<EntityIdx> {
    let Some(list) = list else { return names.all_entities.clone() };
    let mut resolved = names.entities.resolve_all(list, diags);
    resolved.sort_unstable();
    resolved.dedup();
    resolved
}

/// A role, its grants and includes without repeats (the first of each kept); its includes keep
/// the span of each reference (the cycle rule points at one).
fn role(r: &syntax::RoleDef, names: &Resolver<'_>, diags: &mut Vec<Diagnostic>) -> Role {
    let (mut permissions, mut permission_spans) = (Vec::new(), Vec::new());
    let mut granted = HashSet::with_capacity(r.permissions.len());
    for p in &r.permissions {
        if let Some(idx) = names.permissions.resolve(p, diags)
            && granted.insert(idx)
        {
            permissions.push(idx);
            permission_spans.push(p.span());
        }
    }
    let (mut includes, mut include_spans) = (Vec::new(), Vec::new());
    for n in &r.includes {
        // A role named twice is one include, wherever the repeat is (a `duplicate-entry` warning).
        if let Some(idx) = names.roles.resolve(n, diags)
            && !includes.contains(&idx)
        {
            includes.push(idx);
            include_spans.push(n.span());
        }
    }
    Role {
        name: r.name.get_ref().clone(),
        id: id_of(&r.id),
        description: text(&r.description),
        permissions,
        permission_spans,
        includes,
        include_spans,
        assignable_on: applicable(r.assignable_on.as_deref(), names, diags),
        effective: PermSet::default(),
        span: r.name.span(),
    }
}

fn policy(p: &syntax::PolicyDef, names: &Resolver<'_>, diags: &mut Vec<Diagnostic>) -> Policy {
    let (entities, perms, levels) = (&names.entities, &names.permissions, &names.levels);
    let rules = p
        .rules
        .iter()
        .filter_map(|r| {
            let kind = match &r.kind {
                RuleKindDef::DenyIfLegacy(l) => RuleKind::DenyIfLegacy(levels.resolve_all(l, diags)),
                RuleKindDef::AllowIfLegacyAtLeast(l) => RuleKind::AllowIfLegacyAtLeast(levels.resolve(l, diags)?),
                RuleKindDef::AllowIfPermission(ps) => RuleKind::AllowIfPermission(perms.resolve_all(ps, diags)),
                RuleKindDef::AllowIf(p) => RuleKind::AllowIf(p.get_ref().clone()),
                RuleKindDef::DenyIf(p) => RuleKind::DenyIf(p.get_ref().clone()),
            };
            Some(Rule { kind, span: r.span.clone() })
        })
        .collect();
    Policy {
        name: p.name.get_ref().clone(),
        id: id_of(&p.id),
        description: text(&p.description),
        entity: p.entity.as_ref().and_then(|e| entities.resolve(e, diags)).unwrap_or(EntityIdx::new(0)),
        rules,
        span: p.name.span(),
    }
}
