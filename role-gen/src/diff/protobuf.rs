//! What protobuf numbers and names besides ids: the package, and the legacy levels, whose
//! numbers are their 1-based place in the ladder, so that removing or moving one changes what a
//! number means on the wire (adding at the end is safe). Entity types have ids (`identity`).

use std::collections::{HashMap, HashSet};

use super::{Change, Finding};
use crate::model::Model;
use crate::names;
use crate::source::Span;

/// Legacy levels, by their place in the ladder.
pub(super) fn positions(old: &Model, new: &Model, out: &mut Vec<Finding>) {
    by_position(&LEGACY_LEVEL, &level_side(old), &level_side(new), out);
}

/// The protobuf package names the enums and the gRPC service: changing it renames them all.
pub(super) fn package(old: &Model, new: &Model, out: &mut Vec<Finding>) {
    let (before, after) = (&old.project().proto_package, &new.project().proto_package);
    if before != after {
        out.push(
            Finding::new(
                Change::ProtoPackageChanged,
                format!("the protobuf package changed from `{before}` to `{after}`"),
                None,
            )
            .help(format!(
                "every enum's full name and the gRPC path `/{before}.PermissionService/CheckPermissions` change; \
                 clients built from the old package stop working"
            ))
            .about([before, after]),
        );
    }
}

/// The codes and words for a kind of item numbered by file order.
struct PosKind {
    noun: &'static str,
    rust_enum: &'static str,
    proto_prefix: &'static str,
    removed: Change,
    renumbered: Change,
    added: Change,
    /// What else moving one changes, for the help line.
    moving_also: &'static str,
}

const LEGACY_LEVEL: PosKind = PosKind {
    noun: "legacy level",
    rust_enum: "LegacyRole",
    proto_prefix: "LEGACY_ROLE_",
    removed: Change::LegacyLevelRemoved,
    renumbered: Change::LegacyLevelRenumbered,
    added: Change::LegacyLevelAdded,
    moving_also: "; levels are lowest first, so moving one also changes whom `allow_if_legacy_at_least` admits",
};

/// One version's names, in file order, with their spans.
type PosSide<'a> = Vec<(&'a str, Span)>;

fn level_side(model: &Model) -> PosSide<'_> {
    model.legacy_levels().iter().map(|l| (l.name.as_str(), l.span.clone())).collect()
}

/// Items whose protobuf number is their position: removed, moved, added.
fn by_position(kind: &PosKind, old: &PosSide<'_>, new: &PosSide<'_>, out: &mut Vec<Finding>) {
    let new_pos: HashMap<&str, usize> = new.iter().enumerate().map(|(i, (n, _))| (*n, i)).collect();
    let old_names: HashSet<&str> = old.iter().map(|(n, _)| *n).collect();
    for (i, (name, _)) in old.iter().enumerate() {
        let (proto, number) = (format!("{}{}", kind.proto_prefix, names::screaming(name)), i + 1);
        match new_pos.get(name) {
            None => out.push(
                Finding::new(
                    kind.removed,
                    format!("{} `{name}` (protobuf number {number}) was removed", kind.noun),
                    None,
                )
                .help(format!(
                    "`{proto} = {number}`, `{}::{}` and `{}.{}` disappear; keep it, and add new ones at the end",
                    kind.rust_enum,
                    names::rust_variant(name),
                    kind.rust_enum,
                    names::screaming(name)
                ))
                .about([name]),
            ),
            Some(&j) if j != i => out.push(
                Finding::new(
                    kind.renumbered,
                    format!("{} `{name}` moved from protobuf number {number} to {}", kind.noun, j + 1),
                    Some(new[j].1.clone()),
                )
                .help(format!(
                    "{}s are numbered by file order, so `{proto}` now sends {} instead of {number}; \
                     add new ones at the end and never reorder{}",
                    kind.noun,
                    j + 1,
                    kind.moving_also
                ))
                .about([name]),
            ),
            Some(_) => {}
        }
    }
    for (j, (name, span)) in new.iter().enumerate().filter(|(_, (n, _))| !old_names.contains(n)) {
        let message = format!("{} `{name}` (protobuf number {}) was added", kind.noun, j + 1);
        out.push(Finding::new(kind.added, message, Some(span.clone())).about([name]));
    }
}
