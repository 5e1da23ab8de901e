//go:build !policies

package main

// Without policies the package has no Policy: nothing to print or evaluate.

func policies() { fail("this definition has no policy") }

func policyLines() {}

func validPolicy(uint32) {}

func policyNames() []string { return nil }

func parsedPolicy(string) string { return "-" }
