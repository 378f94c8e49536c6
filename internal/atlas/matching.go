package atlas

import (
	"context"
	"slices"
)

// Match is another initiative that can help with a need, or be helped by
// an offer.
type Match struct {
	Initiative
	Kinds      []string // the kinds that meet
	DistanceKm float64  // -1 when either has no place
}

// maxMatches is how many matches each list shows.
const maxMatches = 10

// Matches returns the published initiatives that offer what in needs, and
// those that need what in offers, nearest first (those without a place
// last). Needs and offers past their end date do not count.
func (s *Service) Matches(ctx context.Context, in Initiative) (offering, needing []Match, err error) {
	today := s.today()
	offering, err = s.matchOn(ctx, in, current(in.Needs, today), "offer", today)
	if err != nil {
		return nil, nil, err
	}
	needing, err = s.matchOn(ctx, in, current(in.Offers, today), "need", today)
	return offering, needing, err
}

// current returns the kinds of the exchanges that still stand.
func current(list []Exchange, today string) []string {
	var kinds []string
	for _, e := range list {
		if e.Current(today) && !slices.Contains(kinds, e.Kind) {
			kinds = append(kinds, e.Kind)
		}
	}
	return kinds
}

func (s *Service) matchOn(ctx context.Context, in Initiative, kinds []string, dir, today string) ([]Match, error) {
	if len(kinds) == 0 {
		return nil, nil
	}
	args := []any{in.ID, dir}
	for _, k := range kinds {
		args = append(args, k)
	}
	args = append(args, today)
	order := "i.name, i.id"
	if in.Location.HasPoint() {
		p := Point{*in.Location.Latitude, *in.Location.Longitude}
		order = "CASE WHEN i.latitude IS NULL THEN 1 ELSE 0 END, " + distanceSQL + ", i.id"
		args = append(args, distanceArgs(p)...)
	}
	args = append(args, maxMatches)
	rows, err := s.DB.Query(ctx, `SELECT `+initiativeColumns+` FROM initiatives i
		WHERE i.status = 'published' AND i.id <> ? AND EXISTS (SELECT 1 FROM initiative_exchanges x WHERE x.initiative_id = i.id
			AND x.direction = ? AND x.kind IN (`+marks(len(kinds))+`) AND (x.until = '' OR x.until >= ?))
		ORDER BY `+order+` LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Match
	for rows.Next() {
		other, err := scanInitiative(rows)
		if err != nil {
			return nil, err
		}
		theirs := other.Offers
		if dir == "need" {
			theirs = other.Needs
		}
		m := Match{Initiative: other, DistanceKm: -1}
		for _, k := range current(theirs, today) {
			if slices.Contains(kinds, k) {
				m.Kinds = append(m.Kinds, k)
			}
		}
		if in.Location.HasPoint() && other.Location.HasPoint() {
			m.DistanceKm = DistanceKm(Point{*in.Location.Latitude, *in.Location.Longitude},
				Point{*other.Location.Latitude, *other.Location.Longitude})
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
