package netns

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Following a topology that changes while the command runs: the parent
// sends init an addrs message (AppendAddrsMessage) whenever the address set
// changes; init makes lo hold exactly the new set and opens DNS sockets on
// every resolver address that has none yet, then answers
//
//	"addrs ok N"     followed by N messages "dns ADDR", each carrying the
//	                 UDP and TCP sockets of one new resolver, or
//	"error: TEXT"    when an address could not be added or deleted (the
//	                 ones that could were; the next message retries).
//
// Addresses init did not put there (127.0.0.1, ::1) are never deleted.

const (
	addrsOK    = "addrs ok "
	dnsMessage = "dns "
)

// loState is what init has put on lo: the addresses, and the resolvers
// whose DNS sockets it has handed over. Sockets of a resolver whose
// address goes away stay with the parent: they answer again if the
// address comes back.
type loState struct {
	have map[netip.Addr]bool
	dns  map[netip.Addr]bool
}

func newLoState(cfg *Config) *loState {
	st := &loState{have: AddrSet{Addrs: cfg.Addrs, Resolvers: cfg.Resolvers}.all(), dns: map[netip.Addr]bool{}}
	if len(cfg.Resolvers) > 0 {
		st.dns[cfg.Resolvers[0]] = true
	}
	return st
}

// newDNS is a resolver's sockets opened by apply.
type newDNS struct {
	addr  netip.Addr
	files []*os.File // UDP, TCP
}

// apply makes lo hold exactly set's addresses and opens DNS sockets for
// the resolvers that have none. On an error the DNS sockets are closed
// (they are opened again next time).
func (st *loState) apply(set AddrSet) ([]newDNS, error) {
	want := set.all()
	var errs []error
	for _, a := range sortedKeys(st.have) {
		if !want[a] {
			if err := loAddr(false, a); err != nil {
				errs = append(errs, err)
				continue
			}
			delete(st.have, a)
		}
	}
	var add []netip.Addr
	for _, a := range sortedKeys(want) {
		if !st.have[a] {
			add = append(add, a)
		}
	}
	added, addErrs := addLo(add)
	for _, a := range added {
		st.have[a] = true
	}
	errs = append(errs, addErrs...)
	var opened []newDNS
	for _, r := range set.Resolvers {
		if st.dns[r] || !st.have[r] || slices.ContainsFunc(opened, func(d newDNS) bool { return d.addr == r }) {
			continue
		}
		files, err := listenDNS(r)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		opened = append(opened, newDNS{r, files})
	}
	if err := errors.Join(errs...); err != nil {
		for _, d := range opened {
			closeFiles(d.files)
		}
		return nil, err
	}
	for _, d := range opened {
		st.dns[d.addr] = true
	}
	return opened, nil
}

// listenDNS opens UDP and TCP sockets on r:53 and returns their files.
func listenDNS(r netip.Addr) ([]*os.File, error) {
	addr := netip.AddrPortFrom(r, 53).String()
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for dns: %w", err)
	}
	defer pc.Close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for dns: %w", err)
	}
	defer ln.Close()
	s := &Sockets{DNSUDP: pc, DNSTCP: ln}
	return s.DNSFiles()
}

// handleAddrs applies an addrs message in init and answers the parent.
// It returns an error only when the parent cannot be answered.
func handleAddrs(conn *net.UnixConn, st *loState, msg []byte) error {
	set, err := ParseAddrsMessage(msg)
	var opened []newDNS
	if err == nil {
		opened, err = st.apply(set)
	}
	if err != nil {
		text := err.Error()
		if len(text) > 4096 { // one datagram, whatever the number of failures
			text = text[:4096] + "..."
		}
		_, werr := conn.Write([]byte("error: " + text))
		return werr
	}
	defer func() {
		for _, d := range opened {
			closeFiles(d.files)
		}
	}()
	if _, err := conn.Write([]byte(addrsOK + strconv.Itoa(len(opened)))); err != nil {
		return err
	}
	for _, d := range opened {
		if err := SendFiles(conn, []byte(dnsMessage+d.addr.String()), d.files...); err != nil {
			return err
		}
	}
	return nil
}

// Update makes the namespace's loopback hold set's addresses instead of
// the previous ones, while the command waits or runs. It returns the DNS
// sockets opened on resolver addresses that had none (HTTPS nil), for the
// caller to serve on; an address init could not add or delete is an
// error. Calls are serialised. Once ctx ends during an Update, or init has
// exited, every later Update fails.
func (c *Cmd) Update(ctx context.Context, set AddrSet) ([]*Sockets, error) {
	msg, err := AppendAddrsMessage(nil, set)
	if err != nil {
		return nil, err
	}
	c.updMu.Lock()
	defer c.updMu.Unlock()
	if c.updErr != nil {
		return nil, c.updErr
	}
	stop := context.AfterFunc(ctx, func() { c.conn.SetReadDeadline(time.Now()) })
	socks, err := c.update(msg)
	if !stop() {
		err = fmt.Errorf("netns: update addresses: %w", context.Cause(ctx))
	}
	if err != nil {
		for _, s := range socks {
			s.Close()
		}
		var initErr *initError
		if !errors.As(err, &initErr) {
			c.updErr = err // the conversation is out of step, or init gone
		}
		return nil, err
	}
	return socks, nil
}

// initError is init's own "error: " answer: the conversation stays in step.
type initError struct{ msg string }

func (e *initError) Error() string { return "netns: update addresses: " + e.msg }

func (c *Cmd) update(msg []byte) ([]*Sockets, error) {
	if _, err := c.conn.Write(msg); err != nil {
		return nil, fmt.Errorf("netns: update addresses: %w", err)
	}
	ans, files, err := ReceiveFiles(c.conn, 0)
	if err != nil {
		return nil, fmt.Errorf("netns: update addresses: %w", err)
	}
	closeFiles(files)
	if e, ok := strings.CutPrefix(string(ans), "error: "); ok {
		return nil, &initError{e}
	}
	n, err := parseAddrsOK(ans)
	if err != nil {
		return nil, err
	}
	var socks []*Sockets
	for range n {
		ans, files, err := ReceiveFiles(c.conn, 2)
		if err != nil {
			return socks, fmt.Errorf("netns: update addresses: %w", err)
		}
		if _, err := parseDNSMessage(ans); err != nil {
			closeFiles(files)
			return socks, err
		}
		s, err := dnsSocketsFromFiles(files)
		if err != nil {
			return socks, err
		}
		socks = append(socks, s)
	}
	return socks, nil
}

// parseAddrsOK is N of an "addrs ok N" answer.
func parseAddrsOK(b []byte) (int, error) {
	v, ok := strings.CutPrefix(string(b), addrsOK)
	n, err := strconv.Atoi(v)
	if !ok || err != nil || n < 0 || n > MaxAddrs || strconv.Itoa(n) != v {
		return 0, fmt.Errorf("netns: update addresses: unexpected answer %.40q", b)
	}
	return n, nil
}

// parseDNSMessage is the resolver address of a "dns ADDR" message.
func parseDNSMessage(b []byte) (netip.Addr, error) {
	v, ok := strings.CutPrefix(string(b), dnsMessage)
	a, err := netip.ParseAddr(v)
	if !ok || err != nil || checkAddr(a) != nil {
		return netip.Addr{}, fmt.Errorf("netns: update addresses: unexpected message %.40q", b)
	}
	return a, nil
}

func closeFiles(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}

func sortedKeys(m map[netip.Addr]bool) []netip.Addr {
	out := make([]netip.Addr, 0, len(m))
	for a := range m {
		out = append(out, a)
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return out
}
