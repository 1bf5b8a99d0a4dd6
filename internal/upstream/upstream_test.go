package upstream

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/s3vpce/s3vpce/internal/awschunked"
	"github.com/s3vpce/s3vpce/internal/s3api"
	"github.com/s3vpce/s3vpce/internal/s3err"
)

func testForwarder(t *testing.T, url string, pathStyle bool) *Forwarder {
	t.Helper()
	f, err := New(Options{URL: url, Credentials: credentials.NewStaticCredentialsProvider("AKIDUP", "secret", ""), Region: "us-east-1", PathStyle: pathStyle})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestTarget(t *testing.T) {
	tests := []struct {
		name, base  string
		pathStyle   bool
		bucket, key string
		want        string
	}{
		{"path style", "http://127.0.0.1:9000", false, "b", "a b/c+d", "http://127.0.0.1:9000/b/a%20b/c%2Bd"},
		{"path style under a prefix", "http://minio:9000/s3/", false, "b", "k", "http://minio:9000/s3/b/k"},
		{"bucket only", "http://127.0.0.1:9000", false, "b", "", "http://127.0.0.1:9000/b"},
		{"service", "http://127.0.0.1:9000", false, "", "", "http://127.0.0.1:9000/"},
		{"virtual-hosted on AWS", "https://s3.us-east-1.amazonaws.com", false, "b", "x/é", "https://b.s3.us-east-1.amazonaws.com/x/%C3%A9"},
		{"dotted bucket stays path style on AWS", "https://s3.us-east-1.amazonaws.com", false, "my.b", "k", "https://s3.us-east-1.amazonaws.com/my.b/k"},
		{"forced path style on AWS", "https://s3.us-east-1.amazonaws.com", true, "b", "k", "https://s3.us-east-1.amazonaws.com/b/k"},
		{"unreserved kept, others escaped", "http://h", false, "b", "a-_.~!*'()", "http://h/b/a-_.~%21%2A%27%28%29"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := testForwarder(t, tc.base, tc.pathStyle)
			if got := f.target(tc.bucket, tc.key).String(); got != tc.want {
				t.Fatalf("target = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestNewRejects(t *testing.T) {
	creds := credentials.NewStaticCredentialsProvider("a", "b", "")
	tests := []struct {
		name string
		opts Options
	}{
		{"no scheme", Options{URL: "minio:9000", Credentials: creds, Region: "r"}},
		{"ftp", Options{URL: "ftp://h", Credentials: creds, Region: "r"}},
		{"query", Options{URL: "http://h/?x=1", Credentials: creds, Region: "r"}},
		{"no credentials", Options{URL: "http://h", Region: "r"}},
		{"no region", Options{URL: "http://h", Credentials: creds}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.opts); err == nil {
				t.Fatal("New accepted it")
			}
		})
	}
}

func TestForwardQuery(t *testing.T) {
	tests := []struct {
		name, raw, want string
		wantHeader      map[string]string
	}{
		{"plain", "list-type=2&prefix=a%20b", "list-type=2&prefix=a%20b", nil},
		{"presigned", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AK%2F2026&X-Amz-Date=1&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=ab&versionId=v1",
			"versionId=v1", nil},
		{"hoisted header", "x-amz-acl=private&X-Amz-Security-Token=t&partNumber=1", "partNumber=1", map[string]string{"X-Amz-Acl": "private"}},
		{"empty", "", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if got := forwardQuery(tc.raw, h); got != tc.want {
				t.Fatalf("forwardQuery = %q, want %q", got, tc.want)
			}
			if len(h) != len(tc.wantHeader) {
				t.Fatalf("headers %v, want %v", h, tc.wantHeader)
			}
			for k, v := range tc.wantHeader {
				if h.Get(k) != v {
					t.Fatalf("header %s = %q, want %q", k, h.Get(k), v)
				}
			}
		})
	}
}

// TestChunkEncoder: the re-framed body decodes with awschunked to the
// payload and its trailer, and is exactly as long as announced.
func TestChunkEncoder(t *testing.T) {
	for _, size := range []int{1, encodeChunkSize - 1, encodeChunkSize, 3*encodeChunkSize + 17} {
		for _, alg := range awschunked.Algorithms() {
			t.Run(alg+"/"+itoa(int64(size)), func(t *testing.T) {
				payload := bytes.Repeat([]byte("abcdefg"), size/7+1)[:size]
				h, header, err := awschunked.Checksum(alg)
				if err != nil {
					t.Fatal(err)
				}
				h.Write(payload)
				value := awschunked.EncodeChecksum(h)
				enc := newChunkEncoder(bytes.NewReader(payload), int64(size), strings.ToLower(header), alg, func() (string, string) { return alg, value })
				want := enc.encodedLength()
				encoded, err := io.ReadAll(enc)
				if err != nil {
					t.Fatal(err)
				}
				if int64(len(encoded)) != want {
					t.Fatalf("encoded %d bytes, announced %d", len(encoded), want)
				}
				hdr := http.Header{}
				hdr.Set("X-Amz-Content-Sha256", streamingUnsignedTrailer)
				hdr.Set("X-Amz-Trailer", strings.ToLower(header))
				hdr.Set("X-Amz-Decoded-Content-Length", itoa(int64(size)))
				opts, err := awschunked.OptionsFromHeader(hdr)
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(awschunked.NewReader(bytes.NewReader(encoded), opts))
				if err != nil || !bytes.Equal(got, payload) {
					t.Fatalf("decoded %d bytes, %v", len(got), err)
				}
			})
		}
	}
}

// TestChunkEncoderStopsOnVerdict: a body whose last read fails (a
// checksum found wrong at the end) ends the encoding with that error,
// before the final chunk, so the upstream never sees a complete body.
func TestChunkEncoderStopsOnVerdict(t *testing.T) {
	bad := s3err.New(http.StatusBadRequest, "BadDigest", "no")
	src := verdictReader{io.MultiReader(strings.NewReader("hello"), errReader{bad})}
	enc := newChunkEncoder(src, 5, "x-amz-checksum-crc32", "CRC32", func() (string, string) { return "CRC32", "AAAAAA==" })
	out, err := io.ReadAll(enc)
	var serr *s3err.Error
	if !errors.As(err, &serr) || serr.Code != "BadDigest" {
		t.Fatalf("error = %v, want BadDigest", err)
	}
	if bytes.Contains(out, []byte("0\r\n")) {
		t.Fatalf("the final chunk was sent: %q", out)
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func TestRewriteErrorIDs(t *testing.T) {
	tests := []struct {
		name, doc, want, code string
	}{
		{"S3 error", `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>m</Message><Key>k</Key><RequestId>UP1</RequestId><HostId>uphost</HostId></Error>`,
			`<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>m</Message><Key>k</Key><RequestId>OWN</RequestId><HostId>own&amp;host</HostId></Error>`, "NoSuchKey"},
		{"no IDs", `<Error><Code>SlowDown</Code></Error>`, `<Error><Code>SlowDown</Code></Error>`, "SlowDown"},
		{"not an error", `<ListBucketResult><RequestId>x</RequestId></ListBucketResult>`, `<ListBucketResult><RequestId>x</RequestId></ListBucketResult>`, ""},
		{"not XML", `oops`, `oops`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, code := RewriteErrorIDs([]byte(tc.doc), "OWN", "own&host")
			if string(got) != tc.want || code != tc.code {
				t.Fatalf("RewriteErrorIDs = %s, %q; want %s, %q", got, code, tc.want, tc.code)
			}
		})
	}
}

// TestForwardUnreachable: a closed port answers 503 ServiceUnavailable
// with s3vpce's request ID.
func TestForwardUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	f := testForwarder(t, url, false)
	r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/b/k", nil)
	r = r.WithContext(s3err.WithRequestID(r.Context(), "RID", "HID"))
	w := httptest.NewRecorder()
	status := f.Forward(w, &Request{Bucket: "b", Key: "k", HTTP: r, RequestID: "RID", HostID: "HID"})
	if status != http.StatusServiceUnavailable || w.Code != http.StatusServiceUnavailable ||
		!strings.Contains(w.Body.String(), "<Code>ServiceUnavailable</Code>") || !strings.Contains(w.Body.String(), "<RequestId>RID</RequestId>") {
		t.Fatalf("Forward: %d %s", w.Code, w.Body)
	}
}

// TestForwardClientGone: a client that goes away cancels the upstream
// request, which the upstream sees as its request's context ending.
func TestForwardClientGone(t *testing.T) {
	started, cancelled := make(chan struct{}), make(chan struct{})
	f, err := New(Options{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
		close(cancelled)
	}), Credentials: credentials.NewStaticCredentialsProvider("a", "b", ""), Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	r := httptest.NewRequestWithContext(ctx, http.MethodGet, "/b/k", nil)
	done := make(chan int)
	go func() { done <- f.Forward(httptest.NewRecorder(), &Request{Bucket: "b", Key: "k", HTTP: r}) }()
	<-started
	cancel()
	<-cancelled
	if status := <-done; status != 0 {
		t.Fatalf("Forward = %d after the client left, want 0", status)
	}
}

// TestForwardStreamsBody: a PUT body reaches the upstream unbuffered with
// the decoded length and UNSIGNED-PAYLOAD.
func TestForwardStreamsBody(t *testing.T) {
	var gotHash, gotLen string
	var gotBody []byte
	f, err := New(Options{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotHash, gotLen = r.Header.Get("X-Amz-Content-Sha256"), r.Header.Get("Content-Length")
		gotBody, _ = io.ReadAll(r.Body)
		w.Header().Set("X-Amz-Request-Id", "UPID")
		w.Header().Set("ETag", `"e"`)
	}), Credentials: credentials.NewStaticCredentialsProvider("a", "b", ""), Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequestWithContext(t.Context(), http.MethodPut, "/b/k", nil)
	r.Header.Set("Authorization", "client's")
	w := httptest.NewRecorder()
	body := &s3api.Body{Reader: strings.NewReader("payload"), Size: 7}
	f.Forward(w, &Request{Bucket: "b", Key: "k", HTTP: r, Body: body, PayloadHash: "UNSIGNED-PAYLOAD", RequestID: "OWN", HostID: "H"})
	if string(gotBody) != "payload" || gotHash != unsignedPayload {
		t.Fatalf("upstream got %q with x-amz-content-sha256 %q, Content-Length %q", gotBody, gotHash, gotLen)
	}
	if w.Header().Get("X-Amz-Request-Id") != "OWN" || w.Header().Get(HeaderUpstreamRequestID) != "UPID" || w.Header().Get("ETag") != `"e"` {
		t.Fatalf("response headers %v", w.Header())
	}
}

// TestForwardReusesConnections: sequential forwarded requests share one
// upstream connection (responses are read to their end before the
// request's context ends).
func TestForwardReusesConnections(t *testing.T) {
	payload := bytes.Repeat([]byte("z"), 1<<20)
	var mu sync.Mutex
	conns := 0
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", itoa(int64(len(payload))))
		w.Write(payload)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			mu.Lock()
			conns++
			mu.Unlock()
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	f := testForwarder(t, srv.URL, false)
	for range 20 {
		r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/b/k", nil)
		w := httptest.NewRecorder()
		if status := f.Forward(w, &Request{Bucket: "b", Key: "k", HTTP: r}); status != http.StatusOK || w.Body.Len() != len(payload) {
			t.Fatalf("Forward: %d, %d bytes", status, w.Body.Len())
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if conns != 1 {
		t.Fatalf("%d upstream connections for 20 sequential requests, want 1", conns)
	}
}
