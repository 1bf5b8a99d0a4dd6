package emulator_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// BenchmarkServe1KiB measures the server side alone of a 1 KiB PutObject
// and GetObject (UNSIGNED-PAYLOAD, signed once outside the loop), through
// the emulator's whole handler with the memory store and a bucket policy
// (both policy layers), against bare gofakes3's handler with its memory
// backend: CPU and allocations per request that bare gofakes3 does not
// pay. No TLS, no network, no client:
//
//	go test -run '^$' -bench Serve1KiB -benchmem ./emulator
func BenchmarkServe1KiB(b *testing.B) {
	srv := startPolicyBenchServer(b)
	be := s3mem.New()
	if err := be.CreateBucket("bench"); err != nil {
		b.Fatal(err)
	}
	bare := gofakes3.New(be, gofakes3.WithLogger(gofakes3.DiscardLog())).Server()
	body := bytes.Repeat([]byte("x"), 1024)
	targets := []struct {
		name, host string
		h          http.Handler
	}{
		{"s3vpce", strings.TrimPrefix(srv.URL(), "https://"), srv.Handler()},
		{"bare", "bare.test", bare},
	}
	for _, op := range []string{"PUT", "GET"} {
		for _, tg := range targets {
			b.Run(op+"/"+tg.name, func(b *testing.B) {
				serve := func(r *http.Request) {
					w := httptest.NewRecorder()
					tg.h.ServeHTTP(w, r)
					if w.Code != http.StatusOK {
						b.Fatalf("%s: %d %s", op, w.Code, w.Body.String())
					}
				}
				put := signedRequest(b, "PUT", tg.host, body)
				serve(put.request(b, body))
				tmpl := put
				if op == "GET" {
					tmpl = signedRequest(b, "GET", tg.host, nil)
				}
				b.ReportAllocs()
				cpu0 := processCPU(b)
				for b.Loop() {
					serve(tmpl.request(b, body))
				}
				// Wall time per op depends on what else the machine runs;
				// the process's CPU time per op much less.
				b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// signedTemplate is a signed request to copy for each run: the handler may
// change the request it serves.
type signedTemplate struct {
	method, url string
	header      http.Header
}

func signedRequest(tb testing.TB, method, host string, body []byte) signedTemplate {
	tb.Helper()
	r := httptest.NewRequest(method, "https://"+host+"/bench/obj", bytes.NewReader(body))
	if body != nil {
		r.Header.Set("Content-Type", "application/octet-stream")
		r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	}
	sign(tb, r, time.Now())
	return signedTemplate{method: method, url: r.URL.String(), header: r.Header}
}

func (s signedTemplate) request(tb testing.TB, body []byte) *http.Request {
	var rd io.Reader
	if s.method == "PUT" {
		rd = bytes.NewReader(body)
	}
	r := httptest.NewRequest(s.method, s.url, rd)
	r.Header = s.header.Clone()
	return r
}

// processCPU is the process's user and system CPU time so far.
func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
