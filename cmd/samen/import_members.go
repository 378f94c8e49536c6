package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"samen/internal/workspace"
)

const importMembersUsage = "usage: samen import members WORKSPACE FILE [--dry-run] [--skip-unknown] (WORKSPACE: id or slug; FILE: .csv or .xlsx)"

// importMembersCmd runs "samen import members WORKSPACE FILE": the rules of
// the import page, as the system (no account; the audit log says so).
// Every row is checked first; a file with one problem imports nothing, and
// each problem is named with its row and column in the terminal's
// language. --dry-run shows what would be imported.
func importMembersCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	return importSheet(ctx, args, importMembersUsage, stdout, stderr, getenv,
		func(svc *workspace.Service, ref string, sheet *workspace.Sheet, opt workspace.ImportOptions) (string, error) {
			plan, err := svc.ImportMembersAsSystem(ctx, ref, sheet, opt)
			if err != nil {
				return "", err
			}
			var b strings.Builder
			var cols []string
			for _, c := range plan.Columns {
				cols = append(cols, c.Letter()+" "+c.Header+" → "+c.Field)
			}
			for _, c := range plan.Skipped {
				cols = append(cols, c.Letter()+" "+c.Header+" (left out)")
			}
			fmt.Fprintf(&b, "columns: %s\n", strings.Join(cols, "; "))
			if !plan.Applied {
				for _, m := range plan.Sample {
					fmt.Fprintf(&b, "  %d\t%s\t%s\t%s\t%s\n", m.Number, m.Name, m.Circle, m.Email, m.Joined)
				}
				fmt.Fprintf(&b, "%d row(s) would be imported, %d linked to an account; nothing was stored (--dry-run)", plan.Rows, plan.Linked)
				return b.String(), nil
			}
			fmt.Fprintf(&b, "%d row(s), %d linked to an account", plan.Rows, plan.Linked)
			return b.String(), nil
		})
}

// importSheet is what the imports of a workspace's spreadsheets share: the
// arguments, the database, reading the file, the problems by row and
// column in the terminal's language, and the last line. run imports (or,
// with --dry-run, plans) and says what it did.
func importSheet(ctx context.Context, args []string, usage string, stdout, stderr io.Writer, getenv func(string) string,
	run func(svc *workspace.Service, ref string, sheet *workspace.Sheet, opt workspace.ImportOptions) (string, error)) error {
	opt, positional, settings := importArgs(args)
	if len(positional) != 2 {
		return errors.New(usage)
	}
	ref, file := positional[0], positional[1]
	_, rest, db, err := open(ctx, settings, getenv)
	if err != nil {
		return err
	}
	defer db.Close()
	if len(rest) > 0 {
		return fmt.Errorf("unexpected argument %q; %s", rest[0], usage)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	sheet, err := workspace.ReadSheet(data)
	var said string
	if err == nil {
		said, err = run(&workspace.Service{DB: db}, ref, sheet, opt)
	}
	w := newWords(getenv)
	if problems := workspace.ImportProblems(err); problems != nil {
		for _, p := range problems {
			fmt.Fprintln(stderr, w.importProblem(p))
		}
		return fmt.Errorf("%s has %d problem(s); nothing was imported", file, len(problems))
	}
	if err != nil {
		return errors.New(w.describe(err))
	}
	if opt.DryRun {
		i := strings.LastIndexByte(said, '\n') + 1
		fmt.Fprintf(stdout, "%s%s: %s\n", said[:i], file, said[i:])
		return nil
	}
	i := strings.LastIndexByte(said, '\n') + 1
	fmt.Fprintf(stdout, "%simported %s: %s\n", said[:i], file, said[i:])
	return nil
}

// importProblem places a problem of an import file as the import page
// does: "Row 3, column B (“email”): …".
func (w words) importProblem(p workspace.Problem) string {
	msg := w.field("", p.Code)
	switch {
	case p.Row == 0:
		return msg
	case p.Column == 0:
		return w.msgs.T(w.lang, "workspace.import.at_row", "row", p.Row, "problem", msg)
	case p.Header == "":
		return w.msgs.T(w.lang, "workspace.import.at_column", "row", p.Row, "column", workspace.ColumnName(p.Column), "problem", msg)
	}
	return w.msgs.T(w.lang, "workspace.import.at_cell", "row", p.Row, "column", workspace.ColumnName(p.Column), "header", p.Header, "problem", msg)
}

// importArgs splits the arguments of an import of a workspace's file: the
// import's own flags, the positional arguments and samen's settings.
func importArgs(args []string) (workspace.ImportOptions, []string, []string) {
	var opt workspace.ImportOptions
	var positional, settings []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch strings.TrimLeft(a, "-") {
		case "dry-run":
			if strings.HasPrefix(a, "-") {
				opt.DryRun = true
				continue
			}
		case "skip-unknown":
			if strings.HasPrefix(a, "-") {
				opt.SkipUnknown = true
				continue
			}
		}
		switch {
		case strings.HasPrefix(a, "-"):
			settings = append(settings, a)
			if !strings.Contains(a, "=") && i+1 < len(args) {
				settings = append(settings, args[i+1])
				i++
			}
		default:
			positional = append(positional, a)
		}
	}
	return opt, positional, settings
}

const importParticipationsUsage = "usage: samen import participations WORKSPACE FILE [--dry-run] [--skip-unknown] (WORKSPACE: id or slug; FILE: .csv or .xlsx)"

// importParticipationsCmd runs "samen import participations WORKSPACE
// FILE": the rules of the import page on the shares, as the system.
func importParticipationsCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	return importSheet(ctx, args, importParticipationsUsage, stdout, stderr, getenv,
		func(svc *workspace.Service, ref string, sheet *workspace.Sheet, opt workspace.ImportOptions) (string, error) {
			plan, err := svc.ImportParticipationsAsSystem(ctx, ref, sheet, opt)
			if err != nil {
				return "", err
			}
			var b strings.Builder
			for _, p := range plan.Sample {
				fmt.Fprintf(&b, "  %d\t%s\t%s\t%d\t%s\t%d\n", p.Number, p.MemberName, p.ClassName, p.Shares, p.Status, p.PaidCents)
			}
			if !plan.Applied {
				fmt.Fprintf(&b, "%d participation(s) would be imported, %d cents of capital booked; nothing was stored (--dry-run)", plan.Rows, plan.PaidCents)
				return b.String(), nil
			}
			fmt.Fprintf(&b, "%d participation(s), %d cents of capital booked", plan.Rows, plan.PaidCents)
			return b.String(), nil
		})
}
