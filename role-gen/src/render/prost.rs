//! prost conversions (`rust_prost.hbs`, appended to roles.rs by `Builder::prost`): for each
//! generated enum, `From`/`TryFrom` the prost enum of the same name, through protobuf numbers.

use serde::Serialize;

use super::{RenderOptions, TargetView, Template};
use crate::model::Model;

/// `rust_prost.hbs`'s view: the package prost-build compiled, and the enums to convert.
#[derive(Serialize)]
pub struct ProstView {
    package: String,
    enums: Vec<ProstEnum>,
}

#[derive(Serialize)]
struct ProstEnum {
    name: &'static str,
    kind: &'static str,
    /// The body of `number(self)`: `self.id()` where ids are numbers, else a position.
    number: &'static str,
    /// The body of `from_number`.
    from_number: &'static str,
}

impl ProstEnum {
    /// Permissions, roles, entity types and policies: the protobuf number is the id.
    fn by_id(name: &'static str, kind: &'static str) -> Self {
        ProstEnum { name, kind, number: "self.id()", from_number: "Self::from_id(number)" }
    }

    /// Legacy levels are numbered 1.. lowest first, as in the .proto.
    fn by_position(name: &'static str, kind: &'static str) -> Self {
        ProstEnum {
            name,
            kind,
            number: "self as u32 + 1",
            from_number: "let i = number.checked_sub(1)?;\n        Self::ALL.get(i as usize).copied()",
        }
    }
}

impl TargetView for ProstView {
    const TEMPLATE: Template = Template { name: "rust_prost", text: include_str!("../../templates/rust_prost.hbs") };

    fn new(model: &Model, _: &RenderOptions) -> Self {
        let mut enums = vec![
            ProstEnum::by_id("Permission", "permission"),
            ProstEnum::by_id("Role", "role"),
            ProstEnum::by_id("EntityType", "entity type"),
        ];
        if !model.legacy_levels().is_empty() {
            enums.push(ProstEnum::by_position("LegacyRole", "legacy level"));
        }
        if !model.policies().is_empty() {
            enums.push(ProstEnum::by_id("Policy", "policy"));
        }
        ProstView { package: model.project().proto_package.clone(), enums }
    }
}
