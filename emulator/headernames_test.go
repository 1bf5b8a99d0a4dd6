package emulator

import (
	"testing"

	"github.com/s3vpce/s3vpce/internal/hdrcheck"
)

// TestHeaderNamesCanonical fails if a header name headerValue looks up
// without canonicalising is not canonical: such a lookup would find
// nothing.
func TestHeaderNamesCanonical(t *testing.T) {
	bad, checked, err := hdrcheck.NonCanonical(".", 1, "headerValue")
	if err != nil {
		t.Fatal(err)
	}
	if checked < 10 {
		t.Fatalf("checked %d header lookups, want every constant one (at least 10)", checked)
	}
	for _, b := range bad {
		t.Error(b)
	}
}
