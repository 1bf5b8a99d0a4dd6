package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// updateGolden reports whether the test ran with -update. The flag is
// declared once for the package, by the CLI golden tests; without it,
// golden files are only compared.
func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// TestPolicyValidateGolden: `policy validate` reports every error and
// every warning of a document, each located, then a summary.
func TestPolicyValidateGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		args   []string
		golden string
	}{
		{"several errors and warnings", []string{"validate", "--kind", "endpoint", pol("validate-many.json")}, "validate-many.golden"},
		{"warnings only, --strict", []string{"validate", "--kind", "bucket", "--strict", pol("sourceip-bucket.json")}, "sourceip-bucket-strict.golden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runPolicy(t.Context(), tt.args, &stdout, &stderr)
			// The golden files name the policy as the user would: by its
			// path from the repository root.
			root := filepath.Join("..", "..") + string(filepath.Separator)
			got := fmt.Sprintf("$ s3vpce policy %s\nexit status %d\n--- stdout\n%s--- stderr\n%s",
				strings.ReplaceAll(strings.Join(tt.args, " "), root, ""), code, stdout.String(), stderr.String())
			got = strings.ReplaceAll(got, root, "")
			golden := pol(tt.golden)
			if updateGolden() {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s (go test -update to rewrite):\n%s", golden, got)
			}
		})
	}
}
