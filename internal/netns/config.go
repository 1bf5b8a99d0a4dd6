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
	// HTTPPort, when not 0, is a TCP port (80) opened on the wildcard
	// address too, for plain HTTP (Sockets.HTTP).
	HTTPPort int
	// Instance, when set, runs the command as an instance of the VPC: in a
	// network namespace of its own (and a UTS namespace with the
	// instance's host name) joined to the namespace that holds the
	// addresses, the router, by a veth pair.
	Instance *Instance
}

// Instance places the command in a VPC subnet. The namespace that holds
// the addresses and listening sockets (the router namespace, Cmd.RouterNS)
// is joined by a veth pair to the command's network namespace: there the
// command's end, InstanceLink, has the instance's address, and the default
// route goes through Gateway, which the router's end, RouterLink, holds
// along with a /32 route back to the instance. Packets from the instance
// thus reach the router's addresses with the instance's address as their
// source, through RouterLink, where a packet filter can drop them.
type Instance struct {
	// Addr is the instance's private IPv4 address with its subnet's prefix
	// length: 172.16.10.77/24.
	Addr netip.Prefix
	// Gateway is the subnet's router, its base address + 1: 172.16.10.1.
	Gateway netip.Addr
	// Hostname is the command's host name: ip-172-16-10-77.
	Hostname string
}

// The veth pair's interface names: the instance's end, in the command's
// network namespace, and the router's end, in the router namespace (the
// interface a packet filter there matches the instance's packets by).
const (
	InstanceLink = "eth0"
	RouterLink   = "veth-instance"
)

// validate reports an instance that cannot be set up.
func (in *Instance) validate() error {
	a := in.Addr.Addr()
	switch {
	case !in.Addr.IsValid() || !a.Is4() || in.Addr.Bits() < 1 || in.Addr.Bits() > 30:
		return fmt.Errorf("netns: instance address %s: want an IPv4 address with the prefix length of its subnet (1 to 30)", in.Addr)
	case checkAddr(a) != nil:
		return fmt.Errorf("netns: instance address: %w", checkAddr(a))
	case !in.Gateway.Is4() || !in.Addr.Masked().Contains(in.Gateway) || in.Gateway == a:
		return fmt.Errorf("netns: instance gateway %s: want another address of %s", in.Gateway, in.Addr.Masked())
	case in.Hostname == "" || len(in.Hostname) > 64 || strings.ContainsAny(in.Hostname, " \t\n/"):
		return fmt.Errorf("netns: instance host name %q: want 1 to 64 characters, no spaces or slashes", in.Hostname)
	}
	return nil
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
	if c.Instance != nil {
		if err := c.Instance.validate(); err != nil {
			return nil, err
		}
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
