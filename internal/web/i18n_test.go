package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"text/template/parse"

	"samen/internal/account"
	"samen/internal/assess"
	"samen/internal/atlas"
	"samen/internal/decide"
	"samen/internal/fund"
	"samen/internal/toolbox"
	"samen/internal/web/i18n"
	"samen/internal/workspace"
)

// The catalogues are complete: both languages have the same keys, and every
// key the templates and the Go code use, and every problem code any package
// can return, has a message. The scans read the source, so a new key or code
// without a message fails here, not in front of a reader.

// Each part's words are in the same file in every language: a key that is
// in nl/atlas.json is in en/atlas.json, so a translator finds it where the
// other language has it.
func TestCatalogueFilesMatchAcrossLanguages(t *testing.T) {
	first := i18n.Languages[0]
	files, err := i18n.Files(first)
	if err != nil || len(files) < 2 {
		t.Fatalf("catalogue files of %s: %v, %v", first, files, err)
	}
	for _, lang := range i18n.Languages[1:] {
		theirs, err := i18n.Files(lang)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(files, theirs) {
			t.Errorf("%s has files %v, %s has %v", first, files, lang, theirs)
			continue
		}
		for _, name := range files {
			a, errA := i18n.File(first, name)
			b, errB := i18n.File(lang, name)
			if errA != nil || errB != nil {
				t.Fatalf("%s: %v, %v", name, errA, errB)
			}
			for k := range a {
				if _, ok := b[k]; !ok {
					t.Errorf("%q is in %s/%s but not in %s/%s", k, first, name, lang, name)
				}
			}
			for k := range b {
				if _, ok := a[k]; !ok {
					t.Errorf("%q is in %s/%s but not in %s/%s", k, lang, name, first, name)
				}
			}
		}
	}
}

func TestCataloguesHaveTheSameKeys(t *testing.T) {
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	placeholder := regexp.MustCompile(`\{[a-z_]+\}`)
	first := i18n.Languages[0]
	for _, lang := range i18n.Languages[1:] {
		for _, k := range c.Keys(first) {
			if !c.Has(lang, k) {
				t.Errorf("%s has %q, %s does not", first, k, lang)
			}
		}
		for _, k := range c.Keys(lang) {
			if !c.Has(first, k) {
				t.Errorf("%s has %q, %s does not", lang, k, first)
			}
		}
	}
	for _, lang := range i18n.Languages {
		for _, k := range c.Keys(lang) {
			msg := c[lang][k]
			if strings.TrimSpace(msg) == "" {
				t.Errorf("%s %q is empty", lang, k)
			}
			// The same placeholders in every language, or a translation
			// drops a link from a mail.
			want := placeholders(placeholder, c[first][k])
			if got := placeholders(placeholder, msg); got != want {
				t.Errorf("%q: %s has placeholders %s, %s has %s", k, lang, got, first, want)
			}
		}
	}
}

func placeholders(re *regexp.Regexp, msg string) string {
	p := re.FindAllString(msg, -1)
	sort.Strings(p)
	return strings.Join(slices.Compact(p), " ")
}

// usedKeys collects message keys with where they are used.
type usedKeys map[string][]string

func (u usedKeys) add(key, where string) { u[key] = append(u[key], where) }

func (u usedKeys) check(t *testing.T, c i18n.Catalogue) {
	t.Helper()
	keys := make([]string, 0, len(u))
	for k := range u {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, lang := range i18n.Languages {
			if !c.Has(lang, k) {
				t.Errorf("%s lacks %q (used in %s)", lang, k, strings.Join(u[k], ", "))
			}
		}
	}
}

// Every key the templates translate exists.
func TestTemplateKeysExist(t *testing.T) {
	pages, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	used := usedKeys{}
	prefixes := map[string]string{} // dynamic keys: prefix -> where
	for name, page := range pages {
		for _, tmpl := range page.Templates() {
			if tmpl.Tree == nil {
				continue
			}
			where := name + ":" + tmpl.Name()
			walkTemplate(tmpl.Tree.Root, func(cmd *parse.CommandNode) {
				method := methodName(cmd.Args[0])
				arg := func(i int) (string, bool) {
					if i >= len(cmd.Args) {
						return "", false
					}
					s, ok := cmd.Args[i].(*parse.StringNode)
					if !ok {
						return "", false
					}
					return s.Text, true
				}
				switch method {
				case "T":
					if k, ok := arg(1); ok {
						used.add(k, where)
					} else if len(cmd.Args) > 1 {
						if p, ok := printPrefix(cmd.Args[1]); ok {
							prefixes[p] = where
						} else if f, ok := cmd.Args[1].(*parse.FieldNode); ok && f.Ident[len(f.Ident)-1] == "Key" {
							// Menu entries: their keys are in the Go
							// code, which TestGoKeysExist reads.
						} else {
							t.Errorf("%s: .T with a key this test cannot read: %s", where, cmd)
						}
					}
				case "N":
					if k, ok := arg(1); ok {
						used.add(k+".one", where)
						used.add(k+".other", where)
					}
				case "Input", "Optional":
					// name, type, label key, autocomplete, hint key
					if k, ok := arg(3); ok {
						used.add(k, where)
					}
					if k, ok := arg(5); ok && k != "" {
						used.add(k, where)
					}
				case "Area", "RequiredArea":
					// name, label key, hint key, rows, lang
					if k, ok := arg(2); ok {
						used.add(k, where)
					}
					if k, ok := arg(3); ok && k != "" {
						used.add(k, where)
					}
				case "Radios":
					// name, prefix of the legend's and options' keys, values
					if p, ok := arg(2); ok {
						used.add(p+"legend", where)
						prefixes[p] = where
					}
				case "Choice", "RequiredChoice":
					// name, label key, prefix of the options' keys, values
					if k, ok := arg(2); ok {
						used.add(k, where)
					}
					if p, ok := arg(3); ok {
						prefixes[p] = where
					}
				}
			})
		}
	}
	if len(used) < 50 {
		t.Fatalf("found only %d keys in the templates; the walk is broken", len(used))
	}
	c := i18n.MustLoad()
	used.check(t, c)
	// The codes behind each dynamic prefix.
	dynamic := map[string][]string{
		"atlas.sector.":               atlas.Sectors,
		"atlas.district.":             atlas.Districts,
		"atlas.legal_form.":           atlas.LegalForms,
		"atlas.kind.":                 atlas.ExchangeKinds,
		"atlas.size.":                 atlas.SizeBands,
		"atlas.reason.":               atlas.ReportReasons,
		"atlas.revision.":             {atlas.RevisionPending, atlas.RevisionAccepted, atlas.RevisionRejected},
		"atlas.order.":                {atlas.OrderRelevance, atlas.OrderName, atlas.OrderNewest, atlas.OrderDistance},
		"atlas.field.":                {"needs", "offers"},
		"atlas.form.":                 {"needs_hint", "offers_hint", "needs_row", "offers_row"},
		"assess.status.":              {string(assess.Draft), string(assess.InReview), string(assess.Published)},
		"assess.gate.":                {assess.GatePass, assess.GateFail, assess.GateUnknown},
		"assess.gate_result.":         {assess.GatePass, assess.GateFail, assess.GateUnknown},
		"assess.kind.":                assess.SubjectKinds,
		"assess.confidence.":          assess.Confidences,
		"assess.check.":               assess.Checks,
		"assess.compare.line":         {"0", "1", "2", "3"},
		"toolbox.category.":           toolbox.Categories,
		"toolbox.category_short.":     toolbox.Categories,
		"toolbox.kind.":               toolbox.Kinds,
		"toolbox.governance.":         toolbox.Governances,
		"toolbox.group.":              toolbox.Groups,
		"toolbox.use.":                toolbox.Uses,
		"toolbox.trait.":              toolbox.Traits,
		"toolbox.yesno.":              {"yes", "no"},
		"toolbox.membership.":         {"yes", "no"},
		"toolbox.severity.":           {"1", "2", "3"},
		"toolbox.effort.":             {"1", "2", "3"},
		"toolbox.risk_kind.":          {"privacy", "gdpr", "continuity", "dependence", "reach"},
		"toolbox.risk.":               toolbox.RiskIDs,
		"toolbox.report.level.":       {"none", "partial", "full"},
		"toolbox.step.":               {"close_link", "backups", "second_maintainer", "close_link.how", "backups.how", "second_maintainer.how"},
		"toolbox.samen.":              samenParts(),
		"toolbox.scan.member_data.":   toolbox.MemberDataPlaces,
		"toolbox.scan.access.":        toolbox.AccessLevels,
		"toolbox.scan.backups.":       toolbox.BackupStates,
		"toolbox.advisor.size.":       toolbox.Sizes,
		"toolbox.advisor.skills.":     toolbox.Skills,
		"toolbox.advisor.budget.":     toolbox.Budgets,
		"workspace.circle.":           wsStrings(workspace.Circles),
		"workspace.circle_about.":     wsStrings(workspace.Circles),
		"workspace.move.":             append(wsStrings(workspace.Circles), "legend"),
		"workspace.visibility.":       wsStrings(workspace.Visibilities),
		"workspace.role.":             wsStrings(workspace.Roles),
		"workspace.role_about.":       wsStrings(workspace.Roles),
		"workspace.settings.field.":   workspace.StandardFields,
		"workspace.field_type.":       append(wsStrings(workspace.FieldTypes), "legend"),
		"workspace.status.":           append(wsStrings(workspace.Statuses), "legend"),
		"workspace.kind.":             {"deposit", "withdrawal", "transfer", "fee", "reversal", "legend"},
		"workspace.account.":          {"capital", "fees"},
		"workspace.fees.payers.":      append(wsStrings(workspace.Circles), "legend"),
		"workspace.announcements.to.": wsStrings(workspace.Visibilities),
		"workspace.channels.kind.":    append(wsStrings(workspace.ChannelKinds), "legend"),
		"workspace.channels.about.":   wsStrings(workspace.ChannelKinds),
		// Participatory budgets (decide_budget*.go).
		"budget.phase.":          wsStrings(decide.Phases),
		"budget.phase_about.":    wsStrings(decide.Phases),
		"budget.advance.":        {string(decide.Proposals), string(decide.Review), string(decide.Balloting)},
		"budget.advance_button.": {string(decide.Proposals), string(decide.Review), string(decide.Balloting)},
		"budget.state.":          {"proposed", "accepted", "rejected"},
		"budget.kind.":           {decide.Knapsack, decide.ApprovalBallot},
		"budget.kind_about.":     {decide.Knapsack, decide.ApprovalBallot},
		"budget.rule.":           decide.Rules,
		"budget.rule_about.":     decide.Rules,
		"budget.form.language.":  {"nl", "en"},
		// Decisions (decide_pages.go, decide_decision.go).
		"decide.state.":           wsStrings([]decide.State{decide.Draft, decide.Discussion, decide.Voting, decide.Closed}),
		"decide.method.":          wsStrings(decide.Methods),
		"decide.method_rule.":     wsStrings(decide.Methods),
		"decide.secrecy.":         wsStrings(decide.Secrecies),
		"decide.secrecy_about.":   wsStrings(decide.Secrecies),
		"decide.threshold.":       decide.Thresholds,
		"decide.threshold_rule.":  decide.Thresholds,
		"decide.position.":        append(slices.Clone(decide.ConsentPositions), "yes", "no"),
		"decide.position_about.":  decide.ConsentPositions,
		"decide.answer.":          decide.PollAnswers,
		"decide.amendment.state.": {"open", "accepted", "declined"},
		"decide.form.language.":   {"nl", "en"},
		// Funding (fund_pages.go).
		"fund.state.":          wsStrings(fund.CampaignStates),
		"fund.method.":         wsStrings(fund.AllMethods),
		"fund.receipt.status.": wsStrings(fund.Statuses),
		"fund.kind.":           fund.Kinds,
		"fund.account.":        fund.AccountKinds,
		"expense.state.":       wsStrings(fund.ExpenseStates),
		"expense.group.":       wsStrings(fund.ExpenseStates),
		"fund.form.language.":  {"nl", "en"},
		"bank.state.":          fund.BankLineStates,
		"fund.form.rule.":      {"all_or_nothing", "keep"},
	}
	for _, p := range atlas.Principles {
		dynamic["atlas.principle."] = append(dynamic["atlas.principle."], p, p+".explain")
	}
	for p, where := range prefixes {
		switch p {
		case "role.":
			for _, r := range account.Roles {
				used.add("role."+string(r), where)
			}
		default:
			if codes, ok := dynamic[p]; ok {
				for _, c := range codes {
					used.add(p+c, where)
				}
				continue
			}
			t.Errorf("%s: dynamic key with prefix %q; teach this test which keys it can make", where, p)
		}
	}
	used.check(t, c)
}

// wsStrings spells a workspace list (circles, roles) as the strings the
// templates put after a prefix.
func wsStrings[T ~string](list []T) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = string(v)
	}
	return out
}

// methodName returns M for .M, $.M and $x.M; "" for anything else.
func methodName(n parse.Node) string {
	switch x := n.(type) {
	case *parse.FieldNode:
		return x.Ident[len(x.Ident)-1]
	case *parse.VariableNode:
		if len(x.Ident) > 1 {
			return x.Ident[len(x.Ident)-1]
		}
	}
	return ""
}

// printPrefix recognises (print "prefix." .Something).
func printPrefix(n parse.Node) (string, bool) {
	p, ok := n.(*parse.PipeNode)
	if !ok || len(p.Cmds) != 1 || len(p.Cmds[0].Args) < 2 {
		return "", false
	}
	fn, ok := p.Cmds[0].Args[0].(*parse.IdentifierNode)
	if !ok || fn.Ident != "print" {
		return "", false
	}
	s, ok := p.Cmds[0].Args[1].(*parse.StringNode)
	if !ok {
		return "", false
	}
	return s.Text, true
}

func samenParts() []string {
	var out []string
	for _, p := range toolbox.SamenParts {
		out = append(out, p.ID)
	}
	return out
}

func walkTemplate(n parse.Node, fn func(*parse.CommandNode)) {
	switch x := n.(type) {
	case *parse.ListNode:
		if x == nil {
			return
		}
		for _, c := range x.Nodes {
			walkTemplate(c, fn)
		}
	case *parse.ActionNode:
		walkTemplate(x.Pipe, fn)
	case *parse.PipeNode:
		if x == nil {
			return
		}
		for _, c := range x.Cmds {
			walkTemplate(c, fn)
		}
	case *parse.CommandNode:
		fn(x)
		for _, a := range x.Args {
			walkTemplate(a, fn)
		}
	case *parse.IfNode:
		walkBranch(&x.BranchNode, fn)
	case *parse.RangeNode:
		walkBranch(&x.BranchNode, fn)
	case *parse.WithNode:
		walkBranch(&x.BranchNode, fn)
	case *parse.TemplateNode:
		walkTemplate(x.Pipe, fn)
	}
}

func walkBranch(b *parse.BranchNode, fn func(*parse.CommandNode)) {
	walkTemplate(b.Pipe, fn)
	walkTemplate(b.List, fn)
	walkTemplate(b.ElseList, fn)
}

// goFiles parses the non-test Go files under dir.
func goFiles(t *testing.T, dir string) (*token.FileSet, map[string]*ast.File) {
	t.Helper()
	fset := token.NewFileSet()
	files := map[string]*ast.File{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files[path] = f
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fset, files
}

func stringLit(e ast.Expr) (string, bool) {
	b, ok := e.(*ast.BasicLit)
	if !ok || b.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(b.Value)
	return s, err == nil
}

// isSel reports whether e is pkg.name.
func isSel(e ast.Expr, pkg, name string) bool {
	s, ok := e.(*ast.SelectorExpr)
	if !ok || s.Sel.Name != name {
		return false
	}
	id, ok := s.X.(*ast.Ident)
	return ok && id.Name == pkg
}

// Every key the web package's Go code translates exists: page titles,
// notices sent through redirects, menu entries and mails.
func TestGoKeysExist(t *testing.T) {
	fset, files := goFiles(t, ".")
	used := usedKeys{}
	notice := regexp.MustCompile(`[?&]notice=([a-z_]+)`)
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			where := func() string { return fset.Position(n.Pos()).String() }
			switch x := n.(type) {
			case *ast.CallExpr:
				sel, ok := x.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				switch sel.Sel.Name {
				case "newPage": // s.newPage(r, "title.key")
					if len(x.Args) == 2 {
						if k, ok := stringLit(x.Args[1]); ok {
							used.add(k, where())
						}
					}
				case "T", "N": // s.msgs.T(lang, "key", …), p.T("key")
					for _, a := range x.Args[:min(2, len(x.Args))] {
						if k, ok := stringLit(a); ok && strings.Contains(k, ".") && !strings.HasSuffix(k, ".") {
							if sel.Sel.Name == "N" {
								used.add(k+".one", where())
								used.add(k+".other", where())
							} else {
								used.add(k, where())
							}
						}
					}
				case "redirectNotice": // redirectNotice(w, r, path, "notice")
					if len(x.Args) == 4 {
						if k, ok := stringLit(x.Args[3]); ok {
							used.add("notice."+k, where())
						}
					}
				case "write": // letters: l.write(u, "verify", …)
					if len(x.Args) >= 2 {
						if k, ok := stringLit(x.Args[1]); ok {
							used.add("mail."+k+".subject", where())
							used.add("mail."+k+".body", where())
						}
					}
				}
			case *ast.AssignStmt: // p.TitleKey = "key"; notice = "saved"
				for i, l := range x.Lhs {
					if id, ok := l.(*ast.Ident); ok && id.Name == "notice" && len(x.Rhs) == len(x.Lhs) {
						if k, ok := stringLit(x.Rhs[i]); ok {
							used.add("notice."+k, where())
						}
					}
					if s, ok := l.(*ast.SelectorExpr); ok && s.Sel.Name == "TitleKey" && i < len(x.Rhs) {
						if k, ok := stringLit(x.Rhs[i]); ok {
							used.add(k, where())
						}
					}
				}
			case *ast.KeyValueExpr: // navItem{Key: "nav.home"}, page{TitleKey: …}
				if id, ok := x.Key.(*ast.Ident); ok && (id.Name == "Key" || id.Name == "TitleKey") {
					if k, ok := stringLit(x.Value); ok {
						used.add(k, where())
					}
				}
			case *ast.BasicLit:
				if s, ok := stringLit(x); ok {
					for _, m := range notice.FindAllStringSubmatch(s, -1) {
						used.add("notice."+m[1], where())
					}
				}
			}
			return true
		})
	}
	for _, k := range []string{"home.title", "signup.title", "notice.verified", "mail.verify.subject", "nav.home"} {
		if _, ok := used[k]; !ok {
			t.Errorf("the scan missed %q; it is broken", k)
		}
	}
	used.check(t, i18n.MustLoad())
}

// codeRE is the shape of a problem or field code: "token.invalid".
var codeRE = regexp.MustCompile(`^[a-z_]+(\.[a-z_]+)*$`)

// Every problem code a package under internal/ can return has an error.
// message, and every field code a field. message: the web layer shows
// whatever comes up, and a missing message shows as a bare code.
func TestProblemCodesHaveMessages(t *testing.T) {
	fset, files := goFiles(t, "..")
	used := usedKeys{}
	inProblem := false
	errCode := func(e ast.Expr, where string) {
		if k, ok := stringLit(e); ok {
			used.add("error."+k, where)
		} else if !inProblem { // problem.New itself passes its argument on

			t.Errorf("%s: a problem code that is not a literal; this test cannot check it", where)
		}
	}
	fieldCode := func(e ast.Expr, where string) {
		// A code passed on from elsewhere (p.Fields["name"]) was checked
		// where it was made.
		if k, ok := stringLit(e); ok {
			used.add("field."+k, where)
		}
	}
	fieldMap := func(c *ast.CompositeLit, where string) {
		for _, el := range c.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				fieldCode(kv.Value, where)
			}
		}
	}
	isProblemType := func(e ast.Expr, name string, inProblem bool) bool {
		if id, ok := e.(*ast.Ident); ok && inProblem {
			return id.Name == name
		}
		return isSel(e, "problem", name)
	}
	for _, f := range files {
		inProblem = f.Name.Name == "problem"
		importsProblem := inProblem
		for _, imp := range f.Imports {
			if imp.Path.Value == `"samen/internal/problem"` {
				importsProblem = true
			}
		}
		if !importsProblem {
			continue
		}
		var funcs []*ast.FuncType // enclosing functions, innermost last
		var visit func(n ast.Node) bool
		visit = func(n ast.Node) bool {
			if n == nil {
				return false
			}
			where := fset.Position(n.Pos()).String()
			switch x := n.(type) {
			case *ast.FuncDecl:
				funcs = append(funcs, x.Type)
				if x.Body != nil {
					ast.Inspect(x.Body, visit)
				}
				funcs = funcs[:len(funcs)-1]
				return false
			case *ast.FuncLit:
				funcs = append(funcs, x.Type)
				ast.Inspect(x.Body, visit)
				funcs = funcs[:len(funcs)-1]
				return false
			case *ast.CallExpr:
				// problem.New(kind, "code")
				if (isSel(x.Fun, "problem", "New") || (inProblem && isIdent(x.Fun, "New"))) && len(x.Args) == 2 {
					errCode(x.Args[1], where)
				}
				// fields.Add("field", "code")
				if sel, ok := x.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Add" && len(x.Args) == 2 {
					if k, ok := stringLit(x.Args[1]); ok && codeRE.MatchString(k) {
						used.add("field."+k, where)
					}
				}
			case *ast.CompositeLit:
				switch {
				case isProblemType(x.Type, "Fields", inProblem):
					fieldMap(x, where)
				case isProblemType(x.Type, "Error", inProblem):
					for _, el := range x.Elts {
						kv, ok := el.(*ast.KeyValueExpr)
						if !ok {
							continue
						}
						key, _ := kv.Key.(*ast.Ident)
						switch {
						case key == nil:
						case key.Name == "Code":
							errCode(kv.Value, where)
						case key.Name == "Fields":
							if m, ok := kv.Value.(*ast.CompositeLit); ok {
								fieldMap(m, where)
							}
						}
					}
				}
			case *ast.ReturnStmt:
				// Checks that return a field code as their last string
				// result: NormalizeEmail, CheckPassword, checkName.
				if len(funcs) == 0 || len(x.Results) == 0 {
					return true
				}
				ft := funcs[len(funcs)-1]
				if ft.Results == nil || len(ft.Results.List) == 0 {
					return true
				}
				last := ft.Results.List[len(ft.Results.List)-1].Type
				if id, ok := last.(*ast.Ident); ok && id.Name == "string" {
					if k, ok := stringLit(x.Results[len(x.Results)-1]); ok && codeRE.MatchString(k) && strings.Contains(k, ".") {
						used.add("field."+k, where)
					}
				}
			}
			return true
		}
		ast.Inspect(f, visit)
	}
	// The scan must see what is certainly there.
	for _, k := range []string{"error.validation", "error.login.credentials", "error.token.invalid", "error.csrf.origin",
		"field.email.required", "field.password.too_short", "field.name.invalid", "field.json.unknown_field", "field.role.unknown"} {
		if _, ok := used[k]; !ok {
			t.Errorf("the scan missed %q; it is broken", k)
		}
	}
	used.check(t, i18n.MustLoad())
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}
