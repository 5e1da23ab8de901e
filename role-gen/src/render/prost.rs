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
    /// Permissions and roles: the protobuf number is the stable id.
    fn by_id(name: &'static str, kind: &'static str) -> Self {
        ProstEnum { name, kind, number: "self.id()", from_number: "Self::from_id(number)" }
    }

    /// Entity types, legacy levels and policies are numbered 1.. in file order, as in the .proto.
    fn by_position(name: &'static str, kind: &'static str, empty: bool) -> Self {
        ProstEnum {
            name,
            kind,
            // An empty enum has no value to number: the match proves it.
            number: if empty { "match self {}" } else { "self as u32 + 1" },
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
            ProstEnum::by_position("EntityType", "entity type", model.entities().is_empty()),
        ];
        if !model.legacy_levels().is_empty() {
            enums.push(ProstEnum::by_position("LegacyRole", "legacy level", false));
        }
        if !model.policies().is_empty() {
            enums.push(ProstEnum::by_position("Policy", "policy", false));
        }
        ProstView { package: model.project().proto_package.clone(), enums }
    }
}
