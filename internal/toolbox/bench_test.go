package toolbox

import (
	"context"
	"testing"

	"samen/internal/store/storetest"
)

// The toolbox reads the whole catalogue for every page, so that several
// processes agree without a cache to keep in step. These benchmarks say
// what that costs, and what a scan and an advice cost on top.
//
//	go test -run '^$' -bench . -benchmem ./internal/toolbox/

func BenchmarkCatalogueRead(b *testing.B) {
	db := storetest.SQLite(b)
	svc := &Service{DB: db}
	ctx := context.Background()
	if _, err := svc.SeedIfEmpty(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := svc.Catalogue(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScan(b *testing.B) {
	tools, err := Seed()
	if err != nil {
		b.Fatal(err)
	}
	c := NewCatalogue(tools)
	maintainers := 1
	in := ScanInput{
		Tools: []string{"Google Drive", "WhatsApp", "Facebook", "Mailchimp", "Zoom", "Excel", "Signal", "a tool nobody knows"},
		Answers: Answers{MemberData: "shared_document", Access: "anyone_with_link", Backups: "no", Maintainers: &maintainers,
			Reach: Groups},
	}
	in.Normalize()
	b.ReportAllocs()
	for b.Loop() {
		Scan(c, in)
	}
}

func BenchmarkAdvise(b *testing.B) {
	tools, err := Seed()
	if err != nil {
		b.Fatal(err)
	}
	c := NewCatalogue(tools)
	w := Wish{Size: "10_50", Uses: []string{"chat", "video", "mailing_list", "files", "documents", "decisions", "social"}, Skills: "none", Budget: "low", Reach: Groups}
	b.ReportAllocs()
	for b.Loop() {
		Advise(c, w)
	}
}
