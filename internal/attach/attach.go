// Package attach is the control socket through which `s3vpce exec` borrows a
// running `s3vpce serve`: the server describes its VPC (addresses, resolver,
// CA, credentials), exec opens sockets inside its namespace and hands them
// over, and the server serves on them until exec hangs up. Both sides thus
// share one emulator: the same buckets, policies and CA.
package attach

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"sync"

	"github.com/s3vpce/s3vpce/internal/netns"
)

// SocketName is the control socket's file name in the state directory.
const SocketName = "serve.sock"

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
	conns  map[*net.UnixConn]bool
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
	s := &Server{ln: ln, path: path, hello: hello, attach: attach, log: log, conns: map[*net.UnixConn]bool{}}
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
		s.conns[c] = true
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
	b, err := json.Marshal(s.hello())
	if err != nil {
		return
	}
	if _, err := c.Write(b); err != nil {
		return
	}
	_, files, err := netns.ReceiveFiles(c, 3)
	if err != nil {
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
	defer release()
	s.log.Info("exec attached", "https", socks.HTTPS.Addr().String())
	if _, err := c.Write([]byte("ok")); err != nil {
		return
	}
	buf := make([]byte, 1)
	c.Read(buf) // returns when the client hangs up (or Close)
	s.log.Info("exec detached", "https", socks.HTTPS.Addr().String())
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
// serves on them.
func (cl *Client) Attach(s *netns.Sockets) error {
	files, err := s.Files()
	if err != nil {
		return err
	}
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	if err := netns.SendFiles(cl.c, []byte("attach"), files...); err != nil {
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

// Close detaches: the server stops serving on the handed-over sockets.
func (cl *Client) Close() error { return cl.c.Close() }
