package dnsserver

import (
	"net"
	"sync/atomic"
	"testing"

	"github.com/miekg/dns"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

func TestEDNS(t *testing.T) {
	s := startServer(t, Config{Topology: vpce.DefaultTopology})
	for _, network := range []string{"udp", "tcp"} {
		t.Run(network, func(t *testing.T) {
			m := new(dns.Msg).SetQuestion(zonal, dns.TypeA)
			m.SetEdns0(4096, true)
			r := exchange(t, network, s.Addr(), m)
			opt := r.IsEdns0()
			if opt == nil {
				t.Fatal("no OPT record in the reply to an EDNS query")
			}
			if opt.UDPSize() != ednsSize || !opt.Do() || opt.Version() != 0 {
				t.Errorf("OPT = size %d do %v version %d, want %d true 0", opt.UDPSize(), opt.Do(), opt.Version(), ednsSize)
			}
			dnsCase{answer: a(zonal, "172.16.10.143")}.check(t, r)

			plain := query(t, network, s.Addr(), zonal, dns.TypeA)
			if plain.IsEdns0() != nil {
				t.Error("OPT record in the reply to a query without EDNS")
			}

			bad := new(dns.Msg).SetQuestion(zonal, dns.TypeA)
			bad.SetEdns0(1232, false)
			bad.IsEdns0().SetVersion(1)
			r = exchange(t, network, s.Addr(), bad)
			if r.Rcode != dns.RcodeBadVers || r.IsEdns0() == nil || len(r.Answer) != 0 {
				t.Errorf("EDNS version 1: rcode %s, OPT %v, %d answers; want BADVERS with OPT and no answer",
					dns.RcodeToString[r.Rcode], r.IsEdns0(), len(r.Answer))
			}
		})
	}
}

func TestTruncation(t *testing.T) {
	const zones = 60
	s := startServer(t, Config{Topology: fixed(bigTopology(t, zones))})

	udp := query(t, "udp", s.Addr(), "bucket."+regional, dns.TypeA)
	if !udp.Truncated {
		t.Errorf("UDP without EDNS: TC not set for %d A records", zones)
	}
	if len(udp.Answer) >= zones {
		t.Errorf("UDP without EDNS: %d answers, want fewer than %d", len(udp.Answer), zones)
	}
	udp.Compress = true
	if n, _ := udp.Pack(); len(n) > dns.MinMsgSize {
		t.Errorf("UDP reply is %d bytes, more than %d", len(n), dns.MinMsgSize)
	}

	tcp := query(t, "tcp", s.Addr(), "bucket."+regional, dns.TypeA)
	if tcp.Truncated || len(tcp.Answer) != zones {
		t.Errorf("TCP: TC %v, %d answers; want the full %d", tcp.Truncated, len(tcp.Answer), zones)
	}

	m := new(dns.Msg).SetQuestion("bucket."+regional, dns.TypeA)
	m.SetEdns0(4096, false)
	big := exchange(t, "udp", s.Addr(), m)
	if big.Truncated || len(big.Answer) != zones {
		t.Errorf("UDP with EDNS 4096: TC %v, %d answers; want the full %d", big.Truncated, len(big.Answer), zones)
	}

	m = new(dns.Msg).SetQuestion("bucket."+regional, dns.TypeA)
	m.SetEdns0(600, false)
	mid := exchange(t, "udp", s.Addr(), m)
	if !mid.Truncated || len(mid.Answer) >= zones || mid.IsEdns0() == nil {
		t.Errorf("UDP with EDNS 600: TC %v, %d answers, OPT %v; want truncated with OPT", mid.Truncated, len(mid.Answer), mid.IsEdns0())
	}
	mid.Compress = true
	if n, _ := mid.Pack(); len(n) > 600 {
		t.Errorf("UDP reply with EDNS 600 is %d bytes", len(n))
	}
}

// TestMalformed sends raw packets over UDP and checks the reply (or its
// absence, proven by the next good query being the next thing read).
func TestMalformed(t *testing.T) {
	s := startServer(t, Config{Topology: vpce.DefaultTopology})
	good := func() []byte {
		m := new(dns.Msg).SetQuestion(zonal, dns.TypeA)
		m.Id = 0xbeef
		b, err := m.Pack()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	withHdr := func(f func(m *dns.Msg)) []byte {
		m := new(dns.Msg).SetQuestion(zonal, dns.TypeA)
		m.Id = 0x1234
		f(m)
		b, err := m.Pack()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name  string
		pkt   []byte
		rcode int // -1: no reply
	}{
		{"empty", nil, -1},
		{"short header", []byte{1, 2, 3}, -1},
		{"garbage", []byte("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xffzzzz"), dns.RcodeFormatError},
		{"response", withHdr(func(m *dns.Msg) { m.Response = true }), -1},
		{"no question", withHdr(func(m *dns.Msg) { m.Question = nil }), dns.RcodeFormatError},
		{"two questions", withHdr(func(m *dns.Msg) { m.Question = append(m.Question, m.Question[0]) }), dns.RcodeFormatError},
		{"notify", withHdr(func(m *dns.Msg) { m.Opcode = dns.OpcodeNotify }), dns.RcodeNotImplemented},
		{"update", withHdr(func(m *dns.Msg) { m.Opcode = dns.OpcodeUpdate }), dns.RcodeNotImplemented},
		{"status", withHdr(func(m *dns.Msg) { m.Opcode = dns.OpcodeStatus }), dns.RcodeNotImplemented},
		{"class CH", withHdr(func(m *dns.Msg) { m.Question[0].Qclass = dns.ClassCHAOS }), dns.RcodeRefused},
		{"AXFR", withHdr(func(m *dns.Msg) { m.Question[0].Qtype = dns.TypeAXFR }), dns.RcodeRefused},
	}
	conn, err := net.Dial("udp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	buf := make([]byte, 65535)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := conn.Write(tt.pkt); err != nil {
				t.Fatal(err)
			}
			if _, err := conn.Write(good()); err != nil {
				t.Fatal(err)
			}
			var replies []*dns.Msg
			for {
				n, err := conn.Read(buf)
				if err != nil {
					t.Fatal(err)
				}
				r := new(dns.Msg)
				if err := r.Unpack(buf[:n]); err != nil {
					// A FORMERR reply to garbage may echo no question.
					r.Rcode = int(buf[3] & 0xf)
					r.Id = uint16(buf[0])<<8 | uint16(buf[1])
				}
				replies = append(replies, r)
				if r.Id == 0xbeef {
					break
				}
			}
			// UDP replies may be reordered: the good one may come first.
			var bad []*dns.Msg
			for _, r := range replies {
				if r.Id != 0xbeef {
					bad = append(bad, r)
				}
			}
			if tt.rcode < 0 {
				if len(bad) != 0 {
					t.Fatalf("got a reply (rcode %s), want none", dns.RcodeToString[bad[0].Rcode])
				}
				return
			}
			if len(bad) == 0 {
				// The reply may still be on its way.
				n, err := conn.Read(buf)
				if err != nil {
					t.Fatal(err)
				}
				r := new(dns.Msg)
				if r.Unpack(buf[:n]) != nil {
					r.Rcode = int(buf[3] & 0xf)
				}
				bad = append(bad, r)
			}
			if bad[0].Rcode != tt.rcode {
				t.Errorf("rcode %s, want %s", dns.RcodeToString[bad[0].Rcode], dns.RcodeToString[tt.rcode])
			}
		})
	}
}

func TestNonRecursiveOutsideRefused(t *testing.T) {
	up := startUpstream(t)
	s := startServer(t, Config{Topology: vpce.DefaultTopology, Upstream: []string{up}})
	m := new(dns.Msg).SetQuestion("example.com.", dns.TypeA)
	m.RecursionDesired = false
	r := exchange(t, "udp", s.Addr(), m)
	if r.Rcode != dns.RcodeRefused {
		t.Errorf("RD=0 for a name outside our zones: rcode %s, want REFUSED", dns.RcodeToString[r.Rcode])
	}
	// Our own names are answered without recursion.
	m = new(dns.Msg).SetQuestion(zonal, dns.TypeA)
	m.RecursionDesired = false
	dnsCase{qname: zonal, answer: a(zonal, "172.16.10.143")}.check(t, exchange(t, "udp", s.Addr(), m))
}

func TestTopologyChange(t *testing.T) {
	var cur atomic.Pointer[vpce.Topology]
	cur.Store(vpce.DefaultTopology())
	s := startServer(t, Config{Topology: cur.Load})
	const s3 = "s3.us-east-1.amazonaws.com."
	dnsCase{rcode: dns.RcodeRefused}.check(t, query(t, "udp", s.Addr(), s3, dns.TypeA))
	cur.Store(privateTopology(t))
	dnsCase{answer: a(s3, allSeedIPs...)}.check(t, query(t, "udp", s.Addr(), s3, dns.TypeA))
}
