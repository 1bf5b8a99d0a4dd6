package dnsserver

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// The seed's names.
const (
	regional = "vpce-0a77994aa2124c299-9tcntpvn.s3.us-east-1.vpce.amazonaws.com."
	zonal    = "vpce-0a77994aa2124c299-9tcntpvn-us-east-1d.s3.us-east-1.vpce.amazonaws.com."
	vpceApex = "s3.us-east-1.vpce.amazonaws.com."
)

// seedIPs are the ENI addresses of the default endpoint, zones a..f.
var seedIPs = []string{"172.16.1.143", "172.16.2.143", "172.16.3.143", "172.16.10.143", "172.16.5.143", "172.16.6.143"}

// dnsCase is one query and the reply it must get, CoreDNS style: records
// as zone-file strings, compared after sorting.
type dnsCase struct {
	qname  string
	qtype  uint16
	rcode  int
	answer []string
	ns     []string
	// forwarded: the reply comes from an upstream, so AA is not expected.
	forwarded bool
}

// a returns the zone-file A records of name for ips.
func a(name string, ips ...string) []string {
	out := make([]string, len(ips))
	for i, ip := range ips {
		out[i] = fmt.Sprintf("%s 60 IN A %s", name, ip)
	}
	return out
}

// soa is the zone-file SOA record of a served zone.
func soa(apex string) []string {
	return []string{apex + " 60 IN SOA ns.s3vpce.invalid. hostmaster.s3vpce.invalid. 1 7200 900 1209600 60"}
}

// check compares a reply with the case.
func (c dnsCase) check(t *testing.T, m *dns.Msg) {
	t.Helper()
	if m.Rcode != c.rcode {
		t.Errorf("rcode = %s, want %s", dns.RcodeToString[m.Rcode], dns.RcodeToString[c.rcode])
	}
	checkSection(t, "answer", m.Answer, c.answer)
	checkSection(t, "authority", m.Ns, c.ns)
}

func checkSection(t *testing.T, section string, got []dns.RR, want []string) {
	t.Helper()
	g := make([]string, len(got))
	for i, rr := range got {
		g[i] = rr.String()
	}
	w := make([]string, len(want))
	for i, s := range want {
		rr, err := dns.NewRR(s)
		if err != nil {
			t.Fatalf("bad test record %q: %v", s, err)
		}
		w[i] = rr.String()
	}
	slices.Sort(g)
	slices.Sort(w)
	if !slices.Equal(g, w) {
		t.Errorf("%s section:\n got %s\nwant %s", section, strings.Join(g, "\n     "), strings.Join(w, "\n     "))
	}
}

// privateTopology is the seed's topology with private DNS on.
func privateTopology(t testing.TB) *vpce.Topology {
	t.Helper()
	e := vpce.DefaultEndpoint()
	e.PrivateDNS = true
	topo, err := vpce.NewTopology([]vpce.VPC{vpce.DefaultVPC()}, []vpce.Endpoint{e})
	if err != nil {
		t.Fatal(err)
	}
	return topo
}

// bigTopology has one endpoint in n zones, so that its regional answer
// needs more than 512 bytes for n ≥ 40.
func bigTopology(t testing.TB, n int) *vpce.Topology {
	t.Helper()
	e := vpce.DefaultEndpoint()
	e.Zones = nil
	for i := range n {
		e.Zones = append(e.Zones, vpce.Zone{
			Name: fmt.Sprintf("us-east-1z%02d", i),
			IP:   netip.AddrFrom4([4]byte{172, 16, byte(100 + i/200), byte(i%200 + 1)}),
		})
	}
	topo, err := vpce.NewTopology([]vpce.VPC{vpce.DefaultVPC()}, []vpce.Endpoint{e})
	if err != nil {
		t.Fatal(err)
	}
	return topo
}

// startServer starts a Server for topo on 127.0.0.1:0, closed at cleanup.
func startServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(t.Context(), "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func fixed(topo *vpce.Topology) func() *vpce.Topology { return func() *vpce.Topology { return topo } }

// query sends one question over network ("udp" or "tcp") to addr.
func query(t testing.TB, network, addr, qname string, qtype uint16) *dns.Msg {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(qname, qtype)
	return exchange(t, network, addr, m)
}

func exchange(t testing.TB, network, addr string, m *dns.Msg) *dns.Msg {
	t.Helper()
	c := &dns.Client{Net: network}
	r, _, err := c.ExchangeContext(t.Context(), m, addr)
	if err != nil {
		t.Fatalf("%s %s %s: %v", network, m.Question[0].Name, dns.TypeToString[m.Question[0].Qtype], err)
	}
	if r.Id != m.Id {
		t.Fatalf("reply id %d, want %d", r.Id, m.Id)
	}
	return r
}
