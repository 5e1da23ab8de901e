// Runs every scenario of `scenarios.tsv` (written by `role_gen_tests::access::write_tsv`) through
// the generated `checkAccess` and `permissionsOn` of `roles.ts`, and prints one JSON report: a
// line per scenario (`allow N`, `deny`, `holds P,Q`, `error KIND`) for
// `tests/compilers/typescript.rs` to compare with role-gen's own model, the metadata objects (to
// compare with roles.json), and the problems the program finds itself.
//
// `node out/check.js` asks as a caller would, and also checks that `permissionsOn` is exactly
// what `checkAccess` allows. `node out/check.js polluted` first adds to `Object.prototype`
// everything a hostile dependency could (every index a table has, every name of the definition and more),
// before roles.js loads, so that the tables it builds at load see it too; then, for each
// scenario, `role`, `entity` and `id` getters there that name an assignment granting exactly
// what is asked. It passes the assignments and the path as class instances (their fields are
// getters of the class), after a hole, an empty object, a null-prototype object and an
// assignment of a role that exists only on `Object.prototype`. Every line must be the same (it
// asks every `stride`-th scenario, so that it asks at most 30,000).
import { readFileSync } from "node:fs";

import type * as Roles from "./roles.js";

const polluted = process.argv[2] === "polluted";

/** One line of scenarios.tsv, read. */
interface Scenario {
  readonly assignments: readonly Roles.Assignment[];
  readonly path: readonly Roles.EntityRef[];
  /** `null` asks `permissionsOn`. */
  readonly permission: Roles.Permission | null;
}

function parseScenario(line: string): Scenario {
  const [kind = "", assignments = "", path = "", permission = ""] = line.split("\t");
  const list = (text: string): string[] => text.split(",").filter((part) => part !== "");
  return {
    assignments: list(assignments).map((a) => {
      const [role = "", rest = ""] = a.split("@");
      const [entity = "", id = ""] = rest.split("#");
      return { role: role as Roles.Role, entity: entity as Roles.EntityType, id };
    }),
    path: list(path).map((ref) => {
      const [entity = "", id = ""] = ref.split("#");
      return { entity: entity as Roles.EntityType, id };
    }),
    permission: kind === "check" ? (permission as Roles.Permission) : null,
  };
}

const SCENARIOS: readonly Scenario[] = readFileSync("scenarios.tsv", "utf8")
  .split("\n")
  .filter((line) => line !== "")
  .map(parseScenario);

// Names nothing in the definition has, which the pollution gives meanings of its own.
const FAKE_ROLE = "polluted_role";
const FAKE_ENTITY = "polluted_entity";
const FAKE_PERMISSION = "polluted_permission";
const protoTable = Object.prototype as unknown as { [key: string]: unknown };
const pollutedKeys: string[] = [];
function pollute(key: string, value: unknown): void {
  protoTable[key] = value;
  pollutedKeys.push(key);
}

if (polluted) {
  // Before roles.js loads: every index (an array hole, a position set built at load), and every
  // name of the definition and the fake ones, each with a value that would grant everything in
  // whichever table it were read from (a parent of `null` makes any type a root; a list holding
  // every name makes a role hold everything, a permission apply everywhere).
  const names = new Set<string>([FAKE_ROLE, FAKE_ENTITY, FAKE_PERMISSION]);
  for (const s of SCENARIOS) {
    for (const a of s.assignments) {
      names.add(a.role).add(a.entity);
    }
    for (const ref of s.path) {
      names.add(ref.entity);
    }
    if (s.permission !== null) {
      names.add(s.permission);
    }
  }
  const everything = Object.assign([...names], {
    id: 1,
    description: "polluted",
    group: null,
    includes: [...names],
    assignableOn: [...names],
    permissions: [...names],
    entities: [...names],
    deprecated: false,
  });
  // Every index a table of the definition has (its names outnumber its permissions, roles and
  // entity types), and a margin.
  for (let i = 0; i < names.size + 64; i++) {
    pollute(String(i), true);
  }
  for (const name of names) {
    // What `Object.prototype` has of its own (`constructor`) is no pollution: left alone.
    if (!(name in Object.prototype)) {
      pollute(name, everything);
    }
  }
  for (const name of ["parent", "assignableOn", "permissions", "entities", "includes"]) {
    pollute(name, [...names]);
  }
}

const roles: typeof Roles = await import("./roles.js");
const { checkAccess, permissionsOn, PathError, PERMISSIONS, ROLES, ENTITY_PARENTS } = roles;
// The metadata as plain tables (so that the program compiles also for a definition without
// permissions or roles, whose name types are `never`).
const permissionTable: { readonly [p: string]: Roles.PermissionInfo } = PERMISSIONS;
const roleTable: { readonly [r: string]: Roles.RoleInfo } = ROLES;

// From here on, no destructuring of arrays and no early exit from a `for … of`: with
// `Object.prototype.return` polluted (hostile has a permission named `return`), the iterator
// protocol itself throws.

const problems: string[] = [];

// The kind a `PathError`'s message says, read from the words alone: the message must say which
// mistake it is, and agree with `kind`.
const MESSAGES: readonly (readonly [Roles.PathErrorKind, RegExp])[] = [
  ["empty", /^the path is empty: it starts with the entity checked$/],
  ["not-parent", /^path\[(\d+)\] is of type `[a-z0-9_]+`, but the parent type of path\[(\d+)\] is `[a-z0-9_]+`$/],
  ["incomplete", /^the path stops at path\[\d+\], whose parent of type `[a-z0-9_]+` is missing$/],
  ["past-root", /^path\[(\d+)\] goes past path\[(\d+)\], which has no parent$/],
  ["not-applicable", /^permission `[a-z0-9_]+` is not checked against `[a-z0-9_]+`$/],
  ["not-an-entity", /^path\[\d+\] is not an entity of this build: /],
  ["unknown-permission", /^the permission asked is not one of this build's$/],
];

function errorLine(e: unknown, where: string): string {
  if (!(e instanceof PathError) || !(e instanceof RangeError)) {
    problems.push(`${where}: threw ${String(e)}, not a PathError (a RangeError)`);
    return `error threw ${String(e)}`;
  }
  const said = MESSAGES.find((m) => m[1].test(e.message))?.[0];
  if (said !== e.kind || e.name !== "PathError") {
    problems.push(`${where}: ${e.name} of kind ${e.kind} says ${JSON.stringify(e.message)}`);
  }
  return `error ${e.kind}`;
}

/** The line a scenario prints; `offset` assignments come before the scenario's own. */
function answer(s: Scenario, assignments: readonly Roles.Assignment[], path: readonly Roles.EntityRef[], offset: number, where: string): string {
  try {
    if (s.permission === null) {
      const held = permissionsOn(assignments, path);
      if (!(held instanceof Set)) {
        problems.push(`${where}: permissionsOn gave no Set`);
      }
      return `holds ${[...held].join(",")}`;
    }
    const decided = checkAccess(assignments, path, s.permission);
    if (decided === null) {
      return "deny";
    }
    const at = assignments.indexOf(decided);
    return at < offset ? `allow ${at < 0 ? "an object not passed" : `${at - offset} (an injected one)`}` : `allow ${at - offset}`;
  } catch (e) {
    return errorLine(e, where);
  }
}

/** Every permission checked against `entity`, in id order. */
const applicableTo = new Map<string, readonly Roles.Permission[]>();
function applicable(entity: string): readonly Roles.Permission[] {
  const known = applicableTo.get(entity);
  if (known !== undefined) {
    return known;
  }
  const found = Object.keys(permissionTable).filter(
    (p) => (permissionTable[p]?.entities as readonly string[] | undefined)?.indexOf(entity) !== -1,
  ) as Roles.Permission[];
  applicableTo.set(entity, found);
  return found;
}

/** `permissionsOn` is what `checkAccess` allows, permission by permission; any other is refused. */
function consistent(s: Scenario, line: string, i: number): void {
  const target = s.path[0]?.entity;
  if (s.permission !== null || !line.startsWith("holds ") || target === undefined) {
    return;
  }
  const allowed = applicable(target).filter((p) => checkAccess(s.assignments, s.path, p) !== null);
  if (`holds ${allowed.join(",")}` !== line) {
    problems.push(`scenario ${i}: permissionsOn gave ${line}, checkAccess allows ${allowed.join(",")}`);
  }
  for (const p of Object.keys(permissionTable) as Roles.Permission[]) {
    if (applicable(target).indexOf(p) === -1) {
      const line = answer({ ...s, permission: p }, s.assignments, s.path, 0, `scenario ${i}, ${p}`);
      if (line !== "error not-applicable") {
        problems.push(`scenario ${i}: checkAccess of ${p}, not checked against ${target}, gave ${line}`);
      }
    }
  }
}

// Assignments and entity references whose fields are getters of their class.
class StoredAssignment {
  readonly #row: Roles.Assignment;
  constructor(row: Roles.Assignment) {
    this.#row = row;
  }
  get role(): Roles.Role {
    return this.#row.role;
  }
  get entity(): Roles.EntityType {
    return this.#row.entity;
  }
  get id(): string {
    return this.#row.id;
  }
}
class Ref {
  readonly #ref: Roles.EntityRef;
  constructor(ref: Roles.EntityRef) {
    this.#ref = ref;
  }
  get entity(): Roles.EntityType {
    return this.#ref.entity;
  }
  get id(): string {
    return this.#ref.id;
  }
}

/** A role that would grant what `s` asks on its target, for the pollution to name. */
function tempting(s: Scenario): Roles.Role | undefined {
  const target = s.path.length > 0 ? s.path[0]?.entity : undefined;
  const candidates = Object.keys(roleTable).filter(
    (r) => target !== undefined && roleTable[r]?.assignableOn.indexOf(target) !== -1,
  );
  const wanted = s.permission;
  const granting = candidates.find((r) => wanted !== null && roleTable[r]?.permissions.indexOf(wanted) !== -1);
  return (granting ?? candidates[0]) as unknown as Roles.Role | undefined;
}

// The assignment the pollution names while a scenario is asked: `Object.prototype.role`,
// `.entity` and `.id` are its fields, and `Object.prototype[0]` (what a hole reads) is it whole.
// Getters installed once, reading this variable: redefining properties of `Object.prototype`
// for every scenario would make node discard its optimized code every time.
let attack: { readonly role?: string; readonly entity?: string; readonly id?: string } = {};
function installGetters(): void {
  // Writing the property makes it the object's own, as for a data property.
  function set(this: object, key: string, value: unknown): void {
    Object.defineProperty(this, key, { value, writable: true, enumerable: true, configurable: true });
  }
  for (const key of ["role", "entity", "id"] as const) {
    Object.defineProperty(Object.prototype, key, {
      get: () => attack[key],
      set(this: object, value: unknown) {
        set.call(this, key, value);
      },
      configurable: true,
    });
  }
  Object.defineProperty(Object.prototype, "0", {
    get: () => attack,
    set(this: object, value: unknown) {
      set.call(this, "0", value);
    },
    configurable: true,
  });
}

/** `s` asked with everything the pollution could fool (see the top of this file). */
function pollutedAnswer(s: Scenario, i: number): string {
  const target = s.path.length > 0 ? s.path[0] : undefined;
  const role = tempting(s);
  attack = target === undefined || role === undefined ? {} : { role, entity: target.entity, id: target.id };
  const assignments: Roles.Assignment[] = [];
  assignments.length = 1; // a hole
  assignments.push(
    {} as Roles.Assignment,
    Object.create(null) as Roles.Assignment,
    { role: FAKE_ROLE, entity: target?.entity, id: target?.id } as unknown as Roles.Assignment,
    ...s.assignments.map((a) => new StoredAssignment(a) as Roles.Assignment),
  );
  const path = s.path.map((ref) => new Ref(ref) as Roles.EntityRef);
  return answer(s, assignments, path, 4, `scenario ${i} (polluted)`);
}

if (polluted) {
  installGetters();
}
// Polluted, every `stride`-th scenario (at most 30,000 of them: with indices on
// `Object.prototype`, node takes its slow path for every array operation).
const stride = polluted ? Math.ceil(SCENARIOS.length / 30_000) : 1;
const lines: string[] = [];
for (let i = 0; i < SCENARIOS.length; i += stride) {
  const s = SCENARIOS[i] as Scenario;
  const line = polluted ? pollutedAnswer(s, i) : answer(s, s.assignments, s.path, 0, `scenario ${i}`);
  if (!polluted) {
    consistent(s, line, i);
  }
  lines.push(line);
}
attack = {};
for (const key of ["role", "entity", "id", "0"]) {
  delete protoTable[key];
}
if (polluted) {
  protoTable["0"] = true;
}

// What no scenario of the model can ask: names of no definition, and holes. With the pollution,
// `Object.prototype` holds each of these names and every index.
const somePath = SCENARIOS.find((s) => s.path.length > 0 && !answer(s, s.assignments, s.path, 0, "").startsWith("error"))?.path;
const someRole = Object.keys(roleTable)[0];
const somePermission = Object.keys(permissionTable)[0] as unknown as Roles.Permission | undefined;
if (somePath !== undefined && somePermission !== undefined) {
  const target = somePath[0];
  const expect = (what: string, found: string, wanted: string): void => {
    if (found !== wanted) {
      problems.push(`${what}: ${found}, expected ${wanted}`);
    }
  };
  const ask = (assignments: readonly Roles.Assignment[], path: readonly Roles.EntityRef[], p: Roles.Permission | null): string =>
    answer({ assignments, path, permission: p }, assignments, path, 0, "an extra case");
  // Holes, which read `Object.prototype[i]`: for now, the path's own entities.
  const hole: Roles.EntityRef[] = [];
  hole.length = somePath.length;
  const indices = somePath.map((ref, i) => {
    const saved = protoTable[String(i)];
    protoTable[String(i)] = ref;
    return saved;
  });
  expect("a path of holes", ask([], hole, null), "error not-an-entity");
  indices.forEach((saved, i) => {
    if (saved === undefined) {
      delete protoTable[String(i)];
    } else {
      protoTable[String(i)] = saved;
    }
  });
  expect("a path of an unknown entity type", ask([], [{ entity: FAKE_ENTITY as Roles.EntityType, id: "t0" }], null), "error not-an-entity");
  expect("a path entry without an id", ask([], [{ entity: target?.entity } as Roles.EntityRef, ...somePath.slice(1)], null), "error not-an-entity");
  expect("an unknown permission", ask([], somePath, FAKE_PERMISSION as Roles.Permission), "error unknown-permission");
  if (someRole !== undefined && target !== undefined) {
    // Fields missing or of the wrong type: the row grants nothing, even where the model's
    // complete row would.
    for (const row of [
      { role: someRole, entity: target.entity },
      { role: someRole, id: target.id },
      { entity: target.entity, id: target.id },
      { role: someRole, entity: target.entity, id: 0 },
      { role: FAKE_ROLE, entity: target.entity, id: target.id },
      null,
      "admin",
    ]) {
      expect(`checkAccess with ${JSON.stringify(row)}`, ask([row as unknown as Roles.Assignment], somePath, somePermission).replace(/^error not-applicable$/, "deny"), "deny");
      expect(`permissionsOn with ${JSON.stringify(row)}`, ask([row as unknown as Roles.Assignment], somePath, null), "holds ");
    }
  }
}

for (const key of pollutedKeys) {
  delete protoTable[key];
}

console.log(
  JSON.stringify({
    lines,
    stride,
    problems,
    permissions_meta: Object.entries(PERMISSIONS),
    roles_meta: Object.entries(ROLES),
    entity_parents: Object.entries(ENTITY_PARENTS),
  }),
);
