package vpce

import (
	"fmt"
	"net/netip"
	"time"
)

// The seed report's world: the IDs every default reproduces.
const (
	DefaultEndpointID = "vpce-0a77994aa2124c299"
	DefaultDNSSuffix  = "9tcntpvn"
	DefaultRegion     = "us-east-1"
	// DefaultVPCID is my-vpc, 172.16.0.0/16, where the interface endpoint is.
	DefaultVPCID = "vpc-0c1f3e5a7b9d2f468"
	// DefaultZone is the zone whose ENI address the seed shows (172.16.10.143).
	DefaultZone = "us-east-1d"
	// DefaultVPCDefaultID is the region's default VPC, 172.31.0.0/16.
	DefaultVPCDefaultID = "vpc-0d3a5c7e9b1f24680"
	// DefaultEndpointGroupID is the interface endpoint's security group,
	// which allows HTTPS from my-vpc and from the default VPC.
	DefaultEndpointGroupID = "sg-0e5f7a9b1c3d24680"
	// DefaultGatewayEndpointID is the default VPC's S3 gateway endpoint.
	DefaultGatewayEndpointID = "vpce-0b2d4f6a8c0e13579"
	// PrivateGatewayEndpointID is my-vpc's S3 gateway endpoint, on the
	// route table of its private subnet 172.16.2.0/24 (the seed's
	// 172.16.2.99 reaches S3 through it, with no internet gateway route).
	PrivateGatewayEndpointID = "vpce-0c3e5a7b9d1f24680"
	// MyVPCInternetGatewayID is my-vpc's internet gateway.
	MyVPCInternetGatewayID = "igw-0e6a8c0b2d4f57913"
)

// DefaultVPC is the seed's VPC, my-vpc, 172.16.0.0/16, resolver 172.16.0.2.
// Its DNS hostnames are off, as the seed shows (its resolver answers
// NXDOMAIN for ip-172-16-2-99.ec2.internal); private DNS for an endpoint
// needs them on.
func DefaultVPC() VPC {
	return VPC{ID: DefaultVPCID, CIDR: netip.MustParsePrefix("172.16.0.0/16"),
		EnableDNSSupport: true, Tags: []Tag{{Key: "Name", Value: "my-vpc"}}}
}

// DefaultEndpoint is the seed's S3 interface endpoint: six zones a–f of
// us-east-1, with the seed's ENI address 172.16.10.143 in us-east-1d and
// addresses in the other subnets of the same VPC for the other zones. It
// names no subnets or security groups, so that it fits a topology of VPCs
// alone (NewTopology); DefaultSpec adds them.
func DefaultEndpoint() Endpoint {
	zone := func(az, sub, ip, eni string) Zone {
		return Zone{Name: az, IP: netip.MustParseAddr(ip), ENIID: eni}
	}
	return Endpoint{
		ID:        DefaultEndpointID,
		DNSSuffix: DefaultDNSSuffix,
		Region:    DefaultRegion,
		VPCID:     DefaultVPCID,
		Zones: []Zone{
			zone("us-east-1a", "subnet-01a2b3c4d5e6f7a81", "172.16.1.143", "eni-0a1b2c3d4e5f60711"),
			zone("us-east-1b", "subnet-01a2b3c4d5e6f7a82", "172.16.2.143", "eni-0a1b2c3d4e5f60722"),
			zone("us-east-1c", "subnet-01a2b3c4d5e6f7a83", "172.16.3.143", "eni-0a1b2c3d4e5f60733"),
			zone("us-east-1d", "subnet-01a2b3c4d5e6f7a84", "172.16.10.143", "eni-0a1b2c3d4e5f60744"),
			zone("us-east-1e", "subnet-01a2b3c4d5e6f7a85", "172.16.5.143", "eni-0a1b2c3d4e5f60755"),
			zone("us-east-1f", "subnet-01a2b3c4d5e6f7a86", "172.16.6.143", "eni-0a1b2c3d4e5f60766"),
		},
		IPAddressType: "ipv4",
		Created:       time.Date(2021, 3, 4, 8, 12, 31, 0, time.UTC),
		State:         "available",
	}
}

// DefaultSpec is the seed's world, everything the field report shows:
//   - the default VPC 172.31.0.0/16 (resolver 172.31.0.2) with an internet
//     gateway, a subnet 172.31.80.0/20 in us-east-1a, the instance
//     172.31.80.132, and an S3 gateway endpoint on its main route table;
//   - my-vpc 172.16.0.0/16 (resolver 172.16.0.2, DNS hostnames off): one
//     subnet per zone a–f, 172.16.10.0/24 in us-east-1d with the instance
//     172.16.10.77 routed to an internet gateway, 172.16.2.0/24 with the
//     instance 172.16.2.99 on a private route table whose only way to S3 is
//     an S3 gateway endpoint, and the S3 interface endpoint
//     vpce-0a77994aa2124c299 (suffix 9tcntpvn, ENI 172.16.10.143 in
//     us-east-1d) with its security group allowing HTTPS from both VPCs;
//   - a peering connection between the two, routed both ways.
func DefaultSpec() Spec {
	p := netip.MustParsePrefix
	a := netip.MustParseAddr
	name := func(n string) []Tag { return []Tag{{Key: "Name", Value: n}} }
	const (
		defVPC     = DefaultVPCDefaultID
		myVPC      = DefaultVPCID
		defSubnet  = "subnet-0f1e2d3c4b5a69780"
		defGroup   = "sg-0a1b2c3d4e5f60789"
		myGroup    = "sg-0c2e4a6b8d0f13579"
		defRTB     = "rtb-0a2c4e6b8d0f13579"
		myRTB      = "rtb-0b3d5f7a9c1e24680"
		privateRTB = "rtb-0c4e6a8b0d2f35792"
		igw        = "igw-0c4e6a8b0d2f35791"
		pcx        = "pcx-0d5f7b9c1e3a46802"
		webGroup   = "sg-0b1c2d3e4f5a60789"
		defaultNet = "0.0.0.0/0"
	)
	https := func(cidrs ...string) Rule {
		r := Rule{Protocol: ProtocolTCP, FromPort: 443, ToPort: 443, Description: "HTTPS to the S3 endpoint"}
		for _, c := range cidrs {
			r.CIDRs = append(r.CIDRs, p(c))
		}
		return r
	}
	ssh := Rule{Protocol: ProtocolTCP, FromPort: 22, ToPort: 22, CIDRs: []netip.Prefix{p(defaultNet)}}
	defVPCRecord := VPC{ID: defVPC, CIDR: p("172.31.0.0/16"), IsDefault: true, EnableDNSSupport: true, EnableDNSHostnames: true}
	s := Spec{
		Account: DefaultAccount,
		VPCs:    []VPC{DefaultVPC(), defVPCRecord},
		Subnets: []Subnet{
			{ID: defSubnet, VPCID: defVPC, CIDR: p("172.31.80.0/20"), AZ: "us-east-1a"},
		},
		SecurityGroups: []SecurityGroup{
			{ID: defGroup, Name: "default", Description: "default VPC security group", VPCID: defVPC,
				Ingress: []Rule{{Protocol: ProtocolAll, FromPort: -1, ToPort: -1, Groups: []string{defGroup}}, ssh},
				Egress:  []Rule{AllowAllEgress()}},
			{ID: myGroup, Name: "default", Description: "default VPC security group", VPCID: myVPC,
				Ingress: []Rule{{Protocol: ProtocolAll, FromPort: -1, ToPort: -1, Groups: []string{myGroup}}},
				Egress:  []Rule{AllowAllEgress()}},
			{ID: webGroup, Name: "web", Description: "instances of my-vpc", VPCID: myVPC,
				Ingress: []Rule{ssh}, Egress: []Rule{AllowAllEgress()}, Tags: name("web")},
			{ID: DefaultEndpointGroupID, Name: "s3-endpoint", Description: "S3 interface endpoint", VPCID: myVPC,
				Ingress: []Rule{https("172.16.0.0/16", "172.31.0.0/16")}, Egress: []Rule{AllowAllEgress()},
				Tags: name("s3-endpoint")},
		},
		RouteTables: []RouteTable{
			{ID: defRTB, VPCID: defVPC, Main: true, Routes: []Route{
				{Destination: p(defaultNet), Target: igw},
				{Destination: p("172.16.0.0/16"), Target: pcx},
			}},
			{ID: myRTB, VPCID: myVPC, Main: true, Routes: []Route{
				{Destination: p(defaultNet), Target: MyVPCInternetGatewayID},
				{Destination: p("172.31.0.0/16"), Target: pcx},
			}, Tags: name("my-vpc-main")},
			{ID: privateRTB, VPCID: myVPC, Subnets: []string{"subnet-01a2b3c4d5e6f7a82"}, Routes: []Route{
				{Destination: p("172.31.0.0/16"), Target: pcx},
			}, Tags: name("my-vpc-private")},
		},
		InternetGateways: []InternetGateway{{ID: igw, VPCID: defVPC}, {ID: MyVPCInternetGatewayID, VPCID: myVPC, Tags: name("my-vpc-igw")}},
		Peerings:         []Peering{{ID: pcx, RequesterVPC: defVPC, AccepterVPC: myVPC, Tags: name("default-to-my-vpc")}},
		GatewayEndpoints: []GatewayEndpoint{
			{ID: DefaultGatewayEndpointID, VPCID: defVPC, Region: DefaultRegion,
				RouteTables: []string{defRTB}, Created: time.Date(2021, 3, 4, 8, 2, 11, 0, time.UTC), State: "available"},
			{ID: PrivateGatewayEndpointID, VPCID: myVPC, Region: DefaultRegion,
				RouteTables: []string{privateRTB}, Created: time.Date(2022, 10, 27, 11, 2, 45, 0, time.UTC), State: "available"},
		},
		Endpoints: []Endpoint{DefaultEndpoint()},
	}
	ep := &s.Endpoints[0]
	ep.SecurityGroups = []string{DefaultEndpointGroupID}
	for i := range ep.Zones {
		z := &ep.Zones[i]
		z.SubnetID = fmt.Sprintf("subnet-01a2b3c4d5e6f7a8%d", i+1)
		cidr := netip.PrefixFrom(z.IP, 24).Masked()
		s.Subnets = append(s.Subnets, Subnet{ID: z.SubnetID, VPCID: myVPC, CIDR: cidr, AZ: z.Name, Tags: name("my-vpc-" + z.Name)})
	}
	s.Instances = []Instance{
		{ID: "i-0a1b2c3d4e5f60718", SubnetID: defSubnet, PrivateIP: a("172.31.80.132"), PublicIP: a("3.91.60.18"), SecurityGroups: []string{defGroup}, Tags: name("default-vpc-host")},
		{ID: "i-0b2c3d4e5f6a70819", SubnetID: "subnet-01a2b3c4d5e6f7a84", PrivateIP: a("172.16.10.77"), PublicIP: a("54.175.12.77"), SecurityGroups: []string{webGroup}, Tags: name("my-vpc-host")},
		{ID: "i-0c3d4e5f6a7b8091a", SubnetID: "subnet-01a2b3c4d5e6f7a82", PrivateIP: a("172.16.2.99"), SecurityGroups: []string{webGroup}, Tags: name("my-vpc-host-2")},
	}
	return s
}

// DefaultTopology is the seed's world (DefaultSpec).
func DefaultTopology() *Topology {
	t, err := Build(DefaultSpec())
	if err != nil {
		panic("vpce: default topology is invalid: " + err.Error()) // a bug in this file
	}
	return t
}
