// Prints every answer of the generated `roles.ts` as one JSON report, for
// `tests/compilers/typescript.rs` to compare with `roles.json`. The arguments are the name
// probes; `failures` lists what the program finds wrong itself.
import {
  ENTITY_TYPE_IDS,
  EntityType,
  Permission,
  PERMISSION_IDS,
  ROLE_IDS,
  ROLE_PERMISSIONS,
  Role,
  hasPermission,
  isPermission,
  isRole,
} from "./roles.js";
import * as generated from "./roles.js";

// The declared types (compile-time checks).
const permissionIds: { readonly [P in Permission]: number } = PERMISSION_IDS;
const roleIds: { readonly [R in Role]: number } = ROLE_IDS;
const entityIds: { readonly [E in EntityType]: number } = ENTITY_TYPE_IDS;
// POLICY_IDS exists only with policies.
const policyIds = Object.entries(generated).find(([name]) => name === "POLICY_IDS")?.[1];
const rolePermissions: { readonly [R in Role]: readonly Permission[] } = ROLE_PERMISSIONS;
function narrowed(x: string): Permission | Role | undefined {
  if (isPermission(x)) {
    const p: Permission = x;
    return p;
  }
  if (isRole(x)) {
    const r: Role = x;
    return r;
  }
  return undefined;
}
const entityTypes: readonly EntityType[] = Object.values(EntityType);

// `LegacyRole` exists only with `[legacy]`: looked up by name, so one program serves both (and
// an export that should not be there shows up as keys roles.json does not have).
const legacyRole = Object.entries(generated).find(([name]) => name === "LegacyRole")?.[1];

const permissions: readonly Permission[] = Object.values(Permission);
const roles: readonly Role[] = Object.values(Role);

const failures: string[] = [];
function expect(condition: boolean, message: string): void {
  if (!condition) {
    failures.push(message);
  }
}

expect(isPermission("toString") === false, 'isPermission("toString") must be false');
expect(isPermission("__proto__") === false, 'isPermission("__proto__") must be false');
expect(
  isPermission("constructor") === (permissions as readonly string[]).includes("constructor"),
  'isPermission("constructor") must say whether constructor is a permission',
);
expect(isRole("toString") === false, 'isRole("toString") must be false');
expect(isRole("__proto__") === false, 'isRole("__proto__") must be false');
expect(
  isRole("constructor") === (roles as readonly string[]).includes("constructor"),
  'isRole("constructor") must say whether constructor is a role',
);

// No roles hold nothing.
for (const p of permissions) {
  expect(hasPermission([], p) === false, `hasPermission([], "${p}") must be false`);
}

// A string that is not a role (say, from a token) holds nothing, and does not throw.
for (const bogus of ["toString", "__proto__", "constructor", "hasOwnProperty", "valueOf"]) {
  if (isRole(bogus)) {
    continue;
  }
  for (const p of permissions) {
    let result: unknown;
    try {
      result = hasPermission(bogus as Role, p);
    } catch (e) {
      result = `threw ${String(e)}`;
    }
    expect(result === false, `hasPermission("${bogus}" as Role, "${p}") gave ${String(result)}`);
  }
}

const probes: readonly string[] = [
  ...process.argv.slice(2),
  ...permissions,
  ...roles,
  ...permissions.map((p) => p.toUpperCase()),
  ...roles.map((r) => r.toUpperCase()),
  ...Object.keys(Permission),
  ...Object.keys(Role),
];

const report = {
  permission_keys: Object.entries(Permission),
  role_keys: Object.entries(Role),
  entity_keys: Object.entries(EntityType),
  entity_values: entityTypes,
  legacy_keys: Object.entries(legacyRole ?? {}),
  legacy_exports: Object.keys(generated).filter((name) => name === "LegacyRole" || name === "LEGACY_LEVELS"),
  permission_ids: Object.entries(permissionIds),
  role_ids: Object.entries(roleIds),
  entity_ids: Object.entries(entityIds),
  policy_ids: Object.entries(policyIds ?? {}),
  role_permissions: Object.entries(rolePermissions),
  has: roles.flatMap((r) => permissions.map((p) => [r, p, hasPermission(r, p)])),
  has_one: roles.flatMap((r) => permissions.map((p) => [r, p, hasPermission([r], p)])),
  pairs: roles.flatMap((a) => roles.map((b) => [a, b, permissions.filter((p) => hasPermission([a, b], p))])),
  is_permission: probes.map((x) => [x, isPermission(x)]),
  is_role: probes.map((x) => [x, isRole(x)]),
  narrowed: probes.map((x) => [x, narrowed(x) ?? null]),
  failures,
};
console.log(JSON.stringify(report));
