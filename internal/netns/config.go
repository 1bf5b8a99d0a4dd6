package netns

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
)

// InitArg is the first argument of the re-executed child.
const InitArg = "__s3vpce_netns_init"

// envConfig carries the child's Config as JSON.
const envConfig = "S3VPCE_NETNS_CONFIG"

// Config describes the namespace and the command to run in it.
type Config struct {
	// Addrs are assigned to the namespace's loopback (/32 each): the ENI
	// addresses that HTTPS is served on.
	Addrs []netip.Addr
	// Resolvers are assigned too and serve DNS on port 53; the first is
	// written to the namespace's /etc/resolv.conf.
	Resolvers []netip.Addr
	// SearchDomain is written as resolv.conf's search line when set.
	SearchDomain string
	// HTTPSPort is the TCP port opened on every address (443).
	HTTPSPort int
	// Command and its arguments; Command is looked up in PATH.
	Command []string
	// Env is the command's complete environment.
	Env []string
	// TrustCA, a PEM certificate, is added to the namespace's system trust
	// store (the CA bundles and /etc/ssl/certs, in its mount namespace
	// only) when set.
	TrustCA []byte
	// TrustBundles are more CA bundle files (a Python certifi's, say) that
	// get TrustCA appended, the same way, when TrustCA is set.
	TrustBundles []string
	// UserNamespace asks for a user namespace (uid and gid mapped to 0), for
	// callers that are not root.
	UserNamespace bool
}

func (c *Config) encode() (string, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("netns: encode config: %w", err)
	}
	return string(b), nil
}

func decodeConfig(s string) (*Config, error) {
	var c Config
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return nil, fmt.Errorf("netns: decode config: %w", err)
	}
	if len(c.Command) == 0 {
		return nil, fmt.Errorf("netns: no command")
	}
	return &c, nil
}

// Messages from the parent to init over their socket pair, after init's
// "ok" with the sockets: msgGo starts the command, then signalMessage
// relays a signal to it. The parent's end closing means the parent is gone.
const msgGo = "go"

func signalMessage(s syscall.Signal) []byte { return fmt.Appendf(nil, "sig %d", int(s)) }

// parseSignalMessage is the signal of a signalMessage.
func parseSignalMessage(b []byte) (syscall.Signal, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(string(b), "sig "))
	if err != nil || !strings.HasPrefix(string(b), "sig ") || n <= 0 || n > 64 {
		return 0, false
	}
	return syscall.Signal(n), true
}
