package storagetest

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// wantEqual fails t if got and want differ; see diff for the rules.
func wantEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if d := diff(got, want); d != "" {
		t.Fatalf("%s differs:\n%s", what, d)
	}
}

// diff reports every field where got and want differ, one per line.
// Times compare with Equal; nil and empty slices and maps are equal.
func diff(got, want any) string {
	var out []string
	walk(&out, "", reflect.ValueOf(got), reflect.ValueOf(want))
	return strings.Join(out, "\n")
}

var (
	timeType  = reflect.TypeFor[time.Time]()
	bytesType = reflect.TypeFor[[]byte]()
)

func walk(out *[]string, path string, g, w reflect.Value) {
	add := func(format string, args ...any) {
		p := path
		if p == "" {
			p = "value"
		}
		*out = append(*out, p+": "+fmt.Sprintf(format, args...))
	}
	if !g.IsValid() || !w.IsValid() {
		if g.IsValid() != w.IsValid() {
			add("got %v, want %v", g, w)
		}
		return
	}
	if g.Type() != w.Type() {
		add("type %s, want %s", g.Type(), w.Type())
		return
	}
	switch {
	case g.Type() == timeType:
		gt, wt := g.Interface().(time.Time), w.Interface().(time.Time)
		if !gt.Equal(wt) {
			add("got %s, want %s", gt.Format(time.RFC3339Nano), wt.Format(time.RFC3339Nano))
		}
		return
	case g.Type() == bytesType:
		if !bytes.Equal(g.Bytes(), w.Bytes()) {
			add("got %q, want %q", g.Bytes(), w.Bytes())
		}
		return
	}
	switch g.Kind() {
	case reflect.Pointer, reflect.Interface:
		if g.IsNil() || w.IsNil() {
			if g.IsNil() != w.IsNil() {
				add("got nil=%v, want nil=%v", g.IsNil(), w.IsNil())
			}
			return
		}
		walk(out, path, g.Elem(), w.Elem())
	case reflect.Struct:
		for i := range g.NumField() {
			walk(out, path+"."+g.Type().Field(i).Name, g.Field(i), w.Field(i))
		}
	case reflect.Slice, reflect.Array:
		if g.Len() != w.Len() {
			add("got %d elements %v, want %d %v", g.Len(), g, w.Len(), w)
			return
		}
		for i := range g.Len() {
			walk(out, fmt.Sprintf("%s[%d]", path, i), g.Index(i), w.Index(i))
		}
	case reflect.Map:
		if g.Len() != w.Len() {
			add("got %v, want %v", g, w)
			return
		}
		for _, k := range w.MapKeys() {
			gv := g.MapIndex(k)
			if !gv.IsValid() {
				add("key %v missing", k)
				continue
			}
			walk(out, fmt.Sprintf("%s[%v]", path, k), gv, w.MapIndex(k))
		}
	default:
		if !reflect.DeepEqual(g.Interface(), w.Interface()) {
			add("got %#v, want %#v", g.Interface(), w.Interface())
		}
	}
}
