package dnsserver

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// startUpstream starts a second DNS server on 127.0.0.1 that answers
// example.com A 192.0.2.1, big.example.com with 60 A records, and
// NXDOMAIN for everything else. It returns its "host:port".
func startUpstream(t testing.TB) string {
	t.Helper()
	mux := dns.NewServeMux()
	mux.HandleFunc(".", func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg).SetReply(r)
		q := r.Question[0]
		switch strings.ToLower(q.Name) {
		case "example.com.":
			rr, _ := dns.NewRR(q.Name + " 300 IN A 192.0.2.1")
			m.Answer = append(m.Answer, rr)
		case "big.example.com.":
			for i := range 60 {
				rr, _ := dns.NewRR(fmt.Sprintf("%s 300 IN A 192.0.2.%d", q.Name, i+1))
				m.Answer = append(m.Answer, rr)
			}
		default:
			m.Rcode = dns.RcodeNameError
		}
		if w.RemoteAddr().Network() == "udp" {
			m.Truncate(dns.MinMsgSize)
		}
		w.WriteMsg(m)
	})
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", pc.LocalAddr().String())
	if err != nil {
		pc.Close()
		t.Fatal(err)
	}
	for _, srv := range []*dns.Server{{PacketConn: pc, Handler: mux}, {Listener: ln, Handler: mux}} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		done := make(chan error, 1)
		go func() { done <- srv.ActivateAndServe() }()
		select {
		case <-started:
		case err := <-done:
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Shutdown(); <-done })
	}
	return pc.LocalAddr().String()
}

func TestForward(t *testing.T) {
	up := startUpstream(t)
	// A dead upstream first: the server must move on to the live one.
	dead, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := dead.LocalAddr().String()
	dead.Close() // ICMP port unreachable: a quick error
	s := startServer(t, Config{Topology: vpce.DefaultTopology, Upstream: []string{deadAddr, up}})

	cases := []dnsCase{
		{qname: "example.com.", qtype: dns.TypeA, answer: []string{"example.com. 300 IN A 192.0.2.1"}, forwarded: true},
		{qname: "nope.example.", qtype: dns.TypeA, rcode: dns.RcodeNameError, forwarded: true},
		// Our own names are not forwarded.
		{qname: zonal, qtype: dns.TypeA, answer: a(zonal, "172.16.10.143")},
		{qname: "vpce-0a77994aa2124c299-9tcntpvn.s3.vpce.amazonaws.com.", qtype: dns.TypeA,
			rcode: dns.RcodeNameError, ns: soa("vpce.amazonaws.com.")},
	}
	runCases(t, s.Addr(), cases)

	t.Run("id preserved", func(t *testing.T) {
		m := new(dns.Msg).SetQuestion("example.com.", dns.TypeA)
		m.Id = 4242
		if r := exchange(t, "udp", s.Addr(), m); r.Id != 4242 || !r.RecursionAvailable {
			t.Errorf("id %d ra %v, want 4242 true", r.Id, r.RecursionAvailable)
		}
	})
	t.Run("truncated upstream answer over tcp", func(t *testing.T) {
		udp := query(t, "udp", s.Addr(), "big.example.com.", dns.TypeA)
		if !udp.Truncated {
			t.Error("UDP: TC not set")
		}
		tcp := query(t, "tcp", s.Addr(), "big.example.com.", dns.TypeA)
		if tcp.Truncated || len(tcp.Answer) != 60 {
			t.Errorf("TCP: TC %v, %d answers, want 60", tcp.Truncated, len(tcp.Answer))
		}
	})
}

func TestForwardServfail(t *testing.T) {
	dead, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := dead.LocalAddr().String()
	dead.Close()
	s := startServer(t, Config{Topology: vpce.DefaultTopology, Upstream: []string{deadAddr}})
	r := query(t, "udp", s.Addr(), "example.com.", dns.TypeA)
	if r.Rcode != dns.RcodeServerFailure {
		t.Errorf("rcode %s, want SERVFAIL", dns.RcodeToString[r.Rcode])
	}
}

// TestForwardCancelledByClose: a query stuck on an upstream that never
// answers ends when the server closes.
func TestForwardCancelledByClose(t *testing.T) {
	silent, err := net.ListenPacket("udp", "127.0.0.1:0") // reads nothing, answers nothing
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	s, err := New(Config{Topology: vpce.DefaultTopology, Upstream: []string{silent.LocalAddr().String()}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(t.Context(), "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("udp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	b, _ := new(dns.Msg).SetQuestion("example.com.", dns.TypeA).Pack()
	if _, err := conn.Write(b); err != nil {
		t.Fatal(err)
	}
	// Wait until the query has reached the silent upstream.
	buf := make([]byte, 512)
	if _, _, err := silent.ReadFrom(buf); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), forwardTimeout/2)
	defer cancel()
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatal("Close did not cancel the forwarded query")
	}
}

func TestUpstreamsFromResolvConf(t *testing.T) {
	path := filepath.Join(t.TempDir(), "resolv.conf")
	conf := "# comment\nsearch example.internal\nnameserver 10.0.0.2\nnameserver  fe80::1%eth0\nnameserver bogus\noptions ndots:2\nnameserver 127.0.0.53 # trailing\n"
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := UpstreamsFromResolvConf(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.2:53", "[fe80::1%eth0]:53", "127.0.0.53:53"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, err := UpstreamsFromResolvConf(filepath.Join(t.TempDir(), "missing")); err == nil || !strings.HasPrefix(err.Error(), "dnsserver: ") {
		t.Errorf("missing file: err %v, want a dnsserver: error", err)
	}
}
