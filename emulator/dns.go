package emulator

import (
	"context"
	"fmt"
	"net"

	"github.com/s3vpce/s3vpce/dnsserver"
)

// dnsService is the part of dnsserver.Server the emulator uses.
type dnsService interface {
	Addr() string
	Serve(ctx context.Context, pc net.PacketConn, ln net.Listener) error
	Close() error
}

// startDNS starts the DNS server for s's topology on Options.DNSAddr.
func startDNS(ctx context.Context, s *Server) (dnsService, error) {
	d, err := dnsserver.New(dnsserver.Config{
		Topology:   s.Topology,
		Upstream:   s.opts.DNSUpstream,
		ForwardFor: s.opts.DNSForwardFor,
		Logger:     s.log,
	})
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	addr := s.opts.DNSAddr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if err := d.Start(ctx, addr); err != nil {
		return nil, fmt.Errorf("emulator: dns: %w", err)
	}
	return d, nil
}

// DNSAddr is the DNS server's address, empty when DNS is off.
func (s *Server) DNSAddr() string {
	if s.dns == nil {
		return ""
	}
	return s.dns.Addr()
}

// ServeDNS answers DNS on extra sockets, such as ones opened inside a
// network namespace; either may be nil. They are closed with the Server.
func (s *Server) ServeDNS(ctx context.Context, pc net.PacketConn, ln net.Listener) error {
	s.mu.Lock()
	d := s.dns
	s.mu.Unlock()
	if d == nil {
		return fmt.Errorf("emulator: DNS is off")
	}
	return d.Serve(ctx, pc, ln)
}
