//! `scaffold policies`: a starting implementation of the generated `PolicyFacts` trait, every
//! method documented, written once: an existing file is never overwritten.

use std::path::Path;

use super::commands::load;
use super::output::{errln, out, outln};
use super::{Cli, Command, Failure, Style, find_roles_file};

/// What `scaffold` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScaffoldKind {
    /// An implementation of the `PolicyFacts` trait the policy evaluators ask (Rust)
    Policies,
}

/// Runs `scaffold`.
pub fn run(cli: &Cli, style: Style) -> Result<(), Failure> {
    let Command::Scaffold { kind: ScaffoldKind::Policies, out } = &cli.command else { return Ok(()) };
    let path = find_roles_file(cli.file.as_deref())?;
    let project = load(&path, style)?;
    let text = match crate::render::scaffold_policies(project.model()) {
        Ok(Some(text)) => text,
        Ok(None) => {
            errln!("error: `{}` has no policies, so roles.rs has no `PolicyFacts` trait to implement", path.display());
            return Err(Failure::Checked);
        }
        Err(e) => return Err(Failure::Usage(format!("cannot render the scaffold: {e}"))),
    };
    if out.as_os_str() == "-" {
        out!("{text}");
        return Ok(());
    }
    write_new(out, &text)?;
    outln!("wrote {}; next: answer each predicate left as a `todo` with the application's facts", out.display());
    Ok(())
}

/// Writes `text` to a new file; exit 1 when the file exists (it is the user's now).
fn write_new(path: &Path, text: &str) -> Result<(), Failure> {
    if path.exists() {
        errln!("error: `{}` already exists; role-gen scaffold never overwrites a file", path.display());
        return Err(Failure::Checked);
    }
    let cannot = |e: std::io::Error| Failure::Usage(format!("cannot write `{}`: {e}", path.display()));
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(cannot)?;
    }
    // create_new: a file appearing between the check and the write is not overwritten either.
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(path).map_err(cannot)?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(cannot)
}
