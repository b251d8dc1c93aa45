package ui

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/text/language"
)

// Message catalogs: one JSON file per language under locales/, a flat
// object from message key to text, edited by translators without touching
// Go. A text may hold {name} placeholders that the page fills. A key
// missing from a language falls back to English; TestCatalogs checks that
// every language has every English key with the same placeholders.
//
//go:embed locales/*.json
var localeFiles embed.FS

// locale is one catalog.
type locale struct {
	Tag  string // BCP 47, as in the file name: en, pt-BR, zh-CN
	Name string // the language's own name, for the language links
	msgs map[string]string
}

var (
	locales     []*locale // in the order of the language links
	byTag       = map[string]*locale{}
	english     *locale
	langMatcher language.Matcher
)

// langOrder is the order of the language links; catalogs not listed come
// after, by tag.
var langOrder = []string{"en", "de", "es", "fr", "pt-BR", "ja", "ko", "zh-CN"}

func init() {
	entries, err := localeFiles.ReadDir("locales")
	if err != nil {
		panic("ui: locales: " + err.Error())
	}
	for _, e := range entries {
		raw, err := localeFiles.ReadFile("locales/" + e.Name())
		if err != nil {
			panic("ui: locales: " + err.Error())
		}
		msgs := map[string]string{}
		if err := json.Unmarshal(raw, &msgs); err != nil {
			panic(fmt.Sprintf("ui: locales/%s: %v", e.Name(), err))
		}
		tag := strings.TrimSuffix(e.Name(), path.Ext(e.Name()))
		l := &locale{Tag: tag, Name: msgs["language.name"], msgs: msgs}
		locales = append(locales, l)
		byTag[tag] = l
	}
	english = byTag["en"]
	if english == nil {
		panic("ui: locales/en.json is missing")
	}
	slices.SortFunc(locales, func(a, b *locale) int {
		ia, ib := slices.Index(langOrder, a.Tag), slices.Index(langOrder, b.Tag)
		if ia < 0 {
			ia = len(langOrder)
		}
		if ib < 0 {
			ib = len(langOrder)
		}
		if ia != ib {
			return ia - ib
		}
		return strings.Compare(a.Tag, b.Tag)
	})
	tags := make([]language.Tag, len(locales))
	for i, l := range locales {
		tags[i] = language.MustParse(l.Tag)
	}
	langMatcher = language.NewMatcher(tags)
}

// negotiate picks the page's language: the lang query parameter (as
// Cognito's hosted UI takes it), else Accept-Language, else English.
func negotiate(r *http.Request) *locale {
	if q := r.URL.Query().Get("lang"); q != "" {
		if l := matchLang(q); l != nil {
			return l
		}
	}
	if h := r.Header.Get("Accept-Language"); h != "" {
		if prefs, _, err := language.ParseAcceptLanguage(h); err == nil && len(prefs) > 0 {
			_, i, conf := langMatcher.Match(prefs...)
			if conf != language.No {
				return locales[i]
			}
		}
	}
	return english
}

// matchLang maps a lang parameter to a catalog: an exact tag (any case),
// else the closest (pt → pt-BR, zh-Hans → zh-CN); nil when none is close.
func matchLang(s string) *locale {
	for _, l := range locales {
		if strings.EqualFold(l.Tag, s) {
			return l
		}
	}
	t, err := language.Parse(s)
	if err != nil {
		return nil
	}
	_, i, conf := langMatcher.Match(t)
	if conf < language.High {
		return nil
	}
	return locales[i]
}

var placeholderRe = regexp.MustCompile(`\{[a-z_]+\}`)

// T returns the message for key, placeholders filled from name, value
// pairs; a missing key falls back to English, then to the key itself.
func (l *locale) T(key string, args ...any) string {
	msg, ok := l.msgs[key]
	if !ok || msg == "" {
		if msg, ok = english.msgs[key]; !ok {
			return key
		}
	}
	if len(args) < 2 {
		return msg
	}
	return placeholderRe.ReplaceAllStringFunc(msg, func(ph string) string {
		name := ph[1 : len(ph)-1]
		for i := 0; i+1 < len(args); i += 2 {
			if args[i] == name {
				return fmt.Sprint(args[i+1])
			}
		}
		return ph
	})
}

// has reports whether the catalog (or English) has key.
func (l *locale) has(key string) bool {
	if _, ok := l.msgs[key]; ok {
		return true
	}
	_, ok := english.msgs[key]
	return ok
}
