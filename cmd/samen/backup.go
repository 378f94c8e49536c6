package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"samen/internal/atlas"
	"samen/internal/audit"
	"samen/internal/config"
	"samen/internal/store"
)

// backup writes every part's rows and the data directory's files to one
// file (store.Backup), while samen may go on serving. The file appears
// under its name only once it is whole: it is written beside it under a
// temporary name first, so a backup cut short never passes for one.
func backup(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) (err error) {
	file, cfg, db, err := openWithArgument(ctx, args, getenv)
	if err != nil {
		return err
	}
	defer db.Close()
	if file == "" {
		return errors.New("give the file to write: samen backup FILE (or - for standard output)")
	}
	// A backup holds everyone's data: that one was made, by whom and
	// where to, is in the audit log (and so in the backup itself).
	if err := audit.Record(ctx, db, "backup.write", "database", "", map[string]any{"file": filepath.Base(file)}); err != nil {
		return err
	}
	opts := store.BackupOptions{Files: filesDir(cfg), Samen: currentVersion()}
	if file == "-" {
		sum, err := db.Backup(ctx, stdout, opts)
		if err != nil {
			return err
		}
		fmt.Fprintln(stderr, summary("wrote", sum, "standard output"))
		return nil
	}
	if _, err := os.Lstat(file); err == nil {
		return fmt.Errorf("%s already exists; choose a new file name", file)
	}
	dir := filepath.Dir(file)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	// CreateTemp makes the file readable by its owner alone: a backup
	// holds password hashes and the outbox's live links.
	tmp, err := os.CreateTemp(dir, ".samen-backup-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	sum, err := db.Backup(ctx, tmp, opts)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	// Link refuses to replace a file that appeared meanwhile, as a
	// rename would.
	if err := os.Link(tmp.Name(), file); errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s already exists; choose a new file name", file)
	} else if err != nil {
		return err
	}
	_ = os.Remove(tmp.Name())
	fmt.Fprintln(stdout, summary("wrote", sum, file))
	return nil
}

// restore loads a backup into an empty database (store.Restore) and the
// data directory's files beside it, then makes the atlas's search index.
// It opens the database without migrating: the restore makes the schema
// of the backup's version itself.
func restore(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	var file string
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		file, args = args[0], args[1:]
	}
	cfg, rest, err := config.Load(args, getenv)
	if err != nil {
		return err
	}
	if file == "" && len(rest) > 0 {
		file, rest = rest[0], rest[1:]
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected argument %q", rest[0])
	}
	if file == "" {
		return errors.New("give the backup to load: samen restore FILE")
	}
	if _, err := os.Stat(file); err != nil {
		return fmt.Errorf("cannot read the backup: %w", err)
	}
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	sum, err := db.Restore(ctx, file, store.RestoreOptions{Files: filesDir(cfg), After: atlas.AfterRestore})
	if err != nil {
		return err
	}
	if err := audit.Record(ctx, db, "backup.restore", "database", "", map[string]any{"file": filepath.Base(file), "schema": sum.Schema, "rows": sum.Rows}); err != nil {
		return err
	}
	fmt.Fprintln(stdout, summary("restored", sum, file))
	return nil
}

// filesDir is where samen keeps the data directory's files.
func filesDir(cfg config.Config) string { return filepath.Join(cfg.DataDir, "files") }

func summary(verb string, s store.BackupSummary, where string) string {
	return fmt.Sprintf("%s %d tables (%d rows) and %d files (%s) of schema version %d: %s",
		verb, s.Tables, s.Rows, s.Files, sizeOf(s.Bytes), s.Schema, where)
}

func sizeOf(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
