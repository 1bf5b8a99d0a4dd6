package attach

import (
	"net"
	"net/netip"
	"path/filepath"
	"strings"
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
