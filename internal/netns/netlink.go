package netns

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"

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
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		return err
	}
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return fmt.Errorf("netlink socket: %w", err)
	}
	defer unix.Close(fd)
	msg := addrRequest(add, a, lo.Index)
	if err := unix.Sendto(fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return fmt.Errorf("netlink send: %w", err)
	}
	buf := make([]byte, 4096)
	n, _, err := unix.Recvfrom(fd, buf, 0)
	if err != nil {
		return fmt.Errorf("netlink receive: %w", err)
	}
	errno, err := ackErrno(buf[:n])
	if err != nil {
		return err
	}
	switch {
	case errno == 0, add && errno == unix.EEXIST, !add && errno == unix.EADDRNOTAVAIL:
		return nil
	}
	return errno
}

// addrRequest is an RTM_NEWADDR (or RTM_DELADDR) request for a on the
// interface index, asking for an acknowledgement.
func addrRequest(add bool, a netip.Addr, index int) []byte {
	typ, flags := uint16(unix.RTM_DELADDR), uint16(unix.NLM_F_REQUEST|unix.NLM_F_ACK)
	if add {
		typ, flags = unix.RTM_NEWADDR, flags|unix.NLM_F_CREATE|unix.NLM_F_EXCL
	}
	family, ifaFlags := byte(unix.AF_INET), byte(0)
	if a.Is6() {
		family, ifaFlags = unix.AF_INET6, unix.IFA_F_NODAD
	}
	raw := a.AsSlice()
	attrLen := unix.SizeofRtAttr + len(raw) // 4-aligned: 8 or 20
	b := make([]byte, unix.SizeofNlMsghdr+unix.SizeofIfAddrmsg+2*attrLen)
	ne := binary.NativeEndian
	ne.PutUint32(b[0:], uint32(len(b)))
	ne.PutUint16(b[4:], typ)
	ne.PutUint16(b[6:], flags)
	ne.PutUint32(b[8:], 1) // sequence number
	// pid 0: the kernel
	m := b[unix.SizeofNlMsghdr:]
	m[0], m[1], m[2], m[3] = family, byte(a.BitLen()), ifaFlags, unix.RT_SCOPE_UNIVERSE
	ne.PutUint32(m[4:], uint32(index))
	at := m[unix.SizeofIfAddrmsg:]
	for _, t := range []uint16{unix.IFA_LOCAL, unix.IFA_ADDRESS} {
		ne.PutUint16(at[0:], uint16(attrLen))
		ne.PutUint16(at[2:], t)
		copy(at[unix.SizeofRtAttr:], raw)
		at = at[attrLen:]
	}
	return b
}

// ackErrno is the error code of a netlink acknowledgement (0: success).
func ackErrno(b []byte) (unix.Errno, error) {
	if len(b) < unix.SizeofNlMsghdr+4 {
		return 0, errors.New("netlink: short answer")
	}
	ne := binary.NativeEndian
	if typ := ne.Uint16(b[4:]); typ != unix.NLMSG_ERROR {
		return 0, fmt.Errorf("netlink: answer of type %d, want an acknowledgement", typ)
	}
	code := int32(ne.Uint32(b[unix.SizeofNlMsghdr:]))
	return unix.Errno(-code), nil
}
