package emulator

import (
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"
)

// DefaultMaxConnsPerSource caps the open connections from one source
// address on one listener. SDKs and the CLI open tens of connections per
// process (aws-sdk-go-v2 and botocore pool 10 to 64 per host; `aws s3 cp`
// runs 10 transfers); a CI host running many test processes against one
// emulator stays well below 512, while a single misbehaving or hostile
// source (a slowloris, a client leaking connections) cannot hold more than
// 512 of the server's descriptors and goroutines.
const DefaultMaxConnsPerSource = 512

// capWarnEvery is how often a listener logs that it refuses connections.
const capWarnEvery = 10 * time.Second

// connLimiter is a listener that refuses (accepts and closes at once) a
// connection from a source that already holds max open connections on it.
// Sources are counted per listener: addresses in two exec namespaces are
// different hosts even when they are equal.
type connLimiter struct {
	net.Listener
	max int
	log *slog.Logger

	mu       sync.Mutex
	open     map[netip.Addr]int
	lastWarn time.Time
	refused  int // refusals not yet reported in a warning
}

func newConnLimiter(ln net.Listener, max int, log *slog.Logger) *connLimiter {
	return &connLimiter{Listener: ln, max: max, log: log, open: make(map[netip.Addr]int)}
}

// Accept returns the next connection within the cap; refused ones are
// closed here and never reach the HTTP server.
func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		src := sourceAddr(c.RemoteAddr())
		if l.admit(src) {
			return &limitedConn{Conn: c, release: func() { l.release(src) }}, nil
		}
		c.Close()
	}
}

func (l *connLimiter) admit(src netip.Addr) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.open[src]
	if n < l.max {
		l.open[src] = n + 1
		return true
	}
	l.refused++
	now := time.Now()
	if !l.lastWarn.IsZero() && now.Sub(l.lastWarn) < capWarnEvery {
		return false
	}
	source := "non-IP"
	if src.IsValid() {
		source = src.String()
	}
	l.log.Warn("refusing connection: too many open connections from one source (raise --max-conns-per-source or Options.MaxConnsPerSource if this client is legitimate)",
		"source", source, "open", n, "max_conns_per_source", l.max,
		"listener", l.Addr().String(), "refused", l.refused, "warn_every", capWarnEvery.String())
	l.lastWarn = now
	l.refused = 0
	return false
}

func (l *connLimiter) release(src netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[src] <= 1 {
		delete(l.open, src)
		return
	}
	l.open[src]--
}

// sourceAddr is the IP a connection comes from; connections that are not
// IP (a Unix socket) share the zero Addr.
func sourceAddr(a net.Addr) netip.Addr {
	if ta, ok := a.(*net.TCPAddr); ok {
		return ta.AddrPort().Addr().Unmap()
	}
	return netip.Addr{}
}

// limitedConn gives its slot back when closed (once, however often Close
// is called).
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
