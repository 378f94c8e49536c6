package atlas

import (
	"context"
	"time"

	"samen/internal/mapindex"
)

// The map index lives in memory in every samen process. It is built from
// the database at start (LoadMap), follows this process's own writes at
// once, and picks up other processes' writes through Sync, so that several
// processes behind one load balancer show the same map within seconds.

// facetsOf is a record's facets as bits for the map index.
func facetsOf(r Record, today string) mapindex.Facets {
	var f mapindex.Facets
	for _, s := range r.Sectors {
		if b := bit(Sectors, s); b >= 0 {
			f.Sectors |= 1 << b
		}
	}
	for _, e := range r.Needs {
		if b := bit(ExchangeKinds, e.Kind); b >= 0 && e.Current(today) {
			f.Needs |= 1 << b
		}
	}
	for _, e := range r.Offers {
		if b := bit(ExchangeKinds, e.Kind); b >= 0 && e.Current(today) {
			f.Offers |= 1 << b
		}
	}
	f.Principles = uint8(principleBits(r))
	if b := bit(LegalForms, r.LegalForm); b >= 0 {
		f.LegalForm = uint8(b + 1)
	}
	if b := bit(Districts, r.Location.District); b >= 0 {
		f.District = uint8(b + 1)
	}
	return f
}

// MapFilter turns a query's facets into the map index's filter. Full-text
// search is applied by the caller, through IDs.
func MapFilter(q Query) mapindex.Filter {
	var f mapindex.Filter
	for _, s := range q.Sectors {
		if b := bit(Sectors, s); b >= 0 {
			f.Sectors |= 1 << b
		}
	}
	for _, s := range q.Needs {
		if b := bit(ExchangeKinds, s); b >= 0 {
			f.Needs |= 1 << b
		}
	}
	for _, s := range q.Offers {
		if b := bit(ExchangeKinds, s); b >= 0 {
			f.Offers |= 1 << b
		}
	}
	for _, s := range q.Principles {
		if b := bit(Principles, s); b >= 0 {
			f.Principles |= 1 << b
		}
	}
	for _, s := range q.LegalForms {
		if b := bit(LegalForms, s); b >= 0 {
			f.LegalForms |= 1 << b
		}
	}
	for _, s := range q.Districts {
		if b := bit(Districts, s); b >= 0 {
			f.Districts |= 1 << b
		}
	}
	return f
}

func (s *Service) mapPut(in Initiative) {
	if s.Map == nil {
		return
	}
	if in.Status != Published || !in.Location.HasPoint() {
		s.Map.Remove(in.ID)
		return
	}
	s.Map.Put(mapindex.Point{
		ID: in.ID, Lat: *in.Location.Latitude, Lon: *in.Location.Longitude,
		Name: in.Name, Facets: facetsOf(in.Record, s.today()),
	})
}

// refreshMap brings one initiative's place on the map up to date after a
// write. Should the read fail, the next Sync repairs it.
func (s *Service) refreshMap(ctx context.Context, id int64) {
	if s.Map == nil {
		return
	}
	if in, err := load(ctx, s.DB, id); err == nil {
		s.mapPut(in)
	}
}

// LoadMap builds the map index from the database and returns the time the
// read began, to pass to Sync.
func (s *Service) LoadMap(ctx context.Context) (time.Time, error) {
	start := s.now()
	var points []mapindex.Point
	err := s.eachMapped(ctx, "i.status = 'published' AND i.latitude IS NOT NULL", nil, func(p mapindex.Point, _ Status, _ bool) {
		points = append(points, p)
	})
	if err != nil {
		return start, err
	}
	s.Map.Build(points)
	return start, nil
}

// syncOverlap is how far back Sync looks before the last time it ran: a
// transaction that began earlier may commit later, and reading a change
// twice does no harm.
const syncOverlap = time.Minute

// Sync applies to the map index what changed in the database since since
// (from any process), and returns the time to pass next.
func (s *Service) Sync(ctx context.Context, since time.Time) (time.Time, error) {
	start := s.now()
	err := s.eachMapped(ctx, "i.updated_at >= ?", []any{since.Add(-syncOverlap).UnixMilli()}, func(p mapindex.Point, st Status, placed bool) {
		if st == Published && placed {
			s.Map.Put(p)
		} else {
			s.Map.Remove(p.ID)
		}
	})
	if err != nil {
		return since, err
	}
	return start, nil
}

// eachMapped reads initiatives as map points without decoding their JSON:
// name, position and facet columns, with sectors and current exchanges
// from their own tables, joined in ID order. placed is false for a row
// without a position, which Sync takes off the map.
func (s *Service) eachMapped(ctx context.Context, cond string, args []any, fn func(p mapindex.Point, status Status, placed bool)) error {
	sectors, err := s.DB.Query(ctx, `SELECT s.initiative_id, s.sector FROM initiative_sectors s JOIN initiatives i ON i.id = s.initiative_id
		WHERE `+cond+` ORDER BY s.initiative_id`, args...)
	if err != nil {
		return err
	}
	defer sectors.Close()
	exArgs := append(append([]any(nil), args...), s.today())
	exchanges, err := s.DB.Query(ctx, `SELECT x.initiative_id, x.direction, x.kind FROM initiative_exchanges x JOIN initiatives i ON i.id = x.initiative_id
		WHERE `+cond+` AND (x.until = '' OR x.until >= ?) ORDER BY x.initiative_id`, exArgs...)
	if err != nil {
		return err
	}
	defer exchanges.Close()
	rows, err := s.DB.Query(ctx, `SELECT i.id, i.status, i.name, i.latitude, i.longitude, i.district, i.legal_form, i.principles
		FROM initiatives i WHERE `+cond+` ORDER BY i.id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()

	// The three reads are merged like sorted lists.
	var (
		secID, exID int64 = -1, -1
		sec         string
		dir, kind   string
		secMore     = true
		exMore      = true
	)
	nextSector := func() error {
		if secMore = sectors.Next(); secMore {
			return sectors.Scan(&secID, &sec)
		}
		return sectors.Err()
	}
	nextExchange := func() error {
		if exMore = exchanges.Next(); exMore {
			return exchanges.Scan(&exID, &dir, &kind)
		}
		return exchanges.Err()
	}
	if err := nextSector(); err != nil {
		return err
	}
	if err := nextExchange(); err != nil {
		return err
	}
	for rows.Next() {
		var (
			p                   mapindex.Point
			status              Status
			lat, lon            *float64
			district, legalForm string
			principles          int
		)
		if err := rows.Scan(&p.ID, &status, &p.Name, &lat, &lon, &district, &legalForm, &principles); err != nil {
			return err
		}
		placed := lat != nil && lon != nil
		if placed {
			p.Lat, p.Lon = *lat, *lon
		}
		for secMore && secID <= p.ID {
			if secID == p.ID {
				if b := bit(Sectors, sec); b >= 0 {
					p.Facets.Sectors |= 1 << b
				}
			}
			if err := nextSector(); err != nil {
				return err
			}
		}
		for exMore && exID <= p.ID {
			if exID == p.ID {
				if b := bit(ExchangeKinds, kind); b >= 0 {
					if dir == "need" {
						p.Facets.Needs |= 1 << b
					} else {
						p.Facets.Offers |= 1 << b
					}
				}
			}
			if err := nextExchange(); err != nil {
				return err
			}
		}
		p.Facets.Principles = uint8(principles)
		if b := bit(LegalForms, legalForm); b >= 0 {
			p.Facets.LegalForm = uint8(b + 1)
		}
		if b := bit(Districts, district); b >= 0 {
			p.Facets.District = uint8(b + 1)
		}
		fn(p, status, placed)
	}
	return rows.Err()
}
