package static

import (
	"mime"
	"path"
	"testing"
)

// TestContentTypes: every embedded file has a type, the one Go's mime
// package gives its extension.
func TestContentTypes(t *testing.T) {
	if len(byName) == 0 {
		t.Fatal("no embedded files")
	}
	for name, a := range byName {
		if want := mime.TypeByExtension(path.Ext(name)); a.contentType != want {
			t.Errorf("%s: %q, mime says %q (add its extension to contentTypes)", name, a.contentType, want)
		}
	}
}
