package emulator

import (
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
)

// TestRequestIDs checks the shape of both IDs (16 upper-case hex digits;
// x-amz-id-2 the base64 of the request ID three times, as hostID derives
// it) and that 100,000 request IDs are distinct.
func TestRequestIDs(t *testing.T) {
	shape := regexp.MustCompile(`^[0-9A-F]{16}$`)
	const n = 100_000
	seen := make(map[string]struct{}, n)
	for range n {
		id, hid := newRequestIDs()
		if !shape.MatchString(id) {
			t.Fatalf("request ID %q is not 16 upper-case hex digits", id)
		}
		if want := base64.StdEncoding.EncodeToString([]byte(strings.Repeat(id, 3))); hid != want || hostID(id) != want {
			t.Fatalf("x-amz-id-2 of %q = %q (hostID %q), want %q", id, hid, hostID(id), want)
		}
		if _, dup := seen[id]; dup {
			t.Fatalf("request ID %q repeated within %d", id, len(seen))
		}
		seen[id] = struct{}{}
	}
}
