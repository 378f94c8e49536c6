package demo_test

import (
	"context"
	"testing"

	"samen/internal/account"
	"samen/internal/demo"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

func TestSeedFillsOnlyAnEmptyDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := &account.Service{DB: db}
		seeded, err := demo.Seed(ctx, svc)
		if err != nil || !seeded {
			t.Fatalf("Seed on an empty database = %v, %v; want true, nil", seeded, err)
		}
		for _, a := range demo.Accounts {
			u, _, err := svc.Login(ctx, account.LoginAttempt{Email: a.Email, Password: a.Password, IP: "127.0.0.1"})
			if err != nil {
				t.Fatalf("demo login %s: %v", a.Email, err)
			}
			if u.Role != a.Role {
				t.Errorf("%s has role %s, want %s", a.Email, u.Role, a.Role)
			}
		}
		seeded, err = demo.Seed(ctx, svc)
		if err != nil || seeded {
			t.Fatalf("second Seed = %v, %v; want false: it must never touch a used database", seeded, err)
		}
		if n, _ := svc.Count(ctx); n != len(demo.Accounts) {
			t.Fatalf("%d accounts after seeding twice, want %d", n, len(demo.Accounts))
		}
	})
}
