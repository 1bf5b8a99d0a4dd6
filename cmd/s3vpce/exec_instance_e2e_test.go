package main

// exec --instance with the real program: the command runs as the
// instance (host name, resolv.conf, source address), an unknown instance
// is refused with the list, and nothing is left on the host however exec
// ends.

import (
	"bufio"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func needInstanceTools(t *testing.T) {
	t.Helper()
	needNamespaces(t)
	for _, tool := range []string{"nft", "nsenter"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s (apt-get install -y nftables util-linux)", tool)
		}
	}
}

// TestExecInstance: as 172.16.10.77 (by IP with exec's own emulator, by
// Name tag attached to a running serve) the command's host name is
// ip-172-16-10-77, its resolv.conf names only my-vpc's resolver, and its
// connection to the endpoint's ENI leaves from 172.16.10.77.
func TestExecInstance(t *testing.T) {
	t.Parallel()
	needInstanceTools(t)
	script := `hostname; cat /etc/resolv.conf; curl -sk -o /dev/null --max-time 5 -w '%{local_ip}\n' https://172.16.10.143/`
	want := "ip-172-16-10-77\n# written by s3vpce exec: the emulated VPC's resolver\nnameserver 172.16.0.2\nsearch ec2.internal\noptions edns0\n172.16.10.77\n"
	for _, tc := range []struct {
		name   string
		ref    string
		attach bool
	}{
		{"own emulator, by IP", "172.16.10.77", false},
		{"attached to serve, by Name", "my-vpc-host", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			home := t.TempDir()
			if tc.attach {
				startServeProcess(t, home, "--dns-addr", "127.0.0.1:0")
			}
			r := runS3vpce(t, home, "exec", "--instance", tc.ref, "--", "sh", "-c", script)
			if r.code != 0 || r.stdout != want {
				t.Errorf("exit %d, stdout:\n%s\nwant:\n%s\nstderr:\n%s", r.code, r.stdout, want, r.stderr)
			}
		})
	}
}

// TestExecInstanceUnknown: an instance that does not exist is refused
// (125) with the list of those that do.
func TestExecInstanceUnknown(t *testing.T) {
	t.Parallel()
	needInstanceTools(t)
	r := runS3vpce(t, t.TempDir(), "exec", "--instance", "nosuch", "--", "true")
	if r.code != 125 || !strings.Contains(r.stderr, `no instance "nosuch"`) ||
		!strings.Contains(r.stderr, "i-0b2c3d4e5f6a70819 (my-vpc-host, 172.16.10.77)") {
		t.Errorf("exit %d, stderr %q; want 125 and the instances", r.code, r.stderr)
	}
}

// TestExecInstanceNeedsRoot: as another user, --instance is refused
// (125) with the reason, before anything is set up.
func TestExecInstanceNeedsRoot(t *testing.T) {
	t.Parallel()
	needNamespaces(t) // root, to run the program as nobody
	cmd := nobodyCmd(t, "exec", "--instance", "172.16.10.77", "--", "true")
	r := runCmd(t, cmd)
	if r.code != 125 || !strings.Contains(r.stderr, "--instance needs root") {
		t.Errorf("exit %d, stderr %q; want 125 and why", r.code, r.stderr)
	}
}

// TestExecInstanceStartup measures the time from exec's start to the
// command's first instruction, as an instance and without --instance
// (logged, not asserted: the machine is shared).
func TestExecInstanceStartup(t *testing.T) {
	needInstanceTools(t)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"without --instance", nil},
		{"--instance", []string{"--instance", "172.16.10.77"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			var took []time.Duration
			for range 5 {
				args := append(append([]string{"exec"}, tc.args...), "--", "date", "+%s%N")
				cmd := s3vpceCmd(t, home, args...)
				start := time.Now()
				r := runCmd(t, cmd)
				ns, err := strconv.ParseInt(strings.TrimSpace(r.stdout), 10, 64)
				if r.code != 0 || err != nil {
					t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
				}
				took = append(took, time.Unix(0, ns).Sub(start))
			}
			sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
			t.Logf("exec start to command start: min %v, median %v, max %v", took[0], took[len(took)/2], took[len(took)-1])
		})
	}
}

// TestExecInstanceLeavesNothing: however exec --instance ends — killed
// with SIGKILL, or after the serve it was attached to died — no process
// stays in the instance's network namespace and the host's interfaces
// are as before.
func TestExecInstanceLeavesNothing(t *testing.T) {
	needInstanceTools(t)
	const script = `sleep 1000 & echo ready; readlink /proc/self/ns/net; read line; echo "$line"`
	t.Run("SIGKILL of exec", func(t *testing.T) {
		before := hostState(t)
		cmd := s3vpceCmd(t, t.TempDir(), "exec", "--instance", "172.16.10.77", "--", "sh", "-c", script)
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		defer stdin.Close()
		stdout := startReady(t, cmd)
		ns := readNS(t, stdout)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		waitEOF(t, stdout)
		cmd.Wait()
		checkNothingLeft(t, ns, before)
	})
	t.Run("serve died", func(t *testing.T) {
		before := hostState(t)
		home := t.TempDir()
		serve := startServeProcess(t, home, "--dns-addr", "127.0.0.1:0")
		cmd := s3vpceCmd(t, home, "exec", "--instance", "my-vpc-host", "--", "sh", "-c", script)
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		defer stdin.Close()
		stdout := startReady(t, cmd)
		ns := readNS(t, stdout)
		serve.kill()
		stdin.Write([]byte("done\n"))
		if line, err := stdout.ReadString('\n'); line != "done\n" {
			t.Errorf("command printed %q, %v after serve died; want it to go on (done)", line, err)
		}
		waitEOF(t, stdout)
		if err := cmd.Wait(); err != nil {
			t.Errorf("exec: %v; want the command's 0", err)
		}
		checkNothingLeft(t, ns, before)
	})
}

// readNS reads the command's network namespace ("net:[N]") from stdout.
func readNS(t *testing.T, stdout *bufio.Reader) string {
	t.Helper()
	line, err := stdout.ReadString('\n')
	ns := strings.TrimSpace(line)
	if err != nil || !strings.HasPrefix(ns, "net:[") {
		t.Fatalf("command's namespace %q, %v", line, err)
	}
	if pids := inNetNS(t, ns); len(pids) < 2 {
		t.Fatalf("want the shell and its sleep in %s, got %v", ns, pids)
	}
	return ns
}

// waitEOF reads stdout to its end: every process of the namespaces holds
// it until it exits. Bounded, so that a survivor fails the test instead
// of hanging it.
func waitEOF(t *testing.T, stdout io.Reader) {
	t.Helper()
	eof := make(chan error, 1)
	go func() { _, err := io.Copy(io.Discard, stdout); eof <- err }()
	select {
	case <-eof:
	case <-time.After(time.Minute):
		t.Fatal("processes still hold exec's stdout")
	}
}

// checkNothingLeft fails the test when a process is still in the network
// namespace ns, or the host's interfaces differ from before. A process
// that has closed its files may still be exiting: /proc is polled, with a
// generous deadline.
func checkNothingLeft(t *testing.T, ns string, before []string) {
	t.Helper()
	deadline := time.After(time.Minute)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for pids := inNetNS(t, ns); len(pids) > 0; pids = inNetNS(t, ns) {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("processes %v are still in the instance's namespace %s", pids, ns)
		}
	}
	if now := hostState(t); !slices.Equal(now, before) {
		t.Errorf("host: %q, before %q", now, before)
	}
}

// hostState describes what exec must leave alone on the host: the names
// of its network interfaces, its nftables tables and whether it forwards
// IPv4.
func hostState(t *testing.T) []string {
	t.Helper()
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, i := range ifs {
		names = append(names, "link "+i.Name)
	}
	tables, err := exec.Command("nft", "list", "tables").CombinedOutput()
	if err != nil {
		t.Fatalf("nft list tables: %v: %s", err, tables)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(tables)), "\n") {
		names = append(names, "nft "+l)
	}
	fwd, err := os.ReadFile("/proc/sys/net/ipv4/ip_forward")
	if err != nil {
		t.Fatal(err)
	}
	names = append(names, "ip_forward "+strings.TrimSpace(string(fwd)))
	slices.Sort(names)
	return names
}

// inNetNS lists the live processes whose network namespace is ns
// ("net:[N]"); zombies have none.
func inNetNS(t *testing.T, ns string) []string {
	t.Helper()
	dirs, err := filepath.Glob("/proc/[0-9]*/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	var pids []string
	for _, d := range dirs {
		if l, err := os.Readlink(d); err == nil && l == ns {
			pids = append(pids, strings.Split(d, "/")[2])
		}
	}
	return pids
}
