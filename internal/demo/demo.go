// Package demo fills an empty samen with content to try it out: accounts in
// each role now, and the atlas, toolbox and assessments as those parts
// arrive. It never touches a database that already has people in it.
package demo

import (
	"context"

	"samen/internal/account"
)

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

// Seed adds the demo content when the database has no accounts yet, and
// reports whether it did.
func Seed(ctx context.Context, accounts *account.Service) (bool, error) {
	n, err := accounts.Count(ctx)
	if err != nil || n > 0 {
		return false, err
	}
	for _, a := range Accounts {
		if _, err := accounts.Add(ctx, account.NewUser{
			Email: a.Email, Name: names[a.Role], Password: a.Password, Role: a.Role, Language: "nl",
		}); err != nil {
			return false, err
		}
	}
	return true, nil
}
