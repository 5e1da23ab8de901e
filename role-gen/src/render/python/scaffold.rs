//! `role-gen scaffold policies --lang python`: the view of `scaffold_policies_python.hbs`, a
//! starting implementation of the `PolicyFacts` protocol of roles.py, written once and then the
//! team's own. Laid out as `ruff format` lays it out.

use serde::Serialize;

use super::{Py, RUFF_WIDTH, bool_method};
use crate::model::Model;
use crate::render::Template;
use crate::render::common::{comment_block, predicate_doc};

/// The scaffold's template (not a target: `generate` never writes it).
pub const TEMPLATE: Template = Template {
    name: "scaffold_policies_python",
    text: include_str!("../../../templates/scaffold_policies_python.hbs"),
};

/// The scaffold: what the protocol asks, and the names imported from roles.py.
#[derive(Serialize)]
pub struct ScaffoldView {
    /// The first comment lines' project and source file, safe as comments.
    project: String,
    source: String,
    imports: String,
    legacy: bool,
    permissions: bool,
    predicates: Vec<Method>,
}

/// One predicate's method: its comment lines, `def` and body, each as ruff lays it out.
#[derive(Serialize)]
struct Method {
    doc: Vec<String>,
    def: String,
    body: String,
}

impl ScaffoldView {
    /// The view of a model with policies.
    pub fn new(model: &Model) -> Self {
        let legacy = model.policies_use_legacy();
        let permissions = model.policies_use_permissions();
        let mut imports = Vec::new();
        if legacy {
            imports.push("LegacyRole");
        }
        if permissions {
            imports.push("Permission");
        }
        imports.push("PolicyFacts");
        ScaffoldView {
            project: Py::header(&model.project().name),
            source: Py::header(model.source_name()),
            imports: imports.join(", "),
            legacy,
            permissions,
            predicates: model.used_predicates().into_iter().map(|q| method(model, q)).collect(),
        }
    }
}

fn method(model: &Model, predicate: &str) -> Method {
    let name = Py::method(predicate);
    Method { doc: comment_block(&predicate_doc(model, predicate)), def: def(&name), body: body(predicate) }
}

/// `def NAME(self) -> bool:`, the body on the lines below.
fn def(name: &str) -> String {
    bool_method(name, "")
}

/// The body, two levels in: the message on its own line when the call does not fit on one.
fn body(predicate: &str) -> String {
    let message = format!("\"answer the predicate `{predicate}`\"");
    let line = format!("raise NotImplementedError({message})");
    if 8 + line.len() <= RUFF_WIDTH {
        line
    } else {
        format!("raise NotImplementedError(\n            {message}\n        )")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_break_as_ruff_breaks_them() {
        assert_eq!(def("is_owner"), "def is_owner(self) -> bool:");
        // The longest name (64) with the `_` a keyword gets fits; a longer one would break.
        assert!(!def(&"x".repeat(65)).contains('\n'));
        let long = "x".repeat(70);
        assert_eq!(def(&long), format!("def {long}(\n        self,\n    ) -> bool:"));
        assert_eq!(body("x"), "raise NotImplementedError(\"answer the predicate `x`\")");
        let broken = body(&"y".repeat(40));
        assert!(broken.starts_with("raise NotImplementedError(\n            \"answer"), "{broken}");
    }
}
