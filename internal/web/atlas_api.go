package web

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"samen/internal/atlas"
	"samen/internal/problem"
	"samen/internal/web/i18n"
)

// The atlas's open data API: GeoJSON for map tools, JSON-LD for the
// semantic web, Murmurations for other maps, CSV for spreadsheets.

// apiPage is one page of features with a cursor for the next.
type apiPage struct {
	Type        string          `json:"type"`
	Licence     string          `json:"licence"`
	Attribution string          `json:"attribution"`
	Total       *int            `json:"total,omitempty"`
	TotalCapped bool            `json:"total_capped,omitempty"`
	NextCursor  *int64          `json:"next_cursor"`
	Links       []apiLink       `json:"links,omitempty"`
	Features    []statusFeature `json:"features"`
}

// statusFeature is a feature with where the entry stands, as foreign
// members (RFC 7946, section 6.1): harvesters of changes need to know that
// an entry was archived or merged, and editors which revision they edit.
type statusFeature struct {
	atlas.Feature
	Status     string `json:"status,omitempty"`
	MergedInto int64  `json:"merged_into,omitempty"`
	Revision   int64  `json:"revision,omitempty"`
}

type apiLink struct {
	Rel  string `json:"rel"`
	Href string `json:"href"`
}

func (s *Server) attribution() string {
	return "Contributors to the atlas at " + s.opts.BaseURL + "/atlas"
}

// apiInitiatives answers GET /api/v1/initiatives: a search as a GeoJSON
// FeatureCollection, in ID order (nearest first for a search near a point
// without words), a page at a time.
func (s *Server) apiInitiatives(w http.ResponseWriter, r *http.Request) error {
	return s.featurePage(w, r, time.Time{})
}

// apiChanges answers GET /api/v1/initiatives/changes?since=: what was
// added, changed, archived or merged since a moment, for harvesters. Each
// feature carries its status; archived and merged ones tell the harvester
// to drop them.
func (s *Server) apiChanges(w http.ResponseWriter, r *http.Request) error {
	raw := r.URL.Query().Get("since")
	if raw == "" {
		return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"since": "required"}}
	}
	since, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"since": "time.invalid"}}
	}
	return s.featurePage(w, r, since)
}

func (s *Server) featurePage(w http.ResponseWriter, r *http.Request, changed time.Time) error {
	v := r.URL.Query()
	q, err := atlasQuery(v)
	if err != nil {
		return err
	}
	if q.Limit == 0 {
		q.Limit = 100
	}
	if q.After, err = queryInt(v.Get("cursor"), "cursor"); err != nil {
		return err
	}
	// The API pages with a cursor, in ID order, except where the atlas
	// orders a search otherwise for everyone (near a point, without words).
	q.Order, q.Changed = q.DefaultOrder(atlas.OrderID), changed
	res, err := s.atlas.Search(r.Context(), q)
	if err != nil {
		return err
	}
	out := apiPage{Type: "FeatureCollection", Licence: s.atlas.DataLicence(), Attribution: s.attribution(), Features: []statusFeature{}}
	if q.After == 0 {
		out.Total, out.TotalCapped = &res.Total, res.Capped
	}
	for _, in := range res.Items {
		f := statusFeature{Feature: atlas.ToFeature(in, s.opts.BaseURL)}
		if !changed.IsZero() {
			f.Status, f.MergedInto = string(in.Status), in.MergedInto
		}
		out.Features = append(out.Features, f)
	}
	if res.More {
		last := res.Items[len(res.Items)-1].ID
		out.NextCursor = &last
		next := r.URL.Query()
		next.Set("cursor", strconv.FormatInt(last, 10))
		out.Links = append(out.Links, apiLink{Rel: "next", Href: s.opts.BaseURL + r.URL.Path + "?" + next.Encode()})
	}
	w.Header().Set("Content-Type", "application/geo+json")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Link", `<`+licenceURL(s.atlas.DataLicence())+`>; rel="license"`)
	return json.NewEncoder(w).Encode(out)
}

func licenceURL(spdx string) string { return "https://spdx.org/licenses/" + spdx + ".html" }

// wantsJSONLD reports whether the client asked for JSON-LD, by Accept
// header or by ?format=jsonld (for links in pages).
func wantsJSONLD(r *http.Request) bool {
	return r.URL.Query().Get("format") == "jsonld" || strings.Contains(r.Header.Get("Accept"), "application/ld+json")
}

// apiInitiative answers GET /api/v1/initiatives/{id}: one Feature, or a
// schema.org description in JSON-LD.
func (s *Server) apiInitiative(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	in, err := s.atlas.Get(r.Context(), userFrom(r.Context()), id)
	if err != nil {
		return err
	}
	w.Header().Set("Vary", "Accept")
	w.Header().Set("Link", `<`+licenceURL(s.atlas.DataLicence())+`>; rel="license"`)
	if wantsJSONLD(r) {
		doc := atlas.ToJSONLD(in, s.opts.BaseURL)
		doc["license"] = licenceURL(s.atlas.DataLicence())
		w.Header().Set("Content-Type", "application/ld+json")
		return json.NewEncoder(w).Encode(doc)
	}
	f := statusFeature{Feature: atlas.ToFeature(in, s.opts.BaseURL), Status: string(in.Status), MergedInto: in.MergedInto, Revision: in.RevisionID}
	w.Header().Set("Content-Type", "application/geo+json")
	return json.NewEncoder(w).Encode(f)
}

// apiMurmurations answers GET /api/v1/initiatives/{id}/murmurations: the
// initiative as a Murmurations profile (organizations schema), so that
// other maps of the social economy can index it.
func (s *Server) apiMurmurations(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	in, err := s.atlas.Get(r.Context(), nil, id)
	if err != nil {
		return err
	}
	if in.Status != atlas.Published {
		return problem.New(problem.Gone, "atlas.not_published")
	}
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(atlas.ToMurmurations(in, s.opts.BaseURL))
}

// apiProposal is what POST and PUT take: the record, with words for the
// moderators and the revision the client started from.
type apiProposal struct {
	atlas.Record
	Note         string `json:"note,omitempty"`
	NotDuplicate bool   `json:"not_duplicate,omitempty"`
	BaseRevision int64  `json:"base_revision,omitempty"`
	// ClearContactEmail removes the contact address; without it, a record
	// without an address keeps the current one (the API never shows it).
	ClearContactEmail bool `json:"clear_contact_email,omitempty"`
}

type apiRevision struct {
	ID    int64  `json:"id"`
	State string `json:"state"`
}

type apiCreated struct {
	ID       int64         `json:"id"`
	Status   string        `json:"status"`
	URL      string        `json:"url"`
	Feature  atlas.Feature `json:"feature"`
	Revision *apiRevision  `json:"revision,omitempty"`
}

// apiCreateInitiative proposes an initiative: published at once for
// moderators, waiting for review (202) for anyone else.
func (s *Server) apiCreateInitiative(w http.ResponseWriter, r *http.Request) error {
	var in apiProposal
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	created, err := s.atlas.Propose(r.Context(), userFrom(r.Context()), atlas.Proposal{Record: in.Record, Note: in.Note, NotDuplicate: in.NotDuplicate})
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if created.Status != atlas.Published {
		status = http.StatusAccepted
	}
	w.Header().Set("Location", s.opts.BaseURL+"/api/v1/initiatives/"+strconv.FormatInt(created.ID, 10))
	writeJSON(w, status, apiCreated{ID: created.ID, Status: string(created.Status), URL: s.opts.BaseURL + atlasLink(created.ID),
		Feature: atlas.ToFeature(created, s.opts.BaseURL)})
	return nil
}

// apiUpdateInitiative proposes an edit; the answer says whether it was
// published (200) or waits for review (202).
func (s *Server) apiUpdateInitiative(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in apiProposal
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	rev, err := s.atlas.Edit(r.Context(), userFrom(r.Context()), id, atlas.Proposal{Record: in.Record, Note: in.Note, BaseID: in.BaseRevision, ClearEmail: in.ClearContactEmail})
	if err != nil {
		return err
	}
	current, err := s.atlas.Get(r.Context(), userFrom(r.Context()), id)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if rev.State != atlas.RevisionAccepted {
		status = http.StatusAccepted
	}
	writeJSON(w, status, apiCreated{ID: id, Status: string(current.Status), URL: s.opts.BaseURL + atlasLink(id),
		Feature: atlas.ToFeature(current, s.opts.BaseURL), Revision: &apiRevision{ID: rev.ID, State: rev.State}})
	return nil
}

// apiExport streams every published initiative in one of the open
// formats, with the licence stated.
func (s *Server) apiExport(w http.ResponseWriter, r *http.Request) error {
	format := r.PathValue("format")
	licence := s.atlas.DataLicence()
	h := w.Header()
	h.Set("Link", `<`+licenceURL(licence)+`>; rel="license"`)
	h.Set("Cache-Control", "no-cache")
	var write func(next func() (atlas.Initiative, bool, error)) error
	bw := bufio.NewWriterSize(w, 64<<10)
	switch format {
	case "initiatives.geojson":
		h.Set("Content-Type", "application/geo+json")
		write = func(next func() (atlas.Initiative, bool, error)) error {
			return atlas.WriteGeoJSON(bw, next, s.opts.BaseURL, licence)
		}
	case "initiatives.jsonld":
		h.Set("Content-Type", "application/ld+json")
		write = func(next func() (atlas.Initiative, bool, error)) error {
			return atlas.WriteJSONLD(bw, next, s.opts.BaseURL, licence)
		}
	case "initiatives.csv":
		// CSV cannot carry the licence inside; the Link header does.
		h.Set("Content-Type", "text/csv; charset=utf-8")
		write = func(next func() (atlas.Initiative, bool, error)) error {
			return atlas.WriteCSV(bw, next, s.opts.BaseURL)
		}
	default:
		return problemNotFound
	}
	h.Set("Content-Disposition", `attachment; filename="samen-`+format+`"`)
	if err := s.atlas.Export(r.Context(), write); err != nil {
		return err
	}
	return bw.Flush()
}

type vocabEntry struct {
	Code string `json:"code"`
	NL   string `json:"nl"`
	EN   string `json:"en"`
}

// apiVocabulary answers GET /api/v1/atlas/vocabulary: the codes of every
// controlled list, with their Dutch and English names.
func (s *Server) apiVocabulary(w http.ResponseWriter, r *http.Request) error {
	list := func(prefix string, codes []string) []vocabEntry {
		out := make([]vocabEntry, 0, len(codes))
		for _, c := range codes {
			out = append(out, vocabEntry{Code: c, NL: s.msgs.T(i18n.Languages[0], prefix+c), EN: s.msgs.T("en", prefix+c)})
		}
		return out
	}
	writeJSON(w, http.StatusOK, map[string][]vocabEntry{
		"sectors":        list("atlas.sector.", atlas.Sectors),
		"legal_forms":    list("atlas.legal_form.", atlas.LegalForms),
		"principles":     list("atlas.principle.", atlas.Principles),
		"districts":      list("atlas.district.", atlas.Districts),
		"exchange_kinds": list("atlas.kind.", atlas.ExchangeKinds),
		"sizes":          list("atlas.size.", atlas.SizeBands),
		"report_reasons": list("atlas.reason.", atlas.ReportReasons),
	})
	return nil
}
