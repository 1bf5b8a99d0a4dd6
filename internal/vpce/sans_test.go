package vpce

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestSANsMatchSeedGolden(t *testing.T) {
	e := DefaultEndpoint()
	got := strings.Join(e.SANs(), "\n") + "\n"
	golden := filepath.Join("..", "..", "testdata", "seed-sans.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("SANs differ from %s:\ngot:\n%s\nwant:\n%s", golden, got, want)
	}
}

func TestSANsShape(t *testing.T) {
	for _, zones := range []int{1, 2, 3, 6} {
		e := DefaultEndpoint()
		e.Zones = e.Zones[:zones]
		sans := e.SANs()
		if want := 4 + 4*(zones+1); len(sans) != want {
			t.Errorf("%d zones: %d SANs, want %d", zones, len(sans), want)
		}
		if len(slices.Compact(slices.Sorted(slices.Values(sans)))) != len(sans) {
			t.Errorf("%d zones: duplicate SANs: %v", zones, sans)
		}
		for _, s := range sans {
			if s == e.RegionalName() || s == e.ZonalName(e.Zones[0].Name) {
				t.Errorf("%d zones: bare endpoint name %q must not be a SAN", zones, s)
			}
			if strings.HasPrefix(s, "accesspoint.") || strings.HasPrefix(s, "control.") || strings.HasPrefix(s, "s3-control.") {
				t.Errorf("%d zones: %q must not be a SAN", zones, s)
			}
		}
		for _, want := range []string{"bucket." + e.RegionalName(), "*.bucket." + e.ZonalName(e.Zones[0].Name), "s3.us-east-1.amazonaws.com"} {
			if !slices.Contains(sans, want) {
				t.Errorf("%d zones: missing SAN %q", zones, want)
			}
		}
	}
}
