package s3api

import (
	"bytes"
	"io"
	"maps"
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

// TestCanonicalIDs: the Handler's remembered IDs are CanonicalUserID's,
// for each account, computed and then remembered, past the memo's bound
// too, which holds.
func TestCanonicalIDs(t *testing.T) {
	h := New(nil)
	for round := range 2 {
		for i := range maxCanonicalIDs + 3 {
			account := strconv.Itoa(100000000000 + i)
			t.Run(strconv.Itoa(round)+"/"+account, func(t *testing.T) {
				if got, want := h.CanonicalUserID(account), CanonicalUserID(account); got != want {
					t.Errorf("CanonicalUserID(%s) = %s, want %s", account, got, want)
				}
			})
		}
	}
	if n := h.userIDs.Len(); n != maxCanonicalIDs {
		t.Errorf("holds %d IDs, want the bound %d", n, maxCanonicalIDs)
	}
}

// TestUserMetadata: x-amz-meta-* headers are found whatever the case of
// their keys in the map, others are not, no metadata is nil, and too much
// is MetadataTooLarge.
func TestUserMetadata(t *testing.T) {
	cases := []struct {
		name     string
		hdr      http.Header
		want     map[string]string
		wantCode string
	}{
		{name: "none", hdr: http.Header{"Content-Type": {"text/plain"}, "X-Amz-Date": {"x"}}, want: nil},
		{name: "canonical key", hdr: http.Header{"X-Amz-Meta-Color": {"red"}}, want: map[string]string{"color": "red"}},
		{name: "lower-case key as set in the map", hdr: http.Header{"x-amz-meta-color": {"red"}}, want: map[string]string{"color": "red"}},
		{name: "mixed case", hdr: http.Header{"X-AMZ-META-Size": {"big"}, "Other": {"x"}}, want: map[string]string{"size": "big"}},
		{name: "prefix alone", hdr: http.Header{"X-Amz-Meta-": {"x"}}, want: nil},
		{name: "shorter than the prefix", hdr: http.Header{"X-Amz": {"x"}}, want: nil},
		{name: "too large", hdr: http.Header{"X-Amz-Meta-Big": {strings.Repeat("x", maxUserMetadata)}}, wantCode: "MetadataTooLarge"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, serr := userMetadata(c.hdr)
			if c.wantCode != "" {
				if serr == nil || serr.Code != c.wantCode {
					t.Fatalf("error %v, want %s", serr, c.wantCode)
				}
				return
			}
			if serr != nil {
				t.Fatal(serr)
			}
			if !maps.Equal(got, c.want) || (got == nil) != (c.want == nil) {
				t.Errorf("userMetadata = %v, want %v", got, c.want)
			}
		})
	}
}

// TestHeaderSlots: headers set from one array keep their own values, also
// after more headers than one array holds and after an Add to one of them.
func TestHeaderSlots(t *testing.T) {
	hdr := http.Header{}
	var slots headerSlots
	want := map[string]string{}
	for i := range 9 {
		key := "X-Test-" + strconv.Itoa(i)
		slots.set(hdr, key, "v"+strconv.Itoa(i))
		want[key] = "v" + strconv.Itoa(i)
	}
	hdr.Add("X-Test-0", "added")
	for key, value := range want {
		t.Run(key, func(t *testing.T) {
			if got := hdr.Get(key); got != value {
				t.Errorf("%s = %q, want %q", key, got, value)
			}
		})
	}
	if got := hdr.Values("X-Test-0"); len(got) != 2 || got[1] != "added" {
		t.Errorf("X-Test-0 = %q, want [v0 added]", got)
	}
}
