package dnsserver

import (
	"net/netip"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/miekg/dns"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// loopbackSpec is the seed's world moved from 172.x.y.z to 127.x.y.z, so
// that each VPC's resolver (127.16.0.2, 127.31.0.2) is an address a test
// can bind on the host's loopback.
func loopbackSpec(privateDNS bool) vpce.Spec {
	s := vpce.DefaultSpec()
	if privateDNS {
		s.VPCs[0].EnableDNSHostnames = true // my-vpc: private DNS needs it
	}
	addr := func(a netip.Addr) netip.Addr {
		if !a.Is4() || a.As4()[0] != 172 {
			return a
		}
		b := a.As4()
		b[0] = 127
		return netip.AddrFrom4(b)
	}
	prefix := func(p netip.Prefix) netip.Prefix { return netip.PrefixFrom(addr(p.Addr()), p.Bits()) }
	for i := range s.VPCs {
		s.VPCs[i].CIDR = prefix(s.VPCs[i].CIDR)
	}
	for i := range s.Subnets {
		s.Subnets[i].CIDR = prefix(s.Subnets[i].CIDR)
	}
	for i := range s.Instances {
		s.Instances[i].PrivateIP = addr(s.Instances[i].PrivateIP)
	}
	for i := range s.Endpoints {
		s.Endpoints[i].PrivateDNS = privateDNS
		for j := range s.Endpoints[i].Zones {
			s.Endpoints[i].Zones[j].IP = addr(s.Endpoints[i].Zones[j].IP)
		}
	}
	for i := range s.SecurityGroups {
		for _, rules := range [][]vpce.Rule{s.SecurityGroups[i].Ingress, s.SecurityGroups[i].Egress} {
			for j := range rules {
				for k := range rules[j].CIDRs {
					rules[j].CIDRs[k] = prefix(rules[j].CIDRs[k])
				}
			}
		}
	}
	for i := range s.RouteTables {
		for j := range s.RouteTables[i].Routes {
			if d := s.RouteTables[i].Routes[j].Destination; d.IsValid() {
				s.RouteTables[i].Routes[j].Destination = prefix(d)
			}
		}
	}
	return s
}

// listenResolver serves s on UDP and TCP sockets bound to ip (any port).
func listenResolver(t *testing.T, s *Server, ip string) string {
	t.Helper()
	pc, ln, err := listenBoth(t.Context(), ip+":0")
	if err != nil {
		t.Skipf("cannot bind %s on loopback: %v", ip, err)
	}
	if err := s.Serve(t.Context(), pc, ln); err != nil {
		t.Fatal(err)
	}
	return pc.LocalAddr().String()
}

func TestVPCResolverViews(t *testing.T) {
	useast := []string{"52.216.53.32", "52.217.194.208"}
	euwest := []string{"52.218.26.139", "52.218.110.115"}
	enis := []string{"127.16.1.143", "127.16.2.143", "127.16.3.143", "127.16.10.143", "127.16.5.143", "127.16.6.143"}
	const (
		defaultVPC = "127.31.0.2" // the default VPC's resolver: DNS hostnames on
		myVPC      = "127.16.0.2" // my-vpc's: DNS hostnames off
		host       = "127.0.0.1"
		ip99       = "ip-127-16-2-99.ec2.internal."
	)
	type view struct {
		resolver string
		private  bool // the interface endpoint has private DNS on
	}
	tests := []struct {
		name  string
		view  view
		query dnsCase
	}{
		{"default VPC answers a peer's ip- name", view{defaultVPC, false},
			dnsCase{qname: ip99, qtype: dns.TypeA, answer: a(ip99, "127.16.2.99")}},
		{"my-vpc without DNS hostnames: NXDOMAIN", view{myVPC, false},
			dnsCase{qname: ip99, qtype: dns.TypeA, rcode: dns.RcodeNameError, ns: soa("ec2.internal.")}},
		{"the host keeps today's answer", view{host, false},
			dnsCase{qname: ip99, qtype: dns.TypeA, answer: a(ip99, "127.16.2.99")}},
		{"s3.amazonaws.com is public", view{myVPC, false},
			dnsCase{qname: "s3.amazonaws.com.", qtype: dns.TypeA, answer: a("s3.amazonaws.com.", useast...)}},
		{"virtual-hosted public name", view{defaultVPC, false},
			dnsCase{qname: "wsgbucket.s3.amazonaws.com.", qtype: dns.TypeA, answer: a("wsgbucket.s3.amazonaws.com.", useast...)}},
		{"eu-west-1's dash name", view{defaultVPC, false},
			dnsCase{qname: "s3-eu-west-1.amazonaws.com.", qtype: dns.TypeA, answer: a("s3-eu-west-1.amazonaws.com.", euwest...)}},
		{"public name, no AAAA", view{myVPC, false},
			dnsCase{qname: "s3.amazonaws.com.", qtype: dns.TypeAAAA, ns: soa("s3.amazonaws.com.")}},
		{"regional name without private DNS is public", view{myVPC, false},
			dnsCase{qname: "s3.us-east-1.amazonaws.com.", qtype: dns.TypeA, answer: a("s3.us-east-1.amazonaws.com.", useast...)}},
		{"private DNS in this VPC answers the regional name", view{myVPC, true},
			dnsCase{qname: "s3.us-east-1.amazonaws.com.", qtype: dns.TypeA, answer: a("s3.us-east-1.amazonaws.com.", enis...)}},
		{"private DNS in this VPC answers its children", view{myVPC, true},
			dnsCase{qname: "b.s3.us-east-1.amazonaws.com.", qtype: dns.TypeA, answer: a("b.s3.us-east-1.amazonaws.com.", enis...)}},
		{"private DNS in another VPC: public", view{defaultVPC, true},
			dnsCase{qname: "s3.us-east-1.amazonaws.com.", qtype: dns.TypeA, answer: a("s3.us-east-1.amazonaws.com.", useast...)}},
		{"private DNS leaves s3.amazonaws.com public", view{myVPC, true},
			dnsCase{qname: "s3.amazonaws.com.", qtype: dns.TypeA, answer: a("s3.amazonaws.com.", useast...)}},
		{"vpce names answer in every VPC", view{defaultVPC, false},
			dnsCase{qname: "vpce-0a77994aa2124c299-9tcntpvn-us-east-1d.s3.us-east-1.vpce.amazonaws.com.", qtype: dns.TypeA,
				answer: a("vpce-0a77994aa2124c299-9tcntpvn-us-east-1d.s3.us-east-1.vpce.amazonaws.com.", "127.16.10.143")}},
		{"unknown vpce name: NXDOMAIN", view{myVPC, false},
			dnsCase{qname: "nope.s3.us-east-1.vpce.amazonaws.com.", qtype: dns.TypeA, rcode: dns.RcodeNameError, ns: soa(vpceApex)}},
		{"the host is not a VPC resolver: public names are not served", view{host, false},
			dnsCase{qname: "s3.amazonaws.com.", qtype: dns.TypeA, rcode: dns.RcodeRefused}},
	}
	servers := map[bool]map[string]string{} // private → resolver → address
	for _, private := range []bool{false, true} {
		topo, err := vpce.Build(loopbackSpec(private))
		if err != nil {
			t.Fatal(err)
		}
		s := startServer(t, Config{Topology: fixed(topo)})
		servers[private] = map[string]string{host: s.Addr()}
		for _, r := range []string{defaultVPC, myVPC} {
			servers[private][r] = listenResolver(t, s, r)
		}
	}
	for _, tt := range tests {
		for _, network := range []string{"udp", "tcp"} {
			t.Run(tt.name+"/"+network, func(t *testing.T) {
				addr := servers[tt.view.private][tt.view.resolver]
				tt.query.check(t, query(t, network, addr, tt.query.qname, tt.query.qtype))
			})
		}
	}
}

func TestViewFollowsTopology(t *testing.T) {
	spec := loopbackSpec(false)
	topo, err := vpce.Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	var current atomic.Pointer[vpce.Topology]
	current.Store(topo)
	s := startServer(t, Config{Topology: current.Load})
	addr := listenResolver(t, s, "127.16.0.2")
	const name = "ip-127-16-2-99.ec2.internal."
	if m := query(t, "udp", addr, name, dns.TypeA); m.Rcode != dns.RcodeNameError {
		t.Fatalf("hostnames off: rcode %s, want NXDOMAIN", dns.RcodeToString[m.Rcode])
	}
	spec.VPCs[0].EnableDNSHostnames = true // my-vpc
	if topo, err = vpce.Build(spec); err != nil {
		t.Fatal(err)
	}
	current.Store(topo)
	(dnsCase{qname: name, qtype: dns.TypeA, answer: a(name, "127.16.2.99")}).check(t, query(t, "udp", addr, name, dns.TypeA))
}

func TestNewView(t *testing.T) {
	topo := vpce.DefaultTopology()
	tests := []struct {
		name     string
		resolver string
		host     string
		want     []string
	}{
		{"public name from the default VPC", "172.31.0.2", "s3.amazonaws.com", []string{"52.216.53.32", "52.217.194.208"}},
		{"peer's ip- name from the default VPC", "172.31.0.2", "ip-172-16-2-99.ec2.internal", []string{"172.16.2.99"}},
		{"ip- name from my-vpc", "172.16.0.2", "ip-172-16-2-99.ec2.internal", nil},
		{"zonal name, any case, final dot", "172.16.0.2", "VPCE-0a77994aa2124c299-9tcntpvn-us-east-1d.s3.us-east-1.vpce.amazonaws.com.", []string{"172.16.10.143"}},
		{"a name outside the zones", "172.16.0.2", "example.com", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, ok := NewView(topo, netip.MustParseAddr(tt.resolver))
			if !ok {
				t.Fatalf("no view for %s", tt.resolver)
			}
			addrs, found := v.LookupA(tt.host)
			var got []string
			for _, a := range addrs {
				got = append(got, a.String())
			}
			if found != (tt.want != nil) || !slices.Equal(got, tt.want) {
				t.Errorf("LookupA(%q) = %v, %v; want %v", tt.host, got, found, tt.want)
			}
		})
	}
	if _, ok := NewView(topo, netip.MustParseAddr("127.0.0.1")); ok {
		t.Error("NewView(127.0.0.1) found a VPC")
	}
}
