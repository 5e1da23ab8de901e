//! Bounds on custom templates, which are untrusted: handlebars itself has none.
//!
//! A recursive partial (`{{#*inline "r"}}x{{> r}}{{/inline}}{{> r}}`) overflows the stack and
//! aborts the process; blocks nested thousands deep do the same; nested `#each` over the
//! document asks for gigabytes. So before rendering, each custom template's partial graph must
//! be acyclic, its partial chains and block nesting shallow, and every partial named statically;
//! while rendering, output stops at [`OUTPUT_LIMIT`].

use std::collections::{BTreeMap, BTreeSet};
use std::io;

use handlebars::template::{Parameter, Template, TemplateElement};

/// The most bytes one custom template may produce.
pub const OUTPUT_LIMIT: usize = 64 << 20;
/// The deepest chain of partials calling partials.
const PARTIAL_DEPTH: usize = 16;
/// The deepest nesting of blocks (`#each`, `#if`, …) within one template or partial.
const BLOCK_DEPTH: usize = 32;

/// Partial name -> the partials its body calls (a template's own body under its name).
type Calls = BTreeMap<String, BTreeSet<String>>;

/// Why `root` (a registered template) may not be rendered, if it may not.
pub fn check(templates: &std::collections::HashMap<String, Template>, root: &str) -> Result<(), String> {
    let mut calls = Calls::new();
    let mut todo = vec![root.to_string()];
    let mut walked = BTreeSet::new();
    // Only the templates `root` can reach: the built-ins' own partials are not its concern.
    while let Some(name) = todo.pop() {
        if !walked.insert(name.clone()) {
            continue;
        }
        if let Some(template) = templates.get(&name) {
            walk(template, &name, &mut calls, 0)?;
        }
        todo.extend(calls.values().flatten().filter(|c| !walked.contains(*c)).cloned());
    }
    let mut path = vec![root.to_string()];
    deepest(&calls, &mut path)
}

/// Refuses text whose parentheses nest deeper than [`BLOCK_DEPTH`] before handlebars parses
/// it: its parser recurses on nested subexpressions.
pub fn check_text(text: &str) -> Result<(), String> {
    // Only inside `{{ … }}`: the text around it is the template's own output.
    for tag in text.split("{{").skip(1) {
        check_tag(tag.split("}}").next().unwrap_or(tag))?;
    }
    Ok(())
}

fn check_tag(tag: &str) -> Result<(), String> {
    let mut depth = 0usize;
    for c in tag.bytes() {
        match c {
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            _ => continue,
        }
        if depth > BLOCK_DEPTH {
            return Err(format!("parentheses are nested more than {BLOCK_DEPTH} deep"));
        }
    }
    Ok(())
}

/// Records the partials `template` calls under `node`, and inline partials as nodes of their own.
fn walk(template: &Template, node: &str, calls: &mut Calls, depth: usize) -> Result<(), String> {
    if depth > BLOCK_DEPTH {
        return Err(format!("blocks are nested more than {BLOCK_DEPTH} deep"));
    }
    calls.entry(node.to_string()).or_default();
    for element in &template.elements {
        match element {
            TemplateElement::PartialExpression(d) | TemplateElement::PartialBlock(d) => {
                if let Some(name) = partial_name(&d.name)? {
                    calls.entry(node.to_string()).or_default().insert(name);
                }
                if let Some(body) = &d.template {
                    walk(body, node, calls, depth + 1)?;
                }
            }
            TemplateElement::DecoratorBlock(d) if d.name.as_name() == Some("inline") => {
                let Some(Parameter::Literal(serde_json::Value::String(name))) = d.params.first() else {
                    return Err("an inline partial needs a quoted name".into());
                };
                if let Some(body) = &d.template {
                    walk(body, name, calls, depth + 1)?;
                }
            }
            TemplateElement::DecoratorBlock(d) | TemplateElement::DecoratorExpression(d) => {
                if let Some(body) = &d.template {
                    walk(body, node, calls, depth + 1)?;
                }
            }
            TemplateElement::HelperBlock(h) => {
                for body in [&h.template, &h.inverse].into_iter().flatten() {
                    walk(body, node, calls, depth + 1)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The partial a `{{> …}}` names; `None` for `@partial-block` (the caller's own block).
fn partial_name(name: &Parameter) -> Result<Option<String>, String> {
    let name = match name {
        Parameter::Literal(serde_json::Value::String(s)) => s.as_str(),
        other => other.as_name().ok_or("a partial's name must be written out, not computed")?,
    };
    Ok((name != "@partial-block").then(|| name.to_string()))
}

/// Follows every call from the last node of `path`: a call back into the path is recursion, a
/// path longer than [`PARTIAL_DEPTH`] too deep. The depth bound keeps this walk shallow too.
fn deepest(calls: &Calls, path: &mut Vec<String>) -> Result<(), String> {
    let Some(node) = path.last() else { return Ok(()) };
    let Some(callees) = calls.get(node) else { return Ok(()) };
    for callee in callees {
        if let Some(at) = path.iter().position(|p| p == callee) {
            let cycle: Vec<String> = path[at..].iter().chain([callee]).map(|p| format!("`{p}`")).collect();
            return Err(format!("partials call themselves: {}", cycle.join(" -> ")));
        }
        if path.len() >= PARTIAL_DEPTH {
            return Err(format!("partials call partials more than {PARTIAL_DEPTH} deep"));
        }
        path.push(callee.clone());
        deepest(calls, path)?;
        path.pop();
    }
    Ok(())
}

/// A `Write` that refuses to grow past [`OUTPUT_LIMIT`] bytes.
#[derive(Debug, Default)]
pub struct Capped {
    pub bytes: Vec<u8>,
}

impl io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.bytes.len() + buf.len() > OUTPUT_LIMIT {
            return Err(io::Error::other(format!("the output would exceed {} MiB", OUTPUT_LIMIT >> 20)));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(sources: &[(&str, &str)]) -> Result<(), String> {
        let mut templates = std::collections::HashMap::new();
        for (name, text) in sources {
            templates.insert(name.to_string(), Template::compile(text).map_err(|e| e.to_string())?);
        }
        check(&templates, sources[0].0)
    }

    #[test]
    fn recursion_is_refused_and_plain_partials_pass() {
        assert!(verdict(&[("t", r#"{{#*inline "r"}}x{{> r}}{{/inline}}{{> r}}"#)]).is_err());
        assert!(verdict(&[("a", "{{> b}}"), ("b", "{{#if x}}{{> a}}{{/if}}")]).is_err());
        assert!(verdict(&[("t", r#"{{#*inline "r"}}x{{/inline}}{{> r}}{{> r}}"#)]).is_ok());
        assert!(verdict(&[("t", "{{> (lookup . \"name\")}}")]).is_err());
    }

    #[test]
    fn deep_subexpressions_are_refused_before_parsing() {
        assert!(check_text(&format!("{{{{x {}y{}}}}}", "(".repeat(40), ")".repeat(40))).is_err());
        assert!(check_text(&format!("{}{{{{x (y)}}}}", "(".repeat(40))).is_ok());
    }

    #[test]
    fn deep_nesting_and_long_chains_are_refused() {
        let nested = "{{#if a}}".repeat(40) + &"{{/if}}".repeat(40);
        assert!(verdict(&[("t", &nested)]).is_err());
        let chain: String =
            (0..20).map(|i| format!(r#"{{{{#*inline "p{i}"}}}}{{{{> p{}}}}}{{{{/inline}}}}"#, i + 1)).collect();
        assert!(verdict(&[("t", &format!("{chain}{{{{> p0}}}}"))]).is_err());
    }
}
