//! `scaffold policies`: a starting implementation of the generated `PolicyFacts` trait (Rust),
//! interface (Go) or protocol (Python), every method documented, written once: an existing file
//! is never overwritten.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::output::{errln, out, outln};
use super::project::load;
use super::{Context, Failure, create_new, shown_path};
use crate::render::ScaffoldLanguage;

/// `role-gen scaffold`.
#[derive(Debug, Args)]
pub struct ScaffoldArgs {
    /// What to scaffold
    #[arg(value_enum)]
    kind: ScaffoldKind,
    /// The file to create; `-` prints it [default: policy_facts.rs, .go or .py, by --lang]
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// The language to write it in [default: by the extension of --out, else rust]
    #[arg(long, value_enum)]
    lang: Option<Lang>,
}

/// The languages whose generated code declares `PolicyFacts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    /// An `impl PolicyFacts` for roles.rs
    Rust,
    /// A type implementing the `PolicyFacts` interface of roles.go, in its package
    Go,
    /// A dataclass implementing the `PolicyFacts` protocol of roles.py
    Python,
}

impl From<Lang> for ScaffoldLanguage {
    fn from(lang: Lang) -> ScaffoldLanguage {
        match lang {
            Lang::Rust => ScaffoldLanguage::Rust,
            Lang::Go => ScaffoldLanguage::Go,
            Lang::Python => ScaffoldLanguage::Python,
        }
    }
}

/// What `scaffold` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScaffoldKind {
    /// An implementation of the `PolicyFacts` the policy evaluators ask
    Policies,
}

impl ScaffoldArgs {
    /// Writes (or with `--out -` prints) the scaffold; exit 1 when the file exists.
    pub(super) fn run(&self, cx: &Context) -> Result<(), Failure> {
        let ScaffoldKind::Policies = self.kind;
        let language = self.language();
        let default = PathBuf::from(language.default_file());
        let out = self.out.as_ref().unwrap_or(&default);
        let path = cx.roles_file()?;
        let project = load(&path, cx.style)?;
        let text = match crate::render::scaffold_policies(project.model(), language) {
            Ok(Some(text)) => text,
            Ok(None) => {
                errln!(
                    "error: `{}` has no policies, so the generated code has no `PolicyFacts` to implement",
                    shown_path(&path)
                );
                return Err(Failure::Checked);
            }
            Err(e) => return Err(Failure::Usage(format!("cannot render the scaffold: {e}"))),
        };
        if out.as_os_str() == "-" {
            out!("{text}");
            return Ok(());
        }
        if !create_new(out, &text)? {
            errln!("error: `{}` already exists; role-gen scaffold never overwrites a file", shown_path(out));
            return Err(Failure::Checked);
        }
        if !cx.style.quiet {
            let unanswered = language.unanswered();
            outln!("wrote {}; next: answer each {unanswered} with the application's facts", shown_path(out));
        }
        Ok(())
    }

    /// `--lang`, else the language of `--out`'s extension, else Rust.
    fn language(&self) -> ScaffoldLanguage {
        let by_extension = || self.out.as_deref().and_then(ScaffoldLanguage::of_path);
        self.lang.map(ScaffoldLanguage::from).or_else(by_extension).unwrap_or(ScaffoldLanguage::Rust)
    }
}
