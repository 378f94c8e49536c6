package personal

import (
	"context"
	"errors"
	"fmt"

	"samen/internal/audit"
	"samen/internal/store"
)

// Part is one part's share of an export.
type Part struct {
	Name   string
	Tables []Table
}

// Check says what is wrong with a list of holders: none, a nil one, two of
// one part, or no Identifier (nothing could say who an id is).
func Check(holders []Holder) error {
	if len(holders) == 0 {
		return errors.New("personal: no holders of personal data listed")
	}
	seen := map[string]bool{}
	ids := 0
	for i, h := range holders {
		if h == nil {
			return fmt.Errorf("personal: holder %d is nil", i)
		}
		if seen[h.Part()] {
			return fmt.Errorf("personal: part %q is listed twice", h.Part())
		}
		seen[h.Part()] = true
		if _, ok := h.(Identifier); ok {
			ids++
		}
	}
	if ids != 1 {
		return fmt.Errorf("personal: %d holders say who a person is, want exactly one (the account part)", ids)
	}
	return nil
}

// Export gathers what every holder keeps about a person, in one transaction
// so that the parts agree with each other, and records the export in the
// audit log (format says which: "json", "zip").
func Export(ctx context.Context, db *store.DB, holders []Holder, userID int64, format string) ([]Part, error) {
	if err := Check(holders); err != nil {
		return nil, err
	}
	var out []Part
	err := db.InTx(ctx, func(tx *store.Tx) error {
		out = out[:0]
		for _, h := range holders {
			tables, err := h.ExportPerson(ctx, tx, userID)
			if err != nil {
				return fmt.Errorf("export of %s: %w", h.Part(), err)
			}
			out = append(out, Part{Name: h.Part(), Tables: tables})
		}
		return audit.RecordID(ctx, tx, "user.export", "user", userID, map[string]any{"format": format})
	})
	return out, err
}

// Erase takes a person's address and name out of every part, in one
// transaction: either every part forgets them or none does. The account
// part (the Identifier) goes last, because the others look for the address
// and name it still holds until then. The audit log gets one entry, by id.
func Erase(ctx context.Context, db *store.DB, holders []Holder, userID int64) (Person, error) {
	if err := Check(holders); err != nil {
		return Person{}, err
	}
	var id Identifier
	for _, h := range holders {
		if x, ok := h.(Identifier); ok {
			id = x
		}
	}
	var p Person
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if p, err = id.Identify(ctx, tx, userID); err != nil {
			return err
		}
		var parts []string
		for _, h := range holders {
			if h == Holder(id) {
				continue
			}
			if err := h.ErasePerson(ctx, tx, p); err != nil {
				return fmt.Errorf("erasure in %s: %w", h.Part(), err)
			}
			parts = append(parts, h.Part())
		}
		if err := id.ErasePerson(ctx, tx, p); err != nil {
			return fmt.Errorf("erasure in %s: %w", id.Part(), err)
		}
		parts = append(parts, id.Part())
		return audit.RecordID(ctx, tx, "user.erase", "user", userID, map[string]any{"parts": parts})
	})
	return p, err
}
