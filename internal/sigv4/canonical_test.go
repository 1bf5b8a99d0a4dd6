package sigv4

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestCanonicalURIAbsoluteForm(t *testing.T) {
	tests := []struct{ name, target, want string }{
		{"origin form", "/b/k", "/b/k"},
		{"plain absolute", "https://b.example:4443/b/k.txt", "/b/k.txt"},
		{"no port", "http://host/b/k", "/b/k"},
		{"escaped path", "https://host/b/a%20b", "/b/a%20b"},
		{"needs escaping", "https://host/b/a b", "/b/a%20b"},
		{"bad port", "https://host:x/b/k", "https://host:x/b/k"},
		{"userinfo", "https://u@host/b/k", "/b/k"},
		{"no path", "https://host", "/"},
		{"query", "https://host/b/k?acl", "/b/k"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &http.Request{RequestURI: tt.target, URL: &url.URL{Path: "/"}}
			if got := canonicalURI(r); got != tt.want {
				t.Fatalf("canonicalURI(%q) = %q, want %q", tt.target, got, tt.want)
			}
		})
	}
}

// FuzzCanonicalURI: the absolute-form fast path gives what url.Parse
// does.
func FuzzCanonicalURI(f *testing.F) {
	for _, s := range []string{"https://b.example:4443/b/k", "http://h:/x", "https://h:1:2/x", "https://[::1]:9/x", "https://h/a%2Fb"} {
		f.Add(strings.TrimPrefix(s, "https://"))
	}
	f.Fuzz(func(t *testing.T, target string) {
		for _, p := range []string{"https://" + target, "http://h" + target} {
			if got, want := absoluteFormPath(p), parsedAbsolutePath(p); got != want {
				t.Fatalf("absoluteFormPath(%q) = %q, url.Parse gives %q", p, got, want)
			}
		}
	})
}
