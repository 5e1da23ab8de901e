//go:build policies

package main

import (
	"strconv"
	"strings"

	roles "rolegen.test/check/roles"
)

// rowFacts is PolicyFacts over one row of table.tsv (role_gen_tests::policies::row_line):
// HasPermission here, LegacyLevel in policies_legacy.go, one method per predicate in
// facts_gen.go.
type rowFacts struct {
	legacy          string
	held            roles.PermissionSet
	predicates      map[string]bool
	permissionCalls int
	stray           int
}

func (f *rowFacts) HasPermission(p roles.Permission) bool {
	f.permissionCalls++
	return f.held.Contains(p)
}

// predicate answers a predicate of the row; one the row does not have is a stray question.
func (f *rowFacts) predicate(name string) bool {
	value, ok := f.predicates[name]
	if !ok {
		f.stray++
	}
	return value
}

func parseRow(text string) (roles.Policy, *rowFacts) {
	f := strings.Split(text, "\t")
	policy, ok := roles.ParsePolicy(f[0])
	if !ok {
		fail("not a policy of this build: " + f[0])
	}
	var held []roles.Role
	for _, name := range list(f[2]) {
		r, ok := roles.ParseRole(name)
		if !ok {
			fail("not a role of this build: " + name)
		}
		held = append(held, r)
	}
	facts := &rowFacts{legacy: f[1], held: roles.PermissionsOfRoles(held...), predicates: map[string]bool{}}
	for _, pair := range list(f[3]) {
		kv := strings.SplitN(pair, "=", 2)
		facts.predicates[kv[0]] = kv[1] == "1"
	}
	return policy, facts
}

func rule(d roles.Decision) string {
	if d.Rule < 0 {
		return "-"
	}
	return strconv.Itoa(d.Rule)
}

// policies evaluates every row every way, and prints the line role_gen_tests::policies
// expects; `problem` lines are what the program finds inconsistent itself.
func policies() {
	rows := lines("table.tsv")
	for i, text := range rows {
		policy, facts := parseRow(text)
		full := policy.Evaluate(facts)
		consistent(i, policy, full)
		if direct := evaluators[policy](facts); direct != full {
			line("problem", i, "the Evaluate function of "+policy.String()+" disagrees with Policy.Evaluate")
		}
		facts.permissionCalls = 0
		legacy := policy.EvaluateLegacy(facts)
		calls := facts.permissionCalls
		reported := 0
		dark := policy.EvaluateRollout(roles.RolloutDark, facts, func(l, f roles.Decision) {
			reported++
			if l.Allow == f.Allow {
				line("problem", i, "reported an agreement")
			}
		})
		light := policy.EvaluateRollout(roles.RolloutLight, facts, func(roles.Decision, roles.Decision) {
			line("problem", i, "light mode reported a disagreement")
		})
		if nilObserver := policy.EvaluateRollout(roles.RolloutDark, facts, nil); nilObserver != dark {
			line("problem", i, "a nil observer changed the dark decision")
		}
		line(i, full.Allow, rule(full), full.RuleName, legacy.Allow, rule(legacy), calls, dark.Allow, rule(dark),
			reported == 1, light.Allow, rule(light))
		if facts.stray > 0 {
			line("problem", i, "asked a predicate its policy does not ask")
		}
	}
	policyAllocations(rows)
	unknown := roles.Policy(0).Evaluate(&rowFacts{})
	line("unknown", unknown.Allow, unknown.Rule, unknown.RuleName, unknown.Policy.IsValid())
}

// consistent checks a decision against the policy's own tables.
func consistent(i int, policy roles.Policy, d roles.Decision) {
	named := "default deny"
	if names := policy.RuleNames(); d.Rule >= 0 && d.Rule < len(names) {
		named = names[d.Rule]
	}
	if d.Policy != policy || d.RuleName != named || d.String() == "" {
		line("problem", i, "inconsistent decision "+d.String())
	}
}

// policyAllocations evaluates every row every way: none may allocate.
func policyAllocations(rows []string) {
	type asked struct {
		policy roles.Policy
		facts  *rowFacts
	}
	all := make([]asked, len(rows))
	for i, text := range rows {
		all[i].policy, all[i].facts = parseRow(text)
	}
	allocs := allocations(func() {
		for _, a := range all {
			a.policy.Evaluate(a.facts)
			a.policy.EvaluateLegacy(a.facts)
			a.policy.EvaluateRollout(roles.RolloutDark, a.facts, nil)
		}
	})
	line("allocations", len(all), allocs)
}

// policyLines prints every policy's constants and tables.
func policyLines() {
	line("all", "policy", names(roles.AllPolicies))
	for _, p := range roles.AllPolicies {
		parsed, ok := roles.ParsePolicy(p.String())
		rules := make([]string, 0)
		for _, r := range p.RuleNames() {
			rules = append(rules, hexed(r))
		}
		line("policy", p, p.ID(), uint32(p), ok && parsed == p, p.IsValid(), hexed(p.Description()), p.Entity(),
			strings.Join(rules, ","))
	}
	line("invalid", "policy", roles.Policy(0))
}

func validPolicy(v uint32) {
	if p := roles.Policy(v); p.IsValid() {
		line("valid", "policy", v, p)
	}
}

func policyNames() []string {
	var all []string
	for _, p := range roles.AllPolicies {
		all = append(all, p.String())
	}
	return all
}

func parsedPolicy(probe string) string {
	if p, ok := roles.ParsePolicy(probe); ok {
		return p.String()
	}
	return "-"
}
