package main

import (
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var updateListing = flag.Bool("update-listing", false, "rewrite testdata/listing/*.golden from the aws CLI's output")

// listingTree is the fixture of the listing end-to-end test: nested
// directories, names with spaces, underscores and non-ASCII letters, and
// names that sort just before and after "dir/" ('-' < '/' < '_').
var listingTree = map[string]int{
	"root.txt":                   5,
	"dir-dash.txt":               17,
	"dir/a.txt":                  1,
	"dir/under_score.txt":        1234,
	"dir/ünïcødé.txt":            42,
	"dir/sub dir/with space.txt": 99,
	"dir/nested/deep/file.bin":   70000,
	"dir_sibling/x.txt":          3,
}

// listingDateTime is the date and time column of `aws s3 ls`, local time.
var listingDateTime = regexp.MustCompile(`(?m)^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d `)

// TestAWSCLIListingAndSync: the real aws CLI v2 syncs a fixture tree up,
// lists it the three ways users do (bucket root, a "directory", recursive)
// with the output S3 gives (PRE lines for common prefixes, sizes
// right-aligned in 10 columns), finds nothing to upload on a second sync,
// and syncs the tree back down byte for byte.
func TestAWSCLIListingAndSync(t *testing.T) {
	t.Parallel()
	needNamespaces(t)
	if _, err := os.Stat("/usr/bin/aws"); err != nil {
		t.Fatalf("Debian's aws CLI v2 (/usr/bin/aws) is missing: run .ci/run or apt-get install awscli")
	}
	home := t.TempDir()
	startServe(t, home, "--bucket", "listing")
	src := filepath.Join(home, "tree")
	past := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	for name, size := range listingTree {
		p := filepath.Join(src, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		body := []byte(strings.Repeat(name+"\n", size/(len(name)+1)+1)[:size])
		if err := os.WriteFile(p, body, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, past, past); err != nil {
			t.Fatal(err)
		}
	}
	aws := func(args ...string) string {
		t.Helper()
		r := runS3vpce(t, home, append([]string{"exec", "--", "/usr/bin/aws", "--endpoint-url", "https://bucket." + zonalName}, args...)...)
		if r.code != 0 {
			t.Fatalf("aws %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
		return r.stdout
	}

	up := aws("s3", "sync", src, "s3://listing/")
	if n := strings.Count(up, "upload: "); n != len(listingTree) {
		t.Errorf("first sync uploaded %d files, want %d:\n%s", n, len(listingTree), up)
	}

	for _, tc := range []struct{ golden, url string }{
		{"ls-root.golden", "s3://listing/"},
		{"ls-dir.golden", "s3://listing/dir/"},
		{"ls-recursive.golden", "--recursive s3://listing"},
		// Small pages: the CLI follows continuation tokens across common
		// prefixes and keys, and prints each page's PRE lines first.
		{"ls-root-page1.golden", "--page-size 1 s3://listing/"},
		{"ls-dir-page2.golden", "--page-size 2 s3://listing/dir/"},
		{"ls-recursive.golden", "--recursive --page-size 3 s3://listing"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			got := listingDateTime.ReplaceAllString(aws(append([]string{"s3", "ls"}, strings.Fields(tc.url)...)...), "YYYY-MM-DD hh:mm:ss ")
			path := filepath.Join("testdata", "listing", tc.golden)
			if *updateListing {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("aws s3 ls %s:\n%s\nwant (%s):\n%s", tc.url, got, path, want)
			}
		})
	}

	if again := aws("s3", "sync", src, "s3://listing/"); again != "" {
		t.Errorf("second sync was not empty:\n%s", again)
	}

	back := filepath.Join(home, "back")
	down := aws("s3", "sync", "s3://listing/", back)
	if n := strings.Count(down, "download: "); n != len(listingTree) {
		t.Errorf("sync down fetched %d files, want %d:\n%s", n, len(listingTree), down)
	}
	var got []string
	filepath.WalkDir(back, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(back, p)
			got = append(got, filepath.ToSlash(rel))
		}
		return nil
	})
	if len(got) != len(listingTree) {
		t.Errorf("synced-down tree has %q, want the %d fixture files", got, len(listingTree))
	}
	for name := range listingTree {
		sameFile(t, filepath.Join(src, filepath.FromSlash(name)), filepath.Join(back, filepath.FromSlash(name)))
	}
}
