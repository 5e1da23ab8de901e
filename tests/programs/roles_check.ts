// Prints every answer of the generated `roles.ts` as one JSON report, for
// `tests/compilers/typescript.rs` to compare with `roles.json`. The arguments are the name
// probes; `failures` lists what the program finds wrong itself.
import {
  ENTITY_PARENTS,
  ENTITY_TYPE_IDS,
  EntityType,
  Permission,
  PERMISSIONS,
  PERMISSION_IDS,
  ROLES,
  ROLE_IDS,
  ROLE_PERMISSIONS,
  Role,
  checkAccess,
  hasPermission,
  isPermission,
  isRole,
  permissionsOn,
} from "./roles.js";
import type { Assignment, EntityRef, PathError, PathErrorKind, PermissionInfo, RoleInfo } from "./roles.js";
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

// The entity decisions and their metadata have exactly the types SPEC section 7 gives them
// (compile-time checks: `Equal` is true only for identical types, so a wider index signature,
// a missing `readonly` or an extra member fails to compile).
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const exact: readonly true[] = [
  true satisfies Equal<Assignment, { readonly role: Role; readonly entity: EntityType; readonly id: string }>,
  true satisfies Equal<EntityRef, { readonly entity: EntityType; readonly id: string }>,
  true satisfies Equal<
    typeof checkAccess,
    (assignments: readonly Assignment[], path: readonly EntityRef[], permission: Permission) => Assignment | null
  >,
  true satisfies Equal<
    typeof permissionsOn,
    (assignments: readonly Assignment[], path: readonly EntityRef[]) => ReadonlySet<Permission>
  >,
  true satisfies Equal<typeof PERMISSIONS, { readonly [P in Permission]: PermissionInfo }>,
  true satisfies Equal<typeof ROLES, { readonly [R in Role]: RoleInfo }>,
  true satisfies Equal<typeof ENTITY_PARENTS, { readonly [E in EntityType]: EntityType | null }>,
  true satisfies Equal<
    PermissionInfo,
    {
      readonly id: number;
      readonly description: string;
      readonly group: string | null;
      readonly entities: readonly EntityType[];
      readonly deprecated: boolean | string;
    }
  >,
  true satisfies Equal<
    RoleInfo,
    {
      readonly id: number;
      readonly description: string;
      readonly includes: readonly Role[];
      readonly assignableOn: readonly EntityType[];
      readonly permissions: readonly Permission[];
    }
  >,
  true satisfies Equal<PathError["kind"], PathErrorKind>,
];

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
  permissions_meta: Object.entries(PERMISSIONS),
  roles_meta: Object.entries(ROLES),
  entity_parents: Object.entries(ENTITY_PARENTS),
  exact: exact.length,
  has: roles.flatMap((r) => permissions.map((p) => [r, p, hasPermission(r, p)])),
  has_one: roles.flatMap((r) => permissions.map((p) => [r, p, hasPermission([r], p)])),
  pairs: roles.flatMap((a) => roles.map((b) => [a, b, permissions.filter((p) => hasPermission([a, b], p))])),
  is_permission: probes.map((x) => [x, isPermission(x)]),
  is_role: probes.map((x) => [x, isRole(x)]),
  narrowed: probes.map((x) => [x, narrowed(x) ?? null]),
  failures,
};
console.log(JSON.stringify(report));
