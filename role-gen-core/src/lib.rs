//! role-gen-core: the roles.toml model of role-gen, and nothing that renders it.
//!
//! The pipeline has one module per stage, and [`validate`] reads like it:
//!
//! text -> [`syntax`] (a spanned tree, no validation) -> `lower` (names resolved into the
//! [`model`]) -> [`check`] and [`policy_check`] (the rules: on the tree as written, on the
//! model's shape, then on the finished model) -> [`Validated`]. Between them, `cascade` folds
//! the errors an earlier error explains into it.
//!
//! [`graph`] holds the graph algorithms the rules and queries share (cycles, include chains),
//! [`codes`] the one code registry, [`diagnostic`] the rendering of findings, [`schema`] the one
//! description of the roles.toml format, and [`testing`] the `[[tests]]` runner. Rendering,
//! writing, diffing and the CLI live in the `role-gen` crate; the `role-macros` derive depends on
//! this crate alone, so a proc-macro build never compiles a template engine.
//!
//! ```
//! let text = "[project]\nname = \"acme\"\n";
//! let validated = role_gen_core::validate_text("roles.toml", text)?;
//! assert_eq!(validated.model().project().name, "acme");
//! # Ok::<(), role_gen_core::Diagnostics>(())
//! ```

pub mod boundary;
mod cascade;
pub mod check;
pub mod codes;
pub mod diagnostic;
pub mod escape;
pub mod graph;
mod lower;
pub mod model;
pub mod names;
pub mod policy_check;
pub mod review;
pub mod schema;
pub mod source;
pub mod suggest;
pub mod syntax;
pub mod testing;
mod trust;

use std::fmt;
use std::path::{Path, PathBuf};

pub use diagnostic::{Code, Diagnostic, Diagnostics, Severity};
pub use model::{Model, Target};
pub use source::SourceFile;

/// Why a roles.toml could not be loaded.
pub enum Error {
    /// The file could not be read.
    Io { path: PathBuf, source: std::io::Error },
    /// The file was read and is invalid.
    Invalid(Diagnostics),
    /// The path may not be read: a link out of its folder, not a regular file, too large.
    Refused(boundary::PathError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { path, source } => write!(f, "cannot read `{}`: {source}", path.display()),
            Error::Invalid(diagnostics) => fmt::Display::fmt(diagnostics, f),
            Error::Refused(reason) => fmt::Display::fmt(reason, f),
        }
    }
}

/// Debug shows the rendered diagnostics, so `compile().expect(…)` in a build script prints
/// them as `role-gen validate` does, not as a struct dump.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            Error::Invalid(_) | Error::Refused(_) => None,
        }
    }
}

impl From<Diagnostics> for Error {
    fn from(d: Diagnostics) -> Self {
        Error::Invalid(d)
    }
}

/// The most bytes of a roles.toml role-gen reads (the 10,000-permission example is 2 MiB).
pub const SOURCE_LIMIT: u64 = 64 << 20;

/// A valid roles.toml: its model, and the warnings found on the way (never an error).
#[derive(Debug, Clone)]
pub struct Validated {
    model: Model,
    diagnostics: Diagnostics,
}

impl Validated {
    /// The validated model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The warnings.
    pub fn diagnostics(&self) -> &Diagnostics {
        &self.diagnostics
    }

    /// The source file, with its text.
    pub fn source(&self) -> &SourceFile {
        self.diagnostics.source()
    }

    /// With a later stage's findings added (a custom template that cannot be read): still valid
    /// when none of them is an error.
    pub fn extended(self, more: Vec<Diagnostic>) -> Result<Validated, Diagnostics> {
        if more.is_empty() {
            return Ok(self);
        }
        let diagnostics = self.diagnostics.extended(more);
        match diagnostics.has_errors() {
            true => Err(diagnostics),
            false => Ok(Validated { model: self.model, diagnostics }),
        }
    }

    /// The model and the warnings, by value.
    pub fn into_parts(self) -> (Model, Diagnostics) {
        (self.model, self.diagnostics)
    }
}

/// Reads and validates the roles.toml at `path` (read as [`read_source`] does).
pub fn load(path: &Path) -> Result<Validated, Error> {
    let bytes = read_source(path)?;
    Ok(validate(decode(SourceFile::new(path, ""), &bytes)?)?)
}

/// Validates text given directly; `path` names it in diagnostics.
pub fn validate_text(path: impl Into<PathBuf>, text: &str) -> Result<Validated, Diagnostics> {
    validate(SourceFile::new(path, text))
}

/// The one validation every caller shares: text -> syntax -> lower -> model -> checks. Pure:
/// it reads no file. Every error of the file is collected before giving up; on success the
/// diagnostics hold only warnings.
pub fn validate(source: SourceFile) -> Result<Validated, Diagnostics> {
    run(source, Warnings::All)
}

/// [`validate`] without the warnings on roles and permissions (`ungranted-permission`,
/// `redundant-grant`, …, which only warn): the same errors, at less cost, for a caller that
/// needs to know whether the file is valid and what it names, not what could be better in it
/// (the derive macro, whose first expansion in a compiler process is this validation).
pub fn validate_errors(source: SourceFile) -> Result<Validated, Diagnostics> {
    run(source, Warnings::Skip)
}

/// Whether the warning-only rules on the model run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Warnings {
    All,
    Skip,
}

fn run(source: SourceFile, warnings: Warnings) -> Result<Validated, Diagnostics> {
    let mut found = Vec::new();
    let file = syntax::parse(source.text(), &mut found);
    check::syntax_rules(&file, &source.file_name(), &mut found);
    let model = lower::lower(&file, &source.file_name(), &mut found);
    check::structure_rules(&model, &mut found);
    cascade::fold(&source, &file, &mut found);
    let model = model.finish();
    if found.iter().any(|d| d.severity() == Severity::Error) {
        // Still every check whose inputs were read as written: all the file's errors at once.
        let trust = trust::Trust::of(&file, &found);
        if trust.access() && warnings == Warnings::All {
            check::model_rules(&model, &mut found);
        }
        policy_check::run_trusted(&model, &trust, &mut found);
        check::engines::run(&model, &model.output.targets, &trust, &mut found);
        return Err(Diagnostics::collected(source, found));
    }
    if warnings == Warnings::All {
        check::model_rules(&model, &mut found);
    }
    policy_check::run(&model, &mut found);
    found.extend(check::engines::target_rules(&model, &model.output.targets));
    let diagnostics = Diagnostics::collected(source, found);
    match diagnostics.has_errors() {
        true => Err(diagnostics),
        false => Ok(Validated { model, diagnostics }),
    }
}

/// `bytes` as the text of `source`, or a `toml-syntax` error at the first byte that is not UTF-8.
pub fn decode(source: SourceFile, bytes: &[u8]) -> Result<SourceFile, Diagnostics> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(source.with_text(text)),
        Err(e) => {
            let at = e.valid_up_to();
            let mut d = Diagnostics::new(source.with_text(String::from_utf8_lossy(bytes)));
            d.push(
                Diagnostic::new(Code::TomlSyntax, at..at + 1, "roles.toml is not valid UTF-8")
                    .label("invalid byte")
                    .help("TOML files are UTF-8; re-save the file as UTF-8"),
            );
            Err(d)
        }
    }
}

/// The bytes of the roles.toml at `path`: a regular file, or a link that stays inside the folder
/// the link is in, at most [`SOURCE_LIMIT`] bytes. A roles.toml committed as a link to
/// `/proc/self/environ` would otherwise be quoted in diagnostics.
pub fn read_source(path: &Path) -> Result<Vec<u8>, Error> {
    let dir = path.parent().unwrap_or(Path::new(""));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let real = boundary::Boundary::new(dir).and_then(|b| b.input(&name)).map_err(refused_or_io(path))?;
    match boundary::read_file(&real, &path.to_string_lossy(), SOURCE_LIMIT).map_err(refused_or_io(path))? {
        Some(bytes) => Ok(bytes),
        // The system's own wording ("No such file or directory (os error 2)"), as fs::read says it.
        None => Err(Error::Io {
            path: path.to_path_buf(),
            source: std::fs::symlink_metadata(&real).err().unwrap_or_else(|| std::io::ErrorKind::NotFound.into()),
        }),
    }
}

fn refused_or_io(path: &Path) -> impl FnOnce(boundary::PathError) -> Error + '_ {
    move |e| match e {
        boundary::PathError::Io { source, .. } => Error::Io { path: path.to_path_buf(), source },
        other => Error::Refused(other),
    }
}
