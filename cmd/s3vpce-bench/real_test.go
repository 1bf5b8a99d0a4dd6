package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/s3vpce/s3vpce/internal/bench"
)

// envAsMain makes this test binary the s3vpce-bench program, for the
// client and serve-bare processes the real path starts.
const envAsMain = "S3VPCE_BENCH_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(envAsMain) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// realPath is the real path's programs: this test binary as s3vpce-bench,
// and s3vpce built for the test. It skips unless root (namespaces).
func realPath(t *testing.T) *bench.Real {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the real path runs clients through s3vpce exec, which needs root here to create network namespaces (CI runs as root)")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "s3vpce")
	out, err := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "github.com/s3vpce/s3vpce/cmd/s3vpce").CombinedOutput()
	if err != nil {
		t.Fatalf("go build s3vpce: %v\n%s", err, out)
	}
	return &bench.Real{S3vpce: bin, Bench: self, Env: []string{envAsMain + "=1"}}
}

// emptyTempDir points the bench's temporary directories (serve homes,
// bare's CA) at a directory of the test's and returns it.
func emptyTempDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	return dir
}

func leftIn(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// TestReal runs the bench through the real path (s3vpce built once).
func TestReal(t *testing.T) {
	rp := realPath(t)
	t.Run("short", func(t *testing.T) { testRealShort(t, rp) })
	t.Run("interrupted", func(t *testing.T) { testRealInterrupted(t, rp) })
}

// testRealShort runs the bench through the real path once, briefly: bare
// gofakes3 and `s3vpce serve` over the memory store as processes, every
// measurement's clients a process (through `s3vpce exec` for memory), 1
// KiB PUT and GET, both payload variants. Every row is there with traffic
// and no errors, memory's unsigned rows carry their ratio against bare,
// and nothing is left in the temporary directory.
func testRealShort(t *testing.T, rp *bench.Real) {
	tmp := emptyTempDir(t)
	var progress bytes.Buffer
	rep, err := bench.Run(t.Context(), bench.Config{Real: rp, Clients: 2, Duration: 300 * time.Millisecond, Rounds: 1,
		Targets: []string{bench.TargetBare, bench.TargetMemory}, Workloads: []string{"put-1KiB", "get-1KiB"}, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.FirstErrors) > 0 {
		t.Fatalf("errors: %v", rep.FirstErrors)
	}
	if !rep.RealPath {
		t.Error("the report does not say it measured the real path")
	}
	want := map[string]bool{}
	withCPU := 0
	for _, w := range []string{"put-1KiB", "get-1KiB"} {
		for _, k := range []string{"unsigned/bare", "unsigned/memory", "default/memory"} {
			want[w+"/"+k] = true
		}
	}
	for _, r := range rep.Rows {
		name := r.Workload + "/" + r.Variant + "/" + r.Target
		if !want[name] {
			t.Errorf("unexpected row %s", name)
		}
		delete(want, name)
		if r.OpsPerSec <= 0 || r.Errors != 0 || r.P50ms <= 0 {
			t.Errorf("%s: %+v", name, r)
		}
		if r.ServerCPUus < 0 {
			t.Errorf("%s: server CPU %v µs/op", name, r.ServerCPUus)
		}
		if r.ServerCPUus > 0 {
			withCPU++
		}
		if (r.Target == bench.TargetMemory && r.Variant == bench.VariantUnsigned) != (r.VsBare > 0) {
			t.Errorf("%s: vs bare %v", name, r.VsBare)
		}
	}
	for name := range want {
		t.Errorf("no row %s", name)
	}
	// The server processes' CPU per operation: /proc counts it in 10 ms
	// ticks, which one 300 ms measurement at 2 clients may not reach, but
	// six of them do.
	if withCPU == 0 {
		t.Error("no row has the server's CPU per operation")
	}
	var table strings.Builder
	rep.WriteTable(&table)
	if !strings.Contains(table.String(), "srv µs/op") {
		t.Errorf("the table has no server CPU column:\n%s", table.String())
	}
	if n := strings.Count(progress.String(), "\n"); n != 6 {
		t.Errorf("%d progress lines, want 6:\n%s", n, progress.String())
	}
	if left := leftIn(t, tmp); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// cancelOnWrite cancels a context at the first write: Run's first
// progress line, once a measurement is done.
type cancelOnWrite struct{ cancel context.CancelFunc }

func (c cancelOnWrite) Write(b []byte) (int, error) { c.cancel(); return len(b), nil }

// testRealInterrupted: a run whose context ends (Ctrl-C) after its first
// measurement returns that error, and has stopped its server processes and
// removed their directories.
func testRealInterrupted(t *testing.T, rp *bench.Real) {
	tmp := emptyTempDir(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	_, err := bench.Run(ctx, bench.Config{Real: rp, Clients: 1, Duration: 100 * time.Millisecond, Rounds: 2,
		Targets: []string{bench.TargetMemory, bench.TargetBare}, Workloads: []string{"put-1KiB"}, Variants: []string{bench.VariantUnsigned},
		Progress: cancelOnWrite{cancel}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run: %v, want %v", err, context.Canceled)
	}
	if left := leftIn(t, tmp); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// TestSubcommandRefuses: the real path's processes refuse what they cannot
// do, with exit status 1 and a message; other arguments are not theirs.
func TestSubcommandRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"client without endpoint", []string{"client", "-workload", "put-1KiB"}, "want -endpoint"},
		{"client unknown workload", []string{"client", "-endpoint", "https://bare.test", "-workload", "put-3KiB", "-dial", "127.0.0.1:1"}, `unknown workload "put-3KiB"`},
		{"client unknown variant", []string{"client", "-endpoint", "https://bare.test", "-workload", "put-1KiB", "-variant", "signed"}, `unknown variant "signed"`},
		{"client missing CA", []string{"client", "-endpoint", "https://bare.test", "-ca", "/nonexistent/ca.pem", "-workload", "put-1KiB"}, "/nonexistent/ca.pem"},
		{"serve-bare without CA file", []string{"serve-bare"}, "want -ca-out"},
		{"serve-bare off loopback", []string{"serve-bare", "-addr", "0.0.0.0:0", "-ca-out", filepath.Join(t.TempDir(), "ca.pem")}, "not a loopback address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			ok, code := subcommand(t.Context(), tc.args, &stdout, &stderr)
			if !ok || code != 1 || !strings.Contains(stderr.String(), tc.want) || stdout.Len() > 0 {
				t.Errorf("%v: %v %d, stdout %q, stderr %q; want status 1 and %q", tc.args, ok, code, stdout.String(), stderr.String(), tc.want)
			}
		})
	}
	if ok, _ := subcommand(t.Context(), []string{"-real"}, nil, nil); ok {
		t.Error("-real taken for a subcommand")
	}
}
