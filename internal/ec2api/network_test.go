package ec2api

import (
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// Seed IDs the network tests use (vpce.DefaultSpec).
const (
	seedDefaultSubnet = "subnet-0f1e2d3c4b5a69780"
	seedSubnetD       = "subnet-01a2b3c4d5e6f7a84"
	seedDefaultGroup  = "sg-0a1b2c3d4e5f60789"
	seedMyGroup       = "sg-0c2e4a6b8d0f13579"
	seedWebGroup      = "sg-0b1c2d3e4f5a60789"
	seedDefaultRTB    = "rtb-0a2c4e6b8d0f13579"
	seedMyRTB         = "rtb-0b3d5f7a9c1e24680" // my-vpc's main table, 0.0.0.0/0 to vpce.MyVPCInternetGatewayID
	seedPrivateRTB    = "rtb-0c4e6a8b0d2f35792" // my-vpc's private table, subnet 172.16.2.0/24
	seedSubnetB       = "subnet-01a2b3c4d5e6f7a82"
	seedIGW           = "igw-0c4e6a8b0d2f35791" // the default VPC's
	seedPCX           = "pcx-0d5f7b9c1e3a46802"
	seedHost          = "i-0b2c3d4e5f6a70819" // 172.16.10.77
	spareIGW          = "igw-0f0e0d0c0b0a09080"
)

// netSpec is the seed's world plus a detached internet gateway.
func netSpec() vpce.Spec {
	s := vpce.DefaultSpec()
	s.InternetGateways = append(s.InternetGateways, vpce.InternetGateway{ID: spareIGW, Tags: []vpce.Tag{{Key: "Name", Value: "spare"}}})
	return s
}

// netHandler is a Handler over a fake backend holding netSpec.
func netHandler(t *testing.T) (*Handler, *fakeBackend) {
	t.Helper()
	b := newBackend(t, netSpec())
	return New(b), b
}

// wantOK fails unless w is a 200.
func wantOK(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("status %d, want 200:\n%s", w.Code, w.Body)
	}
}

// decodeInto unmarshals a 200 response into v.
func decodeInto(t *testing.T, w *httptest.ResponseRecorder, v any) {
	t.Helper()
	wantOK(t, w)
	if err := xml.Unmarshal(w.Body.Bytes(), v); err != nil {
		t.Fatalf("decode: %v\n%s", err, w.Body)
	}
}

// idsIn lists the text of every element named tag in a response: a quick
// way to see which resources a Describe returned.
func idsIn(t *testing.T, w *httptest.ResponseRecorder, tag string) []string {
	t.Helper()
	wantOK(t, w)
	d := xml.NewDecoder(strings.NewReader(w.Body.String()))
	var out []string
	for {
		tok, err := d.Token()
		if err != nil {
			return out
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == tag {
			var s string
			if err := d.DecodeElement(&s, &se); err != nil {
				t.Fatalf("decode %s: %v", tag, err)
			}
			out = append(out, s)
		}
	}
}

// TestNetworkGolden pins the XML of every network action's answer (and of
// an error), from a fixed topology and request ID.
func TestNetworkGolden(t *testing.T) {
	tests := []struct {
		name   string
		action string
		params []string
	}{
		{"describe_vpcs", "DescribeVpcs", nil},
		{"describe_subnets", "DescribeSubnets", []string{"SubnetId.1", seedSubnetD, "SubnetId.2", seedDefaultSubnet}},
		{"describe_security_groups", "DescribeSecurityGroups", []string{"GroupId.1", vpce.DefaultEndpointGroupID, "GroupId.2", seedDefaultGroup}},
		{"describe_route_tables", "DescribeRouteTables", nil},
		{"describe_internet_gateways", "DescribeInternetGateways", nil},
		{"describe_instances", "DescribeInstances", []string{"InstanceId.1", seedHost}},
		{"authorize_security_group_ingress", "AuthorizeSecurityGroupIngress", []string{"GroupId", vpce.DefaultEndpointGroupID,
			"IpPermissions.1.IpProtocol", "tcp", "IpPermissions.1.FromPort", "443", "IpPermissions.1.ToPort", "443",
			"IpPermissions.1.IpRanges.1.CidrIp", "10.0.0.0/8", "IpPermissions.1.IpRanges.1.Description", "corp",
			"IpPermissions.1.Groups.1.GroupId", seedWebGroup}},
		{"revoke_security_group_ingress", "RevokeSecurityGroupIngress", []string{"GroupId", vpce.DefaultEndpointGroupID,
			"IpPermissions.1.IpProtocol", "tcp", "IpPermissions.1.FromPort", "443", "IpPermissions.1.ToPort", "443",
			"IpPermissions.1.IpRanges.1.CidrIp", "172.31.0.0/16"}},
		{"revoke_security_group_ingress_unknown", "RevokeSecurityGroupIngress", []string{"GroupName", "default",
			"IpProtocol", "udp", "FromPort", "53", "ToPort", "53", "CidrIp", "10.0.0.0/8"}},
		{"create_route", "CreateRoute", []string{"RouteTableId", seedMyRTB, "DestinationCidrBlock", "10.8.0.0/16", "VpcPeeringConnectionId", seedPCX}},
		{"delete_route", "DeleteRoute", []string{"RouteTableId", seedDefaultRTB, "DestinationCidrBlock", "172.16.0.0/16"}},
		{"attach_internet_gateway", "AttachInternetGateway", []string{"InternetGatewayId", spareIGW, "VpcId", vpce.DefaultVPCID}},
		{"detach_internet_gateway", "DetachInternetGateway", []string{"InternetGatewayId", seedIGW, "VpcId", vpce.DefaultVPCDefaultID}},
		{"error", "DescribeVpcs", []string{"VpcId.1", "vpc-00000000000000000"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := netHandler(t)
			switch tc.action {
			case "DetachInternetGateway":
				wantOK(t, do(h, "DeleteRoute", "RouteTableId", seedDefaultRTB, "DestinationCidrBlock", "0.0.0.0/0"))
			case "AttachInternetGateway": // my-vpc has its own: detach it first
				detachMyVPCGateway(t, h)
			}
			w := do(h, tc.action, tc.params...)
			if tc.name != "error" {
				wantOK(t, w)
			}
			checkGolden(t, "network_"+tc.name, w.Body.Bytes())
		})
	}
}

// detachMyVPCGateway deletes my-vpc's default route and detaches its
// internet gateway, so that another can be attached.
func detachMyVPCGateway(t *testing.T, h *Handler) {
	t.Helper()
	wantOK(t, do(h, "DeleteRoute", "RouteTableId", seedMyRTB, "DestinationCidrBlock", "0.0.0.0/0"))
	wantOK(t, do(h, "DetachInternetGateway", "InternetGatewayId", vpce.MyVPCInternetGatewayID, "VpcId", vpce.DefaultVPCID))
}

func TestDescribeVpcs(t *testing.T) {
	tests := []struct {
		name   string
		params []string
		want   []string
	}{
		{"all", nil, []string{vpce.DefaultVPCID, vpce.DefaultVPCDefaultID}},
		{"by id", []string{"VpcId.1", vpce.DefaultVPCID}, []string{vpce.DefaultVPCID}},
		{"id twice", []string{"VpcId.1", vpce.DefaultVPCID, "VpcId.2", vpce.DefaultVPCID}, []string{vpce.DefaultVPCID}},
		{"is-default", []string{"Filter.1.Name", "is-default", "Filter.1.Value.1", "true"}, []string{vpce.DefaultVPCDefaultID}},
		{"cidr", []string{"Filter.1.Name", "cidr", "Filter.1.Value.1", "172.16.0.0/16"}, []string{vpce.DefaultVPCID}},
		{"tag:Name", []string{"Filter.1.Name", "tag:Name", "Filter.1.Value.1", "my-*"}, []string{vpce.DefaultVPCID}},
		{"tag-key", []string{"Filter.1.Name", "tag-key", "Filter.1.Value.1", "Name"}, []string{vpce.DefaultVPCID}},
		{"vpc-id and is-default", []string{"Filter.1.Name", "vpc-id", "Filter.1.Value.1", vpce.DefaultVPCID,
			"Filter.2.Name", "is-default", "Filter.2.Value.1", "true"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := netHandler(t)
			if got := idsIn(t, do(h, "DescribeVpcs", tc.params...), "vpcId"); !slices.Equal(got, tc.want) {
				t.Errorf("vpcs %v, want %v", got, tc.want)
			}
		})
	}
	errs := []struct {
		name   string
		params []string
		code   string
		msg    string
	}{
		{"unknown id", []string{"VpcId.1", "vpc-00000000000000000"}, "InvalidVpcID.NotFound", "The vpc ID 'vpc-00000000000000000' does not exist"},
		{"two unknown", []string{"VpcId.1", "vpc-1", "VpcId.2", "vpc-2"}, "InvalidVpcID.NotFound", "The vpc IDs 'vpc-1, vpc-2' do not exist"},
		{"unknown filter", []string{"Filter.1.Name", "colour", "Filter.1.Value.1", "red"}, "InvalidParameterValue", "The filter 'colour' is invalid"},
		{"max results too small", []string{"MaxResults", "2"}, "InvalidParameterValue", "maxResults"},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := netHandler(t)
			wantError(t, do(h, "DescribeVpcs", tc.params...), http.StatusBadRequest, tc.code, tc.msg)
		})
	}
	t.Run("dry run", func(t *testing.T) {
		h, _ := netHandler(t)
		wantError(t, do(h, "DescribeVpcs", "DryRun", "true"), http.StatusPreconditionFailed, "DryRunOperation", "")
	})
	t.Run("pages", func(t *testing.T) {
		h, _ := netHandler(t)
		var all []string
		next := ""
		for range 10 {
			var page struct {
				IDs  []string `xml:"subnetSet>item>subnetId"`
				Next string   `xml:"nextToken"`
			}
			params := []string{"MaxResults", "5"}
			if next != "" {
				params = append(params, "NextToken", next)
			}
			decodeInto(t, do(h, "DescribeSubnets", params...), &page)
			all = append(all, page.IDs...)
			if next = page.Next; next == "" {
				break
			}
		}
		if len(all) != 7 || !slices.IsSorted(all) {
			t.Errorf("subnets over pages of 5: %v, want the 7 seed subnets in ID order", all)
		}
	})
}

func TestDescribeSubnets(t *testing.T) {
	h, b := netHandler(t)
	var resp struct {
		Subnets []struct {
			ID        string `xml:"subnetId"`
			VPC       string `xml:"vpcId"`
			AZ        string `xml:"availabilityZone"`
			AZID      string `xml:"availabilityZoneId"`
			Available int    `xml:"availableIpAddressCount"`
			Default   bool   `xml:"defaultForAz"`
			MapPublic bool   `xml:"mapPublicIpOnLaunch"`
			State     string `xml:"state"`
		} `xml:"subnetSet>item"`
	}
	decodeInto(t, do(h, "DescribeSubnets", "SubnetId.1", seedSubnetD, "SubnetId.2", seedDefaultSubnet), &resp)
	if len(resp.Subnets) != 2 {
		t.Fatalf("got %d subnets, want 2", len(resp.Subnets))
	}
	// Sorted by ID: subnet-01a2… (my-vpc, us-east-1d) before subnet-0f1e… (default VPC).
	d, def := resp.Subnets[0], resp.Subnets[1]
	// 172.16.10.0/24: 256 - 5 reserved - the instance 172.16.10.77 - the ENI 172.16.10.143.
	if d.ID != seedSubnetD || d.Available != 249 || d.AZ != "us-east-1d" || d.AZID != "use1-az4" || d.Default || d.MapPublic || d.State != "available" {
		t.Errorf("us-east-1d subnet: %+v", d)
	}
	// 172.31.80.0/20: 4096 - 5 - the instance 172.31.80.132.
	if def.ID != seedDefaultSubnet || def.Available != 4090 || !def.Default || def.VPC != vpce.DefaultVPCDefaultID {
		t.Errorf("default subnet: %+v", def)
	}
	if got := len(b.Topology().Subnets()); got != 7 {
		t.Fatalf("seed has %d subnets, want 7", got)
	}
	filters := []struct {
		name   string
		params []string
		want   []string
	}{
		{"vpc-id", []string{"Filter.1.Name", "vpc-id", "Filter.1.Value.1", vpce.DefaultVPCDefaultID}, []string{seedDefaultSubnet}},
		{"availability-zone", []string{"Filter.1.Name", "availability-zone", "Filter.1.Value.1", "us-east-1d"}, []string{seedSubnetD}},
		{"cidr-block", []string{"Filter.1.Name", "cidr-block", "Filter.1.Value.1", "172.16.10.0/24"}, []string{seedSubnetD}},
		{"subnet-id", []string{"Filter.1.Name", "subnet-id", "Filter.1.Value.1", seedSubnetD}, []string{seedSubnetD}},
		{"tag:Name", []string{"Filter.1.Name", "tag:Name", "Filter.1.Value.1", "my-vpc-us-east-1d"}, []string{seedSubnetD}},
	}
	for _, tc := range filters {
		t.Run(tc.name, func(t *testing.T) {
			if got := idsIn(t, do(h, "DescribeSubnets", tc.params...), "subnetId"); !slices.Equal(got, tc.want) {
				t.Errorf("subnets %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("unknown id", func(t *testing.T) {
		wantError(t, do(h, "DescribeSubnets", "SubnetId.1", "subnet-00000000000000000"), http.StatusBadRequest,
			"InvalidSubnetID.NotFound", "The subnet ID 'subnet-00000000000000000' does not exist")
	})
}

func TestDescribeSecurityGroups(t *testing.T) {
	h, _ := netHandler(t)
	tests := []struct {
		name   string
		params []string
		want   []string
	}{
		{"by id", []string{"GroupId.1", seedWebGroup}, []string{seedWebGroup}},
		{"by name in the default VPC", []string{"GroupName.1", "default"}, []string{seedDefaultGroup}},
		{"id and name", []string{"GroupId.1", seedWebGroup, "GroupName.1", "default"}, []string{seedDefaultGroup, seedWebGroup}},
		{"group-name filter", []string{"Filter.1.Name", "group-name", "Filter.1.Value.1", "default"}, []string{seedDefaultGroup, seedMyGroup}},
		{"vpc-id filter", []string{"Filter.1.Name", "vpc-id", "Filter.1.Value.1", vpce.DefaultVPCDefaultID}, []string{seedDefaultGroup}},
		{"tag:Name", []string{"Filter.1.Name", "tag:Name", "Filter.1.Value.1", "s3-endpoint"}, []string{vpce.DefaultEndpointGroupID}},
		{"group-id filter", []string{"Filter.1.Name", "group-id", "Filter.1.Value.1", seedMyGroup}, []string{seedMyGroup}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var resp struct {
				IDs []string `xml:"securityGroupInfo>item>groupId"`
			}
			decodeInto(t, do(h, "DescribeSecurityGroups", tc.params...), &resp)
			if !slices.Equal(resp.IDs, tc.want) {
				t.Errorf("groups %v, want %v", resp.IDs, tc.want)
			}
		})
	}
	t.Run("permissions shape", func(t *testing.T) {
		var resp struct {
			Groups []struct {
				Perms []struct {
					Proto  string   `xml:"ipProtocol"`
					From   *int     `xml:"fromPort"`
					To     *int     `xml:"toPort"`
					CIDRs  []string `xml:"ipRanges>item>cidrIp"`
					Groups []string `xml:"groups>item>groupId"`
					Users  []string `xml:"groups>item>userId"`
				} `xml:"ipPermissions>item"`
				Egress []struct {
					Proto string   `xml:"ipProtocol"`
					From  *int     `xml:"fromPort"`
					CIDRs []string `xml:"ipRanges>item>cidrIp"`
				} `xml:"ipPermissionsEgress>item"`
			} `xml:"securityGroupInfo>item"`
		}
		decodeInto(t, do(h, "DescribeSecurityGroups", "GroupId.1", seedDefaultGroup), &resp)
		if len(resp.Groups) != 1 || len(resp.Groups[0].Perms) != 2 {
			t.Fatalf("got %+v, want the default group with 2 permissions", resp)
		}
		all, ssh := resp.Groups[0].Perms[0], resp.Groups[0].Perms[1]
		if all.Proto != "-1" || all.From != nil || all.To != nil || !slices.Equal(all.Groups, []string{seedDefaultGroup}) ||
			!slices.Equal(all.Users, []string{vpce.DefaultAccount}) {
			t.Errorf("all-traffic permission %+v: want -1, no ports, the group itself", all)
		}
		if ssh.Proto != "tcp" || ssh.From == nil || *ssh.From != 22 || *ssh.To != 22 || !slices.Equal(ssh.CIDRs, []string{"0.0.0.0/0"}) {
			t.Errorf("ssh permission %+v", ssh)
		}
		eg := resp.Groups[0].Egress
		if len(eg) != 1 || eg[0].Proto != "-1" || eg[0].From != nil || !slices.Equal(eg[0].CIDRs, []string{"0.0.0.0/0"}) {
			t.Errorf("egress %+v: want all traffic to 0.0.0.0/0", eg)
		}
	})
	errs := []struct {
		name   string
		params []string
		code   string
		msg    string
	}{
		{"malformed id", []string{"GroupId.1", "default"}, "InvalidGroupId.Malformed", `Invalid id: "default" (expecting "sg-...")`},
		{"unknown id", []string{"GroupId.1", "sg-00000000000000000"}, "InvalidGroup.NotFound", "The security group 'sg-00000000000000000' does not exist"},
		{"unknown name", []string{"GroupName.1", "web"}, "InvalidGroup.NotFound", "The security group 'web' does not exist in default VPC '" + vpce.DefaultVPCDefaultID + "'"},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, do(h, "DescribeSecurityGroups", tc.params...), http.StatusBadRequest, tc.code, tc.msg)
		})
	}
}

// routeXML is one route of a DescribeRouteTables answer.
type routeXML struct {
	CIDR       string `xml:"destinationCidrBlock"`
	PrefixList string `xml:"destinationPrefixListId"`
	Gateway    string `xml:"gatewayId"`
	Peering    string `xml:"vpcPeeringConnectionId"`
	State      string `xml:"state"`
	Origin     string `xml:"origin"`
}

type routeTablesXML struct {
	Tables []struct {
		ID     string     `xml:"routeTableId"`
		VPC    string     `xml:"vpcId"`
		Routes []routeXML `xml:"routeSet>item"`
		Assocs []struct {
			Main   bool   `xml:"main"`
			ID     string `xml:"routeTableAssociationId"`
			Subnet string `xml:"subnetId"`
			State  string `xml:"associationState>state"`
		} `xml:"associationSet>item"`
	} `xml:"routeTableSet>item"`
}

// routesOf describes one route table and returns its routes.
func routesOf(t *testing.T, h *Handler, rtb string) []routeXML {
	t.Helper()
	var resp routeTablesXML
	decodeInto(t, do(h, "DescribeRouteTables", "RouteTableId.1", rtb), &resp)
	if len(resp.Tables) != 1 {
		t.Fatalf("DescribeRouteTables %s: %d tables", rtb, len(resp.Tables))
	}
	return resp.Tables[0].Routes
}

func TestDescribeRouteTables(t *testing.T) {
	h, _ := netHandler(t)
	t.Run("default VPC's main table", func(t *testing.T) {
		var resp routeTablesXML
		decodeInto(t, do(h, "DescribeRouteTables", "RouteTableId.1", seedDefaultRTB), &resp)
		if len(resp.Tables) != 1 {
			t.Fatalf("got %d tables", len(resp.Tables))
		}
		rt := resp.Tables[0]
		want := []routeXML{
			{CIDR: "172.31.0.0/16", Gateway: "local", State: "active", Origin: "CreateRouteTable"},
			{CIDR: "0.0.0.0/0", Gateway: seedIGW, State: "active", Origin: "CreateRoute"},
			{CIDR: "172.16.0.0/16", Peering: seedPCX, State: "active", Origin: "CreateRoute"},
			{PrefixList: "pl-63a5400a", Gateway: vpce.DefaultGatewayEndpointID, State: "active", Origin: "CreateRoute"},
		}
		if !slices.Equal(rt.Routes, want) {
			t.Errorf("routes\n%+v\nwant\n%+v", rt.Routes, want)
		}
		if len(rt.Assocs) != 1 || !rt.Assocs[0].Main || rt.Assocs[0].Subnet != "" || rt.Assocs[0].State != "associated" ||
			!vpce.ValidResourceID("rtbassoc", rt.Assocs[0].ID) {
			t.Errorf("associations %+v: want the main association", rt.Assocs)
		}
		var again routeTablesXML
		decodeInto(t, do(h, "DescribeRouteTables", "RouteTableId.1", seedDefaultRTB), &again)
		if again.Tables[0].Assocs[0].ID != rt.Assocs[0].ID {
			t.Errorf("association ID changed between calls: %s, %s", rt.Assocs[0].ID, again.Tables[0].Assocs[0].ID)
		}
	})
	t.Run("my-vpc's tables", func(t *testing.T) {
		var resp routeTablesXML
		decodeInto(t, do(h, "DescribeRouteTables", "RouteTableId.1", seedMyRTB, "RouteTableId.2", seedPrivateRTB), &resp)
		if len(resp.Tables) != 2 {
			t.Fatalf("got %d tables", len(resp.Tables))
		}
		main, private := resp.Tables[0], resp.Tables[1]
		wantMain := []routeXML{
			{CIDR: "172.16.0.0/16", Gateway: "local", State: "active", Origin: "CreateRouteTable"},
			{CIDR: "0.0.0.0/0", Gateway: vpce.MyVPCInternetGatewayID, State: "active", Origin: "CreateRoute"},
			{CIDR: "172.31.0.0/16", Peering: seedPCX, State: "active", Origin: "CreateRoute"},
		}
		if main.ID != seedMyRTB || !slices.Equal(main.Routes, wantMain) || len(main.Assocs) != 1 || !main.Assocs[0].Main {
			t.Errorf("main table %+v, want routes\n%+v", main, wantMain)
		}
		// The private table: no internet gateway; S3 through my-vpc's gateway endpoint.
		wantPrivate := []routeXML{
			{CIDR: "172.16.0.0/16", Gateway: "local", State: "active", Origin: "CreateRouteTable"},
			{CIDR: "172.31.0.0/16", Peering: seedPCX, State: "active", Origin: "CreateRoute"},
			{PrefixList: "pl-63a5400a", Gateway: vpce.PrivateGatewayEndpointID, State: "active", Origin: "CreateRoute"},
		}
		if private.ID != seedPrivateRTB || private.VPC != vpce.DefaultVPCID || !slices.Equal(private.Routes, wantPrivate) {
			t.Errorf("private table %+v, want routes\n%+v", private, wantPrivate)
		}
		if len(private.Assocs) != 1 || private.Assocs[0].Main || private.Assocs[0].Subnet != seedSubnetB || private.Assocs[0].State != "associated" ||
			!vpce.ValidResourceID("rtbassoc", private.Assocs[0].ID) {
			t.Errorf("private table associations %+v: want 172.16.2.0/24's", private.Assocs)
		}
	})
	filters := []struct {
		name   string
		params []string
		want   []string
	}{
		{"vpc-id", []string{"Filter.1.Name", "vpc-id", "Filter.1.Value.1", vpce.DefaultVPCID}, []string{seedMyRTB, seedPrivateRTB}},
		{"association.main", []string{"Filter.1.Name", "association.main", "Filter.1.Value.1", "true"}, []string{seedDefaultRTB, seedMyRTB}},
		{"association.main false", []string{"Filter.1.Name", "association.main", "Filter.1.Value.1", "false"}, []string{seedPrivateRTB}},
		{"association.subnet-id", []string{"Filter.1.Name", "association.subnet-id", "Filter.1.Value.1", seedSubnetB}, []string{seedPrivateRTB}},
		{"route-table-id", []string{"Filter.1.Name", "route-table-id", "Filter.1.Value.1", seedMyRTB}, []string{seedMyRTB}},
		{"tag:Name", []string{"Filter.1.Name", "tag:Name", "Filter.1.Value.1", "my-vpc-main"}, []string{seedMyRTB}},
		{"route.gateway-id", []string{"Filter.1.Name", "route.gateway-id", "Filter.1.Value.1", "vpce-*"}, []string{seedDefaultRTB, seedPrivateRTB}},
		{"route.gateway-id igw", []string{"Filter.1.Name", "route.gateway-id", "Filter.1.Value.1", vpce.MyVPCInternetGatewayID}, []string{seedMyRTB}},
	}
	for _, tc := range filters {
		t.Run(tc.name, func(t *testing.T) {
			var resp struct {
				IDs []string `xml:"routeTableSet>item>routeTableId"`
			}
			decodeInto(t, do(h, "DescribeRouteTables", tc.params...), &resp)
			if !slices.Equal(resp.IDs, tc.want) {
				t.Errorf("tables %v, want %v", resp.IDs, tc.want)
			}
		})
	}
	t.Run("subnet association", func(t *testing.T) {
		h, b := netHandler(t)
		_, err := b.UpdateTopology(func(s *vpce.Spec) error {
			s.RouteTables = append(s.RouteTables, vpce.RouteTable{ID: "rtb-0123456789abcdef0", VPCID: vpce.DefaultVPCID, Subnets: []string{seedSubnetD}})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var resp routeTablesXML
		decodeInto(t, do(h, "DescribeRouteTables", "Filter.1.Name", "association.subnet-id", "Filter.1.Value.1", seedSubnetD), &resp)
		if len(resp.Tables) != 1 || resp.Tables[0].ID != "rtb-0123456789abcdef0" || len(resp.Tables[0].Assocs) != 1 ||
			resp.Tables[0].Assocs[0].Main || resp.Tables[0].Assocs[0].Subnet != seedSubnetD {
			t.Errorf("got %+v, want the new table with its subnet association", resp.Tables)
		}
	})
	errs := []struct {
		name   string
		params []string
		code   string
		msg    string
	}{
		{"malformed", []string{"RouteTableId.1", "main"}, "InvalidRouteTableId.Malformed", `Invalid id: "main" (expecting "rtb-...")`},
		{"unknown", []string{"RouteTableId.1", "rtb-00000000000000000"}, "InvalidRouteTableID.NotFound", "The routeTable ID 'rtb-00000000000000000' does not exist"},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, do(h, "DescribeRouteTables", tc.params...), http.StatusBadRequest, tc.code, tc.msg)
		})
	}
}

func TestDescribeInstances(t *testing.T) {
	h, _ := netHandler(t)
	t.Run("shape", func(t *testing.T) {
		var resp struct {
			Reservations []struct {
				ID        string `xml:"reservationId"`
				Owner     string `xml:"ownerId"`
				Instances []struct {
					ID       string   `xml:"instanceId"`
					Code     int      `xml:"instanceState>code"`
					State    string   `xml:"instanceState>name"`
					IP       string   `xml:"privateIpAddress"`
					DNS      string   `xml:"privateDnsName"`
					PublicIP string   `xml:"ipAddress"`
					Public   *string  `xml:"dnsName"`
					Subnet   string   `xml:"subnetId"`
					VPC      string   `xml:"vpcId"`
					AZ       string   `xml:"placement>availabilityZone"`
					Type     string   `xml:"instanceType"`
					Image    string   `xml:"imageId"`
					Groups   []string `xml:"groupSet>item>groupId"`
					Names    []string `xml:"groupSet>item>groupName"`
					TagKeys  []string `xml:"tagSet>item>key"`
				} `xml:"instancesSet>item"`
			} `xml:"reservationSet>item"`
		}
		decodeInto(t, do(h, "DescribeInstances", "InstanceId.1", seedHost), &resp)
		if len(resp.Reservations) != 1 || len(resp.Reservations[0].Instances) != 1 {
			t.Fatalf("got %+v, want one reservation of one instance", resp)
		}
		r := resp.Reservations[0]
		in := r.Instances[0]
		if !vpce.ValidResourceID("r", r.ID) || r.Owner != vpce.DefaultAccount {
			t.Errorf("reservation %s owner %s", r.ID, r.Owner)
		}
		if in.ID != seedHost || in.Code != 16 || in.State != "running" || in.IP != "172.16.10.77" ||
			in.DNS != "ip-172-16-10-77.ec2.internal" || in.Subnet != seedSubnetD || in.VPC != vpce.DefaultVPCID ||
			in.AZ != "us-east-1d" || in.Type != "t3.micro" || !strings.HasPrefix(in.Image, "ami-") ||
			!slices.Equal(in.Groups, []string{seedWebGroup}) || !slices.Equal(in.Names, []string{"web"}) ||
			!slices.Equal(in.TagKeys, []string{"Name"}) {
			t.Errorf("instance %+v", in)
		}
		// A public IP, but no public DNS name: my-vpc's DNS hostnames are off.
		if in.PublicIP != "54.175.12.77" || in.Public == nil || *in.Public != "" {
			t.Errorf("public IP %q, public DNS name %v: want 54.175.12.77 and an empty name", in.PublicIP, in.Public)
		}
	})
	t.Run("public DNS name in the default VPC", func(t *testing.T) {
		var resp struct {
			IP  string `xml:"reservationSet>item>instancesSet>item>ipAddress"`
			DNS string `xml:"reservationSet>item>instancesSet>item>dnsName"`
		}
		decodeInto(t, do(h, "DescribeInstances", "InstanceId.1", "i-0a1b2c3d4e5f60718"), &resp)
		if resp.IP != "3.91.60.18" || resp.DNS != "ec2-3-91-60-18.compute-1.amazonaws.com" {
			t.Errorf("ipAddress %q dnsName %q", resp.IP, resp.DNS)
		}
	})
	t.Run("no public IP", func(t *testing.T) {
		w := do(h, "DescribeInstances", "InstanceId.1", "i-0c3d4e5f6a7b8091a")
		if got := idsIn(t, w, "ipAddress"); len(got) != 0 {
			t.Errorf("ipAddress %v for an instance without a public IP", got)
		}
	})
	filters := []struct {
		name   string
		params []string
		want   []string
	}{
		{"private-ip-address", []string{"Filter.1.Name", "private-ip-address", "Filter.1.Value.1", "172.31.80.132"}, []string{"i-0a1b2c3d4e5f60718"}},
		{"ip-address", []string{"Filter.1.Name", "ip-address", "Filter.1.Value.1", "54.175.12.77"}, []string{seedHost}},
		{"ip-address any", []string{"Filter.1.Name", "ip-address", "Filter.1.Value.1", "*"}, []string{"i-0a1b2c3d4e5f60718", seedHost}},
		{"dns-name", []string{"Filter.1.Name", "dns-name", "Filter.1.Value.1", "ec2-*"}, []string{"i-0a1b2c3d4e5f60718"}},
		{"tag:Name", []string{"Filter.1.Name", "tag:Name", "Filter.1.Value.1", "my-vpc-host*"}, []string{seedHost, "i-0c3d4e5f6a7b8091a"}},
		{"vpc-id", []string{"Filter.1.Name", "vpc-id", "Filter.1.Value.1", vpce.DefaultVPCDefaultID}, []string{"i-0a1b2c3d4e5f60718"}},
		{"subnet-id", []string{"Filter.1.Name", "subnet-id", "Filter.1.Value.1", seedSubnetD}, []string{seedHost}},
		{"instance-state-name", []string{"Filter.1.Name", "instance-state-name", "Filter.1.Value.1", "stopped"}, nil},
		{"instance-id", []string{"Filter.1.Name", "instance-id", "Filter.1.Value.1", seedHost}, []string{seedHost}},
	}
	for _, tc := range filters {
		t.Run(tc.name, func(t *testing.T) {
			if got := idsIn(t, do(h, "DescribeInstances", tc.params...), "instanceId"); !slices.Equal(got, tc.want) {
				t.Errorf("instances %v, want %v", got, tc.want)
			}
		})
	}
	errs := []struct {
		name   string
		params []string
		code   string
		msg    string
	}{
		{"malformed", []string{"InstanceId.1", "host"}, "InvalidInstanceID.Malformed", `Invalid id: "host"`},
		{"unknown", []string{"InstanceId.1", "i-00000000000000000"}, "InvalidInstanceID.NotFound", "The instance ID 'i-00000000000000000' does not exist"},
		{"ids and MaxResults", []string{"InstanceId.1", seedHost, "MaxResults", "5"}, "InvalidParameterCombination", "maxResults"},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, do(h, "DescribeInstances", tc.params...), http.StatusBadRequest, tc.code, tc.msg)
		})
	}
}

func TestDescribeInternetGateways(t *testing.T) {
	h, _ := netHandler(t)
	var resp struct {
		Gateways []struct {
			ID     string `xml:"internetGatewayId"`
			Owner  string `xml:"ownerId"`
			Attach []struct {
				VPC   string `xml:"vpcId"`
				State string `xml:"state"`
			} `xml:"attachmentSet>item"`
		} `xml:"internetGatewaySet>item"`
	}
	decodeInto(t, do(h, "DescribeInternetGateways"), &resp)
	if len(resp.Gateways) != 3 {
		t.Fatalf("got %+v, want 3 gateways", resp)
	}
	// In ID order: igw-0c4e… (default VPC), igw-0e6a… (my-vpc), igw-0f0e… (spare).
	attached, mine, spare := resp.Gateways[0], resp.Gateways[1], resp.Gateways[2]
	if attached.ID != seedIGW || len(attached.Attach) != 1 || attached.Attach[0].VPC != vpce.DefaultVPCDefaultID || attached.Attach[0].State != "available" {
		t.Errorf("seed gateway %+v", attached)
	}
	if mine.ID != vpce.MyVPCInternetGatewayID || len(mine.Attach) != 1 || mine.Attach[0].VPC != vpce.DefaultVPCID || mine.Attach[0].State != "available" {
		t.Errorf("my-vpc's gateway %+v", mine)
	}
	if spare.ID != spareIGW || len(spare.Attach) != 0 || spare.Owner != vpce.DefaultAccount {
		t.Errorf("spare gateway %+v", spare)
	}
	if got := idsIn(t, do(h, "DescribeInternetGateways", "Filter.1.Name", "attachment.vpc-id", "Filter.1.Value.1", vpce.DefaultVPCDefaultID), "internetGatewayId"); !slices.Equal(got, []string{seedIGW}) {
		t.Errorf("attachment.vpc-id filter: %v", got)
	}
	if got := idsIn(t, do(h, "DescribeInternetGateways", "Filter.1.Name", "attachment.vpc-id", "Filter.1.Value.1", vpce.DefaultVPCID), "internetGatewayId"); !slices.Equal(got, []string{vpce.MyVPCInternetGatewayID}) {
		t.Errorf("attachment.vpc-id filter, my-vpc: %v", got)
	}
	wantError(t, do(h, "DescribeInternetGateways", "InternetGatewayId.1", "igw-00000000000000000"), http.StatusBadRequest,
		"InvalidInternetGatewayID.NotFound", "The internetGateway ID 'igw-00000000000000000' does not exist")
}

func TestAZID(t *testing.T) {
	tests := map[string]string{
		"us-east-1a":      "use1-az1",
		"us-east-1d":      "use1-az4",
		"eu-west-2b":      "euw2-az2",
		"ap-southeast-1a": "apse1-az1",
		"ca-central-1a":   "cac1-az1",
		"x":               "x",
	}
	for az, want := range tests {
		if got := azID(az); got != want {
			t.Errorf("azID(%q) = %q, want %q", az, got, want)
		}
	}
}

// ruleIn reports whether group's ingress in t holds a rule of proto and
// ports with the source (a CIDR or a group ID).
func ruleIn(t *vpce.Topology, group, proto string, from, to int, source string) bool {
	g, ok := t.SecurityGroup(group)
	if !ok {
		return false
	}
	for _, r := range g.Ingress {
		if r.Protocol != proto || r.FromPort != from || r.ToPort != to {
			continue
		}
		if slices.Contains(r.Groups, source) {
			return true
		}
		if p, err := netip.ParsePrefix(source); err == nil && slices.Contains(r.CIDRs, p) {
			return true
		}
	}
	return false
}
