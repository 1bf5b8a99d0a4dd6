package vpce

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"time"
)

// Tag is an EC2 resource tag.
type Tag struct {
	Key   string
	Value string
}

// TagValue returns the value of the tag with key k ("" when absent).
func TagValue(tags []Tag, k string) string {
	for _, t := range tags {
		if t.Key == k {
			return t.Value
		}
	}
	return ""
}

// Subnet is a subnet of a VPC in one availability zone.
type Subnet struct {
	// ID is "subnet-" and 17 hex digits.
	ID    string
	VPCID string
	CIDR  netip.Prefix
	// AZ is the availability zone, e.g. "us-east-1d".
	AZ   string
	Tags []Tag
}

// Protocol names of security group rules, as EC2 shows them.
const (
	ProtocolAll  = "-1"
	ProtocolTCP  = "tcp"
	ProtocolUDP  = "udp"
	ProtocolICMP = "icmp"
)

// Rule is one security group rule: traffic of a protocol and port range
// from (ingress) or to (egress) a set of CIDRs and security groups.
type Rule struct {
	// Protocol is ProtocolAll, ProtocolTCP, ProtocolUDP or ProtocolICMP.
	Protocol string
	// FromPort and ToPort bound the port range (ICMP: type and code); both
	// -1 with ProtocolAll.
	FromPort, ToPort int
	CIDRs            []netip.Prefix
	// Groups are security group IDs whose members the rule covers.
	Groups      []string
	Description string
}

// Covers reports whether the rule matches a packet of protocol proto to
// port.
func (r Rule) Covers(proto string, port int) bool {
	switch r.Protocol {
	case ProtocolAll:
		return true
	case proto:
		if r.Protocol == ProtocolICMP && r.FromPort == -1 {
			return true
		}
		return r.FromPort <= port && port <= r.ToPort
	}
	return false
}

// PortRange renders the rule's ports the way the console does: "All",
// "443" or "1024-65535".
func (r Rule) PortRange() string {
	switch {
	case r.Protocol == ProtocolAll || r.FromPort == -1:
		return "All"
	case r.FromPort == r.ToPort:
		return strconv.Itoa(r.FromPort)
	}
	return strconv.Itoa(r.FromPort) + "-" + strconv.Itoa(r.ToPort)
}

// SecurityGroup is a VPC security group: a name, and stateful ingress and
// egress rules.
type SecurityGroup struct {
	// ID is "sg-" and 17 hex digits.
	ID          string
	Name        string
	Description string
	VPCID       string
	Ingress     []Rule
	Egress      []Rule
	Tags        []Tag
}

// AllowAllEgress is the egress rule EC2 gives every new security group.
func AllowAllEgress() Rule {
	return Rule{Protocol: ProtocolAll, FromPort: -1, ToPort: -1, CIDRs: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}}
}

// Route is one route of a route table. Exactly one of Destination and
// PrefixList is set.
type Route struct {
	Destination netip.Prefix
	// PrefixList is the destination prefix list (the S3 gateway endpoint's
	// routes only).
	PrefixList string
	// Target is "local", an internet gateway "igw-…", a peering connection
	// "pcx-…" or, for a prefix-list route, a gateway endpoint "vpce-…".
	Target string
	// Origin is "CreateRouteTable" for the local route, "CreateRoute"
	// otherwise (EC2's values).
	Origin string
}

// RouteTable is a VPC route table. Its local route and the routes of the
// gateway endpoints associated with it are not listed in Routes: they
// follow from the VPC and the endpoints (Topology.Routes lists them all).
type RouteTable struct {
	// ID is "rtb-" and 17 hex digits.
	ID    string
	VPCID string
	// Main marks the VPC's main route table: the table of every subnet with
	// no explicit association.
	Main bool
	// Subnets are the subnets explicitly associated with the table.
	Subnets []string
	// Routes are the routes added to the table (to igw-… and pcx-…).
	Routes []Route
	Tags   []Tag
}

// InternetGateway is an internet gateway, attached to at most one VPC.
type InternetGateway struct {
	// ID is "igw-" and 17 hex digits.
	ID string
	// VPCID is the VPC it is attached to; "" when detached.
	VPCID string
	Tags  []Tag
}

// Peering is an active VPC peering connection.
type Peering struct {
	// ID is "pcx-" and 17 hex digits.
	ID           string
	RequesterVPC string
	AccepterVPC  string
	Tags         []Tag
}

// Connects reports whether the peering joins vpc to another VPC, and which.
func (p Peering) Connects(vpc string) (string, bool) {
	switch vpc {
	case p.RequesterVPC:
		return p.AccepterVPC, true
	case p.AccepterVPC:
		return p.RequesterVPC, true
	}
	return "", false
}

// Instance is an EC2 instance: a private address in a subnet, with
// security groups.
type Instance struct {
	// ID is "i-" and 17 hex digits.
	ID        string
	SubnetID  string
	PrivateIP netip.Addr
	// SecurityGroups are the IDs of the instance's security groups.
	SecurityGroups []string
	// PublicIP is the instance's public IPv4 address, the source S3 sees
	// (aws:SourceIp) for its requests through an internet gateway; invalid
	// (the zero Addr) when it has none.
	PublicIP netip.Addr
	Tags     []Tag
}

// Hostname is the instance's private host name without the domain,
// "ip-172-16-10-77".
func (i Instance) Hostname() string {
	a := i.PrivateIP.As4()
	return fmt.Sprintf("ip-%d-%d-%d-%d", a[0], a[1], a[2], a[3])
}

// Name is the instance's Name tag.
func (i Instance) Name() string { return TagValue(i.Tags, "Name") }

// GatewayEndpoint is an S3 gateway VPC endpoint: a route to the region's S3
// prefix list in each of its route tables, and a policy.
type GatewayEndpoint struct {
	// ID is "vpce-" and 17 hex digits.
	ID     string
	VPCID  string
	Region string
	// RouteTables are the IDs of the route tables it adds its route to.
	RouteTables []string
	// Policy is the endpoint policy (JSON); empty means AWS's default.
	Policy  string
	Tags    []Tag
	Created time.Time
	// State is EC2's endpoint state; "available" once created.
	State string
	// ClientToken is the idempotency token it was created with, if any.
	ClientToken string
}

// S3PrefixListID is the ID of the AWS-managed prefix list of S3's public
// addresses in region (com.amazonaws.<region>.s3): the destination of the
// routes a gateway endpoint adds. us-east-1's is pl-63a5400a, as seen in
// public infrastructure code; other regions get a stable made-up ID of
// the same form.
func S3PrefixListID(region string) string {
	if region == "us-east-1" {
		return "pl-63a5400a"
	}
	// FNV-1a: stable across runs and machines.
	h := uint32(2166136261)
	for i := range len(region) {
		h ^= uint32(region[i])
		h *= 16777619
	}
	const hex = "0123456789abcdef"
	b := []byte("pl-")
	for i := range 8 {
		b = append(b, hex[(h>>(28-4*i))&0xf])
	}
	return string(b)
}

// S3ServiceName is the VPC endpoint service name of S3 in region.
func S3ServiceName(region string) string { return "com.amazonaws." + region + ".s3" }

func cloneTags(t []Tag) []Tag { return slices.Clone(t) }
