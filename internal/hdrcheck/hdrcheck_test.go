package hdrcheck

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lookups is the options of the table tests: get(h, name) is the lookup.
var lookups = Options{Lookups: map[string]int{"get": 1}}

func checkSource(t *testing.T, src string, o Options) (int, []string) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", "package p\n"+src, 0)
	if err != nil {
		t.Fatal(err)
	}
	return CheckFiles(fset, []*ast.File{f}, o)
}

// TestCheckFilesRefuses checks that every way a non-canonical name can
// reach the lookup, and a name the checker cannot resolve, is a problem.
func TestCheckFilesRefuses(t *testing.T) {
	for _, tc := range []struct{ name, src string }{
		{"lower-case literal", `func f(h http.Header) string { return get(h, "x-amz-acl") }`},
		{"constant", `const n = "X-AMZ-ACL"; func f(h http.Header) string { return get(h, n) }`},
		{"concatenation", `const p = "X-Amz-"; func f(h http.Header) string { return get(h, p+"acl") }`},
		{"through a parameter", `func g(h http.Header, n string) string { return get(h, n) }; func f(h http.Header) string { return g(h, "content-md5") }`},
		{"through a closure", `func f(h http.Header) string { g := func(n string) string { return get(h, n) }; return g("etag") }`},
		{"range over a literal", `func f(h http.Header) { for _, k := range []string{"If-Match", "if-none-match"} { _ = get(h, k) } }`},
		{"a method's lookup", `func f(x T) string { return x.get(nil, "origin") }`},
		{"unresolvable", `func f(h http.Header, m map[string]string) string { return get(h, m["x"]) }`},
		{"a package variable", `var n = "Origin"; func f(h http.Header) string { return get(h, n) }`},
		{"another package's canonicaliser", `func f(h http.Header, n string) string { return get(h, strings.CanonicalHeaderKey(n)) }`},
		{"a form Resolve leaves", `func f(h http.Header) string { return get(h, other("origin")) }`},
		{"a lower-case name from Resolve", `func f(h http.Header) string { return get(h, name("referer")) }`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, problems := checkSource(t, tc.src, withName); len(problems) == 0 {
				t.Errorf("no problem reported for %s", tc.src)
			}
		})
	}
}

// withName resolves name(x) to x, as a package's computed form.
var withName = Options{
	Lookups: lookups.Lookups,
	Resolve: func(e ast.Expr, eval func(ast.Expr) ([]string, bool)) ([]string, bool) {
		call, ok := e.(*ast.CallExpr)
		if !ok || len(call.Args) != 1 {
			return nil, false
		}
		if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "name" {
			return nil, false
		}
		return eval(call.Args[0])
	},
}

// TestCheckFilesAccepts checks that canonical names are counted and pass.
func TestCheckFilesAccepts(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		checked   int
	}{
		{"literal", `func f(h http.Header) string { return get(h, "X-Amz-Acl") }`, 1},
		{"constants from constants", `const (p = "X-Amz-"; n = p + "Acl"); func f(h http.Header) string { return get(h, n) }`, 1},
		{"local", `func f(h http.Header) string { n := "Etag"; return get(h, n) }`, 1},
		{"through a parameter twice", `func g(h http.Header, n string) string { return get(h, n) }; func f(h http.Header) { g(h, "Origin"); g(h, "Referer") }`, 2},
		{"range over a literal", `func f(h http.Header) { for _, k := range []string{"If-Match", "If-None-Match"} { _ = get(h, k) } }`, 2},
		{"canonicalised", `func f(h http.Header, n string) string { c := http.CanonicalHeaderKey(n); return get(h, c) }`, 1},
		{"from Resolve", `func f(h http.Header) string { return get(h, name("X-Amz-" + "Acl")) }`, 1},
		{"other calls", `func f(h http.Header) string { return other(h, "lower") }`, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checked, problems := checkSource(t, tc.src, withName)
			for _, p := range problems {
				t.Error(p)
			}
			if checked != tc.checked {
				t.Errorf("checked %d names, want %d", checked, tc.checked)
			}
		})
	}
}

// TestCheck checks that Check reads the package's files but not its tests.
func TestCheck(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"p.go":      "package p\nvar _ = get(nil, \"Content-Md5\")\nvar _ = get(nil, \"Content-MD5\")\n",
		"p_test.go": "package p\nvar _ = get(nil, \"origin\")\n",
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	checked, problems, err := Check(dir, lookups)
	if err != nil {
		t.Fatal(err)
	}
	if checked != 2 {
		t.Errorf("checked %d names, want 2 (not the test file's)", checked)
	}
	if len(problems) != 1 || !strings.Contains(problems[0], `"Content-MD5"`) {
		t.Errorf("problems = %q, want only Content-MD5", problems)
	}
}

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	failures []string
}

func (r *recorder) Helper()                   {}
func (r *recorder) Error(args ...any)         { r.failures = append(r.failures, fmt.Sprint(args...)) }
func (r *recorder) Errorf(f string, a ...any) { r.failures = append(r.failures, fmt.Sprintf(f, a...)) }
func (r *recorder) Fatal(args ...any)         { r.Error(args...) }

// TestAssert checks that Assert fails on a bad name, on a check of fewer
// names than asked (a check of nothing) and on an unreadable package, and
// passes a package of canonical names.
func TestAssert(t *testing.T) {
	dir := t.TempDir()
	src := "package p\nvar _ = get(nil, \"Origin\")\n"
	if err := os.WriteFile(filepath.Join(dir, "p.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, "p.go"), []byte("package p\nvar _ = get(nil, \"origin\")\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	broken := t.TempDir()
	if err := os.WriteFile(filepath.Join(broken, "p.go"), []byte("package"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		dir     string
		atLeast int
		want    string
	}{
		{"canonical", dir, 1, ""},
		{"too few checked", dir, 2, "checked 1 header names, want at least 2"},
		{"nothing checked", t.TempDir(), 1, "checked 0 header names"},
		{"not canonical", bad, 1, `"origin" passed to get is not canonical`},
		{"unparsable", broken, 0, "hdrcheck: parse"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{TB: t}
			Assert(r, tc.dir, tc.atLeast, lookups)
			got := strings.Join(r.failures, "\n")
			if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
				t.Errorf("failures = %q, want one containing %q", got, tc.want)
			}
		})
	}
}
