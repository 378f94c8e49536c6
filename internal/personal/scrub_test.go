package personal_test

import (
	"strings"
	"testing"

	"samen/internal/personal"
)

var zoe = personal.Person{ID: 12, Email: "zoe.ueberschaer@example.org", Name: "Zoë Überschär"}

func TestScrub(t *testing.T) {
	for _, c := range []struct {
		p       personal.Person
		in, out string
	}{
		{zoe, "Mail Zoe.Ueberschaer@Example.org today", "Mail [… ] today"},
		{zoe, "ZOË ÜBERSCHÄR said so; zoë überschär too", "[…] said so; […] too"},
		{zoe, "Zoë Überschärs fiets", "Zoë Überschärs fiets"}, // not a whole word
		{zoe, "nothing here", "nothing here"},
		{personal.Person{Email: "al@example.org", Name: "Al"}, "Al wrote to Alles", "[…] wrote to Alles"},
		{personal.Person{Email: "al@example.org"}, "Al wrote", "Al wrote"},
	} {
		want := strings.ReplaceAll(c.out, "[… ]", "[…]")
		got, changed := c.p.Scrub(c.in)
		if got != want || changed != (c.in != want) {
			t.Errorf("%+v.Scrub(%q) = %q, %v; want %q", c.p, c.in, got, changed, want)
		}
	}
}

func TestScrubJSON(t *testing.T) {
	in := `{"name":"Bakkerij","contact":{"email":"Zoe.Ueberschaer@example.org","links":["https://x.org/zoe"]},"description":{"nl":"Door Zoë Überschär & co"},"founded":2001}`
	got, changed := zoe.ScrubJSON(in)
	want := `{"contact":{"email":"","links":["https://x.org/zoe"]},"description":{"nl":"Door […] & co"},"founded":2001,"name":"Bakkerij"}`
	if !changed || got != want {
		t.Errorf("ScrubJSON = %s, %v\nwant %s", got, changed, want)
	}
	if got, changed := zoe.ScrubJSON(`{"a":"b"}`); changed || got != `{"a":"b"}` {
		t.Errorf("ScrubJSON of a document without the person = %s, %v", got, changed)
	}
	// Not JSON: scrubbed as text.
	if got, changed := zoe.ScrubJSON(`Zoë Überschär`); !changed || got != personal.Removed {
		t.Errorf("ScrubJSON of text = %s, %v", got, changed)
	}
}

// The LIKE patterns find every case of the address and the name, as
// SQLite's ASCII-only lower() leaves them.
func TestLike(t *testing.T) {
	like := zoe.Like()
	if like[0] != "%zoe.ueberschaer@example.org%" || like[1] != "%bersch%" {
		t.Errorf("Like() = %q", like)
	}
	if got := (personal.Person{Email: "a@b.c", Name: "Ωμέγα"}).Like(); got[1] != "%" {
		t.Errorf("a name without a usable ASCII run must match every row, got %q", got[1])
	}
	if got := (personal.Person{Email: "a@b.c"}).Like(); got[0] != got[1] {
		t.Errorf("no name: %q", got)
	}
}

func TestDistinctive(t *testing.T) {
	for name, want := range map[string]bool{"Zoë Überschär": true, "Bakker": false, "Al B": false, "": false, "Jo de Wit": true} {
		if got := (personal.Person{Name: name}).Distinctive(); got != want {
			t.Errorf("Distinctive(%q) = %v", name, got)
		}
		if p := (personal.Person{Name: name}).ForOthers(); (p.Name != "") != want {
			t.Errorf("ForOthers(%q) = %q", name, p.Name)
		}
	}
}
