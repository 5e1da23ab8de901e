package main

import (
	"math"
	"strings"

	roles "rolegen.test/check/roles"
)

// check prints every answer of the package about its constants (see tests/go.rs for the
// lines and what each must be). The arguments are extra strings to parse.
func check(probes []string) {
	line("all", "entity", names(roles.AllEntityTypes))
	line("all", "permission", names(roles.AllPermissions))
	line("all", "role", names(roles.AllRoles))
	for _, e := range roles.AllEntityTypes {
		entity(e)
	}
	for _, p := range roles.AllPermissions {
		permission(p)
	}
	for _, r := range roles.AllRoles {
		role(r)
	}
	legacyLines()
	policyLines()
	valid()
	line("invalid", roles.EntityType(0), roles.Permission(0), roles.Role(0), roles.Permission(math.MaxUint32))
	line("empty", roles.PermissionSet{}.IsEmpty(), roles.PermissionSet{}.Len(), names(roles.PermissionSet{}.Permissions()))
	for _, probe := range append(probes, everyName()...) {
		parsed(probe)
	}
}

func entity(e roles.EntityType) {
	parsed, ok := roles.ParseEntityType(e.String())
	parent := "-"
	if p, has := e.Parent(); has {
		parent = p.String()
	}
	line("entity", e, e.ID(), uint32(e), ok && parsed == e, e.IsValid(), hexed(e.Description()), parent,
		names(e.Ancestors()), names(e.Permissions().Permissions()))
	for _, other := range roles.AllEntityTypes {
		line("within", e, other, e.IsWithin(other))
	}
}

func permission(p roles.Permission) {
	parsed, ok := roles.ParsePermission(p.String())
	group, grouped := p.Group()
	shown := "-"
	if grouped {
		shown = hexed(group)
	}
	line("permission", p, p.ID(), uint32(p), ok && parsed == p, p.IsValid(), hexed(p.Description()),
		names(p.Entities()), shown, p.IsDeprecated())
	refused := true
	for _, variant := range []string{strings.ToUpper(p.String()), " " + p.String(), p.String() + "\n"} {
		if _, ok := roles.ParsePermission(variant); ok && variant != p.String() {
			refused = false
		}
	}
	line("variants", p, refused)
	for _, e := range roles.AllEntityTypes {
		line("applies", p, e, p.AppliesTo(e))
	}
}

func role(r roles.Role) {
	parsed, ok := roles.ParseRole(r.String())
	line("role", r, r.ID(), uint32(r), ok && parsed == r, r.IsValid(), hexed(r.Description()), names(r.Includes()),
		names(r.AssignableOn()))
	effective := r.Permissions()
	line("effective", r, names(effective.Permissions()), effective.Len(), effective.IsEmpty(),
		roles.NewPermissionSet(effective.Permissions()...) == effective)
	line("direct", r, names(r.DirectPermissions().Permissions()), r.DirectPermissions().IsSubset(effective))
	for _, p := range roles.AllPermissions {
		line("has", r, p, r.Has(p), effective.Contains(p))
	}
	for _, e := range roles.AllEntityTypes {
		line("assignable", r, e, r.AssignableTo(e))
	}
	for _, other := range roles.AllRoles {
		theirs := other.Permissions()
		line("pair", r, other, names(roles.PermissionsOfRoles(r, other).Permissions()),
			names(effective.Union(theirs).Permissions()), names(effective.Intersection(theirs).Permissions()),
			names(effective.Difference(theirs).Permissions()), effective.IsSubset(theirs))
	}
}

// valid prints every value from 0 to 70000, and the largest, that is one of each type's.
func valid() {
	values := []uint32{math.MaxUint32}
	for v := uint32(0); v <= 70000; v++ {
		values = append(values, v)
	}
	for _, v := range values {
		if e := roles.EntityType(v); e.IsValid() {
			line("valid", "entity", v, e)
		}
		if p := roles.Permission(v); p.IsValid() {
			line("valid", "permission", v, p)
		}
		if r := roles.Role(v); r.IsValid() {
			line("valid", "role", v, r)
		}
		validLegacy(v)
		validPolicy(v)
	}
}

// everyName is every name of the definition, and each uppercased.
func everyName() []string {
	var all []string
	for _, e := range roles.AllEntityTypes {
		all = append(all, e.String())
	}
	for _, p := range roles.AllPermissions {
		all = append(all, p.String())
	}
	for _, r := range roles.AllRoles {
		all = append(all, r.String())
	}
	all = append(all, legacyNames()...)
	all = append(all, policyNames()...)
	n := len(all)
	for _, name := range all[:n] {
		all = append(all, strings.ToUpper(name))
	}
	return all
}

// parsed prints what every parser makes of a string: the name of what it names, or `-`.
func parsed(probe string) {
	shown := func(name string, ok bool) string {
		if ok {
			return name
		}
		return "-"
	}
	e, eok := roles.ParseEntityType(probe)
	p, pok := roles.ParsePermission(probe)
	r, rok := roles.ParseRole(probe)
	line("parse", hexed(probe), shown(e.String(), eok), shown(p.String(), pok), shown(r.String(), rok),
		parsedLegacy(probe), parsedPolicy(probe))
}
