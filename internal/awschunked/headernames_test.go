package awschunked

import (
	"testing"

	"github.com/s3vpce/s3vpce/internal/hdrcheck"
)

// TestHeaderNamesCanonical fails if a header name this package looks up
// without canonicalising (headerValue, headerValues) is not canonical: such
// a lookup would find nothing.
func TestHeaderNamesCanonical(t *testing.T) {
	bad, checked, err := hdrcheck.NonCanonical(".", 1, "headerValue", "headerValues")
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatal("no header lookup found to check")
	}
	for _, b := range bad {
		t.Error(b)
	}
}
