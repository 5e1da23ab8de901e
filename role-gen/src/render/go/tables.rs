//! The tables of roles.go: one row a line per permission, role, entity type and policy (a
//! keyed composite literal, which gofmt leaves as it is), the ids in ascending order for the
//! binary searches, and the names sorted by their bytes (Go's string order) for the parsers.
//! A `PermissionSet` literal holds each word in hex, bit `i` for the permission at position
//! `i` (id order).

use serde::Serialize;

use super::Go;
use crate::model::{EntityIdx, Model, PermIdx, PermSet, RoleIdx};
use crate::render::common::sorted;

/// Every table `go.hbs` places, each a whole `var` declaration (after its comment).
#[derive(Serialize)]
pub struct Tables {
    /// Words of a `PermissionSet` (64 permissions each).
    words: usize,
    entity: Kind,
    permission: Kind,
    role: Kind,
    legacy: Kind,
    policy: Kind,
    /// `entityIDs`: the entity types' ids, ascending; `entityAt`: each one's position in file
    /// order.
    entity_ids: String,
    entity_at: String,
}

/// One generated type's tables, each a declaration.
#[derive(Serialize)]
struct Kind {
    /// `All<Type>s`: its constants in output order.
    all: String,
    /// `<type>Table`: its rows, in output order.
    rows: String,
    /// `<type>IDs`: its ids in output order, which is ascending (permissions, roles, policies).
    ids: String,
    /// `<type>Names`: its names sorted by their bytes; `<type>Named`: the constant of each.
    names: String,
    named: String,
}

/// How one type's tables are named: `("Permission", "permission", "permissionInfo")`.
struct Names {
    ty: &'static str,
    prefix: &'static str,
    all: &'static str,
    info: &'static str,
}

impl Kind {
    /// The tables of items given as (name, id, row).
    fn new(names: &Names, items: Vec<(&str, u32, String)>) -> Kind {
        let Names { ty, prefix, all, info } = *names;
        let mut by_name: Vec<&(&str, u32, String)> = items.iter().collect();
        by_name.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let constants = |list: &mut dyn Iterator<Item = &str>| -> Vec<String> {
            list.map(|name| format!("{},", Go::constant(ty, name))).collect()
        };
        Kind {
            all: block(&format!("var {all} = []{ty}"), &constants(&mut items.iter().map(|i| i.0))),
            rows: block(
                &format!("var {prefix}Table = [...]{info}"),
                &items.iter().map(|i| i.2.clone()).collect::<Vec<_>>(),
            ),
            ids: block(&format!("var {prefix}IDs = [...]uint32"), &numbers(items.iter().map(|i| i.1))),
            names: block(
                &format!("var {prefix}Names = [...]string"),
                &by_name.iter().map(|i| format!("{},", Go::quoted(i.0))).collect::<Vec<_>>(),
            ),
            named: block(&format!("var {prefix}Named = [...]{ty}"), &constants(&mut by_name.iter().map(|i| i.0))),
        }
    }
}

/// `head{`, each line indented, `}`; `head{}` without lines (gofmt's spelling of both).
fn block(head: &str, lines: &[String]) -> String {
    if lines.is_empty() {
        return format!("{head}{{}}");
    }
    let body: Vec<String> = lines.iter().map(|l| format!("\t{l}")).collect();
    format!("{head}{{\n{}\n}}", body.join("\n"))
}

/// Numbers as lines of sixteen, each ending in a comma.
fn numbers(values: impl IntoIterator<Item = u32>) -> Vec<String> {
    let values: Vec<String> = values.into_iter().map(|v| v.to_string()).collect();
    values.chunks(16).map(|chunk| format!("{},", chunk.join(", "))).collect()
}

/// `field: value` pairs as one keyed composite literal, the empty ones left out.
fn row(fields: &[(&str, Option<String>)]) -> String {
    let set: Vec<String> =
        fields.iter().filter_map(|(key, value)| value.as_ref().map(|v| format!("{key}: {v}"))).collect();
    format!("{{{}}},", set.join(", "))
}

/// A list of constants as a slice literal of `ty`, `None` when empty.
fn slice(ty: &str, constants: Vec<String>) -> Option<String> {
    (!constants.is_empty()).then(|| format!("[]{ty}{{{}}}", constants.join(", ")))
}

/// A set as a `PermissionSet` literal of `words` words, `None` when empty.
fn set_literal(set: &PermSet, words: usize) -> Option<String> {
    let mut all = vec![0u64; words];
    for p in set.iter() {
        all[p.get() / 64] |= 1 << (p.get() % 64);
    }
    let hex: Vec<String> = all.iter().map(|w| format!("{w:#x}")).collect();
    (!set.is_empty()).then(|| format!("PermissionSet{{[{words}]uint64{{{}}}}}", hex.join(", ")))
}

fn entities(model: &Model, list: &[EntityIdx]) -> Option<String> {
    slice("EntityType", list.iter().map(|&e| Go::constant("EntityType", &model.entities()[e].name)).collect())
}

fn text(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| Go::quoted(s))
}

fn flag(b: bool) -> Option<String> {
    b.then(|| "true".to_string())
}

const ENTITY: Names = Names { ty: "EntityType", prefix: "entity", all: "AllEntityTypes", info: "entityInfo" };
const PERMISSION: Names =
    Names { ty: "Permission", prefix: "permission", all: "AllPermissions", info: "permissionInfo" };
const ROLE: Names = Names { ty: "Role", prefix: "role", all: "AllRoles", info: "roleInfo" };
const LEGACY: Names = Names { ty: "LegacyRole", prefix: "legacy", all: "AllLegacyRoles", info: "string" };
const POLICY: Names = Names { ty: "Policy", prefix: "policy", all: "AllPolicies", info: "policyInfo" };

impl Tables {
    pub fn new(model: &Model) -> Tables {
        let words = model.permissions().len().div_ceil(64);
        let mut checked = vec![PermSet::with_capacity(model.permissions().len()); model.entities().len()];
        for (p, permission) in model.indexed_permissions() {
            for &e in &permission.entities {
                checked[e.get()].insert(p);
            }
        }
        let mut order: Vec<(u32, usize)> = model.entities().iter().enumerate().map(|(i, e)| (e.id, i)).collect();
        order.sort_unstable();
        let entities = model.entities().iter().map(|e| (&*e.name, e.id)).collect();
        let permissions = model.permissions().iter().map(|p| (&*p.name, p.id)).collect();
        let roles = model.roles().iter().map(|r| (&*r.name, r.id)).collect();
        let levels: Vec<(&str, u32)> = (1..).zip(model.legacy_levels()).map(|(i, l)| (&*l.name, i)).collect();
        let level_rows = levels.iter().map(|(name, _)| format!("{},", Go::quoted(name))).collect();
        let policies = model.policies().iter().map(|p| (&*p.name, p.id)).collect();
        Tables {
            words,
            entity: Kind::new(&ENTITY, zip(entities, entity_rows(model, &checked, words))),
            permission: Kind::new(&PERMISSION, zip(permissions, permission_rows(model))),
            role: Kind::new(&ROLE, zip(roles, role_rows(model, words))),
            legacy: Kind::new(&LEGACY, zip(levels, level_rows)),
            policy: Kind::new(&POLICY, zip(policies, policy_rows(model))),
            entity_ids: block("var entityIDs = [...]uint32", &numbers(order.iter().map(|&(id, _)| id))),
            entity_at: block("var entityAt = [...]uint32", &numbers(order.iter().map(|&(_, at)| at as u32))),
        }
    }
}

fn entity_rows(model: &Model, checked: &[PermSet], words: usize) -> Vec<String> {
    model
        .indexed_entities()
        .map(|(e, entity)| {
            let mut ancestors = Vec::new();
            let mut at = entity.parent;
            while let Some(p) = at {
                ancestors.push(p);
                at = model.entities()[p].parent;
            }
            row(&[
                ("name", text(&entity.name)),
                ("description", text(&entity.description)),
                ("parent", entity.parent.map(|p| Go::constant("EntityType", &model.entities()[p].name))),
                ("ancestors", entities(model, &ancestors)),
                ("permissions", set_literal(&checked[e.get()], words)),
            ])
        })
        .collect()
}

fn permission_rows(model: &Model) -> Vec<String> {
    model
        .permissions()
        .iter()
        .map(|p| {
            row(&[
                ("name", text(&p.name)),
                ("description", text(&p.description)),
                ("group", p.group.as_deref().and_then(text)),
                ("grouped", flag(p.group.is_some())),
                ("deprecated", flag(p.deprecated.is_deprecated())),
                ("entities", entities(model, &p.entities)),
            ])
        })
        .collect()
}

fn role_rows(model: &Model, words: usize) -> Vec<String> {
    let n = model.permissions().len();
    model
        .roles()
        .iter()
        .map(|r| {
            let mut direct = PermSet::with_capacity(n);
            r.permissions.iter().for_each(|&p: &PermIdx| direct.insert(p));
            let includes: Vec<String> = sorted(&r.includes)
                .into_iter()
                .map(|i: RoleIdx| Go::constant("Role", &model.roles()[i].name))
                .collect();
            row(&[
                ("name", text(&r.name)),
                ("description", text(&r.description)),
                ("direct", set_literal(&direct, words)),
                ("effective", set_literal(&r.effective, words)),
                ("includes", slice("Role", includes)),
                ("assignableOn", entities(model, &r.assignable_on)),
            ])
        })
        .collect()
}

fn policy_rows(model: &Model) -> Vec<String> {
    model
        .policies()
        .iter()
        .map(|p| {
            let names: Vec<String> = p.rules.iter().map(|r| Go::quoted(&model.rule_name(&r.kind))).collect();
            row(&[
                ("name", text(&p.name)),
                ("description", text(&p.description)),
                ("entity", Some(Go::constant("EntityType", &model.entities()[p.entity].name))),
                ("ruleNames", (!names.is_empty()).then(|| format!("[]string{{{}}}", names.join(", ")))),
            ])
        })
        .collect()
}

/// Items as (name, id) beside their rows.
fn zip(items: Vec<(&str, u32)>, rows: Vec<String>) -> Vec<(&str, u32, String)> {
    items.into_iter().zip(rows).map(|((name, id), row)| (name, id, row)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_leave_empty_fields_out() {
        assert_eq!(row(&[("a", Some("1".into())), ("b", None)]), "{a: 1},");
        assert_eq!(row(&[]), "{},");
    }

    #[test]
    fn blocks_are_gofmt_spelled() {
        assert_eq!(block("var x = [...]int", &[]), "var x = [...]int{}");
        assert_eq!(block("var x = [...]int", &["1,".into()]), "var x = [...]int{\n\t1,\n}");
    }

    #[test]
    fn numbers_go_sixteen_a_line() {
        let lines = numbers(1..=17);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1], "17,");
    }

    #[test]
    fn sets_are_hex_words() {
        let mut set = PermSet::with_capacity(70);
        set.insert(PermIdx::new(0));
        set.insert(PermIdx::new(65));
        assert_eq!(set_literal(&set, 2).as_deref(), Some("PermissionSet{[2]uint64{0x1, 0x2}}"));
        assert_eq!(set_literal(&PermSet::with_capacity(70), 2), None);
    }
}
