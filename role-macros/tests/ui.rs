//! Compile errors as rustc prints them: one file per error in `tests/ui/`, with its `.stderr`.
//! Regenerate the expected output with `TRYBUILD=overwrite cargo test -p role-macros`.

use std::path::{Path, PathBuf};

/// trybuild compiles the cases as a crate in `<target>/tests/trybuild/role-macros`, which is
/// the `CARGO_MANIFEST_DIR` the derive resolves `file` against: put the fixtures there, so the
/// cases use the default `roles.toml` exactly as a user's crate does.
fn install_fixtures() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| manifest.join("../target"), PathBuf::from);
    let dir = target.join("tests/trybuild/role-macros");
    std::fs::create_dir_all(&dir).expect("trybuild folder");
    for (from, to) in [("roles.toml", "roles.toml"), ("invalid.toml", "invalid.toml")] {
        std::fs::copy(manifest.join("tests/ui/fixture").join(from), dir.join(to)).expect("copy fixture");
    }
}

#[test]
fn ui() {
    install_fixtures();
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass-*.rs");
    t.compile_fail("tests/ui/fail-*.rs");
}
