package bench

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestRunShort runs the bench command's whole path briefly: every target,
// both payload variants, a PUT and a GET workload. Each expected row is
// there with traffic and no errors, bare has no default-checksum row, and
// the ratios are computed; the JSON round-trips.
func TestRunShort(t *testing.T) {
	rep, err := Run(t.Context(), Config{Clients: 2, Duration: 150 * time.Millisecond, Rounds: 1,
		Workloads: []string{"put-1KiB", "mixed-1MiB"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.FirstErrors) > 0 {
		t.Fatalf("errors: %v", rep.FirstErrors)
	}
	got := map[string]Row{}
	for _, r := range rep.Rows {
		got[r.Workload+"/"+r.Variant+"/"+r.Target] = r
	}
	for _, w := range []string{"put-1KiB", "mixed-1MiB"} {
		for _, v := range []string{VariantUnsigned, VariantDefault} {
			for _, tg := range []string{TargetBare, TargetMemory, TargetDir, TargetAuthOff} {
				r, ok := got[w+"/"+v+"/"+tg]
				if tg == TargetBare && v == VariantDefault {
					if ok {
						t.Errorf("bare has a default-checksum row: it cannot decode aws-chunked bodies")
					}
					continue
				}
				if !ok || r.OpsPerSec <= 0 || r.MiBPerSec <= 0 || r.P50ms <= 0 || r.P99ms < r.P50ms {
					t.Errorf("%s/%s/%s: %+v", w, v, tg, r)
				}
				if tg != TargetBare && v == VariantUnsigned && r.VsBare <= 0 {
					t.Errorf("%s/%s/%s: no ratio against bare", w, v, tg)
				}
				if tg == TargetDir && r.VsMemory <= 0 {
					t.Errorf("%s/%s/%s: no ratio against memory", w, v, tg)
				}
			}
		}
	}
	var table bytes.Buffer
	rep.WriteTable(&table)
	if !strings.Contains(table.String(), "vs bare") || strings.Count(table.String(), "\n") < len(rep.Rows)+2 {
		t.Errorf("table:\n%s", table.String())
	}
	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || len(back.Rows) != len(rep.Rows) {
		t.Errorf("JSON round trip: %v, %d rows", err, len(back.Rows))
	}
}

// TestRunRefusesUnknownNames: a misspelt target, workload or variant is an
// error naming it, before anything runs.
func TestRunRefusesUnknownNames(t *testing.T) {
	for _, cfg := range []Config{{Targets: []string{"bear"}}, {Workloads: []string{"put-2KiB"}, Targets: []string{TargetBare}}, {Variants: []string{"signed"}}} {
		_, err := Run(t.Context(), cfg)
		if err == nil || !strings.Contains(err.Error(), "unknown") {
			t.Errorf("%+v: %v", cfg, err)
		}
	}
}
