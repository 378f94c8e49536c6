package toolbox

import (
	"regexp"
	"strings"
	"testing"
)

// Fuzz test for SPDX licence expressions. Run it with
//
//	go test ./internal/toolbox/ -run '^$' -fuzz '^FuzzValidLicence$' -fuzztime 60s

// spdxIDString is the grammar's idstring: letters, digits, "-" and ".".
var spdxIDString = regexp.MustCompile(`^[A-Za-z0-9.\-]+$`)

// spdxRef is a reference parser of the SPDX licence expression grammar
// (SPDX 2.3 annex D, with SPDX 3's AdditionRef), written the way the
// specification reads, to compare ValidLicence with:
//
//	compound   = and *("OR" and)
//	and        = with *("AND" with)
//	with       = simple ["WITH" addition] / "(" compound ")"
//	simple     = license-id ["+"] / "LicenseRef-" idstring
//	addition   = exception-id / "AdditionRef-" idstring
type spdxRef struct {
	toks []string
	i    int
}

func (p *spdxRef) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

func (p *spdxRef) compound() bool {
	if !p.and() {
		return false
	}
	for p.peek() == "OR" {
		p.i++
		if !p.and() {
			return false
		}
	}
	return true
}

func (p *spdxRef) and() bool {
	if !p.with() {
		return false
	}
	for p.peek() == "AND" {
		p.i++
		if !p.with() {
			return false
		}
	}
	return true
}

func (p *spdxRef) with() bool {
	if p.peek() == "(" {
		p.i++
		if !p.compound() || p.peek() != ")" {
			return false
		}
		p.i++
		return true
	}
	if !p.simple() {
		return false
	}
	if p.peek() == "WITH" {
		p.i++
		return p.addition()
	}
	return true
}

func (p *spdxRef) simple() bool {
	tok := p.peek()
	p.i++
	if ref, ok := strings.CutPrefix(tok, "LicenseRef-"); ok {
		return spdxIDString.MatchString(ref)
	}
	return knownLicence(strings.TrimSuffix(tok, "+"))
}

func (p *spdxRef) addition() bool {
	tok := p.peek()
	p.i++
	if ref, ok := strings.CutPrefix(tok, "AdditionRef-"); ok {
		return spdxIDString.MatchString(ref)
	}
	return knownException(tok)
}

// spdxTokens splits an expression as the grammar does: parentheses are
// tokens of their own, space separates the others.
func spdxTokens(s string) []string {
	return strings.Fields(strings.NewReplacer("(", " ( ", ")", " ) ").Replace(s))
}

func referenceLicence(s string) bool {
	if s == "" || s == Proprietary {
		return true
	}
	p := &spdxRef{toks: spdxTokens(s)}
	return len(p.toks) > 0 && p.compound() && p.i == len(p.toks)
}

// FuzzValidLicence: the checker never panics and agrees with the SPDX
// grammar; what it accepts stays accepted when its spacing changes, when
// put in parentheses and when combined with another licence; and a tool
// carrying the value is refused on its licence field exactly when the
// checker refuses the normalised value.
func FuzzValidLicence(f *testing.F) {
	for _, s := range []string{
		"", "proprietary", "Proprietary", "MIT", "AGPL-3.0-only", "AGPL-3.0", "GPL-2.0+", "GPL-2.0-or-later+", "MIT OR Apache-2.0",
		"(MIT OR Apache-2.0) AND BSD-3-Clause", "LicenseRef-Coopyleft", "AGPL-3.0-only OR GPL-3.0-only OR LicenseRef-Element-Commercial",
		"GPL-2.0-or-later WITH Classpath-exception-2.0", "Apache-2.0 WITH LLVM-exception", "MIT WITH AdditionRef-x",
		"((MIT))", "(MIT)AND(Apache-2.0)", "MIT AND (Apache-2.0 OR (BSD-2-Clause AND ISC))", "  MIT\tOR\nApache-2.0 ",
		// Refused, or to be.
		"GPL-9", "MIT AND", "(MIT", "MIT)", "AND MIT", "MIT Apache-2.0", "MIT OR OR Apache-2.0", "()", "( )", "Proprietary licence",
		"GPL", "MIT; rm -rf", "<script>", "mit", "MIT or Apache-2.0", "MIT+ +", "MIT++", "+", "LicenseRef-", "LicenseRef-x+",
		"LicenseRef-a_b", "AdditionRef-x", "MIT WITH", "WITH MIT", "MIT WITH MIT", "MIT WITH AdditionRef-",
		"GPL-2.0-or-later WITH Classpath-exception-2.0 WITH Classpath-exception-2.0", "(MIT) WITH Classpath-exception-2.0",
		"MIT WITH Classpath-exception-2.0+", "MIT WITH (Classpath-exception-2.0)", "DocumentRef-a:LicenseRef-b", "MIT\u00a0OR Apache-2.0",
		"MIT OR proprietary", "\x00", "\xff", strings.Repeat("(", 500) + "MIT" + strings.Repeat(")", 500),
		strings.Repeat("MIT AND ", 300) + "MIT",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := ValidLicence(s)
		if want := referenceLicence(s); got != want {
			t.Fatalf("ValidLicence(%q) = %v, but the SPDX grammar says %v", s, got, want)
		}
		if got && s != "" && s != Proprietary {
			spaced := strings.Join(spdxTokens(s), " ")
			tight := strings.NewReplacer("( ", "(", " )", ")").Replace(spaced)
			for _, v := range []string{spaced, tight, "(" + s + ")", s + " OR MIT", "MIT AND " + s, "(" + s + ") AND (" + s + ")"} {
				if !ValidLicence(v) {
					t.Fatalf("ValidLicence(%q) accepts it, but not %q", s, v)
				}
			}
		}
		tool := Tool{ID: "x", Name: "X", Kind: KindSoftware, Description: Text{NL: "x", EN: "x"}, Licence: s}
		tool.Normalize()
		err := tool.Validate()
		if refused := fields(err)["licence"] != ""; refused == ValidLicence(tool.Licence) {
			t.Fatalf("tool with licence %q (normalised %q): %v", s, tool.Licence, err)
		}
	})
}
