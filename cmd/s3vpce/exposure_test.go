package main

import (
	"bufio"
	"bytes"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

func TestParseForwardFor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want []string // nil: the default list
		err  string
	}{
		{in: "", want: nil},
		{in: "none", want: []string{}},
		{in: "10.0.0.0/8", want: []string{"10.0.0.0/8"}},
		{in: "10.1.2.3/8, 192.0.2.7,::1", want: []string{"10.0.0.0/8", "192.0.2.7/32", "::1/128"}},
		{in: "0.0.0.0/0,::/0", want: []string{"0.0.0.0/0", "::/0"}},
		{in: "10.0.0.0/33", err: `"10.0.0.0/33": want a CIDR`},
		{in: "example.com", err: `"example.com": want a CIDR`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseForwardFor(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (got == nil) != (tc.want == nil) {
				t.Fatalf("got %v, want %v (nil is the default list, empty is no one)", got, tc.want)
			}
			var s []string
			for _, p := range got {
				s = append(s, p.String())
			}
			if !slices.Equal(s, tc.want) {
				t.Errorf("got %v, want %v", s, tc.want)
			}
		})
	}
}

func TestBeyondLoopback(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		addr string
		want bool
	}{
		{"127.0.0.1:4443", false},
		{"127.1.2.3:53", false},
		{"[::1]:53", false},
		{"[::ffff:127.0.0.1]:53", false},
		{"0.0.0.0:443", true},
		{"[::]:443", true},
		{"172.16.10.143:443", true},
		{"localhost:53", true}, // a name: not known to be loopback
		{"", false},
	} {
		t.Run(tc.addr, func(t *testing.T) {
			if got := beyondLoopback(tc.addr); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestExposure: the banner lines and log records for listeners bound
// beyond loopback: none on loopback, an error with auth off.
func TestExposure(t *testing.T) {
	t.Parallel()
	topo := vpce.DefaultTopology()
	up := []string{"10.0.0.2:53"}
	for _, tc := range []struct {
		name             string
		https, dns       string
		authOff, builtin bool
		forwardFor       []netip.Prefix
		upstream         []string
		lines, logs      []string // substrings, in order
		noLines          bool
	}{
		{name: "loopback", https: "127.0.0.1:4443", dns: "127.0.0.1:5300", builtin: true, upstream: up, noLines: true},
		{name: "DNS off", https: "127.0.0.1:4443", builtin: true, noLines: true},
		{name: "https beyond loopback, built-in key", https: "0.0.0.0:443", dns: "127.0.0.1:53", builtin: true, upstream: up,
			lines: []string{"HTTPS 0.0.0.0:443 is reachable beyond loopback: anyone who can reach it can use the buckets with the built-in access key, which is public"},
			logs:  []string{"level=WARN msg=\"HTTPS listens beyond loopback: anyone who can reach it can use the buckets with the built-in access key, which is public\" https=0.0.0.0:443"}},
		{name: "https beyond loopback, own keys", https: "10.1.2.3:443", dns: "127.0.0.1:53", upstream: up,
			lines: []string{"HTTPS 10.1.2.3:443 is reachable beyond loopback: anyone who can reach it and holds one of the --credentials keys can use the buckets"}},
		{name: "auth off", https: "[::]:443", dns: "[::]:53", authOff: true, builtin: true, upstream: up,
			lines: []string{
				"HTTPS [::]:443 is reachable beyond loopback with auth OFF: anyone who can reach this address can read and write every bucket",
				"DNS [::]:53 is reachable beyond loopback: it answers the endpoint names for anyone, and forwards other names for loopback and the VPCs 172.16.0.0/16, 172.31.0.0/16 (--dns-forward-for)",
			},
			logs: []string{
				"level=ERROR msg=\"authentication is OFF and HTTPS listens beyond loopback: anyone who can reach this address can read and write every bucket\" https=[::]:443",
				"level=WARN msg=\"DNS listens beyond loopback",
			}},
		{name: "dns forward list", https: "127.0.0.1:1", dns: "0.0.0.0:53", builtin: true, upstream: up, forwardFor: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")},
			lines: []string{"forwards other names for 10.0.0.0/8 (--dns-forward-for)"}},
		{name: "dns forwards for no one", https: "127.0.0.1:1", dns: "0.0.0.0:53", builtin: true, upstream: up, forwardFor: []netip.Prefix{},
			lines: []string{"forwards other names for no one (--dns-forward-for none)"}},
		{name: "dns without upstream", https: "127.0.0.1:1", dns: "0.0.0.0:53", builtin: true,
			lines: []string{"forwards other names for no one (no upstream)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newExposure(tc.https, tc.dns, tc.authOff, tc.builtin, tc.forwardFor, tc.upstream, topo)
			lines := strings.Join(e.lines(), "\n")
			if tc.noLines && lines != "" {
				t.Errorf("want no warning, got:\n%s", lines)
			}
			inOrder(t, "banner", lines, tc.lines)
			var logs bytes.Buffer
			e.log(slog.New(slog.NewTextHandler(&logs, nil)))
			if tc.noLines && logs.Len() > 0 {
				t.Errorf("want no log, got:\n%s", logs.String())
			}
			inOrder(t, "log", logs.String(), tc.logs)
		})
	}
}

// inOrder checks that text contains each of want, in order.
func inOrder(t *testing.T, what, text string, want []string) {
	t.Helper()
	rest := text
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Errorf("%s lacks %q (in order):\n%s", what, w, text)
			return
		}
		rest = rest[i+len(w):]
	}
}

// TestServeBannerStateAndData: the banner says where state and data live,
// warns of nothing on loopback, and serve keeps its dir store in a 0700
// directory in the state directory.
func TestServeBannerStateAndData(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	out, errs := serveBanner(t, home)
	for _, want := range []string{
		"State        " + home + " (CA, control sockets)\n",
		"Data         " + filepath.Join(home, "data") + " (dir store: kept across restarts)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("banner lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "WARNING") || strings.Contains(errs, "level=WARN") || strings.Contains(errs, "level=ERROR") {
		t.Errorf("a loopback serve warns:\n%s\n%s", out, errs)
	}
	if fi, err := os.Stat(filepath.Join(home, "data")); err != nil || fi.Mode().Perm() != 0o700 || !fi.IsDir() {
		t.Errorf("data directory: %v, %v; want a 0700 directory", fi, err)
	}
	var o, e bytes.Buffer
	if code := run(t.Context(), []string{"serve", "--home", home, "--dns-forward-for", "10.0.0.0/33"}, nil, &o, &e); code != 2 || !strings.Contains(e.String(), "--dns-forward-for") {
		t.Errorf("a bad --dns-forward-for: exit %d, %q", code, e.String())
	}
}

// TestServeBeyondLoopbackWarns runs serve on 0.0.0.0 with auth off inside
// a network namespace made here (only its loopback exists, so nothing is
// reachable): the banner and the log say, at error level, that anyone who
// can reach the address can read and write every bucket.
func TestServeBeyondLoopbackWarns(t *testing.T) {
	t.Parallel()
	needNamespaces(t)
	ns := fmt.Sprintf("s3vpce-expose-%d", os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	home := t.TempDir()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := s3vpceCmd(t, home)
	ipPath, err := exec.LookPath("ip")
	if err != nil {
		t.Fatal(err)
	}
	cmd.Path, cmd.Err = ipPath, nil
	cmd.Args = []string{"ip", "netns", "exec", ns, self, "serve", "--https-addr", "0.0.0.0:0", "--dns-addr", "0.0.0.0:0", "--auth", "off", "--dns-upstream", "none"}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var banner strings.Builder
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		banner.WriteString(sc.Text() + "\n")
		if strings.HasPrefix(sc.Text(), "From this shell instead") {
			break
		}
	}
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	inOrder(t, "banner", banner.String(), []string{
		"WARNING      HTTPS ", // 0.0.0.0 or [::], as Go reports a wildcard
		" is reachable beyond loopback with auth OFF: anyone who can reach this address can read and write every bucket\n",
		"WARNING      DNS ",
		" is reachable beyond loopback: it answers the endpoint names for anyone, and forwards other names for no one (no upstream)\n",
	})
	inOrder(t, "log", stderr.String(), []string{
		`level=ERROR msg="authentication is OFF and HTTPS listens beyond loopback: anyone who can reach this address can read and write every bucket" https=`,
		`level=WARN msg="DNS listens beyond loopback`,
	})
}
