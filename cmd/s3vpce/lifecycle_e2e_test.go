package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestAWSCLILifecycleAndLogging is issue 16's lifecycle story with
// Debian's aws CLI v2 inside s3vpce exec: a lifecycle configuration and a
// logging configuration round-trip, an invalid rule is refused with S3's
// code, and head-object reports the rule that expires an object.
func TestAWSCLILifecycleAndLogging(t *testing.T) {
	needNamespaces(t)
	home := t.TempDir()
	startServeProcess(t, home, "--bucket", "lcb", "--bucket", "lclogs", "--dns-addr", "127.0.0.1:0", "--lifecycle-day", "10s")
	aws := func(args ...string) result {
		t.Helper()
		return runS3vpce(t, home, append([]string{"exec", "--", "/usr/bin/aws", "--output", "json", "--endpoint-url", regionalURL}, args...)...)
	}

	r := aws("s3api", "put-bucket-lifecycle-configuration", "--bucket", "lcb", "--lifecycle-configuration",
		`{"Rules":[{"ID":"tmp-rule","Filter":{"Prefix":"tmp/"},"Status":"Enabled","Expiration":{"Days":3}}]}`)
	if r.code != 0 {
		t.Fatalf("put-bucket-lifecycle-configuration: exit %d\n%s", r.code, r.stderr)
	}
	r = aws("s3api", "get-bucket-lifecycle-configuration", "--bucket", "lcb")
	var lc struct {
		Rules []struct {
			ID         string
			Filter     struct{ Prefix string }
			Expiration struct{ Days int }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &lc); r.code != 0 || err != nil || len(lc.Rules) != 1 ||
		lc.Rules[0].ID != "tmp-rule" || lc.Rules[0].Filter.Prefix != "tmp/" || lc.Rules[0].Expiration.Days != 3 {
		t.Fatalf("get-bucket-lifecycle-configuration: exit %d %+v\n%s\n%s", r.code, lc, r.stdout, r.stderr)
	}
	r = aws("s3api", "put-bucket-lifecycle-configuration", "--bucket", "lcb", "--lifecycle-configuration",
		`{"Rules":[{"ID":"zero","Filter":{"Prefix":""},"Status":"Enabled","Expiration":{"Days":0}}]}`)
	if r.code == 0 || !strings.Contains(r.stderr, "(InvalidArgument)") || !strings.Contains(r.stderr, "'Days' for Expiration action must be a positive integer") {
		t.Fatalf("Days 0 accepted or refused otherwise: exit %d\n%s", r.code, r.stderr)
	}

	file := filepath.Join(home, "obj.txt")
	writeRandom(t, file, 512)
	if r := aws("s3api", "put-object", "--bucket", "lcb", "--key", "tmp/a", "--body", file); r.code != 0 {
		t.Fatalf("put-object: exit %d\n%s", r.code, r.stderr)
	}
	r = aws("s3api", "head-object", "--bucket", "lcb", "--key", "tmp/a")
	var head struct{ Expiration string }
	if err := json.Unmarshal([]byte(r.stdout), &head); r.code != 0 || err != nil ||
		!strings.HasPrefix(head.Expiration, `expiry-date="`) || !strings.HasSuffix(head.Expiration, `", rule-id="tmp-rule"`) {
		t.Fatalf("head-object: exit %d, Expiration %q\n%s", r.code, head.Expiration, r.stderr)
	}

	r = aws("s3api", "put-bucket-logging", "--bucket", "lcb", "--bucket-logging-status",
		`{"LoggingEnabled":{"TargetBucket":"lclogs","TargetPrefix":"lcb/"}}`)
	if r.code != 0 {
		t.Fatalf("put-bucket-logging: exit %d\n%s", r.code, r.stderr)
	}
	r = aws("s3api", "get-bucket-logging", "--bucket", "lcb")
	var lg struct {
		LoggingEnabled struct{ TargetBucket, TargetPrefix string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &lg); r.code != 0 || err != nil ||
		lg.LoggingEnabled.TargetBucket != "lclogs" || lg.LoggingEnabled.TargetPrefix != "lcb/" {
		t.Fatalf("get-bucket-logging: exit %d %+v\n%s\n%s", r.code, lg, r.stdout, r.stderr)
	}
}
