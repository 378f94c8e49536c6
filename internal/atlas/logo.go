package atlas

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"image"
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
const (
	MaxLogoBytes  = 2 << 20 // 2 MiB
	maxLogoPixels = 40_000_000
	LogoSize      = 512
)

// Logo is a stored logo.
type Logo struct {
	ContentType string
	Image       []byte
	Width       int
	Height      int
	UpdatedAt   time.Time
}

// SetLogo checks an uploaded image, re-encodes it and stores it as the
// initiative's logo. Its editors and moderators may do this.
func (s *Service) SetLogo(ctx context.Context, u *account.User, id int64, upload []byte) error {
	if len(upload) > MaxLogoBytes {
		return &problem.Error{Kind: problem.TooLarge, Code: "validation", Fields: problem.Fields{"logo": "logo.too_large"}}
	}
	png, w, h, err := reencode(upload)
	if err != nil {
		return err
	}
	return s.managing(ctx, u, id, func(tx *store.Tx, in Initiative) error {
		now := s.now().UnixMilli()
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
func reencode(data []byte) ([]byte, int, int, error) {
	bad := func(code string) error {
		return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"logo": code}}
	}
	if len(data) == 0 {
		return nil, 0, 0, bad("required")
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, 0, 0, bad("logo.type")
	}
	// Check the size before decoding: the header alone tells, and a small
	// file can claim a huge picture.
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxLogoPixels {
		return nil, 0, 0, bad("logo.dimensions")
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, 0, 0, bad("logo.type")
	}
	w, h := cfg.Width, cfg.Height
	if w > LogoSize || h > LogoSize {
		if w >= h {
			w, h = LogoSize, max(1, h*LogoSize/w)
		} else {
			w, h = max(1, w*LogoSize/h), LogoSize
		}
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
