package s3api_test

import "testing"

func TestHelpersReachTheEmulator(t *testing.T) {
	srv, c := newServer(t, "b")
	put(t, c, "b", "k", "v")
	if r := do(t, srv, "GET", "/b/k", nil, nil); r.Status != 200 || string(r.Body) != "v" {
		t.Fatalf("GET: %d %q", r.Status, r.Body)
	}
	if r := do(t, srv, "GET", "/b/missing", nil, nil); r.Status != 404 || errorOf(t, r).Code != "NoSuchKey" {
		t.Fatalf("GET missing: %d %q", r.Status, r.Body)
	}
}
