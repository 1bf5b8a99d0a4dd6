package emulator

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"
)

// TestConnLimiterReleases: a slot is taken at Accept and given back when
// the server closes the connection (once, however often Close is called),
// so the source may connect again.
func TestConnLimiterReleases(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := newConnLimiter(ln, 1, slog.New(slog.DiscardHandler))
	defer l.Close()
	dial := func(local string) net.Conn {
		t.Helper()
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}
		c, err := d.DialContext(t.Context(), "tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	accept := func() net.Conn {
		t.Helper()
		c, err := l.Accept()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	dial("127.0.0.1")
	first := accept()
	refused := dial("127.0.0.1")
	dial("127.0.0.2")
	// Accept refuses the second 127.0.0.1 connection and returns the next.
	if got := accept(); sourceAddr(got.RemoteAddr()).String() != "127.0.0.2" {
		t.Fatalf("accepted %v, want the connection from 127.0.0.2", got.RemoteAddr())
	}
	refused.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.Copy(io.Discard, refused); errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatal("the connection over the cap was left open")
	}

	first.Close()
	first.Close() // a second Close must not free a second slot
	dial("127.0.0.1")
	again := accept()
	if sourceAddr(again.RemoteAddr()).String() != "127.0.0.1" {
		t.Fatalf("accepted %v, want 127.0.0.1 again once its connection closed", again.RemoteAddr())
	}
	l.mu.Lock()
	n := l.open[sourceAddr(again.RemoteAddr())]
	l.mu.Unlock()
	if n != 1 {
		t.Errorf("127.0.0.1 holds %d slots, want 1", n)
	}
}

// TestProgressDeadlineThrottled: touching the deadline on every Read or
// Write sets it at most once per period.
func TestProgressDeadlineThrottled(t *testing.T) {
	var sets int
	var last time.Time
	d := newProgressDeadline(deadlineFunc(func(t time.Time) error { sets++; last = t; return nil }), true, time.Hour)
	start := time.Now()
	for range 10000 {
		d.touch()
	}
	elapsed := time.Since(start)
	if max := 1 + int(elapsed/d.every); sets < 1 || sets > max {
		t.Errorf("%d deadline updates for 10000 touches in %v, want 1 to %d", sets, elapsed, max)
	}
	if last.Before(start.Add(time.Hour)) {
		t.Errorf("deadline %v, want an hour after the first touch", last)
	}
	d.clear()
	if !last.IsZero() {
		t.Errorf("clear left the deadline at %v", last)
	}
}

// deadlineFunc is a connection whose read and write deadlines both go to f.
type deadlineFunc func(time.Time) error

func (f deadlineFunc) SetReadDeadline(t time.Time) error  { return f(t) }
func (f deadlineFunc) SetWriteDeadline(t time.Time) error { return f(t) }
