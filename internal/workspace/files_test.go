package workspace

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"samen/internal/account"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

func TestContentTypeOf(t *testing.T) {
	pdf := []byte("%PDF-1.4\n%âãÏÓ\n1 0 obj")
	zip := []byte("PK\x03\x04\x14\x00\x06\x00")
	for _, c := range []struct {
		name string
		head []byte
		want string
	}{
		{"statuten.pdf", pdf, "application/pdf"},
		{"statuten.txt", pdf, "application/pdf"}, // the bytes win over the name
		{"notulen.md", []byte("# Notulen\n\nAanwezig: …"), "text/markdown; charset=utf-8"},
		{"leden.csv", []byte("naam,nummer\nAnna,1\n"), "text/csv; charset=utf-8"},
		{"notulen", []byte("Notulen"), "text/plain; charset=utf-8"},
		{"begroting.ods", zip, "application/vnd.oasis.opendocument.spreadsheet"},
		{"brief.docx", zip, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"brief.pdf", zip, "application/zip"},
		{"page.html", []byte("<!DOCTYPE html><script>alert(1)</script>"), "application/octet-stream"},
		{"notulen.md", []byte("<html><script>alert(1)</script>"), "application/octet-stream"},
		{"plaatje.svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>`), "application/octet-stream"},
		{"logo.png", []byte("\x89PNG\r\n\x1a\n\x00\x00"), "image/png"},
		{"oud.doc", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00"), "application/msword"},
		{"data.bin", []byte{0, 1, 2, 3}, "application/octet-stream"},
	} {
		if got := ContentTypeOf(c.name, c.head); got != c.want {
			t.Errorf("%s %q: %q, want %q", c.name, c.head[:min(8, len(c.head))], got, c.want)
		}
	}
}

func TestCleanFileName(t *testing.T) {
	for in, want := range map[string]string{
		"Notulen ALV 2026-05.pdf":      "",
		"  Statuten   2019.pdf ":       "",
		"":                             "required",
		"../../etc/passwd":             "file_name.invalid",
		`C:\Users\anna\x.pdf`:          "file_name.invalid",
		"..":                           "file_name.invalid",
		"nul\x00.pdf":                  "text.control",
		strings.Repeat("ä", 201):       "too_long",
		strings.Repeat("ä", 200):       "",
		"Jaarverslag\tconcept.odt":     "",
		"Begroting 2027 (concept).ods": "",
	} {
		got, code := CleanFileName(in)
		if code != want {
			t.Errorf("%q: code %q, want %q", in, code, want)
		}
		if code == "" && got != strings.Join(strings.Fields(in), " ") {
			t.Errorf("%q became %q", in, got)
		}
	}
}

// blobs lists the files under dir that hold bytes (not temporary ones).
func blobs(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			out = append(out, strings.TrimPrefix(p, dir))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func readAll(t *testing.T, s *Service, u *account.User, ref string, id int64, version int) (File, FileVersion, string) {
	t.Helper()
	f, fv, content, err := s.OpenFile(context.Background(), u, ref, id, version)
	if err != nil {
		t.Fatalf("opening file %d version %d: %v", id, version, err)
	}
	defer content.Close()
	b, err := io.ReadAll(content)
	if err != nil {
		t.Fatal(err)
	}
	return f, fv, string(b)
}

func TestFilesJourney(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		s := f.svc
		ws, err := s.Create(ctx, f.anna, Draft{Name: "Buurtkracht Noord"})
		if err != nil {
			t.Fatal(err)
		}
		ref := ws.Slug
		bert, err := s.AddMember(ctx, f.anna, ref, NewMember{Name: "Bert", Email: f.bert.Email, Circle: Members})
		if err != nil || bert.UserID != f.bert.ID {
			t.Fatalf("Bert into members: %+v %v", bert, err)
		}

		// Anna (core) uploads minutes for core and statutes for everyone.
		minutes := "# Notulen kernteam\n\nBesproken: de begroting.\n"
		notes, err := s.UploadFile(ctx, f.anna, ref, Upload{Name: " Notulen kernteam.md ", Visibility: Visibility(Core), Body: strings.NewReader(minutes)})
		if err != nil {
			t.Fatal(err)
		}
		if notes.Name != "Notulen kernteam.md" || notes.Current.Version != 1 || notes.Current.ContentType != "text/markdown; charset=utf-8" ||
			notes.Current.Size != int64(len(minutes)) || notes.Current.Uploader != "anna" {
			t.Errorf("the minutes: %+v", notes)
		}
		statutes := "%PDF-1.4\nStatuten van de coöperatie\n%%EOF\n"
		pub, err := s.UploadFile(ctx, f.anna, ref, Upload{Name: "Statuten.pdf", Visibility: Public, Body: strings.NewReader(statutes)})
		if err != nil {
			t.Fatal(err)
		}
		if pub.Current.ContentType != "application/pdf" {
			t.Errorf("statutes typed %q", pub.Current.ContentType)
		}

		// Bert (members) sees the statutes, not the minutes, and cannot
		// open them: for him they do not exist. A visitor is asked to sign
		// in first; the statutes they read.
		_, list, use, err := s.ListFiles(ctx, f.bert, ref)
		if err != nil || len(list) != 1 || list[0].ID != pub.ID {
			t.Fatalf("Bert's list: %+v %v", list, err)
		}
		if use != (Usage{}) {
			t.Errorf("Bert, without the files role, is told the usage: %+v", use)
		}
		_, _, _, err = s.OpenFile(ctx, f.bert, ref, notes.ID, 0)
		wantProblem(t, "Bert opens the minutes", err, problem.NotFound, "workspace.file_not_found")
		_, _, err = s.FileInfo(ctx, f.bert, ref, notes.ID)
		wantProblem(t, "Bert reads about the minutes", err, problem.NotFound, "workspace.file_not_found")
		_, _, _, err = s.OpenFile(ctx, nil, ref, notes.ID, 0)
		wantProblem(t, "a visitor opens the minutes", err, problem.Unauthorized, "")
		_, _, _, err = s.OpenFile(ctx, f.cato, ref, notes.ID, 0)
		wantProblem(t, "an outsider opens the minutes", err, problem.NotFound, "")
		if _, _, body := readAll(t, s, nil, ref, pub.ID, 0); body != statutes {
			t.Errorf("the visitor read %q", body)
		}
		_, list, _, err = s.ListFiles(ctx, nil, ref)
		if err != nil || len(list) != 1 {
			t.Errorf("the visitor's list: %+v %v", list, err)
		}
		if _, list, use, _ = s.ListFiles(ctx, f.anna, ref); len(list) != 2 || list[0].Name != "Notulen kernteam.md" ||
			use.Used != int64(len(minutes)+len(statutes)) || use.Quota != DefaultQuota {
			t.Errorf("Anna's list %+v, usage %+v", list, use)
		}

		// Bert may not upload, until core gives him the files role; then
		// he still cannot hide a file from himself.
		_, err = s.UploadFile(ctx, f.bert, ref, Upload{Name: "x.txt", Visibility: Public, Body: strings.NewReader("x")})
		wantProblem(t, "Bert uploads", err, problem.Forbidden, "workspace.forbidden")
		if err := s.RemoveFile(ctx, f.bert, ref, pub.ID); !problem.Is(err, problem.Forbidden) {
			t.Errorf("Bert removes: %v", err)
		}
		if err := s.Grant(ctx, f.anna, ref, bert.ID, RoleFiles); err != nil {
			t.Fatal(err)
		}
		_, err = s.UploadFile(ctx, f.bert, ref, Upload{Name: "x.txt", Visibility: Visibility(Core), Body: strings.NewReader("x")})
		if got := problemFields(err); got["visibility"] != "visibility.beyond_own" {
			t.Errorf("Bert hides a file from himself: %v", err)
		}
		_, err = s.UploadFile(ctx, f.bert, ref, Upload{Name: "../x.txt", Visibility: "everyone", Body: strings.NewReader("x")})
		if got := problemFields(err); got["name"] != "file_name.invalid" || got["visibility"] != "choice.unknown" {
			t.Errorf("a bad name and visibility: %v", err)
		}
		_, err = s.UploadFile(ctx, f.bert, ref, Upload{Name: "leeg.txt", Visibility: Public, Body: strings.NewReader("")})
		if got := problemFields(err); got["file"] != "workspace_file.empty" {
			t.Errorf("an empty file: %v", err)
		}
		_, err = s.UploadVersion(ctx, f.bert, ref, notes.ID, strings.NewReader("x"))
		wantProblem(t, "Bert adds a version to the minutes", err, problem.NotFound, "workspace.file_not_found")

		// A new version of the statutes replaces the current one; the
		// first stays readable by its number.
		statutes2 := "%PDF-1.4\nStatuten van de coöperatie, gewijzigd\n%%EOF\n"
		v2, err := s.UploadVersion(ctx, f.bert, ref, pub.ID, strings.NewReader(statutes2))
		if err != nil || v2.Current.Version != 2 || v2.Current.Uploader != "bert" || v2.Name != "Statuten.pdf" {
			t.Fatalf("second version: %+v %v", v2, err)
		}
		if _, fv, body := readAll(t, s, nil, ref, pub.ID, 0); body != statutes2 || fv.Version != 2 {
			t.Errorf("current: version %d %q", fv.Version, body)
		}
		if _, fv, body := readAll(t, s, nil, ref, pub.ID, 1); body != statutes || fv.Version != 1 {
			t.Errorf("first: version %d %q", fv.Version, body)
		}
		_, _, _, err = s.OpenFile(ctx, nil, ref, pub.ID, 3)
		wantProblem(t, "a version that does not exist", err, problem.NotFound, "workspace.file_version_unknown")
		_, info, err := s.FileInfo(ctx, nil, ref, pub.ID)
		if err != nil || len(info.Versions) != 2 || info.Versions[0].Version != 2 || info.Versions[1].Uploader != "anna" {
			t.Errorf("the statutes' versions: %+v %v", info.Versions, err)
		}

		// The same bytes again, as another file, are stored once and cost
		// nothing.
		before := blobs(t, s.Files)
		if len(before) != 3 {
			t.Errorf("on disk: %v, want three contents", before)
		}
		_, _, use, _ = s.ListFiles(ctx, f.anna, ref)
		copyOf, err := s.UploadFile(ctx, f.anna, ref, Upload{Name: "Statuten (kopie).pdf", Visibility: Visibility(Members), Body: strings.NewReader(statutes)})
		if err != nil {
			t.Fatal(err)
		}
		if after := blobs(t, s.Files); len(after) != len(before) {
			t.Errorf("the same bytes stored twice: %v", after)
		}
		if _, _, again, _ := s.ListFiles(ctx, f.anna, ref); again.Used != use.Used {
			t.Errorf("the same bytes counted twice: %d, was %d", again.Used, use.Used)
		}

		// The quota: the operator allows 200 bytes; a file that passes it
		// is refused, naming what is used and allowed.
		set := DefaultSettings()
		set.QuotaBytes = 200
		if _, err := db.Exec(ctx, `UPDATE workspaces SET settings = ? WHERE id = ?`, set.json(), ws.ID); err != nil {
			t.Fatal(err)
		}
		big := strings.Repeat("x", 100)
		_, err = s.UploadFile(ctx, f.anna, ref, Upload{Name: "groot.txt", Visibility: Public, Body: strings.NewReader(big)})
		wantProblem(t, "past the quota", err, problem.TooLarge, "workspace.quota")
		var qe *QuotaError
		if !errors.As(err, &qe) || qe.Quota != 200 || qe.Used != use.Used || qe.Size != 100 {
			t.Errorf("the quota error: %#v", err)
		}
		// Bytes the workspace holds already still fit.
		if _, err := s.UploadVersion(ctx, f.anna, ref, copyOf.ID, strings.NewReader(minutes)); err != nil {
			t.Errorf("known bytes past the quota: %v", err)
		}
		set.QuotaBytes = DefaultQuota
		if _, err := db.Exec(ctx, `UPDATE workspaces SET settings = ? WHERE id = ?`, set.json(), ws.ID); err != nil {
			t.Fatal(err)
		}

		// Larger than a file may be: refused, and nothing left behind.
		_, err = s.UploadFile(ctx, f.anna, ref, Upload{Name: "film.mp4", Visibility: Public, Body: io.LimitReader(zeros{}, MaxFileBytes+1)})
		if got := problemFields(err); !problem.Is(err, problem.TooLarge) || got["file"] != "workspace_file.too_large" {
			t.Errorf("too large: %v", err)
		}
		if after := blobs(t, s.Files); len(after) != len(before) {
			t.Errorf("a refused upload left %v", after)
		}

		// Renaming and hiding.
		if _, err := s.UpdateFile(ctx, f.bert, ref, copyOf.ID, FileChange{Name: "Statuten/kopie", Visibility: Visibility(Members)}); problemFields(err)["name"] != "file_name.invalid" {
			t.Errorf("a name with a slash: %v", err)
		}
		renamed, err := s.UpdateFile(ctx, f.bert, ref, copyOf.ID, FileChange{Name: "Oude statuten.pdf", Visibility: Visibility(Contributors)})
		if err == nil || problemFields(err)["visibility"] != "visibility.beyond_own" {
			t.Errorf("Bert hides the copy from himself: %+v %v", renamed, err)
		}
		if renamed, err = s.UpdateFile(ctx, f.anna, ref, copyOf.ID, FileChange{Name: "Oude statuten.pdf", Visibility: Visibility(Contributors)}); err != nil || renamed.Name != "Oude statuten.pdf" {
			t.Errorf("Anna renames: %+v %v", renamed, err)
		}
		if _, _, _, err := s.OpenFile(ctx, f.bert, ref, copyOf.ID, 0); !problem.Is(err, problem.NotFound) {
			t.Errorf("Bert opens a file for contributors: %v", err)
		}

		// Removing: gone from lists and links, core restores it.
		if err := s.RemoveFile(ctx, f.bert, ref, pub.ID); err != nil {
			t.Fatal(err)
		}
		if _, list, _, _ := s.ListFiles(ctx, f.anna, ref); len(list) != 2 {
			t.Errorf("after removing, Anna lists %d files", len(list))
		}
		if _, _, _, err := s.OpenFile(ctx, nil, ref, pub.ID, 0); !problem.Is(err, problem.NotFound) {
			t.Errorf("a visitor opens a removed file: %v", err)
		}
		if _, err := s.RemovedFiles(ctx, f.bert, ref); !problem.Is(err, problem.Forbidden) {
			t.Errorf("Bert lists removed files: %v", err)
		}
		if err := s.RestoreFile(ctx, f.bert, ref, pub.ID); !problem.Is(err, problem.Forbidden) {
			t.Errorf("Bert restores: %v", err)
		}
		removed, err := s.RemovedFiles(ctx, f.anna, ref)
		if err != nil || len(removed) != 1 || removed[0].ID != pub.ID || removed[0].RestoreLeft != RestoreDays*24*time.Hour {
			t.Fatalf("removed: %+v %v", removed, err)
		}
		if err := s.RestoreFile(ctx, f.anna, ref, pub.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, body := readAll(t, s, nil, ref, pub.ID, 0); body != statutes2 {
			t.Errorf("restored: %q", body)
		}
		wantProblem(t, "restoring a file that is there", s.RestoreFile(ctx, f.anna, ref, pub.ID), problem.Conflict, "workspace.file_not_removed")

		// Removed for longer than core may restore: the next upload deletes
		// it for good, with the bytes nothing else names.
		if err := s.RemoveFile(ctx, f.anna, ref, notes.ID); err != nil {
			t.Fatal(err)
		}
		f.clock.t = f.clock.t.Add((RestoreDays + 1) * 24 * time.Hour)
		wantProblem(t, "restoring too late", s.RestoreFile(ctx, f.anna, ref, notes.ID), problem.Gone, "workspace.file_expired")
		if _, err := s.UploadFile(ctx, f.anna, ref, Upload{Name: "Agenda.txt", Visibility: Public, Body: strings.NewReader("Agenda")}); err != nil {
			t.Fatal(err)
		}
		if removed, _ := s.RemovedFiles(ctx, f.anna, ref); len(removed) != 0 {
			t.Errorf("still removed: %+v", removed)
		}
		// The minutes' bytes are also the copy's second version: they stay.
		if after := blobs(t, s.Files); len(after) != 4 {
			t.Errorf("on disk after the purge: %v", after)
		}

		// Core deletes for good at once: the bytes go when nothing else
		// names them.
		agenda2, err := s.UploadFile(ctx, f.anna, ref, Upload{Name: "Rooster.txt", Visibility: Public, Body: strings.NewReader("Rooster: alleen hier")})
		if err != nil {
			t.Fatal(err)
		}
		wantProblem(t, "deleting a file that is there", s.PurgeFile(ctx, f.anna, ref, agenda2.ID), problem.Conflict, "workspace.file_not_removed")
		if err := s.RemoveFile(ctx, f.anna, ref, agenda2.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.PurgeFile(ctx, f.bert, ref, agenda2.ID); !problem.Is(err, problem.Forbidden) {
			t.Errorf("Bert deletes for good: %v", err)
		}
		if err := s.PurgeFile(ctx, f.anna, ref, agenda2.ID); err != nil {
			t.Fatal(err)
		}
		if after := blobs(t, s.Files); len(after) != 4 {
			t.Errorf("on disk after deleting for good: %v", after)
		}

		// The audit log names files by id, never by name, and records the
		// minutes' reading by Anna but not the statutes' by visitors.
		count := map[string]int{}
		for _, e := range auditActions(t, db, "workspace.") {
			if !strings.HasPrefix(e.Action, "workspace.file_") {
				continue
			}
			count[e.Action]++
			for _, v := range e.Detail {
				if s, ok := v.(string); ok && (strings.Contains(s, "tatuten") || strings.Contains(s, "otulen")) {
					t.Errorf("%s names a file: %v", e.Action, e.Detail)
				}
			}
		}
		for action, want := range map[string]int{"workspace.file_upload": 5, "workspace.file_version": 2, "workspace.file_update": 1,
			"workspace.file_remove": 3, "workspace.file_restore": 1, "workspace.file_purge": 2} {
			if count[action] != want {
				t.Errorf("%s recorded %d times, want %d", action, count[action], want)
			}
		}
		if count["workspace.file_download"] != 0 {
			t.Errorf("public downloads recorded: %d", count["workspace.file_download"])
		}
		readAll(t, s, f.anna, ref, copyOf.ID, 1)
		if n := len(auditActions(t, db, "workspace.file_download")); n != 1 {
			t.Errorf("reading a file for contributors recorded %d times", n)
		}
	})
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
