package netns

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
)

// Cmd is a command waiting in, then running in, its namespace.
type Cmd struct {
	cmd  *exec.Cmd
	conn *net.UnixConn
	// Sockets were opened inside the namespace; serve on them before
	// calling Run.
	Sockets *Sockets
}

// Start creates the namespace, lets the child set it up and open its
// sockets, and returns once the sockets are here. The command has not run
// yet: serve on Sockets, then call Run.
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
	cmd := exec.CommandContext(ctx, self, InitArg)
	cmd.Env = []string{envConfig + "=" + enc}
	cmd.ExtraFiles = []*os.File{childEnd}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWNET | syscall.CLONE_NEWNS,
		Pdeathsig:  syscall.SIGKILL,
	}
	if cfg.UserNamespace {
		cmd.SysProcAttr.Cloneflags |= syscall.CLONE_NEWUSER
		cmd.SysProcAttr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}}
		cmd.SysProcAttr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}}
		cmd.SysProcAttr.GidMappingsEnableSetgroups = false
	}
	if err := cmd.Start(); err != nil {
		conn.Close()
		return nil, fmt.Errorf("netns: start namespace (%s): %w", Hint(), err)
	}
	c := &Cmd{cmd: cmd, conn: conn}
	msg, files, err := ReceiveFiles(conn, 3)
	if err == nil && strings.HasPrefix(string(msg), "error: ") {
		err = errors.New(strings.TrimPrefix(string(msg), "error: "))
	}
	if err == nil {
		c.Sockets, err = socketsFromFiles(files)
	}
	if err != nil {
		conn.Close()
		cmd.Wait()
		return nil, fmt.Errorf("netns: set up namespace: %w", err)
	}
	return c, nil
}

// Run lets the command run and waits for it. It returns the command's exit
// status (128+signal when killed by a signal).
func (c *Cmd) Run() (int, error) {
	_, err := c.conn.Write([]byte("go"))
	c.conn.Close()
	if err != nil {
		c.cmd.Wait()
		return 1, fmt.Errorf("netns: release command: %w", err)
	}
	return exitStatus(c.cmd.Wait())
}

// Abort kills the waiting child.
func (c *Cmd) Abort() {
	c.conn.Close()
	c.cmd.Process.Kill()
	c.cmd.Wait()
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

// Hint says what a user can do when namespaces are unavailable.
func Hint() string {
	if os.Geteuid() == 0 {
		return "network and mount namespaces need CAP_SYS_ADMIN; inside a container run it with --privileged or --cap-add SYS_ADMIN,NET_ADMIN"
	}
	return "run as root, or enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1 / user.max_user_namespaces > 0)"
}
