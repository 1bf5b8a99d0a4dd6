package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestAWSCLIResponses is issue 21's response fields with Debian's aws CLI
// v2 inside s3vpce exec: a website configuration round trip, HeadBucket,
// and ListBuckets' owner without DisplayName (CLI 2.9.19's model predates
// BucketRegion: internal/s3api's SDK tests check that field).
func TestAWSCLIResponses(t *testing.T) {
	t.Parallel()
	needNamespaces(t)
	home := t.TempDir()
	startServeProcess(t, home, "--bucket", "webbucket", "--dns-addr", "127.0.0.1:0")
	bucketURL := "https://bucket." + regionalName
	aws := func(args ...string) result {
		t.Helper()
		return runS3vpce(t, home, append([]string{"exec", "--", "/usr/bin/aws", "--output", "json", "--endpoint-url", bucketURL}, args...)...)
	}
	cfg := `{"IndexDocument":{"Suffix":"index.html"},"ErrorDocument":{"Key":"error.html"},` +
		`"RoutingRules":[{"Condition":{"KeyPrefixEquals":"docs/"},"Redirect":{"ReplaceKeyPrefixWith":"documents/"}}]}`
	if r := aws("s3api", "put-bucket-website", "--bucket", "webbucket", "--website-configuration", cfg); r.code != 0 {
		t.Fatalf("put-bucket-website: exit %d\n%s", r.code, r.stderr)
	}
	r := aws("s3api", "get-bucket-website", "--bucket", "webbucket")
	var got struct {
		IndexDocument struct{ Suffix string }
		ErrorDocument struct{ Key string }
		RoutingRules  []struct {
			Condition struct{ KeyPrefixEquals string }
			Redirect  struct{ ReplaceKeyPrefixWith string }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); r.code != 0 || err != nil || got.IndexDocument.Suffix != "index.html" ||
		got.ErrorDocument.Key != "error.html" || len(got.RoutingRules) != 1 || got.RoutingRules[0].Redirect.ReplaceKeyPrefixWith != "documents/" {
		t.Fatalf("get-bucket-website: exit %d %+v\n%s\n%s", r.code, got, r.stdout, r.stderr)
	}
	if r := aws("s3api", "delete-bucket-website", "--bucket", "webbucket"); r.code != 0 {
		t.Fatalf("delete-bucket-website: exit %d\n%s", r.code, r.stderr)
	}
	if r := aws("s3api", "get-bucket-website", "--bucket", "webbucket"); r.code == 0 || !strings.Contains(r.stderr, "NoSuchWebsiteConfiguration") {
		t.Errorf("get-bucket-website after delete: exit %d\n%s", r.code, r.stderr)
	}
	if r := aws("s3api", "head-bucket", "--bucket", "webbucket"); r.code != 0 {
		t.Errorf("head-bucket: exit %d\n%s", r.code, r.stderr)
	}
	r = aws("s3api", "list-buckets")
	var list struct {
		Buckets []struct{ Name string }
		Owner   map[string]string
	}
	if err := json.Unmarshal([]byte(r.stdout), &list); r.code != 0 || err != nil || len(list.Buckets) != 1 || list.Buckets[0].Name != "webbucket" ||
		list.Owner["ID"] == "" || list.Owner["DisplayName"] != "" {
		t.Errorf("list-buckets: exit %d %+v\n%s\n%s", r.code, list, r.stdout, r.stderr)
	}
}
