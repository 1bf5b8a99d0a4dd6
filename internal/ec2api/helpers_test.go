package ec2api

import (
	"bytes"
	"flag"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// Shared by the tests of this package.

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// fakeBackend holds a topology and changes it as the emulator does: fn on
// a copy of the Spec, then vpce.Build, then the swap.
type fakeBackend struct {
	mu      sync.Mutex
	t       *vpce.Topology
	updates int
}

func newBackend(tb testing.TB, s vpce.Spec) *fakeBackend {
	tb.Helper()
	t, err := vpce.Build(s)
	if err != nil {
		tb.Fatalf("build: %v", err)
	}
	return &fakeBackend{t: t}
}

func (f *fakeBackend) Topology() *vpce.Topology {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeBackend) UpdateTopology(fn func(*vpce.Spec) error) (*vpce.Topology, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.t.Spec()
	if err := fn(&s); err != nil {
		return nil, fmt.Errorf("fake backend: %w", err)
	}
	t, err := vpce.Build(s)
	if err != nil {
		return nil, fmt.Errorf("fake backend: %w", err)
	}
	f.t = t
	f.updates++
	return t, nil
}

// testNow is the fixed clock of every test request.
var testNow = time.Date(2024, 5, 6, 7, 8, 9, 123_000_000, time.UTC)

// do sends one request (params as name, value pairs) and returns the
// recorder.
func do(h *Handler, action string, params ...string) *httptest.ResponseRecorder {
	p := Params{"Action": {action}, "Version": {Version}}
	for i := 0; i+1 < len(params); i += 2 {
		p[params[i]] = append(p[params[i]], params[i+1])
	}
	return doParams(h, action, p)
}

func doParams(h *Handler, action string, p Params) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.Serve(w, &Request{Action: action, Params: p, Account: vpce.DefaultAccount, Region: "us-east-1",
		RequestID: "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE", Now: testNow})
	return w
}

// paramsOf parses a query string into Params.
func paramsOf(tb testing.TB, q string) Params {
	tb.Helper()
	v, err := url.ParseQuery(q)
	if err != nil {
		tb.Fatalf("parse %q: %v", q, err)
	}
	return Params(v)
}

// checkGolden compares got with testdata/name.golden (rewritten with
// -update).
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s:\ngot:\n%s\nwant:\n%s", name, path, got, want)
	}
}
