//go:build linux

package vpcnet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// newNetns starts a process in a new network namespace, held until the
// test ends, and returns the namespace's path and the process's ID.
func newNetns(t *testing.T) (string, int) {
	t.Helper()
	cmd := exec.Command("cat")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET, Pdeathsig: syscall.SIGKILL}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start a process in a new network namespace: %v", err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	path := fmt.Sprintf("/proc/%d/ns/net", cmd.Process.Pid)
	// Never configure the host's namespace by mistake.
	var own, ns unix.Stat_t
	if err := unix.Stat("/proc/self/ns/net", &own); err != nil {
		t.Fatal(err)
	}
	if err := unix.Stat(path, &ns); err != nil {
		t.Fatal(err)
	}
	if own.Ino == ns.Ino {
		t.Fatalf("%s is the test's own network namespace", path)
	}
	return path, cmd.Process.Pid
}

// ipBatch runs `ip -batch -` with the given commands in the namespace.
func ipBatch(t *testing.T, ns string, cmds ...string) {
	t.Helper()
	cmd := exec.Command("nsenter", "--net="+ns, "ip", "-batch", "-")
	cmd.Stdin = strings.NewReader(strings.Join(cmds, "\n") + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ip -batch in %s: %v: %s", ns, err, out)
	}
}

// inNetns runs f on an OS thread that is in the namespace at path; sockets
// f creates stay in that namespace.
func inNetns(ns string, f func() error) error {
	runtime.LockOSThread()
	orig, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		runtime.UnlockOSThread()
		return err
	}
	defer orig.Close()
	target, err := os.Open(ns)
	if err != nil {
		runtime.UnlockOSThread()
		return err
	}
	defer target.Close()
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("setns %s: %w", ns, err)
	}
	defer func() {
		// A thread that cannot go back stays locked: it ends with its
		// goroutine.
		if unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
	}()
	return f()
}

// TestRulesetInNamespaces loads rulesets into a namespace that holds the
// Destinations and a listener on 443, and dials it from a second
// namespace, the instance's, over a veth: what Decide allows connects,
// the rest times out (dropped, no RST), and a reload flips it.
func TestRulesetInNamespaces(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: network namespaces and nftables")
	}
	for _, bin := range []string{"nft", "nsenter", "ip"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("needs %s (scripts/test installs nftables, util-linux and iproute2)", bin)
		}
	}
	ctx := t.Context()
	seed := vpce.DefaultTopology()
	inst, ok := seed.InstanceAt(netip.MustParseAddr("172.16.10.77"))
	if !ok {
		t.Fatal("no 172.16.10.77 in the seed")
	}
	const other = "172.16.2.99"

	instNS, _ := newNetns(t)
	vpcNS, vpcPID := newNetns(t)
	ipBatch(t, instNS,
		"link set lo up",
		fmt.Sprintf("link add inst0 type veth peer name vpc0 netns %d", vpcPID),
		"link set inst0 up",
		"addr add "+inst.PrivateIP.String()+"/32 dev inst0",
		"addr add "+other+"/32 dev inst0",
		"route add 0.0.0.0/0 dev inst0")
	vpcCmds := []string{"link set lo up", "link set vpc0 up",
		"route add " + inst.PrivateIP.String() + "/32 dev vpc0", "route add " + other + "/32 dev vpc0"}
	for _, a := range Destinations(seed) {
		vpcCmds = append(vpcCmds, "addr add "+a.String()+"/32 dev lo")
	}
	ipBatch(t, vpcNS, vpcCmds...)

	var ln net.Listener
	if err := inNetns(vpcNS, func() (err error) {
		ln, err = net.Listen("tcp4", "0.0.0.0:443")
		return err
	}); err != nil {
		t.Fatalf("listen in the VPC namespace: %v", err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	})
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})

	// dial reports "connects", "times out" or the error.
	dial := func(src, dst string, port int) string {
		var res string
		err := inNetns(instNS, func() error {
			d := net.Dialer{Timeout: 300 * time.Millisecond, LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}
			c, err := d.DialContext(ctx, "tcp4", net.JoinHostPort(dst, fmt.Sprint(port)))
			var ne net.Error
			switch {
			case err == nil:
				c.Close()
				res = "connects"
			case errors.As(err, &ne) && ne.Timeout():
				res = "times out"
			default:
				res = err.Error()
			}
			return nil
		})
		if err != nil {
			t.Fatalf("dial from the instance namespace: %v", err)
		}
		return res
	}
	apply := func(topo *vpce.Topology) {
		t.Helper()
		in, _ := topo.InstanceAt(inst.PrivateIP)
		rs := Ruleset(topo, in, "vpc0")
		start := time.Now()
		if err := ApplyRuleset(ctx, vpcNS, rs); err != nil {
			t.Fatalf("ApplyRuleset: %v", err)
		}
		t.Logf("ruleset applied in %.1f ms (%d bytes)", float64(time.Since(start).Microseconds())/1000, len(rs))
	}
	type probe struct {
		src, dst string
		port     int
		want     string
	}
	check := func(t *testing.T, probes []probe) {
		for _, p := range probes {
			if got := dial(p.src, p.dst, p.port); got != p.want {
				t.Errorf("%s -> %s:%d %s, want %s", p.src, p.dst, p.port, got, p.want)
			}
		}
	}
	const eni, public, me = "172.16.10.143", "52.216.53.32", "172.16.10.77"

	t.Run("seed", func(t *testing.T) {
		apply(seed)
		check(t, []probe{
			{me, eni, 443, "connects"},
			{me, public, 443, "connects"},
			{me, eni, 80, "times out"},           // nothing listens: a RST would say "refused"
			{me, "172.31.0.2", 443, "times out"}, // the peer's resolver
			{other, eni, 443, "times out"},       // not the instance's address
		})
	})
	t.Run("endpoint group without 443, internet gateway detached", func(t *testing.T) {
		apply(changed(t, func(s *vpce.Spec) {
			group(s, vpce.DefaultEndpointGroupID).Ingress = nil
			dropRoute(s, seedMyMainRTB, "0.0.0.0/0")
			for i := range s.InternetGateways {
				if s.InternetGateways[i].ID == vpce.MyVPCInternetGatewayID {
					s.InternetGateways[i].VPCID = ""
				}
			}
		}))
		check(t, []probe{{me, eni, 443, "times out"}, {me, public, 443, "times out"}})
	})
	t.Run("a broken ruleset changes nothing", func(t *testing.T) {
		err := ApplyRuleset(ctx, vpcNS, "table inet s3vpce {\n\tchain input {\n\t\tbogus\n\t}\n}\n")
		if err == nil || !strings.Contains(err.Error(), `line 3 "bogus"`) {
			t.Errorf("ApplyRuleset(broken) = %v, want an error naming line 3", err)
		}
		check(t, []probe{{me, eni, 443, "times out"}})
		out, err := exec.CommandContext(ctx, "nsenter", "--net="+vpcNS, "nft", "list", "table", "inet", TableName).CombinedOutput()
		if err != nil || !bytes.Contains(out, []byte(`iifname "vpc0" drop`)) {
			t.Errorf("nft list table after a broken apply: %v\n%s", err, out)
		}
	})
	t.Run("seed again", func(t *testing.T) {
		apply(seed)
		check(t, []probe{{me, eni, 443, "connects"}, {me, public, 443, "connects"}})
	})
	t.Run("a missing namespace", func(t *testing.T) {
		err := ApplyRuleset(context.Background(), "/proc/0/ns/net", Ruleset(seed, inst, "vpc0"))
		if err == nil || !strings.Contains(err.Error(), "/proc/0/ns/net") {
			t.Errorf("ApplyRuleset(/proc/0/ns/net) = %v, want an error naming the path", err)
		}
	})
}
