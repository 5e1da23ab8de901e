//! `scaffold policies`: a starting implementation of the generated `PolicyFacts` trait, every
//! method documented, written once: an existing file is never overwritten.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::output::{errln, out, outln};
use super::project::load;
use super::{Context, Failure, create_new, shown_path};

/// `role-gen scaffold`.
#[derive(Debug, Args)]
pub struct ScaffoldArgs {
    /// What to scaffold
    #[arg(value_enum)]
    kind: ScaffoldKind,
    /// The file to create; `-` prints it
    #[arg(long, value_name = "FILE", default_value = "policy_facts.rs")]
    out: PathBuf,
}

/// What `scaffold` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScaffoldKind {
    /// An implementation of the `PolicyFacts` trait the policy evaluators ask (Rust)
    Policies,
}

impl ScaffoldArgs {
    /// Writes (or with `--out -` prints) the scaffold; exit 1 when the file exists.
    pub(super) fn run(&self, cx: &Context) -> Result<(), Failure> {
        let ScaffoldKind::Policies = self.kind;
        let path = cx.roles_file()?;
        let project = load(&path, cx.style)?;
        let text = match crate::render::scaffold_policies(project.model()) {
            Ok(Some(text)) => text,
            Ok(None) => {
                errln!(
                    "error: `{}` has no policies, so roles.rs has no `PolicyFacts` trait to implement",
                    shown_path(&path)
                );
                return Err(Failure::Checked);
            }
            Err(e) => return Err(Failure::Usage(format!("cannot render the scaffold: {e}"))),
        };
        let out = &self.out;
        if out.as_os_str() == "-" {
            out!("{text}");
            return Ok(());
        }
        if !create_new(out, &text)? {
            errln!("error: `{}` already exists; role-gen scaffold never overwrites a file", shown_path(out));
            return Err(Failure::Checked);
        }
        if !cx.style.quiet {
            outln!(
                "wrote {}; next: answer each predicate left as a `todo` with the application's facts",
                shown_path(out)
            );
        }
        Ok(())
    }
}
