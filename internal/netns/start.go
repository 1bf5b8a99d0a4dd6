package netns

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"unsafe"
)

// Cmd is a command waiting in, then running in, its namespace.
type Cmd struct {
	cmd  *exec.Cmd
	conn *net.UnixConn
	// Sockets were opened inside the namespace; serve on them before
	// calling Run.
	Sockets *Sockets
	// shareTTY: the namespace's processes are in the caller's process
	// group, the foreground group of its terminal.
	shareTTY bool
	// reaped is closed once the namespace's init has been waited for; it
	// frees the OS thread that started it.
	reaped     chan struct{}
	reapedOnce sync.Once
	// updMu serialises Update; updErr, once set, fails every later one.
	updMu  sync.Mutex
	updErr error
}

// Start creates the namespaces (network, mount and PID; with an instance,
// its network and UTS namespaces too), lets the child set them up and
// open its sockets, and returns once the sockets are here. The command
// has not run yet: serve on Sockets, then call Run. ctx bounds
// the setup only: once Start has returned, the command is stopped by
// signals relayed through Run, or by the caller's exit.
//
// The child is the PID namespace's init: it runs the command, relays
// signals to it and exits with its status. When it exits, or when the
// caller's process exits in any way (even killed by SIGKILL), every
// process left in the namespace is killed by the kernel: nothing the
// command started outlives it.
func Start(ctx context.Context, cfg Config, stdin io.Reader, stdout, stderr io.Writer) (*Cmd, error) {
	enc, err := cfg.encode()
	if err != nil {
		return nil, err
	}
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("netns: socketpair: %w", err)
	}
	parentEnd := os.NewFile(uintptr(fds[0]), "netns-parent")
	childEnd := os.NewFile(uintptr(fds[1]), "netns-child")
	defer childEnd.Close()
	fc, err := net.FileConn(parentEnd)
	parentEnd.Close()
	if err != nil {
		return nil, fmt.Errorf("netns: socketpair: %w", err)
	}
	conn := fc.(*net.UnixConn)

	self, err := os.Executable()
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("netns: find own executable: %w", err)
	}
	shareTTY := foreground(stdin, stdout, stderr)
	cmd := exec.Command(self, InitArg)
	cmd.Env = []string{envConfig + "=" + enc}
	cmd.ExtraFiles = []*os.File{childEnd}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWNET | syscall.CLONE_NEWNS | syscall.CLONE_NEWPID,
		// Backs up init's watch on conn (init.go): the kernel kills init,
		// and with it the namespace, when the thread that started it ends.
		Pdeathsig: syscall.SIGKILL,
		// Outside a terminal's foreground the command gets its own process
		// group: signals sent to the caller's group (timeout(1), a CI
		// runner) then reach it once, relayed, instead of twice.
		Setpgid: !shareTTY,
	}
	if cfg.Instance != nil {
		if err := cfg.Instance.validate(); err != nil {
			conn.Close()
			return nil, err
		}
		// The instance's host name.
		cmd.SysProcAttr.Cloneflags |= syscall.CLONE_NEWUTS
	}
	if cfg.UserNamespace {
		cmd.SysProcAttr.Cloneflags |= syscall.CLONE_NEWUSER
		cmd.SysProcAttr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}}
		cmd.SysProcAttr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}}
		cmd.SysProcAttr.GidMappingsEnableSetgroups = false
	}
	c := &Cmd{cmd: cmd, conn: conn, shareTTY: shareTTY, reaped: make(chan struct{})}
	if err := c.start(); err != nil {
		conn.Close()
		return nil, fmt.Errorf("netns: start namespace (%s): %w", Hint(), err)
	}
	stop := context.AfterFunc(ctx, func() { cmd.Process.Kill() })
	msg, files, err := ReceiveFiles(conn, 4)
	if err == nil && strings.HasPrefix(string(msg), "error: ") {
		err = errors.New(strings.TrimPrefix(string(msg), "error: "))
	}
	if err == nil {
		c.Sockets, err = socketsFromFiles(files)
	}
	if !stop() { // ctx ended during the setup, and init was killed
		if c.Sockets != nil {
			c.Sockets.Close()
		}
		err = context.Cause(ctx)
	}
	if err != nil {
		conn.Close()
		c.wait()
		return nil, fmt.Errorf("netns: set up namespace: %w", err)
	}
	return c, nil
}

// RouterNS is the path of the network namespace that holds the addresses
// and the listening sockets (/proc/PID/ns/net of its init), valid from
// Start until the command has ended: with an instance (Config.Instance),
// the namespace whose RouterLink the instance's packets arrive on, where
// a packet filter applies (nsenter --net=PATH nft -f -).
func (c *Cmd) RouterNS() string { return fmt.Sprintf("/proc/%d/ns/net", c.cmd.Process.Pid) }

// start starts init from a goroutine locked to its OS thread, which stays
// locked, so alive and used by nothing else, until init has been waited
// for: Linux sends the parent-death signal when the thread that forked the
// child ends, not the process.
func (c *Cmd) start() error {
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		err := c.cmd.Start()
		started <- err
		if err == nil {
			<-c.reaped
		}
	}()
	return <-started
}

// wait waits for init and frees the thread that started it.
func (c *Cmd) wait() error {
	err := c.cmd.Wait()
	c.reapedOnce.Do(func() { close(c.reaped) })
	return err
}

// Signals are the signals the caller should catch and pass to Run:
// SIGTERM, SIGINT, SIGHUP and SIGQUIT. When the command shares the
// caller's terminal (the caller is in its terminal's foreground process
// group), only SIGTERM: Ctrl-C, Ctrl-\ and a hangup reach the command from
// the terminal itself, and relaying them too would deliver them twice.
func (c *Cmd) Signals() []os.Signal {
	if c.shareTTY {
		return []os.Signal{syscall.SIGTERM}
	}
	return []os.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT}
}

// Run lets the command run, relays to it each signal received on signals
// that is one of Signals (nil: none; others are dropped, so the caller may
// catch more than those) and waits for it. It returns the command's exit
// status (128+signal when killed by a signal).
func (c *Cmd) Run(signals <-chan os.Signal) (int, error) {
	if err := c.release(); err != nil {
		c.conn.Close()
		c.wait()
		return 1, err
	}
	return c.waitRelaying(signals)
}

// waitRelaying waits for the released command, relaying signals.
func (c *Cmd) waitRelaying(signals <-chan os.Signal) (int, error) {
	waited := make(chan error, 1)
	go func() { waited <- c.wait() }()
	for {
		select {
		case sig := <-signals:
			if s, ok := sig.(syscall.Signal); ok && slices.Contains(c.Signals(), sig) {
				// An error means init is exiting: waited says how.
				c.conn.Write(signalMessage(s))
			}
		case err := <-waited:
			c.conn.Close()
			return exitStatus(err)
		}
	}
}

// release tells init to start the command.
func (c *Cmd) release() error {
	if _, err := c.conn.Write([]byte(msgGo)); err != nil {
		return fmt.Errorf("netns: release command: %w", err)
	}
	return nil
}

// Abort kills the waiting child, and so the namespace.
func (c *Cmd) Abort() {
	c.conn.Close()
	c.cmd.Process.Kill()
	c.wait()
}

func exitStatus(err error) (int, error) {
	if err == nil {
		return 0, nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()), nil
		}
		return ee.ExitCode(), nil
	}
	return 1, err
}

// foreground reports whether the first of files that is a terminal has
// this process's group in the foreground.
func foreground(files ...any) bool {
	for _, f := range files {
		of, ok := f.(*os.File)
		if !ok || of == nil {
			continue
		}
		rc, err := of.SyscallConn()
		if err != nil {
			continue
		}
		var pgrp int32
		var errno syscall.Errno
		rc.Control(func(fd uintptr) {
			_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCGPGRP, uintptr(unsafe.Pointer(&pgrp)))
		})
		if errno != 0 {
			continue // not a terminal, or not this session's
		}
		return int(pgrp) == syscall.Getpgrp()
	}
	return false
}

// Hint says what a user can do when namespaces are unavailable.
func Hint() string {
	if os.Geteuid() == 0 {
		return "network, mount and PID namespaces need CAP_SYS_ADMIN; inside a container run it with --privileged or --cap-add SYS_ADMIN,NET_ADMIN"
	}
	return "run as root, or enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1 / user.max_user_namespaces > 0)"
}
