package netns

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/vishvananda/netns"
)

// Init is the child side: it sets up the namespaces it was started in,
// hands its sockets to the parent, waits for the go-ahead, then runs the
// command as its child and returns the command's exit status (128+signal
// when killed by one), or 125 when the setup fails.
//
// It is init, PID 1, of a new PID namespace: when it returns and the
// program exits, the kernel kills every process left in the namespace.
// It stays in contact with the parent over their socket pair: signals the
// parent relays arrive there, and when the parent is gone, however it
// died, the command is killed and Init returns.
func Init() int {
	// The command's parent-death signal is tied to the thread that starts
	// it: keep this goroutine on the main thread, which lives as long as
	// the process.
	runtime.LockOSThread()
	f := os.NewFile(3, "netns-child")
	fc, err := net.FileConn(f)
	f.Close()
	if err != nil {
		fmt.Fprintf(os.Stderr, "s3vpce: namespace setup: %v\n", err)
		return 125
	}
	conn := fc.(*net.UnixConn)
	defer conn.Close()
	fail := func(err error) int {
		conn.Write([]byte("error: " + err.Error()))
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
	router, err := netns.GetFromPath("/proc/thread-self/ns/net")
	if err != nil {
		return fail(fmt.Errorf("read the router's network namespace: %w", err))
	}
	defer router.Close()
	socks, inst, err := setup(cfg)
	if err != nil {
		return fail(err)
	}
	defer inst.Close()
	if err := checkRouterNS(router); err != nil {
		socks.Close()
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
	st := newLoState(cfg)
	buf := make([]byte, MaxAddrsMessage)
	for {
		n, err := conn.Read(buf)
		if err != nil || n == 0 {
			return 125 // the parent went away
		}
		if string(buf[:n]) == msgGo {
			break
		}
		if !IsAddrsMessage(buf[:n]) || handleAddrs(conn, st, buf[:n]) != nil {
			return 125
		}
	}
	return supervise(conn, path, cfg, st, inst)
}

// supervise runs the command and waits for it, reaping every other
// process that ends up as this init's child on the way. With an instance
// namespace, inst, the command starts there (startCommand).
func supervise(conn *net.UnixConn, path string, cfg *Config, st *loState, inst netns.NsHandle) int {
	// Signals sent to init itself are dropped: those meant for the command
	// come from the parent over conn, and a terminal's or a process
	// group's reach the command directly. Catching them, rather than
	// ignoring them, leaves them at their default in the command; those
	// ignored from the start (nohup) stay ignored.
	var catch []os.Signal
	for _, sig := range []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT} {
		if !signal.Ignored(sig) {
			catch = append(catch, sig)
		}
	}
	direct := make(chan os.Signal, 4)
	signal.Notify(direct, catch...)
	go func() {
		for range direct {
		}
	}()
	pid, err := startCommand(path, cfg, inst)
	if err != nil {
		var nsErr *enterError
		if errors.As(err, &nsErr) {
			fmt.Fprintf(os.Stderr, "s3vpce exec: %v\n", err)
			return 125
		}
		fmt.Fprintf(os.Stderr, "s3vpce exec: %s: %v\n", cfg.Command[0], err)
		return 126
	}
	go relay(conn, pid, st)
	for {
		var ws syscall.WaitStatus
		wpid, err := syscall.Wait4(-1, &ws, 0, nil)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "s3vpce exec: wait for %s: %v\n", cfg.Command[0], err)
			return 125
		}
		if wpid != pid {
			continue // an orphan of the command, reparented to init
		}
		if ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ws.ExitStatus()
	}
}

// enterError is a failure to enter the instance's namespace.
type enterError struct{ err error }

func (e *enterError) Error() string {
	return "enter the instance's network namespace: " + e.err.Error()
}

// startCommand forks and execs the command. With an instance namespace it
// is forked from a thread of its own that enters that namespace and then
// stays, locked and idle, until init exits: the command's parent-death
// signal is tied to the thread that forked it. Init's other threads stay
// in the router namespace, where updates apply, and which /proc/PID/ns/net
// of init (its main thread's) shows (Cmd.RouterNS).
func startCommand(path string, cfg *Config, inst netns.NsHandle) (int, error) {
	attr := &syscall.ProcAttr{
		Env:   cfg.Env,
		Files: []uintptr{0, 1, 2},
		Sys:   &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL},
	}
	if !inst.IsOpen() {
		return syscall.ForkExec(path, cfg.Command, attr)
	}
	type result struct {
		pid int
		err error
	}
	started := make(chan result, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread is the instance's
		if err := netns.Set(inst); err != nil {
			started <- result{0, &enterError{err}}
			return
		}
		pid, err := syscall.ForkExec(path, cfg.Command, attr)
		started <- result{pid, err}
		if err == nil {
			select {} // the thread must outlive the command
		}
	}()
	r := <-started
	return r.pid, r.err
}

// relay sends the command the signals the parent relays and applies the
// address updates it sends. When the parent is gone it kills the command,
// which ends Init and so the namespace.
func relay(conn *net.UnixConn, pid int, st *loState) {
	buf := make([]byte, MaxAddrsMessage)
	for {
		n, err := conn.Read(buf)
		if err != nil || n == 0 {
			syscall.Kill(pid, syscall.SIGKILL)
			return
		}
		if sig, ok := parseSignalMessage(buf[:n]); ok {
			syscall.Kill(pid, sig)
		} else if IsAddrsMessage(buf[:n]) {
			handleAddrs(conn, st, buf[:n]) // a failed answer: the next Read says why
		}
	}
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

// setup prepares the namespaces and opens the listening sockets. With
// cfg.Instance it also returns the command's network namespace (see
// setupInstance); otherwise netns.None().
func setup(cfg *Config) (*Sockets, netns.NsHandle, error) {
	s, err := setupRouter(cfg)
	if err != nil || cfg.Instance == nil {
		return s, netns.None(), err
	}
	inst, err := setupInstance(cfg.Instance)
	if err != nil {
		s.Close()
		return nil, netns.None(), err
	}
	return s, inst, nil
}

// setupRouter sets up the mount namespace and the network namespace that
// holds the addresses, and opens the sockets there.
func setupRouter(cfg *Config) (*Sockets, error) {
	if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		return nil, fmt.Errorf("make mounts private: %w", err)
	}
	// The PID namespace's own /proc, so that ps and /proc/PID show its
	// processes. Best effort: where the kernel refuses it (a user namespace
	// under a /proc with masked paths, as in some containers) the command
	// sees the host's /proc, as it did before PID namespaces.
	syscall.Mount("proc", "/proc", "proc", syscall.MS_NOSUID|syscall.MS_NODEV|syscall.MS_NOEXEC, "")
	if len(cfg.TrustCA) > 0 {
		if err := trustCA(cfg.TrustCA, cfg.TrustBundles); err != nil {
			return nil, err
		}
	}
	if len(cfg.Resolvers) > 0 {
		if err := bindResolvConf(cfg); err != nil {
			return nil, err
		}
	}
	if err := loUp(); err != nil {
		return nil, err
	}
	if _, errs := addLo(append(slices.Clone(cfg.Addrs), cfg.Resolvers...)); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	s := &Sockets{}
	var err error
	if s.HTTPS, err = net.Listen("tcp", ":"+strconv.Itoa(cfg.HTTPSPort)); err != nil {
		return nil, fmt.Errorf("listen for https: %w", err)
	}
	if cfg.HTTPPort != 0 {
		if s.HTTP, err = net.Listen("tcp", ":"+strconv.Itoa(cfg.HTTPPort)); err != nil {
			s.Close()
			return nil, fmt.Errorf("listen for http: %w", err)
		}
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

// checkRouterNS makes sure /proc/PID/ns/net of this process, where the
// parent loads the instance's packet filter (Cmd.RouterNS), is router,
// the namespace that holds the addresses: a filter loaded anywhere else
// would let every packet through.
func checkRouterNS(router netns.NsHandle) error {
	shown, err := netns.GetFromPath("/proc/self/ns/net")
	if err != nil {
		return fmt.Errorf("read /proc/self/ns/net: %w", err)
	}
	defer shown.Close()
	if !shown.Equal(router) {
		return fmt.Errorf("the main thread's network namespace is %s, not the router's %s: the packet filter would not apply", shown, router)
	}
	return nil
}
