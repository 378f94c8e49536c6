package atlas

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"image"
	"image/color"
	"image/draw"
	_ "image/gif" // decoders for the formats people upload
	_ "image/jpeg"
	"image/png"
	"time"

	xdraw "golang.org/x/image/draw"
	_ "golang.org/x/image/webp"

	"samen/internal/account"
	"samen/internal/problem"
	"samen/internal/store"
)

// Limits on logos. Whatever comes in is decoded and drawn again as a PNG of
// at most LogoSize pixels a side: what samen serves is always an image it
// made itself, never the uploaded bytes (which could be a polyglot file, carry
// metadata such as a camera's location, or be a decompression bomb).
//
// A small file can claim a huge picture (a 129-byte PNG can say 6324 ×
// 6324 pixels of 16-bit RGBA, 320 MB once decoded), so the header is read
// first and the memory the decoding would take is estimated from it: an
// image whose estimate exceeds maxDecodeBytes is refused before a pixel is
// decoded, and at most maxDecoding images decode at once, so that memory
// stays bounded (by about maxDecoding × maxDecodeBytes) whatever arrives.
const (
	MaxLogoBytes   = 2 << 20 // 2 MiB
	maxLogoPixels  = 16_000_000
	maxDecodeBytes = 64 << 20
	maxDecoding    = 2
	LogoSize       = 512
)

// decoding holds a place for each image being decoded.
var decoding = make(chan struct{}, maxDecoding)

// Logo is a stored logo.
type Logo struct {
	ContentType string
	Image       []byte
	Width       int
	Height      int
	UpdatedAt   time.Time
}

// MayManage tells whether u may change what belongs to an initiative beyond
// its record (its logo, its editors). The web layer asks before it reads an
// upload, so that a stranger's file is never read, let alone decoded.
func (s *Service) MayManage(ctx context.Context, u *account.User, id int64) error {
	in, err := load(ctx, s.DB, id)
	if err != nil {
		return err
	}
	return canManage(in, u)
}

// SetLogo checks an uploaded image, re-encodes it and stores it as the
// initiative's logo. Its editors and moderators may do this.
func (s *Service) SetLogo(ctx context.Context, u *account.User, id int64, upload []byte) error {
	if err := s.MayManage(ctx, u, id); err != nil {
		return err
	}
	if len(upload) > MaxLogoBytes {
		return &problem.Error{Kind: problem.TooLarge, Code: "validation", Fields: problem.Fields{"logo": "logo.too_large"}}
	}
	png, w, h, err := reencode(ctx, upload)
	if err != nil {
		return err
	}
	return s.managing(ctx, u, id, func(tx *store.Tx, in Initiative) error {
		now := s.Now.Millis()
		if _, err := tx.Exec(ctx, `DELETE FROM initiative_logos WHERE initiative_id = ?`, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO initiative_logos (initiative_id, content_type, image, width, height, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)`, id, "image/png", png, w, h, now); err != nil {
			return err
		}
		return recordAudit(ctx, tx, "initiative.logo", id, map[string]any{"width": w, "height": h, "bytes": len(png)})
	})
}

// RemoveLogo takes an initiative's logo away.
func (s *Service) RemoveLogo(ctx context.Context, u *account.User, id int64) error {
	return s.managing(ctx, u, id, func(tx *store.Tx, in Initiative) error {
		if _, err := tx.Exec(ctx, `DELETE FROM initiative_logos WHERE initiative_id = ?`, id); err != nil {
			return err
		}
		return recordAudit(ctx, tx, "initiative.logo_remove", id, nil)
	})
}

// managing runs fn in a transaction on an initiative that u may manage.
func (s *Service) managing(ctx context.Context, u *account.User, id int64, fn func(tx *store.Tx, in Initiative) error) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		in, err := load(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := canManage(in, u); err != nil {
			return err
		}
		return fn(tx, in)
	})
}

// canManage is the rule for what an initiative's editors may do beyond
// editing: the logo, the editors.
func canManage(in Initiative, u *account.User) error {
	if in.CanPublish(u) {
		return nil
	}
	if u == nil {
		return errSignIn
	}
	if !in.visibleTo(u) {
		return errNotFound
	}
	return problem.New(problem.Forbidden, "atlas.editors_only")
}

// LogoOf returns an initiative's logo, if it has one and u may see the
// initiative.
func (s *Service) LogoOf(ctx context.Context, u *account.User, id int64) (Logo, error) {
	if _, err := s.Get(ctx, u, id); err != nil {
		return Logo{}, err
	}
	var (
		l  Logo
		at int64
	)
	err := s.DB.QueryRow(ctx, `SELECT content_type, image, width, height, updated_at FROM initiative_logos WHERE initiative_id = ?`, id).
		Scan(&l.ContentType, &l.Image, &l.Width, &l.Height, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return l, problem.New(problem.NotFound, "atlas.no_logo")
	}
	l.UpdatedAt = store.Time(at)
	return l, err
}

// reencode decodes an image (PNG, JPEG, GIF or WebP), scales it to fit
// LogoSize, and encodes it as PNG.
func reencode(ctx context.Context, data []byte) ([]byte, int, int, error) {
	bad := func(code string) error {
		return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"logo": code}}
	}
	if len(data) == 0 {
		return nil, 0, 0, bad("required")
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, 0, 0, bad("logo.type")
	}
	// Check the size before decoding: the header alone tells.
	w, h := fit(cfg.Width, cfg.Height)
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxLogoPixels ||
		decodeCost(data, format, cfg, w, h) > maxDecodeBytes {
		return nil, 0, 0, bad("logo.dimensions")
	}
	select {
	case decoding <- struct{}{}:
		defer func() { <-decoding }()
	case <-ctx.Done():
		return nil, 0, 0, ctx.Err()
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, 0, 0, bad("logo.type")
	}
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	if w == cfg.Width && h == cfg.Height {
		draw.Draw(dst, dst.Bounds(), src, src.Bounds().Min, draw.Src)
	} else {
		xdraw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), xdraw.Src, nil)
	}
	var out bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&out, dst); err != nil {
		return nil, 0, 0, err
	}
	return out.Bytes(), w, h, nil
}

// fit returns the size of a logo drawn from a w × h picture: the same, or
// scaled down to LogoSize on its longer side.
func fit(w, h int) (int, int) {
	if w <= LogoSize && h <= LogoSize || w <= 0 || h <= 0 {
		return w, h
	}
	if w >= h {
		return LogoSize, max(1, int(int64(h)*LogoSize/int64(w)))
	}
	return max(1, int(int64(w)*LogoSize/int64(h))), LogoSize
}

// decodeCost estimates the bytes that decoding a picture and scaling it to
// dw × dh take at most, from its header: the decoded pixels, what the
// decoder holds beside them, and the scaler's buffer.
func decodeCost(data []byte, format string, cfg image.Config, dw, dh int) int64 {
	var perPixel int64 = 8 // a colour model not listed below: assume the widest
	switch m := cfg.ColorModel; {
	case isPalette(m), m == color.GrayModel, m == color.AlphaModel:
		perPixel = 1
	case m == color.Gray16Model, m == color.Alpha16Model:
		perPixel = 2
	case m == color.YCbCrModel:
		perPixel = 3 // at most: 4:4:4, no subsampling
	case m == color.RGBAModel, m == color.NRGBAModel, m == color.CMYKModel, m == color.NYCbCrAModel:
		perPixel = 4
	}
	// What the decoders keep beside the picture: an interlaced PNG
	// decodes its passes apart before merging them; a progressive JPEG
	// keeps every coefficient as an int32 (four bytes a sample); a
	// lossless WebP works on 32-bit pixels and transforms of them.
	switch format {
	case "png":
		// IHDR's interlace method, after the signature, the chunk's
		// length and type, and eleven bytes of fields.
		if len(data) <= 28 || data[28] != 0 {
			perPixel *= 2
		}
	case "gif":
		perPixel *= 2
	case "jpeg":
		if jpegProgressive(data) {
			perPixel *= 5
		}
	case "webp":
		perPixel = max(perPixel, 4) * 3
	}
	cost := int64(cfg.Width) * int64(cfg.Height) * perPixel
	if dw != cfg.Width || dh != cfg.Height {
		// CatmullRom scales in two passes through a buffer of four
		// float64 a pixel, dw wide and as high as the source.
		cost += int64(dw) * int64(cfg.Height) * 32
	}
	return cost
}

func isPalette(m color.Model) bool {
	_, ok := m.(color.Palette)
	return ok
}

// jpegProgressive tells whether a JPEG's frame is progressive (or anything
// but baseline and extended sequential): it walks the marker segments
// before the first scan to the frame header.
func jpegProgressive(data []byte) bool {
	if len(data) < 4 || data[0] != 0xff || data[1] != 0xd8 {
		return true // not what DecodeConfig read: assume the worst
	}
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xff {
			return true
		}
		marker := data[i+1]
		switch {
		case marker == 0xff: // fill byte
			i++
			continue
		case marker == 0xc0 || marker == 0xc1:
			return false
		case marker >= 0xc2 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc:
			return true
		case marker == 0xda || marker == 0xd9:
			return true // a scan or the end before any frame header
		}
		i += 2 + (int(data[i+2])<<8 | int(data[i+3]))
	}
	return true
}
