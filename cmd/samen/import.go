package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"samen/internal/atlas"
)

// The import and export commands move the atlas's initiatives in and out
// in the open formats: CSV, GeoJSON and (export only) JSON-LD.

const (
	importUsage = "usage: samen import initiatives FILE (.csv, .geojson or .json), samen import members WORKSPACE FILE or samen import participations WORKSPACE FILE (.csv or .xlsx)"
	exportUsage = "usage: samen export initiatives FILE (.csv, .geojson or .jsonld)"
)

// importCmd runs "samen import initiatives FILE": every row is checked
// first, and a file with a bad row imports nothing.
func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) > 0 && args[0] == "members" {
		return importMembersCmd(ctx, args[1:], stdout, stderr, getenv)
	}
	if len(args) > 0 && args[0] == "participations" {
		return importParticipationsCmd(ctx, args[1:], stdout, stderr, getenv)
	}
	if len(args) == 0 || args[0] != "initiatives" {
		return errors.New(importUsage)
	}
	file, cfg, db, err := openWithArgument(ctx, args[1:], getenv)
	if err != nil {
		return err
	}
	defer db.Close()
	if file == "" {
		return errors.New(importUsage)
	}
	var each func(io.Reader, func(atlas.Row) error) error
	switch strings.ToLower(filepath.Ext(file)) {
	case ".csv":
		each = atlas.EachCSV
	case ".geojson", ".json":
		each = atlas.EachGeoJSON
	default:
		return fmt.Errorf("%s: cannot tell the format from the extension; %s", file, importUsage)
	}
	// The file is read as a stream, a batch of rows at a time, rather
	// than held in memory: 200,000 rows take 430 MB there.
	read := func(fn func(atlas.Row) error) error {
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		return each(bufio.NewReaderSize(f, 1<<16), fn)
	}
	if _, err := os.Stat(file); err != nil {
		return err
	}
	svc := &atlas.Service{DB: db, Licence: cfg.DataLicence}
	report, err := svc.ImportFrom(ctx, nil, read)
	if err == nil {
		fmt.Fprintf(stdout, "imported %s: %d created, %d updated, %d unchanged\n", file, report.Created, report.Updated, report.Unchanged)
		return nil
	}
	if problems := atlas.RowProblems(err); len(problems) > 0 {
		w := newWords(getenv)
		for _, p := range problems {
			fmt.Fprintln(stderr, w.at(p.Line, p.Column, p.Field+": "+w.field(p.Field, p.Code)))
		}
		return fmt.Errorf("%s has %d problem(s); nothing was imported", file, len(problems))
	}
	// A file that cannot be read as its format explains itself; drop the
	// problem code inside, which describe would print instead.
	return fmt.Errorf("%s: %s; nothing was imported", file, err.Error())
}

// exportCmd runs "samen export initiatives FILE": the published
// initiatives, streamed, to a file that must not exist yet.
func exportCmd(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) (err error) {
	if len(args) == 0 || args[0] != "initiatives" {
		return errors.New(exportUsage)
	}
	file, cfg, db, err := openWithArgument(ctx, args[1:], getenv)
	if err != nil {
		return err
	}
	defer db.Close()
	if file == "" {
		return errors.New(exportUsage)
	}
	svc := &atlas.Service{DB: db, Licence: cfg.DataLicence}
	licence := svc.DataLicence()
	var write func(w io.Writer, next func() (atlas.Initiative, bool, error)) error
	switch strings.ToLower(filepath.Ext(file)) {
	case ".csv":
		write = func(w io.Writer, next func() (atlas.Initiative, bool, error)) error {
			return atlas.WriteCSV(w, next, cfg.BaseURL)
		}
	case ".geojson":
		write = func(w io.Writer, next func() (atlas.Initiative, bool, error)) error {
			return atlas.WriteGeoJSON(w, next, cfg.BaseURL, licence)
		}
	case ".jsonld":
		write = func(w io.Writer, next func() (atlas.Initiative, bool, error)) error {
			return atlas.WriteJSONLD(w, next, cfg.BaseURL, licence)
		}
	default:
		return fmt.Errorf("%s: cannot tell the format from the extension; %s", file, exportUsage)
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s already exists; choose a new file name", file)
	}
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(file) // no half-written export
		}
	}()
	n := 0
	err = svc.Export(ctx, func(next func() (atlas.Initiative, bool, error)) error {
		return write(f, func() (atlas.Initiative, bool, error) {
			in, ok, err := next()
			if ok {
				n++
			}
			return in, ok, err
		})
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d initiative(s) to %s; the data is licensed %s\n", n, file, licence)
	return nil
}
