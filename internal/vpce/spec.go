package vpce

import (
	"net/netip"
	"slices"
)

// DefaultAccount is the account that owns the emulated VPCs unless a
// topology names another.
const DefaultAccount = "123456789012"

// VPC is a virtual private cloud: its ID, its primary CIDR (and so the
// address of its Amazon-provided DNS resolver, base + 2) and its DNS
// attributes.
type VPC struct {
	ID   string
	CIDR netip.Prefix
	// IsDefault marks the region's default VPC.
	IsDefault bool
	// EnableDNSSupport and EnableDNSHostnames are the VPC attributes of the
	// same names; private DNS for an endpoint needs both.
	EnableDNSSupport   bool
	EnableDNSHostnames bool
	Tags               []Tag
}

// ResolverIP is the VPC's AmazonProvidedDNS address: the primary CIDR's
// network address plus two (172.16.0.2 for 172.16.0.0/16).
func (v VPC) ResolverIP() netip.Addr {
	return v.CIDR.Masked().Addr().Next().Next()
}

// Name is the VPC's Name tag.
func (v VPC) Name() string { return TagValue(v.Tags, "Name") }

// Spec is the editable form of a Topology: every resource of the emulated
// account, in order. Build checks a Spec and makes the immutable Topology;
// Topology.Spec returns a deep copy to change and build again, which is
// how every change is made.
type Spec struct {
	// Account is the 12-digit account that owns everything ("" means
	// DefaultAccount).
	Account          string
	VPCs             []VPC
	Subnets          []Subnet
	SecurityGroups   []SecurityGroup
	RouteTables      []RouteTable
	InternetGateways []InternetGateway
	Peerings         []Peering
	Instances        []Instance
	// Endpoints are the S3 interface endpoints.
	Endpoints []Endpoint
	// GatewayEndpoints are the S3 gateway endpoints.
	GatewayEndpoints []GatewayEndpoint
	// PolicyMode is what the request gate does with a policy denial
	// ("" means PolicyEnforce).
	PolicyMode PolicyMode
}

// clone copies s deeply: no slice of the copy shares memory with s.
func (s Spec) clone() Spec {
	c := s
	c.VPCs = slices.Clone(s.VPCs)
	for i := range c.VPCs {
		c.VPCs[i].Tags = cloneTags(c.VPCs[i].Tags)
	}
	c.Subnets = slices.Clone(s.Subnets)
	for i := range c.Subnets {
		c.Subnets[i].Tags = cloneTags(c.Subnets[i].Tags)
	}
	c.SecurityGroups = slices.Clone(s.SecurityGroups)
	for i := range c.SecurityGroups {
		g := &c.SecurityGroups[i]
		g.Ingress, g.Egress, g.Tags = cloneRules(g.Ingress), cloneRules(g.Egress), cloneTags(g.Tags)
	}
	c.RouteTables = slices.Clone(s.RouteTables)
	for i := range c.RouteTables {
		r := &c.RouteTables[i]
		r.Subnets, r.Routes, r.Tags = slices.Clone(r.Subnets), slices.Clone(r.Routes), cloneTags(r.Tags)
	}
	c.InternetGateways = slices.Clone(s.InternetGateways)
	for i := range c.InternetGateways {
		c.InternetGateways[i].Tags = cloneTags(c.InternetGateways[i].Tags)
	}
	c.Peerings = slices.Clone(s.Peerings)
	for i := range c.Peerings {
		c.Peerings[i].Tags = cloneTags(c.Peerings[i].Tags)
	}
	c.Instances = slices.Clone(s.Instances)
	for i := range c.Instances {
		in := &c.Instances[i]
		in.SecurityGroups, in.Tags = slices.Clone(in.SecurityGroups), cloneTags(in.Tags)
	}
	c.Endpoints = slices.Clone(s.Endpoints)
	for i := range c.Endpoints {
		e := &c.Endpoints[i]
		e.Zones, e.SecurityGroups, e.Tags = slices.Clone(e.Zones), slices.Clone(e.SecurityGroups), cloneTags(e.Tags)
	}
	c.GatewayEndpoints = slices.Clone(s.GatewayEndpoints)
	for i := range c.GatewayEndpoints {
		g := &c.GatewayEndpoints[i]
		g.RouteTables, g.Tags = slices.Clone(g.RouteTables), cloneTags(g.Tags)
	}
	return c
}

func cloneRules(rs []Rule) []Rule {
	rs = slices.Clone(rs)
	for i := range rs {
		rs[i].CIDRs, rs[i].Groups = slices.Clone(rs[i].CIDRs), slices.Clone(rs[i].Groups)
	}
	return rs
}
