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

func TestLogoRefusesDecompressionBombs(t *testing.T) {
	// A PNG header claiming 100,000 × 100,000 pixels in a few bytes.
	var b bytes.Buffer
	img := image.NewGray(image.Rect(0, 0, 1, 1))
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	data := b.Bytes()
	// IHDR's width and height are at bytes 16–23, its CRC at 29–32.
	copy(data[16:24], []byte{0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0})
	binary.BigEndian.PutUint32(data[29:33], crc32.ChecksumIEEE(data[12:29]))
	f := &fixture{svc: &atlas.Service{}}
	err := f.svc.SetLogo(context.Background(), nil, 1, data)
	if fieldCode(err, "logo") != "logo.dimensions" {
		t.Fatalf("bomb: %v", err)
	}
}
