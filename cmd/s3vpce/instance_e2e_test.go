package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The seed's instances (vpce.DefaultSpec).
const (
	defaultVPCHost = "172.31.80.132" // the default VPC: internet gateway and an S3 gateway endpoint, peered with my-vpc
	myVPCHost      = "172.16.10.77"  // my-vpc, us-east-1d: internet gateway route
	privateHost    = "172.16.2.99"   // my-vpc, us-east-1b: only the S3 gateway endpoint's route
	endpointGroup  = "sg-0e5f7a9b1c3d24680"
	myVPCIGW       = "igw-0e6a8c0b2d4f57913"
	myVPCMainRTB   = "rtb-0b3d5f7a9c1e24680"
	privateGateway = "vpce-0c3e5a7b9d1f24680"
)

// hpingVolatile are the parts of hping3's lines that change from run to
// run (and from AWS's network to a namespace): TTL, IP ID, window, RTT.
var hpingVolatile = regexp.MustCompile(`(ttl|id|win|rtt)=[0-9.]+`)

// normaliseHping keeps what the user reads in hping3's output: which
// address answered, which flags, which sequence numbers, and the loss.
func normaliseHping(out string) string {
	out = hpingVolatile.ReplaceAllString(out, "$1=N")
	out = regexp.MustCompile(`round-trip min/avg/max = [0-9./]+ ms`).ReplaceAllString(out, "round-trip min/avg/max = N/N/N ms")
	out = regexp.MustCompile(` DF `).ReplaceAllString(out, " ")
	return out
}

// oneAttempt runs the aws CLI that follows it with a single attempt: a
// connection that times out is the answer sought, and its retries (3 for
// v2, 5 for v1) would only wait the timeout again with the same message.
var oneAttempt = []string{"env", "AWS_MAX_ATTEMPTS=1"}

// instanceServe starts a serve with the seed's bucket for the VPC-mode
// tests and returns a function that runs a command as an instance.
func instanceServe(t *testing.T) (home string, p *serveProcess, as func(inst string, args ...string) result) {
	t.Helper()
	needNamespaces(t)
	home = t.TempDir()
	p = startServeProcess(t, home, "--bucket", "wsgbucket", "--dns-addr", "127.0.0.1:0")
	as = func(inst string, args ...string) result {
		t.Helper()
		return runS3vpce(t, home, append([]string{"exec", "--instance", inst, "--"}, args...)...)
	}
	return home, p, as
}

// TestInstanceSecurityGroupDropsSYNs is the seed's hping3 story: the
// endpoint's security group without 443 drops every SYN silently (100%
// loss, no RST); authorized while hping3 runs, the next SYNs get SYN-ACKs.
func TestInstanceSecurityGroupDropsSYNs(t *testing.T) {
	t.Parallel()
	home, p, as := instanceServe(t)
	if r := awsEC2(t, home, p, "revoke-security-group-ingress", "--group-id", endpointGroup, "--protocol", "tcp", "--port", "443",
		"--cidr", "172.16.0.0/16"); r.code != 0 {
		t.Fatalf("revoke: exit %d\n%s", r.code, r.stderr)
	}
	if r := awsEC2(t, home, p, "revoke-security-group-ingress", "--group-id", endpointGroup, "--protocol", "tcp", "--port", "443",
		"--cidr", "172.31.0.0/16"); r.code != 0 {
		t.Fatalf("revoke: exit %d\n%s", r.code, r.stderr)
	}
	blocked := as(myVPCHost, "hping3", "-c", "10", "-i", "u10000", "-S", "-p", "443", zonalName)
	golden(t, "seed/hping3-443-blocked.golden", normaliseHping(blocked.stdout+blocked.stderr))

	// Live: hping3 runs while the rule comes back, and is interrupted once
	// a SYN-ACK came (at most 1200 SYNs, 2 minutes, if none ever does).
	// stdbuf: hping3 writes through stdio, which a pipe would hold back
	// until it exits.
	cmd := s3vpceCmd(t, home, "exec", "--instance", myVPCHost, "--", "stdbuf", "-oL", "-eL", "hping3", "-c", "1200", "-i", "u100000", "-S", "-p", "443", zonalName)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	var out strings.Builder
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if strings.HasPrefix(sc.Text(), "HPING ") {
			break // the first SYN is on its way, into the drop
		}
	}
	if r := awsEC2(t, home, p, "authorize-security-group-ingress", "--group-id", endpointGroup, "--protocol", "tcp", "--port", "443",
		"--cidr", "172.16.0.0/16"); r.code != 0 {
		t.Fatalf("authorize: exit %d\n%s", r.code, r.stderr)
	}
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), "flags=SA") {
			cmd.Process.Signal(os.Interrupt) // exec relays it: hping3 prints its statistics and ends
			break
		}
	}
	rest, _ := io.ReadAll(stdout)
	out.Write(rest)
	cmd.Wait()
	live := out.String()
	if !strings.Contains(live, "flags=SA") || strings.Contains(live, " seq=0 ") || !strings.Contains(live, "ip=172.16.10.143") {
		t.Fatalf("hping3 running across the authorize: want SYN-ACKs from 172.16.10.143 after the change and none for seq=0:\n%s", live)
	}
	allowed := as(myVPCHost, "hping3", "-c", "10", "-i", "u10000", "-S", "-p", "443", zonalName)
	golden(t, "seed/hping3-443-allowed.golden", normaliseHping(allowed.stdout+allowed.stderr))
}

// TestInstanceThroughInterfaceEndpoint: from 172.16.10.77 (and across the
// peering from 172.31.80.132) the endpoint's bucket. name lists the bucket;
// the bare name fails TLS as the seed shows; nslookup prints the seed's
// answer through 172.16.0.2; a deny in the endpoint policy gives AWS's
// wording and explain shows the instance's address.
func TestInstanceThroughInterfaceEndpoint(t *testing.T) {
	t.Parallel()
	home, _, as := instanceServe(t)
	url := "https://bucket." + zonalName
	for _, inst := range []string{myVPCHost, defaultVPCHost} {
		r := as(inst, "/usr/bin/aws", "--endpoint-url", url, "s3", "ls")
		if r.code != 0 || !strings.Contains(r.stdout, " wsgbucket\n") {
			t.Fatalf("aws s3 ls from %s: exit %d\n%s\n%s", inst, r.code, r.stdout, r.stderr)
		}
	}
	bare := as(myVPCHost, "/usr/bin/aws", "--endpoint-url", "https://"+zonalName, "s3", "ls")
	want, err := os.ReadFile("../../testdata/seed-bare-name-error.golden")
	if err != nil {
		t.Fatal(err)
	}
	if bare.code == 0 || strings.TrimSpace(bare.stderr) != strings.TrimSpace(string(want)) {
		t.Errorf("bare name from %s: exit %d\n%s\nwant the seed's:\n%s", myVPCHost, bare.code, bare.stderr, want)
	}
	ns := as(myVPCHost, "nslookup", zonalName)
	seedNS, err := os.ReadFile("../../testdata/seed-nslookup.golden")
	if err != nil {
		t.Fatal(err)
	}
	if ns.stdout != string(seedNS) {
		t.Errorf("nslookup from %s:\n%s\nwant the seed's:\n%s", myVPCHost, ns.stdout, seedNS)
	}
	if r := runS3vpce(t, home, "endpoint-policy", "set", "../../testdata/policies/deny-put.json"); r.code != 0 {
		t.Fatalf("endpoint-policy set: exit %d: %s", r.code, r.stderr)
	}
	file := filepath.Join(home, "hi.txt")
	writeRandom(t, file, 10)
	cp := as(myVPCHost, "/usr/bin/aws", "--endpoint-url", url, "s3", "cp", file, "s3://wsgbucket/hi.txt", "--only-show-errors")
	wantDenied := `An error occurred (AccessDenied) when calling the PutObject operation: User: arn:aws:iam::123456789012:user/s3vpce is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::wsgbucket/hi.txt" with an explicit deny in a VPC endpoint policy`
	if cp.code == 0 || !strings.Contains(cp.stderr, wantDenied) {
		t.Fatalf("cp under the deny: exit %d\n%s", cp.code, cp.stderr)
	}
	ex := runS3vpce(t, home, "explain", "--json")
	if !strings.Contains(ex.stdout, myVPCHost) {
		t.Errorf("explain does not show the instance's address %s:\n%s", myVPCHost, ex.stdout)
	}
}

// TestInstanceEC2Hostnames: the default VPC's resolver answers
// ip-172-16-2-99.ec2.internal; my-vpc's (DNS hostnames off) says NXDOMAIN.
func TestInstanceEC2Hostnames(t *testing.T) {
	t.Parallel()
	_, _, as := instanceServe(t)
	from := as(defaultVPCHost, "nslookup", "ip-172-16-2-99.ec2.internal")
	if !strings.Contains(from.stdout, "Server:\t\t172.31.0.2") || !strings.Contains(from.stdout, "Address: 172.16.2.99") {
		t.Errorf("from %s:\n%s%s", defaultVPCHost, from.stdout, from.stderr)
	}
	inside := as(privateHost, "nslookup", "ip-172-16-2-99.ec2.internal")
	if !strings.Contains(inside.stdout, "Server:\t\t172.16.0.2") || !strings.Contains(inside.stdout+inside.stderr, "NXDOMAIN") {
		t.Errorf("from %s:\n%s%s", privateHost, inside.stdout, inside.stderr)
	}
	golden(t, "seed/nslookup-ec2-hostname.golden", from.stdout+"--- from "+privateHost+"\n"+inside.stdout)
}

// TestInstancePublicS3: public S3 answers on 80 and 443 through the
// internet gateway and the gateway endpoint; without a route the SYN goes
// nowhere and the aws CLI times out connecting.
func TestInstancePublicS3(t *testing.T) {
	t.Parallel()
	home, p, as := instanceServe(t)
	s3cfg := filepath.Join(home, "s3cfg")
	os.WriteFile(s3cfg, []byte(`[default]
access_key = AKIAS3VPCE0EXAMPLE01
secret_key = s3vpceLocalSecretKeyDoNotUseOnAWS0000001
host_base = s3.amazonaws.com
host_bucket = %(bucket)s.s3.amazonaws.com
bucket_location = us-east-1
use_https = True
check_ssl_certificate = True
signature_v2 = False
`), 0o600)
	for _, inst := range []string{defaultVPCHost, myVPCHost} {
		r := as(inst, "s3cmd", "-c", s3cfg, "ls", "s3://wsgbucket")
		if r.code != 0 {
			t.Errorf("s3cmd ls from %s: exit %d\n%s\n%s", inst, r.code, r.stdout, r.stderr)
		}
	}
	h80 := as(defaultVPCHost, "hping3", "-c", "3", "-i", "u10000", "-S", "-p", "80", "s3.amazonaws.com")
	golden(t, "seed/hping3-80-public.golden", normaliseHping(h80.stdout+h80.stderr))

	ls := as(privateHost, "/usr/bin/aws", "s3", "ls")
	if ls.code != 0 || !strings.Contains(ls.stdout, " wsgbucket\n") {
		t.Fatalf("aws s3 ls from %s through the gateway endpoint: exit %d\n%s\n%s", privateHost, ls.code, ls.stdout, ls.stderr)
	}
	if r := awsEC2(t, home, p, "delete-vpc-endpoints", "--vpc-endpoint-ids", privateGateway); r.code != 0 {
		t.Fatalf("delete the gateway endpoint: exit %d\n%s", r.code, r.stderr)
	}
	gone := as(privateHost, append(oneAttempt, "/usr/bin/aws", "s3", "ls", "--cli-connect-timeout", "2")...)
	golden(t, "seed/aws-s3-ls-no-gateway.golden", fmt.Sprintf("exit %d\n%s", gone.code, strings.TrimSpace(gone.stderr)+"\n"))
	// The seed's words exactly come from the aws CLI v1 (its us-east-1
	// endpoint is the global s3.amazonaws.com; v2 uses the regional name).
	if v1, ok := awsCLIs(t)["v1"]; ok {
		r := as(privateHost, append(oneAttempt, v1, "s3", "ls", "--cli-connect-timeout", "2")...)
		if want := `Connect timeout on endpoint URL: "https://s3.amazonaws.com/"`; r.code == 0 || strings.TrimSpace(r.stderr) != want {
			t.Errorf("aws CLI v1 from %s without the gateway endpoint: exit %d\n%s\nwant the seed's %s", privateHost, r.code, r.stderr, want)
		}
	}

	// my-vpc without its internet gateway route: the same timeout from 172.16.10.77.
	if r := awsEC2(t, home, p, "delete-route", "--route-table-id", myVPCMainRTB, "--destination-cidr-block", "0.0.0.0/0"); r.code != 0 {
		t.Fatalf("delete-route: exit %d\n%s", r.code, r.stderr)
	}
	if r := awsEC2(t, home, p, "detach-internet-gateway", "--internet-gateway-id", myVPCIGW, "--vpc-id", "vpc-0c1f3e5a7b9d2f468"); r.code != 0 {
		t.Fatalf("detach-internet-gateway: exit %d\n%s", r.code, r.stderr)
	}
	noIGW := as(myVPCHost, append(oneAttempt, "/usr/bin/aws", "--endpoint-url", "https://s3.amazonaws.com", "s3", "ls", "--cli-connect-timeout", "2")...)
	if noIGW.code == 0 || !strings.Contains(noIGW.stderr, `Connect timeout on endpoint URL: "https://s3.amazonaws.com/"`) {
		t.Errorf("aws s3 ls from %s without the internet gateway: exit %d\n%s", myVPCHost, noIGW.code, noIGW.stderr)
	}
}

// TestInstanceEC2API: the EC2 API answers as ec2.us-east-1.amazonaws.com
// through an internet gateway, so the aws CLI needs no --endpoint-url on an
// instance that has one; from the private subnet it times out connecting.
func TestInstanceEC2API(t *testing.T) {
	t.Parallel()
	_, _, as := instanceServe(t)
	r := as(myVPCHost, "/usr/bin/aws", "ec2", "describe-vpcs", "--query", "sort(Vpcs[].VpcId)", "--output", "text")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "vpc-0c1f3e5a7b9d2f468\tvpc-0d3a5c7e9b1f24680" {
		t.Fatalf("aws ec2 describe-vpcs from %s: exit %d\n%s\n%s", myVPCHost, r.code, r.stdout, r.stderr)
	}
	r = as(privateHost, append(oneAttempt, "/usr/bin/aws", "ec2", "describe-vpcs", "--cli-connect-timeout", "2")...)
	if r.code == 0 || !strings.Contains(r.stderr, `Connect timeout on endpoint URL: "https://ec2.us-east-1.amazonaws.com/"`) {
		t.Errorf("aws ec2 describe-vpcs from %s (no internet gateway): exit %d\n%s", privateHost, r.code, r.stderr)
	}
}
