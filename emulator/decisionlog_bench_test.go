package emulator_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/s3vpce/s3vpce/emulator"
)

// BenchmarkDecisionLogHeap measures what the decision log keeps alive: the
// live heap after 5000 signed 1 KiB PUTs through a bucket policy (the log
// holds the last 4096 records), per request and in all. One iteration is
// the whole run:
//
//	go test -run '^$' -bench DecisionLogHeap -benchtime 1x ./emulator
func BenchmarkDecisionLogHeap(b *testing.B) {
	const requests = 5000
	for b.Loop() {
		srv := startPolicyBenchServer(b)
		body := bytes.Repeat([]byte("x"), 1024)
		put := signedRequest(b, "PUT", strings.TrimPrefix(srv.URL(), "https://"), body)
		put.header.Set("User-Agent", "aws-sdk-go-v2/1.36.3 ua/2.1 os/linux lang/go#1.26 md/GOOS#linux md/GOARCH#amd64 api/s3#1.79.2 m/E,Z,g")
		serve := func() {
			w := httptest.NewRecorder()
			srv.Handler().ServeHTTP(w, put.request(b, body))
			if w.Code != http.StatusOK {
				b.Fatalf("PUT: %d %s", w.Code, w.Body.String())
			}
		}
		serve()
		before := liveHeap()
		for range requests {
			serve()
		}
		after := liveHeap()
		b.ReportMetric(float64(after)/(1<<20), "heap-MB")
		b.ReportMetric(float64(after-before)/requests, "live-B/req")
		runtime.KeepAlive(srv)
		srv.Close()
	}
}

// startPolicyBenchServer starts a server with bucket "bench" under a
// bucket policy (so both policy layers decide each request); it is closed
// when the benchmark ends, or before.
func startPolicyBenchServer(b *testing.B) *emulator.Server {
	b.Helper()
	srv, err := emulator.New(emulator.Options{Buckets: []string{"bench"},
		BucketPolicies: map[string]string{"bench": `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::bench","arn:aws:s3:::bench/*"],"Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-0a77994aa2124c299"}}}]}`}})
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Start(b.Context()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	return srv
}

// liveHeap is HeapInuse after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}
