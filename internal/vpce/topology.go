package vpce

import (
	"fmt"
	"net/netip"
	"strings"
)

// VPC is a virtual private cloud: its ID, its primary CIDR and so the
// address of its Amazon-provided DNS resolver (base + 2).
type VPC struct {
	ID   string
	CIDR netip.Prefix
	// S3GatewayEndpointID is the VPC's S3 gateway endpoint, if it has one.
	S3GatewayEndpointID string
}

// ResolverIP is the VPC's AmazonProvidedDNS address: the primary CIDR's
// network address plus two (172.16.0.2 for 172.16.0.0/16).
func (v VPC) ResolverIP() netip.Addr {
	a := v.CIDR.Masked().Addr().Next().Next()
	return a
}

// Topology is one immutable snapshot of the emulated world: VPCs and their
// interface endpoints. Certificates, DNS and the request gate all read the
// same snapshot; a change builds a new Topology and swaps it in whole.
// A Topology must not be modified after NewTopology returns it.
type Topology struct {
	vpcs      []VPC
	endpoints []Endpoint
	byID      map[string]int
}

// NewTopology validates the endpoints and builds a snapshot. Each endpoint's
// VPCID must name one of vpcs, and IDs must be unique.
func NewTopology(vpcs []VPC, endpoints []Endpoint) (*Topology, error) {
	t := &Topology{byID: make(map[string]int, len(endpoints))}
	known := map[string]bool{}
	for _, v := range vpcs {
		if !strings.HasPrefix(v.ID, "vpc-") || !v.CIDR.IsValid() || !v.CIDR.Addr().Is4() {
			return nil, fmt.Errorf("vpce: vpc %q: want an id vpc-… and an IPv4 CIDR, got %q", v.ID, v.CIDR)
		}
		known[v.ID] = true
		t.vpcs = append(t.vpcs, v)
	}
	for i := range endpoints {
		e := endpoints[i]
		if err := e.Validate(); err != nil {
			return nil, err
		}
		if !known[e.VPCID] {
			return nil, fmt.Errorf("vpce: endpoint %s: vpc %q is not in the topology", e.ID, e.VPCID)
		}
		if e.PrivateDNSOnlyForInboundResolverEndpoint {
			if !e.PrivateDNS {
				return nil, fmt.Errorf("vpce: endpoint %s: PrivateDnsOnlyForInboundResolverEndpoint needs private DNS enabled", e.ID)
			}
			if v, _ := t.VPC(e.VPCID); v.S3GatewayEndpointID == "" {
				// AWS's wording (CreateVpcEndpoint / ModifyVpcEndpoint).
				return nil, fmt.Errorf("vpce: endpoint %s: To set PrivateDnsOnlyForInboundResolverEndpoint to true, the VPC %s must have a gateway endpoint for the service.", e.ID, e.VPCID)
			}
		}
		if _, dup := t.byID[e.ID]; dup {
			return nil, fmt.Errorf("vpce: endpoint %s listed twice", e.ID)
		}
		e.Zones = append([]Zone(nil), e.Zones...)
		t.byID[e.ID] = len(t.endpoints)
		t.endpoints = append(t.endpoints, e)
	}
	return t, nil
}

// Endpoints returns the endpoints in configuration order. The caller must
// not modify them.
func (t *Topology) Endpoints() []Endpoint { return t.endpoints }

// VPCs returns the VPCs in configuration order.
func (t *Topology) VPCs() []VPC { return t.vpcs }

// WithEndpoint returns a copy of the topology in which the endpoint with
// e.ID is replaced by e. The receiver is unchanged.
func (t *Topology) WithEndpoint(e Endpoint) (*Topology, error) {
	i, ok := t.byID[e.ID]
	if !ok {
		return nil, fmt.Errorf("vpce: no endpoint %s", e.ID)
	}
	eps := append([]Endpoint(nil), t.endpoints...)
	eps[i] = e
	return NewTopology(t.vpcs, eps)
}

// VPC returns the VPC with the given ID.
func (t *Topology) VPC(id string) (VPC, bool) {
	for _, v := range t.vpcs {
		if v.ID == id {
			return v, true
		}
	}
	return VPC{}, false
}

// Endpoint returns the endpoint with the given ID.
func (t *Topology) Endpoint(id string) (*Endpoint, bool) {
	i, ok := t.byID[id]
	if !ok {
		return nil, false
	}
	return &t.endpoints[i], true
}

// Resolve classifies a Host header value and finds the endpoint it names:
// for vpce names the endpoint with that ID, suffix, region and zone; for
// private DNS names the first endpoint in that region with PrivateDNS on.
func (t *Topology) Resolve(hostport string) (Host, *Endpoint, error) {
	h, err := ParseHost(hostport)
	if err != nil {
		return h, nil, err
	}
	if h.Surface.Private() {
		for i := range t.endpoints {
			if e := &t.endpoints[i]; e.PrivateDNS && e.Region == h.Region {
				return h, e, nil
			}
		}
		return h, nil, fmt.Errorf("vpce: %s: no endpoint in %s has private DNS enabled", h.Name, h.Region)
	}
	e, ok := t.Endpoint(h.EndpointID)
	if !ok || e.DNSSuffix != h.DNSSuffix || e.Region != h.Region {
		return h, nil, fmt.Errorf("vpce: %s: no such endpoint", h.Name)
	}
	if h.Zone != "" {
		if _, ok := e.Zone(h.Zone); !ok {
			return h, nil, fmt.Errorf("vpce: %s: endpoint %s has no interface in %s", h.Name, e.ID, h.Zone)
		}
	}
	return h, e, nil
}
