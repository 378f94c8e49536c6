package web_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"samen/internal/store"
	"samen/internal/store/storetest"
)

// wsUpload sends the import form: the file and the form's other fields,
// as a browser does.
func wsUpload(b *browser, path string, fields url.Values, data []byte) *response {
	b.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	part, err := w.CreateFormFile("file", "leden.csv")
	if err != nil {
		b.t.Fatal(err)
	}
	part.Write(data)
	w.Close()
	req := b.newRequest(http.MethodPost, path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Origin", b.site.HTTP.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

var confirmHash = regexp.MustCompile(`name="confirm" value="([0-9a-f]{64})"`)

// The import journey with forms only: check a file, read the problems by
// row and column, mend it, see the preview, send the same file again to
// import it; then download the register.
func TestWorkspaceImportByForms(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed()
		slug := demoWorkspace(t, s)
		core := s.loggedIn(member, "nl")
		path := "/workspaces/" + slug + "/members/import"

		page := core.get(path)
		if page.Status != http.StatusOK {
			t.Fatalf("the import page: %d", page.Status)
		}
		mustContain(t, page, html(msgs.T("nl", "workspace.import.title")), `enctype="multipart/form-data"`, `name="skip_unknown"`)
		mustContain(t, core.get("/workspaces/"+slug+"/members"), `href="`+path+`"`, "/members/export?format=xlsx")

		bad := []byte("naam;e-mail;schoenmaat\nAns Import;ans.import@example.org;40\nBas Import;geen adres;41\n")
		r := wsUpload(core, path, nil, bad)
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("a bad file: %d", r.Status)
		}
		mustContain(t, r,
			html(msgs.T("nl", "workspace.import.at_cell", "row", 1, "column", "C", "header", "schoenmaat", "problem", msgs.T("nl", "field.column.unknown"))))
		// Leave out the unknown column: the next problem shows.
		r = wsUpload(core, path, url.Values{"skip_unknown": {"1"}}, bad)
		mustContain(t, r,
			html(msgs.T("nl", "workspace.import.at_cell", "row", 3, "column", "B", "header", "e-mail", "problem", msgs.T("nl", "field.email.invalid"))))
		if strings.Contains(r.Body, `name="confirm"`) {
			t.Error("a file with problems can be confirmed")
		}

		good := []byte("naam;e-mail;schoenmaat\nAns Import;ans.import@example.org;40\nBas Import;bas.import@example.org;41\n")
		r = wsUpload(core, path, url.Values{"skip_unknown": {"1"}}, good)
		if r.Status != http.StatusOK {
			t.Fatalf("the preview: %d\n%s", r.Status, r.Body)
		}
		mustContain(t, r, "Bas Import", "bas.import@example.org", html(msgs.N("nl", "workspace.import.rows", 2)),
			html(msgs.T("nl", "workspace.import.skipped")))
		m := confirmHash.FindStringSubmatch(r.Body)
		if m == nil {
			t.Fatalf("no confirmation in the preview:\n%s", r.Body)
		}
		if n := strings.Count(core.get("/workspaces/"+slug+"/members").Body, "Import</a>"); n != 0 {
			t.Fatalf("the preview stored %d rows", n)
		}
		// Another file under the confirmation is previewed, not imported.
		other := append(bytes.Clone(good), []byte("Cor Import;;42\n")...)
		r = wsUpload(core, path, url.Values{"skip_unknown": {"1"}, "confirm": {m[1]}}, other)
		if r.Status != http.StatusOK || !strings.Contains(r.Body, html(msgs.N("nl", "workspace.import.rows", 3))) {
			t.Fatalf("a changed file under the confirmation: %d", r.Status)
		}
		r = wsUpload(core, path, url.Values{"skip_unknown": {"1"}, "confirm": {m[1]}}, good)
		if r.Status != http.StatusSeeOther || r.Location() != "/workspaces/"+slug+"/members?notice=ws_imported" {
			t.Fatalf("the import: %d to %q\n%s", r.Status, r.Location(), r.Body)
		}
		mustContain(t, core.get(r.Location()), html(msgs.T("nl", "notice.ws_imported")), "Ans Import", "Bas Import")

		// The register as files.
		csv := core.get("/workspaces/" + slug + "/members/export?format=csv&q=import")
		if csv.Status != http.StatusOK || !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") ||
			!strings.HasPrefix(csv.Body, "number,name,circle,email") || strings.Count(csv.Body, "\n") != 3 {
			t.Errorf("the CSV export: %d %s\n%s", csv.Status, csv.Header.Get("Content-Type"), csv.Body)
		}
		xlsx := core.get("/workspaces/" + slug + "/members/export?format=xlsx")
		if xlsx.Status != http.StatusOK || !strings.HasPrefix(xlsx.Body, "PK") || !strings.Contains(xlsx.Header.Get("Content-Disposition"), ".xlsx") {
			t.Errorf("the XLSX export: %d %v", xlsx.Status, xlsx.Header)
		}
		if r := core.get("/workspaces/" + slug + "/members/export?format=pdf"); r.Status != http.StatusUnprocessableEntity && r.Status != http.StatusBadRequest {
			t.Errorf("an unknown format: %d", r.Status)
		}
		// Someone in the members circle reads the register but does not
		// import, and exports without addresses.
		mod := s.loggedIn(moderator, "en")
		if r := mod.get(path); r.Status != http.StatusForbidden {
			t.Errorf("the import page for the members circle: %d", r.Status)
		}
		if r := wsUpload(mod, path, nil, good); r.Status != http.StatusForbidden {
			t.Errorf("an import by the members circle: %d", r.Status)
		}
		if r := mod.get("/workspaces/" + slug + "/members/export"); r.Status != http.StatusOK || strings.Contains(r.Body, "import@example.org") {
			t.Errorf("the members circle's export: %d\n%s", r.Status, r.Body)
		}
	})
}

type apiImportPlan struct {
	Applied bool           `json:"applied"`
	Rows    int            `json:"rows"`
	Circles map[string]int `json:"circles"`
	Columns []struct {
		Column, Header, Field string
	} `json:"columns"`
	Sample []struct {
		Number int64  `json:"number"`
		Name   string `json:"name"`
		Joined string `json:"joined"`
	} `json:"sample"`
}

func TestWorkspaceImportAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed()
		slug := demoWorkspace(t, s)
		api := s.script(s.tokenFor(member.Email), "en")
		path := "/workspaces/" + slug + "/members/import"
		file := "name,email,circle,joined\nApi Een,een.api@example.org,supporters,2025-01-31\nApi Twee,twee.api@example.org,,\n"

		r := api.call(http.MethodPost, path+"?dry_run=true", file)
		var plan apiImportPlan
		r.JSON(t, &plan)
		if r.Status != http.StatusOK || plan.Applied || plan.Rows != 2 || plan.Circles["supporters"] != 1 || plan.Columns[1].Column != "B" ||
			plan.Sample[0].Joined != "2025-01-31" {
			t.Fatalf("dry run: %d %+v", r.Status, plan)
		}
		r = api.call(http.MethodPost, path, file+"Api Drie,een.api@example.org,kring,\n")
		var refused struct {
			Error struct {
				Code     string
				Message  string
				Problems []struct {
					Row     int
					Column  string
					Header  string
					Code    string
					Message string
				}
			}
		}
		if err := json.Unmarshal([]byte(r.Body), &refused); err != nil || r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("a bad file: %d %v\n%s", r.Status, err, r.Body)
		}
		p := refused.Error.Problems
		if refused.Error.Code != "workspace.import_invalid" || len(p) != 2 || p[0].Row != 4 || p[0].Column != "B" || p[0].Code != "email.repeated" ||
			!strings.HasPrefix(p[0].Message, "Row 4, column B (“email”): ") || p[1].Code != "circle.unknown" {
			t.Errorf("problems: %+v", refused.Error)
		}
		r = api.call(http.MethodPost, path, file)
		r.JSON(t, &plan)
		if r.Status != http.StatusCreated || !plan.Applied || plan.Rows != 2 {
			t.Fatalf("import: %d %+v", r.Status, plan)
		}
		r = api.call(http.MethodGet, "/workspaces/"+slug+"/members/export?format=csv&circle=supporters", "")
		if r.Status != http.StatusOK || !strings.Contains(r.Body, "Api Een,supporters,een.api@example.org") {
			t.Errorf("export: %d\n%s", r.Status, r.Body)
		}
		apiErrorOf(t, api.call(http.MethodPost, path+"?dry_run=maybe", file), http.StatusBadRequest)
	})
}
