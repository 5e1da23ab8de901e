//go:build legacy

package main

import roles "rolegen.test/check/roles"

// legacyLines prints the legacy levels, lowest first.
func legacyLines() {
	line("all", "legacy", names(roles.AllLegacyRoles))
	for i, l := range roles.AllLegacyRoles {
		parsed, ok := roles.ParseLegacyRole(l.String())
		line("legacy", l, uint32(l), ok && parsed == l, l.IsValid(), i == 0 || roles.AllLegacyRoles[i-1] < l)
	}
	line("invalid", "legacy", roles.LegacyRole(0), roles.LegacyRole(len(roles.AllLegacyRoles)+1))
}

func validLegacy(v uint32) {
	if l := roles.LegacyRole(v); l.IsValid() {
		line("valid", "legacy", v, l)
	}
}

func legacyNames() []string {
	var all []string
	for _, l := range roles.AllLegacyRoles {
		all = append(all, l.String())
	}
	return all
}

func parsedLegacy(probe string) string {
	if l, ok := roles.ParseLegacyRole(probe); ok {
		return l.String()
	}
	return "-"
}
