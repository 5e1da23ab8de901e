//! The one registry of every code role-gen reports: validation diagnostics ([`Code`], SPEC
//! section 1), `diff` findings ([`Change`], SPEC section 3) and refused edits ([`Refused`]).
//!
//! Users match on these strings in CI scripts and search for them in the docs, so each is
//! written once, here, with its kind and a one-line doc; the three enums and [`ALL`] are
//! generated from this one table. Each layer keeps its own enum so that a diagnostic can only
//! carry a validation code and a diff finding only a change, yet no string can be given twice:
//! a test checks the whole registry for kebab-case and uniqueness.

use std::fmt;

/// Error or warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Fails validation (exit 1).
    Error,
    /// Reported; fails only with `--deny-warnings`.
    Warning,
}

impl Severity {
    /// The lowercase word shown before a diagnostic (`error[…]`) and in annotations.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// How much a `diff` change matters, from most to least severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// Breaks data that other systems store or send: ids, names sent as strings, protobuf
    /// numbers and package, where existing role assignments may live.
    Wire,
    /// Breaks code built from the generated outputs: a Rust variant, TypeScript key or protobuf
    /// value disappears, or a `#[derive(RequiresPermission)]` stops compiling.
    Source,
    /// Changes who may do what, beyond the per-role grants a diff lists.
    Access,
    /// Worth a reviewer's glance; fails nothing.
    Note,
}

impl Class {
    /// The lowercase name shown in reports and JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Class::Wire => "wire",
            Class::Source => "source",
            Class::Access => "access",
            Class::Note => "note",
        }
    }

    /// Whether a change of this class fails `diff` on its own.
    pub const fn is_breaking(self) -> bool {
        matches!(self, Class::Wire | Class::Source)
    }
}

/// Which part of role-gen reports a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Layer {
    /// `validate` and every command that reads roles.toml: [`Code`].
    Validation,
    /// `diff`: [`Change`].
    Diff,
    /// The editing commands (`add`, `grant`, `revoke`, `remove`, `deprecate`, `fmt`): [`Refused`].
    Edit,
}

/// One row of the registry, whatever its layer: for docs, schemas and checks over all codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// The kebab-case code.
    pub code: &'static str,
    pub layer: Layer,
    /// Its kind in its layer: `error`/`warning`, or a diff class (`wire`, `source`, …).
    pub kind: &'static str,
    /// When it is reported, in one line.
    pub doc: &'static str,
}

macro_rules! registry {
    ($(
        $(#[$attr:meta])*
        $layer:ident => $enum:ident, $kind_fn:ident: $kind:ident {
            $($variant:ident => $code:literal, $k:ident, $doc:literal;)*
        }
    )*) => {
        $(
            $(#[$attr])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
            #[non_exhaustive]
            pub enum $enum { $(#[doc = $doc] $variant,)* }

            impl $enum {
                /// The kebab-case code users see, match on, and search for.
                pub const fn as_str(self) -> &'static str {
                    match self { $($enum::$variant => $code,)* }
                }

                /// Its kind, from the registry.
                pub const fn $kind_fn(self) -> $kind {
                    match self { $($enum::$variant => $kind::$k,)* }
                }

                /// When it is reported, in one line.
                pub const fn doc(self) -> &'static str {
                    match self { $($enum::$variant => $doc,)* }
                }

                /// Every code of this layer, in registry order (the most severe first).
                pub const ALL: &'static [$enum] = &[$($enum::$variant,)*];
            }

            impl fmt::Display for $enum {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str(self.as_str())
                }
            }
        )*

        /// Every code of every layer: validation, then diff, then edit.
        pub const ALL: &[Entry] = &[$($(
            Entry { code: $code, layer: Layer::$layer, kind: $kind::$k.as_str(), doc: $doc },
        )*)*];
    };
}

registry! {
    /// The stable code of every diagnostic role-gen reports (SPEC section 1).
    Validation => Code, severity: Severity {
        TomlSyntax => "toml-syntax", Error, "the file is not valid TOML, or not UTF-8";
        UnknownKey => "unknown-key", Error, "a key or table roles.toml does not know, or an unknown target";
        WrongType => "wrong-type", Error, "a value of the wrong type, or a policy rule with no kind or several";
        MissingKey => "missing-key", Error, "a required key or table is missing, or a description is empty";
        InvalidName => "invalid-name", Error, "a name that is not ASCII snake_case of at most 64 characters";
        DuplicateName => "duplicate-name", Error, "a name given twice within its kind";
        DuplicateId => "duplicate-id", Error, "an id given twice within its kind";
        IdOutOfRange => "id-out-of-range", Error, "an id outside 1..=65535";
        ReservedId => "reserved-id", Error, "an id that `[reserved]` keeps from ever being used again";
        ReservedName => "reserved-name", Error, "a name that `[reserved]` keeps from ever being used again";
        UnknownPermission => "unknown-permission", Error, "a reference to a permission the file does not define";
        UnknownRole => "unknown-role", Error, "a reference to a role the file does not define";
        UnknownEntity => "unknown-entity", Error, "a reference to an entity type the file does not define";
        UnknownLegacyLevel => "unknown-legacy-level", Error, "a reference to a level `[legacy]` does not list";
        UnknownPolicy => "unknown-policy", Error, "a test names a policy the file does not define";
        IncludeCycle => "include-cycle", Error, "roles that include each other in a cycle";
        EntityCycle => "entity-cycle", Error, "entity types that are each other's parents in a cycle";
        IdentifierCollision => "identifier-collision", Error, "two names that become the same identifier in a target";
        EngineName => "engine-name", Error, "a name or test id an engine target (`openfga`, `spicedb`) cannot take: a keyword, too short or long";
        PathEscape => "path-escape", Error, "an output or template path that leaves its folder";
        PathConflict => "path-conflict", Error, "two outputs written to the same path";
        ShadowedDeny => "shadowed-deny", Error, "a deny rule that an earlier allow rule always overrides";
        InvalidPath => "invalid-path", Error, "a test's `path` that does not follow the entity parents, or asks what it cannot";
        TemplateError => "template-error", Error, "a custom template that cannot be read or rendered";
        UngrantedPermission => "ungranted-permission", Warning, "a permission no role grants";
        EmptyRole => "empty-role", Warning, "a role with no permissions, direct or inherited";
        DuplicateRole => "duplicate-role", Warning, "a role with the same effective permissions as another";
        RedundantGrant => "redundant-grant", Warning, "a direct grant the role already inherits through its includes";
        DeprecatedGranted => "deprecated-granted", Warning, "a role grants a deprecated permission";
        UnreachablePermission => "unreachable-permission", Warning, "no role granting it may be assigned where it applies";
        UnreachableRule => "unreachable-rule", Warning, "a policy rule that never decides";
        UnusedPredicate => "unused-predicate", Warning, "a declared predicate no policy asks about";
        InapplicablePermission => "inapplicable-permission", Warning, "a policy asks for a permission not checked on its entity";
        DuplicateEntry => "duplicate-entry", Warning, "a list names the same entry twice; the repeat changes nothing";
    }

    /// The stable code of every change `diff` reports; users match on these.
    Diff => Change, class: Class {
        ProtoPackageChanged => "proto-package-changed", Wire, "every enum's full name and the gRPC path change";
        PermissionIdChanged => "permission-id-changed", Wire, "a permission kept its name and changed its id";
        PermissionRenamed => "permission-renamed", Wire, "a permission kept its id and changed its name";
        PermissionIdReused => "permission-id-reused", Wire, "a new permission takes an id that was another's or was reserved";
        PermissionNameReused => "permission-name-reused", Wire, "a new permission takes a reserved name";
        PermissionRemovedUnreserved => "permission-removed-unreserved", Wire, "a permission is gone and its id or name is not reserved";
        PermissionIdUnreserved => "permission-id-unreserved", Wire, "a reserved permission id was dropped from `[reserved]`";
        PermissionNameUnreserved => "permission-name-unreserved", Wire, "a reserved permission name was dropped from `[reserved]`";
        RoleIdChanged => "role-id-changed", Wire, "a role kept its name and changed its id";
        RoleRenamed => "role-renamed", Wire, "a role kept its id and changed its name";
        RoleIdReused => "role-id-reused", Wire, "a new role takes an id that was another's or was reserved";
        RoleNameReused => "role-name-reused", Wire, "a new role takes a reserved name";
        RoleRemovedUnreserved => "role-removed-unreserved", Wire, "a role is gone and its id or name is not reserved";
        RoleIdUnreserved => "role-id-unreserved", Wire, "a reserved role id was dropped from `[reserved]`";
        RoleNameUnreserved => "role-name-unreserved", Wire, "a reserved role name was dropped from `[reserved]`";
        RoleAssignableNarrowed => "role-assignable-narrowed", Wire, "a role may no longer be assigned on an entity type";
        PolicyIdChanged => "policy-id-changed", Wire, "a policy kept its name and changed its id";
        PolicyRenamed => "policy-renamed", Wire, "a policy kept its id and changed its name";
        PolicyIdReused => "policy-id-reused", Wire, "a new policy takes an id that was another's or was reserved";
        PolicyNameReused => "policy-name-reused", Wire, "a new policy takes a reserved name";
        PolicyRemovedUnreserved => "policy-removed-unreserved", Wire, "a policy is gone and its id or name is not reserved";
        PolicyIdUnreserved => "policy-id-unreserved", Wire, "a reserved policy id was dropped from `[reserved]`";
        PolicyNameUnreserved => "policy-name-unreserved", Wire, "a reserved policy name was dropped from `[reserved]`";
        EntityRenumbered => "entity-renumbered", Wire, "an entity type kept its name and changed its protobuf number";
        EntityRenamed => "entity-renamed", Wire, "an entity type kept its protobuf number and changed its name";
        EntityIdReused => "entity-id-reused", Wire, "a new entity type takes a number that was another's or was reserved";
        EntityNameReused => "entity-name-reused", Wire, "a new entity type takes a reserved name";
        EntityRemovedUnreserved => "entity-removed-unreserved", Wire, "an entity type is gone and its number or name is not reserved";
        EntityIdUnreserved => "entity-id-unreserved", Wire, "a reserved entity number was dropped from `[reserved]`";
        EntityNameUnreserved => "entity-name-unreserved", Wire, "a reserved entity name was dropped from `[reserved]`";
        LegacyLevelRemoved => "legacy-level-removed", Wire, "a legacy level is gone (its protobuf number with it)";
        LegacyLevelRenumbered => "legacy-level-renumbered", Wire, "a legacy level moved, and with it its protobuf number";
        PermissionRemoved => "permission-removed", Source, "a permission is gone, its id and name reserved";
        RoleRemoved => "role-removed", Source, "a role is gone, its id and name reserved";
        PermissionEntitiesNarrowed => "permission-entities-narrowed", Source, "a permission is no longer checked against an entity type";
        PolicyRemoved => "policy-removed", Source, "a policy is gone, its id and name reserved (its generated evaluator with it)";
        EntityRemoved => "entity-removed", Source, "an entity type is gone, its number and name reserved";
        AccessChanged => "access-changed", Access, "a role gained or lost effective permissions (one finding per role)";
        PolicyChanged => "policy-changed", Access, "a policy's rules or the entity it decides on changed";
        EntityParentChanged => "entity-parent-changed", Access, "an entity type has another parent: assignments reach elsewhere";
        PermissionEntitiesWidened => "permission-entities-widened", Access, "a permission is checked against more entity types";
        RoleAssignableWidened => "role-assignable-widened", Access, "a role may be assigned on more entity types";
        PermissionAdded => "permission-added", Note, "a new permission";
        RoleAdded => "role-added", Note, "a new role";
        EntityAdded => "entity-added", Note, "a new entity type";
        LegacyLevelAdded => "legacy-level-added", Note, "a new legacy level";
        PolicyAdded => "policy-added", Note, "a new policy";
        PermissionDeprecated => "permission-deprecated", Note, "a permission is now deprecated";
        PermissionUndeprecated => "permission-undeprecated", Note, "a permission is no longer deprecated";
    }

    /// The stable code of every edit role-gen refuses (the file is left as it was, exit 1).
    Edit => Refused, severity: Severity {
        UnknownName => "unknown-name", Error, "an edit names an entity, permission or role the file does not have";
        NameTaken => "name-taken", Error, "a new entry's name is already used within its kind";
        NameNotAllowed => "name-not-allowed", Error, "a new entry's name is not ASCII snake_case of at most 64 characters";
        NameRetired => "name-retired", Error, "a new entry's name is kept in `[reserved]` for ever";
        EmptyDescription => "empty-description", Error, "a new entry's description is empty";
        IdsExhausted => "ids-exhausted", Error, "no id is left: ids run up to 65535 and are never reused";
        GrantInherited => "grant-inherited", Error, "`revoke` of a permission the role only inherits through an include";
        GrantMissing => "grant-missing", Error, "`revoke` of a permission the role does not hold at all";
        StillReferenced => "still-referenced", Error, "`remove` without `--force` of an entry the file still names";
        NotEditable => "not-editable", Error, "the file cannot be edited at all: not UTF-8, not TOML, or invalid for `fmt`";
        FormatChangesMeaning => "format-changes-meaning", Error, "`fmt` would change what the file means (a bug: report it)";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_kebab_case_and_given_once_in_the_whole_registry() {
        let mut seen = std::collections::HashSet::new();
        for entry in ALL {
            let kebab = entry.code.split('-').all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()));
            assert!(kebab, "{} is not kebab-case", entry.code);
            assert!(seen.insert(entry.code), "{} twice", entry.code);
            assert!(!entry.doc.is_empty() && !entry.doc.ends_with('.'), "{}: one line, no full stop", entry.code);
        }
        assert_eq!(ALL.len(), Code::ALL.len() + Change::ALL.len() + Refused::ALL.len());
    }

    #[test]
    fn validation_errors_come_before_warnings_and_diff_classes_in_order() {
        assert!(Code::ALL.windows(2).all(|w| w[0].severity() <= w[1].severity()));
        assert!(Change::ALL.windows(2).all(|w| w[0].class() <= w[1].class()));
        assert!(Refused::ALL.iter().all(|r| r.severity() == Severity::Error));
    }

    #[test]
    fn entries_carry_their_layer_and_kind() {
        let entry = |code: &str| ALL.iter().find(|e| e.code == code).copied();
        assert_eq!(entry("toml-syntax").map(|e| (e.layer, e.kind)), Some((Layer::Validation, "error")));
        assert_eq!(entry("empty-role").map(|e| (e.layer, e.kind)), Some((Layer::Validation, "warning")));
        assert_eq!(entry("role-renamed").map(|e| (e.layer, e.kind)), Some((Layer::Diff, "wire")));
        assert_eq!(entry("still-referenced").map(|e| (e.layer, e.kind)), Some((Layer::Edit, "error")));
        assert_eq!(Change::PolicyChanged.doc(), "a policy's rules or the entity it decides on changed");
    }
}
