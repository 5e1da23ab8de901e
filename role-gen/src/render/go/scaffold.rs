//! `role-gen scaffold policies --lang go`: the view of `scaffold_policies_go.hbs`, a starting
//! implementation of the `PolicyFacts` interface of roles.go, in its package, written once and
//! then the team's own.
//!
//! gofmt rewrites the doc comments of top-level declarations (a line can become a heading, a
//! list is re-indented), so each method's doc comment is the predicate's `summary`, the one line
//! role-gen writes, and its `notes`, user text, stand in a comment inside the body, which gofmt
//! keeps.

use serde::Serialize;

use super::{Go, GoFacts};
use crate::model::Model;
use crate::render::Template;
use crate::render::common::one_comment_line;

/// The scaffold's template (not a target: `generate` never writes it).
pub const TEMPLATE: Template =
    Template { name: "scaffold_policies_go", text: include_str!("../../../templates/scaffold_policies_go.hbs") };

/// The scaffold: roles.go's package, and the methods the interface has.
#[derive(Serialize)]
pub struct ScaffoldView {
    project: String,
    source: String,
    package: String,
    /// Whether `ActorFacts` has fields (a legacy level, permissions).
    fields: bool,
    facts: GoFacts,
}

impl ScaffoldView {
    /// The view of a model with policies.
    pub fn new(model: &Model) -> Self {
        let facts = GoFacts::new(model);
        ScaffoldView {
            project: one_comment_line(&model.project().name),
            source: one_comment_line(model.source_name()),
            package: Go::package(&model.project().name),
            fields: facts.legacy || facts.permissions,
            facts,
        }
    }
}
