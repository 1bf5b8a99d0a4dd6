package sigv4

import (
	"net/http"
	"slices"
	"testing"
)

func TestHeaderValuesMatchesHeaderValues(t *testing.T) {
	h := http.Header{}
	for _, k := range []string{"X-Amz-Date", "Content-Type", "X-Amz-Meta-A1", "Odd Name", "x-lower-raw"} {
		h[k] = []string{"v:" + k}
	}
	for _, name := range []string{"x-amz-date", "X-AMZ-DATE", "content-type", "x-amz-meta-a1", "odd name", "x-lower-raw",
		"missing", "", "-x--y-", "x_amz_date", string(make([]byte, 70))} {
		t.Run(name, func(t *testing.T) {
			if got, want := headerValues(h, name), h.Values(name); !slices.Equal(got, want) {
				t.Fatalf("headerValues(%q) = %q, Header.Values: %q", name, got, want)
			}
		})
	}
}

// FuzzHeaderValues requires headerValues to find what Header.Values finds
// for any header name.
func FuzzHeaderValues(f *testing.F) {
	f.Add("x-amz-date", "X-Amz-Date")
	f.Add("content-md5", "Content-Md5")
	f.Add("a b", "a b")
	f.Fuzz(func(t *testing.T, name, stored string) {
		h := http.Header{}
		h.Add(stored, "1")
		h[stored] = append(h[stored], "raw")
		if got, want := headerValues(h, name), h.Values(name); !slices.Equal(got, want) {
			t.Fatalf("headerValues(%q) = %q, Header.Values: %q", name, got, want)
		}
	})
}
