package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"samen/internal/account"
	"samen/internal/personal"
	"samen/internal/problem"
)

// userErase is "samen user erase EMAIL": the erasure a steward carries out
// on the people page, for an operator at the shell (a request that came by
// letter, say). It asks nothing more: typing the address is the
// confirmation.
func userErase(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	raw, cfg, db, err := openWithArgument(ctx, args, getenv)
	if err != nil {
		return err
	}
	defer db.Close()
	if raw == "" {
		return errors.New("give the e-mail address: samen user erase EMAIL")
	}
	email, code := account.NormalizeEmail(raw)
	if code != "" {
		return problem.Fields{"email": code}.Err()
	}
	u, err := account.ByEmail(ctx, db, email)
	if err != nil {
		return err
	}
	parts, err := buildParts(ctx, db, wiring{BaseURL: cfg.BaseURL, Licence: cfg.DataLicence})
	if err != nil {
		return err
	}
	if _, err := personal.Erase(ctx, db, parts.People, u.ID); err != nil {
		return err
	}
	names := make([]string, 0, len(parts.People))
	for _, h := range parts.People {
		names = append(names, h.Part())
	}
	fmt.Fprintf(stdout, "erased account %d (was %s)\n", u.ID, email)
	fmt.Fprintf(stdout, "  sessions, API tokens, linked log-in services and mails to and from it deleted\n")
	fmt.Fprintf(stdout, "  address and name taken out of: %s\n", strings.Join(names, ", "))
	fmt.Fprintf(stdout, "  the account stays, closed, as %s, so that its contributions keep their author's number\n", account.ErasedEmail(u.ID))
	return nil
}
