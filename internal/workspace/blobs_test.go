package workspace

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"samen/internal/store"
	"samen/internal/store/storetest"
)

// StoreBlobs keeps the bytes keep names and takes back those it refuses;
// a body over the limit or empty is refused by its index; a part that
// keeps bytes (BlobInUse) keeps them from a workspace file's purge, also
// when it cannot answer.
func TestStoreBlobs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		s := f.svc
		bodies := func(texts ...string) []io.Reader {
			out := make([]io.Reader, len(texts))
			for i, x := range texts {
				out[i] = strings.NewReader(x)
			}
			return out
		}

		refused := errors.New("not a receipt")
		err := s.StoreBlobs(ctx, bodies("%PDF-1.4 een", "<html>twee"), 100, func(b []Blob) error {
			if len(b) != 2 || b[0].Type != "application/pdf" || b[1].Type != "text/html" || b[0].Size != 12 {
				t.Errorf("the blobs: %+v", b)
			}
			return refused
		})
		if !errors.Is(err, refused) {
			t.Errorf("keep's error: %v", err)
		}
		if on := blobs(t, s.Files); len(on) != 0 {
			t.Errorf("refused bytes stayed: %v", on)
		}

		var be *BlobError
		err = s.StoreBlobs(ctx, bodies("kort", strings.Repeat("x", 101)), 100, func([]Blob) error { t.Error("keep called"); return nil })
		if !errors.As(err, &be) || be.Index != 1 || !errors.Is(err, ErrBlobTooLarge) {
			t.Errorf("a body over the limit: %v", err)
		}
		if err := s.StoreBlobs(ctx, bodies(""), 100, func([]Blob) error { return nil }); !errors.Is(err, ErrBlobEmpty) {
			t.Errorf("an empty body: %v", err)
		}

		// Kept elsewhere: a workspace file with the same bytes comes and
		// goes; the bytes stay while the other part keeps them, or cannot
		// say whether it does.
		var kept Blob
		if err := s.StoreBlobs(ctx, bodies("%PDF-1.4 bon"), 100, func(b []Blob) error { kept = b[0]; return nil }); err != nil {
			t.Fatal(err)
		}
		ws, err := s.Create(ctx, f.anna, Draft{Name: "Buurtkas"})
		if err != nil {
			t.Fatal(err)
		}
		purge := func() {
			t.Helper()
			file, err := s.UploadFile(ctx, f.anna, ws.Slug, Upload{Name: "bon.pdf", Visibility: Visibility(Core), Body: strings.NewReader("%PDF-1.4 bon")})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.RemoveFile(ctx, f.anna, ws.Slug, file.ID); err != nil {
				t.Fatal(err)
			}
			if err := s.PurgeFile(ctx, f.anna, ws.Slug, file.ID); err != nil {
				t.Fatal(err)
			}
		}
		for _, answer := range []struct {
			kept bool
			err  error
		}{{true, nil}, {false, errors.New("database gone")}} {
			s.BlobInUse = func(_ context.Context, sum string) (bool, error) {
				return sum == kept.SHA256 && answer.kept, answer.err
			}
			purge()
			content, err := s.OpenBlob(kept.SHA256)
			if err != nil {
				t.Fatalf("kept %v, error %v: the bytes went", answer.kept, answer.err)
			}
			content.Close()
		}
		s.BlobInUse = nil
		purge()
		if _, err := s.OpenBlob(kept.SHA256); err == nil {
			t.Error("bytes nothing keeps stayed")
		}
	})
}
