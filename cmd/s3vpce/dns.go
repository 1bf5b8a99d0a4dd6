package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/s3vpce/s3vpce/dnsserver"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

const dnsUsage = `usage: s3vpce dns records [--private-dns]

Print, in zone-file format, the records the s3vpce DNS server serves for
the default topology (the seed's endpoint ` + vpce.DefaultEndpointID + ` in ` + vpce.DefaultRegion + `).

  --private-dns   as if the endpoint had private DNS enabled: also serve
                  s3.<region>.amazonaws.com, s3-control and s3-accesspoint
`

// runDNS implements "s3vpce dns": today one subcommand, "records".
func runDNS(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, dnsUsage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	switch args[0] {
	case "records":
		return runDNSRecords(ctx, args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "s3vpce dns: unknown subcommand %q\n%s", args[0], dnsUsage)
		return 2
	}
}

func runDNSRecords(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("s3vpce dns records", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, dnsUsage) }
	privateDNS := fs.Bool("private-dns", false, "serve the private DNS names too")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "s3vpce dns records: unexpected argument %q\n%s", fs.Arg(0), dnsUsage)
		return 2
	}
	topo := vpce.DefaultTopology()
	if *privateDNS {
		e := vpce.DefaultEndpoint()
		e.PrivateDNS = true
		t, err := vpce.NewTopology(topo.VPCs(), []vpce.Endpoint{e})
		if err != nil {
			fmt.Fprintf(stderr, "s3vpce dns records: %v\n", err)
			return 1
		}
		topo = t
	}
	if err := writeRecords(stdout, topo); err != nil {
		fmt.Fprintf(stderr, "s3vpce dns records: %v\n", err)
		return 1
	}
	return 0
}

// writeRecords prints the zone data of topo, with a comment per VPC for
// the EC2 names that are computed rather than listed.
func writeRecords(w io.Writer, topo *vpce.Topology) error {
	var err error
	printf := func(format string, a ...any) {
		if err == nil {
			_, err = fmt.Fprintf(w, format, a...)
		}
	}
	printf("; records served by the s3vpce DNS server\n$TTL %d\n", dnsserver.TTL)
	for _, rr := range dnsserver.Records(topo) {
		printf("%s\n", rr)
	}
	for _, v := range topo.VPCs() {
		for _, e := range topo.Endpoints() {
			if e.VPCID == v.ID {
				printf("; and %s for every address a.b.c.d of %s %s\n",
					"ip-a-b-c-d."+vpce.EC2Domain(e.Region)+".", v.ID, v.CIDR)
				break
			}
		}
	}
	return err
}
