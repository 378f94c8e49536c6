package atlas

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
	"time"
)

func TestDecodeCost(t *testing.T) {
	encode := func(m image.Image, enc func(*bytes.Buffer, image.Image) error) []byte {
		var b bytes.Buffer
		if err := enc(&b, m); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	asPNG := func(b *bytes.Buffer, m image.Image) error { return png.Encode(b, m) }
	asJPEG := func(b *bytes.Buffer, m image.Image) error { return jpeg.Encode(b, m, nil) }
	for _, tt := range []struct {
		name string
		data []byte
		want int64
	}{
		// 4 bytes a pixel, no scaling.
		{"RGBA PNG 100 × 50", encode(image.NewNRGBA(image.Rect(0, 0, 100, 50)), asPNG), 100 * 50 * 4},
		{"grey PNG 100 × 50", encode(image.NewGray(image.Rect(0, 0, 100, 50)), asPNG), 100 * 50},
		{"16-bit PNG 100 × 50", encode(image.NewRGBA64(image.Rect(0, 0, 100, 50)), asPNG), 100 * 50 * 8},
		// Scaled to 512 × 256: the scaler's buffer, 512 wide, as high as
		// the source, 32 bytes a pixel.
		{"RGBA PNG 1024 × 512", encode(image.NewNRGBA(image.Rect(0, 0, 1024, 512)), asPNG), 1024*512*4 + 512*512*32},
		// A baseline JPEG holds its pixels only (YCbCr counted as 4:4:4).
		{"baseline JPEG 100 × 50", encode(image.NewRGBA(image.Rect(0, 0, 100, 50)), asJPEG), 100 * 50 * 3},
	} {
		cfg, format, err := image.DecodeConfig(bytes.NewReader(tt.data))
		if err != nil {
			t.Fatal(err)
		}
		w, h := fit(cfg.Width, cfg.Height)
		if got := decodeCost(tt.data, format, cfg, w, h); got != tt.want {
			t.Errorf("%s: cost %d, want %d", tt.name, got, tt.want)
		}
	}
	// An interlaced PNG decodes its passes apart: twice the pixels.
	interlaced := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x64\x00\x00\x00\x32\x08\x06\x00\x00\x01")
	if got := decodeCost(interlaced, "png", image.Config{ColorModel: color.NRGBAModel, Width: 100, Height: 50}, 100, 50); got != 100*50*4*2 {
		t.Errorf("interlaced PNG: cost %d", got)
	}
	// A progressive JPEG keeps four bytes a sample besides the pixels.
	progressive := []byte{0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 'J', 'F', 0xff, 0xc2, 0x00, 0x11}
	if got := decodeCost(progressive, "jpeg", image.Config{ColorModel: color.YCbCrModel, Width: 100, Height: 50}, 100, 50); got != 100*50*3*5 {
		t.Errorf("progressive JPEG: cost %d", got)
	}
}

func TestJPEGProgressive(t *testing.T) {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 8, 8)), nil); err != nil {
		t.Fatal(err)
	}
	if jpegProgressive(b.Bytes()) {
		t.Error("Go's baseline JPEG read as progressive")
	}
	for _, data := range [][]byte{
		{0xff, 0xd8, 0xff, 0xc2, 0x00, 0x11},                         // SOF2
		{0xff, 0xd8, 0xff, 0xdb, 0x00, 0x02, 0xff, 0xff, 0xc2, 0x00}, // a table, fill, SOF2
		{0xff, 0xd8, 0xff, 0xda},                                     // a scan before a frame
		{0xff, 0xd8, 0x00},                                           // garbage
		{},
	} {
		if !jpegProgressive(data) {
			t.Errorf("% x: not read as progressive (or unknown)", data)
		}
	}
}

// However many uploads arrive at once, no more than maxDecoding images are
// decoded together; the others wait, and give up when their request ends.
func TestDecodingIsBounded(t *testing.T) {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	for range maxDecoding {
		decoding <- struct{}{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, _, _, err := reencode(ctx, b.Bytes()); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("with every place taken: %v, want to wait until the deadline", err)
	}
	<-decoding
	if _, _, _, err := reencode(context.Background(), b.Bytes()); err != nil {
		t.Fatalf("with a place free: %v", err)
	}
	for range maxDecoding - 1 {
		<-decoding
	}
}

func FuzzReencode(f *testing.F) {
	var b bytes.Buffer
	_ = png.Encode(&b, image.NewNRGBA(image.Rect(0, 0, 600, 3)))
	f.Add(b.Bytes())
	b.Reset()
	_ = jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, 20, 700)), nil)
	f.Add(b.Bytes())
	f.Add([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"))
	f.Add([]byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"))
	f.Add([]byte{0xff, 0xd8, 0xff, 0xc2, 0x00, 0x11, 0x08, 0x10, 0x00, 0x10, 0x00, 0x03})
	f.Fuzz(func(t *testing.T, data []byte) {
		out, w, h, err := reencode(context.Background(), data)
		if err != nil {
			return
		}
		// What comes out is always a PNG samen drew, of at most LogoSize
		// a side, whose size is what reencode says.
		m, format, derr := image.Decode(bytes.NewReader(out))
		if derr != nil || format != "png" {
			t.Fatalf("output is not a PNG: %v %s", derr, format)
		}
		if bd := m.Bounds(); bd.Dx() != w || bd.Dy() != h || w < 1 || h < 1 || w > LogoSize || h > LogoSize {
			t.Fatalf("output %v, said %d × %d", bd, w, h)
		}
	})
}

// BenchmarkReencode measures the largest kind of logo people send: a
// 2000 × 1500 photo-sized PNG scaled to 512 pixels. Run with -benchmem to
// see the memory one upload takes.
func BenchmarkReencode(b *testing.B) {
	img := image.NewNRGBA(image.Rect(0, 0, 2000, 1500))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7 % 251)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, _, _, err := reencode(context.Background(), data); err != nil {
			b.Fatal(err)
		}
	}
}
