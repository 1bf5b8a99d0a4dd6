package topoimport

import (
	"encoding/json"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// seedFiles are the describe-* outputs of the seed's account.
var seedFiles = []string{"vpcs.json", "vpc-attribute-my-vpc.json", "subnets.json", "security-groups.json", "route-tables.json",
	"internet-gateways.json", "instances.json", "vpc-endpoints.json", "network-interfaces.json"}

func readSeed(t testing.TB, names ...string) []File {
	t.Helper()
	var fs []File
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join("testdata", "seed", n))
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, File{Name: n, Data: data})
	}
	return fs
}

func warningStrings(ws []Warning) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.String()
	}
	return out
}

// seedWarnings are what the seed account's outputs hold that the model
// does not.
var seedWarnings = []string{
	"instances.json: i-0d4e5f6a7b8c9d0e1: skipped: terminated",
	"vpc-endpoints.json: vpce-0f1a2b3c4d5e6f708: skipped: service com.amazonaws.us-east-1.dynamodb is not emulated (only S3, com.amazonaws.<region>.s3)",
	"route-tables.json: rtb-0b3d5f7a9c1e24680: Routes[3] to pl-02cd2c6b via vpce-0f1a2b3c4d5e6f708 skipped with that endpoint",
}

// TestImportSeed: the describe-* outputs of an account like the seed's
// import as the seed's own Spec, except for what those outputs cannot
// show: the peering is inferred from routes, so it has no tags, and the
// VPC listed first (my-vpc) is taken as its requester.
func TestImportSeed(t *testing.T) {
	spec, warnings, err := Import(readSeed(t, seedFiles...)...)
	if err != nil {
		t.Fatal(err)
	}
	if got := warningStrings(warnings); !slices.Equal(got, seedWarnings) {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(seedWarnings, "\n"))
	}
	want := vpce.DefaultSpec()
	p := &want.Peerings[0]
	p.Tags, p.RequesterVPC, p.AccepterVPC = nil, p.AccepterVPC, p.RequesterVPC
	compareSpecs(t, spec, want)

	topo, err := vpce.Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	ep, ok := topo.Endpoint("vpce-0a77994aa2124c299")
	if !ok {
		t.Fatal("no interface endpoint vpce-0a77994aa2124c299")
	}
	if got, want := ep.RegionalName(), "vpce-0a77994aa2124c299-9tcntpvn.s3.us-east-1.vpce.amazonaws.com"; got != want {
		t.Errorf("regional name %s, want %s", got, want)
	}
	z, ok := ep.Zone("us-east-1d")
	if !ok || z.IP != netip.MustParseAddr("172.16.10.143") || z.SubnetID != "subnet-01a2b3c4d5e6f7a84" || z.ENIID != "eni-0a1b2c3d4e5f60744" {
		t.Errorf("zone us-east-1d = %+v, want 172.16.10.143 in subnet-01a2b3c4d5e6f7a84 (eni-0a1b2c3d4e5f60744)", z)
	}
	if len(ep.Zones) != 6 || ep.Policy != "" || ep.PrivateDNS || !slices.Equal(ep.SecurityGroups, []string{vpce.DefaultEndpointGroupID}) {
		t.Errorf("endpoint = %+v", ep)
	}
	var routes []string
	for _, r := range topo.Routes("rtb-0a2c4e6b8d0f13579") {
		dest := r.PrefixList
		if dest == "" {
			dest = r.Destination.String()
		}
		routes = append(routes, dest+" "+r.Target)
	}
	wantRoutes := []string{"172.31.0.0/16 local", "0.0.0.0/0 igw-0c4e6a8b0d2f35791", "172.16.0.0/16 pcx-0d5f7b9c1e3a46802", "pl-63a5400a vpce-0b2d4f6a8c0e13579"}
	if !slices.Equal(routes, wantRoutes) {
		t.Errorf("routes of the default VPC's main table: %q, want %q", routes, wantRoutes)
	}
	g, ok := topo.SecurityGroup(vpce.DefaultEndpointGroupID)
	if !ok || len(g.Ingress) != 1 || !g.Ingress[0].Covers(vpce.ProtocolTCP, 443) || g.Ingress[0].Covers(vpce.ProtocolTCP, 80) ||
		len(g.Ingress[0].CIDRs) != 2 || g.Ingress[0].Description != "HTTPS to the S3 endpoint" {
		t.Errorf("endpoint security group ingress = %+v", g.Ingress)
	}
	if rt, ok := topo.RouteTableOf("subnet-01a2b3c4d5e6f7a84"); !ok || rt.ID != "rtb-0b3d5f7a9c1e24680" {
		t.Errorf("route table of us-east-1d's subnet = %v, want my-vpc's main table", rt)
	}
	in, ok := topo.Instance("i-0b2c3d4e5f6a70819")
	if !ok || in.PrivateIP != netip.MustParseAddr("172.16.10.77") || in.PublicIP != netip.MustParseAddr("54.175.12.77") || in.Name() != "my-vpc-host" {
		t.Errorf("instance i-0b2c3d4e5f6a70819 = %+v", in)
	}
	if in, ok := topo.Instance("i-0c3d4e5f6a7b8091a"); !ok || in.PublicIP.IsValid() {
		t.Errorf("instance i-0c3d4e5f6a7b8091a = %+v, want no public address", in)
	}
	if rt, ok := topo.RouteTableOf("subnet-01a2b3c4d5e6f7a82"); !ok || rt.ID != "rtb-0c4e6a8b0d2f35792" {
		t.Errorf("route table of 172.16.2.0/24 = %v, want my-vpc's private table", rt)
	}
	if v, ok := topo.VPC(vpce.DefaultVPCID); !ok || v.EnableDNSHostnames || !v.EnableDNSSupport {
		t.Errorf("my-vpc %+v, want DNS support on and hostnames off (describe-vpc-attribute)", v)
	}

	// The topology file it makes (its format changes with the lead's; -update).
	data, err := vpce.MarshalTopology(topo)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "seed.topology.golden", data)
	back, err := vpce.ParseTopology(data)
	if err != nil {
		t.Fatalf("the topology file written does not parse: %v", err)
	}
	compareSpecs(t, back.Spec(), topo.Spec())
}

func compareSpecs(t *testing.T, got, want vpce.Spec) {
	t.Helper()
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range g.NumField() {
		name := g.Type().Field(i).Name
		if !reflect.DeepEqual(g.Field(i).Interface(), w.Field(i).Interface()) {
			gj, _ := json.MarshalIndent(g.Field(i).Interface(), "", " ")
			wj, _ := json.MarshalIndent(w.Field(i).Interface(), "", " ")
			t.Errorf("%s:\n%s\nwant:\n%s", name, gj, wj)
		}
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs (go test -update to rewrite after checking):\n%s", path, got)
	}
}

// TestImportOrderAndCombined: the files in any order, and one object
// holding every key (with describe-vpc-attribute's output, which has no
// top-level array, beside it), import the same.
func TestImportOrderAndCombined(t *testing.T) {
	files := readSeed(t, seedFiles...)
	want, _, err := Import(files...)
	if err != nil {
		t.Fatal(err)
	}
	reversed := slices.Clone(files)
	slices.Reverse(reversed)
	combined := map[string]json.RawMessage{}
	var attributes []File
	for _, f := range files {
		if strings.HasPrefix(f.Name, "vpc-attribute-") {
			attributes = append(attributes, f)
			continue
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(f.Data, &m); err != nil {
			t.Fatal(err)
		}
		for k, v := range m {
			combined[k] = v
		}
	}
	all, err := json.MarshalIndent(combined, "", "    ")
	if err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string][]File{
		"reversed": reversed,
		"combined": append([]File{{Name: "all.json", Data: all}}, attributes...),
	} {
		t.Run(name, func(t *testing.T) {
			got, ws, err := Import(in...)
			if err != nil {
				t.Fatal(err)
			}
			compareSpecs(t, got, want)
			if len(ws) != len(seedWarnings) {
				t.Errorf("%d warnings, want %d: %q", len(ws), len(seedWarnings), warningStrings(ws))
			}
		})
	}
}

// TestImportWithoutNetworkInterfaces: without describe-network-interfaces
// output each ENI gets its subnet's first free address, with a warning.
func TestImportWithoutNetworkInterfaces(t *testing.T) {
	names := slices.DeleteFunc(slices.Clone(seedFiles), func(n string) bool { return n == "network-interfaces.json" })
	spec, warnings, err := Import(readSeed(t, names...)...)
	if err != nil {
		t.Fatal(err)
	}
	ep := spec.Endpoints[0]
	var ips []string
	for _, z := range ep.Zones {
		ips = append(ips, z.Name+"="+z.IP.String()+"/"+z.ENIID)
	}
	wantIPs := []string{
		"us-east-1a=172.16.1.4/eni-0a1b2c3d4e5f60711", "us-east-1b=172.16.2.4/eni-0a1b2c3d4e5f60722",
		"us-east-1c=172.16.3.4/eni-0a1b2c3d4e5f60733", "us-east-1d=172.16.10.4/eni-0a1b2c3d4e5f60744",
		"us-east-1e=172.16.5.4/eni-0a1b2c3d4e5f60755", "us-east-1f=172.16.6.4/eni-0a1b2c3d4e5f60766",
	}
	if !slices.Equal(ips, wantIPs) {
		t.Errorf("zones %q, want %q", ips, wantIPs)
	}
	n := 0
	for _, w := range warnings {
		if strings.Contains(w.Msg, "add describe-network-interfaces output") {
			n++
		}
	}
	if n != 6 {
		t.Errorf("%d warnings about ENI addresses, want 6: %q", n, warningStrings(warnings))
	}
	if want := "vpc-endpoints.json: vpce-0a77994aa2124c299: eni-0a1b2c3d4e5f60744's address in subnet-01a2b3c4d5e6f7a84 is not in the input (add describe-network-interfaces output): 172.16.10.4 allocated"; !slices.Contains(warningStrings(warnings), want) {
		t.Errorf("no warning %q in %q", want, warningStrings(warnings))
	}
}

// TestImportAllocationSkipsUsedAddresses: an allocated ENI address is
// neither reserved, nor an instance's, nor another ENI's.
func TestImportAllocationSkipsUsedAddresses(t *testing.T) {
	files := []File{
		{"vpcs.json", []byte(`{"Vpcs":[{"VpcId":"vpc-0123456789abcdef0","CidrBlock":"10.0.0.0/16","OwnerId":"111122223333"}]}`)},
		{"subnets.json", []byte(`{"Subnets":[{"SubnetId":"subnet-0123456789abcdef0","VpcId":"vpc-0123456789abcdef0","CidrBlock":"10.0.0.0/28","AvailabilityZone":"eu-west-1a"}]}`)},
		{"instances.json", []byte(`{"Reservations":[{"Instances":[{"InstanceId":"i-0123456789abcdef0","SubnetId":"subnet-0123456789abcdef0","PrivateIpAddress":"10.0.0.4","State":{"Name":"running"}}]}]}`)},
		{"enis.json", []byte(`{"NetworkInterfaces":[{"NetworkInterfaceId":"eni-0aaaaaaaaaaaaaaaa","SubnetId":"subnet-0123456789abcdef0","PrivateIpAddress":"10.0.0.5"}]}`)},
		{"endpoints.json", []byte(`{"VpcEndpoints":[{"VpcEndpointId":"vpce-0123456789abcdef0","VpcEndpointType":"Interface","VpcId":"vpc-0123456789abcdef0","ServiceName":"com.amazonaws.eu-west-1.s3","State":"available","SubnetIds":["subnet-0123456789abcdef0"],"NetworkInterfaceIds":["eni-0bbbbbbbbbbbbbbbb"],"DnsEntries":[{"DnsName":"*.vpce-0123456789abcdef0-abcd1234.s3.eu-west-1.vpce.amazonaws.com"}]}]}`)},
	}
	spec, _, err := Import(files...)
	if err != nil {
		t.Fatal(err)
	}
	if spec.Account != "111122223333" {
		t.Errorf("account %s, want the VPC's owner 111122223333", spec.Account)
	}
	ep := spec.Endpoints[0]
	if ep.DNSSuffix != "abcd1234" || ep.Region != "eu-west-1" || ep.Zones[0].IP != netip.MustParseAddr("10.0.0.6") || ep.Zones[0].ENIID != "eni-0bbbbbbbbbbbbbbbb" {
		t.Errorf("endpoint %+v, want suffix abcd1234 in eu-west-1 at 10.0.0.6", ep)
	}
}

// TestImportVPCAttributes: describe-vpc-attribute outputs set the DNS
// attributes of their VPCs, one attribute each; a VPC without them has
// both on; an output for a VPC not in the input is skipped with a warning.
func TestImportVPCAttributes(t *testing.T) {
	const vpcs = `{"Vpcs": [{"VpcId": "vpc-0aaaaaaaaaaaaaaaa", "CidrBlock": "10.0.0.0/16"}, {"VpcId": "vpc-0bbbbbbbbbbbbbbbb", "CidrBlock": "10.1.0.0/16"}]}`
	files := []File{
		{"hostnames.json", []byte(`{"VpcId": "vpc-0aaaaaaaaaaaaaaaa", "EnableDnsHostnames": {"Value": false}}`)},
		{"vpcs.json", []byte(vpcs)},
		{"support.json", []byte("{\n    \"EnableDnsSupport\": {\n        \"Value\": false\n    },\n    \"VpcId\": \"vpc-0aaaaaaaaaaaaaaaa\"\n}\n")},
		{"other.json", []byte(`{"VpcId": "vpc-0cccccccccccccccc", "EnableDnsHostnames": {"Value": true}}`)},
	}
	spec, warnings, err := Import(files...)
	if err != nil {
		t.Fatal(err)
	}
	type dns struct{ support, hostnames bool }
	got := map[string]dns{}
	for _, v := range spec.VPCs {
		got[v.ID] = dns{v.EnableDNSSupport, v.EnableDNSHostnames}
	}
	want := map[string]dns{"vpc-0aaaaaaaaaaaaaaaa": {false, false}, "vpc-0bbbbbbbbbbbbbbbb": {true, true}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DNS attributes %+v, want %+v", got, want)
	}
	wantWarnings := []string{"other.json: vpc-0cccccccccccccccc: attributes skipped: the VPC is not in the input"}
	if ws := warningStrings(warnings); !slices.Equal(ws, wantWarnings) {
		t.Errorf("warnings %q, want %q", ws, wantWarnings)
	}
}

// TestImportWarnings: what is skipped or inferred, each named.
func TestImportWarnings(t *testing.T) {
	const (
		vpcs = `{"Vpcs":[
 {"VpcId":"vpc-0aaaaaaaaaaaaaaaa","CidrBlock":"10.0.0.0/16","OwnerId":"111122223333",
  "CidrBlockAssociationSet":[{"CidrBlock":"10.0.0.0/16","CidrBlockState":{"State":"associated"}},{"CidrBlock":"100.64.0.0/16","CidrBlockState":{"State":"associated"}}],
  "Ipv6CidrBlockAssociationSet":[{"Ipv6CidrBlock":"2600:1f18::/56"}]},
 {"VpcId":"vpc-0bbbbbbbbbbbbbbbb","CidrBlock":"10.1.0.0/16","OwnerId":"111122223333"}]}`
		subnets = `{"Subnets":[
 {"SubnetId":"subnet-0aaaaaaaaaaaaaaaa","VpcId":"vpc-0aaaaaaaaaaaaaaaa","CidrBlock":"10.0.1.0/24","AvailabilityZone":"us-west-2a"},
 {"SubnetId":"subnet-0bbbbbbbbbbbbbbbb","VpcId":"vpc-0aaaaaaaaaaaaaaaa","CidrBlock":"100.64.1.0/24","AvailabilityZone":"us-west-2a"},
 {"SubnetId":"subnet-0cccccccccccccccc","VpcId":"vpc-0cccccccccccccccc","CidrBlock":"10.9.1.0/24","AvailabilityZone":"us-west-2a"}]}`
	)
	// Each case's files start with base of vpcs and subnets, whose own
	// warnings (the first case's) the other cases leave out.
	tests := []struct {
		name  string
		base  int
		files []string
		want  []string
	}{
		{
			name:  "secondary CIDR, IPv6, subnets outside",
			files: []string{vpcs, subnets},
			want: []string{
				"f0: vpc-0aaaaaaaaaaaaaaaa: secondary CIDR block 100.64.0.0/16 skipped: only the primary CIDR is modelled",
				"f0: vpc-0aaaaaaaaaaaaaaaa: IPv6 CIDR blocks skipped: IPv6 is not emulated",
				"f1: subnet-0bbbbbbbbbbbbbbbb: skipped: 100.64.1.0/24 is outside vpc-0aaaaaaaaaaaaaaaa's primary CIDR 10.0.0.0/16 (secondary CIDR blocks are not modelled)",
				"f1: subnet-0cccccccccccccccc: skipped: its VPC vpc-0cccccccccccccccc is not in the input (add describe-vpcs output)",
			},
		},
		{
			name: "security group rules",
			base: 1,
			files: []string{vpcs, `{"SecurityGroups":[{"GroupId":"sg-0aaaaaaaaaaaaaaaa","GroupName":"g","VpcId":"vpc-0aaaaaaaaaaaaaaaa","IpPermissions":[
 {"IpProtocol":"tcp","FromPort":443,"ToPort":443,"IpRanges":[{"CidrIp":"10.0.0.0/8","Description":"a"},{"CidrIp":"192.168.0.0/16","Description":"b"}],"Ipv6Ranges":[{"CidrIpv6":"::/0"}]},
 {"IpProtocol":"6","FromPort":80,"ToPort":80,"PrefixListIds":[{"PrefixListId":"pl-0123abcd"}]},
 {"IpProtocol":"58","FromPort":-1,"ToPort":-1,"Ipv6Ranges":[{"CidrIpv6":"::/0"}]},
 {"IpProtocol":"-1","UserIdGroupPairs":[{"GroupId":"sg-0fffffffffffffff0","UserId":"444455556666"},{"GroupId":"sg-0aaaaaaaaaaaaaaaa"}]}]}]}`},
			want: []string{
				"f1: sg-0aaaaaaaaaaaaaaaa: IpPermissions[0]: IPv6 ranges skipped: IPv6 is not emulated",
				"f1: sg-0aaaaaaaaaaaaaaaa: IpPermissions[1]: prefix lists pl-0123abcd skipped: security group rules with prefix lists are not emulated",
				"f1: sg-0aaaaaaaaaaaaaaaa: IpPermissions[1] skipped: no IPv4 range or security group of the input is left in it",
				`f1: sg-0aaaaaaaaaaaaaaaa: IpPermissions[2] skipped: protocol "58" is not emulated (only tcp, udp, icmp and -1)`,
				"f1: sg-0aaaaaaaaaaaaaaaa: IpPermissions[3]: source group sg-0fffffffffffffff0 skipped: it is not in the input (another account's or VPC's group, or describe-security-groups output missing)",
			},
		},
		{
			name: "routes",
			base: 2,
			files: []string{vpcs, subnets, `{"RouteTables":[{"RouteTableId":"rtb-0aaaaaaaaaaaaaaaa","VpcId":"vpc-0aaaaaaaaaaaaaaaa",
 "Associations":[{"Main":false,"SubnetId":"subnet-0aaaaaaaaaaaaaaaa"},{"Main":false,"SubnetId":"subnet-0bbbbbbbbbbbbbbbb"},{"Main":false,"GatewayId":"igw-0aaaaaaaaaaaaaaaa"}],
 "Routes":[
  {"DestinationCidrBlock":"10.0.0.0/16","GatewayId":"local","Origin":"CreateRouteTable","State":"active"},
  {"DestinationCidrBlock":"0.0.0.0/0","NatGatewayId":"nat-0aaaaaaaaaaaaaaaa","Origin":"CreateRoute","State":"active"},
  {"DestinationCidrBlock":"192.168.0.0/16","TransitGatewayId":"tgw-0aaaaaaaaaaaaaaaa","Origin":"CreateRoute","State":"active"},
  {"DestinationIpv6CidrBlock":"::/0","EgressOnlyInternetGatewayId":"eigw-0aaaaaaaaaaaaaaaa","Origin":"CreateRoute","State":"active"},
  {"DestinationCidrBlock":"172.16.0.0/12","GatewayId":"vgw-0aaaaaaaaaaaaaaaa","Origin":"EnableVgwRoutePropagation","State":"active"},
  {"DestinationPrefixListId":"pl-68a54001","GatewayId":"vpce-0aaaaaaaaaaaaaaaa","Origin":"CreateRoute","State":"active"},
  {"DestinationCidrBlock":"10.1.0.0/16","VpcPeeringConnectionId":"pcx-0aaaaaaaaaaaaaaaa","Origin":"CreateRoute","State":"active"},
  {"DestinationCidrBlock":"10.7.0.0/16","VpcPeeringConnectionId":"pcx-0bbbbbbbbbbbbbbbb","Origin":"CreateRoute","State":"active"},
  {"DestinationCidrBlock":"8.8.8.0/24","GatewayId":"igw-0cccccccccccccccc","Origin":"CreateRoute","State":"blackhole"}]}]}`},
			want: []string{
				"f2: rtb-0aaaaaaaaaaaaaaaa: Associations[1]: subnet subnet-0bbbbbbbbbbbbbbbb skipped: it is not in the input",
				"f2: rtb-0aaaaaaaaaaaaaaaa: Associations[2]: edge association with igw-0aaaaaaaaaaaaaaaa skipped: gateway route tables are not emulated",
				"f2: rtb-0aaaaaaaaaaaaaaaa: Routes[1] to 0.0.0.0/0 via nat-0aaaaaaaaaaaaaaaa skipped: NAT gateways are not emulated",
				"f2: rtb-0aaaaaaaaaaaaaaaa: Routes[2] to 192.168.0.0/16 via tgw-0aaaaaaaaaaaaaaaa skipped: transit gateways are not emulated",
				"f2: rtb-0aaaaaaaaaaaaaaaa: Routes[3] to ::/0 skipped: IPv6 is not emulated",
				"f2: rtb-0aaaaaaaaaaaaaaaa: Routes[4] to 172.16.0.0/12 skipped: routes propagated from a virtual private gateway are not emulated",
				"f2: rtb-0aaaaaaaaaaaaaaaa: Routes[8] to 8.8.8.0/24 via igw-0cccccccccccccccc skipped: blackhole (its target is gone)",
				"f2: pcx-0aaaaaaaaaaaaaaaa: its other side, vpc-0bbbbbbbbbbbbbbbb, is inferred from the destination 10.1.0.0/16: only vpc-0aaaaaaaaaaaaaaaa's route tables route to it",
				"f2: pcx-0bbbbbbbbbbbbbbbb: skipped, with its routes: only vpc-0aaaaaaaaaaaaaaaa's route tables route to it, and no one other VPC of the input holds the destination 10.7.0.0/16",
				"f2: rtb-0aaaaaaaaaaaaaaaa: Routes[5] to pl-68a54001 via vpce-0aaaaaaaaaaaaaaaa skipped: that gateway endpoint is not in the input (add describe-vpc-endpoints output)",
			},
		},
		{
			name: "endpoints",
			base: 2,
			files: []string{vpcs, subnets, `{"VpcEndpoints":[
 {"VpcEndpointId":"vpce-0aaaaaaaaaaaaaaaa","VpcEndpointType":"Interface","VpcId":"vpc-0aaaaaaaaaaaaaaaa","ServiceName":"com.amazonaws.us-west-2.s3","State":"deleted"},
 {"VpcEndpointId":"vpce-0bbbbbbbbbbbbbbbb","VpcEndpointType":"GatewayLoadBalancer","VpcId":"vpc-0aaaaaaaaaaaaaaaa","ServiceName":"com.amazonaws.us-west-2.s3","State":"available"},
 {"VpcEndpointId":"vpce-0cccccccccccccccc","VpcEndpointType":"Interface","VpcId":"vpc-0aaaaaaaaaaaaaaaa","ServiceName":"com.amazonaws.us-west-2.s3","State":"Available",
  "SubnetIds":["subnet-0aaaaaaaaaaaaaaaa","subnet-0cccccccccccccccc"],"IpAddressType":"dualstack","DnsOptions":{"DnsRecordIpType":"dualstack"},
  "Groups":[{"GroupId":"sg-0aaaaaaaaaaaaaaaa","GroupName":"gone"}],"PolicyDocument":"{\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}"}]}`},
			want: []string{
				"f2: vpce-0aaaaaaaaaaaaaaaa: skipped: deleted",
				"f2: vpce-0bbbbbbbbbbbbbbbb: skipped: GatewayLoadBalancer endpoints are not emulated",
				"f2: vpce-0cccccccccccccccc: DnsRecordIpType dualstack imported as ipv4: IPv6 is not emulated",
				"f2: vpce-0cccccccccccccccc: IpAddressType dualstack imported as ipv4: IPv6 is not emulated",
				"f2: vpce-0cccccccccccccccc: no DnsEntries name vpce-…-<suffix>.s3.us-west-2.vpce.amazonaws.com: DNS suffix " + derivedSuffix("vpce-0cccccccccccccccc") + " made up",
				"f2: vpce-0cccccccccccccccc: security group sg-0aaaaaaaaaaaaaaaa skipped: it is not in the input",
				"f2: vpce-0cccccccccccccccc: its ENI's address in subnet-0aaaaaaaaaaaaaaaa is not in the input (add describe-network-interfaces output): 10.0.1.4 allocated",
				"f2: vpce-0cccccccccccccccc: subnet subnet-0cccccccccccccccc skipped: it is not in the input (and with it the endpoint's zone there)",
			},
		},
		{
			name:  "paginated output, other accounts",
			base:  1,
			files: []string{vpcs, `{"Subnets":[{"SubnetId":"subnet-0aaaaaaaaaaaaaaaa","OwnerId":"999988887777","VpcId":"vpc-0aaaaaaaaaaaaaaaa","CidrBlock":"10.0.1.0/24","AvailabilityZone":"us-west-2a"}],"NextToken":"eyJOZXh0VG9rZW4iOiBudWxsfQ=="}`, `{"Vpcs":[{"VpcId":"vpc-0dddddddddddddddd","OwnerId":"999988887777","CidrBlock":"10.2.0.0/16"}]}`},
			want: []string{
				"f1: has a NextToken: the output was cut short (--max-items); what the next pages hold is missing",
				"f2: resources of account 999988887777 are imported as if 111122223333 owned them (the emulator has one account)",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var files []File
			for i, f := range tt.files {
				files = append(files, File{Name: "f" + string(rune('0'+i)), Data: []byte(f)})
			}
			spec, ws, err := Import(files...)
			if err != nil {
				t.Fatal(err)
			}
			var baseWarnings []string
			if tt.base > 0 {
				_, bws, err := Import(files[:tt.base]...)
				if err != nil {
					t.Fatal(err)
				}
				baseWarnings = warningStrings(bws)
			}
			got := slices.DeleteFunc(warningStrings(ws), func(w string) bool { return slices.Contains(baseWarnings, w) })
			if !slices.Equal(got, tt.want) {
				t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if _, err := vpce.Build(spec); err != nil {
				t.Errorf("the imported Spec does not build: %v", err)
			}
		})
	}
}

// TestImportKeepsWhatItCan: the inferred peering and its routes, a custom
// endpoint policy, a rule split by description.
func TestImportKeepsWhatItCan(t *testing.T) {
	files := []File{
		{"vpcs", []byte(`{"Vpcs":[{"VpcId":"vpc-0aaaaaaaaaaaaaaaa","CidrBlock":"10.0.0.0/16"},{"VpcId":"vpc-0bbbbbbbbbbbbbbbb","CidrBlock":"10.1.0.0/16"}]}`)},
		{"rtbs", []byte(`{"RouteTables":[{"RouteTableId":"rtb-0bbbbbbbbbbbbbbbb","VpcId":"vpc-0bbbbbbbbbbbbbbbb","Associations":[{"Main":true}],"Routes":[
  {"DestinationCidrBlock":"10.0.0.0/16","VpcPeeringConnectionId":"pcx-0aaaaaaaaaaaaaaaa","State":"active"}]},
 {"RouteTableId":"rtb-0aaaaaaaaaaaaaaaa","VpcId":"vpc-0aaaaaaaaaaaaaaaa","Associations":[{"Main":true}],"Routes":[
  {"DestinationCidrBlock":"10.1.0.0/16","VpcPeeringConnectionId":"pcx-0aaaaaaaaaaaaaaaa","State":"active"},
  {"DestinationCidrBlock":"0.0.0.0/0","GatewayId":"igw-0aaaaaaaaaaaaaaaa","State":"active"}]}]}`)},
		{"sgs", []byte(`{"SecurityGroups":[{"GroupId":"sg-0aaaaaaaaaaaaaaaa","GroupName":"g","VpcId":"vpc-0aaaaaaaaaaaaaaaa","IpPermissions":[
 {"IpProtocol":"icmp","FromPort":8,"ToPort":-1,"IpRanges":[{"CidrIp":"10.0.0.0/8","Description":"ping"},{"CidrIp":"10.1.0.0/16"}],"UserIdGroupPairs":[{"GroupId":"sg-0aaaaaaaaaaaaaaaa","Description":"ping"}]}]}]}`)},
	}
	spec, ws, err := Import(files...)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 0 {
		t.Errorf("warnings %q", warningStrings(ws))
	}
	wantPeerings := []vpce.Peering{{ID: "pcx-0aaaaaaaaaaaaaaaa", RequesterVPC: "vpc-0aaaaaaaaaaaaaaaa", AccepterVPC: "vpc-0bbbbbbbbbbbbbbbb"}}
	if !reflect.DeepEqual(spec.Peerings, wantPeerings) {
		t.Errorf("peerings %+v, want %+v (the VPC listed first requests)", spec.Peerings, wantPeerings)
	}
	if want := []vpce.InternetGateway{{ID: "igw-0aaaaaaaaaaaaaaaa", VPCID: "vpc-0aaaaaaaaaaaaaaaa"}}; !reflect.DeepEqual(spec.InternetGateways, want) {
		t.Errorf("internet gateways %+v, want %+v", spec.InternetGateways, want)
	}
	if n := len(spec.RouteTables[1].Routes); n != 2 {
		t.Errorf("rtb-0aaaaaaaaaaaaaaaa has %d routes, want 2", n)
	}
	p := netip.MustParsePrefix
	wantRules := []vpce.Rule{
		{Protocol: "icmp", FromPort: 8, ToPort: -1, CIDRs: []netip.Prefix{p("10.0.0.0/8")}, Groups: []string{"sg-0aaaaaaaaaaaaaaaa"}, Description: "ping"},
		{Protocol: "icmp", FromPort: 8, ToPort: -1, CIDRs: []netip.Prefix{p("10.1.0.0/16")}},
	}
	if got := spec.SecurityGroups[0].Ingress; !reflect.DeepEqual(got, wantRules) {
		t.Errorf("rules %+v, want %+v", got, wantRules)
	}
}

func TestPolicyOf(t *testing.T) {
	for _, tt := range []struct{ doc, want string }{
		{`{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`, ""},
		{"{\n  \"Statement\": [\n    {\n      \"Action\": \"*\", \n      \"Effect\": \"Allow\", \n      \"Principal\": \"*\", \n      \"Resource\": \"*\"\n    }\n  ]\n}", ""},
		{`{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}`, ""},
		{`{"Version":"2012-10-17","Id":"x","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`, "keep"},
		{`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`, "keep"},
		{`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}`, "keep"},
		{`not json`, "keep"},
	} {
		want := tt.want
		if want == "keep" {
			want = tt.doc
		}
		if got := policyOf(tt.doc); got != want {
			t.Errorf("policyOf(%s) = %q, want %q", tt.doc, got, want)
		}
	}
}
