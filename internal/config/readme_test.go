package config

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEListsEverySetting keeps the README's settings table the same as
// the one the program is built from.
func TestREADMEListsEverySetting(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), strings.TrimSpace(Table())) {
		t.Fatalf("README.md's settings table differs from config.Table(); paste this in:\n%s", Table())
	}
}
