package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// Real is the real path (Config.Real): each target is a process of its
// own, and each measurement's clients are one more process, run through
// `s3vpce exec` for the s3vpce targets, so that DNS (the endpoint's name
// resolves in the namespace), TLS (the namespace's trust store holds the
// emulator's CA) and the endpoint URL (https://bucket.<regional name>,
// port 443) are those a user has:
//
//   - memory, dir, authoff: `s3vpce serve` with a home of its own in a
//     temporary directory, the bucket "bench" with the bench bucket policy
//     (put through the real path), --store memory or dir, --auth off for
//     authoff; HTTPS and DNS on ephemeral loopback ports, DNS forwarding
//     nothing;
//   - bare: `s3vpce-bench serve-bare` on 127.0.0.1, its clients on the
//     host, dialling that address.
//
// Nothing but loopback and the exec namespaces' own addresses is reached.
type Real struct {
	// S3vpce is the s3vpce program (serve, exec).
	S3vpce string
	// Bench is the s3vpce-bench program (its client and serve-bare
	// commands).
	Bench string
	// Env is added to every process's environment.
	Env []string
}

// readyTimeout bounds how long a server process may take to come up.
const readyTimeout = time.Minute

// start starts the named target's server process.
func (r *Real) start(ctx context.Context, name string) (benchTarget, error) {
	if r.S3vpce == "" || r.Bench == "" {
		return nil, errors.New("bench: the real path needs the s3vpce and s3vpce-bench programs")
	}
	dir, err := os.MkdirTemp("", "s3vpce-bench-"+name+"-")
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	t := &realTarget{r: r, name: name, dir: dir}
	if err := t.startServer(ctx); err != nil {
		t.stop()
		return nil, err
	}
	return t, nil
}

// realTarget is a target served by a process of its own.
type realTarget struct {
	r      *Real
	name   string
	dir    string // the server's temporary directory: serve's home, bare's CA
	server *proc
	// client is the argument list that starts a client process, up to
	// and including "client"; args its flags that say where to go.
	client, args []string
	chunks       bool
}

var _ benchTarget = (*realTarget)(nil)

func (t *realTarget) startServer(ctx context.Context) error {
	switch t.name {
	case TargetBare:
		caFile := filepath.Join(t.dir, "ca.pem")
		var addr string
		p, err := t.r.startProc(ctx, []string{t.r.Bench, "serve-bare", "-addr", "127.0.0.1:0", "-ca-out", caFile}, func(line string) bool {
			addr = strings.TrimPrefix(line, BareBanner)
			return len(addr) < len(line)
		})
		t.server = p
		if err != nil {
			return err
		}
		if !isLoopback(addr) {
			return fmt.Errorf("bench: bare listens on %q, not loopback", addr)
		}
		t.client = []string{t.r.Bench, "client"}
		t.args = []string{"-endpoint", "https://" + bareName, "-dial", addr, "-ca", caFile}
		return nil
	case TargetMemory, TargetDir, TargetAuthOff:
		argv := []string{t.r.S3vpce, "serve", "--home", t.dir, "--https-addr", "127.0.0.1:0", "--dns-addr", "127.0.0.1:0",
			"--dns-upstream", "none", "--bucket", Bucket, "--store", "memory"}
		switch t.name {
		case TargetDir:
			argv[len(argv)-1] = "dir"
		case TargetAuthOff:
			argv = append(argv, "--auth", "off")
		}
		p, err := t.r.startProc(ctx, argv, func(line string) bool { return strings.HasPrefix(line, serveBannerEnd) })
		t.server = p
		if err != nil {
			return err
		}
		ep := vpce.DefaultEndpoint()
		t.client = []string{t.r.S3vpce, "exec", "--home", t.dir, "--", t.r.Bench, "client"}
		t.args = []string{"-endpoint", ep.BucketURL("", 0)}
		t.chunks = true
		_, err = t.runClient(ctx, "-set-policy")
		return err
	}
	return fmt.Errorf("bench: unknown target %q for the real path (want %s, %s, %s or %s)", t.name, TargetBare, TargetMemory, TargetDir, TargetAuthOff)
}

// BareBanner starts the line `s3vpce-bench serve-bare` prints once it
// listens, followed by its address.
const BareBanner = "bare listening on "

// serveBannerEnd starts the last paragraph of `s3vpce serve`'s banner,
// printed once every listener is up.
const serveBannerEnd = "From this shell instead"

func (t *realTarget) decodesChunks() bool { return t.chunks }

func (t *realTarget) prepare(ctx context.Context, w Workload, clients int) error {
	_, err := t.runClient(ctx, "-prepare", "-workload", w.Name, "-clients", strconv.Itoa(clients))
	return err
}

// measure runs one client process for w and reads its sample; the
// sample's serverCPU is what the server process used meanwhile (its
// start-up and exec's namespace set-up included: a few milliseconds
// against a measurement's seconds).
func (t *realTarget) measure(ctx context.Context, w Workload, variant string, clients int, d time.Duration) (sample, error) {
	pid := t.server.cmd.Process.Pid
	cpu0, cpuErr := processCPU(pid)
	out, err := t.runClient(ctx, "-workload", w.Name, "-variant", variant, "-clients", strconv.Itoa(clients), "-duration", d.String())
	if err != nil {
		return sample{}, err
	}
	s, err := parseSample(out)
	if err != nil {
		return sample{}, err
	}
	if cpu1, err := processCPU(pid); cpuErr == nil && err == nil {
		s.serverCPU = cpu1 - cpu0
	}
	return s, nil
}

// runClient runs one client process with args and returns its stdout.
func (t *realTarget) runClient(ctx context.Context, args ...string) ([]byte, error) {
	argv := slices.Concat(t.client, t.args, args)
	cmd := t.r.command(ctx, argv)
	var stdout bytes.Buffer
	stderr := &tail{}
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("bench: %s: %s: %w; stderr: %s", t.name, strings.Join(argv, " "), err, stderr)
	}
	return stdout.Bytes(), nil
}

func (t *realTarget) stop() {
	if t.server != nil {
		t.server.stop()
	}
	os.RemoveAll(t.dir)
}

// command is a process of the real path: the caller's environment plus
// Env; ctx's end, like stop, sends it SIGTERM (which serve and exec take
// as the end, exec relaying it to its command). It gets a process group of
// its own, so a terminal's Ctrl-C reaches the bench alone, which then ends
// its processes in order, and it is killed if the bench dies.
func (r *Real) command(ctx context.Context, argv []string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), r.Env...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	cmd.SysProcAttr = procAttr()
	return cmd
}

// proc is a running server process.
type proc struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed once Wait returned
	stderr *tail
}

// startProc starts argv and returns once ready has accepted a line of its
// stdout; an exit before that is an error with its stderr's end.
func (r *Real) startProc(ctx context.Context, argv []string, ready func(line string) bool) (*proc, error) {
	p := &proc{cmd: r.command(ctx, argv), exited: make(chan struct{}), stderr: &tail{}}
	lw := &lineWatcher{ready: ready, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = lw, p.stderr
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench: start %s: %w", argv[0], err)
	}
	var waitErr error
	go func() {
		waitErr = p.cmd.Wait()
		close(p.exited)
	}()
	timer := time.NewTimer(readyTimeout)
	defer timer.Stop()
	select {
	case <-lw.done:
		return p, nil
	case <-p.exited:
		return p, fmt.Errorf("bench: %s exited before it was ready: %v; stderr: %s", strings.Join(argv, " "), waitErr, p.stderr)
	case <-timer.C:
		return p, fmt.Errorf("bench: %s not ready after %v; stderr: %s", strings.Join(argv, " "), readyTimeout, p.stderr)
	case <-ctx.Done():
		return p, fmt.Errorf("bench: start %s: %w", argv[0], ctx.Err())
	}
}

// stop ends the process (SIGTERM) and waits for it.
func (p *proc) stop() {
	select {
	case <-p.exited:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	<-p.exited
}

// lineWatcher is a process's stdout: it hands each line to ready until
// ready accepts one, then closes done and discards the rest.
type lineWatcher struct {
	mu    sync.Mutex
	buf   []byte
	ready func(line string) bool
	done  chan struct{}
	fired bool
}

func (w *lineWatcher) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fired {
		return len(b), nil
	}
	w.buf = append(w.buf, b...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(b), nil
		}
		line := string(w.buf[:i])
		w.buf = w.buf[i+1:]
		if w.ready(line) {
			w.fired, w.buf = true, nil
			close(w.done)
			return len(b), nil
		}
	}
}

// tail keeps the last tailSize bytes written to it: a process's stderr,
// for error messages.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

const tailSize = 4 << 10

func (t *tail) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if len(t.buf) > tailSize {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-tailSize:]...)
	}
	return len(b), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.buf))
}
