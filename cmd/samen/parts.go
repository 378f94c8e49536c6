package main

import (
	"context"
	"fmt"

	"samen/internal/account"
	"samen/internal/assess"
	"samen/internal/atlas"
	"samen/internal/decide"
	"samen/internal/fund"
	"samen/internal/mapindex"
	"samen/internal/personal"
	"samen/internal/store"
	"samen/internal/toolbox"
	"samen/internal/web"
	"samen/internal/workspace"
)

// wiring is what building the parts needs from configuration.
type wiring struct {
	BaseURL string // for links in mails
	Licence string // the atlas data's licence
	Sent    func() // wakes the outbox worker after a mail is queued; may be nil
	Map     *mapindex.Index
	Files   string // where workspace files are kept: DATA_DIR/files
	// Payments are the payment providers by name: Mollie when
	// SAMEN_MOLLIE_API_KEY is set, the demo's with --demo.
	Payments map[string]fund.Provider
	// Bank is the host's account for contributions by bank transfer.
	Bank fund.BankAccount
	// Fees are the providers' prices per payment (SAMEN_MOLLIE_FEE, …).
	Fees map[string]fund.Fee
}

// buildParts makes every part of samen on db, in one place: the services,
// their mail writers, and the seed data that ships with samen (the toolbox's
// catalogue and guides, the assessment framework). The atlas's map index is
// handed over empty; the caller loads it once the database holds what it
// should (after demo content, say).
func buildParts(ctx context.Context, db *store.DB, w wiring) (web.Parts, error) {
	letters, err := web.NewLetters(w.BaseURL)
	if err != nil {
		return web.Parts{}, fmt.Errorf("base URL: %w", err)
	}
	if w.Map == nil {
		w.Map = mapindex.New(mapindex.Options{})
	}
	p := web.Parts{
		Accounts:   &account.Service{DB: db, Sent: w.Sent, Letters: letters},
		Atlas:      &atlas.Service{DB: db, Map: w.Map, Sent: w.Sent, Licence: w.Licence, Letters: letters},
		Toolbox:    &toolbox.Service{DB: db},
		Assess:     &assess.Service{DB: db},
		Workspaces: &workspace.Service{DB: db, Letters: letters, Sent: w.Sent, Files: w.Files},
		Decisions:  &decide.Service{DB: db, Letters: letters, Sent: w.Sent},
		Funding:    &fund.Service{DB: db, Providers: w.Payments, Bank: w.Bank, Fees: w.Fees, Letters: letters, Sent: w.Sent},
	}
	// A pool can pay what a participatory budget decided, and may take
	// only initiatives whose atlas entry and assessments say so.
	p.Funding.Budgets = p.Decisions
	p.Funding.Standing = fund.AtlasStanding{Atlas: p.Atlas, Assess: p.Assess}
	// Expenses' receipts are the books, kept for seven years: the
	// workspaces' file store, which holds their bytes, asks funding before
	// it deletes any.
	p.Workspaces.BlobInUse = p.Funding.KeepsBlob
	// Every part that keeps rows about people, for a person's export and
	// erasure; a part left out here is a part whose data nobody can get or
	// erase (TestEveryHolderIsListed).
	p.People = []personal.Holder{p.Accounts, p.Atlas, p.Toolbox, p.Assess, p.Workspaces, p.Decisions, p.Funding}
	// A new installation starts with the roadmap's tools and guides, and
	// with the assessment framework.
	if _, err := p.Toolbox.SeedIfEmpty(ctx); err != nil {
		return web.Parts{}, fmt.Errorf("toolbox catalogue: %w", err)
	}
	if _, err := p.Assess.SeedFramework(ctx); err != nil {
		return web.Parts{}, fmt.Errorf("assessment framework: %w", err)
	}
	return p, nil
}
