package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	accesspointURL = "https://accesspoint." + regionalName
	controlURL     = "https://control." + regionalName
	apAccount      = "123456789012"
)

// TestAWSCLIAccessPoints is issue 14's story with Debian's aws CLI v2 inside
// s3vpce exec: S3 Control through control.vpce-… creates a VPC-restricted
// access point; objects go in and out through accesspoint.vpce-… by ARN
// (path and virtual addressing styles) and through bucket.vpce-… by alias;
// an access point policy denies a prefix with AWS's wording; the access
// point refuses a request through another VPC's endpoint.
func TestAWSCLIAccessPoints(t *testing.T) {
	t.Parallel()
	needNamespaces(t)
	home := t.TempDir()
	p := startServeProcess(t, home, "--bucket", "apbucket", "--dns-addr", "127.0.0.1:0")
	aws := func(args ...string) result {
		t.Helper()
		return runS3vpce(t, home, append([]string{"exec", "--", "/usr/bin/aws", "--output", "json"}, args...)...)
	}
	arn := "arn:aws:s3:us-east-1:" + apAccount + ":accesspoint/ap1"

	r := aws("s3control", "create-access-point", "--account-id", apAccount, "--name", "ap1", "--bucket", "apbucket",
		"--vpc-configuration", "VpcId=vpc-0c1f3e5a7b9d2f468", "--endpoint-url", controlURL)
	if r.code != 0 {
		t.Fatalf("create-access-point: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	var created struct{ AccessPointArn, Alias string }
	if err := json.Unmarshal([]byte(r.stdout), &created); err != nil || created.AccessPointArn != arn || !strings.HasSuffix(created.Alias, "-s3alias") {
		t.Fatalf("create-access-point answered %s (%v): want %s and an alias", r.stdout, err, arn)
	}
	r = aws("s3control", "get-access-point", "--account-id", apAccount, "--name", "ap1", "--endpoint-url", controlURL)
	var got struct {
		Name, Bucket, NetworkOrigin, Alias string
		VpcConfiguration                   struct{ VpcId string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); r.code != 0 || err != nil || got.NetworkOrigin != "VPC" ||
		got.VpcConfiguration.VpcId != "vpc-0c1f3e5a7b9d2f468" || got.Bucket != "apbucket" || got.Alias != created.Alias {
		t.Fatalf("get-access-point: exit %d %+v\n%s\n%s", r.code, got, r.stdout, r.stderr)
	}
	r = aws("s3control", "list-access-points", "--account-id", apAccount, "--bucket", "apbucket", "--endpoint-url", controlURL)
	if r.code != 0 || !strings.Contains(r.stdout, `"Name": "ap1"`) {
		t.Fatalf("list-access-points: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}

	file := filepath.Join(home, "obj.txt")
	writeRandom(t, file, 2048)
	if r := aws("s3api", "put-object", "--bucket", arn, "--key", "docs/a.txt", "--body", file, "--endpoint-url", accesspointURL); r.code != 0 {
		t.Fatalf("put-object by ARN: exit %d\n%s", r.code, r.stderr)
	}
	back := filepath.Join(home, "back.txt")
	if r := aws("s3api", "get-object", "--bucket", arn, "--key", "docs/a.txt", back, "--endpoint-url", accesspointURL); r.code != 0 {
		t.Fatalf("get-object by ARN: exit %d\n%s", r.code, r.stderr)
	}
	sameFile(t, file, back)
	// The same with virtual addressing configured (ARNs ignore it: the
	// host is the access point's either way).
	cfg := filepath.Join(home, "aws-config")
	os.WriteFile(cfg, []byte("[default]\ns3 =\n    addressing_style = virtual\n"), 0o600)
	virt := s3vpceCmd(t, home, "exec", "--", "/usr/bin/aws", "s3api", "get-object", "--bucket", arn, "--key", "docs/a.txt", back+".v", "--endpoint-url", accesspointURL)
	virt.Env = append(virt.Env, "AWS_CONFIG_FILE="+cfg)
	if r := runCmd(t, virt); r.code != 0 {
		t.Fatalf("get-object by ARN, virtual style: exit %d\n%s", r.code, r.stderr)
	}
	sameFile(t, file, back+".v")
	// The alias is a bucket name through bucket.vpce-….
	bucketURL := "https://bucket." + regionalName
	if r := aws("s3", "cp", file, "s3://"+created.Alias+"/via-alias.txt", "--endpoint-url", bucketURL); r.code != 0 {
		t.Fatalf("cp to the alias: exit %d\n%s", r.code, r.stderr)
	}
	if r := aws("s3", "cp", "s3://"+created.Alias+"/via-alias.txt", back+".alias", "--endpoint-url", bucketURL); r.code != 0 {
		t.Fatalf("cp from the alias: exit %d\n%s", r.code, r.stderr)
	}
	sameFile(t, file, back+".alias")
	if r := aws("s3", "ls", "s3://apbucket/", "--endpoint-url", bucketURL); !strings.Contains(r.stdout, "via-alias.txt") {
		t.Errorf("the object written through the alias is not in the bucket:\n%s%s", r.stdout, r.stderr)
	}

	// An access point policy that denies a prefix.
	policy := `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:*","Resource":"` + arn + `/object/*"},` +
		`{"Sid":"NoSecrets","Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"` + arn + `/object/secret/*"}]}`
	if r := aws("s3control", "put-access-point-policy", "--account-id", apAccount, "--name", "ap1", "--policy", policy, "--endpoint-url", controlURL); r.code != 0 {
		t.Fatalf("put-access-point-policy: exit %d\n%s", r.code, r.stderr)
	}
	if r := aws("s3api", "put-object", "--bucket", arn, "--key", "secret/s.txt", "--body", file, "--endpoint-url", accesspointURL); r.code != 0 {
		t.Fatalf("put-object under secret/: exit %d\n%s", r.code, r.stderr)
	}
	denied := aws("s3api", "get-object", "--bucket", arn, "--key", "secret/s.txt", back+".s", "--endpoint-url", accesspointURL)
	want := `An error occurred (AccessDenied) when calling the GetObject operation: User: arn:aws:iam::123456789012:user/s3vpce is not authorized to perform: s3:GetObject on resource: "` + arn + `/object/secret/s.txt" with an explicit deny in a resource-based policy`
	// AWS's AccessDenied messages name the policy type, and an access
	// point policy is a "resource-based policy" there; explain names it
	// exactly.
	if denied.code == 0 || !strings.Contains(denied.stderr, want) {
		t.Errorf("get-object under the deny: exit %d\n%s\nwant:\n%s", denied.code, denied.stderr, want)
	}
	if ex := runS3vpce(t, home, "explain", "-n", "1"); !strings.Contains(ex.stdout, "NoSecrets") {
		t.Errorf("explain of the denied request does not name the statement:\n%s%s", ex.stdout, ex.stderr)
	}
	if r := aws("s3control", "get-access-point-policy", "--account-id", apAccount, "--name", "ap1", "--endpoint-url", controlURL); r.code != 0 || !strings.Contains(r.stdout, "NoSecrets") {
		t.Errorf("get-access-point-policy: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// Through another VPC's endpoint, the VPC-origin access point refuses.
	ec2 := awsEC2(t, home, p, "create-vpc-endpoint", "--vpc-endpoint-type", "Interface", "--vpc-id", "vpc-0d3a5c7e9b1f24680",
		"--service-name", "com.amazonaws.us-east-1.s3", "--subnet-ids", "subnet-0f1e2d3c4b5a69780", "--no-private-dns-enabled")
	if ec2.code != 0 {
		t.Fatalf("create-vpc-endpoint in the default VPC: exit %d\n%s", ec2.code, ec2.stderr)
	}
	var other struct {
		VpcEndpoint struct{ DnsEntries []struct{ DnsName string } }
	}
	if err := json.Unmarshal([]byte(ec2.stdout), &other); err != nil || len(other.VpcEndpoint.DnsEntries) == 0 {
		t.Fatalf("create-vpc-endpoint output: %v\n%s", err, ec2.stdout)
	}
	otherAP := "https://accesspoint." + strings.TrimPrefix(other.VpcEndpoint.DnsEntries[0].DnsName, "*.")
	refused := aws("s3api", "get-object", "--bucket", arn, "--key", "docs/a.txt", back+".o", "--endpoint-url", otherAP)
	if refused.code == 0 || !strings.Contains(refused.stderr, "AccessDenied") {
		t.Errorf("the VPC-origin access point through the default VPC's endpoint: exit %d\n%s", refused.code, refused.stderr)
	}
	if r := aws("s3control", "delete-access-point", "--account-id", apAccount, "--name", "ap1", "--endpoint-url", controlURL); r.code != 0 {
		t.Fatalf("delete-access-point: exit %d\n%s", r.code, r.stderr)
	}
	if r := aws("s3control", "get-access-point", "--account-id", apAccount, "--name", "ap1", "--endpoint-url", controlURL); r.code == 0 || !strings.Contains(r.stderr, "NoSuchAccessPoint") {
		t.Errorf("get-access-point after the delete: exit %d\n%s", r.code, r.stderr)
	}
}
