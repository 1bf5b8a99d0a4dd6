package netns

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Init is the child side: it sets up the namespace it was started in, hands
// its sockets to the parent, waits for the go-ahead and then replaces itself
// with the command. It returns only on failure, with an exit status.
func Init() int {
	f := os.NewFile(3, "netns-child")
	fc, err := net.FileConn(f)
	f.Close()
	if err != nil {
		fmt.Fprintf(os.Stderr, "s3vpce: namespace setup: %v\n", err)
		return 125
	}
	conn := fc.(*net.UnixConn)
	fail := func(err error) int {
		conn.Write([]byte("error: " + err.Error()))
		conn.Close()
		return 125
	}
	cfg, err := decodeConfig(os.Getenv(envConfig))
	if err != nil {
		return fail(err)
	}
	path, err := lookPath(cfg.Command[0], cfg.Env)
	if err != nil {
		return fail(err)
	}
	socks, err := setup(cfg)
	if err != nil {
		return fail(err)
	}
	files, err := socks.Files()
	if err != nil {
		return fail(err)
	}
	if err := SendFiles(conn, []byte("ok"), files...); err != nil {
		return 125
	}
	for _, f := range files {
		f.Close()
	}
	socks.Close()
	buf := make([]byte, 16)
	if n, err := conn.Read(buf); err != nil || string(buf[:n]) != "go" {
		return 125 // the parent went away
	}
	conn.Close()
	err = syscall.Exec(path, cfg.Command, cfg.Env)
	fmt.Fprintf(os.Stderr, "s3vpce exec: %s: %v\n", cfg.Command[0], err)
	return 126
}

// lookPath resolves name against the PATH of the command's environment.
func lookPath(name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	path := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("s3vpce exec: %s: command not found in PATH", name)
}

func setup(cfg *Config) (*Sockets, error) {
	if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		return nil, fmt.Errorf("make mounts private: %w", err)
	}
	if len(cfg.Resolvers) > 0 {
		if err := bindResolvConf(cfg); err != nil {
			return nil, err
		}
	}
	if err := ip("link", "set", "lo", "up"); err != nil {
		return nil, err
	}
	for _, a := range append(append([]netip.Addr(nil), cfg.Addrs...), cfg.Resolvers...) {
		if err := ip("addr", "add", netip.PrefixFrom(a, a.BitLen()).String(), "dev", "lo"); err != nil {
			return nil, err
		}
	}
	s := &Sockets{}
	var err error
	if s.HTTPS, err = net.Listen("tcp", ":"+strconv.Itoa(cfg.HTTPSPort)); err != nil {
		return nil, fmt.Errorf("listen for https: %w", err)
	}
	if len(cfg.Resolvers) > 0 {
		dns := netip.AddrPortFrom(cfg.Resolvers[0], 53).String()
		if s.DNSUDP, err = net.ListenPacket("udp", dns); err != nil {
			s.Close()
			return nil, fmt.Errorf("listen for dns: %w", err)
		}
		if s.DNSTCP, err = net.Listen("tcp", dns); err != nil {
			s.Close()
			return nil, fmt.Errorf("listen for dns: %w", err)
		}
	}
	return s, nil
}

// bindResolvConf mounts a resolv.conf naming the VPC resolver over
// /etc/resolv.conf, in this mount namespace only.
func bindResolvConf(cfg *Config) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# written by s3vpce exec: the emulated VPC's resolver\n")
	for _, r := range cfg.Resolvers[:1] {
		fmt.Fprintf(&b, "nameserver %s\n", r)
	}
	if cfg.SearchDomain != "" {
		fmt.Fprintf(&b, "search %s\n", cfg.SearchDomain)
	}
	b.WriteString("options edns0\n")
	f, err := os.CreateTemp("", "s3vpce-resolv-")
	if err != nil {
		return fmt.Errorf("write resolv.conf: %w", err)
	}
	defer os.Remove(f.Name())
	f.Chmod(0o644)
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		return fmt.Errorf("write resolv.conf: %w", err)
	}
	f.Close()
	if err := syscall.Mount(f.Name(), "/etc/resolv.conf", "", syscall.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind-mount resolv.conf over /etc/resolv.conf: %w", err)
	}
	return nil
}

func ip(args ...string) error {
	bin, err := exec.LookPath("ip")
	if err != nil {
		for _, p := range []string{"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"} {
			if _, err := os.Stat(p); err == nil {
				bin = p
				break
			}
		}
	}
	if bin == "" {
		return fmt.Errorf("the ip command (iproute2) is needed to set up the namespace: apt-get install iproute2")
	}
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}
