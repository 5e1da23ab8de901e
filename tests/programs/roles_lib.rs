//! `roles.rs` as SPEC section 4 includes it, `pub mod roles`, in a library, with the
//! workspace's own extra lint. With `--cfg scaffold`, the output of `role-gen scaffold policies`
//! (`policy_facts.rs`) is compiled against it too.

#![deny(warnings, missing_debug_implementations)]
#![forbid(unsafe_code)]

pub mod roles {
    include!("roles.rs");
}

#[cfg(scaffold)]
pub mod policy_facts;
