package emulator_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/s3vpce/s3vpce/emulator"
)

// BenchmarkHandlerPut measures a signed 1 KiB PutObject through the
// emulator's handler in-process (Host routing, SigV4, policies, s3compat,
// gofakes3) against bare gofakes3's handler, without TLS or network; both
// include the client-side signing:
//
//	go test -run '^$' -bench HandlerPut ./emulator
func BenchmarkHandlerPut(b *testing.B) {
	srv, _ := emulator.New(emulator.Options{Buckets: []string{"bench"}})
	srv.Start(b.Context())
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL(), "https://")
	body := strings.Repeat("x", 1024)
	b.Run("gate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r := httptest.NewRequest("PUT", "https://"+host+"/bench/obj", strings.NewReader(body))
			r.Header.Set("Content-Length", "1024")
			sign(b, r, time.Now())
			w := httptest.NewRecorder()
			srv.Handler().ServeHTTP(w, r)
			if w.Code != 200 {
				b.Fatal(w.Code, w.Body.String())
			}
		}
	})
	be := s3mem.New()
	be.CreateBucket("bench")
	g := gofakes3.New(be, gofakes3.WithLogger(gofakes3.DiscardLog())).Server()
	b.Run("bare", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r := httptest.NewRequest("PUT", "https://x/bench/obj", strings.NewReader(body))
			r.Header.Set("Content-Length", "1024")
			sign(b, r, time.Now())
			w := httptest.NewRecorder()
			g.ServeHTTP(w, r)
			if w.Code != 200 {
				b.Fatal(w.Code)
			}
		}
	})
}

// BenchmarkGate measures the per-request gate alone — Host routing, SigV4
// verification, the operation, the endpoint and bucket policies with their
// condition context — on a signed GetObject, with allocations:
//
//	go test -run '^$' -bench Gate -benchmem ./emulator
func BenchmarkGate(b *testing.B) {
	srv, err := emulator.New(emulator.Options{Buckets: []string{"bench"},
		BucketPolicies: map[string]string{"bench": `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::bench/*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-0a77994aa2124c299"}}}]}`}})
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Start(b.Context()); err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL(), "https://")
	r := httptest.NewRequest("GET", "https://"+host+"/bench/obj", nil)
	sign(b, r, time.Now())
	// The gate rewrites Host (the port goes) and the path for routing: put
	// them back before each run.
	origHost, origPath := r.Host, r.URL.Path
	b.ReportAllocs()
	for b.Loop() {
		r.Host, r.URL.Path = origHost, origPath
		if err := emulator.GateOnly(srv, r); err != nil {
			b.Fatal(err)
		}
	}
}
