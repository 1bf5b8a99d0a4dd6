package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/s3vpce/s3vpce/internal/topoimport"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

const topologyUsage = `usage:
  s3vpce topology import [-o FILE] FILE...
  s3vpce topology export [-o FILE] [--home DIR]
  s3vpce topology validate FILE...

import builds a topology file (for "s3vpce serve --topology FILE") from
what the aws CLI prints for a real account, to reproduce its VPCs offline:

  aws ec2 describe-vpcs > vpcs.json
  aws ec2 describe-subnets > subnets.json
  aws ec2 describe-security-groups > groups.json
  aws ec2 describe-route-tables > routes.json
  aws ec2 describe-instances > instances.json
  aws ec2 describe-vpc-endpoints > endpoints.json
  aws ec2 describe-network-interfaces > enis.json
  aws ec2 describe-vpc-attribute --vpc-id VPC --attribute enableDnsHostnames > VPC-hostnames.json
  s3vpce topology import -o topology.json *.json

Each FILE is one command's JSON output, in any order, or one object holding
several; describe-network-interfaces gives the endpoints' ENI addresses,
describe-vpc-attribute a VPC's DNS attributes (one per file),
describe-internet-gateways and describe-vpc-peering-connections are read
too. What the emulator does not model (IPv6, NAT and transit gateways,
services other than S3, ...) is skipped, and what the outputs do not say
(DNS attributes not given are on; gateways and peerings, from the routes) is
inferred, each with a warning on standard error. Bad input exits 1 with
the file, line and column.

export writes the running serve's topology, with every change made since it
started (the EC2 API's too), as a topology file.

validate checks topology files: "FILE: ok" and what it holds on standard
output, or the error, located by field, line and column, on standard error
(exit status 1).

flags:
  -o FILE       write the topology file to FILE instead of standard output
  --home DIR    state directory of the running serve (export)
`

// runTopology implements "s3vpce topology".
func runTopology(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	// A global --home arrives first (globalFlags.apply).
	home := ""
	if len(args) >= 2 && args[0] == "--home" {
		home, args = args[1], args[2:]
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, topologyUsage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	verb := args[0]
	fs := flag.NewFlagSet("s3vpce topology "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, topologyUsage) }
	out := fs.String("o", "", "write the topology file to `FILE`")
	fs.StringVar(&home, "home", home, "state directory of the running serve")
	switch verb {
	case "import", "export", "validate":
	default:
		fmt.Fprintf(stderr, "s3vpce topology: unknown subcommand %q\n%s", verb, topologyUsage)
		return 2
	}
	files, err := parseInterspersed(fs, args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "s3vpce topology %s: "+format+"\n", append([]any{verb}, a...)...)
		return 1
	}
	switch verb {
	case "import":
		if len(files) == 0 {
			fmt.Fprintf(stderr, "s3vpce topology import: no FILE given\n%s", topologyUsage)
			return 2
		}
		return topologyImport(files, *out, stdout, stderr, fail)
	case "export":
		if len(files) > 0 {
			fmt.Fprintf(stderr, "s3vpce topology export: unexpected argument %q\n%s", files[0], topologyUsage)
			return 2
		}
		c, err := adminClient(home)
		if err != nil {
			return fail("%v", err)
		}
		data, err := adminDo(ctx, c, http.MethodGet, "/v1/topology", nil)
		if err != nil {
			return fail("%v", err)
		}
		if err := writeOutput(*out, data, stdout); err != nil {
			return fail("%v", err)
		}
		return 0
	}
	if len(files) == 0 || *out != "" {
		fmt.Fprintf(stderr, "s3vpce topology validate: want FILE... (and no -o)\n%s", topologyUsage)
		return 2
	}
	status := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			status = fail("%v", err)
			continue
		}
		t, err := vpce.ParseTopology(data)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", file, err)
			status = 1
			continue
		}
		fmt.Fprintf(stdout, "%s: ok: %s\n", file, topologySummary(t))
	}
	return status
}

func topologyImport(paths []string, out string, stdout, stderr io.Writer, fail func(string, ...any) int) int {
	var files []topoimport.File
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return fail("%v", err)
		}
		files = append(files, topoimport.File{Name: p, Data: data})
	}
	spec, warnings, err := topoimport.Import(files...)
	if err != nil {
		return fail("%v", err)
	}
	for _, w := range warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	t, err := vpce.Build(spec)
	if err != nil {
		return fail("%v", err) // Import checked it: a bug
	}
	data, err := vpce.MarshalTopology(t)
	if err != nil {
		return fail("%v", err)
	}
	// What serve --topology would say of it.
	if _, err := vpce.ParseTopology(data); err != nil {
		return fail("the imported topology would not load: %v", err)
	}
	if err := writeOutput(out, data, stdout); err != nil {
		return fail("%v", err)
	}
	dest := "standard output"
	if out != "" {
		dest = out
	}
	fmt.Fprintf(stderr, "imported %s to %s (%s)\n", topologySummary(t), dest, policyCount(len(warnings), "warning"))
	return 0
}

// writeOutput writes data to the file path, or to stdout when path is "".
func writeOutput(path string, data []byte, stdout io.Writer) error {
	if path == "" {
		_, err := stdout.Write(data)
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// topologySummary counts what a topology holds: "2 VPCs, 7 subnets, ...".
func topologySummary(t *vpce.Topology) string {
	parts := []string{
		policyCount(len(t.VPCs()), "VPC"),
		policyCount(len(t.Subnets()), "subnet"),
		policyCount(len(t.SecurityGroups()), "security group"),
		policyCount(len(t.RouteTables()), "route table"),
		policyCount(len(t.InternetGateways()), "internet gateway"),
		policyCount(len(t.Peerings()), "peering"),
		policyCount(len(t.Instances()), "instance"),
		policyCount(len(t.Endpoints()), "interface endpoint"),
		policyCount(len(t.GatewayEndpoints()), "gateway endpoint"),
	}
	return "account " + t.Account() + ", " + strings.Join(parts, ", ")
}
