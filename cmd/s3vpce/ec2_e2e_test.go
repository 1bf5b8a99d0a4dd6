package main

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// awsEC2 runs Debian's aws CLI v2 against the serve's EC2 API from the
// host, as the banner says: --endpoint-url https://localhost:PORT and the
// serve's CA.
func awsEC2(t *testing.T, home string, p *serveProcess, args ...string) result {
	t.Helper()
	_, port, _ := strings.Cut(p.addr, ":")
	cmd := exec.CommandContext(t.Context(), "/usr/bin/aws", append([]string{"--endpoint-url", "https://localhost:" + port, "--output", "json", "ec2"}, args...)...)
	cmd.Env = []string{
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME=" + home,
		"AWS_CONFIG_FILE=" + filepath.Join(home, "no-aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "no-aws-credentials"),
		"AWS_ACCESS_KEY_ID=AKIAS3VPCE0EXAMPLE01",
		"AWS_SECRET_ACCESS_KEY=s3vpceLocalSecretKeyDoNotUseOnAWS0000001",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_CA_BUNDLE=" + filepath.Join(home, "rootCA.pem"),
		"AWS_PAGER=",
		"LANG=C.UTF-8",
	}
	return runCmd(t, cmd)
}

// vpcEndpointJSON is the part of the aws CLI's VpcEndpoint output the test
// reads.
type vpcEndpointJSON struct {
	VpcEndpointId       string
	State               string
	PolicyDocument      string
	NetworkInterfaceIds []string
	DnsEntries          []struct{ DnsName, HostedZoneId string }
}

// TestAWSCLIEC2EndpointLifecycle is issue 11's story with the real clients:
// Debian's aws CLI v2 creates an interface endpoint through the EC2 API,
// describes it, and the new bucket. name serves S3 inside s3vpce exec;
// modify-vpc-endpoint with a deny policy turns the next cp into AWS's
// AccessDenied; a restart keeps the endpoint and its policy;
// delete-vpc-endpoints makes the name stop resolving (dig) and TLS fail.
func TestAWSCLIEC2EndpointLifecycle(t *testing.T) {
	t.Parallel()
	needNamespaces(t)
	home := t.TempDir()
	p := startServeProcess(t, home, "--bucket", "wsgbucket", "--dns-addr", "127.0.0.1:0")

	r := awsEC2(t, home, p, "create-vpc-endpoint", "--vpc-endpoint-type", "Interface", "--vpc-id", "vpc-0c1f3e5a7b9d2f468",
		"--service-name", "com.amazonaws.us-east-1.s3", "--subnet-ids", "subnet-01a2b3c4d5e6f7a81", "subnet-01a2b3c4d5e6f7a84",
		"--security-group-ids", "sg-0e5f7a9b1c3d24680", "--no-private-dns-enabled",
		"--tag-specifications", "ResourceType=vpc-endpoint,Tags=[{Key=Name,Value=second}]")
	if r.code != 0 {
		t.Fatalf("create-vpc-endpoint: exit %d\n%s", r.code, r.stderr)
	}
	var created struct{ VpcEndpoint vpcEndpointJSON }
	if err := json.Unmarshal([]byte(r.stdout), &created); err != nil {
		t.Fatalf("create-vpc-endpoint output: %v\n%s", err, r.stdout)
	}
	id := created.VpcEndpoint.VpcEndpointId
	describe := func() (vpcEndpointJSON, result) {
		r := awsEC2(t, home, p, "describe-vpc-endpoints", "--vpc-endpoint-ids", id)
		var out struct{ VpcEndpoints []vpcEndpointJSON }
		if r.code == 0 {
			if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || len(out.VpcEndpoints) != 1 {
				t.Fatalf("describe-vpc-endpoints output (%v):\n%s", err, r.stdout)
			}
			return out.VpcEndpoints[0], r
		}
		return vpcEndpointJSON{}, r
	}
	ep, dr := describe()
	if dr.code != 0 {
		t.Fatalf("describe-vpc-endpoints: exit %d\n%s", dr.code, dr.stderr)
	}
	if ep.State != "available" || len(ep.NetworkInterfaceIds) != 2 || len(ep.DnsEntries) != 3 {
		t.Fatalf("described %+v: want available, 2 ENIs, 3 DNS entries", ep)
	}
	regional := strings.TrimPrefix(ep.DnsEntries[0].DnsName, "*.")
	zonal := strings.TrimPrefix(ep.DnsEntries[2].DnsName, "*.")
	if !strings.HasPrefix(ep.DnsEntries[0].DnsName, "*."+id+"-") || ep.DnsEntries[0].HostedZoneId != "Z7HUB22UULQXV" ||
		!strings.Contains(zonal, "-us-east-1d.s3.us-east-1.vpce.amazonaws.com") {
		t.Fatalf("DnsEntries %+v: want *.%s-<suffix>.s3.us-east-1.vpce.amazonaws.com in Z7HUB22UULQXV, then the zonal names", ep.DnsEntries, id)
	}
	url := "https://bucket." + regional

	// Inside exec the EC2 API answers on https://localhost (port 443 of
	// the namespace; AWS_ENDPOINT_URL_EC2 says so to newer clients).
	if in := runS3vpce(t, home, "exec", "--", "/usr/bin/aws", "--endpoint-url", "https://localhost", "ec2", "describe-vpc-endpoints",
		"--filters", "Name=tag:Name,Values=second", "--query", "VpcEndpoints[].VpcEndpointId", "--output", "text"); in.code != 0 || strings.TrimSpace(in.stdout) != id {
		t.Errorf("aws ec2 inside exec: exit %d %q\n%s", in.code, in.stdout, in.stderr)
	}

	// The new name resolves to the new ENIs and serves S3 in a new exec.
	if d := runS3vpce(t, home, "exec", "--", "dig", "+short", zonal); d.code != 0 || strings.TrimSpace(d.stdout) != "172.16.10.4" {
		t.Errorf("dig %s in exec: exit %d %q %s; want the new ENI 172.16.10.4 (the subnet's first free address)", zonal, d.code, d.stdout, d.stderr)
	}
	if ls := runS3vpce(t, home, "exec", "--", "/usr/bin/aws", "--endpoint-url", url, "s3", "ls"); ls.code != 0 || !strings.Contains(ls.stdout, " wsgbucket\n") {
		t.Fatalf("aws s3 ls through the new endpoint: exit %d\n%s\n%s", ls.code, ls.stdout, ls.stderr)
	}

	// A policy set with modify-vpc-endpoint governs the next request.
	file := filepath.Join(home, "hi.txt")
	writeRandom(t, file, 100)
	cp := func(key string) result {
		return runS3vpce(t, home, "exec", "--", "/usr/bin/aws", "--endpoint-url", url, "s3", "cp", file, "s3://wsgbucket/"+key, "--only-show-errors")
	}
	if c := cp("one"); c.code != 0 {
		t.Fatalf("cp with the default policy: exit %d: %s", c.code, c.stderr)
	}
	deny, err := filepath.Abs("../../testdata/policies/deny-put.json")
	if err != nil {
		t.Fatal(err)
	}
	if m := awsEC2(t, home, p, "modify-vpc-endpoint", "--vpc-endpoint-id", id, "--policy-document", "file://"+deny); m.code != 0 || !strings.Contains(m.stdout, `"Return": true`) {
		t.Fatalf("modify-vpc-endpoint: exit %d\n%s\n%s", m.code, m.stdout, m.stderr)
	}
	wantDenied := `An error occurred (AccessDenied) when calling the PutObject operation: User: arn:aws:iam::123456789012:user/s3vpce is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::wsgbucket/two" with an explicit deny in a VPC endpoint policy`
	if c := cp("two"); c.code == 0 || !strings.Contains(c.stderr, wantDenied) {
		t.Fatalf("cp under the modified policy: exit %d\n%s\nwant:\n%s", c.code, c.stderr, wantDenied)
	}

	// A restart keeps the endpoint, its names and its policy.
	p.stop()
	p = startServeProcess(t, home, "--dns-addr", "127.0.0.1:0")
	ep, dr = describe()
	if dr.code != 0 || ep.State != "available" || !strings.Contains(ep.PolicyDocument, `"DenyPut"`) {
		t.Fatalf("after a restart: exit %d %+v\n%s", dr.code, ep, dr.stderr)
	}
	if c := cp("two"); c.code == 0 || !strings.Contains(c.stderr, wantDenied) {
		t.Fatalf("cp after a restart: exit %d\n%s\nwant the same AccessDenied", c.code, c.stderr)
	}

	// delete-vpc-endpoints: the name stops resolving and TLS to it fails.
	del := awsEC2(t, home, p, "delete-vpc-endpoints", "--vpc-endpoint-ids", id)
	if del.code != 0 || !strings.Contains(del.stdout, `"Unsuccessful": []`) {
		t.Fatalf("delete-vpc-endpoints: exit %d\n%s\n%s", del.code, del.stdout, del.stderr)
	}
	if d := runS3vpce(t, home, "exec", "--", "dig", zonal); !strings.Contains(d.stdout, "status: NXDOMAIN") {
		t.Errorf("dig %s after the delete: want NXDOMAIN\n%s%s", zonal, d.stdout, d.stderr)
	}
	if ls := runS3vpce(t, home, "exec", "--", "/usr/bin/aws", "--endpoint-url", url, "s3", "ls"); ls.code == 0 {
		t.Errorf("aws s3 ls through the deleted endpoint succeeded:\n%s", ls.stdout)
	}
	if _, dr := describe(); dr.code == 0 || !strings.Contains(dr.stderr, "InvalidVpcEndpointId.NotFound") {
		t.Errorf("describe after the delete: exit %d\n%s", dr.code, dr.stderr)
	}
	// The seed's endpoint was never touched.
	if c := runS3vpce(t, home, "exec", "--", "/usr/bin/aws", "--endpoint-url", "https://bucket."+zonalName, "s3", "ls", "s3://wsgbucket"); c.code != 0 || !strings.Contains(c.stdout, " one\n") {
		t.Errorf("the seed's endpoint after all this: exit %d\n%s\n%s", c.code, c.stdout, c.stderr)
	}
	if ids := topologyEndpointIDs(t, home); slices.Contains(ids, id) {
		t.Errorf("the saved topology still has %s: %v", id, ids)
	}
}

// topologyEndpointIDs reads the interface endpoint IDs of the running
// serve's topology (s3vpce topology export).
func topologyEndpointIDs(t *testing.T, home string) []string {
	t.Helper()
	r := runS3vpce(t, home, "topology", "export")
	if r.code != 0 {
		t.Fatalf("topology export: exit %d\n%s", r.code, r.stderr)
	}
	var f struct{ Endpoints []struct{ ID string } }
	if err := json.Unmarshal([]byte(r.stdout), &f); err != nil {
		t.Fatalf("exported topology: %v", err)
	}
	var ids []string
	for _, e := range f.Endpoints {
		ids = append(ids, e.ID)
	}
	return ids
}
