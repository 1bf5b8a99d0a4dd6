package store

import (
	"regexp"
	"testing"
)

// TestNewIDStartsAlphanumeric: version and upload IDs are 32 URL-safe
// characters and never begin with "-" or "_" (an ID starting with "-" is
// taken for an option by command-line clients). Among 20,000 IDs about 625
// would begin so without the rule.
func TestNewIDStartsAlphanumeric(t *testing.T) {
	form := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{31}$`)
	seen := map[string]bool{}
	for range 20000 {
		id := newID()
		if !form.MatchString(id) {
			t.Fatalf("newID() = %q, want 32 URL-safe characters starting with a letter or digit", id)
		}
		if seen[id] {
			t.Fatalf("newID() repeated %q", id)
		}
		seen[id] = true
	}
}
