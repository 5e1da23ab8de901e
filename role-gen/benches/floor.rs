//! The floors the generated code's compile time is measured against: the same information in
//! the cheapest shape each compiler reads, written from the same model.
//!
//! - Rust: an enum with explicit discriminants, `const` arrays of the names, descriptions and
//!   ids, `from_id` by binary search, and one `[u64; N]` constant per role (its effective set).
//! - TypeScript: plain objects of the same data (names to ids, descriptions, each role's
//!   effective permission names), without literal types.

#![allow(dead_code)]

use std::fmt::Write as _;

use role_gen::Model;

/// PascalCase of a snake_case name.
fn pascal(name: &str) -> String {
    name.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

/// A Rust or TypeScript string literal (the synthetic definitions hold quotes only).
fn quoted(text: &str) -> String {
    format!("{text:?}")
}

/// The Rust floor.
pub fn rust(model: &Model) -> String {
    let mut out = String::new();
    let names: Vec<&str> = model.permissions().iter().map(|p| p.name.as_str()).collect();
    enum_with_tables(
        &mut out,
        "Permission",
        model.permissions().iter().map(|p| (p.name.as_str(), p.id, p.description.as_str())),
    );
    enum_with_tables(&mut out, "Role", model.roles().iter().map(|r| (r.name.as_str(), r.id, r.description.as_str())));
    let words = names.len().div_ceil(64).max(1);
    for (i, role) in model.roles().iter().enumerate() {
        let mut set = vec![0u64; words];
        for p in role.effective.iter() {
            set[p.get() / 64] |= 1 << (p.get() % 64);
        }
        let list: Vec<String> = set.iter().map(|w| format!("{w:#x}")).collect();
        let _ = writeln!(out, "pub const ROLE_{i}: [u64; {words}] = [{}];", list.join(", "));
    }
    out
}

fn enum_with_tables<'a>(out: &mut String, ty: &str, items: impl Iterator<Item = (&'a str, u32, &'a str)>) {
    let items: Vec<_> = items.collect();
    let n = items.len();
    let upper = ty.to_uppercase();
    let _ = writeln!(
        out,
        "#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]\n#[repr(u32)]\npub enum {ty} {{"
    );
    for (name, id, _) in &items {
        let _ = writeln!(out, "    {} = {id},", pascal(name));
    }
    let _ = writeln!(out, "}}");
    let list = |f: &dyn Fn(&(&str, u32, &str)) -> String| items.iter().map(f).collect::<Vec<_>>().join(", ");
    let _ = writeln!(
        out,
        "pub const {upper}S: [{ty}; {n}] = [{}];",
        list(&|(name, _, _)| format!("{ty}::{}", pascal(name)))
    );
    let _ = writeln!(out, "pub const {upper}_IDS: [u32; {n}] = [{}];", list(&|(_, id, _)| id.to_string()));
    let _ = writeln!(out, "pub const {upper}_NAMES: [&str; {n}] = [{}];", list(&|(name, _, _)| quoted(name)));
    let _ = writeln!(out, "pub const {upper}_DESCRIPTIONS: [&str; {n}] = [{}];", list(&|(_, _, d)| quoted(d)));
    let _ = writeln!(
        out,
        "impl {ty} {{\n    pub fn from_id(id: u32) -> Option<Self> {{\n        {upper}_IDS.binary_search(&id).ok().map(|i| {upper}S[i])\n    }}\n}}"
    );
}

/// The TypeScript floor.
pub fn typescript(model: &Model) -> String {
    let mut out = String::new();
    let object = |out: &mut String, name: &str, rows: Vec<String>| {
        let _ = writeln!(out, "export const {name}: {{ [name: string]: unknown }} = {{\n{}\n}};", rows.join(",\n"));
    };
    object(&mut out, "PERMISSION_IDS", model.permissions().iter().map(|p| format!("  {}: {}", p.name, p.id)).collect());
    object(
        &mut out,
        "PERMISSION_DESCRIPTIONS",
        model.permissions().iter().map(|p| format!("  {}: {}", p.name, quoted(&p.description))).collect(),
    );
    object(&mut out, "ROLE_IDS", model.roles().iter().map(|r| format!("  {}: {}", r.name, r.id)).collect());
    let effective = |r: &role_gen::model::Role| {
        r.effective.iter().map(|p| quoted(&model.permissions()[p].name)).collect::<Vec<_>>().join(", ")
    };
    object(
        &mut out,
        "ROLE_PERMISSIONS",
        model.roles().iter().map(|r| format!("  {}: [{}]", r.name, effective(r))).collect(),
    );
    out
}
