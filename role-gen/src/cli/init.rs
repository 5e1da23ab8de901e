//! `init`: a starting roles.toml from one of the bundled examples, never over an existing file,
//! with a `#:schema` line and the JSON Schema it names beside it, so that an editor checks the
//! file from its first edit (taplo, Even Better TOML; see [`super::schema`]).

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::output::{errln, outln};
use super::paths::{command, shell_word};
use super::{Context, Failure, create_new, schema, shown_path};

const SLACK_EXAMPLE: &str = include_str!("../../init/slack.toml");
const MINIMAL_EXAMPLE: &str = include_str!("../../init/minimal.toml");

/// `role-gen init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write roles.toml [default: ./roles.toml; parents are not searched]
    #[arg(short = 'f', long = "file", value_name = "PATH")]
    file: Option<PathBuf>,
    /// Which example to start from
    #[arg(long, value_enum, default_value_t = Example::Minimal)]
    example: Example,
}

/// The bundled starting points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Example {
    Minimal,
    Slack,
}

impl InitArgs {
    /// Writes the example to `-f PATH` or `./roles.toml`; exit 1 when that exists.
    pub(super) fn run(&self, cx: &Context) -> Result<(), Failure> {
        // `role-gen -f PATH init` names it before the command, `role-gen init -f PATH` after.
        let file = self.file.as_deref().or(cx.file.as_deref());
        let path = file.map_or_else(|| PathBuf::from("roles.toml"), PathBuf::from);
        let example = match self.example {
            Example::Slack => SLACK_EXAMPLE,
            Example::Minimal => MINIMAL_EXAMPLE,
        };
        if !create_new(&path, &format!("{}{example}", schema::DIRECTIVE))? {
            errln!("error: `{}` already exists; role-gen init never overwrites a file", shown_path(&path));
            return Err(Failure::Checked);
        }
        // roles.toml first: a refused init writes nothing at all.
        let schema_path = path.with_file_name(schema::FILE);
        let wrote_schema = create_new(&schema_path, &crate::json_schema::json_schema())?;
        if !cx.style.quiet {
            let (roles, schema) = (shown_path(&path), shown_path(&schema_path));
            match wrote_schema {
                true => outln!("wrote {roles} and {schema}, the JSON Schema its `#:schema` line names for editors"),
                false => outln!(
                    "wrote {roles}; kept the existing {schema} (`role-gen schema > {}` refreshes it)",
                    shell_word(&schema_path)
                ),
            }
            outln!("next: edit it, then run `{}`", command("generate", file));
        }
        Ok(())
    }
}
