// Package atlas is the map and open directory of the community economy: who
// does what where, what they need and what they offer. It holds the
// initiative record and its rules, the moderation of proposals and edits
// (an edit never overwrites: it becomes a revision that is accepted or
// rejected), search, matching of needs and offers, and the storage of all of
// it on both database engines.
package atlas

import (
	"math"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"samen/internal/problem"
	"samen/internal/textcheck"
)

// Text is a short text in Dutch and English. Either may be empty; readers
// see the other.
type Text struct {
	NL string `json:"nl,omitempty"`
	EN string `json:"en,omitempty"`
}

// In returns the text in lang ("nl" or "en"), falling back to the other.
func (t Text) In(lang string) string {
	if lang == "en" {
		if t.EN != "" {
			return t.EN
		}
		return t.NL
	}
	if t.NL != "" {
		return t.NL
	}
	return t.EN
}

// Principle is an initiative's answer for one principle of the community
// economy: yes, no or not answered (Holds nil), with a sentence of
// explanation.
type Principle struct {
	Holds *bool  `json:"holds"`
	Note  string `json:"note,omitempty"`
}

// Location is where an initiative is. Latitude and longitude come together
// or not at all; an initiative without a point is in the list but not on the
// map.
type Location struct {
	Address   string   `json:"address,omitempty"`
	Postcode  string   `json:"postcode,omitempty"`
	City      string   `json:"city,omitempty"`
	District  string   `json:"district,omitempty"`
	Latitude  *float64 `json:"latitude,omitempty"`
	Longitude *float64 `json:"longitude,omitempty"`
}

// HasPoint reports whether the location can be put on the map.
func (l Location) HasPoint() bool { return l.Latitude != nil && l.Longitude != nil }

// Contact is how to reach an initiative. The e-mail address is never shown:
// visitors write through a contact form.
type Contact struct {
	Email   string   `json:"email,omitempty"`
	Website string   `json:"website,omitempty"`
	Links   []string `json:"links,omitempty"`
}

// Exchange is one need or offer.
type Exchange struct {
	Kind  string `json:"kind"`
	Text  string `json:"text,omitempty"`
	Until string `json:"until,omitempty"` // YYYY-MM-DD, inclusive; empty: open-ended
}

// Current reports whether the exchange still stands on day (YYYY-MM-DD).
func (e Exchange) Current(day string) bool { return e.Until == "" || e.Until >= day }

// Record is what people propose and edit: everything about an initiative
// that a revision carries. Status, editors and dates are kept apart, in
// Initiative.
type Record struct {
	Name         string               `json:"name"`
	Summary      Text                 `json:"summary"`
	Description  Text                 `json:"description"`
	Sectors      []string             `json:"sectors"`
	Tags         []string             `json:"tags,omitempty"`
	LegalForm    string               `json:"legal_form,omitempty"`
	Principles   map[string]Principle `json:"principles,omitempty"`
	Location     Location             `json:"location"`
	Contact      Contact              `json:"contact"`
	OpeningHours string               `json:"opening_hours,omitempty"`
	Founded      int                  `json:"founded,omitempty"`
	Size         string               `json:"size,omitempty"`
	Needs        []Exchange           `json:"needs,omitempty"`
	Offers       []Exchange           `json:"offers,omitempty"`
	Tools        []string             `json:"tools,omitempty"`
	Source       string               `json:"source,omitempty"`
	SourceID     string               `json:"source_id,omitempty"`
	Licence      string               `json:"licence,omitempty"`
}

// Limits on the record's fields.
const (
	maxName        = 120
	maxSummary     = 300
	maxDescription = 5000
	maxSectors     = 5
	maxTags        = 12
	maxTag         = 40
	maxNote        = 300
	maxAddress     = 200
	maxShort       = 40
	maxLinks       = 10
	maxURL         = 500
	maxHours       = 255
	maxExchanges   = 20
	maxExchange    = 300
	maxTools       = 40
	maxSource      = 100
	minFounded     = 1800
)

// Normalize tidies a record before validation: trims spaces, lower-cases
// codes and tags, removes duplicates and empty entries, and writes
// fediverse handles (@name@host) as links. It changes nothing a person
// would call content.
func (r *Record) Normalize() {
	r.Name = textcheck.Collapse(r.Name)
	r.Summary = Text{strings.TrimSpace(r.Summary.NL), strings.TrimSpace(r.Summary.EN)}
	r.Description = Text{strings.TrimSpace(r.Description.NL), strings.TrimSpace(r.Description.EN)}
	r.Sectors = codes(r.Sectors)
	for i, t := range r.Tags {
		r.Tags[i] = strings.TrimPrefix(strings.TrimSpace(t), "#")
	}
	r.Tags = codes(r.Tags)
	r.LegalForm = strings.ToLower(strings.TrimSpace(r.LegalForm))
	for k, p := range r.Principles {
		p.Note = strings.TrimSpace(p.Note)
		if p.Holds == nil && p.Note == "" {
			delete(r.Principles, k)
			continue
		}
		r.Principles[k] = p
	}
	if len(r.Principles) == 0 {
		r.Principles = nil
	}
	l := &r.Location
	l.Address, l.Postcode, l.City = textcheck.Collapse(l.Address), strings.ToUpper(textcheck.Collapse(l.Postcode)), textcheck.Collapse(l.City)
	l.District = strings.ToLower(strings.TrimSpace(l.District))
	c := &r.Contact
	c.Email = strings.TrimSpace(c.Email)
	c.Website = strings.TrimSpace(c.Website)
	links := c.Links[:0]
	for _, s := range c.Links {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if h, ok := fediverseLink(s); ok {
			s = h
		}
		if !slices.Contains(links, s) {
			links = append(links, s)
		}
	}
	c.Links = nilIfEmpty(links)
	r.OpeningHours = textcheck.Collapse(r.OpeningHours)
	r.Size = strings.TrimSpace(r.Size)
	r.Needs = exchanges(r.Needs)
	r.Offers = exchanges(r.Offers)
	var tools []string
	for _, t := range r.Tools {
		if t = textcheck.Collapse(t); t != "" && !slices.Contains(tools, t) {
			tools = append(tools, t)
		}
	}
	r.Tools = tools
	r.Source, r.SourceID, r.Licence = strings.TrimSpace(r.Source), strings.TrimSpace(r.SourceID), strings.TrimSpace(r.Licence)
}

// Validate checks a normalised record and returns a problem.Invalid error
// naming every field that is wrong. today (YYYY-MM-DD) bounds the founding
// year.
func (r *Record) Validate(today string) error {
	f := problem.Fields{}
	switch n := utf8.RuneCountInString(r.Name); {
	case n == 0:
		f.Add("name", "required")
	case n < 2:
		f.Add("name", "too_short")
	case n > maxName:
		f.Add("name", "too_long")
	}
	textLimit(f, "summary.nl", r.Summary.NL, maxSummary)
	textLimit(f, "summary.en", r.Summary.EN, maxSummary)
	textLimit(f, "description.nl", r.Description.NL, maxDescription)
	textLimit(f, "description.en", r.Description.EN, maxDescription)
	switch {
	case len(r.Sectors) == 0:
		f.Add("sectors", "required")
	case len(r.Sectors) > maxSectors:
		f.Add("sectors", "too_many")
	default:
		for _, s := range r.Sectors {
			if !known(Sectors, s) {
				f.Add("sectors", "unknown")
			}
		}
	}
	if len(r.Tags) > maxTags {
		f.Add("tags", "too_many")
	}
	for _, t := range r.Tags {
		if utf8.RuneCountInString(t) > maxTag {
			f.Add("tags", "too_long")
		}
	}
	if r.LegalForm != "" && !known(LegalForms, r.LegalForm) {
		f.Add("legal_form", "unknown")
	}
	for k, p := range r.Principles {
		if !known(Principles, k) {
			f.Add("principles", "unknown")
			continue
		}
		textLimit(f, "principles."+k+".note", p.Note, maxNote)
	}
	r.Location.validate(f)
	c := r.Contact
	if c.Email != "" {
		if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email || len(c.Email) > 254 {
			f.Add("contact.email", "email.invalid")
		}
	}
	if c.Website != "" && !webURL(c.Website) {
		f.Add("contact.website", "url.invalid")
	}
	if len(c.Links) > maxLinks {
		f.Add("contact.links", "too_many")
	}
	for _, l := range c.Links {
		if !webURL(l) {
			f.Add("contact.links", "url.invalid")
		}
	}
	if utf8.RuneCountInString(r.OpeningHours) > maxHours {
		f.Add("opening_hours", "too_long")
	} else if r.OpeningHours != "" && !ValidOpeningHours(r.OpeningHours) {
		f.Add("opening_hours", "hours.invalid")
	}
	if r.Founded != 0 {
		year, _ := strconv.Atoi(today[:4])
		if r.Founded < minFounded || r.Founded > year {
			f.Add("founded", "year.out_of_range")
		}
	}
	if r.Size != "" && !known(SizeBands, r.Size) {
		f.Add("size", "unknown")
	}
	validateExchanges(f, "needs", r.Needs)
	validateExchanges(f, "offers", r.Offers)
	if len(r.Tools) > maxTools {
		f.Add("tools", "too_many")
	}
	for _, t := range r.Tools {
		textLimit(f, "tools", t, maxShort)
	}
	textLimit(f, "source", r.Source, maxSource)
	textLimit(f, "source_id", r.SourceID, maxSource)
	if r.SourceID != "" && r.Source == "" {
		f.Add("source", "required")
	}
	textLimit(f, "licence", r.Licence, maxShort)
	return f.Err()
}

func (l Location) validate(f problem.Fields) {
	textLimit(f, "location.address", l.Address, maxAddress)
	textLimit(f, "location.postcode", l.Postcode, maxShort)
	textLimit(f, "location.city", l.City, maxShort*2)
	if l.District != "" && !known(Districts, l.District) {
		f.Add("location.district", "unknown")
	}
	switch {
	case l.Latitude == nil && l.Longitude == nil:
	case l.Latitude == nil:
		f.Add("location.latitude", "required")
	case l.Longitude == nil:
		f.Add("location.longitude", "required")
	default:
		if v := *l.Latitude; math.IsNaN(v) || v < -90 || v > 90 {
			f.Add("location.latitude", "latitude.out_of_range")
		}
		if v := *l.Longitude; math.IsNaN(v) || v < -180 || v > 180 {
			f.Add("location.longitude", "longitude.out_of_range")
		}
	}
}

func validateExchanges(f problem.Fields, field string, list []Exchange) {
	if len(list) > maxExchanges {
		f.Add(field, "too_many")
	}
	for i, e := range list {
		name := field + "." + strconv.Itoa(i)
		switch {
		case e.Kind == "":
			f.Add(name+".kind", "required")
		case !known(ExchangeKinds, e.Kind):
			f.Add(name+".kind", "unknown")
		}
		textLimit(f, name+".text", e.Text, maxExchange)
		if e.Until != "" {
			if _, err := time.Parse(time.DateOnly, e.Until); err != nil {
				f.Add(name+".until", "date.invalid")
			}
		}
	}
}

func textLimit(f problem.Fields, field, s string, max int) {
	if utf8.RuneCountInString(s) > max {
		f.Add(field, "too_long")
	}
}

// webURL accepts absolute http and https URLs with a host.
func webURL(s string) bool {
	if len(s) > maxURL {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil
}

// fediverseLink turns "@name@host" into the profile URL most servers use.
func fediverseLink(s string) (string, bool) {
	if !strings.HasPrefix(s, "@") {
		return "", false
	}
	name, host, ok := strings.Cut(s[1:], "@")
	if !ok || name == "" || host == "" || strings.ContainsAny(name+host, "/@ ?#:") || !strings.Contains(host, ".") {
		return "", false
	}
	return "https://" + strings.ToLower(host) + "/@" + name, true
}

// codes lower-cases, trims and de-duplicates a list, keeping its order.
func codes(in []string) []string {
	var out []string
	for _, s := range in {
		s = strings.ToLower(textcheck.Collapse(s))
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func exchanges(in []Exchange) []Exchange {
	var out []Exchange
	for _, e := range in {
		e.Kind = strings.ToLower(strings.TrimSpace(e.Kind))
		e.Text = textcheck.Collapse(e.Text)
		e.Until = strings.TrimSpace(e.Until)
		if e.Kind == "" && e.Text == "" && e.Until == "" {
			continue
		}
		out = append(out, e)
	}
	return out
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// ToolKey is the form of a tool's name that matching uses: lower case,
// letters and digits only, so that "Google-Drive", "google drive" and
// "Google Drive" are one tool and "Wiki.js" is "wikijs". The toolbox keys
// its catalogue's names the same way to find the initiatives that use a
// tool.
func ToolKey(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ToolKeys returns the distinct keys of a list of tool names.
func ToolKeys(names []string) []string {
	var out []string
	for _, n := range names {
		if k := ToolKey(n); k != "" && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}
