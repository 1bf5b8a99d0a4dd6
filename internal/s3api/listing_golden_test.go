package s3api_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/emulator/emulatortest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// versionIDPattern matches the version IDs of a ListVersionsResult.
var versionIDPattern = regexp.MustCompile(`<(VersionId|NextVersionIdMarker|VersionIdMarker)>([^<]*)</`)

// stableIDs replaces each version ID but "null" by v1, v2, ... in
// order of first appearance across calls sharing names: the IDs the store
// makes are its own business.
func stableIDs(names map[string]string, body []byte) []byte {
	return versionIDPattern.ReplaceAllFunc(body, func(m []byte) []byte {
		sub := versionIDPattern.FindSubmatch(m)
		id := string(sub[2])
		if _, ok := names[id]; !ok {
			names[id] = fmt.Sprintf("v%d", len(names)-1) // "" and "null" are in names
		}
		return []byte("<" + string(sub[1]) + ">" + names[id] + "</")
	})
}

// TestListingObjectVersionsGolden writes a version history under a fixed
// clock (a null version from before versioning, versions on top of it, a
// delete marker, a key needing URL encoding) and compares
// ListObjectVersions answers with testdata/list_object_versions.golden
// (go test -run ObjectVersionsGolden -update rewrites it).
func TestListingObjectVersionsGolden(t *testing.T) {
	clock := &testClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	srv := emulatortest.New(t, emulatortest.WithBuckets("b"),
		emulatortest.WithOptions(func(o *emulator.Options) { o.Now = clock.now }))
	step := 0
	at := func() {
		step++
		clock.set(time.Date(2025, 3, 1, 12, step, 0, 0, time.UTC))
	}
	at()
	mustDoAt(t, srv, clock, "PUT", "/b/a", "null version of a", 200)
	at()
	mustDoAt(t, srv, clock, "PUT", "/b?versioning", `<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>`, 200)
	for _, w := range []struct{ key, body string }{
		{"a", "a, second"}, {"dir/x", "x one"}, {"dir/x", "x two"}, {"dir/y", "y"}, {"gone", "soon deleted"}, {"sp%20ace%2B", "encoded"},
	} {
		at()
		mustDoAt(t, srv, clock, "PUT", "/b/"+w.key, w.body, 200)
	}
	at()
	mustDoAt(t, srv, clock, "DELETE", "/b/gone", "", 204)

	var out bytes.Buffer
	names := map[string]string{"": "", "null": "null"}
	for _, query := range []string{
		"versions",
		"versions&delimiter=/&encoding-type=url",
		"versions&max-keys=2",
		"versions&max-keys=2&key-marker=a&version-id-marker=null",
	} {
		at()
		body := mustDoAt(t, srv, clock, "GET", "/b?"+query, "", 200)
		// One element a line, for readable diffs.
		body = bytes.ReplaceAll(stableIDs(names, body), []byte("><"), []byte(">\n<"))
		fmt.Fprintf(&out, "GET /b?%s\n%s\n\n", query, body)
	}

	checkGolden(t, "list_object_versions.golden", "ListObjectVersions", out.Bytes())
}

// checkGolden compares got, what the test produced for what, with
// testdata/name, or rewrites that file under -update.
func checkGolden(t *testing.T, name, what string, got []byte) {
	t.Helper()
	golden := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s (rerun with -update after checking):\n got:\n%s\nwant:\n%s", what, golden, got, want)
	}
}
