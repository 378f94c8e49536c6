package mail_test

import (
	"context"
	"fmt"
	"testing"

	"samen/internal/mail"
	"samen/internal/mail/mailtest"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

// A mail with an unsubscribe link arrives with List-Unsubscribe and, for
// one-click, List-Unsubscribe-Post (RFC 2369, RFC 8058); a mail without
// one arrives with neither.
func TestListUnsubscribeHeadersAreDelivered(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		srv := mailtest.Start(t)
		w := newWorker(db, smtpTo(srv), "w1")
		link := "https://samen.test/workspaces/buurt/unsubscribe?token=12.abcDEF_-"
		enqueue(t, db, mail.Message{To: "anna@example.org", Subject: "Nieuws", Body: "Hallo", ListUnsubscribe: link, OneClick: true})
		enqueue(t, db, mail.Message{To: "bert@example.org", Subject: "Reset", Body: "Hallo"})
		q := list(t, db)
		if len(q) != 2 || q[1].ListUnsubscribe != link || !q[1].OneClick || q[0].ListUnsubscribe != "" || q[0].OneClick {
			t.Fatalf("outbox rows %+v", q)
		}
		sendDue(t, w, 2)
		got := srv.Messages()
		if len(got) != 2 {
			t.Fatalf("server received %d messages", len(got))
		}
		for _, r := range got {
			p := parse(t, r.Data)
			unsub, post := p.Header.Get("List-Unsubscribe"), p.Header.Get("List-Unsubscribe-Post")
			switch r.To[0] {
			case "anna@example.org":
				if unsub != "<"+link+">" || post != "List-Unsubscribe=One-Click" {
					t.Errorf("headers List-Unsubscribe %q, List-Unsubscribe-Post %q", unsub, post)
				}
			default:
				if unsub != "" || post != "" {
					t.Errorf("a mail without a link has List-Unsubscribe %q, List-Unsubscribe-Post %q", unsub, post)
				}
			}
		}
	})
}

func TestEnqueueRejectsBadListHeaders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for _, link := range []string{
			"https://samen.test/u?t=1\r\nBcc: all@example.org",
			"https://samen.test/u?t=1\nX-Injected: yes",
			"https://samen.test/u>, <https://evil.example/",
			"https://samen.test/u t",
			"/workspaces/x/unsubscribe",
			"javascript:alert(1)",
			"mailto:unsubscribe@samen.test",
			"https:///nohost",
			"https://samen.test/ü",
		} {
			if err := mail.Enqueue(context.Background(), db, mail.Message{To: "eve@example.org", Subject: "S", Body: "B", ListUnsubscribe: link}); err == nil {
				t.Errorf("Enqueue with List-Unsubscribe %q succeeded, want an error", link)
			}
		}
		if err := mail.Enqueue(context.Background(), db, mail.Message{To: "eve@example.org", Subject: "S", Body: "B", OneClick: true}); err == nil {
			t.Error("one-click without a link was queued")
		}
		if qs := list(t, db); len(qs) != 0 {
			t.Errorf("outbox has %d rows after rejected mails", len(qs))
		}
	})
}

// EnqueueMany writes every message, over several INSERTs, in the caller's
// transaction; one bad message among them writes none.
func TestEnqueueManyWritesAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var msgs []mail.Message
		for i := range 1203 {
			msgs = append(msgs, mail.Message{To: fmt.Sprintf("p%d@example.org", i), Subject: fmt.Sprintf("S%d", i), Body: fmt.Sprintf("B%d", i),
				ListUnsubscribe: fmt.Sprintf("https://samen.test/u?t=%d", i), OneClick: i%2 == 0})
		}
		bad := append(append([]mail.Message{}, msgs...), mail.Message{To: "not an address", Subject: "S", Body: "B"})
		if err := db.InTx(ctx, func(tx *store.Tx) error { return mail.EnqueueMany(ctx, tx, bad) }); err == nil {
			t.Fatal("a batch with a bad address was queued")
		}
		if n := pending(t, db); n != 0 {
			t.Fatalf("%d mails queued from a refused batch", n)
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return mail.EnqueueMany(ctx, tx, msgs) }); err != nil {
			t.Fatal(err)
		}
		if n := pending(t, db); n != len(msgs) {
			t.Fatalf("%d mails pending, want %d", n, len(msgs))
		}
		qs, err := mail.List(ctx, db, 2000)
		if err != nil {
			t.Fatal(err)
		}
		for i, q := range qs {
			want := msgs[len(msgs)-1-i] // newest first
			if q.Message != want {
				t.Fatalf("row %d holds %+v, want %+v", i, q.Message, want)
			}
		}
		if err := mail.EnqueueMany(ctx, db, nil); err != nil {
			t.Errorf("nothing to queue: %v", err)
		}
	})
}

// BenchmarkEnqueueMany queues 10,000 mails of an announcement's size in one
// transaction.
func BenchmarkEnqueueMany(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			var db *store.DB
			if engine == "postgres" {
				db = storetest.Postgres(b)
			} else {
				db = storetest.SQLite(b)
			}
			msgs := make([]mail.Message, 10000)
			body := fmt.Sprintf("%01000d", 0)
			for i := range msgs {
				msgs[i] = mail.Message{To: fmt.Sprintf("p%d@example.org", i), Subject: "Nieuws van de buurt", Body: body,
					ListUnsubscribe: fmt.Sprintf("https://samen.test/workspaces/buurt/unsubscribe?token=%d.abcdefabcdefabcdefabcdef", i), OneClick: true}
			}
			ctx := context.Background()
			b.ResetTimer()
			for b.Loop() {
				if err := db.InTx(ctx, func(tx *store.Tx) error { return mail.EnqueueMany(ctx, tx, msgs) }); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
