package dnsserver

import (
	"net"
	"testing"

	"github.com/miekg/dns"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// fakeWriter is a dns.ResponseWriter that keeps the last message written.
type fakeWriter struct {
	remote net.Addr
	msg    *dns.Msg
	writes int
}

var _ dns.ResponseWriter = (*fakeWriter)(nil)

func (w *fakeWriter) LocalAddr() net.Addr  { return &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 53} }
func (w *fakeWriter) RemoteAddr() net.Addr { return w.remote }
func (w *fakeWriter) WriteMsg(m *dns.Msg) error {
	w.msg = m
	w.writes++
	return nil
}
func (w *fakeWriter) Write(b []byte) (int, error) { w.writes++; return len(b), nil }
func (w *fakeWriter) Close() error                { return nil }
func (w *fakeWriter) TsigStatus() error           { return nil }
func (w *fakeWriter) TsigTimersOnly(bool)         {}
func (w *fakeWriter) Hijack()                     {}

var (
	udpClient = &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5353}
	tcpClient = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5353}
)

// FuzzHandler feeds raw packets to the handler the way dns.Server does
// (unpack, then ServeDNS) and checks that a reply, when there is one,
// packs, fits the UDP size asked for, and answers the same ID.
func FuzzHandler(f *testing.F) {
	seeds := []*dns.Msg{
		new(dns.Msg).SetQuestion(zonal, dns.TypeA),
		new(dns.Msg).SetQuestion("mybucket.bucket."+regional, dns.TypeAAAA),
		new(dns.Msg).SetQuestion("vpce-0a77994aa2124c299-9tcntpvn.s3.vpce.amazonaws.com.", dns.TypeANY),
		new(dns.Msg).SetQuestion("s3.us-east-1.amazonaws.com.", dns.TypeA),
		new(dns.Msg).SetQuestion("ip-172-16-10-143.ec2.internal.", dns.TypeA),
		new(dns.Msg).SetQuestion(vpceApex, dns.TypeSOA),
		new(dns.Msg).SetQuestion("example.com.", dns.TypeA),
	}
	edns := new(dns.Msg).SetQuestion(regional, dns.TypeA)
	edns.SetEdns0(4096, true)
	seeds = append(seeds, edns)
	for _, m := range seeds {
		b, err := m.Pack()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, false)
		f.Add(b, true)
	}
	f.Add([]byte{}, false)
	f.Add([]byte("\x00\x01\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\x0c\x00\x01\x00\x01"), false) // pointer loop

	// Private DNS on, so that every kind of name is reachable; no upstream,
	// so nothing leaves the process.
	e := vpce.DefaultEndpoint()
	e.PrivateDNS = true
	topo, err := vpce.NewTopology([]vpce.VPC{vpce.DefaultVPC()}, []vpce.Endpoint{e})
	if err != nil {
		f.Fatal(err)
	}
	s, err := New(Config{Topology: fixed(topo)})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, pkt []byte, tcp bool) {
		req := new(dns.Msg)
		if err := req.Unpack(pkt); err != nil {
			return // dns.Server answers FORMERR or drops it before the handler
		}
		w := &fakeWriter{remote: udpClient}
		if tcp {
			w.remote = tcpClient
		}
		s.ServeDNS(w, req)
		if w.writes > 1 {
			t.Fatalf("%d replies to one query", w.writes)
		}
		if w.msg == nil {
			if !req.Response {
				t.Fatalf("no reply to a query:\n%s", req)
			}
			return
		}
		if w.msg.Id != req.Id || !w.msg.Response {
			t.Fatalf("reply id %d response %v, want id %d response true", w.msg.Id, w.msg.Response, req.Id)
		}
		b, err := w.msg.Pack()
		if err != nil {
			t.Fatalf("reply does not pack: %v\n%s", err, w.msg)
		}
		if !tcp {
			size := dns.MinMsgSize
			if opt := req.IsEdns0(); opt != nil {
				size = max(int(opt.UDPSize()), dns.MinMsgSize)
			}
			if len(b) > size {
				t.Fatalf("UDP reply of %d bytes for a size of %d", len(b), size)
			}
		}
		var back dns.Msg
		if err := back.Unpack(b); err != nil {
			t.Fatalf("reply does not unpack: %v", err)
		}
	})
}
