package main

import (
	"errors"
	"strconv"
	"strings"

	roles "rolegen.test/check/roles"
)

// scenario is one line of scenarios.tsv (role_gen_tests::access::write_tsv).
type scenario struct {
	assignments []roles.Assignment
	path        []roles.EntityRef
	check       bool
	permission  roles.Permission
}

func parseScenario(text string) scenario {
	f := strings.Split(text, "\t")
	s := scenario{check: f[0] == "check"}
	for _, a := range list(f[1]) {
		at := strings.SplitN(a, "@", 2)
		ref := strings.SplitN(at[1], "#", 2)
		r, rok := roles.ParseRole(at[0])
		e, eok := roles.ParseEntityType(ref[0])
		if !rok || !eok {
			fail("not an assignment of this build: " + a)
		}
		s.assignments = append(s.assignments, roles.Assignment{Role: r, Entity: e, ID: ref[1]})
	}
	for _, r := range list(f[2]) {
		ref := strings.SplitN(r, "#", 2)
		e, ok := roles.ParseEntityType(ref[0])
		if !ok {
			fail("not an entity type of this build: " + r)
		}
		s.path = append(s.path, roles.EntityRef{Entity: e, ID: ref[1]})
	}
	if s.check {
		p, ok := roles.ParsePermission(f[3])
		if !ok {
			fail("not a permission of this build: " + f[3])
		}
		s.permission = p
	}
	return s
}

// answer is the line the scenario's question gets: `allow N`, `deny`, `holds P,Q` or
// `error KIND`, then a tab and the error's message.
func answer(s scenario) string {
	if s.check {
		got, err := roles.CheckAccess(s.assignments, s.path, s.permission)
		switch {
		case err != nil:
			return failure(err)
		case got == nil:
			return "deny"
		}
		for i := range s.assignments {
			if got == &s.assignments[i] {
				return "allow " + strconv.Itoa(i)
			}
		}
		return "allow outside the assignments"
	}
	held, err := roles.PermissionsOn(s.assignments, s.path)
	if err != nil {
		return failure(err)
	}
	return "holds " + names(held.Permissions())
}

func failure(err error) string {
	var pathError *roles.PathError
	if !errors.As(err, &pathError) {
		return "error not a *PathError: " + err.Error()
	}
	return "error " + pathError.Kind.String() + "\t" + err.Error()
}

// access answers every scenario, then holds the answers to account: assignments no build
// knows change nothing, PermissionsOn is what CheckAccess allows, and no answer allocates.
func access() {
	var scenarios []scenario
	for _, text := range lines("scenarios.tsv") {
		scenarios = append(scenarios, parseScenario(text))
	}
	answers := make([]string, len(scenarios))
	for i, s := range scenarios {
		answers[i] = answer(s)
		line(answers[i])
	}
	for i, s := range scenarios {
		strangers(i, s, answers[i])
		if !s.check && strings.HasPrefix(answers[i], "holds ") {
			agrees(i, s, answers[i])
		}
	}
	noAllocations(scenarios, answers)
	junk()
}

// strangers asks again with assignments of values that are no role or entity type of this
// build first: they grant nothing, so the answer is the same, its index two further on.
func strangers(i int, s scenario, want string) {
	var junk []roles.Assignment
	if len(s.path) > 0 {
		junk = []roles.Assignment{
			{Role: roles.Role(0), Entity: s.path[0].Entity, ID: s.path[0].ID},
			{Role: roles.Role(70000), Entity: roles.EntityType(70000), ID: s.path[0].ID},
		}
	}
	padded := scenario{append(junk, s.assignments...), s.path, s.check, s.permission}
	got := answer(padded)
	if strings.HasPrefix(want, "allow ") {
		n, _ := strconv.Atoi(strings.TrimPrefix(want, "allow "))
		want = "allow " + strconv.Itoa(n+len(junk))
	}
	if got != want {
		line("problem", i, "with assignments of no role or entity type first: "+got+" instead of "+want)
	}
}

// agrees checks that PermissionsOn holds exactly what CheckAccess allows on the same path.
func agrees(i int, s scenario, holds string) {
	var allowed []roles.Permission
	for _, p := range roles.AllPermissions {
		if got, err := roles.CheckAccess(s.assignments, s.path, p); err == nil && got != nil {
			allowed = append(allowed, p)
		}
	}
	if "holds "+names(allowed) != holds {
		line("problem", i, "PermissionsOn "+holds+", but CheckAccess allows "+names(allowed))
	}
}

// noAllocations measures the questions that are not errors: none may allocate.
func noAllocations(scenarios []scenario, answers []string) {
	var checks, ons []scenario
	for i, s := range scenarios {
		switch {
		case strings.HasPrefix(answers[i], "error"):
		case s.check:
			checks = append(checks, s)
		default:
			ons = append(ons, s)
		}
	}
	checked := allocations(func() {
		for _, s := range checks {
			_, _ = roles.CheckAccess(s.assignments, s.path, s.permission)
		}
	})
	held := allocations(func() {
		for _, s := range ons {
			_, _ = roles.PermissionsOn(s.assignments, s.path)
		}
	})
	line("allocations", len(checks), checked, len(ons), held)
}

// junk asks about an entity type and a permission that are none of this build's.
func junk() {
	if len(roles.AllEntityTypes) == 0 || len(roles.AllPermissions) == 0 {
		return
	}
	bad := []roles.EntityRef{{Entity: roles.EntityType(0), ID: "x"}}
	_, err := roles.CheckAccess(nil, bad, roles.AllPermissions[0])
	line("junk", "entity", failure(err))
	_, err = roles.PermissionsOn(nil, bad)
	line("junk", "entity", failure(err))
	target := roles.AllEntityTypes[0]
	path := []roles.EntityRef{{Entity: target, ID: "t0"}}
	for _, a := range target.Ancestors() {
		path = append(path, roles.EntityRef{Entity: a, ID: "a"})
	}
	_, err = roles.CheckAccess(nil, path, roles.Permission(0))
	line("junk", "permission", failure(err))
}
