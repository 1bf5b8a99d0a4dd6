package bench

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// countingTarget records the length of each measurement asked of it.
type countingTarget struct {
	asked []time.Duration
	fail  int // the measurement (1-based) that fails; 0: none
}

func (c *countingTarget) decodesChunks() bool                          { return false }
func (c *countingTarget) prepare(context.Context, Workload, int) error { return nil }
func (c *countingTarget) stop()                                        {}
func (c *countingTarget) measure(_ context.Context, _ Workload, _ string, _ int, d time.Duration) (sample, error) {
	c.asked = append(c.asked, d)
	if len(c.asked) == c.fail {
		return sample{}, errors.New("connection refused")
	}
	return sample{ops: len(c.asked), elapsed: d}, nil
}

func TestMeasureCellWarmup(t *testing.T) {
	w := Workloads[0]
	for _, tc := range []struct {
		name      string
		warmup    time.Duration
		fail      int
		wantAsked []time.Duration
		wantOps   int
		wantErr   string
	}{
		{name: "none", wantAsked: []time.Duration{time.Second}, wantOps: 1},
		{name: "warm-up first, not recorded", warmup: 200 * time.Millisecond, wantAsked: []time.Duration{200 * time.Millisecond, time.Second}, wantOps: 2},
		{name: "failed warm-up", warmup: 200 * time.Millisecond, fail: 1, wantAsked: []time.Duration{200 * time.Millisecond}, wantErr: "warm-up: connection refused"},
		{name: "failed measurement", warmup: 200 * time.Millisecond, fail: 2, wantAsked: []time.Duration{200 * time.Millisecond, time.Second}, wantErr: "connection refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ct := &countingTarget{fail: tc.fail}
			s, err := measureCell(t.Context(), ct, w, VariantUnsigned, 2, time.Second, tc.warmup)
			if len(ct.asked) != len(tc.wantAsked) {
				t.Fatalf("asked %v, want %v", ct.asked, tc.wantAsked)
			}
			for i := range ct.asked {
				if ct.asked[i] != tc.wantAsked[i] {
					t.Fatalf("asked %v, want %v", ct.asked, tc.wantAsked)
				}
			}
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || s.ops != tc.wantOps || s.elapsed != time.Second {
				t.Fatalf("sample %+v, %v; want the measurement's (ops %d, 1s)", s, err, tc.wantOps)
			}
		})
	}
}

// TestReportSaysWarmup: the table and JSON say a warm-up preceded the rounds.
func TestReportSaysWarmup(t *testing.T) {
	rep := &Report{Clients: 16, Duration: "3s", Rounds: 3, Warmup: "1s"}
	var b strings.Builder
	rep.WriteTable(&b)
	if !strings.Contains(b.String(), "3 alternating rounds (medians) after a 1s warm-up each") {
		t.Errorf("table header: %q", b.String())
	}
	b.Reset()
	if err := rep.WriteJSON(&b); err != nil || !strings.Contains(b.String(), `"warmup": "1s"`) {
		t.Errorf("JSON %s, %v", b.String(), err)
	}
}
