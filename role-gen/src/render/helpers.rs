//! Helpers for custom templates: casing and per-language escaping. The built-in templates do
//! not use them (their views arrive cased and escaped), but a team's own template has only the
//! JSON document, so it needs them.

use handlebars::{Context, Handlebars, Helper, HelperResult, Output, RenderContext, RenderErrorReason};

use crate::{escape, names};

type Transform = fn(&str) -> String;

const HELPERS: &[(&str, Transform)] = &[
    ("pascal", names::pascal),
    ("camel", names::camel),
    ("snake", names::snake),
    ("screaming", names::screaming),
    ("kebab", names::kebab),
    ("rust_str", escape::rust_str),
    ("ts_str", escape::ts_str),
    ("js_str", escape::ts_str),
    ("json_str", json_str),
    ("markdown", escape::markdown_cell),
    ("line_comment", line_comment),
    ("block_comment", block_comment),
];

fn json_str(s: &str) -> String {
    let quoted = crate::diagnostic::json_string(s);
    quoted[1..quoted.len() - 1].to_string()
}

/// One comment line: newlines become spaces, invisible characters escapes.
fn line_comment(s: &str) -> String {
    escape::comment_lines(s).join(" ")
}

/// Safe inside `/* … */`: keeps line breaks, breaks up `*/`.
fn block_comment(s: &str) -> String {
    escape::comment_lines(s).join("\n")
}

/// Registers every helper.
pub fn register(hb: &mut Handlebars<'_>) {
    for &(name, transform) in HELPERS {
        hb.register_helper(
            name,
            Box::new(
                move |h: &Helper<'_>,
                      _: &Handlebars<'_>,
                      _: &Context,
                      _: &mut RenderContext<'_, '_>,
                      out: &mut dyn Output|
                      -> HelperResult {
                    let value = h.param(0).ok_or(RenderErrorReason::ParamNotFoundForIndex("helper", 0))?;
                    let text = match value.value() {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    out.write(&transform(&text))?;
                    Ok(())
                },
            ),
        );
    }
}
