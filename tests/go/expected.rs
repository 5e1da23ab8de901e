//! What the Go program must print, line for line: for `check`, from roles.json (the oracle of
//! every target); for `access`, from role-gen's model (`Model::check_access`, `permissions_on`,
//! `PathError::describe`). The line formats are the program's (tests/programs/go).

use std::collections::BTreeSet;

use role_gen::model::PathError;
use role_gen_tests::access::{self, Question, Scenario};
use role_gen_tests::{Model, PermissionInfo, RoleInfo};
use serde_json::Value;

/// Text as the program prints it: hex of its bytes.
fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

fn line(fields: &[String]) -> String {
    fields.join("\t")
}

/// `true`/`false`, as Go prints a bool.
fn yes(b: bool) -> String {
    b.to_string()
}

/// The permissions of `held`, in id (output) order, comma-separated.
fn in_order(json: &Model, held: &BTreeSet<&str>) -> String {
    json.permissions
        .iter()
        .filter(|p| held.contains(p.name.as_str()))
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn effective(role: &RoleInfo) -> BTreeSet<&str> {
    role.effective_permissions.iter().map(String::as_str).collect()
}

/// `name` and each ancestor's, parent first, from roles.json's `parent`s.
fn ancestors(json: &Model, name: &str) -> Vec<String> {
    let parent = |e: &str| -> Option<String> {
        let entity = json.json["entities"].as_array()?.iter().find(|x| x["name"] == e)?;
        entity["parent"].as_str().map(str::to_string)
    };
    let mut out = Vec::new();
    let mut at = parent(name);
    while let Some(p) = at {
        at = parent(&p);
        out.push(p);
    }
    out
}

/// Every line of `check PROBE…`, in the program's order.
pub fn check(json: &Model, probes: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let csv = |names: &[String]| names.join(",");
    let permission_names: Vec<String> = json.permissions.iter().map(|p| p.name.clone()).collect();
    let role_names: Vec<String> = json.roles.iter().map(|r| r.name.clone()).collect();
    out.push(line(&["all".into(), "entity".into(), csv(&json.entities)]));
    out.push(line(&["all".into(), "permission".into(), csv(&permission_names)]));
    out.push(line(&["all".into(), "role".into(), csv(&role_names)]));
    for (name, id) in json.entities.iter().zip(&json.entity_ids) {
        entity(&mut out, json, name, *id);
    }
    for p in &json.permissions {
        permission(&mut out, json, p);
    }
    for r in &json.roles {
        role(&mut out, json, r);
    }
    legacy(&mut out, json);
    policies(&mut out, json);
    valid(&mut out, json);
    out.push("invalid\tEntityType(0)\tPermission(0)\tRole(0)\tPermission(4294967295)".into());
    out.push("empty\ttrue\t0\t".into());
    parses(&mut out, json, probes);
    out
}

fn entity(out: &mut Vec<String>, json: &Model, name: &str, id: u32) {
    let item = json.json["entities"].as_array().and_then(|a| a.iter().find(|e| e["name"] == name)).cloned();
    let item = item.unwrap_or(Value::Null);
    let checked: BTreeSet<&str> = json
        .permissions
        .iter()
        .filter(|p| json.permission_entities(p).iter().any(|e| e == name))
        .map(|p| p.name.as_str())
        .collect();
    out.push(line(&[
        "entity".into(),
        name.into(),
        id.to_string(),
        id.to_string(),
        yes(true),
        yes(true),
        hex(item["description"].as_str().unwrap_or_default()),
        item["parent"].as_str().unwrap_or("-").into(),
        ancestors(json, name).join(","),
        in_order(json, &checked),
    ]));
    for other in &json.entities {
        let within = other == name || ancestors(json, name).contains(other);
        out.push(line(&["within".into(), name.into(), other.clone(), yes(within)]));
    }
}

fn permission(out: &mut Vec<String>, json: &Model, p: &PermissionInfo) {
    let item = json.json["permissions"].as_array().and_then(|a| a.iter().find(|x| x["name"] == p.name.as_str()));
    let group = item.and_then(|i| i["group"].as_str()).map_or_else(|| "-".to_string(), hex);
    let entities = json.permission_entities(p);
    out.push(line(&[
        "permission".into(),
        p.name.clone(),
        p.id.to_string(),
        p.id.to_string(),
        yes(true),
        yes(true),
        hex(&p.description),
        entities.join(","),
        group,
        yes(p.deprecated),
    ]));
    out.push(line(&["variants".into(), p.name.clone(), yes(true)]));
    for e in &json.entities {
        out.push(line(&["applies".into(), p.name.clone(), e.clone(), yes(entities.contains(e))]));
    }
}

fn role(out: &mut Vec<String>, json: &Model, r: &RoleInfo) {
    let includes: Vec<&str> =
        json.roles.iter().filter(|x| r.includes.contains(&x.name)).map(|x| x.name.as_str()).collect();
    let on = json.role_assignable_on(r);
    out.push(line(&[
        "role".into(),
        r.name.clone(),
        r.id.to_string(),
        r.id.to_string(),
        yes(true),
        yes(true),
        hex(&r.description),
        includes.join(","),
        on.join(","),
    ]));
    let mine = effective(r);
    out.push(line(&[
        "effective".into(),
        r.name.clone(),
        in_order(json, &mine),
        mine.len().to_string(),
        yes(mine.is_empty()),
        yes(true),
    ]));
    let direct: BTreeSet<&str> = r.permissions.iter().map(String::as_str).collect();
    out.push(line(&["direct".into(), r.name.clone(), in_order(json, &direct), yes(true)]));
    for p in &json.permissions {
        let has = yes(mine.contains(p.name.as_str()));
        out.push(line(&["has".into(), r.name.clone(), p.name.clone(), has.clone(), has]));
    }
    for e in &json.entities {
        out.push(line(&["assignable".into(), r.name.clone(), e.clone(), yes(on.contains(e))]));
    }
    for other in &json.roles {
        let theirs = effective(other);
        let union: BTreeSet<&str> = mine.union(&theirs).copied().collect();
        let both: BTreeSet<&str> = mine.intersection(&theirs).copied().collect();
        let only: BTreeSet<&str> = mine.difference(&theirs).copied().collect();
        out.push(line(&[
            "pair".into(),
            r.name.clone(),
            other.name.clone(),
            in_order(json, &union),
            in_order(json, &union),
            in_order(json, &both),
            in_order(json, &only),
            yes(mine.is_subset(&theirs)),
        ]));
    }
}

fn legacy(out: &mut Vec<String>, json: &Model) {
    if json.legacy_levels.is_empty() {
        return;
    }
    out.push(line(&["all".into(), "legacy".into(), json.legacy_levels.join(",")]));
    for (i, level) in json.legacy_levels.iter().enumerate() {
        let fields = ["legacy".into(), level.clone(), (i + 1).to_string(), yes(true), yes(true), yes(true)];
        out.push(line(&fields));
    }
    out.push(format!("invalid\tlegacy\tLegacyRole(0)\tLegacyRole({})", json.legacy_levels.len() + 1));
}

fn policies(out: &mut Vec<String>, json: &Model) {
    if json.policies.is_empty() {
        return;
    }
    let names: Vec<String> = json.policies.iter().map(|(n, _)| n.clone()).collect();
    out.push(line(&["all".into(), "policy".into(), names.join(",")]));
    for (name, id) in &json.policies {
        let item = json.json["policies"].as_array().and_then(|a| a.iter().find(|x| x["name"] == name.as_str()));
        let item = item.cloned().unwrap_or(Value::Null);
        let rules = item["rules"].as_array().cloned().unwrap_or_default();
        let rules: Vec<String> = rules.iter().map(|r| hex(r["name"].as_str().unwrap_or_default())).collect();
        out.push(line(&[
            "policy".into(),
            name.clone(),
            id.to_string(),
            id.to_string(),
            yes(true),
            yes(true),
            hex(item["description"].as_str().unwrap_or_default()),
            item["entity"].as_str().unwrap_or_default().into(),
            rules.join(","),
        ]));
    }
    out.push("invalid\tpolicy\tPolicy(0)".into());
}

/// The `valid` lines: every value of 0..=70000 and the largest that is one of a type's.
fn valid(out: &mut Vec<String>, json: &Model) {
    for v in std::iter::once(u32::MAX).chain(0..=70_000) {
        let mut found = |kind: &str, name: Option<&str>| {
            if let Some(name) = name {
                out.push(format!("valid\t{kind}\t{v}\t{name}"));
            }
        };
        found("entity", json.entities.iter().zip(&json.entity_ids).find(|(_, id)| **id == v).map(|(n, _)| n.as_str()));
        found("permission", json.permissions.iter().find(|p| p.id == v).map(|p| p.name.as_str()));
        found("role", json.roles.iter().find(|r| r.id == v).map(|r| r.name.as_str()));
        let level = (v as usize).checked_sub(1).and_then(|i| json.legacy_levels.get(i));
        found("legacy", level.map(String::as_str));
        found("policy", json.policies.iter().find(|(_, id)| *id == v).map(|(n, _)| n.as_str()));
    }
}

/// The `parse` lines: the probes, then every name and every name uppercased.
fn parses(out: &mut Vec<String>, json: &Model, probes: &[&str]) {
    let mut names: Vec<String> = json.entities.clone();
    names.extend(json.permissions.iter().map(|p| p.name.clone()));
    names.extend(json.roles.iter().map(|r| r.name.clone()));
    names.extend(json.legacy_levels.iter().cloned());
    names.extend(json.policies.iter().map(|(n, _)| n.clone()));
    let upper: Vec<String> = names.iter().map(|n| n.to_ascii_uppercase()).collect();
    let all = probes.iter().map(|p| p.to_string()).chain(names).chain(upper);
    for probe in all {
        let is = |found: bool| if found { probe.clone() } else { "-".into() };
        out.push(line(&[
            "parse".into(),
            hex(&probe),
            is(json.entities.contains(&probe)),
            is(json.permissions.iter().any(|p| p.name == probe)),
            is(json.roles.iter().any(|r| r.name == probe)),
            is(json.legacy_levels.contains(&probe)),
            is(json.policies.iter().any(|(n, _)| *n == probe)),
        ]));
    }
}

/// Every line of `access`: each scenario's answer (an error with its message), then the
/// allocations of the answers that are not errors, then the questions about values of no
/// entity type or permission.
pub fn access(model: &role_gen::Model, scenarios: &[Scenario]) -> Vec<String> {
    let mut out = Vec::new();
    let (mut checks, mut ons) = (0, 0);
    for s in scenarios {
        let answer = access::expected(model, s);
        let error = match &s.question {
            Question::Check(p) => model.check_access(&s.assignments, &s.path, *p).err(),
            Question::On => model.permissions_on(&s.assignments, &s.path).err(),
        };
        match error {
            Some(e) => out.push(format!("{answer}\t{}", describe(model, &e))),
            None => {
                *if matches!(s.question, Question::Check(_)) { &mut checks } else { &mut ons } += 1;
                out.push(answer);
            }
        }
    }
    out.push(format!("allocations\t{checks}\t0\t{ons}\t0"));
    if !model.entities().is_empty() && !model.permissions().is_empty() {
        let entity = "error not-an-entity\tpath[0] is of type `EntityType(0)`, which is no entity type of this build";
        out.push(format!("junk\tentity\t{entity}"));
        out.push(format!("junk\tentity\t{entity}"));
        out.push(
            "junk\tpermission\terror unknown-permission\tpermission `Permission(0)` is no permission of this build"
                .into(),
        );
    }
    out
}

fn describe(model: &role_gen::Model, e: &PathError) -> String {
    e.describe(model)
}
