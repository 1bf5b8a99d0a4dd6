package emulator

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/s3vpce/s3vpce/dnsserver"
	"github.com/s3vpce/s3vpce/internal/vpce"
	"github.com/s3vpce/s3vpce/internal/vpcnet"
)

// ClientFrom returns an HTTP client whose requests are made as the
// instance ref (an ID, a Name tag or a private IP: vpce.Topology.FindInstance),
// without network namespaces. Each dial follows the current topology as
// the instance would see it: a host name is resolved by its VPC's resolver
// (dnsserver.NewView), vpcnet.Decide decides the flow, and
//   - a refused flow fails at once with a net.Error whose Timeout is true
//     (a dropped SYN), naming the reason: "dial tcp 172.16.10.143:443: i/o
//     timeout (s3vpce: sg-… allows no tcp 443 from 172.16.10.77)";
//   - an allowed flow to an interface endpoint's ENI (443) or to public S3
//     (443, or plain HTTP on 80) reaches this Server through an in-memory
//     connection it sees from the instance's private address to the
//     destination, so the gate, aws:VpcSourceIp, public S3's paths and the
//     decision log see what a client in `s3vpce exec --instance` shows;
//   - any other allowed flow is refused (nothing listens there).
//
// The client closes its idle connections when the topology changes, so
// that a change decides the next request. Its connections end with the
// Server.
func (s *Server) ClientFrom(ref string) (*http.Client, error) {
	tr, err := s.transportFrom(ref)
	if err != nil {
		return nil, err
	}
	return &http.Client{Transport: tr}, nil
}

// AWSConfigFrom is AWSConfig for requests made as the instance ref (see
// ClientFrom): BaseEndpoint is the first endpoint's regional bucket. URL
// on port 443, as the instance reaches it; set another (a zonal name, or
// a public S3 name such as https://s3.amazonaws.com) in the service
// client's options.
func (s *Server) AWSConfigFrom(ctx context.Context, ref string) (aws.Config, error) {
	tr, err := s.transportFrom(ref)
	if err != nil {
		return aws.Config{}, err
	}
	cfg, err := s.awsConfig(ctx, s.Topology().Endpoints()[0].BucketURL("", 443))
	if err != nil {
		return aws.Config{}, err
	}
	// Loading needed the buildable client for the CA bundle; the requests
	// need the instance's dialer.
	cfg.HTTPClient = &http.Client{Transport: tr}
	return cfg, nil
}

// transportFrom builds the RoundTripper of ClientFrom.
func (s *Server) transportFrom(ref string) (*instanceTransport, error) {
	inst, err := s.Topology().FindInstance(ref)
	if err != nil {
		return nil, fmt.Errorf("emulator: client from %q: %w", ref, err)
	}
	d := &instanceDialer{s: s, instanceID: inst.ID,
		tls: newPipeListener(&net.TCPAddr{IP: net.IPv4zero, Port: 443}), http: newPipeListener(&net.TCPAddr{IP: net.IPv4zero, Port: 80})}
	if err := s.ServeListener(d.tls); err != nil {
		return nil, err
	}
	if err := s.ServeHTTPListener(d.http); err != nil {
		d.tls.Close()
		return nil, err
	}
	tr := &http.Transport{
		DialContext:         d.DialContext,
		TLSClientConfig:     &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: s.CACertPool()},
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     30 * time.Second,
	}
	return &instanceTransport{Transport: tr, s: s}, nil
}

// instanceTransport closes its idle connections when the topology has
// changed since its last request.
type instanceTransport struct {
	*http.Transport
	s    *Server
	seen atomic.Pointer[vpce.Topology]
}

// RoundTrip implements http.RoundTripper.
func (t *instanceTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if cur := t.s.Topology(); t.seen.Swap(cur) != cur {
		t.CloseIdleConnections()
	}
	return t.Transport.RoundTrip(r)
}

// instanceDialer dials as one instance.
type instanceDialer struct {
	s          *Server
	instanceID string
	tls, http  *pipeListener // served by s: HTTPS and plain HTTP
	port       atomic.Uint32 // the last ephemeral source port

	mu   sync.Mutex
	view *dnsserver.View // for topo
	topo *vpce.Topology
}

// DialContext is the transport's dialer (see ClientFrom).
func (d *instanceDialer) DialContext(ctx context.Context, network, hostport string) (net.Conn, error) {
	host, portText, err := net.SplitHostPort(hostport)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 0 || port > 65535 {
		return nil, &net.OpError{Op: "dial", Net: network, Err: fmt.Errorf("bad port %q", portText)}
	}
	t := d.s.Topology()
	inst, ok := t.Instance(d.instanceID)
	if !ok {
		return nil, &net.OpError{Op: "dial", Net: network, Err: fmt.Errorf("s3vpce: instance %s is no longer in the topology", d.instanceID)}
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		if ip, err = d.resolve(t, inst, host); err != nil {
			return nil, &net.OpError{Op: "dial", Net: network, Err: err}
		}
	}
	dst := netip.AddrPortFrom(ip.Unmap(), uint16(port))
	dstAddr := net.TCPAddrFromAddrPort(dst)
	v := vpcnet.Decide(t, inst, vpcnet.Flow{Proto: vpce.ProtocolTCP, Dst: dst.Addr(), Port: port})
	if !v.Allowed {
		reason := v.Reason
		if reason == "" {
			reason = "no route to " + dst.Addr().String()
		}
		return nil, &net.OpError{Op: "dial", Net: "tcp", Addr: dstAddr, Err: &droppedError{reason: reason}}
	}
	ln := d.listenerFor(d.s.snap.Load(), dst)
	if ln == nil {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Addr: dstAddr, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	src := netip.AddrPortFrom(inst.PrivateIP, d.nextPort())
	client, server := net.Pipe()
	if err := ln.deliver(ctx, &addrConn{Conn: server, local: dstAddr, remote: net.TCPAddrFromAddrPort(src)}); err != nil {
		client.Close()
		server.Close()
		return nil, &net.OpError{Op: "dial", Net: "tcp", Addr: dstAddr, Err: err}
	}
	return &addrConn{Conn: client, local: net.TCPAddrFromAddrPort(src), remote: dstAddr}, nil
}

// resolve answers host as the instance's VPC resolver does.
func (d *instanceDialer) resolve(t *vpce.Topology, inst *vpce.Instance, host string) (netip.Addr, error) {
	notFound := &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	sub, ok := t.Subnet(inst.SubnetID)
	if !ok {
		return netip.Addr{}, notFound
	}
	vpc, ok := t.VPC(sub.VPCID)
	if !ok {
		return netip.Addr{}, notFound
	}
	d.mu.Lock()
	if d.topo != t || d.view == nil {
		d.view, _ = dnsserver.NewView(t, vpc.ResolverIP())
		d.topo = t
	}
	view := d.view
	d.mu.Unlock()
	if view == nil {
		return netip.Addr{}, notFound
	}
	addrs, ok := view.LookupA(host)
	if !ok {
		return netip.Addr{}, notFound
	}
	return addrs[0], nil
}

// listenerFor is the listener that serves dst: HTTPS on 443 of an ENI or
// of public S3, plain HTTP on 80 of public S3; nil for anything else.
func (d *instanceDialer) listenerFor(snap *snapshot, dst netip.AddrPort) *pipeListener {
	_, public := snap.pub.byAddr[dst.Addr()]
	switch dst.Port() {
	case 80:
		if public {
			return d.http
		}
	case 443:
		if public {
			return d.tls
		}
		for _, e := range snap.topo.Endpoints() {
			for _, z := range e.Zones {
				if z.IP == dst.Addr() {
					return d.tls
				}
			}
		}
	}
	return nil
}

// nextPort returns an ephemeral source port (Linux's range, 32768–60999).
func (d *instanceDialer) nextPort() uint16 {
	return uint16(32768 + d.port.Add(1)%(60999-32768+1))
}

// droppedError is a connection attempt whose SYN went unanswered: what the
// client sees when a security group or a missing route drops it.
type droppedError struct{ reason string }

func (e *droppedError) Error() string   { return "i/o timeout (s3vpce: " + e.reason + ")" }
func (e *droppedError) Timeout() bool   { return true }
func (e *droppedError) Temporary() bool { return true }

// Is makes errors.Is(err, os.ErrDeadlineExceeded) hold, as for a real
// dial timeout.
func (e *droppedError) Is(target error) bool { return target == os.ErrDeadlineExceeded }

// addrConn is a connection with the addresses it stands for.
type addrConn struct {
	net.Conn
	local, remote net.Addr
}

func (c *addrConn) LocalAddr() net.Addr  { return c.local }
func (c *addrConn) RemoteAddr() net.Addr { return c.remote }

// pipeListener is a listener whose connections are handed to it in
// memory (deliver).
type pipeListener struct {
	addr  net.Addr
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newPipeListener(addr net.Addr) *pipeListener {
	return &pipeListener{addr: addr, conns: make(chan net.Conn), done: make(chan struct{})}
}

// Accept implements net.Listener.
func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close implements net.Listener.
func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

// Addr implements net.Listener.
func (l *pipeListener) Addr() net.Addr { return l.addr }

// deliver hands c to the server's Accept.
func (l *pipeListener) deliver(ctx context.Context, c net.Conn) error {
	select {
	case l.conns <- c:
		return nil
	case <-l.done:
		return syscall.ECONNREFUSED
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
