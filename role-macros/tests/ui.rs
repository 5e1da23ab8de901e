//! Compile errors as rustc prints them: one file per error in `tests/ui/`, with its `.stderr`.
//! Regenerate the expected output with `TRYBUILD=overwrite cargo test -p role-macros`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass-*.rs");
    t.compile_fail("tests/ui/fail-*.rs");
}
