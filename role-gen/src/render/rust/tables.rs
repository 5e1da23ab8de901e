//! The parts of roles.rs whose size grows with the definition, written as data a compiler reads
//! cheaply rather than as code: a 10,000-permission definition as `match` arms and lists built
//! by `const` evaluation took rustc ten minutes; as tables, about the time of the same data as
//! plain arrays (`benches/compile.rs` keeps the ratio).
//!
//! - Positions: a permission's bit and a role's row. When the ids are `1..=n` the position is
//!   the id less one; otherwise a binary search in the sorted ids (`const` arrays of numbers).
//! - Sets: each role's effective permissions, each entity type's checked permissions and the
//!   deprecated permissions, as the words of a `PermissionSet`; groups as numbers.
//! - Names: the positions sorted by name, for `FromStr`'s binary search.

use std::collections::HashMap;

use serde::Serialize;

use super::Rust;
use super::layout::{self, Expr, TAB};
use crate::model::{EntityIdx, Model, PermIdx, PermSet};

/// How an enum with ids finds a variant's position from its id and back.
#[derive(Serialize)]
pub struct Positions {
    /// The body of the private `const fn` giving a variant's position.
    pub position: String,
    /// The body of `from_id`.
    pub from_id: String,
    /// `const X_IDS: [u32; n] = […];` when positions are searched, not computed.
    pub ids: Option<String>,
}

impl Positions {
    /// For the enum whose variants have `ids` (sorted ascending), the table of ids being named
    /// `table` (`PERMISSION_IDS`).
    pub fn new(table: &str, ids: &[u32]) -> Positions {
        let dense = ids.iter().enumerate().all(|(i, &id)| id as usize == i + 1);
        if dense {
            return Positions {
                position: "self as usize - 1".into(),
                from_id: format!(
                    "if id >= 1 && id as usize <= Self::ALL.len() {{\n{}::core::option::Option::Some(Self::ALL[id as usize - 1])\n{}}} else {{\n{}::core::option::Option::None\n{}}}",
                    spaces(3 * TAB),
                    spaces(2 * TAB),
                    spaces(3 * TAB),
                    spaces(2 * TAB)
                ),
                ids: None,
            };
        }
        let numbers = Expr::numbers(ids.iter().map(u32::to_string).collect());
        Positions {
            position: format!("id_position(&{table}, self as u32)"),
            from_id: format!(
                "let i = id_position(&{table}, id);\n{in2}if i < {table}.len() && {table}[i] == id {{\n{in3}::core::option::Option::Some(Self::ALL[i])\n{in2}}} else {{\n{in3}::core::option::Option::None\n{in2}}}",
                in2 = spaces(2 * TAB),
                in3 = spaces(3 * TAB)
            ),
            ids: Some(layout::assign(&format!("const {table}: [u32; {}]", ids.len()), &numbers, 0)),
        }
    }
}

/// `const <name>: [PermissionSet; n] = [PermissionSet { words: […] }, …];`: each set as the
/// words of a `PermissionSet` over `permissions` permissions (each role's effective permissions,
/// each entity type's checked ones). With no permission at all, each is `PermissionSet::EMPTY`:
/// a struct literal of no words is short enough for rustfmt to keep on one line, which a table
/// of struct literals never is.
pub fn sets(name: &str, sets: &[&PermSet], permissions: usize) -> String {
    let decl = format!("const {name}: [PermissionSet; {}]", sets.len());
    if permissions == 0 {
        let empties = sets.iter().map(|_| Expr::atom("PermissionSet::EMPTY")).collect();
        return layout::assign(&decl, &Expr::array(empties), 0);
    }
    let rows: Vec<Vec<(&str, Expr)>> = sets.iter().map(|set| vec![("words", words(set, permissions))]).collect();
    layout::table(&decl, "PermissionSet", &rows)
}

/// `[0x…, …]`: the words of a `PermissionSet` over `permissions` permissions holding `set`, bit
/// `i` of word `i / 64` for the permission in position `i`.
pub fn words(set: &PermSet, permissions: usize) -> Expr {
    let mut bits = vec![0u64; permissions.div_ceil(64)];
    for p in set.iter() {
        bits[p.get() / 64] |= 1 << (p.get() % 64);
    }
    Expr::array(bits.iter().map(|w| Expr::atom(format!("{w:#018x}"))).collect())
}

/// The permissions' groups: `const GROUP_NAMES: [&str; g]`, every group name once (sorted),
/// and `const PERMISSION_GROUPS: [u16; n]`, each permission's group as 1 + its place in
/// `GROUP_NAMES`, 0 for none (numbers: a string per row would be 10,000 literals to rustc);
/// `None` when no permission has a group.
pub fn groups(groups: &[Option<&str>]) -> Option<(String, String)> {
    let names: std::collections::BTreeSet<&str> = groups.iter().flatten().copied().collect();
    if names.is_empty() {
        return None;
    }
    let names: Vec<&str> = names.into_iter().collect();
    let number = |g: &Option<&str>| g.and_then(|g| names.binary_search(&g).ok()).map_or(0, |i| i + 1).to_string();
    let numbers = Expr::numbers(groups.iter().map(number).collect());
    // Free text where rustfmt lays it out by its width: ASCII only, so width is length.
    let quoted = Expr::literals(names.iter().map(|n| Rust::ascii_quoted(n)).collect());
    Some((
        layout::assign(&format!("const GROUP_NAMES: [&str; {}]", names.len()), &quoted, 0),
        layout::assign(&format!("const PERMISSION_GROUPS: [u16; {}]", groups.len()), &numbers, 0),
    ))
}

/// `const BY_NAME: [u16; n] = […];` inside `from_str`: the positions of `names` sorted by the
/// names' bytes.
pub fn by_name(names: &[&str]) -> String {
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_unstable_by(|&a, &b| names[a].as_bytes().cmp(names[b].as_bytes()));
    let numbers = Expr::numbers(order.iter().map(usize::to_string).collect());
    layout::assign(&format!("const BY_NAME: [u16; {}]", names.len()), &numbers, 2 * TAB)
}

/// `&[3, 17, …]`: the positions of `permissions` (a role's direct grants), ascending.
pub fn positions(permissions: &[PermIdx]) -> Expr {
    let mut at: Vec<usize> = permissions.iter().map(|p| p.get()).collect();
    at.sort_unstable();
    Expr::number_slice(at.iter().map(usize::to_string).collect())
}

/// Lists of entity types, each written once as a `const` that every row naming it shares: a
/// permission's `entities`, a role's `assignable_on` (real definitions have a handful of
/// distinct lists and thousands of rows).
#[derive(Default)]
pub struct EntityLists {
    named: HashMap<Vec<EntityIdx>, String>,
    decls: Vec<String>,
}

impl EntityLists {
    /// The name of the `const` holding `list`, declaring it on first use.
    pub fn name(&mut self, model: &Model, list: &[EntityIdx]) -> Expr {
        if let Some(name) = self.named.get(list) {
            return Expr::atom(name.clone());
        }
        let name = format!("ENTITY_LIST_{}", self.named.len());
        let paths = list.iter().map(|&e| Expr::atom(Rust::path("EntityType", &model.entities()[e].name)));
        self.decls.push(layout::assign(&format!("const {name}: &[EntityType]"), &Expr::slice(paths.collect()), 0));
        self.named.insert(list.to_vec(), name.clone());
        Expr::atom(name)
    }

    /// Every declaration, in order of first use.
    pub fn decls(&self) -> String {
        self.decls.join("\n")
    }
}

fn spaces(n: usize) -> String {
    " ".repeat(n)
}
