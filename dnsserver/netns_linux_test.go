package dnsserver

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/s3vpce/s3vpce/internal/vpce"
	"golang.org/x/sys/unix"
)

// TestForwardRefusedBeyondLoopback is the open-resolver test: the server's
// sockets are opened in network namespace A, which a veth pair joins to
// namespace B (both made here and removed at cleanup, no host interface
// involved). Queried from B's address outside every VPC, a name outside
// the zones is REFUSED while the endpoint names answer; from loopback in A,
// and from B's second address inside the seed VPC's CIDR, it is forwarded
// (to an upstream on loopback).
func TestForwardRefusedBeyondLoopback(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to create network namespaces (CI runs as root)")
	}
	dig := tool(t, "dig")
	nsA := fmt.Sprintf("s3vpce-dns-%d-a", os.Getpid())
	nsB := fmt.Sprintf("s3vpce-dns-%d-b", os.Getpid())
	ip := func(args ...string) {
		t.Helper()
		if out, err := exec.CommandContext(t.Context(), "ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	for _, ns := range []string{nsA, nsB} {
		ip("netns", "add", ns)
		t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
		ip("-n", ns, "link", "set", "lo", "up")
	}
	// Created in A with its peer in B: neither end is ever in the host's
	// namespace.
	ip("-n", nsA, "link", "add", "veth0", "type", "veth", "peer", "name", "veth0", "netns", nsB)
	const (
		aOutside, bOutside = "10.251.0.1", "10.251.0.2"     // outside every VPC
		aInVPC, bInVPC     = "172.16.251.1", "172.16.251.2" // inside the seed VPC, 172.16.0.0/16
	)
	ip("-n", nsA, "addr", "add", aOutside+"/30", "dev", "veth0")
	ip("-n", nsA, "addr", "add", aInVPC+"/30", "dev", "veth0")
	ip("-n", nsB, "addr", "add", bOutside+"/30", "dev", "veth0")
	ip("-n", nsB, "addr", "add", bInVPC+"/30", "dev", "veth0")
	ip("-n", nsA, "link", "set", "veth0", "up")
	ip("-n", nsB, "link", "set", "veth0", "up")

	up := startUpstream(t)
	listFor := []netip.Prefix{netip.MustParsePrefix(bOutside + "/32")}
	servers := map[string]string{} // config name -> port
	for name, forwardFor := range map[string][]netip.Prefix{"default": nil, "--dns-forward-for " + bOutside: listFor} {
		s, err := New(Config{Topology: vpce.DefaultTopology, Upstream: []string{up}, ForwardFor: forwardFor})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		pc, ln := listenInNetns(t, nsA, "0.0.0.0:0")
		if err := s.Serve(t.Context(), pc, ln); err != nil {
			t.Fatal(err)
		}
		_, port, _ := net.SplitHostPort(pc.LocalAddr().String())
		servers[name] = port
	}

	status := regexp.MustCompile(`status: ([A-Z]+)`)
	tests := []struct {
		server, ns, serverIP, source, qname, want, answer string
	}{
		{"default", nsB, aOutside, bOutside, "example.com", "REFUSED", ""},
		{"default", nsB, aOutside, bOutside, zonal, "NOERROR", "172.16.10.143"},
		{"default", nsA, "127.0.0.1", "127.0.0.1", "example.com", "NOERROR", "192.0.2.1"},
		{"default", nsB, aInVPC, bInVPC, "example.com", "NOERROR", "192.0.2.1"},
		{"--dns-forward-for " + bOutside, nsB, aOutside, bOutside, "example.com", "NOERROR", "192.0.2.1"},
		{"--dns-forward-for " + bOutside, nsB, aInVPC, bInVPC, "example.com", "REFUSED", ""},
		{"--dns-forward-for " + bOutside, nsA, "127.0.0.1", "127.0.0.1", "example.com", "REFUSED", ""},
		{"--dns-forward-for " + bOutside, nsB, aInVPC, bInVPC, zonal, "NOERROR", "172.16.10.143"},
	}
	for _, tc := range tests {
		for _, transport := range []string{"+notcp", "+tcp"} {
			t.Run(fmt.Sprintf("%s/%s from %s/%s", tc.server, strings.SplitN(tc.qname, ".", 2)[0], tc.source, transport), func(t *testing.T) {
				args := []string{"netns", "exec", tc.ns, dig, "@" + tc.serverIP, "-p", servers[tc.server], "-b", tc.source,
					"+time=2", "+tries=1", transport, strings.TrimSuffix(tc.qname, "."), "A"}
				out, err := exec.CommandContext(t.Context(), "ip", args...).CombinedOutput()
				if err != nil {
					t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
				}
				m := status.FindSubmatch(out)
				if m == nil || string(m[1]) != tc.want {
					t.Fatalf("want status %s:\n%s", tc.want, out)
				}
				if tc.answer != "" && !regexp.MustCompile(`\sIN\s+A\s+`+regexp.QuoteMeta(tc.answer)+`\n`).Match(out) {
					t.Errorf("want an A record %s:\n%s", tc.answer, out)
				}
				if tc.answer == "" && strings.Contains(string(out), "ANSWER SECTION") {
					t.Errorf("want no answer:\n%s", out)
				}
			})
		}
	}
}

// listenInNetns opens UDP and TCP sockets on the same addr inside the named
// network namespace. A socket belongs to the namespace of the thread that
// created it, so this happens on a locked thread switched into ns, which
// is never unlocked: it ends with its goroutine instead of going back to
// the pool in the wrong namespace.
func listenInNetns(t *testing.T, ns, addr string) (net.PacketConn, net.Listener) {
	t.Helper()
	type sockets struct {
		pc  net.PacketConn
		ln  net.Listener
		err error
	}
	ch := make(chan sockets, 1)
	go func() {
		runtime.LockOSThread()
		f, err := os.Open("/var/run/netns/" + ns)
		if err != nil {
			ch <- sockets{err: err}
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			ch <- sockets{err: fmt.Errorf("setns %s: %w", ns, err)}
			return
		}
		pc, err := net.ListenPacket("udp4", addr)
		if err != nil {
			ch <- sockets{err: err}
			return
		}
		ln, err := net.Listen("tcp4", pc.LocalAddr().String())
		if err != nil {
			pc.Close()
			ch <- sockets{err: err}
			return
		}
		ch <- sockets{pc: pc, ln: ln}
	}()
	s := <-ch
	if s.err != nil {
		t.Fatal(s.err)
	}
	return s.pc, s.ln
}
