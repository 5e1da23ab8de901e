//! `#[derive(RequiresPermission)]` for role-gen (SPEC section 4).
//!
//! The derive itself lands with the Cargo-integration issue. The crate already depends on the
//! model only (`role-gen` without default features: no clap, no handlebars), which its build
//! proves on every CI run.

use role_gen as _;
