//! The real compilers on the real output, one module per language.
//!
//! For every `definitions/*/roles.toml`, for `tests/hostile/roles.toml` and for the edge cases
//! of `tests/edge/`, each test generates the outputs into a temporary folder and runs one
//! language's compiler on them:
//!
//! - [`rust`]: `tests/programs/roles_check.rs` around `roles.rs`, compiled with
//!   `rustc -D warnings` (edition 2021) and run; it prints every role × permission answer, ids,
//!   `from_id`, `FromStr`, the `PermissionSet` operations, which must all agree with
//!   `roles.json`. The module is also checked as a library in edition 2024. The policy
//!   evaluators (`*_policies_rust`) and the output of `role-gen scaffold policies`
//!   (`scaffolds_compile`) too; the decisions on entities (`*_access_rust`: `check_access` and
//!   `permissions_on` on every scenario of `role_gen_tests::access`, random definitions, mutants).
//! - [`typescript`]: `roles.ts` under the pinned `tsc --strict`, alone and with
//!   `tests/programs/roles_check.ts`, which node runs and whose answers are compared with
//!   `roles.json`; `*_typescript_strictest` compiles it under the stricter options real
//!   projects turn on; `*_policies_typescript` runs the policy evaluators.
//! - [`proto`]: `buf lint` (STANDARD, v2's name for DEFAULT) and `buf build`; every enum value's
//!   number is checked against `roles.json`, and the fixed messages' field numbers (with
//!   policies, `enum Policy` and the `PolicyService` messages too).
//! - [`json`]: `roles.json`, the oracle of the others, against the source `roles.toml`.
//! - [`python`]: `python/roles.py` (the opt-in `python` target) under the pinned `mypy --strict`
//!   and `ruff`, with `tests/programs/roles_check.py`, `policies.py` and `access.py`, which the
//!   venv's Python runs and whose answers are compared with `roles.json` and the model.
//!
//! The policy tests evaluate every policy on one table of facts (legacy levels and none × role
//! sets × predicate values; `role_gen_tests::policies`), fully, by the legacy rules alone and in
//! both rollout modes, and compare every answer with role-gen's own model.
//!
//! The test programs live in `tests/programs/` (see `role_gen_tests::programs`). The pinned
//! tools come from `tests/tools` (`npm ci --prefix tests/tools` and the Python venv of
//! `tests/tools/requirements.txt`, both done by `scripts/test`); a missing tool fails, it never
//! skips.

use role_gen_tests::definitions;

// A crate root's modules sit beside it (`tests/json.rs`, …); these live in `tests/compilers/`,
// so that this file keeps the path the README and `scripts/test` name.
#[path = "compilers/json.rs"]
mod json;
#[path = "compilers/proto.rs"]
mod proto;
#[path = "compilers/python.rs"]
mod python;
#[path = "compilers/rust.rs"]
mod rust;
#[path = "compilers/typescript.rs"]
mod typescript;

/// Every definition has its tests in the modules: adding `definitions/<new>/roles.toml`
/// without adding its compiler tests fails here.
#[test]
fn every_definition_is_covered() {
    let covered = ["minimal", "slack"];
    let found: Vec<String> =
        definitions().iter().filter_map(|p| p.parent()?.file_name()?.to_str().map(str::to_string)).collect();
    assert_eq!(
        found, covered,
        "definitions/*/roles.toml changed: add `<name>_rust` and `<name>_policies_rust` to \
         tests/compilers/rust.rs, `<name>_typescript`, `<name>_typescript_strictest` and \
         `<name>_policies_typescript` to tests/compilers/typescript.rs, `<name>_proto` to \
         tests/compilers/proto.rs, `<name>_json_agrees_with_source` to tests/compilers/json.rs and \
         `<name>_python` to tests/compilers/python.rs"
    );
}
