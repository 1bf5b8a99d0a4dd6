package emulator_test

import (
	"net"
	"net/netip"
	"testing"

	"github.com/miekg/dns"

	"github.com/s3vpce/s3vpce/emulator"
)

// startUpstreamDNS answers every A query with 192.0.2.1, on loopback UDP.
func startUpstreamDNS(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := dns.NewServeMux()
	mux.HandleFunc(".", func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg).SetReply(r)
		rr, _ := dns.NewRR(r.Question[0].Name + " 300 IN A 192.0.2.1")
		m.Answer = append(m.Answer, rr)
		w.WriteMsg(m)
	})
	started := make(chan struct{})
	srv := &dns.Server{PacketConn: pc, Handler: mux, NotifyStartedFunc: func() { close(started) }}
	done := make(chan error, 1)
	go func() { done <- srv.ActivateAndServe() }()
	select {
	case <-started:
	case err := <-done:
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(); <-done })
	return pc.LocalAddr().String()
}

// TestDNSForwardFor: Options.DNSForwardFor reaches the DNS server: by
// default a loopback client gets other names forwarded; a list without
// loopback gets it REFUSED, while the endpoint names still answer.
func TestDNSForwardFor(t *testing.T) {
	up := startUpstreamDNS(t)
	for _, tc := range []struct {
		name       string
		forwardFor []netip.Prefix
		rcode      int
	}{
		{"default", nil, dns.RcodeSuccess},
		{"a list without loopback", []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, dns.RcodeRefused},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startServer(t, emulator.Options{DNSUpstream: []string{up}, DNSForwardFor: tc.forwardFor})
			ask := func(name string) *dns.Msg {
				m := new(dns.Msg).SetQuestion(name, dns.TypeA)
				r, err := dns.ExchangeContext(t.Context(), m, srv.DNSAddr())
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			if r := ask("example.com."); r.Rcode != tc.rcode {
				t.Errorf("example.com: %s, want %s", dns.RcodeToString[r.Rcode], dns.RcodeToString[tc.rcode])
			}
			if r := ask("bucket.vpce-0a77994aa2124c299-9tcntpvn.s3.us-east-1.vpce.amazonaws.com."); r.Rcode != dns.RcodeSuccess || len(r.Answer) != 6 {
				t.Errorf("endpoint name: %s, %d answers; want NOERROR, 6", dns.RcodeToString[r.Rcode], len(r.Answer))
			}
		})
	}
}
