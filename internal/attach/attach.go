// Package attach is the control socket through which `s3vpce exec` borrows a
// running `s3vpce serve`: the server describes its VPC (addresses, resolver,
// CA, credentials), exec opens sockets inside its namespace and hands them
// over, and the server serves on them until exec hangs up. Both sides thus
// share one emulator: the same buckets, policies and CA.
package attach

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/s3vpce/s3vpce/internal/netns"
)

// SocketName is the control socket's file name in the state directory.
const SocketName = "serve.sock"

// Version is this package's protocol version, sent in Hello.Version.
//
//	1  hello; "attach" with the HTTPS, DNS UDP and DNS TCP sockets; "ok" or
//	   "error: TEXT"; then the server serves until the client hangs up.
//	2  the client says "attach 2"; after "ok" the server sends an addrs
//	   message (netns.AppendAddrsMessage) whenever the addresses of its
//	   topology change, and the client may send "dns" with the UDP and TCP
//	   sockets of a resolver address that it added, to be served too.
//	   A client sends "dns" only to a server of version 2 or later; a
//	   server pushes only to a client that said "attach 2" or later.
//	3  the client says "attach 3" and may hand over a fourth socket after
//	   the three, plain HTTP (netns.Sockets.HTTP); the server then pushes
//	   an addrs message on every change of its topology, even when the
//	   addresses stay the same, so that the client can read what else
//	   changed (exec --instance: security groups, routes) from the admin
//	   API. A client hands over HTTP only to a server of version 3 or
//	   later; a server pushes unchanged addresses only to a client that
//	   said "attach 3" or later.
const Version = 3

// Hello is what the server tells a client first.
type Hello struct {
	Version         int          `json:"version"`
	Addrs           []netip.Addr `json:"addrs"`
	Resolvers       []netip.Addr `json:"resolvers"`
	SearchDomain    string       `json:"search_domain,omitempty"`
	CAFile          string       `json:"ca_file"`
	Region          string       `json:"region"`
	AccessKeyID     string       `json:"access_key_id"`
	SecretAccessKey string       `json:"secret_access_key"`
}

// AttachFunc serves on sockets handed over by a client and returns a
// function that stops serving on them.
type AttachFunc func(*netns.Sockets) (release func(), err error)

// Server accepts exec clients on a Unix socket.
type Server struct {
	ln     *net.UnixListener
	path   string
	hello  func() Hello
	attach AttachFunc
	log    *slog.Logger
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  map[*net.UnixConn]chan struct{} // a client's wake-up channel (nil before it is attached, or for version 1)
	closed bool
}

// Listen creates the control socket at path (mode 0600). A stale socket
// left by a server that died is replaced; a live one is an error.
func Listen(path string, hello func() Hello, attach AttachFunc, log *slog.Logger) (*Server, error) {
	if c, err := net.Dial("unixpacket", path); err == nil {
		c.Close()
		return nil, fmt.Errorf("attach: another s3vpce serve is running (its control socket %s answers)", path)
	}
	os.Remove(path)
	ln, err := net.ListenUnix("unixpacket", &net.UnixAddr{Name: path, Net: "unixpacket"})
	if err != nil {
		return nil, fmt.Errorf("attach: listen %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("attach: chmod %s: %w", path, err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{ln: ln, path: path, hello: hello, attach: attach, log: log, conns: map[*net.UnixConn]chan struct{}{}}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.AcceptUnix()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = nil
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			s.handle(c)
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
		}()
	}
}

func (s *Server) handle(c *net.UnixConn) {
	defer c.Close()
	hello := s.hello()
	b, err := json.Marshal(hello)
	if err != nil {
		return
	}
	if _, err := c.Write(b); err != nil {
		return
	}
	msg, files, err := netns.ReceiveFiles(c, 4)
	if err != nil {
		return
	}
	version, ok := attachVersion(msg)
	if !ok || version < 3 && len(files) > 3 {
		closeFiles(files)
		c.Write([]byte(fmt.Sprintf("error: attach: unexpected message %.40q with %d sockets", msg, len(files))))
		return
	}
	socks, err := netns.SocketsFromFiles(files)
	if err != nil {
		c.Write([]byte("error: " + err.Error()))
		return
	}
	release, err := s.attach(socks)
	if err != nil {
		socks.Close()
		c.Write([]byte("error: " + err.Error()))
		return
	}
	releases := []func(){release}
	defer func() {
		for _, r := range releases {
			r()
		}
	}()
	log := s.log.With("https", socks.HTTPS.Addr().String())
	log.Info("exec attached", "version", version)
	if _, err := c.Write([]byte("ok")); err != nil {
		return
	}
	if version >= 2 {
		done := make(chan struct{})
		pushed := make(chan struct{})
		defer func() {
			close(done)
			c.Close() // unblocks a push to a client that does not read
			<-pushed
		}()
		wake := s.subscribe(c)
		go func() {
			defer close(pushed)
			s.push(c, wake, done, netns.AddrSet{Addrs: hello.Addrs, Resolvers: hello.Resolvers}, version >= 3, log)
		}()
	}
	// Until the client hangs up (or Close): its DNS sockets for resolver
	// addresses it added.
	for {
		msg, files, err := netns.ReceiveFiles(c, 2)
		if err != nil {
			break
		}
		if string(msg) != msgDNS {
			closeFiles(files)
			log.Warn("exec sent an unexpected message", "msg", fmt.Sprintf("%.40q", msg))
			continue
		}
		dns, err := netns.DNSSocketsFromFiles(files)
		if err == nil {
			var r func()
			if r, err = s.attach(dns); err == nil {
				releases = append(releases, r)
				log.Info("exec added a resolver", "dns", dns.DNSTCP.Addr().String())
				continue
			}
			dns.Close()
		}
		log.Warn("exec's DNS sockets", "err", err)
	}
	log.Info("exec detached")
}

// msgDNS is a client's message carrying a new resolver's DNS sockets.
const msgDNS = "dns"

// attachVersion is the protocol version of an "attach" message: "attach"
// alone is version 1.
func attachVersion(msg []byte) (int, bool) {
	v, ok := strings.CutPrefix(string(msg), "attach")
	if !ok {
		return 0, false
	}
	if v == "" {
		return 1, true
	}
	n, err := strconv.Atoi(strings.TrimPrefix(v, " "))
	if err != nil || n < 1 || v != " "+strconv.Itoa(n) {
		return 0, false
	}
	return n, true
}

// subscribe gives an attached client's connection a wake-up channel.
func (s *Server) subscribe(c *net.UnixConn) chan struct{} {
	wake := make(chan struct{}, 1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.conns[c]; ok {
		s.conns[c] = wake
	}
	return wake
}

// push sends the client the hello's addresses whenever they differ from
// the last ones it was sent (sent: those of its hello), when woken by
// Refresh and once at the start, until done; with every, on every wake
// by Refresh even when they do not. A client that does not read holds up
// only this goroutine.
func (s *Server) push(c *net.UnixConn, wake, done <-chan struct{}, sent netns.AddrSet, every bool, log *slog.Logger) {
	woken := false
	for {
		h := s.hello()
		now := netns.AddrSet{Addrs: h.Addrs, Resolvers: h.Resolvers}
		if woken && every || !slices.Equal(now.Addrs, sent.Addrs) || !slices.Equal(now.Resolvers, sent.Resolvers) {
			msg, err := netns.AppendAddrsMessage(nil, now)
			if err != nil {
				log.Warn("exec cannot follow the topology", "err", err)
			} else if _, err := c.Write(msg); err != nil {
				return // hung up, or Close
			}
			sent = now
		}
		select {
		case <-done:
			return
		case <-wake:
			woken = true
		}
	}
}

// Refresh tells every attached client the addresses of the current hello,
// if they changed since it was last told. It never blocks: a client busy
// or slow gets the newest addresses once it has taken the previous ones.
func (s *Server) Refresh() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, wake := range s.conns {
		if wake == nil {
			continue
		}
		select {
		case wake <- struct{}{}:
		default:
		}
	}
}

func closeFiles(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}

// Close stops accepting, hangs up on attached clients, waits for their
// sockets to be released and removes the socket file.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	err := s.ln.Close()
	s.wg.Wait()
	os.Remove(s.path)
	return err
}

// Client is exec's side of the control socket.
type Client struct {
	c *net.UnixConn
	// Hello is the server's description of its VPC.
	Hello Hello
}

// Dial connects to the control socket. An error wrapping os.ErrNotExist
// or a refused connection means no server is running.
func Dial(ctx context.Context, path string) (*Client, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "unixpacket", path)
	if err != nil {
		return nil, err
	}
	uc := c.(*net.UnixConn)
	buf := make([]byte, 64<<10)
	n, err := uc.Read(buf)
	if err != nil {
		uc.Close()
		return nil, fmt.Errorf("attach: read hello: %w", err)
	}
	cl := &Client{c: uc}
	if err := json.Unmarshal(buf[:n], &cl.Hello); err != nil {
		uc.Close()
		return nil, fmt.Errorf("attach: bad hello: %w", err)
	}
	return cl, nil
}

// Attach hands the namespace's sockets to the server and waits until it
// serves on them. The plain HTTP socket, if any, goes only to a server of
// version 3 or later (ServesHTTP); it is closed otherwise.
func (cl *Client) Attach(s *netns.Sockets) error {
	if s.HTTP != nil && !cl.ServesHTTP() {
		s.HTTP.Close()
		s.HTTP = nil
	}
	files, err := s.Files()
	if err != nil {
		return err
	}
	defer closeFiles(files)
	if err := netns.SendFiles(cl.c, []byte("attach "+strconv.Itoa(Version)), files...); err != nil {
		return err
	}
	buf := make([]byte, 4096)
	n, err := cl.c.Read(buf)
	if err != nil {
		return fmt.Errorf("attach: server hung up: %w", err)
	}
	if string(buf[:n]) != "ok" {
		return errors.New("attach: " + string(buf[:n]))
	}
	return nil
}

// ServesHTTP reports whether the server takes a plain HTTP socket.
func (cl *Client) ServesHTTP() bool { return cl.Hello.Version >= 3 }

// Next waits, after Attach, for the server's next address set: it sends
// one whenever the addresses of its topology change (a server of version
// 3 or later: whenever its topology changes). A server older than
// version 2 sends none: Next then returns when it hangs up. A malformed
// message is an error; so is ctx ending (and Next must not be called
// again then).
func (cl *Client) Next(ctx context.Context) (netns.AddrSet, error) {
	stop := context.AfterFunc(ctx, func() { cl.c.SetReadDeadline(time.Now()) })
	defer stop()
	buf := make([]byte, netns.MaxAddrsMessage)
	n, err := cl.c.Read(buf)
	if ctx.Err() != nil {
		return netns.AddrSet{}, context.Cause(ctx)
	}
	if err != nil || n == 0 {
		return netns.AddrSet{}, fmt.Errorf("attach: server hung up: %w", cmp.Or(err, io.EOF))
	}
	set, err := netns.ParseAddrsMessage(buf[:n])
	if err != nil {
		return netns.AddrSet{}, fmt.Errorf("attach: from the server: %w", err)
	}
	return set, nil
}

// ServeDNS hands the server the DNS sockets (UDP, TCP) of a resolver
// address added to the namespace, to serve on them until Close. The
// server must be of version 2 or later.
func (cl *Client) ServeDNS(s *netns.Sockets) error {
	if cl.Hello.Version < 2 {
		return fmt.Errorf("attach: the running serve (protocol version %d) cannot serve DNS on a new resolver address: restart it", cl.Hello.Version)
	}
	files, err := s.DNSFiles()
	if err != nil {
		return err
	}
	defer closeFiles(files)
	return netns.SendFiles(cl.c, []byte(msgDNS), files...)
}

// Close detaches: the server stops serving on the handed-over sockets.
func (cl *Client) Close() error { return cl.c.Close() }
