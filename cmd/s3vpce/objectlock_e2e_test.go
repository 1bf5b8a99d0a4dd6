package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestAWSCLIObjectLock is issue 16's object lock story with Debian's aws
// CLI v2 inside s3vpce exec: a bucket created with lock takes a default
// retention; a version under GOVERNANCE retention is not deleted by
// version ID, a legal hold holds even against the bypass, and once the
// hold is lifted the delete with --bypass-governance-retention goes.
func TestAWSCLIObjectLock(t *testing.T) {
	needNamespaces(t)
	home := t.TempDir()
	startServeProcess(t, home, "--dns-addr", "127.0.0.1:0")
	bucketURL := "https://bucket." + regionalName
	aws := func(args ...string) result {
		t.Helper()
		return runS3vpce(t, home, append([]string{"exec", "--", "/usr/bin/aws", "--output", "json", "--endpoint-url", bucketURL, "s3api"}, args...)...)
	}
	must := func(what string, r result) result {
		t.Helper()
		if r.code != 0 {
			t.Fatalf("%s: exit %d\n%s\n%s", what, r.code, r.stdout, r.stderr)
		}
		return r
	}
	must("create-bucket", aws("create-bucket", "--bucket", "lockbkt", "--object-lock-enabled-for-bucket"))
	must("put-object-lock-configuration", aws("put-object-lock-configuration", "--bucket", "lockbkt", "--object-lock-configuration",
		`{"ObjectLockEnabled":"Enabled","Rule":{"DefaultRetention":{"Mode":"GOVERNANCE","Days":1}}}`))
	file := filepath.Join(home, "obj.txt")
	writeRandom(t, file, 1024)
	put := func(key string) string {
		t.Helper()
		var out struct{ VersionId string }
		r := must("put-object", aws("put-object", "--bucket", "lockbkt", "--key", key, "--body", file))
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out.VersionId == "" {
			t.Fatalf("put-object answered %s (%v): want a version ID", r.stdout, err)
		}
		return out.VersionId
	}
	refused := func(what string, r result) {
		t.Helper()
		if r.code == 0 || !strings.Contains(r.stderr, "(AccessDenied)") {
			t.Errorf("%s: exit %d, want AccessDenied\n%s", what, r.code, r.stderr)
		}
	}

	v := put("obj.txt")
	must("put-object-retention", aws("put-object-retention", "--bucket", "lockbkt", "--key", "obj.txt", "--version-id", v,
		"--retention", "Mode=GOVERNANCE,RetainUntilDate=2099-01-01T00:00:00Z"))
	refused("delete-object --version-id under retention", aws("delete-object", "--bucket", "lockbkt", "--key", "obj.txt", "--version-id", v))
	must("put-object-legal-hold ON", aws("put-object-legal-hold", "--bucket", "lockbkt", "--key", "obj.txt", "--legal-hold", "Status=ON"))
	refused("delete-object under legal hold, with bypass", aws("delete-object", "--bucket", "lockbkt", "--key", "obj.txt", "--version-id", v, "--bypass-governance-retention"))
	must("put-object-legal-hold OFF", aws("put-object-legal-hold", "--bucket", "lockbkt", "--key", "obj.txt", "--legal-hold", "Status=OFF"))
	must("delete-object --bypass-governance-retention", aws("delete-object", "--bucket", "lockbkt", "--key", "obj.txt", "--version-id", v, "--bypass-governance-retention"))
}
