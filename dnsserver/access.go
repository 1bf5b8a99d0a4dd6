package dnsserver

import (
	"net"
	"net/netip"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// DefaultForwardFor is the list of clients whose queries for names outside
// the served zones are forwarded when Config.ForwardFor is nil: loopback
// and every VPC CIDR of t, the clients the Amazon VPC resolver itself
// answers.
func DefaultForwardFor(t *vpce.Topology) []netip.Prefix {
	out := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	if t == nil {
		return out
	}
	for _, v := range t.VPCs() {
		out = append(out, v.CIDR.Masked())
	}
	return out
}

// mayForward reports whether a query from client may be forwarded
// upstream: its source address lies in the configured list, or, with none
// configured, in the default list for z's topology.
func (s *Server) mayForward(z *zone, client net.Addr) bool {
	a, ok := clientAddr(client)
	if !ok {
		return false
	}
	allowed := s.forwardFor
	if allowed == nil {
		allowed = z.forwardFor
	}
	for _, p := range allowed {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientAddr is the IP address of a client, IPv4-mapped IPv6 addresses
// (dual-stack sockets) as IPv4, without IPv6 zone.
func clientAddr(a net.Addr) (netip.Addr, bool) {
	var ap netip.AddrPort
	switch a := a.(type) {
	case *net.UDPAddr:
		ap = a.AddrPort()
	case *net.TCPAddr:
		ap = a.AddrPort()
	default:
		return netip.Addr{}, false
	}
	ip := ap.Addr().Unmap().WithZone("")
	return ip, ip.IsValid()
}
