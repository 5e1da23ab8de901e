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
//! text -> [`syntax`] -> `lower` + [`check`] -> [`model`] (+ [`policy_check`]) -> `render` -> [`Outputs`] -> write
//! or compare.
//!
//! ```no_run
//! let project = role_gen::Project::load("roles.toml")?;
//! for warning in project.diagnostics().warnings() {
//!     eprintln!("{warning}");
//! }
//! # #[cfg(feature = "render")]
//! project.generate()?.write_to(&project.output_boundary()?, role_gen::Leftovers::Remove)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod boundary;
#[cfg(feature = "render")]
mod builder;
pub mod cache;
pub mod check;
#[cfg(feature = "cli")]
pub mod cli;
pub mod diagnostic;
pub mod diff;
#[cfg(feature = "cli")]
pub mod edit;
pub mod escape;
pub mod lock;
mod lower;
pub mod manifest;
pub mod model;
pub mod names;
pub mod outputs;
pub mod policy_check;
#[cfg(feature = "render")]
pub mod render;
pub mod source;
pub mod suggest;
pub mod syntax;
pub mod testing;

use std::path::{Path, PathBuf};

#[cfg(feature = "render")]
pub use builder::{Builder, Compiled};
pub use diagnostic::{Code, Diagnostic, Diagnostics, Severity};
pub use model::{Model, Target};
pub use outputs::{Drift, Leftovers, Outputs, WriteError, WriteStatus};
pub use source::SourceFile;

/// Why a roles.toml could not be loaded.
#[derive(thiserror::Error)]
pub enum Error {
    /// The file could not be read.
    #[error("cannot read `{}`: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file was read and is invalid.
    #[error("{0}")]
    Invalid(Diagnostics),
    /// The path may not be read: a link out of its folder, not a regular file, too large.
    #[error("{0}")]
    Refused(boundary::PathError),
}

/// The most bytes of a roles.toml role-gen reads (the 10,000-permission example is 2 MiB).
pub const SOURCE_LIMIT: u64 = 64 << 20;

/// The bytes of the roles.toml at `path`: a regular file, or a link that stays inside the folder
/// the link is in, at most [`SOURCE_LIMIT`] bytes. A roles.toml committed as a link to
/// `/proc/self/environ` would otherwise be quoted in diagnostics.
pub fn read_source(path: &Path) -> Result<Vec<u8>, Error> {
    let io = |source| Error::Io { path: path.to_path_buf(), source };
    let dir = path.parent().unwrap_or(Path::new(""));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let real = boundary::Boundary::new(dir).and_then(|b| b.input(&name)).map_err(refused_or_io(path))?;
    match boundary::read_file(&real, &path.to_string_lossy(), SOURCE_LIMIT).map_err(refused_or_io(path))? {
        Some(bytes) => Ok(bytes),
        // The system's own wording ("No such file or directory (os error 2)"), as fs::read says it.
        None => Err(io(std::fs::symlink_metadata(&real).err().unwrap_or_else(|| std::io::ErrorKind::NotFound.into()))),
    }
}

fn refused_or_io(path: &Path) -> impl FnOnce(boundary::PathError) -> Error + '_ {
    move |e| match e {
        boundary::PathError::Io { source, .. } => Error::Io { path: path.to_path_buf(), source },
        other => Error::Refused(other),
    }
}

/// Debug shows the rendered diagnostics, so `compile().expect(…)` in a build script prints
/// them as `role-gen validate` does, not as a struct dump.
impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl From<Diagnostics> for Error {
    fn from(d: Diagnostics) -> Self {
        Error::Invalid(d)
    }
}

/// A validated roles.toml: its source, model and warnings.
#[derive(Debug)]
pub struct Project {
    model: Model,
    diagnostics: Diagnostics,
    #[cfg(feature = "render")]
    templates: render::Templates,
}

impl Project {
    /// Reads and validates the roles.toml at `path`.
    pub fn load(path: impl AsRef<Path>) -> Result<Project, Error> {
        let path = path.as_ref();
        let bytes = read_source(path)?;
        Ok(Project::from_bytes(path, &bytes)?)
    }

    /// Validates roles.toml contents read elsewhere; `path` names it in diagnostics and anchors
    /// its relative paths.
    pub fn from_bytes(path: impl Into<PathBuf>, bytes: &[u8]) -> Result<Project, Diagnostics> {
        Project::from_source(decode(SourceFile::new(path, ""), bytes)?)
    }

    /// Like [`Project::from_bytes`], with relative paths resolved against `base`.
    pub fn from_bytes_in(
        path: impl Into<PathBuf>,
        base: impl Into<PathBuf>,
        bytes: &[u8],
    ) -> Result<Project, Diagnostics> {
        Project::from_source(decode(SourceFile::new(path, "").with_base(base), bytes)?)
    }

    /// Validates a source: parse, check, lower, load templates, then warnings. Every error of
    /// the file is collected before giving up.
    pub fn from_source(source: SourceFile) -> Result<Project, Diagnostics> {
        // Templates are read (and their errors added) only when rendering is compiled in.
        #[cfg_attr(not(feature = "render"), allow(unused_mut))]
        let (model, mut found) = analyze(&source);
        #[cfg(feature = "render")]
        let templates = model.as_ref().map(|m| render::Templates::load(m, source.dir(), &mut found));
        let diagnostics = Diagnostics::collected(source, found);
        if diagnostics.has_errors() {
            return Err(diagnostics);
        }
        match model {
            #[cfg(feature = "render")]
            Some(model) => match templates {
                Some(templates) => Ok(Project { model, diagnostics, templates }),
                None => Err(diagnostics),
            },
            #[cfg(not(feature = "render"))]
            Some(model) => Ok(Project { model, diagnostics }),
            None => Err(diagnostics),
        }
    }

    /// Overrides `[output] rust_serde`.
    pub fn set_rust_serde(&mut self, enabled: bool) {
        self.model.output.rust_serde = enabled;
    }

    /// The validated model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The warnings (a valid project has no errors).
    pub fn diagnostics(&self) -> &Diagnostics {
        &self.diagnostics
    }

    /// The source file.
    pub fn source(&self) -> &SourceFile {
        self.diagnostics.source()
    }

    /// `output.dir`, resolved against roles.toml's folder (as written, for messages).
    pub fn output_dir(&self) -> PathBuf {
        let dir = self.source().dir().join(&self.model.output.dir);
        if dir.as_os_str().is_empty() { PathBuf::from(".") } else { dir }
    }

    /// `output.dir` as a boundary: resolved inside roles.toml's folder, links included, or a
    /// `path-escape` error.
    pub fn output_boundary(&self) -> Result<boundary::Boundary, boundary::PathError> {
        boundary::Boundary::new(self.source().dir())?.folder(&self.model.output.dir)
    }

    /// Every file `generate` reads: roles.toml and the custom templates.
    pub fn inputs(&self) -> Vec<PathBuf> {
        let files = vec![self.source().path.clone()];
        #[cfg(feature = "render")]
        let files = [files, self.templates.files_read().to_vec()].concat();
        files
    }

    /// Renders every target of `[output]` and every custom template. Pure: writes nothing.
    #[cfg(feature = "render")]
    pub fn generate(&self) -> Result<Outputs, Diagnostics> {
        self.generate_targets(&self.model.output.targets, true)
    }

    /// Rust conversions between the generated enums and the prost messages of the `.proto`.
    #[cfg(feature = "render")]
    pub fn render_prost_conversions(&self) -> Result<String, Diagnostics> {
        self.templates.render_prost(&self.model).map_err(|e| {
            let mut d = Diagnostics::new(self.source().clone());
            d.push(Diagnostic::new(Code::TemplateError, 0..0, format!("rendering the prost conversions failed: {e}")));
            d
        })
    }

    /// Renders the given built-in targets, and the custom templates when `custom` is set.
    #[cfg(feature = "render")]
    pub fn generate_targets(&self, targets: &[Target], custom: bool) -> Result<Outputs, Diagnostics> {
        let mut model_view = std::borrow::Cow::Borrowed(&self.model);
        if !custom {
            model_view.to_mut().output.custom.clear();
        }
        self.templates
            .render(&model_view, targets)
            .map_err(|errors| Diagnostics::collected(self.source().clone(), errors))
    }
}

/// The stages every validation shares: parse, the rules on the file as written, lowering, and
/// the rules on the model (warnings and policy checks). The model is `None` after any error.
pub(crate) fn analyze(source: &SourceFile) -> (Option<Model>, Vec<Diagnostic>) {
    let mut found = Vec::new();
    let file = syntax::parse(&source.text, &mut found);
    check::syntax_rules(&file, &source.file_name(), &mut found);
    let model = lower::lower(&file, &source.file_name(), &mut found);
    if let Some(model) = &model {
        check::warnings(model, &mut found);
        policy_check::run(model, &mut found);
    }
    (model, found)
}

/// The text of `bytes`, or a `toml-syntax` error at the first byte that is not UTF-8.
fn decode(mut source: SourceFile, bytes: &[u8]) -> Result<SourceFile, Diagnostics> {
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            source.text = text.to_string();
            Ok(source)
        }
        Err(e) => {
            let at = e.valid_up_to();
            source.text = String::from_utf8_lossy(bytes).into_owned();
            let mut d = Diagnostics::new(source);
            d.push(
                Diagnostic::new(Code::TomlSyntax, at..at + 1, "roles.toml is not valid UTF-8")
                    .label("invalid byte")
                    .help("TOML files are UTF-8; re-save the file as UTF-8"),
            );
            Err(d)
        }
    }
}
