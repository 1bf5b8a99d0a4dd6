package netns

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// probeEnv makes this test binary, run as the command, a probe (TestMain).
const probeEnv = "S3VPCE_NETNS_PROBE"

// probe answers each line "tcp ADDR:PORT" or "udp ADDR:PORT" from in with
// one line on out: what the server sent (tcp: its greeting; udp: its
// answer to "ping"), or "down" when the address does not answer.
func probe(in io.Reader, out io.Writer) int {
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		network, addr, _ := strings.Cut(sc.Text(), " ")
		c, err := net.DialTimeout(network, addr, 5*time.Second)
		got := "down"
		if err == nil {
			c.SetDeadline(time.Now().Add(5 * time.Second))
			if network == "udp" {
				c.Write([]byte("ping"))
			}
			buf := make([]byte, 64)
			if n, err := c.Read(buf); err == nil {
				got = string(buf[:n])
			}
			c.Close()
		}
		fmt.Fprintln(out, got)
	}
	return 0
}

// greet answers every connection ln accepts with msg, until ln closes.
func greet(ln net.Listener, msg string) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		c.Write([]byte(msg))
		c.Close()
	}
}

// pong answers every datagram pc receives with msg, until pc closes.
func pong(pc net.PacketConn, msg string) {
	buf := make([]byte, 64)
	for {
		_, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		pc.WriteTo([]byte(msg), from)
	}
}

func addrs(s ...string) []netip.Addr {
	var out []netip.Addr
	for _, a := range s {
		out = append(out, netip.MustParseAddr(a))
	}
	return out
}

// TestUpdateFollowsAddresses: addresses given to Update appear on the
// namespace's loopback (the HTTPS socket, on the wildcard address, answers
// on them), before and while the command runs; addresses left out stop
// answering, and come back when given again; a new resolver address gets
// DNS sockets (UDP and TCP) handed to the parent, which keep working when
// the address goes and comes back; a malformed message gets an error and
// changes nothing; once the command is gone, Update fails.
func TestUpdateFollowsAddresses(t *testing.T) {
	needRoot(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	inR, inW, _ := os.Pipe()
	outR, outW, _ := os.Pipe()
	t.Cleanup(func() { inR.Close(); inW.Close(); outR.Close(); outW.Close() })
	cfg := Config{
		Addrs:     addrs("172.16.10.143"),
		Resolvers: addrs("172.16.0.2"),
		HTTPSPort: 443,
		Command:   []string{self},
		Env:       []string{probeEnv + "=1"},
	}
	c, err := Start(t.Context(), cfg, inR, outW, os.Stderr)
	inR.Close()
	outW.Close()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Sockets.Close() })
	go greet(c.Sockets.HTTPS, "https")

	// Before the command runs (exec's first update can come then).
	socks, err := c.Update(t.Context(), AddrSet{Addrs: addrs("172.16.10.143", "172.16.20.10"), Resolvers: addrs("172.16.0.2", "172.31.0.2")})
	if err != nil {
		t.Fatal(err)
	}
	if len(socks) != 1 {
		t.Fatalf("%d new DNS socket pairs, want 1 (172.31.0.2's)", len(socks))
	}
	t.Cleanup(func() { socks[0].Close() })
	if got := socks[0].DNSTCP.Addr().String(); got != "172.31.0.2:53" {
		t.Errorf("new DNS socket on %s, want 172.31.0.2:53", got)
	}
	go greet(socks[0].DNSTCP, "dns-tcp")
	go pong(socks[0].DNSUDP, "dns-udp")

	waited := make(chan int, 1)
	go func() {
		code, _ := c.Run(nil)
		waited <- code
	}()
	answers := bufio.NewScanner(outR)
	ask := func(q string) string {
		t.Helper()
		fmt.Fprintln(inW, q)
		if !answers.Scan() {
			t.Fatalf("probe gone: %v", answers.Err())
		}
		return answers.Text()
	}
	expect := func(step string, want map[string]string) {
		t.Helper()
		for _, q := range slices.Sorted(func(yield func(string) bool) {
			for q := range want {
				if !yield(q) {
					return
				}
			}
		}) {
			if got := ask(q); got != want[q] {
				t.Errorf("%s: %s answered %q, want %q", step, q, got, want[q])
			}
		}
	}
	expect("added before the start", map[string]string{
		"tcp 172.16.10.143:443": "https",
		"tcp 172.16.20.10:443":  "https",
		"udp 172.31.0.2:53":     "dns-udp",
		"tcp 172.31.0.2:53":     "dns-tcp",
	})

	update := func(set AddrSet, wantDNS int) {
		t.Helper()
		socks, err := c.Update(t.Context(), set)
		if err != nil {
			t.Fatal(err)
		}
		if len(socks) != wantDNS {
			t.Errorf("%d new DNS socket pairs, want %d", len(socks), wantDNS)
		}
		for _, s := range socks {
			s.Close()
		}
	}
	update(AddrSet{Addrs: addrs("172.16.10.143"), Resolvers: addrs("172.16.0.2")}, 0)
	expect("removed while running", map[string]string{
		"tcp 172.16.10.143:443": "https",
		"tcp 172.16.20.10:443":  "down",
		"udp 172.31.0.2:53":     "down",
	})
	update(AddrSet{Addrs: addrs("172.16.10.143", "172.16.20.10"), Resolvers: addrs("172.16.0.2", "172.31.0.2")}, 0)
	expect("added back while running", map[string]string{
		"tcp 172.16.20.10:443": "https",
		"udp 172.31.0.2:53":    "dns-udp",
		"tcp 172.31.0.2:53":    "dns-tcp",
	})

	// A malformed message reaches init: it answers with an error, changes
	// nothing and goes on.
	if _, err := c.conn.Write([]byte(`addrs {"addrs":["172.16.99.1"],"resolvers":["not an address"]}`)); err != nil {
		t.Fatal(err)
	}
	if ans, _, err := ReceiveFiles(c.conn, 0); err != nil || !strings.HasPrefix(string(ans), "error: ") {
		t.Errorf("answer to a malformed message: %q, %v; want an error", ans, err)
	}
	expect("after a malformed message", map[string]string{
		"tcp 172.16.99.1:443":  "down",
		"tcp 172.16.20.10:443": "https",
	})
	// Endpoints are IPv4 only (vpce: IpAddressType ipv4), so no IPv6
	// address is ever sent; an address leaving the set goes down.
	update(AddrSet{Addrs: addrs("172.16.10.143"), Resolvers: addrs("172.16.0.2")}, 0)
	expect("removed", map[string]string{
		"tcp 172.16.10.143:443": "https",
		"tcp 172.16.20.10:443":  "down",
	})

	inW.Close() // the probe exits
	if code := <-waited; code != 0 {
		t.Errorf("command exit %d", code)
	}
	if _, err := c.Update(t.Context(), AddrSet{}); err == nil {
		t.Error("Update after the command ended succeeded")
	}
}

func TestAddrsMessage(t *testing.T) {
	for _, tc := range []struct {
		name    string
		msg     string
		want    AddrSet
		wantErr string
	}{
		{name: "both", msg: `addrs {"addrs":["172.16.10.143","2001:db8::1"],"resolvers":["172.16.0.2"]}`,
			want: AddrSet{Addrs: addrs("172.16.10.143", "2001:db8::1"), Resolvers: addrs("172.16.0.2")}},
		{name: "empty", msg: `addrs {}`, want: AddrSet{}},
		{name: "unknown field from a newer sender", msg: `addrs {"addrs":["10.0.0.1"],"subnets":["10.0.0.0/24"]}`,
			want: AddrSet{Addrs: addrs("10.0.0.1")}},
		{name: "trailing space", msg: "addrs {}\n", want: AddrSet{}},
		{name: "no prefix", msg: `{"addrs":[]}`, wantErr: "not an addrs message"},
		{name: "signal", msg: "sig 15", wantErr: "not an addrs message"},
		{name: "null", msg: "addrs null", wantErr: "want a JSON object"},
		{name: "array", msg: `addrs ["10.0.0.1"]`, wantErr: "want a JSON object"},
		{name: "truncated", msg: `addrs {"addrs":["10.0.0.1"`, wantErr: "addrs message"},
		{name: "trailing data", msg: `addrs {}}`, wantErr: "data after the JSON object"},
		{name: "two objects", msg: `addrs {} {}`, wantErr: "data after the JSON object"},
		{name: "bad address", msg: `addrs {"addrs":["172.16.10.300"]}`, wantErr: "addrs message"},
		{name: "empty address", msg: `addrs {"addrs":[""]}`, wantErr: "addrs[0]: no address"},
		{name: "zone", msg: `addrs {"resolvers":["fe80::1%eth0"]}`, wantErr: "resolvers[0]"},
		{name: "loopback", msg: `addrs {"addrs":["10.0.0.1","127.0.0.1"]}`, wantErr: "addrs[1]: 127.0.0.1: not an address"},
		{name: "unspecified", msg: `addrs {"addrs":["0.0.0.0"]}`, wantErr: "not an address"},
		{name: "multicast", msg: `addrs {"addrs":["224.0.0.1"]}`, wantErr: "not an address"},
		{name: "mapped", msg: `addrs {"addrs":["::ffff:10.0.0.1"]}`, wantErr: "IPv4-mapped"},
		{name: "number", msg: `addrs {"addrs":[167772161]}`, wantErr: "addrs message"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseAddrsMessage([]byte(tc.msg))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Addrs, tc.want.Addrs) || !slices.Equal(got.Resolvers, tc.want.Resolvers) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			b, err := AppendAddrsMessage(nil, got)
			if err != nil {
				t.Fatal(err)
			}
			again, err := ParseAddrsMessage(b)
			if err != nil || !slices.Equal(again.Addrs, got.Addrs) || !slices.Equal(again.Resolvers, got.Resolvers) {
				t.Errorf("round trip of %s: %+v, %v", b, again, err)
			}
		})
	}
}

func TestAddrsMessageLimits(t *testing.T) {
	big := AddrSet{}
	for i := range MaxAddrs {
		big.Addrs = append(big.Addrs, netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, byte(i >> 8), byte(i)}))
	}
	b, err := AppendAddrsMessage(nil, big)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > MaxAddrsMessage {
		t.Errorf("%d addresses make a %d-byte message, more than MaxAddrsMessage %d", MaxAddrs, len(b), MaxAddrsMessage)
	}
	// It fits one datagram of a socket pair like init's.
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fds[0])
	defer syscall.Close(fds[1])
	if _, err := syscall.Write(fds[0], b); err != nil {
		t.Fatalf("send the largest addrs message (%d bytes): %v", len(b), err)
	}
	buf := make([]byte, MaxAddrsMessage)
	if n, err := syscall.Read(fds[1], buf); err != nil || !bytes.Equal(buf[:n], b) {
		t.Errorf("received %d bytes, %v; want the %d sent", n, err, len(b))
	}
	big.Resolvers = addrs("10.0.0.2")
	if _, err := AppendAddrsMessage(nil, big); err == nil {
		t.Errorf("%d addresses encoded, want an error", MaxAddrs+1)
	}
	if _, err := AppendAddrsMessage(nil, AddrSet{Addrs: addrs("127.0.0.1")}); err == nil {
		t.Error("a loopback address encoded, want an error")
	}
}

func TestUpdateAnswers(t *testing.T) {
	for _, tc := range []struct {
		msg  string
		n    int
		fail bool
	}{
		{"addrs ok 0", 0, false},
		{"addrs ok 3", 3, false},
		{"addrs ok -1", 0, true},
		{"addrs ok 03", 0, true},
		{"addrs ok 99999", 0, true},
		{"addrs ok", 0, true},
		{"ok", 0, true},
	} {
		t.Run(tc.msg, func(t *testing.T) {
			n, err := parseAddrsOK([]byte(tc.msg))
			if n != tc.n || (err != nil) != tc.fail {
				t.Errorf("got %d, %v; want %d, failure %v", n, err, tc.n, tc.fail)
			}
		})
	}
	for _, tc := range []struct {
		msg  string
		fail bool
	}{
		{"dns 172.31.0.2", false},
		{"dns 2001:db8::2", false},
		{"dns 127.0.0.1", true},
		{"dns ", true},
		{"dns 172.31.0.2 x", true},
	} {
		t.Run(tc.msg, func(t *testing.T) {
			if _, err := parseDNSMessage([]byte(tc.msg)); (err != nil) != tc.fail {
				t.Errorf("error %v, want failure %v", err, tc.fail)
			}
		})
	}
}

// FuzzParseAddrsMessage: the parser never panics, and what it accepts
// encodes to a message that parses to the same set.
func FuzzParseAddrsMessage(f *testing.F) {
	for _, s := range []string{
		`addrs {"addrs":["172.16.10.143"],"resolvers":["172.16.0.2"]}`,
		`addrs {"addrs":["2001:db8::1"]}`,
		`addrs {}`, `addrs null`, `addrs {"addrs":[""]}`, "sig 15", "go", "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseAddrsMessage(b)
		if err != nil {
			return
		}
		enc, err := AppendAddrsMessage(nil, s)
		if err != nil {
			t.Fatalf("accepted %q but cannot encode it: %v", b, err)
		}
		again, err := ParseAddrsMessage(enc)
		if err != nil || !slices.Equal(again.Addrs, s.Addrs) || !slices.Equal(again.Resolvers, s.Resolvers) {
			t.Fatalf("round trip of %q: %+v, %v; want %+v", b, again, err, s)
		}
	})
}
