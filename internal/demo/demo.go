// Package demo fills an empty samen with content to try it out: accounts in
// each role now, and the atlas, toolbox and assessments as those parts
// arrive. It never touches a database that already has people in it.
package demo

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"

	"samen/internal/account"
	"samen/internal/atlas"
	"samen/internal/audit"
)

// initiatives are the atlas's demo entries: made up, spread over
// Amsterdam's districts, with needs and offers that meet each other. Each
// has source "demo", which its page shows as an example.
//
//go:embed initiatives.json
var initiatives []byte

// Initiatives returns the demo initiatives.
func Initiatives() ([]atlas.Record, error) {
	var recs []atlas.Record
	if err := json.Unmarshal(initiatives, &recs); err != nil {
		return nil, fmt.Errorf("demo initiatives: %w", err)
	}
	return recs, nil
}

// Account is a demo login, printed at start so a visitor can try each role.
type Account struct {
	Email    string
	Password string
	Role     account.Role
}

// Accounts are the demo logins. The passwords are public: a demo site is
// for trying out, never for real data.
var Accounts = []Account{
	{Email: "steward@example.org", Password: "demo-steward-samen", Role: account.Steward},
	{Email: "moderator@example.org", Password: "demo-moderator-samen", Role: account.Moderator},
	{Email: "member@example.org", Password: "demo-member-samen", Role: account.Member},
}

var names = map[account.Role]string{
	account.Steward:   "Sam Steward",
	account.Moderator: "Mo Moderator",
	account.Member:    "Mia Member",
}

// memberEdits is how many demo initiatives the demo member keeps, so that
// editing one's own entry can be tried.
const memberEdits = 3

// Seed adds the demo content when the database has no accounts yet, and
// reports whether it did. The moderator enters the initiatives (so they
// are published at once); the member becomes editor of the first few.
func Seed(ctx context.Context, accounts *account.Service, atlasSvc *atlas.Service) (bool, error) {
	n, err := accounts.Count(ctx)
	if err != nil || n > 0 {
		return false, err
	}
	users := map[account.Role]account.User{}
	for _, a := range Accounts {
		u, err := accounts.Add(ctx, account.NewUser{
			Email: a.Email, Name: names[a.Role], Password: a.Password, Role: a.Role, Language: "nl",
		})
		if err != nil {
			return false, err
		}
		users[a.Role] = u
	}
	if atlasSvc == nil {
		return true, nil
	}
	recs, err := Initiatives()
	if err != nil {
		return false, err
	}
	mod := users[account.Moderator]
	ctx = audit.WithActor(ctx, audit.Actor{UserID: mod.ID, Label: mod.Email})
	for i, r := range recs {
		in, err := atlasSvc.Propose(ctx, &mod, atlas.Proposal{Record: r, Note: "demo", NotDuplicate: true})
		if err != nil {
			return false, fmt.Errorf("demo initiative %q: %w", r.Name, err)
		}
		if i < memberEdits {
			if err := atlasSvc.AddEditor(ctx, &mod, in.ID, users[account.Member].Email); err != nil {
				return false, err
			}
		}
	}
	return true, nil
}
