package dnsserver

import (
	"context"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no topology", Config{}, "dnsserver: Config.Topology is nil"},
		{"bad upstream", Config{Topology: vpce.DefaultTopology, Upstream: []string{"10.0.0.2"}}, `dnsserver: upstream "10.0.0.2"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("err = %v, want prefix %q", err, tt.want)
			}
		})
	}
}

// TestServeSockets serves on sockets opened by the caller, as the
// emulator does for sockets made inside a network namespace.
func TestServeSockets(t *testing.T) {
	s, err := New(Config{Topology: vpce.DefaultTopology})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0") // another port: Serve does not care
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Serve(t.Context(), pc, ln); err != nil {
		t.Fatal(err)
	}
	tcpOnly, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Serve(t.Context(), nil, tcpOnly); err != nil {
		t.Fatal(err)
	}
	if s.Addr() != "" {
		t.Errorf("Addr() = %q without Start, want empty", s.Addr())
	}
	want := dnsCase{answer: a(zonal, "172.16.10.143")}
	want.check(t, query(t, "udp", pc.LocalAddr().String(), zonal, dns.TypeA))
	want.check(t, query(t, "tcp", ln.Addr().String(), zonal, dns.TypeA))
	want.check(t, query(t, "tcp", tcpOnly.Addr().String(), zonal, dns.TypeA))
	if err := s.Serve(t.Context(), nil, nil); err == nil {
		t.Error("Serve(nil, nil): no error")
	}
}

func TestStartSamePort(t *testing.T) {
	s := startServer(t, Config{Topology: vpce.DefaultTopology})
	host, port, err := net.SplitHostPort(s.Addr())
	if err != nil || host != "127.0.0.1" || port == "0" {
		t.Fatalf("Addr() = %q, want 127.0.0.1:<port>", s.Addr())
	}
	// Both transports on the one address.
	query(t, "udp", s.Addr(), zonal, dns.TypeA)
	query(t, "tcp", s.Addr(), zonal, dns.TypeA)
}

func TestStartBusyPort(t *testing.T) {
	first := startServer(t, Config{Topology: vpce.DefaultTopology})
	s, err := New(Config{Topology: vpce.DefaultTopology})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Start(t.Context(), first.Addr()); err == nil || !strings.HasPrefix(err.Error(), "dnsserver: listen") {
		t.Fatalf("Start on a busy port: err %v, want a dnsserver: listen error", err)
	}
}

// TestCloseNoLeak starts, uses and closes servers (with an idle TCP
// connection open) and checks that the goroutine count returns to where
// it was.
func TestCloseNoLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	for range 3 {
		s, err := New(Config{Topology: vpce.DefaultTopology})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Start(t.Context(), "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		query(t, "udp", s.Addr(), zonal, dns.TypeA)
		// An idle TCP client that keeps its connection open.
		c := &dns.Client{Net: "tcp"}
		conn, err := c.Dial(s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := c.ExchangeWithConn(new(dns.Msg).SetQuestion(zonal, dns.TypeA), conn); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil { // idempotent
			t.Fatal(err)
		}
		conn.Close()
		if err := s.Serve(t.Context(), nil, mustListen(t)); err == nil {
			t.Fatal("Serve after Close: no error")
		}
	}
	// Close waited for its own goroutines; the test's TCP client and the
	// net package may take a moment to let go of theirs. Poll with a
	// deadline (a leak check, not synchronisation).
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		n := runtime.NumGoroutine()
		if n <= before {
			return
		}
		select {
		case <-ctx.Done():
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines after Close, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
		case <-tick.C:
		}
	}
}

func mustListen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}
