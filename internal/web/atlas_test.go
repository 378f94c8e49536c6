package web_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"encoding/xml"
	"hash/crc32"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"samen/internal/atlas"
	"samen/internal/demo"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

var (
	initiativeRE = regexp.MustCompile(`^/atlas/(\d+)\?notice=`)
	reviewRE     = regexp.MustCompile(`action="/moderation/revisions/(\d+)"`)
)

// proposal is a filled-in initiative form.
func proposal(name string) url.Values {
	return url.Values{
		"name":                   {name},
		"summary.nl":             {"Samen fietsen repareren in de buurt."},
		"summary.en":             {"Repairing bicycles together."},
		"sectors":                {"circular", "mobility"},
		"location.district":      {"oost"},
		"location.latitude":      {"52.3601"},
		"location.longitude":     {"4.9402"},
		"contact.email":          {"fiets@werkplaats.example"},
		"needs.0.kind":           {"volunteers"},
		"needs.0.text":           {"Dapperklussers op zaterdag"},
		"principles.local_roots": {"yes"},
		"note":                   {"Nieuw in Oost"},
	}
}

func createdID(t *testing.T, r *response) int64 {
	t.Helper()
	m := initiativeRE.FindStringSubmatch(r.Location())
	if r.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("propose: status %d to %q; body:\n%s", r.Status, r.Location(), r.Body)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// A member proposes an initiative; it waits unseen until a moderator
// accepts it; then anyone finds it, on the list, on the map and in the
// feed, and its history says who did what.
func TestAtlasProposalJourney(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed()
		visitor := s.browser("en")
		mem := s.loggedIn(member, "en")
		mod := s.loggedIn(moderator, "en")

		// Visitors must log in to propose.
		if r := visitor.get("/atlas/new"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/login") {
			t.Fatalf("visitor at /atlas/new: %d %q", r.Status, r.Location())
		}
		r := mem.postForm("/atlas/new", proposal("Fietswerkplaats Dapperbuurt"))
		id := createdID(t, r)
		page := mem.get(r.Location())
		mustContain(t, page, html(msgs.T("en", "notice.initiative_proposed")), html(msgs.T("en", "atlas.status.pending_note")))
		path := "/atlas/" + strconv.FormatInt(id, 10)
		if r := visitor.get(path); r.Status != http.StatusNotFound {
			t.Fatalf("a visitor sees a proposal: %d", r.Status)
		}
		if r := visitor.get("/atlas?q=Dapperbuurt"); strings.Contains(r.Body, "Fietswerkplaats Dapperbuurt") {
			t.Fatal("a proposal is listed")
		}

		// The moderator sees it in the queue, with what it says, and
		// accepts it.
		if r := mem.get("/moderation"); r.Status != http.StatusForbidden {
			t.Fatalf("a member opens the moderation queue: %d", r.Status)
		}
		q := mod.get("/moderation")
		mustContain(t, q, "Fietswerkplaats Dapperbuurt", "Dapperklussers op zaterdag", html(msgs.T("en", "atlas.sector.circular")))
		m := reviewRE.FindStringSubmatch(q.Body)
		if m == nil {
			t.Fatalf("no review form in the queue:\n%s", q.Body)
		}
		r = mod.postForm("/moderation/revisions/"+m[1], url.Values{"decision": {"accept"}})
		if r.Status != http.StatusSeeOther || r.Location() != "/moderation?notice=revision_accepted" {
			t.Fatalf("accept: %d %q; body:\n%s", r.Status, r.Location(), r.Body)
		}
		if m := s.mailTo(member.Email); m.Subject != msgs.T("nl", "mail.proposal_accepted.subject", "initiative", "Fietswerkplaats Dapperbuurt") {
			t.Errorf("the author's mail: %q", m.Subject)
		}

		// Now anyone finds it: by search (stemmed), by facet, on the page.
		list := visitor.get("/atlas?q=fietsen&district=oost")
		mustContain(t, list, "Fietswerkplaats Dapperbuurt")
		got := visitor.get(path)
		mustContain(t, got, "Fietswerkplaats Dapperbuurt", "Repairing bicycles together.", html(msgs.T("en", "atlas.kind.volunteers")))
		if strings.Contains(got.Body, "fiets@werkplaats.example") {
			t.Fatal("the contact e-mail address is on the public page")
		}
		// The demo has initiatives that offer volunteers: they are matched.
		mustContain(t, got, html(msgs.T("en", "atlas.matches_offering")))

		// A member who is no editor suggests a change; it waits; the
		// moderator turns it down with a reason, which the history shows.
		other := s.loggedIn(steward, "en")
		form := proposal("Fietswerkplaats Dapperbuurt")
		form.Set("summary.en", "Bike repair for everyone.")
		edit := other.get(path + "/edit")
		base := regexp.MustCompile(`name="base" value="(\d+)"`).FindStringSubmatch(edit.Body)
		if base == nil {
			t.Fatalf("no base revision in the edit form:\n%s", edit.Body)
		}
		form.Set("base", base[1])
		// The steward moderates too, so their edit is published at once.
		r = other.postForm(path+"/edit", form)
		if r.Status != http.StatusSeeOther || !strings.Contains(r.Location(), "notice=edit_published") {
			t.Fatalf("steward's edit: %d %q; body:\n%s", r.Status, r.Location(), r.Body)
		}
		// The same form sent again changes nothing, and says so.
		r = other.postForm(path+"/edit", form)
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("an outdated edit: %d", r.Status)
		}
		mustContain(t, r, html(msgs.T("en", "error.atlas.no_change")))

		h := visitor.get(path + "/history")
		mustContain(t, h, "Bike repair for everyone.", "Repairing bicycles together.", "Mia Member")
		if strings.Contains(h.Body, "fiets@werkplaats.example") {
			t.Fatal("the history shows the contact address to a visitor")
		}

		// The feed of the district has it.
		feed := visitor.get("/atlas/feed.atom?district=oost")
		var f struct {
			Entries []struct {
				Title string `xml:"title"`
			} `xml:"entry"`
		}
		if err := xml.Unmarshal([]byte(feed.Body), &f); err != nil || feed.Header.Get("Content-Type") != "application/atom+xml; charset=utf-8" {
			t.Fatalf("feed: %v %q", err, feed.Header.Get("Content-Type"))
		}
		if len(f.Entries) == 0 || f.Entries[0].Title != "Fietswerkplaats Dapperbuurt" {
			t.Fatalf("feed entries %+v", f.Entries)
		}
	})
}

func TestInitiativeFormNamesEachProblem(t *testing.T) {
	t.Parallel()
	s := newSite(t, storetest.SQLite(t))
	s.seed()
	b := s.loggedIn(member, "nl")
	form := proposal("")
	form.Set("location.latitude", "noord")
	form.Set("founded", "1700")
	form.Set("needs.0.kind", "")
	form.Set("needs.3.kind", "love")
	form.Del("sectors")
	r := b.postForm("/atlas/new", form)
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", r.Status)
	}
	mustContain(t, r,
		`href="#name"`, html(msgs.T("nl", "field.required")),
		`href="#location.latitude"`, html(msgs.T("nl", "field.number.invalid")),
		`href="#founded"`, html(msgs.T("nl", "field.year.out_of_range")),
		`href="#sectors"`,
		// The need typed in row 4 is the first filled row: reported there,
		// and shown there.
		`href="#needs.0.kind"`, html(msgs.T("nl", "field.unknown")),
		`value="Dapperklussers op zaterdag"`,
	)
	// Nothing was stored.
	if n, _ := s.Parts.Atlas.Search(t.Context(), atlas.Query{Text: "dapperklussers"}); n.Total != 0 {
		t.Fatal("an invalid proposal was stored")
	}
}

func TestPossibleDuplicateAsksFirst(t *testing.T) {
	t.Parallel()
	s := newSite(t, storetest.SQLite(t))
	s.seed()
	b := s.loggedIn(member, "en")
	first := b.postForm("/atlas/new", proposal("Fietswerkplaats Dapperbuurt"))
	createdID(t, first)
	r := b.postForm("/atlas/new", proposal("Fietswerkplaats de Dapperbuurt"))
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", r.Status)
	}
	mustContain(t, r, html(msgs.T("en", "atlas.form.duplicates_title")), `name="not_duplicate"`, "Fietswerkplaats Dapperbuurt")
	form := proposal("Fietswerkplaats de Dapperbuurt")
	form.Set("not_duplicate", "yes")
	createdID(t, b.postForm("/atlas/new", form))
}

func TestContactFormHidesTheAddress(t *testing.T) {
	t.Parallel()
	s := newSite(t, storetest.SQLite(t))
	s.seed()
	mod := s.loggedIn(moderator, "en")
	id := createdID(t, mod.postForm("/atlas/new", proposal("Fietswerkplaats Dapperbuurt")))
	path := "/atlas/" + strconv.FormatInt(id, 10)
	// A member who is not its editor may suggest changes, but the edit
	// form does not show the address, and the suggestion keeps it.
	mem := s.loggedIn(member, "en")
	edit := mem.get(path + "/edit")
	if edit.Status != http.StatusOK || strings.Contains(edit.Body, "fiets@werkplaats.example") || strings.Contains(edit.Body, `name="contact.email"`) {
		t.Fatalf("the edit form shows the address to a stranger: %d", edit.Status)
	}
	suggestion := proposal("Fietswerkplaats Dapperbuurt")
	suggestion.Set("contact.email", "thief@example.net")
	suggestion.Set("summary.en", "Bikes!")
	if r := mem.postForm(path+"/edit", suggestion); r.Status != http.StatusSeeOther {
		t.Fatalf("suggestion: %d %s", r.Status, r.Body)
	}
	q := mod.get("/moderation")
	if strings.Contains(q.Body, "thief@example.net") || !strings.Contains(q.Body, "Bikes!") {
		t.Fatal("a stranger's suggestion changed the contact address")
	}
	visitor := s.browser("en")
	form := visitor.get(path + "/contact")
	if form.Status != http.StatusOK || strings.Contains(form.Body, "fiets@werkplaats.example") {
		t.Fatalf("contact form: %d", form.Status)
	}
	r := visitor.postForm(path+"/contact", url.Values{"name": {"Ans"}, "email": {"ans@"}, "message": {"hoi"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad message: %d", r.Status)
	}
	mustContain(t, r, `href="#email"`, `href="#message"`)
	r = visitor.postForm(path+"/contact", url.Values{"name": {"Ans"}, "email": {"ans@example.net"}, "message": {"Mag ik zaterdag langskomen?"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("send: %d; body:\n%s", r.Status, r.Body)
	}
	m := s.mailTo("fiets@werkplaats.example")
	if !strings.Contains(m.Body, "Mag ik zaterdag langskomen?") || m.ReplyTo != "ans@example.net" {
		t.Fatalf("mail: %+v", m)
	}
}

func TestReportGoesToModerators(t *testing.T) {
	t.Parallel()
	s := newSite(t, storetest.SQLite(t))
	s.seed()
	mod := s.loggedIn(moderator, "en")
	id := createdID(t, mod.postForm("/atlas/new", proposal("Fietswerkplaats Dapperbuurt")))
	path := "/atlas/" + strconv.FormatInt(id, 10)
	visitor := s.browser("nl")
	r := visitor.postForm(path+"/report", url.Values{"reason": {"other"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("report without words: %d", r.Status)
	}
	mustContain(t, r, `href="#message"`)
	r = visitor.postForm(path+"/report", url.Values{"reason": {"closed"}, "message": {"Dicht sinds mei"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("report: %d", r.Status)
	}
	q := mod.get("/moderation")
	mustContain(t, q, "Dicht sinds mei", html(msgs.T("en", "atlas.reason.closed")))
}

func TestEmbedMayBeFramed(t *testing.T) {
	t.Parallel()
	s := newSite(t, storetest.SQLite(t))
	s.seed()
	b := s.browser("en")
	r := b.get("/embed/atlas?sector=energy")
	if r.Status != http.StatusOK {
		t.Fatalf("embed: %d", r.Status)
	}
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors *") || r.Header.Get("X-Frame-Options") != "" {
		t.Fatalf("embed headers: CSP %q, XFO %q", csp, r.Header.Get("X-Frame-Options"))
	}
	if strings.Contains(r.Body, `name="sector"`) {
		t.Error("the embed lets visitors change its filters")
	}
	mustContain(t, r, `target="_blank"`)
	// Every other page refuses to be framed.
	if r := b.get("/atlas"); r.Header.Get("X-Frame-Options") != "DENY" || !strings.Contains(r.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Fatal("the atlas page may be framed")
	}
}

type featurePage struct {
	Type       string `json:"type"`
	Licence    string `json:"licence"`
	Total      *int   `json:"total"`
	NextCursor *int64 `json:"next_cursor"`
	Features   []struct {
		ID       int64 `json:"id"`
		Status   string
		Geometry *struct {
			Type        string    `json:"type"`
			Coordinates []float64 `json:"coordinates"`
		} `json:"geometry"`
		Properties map[string]any `json:"properties"`
	} `json:"features"`
}

func decodeGeo(t *testing.T, r *response, v any) {
	t.Helper()
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/geo+json") {
		t.Fatalf("status %d, type %q; body:\n%s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	if err := json.Unmarshal([]byte(r.Body), v); err != nil {
		t.Fatal(err)
	}
}

// clusterPage is an answer of /api/v1/clusters.
type clusterPage struct {
	Capped   bool `json:"capped"`
	Features []struct {
		Properties map[string]any `json:"properties"`
	} `json:"features"`
}

// shown is how many initiatives the clusters and single points stand for.
func (c clusterPage) shown() int {
	n := 0
	for _, f := range c.Features {
		if f.Properties["cluster"] == true {
			n += int(f.Properties["point_count"].(float64))
		} else {
			n++
		}
	}
	return n
}

func TestAtlasOpenDataAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed()
		api := s.script("", "en")
		recs, _ := demo.Initiatives()

		// Every page in ID order, following the cursor; coordinates are
		// longitude first; no e-mail address anywhere.
		seen := map[int64]bool{}
		cursor := ""
		for range 20 {
			var page featurePage
			r := api.call(http.MethodGet, "/initiatives?limit=15"+cursor, "")
			decodeGeo(t, r, &page)
			if page.Type != "FeatureCollection" || page.Licence != "ODbL-1.0" || !strings.Contains(r.Header.Get("Link"), "ODbL-1.0") {
				t.Fatalf("page: %+v %q", page.Type, page.Licence)
			}
			if strings.Contains(r.Body, "@") && strings.Contains(r.Body, "info@") {
				t.Fatal("an e-mail address is in the open data")
			}
			for _, f := range page.Features {
				if seen[f.ID] {
					t.Fatalf("%d twice", f.ID)
				}
				seen[f.ID] = true
				if f.Geometry != nil {
					lon, lat := f.Geometry.Coordinates[0], f.Geometry.Coordinates[1]
					if lon < 4.7 || lon > 5.1 || lat < 52.2 || lat > 52.5 {
						t.Fatalf("%d at %v: not longitude, latitude in Amsterdam", f.ID, f.Geometry.Coordinates)
					}
				}
			}
			if page.NextCursor == nil {
				break
			}
			cursor = "&cursor=" + strconv.FormatInt(*page.NextCursor, 10)
		}
		if len(seen) != len(recs) {
			t.Fatalf("paged through %d of %d", len(seen), len(recs))
		}

		// Filters work as on the page.
		var energy featurePage
		decodeGeo(t, api.call(http.MethodGet, "/initiatives?sector=energy&district=noord,oost", ""), &energy)
		for _, f := range energy.Features {
			if !strings.Contains(f.Properties["district"].(string), "o") {
				t.Errorf("district %v", f.Properties["district"])
			}
		}
		e := apiErrorOf(t, api.call(http.MethodGet, "/initiatives?sector=weapons&bbox=1,2", ""), http.StatusBadRequest)
		if e.Error.Fields["sector"].Code != "unknown" || e.Error.Fields["bbox"].Code != "bbox.invalid" {
			t.Fatalf("bad query: %+v", e.Error.Fields)
		}

		// One initiative, as GeoJSON and as JSON-LD.
		var any1 int64
		for id := range seen {
			any1 = id
			break
		}
		one := api.call(http.MethodGet, "/initiatives/"+strconv.FormatInt(any1, 10), "")
		if !strings.HasPrefix(one.Header.Get("Content-Type"), "application/geo+json") {
			t.Fatalf("one: %q", one.Header.Get("Content-Type"))
		}
		req := api.b.newRequest(http.MethodGet, "/api/v1/initiatives/"+strconv.FormatInt(any1, 10), nil)
		req.Header.Set("Accept", "application/ld+json")
		ld := api.b.do(req)
		var doc map[string]any
		if err := json.Unmarshal([]byte(ld.Body), &doc); err != nil || doc["@type"] != "Organization" || doc["@context"] == nil {
			t.Fatalf("JSON-LD: %v %s", err, ld.Body)
		}

		// Clusters: at every zoom, the counts add up to the placed
		// initiatives.
		placed := 0
		for _, r := range recs {
			if r.Location.HasPoint() {
				placed++
			}
		}
		count := func(bbox, zoom string) int {
			var c clusterPage
			decodeGeo(t, api.call(http.MethodGet, "/clusters?bbox="+bbox+"&zoom="+zoom, ""), &c)
			return c.shown()
		}
		for _, z := range []string{"3", "9", "11.5"} {
			if n := count("4.6,52.2,5.2,52.5", z); n != placed {
				t.Errorf("zoom %s: %d counted, want %d", z, n, placed)
			}
		}
		// Filtered by words and a facet, the map shows what the list finds.
		found, err := s.Parts.Atlas.Search(t.Context(), atlas.Query{Text: "buurt", Sectors: []string{"welfare", "food"}, Limit: 500})
		if err != nil || found.Total == 0 {
			t.Fatalf("search: %v, %d", err, found.Total)
		}
		withPlace := 0
		for _, in := range found.Items {
			if in.Location.HasPoint() {
				withPlace++
			}
		}
		if n := count("4.6,52.2,5.2,52.5&q=buurt&sector=welfare,food", "9"); n != withPlace {
			t.Errorf("clusters of a search: %d, the list has %d with a place", n, withPlace)
		}
		// Closer in, a view is smaller: count tile by tile. The grid's
		// lines fall between the demo's coordinates, so nothing is on two.
		n := 0
		for lon := 0; lon < 12; lon++ {
			for lat := 0; lat < 6; lat++ {
				w, s := 4.6000003+0.05*float64(lon), 52.2000003+0.05*float64(lat)
				n += count(fmtBBox(w, s, w+0.05, s+0.05), "16")
			}
		}
		if n != placed {
			t.Errorf("zoom 16: %d counted, want %d", n, placed)
		}
		e = apiErrorOf(t, api.call(http.MethodGet, "/clusters?bbox=-180,-85,180,85&zoom=14", ""), http.StatusBadRequest)
		if e.Error.Fields["bbox"].Code != "bbox.too_large" {
			t.Fatalf("a huge view: %+v", e.Error.Fields)
		}
		e = apiErrorOf(t, api.call(http.MethodGet, "/clusters?bbox=4.6,52.2,5.2&zoom=x", ""), http.StatusBadRequest)
		if e.Error.Fields["bbox"].Code != "bbox.invalid" || e.Error.Fields["zoom"].Code != "zoom.invalid" {
			t.Fatalf("bad clusters query: %+v", e.Error.Fields)
		}

		// Exports state the licence.
		csv := api.call(http.MethodGet, "/export/initiatives.csv", "")
		header, _, _ := strings.Cut(csv.Body, "\n")
		for _, col := range []string{"name", "latitude", "longitude"} {
			if !strings.Contains(","+header+",", ","+col+",") {
				t.Errorf("CSV header %q lacks %s", header, col)
			}
		}
		if !strings.Contains(csv.Header.Get("Link"), "license") || strings.Count(csv.Body, "\n") < len(recs) {
			t.Errorf("CSV: link %q, %d lines", csv.Header.Get("Link"), strings.Count(csv.Body, "\n"))
		}
		var all featurePage
		decodeGeo(t, api.call(http.MethodGet, "/export/initiatives.geojson", ""), &all)
		if len(all.Features) != len(recs) || all.Licence != "ODbL-1.0" {
			t.Errorf("GeoJSON export: %d features, licence %q", len(all.Features), all.Licence)
		}
	})
}

func TestAtlasWriteAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed()
		anon := s.script("", "en")
		mem := s.script(s.tokenFor(member.Email), "en")
		mod := s.script(s.tokenFor(moderator.Email), "en")
		body := `{"name": "Zonnedak Sloterdijk", "sectors": ["energy"], "location": {"latitude": 52.389, "longitude": 4.838}, "note": "via API"}`
		apiErrorOf(t, anon.call(http.MethodPost, "/initiatives", body), http.StatusUnauthorized)

		e := apiErrorOf(t, mem.call(http.MethodPost, "/initiatives", `{"name": "x", "sectors": ["weapons"], "colour": "red"}`), http.StatusBadRequest)
		if e.Error.Fields["colour"].Code == "" {
			t.Fatalf("unknown member: %+v", e.Error)
		}
		e = apiErrorOf(t, mem.call(http.MethodPost, "/initiatives", `{"name": "x", "sectors": ["weapons"]}`), http.StatusBadRequest)
		if e.Error.Fields["name"].Code != "too_short" || e.Error.Fields["sectors"].Code != "unknown" {
			t.Fatalf("invalid record: %+v", e.Error.Fields)
		}

		r := mem.call(http.MethodPost, "/initiatives", body)
		if r.Status != http.StatusAccepted {
			t.Fatalf("member's proposal: %d %s", r.Status, r.Body)
		}
		var created struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
		}
		r.JSON(t, &created)
		if created.Status != "pending" {
			t.Fatalf("created %+v", created)
		}
		if r := anon.call(http.MethodGet, "/initiatives/"+strconv.FormatInt(created.ID, 10), ""); r.Status != http.StatusNotFound {
			t.Fatalf("a proposal is public: %d", r.Status)
		}

		r = mod.call(http.MethodPost, "/initiatives", `{"name": "Zonnedak Sloterdijk Twee", "sectors": ["energy"], "not_duplicate": true,
			"location": {"latitude": 52.389, "longitude": 4.838}, "contact": {"email": "zon@sloterdijk.example"}}`)
		if r.Status != http.StatusCreated {
			t.Fatalf("moderator's proposal: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &created)
		path := "/initiatives/" + strconv.FormatInt(created.ID, 10)

		// An edit by a member waits; the moderator's is published.
		var one struct {
			Revision int64 `json:"revision"`
		}
		if err := json.Unmarshal([]byte(anon.call(http.MethodGet, path, "").Body), &one); err != nil || one.Revision == 0 {
			t.Fatalf("revision: %v %d", err, one.Revision)
		}
		edit := `{"name": "Zonnedak Sloterdijk Twee", "sectors": ["energy", "housing"], "base_revision": ` + strconv.FormatInt(one.Revision, 10) + `}`
		if r := mem.call(http.MethodPut, path, edit); r.Status != http.StatusAccepted {
			t.Fatalf("member's edit: %d %s", r.Status, r.Body)
		}
		if r := mod.call(http.MethodPut, path, edit); r.Status != http.StatusOK {
			t.Fatalf("moderator's edit: %d %s", r.Status, r.Body)
		}
		apiErrorOf(t, mod.call(http.MethodPut, path, strings.Replace(edit, "housing", "care", 1)), http.StatusConflict)

		// Harvesters see the change.
		var changes featurePage
		decodeGeo(t, anon.call(http.MethodGet, "/initiatives/changes?since=2000-01-01T00:00:00Z&limit=500", ""), &changes)
		found := false
		for _, f := range changes.Features {
			found = found || f.ID == created.ID
		}
		if !found {
			t.Fatal("the new initiative is not among the changes")
		}
		e = apiErrorOf(t, anon.call(http.MethodGet, "/initiatives/changes?since=yesterday", ""), http.StatusBadRequest)
		if e.Error.Fields["since"].Code != "time.invalid" {
			t.Fatalf("bad since: %+v", e.Error.Fields)
		}
	})
}

func fmtBBox(w, s, e, n float64) string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 7, 64) }
	return f(w) + "," + f(s) + "," + f(e) + "," + f(n)
}

func TestLogoUpload(t *testing.T) {
	t.Parallel()
	s := newSite(t, storetest.SQLite(t))
	s.seed()
	mod := s.loggedIn(moderator, "en")
	id := createdID(t, mod.postForm("/atlas/new", proposal("Fietswerkplaats Dapperbuurt")))
	path := "/atlas/" + strconv.FormatInt(id, 10)
	upload := func(b *browser, data []byte) *response {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		part, _ := w.CreateFormFile("logo", "logo.png")
		part.Write(data)
		w.Close()
		req := b.newRequest(http.MethodPost, path+"/logo", &body)
		req.Header.Set("Content-Type", w.FormDataContentType())
		return b.do(req)
	}
	img := image.NewRGBA(image.Rect(0, 0, 40, 20))
	var png1 bytes.Buffer
	if err := png.Encode(&png1, img); err != nil {
		t.Fatal(err)
	}
	if r := upload(s.loggedIn(member, "en"), png1.Bytes()); r.Status != http.StatusForbidden {
		t.Fatalf("a stranger uploads: %d", r.Status)
	}
	r := upload(mod, []byte("not an image at all"))
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a broken image: %d", r.Status)
	}
	mustContain(t, r, html(msgs.T("en", "field.logo.type")), `href="#logo"`)
	if r := upload(mod, png1.Bytes()); r.Status != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	got := s.browser("en").get(path + "/logo")
	if got.Status != http.StatusOK || got.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("logo: %d %q", got.Status, got.Header.Get("Content-Type"))
	}
	if m, err := png.Decode(strings.NewReader(got.Body)); err != nil || m.Bounds().Dx() != 40 {
		t.Fatalf("served logo: %v", err)
	}
	mustContain(t, s.browser("en").get(path), `src="`+path+`/logo"`)
}

// countingBody is a request body that counts what the server reads of it.
type countingBody struct {
	r    io.Reader
	read atomic.Int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read.Add(int64(n))
	return n, err
}

func (c *countingBody) Close() error { return nil }

// bombPNG is the probe's decompression bomb: a PNG of 129 bytes whose
// header claims 6324 × 6324 pixels of 16-bit RGBA (320 MB decoded).
func bombPNG() []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		b.Write(binary.BigEndian.AppendUint32(nil, uint32(len(data))))
		body := append([]byte(typ), data...)
		b.Write(body)
		b.Write(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(body)))
	}
	chunk("IHDR", []byte{0, 0, 0x18, 0xb4, 0, 0, 0x18, 0xb4, 16, 6, 0, 0, 0})
	chunk("IDAT", []byte{0x78, 0x9c, 0x63, 0x60, 0x18, 0x05, 0x00, 0x00})
	chunk("IEND", nil)
	return b.Bytes()
}

// A logo upload from someone who may not change the logo is refused before
// a byte of it is read; a bomb from an editor is refused by its header.
func TestLogoUploadChecksFirst(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed()
		mod := s.loggedIn(moderator, "en")
		id := createdID(t, mod.postForm("/atlas/new", proposal("Fietswerkplaats Dapperbuurt")))
		path := "/atlas/" + strconv.FormatInt(id, 10) + "/logo"

		var form bytes.Buffer
		mw := multipart.NewWriter(&form)
		part, _ := mw.CreateFormFile("logo", "bomb.png")
		part.Write(bombPNG())
		mw.Close()
		send := func(b *browser) (*httptest.ResponseRecorder, int64) {
			body := &countingBody{r: bytes.NewReader(form.Bytes())}
			req := b.newRequest(http.MethodPost, path, nil)
			req.Body = body
			req.ContentLength = int64(form.Len())
			req.Header.Set("Content-Type", mw.FormDataContentType())
			req.Header.Set("Origin", s.HTTP.URL)
			for _, c := range b.client.Jar.Cookies(req.URL) {
				req.AddCookie(c)
			}
			rec := httptest.NewRecorder()
			s.Server.Handler().ServeHTTP(rec, req)
			return rec, body.read.Load()
		}
		if rec, read := send(s.loggedIn(member, "en")); rec.Code != http.StatusForbidden || read != 0 {
			t.Fatalf("a member who is not an editor: status %d after reading %d bytes of the upload, want 403 after none", rec.Code, read)
		}
		if rec, read := send(s.browser("en")); rec.Code != http.StatusUnauthorized || read != 0 {
			t.Fatalf("a visitor: status %d after reading %d bytes, want 401 after none", rec.Code, read)
		}
		rec, _ := send(mod)
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), html(msgs.T("en", "field.logo.dimensions"))) {
			t.Fatalf("the bomb from an editor: status %d, want 422 saying %q", rec.Code, msgs.T("en", "field.logo.dimensions"))
		}
	})
}
