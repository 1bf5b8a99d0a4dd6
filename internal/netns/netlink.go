package netns

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// loAddr adds (or deletes) a/32 (or /128) on the loopback interface, as
// `ip addr add|del A/32 dev lo` does, through rtnetlink: init must not
// fork a helper once the command runs, since it reaps every child it has.
// An address already there (when adding) or already gone (when deleting)
// is not an error.
func loAddr(add bool, a netip.Addr) error {
	op := "del"
	if add {
		op = "add"
	}
	if err := rtAddr(add, a); err != nil {
		return fmt.Errorf("ip addr %s %s dev lo: %w", op, netip.PrefixFrom(a, a.BitLen()), err)
	}
	return nil
}

func rtAddr(add bool, a netip.Addr) error {
	lo, err := netlink.LinkByName("lo")
	if err != nil {
		return err
	}
	addr := &netlink.Addr{IPNet: ipNet(netip.PrefixFrom(a, a.BitLen()))}
	if a.Is6() {
		addr.Flags = unix.IFA_F_NODAD
	}
	if add {
		err = netlink.AddrAdd(lo, addr)
		if errors.Is(err, unix.EEXIST) {
			return nil
		}
		return err
	}
	err = netlink.AddrDel(lo, addr)
	if errors.Is(err, unix.EADDRNOTAVAIL) {
		return nil
	}
	return err
}

// ipNet is p as the net package has it; its address keeps p's host bits.
func ipNet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}

// loUp brings the loopback interface up, as `ip link set lo up` does.
func loUp() error {
	lo, err := netlink.LinkByName("lo")
	if err == nil {
		err = netlink.LinkSetUp(lo)
	}
	if err != nil {
		return fmt.Errorf("ip link set lo up: %w", err)
	}
	return nil
}

// localWait bounds the wait for an IPv6 address's local route.
const localWait = 2 * time.Second

// localWatch sees IPv6 addresses become reachable. The kernel adds an
// IPv6 address's local route asynchronously, after the address itself
// (in its address-configuration work, even with IFA_F_NODAD): a connection
// made in between finds no route and fails a second later. Start the
// watch before adding the addresses, then wait for them.
type localWatch struct {
	ch   chan netlink.RouteUpdate
	done chan struct{}
	seen map[netip.Addr]bool
}

func watchLocal() (*localWatch, error) {
	w := &localWatch{ch: make(chan netlink.RouteUpdate, 256), done: make(chan struct{}), seen: map[netip.Addr]bool{}}
	if err := netlink.RouteSubscribeWithOptions(w.ch, w.done, netlink.RouteSubscribeOptions{ListExisting: true}); err != nil {
		return nil, fmt.Errorf("netlink: watch routes: %w", err)
	}
	return w, nil
}

// wait waits until every IPv6 address of addrs has its local route.
func (w *localWatch) wait(addrs []netip.Addr) error {
	pending := map[netip.Addr]bool{}
	for _, a := range addrs {
		if a.Is6() && !w.seen[a] {
			pending[a] = true
		}
	}
	timer := time.NewTimer(localWait)
	defer timer.Stop()
	for len(pending) > 0 {
		select {
		case u, ok := <-w.ch:
			if !ok {
				return fmt.Errorf("netlink: route watch ended")
			}
			if u.Type != unix.RTM_NEWROUTE || u.Route.Type != unix.RTN_LOCAL || u.Route.Dst == nil {
				continue
			}
			if a, ok := netip.AddrFromSlice(u.Route.Dst.IP); ok {
				w.seen[a] = true
				delete(pending, a)
			}
		case <-timer.C:
			return fmt.Errorf("netlink: no local route for %v after %v", sortedKeys(pending), localWait)
		}
	}
	return nil
}

// close ends the watch.
func (w *localWatch) close() {
	close(w.done)
	go func() {
		for range w.ch { // until the subscription's reader has gone
		}
	}()
}

// addLo adds addrs to lo (see loAddr) and, if some are IPv6, waits until
// they are reachable. It returns the addresses it added and the errors of
// the others.
func addLo(addrs []netip.Addr) ([]netip.Addr, []error) {
	var w *localWatch
	if slices.ContainsFunc(addrs, netip.Addr.Is6) {
		var err error
		if w, err = watchLocal(); err != nil {
			return nil, []error{err}
		}
		defer w.close()
	}
	var added []netip.Addr
	var errs []error
	for _, a := range addrs {
		if err := loAddr(true, a); err != nil {
			errs = append(errs, err)
			continue
		}
		added = append(added, a)
	}
	if w != nil {
		if err := w.wait(added); err != nil {
			errs = append(errs, err)
		}
	}
	return added, errs
}
