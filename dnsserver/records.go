package dnsserver

import (
	"net/netip"

	"github.com/miekg/dns"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// Records returns the records served for t, in zone-file order: for each
// zone apex its SOA and NS, then for each endpoint name its A records and,
// since every child answers like the parent, the same A records under
// "*.<name>". The EC2 domains are listed by their SOA and NS only: their
// ip-a-b-c-d names are computed per query for any address of the VPCs.
func Records(t *vpce.Topology) []dns.RR {
	z := buildZone(t, false)
	var out []dns.RR
	for _, apex := range z.apexes {
		n := z.nodes[apex]
		out = append(out, n.soa, newNS(apex))
	}
	for _, name := range z.names {
		n := z.nodes[name]
		out = appendA(out, name, n.addrs)
		if n.wildcard {
			out = appendA(out, "*."+name, n.addrs)
		}
	}
	return out
}

func newNS(apex string) *dns.NS {
	return &dns.NS{Hdr: dns.RR_Header{Name: apex, Rrtype: dns.TypeNS, Class: dns.ClassINET, Ttl: TTL}, Ns: soaMname}
}

// appendA appends one A record per address, owned by name.
func appendA(rrs []dns.RR, name string, addrs []netip.Addr) []dns.RR {
	for _, ip := range addrs {
		rrs = append(rrs, &dns.A{
			Hdr: dns.RR_Header{Name: name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: TTL},
			A:   ip.AsSlice(),
		})
	}
	return rrs
}
