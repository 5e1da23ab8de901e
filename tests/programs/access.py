# Runs every scenario of `scenarios.tsv` (written by `role_gen_tests::access::write_tsv`)
# through the generated `check_access` and `permissions_on` of `roles.py`, and prints one
# JSON report: a line per scenario (`allow N`, `deny`, `holds P,Q`, `error KIND`) for
# `tests/compilers/python.rs` to compare with role-gen's own model, and the problems the
# program finds itself:
#
# - every `PathError` is a `ValueError` whose message says the mistake its `kind` names;
# - `check_access` answers with the deciding assignment object itself;
# - `permissions_on` is exactly what `check_access` allows, and every permission not checked
#   against the target is refused (`not-applicable`);
# - the same answers with `int` ids instead of `str` ones (`Assignment` is generic);
# - what no scenario of the model can ask: a path element that is not an `EntityRef`, an
#   entity type or a permission that is a bare `int`, and stored rows whose fields are of the
#   wrong types, which grant nothing.
from __future__ import annotations

import json
import re
import typing

import roles

problems: list[str] = []

Id = typing.TypeVar("Id")


class Scenario(typing.NamedTuple):
    assignments: list[roles.Assignment[str]]
    path: list[roles.EntityRef[str]]
    # `None` asks `permissions_on`.
    permission: roles.Permission | None


def entity(name: str) -> roles.EntityType:
    found = roles.EntityType.parse(name)
    if found is None:
        raise SystemExit(f"no entity type {name!r} in roles.py")
    return found


def parse_scenario(line: str) -> Scenario:
    kind, assignments, path, *rest = line.split("\t")
    listed: list[roles.Assignment[str]] = []
    for text in filter(None, assignments.split(",")):
        role_name, placed = text.split("@")
        entity_name, id = placed.split("#")
        role = roles.Role.parse(role_name)
        if role is None:
            raise SystemExit(f"no role {role_name!r} in roles.py")
        listed.append(roles.Assignment(role, entity(entity_name), id))
    refs: list[roles.EntityRef[str]] = []
    for text in filter(None, path.split(",")):
        entity_name, id = text.split("#")
        refs.append(roles.EntityRef(entity(entity_name), id))
    permission = roles.Permission.parse(rest[0]) if kind == "check" else None
    if kind == "check" and permission is None:
        raise SystemExit(f"no permission {rest[0]!r} in roles.py")
    return Scenario(listed, refs, permission)


# The kind a `PathError`'s message says, read from its words alone.
MESSAGES: list[tuple[str, str]] = [
    ("empty", r"the path is empty: it starts with the entity checked"),
    (
        "not-parent",
        r"path\[\d+\] is of type `[a-z0-9_]+`, but the parent type of path\[\d+\] "
        r"is `[a-z0-9_]+`",
    ),
    ("incomplete", r"the path stops at path\[\d+\], whose parent of type `[a-z0-9_]+` is missing"),
    ("past-root", r"path\[\d+\] goes past path\[\d+\], which has no parent"),
    ("not-applicable", r"permission `[a-z0-9_]+` is not checked against `[a-z0-9_]+`"),
    ("not-an-entity", r"path\[\d+\] is not an entity of this build: .*"),
    ("unknown-permission", r"the permission asked is not one of this build's"),
]


def error_line(e: roles.PathError, where: str) -> str:
    said = [kind for kind, pattern in MESSAGES if re.fullmatch(pattern, str(e))]
    if said != [e.kind] or not isinstance(e, ValueError):
        problems.append(f"{where}: a PathError of kind {e.kind} says {str(e)!r}")
    return f"error {e.kind}"


def answer(
    assignments: list[roles.Assignment[Id]],
    path: list[roles.EntityRef[Id]],
    permission: roles.Permission | None,
    where: str,
) -> str:
    try:
        if permission is None:
            held = roles.permissions_on(assignments, path)
            if not isinstance(held, frozenset):
                problems.append(f"{where}: permissions_on gave no frozenset")
            return "holds " + ",".join(str(p) for p in sorted(held))
        decided = roles.check_access(assignments, path, permission)
        if decided is None:
            return "deny"
        at = [i for i, a in enumerate(assignments) if a is decided]
        if len(at) != 1:
            problems.append(f"{where}: check_access answered an object not passed")
        return f"allow {at[0] if at else -1}"
    except roles.PathError as e:
        return error_line(e, where)


def consistent(s: Scenario, line: str, i: int) -> None:
    """`permissions_on` is what `check_access` allows; other permissions are refused."""
    if s.permission is not None or not line.startswith("holds ") or not s.path:
        return
    target = s.path[0].entity
    allowed = [
        str(p)
        for p in roles.Permission
        if p.applies_to(target) and roles.check_access(s.assignments, s.path, p) is not None
    ]
    if line != "holds " + ",".join(allowed):
        problems.append(f"scenario {i}: permissions_on gave {line}, check_access allows {allowed}")
    for p in roles.Permission:
        if not p.applies_to(target):
            refused = answer(s.assignments, s.path, p, f"scenario {i}, {p}")
            if refused != "error not-applicable":
                problems.append(f"scenario {i}: check_access of {p} gave {refused}")


def with_int_ids(s: Scenario) -> tuple[list[roles.Assignment[int]], list[roles.EntityRef[int]]]:
    """The scenario with every id replaced by a distinct `int`."""
    numbers: dict[str, int] = {}

    def number(id: str) -> int:
        return numbers.setdefault(id, len(numbers) + 1000)

    return (
        [roles.Assignment(a.role, a.entity, number(a.id)) for a in s.assignments],
        [roles.EntityRef(r.entity, number(r.id)) for r in s.path],
    )


def extra_cases(scenarios: list[Scenario]) -> None:
    """What no scenario of the model can ask."""

    def expect(what: str, found: str, wanted: str) -> None:
        if found != wanted:
            problems.append(f"{what}: {found}, expected {wanted}")

    good = [
        s
        for s in scenarios
        if s.permission is not None
        and not answer(s.assignments, s.path, s.permission, "").startswith("error")
    ]
    if not good:
        return
    s = good[0]
    permission = typing.cast(roles.Permission, s.permission)
    # Values of the wrong types, as code without type checking passes them.
    anything: typing.Callable[[object], typing.Any] = lambda value: value
    tuples = [anything((r.entity, r.id)) for r in s.path]
    expect("a path of tuples", answer([], tuples, None, "tuples"), "error not-an-entity")
    target = s.path[0]
    int_entity = roles.EntityRef(anything(int(target.entity)), target.id)
    expect(
        "an entity type given as an int",
        answer([], [int_entity, *s.path[1:]], None, "int entity"),
        "error not-an-entity",
    )
    expect(
        "a permission given as an int",
        answer([], s.path, anything(int(permission)), "int permission"),
        "error unknown-permission",
    )
    for role in roles.Role:
        if role.assignable_to(target.entity) and role.has(permission):
            rows: list[roles.Assignment[str]] = [
                roles.Assignment(anything(str(role)), target.entity, target.id),
                roles.Assignment(anything(int(role)), target.entity, target.id),
                roles.Assignment(role, anything(int(target.entity)), target.id),
                anything((role, target.entity, target.id)),
                anything(None),
            ]
            for row in rows:
                what = f"with {row!r}"
                expect(f"check_access {what}", answer([row], s.path, permission, what), "deny")
                expect(f"permissions_on {what}", answer([row], s.path, None, what), "holds ")
            right = roles.Assignment(role, target.entity, target.id)
            expect("the right row", answer([right], s.path, permission, "right"), "allow 0")
            break


def main() -> None:
    with open("scenarios.tsv", encoding="utf-8") as tsv:
        scenarios = [parse_scenario(line.rstrip("\n")) for line in tsv if line.strip()]
    lines: list[str] = []
    for i, s in enumerate(scenarios):
        line = answer(s.assignments, s.path, s.permission, f"scenario {i}")
        consistent(s, line, i)
        lines.append(line)
        if i % 7 == 0:
            assignments, path = with_int_ids(s)
            again = answer(assignments, path, s.permission, f"scenario {i} (int ids)")
            if again != line:
                problems.append(f"scenario {i}: with int ids {again}, not {line}")
    extra_cases(scenarios)
    print(json.dumps({"lines": lines, "problems": problems}))


main()
