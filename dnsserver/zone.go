package dnsserver

import (
	"net/netip"
	"strings"

	"github.com/miekg/dns"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// TTL is the time to live, in seconds, of every record served, as on AWS.
const TTL = 60

// Names of the SOA and NS records of the served zones. The .invalid TLD
// (RFC 2606) makes plain that no real name server is behind them.
const (
	soaMname = "ns.s3vpce.invalid."
	soaRname = "hostmaster.s3vpce.invalid."
)

// nodeKind says how a name in a zone answers.
type nodeKind uint8

const (
	// kindAddr: the name has A records (and, if wildcard, so do its children).
	kindAddr nodeKind = iota + 1
	// kindApex: a zone apex with SOA and NS; names below it that match
	// nothing else do not exist.
	kindApex
	// kindEC2: an EC2 domain apex; its children ip-a-b-c-d answer when the
	// address is in one of the prefixes.
	kindEC2
	// kindNegative: the name and every name below it do not exist.
	kindNegative
)

// node is one name of the zone data.
type node struct {
	kind     nodeKind
	wildcard bool
	// apex: the name is the apex of a zone (it has SOA and NS records).
	apex  bool
	addrs []netip.Addr
	// prefixes are the VPC CIDRs whose addresses have EC2 names (kindEC2).
	prefixes []netip.Prefix
	// soa is the SOA of the zone the name is in (at the apex, its own).
	soa *dns.SOA
}

// zone is the lookup structure built from one topology snapshot: a map
// from lower-case FQDN to node. It is immutable once built.
type zone struct {
	topo  *vpce.Topology
	nodes map[string]*node
	// apexes lists the zone apexes in the order they were added, for Records.
	apexes []string
	// names lists the address names in the order they were added, for Records.
	names []string
	// forwardFor is DefaultForwardFor(topo).
	forwardFor []netip.Prefix
	// parent holds names a view shares with the other views of the same
	// topology (the vpce names): consulted where nodes has no entry.
	parent *zone
}

func newSOA(apex string) *dns.SOA {
	return &dns.SOA{
		Hdr:     dns.RR_Header{Name: apex, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: TTL},
		Ns:      soaMname,
		Mbox:    soaRname,
		Serial:  1,
		Refresh: 7200,
		Retry:   900,
		Expire:  1209600,
		Minttl:  TTL,
	}
}

// buildZone derives the zone data from t, as the VPC resolver answers an
// in-VPC client (inVPC) or one through an inbound resolver endpoint. A nil
// t gives an empty zone.
func buildZone(t *vpce.Topology, inVPC bool) *zone {
	z := &zone{topo: t, nodes: map[string]*node{}, forwardFor: DefaultForwardFor(t)}
	if t == nil {
		return z
	}
	vpcRegions := map[string][]string{}
	for _, e := range t.Endpoints() {
		if !contains(vpcRegions[e.VPCID], e.Region) {
			vpcRegions[e.VPCID] = append(vpcRegions[e.VPCID], e.Region)
		}
		z.addEndpoint(&e, inVPC, true, true)
	}
	for _, v := range t.VPCs() {
		for _, r := range vpcRegions[v.ID] {
			n := z.apex(dns.Fqdn(vpce.EC2Domain(r)), kindEC2)
			n.prefixes = append(n.prefixes, v.CIDR.Masked())
		}
	}
	z.addNegative()
	return z
}

// apex returns the apex node of name, adding it with kind if new.
func (z *zone) apex(name string, kind nodeKind) *node {
	if n, ok := z.nodes[name]; ok {
		return n
	}
	n := &node{kind: kind, apex: true, soa: newSOA(name)}
	z.nodes[name] = n
	z.apexes = append(z.apexes, name)
	return n
}

// addEndpoint adds the names of e as the resolver answers an in-VPC
// client (inVPC) or one through an inbound resolver endpoint: its vpce
// names (withVPCE) and its private DNS names (withPrivate).
func (z *zone) addEndpoint(e *vpce.Endpoint, inVPC, withVPCE, withPrivate bool) {
	var vpceApex *node
	for _, dn := range e.DNSNamesFor(inVPC) {
		name := dns.Fqdn(strings.ToLower(dn.Name))
		isVPCE := strings.HasSuffix(name, ".vpce.amazonaws.com.")
		if (isVPCE && !withVPCE) || (!isVPCE && !withPrivate) {
			continue
		}
		if _, ok := z.nodes[name]; ok {
			// Two endpoints with private DNS in one region: the first
			// wins, as in vpce.Topology.Resolve.
			continue
		}
		n := &node{kind: kindAddr, wildcard: dn.Wildcard, addrs: dn.Addrs}
		if isVPCE {
			if vpceApex == nil {
				vpceApex = z.apex(dns.Fqdn("s3."+e.Region+".vpce.amazonaws.com"), kindApex)
			}
			n.soa = vpceApex.soa
		} else {
			// A private DNS name is the apex of its own private hosted zone.
			n.apex, n.soa = true, newSOA(name)
			z.apexes = append(z.apexes, name)
		}
		z.nodes[name] = n
		z.names = append(z.names, name)
	}
}

// addNegative makes s3.vpce.amazonaws.com and its children not exist.
func (z *zone) addNegative() {
	if len(z.topo.Endpoints()) > 0 {
		z.nodes["s3.vpce.amazonaws.com."] = &node{kind: kindNegative, soa: newSOA("vpce.amazonaws.com.")}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// result is the outcome of a lookup.
type result uint8

const (
	// resultOutside: the name is not in any zone served; forward it.
	resultOutside result = iota
	// resultFound: the name exists (addrs may be empty at an apex).
	resultFound
	// resultNXDomain: the name is in a zone served and does not exist.
	resultNXDomain
)

// lookup finds qname (any case, absolute). It returns the result, the node
// that decided it (for its SOA), the addresses of a found name and whether
// qname is the apex of a zone.
func (z *zone) lookup(qname string) (res result, n *node, addrs []netip.Addr, apex bool) {
	name := lower(qname)
	for off, first := 0, true; off < len(name); first = false {
		n = z.nodes[name[off:]]
		if n == nil && z.parent != nil {
			n = z.parent.nodes[name[off:]]
		}
		if n != nil {
			switch n.kind {
			case kindNegative:
				return resultNXDomain, n, nil, false
			case kindAddr:
				if first || n.wildcard {
					return resultFound, n, n.addrs, first && n.apex
				}
			case kindApex:
				if first {
					return resultFound, n, nil, true
				}
				return resultNXDomain, n, nil, false
			case kindEC2:
				if first {
					return resultFound, n, nil, true
				}
				if ip, ok := n.ec2Addr(name[:off-1]); ok {
					return resultFound, n, []netip.Addr{ip}, false
				}
				return resultNXDomain, n, nil, false
			}
		}
		next, ok := nextLabel(name, off)
		if !ok {
			break
		}
		off = next
	}
	return resultOutside, nil, nil, false
}

// ec2Addr reports whether label (one label, the part of the name below the
// EC2 domain) is an IP-based hostname of an address in one of n's VPCs.
func (n *node) ec2Addr(label string) (netip.Addr, bool) {
	ip, ok := vpce.ParseEC2Label(label)
	if !ok {
		return netip.Addr{}, false
	}
	for _, p := range n.prefixes {
		if p.Contains(ip) {
			return ip, true
		}
	}
	return netip.Addr{}, false
}

// nextLabel returns the offset of the label after the one starting at off
// in the presentation-format name, skipping escaped dots ("\.") and escaped
// backslashes. It reports false when there is no further label.
func nextLabel(name string, off int) (int, bool) {
	for i := off; i < len(name); i++ {
		switch name[i] {
		case '\\':
			i++ // skip the escaped character; \DDD digits are harmless
		case '.':
			if i+1 < len(name) {
				return i + 1, true
			}
			return 0, false
		}
	}
	return 0, false
}

// lower returns s with ASCII letters in lower case (DNS names compare
// case-insensitively in ASCII only), without allocating when it already is.
func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; 'A' <= c && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
