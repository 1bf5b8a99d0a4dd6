package netns

import (
	"bufio"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// instanceRuleset is the packet filter of TestInstance's router namespace:
// TCP 443 to the public address is dropped, everything else accepted.
const instanceRuleset = `table inet s3vpce_test {
	chain input {
		type filter hook input priority 0; policy accept;
		iifname "` + RouterLink + `" ip daddr 52.216.53.32 tcp dport 443 drop
	}
}
`

func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s (apt-get install -y hping3 nftables)", tool)
		}
	}
}

// TestInstance runs a command as an instance: its host name and
// resolv.conf are the instance's; a connection to a router address comes
// from the instance's address (the listener sees it); a port the router's
// ruleset drops gets no answer at all (hping3: 100% loss, so no RST) while
// an accepted one answers SYN-ACK; the resolver answers through the veth.
// Once the command has ended nothing is left: no process in its network
// namespace, no interface on the host.
func TestInstance(t *testing.T) {
	needRoot(t)
	needTools(t, "nft", "nsenter", "hping3")
	hostLinks := linkNames(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	script := `hostname
cat /etc/resolv.conf
readlink /proc/self/ns/net > "$NSFILE"
printf 'tcp 172.16.10.143:443\ntcp 52.216.53.32:80\nudp 172.16.0.2:53\n' | S3VPCE_NETNS_PROBE=1 "$PROBE"
hping3 -c 1 -S -p 443 172.16.10.143 2>&1 | grep -o 'flags=SA' | head -1
hping3 -c 3 -i u100000 -S -p 443 52.216.53.32 2>&1 | grep -o '[0-9]*% packet loss'
echo waiting
read line
hping3 -c 3 -i u100000 -S -p 80 52.216.53.32 2>&1 | grep -o '[0-9]*% packet loss'
`
	nsFile := filepath.Join(t.TempDir(), "ns")
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer outR.Close()
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer inW.Close()
	cfg := Config{
		Addrs:        addrs("172.16.10.143", "52.216.53.32"),
		Resolvers:    addrs("172.16.0.2"),
		SearchDomain: "ec2.internal",
		HTTPSPort:    443,
		HTTPPort:     80,
		Command:      []string{"sh", "-c", script},
		Env:          []string{"PATH=/usr/bin:/bin:/usr/sbin:/sbin", "PROBE=" + self, "NSFILE=" + nsFile},
		Instance: &Instance{
			Addr:     netip.MustParsePrefix("172.16.10.77/24"),
			Gateway:  netip.MustParseAddr("172.16.10.1"),
			Hostname: "ip-172-16-10-77",
		},
	}
	c, err := Start(t.Context(), cfg, inR, outW, os.Stderr)
	inR.Close() // the child has its own copies
	outW.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Sockets.Close()
	if c.Sockets.HTTP == nil {
		c.Abort()
		t.Fatal("no HTTP socket with HTTPPort set")
	}
	// Each answers with the address the connection came from.
	for _, ln := range []net.Listener{c.Sockets.HTTPS, c.Sockets.HTTP} {
		go greetFrom(ln)
	}
	go pong(c.Sockets.DNSUDP, "dns-udp")
	if err := nft(c.RouterNS(), instanceRuleset); err != nil {
		c.Abort()
		t.Fatal(err)
	}
	routerNS := c.RouterNS()
	type exit struct {
		code int
		err  error
	}
	exited := make(chan exit, 1)
	go func() {
		code, err := c.Run(nil)
		exited <- exit{code, err}
	}()
	// While the command runs, a rule added through RouterNS applies to
	// its next packets: port 80 is dropped too.
	sc := bufio.NewScanner(outR)
	var got []string
	for sc.Scan() && sc.Text() != "waiting" {
		got = append(got, sc.Text())
	}
	if err := nft(routerNS, `add rule inet s3vpce_test input iifname "`+RouterLink+`" tcp dport 80 drop`+"\n"); err != nil {
		t.Error(err)
	}
	inW.Write([]byte("go\n"))
	for sc.Scan() {
		got = append(got, sc.Text())
	}
	if e := <-exited; e.err != nil || e.code != 0 {
		t.Fatalf("exit %d, %v; output:\n%s", e.code, e.err, strings.Join(got, "\n"))
	}
	want := []string{
		"ip-172-16-10-77",
		"# written by s3vpce exec: the emulated VPC's resolver",
		"nameserver 172.16.0.2",
		"search ec2.internal",
		"options edns0",
		"from 172.16.10.77", // HTTPS on the ENI address
		"from 172.16.10.77", // HTTP on the public address
		"dns-udp",
		"flags=SA",
		"100% packet loss",
		"100% packet loss", // port 80, once dropped
	}
	if !slices.Equal(got, want) {
		t.Errorf("the command printed\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	t.Run("nothing left", func(t *testing.T) {
		if _, err := os.Stat(routerNS); err == nil {
			t.Errorf("the router namespace %s is still there", routerNS)
		}
		ns, err := os.ReadFile(nsFile)
		if err != nil || !strings.HasPrefix(string(ns), "net:[") {
			t.Fatalf("the command's network namespace: %q, %v", ns, err)
		}
		if pids := inNetNS(t, strings.TrimSpace(string(ns))); len(pids) > 0 {
			t.Errorf("processes %v are still in the instance's namespace %s", pids, ns)
		}
		if now := linkNames(t); !slices.Equal(now, hostLinks) {
			t.Errorf("host interfaces %v, before %v", now, hostLinks)
		}
	})
}

// nft applies a ruleset in the network namespace at nsPath.
func nft(nsPath, ruleset string) error {
	cmd := exec.Command("nsenter", "--net="+nsPath, "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(ruleset)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("nft: %v: %s", err, b)
	}
	return nil
}

// greetFrom answers every connection ln accepts with "from ADDR" (the
// address it came from), until ln closes.
func greetFrom(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		from := c.RemoteAddr().(*net.TCPAddr).AddrPort().Addr().Unmap()
		c.Write([]byte("from " + from.String()))
		c.Close()
	}
}

// linkNames are the host's network interfaces.
func linkNames(t *testing.T) []string {
	t.Helper()
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, i := range ifs {
		names = append(names, i.Name)
	}
	slices.Sort(names)
	return names
}

// inNetNS lists the processes whose network namespace is ns ("net:[N]").
func inNetNS(t *testing.T, ns string) []string {
	t.Helper()
	dirs, err := filepath.Glob("/proc/[0-9]*/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	var pids []string
	for _, d := range dirs {
		if l, err := os.Readlink(d); err == nil && l == ns {
			pids = append(pids, strings.Split(d, "/")[2])
		}
	}
	return pids
}

// TestInstanceParentGone: when the parent is gone (its end of the socket
// pair closed, as when it is killed with SIGKILL) while the command runs
// as an instance with a process in the background, every process of the
// instance's namespace is killed, so the namespaces and the veth pair go,
// and the host's interfaces are as before.
func TestInstanceParentGone(t *testing.T) {
	needRoot(t)
	hostLinks := linkNames(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cfg := Config{
		Addrs:     addrs("172.16.10.143"),
		Resolvers: addrs("172.16.0.2"),
		HTTPSPort: 443,
		Command:   []string{"sh", "-c", `readlink /proc/self/ns/net; sleep 1000 & echo ready; wait`},
		Env:       []string{"PATH=/usr/bin:/bin"},
		Instance: &Instance{
			Addr:     netip.MustParsePrefix("172.16.10.77/24"),
			Gateway:  netip.MustParseAddr("172.16.10.1"),
			Hostname: "ip-172-16-10-77",
		},
	}
	c, err := Start(t.Context(), cfg, nil, w, os.Stderr)
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Sockets.Close()
	if err := c.release(); err != nil {
		c.Abort()
		t.Fatal(err)
	}
	sc := bufio.NewScanner(r)
	var ns string
	if sc.Scan() {
		ns = sc.Text()
	}
	if !sc.Scan() || sc.Text() != "ready" || !strings.HasPrefix(ns, "net:[") {
		c.Abort()
		t.Fatalf("command printed %q, %q; want its namespace, then ready", ns, sc.Text())
	}
	if pids := inNetNS(t, ns); len(pids) < 2 {
		t.Errorf("want the shell and its sleep in the instance's namespace, got %v", pids)
	}
	c.conn.Close()
	// A PID namespace's init returns from wait only once every process in
	// it is gone.
	if code, err := exitStatus(c.wait()); err != nil || code != 128+int(syscall.SIGKILL) {
		t.Errorf("init exit %d, %v; want %d", code, err, 128+int(syscall.SIGKILL))
	}
	if pids := inNetNS(t, ns); len(pids) > 0 {
		t.Errorf("processes %v are still in the instance's namespace %s", pids, ns)
	}
	if now := linkNames(t); !slices.Equal(now, hostLinks) {
		t.Errorf("host interfaces %v, before %v", now, hostLinks)
	}
}

// TestInstanceValidate: an instance that cannot be set up is refused
// before any namespace exists.
func TestInstanceValidate(t *testing.T) {
	ok := Instance{Addr: netip.MustParsePrefix("172.16.10.77/24"), Gateway: netip.MustParseAddr("172.16.10.1"), Hostname: "ip-172-16-10-77"}
	for _, tc := range []struct {
		name   string
		change func(*Instance)
		want   string // in the error; "" for none
	}{
		{"valid", func(*Instance) {}, ""},
		{"IPv6", func(in *Instance) { in.Addr = netip.MustParsePrefix("2001:db8::77/64") }, "want an IPv4 address"},
		{"no prefix", func(in *Instance) { in.Addr = netip.Prefix{} }, "want an IPv4 address"},
		{"/32", func(in *Instance) { in.Addr = netip.MustParsePrefix("172.16.10.77/32") }, "prefix length"},
		{"gateway outside", func(in *Instance) { in.Gateway = netip.MustParseAddr("172.16.11.1") }, "want another address of 172.16.10.0/24"},
		{"gateway is the instance", func(in *Instance) { in.Gateway = in.Addr.Addr() }, "want another address"},
		{"loopback", func(in *Instance) { in.Addr = netip.MustParsePrefix("127.0.0.7/8") }, "not an address for"},
		{"no host name", func(in *Instance) { in.Hostname = "" }, "host name"},
		{"host name with a slash", func(in *Instance) { in.Hostname = "a/b" }, "host name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := ok
			tc.change(&in)
			err := in.validate()
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}
