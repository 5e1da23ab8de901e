//! A synthetic roles.toml of any size, shaped like real ones, shared by the benchmarks and the
//! `scale` example: an entity tree three deep, permissions with descriptions, groups and entity
//! lists, roles of 50 direct grants each in include chains `depth` roles deep, the five legacy
//! levels, a policy of every rule kind, and a reserved id and name.

#![allow(dead_code)]

use std::fmt::Write as _;

/// The shape of a synthetic definition.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub permissions: usize,
    pub roles: usize,
    /// Direct grants per role.
    pub grants: usize,
    /// How many roles each include chain holds (1: no includes).
    pub depth: usize,
}

impl Shape {
    /// `permissions` permissions and `roles` roles of 50 grants, in chains 8 deep.
    pub fn new(permissions: usize, roles: usize) -> Shape {
        Shape { permissions, roles, grants: 50, depth: 8 }
    }

    /// The same with include chains `depth` roles deep.
    pub fn deep(self, depth: usize) -> Shape {
        Shape { depth: depth.max(1), ..self }
    }
}

/// The text of a synthetic definition with `permissions` permissions and `roles` roles.
pub fn definition(permissions: usize, roles: usize) -> String {
    text(Shape::new(permissions, roles))
}

/// The text of a synthetic definition of this shape.
pub fn text(shape: Shape) -> String {
    let mut out = String::with_capacity(shape.permissions * 150 + shape.roles * (shape.grants * 16 + 120));
    out.push_str("[project]\nname = \"synthetic\"\n\n");
    out.push_str("[entities.enterprise]\ndescription = \"An organization\"\n\n");
    out.push_str("[entities.workspace]\ndescription = \"A workspace\"\nparent = \"enterprise\"\n\n");
    out.push_str("[entities.channel]\ndescription = \"A channel\"\nparent = \"workspace\"\n\n");
    permissions(&mut out, shape);
    roles(&mut out, shape);
    out.push_str("[legacy]\nlevels = [\"guest\", \"member\", \"admin\", \"owner\", \"primary_owner\"]\n\n");
    policy(&mut out, shape);
    // Ids stop at 65,535 (SPEC section 1): a definition that uses them all reserves none.
    let reserved = if shape.permissions < 65_535 { format!("{}", shape.permissions + 1) } else { String::new() };
    let _ = writeln!(out, "[reserved]\npermission_ids = [{reserved}]\npermission_names = [\"retired_permission\"]\n");
    out
}

fn permissions(out: &mut String, shape: Shape) {
    let entities = ["[\"channel\"]", "[\"workspace\", \"channel\"]", "[\"enterprise\"]"];
    for p in 0..shape.permissions {
        let _ = writeln!(
            out,
            "[permissions.perm_{p}]\nid = {}\ndescription = \"Do thing number {p}, with \\\"quotes\\\" and */ in it\"\n\
             entities = {}\ngroup = \"group_{}\"\n",
            p + 1,
            entities[p % 3],
            p % 20
        );
    }
}

fn roles(out: &mut String, shape: Shape) {
    for r in 0..shape.roles {
        let mut picked: Vec<usize> = (0..shape.grants).map(|k| grant(r, k, shape)).collect();
        picked.sort_unstable();
        picked.dedup();
        let grants: Vec<String> = picked.iter().map(|p| format!("\"perm_{p}\"")).collect();
        let includes = if r % shape.depth == 0 { String::new() } else { format!("includes = [\"role_{}\"]\n", r - 1) };
        let _ = writeln!(
            out,
            "[roles.role_{r}]\nid = {}\ndescription = \"Role number {r}\"\npermissions = [{}]\n{includes}",
            r + 1,
            grants.join(", ")
        );
    }
}

/// The `k`th grant of role `r`: spread over every permission without a period, so that no two
/// roles hold the same set (a multiplicative hash of `(r, k)`).
fn grant(r: usize, k: usize, shape: Shape) -> usize {
    let x = (r as u64).wrapping_mul(2_654_435_761) ^ (k as u64).wrapping_mul(40_503).rotate_left(17);
    (x.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 20) as usize % shape.permissions
}

/// One policy on channels using every rule kind.
fn policy(out: &mut String, shape: Shape) {
    let asked = (0..shape.permissions.min(3)).map(|p| format!("\"perm_{}\"", p * 3)).collect::<Vec<_>>().join(", ");
    let _ = writeln!(
        out,
        "[policies.channel_archive]\nid = 1\ndescription = \"Whether the actor may archive the channel\"\n\
         entity = \"channel\"\nrules = [\n  {{ deny_if_legacy = [\"guest\"] }},\n  {{ allow_if_legacy_at_least = \"admin\" }},\n  \
         {{ allow_if_permission = [{asked}] }},\n  {{ deny_if = \"channel_is_general\" }},\n  {{ allow_if = \"actor_created_channel\" }},\n]\n"
    );
}
