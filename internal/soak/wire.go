package soak

import (
	"net/http"
	"strings"
	"sync"
)

// wireCounter wraps the HTTP client and counts the PUT requests that leave
// it by payload mode, as seen on the wire: this is where aws-chunked bodies
// with trailing checksums are proven to happen, not assumed from SDK
// defaults.
type wireCounter struct {
	next HTTPClient

	mu       sync.Mutex
	modes    map[string]int64
	trailers int64
}

var _ HTTPClient = (*wireCounter)(nil)

func newWireCounter(next HTTPClient) *wireCounter {
	return &wireCounter{next: next, modes: map[string]int64{}}
}

// Do counts req (when it is a PUT) and sends it.
func (w *wireCounter) Do(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPut {
		mode, trailer := payloadMode(req)
		w.mu.Lock()
		w.modes[mode]++
		if trailer {
			w.trailers++
		}
		w.mu.Unlock()
	}
	return w.next.Do(req)
}

func (w *wireCounter) snapshot() (map[string]int64, int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	m := make(map[string]int64, len(w.modes))
	for k, v := range w.modes {
		m[k] = v
	}
	return m, w.trailers
}

// payloadMode describes how req carries its payload, and whether it is an
// aws-chunked body with a trailing header.
func payloadMode(req *http.Request) (string, bool) {
	if req.URL.Query().Get("X-Amz-Signature") != "" {
		return "presigned URL", false
	}
	sha := req.Header.Get("X-Amz-Content-Sha256")
	trailer := req.Header.Get("X-Amz-Trailer")
	if trailer != "" && strings.Contains(req.Header.Get("Content-Encoding"), "aws-chunked") {
		return sha + " (aws-chunked, trailer " + trailer + ")", true
	}
	if len(sha) == 64 && strings.Trim(sha, "0123456789abcdef") == "" {
		return "signed payload (hex SHA-256)", false
	}
	if sha == "" {
		return "no x-amz-content-sha256", false
	}
	return sha, false
}
