//! What else a permission, role, entity type or policy says, compared by name (through renames):
//! where a permission is checked and whether it is deprecated, where a role may be assigned, an
//! entity type's parent, and a policy's entity and rules.

use std::collections::HashMap;

use super::identity::Renames;
use super::{Change, Finding, quoted};
use crate::model::{Deprecated, Entity, EntityIdx, LevelIdx, Model, PermIdx, RuleKind};
use crate::source::Span;

/// The two versions, and how names changed between them.
struct Versions<'a> {
    old: &'a Model,
    new: &'a Model,
    renames: &'a Renames,
}

/// What an item now called `now` was called before (itself, unless it was renamed).
fn was<'a>(renamed: &'a HashMap<String, String>, now: &'a str) -> &'a str {
    renamed.iter().find(|(_, n)| n.as_str() == now).map_or(now, |(old, _)| old.as_str())
}

/// What an item called `then` is called now (itself, unless it was renamed).
fn now<'a>(renamed: &'a HashMap<String, String>, then: &'a str) -> &'a str {
    renamed.get(then).map_or(then, String::as_str)
}

/// Permissions, roles, entity types, then policies.
pub(super) fn compare(old: &Model, new: &Model, renames: &Renames, out: &mut Vec<Finding>) {
    let v = Versions { old, new, renames };
    permission_properties(&v, out);
    role_properties(&v, out);
    entity_parents(&v, out);
    policies(&v, out);
}

impl<'a> Versions<'a> {
    /// Entity names of an old `list`, spelled as the new version names them, keeping only those
    /// both versions know: an entity type added or removed is reported once, not again for
    /// every permission and role that lists it.
    fn old_entities(&self, list: &[EntityIdx]) -> Vec<&'a str> {
        let names = list.iter().map(|&e| now(&self.renames.entities, &self.old.entities()[e].name));
        names.filter(|n| self.new.entity(n).is_some()).collect()
    }

    /// Entity names of a new `list`, keeping only those both versions know.
    fn new_entities(&self, list: &[EntityIdx]) -> Vec<&'a str> {
        let names = list.iter().map(|&e| self.new.entities()[e].name.as_str());
        names.filter(|n| self.old.entity(was(&self.renames.entities, n)).is_some()).collect()
    }
}

/// `(dropped, added)`: what `before` has that `after` lacks, and the reverse.
fn set_change<'a>(before: &[&'a str], after: &[&'a str]) -> (Vec<&'a str>, Vec<&'a str>) {
    let dropped = before.iter().filter(|n| !after.contains(n)).copied().collect();
    let added = after.iter().filter(|n| !before.contains(n)).copied().collect();
    (dropped, added)
}

/// Where a permission is checked, and whether it is deprecated. Narrowing is source-breaking: a
/// `#[derive(RequiresPermission)]` for a dropped entity stops compiling, and call sites checking
/// it there must change. Widening is an access change.
fn permission_properties(v: &Versions<'_>, out: &mut Vec<Finding>) {
    let (old, new) = (v.old, v.new);
    for n in new.permissions() {
        let Some(o) = old.permission(was(&v.renames.permissions, &n.name)).map(|i| &old.permissions()[i]) else {
            continue;
        };
        let before = v.old_entities(&o.entities);
        let after = v.new_entities(&n.entities);
        let (dropped, added) = set_change(&before, &after);
        let span = Some(n.span.clone());
        if !dropped.is_empty() {
            out.push(
                Finding::new(
                    Change::PermissionEntitiesNarrowed,
                    format!("permission `{}` is no longer checked against {}", n.name, quoted(&dropped)),
                    span.clone(),
                )
                .help(format!(
                    "a `#[derive(RequiresPermission)]` with `entity` {} no longer compiles for it, \
                     and checks against it there must change",
                    quoted(&dropped)
                ))
                .about([&n.name]),
            );
        }
        if !added.is_empty() {
            let message = format!("permission `{}` is now also checked against {}", n.name, quoted(&added));
            out.push(Finding::new(Change::PermissionEntitiesWidened, message, span.clone()).about([&n.name]));
        }
        deprecation(&n.name, &o.deprecated, &n.deprecated, span, out);
    }
}

fn deprecation(name: &str, before: &Deprecated, after: &Deprecated, span: Option<Span>, out: &mut Vec<Finding>) {
    match (before.is_deprecated(), after.is_deprecated()) {
        (false, true) => {
            let why = after.reason().map(|r| format!(": {r}")).unwrap_or_default();
            out.push(
                Finding::new(Change::PermissionDeprecated, format!("permission `{name}` is now deprecated{why}"), span)
                    .about([name]),
            );
        }
        (true, false) => {
            out.push(
                Finding::new(
                    Change::PermissionUndeprecated,
                    format!("permission `{name}` is no longer deprecated"),
                    span,
                )
                .about([name]),
            );
        }
        _ => {}
    }
}

/// Where a role may be assigned. Narrowing invalidates assignments already stored on the dropped
/// entity types, so it is wire-breaking; widening is an access change.
fn role_properties(v: &Versions<'_>, out: &mut Vec<Finding>) {
    let (old, new) = (v.old, v.new);
    for n in new.roles() {
        let Some(o) = old.role(was(&v.renames.roles, &n.name)).map(|i| &old.roles()[i]) else { continue };
        let before = v.old_entities(&o.assignable_on);
        let after = v.new_entities(&n.assignable_on);
        let (dropped, added) = set_change(&before, &after);
        if !dropped.is_empty() {
            out.push(
                Finding::new(
                    Change::RoleAssignableNarrowed,
                    format!("role `{}` may no longer be assigned on {}", n.name, quoted(&dropped)),
                    Some(n.span.clone()),
                )
                .help(format!(
                    "assignments of `{}` already stored on {} become invalid; migrate them first",
                    n.name,
                    quoted(&dropped)
                ))
                .about([&n.name]),
            );
        }
        if !added.is_empty() {
            let message = format!("role `{}` may now also be assigned on {}", n.name, quoted(&added));
            out.push(Finding::new(Change::RoleAssignableWidened, message, Some(n.span.clone())).about([&n.name]));
        }
    }
}

/// A role assigned on an entity applies to its descendants, so moving an entity type under
/// another parent changes where existing assignments reach.
fn entity_parents(v: &Versions<'_>, out: &mut Vec<Finding>) {
    let (old, new, renamed) = (v.old, v.new, &v.renames.entities);
    let parent = |m: &Model, e: &Entity| e.parent.map(|p| m.entities()[p].name.clone());
    for n in new.entities() {
        let Some(o) = old.entity(was(renamed, &n.name)).map(|i| &old.entities()[i]) else { continue };
        let before = parent(old, o).map(|p| now(renamed, &p).to_string());
        let after = parent(new, n);
        if before == after {
            continue;
        }
        let message = match (&before, &after) {
            (Some(b), None) => format!("entity type `{}` no longer has a parent (was `{b}`)", n.name),
            (None, Some(a)) => format!("entity type `{}` now has parent `{a}` (it had none)", n.name),
            (b, a) => format!("entity type `{}` now has parent `{}` instead of `{}`", n.name, name(a), name(b)),
        };
        out.push(
            Finding::new(Change::EntityParentChanged, message, Some(n.span.clone()))
                .help("roles assigned on an entity apply below it, so existing assignments now reach elsewhere".into())
                .about([&n.name]),
        );
    }
}

fn name(parent: &Option<String>) -> &str {
    parent.as_deref().unwrap_or_default()
}

/// A policy's rules as roles.toml writes them, names resolved in `model` and permissions named
/// by `permission` (the new names, for an old version).
fn rule_text(model: &Model, kind: &RuleKind, permission: &dyn Fn(&str) -> String) -> String {
    let levels = |ls: &[LevelIdx]| quoted(ls.iter().map(|&l| model.legacy_levels()[l].name.as_str()));
    let perms = |ps: &[PermIdx]| quoted(ps.iter().map(|&p| permission(&model.permissions()[p].name)));
    match kind {
        RuleKind::DenyIfLegacy(ls) => format!("deny_if_legacy [{}]", levels(ls)),
        RuleKind::AllowIfLegacyAtLeast(l) => format!("allow_if_legacy_at_least `{}`", model.legacy_levels()[*l].name),
        RuleKind::AllowIfPermission(ps) => format!("allow_if_permission [{}]", perms(ps)),
        RuleKind::AllowIf(p) => format!("allow_if `{p}`"),
        RuleKind::DenyIf(p) => format!("deny_if `{p}`"),
    }
}

/// Policies decide access in order, first rule wins: any change to a policy's rules or entity is
/// an access change. (Added, removed and renamed policies are `identity`'s.)
fn policies(v: &Versions<'_>, out: &mut Vec<Finding>) {
    let (old, new, r) = (v.old, v.new, v.renames);
    for n in new.policies() {
        let Some(o) = old.policy(was(&r.policies, &n.name)).map(|i| &old.policies()[i]) else { continue };
        let (oe, ne) = (now(&r.entities, &old.entities()[o.entity].name), &new.entities()[n.entity].name);
        if oe != ne {
            let message = format!("policy `{}` now decides on `{ne}` instead of `{oe}`", n.name);
            out.push(Finding::new(Change::PolicyChanged, message, Some(n.span.clone())).about([&n.name]));
        }
        let renamed = |p: &str| now(&r.permissions, p).to_string();
        let before: Vec<String> = o.rules.iter().map(|x| rule_text(old, &x.kind, &renamed)).collect();
        let after: Vec<String> = n.rules.iter().map(|x| rule_text(new, &x.kind, &|p| p.to_string())).collect();
        if let Some(what) = rules_change(&before, &after) {
            let message = format!("policy `{}` {what}", n.name);
            out.push(Finding::new(Change::PolicyChanged, message, Some(n.span.clone())).about([&n.name]));
        }
    }
}

/// How a rule list changed, in words; `None` when it did not.
fn rules_change(before: &[String], after: &[String]) -> Option<String> {
    if before == after {
        return None;
    }
    let removed: Vec<&String> = before.iter().filter(|r| !after.contains(r)).collect();
    let added: Vec<&String> = after.iter().filter(|r| !before.contains(r)).collect();
    let mut parts = Vec::new();
    if !removed.is_empty() {
        parts.push(format!("lost rule {}", removed.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")));
    }
    if !added.is_empty() {
        parts.push(format!("gained rule {}", added.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")));
    }
    if parts.is_empty() {
        parts.push("rules were reordered (the first rule that fires decides)".to_string());
    }
    Some(parts.join("; "))
}
