package s3api

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
)

// TestCanonicalHeaderKeys: the keys set without http.Header.Set are the
// ones Set would use.
func TestCanonicalHeaderKeys(t *testing.T) {
	for _, key := range []string{keyETag, keyVersionID, keyContentLength, keyLastModified, keyAcceptRanges, keyChecksumType} {
		t.Run(key, func(t *testing.T) {
			if c := http.CanonicalHeaderKey(key); c != key {
				t.Errorf("key %q is not canonical: %q", key, c)
			}
		})
	}
}

// TestWriteBody: a body that writes itself out and one that is copied
// through the pool's buffer send the same bytes.
func TestWriteBody(t *testing.T) {
	body := strings.Repeat("0123456789", 100)
	bufs := &sync.Pool{New: func() any { b := make([]byte, 64); return &b }}
	cases := []struct {
		name string
		r    func() io.Reader
	}{
		{name: "WriterTo", r: func() io.Reader { return strings.NewReader(body) }},
		{name: "copied, one byte a read", r: func() io.Reader {
			return iotest.OneByteReader(strings.NewReader(body))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got bytes.Buffer
			writeBody(&got, c.r(), bufs)
			if got.String() != body {
				t.Errorf("wrote %d bytes %q…, want the %d of the body", got.Len(), got.String()[:min(got.Len(), 20)], len(body))
			}
		})
	}
}

// TestCanonicalIDs: the remembered IDs are CanonicalUserID's, for each
// account, before and after the memo starts over.
func TestCanonicalIDs(t *testing.T) {
	var c canonicalIDs
	for round := range 2 {
		for i := range maxCanonicalIDs + 3 {
			account := strconv.Itoa(100000000000 + i)
			t.Run(strconv.Itoa(round)+"/"+account, func(t *testing.T) {
				if got, want := c.of(account), CanonicalUserID(account); got != want {
					t.Errorf("of(%s) = %s, want %s", account, got, want)
				}
			})
		}
	}
	if n := len(c.ids); n > maxCanonicalIDs {
		t.Errorf("holds %d IDs, more than %d", n, maxCanonicalIDs)
	}
}
