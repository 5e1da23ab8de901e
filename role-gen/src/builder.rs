//! [`Builder`]: role-gen from a cargo build script.

use std::path::{Path, PathBuf};

use crate::escape::shown;
use crate::model::Target;
use crate::outputs::write_if_changed;
use crate::render::RenderOptions;
use crate::{Error, Project};

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
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new()
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

    fn resolve_file(&self) -> PathBuf {
        let file = self.file.clone().unwrap_or_else(|| PathBuf::from("roles.toml"));
        match std::env::var_os("CARGO_MANIFEST_DIR") {
            Some(dir) if file.is_relative() => Path::new(&dir).join(file),
            _ => file,
        }
    }

    fn resolve_out_dir(&self) -> Result<PathBuf, Error> {
        match (&self.out_dir, std::env::var_os("OUT_DIR")) {
            (Some(dir), _) => Ok(dir.clone()),
            (None, Some(dir)) => Ok(PathBuf::from(dir)),
            (None, None) => Err(Error::Io {
                path: PathBuf::from("$OUT_DIR"),
                source: std::io::Error::other("OUT_DIR is not set: call compile() from build.rs, or set out_dir()"),
            }),
        }
    }

    /// Validates roles.toml, then writes the targets (unchanged files are left untouched).
    pub fn compile(&self) -> Result<Compiled, Error> {
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

    fn compile_file(&self, file: &Path) -> Result<Compiled, Error> {
        let project = Project::load(file)?;
        if self.deny_warnings && !project.diagnostics().is_empty() {
            return Err(Error::Invalid(project.diagnostics().clone()));
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
        let mut files = Vec::new();
        for (path, text) in outputs.iter() {
            let target = out_dir.join(path);
            write_if_changed(&target, text.as_bytes()).map_err(|source| Error::Io { path: target.clone(), source })?;
            files.push(target);
        }
        Ok(Compiled { files, inputs })
    }

    #[cfg(feature = "prost")]
    fn with_prost(
        &self,
        project: &Project,
        mut outputs: crate::Outputs,
        out_dir: &Path,
    ) -> Result<crate::Outputs, Error> {
        let package = &project.model().project.proto_package;
        let proto = project.generate_with(&self.options(project.model(), &[Target::Proto]))?;
        let proto_root = out_dir.join("role-gen-proto");
        let rel = Target::Proto.path(package);
        let Some(text) = proto.get(&rel) else { return Ok(outputs) };
        let proto_file = proto_root.join(rel.trim_start_matches("proto/"));
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::Io { path, source }
        };
        write_if_changed(&proto_file, text.as_bytes()).map_err(io(&proto_file))?;
        let descriptors = protox::compile([&proto_file], [&proto_root]).map_err(|e| Error::Io {
            path: proto_file.clone(),
            source: std::io::Error::other(format!("protox: {e}")),
        })?;
        prost_build::Config::new().out_dir(out_dir).compile_fds(descriptors).map_err(io(out_dir))?;
        let rust = outputs.get("roles.rs").map(str::to_string).unwrap_or_default();
        outputs.insert("roles.rs", rust + &project.render_prost_conversions()?);
        Ok(outputs)
    }

    #[cfg(not(feature = "prost"))]
    fn with_prost(&self, _: &Project, _: crate::Outputs, _: &Path) -> Result<crate::Outputs, Error> {
        Err(Error::Io {
            path: PathBuf::from("Cargo.toml"),
            source: std::io::Error::other(
                "Builder::prost(true) needs role-gen's `prost` feature in [build-dependencies]",
            ),
        })
    }
}
