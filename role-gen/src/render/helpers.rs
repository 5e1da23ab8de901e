//! Helpers for custom templates: casing and per-language escaping, each the naming oracle's
//! own function where a language has one. The built-in templates do not use them (their views
//! arrive cased and escaped), but a team's own template has only the JSON document, so it
//! needs them.

use handlebars::{Context, Handlebars, Helper, HelperResult, Output, RenderContext, RenderErrorReason};

use super::common::{comment_lines, one_comment_line};
use super::markdown::Md;
use super::rust::Rust;
use super::typescript::Ts;
use crate::names;

type Transform = fn(&str) -> String;

const HELPERS: &[(&str, Transform)] = &[
    ("pascal", names::pascal),
    ("camel", camel),
    ("snake", snake),
    ("screaming", names::screaming),
    ("kebab", kebab),
    ("rust_str", Rust::str),
    ("ts_str", Ts::str),
    ("js_str", Ts::str),
    ("json_str", json_str),
    ("markdown", Md::cell),
    ("line_comment", one_comment_line),
    ("block_comment", block_comment),
];

/// `archive_channel` -> `archiveChannel`: the first word as written, the others capitalized.
fn camel(name: &str) -> String {
    let mut words = name.split('_').filter(|w| !w.is_empty());
    let first = words.next().unwrap_or_default().to_string();
    first + &names::pascal(&words.collect::<Vec<_>>().join("_"))
}

/// `archive_channel` -> `archive-channel`.
fn kebab(name: &str) -> String {
    name.replace('_', "-")
}

/// `Archive Channel` or `archiveChannel` -> `archive_channel`.
fn snake(text: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in text.chars() {
        if c.is_uppercase() && prev_lower {
            out.push('_');
        }
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
    }
    out.trim_end_matches('_').to_string()
}

fn json_str(s: &str) -> String {
    let quoted = crate::diagnostic::json_string(s);
    quoted[1..quoted.len() - 1].to_string()
}

/// Safe inside `/* … */`: keeps line breaks, breaks up `*/`.
fn block_comment(s: &str) -> String {
    comment_lines(s).join("\n")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casing_helpers_take_any_text() {
        let cases: [(Transform, &str, &str); 5] = [
            (camel, "archive_channel", "archiveChannel"),
            (camel, "_Big__word_", "BigWord"),
            (kebab, "a_b", "a-b"),
            (snake, "ArchiveChannel", "archive_channel"),
            (snake, "Archive Channel!", "archive_channel"),
        ];
        for (transform, text, cased) in cases {
            assert_eq!(transform(text), cased, "{text}");
        }
    }
}
