package sigv4

import (
	"strings"
	"testing"
)

func TestAppendCanonicalQuery(t *testing.T) {
	tests := []struct {
		name, raw string
		presigned bool
		want      string
		wantErr   bool
	}{
		{"empty", "", false, "", false},
		{"sdk x-id", "x-id=PutObject", false, "x-id=PutObject", false},
		{"subresource without value", "acl", false, "acl=", false},
		{"sorted by encoded pair", "b=2&a=2&a=1&A=3", false, "A=3&a=1&a=2&b=2", false},
		{"empty segments dropped", "&&a=1&", false, "a=1", false},
		{"empty key kept", "=v", false, "=v", false},
		{"escapes recoded", "k%2fx=a+b%7e%41&z=%3d=", false, "k%2Fx=a%20b~A&z=%3D%3D", false},
		{"presigned drops signature", "X-Amz-Signature=ab&X-Amz-Date=1", true, "X-Amz-Date=1", false},
		{"escaped signature name dropped too", "X-Amz-%53ignature=ab&b=1", true, "b=1", false},
		{"header auth keeps signature param", "X-Amz-Signature=ab", false, "X-Amz-Signature=ab", false},
		{"semicolon", "a=1;b=2", false, "", true},
		{"bad escape", "a=%zz", false, "", true},
		{"bad escape in dropped signature", "X-Amz-Signature=%", true, "", true},
		{"truncated escape", "a%4", false, "", true},
		{"long query", strings.Repeat("k=v&", maxFastQueryParams+1), false, strings.TrimSuffix(strings.Repeat("k=v&", maxFastQueryParams+1), "&"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := appendCanonicalQuery([]byte("GET\n/\n"), tt.raw, tt.presigned)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err == nil && string(got) != "GET\n/\n"+tt.want {
				t.Fatalf("got %q, want %q", got, "GET\n/\n"+tt.want)
			}
		})
	}
}

// FuzzAppendCanonicalQuery: the in-place canonical query is canonicalQuery
// (url.ParseQuery, sort, join) byte for byte, and fails exactly when it
// does.
func FuzzAppendCanonicalQuery(f *testing.F) {
	f.Add("x-id=PutObject", false)
	f.Add("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261125%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=ab", true)
	f.Add("a=%zz&b;c&&=+", false)
	f.Add("uploads&prefix=a%20b&max-keys=3", false)
	f.Fuzz(func(t *testing.T, raw string, presigned bool) {
		prefix := []byte("PUT\n/k\n")
		got, err := appendCanonicalQuery(prefix, raw, presigned)
		want, wantErr := canonicalQuery(raw, presigned)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("%q: err %v, canonicalQuery's %v", raw, err, wantErr)
		}
		if err == nil && string(got) != string(prefix)+want {
			t.Fatalf("%q: %q, canonicalQuery gives %q", raw, got[len(prefix):], want)
		}
	})
}
