// Package upstreamtest starts an S3 upstream for Go tests of s3vpce's
// upstream mode: a plain-HTTP server on 127.0.0.1 that accepts only
// requests signed (SigV4) with its own credentials, records every request
// it saw, and serves S3 with a second s3vpce emulator (auth off, path
// style) over its own in-memory store.
//
//	up := upstreamtest.New(t, upstreamtest.Options{Buckets: []string{"b"}})
//	srv := emulatortest.New(t, emulatortest.WithUpstreamURL(up.URL(), up.Credentials()))
//
// Its credentials differ from the emulator's default ones, so a test can
// tell from Seen that the upstream never saw the client's key.
package upstreamtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/sigv4"
	"github.com/s3vpce/s3vpce/internal/store"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

// The upstream's default credentials: distinct from
// emulator.DefaultAccessKeyID.
const (
	DefaultAccessKeyID     = "AKIAUPSTREAMTEST0001"
	DefaultSecretAccessKey = "upstreamtestSecretKeyDoNotUseEverywhere0"
	DefaultRegion          = "us-east-1"
)

// Options configure a Server; the zero value is usable.
type Options struct {
	// AccessKeyID and SecretAccessKey are the only credentials accepted;
	// empty means DefaultAccessKeyID and DefaultSecretAccessKey.
	AccessKeyID, SecretAccessKey string
	// Region is the credential scope's region required; empty means
	// DefaultRegion.
	Region string
	// Buckets are created at start, owned by emulator.DefaultAccountID.
	Buckets []string
	// DiscardSeen records no requests (Seen stays empty): for benchmarks
	// that send more requests than a test should keep in memory.
	DiscardSeen bool
}

// Seen is one request as the upstream received it, before it was served.
type Seen struct {
	Method string
	Path   string // the escaped path
	Query  url.Values
	Host   string
	// AccessKeyID is the signature's access key ID ("" when unsigned).
	AccessKeyID string
	// ContentSHA256 is the x-amz-content-sha256 header.
	ContentSHA256   string
	ContentEncoding string
	// Header is a copy of every header received.
	Header http.Header
	// Status is the status the upstream answered.
	Status int
}

// Server is a started test upstream.
type Server struct {
	opts  Options
	emu   *emulator.Server
	st    *store.Store
	host  string // the emulator's bucket. name requests are rewritten to
	https *httptest.Server
	now   func() time.Time

	mu   sync.Mutex
	seen []Seen
}

var _ http.Handler = (*Server)(nil)

// New starts a test upstream for tb and closes it with tb.Cleanup.
func New(tb testing.TB, opts Options) *Server {
	tb.Helper()
	if opts.AccessKeyID == "" {
		opts.AccessKeyID, opts.SecretAccessKey = DefaultAccessKeyID, DefaultSecretAccessKey
	}
	if opts.Region == "" {
		opts.Region = DefaultRegion
	}
	st := store.NewMemory(store.Options{})
	tb.Cleanup(func() { st.Close() })
	for _, b := range opts.Buckets {
		if err := st.CreateBucket(store.Bucket{Name: b, Owner: emulator.DefaultAccountID}); err != nil {
			tb.Fatalf("upstreamtest: create bucket %s: %v", b, err)
		}
	}
	topo := vpce.DefaultTopology()
	emu, err := emulator.New(emulator.Options{Topology: topo, Store: st, AuthOff: true, DNSAddr: "off", LifecycleDay: -1})
	if err != nil {
		tb.Fatalf("upstreamtest: %v", err)
	}
	tb.Cleanup(func() { emu.Close() })
	u, err := url.Parse(topo.Endpoints()[0].BucketURL("", 0))
	if err != nil {
		tb.Fatalf("upstreamtest: %v", err)
	}
	s := &Server{opts: opts, emu: emu, st: st, host: u.Host, now: time.Now}
	s.https = httptest.NewServer(s)
	tb.Cleanup(s.Close)
	return s
}

// URL is the upstream's base URL, "http://127.0.0.1:port" (path style).
func (s *Server) URL() string { return s.https.URL }

// Credentials are the credentials the upstream accepts.
func (s *Server) Credentials() aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(s.opts.AccessKeyID, s.opts.SecretAccessKey, "")
}

// Handler is the upstream as an in-process handler (signature check,
// recording, S3), for an emulator that forwards without a network. It
// takes path-style requests, and virtual-hosted ones whose Host is
// bucket.s3.<region>.amazonaws.com (an emulator whose upstream URL is
// AWS's, reaching this handler in process).
func (s *Server) Handler() http.Handler { return s }

// Store is the upstream's store: read objects back with Object.
func (s *Server) Store() *store.Store { return s.st }

// Object returns the current version's bytes of bucket/key, read directly
// from the upstream's store.
func (s *Server) Object(bucket, key string) ([]byte, error) {
	v, err := s.st.Object(bucket, key, "")
	if err != nil {
		return nil, fmt.Errorf("upstreamtest: %s/%s: %w", bucket, key, err)
	}
	rc, err := s.st.Open(v, 0, v.Size)
	if err != nil {
		return nil, fmt.Errorf("upstreamtest: %s/%s: %w", bucket, key, err)
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// Seen returns every request received so far, oldest first.
func (s *Server) Seen() []Seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Seen(nil), s.seen...)
}

// Reset forgets the requests seen so far.
func (s *Server) Reset() {
	s.mu.Lock()
	s.seen = nil
	s.mu.Unlock()
}

// Close stops the listener (the port is then closed: the upstream is
// "down"), waiting for requests in flight. It is idempotent.
func (s *Server) Close() { s.https.Close() }

// DownURL returns the URL of a loopback port nothing listens on: an
// upstream that is down.
func DownURL(tb testing.TB) string {
	tb.Helper()
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("upstreamtest: %v", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// ServeHTTP checks the signature, records the request and serves it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	seen := Seen{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.Query(), Host: r.Host,
		ContentSHA256: r.Header.Get("X-Amz-Content-Sha256"), ContentEncoding: r.Header.Get("Content-Encoding"),
		Header: r.Header.Clone()}
	// The request is recorded as its response starts, before the client
	// can have it: over the in-process transport the client has the
	// response at WriteHeader, while this handler still runs, so a record
	// made when the handler returns could land after the test's next step
	// (a Reset, a Seen).
	rw := &statusWriter{ResponseWriter: w, record: func(status int) {
		if s.opts.DiscardSeen {
			return
		}
		seen.Status = status
		s.mu.Lock()
		s.seen = append(s.seen, seen)
		s.mu.Unlock()
	}}
	defer rw.start(http.StatusOK) // a handler that wrote nothing answered 200
	key, serr := s.verify(r)
	seen.AccessKeyID = key
	if serr != nil {
		r = r.WithContext(s3err.WithRequestID(r.Context(), "UPSTREAMREFUSED0", "upstreamtest/refused"))
		s3err.Write(rw, r, serr)
		return
	}
	if b, ok := virtualHostBucket(r.Host); ok {
		// bucket.s3.<region>.amazonaws.com/key: the path-style request.
		r.URL.Path = "/" + b + r.URL.Path
		if r.URL.RawPath != "" {
			r.URL.RawPath = "/" + b + r.URL.RawPath
		}
	}
	r.Host = s.host
	s.emu.Handler().ServeHTTP(rw, r)
}

// virtualHostBucket returns the bucket of a virtual-hosted-style AWS
// host name, "bucket.s3.<region>.amazonaws.com" (reached in process, by
// an emulator whose upstream URL is AWS's).
func virtualHostBucket(host string) (string, bool) {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	bucket, rest, ok := strings.Cut(host, ".")
	if !ok || !strings.HasPrefix(rest, "s3.") || !strings.HasSuffix(rest, ".amazonaws.com") {
		return "", false
	}
	return bucket, true
}

// verify checks r's SigV4 signature against the upstream's credentials and
// returns its access key ID.
func (s *Server) verify(r *http.Request) (string, *s3err.Error) {
	a, err := sigv4.Parse(r)
	if err != nil {
		return "", toS3(err)
	}
	if a.Kind == sigv4.Anonymous {
		return "", s3err.New(http.StatusForbidden, "AccessDenied", "upstreamtest: anonymous requests are refused.")
	}
	if a.AccessKeyID != s.opts.AccessKeyID {
		return a.AccessKeyID, s3err.New(http.StatusForbidden, "InvalidAccessKeyId",
			"The AWS Access Key Id you provided does not exist in our records.").With("AWSAccessKeyId", a.AccessKeyID)
	}
	if a.Kind == sigv4.Header && r.Header.Get("X-Amz-Content-Sha256") == "" {
		return a.AccessKeyID, s3err.New(http.StatusBadRequest, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256")
	}
	if err := a.CheckScope(sigv4.Expect{Region: s.opts.Region, Service: "s3", Now: s.now()}); err != nil {
		return a.AccessKeyID, toS3(err)
	}
	if _, err := a.Verify(r, s.opts.SecretAccessKey); err != nil {
		return a.AccessKeyID, toS3(err)
	}
	return a.AccessKeyID, nil
}

func toS3(err error) *s3err.Error {
	var e *s3err.Error
	if errors.As(err, &e) {
		return e
	}
	return s3err.New(http.StatusBadRequest, "InvalidRequest", err.Error())
}

type statusWriter struct {
	http.ResponseWriter
	wrote  bool
	record func(status int) // once, before the response's first byte
}

// start records the response's status, once, before it is sent.
func (w *statusWriter) start(code int) {
	if !w.wrote {
		w.wrote = true
		w.record(code)
	}
}

func (w *statusWriter) WriteHeader(code int) {
	if code >= 200 { // not an informational 1xx
		w.start(code)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	w.start(http.StatusOK)
	return w.ResponseWriter.Write(p)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
