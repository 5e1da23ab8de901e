//! Prints every answer of the generated `roles.rs`, one tab-separated line each, for
//! `tests/compilers/rust.rs` to compare with `roles.json`.
//!
//! `roles.rs` is a private module of this binary, under `deny(warnings)` and
//! `forbid(unsafe_code)`, with no `allow` of any kind around it (so the generated code must not
//! warn even where the program leaves parts of it unused). Only the program's own uses of
//! deprecated permissions are allowed. The arguments are the name probes to parse; the test
//! passes `--cfg legacy` when the definition has legacy levels (else `LegacyRole` does not exist).

#![deny(warnings)]
#![forbid(unsafe_code)]

mod roles {
    include!("roles.rs");
}

use std::collections::{BTreeSet, HashSet};

use roles::{EntityType, Permission, PermissionSet, Role};

/// Names of whatever a method returns (slice, set iterator, …), comma-separated.
macro_rules! names {
    ($items:expr) => {
        $items.into_iter().map(|x| x.as_str().to_string()).collect::<Vec<String>>().join(",")
    };
}

struct Needs(Permission);

impl roles::RequiresPermission for Needs {
    fn required_permission(&self) -> Permission {
        self.0
    }
}

/// Descriptions and probes travel as hex: they may hold tabs and newlines.
fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

/// The `const fn`s of the contract, in a const context.
const CONST_FNS: (u32, usize, bool, bool) = {
    let id = match Permission::ALL.first() {
        Some(p) => p.id() as u32,
        None => 0,
    };
    let len = match Permission::ALL.first() {
        Some(p) => p.as_str().len(),
        None => 0,
    };
    let (has, contains) = match (Role::ALL.first(), Permission::ALL.first()) {
        (Some(r), Some(p)) => (r.has(*p), PermissionSet::EMPTY.union(r.permissions()).contains(*p)),
        _ => (false, false),
    };
    (id, len, has, contains)
};

#[allow(deprecated)]
fn main() {
    let probes: Vec<String> = std::env::args().skip(1).collect();

    let mut ordered = BTreeSet::new();
    let mut hashed = HashSet::new();
    for p in Permission::ALL.iter().copied() {
        let id: u32 = p.id().into();
        let parsed: Option<Permission> = p.as_str().parse().ok();
        println!(
            "permission\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            p.as_str(),
            id,
            p as u32,
            Permission::from_id(id) == Some(p),
            parsed == Some(p),
            p,
            hex(&p.description()),
        );
        println!("permission_entities\t{}\t{}", p.as_str(), names!(p.entities()));
        println!(
            "permission_requires\t{}\t{}",
            p.as_str(),
            roles::RequiresPermission::required_permission(&Needs(p)) == p
        );
        println!("permission_debug\t{}\t{}", p.as_str(), !format!("{p:?}").is_empty());
        for bad in [p.as_str().to_ascii_uppercase(), format!(" {}", p.as_str()), format!("{}\n", p.as_str())] {
            println!("permission_parse_variant\t{}\t{}", p.as_str(), bad.parse::<Permission>().is_err());
        }
        ordered.insert(p);
        hashed.insert(p);
    }
    println!("permission_count\t{}\t{}\t{}", Permission::ALL.len(), ordered.len(), hashed.len());
    println!("permission_ord\t{}", Permission::ALL.windows(2).all(|w| w[0] < w[1]));

    let mut ordered = BTreeSet::new();
    let mut hashed = HashSet::new();
    for r in Role::ALL.iter().copied() {
        let id: u32 = r.id().into();
        let parsed: Option<Role> = r.as_str().parse().ok();
        println!(
            "role\t{}\t{}\t{}\t{}\t{}\t{}",
            r.as_str(),
            id,
            Role::from_id(id) == Some(r),
            parsed == Some(r),
            r,
            hex(&r.description()),
        );
        println!("role_debug\t{}\t{}", r.as_str(), !format!("{r:?}").is_empty());
        for bad in [r.as_str().to_ascii_uppercase(), format!(" {}", r.as_str())] {
            println!("role_parse_variant\t{}\t{}", r.as_str(), bad.parse::<Role>().is_err());
        }
        for p in Permission::ALL.iter().copied() {
            println!("has\t{}\t{}\t{}\t{}", r.as_str(), p.as_str(), r.has(p), r.permissions().contains(p));
        }
        println!("effective\t{}\t{}", r.as_str(), names!(r.permissions().iter()));
        println!("effective_len\t{}\t{}", r.as_str(), r.permissions().len());
        println!("direct\t{}\t{}", r.as_str(), names!(r.direct_permissions().iter()));
        println!("includes\t{}\t{}", r.as_str(), names!(r.includes()));
        println!("assignable_on\t{}\t{}", r.as_str(), names!(r.assignable_on()));
        let collected: PermissionSet = Permission::ALL.iter().copied().filter(|p| r.has(*p)).collect();
        println!("collected\t{}\t{}", r.as_str(), names!(collected.iter()));
        for r2 in Role::ALL.iter().copied() {
            println!(
                "of_roles\t{}\t{}\t{}\t{}",
                r.as_str(),
                r2.as_str(),
                names!(PermissionSet::of_roles(&[r, r2]).iter()),
                names!(r.permissions().union(r2.permissions()).iter()),
            );
        }
        ordered.insert(r);
        hashed.insert(r);
    }
    println!("role_count\t{}\t{}\t{}", Role::ALL.len(), ordered.len(), hashed.len());
    println!("role_ord\t{}", Role::ALL.windows(2).all(|w| w[0] < w[1]));

    for id in (0..=70_000u32).chain([u32::MAX]) {
        if let Some(p) = Permission::from_id(id) {
            println!("permission_from_id\t{}\t{}", id, p.as_str());
        }
        if let Some(r) = Role::from_id(id) {
            println!("role_from_id\t{}\t{}", id, r.as_str());
        }
        if let Some(e) = EntityType::from_id(id) {
            println!("entity_from_id\t{}\t{}", id, e.as_str());
        }
    }
    for probe in &probes {
        let p: Option<Permission> = probe.parse().ok();
        let r: Option<Role> = probe.parse().ok();
        println!("parse\t{}\t{}\t{}", hex(probe), p.map_or("-", |p| p.as_str()), r.map_or("-", |r| r.as_str()));
    }
    // The error shows what was rejected: escaped, at most 64 bytes, cut at a character boundary.
    let long = format!("{}é{}", "x".repeat(63), "y".repeat(40));
    for probe in probes.iter().map(String::as_str).chain(["archiv\"e\n\u{202e}\\", long.as_str()]) {
        if let Err(e) = probe.parse::<Permission>() {
            let copy = e;
            println!(
                "parse_error\t{}\t{}\t{}\t{}\t{}\t{}",
                hex(probe),
                hex(&e.to_string()),
                e.kind(),
                hex(e.value()),
                e.is_truncated(),
                copy == e.clone() && !format!("{e:?}").is_empty(),
            );
        }
    }

    let all: PermissionSet = Permission::ALL.iter().copied().collect();
    println!("set_empty\t{}\t{}", PermissionSet::EMPTY.len(), names!(PermissionSet::EMPTY.iter()));
    println!("set_of_no_roles\t{}", names!(PermissionSet::of_roles(&[]).iter()));
    println!("set_of_all_roles\t{}", names!(PermissionSet::of_roles(&Role::ALL[..]).iter()));
    println!("set_all\t{}\t{}", all.len(), names!(all.iter()));
    println!("set_size\t{}", std::mem::size_of::<PermissionSet>());
    println!("entities\t{}", names!(EntityType::ALL.iter()));
    let ids: Vec<String> = EntityType::ALL.iter().map(|e| e.id().to_string()).collect();
    println!("entity_ids\t{}", ids.join(","));
    #[cfg(legacy)]
    {
        println!("legacy\t{}", names!(roles::LegacyRole::ALL.iter()));
        println!("legacy_ordered\t{}", roles::LegacyRole::ALL.windows(2).all(|w| w[0] < w[1]));
    }
    println!("const_fns\t{}\t{}\t{}\t{}", CONST_FNS.0, CONST_FNS.1, CONST_FNS.2, CONST_FNS.3);
}
