package netns

import (
	"net/netip"
	"os"
	"strings"
	"testing"
)

// TestRouterNSIsTheRouters starts instance commands one after another and
// checks, for each, that RouterNS (where exec loads the packet filter) is
// the namespace that holds the addresses and never the instance's own:
// the process's main thread must stay in the router namespace whichever
// thread enters the instance's (see mainthread.go).
func TestRouterNSIsTheRouters(t *testing.T) {
	needRoot(t)
	for i := range 5 {
		dir := t.TempDir()
		cfg := Config{
			Addrs:     addrs("52.216.53.32"),
			Resolvers: addrs("172.16.0.2"),
			HTTPSPort: 443,
			Command:   []string{"sh", "-c", `readlink /proc/self/ns/net > "$DIR/instance"`},
			Env:       []string{"PATH=/usr/bin:/bin", "DIR=" + dir},
			Instance: &Instance{
				Addr:     netip.MustParsePrefix("172.16.10.77/24"),
				Gateway:  netip.MustParseAddr("172.16.10.1"),
				Hostname: "ip-172-16-10-77",
			},
		}
		c, err := Start(t.Context(), cfg, nil, os.Stdout, os.Stderr)
		if err != nil {
			t.Fatal(err)
		}
		router, err := os.Readlink(c.RouterNS())
		if err != nil {
			c.Abort()
			t.Fatal(err)
		}
		code, err := c.Run(nil)
		c.Sockets.Close()
		if err != nil || code != 0 {
			t.Fatalf("start %d: exit %d, %v", i, code, err)
		}
		b, err := os.ReadFile(dir + "/instance")
		if err != nil {
			t.Fatal(err)
		}
		if instance := strings.TrimSpace(string(b)); instance == router || !strings.HasPrefix(instance, "net:[") {
			t.Fatalf("start %d: RouterNS is %s, the instance's namespace is %s", i, router, instance)
		}
	}
}
