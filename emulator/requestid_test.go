package emulator

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/s3vpce/s3vpce/internal/s3api"
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

// TestCanonicalUserID checks that the owner ID of a request is
// s3api.CanonicalUserID of its account, and the default account's for the
// empty one, computed and then remembered.
func TestCanonicalUserID(t *testing.T) {
	s := &Server{compat: s3api.New(nil)}
	for i := range 10 {
		account := fmt.Sprintf("%012d", i)
		for range 2 { // computed, then remembered
			if got, want := s.canonicalUserID(account), s3api.CanonicalUserID(account); got != want {
				t.Fatalf("canonicalUserID(%q) = %q, want %q", account, got, want)
			}
		}
	}
	if got, want := s.canonicalUserID(""), s3api.CanonicalUserID(DefaultAccountID); got != want {
		t.Errorf("canonicalUserID(\"\") = %q, want the default account's %q", got, want)
	}
}

func BenchmarkNewRequestIDs(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		newRequestIDs()
	}
}
