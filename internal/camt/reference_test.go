package camt

import (
	"bytes"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var canonicalRE = regexp.MustCompile(`^SAMEN-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$`)

func seeded(seed byte) *rand.ChaCha8 { return rand.NewChaCha8([32]byte{'s', 'a', 'm', 'e', 'n', seed}) }

func TestNewReference(t *testing.T) {
	r := seeded(1)
	seen := map[string]bool{}
	for range 10_000 {
		ref := NewReference(r)
		if !canonicalRE.MatchString(ref) || !ValidReference(ref) || countDigits(ref) < 2 {
			t.Fatalf("%q", ref)
		}
		if got, ok := Reference(ref); !ok || got != ref {
			t.Fatalf("%q found as %q", ref, got)
		}
		seen[ref] = true
	}
	// 10,000 of about 10⁹: a repeat is possible (the caller checks), but
	// more than one says the randomness is broken.
	if len(seen) < 9_999 {
		t.Errorf("%d different in 10,000", len(seen))
	}
	// The same randomness makes the same reference.
	if a, b := NewReference(seeded(2)), NewReference(seeded(2)); a != b {
		t.Errorf("not deterministic: %s, %s", a, b)
	}
}

func TestNewReferenceBrokenRandomness(t *testing.T) {
	for name, r := range map[string]*bytes.Reader{"empty": bytes.NewReader(nil), "letters only": bytes.NewReader(bytes.Repeat([]byte{31}, 6000))} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			NewReference(r)
		}()
	}
}

// What bank apps and people make of a reference is still read.
func TestReferenceMangled(t *testing.T) {
	// A reference with a 0 and a 1 in it, to mistype as O and I or L.
	var ref string
	for r := seeded(3); !strings.Contains(ref, "0") || !strings.Contains(ref, "1"); {
		ref = NewReference(r)
	}
	code := ref[len("SAMEN-"):]
	plain := strings.ReplaceAll(code, "-", "")
	for _, s := range []string{
		ref,
		strings.ToLower(ref),
		"SAMEN " + code[:4] + " " + code[5:],
		"SAMEN" + plain,
		"samen " + strings.ToLower(plain),
		"Samen_" + code[:4] + "." + code[5:],
		"SAMEN-" + code[:4] + code[5:],
		strings.Replace(ref, "0", "O", 1),
		strings.Replace(ref, "1", "I", 1),
		strings.Replace(strings.ToLower(ref), "1", "l", 1),
	} {
		if !ValidReference(s) || !ValidReference(" "+s+"\n") {
			t.Errorf("%q is not valid", s)
		}
		for _, text := range []string{s, "Gift " + s, s + ", dank je!", "(" + s + ")", "ref:" + s + ".", "Bijdrage buurtmoestuin\n" + s + "\tGroet, Anna"} {
			if got, ok := Reference(text); !ok || got != ref {
				t.Errorf("in %q: %q %v, want %s", text, got, ok, ref)
			}
		}
	}
	for _, s := range []string{
		"x" + ref, ref + "x", "4" + ref, ref + "7", "é" + ref, ref + "é", // not a word of its own
		"SAMEN--" + code, "SAMEN-" + code[:4] + "--" + code[5:], "SAMEN - " + code, // two separators
		"SAMEN-" + code[:3] + "-" + code[3:4] + code[5:],      // a separator elsewhere
		"SAMEN-" + code[:4] + "/" + code[5:], "SAMEN:" + code, // other separators
		"SAMEN-" + code[:4] + "-" + code[5:8], "SAMEN-" + code + "Z", // too short, too long
		"SAMEN-" + code[:4] + "-" + code[5:8] + "U", // U is not a symbol
		"SAMN-" + code, "SAMEN-" + code[5:] + "-" + code[:4], // wrong prefix, groups swapped
	} {
		if ValidReference(s) {
			t.Errorf("%q is valid", s)
		}
		if got, ok := Reference("Gift " + s + " dank"); ok {
			t.Errorf("found %q in %q", got, s)
		}
	}
}

// No mistyped symbol and no swap of two neighbours turns a reference into
// another valid one, for any of a thousand references.
func TestReferenceCheckCatchesTypos(t *testing.T) {
	r := seeded(4)
	for range 1000 {
		ref := NewReference(r)
		code := []byte(strings.ReplaceAll(ref[len("SAMEN-"):], "-", ""))
		for i := range code {
			orig := code[i]
			for _, c := range []byte(crockford) {
				if c == orig {
					continue
				}
				code[i] = c
				if s := "SAMEN" + string(code); ValidReference(s) {
					t.Fatalf("%s with symbol %d as %c: %s is valid", ref, i+1, c, s)
				}
			}
			code[i] = orig
		}
		for i := 0; i+1 < len(code); i++ {
			if code[i] == code[i+1] {
				continue
			}
			code[i], code[i+1] = code[i+1], code[i]
			if s := "SAMEN" + string(code); ValidReference(s) {
				t.Fatalf("%s with symbols %d and %d swapped: %s is valid", ref, i+1, i+2, s)
			}
			code[i], code[i+1] = code[i+1], code[i]
		}
	}
}

// Words after "samen" never read as a reference: a reference needs a
// digit as typed. These all have the form (SAMEN, eight symbols, a word
// end), so only the digit rule keeps them out.
func TestReferenceNoWords(t *testing.T) {
	for _, text := range []string{
		"samen bijdrage", "Samen voor wijk", "SAMEN BEDANKT!", "samen koffie", "samen sterker", "Samen gezellig",
		"samen-moestuin", "samen vrijheid", "samen gedeeld", "samen kanjers", "samen daarmee", "samen verbeter",
		"Samen1 voor iedereen", "samenwerking", "samen werken aan de buurt", "gift van SAMEN BIJDRAGE 2026",
	} {
		if got, ok := Reference(text); ok {
			t.Errorf("found %q in %q", got, text)
		}
	}
	// Every eight-letter string (the symbols that are letters, O, I and L
	// too) of a large sample: none, whatever the check would say.
	letters := "ABCDEFGHIJKLMNOPQRSTVWXYZ"
	r := rand.New(seeded(5))
	for range 200_000 {
		var b [8]byte
		for i := range b {
			b[i] = letters[r.IntN(len(letters))]
		}
		if s := "samen " + string(b[:]); ValidReference(s) {
			t.Fatalf("%q is valid", s)
		}
	}
}

// A random string of the reference's form passes the check once in about
// 1024, and random text without "samen" never gives a reference.
func TestReferenceRandomMatches(t *testing.T) {
	r := rand.New(seeded(6))
	const tries = 1_000_000
	passed := 0
	var b [8]byte
	for range tries {
		for i := range b {
			b[i] = crockford[r.IntN(32)]
		}
		b[r.IntN(8)] = '0' + byte(r.IntN(10))
		if ValidReference("SAMEN" + string(b[:])) {
			passed++
		}
	}
	// 1,000,000 / 1024 ≈ 977; the bounds are some ten standard deviations.
	if passed < 660 || passed > 1300 {
		t.Errorf("%d of %d random codes pass the check; about 977 expected", passed, tries)
	}
	printable := []byte(" abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -.,;:!?()/'+ ")
	for range 100_000 {
		text := make([]byte, 60)
		for i := range text {
			text[i] = printable[r.IntN(len(printable))]
		}
		for _, ref := range References(string(text)) {
			if strings.HasPrefix(ref, "SAMEN") {
				t.Fatalf("%q found in %q", ref, text)
			}
		}
	}
}

func TestReferenceRF(t *testing.T) {
	for text, want := range map[string]string{
		// The example of ISO 11649, on paper and electronically.
		"RF18 5390 0754 7034":                    "RF18539007547034",
		"RF18539007547034":                       "RF18539007547034",
		"rf18539007547034":                       "RF18539007547034",
		"Factuur RF18 5390 0754 7034, dank":      "RF18539007547034",
		"kenmerk RF952026BUURTFONDS17 voor 2026": "RF952026BUURTFONDS17",
		"RF95 2026 BUUR TFON DS17":               "RF952026BUURTFONDS17",
		"RF37SAMEN4K2M8Q":                        "RF37SAMEN4K2M8Q",
	} {
		if got, ok := Reference(text); !ok || got != want {
			t.Errorf("%q: %q %v, want %s", text, got, ok, want)
		}
	}
	for _, text := range []string{
		"RF19539007547034", "RF18 5390 0754 7035", "RF18539007547034x", "xRF18539007547034", "RF18",
		"RF00539007547034", "RF1853900754703412345678901", "RF18-5390-0754-7034",
	} {
		if got, ok := Reference(text); ok {
			t.Errorf("%q: found %q", text, got)
		}
	}
	// Two readings that both pass the check: none is taken. ("J", a
	// payer's initial, makes the example's check hold too.)
	if !validRF("RF18539007547034J") {
		t.Fatal("RF18539007547034J no longer passes")
	}
	if got, ok := Reference("RF18 5390 0754 7034 J. de Vries"); ok {
		t.Errorf("found %q in an ambiguous text", got)
	}
}

func TestReferenceSeveral(t *testing.T) {
	a, b := NewReference(seeded(7)), NewReference(seeded(8))
	if got, ok := Reference(a + " en " + strings.ToLower(a)); !ok || got != a {
		t.Errorf("the same twice: %q %v", got, ok)
	}
	if _, ok := Reference(a + " en " + b); ok {
		t.Error("two references: one taken")
	}
	if refs := References(b + " en " + a + " en RF18539007547034 en " + b); !slices.Equal(refs, []string{b, a, "RF18539007547034"}) {
		t.Errorf("%v", refs)
	}
	// A samen reference's own symbols do not start an RF reference.
	if refs := References("SAMEN RF34 5678 and more"); len(refs) > 1 {
		t.Errorf("%v", refs)
	}
	if _, ok := Reference(""); ok {
		t.Error("found one in nothing")
	}
	l := Line{CreditorRef: "RF18539007547034", Remittance: "gift " + a}
	if _, ok := l.Reference(); ok {
		t.Error("line with two references")
	}
	l = Line{CreditorRef: "4000202600004711", Remittance: "gift " + a, AdditionalInfo: "Naam: J. de Vries Omschrijving: gift " + strings.ToLower(a)}
	if got, ok := l.Reference(); !ok || got != a {
		t.Errorf("line: %q %v", got, ok)
	}
}

// FuzzReference: no text makes the search panic, and every reference it
// finds is canonical, valid, and found again on its own.
func FuzzReference(f *testing.F) {
	for _, s := range []string{"Gift SAMEN-TX77-XND0 bedankt", "samen as46 vq2w", "RF18 5390 0754 7034 dank", "SAMEN RF34 5678", "rf18539007547034", "samen bijdrage"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, ref := range References(text) {
			ok := canonicalRE.MatchString(ref) && ValidReference(ref) || validRF(ref)
			if !ok {
				t.Fatalf("%q found in %q", ref, text)
			}
			if again, ok := Reference(ref); !ok || again != ref {
				t.Fatalf("%q found in %q, and alone as %q", ref, text, again)
			}
		}
		if ValidReference(text) {
			if ref, ok := Reference(text); !ok || !canonicalRE.MatchString(ref) {
				t.Fatalf("%q is valid, but found as %q", text, ref)
			}
		}
	})
}
