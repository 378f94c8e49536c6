package atlas

import (
	"context"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// How near counts as "nearby" for a possible duplicate: about 1.5 km.
const (
	nearbyLat = 0.015
	nearbyLon = 0.025
)

// noiseWords are left out when names are compared: legal forms and
// articles say nothing about which initiative it is.
var noiseWords = map[string]bool{
	"de": true, "het": true, "the": true, "van": true, "of": true, "en": true, "and": true,
	"stichting": true, "vereniging": true, "cooperatie": true, "coop": true, "co": true, "ua": true,
	"u": true, "a": true, "ba": true, "bv": true, "foundation": true, "association": true, "cooperative": true,
}

// nameWords returns the words of a name that identify it: lower-cased,
// without accents, without legal forms and articles.
func nameWords(name string) []string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	plain, _, _ := transform.String(t, strings.ToLower(name))
	var out []string
	for _, w := range words(plain) {
		if !noiseWords[w] {
			out = append(out, w)
		}
	}
	return out
}

// similarNames reports whether two names probably name the same
// initiative: the same words once noise is gone, one name's words all in
// the other's, or most words shared.
func similarNames(a, b string) bool {
	wa, wb := nameWords(a), nameWords(b)
	if len(wa) == 0 || len(wb) == 0 {
		return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
	}
	if strings.Join(wa, "") == strings.Join(wb, "") {
		return true
	}
	set := map[string]bool{}
	for _, w := range wa {
		set[w] = true
	}
	shared := 0
	for _, w := range wb {
		if set[w] {
			shared++
		}
	}
	small := min(len(wa), len(wb))
	union := len(wa) + len(wb) - shared
	return (shared == small && len(strings.Join(shorter(wa, wb), "")) >= 4) || float64(shared)/float64(union) >= 0.6
}

// shorter returns the shorter of two word lists.
func shorter(a, b []string) []string {
	if len(a) <= len(b) {
		return a
	}
	return b
}

// Duplicates returns published or proposed initiatives that may be the
// same as r: a similar name nearby, or the same name anywhere. except is
// the initiative being edited, left out.
func (s *Service) Duplicates(ctx context.Context, r Record, except int64) ([]Initiative, error) {
	cond := "LOWER(i.name) = LOWER(?)"
	args := []any{except, r.Name}
	if r.Location.HasPoint() {
		lat, lon := *r.Location.Latitude, *r.Location.Longitude
		cond += " OR (i.latitude BETWEEN ? AND ? AND i.longitude BETWEEN ? AND ?)"
		args = append(args, lat-nearbyLat, lat+nearbyLat, lon-nearbyLon, lon+nearbyLon)
	}
	rows, err := s.DB.Query(ctx, `SELECT `+initiativeColumns+` FROM initiatives i
		WHERE i.status IN ('published', 'pending') AND i.id <> ? AND (`+cond+`) ORDER BY i.id LIMIT 500`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Initiative
	for rows.Next() {
		in, err := scanInitiative(rows)
		if err != nil {
			return nil, err
		}
		if similarNames(in.Name, r.Name) {
			out = append(out, in)
		}
	}
	return out, rows.Err()
}
