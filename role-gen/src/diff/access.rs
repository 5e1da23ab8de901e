//! Who gains and loses what: each role's effective permissions in both versions, matched by
//! name through renames, each change with the include chain it comes through
//! ([`Model::chains`], the chains `explain` and `who-can` show).

use std::collections::HashMap;

use super::Grant;
use super::identity::Renames;
use crate::model::{Model, PermIdx, RoleIdx};
use crate::source::Span;

/// Effective permissions per role, matched by name (indices differ between versions), a renamed
/// role or permission matched to its old name (its rename is reported once, as a wire change,
/// not as a loss and a gain under every role holding it): what each role holds now and did
/// not, and the reverse. A role only in `new` gains all it holds; a role only in `old` loses all
/// it held. Roles come in new id order, then removed roles in old id order; permissions by id.
pub(super) fn effective(old: &Model, new: &Model, renames: &Renames) -> (Vec<Grant>, Vec<Grant>) {
    let (perms, roles) = (&renames.permissions, &renames.roles);
    let was: HashMap<&str, &str> = perms.iter().map(|(o, n)| (n.as_str(), o.as_str())).collect();
    let was_role: HashMap<&str, &str> = roles.iter().map(|(o, n)| (n.as_str(), o.as_str())).collect();
    let to_new: Vec<Option<PermIdx>> = old
        .permissions()
        .iter()
        .map(|p| new.permission(perms.get(&p.name).map_or(p.name.as_str(), String::as_str)))
        .collect();
    let to_old: Vec<Option<PermIdx>> = new
        .permissions()
        .iter()
        .map(|p| old.permission(was.get(p.name.as_str()).unwrap_or(&p.name.as_str())))
        .collect();
    let (mut granted, mut revoked) = (Vec::new(), Vec::new());
    for (ni, role) in new.indexed_roles() {
        let span = Some(role.span.clone());
        let Some(oi) = old.role(was_role.get(role.name.as_str()).unwrap_or(&role.name.as_str())) else {
            granted.extend(grants(new, ni, role.effective.iter().collect(), &span));
            continue;
        };
        let before = &old.roles()[oi].effective;
        let gained =
            role.effective.iter().filter(|&p| !to_old[p.get()].is_some_and(|op| before.contains(op))).collect();
        let lost = before.iter().filter(|&p| !to_new[p.get()].is_some_and(|np| role.effective.contains(np))).collect();
        granted.extend(grants(new, ni, gained, &span));
        revoked.extend(grants(old, oi, lost, &span));
    }
    for (oi, role) in old.indexed_roles().filter(|(_, r)| new.role(&r.name).is_none() && !roles.contains_key(&r.name)) {
        revoked.extend(grants(old, oi, role.effective.iter().collect(), &None));
    }
    (granted, revoked)
}

/// `perms` of `role` in `model` as grants, each with its include chain, from one walk. Every
/// effective permission has a chain, so the empty one is never shown.
fn grants(model: &Model, role: RoleIdx, perms: Vec<PermIdx>, span: &Option<Span>) -> Vec<Grant> {
    if perms.is_empty() {
        return Vec::new();
    }
    let (name, chains) = (&model.roles()[role].name, model.chains(role));
    perms
        .into_iter()
        .map(|p| Grant {
            role: name.clone(),
            permission: model.permissions()[p].name.clone(),
            via: chains.to(p).unwrap_or_default().into_iter().map(|r| model.roles()[r].name.clone()).collect(),
            span: span.clone(),
            allowed: false,
        })
        .collect()
}
