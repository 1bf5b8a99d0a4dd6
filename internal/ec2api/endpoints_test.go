package ec2api

import (
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// IDs of the default topology (vpce.DefaultSpec) the tests use.
const (
	myVPC       = vpce.DefaultVPCID
	defVPC      = vpce.DefaultVPCDefaultID
	subA        = "subnet-01a2b3c4d5e6f7a81" // my-vpc, us-east-1a, 172.16.1.0/24
	subB        = "subnet-01a2b3c4d5e6f7a82" // my-vpc, us-east-1b, 172.16.2.0/24 (instance .99)
	fullSub     = "subnet-0000000000000000f" // a full /28 (TestCreateVpcEndpointErrors)
	subDefault  = "subnet-0f1e2d3c4b5a69780" // default VPC, us-east-1a
	myDefaultSG = "sg-0c2e4a6b8d0f13579"     // my-vpc's "default"
	webSG       = "sg-0b1c2d3e4f5a60789"     // my-vpc's "web"
	defSG       = "sg-0a1b2c3d4e5f60789"     // the default VPC's "default"
	myRTB       = "rtb-0b3d5f7a9c1e24680"    // my-vpc's main table (0.0.0.0/0 to its internet gateway)
	privateRTB  = "rtb-0c4e6a8b0d2f35792"    // my-vpc's private table (subB; my-vpc's gateway endpoint)
	defRTB      = "rtb-0a2c4e6b8d0f13579"    // the default VPC's main table (has the gateway endpoint)
	s3Service   = "com.amazonaws.us-east-1.s3"
	denyPolicy  = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"*"}]}`
)

// xEndpoint decodes a VpcEndpoint of a response, for assertions.
type xEndpoint struct {
	ID          string   `xml:"vpcEndpointId"`
	Type        string   `xml:"vpcEndpointType"`
	VPC         string   `xml:"vpcId"`
	Service     string   `xml:"serviceName"`
	State       string   `xml:"state"`
	Policy      string   `xml:"policyDocument"`
	RouteTables []string `xml:"routeTableIdSet>item"`
	Subnets     []string `xml:"subnetIdSet>item"`
	Groups      []struct {
		ID   string `xml:"groupId"`
		Name string `xml:"groupName"`
	} `xml:"groupSet>item"`
	PrivateDNS  bool     `xml:"privateDnsEnabled"`
	InboundOnly bool     `xml:"dnsOptions>privateDnsOnlyForInboundResolverEndpoint"`
	ENIs        []string `xml:"networkInterfaceIdSet>item"`
	DNS         []struct {
		Name string `xml:"dnsName"`
		Zone string `xml:"hostedZoneId"`
	} `xml:"dnsEntrySet>item"`
	Created string `xml:"creationTimestamp"`
	Tags    []struct {
		Key   string `xml:"key"`
		Value string `xml:"value"`
	} `xml:"tagSet>item"`
	Owner string `xml:"ownerId"`
}

type xCreate struct {
	Endpoint    xEndpoint `xml:"vpcEndpoint"`
	ClientToken string    `xml:"clientToken"`
}

type xDescribe struct {
	Endpoints []xEndpoint `xml:"vpcEndpointSet>item"`
	NextToken string      `xml:"nextToken"`
}

type xError struct {
	Code      string `xml:"Errors>Error>Code"`
	Message   string `xml:"Errors>Error>Message"`
	RequestID string `xml:"RequestID"`
}

func decode[T any](t *testing.T, w *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if w.Code != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", w.Code, w.Body)
	}
	if err := xml.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode: %v\n%s", err, w.Body)
	}
	return v
}

// wantError checks that w is EC2's error with code, and that the message
// contains msg.
func wantError(t *testing.T, w *httptest.ResponseRecorder, status int, code, msg string) {
	t.Helper()
	var e xError
	if err := xml.Unmarshal(w.Body.Bytes(), &e); err != nil {
		t.Fatalf("decode error: %v\n%s", err, w.Body)
	}
	if w.Code != status || e.Code != code || !strings.Contains(e.Message, msg) {
		t.Fatalf("got %d %s %q, want %d %s containing %q", w.Code, e.Code, e.Message, status, code, msg)
	}
	if e.RequestID == "" {
		t.Errorf("error without RequestID: %s", w.Body)
	}
}

// hostnamesOn is the seed's world with my-vpc's DNS hostnames turned on
// (what aws ec2 modify-vpc-attribute --enable-dns-hostnames does), which an
// endpoint with private DNS in my-vpc needs; the seed has them off.
func hostnamesOn() vpce.Spec {
	s := vpce.DefaultSpec()
	for i := range s.VPCs {
		if s.VPCs[i].ID == myVPC {
			s.VPCs[i].EnableDNSHostnames = true
		}
	}
	return s
}

// withoutGateway is s without the gateway endpoint id (and so without its
// prefix-list routes).
func withoutGateway(s vpce.Spec, id string) vpce.Spec {
	s.GatewayEndpoints = slices.DeleteFunc(slices.Clone(s.GatewayEndpoints), func(g vpce.GatewayEndpoint) bool { return g.ID == id })
	return s
}

// specOr is *s, or the seed's world when s is nil.
func specOr(s *vpce.Spec) vpce.Spec {
	if s == nil {
		return vpce.DefaultSpec()
	}
	return *s
}

func iface(params ...string) []string {
	return append([]string{"VpcEndpointType", "Interface", "VpcId", myVPC, "ServiceName", s3Service}, params...)
}

func TestCreateVpcEndpoint(t *testing.T) {
	dnsOn := hostnamesOn()
	tests := []struct {
		name   string
		spec   *vpce.Spec // nil: the seed's world
		params []string
		check  func(t *testing.T, b *fakeBackend, got xEndpoint)
	}{
		{"interface in two zones of my-vpc with DNS hostnames on", &dnsOn, iface("SubnetId.1", subA, "SubnetId.2", subB,
			"TagSpecification.1.ResourceType", "vpc-endpoint", "TagSpecification.1.Tag.1.Key", "Name", "TagSpecification.1.Tag.1.Value", "s3-new"),
			func(t *testing.T, b *fakeBackend, got xEndpoint) {
				if got.State != "pending" || got.Type != "Interface" || !got.PrivateDNS || got.Owner != vpce.DefaultAccount {
					t.Errorf("state %q type %q privateDns %v owner %q", got.State, got.Type, got.PrivateDNS, got.Owner)
				}
				e, ok := b.Topology().Endpoint(got.ID)
				if !ok {
					t.Fatalf("%s is not in the topology", got.ID)
				}
				// my-vpc has an S3 gateway endpoint (on its private table).
				if !got.InboundOnly || !e.PrivateDNSOnlyForInboundResolverEndpoint {
					t.Errorf("inbound-only %v / %v, want on by default: my-vpc has a gateway endpoint", got.InboundOnly, e.PrivateDNSOnlyForInboundResolverEndpoint)
				}
				// Lowest free host addresses: .4 (the first four are AWS's).
				wantIPs := []netip.Addr{netip.MustParseAddr("172.16.1.4"), netip.MustParseAddr("172.16.2.4")}
				if !slices.Equal(e.IPs(), wantIPs) || e.Zones[0].Name != "us-east-1a" || e.Zones[1].Name != "us-east-1b" {
					t.Errorf("zones %+v, want .4 in us-east-1a and us-east-1b", e.Zones)
				}
				if !slices.Equal(got.Subnets, []string{subA, subB}) || len(got.ENIs) != 2 || got.ENIs[0] != e.Zones[0].ENIID {
					t.Errorf("subnets %v enis %v", got.Subnets, got.ENIs)
				}
				if len(got.Groups) != 1 || got.Groups[0].ID != myDefaultSG || got.Groups[0].Name != "default" {
					t.Errorf("groups %+v, want the VPC's default group", got.Groups)
				}
				wantDNS := []string{"*." + e.RegionalName(), "*." + e.ZonalName("us-east-1a"), "*." + e.ZonalName("us-east-1b"),
					"s3.us-east-1.amazonaws.com", "*.s3.us-east-1.amazonaws.com", "*.s3-control.us-east-1.amazonaws.com", "*.s3-accesspoint.us-east-1.amazonaws.com"}
				var names []string
				for _, d := range got.DNS {
					names = append(names, d.Name)
				}
				if !slices.Equal(names, wantDNS) || got.DNS[0].Zone != vpceHostedZoneID || got.DNS[3].Zone == vpceHostedZoneID {
					t.Errorf("dns entries %+v, want %v", got.DNS, wantDNS)
				}
				if got.Created != "2024-05-06T07:08:09.123Z" || !e.Created.Equal(testNow) {
					t.Errorf("created %q / %v", got.Created, e.Created)
				}
				if len(got.Tags) != 1 || got.Tags[0].Value != "s3-new" || e.StateOrDefault() != "available" {
					t.Errorf("tags %+v, stored state %q", got.Tags, e.State)
				}
				if !strings.Contains(got.Policy, `"Principal": "*"`) || e.Policy != "" {
					t.Errorf("policy %q (stored %q), want the default", got.Policy, e.Policy)
				}
			}},
		{"interface in the seed's my-vpc (DNS hostnames off) with policy, groups, no private DNS", nil, iface("SubnetId.1", subB, "SecurityGroupId.1", webSG, "SecurityGroupId.2", vpce.DefaultEndpointGroupID,
			"PolicyDocument", denyPolicy, "PrivateDnsEnabled", "false"),
			func(t *testing.T, b *fakeBackend, got xEndpoint) {
				e, _ := b.Topology().Endpoint(got.ID)
				if e.Policy != denyPolicy || got.Policy != denyPolicy || got.PrivateDNS || len(got.DNS) != 2 {
					t.Errorf("policy %q privateDns %v dns %d", e.Policy, got.PrivateDNS, len(got.DNS))
				}
				if !slices.Equal(e.SecurityGroups, []string{webSG, vpce.DefaultEndpointGroupID}) || got.Groups[1].Name != "s3-endpoint" {
					t.Errorf("groups %v %+v", e.SecurityGroups, got.Groups)
				}
			}},
		{"interface in a VPC with a gateway endpoint: inbound-only by default", nil, []string{"VpcEndpointType", "Interface", "VpcId", defVPC, "ServiceName", s3Service, "SubnetId.1", subDefault},
			func(t *testing.T, b *fakeBackend, got xEndpoint) {
				e, _ := b.Topology().Endpoint(got.ID)
				if !got.InboundOnly || !e.PrivateDNSOnlyForInboundResolverEndpoint || got.Groups[0].ID != defSG {
					t.Errorf("inbound-only %v / %v, groups %+v", got.InboundOnly, e.PrivateDNSOnlyForInboundResolverEndpoint, got.Groups)
				}
				if e.Zones[0].IP != netip.MustParseAddr("172.31.80.4") {
					t.Errorf("ip %v", e.Zones[0].IP)
				}
			}},
		{"interface with inbound-only off", nil, []string{"VpcEndpointType", "Interface", "VpcId", defVPC, "ServiceName", s3Service, "SubnetId.1", subDefault,
			"DnsOptions.PrivateDnsOnlyForInboundResolverEndpoint", "false", "DnsOptions.DnsRecordIpType", "ipv4"},
			func(t *testing.T, b *fakeBackend, got xEndpoint) {
				if got.InboundOnly || !got.PrivateDNS {
					t.Errorf("inbound-only %v private %v", got.InboundOnly, got.PrivateDNS)
				}
			}},
		{"gateway is the default type", nil, []string{"VpcId", myVPC, "ServiceName", s3Service, "RouteTableId.1", myRTB, "PolicyDocument", denyPolicy},
			func(t *testing.T, b *fakeBackend, got xEndpoint) {
				g, ok := b.Topology().GatewayEndpoint(got.ID)
				if !ok || got.Type != "Gateway" || got.State != "available" || !slices.Equal(g.RouteTables, []string{myRTB}) || g.Policy != denyPolicy {
					t.Fatalf("gateway %+v, response %+v", g, got)
				}
				routes := b.Topology().Routes(myRTB)
				if last := routes[len(routes)-1]; last.PrefixList != "pl-63a5400a" || last.Target != got.ID {
					t.Errorf("routes %+v: want the prefix-list route to %s", routes, got.ID)
				}
				if len(got.DNS) != 0 || len(got.ENIs) != 0 || got.PrivateDNS {
					t.Errorf("gateway with interface fields: %+v", got)
				}
			}},
		{"gateway default policy", nil, []string{"VpcEndpointType", "Gateway", "VpcId", myVPC, "ServiceName", s3Service},
			func(t *testing.T, b *fakeBackend, got xEndpoint) {
				if got.Policy != defaultGatewayPolicy {
					t.Errorf("policy %q", got.Policy)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBackend(t, specOr(tt.spec))
			got := decode[xCreate](t, do(New(b), "CreateVpcEndpoint", tt.params...))
			if !vpce.ValidResourceID(vpce.PrefixEndpoint, got.Endpoint.ID) || got.Endpoint.Service != s3Service || got.Endpoint.VPC == "" {
				t.Fatalf("endpoint %+v", got.Endpoint)
			}
			tt.check(t, b, got.Endpoint)
			// Describe shows what Create made, available.
			d := decode[xDescribe](t, do(New(b), "DescribeVpcEndpoints", "VpcEndpointId.1", got.Endpoint.ID))
			if len(d.Endpoints) != 1 || d.Endpoints[0].State != "available" || d.Endpoints[0].ID != got.Endpoint.ID {
				t.Errorf("describe %+v", d.Endpoints)
			}
		})
	}
}

// TestCreateVpcEndpointErrors: each request is refused for its own reason,
// in my-vpc with DNS hostnames on (hostnamesOn) unless a case says
// otherwise, so that private DNS, the default, is not what refuses it.
func TestCreateVpcEndpointErrors(t *testing.T) {
	twoPrivate := hostnamesOn()
	twoPrivate.Endpoints[0].PrivateDNS = true
	seed := vpce.DefaultSpec() // my-vpc's DNS hostnames off
	noGateway := withoutGateway(hostnamesOn(), vpce.PrivateGatewayEndpointID)
	// full has a /28 in us-east-1a whose 11 usable addresses are taken.
	full := hostnamesOn()
	full.Subnets = append(full.Subnets, vpce.Subnet{ID: fullSub, VPCID: myVPC, CIDR: netip.MustParsePrefix("172.16.200.0/28"), AZ: "us-east-1a"})
	for i := 4; i <= 14; i++ {
		full.Instances = append(full.Instances, vpce.Instance{ID: "i-" + fixedHex(i), SubnetID: fullSub,
			PrivateIP: netip.AddrFrom4([4]byte{172, 16, 200, byte(i)})})
	}
	tests := []struct {
		name      string
		spec      *vpce.Spec
		params    []string
		code, msg string
	}{
		{"no VpcId", nil, []string{"ServiceName", s3Service}, "MissingParameter", "VpcId"},
		{"no ServiceName", nil, []string{"VpcId", myVPC}, "MissingParameter", "ServiceName"},
		{"other service", nil, []string{"VpcId", myVPC, "ServiceName", "com.amazonaws.us-east-1.dynamodb"}, "InvalidServiceName", "'com.amazonaws.us-east-1.dynamodb' does not exist"},
		{"other region", nil, []string{"VpcId", myVPC, "ServiceName", "com.amazonaws.eu-west-1.s3"}, "InvalidServiceName", "does not exist"},
		{"bad type", nil, []string{"VpcEndpointType", "Tunnel", "VpcId", myVPC, "ServiceName", s3Service}, "InvalidParameterValue", "VpcEndpointType"},
		{"route tables on interface", nil, iface("SubnetId.1", subA, "RouteTableId.1", myRTB), "InvalidParameter", "Route table IDs are only supported for Gateway type VPC Endpoint."},
		{"subnets on gateway", nil, []string{"VpcId", myVPC, "ServiceName", s3Service, "SubnetId.1", subA}, "InvalidParameter", "Subnet IDs are only supported for Interface"},
		{"private DNS on gateway", nil, []string{"VpcId", myVPC, "ServiceName", s3Service, "PrivateDnsEnabled", "true"}, "InvalidParameter", "Private DNS"},
		{"interface without subnets", nil, iface(), "InvalidParameter", "at least one subnet"},
		{"unknown VPC", nil, []string{"VpcEndpointType", "Interface", "VpcId", "vpc-0123456789abcdef0", "ServiceName", s3Service, "SubnetId.1", subA}, "InvalidVpcId.NotFound", "The vpc ID 'vpc-0123456789abcdef0' does not exist"},
		{"malformed VPC", nil, []string{"VpcEndpointType", "Interface", "VpcId", "vpc-nothex", "ServiceName", s3Service, "SubnetId.1", subA}, "InvalidVpcId.Malformed", "Invalid Id: 'vpc-nothex'"},
		{"unknown subnet", nil, iface("SubnetId.1", "subnet-0123456789abcdef0"), "InvalidSubnetID.NotFound", "The subnet ID 'subnet-0123456789abcdef0' does not exist"},
		{"subnet of another VPC", nil, iface("SubnetId.1", subDefault), "InvalidParameter", "does not belong to VPC"},
		{"two subnets in one zone", &full, iface("SubnetId.1", subA, "SubnetId.2", fullSub), "DuplicateSubnetsInSameZone", "availability zone of subnet-0000000000000000f"},
		{"full subnet", &full, iface("SubnetId.1", fullSub), "InsufficientFreeAddressesInSubnet", fullSub},
		{"unknown group", nil, iface("SubnetId.1", subA, "SecurityGroupId.1", "sg-0123456789abcdef0"), "InvalidGroup.NotFound", "The security group 'sg-0123456789abcdef0' does not exist"},
		{"group of another VPC", nil, iface("SubnetId.1", subA, "SecurityGroupId.1", defSG), "InvalidParameter", "belong to different networks"},
		{"unknown route table", nil, []string{"VpcId", myVPC, "ServiceName", s3Service, "RouteTableId.1", "rtb-0123456789abcdef0"}, "InvalidRouteTableId.NotFound", "The routeTable ID 'rtb-0123456789abcdef0' does not exist"},
		{"route table already routed", nil, []string{"VpcId", defVPC, "ServiceName", s3Service, "RouteTableId.1", defRTB}, "RouteAlreadyExists", "pl-63a5400a"},
		{"my-vpc's private table already routed", nil, []string{"VpcId", myVPC, "ServiceName", s3Service, "RouteTableId.1", privateRTB}, "RouteAlreadyExists", "pl-63a5400a"},
		{"bad policy", nil, iface("SubnetId.1", subA, "PolicyDocument", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`), "InvalidPolicyDocument", "The Policy Document is not valid."},
		{"policy not JSON", nil, iface("SubnetId.1", subA, "PolicyDocument", `{`), "InvalidPolicyDocument", "not valid"},
		{"inbound-only without a gateway endpoint", &noGateway, iface("SubnetId.1", subA, "DnsOptions.PrivateDnsOnlyForInboundResolverEndpoint", "true"), "InvalidParameter",
			"To set PrivateDnsOnlyForInboundResolverEndpoint to true, the VPC " + myVPC + " must have a gateway endpoint for the service."},
		{"inbound-only without private DNS", nil, iface("SubnetId.1", subA, "PrivateDnsEnabled", "false", "DnsOptions.PrivateDnsOnlyForInboundResolverEndpoint", "true"), "InvalidParameter", "PrivateDnsEnabled"},
		{"private DNS in the seed's my-vpc (DNS hostnames off)", &seed, iface("SubnetId.1", subA), "InvalidParameter",
			"Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for " + myVPC},
		{"second private DNS endpoint in the VPC (Build refuses)", &twoPrivate, iface("SubnetId.1", subA), "InvalidParameterValue", "conflicting DNS domain"},
		{"dualstack", nil, iface("SubnetId.1", subA, "DnsOptions.DnsRecordIpType", "dualstack"), "InvalidParameter", "IPv4"},
		{"bad bool", nil, iface("SubnetId.1", subA, "PrivateDnsEnabled", "yes"), "InvalidParameterValue", "PrivateDnsEnabled"},
		{"tags for another resource type", nil, iface("SubnetId.1", subA, "TagSpecification.1.ResourceType", "vpc", "TagSpecification.1.Tag.1.Key", "k"), "InvalidParameterValue", "'vpc'"},
		{"aws: tag", nil, iface("SubnetId.1", subA, "TagSpecification.1.ResourceType", "vpc-endpoint", "TagSpecification.1.Tag.1.Key", "aws:x"), "InvalidParameterValue", "aws:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := hostnamesOn()
			if tt.spec != nil {
				spec = *tt.spec
			}
			b := newBackend(t, spec)
			before := b.Topology()
			wantError(t, do(New(b), "CreateVpcEndpoint", tt.params...), http.StatusBadRequest, tt.code, tt.msg)
			if b.Topology() != before {
				t.Error("a refused request changed the topology")
			}
		})
	}
}

func TestClientToken(t *testing.T) {
	b := newBackend(t, vpce.DefaultSpec())
	h := New(b)
	params := iface("SubnetId.1", subA, "PrivateDnsEnabled", "false", "ClientToken", "tok-1")
	first := decode[xCreate](t, do(h, "CreateVpcEndpoint", params...))
	second := decode[xCreate](t, do(h, "CreateVpcEndpoint", params...))
	if first.Endpoint.ID != second.Endpoint.ID || first.ClientToken != "tok-1" || second.ClientToken != "tok-1" {
		t.Fatalf("same token gave %s then %s (tokens %q %q)", first.Endpoint.ID, second.Endpoint.ID, first.ClientToken, second.ClientToken)
	}
	if n := len(b.Topology().Endpoints()); n != 2 {
		t.Errorf("%d interface endpoints, want 2 (the default and one new)", n)
	}
	if e, _ := b.Topology().Endpoint(first.Endpoint.ID); e.ClientToken != "tok-1" {
		t.Errorf("stored token %q", e.ClientToken)
	}
	gw := decode[xCreate](t, do(h, "CreateVpcEndpoint", "VpcId", myVPC, "ServiceName", s3Service, "ClientToken", "tok-2"))
	if again := decode[xCreate](t, do(h, "CreateVpcEndpoint", "VpcId", myVPC, "ServiceName", s3Service, "ClientToken", "tok-2")); again.Endpoint.ID != gw.Endpoint.ID {
		t.Errorf("gateway replay %s, want %s", again.Endpoint.ID, gw.Endpoint.ID)
	}
	wantError(t, do(h, "CreateVpcEndpoint", "VpcId", defVPC, "ServiceName", s3Service, "ClientToken", "tok-1"), http.StatusBadRequest, "IdempotentParameterMismatch", "tok-1")

	t.Run("concurrent", func(t *testing.T) {
		b := newBackend(t, vpce.DefaultSpec())
		h := New(b)
		const n = 8
		ids := make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				w := do(h, "CreateVpcEndpoint", "VpcId", myVPC, "ServiceName", s3Service, "ClientToken", "tok-c")
				var c xCreate
				if err := xml.Unmarshal(w.Body.Bytes(), &c); err != nil || w.Code != http.StatusOK {
					t.Errorf("status %d: %s", w.Code, w.Body)
				}
				ids[i] = c.Endpoint.ID
			})
		}
		wg.Wait()
		for _, id := range ids[1:] {
			if id != ids[0] {
				t.Errorf("ids %v: want one endpoint", ids)
				break
			}
		}
		if n := len(b.Topology().GatewayEndpoints()); n != 3 {
			t.Errorf("%d gateway endpoints, want 3 (the seed's two and one new)", n)
		}
	})
}

// manyEndpoints is the default spec with n more interface endpoints in
// my-vpc, tagged Index=i and (every third) Group=three.
func manyEndpoints(tb testing.TB, n int) vpce.Spec {
	tb.Helper()
	s := vpce.DefaultSpec()
	s.Subnets = append(s.Subnets, vpce.Subnet{ID: "subnet-0aaaaaaaaaaaaaaaa", VPCID: myVPC, CIDR: netip.MustParsePrefix("172.16.32.0/20"), AZ: "us-east-1a"})
	ip := netip.MustParseAddr("172.16.32.10")
	for i := range n {
		e := vpce.Endpoint{ID: "vpce-" + fixedHex(i), DNSSuffix: "abcdefgh", Region: "us-east-1", VPCID: myVPC,
			Zones:          []vpce.Zone{{Name: "us-east-1a", IP: ip, SubnetID: "subnet-0aaaaaaaaaaaaaaaa"}},
			SecurityGroups: []string{myDefaultSG}, Created: testNow, State: "available",
			Tags: []vpce.Tag{{Key: "Index", Value: strconv.Itoa(i)}}}
		if i%3 == 0 {
			e.Tags = append(e.Tags, vpce.Tag{Key: "Group", Value: "three"})
		}
		s.Endpoints = append(s.Endpoints, e)
		ip = ip.Next()
	}
	return s
}

// fixedHex is 17 hex digits, distinct for each i and not in i's order
// (a multiplicative hash scrambles it).
func fixedHex(i int) string {
	v := uint64(i+1) * 0x9E3779B97F4A7C15
	h := strconv.FormatUint(v, 16)
	for len(h) < 17 {
		h = "0" + h
	}
	return h[len(h)-17:]
}

func TestDescribeVpcEndpoints(t *testing.T) {
	b := newBackend(t, manyEndpoints(t, 30))
	h := New(b)
	tests := []struct {
		name   string
		params []string
		want   int // endpoints returned
		first  string
	}{
		{"all", nil, 33, ""}, // the seed's interface endpoint and two gateway endpoints, and 30
		{"by id", []string{"VpcEndpointId.1", vpce.DefaultGatewayEndpointID, "VpcEndpointId.2", vpce.DefaultEndpointID}, 2, vpce.DefaultEndpointID},
		{"vpc-id", []string{"Filter.1.Name", "vpc-id", "Filter.1.Value.1", defVPC}, 1, vpce.DefaultGatewayEndpointID},
		{"type Gateway", []string{"Filter.1.Name", "vpc-endpoint-type", "Filter.1.Value.1", "Gateway"}, 2, vpce.DefaultGatewayEndpointID},
		{"my-vpc's gateway", []string{"Filter.1.Name", "vpc-endpoint-type", "Filter.1.Value.1", "Gateway", "Filter.2.Name", "vpc-id", "Filter.2.Value.1", myVPC}, 1, vpce.PrivateGatewayEndpointID},
		{"type Interface", []string{"Filter.1.Name", "vpc-endpoint-type", "Filter.1.Value.1", "Interface"}, 31, ""},
		{"state", []string{"Filter.1.Name", "vpc-endpoint-state", "Filter.1.Value.1", "pending", "Filter.1.Value.2", "available"}, 33, ""},
		{"state none", []string{"Filter.1.Name", "vpc-endpoint-state", "Filter.1.Value.1", "deleted"}, 0, ""},
		{"service-name", []string{"Filter.1.Name", "service-name", "Filter.1.Value.1", s3Service}, 33, ""},
		{"endpoint id", []string{"Filter.1.Name", "vpc-endpoint-id", "Filter.1.Value.1", vpce.DefaultEndpointID}, 1, vpce.DefaultEndpointID},
		{"tag:Group", []string{"Filter.1.Name", "tag:Group", "Filter.1.Value.1", "three"}, 10, ""},
		{"tag:Index wildcard", []string{"Filter.1.Name", "tag:Index", "Filter.1.Value.1", "2?"}, 10, ""},
		{"tag-key", []string{"Filter.1.Name", "tag-key", "Filter.1.Value.1", "Index"}, 30, ""},
		{"two filters AND", []string{"Filter.1.Name", "tag:Group", "Filter.1.Value.1", "three", "Filter.2.Name", "tag:Index", "Filter.2.Value.1", "1*"}, 3, ""},
		{"id and filter", []string{"VpcEndpointId.1", vpce.DefaultEndpointID, "Filter.1.Name", "vpc-endpoint-type", "Filter.1.Value.1", "Gateway"}, 0, ""},
		{"MaxResults above 1000 returns at most 1000", []string{"MaxResults", "5000"}, 33, ""},
		{"MaxResults 1", []string{"MaxResults", "1"}, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := decode[xDescribe](t, do(h, "DescribeVpcEndpoints", tt.params...))
			if len(d.Endpoints) != tt.want {
				t.Fatalf("%d endpoints, want %d", len(d.Endpoints), tt.want)
			}
			if tt.first != "" && d.Endpoints[0].ID != tt.first {
				t.Errorf("first %s, want %s", d.Endpoints[0].ID, tt.first)
			}
			if !slices.IsSortedFunc(d.Endpoints, func(a, b xEndpoint) int { return strings.Compare(a.ID, b.ID) }) {
				t.Error("not in ID order")
			}
		})
	}
	errs := []struct {
		name      string
		params    []string
		code, msg string
	}{
		{"unknown id", []string{"VpcEndpointId.1", "vpce-0123456789abcdef0"}, "InvalidVpcEndpointId.NotFound", "The Vpc Endpoint Id 'vpce-0123456789abcdef0' does not exist"},
		{"malformed id", []string{"VpcEndpointId.1", "vpce-xyz"}, "InvalidVpcEndpointId.Malformed", "Invalid Id: 'vpce-xyz' (expecting 'vpce-...;"},
		{"unknown filter", []string{"Filter.1.Name", "color", "Filter.1.Value.1", "red"}, "InvalidParameterValue", "The filter 'color' is invalid"},
		{"filter without value", []string{"Filter.1.Name", "vpc-id"}, "InvalidParameterValue", "vpc-id"},
		{"MaxResults 0", []string{"MaxResults", "0"}, "InvalidParameterValue", "maxResults"},
		{"MaxResults not a number", []string{"MaxResults", "ten"}, "InvalidParameterValue", "MaxResults"},
		{"garbage token", []string{"NextToken", "!!!"}, "InvalidNextToken", "!!!"},
		{"token of another action", []string{"NextToken", encodeToken("DescribeVpcs", "vpc-0")}, "InvalidNextToken", ""},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, do(h, "DescribeVpcEndpoints", tt.params...), http.StatusBadRequest, tt.code, tt.msg)
		})
	}
}

// TestDescribePagination pages through 1,000 endpoints (and the seed's
// three): every endpoint exactly once, whatever the page size, even when
// endpoints are deleted and created between pages.
func TestDescribePagination(t *testing.T) {
	for _, size := range []int{5, 7, 100, 999, 1000} {
		t.Run("MaxResults="+strconv.Itoa(size), func(t *testing.T) {
			b := newBackend(t, manyEndpoints(t, 1000))
			h := New(b)
			seen := map[string]int{}
			token, pages := "", 0
			for {
				params := []string{"MaxResults", strconv.Itoa(size)}
				if token != "" {
					params = append(params, "NextToken", token)
				}
				d := decode[xDescribe](t, do(h, "DescribeVpcEndpoints", params...))
				pages++
				if len(d.Endpoints) > size {
					t.Fatalf("page of %d, MaxResults %d", len(d.Endpoints), size)
				}
				for _, e := range d.Endpoints {
					seen[e.ID]++
				}
				if d.NextToken == "" {
					break
				}
				token = d.NextToken
			}
			if len(seen) != 1003 {
				t.Errorf("%d distinct endpoints, want 1003", len(seen))
			}
			for id, n := range seen {
				if n != 1 {
					t.Errorf("%s returned %d times", id, n)
				}
			}
			if want := (1003 + size - 1) / size; pages != want {
				t.Errorf("%d pages, want %d", pages, want)
			}
		})
	}
	t.Run("changes between pages", func(t *testing.T) {
		b := newBackend(t, manyEndpoints(t, 50))
		h := New(b)
		first := decode[xDescribe](t, do(h, "DescribeVpcEndpoints", "MaxResults", "20"))
		// Delete one already returned and one not yet returned.
		all := sortedEndpoints(b.Topology())
		gone := []string{first.Endpoints[0].ID, all[30].id()}
		decode[struct{}](t, do(h, "DeleteVpcEndpoints", "VpcEndpointId.1", gone[0], "VpcEndpointId.2", gone[1]))
		seen := map[string]bool{}
		for _, e := range first.Endpoints {
			seen[e.ID] = true
		}
		token := first.NextToken
		for token != "" {
			d := decode[xDescribe](t, do(h, "DescribeVpcEndpoints", "MaxResults", "20", "NextToken", token))
			for _, e := range d.Endpoints {
				if seen[e.ID] {
					t.Errorf("%s returned twice", e.ID)
				}
				seen[e.ID] = true
			}
			token = d.NextToken
		}
		if seen[gone[1]] || len(seen) != 52 {
			t.Errorf("%d seen (want 52: 53 less the one deleted before its page)", len(seen))
		}
	})
}

func TestModifyVpcEndpoint(t *testing.T) {
	dnsOn := hostnamesOn()
	dnsOnNoGateway := withoutGateway(hostnamesOn(), vpce.PrivateGatewayEndpointID)
	tests := []struct {
		name   string
		spec   *vpce.Spec // nil: the seed's world
		params []string
		check  func(t *testing.T, top *vpce.Topology)
	}{
		{"policy", nil, []string{"VpcEndpointId", vpce.DefaultEndpointID, "PolicyDocument", denyPolicy}, func(t *testing.T, top *vpce.Topology) {
			if e, _ := top.Endpoint(vpce.DefaultEndpointID); e.Policy != denyPolicy {
				t.Errorf("policy %q", e.Policy)
			}
		}},
		{"reset policy", nil, []string{"VpcEndpointId", vpce.DefaultGatewayEndpointID, "ResetPolicy", "true"}, func(t *testing.T, top *vpce.Topology) {
			if g, _ := top.GatewayEndpoint(vpce.DefaultGatewayEndpointID); g.Policy != "" {
				t.Errorf("policy %q", g.Policy)
			}
		}},
		{"subnets and groups", nil, []string{"VpcEndpointId", vpce.DefaultEndpointID, "RemoveSubnetId.1", subA, "RemoveSubnetId.2", subB,
			"AddSecurityGroupId.1", webSG, "RemoveSecurityGroupId.1", vpce.DefaultEndpointGroupID}, func(t *testing.T, top *vpce.Topology) {
			e, _ := top.Endpoint(vpce.DefaultEndpointID)
			if len(e.Zones) != 4 || e.Zones[0].Name != "us-east-1c" || !slices.Equal(e.SecurityGroups, []string{webSG}) {
				t.Errorf("zones %+v groups %v", e.Zones, e.SecurityGroups)
			}
		}},
		{"private DNS on, DNS hostnames on: inbound-only, my-vpc has a gateway endpoint", &dnsOn,
			[]string{"VpcEndpointId", vpce.DefaultEndpointID, "PrivateDnsEnabled", "true"}, func(t *testing.T, top *vpce.Topology) {
				if e, _ := top.Endpoint(vpce.DefaultEndpointID); !e.PrivateDNS || !e.PrivateDNSOnlyForInboundResolverEndpoint {
					t.Errorf("private %v inbound %v, want both", e.PrivateDNS, e.PrivateDNSOnlyForInboundResolverEndpoint)
				}
			}},
		{"private DNS on, DNS hostnames on, no gateway endpoint in my-vpc", &dnsOnNoGateway,
			[]string{"VpcEndpointId", vpce.DefaultEndpointID, "PrivateDnsEnabled", "true"}, func(t *testing.T, top *vpce.Topology) {
				if e, _ := top.Endpoint(vpce.DefaultEndpointID); !e.PrivateDNS || e.PrivateDNSOnlyForInboundResolverEndpoint {
					t.Errorf("private %v inbound %v, want private only", e.PrivateDNS, e.PrivateDNSOnlyForInboundResolverEndpoint)
				}
			}},
		{"gateway route tables", nil, []string{"VpcEndpointId", vpce.DefaultGatewayEndpointID, "RemoveRouteTableId.1", defRTB}, func(t *testing.T, top *vpce.Topology) {
			if g, _ := top.GatewayEndpoint(vpce.DefaultGatewayEndpointID); len(g.RouteTables) != 0 {
				t.Errorf("route tables %v", g.RouteTables)
			}
			for _, r := range top.Routes(defRTB) {
				if r.PrefixList != "" {
					t.Errorf("route %+v left", r)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBackend(t, specOr(tt.spec))
			w := do(New(b), "ModifyVpcEndpoint", tt.params...)
			if r := decode[xReturn](t, w); !r.Return {
				t.Errorf("return false: %s", w.Body)
			}
			tt.check(t, b.Topology())
		})
	}
	t.Run("add a subnet", func(t *testing.T) {
		s := vpce.DefaultSpec()
		s.Endpoints[0].Zones = s.Endpoints[0].Zones[1:] // drop us-east-1a
		b := newBackend(t, s)
		decode[struct{}](t, do(New(b), "ModifyVpcEndpoint", "VpcEndpointId", vpce.DefaultEndpointID, "AddSubnetId.1", subA))
		e, _ := b.Topology().Endpoint(vpce.DefaultEndpointID)
		z := e.Zones[len(e.Zones)-1]
		if z.SubnetID != subA || z.Name != "us-east-1a" || z.IP != netip.MustParseAddr("172.16.1.4") || !vpce.ValidResourceID("eni", z.ENIID) {
			t.Errorf("new zone %+v", z)
		}
	})
	t.Run("gateway policy then add a route table", func(t *testing.T) {
		b := newBackend(t, vpce.DefaultSpec())
		h := New(b)
		gw := decode[xCreate](t, do(h, "CreateVpcEndpoint", "VpcId", myVPC, "ServiceName", s3Service)).Endpoint.ID
		decode[struct{}](t, do(h, "ModifyVpcEndpoint", "VpcEndpointId", gw, "AddRouteTableId.1", myRTB, "PolicyDocument", denyPolicy))
		g, _ := b.Topology().GatewayEndpoint(gw)
		if !slices.Equal(g.RouteTables, []string{myRTB}) || g.Policy != denyPolicy {
			t.Errorf("gateway %+v", g)
		}
	})
	errs := []struct {
		name      string
		spec      *vpce.Spec // nil: the seed's world
		params    []string
		code, msg string
	}{
		{"no id", nil, nil, "MissingParameter", "VpcEndpointId"},
		{"malformed id", nil, []string{"VpcEndpointId", "vpce-1"}, "InvalidVpcEndpointId.Malformed", "vpce-1"},
		{"unknown id", nil, []string{"VpcEndpointId", "vpce-0123456789abcdef0"}, "InvalidVpcEndpointId.NotFound", "does not exist"},
		{"bad policy", nil, []string{"VpcEndpointId", vpce.DefaultEndpointID, "PolicyDocument", `{"Statement":[]`}, "InvalidPolicyDocument", "not valid"},
		{"gateway policy needs Principal *", nil, []string{"VpcEndpointId", vpce.DefaultGatewayEndpointID, "PolicyDocument",
			`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"*","Resource":"*"}]}`}, "InvalidPolicyDocument", "not valid"},
		{"reset and policy", nil, []string{"VpcEndpointId", vpce.DefaultEndpointID, "ResetPolicy", "true", "PolicyDocument", denyPolicy}, "InvalidParameterCombination", "ResetPolicy"},
		{"route table on interface", nil, []string{"VpcEndpointId", vpce.DefaultEndpointID, "AddRouteTableId.1", myRTB}, "InvalidParameter", "Route table IDs are only supported for Gateway"},
		{"subnet on gateway", nil, []string{"VpcEndpointId", vpce.DefaultGatewayEndpointID, "AddSubnetId.1", subDefault}, "InvalidParameter", "Subnet IDs are only supported"},
		{"remove a subnet it is not in", nil, []string{"VpcEndpointId", vpce.DefaultEndpointID, "RemoveSubnetId.1", subDefault}, "InvalidParameter", "not associated"},
		{"add an unknown subnet", nil, []string{"VpcEndpointId", vpce.DefaultEndpointID, "AddSubnetId.1", "subnet-0123456789abcdef0"}, "InvalidSubnetID.NotFound", "does not exist"},
		{"remove every subnet", nil, []string{"VpcEndpointId", vpce.DefaultEndpointID, "RemoveSubnetId.1", subA, "RemoveSubnetId.2", subB, "RemoveSubnetId.3", "subnet-01a2b3c4d5e6f7a83",
			"RemoveSubnetId.4", "subnet-01a2b3c4d5e6f7a84", "RemoveSubnetId.5", "subnet-01a2b3c4d5e6f7a85", "RemoveSubnetId.6", "subnet-01a2b3c4d5e6f7a86"}, "InvalidParameter", "at least one subnet"},
		{"remove the only group", nil, []string{"VpcEndpointId", vpce.DefaultEndpointID, "RemoveSecurityGroupId.1", vpce.DefaultEndpointGroupID}, "InvalidParameter", "at least one security group"},
		{"add an unknown group", nil, []string{"VpcEndpointId", vpce.DefaultEndpointID, "AddSecurityGroupId.1", "sg-0123456789abcdef0"}, "InvalidGroup.NotFound", "sg-0123456789abcdef0"},
		{"private DNS on in the seed's my-vpc (DNS hostnames off)", nil, []string{"VpcEndpointId", vpce.DefaultEndpointID, "PrivateDnsEnabled", "true"},
			"InvalidParameter", "Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for " + myVPC},
		{"inbound-only without gateway", &dnsOnNoGateway, []string{"VpcEndpointId", vpce.DefaultEndpointID, "PrivateDnsEnabled", "true", "DnsOptions.PrivateDnsOnlyForInboundResolverEndpoint", "true"},
			"InvalidParameter", "must have a gateway endpoint for the service"},
		{"add and remove one group", nil, []string{"VpcEndpointId", vpce.DefaultEndpointID, "AddSecurityGroupId.1", webSG, "RemoveSecurityGroupId.1", webSG}, "InvalidParameter", "both added and removed"},
		{"route table of another VPC", nil, []string{"VpcEndpointId", vpce.DefaultGatewayEndpointID, "AddRouteTableId.1", myRTB}, "InvalidParameter", "does not belong to VPC"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			b := newBackend(t, specOr(tt.spec))
			before := b.Topology()
			wantError(t, do(New(b), "ModifyVpcEndpoint", tt.params...), http.StatusBadRequest, tt.code, tt.msg)
			if b.Topology() != before {
				t.Error("a refused request changed the topology")
			}
		})
	}
}

type xReturn struct {
	Return bool `xml:"return"`
}

type xDelete struct {
	Unsuccessful []struct {
		Code     string `xml:"error>code"`
		Message  string `xml:"error>message"`
		Resource string `xml:"resourceId"`
	} `xml:"unsuccessful>item"`
}

func TestDeleteVpcEndpoints(t *testing.T) {
	t.Run("some fail", func(t *testing.T) {
		b := newBackend(t, vpce.DefaultSpec())
		d := decode[xDelete](t, do(New(b), "DeleteVpcEndpoints", "VpcEndpointId.1", vpce.DefaultEndpointID,
			"VpcEndpointId.2", "vpce-0123456789abcdef0", "VpcEndpointId.3", "bogus", "VpcEndpointId.4", vpce.DefaultGatewayEndpointID,
			"VpcEndpointId.5", vpce.PrivateGatewayEndpointID))
		if len(d.Unsuccessful) != 2 {
			t.Fatalf("unsuccessful %+v, want 2", d.Unsuccessful)
		}
		if u := d.Unsuccessful[0]; u.Resource != "vpce-0123456789abcdef0" || u.Code != "InvalidVpcEndpointId.NotFound" || !strings.Contains(u.Message, "does not exist") {
			t.Errorf("first %+v", u)
		}
		if u := d.Unsuccessful[1]; u.Resource != "bogus" || u.Code != "InvalidVpcEndpointId.Malformed" {
			t.Errorf("second %+v", u)
		}
		if len(b.Topology().Endpoints()) != 0 || len(b.Topology().GatewayEndpoints()) != 0 {
			t.Error("endpoints left")
		}
		def := vpce.DefaultEndpoint()
		if _, _, err := b.Topology().Resolve("bucket." + def.RegionalName()); err == nil {
			t.Error("the deleted endpoint's name still resolves")
		}
	})
	t.Run("the gateway an inbound-only endpoint needs stays", func(t *testing.T) {
		b := newBackend(t, vpce.DefaultSpec())
		h := New(b)
		ep := decode[xCreate](t, do(h, "CreateVpcEndpoint", "VpcEndpointType", "Interface", "VpcId", defVPC, "ServiceName", s3Service, "SubnetId.1", subDefault)).Endpoint.ID
		d := decode[xDelete](t, do(h, "DeleteVpcEndpoints", "VpcEndpointId.1", vpce.DefaultGatewayEndpointID))
		if len(d.Unsuccessful) != 1 || d.Unsuccessful[0].Code != "DependencyViolation" || !strings.Contains(d.Unsuccessful[0].Message, ep) {
			t.Fatalf("unsuccessful %+v", d.Unsuccessful)
		}
		// Both together go.
		d = decode[xDelete](t, do(h, "DeleteVpcEndpoints", "VpcEndpointId.1", vpce.DefaultGatewayEndpointID, "VpcEndpointId.2", ep))
		if len(d.Unsuccessful) != 0 {
			t.Errorf("unsuccessful %+v", d.Unsuccessful)
		}
		// my-vpc's gateway endpoint is not one of them.
		if gws := b.Topology().GatewayEndpoints(); len(gws) != 1 || gws[0].ID != vpce.PrivateGatewayEndpointID {
			t.Errorf("gateway endpoints left %+v, want my-vpc's alone", gws)
		}
	})
	t.Run("no ids", func(t *testing.T) {
		wantError(t, do(New(newBackend(t, vpce.DefaultSpec())), "DeleteVpcEndpoints"), http.StatusBadRequest, "MissingParameter", "VpcEndpointId")
	})
}

func TestDescribeVpcEndpointServices(t *testing.T) {
	type xServices struct {
		Names   []string `xml:"serviceNameSet>item"`
		Details []struct {
			Name        string   `xml:"serviceName"`
			Type        string   `xml:"serviceType>item>serviceType"`
			PrivateDNS  []string `xml:"privateDnsNameSet>item>privateDnsName"`
			Zones       []string `xml:"availabilityZoneSet>item"`
			PolicyAllow bool     `xml:"vpcEndpointPolicySupported"`
		} `xml:"serviceDetailSet>item"`
	}
	h := New(newBackend(t, vpce.DefaultSpec()))
	all := decode[xServices](t, do(h, "DescribeVpcEndpointServices"))
	if !slices.Equal(all.Names, []string{s3Service}) || len(all.Details) != 2 {
		t.Fatalf("services %+v", all)
	}
	types := map[string]bool{}
	for _, d := range all.Details {
		types[d.Type] = true
		if d.Name != s3Service || len(d.Zones) != 6 || !d.PolicyAllow {
			t.Errorf("detail %+v", d)
		}
		if d.Type == "Interface" && !slices.Contains(d.PrivateDNS, "*.s3.us-east-1.amazonaws.com") {
			t.Errorf("interface private DNS names %v", d.PrivateDNS)
		}
	}
	if !types["Interface"] || !types["Gateway"] {
		t.Errorf("types %v", types)
	}
	gw := decode[xServices](t, do(h, "DescribeVpcEndpointServices", "ServiceName.1", s3Service, "Filter.1.Name", "service-type", "Filter.1.Value.1", "Gateway"))
	if len(gw.Details) != 1 || gw.Details[0].Type != "Gateway" {
		t.Errorf("gateway filter %+v", gw.Details)
	}
	wantError(t, do(h, "DescribeVpcEndpointServices", "ServiceName.1", "com.amazonaws.us-east-1.sqs"), http.StatusBadRequest, "InvalidServiceName", "sqs")
	wantError(t, do(h, "DescribeVpcEndpointServices", "Filter.1.Name", "x", "Filter.1.Value.1", "y"), http.StatusBadRequest, "InvalidParameterValue", "The filter 'x' is invalid")
}

func TestDescribePrefixLists(t *testing.T) {
	type xLists struct {
		Lists []struct {
			ID    string   `xml:"prefixListId"`
			Name  string   `xml:"prefixListName"`
			CIDRs []string `xml:"cidrSet>item"`
		} `xml:"prefixListSet>item"`
	}
	h := New(newBackend(t, vpce.DefaultSpec()))
	for _, params := range [][]string{nil, {"PrefixListId.1", "pl-63a5400a"}, {"Filter.1.Name", "prefix-list-name", "Filter.1.Value.1", s3Service}} {
		l := decode[xLists](t, do(h, "DescribePrefixLists", params...))
		if len(l.Lists) != 1 || l.Lists[0].ID != "pl-63a5400a" || l.Lists[0].Name != s3Service ||
			!slices.Equal(l.Lists[0].CIDRs, []string{"3.5.0.0/19", "16.182.0.0/16", "18.34.0.0/19", "18.34.232.0/21", "52.216.0.0/15", "54.231.0.0/16"}) {
			t.Errorf("%v: %+v", params, l.Lists)
		}
	}
	if l := decode[xLists](t, do(h, "DescribePrefixLists", "Filter.1.Name", "prefix-list-name", "Filter.1.Value.1", "com.amazonaws.us-east-1.dynamodb")); len(l.Lists) != 0 {
		t.Errorf("dynamodb filter matched %+v", l.Lists)
	}
	wantError(t, do(h, "DescribePrefixLists", "PrefixListId.1", "pl-00000000"), http.StatusBadRequest, "InvalidPrefixListId.NotFound", "pl-00000000")
	wantError(t, do(h, "DescribePrefixLists", "MaxResults", "2"), http.StatusBadRequest, "InvalidParameterValue", "greater than 4")
}

// TestDryRun: with DryRun=true a valid request answers 412 DryRunOperation
// and changes nothing; an invalid one answers its own error.
func TestDryRun(t *testing.T) {
	tests := []struct {
		action string
		params []string
		code   string
	}{
		{"CreateVpcEndpoint", iface("SubnetId.1", subA, "PrivateDnsEnabled", "false"), "DryRunOperation"},
		{"CreateVpcEndpoint", iface("SubnetId.1", subA), "InvalidParameter"}, // private DNS, my-vpc's DNS hostnames off
		{"CreateVpcEndpoint", []string{"VpcId", myVPC, "ServiceName", s3Service, "RouteTableId.1", myRTB}, "DryRunOperation"},
		{"CreateVpcEndpoint", iface("SubnetId.1", "subnet-0123456789abcdef0", "PrivateDnsEnabled", "false"), "InvalidSubnetID.NotFound"},
		{"ModifyVpcEndpoint", []string{"VpcEndpointId", vpce.DefaultEndpointID, "PolicyDocument", denyPolicy}, "DryRunOperation"},
		{"ModifyVpcEndpoint", []string{"VpcEndpointId", "vpce-0123456789abcdef0"}, "InvalidVpcEndpointId.NotFound"},
		{"DeleteVpcEndpoints", []string{"VpcEndpointId.1", vpce.DefaultEndpointID}, "DryRunOperation"},
		{"DescribeVpcEndpoints", nil, "DryRunOperation"},
		{"DescribeVpcEndpointServices", nil, "DryRunOperation"},
		{"DescribePrefixLists", nil, "DryRunOperation"},
	}
	for _, tt := range tests {
		t.Run(tt.action+"/"+tt.code, func(t *testing.T) {
			b := newBackend(t, vpce.DefaultSpec())
			before := b.Topology()
			w := do(New(b), tt.action, append(tt.params, "DryRun", "true")...)
			status, msg := http.StatusBadRequest, ""
			if tt.code == "DryRunOperation" {
				status, msg = http.StatusPreconditionFailed, "Request would have succeeded, but DryRun flag is set."
			}
			wantError(t, w, status, tt.code, msg)
			if b.Topology() != before || b.updates != 0 {
				t.Error("a dry run changed the topology")
			}
		})
	}
}
