package dnsserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/miekg/dns"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// Config configures a Server.
type Config struct {
	// Topology returns the current snapshot; it is called once per query,
	// so it must be cheap (an atomic load in the caller). The zone data
	// derived from a snapshot is cached until Topology returns another
	// pointer, so it must return the same pointer while nothing changes
	// (vpce.DefaultTopology itself builds a new one per call: wrap its
	// result instead). Required.
	Topology func() *vpce.Topology
	// Upstream lists resolvers ("host:port") to forward names outside the
	// served zones to, tried in order. Empty: such names get REFUSED.
	Upstream []string
	// ForwardFor lists the clients, by source address, whose queries for
	// names outside the served zones are forwarded to Upstream; every other
	// client gets REFUSED for them, so the server is not an open resolver
	// even when bound beyond loopback. The served names answer everyone.
	// Nil means DefaultForwardFor of the current topology: loopback and
	// the VPC CIDRs. An empty, non-nil list forwards for no one.
	ForwardFor []netip.Prefix
	// InVPC selects the view of a client inside the endpoint's VPC (true)
	// rather than one reaching the VPC resolver through a Route 53 inbound
	// resolver endpoint (false). The two differ only for endpoints with
	// PrivateDnsOnlyForInboundResolverEndpoint, where in-VPC clients get the
	// gateway (public) answer for the private DNS names: those names are then
	// outside the served zones and are forwarded to Upstream (or REFUSED).
	InVPC bool
	// Logger receives debug logs of queries and errors; nil discards them.
	Logger *slog.Logger
}

// Server is a DNS server for the names of a topology. Create it with New,
// start it with Start or Serve (several times if needed: every socket gets
// the same answers) and stop it with Close.
type Server struct {
	topology func() *vpce.Topology
	upstream []string
	// forwardFor is Config.ForwardFor; nil: the zone's default list.
	forwardFor []netip.Prefix
	inVPC      bool
	log        *slog.Logger
	cache      atomic.Pointer[zone]
	viewCache  atomic.Pointer[views] // the VPC resolvers' views (view.go)

	// life is the parent of forwarded queries' contexts, cancelled by Close
	// (like net/http.Server's BaseContext: a server lifetime, not a request).
	life   context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	closed  bool
	addr    string
	servers []*dns.Server
	wg      sync.WaitGroup
}

var _ dns.Handler = (*Server)(nil)

// New checks cfg and returns a Server that is not yet listening.
func New(cfg Config) (*Server, error) {
	if cfg.Topology == nil {
		return nil, errors.New("dnsserver: Config.Topology is nil")
	}
	for _, up := range cfg.Upstream {
		if _, _, err := net.SplitHostPort(up); err != nil {
			return nil, fmt.Errorf("dnsserver: upstream %q: want host:port: %w", up, err)
		}
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Server{
		topology: cfg.Topology,
		upstream: append([]string(nil), cfg.Upstream...),
		inVPC:    cfg.InVPC,
		log:      log,
	}
	if cfg.ForwardFor != nil {
		s.forwardFor = make([]netip.Prefix, 0, len(cfg.ForwardFor))
		for _, p := range cfg.ForwardFor {
			if !p.IsValid() {
				return nil, fmt.Errorf("dnsserver: forward-for prefix %q is not valid", p)
			}
			s.forwardFor = append(s.forwardFor, p.Masked())
		}
	}
	s.life, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// Handler returns the handler that answers queries, for tests and for
// embedding in another dns.Server.
func (s *Server) Handler() dns.Handler { return s }

// zone returns the zone data for the current topology, building it when
// the snapshot changed.
func (s *Server) zone() *zone {
	t := s.topology()
	if z := s.cache.Load(); z != nil && z.topo == t {
		return z
	}
	z := buildZone(t, s.inVPC)
	s.cache.Store(z)
	return z
}

// Start listens on addr over UDP and TCP, on the same port (with port 0,
// the port the system picks for UDP), and returns once both are serving.
// ctx bounds only the start; the servers run until Close.
func (s *Server) Start(ctx context.Context, addr string) error {
	pc, ln, err := listenBoth(ctx, addr)
	if err != nil {
		return err
	}
	if err := s.Serve(ctx, pc, ln); err != nil {
		return err
	}
	s.mu.Lock()
	if s.addr == "" {
		s.addr = pc.LocalAddr().String()
	}
	s.mu.Unlock()
	return nil
}

// listenBoth opens UDP and TCP sockets on the same address. With port 0 the
// TCP port may be taken after UDP got it; it then tries a few more times.
func listenBoth(ctx context.Context, addr string) (net.PacketConn, net.Listener, error) {
	var lc net.ListenConfig
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, fmt.Errorf("dnsserver: listen %q: %w", addr, err)
	}
	tries := 1
	if port == "0" {
		tries = 10
	}
	for i := 0; ; i++ {
		pc, err := lc.ListenPacket(ctx, "udp", addr)
		if err != nil {
			return nil, nil, fmt.Errorf("dnsserver: listen udp %s: %w", addr, err)
		}
		ln, err := lc.Listen(ctx, "tcp", pc.LocalAddr().String())
		if err == nil {
			return pc, ln, nil
		}
		pc.Close()
		if i+1 >= tries {
			return nil, nil, fmt.Errorf("dnsserver: listen tcp %s: %w", pc.LocalAddr(), err)
		}
	}
}

// Serve answers queries on sockets opened elsewhere (for example inside a
// network namespace and passed over a unix socket); either may be nil. It
// returns once every given socket is serving. Close closes them.
func (s *Server) Serve(ctx context.Context, pc net.PacketConn, ln net.Listener) error {
	var srvs []*dns.Server
	if pc != nil {
		srvs = append(srvs, &dns.Server{PacketConn: pc, Handler: s, UDPSize: dns.MaxMsgSize, MsgAcceptFunc: acceptMsg})
	}
	if ln != nil {
		srvs = append(srvs, &dns.Server{Listener: ln, Handler: s, MsgAcceptFunc: acceptMsg})
	}
	if len(srvs) == 0 {
		return errors.New("dnsserver: serve: no socket given")
	}
	for i, srv := range srvs {
		if err := s.activate(ctx, srv); err != nil {
			// Close what this call opened; earlier servers stay up.
			for _, rest := range srvs[i+1:] {
				closeSocket(rest)
			}
			return err
		}
	}
	return nil
}

// activate starts one dns.Server and waits for its NotifyStartedFunc.
func (s *Server) activate(ctx context.Context, srv *dns.Server) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		closeSocket(srv)
		return errors.New("dnsserver: serve: server closed")
	}
	started := make(chan struct{})
	failed := make(chan error, 1)
	srv.NotifyStartedFunc = func() { close(started) }
	s.servers = append(s.servers, srv)
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		if err := srv.ActivateAndServe(); err != nil {
			failed <- err
		}
	}()
	select {
	case <-started:
		return nil
	case err := <-failed:
		return fmt.Errorf("dnsserver: serve %s: %w", sockAddr(srv), err)
	case <-ctx.Done():
		return fmt.Errorf("dnsserver: serve %s: %w", sockAddr(srv), context.Cause(ctx))
		// The server is in s.servers: Close stops it.
	}
}

func sockAddr(srv *dns.Server) string {
	if srv.PacketConn != nil {
		return "udp " + srv.PacketConn.LocalAddr().String()
	}
	return "tcp " + srv.Listener.Addr().String()
}

func closeSocket(srv *dns.Server) {
	if srv.PacketConn != nil {
		srv.PacketConn.Close()
	}
	if srv.Listener != nil {
		srv.Listener.Close()
	}
}

// acceptMsg is dns.DefaultMsgAcceptFunc except that NOTIFY, like every
// opcode but QUERY, gets NOTIMP.
func acceptMsg(dh dns.Header) dns.MsgAcceptAction {
	const opcodeShift, qr = 11, 1 << 15
	if dh.Bits&qr == 0 && int(dh.Bits>>opcodeShift)&0xF == dns.OpcodeNotify {
		return dns.MsgRejectNotImplemented
	}
	return dns.DefaultMsgAcceptFunc(dh)
}

// Addr is the "host:port" address Start listens on (UDP and TCP); "" before
// Start.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Close stops every server started by Start and Serve, closes their
// sockets, cancels forwarded queries and waits for in-flight queries and
// the serving goroutines. It is idempotent (a second call waits too) and
// returns nil.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		s.wg.Wait()
		return nil
	}
	s.closed = true
	srvs := s.servers
	s.servers = nil
	s.mu.Unlock()

	s.cancel()
	for _, srv := range srvs {
		if err := srv.Shutdown(); err != nil {
			// Never started (its ActivateAndServe failed or is not yet
			// running): closing the socket ends it.
			closeSocket(srv)
		}
	}
	s.wg.Wait()
	return nil
}
