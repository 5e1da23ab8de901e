//! Stage 4: model -> [`Outputs`]. Each built-in target is a module of its own (`rust`,
//! `typescript`, `proto`, `markdown`, `json`, `sql`, `cedar`, `openfga`, `spicedb`, `python`,
//! `go`; `prost` for `Builder::prost`), holding its language's naming oracle and a view per
//! kind of item, which an embedded handlebars template places; `TARGETS` maps each [`Target`]
//! to its module. Custom templates render the JSON document. Pure: nothing is written.
//!
//! Adding a target is a module with a `TargetView`, a template in `role-gen/templates/`, and
//! a line in `TARGETS`.

mod cedar;
mod common;
mod go;
mod graph;
mod helpers;
pub mod json;
mod limits;
mod markdown;
mod openfga;
mod prost;
mod proto;
mod python;
mod rust;
mod spicedb;
mod sql;
mod typescript;

#[cfg(feature = "cli")]
pub(crate) use markdown::Md;

use std::path::Path;

use handlebars::Handlebars;
use serde::Serialize;

use crate::boundary::{Boundary, PathError, read_file};
use crate::diagnostic::{Code, Diagnostic};
use crate::escape::shown;
use crate::model::{Model, Target};
use crate::outputs::Outputs;

/// A built-in template: its name in the registry and its text, embedded from
/// `role-gen/templates/`.
#[derive(Debug, Clone, Copy)]
pub struct Template {
    /// The registry name (custom templates may not take it: theirs are `custom:<path>`).
    pub name: &'static str,
    /// The handlebars source.
    pub text: &'static str,
}

/// A built-in view: the values its template places, built from the model. Every decision of
/// spelling and safety is made building it; the template only places values.
trait TargetView: Serialize {
    /// The template it renders through.
    const TEMPLATE: Template;
    /// The view of `model` under `options`.
    fn new(model: &Model, options: &RenderOptions) -> Self;
}

/// What rendering one target reads.
struct Job<'a> {
    registry: &'a Handlebars<'static>,
    model: &'a Model,
    document: &'a json::Document<'a>,
    options: &'a RenderOptions,
}

/// How one file of a built-in target renders.
#[derive(Clone, Copy)]
struct Builtin {
    target: Target,
    /// Which of the target's [`Target::paths`] this renders.
    file: usize,
    /// Its template; `None` for JSON, which is the document itself.
    template: Option<Template>,
    render: fn(&Job<'_>) -> Result<String, String>,
}

impl Builtin {
    /// A target's only file, rendered as view `V` through `V`'s template.
    const fn view<V: TargetView>(target: Target) -> Builtin {
        Builtin::file::<V>(target, 0)
    }

    /// File `file` of a target that writes several, rendered as view `V`.
    const fn file<V: TargetView>(target: Target, file: usize) -> Builtin {
        Builtin { target, file, template: Some(V::TEMPLATE), render: render_job::<V> }
    }
}

/// Every file of every built-in target and how it renders, in [`Target::ALL`] order, then
/// in the order of [`Target::paths`].
const TARGETS: &[Builtin] = &[
    Builtin::view::<rust::RustView>(Target::Rust),
    Builtin::view::<typescript::TsView>(Target::TypeScript),
    Builtin::view::<proto::ProtoView>(Target::Proto),
    Builtin { target: Target::Json, file: 0, template: None, render: json::render },
    Builtin::view::<markdown::MarkdownView>(Target::Markdown),
    Builtin::file::<sql::SqliteSchema>(Target::Sql, 0),
    Builtin::file::<sql::PostgresSchema>(Target::Sql, 1),
    Builtin::file::<sql::SqliteCheck>(Target::Sql, 2),
    Builtin::file::<sql::PostgresCheck>(Target::Sql, 3),
    Builtin::file::<cedar::SchemaView>(Target::Cedar, 0),
    Builtin::file::<cedar::PoliciesView>(Target::Cedar, 1),
    Builtin::file::<openfga::FgaModelView>(Target::OpenFga, 0),
    Builtin::file::<openfga::FgaTestsView>(Target::OpenFga, 1),
    Builtin::file::<spicedb::ZedSchemaView>(Target::SpiceDb, 0),
    Builtin::file::<spicedb::ZedValidationView>(Target::SpiceDb, 1),
    Builtin::view::<python::PyView>(Target::Python),
    Builtin::view::<go::GoView>(Target::Go),
];

/// The built-in templates that are not a target's: the policies and the decisions on entities
/// of roles.rs (partials of `rust.hbs`), prost's conversions (appended to roles.rs), and the
/// decisions on entities and the policies of roles.ts, roles.py and roles.go (partials of
/// `typescript.hbs`, `python.hbs` and `go.hbs`). The scaffold's template is compiled when asked
/// for, not kept in the registry.
const OTHER_TEMPLATES: [Template; 9] = [
    rust::POLICIES_TEMPLATE,
    rust::ACCESS_TEMPLATE,
    prost::ProstView::TEMPLATE,
    typescript::ACCESS_TEMPLATE,
    typescript::POLICIES_TEMPLATE,
    python::ACCESS_TEMPLATE,
    python::POLICIES_TEMPLATE,
    go::ACCESS_TEMPLATE,
    go::POLICIES_TEMPLATE,
];

/// The built-in templates, embedded in the binary: each target's, then the others.
pub fn builtin_templates() -> impl Iterator<Item = Template> {
    TARGETS.iter().filter_map(|b| b.template).chain(OTHER_TEMPLATES)
}

/// A view and the `@generated` line every generated file starts with (each template puts it
/// in its language's comment).
#[derive(Serialize)]
struct Headed<'v, V> {
    header: String,
    #[serde(flatten)]
    view: &'v V,
}

fn render_job<V: TargetView>(job: &Job<'_>) -> Result<String, String> {
    render_view(job.registry, job.model, &V::new(job.model, job.options))
}

fn render_view<V: TargetView>(registry: &Handlebars<'_>, model: &Model, view: &V) -> Result<String, String> {
    registry.render(V::TEMPLATE.name, &Headed { header: common::header(model), view }).map_err(|e| e.to_string())
}

/// The languages `role-gen scaffold policies` writes a `PolicyFacts` implementation in: those
/// whose generated code declares the trait, interface or protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaffoldLanguage {
    Rust,
    Go,
    Python,
}

impl ScaffoldLanguage {
    /// The language a file is in, by its extension (`.rs`, `.go`, `.py`).
    pub fn of_path(path: &std::path::Path) -> Option<ScaffoldLanguage> {
        match path.extension()?.to_str()? {
            "rs" => Some(ScaffoldLanguage::Rust),
            "go" => Some(ScaffoldLanguage::Go),
            "py" => Some(ScaffoldLanguage::Python),
            _ => None,
        }
    }

    /// The file `scaffold policies` writes when not told where.
    pub const fn default_file(self) -> &'static str {
        match self {
            ScaffoldLanguage::Rust => "policy_facts.rs",
            ScaffoldLanguage::Go => "policy_facts.go",
            ScaffoldLanguage::Python => "policy_facts.py",
        }
    }

    /// What each unanswered predicate does in it, for the user.
    pub const fn unanswered(self) -> &'static str {
        match self {
            ScaffoldLanguage::Rust => "`todo!()`",
            ScaffoldLanguage::Go => "`panic`",
            ScaffoldLanguage::Python => "`raise NotImplementedError`",
        }
    }
}

/// A starting implementation of the generated `PolicyFacts` trait (Rust), interface (Go) or
/// protocol (Python), every method documented (`role-gen scaffold policies`); `Ok(None)` when
/// the model has no policy, hence nothing to implement.
pub fn scaffold_policies(model: &Model, language: ScaffoldLanguage) -> Result<Option<String>, String> {
    if model.policies().is_empty() {
        return Ok(None);
    }
    let registry = builtins()?;
    let rendered = match language {
        ScaffoldLanguage::Rust => {
            scaffold_with(registry, rust::scaffold::TEMPLATE, &rust::scaffold::ScaffoldView::new(model))
        }
        ScaffoldLanguage::Go => {
            scaffold_with(registry, go::scaffold::TEMPLATE, &go::scaffold::ScaffoldView::new(model))
        }
        ScaffoldLanguage::Python => {
            scaffold_with(registry, python::scaffold::TEMPLATE, &python::scaffold::ScaffoldView::new(model))
        }
    };
    rendered.map(Some)
}

fn scaffold_with(registry: &Handlebars<'_>, template: Template, view: &impl Serialize) -> Result<String, String> {
    registry.render_template(template.text, view).map_err(|e| e.to_string())
}

/// What one `generate` renders: which built-in targets, whether the custom templates, and the
/// overrides a build script may set (`Builder::rust_serde`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderOptions {
    /// The built-in targets, in output order.
    pub targets: Vec<Target>,
    /// Whether the `[[output.custom]]` templates render too.
    pub custom: bool,
    /// Whether the Rust enums derive serde's traits.
    pub rust_serde: bool,
}

impl RenderOptions {
    /// What `[output]` asks for.
    pub fn of(model: &Model) -> RenderOptions {
        RenderOptions { targets: model.output().targets.clone(), custom: true, rust_serde: model.output().rust_serde }
    }

    /// Only `targets`, no custom template, the rest as `[output]` says.
    pub fn only(model: &Model, targets: &[Target]) -> RenderOptions {
        RenderOptions { targets: targets.to_vec(), custom: false, ..RenderOptions::of(model) }
    }
}

/// Compiled templates: the built-ins, plus the project's custom ones when it has any.
#[derive(Debug)]
pub struct Templates {
    /// The built-ins and the custom templates; `None` without custom templates (then the
    /// built-ins are compiled on the first render, not on every load: `validate` needs none).
    custom: Option<Handlebars<'static>>,
    /// Files read (for `cargo:rerun-if-changed`).
    read: Vec<std::path::PathBuf>,
}

/// A registry with the helpers and the built-in templates, compiled once per process.
fn builtins() -> Result<&'static Handlebars<'static>, String> {
    static BUILTINS: std::sync::OnceLock<Result<Handlebars<'static>, String>> = std::sync::OnceLock::new();
    BUILTINS
        .get_or_init(|| {
            let mut hb = Handlebars::new();
            hb.set_strict_mode(true);
            hb.register_escape_fn(handlebars::no_escape);
            hb.set_prevent_indent(true);
            helpers::register(&mut hb);
            for Template { name, text } in builtin_templates() {
                hb.register_template_string(name, text)
                    .map_err(|e| format!("built-in template `{name}` is broken: {e}"))?;
            }
            Ok(hb)
        })
        .as_ref()
        .map_err(String::clone)
}

impl Templates {
    /// Compiles the built-ins and every `[[output.custom]]` template (relative to `base`);
    /// a template that cannot be read or compiled is a `template-error` at its `template` value.
    pub fn load(model: &Model, base: &Path, diags: &mut Vec<Diagnostic>) -> Templates {
        if model.output().custom.is_empty() {
            return Templates { custom: None, read: Vec::new() };
        }
        let mut registry = builtins().cloned().unwrap_or_else(|e| {
            // The built-ins are tested; reaching this is a bug in role-gen itself.
            diags.push(Diagnostic::new(Code::TemplateError, 0..0, e));
            Handlebars::new()
        });
        let mut read = Vec::new();
        for custom in &model.output().custom {
            let text = match read_template(base, &custom.template) {
                Ok((path, text)) => {
                    read.push(path);
                    text
                }
                Err(d) => {
                    diags.push(d.with_span(custom.template_span.clone()));
                    continue;
                }
            };
            let key = custom_key(&custom.path);
            let compiled = limits::check_text(&text)
                .and_then(|()| registry.register_template_string(&key, text).map_err(|e| template_error(&e)))
                .and_then(|()| limits::check(registry.get_templates(), &key));
            if let Err(reason) = compiled {
                diags.push(
                    Diagnostic::new(
                        Code::TemplateError,
                        custom.template_span.clone(),
                        format!("template `{}` does not compile: {}", shown(&custom.template), reason),
                    )
                    .label("this template")
                    .help("fix the template; role-gen uses handlebars syntax, without recursive partials"),
                );
            }
        }
        Templates { custom: Some(registry), read }
    }

    /// The registry to render with.
    fn registry(&self) -> Result<&Handlebars<'static>, String> {
        match &self.custom {
            Some(registry) => Ok(registry),
            None => builtins(),
        }
    }

    /// The template files read from disk.
    pub fn files_read(&self) -> &[std::path::PathBuf] {
        &self.read
    }

    /// Renders every enabled target and custom template.
    pub fn render(&self, model: &Model, options: &RenderOptions) -> Result<Outputs, Vec<Diagnostic>> {
        // The engine targets' names are checked when `[output] targets` names them; a target
        // asked for on the command line or by a build script is checked here, before rendering.
        let refused = crate::check::engines::target_rules(model, &options.targets);
        if !refused.is_empty() {
            return Err(refused);
        }
        let mut outputs = Outputs::default();
        let mut errors = Vec::new();
        let document = json::Document::new(model);
        let rendered = self.render_targets(model, &document, options);
        for (builtin, text) in rendered {
            let paths = builtin.target.paths(&model.project().proto_package);
            match text.and_then(|text| Ok((paths.get(builtin.file).ok_or("no path for this file")?.clone(), text))) {
                Ok((path, text)) => outputs.insert(path, text),
                Err(e) => errors.push(Diagnostic::new(
                    Code::TemplateError,
                    0..0,
                    format!("rendering `{}` failed: {e}", builtin.target.as_str()),
                )),
            }
        }
        let custom = if options.custom { model.output().custom.as_slice() } else { &[] };
        for custom in custom {
            match self.render_custom(&custom_key(&custom.path), &document) {
                Ok(text) => outputs.insert(custom.path.clone(), text),
                Err(e) => errors.push(
                    Diagnostic::new(
                        Code::TemplateError,
                        custom.template_span.clone(),
                        format!("template `{}` failed to render: {}", shown(&custom.template), one_line(&e)),
                    )
                    .label("this template")
                    .help("custom templates see the JSON document of `role-gen generate --target json`"),
                ),
            }
        }
        if errors.is_empty() { Ok(outputs) } else { Err(errors) }
    }

    /// Renders one custom template into a buffer that stops at its size bound, on a thread of
    /// its own with a known stack (the template's depth is bounded by [`limits`]).
    fn render_custom(&self, key: &str, document: &json::Document<'_>) -> Result<String, String> {
        std::thread::scope(|scope| {
            let worker = std::thread::Builder::new().stack_size(64 << 20).spawn_scoped(scope, || {
                let mut out = limits::Capped::default();
                self.registry()?.render_to_write(key, document, &mut out).map_err(|e| e.to_string())?;
                String::from_utf8(out.bytes).map_err(|e| e.to_string())
            });
            match worker {
                Ok(handle) => handle.join().unwrap_or_else(|_| Err("the renderer panicked".into())),
                Err(e) => Err(format!("cannot start a renderer: {e}")),
            }
        })
    }

    /// Files are independent: a worker per core takes the next file until none is left (one
    /// view in memory per worker, not one per file). Results keep target, then file, order.
    fn render_targets(
        &self,
        model: &Model,
        document: &json::Document<'_>,
        options: &RenderOptions,
    ) -> Vec<(Builtin, Result<String, String>)> {
        let files: Vec<Builtin> =
            options.targets.iter().flat_map(|&t| TARGETS.iter().copied().filter(move |b| b.target == t)).collect();
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(files.len()).max(1);
        let next = std::sync::atomic::AtomicUsize::new(0);
        let mut results: Vec<Option<Result<String, String>>> = vec![None; files.len()];
        let done: Vec<Vec<(usize, Result<String, String>)>> = std::thread::scope(|scope| {
            let work = || {
                let mut mine = Vec::new();
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(builtin) = files.get(i) else { return mine };
                    mine.push((i, self.file(model, document, builtin, options)));
                }
            };
            let handles: Vec<_> = (0..workers).map(|_| scope.spawn(work)).collect();
            handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
        });
        for (i, result) in done.into_iter().flatten() {
            results[i] = Some(result);
        }
        files.iter().zip(results).map(|(&t, r)| (t, r.unwrap_or_else(|| Err("the renderer panicked".into())))).collect()
    }

    /// One file of a target, by its entry in [`TARGETS`].
    fn file(
        &self,
        model: &Model,
        document: &json::Document<'_>,
        builtin: &Builtin,
        options: &RenderOptions,
    ) -> Result<String, String> {
        let job = Job { registry: self.registry()?, model, document, options };
        (builtin.render)(&job)
    }

    /// Conversions between the generated enums and prost's (appended to roles.rs by
    /// `Builder::prost`).
    pub fn render_prost(&self, model: &Model) -> Result<String, String> {
        render_view(self.registry()?, model, &prost::ProstView::new(model, &RenderOptions::of(model)))
    }
}

/// A template's text, read through roles.toml folder's boundary: a link out of it is a
/// `path-escape`, anything else unreadable a `template-error` (the caller adds the span).
fn read_template(base: &Path, template: &str) -> Result<(std::path::PathBuf, String), Diagnostic> {
    const LIMIT: u64 = 4 << 20;
    let fail = |e: PathError| {
        let code = if matches!(e, PathError::Escape { .. } | PathError::Link { .. }) {
            Code::PathEscape
        } else {
            Code::TemplateError
        };
        Diagnostic::new(code, 0..0, format!("cannot read template: {e}"))
            .label("this file")
            .help("a template is a file inside roles.toml's folder, relative to it")
    };
    let path = Boundary::new(base).and_then(|b| b.input(template)).map_err(fail)?;
    match read_file(&path, template, LIMIT).map_err(fail)? {
        Some(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Ok((path, text)),
            Err(_) => {
                Err(Diagnostic::new(Code::TemplateError, 0..0, format!("template `{}` is not UTF-8", shown(template))))
            }
        },
        None => Err(fail(PathError::Io {
            path: template.to_string(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        })),
    }
}

fn custom_key(path: &str) -> String {
    format!("custom:{path}")
}

/// A handlebars compile error in one short line, with the template's own line and column.
fn template_error(e: &handlebars::TemplateError) -> String {
    let reason = e.reason().to_string();
    // The parser lists every token it expected; the position says more than that list.
    let reason = reason.split(": expected").next().unwrap_or(&reason).to_string();
    match e.pos() {
        Some((line, column)) => format!("{reason} (template line {line}, column {column})"),
        None => reason,
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_of_every_target_has_one_renderer_in_order() {
        let listed: Vec<(Target, usize)> = TARGETS.iter().map(|b| (b.target, b.file)).collect();
        let files: Vec<(Target, usize)> =
            Target::ALL.into_iter().flat_map(|t| (0..t.paths("p.v1").len()).map(move |f| (t, f))).collect();
        assert_eq!(listed, files);
    }

    #[test]
    fn every_builtin_template_compiles() {
        assert!(builtins().is_ok());
        let names: Vec<&str> = builtin_templates().map(|t| t.name).collect();
        assert_eq!(
            names,
            [
                "rust",
                "typescript",
                "proto",
                "markdown",
                "sql_sqlite",
                "sql_postgres",
                "sql_check_sqlite",
                "sql_check_postgres",
                "cedar_schema",
                "cedar_policies",
                "openfga_model",
                "openfga_tests",
                "spicedb_schema",
                "spicedb_validation",
                "python",
                "go",
                "rust_policies",
                "rust_access",
                "rust_prost",
                "typescript_access",
                "typescript_policies",
                "python_access",
                "python_policies",
                "go_access",
                "go_policies"
            ]
        );
    }
}
