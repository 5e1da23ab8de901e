//! What else a permission, role, entity type or policy says, compared by name: where a
//! permission is checked and whether it is deprecated, where a role may be assigned, an entity
//! type's parent, and a policy's entity and rules.

use super::{Change, Finding, quoted};
use crate::model::{Deprecated, Entity, EntityIdx, LevelIdx, Model, PermIdx, RuleKind};
use crate::source::Span;

/// Permissions, roles, entity types, then policies.
pub(super) fn compare(old: &Model, new: &Model, out: &mut Vec<Finding>) {
    permission_properties(old, new, out);
    role_properties(old, new, out);
    entity_parents(old, new, out);
    policies(old, new, out);
}

/// Entity names of `list`, keeping only those both versions know: an entity type added or
/// removed is reported once, not again for every permission and role that lists it.
fn shared_entities<'a>(model: &'a Model, list: &[EntityIdx], other: &Model) -> Vec<&'a str> {
    list.iter().map(|&e| model.entities()[e].name.as_str()).filter(|n| other.entity(n).is_some()).collect()
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
fn permission_properties(old: &Model, new: &Model, out: &mut Vec<Finding>) {
    for n in new.permissions() {
        let Some(o) = old.permission(&n.name).map(|i| &old.permissions()[i]) else { continue };
        let before = shared_entities(old, &o.entities, new);
        let after = shared_entities(new, &n.entities, old);
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
                )),
            );
        }
        if !added.is_empty() {
            let message = format!("permission `{}` is now also checked against {}", n.name, quoted(&added));
            out.push(Finding::new(Change::PermissionEntitiesWidened, message, span.clone()));
        }
        deprecation(&n.name, &o.deprecated, &n.deprecated, span, out);
    }
}

fn deprecation(name: &str, before: &Deprecated, after: &Deprecated, span: Option<Span>, out: &mut Vec<Finding>) {
    match (before.is_deprecated(), after.is_deprecated()) {
        (false, true) => {
            let why = after.reason().map(|r| format!(": {r}")).unwrap_or_default();
            out.push(Finding::new(
                Change::PermissionDeprecated,
                format!("permission `{name}` is now deprecated{why}"),
                span,
            ));
        }
        (true, false) => {
            out.push(Finding::new(
                Change::PermissionUndeprecated,
                format!("permission `{name}` is no longer deprecated"),
                span,
            ));
        }
        _ => {}
    }
}

/// Where a role may be assigned. Narrowing invalidates assignments already stored on the dropped
/// entity types, so it is wire-breaking; widening is an access change.
fn role_properties(old: &Model, new: &Model, out: &mut Vec<Finding>) {
    for n in new.roles() {
        let Some(o) = old.role(&n.name).map(|i| &old.roles()[i]) else { continue };
        let before = shared_entities(old, &o.assignable_on, new);
        let after = shared_entities(new, &n.assignable_on, old);
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
                )),
            );
        }
        if !added.is_empty() {
            let message = format!("role `{}` may now also be assigned on {}", n.name, quoted(&added));
            out.push(Finding::new(Change::RoleAssignableWidened, message, Some(n.span.clone())));
        }
    }
}

/// A role assigned on an entity applies to its descendants, so moving an entity type under
/// another parent changes where existing assignments reach.
fn entity_parents(old: &Model, new: &Model, out: &mut Vec<Finding>) {
    let parent = |m: &Model, e: &Entity| e.parent.map(|p| m.entities()[p].name.clone());
    for n in new.entities() {
        let Some(o) = old.entity(&n.name).map(|i| &old.entities()[i]) else { continue };
        let (before, after) = (parent(old, o), parent(new, n));
        if before == after {
            continue;
        }
        let place = |p: &Option<String>| p.as_ref().map_or_else(|| "no parent".to_string(), |p| format!("`{p}`"));
        out.push(
            Finding::new(
                Change::EntityParentChanged,
                format!("entity type `{}` now has parent {} instead of {}", n.name, place(&after), place(&before)),
                Some(n.span.clone()),
            )
            .help("roles assigned on an entity apply below it, so existing assignments now reach elsewhere".into()),
        );
    }
}

/// A policy's rules as roles.toml writes them, names resolved in `model`.
fn rule_text(model: &Model, kind: &RuleKind) -> String {
    let levels = |ls: &[LevelIdx]| quoted(ls.iter().map(|&l| model.legacy_levels()[l].name.as_str()));
    let perms = |ps: &[PermIdx]| quoted(ps.iter().map(|&p| model.permissions()[p].name.as_str()));
    match kind {
        RuleKind::DenyIfLegacy(ls) => format!("deny_if_legacy [{}]", levels(ls)),
        RuleKind::AllowIfLegacyAtLeast(l) => format!("allow_if_legacy_at_least `{}`", model.legacy_levels()[*l].name),
        RuleKind::AllowIfPermission(ps) => format!("allow_if_permission [{}]", perms(ps)),
        RuleKind::AllowIf(p) => format!("allow_if `{p}`"),
        RuleKind::DenyIf(p) => format!("deny_if `{p}`"),
    }
}

/// Policies decide access in order, first rule wins: any change to a policy's rules or entity is
/// an access change; a removed policy takes its generated evaluator with it.
fn policies(old: &Model, new: &Model, out: &mut Vec<Finding>) {
    for o in old.policies().iter().filter(|o| !new.policies().iter().any(|n| n.name == o.name)) {
        out.push(
            Finding::new(Change::PolicyRemoved, format!("policy `{}` was removed", o.name), None)
                .help("its generated evaluator is gone; code calling it no longer compiles".into()),
        );
    }
    for n in new.policies() {
        let Some(o) = old.policies().iter().find(|o| o.name == n.name) else {
            out.push(Finding::new(Change::PolicyAdded, format!("policy `{}` was added", n.name), Some(n.span.clone())));
            continue;
        };
        let (oe, ne) = (&old.entities()[o.entity].name, &new.entities()[n.entity].name);
        if oe != ne {
            let message = format!("policy `{}` now decides on `{ne}` instead of `{oe}`", n.name);
            out.push(Finding::new(Change::PolicyChanged, message, Some(n.span.clone())));
        }
        let before: Vec<String> = o.rules.iter().map(|r| rule_text(old, &r.kind)).collect();
        let after: Vec<String> = n.rules.iter().map(|r| rule_text(new, &r.kind)).collect();
        if let Some(what) = rules_change(&before, &after) {
            let message = format!("policy `{}` {what}", n.name);
            out.push(Finding::new(Change::PolicyChanged, message, Some(n.span.clone())));
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
