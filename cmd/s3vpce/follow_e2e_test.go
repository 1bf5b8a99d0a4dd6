package main

// Namespaces follow the topology: an exec's command, already running,
// reaches the ENI address of an endpoint created after it started (and
// the new VPC's resolver), and no longer reaches a deleted one.

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/s3vpce/s3vpce/certs"
	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/internal/netns"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

// envProbe makes this test binary, run as exec's command, a probe.
const envProbe = "S3VPCE_TEST_PROBE"

// probe answers each request line from in with one line on out. Each
// request polls its condition a bounded number of times (the change it
// waits for is applied asynchronously) and says whether it came true:
//
//	get URL            "status N" once an HTTPS GET gets a response
//	down HOST:PORT     "down" once HOST has no route and a TCP connection fails
//	dns RESOLVER NAME  NAME's first address once RESOLVER:53 answers it
func probe(in io.Reader, out io.Writer) int {
	sc := bufio.NewScanner(in)
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		var try func() (string, bool)
		switch {
		case len(f) == 2 && f[0] == "get":
			try = func() (string, bool) {
				resp, err := hc.Get(f[1])
				if err != nil {
					return err.Error(), false
				}
				resp.Body.Close()
				return fmt.Sprint("status ", resp.StatusCode), true
			}
		case len(f) == 2 && f[0] == "down":
			try = func() (string, bool) {
				// A connected UDP socket sends nothing: it only needs a
				// route, which goes with the address. (A TCP connection
				// made while the address is there would be left half-open
				// by its removal.)
				if c, err := net.Dial("udp", f[1]); err == nil {
					c.Close()
					return "still routed", false
				}
				if c, err := net.DialTimeout("tcp", f[1], 5*time.Second); err == nil {
					c.Close()
					return "still answers", false
				}
				return "down", true
			}
		case len(f) == 3 && f[0] == "dns":
			r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, network, net.JoinHostPort(f[1], "53"))
			}}
			try = func() (string, bool) {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				addrs, err := r.LookupHost(ctx, f[2])
				if err != nil || len(addrs) == 0 {
					return fmt.Sprint(err), false
				}
				return addrs[0], true
			}
		default:
			fmt.Fprintln(out, "bad request")
			continue
		}
		fmt.Fprintln(out, poll(try))
	}
	return 0
}

// poll calls try until it succeeds, at most 100 times, backing off from
// 5 ms to 200 ms (about 20 s in all), and returns its last answer.
func poll(try func() (string, bool)) string {
	wait := 5 * time.Millisecond
	var last string
	for range 100 {
		ans, ok := try()
		if ok {
			return ans
		}
		last = "gave up: " + ans
		time.Sleep(wait) // the probe's polling interval, not a synchronisation
		wait = min(2*wait, 200*time.Millisecond)
	}
	return last
}

// liveTopology is the default topology changed while the command runs: a
// new interface endpoint in my-vpc, ENI 172.16.10.200, and a new VPC
// 10.20.0.0/16 (resolver 10.20.0.2).
func liveTopology(t *testing.T) (*vpce.Topology, vpce.Endpoint) {
	t.Helper()
	spec := vpce.DefaultTopology().Spec()
	e := vpce.DefaultEndpoint()
	e.ID, e.DNSSuffix = "vpce-0123456789abcdef0", "live1234"
	e.Zones = []vpce.Zone{{Name: "us-east-1a", IP: netip.MustParseAddr("172.16.10.200")}}
	spec.Endpoints = append(spec.Endpoints, e)
	spec.VPCs = append(spec.VPCs, vpce.VPC{ID: "vpc-0aaaabbbbccccdddd", CIDR: netip.MustParsePrefix("10.20.0.0/16"), EnableDNSSupport: true})
	topo, err := vpce.Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	return topo, e
}

// startEmulator starts an emulator with DNS on loopback, its CA in home.
func startEmulator(t *testing.T, home string) *emulator.Server {
	t.Helper()
	ca, _, err := certs.LoadOrCreate(home)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := emulator.New(emulator.Options{CA: ca, Topology: vpce.DefaultTopology(), DNSAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// followScenario changes srv's topology under a running probe (ask sends
// it a request and returns its answer): the new endpoint's name answers
// HTTPS through its new address, the new VPC's resolver answers DNS; once
// both are deleted again, the address no longer answers.
func followScenario(t *testing.T, srv *emulator.Server, ask func(string) string) {
	t.Helper()
	seed := vpce.DefaultEndpoint()
	if got := ask("get https://bucket." + seed.RegionalName() + "/"); !strings.HasPrefix(got, "status ") {
		t.Fatalf("the seed's endpoint before any change: %s", got)
	}
	for _, v := range srv.Topology().VPCs() { // not only the first VPC's resolver
		if got := ask("dns " + v.ResolverIP().String() + " " + seed.RegionalName()); !netip.MustParsePrefix("172.16.0.0/16").Contains(addrOrZero(got)) {
			t.Errorf("%s's resolver %s: %s; want the seed's endpoint's address", v.ID, v.ResolverIP(), got)
		}
	}
	live, e := liveTopology(t)
	changed := time.Now()
	if err := srv.SetTopology(live); err != nil {
		t.Fatal(err)
	}
	if got := ask("get https://bucket." + e.RegionalName() + "/"); !strings.HasPrefix(got, "status ") {
		t.Errorf("the endpoint created while the command runs: %s; want an HTTPS response through 172.16.10.200", got)
	}
	t.Logf("from SetTopology to the first HTTPS response through the new endpoint, in the running command: %v", time.Since(changed))
	if got := ask("dns 10.20.0.2 " + e.RegionalName()); got != "172.16.10.200" {
		t.Errorf("the new VPC's resolver 10.20.0.2: %s; want it to answer 172.16.10.200", got)
	}
	if err := srv.SetTopology(vpce.DefaultTopology()); err != nil {
		t.Fatal(err)
	}
	if got := ask("down 172.16.10.200:443"); got != "down" {
		t.Errorf("the deleted endpoint's address: %s; want it gone", got)
	}
	if got := ask("down 10.20.0.2:53"); got != "down" {
		t.Errorf("the deleted VPC's resolver: %s; want it gone", got)
	}
	if got := ask("get https://bucket." + seed.RegionalName() + "/"); !strings.HasPrefix(got, "status ") {
		t.Errorf("the seed's endpoint after the changes: %s", got)
	}
}

func addrOrZero(s string) netip.Addr {
	a, _ := netip.ParseAddr(s)
	return a
}

// asker talks to a probe through its stdin and stdout.
func asker(t *testing.T, stdin io.Writer, stdout io.Reader) func(string) string {
	answers := bufio.NewScanner(stdout)
	return func(q string) string {
		t.Helper()
		fmt.Fprintln(stdin, q)
		if !answers.Scan() {
			t.Fatalf("the probe is gone (%v) before answering %q", answers.Err(), q)
		}
		return answers.Text()
	}
}

// TestExecFollowsServeTopology: `s3vpce exec` attached to a serve (here
// the serve's emulator and control socket run in the test, so that the
// test can change the topology) follows the serve's topology changes.
func TestExecFollowsServeTopology(t *testing.T) {
	t.Parallel()
	needNamespaces(t)
	home := t.TempDir()
	srv := startEmulator(t, home)
	closeCtl, err := listenControl(t.Context(), srv, home, filepath.Join(home, certs.CertFile), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeCtl)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := s3vpceCmd(t, home, "exec", "--", "env", envProbe+"=1", self)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	followScenario(t, srv, asker(t, stdin, stdout))
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Errorf("exec: %v; stderr:\n%s", err, stderr.String())
	}
	if s := stderr.String(); s != "" {
		t.Errorf("exec's stderr:\n%s", s)
	}
}

// TestExecFollowsOwnEmulator: without a serve, exec's own emulator's
// topology changes reach the namespace the same way (followEmulator, as
// runExec wires it).
func TestExecFollowsOwnEmulator(t *testing.T) {
	t.Parallel()
	needNamespaces(t)
	home := t.TempDir()
	srv := startEmulator(t, home)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	h := helloFor(srv.Topology(), filepath.Join(home, certs.CertFile))
	inR, inW, _ := os.Pipe()
	outR, outW, _ := os.Pipe()
	t.Cleanup(func() { inR.Close(); inW.Close(); outR.Close(); outW.Close() })
	cfg := netns.Config{
		Addrs: h.Addrs, Resolvers: h.Resolvers, SearchDomain: h.SearchDomain, HTTPSPort: 443,
		Command: []string{self}, Env: []string{envProbe + "=1"}, TrustCA: srv.CACertPEM(),
	}
	cmd, err := netns.Start(t.Context(), cfg, inR, outW, os.Stderr)
	inR.Close()
	outW.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := attachSockets(t.Context(), srv, cmd.Sockets); err != nil {
		cmd.Abort()
		t.Fatal(err)
	}
	var stderr syncBuffer
	ctx, cancel := context.WithCancel(t.Context())
	followed := make(chan struct{})
	go func() {
		defer close(followed)
		followEmulator(ctx, srv, cmd, func() {}, nil, &stderr)
	}()
	ran := make(chan int, 1)
	go func() {
		code, _ := cmd.Run(nil)
		ran <- code
	}()
	followScenario(t, srv, asker(t, inW, outR))
	inW.Close()
	if code := <-ran; code != 0 {
		t.Errorf("command exit %d", code)
	}
	cancel()
	<-followed
	if s := stderr.String(); s != "" {
		t.Errorf("followEmulator's messages:\n%s", s)
	}
}
