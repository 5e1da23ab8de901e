//! Protobuf: `buf lint` (STANDARD, v2's name for DEFAULT) and `buf build` on `roles.proto`;
//! buf's JSON image of the file is then compared with `roles.json`: every enum value's number,
//! the reserved ids and names, the fixed messages' fields (the permission check, `EntityRef`,
//! `RoleAssignment`, `ListPermissions`) and the services (with policies,
//! `enum Policy` and the `PolicyService` messages too).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use role_gen_tests::{
    Mismatches, Model, Scratch, checks, definition, edge, hostile, programs, read, run, screaming, tool,
};
use serde_json::Value;

checks! {
    slack_proto: proto(definition("slack"));
    minimal_proto: proto(definition("minimal"));
    hostile_proto: proto(hostile());
    empty_proto: proto(edge("empty"));
    edge_policies_without_legacy_proto: proto(edge("policies_without_legacy"));
}

fn proto(roles_toml: &Path, label: &str) {
    let buf = tool("buf");
    let (scratch, model) = Scratch::with_outputs(roles_toml, label);
    let root = scratch.path().join("proto");

    // Exactly one roles.proto, at proto/<package as folders>/roles.proto.
    let files = proto_files(&root);
    assert_eq!(files.len(), 1, "{}: expected one .proto file, found {files:?}", roles_toml.display());
    let rel = files[0].strip_prefix(&root).map(Path::to_path_buf).unwrap_or_default();
    let rel = rel.to_string_lossy().replace('\\', "/");
    let package = rel
        .strip_suffix("/roles.proto")
        .unwrap_or_else(|| panic!("{}: {rel} is not <package>/roles.proto", roles_toml.display()))
        .replace('/', ".");
    let json_package = model.json["project"]
        .get("proto_package")
        .and_then(Value::as_str)
        .map_or_else(|| format!("{}.roles.v1", model.project), str::to_string);
    assert_eq!(package, json_package, "{}: the proto file's folders vs proto_package", roles_toml.display());

    programs::install("buf.yaml", &root, "buf.yaml");
    run(Command::new(&buf).current_dir(&root).args(["lint", "--error-format", "text"]));
    run(Command::new(&buf).current_dir(&root).args(["build", "--exclude-source-info", "-o", "image.json"]));
    let image: Value = serde_json::from_str(&read(&root.join("image.json")))
        .unwrap_or_else(|e| panic!("buf's image.json is not JSON: {e}"));
    let file = image["file"]
        .as_array()
        .and_then(|files| files.iter().find(|f| f["name"].as_str() == Some(rel.as_str())))
        .unwrap_or_else(|| panic!("buf's image has no {rel}"))
        .clone();
    compare_proto(roles_toml, &model, &package, &file);
}

fn proto_files(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "proto") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// One enum of the image: value name -> (number, deprecated), reserved numbers and names.
struct ProtoEnum {
    values: Vec<(String, i64, bool)>,
    reserved_numbers: BTreeSet<i64>,
    reserved_names: BTreeSet<String>,
}

fn proto_enum(file: &Value, name: &str) -> Option<ProtoEnum> {
    let e = file["enumType"].as_array()?.iter().find(|e| e["name"].as_str() == Some(name))?;
    let values = e["value"]
        .as_array()
        .map(|values| {
            values
                .iter()
                .map(|v| {
                    (
                        v["name"].as_str().unwrap_or_default().to_string(),
                        v["number"].as_i64().unwrap_or(0), // proto3 JSON may omit a zero
                        v["options"]["deprecated"].as_bool().unwrap_or(false),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let mut reserved_numbers = BTreeSet::new();
    for range in e["reservedRange"].as_array().into_iter().flatten() {
        let start = range["start"].as_i64().unwrap_or(0);
        let end = range["end"].as_i64().unwrap_or(0); // inclusive for enums
        if end - start < 100_000 {
            reserved_numbers.extend(start..=end);
        }
    }
    let reserved_names =
        e["reservedName"].as_array().into_iter().flatten().filter_map(|n| n.as_str().map(str::to_string)).collect();
    Some(ProtoEnum { values, reserved_numbers, reserved_names })
}

/// One field of a message of the image.
struct ProtoField {
    name: String,
    number: i64,
    label: String,
    ty: String,
    type_name: String,
    optional: bool,
}

/// The fields of message `name` of the image, or `None` when there is no such message.
fn message_fields(file: &Value, name: &str) -> Option<Vec<ProtoField>> {
    let message = file["messageType"].as_array()?.iter().find(|msg| msg["name"].as_str() == Some(name))?;
    let fields = message["field"].as_array().into_iter().flatten().map(|f| {
        let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
        ProtoField {
            name: s("name"),
            number: f["number"].as_i64().unwrap_or(0),
            label: s("label"),
            ty: s("type"),
            type_name: s("typeName"),
            optional: f["proto3Optional"].as_bool().unwrap_or(false),
        }
    });
    Some(fields.collect())
}

/// A service's methods in a buf JSON image: (name, input type, output type) each.
fn service_methods(file: &Value, name: &str) -> Option<Vec<(String, String, String)>> {
    let service = file["service"].as_array()?.iter().find(|s| s["name"].as_str() == Some(name))?;
    let methods = service["method"].as_array().into_iter().flatten().map(|rpc| {
        let s = |k: &str| rpc[k].as_str().unwrap_or_default().to_string();
        (s("name"), s("inputType"), s("outputType"))
    });
    Some(methods.collect())
}

fn compare_proto(roles_toml: &Path, model: &Model, package: &str, file: &Value) {
    let mut m = Mismatches::new("protobuf (roles.proto)");
    m.check("syntax", file["syntax"].as_str(), Some("proto3"));
    m.check("package", file["package"].as_str(), Some(package));
    compare_id_enums(&mut m, model, file);
    compare_ordered_enums(&mut m, model, file);
    let t = |name: &str| format!(".{package}.{name}");
    compare_fixed(&mut m, file, &t);
    compare_proto_policies(&mut m, model, file, &t);
    m.finish(roles_toml);
}

/// Permission, Role, EntityType and Policy: UNSPECIFIED = 0, then every value's number is its
/// id (an entity's is its place in the file when it has none); reserved ids and names stay
/// reserved.
fn compare_id_enums(m: &mut Mismatches, model: &Model, file: &Value) {
    let entities = model.entities.iter().zip(&model.entity_ids).map(|(n, id)| (n.clone(), i64::from(*id), false));
    let mut id_enums = vec![
        (
            "Permission",
            "PERMISSION_",
            model.permissions.iter().map(|p| (p.name.clone(), i64::from(p.id), p.deprecated)).collect::<Vec<_>>(),
            &model.reserved.permission_ids,
            &model.reserved.permission_names,
        ),
        (
            "Role",
            "ROLE_",
            model.roles.iter().map(|r| (r.name.clone(), i64::from(r.id), false)).collect(),
            &model.reserved.role_ids,
            &model.reserved.role_names,
        ),
        ("EntityType", "ENTITY_TYPE_", entities.collect(), &model.reserved.entity_ids, &model.reserved.entity_names),
    ];
    if !model.policies.is_empty() {
        id_enums.push((
            "Policy",
            "POLICY_",
            model.policies.iter().map(|(name, id)| (name.clone(), i64::from(*id), false)).collect(),
            &model.reserved.policy_ids,
            &model.reserved.policy_names,
        ));
    }
    for (enum_name, prefix, items, reserved_ids, reserved_names) in id_enums {
        let Some(e) = proto_enum(file, enum_name) else {
            m.fail(format!("no enum {enum_name}"));
            continue;
        };
        let mut expected = vec![(format!("{prefix}UNSPECIFIED"), 0, false)];
        expected.extend(items.iter().map(|(name, id, dep)| (format!("{prefix}{}", screaming(name)), *id, *dep)));
        m.check(&format!("enum {enum_name}: (value, number, deprecated), in order"), e.values, expected);
        for id in reserved_ids {
            if !e.reserved_numbers.contains(&i64::from(*id)) {
                m.fail(format!("enum {enum_name}: reserved id {id} is not `reserved`"));
            }
        }
        for name in reserved_names {
            let value = format!("{prefix}{}", screaming(name));
            if !e.reserved_names.contains(&value) {
                m.fail(format!(
                    "enum {enum_name}: reserved name {name} is not `reserved \"{value}\"` (has {:?})",
                    e.reserved_names
                ));
            }
        }
    }
}

/// LegacyRole: UNSPECIFIED = 0, then the names lowest first; no LegacyRole without legacy levels.
fn compare_ordered_enums(m: &mut Mismatches, model: &Model, file: &Value) {
    let mut ordered = Vec::new();
    if !model.legacy_levels.is_empty() {
        ordered.push(("LegacyRole", "LEGACY_ROLE_", model.legacy_levels.clone()));
    } else if proto_enum(file, "LegacyRole").is_some() {
        // As in Rust and TypeScript: no `[legacy]`, no `LegacyRole` (not one of UNSPECIFIED alone).
        m.fail("enum LegacyRole without [legacy]".to_string());
    }
    for (enum_name, prefix, names) in ordered {
        let Some(e) = proto_enum(file, enum_name) else {
            m.fail(format!("no enum {enum_name}"));
            continue;
        };
        let mut values = e.values.clone();
        values.sort_by_key(|v| v.1);
        let mut expected = vec![format!("{prefix}UNSPECIFIED")];
        expected.extend(names.iter().map(|n| format!("{prefix}{}", screaming(n))));
        m.check(
            &format!("enum {enum_name}: values by number"),
            values.iter().map(|v| v.0.clone()).collect::<Vec<_>>(),
            expected,
        );
        m.check(&format!("enum {enum_name}: UNSPECIFIED is 0"), values.first().map(|v| v.1), Some(0));
    }
}

/// The fixed wire contract: `enum Decision`, the permission check's messages and service.
fn compare_fixed(m: &mut Mismatches, file: &Value, t: &dyn Fn(&str) -> String) {
    let decision = proto_enum(file, "Decision").map(|e| e.values);
    m.check(
        "enum Decision",
        decision,
        Some(vec![
            ("DECISION_UNSPECIFIED".to_string(), 0, false),
            ("DECISION_ALLOW".to_string(), 1, false),
            ("DECISION_DENY".to_string(), 2, false),
        ]),
    );
    let fixed = [
        (
            "CheckPermissionsRequest",
            vec![
                ("team_id", 1, "LABEL_OPTIONAL", "TYPE_STRING", String::new()),
                ("user_id", 2, "LABEL_OPTIONAL", "TYPE_STRING", String::new()),
                ("entity_id", 3, "LABEL_OPTIONAL", "TYPE_STRING", String::new()),
                ("entity_type", 4, "LABEL_OPTIONAL", "TYPE_ENUM", t("EntityType")),
                ("permissions", 5, "LABEL_REPEATED", "TYPE_ENUM", t("Permission")),
            ],
        ),
        (
            "PermissionDecision",
            vec![
                ("permission", 1, "LABEL_OPTIONAL", "TYPE_ENUM", t("Permission")),
                ("decision", 2, "LABEL_OPTIONAL", "TYPE_ENUM", t("Decision")),
            ],
        ),
        ("CheckPermissionsResponse", vec![("decisions", 1, "LABEL_REPEATED", "TYPE_MESSAGE", t("PermissionDecision"))]),
        (
            "EntityRef",
            vec![
                ("entity_type", 1, "LABEL_OPTIONAL", "TYPE_ENUM", t("EntityType")),
                ("entity_id", 2, "LABEL_OPTIONAL", "TYPE_STRING", String::new()),
            ],
        ),
        (
            "RoleAssignment",
            vec![
                ("user_id", 1, "LABEL_OPTIONAL", "TYPE_STRING", String::new()),
                ("role", 2, "LABEL_OPTIONAL", "TYPE_ENUM", t("Role")),
                ("entity", 3, "LABEL_OPTIONAL", "TYPE_MESSAGE", t("EntityRef")),
            ],
        ),
        (
            "ListPermissionsRequest",
            vec![
                ("team_id", 1, "LABEL_OPTIONAL", "TYPE_STRING", String::new()),
                ("user_id", 2, "LABEL_OPTIONAL", "TYPE_STRING", String::new()),
                ("path", 3, "LABEL_REPEATED", "TYPE_MESSAGE", t("EntityRef")),
            ],
        ),
        ("ListPermissionsResponse", vec![("permissions", 1, "LABEL_REPEATED", "TYPE_ENUM", t("Permission"))]),
    ];
    for (message, fields) in fixed {
        let Some(found) = message_fields(file, message) else {
            m.fail(format!("no message {message}"));
            continue;
        };
        let found: Vec<(String, i64, String, String, String)> =
            found.into_iter().map(|f| (f.name, f.number, f.label, f.ty, f.type_name)).collect();
        let expected: Vec<(String, i64, String, String, String)> = fields
            .into_iter()
            .map(|(n, num, l, ty, tn)| (n.to_string(), num, l.to_string(), ty.to_string(), tn))
            .collect();
        m.check(&format!("message {message}: (field, number, label, type)"), found, expected);
    }
    m.check(
        "service PermissionService",
        service_methods(file, "PermissionService"),
        Some(vec![
            ("CheckPermissions".to_string(), t("CheckPermissionsRequest"), t("CheckPermissionsResponse")),
            ("ListPermissions".to_string(), t("ListPermissionsRequest"), t("ListPermissionsResponse")),
        ]),
    );
}

/// With policies: `enum Policy` (checked with the other enums numbered by id) and the policy
/// check's messages and service; without: none of them.
fn compare_proto_policies(m: &mut Mismatches, model: &Model, file: &Value, t: &dyn Fn(&str) -> String) {
    if model.policies.is_empty() {
        m.check("enum Policy without policies", proto_enum(file, "Policy").is_some(), false);
        m.check(
            "message CheckPolicyRequest without policies",
            message_fields(file, "CheckPolicyRequest").is_some(),
            false,
        );
        return;
    }
    let fields = |name: &str| -> Vec<(String, i64, String, String, bool)> {
        message_fields(file, name)
            .unwrap_or_default()
            .into_iter()
            .map(|f| (f.name, f.number, f.ty, f.type_name, f.optional))
            .collect()
    };
    let field = |n: &str, num: i64, ty: &str, type_name: String, optional: bool| {
        (n.to_string(), num, ty.to_string(), type_name, optional)
    };
    m.check(
        "message CheckPolicyRequest",
        fields("CheckPolicyRequest"),
        vec![
            field("team_id", 1, "TYPE_STRING", String::new(), false),
            field("user_id", 2, "TYPE_STRING", String::new(), false),
            field("entity_id", 3, "TYPE_STRING", String::new(), false),
            field("policy", 4, "TYPE_ENUM", t("Policy"), false),
        ],
    );
    m.check(
        "message PolicyDecision",
        fields("PolicyDecision"),
        vec![
            field("policy", 1, "TYPE_ENUM", t("Policy"), false),
            field("decision", 2, "TYPE_ENUM", t("Decision"), false),
            field("rule_index", 3, "TYPE_UINT32", String::new(), true),
            field("rule_name", 4, "TYPE_STRING", String::new(), false),
        ],
    );
    m.check(
        "message CheckPolicyResponse",
        fields("CheckPolicyResponse"),
        vec![field("decision", 1, "TYPE_MESSAGE", t("PolicyDecision"), false)],
    );
    m.check(
        "service PolicyService",
        service_methods(file, "PolicyService"),
        Some(vec![("CheckPolicy".to_string(), t("CheckPolicyRequest"), t("CheckPolicyResponse"))]),
    );
}
