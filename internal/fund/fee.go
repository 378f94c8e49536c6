package fund

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"samen/internal/ledger"
	"samen/internal/store"
)

// Payment fees. A provider keeps part of each payment (Mollie: a fixed
// amount per iDEAL payment, a share plus a fixed amount per card payment;
// some banks charge per incoming transfer). samen books it when the
// payment is booked, as the provider states it in its price list, from
// the provider's clearing account to the cost account fees:<provider>:
// the money is gone, and the books say where.
//
// Who bears it: the campaign, at its payout, as Open Collective and Goteo
// do. The payout moves what the campaign holds to its initiative less the
// fees of the gifts it keeps, and those fees out of the cost account into
// it: after the payout the cost account has been paid for. A gift that is
// refunded is refunded whole, and its fee stays a cost of the host: the
// backer gave nothing, and the provider does not return it.

// Fee is a provider's price per payment: a fixed amount plus a share.
type Fee struct {
	FixedCents  int64
	BasisPoints int64 // hundredths of a percent: 180 is 1.8%
}

// Of is the fee of a payment of cents: the share rounded half up, as
// providers invoice it, and never more than the payment.
func (f Fee) Of(cents int64) int64 {
	fee := f.FixedCents + (cents*f.BasisPoints+5000)/10000
	return min(max(fee, 0), cents)
}

// String writes f as ParseFee reads it.
func (f Fee) String() string {
	var parts []string
	if f.BasisPoints != 0 {
		parts = append(parts, strings.TrimSuffix(strings.TrimRight(strconv.FormatFloat(float64(f.BasisPoints)/100, 'f', 2, 64), "0"), ".")+"%")
	}
	if f.FixedCents != 0 || len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("%d.%02d", f.FixedCents/100, f.FixedCents%100))
	}
	return strings.Join(parts, "+")
}

// MaxFeeBasisPoints and MaxFeeCents bound a configured fee: a price list
// of more than 10% or €10 per payment is a typo.
const (
	MaxFeeBasisPoints = 1000
	MaxFeeCents       = 1000
)

// ParseFee reads a price as providers write them: "0.29" (euros per
// payment), "1.8%" or "1.8% + 0.25", with a comma or a point for
// decimals and an optional euro sign.
func ParseFee(s string) (Fee, error) {
	var f Fee
	s = strings.NewReplacer(" ", "", "€", "", ",", ".").Replace(s)
	if s == "" {
		return f, errors.New("empty")
	}
	for part := range strings.SplitSeq(s, "+") {
		share, isShare := strings.CutSuffix(part, "%")
		n, err := hundredths(share)
		if err != nil {
			return Fee{}, fmt.Errorf("%q is not a fee such as 0.29, 1.8%% or 1.8%%+0.25", s)
		}
		if isShare {
			f.BasisPoints += n
		} else {
			f.FixedCents += n
		}
	}
	if f.BasisPoints > MaxFeeBasisPoints || f.FixedCents > MaxFeeCents {
		return Fee{}, fmt.Errorf("%q is more than 10%% or €10 per payment", s)
	}
	return f, nil
}

// hundredths reads a number with at most two decimals as hundredths.
func hundredths(s string) (int64, error) {
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" || len(frac) > 2 {
		return 0, errors.New("not a number")
	}
	frac += strings.Repeat("0", 2-len(frac))
	w, err := strconv.ParseUint(cmp.Or(whole, "0"), 10, 32)
	if err != nil {
		return 0, err
	}
	fr, err := strconv.ParseUint(frac, 10, 8)
	if err != nil {
		return 0, err
	}
	return int64(w)*100 + int64(fr), nil
}

// feeAccount is the cost account of a provider's fees.
func feeAccount(provider string) string { return "fees:" + provider }

// bookFee books the fee of contribution c, just booked, and keeps it on
// the contribution for the payout. Its ref makes it once only, as the
// contribution's own booking is.
func (s *Service) bookFee(ctx context.Context, tx store.Querier, c Contribution, now time.Time) error {
	fee := s.Fees[string(c.Method)].Of(c.Cents)
	if fee <= 0 {
		return nil
	}
	if _, err := ledger.Open(ctx, tx, feeAccount(string(c.Method)), ledger.Cost, "", now); err != nil {
		return err
	}
	t := ledger.Move("fee", providerAccount(string(c.Method)), feeAccount(string(c.Method)), fee, "Kosten / fee, contribution #"+itoa64(c.ID))
	t.Ref = "fee:contribution:" + itoa64(c.ID)
	if _, err := ledger.Post(ctx, tx, t, now); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE fund_contributions SET fee_cents = ? WHERE id = ?`, fee, c.ID)
	return err
}

// uncharged are the fees of the gifts campaign id keeps that no payout
// has charged yet, by provider, and those gifts.
func uncharged(ctx context.Context, q store.Querier, id int64) (map[string]int64, []int64, error) {
	rows, err := q.Query(ctx, `SELECT id, provider, fee_cents FROM fund_contributions WHERE campaign_id = ? AND status = 'paid'
		AND fee_cents > 0 AND fee_tx IS NULL ORDER BY id`, id)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	fees := map[string]int64{}
	var ids []int64
	for rows.Next() {
		var cid, cents int64
		var p string
		if err := rows.Scan(&cid, &p, &cents); err != nil {
			return nil, nil, err
		}
		fees[p] += cents
		ids = append(ids, cid)
	}
	return fees, ids, rows.Err()
}
