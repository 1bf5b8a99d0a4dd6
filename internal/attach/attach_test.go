package attach

import (
	"encoding/json"
	"net"
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/s3vpce/s3vpce/internal/netns"
)

func loopbackSockets(t *testing.T) *netns.Sockets {
	t.Helper()
	https, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	udp, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &netns.Sockets{HTTPS: https, DNSUDP: udp, DNSTCP: tcp}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestAttachHandsOverWorkingSockets(t *testing.T) {
	path := filepath.Join(t.TempDir(), SocketName)
	want := Hello{Version: 1, Addrs: []netip.Addr{netip.MustParseAddr("172.16.10.143")}, Resolvers: []netip.Addr{netip.MustParseAddr("172.16.0.2")},
		CAFile: "/x/rootCA.pem", Region: "us-east-1", AccessKeyID: "AKID", SecretAccessKey: "secret"}
	got := make(chan *netns.Sockets, 1)
	released := make(chan struct{})
	srv, err := Listen(path, func() Hello { return want }, func(s *netns.Sockets) (func(), error) {
		got <- s
		return func() { s.Close(); close(released) }, nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	if _, err := Listen(path, func() Hello { return want }, nil, nil); err == nil || !strings.Contains(err.Error(), "another s3vpce serve is running") {
		t.Errorf("second Listen on a live socket: %v", err)
	}

	cl, err := Dial(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if cl.Hello.CAFile != want.CAFile || cl.Hello.Addrs[0] != want.Addrs[0] || cl.Hello.Resolvers[0] != want.Resolvers[0] {
		t.Errorf("hello = %+v", cl.Hello)
	}
	local := loopbackSockets(t)
	if err := cl.Attach(local); err != nil {
		t.Fatal(err)
	}
	passed := <-got
	// The server's copy of the HTTPS listener accepts what the client's
	// address receives: the same socket crossed the Unix socket.
	go func() {
		if c, err := passed.HTTPS.Accept(); err == nil {
			c.Write([]byte("hi"))
			c.Close()
		}
	}()
	c, err := net.Dial("tcp", local.HTTPS.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 2)
	if _, err := c.Read(buf); err != nil || string(buf) != "hi" {
		t.Errorf("read through the passed listener: %q %v", buf, err)
	}
	c.Close()
	cl.Close()
	<-released // the server releases the sockets when the client hangs up
}

func TestDialWithoutServer(t *testing.T) {
	if _, err := Dial(t.Context(), filepath.Join(t.TempDir(), SocketName)); err == nil {
		t.Fatal("Dial succeeded with no server")
	}
}

func TestStaleSocketIsReplaced(t *testing.T) {
	path := filepath.Join(t.TempDir(), SocketName)
	ln, err := net.Listen("unixpacket", path)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close() // leaves the file behind, as a crashed serve would
	srv, err := Listen(path, func() Hello { return Hello{} }, func(*netns.Sockets) (func(), error) { return func() {}, nil }, nil)
	if err != nil {
		t.Fatalf("Listen over a stale socket: %v", err)
	}
	srv.Close()
}

// addrHello serves a Hello whose addresses a test changes.
type addrHello struct {
	mu  sync.Mutex
	set netns.AddrSet
}

func (h *addrHello) hello() Hello {
	h.mu.Lock()
	defer h.mu.Unlock()
	return Hello{Version: Version, Addrs: h.set.Addrs, Resolvers: h.set.Resolvers, CAFile: "/x/rootCA.pem"}
}

func (h *addrHello) change(set netns.AddrSet) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.set = set
}

func addrSet(n int, resolver string) netns.AddrSet {
	s := netns.AddrSet{Resolvers: []netip.Addr{netip.MustParseAddr(resolver)}}
	for i := range n {
		s.Addrs = append(s.Addrs, netip.AddrFrom4([4]byte{172, 16, byte(i >> 8), byte(i)}).Next())
	}
	return s
}

func sameSet(a, b netns.AddrSet) bool {
	return slices.Equal(a.Addrs, b.Addrs) && slices.Equal(a.Resolvers, b.Resolvers)
}

// listenTest starts a server whose attach function accepts any sockets
// and reports them on got.
func listenTest(t *testing.T, hello func() Hello) (*Server, string, chan *netns.Sockets) {
	t.Helper()
	path := filepath.Join(t.TempDir(), SocketName)
	got := make(chan *netns.Sockets, 8)
	srv, err := Listen(path, hello, func(s *netns.Sockets) (func(), error) {
		got <- s
		return func() { s.Close() }, nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, path, got
}

func dialAttached(t *testing.T, path string) *Client {
	t.Helper()
	cl, err := Dial(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	if err := cl.Attach(loopbackSockets(t)); err != nil {
		t.Fatal(err)
	}
	return cl
}

// TestPushesAddressChanges: after a change and Refresh, an attached
// client's Next returns the new address set; a change made between the
// hello and the attachment is not lost.
func TestPushesAddressChanges(t *testing.T) {
	h := &addrHello{set: addrSet(1, "172.16.0.2")}
	srv, path, _ := listenTest(t, h.hello)
	cl, err := Dial(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if cl.Hello.Version != Version {
		t.Errorf("hello version %d, want %d", cl.Hello.Version, Version)
	}
	early := addrSet(2, "172.16.0.2")
	h.change(early) // before Attach, and no Refresh: the attachment itself catches up
	if err := cl.Attach(loopbackSockets(t)); err != nil {
		t.Fatal(err)
	}
	if got, err := cl.Next(t.Context()); err != nil || !sameSet(got, early) {
		t.Fatalf("first Next: %v, %v; want the set changed before the attachment", got, err)
	}
	for i, want := range []netns.AddrSet{addrSet(3, "172.16.0.2"), addrSet(1, "172.31.0.2"), {}} {
		h.change(want)
		srv.Refresh()
		got, err := cl.Next(t.Context())
		if err != nil || !sameSet(got, want) {
			t.Fatalf("change %d: %+v, %v; want %+v", i, got, err, want)
		}
	}
}

// TestSlowClientHoldsNothingUp: a client that never reads (its socket
// buffer full) holds up neither Refresh nor the pushes to another client,
// which ends with the newest set; Close still returns.
func TestSlowClientHoldsNothingUp(t *testing.T) {
	h := &addrHello{set: addrSet(1, "172.16.0.2")}
	srv, path, _ := listenTest(t, h.hello)
	dialAttached(t, path) // never reads
	fast := dialAttached(t, path)
	var last netns.AddrSet
	for i := range 100 { // ~5 MB in all: far more than a socket buffer
		last = addrSet(4000-i, "172.16.0.2")
		h.change(last)
		srv.Refresh()
	}
	for {
		got, err := fast.Next(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if sameSet(got, last) {
			break
		}
	}
	if err := srv.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// TestVersion1Client: a client that says plain "attach" (version 1) is
// served and never pushed to.
func TestVersion1Client(t *testing.T) {
	h := &addrHello{set: addrSet(1, "172.16.0.2")}
	srv, path, got := listenTest(t, h.hello)
	old, err := Dial(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	files, err := loopbackSockets(t).Files()
	if err != nil {
		t.Fatal(err)
	}
	if err := netns.SendFiles(old.c, []byte("attach"), files...); err != nil {
		t.Fatal(err)
	}
	closeFiles(files)
	buf := make([]byte, 64)
	if n, err := old.c.Read(buf); err != nil || string(buf[:n]) != "ok" {
		t.Fatalf("version 1 attach: %q, %v", buf[:n], err)
	}
	<-got
	fresh := dialAttached(t, path)
	h.change(addrSet(2, "172.16.0.2"))
	srv.Refresh()
	if _, err := fresh.Next(t.Context()); err != nil {
		t.Fatal(err)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	subscribed := 0
	for _, wake := range srv.conns {
		if wake != nil {
			subscribed++
		}
	}
	if len(srv.conns) != 2 || subscribed != 1 {
		t.Errorf("%d clients, %d pushed to; want 2 and 1 (the version 1 client is not)", len(srv.conns), subscribed)
	}
}

// TestServeDNSOverAttach: DNS sockets a client hands over after attaching
// reach the server's attach function (without HTTPS) and carry traffic.
func TestServeDNSOverAttach(t *testing.T) {
	h := &addrHello{set: addrSet(1, "172.16.0.2")}
	_, path, got := listenTest(t, h.hello)
	cl := dialAttached(t, path)
	<-got // the attachment's own sockets
	local := loopbackSockets(t)
	if err := cl.ServeDNS(local); err != nil {
		t.Fatal(err)
	}
	dns := <-got
	if dns.HTTPS != nil || dns.DNSUDP == nil || dns.DNSTCP == nil {
		t.Fatalf("handed-over DNS sockets: %+v", dns)
	}
	go func() {
		buf := make([]byte, 16)
		if n, from, err := dns.DNSUDP.ReadFrom(buf); err == nil {
			dns.DNSUDP.WriteTo(buf[:n], from)
		}
	}()
	c, err := net.Dial("udp", local.DNSUDP.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("query"))
	buf := make([]byte, 16)
	if n, err := c.Read(buf); err != nil || string(buf[:n]) != "query" {
		t.Errorf("through the handed-over UDP socket: %q, %v", buf[:n], err)
	}
}

// fakeServer speaks the server's side by hand: hello, then after the
// attachment's "ok", the messages given.
func fakeServer(t *testing.T, hello Hello, msgs ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), SocketName)
	ln, err := net.ListenUnix("unixpacket", &net.UnixAddr{Name: path, Net: "unixpacket"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.AcceptUnix()
		if err != nil {
			return
		}
		defer c.Close()
		b, _ := json.Marshal(hello)
		c.Write(b)
		_, files, err := netns.ReceiveFiles(c, 3)
		closeFiles(files)
		if err != nil {
			return
		}
		c.Write([]byte("ok"))
		for _, m := range msgs {
			c.Write([]byte(m))
		}
		c.Read(make([]byte, 1))
	}()
	return path
}

// TestNextRejectsMalformed: a message from the server that is not a valid
// addrs message is an error from Next, never a panic; a version 1 server
// is not sent DNS sockets.
func TestNextRejectsMalformed(t *testing.T) {
	for _, tc := range []struct{ name, msg, wantErr string }{
		{"garbage", "\x00\xff", "not an addrs message"},
		{"bad json", `addrs {"addrs":[`, "addrs message"},
		{"loopback", `addrs {"addrs":["127.0.0.1"]}`, "127.0.0.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl, err := Dial(t.Context(), fakeServer(t, Hello{Version: Version}, tc.msg))
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			if err := cl.Attach(loopbackSockets(t)); err != nil {
				t.Fatal(err)
			}
			if _, err := cl.Next(t.Context()); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Next: %v, want an error containing %q", err, tc.wantErr)
			}
		})
	}
	t.Run("version 1 server", func(t *testing.T) {
		cl, err := Dial(t.Context(), fakeServer(t, Hello{Version: 1}))
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		if err := cl.ServeDNS(loopbackSockets(t)); err == nil || !strings.Contains(err.Error(), "restart it") {
			t.Errorf("ServeDNS to a version 1 server: %v", err)
		}
	})
}

func TestAttachVersion(t *testing.T) {
	for _, tc := range []struct {
		msg string
		v   int
		ok  bool
	}{
		{"attach", 1, true},
		{"attach 2", 2, true},
		{"attach 3", 3, true},
		{"attach 0", 0, false},
		{"attach 02", 0, false},
		{"attach  2", 0, false},
		{"attach2", 0, false},
		{"attach x", 0, false},
		{"dns", 0, false},
		{"", 0, false},
	} {
		t.Run(strconv.Quote(tc.msg), func(t *testing.T) {
			if v, ok := attachVersion([]byte(tc.msg)); v != tc.v || ok != tc.ok {
				t.Errorf("got %d %v, want %d %v", v, ok, tc.v, tc.ok)
			}
		})
	}
}

// TestPushesEveryChange: a version 3 client is pushed the addresses on
// every Refresh, unchanged ones too; a version 2 client only changed ones
// (its first Next is the change, not the unchanged set before it).
func TestPushesEveryChange(t *testing.T) {
	h := &addrHello{set: addrSet(1, "172.16.0.2")}
	srv, path, _ := listenTest(t, h.hello)
	v3 := dialAttached(t, path)
	v2, err := Dial(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer v2.Close()
	files, err := loopbackSockets(t).Files()
	if err != nil {
		t.Fatal(err)
	}
	if err := netns.SendFiles(v2.c, []byte("attach 2"), files...); err != nil {
		t.Fatal(err)
	}
	closeFiles(files)
	buf := make([]byte, 64)
	if n, err := v2.c.Read(buf); err != nil || string(buf[:n]) != "ok" {
		t.Fatalf("version 2 attach: %q, %v", buf[:n], err)
	}
	same := h.hello()
	srv.Refresh() // nothing changed
	if got, err := v3.Next(t.Context()); err != nil || !sameSet(got, netns.AddrSet{Addrs: same.Addrs, Resolvers: same.Resolvers}) {
		t.Fatalf("version 3 after an unchanged Refresh: %+v, %v; want the same set again", got, err)
	}
	changed := addrSet(2, "172.16.0.2")
	h.change(changed)
	srv.Refresh()
	if got, err := v2.Next(t.Context()); err != nil || !sameSet(got, changed) {
		t.Fatalf("version 2: %+v, %v; want only the change", got, err)
	}
	if got, err := v3.Next(t.Context()); err != nil || !sameSet(got, changed) {
		t.Fatalf("version 3: %+v, %v; want the change", got, err)
	}
}

// TestHTTPOverAttach: a plain HTTP socket goes to a server of version 3
// (and carries traffic there); to an older one it is not sent (the
// server's hello says version 2), and a version 2 attachment with four
// sockets is refused.
func TestHTTPOverAttach(t *testing.T) {
	withHTTP := func(t *testing.T) *netns.Sockets {
		s := loopbackSockets(t)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		s.HTTP = ln
		return s
	}
	t.Run("version 3", func(t *testing.T) {
		_, path, got := listenTest(t, func() Hello { return Hello{Version: Version} })
		cl, err := Dial(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		local := withHTTP(t)
		if err := cl.Attach(local); err != nil {
			t.Fatal(err)
		}
		passed := <-got
		if passed.HTTP == nil {
			t.Fatal("the server got no HTTP socket")
		}
		go func() {
			if c, err := passed.HTTP.Accept(); err == nil {
				c.Write([]byte("hi"))
				c.Close()
			}
		}()
		c, err := net.Dial("tcp", local.HTTP.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		buf := make([]byte, 2)
		if _, err := c.Read(buf); err != nil || string(buf) != "hi" {
			t.Errorf("read through the passed HTTP listener: %q %v", buf, err)
		}
	})
	t.Run("version 2 server", func(t *testing.T) {
		_, path, got := listenTest(t, func() Hello { return Hello{Version: 2} })
		cl, err := Dial(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		local := withHTTP(t)
		if err := cl.Attach(local); err != nil {
			t.Fatal(err)
		}
		if passed := <-got; passed.HTTP != nil || local.HTTP != nil {
			t.Errorf("HTTP socket handed to a version 2 server (server %v, client %v)", passed.HTTP, local.HTTP)
		}
	})
	t.Run("four sockets with attach 2", func(t *testing.T) {
		_, path, _ := listenTest(t, func() Hello { return Hello{Version: Version} })
		cl, err := Dial(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		files, err := withHTTP(t).Files()
		if err != nil {
			t.Fatal(err)
		}
		defer closeFiles(files)
		if err := netns.SendFiles(cl.c, []byte("attach 2"), files...); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 256)
		if n, err := cl.c.Read(buf); err != nil || !strings.HasPrefix(string(buf[:n]), "error: ") {
			t.Errorf("answer %q, %v; want an error", buf[:n], err)
		}
	})
}
