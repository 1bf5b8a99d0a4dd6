package awschunked

import (
	"testing"

	"github.com/s3vpce/s3vpce/internal/hdrcheck"
)

// TestHeaderNamesCanonical fails if a header name this package looks up
// without canonicalising (headerValue, headerValues) is not canonical (such
// a lookup would find nothing) or cannot be resolved by the checker.
func TestHeaderNamesCanonical(t *testing.T) {
	hdrcheck.Assert(t, ".", 8, hdrcheck.Options{Lookups: map[string]int{"headerValue": 1, "headerValues": 1}})
}
