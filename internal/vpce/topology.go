package vpce

import (
	"fmt"
	"net/netip"
	"strings"
)

// Topology is one immutable snapshot of the emulated world: the account's
// VPCs with their subnets, security groups, route tables, gateways,
// peerings, instances and S3 endpoints. Certificates, DNS, the request gate
// and the network all read the same snapshot; a change builds a new
// Topology (Spec, then Build) and swaps it in whole. A Topology must not be
// modified after Build returns it.
type Topology struct {
	spec Spec

	byID     map[string]int // interface endpoints
	gwByID   map[string]int // gateway endpoints
	vpcByID  map[string]int
	subByID  map[string]int
	sgByID   map[string]int
	rtbByID  map[string]int
	igwByID  map[string]int
	pcxByID  map[string]int
	instByID map[string]int

	resolved *resolveCache // Resolve's successful answers: resolvecache.go
}

// NewTopology builds a snapshot of VPCs and interface endpoints alone, the
// short form: each VPC gets DNS support and DNS hostnames on, as the seed's
// VPC has them. Each endpoint's VPCID must name one of vpcs.
func NewTopology(vpcs []VPC, endpoints []Endpoint) (*Topology, error) {
	spec := Spec{VPCs: append([]VPC(nil), vpcs...), Endpoints: endpoints}
	for i := range spec.VPCs {
		spec.VPCs[i].EnableDNSSupport, spec.VPCs[i].EnableDNSHostnames = true, true
	}
	return Build(spec)
}

// Build checks spec and makes the snapshot. Errors are *FieldError,
// naming the field as a path in the topology file's terms (such as
// "subnets[2].cidr"). Build does not keep spec: changing it afterwards does
// not change the Topology.
func Build(spec Spec) (*Topology, error) {
	spec = spec.clone()
	if spec.Account == "" {
		spec.Account = DefaultAccount
	}
	t := &Topology{spec: spec, resolved: newResolveCache()}
	if err := t.index(); err != nil {
		return nil, err
	}
	if err := t.check(); err != nil {
		return nil, err
	}
	return t, nil
}

// Spec returns a deep copy of the topology's resources, to change and
// Build into a new Topology.
func (t *Topology) Spec() Spec { return t.spec.clone() }

// Account is the account that owns the VPCs.
func (t *Topology) Account() string { return t.spec.Account }

// Endpoints returns the interface endpoints in configuration order. The
// caller must not modify them.
func (t *Topology) Endpoints() []Endpoint { return t.spec.Endpoints }

// GatewayEndpoints returns the gateway endpoints. The caller must not
// modify them.
func (t *Topology) GatewayEndpoints() []GatewayEndpoint { return t.spec.GatewayEndpoints }

// VPCs returns the VPCs in configuration order.
func (t *Topology) VPCs() []VPC { return t.spec.VPCs }

// Subnets returns the subnets.
func (t *Topology) Subnets() []Subnet { return t.spec.Subnets }

// SecurityGroups returns the security groups.
func (t *Topology) SecurityGroups() []SecurityGroup { return t.spec.SecurityGroups }

// RouteTables returns the route tables.
func (t *Topology) RouteTables() []RouteTable { return t.spec.RouteTables }

// InternetGateways returns the internet gateways.
func (t *Topology) InternetGateways() []InternetGateway { return t.spec.InternetGateways }

// Peerings returns the VPC peering connections.
func (t *Topology) Peerings() []Peering { return t.spec.Peerings }

// Instances returns the instances.
func (t *Topology) Instances() []Instance { return t.spec.Instances }

func lookup[T any](m map[string]int, s []T, id string) (*T, bool) {
	i, ok := m[id]
	if !ok {
		return nil, false
	}
	return &s[i], true
}

// VPC returns the VPC with the given ID.
func (t *Topology) VPC(id string) (VPC, bool) {
	v, ok := lookup(t.vpcByID, t.spec.VPCs, id)
	if !ok {
		return VPC{}, false
	}
	return *v, true
}

// Endpoint returns the interface endpoint with the given ID.
func (t *Topology) Endpoint(id string) (*Endpoint, bool) {
	return lookup(t.byID, t.spec.Endpoints, id)
}

// GatewayEndpoint returns the gateway endpoint with the given ID.
func (t *Topology) GatewayEndpoint(id string) (*GatewayEndpoint, bool) {
	return lookup(t.gwByID, t.spec.GatewayEndpoints, id)
}

// Subnet returns the subnet with the given ID.
func (t *Topology) Subnet(id string) (*Subnet, bool) { return lookup(t.subByID, t.spec.Subnets, id) }

// SecurityGroup returns the security group with the given ID.
func (t *Topology) SecurityGroup(id string) (*SecurityGroup, bool) {
	return lookup(t.sgByID, t.spec.SecurityGroups, id)
}

// RouteTable returns the route table with the given ID.
func (t *Topology) RouteTable(id string) (*RouteTable, bool) {
	return lookup(t.rtbByID, t.spec.RouteTables, id)
}

// InternetGateway returns the internet gateway with the given ID.
func (t *Topology) InternetGateway(id string) (*InternetGateway, bool) {
	return lookup(t.igwByID, t.spec.InternetGateways, id)
}

// Peering returns the peering connection with the given ID.
func (t *Topology) Peering(id string) (*Peering, bool) { return lookup(t.pcxByID, t.spec.Peerings, id) }

// Instance returns the instance with the given ID.
func (t *Topology) Instance(id string) (*Instance, bool) {
	return lookup(t.instByID, t.spec.Instances, id)
}

// FindInstance finds an instance by ID, Name tag or private IP address (as
// `s3vpce exec --instance` takes it). A Name shared by several instances
// is an error naming them.
func (t *Topology) FindInstance(ref string) (*Instance, error) {
	if in, ok := t.Instance(ref); ok {
		return in, nil
	}
	ip, ipErr := netip.ParseAddr(ref)
	var found []*Instance
	for i := range t.spec.Instances {
		in := &t.spec.Instances[i]
		if (ipErr == nil && in.PrivateIP == ip) || (in.Name() != "" && in.Name() == ref) {
			found = append(found, in)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		var have []string
		for _, in := range t.spec.Instances {
			have = append(have, fmt.Sprintf("%s (%s, %s)", in.ID, in.Name(), in.PrivateIP))
		}
		return nil, fmt.Errorf("vpce: no instance %q: want an ID, a Name tag or a private IP of one of: %s", ref, orNone(have))
	}
	var ids []string
	for _, in := range found {
		ids = append(ids, in.ID)
	}
	return nil, fmt.Errorf("vpce: %q names %d instances (%s): give an ID", ref, len(found), strings.Join(ids, ", "))
}

// InstanceAt returns the instance whose private IP is ip.
func (t *Topology) InstanceAt(ip netip.Addr) (*Instance, bool) {
	for i := range t.spec.Instances {
		if in := &t.spec.Instances[i]; in.PrivateIP == ip {
			return in, true
		}
	}
	return nil, false
}

// GatewayEndpointIn returns the VPC's S3 gateway endpoint, if it has one.
func (t *Topology) GatewayEndpointIn(vpcID string) (*GatewayEndpoint, bool) {
	for i := range t.spec.GatewayEndpoints {
		if g := &t.spec.GatewayEndpoints[i]; g.VPCID == vpcID {
			return g, true
		}
	}
	return nil, false
}

// RouteTableOf returns the route table a subnet uses: the one it is
// explicitly associated with, else its VPC's main table.
func (t *Topology) RouteTableOf(subnetID string) (*RouteTable, bool) {
	sub, ok := t.Subnet(subnetID)
	if !ok {
		return nil, false
	}
	var main *RouteTable
	for i := range t.spec.RouteTables {
		r := &t.spec.RouteTables[i]
		if r.VPCID != sub.VPCID {
			continue
		}
		for _, s := range r.Subnets {
			if s == subnetID {
				return r, true
			}
		}
		if r.Main {
			main = r
		}
	}
	return main, main != nil
}

// Routes lists every route of a route table as EC2 shows it: the local
// route for the VPC's CIDR first, then the table's own routes, then one
// route to the region's S3 prefix list for each gateway endpoint
// associated with the table.
func (t *Topology) Routes(rtbID string) []Route {
	r, ok := t.RouteTable(rtbID)
	if !ok {
		return nil
	}
	v, _ := t.VPC(r.VPCID)
	out := []Route{{Destination: v.CIDR, Target: "local", Origin: "CreateRouteTable"}}
	for _, rt := range r.Routes {
		rt.Origin = "CreateRoute"
		out = append(out, rt)
	}
	for _, g := range t.spec.GatewayEndpoints {
		for _, id := range g.RouteTables {
			if id == rtbID {
				out = append(out, Route{PrefixList: S3PrefixListID(g.Region), Target: g.ID, Origin: "CreateRoute"})
			}
		}
	}
	return out
}

// Resolve classifies a Host header value and finds the endpoint it names:
// for vpce names the endpoint with that ID, suffix, region and zone; for
// private DNS names the first endpoint in that region with PrivateDNS on.
func (t *Topology) Resolve(hostport string) (Host, *Endpoint, error) {
	if r, ok := t.resolved.Load(hostport); ok {
		return r.h, r.e, nil
	}
	h, e, err := t.resolve(hostport)
	if err == nil {
		t.resolved.Store(hostport, resolved{h, e})
	}
	return h, e, err
}

// resolve is Resolve without the cache.
func (t *Topology) resolve(hostport string) (Host, *Endpoint, error) {
	h, err := ParseHost(hostport)
	if err != nil {
		return h, nil, err
	}
	if h.Surface.Private() {
		for i := range t.spec.Endpoints {
			if e := &t.spec.Endpoints[i]; e.PrivateDNS && e.Region == h.Region {
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

// FieldError is a problem with one field of a Spec, named by its path in
// the topology file's terms ("endpoints[0].zones[1].ip").
type FieldError struct {
	Path string
	Msg  string
}

func (e *FieldError) Error() string { return "vpce: " + e.Path + ": " + e.Msg }

func fieldErr(path, format string, args ...any) error {
	return &FieldError{Path: path, Msg: fmt.Sprintf(format, args...)}
}

// orNone lists ids for an error message.
func orNone(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	return strings.Join(ids, ", ")
}

// contains reports whether the prefix outer holds all of inner.
func contains(outer, inner netip.Prefix) bool {
	return outer.Bits() <= inner.Bits() && outer.Contains(inner.Addr())
}

// WithEndpoint returns a copy of the topology in which the interface
// endpoint with e.ID is replaced by e. The receiver is unchanged.
func (t *Topology) WithEndpoint(e Endpoint) (*Topology, error) {
	i, ok := t.byID[e.ID]
	if !ok {
		return nil, fmt.Errorf("vpce: no endpoint %s", e.ID)
	}
	s := t.Spec()
	s.Endpoints[i] = e
	return Build(s)
}
