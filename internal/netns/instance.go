package netns

import (
	"fmt"
	"net/netip"
	"runtime"
	"syscall"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// setupInstance, in init, in the router namespace (this thread's), sets
// the host name of the UTS namespace init was started in, creates the
// command's network namespace and joins it to this one by a veth pair
// (see Instance). It returns the command's namespace, which init enters
// just before it starts the command.
func setupInstance(in *Instance) (netns.NsHandle, error) {
	if err := syscall.Sethostname([]byte(in.Hostname)); err != nil {
		return -1, fmt.Errorf("set host name %s: %w", in.Hostname, err)
	}
	ns, err := newNetNS()
	if err != nil {
		return -1, err
	}
	if err := joinInstance(ns, in); err != nil {
		ns.Close()
		return -1, err
	}
	return ns, nil
}

// newNetNS creates a network namespace and returns it, leaving this
// thread's as it was: a thread of its own enters the new one and ends
// with its goroutine (locked to it and never unlocked, the thread is
// not reused).
func newNetNS() (netns.NsHandle, error) {
	type result struct {
		ns  netns.NsHandle
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		ns, err := netns.New()
		ch <- result{ns, err}
	}()
	r := <-ch
	if r.err != nil {
		return -1, fmt.Errorf("create the instance's network namespace: %w", r.err)
	}
	return r.ns, nil
}

// routerLinkIndex is RouterLink's interface index (see joinInstance).
const routerLinkIndex = 100

// joinInstance creates the veth pair, the instance's end straight in ns,
// and gives both ends their addresses and routes.
func joinInstance(ns netns.NsHandle, in *Instance) error {
	la := netlink.NewLinkAttrs()
	la.Name = RouterLink
	// Not the index the instance's end gets (2, after lo, in its fresh
	// namespace): the kernel takes a veth whose peer has its own index for
	// an ordinary device, whose carrier it sees up to a second late (a
	// non-urgent link-watch event), and the first packets with it.
	la.Index = routerLinkIndex
	veth := &netlink.Veth{LinkAttrs: la, PeerName: InstanceLink, PeerNamespace: netlink.NsFd(int(ns))}
	if err := netlink.LinkAdd(veth); err != nil {
		return fmt.Errorf("ip link add %s type veth peer %s netns instance: %w", RouterLink, InstanceLink, err)
	}
	router, err := netlink.LinkByName(RouterLink)
	if err != nil {
		return fmt.Errorf("find %s: %w", RouterLink, err)
	}
	gw := netip.PrefixFrom(in.Gateway, 32)
	if err := netlink.AddrAdd(router, &netlink.Addr{IPNet: ipNet(gw)}); err != nil {
		return fmt.Errorf("ip addr add %s dev %s: %w", gw, RouterLink, err)
	}
	if err := netlink.LinkSetUp(router); err != nil {
		return fmt.Errorf("ip link set %s up: %w", RouterLink, err)
	}
	back := netip.PrefixFrom(in.Addr.Addr(), 32)
	if err := netlink.RouteAdd(&netlink.Route{LinkIndex: router.Attrs().Index, Dst: ipNet(back), Scope: netlink.SCOPE_LINK}); err != nil {
		return fmt.Errorf("ip route add %s dev %s: %w", back, RouterLink, err)
	}

	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		return fmt.Errorf("netlink in the instance's namespace: %w", err)
	}
	defer h.Close()
	for _, name := range []string{"lo", InstanceLink} {
		l, err := h.LinkByName(name)
		if err != nil {
			return fmt.Errorf("instance: find %s: %w", name, err)
		}
		if name == InstanceLink {
			if err := h.AddrAdd(l, &netlink.Addr{IPNet: ipNet(in.Addr)}); err != nil {
				return fmt.Errorf("instance: ip addr add %s dev %s: %w", in.Addr, name, err)
			}
		}
		if err := h.LinkSetUp(l); err != nil {
			return fmt.Errorf("instance: ip link set %s up: %w", name, err)
		}
		if name == InstanceLink {
			def := &netlink.Route{LinkIndex: l.Attrs().Index, Gw: in.Gateway.AsSlice()}
			if err := h.RouteAdd(def); err != nil {
				return fmt.Errorf("instance: ip route add default via %s dev %s: %w", in.Gateway, name, err)
			}
		}
	}
	if err := waitUp(netns.None(), RouterLink); err != nil {
		return err
	}
	return waitUp(ns, InstanceLink)
}

// upWait bounds the wait for a veth to be up.
const upWait = 2 * time.Second

// waitUp waits until the link name in ns (netns.None(): this thread's) is
// operationally up. The kernel sees a veth's carrier asynchronously (in
// its link-watch work) and until then drops what is sent through it: the
// command's first packet, an ARP request say, would be lost, and its first
// connection would take a second more.
func waitUp(ns netns.NsHandle, name string) error {
	ch := make(chan netlink.LinkUpdate, 16)
	done := make(chan struct{})
	defer func() {
		close(done)
		go func() {
			for range ch { // until the subscription's reader has gone
			}
		}()
	}()
	opts := netlink.LinkSubscribeOptions{ListExisting: true}
	if ns.IsOpen() {
		opts.Namespace = &ns
	}
	if err := netlink.LinkSubscribeWithOptions(ch, done, opts); err != nil {
		return fmt.Errorf("netlink: watch %s: %w", name, err)
	}
	timer := time.NewTimer(upWait)
	defer timer.Stop()
	for {
		select {
		case u, ok := <-ch:
			if !ok {
				return fmt.Errorf("netlink: the watch of %s ended", name)
			}
			if a := u.Attrs(); a.Name == name && a.OperState == netlink.OperUp {
				return nil
			}
		case <-timer.C:
			return fmt.Errorf("%s is not up after %v", name, upWait)
		}
	}
}
