package main

// exec's signals and lifetime, with the real program: signals sent to exec
// reach the command, and nothing the command started outlives exec, even
// when exec is killed with SIGKILL (as root, and as nobody through a user
// namespace).

import (
	"bufio"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/s3vpce/s3vpce/internal/proctree"
)

// execUser says how to run s3vpce exec: as root, or as nobody with a copy
// of the test binary nobody can run.
type execUser struct {
	name string
	cmd  func(t *testing.T, args ...string) *exec.Cmd
}

func execUsers(t *testing.T) []execUser {
	users := []execUser{{"root", func(t *testing.T, args ...string) *exec.Cmd { return s3vpceCmd(t, t.TempDir(), args...) }}}
	if b, err := os.ReadFile("/proc/sys/user/max_user_namespaces"); err != nil || strings.TrimSpace(string(b)) == "0" {
		t.Log("unprivileged user namespaces are disabled on this kernel: root only")
		return users
	}
	return append(users, execUser{"nobody", nobodyCmd})
}

// nobodyCmd runs a copy of this test binary as s3vpce, as user nobody.
func nobodyCmd(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	dir, err := os.MkdirTemp("", "s3vpce-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "s3vpce.test")
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), bin, args...)
	cmd.Dir = dir // its HOME; the state directory is dir/state
	cmd.Env = []string{envAsMain + "=1", "PATH=/usr/bin:/bin:/usr/sbin:/sbin", "HOME=" + dir, "S3VPCE_HOME=" + filepath.Join(dir, "state")}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	return cmd
}

// startReady starts cmd and returns its stdout once the command printed
// "ready" on it.
func startReady(t *testing.T, cmd *exec.Cmd) *bufio.Reader {
	t.Helper()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	// A process left holding stderr must not hang Wait (and the test).
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	r := bufio.NewReader(stdout)
	if line, err := r.ReadString('\n'); line != "ready\n" {
		t.Fatalf("first line %q, %v; stderr:\n%s", line, err, stderr.String())
	}
	return r
}

// TestExecSIGKILLLeavesNoProcess: exec killed with SIGKILL takes its
// command down, and the process the command left running in the
// background too (the orphan that outlived exec before).
func TestExecSIGKILLLeavesNoProcess(t *testing.T) {
	t.Parallel()
	needNamespaces(t)
	for _, u := range execUsers(t) {
		t.Run(u.name, func(t *testing.T) {
			t.Parallel()
			cmd := u.cmd(t, "exec", "--", "sh", "-c", "sleep 1000 & echo ready; wait")
			stdout := startReady(t, cmd)
			procs := descendants(t, cmd.Process.Pid)
			if !slices.ContainsFunc(slices.Collect(maps.Keys(procs)), func(pid int) bool { return proctree.Comm(pid) == "sleep" }) {
				t.Fatalf("no sleep below exec: %s", proctree.Describe(procs))
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			// Every process of the namespace holds exec's stdout: it reads
			// EOF once they have all exited. Bounded, so that a survivor fails
			// the test instead of hanging it.
			eof := make(chan error, 1)
			go func() { _, err := io.Copy(io.Discard, stdout); eof <- err }()
			select {
			case <-eof:
			case <-time.After(time.Minute):
				t.Fatalf("processes still hold exec's stdout after SIGKILL: %s", proctree.Describe(procs))
			}
			cmd.Wait()
			// Having closed their files they are exiting: poll /proc until
			// each is gone or a zombie, with a generous deadline.
			deadline := time.After(time.Minute)
			tick := time.NewTicker(10 * time.Millisecond)
			defer tick.Stop()
			for pid, start := range procs {
				for {
					if s, ok := proctree.StartTime(pid); !ok || s != start {
						break
					}
					select {
					case <-tick.C:
					case <-deadline:
						t.Fatalf("process %d (%s) outlived exec", pid, proctree.Comm(pid))
					}
				}
			}
		})
	}
}

// TestExecRelaysSignals: SIGTERM, SIGINT, SIGHUP and SIGQUIT sent to exec
// reach the command; exec exits with the command's status: the trap's
// own, or 128+signal for a command that does not catch it.
func TestExecRelaysSignals(t *testing.T) {
	t.Parallel()
	needNamespaces(t)
	for _, tc := range []struct {
		name   string
		sig    syscall.Signal
		script string // $M: the marker file
		code   int
		marker string
	}{
		{"TERM trapped", syscall.SIGTERM, `trap 'echo TERM > "$M"; exit 42' TERM; echo ready; sleep 1000 & wait`, 42, "TERM\n"},
		{"INT trapped", syscall.SIGINT, `trap 'echo INT > "$M"; exit 43' INT; echo ready; sleep 1000 & wait`, 43, "INT\n"},
		{"HUP trapped", syscall.SIGHUP, `trap 'echo HUP > "$M"; exit 44' HUP; echo ready; sleep 1000 & wait`, 44, "HUP\n"},
		{"QUIT trapped", syscall.SIGQUIT, `trap 'echo QUIT > "$M"; exit 45' QUIT; echo ready; sleep 1000 & wait`, 45, "QUIT\n"},
		{"TERM to a command that does not catch it", syscall.SIGTERM, `echo ready; exec sleep 1000`, 128 + 15, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			marker := filepath.Join(t.TempDir(), "marker")
			cmd := s3vpceCmd(t, t.TempDir(), "exec", "--", "sh", "-c", tc.script)
			cmd.Env = append(cmd.Env, "M="+marker)
			startReady(t, cmd)
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.code {
				t.Errorf("exec exit status %d, want %d", code, tc.code)
			}
			if tc.marker != "" {
				if b, err := os.ReadFile(marker); err != nil || string(b) != tc.marker {
					t.Errorf("marker %q, %v; want %q (the trap ran)", b, err, tc.marker)
				}
			}
		})
	}
}

// descendants returns every live process below pid with its start time.
func descendants(t *testing.T, pid int) map[int]uint64 {
	t.Helper()
	procs, err := proctree.Descendants(pid)
	if err != nil {
		t.Fatal(err)
	}
	return procs
}
