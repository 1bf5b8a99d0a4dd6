package emulator

import (
	"go/ast"
	"testing"

	"github.com/s3vpce/s3vpce/internal/hdrcheck"
)

// TestHeaderNamesCanonical fails if a header name headerValue looks up
// without canonicalising is not canonical (such a lookup would find
// nothing) or cannot be resolved by the checker.
func TestHeaderNamesCanonical(t *testing.T) {
	hdrcheck.Assert(t, ".", 30, hdrcheck.Options{
		Lookups: map[string]int{"headerValue": 1},
		// conditionalCanonical[i]: the table's values, as built.
		Resolve: func(e ast.Expr, _ func(ast.Expr) ([]string, bool)) ([]string, bool) {
			ix, ok := e.(*ast.IndexExpr)
			if !ok {
				return nil, false
			}
			if id, ok := ix.X.(*ast.Ident); ok && id.Name == "conditionalCanonical" {
				return conditionalCanonical, true
			}
			return nil, false
		},
	})
}
