package hdrcheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNonCanonical(t *testing.T) {
	dir := t.TempDir()
	src := `package p

const (
	good = "X-Amz-Copy-Source"
	lower = "x-amz-request-id"
)

func get(h map[string][]string, k string) string { return "" }

var names = []string{"Whatever"}

var (
	_ = get(nil, good)
	_ = get(nil, lower)
	_ = get(nil, "Content-Md5")
	_ = get(nil, "Content-MD5")
	_ = get(nil, names[0])
)
`
	if err := os.WriteFile(filepath.Join(dir, "p.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	// A test file is not checked.
	if err := os.WriteFile(filepath.Join(dir, "p_test.go"), []byte("package p\nvar _ = get(nil, \"origin\")\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad, checked, err := NonCanonical(dir, 1, "get", "other")
	if err != nil {
		t.Fatal(err)
	}
	if checked != 4 {
		t.Errorf("checked %d calls, want 4 (the literals and constants)", checked)
	}
	if len(bad) != 2 || !strings.Contains(bad[0], `"x-amz-request-id"`) || !strings.Contains(bad[1], `"Content-MD5"`) {
		t.Errorf("bad = %q, want the lower-case constant and Content-MD5", bad)
	}
}
