# Imports the generated `roles.py` (beside this file) and prints one JSON report of every answer
# it gives: the enums (members, values, `str`, `format`), the metadata of each permission, role
# and entity type, `Role.has` for every role x permission, `permissions_of` for every pair of
# roles, `parse` of every name and of every probe (the arguments, and look-alikes of every
# name this program makes), and what `__all__` exports. `tests/compilers/python.rs` compares
# the report with roles.json; what the program can check alone (round trips, types) it reports
# as `failures`.
#
# Checked by `mypy --strict` with `--always-true`/`--always-false` for HAS_LEGACY and
# HAS_POLICIES (as the definition has them), so that it type-checks against every roles.py.
from __future__ import annotations

import enum
import json
import sys
import typing

import roles

HAS_LEGACY = hasattr(roles, "LegacyRole")
HAS_POLICIES = hasattr(roles, "Policy")

failures: list[str] = []


def check(ok: bool, what: str) -> None:
    if not ok:
        failures.append(what)


Member = typing.TypeVar("Member", bound=enum.IntEnum)


def members(
    enum_class: type[Member], parse: typing.Callable[[str], Member | None]
) -> list[list[object]]:
    """Each member as `[NAME, value, str, format]`, checking what holds for every member."""
    out: list[list[object]] = []
    for m in enum_class:
        text = str(m)
        check(isinstance(m, int), f"{m!r} is not an int")
        check(f"{m}" == text and format(m, "") == text, f"format({m!r}) is not {text!r}")
        check(parse(text) is m, f"parse({text!r}) is not {m!r}")
        check(enum_class(m.value) is m, f"{enum_class.__name__}({m.value}) is not {m!r}")
        check(text == m.name.lower(), f"str({m!r}) is {text!r}")
        check(enum_class[m.name] is m, f"{enum_class.__name__}[{m.name!r}] is not {m!r}")
        out.append([m.name, m.value, text, f"{m:>1}"])
    return out


def look_alikes(name: str) -> list[str]:
    """Strings close to a name that must parse as nothing (unless they are names themselves)."""
    return [
        name.upper(),
        name.title(),
        f" {name}",
        f"{name} ",
        f"{name}\x00",
        name.replace("i", "\u0131"),  # a dotless i: "\u0131".upper() == "I"
        name.replace("k", "\u212a"),  # the Kelvin sign: "\u212a".lower() == "k"
        f"_{name}_",
        f"__{name}__",
    ]


Name = typing.TypeVar("Name")


def parse_all(
    probes: list[str],
    names: list[str],
    parse: typing.Callable[[str], Name | None],
) -> list[list[object]]:
    """`[probe, str(parse(probe)) or None]` for every probe and look-alike of a name."""
    asked = probes + [alike for n in names for alike in look_alikes(n)] + names
    out: list[list[object]] = []
    for probe in asked:
        found = parse(probe)
        out.append([probe, None if found is None else str(found)])
    return out


def by_id(items: typing.Iterable[enum.IntEnum]) -> list[str]:
    return [str(m) for m in sorted(items, key=lambda m: m.value)]


def permission_meta(p: roles.Permission) -> dict[str, object]:
    check(isinstance(p.entities, tuple), f"{p}.entities is not a tuple")
    for e in roles.EntityType:
        check(p.applies_to(e) == (e in p.entities), f"{p}.applies_to({e})")
        check((p in e.permissions) == (e in p.entities), f"{e}.permissions and {p}")
    return {
        "id": p.value,
        "description": p.description,
        "group": p.group,
        "entities": [str(e) for e in p.entities],
        "deprecated": p.deprecated,
    }


def role_meta(r: roles.Role) -> dict[str, object]:
    check(isinstance(r.permissions, frozenset), f"{r}.permissions is not a frozenset")
    check(r.direct_permissions <= r.permissions, f"{r}: direct grants not all effective")
    for e in roles.EntityType:
        check(r.assignable_to(e) == (e in r.assignable_on), f"{r}.assignable_to({e})")
    return {
        "id": r.value,
        "description": r.description,
        "permissions": by_id(r.direct_permissions),
        "effective_permissions": by_id(r.permissions),
        "includes": [str(i) for i in r.includes],
        "assignable_on": [str(e) for e in r.assignable_on],
    }


def entity_meta(e: roles.EntityType) -> dict[str, object]:
    parent = e.parent
    check(
        e.ancestors == (() if parent is None else (parent, *parent.ancestors)),
        f"{e}.ancestors",
    )
    for other in roles.EntityType:
        within = other is e or other in e.ancestors
        check(e.is_within(other) == within, f"{e}.is_within({other})")
    return {
        "id": e.value,
        "description": e.description,
        "parent": None if parent is None else str(parent),
    }


def facts_methods() -> list[str]:
    """The methods of `PolicyFacts`, each checked against Python's own keywords and builtins:
    a reserved name has a `_` appended, and no other name does."""
    if not HAS_POLICIES:
        return []
    import builtins
    import keyword

    found = [
        name
        for name, value in vars(roles.PolicyFacts).items()
        if callable(value) and not name.startswith("_")
    ]
    for name in found:
        base = name[:-1] if name.endswith("_") else name
        reserved = keyword.iskeyword(base) or base in vars(builtins)
        check(reserved == name.endswith("_"), f"PolicyFacts.{name}: escaping")
    return found


def main() -> None:
    probes = sys.argv[1:]
    permission_names = [str(p) for p in roles.Permission]
    role_names = [str(r) for r in roles.Role]
    entity_names = [str(e) for e in roles.EntityType]
    legacy: list[list[object]] = []
    legacy_parsed: list[list[object]] = []
    if HAS_LEGACY:
        legacy = members(roles.LegacyRole, roles.LegacyRole.parse)
        levels = list(roles.LegacyRole)
        check(levels == sorted(levels), "LegacyRole is not lowest first")
        names = [str(level) for level in levels]
        legacy_parsed = parse_all(probes, names, roles.LegacyRole.parse)
    policies: list[list[object]] = []
    if HAS_POLICIES:
        policies = members(roles.Policy, roles.Policy.parse)
    all_names = permission_names + role_names + entity_names
    report = {
        "failures": failures,
        "permission_members": members(roles.Permission, roles.Permission.parse),
        "role_members": members(roles.Role, roles.Role.parse),
        "entity_members": members(roles.EntityType, roles.EntityType.parse),
        "legacy_members": legacy,
        "policy_members": policies,
        "permissions_meta": [[str(p), permission_meta(p)] for p in roles.Permission],
        "roles_meta": [[str(r), role_meta(r)] for r in roles.Role],
        "entities_meta": [[str(e), entity_meta(e)] for e in roles.EntityType],
        "has": [[str(r), str(p), r.has(p)] for r in roles.Role for p in roles.Permission],
        "pairs": [
            [str(a), str(b), by_id(roles.permissions_of([a, b]))]
            for a in roles.Role
            for b in roles.Role
        ],
        "parse_permission": parse_all(probes, all_names, roles.Permission.parse),
        "parse_role": parse_all(probes, all_names, roles.Role.parse),
        "parse_entity": parse_all(probes, all_names, roles.EntityType.parse),
        "parse_legacy": legacy_parsed,
        "exports": sorted(roles.__all__),
        "facts_methods": facts_methods(),
    }
    check(roles.permissions_of([]) == frozenset(), "permissions_of([]) is not empty")
    # Members of an IntEnum equal ints, and members of another enum with the same value: none
    # of them is taken for a member of the enum asked for.
    anything: typing.Callable[[object], typing.Any] = lambda value: value
    for r in roles.Role:
        others = [*roles.Permission, *roles.EntityType, *range(0, 3)]
        check(roles.permissions_of([anything(r.value)]) == frozenset(), f"permissions_of([{r.value}])")
        for other in others:
            check(not r.has(anything(other)) or isinstance(other, roles.Permission), f"{r}.has({other!r})")
            check(
                not r.assignable_to(anything(other)) or isinstance(other, roles.EntityType),
                f"{r}.assignable_to({other!r})",
            )
    for p in roles.Permission:
        check(roles.permissions_of([anything(p)]) == frozenset(), f"permissions_of([{p!r}])")
        for other in [*roles.Role, *range(0, 3)]:
            check(not p.applies_to(anything(other)), f"{p}.applies_to({other!r})")
    print(json.dumps(report))


main()
