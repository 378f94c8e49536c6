package atlas_test

import (
	"strings"
	"testing"

	"samen/internal/atlas"
)

const today = "2026-06-01"

func TestValidateNamesEachBadField(t *testing.T) {
	tests := []struct {
		name   string
		change func(r *atlas.Record)
		field  string
		code   string
	}{
		{"no name", func(r *atlas.Record) { r.Name = "  " }, "name", "required"},
		{"one letter", func(r *atlas.Record) { r.Name = "A" }, "name", "too_short"},
		{"long name", func(r *atlas.Record) { r.Name = strings.Repeat("a", 121) }, "name", "too_long"},
		{"long summary", func(r *atlas.Record) { r.Summary.EN = strings.Repeat("a", 301) }, "summary.en", "too_long"},
		{"no sector", func(r *atlas.Record) { r.Sectors = nil }, "sectors", "required"},
		{"unknown sector", func(r *atlas.Record) { r.Sectors = []string{"energy", "weapons"} }, "sectors", "unknown"},
		{"six sectors", func(r *atlas.Record) {
			r.Sectors = []string{"energy", "food", "care", "housing", "culture", "mobility"}
		}, "sectors", "too_many"},
		{"unknown legal form", func(r *atlas.Record) { r.LegalForm = "nv" }, "legal_form", "unknown"},
		{"unknown principle", func(r *atlas.Record) {
			r.Principles = map[string]atlas.Principle{"profit": {Holds: ptr(true)}}
		}, "principles", "unknown"},
		{"latitude alone", func(r *atlas.Record) { r.Location.Longitude = nil }, "location.longitude", "required"},
		{"latitude 91", func(r *atlas.Record) { r.Location.Latitude = ptr(91.0) }, "location.latitude", "latitude.out_of_range"},
		{"longitude -181", func(r *atlas.Record) { r.Location.Longitude = ptr(-181.0) }, "location.longitude", "longitude.out_of_range"},
		{"unknown district", func(r *atlas.Record) { r.Location.District = "haarlem" }, "location.district", "unknown"},
		{"bad e-mail", func(r *atlas.Record) { r.Contact.Email = "info@" }, "contact.email", "email.invalid"},
		{"ftp website", func(r *atlas.Record) { r.Contact.Website = "ftp://example.org" }, "contact.website", "url.invalid"},
		{"link without scheme", func(r *atlas.Record) { r.Contact.Links = []string{"example.org"} }, "contact.links", "url.invalid"},
		{"bad hours", func(r *atlas.Record) { r.OpeningHours = "Mon-Fri 9-5" }, "opening_hours", "hours.invalid"},
		{"founded in the future", func(r *atlas.Record) { r.Founded = 2027 }, "founded", "year.out_of_range"},
		{"founded 1700", func(r *atlas.Record) { r.Founded = 1700 }, "founded", "year.out_of_range"},
		{"unknown size", func(r *atlas.Record) { r.Size = "huge" }, "size", "unknown"},
		{"need without kind", func(r *atlas.Record) { r.Needs = []atlas.Exchange{{Text: "help"}} }, "needs.0.kind", "required"},
		{"offer of unknown kind", func(r *atlas.Record) {
			r.Offers = []atlas.Exchange{{Kind: "space"}, {Kind: "love"}}
		}, "offers.1.kind", "unknown"},
		{"bad until", func(r *atlas.Record) { r.Needs = []atlas.Exchange{{Kind: "space", Until: "2026-13-01"}} }, "needs.0.until", "date.invalid"},
		{"source id without source", func(r *atlas.Record) { r.SourceID = "42" }, "source", "required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := record("Zonnedak Noord", 52.39, 4.92)
			tt.change(&r)
			r.Normalize()
			err := r.Validate(today)
			if got := fieldCode(err, tt.field); got != tt.code {
				t.Fatalf("field %s: code %q, want %q (error: %v)", tt.field, got, tt.code, err)
			}
		})
	}
	r := record("Zonnedak Noord", 52.39, 4.92)
	r.Normalize()
	if err := r.Validate(today); err != nil {
		t.Fatalf("the base record is refused: %v", err)
	}
}

func TestValidateReportsAllFieldsAtOnce(t *testing.T) {
	r := atlas.Record{Name: "", Sectors: nil, Contact: atlas.Contact{Email: "x"}}
	r.Normalize()
	err := r.Validate(today)
	for _, f := range []string{"name", "sectors", "contact.email"} {
		if fieldCode(err, f) == "" {
			t.Errorf("no problem reported for %s: %v", f, err)
		}
	}
}

func TestNormalize(t *testing.T) {
	r := atlas.Record{
		Name:    "  Buurt   Energie \n Noord ",
		Sectors: []string{" Energy", "energy", "FOOD", ""},
		Tags:    []string{"#Zon", "zon", " wind "},
		Contact: atlas.Contact{Links: []string{"@buurt@Social.Coop", " https://example.org ", "https://example.org", ""}},
		Needs:   []atlas.Exchange{{}, {Kind: " Volunteers ", Text: " help  needed "}},
		Principles: map[string]atlas.Principle{
			"local_roots":      {Holds: ptr(true), Note: " in Noord "},
			"shared_ownership": {},
		},
		Location: atlas.Location{Postcode: "1021 ab", District: " Noord "},
	}
	r.Normalize()
	if r.Name != "Buurt Energie Noord" {
		t.Errorf("name %q", r.Name)
	}
	if strings.Join(r.Sectors, ",") != "energy,food" {
		t.Errorf("sectors %v", r.Sectors)
	}
	if strings.Join(r.Tags, ",") != "zon,wind" {
		t.Errorf("tags %v", r.Tags)
	}
	if strings.Join(r.Contact.Links, ",") != "https://social.coop/@buurt,https://example.org" {
		t.Errorf("links %v", r.Contact.Links)
	}
	if len(r.Needs) != 1 || r.Needs[0].Kind != "volunteers" || r.Needs[0].Text != "help needed" {
		t.Errorf("needs %+v", r.Needs)
	}
	if len(r.Principles) != 1 || r.Principles["local_roots"].Note != "in Noord" {
		t.Errorf("principles %+v", r.Principles)
	}
	if r.Location.Postcode != "1021 AB" || r.Location.District != "noord" {
		t.Errorf("location %+v", r.Location)
	}
}

func TestOpeningHours(t *testing.T) {
	good := []string{
		"24/7",
		"Mo-Fr 09:00-17:00",
		"Mo-Fr 09:00-12:00,13:00-17:30; Sa 10:00-14:00",
		"Mo,We,Fr 10:00-16:00; PH off",
		"Tu-Su 11:00-23:00; Fr 20:00-02:00",
		"Sa 18:00+",
		"Jan-Mar Sa 10:00-12:00",
		"Dec 25 off",
		"Mo-Fr 09:00-17:00 || \"by appointment\"",
		"\"by appointment\"",
		"Mo-Fr 10:00-18:00; SH off",
	}
	for _, s := range good {
		if !atlas.ValidOpeningHours(s) {
			t.Errorf("%q refused", s)
		}
	}
	bad := []string{
		"", "Mon-Fri 9-5", "Mo-Fr 9:00-17:00", "Mo-Fr 09:00", "Mo-Xx 09:00-17:00", "09:60-10:00",
		"Mo-Fr 25:00-26:00", "always", "Mo-Fr 09:00-17:00;", "Mo \"unclosed", "Mo 10:00-12:00 open closed",
	}
	for _, s := range bad {
		if atlas.ValidOpeningHours(s) {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestTextFallsBack(t *testing.T) {
	if got := (atlas.Text{NL: "hallo"}).In("en"); got != "hallo" {
		t.Errorf("English falls back to Dutch: %q", got)
	}
	if got := (atlas.Text{EN: "hello"}).In("nl"); got != "hello" {
		t.Errorf("Dutch falls back to English: %q", got)
	}
	if got := (atlas.Text{NL: "hallo", EN: "hello"}).In("en"); got != "hello" {
		t.Errorf("English: %q", got)
	}
}
