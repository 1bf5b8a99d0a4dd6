package sigv4

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

func TestSpacesCanonical(t *testing.T) {
	cases := []struct {
		name string
		v    string
		want bool
	}{
		{"empty", "", true},
		{"one word", "abc", true},
		{"words", "a b c", true},
		{"leading space", " a", false},
		{"trailing space", "a ", false},
		{"two spaces", "a  b", false},
		{"tab", "a\tb", false},
		{"non-ASCII", "é", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := spacesCanonical(c.v); got != c.want {
				t.Errorf("spacesCanonical(%q) = %v, want %v", c.v, got, c.want)
			}
		})
	}
}

// FuzzSpacesCanonical: the fast check never calls a value canonical that
// strings.Fields would change, and appendHeaderValue gives what
// headerValue gives.
func FuzzSpacesCanonical(f *testing.F) {
	for _, s := range []string{"", "a b", " a", "a\u00a0b", "a\t b", "x,y"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, v1, v2 string) {
		want := strings.Join(strings.Fields(v1), " ")
		if spacesCanonical(v1) && want != v1 {
			t.Fatalf("spacesCanonical(%q) = true, but canonical form is %q", v1, want)
		}
		mk := func() *http.Request {
			r := httptest.NewRequest("GET", "https://h/", nil)
			r.Header["X-Test"] = []string{v1, v2}
			return r
		}
		r1, r2 := mk(), mk()
		old, ok1 := headerValue(r1, "x-test")
		got, ok2 := appendHeaderValue([]byte("p:"), r2, "x-test")
		if string(got) != "p:"+old || ok1 != ok2 {
			t.Fatalf("appendHeaderValue = %q, %v; headerValue = %q, %v", got, ok2, old, ok1)
		}
		if strings.Join(r1.Header["X-Test"], "|") != strings.Join(r2.Header["X-Test"], "|") {
			t.Fatalf("header left as %q, headerValue leaves %q", r2.Header["X-Test"], r1.Header["X-Test"])
		}
	})
}

// TestAppendHeaderValueContentLength: the canonical content-length is
// headerValue's, whether the header is there or only r.ContentLength.
func TestAppendHeaderValueContentLength(t *testing.T) {
	tests := []struct {
		name   string
		method string
		header []string // Content-Length values; nil for none
		length int64
	}{
		{"header", "PUT", []string{"1024"}, 1024},
		{"header with spaces", "PUT", []string{" 1024  "}, 1024},
		{"two values", "PUT", []string{"1", "2"}, 1},
		{"empty value", "PUT", []string{""}, 0},
		{"only ContentLength", "PUT", nil, 1024},
		{"zero ContentLength", "POST", nil, 0},
		{"unknown length", "PUT", nil, -1},
		{"GET without header", "GET", nil, 0},
		{"HEAD without header", "HEAD", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mk := func() *http.Request {
				r := &http.Request{Method: tt.method, Header: http.Header{}, ContentLength: tt.length}
				if tt.header != nil {
					r.Header["Content-Length"] = slices.Clone(tt.header)
				}
				return r
			}
			want, wantOK := headerValue(mk(), "content-length")
			got, ok := appendHeaderValue([]byte("x:"), mk(), "content-length")
			if string(got) != "x:"+want || ok != wantOK {
				t.Fatalf("appendHeaderValue = %q, %v; headerValue = %q, %v", got, ok, want, wantOK)
			}
		})
	}
}
