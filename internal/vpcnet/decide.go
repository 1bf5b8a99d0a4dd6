package vpcnet

import (
	"net/netip"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// Flow is a connection an instance opens, or a datagram it sends.
type Flow struct {
	// Proto is vpce.ProtocolTCP, vpce.ProtocolUDP or vpce.ProtocolICMP.
	Proto string
	Dst   netip.Addr
	// Port is the TCP or UDP destination port (-1 for ICMP).
	Port int
}

// Hops a flow can take (Verdict.Via), besides the IDs of the gateway,
// peering connection or gateway endpoint it goes through.
const (
	ViaLocal    = "local"    // inside the instance's VPC
	ViaResolver = "resolver" // the VPC resolver (base+2), which security groups do not filter
)

// Verdict says whether a flow reaches its destination, and how.
type Verdict struct {
	Allowed bool
	// Via is the hop: ViaLocal, ViaResolver, a peering connection
	// "pcx-…", an internet gateway "igw-…" or an S3 gateway endpoint
	// "vpce-…". Set for refused flows too when a route exists.
	Via string
	// Reason explains a refusal in the user's terms (which security group
	// lacks which rule, which route table has no route); "" when allowed.
	Reason string
}

// Decide is what happens to f from inst in t.
func Decide(t *vpce.Topology, inst *vpce.Instance, f Flow) Verdict {
	return Verdict{Reason: "vpcnet: not built yet"}
}
