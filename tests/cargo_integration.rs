//! A crate as a user writes it (build.rs with `role_gen::Builder`, `#[derive(RequiresPermission)]`),
//! built with cargo: it compiles, a no-op rebuild does not rerun the build script, renaming a
//! permission in roles.toml turns the next build into a compile error at the variant, and an
//! invalid roles.toml fails the build with `role-gen validate`'s diagnostics.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

const ROLES: &str = r#"[project]
name = "shop"

[entities.store]
description = "A store"

[permissions.view_orders]
id = 1
description = "View the store's orders"

[permissions.refund_order]
id = 2
description = "Refund an order"

[roles.clerk]
id = 1
description = "Serves customers"
permissions = ["view_orders"]

[roles.manager]
id = 2
description = "Runs the store"
permissions = ["refund_order"]
includes = ["clerk"]
"#;

const LIB: &str = r#"pub mod roles {
    include!(concat!(env!("OUT_DIR"), "/roles.rs"));
}

use roles::RequiresPermission;

#[derive(role_macros::RequiresPermission)]
#[roles(entity = "store", exhaustive)]
pub enum OrderAction {
    #[permission(view_orders)]
    List,
    #[permission(refund_order)]
    Refund { order: u64 },
}

pub fn allowed(held: &[roles::Role], action: &OrderAction) -> bool {
    roles::PermissionSet::of_roles(held).contains(action.required_permission())
}

#[test]
fn clerks_list_but_do_not_refund() {
    assert!(allowed(&[roles::Role::Clerk], &OrderAction::List));
    assert!(!allowed(&[roles::Role::Clerk], &OrderAction::Refund { order: 1 }));
    assert!(allowed(&[roles::Role::Manager], &OrderAction::Refund { order: 1 }));
}
"#;

fn write_crate(dir: &Path) {
    let ws = workspace();
    let manifest = format!(
        "[package]\nname = \"shop\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n[workspace]\n\n\
         [dependencies]\nrole-macros = {{ path = {:?} }}\n\n\
         [build-dependencies]\nrole-gen = {{ path = {:?}, default-features = false }}\n",
        ws.join("role-macros"),
        ws.join("role-gen")
    );
    fs::create_dir_all(dir.join("src")).expect("mkdir");
    fs::write(dir.join("Cargo.toml"), manifest).expect("write");
    fs::write(
        dir.join("build.rs"),
        "fn main() {\n    role_gen::Builder::new().compile().expect(\"roles.toml is invalid\");\n}\n",
    )
    .expect("write");
    fs::write(dir.join("src/lib.rs"), LIB).expect("write");
    fs::write(dir.join("roles.toml"), ROLES).expect("write");
    // The workspace's lock file pins every dependency to what the workspace builds with.
    fs::copy(ws.join("Cargo.lock"), dir.join("Cargo.lock")).expect("copy lock");
}

fn cargo(dir: &Path, args: &[&str]) -> Output {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    Command::new(cargo)
        .args(args)
        .current_dir(dir)
        // Shares compiled dependencies between runs; the crate itself is rebuilt each time.
        .env("CARGO_TARGET_DIR", workspace().join("target/cargo-integration"))
        .env_remove("RUSTFLAGS")
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .expect("cargo runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn build_rs_and_derive_follow_roles_toml() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    write_crate(dir);

    let out = cargo(dir, &["test", "--quiet"]);
    assert!(out.status.success(), "the crate should build and pass:\n{}", stderr(&out));

    let again = cargo(dir, &["build", "-v"]);
    assert!(again.status.success());
    assert!(!stderr(&again).contains("build-script-build`"), "a no-op build reran build.rs:\n{}", stderr(&again));

    // Rename a permission: the derive now names one roles.toml no longer has.
    fs::write(dir.join("roles.toml"), ROLES.replace("refund_order", "refund_orders")).expect("write");
    let out = cargo(dir, &["build"]);
    let err = stderr(&out);
    assert!(!out.status.success(), "the build should fail after the rename");
    assert!(err.contains("unknown permission `refund_order` in roles.toml"), "{err}");
    assert!(err.contains("did you mean `refund_orders`?"), "{err}");
    assert!(err.contains("src/lib.rs:12:18"), "the error points at the variant's permission:\n{err}");
    assert!(err.contains("not exhaustive: no variant requires `refund_orders`"), "{err}");
    assert!(
        err.contains("due to 2 previous errors") && !err.contains("E0277"),
        "the derive's errors only, no cascade:\n{err}"
    );

    // An invalid roles.toml fails in build.rs with validate's diagnostics.
    fs::write(dir.join("roles.toml"), ROLES.replace("includes = [\"clerk\"]", "includes = [\"clerc\"]"))
        .expect("write");
    let out = cargo(dir, &["build"]);
    let err = stderr(&out);
    assert!(!out.status.success());
    assert!(err.contains("error[unknown-role]: unknown role `clerc`"), "{err}");
    assert!(err.contains("roles.toml:24:13"), "{err}");
    assert!(err.contains("did you mean `clerk`?"), "{err}");
}
