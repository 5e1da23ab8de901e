//! The `proto` target (roles.proto): protobuf's naming oracle and the view `proto.hbs` places,
//! one enum per kind of item (permissions, roles, entity types, legacy levels, policies).

use serde::Serialize;

use super::common::{comment_lines, joined};
use super::{RenderOptions, TargetView, Template};
use crate::model::Model;
use crate::names;

/// Protobuf's naming oracle. Enum values share one namespace per package, so every value is
/// prefixed with its enum's name in SCREAMING_CASE (`PERMISSION_ARCHIVE_CHANNEL`), which also
/// keeps every value clear of protobuf's keywords.
pub struct Proto;

impl Proto {
    /// The value of `name` in the enum whose values start with `prefix`.
    pub fn value(prefix: &str, name: &str) -> String {
        format!("{prefix}_{}", names::screaming(name))
    }
}

/// `proto.hbs`'s view: the enums, then (fixed text) the messages and services.
#[derive(Serialize)]
pub struct ProtoView {
    package: String,
    enums: Vec<ProtoEnum>,
    /// Whether there are policies (then the `Policy` enum and the policy check are emitted).
    policies: bool,
}

/// One kind of item as a protobuf enum.
#[derive(Serialize)]
struct ProtoEnum {
    name: &'static str,
    doc: &'static str,
    prefix: &'static str,
    reserved_ids: String,
    reserved_names: String,
    values: Vec<ProtoValue>,
}

#[derive(Serialize)]
struct ProtoValue {
    name: String,
    number: usize,
    comment: Vec<String>,
    deprecated: bool,
}

/// An item of an enum before spelling: its name, number, description and deprecation.
type Item<'m> = (&'m str, usize, &'m str, bool);

impl ProtoEnum {
    fn new<'m>(name: &'static str, prefix: &'static str, doc: &'static str, items: Vec<Item<'m>>) -> Self {
        let values = items
            .into_iter()
            .map(|(name, number, description, deprecated)| ProtoValue {
                name: Proto::value(prefix, name),
                number,
                comment: comment_lines(description),
                deprecated,
            })
            .collect();
        ProtoEnum { name, doc, prefix, reserved_ids: String::new(), reserved_names: String::new(), values }
    }

    /// The ids and names that must never be reused (removed items).
    fn reserving(mut self, ids: &[u32], names: &[String]) -> Self {
        self.reserved_ids = joined(ids, u32::to_string);
        self.reserved_names = joined(names, |n| format!("\"{}\"", Proto::value(self.prefix, n)));
        self
    }
}

/// Legacy levels, numbered 1.. lowest first (they have no ids: their order is their meaning).
fn by_position<'m>(items: impl Iterator<Item = &'m str>) -> Vec<Item<'m>> {
    items.enumerate().map(|(i, name)| (name, i + 1, "", false)).collect()
}

fn enums(model: &Model) -> Vec<ProtoEnum> {
    let r = &model.reserved();
    let permissions =
        model.permissions().iter().map(|p| (&*p.name, p.id as usize, &*p.description, p.deprecated.is_deprecated()));
    let roles = model.roles().iter().map(|x| (&*x.name, x.id as usize, &*x.description, false));
    let entities = model.entities().iter().map(|e| (&*e.name, e.id as usize, &*e.description, false));
    let mut enums = vec![
        ProtoEnum::new(
            "Permission",
            "PERMISSION",
            "A permission: the ability to perform one action. The number is its stable id.",
            permissions.collect(),
        )
        .reserving(&r.permission_ids, &r.permission_names),
        ProtoEnum::new(
            "Role",
            "ROLE",
            "A role: a named set of permissions. The number is its stable id.",
            roles.collect(),
        )
        .reserving(&r.role_ids, &r.role_names),
        ProtoEnum::new(
            "EntityType",
            "ENTITY_TYPE",
            "The type of an object a role is assigned on and a permission is checked against.",
            entities.collect(),
        )
        .reserving(&r.entity_ids, &r.entity_names),
    ];
    // Like the Rust and TypeScript targets: no `LegacyRole` without `[legacy]` (no message
    // refers to it, and an enum of `LEGACY_ROLE_UNSPECIFIED` alone would say nothing).
    if !model.legacy_levels().is_empty() {
        enums.push(ProtoEnum::new(
            "LegacyRole",
            "LEGACY_ROLE",
            "The legacy account levels, lowest first.",
            by_position(model.legacy_levels().iter().map(|l| &*l.name)),
        ));
    }
    if !model.policies().is_empty() {
        let policies = model.policies().iter().map(|p| (&*p.name, p.id as usize, &*p.description, false));
        enums.push(
            ProtoEnum::new(
                "Policy",
                "POLICY",
                "A policy: ordered rules deciding one action on one entity type. The number is its stable id.",
                policies.collect(),
            )
            .reserving(&r.policy_ids, &r.policy_names),
        );
    }
    enums
}

impl TargetView for ProtoView {
    const TEMPLATE: Template = Template { name: "proto", text: include_str!("../../templates/proto.hbs") };

    fn new(model: &Model, _: &RenderOptions) -> Self {
        ProtoView {
            package: model.project().proto_package.clone(),
            enums: enums(model),
            policies: !model.policies().is_empty(),
        }
    }
}
