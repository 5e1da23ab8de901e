# Evaluates every row of `table.tsv` (written by `role_gen_tests::policies::write_table`) with
# the policies of the generated `roles.py`, every way (`evaluate`, `evaluate_legacy`, both
# rollout modes), and prints one JSON report: a line per row for `tests/compilers/python.rs`
# to compare with role-gen's own model, the problems the program finds itself, and the
# policies `Policy` lists.
#
# The facts come in two shapes, which must answer alike: a class whose predicates are found
# by `__getattr__` (so that mypy proves such a class is a `PolicyFacts`), and a plain object
# whose methods are set one by one, named as roles.py names them (`async_` for `async`).
# Checked by `mypy --strict` with `--always-true`/`--always-false` for HAS_LEGACY.
from __future__ import annotations

import json
import types
import typing
from collections.abc import Callable

import roles

HAS_LEGACY = hasattr(roles, "LegacyRole")

problems: list[str] = []


class Row(typing.NamedTuple):
    policy: roles.Policy
    legacy: str | None
    roles: list[roles.Role]
    predicates: dict[str, bool]


def parse_row(line: str) -> Row:
    policy, legacy, held, predicates = line.split("\t")
    found = roles.Policy.parse(policy)
    if found is None:
        raise SystemExit(f"no policy {policy!r} in roles.py")
    role_list = [roles.Role.parse(r) for r in held.split(",") if r]
    values: dict[str, bool] = {}
    for pair in filter(None, predicates.split(",")):
        name, value = pair.split("=")
        values[name] = value == "1"
    return Row(
        found,
        None if legacy == "-" else legacy,
        [r for r in role_list if r is not None],
        values,
    )


class Counter:
    calls = 0


def method_name(predicate: str) -> str:
    """How roles.py names a predicate's method: found in `PolicyFacts` itself."""
    for name in (predicate, f"{predicate}_"):
        if name in vars(roles.PolicyFacts):
            return name
    problems.append(f"PolicyFacts has no method for the predicate {predicate!r}")
    return predicate


class Facts:
    """Facts whose predicates `__getattr__` finds (`async_` answers `async`)."""

    def __init__(self, row: Row) -> None:
        self.row = row

    if HAS_LEGACY:

        def legacy_level(self) -> roles.LegacyRole | None:
            return None if self.row.legacy is None else roles.LegacyRole.parse(self.row.legacy)

    def has_permission(self, permission: roles.Permission) -> bool:
        Counter.calls += 1
        return permission in roles.permissions_of(self.row.roles)

    def __getattr__(self, name: str) -> Callable[[], bool]:
        predicates = self.row.predicates
        for predicate, value in predicates.items():
            if method_name(predicate) == name:
                return lambda: value
        raise AttributeError(name)


def plain_facts(row: Row) -> roles.PolicyFacts:
    """The same facts as a plain object, one attribute per method."""
    facts = Facts(row)
    plain = types.SimpleNamespace()
    if HAS_LEGACY:
        plain.legacy_level = facts.legacy_level
    plain.has_permission = facts.has_permission
    for predicate, value in row.predicates.items():
        setattr(plain, method_name(predicate), lambda value=value: value)
    return typing.cast(roles.PolicyFacts, plain)


def rule(index: int | None) -> str:
    return "-" if index is None else str(index)


def flag(value: bool) -> str:
    return "true" if value else "false"


def evaluate(i: int, row: Row, facts: roles.PolicyFacts) -> str:
    policy = row.policy
    full = policy.evaluate(facts)
    named = "default deny" if full.rule is None else policy.rule_names[full.rule]
    if full.policy is not policy or full.rule_name != named:
        problems.append(f"{i}: inconsistent decision {full}")
    if str(full) != expected_str(full):
        problems.append(f"{i}: str(decision) is {str(full)!r}")
    Counter.calls = 0
    legacy = policy.evaluate_legacy(facts)
    legacy_calls = Counter.calls
    reported: list[tuple[roles.Decision, roles.Decision]] = []

    def observe(a: roles.Decision, b: roles.Decision) -> None:
        reported.append((a, b))
        if a.allow == b.allow:
            problems.append(f"{i}: reported an agreement")

    dark = policy.evaluate_rollout(roles.RolloutMode.DARK, facts, observe)
    dark_reported = len(reported)
    light = policy.evaluate_rollout(roles.RolloutMode.LIGHT, facts, observe)
    if len(reported) != dark_reported:
        problems.append(f"{i}: light mode reported a disagreement")
    return "\t".join(
        [
            str(i),
            flag(full.allow),
            rule(full.rule),
            full.rule_name,
            flag(legacy.allow),
            rule(legacy.rule),
            str(legacy_calls),
            flag(dark.allow),
            rule(dark.rule),
            flag(dark_reported == 1),
            flag(light.allow),
            rule(light.rule),
        ]
    )


def expected_str(d: roles.Decision) -> str:
    answer = "allow" if d.allow else "deny"
    if d.rule is None:
        return f"{d.policy}: {answer} ({d.rule_name})"
    return f"{d.policy}: {answer} by rules[{d.rule}] `{d.rule_name}`"


def main() -> None:
    with open("table.tsv", encoding="utf-8") as table:
        rows = [parse_row(line.rstrip("\n")) for line in table if line.strip()]
    lines = [evaluate(i, row, Facts(row)) for i, row in enumerate(rows)]
    for i, row in enumerate(rows):
        again = evaluate(i, row, plain_facts(row))
        if again != lines[i]:
            problems.append(f"{i}: plain facts gave {again!r}, not {lines[i]!r}")
    if roles.Policy.parse("no_such_policy") is not None:
        problems.append("Policy.parse of an unknown name")
    report = {
        "lines": lines,
        "problems": problems,
        "policies": [str(p) for p in roles.Policy],
    }
    print(json.dumps(report))


main()
