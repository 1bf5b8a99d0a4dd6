package dnsserver

import (
	"testing"

	"github.com/miekg/dns"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

// PrivateDnsOnlyForInboundResolverEndpoint: clients through an inbound
// resolver endpoint get the interface endpoint's addresses for the private
// DNS names; clients inside the VPC do not (they use the gateway endpoint),
// so the names are forwarded, here to no upstream: REFUSED.
func TestPrivateDNSOnlyForInboundResolverEndpoint(t *testing.T) {
	e := vpce.DefaultEndpoint()
	e.PrivateDNS = true
	e.PrivateDNSOnlyForInboundResolverEndpoint = true
	withGateway := func(e vpce.Endpoint) (*vpce.Topology, error) {
		vpc := vpce.DefaultVPC()
		vpc.EnableDNSHostnames = true // private DNS needs it
		return vpce.Build(vpce.Spec{VPCs: []vpce.VPC{vpc}, Endpoints: []vpce.Endpoint{e},
			GatewayEndpoints: []vpce.GatewayEndpoint{{ID: "vpce-0123456789abcdef0", VPCID: vpce.DefaultVPCID, Region: "us-east-1"}}})
	}
	topo, err := withGateway(e)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		inVPC bool
		rcode int
		n     int
	}{{inVPC: false, rcode: dns.RcodeSuccess, n: 6}, {inVPC: true, rcode: dns.RcodeRefused, n: 0}} {
		s := startServer(t, Config{Topology: fixed(topo), InVPC: tc.inVPC})
		for _, name := range []string{"s3.us-east-1.amazonaws.com.", "mybucket.s3.us-east-1.amazonaws.com."} {
			m := query(t, "udp", s.Addr(), name, dns.TypeA)
			if m.Rcode != tc.rcode || len(m.Answer) != tc.n {
				t.Errorf("inVPC=%v %s: rcode %s, %d answers; want %s, %d", tc.inVPC, name, dns.RcodeToString[m.Rcode], len(m.Answer), dns.RcodeToString[tc.rcode], tc.n)
			}
		}
		// The vpce names themselves are answered either way.
		if m := query(t, "udp", s.Addr(), "bucket."+e.ZonalName("us-east-1d")+".", dns.TypeA); m.Rcode != dns.RcodeSuccess || len(m.Answer) != 1 {
			t.Errorf("inVPC=%v zonal name: %v", tc.inVPC, m)
		}
	}
}
