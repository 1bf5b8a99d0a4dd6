package s3api

import (
	"go/ast"
	"net/http"
	"slices"
	"testing"

	"github.com/s3vpce/s3vpce/internal/hdrcheck"
)

// TestReqHeaderNamesCanonical checks that every header name reaching
// reqHeader, a map lookup that does not canonicalise, is in canonical form
// (hdrcheck), with the two computed forms of this package: sseCHeader(…)
// and the aclGrantHeaders table (hp.header).
func TestReqHeaderNamesCanonical(t *testing.T) {
	t.Run("package", func(t *testing.T) {
		hdrcheck.Assert(t, ".", 70, hdrcheck.Options{Lookups: map[string]int{"reqHeader": 1}, Resolve: resolveHeaderName})
	})
	// setRequestHeaders indexes the request's header map by these names.
	t.Run("tables indexed directly", func(t *testing.T) {
		for _, name := range append(slices.Clone(objectStandardHeaders), objectAmzHeaders...) {
			if c := http.CanonicalHeaderKey(name); c != name {
				t.Errorf("header name %q is not canonical, want %q", name, c)
			}
		}
	})
}

// resolveHeaderName is the names of this package's computed forms:
// sseCHeader(prefix, name) under either prefix, and hp.header, an entry of
// aclGrantHeaders.
func resolveHeaderName(e ast.Expr, eval func(ast.Expr) ([]string, bool)) ([]string, bool) {
	switch e := e.(type) {
	case *ast.CallExpr:
		if id, ok := e.Fun.(*ast.Ident); !ok || id.Name != "sseCHeader" || len(e.Args) != 2 {
			return nil, false
		}
		v, ok := eval(e.Args[1])
		if !ok {
			return nil, false
		}
		var all []string
		for _, name := range v {
			all = append(all, sseCHeader("", name), sseCHeader(copySourcePrefix, name))
		}
		return all, true
	case *ast.SelectorExpr:
		if x, ok := e.X.(*ast.Ident); ok && x.Name == "hp" && e.Sel.Name == "header" {
			var all []string
			for _, hp := range aclGrantHeaders {
				all = append(all, hp.header)
			}
			return all, true
		}
	}
	return nil, false
}

// TestReqHeaderAnyCase checks that a request header sent in any case
// reaches reqHeader: net/http canonicalises the names it reads.
func TestReqHeaderAnyCase(t *testing.T) {
	for _, sent := range []string{"x-amz-acl", "X-AMZ-ACL", "X-Amz-Acl"} {
		t.Run(sent, func(t *testing.T) {
			h := http.Header{}
			h.Add(sent, "private")
			if got := reqHeader(h, "X-Amz-Acl"); got != "private" {
				t.Errorf("reqHeader = %q, want private", got)
			}
		})
	}
}
