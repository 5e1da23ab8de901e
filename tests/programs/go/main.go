// The Go test program of the `go` target (tests/go.rs): `roles/roles.go` is the generated
// package, imported as `roles`. Each command prints one line per answer, for the test to
// compare with what roles.json (and role-gen's own model) says the answer must be:
//
//   - `check PROBE…`: every constant, name, id, parse round trip, description, set operation
//     and helper of the package (check.go);
//   - `access`: CheckAccess and PermissionsOn on every scenario of scenarios.tsv (access.go);
//   - `policies`: every policy on every row of table.tsv, every way (policies.go).
//
// What exists only for some definitions is built by tag: `legacy` (LegacyRole), `policies`
// (Policy, PolicyFacts). facts_gen.go, written by the test for a definition with policies,
// holds the PolicyFacts methods of its predicates and a table of its Evaluate<Policy>
// functions.
package main

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"os"
	"runtime"
	"strings"
)

var out = bufio.NewWriterSize(os.Stdout, 1<<16)

// line prints one answer: its fields, tab-separated.
func line(fields ...interface{}) {
	for i, f := range fields {
		if i > 0 {
			out.WriteByte('\t')
		}
		fmt.Fprint(out, f)
	}
	out.WriteByte('\n')
}

// hexed is text that may hold tabs and newlines, as hex.
func hexed(text string) string {
	return hex.EncodeToString([]byte(text))
}

// names joins the String of each value with commas.
func names[T fmt.Stringer](values []T) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = v.String()
	}
	return strings.Join(parts, ",")
}

// lines reads a file of the test's, one entry a line, without empty lines.
func lines(path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		fail(err.Error())
	}
	var kept []string
	for _, l := range strings.Split(string(data), "\n") {
		if l != "" {
			kept = append(kept, l)
		}
	}
	return kept
}

// list splits a comma-separated field, without empty parts.
func list(field string) []string {
	var kept []string
	for _, part := range strings.Split(field, ",") {
		if part != "" {
			kept = append(kept, part)
		}
	}
	return kept
}

// allocations counts the heap allocations of one run of f, after a first run (as
// testing.AllocsPerRun does, without the testing package and its build time).
func allocations(f func()) uint64 {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	f()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.Mallocs - before.Mallocs
}

func fail(message string) {
	out.Flush()
	fmt.Fprintln(os.Stderr, message)
	os.Exit(2)
}

func main() {
	if len(os.Args) < 2 {
		fail("usage: check PROBE… | access | policies")
	}
	switch os.Args[1] {
	case "check":
		check(os.Args[2:])
	case "access":
		access()
	case "policies":
		policies()
	default:
		fail("unknown command " + os.Args[1])
	}
	if err := out.Flush(); err != nil {
		fail(err.Error())
	}
}
