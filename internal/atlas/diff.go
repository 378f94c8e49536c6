package atlas

import (
	"slices"
	"strconv"
)

// Change is one field that differs between two versions of a record.
// Values are lists so that a list field (sectors, needs) shows which items
// came and went; a plain field has at most one item. Codes stay codes: the
// web layer puts them in the reader's words.
type Change struct {
	Field string
	Old   []string
	New   []string
}

// Added returns the items in New that are not in Old; Removed the reverse.
func (c Change) Added() []string   { return minus(c.New, c.Old) }
func (c Change) Removed() []string { return minus(c.Old, c.New) }

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// fieldValues flattens a record into named fields, in the order a reader
// expects them (the order of the form).
func fieldValues(r Record) []Change {
	one := func(s string) []string {
		if s == "" {
			return nil
		}
		return []string{s}
	}
	num := func(p *float64) []string {
		if p == nil {
			return nil
		}
		return []string{strconv.FormatFloat(*p, 'f', -1, 64)}
	}
	exch := func(list []Exchange) []string {
		var out []string
		for _, e := range list {
			s := e.Kind
			if e.Text != "" {
				s += ": " + e.Text
			}
			if e.Until != "" {
				s += " (→ " + e.Until + ")"
			}
			out = append(out, s)
		}
		return out
	}
	fields := []Change{
		{Field: "name", New: one(r.Name)},
		{Field: "summary.nl", New: one(r.Summary.NL)},
		{Field: "summary.en", New: one(r.Summary.EN)},
		{Field: "description.nl", New: one(r.Description.NL)},
		{Field: "description.en", New: one(r.Description.EN)},
		{Field: "sectors", New: r.Sectors},
		{Field: "tags", New: r.Tags},
		{Field: "legal_form", New: one(r.LegalForm)},
	}
	for _, p := range Principles {
		v, ok := r.Principles[p]
		var vals []string
		if ok && v.Holds != nil {
			vals = []string{map[bool]string{true: "yes", false: "no"}[*v.Holds]}
		}
		fields = append(fields, Change{Field: "principles." + p, New: vals},
			Change{Field: "principles." + p + ".note", New: one(v.Note)})
	}
	if r.Founded != 0 {
		fields = append(fields, Change{Field: "founded", New: []string{strconv.Itoa(r.Founded)}})
	} else {
		fields = append(fields, Change{Field: "founded"})
	}
	l, c := r.Location, r.Contact
	return append(fields,
		Change{Field: "size", New: one(r.Size)},
		Change{Field: "location.address", New: one(l.Address)},
		Change{Field: "location.postcode", New: one(l.Postcode)},
		Change{Field: "location.city", New: one(l.City)},
		Change{Field: "location.district", New: one(l.District)},
		Change{Field: "location.latitude", New: num(l.Latitude)},
		Change{Field: "location.longitude", New: num(l.Longitude)},
		Change{Field: "contact.email", New: one(c.Email)},
		Change{Field: "contact.website", New: one(c.Website)},
		Change{Field: "contact.links", New: c.Links},
		Change{Field: "opening_hours", New: one(r.OpeningHours)},
		Change{Field: "needs", New: exch(r.Needs)},
		Change{Field: "offers", New: exch(r.Offers)},
		Change{Field: "tools", New: r.Tools},
		Change{Field: "source", New: one(r.Source)},
		Change{Field: "source_id", New: one(r.SourceID)},
		Change{Field: "licence", New: one(r.Licence)},
	)
}

// Diff lists the fields that differ from old to new, in form order. A new
// initiative is a diff from the empty record.
func Diff(old, new Record) []Change {
	a, b := fieldValues(old), fieldValues(new)
	var out []Change
	for i := range b {
		if !slices.Equal(a[i].New, b[i].New) {
			out = append(out, Change{Field: b[i].Field, Old: a[i].New, New: b[i].New})
		}
	}
	return out
}
