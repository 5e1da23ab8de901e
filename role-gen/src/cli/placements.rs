//! `who-can PERMISSION --on ENTITY` and `explain ROLE --on ENTITY`: the questions of SPEC
//! section 7 asked of the definitions alone. A role assigned on an entity applies to it and to
//! everything below it, only where the role may be assigned, and a permission is only checked
//! against the entity types it lists.

use serde::Serialize;

use super::output::{errln, out};
use super::{Failure, json};
use crate::Model;
use crate::model::{EntityIdx, PermIdx, RoleIdx};

/// `who-can --on --format json`.
#[derive(Debug, Serialize)]
struct PlacementsView<'a> {
    permission: &'a str,
    on: &'a str,
    placements: Vec<PlacementView<'a>>,
}

/// A role held on an entity type (the asked one or an ancestor) that grants the permission.
#[derive(Debug, Serialize)]
struct PlacementView<'a> {
    role: &'a str,
    entity: &'a str,
    via: Vec<&'a str>,
}

/// `explain --on --format json`.
#[derive(Debug, Serialize)]
struct ReachView<'a> {
    role: &'a str,
    on: &'a str,
    permissions: Vec<ReachRow<'a>>,
}

/// A permission the role holds, and where it is checked at or below the entity it is held on.
#[derive(Debug, Serialize)]
struct ReachRow<'a> {
    permission: &'a str,
    via: Vec<&'a str>,
    applies_on: Vec<&'a str>,
}

/// `entity` and each of its ancestors, nearest first.
fn up_from(model: &Model, entity: EntityIdx) -> Vec<EntityIdx> {
    std::iter::successors(Some(entity), |&e| model.entities()[e].parent).collect()
}

/// `entity` and every entity type below it, in file order.
fn down_from(model: &Model, entity: EntityIdx) -> Vec<EntityIdx> {
    (0..model.entities().len()).map(EntityIdx::new).filter(|&e| up_from(model, e).contains(&entity)).collect()
}

fn names<'m>(model: &'m Model, chain: &[RoleIdx]) -> Vec<&'m str> {
    chain.iter().map(|&r| model.roles()[r].name.as_str()).collect()
}

/// The (role, entity type) placements that grant `p` on an entity of type `on`: every role
/// holding it, on `on` or an ancestor, where the role may be assigned. Refused (exit 1) when
/// `p` is not checked against `on` at all.
pub(super) fn who_can_on(model: &Model, p: PermIdx, on: EntityIdx, as_json: bool) -> Result<(), Failure> {
    let (permission, target) = (&model.permissions()[p], &model.entities()[on]);
    if !permission.entities.contains(&on) {
        let checked: Vec<String> =
            permission.entities.iter().map(|&e| format!("`{}`", model.entities()[e].name)).collect();
        errln!(
            "error: `{}` is not checked against `{}`; it is checked against {}",
            permission.name,
            target.name,
            checked.join(", ")
        );
        return Err(Failure::Checked);
    }
    let mut placements = Vec::new();
    for (r, chain) in model.holders(p) {
        let role = &model.roles()[r];
        for e in up_from(model, on).into_iter().filter(|e| role.assignable_on.contains(e)) {
            placements.push(PlacementView {
                role: &role.name,
                entity: &model.entities()[e].name,
                via: names(model, &chain),
            });
        }
    }
    if as_json {
        return json::print(&PlacementsView { permission: &permission.name, on: &target.name, placements });
    }
    let n = placements.len();
    let mut text =
        format!("{n} placement{} grant `{}` on a `{}`\n", if n == 1 { "" } else { "s" }, permission.name, target.name);
    let (rw, ew) = widths(placements.iter().map(|p| (p.role, p.entity)));
    for p in &placements {
        let how = if p.via.len() == 1 { "direct".to_string() } else { format!("via {}", p.via.join(" > ")) };
        text.push_str(&format!("  {:<rw$}  on {:<ew$}  {how}\n", p.role, p.entity));
    }
    out!("{text}");
    Ok(())
}

/// What holding `r` on an entity of type `on` grants: each effective permission, with the entity
/// types at or below `on` it is checked against. Refused (exit 1) when `r` may not be assigned
/// on `on`: such a stored assignment grants nothing.
pub(super) fn explain_on(model: &Model, r: RoleIdx, on: EntityIdx, as_json: bool) -> Result<(), Failure> {
    let (role, target) = (&model.roles()[r], &model.entities()[on]);
    if !role.assignable_on.contains(&on) {
        let allowed: Vec<String> =
            role.assignable_on.iter().map(|&e| format!("`{}`", model.entities()[e].name)).collect();
        errln!(
            "error: `{}` may not be assigned on `{}`, so it grants nothing there; it may be assigned on {}",
            role.name,
            target.name,
            if allowed.is_empty() { "nothing".to_string() } else { allowed.join(", ") }
        );
        return Err(Failure::Checked);
    }
    let below = down_from(model, on);
    let chains = model.chains(r);
    let rows: Vec<ReachRow<'_>> = role
        .effective
        .iter()
        .map(|p| {
            let permission = &model.permissions()[p];
            let applies_on =
                below.iter().filter(|e| permission.entities.contains(e)).map(|&e| model.entities()[e].name.as_str());
            ReachRow {
                permission: &permission.name,
                via: names(model, &chains.to(p).unwrap_or_default()),
                applies_on: applies_on.collect(),
            }
        })
        .collect();
    if as_json {
        return json::print(&ReachView { role: &role.name, on: &target.name, permissions: rows });
    }
    let mut text = format!("role `{}` held on a `{}` grants, there and below:\n", role.name, target.name);
    let (pw, _) = widths(rows.iter().map(|r| (r.permission, "")));
    for row in &rows {
        let at = if row.applies_on.is_empty() {
            "nowhere below".to_string()
        } else {
            format!("on {}", row.applies_on.join(", "))
        };
        let how = if row.via.len() == 1 { "direct".to_string() } else { format!("via {}", row.via.join(" > ")) };
        text.push_str(&format!("  {:<pw$}  {at}  ({how})\n", row.permission));
    }
    out!("{text}");
    Ok(())
}

fn widths<'a>(rows: impl Iterator<Item = (&'a str, &'a str)>) -> (usize, usize) {
    rows.fold((0, 0), |(a, b), (x, y)| (a.max(x.len()), b.max(y.len())))
}
