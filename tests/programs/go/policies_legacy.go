//go:build policies && legacy

package main

import roles "rolegen.test/check/roles"

// LegacyLevel answers the row's legacy level (`-`, none, parses to nothing).
func (f *rowFacts) LegacyLevel() (roles.LegacyRole, bool) {
	return roles.ParseLegacyRole(f.legacy)
}
