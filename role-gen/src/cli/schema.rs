//! `schema`: the JSON Schema of roles.toml for editors (taplo, Even Better TOML), and where
//! `init` puts it: `roles.schema.json` beside roles.toml, named by a `#:schema` line.

use clap::Args;

use super::Failure;
use super::output::out;

/// The file `init` writes the schema to, beside roles.toml.
pub(super) const FILE: &str = "roles.schema.json";

/// The first line `init` writes: taplo resolves a relative path against the document's own
/// folder, so it finds the schema wherever the project is checked out, with no network.
pub(super) const DIRECTIVE: &str = "#:schema ./roles.schema.json\n";

/// `role-gen schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {}

impl SchemaArgs {
    /// Prints the schema (the answer asked for: `--quiet` keeps it).
    pub(super) fn run(&self) -> Result<(), Failure> {
        out!("{}", crate::json_schema::json_schema());
        Ok(())
    }
}
