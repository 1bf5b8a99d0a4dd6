package dnsserver

import (
	"bufio"
	"bytes"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// TestDNSPerf measures the server with dnsperf on loopback. It runs only
// with S3VPCE_DNSPERF=1 (it takes the machine's CPUs for a while):
//
//	S3VPCE_DNSPERF=1 go test -run TestDNSPerf -v ./dnsserver
//
// S3VPCE_DNSPERF_SECONDS sets the run length (default 20, at most 30),
// S3VPCE_DNSPERF_QPS the -Q rate cap (default 200000). A first run
// measures throughput (and dnsperf's mean latency at saturation); a
// second, shorter run with -v at S3VPCE_DNSPERF_LAT_PCT percent of that
// rate (default 50) records every query's latency to compute p50/p99
// (dnsperf 2.10 prints no percentiles; -v costs dnsperf CPU, so the second
// run is not at full rate). The test fails below S3VPCE_DNSPERF_MIN_QPS
// (default 0: report only).
func TestDNSPerf(t *testing.T) {
	if os.Getenv("S3VPCE_DNSPERF") != "1" {
		t.Skip("set S3VPCE_DNSPERF=1 to run dnsperf")
	}
	dnsperf := tool(t, "dnsperf")
	seconds := envInt(t, "S3VPCE_DNSPERF_SECONDS", 20)
	if seconds > 30 {
		seconds = 30
	}
	maxQPS := envInt(t, "S3VPCE_DNSPERF_QPS", 200000)
	minQPS := envInt(t, "S3VPCE_DNSPERF_MIN_QPS", 0)
	latPct := envInt(t, "S3VPCE_DNSPERF_LAT_PCT", 50)

	s := startServer(t, Config{Topology: fixed(vpce.DefaultTopology())})
	_, port, err := net.SplitHostPort(s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"-s", "127.0.0.1", "-p", port, "-d", "testdata/dnsperf-queries.txt", "-c", "4", "-q", "200"}

	cmd := append(args, "-l", strconv.Itoa(seconds), "-Q", strconv.Itoa(maxQPS))
	t.Logf("dnsperf %s", strings.Join(cmd, " "))
	out, err := exec.CommandContext(t.Context(), dnsperf, cmd...).CombinedOutput()
	if err != nil {
		t.Fatalf("dnsperf: %v\n%s", err, out)
	}
	t.Logf("\n%s", out)
	qps := parseFloat(t, out, "Queries per second:")
	lost := parseFloat(t, out, "Queries lost:")

	// Latency percentiles at latPct% of the measured rate, from -v lines
	// like "> NOERROR vpce-….amazonaws.com A 0.000109".
	rate := int(qps * float64(latPct) / 100)
	lat := append(args, "-l", strconv.Itoa(max(seconds/2, 5)), "-Q", strconv.Itoa(rate), "-v")
	t.Logf("dnsperf %s", strings.Join(lat, " "))
	// To a file, not a pipe, so that this process does not compete with
	// the server for CPU while reading dnsperf's output.
	vfile, err := os.Create(filepath.Join(t.TempDir(), "dnsperf-v.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer vfile.Close()
	vcmd := exec.CommandContext(t.Context(), dnsperf, lat...)
	vcmd.Stdout = vfile
	if err := vcmd.Run(); err != nil {
		t.Fatalf("dnsperf -v: %v", err)
	}
	vout, err := os.ReadFile(vfile.Name())
	if err != nil {
		t.Fatal(err)
	}
	var lats []float64
	sc := bufio.NewScanner(bytes.NewReader(vout))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 5 && f[0] == ">" {
			if v, err := strconv.ParseFloat(f[4], 64); err == nil {
				lats = append(lats, v)
			}
		}
	}
	if len(lats) == 0 {
		t.Fatalf("no latencies in dnsperf -v output:\n%.2000s", vout)
	}
	slices.Sort(lats)
	pct := func(p float64) float64 { return lats[int(math.Ceil(p*float64(len(lats))))-1] * 1e3 }
	t.Logf("RESULT qps=%.0f lost=%.0f | at %d qps: n=%d p50=%.3fms p99=%.3fms p99.9=%.3fms max=%.3fms",
		qps, lost, rate, len(lats), pct(0.50), pct(0.99), pct(0.999), lats[len(lats)-1]*1e3)
	if qps < float64(minQPS) {
		t.Errorf("%.0f queries per second, want at least %d", qps, minQPS)
	}
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, v, err)
	}
	return n
}

// parseFloat finds "label  N" in dnsperf's report.
func parseFloat(t *testing.T, out []byte, label string) float64 {
	t.Helper()
	for line := range strings.Lines(string(out)) {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), label); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				if v, err := strconv.ParseFloat(f[0], 64); err == nil {
					return v
				}
			}
		}
	}
	t.Fatalf("no %q in dnsperf output", label)
	return 0
}
