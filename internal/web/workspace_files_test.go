package web_test

import (
	"bytes"
	"context"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"samen/internal/store"
	"samen/internal/store/storetest"
)

// multipartBody is a form with fields and one file, as a browser sends it.
func multipartBody(t testing.TB, fields map[string]string, filename, content string) (*bytes.Buffer, string) {
	t.Helper()
	f := url.Values{}
	for k, v := range fields {
		f.Set(k, v)
	}
	files := map[string]string{}
	if filename != "" {
		files[filename] = content
	}
	return formWithFiles(t, f, "file", files)
}

// formWithFiles is a multipart form with fields and files, each file a
// part named field, as a browser sends it.
func formWithFiles(t testing.TB, fields url.Values, field string, files map[string]string) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name, content := range files {
		fw, err := mw.CreateFormFile(field, name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, mw.FormDataContentType()
}

// postFile submits a form with a file on one of the site's pages.
func (b *browser) postFile(path string, fields map[string]string, filename, content string) *response {
	b.t.Helper()
	body, ct := multipartBody(b.t, fields, filename, content)
	req := b.newRequest(http.MethodPost, path, body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Origin", b.site.HTTP.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

// upload sends a file through the API.
func (c *script) upload(path string, fields map[string]string, filename, content string) *response {
	c.b.t.Helper()
	body, ct := multipartBody(c.b.t, fields, filename, content)
	req := c.b.newRequest(http.MethodPost, "/api/v1"+path, body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+c.token)
	return c.b.do(req)
}

type apiFileList struct {
	Files []apiFileJSON `json:"files"`
	Usage *struct {
		Used  int64 `json:"used_bytes"`
		Quota int64 `json:"quota_bytes"`
	} `json:"usage"`
}

type apiFileJSON struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Visibility string `json:"visibility"`
	Current    struct {
		Version     int    `json:"version"`
		Size        int64  `json:"size"`
		ContentType string `json:"content_type"`
		Uploader    string `json:"uploaded_by_name"`
	} `json:"current"`
	Versions []struct {
		Version int `json:"version"`
	} `json:"versions"`
}

// fileID finds a file by name in the list the script may see.
func fileID(t *testing.T, c *script, slug, name string) int64 {
	t.Helper()
	var list apiFileList
	c.call(http.MethodGet, "/workspaces/"+slug+"/files", "").JSON(t, &list)
	for _, f := range list.Files {
		if f.Name == name {
			return f.ID
		}
	}
	t.Fatalf("no file %q in %+v", name, list.Files)
	return 0
}

// sizeText writes a size as the pages do: 120 B, 1.5 kB (1,5 kB in Dutch).
func sizeText(lang string, n int64) string {
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	v, units := float64(n)/1024, []string{"kB", "MB", "GB"}
	i := 0
	for ; v >= 1024 && i < len(units)-1; i++ {
		v /= 1024
	}
	s := strings.TrimSuffix(strconv.FormatFloat(v, 'f', 1, 64), ".0")
	if lang == "nl" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s + " " + units[i]
}

// storedBlobs counts the contents on disk.
func storedBlobs(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// The files: a member of core uploads minutes for core; the
// moderator, in the members circle, neither sees nor downloads them (404:
// for someone signed in a file beyond their circle does not exist; a
// visitor is sent to log in). A public file downloads for anyone as an
// attachment that no browser renders or sniffs. A version replaces the
// current one and the old one stays downloadable. The quota refuses an
// upload in the reader's words, with the sizes. The same bytes are stored
// once.
func TestWorkspaceFiles(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed()
		slug := demoWorkspace(t, s)
		base := "/workspaces/" + slug + "/files"
		core := s.loggedIn(member, "en")
		coreAPI := s.script(s.tokenFor(member.Email), "en")
		mod := s.loggedIn(moderator, "en")
		modAPI := s.script(s.tokenFor(moderator.Email), "en")
		anon := s.browser("en")
		dir := s.Parts.Workspaces.Files

		// The member (core) uploads minutes for core through the form.
		minutes := "Notulen kernteam 3 juni: de begroting en de huur.\n"
		r := core.postFile(base, map[string]string{"name": "Notulen kernteam juni.txt", "visibility": "core"}, "notulen.txt", minutes)
		if r.Status != http.StatusSeeOther || r.Location() != base+"?notice=ws_file_uploaded" {
			t.Fatalf("upload: %d to %q\n%s", r.Status, r.Location(), r.Body)
		}
		secret := fileID(t, coreAPI, slug, "Notulen kernteam juni.txt")
		page := core.get(base)
		mustContain(t, page, "Notulen kernteam juni.txt", html(msgs.T("en", "workspace.visibility.core")), "version 1")
		secretLink := base + "/" + strconv.FormatInt(secret, 10) + "/download"
		r = core.get(secretLink)
		if r.Status != http.StatusOK || r.Body != minutes || r.Header.Get("Cache-Control") != "private, no-store" {
			t.Errorf("core downloads: %d, Cache-Control %q, %q", r.Status, r.Header.Get("Cache-Control"), r.Body)
		}

		// The moderator (members) sees no trace of it.
		if r := mod.get(base); r.Status != http.StatusOK || strings.Contains(r.Body, "Notulen kernteam") {
			t.Errorf("the moderator's list: %d, names the minutes: %v", r.Status, strings.Contains(r.Body, "Notulen kernteam"))
		}
		if r := mod.get(secretLink); r.Status != http.StatusNotFound || strings.Contains(r.Body, "begroting") {
			t.Errorf("the moderator downloads the minutes: %d", r.Status)
		}
		if r := mod.get(base + "/" + strconv.FormatInt(secret, 10)); r.Status != http.StatusNotFound {
			t.Errorf("the moderator opens the minutes' page: %d", r.Status)
		}
		e := apiErrorOf(t, modAPI.call(http.MethodGet, "/workspaces/"+slug+"/files/"+strconv.FormatInt(secret, 10)+"/content", ""), http.StatusNotFound)
		if e.Error.Code != "workspace.file_not_found" {
			t.Errorf("the moderator's API download: %s", e.Error.Code)
		}
		apiErrorOf(t, modAPI.call(http.MethodGet, "/workspaces/"+slug+"/files/"+strconv.FormatInt(secret, 10), ""), http.StatusNotFound)
		// Nor may the moderator upload: the files role is core's.
		if r := mod.postFile(base, map[string]string{"visibility": "public"}, "x.txt", "x"); r.Status != http.StatusForbidden {
			t.Errorf("the moderator uploads: %d", r.Status)
		}
		// A visitor is asked to log in, and comes back to the file.
		if r := anon.get(secretLink); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/login?next=") {
			t.Errorf("a visitor downloads the minutes: %d to %q", r.Status, r.Location())
		}

		// A public file, by the API, downloads for anyone as an attachment.
		statutes := "%PDF-1.4\nStatuten van het Grachtenkeuken\n%%EOF\n"
		r = coreAPI.upload("/workspaces/"+slug+"/files", map[string]string{"name": "Statuten café.pdf", "visibility": "public"}, "s.pdf", statutes)
		if r.Status != http.StatusCreated {
			t.Fatalf("API upload: %d\n%s", r.Status, r.Body)
		}
		var pub apiFileJSON
		r.JSON(t, &pub)
		if pub.Current.ContentType != "application/pdf" || pub.Current.Version != 1 || pub.Current.Uploader == "" || strings.Contains(r.Body, "@") {
			t.Errorf("the API's file: %s", r.Body)
		}
		pubLink := base + "/" + strconv.FormatInt(pub.ID, 10) + "/download"
		r = anon.get(pubLink)
		if r.Status != http.StatusOK || r.Body != statutes {
			t.Fatalf("a visitor downloads the statutes: %d %q", r.Status, r.Body)
		}
		for header, want := range map[string]string{
			"Content-Type":           "application/pdf",
			"Content-Disposition":    `attachment; filename="Statuten caf_.pdf"; filename*=UTF-8''Statuten%20caf%C3%A9.pdf`,
			"X-Content-Type-Options": "nosniff",
			"Cache-Control":          "public, no-cache",
		} {
			if got := r.Header.Get(header); got != want {
				t.Errorf("%s: %q, want %q", header, got, want)
			}
		}
		if csp := r.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "sandbox") || !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("Content-Security-Policy %q", csp)
		}
		// Its ETag is the content's hash: a cache asks again and gets 304.
		req := anon.newRequest(http.MethodGet, pubLink, nil)
		req.Header.Set("If-None-Match", r.Header.Get("ETag"))
		if r := anon.do(req); r.Status != http.StatusNotModified {
			t.Errorf("revalidating: %d", r.Status)
		}

		// A new version replaces the current one; the first stays.
		statutes2 := "%PDF-1.4\nStatuten van het Grachtenkeuken, gewijzigd 2026\n%%EOF\n"
		r = core.postFile(base+"/"+strconv.FormatInt(pub.ID, 10)+"/version", nil, "statuten-2026.pdf", statutes2)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("new version: %d\n%s", r.Status, r.Body)
		}
		if r := anon.get(pubLink); r.Body != statutes2 {
			t.Errorf("the current version: %q", r.Body)
		}
		if r := anon.get(pubLink + "?version=1"); r.Status != http.StatusOK || r.Body != statutes {
			t.Errorf("the first version: %d %q", r.Status, r.Body)
		}
		if r := anon.get(pubLink + "?version=3"); r.Status != http.StatusNotFound {
			t.Errorf("a version that does not exist: %d", r.Status)
		}
		if r := anon.get(pubLink + "?version=x"); r.Status != http.StatusBadRequest {
			t.Errorf("a version that is not a number: %d", r.Status)
		}
		var info apiFileJSON
		coreAPI.call(http.MethodGet, "/workspaces/"+slug+"/files/"+strconv.FormatInt(pub.ID, 10), "").JSON(t, &info)
		if info.Current.Version != 2 || len(info.Versions) != 2 {
			t.Errorf("versions: %+v", info)
		}
		mustContain(t, anon.get(base+"/"+strconv.FormatInt(pub.ID, 10)), "version 2", "version 1", "?version=1")

		// The same bytes twice, as two files, are stored once.
		before := storedBlobs(t, dir)
		for _, name := range []string{"Huurcontract.txt", "Huurcontract (kopie).txt"} {
			if r := core.postFile(base, map[string]string{"name": name, "visibility": "members"}, "h.txt", "Huurcontract Zeedijk 12\n"); r.Status != http.StatusSeeOther {
				t.Fatalf("uploading %s: %d\n%s", name, r.Status, r.Body)
			}
		}
		if after := storedBlobs(t, dir); after != before+1 {
			t.Errorf("two uploads of the same bytes: %d contents on disk, were %d", after, before)
		}
		// The moderator (members) sees those.
		if r := mod.get(base); !strings.Contains(r.Body, "Huurcontract (kopie).txt") {
			t.Errorf("the moderator does not see a file for members")
		}

		// The quota: the operator leaves 50 bytes free.
		var list apiFileList
		coreAPI.call(http.MethodGet, "/workspaces/"+slug+"/files", "").JSON(t, &list)
		if list.Usage == nil || list.Usage.Quota != 500<<20 || list.Usage.Used == 0 {
			t.Fatalf("usage: %+v", list.Usage)
		}
		quota := list.Usage.Used + 50
		if _, err := db.Exec(context.Background(), `UPDATE workspaces SET settings = ? WHERE slug = ?`,
			`{"quota_bytes": `+strconv.FormatInt(quota, 10)+`}`, slug); err != nil {
			t.Fatal(err)
		}
		big := strings.Repeat("groot ", 20)
		for _, lang := range []string{"nl", "en"} {
			b := s.loggedIn(member, lang)
			r := b.postFile(base, map[string]string{"name": "Groot.txt", "visibility": "public"}, "groot.txt", big)
			if r.Status != http.StatusRequestEntityTooLarge {
				t.Errorf("%s: past the quota: %d", lang, r.Status)
			}
			want := msgs.T(lang, "error.workspace.quota", "size", "120 B", "used", sizeText(lang, list.Usage.Used),
				"quota", sizeText(lang, quota), "free", "50 B")
			mustContain(t, r, html(want))
		}
		e = apiErrorOf(t, s.script(s.tokenFor(member.Email), "nl").upload("/workspaces/"+slug+"/files",
			map[string]string{"visibility": "public"}, "groot.txt", big), http.StatusRequestEntityTooLarge)
		if want := msgs.T("nl", "error.workspace.quota", "size", "120 B", "used", sizeText("nl", list.Usage.Used),
			"quota", sizeText("nl", quota), "free", "50 B"); e.Error.Code != "workspace.quota" || e.Error.Message != want {
			t.Errorf("the API's refusal: %+v, want %q", e.Error, want)
		}

		// Removing: the file is gone for everyone; core restores it.
		r = core.postForm(base+"/"+strconv.FormatInt(pub.ID, 10)+"/remove", nil)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("remove: %d\n%s", r.Status, r.Body)
		}
		if r := anon.get(pubLink); r.Status != http.StatusNotFound {
			t.Errorf("a removed file downloads: %d", r.Status)
		}
		mustContain(t, core.get(base), html(msgs.T("en", "workspace.files.removed")), "Statuten café.pdf")
		if r := core.postForm(base+"/"+strconv.FormatInt(pub.ID, 10)+"/restore", nil); r.Status != http.StatusSeeOther {
			t.Errorf("restore: %d\n%s", r.Status, r.Body)
		}
		if r := anon.get(pubLink); r.Status != http.StatusOK {
			t.Errorf("a restored file: %d", r.Status)
		}
	})
}
