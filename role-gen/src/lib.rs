//! role-gen: one `roles.toml`, generated permissions for Rust, TypeScript, protobuf, JSON and
//! Markdown.
//!
//! From cargo, two files:
//!
//! ```no_run
//! // build.rs
//! # #[allow(clippy::needless_doctest_main)]
//! fn main() {
//!     role_gen::Builder::new()        // roles.toml next to Cargo.toml by default
//!         .file("roles.toml")
//!         .compile()                  // writes $OUT_DIR/roles.rs, prints cargo:rerun-if-changed
//!         .expect("roles.toml is invalid");
//! }
//! ```
//!
//! ```text
//! // src/lib.rs
//! pub mod roles { include!(concat!(env!("OUT_DIR"), "/roles.rs")); }
//! ```
//!
//! A build with an invalid roles.toml fails with the same diagnostics as `role-gen validate`.
//! See [`Builder`] for its options, and the `role-macros` crate for
//! `#[derive(RequiresPermission)]`.
//!
//! As a library, the pipeline has one module per stage:
//! text -> [`syntax`] -> `lower` -> [`model`] -> [`check`] + [`policy_check`] (those in the
//! `role-gen-core` crate, re-exported here) -> [`render`] -> [`Outputs`] -> write or compare.
//!
//! ```no_run
//! let project = role_gen::Project::load("roles.toml")?;
//! for warning in project.diagnostics().warnings() {
//!     eprintln!("{warning}");
//! }
//! project.generate()?.write_to(&project.output_boundary()?, role_gen::Leftovers::Remove)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod builder;
#[cfg(feature = "cli")]
pub mod cli;
pub mod diff;
#[cfg(feature = "cli")]
pub mod edit;
pub mod json_schema;
pub mod lock;
#[cfg(feature = "cli")]
pub mod lsp;
pub mod manifest;
pub mod outputs;
pub mod render;

pub use role_gen_core::{
    Code, Diagnostic, Diagnostics, Error, Model, SOURCE_LIMIT, Severity, SourceFile, Target, Validated, boundary,
    check, decode, diagnostic, escape, model, names, policy_check, read_source, source, suggest, syntax, testing,
    validate,
};

use std::path::{Path, PathBuf};

pub use builder::{BuildError, Builder, Compiled};
pub use outputs::{Drift, Leftovers, Outputs, WriteError, WriteReport, WriteStatus};
/// prost-build, as [`Builder::prost_config`] hands it to a build script.
#[cfg(feature = "prost")]
pub use prost_build;

/// A validated roles.toml with its custom templates read: everything `generate` needs.
#[derive(Debug)]
pub struct Project {
    validated: Validated,
    templates: render::Templates,
}

impl Project {
    /// Reads and validates the roles.toml at `path`, then reads its templates.
    pub fn load(path: impl AsRef<Path>) -> Result<Project, Error> {
        Ok(Project::new(role_gen_core::load(path.as_ref())?)?)
    }

    /// Validates roles.toml contents read elsewhere; `path` names it in diagnostics and anchors
    /// its relative paths.
    pub fn from_bytes(path: impl Into<PathBuf>, bytes: &[u8]) -> Result<Project, Diagnostics> {
        Project::new(validate(decode(SourceFile::new(path, ""), bytes)?)?)
    }

    /// Like [`Project::from_bytes`], with relative paths resolved against `base`.
    pub fn from_bytes_in(
        path: impl Into<PathBuf>,
        base: impl Into<PathBuf>,
        bytes: &[u8],
    ) -> Result<Project, Diagnostics> {
        Project::new(validate(decode(SourceFile::new(path, "").with_base(base), bytes)?)?)
    }

    /// A validated roles.toml with its custom templates read (through the folder's boundary);
    /// their errors join the warnings.
    pub fn new(validated: Validated) -> Result<Project, Diagnostics> {
        let mut found = Vec::new();
        let templates = render::Templates::load(validated.model(), validated.source().dir(), &mut found);
        Ok(Project { validated: validated.extended(found)?, templates })
    }

    /// The validated model.
    pub fn model(&self) -> &Model {
        self.validated.model()
    }

    /// The validated file, its templates dropped.
    pub fn into_validated(self) -> Validated {
        self.validated
    }

    /// The warnings (a valid project has no errors).
    pub fn diagnostics(&self) -> &Diagnostics {
        self.validated.diagnostics()
    }

    /// The source file.
    pub fn source(&self) -> &SourceFile {
        self.validated.source()
    }

    /// `output.dir`, resolved against roles.toml's folder (as written, for messages).
    pub fn output_dir(&self) -> PathBuf {
        let dir = self.source().dir().join(&self.model().output().dir);
        if dir.as_os_str().is_empty() { PathBuf::from(".") } else { dir }
    }

    /// `output.dir` as a boundary: resolved inside roles.toml's folder, links included, or a
    /// `path-escape` error.
    pub fn output_boundary(&self) -> Result<boundary::Boundary, boundary::PathError> {
        boundary::Boundary::new(self.source().dir())?.folder(&self.model().output().dir)
    }

    /// Every file `generate` reads: roles.toml and the custom templates.
    pub fn inputs(&self) -> Vec<PathBuf> {
        [vec![self.source().path.clone()], self.templates.files_read().to_vec()].concat()
    }

    /// Renders every target of `[output]` and every custom template. Pure: writes nothing.
    pub fn generate(&self) -> Result<Outputs, Diagnostics> {
        self.generate_with(&render::RenderOptions::of(self.model()))
    }

    /// Renders what `options` asks for. Pure: writes nothing.
    pub fn generate_with(&self, options: &render::RenderOptions) -> Result<Outputs, Diagnostics> {
        self.templates
            .render(self.model(), options)
            .map_err(|errors| Diagnostics::collected(self.source().clone(), errors))
    }

    /// Rust conversions between the generated enums and the prost messages of the `.proto`.
    pub fn render_prost_conversions(&self) -> Result<String, Diagnostics> {
        self.templates.render_prost(self.model()).map_err(|e| {
            let mut d = Diagnostics::new(self.source().clone());
            d.push(Diagnostic::new(Code::TemplateError, 0..0, format!("rendering the prost conversions failed: {e}")));
            d
        })
    }
}
