package vpcnet

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// The seed's IDs that vpce does not export.
const (
	seedPeering    = "pcx-0d5f7b9c1e3a46802"
	seedWebGroup   = "sg-0b1c2d3e4f5a60789"
	seedMyDefault  = "sg-0c2e4a6b8d0f13579"
	seedMyMainRTB  = "rtb-0b3d5f7a9c1e24680"
	seedDefMainRTB = "rtb-0a2c4e6b8d0f13579"
	seedPrivateRTB = "rtb-0c4e6a8b0d2f35792"
	seedSubnetD    = "subnet-01a2b3c4d5e6f7a84"
	seedSubnetB    = "subnet-01a2b3c4d5e6f7a82"
)

// changed is the seed with change applied.
func changed(tb testing.TB, change func(s *vpce.Spec)) *vpce.Topology {
	tb.Helper()
	s := vpce.DefaultSpec()
	if change != nil {
		change(&s)
	}
	t, err := vpce.Build(s)
	if err != nil {
		tb.Fatalf("build topology: %v", err)
	}
	return t
}

func group(s *vpce.Spec, id string) *vpce.SecurityGroup {
	for i := range s.SecurityGroups {
		if s.SecurityGroups[i].ID == id {
			return &s.SecurityGroups[i]
		}
	}
	panic("no group " + id)
}

func routeTable(s *vpce.Spec, id string) *vpce.RouteTable {
	for i := range s.RouteTables {
		if s.RouteTables[i].ID == id {
			return &s.RouteTables[i]
		}
	}
	panic("no route table " + id)
}

func instance(s *vpce.Spec, ip string) *vpce.Instance {
	for i := range s.Instances {
		if s.Instances[i].PrivateIP == netip.MustParseAddr(ip) {
			return &s.Instances[i]
		}
	}
	panic("no instance " + ip)
}

// dropRoute removes the route to dst from table id.
func dropRoute(s *vpce.Spec, id, dst string) {
	r := routeTable(s, id)
	r.Routes = slices.DeleteFunc(r.Routes, func(rt vpce.Route) bool { return rt.Destination.String() == dst })
}

func TestDecide(t *testing.T) {
	const (
		eni    = "172.16.10.143"
		public = "52.216.53.32"
	)
	tests := []struct {
		name   string
		change func(s *vpce.Spec)
		from   string
		flow   string // "tcp 443", "udp 53", "icmp"
		to     string
		want   Verdict
		// reason, when set, must be part of the verdict's reason.
		reason string
	}{
		// The seed.
		{name: "seed/endpoint 443", from: "172.16.10.77", flow: "tcp 443", to: eni, want: Verdict{Allowed: true, Via: ViaLocal}},
		{name: "seed/endpoint 80", from: "172.16.10.77", flow: "tcp 80", to: eni, want: Verdict{Via: ViaLocal},
			reason: "sg-0e5f7a9b1c3d24680 (s3-endpoint) allows no tcp 80 from 172.16.10.77"},
		{name: "seed/endpoint ping", from: "172.16.10.77", flow: "icmp", to: eni, want: Verdict{Via: ViaLocal},
			reason: "sg-0e5f7a9b1c3d24680 (s3-endpoint) allows no icmp echo-request from 172.16.10.77"},
		{name: "seed/endpoint from the private subnet", from: "172.16.2.99", flow: "tcp 443", to: eni, want: Verdict{Allowed: true, Via: ViaLocal}},
		{name: "seed/endpoint through the peering", from: "172.31.80.132", flow: "tcp 443", to: eni, want: Verdict{Allowed: true, Via: seedPeering}},
		{name: "seed/ssh to an instance", from: "172.16.10.77", flow: "tcp 22", to: "172.16.2.99", want: Verdict{Allowed: true, Via: ViaLocal}},
		{name: "seed/http to an instance", from: "172.16.10.77", flow: "tcp 80", to: "172.16.2.99", want: Verdict{Via: ViaLocal},
			reason: "sg-0b1c2d3e4f5a60789 (web) allows no tcp 80 from 172.16.10.77"},
		{name: "seed/ssh across the peering", from: "172.16.2.99", flow: "tcp 22", to: "172.31.80.132", want: Verdict{Allowed: true, Via: seedPeering}},
		{name: "seed/nothing there", from: "172.16.10.77", flow: "tcp 443", to: "172.16.10.200", want: Verdict{Via: ViaLocal},
			reason: "nothing at 172.16.10.200 in vpc-0c1f3e5a7b9d2f468 (my-vpc)"},
		{name: "seed/public S3 through the gateway endpoint", from: "172.16.2.99", flow: "tcp 443", to: public, want: Verdict{Allowed: true, Via: vpce.PrivateGatewayEndpointID}},
		{name: "seed/public S3 on 80 through the gateway endpoint", from: "172.16.2.99", flow: "tcp 80", to: "52.217.194.208", want: Verdict{Allowed: true, Via: vpce.PrivateGatewayEndpointID}},
		{name: "seed/eu-west-1 S3 is not in us-east-1's prefix list", from: "172.16.2.99", flow: "tcp 443", to: "52.218.26.139", want: Verdict{},
			reason: "no route to 52.218.26.139 from subnet subnet-01a2b3c4d5e6f7a82 (route table rtb-0c4e6a8b0d2f35792)"},
		{name: "seed/no ping to public S3", from: "172.16.10.77", flow: "icmp", to: public, want: Verdict{Via: vpce.MyVPCInternetGatewayID},
			reason: "does not answer icmp echo-request"},
		{name: "seed/udp to public S3", from: "172.16.2.99", flow: "udp 443", to: public, want: Verdict{Allowed: true, Via: vpce.PrivateGatewayEndpointID}},
		{name: "seed/public S3 through the internet gateway", from: "172.16.10.77", flow: "tcp 443", to: public, want: Verdict{Allowed: true, Via: vpce.MyVPCInternetGatewayID}},
		{name: "seed/eu-west-1 S3 through the internet gateway", from: "172.16.10.77", flow: "tcp 443", to: "52.218.26.139", want: Verdict{Allowed: true, Via: vpce.MyVPCInternetGatewayID}},
		{name: "seed/the prefix list beats 0.0.0.0/0", from: "172.31.80.132", flow: "tcp 443", to: public, want: Verdict{Allowed: true, Via: vpce.DefaultGatewayEndpointID}},
		{name: "seed/the internet beyond S3", from: "172.16.10.77", flow: "tcp 443", to: "93.184.216.34", want: Verdict{Via: vpce.MyVPCInternetGatewayID},
			reason: "outside the emulated world"},
		{name: "seed/own resolver udp", from: "172.16.10.77", flow: "udp 53", to: "172.16.0.2", want: Verdict{Allowed: true, Via: ViaResolver}},
		{name: "seed/own resolver tcp", from: "172.16.10.77", flow: "tcp 53", to: "172.16.0.2", want: Verdict{Allowed: true, Via: ViaResolver}},
		{name: "seed/default VPC resolver", from: "172.31.80.132", flow: "udp 53", to: "172.31.0.2", want: Verdict{Allowed: true, Via: ViaResolver}},
		{name: "seed/own resolver on 443", from: "172.16.10.77", flow: "tcp 443", to: "172.16.0.2", want: Verdict{Via: ViaResolver},
			reason: "answers only DNS"},
		{name: "seed/the peer's resolver", from: "172.16.10.77", flow: "udp 53", to: "172.31.0.2", want: Verdict{},
			reason: "172.31.0.2 is the resolver of vpc-0d3a5c7e9b1f24680 (default VPC): an instance reaches only its own VPC's resolver (172.16.0.2)"},
		{name: "seed/bad protocol", from: "172.16.10.77", flow: "sctp 443", to: eni, want: Verdict{}, reason: `protocol "sctp"`},

		// The seed's transcripts, changed.
		{name: "endpoint group without 443", from: "172.16.10.77", flow: "tcp 443", to: eni, want: Verdict{Via: ViaLocal},
			change: func(s *vpce.Spec) { group(s, vpce.DefaultEndpointGroupID).Ingress = nil },
			reason: "sg-0e5f7a9b1c3d24680 (s3-endpoint) allows no tcp 443 from 172.16.10.77"},
		{name: "endpoint group without 443, through the peering", from: "172.31.80.132", flow: "tcp 443", to: eni, want: Verdict{Via: seedPeering},
			change: func(s *vpce.Spec) { group(s, vpce.DefaultEndpointGroupID).Ingress = nil },
			reason: "sg-0e5f7a9b1c3d24680 (s3-endpoint) allows no tcp 443 from 172.31.80.132"},
		{name: "gateway endpoint deleted", from: "172.16.2.99", flow: "tcp 443", to: public, want: Verdict{},
			change: func(s *vpce.Spec) {
				s.GatewayEndpoints = slices.DeleteFunc(s.GatewayEndpoints, func(g vpce.GatewayEndpoint) bool { return g.ID == vpce.PrivateGatewayEndpointID })
			},
			reason: "no route to 52.216.53.32 from subnet subnet-01a2b3c4d5e6f7a82 (route table rtb-0c4e6a8b0d2f35792)"},
		{name: "internet gateway detached", from: "172.16.10.77", flow: "tcp 443", to: public, want: Verdict{},
			change: func(s *vpce.Spec) {
				dropRoute(s, seedMyMainRTB, "0.0.0.0/0")
				for i := range s.InternetGateways {
					if s.InternetGateways[i].ID == vpce.MyVPCInternetGatewayID {
						s.InternetGateways[i].VPCID = ""
					}
				}
			},
			reason: "no route to 52.216.53.32 from subnet subnet-01a2b3c4d5e6f7a84 (route table rtb-0b3d5f7a9c1e24680)"},
		{name: "no public IP", from: "172.16.10.77", flow: "tcp 443", to: public, want: Verdict{Via: vpce.MyVPCInternetGatewayID},
			change: func(s *vpce.Spec) { instance(s, "172.16.10.77").PublicIP = netip.Addr{} },
			reason: "has no public IP address"},
		{name: "a route narrower than the prefix list wins", from: "172.16.2.99", flow: "tcp 443", to: public, want: Verdict{Via: vpce.MyVPCInternetGatewayID},
			change: func(s *vpce.Spec) {
				r := routeTable(s, seedPrivateRTB)
				r.Routes = append(r.Routes, vpce.Route{Destination: netip.MustParsePrefix("52.216.0.0/16"), Target: vpce.MyVPCInternetGatewayID})
			},
			reason: "instance i-0c3d4e5f6a7b8091a has no public IP address"},
		{name: "the prefix list beats 0.0.0.0/0 on a hand-built table", from: "172.16.2.99", flow: "tcp 443", to: public, want: Verdict{Allowed: true, Via: vpce.PrivateGatewayEndpointID},
			change: func(s *vpce.Spec) {
				r := routeTable(s, seedPrivateRTB)
				r.Routes = append(r.Routes, vpce.Route{Destination: netip.MustParsePrefix("0.0.0.0/0"), Target: vpce.MyVPCInternetGatewayID})
			}},
		{name: "no route back through the peering", from: "172.31.80.132", flow: "tcp 443", to: eni, want: Verdict{Via: seedPeering},
			change: func(s *vpce.Spec) { dropRoute(s, seedMyMainRTB, "172.31.0.0/16") },
			reason: "no route back to 172.31.80.132 through pcx-0d5f7b9c1e3a46802 from subnet subnet-01a2b3c4d5e6f7a84 (route table rtb-0b3d5f7a9c1e24680)"},
		{name: "no route to the peer", from: "172.31.80.132", flow: "tcp 443", to: eni, want: Verdict{Via: "igw-0c4e6a8b0d2f35791"},
			change: func(s *vpce.Spec) { dropRoute(s, seedDefMainRTB, "172.16.0.0/16") },
			reason: "outside the emulated world"},
		{name: "peering carries no transit", from: "172.31.80.132", flow: "tcp 443", to: "10.1.2.3", want: Verdict{Via: seedPeering},
			change: func(s *vpce.Spec) {
				r := routeTable(s, seedDefMainRTB)
				r.Routes = append(r.Routes, vpce.Route{Destination: netip.MustParsePrefix("10.0.0.0/8"), Target: seedPeering})
			},
			reason: "10.1.2.3 is not in vpc-0c1f3e5a7b9d2f468 (my-vpc) (172.16.0.0/16): pcx-0d5f7b9c1e3a46802 carries no transit traffic"},
		{name: "ENI subnet's own table has no route back", from: "172.31.80.132", flow: "tcp 443", to: eni, want: Verdict{Via: seedPeering},
			change: func(s *vpce.Spec) {
				s.RouteTables = append(s.RouteTables, vpce.RouteTable{ID: "rtb-0d0d0d0d0d0d0d0d0", VPCID: vpce.DefaultVPCID, Subnets: []string{seedSubnetD}})
			},
			reason: "from subnet subnet-01a2b3c4d5e6f7a84 (route table rtb-0d0d0d0d0d0d0d0d0)"},
		{name: "ENI without a subnet uses the main table", from: "172.31.80.132", flow: "tcp 443", to: eni, want: Verdict{Allowed: true, Via: seedPeering},
			change: func(s *vpce.Spec) {
				s.RouteTables = append(s.RouteTables, vpce.RouteTable{ID: "rtb-0d0d0d0d0d0d0d0d0", VPCID: vpce.DefaultVPCID, Subnets: []string{seedSubnetD}})
				for i := range s.Endpoints[0].Zones {
					s.Endpoints[0].Zones[i].SubnetID = ""
				}
			}},
		{name: "endpoint without groups gets the default group", from: "172.16.10.77", flow: "tcp 443", to: eni, want: Verdict{Via: ViaLocal},
			change: func(s *vpce.Spec) { s.Endpoints[0].SecurityGroups = nil },
			reason: "sg-0c2e4a6b8d0f13579 (default) allows no tcp 443 from 172.16.10.77"},
		{name: "the default group admits its members", from: "172.16.10.77", flow: "tcp 443", to: eni, want: Verdict{Allowed: true, Via: ViaLocal},
			change: func(s *vpce.Spec) {
				s.Endpoints[0].SecurityGroups = nil
				in := instance(s, "172.16.10.77")
				in.SecurityGroups = append(in.SecurityGroups, seedMyDefault)
			}},
		{name: "ingress from a source group", from: "172.16.10.77", flow: "tcp 443", to: eni, want: Verdict{Allowed: true, Via: ViaLocal},
			change: func(s *vpce.Spec) {
				group(s, vpce.DefaultEndpointGroupID).Ingress = []vpce.Rule{{Protocol: vpce.ProtocolTCP, FromPort: 443, ToPort: 443, Groups: []string{seedWebGroup}}}
			}},
		{name: "ingress from another source group", from: "172.16.10.77", flow: "tcp 443", to: eni, want: Verdict{Via: ViaLocal},
			change: func(s *vpce.Spec) {
				group(s, vpce.DefaultEndpointGroupID).Ingress = []vpce.Rule{{Protocol: vpce.ProtocolTCP, FromPort: 443, ToPort: 443, Groups: []string{seedMyDefault}}}
			},
			reason: "sg-0e5f7a9b1c3d24680 (s3-endpoint) allows no tcp 443 from 172.16.10.77"},
		{name: "egress without 443 to the endpoint", from: "172.16.10.77", flow: "tcp 443", to: eni, want: Verdict{Via: ViaLocal},
			change: func(s *vpce.Spec) {
				group(s, seedWebGroup).Egress = []vpce.Rule{{Protocol: vpce.ProtocolTCP, FromPort: 80, ToPort: 80, CIDRs: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}}}
			},
			reason: "sg-0b1c2d3e4f5a60789 (web) allows no tcp 443 to 172.16.10.143"},
		{name: "egress without 443 to public S3", from: "172.16.10.77", flow: "tcp 443", to: public, want: Verdict{Via: vpce.MyVPCInternetGatewayID},
			change: func(s *vpce.Spec) {
				group(s, seedWebGroup).Egress = []vpce.Rule{{Protocol: vpce.ProtocolTCP, FromPort: 80, ToPort: 80, CIDRs: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}}}
			},
			reason: "sg-0b1c2d3e4f5a60789 (web) allows no tcp 443 to 52.216.53.32"},
		{name: "egress to a destination group", from: "172.16.10.77", flow: "tcp 443", to: eni, want: Verdict{Allowed: true, Via: ViaLocal},
			change: func(s *vpce.Spec) {
				group(s, seedWebGroup).Egress = []vpce.Rule{{Protocol: vpce.ProtocolTCP, FromPort: 443, ToPort: 443, Groups: []string{vpce.DefaultEndpointGroupID}}}
			}},
		{name: "egress to a destination group is not public S3", from: "172.16.10.77", flow: "tcp 443", to: public, want: Verdict{Via: vpce.MyVPCInternetGatewayID},
			change: func(s *vpce.Spec) {
				group(s, seedWebGroup).Egress = []vpce.Rule{{Protocol: vpce.ProtocolTCP, FromPort: 443, ToPort: 443, Groups: []string{vpce.DefaultEndpointGroupID}}}
			},
			reason: "allows no tcp 443 to 52.216.53.32"},
		{name: "egress is not applied to the resolver", from: "172.16.10.77", flow: "udp 53", to: "172.16.0.2", want: Verdict{Allowed: true, Via: ViaResolver},
			change: func(s *vpce.Spec) { group(s, seedWebGroup).Egress = nil }},
		{name: "DNS support off", from: "172.16.10.77", flow: "udp 53", to: "172.16.0.2", want: Verdict{Via: ViaResolver},
			change: func(s *vpce.Spec) { s.VPCs[0].EnableDNSSupport = false },
			reason: "enableDnsSupport false"},
		{name: "ping allowed by an echo rule", from: "172.16.10.77", flow: "icmp", to: eni, want: Verdict{Allowed: true, Via: ViaLocal},
			change: func(s *vpce.Spec) {
				g := group(s, vpce.DefaultEndpointGroupID)
				g.Ingress = append(g.Ingress, vpce.Rule{Protocol: vpce.ProtocolICMP, FromPort: 8, ToPort: -1, CIDRs: []netip.Prefix{netip.MustParsePrefix("172.16.10.0/24")}})
			}},
		{name: "ping not allowed by an echo-reply rule", from: "172.16.10.77", flow: "icmp", to: eni, want: Verdict{Via: ViaLocal},
			change: func(s *vpce.Spec) {
				g := group(s, vpce.DefaultEndpointGroupID)
				g.Ingress = append(g.Ingress, vpce.Rule{Protocol: vpce.ProtocolICMP, FromPort: 0, ToPort: -1, CIDRs: []netip.Prefix{netip.MustParsePrefix("172.16.10.0/24")}})
			},
			reason: "allows no icmp echo-request from 172.16.10.77"},
		{name: "a port range", from: "172.16.10.77", flow: "tcp 8443", to: eni, want: Verdict{Allowed: true, Via: ViaLocal},
			change: func(s *vpce.Spec) {
				g := group(s, vpce.DefaultEndpointGroupID)
				g.Ingress = append(g.Ingress, vpce.Rule{Protocol: vpce.ProtocolTCP, FromPort: 8000, ToPort: 8999, CIDRs: []netip.Prefix{netip.MustParsePrefix("172.16.0.0/16")}})
			}},
		{name: "a route table without a default route", from: "172.16.2.99", flow: "tcp 443", to: "93.184.216.34", want: Verdict{},
			reason: "no route to 93.184.216.34 from subnet subnet-01a2b3c4d5e6f7a82 (route table rtb-0c4e6a8b0d2f35792)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			topo := changed(t, tt.change)
			in, ok := topo.InstanceAt(netip.MustParseAddr(tt.from))
			if !ok {
				t.Fatalf("no instance %s", tt.from)
			}
			proto, port, _ := strings.Cut(tt.flow, " ")
			f := Flow{Proto: proto, Dst: netip.MustParseAddr(tt.to), Port: -1}
			if port != "" {
				f.Port = atoi(t, port)
			}
			got := Decide(topo, in, f)
			if got.Allowed != tt.want.Allowed || got.Via != tt.want.Via {
				t.Errorf("Decide(%s -> %s %s) = %+v, want Allowed=%v Via=%q", tt.from, tt.to, tt.flow, got, tt.want.Allowed, tt.want.Via)
			}
			switch {
			case got.Allowed && got.Reason != "":
				t.Errorf("allowed with a reason: %q", got.Reason)
			case !got.Allowed && got.Reason == "":
				t.Errorf("refused without a reason")
			case !strings.Contains(got.Reason, tt.reason):
				t.Errorf("reason %q, want it to contain %q", got.Reason, tt.reason)
			}
		})
	}
}

func atoi(tb testing.TB, s string) int {
	tb.Helper()
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			tb.Fatalf("bad port %q", s)
		}
		n = n*10 + int(c-'0')
	}
	return n
}

func TestPorts(t *testing.T) {
	tests := []struct {
		name string
		got  ports
		want ports
	}{
		{"union merges overlaps", ports{{1, 5}}.union(ports{{3, 9}}), ports{{1, 9}}},
		{"union merges adjacent", ports{{1, 5}}.union(ports{{6, 9}}), ports{{1, 9}}},
		{"union keeps gaps", ports{{10, 20}}.union(ports{{1, 5}}), ports{{1, 5}, {10, 20}}},
		{"intersect", ports{{0, 65535}}.intersect(ports{{22, 22}, {443, 443}}), ports{{22, 22}, {443, 443}}},
		{"intersect ranges", ports{{1, 10}, {20, 30}}.intersect(ports{{5, 25}}), ports{{5, 10}, {20, 25}}},
		{"intersect disjoint", ports{{1, 10}}.intersect(ports{{11, 20}}), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !slices.Equal(tt.got, tt.want) {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

// TestDecideEC2API: the EC2 API's public address is reached through an
// internet gateway only — the S3 gateway endpoint's prefix list does not
// cover it.
func TestDecideEC2API(t *testing.T) {
	topo := vpce.DefaultTopology()
	ec2 := vpce.PublicEC2For("us-east-1").Addrs[0]
	for _, tc := range []struct {
		inst    string
		allowed bool
		via     string
	}{
		{"172.16.10.77", true, vpce.MyVPCInternetGatewayID},
		{"172.31.80.132", true, "igw-0c4e6a8b0d2f35791"},
		{"172.16.2.99", false, ""},
	} {
		t.Run(tc.inst, func(t *testing.T) {
			in, err := topo.FindInstance(tc.inst)
			if err != nil {
				t.Fatal(err)
			}
			v := Decide(topo, in, Flow{Proto: vpce.ProtocolTCP, Dst: ec2, Port: 443})
			if v.Allowed != tc.allowed || (tc.allowed && v.Via != tc.via) || (!tc.allowed && v.Reason == "") {
				t.Errorf("Decide(%s → %s:443) = %+v, want allowed=%v via %q", tc.inst, ec2, v, tc.allowed, tc.via)
			}
		})
	}
}
