package emulator_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/s3vpce/s3vpce/emulator"
)

// gatedReader yields size zero bytes, stopping after
// hold bytes until gate is closed.
type gatedReader struct {
	size, hold, sent int
	gate             chan struct{}
}

func (g *gatedReader) Read(p []byte) (int, error) {
	if g.sent == g.size {
		return 0, io.EOF
	}
	if g.sent == g.hold {
		<-g.gate
	}
	end := g.size
	if g.sent < g.hold {
		end = g.hold
	}
	n := min(len(p), end-g.sent)
	clear(p[:n])
	g.sent += n
	return n, nil
}

// watchCreate reports, on the returned channel, the name of every file
// created in dir (inotify, so no polling).
func watchCreate(t *testing.T, dir string) <-chan string {
	t.Helper()
	fd, err := syscall.InotifyInit1(syscall.IN_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := syscall.InotifyAddWatch(fd, dir, syscall.IN_CREATE); err != nil {
		syscall.Close(fd)
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fd), "inotify")
	t.Cleanup(func() { f.Close() })
	names := make(chan string, 16)
	ctx := t.Context()
	go func() {
		defer close(names)
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			if err != nil {
				return
			}
			for off := 0; off+syscall.SizeofInotifyEvent <= n; {
				ev := (*syscall.InotifyEvent)(unsafe.Pointer(&buf[off]))
				name := buf[off+syscall.SizeofInotifyEvent : off+syscall.SizeofInotifyEvent+int(ev.Len)]
				select {
				case names <- string(bytes.TrimRight(name, "\x00")):
				case <-ctx.Done():
					return
				}
				off += syscall.SizeofInotifyEvent + int(ev.Len)
			}
		}
	}()
	return names
}

func spoolFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "s3vpce-body-") {
			out = append(out, e.Name())
		}
	}
	return out
}

// TestSpoolDir: Options.SpoolDir is created 0700, the spool files a killed
// server left there are removed at Start (the count is logged), and a body
// larger than the 16 MiB held in memory is spooled there, its file gone
// once the request is done. Without SpoolDir the temporary directory is
// used and nothing in it is swept.
func TestSpoolDir(t *testing.T) {
	for _, tc := range []struct {
		name  string
		own   bool // SpoolDir set
		swept bool
	}{
		{"SpoolDir", true, true},
		{"default temporary directory", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "spool")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			opts := emulator.Options{Buckets: []string{"wsgbucket"}}
			if tc.own {
				opts.SpoolDir = dir
			} else {
				t.Setenv("TMPDIR", dir)
			}
			stale := []string{"s3vpce-body-1234567", "s3vpce-body-89"}
			for _, name := range append([]string{"unrelated.txt"}, stale...) {
				if err := os.WriteFile(filepath.Join(dir, name), []byte("left by a killed server"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Mkdir(filepath.Join(dir, "s3vpce-body-dir"), 0o700); err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			opts.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			srv := startServer(t, opts)

			left := spoolFiles(t, dir)
			if tc.swept {
				if want := []string{"s3vpce-body-dir"}; strings.Join(left, ",") != strings.Join(want, ",") {
					t.Errorf("after Start the spool directory holds %v, want only %v (not a regular file)", left, want)
				}
				if !strings.Contains(logs.String(), "removed=2") {
					t.Errorf("log does not count the 2 files removed:\n%s", logs.String())
				}
			} else if len(left) != len(stale)+1 {
				t.Errorf("the shared temporary directory was swept: %v left", left)
			}
			if _, err := os.Stat(filepath.Join(dir, "unrelated.txt")); err != nil {
				t.Errorf("an unrelated file was removed: %v", err)
			}

			// A 17 MiB body of unknown length (chunked), held back before its
			// last byte until the spool file has appeared in dir.
			const size = 17 << 20
			created := watchCreate(t, dir)
			body := &gatedReader{size: size, hold: size - 1, gate: make(chan struct{})}
			type result struct {
				status int
				msg    string
			}
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, srv.URL()+"/wsgbucket/big", body)
			if err != nil {
				t.Fatal(err)
			}
			req.ContentLength = -1
			sign(t, req, time.Now())
			done := make(chan result, 1)
			go func() {
				resp, err := srv.Client().Do(req)
				if err != nil {
					done <- result{msg: err.Error()}
					return
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				done <- result{status: resp.StatusCode, msg: string(b)}
			}()
			// Bounded, so that a spool file made elsewhere fails the test
			// rather than hanging it.
			deadline := time.After(time.Minute)
		wait:
			for {
				select {
				case name := <-created:
					if strings.HasPrefix(name, "s3vpce-body-") {
						break wait
					}
				case <-deadline:
					t.Fatalf("no spool file was created in %s while a %d-byte body was received", dir, size)
				}
			}
			close(body.gate)
			if r := <-done; r.status != http.StatusOK {
				t.Fatalf("PUT of %d bytes: %d %s", size, r.status, r.msg)
			}
			// Close waits for the handler, which removes its spool file.
			if err := srv.Close(); err != nil {
				t.Fatal(err)
			}
			want := 0
			if !tc.swept {
				want = len(stale) + 1
			} else {
				want = 1 // the directory
			}
			if left := spoolFiles(t, dir); len(left) != want {
				t.Errorf("after the request: %v in the spool directory, want %d entries", left, want)
			}
			if tc.own {
				if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o755 {
					t.Errorf("an existing spool directory's mode was changed: %v %v", fi.Mode(), err)
				}
			}
		})
	}
}

// TestSpoolDirCreated: a SpoolDir that does not exist is created with mode
// 0700 (bodies are private).
func TestSpoolDirCreated(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "spool")
	startServer(t, emulator.Options{SpoolDir: dir, DNSAddr: "off"})
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("spool directory: %v, %v; want mode 0700", fi, err)
	}
}
