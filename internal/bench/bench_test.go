package bench

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestRunShort runs the bench command's whole path briefly: every target,
// both payload variants, a PUT and a GET workload. Each expected row is
// there with traffic and no errors, bare has no default-checksum row, and
// the ratios are computed; the JSON round-trips.
func TestRunShort(t *testing.T) {
	rep, err := Run(t.Context(), Config{Clients: 2, Duration: 150 * time.Millisecond, Rounds: 1, Warmup: 20 * time.Millisecond,
		Workloads: []string{"put-1KiB", "mixed-1MiB"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.FirstErrors) > 0 {
		t.Fatalf("errors: %v", rep.FirstErrors)
	}
	if rep.Warmup != "20ms" {
		t.Errorf("report's warm-up %q, want 20ms", rep.Warmup)
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

// TestRunUpstreamShort runs upstream mode's rows once, briefly (in -short
// mode too): the upstream alone and s3vpce forwarding to it, both payload
// variants, 1 KiB PUT/GET and 1 MiB GET. Each row has traffic and no
// errors, the via-upstream row carries its ratio against the upstream (in
// the JSON too), and the upstream's row none.
func TestRunUpstreamShort(t *testing.T) {
	workloads := []string{"put-1KiB", "get-1KiB", "get-1MiB"}
	rep, err := Run(t.Context(), Config{Clients: 2, Duration: 150 * time.Millisecond, Rounds: 1,
		Targets: []string{TargetUpstream, TargetViaUpstream}, Workloads: workloads})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.FirstErrors) > 0 {
		t.Fatalf("errors: %v", rep.FirstErrors)
	}
	if len(rep.Rows) != len(workloads)*2*2 {
		t.Errorf("%d rows, want %d", len(rep.Rows), len(workloads)*2*2)
	}
	for _, r := range rep.Rows {
		name := r.Workload + "/" + r.Variant + "/" + r.Target
		if r.OpsPerSec <= 0 || r.MiBPerSec <= 0 || r.Errors != 0 {
			t.Errorf("%s: %+v", name, r)
		}
		if (r.Target == TargetViaUpstream) != (r.VsUpstream > 0) {
			t.Errorf("%s: vs upstream %v", name, r.VsUpstream)
		}
	}
	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(js.String(), `"vs_upstream"`) {
		t.Errorf("JSON lacks vs_upstream:\n%s", js.String())
	}

	// via-upstream forwards: what it stores, the upstream has.
	shared := &sharedUpstream{}
	defer shared.close()
	via, err := startTarget(t.Context(), TargetViaUpstream, 1, shared)
	if err != nil {
		t.Fatal(err)
	}
	defer via.close()
	direct, err := startTarget(t.Context(), TargetUpstream, 1, shared)
	if err != nil {
		t.Fatal(err)
	}
	defer direct.close()
	_, err = via.client(VariantDefault).PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(Bucket), Key: aws.String("through"), Body: strings.NewReader("forwarded")})
	if err != nil {
		t.Fatal(err)
	}
	out, err := direct.client(VariantUnsigned).GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(Bucket), Key: aws.String("through")})
	if err != nil {
		t.Fatalf("the object put through via-upstream is not on the upstream: %v", err)
	}
	defer out.Body.Close()
	if b, _ := io.ReadAll(out.Body); string(b) != "forwarded" {
		t.Errorf("the upstream has %q, want %q", b, "forwarded")
	}
}
