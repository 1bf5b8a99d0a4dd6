package emulator

import "github.com/s3vpce/s3vpce/internal/vpce"

// The endpoint model, re-exported so that code outside this module can
// describe the VPCs and endpoints to emulate.
type (
	// Endpoint is an S3 interface VPC endpoint: ID, DNS suffix, region,
	// VPC, zones with their ENI addresses, private DNS and policy.
	Endpoint = vpce.Endpoint
	// Zone is one availability zone of an endpoint and its ENI address.
	Zone = vpce.Zone
	// VPC is a VPC: ID and primary CIDR (its resolver is base + 2).
	VPC = vpce.VPC
	// Topology is an immutable snapshot of VPCs and endpoints.
	Topology = vpce.Topology
)

// The seed report's endpoint, the default.
const (
	DefaultEndpointID = vpce.DefaultEndpointID
	DefaultRegion     = vpce.DefaultRegion
	DefaultZone       = vpce.DefaultZone
)

// NewTopology validates VPCs and endpoints and builds a snapshot.
func NewTopology(vpcs []VPC, endpoints []Endpoint) (*Topology, error) {
	return vpce.NewTopology(vpcs, endpoints)
}

// DefaultEndpoint returns the seed's endpoint (six zones of us-east-1,
// ENI 172.16.10.143 in us-east-1d); change a copy to make others.
func DefaultEndpoint() Endpoint { return vpce.DefaultEndpoint() }

// DefaultVPC returns the seed's VPC (172.16.0.0/16).
func DefaultVPC() VPC { return vpce.DefaultVPC() }
