package emulator_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/emulator/emulatortest"
)

// lockedBuffer is a bytes.Buffer for a logger writing from server goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestRequestLogLine: at debug level (serve -v) every request's log line
// carries method, Host, path, status, S3 error code, response bytes,
// duration and request ID.
func TestRequestLogLine(t *testing.T) {
	var logs lockedBuffer
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},{"Sid":"DenyPut","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"*"},{"Sid":"NoListPrivate","Effect":"Deny","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::private"}]}`
	srv := emulatortest.New(t, emulatortest.WithBuckets("photos", "private"), emulatortest.WithOptions(func(o *emulator.Options) {
		o.AuthOff = true
		o.DNSAddr = "off"
		o.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}))
	srv.SetEndpointPolicy(srv.Topology().Endpoints()[0].ID, deny)
	host := "bucket." + srv.Topology().Endpoints()[0].RegionalName()
	for _, tc := range []struct {
		name, method, path string
		status             int
		code               string // "" when the response is no error
		body               bool   // response has a body
	}{
		{"allowed list", http.MethodGet, "/photos", http.StatusOK, "", true},
		{"denied by endpoint policy", http.MethodPut, "/photos/cat.jpg", http.StatusForbidden, "AccessDenied", true},
		{"HEAD error has no body nor code, as in S3", http.MethodHead, "/photos/cat.jpg", http.StatusNotFound, "", false},
		{"HEAD missing key without ListBucket: AccessDenied", http.MethodHead, "/private/missing", http.StatusForbidden, "AccessDenied", false},
		{"error from the S3 layer", http.MethodGet, "/nosuchbucket/key", http.StatusNotFound, "NoSuchBucket", true},
		{"refused before authorization", http.MethodGet, "/photos/%ff", http.StatusBadRequest, "InvalidURI", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), tc.method, "https://"+host+tc.path, strings.NewReader(""))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			id := resp.Header.Get("x-amz-request-id")
			var line map[string]any
			for l := range strings.Lines(logs.String()) {
				var m map[string]any
				if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "request" && m["request_id"] == id {
					line = m
				}
			}
			if line == nil {
				t.Fatalf("no request log line with request_id %s in:\n%s", id, logs.String())
			}
			for k, want := range map[string]any{"method": tc.method, "host": host, "path": tc.path, "status": float64(tc.status)} {
				if line[k] != want {
					t.Errorf("%s = %v, want %v", k, line[k], want)
				}
			}
			if code, _ := line["code"].(string); code != tc.code {
				t.Errorf("code = %q, want %q", code, tc.code)
			}
			if n, ok := line["bytes"].(float64); !ok || (n > 0) != tc.body {
				t.Errorf("bytes = %v, want a body: %v", line["bytes"], tc.body)
			}
			if d, _ := line["duration"].(string); d == "" {
				t.Errorf("no duration in %v", line)
			}
		})
	}
}
