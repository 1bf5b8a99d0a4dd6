package vpce

import (
	"fmt"
	"testing"
)

// TestResolveCacheAnswersAsResolve checks that a cached resolution is the
// one Resolve computes, that failures are not kept, and that a full cache
// still answers every name correctly without growing.
func TestResolveCacheAnswersAsResolve(t *testing.T) {
	topo := DefaultTopology()
	hosts := []string{
		"bucket." + regional, "bucket." + zonalD, "BUCKET." + regional + ":443", regional + ".",
		"bucket.vpce-0a77994aa2124c298-9tcntpvn.s3.us-east-1.vpce.amazonaws.com",            // unknown endpoint
		"bucket.vpce-0a77994aa2124c299-9tcntpvn-us-east-1z.s3.us-east-1.vpce.amazonaws.com", // unknown zone
		"s3.us-east-1.amazonaws.com", "", "example.com",
	}
	check := func(t *testing.T, host string) {
		t.Helper()
		wantH, wantE, wantErr := topo.resolve(host)
		for range 2 { // the first call may fill the cache, the second reads it
			h, e, err := topo.Resolve(host)
			if h != wantH || e != wantE || (err == nil) != (wantErr == nil) {
				t.Fatalf("Resolve(%q) = %+v, %p, %v; want %+v, %p, %v", host, h, e, err, wantH, wantE, wantErr)
			}
		}
	}
	t.Run("names", func(t *testing.T) {
		for _, host := range hosts {
			check(t, host)
		}
		if got := topo.cached(); got != 4 {
			t.Errorf("cache holds %d resolutions, want the 4 successful ones", got)
		}
	})
	t.Run("full", func(t *testing.T) {
		for i := 0; topo.cached() < maxResolved; i++ {
			if _, _, err := topo.Resolve(fmt.Sprintf("b%d.%s", i, regional)); err != nil {
				t.Fatal(err)
			}
		}
		check(t, "another-bucket."+regional)
		for _, host := range hosts {
			check(t, host)
		}
		if got := topo.cached(); got != maxResolved {
			t.Errorf("full cache grew to %d, bound %d", got, maxResolved)
		}
	})
}

// TestResolveSeesNewTopology checks that a topology changed after a name
// was resolved (and cached) answers from the new snapshot at once: a
// changed endpoint, one renamed away and one removed.
func TestResolveSeesNewTopology(t *testing.T) {
	old := DefaultTopology()
	host := "bucket." + regional
	if _, _, err := old.Resolve(host); err != nil {
		t.Fatal(err)
	}
	changed := DefaultEndpoint()
	changed.Policy = `{"Statement":[]}`
	renamed := DefaultEndpoint()
	renamed.DNSSuffix = "abcdefgh"
	tests := []struct {
		name       string
		endpoints  []Endpoint
		wantPolicy string
		ok         bool
	}{
		{"policy changed", []Endpoint{changed}, changed.Policy, true},
		{"renamed", []Endpoint{renamed}, "", false},
		{"removed", nil, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next, err := NewTopology([]VPC{DefaultVPC()}, tt.endpoints)
			if err != nil {
				t.Fatal(err)
			}
			_, e, err := next.Resolve(host)
			if (err == nil) != tt.ok {
				t.Fatalf("Resolve(%q) on the new topology: err = %v, want ok=%v", host, err, tt.ok)
			}
			if tt.ok && e.Policy != tt.wantPolicy {
				t.Errorf("endpoint policy %q, want %q", e.Policy, tt.wantPolicy)
			}
			if _, e, err := old.Resolve(host); err != nil || e.Policy != "" {
				t.Errorf("old topology changed: %v, %+v", err, e)
			}
		})
	}
}

// BenchmarkTopologyResolve compares a cached resolution with a parse.
func BenchmarkTopologyResolve(b *testing.B) {
	topo := DefaultTopology()
	host := "bucket." + regional + ":443"
	for _, bc := range []struct {
		name string
		fn   func(string) (Host, *Endpoint, error)
	}{{"cached", topo.Resolve}, {"parsed", topo.resolve}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := bc.fn(host); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzTopologyResolve checks that Resolve, cache or not, answers as the
// uncached resolve for any Host value, on its first call and its second.
func FuzzTopologyResolve(f *testing.F) {
	for _, s := range []string{"bucket." + regional, "b.bucket." + zonalD + ":443", "s3.us-east-1.amazonaws.com", "x"} {
		f.Add(s)
	}
	topo := DefaultTopology()
	f.Fuzz(func(t *testing.T, in string) {
		wantH, wantE, wantErr := topo.resolve(in)
		for range 2 {
			h, e, err := topo.Resolve(in)
			if h != wantH || e != wantE || (err == nil) != (wantErr == nil) {
				t.Fatalf("Resolve(%q) = %+v, %p, %v; want %+v, %p, %v", in, h, e, err, wantH, wantE, wantErr)
			}
		}
	})
}
