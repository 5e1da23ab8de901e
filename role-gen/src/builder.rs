//! [`Builder`]: role-gen from a cargo build script, and [`BuildError`], why it failed.
//!
//! The files are written through [`Outputs::write_files`], the write path `role-gen generate`
//! uses (all staged, then renamed into place; unchanged files untouched), minus the manifest:
//! `OUT_DIR` is cargo's folder, not one role-gen owns.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::boundary::Boundary;
use crate::escape::shown;
use crate::model::Target;
use crate::render::RenderOptions;
use crate::{Diagnostics, Error, Outputs, Project, WriteError};

/// Generates Rust code from roles.toml in a build script, in the style of prost-build's
/// `Config`.
///
/// ```no_run
/// // build.rs
/// # #[allow(clippy::needless_doctest_main)]
/// fn main() {
///     role_gen::Builder::new()        // roles.toml next to Cargo.toml by default
///         .file("roles.toml")
///         .compile()                  // writes $OUT_DIR/roles.rs, prints cargo:rerun-if-changed
///         .expect("roles.toml is invalid");
/// }
/// ```
///
/// ```text
/// // src/lib.rs
/// pub mod roles { include!(concat!(env!("OUT_DIR"), "/roles.rs")); }
/// ```
///
/// On an invalid roles.toml, `compile` fails with the same diagnostics as `role-gen validate`
/// (file:line:column, the marked line, a hint), which cargo shows in its build output.
#[derive(Debug, Clone)]
pub struct Builder {
    file: Option<PathBuf>,
    out_dir: Option<PathBuf>,
    targets: Vec<Target>,
    rust_serde: Option<bool>,
    rerun_if_changed: bool,
    deny_warnings: bool,
    prost: bool,
    #[cfg(feature = "prost")]
    prost_config: Option<fn(&mut prost_build::Config)>,
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new()
    }
}

/// Why [`Builder::compile`] failed. `Debug` shows the same text as `Display`, so
/// `compile().expect(…)` in a build script prints the diagnostics as `role-gen validate` does.
#[non_exhaustive]
pub enum BuildError {
    /// roles.toml could not be read, is invalid, or (with `deny_warnings`) has warnings; or a
    /// template failed to render.
    Load(Error),
    /// Neither [`Builder::out_dir`] nor `$OUT_DIR` says where to write.
    NoOutDir,
    /// A generated file could not be written under `dir`.
    Write { dir: PathBuf, error: WriteError },
    /// protox could not compile the generated `.proto` file.
    Proto { file: PathBuf, message: String },
    /// prost-build could not write its Rust into `dir`.
    Prost { dir: PathBuf, source: std::io::Error },
    /// [`Builder::prost`] without role-gen's `prost` feature.
    NoProstFeature,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The texts of the I/O errors these were reported as before they had types of their own.
        match self {
            BuildError::Load(e) => fmt::Display::fmt(e, f),
            BuildError::NoOutDir => {
                f.write_str("cannot read `$OUT_DIR`: OUT_DIR is not set: call compile() from build.rs, or set out_dir()")
            }
            BuildError::Write { dir, error } => write!(f, "cannot write under `{}`: {error}", dir.display()),
            BuildError::Proto { file, message } => write!(f, "cannot read `{}`: protox: {message}", file.display()),
            BuildError::Prost { dir, source } => write!(f, "cannot read `{}`: {source}", dir.display()),
            BuildError::NoProstFeature => f.write_str(
                "cannot read `Cargo.toml`: Builder::prost(true) needs role-gen's `prost` feature in [build-dependencies]",
            ),
        }
    }
}

impl fmt::Debug for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BuildError::Load(e) => Some(e),
            BuildError::Write { error, .. } => Some(error),
            BuildError::Prost { source, .. } => Some(source),
            BuildError::NoOutDir | BuildError::Proto { .. } | BuildError::NoProstFeature => None,
        }
    }
}

impl From<Error> for BuildError {
    fn from(e: Error) -> Self {
        BuildError::Load(e)
    }
}

impl From<Diagnostics> for BuildError {
    fn from(d: Diagnostics) -> Self {
        BuildError::Load(Error::Invalid(d))
    }
}

/// What [`Builder::compile`] did.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// Every file written (or left unchanged) under the output folder.
    pub files: Vec<PathBuf>,
    /// The inputs read: roles.toml and custom templates (each printed as `rerun-if-changed`).
    pub inputs: Vec<PathBuf>,
}

impl Builder {
    /// A builder for `roles.toml` next to Cargo.toml, writing Rust into `$OUT_DIR`.
    pub fn new() -> Self {
        Builder {
            file: None,
            out_dir: None,
            targets: vec![Target::Rust],
            rust_serde: None,
            rerun_if_changed: true,
            deny_warnings: false,
            prost: false,
            #[cfg(feature = "prost")]
            prost_config: None,
        }
    }

    /// The roles.toml to read, relative to `CARGO_MANIFEST_DIR` unless absolute.
    ///
    /// ```
    /// let builder = role_gen::Builder::new().file("config/roles.toml");
    /// # let _ = builder;
    /// ```
    pub fn file(mut self, path: impl Into<PathBuf>) -> Self {
        self.file = Some(path.into());
        self
    }

    /// Where to write (default: `$OUT_DIR`).
    ///
    /// ```
    /// let builder = role_gen::Builder::new().out_dir("src/generated");
    /// # let _ = builder;
    /// ```
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// Which built-in targets to write (default: only `rust`). Paths are those of
    /// `role-gen generate`: `roles.rs`, `roles.ts`, `proto/…/roles.proto`, `roles.json`, `ROLES.md`.
    ///
    /// ```
    /// use role_gen::Target;
    /// let builder = role_gen::Builder::new().targets([Target::Rust, Target::Proto]);
    /// # let _ = builder;
    /// ```
    pub fn targets(mut self, targets: impl IntoIterator<Item = Target>) -> Self {
        self.targets = targets.into_iter().collect();
        self
    }

    /// Overrides `[output] rust_serde`: derive serde's traits on the generated enums (your crate
    /// then needs `serde` with its `derive` feature).
    ///
    /// ```
    /// let builder = role_gen::Builder::new().rust_serde(true);
    /// # let _ = builder;
    /// ```
    pub fn rust_serde(mut self, enabled: bool) -> Self {
        self.rust_serde = Some(enabled);
        self
    }

    /// Whether to print `cargo:rerun-if-changed` for roles.toml and every template it reads
    /// (default: true). Turn it off only when calling `compile` outside a build script.
    ///
    /// ```
    /// let builder = role_gen::Builder::new().emit_rerun_if_changed(false);
    /// # let _ = builder;
    /// ```
    pub fn emit_rerun_if_changed(mut self, enabled: bool) -> Self {
        self.rerun_if_changed = enabled;
        self
    }

    /// Fail the build on warnings too, as `role-gen validate --deny-warnings` does.
    ///
    /// ```
    /// let builder = role_gen::Builder::new().deny_warnings(true);
    /// # let _ = builder;
    /// ```
    pub fn deny_warnings(mut self, enabled: bool) -> Self {
        self.deny_warnings = enabled;
        self
    }

    /// Also compile the generated `.proto` into prost messages (`$OUT_DIR/<package>.rs`),
    /// with protox as the compiler (no `protoc` to install), and generate conversions between
    /// role-gen's enums and prost's. Off by default; needs the `prost` feature of role-gen
    /// and `prost` in your crate's dependencies.
    ///
    /// ```
    /// let builder = role_gen::Builder::new().prost(true);
    /// # let _ = builder;
    /// ```
    pub fn prost(mut self, enabled: bool) -> Self {
        self.prost = enabled;
        self
    }

    /// With [`Builder::prost`] (which this turns on): adjusts prost-build's `Config` before it
    /// compiles the generated `.proto`, e.g. to add tonic's gRPC client and server
    /// (`tonic_prost_build`'s service generator) or attributes on the messages. role-gen has
    /// already set `out_dir` (where `roles.rs` includes the messages from): leave it.
    /// [`prost_build`](crate::prost_build) is re-exported, so the build script can name it.
    ///
    /// ```
    /// let builder = role_gen::Builder::new().prost_config(|config| {
    ///     config.type_attribute("EntityRef", "#[derive(PartialOrd)]");
    ///     // config.service_generator(tonic_prost_build::configure().service_generator());
    /// });
    /// # let _ = builder;
    /// ```
    #[cfg(feature = "prost")]
    pub fn prost_config(mut self, configure: fn(&mut prost_build::Config)) -> Self {
        self.prost = true;
        self.prost_config = Some(configure);
        self
    }

    fn resolve_file(&self) -> PathBuf {
        let file = self.file.clone().unwrap_or_else(|| PathBuf::from("roles.toml"));
        match std::env::var_os("CARGO_MANIFEST_DIR") {
            Some(dir) if file.is_relative() => Path::new(&dir).join(file),
            _ => file,
        }
    }

    fn resolve_out_dir(&self) -> Result<PathBuf, BuildError> {
        match (&self.out_dir, std::env::var_os("OUT_DIR")) {
            (Some(dir), _) => Ok(dir.clone()),
            (None, Some(dir)) => Ok(PathBuf::from(dir)),
            (None, None) => Err(BuildError::NoOutDir),
        }
    }

    /// Validates roles.toml, then writes the targets (unchanged files are left untouched).
    pub fn compile(&self) -> Result<Compiled, BuildError> {
        let file = self.resolve_file();
        if self.rerun_if_changed {
            // Printed first, so that fixing an invalid file reruns the build script.
            println!("cargo:rerun-if-changed={}", file.display());
        }
        let result = self.compile_file(&file);
        if let Err(e) = &result {
            // Build-script stderr is what cargo prints when the script fails.
            eprintln!("{e}");
        }
        result
    }

    /// What to render: `targets` only, with this builder's overrides.
    fn options(&self, model: &crate::Model, targets: &[Target]) -> RenderOptions {
        let options = RenderOptions::only(model, targets);
        RenderOptions { rust_serde: self.rust_serde.unwrap_or(options.rust_serde), ..options }
    }

    fn compile_file(&self, file: &Path) -> Result<Compiled, BuildError> {
        let project = Project::load(file)?;
        if self.deny_warnings && !project.diagnostics().is_empty() {
            return Err(project.diagnostics().clone().into());
        }
        for warning in project.diagnostics().warnings() {
            let (line, column) = project.diagnostics().position(warning);
            // Escaped: a newline in a name would start a `cargo:` directive of its own.
            let (file, message) = (shown(&file.to_string_lossy()), shown(&warning.message));
            println!("cargo:warning={file}:{line}:{column}: {message} [{}]", warning.code);
        }
        let inputs = project.inputs();
        if self.rerun_if_changed {
            for input in inputs.iter().skip(1) {
                println!("cargo:rerun-if-changed={}", input.display());
            }
        }
        let out_dir = self.resolve_out_dir()?;
        let mut outputs = project.generate_with(&self.options(project.model(), &self.targets))?;
        if self.prost {
            outputs = self.with_prost(&project, outputs, &out_dir)?;
        }
        write(&outputs, &out_dir)?;
        let files = outputs.iter().map(|(path, _)| out_dir.join(path)).collect();
        Ok(Compiled { files, inputs })
    }

    #[cfg(feature = "prost")]
    fn with_prost(&self, project: &Project, mut outputs: Outputs, out_dir: &Path) -> Result<Outputs, BuildError> {
        let package = &project.model().project().proto_package;
        let proto = project.generate_with(&self.options(project.model(), &[Target::Proto]))?;
        let Some(rel) = Target::Proto.paths(package).pop() else { return Ok(outputs) };
        let Some(text) = proto.get(&rel) else { return Ok(outputs) };
        // protox reads the `.proto` from disk, under a root of its own so its import path is
        // the package's: `role-gen-proto/<package path>/roles.proto`.
        let proto_root = out_dir.join("role-gen-proto");
        let in_root = rel.trim_start_matches("proto/");
        let mut input = Outputs::default();
        input.insert(in_root, text);
        write(&input, &proto_root)?;
        let proto_file = proto_root.join(in_root);
        let descriptors = protox::compile([&proto_file], [&proto_root])
            .map_err(|e| BuildError::Proto { file: proto_file.clone(), message: e.to_string() })?;
        let mut config = prost_build::Config::new();
        if let Some(configure) = self.prost_config {
            configure(&mut config);
        }
        config
            .out_dir(out_dir)
            .compile_fds(descriptors)
            .map_err(|source| BuildError::Prost { dir: out_dir.to_path_buf(), source })?;
        let rust = outputs.get("roles.rs").map(str::to_string).unwrap_or_default();
        outputs.insert("roles.rs", rust + &project.render_prost_conversions()?);
        Ok(outputs)
    }

    #[cfg(not(feature = "prost"))]
    fn with_prost(&self, _: &Project, _: Outputs, _: &Path) -> Result<Outputs, BuildError> {
        Err(BuildError::NoProstFeature)
    }
}

/// Writes `outputs` under `dir` (cargo's folder or the caller's: no manifest, nothing removed).
fn write(outputs: &Outputs, dir: &Path) -> Result<(), BuildError> {
    let failed = |error: WriteError| BuildError::Write { dir: dir.to_path_buf(), error };
    let boundary = Boundary::new(dir).map_err(|e| failed(e.into()))?;
    outputs.write_files(&boundary).map_err(failed)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../definitions/minimal/roles.toml")
    }

    #[test]
    fn compile_writes_the_targets_and_no_manifest() -> Result<(), Box<dyn std::error::Error>> {
        let out = tempfile::tempdir()?;
        let builder = Builder::new().file(minimal()).out_dir(out.path()).emit_rerun_if_changed(false);
        let compiled = builder.clone().targets([Target::Rust, Target::Json]).compile()?;
        assert_eq!(compiled.files, [out.path().join("roles.json"), out.path().join("roles.rs")]);
        assert!(std::fs::read_to_string(out.path().join("roles.rs"))?.contains("@generated by role-gen"));
        assert!(!out.path().join(crate::manifest::MANIFEST).exists(), "OUT_DIR is cargo's, not role-gen's");
        assert_eq!(std::fs::read_dir(out.path())?.count(), 2);
        Ok(())
    }

    #[test]
    fn a_missing_file_is_a_load_error_with_the_validate_text() {
        let err = Builder::new().file("/nonexistent/roles.toml").out_dir("/nonexistent").compile().err();
        assert!(matches!(err, Some(BuildError::Load(Error::Io { .. }))), "{err:?}");
        let shown = err.map(|e| format!("{e:?}")).unwrap_or_default();
        assert!(shown.starts_with("cannot read `/nonexistent/roles.toml`: "), "{shown}");
    }

    #[test]
    fn the_errors_that_are_not_io_keep_their_messages() {
        assert_eq!(
            BuildError::NoOutDir.to_string(),
            "cannot read `$OUT_DIR`: OUT_DIR is not set: call compile() from build.rs, or set out_dir()"
        );
        let proto = BuildError::Proto { file: "a/roles.proto".into(), message: "no".into() };
        assert_eq!(proto.to_string(), "cannot read `a/roles.proto`: protox: no");
        assert_eq!(
            BuildError::NoProstFeature.to_string(),
            "cannot read `Cargo.toml`: Builder::prost(true) needs role-gen's `prost` feature in [build-dependencies]"
        );
    }

    /// A service generator that writes one constant per service, its methods as the value
    /// (prost-build formats its output with prettyplease, which drops plain comments).
    #[cfg(feature = "prost")]
    struct Marker;

    #[cfg(feature = "prost")]
    impl prost_build::ServiceGenerator for Marker {
        fn generate(&mut self, service: prost_build::Service, buf: &mut String) {
            let methods: Vec<String> = service.methods.iter().map(|m| m.proto_name.clone()).collect();
            buf.push_str(&format!("pub const {}: &str = \"{}\";\n", service.name, methods.join(", ")));
        }
    }

    #[cfg(feature = "prost")]
    #[test]
    fn prost_config_reaches_prost_build() -> Result<(), Box<dyn std::error::Error>> {
        let out = tempfile::tempdir()?;
        let builder = Builder::new().file(minimal()).out_dir(out.path()).emit_rerun_if_changed(false);
        builder
            .prost_config(|config| {
                config.type_attribute("EntityRef", "#[doc = \"configured\"]");
                config.service_generator(Box::new(Marker));
            })
            .compile()?;
        let messages = std::fs::read_to_string(out.path().join("minimal.roles.v1.rs"))?;
        assert!(
            messages.contains("pub const PermissionService: &str = \"CheckPermissions, ListPermissions\";"),
            "{messages}"
        );
        assert!(
            messages.contains(
                "///configured\n#[derive(Clone, PartialEq, Eq, Hash, ::prost::Message)]\npub struct EntityRef"
            ),
            "{messages}"
        );
        assert!(std::fs::read_to_string(out.path().join("roles.rs"))?.contains("pub mod proto"));
        Ok(())
    }

    #[cfg(not(feature = "prost"))]
    #[test]
    fn prost_without_the_feature_says_so() -> std::io::Result<()> {
        let out = tempfile::tempdir()?;
        let builder = Builder::new().file(minimal()).out_dir(out.path()).emit_rerun_if_changed(false).prost(true);
        assert!(matches!(builder.compile(), Err(BuildError::NoProstFeature)));
        Ok(())
    }
}
