package workspace

import (
	"strings"
	"testing"
)

func TestCirclesNest(t *testing.T) {
	// Inner circles see everything outer ones see (§7.1.1, figure 2).
	cases := []struct {
		c    Circle
		v    Visibility
		sees bool
	}{
		{Core, Visibility(Core), true},
		{Core, Visibility(Supporters), true},
		{Contributors, Visibility(Core), false},
		{Contributors, Visibility(Members), true},
		{Members, Visibility(Contributors), false},
		{Members, Visibility(Members), true},
		{Supporters, Visibility(Members), false},
		{Supporters, Public, true},
		{"", Public, true},
		{"", Visibility(Supporters), false},
		{"stranger", Visibility(Supporters), false},
	}
	for _, tc := range cases {
		if got := tc.c.Within(tc.v); got != tc.sees {
			t.Errorf("%q within %q: %v, want %v", tc.c, tc.v, got, tc.sees)
		}
	}
	if Visibility("everyone").Valid() || !Public.Valid() || !Visibility(Core).Valid() {
		t.Error("Valid")
	}
}

func TestRolesAndMoves(t *testing.T) {
	core := Viewer{MemberID: 1, Circle: Core}
	keeper := Viewer{MemberID: 2, Circle: Members, Roles: []Role{RoleRegister}}
	member := Viewer{MemberID: 3, Circle: Members}
	gone := Viewer{MemberID: 0, Circle: "", Roles: []Role{RoleRegister}} // roles of someone who left count for nothing
	for _, r := range Roles {
		if !core.Has(r) {
			t.Errorf("core lacks %s", r)
		}
	}
	if !keeper.Has(RoleRegister) || keeper.Has(RoleTreasurer) || member.Has(RoleRegister) || gone.Has(RoleRegister) {
		t.Error("delegated roles")
	}
	moves := []struct {
		v        Viewer
		from, to Circle
		ok       bool
	}{
		{core, Supporters, Core, true},
		{core, Core, Members, true},
		{keeper, Supporters, Contributors, true},
		{keeper, Members, Core, false},
		{keeper, Core, Members, false},
		{member, Supporters, Members, false},
	}
	for _, m := range moves {
		if got := CanMove(m.v, m.from, m.to); got != m.ok {
			t.Errorf("%+v moves %s → %s: %v, want %v", m.v, m.from, m.to, got, m.ok)
		}
	}
}

func TestDraftClean(t *testing.T) {
	d, err := Draft{Name: "  Buurtkracht   Noord ", Description: " x "}.Clean()
	if err != nil || d.Name != "Buurtkracht Noord" || d.Slug != "buurtkracht-noord" || d.Description != "x" {
		t.Errorf("%+v %v", d, err)
	}
	if d, _ := (Draft{Name: "Café Één & Co"}).Clean(); d.Slug != "cafe-een-co" {
		t.Errorf("slug %q", d.Slug)
	}
	for _, tc := range []struct {
		d           Draft
		field, code string
	}{
		{Draft{}, "name", "required"},
		{Draft{Name: "ok", Slug: "Has Spaces"}, "slug", "slug.invalid"},
		{Draft{Name: "ok", Slug: "new"}, "slug", "slug.invalid"},
		{Draft{Name: "ok", Slug: "123"}, "slug", "slug.invalid"},
		{Draft{Name: "a\x00b"}, "name", "text.control"},
		{Draft{Name: strings.Repeat("a", MaxName+1)}, "name", "too_long"},
	} {
		_, err := tc.d.Clean()
		p := problemFields(err)
		if p[tc.field] != tc.code {
			t.Errorf("%+v: %v, want %s: %s", tc.d, err, tc.field, tc.code)
		}
	}
	if Slugify("2026") != "ws-2026" || Slugify("!!!") != "" {
		t.Errorf("Slugify: %q %q", Slugify("2026"), Slugify("!!!"))
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{"2026-03-01": "2026-03-01", "1-3-2026": "2026-03-01", "01/03/2026": "2026-03-01", "2026-02-30": "", "yesterday": ""} {
		got, ok := parseDate(in)
		if got != want || ok != (want != "") {
			t.Errorf("parseDate(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
}
