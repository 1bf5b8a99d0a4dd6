package ec2api

import (
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

func TestAuthorizeSecurityGroupIngress(t *testing.T) {
	const ep = vpce.DefaultEndpointGroupID
	tests := []struct {
		name   string
		params []string
		// want are the rules (protocol, ports, source) the group then has.
		want []ruleWant
	}{
		{"IpPermissions with a CIDR and a group", []string{"GroupId", ep,
			"IpPermissions.1.IpProtocol", "tcp", "IpPermissions.1.FromPort", "8443", "IpPermissions.1.ToPort", "8443",
			"IpPermissions.1.IpRanges.1.CidrIp", "10.0.0.0/8", "IpPermissions.1.Groups.1.GroupId", seedWebGroup},
			[]ruleWant{{vpce.ProtocolTCP, 8443, 8443, "10.0.0.0/8"}, {vpce.ProtocolTCP, 8443, 8443, seedWebGroup}}},
		{"short form", []string{"GroupId", ep, "IpProtocol", "udp", "FromPort", "53", "ToPort", "53", "CidrIp", "192.168.0.0/24"},
			[]ruleWant{{vpce.ProtocolUDP, 53, 53, "192.168.0.0/24"}}},
		{"protocol number 6", []string{"GroupId", ep, "IpProtocol", "6", "FromPort", "80", "ToPort", "81", "CidrIp", "10.1.0.0/16"},
			[]ruleWant{{vpce.ProtocolTCP, 80, 81, "10.1.0.0/16"}}},
		{"all traffic ignores ports", []string{"GroupId", ep, "IpPermissions.1.IpProtocol", "-1", "IpPermissions.1.FromPort", "5",
			"IpPermissions.1.IpRanges.1.CidrIp", "10.2.0.0/16"}, []ruleWant{{vpce.ProtocolAll, -1, -1, "10.2.0.0/16"}}},
		{"icmp without ports is every type", []string{"GroupId", ep, "IpProtocol", "1", "CidrIp", "10.3.0.0/16"},
			[]ruleWant{{vpce.ProtocolICMP, -1, -1, "10.3.0.0/16"}}},
		{"CIDR canonicalised", []string{"GroupId", ep, "IpProtocol", "TCP", "FromPort", "22", "ToPort", "22", "CidrIp", "10.4.5.6/16"},
			[]ruleWant{{vpce.ProtocolTCP, 22, 22, "10.4.0.0/16"}}},
		{"source group by name in the group's VPC", []string{"GroupId", ep, "IpPermissions.1.IpProtocol", "tcp",
			"IpPermissions.1.FromPort", "443", "IpPermissions.1.ToPort", "443", "IpPermissions.1.Groups.1.GroupName", "web"},
			[]ruleWant{{vpce.ProtocolTCP, 443, 443, seedWebGroup}}},
		{"peered VPC's group", []string{"GroupId", ep, "IpPermissions.1.IpProtocol", "tcp", "IpPermissions.1.FromPort", "443",
			"IpPermissions.1.ToPort", "443", "IpPermissions.1.Groups.1.GroupId", seedDefaultGroup},
			[]ruleWant{{vpce.ProtocolTCP, 443, 443, seedDefaultGroup}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, b := netHandler(t)
			var resp struct {
				Return bool     `xml:"return"`
				IDs    []string `xml:"securityGroupRuleSet>item>securityGroupRuleId"`
			}
			decodeInto(t, do(h, "AuthorizeSecurityGroupIngress", tc.params...), &resp)
			if !resp.Return || len(resp.IDs) != len(tc.want) {
				t.Errorf("return %v, rule IDs %v: want true and %d IDs", resp.Return, resp.IDs, len(tc.want))
			}
			for _, w := range tc.want {
				if !ruleIn(b.Topology(), ep, w.proto, w.from, w.to, w.source) {
					t.Errorf("the topology's %s lacks %+v: %+v", ep, w, mustGroup(t, b.Topology(), ep).Ingress)
				}
			}
			// The seed's rule is still there, and the next Describe shows the new one.
			if !ruleIn(b.Topology(), ep, vpce.ProtocolTCP, 443, 443, "172.16.0.0/16") {
				t.Error("the seed's HTTPS rule is gone")
			}
			described := describedSources(t, h, ep)
			for _, w := range tc.want {
				if !slices.Contains(described, w) {
					t.Errorf("DescribeSecurityGroups shows %+v, not %+v", described, w)
				}
			}
		})
	}

	errs := []struct {
		name   string
		params []string
		code   string
		msg    string
	}{
		{"duplicate of the seed's rule", []string{"GroupId", ep, "IpProtocol", "tcp", "FromPort", "443", "ToPort", "443", "CidrIp", "172.16.0.0/16"},
			"InvalidPermission.Duplicate", `the specified rule "peer: 172.16.0.0/16, TCP, from port: 443, to port: 443, ALLOW" already exists`},
		{"duplicate within the request", []string{"GroupId", ep, "IpPermissions.1.IpProtocol", "-1",
			"IpPermissions.1.IpRanges.1.CidrIp", "10.0.0.0/8", "IpPermissions.1.IpRanges.2.CidrIp", "10.9.9.9/8"},
			"InvalidPermission.Duplicate", `"peer: 10.0.0.0/8, ALL, ALLOW"`},
		{"duplicate group source", []string{"GroupName", "default", "IpPermissions.1.IpProtocol", "-1",
			"IpPermissions.1.Groups.1.GroupId", seedDefaultGroup}, "InvalidPermission.Duplicate", `"peer: ` + seedDefaultGroup + `, ALL, ALLOW"`},
		{"unknown group", []string{"GroupId", "sg-00000000000000000", "IpProtocol", "-1", "CidrIp", "10.0.0.0/8"},
			"InvalidGroup.NotFound", "The security group 'sg-00000000000000000' does not exist"},
		{"malformed group", []string{"GroupId", "s3-endpoint", "IpProtocol", "-1", "CidrIp", "10.0.0.0/8"},
			"InvalidGroupId.Malformed", `Invalid id: "s3-endpoint" (expecting "sg-...")`},
		{"name outside the default VPC", []string{"GroupName", "s3-endpoint", "IpProtocol", "-1", "CidrIp", "10.0.0.0/8"},
			"InvalidGroup.NotFound", "does not exist in default VPC"},
		{"no group", []string{"IpProtocol", "-1", "CidrIp", "10.0.0.0/8"}, "MissingParameter", "groupName or groupId"},
		{"unknown source group", []string{"GroupId", ep, "IpPermissions.1.IpProtocol", "-1", "IpPermissions.1.Groups.1.GroupId", "sg-00000000000000000"},
			"InvalidGroup.NotFound", "sg-00000000000000000"},
		{"unknown protocol", []string{"GroupId", ep, "IpProtocol", "sctp", "CidrIp", "10.0.0.0/8"}, "InvalidParameterValue", "Invalid value 'sctp' for IP protocol. Unknown protocol."},
		{"protocol not emulated", []string{"GroupId", ep, "IpProtocol", "50", "CidrIp", "10.0.0.0/8"}, "InvalidParameterValue", "IP protocol 50 is not emulated"},
		{"tcp without ports", []string{"GroupId", ep, "IpProtocol", "tcp", "CidrIp", "10.0.0.0/8"}, "InvalidParameterValue", "Must specify both from and to ports with TCP/UDP."},
		{"ports reversed", []string{"GroupId", ep, "IpProtocol", "tcp", "FromPort", "90", "ToPort", "80", "CidrIp", "10.0.0.0/8"}, "InvalidParameterValue", "portRange"},
		{"port not a number", []string{"GroupId", ep, "IpProtocol", "tcp", "FromPort", "http", "ToPort", "80", "CidrIp", "10.0.0.0/8"}, "InvalidParameterValue", "FromPort"},
		{"bad CIDR", []string{"GroupId", ep, "IpProtocol", "-1", "CidrIp", "10.0.0/8"}, "InvalidParameterValue", "CIDR block 10.0.0/8 is malformed"},
		{"IPv6 CIDR", []string{"GroupId", ep, "IpProtocol", "-1", "CidrIp", "::/0"}, "InvalidParameterValue", "CIDR block ::/0 is malformed"},
		{"both forms", []string{"GroupId", ep, "IpProtocol", "-1", "CidrIp", "10.0.0.0/8", "IpPermissions.1.IpProtocol", "-1",
			"IpPermissions.1.IpRanges.1.CidrIp", "10.0.0.0/8"}, "InvalidParameterCombination", "ipPermissions"},
		{"no source", []string{"GroupId", ep, "IpPermissions.1.IpProtocol", "-1"}, "MissingParameter", "Missing source specification"},
		{"no rule", []string{"GroupId", ep}, "MissingParameter", "ipPermissions"},
		{"ipv6 ranges", []string{"GroupId", ep, "IpPermissions.1.IpProtocol", "-1", "IpPermissions.1.Ipv6Ranges.1.CidrIpv6", "::/0"},
			"InvalidParameterValue", "IPv6"},
		{"group of a VPC not peered", []string{"GroupId", ep, "IpPermissions.1.IpProtocol", "-1", "IpPermissions.1.Groups.1.GroupId", seedDefaultGroup}, "", ""},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			h, b := netHandler(t)
			if tc.code == "" {
				// The seed peers its two VPCs; without the peering the
				// default VPC's group is another network's.
				if _, err := b.UpdateTopology(func(s *vpce.Spec) error {
					s.Peerings = nil
					for i := range s.RouteTables {
						s.RouteTables[i].Routes = slices.DeleteFunc(s.RouteTables[i].Routes, func(r vpce.Route) bool { return r.Target == seedPCX })
					}
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				tc.code, tc.msg = "InvalidGroup.NotFound", "different networks"
			}
			before := b.Topology()
			wantError(t, do(h, "AuthorizeSecurityGroupIngress", tc.params...), http.StatusBadRequest, tc.code, tc.msg)
			if b.Topology() != before {
				t.Error("a refused request changed the topology")
			}
		})
	}

	t.Run("dry run", func(t *testing.T) {
		h, b := netHandler(t)
		before := b.Topology()
		wantError(t, do(h, "AuthorizeSecurityGroupIngress", "GroupId", ep, "IpProtocol", "-1", "CidrIp", "10.0.0.0/8", "DryRun", "true"),
			http.StatusPreconditionFailed, "DryRunOperation", "")
		if b.Topology() != before {
			t.Error("a dry run changed the topology")
		}
		wantError(t, do(h, "AuthorizeSecurityGroupIngress", "GroupId", ep, "IpProtocol", "tcp", "FromPort", "443", "ToPort", "443",
			"CidrIp", "172.16.0.0/16", "DryRun", "true"), http.StatusBadRequest, "InvalidPermission.Duplicate", "")
	})
}

// ruleWant is one source of one rule.
type ruleWant struct {
	proto    string
	from, to int
	source   string
}

func mustGroup(t *testing.T, top *vpce.Topology, id string) *vpce.SecurityGroup {
	t.Helper()
	g, ok := top.SecurityGroup(id)
	if !ok {
		t.Fatalf("no group %s", id)
	}
	return g
}

// describedSources lists a group's ingress as DescribeSecurityGroups
// shows it, one entry per source.
func describedSources(t *testing.T, h *Handler, group string) []ruleWant {
	t.Helper()
	var resp struct {
		Perms []struct {
			Proto  string   `xml:"ipProtocol"`
			From   *int     `xml:"fromPort"`
			To     *int     `xml:"toPort"`
			CIDRs  []string `xml:"ipRanges>item>cidrIp"`
			Groups []string `xml:"groups>item>groupId"`
		} `xml:"securityGroupInfo>item>ipPermissions>item"`
	}
	decodeInto(t, do(h, "DescribeSecurityGroups", "GroupId.1", group), &resp)
	var out []ruleWant
	for _, p := range resp.Perms {
		from, to := -1, -1
		if p.From != nil {
			from, to = *p.From, *p.To
		}
		for _, s := range append(p.CIDRs, p.Groups...) {
			out = append(out, ruleWant{p.Proto, from, to, s})
		}
	}
	return out
}

func TestRevokeSecurityGroupIngress(t *testing.T) {
	const ep = vpce.DefaultEndpointGroupID
	t.Run("by properties", func(t *testing.T) {
		h, b := netHandler(t)
		var resp struct {
			Return  bool     `xml:"return"`
			Revoked []string `xml:"revokedSecurityGroupRuleSet>item>cidrIpv4"`
		}
		decodeInto(t, do(h, "RevokeSecurityGroupIngress", "GroupId", ep, "IpPermissions.1.IpProtocol", "6",
			"IpPermissions.1.FromPort", "443", "IpPermissions.1.ToPort", "443", "IpPermissions.1.IpRanges.1.CidrIp", "172.31.0.0/16"), &resp)
		if !resp.Return || !slices.Equal(resp.Revoked, []string{"172.31.0.0/16"}) {
			t.Errorf("return %v revoked %v", resp.Return, resp.Revoked)
		}
		if ruleIn(b.Topology(), ep, vpce.ProtocolTCP, 443, 443, "172.31.0.0/16") || !ruleIn(b.Topology(), ep, vpce.ProtocolTCP, 443, 443, "172.16.0.0/16") {
			t.Errorf("ingress after revoking 172.31.0.0/16: %+v", mustGroup(t, b.Topology(), ep).Ingress)
		}
		if got := describedSources(t, h, ep); !slices.Equal(got, []ruleWant{{"tcp", 443, 443, "172.16.0.0/16"}}) {
			t.Errorf("described after revoke: %+v", got)
		}
		// The last source goes, and the rule with it.
		wantOK(t, do(h, "RevokeSecurityGroupIngress", "GroupId", ep, "IpProtocol", "tcp", "FromPort", "443", "ToPort", "443", "CidrIp", "172.16.0.0/16"))
		if n := len(mustGroup(t, b.Topology(), ep).Ingress); n != 0 {
			t.Errorf("%d ingress rules left, want 0", n)
		}
	})
	t.Run("by rule ID from Authorize", func(t *testing.T) {
		h, b := netHandler(t)
		var auth struct {
			IDs []string `xml:"securityGroupRuleSet>item>securityGroupRuleId"`
		}
		decodeInto(t, do(h, "AuthorizeSecurityGroupIngress", "GroupId", ep, "IpProtocol", "tcp", "FromPort", "22", "ToPort", "22", "CidrIp", "10.0.0.0/8"), &auth)
		if len(auth.IDs) != 1 || !vpce.ValidResourceID("sgr", auth.IDs[0]) {
			t.Fatalf("rule IDs %v", auth.IDs)
		}
		wantOK(t, do(h, "RevokeSecurityGroupIngress", "GroupId", ep, "SecurityGroupRuleId.1", auth.IDs[0]))
		if ruleIn(b.Topology(), ep, vpce.ProtocolTCP, 22, 22, "10.0.0.0/8") {
			t.Error("rule still there after revoking its ID")
		}
		wantError(t, do(h, "RevokeSecurityGroupIngress", "GroupId", ep, "SecurityGroupRuleId.1", auth.IDs[0]), http.StatusBadRequest,
			"InvalidSecurityGroupRuleId.NotFound", auth.IDs[0])
	})
	t.Run("missing rule in a non-default VPC", func(t *testing.T) {
		h, b := netHandler(t)
		before := b.Topology()
		wantError(t, do(h, "RevokeSecurityGroupIngress", "GroupId", ep, "IpPermissions.1.IpProtocol", "tcp",
			"IpPermissions.1.FromPort", "443", "IpPermissions.1.ToPort", "443",
			"IpPermissions.1.IpRanges.1.CidrIp", "172.31.0.0/16", "IpPermissions.1.IpRanges.2.CidrIp", "10.0.0.0/8"),
			http.StatusBadRequest, "InvalidPermission.NotFound", "The specified rule does not exist in this security group.")
		if b.Topology() != before {
			t.Error("a refused revoke changed the topology (it must revoke nothing)")
		}
	})
	t.Run("missing rule in the default VPC", func(t *testing.T) {
		h, b := netHandler(t)
		var resp struct {
			Return  bool     `xml:"return"`
			Unknown []string `xml:"unknownIpPermissionSet>item>ipRanges>item>cidrIp"`
			Revoked []string `xml:"revokedSecurityGroupRuleSet>item>cidrIpv4"`
		}
		decodeInto(t, do(h, "RevokeSecurityGroupIngress", "GroupId", seedDefaultGroup, "IpPermissions.1.IpProtocol", "tcp",
			"IpPermissions.1.FromPort", "22", "IpPermissions.1.ToPort", "22",
			"IpPermissions.1.IpRanges.1.CidrIp", "0.0.0.0/0", "IpPermissions.1.IpRanges.2.CidrIp", "10.0.0.0/8"), &resp)
		if !resp.Return || !slices.Equal(resp.Unknown, []string{"10.0.0.0/8"}) || !slices.Equal(resp.Revoked, []string{"0.0.0.0/0"}) {
			t.Errorf("got %+v: want 0.0.0.0/0 revoked and 10.0.0.0/8 unknown", resp)
		}
		if ruleIn(b.Topology(), seedDefaultGroup, vpce.ProtocolTCP, 22, 22, "0.0.0.0/0") {
			t.Error("ssh rule still there")
		}
	})
	t.Run("dry run", func(t *testing.T) {
		h, b := netHandler(t)
		before := b.Topology()
		wantError(t, do(h, "RevokeSecurityGroupIngress", "GroupId", ep, "IpProtocol", "tcp", "FromPort", "443", "ToPort", "443",
			"CidrIp", "172.16.0.0/16", "DryRun", "true"), http.StatusPreconditionFailed, "DryRunOperation", "")
		if b.Topology() != before {
			t.Error("a dry run changed the topology")
		}
	})
}

func TestCreateDeleteRoute(t *testing.T) {
	t.Run("peering route round trip", func(t *testing.T) {
		h, b := netHandler(t)
		before := routesOf(t, h, seedMyRTB)
		wantOK(t, do(h, "CreateRoute", "RouteTableId", seedMyRTB, "DestinationCidrBlock", "10.8.1.2/16", "VpcPeeringConnectionId", seedPCX))
		want := routeXML{CIDR: "10.8.0.0/16", Peering: seedPCX, State: "active", Origin: "CreateRoute"}
		if got := routesOf(t, h, seedMyRTB); !slices.Contains(got, want) {
			t.Errorf("routes after CreateRoute: %+v, want %+v among them", got, want)
		}
		if !slices.ContainsFunc(b.Topology().Routes(seedMyRTB), func(r vpce.Route) bool {
			return r.Destination == netip.MustParsePrefix("10.8.0.0/16") && r.Target == seedPCX
		}) {
			t.Errorf("topology routes: %+v", b.Topology().Routes(seedMyRTB))
		}
		wantOK(t, do(h, "DeleteRoute", "RouteTableId", seedMyRTB, "DestinationCidrBlock", "10.8.0.0/16"))
		if got := routesOf(t, h, seedMyRTB); !slices.Equal(got, before) {
			t.Errorf("routes after DeleteRoute: %+v, want those before\n%+v", got, before)
		}
	})
	for _, gw := range []struct{ name, rtb, igw string }{
		{"default VPC", seedDefaultRTB, seedIGW},
		{"my-vpc", seedMyRTB, vpce.MyVPCInternetGatewayID},
	} {
		t.Run("internet gateway route, "+gw.name, func(t *testing.T) {
			h, b := netHandler(t)
			isIGW := func(r vpce.Route) bool { return r.Target == gw.igw }
			wantOK(t, do(h, "DeleteRoute", "RouteTableId", gw.rtb, "DestinationCidrBlock", "0.0.0.0/0"))
			if slices.ContainsFunc(b.Topology().Routes(gw.rtb), isIGW) {
				t.Error("igw route still there after DeleteRoute")
			}
			wantOK(t, do(h, "CreateRoute", "RouteTableId", gw.rtb, "DestinationCidrBlock", "0.0.0.0/0", "GatewayId", gw.igw))
			if !slices.ContainsFunc(b.Topology().Routes(gw.rtb), isIGW) {
				t.Error("igw route missing")
			}
		})
	}
	errs := []struct {
		name   string
		action string
		params []string
		code   string
		msg    string
	}{
		{"existing route", "CreateRoute", []string{"RouteTableId", seedDefaultRTB, "DestinationCidrBlock", "0.0.0.0/0", "GatewayId", seedIGW},
			"RouteAlreadyExists", "The route identified by 0.0.0.0/0 already exists."},
		{"local route", "CreateRoute", []string{"RouteTableId", seedMyRTB, "DestinationCidrBlock", "172.16.0.0/16", "VpcPeeringConnectionId", seedPCX},
			"RouteAlreadyExists", "The route identified by 172.16.0.0/16 already exists."},
		{"inside the VPC", "CreateRoute", []string{"RouteTableId", seedMyRTB, "DestinationCidrBlock", "172.16.5.0/24", "VpcPeeringConnectionId", seedPCX},
			"InvalidParameterValue", "is equal to or more specific than one of this VPC's CIDR blocks"},
		{"gateway of another VPC", "CreateRoute", []string{"RouteTableId", seedPrivateRTB, "DestinationCidrBlock", "0.0.0.0/0", "GatewayId", seedIGW},
			"InvalidParameterValue", "route table " + seedPrivateRTB + " and network gateway " + seedIGW + " belong to different networks"},
		{"unknown gateway", "CreateRoute", []string{"RouteTableId", seedPrivateRTB, "DestinationCidrBlock", "0.0.0.0/0", "GatewayId", "igw-00000000000000000"},
			"InvalidGatewayID.NotFound", "The gateway ID 'igw-00000000000000000' does not exist"},
		{"detached gateway", "CreateRoute", []string{"RouteTableId", seedPrivateRTB, "DestinationCidrBlock", "0.0.0.0/0", "GatewayId", spareIGW},
			"InvalidParameterValue", "belong to different networks"},
		{"unknown peering", "CreateRoute", []string{"RouteTableId", seedMyRTB, "DestinationCidrBlock", "10.0.0.0/8", "VpcPeeringConnectionId", "pcx-00000000000000000"},
			"InvalidVpcPeeringConnectionID.NotFound", "pcx-00000000000000000"},
		{"gateway endpoint as target", "CreateRoute", []string{"RouteTableId", seedMyRTB, "DestinationPrefixListId", "pl-63a5400a", "VpcEndpointId", vpce.DefaultGatewayEndpointID},
			"RouteNotSupported", "VPC Endpoints of this type cannot be used as route targets."},
		{"gateway endpoint route exists", "CreateRoute", []string{"RouteTableId", seedDefaultRTB, "DestinationPrefixListId", "pl-63a5400a", "GatewayId", vpce.DefaultGatewayEndpointID},
			"RouteAlreadyExists", "pl-63a5400a"},
		{"NAT gateway", "CreateRoute", []string{"RouteTableId", seedPrivateRTB, "DestinationCidrBlock", "0.0.0.0/0", "NatGatewayId", "nat-0123456789abcdef0"},
			"InvalidParameterValue", "not emulated"},
		{"two targets", "CreateRoute", []string{"RouteTableId", seedMyRTB, "DestinationCidrBlock", "0.0.0.0/0", "GatewayId", seedIGW, "VpcPeeringConnectionId", seedPCX},
			"InvalidParameterCombination", ""},
		{"no target", "CreateRoute", []string{"RouteTableId", seedMyRTB, "DestinationCidrBlock", "0.0.0.0/0"}, "MissingParameter", "exactly one of"},
		{"bad CIDR", "CreateRoute", []string{"RouteTableId", seedMyRTB, "DestinationCidrBlock", "0.0.0.0", "GatewayId", seedIGW},
			"InvalidParameterValue", "Value (0.0.0.0) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block."},
		{"unknown table", "CreateRoute", []string{"RouteTableId", "rtb-00000000000000000", "DestinationCidrBlock", "0.0.0.0/0", "GatewayId", seedIGW},
			"InvalidRouteTableID.NotFound", "The routeTable ID 'rtb-00000000000000000' does not exist"},
		{"malformed table", "CreateRoute", []string{"RouteTableId", "main", "DestinationCidrBlock", "0.0.0.0/0", "GatewayId", seedIGW},
			"InvalidRouteTableId.Malformed", ""},
		{"no table", "DeleteRoute", []string{"DestinationCidrBlock", "0.0.0.0/0"}, "MissingParameter", "routeTableId"},
		{"delete local route", "DeleteRoute", []string{"RouteTableId", seedDefaultRTB, "DestinationCidrBlock", "172.31.0.0/16"},
			"InvalidParameterValue", "cannot remove local route 172.31.0.0/16 in route table " + seedDefaultRTB},
		{"delete gateway endpoint route", "DeleteRoute", []string{"RouteTableId", seedDefaultRTB, "DestinationPrefixListId", "pl-63a5400a"},
			"InvalidParameterValue", vpce.DefaultGatewayEndpointID},
		{"existing internet gateway route in my-vpc", "CreateRoute", []string{"RouteTableId", seedMyRTB, "DestinationCidrBlock", "0.0.0.0/0", "GatewayId", vpce.MyVPCInternetGatewayID},
			"RouteAlreadyExists", "The route identified by 0.0.0.0/0 already exists."},
		{"delete missing route", "DeleteRoute", []string{"RouteTableId", seedPrivateRTB, "DestinationCidrBlock", "0.0.0.0/0"},
			"InvalidRoute.NotFound", "no route with destination-cidr-block 0.0.0.0/0 in route table " + seedPrivateRTB},
		{"delete my-vpc's gateway endpoint route", "DeleteRoute", []string{"RouteTableId", seedPrivateRTB, "DestinationPrefixListId", "pl-63a5400a"},
			"InvalidParameterValue", vpce.PrivateGatewayEndpointID},
		{"delete missing prefix list route", "DeleteRoute", []string{"RouteTableId", seedMyRTB, "DestinationPrefixListId", "pl-63a5400a"},
			"InvalidRoute.NotFound", "destination-prefix-list-id"},
		{"IPv6", "DeleteRoute", []string{"RouteTableId", seedMyRTB, "DestinationIpv6CidrBlock", "::/0"}, "InvalidParameterValue", "IPv6"},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			h, b := netHandler(t)
			before := b.Topology()
			wantError(t, do(h, tc.action, tc.params...), http.StatusBadRequest, tc.code, tc.msg)
			if b.Topology() != before {
				t.Error("a refused request changed the topology")
			}
		})
	}
	t.Run("dry run", func(t *testing.T) {
		h, b := netHandler(t)
		before := b.Topology()
		wantError(t, do(h, "CreateRoute", "RouteTableId", seedMyRTB, "DestinationCidrBlock", "10.8.0.0/16", "VpcPeeringConnectionId", seedPCX, "DryRun", "true"),
			http.StatusPreconditionFailed, "DryRunOperation", "")
		wantError(t, do(h, "DeleteRoute", "RouteTableId", seedDefaultRTB, "DestinationCidrBlock", "0.0.0.0/0", "DryRun", "true"),
			http.StatusPreconditionFailed, "DryRunOperation", "")
		if b.Topology() != before {
			t.Error("a dry run changed the topology")
		}
	})
}

func TestInternetGatewayAttachment(t *testing.T) {
	t.Run("detach, attach elsewhere, route", func(t *testing.T) {
		h, b := netHandler(t)
		wantError(t, do(h, "DetachInternetGateway", "InternetGatewayId", seedIGW, "VpcId", vpce.DefaultVPCDefaultID), http.StatusBadRequest,
			"DependencyViolation", "route 0.0.0.0/0 in route table "+seedDefaultRTB)
		wantOK(t, do(h, "DeleteRoute", "RouteTableId", seedDefaultRTB, "DestinationCidrBlock", "0.0.0.0/0"))
		wantOK(t, do(h, "DetachInternetGateway", "InternetGatewayId", seedIGW, "VpcId", vpce.DefaultVPCDefaultID))
		if g, _ := b.Topology().InternetGateway(seedIGW); g.VPCID != "" {
			t.Errorf("gateway still attached to %s", g.VPCID)
		}
		if got := idsIn(t, do(h, "DescribeInternetGateways", "InternetGatewayId.1", seedIGW), "vpcId"); len(got) != 0 {
			t.Errorf("described attachments after detach: %v", got)
		}
		wantError(t, do(h, "AttachInternetGateway", "InternetGatewayId", seedIGW, "VpcId", vpce.DefaultVPCID), http.StatusBadRequest,
			"Resource.AlreadyAssociated", "Network "+vpce.DefaultVPCID+" already has an internet gateway attached")
		detachMyVPCGateway(t, h)
		wantOK(t, do(h, "AttachInternetGateway", "InternetGatewayId", seedIGW, "VpcId", vpce.DefaultVPCID))
		if got := idsIn(t, do(h, "DescribeInternetGateways", "InternetGatewayId.1", seedIGW), "vpcId"); !slices.Equal(got, []string{vpce.DefaultVPCID}) {
			t.Errorf("described attachments after attach: %v", got)
		}
		wantOK(t, do(h, "CreateRoute", "RouteTableId", seedMyRTB, "DestinationCidrBlock", "0.0.0.0/0", "GatewayId", seedIGW))
	})
	errs := []struct {
		name   string
		action string
		params []string
		code   string
		msg    string
	}{
		{"attach twice", "AttachInternetGateway", []string{"InternetGatewayId", seedIGW, "VpcId", vpce.DefaultVPCDefaultID},
			"Resource.AlreadyAssociated", "resource " + seedIGW + " is already attached to network " + vpce.DefaultVPCDefaultID},
		{"VPC has one", "AttachInternetGateway", []string{"InternetGatewayId", spareIGW, "VpcId", vpce.DefaultVPCDefaultID},
			"Resource.AlreadyAssociated", "Network " + vpce.DefaultVPCDefaultID + " already has an internet gateway attached"},
		{"my-vpc has one", "AttachInternetGateway", []string{"InternetGatewayId", spareIGW, "VpcId", vpce.DefaultVPCID},
			"Resource.AlreadyAssociated", "Network " + vpce.DefaultVPCID + " already has an internet gateway attached"},
		{"detach my-vpc's with its route", "DetachInternetGateway", []string{"InternetGatewayId", vpce.MyVPCInternetGatewayID, "VpcId", vpce.DefaultVPCID},
			"DependencyViolation", "route 0.0.0.0/0 in route table " + seedMyRTB},
		{"unknown gateway", "AttachInternetGateway", []string{"InternetGatewayId", "igw-00000000000000000", "VpcId", vpce.DefaultVPCID},
			"InvalidInternetGatewayID.NotFound", "The internetGateway ID 'igw-00000000000000000' does not exist"},
		{"unknown VPC", "AttachInternetGateway", []string{"InternetGatewayId", spareIGW, "VpcId", "vpc-00000000000000000"},
			"InvalidVpcID.NotFound", "The vpc ID 'vpc-00000000000000000' does not exist"},
		{"no gateway", "AttachInternetGateway", []string{"VpcId", vpce.DefaultVPCID}, "MissingParameter", "internetGatewayId"},
		{"detach from another VPC", "DetachInternetGateway", []string{"InternetGatewayId", seedIGW, "VpcId", vpce.DefaultVPCID},
			"Gateway.NotAttached", "resource " + seedIGW + " is not attached to network " + vpce.DefaultVPCID},
		{"detach detached", "DetachInternetGateway", []string{"InternetGatewayId", spareIGW, "VpcId", vpce.DefaultVPCID},
			"Gateway.NotAttached", ""},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			h, b := netHandler(t)
			before := b.Topology()
			wantError(t, do(h, tc.action, tc.params...), http.StatusBadRequest, tc.code, tc.msg)
			if b.Topology() != before {
				t.Error("a refused request changed the topology")
			}
		})
	}
	t.Run("dry run", func(t *testing.T) {
		h, b := netHandler(t)
		detachMyVPCGateway(t, h)
		before := b.Topology()
		wantError(t, do(h, "AttachInternetGateway", "InternetGatewayId", spareIGW, "VpcId", vpce.DefaultVPCID, "DryRun", "true"),
			http.StatusPreconditionFailed, "DryRunOperation", "")
		if b.Topology() != before {
			t.Error("a dry run changed the topology")
		}
	})
}

// FuzzIPPermissions feeds arbitrary query strings to the IpPermissions
// decoder and to AuthorizeSecurityGroupIngress: neither may panic, and
// every permission the decoder accepts is one the model accepts.
func FuzzIPPermissions(f *testing.F) {
	for _, seed := range []string{
		"IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=443&IpPermissions.1.ToPort=443&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8",
		"IpPermissions.1.IpProtocol=-1&IpPermissions.1.Groups.1.GroupId=sg-0b1c2d3e4f5a60789&IpPermissions.1.Groups.1.Description=x",
		"IpPermissions.1.IpProtocol=icmp&IpPermissions.1.FromPort=8&IpPermissions.1.IpRanges.1.CidrIp=0.0.0.0/0&IpPermissions.2.IpProtocol=17&IpPermissions.2.FromPort=53&IpPermissions.2.ToPort=53&IpPermissions.2.IpRanges.1.CidrIp=10.1.2.3/24",
		"IpProtocol=6&FromPort=22&ToPort=22&CidrIp=1.2.3.4/32",
		"IpProtocol=all&SourceSecurityGroupName=web",
		"IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=-5&IpPermissions.1.ToPort=99999",
		"IpPermissions.2.IpProtocol=tcp&IpPermissions.1.IpRanges.3.CidrIp=x",
		"IpPermissions.1.IpProtocol=TCP&IpPermissions.1.FromPort=0&IpPermissions.1.ToPort=65535&IpPermissions.1.Ipv6Ranges.1.CidrIpv6=::/0",
	} {
		f.Add(seed)
	}
	b := newBackend(f, netSpec())
	h := New(b)
	f.Fuzz(func(t *testing.T, query string) {
		v, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		p := Params(v)
		perms, perr := parseIPPermissions(p)
		if perr == nil {
			// Every decoded permission, with its CIDRs, is a valid rule.
			s := b.Topology().Spec()
			for _, perm := range perms {
				switch perm.Protocol {
				case vpce.ProtocolAll, vpce.ProtocolTCP, vpce.ProtocolUDP, vpce.ProtocolICMP:
				default:
					t.Fatalf("decoded protocol %q", perm.Protocol)
				}
				r := vpce.Rule{Protocol: perm.Protocol, FromPort: perm.FromPort, ToPort: perm.ToPort, CIDRs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
				for _, c := range perm.CIDRs {
					if c.CIDR != c.CIDR.Masked() || !c.CIDR.Addr().Is4() {
						t.Fatalf("decoded CIDR %s is not canonical IPv4", c.CIDR)
					}
					r.CIDRs = append(r.CIDRs, c.CIDR)
				}
				s.SecurityGroups[0].Ingress = append(s.SecurityGroups[0].Ingress, r)
			}
			if _, err := vpce.Build(s); err != nil {
				t.Fatalf("decoded %+v, which the model refuses: %v", perms, err)
			}
		} else if perr.Status != http.StatusBadRequest || perr.Code == "" {
			t.Fatalf("decode error %+v", perr)
		}
		// The whole action answers an EC2 document, never panics; DryRun
		// keeps the shared backend unchanged.
		p["GroupId"] = []string{vpce.DefaultEndpointGroupID}
		p["DryRun"] = []string{"true"}
		w := doParams(h, "AuthorizeSecurityGroupIngress", p)
		if w.Code != http.StatusPreconditionFailed && w.Code != http.StatusBadRequest {
			t.Fatalf("status %d:\n%s", w.Code, w.Body)
		}
	})
}

// TestChangeRefusedByBuild: a change the actions did not check but
// vpce.Build refuses is InvalidParameterValue with the model's reason, and
// nothing changes.
func TestChangeRefusedByBuild(t *testing.T) {
	h, b := netHandler(t)
	before := b.Topology()
	err := h.change(Params{}, func(s *vpce.Spec) *Error {
		s.SecurityGroups[0].Ingress = append(s.SecurityGroups[0].Ingress, vpce.Rule{Protocol: "sctp", CIDRs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
		return nil
	})
	if err == nil || err.Code != "InvalidParameterValue" || err.Status != http.StatusBadRequest || !strings.Contains(err.Message, `"sctp"`) {
		t.Fatalf("got %+v, want InvalidParameterValue naming the protocol", err)
	}
	if b.Topology() != before {
		t.Error("a refused change was swapped in")
	}
	if err := h.change(Params{"DryRun": {"true"}}, func(s *vpce.Spec) *Error { return nil }); err == nil || err.Code != "DryRunOperation" {
		t.Errorf("dry run: %+v, want DryRunOperation", err)
	}
}
