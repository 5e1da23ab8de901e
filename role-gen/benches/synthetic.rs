//! A synthetic roles.toml of any size, shared by the benchmark and the `scale` example:
//! three entities, `permissions` permissions, `roles` roles of 50 direct grants each, and
//! include chains 8 roles deep.

use std::fmt::Write as _;

/// The text of a synthetic definition.
pub fn definition(permissions: usize, roles: usize) -> String {
    let mut out = String::with_capacity(permissions * 120 + roles * 900);
    out.push_str("[project]\nname = \"synthetic\"\n\n");
    out.push_str("[entities.enterprise]\ndescription = \"An organization\"\n\n");
    out.push_str("[entities.workspace]\ndescription = \"A workspace\"\nparent = \"enterprise\"\n\n");
    out.push_str("[entities.channel]\ndescription = \"A channel\"\nparent = \"workspace\"\n\n");
    let entities = ["[\"channel\"]", "[\"workspace\", \"channel\"]", "[\"enterprise\"]"];
    for p in 0..permissions {
        let _ = writeln!(
            out,
            "[permissions.perm_{p}]\nid = {}\ndescription = \"Do thing number {p}, with \\\"quotes\\\" and */ in it\"\nentities = {}\ngroup = \"group_{}\"\n",
            p + 1,
            entities[p % 3],
            p % 20
        );
    }
    for r in 0..roles {
        let grants: Vec<String> = (0..50).map(|k| format!("\"perm_{}\"", (r * 50 + k * 7919) % permissions)).collect();
        let includes = if r % 8 == 0 { String::new() } else { format!("includes = [\"role_{}\"]\n", r - 1) };
        let _ = writeln!(
            out,
            "[roles.role_{r}]\nid = {}\ndescription = \"Role number {r}\"\npermissions = [{}]\n{includes}",
            r + 1,
            grants.join(", ")
        );
    }
    out
}
