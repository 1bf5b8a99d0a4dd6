package store

import (
	"errors"
	"testing"
)

// TestDeleteVersion: the check sees the version being removed (not the
// key's current one), its error aborts the delete, and an absent version
// is ErrNoSuchVersion without calling it.
func TestDeleteVersion(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store) {
		mustBucket(t, s, "b", Enabled)
		old := put(t, s, "b", "k", "old")
		cur := put(t, s, "b", "k", "current")
		refuse := errors.New("locked")
		for _, tt := range []struct {
			name    string
			id      string
			verdict error
			want    error
			called  bool
		}{
			{"refused", old.VersionID, refuse, refuse, true},
			{"absent", "nope", nil, ErrNoSuchVersion, false},
			{"allowed", old.VersionID, nil, nil, true},
		} {
			t.Run(tt.name, func(t *testing.T) {
				var seen string
				res, err := s.DeleteVersion("b", "k", tt.id, func(v *Version) error {
					seen = v.VersionID
					return tt.verdict
				})
				if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
					t.Fatalf("DeleteVersion: %v, want %v", err, tt.want)
				}
				if tt.called != (seen != "") || (tt.called && seen != tt.id) {
					t.Errorf("check saw version %q, want %q (called %v)", seen, tt.id, tt.called)
				}
				if err == nil && res.VersionID != tt.id {
					t.Errorf("result version %q, want %q", res.VersionID, tt.id)
				}
			})
		}
		vs := versions(t, s, "b", "k")
		if len(vs) != 1 || vs[0].VersionID != cur.VersionID {
			t.Errorf("left %d versions, want only the current one", len(vs))
		}
	})
}
