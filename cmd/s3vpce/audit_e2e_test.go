package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// TestAWSCLIAuditModeWouldDeny: in audit mode the aws CLI's cp that the
// endpoint policy denies succeeds, explain --would-deny names the
// statement, action and principal, and policy-mode enforce makes the same
// cp fail with AccessDenied.
func TestAWSCLIAuditModeWouldDeny(t *testing.T) {
	t.Parallel()
	needNamespaces(t)
	home := t.TempDir()
	startServe(t, home, "--bucket", "auditbucket", "--policy-mode", "audit", "--endpoint-policy", "../../testdata/policies/deny-put.json")
	file := filepath.Join(home, "hi.txt")
	writeRandom(t, file, 100)
	url := "https://bucket." + zonalName
	aws := func(args ...string) result {
		return runS3vpce(t, home, append([]string{"exec", "--", "/usr/bin/aws", "--endpoint-url", url}, args...)...)
	}
	if r := aws("s3", "cp", file, "s3://auditbucket/one", "--only-show-errors"); r.code != 0 {
		t.Fatalf("cp in audit mode: exit %d: %s", r.code, r.stderr)
	}
	ex := runS3vpce(t, home, "explain", "--would-deny")
	for _, want := range []string{"policy mode: audit", "endpoint " + vpce.DefaultEndpointID, `Sid "DenyPut" (statement 1)`, "s3:PutObject",
		"arn:aws:iam::123456789012:user/s3vpce", "arn:aws:s3:::auditbucket/one"} {
		if ex.code != 0 || !strings.Contains(ex.stdout, want) {
			t.Errorf("explain --would-deny lacks %q: exit %d\n%s%s", want, ex.code, ex.stdout, ex.stderr)
		}
	}
	if r := runS3vpce(t, home, "policy-mode"); r.stdout != "audit\n" {
		t.Errorf("policy-mode: %q %s", r.stdout, r.stderr)
	}
	if r := runS3vpce(t, home, "policy-mode", "enforce"); r.code != 0 {
		t.Fatalf("policy-mode enforce: exit %d: %s", r.code, r.stderr)
	}
	r := aws("s3", "cp", file, "s3://auditbucket/two", "--only-show-errors")
	want := `An error occurred (AccessDenied) when calling the PutObject operation: User: arn:aws:iam::123456789012:user/s3vpce is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::auditbucket/two" with an explicit deny in a VPC endpoint policy`
	if r.code == 0 || !strings.Contains(r.stderr, want) {
		t.Errorf("cp after policy-mode enforce: exit %d, stderr:\n%s\nwant it to contain:\n%s", r.code, r.stderr, want)
	}
	j := runS3vpce(t, home, "explain", "--would-deny", "--json", "--reset")
	if j.code != 0 || !strings.Contains(j.stdout, `"Count": 1,`) || !strings.Contains(j.stdout, `"Mode": "enforce"`) {
		t.Errorf("explain --would-deny --json --reset: exit %d\n%s%s", j.code, j.stdout, j.stderr)
	}
	if e := runS3vpce(t, home, "explain", "--would-deny"); !strings.Contains(e.stdout, "no request would have been denied") {
		t.Errorf("after --reset:\n%s%s", e.stdout, e.stderr)
	}
}

// TestServePolicyModeFlag: --policy-mode audit shows in the banner and the
// log, and survives a restart on the same data without the flag; a bad
// value is a usage error.
func TestServePolicyModeFlag(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	out, errs := serveBanner(t, home, "--policy-mode", "audit")
	if !strings.Contains(out, "AUDIT MODE   POLICIES ARE NOT ENFORCED") || !strings.Contains(errs, "policy denials are NOT enforced") {
		t.Errorf("audit banner or warning missing:\n%s\n%s", out, errs)
	}
	if again, _ := serveBanner(t, home); !strings.Contains(again, "AUDIT MODE") {
		t.Errorf("restart on the same data forgot audit mode:\n%s", again)
	}
	if enforced, _ := serveBanner(t, home, "--policy-mode", "enforce"); strings.Contains(enforced, "AUDIT MODE") {
		t.Errorf("--policy-mode enforce still shows audit:\n%s", enforced)
	}
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"serve", "--home", t.TempDir(), "--policy-mode", "lenient"}, nil, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "want enforce or audit") {
		t.Errorf("--policy-mode lenient: exit %d: %s", code, stderr.String())
	}
	if code := run(t.Context(), []string{"policy-mode", "--home", t.TempDir(), "lenient"}, nil, &stdout, &stderr); code != 2 {
		t.Errorf("policy-mode lenient: exit %d", code)
	}
}
