//! `role-gen scaffold policies`: the view of `scaffold_policies.hbs`, a starting implementation
//! of the generated `PolicyFacts` trait, written once and then the team's own.

use serde::Serialize;

use super::policies::RustFacts;
use crate::model::Model;
use crate::render::Template;
use crate::render::common::one_comment_line;

/// The scaffold's template (not a target: `generate` never writes it).
pub const TEMPLATE: Template =
    Template { name: "scaffold_policies", text: include_str!("../../../templates/scaffold_policies.hbs") };

/// The scaffold: which facts the trait asks for, and the `use` line that brings them in.
#[derive(Serialize)]
pub struct ScaffoldView {
    project: String,
    source: String,
    /// What the `use` brings in: `PolicyFacts` alone, or `{LegacyRole, …, PolicyFacts}`.
    imports: String,
    /// Whether `ActorFacts` has fields (a legacy level, permissions).
    fields: bool,
    facts: RustFacts,
}

impl ScaffoldView {
    /// The view of a model with policies.
    pub fn new(model: &Model) -> Self {
        let facts = RustFacts::new(model);
        let mut imports = Vec::new();
        if facts.legacy {
            imports.push("LegacyRole");
        }
        if facts.permissions {
            imports.extend(["Permission", "PermissionSet"]);
        }
        imports.push("PolicyFacts");
        ScaffoldView {
            project: one_comment_line(&model.project().name),
            source: one_comment_line(model.source_name()),
            imports: if imports.len() == 1 { imports.join("") } else { format!("{{{}}}", imports.join(", ")) },
            fields: facts.legacy || facts.permissions,
            facts,
        }
    }
}
