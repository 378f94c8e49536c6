package account_test

import (
	"testing"

	"samen/internal/account"
)

// BenchmarkHashPassword is the cost of one sign-up or login, which bounds
// how many logins a small server can check per second.
func BenchmarkHashPassword(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := account.HashPassword("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}
