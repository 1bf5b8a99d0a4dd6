package dnsserver

import (
	"net"
	"net/netip"
	"sync"

	"github.com/miekg/dns"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// views holds, for one topology snapshot, the zone each VPC resolver
// answers from (built on its first query) and the vpce names they share.
type views struct {
	topo *vpce.Topology
	vpcs map[netip.Addr]*vpce.VPC // by resolver address

	mu    sync.Mutex
	base  *zone // the vpce names of every endpoint, built with the first view
	built map[netip.Addr]*zone
}

func newViews(t *vpce.Topology) *views {
	v := &views{topo: t, vpcs: map[netip.Addr]*vpce.VPC{}, built: map[netip.Addr]*zone{}}
	if t == nil {
		return v
	}
	for i := range t.VPCs() {
		vpc := &t.VPCs()[i]
		v.vpcs[vpc.ResolverIP()] = vpc
	}
	return v
}

// view returns the zone of the VPC whose resolver address is resolver.
func (v *views) view(resolver netip.Addr) (*zone, bool) {
	vpc, ok := v.vpcs[resolver]
	if !ok {
		return nil, false
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if z, ok := v.built[resolver]; ok {
		return z, true
	}
	if v.base == nil {
		v.base = &zone{topo: v.topo, nodes: map[string]*node{}, forwardFor: DefaultForwardFor(v.topo)}
		for _, e := range v.topo.Endpoints() {
			v.base.addEndpoint(&e, true, true, false)
		}
		v.base.addNegative()
	}
	z := buildView(v.topo, vpc, v.base)
	v.built[resolver] = z
	return z, true
}

// buildView is the zone vpc's resolver answers from, over base (the vpce
// names): the private DNS names of vpc's own interface endpoints; public
// S3's names (and their children) with the region's public addresses where
// no such endpoint answers them; the EC2 domain, whose ip-a-b-c-d names
// answer for the addresses of vpc and its peers only when vpc has DNS
// hostnames on.
func buildView(t *vpce.Topology, vpc *vpce.VPC, base *zone) *zone {
	z := &zone{topo: t, nodes: map[string]*node{}, forwardFor: base.forwardFor, parent: base}
	var regions []string
	add := func(r string) {
		if !contains(regions, r) {
			regions = append(regions, r)
		}
	}
	for _, e := range t.Endpoints() {
		if e.VPCID == vpc.ID {
			z.addEndpoint(&e, true, false, true)
			add(e.Region)
		}
	}
	for _, g := range t.GatewayEndpoints() {
		if g.VPCID == vpc.ID {
			add(g.Region)
		}
	}
	if len(regions) == 0 {
		add(vpce.DefaultRegion)
	}
	var public []vpce.PublicService
	for _, r := range vpce.PublicS3Regions(t) {
		public = append(public, vpce.PublicS3For(r), vpce.PublicEC2For(r))
	}
	for _, p := range public {
		for _, n := range p.Names {
			name := dns.Fqdn(n)
			if _, ok := z.nodes[name]; ok {
				continue // an interface endpoint's private DNS answers it
			}
			z.nodes[name] = &node{kind: kindAddr, wildcard: true, apex: true, addrs: p.Addrs, soa: newSOA(name)}
			z.apexes = append(z.apexes, name)
			z.names = append(z.names, name)
		}
	}
	var prefixes []netip.Prefix
	if vpc.EnableDNSHostnames {
		prefixes = append(prefixes, vpc.CIDR.Masked())
		for _, p := range t.Peerings() {
			if peer, ok := p.Connects(vpc.ID); ok {
				if pv, ok := t.VPC(peer); ok {
					prefixes = append(prefixes, pv.CIDR.Masked())
				}
			}
		}
	}
	for _, r := range regions {
		n := z.apex(dns.Fqdn(vpce.EC2Domain(r)), kindEC2)
		n.prefixes = append(n.prefixes, prefixes...)
	}
	return z
}

// views returns the per-VPC views of the current topology.
func (s *Server) views() *views {
	t := s.topology()
	if v := s.viewCache.Load(); v != nil && v.topo == t {
		return v
	}
	v := newViews(t)
	s.viewCache.Store(v)
	return v
}

// zoneFor is the zone a query received on local answers from: the view
// of the VPC whose resolver address local is, else the server's own zone
// (Config.InVPC), as before VPC resolvers.
func (s *Server) zoneFor(local net.Addr) *zone {
	if ip, ok := clientAddr(local); ok {
		if z, ok := s.views().view(ip); ok {
			return z
		}
	}
	return s.zone()
}

// View answers A queries as one VPC resolver of a topology does, without
// a socket: for an in-process client placed in that VPC.
type View struct {
	z *zone
}

// NewView returns the view of the VPC whose resolver (base+2) is resolver
// in t; false when no VPC of t has that resolver address.
func NewView(t *vpce.Topology, resolver netip.Addr) (*View, bool) {
	z, ok := newViews(t).view(resolver)
	if !ok {
		return nil, false
	}
	return &View{z: z}, true
}

// LookupA returns the addresses of name (any case, with or without the
// final dot) and whether the view serves the name at all: a name outside
// every served zone reports false, as does one that does not exist.
func (v *View) LookupA(name string) ([]netip.Addr, bool) {
	res, _, addrs, _ := v.z.lookup(dns.Fqdn(name))
	return addrs, res == resultFound && len(addrs) > 0
}
