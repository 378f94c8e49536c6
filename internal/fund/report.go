package fund

import (
	"cmp"
	"context"
	"slices"

	"samen/internal/ledger"
	"samen/internal/store"
)

// The municipality's view (issue 14): public money in, matched and paid
// out, per district, sector and month. Months are Amsterdam's; amounts
// count what still stands (a refunded contribution and a returned match
// drop out). Public: it is the city's money.

// ReportRow is one district's and sector's month.
type ReportRow struct {
	Month         string // YYYY-MM
	District      string // the campaign's ("" for none)
	Sector        string
	Contributions int   // paid contributions
	GivenCents    int64 // what they gave
	MatchedCents  int64 // what pools added to them
	GrantedCents  int64 // fixed grants of pools
	PaidOutCents  int64 // expenses paid from the initiatives' accounts
}

// Report is the municipality's table, and what funders put in per month.
type Report struct {
	Rows     []ReportRow
	Deposits map[string]int64 // month -> cents funders deposited in pools
}

// FundingReport builds the report.
func (s *Service) FundingReport(ctx context.Context) (Report, error) {
	rep := Report{Deposits: map[string]int64{}}
	rows := map[[3]string]*ReportRow{}
	add := func(at int64, district, sector string, f func(*ReportRow)) {
		month := ledger.Day(store.Time(at))[:7]
		k := [3]string{month, district, sector}
		r, ok := rows[k]
		if !ok {
			r = &ReportRow{Month: month, District: district, Sector: sector}
			rows[k] = r
		}
		f(r)
	}
	type item struct {
		at               int64
		district, sector string
		cents            int64
	}
	scan := func(query string, fn func(item)) error {
		rs, err := s.DB.Query(ctx, query)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var it item
			if err := rs.Scan(&it.at, &it.district, &it.sector, &it.cents); err != nil {
				return err
			}
			fn(it)
		}
		return rs.Err()
	}
	if err := scan(`SELECT COALESCE(k.paid_at, k.created_at), c.district, c.sector, k.cents FROM fund_contributions k JOIN fund_campaigns c ON c.id = k.campaign_id
		WHERE k.status = 'paid'`, func(it item) {
		add(it.at, it.district, it.sector, func(r *ReportRow) { r.Contributions++; r.GivenCents += it.cents })
	}); err != nil {
		return rep, err
	}
	if err := scan(`SELECT m.created_at, c.district, c.sector, m.cents FROM fund_matches m JOIN fund_campaigns c ON c.id = m.campaign_id
		WHERE m.returned_tx IS NULL AND m.cents > 0`, func(it item) {
		add(it.at, it.district, it.sector, func(r *ReportRow) { r.MatchedCents += it.cents })
	}); err != nil {
		return rep, err
	}
	if err := scan(`SELECT g.created_at, COALESCE(c.district, ''), COALESCE(c.sector, ''), g.cents FROM fund_grants g LEFT JOIN fund_campaigns c ON c.id = g.campaign_id`,
		func(it item) {
			add(it.at, it.district, it.sector, func(r *ReportRow) { r.GrantedCents += it.cents })
		}); err != nil {
		return rep, err
	}
	if err := scan(`SELECT e.updated_at, COALESCE(c.district, ''), COALESCE(c.sector, ''), e.cents FROM fund_expenses e LEFT JOIN fund_campaigns c ON c.id = e.campaign_id
		WHERE e.state = 'paid'`, func(it item) {
		add(it.at, it.district, it.sector, func(r *ReportRow) { r.PaidOutCents += it.cents })
	}); err != nil {
		return rep, err
	}
	deposits, err := ledger.MonthlyOfKind(ctx, s.DB, "pool:", "deposit")
	if err != nil {
		return rep, err
	}
	for month, cents := range deposits {
		// A deposit credits the funder's account (a fund): its entries
		// are negative.
		rep.Deposits[month] = -cents
	}
	for _, r := range rows {
		rep.Rows = append(rep.Rows, *r)
	}
	slices.SortFunc(rep.Rows, func(a, b ReportRow) int {
		return cmp.Or(cmp.Compare(a.Month, b.Month), cmp.Compare(a.District, b.District), cmp.Compare(a.Sector, b.Sector))
	})
	return rep, nil
}
