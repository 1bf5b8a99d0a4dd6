package dnsserver

import (
	"net"
	"os/exec"
	"strings"
	"testing"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// tool returns the path of a command from Debian's bind9-dnsutils. It
// fails rather than skips when the tool is missing: CI installs it.
func tool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found (apt-get install -y bind9-dnsutils): %v", name, err)
	}
	return path
}

// TestDigAndNslookup asks the real client tools for the seed's zonal name.
func TestDigAndNslookup(t *testing.T) {
	s := startServer(t, Config{Topology: vpce.DefaultTopology})
	_, port, err := net.SplitHostPort(s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	const name = "vpce-0a77994aa2124c299-9tcntpvn-us-east-1d.s3.us-east-1.vpce.amazonaws.com"
	run := func(t *testing.T, bin string, args ...string) string {
		t.Helper()
		out, err := exec.CommandContext(t.Context(), bin, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", bin, strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	t.Run("dig", func(t *testing.T) {
		dig := tool(t, "dig")
		for _, tcp := range []string{"+notcp", "+tcp"} {
			out := run(t, dig, "@127.0.0.1", "-p", port, "+time=2", "+tries=1", tcp, name, "A")
			for _, want := range []string{"status: NOERROR", "flags: qr rd ra"} {
				if !strings.Contains(out, want) {
					t.Errorf("dig %s output lacks %q:\n%s", tcp, want, out)
				}
			}
			if want := name + ". 60 IN A 172.16.10.143"; !hasLine(out, want) {
				t.Errorf("dig %s output lacks the record %q:\n%s", tcp, want, out)
			}
		}
		out := run(t, dig, "@127.0.0.1", "-p", port, "+time=2", "+tries=1", "+short", "bucket.vpce-0a77994aa2124c299-9tcntpvn.s3.us-east-1.vpce.amazonaws.com")
		if got := strings.Fields(out); len(got) != 6 {
			t.Errorf("dig +short regional bucket.: %q, want 6 addresses", got)
		}
		out = run(t, dig, "@127.0.0.1", "-p", port, "+time=2", "+tries=1", "vpce-0a77994aa2124c299-9tcntpvn.s3.vpce.amazonaws.com")
		if !strings.Contains(out, "status: NXDOMAIN") {
			t.Errorf("dig for the region-less name: want NXDOMAIN:\n%s", out)
		}
	})
	t.Run("nslookup", func(t *testing.T) {
		nslookup := tool(t, "nslookup")
		out := run(t, nslookup, "-port="+port, "-timeout=2", "-retry=1", name, "127.0.0.1")
		for _, want := range []string{"Non-authoritative answer:\nName:\t" + name + "\nAddress: 172.16.10.143"} {
			if !strings.Contains(out, want) {
				t.Errorf("nslookup output lacks %q:\n%s", want, out)
			}
		}
	})
}

// hasLine reports whether out has a line whose fields are want's.
func hasLine(out, want string) bool {
	w := strings.Join(strings.Fields(want), " ")
	for line := range strings.Lines(out) {
		if strings.Join(strings.Fields(line), " ") == w {
			return true
		}
	}
	return false
}
