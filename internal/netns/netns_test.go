package netns

import (
	"bufio"
	"fmt"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/s3vpce/s3vpce/internal/proctree"
)

// TestMain plays the re-executed child when Start runs this test binary.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == InitArg {
		os.Exit(Init())
	}
	if os.Getenv(probeEnv) == "1" {
		os.Exit(probe(os.Stdin, os.Stdout))
	}
	os.Exit(m.Run())
}

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to create namespaces (CI runs as root); the user-namespace path is tested as nobody in cmd/s3vpce")
	}
}

// startShell starts script under sh in a namespace and returns once it has
// printed its first line ("ready"), with the command running.
func startShell(t *testing.T, script string, env ...string) *Cmd {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	cfg := Config{
		Addrs:     []netip.Addr{netip.MustParseAddr("172.16.10.143")},
		Resolvers: []netip.Addr{netip.MustParseAddr("172.16.0.2")},
		HTTPSPort: 443,
		Command:   []string{"sh", "-c", script},
		Env:       append([]string{"PATH=/usr/bin:/bin"}, env...),
	}
	c, err := Start(t.Context(), cfg, nil, w, os.Stderr)
	w.Close() // the child has its own copy
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Sockets.Close() })
	if err := c.release(); err != nil {
		c.Abort()
		t.Fatal(err)
	}
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil || line != "ready\n" {
		c.Abort()
		t.Fatalf("command's first line %q, %v; want ready", line, err)
	}
	return c
}

// TestRelaysSignals: a signal passed to Run reaches the command (its trap
// runs), and the command's own exit status comes back.
func TestRelaysSignals(t *testing.T) {
	needRoot(t)
	for _, tc := range []struct {
		name string
		sig  syscall.Signal
	}{{"TERM", syscall.SIGTERM}, {"INT", syscall.SIGINT}, {"HUP", syscall.SIGHUP}, {"QUIT", syscall.SIGQUIT}} {
		t.Run(tc.name, func(t *testing.T) {
			if signal.Ignored(tc.sig) {
				// Started under nohup (or the like): the command inherits the
				// signal ignored, as exec documents, and sh cannot trap a
				// signal ignored at its start.
				t.Skipf("SIG%s is ignored in this test process, so in the command too: run the tests without nohup", tc.name)
			}
			marker := filepath.Join(t.TempDir(), "marker")
			name, sig := tc.name, tc.sig
			c := startShell(t, fmt.Sprintf(`trap 'echo %s > "$M"; exit 42' %s; echo ready; sleep 1000 & wait`, name, name), "M="+marker)
			sigs := make(chan os.Signal, 1)
			sigs <- sig
			code, err := c.waitRelaying(sigs)
			if err != nil || code != 42 {
				t.Fatalf("exit %d, %v; want the trap's 42", code, err)
			}
			if b, err := os.ReadFile(marker); err != nil || string(b) != name+"\n" {
				t.Errorf("marker %q, %v; want %s", b, err, name)
			}
		})
	}
}

// TestParentGoneKillsEverything: when the parent's end of the socket pair
// closes (the parent died, however), the command and the process it
// started in the background are killed, and init exits 128+SIGKILL. A PID
// namespace's init returns from wait only once every process in it is
// gone, so /proc is checked right after.
func TestParentGoneKillsEverything(t *testing.T) {
	needRoot(t)
	c := startShell(t, `sleep 1000 & echo ready; wait`)
	procs := descendants(t, c.cmd.Process.Pid)
	if len(procs) < 2 {
		t.Fatalf("want the shell and its sleep below init, got %v", procs)
	}
	c.conn.Close()
	code, err := exitStatus(c.wait())
	if err != nil || code != 128+int(syscall.SIGKILL) {
		t.Errorf("init exit %d, %v; want %d", code, err, 128+int(syscall.SIGKILL))
	}
	for pid, start := range procs {
		if s, ok := proctree.StartTime(pid); ok && s == start {
			t.Errorf("process %d (%s) outlived the parent", pid, proctree.Comm(pid))
		}
	}
}

// TestSignals: outside a terminal every relayed signal; sharing one, only
// SIGTERM.
func TestSignals(t *testing.T) {
	for _, tc := range []struct {
		shareTTY bool
		want     string
	}{{false, "[terminated interrupt hangup quit]"}, {true, "[terminated]"}} {
		t.Run(fmt.Sprint("shareTTY=", tc.shareTTY), func(t *testing.T) {
			if got := fmt.Sprint((&Cmd{shareTTY: tc.shareTTY}).Signals()); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestSignalMessage(t *testing.T) {
	for _, tc := range []struct {
		msg string
		sig syscall.Signal
		ok  bool
	}{
		{string(signalMessage(syscall.SIGTERM)), syscall.SIGTERM, true},
		{"sig 2", syscall.SIGINT, true},
		{"sig 0", 0, false},
		{"sig 65", 0, false},
		{"sig -9", 0, false},
		{"sig x", 0, false},
		{"go", 0, false},
		{"", 0, false},
	} {
		t.Run(strconv.Quote(tc.msg), func(t *testing.T) {
			sig, ok := parseSignalMessage([]byte(tc.msg))
			if sig != tc.sig || ok != tc.ok {
				t.Errorf("got %v %v, want %v %v", sig, ok, tc.sig, tc.ok)
			}
		})
	}
}

// TestForegroundNotATerminal: pipes and nil are not terminals.
func TestForegroundNotATerminal(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if foreground(nil, r, w, strings.NewReader("")) {
		t.Error("a pipe was taken for a terminal")
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
