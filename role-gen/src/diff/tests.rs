//! The comparison, case by case, on a small roles.toml and its edits.

use std::path::PathBuf;

use super::*;

const BASE: &str = r#"
[project]
name = "demo"

[entities.workspace]
description = "A workspace"

[entities.channel]
description = "A channel"
parent = "workspace"

[permissions.view]
id = 1
description = "View"

[permissions.edit]
id = 2
description = "Edit"

[permissions.delete]
id = 3
description = "Delete"

[roles.viewer]
id = 1
description = "Views"
permissions = ["view"]

[roles.editor]
id = 2
description = "Edits"
permissions = ["edit"]
includes = ["viewer"]

[roles.admin]
id = 3
description = "Runs it"
permissions = ["delete"]
includes = ["editor"]
"#;

fn model(text: &str) -> Model {
    match load("roles.toml", text.as_bytes()) {
        Ok(d) => d.model,
        Err(d) => panic!("invalid test input:\n{}", d.render_human(false)),
    }
}

fn diff(old: &str, new: &str) -> Report {
    compare(&model(old), &model(new))
}

fn codes(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.change.as_str()).collect()
}

fn pairs(grants: &[Grant]) -> Vec<(&str, &str)> {
    grants.iter().map(|g| (g.role.as_str(), g.permission.as_str())).collect()
}

/// BASE without the `[permissions.delete]` table and the grant of it.
fn without_delete(extra: &str) -> String {
    let text = BASE.replace("[permissions.delete]\nid = 3\ndescription = \"Delete\"\n", "");
    format!("{}{extra}", text.replace("permissions = [\"delete\"]\n", ""))
}

#[test]
fn identical_versions_report_nothing() {
    assert!(diff(BASE, BASE).is_empty());
}

#[test]
fn an_id_change_is_wire_breaking_and_points_at_the_new_line() {
    let report = diff(BASE, &BASE.replace("id = 2\ndescription = \"Edit\"", "id = 9\ndescription = \"Edit\""));
    assert_eq!(codes(&report.breaking), ["permission-id-changed"]);
    assert_eq!(report.breaking[0].message, "permission `edit` changed id from 2 to 9");
    assert_eq!(report.breaking[0].change.class(), Class::Wire);
    assert!(report.breaking[0].span.is_some());
    assert!(report.access.is_empty(), "same names, same access: {:?}", report.access);
}

#[test]
fn a_removal_without_reservation_is_wire_breaking() {
    let report = diff(BASE, &without_delete(""));
    assert_eq!(codes(&report.breaking), ["permission-removed-unreserved"]);
    assert!(report.breaking[0].message.contains("without reserving its id and name"), "{:?}", report.breaking);
    assert_eq!(pairs(&report.access.revoked), [("admin", "delete")]);
}

#[test]
fn a_removal_reserving_only_the_id_is_still_wire_breaking() {
    let report = diff(BASE, &without_delete("\n[reserved]\npermission_ids = [3]\n"));
    assert_eq!(codes(&report.breaking), ["permission-removed-unreserved"]);
    assert!(report.breaking[0].message.contains("without reserving its name"));
}

#[test]
fn a_removal_with_reservation_is_only_a_source_break() {
    let report = diff(BASE, &without_delete("\n[reserved]\npermission_ids = [3]\npermission_names = [\"delete\"]\n"));
    assert_eq!(codes(&report.breaking), ["permission-removed"]);
    assert_eq!(report.breaking[0].change.class(), Class::Source);
    assert!(report.breaking[0].message.contains("`Permission::Delete`"), "{}", report.breaking[0].message);
}

#[test]
fn a_grant_to_an_included_role_reaches_every_role_that_inherits_it() {
    let new = BASE.replace("permissions = [\"view\"]", "permissions = [\"view\", \"delete\"]");
    let report = diff(BASE, &new);
    assert!(report.breaking.is_empty());
    assert_eq!(pairs(&report.access.granted), [("viewer", "delete"), ("editor", "delete")]);
    assert_eq!(report.access.granted[1].via, ["editor", "viewer"]);
    assert!(report.access.revoked.is_empty());
}

#[test]
fn a_grant_two_levels_down_reaches_the_top_of_the_chain() {
    let with_extra =
        BASE.replace("[roles.viewer]", "[permissions.export]\nid = 4\ndescription = \"Export\"\n\n[roles.viewer]");
    let granted = with_extra.replace("permissions = [\"view\"]", "permissions = [\"view\", \"export\"]");
    let report = diff(&with_extra, &granted);
    assert_eq!(pairs(&report.access.granted), [("viewer", "export"), ("editor", "export"), ("admin", "export")]);
    assert_eq!(report.access.granted[2].via, ["admin", "editor", "viewer"]);
}

#[test]
fn an_include_removed_revokes_what_came_through_it() {
    let report = diff(BASE, &BASE.replace("includes = [\"editor\"]", ""));
    assert_eq!(pairs(&report.access.revoked), [("admin", "view"), ("admin", "edit")]);
    assert_eq!(report.access.revoked[0].via, ["admin", "editor", "viewer"], "the old version's chain");
}

#[test]
fn new_roles_gain_everything_and_removed_roles_lose_everything() {
    let added = format!("{BASE}\n[roles.auditor]\nid = 4\ndescription = \"Audits\"\nincludes = [\"viewer\"]\n");
    let report = diff(BASE, &added);
    assert_eq!(codes(&report.notes), ["role-added"]);
    assert_eq!(pairs(&report.access.granted), [("auditor", "view")]);

    let report = diff(&added, BASE);
    assert_eq!(codes(&report.breaking), ["role-removed-unreserved"]);
    assert_eq!(pairs(&report.access.revoked), [("auditor", "view")]);
    assert_eq!(report.access.revoked[0].span, None);
}

#[test]
fn a_rename_is_one_wire_finding_and_moves_access_by_name() {
    let report = diff(BASE, &BASE.replace("delete", "destroy"));
    assert_eq!(codes(&report.breaking), ["permission-renamed"]);
    assert_eq!(report.breaking[0].message, "permission `delete` (id 3) was renamed to `destroy`");
    assert_eq!(report.breaking[0].subjects, ["delete", "destroy"]);
    assert!(report.access.is_empty(), "a rename is not a revoke plus a grant: {:?}", report.access);

    let report = diff(BASE, &BASE.replace("editor", "writer"));
    assert_eq!(codes(&report.breaking), ["role-renamed"]);
    assert!(report.access.is_empty(), "{:?}", report.access);

    // Renamed and changed: only the change shows, under the new names.
    let new =
        BASE.replace("delete", "destroy").replace("permissions = [\"view\"]", "permissions = [\"view\", \"destroy\"]");
    let report = diff(BASE, &new);
    assert_eq!(codes(&report.breaking), ["permission-renamed"]);
    assert_eq!(pairs(&report.access.granted), [("viewer", "destroy"), ("editor", "destroy")]);
    assert!(report.access.revoked.is_empty());
}

#[test]
fn a_renamed_entity_type_is_not_also_a_narrowing() {
    let new = BASE.replace("channel", "room");
    let narrowed = BASE.replace("description = \"Edit\"", "description = \"Edit\"\nentities = [\"channel\"]");
    let report = diff(&narrowed, &narrowed.replace("channel", "room"));
    assert_eq!(codes(&report.breaking), ["entity-renamed"]);
    assert!(report.access.is_empty());
    let report = diff(BASE, &new);
    assert_eq!(codes(&report.breaking), ["entity-renamed"]);
    assert_eq!(report.breaking[0].message, "entity type `channel` (protobuf number 2) was renamed to `room`");
}

#[test]
fn reusing_an_id_or_a_reserved_name_is_wire_breaking_once() {
    let old = without_delete("\n[reserved]\npermission_ids = [3]\npermission_names = [\"delete\"]\n");
    let reused = BASE.replace("id = 3\ndescription = \"Delete\"", "id = 3\ndescription = \"Delete again\"");
    let report = diff(&old, &reused);
    assert_eq!(codes(&report.breaking), ["permission-id-reused", "permission-name-reused"]);
    assert!(report.breaking[0].message.ends_with("which was reserved"));
}

#[test]
fn dropping_a_reservation_is_wire_breaking() {
    let old = format!("{BASE}\n[reserved]\nrole_ids = [7]\nrole_names = [\"owner\"]\n");
    let report = diff(&old, BASE);
    assert_eq!(codes(&report.breaking), ["role-id-unreserved", "role-name-unreserved"]);
}

#[test]
fn entities_and_legacy_levels_are_numbered_by_position() {
    let old = format!("{BASE}\n[legacy]\nlevels = [\"guest\", \"member\", \"admin\"]\n");
    let new = old.replace("\"guest\", \"member\", \"admin\"", "\"member\", \"guest\"");
    let report = diff(&old, &new);
    assert_eq!(codes(&report.breaking), ["legacy-level-renumbered", "legacy-level-renumbered", "legacy-level-removed"]);
    assert!(report.breaking[2].message.contains("`admin` (protobuf number 3)"));

    let reordered =
        BASE.replace("[entities.workspace]", "[entities.team]\ndescription = \"A team\"\n\n[entities.workspace]");
    let report = diff(BASE, &reordered);
    assert_eq!(codes(&report.breaking), ["entity-renumbered", "entity-renumbered", "entity-id-reused"]);
    assert_eq!(report.breaking[0].message, "entity type `workspace` changed protobuf number from 1 to 2");
    assert!(report.breaking[0].help.as_deref().is_some_and(|h| h.contains("pin `id = 1`")));
    assert!(report.notes.is_empty());
}

#[test]
fn entities_with_ids_keep_their_numbers_wherever_they_stand() {
    let pinned = BASE
        .replace("[entities.workspace]\n", "[entities.workspace]\nid = 1\n")
        .replace("[entities.channel]\n", "[entities.channel]\nid = 2\n");
    assert!(diff(BASE, &pinned).is_empty(), "pinning the numbers they have changes nothing");
    let team = "[entities.team]\nid = 3\ndescription = \"A team\"\n\n";
    let first = pinned.replace("[entities.workspace]", &format!("{team}[entities.workspace]"));
    let report = diff(&pinned, &first);
    assert!(report.breaking.is_empty(), "{:?}", report.breaking);
    assert_eq!(codes(&report.notes), ["entity-added"]);
    let swapped = pinned
        .replace("id = 1\ndescription = \"A workspace\"", "id = 2\ndescription = \"A workspace\"")
        .replace("id = 2\ndescription = \"A channel\"", "id = 1\ndescription = \"A channel\"");
    assert_eq!(codes(&diff(&pinned, &swapped).breaking), ["entity-renumbered", "entity-renumbered"]);
}

/// BASE with two policies, ids 1 and 2.
fn with_policies() -> String {
    let policy = |name: &str, id: u32| {
        format!(
            "\n[policies.{name}]\nid = {id}\nentity = \"channel\"\nrules = [{{ allow_if_permission = \"edit\" }}]\n"
        )
    };
    format!("{BASE}{}{}", policy("edit_it", 1), policy("view_it", 2))
}

#[test]
fn policies_are_matched_by_id_like_permissions() {
    let old = with_policies();
    let report = diff(&old, &old.replace("[policies.edit_it]\nid = 1", "[policies.edit_it]\nid = 3"));
    assert_eq!(codes(&report.breaking), ["policy-id-changed"]);
    let report = diff(&old, &old.replace("edit_it", "change_it"));
    assert_eq!(codes(&report.breaking), ["policy-renamed"]);
    assert!(report.access.is_empty());
    let swapped = old.replace("id = 1\nentity", "id = 9\nentity").replace("id = 2\nentity", "id = 1\nentity");
    let report = diff(&old, &swapped.replace("id = 9\nentity", "id = 2\nentity"));
    assert_eq!(codes(&report.breaking), ["policy-id-changed", "policy-id-changed"]);

    let gone = BASE.to_string()
        + "\n[policies.edit_it]\nid = 1\nentity = \"channel\"\nrules = [{ allow_if_permission = \"edit\" }]\n";
    let report = diff(&old, &gone);
    assert_eq!(codes(&report.breaking), ["policy-removed-unreserved"]);
    let reserved = format!("{gone}\n[reserved]\npolicy_ids = [2]\npolicy_names = [\"view_it\"]\n");
    let report = diff(&old, &reserved);
    assert_eq!(codes(&report.breaking), ["policy-removed"]);
    assert_eq!(report.breaking[0].change.class(), Class::Source);
    let report = diff(&reserved, &gone);
    assert_eq!(codes(&report.breaking), ["policy-id-unreserved", "policy-name-unreserved"]);
}

#[test]
fn moving_policies_in_the_file_changes_nothing() {
    let old = with_policies();
    let (head, tail) = old.split_at(old.find("\n[policies.edit_it]").expect("policy"));
    let (edit, view) = tail.split_at(tail.find("\n[policies.view_it]").expect("policy"));
    assert!(diff(&old, &format!("{head}{view}{edit}")).is_empty());
}

#[test]
fn narrowing_a_permissions_entities_is_source_breaking_and_widening_is_access() {
    let narrow = BASE.replace("description = \"Edit\"", "description = \"Edit\"\nentities = [\"channel\"]");
    let report = diff(BASE, &narrow);
    assert_eq!(codes(&report.breaking), ["permission-entities-narrowed"]);
    assert!(report.breaking[0].message.ends_with("against `workspace`"));
    let report = diff(&narrow, BASE);
    assert!(report.breaking.is_empty());
    assert_eq!(codes(&report.access.other), ["permission-entities-widened"]);
}

#[test]
fn narrowing_where_a_role_is_assigned_is_wire_breaking() {
    let narrow =
        BASE.replace("description = \"Runs it\"", "description = \"Runs it\"\nassignable_on = [\"workspace\"]");
    let report = diff(BASE, &narrow);
    assert_eq!(codes(&report.breaking), ["role-assignable-narrowed"]);
}

#[test]
fn policy_and_parent_changes_are_access_changes() {
    let policy = "\n[legacy]\nlevels = [\"guest\", \"member\"]\n\n[policies.edit_it]\nid = 1\ndescription = \"d\"\n\
                  entity = \"channel\"\nrules = [{ deny_if_legacy = [\"guest\"] }, { allow_if_permission = \"edit\" }]\n";
    let old = format!("{BASE}{policy}");
    let report = diff(&old, &old.replace("{ deny_if_legacy = [\"guest\"] }, ", ""));
    assert_eq!(codes(&report.access.other), ["policy-changed"]);
    assert_eq!(report.access.other[0].message, "policy `edit_it` lost rule deny_if_legacy [`guest`]");
    assert!(report.breaking.is_empty());

    let report = diff(BASE, &BASE.replace("parent = \"workspace\"\n", ""));
    assert_eq!(codes(&report.access.other), ["entity-parent-changed"]);

    let report = diff(&old, BASE);
    assert!(codes(&report.breaking).contains(&"policy-removed-unreserved"));
}

#[test]
fn deprecation_is_a_note() {
    let report = diff(BASE, &BASE.replace("description = \"Edit\"", "description = \"Edit\"\ndeprecated = \"use x\""));
    assert!(report.breaking.is_empty());
    assert_eq!(codes(&report.notes), ["permission-deprecated"]);
    assert_eq!(report.notes[0].message, "permission `edit` is now deprecated: use x");
}

#[test]
fn a_new_proto_package_is_wire_breaking() {
    let report = diff(BASE, &BASE.replace("name = \"demo\"", "name = \"demo\"\nproto_package = \"demo.roles.v2\""));
    assert_eq!(codes(&report.breaking), ["proto-package-changed"]);
}

#[test]
fn against_nothing_everything_is_new_and_nothing_breaks() {
    let new = model(BASE);
    let report = compare(&empty_like(&new), &new);
    assert!(report.breaking.is_empty());
    assert_eq!(report.access.granted.len(), 1 + 2 + 3);
    assert!(report.notes.iter().all(|n| n.change.class() == Class::Note));
}

#[test]
fn an_invalid_version_gives_its_diagnostics() {
    let Err(d) = load("old.toml", b"[project]\nnam = \"x\"\n") else { panic!("accepted an invalid file") };
    assert!(d.has_errors());
    assert_eq!(d.source().path, PathBuf::from("old.toml"));
}
