package bench

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestSampleRoundTrip: what a client process writes, the parent reads back
// unchanged, first error included.
func TestSampleRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    sample
	}{
		{"ok", sample{ops: 3, bytes: 3072, elapsed: 300 * time.Millisecond, latencies: []time.Duration{time.Millisecond, 2 * time.Millisecond, 1500 * time.Microsecond}}},
		{"errors", sample{ops: 1, errors: 2, bytes: 1, elapsed: time.Second, latencies: []time.Duration{7}, firstErr: errors.New("operation error S3: PutObject: 403")}},
		{"nothing done", sample{elapsed: time.Nanosecond, latencies: []time.Duration{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := writeSample(&buf, tc.s); err != nil {
				t.Fatal(err)
			}
			got, err := parseSample(buf.Bytes())
			if err != nil {
				t.Fatalf("%s: %v", buf.String(), err)
			}
			if !sameSample(got, tc.s) {
				t.Errorf("got %+v, want %+v", got, tc.s)
			}
		})
	}
}

// sameSample compares samples, their first errors by message.
func sameSample(a, b sample) bool {
	if fmt.Sprint(a.firstErr) != fmt.Sprint(b.firstErr) {
		return false
	}
	a.firstErr, b.firstErr = nil, nil
	return reflect.DeepEqual(a, b)
}

// TestParseSampleRefuses: what is not a client sample is an error naming
// the problem, never a sample.
func TestParseSampleRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"empty", ``, "EOF"},
		{"not JSON", `ops=3`, "invalid character"},
		{"unknown field", `{"ops":0,"elapsed_ns":1,"latencies_ns":[],"p50":1}`, "unknown field"},
		{"trailing data", `{"ops":0,"elapsed_ns":1,"latencies_ns":[]} {}`, "after the JSON object"},
		{"negative ops", `{"ops":-1,"elapsed_ns":1,"latencies_ns":[]}`, "negative count"},
		{"negative bytes", `{"ops":0,"bytes":-5,"elapsed_ns":1,"latencies_ns":[]}`, "negative count"},
		{"no elapsed", `{"ops":0,"latencies_ns":[]}`, "elapsed 0ns"},
		{"latencies short", `{"ops":2,"elapsed_ns":1,"latencies_ns":[5]}`, "1 latencies for 2 operations"},
		{"negative latency", `{"ops":1,"elapsed_ns":1,"latencies_ns":[-5]}`, "latency 0"},
		{"errors without first", `{"ops":0,"errors":1,"elapsed_ns":1,"latencies_ns":[]}`, "1 errors"},
		{"first without errors", `{"ops":0,"elapsed_ns":1,"latencies_ns":[],"first_error":"x"}`, "0 errors"},
		{"wrong type", `{"ops":"3","elapsed_ns":1,"latencies_ns":[]}`, "cannot unmarshal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseSample([]byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "bench: client sample") {
				t.Errorf("%s: %v, want an error containing %q", tc.in, err, tc.want)
			}
		})
	}
}

// FuzzParseSample: parseSample never panics, and what it accepts writes
// back to the same sample.
func FuzzParseSample(f *testing.F) {
	f.Add([]byte(`{"ops":2,"errors":1,"bytes":2048,"elapsed_ns":300000000,"latencies_ns":[1000,2000],"first_error":"boom"}`))
	f.Add([]byte(`{"ops":0,"elapsed_ns":1,"latencies_ns":[]}`))
	f.Add([]byte(`{"ops":1,"elapsed_ns":1,"latencies_ns":[-1]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := parseSample(data)
		if err != nil {
			return
		}
		if s.ops < 0 || s.errors < 0 || s.elapsed <= 0 || len(s.latencies) != s.ops || (s.errors > 0) != (s.firstErr != nil) {
			t.Fatalf("accepted an impossible sample %+v from %q", s, data)
		}
		var buf bytes.Buffer
		if err := writeSample(&buf, s); err != nil {
			t.Fatal(err)
		}
		back, err := parseSample(buf.Bytes())
		if err != nil {
			t.Fatalf("%q: written back as %q, which does not parse: %v", data, buf.String(), err)
		}
		if !sameSample(back, s) {
			t.Errorf("%q: round trip %+v, want %+v", data, back, s)
		}
	})
}

// TestServeBareRefusesNonLoopback: the bare server listens on loopback
// only.
func TestServeBareRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "localhost"} {
		t.Run(addr, func(t *testing.T) {
			err := ServeBare(t.Context(), addr, t.TempDir()+"/ca.pem", func(string) { t.Error("ready") })
			if err == nil || !strings.Contains(err.Error(), "not a loopback address") {
				t.Errorf("%v", err)
			}
		})
	}
}

// TestLineWatcher: readiness is the first accepted line, however the
// output is split into writes; lines after it are not looked at.
func TestLineWatcher(t *testing.T) {
	var seen []string
	lw := &lineWatcher{done: make(chan struct{}), ready: func(line string) bool {
		seen = append(seen, line)
		return strings.HasPrefix(line, BareBanner)
	}}
	for _, chunk := range []string{"starting\nbare list", "ening on 127.0.0.1:1", "234\nlater\n"} {
		if n, err := lw.Write([]byte(chunk)); n != len(chunk) || err != nil {
			t.Fatalf("Write: %d, %v", n, err)
		}
	}
	select {
	case <-lw.done:
	default:
		t.Fatal("not ready")
	}
	if want := []string{"starting", BareBanner + "127.0.0.1:1234"}; !reflect.DeepEqual(seen, want) {
		t.Errorf("lines %q, want %q", seen, want)
	}
}
