//go:build !legacy

package main

// Without [legacy] the package has no LegacyRole: nothing to print.

func legacyLines() {}

func validLegacy(uint32) {}

func legacyNames() []string { return nil }

func parsedLegacy(string) string { return "-" }
