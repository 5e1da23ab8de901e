// Evaluates every row of `table.tsv` with the generated `evaluatePolicy*` functions of
// `roles.ts`, every way, and prints one JSON report: a line per row for
// `tests/compilers/typescript.rs` to compare with role-gen's own model, the problems the program
// finds itself, and `Object.values(Policy)`.
import { readFileSync } from "node:fs";

import * as generated from "./roles.js";
import {
  POLICY_RULES,
  Policy,
  RolloutMode,
  evaluatePolicy,
  evaluatePolicyLegacy,
  evaluatePolicyRollout,
  hasPermission,
} from "./roles.js";
import type { Permission, PolicyFacts, Role } from "./roles.js";

// policy, legacy level (null for none), roles held, predicate values.
type Row = readonly [string, string | null, readonly string[], { readonly [name: string]: boolean }];

// A line of the table: `policy \t legacy-or-- \t role,role \t pred=0|1,…`.
function parseRow(line: string): Row {
  const [policy = "", legacy = "-", roles = "", predicates = ""] = line.split("\t");
  const values = predicates
    .split(",")
    .filter((p) => p !== "")
    .map((p): [string, boolean] => {
      const [name = "", value = ""] = p.split("=");
      return [name, value === "1"];
    });
  return [policy, legacy === "-" ? null : legacy, roles.split(",").filter((r) => r !== ""), Object.fromEntries(values)];
}

const ROWS: readonly Row[] = readFileSync("table.tsv", "utf8")
  .split("\n")
  .filter((line) => line !== "")
  .map(parseRow);

const lines: string[] = [];
const problems: string[] = [];
const rule = (r: number | null): string => (r === null ? "-" : String(r));

// Each row's facts, in one of the shapes callers pass: a plain object with every predicate, a
// plain object with only the true ones (absent is false), or a class whose facts are getters and
// methods on its prototype.
type Shape = "plain" | "sparse" | "class";
const counter = { calls: 0 };
const held = (row: Row, p: Permission): boolean => {
  counter.calls += 1;
  return hasPermission(row[2] as readonly Role[], p);
};
const trueOnly = (row: Row): { readonly [name: string]: boolean } =>
  Object.fromEntries(Object.entries(row[3]).filter(([, v]) => v));
class ClassFacts {
  constructor(private readonly row: Row) {}
  hasPermission(p: Permission): boolean {
    return held(this.row, p);
  }
  get legacy(): string | undefined {
    return this.row[1] ?? undefined;
  }
  get predicates(): { readonly [name: string]: boolean } {
    return trueOnly(this.row);
  }
}
function factsOf(row: Row, shape: Shape): PolicyFacts<Policy> {
  if (shape === "class") {
    return new ClassFacts(row) as unknown as PolicyFacts<Policy>;
  }
  const base = {
    hasPermission: (p: Permission): boolean => held(row, p),
    predicates: shape === "sparse" ? trueOnly(row) : row[3],
  };
  return (row[1] === null ? base : { ...base, legacy: row[1] }) as unknown as PolicyFacts<Policy>;
}

function evaluateRow(row: Row, i: number, shape: Shape): string {
  const policy = row[0] as Policy;
  const facts = factsOf(row, shape);
  const full = evaluatePolicy(policy, facts);
  const named = full.rule === null ? "default deny" : POLICY_RULES[policy][full.rule];
  if (full.policy !== policy || full.ruleName !== named) {
    problems.push(`${i}: inconsistent decision ${JSON.stringify(full)}`);
  }
  counter.calls = 0;
  const legacy = evaluatePolicyLegacy(policy, facts);
  const legacyCalls = counter.calls;
  let reported = 0;
  const observe = (l: { allow: boolean }, f: { allow: boolean }): void => {
    reported += 1;
    if (l.allow === f.allow) {
      problems.push(`${i}: reported an agreement`);
    }
  };
  const dark = evaluatePolicyRollout(policy, RolloutMode.DARK, facts, observe);
  const darkReported = reported;
  const light = evaluatePolicyRollout(policy, RolloutMode.LIGHT, facts, observe);
  if (reported !== darkReported) {
    problems.push(`${i}: light mode reported a disagreement`);
  }
  return [i, full.allow, rule(full.rule), full.ruleName, legacy.allow, rule(legacy.rule), legacyCalls, dark.allow,
    rule(dark.rule), darkReported === 1, light.allow, rule(light.rule)].join("\t");
}

ROWS.forEach((row, i) => lines.push(evaluateRow(row, i, "plain")));

// Prototype pollution: whatever a hostile dependency adds to `Object.prototype` (every predicate
// true, the highest legacy level, a `hasPermission` that says yes) is no fact about anybody, so
// every answer stays the same, whichever shape the facts have.
const polluted = Object.prototype as unknown as { [key: string]: unknown };
// `LEGACY_LEVELS` exists only with `[legacy]`: looked up by name, so one program serves both.
const levels = Object.entries(generated).find(([name]) => name === "LEGACY_LEVELS")?.[1];
const highest: unknown = Array.isArray(levels) ? levels[levels.length - 1] : "owner";
const pollution: { [key: string]: unknown } = {
  legacy: highest,
  hasPermission: (): boolean => true,
  predicates: new Proxy({}, { get: () => true }),
};
for (const row of ROWS) {
  for (const name of Object.keys(row[3])) {
    pollution[name] = true;
  }
}
for (const [key, value] of Object.entries(pollution)) {
  polluted[key] = value;
}
const shapes: readonly Shape[] = ["plain", "sparse", "class"];
ROWS.forEach((row, i) => {
  for (const shape of shapes) {
    const line = evaluateRow(row, i, shape);
    if (line !== lines[i]) {
      problems.push(`${i}: with Object.prototype polluted and ${shape} facts, ${line} instead of ${lines[i]}`);
    }
  }
});
for (const key of Object.keys(pollution)) {
  delete polluted[key];
}

// A policy a stale client does not know is denied, not a crash.
const anything = { hasPermission: () => true, predicates: {} } as unknown as PolicyFacts<Policy>;
const unknown = evaluatePolicy("no_such_policy" as Policy, anything);
if (unknown.allow !== false || unknown.rule !== null) {
  problems.push(`an unknown policy gave ${JSON.stringify(unknown)}`);
}

console.log(JSON.stringify({ lines, problems, policies: Object.values(Policy) }));
