package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAWSCLIValidation: Debian's aws CLI v2 inside s3vpce exec reads a
// suffix range (bytes=-5) and, with a malformed range (bytes= -1), the
// whole object as S3 answers it; put-object --storage-class BOGUS is
// refused with InvalidStorageClass; a request naming another account in
// --expected-bucket-owner is refused with AccessDenied.
func TestAWSCLIValidation(t *testing.T) {
	t.Parallel()
	needNamespaces(t)
	if _, err := os.Stat("/usr/bin/aws"); err != nil {
		t.Fatalf("Debian's aws CLI v2 (/usr/bin/aws) is missing: run .ci/run or apt-get install awscli")
	}
	home := t.TempDir()
	startServe(t, home, "--bucket", "val")
	aws := func(args ...string) result {
		t.Helper()
		return runS3vpce(t, home, append([]string{"exec", "--", "/usr/bin/aws", "--output", "json", "--endpoint-url", "https://bucket." + regionalName}, args...)...)
	}
	body := filepath.Join(home, "body.txt")
	if err := os.WriteFile(body, []byte("0123456789abcdef"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := aws("s3api", "put-object", "--bucket", "val", "--key", "k", "--body", body); r.code != 0 {
		t.Fatalf("put-object: exit %d\n%s", r.code, r.stderr)
	}

	ranges := []struct{ rng, want, contentRange string }{
		{"bytes=-5", "bcdef", `"ContentRange": "bytes 11-15/16"`},
		{"bytes= -1", "0123456789abcdef", ""},
	}
	for i, tc := range ranges {
		out := filepath.Join(home, "out"+string(rune('0'+i)))
		r := aws("s3api", "get-object", "--bucket", "val", "--key", "k", "--range", tc.rng, out)
		if r.code != 0 {
			t.Fatalf("get-object --range %q: exit %d\n%s", tc.rng, r.code, r.stderr)
		}
		if got, err := os.ReadFile(out); err != nil || string(got) != tc.want {
			t.Errorf("get-object --range %q wrote %q (%v), want %q", tc.rng, got, err, tc.want)
		}
		if hasRange := strings.Contains(r.stdout, "ContentRange"); hasRange != (tc.contentRange != "") ||
			tc.contentRange != "" && !strings.Contains(r.stdout, tc.contentRange) {
			t.Errorf("get-object --range %q answered %s, want %s", tc.rng, r.stdout, tc.contentRange)
		}
	}

	r := aws("s3api", "put-object", "--bucket", "val", "--key", "bogus", "--body", body, "--storage-class", "BOGUS")
	if r.code == 0 || !strings.Contains(r.stderr, "An error occurred (InvalidStorageClass) when calling the PutObject operation: The storage class you specified is not valid") {
		t.Errorf("put-object --storage-class BOGUS: exit %d\n%s", r.code, r.stderr)
	}
	r = aws("s3api", "head-object", "--bucket", "val", "--key", "k", "--expected-bucket-owner", "222222222222")
	if r.code == 0 || !strings.Contains(r.stderr, "(403)") {
		t.Errorf("head-object --expected-bucket-owner 222222222222: exit %d\n%s", r.code, r.stderr)
	}
	r = aws("s3api", "get-object-tagging", "--bucket", "val", "--key", "k", "--expected-bucket-owner", "222222222222")
	if r.code == 0 || !strings.Contains(r.stderr, "An error occurred (AccessDenied) when calling the GetObjectTagging operation: Access Denied") {
		t.Errorf("get-object-tagging --expected-bucket-owner 222222222222: exit %d\n%s", r.code, r.stderr)
	}
}
