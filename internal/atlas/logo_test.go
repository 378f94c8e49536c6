package atlas_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	"samen/internal/atlas"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

func picture(t *testing.T, w, h int, enc func(*bytes.Buffer, image.Image) error) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.RGBA{R: 200, A: 255})
	}
	var b bytes.Buffer
	if err := enc(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func asPNG(b *bytes.Buffer, m image.Image) error  { return png.Encode(b, m) }
func asJPEG(b *bytes.Buffer, m image.Image) error { return jpeg.Encode(b, m, nil) }

func TestLogos(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		in := f.publish(t, record("Buurtbakkerij Noord", 52.39, 4.92))

		// Only editors and moderators set a logo.
		if err := f.svc.SetLogo(ctx, f.member, in.ID, picture(t, 10, 10, asPNG)); !problem.Is(err, problem.Forbidden) {
			t.Fatalf("a stranger set the logo: %v", err)
		}
		for _, tt := range []struct {
			name string
			data []byte
			code string
		}{
			{"nothing", nil, "required"},
			{"not an image", []byte("<svg onload=alert(1)>"), "logo.type"},
			{"a truncated PNG", picture(t, 50, 50, asPNG)[:60], "logo.type"},
			{"too many bytes", make([]byte, atlas.MaxLogoBytes+1), "logo.too_large"},
		} {
			err := f.svc.SetLogo(ctx, f.moderator, in.ID, tt.data)
			if fieldCode(err, "logo") != tt.code {
				t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
			}
		}
		// A large JPEG becomes a PNG of at most 512 pixels a side.
		if err := f.svc.SetLogo(ctx, f.moderator, in.ID, picture(t, 1600, 800, asJPEG)); err != nil {
			t.Fatal(err)
		}
		l, err := f.svc.LogoOf(ctx, nil, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, format, err := image.Decode(bytes.NewReader(l.Image))
		if err != nil || format != "png" || l.ContentType != "image/png" {
			t.Fatalf("stored logo: %v %s %s", err, format, l.ContentType)
		}
		if b := got.Bounds(); b.Dx() != 512 || b.Dy() != 256 || l.Width != 512 || l.Height != 256 {
			t.Fatalf("stored size %v (%dx%d)", b, l.Width, l.Height)
		}
		again, _ := f.svc.Get(ctx, nil, in.ID)
		if !again.HasLogo {
			t.Error("the initiative does not say it has a logo")
		}
		if err := f.svc.RemoveLogo(ctx, f.moderator, in.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.LogoOf(ctx, nil, in.ID); !problem.Is(err, problem.NotFound) {
			t.Fatalf("after removing: %v", err)
		}
	})
}

// pngHeader is a PNG that claims w × h pixels of the given bit depth and
// colour type (6 is RGBA) and holds almost nothing: the first bytes of the
// probe's decompression bomb.
func pngHeader(w, h uint32, depth, colourType byte) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		body := append([]byte(typ), data...)
		b.Write(body)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(body))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	chunk("IHDR", append(ihdr, depth, colourType, 0, 0, 0))
	// A zlib stream of a few zero bytes: what a decoder reads only after
	// it has made room for every pixel.
	chunk("IDAT", []byte{0x78, 0x9c, 0x63, 0x60, 0x18, 0x05, 0x00, 0x00})
	chunk("IEND", nil)
	return b.Bytes()
}

func TestLogoRefusesDecompressionBombs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		in := f.publish(t, record("Buurtbakkerij Noord", 52.39, 4.92))
		for _, tt := range []struct {
			name string
			data []byte
		}{
			// The probe's bomb: 129 bytes that would take 320 MB.
			{"6324 × 6324 at 16-bit RGBA", pngHeader(6324, 6324, 16, 6)},
			{"100,000 × 100,000 grey", pngHeader(100_000, 100_000, 8, 0)},
			// Under the pixel limit, over the memory budget.
			{"3000 × 3000 at 16-bit RGBA", pngHeader(3000, 3000, 16, 6)},
			{"4000 × 4000 at 8-bit RGBA", pngHeader(4000, 4000, 8, 6)},
		} {
			err := f.svc.SetLogo(ctx, f.moderator, in.ID, tt.data)
			if fieldCode(err, "logo") != "logo.dimensions" {
				t.Errorf("%s (%d bytes): %v, want logo.dimensions", tt.name, len(tt.data), err)
			}
		}
		// Someone who may not change the logo is refused before anything
		// is looked at, the bomb included.
		err := f.svc.SetLogo(ctx, f.member, in.ID, pngHeader(6324, 6324, 16, 6))
		if !problem.Is(err, problem.Forbidden) {
			t.Fatalf("a stranger's bomb: %v, want forbidden", err)
		}
		if err := f.svc.MayManage(ctx, f.member, in.ID); !problem.Is(err, problem.Forbidden) {
			t.Fatalf("MayManage for a stranger: %v", err)
		}
		if err := f.svc.MayManage(ctx, nil, in.ID); !problem.Is(err, problem.Unauthorized) {
			t.Fatalf("MayManage for a visitor: %v", err)
		}
		if err := f.svc.MayManage(ctx, f.moderator, in.ID); err != nil {
			t.Fatalf("MayManage for a moderator: %v", err)
		}
		// A picture of a reasonable size goes through, however large the
		// logo it makes is scaled down.
		if err := f.svc.SetLogo(ctx, f.moderator, in.ID, picture(t, 2000, 1500, asPNG)); err != nil {
			t.Fatalf("a 2000 × 1500 PNG: %v", err)
		}
	})
}
