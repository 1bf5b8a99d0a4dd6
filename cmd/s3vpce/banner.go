package main

import (
	"fmt"
	"io"
	"net"
	"strconv"

	"github.com/s3vpce/s3vpce/emulator"
)

// bannerInfo is what the banner says besides the server's own state.
type bannerInfo struct {
	home, caFile string
	// data describes the store (describeStore), topology where the
	// topology is kept (describeTopology).
	data, topology string
	// homeFlag is " --home DIR" when other commands need it to find this
	// serve (homeFlag(home)), else "".
	homeFlag  string
	caCreated bool
	creds     []emulator.Credential
	authOff   bool
	exposure  exposure
}

// printBanner tells the user what is running and exactly what to type.
func printBanner(w io.Writer, srv *emulator.Server, b bannerInfo) {
	caFile, created, creds, authOff := b.caFile, b.caCreated, b.creds, b.authOff
	topo := srv.Topology()
	_, portStr, _ := net.SplitHostPort(srv.Addr())
	port, _ := strconv.Atoi(portStr)
	fmt.Fprintf(w, "s3vpce: S3 through an interface VPC endpoint, offline\n\n")
	for _, e := range topo.Endpoints() {
		fmt.Fprintf(w, "Endpoint %s  (%s, %s, %d zones)\n", e.ID, e.VPCID, e.Region, len(e.Zones))
		fmt.Fprintf(w, "  %-12s %s  -> %v\n", "regional", e.BucketURL("", 0), e.IPs())
		for _, z := range e.Zones {
			fmt.Fprintf(w, "  %-12s %s  -> %s\n", z.Name, e.BucketURL(z.Name, 0), z.IP)
		}
		if e.PrivateDNS {
			fmt.Fprintf(w, "  private DNS  https://s3.%s.amazonaws.com\n", e.Region)
		}
		fmt.Fprintf(w, "  %-12s https://control.%s  (aws s3control … --account-id ACCOUNT --endpoint-url it)\n", "S3 Control", e.RegionalName())
		fmt.Fprintf(w, "  %-12s https://accesspoint.%s  (an access point ARN as --bucket)\n", "accesspoint", e.RegionalName())
	}
	fmt.Fprintf(w, "\nHTTPS        %s\n", srv.Addr())
	fmt.Fprintf(w, "EC2 API      %s  (aws ec2 --endpoint-url %s describe-vpc-endpoints; creates, changes and deletes endpoints live)\n", srv.EC2URL(), srv.EC2URL())
	if a := srv.DNSAddr(); a != "" {
		fmt.Fprintf(w, "DNS          %s (UDP and TCP)\n", a)
	}
	note := ""
	if created {
		note = " (new)"
	}
	fmt.Fprintf(w, "CA           %s%s\n", caFile, note)
	fmt.Fprintf(w, "State        %s (CA, control sockets)\n", b.home)
	fmt.Fprintf(w, "Data         %s\n", b.data)
	if u := srv.UpstreamTarget(); u != "" {
		fmt.Fprintf(w, "Upstream     %s\n", u)
	}
	fmt.Fprintf(w, "Topology     %s\n", b.topology)
	if len(creds) == 0 {
		creds = []emulator.Credential{emulator.DefaultCredential()}
	}
	for i, c := range creds {
		label := "Credentials"
		if i > 0 {
			label = ""
		}
		fmt.Fprintf(w, "%-12s AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s  (%s)\n", label, c.AccessKeyID, c.SecretAccessKey, c.ARN)
	}
	if authOff {
		fmt.Fprintf(w, "Auth         OFF: signatures are not checked; every request acts as %s\n", creds[0].ARN)
	} else {
		fmt.Fprintf(w, "Auth         SigV4 verified; unsigned requests are anonymous (denied unless a bucket policy allows them)\n")
	}
	for _, e := range topo.Endpoints() {
		p := "AWS's default full-access policy"
		if e.Policy != "" {
			p = "custom (s3vpce endpoint-policy get)"
		}
		fmt.Fprintf(w, "Policy       %s: %s\n", e.ID, p)
	}
	for _, l := range b.exposure.lines() {
		fmt.Fprintf(w, "WARNING      %s\n", l)
	}

	e := topo.Endpoints()[0]
	fmt.Fprintf(w, "\nThrough the endpoint's own names and private IPs (a private network namespace; root or user namespaces):\n")
	fmt.Fprintf(w, "  s3vpce exec%s -- aws --endpoint-url %s s3 ls\n", b.homeFlag, e.BucketURL("", 0))
	fmt.Fprintf(w, "  s3vpce exec%s -- nslookup %s\n", b.homeFlag, e.ZonalName(e.Zones[len(e.Zones)/2].Name))
	fmt.Fprintf(w, "\nFrom this shell instead (port %d and an /etc/hosts line):\n", port)
	fmt.Fprintf(w, "  echo '127.0.0.1 bucket.%s' | sudo tee -a /etc/hosts\n", e.RegionalName())
	fmt.Fprintf(w, "  eval \"$(s3vpce env%s)\"    # exports AWS_ENDPOINT_URL_S3, AWS_CA_BUNDLE, credentials, region\n", b.homeFlag)
	fmt.Fprintf(w, "  aws s3 ls                           # AWS_ENDPOINT_URL_S3: aws CLI v2.13+/v1.29+, boto3, the SDKs; older: --endpoint-url\n")
	fmt.Fprintf(w, "or without s3vpce env:\n")
	fmt.Fprintf(w, "  export AWS_CA_BUNDLE=%s AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_DEFAULT_REGION=%s\n",
		shellQuote(caFile), creds[0].AccessKeyID, shellQuote(creds[0].SecretAccessKey), e.Region)
	fmt.Fprintf(w, "  aws --endpoint-url %s s3 ls\n\n", e.BucketURL("", port))
	if b.homeFlag != "" {
		fmt.Fprintf(w, "Other commands need the same --home: s3vpce endpoint-policy get%s, s3vpce explain%s\n\n", b.homeFlag, b.homeFlag)
	}
}
