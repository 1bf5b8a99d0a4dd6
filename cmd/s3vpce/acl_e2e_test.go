package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3vpce/s3vpce/internal/s3api"
)

// TestAWSCLIACLs is issue 16's ACL story with Debian's aws CLI v2 inside
// s3vpce exec, with two accounts (serve --credentials): an ObjectWriter
// bucket grants READ to the second account's canonical ID, which may then
// list it; under BucketOwnerEnforced (the default) --acl public-read is
// refused; the second account creates its own bucket and each account
// lists only its own.
func TestAWSCLIACLs(t *testing.T) {
	needNamespaces(t)
	home := t.TempDir()
	creds := filepath.Join(home, "credentials.txt")
	const altKey, altSecret = "AKIAACLE2EALT0000001", "aclE2eAltSecretKey000000000000000000000"
	if err := os.WriteFile(creds, []byte(
		"AKIAS3VPCE0EXAMPLE01 s3vpceLocalSecretKeyDoNotUseOnAWS000000 arn:aws:iam::123456789012:user/s3vpce\n"+
			altKey+" "+altSecret+" arn:aws:iam::222222222222:user/alt\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	startServeProcess(t, home, "--credentials", creds, "--dns-addr", "127.0.0.1:0")
	bucketURL := "https://bucket." + regionalName
	aws := func(alt bool, args ...string) result {
		t.Helper()
		cmd := s3vpceCmd(t, home, append([]string{"exec", "--keep-aws-env", "--", "/usr/bin/aws", "--output", "json", "--endpoint-url", bucketURL}, args...)...)
		key, secret := "AKIAS3VPCE0EXAMPLE01", "s3vpceLocalSecretKeyDoNotUseOnAWS000000"
		if alt {
			key, secret = altKey, altSecret
		}
		cmd.Env = append(cmd.Env, "AWS_ACCESS_KEY_ID="+key, "AWS_SECRET_ACCESS_KEY="+secret)
		return runCmd(t, cmd)
	}
	must := func(r result, what string) {
		t.Helper()
		if r.code != 0 {
			t.Fatalf("%s: exit %d\n%s%s", what, r.code, r.stdout, r.stderr)
		}
	}
	must(aws(false, "s3api", "create-bucket", "--bucket", "shared"), "create-bucket")
	must(aws(false, "s3api", "put-bucket-ownership-controls", "--bucket", "shared",
		"--ownership-controls", "Rules=[{ObjectOwnership=ObjectWriter}]"), "put-bucket-ownership-controls")
	if r := aws(true, "s3api", "list-objects-v2", "--bucket", "shared"); r.code == 0 || !strings.Contains(r.stderr, "AccessDenied") {
		t.Fatalf("alt lists before the grant: exit %d\n%s", r.code, r.stderr)
	}
	must(aws(false, "s3api", "put-bucket-acl", "--bucket", "shared", "--grant-read", "id="+s3api.CanonicalUserID("222222222222")), "put-bucket-acl")
	must(aws(true, "s3api", "list-objects-v2", "--bucket", "shared"), "alt lists with the grant")

	file := filepath.Join(home, "obj.txt")
	writeRandom(t, file, 128)
	// The second account's own bucket has S3's defaults: BucketOwnerEnforced.
	must(aws(true, "s3api", "create-bucket", "--bucket", "alt-own"), "alt create-bucket")
	r := aws(true, "s3api", "put-object", "--bucket", "alt-own", "--key", "k", "--body", file, "--acl", "public-read")
	if r.code == 0 || !strings.Contains(r.stderr, "An error occurred (AccessControlListNotSupported) when calling the PutObject operation: The bucket does not allow ACLs") {
		t.Errorf("put-object --acl public-read under BucketOwnerEnforced: exit %d\n%s", r.code, r.stderr)
	}
	names := func(alt bool) string {
		t.Helper()
		r := aws(alt, "s3api", "list-buckets")
		var out struct{ Buckets []struct{ Name string } }
		if err := json.Unmarshal([]byte(r.stdout), &out); r.code != 0 || err != nil {
			t.Fatalf("list-buckets: exit %d %v\n%s%s", r.code, err, r.stdout, r.stderr)
		}
		var n []string
		for _, b := range out.Buckets {
			n = append(n, b.Name)
		}
		return strings.Join(n, ",")
	}
	if got := names(false); got != "shared" {
		t.Errorf("main's list-buckets = %s, want shared", got)
	}
	if got := names(true); got != "alt-own" {
		t.Errorf("alt's list-buckets = %s, want alt-own", got)
	}
}
