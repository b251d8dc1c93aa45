package config

import (
	"os"
	"testing"
)

// FuzzParse checks that Parse never panics and that what it accepts it
// accepts again (the walk keeps no state between files).
func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile(examplePath); err == nil {
		f.Add(b)
	}
	for _, s := range []string{
		"",
		"pools: []\n",
		"pools:\n  - name: demo\n",
		"pools:\n  - name: demo\n    id: us-east-1_Demo00001\n    clients:\n      - name: web\n        callback_urls: [http://localhost/cb]\n        access_token_validity: 1d12h\n",
		"pools:\n  - &p {name: x}\n  - <<: *p\n",
		"pools:\n  - name: demo\n    users:\n      - {username: a, password: Passw0rd!, attributes: {phone_number: +15550100}}\n",
		"pools: [{name: d, schema: [{name: n, attribute_data_type: Number, number_attribute_constraints: {min_value: 1, max_value: 0}}]}]\n",
		"a: &a [*a]\n",
		"pools: !!binary aGVsbG8=\n",
		"--- \n...\n---\n",
		"pools:\n  - name: demo\n\tclients: []\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data)
		if err != nil {
			if err.Error() == "" {
				t.Error("empty error message")
			}
			return
		}
		if _, err := Parse(data); err != nil {
			t.Errorf("accepted once, refused twice: %v", err)
		}
		_ = file
	})
}
