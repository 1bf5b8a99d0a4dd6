package dnsserver

import (
	"net"
	"net/netip"
	"slices"
	"testing"

	"github.com/miekg/dns"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// queryFrom sends one question over network from the local address from.
func queryFrom(t *testing.T, network, from, addr, qname string) *dns.Msg {
	t.Helper()
	d := &net.Dialer{}
	if network == "udp" {
		d.LocalAddr = &net.UDPAddr{IP: net.ParseIP(from)}
	} else {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(from)}
	}
	c := &dns.Client{Net: network, Dialer: d}
	m := new(dns.Msg).SetQuestion(qname, dns.TypeA)
	r, _, err := c.ExchangeContext(t.Context(), m, addr)
	if err != nil {
		t.Fatalf("%s %s from %s: %v", network, qname, from, err)
	}
	return r
}

// TestForwardFor: names outside the zones are forwarded only for the
// clients of the list (by default loopback and the VPC CIDRs); everyone
// else gets REFUSED for them, while the endpoint names answer everyone.
// The clients are loopback addresses other than 127.0.0.1, over real UDP
// and TCP.
func TestForwardFor(t *testing.T) {
	up := startUpstream(t)
	tests := []struct {
		name       string
		forwardFor []netip.Prefix
		from       string
		rcode      int
	}{
		{"default list: loopback client forwarded", nil, "127.0.0.1", dns.RcodeSuccess},
		{"default list: all of 127/8 is loopback", nil, "127.0.0.3", dns.RcodeSuccess},
		{"a list replaces the default: loopback not listed refused", []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}, "127.0.0.1", dns.RcodeRefused},
		{"a listed client forwarded", []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}, "127.0.0.2", dns.RcodeSuccess},
		{"an unmasked prefix is masked", []netip.Prefix{netip.MustParsePrefix("127.0.0.9/24")}, "127.0.0.2", dns.RcodeSuccess},
		{"an empty list forwards for no one", []netip.Prefix{}, "127.0.0.1", dns.RcodeRefused},
		{"everyone, explicitly", []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}, "127.0.0.4", dns.RcodeSuccess},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, Config{Topology: vpce.DefaultTopology, Upstream: []string{up}, ForwardFor: tc.forwardFor})
			for _, network := range []string{"udp", "tcp"} {
				t.Run(network, func(t *testing.T) {
					want := dnsCase{rcode: tc.rcode}
					if tc.rcode == dns.RcodeSuccess {
						want.answer = []string{"example.com. 300 IN A 192.0.2.1"}
					}
					want.check(t, queryFrom(t, network, tc.from, s.Addr(), "example.com."))
					// The served names answer whoever asks.
					dnsCase{answer: a(zonal, "172.16.10.143")}.check(t, queryFrom(t, network, tc.from, s.Addr(), zonal))
					dnsCase{rcode: dns.RcodeNameError, ns: soa(vpceApex)}.check(t,
						queryFrom(t, network, tc.from, s.Addr(), "vpce-0a77994aa2124c299-nope.s3.us-east-1.vpce.amazonaws.com."))
				})
			}
		})
	}
}

func TestDefaultForwardFor(t *testing.T) {
	v2 := vpce.VPC{ID: "vpc-0abc1234", CIDR: netip.MustParsePrefix("10.20.0.0/16")}
	topo, err := vpce.NewTopology([]vpce.VPC{vpce.DefaultVPC(), v2}, []vpce.Endpoint{vpce.DefaultEndpoint()})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		topo *vpce.Topology
		want []string
	}{
		{"two VPCs", topo, []string{"127.0.0.0/8", "::1/128", "172.16.0.0/16", "10.20.0.0/16"}},
		{"no topology", nil, []string{"127.0.0.0/8", "::1/128"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, p := range DefaultForwardFor(tc.topo) {
				got = append(got, p.String())
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestClientAddr(t *testing.T) {
	for _, tc := range []struct {
		name string
		addr net.Addr
		want string // "" when there is no address
	}{
		{"udp v4", &net.UDPAddr{IP: net.IPv4(10, 0, 0, 1), Port: 53}, "10.0.0.1"},
		{"tcp v6", &net.TCPAddr{IP: net.ParseIP("::1"), Port: 53}, "::1"},
		{"v4-mapped (dual-stack socket) as v4", &net.UDPAddr{IP: net.ParseIP("::ffff:172.16.3.4"), Port: 53}, "172.16.3.4"},
		{"zone dropped", &net.UDPAddr{IP: net.ParseIP("fe80::1"), Zone: "eth0"}, "fe80::1"},
		{"not an IP address", &net.UnixAddr{Name: "/x", Net: "unix"}, ""},
		{"nil", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := clientAddr(tc.addr)
			if tc.want == "" {
				if ok {
					t.Errorf("got %v, want none", got)
				}
				return
			}
			if !ok || got.String() != tc.want {
				t.Errorf("got %v %v, want %s", got, ok, tc.want)
			}
		})
	}
}
