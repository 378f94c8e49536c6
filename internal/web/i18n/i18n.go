// Package i18n holds samen's message catalogues and picks a reader's language.
// Messages are keyed by stable codes (the same codes domain packages return
// in errors). Each language has a folder with one flat file per part of
// samen (nl/atlas.json, en/atlas.json, …; site.json for the words every
// part shares: fields, errors, navigation), so a part's words are found by
// its name and a translator works file by file.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/language"
)

//go:embed */*.json
var files embed.FS

// Languages samen speaks, the first being the fallback: samen starts in
// Amsterdam, and Dutch is what most of its people read.
var Languages = []string{"nl", "en"}

// Names gives each language's name in that language, for the switch.
var Names = map[string]string{"nl": "Nederlands", "en": "English"}

var matcher = language.NewMatcher([]language.Tag{language.Dutch, language.English})

// Catalogue maps language -> key -> message.
type Catalogue map[string]map[string]string

// Load reads the embedded catalogues: every file in each language's folder,
// merged. A key in two files of one language is an error, so that no file
// silently overrides another.
func Load() (Catalogue, error) {
	c := Catalogue{}
	for _, l := range Languages {
		names, err := Files(l)
		if err != nil {
			return nil, err
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("no catalogue for %s", l)
		}
		all := map[string]string{}
		from := map[string]string{}
		for _, name := range names {
			m, err := File(l, name)
			if err != nil {
				return nil, fmt.Errorf("%s/%s: %w", l, name, err)
			}
			for k, v := range m {
				if other, twice := from[k]; twice {
					return nil, fmt.Errorf("%s/%s: %q is also in %s", l, name, k, other)
				}
				all[k], from[k] = v, name
			}
		}
		c[l] = all
	}
	return c, nil
}

// Files lists the catalogue files of a language ("atlas.json", …).
func Files(lang string) ([]string, error) {
	names, err := fs.Glob(files, lang+"/*.json")
	for i, n := range names {
		names[i] = path.Base(n)
	}
	return names, err
}

// File reads the keys of one catalogue file of a language.
func File(lang, name string) (map[string]string, error) {
	b, err := files.ReadFile(lang + "/" + name)
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	return m, json.Unmarshal(b, &m)
}

// MustLoad is Load for program start, where a broken catalogue is a bug.
func MustLoad() Catalogue {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// Supported returns l when samen speaks it, else "".
func Supported(l string) string {
	for _, x := range Languages {
		if x == l {
			return l
		}
	}
	return ""
}

// Match picks the best language for an Accept-Language header.
func Match(acceptLanguage string) string {
	if len(acceptLanguage) > 500 {
		acceptLanguage = acceptLanguage[:500]
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Languages[0]
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return Languages[0]
	}
	return Languages[i]
}

// T returns the message for key in lang, with {name} placeholders filled from
// args given as name, value pairs. A key missing in lang falls back to the
// other language, then to the key itself, so a gap shows up on the page
// instead of breaking it (and a test keeps the catalogues complete).
func (c Catalogue) T(lang, key string, args ...any) string {
	msg, ok := c[lang][key]
	if !ok {
		for _, l := range Languages {
			if m, ok := c[l][key]; ok {
				msg = m
				break
			}
		}
		if msg == "" {
			msg = key
		}
	}
	if len(args) < 2 || !strings.Contains(msg, "{") {
		return msg
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		pairs = append(pairs, "{"+fmt.Sprint(args[i])+"}", fmt.Sprint(args[i+1]))
	}
	return strings.NewReplacer(pairs...).Replace(msg)
}

// N returns the plural form of key for count n: key.one or key.other, with
// {n} filled in. Dutch and English share these two forms.
func (c Catalogue) N(lang, key string, n int, args ...any) string {
	form := ".other"
	if n == 1 {
		form = ".one"
	}
	return c.T(lang, key+form, append([]any{"n", strconv.Itoa(n)}, args...)...)
}

// Has reports whether key exists in lang.
func (c Catalogue) Has(lang, key string) bool {
	_, ok := c[lang][key]
	return ok
}

// Keys returns the sorted keys of lang.
func (c Catalogue) Keys(lang string) []string {
	keys := make([]string, 0, len(c[lang]))
	for k := range c[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
