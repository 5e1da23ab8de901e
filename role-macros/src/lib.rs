//! `#[derive(RequiresPermission)]`: the permission each action needs, checked against
//! roles.toml at compile time (SPEC section 4).
//!
//! ```text
//! #[derive(role_macros::RequiresPermission)]
//! #[roles(entity = "channel", exhaustive)]   // file = "roles.toml", module = crate::roles
//! enum ChannelAction {
//!     #[permission(archive_channel)]
//!     Archive,
//!     #[permission(rename_channel)]
//!     Rename { name: String },
//! }
//! ```
//!
//! Compile errors point at the offending token: a variant without `#[permission]`, an unknown
//! permission (with a did-you-mean), a permission not checked against the declared `entity`,
//! with `exhaustive` every permission of that entity no variant requires, and a missing or
//! invalid roles.toml (with the validation message). A deprecated permission warns. The macro
//! depends on `role-gen-core` alone (no template engine in a proc-macro build), parses each roles.toml once per compiler process, and
//! tracks the file so that editing it recompiles the crates deriving from it.

mod attrs;
mod cache;
mod expand;

use proc_macro::TokenStream;

/// Implements `RequiresPermission` (of the generated roles module) for an enum or struct.
#[proc_macro_derive(RequiresPermission, attributes(roles, permission))]
pub fn derive_requires_permission(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::derive(&input).into()
}
