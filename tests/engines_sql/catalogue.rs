//! The catalogue tables as an engine holds them, and as the model says they must be: read back
//! column by column (booleans as 0/1, so both engines print them alike), in key order.

use role_gen::model::{EntityIdx, Model, PermIdx};

use super::engine::{Engine, Rows};

/// Each catalogue table and the query that reads it back.
const TABLES: [(&str, &str); 6] = [
    ("role_gen_entity_type", "SELECT id, name, description, parent_id FROM role_gen_entity_type ORDER BY id"),
    (
        "role_gen_permission",
        "SELECT id, name, description, group_name, CASE WHEN deprecated THEN 1 ELSE 0 END, deprecation_reason \
         FROM role_gen_permission ORDER BY id",
    ),
    ("role_gen_role", "SELECT id, name, description FROM role_gen_role ORDER BY id"),
    ("role_gen_role_permission", "SELECT role_id, permission_id FROM role_gen_role_permission ORDER BY 1, 2"),
    ("role_gen_role_entity_type", "SELECT role_id, entity_type_id FROM role_gen_role_entity_type ORDER BY 1, 2"),
    (
        "role_gen_permission_entity_type",
        "SELECT permission_id, entity_type_id FROM role_gen_permission_entity_type ORDER BY 1, 2",
    ),
];

/// Every stored assignment, in key order.
pub const ASSIGNMENTS: &str =
    "SELECT user_id, role_id, entity_type_id, entity_id FROM role_assignment ORDER BY 1, 2, 3, 4";

/// The catalogue tables as `engine` holds them.
pub fn catalogue(engine: &mut dyn Engine) -> Vec<(&'static str, Rows)> {
    TABLES.iter().map(|(table, select)| (*table, engine.rows(select))).collect()
}

/// Text as stored: neither engine keeps a NUL in text; the generated files store U+FFFD.
fn stored(text: &str) -> Option<String> {
    Some(text.replace('\0', "\u{fffd}"))
}

fn number(n: u32) -> Option<String> {
    Some(n.to_string())
}

/// Pairs, sorted as the query reads them.
fn pairs(items: impl Iterator<Item = (u32, u32)>) -> Rows {
    let mut pairs: Vec<(u32, u32)> = items.collect();
    pairs.sort_unstable();
    pairs.into_iter().map(|(a, b)| vec![number(a), number(b)]).collect()
}

/// The catalogue the model describes, from the model alone (not from the generator's views).
pub fn expected_catalogue(model: &Model) -> Vec<(&'static str, Rows)> {
    let entity_id = |e: EntityIdx| model.entities()[e].id;
    let mut entities: Rows = model
        .entities()
        .iter()
        .map(|e| vec![number(e.id), stored(&e.name), stored(&e.description), e.parent.map(entity_id).and_then(number)])
        .collect();
    entities.sort_by_key(|row| row[0].as_deref().and_then(|id| id.parse::<u32>().ok()));
    let permissions = model.permissions().iter().map(|p| {
        let deprecated = number(u32::from(p.deprecated.is_deprecated()));
        let group = p.group.as_deref().and_then(stored);
        vec![
            number(p.id),
            stored(&p.name),
            stored(&p.description),
            group,
            deprecated,
            p.deprecated.reason().and_then(stored),
        ]
    });
    let roles = model.roles().iter().map(|r| vec![number(r.id), stored(&r.name), stored(&r.description)]);
    let permission_id = |p: PermIdx| model.permissions()[p].id;
    let grants = model.roles().iter().flat_map(|r| r.effective.iter().map(move |p| (r.id, permission_id(p))));
    let assignable = model.roles().iter().flat_map(|r| r.assignable_on.iter().map(move |&e| (r.id, entity_id(e))));
    let applies = model.permissions().iter().flat_map(|p| p.entities.iter().map(move |&e| (p.id, entity_id(e))));
    let tables = [entities, permissions.collect(), roles.collect(), pairs(grants), pairs(assignable), pairs(applies)];
    TABLES.iter().map(|(table, _)| *table).zip(tables).collect()
}
