package config

import (
	"encoding"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Error is a refused file: where, and why, in one sentence.
type Error struct {
	// File is the path given to Load; empty for Parse.
	File string
	// Line is 1-based; 0 when the error has no place in the file.
	Line int
	// Path names the field: pools[0].clients[1].callback_urls[0].
	Path string
	Msg  string
	// Err is the directory's or the store's error behind Msg, if any.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.File != "" && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", e.File, e.Line)
	case e.File != "":
		b.WriteString(e.File + ": ")
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// maxNodes bounds the values a file may hold once aliases are expanded, so
// that a few lines of nested aliases cannot make the walk take forever.
const maxNodes = 100_000

// decoder walks a yaml.Node tree into Go values strictly, recording the
// line of every path it visits.
type decoder struct {
	lines map[string]int
	nodes int
}

// decodeFile reads exactly one YAML document of data into v.
func decodeFile(data []byte, v any) (lines map[string]int, err error) {
	var root yaml.Node
	// Decoder.KnownFields would be moot here: the tree is walked by hand
	// below, and the walk refuses unknown fields itself.
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{Msg: "the file is empty"}
		}
		return nil, syntaxError(err)
	}
	var second yaml.Node
	if err := dec.Decode(&second); !errors.Is(err, io.EOF) {
		line := second.Line
		if err != nil {
			return nil, syntaxError(err)
		}
		return nil, &Error{Line: line, Msg: "the file must hold one YAML document, not several"}
	}
	d := &decoder{lines: map[string]int{}}
	n := &root
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil, &Error{Msg: "the file is empty"}
		}
		n = n.Content[0]
	}
	if err := d.decode(n, reflect.ValueOf(v).Elem(), ""); err != nil {
		return nil, err
	}
	return d.lines, nil
}

// syntaxError turns yaml.v3's "yaml: line 3: did not find expected key"
// into an Error with the line.
func syntaxError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, after, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil {
				line, msg = n, after
			}
		}
	}
	return &Error{Line: line, Msg: "not valid YAML: " + msg, Err: err}
}

func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) error {
	return &Error{Line: n.Line, Path: path, Msg: fmt.Sprintf(format, args...)}
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) error {
	if d.nodes++; d.nodes > maxNodes {
		return d.fail(n, path, "the file is too large: more than %d values once aliases are expanded", maxNodes)
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return d.fail(n, path, "unknown alias")
		}
		line := n.Line
		n = n.Alias
		if _, seen := d.lines[path]; !seen {
			d.lines[path] = line
		}
	}
	if _, seen := d.lines[path]; !seen {
		d.lines[path] = n.Line
	}
	null := n.Kind == yaml.ScalarNode && n.Tag == "!!null"

	if v.Kind() == reflect.Pointer {
		if null {
			v.SetZero()
			return nil
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return d.decode(n, v.Elem(), path)
	}
	if v.CanAddr() && v.Addr().Type().Implements(textUnmarshaler) {
		if n.Kind != yaml.ScalarNode || null {
			return d.fail(n, path, "must be a single value")
		}
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(n.Value)); err != nil {
			return d.fail(n, path, "%s", err)
		}
		return nil
	}

	switch v.Kind() {
	case reflect.Struct:
		if null {
			return nil
		}
		if n.Kind != yaml.MappingNode {
			return d.fail(n, path, "must be a mapping of fields, not %s", describe(n))
		}
		fields := yamlFields(v.Type())
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				return d.fail(k, path, "field names must be plain words")
			}
			fpath := join(path, k.Value)
			if k.Value == "<<" {
				return d.fail(k, fpath, "merge keys (<<) are not supported; repeat the fields or use an alias for a whole value")
			}
			idx, ok := fields[k.Value]
			if !ok {
				return d.fail(k, fpath, "unknown field %q%s", k.Value, suggest(k.Value, fields))
			}
			if seen[k.Value] {
				return d.fail(k, fpath, "field %q is given twice", k.Value)
			}
			seen[k.Value] = true
			d.lines[fpath] = k.Line
			if err := d.decode(val, v.Field(idx), fpath); err != nil {
				return err
			}
		}
		return nil

	case reflect.Slice:
		if null {
			v.SetZero()
			return nil
		}
		if n.Kind != yaml.SequenceNode {
			return d.fail(n, path, "must be a list, not %s", describe(n))
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			if err := d.decode(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		v.Set(s)
		return nil

	case reflect.Map:
		if null {
			v.SetZero()
			return nil
		}
		if n.Kind != yaml.MappingNode {
			return d.fail(n, path, "must be a mapping, not %s", describe(n))
		}
		if v.Type().Key().Kind() != reflect.String {
			return d.fail(n, path, "internal error: map keys must be strings")
		}
		m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode || k.Tag == "!!null" {
				return d.fail(k, path, "keys must be plain words")
			}
			kpath := join(path, k.Value)
			key := reflect.ValueOf(k.Value).Convert(v.Type().Key())
			if m.MapIndex(key).IsValid() {
				return d.fail(k, kpath, "key %q is given twice", k.Value)
			}
			d.lines[kpath] = k.Line
			elem := reflect.New(v.Type().Elem()).Elem()
			if err := d.decode(val, elem, kpath); err != nil {
				return err
			}
			m.SetMapIndex(key, elem)
		}
		v.Set(m)
		return nil

	case reflect.String:
		if null {
			v.SetString("")
			return nil
		}
		if n.Kind != yaml.ScalarNode {
			return d.fail(n, path, "must be a single value, not %s", describe(n))
		}
		// The scalar's text as written: a phone number (+15550100) or a
		// "true" stays as typed rather than going through a YAML int or bool.
		v.SetString(n.Value)
		return nil

	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || null {
			return d.fail(n, path, "must be true or false, not %s", describe(n))
		}
		switch n.Value {
		case "true", "True", "TRUE":
			v.SetBool(true)
		case "false", "False", "FALSE":
			v.SetBool(false)
		default:
			return d.fail(n, path, "%q is not true or false", n.Value)
		}
		return nil

	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if n.Kind != yaml.ScalarNode || null {
			return d.fail(n, path, "must be a whole number, not %s", describe(n))
		}
		i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 10, v.Type().Bits())
		if err != nil {
			return d.fail(n, path, "%q is not a whole number", n.Value)
		}
		v.SetInt(i)
		return nil
	}
	return d.fail(n, path, "internal error: cannot decode into %s", v.Type())
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return strconv.Quote(n.Value)
	}
	return "this value"
}

// yamlFields maps a struct's yaml tag names to field indexes.
func yamlFields(t reflect.Type) map[string]int {
	out := map[string]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		out[name] = i
	}
	return out
}

// suggest names a known field close to an unknown one (a typo or a
// Cognito-cased name), as ", did you mean \"callback_urls\"?".
func suggest(name string, fields map[string]int) string {
	norm := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, "_", "")) }
	best, bestDist := "", 3
	for f := range fields {
		if norm(f) == norm(name) {
			return fmt.Sprintf(", did you mean %q?", f)
		}
		if dist := levenshtein(name, f); dist < bestDist || dist == bestDist && best != "" && f < best {
			best, bestDist = f, dist
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(", did you mean %q?", best)
}

func levenshtein(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 30
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
