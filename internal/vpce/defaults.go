package vpce

import "net/netip"

// The seed report's endpoint: the one every default reproduces.
const (
	DefaultEndpointID = "vpce-0a77994aa2124c299"
	DefaultDNSSuffix  = "9tcntpvn"
	DefaultRegion     = "us-east-1"
	DefaultVPCID      = "vpc-0c1f3e5a7b9d2f468"
	// DefaultZone is the zone whose ENI address the seed shows (172.16.10.143).
	DefaultZone = "us-east-1d"
)

// DefaultVPC is the seed's VPC, 172.16.0.0/16, resolver 172.16.0.2.
func DefaultVPC() VPC {
	return VPC{ID: DefaultVPCID, CIDR: netip.MustParsePrefix("172.16.0.0/16")}
}

// DefaultEndpoint is the seed's S3 interface endpoint: six zones a–f of
// us-east-1, with the seed's ENI address 172.16.10.143 in us-east-1d and
// addresses in other subnets of the same VPC for the other zones.
func DefaultEndpoint() Endpoint {
	return Endpoint{
		ID:        DefaultEndpointID,
		DNSSuffix: DefaultDNSSuffix,
		Region:    DefaultRegion,
		VPCID:     DefaultVPCID,
		Zones: []Zone{
			{Name: "us-east-1a", IP: netip.MustParseAddr("172.16.1.143")},
			{Name: "us-east-1b", IP: netip.MustParseAddr("172.16.2.143")},
			{Name: "us-east-1c", IP: netip.MustParseAddr("172.16.3.143")},
			{Name: "us-east-1d", IP: netip.MustParseAddr("172.16.10.143")},
			{Name: "us-east-1e", IP: netip.MustParseAddr("172.16.5.143")},
			{Name: "us-east-1f", IP: netip.MustParseAddr("172.16.6.143")},
		},
	}
}

// DefaultTopology is the seed's VPC with its one endpoint.
func DefaultTopology() *Topology {
	t, err := NewTopology([]VPC{DefaultVPC()}, []Endpoint{DefaultEndpoint()})
	if err != nil {
		panic("vpce: default topology is invalid: " + err.Error()) // a bug in this file
	}
	return t
}
