package web

import (
	"net/url"
	"strconv"
	"strings"

	"samen/internal/atlas"
	"samen/internal/mapindex"
	"samen/internal/problem"
)

// The atlas's search lives in the URL, so that every view of it (the page,
// the feed, the embed, the API) can be linked, bookmarked and shared. One
// parser reads it for all of them.

// atlasQuery reads a search from URL parameters. Facets may repeat
// (sector=food&sector=energy) or be comma-separated (sector=food,energy).
// Problems name the parameter.
func atlasQuery(v url.Values) (atlas.Query, error) {
	q := atlas.Query{
		Text:       v.Get("q"),
		Sectors:    multi(v, "sector"),
		Districts:  multi(v, "district"),
		LegalForms: multi(v, "legal_form"),
		Principles: multi(v, "principle"),
		Needs:      multi(v, "need"),
		Offers:     multi(v, "offer"),
		Order:      v.Get("order"),
	}
	f := problem.Fields{}
	if s := v.Get("bbox"); s != "" {
		b, ok := parseBBox(s)
		if !ok {
			f.Add("bbox", "bbox.invalid")
		} else {
			q.BBox = &b
		}
	}
	if s := v.Get("near"); s != "" {
		nums, ok := floats(s, 2)
		if !ok {
			f.Add("near", "near.invalid")
		} else {
			q.Near = &atlas.Point{Lat: nums[0], Lon: nums[1]}
		}
	}
	if s := v.Get("radius"); s != "" {
		r, err := strconv.ParseFloat(s, 64)
		if err != nil {
			f.Add("radius", "radius.invalid")
		}
		q.RadiusKm = r
	}
	if n, err := queryLimit(v.Get("limit")); err != nil {
		f.Add("limit", "limit.out_of_range")
	} else {
		q.Limit = n
	}
	return q, mergeProblems(f.Err(), q.Check())
}

// mergeProblems puts the field problems of two validations together, so
// that a form or a query shows all of them at once. The first problem found
// for a field wins.
func mergeProblems(a, b error) error {
	pa, okA := problem.As(a)
	pb, okB := problem.As(b)
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case !okA || !okB || pa.Kind != problem.Invalid || pb.Kind != problem.Invalid:
		return a
	}
	f := problem.Fields{}
	for k, v := range pa.Fields {
		f.Add(k, v)
	}
	for k, v := range pb.Fields {
		f.Add(k, v)
	}
	return f.Err()
}

// multi reads a repeatable parameter.
func multi(v url.Values, name string) []string {
	var out []string
	for _, s := range v[name] {
		for _, part := range strings.Split(s, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// parseBBox reads "minLon,minLat,maxLon,maxLat" (the order of RFC 7946 and
// of most map libraries).
func parseBBox(s string) (mapindex.BBox, bool) {
	n, ok := floats(s, 4)
	if !ok {
		return mapindex.BBox{}, false
	}
	return mapindex.BBox{MinLon: n[0], MinLat: n[1], MaxLon: n[2], MaxLat: n[3]}, true
}

func floats(s string, want int) ([]float64, bool) {
	parts := strings.Split(s, ",")
	if len(parts) != want {
		return nil, false
	}
	out := make([]float64, want)
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil, false
		}
		out[i] = f
	}
	return out, true
}

// queryValues writes a search back into URL parameters (without paging),
// for links to the same search elsewhere: the feed, the map, the next page.
func queryValues(q atlas.Query) url.Values {
	v := url.Values{}
	if q.Text != "" {
		v.Set("q", q.Text)
	}
	for _, x := range []struct {
		name string
		list []string
	}{{"sector", q.Sectors}, {"district", q.Districts}, {"legal_form", q.LegalForms}, {"principle", q.Principles}, {"need", q.Needs}, {"offer", q.Offers}} {
		for _, s := range x.list {
			v.Add(x.name, s)
		}
	}
	if b := q.BBox; b != nil {
		v.Set("bbox", formatFloats(b.MinLon, b.MinLat, b.MaxLon, b.MaxLat))
	}
	if p := q.Near; p != nil {
		v.Set("near", formatFloats(p.Lat, p.Lon))
		if q.RadiusKm > 0 {
			v.Set("radius", strconv.FormatFloat(q.RadiusKm, 'f', -1, 64))
		}
	}
	if q.Order != "" && q.Order != q.DefaultOrder(atlas.OrderRelevance) {
		v.Set("order", q.Order)
	}
	return v
}

func formatFloats(fs ...float64) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strings.Join(parts, ",")
}
